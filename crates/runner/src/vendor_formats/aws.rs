//! AWS Application Auto Scaling request bodies for a SageMaker endpoint variant:
//! RegisterScalableTarget and PutScalingPolicy (or only its
//! TargetTrackingScalingPolicyConfiguration, the AWS CLI `file://config.json` form), checked as
//! spec/aws-target-tracking.md says.

use std::collections::BTreeMap;
use std::path::Path;

use scalesim_core::{
    BuildError, ScalableTarget, TargetTracking, TargetTrackingScalingPolicyConfiguration,
};
use serde::Deserialize;

use crate::error::ScenarioError;
use crate::vendor_formats::parse_json;

const SERVICE_NAMESPACE: &str = "sagemaker";
const SCALABLE_DIMENSION: &str = "sagemaker:variant:DesiredInstanceCount";
const POLICY_TYPE: &str = "TargetTrackingScaling";
const PREDEFINED_METRIC: &str = "SageMakerVariantInvocationsPerInstance";
const CONFIGURATION: &str = "TargetTrackingScalingPolicyConfiguration";

/// RegisterScalableTarget request body, every field AWS documents.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct RegisterScalableTarget {
    service_namespace: String,
    resource_id: String,
    scalable_dimension: String,
    min_capacity: u32,
    max_capacity: u32,
    #[serde(rename = "RoleARN")]
    #[allow(dead_code, reason = "accepted as AWS takes it; IAM is not simulated")]
    role_arn: Option<String>,
    suspended_state: Option<SuspendedState>,
    #[allow(
        dead_code,
        reason = "accepted as AWS takes it; tags do not change scaling"
    )]
    tags: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct SuspendedState {
    dynamic_scaling_in_suspended: Option<bool>,
    dynamic_scaling_out_suspended: Option<bool>,
    #[allow(dead_code, reason = "scheduled actions are not simulated")]
    scheduled_scaling_suspended: Option<bool>,
}

/// PutScalingPolicy request body, every field AWS documents.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct PutScalingPolicy {
    #[allow(dead_code, reason = "names the policy in AWS; nothing to simulate")]
    policy_name: String,
    service_namespace: String,
    resource_id: String,
    scalable_dimension: String,
    policy_type: Option<String>,
    step_scaling_policy_configuration: Option<serde_json::Value>,
    target_tracking_scaling_policy_configuration: Option<TargetTrackingConfigurationBody>,
    predictive_scaling_policy_configuration: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct TargetTrackingConfigurationBody {
    target_value: f64,
    predefined_metric_specification: Option<PredefinedMetricSpecification>,
    customized_metric_specification: Option<serde_json::Value>,
    scale_out_cooldown: Option<u64>,
    scale_in_cooldown: Option<u64>,
    disable_scale_in: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct PredefinedMetricSpecification {
    predefined_metric_type: String,
    #[allow(dead_code, reason = "only ALB metrics use it; SageMaker's take none")]
    resource_label: Option<String>,
}

/// A SageMaker variant's ResourceId, `endpoint/<endpoint>/variant/<variant>`.
#[derive(Debug, PartialEq, Eq)]
struct VariantId<'a> {
    endpoint: &'a str,
    variant: &'a str,
}

impl<'a> VariantId<'a> {
    fn parse(resource_id: &'a str) -> Option<Self> {
        let mut parts = resource_id.split('/');
        match (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) {
            (Some("endpoint"), Some(endpoint), Some("variant"), Some(variant), None)
                if !endpoint.is_empty() && !variant.is_empty() =>
            {
                Some(Self { endpoint, variant })
            }
            _ => None,
        }
    }

    /// SageMaker endpoint names are case-insensitive (CreateEndpoint), variant names are not.
    fn same_variant(&self, other: &VariantId<'_>) -> bool {
        self.endpoint.eq_ignore_ascii_case(other.endpoint) && self.variant == other.variant
    }
}

fn field_error(path: &Path, field: impl Into<String>, message: impl Into<String>) -> ScenarioError {
    ScenarioError::Field {
        path: path.to_owned(),
        field: field.into(),
        message: message.into(),
    }
}

fn core_error(path: &Path, field_prefix: &str, err: BuildError) -> ScenarioError {
    match err {
        BuildError::Field {
            field,
            expected,
            got,
        } => field_error(
            path,
            format!("{field_prefix}{field}"),
            format!("must be {expected}, got {got}"),
        ),
        other => ScenarioError::Json {
            path: path.to_owned(),
            message: other.to_string(),
        },
    }
}

