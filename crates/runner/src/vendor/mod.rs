//! The vendors' request bodies as serde types with the vendors' own field names, and their
//! conversion into checked core configurations.

pub(crate) mod aws;

use std::path::Path;

use serde::de::DeserializeOwned;

use crate::error::ScenarioError;

/// Parses a JSON request body, naming the JSON path of a field the parser rejects.
pub(crate) fn parse_json<T: DeserializeOwned>(text: &str, path: &Path) -> Result<T, ScenarioError> {
    let deserializer = &mut serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(deserializer).map_err(|err| {
        let field = err.path().to_string();
        let message = err.into_inner().to_string();
        if field == "." {
            ScenarioError::Json {
                path: path.to_owned(),
                message,
            }
        } else {
            ScenarioError::Field {
                path: path.to_owned(),
                field,
                message,
            }
        }
    })
}
