//! `scalesim sweep` and `scalesim merge`: a base scenario run for every combination of listed
//! parameter values (or N seeded random picks of them), over one or more traces, in parallel;
//! then the Pareto frontier of cost against losses and the cheapest run that meets the
//! objective, written back as the vendor's own files. Parameters are the fleet's, the
//! autoscaler's scenario settings, and the numbers of the vendor files by their own field names
//! (see [`crate::vendor::document`]); each run's files go through the vendor's checks again.
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
//! runs the runs whose number is I − 1 modulo N, and `merge` joins the shards' rows.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use scalesim_core::{
    FleetConfig, ServiceModel, Summary, SummarySink, TargetTracking, target_tracking_summaries,
};

use crate::error::{OutputError, ScenarioError, SweepError};
use crate::limits::{MAX_SWEEP_RUNS, check_memory, sweep_bytes};
use crate::output::{ExtraSinks, Pending, SUMMARY_CSV_HEADER, plot_file, summary_csv_values};
use crate::pareto_plot::{ParetoPoint, render_pareto_png};
use crate::scenario::{
    AutoscalerConfig, Scenario, ScenarioSpec, VendorFiles, read_scenario_file, round_to_step, whole,
};
use crate::staging::Staged;
use crate::vendor::document::{self, Document, Field, Unresolved};

/// Parameters every sweep can vary, whatever the autoscaler.
const FLEET_PARAMETERS: [&str; 2] = ["capacity_per_instance", "provisioning_s"];
/// Keys of `[sweep]` that are options, not parameters.
const OPTIONS: [&str; 2] = ["samples", "traces"];
/// The unserved fraction an objective accepts when it names none.
const DEFAULT_MAX_UNSERVED_FRACTION: f64 = 0.001;

/// The files a whole sweep writes.
pub const SWEEP_FILES: [&str; 4] = [
    "results.csv",
    "pareto.csv",
    "pareto.png",
    "recommendation.json",
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
    pub combinations: Vec<Vec<f64>>,
    /// What the recommendation minimises.
    pub minimize: Minimize,
    /// The largest unserved fraction a recommended run may have.
    pub max_unserved_fraction: f64,
    /// The largest SLO-breaking seconds a recommended run may have.
    pub max_slo_violation_s: Option<f64>,
    /// FNV-1a of the sweep file's bytes, so that merged shards come from one sweep.
    pub fingerprint: String,
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
}

