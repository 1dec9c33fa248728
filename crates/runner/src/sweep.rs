//! `scalesim sweep` and `scalesim merge`: a base scenario run for every combination of listed
//! parameter values (or N seeded random picks of them), over one or more traces, in parallel;
//! then the Pareto frontier of cost against losses and the cheapest run that meets the
//! objective, written back as the vendor's own files. Parameters are the fleet's, the
//! autoscaler's scenario settings, and the numbers of the vendor files by their own field names
//! (see [`crate::vendor_formats::document`]); each run's files go through the vendor's checks again
//! (AWS target tracking's policy, whose checks on its numbers are its constructors', is built
//! from the values unless they fail them or the files would read them otherwise).
//!
//! ```toml
//! [sweep]                      # the grid: the product of the lists, the last key fastest
//! TargetValue = [20, 30, 40]
//! ScaleInCooldown = [0, 300, 600]
//! samples = 1000               # optional: N random picks of the values instead of the grid
//! traces = ["traces/a.csv"]    # optional: more traces, each swept like the base one
//!
//! [objective]
//! minimize = "cost"            # or "instance_hours" (the default without a price)
//! max_unserved_fraction = 0.001
//! ```
//!
//! Runs are numbered in grid order (trace-major). Each run borrows its trace's demand and keeps
//! only its result row, so memory grows with the runs' rows, not with trace × runs; rows are
//! collected in run order, so `results.csv` is the same whatever the thread count. `--shard I/N`
//! runs the runs whose number is I − 1 modulo N and writes, beside its rows, a manifest of the
//! SHA-256 of every input and of the rows; `merge` reads every manifest, refuses a set that is
//! not exactly the shards of the files as they are now, and joins the shards' rows.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use scalesim_core::{
    Autoscaler, AzureAutoscale, FleetConfig, KernelService, MAX_COUNT, MIN_CAPACITY, RunFigures,
    ServiceLevel, ServiceModel, SessionConfig, Summary, SummarySink, TargetTracking,
    WorkspaceScaling, azure_autoscale_summaries, hpa_summary, huawei_workspace_summaries,
    run_sharing_draws, target_tracking_sweep,
};
use sha2::{Digest as _, Sha256};

use crate::endpoint::endpoint_summary;
use crate::error::{OutputError, ScenarioError, ShardFolder, ShardProblem, SweepError};
use crate::limits::{
    MAX_SCENARIO_BYTES, MAX_SWEEP_RUNS, MAX_SWEEP_TRACES, MAX_SWEEP_VALUES, MAX_TRACE_BYTES,
    check_memory, check_provisioning_s, read_bounded, read_text_bounded,
};
use crate::output::{ExtraSinks, Pending, SUMMARY_CSV_HEADER, plot_file, summary_csv_values};
use crate::pareto_plot::{ParetoPoint, render_pareto_png};
use crate::report::{REPORT_FILE, SweepPoint, SweepReport, sweep_html};
use crate::scenario::{
    AutoscalerConfig, EndpointInputs, NoSink, ProductionVariantRun, Scenario, ScenarioSpec,
    VendorFiles, read_scenario_file, round_to_step, whole,
};
use crate::staging::Staged;
use crate::vendor_formats::document::{self, Document, Field, Unresolved};

/// Parameters every sweep can vary, whatever the autoscaler.
mod tally;

use tally::Tally;

/// Groups of runs computed in parallel before their rows are written: enough for the threads to
/// share, few enough that the rows held stay small.
const GROUPS_PER_CHUNK: usize = 512;
/// Huawei runs stepped together: each step's session lengths are drawn once per group, so
/// larger groups draw less; 32 still leave a sweep of a few hundred runs work for every thread.
const HUAWEI_GROUP: usize = 32;

/// Most AWS runs stepped together.
const AWS_MAX_GROUP: u64 = 64;

/// AWS runs stepped together, out of `runs`: the kernel computes the runs of a group that read
/// the same of their policy and fleet once, and a grid's neighbours often do (their only
/// difference a parameter the model never reads, such as the scale-out cooldown), so groups are
/// as large as still leave each thread four or more, in whole lanes of the kernel.
fn aws_group(runs: u64) -> usize {
    let lanes = scalesim_core::SWEEP_LANES as u64;
    let per_thread = runs / (4 * rayon::current_num_threads() as u64);
    (per_thread / lanes * lanes).clamp(lanes, AWS_MAX_GROUP) as usize
}

/// Request-level runs of one trace that step together on one drawing of its requests.
const SHARED_DRAWS_GROUP: usize = 8;

const FLEET_PARAMETERS: [&str; 2] = ["capacity_per_instance", "provisioning_s"];
/// Keys of `[sweep]` that are options, not parameters.
const OPTIONS: [&str; 2] = ["samples", "traces"];
/// Columns `results.csv` adds for request-level runs.
const REQUEST_RESULT_COLUMNS: &str = ",latency_p50_s,latency_p99_s,requests_failed";
/// The unserved fraction an objective accepts when it names none.
const DEFAULT_MAX_UNSERVED_FRACTION: f64 = 0.001;

/// The files a whole sweep writes (and the recommended vendor files).
pub const SWEEP_FILES: [&str; 5] = [
    "results.csv",
    "pareto.csv",
    "pareto.png",
    "recommendation.json",
    REPORT_FILE,
];

/// The manifest a shard writes beside its `results.csv`.
pub(crate) const SHARD_MANIFEST: &str = "shard.json";

/// What the recommended run minimises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Minimize {
    /// Instance-hours × price.
    Cost,
    /// Instance-hours.
    InstanceHours,
}

/// A loaded sweep: the base scenarios (one per trace), the parameters and the runs.
#[derive(Debug)]
pub struct Sweep {
    /// The sweep file.
    pub path: PathBuf,
    /// The base scenario for each trace, the sweep file's own first.
    pub bases: Vec<Scenario>,
    /// Parameter names, in the order written.
    pub parameters: Vec<String>,
    /// What each parameter sets.
    targets: Vec<Target>,
    /// The values of each run, by parameter, per trace (the same for every trace).
    combinations: Combinations,
    /// What the recommendation minimises.
    pub minimize: Minimize,
    /// The largest unserved fraction a recommended run may have.
    pub max_unserved_fraction: f64,
    /// The largest SLO-breaking seconds a recommended run may have.
    pub max_slo_violation_s: Option<f64>,
    /// The largest p99 latency a recommended run may have (request-level runs); when set, the
    /// frontier weighs expense against p99 latency.
    pub max_latency_p99_s: Option<f64>,
    /// The files the runs read, fingerprinted as they were when loaded, so that merged shards
    /// come from the same files.
    inputs: Vec<Input>,
}

/// The scenario's own policy's figures, combined over the traces.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Baseline {
    /// Cost or instance-hours, as the objective says.
    pub expense: f64,
    /// The unserved fraction.
    pub unserved_fraction: f64,
    /// Seconds breaking the SLO, if measured.
    pub slo_violation_s: Option<f64>,
    /// p99 latency, request-level runs.
    pub latency_p99_s: Option<f64>,
    /// What the frontier weighs against the cost.
    pub loss: f64,
}

/// One run's result row.
#[derive(Debug, Clone)]
pub struct SweepRow {
    /// The run's number.
    pub run: u64,
    /// The CSV line, without the trailing newline.
    pub line: String,
    /// Cost or instance-hours, as the objective says.
    pub expense: f64,
    /// The unserved fraction.
    pub unserved_fraction: f64,
    /// Seconds breaking the SLO, if measured.
    pub slo_violation_s: Option<f64>,
    /// The run's p99 latency, request-level runs that completed a request.
    pub latency_p99_s: Option<f64>,
    /// What the frontier weighs against expense: p99 latency with a latency objective, else
    /// seconds breaking the SLO when measured, else the unserved fraction.
    pub loss: f64,
}

