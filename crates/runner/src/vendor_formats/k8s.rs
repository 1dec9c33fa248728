//! Kubernetes HorizontalPodAutoscaler manifests (autoscaling/v2, YAML or JSON), checked as
//! spec/kubernetes-hpa.md says and as the API server would, into the core's
//! [`HorizontalPodAutoscalerSpec`].
//!
//! Stage one, the `*Body` structs, lists every field the v2 API documents, so that a manifest
//! written for a cluster loads unchanged and a misspelt key is an error; `metadata`, `status`,
//! metric selectors and the other fields the model does not use are accepted and ignored. Stage
//! two checks the rules the API server checks, in its order and with its wording
//! (`spec.maxReplicas: Invalid value: 0: must be greater than 0`, the format of apimachinery's
//! `field.Error`), plus the spec's model choices, and applies the v2 defaults.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use scalesim_core::{
    CapacityBounds, HorizontalPodAutoscalerSpec, HpaMetric, HpaScalingPolicy, HpaScalingRules,
    MetricTarget, PolicyKind, SelectPolicy,
};
use serde::de::{self, IgnoredAny, Visitor};
use serde::{Deserialize, Deserializer};

use crate::error::ScenarioError;
use crate::vendor_formats::parse_json;

/// The one API version read; the others have other shapes or are gone from the API.
const API_VERSION: &str = "autoscaling/v2";

/// The object's kind.
const KIND: &str = "HorizontalPodAutoscaler";

/// Upstream `MaxStabilizationWindowSeconds`.
const MAX_STABILIZATION_WINDOW_S: i32 = 3600;

/// Upstream `MaxPeriodSeconds`, the longest a scaling policy may look back.
const MAX_PERIOD_S: i32 = 1800;

/// Most pods an HPA may ask for: Kubernetes supports clusters of at most 150,000 pods
/// ("Considerations for large clusters", kubernetes.io/docs/setup/best-practices/cluster-large).
/// The API server takes any int32; the controller here builds every pod each sync, so a
/// `maxReplicas` of two billion would take hours and gigabytes to reach.
const MAX_CLUSTER_PODS: i32 = 150_000;

/// Most entries of `spec.metrics` or of one direction's `policies`. The API server sets no
/// bound (an object's size in etcd is the only one), but every entry is evaluated at every sync,
/// so a list of thousands turns a run of seconds into hours; real manifests list a handful.
const MAX_LIST_ITEMS: usize = 100;

/// The v2 default metric when `metrics` is absent or empty: Resource cpu at 80 % utilization.
const DEFAULT_CPU_UTILIZATION: i64 = 80;

/// The metric source types the model takes, sorted as the API server lists supported values.
const METRIC_SOURCE_TYPES: &[&str] = &["External", "Object", "Pods", "Resource"];

/// apimachinery's `ErrFormatWrong`, the message for a string that is not a quantity.
const QUANTITY_FORMAT: &str =
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

/// A HorizontalPodAutoscaler object, every top-level field the API documents.
#[derive(Debug, Deserialize)]
#[serde(
    rename = "HorizontalPodAutoscaler",
    deny_unknown_fields,
    rename_all = "camelCase"
)]
struct HorizontalPodAutoscalerBody {
    api_version: Option<String>,
    kind: Option<String>,
    #[allow(
        dead_code,
        reason = "accepted as Kubernetes takes it; names and labels do not change scaling"
    )]
    metadata: Option<ObjectMetaBody>,
    spec: Option<SpecBody>,
    #[allow(
        dead_code,
        reason = "the controller writes status; a manifest read back from a cluster carries it"
    )]
    status: Option<IgnoredAny>,
}

/// ObjectMeta, accepted and ignored; its fields are typed so that a misspelt key is still an
/// error. The fields the server writes are accepted in any shape.
#[derive(Debug, Deserialize)]
#[serde(rename = "ObjectMeta", deny_unknown_fields, rename_all = "camelCase")]
#[allow(
    dead_code,
    reason = "accepted as Kubernetes takes it; metadata does not change scaling"
)]
struct ObjectMetaBody {
    name: Option<String>,
    generate_name: Option<String>,
    namespace: Option<String>,
    labels: Option<BTreeMap<String, String>>,
    annotations: Option<BTreeMap<String, String>>,
    finalizers: Option<Vec<String>>,
    owner_references: Option<IgnoredAny>,
    uid: Option<String>,
    resource_version: Option<String>,
    generation: Option<i64>,
    self_link: Option<String>,
    creation_timestamp: Option<IgnoredAny>,
    deletion_timestamp: Option<IgnoredAny>,
    deletion_grace_period_seconds: Option<i64>,
    managed_fields: Option<IgnoredAny>,
}

/// HorizontalPodAutoscalerSpec.
#[derive(Debug, Deserialize)]
#[serde(
    rename = "HorizontalPodAutoscalerSpec",
    deny_unknown_fields,
    rename_all = "camelCase"
)]
struct SpecBody {
    scale_target_ref: Option<CrossVersionObjectReferenceBody>,
    min_replicas: Option<i32>,
    max_replicas: Option<i32>,
    metrics: Option<Vec<MetricSpecBody>>,
    behavior: Option<BehaviorBody>,
}

/// CrossVersionObjectReference: `scaleTargetRef` and an Object metric's `describedObject`.
#[derive(Debug, Deserialize)]
#[serde(
    rename = "CrossVersionObjectReference",
    deny_unknown_fields,
    rename_all = "camelCase"
)]
struct CrossVersionObjectReferenceBody {
    #[allow(
        dead_code,
        reason = "names the referent's API group; the simulated fleet is the only target"
    )]
    api_version: Option<String>,
    kind: Option<String>,
    name: Option<String>,
}

/// MetricSpec: a source type and the one member it names.
#[derive(Debug, Deserialize)]
#[serde(rename = "MetricSpec", deny_unknown_fields, rename_all = "camelCase")]
struct MetricSpecBody {
    #[serde(rename = "type")]
    source_type: Option<String>,
    resource: Option<ResourceSourceBody>,
    pods: Option<MetricSourceBody>,
    object: Option<ObjectSourceBody>,
    external: Option<MetricSourceBody>,
    container_resource: Option<ContainerResourceSourceBody>,
}

/// ResourceMetricSource.
#[derive(Debug, Deserialize)]
#[serde(
    rename = "ResourceMetricSource",
    deny_unknown_fields,
    rename_all = "camelCase"
)]
struct ResourceSourceBody {
    name: Option<String>,
    target: Option<MetricTargetBody>,
}

/// ContainerResourceMetricSource, accepted only to be refused by name: the model's pods have
/// one container.
#[derive(Debug, Deserialize)]
#[serde(
    rename = "ContainerResourceMetricSource",
    deny_unknown_fields,
    rename_all = "camelCase"
)]
#[allow(dead_code, reason = "ContainerResource metrics are not modelled")]
struct ContainerResourceSourceBody {
    name: Option<String>,
    container: Option<String>,
    target: Option<MetricTargetBody>,
}

/// PodsMetricSource and ExternalMetricSource, which have the same two fields.
#[derive(Debug, Deserialize)]
#[serde(rename = "MetricSource", deny_unknown_fields, rename_all = "camelCase")]
struct MetricSourceBody {
    metric: Option<MetricIdentifierBody>,
    target: Option<MetricTargetBody>,
}

/// ObjectMetricSource.
#[derive(Debug, Deserialize)]
#[serde(
    rename = "ObjectMetricSource",
    deny_unknown_fields,
    rename_all = "camelCase"
)]
struct ObjectSourceBody {
    described_object: Option<CrossVersionObjectReferenceBody>,
    metric: Option<MetricIdentifierBody>,
    target: Option<MetricTargetBody>,
}

/// MetricIdentifier.
#[derive(Debug, Deserialize)]
#[serde(
    rename = "MetricIdentifier",
    deny_unknown_fields,
    rename_all = "camelCase"
)]
struct MetricIdentifierBody {
    name: Option<String>,
    #[allow(
        dead_code,
        reason = "selectors are not applied: the model has one series per metric"
    )]
    selector: Option<LabelSelectorBody>,
}

/// LabelSelector, accepted and not applied.
#[derive(Debug, Deserialize)]
#[serde(
    rename = "LabelSelector",
    deny_unknown_fields,
    rename_all = "camelCase"
)]
#[allow(dead_code, reason = "selectors are not applied")]
struct LabelSelectorBody {
    match_labels: Option<BTreeMap<String, String>>,
    match_expressions: Option<Vec<LabelSelectorRequirementBody>>,
}

/// LabelSelectorRequirement, accepted and not applied.
#[derive(Debug, Deserialize)]
#[serde(
    rename = "LabelSelectorRequirement",
    deny_unknown_fields,
    rename_all = "camelCase"
)]
#[allow(dead_code, reason = "selectors are not applied")]
struct LabelSelectorRequirementBody {
    key: Option<String>,
    operator: Option<String>,
    values: Option<Vec<String>>,
}

/// MetricTarget.
#[derive(Debug, Deserialize)]
#[serde(rename = "MetricTarget", deny_unknown_fields, rename_all = "camelCase")]
struct MetricTargetBody {
    #[serde(rename = "type")]
    target_type: Option<String>,
    value: Option<QuantityText>,
    average_value: Option<QuantityText>,
    average_utilization: Option<i32>,
}

/// HorizontalPodAutoscalerBehavior.
#[derive(Debug, Deserialize)]
#[serde(
    rename = "HorizontalPodAutoscalerBehavior",
    deny_unknown_fields,
    rename_all = "camelCase"
)]
struct BehaviorBody {
    scale_up: Option<ScalingRulesBody>,
    scale_down: Option<ScalingRulesBody>,
}

/// HPAScalingRules.
#[derive(Debug, Deserialize)]
#[serde(
    rename = "HPAScalingRules",
    deny_unknown_fields,
    rename_all = "camelCase"
)]
struct ScalingRulesBody {
    stabilization_window_seconds: Option<i32>,
    select_policy: Option<String>,
    policies: Option<Vec<ScalingPolicyBody>>,
    tolerance: Option<QuantityText>,
}

