//! A Knative `Service` (`serving.knative.dev/v1`) or a KServe `InferenceService`
//! (`serving.kserve.io/v1beta1`), and the `config-autoscaler` ConfigMap, read and checked as
//! Knative and KServe check them, then resolved into the core's [`KpaSpec`]
//! (`docs/semantics/knative-kpa.md`, sections 2 and 3.1).
//!
//! The files are YAML or JSON (a `*.json` file is read as JSON). Three stages:
//!
//! 1. `config-autoscaler` ([S] `pkg/autoscaler/config/config.go`, `NewConfigFromMap`): its keys
//!    parsed in Knative's order with Go's parsers, then `validate`; the first failure is the
//!    error, worded as Knative words it (`failed to parse data: failed to parse "stable-window":
//!    time: invalid duration "x"`, `stable-window = 5s, must be in [6s; 1h0m0s] range`).
//! 2. The manifest: KServe's webhook checks first (an InferenceService; the first failure), then
//!    KServe's controller writes the revision's annotations (`SetAutoScalingAnnotations`), then
//!    Knative's webhook checks the revision template (`ValidateAnnotations`, the progress
//!    deadline, `containerConcurrency`, `timeoutSeconds`), collecting every error and printing
//!    them sorted by message, as `apis.FieldError` does.
//! 3. Resolution (section 3.1): T_v and T_t, the windows, the panic threshold, the initial scale
//!    and the bounds, plus the model's own refusals (section 7 and the "Model choice" notes).
//!
//! Errors name the file and the field path (`svc.yaml:
//! spec.template.metadata.annotations.autoscaling.knative.dev/window: expected 6s <= 5s <=
//! 1h0m0s`); an InferenceService's errors name the InferenceService's own field (its
//! `spec.predictor.minReplicas`, or the annotation as written in its `metadata.annotations`),
//! with Knative's message. When Knative reports several errors, the first is the error and the
//! others follow on their own lines, `field: message`, in Knative's order.
//!
//! Fields the simulation does not use (containers, images, resources, traffic, …) are accepted
//! and ignored, and so are unknown `autoscaling.knative.dev/*` annotations, as Knative ignores
//! them (`ValidateAnnotations` looks only at the keys it knows).

mod go;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use scalesim_core::{KpaMetric, KpaSpec, KpaStart, WindowAlgorithm};
use serde_norway::{Mapping, Value};

use crate::error::ScenarioError;
use crate::vendor_formats::k8s::{describe_yaml, is_json_manifest, yaml_document_of};
use go::{Duration, HOUR_NS, SECOND_NS};

/// A Knative Service's API version and kind.
const SERVICE_API_VERSION: &str = "serving.knative.dev/v1";
/// A Knative Service's kind.
const SERVICE_KIND: &str = "Service";
/// An InferenceService's API version ([K] `v1beta1`).
const INFERENCE_SERVICE_API_VERSION: &str = "serving.kserve.io/v1beta1";
/// An InferenceService's kind.
const INFERENCE_SERVICE_KIND: &str = "InferenceService";

/// The KPA's class ([S] `pkg/apis/autoscaling/register.go`, `KPA`).
const KPA: &str = "kpa.autoscaling.knative.dev";
/// The HPA class, which Knative accepts and scalesim does not model.
const HPA: &str = "hpa.autoscaling.knative.dev";
/// The annotations' group (`GroupName`).
const GROUP_NAME: &str = "autoscaling.knative.dev";
/// **Model choice** (semantics 2.1): the one class simulated.
const ONLY_KPA: &str = "only kpa.autoscaling.knative.dev is modelled";

/// **Model choice** (semantics 7): the most pods simulated, the largest cluster Kubernetes
/// supports; an unbounded maximum is taken as this.
const MAX_PODS: i64 = 150_000;
/// **Model choice** (semantics 7): the refusal of a larger bound.
const TOO_MANY_PODS: &str = "at most 150000 pods are simulated";

/// `autoscaling.TargetMin`.
const TARGET_MIN: f64 = 0.01;
/// `config.TargetUtilization` for RPS: fixed at 0.7, only the annotation changes it.
const RPS_TARGET_UTILIZATION: f64 = 0.7;
/// `autoscaling.WindowMin`.
const WINDOW_MIN: Duration = Duration(6 * SECOND_NS);
/// `autoscaling.WindowMax`.
const WINDOW_MAX: Duration = Duration(HOUR_NS);
/// `config-defaults`' `container-concurrency-max-limit` default ([S] `pkg/apis/config/defaults.go`).
const CONTAINER_CONCURRENCY_MAX_LIMIT: i64 = 1000;
/// `config-defaults`' `max-revision-timeout-seconds` default.
const MAX_REVISION_TIMEOUT_S: i64 = 600;
/// `config-defaults`' `revision-timeout-seconds` default.
const REVISION_TIMEOUT_S: i64 = 300;
/// `config-deployment`'s `progress-deadline` default ([S] `pkg/deployment/config.go`).
const PROGRESS_DEADLINE_S: i64 = 600;
/// `activationTimeoutBuffer` ([S] `pkg/reconciler/autoscaling/kpa/scaler.go`).
const ACTIVATION_TIMEOUT_BUFFER_S: i64 = 30;

/// KServe's `constants.DefaultMinReplicas`.
const KSERVE_DEFAULT_MIN_REPLICAS: i64 = 1;
/// KServe's deployment-mode annotation.
const DEPLOYMENT_MODE: &str = "serving.kserve.io/deploymentMode";
/// The values of `scaleMetric` the InferenceService CRD takes (`+kubebuilder:validation:Enum`).
const SCALE_METRICS: &[&str] = &["cpu", "memory", "concurrency", "rps"];

/// An annotation and its legacy aliases, the first present winning (`kmap.KeyPriority`).
type Keys = &'static [&'static str];

/// `autoscaling.knative.dev/class`.
const CLASS: Keys = &["autoscaling.knative.dev/class"];
/// `autoscaling.knative.dev/metric`.
const METRIC: Keys = &["autoscaling.knative.dev/metric"];
/// `autoscaling.knative.dev/target`.
const TARGET: Keys = &["autoscaling.knative.dev/target"];
/// `autoscaling.knative.dev/target-utilization-percentage`.
const TARGET_UTILIZATION: Keys = &[
    "autoscaling.knative.dev/target-utilization-percentage",
    "autoscaling.knative.dev/targetUtilizationPercentage",
];
/// `autoscaling.knative.dev/window`.
const WINDOW: Keys = &["autoscaling.knative.dev/window"];
/// `autoscaling.knative.dev/panic-window-percentage`.
const PANIC_WINDOW_PERCENTAGE: Keys = &[
    "autoscaling.knative.dev/panic-window-percentage",
    "autoscaling.knative.dev/panicWindowPercentage",
];
/// `autoscaling.knative.dev/panic-threshold-percentage`.
const PANIC_THRESHOLD_PERCENTAGE: Keys = &[
    "autoscaling.knative.dev/panic-threshold-percentage",
    "autoscaling.knative.dev/panicThresholdPercentage",
];
/// `autoscaling.knative.dev/target-burst-capacity`.
const TARGET_BURST_CAPACITY: Keys = &[
    "autoscaling.knative.dev/target-burst-capacity",
    "autoscaling.knative.dev/targetBurstCapacity",
];
/// `autoscaling.knative.dev/min-scale`.
const MIN_SCALE: Keys = &[
    "autoscaling.knative.dev/min-scale",
    "autoscaling.knative.dev/minScale",
];
/// `autoscaling.knative.dev/max-scale`.
const MAX_SCALE: Keys = &[
    "autoscaling.knative.dev/max-scale",
    "autoscaling.knative.dev/maxScale",
];
/// `autoscaling.knative.dev/activation-scale`.
const ACTIVATION_SCALE: Keys = &["autoscaling.knative.dev/activation-scale"];
/// `autoscaling.knative.dev/initial-scale`.
const INITIAL_SCALE: Keys = &[
    "autoscaling.knative.dev/initial-scale",
    "autoscaling.knative.dev/initialScale",
];
/// `autoscaling.knative.dev/scale-down-delay`.
const SCALE_DOWN_DELAY: Keys = &[
    "autoscaling.knative.dev/scale-down-delay",
    "autoscaling.knative.dev/scaleDownDelay",
];
/// `autoscaling.knative.dev/scale-to-zero-pod-retention-period`.
const POD_RETENTION: Keys = &[
    "autoscaling.knative.dev/scale-to-zero-pod-retention-period",
    "autoscaling.knative.dev/scaleToZeroPodRetentionPeriod",
];
/// `autoscaling.knative.dev/metric-aggregation-algorithm`.
const AGGREGATION_ALGORITHM: Keys = &[
    "autoscaling.knative.dev/metric-aggregation-algorithm",
    "autoscaling.knative.dev/metricAggregationAlgorithm",
];
/// `serving.knative.dev/progress-deadline` ([S] `pkg/apis/serving/register.go`).
const PROGRESS_DEADLINE: Keys = &["serving.knative.dev/progress-deadline"];

