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

use scalesim_core::{KpaMetric, KpaSpec, MAX_KPA_PODS, WindowAlgorithm};
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
/// Whether `text` is a Go duration (`60s`, `1m30s`) that is not a plain number: how Knative
/// writes windows and delays, which a sweep sets in seconds.
pub(crate) fn is_go_duration(text: &str) -> bool {
    text.trim().parse::<f64>().is_err() && go::Duration::parse(text).is_ok()
}

/// The annotations' group (`GroupName`).
const GROUP_NAME: &str = "autoscaling.knative.dev";
/// **Model choice** (semantics 2.1): the one class simulated.
const ONLY_KPA: &str = "only kpa.autoscaling.knative.dev is modelled";

/// **Model choice** (semantics 7): the refusal of a bound above [`MAX_KPA_PODS`], the most pods
/// simulated (the core takes an unbounded maximum as that many).
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
/// decider's parameters (semantics 2 and 3.1).
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
    // A revision runs containers: Knative's PodSpec validation wants them (apis.ErrMissingField).
    let containers = field("containers").and_then(|value| value.as_sequence());
    if containers.is_none_or(|containers| containers.is_empty()) {
        errors.add(
            "missing field(s)",
            vec!["spec.template.spec.containers".to_owned()],
        );
    }
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
    if i64::from(max_scale) > i64::from(MAX_KPA_PODS) {
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
    if i64::from(min_scale) > i64::from(MAX_KPA_PODS) {
        return Err(error_at(min_origin, TOO_MANY_PODS.to_owned()));
    }
    if i64::from(initial_scale) > i64::from(MAX_KPA_PODS) {
        return Err(error_at(initial_origin, TOO_MANY_PODS.to_owned()));
    }
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
        max_scale: count(i64::from(max_scale)),
        enable_scale_to_zero: c.enable_scale_to_zero,
        // **Model choice** (semantics 7): truncated to whole seconds.
        scale_to_zero_grace_period_s: seconds(c.scale_to_zero_grace_period.whole_seconds()),
        pod_retention_s: seconds(retention.whole_seconds()),
        algorithm,
        timeout_s: seconds(timeout_s),
        activation_timeout_s: seconds(
            progress_deadline_s.saturating_add(ACTIVATION_TIMEOUT_BUFFER_S),
        ),
    };
    // Every rule above implies the core's checks; this only guards against a gap.
    spec.check()
        .map_err(|err| reader.error("spec", format!("{err} (after resolution)")))?;
    Ok(spec)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Knative's defaults.
    const BASE: KpaSpec = KpaSpec::DEFAULT;

    /// Resolves a manifest (YAML, `svc.yaml`) and an optional `config.yaml`; errors as printed.
    fn resolve_files(service: &str, config: Option<&str>) -> Result<KpaSpec, String> {
        kpa_spec(
            Path::new("svc.yaml"),
            service,
            config.map(|text| (Path::new("config.yaml"), text)),
        )
        .map_err(|err| err.to_string())
    }

    /// A Knative Service whose revision template has `annotations` and the revision-spec lines
    /// `spec_lines` (indented six spaces).
    fn service_with(annotations: &[(&str, &str)], spec_lines: &str) -> String {
        let mut text = String::from(
            "apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata:\n  name: hello\n\
             spec:\n  template:\n    metadata:\n      annotations:",
        );
        if annotations.is_empty() {
            text.push_str(" {}\n");
        } else {
            text.push('\n');
            for (key, value) in annotations {
                // A JSON string is a YAML double-quoted scalar.
                text.push_str(&format!("        {key}: {}\n", serde_json::json!(value)));
            }
        }
        text.push_str("    spec:\n");
        text.push_str(spec_lines);
        text.push_str("      containers:\n        - image: ghcr.io/knative/helloworld-go:latest\n");
        text
    }

    /// A Knative Service with annotations only.
    fn service(annotations: &[(&str, &str)]) -> String {
        service_with(annotations, "")
    }

    /// A `config-autoscaler` file with only `data`.
    fn config(pairs: &[(&str, &str)]) -> String {
        if pairs.is_empty() {
            return "data: {}\n".to_owned();
        }
        let mut text = String::from("data:\n");
        for (key, value) in pairs {
            text.push_str(&format!("  {key}: {}\n", serde_json::json!(value)));
        }
        text
    }

    /// The error Knative's webhook gives for an annotation of a Service's template.
    fn at_annotation(key: &str, message: &str) -> Result<KpaSpec, String> {
        Err(format!(
            "svc.yaml: spec.template.metadata.annotations.autoscaling.knative.dev/{key}: {message}"
        ))
    }

    /// An error about `config.yaml`'s `data.KEY`.
    fn at_config(key: &str, message: &str) -> Result<KpaSpec, String> {
        Err(format!("config.yaml: data.{key}: {message}"))
    }

    /// A case: the Service's annotations, the config's data, then the spec or the error.
    type Case<'a> = (
        &'a [(&'a str, &'a str)],
        &'a [(&'a str, &'a str)],
        Result<KpaSpec, String>,
    );

    /// Each case: the Service's annotations and the config's data, then the spec or the error.
    fn check_cases(cases: &[Case<'_>]) {
        for (annotations, data, expected) in cases {
            let got = resolve_files(&service(annotations), Some(&config(data)));
            assert_eq!(&got, expected, "annotations {annotations:?}, data {data:?}");
        }
    }

    // -----------------------------------------------------------------------------------------
    // 2.1 config-autoscaler

    /// No config file, an empty `data`, and Knative's own ConfigMap: all defaults (semantics
    /// 2.1's default column; 3.1: T_v = 100 × 0.7 = 70, T_t = 100, W = 60, P = round(6) = 6).
    #[test]
    fn defaults_without_keys() {
        assert_eq!(resolve_files(&service(&[]), None), Ok(BASE));
        assert_eq!(resolve_files(&service(&[]), Some("data: {}\n")), Ok(BASE));
        assert_eq!(resolve_files(&service(&[]), Some("data:\n")), Ok(BASE));
        let shipped = include_str!("../../tests/data/knative-examples/config-autoscaler.yaml");
        assert_eq!(resolve_files(&service(&[]), Some(shipped)), Ok(BASE));
    }

    /// Knative's `_example` block, every key at the value it documents as the default, read as
    /// `data`: the same defaults (70 as a percentage is the fraction 0.7).
    #[test]
    fn knative_documented_defaults_are_the_defaults() {
        let shipped = include_str!("../../tests/data/knative-examples/config-autoscaler.yaml");
        let object: Value = serde_norway::from_str(shipped).unwrap();
        let example = object["data"]["_example"].as_str().unwrap();
        let data: Value = serde_norway::from_str(example).unwrap();
        let keys = data.as_mapping().unwrap().len();
        assert_eq!(keys, 20, "every key of semantics 2.1");
        let text = serde_norway::to_string(&serde_norway::Mapping::from_iter([(
            Value::from("data"),
            data,
        )]))
        .unwrap();
        assert_eq!(resolve_files(&service(&[]), Some(&text)), Ok(BASE));
    }

    /// A value that does not parse fails the whole map with Go's parser error; keys are
    /// parsed in Knative's order, not the file's or the alphabet's.
    #[test]
    fn config_parse_errors_in_knative_order() {
        let parse = |key: &str, error: &str| {
            at_config(
                key,
                &format!("failed to parse data: failed to parse \"{key}\": {error}"),
            )
        };
        check_cases(&[
            (
                &[],
                &[("max-scale-up-rate", "x")],
                parse(
                    "max-scale-up-rate",
                    "strconv.ParseFloat: parsing \"x\": invalid syntax",
                ),
            ),
            (
                &[],
                &[("enable-scale-to-zero", "yes")],
                parse(
                    "enable-scale-to-zero",
                    "strconv.ParseBool: parsing \"yes\": invalid syntax",
                ),
            ),
            (
                &[],
                &[("min-scale", "2147483648")],
                parse(
                    "min-scale",
                    "strconv.ParseInt: parsing \"2147483648\": value out of range",
                ),
            ),
            (
                &[],
                &[("initial-scale", "1.0")],
                parse(
                    "initial-scale",
                    "strconv.ParseInt: parsing \"1.0\": invalid syntax",
                ),
            ),
            (
                &[],
                &[("stable-window", "60")],
                parse("stable-window", "time: missing unit in duration \"60\""),
            ),
            (
                &[],
                &[("scale-to-zero-grace-period", "soon")],
                parse(
                    "scale-to-zero-grace-period",
                    "time: invalid duration \"soon\"",
                ),
            ),
            (
                &[],
                &[("target-burst-capacity", "1e400")],
                parse(
                    "target-burst-capacity",
                    "strconv.ParseFloat: parsing \"1e400\": value out of range",
                ),
            ),
            // enable-scale-to-zero is parsed before allow-zero-initial-scale.
            (
                &[],
                &[
                    ("allow-zero-initial-scale", "x"),
                    ("enable-scale-to-zero", "y"),
                ],
                parse(
                    "enable-scale-to-zero",
                    "strconv.ParseBool: parsing \"y\": invalid syntax",
                ),
            ),
            // stable-window after every number.
            (
                &[],
                &[("stable-window", "x"), ("min-scale", "y")],
                parse(
                    "min-scale",
                    "strconv.ParseInt: parsing \"y\": invalid syntax",
                ),
            ),
            // Go's syntax, not Rust's: `1_000` and hexadecimal floats are numbers, `+5` an
            // int32, `1h30m` a duration, `T` a boolean.
            (
                &[],
                &[
                    ("activator-capacity", "1_000"),
                    ("max-scale-up-rate", "0x1p4"),
                    ("min-scale", "+5"),
                    ("stable-window", "1h30m"),
                    ("enable-scale-to-zero", "F"),
                ],
                at_config(
                    "stable-window",
                    "stable-window = 1h30m0s, must be in [6s; 1h0m0s] range",
                ),
            ),
            (
                &[],
                &[
                    ("activator-capacity", "1_000"),
                    ("max-scale-up-rate", "0x1p4"),
                    ("min-scale", "+5"),
                    ("stable-window", "1m30s"),
                    ("enable-scale-to-zero", "F"),
                ],
                // W = 90 s, P = round(90 × 10 / 100) = 9 s.
                Ok(KpaSpec {
                    activator_capacity: 1000.0,
                    max_scale_up_rate: 16.0,
                    min_scale: 5,
                    stable_window_s: 90,
                    panic_window_s: 9,
                    enable_scale_to_zero: false,
                    ..BASE
                }),
            ),
            // Keys Knative does not read are ignored.
            (
                &[],
                &[("_example", "anything"), ("tick-interval", "2s")],
                Ok(BASE),
            ),
        ]);
    }

    /// `validate`, each check accepting and refusing, with Knative's wording.
    #[test]
    fn config_checks() {
        check_cases(&[
            // scale-to-zero-grace-period > 0; truncated to whole seconds (model choice).
            (
                &[],
                &[("scale-to-zero-grace-period", "0s")],
                at_config(
                    "scale-to-zero-grace-period",
                    "scale-to-zero-grace-period must be positive, was: 0s",
                ),
            ),
            (
                &[],
                &[("scale-to-zero-grace-period", "-1m")],
                at_config(
                    "scale-to-zero-grace-period",
                    "scale-to-zero-grace-period must be positive, was: -1m0s",
                ),
            ),
            (
                &[],
                &[("scale-to-zero-grace-period", "45.5s")],
                Ok(KpaSpec {
                    scale_to_zero_grace_period_s: 45,
                    ..BASE
                }),
            ),
            // scale-down-delay ≥ 0, whole seconds.
            (
                &[],
                &[("scale-down-delay", "-1s")],
                at_config(
                    "scale-down-delay",
                    "scale-down-delay cannot be negative, was: -1s",
                ),
            ),
            (
                &[],
                &[("scale-down-delay", "1.5s")],
                at_config(
                    "scale-down-delay",
                    "scale-down-delay = 1.5s, must be specified with at most second precision",
                ),
            ),
            (
                &[],
                &[("scale-down-delay", "15m")],
                Ok(KpaSpec {
                    scale_down_delay_s: 900,
                    ..BASE
                }),
            ),
            // scale-to-zero-pod-retention-period ≥ 0; fractions truncated (model choice).
            (
                &[],
                &[("scale-to-zero-pod-retention-period", "-2s")],
                at_config(
                    "scale-to-zero-pod-retention-period",
                    "scale-to-zero-pod-retention-period cannot be negative, was: -2s",
                ),
            ),
            (
                &[],
                &[("scale-to-zero-pod-retention-period", "1m30.9s")],
                Ok(KpaSpec {
                    pod_retention_s: 90,
                    ..BASE
                }),
            ),
            // target-burst-capacity ≥ 0 or −1 (%f: six decimals).
            (
                &[],
                &[("target-burst-capacity", "-2")],
                at_config(
                    "target-burst-capacity",
                    "target-burst-capacity must be either non-negative or -1 (for unlimited), \
                     was: -2.000000",
                ),
            ),
            (
                &[],
                &[("target-burst-capacity", "-1")],
                Ok(KpaSpec {
                    target_burst_capacity: -1.0,
                    ..BASE
                }),
            ),
            // container-concurrency-target-percentage: > 1 is a percentage, then (0, 1].
            (
                &[],
                &[("container-concurrency-target-percentage", "0")],
                at_config(
                    "container-concurrency-target-percentage",
                    "container-concurrency-target-percentage = 0.000000 is outside of valid \
                     range of (0, 100]",
                ),
            ),
            (
                &[],
                &[("container-concurrency-target-percentage", "101")],
                at_config(
                    "container-concurrency-target-percentage",
                    "container-concurrency-target-percentage = 1.010000 is outside of valid \
                     range of (0, 100]",
                ),
            ),
            // 0.7 is 70 %: T_v = 100 × 0.7 = 70, as the default.
            (
                &[],
                &[("container-concurrency-target-percentage", "0.7")],
                Ok(BASE),
            ),
            // 1.5 is 1.5 %: T_v = 100 × 0.015.
            (
                &[],
                &[("container-concurrency-target-percentage", "1.5")],
                Ok(KpaSpec {
                    target_value: 100.0 * (1.5 / 100.0),
                    ..BASE
                }),
            ),
            // container-concurrency-target-default: fraction × default ≥ 0.01.
            (
                &[],
                &[
                    ("container-concurrency-target-percentage", "0.5"),
                    ("container-concurrency-target-default", "0.01"),
                ],
                at_config(
                    "container-concurrency-target-default",
                    "container-concurrency-target-percentage and \
                     container-concurrency-target-default yield target concurrency of 0.005, \
                     can't be less than 0.01",
                ),
            ),
            // T_t = 10, T_v = 10 × 0.7 = 7.
            (
                &[],
                &[("container-concurrency-target-default", "10")],
                Ok(KpaSpec {
                    target_value: 10.0 * 0.7,
                    total_value: 10.0,
                    ..BASE
                }),
            ),
            // requests-per-second-target-default ≥ 0.01.
            (
                &[],
                &[("requests-per-second-target-default", "0.001")],
                at_config(
                    "requests-per-second-target-default",
                    "requests-per-second-target-default must be at least 0.01, was: 0.001",
                ),
            ),
            // rps: T_t = 100, T_v = 100 × 0.7 = 70.
            (
                &[("autoscaling.knative.dev/metric", "rps")],
                &[("requests-per-second-target-default", "100")],
                Ok(KpaSpec {
                    metric: KpaMetric::Rps,
                    target_value: 100.0 * 0.7,
                    total_value: 100.0,
                    ..BASE
                }),
            ),
            // activator-capacity ≥ 1.
            (
                &[],
                &[("activator-capacity", "0.5")],
                at_config(
                    "activator-capacity",
                    "activator-capacity = 0.5, must be at least 1",
                ),
            ),
            (
                &[],
                &[("activator-capacity", "1")],
                Ok(KpaSpec {
                    activator_capacity: 1.0,
                    ..BASE
                }),
            ),
            // max-scale-up-rate > 1.
            (
                &[],
                &[("max-scale-up-rate", "1")],
                at_config(
                    "max-scale-up-rate",
                    "max-scale-up-rate = 1, must be greater than 1.0",
                ),
            ),
            (
                &[],
                &[("max-scale-up-rate", "1.5")],
                Ok(KpaSpec {
                    max_scale_up_rate: 1.5,
                    ..BASE
                }),
            ),
            // max-scale-down-rate > 1 (Knative's documented example: 4.0).
            (
                &[],
                &[("max-scale-down-rate", "1.0")],
                at_config(
                    "max-scale-down-rate",
                    "max-scale-down-rate = 1, must be greater than 1.0",
                ),
            ),
            (
                &[],
                &[("max-scale-down-rate", "4.0")],
                Ok(KpaSpec {
                    max_scale_down_rate: 4.0,
                    ..BASE
                }),
            ),
            // stable-window in [6 s, 1 h], whole seconds.
            (
                &[],
                &[("stable-window", "5s")],
                at_config(
                    "stable-window",
                    "stable-window = 5s, must be in [6s; 1h0m0s] range",
                ),
            ),
            (
                &[],
                &[("stable-window", "6.5s")],
                at_config(
                    "stable-window",
                    "stable-window = 6.5s, must be specified with at most second precision",
                ),
            ),
            // W = 1 h: P = round(3600 × 10 / 100) = 360.
            (
                &[],
                &[("stable-window", "1h")],
                Ok(KpaSpec {
                    stable_window_s: 3600,
                    panic_window_s: 360,
                    ..BASE
                }),
            ),
            // panic-window-percentage in [1, 100].
            (
                &[],
                &[("panic-window-percentage", "0.5")],
                at_config(
                    "panic-window-percentage",
                    "panic-window-percentage = 0.5, must be in [1, 100] interval",
                ),
            ),
            (
                &[],
                &[("panic-window-percentage", "100.5")],
                at_config(
                    "panic-window-percentage",
                    "panic-window-percentage = 100.5, must be in [1, 100] interval",
                ),
            ),
            // W = 60, 100 %: P = 60.
            (
                &[],
                &[("panic-window-percentage", "100")],
                Ok(KpaSpec {
                    panic_window_s: 60,
                    ..BASE
                }),
            ),
            // initial-scale ≥ 1, or ≥ 0 with allow-zero-initial-scale.
            (
                &[],
                &[("initial-scale", "0")],
                at_config(
                    "initial-scale",
                    "initial-scale = 0, must be at least 0 (or at least 1 when \
                     allow-zero-initial-scale is false)",
                ),
            ),
            (
                &[],
                &[
                    ("initial-scale", "-1"),
                    ("allow-zero-initial-scale", "true"),
                ],
                at_config(
                    "initial-scale",
                    "initial-scale = -1, must be at least 0 (or at least 1 when \
                     allow-zero-initial-scale is false)",
                ),
            ),
            (
                &[],
                &[("initial-scale", "0"), ("allow-zero-initial-scale", "true")],
                Ok(KpaSpec {
                    initial_scale: 0,
                    ..BASE
                }),
            ),
            // min-scale ≥ 0.
            (
                &[],
                &[("min-scale", "-1")],
                at_config("min-scale", "min-scale = -1, must be at least 0"),
            ),
            (
                &[],
                &[("min-scale", "3")],
                Ok(KpaSpec {
                    min_scale: 3,
                    ..BASE
                }),
            ),
            // max-scale in [1 if L > 0 else 0, L].
            (
                &[],
                &[("max-scale", "-1")],
                at_config(
                    "max-scale",
                    "max-scale = -1, must be in [0, max-scale-limit(0)] range",
                ),
            ),
            (
                &[],
                &[("max-scale-limit", "10")],
                at_config(
                    "max-scale",
                    "max-scale = 0, must be in [1, max-scale-limit(10)] range",
                ),
            ),
            (
                &[],
                &[("max-scale", "11"), ("max-scale-limit", "10")],
                at_config(
                    "max-scale",
                    "max-scale = 11, must be in [1, max-scale-limit(10)] range",
                ),
            ),
            // Knative's documented example: max-scale 3, max-scale-limit 100.
            (
                &[],
                &[("max-scale", "3"), ("max-scale-limit", "100")],
                Ok(KpaSpec {
                    max_scale: 3,
                    ..BASE
                }),
            ),
            // max-scale-limit ≥ 0.
            (
                &[],
                &[("max-scale-limit", "-1")],
                at_config(
                    "max-scale-limit",
                    "max-scale-limit = -1, must be at least 0",
                ),
            ),
            // min-scale ≤ max-scale when max-scale > 0.
            (
                &[],
                &[("min-scale", "5"), ("max-scale", "3")],
                at_config("min-scale", "min-scale (5) must be less than max-scale (3)"),
            ),
            (
                &[],
                &[("min-scale", "3"), ("max-scale", "3")],
                Ok(KpaSpec {
                    min_scale: 3,
                    max_scale: 3,
                    ..BASE
                }),
            ),
            // panic-threshold-percentage is not checked: 105 % is θ = 1.05; scalesim refuses
            // only what leaves no threshold (model choice).
            (
                &[],
                &[("panic-threshold-percentage", "105")],
                Ok(KpaSpec {
                    panic_threshold: 105.0 / 100.0,
                    ..BASE
                }),
            ),
            (
                &[],
                &[("panic-threshold-percentage", "0")],
                at_config(
                    "panic-threshold-percentage",
                    "must be greater than 0 (scalesim's bound; Knative does not check this \
                     key), got 0",
                ),
            ),
            // enable-scale-to-zero.
            (
                &[],
                &[("enable-scale-to-zero", "false")],
                Ok(KpaSpec {
                    enable_scale_to_zero: false,
                    ..BASE
                }),
            ),
            // The checks run in Knative's order: the grace period before activator-capacity.
            (
                &[],
                &[
                    ("activator-capacity", "0"),
                    ("scale-to-zero-grace-period", "0s"),
                ],
                at_config(
                    "scale-to-zero-grace-period",
                    "scale-to-zero-grace-period must be positive, was: 0s",
                ),
            ),
            // A number Knative lets through but no simulation can use (model choice).
            (
                &[],
                &[("max-scale-up-rate", "Inf")],
                at_config(
                    "max-scale-up-rate",
                    "must be a finite number (scalesim's bound), got +Inf",
                ),
            ),
            (
                &[],
                &[("container-concurrency-target-percentage", "NaN")],
                at_config(
                    "container-concurrency-target-percentage",
                    "must be a finite number (scalesim's bound), got NaN",
                ),
            ),
        ]);
    }

    /// `pod-autoscaler-class`: only the KPA is modelled, unless the revision names the KPA.
    #[test]
    fn config_class() {
        let class = "autoscaling.knative.dev/class";
        check_cases(&[
            (
                &[],
                &[("pod-autoscaler-class", HPA)],
                at_config("pod-autoscaler-class", ONLY_KPA),
            ),
            (&[(class, KPA)], &[("pod-autoscaler-class", HPA)], Ok(BASE)),
            // AsString trims spaces.
            (
                &[],
                &[("pod-autoscaler-class", " kpa.autoscaling.knative.dev\n")],
                Ok(BASE),
            ),
        ]);
    }

    /// The file: a whole ConfigMap, or only `data`; strings only; one object.
    #[test]
    fn config_file_forms() {
        let svc = service(&[]);
        let check = |text: &str, expected: Result<KpaSpec, String>| {
            assert_eq!(resolve_files(&svc, Some(text)), expected, "{text}");
        };
        // Knative's documented ConfigMap (kpa-specific.md, "Global (ConfigMap)"), with its
        // one-space indentation: W = 40, P = round(4) = 4.
        check(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n name: config-autoscaler\n namespace: \
             knative-serving\ndata:\n stable-window: \"40s\"\n",
            Ok(KpaSpec {
                stable_window_s: 40,
                panic_window_s: 4,
                ..BASE
            }),
        );
        check(
            "kind: Deployment\ndata: {}\n",
            Err(
                "config.yaml: kind: Unsupported value: \"Deployment\": supported values: \
                 \"ConfigMap\" (the config-autoscaler ConfigMap of namespace knative-serving)"
                    .to_owned(),
            ),
        );
        check(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: config-defaults\ndata: {}\n",
            Err(
                "config.yaml: metadata.name: expected the ConfigMap config-autoscaler \
                 (namespace knative-serving), found \"config-defaults\""
                    .to_owned(),
            ),
        );
        check(
            "stable-window: \"40s\"\n",
            Err(
                "config.yaml: stable-window: unknown field: a config-autoscaler file is a \
                 ConfigMap (`kind: ConfigMap`) or a mapping with only `data`; the keys go under \
                 `data`"
                    .to_owned(),
            ),
        );
        check(
            "data:\n  min-scale: 3\n",
            Err(
                "config.yaml: data.min-scale: expected a string, found a number (ConfigMap \
                 data values are strings: write \"3\")"
                    .to_owned(),
            ),
        );
        check(
            "data:\n  enable-scale-to-zero: false\n",
            Err(
                "config.yaml: data.enable-scale-to-zero: expected a string, found a boolean \
                 (ConfigMap data values are strings: write \"false\")"
                    .to_owned(),
            ),
        );
        check(
            "data: {}\n---\ndata: {}\n",
            Err(
                "config.yaml: expected exactly one ConfigMap object, found 2 YAML documents"
                    .to_owned(),
            ),
        );
        check(
            "- data\n",
            Err("config.yaml: expected a ConfigMap object, found a sequence".to_owned()),
        );
        // JSON, as `kubectl get -o json` prints it.
        let json = kpa_spec(
            Path::new("svc.yaml"),
            &svc,
            Some((
                Path::new("config.json"),
                r#"{"apiVersion": "v1", "kind": "ConfigMap",
                    "metadata": {"name": "config-autoscaler", "namespace": "knative-serving"},
                    "data": {"min-scale": "2"}}"#,
            )),
        );
        assert_eq!(
            json.map_err(|err| err.to_string()),
            Ok(KpaSpec {
                min_scale: 2,
                ..BASE
            })
        );
        let broken = kpa_spec(
            Path::new("svc.yaml"),
            &svc,
            Some((Path::new("config.json"), "{\"data\": ")),
        );
        assert_eq!(
            broken.map_err(|err| err.to_string()),
            Err("config.json: EOF while parsing a value at line 1 column 9".to_owned())
        );
    }

    // -----------------------------------------------------------------------------------------
    // 2.2 annotations

    /// Each annotation of `ValidateAnnotations`, accepting and refusing, with the wording
    /// `annotation_validation_test.go` asserts, and the legacy aliases.
    #[test]
    fn annotation_checks() {
        let key = |name: &str| format!("autoscaling.knative.dev/{name}");
        let class = key("class");
        let metric = key("metric");
        let target = key("target");
        let utilization = key("target-utilization-percentage");
        let utilization_alias = key("targetUtilizationPercentage");
        let window = key("window");
        let panic_window = key("panic-window-percentage");
        let panic_window_alias = key("panicWindowPercentage");
        let threshold = key("panic-threshold-percentage");
        let threshold_alias = key("panicThresholdPercentage");
        let burst = key("target-burst-capacity");
        let burst_alias = key("targetBurstCapacity");
        let min = key("min-scale");
        let min_alias = key("minScale");
        let max = key("max-scale");
        let max_alias = key("maxScale");
        let activation = key("activation-scale");
        let initial = key("initial-scale");
        let initial_alias = key("initialScale");
        let delay = key("scale-down-delay");
        let delay_alias = key("scaleDownDelay");
        let retention = key("scale-to-zero-pod-retention-period");
        let retention_alias = key("scaleToZeroPodRetentionPeriod");
        let algorithm = key("metric-aggregation-algorithm");
        let algorithm_alias = key("metricAggregationAlgorithm");
        check_cases(&[
            // class: a *.knative.dev class other than KPA and HPA is invalid; HPA is valid for
            // Knative but not modelled (model choice).
            (
                &[(&class, "foo.knative.dev")],
                &[],
                at_annotation("class", "invalid value: foo.knative.dev"),
            ),
            (&[(&class, HPA)], &[], at_annotation("class", ONLY_KPA)),
            (
                &[(&class, "custom.example.com")],
                &[],
                at_annotation("class", ONLY_KPA),
            ),
            (&[(&class, KPA)], &[], Ok(BASE)),
            // metric: concurrency or rps for the KPA (rps: T_t = 200, T_v = 200 × 0.7 = 140).
            (
                &[(&metric, "cpu")],
                &[],
                at_annotation("metric", "invalid value: cpu"),
            ),
            (
                &[(&metric, "rps")],
                &[],
                Ok(KpaSpec {
                    metric: KpaMetric::Rps,
                    target_value: 200.0 * 0.7,
                    total_value: 200.0,
                    ..BASE
                }),
            ),
            (&[(&metric, "concurrency")], &[], Ok(BASE)),
            // target: a float ≥ 0.01 (T_t = 10, T_v = 10 × 0.7).
            (
                &[(&target, "ten")],
                &[],
                at_annotation("target", "invalid value: ten"),
            ),
            (
                &[(&target, "0.001")],
                &[],
                at_annotation("target", "target 0.001 should be at least 0.01"),
            ),
            (
                &[(&target, "10")],
                &[],
                Ok(KpaSpec {
                    target_value: 10.0 * 0.7,
                    total_value: 10.0,
                    ..BASE
                }),
            ),
            // T_v has a floor of 0.01: T_t = 0.01, T_v = max(0.01, 0.007) = 0.01.
            (
                &[(&target, "0.01")],
                &[],
                Ok(KpaSpec {
                    target_value: 0.01,
                    total_value: 0.01,
                    ..BASE
                }),
            ),
            // target-utilization-percentage in [1, 100] (T_v = 100 × 0.5 = 50).
            (
                &[(&utilization, "0.5")],
                &[],
                at_annotation("target-utilization-percentage", "expected 1 <= 0.5 <= 100"),
            ),
            (
                &[(&utilization_alias, "x")],
                &[],
                at_annotation("targetUtilizationPercentage", "invalid value: x"),
            ),
            (
                &[(&utilization_alias, "50")],
                &[],
                Ok(KpaSpec {
                    target_value: 100.0 * (50.0 / 100.0),
                    ..BASE
                }),
            ),
            // The canonical key wins over its alias.
            (
                &[(&utilization, "50"), (&utilization_alias, "x")],
                &[],
                Ok(KpaSpec {
                    target_value: 100.0 * (50.0 / 100.0),
                    ..BASE
                }),
            ),
            // window: a duration in [6 s, 1 h], whole seconds (W = 25, P = round(2.5) = 3).
            (
                &[(&window, "5s")],
                &[],
                at_annotation("window", "expected 6s <= 5s <= 1h0m0s"),
            ),
            (
                &[(&window, "61m")],
                &[],
                at_annotation("window", "expected 6s <= 61m <= 1h0m0s"),
            ),
            (
                &[(&window, "6500ms")],
                &[],
                at_annotation("window", "must be specified with at most second precision"),
            ),
            (
                &[(&window, "1 minute")],
                &[],
                at_annotation("window", "invalid value: 1 minute"),
            ),
            (
                &[(&window, "25s")],
                &[],
                Ok(KpaSpec {
                    stable_window_s: 25,
                    panic_window_s: 3,
                    ..BASE
                }),
            ),
            // panic-window-percentage in [1, 100] (W = 60, 12.5 %: P = round(7.5) = 8).
            (
                &[(&panic_window, "0.5")],
                &[],
                at_annotation("panic-window-percentage", "expected 1 <= 0.5 <= 100"),
            ),
            (
                &[(&panic_window_alias, "many")],
                &[],
                at_annotation("panicWindowPercentage", "invalid value: many"),
            ),
            (
                &[(&panic_window_alias, "12.5")],
                &[],
                Ok(KpaSpec {
                    panic_window_s: 8,
                    ..BASE
                }),
            ),
            // W = 6, 1 %: 0.06 s rounds to 0, and P is at least 1 s.
            (
                &[(&window, "6s"), (&panic_window, "1")],
                &[],
                Ok(KpaSpec {
                    stable_window_s: 6,
                    panic_window_s: 1,
                    ..BASE
                }),
            ),
            // panic-threshold-percentage in [110, 1000] (θ = 1.1).
            (
                &[(&threshold, "105")],
                &[],
                at_annotation("panic-threshold-percentage", "expected 110 <= 105 <= 1000"),
            ),
            (
                &[(&threshold_alias, "1001")],
                &[],
                at_annotation("panicThresholdPercentage", "expected 110 <= 1001 <= 1000"),
            ),
            (
                &[(&threshold_alias, "110")],
                &[],
                Ok(KpaSpec {
                    panic_threshold: 110.0 / 100.0,
                    ..BASE
                }),
            ),
            // target-burst-capacity ≥ 0 or −1.
            (
                &[(&burst, "-2")],
                &[],
                at_annotation("target-burst-capacity", "invalid value: -2"),
            ),
            (
                &[(&burst_alias, "lots")],
                &[],
                at_annotation("targetBurstCapacity", "invalid value: lots"),
            ),
            (
                &[(&burst, "-1")],
                &[],
                Ok(KpaSpec {
                    target_burst_capacity: -1.0,
                    ..BASE
                }),
            ),
            (
                &[(&burst_alias, "0")],
                &[],
                Ok(KpaSpec {
                    target_burst_capacity: 0.0,
                    ..BASE
                }),
            ),
            // min-scale: int32 ≥ 0.
            (
                &[(&min, "-1")],
                &[],
                at_annotation("min-scale", "expected 0 <= -1 <= 2147483647"),
            ),
            (
                &[(&min_alias, "2147483648")],
                &[],
                at_annotation("minScale", "expected 0 <= 2147483648 <= 2147483647"),
            ),
            (
                &[(&min, "one")],
                &[],
                at_annotation("min-scale", "invalid value: one"),
            ),
            (
                &[(&min_alias, "2")],
                &[],
                Ok(KpaSpec {
                    min_scale: 2,
                    ..BASE
                }),
            ),
            // max-scale: as min-scale, not below it, within max-scale-limit.
            (
                &[(&max, "-3")],
                &[],
                at_annotation("max-scale", "expected 0 <= -3 <= 2147483647"),
            ),
            (
                &[(&min, "3"), (&max, "2")],
                &[],
                Err(
                    "svc.yaml: spec.template.metadata.annotations.autoscaling.knative.dev/\
                     max-scale, spec.template.metadata.annotations.autoscaling.knative.dev/\
                     min-scale: max-scale=2 is less than min-scale=3"
                        .to_owned(),
                ),
            ),
            (
                &[(&max, "20")],
                &[("max-scale", "5"), ("max-scale-limit", "10")],
                at_annotation("max-scale", "expected 1 <= 20 <= 10"),
            ),
            (
                &[(&max_alias, "0")],
                &[("max-scale", "5"), ("max-scale-limit", "10")],
                at_annotation("maxScale", "max-scale=0 (unlimited), must be less than 10"),
            ),
            (
                &[(&max_alias, "10")],
                &[("max-scale", "5"), ("max-scale-limit", "10")],
                Ok(KpaSpec {
                    max_scale: 10,
                    ..BASE
                }),
            ),
            (
                &[(&min, "3"), (&max, "3")],
                &[],
                Ok(KpaSpec {
                    min_scale: 3,
                    max_scale: 3,
                    ..BASE
                }),
            ),
            // activation-scale: an int32 ≥ 2, within [min-scale, max-scale].
            (
                &[(&activation, "x")],
                &[],
                at_annotation("activation-scale", "invalid value: x"),
            ),
            (
                &[(&min, "3"), (&activation, "2")],
                &[],
                at_annotation(
                    "activation-scale",
                    "min-scale=3 is greater than activation-scale=2",
                ),
            ),
            (
                &[(&max, "4"), (&activation, "5")],
                &[],
                at_annotation(
                    "activation-scale",
                    "max-scale=4 is less than activation-scale=5",
                ),
            ),
            (
                &[(&activation, "1")],
                &[],
                at_annotation(
                    "activation-scale",
                    "activation-scale=1 must be greater than 1",
                ),
            ),
            (
                &[(&activation, "5")],
                &[],
                Ok(KpaSpec {
                    activation_scale: 5,
                    ..BASE
                }),
            ),
            // initial-scale: an integer ≥ 0; 0 only when the cluster allows it.
            (
                &[(&initial, "x")],
                &[],
                at_annotation("initial-scale", "invalid value: x"),
            ),
            (
                &[(&initial, "-1")],
                &[],
                at_annotation(
                    "initial-scale",
                    "invalid value: -1: autoscaling.knative.dev/initial-scale must be greater \
                     than 0",
                ),
            ),
            (
                &[(&initial_alias, "0")],
                &[],
                at_annotation(
                    "initialScale",
                    "invalid value: 0: autoscaling.knative.dev/initialScale=0 not allowed by \
                     cluster",
                ),
            ),
            (
                &[(&initial, "0")],
                &[("allow-zero-initial-scale", "true")],
                Ok(KpaSpec {
                    initial_scale: 0,
                    ..BASE
                }),
            ),
            (
                &[(&initial_alias, "3")],
                &[],
                Ok(KpaSpec {
                    initial_scale: 3,
                    ..BASE
                }),
            ),
            // `Atoi` takes 3000000000, `annotationInt32` does not: the config's initial scale.
            (
                &[(&initial, "3000000000")],
                &[("initial-scale", "2")],
                Ok(KpaSpec {
                    initial_scale: 2,
                    ..BASE
                }),
            ),
            // scale-down-delay: a duration in [0, 1 h], whole seconds (Knative's example, 15m).
            (
                &[(&delay, "-1s")],
                &[],
                at_annotation("scale-down-delay", "expected 0s <= -1s <= 1h0m0s"),
            ),
            (
                &[(&delay_alias, "1.5s")],
                &[],
                at_annotation(
                    "scaleDownDelay",
                    "must be specified with at most second precision",
                ),
            ),
            (
                &[(&delay, "later")],
                &[],
                at_annotation("scale-down-delay", "invalid value: later"),
            ),
            (
                &[(&delay_alias, "15m")],
                &[],
                Ok(KpaSpec {
                    scale_down_delay_s: 900,
                    ..BASE
                }),
            ),
            // scale-to-zero-pod-retention-period: a duration in [0, 1 h]; fractions truncated.
            (
                &[(&retention, "2h")],
                &[],
                at_annotation(
                    "scale-to-zero-pod-retention-period",
                    "expected 0s <= 2h <= 1h0m0s",
                ),
            ),
            (
                &[(&retention_alias, "x")],
                &[],
                at_annotation("scaleToZeroPodRetentionPeriod", "invalid value: x"),
            ),
            (
                &[(&retention_alias, "1m30.5s")],
                &[],
                Ok(KpaSpec {
                    pod_retention_s: 90,
                    ..BASE
                }),
            ),
            // metric-aggregation-algorithm: checked only when the class annotation is KPA;
            // otherwise an unknown value is the linear average.
            (
                &[(&class, KPA), (&algorithm, "median")],
                &[],
                at_annotation("metric-aggregation-algorithm", "invalid value: median"),
            ),
            (&[(&algorithm, "median")], &[], Ok(BASE)),
            (
                &[(&class, KPA), (&algorithm_alias, "weightedExponential")],
                &[],
                Ok(KpaSpec {
                    algorithm: WindowAlgorithm::WeightedExponential,
                    ..BASE
                }),
            ),
            (
                &[(&algorithm, "weighted-exponential")],
                &[],
                Ok(KpaSpec {
                    algorithm: WindowAlgorithm::WeightedExponential,
                    ..BASE
                }),
            ),
            (&[(&class, KPA), (&algorithm, "linear")], &[], Ok(BASE)),
            // Unknown autoscaling annotations are ignored, as Knative ignores them.
            (
                &[(&key("min-scal"), "x"), (&key("foo"), "bar")],
                &[],
                Ok(BASE),
            ),
            // Numbers Knative lets through that no simulation can use (model choice).
            (
                &[(&target, "NaN")],
                &[],
                at_annotation(
                    "target",
                    "must be a finite number (scalesim's bound), got NaN",
                ),
            ),
            (
                &[(&burst, "+Inf")],
                &[],
                at_annotation(
                    "target-burst-capacity",
                    "must be a finite number (scalesim's bound), got +Inf",
                ),
            ),
        ]);
    }

    /// Several errors: all of them, sorted by message, those with the same message merged.
    #[test]
    fn several_annotation_errors() {
        let annotations = service(&[
            ("autoscaling.knative.dev/window", "x"),
            ("autoscaling.knative.dev/target-burst-capacity", "x"),
            ("autoscaling.knative.dev/min-scale", "-1"),
        ]);
        assert_eq!(
            resolve_files(&annotations, None),
            Err(
                "svc.yaml: spec.template.metadata.annotations.autoscaling.knative.dev/min-scale: \
                 expected 0 <= -1 <= 2147483647\n\
                 spec.template.metadata.annotations.autoscaling.knative.dev/\
                 target-burst-capacity, \
                 spec.template.metadata.annotations.autoscaling.knative.dev/window: \
                 invalid value: x"
                    .to_owned()
            )
        );
    }

    /// The progress deadline (activation timeout = it + 30 s) and the revision's fields.
    #[test]
    fn revision_fields() {
        let deadline = "serving.knative.dev/progress-deadline";
        let check = |annotations: &[(&str, &str)], lines: &str, expected: Result<KpaSpec, &str>| {
            assert_eq!(
                resolve_files(&service_with(annotations, lines), None),
                expected.map_err(str::to_owned),
                "{annotations:?} {lines}"
            );
        };
        check(
            &[(deadline, "x")],
            "",
            Err(
                "svc.yaml: spec.template.metadata.annotations.serving.knative.dev/\
                 progress-deadline: invalid value: x",
            ),
        );
        check(
            &[(deadline, "1.5s")],
            "",
            Err(
                "svc.yaml: spec.template.metadata.annotations.serving.knative.dev/\
                 progress-deadline: progress-deadline=1.5s is not at second precision",
            ),
        );
        check(
            &[(deadline, "-1s")],
            "",
            Err(
                "svc.yaml: spec.template.metadata.annotations.serving.knative.dev/\
                 progress-deadline: progress-deadline=-1s must be positive",
            ),
        );
        // 2 min + 30 s.
        check(
            &[(deadline, "2m")],
            "",
            Ok(KpaSpec {
                activation_timeout_s: 150,
                ..BASE
            }),
        );
        // containerConcurrency in [0, 1000]; cc = 10: T_t = 10, T_v = 10 × 0.7.
        check(
            &[],
            "      containerConcurrency: 1001\n",
            Err("svc.yaml: spec.template.spec.containerConcurrency: expected 0 <= 1001 <= 1000"),
        );
        check(
            &[],
            "      containerConcurrency: -1\n",
            Err("svc.yaml: spec.template.spec.containerConcurrency: expected 0 <= -1 <= 1000"),
        );
        check(
            &[],
            "      containerConcurrency: 10\n",
            Ok(KpaSpec {
                container_concurrency: 10,
                target_value: 10.0 * 0.7,
                total_value: 10.0,
                ..BASE
            }),
        );
        // A target above containerConcurrency is cut to it: T_t = min(20, 5), T_v = 5 × 0.7.
        check(
            &[("autoscaling.knative.dev/target", "20")],
            "      containerConcurrency: 5\n",
            Ok(KpaSpec {
                container_concurrency: 5,
                target_value: 5.0 * 0.7,
                total_value: 5.0,
                ..BASE
            }),
        );
        // With rps, containerConcurrency does not cap the target: T_t = 20, T_v = 14.
        check(
            &[
                ("autoscaling.knative.dev/metric", "rps"),
                ("autoscaling.knative.dev/target", "20"),
            ],
            "      containerConcurrency: 5\n",
            Ok(KpaSpec {
                metric: KpaMetric::Rps,
                container_concurrency: 5,
                target_value: 20.0 * 0.7,
                total_value: 20.0,
                ..BASE
            }),
        );
        // timeoutSeconds in [0, 600]; 0 is the default 300.
        check(
            &[],
            "      timeoutSeconds: 601\n",
            Err("svc.yaml: spec.template.spec.timeoutSeconds: expected 0 <= 601 <= 600"),
        );
        check(
            &[],
            "      timeoutSeconds: 120\n",
            Ok(KpaSpec {
                timeout_s: 120,
                ..BASE
            }),
        );
        check(&[], "      timeoutSeconds: 0\n", Ok(BASE));
        check(
            &[],
            "      containerConcurrency: \"10\"\n",
            Err(
                "svc.yaml: spec.template.spec.containerConcurrency: expected an integer, found \
                 a string",
            ),
        );
        check(
            &[],
            "      containerConcurrency: 2.5\n",
            Err(
                "svc.yaml: spec.template.spec.containerConcurrency: expected an integer, found \
                 2.5",
            ),
        );
        check(
            &[],
            "      containerConcurrency: 10.0\n",
            Ok(KpaSpec {
                container_concurrency: 10,
                target_value: 10.0 * 0.7,
                total_value: 10.0,
                ..BASE
            }),
        );
    }

    /// Annotation values are strings; autoscaling annotations on the Service itself are
    /// refused (`ValidateHasNoAutoscalingAnnotation`).
    #[test]
    fn annotation_placement_and_types() {
        let unquoted = service(&[]).replace(
            "annotations: {}",
            "annotations:\n        autoscaling.knative.dev/min-scale: 3",
        );
        assert_eq!(
            resolve_files(&unquoted, None),
            Err(
                "svc.yaml: spec.template.metadata.annotations.autoscaling.knative.dev/min-scale: \
                 expected a string, found a number (annotation values are strings: write \"3\")"
                    .to_owned()
            )
        );
        let on_service = service(&[]).replace(
            "  name: hello\n",
            "  name: hello\n  annotations:\n    autoscaling.knative.dev/minScale: \"3\"\n",
        );
        assert_eq!(
            resolve_files(&on_service, None),
            Err("svc.yaml: metadata.annotations: invalid key name \
                 \"autoscaling.knative.dev/minScale\": autoscaling annotations must be put under \
                 \"spec.template.metadata.annotations\" to work"
                .to_owned())
        );
    }

    /// Semantics 7: at most 150,000 pods (an unbounded maximum stays 0, which the core takes as
    /// 150,000).
    #[test]
    fn pod_limit() {
        let max = "autoscaling.knative.dev/max-scale";
        let min = "autoscaling.knative.dev/min-scale";
        let initial = "autoscaling.knative.dev/initial-scale";
        check_cases(&[
            (
                &[(max, "150001")],
                &[],
                at_annotation("max-scale", TOO_MANY_PODS),
            ),
            (
                &[(max, "150000")],
                &[],
                Ok(KpaSpec {
                    max_scale: 150_000,
                    ..BASE
                }),
            ),
            (
                &[],
                &[("max-scale", "200000")],
                at_config("max-scale", TOO_MANY_PODS),
            ),
            (
                &[(min, "150001")],
                &[],
                at_annotation("min-scale", TOO_MANY_PODS),
            ),
            (
                &[(initial, "150001")],
                &[],
                at_annotation("initial-scale", TOO_MANY_PODS),
            ),
            // Knative checks min against max only between annotations (model choice).
            (
                &[(min, "5")],
                &[("max-scale", "3")],
                at_annotation(
                    "min-scale",
                    "max-scale=3 is less than min-scale=5 (max-scale: config-autoscaler's \
                     data.max-scale)",
                ),
            ),
            (
                &[(max, "3")],
                &[("min-scale", "5")],
                at_annotation(
                    "max-scale",
                    "max-scale=3 is less than min-scale=5 (min-scale: config-autoscaler's \
                     data.min-scale)",
                ),
            ),
        ]);
    }

    // -----------------------------------------------------------------------------------------
    // Samples from knative.dev

    /// knative/docs `docs/versioned/serving/autoscaling/kpa-specific.md` and `scale-bounds.md`
    /// (commit 6c891cdade22569aee033d02c3aac6bea9a70874), the "Per Revision" examples,
    /// verbatim but for the four spaces of indentation the page's tabs add.
    #[test]
    fn knative_documentation_samples() {
        let sample = |annotation: &str| {
            format!(
                "apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: helloworld-go
  namespace: default
spec:
  template:
    metadata:
      annotations:
        {annotation}
    spec:
      containers:
        - image: ghcr.io/knative/helloworld-go:latest
"
            )
        };
        let check = |annotation: &str, config: Option<&str>, expected: Result<KpaSpec, &str>| {
            assert_eq!(
                resolve_files(&sample(annotation), config),
                expected.map_err(str::to_owned),
                "{annotation}"
            );
        };
        // Stable window 40 s: W = 40, P = round(40 × 10 / 100) = 4; the rest the defaults
        // (T_v = 100 × 0.7 = 70, T_t = 100, θ = 2, TBC 211, grace 30 s, timeout 300 s,
        // activation timeout 600 + 30 s, min 0, max 0 = unbounded).
        check(
            "autoscaling.knative.dev/window: \"40s\"",
            None,
            Ok(KpaSpec {
                stable_window_s: 40,
                panic_window_s: 4,
                ..BASE
            }),
        );
        // Panic window 20 %: P = round(60 × 20 / 100) = 12.
        check(
            "autoscaling.knative.dev/panic-window-percentage: \"20.0\"",
            None,
            Ok(KpaSpec {
                panic_window_s: 12,
                ..BASE
            }),
        );
        // Panic threshold 150 %: θ = 1.5.
        check(
            "autoscaling.knative.dev/panic-threshold-percentage: \"150.0\"",
            None,
            Ok(KpaSpec {
                panic_threshold: 1.5,
                ..BASE
            }),
        );
        // Lower bound 3, upper bound 3, activation scale 5, scale-down delay 15 min = 900 s.
        check(
            "autoscaling.knative.dev/min-scale: \"3\"",
            None,
            Ok(KpaSpec {
                min_scale: 3,
                ..BASE
            }),
        );
        check(
            "autoscaling.knative.dev/max-scale: \"3\"",
            None,
            Ok(KpaSpec {
                max_scale: 3,
                ..BASE
            }),
        );
        check(
            "autoscaling.knative.dev/activation-scale: \"5\"",
            None,
            Ok(KpaSpec {
                activation_scale: 5,
                ..BASE
            }),
        );
        check(
            "autoscaling.knative.dev/scale-down-delay: \"15m\"",
            None,
            Ok(KpaSpec {
                scale_down_delay_s: 900,
                ..BASE
            }),
        );
        // Initial scale 0 is refused by a cluster that does not allow it, and taken by one
        // that does (the page's "Global (ConfigMap)" example, verbatim).
        check(
            "autoscaling.knative.dev/initial-scale: \"0\"",
            None,
            Err(
                "svc.yaml: spec.template.metadata.annotations.autoscaling.knative.dev/\
                 initial-scale: invalid value: 0: autoscaling.knative.dev/initial-scale=0 not \
                 allowed by cluster",
            ),
        );
        check(
            "autoscaling.knative.dev/initial-scale: \"0\"",
            Some(
                "apiVersion: v1
kind: ConfigMap
metadata:
  name: config-autoscaler
  namespace: knative-serving
data:
  initial-scale: \"0\"
  allow-zero-initial-scale: \"true\"
",
            ),
            Ok(KpaSpec {
                initial_scale: 0,
                ..BASE
            }),
        );
    }

    // -----------------------------------------------------------------------------------------
    // 2.3 KServe

    /// kserve/website `docs/model-serving/predictive-inference/autoscaling/kpa-autoscaler.md`
    /// (commit cbe8102e1bce917013557b21fbcdfc541e09ad0c), "Autoscaling with Target
    /// Concurrency", verbatim.
    const FLOWERS_SAMPLE: &str = r#"apiVersion: "serving.kserve.io/v1beta1"