/// HPAScalingPolicy.
#[derive(Debug, Deserialize)]
#[serde(
    rename = "HPAScalingPolicy",
    deny_unknown_fields,
    rename_all = "camelCase"
)]
struct ScalingPolicyBody {
    #[serde(rename = "type")]
    policy_type: Option<String>,
    value: Option<i32>,
    period_seconds: Option<i32>,
}

/// A quantity as written: a string (`"500m"`) or a plain YAML or JSON number, which Kubernetes
/// takes as the same quantity. It is parsed in stage two, so that a malformed one is reported
/// with the API server's wording.
#[derive(Debug)]
struct QuantityText(String);

impl<'de> Deserialize<'de> for QuantityText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        /// Takes a string or a number.
        struct QuantityVisitor;

        impl Visitor<'_> for QuantityVisitor {
            type Value = QuantityText;

            fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                formatter.write_str("a quantity, as a string (\"500m\") or a number")
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<QuantityText, E> {
                Ok(QuantityText(text.to_owned()))
            }

            fn visit_i64<E: de::Error>(self, number: i64) -> Result<QuantityText, E> {
                Ok(QuantityText(number.to_string()))
            }

            fn visit_u64<E: de::Error>(self, number: u64) -> Result<QuantityText, E> {
                Ok(QuantityText(number.to_string()))
            }

            // Rust prints a float's shortest exact form without an exponent (0.1, 1500), which
            // the quantity grammar takes; NaN and infinities come out as words it rejects.
            fn visit_f64<E: de::Error>(self, number: f64) -> Result<QuantityText, E> {
                Ok(QuantityText(number.to_string()))
            }
        }

        deserializer.deserialize_any(QuantityVisitor)
    }
}

/// Reads a HorizontalPodAutoscaler manifest (YAML or JSON, exactly one object) into a checked spec.
///
/// A file named `*.json` is read as JSON, anything else as YAML (JSON being YAML too). Errors
/// name `path` and the field: `k8s/hpa.yaml: spec.maxReplicas: Invalid value: 0: must be greater
/// than 0`.
pub(crate) fn horizontal_pod_autoscaler(
    text: &str,
    path: &Path,
) -> Result<HorizontalPodAutoscalerSpec, ScenarioError> {
    let body = if is_json_manifest(path) {
        json_body(text, path)?
    } else {
        yaml_body(text, path)?
    };
    check_object(body, FieldErrors { file: path })
}

/// Whether the manifest at `path` is JSON (a `.json` file) rather than YAML.
pub(crate) fn is_json_manifest(path: &Path) -> bool {
    path.extension()
        .is_some_and(|extension| extension.eq_ignore_ascii_case("json"))
}

/// An error about the file as a whole.
fn file_error(path: &Path, message: impl Into<String>) -> ScenarioError {
    ScenarioError::Json {
        path: path.to_owned(),
        message: message.into(),
    }
}

/// The one YAML document of `text`, with its index among the documents. Empty documents (a
/// `---` at the end) are skipped, as kubectl skips them.
pub(crate) fn yaml_document(
    text: &str,
    path: &Path,
) -> Result<(usize, serde_norway::Value), ScenarioError> {
    yaml_document_of(text, path, KIND)
}

/// [`yaml_document`] for a file that holds one `what` object (`ConfigMap`), named so in errors.
pub(crate) fn yaml_document_of(
    text: &str,
    path: &Path,
    what: &str,
) -> Result<(usize, serde_norway::Value), ScenarioError> {
    let mut objects = Vec::new();
    for (index, document) in serde_norway::Deserializer::from_str(text).enumerate() {
        // The iterator yields a syntax error again and again, so the first one ends the loop.
        let value = serde_norway::Value::deserialize(document)
            .map_err(|err| file_error(path, err.to_string()))?;
        if !value.is_null() {
            objects.push((index, value));
        }
    }
    match objects.len() {
        1 => Ok(objects.remove(0)),
        0 => Err(file_error(
            path,
            format!("expected one {what} object, found an empty document"),
        )),
        more => Err(file_error(
            path,
            format!("expected exactly one {what} object, found {more} YAML documents"),
        )),
    }
}

/// Parses the one YAML document of `text`.
fn yaml_body(text: &str, path: &Path) -> Result<HorizontalPodAutoscalerBody, ScenarioError> {
    let (index, value) = yaml_document(text, path)?;
    let index = &index;
    if !value.is_mapping() {
        return Err(file_error(
            path,
            format!("expected a {KIND} object, found {}", describe_yaml(&value)),
        ));
    }
    // Parsed a second time, from the text rather than the value, so that errors keep their line.
    let Some(document) = serde_norway::Deserializer::from_str(text).nth(*index) else {
        return Err(file_error(
            path,
            format!("expected one {KIND} object, found an empty document"),
        ));
    };
    serde_path_to_error::deserialize(document).map_err(|err| {
        let field = err.path().to_string();
        yaml_field_error(path, field, err.into_inner().to_string())
    })
}

/// The error of a field serde rejected, named by its path, as `parse_json` words JSON's.
fn yaml_field_error(path: &Path, mut field: String, message: String) -> ScenarioError {
    let (parent, last) = field
        .rsplit_once('.')
        .map_or((".".to_owned(), field.clone()), |(parent, last)| {
            (parent.to_owned(), last.to_owned())
        });
    // serde_norway starts its messages with the path it knows, the field's or, for an unknown
    // key, its parent's; the path is named once, in front.
    let mut message = message.as_str();
    for known in [field.as_str(), parent.as_str()] {
        if let Some(rest) = message
            .strip_prefix(known)
            .and_then(|rest| rest.strip_prefix(": "))
        {
            message = rest;
            break;
        }
    }
    // An unknown key's path ends in the key itself, which the message already names.
    if message.starts_with(&format!("unknown field `{last}`")) {
        field = parent;
    }
    if field == "." {
        file_error(path, message)
    } else {
        ScenarioError::Field {
            path: path.to_owned(),
            field,
            message: message.to_owned(),
        }
    }
}

/// What a YAML value is, for an error.
pub(crate) fn describe_yaml(value: &serde_norway::Value) -> &'static str {
    match value {
        serde_norway::Value::Null => "null",
        serde_norway::Value::Bool(_) => "a boolean",
        serde_norway::Value::Number(_) => "a number",
        serde_norway::Value::String(_) => "a string",
        serde_norway::Value::Sequence(_) => "a sequence",
        serde_norway::Value::Mapping(_) => "a mapping",
        serde_norway::Value::Tagged(_) => "a tagged value",
    }
}

/// Parses a JSON manifest, which must hold one object.
fn json_body(text: &str, path: &Path) -> Result<HorizontalPodAutoscalerBody, ScenarioError> {
    // A syntax error is left to `parse_json`, which names its line.
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(text) {
        let found = match value {
            serde_json::Value::Object(_) => None,
            serde_json::Value::Null => Some("null"),
            serde_json::Value::Bool(_) => Some("a boolean"),
            serde_json::Value::Number(_) => Some("a number"),
            serde_json::Value::String(_) => Some("a string"),
            serde_json::Value::Array(_) => Some("an array"),
        };
        if let Some(found) = found {
            return Err(file_error(
                path,
                format!("expected a {KIND} object, found {found}"),
            ));
        }
    }
    parse_json(text, path)
}

/// Builds the API server's field errors (apimachinery `field.Error`) for one file.
#[derive(Debug, Clone, Copy)]
struct FieldErrors<'a> {
    file: &'a Path,
}

impl FieldErrors<'_> {
    /// An error at `field`, with the message as given.
    fn error(self, field: &str, message: String) -> ScenarioError {
        ScenarioError::Field {
            path: self.file.to_owned(),
            field: field.to_owned(),
            message,
        }
    }

    /// `field.Required`: `Required value` and the detail, if any.
    fn required(self, field: &str, detail: &str) -> ScenarioError {
        if detail.is_empty() {
            self.error(field, "Required value".to_owned())
        } else {
            self.error(field, format!("Required value: {detail}"))
        }
    }

    /// `field.Invalid`: the value as the API server prints it (strings quoted), then the detail.
    /// A list longer than [`MAX_LIST_ITEMS`], worded as the API server's `field.TooMany`.
    fn too_many(self, field: &str, items: usize) -> ScenarioError {
        self.error(
            field,
            format!(
                "Too many: {items}: must have at most {MAX_LIST_ITEMS} items (scalesim's bound: \
                 every entry is evaluated every sync)"
            ),
        )
    }

    fn invalid(self, field: &str, value: impl fmt::Display, detail: &str) -> ScenarioError {
        self.error(field, format!("Invalid value: {value}: {detail}"))
    }

    /// `field.NotSupported`, with a note after the supported values where the model, not the
    /// API, refuses the value.
    fn unsupported(
        self,
        field: &str,
        value: &str,
        supported: &[&str],
        note: Option<&str>,
    ) -> ScenarioError {
        let supported = supported
            .iter()
            .map(|value| format!("{value:?}"))
            .collect::<Vec<_>>()
            .join(", ");
        let note = note.map(|note| format!(" ({note})")).unwrap_or_default();
        self.error(
            field,
            format!("Unsupported value: {value:?}: supported values: {supported}{note}"),
        )
    }

    /// `field.Forbidden`.
    fn forbidden(self, field: &str, detail: &str) -> ScenarioError {
        self.error(field, format!("Forbidden: {detail}"))
    }

    /// Parses a quantity, naming the field if it is malformed or out of range.
    fn quantity(self, field: &str, text: &QuantityText) -> Result<Quantity, ScenarioError> {
        parse_quantity(&text.0).map_err(|err| match err {
            QuantityError::Format => self.invalid(field, format!("{:?}", text.0), QUANTITY_FORMAT),
            QuantityError::TooLarge => self.invalid(
                field,
                &text.0,
                &format!(
                    "must be less than or equal to {}m (milli-units held in 64 bits)",
                    i64::MAX
                ),
            ),
        })
    }
}