/// Every annotation with aliases, to find which of its keys was written.
const ALIASED: &[Keys] = &[
    TARGET_UTILIZATION,
    PANIC_WINDOW_PERCENTAGE,
    PANIC_THRESHOLD_PERCENTAGE,
    TARGET_BURST_CAPACITY,
    MIN_SCALE,
    MAX_SCALE,
    INITIAL_SCALE,
    SCALE_DOWN_DELAY,
    POD_RETENTION,
    AGGREGATION_ALGORITHM,
];

/// Reads the revision's manifest and the optional `config-autoscaler` ConfigMap into the
/// decider's parameters (semantics 2 and 3.1). `start` is [`KpaStart::Warm`]; the scenario
/// sets it.
#[allow(dead_code, reason = "wired by the knative-kpa scenario kind")]
pub(crate) fn kpa_spec(
    service_path: &Path,
    service_text: &str,
    config: Option<(&Path, &str)>,
) -> Result<KpaSpec, ScenarioError> {
    let config = match config {
        Some((path, text)) => Config {
            values: read_config(path, text)?,
            file: Some(path.to_owned()),
        },
        None => Config {
            values: AutoscalerConfig::defaults(),
            file: None,
        },
    };
    let reader = Reader { file: service_path };
    let root = read_object(service_path, service_text, "Service or InferenceService")?;
    match manifest_kind(&root, reader)? {
        Manifest::Service => knative_service(&root, reader, &config),
        Manifest::InferenceService => inference_service(&root, reader, &config),
    }
}

// ---------------------------------------------------------------------------------------------
// Reading the files

/// Reads the one object of a YAML or JSON file, which must be a mapping.
fn read_object(path: &Path, text: &str, what: &str) -> Result<Mapping, ScenarioError> {
    let value = if is_json_manifest(path) {
        let json: serde_json::Value =
            serde_json::from_str(text).map_err(|err| file_error(path, err.to_string()))?;
        serde_norway::to_value(json).map_err(|err| file_error(path, err.to_string()))?
    } else {
        yaml_document_of(text, path, what)?.1
    };
    match value {
        Value::Mapping(mapping) => Ok(mapping),
        other => Err(file_error(
            path,
            format!("expected a {what} object, found {}", describe_yaml(&other)),
        )),
    }
}

/// An error about a file as a whole.
fn file_error(path: &Path, message: impl Into<String>) -> ScenarioError {
    ScenarioError::Json {
        path: path.to_owned(),
        message: message.into(),
    }
}

/// Typed access to a manifest's fields, each error naming the file and the field's path.
#[derive(Debug, Clone, Copy)]
struct Reader<'a> {
    /// The manifest.
    file: &'a Path,
}

impl Reader<'_> {
    /// An error at `field`.
    fn error(self, field: &str, message: impl Into<String>) -> ScenarioError {
        ScenarioError::Field {
            path: self.file.to_owned(),
            field: field.to_owned(),
            message: message.into(),
        }
    }

    /// An optional mapping (`null` is absent).
    fn mapping<'v>(
        self,
        value: Option<&'v Value>,
        field: &str,
    ) -> Result<Option<&'v Mapping>, ScenarioError> {
        match value {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Mapping(mapping)) => Ok(Some(mapping)),
            Some(other) => Err(self.error(
                field,
                format!("expected a mapping, found {}", describe_yaml(other)),
            )),
        }
    }

    /// An optional string.
    fn string<'v>(
        self,
        value: Option<&'v Value>,
        field: &str,
    ) -> Result<Option<&'v str>, ScenarioError> {
        match value {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(text)) => Ok(Some(text)),
            Some(other) => Err(self.error(
                field,
                format!("expected a string, found {}", describe_yaml(other)),
            )),
        }
    }

    /// An optional integer of Go type `type_name` (`int32`, `int64`). A YAML or JSON number
    /// with a zero fraction (`2.0`) is the integer, as Kubernetes' JSON decoding takes it.
    fn integer(
        self,
        value: Option<&Value>,
        field: &str,
        type_name: &str,
    ) -> Result<Option<i64>, ScenarioError> {
        let (min, max) = match type_name {
            "int32" => (i64::from(i32::MIN), i64::from(i32::MAX)),
            _ => (i64::MIN, i64::MAX),
        };
        let number = match value {
            None | Some(Value::Null) => return Ok(None),
            Some(Value::Number(number)) => number,
            Some(other) => {
                return Err(self.error(
                    field,
                    format!("expected an integer, found {}", describe_yaml(other)),
                ));
            }
        };
        let integer = number.as_i64().or_else(|| {
            number
                .as_f64()
                .filter(|float| float.fract() == 0.0 && float.abs() < 9.2e18)
                .map(|float| float as i64)
        });
        let has_fraction = number.as_i64().is_none()
            && number.as_u64().is_none()
            && number.as_f64().is_some_and(|float| float.fract() != 0.0);
        match integer {
            Some(integer) if (min..=max).contains(&integer) => Ok(Some(integer)),
            None if has_fraction => {
                Err(self.error(field, format!("expected an integer, found {number}")))
            }
            _ => Err(self.error(
                field,
                format!("expected an {type_name}, found {number}: out of range"),
            )),
        }
    }

    /// A `map[string]string` (annotations, a ConfigMap's `data`): `null` values are empty, as
    /// Go's JSON decoding leaves them; numbers and booleans are refused, as the API server
    /// refuses them, with a hint to quote them.
    fn string_map(
        self,
        value: Option<&Value>,
        field: &str,
        what: &str,
    ) -> Result<BTreeMap<String, String>, ScenarioError> {
        let Some(mapping) = self.mapping(value, field)? else {
            return Ok(BTreeMap::new());
        };
        let mut map = BTreeMap::new();
        for (key, value) in mapping {
            let Value::String(key) = key else {
                return Err(self.error(
                    field,
                    format!("expected string keys, found {}", describe_yaml(key)),
                ));
            };
            let text = match value {
                Value::String(text) => text.clone(),
                Value::Null => String::new(),
                Value::Number(number) => {
                    return Err(self.error(
                        &format!("{field}.{key}"),
                        format!(
                            "expected a string, found a number ({what} values are strings: \
                             write \"{number}\")"
                        ),
                    ));
                }
                Value::Bool(boolean) => {
                    return Err(self.error(
                        &format!("{field}.{key}"),
                        format!(
                            "expected a string, found a boolean ({what} values are strings: \
                             write \"{boolean}\")"
                        ),
                    ));
                }
                other => {
                    return Err(self.error(
                        &format!("{field}.{key}"),
                        format!("expected a string, found {}", describe_yaml(other)),
                    ));
                }
            };
            map.insert(key.clone(), text);
        }
        Ok(map)
    }
}

/// Which manifest a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Manifest {
    /// A Knative `Service`.
    Service,
    /// A KServe `InferenceService`.
    InferenceService,
}