kind: "InferenceService"
metadata:
  name: "flowers-sample"
spec:
  predictor:
    scaleTarget: 1
    scaleMetric: concurrency
    model:
      modelFormat:
        name: tensorflow
      storageUri: "gs://kfserving-examples/models/tensorflow/flowers"
"#;

    /// The same page, "Autoscaling with Target QPS", verbatim: `qps` is not a value the
    /// InferenceService CRD takes.
    const FLOWERS_QPS_SAMPLE: &str = r#"apiVersion: "serving.kserve.io/v1beta1"
kind: "InferenceService"
metadata:
  name: "flowers-sample"
spec:
  predictor:
    scaleTarget: 1
    scaleMetric: qps
    model:
      modelFormat:
        name: tensorflow
      storageUri: "gs://kfserving-examples/models/tensorflow/flowers"
"#;

    /// The same page, "Autoscaling Transformer and Predictor Components", verbatim.
    const TRANSFORMER_SAMPLE: &str = r#"apiVersion: serving.kserve.io/v1beta1
kind: InferenceService
metadata:
  name: torch-transformer  
spec:
  predictor:
    scaleTarget: 2
    scaleMetric: concurrency
    model:
      modelFormat:
        name: pytorch
      storageUri: gs://kfserving-examples/models/torchserve/image_classifier
  transformer:
    scaleTarget: 8
    scaleMetric: rps
    containers:
      - image: kserve/image-transformer:latest
        name: kserve-container
        command:
          - "python"
          - "-m"
          - "model"
        args:
          - --model_name
          - mnist
