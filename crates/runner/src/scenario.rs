//! Scenario files (TOML, spec/README.md "Scenario files"): parsed into raw `*Spec` structs that
//! mirror the keys, then checked into a [`Scenario`] of core types that cannot be invalid.

use std::path::{Path, PathBuf};

use scalesim_core::{
    Autoscaler, BucketWindow, BuildError, CapacityBounds, Demand, FleetConfig, Simulation, Sink,
    TargetTracking,
};
use serde::Deserialize;

use crate::error::ScenarioError;
use crate::trace::read_trace;
use crate::vendor::aws::{AwsFiles, target_tracking};

const DEFAULT_STEP_S: u64 = 60;
const DEFAULT_SEED: u64 = 0;
const DEFAULT_PROVISIONING_S: u64 = 300;
/// spec/aws-target-tracking.md: "metric_delay_s (scenario, default 60, a multiple of 60)".
const DEFAULT_METRIC_DELAY_S: u64 = 60;

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
    /// Where the demand comes from.
    pub load: LoadSpec,
    /// The instances.
    pub fleet: FleetSpec,
    /// The autoscaler and its vendor files.
    pub autoscaler: AutoscalerSpec,
}

/// `[load]`: a trace and the window of it to replay.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoadSpec {
    /// The trace CSV, relative to the scenario file.
    pub trace: PathBuf,
    /// First bucket replayed; default 0.
    pub from_bucket: Option<u64>,
    /// Number of buckets replayed; default all.
    pub buckets: Option<u64>,
}

/// `[fleet]`: identical instances.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FleetSpec {
    /// Requests one instance serves per minute.
    pub capacity_per_instance: f64,
    /// Instances at t = 0; default the autoscaler's minimum.
    pub initial_instances: Option<u32>,
    /// Seconds until a launched instance serves; default 300.
    pub provisioning_s: Option<u64>,
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
        /// PutScalingPolicy request body, or only its TargetTrackingScalingPolicyConfiguration.
        put_scaling_policy: PathBuf,
        /// Seconds until a minute's datapoint is visible to the alarms; default 60.
        metric_delay_s: Option<u64>,
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
    /// AWS target tracking on a SageMaker variant.
    AwsTargetTracking(TargetTracking),
}

impl AutoscalerConfig {
    /// The `kind` key that selects this autoscaler.
    pub fn kind(&self) -> &'static str {
        match self {
            AutoscalerConfig::AwsTargetTracking(_) => "aws-target-tracking",
        }
    }

    /// The capacity bounds at t = 0.
    pub fn bounds(&self) -> CapacityBounds {
        match self {
            AutoscalerConfig::AwsTargetTracking(policy) => policy.initial_bounds(),
        }
    }
}

/// A checked scenario: everything a run needs, loaded and valid.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// The scenario's name.
    pub name: String,
    /// The scenario file it came from.
    pub path: PathBuf,
    /// The trace file it replays.
    pub trace_path: PathBuf,
    /// Seed for anything random.
    pub seed: u64,
    /// The fleet's settings.
    pub fleet: FleetConfig,
    /// Demand per step.
    pub demand: Demand,
    /// The autoscaler, in its initial state.
    pub autoscaler: AutoscalerConfig,
}

fn read(path: &Path) -> Result<String, ScenarioError> {
    std::fs::read_to_string(path).map_err(|error| ScenarioError::Read {
        path: path.to_owned(),
        error,
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
    /// Reads the scenario at `path` and the files it names (relative to it), and checks them.
    pub fn load(path: &Path) -> Result<Self, ScenarioError> {
        let spec = ScenarioSpec::parse_str(&read(path)?, path)?;
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
        let step_s = spec.step_s.unwrap_or(DEFAULT_STEP_S);
        if step_s == 0 {
            return Err(field_error(
                path,
                "step_s",
                "must be at least 1, got 0".into(),
            ));
        }
        let autoscaler = match &spec.autoscaler {
            AutoscalerSpec::AwsTargetTracking {
                register_scalable_target,
                put_scaling_policy,
                metric_delay_s,
            } => {
                let register_path = base.join(register_scalable_target);
                let policy_path = base.join(put_scaling_policy);
                let files = AwsFiles {
                    register_path: &register_path,
                    register_text: &read(&register_path)?,
                    policy_path: &policy_path,
                    policy_text: &read(&policy_path)?,
                };
                AutoscalerConfig::AwsTargetTracking(target_tracking(
                    files,
                    metric_delay_s.unwrap_or(DEFAULT_METRIC_DELAY_S),
                    path,
                )?)
            }
        };
        let trace_path = base.join(&spec.load.trace);
        let window = BucketWindow {
            from_bucket: spec.load.from_bucket.unwrap_or(0),
            buckets: spec.load.buckets,
        };
        let demand = read_trace(&trace_path, window, step_s)?;
        let initial_instances = spec
            .fleet
            .initial_instances
            .unwrap_or_else(|| autoscaler.bounds().min());
        let scenario = Scenario {
            name: spec.name,
            path: path.to_owned(),
            trace_path,
            seed: spec.seed.unwrap_or(DEFAULT_SEED),
            fleet: FleetConfig {
                capacity_per_instance_per_min: spec.fleet.capacity_per_instance,
                initial_instances,
                provisioning_s: spec.fleet.provisioning_s.unwrap_or(DEFAULT_PROVISIONING_S),
            },
            demand,
            autoscaler,
        };
        // Building a run checks the settings against each other (periods, step, capacity).
        scenario
            .run_with(None::<&mut NoSink>)
            .map_err(|err| build_error(path, err))?;
        Ok(scenario)
    }

    /// Runs the scenario from its initial state, handing every step to `sink`.
    ///
    /// A scenario from [`Scenario::load`] was built once already, so this fails only if its
    /// fields were changed since.
    pub fn simulate<S: Sink>(&self, sink: &mut S) -> Result<(), BuildError> {
        self.run_with(Some(sink))
    }

    /// Builds the run, which checks it, and runs it into `sink` if there is one.
    fn run_with<S: Sink>(&self, sink: Option<&mut S>) -> Result<(), BuildError> {
        match &self.autoscaler {
            AutoscalerConfig::AwsTargetTracking(policy) => {
                self.run_autoscaler(policy.clone(), sink)
            }
        }
    }

    fn run_autoscaler<A: Autoscaler, S: Sink>(
        &self,
        autoscaler: A,
        sink: Option<&mut S>,
    ) -> Result<(), BuildError> {
        let mut simulation = Simulation::builder(self.fleet)
            .autoscaler(autoscaler)
            .demand(&self.demand)
            .build()?;
        if let Some(sink) = sink {
            simulation.run(sink);
        }
        Ok(())
    }
}

/// Stands in for a sink while a scenario is only being checked.
struct NoSink;

impl Sink for NoSink {
    fn on_step(&mut self, _: &scalesim_core::StepRecord) {}
}

/// Names the scenario key behind an error found while building a run.
fn build_error(path: &Path, err: BuildError) -> ScenarioError {
    let field = match &err {
        BuildError::NotAMultiple { what, .. } | BuildError::NotPositive { what, .. } => {
            format!("fleet.{what}")
        }
        BuildError::Field { field, .. } => format!("autoscaler.{field}"),
        _ => "step_s".to_owned(),
    };
    let message = match err {
        BuildError::Field { expected, got, .. } => format!("must be {expected}, got {got}"),
        other => other.to_string(),
    };
    field_error(path, &field, message)
}
