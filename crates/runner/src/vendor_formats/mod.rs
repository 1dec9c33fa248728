//! The vendors' request bodies as serde types with the vendors' own field names, and their
//! conversion into checked core configurations.

pub(crate) mod aws;
pub(crate) mod aws_endpoint;
pub(crate) mod aws_metric_math;
pub(crate) mod aws_schedule;
pub(crate) mod azure;
pub(crate) mod document;
pub(crate) mod huawei;
pub(crate) mod k8s;
pub(crate) mod knative;

use std::path::Path;

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::ScenarioError;

/// Parses a JSON request body, naming the JSON path of a field the parser rejects.
pub(crate) fn parse_json<T: DeserializeOwned>(text: &str, path: &Path) -> Result<T, ScenarioError> {
    let deserializer = &mut serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(deserializer).map_err(|err| {
        let (field, message) = rejected_field(err);
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

/// Parses a part of a body already read as JSON, `field` being its own path
/// (`CustomizedMetricSpecification.Metrics[1]`), naming the path of a field the parser rejects.
pub(crate) fn parse_value<T: DeserializeOwned>(
    value: &Value,
    path: &Path,
    field: &str,
) -> Result<T, ScenarioError> {
    serde_path_to_error::deserialize(value).map_err(|err| {
        let (inner, message) = rejected_field(err);
        let field = match inner.as_str() {
            "." => field.to_owned(),
            _ => format!("{field}.{inner}"),
        };
        ScenarioError::Field {
            path: path.to_owned(),
            field,
            message,
        }
    })
}

/// The path of the field serde rejected (`.` for the whole value) and serde's message.
fn rejected_field(err: serde_path_to_error::Error<serde_json::Error>) -> (String, String) {
    let mut field = err.path().to_string();
    let message = err.into_inner().to_string();
    // The path of an unknown field ends in the field itself, which the message names.
    let (parent, last) = field.rsplit_once('.').unwrap_or((".", &field));
    if message.starts_with(&format!("unknown field `{last}`")) {
        field = parent.to_owned();
    }
    (field, message)
}