fn check_equal(path: &Path, field: &str, got: &str, expected: &str) -> Result<(), ScenarioError> {
    if got == expected {
        return Ok(());
    }
    Err(field_error(
        path,
        field,
        format!("must be {expected:?} for a SageMaker endpoint variant, got {got:?}"),
    ))
}

fn variant_id<'a>(path: &Path, resource_id: &'a str) -> Result<VariantId<'a>, ScenarioError> {
    VariantId::parse(resource_id).ok_or_else(|| {
        field_error(
            path,
            "ResourceId",
            format!(
                "must be \"endpoint/<endpoint-name>/variant/<variant-name>\", got {resource_id:?}"
            ),
        )
    })
}

/// The registered target of a SageMaker variant, and its ResourceId for matching the policy.
struct Registered {
    target: ScalableTarget,
    resource_id: String,
}

fn registered(text: &str, path: &Path) -> Result<Registered, ScenarioError> {
    let body: RegisterScalableTarget = parse_json(text, path)?;
    check_equal(
        path,
        "ServiceNamespace",
        &body.service_namespace,
        SERVICE_NAMESPACE,
    )?;
    check_equal(
        path,
        "ScalableDimension",
        &body.scalable_dimension,
        SCALABLE_DIMENSION,
    )?;
    variant_id(path, &body.resource_id)?;
    let suspended = body.suspended_state.as_ref();
    let target = ScalableTarget::new(body.min_capacity, body.max_capacity)
        .map_err(|err| core_error(path, "", err))?
        .with_suspended_state(
            suspended
                .and_then(|s| s.dynamic_scaling_in_suspended)
                .unwrap_or(false),
            suspended
                .and_then(|s| s.dynamic_scaling_out_suspended)
                .unwrap_or(false),
        );
    Ok(Registered {
        target,
        resource_id: body.resource_id,
    })
}

/// Whether a policy file holds the whole PutScalingPolicy body or only its configuration.
pub(crate) fn is_configuration_only(text: &str) -> bool {
    serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(text)
        .is_ok_and(|object| object.contains_key("TargetValue"))
}

fn policy(
    text: &str,
    path: &Path,
    registered: &Registered,
) -> Result<TargetTrackingScalingPolicyConfiguration, ScenarioError> {
    let (configuration, prefix) = if is_configuration_only(text) {
        (
            parse_json::<TargetTrackingConfigurationBody>(text, path)?,
            String::new(),
        )
    } else {
        let body: PutScalingPolicy = parse_json(text, path)?;
        check_equal(
            path,
            "ServiceNamespace",
            &body.service_namespace,
            SERVICE_NAMESPACE,
        )?;
        check_equal(
            path,
            "ScalableDimension",
            &body.scalable_dimension,
            SCALABLE_DIMENSION,
        )?;
        let policy_variant = variant_id(path, &body.resource_id)?;
        let registered_variant = variant_id(path, &registered.resource_id)?;
        if !policy_variant.same_variant(&registered_variant) {
            return Err(field_error(
                path,
                "ResourceId",
                format!(
                    "must name the registered scalable target {:?}, got {:?}",
                    registered.resource_id, body.resource_id
                ),
            ));
        }
        match body.policy_type.as_deref() {
            Some(POLICY_TYPE) => {}
            None => {
                return Err(field_error(
                    path,
                    "PolicyType",
                    format!(
                        "missing: AWS then takes StepScaling, which scalesim does not model yet; \
                         supported: {POLICY_TYPE:?}"
                    ),
                ));
            }
            Some(other) => {
                return Err(field_error(
                    path,
                    "PolicyType",
                    format!("{other:?} is not supported yet; supported: {POLICY_TYPE:?}"),
                ));
            }
        }
        for (present, name) in [
            (
                body.step_scaling_policy_configuration.is_some(),
                "StepScalingPolicyConfiguration",
            ),
            (
                body.predictive_scaling_policy_configuration.is_some(),
                "PredictiveScalingPolicyConfiguration",
            ),
        ] {
            if present {
                return Err(field_error(
                    path,
                    name,
                    format!("not allowed with PolicyType {POLICY_TYPE:?}"),
                ));
            }
        }
        let configuration = body
            .target_tracking_scaling_policy_configuration
            .ok_or_else(|| {
                field_error(
                    path,
                    CONFIGURATION,
                    format!("required with PolicyType {POLICY_TYPE:?}"),
                )
            })?;
        (configuration, format!("{CONFIGURATION}."))
    };
    match (
        &configuration.predefined_metric_specification,
        &configuration.customized_metric_specification,
    ) {
        (Some(predefined), None) => {
            if predefined.predefined_metric_type != PREDEFINED_METRIC {
                return Err(field_error(
                    path,
                    format!("{prefix}PredefinedMetricSpecification.PredefinedMetricType"),
                    format!(
                        "{:?} is not supported; supported: {PREDEFINED_METRIC:?}",
                        predefined.predefined_metric_type
                    ),
                ));
            }
        }
        (None, Some(_)) => {
            return Err(field_error(
                path,
                format!("{prefix}CustomizedMetricSpecification"),
                format!(
                    "customized metrics are not supported; use PredefinedMetricSpecification \
                     with PredefinedMetricType {PREDEFINED_METRIC:?}"
                ),
            ));
        }
        (None, None) | (Some(_), Some(_)) => {
            return Err(field_error(
                path,
                format!("{prefix}PredefinedMetricSpecification"),
                "exactly one of PredefinedMetricSpecification and \
                 CustomizedMetricSpecification is required",
            ));
        }
    }
    TargetTrackingScalingPolicyConfiguration::new(
        configuration.target_value,
        configuration
            .scale_out_cooldown
            .unwrap_or(TargetTrackingScalingPolicyConfiguration::DEFAULT_COOLDOWN_S),
        configuration
            .scale_in_cooldown
            .unwrap_or(TargetTrackingScalingPolicyConfiguration::DEFAULT_COOLDOWN_S),
        configuration.disable_scale_in.unwrap_or(false),
    )
    .map_err(|err| core_error(path, &prefix, err))
}