/// Stage two: the API server's rules in its order (object, then spec: replicas, scale target,
/// metrics, behavior), the model's refusals, and the v2 defaults.
fn check_object(
    body: HorizontalPodAutoscalerBody,
    errors: FieldErrors<'_>,
) -> Result<HorizontalPodAutoscalerSpec, ScenarioError> {
    match body.api_version.as_deref() {
        Some(API_VERSION) => {}
        None | Some("") => return Err(errors.required("apiVersion", "")),
        Some(other) => {
            let note = match other {
                "autoscaling/v1" => Some(
                    "autoscaling/v1 has only targetCPUUtilizationPercentage and no behavior; \
                     write the manifest as autoscaling/v2",
                ),
                "autoscaling/v2beta2" => Some(
                    "autoscaling/v2beta2 was removed in Kubernetes 1.26; autoscaling/v2 takes \
                     the same fields",
                ),
                "autoscaling/v2beta1" => Some(
                    "autoscaling/v2beta1 was removed in Kubernetes 1.25; write the manifest as \
                     autoscaling/v2",
                ),
                _ => None,
            };
            return Err(errors.unsupported("apiVersion", other, &[API_VERSION], note));
        }
    }
    match body.kind.as_deref() {
        Some(KIND) => {}
        None | Some("") => return Err(errors.required("kind", "")),
        Some(other) => return Err(errors.unsupported("kind", other, &[KIND], None)),
    }
    let Some(spec) = body.spec else {
        return Err(errors.required("spec", ""));
    };
    check_spec(spec, errors)
}

/// `validateHorizontalPodAutoscalerSpec`, then the defaults.
fn check_spec(
    spec: SpecBody,
    errors: FieldErrors<'_>,
) -> Result<HorizontalPodAutoscalerSpec, ScenarioError> {
    let min_replicas = match spec.min_replicas {
        None => 1,
        Some(0) => {
            return Err(errors.invalid(
                "spec.minReplicas",
                0,
                "must be greater than or equal to 1 (0 needs the alpha HPAScaleToZero feature \
                 gate, which scalesim does not model)",
            ));
        }
        Some(min) if min < 1 => {
            return Err(errors.invalid(
                "spec.minReplicas",
                min,
                "must be greater than or equal to 1",
            ));
        }
        Some(min) => min,
    };
    let max_replicas = match spec.max_replicas {
        None => return Err(errors.required("spec.maxReplicas", "")),
        Some(max) if max < 1 => {
            return Err(errors.invalid("spec.maxReplicas", max, "must be greater than 0"));
        }
        Some(max) if max < min_replicas => {
            return Err(errors.invalid(
                "spec.maxReplicas",
                max,
                "must be greater than or equal to `minReplicas`",
            ));
        }
        Some(max) if max > MAX_CLUSTER_PODS => {
            return Err(errors.invalid(
                "spec.maxReplicas",
                max,
                &format!(
                    "must be at most {MAX_CLUSTER_PODS}, the most pods a Kubernetes cluster \
                     supports (scalesim's bound: it simulates every pod at every sync)"
                ),
            ));
        }
        Some(max) => max,
    };
    check_reference(
        errors,
        "spec.scaleTargetRef",
        spec.scale_target_ref.as_ref(),
    )?;
    let metrics = match spec.metrics.as_deref() {
        None | Some([]) => vec![HpaMetric::ResourceCpu(MetricTarget::Utilization(
            DEFAULT_CPU_UTILIZATION,
        ))],
        Some(metrics) if metrics.len() > MAX_LIST_ITEMS => {
            return Err(errors.too_many("spec.metrics", metrics.len()));
        }
        Some(metrics) => metrics
            .iter()
            .enumerate()
            .map(|(index, metric)| check_metric(errors, &format!("spec.metrics[{index}]"), metric))
            .collect::<Result<Vec<_>, _>>()?,
    };
    let behavior = spec.behavior.as_ref();
    let scale_up = check_rules(
        errors,
        "spec.behavior.scaleUp",
        behavior.and_then(|behavior| behavior.scale_up.as_ref()),
        HpaScalingRules::default_scale_up(),
    )?;
    let scale_down = check_rules(
        errors,
        "spec.behavior.scaleDown",
        behavior.and_then(|behavior| behavior.scale_down.as_ref()),
        HpaScalingRules::default_scale_down(),
    )?;
    // Both are at least 1 and min <= max, checked above, so the bounds always build.
    let replicas = CapacityBounds::new(min_replicas.unsigned_abs(), max_replicas.unsigned_abs())
        .map_err(|err| errors.error("spec.maxReplicas", err.to_string()))?;
    Ok(HorizontalPodAutoscalerSpec {
        replicas,
        metrics,
        scale_up,
        scale_down,
    })
}

/// `ValidateCrossVersionObjectReference`: kind and name required, each a valid path segment.
fn check_reference(
    errors: FieldErrors<'_>,
    at: &str,
    reference: Option<&CrossVersionObjectReferenceBody>,
) -> Result<(), ScenarioError> {
    for (name, value) in [
        (
            "kind",
            reference.and_then(|reference| reference.kind.as_deref()),
        ),
        (
            "name",
            reference.and_then(|reference| reference.name.as_deref()),
        ),
    ] {
        let field = format!("{at}.{name}");
        match value {
            None | Some("") => return Err(errors.required(&field, "")),
            Some(value) => check_path_segment(errors, &field, value)?,
        }
    }
    Ok(())
}

/// apimachinery's `IsValidPathSegmentName`: the name becomes part of a URL path.
fn check_path_segment(
    errors: FieldErrors<'_>,
    field: &str,
    name: &str,
) -> Result<(), ScenarioError> {
    let problem = match name {
        "." => Some("may not be '.'"),
        ".." => Some("may not be '..'"),
        _ if name.contains('/') => Some("may not contain '/'"),
        _ if name.contains('%') => Some("may not contain '%'"),
        _ => None,
    };
    match problem {
        Some(problem) => Err(errors.invalid(field, format!("{name:?}"), problem)),
        None => Ok(()),
    }
}

/// `validateMetricSpec` and the source it names.
fn check_metric(
    errors: FieldErrors<'_>,
    at: &str,
    metric: &MetricSpecBody,
) -> Result<HpaMetric, ScenarioError> {
    let type_field = format!("{at}.type");
    let source_type = match metric.source_type.as_deref() {
        None | Some("") => {
            return Err(errors.required(&type_field, "must specify a metric source type"));
        }
        Some(source_type) => source_type,
    };
    let (member, source) = match source_type {
        "Resource" => ("resource", Source::Resource),
        "Pods" => ("pods", Source::Pods),
        "Object" => ("object", Source::Object),
        "External" => ("external", Source::External),
        "ContainerResource" => {
            return Err(errors.unsupported(
                &type_field,
                source_type,
                METRIC_SOURCE_TYPES,
                Some("ContainerResource is not modelled: the simulated pods have one container"),
            ));
        }
        other => {
            return Err(errors.unsupported(&type_field, other, METRIC_SOURCE_TYPES, None));
        }
    };
    let present = [
        ("resource", metric.resource.is_some()),
        ("pods", metric.pods.is_some()),
        ("object", metric.object.is_some()),
        ("external", metric.external.is_some()),
        ("containerResource", metric.container_resource.is_some()),
    ];
    let source_at = format!("{at}.{member}");
    let missing = || {
        errors.required(
            &source_at,
            "must populate information for the given metric source",
        )
    };
    if !present.contains(&(member, true)) {
        return Err(missing());
    }
    if let Some((other, _)) = present
        .iter()
        .find(|(name, is_present)| *is_present && *name != member)
    {
        return Err(errors.forbidden(
            &format!("{at}.{other}"),
            "must populate the given metric source only",
        ));
    }
    let at = source_at.as_str();
    match source {
        Source::Resource => {
            let resource = metric.resource.as_ref().ok_or_else(missing)?;
            check_resource_name(errors, &format!("{at}.name"), resource.name.as_deref())?;
            let target = check_target(errors, at, resource.target.as_ref(), source)?;
            Ok(HpaMetric::ResourceCpu(target))
        }
        Source::Pods => {
            let pods = metric.pods.as_ref().ok_or_else(missing)?;
            check_metric_name(errors, at, pods.metric.as_ref())?;
            let target = check_target(errors, at, pods.target.as_ref(), source)?;
            Ok(HpaMetric::Pods(target))
        }
        Source::Object => {
            let object = metric.object.as_ref().ok_or_else(missing)?;
            check_reference(
                errors,
                &format!("{at}.describedObject"),
                object.described_object.as_ref(),
            )?;
            check_metric_name(errors, at, object.metric.as_ref())?;
            let target = check_target(errors, at, object.target.as_ref(), source)?;
            Ok(HpaMetric::Object(target))
        }
        Source::External => {
            let external = metric.external.as_ref().ok_or_else(missing)?;
            check_metric_name(errors, at, external.metric.as_ref())?;
            let target = check_target(errors, at, external.target.as_ref(), source)?;
            Ok(HpaMetric::External(target))
        }
    }
}

/// A Resource metric's `name`: cpu, the one resource the model measures.
fn check_resource_name(
    errors: FieldErrors<'_>,
    field: &str,
    name: Option<&str>,
) -> Result<(), ScenarioError> {
    match name {
        None | Some("") => Err(errors.required(field, "must specify a resource name")),
        Some("cpu") => Ok(()),
        Some("memory") => {
            Err(errors.unsupported(field, "memory", &["cpu"], Some("memory is not modelled")))
        }
        Some(other) => Err(errors.unsupported(field, other, &["cpu"], None)),
    }
}