fn fnv1a(bytes: &[u8]) -> String {
    let hash = bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{hash:016x}")
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
                    let mut numbers = Vec::with_capacity(list.len());
                    for item in list {
                        let number = item
                            .as_float()
                            .or_else(|| item.as_integer().map(|i| i as f64))
                            .ok_or_else(|| {
                                field(path, &key_path, format!("must list numbers, got {item}"))
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
        let runs = match samples {
            Some(count) => Some(count),
            None => values
                .iter()
                .try_fold(1u64, |product, list| product.checked_mul(list.len() as u64)),
        };
        if runs.is_none_or(|runs| runs > MAX_SWEEP_RUNS) {
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
        }
        check_memory(
            path,
            "the sweep",
            sweep_bytes(runs.unwrap_or(MAX_SWEEP_RUNS)),
        )?;
        let combinations = match samples {
            None => grid(&values),
            Some(count) => {
                // A stream no replica uses, so that sampling never shifts a run's draws.
                let mut rng = ChaCha8Rng::seed_from_u64(base.seed);
                rng.set_stream(u64::MAX);
                (0..count)
                    .map(|_| {
                        values
                            .iter()
                            .map(|v| v[rng.random_range(0..v.len())])
                            .collect()
                    })
                    .collect()
            }
        };
        let mut bases = vec![base];
        for trace in traces {
            let mut trace_spec = spec.clone();
            trace_spec.load.trace = Some(trace);
            bases.push(Scenario::from_spec(trace_spec, path)?);
        }
        // Every combination must make a valid scenario on every trace (an Azure schedule depends
        // on the trace's length): check them all before running any, in parallel as they are
        // many, reporting the first in order that fails.
        let checks: Vec<Result<(), String>> = combinations
            .par_iter()
            .map(|combination| {
                bases
                    .iter()
                    .try_for_each(|base| variant(base, &targets, combination).map(drop))
            })
            .collect();
        if let Some((combination, Err(message))) = combinations
            .iter()
            .zip(checks)
            .find(|(_, check)| check.is_err())
        {
            let values: Vec<String> = parameters
                .iter()
                .zip(combination)
                .map(|(name, value)| format!("{name} = {value}"))
                .collect();
            return Err(field(
                path,
                "sweep",
                format!("with {}: {message}", values.join(", ")),
            ));
        }
        let has_price = bases[0].price_per_hour.is_some();
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
        let max_slo_violation_s = objective.as_ref().and_then(|o| o.max_slo_violation_s);
        if max_slo_violation_s.is_some() && bases[0].service_time_s.is_none() {
            return Err(field(
                path,
                "objective.max_slo_violation_s",
                "needs an [slo] and service.service_time_s to measure the SLO".into(),
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
            fingerprint: fnv1a(text.as_bytes()),
        })
    }

    /// Runs in all.
    pub fn runs(&self) -> u64 {
        (self.bases.len() * self.combinations.len()) as u64
    }

    /// The header of `results.csv`.
    pub fn header(&self) -> String {
        format!(
            "run,trace,{},{SUMMARY_CSV_HEADER},cost,latency_mean_s,slo_violation_s",
            self.parameters.join(",")
        )
    }

    /// Runs the runs of shard `shard` (from 0) of `shards`, reporting each finished run to
    /// `progress`; rows come back in run order.
    pub fn run(
        &self,
        shard: u64,
        shards: u64,
        progress: &(dyn Fn() + Sync),
    ) -> Result<Vec<SweepRow>, OutputError> {
        let runs: Vec<u64> = (0..self.runs())
            .filter(|run| run % shards == shard)
            .collect();
        // Groups of consecutive runs go through the kernel together, sharing each pass over the
        // demand, and no more than it steps at once, so that uneven runs balance across threads;
        // runs the kernel cannot take go one by one. Groups come back in order, so rows do too.
        let group_size = match self.bases[0].autoscaler {
            AutoscalerConfig::AwsTargetTracking(_) => scalesim_core::SWEEP_LANES,
            _ => 1,
        };
        let groups = runs
            .par_chunks(group_size)
            .map(|group| {
                let rows = self.run_group(group);
                for _ in group {
                    progress();
                }
                rows
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(groups.into_iter().flatten().collect())
    }

    fn base_of(&self, run: u64) -> &Scenario {
        &self.bases[(run / self.combinations.len() as u64) as usize]
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

    /// Runs consecutive runs: through the kernel together when they can, else one by one.
    fn run_group(&self, group: &[u64]) -> Result<Vec<SweepRow>, OutputError> {
        let mut prepared = Vec::with_capacity(group.len());
        for &run in group {
            let (fleet, autoscaler) =
                variant(self.base_of(run), &self.targets, self.combination(run))
                    .map_err(|message| self.invalid_values(message))?;
            prepared.push((run, fleet, autoscaler));
        }
        let first_base = self.base_of(group[0]);
        // Target tracking with nothing but the summary to measure goes through the sweep
        // kernel, which gives the general engine's summary bit for bit, many times faster.
        let kernel_runs: Option<Vec<(FleetConfig, &TargetTracking)>> = prepared
            .iter()
            .map(|(run, fleet, autoscaler)| match autoscaler {
                AutoscalerConfig::AwsTargetTracking(policy)
                    if std::ptr::eq(self.base_of(*run), first_base)
                        && first_base.service_time_s.is_none()
                        && first_base.service == ServiceModel::Throttle =>
                {
                    Some((*fleet, policy))
                }
                _ => None,
            })
            .collect();
        let fast = kernel_runs
            .map(|runs| target_tracking_summaries(&first_base.demand, &runs))
            .unwrap_or_else(|| vec![None; prepared.len()]);
        prepared
            .iter()
            .zip(fast)
            .map(|((run, fleet, autoscaler), fast)| self.row(*run, *fleet, autoscaler, fast))
            .collect()
    }

    fn row(
        &self,
        run: u64,
        fleet: FleetConfig,
        autoscaler: &AutoscalerConfig,
        fast: Option<Summary>,
    ) -> Result<SweepRow, OutputError> {
        let base = self.base_of(run);
        let combination = self.combination(run);
        let build = |reason| OutputError::Build {
            path: self.path.clone(),
            reason,
        };
        let mut extra = ExtraSinks::for_variant(base, fleet.capacity_per_instance_per_min);
        let summary = match fast {
            Some(summary) => summary,
            None => {
                let mut summary = SummarySink::new();
                base.simulate_variant(fleet, autoscaler, &mut (&mut summary, &mut extra))
                    .map_err(build)?;
                summary
                    .summary()
                    .ok_or(scalesim_core::BuildError::EmptyDemand)
                    .map_err(build)?
            }
        };
        let cost = base
            .price_per_hour
            .map(|price| summary.instance_hours() * price);
        let level = extra
            .service_level
            .as_ref()
            .map(|sink| sink.service_level());
        let mut line = format!("{run},{}", trace_name(base));
        for value in combination {
            let _ = write!(line, ",{value}");
        }
        let _ = write!(
            line,
            ",{},{},{},{}",
            summary_csv_values(&summary),
            cost.map(|c| c.to_string()).unwrap_or_default(),
            level
                .map(|l| l.latency_mean_s.to_string())
                .unwrap_or_default(),
            level
                .map(|l| l.slo_violation_s.to_string())
                .unwrap_or_default(),
        );
        Ok(SweepRow {
            run,
            line,
            expense: match self.minimize {
                Minimize::Cost => cost.unwrap_or(summary.instance_hours()),
                Minimize::InstanceHours => summary.instance_hours(),
            },
            unserved_fraction: summary.unserved_fraction(),
            slo_violation_s: level.map(|l| l.slo_violation_s as f64),
        })
    }

    /// The losses a row is judged on: SLO seconds when measured, else the unserved fraction.
    fn loss(row: &SweepRow) -> f64 {
        row.slo_violation_s.unwrap_or(row.unserved_fraction)
    }

    /// The cheapest row meeting the objective, first by run number on ties.
    pub fn recommend<'r>(&self, rows: &'r [SweepRow]) -> Option<&'r SweepRow> {
        rows.iter()
            .filter(|row| row.unserved_fraction <= self.max_unserved_fraction)
            .filter(
                |row| match (self.max_slo_violation_s, row.slo_violation_s) {
                    (Some(limit), Some(seconds)) => seconds <= limit,
                    _ => true,
                },
            )
            .min_by(|a, b| a.expense.total_cmp(&b.expense).then(a.run.cmp(&b.run)))
    }

    /// The rows the frontier and the recommendation judge. With one trace, the runs. With
    /// several, one row per combination of parameters, on all traces at once: its expense
    /// summed, its losses the worst of any trace, numbered as its run on the first trace, so
    /// that a recommended policy meets the objective on every trace.
    pub fn judged(&self, rows: &[SweepRow]) -> Vec<SweepRow> {
        if self.bases.len() == 1 {
            return rows.to_vec();
        }
        let per_trace = self.combinations.len() as u64;
        let traces = self.bases.len() as u64;
        (0..per_trace)
            .filter_map(|combination| {
                let runs: Vec<&SweepRow> = (0..traces)
                    .filter_map(|trace| {
                        let run = combination + trace * per_trace;
                        // Rows come in run order.
                        rows.binary_search_by_key(&run, |row| row.run)
                            .ok()
                            .map(|idx| &rows[idx])
                    })
                    .collect();
                if runs.len() as u64 != traces {
                    return None;
                }
                let expense: f64 = runs.iter().map(|row| row.expense).sum();
                let unserved_fraction = runs
                    .iter()
                    .map(|row| row.unserved_fraction)
                    .fold(0.0, f64::max);
                let slo_violation_s = runs
                    .iter()
                    .map(|row| row.slo_violation_s)
                    .try_fold(0.0_f64, |worst, s| s.map(|s| worst.max(s)));
                let mut line = combination.to_string();
                for value in self.combination(combination) {
                    let _ = write!(line, ",{value}");
                }
                let _ = write!(
                    line,
                    ",{expense},{unserved_fraction},{}",
                    slo_violation_s.map(|s| s.to_string()).unwrap_or_default()
                );
                Some(SweepRow {
                    run: combination,
                    line,
                    expense,
                    unserved_fraction,
                    slo_violation_s,
                })
            })
            .collect()
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
        format!(
            "combination,{},{expense},unserved_fraction_worst,slo_violation_s_worst",
            self.parameters.join(",")
        )
    }

    /// The parameter values of run `run`.
    pub fn combination(&self, run: u64) -> &[f64] {
        &self.combinations[(run % self.combinations.len() as u64) as usize]
    }
}

/// Rows not beaten on both expense and loss by another row, cheapest first.
pub fn pareto_frontier(rows: &[SweepRow]) -> Vec<&SweepRow> {
    let mut sorted: Vec<&SweepRow> = rows.iter().collect();
    sorted.sort_by(|a, b| {
        a.expense
            .total_cmp(&b.expense)
            .then(Sweep::loss(a).total_cmp(&Sweep::loss(b)))
            .then(a.run.cmp(&b.run))
    });
    let mut frontier: Vec<&SweepRow> = Vec::new();
    for row in sorted {
        if frontier
            .last()
            .is_none_or(|best| Sweep::loss(row) < Sweep::loss(best))
        {
            frontier.push(row);
        }
    }
    frontier
}

/// The grid of `values`: their product, the last list varying fastest.
fn grid(values: &[Vec<f64>]) -> Vec<Vec<f64>> {
    values.iter().fold(vec![Vec::new()], |prefixes, list| {
        prefixes
            .iter()
            .flat_map(|prefix| {
                list.iter().map(move |&value| {
                    let mut next = prefix.clone();
                    next.push(value);
                    next
                })
            })
            .collect()
    })
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
                    .chain(base.vendor.settings())
                    .map(|name| (*name).to_owned())
                    .chain(document::short_names(fields))
                    .collect();
                Err(format!(
                    "{name:?} is not a parameter of a {} sweep; known: {} (fields of {} by name or path); options: {}",
                    base.autoscaler.kind(),
                    known.join(", "),
                    files.join(" and "),
                    OPTIONS.join(", ")
                ))
            }
        }
    }
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
                if !(value.is_finite() && value > 0.0) {
                    return Err(format!("capacity_per_instance must be > 0, got {value}"));
                }
                fleet.capacity_per_instance_per_min = value;
            }
            Target::Provisioning => {
                let seconds = whole("provisioning_s", value)?;
                fleet.provisioning_s = round_to_step(seconds as f64, step_s);
            }
            Target::Setting(name) => vendor.to_mut().set_setting(name, value)?,
            Target::Field(_) => {}
        }
    }
    let sets_fields = targets.iter().any(|t| matches!(t, Target::Field(_)));
    let autoscaler = if sets_fields || matches!(vendor, Cow::Owned(_)) {
        let bodies = edited_bodies(&base.vendor, targets, values)?;
        vendor.build_from(&bodies).map_err(|err| err.to_string())?
    } else {
        base.autoscaler.clone()
    };
    if !base.initial_instances_given {
        fleet.initial_instances = autoscaler.bounds().min();
    }
    Ok((fleet, autoscaler))
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

