//! Scenario files (TOML, spec/README.md "Scenario files"): parsed into raw `*Spec` structs that
//! mirror the keys, then checked into a [`Scenario`] of core types that cannot be invalid.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, Utc};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use scalesim_core::{
    ApplicationAutoScaling, Arrivals, Autoscaler, AzureAutoscale, BucketWindow, BuildError,
    CapacityBounds, Demand, Distribution, FleetConfig, HighResolutionAlarm,
    HorizontalPodAutoscaler, KnativePodAutoscaler, LatencyNeed, MAX_STEP_S, PolicyName,
    RequestConfig, ScheduledAction, ServiceLevelObjective, ServiceLevelSink, ServiceModel,
    SessionConfig, SessionLength, SessionWeights, Simulation, Sink, SyntheticLoad, TargetTracking,
    WorkspaceScaling,
};
use serde::Deserialize;

use crate::error::ScenarioError;
use crate::limits::{
    MAX_PRICE_PER_HOUR, MAX_PROVISIONING_S, MAX_REPLICA_STEPS, MAX_RUNS, MAX_SCENARIO_BYTES,
    MAX_SERVICE_TIME_S, MAX_VENDOR_BYTES, check_memory, check_nesting, check_provisioning_s,
    read_text_bounded, run_bytes,
};
use crate::load::{DistributionSpec, SyntheticSpec};
use crate::requests::{RequestModel, ServiceTimeSpec, columns, routing, service_time};
use crate::trace::{TraceForm, TraceOptions, load_trace};
use crate::vendor_formats::aws::{
    AwsFiles, AwsScaling, AwsSettings, PolicyFileShape, VariantSettings, application_auto_scaling,
    request_bodies, target_tracking_with,
};
use crate::vendor_formats::aws_endpoint::{endpoint_update, endpoint_variants};
use crate::vendor_formats::azure::autoscale_setting;
use crate::vendor_formats::document::{
    self, Document, Field, Format, OptionalAnnotation, OptionalField,
};
use crate::vendor_formats::huawei::scaling_policy;
use crate::vendor_formats::k8s::{horizontal_pod_autoscaler, is_json_manifest};
use crate::vendor_formats::knative::kpa_spec;

const DEFAULT_STEP_S: u64 = 60;
const DEFAULT_SEED: u64 = 0;
const DEFAULT_PROVISIONING_S: u64 = 300;
/// spec/aws-target-tracking.md and azure-autoscale.md: "metric_delay_s (default 60, a multiple
/// of 60)".
const DEFAULT_METRIC_DELAY_S: u64 = 60;
/// Model choice of azure-autoscale.md and huawei-workspace.md: evaluations every 60 s.
const DEFAULT_EVALUATION_PERIOD_S: u64 = 60;
/// The HPA controller's defaults: a sync every 15 s, tolerance 0.1 (kubernetes-hpa.md).
const DEFAULT_SYNC_PERIOD_S: u64 = 15;
/// A pod's slots under the KPA are its `containerConcurrency` when the manifest sets one
/// (docs/semantics/knative-kpa.md, rule 28): a different `concurrency_per_instance` is refused,
/// and a revision without `max-scale` must fit the slots simulated at 150,000 pods.
fn check_kpa_slots(
    spec: &scalesim_core::KpaSpec,
    config: &RequestConfig,
    concurrency_given: bool,
    path: &Path,
) -> Result<(), ScenarioError> {
    let cc = spec.container_concurrency;
    if cc > 0 && concurrency_given && config.concurrency_per_instance != cc {
        return Err(field_error(
            path,
            "service.concurrency_per_instance",
            format!(
                "is the manifest's containerConcurrency ({cc}) under knative-kpa: remove it, or \
                 write {cc}; got {}",
                config.concurrency_per_instance
            ),
        ));
    }
    let slots = if cc > 0 {
        cc
    } else {
        config.concurrency_per_instance
    };
    if spec.max_scale == 0
        && u64::from(slots) * u64::from(scalesim_core::MAX_KPA_PODS) > scalesim_core::MAX_SLOTS
    {
        return Err(field_error(
            path,
            "autoscaler.service",
            format!(
                "has no max-scale, so the KPA may ask for {} pods, whose {slots} slots each pass \
                 the {} simulated: set autoscaling.knative.dev/max-scale (KServe: maxReplicas)",
                scalesim_core::MAX_KPA_PODS,
                scalesim_core::MAX_SLOTS
            ),
        ));
    }
    Ok(())
}

/// The requests Knative's activator holds at once (`breakerQueueDepth`).
const ACTIVATOR_QUEUE: u64 = 10_000;
/// The role of the `config_autoscaler` file of a `knative-kpa` scenario.
const CONFIG_AUTOSCALER: &str = "config_autoscaler";
const DEFAULT_TOLERANCE: f64 = 0.1;
/// kubernetes-hpa.md: `cpu_request_m` default 1000.
const DEFAULT_CPU_REQUEST_M: i64 = 1000;
/// Mixed into the seed of provisioning draws so that they never share a stream with the load.
const PROVISIONING_SEED_SALT: u64 = 0x5CA1_E51A_0000_0001;

/// A scenario file as written, key for key.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioSpec {
    /// Names the run and its default output folder.
    pub name: String,
    /// Seconds per simulation step; default 60.
    pub step_s: Option<u64>,
    /// Seed for anything random; default 0.
    pub seed: Option<u64>,
    /// Replicas to run, each with its own draws of noise and provisioning times; default 1.
    pub runs: Option<u32>,
    /// Wall-clock time of t = 0, for schedules: a TOML datetime or an RFC 3339 string; no
    /// offset means UTC.
    pub start: Option<StartSpec>,
    /// Where the demand comes from.
    pub load: LoadSpec,
    /// The instances.
    pub fleet: FleetSpec,
    /// The autoscaler and its vendor files.
    pub autoscaler: AutoscalerSpec,
    /// Session workloads (Huawei Workspace): the trace counts session starts.
    pub sessions: Option<SessionsSpec>,
    /// What happens to requests beyond capacity.
    pub service: Option<ServiceSpec>,
    /// Service-level objectives.
    pub slo: Option<SloSpec>,
    /// Sweep files only: the parameters to vary (`scalesim sweep`).
    pub sweep: Option<toml::Table>,
    /// Sweep files only: what the recommended run optimises.
    pub objective: Option<ObjectiveSpec>,
}

/// `[objective]` of a sweep: the cheapest run whose losses stay within bounds.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectiveSpec {
    /// `cost` (default when a price is given) or `instance_hours`.
    pub minimize: Option<String>,
    /// Largest acceptable unserved fraction of the run; default 0.001.
    pub max_unserved_fraction: Option<f64>,
    /// Largest acceptable seconds breaking the SLO, when the scenario has one.
    pub max_slo_violation_s: Option<f64>,
    /// Largest acceptable p99 latency of the run, seconds (`service.model = "requests"`); the
    /// Pareto frontier then weighs cost against p99 latency.
    pub max_latency_p99_s: Option<f64>,
}

/// `[service]`: the service model.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceSpec {
    /// `throttle` (default: excess requests are lost) or `queue` (they wait and are served
    /// later, oldest first).
    pub model: Option<String>,
    /// Mean time an instance takes to serve one request, seconds: enables the M/M/c latency
    /// estimate and the latency objective (fluid models).
    pub service_time_s: Option<f64>,
    /// `model = "requests"`: requests one instance serves at once; default 1.
    pub concurrency_per_instance: Option<u32>,
    /// `model = "requests"`: `least-outstanding` (default), `random` or `packing`.
    pub routing: Option<String>,
    /// `model = "requests"`: seconds a request may wait before it fails; default no limit.
    pub queue_timeout_s: Option<f64>,
    /// `model = "requests"`: most requests waiting; default no bound but scalesim's.
    pub max_queue: Option<u64>,
    /// `model = "requests"`: how long each request takes.
    pub time: Option<ServiceTimeSpec>,
}

/// `[slo]`: service-level objectives checked per step.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SloSpec {
    /// Largest acceptable mean response time, seconds (needs `service.service_time_s`).
    pub latency_s: Option<f64>,
    /// Largest acceptable share of a step's arrivals lost.
    pub max_unserved_fraction: Option<f64>,
}

/// `start`, as TOML writes a datetime or as a string.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum StartSpec {
    /// A TOML datetime, date or local datetime.
    Datetime(toml::value::Datetime),
    /// An RFC 3339 string.
    Text(String),
}

impl StartSpec {
    /// The instant in the offset written. A time or date without an offset is refused, as a
    /// trace's timestamps are (docs/semantics/traces.md): taken as UTC, a local time written
    /// for New York would move every schedule by hours without a word.
    fn to_instant(&self) -> Result<DateTime<FixedOffset>, String> {
        let text = match self {
            StartSpec::Datetime(datetime) => datetime.to_string(),
            StartSpec::Text(text) => text.clone(),
        };
        if let Ok(with_offset) = DateTime::parse_from_rfc3339(&text) {
            return Ok(with_offset);
        }
        // Beyond what a trace's timestamps are refused for, `start` was once read from a time
        // without seconds written with a space, and from a date alone.
        let without_offset = crate::trace::written_without_offset(&text)
            || NaiveDateTime::parse_from_str(&text, "%Y-%m-%d %H:%M").is_ok()
            || NaiveDate::parse_from_str(&text, "%Y-%m-%d").is_ok();
        Err(if without_offset {
            format!(
                "{text:?} has no offset: write Z or +hh:mm after the time (a date alone needs \
                 one too, as T00:00:00Z), so that the instant is not a guess"
            )
        } else {
            format!(
                "must be a TOML datetime or an RFC 3339 time such as 2025-03-03T08:00:00Z, got {text:?}"
            )
        })
    }
}

/// `[sessions]`: how long sessions last and what they use (spec/huawei-workspace.md).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionsSpec {
    /// `fixed`, `exponential` or `lognormal` (session model; with `service.model =
    /// "requests"` a session's length is `[service.time]`).
    pub distribution: Option<String>,
    /// Mean session length, seconds (session model).
    pub mean_s: Option<f64>,
    /// Standard deviation of the log, lognormal only.
    pub sigma: Option<f64>,
    /// CPU percent of one server a session uses; default 100 / slots.
    pub cpu_pct_per_session: Option<f64>,
    /// Memory percent of one server a session uses; default 100 / slots.
    pub mem_pct_per_session: Option<f64>,
    /// GPU memory percent of one server a session uses; default 100 / slots.
    pub gpu_mem_pct_per_session: Option<f64>,
}

/// `[load]`: a trace, how to read it, and the window of it to replay.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoadSpec {
    /// The trace, relative to the scenario file: a CSV or a monitoring export, recognised by
    /// its content (docs/semantics/traces.md).
    pub trace: Option<PathBuf>,
    /// What a data point means: `"sum"` (default), `"rate_per_s"` or `"rate_per_min"`.
    pub value: Option<String>,
    /// What a gap in the timestamps does: `"error"` (default with timestamps) or `"zero"`.
    pub gaps: Option<String>,
    /// Labels the series replayed must have (`{ Id = "m1" }`); default every series, summed.
    pub series: Option<BTreeMap<String, String>>,
    /// The statistic read from get-metric-statistics output (default `Sum`) or an Azure
    /// Monitor response (default `total`).
    pub statistic: Option<String>,
    /// Synthetic load, built from terms (a replay term replays `trace`).
    pub synthetic: Option<SyntheticSpec>,
    /// First bucket replayed; default 0.
    pub from_bucket: Option<u64>,
    /// Number of buckets replayed; default all.
    pub buckets: Option<u64>,
}