/// SHA-256 of `bytes`, in lowercase hex.
fn sha256(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

fn field(path: &Path, field: &str, message: String) -> ScenarioError {
    ScenarioError::Field {
        path: path.to_owned(),
        field: field.to_owned(),
        message,
    }
}

impl Sweep {
    /// Reads a sweep file: a scenario with a `[sweep]` table (and an optional `[objective]`).
    pub fn load(path: &Path) -> Result<Self, ScenarioError> {
        let text = read_scenario_file(path)?;
        let spec = ScenarioSpec::parse_str(&text, path)?;
        let table = spec.sweep.clone().ok_or_else(|| {
            field(
                path,
                "sweep",
                "missing: a sweep file lists parameters under [sweep]".into(),
            )
        })?;
        let objective = spec.objective.clone();
        let base = Scenario::from_spec(spec.clone(), path)?;
        let fields = base.vendor.fields();
        let mut parameters = Vec::new();
        let mut targets = Vec::new();
        let mut values = Vec::new();
        let mut samples = None;
        let mut traces = Vec::new();
        for (key, value) in &table {
            // TOML quotes a key with dots or brackets; so does the message, to read the same.
            let key_path = if key.contains(['.', '[']) {
                format!("sweep.{key:?}")
            } else {
                format!("sweep.{key}")
            };
            match key.as_str() {
                "samples" => {
                    let count = value.as_integer().filter(|&n| n >= 1).ok_or_else(|| {
                        field(
                            path,
                            &key_path,
                            format!("must be a whole number >= 1, got {value}"),
                        )
                    })?;
                    samples = Some(count as u64);
                }
                "traces" => {
                    let list = value.as_array().ok_or_else(|| {
                        field(
                            path,
                            &key_path,
                            format!("must be a list of trace files, got {value}"),
                        )
                    })?;
                    if list.len() > MAX_SWEEP_TRACES {
                        return Err(field(
                            path,
                            &key_path,
                            format!(
                                "lists {} traces, more than the {MAX_SWEEP_TRACES} a sweep may \
                                 judge a policy on",
                                list.len()
                            ),
                        ));
                    }
                    for trace in list {
                        let trace = trace.as_str().ok_or_else(|| {
                            field(
                                path,
                                &key_path,
                                format!("must list file names, got {trace}"),
                            )
                        })?;
                        traces.push(PathBuf::from(trace));
                    }
                }
                name => {
                    if value.is_table() {
                        return Err(field(
                            path,
                            &key_path,
                            format!(
                                "is a table; a field's path is one key, quoted: \"{name}.…\" = [...]"
                            ),
                        ));
                    }
                    let target = Target::resolve(name, &base, &fields)
                        .map_err(|message| field(path, &key_path, message))?;
                    if let Some(earlier) = targets.iter().position(|known| *known == target) {
                        return Err(field(
                            path,
                            &key_path,
                            format!("names the same field as {:?}", parameters[earlier]),
                        ));
                    }
                    let list = value
                        .as_array()
                        .filter(|list| !list.is_empty())
                        .ok_or_else(|| {
                            field(
                                path,
                                &key_path,
                                format!("must be a non-empty list of values, got {value}"),
                            )
                        })?;
                    if list.len() > MAX_SWEEP_VALUES {
                        return Err(field(
                            path,
                            &key_path,
                            format!(
                                "lists {} values, more than the {MAX_SWEEP_VALUES} a parameter \
                                 may take",
                                list.len()
                            ),
                        ));
                    }
                    let mut numbers = Vec::with_capacity(list.len());
                    for item in list {
                        let number = item
                            .as_float()
                            .or_else(|| item.as_integer().map(|i| i as f64))
                            .filter(|number| number.is_finite())
                            .ok_or_else(|| {
                                field(
                                    path,
                                    &key_path,
                                    format!("must list finite numbers, got {item}"),
                                )
                            })?;
                        numbers.push(number);
                    }
                    parameters.push(name.to_owned());
                    targets.push(target);
                    values.push(numbers);
                }
            }
        }
        if parameters.is_empty() {
            return Err(field(path, "sweep", "lists no parameter to vary".into()));
        }
        check_fields_are_read(path, &base, &parameters, &targets, &values)?;
        let runs = match samples {
            Some(count) => Some(count),
            None => values
                .iter()
                .try_fold(1u64, |product, list| product.checked_mul(list.len() as u64)),
        };
        let Some(runs) = runs.filter(|&runs| runs <= MAX_SWEEP_RUNS) else {
            let (key, given) = match samples {
                Some(count) => ("sweep.samples", count.to_string()),
                None => (
                    "sweep",
                    format!(
                        "a grid of {}",
                        values
                            .iter()
                            .map(|list| list.len().to_string())
                            .collect::<Vec<_>>()
                            .join(" × ")
                    ),
                ),
            };
            return Err(field(
                path,
                key,
                format!(
                    "asks for more than {MAX_SWEEP_RUNS} runs ({given}): split it into several \
                     sweep files, or sample it with `samples`"
                ),
            ));
        };
        let held_per_run = match samples {
            Some(_) => (values.len() * size_of::<u32>()) as u64,
            None => 0,
        } + if traces.is_empty() {
            0
        } else {
            size_of::<tally::Partial>() as u64
        };
        check_memory(path, "the sweep", runs.saturating_mul(held_per_run))?;
        let combinations = match samples {
            None => Combinations::Grid(values),
            Some(count) => {
                // A stream no replica uses, so that sampling never shifts a run's draws.
                let mut rng = ChaCha8Rng::seed_from_u64(base.seed);
                rng.set_stream(u64::MAX);
                let picks = (0..count)
                    .flat_map(|_| {
                        values
                            .iter()
                            .map(|v| rng.random_range(0..v.len()) as u32)
                            .collect::<Vec<_>>()
                    })
                    .collect();
                Combinations::Samples {
                    lists: values,
                    picks,
                }
            }
        };
        let mut bases = vec![base];
        for trace in traces {
            let mut trace_spec = spec.clone();
            trace_spec.load.trace = Some(trace);
            bases.push(Scenario::from_spec(trace_spec, path)?);
        }
        // Right after the bases read them, so that the fingerprints are of the bytes the runs
        // use (short of a file changing within these few milliseconds).
        let inputs = Input::fingerprint(path, &text, &bases)?;
        // Every combination must make a valid scenario on every trace (an Azure schedule depends
        // on the trace's length): check them all before running any, in parallel as they are
        // many, reporting the first in order that fails.
        // Nothing is kept per combination, so that a sweep of a million holds its lists only.
        let first_refused = (0..combinations.len())
            .into_par_iter()
            .map(|index| {
                let combination = combinations.get(index);
                bases
                    .iter()
                    .try_for_each(|base| match &base.endpoint {
                        Some(inputs) => {
                            endpoint_variants(base, inputs, &targets, &combination).map(drop)
                        }
                        None => variant(base, &targets, &combination).map(drop),
                    })
                    .map_err(|message| (combination, message))
            })
            .find_first(Result::is_err);
        if let Some(Err((combination, message))) = first_refused {
            let values: Vec<String> = parameters
                .iter()
                .zip(&combination)
                .map(|(name, value)| format!("{name} = {value}"))
                .collect();
            return Err(field(
                path,
                "sweep",
                format!("with {}: {message}", values.join(", ")),
            ));
        }
        // An endpoint's cost is its variants', each at its instance type's price.
        let has_price = match bases[0].production_variants.as_slice() {
            [] => bases[0].price_per_hour.is_some(),
            variants => variants
                .iter()
                .all(|variant| variant.scenario.price_per_hour.is_some()),
        };
        let minimize = match objective.as_ref().and_then(|o| o.minimize.as_deref()) {
            None if has_price => Minimize::Cost,
            None | Some("instance_hours") => Minimize::InstanceHours,
            Some("cost") if has_price => Minimize::Cost,
            Some("cost") => {
                return Err(field(
                    path,
                    "objective.minimize",
                    "\"cost\" needs fleet.price_per_hour".into(),
                ));
            }
            Some(other) => {
                return Err(field(
                    path,
                    "objective.minimize",
                    format!("must be \"cost\" or \"instance_hours\", got {other:?}"),
                ));
            }
        };
        let max_latency_p99_s = objective.as_ref().and_then(|o| o.max_latency_p99_s);
        if let Some(limit) = max_latency_p99_s {
            if bases[0].requests.is_none() {
                return Err(field(
                    path,
                    "objective.max_latency_p99_s",
                    "needs service.model = \"requests\", which measures each request's latency"
                        .into(),
                ));
            }
            if !(limit.is_finite() && limit > 0.0) {
                return Err(field(
                    path,
                    "objective.max_latency_p99_s",
                    format!("must be a number of seconds greater than 0, got {limit}"),
                ));
            }
        }
        let max_slo_violation_s = objective.as_ref().and_then(|o| o.max_slo_violation_s);
        let slo = bases[0].slo;
        let measured = bases[0].service_time_s.is_some() || bases[0].requests.is_some();
        if max_slo_violation_s.is_some()
            && !(measured && (slo.latency_s.is_some() || slo.max_unserved_fraction.is_some()))
        {
            return Err(field(
                path,
                "objective.max_slo_violation_s",
                "needs an [slo], and service.service_time_s or service.model = \"requests\" to \
                 measure it"
                    .into(),
            ));
        }
        Ok(Self {
            path: path.to_owned(),
            bases,
            parameters,
            targets,
            combinations,
            minimize,
            max_unserved_fraction: objective
                .as_ref()
                .and_then(|o| o.max_unserved_fraction)
                .unwrap_or(DEFAULT_MAX_UNSERVED_FRACTION),
            max_slo_violation_s,
            max_latency_p99_s,
            inputs,
        })
    }

    /// Runs in all.
    pub fn runs(&self) -> u64 {
        self.bases.len() as u64 * self.combinations.len()
    }

    /// The header of `results.csv`.
    pub fn header(&self) -> String {
        let requests = if self.bases[0].requests.is_some() {
            REQUEST_RESULT_COLUMNS
        } else {
            ""
        };
        format!(
            "run,trace,{},{SUMMARY_CSV_HEADER},cost,latency_mean_s,slo_violation_s{requests}",
            self.parameters.join(",")
        )
    }

    /// The loss of a run with these figures (see [`SweepRow::loss`]).
    fn loss_of(
        &self,
        unserved_fraction: f64,
        slo_violation_s: Option<f64>,
        p99: Option<f64>,
    ) -> f64 {
        match self.max_latency_p99_s {
            Some(_) => p99.unwrap_or(f64::INFINITY),
            None => slo_violation_s.unwrap_or(unserved_fraction),
        }
    }

    /// Runs the runs of `shard` ([`Shard::WHOLE`] for all), reporting each finished run to
    /// `progress`; rows come back in run order.
    pub fn run(
        &self,
        shard: Shard,
        progress: &(dyn Fn() + Sync),
    ) -> Result<Vec<SweepRow>, OutputError> {
        let mut rows = Vec::new();
        self.stream(shard, progress, &mut |row| {
            rows.push(row);
            Ok::<(), OutputError>(())
        })?;
        Ok(rows)
    }

    /// Runs the runs of `shard` as [`Sweep::run`] does, handing each row to `each` in run order
    /// as soon as the rows before it are done, so that no more than a chunk of rows is held;
    /// gives how many runs were copies of others (see [`scalesim_core::KernelSweep::copies`]).
    pub(crate) fn stream<E: From<OutputError>>(
        &self,
        shard: Shard,
        progress: &(dyn Fn() + Sync),
        each: &mut dyn FnMut(SweepRow) -> Result<(), E>,
    ) -> Result<u64, E> {
        let mut runs = shard.runs(self.runs()).peekable();
        // Groups of consecutive runs go through the kernel together, sharing each pass over the
        // demand, and no more than it steps at once, so that uneven runs balance across threads;
        // runs the kernel cannot take go one by one. Groups come back in order, so rows do too.
        let group_size = match self.bases[0].autoscaler {
            _ if self.bases[0].requests.is_some() => SHARED_DRAWS_GROUP,
            AutoscalerConfig::AwsTargetTracking(_) => aws_group(shard.run_count(self.runs())),
            AutoscalerConfig::HuaweiWorkspace(..) => HUAWEI_GROUP,
            AutoscalerConfig::AzureAutoscale(_) => scalesim_core::AZURE_SWEEP_LANES,
            _ => 1,
        };
        let mut chunk = Vec::with_capacity(group_size * GROUPS_PER_CHUNK);
        let mut copies = 0;
        while runs.peek().is_some() {
            chunk.clear();
            chunk.extend(runs.by_ref().take(group_size * GROUPS_PER_CHUNK));
            let groups = chunk
                .par_chunks(group_size)
                .map(|group| {
                    let rows = self.run_group(group);
                    for _ in group {
                        progress();
                    }
                    rows
                })
                .collect::<Result<Vec<_>, _>>()?;
            for (rows, group_copies) in groups {
                copies += group_copies as u64;
                for row in rows {
                    each(row)?;
                }
            }
        }
        Ok(copies)
    }

    fn base_of(&self, run: u64) -> &Scenario {
        &self.bases[self.trace_of(run)]
    }

    /// The error of values that, once set, the scenario refuses; loading the sweep checks every
    /// combination, so a run meets this only if that check and the run disagree.
    fn invalid_values(&self, message: String) -> OutputError {
        OutputError::Build {
            path: self.path.clone(),
            reason: scalesim_core::BuildError::Field {
                field: "sweep",
                expected: "values that make a valid scenario".into(),
                got: message,
            },
        }
    }

    /// Runs consecutive runs: through the kernel together when they can, else one by one. Gives
    /// their rows, and how many of them were copies of others.
    fn run_group(&self, group: &[u64]) -> Result<(Vec<SweepRow>, usize), OutputError> {
        let alone = |rows: Result<Vec<SweepRow>, OutputError>| rows.map(|rows| (rows, 0));
        if let Some(inputs) = &self.base_of(group[0]).endpoint {
            return alone(
                group
                    .iter()
                    .map(|&run| {
                        let variants = endpoint_variants(
                            self.base_of(run),
                            inputs,
                            &self.targets,
                            &self.combination(run),
                        )
                        .map_err(|message| self.invalid_values(message))?;
                        let (summary, cost) =
                            endpoint_summary(&variants, &mut NoSink).map_err(|reason| {
                                OutputError::Build {
                                    path: self.path.clone(),
                                    reason,
                                }
                            })?;
                        Ok(self.row_of(run, &summary, cost, None))
                    })
                    .collect(),
            );
        }
        let mut prepared = Vec::with_capacity(group.len());
        for &run in group {
            let (fleet, autoscaler) =
                variant(self.base_of(run), &self.targets, &self.combination(run))
                    .map_err(|message| self.invalid_values(message))?;
            prepared.push((run, fleet, autoscaler));
        }
        let first_base = self.base_of(group[0]);
        if let Some(figures) = self.shared_draws_figures(&prepared) {
            return alone(
                prepared
                    .iter()
                    .zip(figures?)
                    .map(|((run, fleet, autoscaler), figures)| {
                        self.row(*run, *fleet, autoscaler, Some(figures))
                    })
                    .collect(),
            );
        }
        if let Some(fast) = self.huawei_kernel_figures(&prepared) {
            return alone(
                prepared
                    .iter()
                    .zip(fast)
                    .map(|((run, fleet, autoscaler), fast)| {
                        self.row(*run, *fleet, autoscaler, fast)
                    })
                    .collect(),
            );
        }
        // Fluid runs of target tracking go through the sweep kernel, which gives the general
        // engine's summary and service level bit for bit, many times faster.
        let kernel_runs: Option<Vec<(FleetConfig, &TargetTracking)>> = prepared
            .iter()
            .map(|(run, fleet, autoscaler)| match autoscaler {
                AutoscalerConfig::AwsTargetTracking(policy)
                    if std::ptr::eq(self.base_of(*run), first_base)
                        && first_base.requests.is_none() =>
                {
                    Some((*fleet, policy))
                }
                _ => None,
            })
            .collect();
        // Azure autoscale and the HPA likewise, through their own kernels, where nothing but
        // the summary is measured.
        let summary_only = |run: u64| {
            std::ptr::eq(self.base_of(run), first_base)
                && first_base.service_time_s.is_none()
                && first_base.service == ServiceModel::Throttle
                && first_base.requests.is_none()
        };
        let azure_kernel_runs: Option<Vec<(FleetConfig, &AzureAutoscale)>> = prepared
            .iter()
            .map(|(run, fleet, autoscaler)| match autoscaler {
                AutoscalerConfig::AzureAutoscale(autoscale) if summary_only(*run) => {
                    Some((*fleet, autoscale))
                }
                _ => None,
            })
            .collect();
        let service = KernelService {
            model: first_base.service,
            service_level: first_base
                .service_time_s
                .map(|service_time_s| (service_time_s, first_base.slo)),
        };
        let summary_figures = |summary: Option<Summary>| {
            summary.map(|summary| RunFigures {
                summary,
                service_level: None,
            })
        };
        let (fast, copies) = match (kernel_runs, azure_kernel_runs) {
            (Some(runs), _) => {
                let swept = target_tracking_sweep(&first_base.demand, service, &runs);
                (swept.figures, swept.copies)
            }
            (None, Some(runs)) => (
                azure_autoscale_summaries(&first_base.demand, &runs)
                    .into_iter()
                    .map(summary_figures)
                    .collect(),
                0,
            ),
            (None, None) => (
                prepared
                    .iter()
                    .map(|(run, fleet, autoscaler)| match autoscaler {
                        AutoscalerConfig::KubernetesHpa(hpa) if summary_only(*run) => {
                            summary_figures(hpa_summary(&first_base.demand, *fleet, hpa))
                        }
                        _ => None,
                    })
                    .collect(),
                0,
            ),
        };
        let rows = prepared
            .iter()
            .zip(fast)
            .map(|((run, fleet, autoscaler), fast)| self.row(*run, *fleet, autoscaler, fast))
            .collect::<Result<_, _>>()?;
        Ok((rows, copies))
    }

    /// Request-level runs of one trace and one kind of autoscaler step together on one drawing
    /// of the trace's requests (common random numbers), each request's arrival and service time
    /// drawn once for the group, and give what each gives alone; `None` when the group is not
    /// all such runs.
    fn shared_draws_figures(
        &self,
        prepared: &[(u64, FleetConfig, AutoscalerConfig)],
    ) -> Option<Result<Vec<RunFigures>, OutputError>> {
        let base = self.base_of(prepared.first()?.0);
        if base.requests.is_none()
            || prepared.len() < 2
            || !prepared
                .iter()
                .all(|(run, ..)| std::ptr::eq(self.base_of(*run), base))
        {
            return None;
        }
        // Each kind of autoscaler is its own type: the runs of a group step monomorphic.
        macro_rules! sharing {
            ($variant:ident) => {
                self.step_sharing_draws(base, prepared, |autoscaler| match autoscaler {
                    AutoscalerConfig::$variant(config) => Some(config.clone()),
                    _ => None,
                })
            };
        }
        match &prepared[0].2 {
            AutoscalerConfig::AwsTargetTracking(_) => sharing!(AwsTargetTracking),
            AutoscalerConfig::AwsApplicationAutoScaling(_) => sharing!(AwsApplicationAutoScaling),
            AutoscalerConfig::AzureAutoscale(_) => sharing!(AzureAutoscale),
            AutoscalerConfig::KubernetesHpa(_) => sharing!(KubernetesHpa),
            AutoscalerConfig::KnativeKpa(_) => sharing!(KnativeKpa),
            // On requests, a server group's sessions are the requests: no session model.
            AutoscalerConfig::HuaweiWorkspace(_, None) => {
                self.step_sharing_draws(base, prepared, |autoscaler| match autoscaler {
                    AutoscalerConfig::HuaweiWorkspace(scaling, None) => Some(scaling.clone()),
                    _ => None,
                })
            }
            AutoscalerConfig::HuaweiWorkspace(_, Some(_)) => None,
        }
    }

    /// [`Sweep::shared_draws_figures`] for autoscalers of type `A`, which `autoscaler_of` takes
    /// out of each run's configuration.
    fn step_sharing_draws<A: Autoscaler>(
        &self,
        base: &Scenario,
        prepared: &[(u64, FleetConfig, AutoscalerConfig)],
        autoscaler_of: impl Fn(&AutoscalerConfig) -> Option<A>,
    ) -> Option<Result<Vec<RunFigures>, OutputError>> {
        let mut runs = Vec::with_capacity(prepared.len());
        for (_, fleet, autoscaler) in prepared {
            match base.build_variant(*fleet, autoscaler_of(autoscaler)?) {
                Ok(run) => runs.push(run),
                Err(reason) => return Some(Err(self.build_error(reason))),
            }
        }
        let mut sinks: Vec<_> = prepared
            .iter()
            .map(|(_, fleet, _)| row_sinks(base, *fleet))
            .collect();
        if !run_sharing_draws(&mut runs, &mut sinks) {
            return None;
        }
        Some(sinks.iter().map(|sinks| self.figures_of(sinks)).collect())
    }

    /// What a run's [`row_sinks`] measured.
    fn figures_of(
        &self,
        (summary, extra): &(SummarySink, ExtraSinks),
    ) -> Result<RunFigures, OutputError> {
        let summary = summary
            .summary()
            .ok_or(scalesim_core::BuildError::EmptyDemand)
            .map_err(|reason| self.build_error(reason))?;
        let service_level = extra
            .service_level
            .as_ref()
            .map(|sink| sink.service_level());
        Ok(RunFigures {
            summary,
            service_level,
        })
    }

    /// A run of the sweep that its scenario refuses, as this sweep's error.
    fn build_error(&self, reason: scalesim_core::BuildError) -> OutputError {
        OutputError::Build {
            path: self.path.clone(),
            reason,
        }
    }

    /// Huawei Workspace runs of one trace on one session model go through the Huawei kernel,
    /// which draws each step's session lengths once for all of them and gives the general
    /// engine's summaries bit for bit; `None` when the group is not all such runs.
    fn huawei_kernel_figures(
        &self,
        prepared: &[(u64, FleetConfig, AutoscalerConfig)],
    ) -> Option<Vec<Option<RunFigures>>> {
        let first_base = self.base_of(prepared.first()?.0);
        let mut sessions: Option<SessionConfig> = None;
        let runs: Vec<(FleetConfig, &WorkspaceScaling)> = prepared
            .iter()
            .map(|(run, fleet, autoscaler)| match autoscaler {
                AutoscalerConfig::HuaweiWorkspace(scaling, Some(config))
                    if std::ptr::eq(self.base_of(*run), first_base)
                        && first_base.requests.is_none()
                        && first_base.service_time_s.is_none()
                        && *sessions.get_or_insert(*config) == *config =>
                {
                    Some((*fleet, scaling))
                }
                _ => None,
            })
            .collect::<Option<_>>()?;
        let summaries = huawei_workspace_summaries(&first_base.demand, sessions?, &runs);
        Some(
            summaries
                .into_iter()
                .map(|summary| {
                    summary.map(|summary| RunFigures {
                        summary,
                        service_level: None,
                    })
                })
                .collect(),
        )
    }

    fn row(
        &self,
        run: u64,
        fleet: FleetConfig,
        autoscaler: &AutoscalerConfig,
        fast: Option<RunFigures>,
    ) -> Result<SweepRow, OutputError> {
        let base = self.base_of(run);
        let (summary, level) = match fast {
            Some(figures) => (figures.summary, figures.service_level),
            None => self.figures(base, fleet, autoscaler)?,
        };
        Ok(self.row_of(run, &summary, base.cost(&summary), level))
    }

    /// The summary and service level of `autoscaler` on `fleet` over `base`'s demand, through
    /// the general engine.
    fn figures(
        &self,
        base: &Scenario,
        fleet: FleetConfig,
        autoscaler: &AutoscalerConfig,
    ) -> Result<(Summary, Option<ServiceLevel>), OutputError> {
        let mut sinks = row_sinks(base, fleet);
        base.simulate_variant(fleet, autoscaler, &mut sinks)
            .map_err(|reason| self.build_error(reason))?;
        let figures = self.figures_of(&sinks)?;
        Ok((figures.summary, figures.service_level))
    }

    /// The figure the objective minimises: cost where there is a price, else instance-hours.
    fn expense_of(&self, summary: &Summary, cost: Option<f64>) -> f64 {
        match self.minimize {
            Minimize::Cost => cost.unwrap_or(summary.instance_hours()),
            Minimize::InstanceHours => summary.instance_hours(),
        }
    }

    /// The row of run `run`, whose figures are `summary`, `cost` and `level`.
    fn row_of(
        &self,
        run: u64,
        summary: &Summary,
        cost: Option<f64>,
        level: Option<ServiceLevel>,
    ) -> SweepRow {
        let base = self.base_of(run);
        let combination = self.combination(run);
        let mut line = format!("{run},{}", trace_name(base));
        for value in combination {
            let _ = write!(line, ",{value}");
        }
        let _ = write!(
            line,
            ",{},{},{},{}",
            summary_csv_values(summary),
            cost.map(|c| c.to_string()).unwrap_or_default(),
            level
                .map(|l| l.latency_mean_s.to_string())
                .unwrap_or_default(),
            level
                .map(|l| l.slo_violation_s.to_string())
                .unwrap_or_default(),
        );
        if let Some(requests) = &summary.requests {
            let latency = |value: Option<f64>| value.map(|v| v.to_string()).unwrap_or_default();
            let _ = write!(
                line,
                ",{},{},{}",
                latency(requests.latency_p50_s),
                latency(requests.latency_p99_s),
                requests.failed
            );
        }
        let unserved_fraction = summary.unserved_fraction();
        let slo_violation_s = level.map(|l| l.slo_violation_s as f64);
        let latency_p99_s = summary.requests.and_then(|r| r.latency_p99_s);
        SweepRow {
            run,
            line,
            expense: self.expense_of(summary, cost),
            unserved_fraction,
            slo_violation_s,
            latency_p99_s,
            loss: self.loss_of(unserved_fraction, slo_violation_s, latency_p99_s),
        }
    }

    /// The scenario's own policy, unchanged, on every trace: what a recommendation saves
    /// against. Its figures combine over traces as a combination's judged row combines them:
    /// cost summed, losses the worst.
    pub fn baseline(&self) -> Result<Baseline, OutputError> {
        let build = |reason| OutputError::Build {
            path: self.path.clone(),
            reason,
        };
        let mut baseline = Baseline::default();
        for base in &self.bases {
            let (summary, cost, level) = if base.production_variants.is_empty() {
                let (summary, level) = self.figures(base, base.fleet, &base.autoscaler)?;
                let cost = base.cost(&summary);
                (summary, cost, level)
            } else {
                let (summary, cost) =
                    endpoint_summary(&base.production_variants, &mut NoSink).map_err(build)?;
                (summary, cost, None)
            };
            baseline.expense += self.expense_of(&summary, cost);
            baseline.unserved_fraction =
                baseline.unserved_fraction.max(summary.unserved_fraction());
            let slo = level.map(|l| l.slo_violation_s as f64);
            baseline.slo_violation_s = match (baseline.slo_violation_s, slo) {
                (Some(a), Some(b)) => Some(a.max(b)),
                (a, b) => a.or(b),
            };
            let p99 = summary.requests.and_then(|r| r.latency_p99_s);
            baseline.latency_p99_s = match (baseline.latency_p99_s, p99) {
                (Some(a), Some(b)) => Some(a.max(b)),
                (a, b) => a.or(b),
            };
        }
        baseline.loss = self.loss_of(
            baseline.unserved_fraction,
            baseline.slo_violation_s,
            baseline.latency_p99_s,
        );
        Ok(baseline)
    }

    /// The parameters whose recommended value is the smallest or largest of three or more
    /// swept: the best may lie beyond the range.
    pub fn at_range_edge(&self, row: &SweepRow) -> Vec<(String, f64, &'static str)> {
        let combination = self.combination(row.run);
        self.parameters
            .iter()
            .enumerate()
            .filter_map(|(index, name)| {
                let value = *combination.get(index)?;
                let mut swept = self.combinations.lists().get(index)?.clone();
                swept.sort_by(f64::total_cmp);
                swept.dedup();
                if swept.len() < 3 {
                    return None;
                }
                // Zero is as small as cooldowns, counts and delays go.
                if Some(&value) == swept.first() && value > 0.0 {
                    Some((name.clone(), value, "smallest"))
                } else if Some(&value) == swept.last() {
                    Some((name.clone(), value, "largest"))
                } else {
                    None
                }
            })
            .collect()
    }

    /// The name of the figure the objective minimises, as results.csv names it.
    pub fn expense_name(&self) -> &'static str {
        match self.minimize {
            Minimize::Cost => "cost",
            Minimize::InstanceHours => "instance_hours",
        }
    }

    /// Whether `row` meets the objective.
    fn meets_objective(&self, row: &SweepRow) -> bool {
        row.unserved_fraction <= self.max_unserved_fraction
            && match (self.max_slo_violation_s, row.slo_violation_s) {
                (Some(limit), Some(seconds)) => seconds <= limit,
                _ => true,
            }
            && self
                .max_latency_p99_s
                .is_none_or(|limit| row.latency_p99_s.is_some_and(|p99| p99 <= limit))
    }

    /// The judged row of `combination` on all traces at once, whose figures are `partial`:
    /// numbered as its run on the first trace, so that a recommended policy meets the objective
    /// on every trace.
    fn judged_row(&self, combination: u64, partial: tally::Partial) -> SweepRow {
        let tally::Partial {
            expense,
            unserved_fraction,
            slo_violation_s,
            latency_p99_s,
        } = partial;
        let mut line = combination.to_string();
        for value in self.combination(combination) {
            let _ = write!(line, ",{value}");
        }
        let _ = write!(
            line,
            ",{expense},{unserved_fraction},{}",
            slo_violation_s.map(|s| s.to_string()).unwrap_or_default()
        );
        if self.bases[0].requests.is_some() {
            let _ = write!(
                line,
                ",{}",
                latency_p99_s.map(|s| s.to_string()).unwrap_or_default()
            );
        }
        SweepRow {
            run: combination,
            line,
            expense,
            unserved_fraction,
            slo_violation_s,
            latency_p99_s,
            loss: self.loss_of(unserved_fraction, slo_violation_s, latency_p99_s),
        }
    }

    /// The header of `pareto.csv`: the runs' with one trace, the combinations' with several.
    pub fn judged_header(&self) -> String {
        if self.bases.len() == 1 {
            return self.header();
        }
        let expense = match self.minimize {
            Minimize::Cost => "cost_all_traces",
            Minimize::InstanceHours => "instance_hours_all_traces",
        };
        let requests = if self.bases[0].requests.is_some() {
            ",latency_p99_s_worst"
        } else {
            ""
        };
        format!(
            "combination,{},{expense},unserved_fraction_worst,slo_violation_s_worst{requests}",
            self.parameters.join(",")
        )
    }

    /// The parameter values of run `run`.
    pub fn combination(&self, run: u64) -> Vec<f64> {
        self.combinations.get(run % self.combinations.len())
    }

    /// The position of run `run`'s trace among the sweep's, the sweep file's own first.
    pub fn trace_of(&self, run: u64) -> usize {
        (run / self.combinations.len()) as usize
    }

    /// Combinations of parameter values in all: runs on each trace.
    pub fn combination_count(&self) -> u64 {
        self.combinations.len()
    }
}

