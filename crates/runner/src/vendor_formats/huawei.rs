//! Huawei Cloud Workspace `PUT /v1/{project_id}/scaling-policy` request body, checked as
//! spec/huawei-workspace.md says, with errors in Huawei's own shape
//! (`{"error_code": "WKS.00211102", "error_msg": "The parameter is invalid. ..."}`).

use std::path::Path;

use scalesim_core::{BuildError, ResourceThresholds, WorkspaceScalingPolicy};
use serde::Deserialize;

use crate::error::ScenarioError;
use crate::vendor_formats::parse_json;

/// The request body, every field the API documents; JSON types are strict.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScalingPolicyBody {
    server_group_id: String,
    enable: Option<bool>,
    max_scaling_amount: u32,
    single_expansion_count: u32,
    scaling_policy_by_session: SessionPolicy,
    scaling_policy_by_resource: Option<ResourcePolicy>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SessionPolicy {
    session_usage_threshold: u32,
    shrink_after_session_idle_minutes: u32,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ResourcePolicy {
    cpu_usage_threshold: Option<u32>,
    mem_usage_threshold: Option<u32>,
    gpu_usage_threshold: Option<u32>,
}

/// Huawei's documented 400 answer; model choice: every body error uses it.
fn invalid(path: &Path, detail: String) -> ScenarioError {
    ScenarioError::HuaweiApi {
        path: path.to_owned(),
        error_code: "WKS.00211102",
        error_msg: format!("The parameter is invalid. {detail}"),
    }
}

/// Checks a scaling-policy body against Huawei's documented ranges.
pub(crate) fn scaling_policy(
    text: &str,
    path: &Path,
) -> Result<WorkspaceScalingPolicy, ScenarioError> {
    let body: ScalingPolicyBody = parse_json(text, path).map_err(|err| match err {
        ScenarioError::Field { field, message, .. } => invalid(path, format!("{field}: {message}")),
        ScenarioError::Json { message, .. } => invalid(path, message),
        other => other,
    })?;
    let id_chars = body.server_group_id.chars().count();
    if !(1..=128).contains(&id_chars) {
        return Err(invalid(
            path,
            format!("server_group_id: must be a string of 1 to 128 characters, got {id_chars}"),
        ));
    }
    let resource = body.scaling_policy_by_resource.as_ref();
    WorkspaceScalingPolicy::new(
        body.enable.unwrap_or(true),
        body.max_scaling_amount,
        body.single_expansion_count,
        body.scaling_policy_by_session.session_usage_threshold,
        body.scaling_policy_by_session
            .shrink_after_session_idle_minutes,
        ResourceThresholds {
            cpu: resource.and_then(|r| r.cpu_usage_threshold),
            mem: resource.and_then(|r| r.mem_usage_threshold),
            gpu: resource.and_then(|r| r.gpu_usage_threshold),
        },
    )
    .map_err(|err| match err {
        BuildError::Field {
            field,
            expected,
            got,
        } => invalid(path, format!("{field}: must be {expected}, got {got}")),
        other => invalid(path, other.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The API reference's example body.
    const EXAMPLE: &str = r#"{ "server_group_id": "1c873056-9f4d-11ec-b909-0242ac120002",
  "enable": true,
  "max_scaling_amount": 10,
  "single_expansion_count": 1,
  "scaling_policy_by_session": { "session_usage_threshold": 80, "shrink_after_session_idle_minutes": 30 },
  "scaling_policy_by_resource": { "cpu_usage_threshold": 90 } }"#;

    fn check_error(from: &str, to: &str, expected_msg: &str) {
        let text = EXAMPLE.replacen(from, to, 1);
        assert_ne!(text, EXAMPLE, "{from:?} not in the example");
        let err = scaling_policy(&text, Path::new("policy.json")).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "policy.json: {{\"error_code\": \"WKS.00211102\", \"error_msg\": \"The parameter is invalid. {expected_msg}\"}}"
            )
        );
    }

    #[test]
    fn the_api_example_loads() {
        let policy = scaling_policy(EXAMPLE, Path::new("policy.json")).unwrap();
        assert_eq!(policy.max_scaling_amount(), 10);
    }

    #[test]
    fn fields_out_of_range_are_reported_in_huaweis_error_shape() {
        check_error(
            r#""max_scaling_amount": 10"#,
            r#""max_scaling_amount": 0"#,
            "max_scaling_amount: must be an integer from 1 to 100, got 0",
        );
        check_error(
            r#""single_expansion_count": 1"#,
            r#""single_expansion_count": 11"#,
            "single_expansion_count: must be an integer from 1 to 10, got 11",
        );
        check_error(
            r#""session_usage_threshold": 80"#,
            r#""session_usage_threshold": 101"#,
            "scaling_policy_by_session.session_usage_threshold: must be an integer from 1 to 100, got 101",
        );
        check_error(
            r#""cpu_usage_threshold": 90"#,
            r#""cpu_usage_threshold": 0"#,
            "scaling_policy_by_resource.cpu_usage_threshold: must be an integer from 1 to 100, got 0",
        );
        check_error(
            r#""server_group_id": "1c873056-9f4d-11ec-b909-0242ac120002""#,
            r#""server_group_id": """#,
            "server_group_id: must be a string of 1 to 128 characters, got 0",
        );
    }

    #[test]
    fn types_are_strict_and_required_fields_named() {
        check_error(
            r#""max_scaling_amount": 10"#,
            r#""max_scaling_amount": "10""#,
            "max_scaling_amount: invalid type: string \\\"10\\\", expected a whole number from 0 to 4294967295 at line 3 column 28",
        );
        let missing = EXAMPLE.replace(r#""single_expansion_count": 1,"#, "");
        let err = scaling_policy(&missing, Path::new("policy.json"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("The parameter is invalid. missing field `single_expansion_count`"),
            "{err}"
        );
        let unknown = EXAMPLE.replace(r#""enable""#, r#""enabled""#);
        let err = scaling_policy(&unknown, Path::new("policy.json"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown field `enabled`"), "{err}");
    }
}