/// `[fleet]`: identical instances.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FleetSpec {
    /// Requests one instance serves per minute (fluid models; the request-level model derives
    /// it from concurrency and service times).
    pub capacity_per_instance: Option<f64>,
    /// Instances at t = 0; default the autoscaler's minimum.
    pub initial_instances: Option<u32>,
    /// Seconds until a launched instance serves (default 300), or a distribution to draw them
    /// from, once per replica.
    pub provisioning_s: Option<ProvisioningSpec>,
    /// What one instance costs per hour, in the user's currency; no cost figures without it.
    pub price_per_hour: Option<f64>,
    /// With an endpoint config: each instance type's capacity and price, by its name
    /// (`"ml.c5.xlarge"`).
    pub instance_types: Option<BTreeMap<String, InstanceTypeSpec>>,
}

/// `[fleet.instance_types."ml.c5.xlarge"]`: what one instance of the type serves and costs.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstanceTypeSpec {
    /// Requests one instance serves per minute.
    pub capacity_per_instance: f64,
    /// What one instance costs per hour; default `fleet.price_per_hour`.
    pub price_per_hour: Option<f64>,
}

/// `[[autoscaler.endpoint_updates]]`: an UpdateEndpointWeightsAndCapacities body applied at a
/// time of the run.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndpointUpdateSpec {
    /// Wall-clock time it is applied (needs `start`).
    pub at: Option<StartSpec>,
    /// Or seconds after t = 0.
    pub after_s: Option<u64>,
    /// The request body, relative to the scenario file.
    pub file: PathBuf,
}

/// `[autoscaler.high_resolution_alarm]`: the shape of target tracking's scale-out alarm on a
/// high-resolution metric; each key defaults to [`HighResolutionAlarm::DEFAULT`]'s.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HighResolutionAlarmSpec {
    /// Seconds in a datapoint's period: 10, 20, 30 or 60.
    pub period_s: Option<u64>,
    /// Datapoints, all above the target, that put the alarm in ALARM.
    pub datapoints: Option<u64>,
    /// Seconds from a period's end until its datapoint is visible.
    pub delay_s: Option<u64>,
}

/// `provisioning_s`: seconds, or a distribution drawn once per replica.
#[derive(Debug, Clone, Copy)]
pub enum ProvisioningSpec {
    /// A fixed number of seconds.
    Seconds(u64),
    /// A distribution of seconds.
    Drawn(DistributionSpec),
}

/// Read by hand rather than as an untagged enum, whose error for a value of neither form
/// ("data did not match any variant") says neither the field nor what it takes.
impl<'de> Deserialize<'de> for ProvisioningSpec {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error as _;
        let value = toml::Value::deserialize(deserializer)?;
        match value {
            toml::Value::Integer(seconds) if seconds >= 0 => Ok(Self::Seconds(seconds as u64)),
            toml::Value::Table(_) => DistributionSpec::deserialize(value)
                .map(Self::Drawn)
                .map_err(|error| {
                    let message = error.message().trim().replace('\n', " ");
                    D::Error::custom(format!("fleet.provisioning_s: {message}"))
                }),
            other => Err(D::Error::custom(format!(
                "fleet.provisioning_s: expected whole seconds from 0 (a multiple of step_s) or a \
                 distribution such as {{ distribution = \"uniform\", low = 180.0, high = 420.0 }}, \
                 got {other}"
            ))),
        }
    }
}

/// `[autoscaler]`, chosen by its `kind`.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", deny_unknown_fields)]
#[non_exhaustive]
pub enum AutoscalerSpec {
    /// AWS Application Auto Scaling target tracking on a SageMaker endpoint variant.
    #[serde(rename = "aws-target-tracking")]
    AwsTargetTracking {
        /// RegisterScalableTarget request body, relative to the scenario file.
        register_scalable_target: PathBuf,
        /// PutScalingPolicy request body or bodies (a JSON array), only a
        /// TargetTrackingScalingPolicyConfiguration, or `describe-scaling-policies` output.
        put_scaling_policy: PathBuf,
        /// PutScheduledAction bodies (a JSON array), or `describe-scheduled-actions` output.
        scheduled_actions: Option<PathBuf>,
        /// PutMetricAlarm bodies (a JSON array), or `aws cloudwatch describe-alarms` output: the
        /// alarms that invoke step scaling policies.
        alarms: Option<PathBuf>,
        /// Seconds until a minute's datapoint is visible to the alarms; default 60.
        metric_delay_s: Option<u64>,
        /// CreateEndpointConfig body or `describe-endpoint-config` output: an endpoint with
        /// several production variants, each scaled on its share of the traffic.
        endpoint_config: Option<PathBuf>,
        /// UpdateEndpointWeightsAndCapacities bodies applied during the run.
        endpoint_updates: Option<Vec<EndpointUpdateSpec>>,
        /// The scale-out alarm of target tracking on a high-resolution metric, which AWS does
        /// not publish: `docs/semantics/aws-high-resolution.md`.
        high_resolution_alarm: Option<HighResolutionAlarmSpec>,
    },
    /// Azure Monitor autoscale, as Azure ML managed online endpoints use it.
    #[serde(rename = "azure-autoscale")]
    AzureAutoscale {
        /// The autoscale setting: the resource, its `properties`, or an ARM template.
        autoscale_setting: PathBuf,
        /// Seconds between evaluations; default 60.
        evaluation_period_s: Option<u64>,
        /// Seconds until a minute's samples are visible; default 60.
        metric_delay_s: Option<u64>,
    },
    /// Kubernetes HorizontalPodAutoscaler, autoscaling/v2.
    #[serde(rename = "kubernetes-hpa")]
    KubernetesHpa {
        /// The HorizontalPodAutoscaler manifest, YAML or JSON.
        horizontal_pod_autoscaler: PathBuf,
        /// Seconds between syncs; default 15, as the controller.
        sync_period_s: Option<u64>,
        /// The controller's tolerance where a rule gives none; default 0.1.
        tolerance: Option<f64>,
        /// CPU request of a pod, millicores; default 1000.
        cpu_request_m: Option<i64>,
    },
    /// The Knative Pod Autoscaler, as KServe and Knative Services use it.
    #[serde(rename = "knative-kpa")]
    KnativeKpa {
        /// A KServe InferenceService or a Knative Service manifest, YAML or JSON.
        service: PathBuf,
        /// The cluster's `config-autoscaler` ConfigMap; Knative's defaults without it.
        config_autoscaler: Option<PathBuf>,
    },
    /// Huawei Cloud Workspace server-group scaling policy.
    #[serde(rename = "huawei-workspace")]
    HuaweiWorkspace {
        /// The scaling-policy request body.
        scaling_policy: PathBuf,
        /// Seconds between evaluations; default 60.
        evaluation_period_s: Option<u64>,
    },
}

impl ScenarioSpec {
    /// Parses scenario text; `origin` only names the file in errors.
    pub fn parse_str(text: &str, origin: &Path) -> Result<Self, ScenarioError> {
        toml::from_str(text).map_err(|err| {
            let location = err
                .span()
                .map(|span| {
                    let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
                    format!("line {line}: ")
                })
                .unwrap_or_default();
            ScenarioError::Toml {
                path: origin.to_owned(),
                location,
                message: err.message().trim_end_matches('\n').to_owned(),
            }
        })
    }
}

/// The checked autoscaler of a scenario.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum AutoscalerConfig {
    /// AWS target tracking on a SageMaker variant: one policy on InvocationsPerInstance, which
    /// the sweep kernel runs.
    AwsTargetTracking(TargetTracking),
    /// AWS Application Auto Scaling on a SageMaker variant: several policies of any type,
    /// scheduled actions.
    AwsApplicationAutoScaling(ApplicationAutoScaling),
    /// Azure Monitor autoscale.
    AzureAutoscale(AzureAutoscale),
    /// Huawei Workspace scaling, with the sessions it serves (`None` on the request-level
    /// model, where each request is a session).
    HuaweiWorkspace(WorkspaceScaling, Option<SessionConfig>),
    /// The Kubernetes HorizontalPodAutoscaler.
    KubernetesHpa(HorizontalPodAutoscaler),
    /// The Knative Pod Autoscaler.
    KnativeKpa(KnativePodAutoscaler),
}

impl AutoscalerConfig {
    /// The `kind` key that selects this autoscaler.
    pub fn kind(&self) -> &'static str {
        match self {
            AutoscalerConfig::AwsTargetTracking(_)
            | AutoscalerConfig::AwsApplicationAutoScaling(_) => "aws-target-tracking",
            AutoscalerConfig::AzureAutoscale(_) => "azure-autoscale",
            AutoscalerConfig::HuaweiWorkspace(..) => "huawei-workspace",
            AutoscalerConfig::KubernetesHpa(_) => "kubernetes-hpa",
            AutoscalerConfig::KnativeKpa(_) => "knative-kpa",
        }
    }

    /// The capacity bounds at t = 0.
    pub fn bounds(&self) -> CapacityBounds {
        match self {
            AutoscalerConfig::AwsTargetTracking(policy) => policy.initial_bounds(),
            AutoscalerConfig::AwsApplicationAutoScaling(scaling) => scaling.initial_bounds(),
            AutoscalerConfig::AzureAutoscale(autoscale) => autoscale.initial_bounds(),
            AutoscalerConfig::HuaweiWorkspace(scaling, _) => scaling.initial_bounds(),
            AutoscalerConfig::KubernetesHpa(hpa) => hpa.initial_bounds(),
            AutoscalerConfig::KnativeKpa(kpa) => kpa.initial_bounds(),
        }
    }

    /// The most instances the autoscaler may ever ask for.
    pub fn largest_capacity(&self) -> u32 {
        match self {
            AutoscalerConfig::AwsTargetTracking(policy) => policy.largest_capacity(),
            AutoscalerConfig::AwsApplicationAutoScaling(scaling) => scaling.largest_capacity(),
            AutoscalerConfig::AzureAutoscale(autoscale) => autoscale.largest_capacity(),
            AutoscalerConfig::HuaweiWorkspace(scaling, _) => scaling.largest_capacity(),
            AutoscalerConfig::KubernetesHpa(hpa) => hpa.largest_capacity(),
            AutoscalerConfig::KnativeKpa(kpa) => kpa.largest_capacity(),
        }
    }

    /// The instances a run starts with when the scenario does not say: MinCapacity, or a
    /// Knative revision's initial scale.
    pub fn default_initial_instances(&self) -> u32 {
        match self {
            AutoscalerConfig::KnativeKpa(kpa) => kpa.default_initial_pods(),
            other => other.bounds().min(),
        }
    }

    /// The metric that needs a latency model, if the autoscaler reads one.
    pub fn latency_needed_by(&self) -> Option<LatencyNeed> {
        match self {
            AutoscalerConfig::AwsTargetTracking(policy) => policy.latency_needed_by(),
            AutoscalerConfig::AwsApplicationAutoScaling(scaling) => scaling.latency_needed_by(),
            AutoscalerConfig::AzureAutoscale(autoscale) => autoscale.latency_needed_by(),
            AutoscalerConfig::HuaweiWorkspace(scaling, _) => scaling.latency_needed_by(),
            AutoscalerConfig::KubernetesHpa(hpa) => hpa.latency_needed_by(),
            AutoscalerConfig::KnativeKpa(kpa) => kpa.latency_needed_by(),
        }
    }

    /// Whether demand is session starts, simulated as sessions, rather than requests.
    pub fn serves_sessions(&self) -> bool {
        matches!(self, AutoscalerConfig::HuaweiWorkspace(_, Some(_)))
    }
}