/// The combinations of values a sweep runs, each computed from its number when needed, so that
/// a grid of a million holds only its lists.
#[derive(Debug)]
enum Combinations {
    /// Every combination of the lists, the last varying fastest.
    Grid(Vec<Vec<f64>>),
    /// Seeded random picks: for each sample in turn, its position in each list.
    Samples {
        lists: Vec<Vec<f64>>,
        picks: Vec<u32>,
    },
}

impl Combinations {
    fn lists(&self) -> &[Vec<f64>] {
        match self {
            Self::Grid(lists) | Self::Samples { lists, .. } => lists,
        }
    }

    fn len(&self) -> u64 {
        match self {
            Self::Grid(lists) => lists.iter().map(|list| list.len() as u64).product(),
            Self::Samples { lists, picks } => (picks.len() / lists.len()) as u64,
        }
    }

    /// The position in each list of combination `index`.
    fn positions(&self, index: u64) -> Vec<usize> {
        match self {
            Self::Grid(lists) => {
                let mut rest = index;
                let mut positions = vec![0; lists.len()];
                for (position, list) in positions.iter_mut().zip(lists).rev() {
                    let len = list.len() as u64;
                    *position = (rest % len) as usize;
                    rest /= len;
                }
                positions
            }
            Self::Samples { lists, picks } => {
                let start = index as usize * lists.len();
                picks[start..start + lists.len()]
                    .iter()
                    .map(|&pick| pick as usize)
                    .collect()
            }
        }
    }