"#;

    /// The same page, "Container Concurrency" and "Enable Scale To Zero", verbatim.
    const CONTAINER_CONCURRENCY_SAMPLE: &str = r#"apiVersion: "serving.kserve.io/v1beta1"
kind: "InferenceService"
metadata:
  name: "flowers-sample"
spec:
  predictor:
    containerConcurrency: 10
    model:
      modelFormat:
        name: tensorflow
      storageUri: "gs://kfserving-examples/models/tensorflow/flowers"
"#;

    /// See [`CONTAINER_CONCURRENCY_SAMPLE`].
    const SCALE_TO_ZERO_SAMPLE: &str = r#"apiVersion: "serving.kserve.io/v1beta1"
kind: "InferenceService"
metadata:
  name: "flowers-sample"
spec:
  predictor:
    minReplicas: 0
    model:
      modelFormat:
        name: tensorflow
      storageUri: "gs://kfserving-examples/models/tensorflow/flowers"
"#;

    /// KServe's samples, resolved by hand.
    #[test]
    fn kserve_documentation_samples() {
        // scaleTarget 1 → target "1": T_t = 1 (containerConcurrency 0), T_v = max(0.01,
        // 1 × 0.7) = 0.7; minReplicas absent → min-scale "1"; maxReplicas absent → no
        // max-scale, the config's 0 = unbounded; W = 60, P = 6, θ = 2, TBC 211.
        assert_eq!(
            resolve_files(FLOWERS_SAMPLE, None),
            Ok(KpaSpec {
                target_value: 0.7,
                total_value: 1.0,
                min_scale: 1,
                ..BASE
            })
        );
        assert_eq!(
            resolve_files(FLOWERS_QPS_SAMPLE, None),
            Err(
                "svc.yaml: spec.predictor.scaleMetric: Unsupported value: \"qps\": supported \
                 values: \"cpu\", \"memory\", \"concurrency\", \"rps\""
                    .to_owned()
            )
        );
        // Only the predictor: T_t = 2, T_v = 2 × 0.7 = 1.4, min 1.
        assert_eq!(
            resolve_files(TRANSFORMER_SAMPLE, None),
            Ok(KpaSpec {
                target_value: 2.0 * 0.7,
                total_value: 2.0,
                min_scale: 1,
                ..BASE
            })
        );
        // cc = 10: T_t = 10, T_v = 7, min 1.
        assert_eq!(
            resolve_files(CONTAINER_CONCURRENCY_SAMPLE, None),
            Ok(KpaSpec {
                container_concurrency: 10,
                target_value: 10.0 * 0.7,
                total_value: 10.0,
                min_scale: 1,
                ..BASE
            })
        );
        // minReplicas 0: min-scale "0", the defaults otherwise.
        assert_eq!(resolve_files(SCALE_TO_ZERO_SAMPLE, None), Ok(BASE));
    }

    /// An InferenceService with `predictor_lines` (indented four spaces) and
    /// `annotation_lines` under its `metadata.annotations` (indented four spaces).
    fn inference_service_with(annotation_lines: &str, predictor_lines: &str) -> String {
        let annotations = if annotation_lines.is_empty() {
            String::new()
        } else {
            format!("  annotations:\n{annotation_lines}")
        };
        format!(
            "apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata:\n  name: \
             m\n{annotations}spec:\n  predictor:\n{predictor_lines}    model:\n      \
             modelFormat:\n        name: sklearn\n      storageUri: gs://bucket/model\n"
        )
    }

    /// KServe's checks (`validateReplicas`, `validateContainerConcurrency`,
    /// `validateScalingKPACompExtension`) and the annotations KServe writes.
    #[test]
    fn kserve_checks_and_mapping() {
        let isvc = |annotation_lines: &str, predictor_lines: &str, data: &[(&str, &str)]| {
            resolve_files(
                &inference_service_with(annotation_lines, predictor_lines),
                Some(&config(data)),
            )
        };
        let error = |field: &str, message: &str| Err(format!("svc.yaml: {field}: {message}"));
        let min1 = KpaSpec {
            min_scale: 1,
            ..BASE
        };
        // minReplicas absent is 1; present, as given; never negative.
        assert_eq!(isvc("", "", &[]), Ok(min1));
        assert_eq!(
            isvc("", "    minReplicas: -1\n", &[]),
            error(
                "spec.predictor.minReplicas",
                "'MinReplicas' cannot be less than 0"
            )
        );
        assert_eq!(
            isvc("", "    maxReplicas: -1\n", &[]),
            error(
                "spec.predictor.maxReplicas",
                "'MaxReplicas' cannot be less than 0"
            )
        );
        assert_eq!(
            isvc("", "    minReplicas: 5\n    maxReplicas: 3\n", &[]),
            error(
                "spec.predictor.maxReplicas, spec.predictor.minReplicas",
                "'MinReplicas' cannot be greater than MaxReplicas"
            )
        );
        // maxReplicas 0 is no max-scale annotation: the config's max-scale applies.
        assert_eq!(
            isvc(
                "",
                "    minReplicas: 2\n    maxReplicas: 0\n",
                &[("max-scale", "7")]
            ),
            Ok(KpaSpec {
                min_scale: 2,
                max_scale: 7,
                ..BASE
            })
        );
        assert_eq!(
            isvc("", "    minReplicas: 2\n    maxReplicas: 4\n", &[]),
            Ok(KpaSpec {
                min_scale: 2,
                max_scale: 4,
                ..BASE
            })
        );
        // maxReplicas above max-scale-limit: Knative's check, at KServe's field.
        assert_eq!(
            isvc(
                "",
                "    maxReplicas: 20\n",
                &[("max-scale", "5"), ("max-scale-limit", "10")]
            ),
            error("spec.predictor.maxReplicas", "expected 1 <= 20 <= 10")
        );
        // containerConcurrency: KServe refuses < 0, Knative > 1000.
        assert_eq!(
            isvc("", "    containerConcurrency: -1\n", &[]),
            error(
                "spec.predictor.containerConcurrency",
                "parallelism cannot be less than 0"
            )
        );
        assert_eq!(
            isvc("", "    containerConcurrency: 1001\n", &[]),
            error(
                "spec.predictor.containerConcurrency",
                "expected 0 <= 1001 <= 1000"
            )
        );
        // scaleMetric: concurrency or rps in Knative mode.
        assert_eq!(
            isvc("", "    scaleMetric: cpu\n", &[]),
            error(
                "spec.predictor.scaleMetric",
                "[cpu] is not a supported metric"
            )
        );
        assert_eq!(
            isvc("", "    scaleMetric: memory\n    scaleTarget: 80\n", &[]),
            error(
                "spec.predictor.scaleMetric",
                "[memory] is not a supported metric"
            )
        );
        // rps needs a target of at least 1.
        assert_eq!(
            isvc("", "    scaleMetric: rps\n    scaleTarget: 0\n", &[]),
            error(
                "spec.predictor.scaleTarget",
                "the target for rps should be greater than 1"
            )
        );
        // Semantics 2.3's example: scaleTarget 10, rps: T_t = 10, T_v = 10 × 0.7 = 7 per pod.
        assert_eq!(
            isvc("", "    scaleMetric: rps\n    scaleTarget: 10\n", &[]),
            Ok(KpaSpec {
                metric: KpaMetric::Rps,
                target_value: 10.0 * 0.7,
                total_value: 10.0,
                ..min1
            })
        );
        // A concurrency target of 0 passes KServe and fails Knative, at KServe's field.
        assert_eq!(
            isvc("", "    scaleTarget: 0\n", &[]),
            error(
                "spec.predictor.scaleTarget",
                "target 0 should be at least 0.01"
            )
        );
        // scaleTarget replaces a target annotation.
        assert_eq!(
            isvc(
                "    autoscaling.knative.dev/target: \"50\"\n",
                "    scaleTarget: 4\n",
                &[]
            ),
            Ok(KpaSpec {
                target_value: 4.0 * 0.7,
                total_value: 4.0,
                ..min1
            })
        );
        // timeout: the revision's timeoutSeconds, checked by Knative.
        assert_eq!(
            isvc("", "    timeout: 120\n", &[]),
            Ok(KpaSpec {
                timeout_s: 120,
                ..min1
            })
        );
        assert_eq!(
            isvc("", "    timeout: 700\n", &[]),
            error("spec.predictor.timeout", "expected 0 <= 700 <= 600")
        );
    }

    /// What KServe copies, drops and defaults among the annotations.
    #[test]
    fn kserve_annotations() {
        let isvc = |annotation_lines: &str, predictor_lines: &str, data: &[(&str, &str)]| {
            resolve_files(
                &inference_service_with(annotation_lines, predictor_lines),
                Some(&config(data)),
            )
        };
        let min1 = KpaSpec {
            min_scale: 1,
            ..BASE
        };
        // min-scale and max-scale on the InferenceService are not copied (KServe writes them).
        assert_eq!(
            isvc(
                "    autoscaling.knative.dev/min-scale: \"5\"\n    autoscaling.knative.dev/max-scale: \"9\"\n",
                "",
                &[]
            ),
            Ok(min1)
        );
        // Their aliases are copied; the canonical key KServe writes wins, and an alias fills
        // in where KServe writes nothing (maxReplicas 0).
        assert_eq!(
            isvc(
                "    autoscaling.knative.dev/minScale: \"5\"\n    autoscaling.knative.dev/maxScale: \"9\"\n",
                "",
                &[]
            ),
            Ok(KpaSpec {
                max_scale: 9,
                ..min1
            })
        );
        // Other annotations are copied, and checked by Knative at the InferenceService's path.
        assert_eq!(
            isvc("    autoscaling.knative.dev/window: \"5s\"\n", "", &[]),
            Err(
                "svc.yaml: metadata.annotations.autoscaling.knative.dev/window: expected 6s <= \
                 5s <= 1h0m0s"
                    .to_owned()
            )
        );
        assert_eq!(
            isvc("    autoscaling.knative.dev/window: \"30s\"\n", "", &[]),
            Ok(KpaSpec {
                stable_window_s: 30,
                panic_window_s: 3,
                ..min1
            })
        );
        // The predictor's annotations are copied too, and win.
        assert_eq!(
            isvc(
                "    autoscaling.knative.dev/window: \"30s\"\n",
                "    annotations:\n      autoscaling.knative.dev/window: \"20s\"\n",
                &[]
            ),
            Ok(KpaSpec {
                stable_window_s: 20,
                panic_window_s: 2,
                ..min1
            })
        );
        // `ValidateInitialScaleAnnotation` drops a non-integer, or 0 on a cluster that forbids
        // it, on the InferenceService (then the config's initial scale applies) ...
        assert_eq!(
            isvc(
                "    autoscaling.knative.dev/initial-scale: \"x\"\n",
                "",
                &[]
            ),
            Ok(min1)
        );
        assert_eq!(
            isvc(
                "    autoscaling.knative.dev/initial-scale: \"0\"\n",
                "",
                &[]
            ),
            Ok(min1)
        );
        assert_eq!(
            isvc(
                "    autoscaling.knative.dev/initial-scale: \"0\"\n",
                "",
                &[("allow-zero-initial-scale", "true")]
            ),
            Ok(KpaSpec {
                initial_scale: 0,
                ..min1
            })
        );
        // ... but not a negative one, which Knative refuses,
        assert_eq!(
            isvc(
                "    autoscaling.knative.dev/initial-scale: \"-1\"\n",
                "",
                &[]
            ),
            Err(
                "svc.yaml: metadata.annotations.autoscaling.knative.dev/initial-scale: invalid \
                 value: -1: autoscaling.knative.dev/initial-scale must be greater than 0"
                    .to_owned()
            )
        );
        // ... nor one on the predictor.
        assert_eq!(
            isvc(
                "",
                "    annotations:\n      autoscaling.knative.dev/initial-scale: \"x\"\n",
                &[]
            ),
            Err(
                "svc.yaml: spec.predictor.annotations.autoscaling.knative.dev/initial-scale: \
                 invalid value: x"
                    .to_owned()
            )
        );
        // The class defaults to KPA whatever the config's class; the HPA class is refused.
        assert_eq!(isvc("", "", &[("pod-autoscaler-class", HPA)]), Ok(min1));
        assert_eq!(
            isvc(
                "    autoscaling.knative.dev/class: hpa.autoscaling.knative.dev\n",
                "",
                &[]
            ),
            Err(format!(
                "svc.yaml: metadata.annotations.autoscaling.knative.dev/class: {ONLY_KPA}"
            ))
        );
        // The deployment mode: Knative (or its old name, Serverless) only.
        assert_eq!(
            isvc(
                "    serving.kserve.io/deploymentMode: Serverless\n",
                "",
                &[]
            ),
            Ok(min1)
        );
        assert_eq!(
            isvc(
                "    serving.kserve.io/deploymentMode: RawDeployment\n",
                "",
                &[]
            ),
            Err(
                "svc.yaml: metadata.annotations.serving.kserve.io/deploymentMode: Unsupported \
                 value: \"RawDeployment\": supported values: \"Knative\", \"Serverless\" (the \
                 Knative Pod Autoscaler scales an InferenceService only in Knative mode)"
                    .to_owned()
            )
        );
        assert_eq!(
            isvc("", "    deploymentStrategy:\n      type: Recreate\n", &[]),
            Err(
                "svc.yaml: spec.predictor.deploymentStrategy: customizing deploymentStrategy is \
                 only supported for raw deployment mode"
                    .to_owned()
            )
        );
        // The progress deadline, on the InferenceService: 300 s + 30 s.
        assert_eq!(
            isvc(
                "    serving.knative.dev/progress-deadline: \"5m\"\n",
                "",
                &[]
            ),
            Ok(KpaSpec {
                activation_timeout_s: 330,
                ..min1
            })
        );
        assert_eq!(
            isvc("", "    minReplicas: 3000000000\n", &[]),
            Err(
                "svc.yaml: spec.predictor.minReplicas: expected an int32, found 3000000000: out \
                 of range"
                    .to_owned()
            )
        );
    }

    /// The manifest's kind and API version; the file's form.
    #[test]
    fn manifest_kinds_and_forms() {
        let check = |text: &str, expected: &str| {
            assert_eq!(
                resolve_files(text, None),
                Err(expected.to_owned()),
                "{text}"
            );
        };
        check(
            "apiVersion: apps/v1\nkind: Deployment\n",
            "svc.yaml: kind: Unsupported value: \"Deployment\": supported values: \"Service\" \
             (serving.knative.dev/v1, a Knative Service), \"InferenceService\" \
             (serving.kserve.io/v1beta1, a KServe InferenceService)",
        );
        check(
            "metadata:\n  name: x\n",
            "svc.yaml: kind: Required value: supported values: \"Service\" \
             (serving.knative.dev/v1, a Knative Service), \"InferenceService\" \
             (serving.kserve.io/v1beta1, a KServe InferenceService)",
        );
        check(
            "apiVersion: v1\nkind: Service\nspec:\n  ports: []\n",
            "svc.yaml: apiVersion: Unsupported value: \"v1\": supported values: \
             \"serving.knative.dev/v1\" (apiVersion v1 is a Kubernetes core Service, which does \
             not autoscale)",
        );
        check(
            "apiVersion: serving.kubeflow.org/v1beta1\nkind: InferenceService\n",
            "svc.yaml: apiVersion: Unsupported value: \"serving.kubeflow.org/v1beta1\": \
             supported values: \"serving.kserve.io/v1beta1\" (KFServing's group, renamed \
             serving.kserve.io in KServe 0.7)",
        );
        check("kind: Service\n", "svc.yaml: apiVersion: Required value");
        check(
            "apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nspec: {}\n",
            "svc.yaml: spec.predictor: Required value",
        );
        check(
            "apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\n",
            "svc.yaml: spec: Required value",
        );
        check(
            "",
            "svc.yaml: expected one Service or InferenceService object, found an empty document",
        );
        check(
            "[1, 2]",
            "svc.yaml: expected a Service or InferenceService object, found a sequence",
        );
        check(
            "kind: [Service]\n",
            "svc.yaml: kind: expected a string, found a sequence",
        );
        // A Service with no template runs nothing: Knative wants its containers.
        assert_eq!(
            resolve_files("apiVersion: serving.knative.dev/v1\nkind: Service\n", None),
            Err("svc.yaml: spec.template.spec.containers: missing field(s)".to_owned())
        );
        // JSON, by the file's extension.
        let json = kpa_spec(
            Path::new("svc.json"),
            r#"{"apiVersion": "serving.knative.dev/v1", "kind": "Service",
                "metadata": {"name": "hello"},
                "spec": {"template": {
                    "metadata": {"annotations": {"autoscaling.knative.dev/window": "40s"}},
                    "spec": {"containerConcurrency": 10, "containers": [{"image": "x"}]}}}}"#,
            None,
        );
        assert_eq!(
            json.map_err(|err| err.to_string()),
            Ok(KpaSpec {
                stable_window_s: 40,
                panic_window_s: 4,
                container_concurrency: 10,
                target_value: 10.0 * 0.7,
                total_value: 10.0,
                ..BASE
            })
        );
    }

    mod no_panic {
        use proptest::prelude::*;

        use super::*;

        /// Every annotation key read, canonical and alias.
        const KEYS: &[&str] = &[
            "autoscaling.knative.dev/class",
            "autoscaling.knative.dev/metric",
            "autoscaling.knative.dev/target",
            "autoscaling.knative.dev/targetUtilizationPercentage",
            "autoscaling.knative.dev/window",
            "autoscaling.knative.dev/panic-window-percentage",
            "autoscaling.knative.dev/panicThresholdPercentage",
            "autoscaling.knative.dev/target-burst-capacity",
            "autoscaling.knative.dev/min-scale",
            "autoscaling.knative.dev/maxScale",
            "autoscaling.knative.dev/activation-scale",
            "autoscaling.knative.dev/initial-scale",
            "autoscaling.knative.dev/scaleDownDelay",
            "autoscaling.knative.dev/scale-to-zero-pod-retention-period",
            "autoscaling.knative.dev/metric-aggregation-algorithm",
            "serving.knative.dev/progress-deadline",
        ];

        /// Every config key.
        const CONFIG_KEYS: &[&str] = &[
            "pod-autoscaler-class",
            "enable-scale-to-zero",
            "allow-zero-initial-scale",
            "max-scale-up-rate",
            "max-scale-down-rate",
            "container-concurrency-target-percentage",
            "container-concurrency-target-default",
            "requests-per-second-target-default",
            "target-burst-capacity",
            "panic-window-percentage",
            "activator-capacity",
            "panic-threshold-percentage",
            "initial-scale",
            "min-scale",
            "max-scale",
            "max-scale-limit",
            "stable-window",
            "scale-down-delay",
            "scale-to-zero-grace-period",
            "scale-to-zero-pod-retention-period",
        ];

        /// Values near the edges of Go's grammars.
        fn value() -> impl Strategy<Value = String> {
            prop_oneof![
                "[-+0-9._eEpPxXa-fhmsnuµ]{0,12}",
                "\\PC{0,8}",
                prop::sample::select(vec![
                    "0",
                    "-0",
                    "1",
                    "-1",
                    "NaN",
                    "Inf",
                    "-Inf",
                    "1e400",
                    "2147483648",
                    "-2147483649",
                    "9223372036854775808",
                    "0x1p-1080",
                    "1h",
                    "-1h",
                    "6s",
                    "3600s",
                    "3601s",
                    "0.5s",
                    "2562047h47m16.854775808s",
                    "100",
                    "110",
                    "1000",
                ])
                .prop_map(str::to_owned),
            ]
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

            /// Any annotations and config values: an answer, never a panic; an accepted spec
            /// builds the core's autoscaler.
            #[test]
            fn any_values(
                annotations in prop::collection::vec((prop::sample::select(KEYS), value()), 0..5),
                data in prop::collection::vec((prop::sample::select(CONFIG_KEYS), value()), 0..5),
            ) {
                let annotations: Vec<(&str, &str)> =
                    annotations.iter().map(|(key, text)| (*key, text.as_str())).collect();
                let data: Vec<(&str, &str)> =
                    data.iter().map(|(key, text)| (*key, text.as_str())).collect();
                let text = service(&annotations);
                if let Ok(spec) = resolve_files(&text, Some(&config(&data))) {
                    prop_assert!(scalesim_core::KnativePodAutoscaler::new(spec).is_ok());
                    prop_assert!(spec.max_scale <= MAX_KPA_PODS);
                    prop_assert!(spec.max_scale == 0 || spec.min_scale <= spec.max_scale);
                    prop_assert!(spec.min_scale <= MAX_KPA_PODS);
                }
            }

            /// Any InferenceService fields.
            #[test]
            fn any_inference_service(
                min in prop::option::of(any::<i64>()),
                max in prop::option::of(any::<i64>()),
                target in prop::option::of(-2i64..200),
                metric in prop::option::of(prop::sample::select(vec!["rps", "concurrency", "cpu", "x"])),
                concurrency in prop::option::of(-2i64..1100),
            ) {
                let mut lines = String::new();
                for (name, number) in [("minReplicas", min), ("maxReplicas", max), ("scaleTarget", target), ("containerConcurrency", concurrency)] {
                    if let Some(number) = number {
                        lines.push_str(&format!("    {name}: {number}\n"));
                    }
                }
                if let Some(metric) = metric {
                    lines.push_str(&format!("    scaleMetric: {metric}\n"));
                }
                if let Ok(spec) = resolve_files(&inference_service_with("", &lines), None) {
                    prop_assert!(scalesim_core::KnativePodAutoscaler::new(spec).is_ok());
                }
            }

            /// Any text as the manifest or the config.
            #[test]
            fn any_text(text in "\\PC{0,200}", json in any::<bool>()) {
                let service_path = if json { "svc.json" } else { "svc.yaml" };
                let _ = kpa_spec(Path::new(service_path), &text, None);
                let _ = kpa_spec(Path::new("svc.yaml"), &service(&[]), Some((Path::new(service_path), &text)));
            }

            /// Go's parsers on any text.
            #[test]
            fn go_parsers(text in "[-+0-9._eEpPxXa-fhmsnuµ ]{0,30}") {
                let _ = go::parse_float(&text);
                let _ = go::parse_int32(&text);
                let _ = go::atoi(&text);
                let _ = go::parse_bool(&text);
                if let Ok(duration) = Duration::parse(&text) {
                    let _ = duration.round(SECOND_NS).to_string();
                }
                let _ = go::format_v(text.len() as f64 / 7.0);
            }

            /// A decimal number: Go's grammar takes it, and gives the value Rust's does.
            #[test]
            fn decimal_floats_agree(text in "[-+]?[0-9]{1,25}(\\.[0-9]{0,25})?([eE][-+]?[0-9]{1,3})?") {
                let expected: f64 = text.parse().unwrap();
                match go::parse_float(&text) {
                    Ok(value) => prop_assert_eq!(value.to_bits(), expected.to_bits()),
                    Err(message) => prop_assert!(expected.is_infinite(), "{message}"),
                }
            }
        }
    }
}
