//! AWS Application Auto Scaling documents for a SageMaker endpoint variant, as the user has
//! them: request bodies (RegisterScalableTarget, PutScalingPolicy or only its
//! TargetTrackingScalingPolicyConfiguration, PutMetricAlarm, PutScheduledAction) or what the
//! AWS CLI prints (`describe-scalable-targets`, `describe-scaling-policies`,
//! `describe-scheduled-actions`, `aws cloudwatch describe-alarms`). Every field AWS documents is
//! listed, so that a typo is an error; AWS's rules are checked and named by the field's path
//! (semantics: spec/aws-target-tracking.md and `docs/semantics/aws-*.md`).

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, Utc};
use scalesim_core::{
    AdjustmentType, ApplicationAutoScaling, AwsComparisonOperator, BuildError, HighResolutionAlarm,
    MetricAggregationType, MetricAlarm, MetricMathQuery, MetricQuery, MetricSource,
    MetricStatistic, PolicyName, SageMakerMetric, ScalableTarget, ScalingPolicy, ScheduledAction,
    StepAdjustment, StepScalingPolicy, TargetTracking, TargetTrackingPolicy,
    TargetTrackingScalingPolicyConfiguration, TreatMissingData,
};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::ScenarioError;
use crate::vendor_formats::aws_metric_math::{
    MetricMathList, MetricStatBody, MetricsOf, metric_math,
};
use crate::vendor_formats::aws_schedule::{ScheduleExpression, occurrences, parse_timestamp};
use crate::vendor_formats::document::{self, Field};
use crate::vendor_formats::parse_json;

const SERVICE_NAMESPACE: &str = "sagemaker";
const SCALABLE_DIMENSION: &str = "sagemaker:variant:DesiredInstanceCount";
/// An inference component's copies, and its ResourceId's prefix.
const COPY_DIMENSION: &str = "sagemaker:inference-component:DesiredCopyCount";
const COMPONENT_PREFIX: &str = "inference-component/";
const COPY_METRIC: &str = "SageMakerInferenceComponentInvocationsPerCopy";
const TARGET_TRACKING: &str = "TargetTrackingScaling";
const STEP_SCALING: &str = "StepScaling";
const PREDEFINED_METRIC: &str = "SageMakerVariantInvocationsPerInstance";
const CONFIGURATION: &str = "TargetTrackingScalingPolicyConfiguration";
const STEP_CONFIGURATION: &str = "StepScalingPolicyConfiguration";
const CONCURRENCY_METRIC: &str = "SageMakerVariantConcurrentRequestsPerModelHighResolution";
const COPY_CONCURRENCY_METRIC: &str =
    "SageMakerInferenceComponentConcurrentRequestsPerCopyHighResolution";
/// Serverless endpoints' metric: scalesim simulates instances, not provisioned concurrency.
const SERVERLESS_METRIC: &str = "SageMakerVariantProvisionedConcurrencyUtilization";
/// The namespace of the invocation metrics, and of the instance metrics (CPUUtilization).
const INVOCATION_NAMESPACE: &str = "AWS/SageMaker";
const INSTANCE_NAMESPACE: &str = "/aws/sagemaker/Endpoints";
/// Scheduled actions that fire more often than this in one run are refused: a schedule of
/// every minute over 58 days fires about 84,000 times.
const MAX_SCHEDULED_FIRINGS: usize = 1_000_000;