    fn get(&self, index: u64) -> Vec<f64> {
        self.positions(index)
            .into_iter()
            .zip(self.lists())
            .map(|(position, list)| list[position])
            .collect()
    }
}

/// What a sweep parameter sets.
#[derive(Debug, Clone, PartialEq)]
enum Target {
    /// `capacity_per_instance`, requests an instance serves a minute.
    Capacity,
    /// `provisioning_s`.
    Provisioning,
    /// A setting of the scenario's autoscaler table, such as `metric_delay_s`.
    Setting(&'static str),
    /// A field of the vendor files.
    Field(Field),
}

impl Target {
    /// The target of parameter `name` in a sweep of `base`; `Err` lists the names known.
    fn resolve(name: &str, base: &Scenario, fields: &[Field]) -> Result<Self, String> {
        match name {
            "capacity_per_instance" if !base.production_variants.is_empty() => {
                return Err(
                    "capacity_per_instance is given per instance type for an endpoint with \
                     several variants ([fleet.instance_types]); it is not swept yet"
                        .into(),
                );
            }
            "capacity_per_instance" => return Ok(Self::Capacity),
            "provisioning_s" => return Ok(Self::Provisioning),
            _ => {}
        }
        if let Some(setting) = base.vendor.settings().iter().find(|s| **s == name) {
            return Ok(Self::Setting(setting));
        }
        let files: Vec<String> = base
            .vendor
            .documents
            .iter()
            .map(Document::file_name)
            .collect();
        match document::resolve(fields, name) {
            Ok(field) => Ok(Self::Field(field.clone())),
            Err(Unresolved::Ambiguous(paths)) => Err(format!(
                "{name:?} names several fields of {}: {}; write enough of the path to pick one",
                files.join(" and "),
                paths.join(", ")
            )),
            Err(Unresolved::Unknown) => {
                let known: Vec<String> = FLEET_PARAMETERS
                    .iter()
                    .filter(|name| {
                        base.production_variants.is_empty() || **name != "capacity_per_instance"
                    })
                    .chain(base.vendor.settings())
                    .map(|name| (*name).to_owned())
                    .chain(document::short_names(fields))
                    .collect();
                Err(format!(
                    "{name:?} is not a parameter of this {} sweep; known: {} (fields of {} by name or path); options: {}",
                    base.autoscaler.kind(),
                    known.join(", "),
                    files.join(" and "),
                    OPTIONS.join(", ")
                ))
            }
        }
    }
}

/// Refuses a field of the vendor files that no value of its list changes in what the run
/// builds: an item the run skips (another resource's policy in a describe listing) or a field
/// scalesim does not read. Values equal to the file's own are not counted.
fn check_fields_are_read(
    path: &Path,
    base: &Scenario,
    parameters: &[String],
    targets: &[Target],
    values: &[Vec<f64>],
) -> Result<(), ScenarioError> {
    let unchanged = base.vendor.bodies();
    // What the run builds from the files, described: an endpoint's variants, each with its
    // autoscaler, or the one autoscaler.
    let built = |bodies: &[serde_json::Value]| match &base.endpoint {
        Some(inputs) => {
            let (paths, texts) = base.vendor.texts_of(bodies);
            base.vendor
                .endpoint_variants(inputs, &paths, &texts, &base.demand)
                .map(|variants| {
                    variants
                        .iter()
                        .map(|(variant, autoscaler)| {
                            format!("{}{autoscaler:?}", variant.describe())
                        })
                        .collect::<String>()
                })
        }
        None => base
            .vendor
            .build_from(bodies)
            .map(|autoscaler| format!("{autoscaler:?}")),
    };
    let Ok(reference) = built(&unchanged) else {
        return Ok(());
    };
    for ((name, target), list) in parameters.iter().zip(targets).zip(values) {
        let Target::Field(field_target) = target else {
            continue;
        };
        let mut differs = false;
        let mut read = false;
        for &value in list {
            let mut bodies = unchanged.clone();
            if document::set(&mut bodies, field_target, value).is_err() || bodies == unchanged {
                continue;
            }
            differs = true;
            // A value the vendor's checks refuse is reported with its combination later.
            if built(&bodies).map_or(true, |description| description != reference) {
                read = true;
                break;
            }
        }
        if differs && !read {
            return Err(field(
                path,
                &format!("sweep.{name:?}"),
                "changes nothing the run reads: every value builds the same autoscaler as the \
                 file's own (a field scalesim does not simulate, one another field overrides, \
                 such as a Knative target above containerConcurrency, or an item the run skips, \
                 such as another resource's policy in a describe listing)"
                    .into(),
            ));
        }
    }
    Ok(())
}

/// The production variants of the endpoint `base` with `targets` set to `values`.
fn endpoint_variants(
    base: &Scenario,
    inputs: &EndpointInputs,
    targets: &[Target],
    values: &[f64],
) -> Result<Vec<ProductionVariantRun>, String> {
    let step_s = base.demand.step_s();
    let mut vendor = Cow::Borrowed(&base.vendor);
    let mut provisioning_s = None;
    for (target, &value) in targets.iter().zip(values) {
        match target {
            Target::Provisioning => {
                let seconds = whole("provisioning_s", value)?;
                check_provisioning_s(seconds)
                    .map_err(|message| format!("provisioning_s {message}"))?;
                provisioning_s = Some(round_to_step(seconds as f64, step_s));
            }
            Target::Setting(name) => vendor.to_mut().set_setting(name, value)?,
            Target::Capacity | Target::Field(_) => {}
        }
    }
    let bodies = edited_bodies(&base.vendor, targets, values)?;
    let (paths, texts) = vendor.texts_of(&bodies);
    let mut variants = base
        .production_variants_from(&vendor, inputs, &paths, &texts)
        .map_err(|err| err.to_string())?;
    for variant in &mut variants {
        // As in every sweep, a run's provisioning time is fixed: the swept value, or the
        // distribution's mean (the fleet's provisioning_s).
        variant.scenario.provisioning = None;
        if let Some(seconds) = provisioning_s {
            variant.scenario.fleet.provisioning_s = seconds;
        }
    }
    Ok(variants)
}

/// The fleet and autoscaler of `base` with `targets` set to `values`.
fn variant(
    base: &Scenario,
    targets: &[Target],
    values: &[f64],
) -> Result<(FleetConfig, AutoscalerConfig), String> {
    let mut fleet = base.fleet;
    let step_s = base.demand.step_s();
    let mut vendor = Cow::Borrowed(&base.vendor);
    for (target, &value) in targets.iter().zip(values) {
        match target {
            Target::Capacity => {
                if base.requests.is_some() {
                    return Err(
                        "capacity_per_instance is not a parameter of request-level runs: an \
                         instance's capacity follows from its concurrency and service times"
                            .into(),
                    );
                }
                if !(MIN_CAPACITY..=MAX_COUNT).contains(&value) {
                    return Err(format!(
                        "capacity_per_instance must be from {MIN_CAPACITY:e} to {MAX_COUNT:e}, \
                         got {value}"
                    ));
                }
                fleet.capacity_per_instance_per_min = value;
            }
            Target::Provisioning => {
                let seconds = whole("provisioning_s", value)?;
                check_provisioning_s(seconds)
                    .map_err(|message| format!("provisioning_s {message}"))?;
                fleet.provisioning_s = round_to_step(seconds as f64, step_s);
            }
            Target::Setting(name) => vendor.to_mut().set_setting(name, value)?,
            Target::Field(_) => {}
        }
    }
    let sets_fields = targets.iter().any(|t| matches!(t, Target::Field(_)));
    let autoscaler = if sets_fields || matches!(vendor, Cow::Owned(_)) {
        edited_autoscaler(base, &vendor, targets, values)?
    } else {
        base.autoscaler.clone()
    };
    if !base.initial_instances_given {
        fleet.initial_instances = autoscaler.default_initial_instances();
    }
    Ok((fleet, autoscaler))
}

/// The autoscaler `vendor` (`base`'s files, its settings set) builds with the fields `targets`
/// set to `values`.
fn edited_autoscaler(
    base: &Scenario,
    vendor: &VendorFiles,
    targets: &[Target],
    values: &[f64],
) -> Result<AutoscalerConfig, String> {
    // Each combination is built twice, by the load's check and by its run. Writing target
    // tracking's files and reading them back cost about 6 % of a sweep over the NASA trace,
    // more over shorter ones, so its controller is built from the values where that gives the
    // same one; the files' checks still word every error.
    if let AutoscalerConfig::AwsTargetTracking(policy) = &base.autoscaler {
        let fields = targets
            .iter()
            .zip(values)
            .filter_map(|(target, &value)| match target {
                Target::Field(field) => Some((field, value)),
                _ => None,
            });
        if let Some(policy) = vendor.target_tracking_with(policy, fields) {
            return Ok(AutoscalerConfig::AwsTargetTracking(policy));
        }
    }
    autoscaler_from_files(base, vendor, targets, values)
}

/// The autoscaler `vendor` builds from `base`'s files with the fields `targets` set to `values`,
/// written out and read back with the files' own checks.
fn autoscaler_from_files(
    base: &Scenario,
    vendor: &VendorFiles,
    targets: &[Target],
    values: &[f64],
) -> Result<AutoscalerConfig, String> {
    let bodies = edited_bodies(&base.vendor, targets, values)?;
    vendor.build_from(&bodies).map_err(|err| err.to_string())
}

fn trace_name(scenario: &Scenario) -> String {
    scenario
        .trace_path
        .as_ref()
        .and_then(|path| path.file_name())
        .map_or_else(
            || "synthetic".to_owned(),
            |name| name.to_string_lossy().into_owned(),
        )
}

/// One of N disjoint parts of a sweep, numbered from 1: shard I of N runs the runs whose number
/// is I − 1 modulo N.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Shard {
    number: u64,
    count: u64,
}