/// `validateMetricIdentifier`: `metric.name` required, a valid path segment.
fn check_metric_name(
    errors: FieldErrors<'_>,
    at: &str,
    metric: Option<&MetricIdentifierBody>,
) -> Result<(), ScenarioError> {
    let field = format!("{at}.metric.name");
    match metric.and_then(|metric| metric.name.as_deref()) {
        None | Some("") => Err(errors.required(&field, "must specify a metric name")),
        Some(name) => check_path_segment(errors, &field, name),
    }
}

/// The metric source a target belongs to, which decides the target types it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    /// `resource`: a resource of the pods, cpu here.
    Resource,
    /// `pods`: a metric each pod reports.
    Pods,
    /// `object`: a metric of one Kubernetes object.
    Object,
    /// `external`: a metric from outside the cluster.
    External,
}

impl Source {
    /// Model choice: the target types each source takes, sorted as the API server lists them.
    fn target_types(self) -> &'static [&'static str] {
        match self {
            Source::Resource => &["AverageValue", "Utilization"],
            Source::Pods => &["AverageValue"],
            Source::Object | Source::External => &["AverageValue", "Value"],
        }
    }
}

/// `validateMetricTarget`, the source's own target rules, then the model's: `target.type` names
/// the one field that is set.
fn check_target(
    errors: FieldErrors<'_>,
    at: &str,
    target: Option<&MetricTargetBody>,
    source: Source,
) -> Result<MetricTarget, ScenarioError> {
    let at = format!("{at}.target");
    let Some(target) = target else {
        return Err(errors.required(&at, "must specify a target"));
    };
    let type_field = format!("{at}.type");
    let target_type = match target.target_type.as_deref() {
        None | Some("") => {
            return Err(errors.required(&type_field, "must specify a metric target type"));
        }
        Some(target_type @ ("Utilization" | "Value" | "AverageValue")) => target_type,
        Some(other) => {
            return Err(errors.invalid(
                &type_field,
                format!("{other:?}"),
                "must be either Utilization, Value, or AverageValue",
            ));
        }
    };
    let positive =
        |name: &str, text: Option<&QuantityText>| -> Result<Option<i64>, ScenarioError> {
            let Some(text) = text else {
                return Ok(None);
            };
            let field = format!("{at}.{name}");
            let quantity = errors.quantity(&field, text)?;
            if quantity.milli <= 0 {
                return Err(errors.invalid(&field, &text.0, "must be positive"));
            }
            Ok(Some(quantity.milli))
        };
    let value = positive("value", target.value.as_ref())?;
    let average_value = positive("averageValue", target.average_value.as_ref())?;
    let average_utilization = match target.average_utilization {
        Some(utilization) if utilization < 1 => {
            return Err(errors.invalid(
                &format!("{at}.averageUtilization"),
                utilization,
                "must be greater than 0",
            ));
        }
        utilization => utilization.map(i64::from),
    };
    let has_value = value.is_some();
    let has_average = average_value.is_some();
    let has_utilization = average_utilization.is_some();
    match source {
        Source::Resource if !has_utilization && !has_average => {
            return Err(errors.required(
                &format!("{at}.averageUtilization"),
                "must set either a target raw value or a target utilization",
            ));
        }
        Source::Resource if has_utilization && has_average => {
            return Err(errors.forbidden(
                &format!("{at}.averageValue"),
                "may not set both a target raw value and a target utilization",
            ));
        }
        Source::Pods if !has_average => {
            return Err(errors.required(
                &format!("{at}.averageValue"),
                "must specify a positive target averageValue",
            ));
        }
        Source::Object if !has_value && !has_average => {
            return Err(errors.required(
                &format!("{at}.averageValue"),
                "must set either a target value or averageValue",
            ));
        }
        Source::External if !has_value && !has_average => {
            return Err(errors.required(
                &format!("{at}.averageValue"),
                "must set either a target value for metric or a per-pod target",
            ));
        }
        // The API server forbids both for External only; the spec forbids them for Object too.
        Source::Object | Source::External if has_value && has_average => {
            return Err(errors.forbidden(
                &format!("{at}.value"),
                "may not set both a target value for metric and a per-pod target",
            ));
        }
        _ => {}
    }
    if !source.target_types().contains(&target_type) {
        return Err(errors.unsupported(&type_field, target_type, source.target_types(), None));
    }
    let fields = [
        ("Utilization", "averageUtilization", average_utilization),
        ("Value", "value", value),
        ("AverageValue", "averageValue", average_value),
    ];
    let mut named = None;
    for (field_type, name, field_value) in fields {
        if field_type == target_type {
            named = Some(field_value.ok_or_else(|| {
                errors.required(
                    &format!("{at}.{name}"),
                    &format!("must be set when the target type is {target_type}"),
                )
            })?);
        }
    }
    for (field_type, name, field_value) in fields {
        if field_type != target_type && field_value.is_some() {
            return Err(errors.forbidden(
                &format!("{at}.{name}"),
                &format!("may not be set when the target type is {target_type}"),
            ));
        }
    }
    // `target_type` is one of the three, so the loop above found its field.
    let Some(named) = named else {
        return Err(errors.required(&type_field, "must specify a metric target type"));
    };
    Ok(match target_type {
        "Utilization" => MetricTarget::Utilization(named),
        "Value" => MetricTarget::Value(named),
        _ => MetricTarget::AverageValue(named),
    })
}

/// `validateScalingRules` and `validateScalingPolicy`, then the v2 defaults: an absent rule is
/// the default of its direction, a rule given in part takes its missing fields from it, and a
/// given `policies` list replaces the default list (upstream `copyHPAScalingRules`).
fn check_rules(
    errors: FieldErrors<'_>,
    at: &str,
    rules: Option<&ScalingRulesBody>,
    default: HpaScalingRules,
) -> Result<HpaScalingRules, ScenarioError> {
    let Some(rules) = rules else {
        return Ok(default);
    };
    let window_field = format!("{at}.stabilizationWindowSeconds");
    let stabilization_window_s = match rules.stabilization_window_seconds {
        None => default.stabilization_window_s,
        Some(window) if window < 0 => {
            return Err(errors.invalid(
                &window_field,
                window,
                "must be greater than or equal to zero",
            ));
        }
        Some(window) if window > MAX_STABILIZATION_WINDOW_S => {
            return Err(errors.invalid(
                &window_field,
                window,
                &format!("must be less than or equal to {MAX_STABILIZATION_WINDOW_S}"),
            ));
        }
        Some(window) => window.unsigned_abs(),
    };
    let select_policy = match rules.select_policy.as_deref() {
        None => default.select_policy,
        Some("Max") => SelectPolicy::Max,
        Some("Min") => SelectPolicy::Min,
        Some("Disabled") => SelectPolicy::Disabled,
        Some(other) => {
            return Err(errors.unsupported(
                &format!("{at}.selectPolicy"),
                other,
                &["Disabled", "Max", "Min"],
                None,
            ));
        }
    };
    let policies = match rules.policies.as_deref() {
        None => default.policies,
        Some([]) => {
            return Err(errors.required(
                &format!("{at}.policies"),
                "must specify at least one Policy",
            ));
        }
        Some(policies) if policies.len() > MAX_LIST_ITEMS => {
            return Err(errors.too_many(&format!("{at}.policies"), policies.len()));
        }
        Some(policies) => policies
            .iter()
            .enumerate()
            .map(|(index, policy)| check_policy(errors, &format!("{at}.policies[{index}]"), policy))
            .collect::<Result<Vec<_>, _>>()?,
    };
    let tolerance = match &rules.tolerance {
        None => default.tolerance,
        Some(text) => {
            let field = format!("{at}.tolerance");
            let quantity = errors.quantity(&field, text)?;
            if quantity.negative {
                return Err(errors.invalid(
                    &field,
                    &text.0,
                    "must be greater than or equal to zero",
                ));
            }
            // Readings fixed: a rule's tolerance is its milli-units / 1000. A tolerance is a
            // small fraction, and every milli-unit count below 2^53 converts exactly.
            Some(quantity.milli as f64 / 1000.0)
        }
    };
    Ok(HpaScalingRules {
        stabilization_window_s,
        select_policy,
        policies,
        tolerance,
    })
}

/// `validateScalingPolicy`: type Pods or Percent, value > 0, periodSeconds 1–1800.
fn check_policy(
    errors: FieldErrors<'_>,
    at: &str,
    policy: &ScalingPolicyBody,
) -> Result<HpaScalingPolicy, ScenarioError> {
    let type_field = format!("{at}.type");
    let kind = match policy.policy_type.as_deref() {
        None | Some("") => return Err(errors.required(&type_field, "")),
        Some("Pods") => PolicyKind::Pods,
        Some("Percent") => PolicyKind::Percent,
        Some(other) => {
            return Err(errors.unsupported(&type_field, other, &["Percent", "Pods"], None));
        }
    };
    let value_field = format!("{at}.value");
    let value = match policy.value {
        None => return Err(errors.required(&value_field, "")),
        Some(value) if value <= 0 => {
            return Err(errors.invalid(&value_field, value, "must be greater than zero"));
        }
        Some(value) => value.unsigned_abs(),
    };
    let period_field = format!("{at}.periodSeconds");
    let period_s = match policy.period_seconds {
        None => return Err(errors.required(&period_field, "")),
        Some(period) if period <= 0 => {
            return Err(errors.invalid(&period_field, period, "must be greater than zero"));
        }
        Some(period) if period > MAX_PERIOD_S => {
            return Err(errors.invalid(
                &period_field,
                period,
                &format!("must be less than or equal to {MAX_PERIOD_S}"),
            ));
        }
        Some(period) => period.unsigned_abs(),
    };
    Ok(HpaScalingPolicy {
        kind,
        value,
        period_s,
    })
}

/// A quantity in integer milli-units, rounded up (toward +∞) as Kubernetes' `MilliValue` does,
/// with the sign of the exact value, which rounding can hide (`-0.1m` rounds up to 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Quantity {
    /// ⌈value × 1000⌉.
    milli: i64,
    /// Whether the exact value is below zero.
    negative: bool,
}