/// RegisterScalableTarget request body, or one entry of `describe-scalable-targets`.
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
    #[allow(dead_code, reason = "tags do not change scaling")]
    tags: Option<BTreeMap<String, String>>,
    #[serde(rename = "ScalableTargetARN")]
    #[allow(
        dead_code,
        reason = "printed by describe-scalable-targets; names it in AWS"
    )]
    scalable_target_arn: Option<String>,
    #[allow(dead_code, reason = "printed by describe-scalable-targets")]
    creation_time: Option<Value>,
    #[allow(
        dead_code,
        reason = "printed by describe-scalable-targets for predictive scaling"
    )]
    predicted_capacity: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct DescribeScalableTargets {
    scalable_targets: Vec<RegisterScalableTarget>,
    #[allow(dead_code, reason = "pagination of the CLI's output")]
    next_token: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct SuspendedState {
    dynamic_scaling_in_suspended: Option<bool>,
    dynamic_scaling_out_suspended: Option<bool>,
    scheduled_scaling_suspended: Option<bool>,
}

/// PutScalingPolicy request body, or one entry of `describe-scaling-policies`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct PutScalingPolicy {
    policy_name: String,
    service_namespace: String,
    resource_id: String,
    scalable_dimension: String,
    policy_type: Option<String>,
    step_scaling_policy_configuration: Option<StepConfigurationBody>,
    target_tracking_scaling_policy_configuration: Option<TargetTrackingConfigurationBody>,
    predictive_scaling_policy_configuration: Option<Value>,
    #[serde(rename = "PolicyARN")]
    policy_arn: Option<String>,
    /// describe-scaling-policies: the alarms that invoke the policy.
    alarms: Option<Vec<AlarmReference>>,
    #[allow(dead_code, reason = "printed by describe-scaling-policies")]
    creation_time: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct AlarmReference {
    alarm_name: String,
    #[serde(rename = "AlarmARN")]
    #[allow(dead_code, reason = "the name is what links the alarm")]
    alarm_arn: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct DescribeScalingPolicies {
    scaling_policies: Vec<PutScalingPolicy>,
    #[allow(dead_code, reason = "pagination of the CLI's output")]
    next_token: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct TargetTrackingConfigurationBody {
    target_value: f64,
    predefined_metric_specification: Option<PredefinedMetricSpecification>,
    customized_metric_specification: Option<CustomizedMetricSpecification>,
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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct CustomizedMetricSpecification {
    metric_name: Option<String>,
    namespace: Option<String>,
    dimensions: Option<Vec<MetricDimension>>,
    statistic: Option<String>,
    #[allow(dead_code, reason = "units do not change the values simulated")]
    unit: Option<String>,
    metrics: Option<Vec<Value>>,
}

/// A CloudWatch dimension (`Dimension`, `MetricDimension`, `TargetTrackingMetricDimension`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub(crate) struct MetricDimension {
    pub(crate) name: String,
    pub(crate) value: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct StepConfigurationBody {
    adjustment_type: Option<String>,
    step_adjustments: Option<Vec<StepAdjustmentBody>>,
    min_adjustment_magnitude: Option<u32>,
    cooldown: Option<u64>,
    metric_aggregation_type: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct StepAdjustmentBody {
    metric_interval_lower_bound: Option<f64>,
    metric_interval_upper_bound: Option<f64>,
    scaling_adjustment: i64,
}

/// PutMetricAlarm request body, or one entry of `aws cloudwatch describe-alarms`' MetricAlarms.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct PutMetricAlarm {
    alarm_name: String,
    #[allow(dead_code, reason = "describes the alarm to people")]
    alarm_description: Option<String>,
    actions_enabled: Option<bool>,
    #[serde(rename = "OKActions")]
    #[allow(dead_code, reason = "scaling runs on ALARM only")]
    ok_actions: Option<Vec<String>>,
    alarm_actions: Option<Vec<String>>,
    #[allow(dead_code, reason = "scaling runs on ALARM only")]
    insufficient_data_actions: Option<Vec<String>>,
    metric_name: Option<String>,
    namespace: Option<String>,
    statistic: Option<String>,
    extended_statistic: Option<String>,
    dimensions: Option<Vec<MetricDimension>>,
    period: Option<u64>,
    unit: Option<String>,
    evaluation_periods: u64,
    datapoints_to_alarm: Option<u64>,
    threshold: Option<f64>,
    comparison_operator: String,
    treat_missing_data: Option<String>,
    #[allow(
        dead_code,
        reason = "percentile statistics are refused before it matters"
    )]
    evaluate_low_sample_count_percentile: Option<String>,
    metrics: Option<Vec<Value>>,
    #[allow(dead_code, reason = "tags do not change scaling")]
    tags: Option<Vec<Value>>,
    threshold_metric_id: Option<String>,
    #[allow(dead_code, reason = "printed by describe-alarms")]
    alarm_arn: Option<String>,
    #[allow(dead_code, reason = "printed by describe-alarms")]
    alarm_configuration_updated_timestamp: Option<Value>,
    #[allow(
        dead_code,
        reason = "printed by describe-alarms: the alarm's state in the account"
    )]
    state_value: Option<String>,
    #[allow(dead_code, reason = "printed by describe-alarms")]
    state_reason: Option<String>,
    #[allow(dead_code, reason = "printed by describe-alarms")]
    state_reason_data: Option<String>,
    #[allow(dead_code, reason = "printed by describe-alarms")]
    state_updated_timestamp: Option<Value>,
    #[allow(dead_code, reason = "printed by describe-alarms")]
    state_transitioned_timestamp: Option<Value>,
    #[allow(dead_code, reason = "printed by describe-alarms when data is partial")]
    evaluation_state: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct DescribeAlarms {
    metric_alarms: Vec<PutMetricAlarm>,
    #[allow(dead_code, reason = "composite alarms cannot invoke scaling policies")]
    composite_alarms: Option<Vec<Value>>,
    #[allow(dead_code, reason = "pagination of the CLI's output")]
    next_token: Option<String>,
}

/// PutScheduledAction request body, or one entry of `describe-scheduled-actions`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct PutScheduledAction {
    scheduled_action_name: String,
    service_namespace: String,
    resource_id: String,
    scalable_dimension: String,
    schedule: String,
    timezone: Option<String>,
    start_time: Option<Value>,
    end_time: Option<Value>,
    scalable_target_action: Option<ScalableTargetAction>,
    #[serde(rename = "ScheduledActionARN")]
    #[allow(dead_code, reason = "printed by describe-scheduled-actions")]
    scheduled_action_arn: Option<String>,
    #[allow(dead_code, reason = "printed by describe-scheduled-actions")]
    creation_time: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct ScalableTargetAction {
    min_capacity: Option<u32>,
    max_capacity: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct DescribeScheduledActions {
    scheduled_actions: Vec<PutScheduledAction>,
    #[allow(dead_code, reason = "pagination of the CLI's output")]
    next_token: Option<String>,
}

/// The fields each `describe-*` output prints besides the request's own, by the key that lists
/// its items.
const DESCRIBE_ONLY: [(&str, &[&str]); 4] = [
    (
        "ScalableTargets",
        &["ScalableTargetARN", "CreationTime", "PredictedCapacity"],
    ),
    ("ScalingPolicies", &["PolicyARN", "Alarms", "CreationTime"]),
    ("ScheduledActions", &["ScheduledActionARN", "CreationTime"]),
    (
        "MetricAlarms",
        &[
            "AlarmArn",
            "AlarmConfigurationUpdatedTimestamp",
            "StateValue",
            "StateReason",
            "StateReasonData",
            "StateUpdatedTimestamp",
            "StateTransitionedTimestamp",
            "EvaluationState",
        ],
    ),
];

/// The request bodies that set up what a `describe-*` output `body` shows: its items without
/// the fields only the describe command prints, as a JSON array (RegisterScalableTarget: the one
/// body); any other body as it is.
pub(crate) fn request_bodies(body: &Value) -> Value {
    let Some(object) = body.as_object() else {
        return body.clone();
    };
    // describe-endpoint-config: the CreateEndpointConfig body without what SageMaker adds.
    if object.contains_key("ProductionVariants") {
        let mut config = object.clone();
        config.retain(|key, _| !matches!(key.as_str(), "EndpointConfigArn" | "CreationTime"));
        return Value::Object(config);
    }
    for (list_key, describe_only) in DESCRIBE_ONLY {
        let Some(Value::Array(items)) = object.get(list_key) else {
            continue;
        };
        let mut bodies: Vec<Value> = items
            .iter()
            .map(|item| {
                let mut item = item.clone();
                if let Some(fields) = item.as_object_mut() {
                    fields.retain(|key, _| !describe_only.contains(&key.as_str()));
                }
                item
            })
            .collect();
        return match (list_key, bodies.len()) {
            ("ScalableTargets", 1) => bodies.remove(0),
            _ => Value::Array(bodies),
        };
    }
    body.clone()
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

/// Checks that `dimension` is an inference component's copy count.
fn check_copies(path: &Path, field: &str, dimension: &str) -> Result<(), ScenarioError> {
    if dimension == COPY_DIMENSION {
        return Ok(());
    }
    Err(field_error(
        path,
        field,
        format!(
            "must be {COPY_DIMENSION:?} for a SageMaker inference component, got {dimension:?}"
        ),
    ))
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

fn variant_id<'a>(
    path: &Path,
    field: &str,
    resource_id: &'a str,
) -> Result<VariantId<'a>, ScenarioError> {
    VariantId::parse(resource_id).ok_or_else(|| {
        field_error(
            path,
            field,
            format!(
                "must be \"endpoint/<endpoint-name>/variant/<variant-name>\", got {resource_id:?}"
            ),
        )
    })
}

/// The top-level JSON object's keys, or `None` for an array or anything else.
fn top_level_keys(text: &str) -> Option<serde_json::Map<String, Value>> {
    serde_json::from_str::<serde_json::Map<String, Value>>(text).ok()
}

fn is_array(text: &str) -> bool {
    text.trim_start().starts_with('[')
}

/// The registered target of a SageMaker variant, and its ResourceId for matching the rest.
struct Registered {
    target: ScalableTarget,
    resource_id: String,
    /// With an endpoint config: the endpoint's variants, and whether this one has a scalable
    /// target (a variant without one keeps the capacity it is given).
    endpoint: Option<EndpointScope>,
}

/// The variants of the endpoint a variant's documents are read for.
struct EndpointScope {
    variants: Vec<String>,
    registered: bool,
}

impl Registered {
    /// The inference component's name, when the target is one's copies.
    fn component(&self) -> Option<&str> {
        self.resource_id.strip_prefix(COMPONENT_PREFIX)
    }

    /// Whether `resource_id` names this target (endpoint names without regard to case).
    fn is_resource(&self, resource_id: &str) -> bool {
        match self.component() {
            Some(_) => resource_id == self.resource_id,
            None => VariantId::parse(resource_id)
                .is_some_and(|variant| variant.same_variant(&self.variant())),
        }
    }

    /// Whether the document at `prefix` with `resource_id` is this variant's: `Ok(false)` for
    /// another variant of the endpoint, an error for a variant the endpoint does not have or a
    /// variant without a scalable target.
    /// In a describe listing (`listed`), an account's items of other endpoints and resources are
    /// skipped rather than refused.
    fn owns(
        &self,
        path: &Path,
        prefix: &str,
        resource_id: &str,
        listed: bool,
    ) -> Result<bool, ScenarioError> {
        let Some(scope) = &self.endpoint else {
            return Ok(true);
        };
        let ours = self.variant();
        if listed
            && !VariantId::parse(resource_id)
                .is_some_and(|id| id.endpoint.eq_ignore_ascii_case(ours.endpoint))
        {
            return Ok(false);
        }
        let field = format!("{prefix}ResourceId");
        let id = variant_id(path, &field, resource_id)?;
        if !id.endpoint.eq_ignore_ascii_case(ours.endpoint) {
            return Err(field_error(
                path,
                field,
                format!(
                    "names endpoint {:?}, but the scalable targets are endpoint {:?}'s",
                    id.endpoint, ours.endpoint
                ),
            ));
        }
        if !scope.variants.iter().any(|name| name == id.variant) {
            return Err(field_error(
                path,
                field,
                format!(
                    "names variant {:?}, which the endpoint config has no production variant of; \
                     its variants: {}",
                    id.variant,
                    quoted(&scope.variants)
                ),
            ));
        }
        if id.variant != ours.variant {
            return Ok(false);
        }
        if !scope.registered {
            return Err(field_error(
                path,
                field,
                format!(
                    "no scalable target is registered for variant {:?}: register it in the \
                     register_scalable_target file",
                    id.variant
                ),
            ));
        }
        Ok(true)
    }

    fn variant(&self) -> VariantId<'_> {
        VariantId::parse(&self.resource_id).unwrap_or(VariantId {
            endpoint: "",
            variant: "",
        })
    }

    /// Checks that a document's namespace, dimension and ResourceId name this target.
    fn check_names(
        &self,
        path: &Path,
        prefix: &str,
        namespace: &str,
        dimension: &str,
        resource_id: &str,
    ) -> Result<(), ScenarioError> {
        check_equal(
            path,
            &format!("{prefix}ServiceNamespace"),
            namespace,
            SERVICE_NAMESPACE,
        )?;
        let field = format!("{prefix}ResourceId");
        if self.component().is_some() {
            check_copies(path, &format!("{prefix}ScalableDimension"), dimension)?;
        } else {
            check_equal(
                path,
                &format!("{prefix}ScalableDimension"),
                dimension,
                SCALABLE_DIMENSION,
            )?;
            variant_id(path, &field, resource_id)?;
        }
        if !self.is_resource(resource_id) {
            return Err(field_error(
                path,
                field,
                format!(
                    "must name the registered scalable target {:?}, got {resource_id:?}",
                    self.resource_id
                ),
            ));
        }
        Ok(())
    }
}

/// `["A", "B"]` as `"A", "B"`.
fn quoted(names: &[String]) -> String {
    names
        .iter()
        .map(|name| format!("{name:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The scalable target of `variant` among those the file at `path` registers (a body, an array
/// of bodies or describe-scalable-targets output), each checked; every target must name one of
/// the endpoint's `variants`. A variant with no target keeps its capacity: it gets bounds from 1
/// to `unregistered_max`, no policy and no scheduled action.
fn variant_registered(
    text: &str,
    path: &Path,
    variant: &str,
    variants: &[String],
    unregistered_max: u32,
) -> Result<Registered, ScenarioError> {
    let bodies: Vec<(String, RegisterScalableTarget)> = listed_bodies(
        text,
        path,
        "ScalableTargets",
        |listing: DescribeScalableTargets| listing.scalable_targets,
    )?;
    if bodies.is_empty() {
        return Err(field_error(
            path,
            if is_array(text) {
                "[]"
            } else {
                "ScalableTargets"
            },
            "must hold at least one scalable target",
        ));
    }
    let mut endpoint: Option<String> = None;
    let mut found = None;
    for (prefix, body) in bodies {
        let field = format!("{prefix}ResourceId");
        let id = variant_id(path, &field, &body.resource_id)?;
        match &endpoint {
            Some(first) if !first.eq_ignore_ascii_case(id.endpoint) => {
                return Err(field_error(
                    path,
                    field,
                    format!(
                        "names endpoint {:?}, but the first target is endpoint {first:?}'s; one \
                         endpoint is simulated: run describe-scalable-targets with --resource-ids \
                         to pick its variants",
                        id.endpoint
                    ),
                ));
            }
            Some(_) => {}
            None => endpoint = Some(id.endpoint.to_owned()),
        }
        if !variants.iter().any(|name| name == id.variant) {
            return Err(field_error(
                path,
                field,
                format!(
                    "names variant {:?}, which the endpoint config has no production variant of; \
                     its variants: {}",
                    id.variant,
                    quoted(variants)
                ),
            ));
        }
        let is_ours = id.variant == variant;
        let registered = registered_body(body, &prefix, path)?;
        if is_ours {
            found = Some(registered);
        }
    }
    let scope = |registered| EndpointScope {
        variants: variants.to_vec(),
        registered,
    };
    Ok(match found {
        Some(mut registered) => {
            registered.endpoint = Some(scope(true));
            registered
        }
        None => Registered {
            target: ScalableTarget::new(1, unregistered_max.max(1))
                .map_err(|err| core_error(path, "", err))?,
            resource_id: format!(
                "endpoint/{}/variant/{variant}",
                endpoint.unwrap_or_default()
            ),
            endpoint: Some(scope(false)),
        },
    })
}

fn registered(text: &str, path: &Path) -> Result<Registered, ScenarioError> {
    let mut bodies = listed_bodies(
        text,
        path,
        "ScalableTargets",
        |listing: DescribeScalableTargets| listing.scalable_targets,
    )?;
    let count = bodies.len();
    if count != 1 {
        return Err(if is_array(text) {
            field_error(
                path,
                "[]",
                format!(
                    "must hold one scalable target, got {count}; several variants need the \
                     scenario's endpoint_config"
                ),
            )
        } else {
            field_error(
                path,
                "ScalableTargets",
                format!(
                    "must hold one scalable target (one variant is simulated), got {count}; \
                     run describe-scalable-targets with --resource-ids to pick one"
                ),
            )
        });
    }
    let (prefix, body) = bodies.remove(0);
    registered_body(body, &prefix, path)
}

/// One RegisterScalableTarget body at `prefix` of the file at `path`, checked.
fn registered_body(
    body: RegisterScalableTarget,
    prefix: &str,
    path: &Path,
) -> Result<Registered, ScenarioError> {
    check_equal(
        path,
        &format!("{prefix}ServiceNamespace"),
        &body.service_namespace,
        SERVICE_NAMESPACE,
    )?;
    let copies = body.scalable_dimension == COPY_DIMENSION;
    if copies {
        let name = body
            .resource_id
            .strip_prefix(COMPONENT_PREFIX)
            .unwrap_or_default();
        if name.is_empty() || name.contains('/') {
            return Err(field_error(
                path,
                format!("{prefix}ResourceId"),
                format!(
                    "must be \"inference-component/<inference-component-name>\" for {COPY_DIMENSION}, \
                     got {:?}",
                    body.resource_id
                ),
            ));
        }
    } else {
        check_equal(
            path,
            &format!("{prefix}ScalableDimension"),
            &body.scalable_dimension,
            SCALABLE_DIMENSION,
        )?;
        variant_id(path, &format!("{prefix}ResourceId"), &body.resource_id)?;
    }
    let suspended = body.suspended_state.as_ref();
    let flag = |get: fn(&SuspendedState) -> Option<bool>| suspended.and_then(get).unwrap_or(false);
    let target = if copies {
        ScalableTarget::inference_component(body.min_capacity, body.max_capacity)
    } else {
        ScalableTarget::new(body.min_capacity, body.max_capacity)
    };
    let target = target
        .map_err(|err| core_error(path, prefix, err))?
        .with_suspended_state(
            flag(|s| s.dynamic_scaling_in_suspended),
            flag(|s| s.dynamic_scaling_out_suspended),
        )
        .with_scheduled_scaling_suspended(flag(|s| s.scheduled_scaling_suspended));
    Ok(Registered {
        target,
        resource_id: body.resource_id,
        endpoint: None,
    })
}

/// A policy file's shape: where each policy sits, for the paths of errors and sweeps.
pub(crate) enum PolicyFileShape {
    /// Only a TargetTrackingScalingPolicyConfiguration.
    ConfigurationOnly,
    /// One PutScalingPolicy body.
    Body,
    /// A JSON array of PutScalingPolicy bodies.
    Bodies,
    /// `describe-scaling-policies` output.
    Describe,
}

impl PolicyFileShape {
    pub(crate) fn of(text: &str) -> Self {
        if is_array(text) {
            return Self::Bodies;
        }
        match top_level_keys(text) {
            Some(keys) if keys.contains_key("ScalingPolicies") => Self::Describe,
            Some(keys) if keys.contains_key("TargetValue") => Self::ConfigurationOnly,
            _ => Self::Body,
        }
    }

    /// The path prefix of policy `index` in the file.
    pub(crate) fn prefix(&self, index: usize) -> String {
        match self {
            Self::ConfigurationOnly | Self::Body => String::new(),
            Self::Bodies => format!("[{index}]."),
            Self::Describe => format!("ScalingPolicies[{index}]."),
        }
    }
}

/// A policy read from the file, with what links a step policy to its alarm.
struct PolicyEntry {
    prefix: String,
    name: String,
    /// Its ResourceId, empty for a configuration alone.
    resource_id: String,
    arn: Option<String>,
    alarm_names: Vec<String>,
    kind: PolicyKind,
}

enum PolicyKind {
    TargetTracking(TargetTrackingPolicy),
    Step(StepPart),
}

/// A step policy's configuration, waiting for its alarm.
struct StepPart {
    adjustment_type: AdjustmentType,
    steps: Vec<StepAdjustment>,
    min_adjustment_magnitude: Option<u32>,
    cooldown_s: u64,
    metric_aggregation_type: MetricAggregationType,
}

fn policies(
    text: &str,
    path: &Path,
    registered: &Registered,
    maths: &mut Vec<MetricMathQuery>,
) -> Result<Vec<PolicyEntry>, ScenarioError> {
    let shape = PolicyFileShape::of(text);
    let bodies = match shape {
        PolicyFileShape::ConfigurationOnly if registered.endpoint.is_some() => {
            return Err(field_error(
                path,
                CONFIGURATION,
                "with an endpoint_config, give whole PutScalingPolicy bodies, whose ResourceId \
                 names the variant each policy scales",
            ));
        }
        PolicyFileShape::ConfigurationOnly => {
            let configuration: TargetTrackingConfigurationBody = parse_json(text, path)?;
            let policy = tracking_policy("", configuration, "", path, registered, maths)?;
            return Ok(vec![PolicyEntry {
                prefix: String::new(),
                name: String::new(),
                resource_id: String::new(),
                arn: None,
                alarm_names: Vec::new(),
                kind: PolicyKind::TargetTracking(policy),
            }]);
        }
        PolicyFileShape::Body => vec![parse_json::<PutScalingPolicy>(text, path)?],
        PolicyFileShape::Bodies => parse_json::<Vec<PutScalingPolicy>>(text, path)?,
        PolicyFileShape::Describe => {
            parse_json::<DescribeScalingPolicies>(text, path)?.scaling_policies
        }
    };
    let mut entries = Vec::new();
    let mut other_resources = Vec::new();
    for (index, body) in bodies.into_iter().enumerate() {
        let prefix = shape.prefix(index);
        // An account's listing holds every variant's policies: those of other resources are
        // not this run's. Bodies the user wrote must all be for the registered target.
        if registered.endpoint.is_some() {
            let listed = matches!(shape, PolicyFileShape::Describe);
            if !registered.owns(path, &prefix, &body.resource_id, listed)? {
                continue;
            }
        } else if matches!(shape, PolicyFileShape::Describe)
            && !registered.is_resource(&body.resource_id)
        {
            other_resources.push(body.resource_id);
            continue;
        }
        registered.check_names(
            path,
            &prefix,
            &body.service_namespace,
            &body.scalable_dimension,
            &body.resource_id,
        )?;
        entries.push(policy_entry(body, prefix, path, registered, maths)?);
    }
    // A variant of an endpoint may have its target and no policy, as AWS allows.
    if entries.is_empty() && registered.endpoint.is_none() {
        return Err(field_error(
            path,
            "ScalingPolicies",
            format!(
                "holds no policy whose ResourceId names the registered scalable target {:?}; \
                 found {}",
                registered.resource_id,
                if other_resources.is_empty() {
                    "none".to_owned()
                } else {
                    other_resources.join(", ")
                }
            ),
        ));
    }
    Ok(entries)
}

fn policy_entry(
    body: PutScalingPolicy,
    prefix: String,
    path: &Path,
    registered: &Registered,
    maths: &mut Vec<MetricMathQuery>,
) -> Result<PolicyEntry, ScenarioError> {
    let policy_type = body.policy_type.as_deref().ok_or_else(|| {
        field_error(
            path,
            format!("{prefix}PolicyType"),
            format!("is required: {TARGET_TRACKING:?} or {STEP_SCALING:?}"),
        )
    })?;
    let present = [
        (
            body.step_scaling_policy_configuration.is_some(),
            STEP_CONFIGURATION,
        ),
        (
            body.target_tracking_scaling_policy_configuration.is_some(),
            CONFIGURATION,
        ),
        (
            body.predictive_scaling_policy_configuration.is_some(),
            "PredictiveScalingPolicyConfiguration",
        ),
    ];
    let (wanted, kind) = match policy_type {
        TARGET_TRACKING => {
            let configuration = body
                .target_tracking_scaling_policy_configuration
                .ok_or_else(|| {
                    field_error(
                        path,
                        format!("{prefix}{CONFIGURATION}"),
                        format!("required with PolicyType {TARGET_TRACKING:?}"),
                    )
                })?;
            let policy = tracking_policy(
                &body.policy_name,
                configuration,
                &format!("{prefix}{CONFIGURATION}."),
                path,
                registered,
                maths,
            )?;
            (CONFIGURATION, PolicyKind::TargetTracking(policy))
        }
        STEP_SCALING => {
            let configuration = body.step_scaling_policy_configuration.ok_or_else(|| {
                field_error(
                    path,
                    format!("{prefix}{STEP_CONFIGURATION}"),
                    format!("required with PolicyType {STEP_SCALING:?}"),
                )
            })?;
            let part = step_part(
                configuration,
                &format!("{prefix}{STEP_CONFIGURATION}."),
                path,
            )?;
            (STEP_CONFIGURATION, PolicyKind::Step(part))
        }
        "PredictiveScaling" => {
            return Err(field_error(
                path,
                format!("{prefix}PolicyType"),
                "\"PredictiveScaling\" is not available for SageMaker endpoint variants",
            ));
        }
        other => {
            return Err(field_error(
                path,
                format!("{prefix}PolicyType"),
                format!("must be {TARGET_TRACKING:?} or {STEP_SCALING:?}, got {other:?}"),
            ));
        }
    };
    if let Some((_, name)) = present
        .iter()
        .find(|(given, name)| *given && *name != wanted)
    {
        return Err(field_error(
            path,
            format!("{prefix}{name}"),
            format!("not allowed with PolicyType {policy_type:?}"),
        ));
    }
    Ok(PolicyEntry {
        prefix,
        name: body.policy_name,
        resource_id: body.resource_id,
        arn: body.policy_arn,
        alarm_names: body
            .alarms
            .unwrap_or_default()
            .into_iter()
            .map(|alarm| alarm.alarm_name)
            .collect(),
        kind,
    })
}

/// The metric a CustomizedMetricSpecification or a PutMetricAlarm names, if the simulation
/// produces it for the registered variant.
fn simulated_metric(
    path: &Path,
    prefix: &str,
    metric_name: Option<&str>,
    namespace: Option<&str>,
    dimensions: Option<&[MetricDimension]>,
    registered: &Registered,
) -> Result<SageMakerMetric, ScenarioError> {
    let metric_name = metric_name.ok_or_else(|| {
        field_error(
            path,
            format!("{prefix}MetricName"),
            "is required (or give Metrics)",
        )
    })?;
    let produced_here: &[SageMakerMetric] = match registered.component() {
        Some(_) => &[
            SageMakerMetric::Invocations,
            SageMakerMetric::InvocationsPerCopy,
            SageMakerMetric::NoCapacityInvocationFailures,
            SageMakerMetric::ConcurrentRequestsPerCopy,
            SageMakerMetric::ModelLatency,
        ],
        None => &[
            SageMakerMetric::Invocations,
            SageMakerMetric::InvocationsPerInstance,
            SageMakerMetric::CpuUtilization,
            SageMakerMetric::ConcurrentRequestsPerModel,
            SageMakerMetric::ModelLatency,
        ],
    };
    let produced = || {
        produced_here
            .iter()
            .map(|metric| metric.name())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let metric = SageMakerMetric::from_name(metric_name)
        .filter(|metric| produced_here.contains(metric))
        .ok_or_else(|| {
            field_error(
                path,
                format!("{prefix}MetricName"),
                format!(
                    "{metric_name:?} is not a metric the simulation produces; it produces {}",
                    produced()
                ),
            )
        })?;
    let expected_namespace = match metric {
        SageMakerMetric::CpuUtilization => INSTANCE_NAMESPACE,
        _ => INVOCATION_NAMESPACE,
    };
    let namespace = namespace.unwrap_or_default();
    if namespace != expected_namespace {
        return Err(field_error(
            path,
            format!("{prefix}Namespace"),
            format!(
                "must be {expected_namespace:?} for {metric_name} (where SageMaker publishes it), \
                 got {namespace:?}"
            ),
        ));
    }
    let variant = registered.variant();
    let dimensions = dimensions.unwrap_or_default();
    let expected_dimensions = match registered.component() {
        Some(component) => vec![("InferenceComponentName", component)],
        None => vec![
            ("EndpointName", variant.endpoint),
            ("VariantName", variant.variant),
        ],
    };
    for (name, expected) in expected_dimensions {
        let value = dimensions
            .iter()
            .find(|dimension| dimension.name == name)
            .map(|dimension| dimension.value.as_str());
        let matches = match (name, value) {
            ("EndpointName", Some(value)) => value.eq_ignore_ascii_case(expected),
            (_, Some(value)) => value == expected,
            (_, None) => false,
        };
        if !matches {
            return Err(field_error(
                path,
                format!("{prefix}Dimensions"),
                format!(
                    "must hold {name} = {expected:?}, the registered target's, so that the \
                     metric is this target's; got {}",
                    value.map_or_else(|| "none".to_owned(), |value| format!("{value:?}"))
                ),
            ));
        }
    }
    Ok(metric)
}

fn statistic(path: &Path, field: String, name: &str) -> Result<MetricStatistic, ScenarioError> {
    MetricStatistic::from_name(name).ok_or_else(|| {
        field_error(
            path,
            field,
            format!(
                "{name:?} is not a statistic the simulation produces; it produces Average, Sum, \
                 Minimum and Maximum"
            ),
        )
    })
}

fn tracking_policy(
    name: &str,
    configuration: TargetTrackingConfigurationBody,
    prefix: &str,
    path: &Path,
    registered: &Registered,
    maths: &mut Vec<MetricMathQuery>,
) -> Result<TargetTrackingPolicy, ScenarioError> {
    // The scenario's alarm shape replaces the default once the target is known.
    let mut high_resolution = None;
    let query = match (
        &configuration.predefined_metric_specification,
        &configuration.customized_metric_specification,
    ) {
        (Some(predefined), None) => {
            let metric_type = predefined.predefined_metric_type.as_str();
            let (here, other, other_kind) = match registered.component() {
                Some(_) => (
                    [COPY_METRIC, COPY_CONCURRENCY_METRIC],
                    [PREDEFINED_METRIC, CONCURRENCY_METRIC],
                    "endpoint variants",
                ),
                None => (
                    [PREDEFINED_METRIC, CONCURRENCY_METRIC],
                    [COPY_METRIC, COPY_CONCURRENCY_METRIC],
                    "inference components",
                ),
            };
            let (metric, statistic) = match metric_type {
                PREDEFINED_METRIC if here.contains(&metric_type) => (
                    SageMakerMetric::InvocationsPerInstance,
                    MetricStatistic::Sum,
                ),
                COPY_METRIC if here.contains(&metric_type) => {
                    (SageMakerMetric::InvocationsPerCopy, MetricStatistic::Sum)
                }
                CONCURRENCY_METRIC if here.contains(&metric_type) => (
                    SageMakerMetric::ConcurrentRequestsPerModel,
                    MetricStatistic::Average,
                ),
                COPY_CONCURRENCY_METRIC if here.contains(&metric_type) => (
                    SageMakerMetric::ConcurrentRequestsPerCopy,
                    MetricStatistic::Average,
                ),
                _ => {
                    let why = if other.contains(&metric_type) {
                        format!("is for {other_kind}")
                    } else if metric_type == SERVERLESS_METRIC {
                        "is for serverless endpoints' provisioned concurrency, which scalesim \
                         does not simulate"
                            .to_owned()
                    } else {
                        "is not a SageMaker metric type".to_owned()
                    };
                    return Err(field_error(
                        path,
                        format!("{prefix}PredefinedMetricSpecification.PredefinedMetricType"),
                        format!("{metric_type:?} {why}; supported here: {here:?}"),
                    ));
                }
            };
            if metric.needs_latency() {
                high_resolution = Some(HighResolutionAlarm::DEFAULT);
            }
            MetricQuery::per_minute(metric, statistic)
        }
        (None, Some(custom)) => {
            let custom_prefix = format!("{prefix}CustomizedMetricSpecification.");
            if let Some(queries) = &custom.metrics {
                return tracking_math(queries, custom, &custom_prefix, path, registered, maths)
                    .and_then(|source| {
                        tracking_policy_of(
                            name,
                            MetricQuery {
                                source,
                                statistic: MetricStatistic::Average,
                                period_minutes: 1,
                            },
                            &configuration,
                            None,
                            prefix,
                            path,
                        )
                    });
            }
            let metric = simulated_metric(
                path,
                &custom_prefix,
                custom.metric_name.as_deref(),
                custom.namespace.as_deref(),
                custom.dimensions.as_deref(),
                registered,
            )?;
            let statistic_name = custom.statistic.as_deref().ok_or_else(|| {
                field_error(path, format!("{custom_prefix}Statistic"), "is required")
            })?;
            let statistic = statistic(path, format!("{custom_prefix}Statistic"), statistic_name)?;
            MetricQuery::per_minute(metric, statistic)
        }
        (None, None) | (Some(_), Some(_)) => {
            return Err(field_error(
                path,
                format!("{prefix}PredefinedMetricSpecification"),
                "exactly one of PredefinedMetricSpecification and \
                 CustomizedMetricSpecification is required",
            ));
        }
    };
    tracking_policy_of(name, query, &configuration, high_resolution, prefix, path)
}

/// A target-tracking policy on `query`, with the body's TargetValue, cooldowns (SageMaker's
/// defaults when left out) and DisableScaleIn.
fn tracking_policy_of(
    name: &str,
    query: MetricQuery,
    configuration: &TargetTrackingConfigurationBody,
    high_resolution: Option<HighResolutionAlarm>,
    prefix: &str,
    path: &Path,
) -> Result<TargetTrackingPolicy, ScenarioError> {
    let configuration = TargetTrackingScalingPolicyConfiguration::new(
        configuration.target_value,
        configuration
            .scale_out_cooldown
            .unwrap_or(TargetTrackingScalingPolicyConfiguration::DEFAULT_COOLDOWN_S),
        configuration
            .scale_in_cooldown
            .unwrap_or(TargetTrackingScalingPolicyConfiguration::DEFAULT_COOLDOWN_S),
        configuration.disable_scale_in.unwrap_or(false),
    )
    .map_err(|err| core_error(path, prefix, err))?;
    Ok(TargetTrackingPolicy {
        name: PolicyName::new(name),
        query,
        configuration,
        high_resolution,
    })
}

/// A CustomizedMetricSpecification's metric math `Metrics`, joined to the target's `maths`.
fn tracking_math(
    queries: &[Value],
    custom: &CustomizedMetricSpecification,
    prefix: &str,
    path: &Path,
    registered: &Registered,
    maths: &mut Vec<MetricMathQuery>,
) -> Result<MetricSource, ScenarioError> {
    // Model choice (docs/semantics/aws-metric-math.md): AWS's pages do not say what a
    // specification naming a metric both ways does, so it is refused.
    refuse_given(
        path,
        prefix,
        &[
            ("MetricName", custom.metric_name.is_some()),
            ("Namespace", custom.namespace.is_some()),
            ("Dimensions", custom.dimensions.is_some()),
            ("Statistic", custom.statistic.is_some()),
        ],
        "name the metric either by MetricName, Namespace, Dimensions and Statistic, or by \
         Metrics",
    )?;
    let list = metric_math(
        queries,
        MetricsOf::TargetTracking,
        path,
        prefix,
        |at, stat| metric_stat(path, at, stat, registered),
    )?;
    push_math(list, maths, path, prefix)
}

/// The simulated metric and statistic a `Metrics` list's MetricStat at `at` names.
fn metric_stat(
    path: &Path,
    at: &str,
    stat: &MetricStatBody,
    registered: &Registered,
) -> Result<(SageMakerMetric, MetricStatistic), ScenarioError> {
    let metric = simulated_metric(
        path,
        &format!("{at}Metric."),
        stat.metric.metric_name.as_deref(),
        stat.metric.namespace.as_deref(),
        stat.metric.dimensions.as_deref(),
        registered,
    )?;
    let statistic = statistic(path, format!("{at}Stat"), &stat.stat)?;
    Ok((metric, statistic))
}

/// Checks StepAdjustments as AWS does (API_StepAdjustment): no interval with both bounds
/// null, no overlap, no gap, at most one null bound each way, and a null lower (upper) bound
/// whenever a bound is negative (positive).
fn step_adjustments(
    bodies: &[StepAdjustmentBody],
    prefix: &str,
    path: &Path,
) -> Result<Vec<StepAdjustment>, ScenarioError> {
    let field = format!("{prefix}StepAdjustments");
    if bodies.is_empty() {
        return Err(field_error(
            path,
            field,
            "must hold at least one step adjustment",
        ));
    }
    let mut steps: Vec<(usize, StepAdjustment)> = Vec::with_capacity(bodies.len());
    for (index, body) in bodies.iter().enumerate() {
        let at = format!("{field}[{index}]");
        let (lower, upper) = (
            body.metric_interval_lower_bound,
            body.metric_interval_upper_bound,
        );
        if lower.is_none() && upper.is_none() {
            return Err(field_error(
                path,
                at,
                "MetricIntervalLowerBound and MetricIntervalUpperBound can't both be null",
            ));
        }
        if let (Some(lower), Some(upper)) = (lower, upper)
            && lower >= upper
        {
            return Err(field_error(
                path,
                format!("{at}.MetricIntervalUpperBound"),
                format!("must be greater than MetricIntervalLowerBound ({lower}), got {upper}"),
            ));
        }
        steps.push((
            index,
            StepAdjustment {
                lower,
                upper,
                scaling_adjustment: body.scaling_adjustment,
            },
        ));
    }
    let null_lower = steps.iter().filter(|(_, s)| s.lower.is_none()).count();
    let null_upper = steps.iter().filter(|(_, s)| s.upper.is_none()).count();
    if null_lower > 1 || null_upper > 1 {
        let bound = if null_lower > 1 {
            "MetricIntervalLowerBound"
        } else {
            "MetricIntervalUpperBound"
        };
        return Err(field_error(
            path,
            field,
            format!("at most one step adjustment may have a null {bound}"),
        ));
    }
    if null_lower == 0 && steps.iter().any(|(_, s)| s.lower.is_some_and(|l| l < 0.0)) {
        return Err(field_error(
            path,
            field,
            "a step adjustment has a negative lower bound, so one must have a null \
             MetricIntervalLowerBound",
        ));
    }
    if null_upper == 0 && steps.iter().any(|(_, s)| s.upper.is_some_and(|u| u > 0.0)) {
        return Err(field_error(
            path,
            field,
            "a step adjustment has a positive upper bound, so one must have a null \
             MetricIntervalUpperBound",
        ));
    }
    steps.sort_by(|(_, a), (_, b)| {
        a.lower
            .unwrap_or(f64::NEG_INFINITY)
            .total_cmp(&b.lower.unwrap_or(f64::NEG_INFINITY))
    });
    for pair in steps.windows(2) {
        let ((first_index, first), (second_index, second)) = (pair[0], pair[1]);
        let (end, start) = (
            first.upper.unwrap_or(f64::INFINITY),
            second.lower.unwrap_or(f64::NEG_INFINITY),
        );
        if end != start {
            let what = if end > start {
                "overlaps"
            } else {
                "leaves a gap after"
            };
            return Err(field_error(
                path,
                format!("{field}[{second_index}]"),
                format!(
                    "step adjustment [{second_index}] (from {start}) {what} step adjustment \
                     [{first_index}] (to {end}): the intervals can't overlap or have a gap"
                ),
            ));
        }
    }
    Ok(steps.into_iter().map(|(_, step)| step).collect())
}

fn step_part(
    body: StepConfigurationBody,
    prefix: &str,
    path: &Path,
) -> Result<StepPart, ScenarioError> {
    let adjustment_type = match body.adjustment_type.as_deref() {
        Some("ChangeInCapacity") => AdjustmentType::ChangeInCapacity,
        Some("PercentChangeInCapacity") => AdjustmentType::PercentChangeInCapacity,
        Some("ExactCapacity") => AdjustmentType::ExactCapacity,
        Some(other) => {
            return Err(field_error(
                path,
                format!("{prefix}AdjustmentType"),
                format!(
                    "must be \"ChangeInCapacity\", \"PercentChangeInCapacity\" or \
                     \"ExactCapacity\", got {other:?}"
                ),
            ));
        }
        None => {
            return Err(field_error(
                path,
                format!("{prefix}AdjustmentType"),
                "is required for a new step scaling policy",
            ));
        }
    };
    if body.min_adjustment_magnitude.is_some()
        && adjustment_type != AdjustmentType::PercentChangeInCapacity
    {
        return Err(field_error(
            path,
            format!("{prefix}MinAdjustmentMagnitude"),
            "is valid only with AdjustmentType \"PercentChangeInCapacity\"",
        ));
    }
    let metric_aggregation_type = match body.metric_aggregation_type.as_deref() {
        None | Some("Average") => MetricAggregationType::Average,
        Some("Minimum") => MetricAggregationType::Minimum,
        Some("Maximum") => MetricAggregationType::Maximum,
        Some(other) => {
            return Err(field_error(
                path,
                format!("{prefix}MetricAggregationType"),
                format!("must be \"Average\", \"Minimum\" or \"Maximum\", got {other:?}"),
            ));
        }
    };
    let steps = step_adjustments(
        body.step_adjustments.as_deref().unwrap_or_default(),
        prefix,
        path,
    )?;
    Ok(StepPart {
        adjustment_type,
        steps,
        min_adjustment_magnitude: body.min_adjustment_magnitude,
        // SageMaker endpoint variants' default cooldown (API_StepScalingPolicyConfiguration).
        cooldown_s: body
            .cooldown
            .unwrap_or(TargetTrackingScalingPolicyConfiguration::DEFAULT_COOLDOWN_S),
        metric_aggregation_type,
    })
}

/// The alarms file's alarms, with the prefix of each.
fn alarm_bodies(text: &str, path: &Path) -> Result<Vec<(String, PutMetricAlarm)>, ScenarioError> {
    listed_bodies(text, path, "MetricAlarms", |listing: DescribeAlarms| {
        listing.metric_alarms
    })
}

/// The request bodies in `text`: one body, a JSON array of them, or a describe output listing
/// them under `list_key` (taken apart by `items`); each with the path prefix of its place in
/// the file (`""`, `[0].`, `ScheduledActions[0].`).
fn listed_bodies<T: DeserializeOwned, D: DeserializeOwned>(
    text: &str,
    path: &Path,
    list_key: &str,
    items: fn(D) -> Vec<T>,
) -> Result<Vec<(String, T)>, ScenarioError> {
    let numbered = |bodies: Vec<T>, key: &str| {
        bodies
            .into_iter()
            .enumerate()
            .map(|(index, body)| (format!("{key}[{index}]."), body))
            .collect()
    };
    Ok(if is_array(text) {
        numbered(parse_json(text, path)?, "")
    } else if top_level_keys(text).is_some_and(|keys| keys.contains_key(list_key)) {
        numbered(items(parse_json(text, path)?), list_key)
    } else {
        vec![(String::new(), parse_json(text, path)?)]
    })
}

/// Whether alarm action `action`, a scaling policy's ARN
/// (`…:scalingPolicy:<id>:resource/sagemaker/<ResourceId>:policyName/<name>`), names the policy
/// `entry`: its name, and its resource where the ARN names one (policy names are unique per
/// scalable target only).
fn invokes(action: &str, entry: &PolicyEntry) -> bool {
    if entry.arn.as_deref() == Some(action) {
        return true;
    }
    let Some((head, name)) = action.rsplit_once(":policyName/") else {
        return false;
    };
    let arn_resource = head
        .rsplit_once(":resource/sagemaker/")
        .map(|(_, resource)| resource);
    let same_resource = match arn_resource {
        // A configuration alone has no ResourceId to compare.
        _ if entry.resource_id.is_empty() => true,
        None => true,
        Some(resource) => match (
            VariantId::parse(resource),
            VariantId::parse(&entry.resource_id),
        ) {
            (Some(arn_variant), Some(entry_variant)) => arn_variant.same_variant(&entry_variant),
            // An inference component's name is compared as written.
            _ => resource == entry.resource_id,
        },
    };
    name == entry.name && same_resource
}

/// An alarm's one metric (MetricName, Namespace, Dimensions, Statistic, Period).
fn alarm_metric(
    alarm: &PutMetricAlarm,
    prefix: &str,
    path: &Path,
    registered: &Registered,
) -> Result<(SageMakerMetric, MetricStatistic, u64), ScenarioError> {
    if let Some(extended) = &alarm.extended_statistic {
        return Err(field_error(
            path,
            format!("{prefix}ExtendedStatistic"),
            format!(
                "{extended:?}: percentiles are not produced; use Statistic (Average, Sum, Minimum \
                 or Maximum)"
            ),
        ));
    }
    let metric = simulated_metric(
        path,
        prefix,
        alarm.metric_name.as_deref(),
        alarm.namespace.as_deref(),
        alarm.dimensions.as_deref(),
        registered,
    )?;
    let statistic = statistic(
        path,
        format!("{prefix}Statistic"),
        alarm
            .statistic
            .as_deref()
            .ok_or_else(|| field_error(path, format!("{prefix}Statistic"), "is required"))?,
    )?;
    let period = alarm
        .period
        .ok_or_else(|| field_error(path, format!("{prefix}Period"), "is required"))?;
    check_alarm_period(path, format!("{prefix}Period"), period, metric.name())?;
    Ok((metric, statistic, period))
}

/// An alarm period must be whole minutes: scalesim evaluates alarms on minute datapoints.
fn check_alarm_period(
    path: &Path,
    field: String,
    period: u64,
    what: &str,
) -> Result<(), ScenarioError> {
    if period == 0 || !period.is_multiple_of(60) {
        return Err(field_error(
            path,
            field,
            format!(
                "must be a multiple of 60 seconds: alarms evaluate {what} on minute datapoints; \
                 got {period}"
            ),
        ));
    }
    Ok(())
}

/// Refuses the first of `fields` (name, whether given) that is given beside `Metrics`.
fn refuse_given(
    path: &Path,
    prefix: &str,
    fields: &[(&str, bool)],
    why: &str,
) -> Result<(), ScenarioError> {
    match fields.iter().find(|(_, given)| *given) {
        Some((field, _)) => Err(field_error(
            path,
            format!("{prefix}{field}"),
            format!("cannot be given with Metrics: {why}"),
        )),
        None => Ok(()),
    }
}

/// An alarm's metric math `Metrics`: the expression joins the target's list `maths`, and the
/// alarm evaluates it on its metrics' one Period.
fn alarm_math(
    alarm: &PutMetricAlarm,
    queries: &[Value],
    prefix: &str,
    path: &Path,
    registered: &Registered,
    maths: &mut Vec<MetricMathQuery>,
) -> Result<(MetricSource, MetricStatistic, u64), ScenarioError> {
    // PutMetricAlarm: "If you use the Metrics parameter, you cannot include the Namespace,
    // MetricName, Dimensions, Period, Unit, Statistic, or ExtendedStatistic parameters".
    refuse_given(
        path,
        prefix,
        &[
            ("MetricName", alarm.metric_name.is_some()),
            ("Namespace", alarm.namespace.is_some()),
            ("Dimensions", alarm.dimensions.is_some()),
            ("Period", alarm.period.is_some()),
            ("Unit", alarm.unit.is_some()),
            ("Statistic", alarm.statistic.is_some()),
            ("ExtendedStatistic", alarm.extended_statistic.is_some()),
        ],
        "with Metrics, each MetricStat names its metric, statistic and period",
    )?;
    let mut periods: Vec<(String, u64)> = Vec::new();
    let list = metric_math(queries, MetricsOf::Alarm, path, prefix, |at, stat| {
        let (metric, statistic) = metric_stat(path, at, stat, registered)?;
        let period = stat.period.unwrap_or(60);
        check_alarm_period(path, format!("{at}Period"), period, metric.name())?;
        periods.push((format!("{at}Period"), period));
        Ok((metric, statistic))
    })?;
    let period = periods.first().map_or(60, |&(_, period)| period);
    // Model choice (docs/semantics/aws-metric-math.md): AWS does not say which period an
    // alarm over metrics of different periods evaluates.
    if let Some((field, other)) = periods.iter().find(|(_, other)| *other != period) {
        return Err(field_error(
            path,
            field.clone(),
            format!(
                "must be the same for every metric of the alarm ({period} s, as the first): \
                 scalesim evaluates an alarm on one period; got {other}"
            ),
        ));
    }
    let source = push_math(list, maths, path, prefix)?;
    Ok((source, MetricStatistic::Sum, period))
}

/// Adds a read `Metrics` list to the target's `maths`, and names it as a query's source.
fn push_math(
    list: MetricMathList<(SageMakerMetric, MetricStatistic)>,
    maths: &mut Vec<MetricMathQuery>,
    path: &Path,
    prefix: &str,
) -> Result<MetricSource, ScenarioError> {
    let label = PolicyName::new(&list.label);
    let query = MetricMathQuery::new(list.expression, list.metrics)
        .map_err(|err| core_error(path, prefix, err))?;
    maths.push(query);
    Ok(MetricSource::Math {
        index: maths.len() - 1,
        label,
    })
}

fn metric_alarm(
    alarm: &PutMetricAlarm,
    prefix: &str,
    path: &Path,
    registered: &Registered,
    maths: &mut Vec<MetricMathQuery>,
) -> Result<MetricAlarm, ScenarioError> {
    if alarm.threshold_metric_id.is_some() {
        return Err(field_error(
            path,
            format!("{prefix}ThresholdMetricId"),
            "anomaly-detection alarms are not supported: the simulation has no anomaly \
             detection model; give a Threshold",
        ));
    }
    let (source, statistic, period) = match &alarm.metrics {
        Some(queries) => alarm_math(alarm, queries, prefix, path, registered, maths)?,
        None => {
            let (metric, statistic, period) = alarm_metric(alarm, prefix, path, registered)?;
            (MetricSource::Metric(metric), statistic, period)
        }
    };
    let comparison = AwsComparisonOperator::ALL
        .into_iter()
        .find(|operator| operator.name() == alarm.comparison_operator)
        .ok_or_else(|| {
            field_error(
                path,
                format!("{prefix}ComparisonOperator"),
                format!(
                    "must be GreaterThanOrEqualToThreshold, GreaterThanThreshold, \
                     LessThanThreshold or LessThanOrEqualToThreshold, got {:?}",
                    alarm.comparison_operator
                ),
            )
        })?;
    let threshold = alarm
        .threshold
        .ok_or_else(|| field_error(path, format!("{prefix}Threshold"), "is required"))?;
    if !threshold.is_finite() {
        return Err(field_error(
            path,
            format!("{prefix}Threshold"),
            format!("must be a finite number, got {threshold}"),
        ));
    }
    let treat_missing = match alarm.treat_missing_data.as_deref() {
        None | Some("missing") => TreatMissingData::Missing,
        Some("notBreaching") => TreatMissingData::NotBreaching,
        Some("breaching") => TreatMissingData::Breaching,
        Some("ignore") => TreatMissingData::Ignore,
        Some(treat) => {
            return Err(field_error(
                path,
                format!("{prefix}TreatMissingData"),
                format!("must be breaching, notBreaching, ignore or missing, got {treat:?}"),
            ));
        }
    };
    let evaluation_periods = alarm.evaluation_periods;
    let datapoints_to_alarm = alarm.datapoints_to_alarm.unwrap_or(evaluation_periods);
    if evaluation_periods == 0 {
        return Err(field_error(
            path,
            format!("{prefix}EvaluationPeriods"),
            "must be at least 1, got 0",
        ));
    }
    if !(1..=evaluation_periods).contains(&datapoints_to_alarm) {
        return Err(field_error(
            path,
            format!("{prefix}DatapointsToAlarm"),
            format!(
                "must be from 1 to EvaluationPeriods ({evaluation_periods}), got {datapoints_to_alarm}"
            ),
        ));
    }
    let max_window_s = scalesim_core::max_alarm_window_s(period);
    if evaluation_periods.saturating_mul(period) > max_window_s {
        return Err(field_error(
            path,
            format!("{prefix}EvaluationPeriods"),
            format!(
                "times Period must be at most {max_window_s} seconds ({}), got \
                 {evaluation_periods} × {period}",
                if period >= 3_600 {
                    "seven days, with a Period of an hour or more"
                } else {
                    "one day, with a Period under an hour"
                }
            ),
        ));
    }
    Ok(MetricAlarm {
        query: MetricQuery {
            source,
            statistic,
            period_minutes: period / 60,
        },
        comparison,
        threshold,
        evaluation_periods,
        datapoints_to_alarm,
        treat_missing,
    })
}

/// The scheduled actions file's actions, resolved to the seconds they fire at.
fn scheduled_actions(
    text: &str,
    path: &Path,
    registered: &Registered,
    start: Option<DateTime<Utc>>,
    run_s: u64,
    scenario_path: &Path,
) -> Result<Vec<ScheduledAction>, ScenarioError> {
    let bodies: Vec<(String, PutScheduledAction)> = listed_bodies(
        text,
        path,
        "ScheduledActions",
        |listing: DescribeScheduledActions| listing.scheduled_actions,
    )?;
    let mut actions = Vec::new();
    for (prefix, body) in bodies {
        let listed = prefix.starts_with("ScheduledActions[");
        if !registered.owns(path, &prefix, &body.resource_id, listed)? {
            continue;
        }
        // An account's listing holds other resources' actions: not this run's.
        if listed && registered.endpoint.is_none() && !registered.is_resource(&body.resource_id) {
            continue;
        }
        registered.check_names(
            path,
            &prefix,
            &body.service_namespace,
            &body.scalable_dimension,
            &body.resource_id,
        )?;
        let action = body.scalable_target_action.as_ref();
        let (min, max) = (
            action.and_then(|a| a.min_capacity),
            action.and_then(|a| a.max_capacity),
        );
        if min.is_none() && max.is_none() {
            return Err(field_error(
                path,
                format!("{prefix}ScalableTargetAction"),
                "must set MinCapacity, MaxCapacity or both",
            ));
        }
        if let (Some(min), Some(max)) = (min, max)
            && min > max
        {
            return Err(field_error(
                path,
                format!("{prefix}ScalableTargetAction.MaxCapacity"),
                format!("must be greater than or equal to MinCapacity ({min}), got {max}"),
            ));
        }
        if min == Some(0) && registered.component().is_none() {
            return Err(field_error(
                path,
                format!("{prefix}ScalableTargetAction.MinCapacity"),
                "must be at least 1 for a SageMaker endpoint variant, got 0",
            ));
        }
        let expression = ScheduleExpression::parse(&body.schedule)
            .map_err(|message| field_error(path, format!("{prefix}Schedule"), message))?;
        let timestamp = |value: &Option<Value>, field: &str| {
            value
                .as_ref()
                .map(|value| {
                    parse_timestamp(value)
                        .map_err(|message| field_error(path, format!("{prefix}{field}"), message))
                })
                .transpose()
        };
        let start_time = timestamp(&body.start_time, "StartTime")?;
        let end_time = timestamp(&body.end_time, "EndTime")?;
        let Some(start) = start else {
            return Err(field_error(
                scenario_path,
                "start",
                format!(
                    "is required with scheduled actions: they fire at wall-clock times, and \
                     `start` says when t = 0 is (for example start = 2025-03-03T00:00:00Z; a \
                     trace with timestamps gives it); {} has {:?}",
                    path.display(),
                    body.scheduled_action_name
                ),
            ));
        };
        let end = start + chrono::Duration::seconds(i64::try_from(run_s).unwrap_or(i64::MAX));
        let firings = occurrences(
            &expression,
            body.timezone.as_deref(),
            start_time,
            end_time,
            start,
            end,
            MAX_SCHEDULED_FIRINGS,
        )
        .map_err(|message| {
            let field = if message.contains("time zone") || message.contains("Timezone") {
                "Timezone"
            } else {
                "Schedule"
            };
            field_error(path, format!("{prefix}{field}"), message)
        })?;
        for firing in firings {
            let at_s = u64::try_from((firing - start).num_seconds()).unwrap_or(0);
            actions.push(ScheduledAction {
                name: PolicyName::new(&body.scheduled_action_name),
                at_s,
                min_capacity: min,
                max_capacity: max,
                desired_capacity: None,
            });
        }
        if actions.len() > MAX_SCHEDULED_FIRINGS {
            return Err(field_error(
                path,
                format!("{prefix}Schedule"),
                format!(
                    "the scheduled actions fire more than {MAX_SCHEDULED_FIRINGS} times in the run"
                ),
            ));
        }
    }
    Ok(actions)
}

/// The file contents of an AWS Application Auto Scaling setup, with the paths to name in errors.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AwsFiles<'a> {
    pub(crate) register_path: &'a Path,
    pub(crate) register_text: &'a str,
    pub(crate) policy_path: &'a Path,
    pub(crate) policy_text: &'a str,
    /// PutMetricAlarm bodies (or describe-alarms output) for step policies.
    pub(crate) alarms: Option<(&'a Path, &'a str)>,
    /// PutScheduledAction bodies (or describe-scheduled-actions output).
    pub(crate) scheduled: Option<(&'a Path, &'a str)>,
}

/// The scenario's settings the documents need.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AwsSettings<'a> {
    pub(crate) metric_delay_s: u64,
    /// The scale-out alarm of target tracking on a high-resolution metric.
    pub(crate) high_resolution_alarm: Option<HighResolutionAlarm>,
    /// Wall-clock time of t = 0, for scheduled actions.
    pub(crate) start: Option<DateTime<Utc>>,
    pub(crate) run_s: u64,
    pub(crate) scenario_path: &'a Path,
    /// With an endpoint config: the variant to build for.
    pub(crate) variant: Option<VariantSettings<'a>>,
}

/// One variant of an endpoint with several.
#[derive(Debug, Clone, Copy)]
pub(crate) struct VariantSettings<'a> {
    /// Its VariantName.
    pub(crate) name: &'a str,
    /// Every variant's name, in the endpoint config's order.
    pub(crate) variants: &'a [String],
    /// UpdateEndpointWeightsAndCapacities' desired counts for it, as actions at their times.
    pub(crate) updates: &'a [ScheduledAction],
    /// The most instances it is ever given, for a variant without a scalable target.
    pub(crate) unregistered_max: u32,
}

/// What the documents build: the spec's one target-tracking policy, which the sweep kernel
/// runs, or the general case.
#[derive(Debug)]
pub(crate) enum AwsScaling {
    TargetTracking(TargetTracking),
    General(ApplicationAutoScaling),
}

/// Checks the documents against each other and AWS's rules and builds the controller.
pub(crate) fn application_auto_scaling(
    files: AwsFiles<'_>,
    settings: AwsSettings<'_>,
) -> Result<AwsScaling, ScenarioError> {
    let registered = match settings.variant {
        Some(variant) => variant_registered(
            files.register_text,
            files.register_path,
            variant.name,
            variant.variants,
            variant.unregistered_max,
        )?,
        None => registered(files.register_text, files.register_path)?,
    };
    // The metric math expressions of the target's policies and alarms, in the order read.
    let mut maths = Vec::new();
    let entries = policies(
        files.policy_text,
        files.policy_path,
        &registered,
        &mut maths,
    )?;
    let alarms = match files.alarms {
        Some((path, text)) => alarm_bodies(text, path)?
            .into_iter()
            .map(|(prefix, alarm)| (path, prefix, alarm))
            .collect(),
        None => Vec::new(),
    };
    let mut scaling_policies = Vec::with_capacity(entries.len());
    for entry in &entries {
        match &entry.kind {
            PolicyKind::TargetTracking(policy) => {
                let high_resolution = policy
                    .high_resolution
                    .map(|default| settings.high_resolution_alarm.unwrap_or(default));
                scaling_policies.push(ScalingPolicy::TargetTracking(TargetTrackingPolicy {
                    high_resolution,
                    ..*policy
                }));
            }
            PolicyKind::Step(part) => {
                let linked: Vec<_> = alarms
                    .iter()
                    .filter(|(_, _, alarm)| {
                        entry.alarm_names.contains(&alarm.alarm_name)
                            || alarm
                                .alarm_actions
                                .iter()
                                .flatten()
                                .any(|action| invokes(action, entry))
                    })
                    .collect();
                if linked.is_empty() {
                    return Err(field_error(
                        files.policy_path,
                        format!("{}PolicyName", entry.prefix),
                        format!(
                            "step scaling policy {:?} has no alarm to invoke it: give its \
                                 CloudWatch alarm's PutMetricAlarm body in the scenario's \
                                 `alarms` file, with AlarmActions holding the policy's ARN \
                                 (…:policyName/{})",
                            entry.name, entry.name
                        ),
                    ));
                }
                // Every linked alarm is checked; one whose actions are disabled never invokes
                // the policy, and a policy no alarm invokes can do nothing.
                let mut invoking = Vec::with_capacity(linked.len());
                for (alarm_path, prefix, alarm) in linked {
                    let metric_alarm =
                        metric_alarm(alarm, prefix, alarm_path, &registered, &mut maths)?;
                    if alarm.actions_enabled != Some(false) {
                        invoking.push(metric_alarm);
                    }
                }
                if invoking.is_empty() {
                    continue;
                }
                let alarm = invoking.remove(0);
                scaling_policies.push(ScalingPolicy::StepScaling(StepScalingPolicy {
                    name: PolicyName::new(&entry.name),
                    alarm,
                    also_invoked_by: invoking,
                    adjustment_type: part.adjustment_type,
                    steps: part.steps.clone(),
                    min_adjustment_magnitude: part.min_adjustment_magnitude,
                    cooldown_s: part.cooldown_s,
                    metric_aggregation_type: part.metric_aggregation_type,
                }));
            }
        }
    }
    let mut scheduled = match files.scheduled {
        Some((path, text)) => scheduled_actions(
            text,
            path,
            &registered,
            settings.start,
            settings.run_s,
            settings.scenario_path,
        )?,
        None => Vec::new(),
    };
    if let Some(variant) = settings.variant {
        scheduled.extend_from_slice(variant.updates);
    }
    let scenario_error = |err| core_error(settings.scenario_path, "autoscaler.", err);
    let high_resolution = scaling_policies.iter().any(|policy| {
        matches!(
            policy,
            ScalingPolicy::TargetTracking(TargetTrackingPolicy {
                high_resolution: Some(_),
                ..
            })
        )
    });
    // An endpoint's variants share the scenario's table: one variant may have no such policy.
    if settings.high_resolution_alarm.is_some() && !high_resolution && settings.variant.is_none() {
        return Err(field_error(
            settings.scenario_path,
            "autoscaler.high_resolution_alarm",
            format!(
                "is read only by target tracking on a high-resolution metric \
                 ({CONCURRENCY_METRIC:?} or {COPY_CONCURRENCY_METRIC:?}), and no policy of {} has \
                 one: remove it",
                files.policy_path.display()
            ),
        ));
    }
    if let ([ScalingPolicy::TargetTracking(policy)], true) =
        (scaling_policies.as_slice(), scheduled.is_empty())
        && policy.query.source == MetricSource::Metric(SageMakerMetric::InvocationsPerInstance)
    {
        return TargetTracking::new(
            registered.target,
            policy.configuration,
            settings.metric_delay_s,
        )
        .map(AwsScaling::TargetTracking)
        .map_err(scenario_error);
    }
    ApplicationAutoScaling::with_metric_math(
        registered.target,
        scaling_policies,
        scheduled,
        settings.metric_delay_s,
        maths,
    )
    .map(AwsScaling::General)
    .map_err(scenario_error)
}

/// `base`, target tracking built from its two files, with `edits` made to their numbers and
/// its datapoints seen `metric_delay_s` late, built straight from the values: what writing the
/// edited files and building from them gives, without the writing and reading that would cost
/// a sweep of short runs more than the runs. It takes MinCapacity and MaxCapacity of the
/// RegisterScalableTarget body, TargetValue and the cooldowns of the policy, each with a value
/// that reads back from the file as itself (a whole number its field holds; a TargetValue
/// JSON writes and reads back exactly). `None` for any other edit or value, and for values the
/// controller refuses: the files then go through their checks, which word the error as AWS
/// does.
pub(crate) fn target_tracking_with<'a>(
    base: &TargetTracking,
    edits: impl IntoIterator<Item = (&'a Field, f64)>,
    metric_delay_s: u64,
) -> Option<TargetTracking> {
    /// The documents' order, as `VendorFiles` builds target tracking from them.
    const REGISTER: usize = 0;
    const POLICY: usize = 1;
    // What document::set writes for a whole value below 9e15 (a JSON integer), which serde
    // reads into an unsigned field unchanged.
    let whole = |value: f64| {
        (value.fract() == 0.0 && (0.0..9.0e15).contains(&value)).then_some(value as u64)
    };
    let target = base.target();
    let policy = base.policy();
    let (mut min, mut max) = (target.bounds().min(), target.bounds().max());
    let mut target_value = policy.target_value();
    let mut scale_out_cooldown_s = policy.scale_out_cooldown_s();
    let mut scale_in_cooldown_s = policy.scale_in_cooldown_s();
    for (field, value) in edits {
        // The policy file holds a PutScalingPolicy body or only its configuration.
        let tracking = |key: &str| {
            field.is_number_at(POLICY, &[CONFIGURATION, key]) || field.is_number_at(POLICY, &[key])
        };
        if field.is_number_at(REGISTER, &["MinCapacity"]) {
            min = u32::try_from(whole(value)?).ok()?;
        } else if field.is_number_at(REGISTER, &["MaxCapacity"]) {
            max = u32::try_from(whole(value)?).ok()?;
        } else if tracking("TargetValue") {
            let written = serde_json::to_string(&document::number(value)).ok()?;
            target_value = serde_json::from_str::<f64>(&written)
                .ok()
                .filter(|read| read.to_bits() == value.to_bits())?;
        } else if tracking("ScaleOutCooldown") {
            scale_out_cooldown_s = whole(value)?;
        } else if tracking("ScaleInCooldown") {
            scale_in_cooldown_s = whole(value)?;
        } else {
            return None;
        }
    }
    let (in_suspended, out_suspended) = target.suspended();
    let target = ScalableTarget::new(min, max)
        .ok()?
        .with_suspended_state(in_suspended, out_suspended)
        .with_scheduled_scaling_suspended(target.scheduled_scaling_suspended());
    let configuration = TargetTrackingScalingPolicyConfiguration::new(
        target_value,
        scale_out_cooldown_s,
        scale_in_cooldown_s,
        policy.disable_scale_in(),
    )
    .ok()?;
    TargetTracking::new(target, configuration, metric_delay_s).ok()
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

    /// A step policy on the variant, invoked by `ALARM`.
    const STEP_POLICY: &str = r#"{ "PolicyName": "spike", "ServiceNamespace": "sagemaker",
        "ResourceId": "endpoint/MyEndpoint/variant/MyVariant",
        "ScalableDimension": "sagemaker:variant:DesiredInstanceCount",
        "PolicyType": "StepScaling",
        "StepScalingPolicyConfiguration": {
          "AdjustmentType": "ChangeInCapacity", "Cooldown": 120,
          "StepAdjustments": [
            { "MetricIntervalLowerBound": 0, "MetricIntervalUpperBound": 500, "ScalingAdjustment": 2 },
            { "MetricIntervalLowerBound": 500, "ScalingAdjustment": 3 } ] } }"#;

    const ALARM: &str = r#"{ "AlarmName": "spike-alarm",
        "AlarmActions": ["arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:1c6d7e6a-7a5e-4b3c-9a43-0123456789ab:resource/sagemaker/endpoint/MyEndpoint/variant/MyVariant:policyName/spike"],
        "MetricName": "Invocations", "Namespace": "AWS/SageMaker", "Statistic": "Sum",
        "Dimensions": [ { "Name": "EndpointName", "Value": "MyEndpoint" },
                        { "Name": "VariantName", "Value": "MyVariant" } ],
        "Period": 60, "EvaluationPeriods": 2, "DatapointsToAlarm": 2, "Threshold": 1000,
        "ComparisonOperator": "GreaterThanOrEqualToThreshold" }"#;

    const SCHEDULED: &str = r#"[{ "ScheduledActionName": "business-hours",
        "ServiceNamespace": "sagemaker", "ResourceId": "endpoint/MyEndpoint/variant/MyVariant",
        "ScalableDimension": "sagemaker:variant:DesiredInstanceCount",
        "Schedule": "cron(0 8 ? * MON-FRI *)", "Timezone": "Europe/Paris",
        "ScalableTargetAction": { "MinCapacity": 4 } }]"#;

    /// The files, one per `(path, text)`; `None` leaves an optional one out.
    struct Texts<'a> {
        register: &'a str,
        policy: &'a str,
        alarms: Option<&'a str>,
        scheduled: Option<&'a str>,
        start: Option<&'a str>,
    }

    impl<'a> Texts<'a> {
        fn new(register: &'a str, policy: &'a str) -> Self {
            Self {
                register,
                policy,
                alarms: None,
                scheduled: None,
                start: None,
            }
        }

        fn load(&self) -> Result<AwsScaling, String> {
            let start = self
                .start
                .map(|start| start.parse::<DateTime<Utc>>().expect("a valid start"));
            application_auto_scaling(
                AwsFiles {
                    register_path: Path::new("register.json"),
                    register_text: self.register,
                    policy_path: Path::new("policy.json"),
                    policy_text: self.policy,
                    alarms: self.alarms.map(|text| (Path::new("alarms.json"), text)),
                    scheduled: self
                        .scheduled
                        .map(|text| (Path::new("scheduled.json"), text)),
                },
                AwsSettings {
                    metric_delay_s: 60,
                    high_resolution_alarm: None,
                    start,
                    run_s: 7 * 86_400,
                    scenario_path: Path::new("scenario.toml"),
                    variant: None,
                },
            )
            .map_err(|err| err.to_string())
        }

        fn general(&self) -> ApplicationAutoScaling {
            match self.load() {
                Ok(AwsScaling::General(scaling)) => scaling,
                other => panic!("expected the general controller, got {other:?}"),
            }
        }
    }

    fn load(register: &str, policy: &str) -> Result<AwsScaling, String> {
        Texts::new(register, policy).load()
    }

    fn example(name: &str) -> String {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/aws-examples")
            .join(name);
        std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
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
    fn the_specs_bodies_load_as_the_kernels_one_policy() {
        assert!(matches!(
            load(REGISTER, POLICY),
            Ok(AwsScaling::TargetTracking(_))
        ));
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
    fn the_sagemaker_guides_own_examples_load_verbatim() {
        let register = example("register-scalable-target.sagemaker-variant.request.json");
        for (file, metric, statistic) in [
            (
                "target-tracking-config.sagemaker-invocations-per-instance.json",
                SageMakerMetric::InvocationsPerInstance,
                MetricStatistic::Sum,
            ),
            (
                "target-tracking-config.sagemaker-invocations-per-instance.cooldowns.json",
                SageMakerMetric::InvocationsPerInstance,
                MetricStatistic::Sum,
            ),
            (
                "target-tracking-config.sagemaker-cpu-utilization.customized.json",
                SageMakerMetric::CpuUtilization,
                MetricStatistic::Average,
            ),
        ] {
            let policy = example(file);
            match load(&register, &policy) {
                Ok(AwsScaling::TargetTracking(tracking)) => {
                    assert_eq!(metric, SageMakerMetric::InvocationsPerInstance, "{file}");
                    if file.contains("cooldowns") {
                        assert_eq!(tracking.policy().scale_in_cooldown_s(), 600);
                    }
                }
                Ok(AwsScaling::General(scaling)) => {
                    let [ScalingPolicy::TargetTracking(policy)] = scaling.policies() else {
                        panic!("{file}: one target-tracking policy expected");
                    };
                    assert_eq!(
                        (policy.query.source, policy.query.statistic),
                        (MetricSource::Metric(metric), statistic)
                    );
                    assert_eq!(policy.configuration.target_value(), 50.0);
                }
                Err(err) => panic!("{file}: {err}"),
            }
        }
        // The guide's high-resolution example: concurrency per model, averaged, with the
        // scale-out alarm on 10 s datapoints.
        let high_resolution = example(
            "target-tracking-config.sagemaker-variant-concurrent-requests-per-model-high-res.json",
        );
        let Ok(AwsScaling::General(scaling)) = load(&register, &high_resolution) else {
            panic!("the high-resolution example should load");
        };
        let [ScalingPolicy::TargetTracking(policy)] = scaling.policies() else {
            panic!("one target-tracking policy expected");
        };
        assert_eq!(
            (policy.query.source, policy.query.statistic),
            (
                MetricSource::Metric(SageMakerMetric::ConcurrentRequestsPerModel),
                MetricStatistic::Average
            )
        );
        assert_eq!(policy.configuration.target_value(), 5.0);
        assert_eq!(policy.high_resolution, Some(HighResolutionAlarm::DEFAULT));
    }

    #[test]
    fn capacity_rules_name_the_field() {
        check_error(
            false,
            r#""MinCapacity": 1"#,
            r#""MinCapacity": 0"#,
            "register.json: MinCapacity: must be at least 1 for a SageMaker endpoint variant (0 is \
             for an inference component's copies), got 0",
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
        // AWS's own describe-scalable-targets output, for an ECS service.
        let err = load(
            &example("describe-scalable-targets.ecs.output.json"),
            POLICY,
        )
        .unwrap_err();
        assert_eq!(
            err,
            "register.json: ScalableTargets[0].ServiceNamespace: must be \"sagemaker\" for a \
             SageMaker endpoint variant, got \"ecs\""
        );
    }

    /// AWS's printed describe-* output with the ECS service's names swapped for the variant's.
    fn as_variant(text: &str) -> String {
        text.replace(
            "\"ecs:service:DesiredCount\"",
            &format!("{SCALABLE_DIMENSION:?}"),
        )
        .replace(
            "\"service/default/web-app\"",
            "\"endpoint/MyEndpoint/variant/MyVariant\"",
        )
        .replace(
            "\"ServiceNamespace\": \"ecs\"",
            "\"ServiceNamespace\": \"sagemaker\"",
        )
    }

    #[test]
    fn the_cli_describe_outputs_load_with_their_arns_alarms_and_times() {
        let register = as_variant(&example("describe-scalable-targets.ecs.output.json"));
        let policies = as_variant(&example("describe-scaling-policies.ecs-step.output.json"));
        // The two alarms the listing names, on InvocationsPerInstance (AWS's are on ECS CPU).
        let alarm = |name: &str, operator: &str, threshold: u32| {
            format!(
                r#"{{ "AlarmName": "{name}", "MetricName": "InvocationsPerInstance",
                    "Namespace": "AWS/SageMaker", "Statistic": "Sum", "Period": 60,
                    "Dimensions": [ {{ "Name": "EndpointName", "Value": "MyEndpoint" }},
                                    {{ "Name": "VariantName", "Value": "MyVariant" }} ],
                    "EvaluationPeriods": 1, "Threshold": {threshold},
                    "ComparisonOperator": "{operator}" }}"#
            )
        };
        let alarms = format!(
            r#"{{ "MetricAlarms": [ {}, {} ] }}"#,
            alarm("web-app-cpu-gt-75", "GreaterThanOrEqualToThreshold", 75),
            alarm("web-app-cpu-lt-25", "LessThanOrEqualToThreshold", 25)
        );
        let mut texts = Texts::new(&register, &policies);
        texts.alarms = Some(&alarms);
        let scaling = texts.general();
        assert_eq!(scaling.target().bounds().max(), 10);
        let [
            ScalingPolicy::StepScaling(out),
            ScalingPolicy::StepScaling(r#in),
        ] = scaling.policies()
        else {
            panic!("two step policies expected");
        };
        assert_eq!(out.name.as_str(), "web-app-cpu-gt-75");
        assert_eq!(out.alarm.threshold, 75.0);
        assert_eq!(out.cooldown_s, 60);
        assert_eq!(out.adjustment_type, AdjustmentType::PercentChangeInCapacity);
        assert_eq!(r#in.steps[0].scaling_adjustment, -50);
        assert_eq!(
            r#in.alarm.comparison,
            AwsComparisonOperator::LessThanOrEqualToThreshold
        );
    }

    #[test]
    fn policies_of_other_variants_in_a_listing_are_not_this_runs() {
        let listing = format!(
            r#"{{ "ScalingPolicies": [ {}, {POLICY} ] }}"#,
            POLICY.replace("variant/MyVariant", "variant/Canary")
        );
        assert!(matches!(
            load(REGISTER, &listing),
            Ok(AwsScaling::TargetTracking(_))
        ));
        let only_others = format!(
            r#"{{ "ScalingPolicies": [ {} ] }}"#,
            POLICY.replace("variant/MyVariant", "variant/Canary")
        );
        assert_eq!(
            load(REGISTER, &only_others).unwrap_err(),
            "policy.json: ScalingPolicies: holds no policy whose ResourceId names the registered \
             scalable target \"endpoint/MyEndPoint/variant/MyVariant\"; found \
             endpoint/MyEndpoint/variant/Canary"
        );
    }

    #[test]
    fn a_step_policy_is_linked_to_the_alarm_whose_actions_name_it() {
        let policies = format!("[{POLICY}, {STEP_POLICY}]");
        let alarms = format!("[{ALARM}]");
        let mut texts = Texts::new(REGISTER, &policies);
        texts.alarms = Some(&alarms);
        let scaling = texts.general();
        let [
            ScalingPolicy::TargetTracking(_),
            ScalingPolicy::StepScaling(step),
        ] = scaling.policies()
        else {
            panic!("a target-tracking and a step policy expected");
        };
        assert_eq!(step.alarm.threshold, 1000.0);
        assert_eq!((step.alarm.evaluation_periods, step.cooldown_s), (2, 120));
        assert_eq!(step.steps[1].lower, Some(500.0));
        // A second alarm on the same policy also invokes it.
        let two = format!(
            "[{ALARM}, {}]",
            ALARM
                .replace("spike-alarm", "spike-alarm-low")
                .replace("1000", "100")
        );
        let mut texts = Texts::new(REGISTER, &policies);
        texts.alarms = Some(&two);
        let scaling = texts.general();
        let [_, ScalingPolicy::StepScaling(step)] = scaling.policies() else {
            panic!("a target-tracking and a step policy expected");
        };
        assert_eq!(step.also_invoked_by.len(), 1);
        assert_eq!(step.also_invoked_by[0].threshold, 100.0);
        // An alarm whose actions are disabled never invokes its policy, which then does nothing.
        let disabled = format!(
            "[{}]",
            ALARM.replace("\"AlarmName\"", "\"ActionsEnabled\": false, \"AlarmName\"")
        );
        let mut texts = Texts::new(REGISTER, &policies);
        texts.alarms = Some(&disabled);
        assert!(matches!(texts.load(), Ok(AwsScaling::TargetTracking(_))));
        // Without the alarm, the error says what to give.
        let err = Texts::new(REGISTER, &policies).load().unwrap_err();
        assert!(
            err.starts_with(
                "policy.json: [1].PolicyName: step scaling policy \"spike\" has no alarm"
            ) && err.contains("policyName/spike"),
            "{err}"
        );
    }

    #[test]
    fn step_adjustments_follow_aws_rules() {
        let check = |steps: &str, expected: &str| {
            let policy = STEP_POLICY.replace(
                r#"[
            { "MetricIntervalLowerBound": 0, "MetricIntervalUpperBound": 500, "ScalingAdjustment": 2 },
            { "MetricIntervalLowerBound": 500, "ScalingAdjustment": 3 } ]"#,
                steps,
            );
            assert_ne!(policy, STEP_POLICY);
            let alarms = format!("[{ALARM}]");
            let mut texts = Texts::new(REGISTER, &policy);
            texts.alarms = Some(&alarms);
            assert_eq!(texts.load().unwrap_err(), expected);
        };
        let field = "policy.json: StepScalingPolicyConfiguration.StepAdjustments";
        check(
            r#"[{ "MetricIntervalLowerBound": 0, "MetricIntervalUpperBound": 600, "ScalingAdjustment": 2 },
                { "MetricIntervalLowerBound": 500, "ScalingAdjustment": 3 }]"#,
            &format!(
                "{field}[1]: step adjustment [1] (from 500) overlaps step adjustment [0] (to 600): \
                 the intervals can't overlap or have a gap"
            ),
        );
        check(
            r#"[{ "MetricIntervalLowerBound": 0, "MetricIntervalUpperBound": 400, "ScalingAdjustment": 2 },
                { "MetricIntervalLowerBound": 500, "ScalingAdjustment": 3 }]"#,
            &format!(
                "{field}[1]: step adjustment [1] (from 500) leaves a gap after step adjustment [0] \
                 (to 400): the intervals can't overlap or have a gap"
            ),
        );
        check(
            r#"[{ "ScalingAdjustment": 2 }]"#,
            &format!(
                "{field}[0]: MetricIntervalLowerBound and MetricIntervalUpperBound can't both be null"
            ),
        );
        check(
            r#"[{ "MetricIntervalLowerBound": -10, "ScalingAdjustment": 2 }]"#,
            &format!(
                "{field}: a step adjustment has a negative lower bound, so one must have a null \
                 MetricIntervalLowerBound"
            ),
        );
        check(
            r#"[]"#,
            &format!("{field}: must hold at least one step adjustment"),
        );
    }

    #[test]
    fn an_alarm_on_a_metric_the_simulation_cannot_produce_says_what_it_produces() {
        // The SageMaker guide's scale-out-from-zero alarm, for inference components.
        let alarm = example(
            "put-metric-alarm.sagemaker-ic-no-capacity-invocation-failures.request.converted.json",
        )
        .replace(
            "step-scaling-policy-arn",
            "arn:aws:autoscaling:::policyName/spike",
        );
        let policies = format!("[{STEP_POLICY}]");
        let mut texts = Texts::new(REGISTER, &policies);
        texts.alarms = Some(&alarm);
        assert_eq!(
            texts.load().unwrap_err(),
            "alarms.json: MetricName: \"NoCapacityInvocationFailures\" is not a metric the \
             simulation produces; it produces Invocations, InvocationsPerInstance, \
             CPUUtilization, ConcurrentRequestsPerModel, ModelLatency"
        );
    }

    #[test]
    fn sagemakers_scale_to_zero_recipe_loads_from_its_own_examples() {
        // endpoint-auto-scaling-zero-instances.html: register MinCapacity 0, target tracking on
        // InvocationsPerCopy, a step policy to scale out from zero on an alarm on
        // NoCapacityInvocationFailures. The pages' placeholders are filled with one name.
        let name = "my-inference-component";
        let register = example(
            "register-scalable-target.sagemaker-inference-component.request.converted.json",
        );
        let body = |policy: &str, kind: &str, configuration_key: &str, configuration: &str| {
            format!(
                r#"{{ "PolicyName": "{policy}", "ServiceNamespace": "sagemaker",
                "ResourceId": "inference-component/{name}",
                "ScalableDimension": "sagemaker:inference-component:DesiredCopyCount",
                "PolicyType": "{kind}", "{configuration_key}": {configuration} }}"#
            )
        };
        let policies = format!(
            "[{}, {}]",
            body(
                "per-copy",
                "TargetTrackingScaling",
                CONFIGURATION,
                &example("target-tracking-config.sagemaker-ic-invocations-per-copy.json")
            ),
            body(
                "from-zero",
                "StepScaling",
                STEP_CONFIGURATION,
                &example("step-scaling-config.sagemaker-ic-scale-out-from-zero.json")
            ),
        );
        let alarm = example(
            "put-metric-alarm.sagemaker-ic-no-capacity-invocation-failures.request.converted.json",
        )
        .replace(
            "step-scaling-policy-arn",
            "arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0:resource/sagemaker/inference-component/my-inference-component:policyName/from-zero",
        )
        .replace("inference-component-name", name);
        let mut texts = Texts::new(&register, &policies);
        texts.alarms = Some(&alarm);
        let scaling = texts.general();
        let bounds = scaling.target().bounds();
        assert_eq!((bounds.min(), bounds.max()), (0, 3));
        let [
            ScalingPolicy::TargetTracking(tracking),
            ScalingPolicy::StepScaling(step),
        ] = scaling.policies()
        else {
            panic!("a target-tracking and a step policy expected");
        };
        assert_eq!(
            tracking.query.source,
            MetricSource::Metric(SageMakerMetric::InvocationsPerCopy)
        );
        assert_eq!(
            step.alarm.query.source,
            MetricSource::Metric(SageMakerMetric::NoCapacityInvocationFailures)
        );
        assert_eq!((step.alarm.threshold, step.cooldown_s), (1.0, 60));
        // A variant's metric on a component says whose it is.
        let variant_metric = policies.replace(COPY_METRIC, PREDEFINED_METRIC);
        let mut texts = Texts::new(&register, &variant_metric);
        texts.alarms = Some(&alarm);
        let err = texts.load().unwrap_err();
        assert!(
            err.contains(
                "\"SageMakerVariantInvocationsPerInstance\" is for endpoint variants; supported \
                 here: [\"SageMakerInferenceComponentInvocationsPerCopy\", \
                 \"SageMakerInferenceComponentConcurrentRequestsPerCopyHighResolution\"]"
            ),
            "{err}"
        );
        let wrong_dimension = alarm.replace(
            &format!("\"Value\": \"{name}\""),
            "\"Value\": \"other-component\"",
        );
        let mut texts = Texts::new(&register, &policies);
        texts.alarms = Some(&wrong_dimension);
        let err = texts.load().unwrap_err();
        assert!(
            err.contains("must hold InferenceComponentName = \"my-inference-component\""),
            "{err}"
        );
    }

    #[test]
    fn two_components_policies_of_one_name_are_told_apart_by_their_arns() {
        // A describe listing of the account: `from-zero` on two components, each alarm naming
        // its own component's policy by ARN. The other component's policy and alarm are
        // skipped.
        let register = example(
            "register-scalable-target.sagemaker-inference-component.request.converted.json",
        );
        let policy = |component: &str| {
            format!(
                r#"{{ "PolicyName": "from-zero", "ServiceNamespace": "sagemaker",
                "ResourceId": "inference-component/{component}",
                "ScalableDimension": "sagemaker:inference-component:DesiredCopyCount",
                "PolicyType": "StepScaling", "StepScalingPolicyConfiguration": {} }}"#,
                example("step-scaling-config.sagemaker-ic-scale-out-from-zero.json")
            )
        };
        let alarm = |component: &str| {
            example(
                "put-metric-alarm.sagemaker-ic-no-capacity-invocation-failures.request.converted.json",
            )
            .replace(
                "step-scaling-policy-arn",
                &format!(
                    "arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0:resource/sagemaker/inference-component/{component}:policyName/from-zero"
                ),
            )
            .replace("inference-component-name", component)
        };
        let policies = format!(
            r#"{{ "ScalingPolicies": [{}, {}] }}"#,
            policy("other-component"),
            policy("my-inference-component")
        );
        let alarms = format!(
            "[{}, {}]",
            alarm("other-component"),
            alarm("my-inference-component")
        );
        let mut texts = Texts::new(&register, &policies);
        texts.alarms = Some(&alarms);
        let scaling = texts.general();
        assert_eq!(scaling.policies().len(), 1);
    }

    #[test]
    fn scheduled_actions_fire_at_their_wall_clock_times() {
        let mut texts = Texts::new(REGISTER, POLICY);
        texts.scheduled = Some(SCHEDULED);
        // Monday 2025-03-03 00:00 UTC; 08:00 in Paris is 07:00 UTC in winter, and the week
        // holds five weekdays.
        texts.start = Some("2025-03-03T00:00:00Z");
        let scaling = texts.general();
        let seconds: Vec<u64> = scaling
            .scheduled_actions()
            .iter()
            .map(|action| action.at_s)
            .collect();
        let expected: Vec<u64> = (0..5).map(|day| day * 86_400 + 7 * 3600).collect();
        assert_eq!(seconds, expected);
        assert_eq!(scaling.scheduled_actions()[0].min_capacity, Some(4));
        assert_eq!(scaling.scheduled_actions()[0].max_capacity, None);

        // The same from describe-scheduled-actions' output.
        let listing = format!(r#"{{ "ScheduledActions": {SCHEDULED} }}"#);
        texts.scheduled = Some(&listing);
        assert_eq!(texts.general().scheduled_actions().len(), 5);

        texts.start = None;
        let err = texts.load().unwrap_err();
        assert!(
            err.starts_with("scenario.toml: start: is required with scheduled actions"),
            "{err}"
        );

        texts.start = Some("2025-03-03T00:00:00Z");
        let zone = SCHEDULED.replace("Europe/Paris", "Europe/Pariss");
        texts.scheduled = Some(&zone);
        let err = texts.load().unwrap_err();
        assert!(err.starts_with("scheduled.json: [0].Timezone:"), "{err}");
        let cron = SCHEDULED.replace("cron(0 8 ? * MON-FRI *)", "cron(0 8 * * MON-FRI *)");
        texts.scheduled = Some(&cron);
        let err = texts.load().unwrap_err();
        assert!(err.starts_with("scheduled.json: [0].Schedule:"), "{err}");
    }

    #[test]
    fn the_sagemaker_guides_scheduled_action_is_for_serverless_provisioned_concurrency() {
        let mut texts = Texts::new(REGISTER, POLICY);
        let action = example(
            "put-scheduled-action.sagemaker-serverless-provisioned-concurrency.cron.request.fixed.json",
        );
        texts.scheduled = Some(&action);
        texts.start = Some("2025-03-03T00:00:00Z");
        assert_eq!(
            texts.load().unwrap_err(),
            "scheduled.json: ScalableDimension: must be \"sagemaker:variant:DesiredInstanceCount\" \
             for a SageMaker endpoint variant, got \"sagemaker:variant:DesiredProvisionedConcurrency\""
        );
    }

    #[test]
    fn an_alarm_window_may_reach_a_week_only_with_periods_of_an_hour() {
        // PutMetricAlarm: "Period multiplied by EvaluationPeriods can't be more than 604,800
        // seconds. For alarms with a period of less than one hour (3,600 seconds), the total
        // evaluation period can't be longer than one day (86,400 seconds)."
        let policies = format!("[{POLICY}, {STEP_POLICY}]");
        let alarm = |period: u64, periods: u64| {
            format!(
                "[{}]",
                ALARM
                    .replace("\"Period\": 60", &format!("\"Period\": {period}"))
                    .replace(
                        "\"EvaluationPeriods\": 2",
                        &format!("\"EvaluationPeriods\": {periods}")
                    )
            )
        };
        let load = |alarms: &str| {
            let mut texts = Texts::new(REGISTER, &policies);
            texts.alarms = Some(alarms);
            texts.load().map(|_| ())
        };
        assert_eq!(load(&alarm(3600, 168)), Ok(()));
        assert_eq!(
            load(&alarm(3600, 169)).unwrap_err(),
            "alarms.json: [0].EvaluationPeriods: times Period must be at most 604800 seconds \
             (seven days, with a Period of an hour or more), got 169 × 3600"
        );
        assert_eq!(
            load(&alarm(60, 1441)).unwrap_err(),
            "alarms.json: [0].EvaluationPeriods: times Period must be at most 86400 seconds (one \
             day, with a Period under an hour), got 1441 × 60"
        );
    }
}