/// One production variant of an endpoint, ready to run.
#[derive(Debug, Clone)]
pub struct ProductionVariantRun {
    /// Its VariantName.
    pub name: String,
    /// Its InstanceType.
    pub instance_type: String,
    /// Its share of the endpoint's traffic at t = 0.
    pub initial_share: f64,
    /// Its scenario: its share of the demand, its instances, its autoscaler.
    pub scenario: Scenario,
}

/// A checked scenario: everything a run needs, loaded and valid.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// The scenario's name.
    pub name: String,
    /// The scenario file it came from.
    pub path: PathBuf,
    /// The wall-clock time of t = 0: the scenario's `start`, else the timestamp of the first
    /// bucket replayed when the trace has timestamps; in the offset the scenario wrote, which
    /// plots read their time axis in (UTC for a trace's).
    pub start: Option<DateTime<FixedOffset>>,
    /// The trace file it replays, if any.
    pub trace_path: Option<PathBuf>,
    /// What the trace file was recognised as.
    pub trace_form: Option<TraceForm>,
    /// Its synthetic load, which draws each replica's demand.
    pub synthetic: Option<SyntheticLoad>,
    /// Replicas to run.
    pub runs: u32,
    /// The distribution each replica draws its provisioning time from, if not fixed.
    pub provisioning: Option<Distribution>,
    /// The window of the trace it replays.
    pub trace_window: BucketWindow,
    /// Seed for anything random.
    pub seed: u64,
    /// The fleet's settings.
    pub fleet: FleetConfig,
    /// Demand per step.
    pub demand: Demand,
    /// The autoscaler, in its initial state.
    pub autoscaler: AutoscalerConfig,
    /// What one instance costs per hour.
    pub price_per_hour: Option<f64>,
    /// What happens to requests beyond capacity (fluid models).
    pub service: ServiceModel,
    /// `model = "requests"`: every request simulated, with these settings.
    pub requests: Option<RequestModel>,
    /// Mean service time of a request, seconds, for latency estimates.
    pub service_time_s: Option<f64>,
    /// The objectives each step is checked against.
    pub slo: ServiceLevelObjective,
    /// The vendor files the autoscaler is built from, for a sweep to build it again from
    /// edited ones.
    pub vendor: VendorFiles,
    /// Whether `fleet.initial_instances` was written; if not, a run starts at the autoscaler's
    /// minimum, whatever a sweep sets it to.
    pub initial_instances_given: bool,
    /// Whether the file is a sweep file (it has a `[sweep]` table).
    pub is_sweep: bool,
    /// An endpoint with several production variants: each one's own scenario, run on its share
    /// of the traffic. The fields above are then the endpoint's demand and its first variant's
    /// settings.
    pub production_variants: Vec<ProductionVariantRun>,
    /// What the variants are built from besides the documents, for a sweep to build them again.
    pub(crate) endpoint: Option<EndpointInputs>,
}

/// The vendor files a scenario's autoscaler is built from, with the rest of what builds it, so
/// that a sweep can build it again from edited files.
#[derive(Debug, Clone)]
pub struct VendorFiles {
    /// The files, parsed.
    pub(crate) documents: Vec<Document>,
    /// The fields the vendor defaults when the files leave them out.
    pub(crate) optional: Vec<OptionalField>,
    recipe: Recipe,
    scenario_path: PathBuf,
}

/// What builds an autoscaler besides its vendor files: the scenario's own settings.
#[derive(Debug, Clone)]
enum Recipe {
    Aws {
        metric_delay_s: u64,
        start: Option<DateTime<Utc>>,
        run_s: u64,
        /// `[autoscaler.high_resolution_alarm]`, if written.
        high_resolution_alarm: Option<HighResolutionAlarm>,
    },
    Azure {
        start: Option<DateTime<Utc>>,
        run_s: u64,
        evaluation_period_s: u64,
        metric_delay_s: u64,
    },
    Knative,
    Hpa {
        sync_period_s: u64,
        tolerance: f64,
        cpu_request_m: i64,
    },
    Huawei {
        weights: SessionWeights,
        base_servers: u32,
        evaluation_period_s: u64,
        sessions: Option<SessionConfig>,
    },
}

/// The cooldowns a policy file leaves to AWS's defaults, one pair a target-tracking policy and
/// one a step policy, at their paths in the file's shape.
fn aws_optional_fields(text: &str) -> Vec<OptionalField> {
    let shape = PolicyFileShape::of(text);
    let body: serde_json::Value = serde_json::from_str(text).unwrap_or_default();
    let policies: Vec<&serde_json::Value> = match shape {
        PolicyFileShape::ConfigurationOnly => {
            return ["ScaleOutCooldown", "ScaleInCooldown"]
                .into_iter()
                .map(|path| OptionalField {
                    document: 1,
                    path: Cow::Borrowed(path),
                    annotation: None,
                })
                .collect();
        }
        PolicyFileShape::Body => vec![&body],
        PolicyFileShape::Bodies => body.as_array().into_iter().flatten().collect(),
        PolicyFileShape::Describe => body["ScalingPolicies"]
            .as_array()
            .into_iter()
            .flatten()
            .collect(),
    };
    let mut fields = Vec::new();
    for (index, policy) in policies.into_iter().enumerate() {
        let prefix = shape.prefix(index);
        let cooldowns: &[&str] = match policy["PolicyType"].as_str() {
            Some("TargetTrackingScaling") => &[
                "TargetTrackingScalingPolicyConfiguration.ScaleOutCooldown",
                "TargetTrackingScalingPolicyConfiguration.ScaleInCooldown",
            ],
            Some("StepScaling") => &["StepScalingPolicyConfiguration.Cooldown"],
            _ => &[],
        };
        fields.extend(cooldowns.iter().map(|path| OptionalField {
            document: 1,
            path: Cow::Owned(format!("{prefix}{path}")),
            annotation: None,
        }));
    }
    fields
}

/// The roles of AWS's optional documents.
const SCHEDULED_ACTIONS: &str = "scheduled_actions";
const ALARMS: &str = "alarms";
const ENDPOINT_CONFIG: &str = "endpoint_config";

/// The key under which the AWS CLI's describe output lists the bodies a document of `role`
/// may hold as an array.
fn describe_list_key(role: &str) -> Option<&'static str> {
    match role {
        "register_scalable_target" => Some("ScalableTargets"),
        "put_scaling_policy" => Some("ScalingPolicies"),
        SCHEDULED_ACTIONS => Some("ScheduledActions"),
        ALARMS => Some("MetricAlarms"),
        _ => None,
    }
}

/// The scenario settings a sweep may set besides the vendor files' fields.
const METRIC_DELAY_S: &str = "metric_delay_s";
const TOLERANCE: &str = "tolerance";

impl Recipe {
    /// The fields the vendor defaults when `texts`, the files' contents, leave them out.
    fn optional_fields(&self, texts: &[String]) -> Vec<OptionalField> {
        let field = |document, path: &'static str| OptionalField {
            document,
            path: Cow::Borrowed(path),
            annotation: None,
        };
        match self {
            Self::Aws { .. } => texts
                .get(1)
                .map(|text| aws_optional_fields(text))
                .unwrap_or_default(),
            Self::Hpa { .. } => vec![
                field(0, "spec.minReplicas"),
                field(0, "spec.behavior.scaleUp.stabilizationWindowSeconds"),
                field(0, "spec.behavior.scaleDown.stabilizationWindowSeconds"),
            ],
            Self::Knative => texts
                .first()
                .map(|text| knative_optional_fields(text))
                .unwrap_or_default(),
            Self::Azure { .. } | Self::Huawei { .. } => Vec::new(),
        }
    }
}

/// The KPA's annotations a sweep may set where the manifest has none, on the revision template
/// of a Knative Service or on the InferenceService, which KServe copies there (min-scale and
/// max-scale excepted: KServe sets them from minReplicas and maxReplicas).
fn knative_optional_fields(text: &str) -> Vec<OptionalField> {
    /// Each annotation, and whether it is a duration.
    const ANNOTATIONS: [(&str, bool); 12] = [
        ("autoscaling.knative.dev/target", false),
        (
            "autoscaling.knative.dev/target-utilization-percentage",
            false,
        ),
        ("autoscaling.knative.dev/window", true),
        ("autoscaling.knative.dev/panic-window-percentage", false),
        ("autoscaling.knative.dev/panic-threshold-percentage", false),
        ("autoscaling.knative.dev/target-burst-capacity", false),
        ("autoscaling.knative.dev/scale-down-delay", true),
        (
            "autoscaling.knative.dev/scale-to-zero-pod-retention-period",
            true,
        ),
        ("autoscaling.knative.dev/initial-scale", false),
        ("autoscaling.knative.dev/activation-scale", false),
        ("autoscaling.knative.dev/min-scale", false),
        ("autoscaling.knative.dev/max-scale", false),
    ];
    let inference_service = text.contains("InferenceService");
    let path = if inference_service {
        "metadata.annotations"
    } else {
        "spec.template.metadata.annotations"
    };
    ANNOTATIONS
        .into_iter()
        .filter(|(key, _)| {
            !(inference_service && (key.ends_with("/min-scale") || key.ends_with("/max-scale")))
        })
        .map(|(key, duration)| OptionalField {
            document: 0,
            path: Cow::Borrowed(path),
            annotation: Some(OptionalAnnotation { key, duration }),
        })
        .collect()
}

impl VendorFiles {
    /// The numbers of the files a sweep may set: those the simulator reads.
    pub(crate) fn fields(&self) -> Vec<Field> {
        // What the vendor's parser skips or only passes through: labels, template plumbing.
        let ignored: &[&str] = match self.recipe {
            Recipe::Hpa { .. } => &["metadata", "status"],
            Recipe::Knative => &["status"],
            Recipe::Azure { .. } => &[
                "parameters",
                "variables",
                "outputs",
                "functions",
                "tags",
                "metadata",
            ],
            Recipe::Aws { .. } | Recipe::Huawei { .. } => &[],
        };
        document::fields(&self.documents, &self.optional, ignored)
    }