impl Shard {
    /// The whole sweep: shard 1 of 1.
    pub const WHOLE: Self = Self {
        number: 1,
        count: 1,
    };

    /// Shard `number` of `count`, if 1 ≤ `number` ≤ `count`.
    pub fn new(number: u64, count: u64) -> Option<Self> {
        (1..=count)
            .contains(&number)
            .then_some(Self { number, count })
    }

    /// Its number, from 1.
    pub fn number(self) -> u64 {
        self.number
    }

    /// The number of shards of its split.
    pub fn count(self) -> u64 {
        self.count
    }

    /// The shard of its split that runs `run`.
    pub fn of_run(self, run: u64) -> Self {
        Self {
            number: run % self.count + 1,
            count: self.count,
        }
    }

    /// Its runs among the `total` runs of a sweep, in order.
    pub fn runs(self, total: u64) -> impl Iterator<Item = u64> {
        std::iter::successors(Some(self.number - 1), move |run| {
            run.checked_add(self.count)
        })
        .take_while(move |run| *run < total)
    }

    /// How many of the `total` runs of a sweep it runs.
    pub fn run_count(self, total: u64) -> u64 {
        total.saturating_sub(self.number - 1).div_ceil(self.count)
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.number, self.count)
    }
}

impl std::str::FromStr for Shard {
    type Err = SweepError;

    /// `I/N` with 1 ≤ I ≤ N.
    fn from_str(given: &str) -> Result<Self, SweepError> {
        given
            .split_once('/')
            .and_then(|(i, n)| Self::new(i.trim().parse().ok()?, n.trim().parse().ok()?))
            .ok_or_else(|| SweepError::ShardSpec {
                given: given.to_owned(),
            })
    }
}

/// A file the runs of a sweep read, as a shard's manifest fingerprints it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Input {
    /// The sweep file by its file name (each task may reach it by another path); the traces and
    /// vendor files as the sweep file names them, relative to it.
    path: String,
    /// SHA-256 of its bytes.
    sha256: String,
}

impl Input {
    /// The sweep file (`text`, read from `path`), then the traces of `bases` in order, then
    /// their vendor files, then the service-time files of request-level runs, each file once.
    fn fingerprint(
        path: &Path,
        text: &str,
        bases: &[Scenario],
    ) -> Result<Vec<Self>, ScenarioError> {
        let dir = path.parent().unwrap_or(Path::new(""));
        let name = path.file_name().unwrap_or(path.as_os_str());
        let mut inputs = vec![Self {
            path: name.to_string_lossy().into_owned(),
            sha256: sha256(text.as_bytes()),
        }];
        let traces = bases.iter().filter_map(|base| base.trace_path.as_deref());
        let vendor_files = bases.iter().flat_map(|base| {
            base.vendor
                .documents
                .iter()
                .map(|document| document.path.as_path())
        });
        let service_time_files = bases.iter().filter_map(|base| {
            base.requests
                .as_ref()
                .and_then(|model| model.service_time_file.as_deref())
        });
        let endpoint_updates = bases.iter().flat_map(|base| {
            base.endpoint
                .iter()
                .flat_map(|inputs| inputs.update_files())
        });
        for file in traces
            .chain(vendor_files)
            .chain(service_time_files)
            .chain(endpoint_updates)
        {
            // The scenario joined what the sweep file wrote to its folder; an absolute path
            // stays as it was written.
            let written = file
                .strip_prefix(dir)
                .unwrap_or(file)
                .to_string_lossy()
                .into_owned();
            if inputs[1..].iter().any(|input| input.path == written) {
                continue;
            }
            let bytes = read_bounded(file, MAX_TRACE_BYTES, "an input")?;
            inputs.push(Self {
                path: written,
                sha256: sha256(&bytes),
            });
        }
        Ok(inputs)
    }
}

/// The format of `shard.json` this scalesim writes and merges. Format 1 had no `format` field,
/// fingerprinted the sweep file alone (FNV-1a) and numbered shards from 0.
const MANIFEST_FORMAT: u64 = 2;

/// The manifest beside a shard's `results.csv`: what the shard was computed from and what it
/// wrote, so that merge can refuse shards of other files or rows changed since.
#[derive(Debug, serde::Serialize, serde::Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
struct Manifest {
    /// [`MANIFEST_FORMAT`].
    format: u64,
    /// The shard's number, from 1.
    shard: u64,
    /// The number of shards of its split.
    shards: u64,
    /// Runs in the whole sweep.
    runs: u64,
    /// The files the runs read: the sweep file first.
    inputs: Vec<Input>,
    /// The shard's `results.csv`.
    results: ResultsPrint,
}