/// Why a quantity was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum QuantityError {
    /// Not `<sign><number><suffix>`.
    Format,
    /// Beyond the milli-units an `i64` holds.
    TooLarge,
}

/// Parses a Kubernetes quantity (`<sign><number><suffix>`, suffix a binary SI one, Ki to Ei, a
/// decimal SI one, n u m "" k M G T P E, or a decimal exponent e3 / E-2) into milli-units.
///
/// The arithmetic is exact on the decimal digits, so `0.1Ki` is 102400m and `1.0001m` rounds up
/// to 2m, whatever their length.
fn parse_quantity(text: &str) -> Result<Quantity, QuantityError> {
    let (negative_sign, unsigned) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let number_len = unsigned
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(unsigned.len());
    let (number, suffix) = unsigned.split_at(number_len);
    let (integer_digits, fraction_digits) = number.split_once('.').unwrap_or((number, ""));
    if fraction_digits.contains('.') || integer_digits.len() + fraction_digits.len() == 0 {
        return Err(QuantityError::Format);
    }
    let (exponent10, binary_shift) = suffix_scale(suffix)?;

    // digits × 10^(point - len(digits)) is the value in milli-units.
    let mut digits: Vec<u8> = integer_digits
        .bytes()
        .chain(fraction_digits.bytes())
        .map(|digit| digit - b'0')
        .collect();
    let mut point = i64::try_from(integer_digits.len())
        .unwrap_or(i64::MAX)
        .saturating_add(exponent10)
        .saturating_add(3);
    let leading_zeros = digits.iter().take_while(|&&digit| digit == 0).count();
    digits.drain(..leading_zeros);
    point = point.saturating_sub(i64::try_from(leading_zeros).unwrap_or(i64::MAX));
    if digits.is_empty() {
        return Ok(Quantity {
            milli: 0,
            negative: false,
        });
    }
    // The first digit is non-zero, so the integer part has `point` digits: 20 or more are at
    // least 10^19 milli-units, beyond i64 even before a binary suffix.
    if point >= 20 {
        return Err(QuantityError::TooLarge);
    }
    let (mut integer, mut fraction) = if point <= -20 {
        // Below 10^-20 milli-units; times at most 2^60 (Ei) still below 1, so only whether it
        // is zero matters, and it is not.
        (0_u128, vec![1_u8])
    } else if point <= 0 {
        let zeros = usize::try_from(-point).unwrap_or(0);
        let mut fraction = vec![0_u8; zeros];
        fraction.extend_from_slice(&digits);
        (0, fraction)
    } else {
        let split = usize::try_from(point).unwrap_or(usize::MAX);
        let mut integer = 0_u128;
        for index in 0..split {
            integer = integer * 10 + u128::from(digits.get(index).copied().unwrap_or(0));
        }
        (integer, digits.get(split..).unwrap_or_default().to_vec())
    };
    // Times 2^shift, one doubling at a time: the fraction's carry moves into the integer.
    for _ in 0..binary_shift {
        let mut carry = 0_u8;
        for digit in fraction.iter_mut().rev() {
            let doubled = *digit * 2 + carry;
            *digit = doubled % 10;
            carry = doubled / 10;
        }
        integer = integer * 2 + u128::from(carry);
    }
    let has_fraction = fraction.iter().any(|&digit| digit != 0);
    // Rounding up moves a positive value away from zero and a negative one toward it.
    let magnitude = if negative_sign {
        integer
    } else {
        integer + u128::from(has_fraction)
    };
    let magnitude = i64::try_from(magnitude).map_err(|_| QuantityError::TooLarge)?;
    Ok(Quantity {
        milli: if negative_sign { -magnitude } else { magnitude },
        negative: negative_sign,
    })
}

/// The power of ten and of two a suffix multiplies by.
fn suffix_scale(suffix: &str) -> Result<(i64, u32), QuantityError> {
    let scale = match suffix {
        "n" => (-9, 0),
        "u" => (-6, 0),
        "m" => (-3, 0),
        "" => (0, 0),
        "k" => (3, 0),
        "M" => (6, 0),
        "G" => (9, 0),
        "T" => (12, 0),
        "P" => (15, 0),
        "E" => (18, 0),
        "Ki" => (0, 10),
        "Mi" => (0, 20),
        "Gi" => (0, 30),
        "Ti" => (0, 40),
        "Pi" => (0, 50),
        "Ei" => (0, 60),
        _ => {
            // A decimal exponent: e or E, then a signed integer (a lone E is exa, above).
            let exponent = suffix
                .strip_prefix(['e', 'E'])
                .ok_or(QuantityError::Format)?;
            let (sign, digits) = match exponent.as_bytes().first() {
                Some(b'-') => (-1, &exponent[1..]),
                Some(b'+') => (1, &exponent[1..]),
                _ => (1, exponent),
            };
            if digits.is_empty() || !digits.bytes().all(|digit| digit.is_ascii_digit()) {
                return Err(QuantityError::Format);
            }
            // Saturating: an exponent past ±10^18 is as far beyond range as any other.
            let magnitude = digits.bytes().fold(0_i64, |sum, digit| {
                sum.saturating_mul(10)
                    .saturating_add(i64::from(digit - b'0'))
            });
            (sign * magnitude, 0)
        }
    };
    Ok(scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The spec's example manifest, as written there.
    const SPEC_YAML: &str = "\
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: php-apache }
spec:
  scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: php-apache }
  minReplicas: 1
  maxReplicas: 10
  metrics:
  - type: Resource
    resource: { name: cpu, target: { type: Utilization, averageUtilization: 50 } }
  behavior:
    scaleDown: { stabilizationWindowSeconds: 300, policies: [ { type: Percent, value: 100, periodSeconds: 15 } ] }
    scaleUp:
      stabilizationWindowSeconds: 0
      selectPolicy: Max
      policies: [ { type: Percent, value: 100, periodSeconds: 15 }, { type: Pods, value: 4, periodSeconds: 15 } ]
";

    /// The same manifest as JSON, the form `kubectl get -o json` prints.
    const SPEC_JSON: &str = r#"{
  "apiVersion": "autoscaling/v2",
  "kind": "HorizontalPodAutoscaler",
  "metadata": { "name": "php-apache" },
  "spec": {
    "scaleTargetRef": { "apiVersion": "apps/v1", "kind": "Deployment", "name": "php-apache" },
    "minReplicas": 1,
    "maxReplicas": 10,
    "metrics": [
      { "type": "Resource",
        "resource": { "name": "cpu", "target": { "type": "Utilization", "averageUtilization": 50 } } }
    ],
    "behavior": {
      "scaleDown": { "stabilizationWindowSeconds": 300,
                     "policies": [ { "type": "Percent", "value": 100, "periodSeconds": 15 } ] },
      "scaleUp": { "stabilizationWindowSeconds": 0, "selectPolicy": "Max",
                   "policies": [ { "type": "Percent", "value": 100, "periodSeconds": 15 },
                                 { "type": "Pods", "value": 4, "periodSeconds": 15 } ] }
    }
  }
}"#;

    /// A manifest with only what the API requires, for the defaults.
    const MINIMAL_YAML: &str = "\
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
spec:
  scaleTargetRef: { kind: Deployment, name: web }
  maxReplicas: 5