    /// The scenario settings a sweep may set on this autoscaler.
    pub(crate) fn settings(&self) -> &'static [&'static str] {
        match self.recipe {
            Recipe::Aws { .. } | Recipe::Azure { .. } => &[METRIC_DELAY_S],
            Recipe::Hpa { .. } => &[TOLERANCE],
            Recipe::Huawei { .. } | Recipe::Knative => &[],
        }
    }

    /// Sets the scenario setting `name`, one of [`VendorFiles::settings`]; the autoscaler built
    /// next checks the value as the scenario's would be.
    pub(crate) fn set_setting(&mut self, name: &str, value: f64) -> Result<(), String> {
        match (&mut self.recipe, name) {
            (
                Recipe::Aws { metric_delay_s, .. } | Recipe::Azure { metric_delay_s, .. },
                METRIC_DELAY_S,
            ) => {
                *metric_delay_s = whole(name, value)?;
            }
            (Recipe::Hpa { tolerance, .. }, TOLERANCE) => *tolerance = value,
            _ => return Err(format!("{name} is not a setting of this autoscaler")),
        }
        Ok(())
    }

    /// The documents' bodies, to edit.
    pub(crate) fn bodies(&self) -> Vec<serde_json::Value> {
        self.documents.iter().map(|d| d.body.clone()).collect()
    }

    /// The autoscaler built from `bodies`, one per document, with the files' own checks.
    pub(crate) fn build_from(
        &self,
        bodies: &[serde_json::Value],
    ) -> Result<AutoscalerConfig, ScenarioError> {
        let (paths, texts) = self.texts_of(bodies);
        self.build(&paths, &texts, None)
    }

    /// `base`, the target tracking these files build, with `edits` made to their fields and
    /// this scenario's metric delay, when it can be built straight from the values
    /// ([`target_tracking_with`]); `None` when the files must be written and built.
    pub(crate) fn target_tracking_with<'a>(
        &self,
        base: &TargetTracking,
        edits: impl IntoIterator<Item = (&'a Field, f64)>,
    ) -> Option<TargetTracking> {
        match self.recipe {
            Recipe::Aws {
                metric_delay_s,
                high_resolution_alarm: None,
                ..
            } => target_tracking_with(base, edits, metric_delay_s),
            _ => None,
        }
    }

    /// The documents' paths, and `bodies` (one per document) as their files write them.
    pub(crate) fn texts_of(&self, bodies: &[serde_json::Value]) -> (Vec<PathBuf>, Vec<String>) {
        let paths = self.documents.iter().map(|d| d.path.clone()).collect();
        let texts = self
            .documents
            .iter()
            .zip(bodies)
            .map(|(document, body)| document.render(body))
            .collect();
        (paths, texts)
    }

    /// An endpoint's variants planned from its endpoint config among `texts`, each with its
    /// autoscaler built from the documents: in the endpoint config's order, at least one.
    pub(crate) fn endpoint_variants(
        &self,
        inputs: &EndpointInputs,
        paths: &[PathBuf],
        texts: &[String],
        demand: &Demand,
    ) -> Result<Vec<(PlannedVariant, AutoscalerConfig)>, ScenarioError> {
        let index = self
            .documents
            .iter()
            .position(|document| document.role == ENDPOINT_CONFIG)
            .filter(|&index| index < texts.len() && index < paths.len())
            .ok_or_else(|| {
                field_error(
                    &self.scenario_path,
                    "autoscaler.endpoint_config",
                    "the endpoint config is missing".into(),
                )
            })?;
        let plan = endpoint_plan(inputs, &paths[index], &texts[index], demand)?;
        let mut variants = Vec::with_capacity(plan.variants.len());
        for variant in plan.variants {
            let settings = VariantSettings {
                name: &variant.name,
                variants: &plan.names,
                updates: &variant.updates,
                unregistered_max: variant.most_instances,
            };
            let autoscaler = self.build(paths, texts, Some(settings))?;
            variants.push((variant, autoscaler));
        }
        Ok(variants)
    }

    /// The autoscaler built from the files at `paths`, whose contents are `texts`; for one
    /// production variant of an endpoint with `variant`.
    fn build(
        &self,
        paths: &[PathBuf],
        texts: &[String],
        variant: Option<VariantSettings<'_>>,
    ) -> Result<AutoscalerConfig, ScenarioError> {
        let path = self.scenario_path.as_path();
        let file = |index: usize| {
            paths
                .get(index)
                .zip(texts.get(index))
                .map(|(path, text)| (path.as_path(), text.as_str()))
                .ok_or_else(|| field_error(path, "autoscaler", "a vendor file is missing".into()))
        };
        Ok(match &self.recipe {
            Recipe::Aws {
                metric_delay_s,
                start,
                run_s,
                high_resolution_alarm,
            } => {
                let (register_path, register_text) = file(0)?;
                let (policy_path, policy_text) = file(1)?;
                let by_role = |role: &str| {
                    self.documents
                        .iter()
                        .position(|document| document.role == role)
                        .map(file)
                        .transpose()
                };
                let files = AwsFiles {
                    register_path,
                    register_text,
                    policy_path,
                    policy_text,
                    alarms: by_role(ALARMS)?,
                    scheduled: by_role(SCHEDULED_ACTIONS)?,
                };
                let settings = AwsSettings {
                    metric_delay_s: *metric_delay_s,
                    high_resolution_alarm: *high_resolution_alarm,
                    start: *start,
                    run_s: *run_s,
                    scenario_path: path,
                    variant,
                };
                match application_auto_scaling(files, settings)? {
                    AwsScaling::TargetTracking(policy) => {
                        AutoscalerConfig::AwsTargetTracking(policy)
                    }
                    AwsScaling::General(scaling) => {
                        AutoscalerConfig::AwsApplicationAutoScaling(scaling)
                    }
                }
            }
            Recipe::Azure {
                start,
                run_s,
                evaluation_period_s,
                metric_delay_s,
            } => {
                let (setting_path, setting_text) = file(0)?;
                let (setting, schedule) = autoscale_setting(
                    setting_text,
                    setting_path,
                    *start,
                    *run_s,
                    *evaluation_period_s,
                )?;
                let autoscale =
                    AzureAutoscale::new(setting, schedule, *metric_delay_s, *evaluation_period_s)
                        .map_err(|err| build_error(path, err))?;
                AutoscalerConfig::AzureAutoscale(autoscale)
            }
            Recipe::Hpa {
                sync_period_s,
                tolerance,
                cpu_request_m,
            } => {
                let (manifest_path, manifest_text) = file(0)?;
                let spec = horizontal_pod_autoscaler(manifest_text, manifest_path)?;
                let hpa =
                    HorizontalPodAutoscaler::new(spec, *sync_period_s, *tolerance, *cpu_request_m)
                        .map_err(|err| build_error(path, err))?;
                AutoscalerConfig::KubernetesHpa(hpa)
            }
            Recipe::Knative => {
                let (service_path, service_text) = file(0)?;
                let config = self
                    .documents
                    .iter()
                    .position(|document| document.role == CONFIG_AUTOSCALER)
                    .map(file)
                    .transpose()?;
                let spec = kpa_spec(service_path, service_text, config)?;
                let kpa = KnativePodAutoscaler::new(spec).map_err(|err| build_error(path, err))?;
                AutoscalerConfig::KnativeKpa(kpa)
            }
            Recipe::Huawei {
                weights,
                base_servers,
                evaluation_period_s,
                sessions,
            } => {
                let (policy_path, policy_text) = file(0)?;
                let policy = scaling_policy(policy_text, policy_path)?;
                let scaling =
                    WorkspaceScaling::new(policy, *weights, *base_servers, *evaluation_period_s)
                        .map_err(|err| build_error(path, err))?;
                AutoscalerConfig::HuaweiWorkspace(scaling, *sessions)
            }
        })
    }
}

/// The scenario's `start`, the wall-clock time of t = 0, if given.
fn scenario_start(
    spec: &ScenarioSpec,
    path: &Path,
) -> Result<Option<DateTime<FixedOffset>>, ScenarioError> {
    spec.start
        .as_ref()
        .map(|start| {
            start
                .to_instant()
                .map_err(|message| field_error(path, "start", message))
        })
        .transpose()
}

/// An endpoint's production variants, each with what its run needs besides the autoscaler.
struct EndpointPlan {
    names: Vec<String>,
    variants: Vec<PlannedVariant>,
}

pub(crate) struct PlannedVariant {
    name: String,
    instance_type: String,
    capacity_per_instance: f64,
    price_per_hour: Option<f64>,
    initial_instances: u32,
    initial_share: f64,
    /// Its share of the endpoint's demand, step by step.
    demand: Demand,
    /// UpdateEndpointWeightsAndCapacities' desired counts for it.
    updates: Vec<ScheduledAction>,
    /// The most instances anything gives it: its initial count and the updates'.
    most_instances: u32,
}

/// What an endpoint's runs are built from besides its documents: read and checked once, so
/// that a sweep can build them again from an edited endpoint config.
#[derive(Debug, Clone)]
pub(crate) struct EndpointInputs {
    /// The scenario file, for messages.
    path: PathBuf,
    /// `[fleet.instance_types]`.
    instance_types: BTreeMap<String, InstanceTypeSpec>,
    /// `fleet.price_per_hour`, the instance types' default.
    price_per_hour: Option<f64>,
    /// The UpdateEndpointWeightsAndCapacities bodies: (second, file, text), in the order they
    /// apply.
    updates: Vec<(u64, PathBuf, String)>,
}

impl EndpointInputs {
    /// The UpdateEndpointWeightsAndCapacities files, in the order they apply.
    pub(crate) fn update_files(&self) -> impl Iterator<Item = &Path> {
        self.updates.iter().map(|(_, file, _)| file.as_path())
    }
}

impl PlannedVariant {
    /// What the variant is besides its demand and autoscaler, for telling two builds apart.
    pub(crate) fn describe(&self) -> String {
        format!(
            "{} {} {} {:?} {} {} {:?}",
            self.name,
            self.instance_type,
            self.capacity_per_instance,
            self.price_per_hour,
            self.initial_instances,
            self.initial_share,
            self.updates
        )
    }
}