/// The shard manifest beside a shard's `results.csv`.
#[derive(Debug, serde::Serialize, serde::Deserialize, PartialEq, Eq)]
struct Manifest {
    fingerprint: String,
    shard: u64,
    shards: u64,
    runs: u64,
}

/// Writes a sweep's (or a shard's) files into `out_dir`; a whole sweep also gets the Pareto
/// frontier, its plot and the recommendation.
pub fn write_sweep(
    sweep: &Sweep,
    rows: &[SweepRow],
    shard: Option<(u64, u64)>,
    out_dir: &Path,
) -> Result<Vec<PathBuf>, SweepError> {
    let staged = Staged::begin(out_dir)?;
    let out_dir = staged.dir();
    let mut files = Vec::new();
    let table = |header: String, rows: &mut dyn Iterator<Item = &SweepRow>| {
        let mut text = header;
        text.push('\n');
        for row in rows {
            text.push_str(&row.line);
            text.push('\n');
        }
        text
    };
    let mut results = Pending::create(out_dir, SWEEP_FILES[0])?;
    results.write_all(table(sweep.header(), &mut rows.iter()).as_bytes())?;
    files.push(results);
    if let Some((shard, shards)) = shard {
        let manifest = Manifest {
            fingerprint: sweep.fingerprint.clone(),
            shard,
            shards,
            runs: sweep.runs(),
        };
        let mut file = Pending::create(out_dir, SHARD_MANIFEST)?;
        let json = serde_json::to_string_pretty(&manifest).unwrap_or_default();
        file.write_all(json.as_bytes())?;
        files.push(file);
    } else {
        let judged = sweep.judged(rows);
        let rows = judged.as_slice();
        let frontier = pareto_frontier(rows);
        let mut pareto = Pending::create(out_dir, SWEEP_FILES[1])?;
        pareto.write_all(table(sweep.judged_header(), &mut frontier.iter().copied()).as_bytes())?;
        files.push(pareto);
        let points: Vec<ParetoPoint> = rows
            .iter()
            .map(|row| ParetoPoint {
                expense: row.expense,
                loss: Sweep::loss(row),
                on_frontier: frontier.iter().any(|f| f.run == row.run),
            })
            .collect();
        let recommended = sweep.recommend(rows);
        let x_label = match sweep.minimize {
            Minimize::Cost => "cost",
            Minimize::InstanceHours => "instance-hours",
        };
        let y_label = if rows.iter().any(|r| r.slo_violation_s.is_some()) {
            "seconds breaking the SLO"
        } else {
            "unserved fraction"
        };
        let title = format!(
            "{}: {} runs",
            sweep
                .path
                .file_stem()
                .map_or_else(String::new, |s| s.to_string_lossy().into_owned()),
            rows.len()
        );
        let chosen = recommended.map(|row| (row.expense, Sweep::loss(row)));
        files.push(plot_file(out_dir, SWEEP_FILES[2], || {
            render_pareto_png(&title, &points, chosen, x_label, y_label)
        })?);
        files.push(write_recommendation(sweep, recommended, out_dir)?);
        if let Some(row) = recommended {
            files.extend(write_recommended_files(sweep, row, out_dir)?);
        }
    }
    Ok(staged.finish(files)?)
}