";

    fn load_as(text: &str, file: &str) -> Result<HorizontalPodAutoscalerSpec, String> {
        horizontal_pod_autoscaler(text, Path::new(file)).map_err(|err| err.to_string())
    }

    fn load(text: &str) -> Result<HorizontalPodAutoscalerSpec, String> {
        load_as(text, "k8s/hpa.yaml")
    }

    fn policy(kind: PolicyKind, value: u32, period_s: u32) -> HpaScalingPolicy {
        HpaScalingPolicy {
            kind,
            value,
            period_s,
        }
    }

    /// The spec's example with `from` replaced by `to` must be refused with `expected`.
    fn check_error(from: &str, to: &str, expected: &str) {
        assert!(SPEC_YAML.contains(from), "{from:?} is not in the example");
        let err = load(&SPEC_YAML.replacen(from, to, 1)).expect_err("should be rejected");
        assert_eq!(err, format!("k8s/hpa.yaml: {expected}"));
    }

    /// The minimal manifest with `spec_lines` appended under `spec:`.
    fn with_spec(spec_lines: &str) -> String {
        format!("{MINIMAL_YAML}{spec_lines}")
    }

    /// The first metric of the minimal manifest with `metric` as its only entry.
    fn check_metric_ok(metric: &str) -> HpaMetric {
        let spec = load(&with_spec(&format!("  metrics:\n  - {metric}\n")))
            .unwrap_or_else(|err| panic!("{metric}: {err}"));
        assert_eq!(spec.metrics.len(), 1);
        spec.metrics[0]
    }

    fn check_metric_error(metric: &str, expected: &str) {
        let err = load(&with_spec(&format!("  metrics:\n  - {metric}\n")))
            .expect_err("should be rejected");
        assert_eq!(err, format!("k8s/hpa.yaml: {expected}"), "{metric}");
    }

    fn check_spec_error(spec_lines: &str, expected: &str) {
        let err = load(&with_spec(spec_lines)).expect_err("should be rejected");
        assert_eq!(err, format!("k8s/hpa.yaml: {expected}"), "{spec_lines}");
    }

    fn spec_example() -> HorizontalPodAutoscalerSpec {
        HorizontalPodAutoscalerSpec {
            replicas: CapacityBounds::new(1, 10).unwrap(),
            metrics: vec![HpaMetric::ResourceCpu(MetricTarget::Utilization(50))],
            scale_up: HpaScalingRules {
                stabilization_window_s: 0,
                select_policy: SelectPolicy::Max,
                policies: vec![
                    policy(PolicyKind::Percent, 100, 15),
                    policy(PolicyKind::Pods, 4, 15),
                ],
                tolerance: None,
            },
            scale_down: HpaScalingRules {
                stabilization_window_s: 300,
                select_policy: SelectPolicy::Max,
                policies: vec![policy(PolicyKind::Percent, 100, 15)],
                tolerance: None,
            },
        }
    }

    #[test]
    fn the_specs_example_loads_field_by_field() {
        let spec = load(SPEC_YAML).unwrap();
        assert_eq!(spec.replicas.min(), 1);
        assert_eq!(spec.replicas.max(), 10);
        assert_eq!(
            spec.metrics,
            [HpaMetric::ResourceCpu(MetricTarget::Utilization(50))]
        );
        assert_eq!(spec.scale_up.stabilization_window_s, 0);
        assert_eq!(spec.scale_up.select_policy, SelectPolicy::Max);
        assert_eq!(
            spec.scale_up.policies,
            [
                policy(PolicyKind::Percent, 100, 15),
                policy(PolicyKind::Pods, 4, 15)
            ]
        );
        assert_eq!(spec.scale_up.tolerance, None);
        assert_eq!(spec.scale_down.stabilization_window_s, 300);
        assert_eq!(spec.scale_down.select_policy, SelectPolicy::Max);
        assert_eq!(
            spec.scale_down.policies,
            [policy(PolicyKind::Percent, 100, 15)]
        );
        assert_eq!(spec.scale_down.tolerance, None);
        assert_eq!(spec, spec_example());
    }

    #[test]
    fn the_json_form_loads_the_same_as_json_and_as_yaml() {
        assert_eq!(load_as(SPEC_JSON, "k8s/hpa.json").unwrap(), spec_example());
        assert_eq!(load_as(SPEC_JSON, "k8s/HPA.JSON").unwrap(), spec_example());
        assert_eq!(load(SPEC_JSON).unwrap(), spec_example());
    }

    #[test]
    fn json_errors_name_the_field_and_the_file() {
        let err = load_as(
            &SPEC_JSON.replace("\"maxReplicas\": 10", "\"maxReplicas\": 0"),
            "k8s/hpa.json",
        )
        .unwrap_err();
        assert_eq!(
            err,
            "k8s/hpa.json: spec.maxReplicas: Invalid value: 0: must be greater than 0"
        );
        let err = load_as(
            &SPEC_JSON.replace("\"selectPolicy\"", "\"selectPolicies\""),
            "k8s/hpa.json",
        )
        .unwrap_err();
        assert!(
            err.starts_with("k8s/hpa.json: spec.behavior.scaleUp: unknown field `selectPolicies`"),
            "{err}"
        );
        assert_eq!(
            load_as("[]", "k8s/hpa.json").unwrap_err(),
            "k8s/hpa.json: expected a HorizontalPodAutoscaler object, found an array"
        );
    }

    #[test]
    fn defaults_fill_what_the_manifest_leaves_out() {
        let spec = load(MINIMAL_YAML).unwrap();
        assert_eq!(spec.replicas, CapacityBounds::new(1, 5).unwrap());
        assert_eq!(
            spec.metrics,
            [HpaMetric::ResourceCpu(MetricTarget::Utilization(80))]
        );
        assert_eq!(spec.scale_up, HpaScalingRules::default_scale_up());
        assert_eq!(spec.scale_down, HpaScalingRules::default_scale_down());
        for spec_lines in [
            "  metrics: []\n  behavior: {}\n",
            "  behavior:\n",
            "  behavior: { scaleUp: {}, scaleDown: {} }\n",
            "  behavior: { scaleUp: ~ }\n",
        ] {
            assert_eq!(load(&with_spec(spec_lines)).unwrap(), spec, "{spec_lines}");
        }
    }

    #[test]
    fn a_rule_given_in_part_takes_the_rest_from_its_directions_default() {
        let spec = load(&with_spec(
            "  behavior:\n    scaleUp: { selectPolicy: Min }\n    scaleDown: { policies: [ { type: Pods, value: 1, periodSeconds: 60 } ] }\n",
        ))
        .unwrap();
        assert_eq!(
            spec.scale_up,
            HpaScalingRules {
                select_policy: SelectPolicy::Min,
                ..HpaScalingRules::default_scale_up()
            }
        );
        // A given list replaces the default list; the window stays the default 300 s.
        assert_eq!(
            spec.scale_down,
            HpaScalingRules {
                policies: vec![policy(PolicyKind::Pods, 1, 60)],
                ..HpaScalingRules::default_scale_down()
            }
        );
        let spec = load(&with_spec(
            "  behavior:\n    scaleDown: { stabilizationWindowSeconds: 60, selectPolicy: Disabled, tolerance: 50m }\n",
        ))
        .unwrap();
        assert_eq!(spec.scale_up, HpaScalingRules::default_scale_up());
        assert_eq!(
            spec.scale_down,
            HpaScalingRules {
                stabilization_window_s: 60,
                select_policy: SelectPolicy::Disabled,
                tolerance: Some(0.05),
                ..HpaScalingRules::default_scale_down()
            }
        );
    }

    #[test]
    fn tolerance_is_a_quantity_read_as_a_fraction() {
        for (written, expected) in [
            ("0.05", 0.05),
            ("\"0.1\"", 0.1),
            ("100m", 0.1),
            ("0", 0.0),
            ("1", 1.0),
            ("1.5", 1.5),
            ("0.0001", 0.001),
        ] {
            let spec = load(&with_spec(&format!(
                "  behavior: {{ scaleUp: {{ tolerance: {written} }} }}\n"
            )))
            .unwrap();
            assert_eq!(spec.scale_up.tolerance, Some(expected), "{written}");
        }
    }

    #[test]
    fn metadata_and_status_are_accepted_and_ignored() {
        let text = SPEC_YAML.replace(
            "metadata: { name: php-apache }",
            "metadata:\n  name: php-apache\n  namespace: default\n  labels: { app: php }\n  \
             annotations: { note: x }\n  uid: d9607e19-f88f-11e6-a518-42010a800195\n  resourceVersion: \"42\"\n  generation: 3\n  \
             creationTimestamp: \"2024-01-01T00:00:00Z\"\n  finalizers: []\n  \
             managedFields: [ { manager: kubectl } ]\n  ownerReferences: []",
        ) + "status:\n  currentReplicas: 2\n  desiredReplicas: 2\n  conditions: []\n";
        assert_eq!(load(&text).unwrap(), spec_example());
        let err =
            load(&SPEC_YAML.replace("{ name: php-apache }", "{ nmae: php-apache }")).unwrap_err();
        assert!(
            err.starts_with("k8s/hpa.yaml: metadata: unknown field `nmae`, expected one of"),
            "{err}"
        );
    }

    #[test]
    fn unknown_fields_are_errors_that_name_their_parent() {
        let err = load(&SPEC_YAML.replace(
            "periodSeconds: 15 }, { type: Pods",
            "periodSecond: 15 }, { type: Pods",
        ))
        .unwrap_err();
        assert!(
            err.starts_with(
                "k8s/hpa.yaml: spec.behavior.scaleUp.policies[0]: unknown field `periodSecond`, \
                 expected one of `type`, `value`, `periodSeconds` at line"
            ),
            "{err}"
        );
        let err = load(&format!("{SPEC_YAML}extra: 1\n")).unwrap_err();
        assert!(
            err.starts_with("k8s/hpa.yaml: unknown field `extra`, expected one of"),
            "{err}"
        );
    }

    #[test]
    fn type_errors_name_the_field() {
        let err =
            load(&SPEC_YAML.replace("value: 4, periodSeconds: 15", "value: 4, periodSeconds: x"))
                .unwrap_err();
        assert!(
            err.starts_with(
                "k8s/hpa.yaml: spec.behavior.scaleUp.policies[1].periodSeconds: invalid type: \
                 string \"x\", expected a whole number from -2147483648 to 2147483647 at line"
            ),
            "{err}"
        );
        let err = load(&SPEC_YAML.replace("averageUtilization: 50", "averageUtilization: 50.5"))
            .unwrap_err();
        assert!(
            err.starts_with(
                "k8s/hpa.yaml: spec.metrics[0].resource.target.averageUtilization: invalid type: \
                 floating point `50.5`, expected a whole number from -2147483648 to 2147483647"
            ),
            "{err}"
        );
    }

    #[test]
    fn the_file_holds_exactly_one_object() {
        assert_eq!(
            load(&format!("{SPEC_YAML}---\n{SPEC_YAML}")).unwrap_err(),
            "k8s/hpa.yaml: expected exactly one HorizontalPodAutoscaler object, found 2 YAML \
             documents"
        );
        // Empty documents are skipped, as kubectl skips them.
        assert_eq!(
            load(&format!("---\n{SPEC_YAML}---\n")).unwrap(),
            spec_example()
        );
        assert_eq!(
            load("").unwrap_err(),
            "k8s/hpa.yaml: expected one HorizontalPodAutoscaler object, found an empty document"
        );
        assert_eq!(
            load("- apiVersion: autoscaling/v2\n").unwrap_err(),
            "k8s/hpa.yaml: expected a HorizontalPodAutoscaler object, found a sequence"
        );
        assert_eq!(
            load("just text").unwrap_err(),
            "k8s/hpa.yaml: expected a HorizontalPodAutoscaler object, found a string"
        );
        let err = load("spec: [\n").unwrap_err();
        assert!(
            err.starts_with("k8s/hpa.yaml: did not find expected node content"),
            "{err}"
        );
        let err = load("a: 1\na: 2\n").unwrap_err();
        assert!(
            err.starts_with("k8s/hpa.yaml: duplicate entry with key \"a\""),
            "{err}"
        );
    }

    #[test]
    fn api_version_and_kind_are_checked() {
        check_error(
            "apiVersion: autoscaling/v2\n",
            "apiVersion: autoscaling/v1\n",
            "apiVersion: Unsupported value: \"autoscaling/v1\": supported values: \
             \"autoscaling/v2\" (autoscaling/v1 has only targetCPUUtilizationPercentage and no \
             behavior; write the manifest as autoscaling/v2)",
        );
        check_error(
            "apiVersion: autoscaling/v2\n",
            "apiVersion: autoscaling/v2beta2\n",
            "apiVersion: Unsupported value: \"autoscaling/v2beta2\": supported values: \
             \"autoscaling/v2\" (autoscaling/v2beta2 was removed in Kubernetes 1.26; \
             autoscaling/v2 takes the same fields)",
        );
        check_error(
            "apiVersion: autoscaling/v2\n",
            "apiVersion: apps/v1\n",
            "apiVersion: Unsupported value: \"apps/v1\": supported values: \"autoscaling/v2\"",
        );
        check_error(
            "apiVersion: autoscaling/v2\n",
            "",
            "apiVersion: Required value",
        );
        check_error(
            "kind: HorizontalPodAutoscaler\n",
            "kind: Deployment\n",
            "kind: Unsupported value: \"Deployment\": supported values: \
             \"HorizontalPodAutoscaler\"",
        );
        check_error(
            "kind: HorizontalPodAutoscaler\n",
            "",
            "kind: Required value",
        );
        let err = load("apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\n").unwrap_err();
        assert_eq!(err, "k8s/hpa.yaml: spec: Required value");
    }

    #[test]
    fn replica_bounds_are_checked() {
        check_error(
            "minReplicas: 1",
            "minReplicas: 0",
            "spec.minReplicas: Invalid value: 0: must be greater than or equal to 1 (0 needs the \
             alpha HPAScaleToZero feature gate, which scalesim does not model)",
        );
        check_error(
            "minReplicas: 1",
            "minReplicas: -2",
            "spec.minReplicas: Invalid value: -2: must be greater than or equal to 1",
        );
        check_error(
            "maxReplicas: 10",
            "maxReplicas: 0",
            "spec.maxReplicas: Invalid value: 0: must be greater than 0",
        );
        check_error(
            "  maxReplicas: 10\n",
            "",
            "spec.maxReplicas: Required value",
        );
        check_error(
            "minReplicas: 1\n  maxReplicas: 10",
            "minReplicas: 3\n  maxReplicas: 1",
            "spec.maxReplicas: Invalid value: 1: must be greater than or equal to `minReplicas`",
        );
        let spec = load(&SPEC_YAML.replace("minReplicas: 1", "minReplicas: 10")).unwrap();
        assert_eq!(spec.replicas, CapacityBounds::new(10, 10).unwrap());
    }

    #[test]
    fn the_scale_target_needs_a_kind_and_a_name() {
        check_error(
            "{ apiVersion: apps/v1, kind: Deployment, name: php-apache }",
            "{ apiVersion: apps/v1, name: php-apache }",
            "spec.scaleTargetRef.kind: Required value",
        );
        check_error(
            "{ apiVersion: apps/v1, kind: Deployment, name: php-apache }",
            "{ kind: Deployment, name: \"\" }",
            "spec.scaleTargetRef.name: Required value",
        );
        check_error(
            "  scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: php-apache }\n",
            "",
            "spec.scaleTargetRef.kind: Required value",
        );
        check_error(
            "name: php-apache }\n  minReplicas",
            "name: php/apache }\n  minReplicas",
            "spec.scaleTargetRef.name: Invalid value: \"php/apache\": may not contain '/'",
        );
    }

    #[test]
    fn metric_types_and_members_are_checked() {
        check_metric_error(
            "resource: { name: cpu, target: { type: Utilization, averageUtilization: 50 } }",
            "spec.metrics[0].type: Required value: must specify a metric source type",
        );
        check_metric_error(
            "type: Custom",
            "spec.metrics[0].type: Unsupported value: \"Custom\": supported values: \
             \"External\", \"Object\", \"Pods\", \"Resource\"",
        );
        check_metric_error(
            "type: ContainerResource\n    containerResource: { name: cpu, container: app, target: { type: Utilization, averageUtilization: 60 } }",
            "spec.metrics[0].type: Unsupported value: \"ContainerResource\": supported values: \
             \"External\", \"Object\", \"Pods\", \"Resource\" (ContainerResource is not \
             modelled: the simulated pods have one container)",
        );
        check_metric_error(
            "type: Pods\n    resource: { name: cpu, target: { type: Utilization, averageUtilization: 50 } }",
            "spec.metrics[0].pods: Required value: must populate information for the given \
             metric source",
        );
        check_metric_error(
            "type: Resource\n    resource: { name: cpu, target: { type: Utilization, averageUtilization: 50 } }\n    \
             external: { metric: { name: q }, target: { type: Value, value: 1 } }",
            "spec.metrics[0].external: Forbidden: must populate the given metric source only",
        );
        // The second metric's errors name its index.
        check_error(
            "averageUtilization: 50 } }\n",
            "averageUtilization: 50 } }\n  - type: Pods\n",
            "spec.metrics[1].pods: Required value: must populate information for the given \
             metric source",
        );
    }

    #[test]
    fn resource_metrics_are_cpu_only() {
        check_error(
            "name: cpu,",
            "name: memory,",
            "spec.metrics[0].resource.name: Unsupported value: \"memory\": supported values: \
             \"cpu\" (memory is not modelled)",
        );
        check_error(
            "name: cpu,",
            "name: ephemeral-storage,",
            "spec.metrics[0].resource.name: Unsupported value: \"ephemeral-storage\": supported \
             values: \"cpu\"",
        );
        check_error(
            "{ name: cpu, target",
            "{ target",
            "spec.metrics[0].resource.name: Required value: must specify a resource name",
        );
        check_error(
            "{ name: cpu, target: { type: Utilization, averageUtilization: 50 } }",
            "{ name: cpu }",
            "spec.metrics[0].resource.target: Required value: must specify a target",
        );
        assert_eq!(
            check_metric_ok(
                "type: Resource\n    resource: { name: cpu, target: { type: AverageValue, averageValue: 500m } }"
            ),
            HpaMetric::ResourceCpu(MetricTarget::AverageValue(500))
        );
    }

    #[test]
    fn targets_are_checked_as_the_api_server_does() {
        check_error(
            "type: Utilization, averageUtilization: 50",
            "averageUtilization: 50",
            "spec.metrics[0].resource.target.type: Required value: must specify a metric target \
             type",
        );
        check_error(
            "type: Utilization, averageUtilization: 50",
            "type: Percent, averageUtilization: 50",
            "spec.metrics[0].resource.target.type: Invalid value: \"Percent\": must be either \
             Utilization, Value, or AverageValue",
        );
        check_error(
            "averageUtilization: 50",
            "averageUtilization: 0",
            "spec.metrics[0].resource.target.averageUtilization: Invalid value: 0: must be \
             greater than 0",
        );
        check_error(
            "type: Utilization, averageUtilization: 50",
            "type: AverageValue, averageValue: \"0\"",
            "spec.metrics[0].resource.target.averageValue: Invalid value: 0: must be positive",
        );
        check_error(
            "type: Utilization, averageUtilization: 50",
            "type: AverageValue, averageValue: -100m",
            "spec.metrics[0].resource.target.averageValue: Invalid value: -100m: must be positive",
        );
        check_error(
            "type: Utilization, averageUtilization: 50",
            "type: AverageValue, averageValue: 5x",
            "spec.metrics[0].resource.target.averageValue: Invalid value: \"5x\": quantities must \
             match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
        );
        check_error(
            "type: Utilization, averageUtilization: 50",
            "type: Utilization",
            "spec.metrics[0].resource.target.averageUtilization: Required value: must set either \
             a target raw value or a target utilization",
        );
        check_error(
            "averageUtilization: 50",
            "averageUtilization: 50, averageValue: 500m",
            "spec.metrics[0].resource.target.averageValue: Forbidden: may not set both a target \
             raw value and a target utilization",
        );
        check_metric_error(
            "type: Pods\n    pods: { metric: { name: rps }, target: { type: Value, value: 10 } }",
            "spec.metrics[0].pods.target.averageValue: Required value: must specify a positive \
             target averageValue",
        );
        check_metric_error(
            "type: Object\n    object: { describedObject: { kind: Ingress, name: main }, metric: { name: rps }, target: { type: Utilization, averageUtilization: 5 } }",
            "spec.metrics[0].object.target.averageValue: Required value: must set either a \
             target value or averageValue",
        );
        check_metric_error(
            "type: External\n    external: { metric: { name: queue }, target: { type: Utilization, averageUtilization: 5 } }",
            "spec.metrics[0].external.target.averageValue: Required value: must set either a \
             target value for metric or a per-pod target",
        );
        check_metric_error(
            "type: External\n    external: { metric: { name: queue }, target: { type: Value, value: 10, averageValue: 2 } }",
            "spec.metrics[0].external.target.value: Forbidden: may not set both a target value \
             for metric and a per-pod target",
        );
        check_metric_error(
            "type: Object\n    object: { describedObject: { kind: Ingress, name: main }, metric: { name: rps }, target: { type: Value, value: 10, averageValue: 2 } }",
            "spec.metrics[0].object.target.value: Forbidden: may not set both a target value \
             for metric and a per-pod target",
        );
    }

    #[test]
    fn the_target_type_names_the_one_field_set() {
        check_error(
            "type: Utilization, averageUtilization: 50",
            "type: Utilization, averageValue: 500m",
            "spec.metrics[0].resource.target.averageUtilization: Required value: must be set \
             when the target type is Utilization",
        );
        check_error(
            "type: Utilization, averageUtilization: 50",
            "type: Value, value: 500m, averageUtilization: 50",
            "spec.metrics[0].resource.target.type: Unsupported value: \"Value\": supported \
             values: \"AverageValue\", \"Utilization\"",
        );
        check_error(
            "averageUtilization: 50",
            "averageUtilization: 50, value: 3",
            "spec.metrics[0].resource.target.value: Forbidden: may not be set when the target \
             type is Utilization",
        );
        check_metric_error(
            "type: Pods\n    pods: { metric: { name: rps }, target: { type: Value, averageValue: 10 } }",
            "spec.metrics[0].pods.target.type: Unsupported value: \"Value\": supported values: \
             \"AverageValue\"",
        );
        check_metric_error(
            "type: External\n    external: { metric: { name: queue }, target: { type: AverageValue, value: 10 } }",
            "spec.metrics[0].external.target.averageValue: Required value: must be set when the \
             target type is AverageValue",
        );
    }

    #[test]
    fn pods_object_and_external_metrics_load() {
        assert_eq!(
            check_metric_ok(
                "type: Pods\n    pods: { metric: { name: rps, selector: { matchLabels: { app: web } } }, target: { type: AverageValue, averageValue: 1.5k } }"
            ),
            HpaMetric::Pods(MetricTarget::AverageValue(1_500_000))
        );
        assert_eq!(
            check_metric_ok(
                "type: Object\n    object: { describedObject: { apiVersion: networking.k8s.io/v1, kind: Ingress, name: main }, metric: { name: rps }, target: { type: Value, value: \"10\" } }"
            ),
            HpaMetric::Object(MetricTarget::Value(10_000))
        );
        assert_eq!(
            check_metric_ok(
                "type: External\n    external: { metric: { name: queue, selector: { matchExpressions: [ { key: q, operator: In, values: [ a ] } ] } }, target: { type: AverageValue, averageValue: 10 } }"
            ),
            HpaMetric::External(MetricTarget::AverageValue(10_000))
        );
    }

    #[test]
    fn metric_names_and_described_objects_are_required() {
        check_metric_error(
            "type: Pods\n    pods: { target: { type: AverageValue, averageValue: 10 } }",
            "spec.metrics[0].pods.metric.name: Required value: must specify a metric name",
        );
        check_metric_error(
            "type: External\n    external: { metric: { name: \"\" }, target: { type: Value, value: 10 } }",
            "spec.metrics[0].external.metric.name: Required value: must specify a metric name",
        );
        check_metric_error(
            "type: Object\n    object: { describedObject: { kind: Ingress }, metric: { name: rps }, target: { type: Value, value: 10 } }",
            "spec.metrics[0].object.describedObject.name: Required value",
        );
        check_metric_error(
            "type: Object\n    object: { metric: { name: rps }, target: { type: Value, value: 10 } }",
            "spec.metrics[0].object.describedObject.kind: Required value",
        );
    }

    #[test]
    fn behavior_rules_are_checked() {
        check_error(
            "scaleDown: { stabilizationWindowSeconds: 300",
            "scaleDown: { stabilizationWindowSeconds: 3601",
            "spec.behavior.scaleDown.stabilizationWindowSeconds: Invalid value: 3601: must be \
             less than or equal to 3600",
        );
        check_error(
            "stabilizationWindowSeconds: 0",
            "stabilizationWindowSeconds: -1",
            "spec.behavior.scaleUp.stabilizationWindowSeconds: Invalid value: -1: must be \
             greater than or equal to zero",
        );
        check_error(
            "selectPolicy: Max",
            "selectPolicy: Maximum",
            "spec.behavior.scaleUp.selectPolicy: Unsupported value: \"Maximum\": supported \
             values: \"Disabled\", \"Max\", \"Min\"",
        );
        check_error(
            "policies: [ { type: Percent, value: 100, periodSeconds: 15 } ] }",
            "policies: [] }",
            "spec.behavior.scaleDown.policies: Required value: must specify at least one Policy",
        );
        check_error(
            "{ type: Pods, value: 4, periodSeconds: 15 }",
            "{ type: Replicas, value: 4, periodSeconds: 15 }",
            "spec.behavior.scaleUp.policies[1].type: Unsupported value: \"Replicas\": supported \
             values: \"Percent\", \"Pods\"",
        );
        check_error(
            "{ type: Pods, value: 4, periodSeconds: 15 }",
            "{ value: 4, periodSeconds: 15 }",
            "spec.behavior.scaleUp.policies[1].type: Required value",
        );
        check_error(
            "{ type: Pods, value: 4, periodSeconds: 15 }",
            "{ type: Pods, value: 0, periodSeconds: 15 }",
            "spec.behavior.scaleUp.policies[1].value: Invalid value: 0: must be greater than zero",
        );
        check_error(
            "{ type: Pods, value: 4, periodSeconds: 15 }",
            "{ type: Pods, periodSeconds: 15 }",
            "spec.behavior.scaleUp.policies[1].value: Required value",
        );
    }

    #[test]
    fn a_policy_period_outside_1_to_1800_names_the_field() {
        check_error(
            "{ type: Percent, value: 100, periodSeconds: 15 }, { type: Pods",
            "{ type: Percent, value: 100, periodSeconds: 1801 }, { type: Pods",
            "spec.behavior.scaleUp.policies[0].periodSeconds: Invalid value: 1801: must be less \
             than or equal to 1800",
        );
        check_error(
            "{ type: Percent, value: 100, periodSeconds: 15 }, { type: Pods",
            "{ type: Percent, value: 100, periodSeconds: 0 }, { type: Pods",
            "spec.behavior.scaleUp.policies[0].periodSeconds: Invalid value: 0: must be greater \
             than zero",
        );
        check_error(
            "{ type: Percent, value: 100, periodSeconds: 15 } ] }",
            "{ type: Percent, value: 100 } ] }",
            "spec.behavior.scaleDown.policies[0].periodSeconds: Required value",
        );
        for period in [1, 1800] {
            let spec = load(&SPEC_YAML.replacen(
                "periodSeconds: 15 }, { type: Pods",
                &format!("periodSeconds: {period} }}, {{ type: Pods"),
                1,
            ))
            .unwrap();
            assert_eq!(spec.scale_up.policies[0].period_s, period);
        }
    }

    #[test]
    fn a_rule_tolerance_is_a_quantity_of_at_least_zero() {
        check_spec_error(
            "  behavior: { scaleUp: { tolerance: -0.1 } }\n",
            "spec.behavior.scaleUp.tolerance: Invalid value: -0.1: must be greater than or equal \
             to zero",
        );
        // Rounded up, -0.1m is 0m, but it is still below zero.
        check_spec_error(
            "  behavior: { scaleDown: { tolerance: -0.1m } }\n",
            "spec.behavior.scaleDown.tolerance: Invalid value: -0.1m: must be greater than or \
             equal to zero",
        );
        check_spec_error(
            "  behavior: { scaleDown: { tolerance: 10% } }\n",
            "spec.behavior.scaleDown.tolerance: Invalid value: \"10%\": quantities must match the \
             regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
        );
        check_spec_error(
            "  behavior: { scaleDown: { tolerance: 1e30 } }\n",
            "spec.behavior.scaleDown.tolerance: Invalid value: \
             1000000000000000000000000000000: must be less than or equal to \
             9223372036854775807m (milli-units held in 64 bits)",
        );
    }

    #[test]
    fn quantities_become_milli_units_rounded_up() {
        for (text, milli) in [
            ("500m", 500),
            ("2", 2000),
            ("1.5k", 1_500_000),
            ("10Mi", 10 * 1024 * 1024 * 1000),
            ("1e3", 1_000_000),
            ("1E3", 1_000_000),
            ("1e+3", 1_000_000),
            ("25e-3", 25),
            ("0.1", 100),
            (".5", 500),
            ("5.", 5000),
            ("+7", 7000),
            ("0", 0),
            ("000.000", 0),
            ("0e99999999999999999999", 0),
            ("1n", 1),
            ("1500000n", 2),
            ("1u", 1),
            ("1000u", 1),
            ("1001u", 2),
            ("1.0001m", 2),
            ("0.1m", 1),
            ("1e-100", 1),
            ("1k", 1_000_000),
            ("1M", 1_000_000_000),
            ("1G", 1_000_000_000_000),
            ("1T", 1_000_000_000_000_000),
            ("1P", 1_000_000_000_000_000_000),
            ("1Ki", 1_024_000),
            ("0.1Ki", 102_400),
            ("0.001Ki", 1024),
            ("0.0001Ki", 103),
            ("1Gi", 1_073_741_824_000),
            ("1Ti", 1_099_511_627_776_000),
            ("1Pi", 1_125_899_906_842_624_000),
            ("-1.5", -1500),
            ("-0.0001", 0),
            ("-1001u", -1),
            ("9223372036854775.807", i64::MAX),
        ] {
            assert_eq!(
                parse_quantity(text).map(|quantity| quantity.milli),
                Ok(milli),
                "{text}"
            );
        }
    }

    #[test]
    fn quantity_signs_survive_rounding() {
        assert_eq!(
            parse_quantity("-0.0001"),
            Ok(Quantity {
                milli: 0,
                negative: true
            })
        );
        assert_eq!(
            parse_quantity("-0"),
            Ok(Quantity {
                milli: 0,
                negative: false
            })
        );
    }

    #[test]
    fn malformed_or_huge_quantities_are_rejected() {
        for text in [
            "", "+", "-", ".", "1..2", "1.2.3", "abc", "1K", "1ki", "1e", "1e+", "1e3.5", "1Kii",
            "1 ", " 1", "1%", "NaN", "inf", "1m5", "e3", "0x10",
        ] {
            assert_eq!(parse_quantity(text), Err(QuantityError::Format), "{text:?}");
        }
        for text in [
            "1E",
            "8Ei",
            "9223372036854775.808",
            "1e20",
            "1e99999999999999999999",
            "100000000000000000000000",
        ] {
            assert_eq!(parse_quantity(text), Err(QuantityError::TooLarge), "{text}");
        }
        // A lone E is exa; E followed by a signed integer is an exponent.
        assert_eq!(parse_quantity("8E-3").map(|quantity| quantity.milli), Ok(8));
    }
}