/// Checks the endpoint settings of `spec` and reads its updates, `at` ones from `start`, the
/// wall-clock time of t = 0 (semantics:
/// docs/semantics/aws-endpoint-variants.md).
fn endpoint_inputs(
    spec: &ScenarioSpec,
    path: &Path,
    start: Option<DateTime<Utc>>,
    update_specs: &[EndpointUpdateSpec],
) -> Result<EndpointInputs, ScenarioError> {
    if spec.fleet.initial_instances.is_some() {
        return Err(field_error(
            path,
            "fleet.initial_instances",
            "is given per variant by the endpoint config's InitialInstanceCount; remove it".into(),
        ));
    }
    if spec.fleet.capacity_per_instance.is_some() {
        return Err(field_error(
            path,
            "fleet.capacity_per_instance",
            "is given per instance type by [fleet.instance_types] with an endpoint_config; \
             remove it"
                .into(),
        ));
    }
    if spec.slo.is_some()
        || spec
            .service
            .as_ref()
            .is_some_and(|service| service.service_time_s.is_some())
    {
        return Err(field_error(
            path,
            if spec.slo.is_some() {
                "slo"
            } else {
                "service.service_time_s"
            },
            "latency and SLO figures of an endpoint with several variants are not supported \
             yet; remove them"
                .into(),
        ));
    }
    if spec.runs.is_some_and(|runs| runs > 1) {
        return Err(field_error(
            path,
            "runs",
            "replicas of an endpoint with several variants are not supported yet; remove runs"
                .into(),
        ));
    }
    if spec
        .service
        .as_ref()
        .and_then(|service| service.model.as_deref())
        == Some("requests")
    {
        return Err(field_error(
            path,
            "service.model",
            "an endpoint with several variants runs in the fluid models (\"throttle\" or \
             \"queue\") for now"
                .into(),
        ));
    }
    let mut updates = Vec::with_capacity(update_specs.len());
    for (index, update) in update_specs.iter().enumerate() {
        let field = format!("autoscaler.endpoint_updates[{index}]");
        let at_s = match (&update.at, update.after_s) {
            (Some(at), None) => {
                let start = start.ok_or_else(|| {
                    field_error(
                        path,
                        &format!("{field}.at"),
                        "needs the scenario's start, the wall-clock time of t = 0".into(),
                    )
                })?;
                let at = at
                    .to_instant()
                    .map(|at| at.to_utc())
                    .map_err(|message| field_error(path, &format!("{field}.at"), message))?;
                u64::try_from((at - start).num_seconds()).map_err(|_| {
                    field_error(
                        path,
                        &format!("{field}.at"),
                        format!("{at} is before the scenario's start, {start}"),
                    )
                })?
            }
            (None, Some(after_s)) => after_s,
            _ => {
                return Err(field_error(
                    path,
                    &field,
                    "needs exactly one of at (a wall-clock time) and after_s (seconds after \
                     t = 0)"
                        .into(),
                ));
            }
        };
        updates.push((at_s, index, &update.file));
    }
    updates.sort_by_key(|&(at_s, index, _)| (at_s, index));
    let base = path.parent().unwrap_or(Path::new(""));
    let updates = updates
        .into_iter()
        .map(|(at_s, _, file)| {
            let file = base.join(file);
            read_vendor_file(&file).map(|text| (at_s, file, text))
        })
        .collect::<Result<_, _>>()?;
    Ok(EndpointInputs {
        path: path.to_owned(),
        instance_types: spec.fleet.instance_types.clone().unwrap_or_default(),
        price_per_hour: spec.fleet.price_per_hour,
        updates,
    })
}

/// The endpoint config `config_text`, read from `config_path`, with `inputs`: each variant and
/// its share of `demand`, split by weight step by step (a step takes the weights in force at
/// its start).
fn endpoint_plan(
    inputs: &EndpointInputs,
    config_path: &Path,
    config_text: &str,
    demand: &Demand,
) -> Result<EndpointPlan, ScenarioError> {
    let path = inputs.path.as_path();
    let configured = endpoint_variants(config_text, config_path)?;
    let step_s = demand.step_s();
    let run_s = demand.steps() as u64 * step_s;
    let mut weights: Vec<f64> = configured.iter().map(|variant| variant.weight).collect();
    // (from second, weights in force from then on)
    let mut schedule = vec![(0, weights.clone())];
    let mut counts: Vec<Vec<ScheduledAction>> = vec![Vec::new(); configured.len()];
    for (at_s, file, text) in &inputs.updates {
        let at_s = *at_s;
        let update = endpoint_update(text, file, &configured, &weights)?;
        for (variant, weight, count) in update.changes {
            if let Some(weight) = weight {
                weights[variant] = weight;
            }
            if let Some(count) = count {
                counts[variant].push(ScheduledAction {
                    name: PolicyName::new("UpdateEndpointWeightsAndCapacities"),
                    at_s,
                    min_capacity: None,
                    max_capacity: None,
                    desired_capacity: Some(count),
                });
            }
        }
        if at_s < run_s {
            schedule.push((at_s, weights.clone()));
        }
    }
    let names: Vec<String> = configured
        .iter()
        .map(|variant| variant.name.clone())
        .collect();
    let mut variants = Vec::with_capacity(configured.len());
    for (index, (variant, updates)) in configured.iter().zip(counts).enumerate() {
        let instance_type = inputs
            .instance_types
            .get(&variant.instance_type)
            .ok_or_else(|| {
                field_error(
                    config_path,
                    &format!("{}InstanceType", variant.prefix),
                    format!(
                        "{:?} has no capacity in the scenario: add [fleet.instance_types.{:?}] \
                         with capacity_per_instance, the requests one instance serves a minute",
                        variant.instance_type, variant.instance_type
                    ),
                )
            })?;
        let capacity = instance_type.capacity_per_instance;
        let type_field = format!("fleet.instance_types.{:?}", variant.instance_type);
        if !(capacity.is_finite() && capacity > 0.0) {
            return Err(field_error(
                path,
                &format!("{type_field}.capacity_per_instance"),
                format!("must be a number greater than 0, got {capacity}"),
            ));
        }
        let price_per_hour = instance_type.price_per_hour.or(inputs.price_per_hour);
        if let Some(price) = instance_type.price_per_hour
            && !(price.is_finite() && (0.0..=MAX_PRICE_PER_HOUR).contains(&price))
        {
            return Err(field_error(
                path,
                &format!("{type_field}.price_per_hour"),
                format!("must be a number from 0 to {MAX_PRICE_PER_HOUR}, got {price}"),
            ));
        }
        let share_at = |t_s: u64| {
            let weights = schedule
                .iter()
                .rev()
                .find(|(from_s, _)| *from_s <= t_s)
                .map_or(&schedule[0].1, |(_, weights)| weights);
            weights[index] / weights.iter().sum::<f64>()
        };
        let per_step: Vec<f64> = demand
            .as_slice()
            .iter()
            .enumerate()
            .map(|(step, &requests)| requests * share_at(step as u64 * step_s))
            .collect();
        let most_instances = updates
            .iter()
            .filter_map(|update| update.desired_capacity)
            .fold(variant.initial_instance_count, u32::max);
        variants.push(PlannedVariant {
            name: variant.name.clone(),
            instance_type: variant.instance_type.clone(),
            capacity_per_instance: capacity,
            price_per_hour,
            initial_instances: variant.initial_instance_count,
            initial_share: share_at(0),
            demand: Demand::per_step(step_s, per_step).map_err(|err| build_error(path, err))?,
            updates,
            most_instances,
        });
    }
    Ok(EndpointPlan { names, variants })
}

/// Reads a vendor file, refusing one too large or too deeply nested to be a vendor's document.
fn read_vendor_file(path: &Path) -> Result<String, ScenarioError> {
    let text = read_text_bounded(path, MAX_VENDOR_BYTES, "a vendor file")?;
    check_nesting(path, &text)?;
    Ok(text)
}

/// Reads a scenario or sweep file.
pub(crate) fn read_scenario_file(path: &Path) -> Result<String, ScenarioError> {
    // A trace or a vendor document given where the scenario goes: say what a scenario is.
    let extension = path
        .extension()
        .and_then(|extension| extension.to_str())
        .map(str::to_ascii_lowercase);
    let what = match extension.as_deref() {
        Some("csv") => Some("a trace"),
        Some("json" | "yaml" | "yml") => Some("a vendor document"),
        _ => None,
    };
    if let Some(what) = what {
        return Err(ScenarioError::Json {
            path: path.to_owned(),
            message: format!(
                "is {what}, not a scenario: a scenario is a TOML file that names its trace \
                 (`[load] trace = \"…\"`) and its autoscaler's files (`[autoscaler]`); see \
                 scenarios/*.toml"
            ),
        });
    }
    read_text_bounded(path, MAX_SCENARIO_BYTES, "a scenario file")
}

/// `[service]`'s request-level keys, checked: the engine's settings (its service time still a
/// placeholder, set once the trace is read) and `[service.time]`; `None` for fluid models, which
/// take none of those keys.
fn request_settings(
    service: Option<&ServiceSpec>,
    per_request: bool,
    path: &Path,
) -> Result<Option<(RequestConfig, ServiceTimeSpec)>, ScenarioError> {
    let Some(service) = service else {
        return Ok(None);
    };
    if !per_request {
        let given = [
            (
                "concurrency_per_instance",
                service.concurrency_per_instance.is_some(),
            ),
            ("routing", service.routing.is_some()),
            ("queue_timeout_s", service.queue_timeout_s.is_some()),
            ("max_queue", service.max_queue.is_some()),
            ("time", service.time.is_some()),
        ];
        if let Some((key, _)) = given.iter().find(|(_, present)| *present) {
            return Err(field_error(
                path,
                &format!("service.{key}"),
                "is read only with model = \"requests\"".into(),
            ));
        }
        return Ok(None);
    }
    if service.service_time_s.is_some() {
        return Err(field_error(
            path,
            "service.service_time_s",
            "is the fluid models' mean service time; with model = \"requests\" write \
             [service.time] (for example distribution = \"exponential\" and mean_s)"
                .into(),
        ));
    }
    let Some(time) = service.time.clone() else {
        return Err(field_error(
            path,
            "service.time",
            "is required with model = \"requests\": a [service.time] table with distribution \
             and its parameters"
                .into(),
        ));
    };
    let config = RequestConfig {
        concurrency_per_instance: service.concurrency_per_instance.unwrap_or(1),
        routing: routing(service.routing.as_deref(), path)?,
        queue_timeout_s: service.queue_timeout_s,
        max_queue: service.max_queue,
        // Placeholders: the scenario's seed and the checked model are set by the caller.
        service_time: scalesim_core::ServiceTime::fixed(1.0)
            .map_err(|err| build_error(path, err))?,
        seed: 0,
        replica: 0,
    };
    Ok(Some((config, time)))
}

/// The scenario's `[autoscaler.high_resolution_alarm]`, its missing keys defaulted.
fn checked_high_resolution_alarm(
    spec: Option<&HighResolutionAlarmSpec>,
    path: &Path,
) -> Result<Option<HighResolutionAlarm>, ScenarioError> {
    let default = HighResolutionAlarm::DEFAULT;
    let Some(spec) = spec else {
        return Ok(None);
    };
    let period_s = spec.period_s.unwrap_or(default.period_s());
    HighResolutionAlarm::new(
        period_s,
        spec.datapoints.unwrap_or(default.datapoints()),
        spec.delay_s.unwrap_or(period_s),
    )
    .map(Some)
    .map_err(|err| match err {
        BuildError::Field {
            field,
            expected,
            got,
        } => field_error(path, field, format!("must be {expected}, got {got}")),
        other => field_error(path, "autoscaler.high_resolution_alarm", other.to_string()),
    })
}

fn field_error(path: &Path, field: &str, message: String) -> ScenarioError {
    ScenarioError::Field {
        path: path.to_owned(),
        field: field.to_owned(),
        message,
    }
}

impl Scenario {
    /// What the run's instance time costs, if the scenario gives a price.
    pub fn cost(&self, summary: &scalesim_core::Summary) -> Option<f64> {
        self.price_per_hour
            .map(|price| summary.instance_hours() * price)
    }

    /// Reads the scenario at `path` and the files it names (relative to it), and checks them.
    pub fn load(path: &Path) -> Result<Self, ScenarioError> {
        let spec = ScenarioSpec::parse_str(&read_scenario_file(path)?, path)?;
        Self::from_spec(spec, path)
    }