/// The rows of a shard's `results.csv` and the SHA-256 of its bytes.
#[derive(Debug, serde::Serialize, serde::Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
struct ResultsPrint {
    /// Rows below the header.
    rows: u64,
    /// SHA-256 of the file's bytes.
    sha256: String,
}

impl ResultsPrint {
    fn of(text: &str) -> Self {
        Self {
            rows: text.lines().count().saturating_sub(1) as u64,
            sha256: sha256(text.as_bytes()),
        }
    }
}

/// What writing a sweep gave: its files, and what the terminal shows of it.
#[derive(Debug)]
pub struct SweepWritten {
    /// The files written, as they are now.
    pub files: Vec<PathBuf>,
    /// The recommended row, judged on all traces (whole sweeps only).
    pub recommended: Option<SweepRow>,
    /// The parameters whose values changed no run's figures (whole grids only).
    pub without_effect: Vec<String>,
    /// The rows written to `results.csv`.
    pub rows: u64,
    /// The runs whose figures were copied from an earlier run that reads the same of its
    /// policy and fleet instead of being stepped (see [`scalesim_core::KernelSweep::copies`]); 0 when merging
    /// shards, whose runs were stepped elsewhere.
    pub copies: u64,
}

/// Runs the runs of `shard` (`None`: all) and writes the sweep's files into `out_dir` as
/// [`write_sweep`] does, each row streaming into `results.csv` as soon as the rows before it
/// are done: memory does not grow with the runs.
pub fn run_sweep(
    sweep: &Sweep,
    shard: Option<Shard>,
    out_dir: &Path,
    progress: &(dyn Fn() + Sync),
) -> Result<SweepWritten, SweepError> {
    let mut files = SweepFiles::begin(sweep, shard, out_dir)?;
    let copies = sweep.stream(shard.unwrap_or(Shard::WHOLE), progress, &mut |row| {
        files.push(&row)
    })?;
    Ok(SweepWritten {
        copies,
        ..files.finish()?
    })
}

/// Writes a sweep's (or a shard's) `rows`, in run order, into `out_dir`; a whole sweep also gets
/// the Pareto frontier, its plot, the recommendation and the report.
pub fn write_sweep(
    sweep: &Sweep,
    rows: &[SweepRow],
    shard: Option<Shard>,
    out_dir: &Path,
) -> Result<SweepWritten, SweepError> {
    let mut files = SweepFiles::begin(sweep, shard, out_dir)?;
    for row in rows {
        files.push(row)?;
    }
    files.finish()
}

/// A sweep's files being written: `results.csv` row by row, and the tally of what the other
/// files need.
struct SweepFiles<'s> {
    sweep: &'s Sweep,
    shard: Option<Shard>,
    staged: Staged,
    results: Pending,
    /// The SHA-256 of `results.csv` so far, for a shard's manifest.
    print: Sha256,
    rows: u64,
    tally: Tally<'s>,
}

impl<'s> SweepFiles<'s> {
    fn begin(sweep: &'s Sweep, shard: Option<Shard>, out_dir: &Path) -> Result<Self, SweepError> {
        let staged = Staged::begin(out_dir)?;
        let mut results = Pending::create(staged.dir(), SWEEP_FILES[0])?;
        let mut print = Sha256::new();
        let header = format!("{}\n", sweep.header());
        results.write_all(header.as_bytes())?;
        print.update(header.as_bytes());
        Ok(Self {
            sweep,
            shard,
            staged,
            results,
            print,
            rows: 0,
            tally: Tally::new(sweep),
        })
    }

    fn push(&mut self, row: &SweepRow) -> Result<(), SweepError> {
        let mut line = String::with_capacity(row.line.len() + 1);
        line.push_str(&row.line);
        line.push('\n');
        self.results.write_all(line.as_bytes())?;
        self.rows += 1;
        if self.shard.is_some() {
            self.print.update(line.as_bytes());
        } else {
            self.tally.push(row);
        }
        Ok(())
    }

    fn finish(self) -> Result<SweepWritten, SweepError> {
        let Self {
            sweep,
            shard,
            staged,
            results,
            print,
            rows,
            tally,
        } = self;
        let out_dir = staged.dir();
        let mut files = vec![results];
        let table = |header: String, rows: &mut dyn Iterator<Item = &SweepRow>| {
            let mut text = header;
            text.push('\n');
            for row in rows {
                text.push_str(&row.line);
                text.push('\n');
            }
            text
        };
        if let Some(shard) = shard {
            let manifest = Manifest {
                format: MANIFEST_FORMAT,
                shard: shard.number,
                shards: shard.count,
                inputs: sweep.inputs.clone(),
                results: ResultsPrint {
                    rows,
                    sha256: format!("{:x}", print.finalize()),
                },
                runs: sweep.runs(),
            };
            let mut file = Pending::create(out_dir, SHARD_MANIFEST)?;
            let json = serde_json::to_string_pretty(&manifest).unwrap_or_default();
            file.write_all(json.as_bytes())?;
            files.push(file);
            return Ok(SweepWritten {
                files: staged.finish(files)?,
                recommended: None,
                without_effect: Vec::new(),
                rows,
                copies: 0,
            });
        }
        let frontier = tally.frontier();
        let mut pareto = Pending::create(out_dir, SWEEP_FILES[1])?;
        pareto.write_all(table(sweep.judged_header(), &mut frontier.iter()).as_bytes())?;
        files.push(pareto);
        let mut frontier_runs: Vec<u64> = frontier.iter().map(|row| row.run).collect();
        frontier_runs.sort_unstable();
        let on_frontier = |run: u64| frontier_runs.binary_search(&run).is_ok();
        let sampled = tally.points();
        let points: Vec<ParetoPoint> = sampled
            .iter()
            .map(|point| ParetoPoint {
                expense: point.expense,
                loss: point.loss,
                on_frontier: on_frontier(point.run),
            })
            .collect();
        let recommended = tally.recommended();
        let x_label = match sweep.minimize {
            Minimize::Cost => "cost (instance-hours × price_per_hour)",
            Minimize::InstanceHours => "instance-hours (h)",
        };
        let y_label = if sweep.max_latency_p99_s.is_some() {
            "p99 latency (s)"
        } else if tally.slo_measured() {
            "time breaking the SLO (s)"
        } else {
            "unserved fraction (% of requests)"
        };
        let title = format!(
            "{}: {} runs",
            sweep
                .path
                .file_stem()
                .map_or_else(String::new, |s| s.to_string_lossy().into_owned()),
            tally.judged()
        );
        let chosen = recommended.map(|row| (row.expense, row.loss));
        let baseline = sweep.baseline()?;
        let own = Some((baseline.expense, baseline.loss)).filter(|(_, loss)| loss.is_finite());
        files.push(plot_file(out_dir, SWEEP_FILES[2], || {
            render_pareto_png(&title, &points, chosen, own, x_label, y_label)
        })?);
        let without_effect = tally.without_effect();
        let (recommendation, recommendation_json) =
            write_recommendation(sweep, recommended, &baseline, &without_effect, out_dir)?;
        files.push(recommendation);
        let mut recommended_texts = Vec::new();
        if let Some(row) = recommended {
            for (file, text) in write_recommended_files(sweep, row, out_dir)? {
                let name = file
                    .path()
                    .file_name()
                    .map(|name| name.to_string_lossy().into_owned())
                    .unwrap_or_default();
                recommended_texts.push((name, text));
                files.push(file);
            }
        }
        let points = sampled
            .iter()
            .map(|point| SweepPoint {
                run: point.run,
                expense: point.expense,
                loss: point.loss,
                on_frontier: on_frontier(point.run),
                parameters: sweep.combination(point.run),
            })
            .collect();
        let report = sweep_report(
            sweep,
            tally.judged(),
            points,
            tally.slo_measured(),
            recommended,
            own,
            (title, x_label, y_label),
            recommendation_json,
            recommended_texts,
        );
        let mut report_file = Pending::create(out_dir, SWEEP_FILES[4])?;
        report_file.write_all(sweep_html(report).as_bytes())?;
        files.push(report_file);
        Ok(SweepWritten {
            files: staged.finish(files)?,
            recommended: recommended.cloned(),
            without_effect: without_effect
                .iter()
                .map(|name| (*name).to_owned())
                .collect(),
            rows,
            copies: 0,
        })
    }
}

/// What `report.html` shows of a whole sweep: `runs` judged rows, of which `points` are
/// plotted; `labels` the plot's title and axes.
#[allow(clippy::too_many_arguments)]
fn sweep_report<'a>(
    sweep: &'a Sweep,
    runs: u64,
    points: Vec<SweepPoint>,
    slo_measured: bool,
    recommended: Option<&SweepRow>,
    baseline: Option<(f64, f64)>,
    (title, x_label, y_label): (String, &'a str, &'a str),
    recommendation_json: String,
    files: Vec<(String, String)>,
) -> SweepReport<'a> {
    // The page shows the unserved fraction in percent, as its axis says and as the terminal
    // and the PNG show it.
    let loss_scale = if sweep.max_latency_p99_s.is_none() && !slo_measured {
        100.0
    } else {
        1.0
    };
    let limit = match sweep.max_latency_p99_s {
        Some(limit) => Some(limit),
        None if slo_measured => sweep.max_slo_violation_s,
        None => Some(sweep.max_unserved_fraction * loss_scale),
    };
    let points = points
        .into_iter()
        .map(|point| SweepPoint {
            loss: point.loss * loss_scale,
            ..point
        })
        .collect();
    let minimize = match sweep.minimize {
        Minimize::Cost => "cost",
        Minimize::InstanceHours => "instance-hours",
    };
    let mut objective = format!(
        "The recommended run is the one with the least {} whose unserved share of demand is at \
         most {} %",
        minimize,
        crate::report::human_number(sweep.max_unserved_fraction * 100.0)
    );
    if let Some(limit) = sweep.max_slo_violation_s {
        objective.push_str(&format!(
            ", breaking the SLO for at most {} s",
            crate::report::human_number(limit)
        ));
    }
    if let Some(limit) = sweep.max_latency_p99_s {
        objective.push_str(&format!(
            ", with a p99 latency of at most {} s",
            crate::report::human_number(limit)
        ));
    }
    objective.push_str(if sweep.bases.len() > 1 {
        ", on every trace (costs summed, losses the worst of any trace)."
    } else {
        "."
    });
    SweepReport {
        title,
        runs: runs as usize,
        traces: sweep.bases.len(),
        parameters: &sweep.parameters,
        points,
        x_label: match sweep.minimize {
            Minimize::Cost => "cost (instance-hours × price)",
            Minimize::InstanceHours => x_label,
        },
        y_label,
        limit,
        baseline: baseline.map(|(expense, loss)| (expense, loss * loss_scale)),
        objective,
        recommended: recommended.map(|row| row.run),
        recommended_row: recommended.map(|row| (sweep.judged_header(), row.line.clone())),
        recommendation_json,
        files,
    }
}