fn write_recommendation(
    sweep: &Sweep,
    row: Option<&SweepRow>,
    out_dir: &Path,
) -> Result<Pending, OutputError> {
    let objective = serde_json::json!({
        "minimize": match sweep.minimize { Minimize::Cost => "cost", Minimize::InstanceHours => "instance_hours" },
        "max_unserved_fraction": sweep.max_unserved_fraction,
        "max_slo_violation_s": sweep.max_slo_violation_s,
    });
    let body = match row {
        None => serde_json::json!({
            "objective": objective,
            "recommended": null,
            "reason": "no run meets the objective: loosen it or widen the sweep",
        }),
        Some(row) => {
            let parameters: serde_json::Map<String, serde_json::Value> = sweep
                .parameters
                .iter()
                .zip(sweep.combination(row.run))
                .map(|(name, &value)| (name.clone(), document::number(value)))
                .collect();
            serde_json::json!({
                "objective": objective,
                "recommended": {
                    "run": row.run,
                    "parameters": parameters,
                    "expense": row.expense,
                    "unserved_fraction": row.unserved_fraction,
                    "slo_violation_s": row.slo_violation_s,
                },
            })
        }
    };
    let mut file = Pending::create(out_dir, SWEEP_FILES[3])?;
    let text = serde_json::to_string_pretty(&body).unwrap_or_default();
    file.write_all(text.as_bytes())?;
    file.write_all(b"\n")?;
    Ok(file)
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
) -> Result<Vec<Pending>, OutputError> {
    let vendor = &sweep.bases[0].vendor;
    let bodies = edited_bodies(vendor, &sweep.targets, sweep.combination(row.run))
        .map_err(|message| sweep.invalid_values(message))?;
    let mut files = Vec::new();
    for (document, body) in vendor.documents.iter().zip(&bodies) {
        let mut file = Pending::create(out_dir, &document.recommended_name())?;
        file.write_all(document.render(body).as_bytes())?;
        files.push(file);
    }
    Ok(files)
}