    /// Checks a parsed scenario, reading the files it names relative to `path`.
    pub fn from_spec(spec: ScenarioSpec, path: &Path) -> Result<Self, ScenarioError> {
        let base = path.parent().unwrap_or(Path::new(""));
        if spec.name.trim().is_empty() || spec.name.contains(['/', '\\']) || spec.name == ".." {
            return Err(field_error(
                path,
                "name",
                format!(
                    "must be a non-empty name without path separators (it names the output \
                     folder), got {:?}",
                    spec.name
                ),
            ));
        }
        if let Some(price) = spec.fleet.price_per_hour
            && !(price.is_finite() && (0.0..=MAX_PRICE_PER_HOUR).contains(&price))
        {
            return Err(field_error(
                path,
                "fleet.price_per_hour",
                format!("must be a finite price from 0 to {MAX_PRICE_PER_HOUR:e}, got {price}"),
            ));
        }
        let model = spec.service.as_ref().and_then(|s| s.model.as_deref());
        let service = match model {
            None | Some("throttle" | "requests") => ServiceModel::Throttle,
            Some("queue") => ServiceModel::Queue,
            Some(other) => {
                return Err(field_error(
                    path,
                    "service.model",
                    format!("must be \"throttle\", \"queue\" or \"requests\", got {other:?}"),
                ));
            }
        };
        let per_request = model == Some("requests");
        let request_spec = request_settings(spec.service.as_ref(), per_request, path)?;
        match (per_request, spec.fleet.capacity_per_instance) {
            (true, Some(_)) => {
                return Err(field_error(
                    path,
                    "fleet.capacity_per_instance",
                    "is not used with service.model = \"requests\": an instance's capacity \
                     follows from service.concurrency_per_instance and the service times; \
                     remove it"
                        .into(),
                ));
            }
            (false, None) if spec.fleet.instance_types.is_none() => {
                return Err(field_error(
                    path,
                    "fleet.capacity_per_instance",
                    "is required: requests one instance serves per minute (or set \
                     service.model = \"requests\" to simulate each request)"
                        .into(),
                ));
            }
            _ => {}
        }
        let service_time_s = spec.service.as_ref().and_then(|s| s.service_time_s);
        let slo = ServiceLevelObjective {
            latency_s: spec.slo.as_ref().and_then(|s| s.latency_s),
            max_unserved_fraction: spec.slo.as_ref().and_then(|s| s.max_unserved_fraction),
        };
        if spec.slo.is_some() && service_time_s.is_none() && !per_request {
            return Err(field_error(
                path,
                "slo",
                "needs service.service_time_s, the mean time to serve one request, to measure it"
                    .into(),
            ));
        }
        if let Some(service_time_s) = service_time_s
            && service_time_s > MAX_SERVICE_TIME_S
        {
            return Err(field_error(
                path,
                "service.service_time_s",
                format!("must be at most {MAX_SERVICE_TIME_S} s, got {service_time_s}"),
            ));
        }
        if let Some(service_time_s) = service_time_s {
            // Checks the settings once, with the messages the sink gives.
            ServiceLevelSink::new(service_time_s, 1.0, slo)
                .map_err(|err| build_error(path, err))?;
        }
        // An HPA syncs every 15 s by default, so its runs step at its sync period unless told.
        let default_step_s = match &spec.autoscaler {
            AutoscalerSpec::KubernetesHpa { sync_period_s, .. } => {
                sync_period_s.unwrap_or(DEFAULT_SYNC_PERIOD_S)
            }
            // Every second gets its own record, as the KPA's collector keeps them.
            AutoscalerSpec::KnativeKpa { .. } => 1,
            _ => DEFAULT_STEP_S,
        };
        let step_s = spec.step_s.unwrap_or(default_step_s);
        if !(1..=MAX_STEP_S).contains(&step_s) {
            return Err(field_error(
                path,
                "step_s",
                format!("must be from 1 to {MAX_STEP_S} s (a day), got {step_s}"),
            ));
        }
        let window = BucketWindow {
            from_bucket: spec.load.from_bucket.unwrap_or(0),
            buckets: spec.load.buckets,
        };
        let trace_path = spec.load.trace.as_ref().map(|trace| base.join(trace));
        let trace_options = TraceOptions::from_load(&spec.load, path)?;
        let mut trace_arrivals = None;
        let mut trace_start = None;
        let mut trace_form = None;
        let trace_demand = match (&trace_path, &request_spec) {
            (Some(trace_path), Some((_, time))) => {
                let columns = columns(time);
                let columns: Vec<&str> = columns.iter().map(String::as_str).collect();
                let trace = load_trace(trace_path, window, step_s, &trace_options, Some(&columns))?;
                trace_arrivals = trace.arrivals;
                trace_start = trace.start;
                trace_form = Some(trace.form);
                Some(trace.demand)
            }
            (Some(trace_path), None) => {
                let trace = load_trace(trace_path, window, step_s, &trace_options, None)?;
                trace_start = trace.start;
                trace_form = Some(trace.form);
                Some(trace.demand)
            }
            (None, _) => None,
        };
        // docs/semantics/traces.md: a trace with timestamps gives `start` when the scenario
        // does not.
        let wall_start =
            scenario_start(&spec, path)?.or(trace_start.map(|t: DateTime<Utc>| t.fixed_offset()));
        let start = wall_start.map(|start| start.to_utc());
        let seed = spec.seed.unwrap_or(DEFAULT_SEED);
        let runs = spec.runs.unwrap_or(1);
        if !(1..=MAX_RUNS).contains(&runs) {
            return Err(field_error(
                path,
                "runs",
                format!("must be from 1 to {MAX_RUNS}, got {runs}"),
            ));
        }
        let synthetic = match &spec.load.synthetic {
            None => None,
            Some(synthetic) => Some(
                synthetic
                    .to_load(trace_demand.as_ref().map(Demand::as_slice), step_s)
                    .map_err(|err| field_error(path, &err.field, err.message))?,
            ),
        };
        let demand = match (&synthetic, trace_demand) {
            (Some(load), _) => load
                .generate(step_s, seed, 0)
                .map_err(|err| field_error(path, "load.synthetic", err.to_string()))?,
            (None, Some(demand)) => demand,
            (None, None) => {
                return Err(field_error(
                    path,
                    "load",
                    "needs a trace, a [load.synthetic] table, or both".into(),
                ));
            }
        };
        let (provisioning_s, provisioning) = match spec.fleet.provisioning_s {
            None => (DEFAULT_PROVISIONING_S, None),
            Some(ProvisioningSpec::Seconds(seconds)) => {
                check_provisioning_s(seconds)
                    .map_err(|message| field_error(path, "fleet.provisioning_s", message))?;
                (seconds, None)
            }
            Some(ProvisioningSpec::Drawn(drawn)) => {
                let distribution = Distribution::from(drawn);
                distribution
                    .check("fleet.provisioning_s")
                    .map_err(|err| build_error(path, err))?;
                let mean_s = distribution.mean();
                if !(mean_s.is_finite() && mean_s <= MAX_PROVISIONING_S as f64) {
                    return Err(field_error(
                        path,
                        "fleet.provisioning_s",
                        format!(
                            "must have a mean of at most {MAX_PROVISIONING_S} s (a week), got \
                             {mean_s}"
                        ),
                    ));
                }
                (
                    round_to_step(distribution.mean(), step_s),
                    Some(distribution),
                )
            }
        };
        let (recipe, files) = match &spec.autoscaler {
            AutoscalerSpec::AwsTargetTracking {
                register_scalable_target,
                put_scaling_policy,
                scheduled_actions,
                alarms,
                metric_delay_s,
                endpoint_config,
                high_resolution_alarm,
                ..
            } => {
                let mut files = vec![
                    (
                        base.join(register_scalable_target),
                        "register_scalable_target",
                        Format::Json,
                    ),
                    (
                        base.join(put_scaling_policy),
                        "put_scaling_policy",
                        Format::Json,
                    ),
                ];
                for (file, role) in [
                    (scheduled_actions, SCHEDULED_ACTIONS),
                    (alarms, ALARMS),
                    (endpoint_config, ENDPOINT_CONFIG),
                ] {
                    if let Some(file) = file {
                        files.push((base.join(file), role, Format::Json));
                    }
                }
                (
                    Recipe::Aws {
                        metric_delay_s: metric_delay_s.unwrap_or(DEFAULT_METRIC_DELAY_S),
                        start,
                        run_s: demand.steps() as u64 * step_s,
                        high_resolution_alarm: checked_high_resolution_alarm(
                            high_resolution_alarm.as_ref(),
                            path,
                        )?,
                    },
                    files,
                )
            }
            AutoscalerSpec::AzureAutoscale {
                autoscale_setting: setting_file,
                evaluation_period_s,
                metric_delay_s,
            } => {
                let evaluation_period_s =
                    evaluation_period_s.unwrap_or(DEFAULT_EVALUATION_PERIOD_S);
                if evaluation_period_s == 0 {
                    return Err(field_error(
                        path,
                        "autoscaler.evaluation_period_s",
                        "must be at least 1, got 0".into(),
                    ));
                }
                (
                    Recipe::Azure {
                        start,
                        run_s: demand.steps() as u64 * step_s,
                        evaluation_period_s,
                        metric_delay_s: metric_delay_s.unwrap_or(DEFAULT_METRIC_DELAY_S),
                    },
                    vec![(base.join(setting_file), "autoscale_setting", Format::Json)],
                )
            }
            AutoscalerSpec::KubernetesHpa {
                horizontal_pod_autoscaler: manifest_file,
                sync_period_s,
                tolerance,
                cpu_request_m,
            } => {
                let manifest_path = base.join(manifest_file);
                let format = if is_json_manifest(&manifest_path) {
                    Format::Json
                } else {
                    Format::Yaml
                };
                (
                    Recipe::Hpa {
                        sync_period_s: sync_period_s.unwrap_or(DEFAULT_SYNC_PERIOD_S),
                        tolerance: tolerance.unwrap_or(DEFAULT_TOLERANCE),
                        cpu_request_m: cpu_request_m.unwrap_or(DEFAULT_CPU_REQUEST_M),
                    },
                    vec![(manifest_path, "horizontal_pod_autoscaler", format)],
                )
            }
            AutoscalerSpec::KnativeKpa {
                service,
                config_autoscaler,
            } => {
                let manifest = |file: &PathBuf, role| {
                    let file_path = base.join(file);
                    let format = if is_json_manifest(&file_path) {
                        Format::Json
                    } else {
                        Format::Yaml
                    };
                    (file_path, role, format)
                };
                let mut files = vec![manifest(service, "service")];
                if let Some(config) = config_autoscaler {
                    files.push(manifest(config, CONFIG_AUTOSCALER));
                }
                (Recipe::Knative, files)
            }
            AutoscalerSpec::HuaweiWorkspace {
                scaling_policy: policy_file,
                evaluation_period_s,
            } => {
                // On the request-level model each request is a session: its length is
                // [service.time], a server's sessions its concurrency.
                let sessions = spec.sessions.as_ref();
                if per_request
                    && let Some(key) = sessions.and_then(|sessions| {
                        [
                            ("distribution", sessions.distribution.is_some()),
                            ("mean_s", sessions.mean_s.is_some()),
                            ("sigma", sessions.sigma.is_some()),
                        ]
                        .into_iter()
                        .find_map(|(key, given)| given.then_some(key))
                    })
                {
                    return Err(field_error(
                        path,
                        &format!("sessions.{key}"),
                        "is not read with service.model = \"requests\": each request is a \
                         session, its length drawn from [service.time]; [sessions] keeps only \
                         the per-session usage weights"
                            .into(),
                    ));
                }
                if !per_request && sessions.is_none() {
                    return Err(field_error(
                        path,
                        "sessions",
                        "required with kind = \"huawei-workspace\": the [sessions] table with \
                         distribution and mean_s (or service.model = \"requests\")"
                            .into(),
                    ));
                }
                (
                    Recipe::Huawei {
                        weights: SessionWeights {
                            cpu_pct: sessions.and_then(|s| s.cpu_pct_per_session),
                            mem_pct: sessions.and_then(|s| s.mem_pct_per_session),
                            gpu_mem_pct: sessions.and_then(|s| s.gpu_mem_pct_per_session),
                        },
                        base_servers: spec.fleet.initial_instances.unwrap_or(1),
                        evaluation_period_s: evaluation_period_s
                            .unwrap_or(DEFAULT_EVALUATION_PERIOD_S),
                        sessions: sessions
                            .filter(|_| !per_request)
                            .map(|sessions| {
                                session_length(sessions)
                                    .map(|length| SessionConfig { length, seed })
                            })
                            .transpose()
                            .map_err(|err| build_error(path, err))?,
                    },
                    vec![(base.join(policy_file), "scaling_policy", Format::Json)],
                )
            }
        };
        let texts = files
            .iter()
            .map(|(file, _, _)| read_vendor_file(file))
            .collect::<Result<Vec<_>, _>>()?;
        let mut vendor = VendorFiles {
            documents: Vec::new(),
            optional: recipe.optional_fields(&texts),
            recipe,
            scenario_path: path.to_owned(),
        };
        // Parsed before building: `build` finds the optional documents by their roles.
        let recipe_is_aws = matches!(vendor.recipe, Recipe::Aws { .. });
        vendor.documents = files
            .iter()
            .zip(&texts)
            .map(|((file, role, format), text)| {
                Document::parse(file, role, text, *format).map(|document| {
                    let document = document.listed_as(describe_list_key(role));
                    if recipe_is_aws {
                        document.written_back_with(request_bodies)
                    } else {
                        document
                    }
                })
            })
            .collect::<Result<_, _>>()?;
        let paths: Vec<PathBuf> = files.iter().map(|(file, _, _)| file.clone()).collect();
        let endpoint = match &spec.autoscaler {
            AutoscalerSpec::AwsTargetTracking {
                endpoint_config: Some(_),
                endpoint_updates,
                ..
            } => Some(endpoint_inputs(
                &spec,
                path,
                start,
                endpoint_updates.as_deref().unwrap_or_default(),
            )?),
            AutoscalerSpec::AwsTargetTracking {
                endpoint_updates: Some(_),
                ..
            } => {
                return Err(field_error(
                    path,
                    "autoscaler.endpoint_updates",
                    "needs autoscaler.endpoint_config, the endpoint's production variants".into(),
                ));
            }
            _ if spec.fleet.instance_types.is_some() => {
                return Err(field_error(
                    path,
                    "fleet.instance_types",
                    "is for an endpoint with several variants: it needs kind = \
                     \"aws-target-tracking\" with endpoint_config"
                        .into(),
                ));
            }
            _ => None,
        };
        // Built once: the endpoint's own fields are its first variant's.
        let planned = match &endpoint {
            Some(inputs) => vendor.endpoint_variants(inputs, &paths, &texts, &demand)?,
            None => Vec::new(),
        };
        let autoscaler = match planned.first() {
            Some((_, first)) => first.clone(),
            None => vendor.build(&paths, &texts, None)?,
        };
        if let AutoscalerConfig::AwsApplicationAutoScaling(scaling) = &autoscaler
            && scaling.target().bounds().min() == 0
            && service != ServiceModel::Throttle
        {
            return Err(field_error(
                path,
                "service.model",
                "requests that find no copy of an inference component fail: they do not wait \
                 in a queue; with MinCapacity 0, use the default model, \"throttle\""
                    .into(),
            ));
        }
        let server_group = matches!(autoscaler, AutoscalerConfig::HuaweiWorkspace(..));
        if spec.sessions.is_some() && !server_group {
            return Err(field_error(
                path,
                "sessions",
                format!(
                    "only kind = \"huawei-workspace\" serves sessions, not {:?}",
                    autoscaler.kind()
                ),
            ));
        }
        let initial_instances_given = spec.fleet.initial_instances.is_some();
        let initial_instances = spec
            .fleet
            .initial_instances
            .unwrap_or_else(|| autoscaler.default_initial_instances());
        let spec_concurrency_given = spec
            .service
            .as_ref()
            .is_some_and(|service| service.concurrency_per_instance.is_some());
        let requests = match request_spec {
            None => None,
            Some((mut config, time)) => {
                config.service_time = service_time(&time, path)?;
                config.seed = seed;
                // Knative's activator holds a request for the revision's timeout, at most
                // 10,000 at once (docs/semantics/knative-kpa.md, rule 28).
                if let AutoscalerConfig::KnativeKpa(kpa) = &autoscaler {
                    let spec = kpa.spec();
                    config.queue_timeout_s = config.queue_timeout_s.or(Some(spec.timeout_s as f64));
                    config.max_queue = config.max_queue.or(Some(ACTIVATOR_QUEUE));
                    check_kpa_slots(spec, &config, spec_concurrency_given, path)?;
                    // The slots are the manifest's: what the scenario reports says so too.
                    if spec.container_concurrency > 0 {
                        config.concurrency_per_instance = spec.container_concurrency;
                    }
                }
                Some(RequestModel {
                    config,
                    // Synthetic load draws its counts per replica: they are the demand's.
                    trace: if synthetic.is_some() {
                        None
                    } else {
                        trace_arrivals
                    },
                    service_time_file: time.file.as_ref().map(|file| base.join(file)),
                })
            }
        };
        let scenario = Scenario {
            name: spec.name,
            path: path.to_owned(),
            start: wall_start,
            trace_path,
            trace_form,
            trace_window: window,
            synthetic,
            runs,
            provisioning,
            seed,
            fleet: FleetConfig {
                // Request-level runs: the nominal capacity, what the engine derives.
                capacity_per_instance_per_min: match &requests {
                    Some(model) => model
                        .config
                        .nominal_capacity_per_min(model.arrivals(&demand))
                        .map_err(|err| build_error(path, err))?,
                    None => spec.fleet.capacity_per_instance.unwrap_or(1.0),
                },
                initial_instances,
                provisioning_s,
            },
            demand,
            autoscaler,
            price_per_hour: spec.fleet.price_per_hour,
            service,
            requests,
            service_time_s,
            slo,
            vendor,
            initial_instances_given,
            is_sweep: spec.sweep.is_some(),
            production_variants: Vec::new(),
            endpoint: None,
        };
        // Building a run checks the settings against each other (periods, step, capacity).
        scenario
            .run_with(0, &scenario.demand, None::<&mut NoSink>)
            .map_err(|err| build_error(path, err))?;
        let steps = scenario.demand.steps() as u64;
        if u64::from(scenario.runs) * steps > MAX_REPLICA_STEPS {
            return Err(field_error(
                path,
                "runs",
                format!(
                    "{} replicas of {steps} steps are more than the {MAX_REPLICA_STEPS} \
                     replica-steps a scenario may ask for: fewer replicas, or a shorter window",
                    scenario.runs
                ),
            ));
        }
        let parallel = u64::from(scenario.runs).min(rayon::current_num_threads() as u64);
        check_memory(
            path,
            "the run",
            run_bytes(scenario.demand.steps() as u64, parallel),
        )?;
        let Some(inputs) = endpoint else {
            return Ok(scenario);
        };
        let mut scenario = scenario;
        let production_variants = scenario.variant_scenarios(&scenario.vendor, planned)?;
        scenario.endpoint = Some(inputs);
        scenario.fleet.initial_instances = production_variants
            .iter()
            .map(|variant| variant.scenario.fleet.initial_instances)
            .fold(0, u32::saturating_add);
        // The endpoint's cost is its variants' costs, each at its instance type's price.
        scenario.price_per_hour = None;
        scenario.production_variants = production_variants;
        Ok(scenario)
    }