/// `recommendation.json`, pending, and its text.
fn write_recommendation(
    sweep: &Sweep,
    row: Option<&SweepRow>,
    baseline: &Baseline,
    without_effect: &[&str],
    out_dir: &Path,
) -> Result<(Pending, String), OutputError> {
    let expense = sweep.expense_name();
    let own = serde_json::json!({
        expense: baseline.expense,
        "unserved_fraction": baseline.unserved_fraction,
        "slo_violation_s": baseline.slo_violation_s,
        "latency_p99_s": baseline.latency_p99_s,
    });
    let objective = serde_json::json!({
        "minimize": sweep.expense_name(),
        "max_unserved_fraction": sweep.max_unserved_fraction,
        "max_slo_violation_s": sweep.max_slo_violation_s,
        "max_latency_p99_s": sweep.max_latency_p99_s,
    });
    let mut body = match row {
        None => serde_json::json!({
            "objective": objective,
            "recommended": null,
            "reason": "no run meets the objective: loosen it or widen the sweep",
            "baseline": own,
        }),
        Some(row) => {
            let parameters: serde_json::Map<String, serde_json::Value> = sweep
                .parameters
                .iter()
                .zip(sweep.combination(row.run))
                .map(|(name, value)| (name.clone(), document::number(value)))
                .collect();
            let saving = baseline.expense - row.expense;
            let warnings: Vec<String> = sweep
                .at_range_edge(row)
                .into_iter()
                .map(|(name, value, edge)| {
                    format!(
                        "{name} = {value} is the {edge} value swept: the best may lie beyond \
                         the range"
                    )
                })
                .collect();
            serde_json::json!({
                "objective": objective,
                "recommended": {
                    "run": row.run,
                    "parameters": parameters,
                    expense: row.expense,
                    "unserved_fraction": row.unserved_fraction,
                    "slo_violation_s": row.slo_violation_s,
                    "latency_p99_s": row.latency_p99_s,
                },
                "baseline": own,
                "saving": {
                    expense: saving,
                    "fraction": if baseline.expense > 0.0 { saving / baseline.expense } else { 0.0 },
                },
                "warnings": warnings,
            })
        }
    };
    body["parameters_without_effect"] = serde_json::json!(without_effect);
    let mut file = Pending::create(out_dir, SWEEP_FILES[3])?;
    let mut text = serde_json::to_string_pretty(&body).unwrap_or_default();
    text.push('\n');
    file.write_all(text.as_bytes())?;
    Ok((file, text))
}

/// The bodies of `vendor`'s files with the field `targets` set to their `values`.
fn edited_bodies(
    vendor: &VendorFiles,
    targets: &[Target],
    values: &[f64],
) -> Result<Vec<serde_json::Value>, String> {
    let mut bodies = vendor.bodies();
    for (target, &value) in targets.iter().zip(values) {
        if let Target::Field(field) = target {
            document::set(&mut bodies, field, value)?;
        }
    }
    Ok(bodies)
}

/// The vendor files of the base scenario with the values of `row` written in, as the vendor
/// takes them: `recommended-` and each file's role, such as `recommended-put-scaling-policy.json`.
fn write_recommended_files(
    sweep: &Sweep,
    row: &SweepRow,
    out_dir: &Path,
) -> Result<Vec<(Pending, String)>, OutputError> {
    let vendor = &sweep.bases[0].vendor;
    let bodies = edited_bodies(vendor, &sweep.targets, &sweep.combination(row.run))
        .map_err(|message| sweep.invalid_values(message))?;
    let mut files = Vec::new();
    for (document, body) in vendor.documents.iter().zip(&bodies) {
        let mut file = Pending::create(out_dir, &document.recommended_name())?;
        let text = document.recommended_text(body);
        file.write_all(text.as_bytes())?;
        files.push((file, text));
    }
    Ok(files)
}

/// Lines at fault listed for one results file, and runs listed as missing; more are counted.
const LISTED: usize = 10;

/// A shard folder given to merge, with its manifest.
#[derive(Debug)]
struct Given<'a> {
    dir: &'a Path,
    shard: Shard,
    manifest: Manifest,
}

impl Given<'_> {
    fn folder(&self) -> ShardFolder {
        ShardFolder {
            shard: self.shard,
            dir: self.dir.to_owned(),
        }
    }
}

/// The number of shards most shards given agree on, and whether it took the tie rule.
#[derive(Debug, PartialEq, Eq)]
struct Split {
    count: u64,
    agreeing: usize,
    tie: bool,
}

/// The split most of `counts` (the shards' numbers of shards) agree on; on a tie, the larger
/// number of shards, as a sweep is split more finely when it grows, seldom less.
fn expected_split(counts: impl IntoIterator<Item = u64>) -> Option<Split> {
    let mut agreeing = std::collections::BTreeMap::new();
    for count in counts {
        *agreeing.entry(count).or_insert(0_usize) += 1;
    }
    let (&count, &most) = agreeing
        .iter()
        .max_by_key(|&(&count, &agreeing)| (agreeing, count))?;
    Some(Split {
        count,
        agreeing: most,
        tie: agreeing.values().filter(|&&n| n == most).count() > 1,
    })
}

/// The manifest in `dir` and the shard it names, if this scalesim can merge it.
fn read_manifest(dir: &Path) -> Result<(Shard, Manifest), ShardProblem> {
    let path = dir.join(SHARD_MANIFEST);
    let invalid = |message: String| {
        ShardProblem::Manifest(ScenarioError::Json {
            path: path.clone(),
            message,
        })
    };
    if dir.is_dir() && !path.exists() {
        return Err(invalid(
            "not found: the folder is not a shard's (scalesim sweep --shard I/N writes one)".into(),
        ));
    }
    let text = read_text_bounded(&path, MAX_SCENARIO_BYTES, "a shard manifest")
        .map_err(ShardProblem::Manifest)?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|err| invalid(err.to_string()))?;
    if !value.is_object() {
        return Err(invalid(format!(
            "expected a shard manifest, a JSON object, got {value}"
        )));
    }
    // The format first, so that an older manifest is told apart from a damaged one; format 1
    // had no `format` field.
    let format = match value.get("format") {
        None => 1,
        Some(format) => format
            .as_u64()
            .ok_or_else(|| invalid(format!("format: expected a whole number, got {format}")))?,
    };
    if format != MANIFEST_FORMAT {
        return Err(ShardProblem::ManifestFormat {
            path,
            found: format,
            expected: MANIFEST_FORMAT,
        });
    }
    let manifest: Manifest =
        serde_json::from_value(value).map_err(|err| invalid(err.to_string()))?;
    let shard = Shard::new(manifest.shard, manifest.shards).ok_or_else(|| {
        ShardProblem::Manifest(ScenarioError::Field {
            path: path.clone(),
            field: "shard".into(),
            message: format!(
                "expected 1 <= shard <= shards, got shard {} of {}",
                manifest.shard, manifest.shards
            ),
        })
    })?;
    Ok((shard, manifest))
}

/// Reads the shards in `dirs`, checks that they are exactly the shards of one split of `sweep`,
/// computed from its files as they are now, with their rows as written, and returns the rows
/// in run order. Every manifest is read before the set is judged, so the verdict and the
/// problems named do not depend on the order the folders are given in; every problem found is
/// reported at once.
pub fn merge_shards(sweep: &Sweep, dirs: &[PathBuf]) -> Result<Vec<SweepRow>, SweepError> {
    let mut problems = Vec::new();
    let mut sorted_dirs: Vec<&PathBuf> = dirs.iter().collect();
    sorted_dirs.sort();
    let mut given = Vec::new();
    for dir in sorted_dirs {
        match read_manifest(dir) {
            Ok((shard, manifest)) => given.push(Given {
                dir,
                shard,
                manifest,
            }),
            Err(problem) => problems.push(problem),
        }
    }
    let every_manifest_read = problems.is_empty();
    if dirs.is_empty() {
        problems.push(ShardProblem::NoShard);
    }
    given.sort_by(|a, b| (a.shard, a.dir).cmp(&(b.shard, b.dir)));

    let sweep_dir = sweep.path.parent().unwrap_or(Path::new(""));
    for (index, input) in sweep.inputs.iter().enumerate() {
        let (mut changed, mut absent) = (Vec::new(), Vec::new());
        for shard in &given {
            // The sweep file is known by its place, first: each task may name it otherwise.
            let recorded = if index == 0 {
                shard.manifest.inputs.first()
            } else {
                shard
                    .manifest
                    .inputs
                    .iter()
                    .skip(1)
                    .find(|r| r.path == input.path)
            };
            match recorded {
                None => absent.push(shard.folder()),
                Some(recorded) if recorded.sha256 != input.sha256 => {
                    changed.push(shard.folder());
                }
                Some(_) => {}
            }
        }
        let location = if index == 0 {
            sweep.path.clone()
        } else {
            sweep_dir.join(&input.path)
        };
        if !changed.is_empty() {
            problems.push(ShardProblem::InputChanged {
                input: location.clone(),
                shards: changed,
            });
        }
        if !absent.is_empty() {
            problems.push(ShardProblem::InputAbsent {
                input: location,
                shards: absent,
            });
        }
    }

    let split = expected_split(given.iter().map(|shard| shard.shard.count));
    let mut ours: Vec<&Given> = Vec::new();
    for shard in &given {
        match &split {
            Some(split) if split.count != shard.shard.count => {
                problems.push(ShardProblem::OtherSplit {
                    dir: shard.dir.to_owned(),
                    shard: shard.shard,
                    expected: split.count,
                    agreeing: split.agreeing,
                    given: given.len(),
                    tie: split.tie,
                });
            }
            _ => ours.push(shard),
        }
    }
    for same in ours.chunk_by(|a, b| a.shard == b.shard) {
        if let [first, _, ..] = same {
            problems.push(ShardProblem::GivenTwice {
                shard: first.shard,
                dirs: same.iter().map(|shard| shard.dir.to_owned()).collect(),
            });
        }
    }
    // A folder whose manifest could not be read may hold the shard that looks missing.
    if let Some(split) = split.as_ref().filter(|_| every_manifest_read) {
        let present = |number: u64| ours.iter().any(|shard| shard.shard.number == number);
        let mut absent = (1..=split.count).filter(|&number| !present(number));
        let shards: Vec<Shard> = absent
            .by_ref()
            .take(LISTED)
            .filter_map(|number| Shard::new(number, split.count))
            .collect();
        if !shards.is_empty() {
            let distinct = ours.chunk_by(|a, b| a.shard == b.shard).count() as u64;
            problems.push(ShardProblem::Missing {
                more: split.count - distinct - shards.len() as u64,
                shards,
            });
        }
    }

    let header = sweep.header();
    let mut lines: Vec<(u64, String)> = Vec::new();
    for shard in ours {
        let path = shard.dir.join(SWEEP_FILES[0]);
        let text = match read_text_bounded(&path, MAX_TRACE_BYTES, "a shard's results") {
            Ok(text) => text,
            Err(error) => {
                problems.push(ShardProblem::Manifest(error));
                continue;
            }
        };
        let print = ResultsPrint::of(&text);
        if print != shard.manifest.results {
            problems.push(ShardProblem::ResultsChanged {
                path: path.clone(),
                rows: print.rows,
                recorded_rows: shard.manifest.results.rows,
            });
        }
        let mut text_lines = text.lines();
        let got = text_lines.next().unwrap_or_default();
        if got != header {
            problems.push(ShardProblem::Header {
                path: path.clone(),
                expected: header.clone(),
                got: got.to_owned(),
            });
        }
        let mut line_of_run = std::collections::BTreeMap::new();
        let mut at_fault = Vec::new();
        for (line, row) in (2_u64..).zip(text_lines) {
            let Some(run) = row
                .split(',')
                .next()
                .and_then(|run| run.parse::<u64>().ok())
            else {
                at_fault.push(ShardProblem::RowWithoutRun {
                    path: path.clone(),
                    line,
                    got: row.to_owned(),
                });
                continue;
            };
            if run >= sweep.runs() {
                at_fault.push(ShardProblem::RowOutsideSweep {
                    path: path.clone(),
                    line,
                    run,
                    runs: sweep.runs(),
                });
            } else if shard.shard.of_run(run) != shard.shard {
                at_fault.push(ShardProblem::RowOfOtherShard {
                    path: path.clone(),
                    line,
                    run,
                    belongs: shard.shard.of_run(run),
                    shard: shard.shard,
                });
            } else if let Some(&first_line) = line_of_run.get(&run) {
                at_fault.push(ShardProblem::RowRepeated {
                    path: path.clone(),
                    line,
                    run,
                    first_line,
                });
            } else {
                line_of_run.insert(run, line);
                lines.push((run, row.to_owned()));
            }
        }
        let more = at_fault.len().saturating_sub(LISTED) as u64;
        problems.extend(at_fault.into_iter().take(LISTED));
        if more > 0 {
            problems.push(ShardProblem::MoreRows {
                path: path.clone(),
                count: more,
            });
        }
        let mut missing = shard
            .shard
            .runs(sweep.runs())
            .filter(|run| !line_of_run.contains_key(run));
        let runs: Vec<u64> = missing.by_ref().take(LISTED).collect();
        if !runs.is_empty() {
            problems.push(ShardProblem::RunsMissing {
                path,
                shard: shard.shard,
                runs,
                more: missing.count() as u64,
            });
        }
    }
    if !problems.is_empty() {
        return Err(SweepError::Shards { problems });
    }
    lines.sort_by_key(|(run, _)| *run);
    // Rebuild the rows' judged figures from the CSV: the columns the header names.
    let header = sweep.header();
    let columns: Vec<&str> = header.split(',').collect();
    let index = |name: &str| columns.iter().position(|c| *c == name);
    let (hours, cost, unserved, slo, p99) = (
        index("instance_hours"),
        index("cost"),
        index("unserved_fraction"),
        index("slo_violation_s"),
        index("latency_p99_s"),
    );
    lines
        .into_iter()
        .map(|(run, line)| {
            let cells: Vec<&str> = line.split(',').collect();
            let number = |idx: Option<usize>| {
                idx.and_then(|i| cells.get(i))
                    .and_then(|c| c.parse::<f64>().ok())
            };
            let expense = match sweep.minimize {
                Minimize::Cost => number(cost),
                Minimize::InstanceHours => number(hours),
            };
            let unserved_fraction = number(unserved).unwrap_or(f64::INFINITY);
            let slo_violation_s = number(slo);
            let latency_p99_s = number(p99);
            Ok(SweepRow {
                run,
                expense: expense.unwrap_or(f64::INFINITY),
                unserved_fraction,
                slo_violation_s,
                latency_p99_s,
                loss: sweep.loss_of(unserved_fraction, slo_violation_s, latency_p99_s),
                line,
            })
        })
        .collect()
}