/// The file contents of an AWS target-tracking setup, with the paths to name in errors.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AwsFiles<'a> {
    pub(crate) register_path: &'a Path,
    pub(crate) register_text: &'a str,
    pub(crate) policy_path: &'a Path,
    pub(crate) policy_text: &'a str,
}

/// Checks both request bodies against each other and AWS's rules and builds the controller.
pub(crate) fn target_tracking(
    files: AwsFiles<'_>,
    metric_delay_s: u64,
    scenario_path: &Path,
) -> Result<TargetTracking, ScenarioError> {
    let registered = registered(files.register_text, files.register_path)?;
    let policy = policy(files.policy_text, files.policy_path, &registered)?;
    TargetTracking::new(registered.target, policy, metric_delay_s)
        .map_err(|err| core_error(scenario_path, "autoscaler.", err))
}

#[cfg(test)]
mod tests {
    use super::*;

    const REGISTER: &str = r#"{ "ServiceNamespace": "sagemaker",
        "ResourceId": "endpoint/MyEndPoint/variant/MyVariant",
        "ScalableDimension": "sagemaker:variant:DesiredInstanceCount",
        "MinCapacity": 1, "MaxCapacity": 8 }"#;

    const POLICY: &str = r#"{ "PolicyName": "myscalablepolicy", "ServiceNamespace": "sagemaker",
        "ResourceId": "endpoint/MyEndpoint/variant/MyVariant",
        "ScalableDimension": "sagemaker:variant:DesiredInstanceCount",
        "PolicyType": "TargetTrackingScaling",
        "TargetTrackingScalingPolicyConfiguration": {
          "TargetValue": 70.0,
          "PredefinedMetricSpecification": { "PredefinedMetricType": "SageMakerVariantInvocationsPerInstance" },
          "ScaleOutCooldown": 300, "ScaleInCooldown": 300, "DisableScaleIn": false } }"#;

    fn load(register: &str, policy: &str) -> Result<TargetTracking, String> {
        target_tracking(
            AwsFiles {
                register_path: Path::new("register.json"),
                register_text: register,
                policy_path: Path::new("policy.json"),
                policy_text: policy,
            },
            60,
            Path::new("scenario.toml"),
        )
        .map_err(|err| err.to_string())
    }

    /// Loads the spec's bodies with `from` replaced by `to` in one of them, and returns the error.
    fn check_error(in_policy: bool, from: &str, to: &str, expected: &str) {
        let (register, policy) = if in_policy {
            (REGISTER.to_owned(), POLICY.replacen(from, to, 1))
        } else {
            (REGISTER.replacen(from, to, 1), POLICY.to_owned())
        };
        let err = load(&register, &policy).expect_err("should be rejected");
        assert_eq!(err, expected);
    }

    #[test]
    fn the_specs_bodies_load_although_endpoint_names_differ_in_case() {
        assert!(load(REGISTER, POLICY).is_ok());
    }

    #[test]
    fn the_configuration_alone_loads_as_the_aws_cli_takes_it() {
        let configuration = r#"{ "TargetValue": 70.0,
            "PredefinedMetricSpecification": { "PredefinedMetricType": "SageMakerVariantInvocationsPerInstance" } }"#;
        assert!(load(REGISTER, configuration).is_ok());
        let bad = configuration.replace("70.0", "-5");
        assert_eq!(
            load(REGISTER, &bad).unwrap_err(),
            "policy.json: TargetValue: must be a finite number greater than 0, got -5"
        );
    }

    #[test]
    fn capacity_rules_name_the_field() {
        check_error(
            false,
            r#""MinCapacity": 1"#,
            r#""MinCapacity": 0"#,
            "register.json: MinCapacity: must be at least 1 for a SageMaker endpoint variant, got 0",
        );
        check_error(
            false,
            r#""MinCapacity": 1"#,
            r#""MinCapacity": 9"#,
            "register.json: MaxCapacity: must be greater than or equal to MinCapacity (9), got 8",
        );
        let missing = REGISTER.replace(r#""MinCapacity": 1, "#, "");
        let err = load(&missing, POLICY).unwrap_err();
        assert!(
            err.starts_with("register.json: missing field `MinCapacity`"),
            "{err}"
        );
    }

    #[test]
    fn target_value_must_be_a_positive_number() {
        for (value, got) in [("0", "0"), ("-5", "-5")] {
            check_error(
                true,
                "70.0",
                value,
                &format!(
                    "policy.json: TargetTrackingScalingPolicyConfiguration.TargetValue: must be \
                     a finite number greater than 0, got {got}"
                ),
            );
        }
        let err = load(REGISTER, &POLICY.replace("70.0", r#""seventy""#)).unwrap_err();
        assert!(
            err.starts_with(
                "policy.json: TargetTrackingScalingPolicyConfiguration.TargetValue: invalid type"
            ),
            "{err}"
        );
    }

    #[test]
    fn unsupported_types_say_what_is_supported() {
        check_error(
            true,
            "SageMakerVariantInvocationsPerInstance",
            "SageMakerVariantProvisionedConcurrencyUtilization",
            "policy.json: TargetTrackingScalingPolicyConfiguration.PredefinedMetricSpecification.PredefinedMetricType: \
             \"SageMakerVariantProvisionedConcurrencyUtilization\" is not supported; supported: \
             \"SageMakerVariantInvocationsPerInstance\"",
        );
        check_error(
            true,
            r#""PolicyType": "TargetTrackingScaling""#,
            r#""PolicyType": "StepScaling""#,
            "policy.json: PolicyType: \"StepScaling\" is not supported yet; supported: \
             \"TargetTrackingScaling\"",
        );
    }

    #[test]
    fn a_policy_for_another_variant_is_rejected() {
        check_error(
            true,
            "variant/MyVariant",
            "variant/Other",
            "policy.json: ResourceId: must name the registered scalable target \
             \"endpoint/MyEndPoint/variant/MyVariant\", got \"endpoint/MyEndpoint/variant/Other\"",
        );
    }

    #[test]
    fn unknown_fields_are_errors_with_their_path() {
        let err = load(
            REGISTER,
            &POLICY.replace("\"DisableScaleIn\"", "\"DisableScaleOut\""),
        )
        .unwrap_err();
        assert!(
            err.starts_with("policy.json: TargetTrackingScalingPolicyConfiguration")
                && err.contains("unknown field `DisableScaleOut`"),
            "{err}"
        );
    }

    #[test]
    fn namespace_and_dimension_must_be_sagemakers() {
        check_error(
            false,
            r#""ServiceNamespace": "sagemaker""#,
            r#""ServiceNamespace": "ecs""#,
            "register.json: ServiceNamespace: must be \"sagemaker\" for a SageMaker endpoint \
             variant, got \"ecs\"",
        );
        check_error(
            false,
            "endpoint/MyEndPoint/variant/MyVariant",
            "endpoint//variant/MyVariant",
            "register.json: ResourceId: must be \"endpoint/<endpoint-name>/variant/<variant-name>\", \
             got \"endpoint//variant/MyVariant\"",
        );
    }
}