    /// This endpoint scenario's production variants, built from `vendor` and the texts of its
    /// documents (at `paths`): each variant a scenario of its own, checked by a build.
    pub(crate) fn production_variants_from(
        &self,
        vendor: &VendorFiles,
        inputs: &EndpointInputs,
        paths: &[PathBuf],
        texts: &[String],
    ) -> Result<Vec<ProductionVariantRun>, ScenarioError> {
        let planned = vendor.endpoint_variants(inputs, paths, texts, &self.demand)?;
        self.variant_scenarios(vendor, planned)
    }

    /// The scenarios of this endpoint's `planned` variants, each with its autoscaler, checked by
    /// a build.
    fn variant_scenarios(
        &self,
        vendor: &VendorFiles,
        planned: Vec<(PlannedVariant, AutoscalerConfig)>,
    ) -> Result<Vec<ProductionVariantRun>, ScenarioError> {
        let path = self.path.as_path();
        let mut production_variants = Vec::new();
        for (variant, autoscaler) in planned {
            if let Some(need) = autoscaler.latency_needed_by() {
                return Err(field_error(
                    path,
                    "autoscaler.put_scaling_policy",
                    format!(
                        "variant {:?}: {} needs a latency model, which an endpoint with several \
                         variants (endpoint_config) does not have yet; scale its variants on \
                         InvocationsPerInstance or CPUUtilization",
                        variant.name, need.metric
                    ),
                ));
            }
            // Built field by field: a clone of the endpoint would copy every variant's demand.
            let child = Scenario {
                name: format!("{}/{}", self.name, variant.name),
                path: self.path.clone(),
                start: self.start,
                trace_path: self.trace_path.clone(),
                trace_form: self.trace_form,
                synthetic: self.synthetic.clone(),
                runs: self.runs,
                provisioning: self.provisioning,
                trace_window: self.trace_window,
                seed: self.seed,
                fleet: FleetConfig {
                    capacity_per_instance_per_min: variant.capacity_per_instance,
                    initial_instances: variant.initial_instances,
                    ..self.fleet
                },
                demand: variant.demand,
                autoscaler,
                price_per_hour: variant.price_per_hour,
                service: self.service,
                requests: None,
                service_time_s: self.service_time_s,
                slo: self.slo,
                vendor: vendor.clone(),
                initial_instances_given: true,
                is_sweep: self.is_sweep,
                production_variants: Vec::new(),
                endpoint: None,
            };
            child
                .run_with(0, &child.demand, None::<&mut NoSink>)
                .map_err(|err| build_error(path, err))?;
            production_variants.push(ProductionVariantRun {
                name: variant.name,
                instance_type: variant.instance_type,
                initial_share: variant.initial_share,
                scenario: child,
            });
        }
        // The endpoint's counts are sums of the variants': they must fit the same integers.
        let largest: u64 = production_variants
            .iter()
            .map(|variant| u64::from(variant.scenario.autoscaler.largest_capacity()))
            .sum();
        if largest > u64::from(u32::MAX) {
            return Err(field_error(
                path,
                "autoscaler.endpoint_config",
                format!(
                    "the variants may hold {largest} instances together, more than the \
                     {} an endpoint can count",
                    u32::MAX
                ),
            ));
        }
        Ok(production_variants)
    }