/// The sinks a sweep's row needs of a run of `fleet` over `base`: the summary, and the latency
/// and SLO figures where the scenario measures them.
fn row_sinks(base: &Scenario, fleet: FleetConfig) -> (SummarySink, ExtraSinks) {
    (
        SummarySink::new(),
        ExtraSinks::for_variant(base, fleet.capacity_per_instance_per_min),
    )
}

#[cfg(test)]
mod tests {
    use super::tally::Frontier;
    use super::*;

    #[test]
    fn the_grid_varies_the_last_key_fastest() {
        let grid = Combinations::Grid(vec![vec![1.0, 2.0], vec![10.0, 20.0, 30.0]]);
        assert_eq!(grid.len(), 6);
        assert_eq!(
            (0..grid.len())
                .map(|index| grid.get(index))
                .collect::<Vec<_>>(),
            vec![
                vec![1.0, 10.0],
                vec![1.0, 20.0],
                vec![1.0, 30.0],
                vec![2.0, 10.0],
                vec![2.0, 20.0],
                vec![2.0, 30.0]
            ]
        );
    }

    /// A SageMaker target-tracking scenario in `dir` over a short trace, with the shipped NASA
    /// RegisterScalableTarget body and `policy` as the policy file.
    fn aws_scenario(dir: &Path, policy: &str) -> Scenario {
        let register = include_str!("../../../scenarios/aws/nasa-register.json");
        std::fs::write(dir.join("register.json"), register).unwrap();
        std::fs::write(dir.join("policy.json"), policy).unwrap();
        let trace: String = (0..30)
            .map(|minute| format!("{minute},{}\n", minute * 40))
            .collect();
        std::fs::write(dir.join("trace.csv"), format!("minute,requests\n{trace}")).unwrap();
        let scenario = dir.join("scenario.toml");
        std::fs::write(
            &scenario,
            "name = \"t\"\n[load]\ntrace = \"trace.csv\"\n[fleet]\ncapacity_per_instance = 60.0\n\
             provisioning_s = 300\n[autoscaler]\nkind = \"aws-target-tracking\"\n\
             register_scalable_target = \"register.json\"\nput_scaling_policy = \"policy.json\"\n\
             metric_delay_s = 60\n",
        )
        .unwrap();
        Scenario::load(&scenario).unwrap()
    }

    #[test]
    fn target_tracking_built_from_the_values_is_the_controller_the_edited_files_build() {
        // A PutScalingPolicy body, and a configuration alone that leaves ScaleOutCooldown out.
        let configuration_only = r#"{ "TargetValue": 40,
            "PredefinedMetricSpecification": {
                "PredefinedMetricType": "SageMakerVariantInvocationsPerInstance" },
            "ScaleInCooldown": 600 }"#;
        let policies = [
            include_str!("../../../scenarios/aws/nasa-policy.json"),
            configuration_only,
        ];
        let names = [
            "TargetValue",
            "MinCapacity",
            "MaxCapacity",
            "ScaleOutCooldown",
            "ScaleInCooldown",
            "metric_delay_s",
        ];
        // Values the files take, and values they refuse or read back otherwise.
        let lists = vec![
            vec![40.0, 0.1, 2.5, 1e20, 0.0, -0.0, -1.0, f64::INFINITY],
            vec![1.0, 12.0, 0.0, 1.5, -1.0, 5e9],
            vec![10.0, 4.0],
            vec![0.0, 300.0, 1.5, -60.0, 1e16],
            vec![600.0, 86_400.0],
            vec![60.0, 0.0, 90.0, 7200.0],
        ];
        let grid = Combinations::Grid(lists);
        for policy in policies {
            let dir = tempfile::tempdir().unwrap();
            let base = aws_scenario(dir.path(), policy);
            let fields = base.vendor.fields();
            let targets: Vec<Target> = names
                .iter()
                .map(|name| Target::resolve(name, &base, &fields).unwrap())
                .collect();
            let (mut direct, mut taken) = (0, 0);
            for index in 0..grid.len() {
                let combination = grid.get(index);
                let mut vendor = base.vendor.clone();
                vendor
                    .set_setting("metric_delay_s", combination[5])
                    .unwrap();
                let edited = edited_autoscaler(&base, &vendor, &targets, &combination);
                let from_files = autoscaler_from_files(&base, &vendor, &targets, &combination);
                assert_eq!(
                    format!("{edited:?}"),
                    format!("{from_files:?}"),
                    "{combination:?}"
                );
                let AutoscalerConfig::AwsTargetTracking(policy) = &base.autoscaler else {
                    panic!("{:?}", base.autoscaler);
                };
                let fields = targets
                    .iter()
                    .zip(&combination)
                    .filter_map(|(t, &v)| match t {
                        Target::Field(field) => Some((field, v)),
                        _ => None,
                    });
                direct += usize::from(vendor.target_tracking_with(policy, fields).is_some());
                taken += usize::from(from_files.is_ok());
            }
            // Every value here that the files take is one the direct way takes.
            assert!(taken > 0);
            assert_eq!(direct, taken);
        }
    }

    fn row(run: u64, expense: f64, unserved: f64) -> SweepRow {
        SweepRow {
            run,
            line: String::new(),
            expense,
            unserved_fraction: unserved,
            slo_violation_s: None,
            latency_p99_s: None,
            loss: unserved,
        }
    }

    #[test]
    fn the_frontier_keeps_runs_no_other_beats_on_both() {
        // (cost, loss): 1 (10, 0.5), 2 (12, 0.1), 3 (12, 0.3) beaten by 2, 4 (20, 0.0),
        // 5 (25, 0.0) beaten by 4.
        let rows = vec![
            row(1, 10.0, 0.5),
            row(2, 12.0, 0.1),
            row(3, 12.0, 0.3),
            row(4, 20.0, 0.0),
            row(5, 25.0, 0.0),
        ];
        let mut frontier = Frontier::default();
        for row in rows {
            frontier.admit(row);
        }
        let frontier: Vec<u64> = frontier.rows().iter().map(|r| r.run).collect();
        assert_eq!(frontier, [1, 2, 4]);
    }

    #[test]
    fn fingerprints_are_sha256() {
        // FIPS 180-2's examples.
        assert_eq!(
            sha256(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            sha256(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn shards_are_numbered_from_one_and_hold_their_residue() {
        let shard: Shard = "3/4".parse().unwrap();
        assert_eq!(shard.to_string(), "3/4");
        assert_eq!(shard.runs(11).collect::<Vec<_>>(), [2, 6, 10]);
        assert_eq!(shard.run_count(11), 3);
        assert_eq!(shard.run_count(2), 0);
        assert_eq!(shard.of_run(7).to_string(), "4/4");
        assert_eq!(Shard::WHOLE.runs(3).collect::<Vec<_>>(), [0, 1, 2]);
        for refused in ["0/4", "5/4", "3", "a/4", "1/0"] {
            assert!(refused.parse::<Shard>().is_err(), "{refused}");
        }
        for total in 0..20 {
            for count in 1..6 {
                for number in 1..=count {
                    let shard = Shard::new(number, count).unwrap();
                    assert_eq!(shard.run_count(total), shard.runs(total).count() as u64);
                }
            }
        }
    }

    #[test]
    fn the_expected_split_is_the_most_common_and_the_larger_on_a_tie() {
        let split = |counts: &[u64]| expected_split(counts.iter().copied());
        assert_eq!(split(&[]), None);
        assert_eq!(
            split(&[2, 3, 3, 3]),
            Some(Split {
                count: 3,
                agreeing: 3,
                tie: false
            })
        );
        assert_eq!(
            split(&[3, 2, 2, 3]),
            Some(Split {
                count: 3,
                agreeing: 2,
                tie: true
            })
        );
    }
}