/// Reads the shards in `dirs`, checks they are all the shards of `sweep`, and returns the rows
/// in run order.
pub fn merge_shards(sweep: &Sweep, dirs: &[PathBuf]) -> Result<Vec<SweepRow>, SweepError> {
    let mut seen: Vec<u64> = Vec::new();
    let mut shards_expected = None;
    let mut lines: Vec<(u64, String)> = Vec::new();
    for dir in dirs {
        let manifest_path = dir.join(SHARD_MANIFEST);
        let text =
            std::fs::read_to_string(&manifest_path).map_err(|error| ScenarioError::Read {
                path: manifest_path.clone(),
                error,
            })?;
        let manifest: Manifest =
            serde_json::from_str(&text).map_err(|err| ScenarioError::Json {
                path: manifest_path.clone(),
                message: err.to_string(),
            })?;
        if manifest.fingerprint != sweep.fingerprint || manifest.runs != sweep.runs() {
            return Err(SweepError::ForeignShard {
                path: manifest_path,
                sweep: sweep.path.clone(),
            });
        }
        if *shards_expected.get_or_insert(manifest.shards) != manifest.shards
            || seen.contains(&manifest.shard)
        {
            return Err(SweepError::ShardSet {
                message: format!(
                    "{}: shard {}/{} does not fit with the others given",
                    dir.display(),
                    manifest.shard + 1,
                    manifest.shards
                ),
            });
        }
        seen.push(manifest.shard);
        let results_path = dir.join(SWEEP_FILES[0]);
        let results =
            std::fs::read_to_string(&results_path).map_err(|error| ScenarioError::Read {
                path: results_path.clone(),
                error,
            })?;
        for line in results.lines().skip(1) {
            let run = line
                .split(',')
                .next()
                .and_then(|run| run.parse::<u64>().ok())
                .ok_or_else(|| ScenarioError::Json {
                    path: results_path.clone(),
                    message: format!("a row without a run number: {line:?}"),
                })?;
            lines.push((run, line.to_owned()));
        }
    }
    let shards = shards_expected.unwrap_or(1);
    if let Some(missing) = (0..shards).find(|shard| !seen.contains(shard)) {
        return Err(SweepError::ShardSet {
            message: format!("shard {}/{shards} is missing", missing + 1),
        });
    }
    lines.sort_by_key(|(run, _)| *run);
    // Rebuild the rows' judged figures from the CSV: the columns the header names.
    let header = sweep.header();
    let columns: Vec<&str> = header.split(',').collect();
    let index = |name: &str| columns.iter().position(|c| *c == name);
    let (hours, cost, unserved, slo) = (
        index("instance_hours"),
        index("cost"),
        index("unserved_fraction"),
        index("slo_violation_s"),
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
            Ok(SweepRow {
                run,
                expense: expense.unwrap_or(f64::INFINITY),
                unserved_fraction: number(unserved).unwrap_or(f64::INFINITY),
                slo_violation_s: number(slo),
                line,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_grid_varies_the_last_key_fastest() {
        let grid = grid(&[vec![1.0, 2.0], vec![10.0, 20.0, 30.0]]);
        assert_eq!(
            grid,
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

    fn row(run: u64, expense: f64, unserved: f64) -> SweepRow {
        SweepRow {
            run,
            line: String::new(),
            expense,
            unserved_fraction: unserved,
            slo_violation_s: None,
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
        let frontier: Vec<u64> = pareto_frontier(&rows).iter().map(|r| r.run).collect();
        assert_eq!(frontier, [1, 2, 4]);
    }

    #[test]
    fn fingerprints_tell_files_apart() {
        assert_eq!(fnv1a(b""), "cbf29ce484222325");
        assert_ne!(fnv1a(b"a"), fnv1a(b"b"));
    }
}