    /// Runs the scenario from its initial state, handing every step to `sink`.
    ///
    /// A scenario from [`Scenario::load`] was built once already, so this fails only if its
    /// fields were changed since.
    pub fn simulate<S: Sink>(&self, sink: &mut S) -> Result<(), BuildError> {
        self.simulate_replica(0, sink)
    }

    /// Runs replica `replica` (0 is the one whose timeline is written): its own draws of the
    /// synthetic load's noise and spikes and of the provisioning time, from the scenario's seed.
    pub fn simulate_replica<S: Sink>(&self, replica: u64, sink: &mut S) -> Result<(), BuildError> {
        if replica == 0 {
            return self.run_with(replica, &self.demand, Some(sink));
        }
        match &self.synthetic {
            Some(load) => {
                let demand = load.generate(self.demand.step_s(), self.seed, replica)?;
                self.run_with(replica, &demand, Some(sink))
            }
            None => self.run_with(replica, &self.demand, Some(sink)),
        }
    }

    /// The fleet of replica `replica`: its provisioning time drawn, rounded to whole steps.
    fn replica_fleet(&self, replica: u64) -> FleetConfig {
        let Some(distribution) = self.provisioning else {
            return self.fleet;
        };
        // A stream apart from the load's (seed, replica), so that drawing provisioning times
        // does not shift the traffic's draws.
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed ^ PROVISIONING_SEED_SALT);
        rng.set_stream(replica);
        // A draw past the run's end provisions nothing within the run, whatever its size, so
        // it is cut there: the same run, without a launch queue sized for aeons.
        let step_s = self.demand.step_s();
        let run_s = self.demand.steps() as u64 * step_s;
        let drawn_s = distribution.sample(&mut rng).min((run_s + step_s) as f64);
        FleetConfig {
            provisioning_s: round_to_step(drawn_s, step_s),
            ..self.fleet
        }
    }

    /// Builds the run, which checks it, and runs it into `sink` if there is one.
    fn run_with<S: Sink>(
        &self,
        replica: u64,
        demand: &Demand,
        sink: Option<&mut S>,
    ) -> Result<(), BuildError> {
        let fleet = self.replica_fleet(replica);
        let requests = self
            .requests
            .as_ref()
            .map(|model| (model.config_for(replica), model.arrivals(demand)));
        run_config(
            fleet,
            demand,
            (self.service, self.service_time_s),
            requests,
            &self.autoscaler,
            sink,
        )
    }

    /// A run of this scenario's demand (replica 0) with another fleet and `autoscaler`, built
    /// as [`Scenario::simulate_variant`] builds it, ready to step: for runs that step together.
    pub(crate) fn build_variant<A: Autoscaler>(
        &self,
        fleet: FleetConfig,
        autoscaler: A,
    ) -> Result<Simulation<'_, A>, BuildError> {
        let run = Run {
            fleet,
            demand: &self.demand,
            service: self.service,
            service_time_s: self.service_time_s,
            requests: self
                .requests
                .as_ref()
                .map(|model| (model.config_for(0), model.arrivals(&self.demand))),
        };
        build_run(run, autoscaler, None)
    }

    /// Runs this scenario's demand (replica 0) with another fleet and autoscaler, as a sweep
    /// does: the demand is borrowed, not copied.
    pub fn simulate_variant<S: Sink>(
        &self,
        fleet: FleetConfig,
        autoscaler: &AutoscalerConfig,
        sink: &mut S,
    ) -> Result<(), BuildError> {
        let requests = self
            .requests
            .as_ref()
            .map(|model| (model.config_for(0), model.arrivals(&self.demand)));
        run_config(
            fleet,
            &self.demand,
            (self.service, self.service_time_s),
            requests,
            autoscaler,
            Some(sink),
        )
    }
}

/// Builds a run of the configured autoscaler and runs it into `sink` if there is one.
fn run_config<S: Sink>(
    fleet: FleetConfig,
    demand: &Demand,
    (service, service_time_s): (ServiceModel, Option<f64>),
    requests: Option<(RequestConfig, Arrivals<'_>)>,
    autoscaler: &AutoscalerConfig,
    sink: Option<&mut S>,
) -> Result<(), BuildError> {
    let run = Run {
        fleet,
        demand,
        service,
        service_time_s,
        requests,
    };
    match autoscaler {
        AutoscalerConfig::AwsTargetTracking(policy) => run.go(policy.clone(), None, sink),
        AutoscalerConfig::AwsApplicationAutoScaling(scaling) => run.go(scaling.clone(), None, sink),
        AutoscalerConfig::AzureAutoscale(autoscale) => run.go(autoscale.clone(), None, sink),
        AutoscalerConfig::HuaweiWorkspace(scaling, sessions) => {
            run.go(scaling.clone(), *sessions, sink)
        }
        AutoscalerConfig::KubernetesHpa(hpa) => run.go(hpa.clone(), None, sink),
        AutoscalerConfig::KnativeKpa(kpa) => run.go(kpa.clone(), None, sink),
    }
}

/// What a run is made of besides its autoscaler.
struct Run<'d> {
    fleet: FleetConfig,
    demand: &'d Demand,
    service: ServiceModel,
    /// The fluid model's mean service time, for its latency estimate.
    service_time_s: Option<f64>,
    requests: Option<(RequestConfig, Arrivals<'d>)>,
}

impl Run<'_> {
    /// Builds a run of `autoscaler` and runs it into `sink` if there is one.
    fn go<A: Autoscaler, S: Sink>(
        self,
        autoscaler: A,
        sessions: Option<SessionConfig>,
        sink: Option<&mut S>,
    ) -> Result<(), BuildError> {
        run_autoscaler(self, autoscaler, sessions, sink)
    }
}

/// Builds a run of `autoscaler` and runs it into `sink` if there is one.
fn run_autoscaler<A: Autoscaler, S: Sink>(
    run: Run<'_>,
    autoscaler: A,
    sessions: Option<SessionConfig>,
    sink: Option<&mut S>,
) -> Result<(), BuildError> {
    let mut simulation = build_run(run, autoscaler, sessions)?;
    if let Some(sink) = sink {
        simulation.run(sink);
    }
    Ok(())
}

/// Builds a run of `autoscaler`, ready to step.
fn build_run<A: Autoscaler>(
    run: Run<'_>,
    autoscaler: A,
    sessions: Option<SessionConfig>,
) -> Result<Simulation<'_, A>, BuildError> {
    let mut builder = Simulation::builder(run.fleet)
        .autoscaler(autoscaler)
        .demand(run.demand)
        .service_model(run.service);
    if let Some(service_time_s) = run.service_time_s {
        builder = builder.fluid_service_time_s(service_time_s);
    }
    if let Some(sessions) = sessions {
        builder = builder.sessions(sessions);
    }
    if let Some((config, arrivals)) = run.requests {
        builder = builder.requests(config, arrivals);
    }
    builder.build()
}

/// Stands in for a sink while a scenario is only being checked.
pub(crate) struct NoSink;

impl Sink for NoSink {
    fn on_step(&mut self, _: &scalesim_core::StepRecord) {}
}

/// `value` as a whole number of a setting `name` that takes one, from 0 to `u32::MAX`.
pub(crate) fn whole(name: &str, value: f64) -> Result<u64, String> {
    if value >= 0.0 && value.fract() == 0.0 && value <= u32::MAX as f64 {
        Ok(value as u64)
    } else {
        Err(format!(
            "{name} must be a whole number from 0 to {}, got {value}",
            u32::MAX
        ))
    }
}

/// Seconds rounded to a whole number of steps, at least 0: provisioning is counted in steps.
pub(crate) fn round_to_step(seconds: f64, step_s: u64) -> u64 {
    let steps = (seconds.max(0.0) / step_s as f64).round();
    // Saturating float-to-int conversion: an absurd draw provisions "forever".
    (steps as u64).saturating_mul(step_s)
}

/// The session-length distribution `[sessions]` names.
fn session_length(sessions: &SessionsSpec) -> Result<SessionLength, BuildError> {
    let Some(distribution) = sessions.distribution.as_deref() else {
        return Err(BuildError::Field {
            field: "sessions.distribution",
            expected: "\"fixed\", \"exponential\" or \"lognormal\"".into(),
            got: "nothing".into(),
        });
    };
    let mean_s = sessions.mean_s.ok_or_else(|| BuildError::Field {
        field: "sessions.mean_s",
        expected: "the mean session length in seconds".into(),
        got: "nothing".into(),
    })?;
    match distribution {
        "fixed" => SessionLength::fixed(mean_s),
        "exponential" => SessionLength::exponential(mean_s),
        "lognormal" => SessionLength::lognormal(mean_s, sessions.sigma.unwrap_or(f64::NAN)),
        other => Err(BuildError::Field {
            field: "sessions.distribution",
            expected: "\"fixed\", \"exponential\" or \"lognormal\"".into(),
            got: format!("{other:?}"),
        }),
    }
}

/// Names the scenario key behind an error found while building a run.
fn build_error(path: &Path, err: BuildError) -> ScenarioError {
    let field = match &err {
        BuildError::NotAMultiple { what, .. }
            if what.starts_with("evaluation") || what.starts_with("sync") =>
        {
            format!("autoscaler.{what}")
        }
        BuildError::NotAMultiple { what, .. } | BuildError::NotPositive { what, .. } => {
            format!("fleet.{what}")
        }
        // Already a path of scenario or manifest keys (`sessions.mean_s`, `spec.metrics`, …).
        BuildError::Field { field, .. } if field.contains('.') => (*field).to_owned(),
        BuildError::Field { field, .. }
            if *field == "capacity_per_instance" || *field == "initial_instances" =>
        {
            format!("fleet.{field}")
        }
        BuildError::Field { field, .. } => format!("autoscaler.{field}"),
        BuildError::FractionalSessions { .. } => "load.trace".to_owned(),
        BuildError::TooLarge {
            what: "capacity_per_instance",
            ..
        } => "fleet.capacity_per_instance".to_owned(),
        BuildError::TooLarge { what: "step_s", .. } => "step_s".to_owned(),
        BuildError::TooLarge {
            what: "session starts in one step",
            ..
        } => "load".to_owned(),
        BuildError::TooLarge { .. } => "autoscaler".to_owned(),
        BuildError::TooManySteps { .. } => "load".to_owned(),
        _ => "step_s".to_owned(),
    };
    let message = match err {
        BuildError::Field { expected, got, .. } => format!("must be {expected}, got {got}"),
        BuildError::TooLarge {
            what: "capacity_per_instance" | "step_s",
            value,
            max,
        } => format!("must be at most {max}, got {value}"),
        other => other.to_string(),
    };
    field_error(path, &field, message)
}