/// Tells the manifests apart by `kind`, then checks `apiVersion`, in the API server's words.
fn manifest_kind(root: &Mapping, reader: Reader<'_>) -> Result<Manifest, ScenarioError> {
    let kind = reader.string(root.get("kind"), "kind")?;
    let api_version = reader.string(root.get("apiVersion"), "apiVersion")?;
    let supported_kinds = format!(
        "supported values: \"{SERVICE_KIND}\" ({SERVICE_API_VERSION}, a Knative Service), \
         \"{INFERENCE_SERVICE_KIND}\" ({INFERENCE_SERVICE_API_VERSION}, a KServe InferenceService)"
    );
    let (manifest, expected) = match kind {
        None | Some("") => {
            return Err(reader.error("kind", format!("Required value: {supported_kinds}")));
        }
        Some(SERVICE_KIND) => (Manifest::Service, SERVICE_API_VERSION),
        Some(INFERENCE_SERVICE_KIND) => (Manifest::InferenceService, INFERENCE_SERVICE_API_VERSION),
        Some(other) => {
            return Err(reader.error(
                "kind",
                format!("Unsupported value: {}: {supported_kinds}", go::quote(other)),
            ));
        }
    };
    match api_version {
        Some(version) if version == expected => Ok(manifest),
        None | Some("") => Err(reader.error("apiVersion", "Required value")),
        Some(other) => {
            let note = match other {
                "v1" => " (apiVersion v1 is a Kubernetes core Service, which does not autoscale)",
                "serving.kubeflow.org/v1beta1" => {
                    " (KFServing's group, renamed serving.kserve.io in KServe 0.7)"
                }
                _ => "",
            };
            Err(reader.error(
                "apiVersion",
                format!(
                    "Unsupported value: {}: supported values: \"{expected}\"{note}",
                    go::quote(other)
                ),
            ))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// config-autoscaler (semantics 2.1)

/// `autoscalerconfig.Config`, the fields the KPA reads.
#[derive(Debug, Clone, PartialEq)]
struct AutoscalerConfig {
    /// `pod-autoscaler-class`.
    pod_autoscaler_class: String,
    /// `enable-scale-to-zero`.
    enable_scale_to_zero: bool,
    /// `allow-zero-initial-scale`.
    allow_zero_initial_scale: bool,
    /// `max-scale-up-rate`.
    max_scale_up_rate: f64,
    /// `max-scale-down-rate`.
    max_scale_down_rate: f64,
    /// `container-concurrency-target-percentage`, as a fraction.
    container_concurrency_target_fraction: f64,
    /// `container-concurrency-target-default`.
    container_concurrency_target_default: f64,
    /// `requests-per-second-target-default`.
    rps_target_default: f64,
    /// `target-burst-capacity`.
    target_burst_capacity: f64,
    /// `panic-window-percentage`.
    panic_window_percentage: f64,
    /// `activator-capacity`.
    activator_capacity: f64,
    /// `panic-threshold-percentage`.
    panic_threshold_percentage: f64,
    /// `initial-scale`.
    initial_scale: i32,
    /// `min-scale`.
    min_scale: i32,
    /// `max-scale`.
    max_scale: i32,
    /// `max-scale-limit`.
    max_scale_limit: i32,
    /// `stable-window`.
    stable_window: Duration,
    /// `scale-down-delay`.
    scale_down_delay: Duration,
    /// `scale-to-zero-grace-period`.
    scale_to_zero_grace_period: Duration,
    /// `scale-to-zero-pod-retention-period`.
    scale_to_zero_pod_retention_period: Duration,
}

impl AutoscalerConfig {
    /// `defaultConfig()`.
    fn defaults() -> AutoscalerConfig {
        AutoscalerConfig {
            pod_autoscaler_class: KPA.to_owned(),
            enable_scale_to_zero: true,
            allow_zero_initial_scale: false,
            max_scale_up_rate: 1000.0,
            max_scale_down_rate: 2.0,
            container_concurrency_target_fraction: 0.7,
            container_concurrency_target_default: 100.0,
            rps_target_default: 200.0,
            target_burst_capacity: 211.0,
            panic_window_percentage: 10.0,
            activator_capacity: 100.0,
            panic_threshold_percentage: 200.0,
            initial_scale: 1,
            min_scale: 0,
            max_scale: 0,
            max_scale_limit: 0,
            stable_window: Duration(60 * SECOND_NS),
            scale_down_delay: Duration(0),
            scale_to_zero_grace_period: Duration(30 * SECOND_NS),
            scale_to_zero_pod_retention_period: Duration(0),
        }
    }
}

/// The cluster's `config-autoscaler` and the file it came from (none: all defaults).
#[derive(Debug)]
struct Config {
    /// The parsed, validated values.
    values: AutoscalerConfig,
    /// The ConfigMap's file.
    file: Option<PathBuf>,
}

impl Config {
    /// An error at the config's `data.KEY` (in the manifest's file when there is no config,
    /// which the defaults never cause).
    fn error(&self, key: &str, message: impl Into<String>, fallback: &Path) -> ScenarioError {
        ScenarioError::Field {
            path: self.file.clone().unwrap_or_else(|| fallback.to_owned()),
            field: format!("data.{key}"),
            message: message.into(),
        }
    }
}

/// Reads `config-autoscaler`: the whole ConfigMap, or a mapping with only `data`.
fn read_config(path: &Path, text: &str) -> Result<AutoscalerConfig, ScenarioError> {
    let reader = Reader { file: path };
    let root = read_object(path, text, "ConfigMap")?;
    if root.contains_key("kind") {
        match reader.string(root.get("kind"), "kind")? {
            Some("ConfigMap") => {}
            other => {
                return Err(reader.error(
                    "kind",
                    format!(
                        "Unsupported value: {}: supported values: \"ConfigMap\" (the \
                         config-autoscaler ConfigMap of namespace knative-serving)",
                        go::quote(other.unwrap_or_default())
                    ),
                ));
            }
        }
        match reader.string(root.get("apiVersion"), "apiVersion")? {
            None | Some("v1") => {}
            Some(other) => {
                return Err(reader.error(
                    "apiVersion",
                    format!(
                        "Unsupported value: {}: supported values: \"v1\"",
                        go::quote(other)
                    ),
                ));
            }
        }
        let metadata = reader.mapping(root.get("metadata"), "metadata")?;
        if let Some(name) = reader.string(metadata.and_then(|m| m.get("name")), "metadata.name")?
            && name != "config-autoscaler"
        {
            return Err(reader.error(
                "metadata.name",
                format!(
                    "expected the ConfigMap config-autoscaler (namespace knative-serving), found \
                     {}",
                    go::quote(name)
                ),
            ));
        }
    } else if let Some((key, _)) = root.iter().find(|(key, _)| key.as_str() != Some("data")) {
        let key = match key {
            Value::String(key) => key.clone(),
            other => describe_yaml(other).to_owned(),
        };
        return Err(reader.error(
            &key,
            "unknown field: a config-autoscaler file is a ConfigMap (`kind: ConfigMap`) or a \
             mapping with only `data`; the keys go under `data`",
        ));
    }
    let data = reader.string_map(root.get("data"), "data", "ConfigMap data")?;
    config_from_map(&data).map_err(|(key, message)| reader.error(&format!("data.{key}"), message))
}

/// `NewConfigFromMap`: the keys parsed in Knative's order (the first that does not parse is
/// the error), the target percentage turned into a fraction, then `validate`. Errors are the
/// key they concern and Knative's message.
fn config_from_map(
    data: &BTreeMap<String, String>,
) -> Result<AutoscalerConfig, (&'static str, String)> {
    /// Parses `key` with `parse` into `target` when present ([P] `configmap/parser`, `AsFunc`).
    fn read<T>(
        data: &BTreeMap<String, String>,
        key: &'static str,
        parse: fn(&str) -> Result<T, String>,
        target: &mut T,
    ) -> Result<(), (&'static str, String)> {
        if let Some(raw) = data.get(key) {
            *target = parse(raw).map_err(|err| {
                (
                    key,
                    format!(
                        "failed to parse data: failed to parse {}: {err}",
                        go::quote(key)
                    ),
                )
            })?;
        }
        Ok(())
    }
    let mut c = AutoscalerConfig::defaults();
    if let Some(raw) = data.get("pod-autoscaler-class") {
        // `AsString` trims spaces (Go's `strings.TrimSpace`, the same set as Rust's `trim`).
        c.pod_autoscaler_class = raw.trim().to_owned();
    }
    read(
        data,
        "enable-scale-to-zero",
        go::parse_bool,
        &mut c.enable_scale_to_zero,
    )?;
    read(
        data,
        "allow-zero-initial-scale",
        go::parse_bool,
        &mut c.allow_zero_initial_scale,
    )?;
    read(
        data,
        "max-scale-up-rate",
        go::parse_float,
        &mut c.max_scale_up_rate,
    )?;
    read(
        data,
        "max-scale-down-rate",
        go::parse_float,
        &mut c.max_scale_down_rate,
    )?;
    read(
        data,
        "container-concurrency-target-percentage",
        go::parse_float,
        &mut c.container_concurrency_target_fraction,
    )?;
    read(
        data,
        "container-concurrency-target-default",
        go::parse_float,
        &mut c.container_concurrency_target_default,
    )?;
    read(
        data,
        "requests-per-second-target-default",
        go::parse_float,
        &mut c.rps_target_default,
    )?;
    read(
        data,
        "target-burst-capacity",
        go::parse_float,
        &mut c.target_burst_capacity,
    )?;
    read(
        data,
        "panic-window-percentage",
        go::parse_float,
        &mut c.panic_window_percentage,
    )?;
    read(
        data,
        "activator-capacity",
        go::parse_float,
        &mut c.activator_capacity,
    )?;
    read(
        data,
        "panic-threshold-percentage",
        go::parse_float,
        &mut c.panic_threshold_percentage,
    )?;
    let int32 = |text: &str| go::parse_int32(text).map_err(|err| err.message);
    read(data, "initial-scale", int32, &mut c.initial_scale)?;
    read(data, "min-scale", int32, &mut c.min_scale)?;
    read(data, "max-scale", int32, &mut c.max_scale)?;
    read(data, "max-scale-limit", int32, &mut c.max_scale_limit)?;
    read(data, "stable-window", Duration::parse, &mut c.stable_window)?;
    read(
        data,
        "scale-down-delay",
        Duration::parse,
        &mut c.scale_down_delay,
    )?;
    read(
        data,
        "scale-to-zero-grace-period",
        Duration::parse,
        &mut c.scale_to_zero_grace_period,
    )?;
    read(
        data,
        "scale-to-zero-pod-retention-period",
        Duration::parse,
        &mut c.scale_to_zero_pod_retention_period,
    )?;
    // "for legacy reasons we allow values in the (0, 1] interval"
    if c.container_concurrency_target_fraction > 1.0 {
        c.container_concurrency_target_fraction /= 100.0;
    }
    validate_config(&c)?;
    Ok(c)
}

/// `validate`: the checks in Knative's order, the first failure the only error.
fn validate_config(c: &AutoscalerConfig) -> Result<(), (&'static str, String)> {
    let v = go::format_v;
    if c.scale_to_zero_grace_period <= Duration(0) {
        return Err((
            "scale-to-zero-grace-period",
            format!(
                "scale-to-zero-grace-period must be positive, was: {}",
                c.scale_to_zero_grace_period
            ),
        ));
    }
    if c.scale_down_delay < Duration(0) {
        return Err((
            "scale-down-delay",
            format!(
                "scale-down-delay cannot be negative, was: {}",
                c.scale_down_delay
            ),
        ));
    }
    if c.scale_down_delay.round(SECOND_NS) != c.scale_down_delay {
        return Err((
            "scale-down-delay",
            format!(
                "scale-down-delay = {}, must be specified with at most second precision",
                c.scale_down_delay
            ),
        ));
    }
    if c.scale_to_zero_pod_retention_period < Duration(0) {
        return Err((
            "scale-to-zero-pod-retention-period",
            format!(
                "scale-to-zero-pod-retention-period cannot be negative, was: {}",
                c.scale_to_zero_pod_retention_period
            ),
        ));
    }
    if c.target_burst_capacity < 0.0 && c.target_burst_capacity != -1.0 {
        return Err((
            "target-burst-capacity",
            format!(
                "target-burst-capacity must be either non-negative or -1 (for unlimited), was: {}",
                go::format_f(c.target_burst_capacity)
            ),
        ));
    }
    let fraction = c.container_concurrency_target_fraction;
    if fraction <= 0.0 || fraction > 1.0 {
        return Err((
            "container-concurrency-target-percentage",
            format!(
                "container-concurrency-target-percentage = {} is outside of valid range of (0, 100]",
                go::format_f(fraction)
            ),
        ));
    }
    let target = fraction * c.container_concurrency_target_default;
    if target < TARGET_MIN {
        return Err((
            "container-concurrency-target-default",
            format!(
                "container-concurrency-target-percentage and container-concurrency-target-default \
                 yield target concurrency of {}, can't be less than {}",
                v(target),
                v(TARGET_MIN)
            ),
        ));
    }
    if c.rps_target_default < TARGET_MIN {
        return Err((
            "requests-per-second-target-default",
            format!(
                "requests-per-second-target-default must be at least {}, was: {}",
                v(TARGET_MIN),
                v(c.rps_target_default)
            ),
        ));
    }
    if c.activator_capacity < 1.0 {
        return Err((
            "activator-capacity",
            format!(
                "activator-capacity = {}, must be at least 1",
                v(c.activator_capacity)
            ),
        ));
    }
    if c.max_scale_up_rate <= 1.0 {
        return Err((
            "max-scale-up-rate",
            format!(
                "max-scale-up-rate = {}, must be greater than 1.0",
                v(c.max_scale_up_rate)
            ),
        ));
    }
    if c.max_scale_down_rate <= 1.0 {
        return Err((
            "max-scale-down-rate",
            format!(
                "max-scale-down-rate = {}, must be greater than 1.0",
                v(c.max_scale_down_rate)
            ),
        ));
    }
    if c.stable_window < WINDOW_MIN || c.stable_window > WINDOW_MAX {
        return Err((
            "stable-window",
            format!(
                "stable-window = {}, must be in [{WINDOW_MIN}; {WINDOW_MAX}] range",
                c.stable_window
            ),
        ));
    }
    if c.stable_window.round(SECOND_NS) != c.stable_window {
        return Err((
            "stable-window",
            format!(
                "stable-window = {}, must be specified with at most second precision",
                c.stable_window
            ),
        ));
    }
    if c.panic_window_percentage < 1.0 || c.panic_window_percentage > 100.0 {
        return Err((
            "panic-window-percentage",
            format!(
                "panic-window-percentage = {}, must be in [1, 100] interval",
                v(c.panic_window_percentage)
            ),
        ));
    }
    if c.initial_scale < 0 || (c.initial_scale == 0 && !c.allow_zero_initial_scale) {
        return Err((
            "initial-scale",
            format!(
                "initial-scale = {}, must be at least 0 (or at least 1 when \
                 allow-zero-initial-scale is false)",
                c.initial_scale
            ),
        ));
    }
    if c.min_scale < 0 {
        return Err((
            "min-scale",
            format!("min-scale = {}, must be at least 0", c.min_scale),
        ));
    }
    let min_max_scale = i32::from(c.max_scale_limit > 0);
    if c.max_scale < min_max_scale || (c.max_scale_limit > 0 && c.max_scale > c.max_scale_limit) {
        return Err((
            "max-scale",
            format!(
                "max-scale = {}, must be in [{min_max_scale}, max-scale-limit({})] range",
                c.max_scale, c.max_scale_limit
            ),
        ));
    }
    if c.max_scale_limit < 0 {
        return Err((
            "max-scale-limit",
            format!(
                "max-scale-limit = {}, must be at least 0",
                c.max_scale_limit
            ),
        ));
    }
    if c.min_scale > c.max_scale && c.max_scale > 0 {
        return Err((
            "min-scale",
            format!(
                "min-scale ({}) must be less than max-scale ({})",
                c.min_scale, c.max_scale
            ),
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The revision's annotations and Knative's webhook (semantics 2.2)

/// A revision template's annotations, each with the field path of the manifest that wrote it.
#[derive(Debug, Default)]
struct Annotations {
    /// The annotations, as the revision template would carry them.
    values: BTreeMap<String, String>,
    /// Where each was written (`spec.predictor.minReplicas` for KServe's `min-scale`).
    origins: BTreeMap<String, String>,
    /// The path of an annotation that was not written: `spec.template.metadata.annotations.`.
    prefix: &'static str,
    /// Whether an error about an annotation that was not written names the alias that was
    /// (an InferenceService's own field), rather than the key Knative names.
    follow_aliases: bool,
}

impl Annotations {
    /// Annotations written under `prefix`.
    fn written_at(
        prefix: &'static str,
        values: BTreeMap<String, String>,
        follow_aliases: bool,
    ) -> Annotations {
        let origins = values
            .keys()
            .map(|key| (key.clone(), format!("{prefix}{key}")))
            .collect();
        Annotations {
            values,
            origins,
            prefix,
            follow_aliases,
        }
    }

    /// Sets `key`, written at `origin`.
    fn insert(&mut self, key: &str, value: String, origin: String) {
        self.values.insert(key.to_owned(), value);
        self.origins.insert(key.to_owned(), origin);
    }

    /// `KeyPriority.Get`: the first of `keys` present, and its value.
    fn get(&self, keys: Keys) -> Option<(&'static str, &str)> {
        keys.iter()
            .find_map(|&key| self.values.get(key).map(|value| (key, value.as_str())))
    }

    /// The field path an error about `key` names.
    fn path(&self, key: &str) -> String {
        if let Some(origin) = self.origins.get(key) {
            return origin.clone();
        }
        if self.follow_aliases
            && let Some(keys) = ALIASED.iter().find(|keys| keys.contains(&key))
            && let Some((written, _)) = self.get(keys)
            && let Some(origin) = self.origins.get(written)
        {
            return origin.clone();
        }
        format!("{}{key}", self.prefix)
    }

    /// `annotationFloat64`: the value, when present and a float.
    fn float(&self, keys: Keys) -> Option<(&'static str, f64)> {
        let (key, text) = self.get(keys)?;
        go::parse_float(text).ok().map(|value| (key, value))
    }

    /// `annotationInt32`: the value, when present and an int32.
    fn int32(&self, keys: Keys) -> Option<(&'static str, i32)> {
        let (key, text) = self.get(keys)?;
        go::parse_int32(text).ok().map(|value| (key, value))
    }

    /// `annotationDuration`: the value, when present and a duration.
    fn duration(&self, keys: Keys) -> Option<(&'static str, Duration)> {
        let (key, text) = self.get(keys)?;
        Duration::parse(text).ok().map(|value| (key, value))
    }
}

/// Knative's `apis.FieldError`: every error found, printed merged and sorted.
#[derive(Debug, Default)]
struct FieldErrors {
    /// (message, details, paths), in the order found.
    errors: Vec<(String, String, Vec<String>)>,
}

impl FieldErrors {
    /// An error at `paths`.
    fn add(&mut self, message: impl Into<String>, paths: Vec<String>) {
        self.errors.push((message.into(), String::new(), paths));
    }

    /// An error with details.
    fn add_detailed(&mut self, message: String, details: &str, paths: Vec<String>) {
        self.errors.push((message, details.to_owned(), paths));
    }

    /// `FieldError.Error`: errors with the same message and details merged, their paths
    /// de-duplicated and sorted, the errors sorted by message, then details. The first is the
    /// error; the others follow on their own lines as `field: message`.
    fn into_result(self, file: &Path) -> Result<(), ScenarioError> {
        let mut merged: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
        for (message, details, paths) in self.errors {
            let entry = merged.entry((message, details)).or_default();
            for path in paths {
                if !entry.contains(&path) {
                    entry.push(path);
                }
            }
        }
        let mut lines = merged.into_iter().map(|((message, details), mut paths)| {
            paths.sort();
            let text = if details.is_empty() {
                message
            } else {
                format!("{message}: {details}")
            };
            (paths.join(", "), text)
        });
        let Some((field, mut message)) = lines.next() else {
            return Ok(());
        };
        for (paths, text) in lines {
            message.push_str(&format!("\n{paths}: {text}"));
        }
        Err(ScenarioError::Field {
            path: file.to_owned(),
            field,
            message,
        })
    }
}

/// `apis.ErrInvalidValue`'s message.
fn invalid_value(value: &str) -> String {
    format!("invalid value: {value}")
}

/// What Knative's webhook checks on a revision template: `ValidateAnnotations`,
/// `validateProgressDeadlineAnnotation`, `ValidateContainerConcurrency` and
/// `validateTimeoutSeconds` ([S] `pkg/apis/serving/v1/revision_validation.go`).
fn validate_revision(
    errors: &mut FieldErrors,
    config: &AutoscalerConfig,
    annotations: &Annotations,
    container_concurrency: Option<(i64, &str)>,
    timeout_seconds: Option<(i64, &str)>,
) {
    validate_annotations(errors, config, annotations);
    validate_progress_deadline(errors, annotations);
    if let Some((seconds, path)) = timeout_seconds
        && seconds != 0
        && !(0..=MAX_REVISION_TIMEOUT_S).contains(&seconds)
    {
        errors.add(
            format!("expected 0 <= {seconds} <= {MAX_REVISION_TIMEOUT_S}"),
            vec![path.to_owned()],
        );
    }
    if let Some((concurrency, path)) = container_concurrency
        && !(0..=CONTAINER_CONCURRENCY_MAX_LIMIT).contains(&concurrency)
    {
        errors.add(
            format!("expected 0 <= {concurrency} <= {CONTAINER_CONCURRENCY_MAX_LIMIT}"),
            vec![path.to_owned()],
        );
    }
}

/// [S] `pkg/apis/autoscaling/annotation_validation.go`, `ValidateAnnotations`: class,
/// min/max/activation scale, floats, window, retention, scale-down delay, metric, algorithm,
/// initial scale.
fn validate_annotations(
    errors: &mut FieldErrors,
    config: &AutoscalerConfig,
    annotations: &Annotations,
) {
    let at = |key: &str| vec![annotations.path(key)];
    // validateClass
    if let Some((key, class)) = annotations.get(CLASS)
        && class.ends_with(".knative.dev")
        && class != KPA
        && class != HPA
    {
        errors.add(invalid_value(class), at(key));
    }
    // validateMinMaxScale
    let mut int_ge0 = |keys: Keys| -> i32 {
        let Some((key, text)) = annotations.get(keys) else {
            return 0;
        };
        match go::parse_int32(text) {
            Ok(value) if value >= 0 => value,
            Ok(_) => {
                errors.add(format!("expected 0 <= {text} <= {}", i32::MAX), at(key));
                0
            }
            Err(err) if err.range => {
                errors.add(format!("expected 0 <= {text} <= {}", i32::MAX), at(key));
                0
            }
            Err(_) => {
                errors.add(invalid_value(text), at(key));
                0
            }
        }
    };
    let min = int_ge0(MIN_SCALE);
    let max = int_ge0(MAX_SCALE);
    if max != 0 && max < min {
        errors.add(
            format!("max-scale={max} is less than min-scale={min}"),
            vec![
                annotations.path(MAX_SCALE[0]),
                annotations.path(MIN_SCALE[0]),
            ],
        );
    }
    if let Some((key, _)) = annotations.get(MAX_SCALE) {
        let limit = config.max_scale_limit;
        if limit != 0 {
            if max > limit {
                errors.add(format!("expected 1 <= {max} <= {limit}"), at(key));
            }
            if max == 0 {
                errors.add(
                    format!("max-scale=0 (unlimited), must be less than {limit}"),
                    at(key),
                );
            }
        }
    }
    if let Some((key, text)) = annotations.get(ACTIVATION_SCALE) {
        match go::parse_int32(text) {
            Err(_) => errors.add(invalid_value(text), at(key)),
            Ok(activation) if min > activation => errors.add(
                format!("min-scale={min} is greater than activation-scale={activation}"),
                at(key),
            ),
            Ok(activation) if max < activation && max != 0 => errors.add(
                format!("max-scale={max} is less than activation-scale={activation}"),
                at(key),
            ),
            Ok(activation) if activation < 2 => errors.add(
                format!("activation-scale={activation} must be greater than 1"),
                at(key),
            ),
            Ok(_) => {}
        }
    }
    // validateFloats
    validate_bounded(errors, annotations, PANIC_WINDOW_PERCENTAGE, (1.0, 100.0));
    validate_bounded(
        errors,
        annotations,
        PANIC_THRESHOLD_PERCENTAGE,
        (110.0, 1000.0),
    );
    if let Some((key, text)) = annotations.get(TARGET) {
        match go::parse_float(text) {
            Err(_) => errors.add(invalid_value(text), at(key)),
            Ok(value) if value < TARGET_MIN => errors.add(
                format!(
                    "target {text} should be at least {}",
                    go::format_v(TARGET_MIN)
                ),
                at(key),
            ),
            Ok(_) => {}
        }
    }
    validate_bounded(errors, annotations, TARGET_UTILIZATION, (1.0, 100.0));
    if let Some((key, text)) = annotations.get(TARGET_BURST_CAPACITY) {
        match go::parse_float(text) {
            Ok(value) if !(value < 0.0 && value != -1.0) => {}
            _ => errors.add(invalid_value(text), at(key)),
        }
    }
    // validateWindow (the path is always the window key)
    if let Some((key, text)) = annotations.get(WINDOW) {
        match Duration::parse(text) {
            Err(_) => errors.add(invalid_value(text), at(key)),
            Ok(window) if window < WINDOW_MIN || window > WINDOW_MAX => errors.add(
                format!("expected {WINDOW_MIN} <= {text} <= {WINDOW_MAX}"),
                at(key),
            ),
            Ok(window) if window.truncate(SECOND_NS) != window => {
                errors.add("must be specified with at most second precision", at(key))
            }
            Ok(_) => {}
        }
    }
    // validateLastPodRetention
    if let Some((key, text)) = annotations.get(POD_RETENTION) {
        match Duration::parse(text) {
            Err(_) => errors.add(invalid_value(text), at(key)),
            Ok(retention) if retention < Duration(0) || retention > WINDOW_MAX => errors.add(
                format!("expected {} <= {text} <= {WINDOW_MAX}", Duration(0)),
                at(key),
            ),
            Ok(_) => {}
        }
    }
    // validateScaleDownDelay
    if let Some((key, text)) = annotations.get(SCALE_DOWN_DELAY) {
        match Duration::parse(text) {
            Err(_) => errors.add(invalid_value(text), at(key)),
            Ok(delay) if delay < Duration(0) || delay > WINDOW_MAX => errors.add(
                format!("expected {} <= {text} <= {WINDOW_MAX}", Duration(0)),
                at(key),
            ),
            Ok(delay) if delay.round(SECOND_NS) != delay => {
                errors.add("must be specified with at most second precision", at(key))
            }
            Ok(_) => {}
        }
    }
    // validateMetric: the class annotation, else the config's class, decides what is valid.
    if let Some((key, metric)) = annotations.get(METRIC) {
        let class = annotations
            .get(CLASS)
            .map_or(config.pod_autoscaler_class.as_str(), |(_, class)| class);
        let valid = match class {
            KPA => matches!(metric, "concurrency" | "rps"),
            HPA => !metric.is_empty(),
            _ => true,
        };
        if !valid {
            errors.add(invalid_value(metric), at(key));
        }
    }
    // validateAlgorithm: only when the class annotation names the KPA.
    if annotations.get(CLASS).map(|(_, class)| class) == Some(KPA)
        && let Some((key, algorithm)) = annotations.get(AGGREGATION_ALGORITHM)
        && !algorithm.is_empty()
        && !matches!(
            algorithm,
            "linear" | "weighted-exponential" | "weightedExponential"
        )
    {
        errors.add(invalid_value(algorithm), at(key));
    }
    // validateInitialScale. Knative's path is `KEY must be greater than 0`; scalesim names the
    // key and puts Knative's path text in the message, as the semantics' table words it.
    if let Some((key, text)) = annotations.get(INITIAL_SCALE) {
        match go::atoi(text) {
            Err(_) => errors.add(invalid_value(text), at(key)),
            Ok(scale) if scale < 0 => errors.add(
                format!("invalid value: {text}: {key} must be greater than 0"),
                at(key),
            ),
            Ok(0) if !config.allow_zero_initial_scale => errors.add(
                format!("invalid value: {text}: {key}=0 not allowed by cluster"),
                at(key),
            ),
            Ok(_) => {}
        }
    }
}

/// A float annotation in [low, high]: `ErrOutOfBoundsValue` (bounds printed with `%v`), or
/// `ErrInvalidValue` when it is not a float.
fn validate_bounded(
    errors: &mut FieldErrors,
    annotations: &Annotations,
    keys: Keys,
    (low, high): (f64, f64),
) {
    let Some((key, text)) = annotations.get(keys) else {
        return;
    };
    let at = vec![annotations.path(key)];
    match go::parse_float(text) {
        Err(_) => errors.add(invalid_value(text), at),
        Ok(value) if value < low || value > high => errors.add(
            format!(
                "expected {} <= {text} <= {}",
                go::format_v(low),
                go::format_v(high)
            ),
            at,
        ),
        Ok(_) => {}
    }
}

/// `validateProgressDeadlineAnnotation`: a duration, whole seconds, not negative.
fn validate_progress_deadline(errors: &mut FieldErrors, annotations: &Annotations) {
    let Some((key, text)) = annotations.get(PROGRESS_DEADLINE) else {
        return;
    };
    if text.is_empty() {
        return;
    }
    let at = vec![annotations.path(key)];
    match Duration::parse(text) {
        Err(_) => errors.add(invalid_value(text), at),
        Ok(deadline) if deadline.round(SECOND_NS) != deadline => {
            errors.add(
                format!("progress-deadline={text} is not at second precision"),
                at,
            );
        }
        Ok(deadline) if deadline < Duration(0) => {
            errors.add(format!("progress-deadline={text} must be positive"), at);
        }
        Ok(_) => {}
    }
}

// ---------------------------------------------------------------------------------------------
// The two manifests

/// The revision as Knative sees it, checked.
#[derive(Debug)]
struct Revision {
    /// Its template's annotations.
    annotations: Annotations,
    /// `containerConcurrency`, 0 to 1000 (0: unlimited, `config-defaults`' default).
    container_concurrency: i64,
    /// Where `containerConcurrency` is written.
    container_concurrency_path: &'static str,
    /// `timeoutSeconds` as written (absent or 0: `revision-timeout-seconds`).
    timeout_seconds: Option<i64>,
}

/// A Knative `Service`: its template's annotations and revision spec, checked by Knative's
/// webhook (`Service.Validate`), then resolved.
fn knative_service(
    root: &Mapping,
    reader: Reader<'_>,
    config: &Config,
) -> Result<KpaSpec, ScenarioError> {
    const ANNOTATIONS: &str = "spec.template.metadata.annotations";
    const CONTAINER_CONCURRENCY: &str = "spec.template.spec.containerConcurrency";
    const TIMEOUT_SECONDS: &str = "spec.template.spec.timeoutSeconds";
    let metadata = reader.mapping(root.get("metadata"), "metadata")?;
    let own_annotations = reader.string_map(
        metadata.and_then(|metadata| metadata.get("annotations")),
        "metadata.annotations",
        "annotation",
    )?;
    let spec = reader.mapping(root.get("spec"), "spec")?;
    let template = reader.mapping(spec.and_then(|spec| spec.get("template")), "spec.template")?;
    let template_metadata = reader.mapping(
        template.and_then(|template| template.get("metadata")),
        "spec.template.metadata",
    )?;
    let values = reader.string_map(
        template_metadata.and_then(|metadata| metadata.get("annotations")),
        ANNOTATIONS,
        "annotation",
    )?;
    let revision_spec = reader.mapping(
        template.and_then(|template| template.get("spec")),
        "spec.template.spec",
    )?;
    let field = |name: &str| revision_spec.and_then(|spec| spec.get(name));
    let container_concurrency = reader.integer(
        field("containerConcurrency"),
        CONTAINER_CONCURRENCY,
        "int64",
    )?;
    let timeout_seconds = reader.integer(field("timeoutSeconds"), TIMEOUT_SECONDS, "int64")?;
    let annotations = Annotations::written_at("spec.template.metadata.annotations.", values, false);

    let mut errors = FieldErrors::default();
    // ValidateHasNoAutoscalingAnnotation on the Service's own metadata.
    for key in own_annotations.keys() {
        if key.starts_with(GROUP_NAME) {
            errors.add_detailed(
                format!("invalid key name {}", go::quote(key)),
                "autoscaling annotations must be put under \"spec.template.metadata.annotations\" \
                 to work",
                vec!["metadata.annotations".to_owned()],
            );
        }
    }
    validate_revision(
        &mut errors,
        &config.values,
        &annotations,
        container_concurrency.map(|value| (value, CONTAINER_CONCURRENCY)),
        timeout_seconds.map(|value| (value, TIMEOUT_SECONDS)),
    );
    errors.into_result(reader.file)?;
    let revision = Revision {
        annotations,
        container_concurrency: container_concurrency.unwrap_or(0),
        container_concurrency_path: CONTAINER_CONCURRENCY,
        timeout_seconds,
    };
    resolve(&revision, reader, config)
}

/// A KServe `InferenceService`'s predictor: KServe's webhook (the first failure), KServe's
/// controller writing the revision template (`SetAutoScalingAnnotations`,
/// `ValidateInitialScaleAnnotation`, `createKnativeService`), Knative's webhook on it, then
/// resolution.
fn inference_service(
    root: &Mapping,
    reader: Reader<'_>,
    config: &Config,
) -> Result<KpaSpec, ScenarioError> {
    const MIN_REPLICAS: &str = "spec.predictor.minReplicas";
    const MAX_REPLICAS: &str = "spec.predictor.maxReplicas";
    const SCALE_TARGET: &str = "spec.predictor.scaleTarget";
    const SCALE_METRIC: &str = "spec.predictor.scaleMetric";
    const CONTAINER_CONCURRENCY: &str = "spec.predictor.containerConcurrency";
    const TIMEOUT: &str = "spec.predictor.timeout";
    let metadata = reader.mapping(root.get("metadata"), "metadata")?;
    let own_annotations = reader.string_map(
        metadata.and_then(|metadata| metadata.get("annotations")),
        "metadata.annotations",
        "annotation",
    )?;
    let spec = reader
        .mapping(root.get("spec"), "spec")?
        .ok_or_else(|| reader.error("spec", "Required value"))?;
    let predictor = reader
        .mapping(spec.get("predictor"), "spec.predictor")?
        .ok_or_else(|| reader.error("spec.predictor", "Required value"))?;
    let min_replicas = reader.integer(predictor.get("minReplicas"), MIN_REPLICAS, "int32")?;
    let max_replicas = reader
        .integer(predictor.get("maxReplicas"), MAX_REPLICAS, "int32")?
        .unwrap_or(0);
    let scale_target = reader.integer(predictor.get("scaleTarget"), SCALE_TARGET, "int32")?;
    let scale_metric = reader.string(predictor.get("scaleMetric"), SCALE_METRIC)?;
    if let Some(metric) = scale_metric
        && !SCALE_METRICS.contains(&metric)
    {
        // The CRD's enum, checked by the API server before KServe's webhook.
        let supported = SCALE_METRICS
            .iter()
            .map(|value| go::quote(value))
            .collect::<Vec<_>>()
            .join(", ");
        return Err(reader.error(
            SCALE_METRIC,
            format!(
                "Unsupported value: {}: supported values: {supported}",
                go::quote(metric)
            ),
        ));
    }
    let container_concurrency = reader.integer(
        predictor.get("containerConcurrency"),
        CONTAINER_CONCURRENCY,
        "int64",
    )?;
    let timeout = reader.integer(predictor.get("timeout"), TIMEOUT, "int64")?;
    let deployment_strategy = predictor
        .get("deploymentStrategy")
        .is_some_and(|value| !value.is_null());
    let predictor_annotations = reader.string_map(
        predictor.get("annotations"),
        "spec.predictor.annotations",
        "annotation",
    )?;

    // **Model choice**: the KPA scales an InferenceService only in Knative mode. Without the
    // annotation, the cluster's default mode is taken to be Knative (the scenario says so).
    if let Some(mode) = own_annotations.get(DEPLOYMENT_MODE)
        && !matches!(mode.as_str(), "" | "Knative" | "Serverless")
    {
        return Err(reader.error(
            &format!("metadata.annotations.{DEPLOYMENT_MODE}"),
            format!(
                "Unsupported value: {}: supported values: \"Knative\", \"Serverless\" (the \
                 Knative Pod Autoscaler scales an InferenceService only in Knative mode)",
                go::quote(mode)
            ),
        ));
    }

    // KServe's webhook: `ComponentExtensionSpec.Validate`, then
    // `validateAutoScalingCompExtension` (Knative mode), the first failure the only error.
    if let Some(concurrency) = container_concurrency
        && concurrency < 0
    {
        return Err(reader.error(CONTAINER_CONCURRENCY, "parallelism cannot be less than 0"));
    }
    let min = min_replicas.unwrap_or(KSERVE_DEFAULT_MIN_REPLICAS);
    if min < 0 {
        return Err(reader.error(MIN_REPLICAS, "'MinReplicas' cannot be less than 0"));
    }
    if max_replicas < 0 {
        return Err(reader.error(MAX_REPLICAS, "'MaxReplicas' cannot be less than 0"));
    }
    if min > max_replicas && max_replicas != 0 {
        return Err(reader.error(
            &format!("{MAX_REPLICAS}, {MIN_REPLICAS}"),
            "'MinReplicas' cannot be greater than MaxReplicas",
        ));
    }
    if own_annotations.get(CLASS[0]).map(String::as_str) == Some(HPA) {
        // KServe would check the HPA's rules; the HPA class is not modelled here.
        return Err(reader.error(&format!("metadata.annotations.{}", CLASS[0]), ONLY_KPA));
    }
    if deployment_strategy {
        return Err(reader.error(
            "spec.predictor.deploymentStrategy",
            "customizing deploymentStrategy is only supported for raw deployment mode",
        ));
    }
    let metric = scale_metric.unwrap_or("concurrency");
    if !matches!(metric, "concurrency" | "rps") {
        return Err(reader.error(
            SCALE_METRIC,
            format!("[{metric}] is not a supported metric"),
        ));
    }
    if metric == "rps"
        && let Some(target) = scale_target
        && target < 1
    {
        return Err(reader.error(SCALE_TARGET, "the target for rps should be greater than 1"));
    }

    // KServe's controller. `ValidateInitialScaleAnnotation` drops an `initial-scale` on the
    // InferenceService that is not an integer, or 0 while the cluster forbids it.
    let mut own = own_annotations;
    let initial_key = INITIAL_SCALE[0];
    if let Some(text) = own.get(initial_key) {
        let drop = match go::atoi(text) {
            Err(_) => true,
            Ok(scale) => scale == 0 && !config.values.allow_zero_initial_scale,
        };
        if drop {
            own.remove(initial_key);
        }
    }
    // `ServiceAnnotationDisallowedList`: min-scale and max-scale are KServe's to write.
    let disallowed = [MIN_SCALE[0], MAX_SCALE[0]];
    let mut annotations = Annotations {
        prefix: "metadata.annotations.",
        follow_aliases: true,
        ..Annotations::default()
    };
    for (key, value) in own {
        if !disallowed.contains(&key.as_str()) {
            let origin = format!("metadata.annotations.{key}");
            annotations.insert(&key, value, origin);
        }
    }
    // The predictor's own annotations win over the InferenceService's (`buildObjectMeta`).
    for (key, value) in predictor_annotations {
        if !disallowed.contains(&key.as_str()) {
            let origin = format!("spec.predictor.annotations.{key}");
            annotations.insert(&key, value, origin);
        }
    }
    // `SetAutoScalingAnnotations`.
    if annotations.get(CLASS).is_none() {
        annotations.insert(
            CLASS[0],
            KPA.to_owned(),
            format!("metadata.annotations.{}", CLASS[0]),
        );
    }
    if let Some(target) = scale_target {
        annotations.insert(TARGET[0], target.to_string(), SCALE_TARGET.to_owned());
    }
    if let Some(metric) = scale_metric {
        annotations.insert(METRIC[0], metric.to_owned(), SCALE_METRIC.to_owned());
    }
    annotations.insert(MIN_SCALE[0], min.to_string(), MIN_REPLICAS.to_owned());
    if max_replicas != 0 {
        annotations.insert(
            MAX_SCALE[0],
            max_replicas.to_string(),
            MAX_REPLICAS.to_owned(),
        );
    }

    // Knative's webhook on the Knative Service KServe writes.
    let mut errors = FieldErrors::default();
    validate_revision(
        &mut errors,
        &config.values,
        &annotations,
        container_concurrency.map(|value| (value, CONTAINER_CONCURRENCY)),
        timeout.map(|value| (value, TIMEOUT)),
    );
    errors.into_result(reader.file)?;
    let revision = Revision {
        annotations,
        container_concurrency: container_concurrency.unwrap_or(0),
        container_concurrency_path: CONTAINER_CONCURRENCY,
        timeout_seconds: timeout,
    };
    resolve(&revision, reader, config)
}

// ---------------------------------------------------------------------------------------------
// Resolution (semantics 3.1)

/// Where a resolved value came from, to name it in an error.
#[derive(Debug, Clone, Copy)]
enum Origin {
    /// An annotation, by the key written.
    Annotation(&'static str),
    /// A `config-autoscaler` key.
    Config(&'static str),
    /// The revision's `containerConcurrency`.
    ContainerConcurrency,
}

/// Section 3.1, rules 1-4, plus the model's refusals; the checks Knative made already hold.
fn resolve(
    revision: &Revision,
    reader: Reader<'_>,
    config: &Config,
) -> Result<KpaSpec, ScenarioError> {
    let annotations = &revision.annotations;
    let c = &config.values;
    let error_at = |origin: Origin, message: String| match origin {
        Origin::Annotation(key) => reader.error(&annotations.path(key), message),
        Origin::Config(key) => config.error(key, message, reader.file),
        Origin::ContainerConcurrency => reader.error(revision.container_concurrency_path, message),
    };
    // **Model choice**: a value Knative lets through but no simulation can use (NaN, ±Inf).
    let finite = |value: f64, origin: Origin| {
        if value.is_finite() {
            Ok(value)
        } else {
            Err(error_at(
                origin,
                format!(
                    "must be a finite number (scalesim's bound), got {}",
                    go::format_v(value)
                ),
            ))
        }
    };
    // The class: the annotation, else the config's (semantics 2.1, model choice).
    match annotations.get(CLASS) {
        Some((key, class)) if class != KPA => {
            return Err(error_at(Origin::Annotation(key), ONLY_KPA.to_owned()));
        }
        Some(_) => {}
        None if c.pod_autoscaler_class != KPA => {
            return Err(error_at(
                Origin::Config("pod-autoscaler-class"),
                ONLY_KPA.to_owned(),
            ));
        }
        None => {}
    }
    // Rule 1: metric, target and total (`ResolveMetricTarget`).
    let metric = match annotations.get(METRIC) {
        None | Some((_, "concurrency")) => KpaMetric::Concurrency,
        Some((_, "rps")) => KpaMetric::Rps,
        Some((key, other)) => {
            return Err(error_at(Origin::Annotation(key), invalid_value(other)));
        }
    };
    let container_concurrency = revision.container_concurrency;
    let (mut total, mut total_origin, mut utilization, mut utilization_origin) = match metric {
        KpaMetric::Rps => (
            c.rps_target_default,
            Origin::Config("requests-per-second-target-default"),
            RPS_TARGET_UTILIZATION,
            Origin::Config("requests-per-second-target-default"),
        ),
        KpaMetric::Concurrency => {
            let (total, origin) = if container_concurrency == 0 {
                (
                    c.container_concurrency_target_default,
                    Origin::Config("container-concurrency-target-default"),
                )
            } else {
                (container_concurrency as f64, Origin::ContainerConcurrency)
            };
            (
                total,
                origin,
                c.container_concurrency_target_fraction,
                Origin::Config("container-concurrency-target-percentage"),
            )
        }
    };
    if let Some((key, target)) = annotations.float(TARGET) {
        finite(target, Origin::Annotation(key))?;
        total = target;
        total_origin = Origin::Annotation(key);
        if metric == KpaMetric::Concurrency && container_concurrency != 0 {
            total = target.min(container_concurrency as f64);
        }
    }
    if let Some((key, percentage)) = annotations.float(TARGET_UTILIZATION) {
        utilization = finite(percentage, Origin::Annotation(key))? / 100.0;
        utilization_origin = Origin::Annotation(key);
    }
    let total = finite(total, total_origin)?;
    let utilization = finite(utilization, utilization_origin)?;
    let target = TARGET_MIN.max(total * utilization);

    // Rule 2: windows (`StableWindow`, `MakeMetric`).
    let window = annotations
        .duration(WINDOW)
        .map_or(c.stable_window, |(_, window)| window);
    let (panic_percentage, panic_origin) = annotations.float(PANIC_WINDOW_PERCENTAGE).map_or(
        (
            c.panic_window_percentage,
            Origin::Config("panic-window-percentage"),
        ),
        |(key, value)| (value, Origin::Annotation(key)),
    );
    let panic_percentage = finite(panic_percentage, panic_origin)?;
    // time.Duration(float64(stableWindow) * panicWindowPercentage / 100.0).Round(time.Second),
    // at least the bucket size (1 s).
    let panic_ns = (window.0 as f64 * panic_percentage / 100.0) as i64;
    let panic_window = Duration(panic_ns).round(SECOND_NS).max(Duration(SECOND_NS));

    // Rule 3: the rest of the decider (`MakeDecider`).
    let (threshold_percentage, threshold_origin) =
        annotations.float(PANIC_THRESHOLD_PERCENTAGE).map_or(
            (
                c.panic_threshold_percentage,
                Origin::Config("panic-threshold-percentage"),
            ),
            |(key, value)| (value, Origin::Annotation(key)),
        );
    let threshold_percentage = finite(threshold_percentage, threshold_origin)?;
    if threshold_percentage <= 0.0 {
        // **Model choice**: the config map does not check it; 0 or less would mean "always in
        // panic", which the decider's spec refuses.
        return Err(error_at(
            threshold_origin,
            format!(
                "must be greater than 0 (scalesim's bound; Knative does not check this key), \
                 got {}",
                go::format_v(threshold_percentage)
            ),
        ));
    }
    let (burst_capacity, burst_origin) = annotations.float(TARGET_BURST_CAPACITY).map_or(
        (
            c.target_burst_capacity,
            Origin::Config("target-burst-capacity"),
        ),
        |(key, value)| (value, Origin::Annotation(key)),
    );
    let burst_capacity = finite(burst_capacity, burst_origin)?;
    let scale_down_delay = annotations
        .duration(SCALE_DOWN_DELAY)
        .map_or(c.scale_down_delay, |(_, delay)| delay);
    let activation_scale = annotations
        .int32(ACTIVATION_SCALE)
        .map_or(0, |(_, scale)| scale);
    // `GetInitialScale`.
    let (initial_scale, initial_origin) = match annotations.int32(INITIAL_SCALE) {
        Some((key, scale)) if scale != 0 || c.allow_zero_initial_scale => {
            (scale, Origin::Annotation(key))
        }
        _ => (c.initial_scale, Origin::Config("initial-scale")),
    };
    let max_scale_up_rate = finite(c.max_scale_up_rate, Origin::Config("max-scale-up-rate"))?;
    let max_scale_down_rate = finite(c.max_scale_down_rate, Origin::Config("max-scale-down-rate"))?;
    let activator_capacity = finite(c.activator_capacity, Origin::Config("activator-capacity"))?;

    // Rule 4: bounds (`ScaleBounds`; the revision is reachable), and semantics 7.
    let (min_scale, min_origin) = annotations.int32(MIN_SCALE).map_or(
        (c.min_scale, Origin::Config("min-scale")),
        |(key, scale)| (scale, Origin::Annotation(key)),
    );
    let (max_scale, max_origin) = annotations.int32(MAX_SCALE).map_or(
        (c.max_scale, Origin::Config("max-scale")),
        |(key, scale)| (scale, Origin::Annotation(key)),
    );
    if i64::from(max_scale) > MAX_PODS {
        return Err(error_at(max_origin, TOO_MANY_PODS.to_owned()));
    }
    if max_scale != 0 && max_scale < min_scale {
        // **Model choice**: Knative checks this pair only between annotations (KServe between
        // its fields), so here one of the two is the config map's and the bounds would cross.
        // Refused at the other, with Knative's wording.
        let message = format!("max-scale={max_scale} is less than min-scale={min_scale}");
        let (origin, note) = match (max_origin, min_origin) {
            (Origin::Config(_), Origin::Config(_)) => (max_origin, String::new()),
            (Origin::Config(key), _) => (
                min_origin,
                format!(" (max-scale: config-autoscaler's data.{key})"),
            ),
            (_, Origin::Config(key)) => (
                max_origin,
                format!(" (min-scale: config-autoscaler's data.{key})"),
            ),
            _ => (max_origin, String::new()),
        };
        return Err(error_at(origin, format!("{message}{note}")));
    }
    if i64::from(min_scale) > MAX_PODS {
        return Err(error_at(min_origin, TOO_MANY_PODS.to_owned()));
    }
    if i64::from(initial_scale) > MAX_PODS {
        return Err(error_at(initial_origin, TOO_MANY_PODS.to_owned()));
    }
    let max_scale = if max_scale == 0 {
        MAX_PODS
    } else {
        i64::from(max_scale)
    };

    let retention = annotations
        .duration(POD_RETENTION)
        .map_or(c.scale_to_zero_pod_retention_period, |(_, retention)| {
            retention
        });
    let algorithm = match annotations.get(AGGREGATION_ALGORITHM) {
        Some((_, "weighted-exponential" | "weightedExponential")) => {
            WindowAlgorithm::WeightedExponential
        }
        _ => WindowAlgorithm::Linear,
    };
    let timeout_s = match revision.timeout_seconds {
        None | Some(0) => REVISION_TIMEOUT_S,
        Some(seconds) => seconds,
    };
    let progress_deadline_s = annotations
        .duration(PROGRESS_DEADLINE)
        .map_or(PROGRESS_DEADLINE_S, |(_, deadline)| {
            deadline.whole_seconds()
        });

    let seconds = |value: i64| u64::try_from(value).unwrap_or(0);
    let count = |value: i64| u32::try_from(value).unwrap_or(0);
    let spec = KpaSpec {
        metric,
        target_value: target,
        total_value: total,
        container_concurrency: count(container_concurrency),
        stable_window_s: seconds(window.whole_seconds()),
        panic_window_s: seconds(panic_window.whole_seconds()),
        panic_threshold: threshold_percentage / 100.0,
        max_scale_up_rate,
        max_scale_down_rate,
        target_burst_capacity: burst_capacity,
        activator_capacity,
        scale_down_delay_s: seconds(scale_down_delay.whole_seconds()),
        activation_scale: count(i64::from(activation_scale)),
        initial_scale: count(i64::from(initial_scale)),
        min_scale: count(i64::from(min_scale)),
        max_scale: count(max_scale),
        enable_scale_to_zero: c.enable_scale_to_zero,
        // **Model choice** (semantics 7): truncated to whole seconds.
        scale_to_zero_grace_period_s: seconds(c.scale_to_zero_grace_period.whole_seconds()),
        pod_retention_s: seconds(retention.whole_seconds()),
        algorithm,
        timeout_s: seconds(timeout_s),
        activation_timeout_s: seconds(
            progress_deadline_s.saturating_add(ACTIVATION_TIMEOUT_BUFFER_S),
        ),
        start: KpaStart::Warm,
    };
    // Every rule above implies the core's checks; this only guards against a gap.
    spec.check()
        .map_err(|err| reader.error("spec", format!("{err} (after resolution)")))?;
    Ok(spec)
}
