//! `scalesim compare`: several scenarios on the same trace, run in parallel, summarised side by
//! side in `comparison.csv`, overlaid in `comparison.png` / `comparison.svg`, and both in
//! `report.html`.
//!
//! Runs go through rayon in input order (`into_par_iter().map().collect()` keeps it), and each
//! run keeps only its summary and its instance curve binned on at most [`MAX_BINS`] time bins,
//! so memory grows with the trace and the plot's width, not with trace × runs.

use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset};
use rayon::prelude::*;
use scalesim_core::{BucketWindow, Sink, StepRecord, Summary, SummarySink};

use crate::compare_plot::{
    ComparisonPlot, ComparisonSeries, MAX_RUNS, render_comparison_png, render_comparison_svg,
};
use crate::endpoint::endpoint_summary;
use crate::error::{CompareError, OutputError};
use crate::output::{Pending, SUMMARY_CSV_HEADER, plot_file, summary_csv_values};
use crate::report::{REPORT_FILE, compare_html};
use crate::scenario::Scenario;
use crate::staging::Staged;

/// Bins of the overlay plot: one per pixel column of the plot at most.
pub(crate) const MAX_BINS: u64 = 1600;

/// The files `compare` writes.
pub const COMPARE_FILES: [&str; 4] = [
    "comparison.csv",
    "comparison.png",
    "comparison.svg",
    REPORT_FILE,
];

/// One scenario's outcome in a comparison.
#[derive(Debug, Clone)]
pub struct ComparisonRow {
    /// The scenario's name.
    pub name: String,
    /// Its autoscaler's `kind`.
    pub kind: &'static str,
    /// Its figures.
    pub summary: Summary,
    /// What its instance time costs, if the scenario gives a price.
    pub cost: Option<f64>,
}

/// What `compare` produced.
#[derive(Debug, Clone)]
pub struct ComparisonOutput {
    /// One row per scenario, in the order given.
    pub rows: Vec<ComparisonRow>,
    /// The files written.
    pub files: Vec<PathBuf>,
}

/// Checks that every scenario replays the same window of the same trace file.
pub fn check_same_trace(scenarios: &[Scenario]) -> Result<(), CompareError> {
    let Some(first) = scenarios.first() else {
        return Err(CompareError::NoScenario);
    };
    // The same file and window, and the same synthetic load (with its seed) if any.
    let identity = |scenario: &Scenario| {
        let file = scenario
            .trace_path
            .as_ref()
            .map(|path| std::fs::canonicalize(path).unwrap_or_else(|_| path.clone()));
        let synthetic = scenario
            .synthetic
            .as_ref()
            .map(|load| (format!("{load:?}"), scenario.seed));
        (file, scenario.trace_window, synthetic)
    };
    let expected = identity(first);
    for other in &scenarios[1..] {
        if identity(other) != expected {
            let (mut trace, first_trace) = (load_description(other), load_description(first));
            if trace == first_trace {
                // Only the synthetic load's terms differ.
                trace = PathBuf::from(format!("{}, with other terms", trace.display()));
            }
            return Err(CompareError::DifferentTraces {
                path: other.path.clone(),
                trace,
                first_path: first.path.clone(),
                first_trace,
            });
        }
    }
    Ok(())
}

/// The time bins shared by every run: a whole number of every scenario's steps, at most
/// [`MAX_BINS`] of them over the longest run.
pub(crate) fn bin_seconds(scenarios: &[Scenario]) -> u64 {
    let step_lcm = scenarios
        .iter()
        .map(|s| s.demand.step_s())
        .fold(1, |lcm, step_s| lcm / gcd(lcm, step_s) * step_s);
    let span_s = scenarios
        .iter()
        .map(|s| s.demand.steps() as u64 * s.demand.step_s())
        .max()
        .unwrap_or(0);
    let per_bin = span_s.div_ceil(MAX_BINS).max(1);
    per_bin.div_ceil(step_lcm) * step_lcm
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// Bins a run's instances (and demand) on the comparison's time bins.
pub(crate) struct BinnedSink {
    bin_s: u64,
    in_service_max: Vec<f64>,
    /// Σ in-service × seconds, then divided by the bin's covered seconds.
    instance_seconds: Vec<f64>,
    demand: Vec<f64>,
    demand_max_per_min: Vec<f64>,
    covered_s: Vec<u64>,
}

impl BinnedSink {
    pub(crate) fn new(bin_s: u64, bins: usize) -> Self {
        Self {
            bin_s,
            in_service_max: vec![0.0; bins],
            instance_seconds: vec![0.0; bins],
            demand: vec![0.0; bins],
            demand_max_per_min: vec![0.0; bins],
            covered_s: vec![0; bins],
        }
    }
}

impl Sink for BinnedSink {
    fn on_step(&mut self, record: &StepRecord) {
        let bin = (record.t_s / self.bin_s) as usize;
        if bin >= self.covered_s.len() {
            return;
        }
        let in_service = f64::from(record.in_service);
        self.in_service_max[bin] = self.in_service_max[bin].max(in_service);
        self.instance_seconds[bin] += in_service * record.step_s as f64;
        self.demand[bin] += record.demand;
        let per_min = record.demand * 60.0 / record.step_s as f64;
        self.demand_max_per_min[bin] = self.demand_max_per_min[bin].max(per_min);
        self.covered_s[bin] += record.step_s;
    }
}

/// One run: its summary and its binned curves.
struct RunResult {
    row: ComparisonRow,
    binned: BinnedSink,
}

fn run_one(scenario: &Scenario, bin_s: u64, bins: usize) -> Result<RunResult, OutputError> {
    let build = |reason| OutputError::Build {
        path: scenario.path.clone(),
        reason,
    };
    let mut binned = BinnedSink::new(bin_s, bins);
    // An endpoint runs as the sum of its variants, at their instance types' prices.
    let (summary, cost) = if scenario.production_variants.is_empty() {
        let mut summary = SummarySink::new();
        scenario
            .simulate(&mut (&mut summary, &mut binned))
            .map_err(build)?;
        let summary = summary
            .summary()
            .ok_or(scalesim_core::BuildError::EmptyDemand)
            .map_err(build)?;
        let cost = scenario.cost(&summary);
        (summary, cost)
    } else {
        endpoint_summary(&scenario.production_variants, &mut binned).map_err(build)?
    };
    Ok(RunResult {
        row: ComparisonRow {
            name: scenario.name.clone(),
            kind: scenario.autoscaler.kind(),
            cost,
            summary,
        },
        binned,
    })
}

/// Runs every scenario in parallel and writes the comparison files into `out_dir`.
pub fn compare(scenarios: &[Scenario], out_dir: &Path) -> Result<ComparisonOutput, CompareError> {
    let first = scenarios.first().ok_or(CompareError::NoScenario)?;
    if scenarios.len() > MAX_RUNS {
        return Err(CompareError::TooManyScenarios {
            given: scenarios.len(),
            max: MAX_RUNS,
        });
    }
    let bin_s = bin_seconds(scenarios);
    let span_s = scenarios
        .iter()
        .map(|s| s.demand.steps() as u64 * s.demand.step_s())
        .max()
        .unwrap_or(0);
    let bins = span_s.div_ceil(bin_s).max(1) as usize;
    let results = scenarios
        .par_iter()
        .map(|scenario| run_one(scenario, bin_s, bins))
        .collect::<Result<Vec<_>, _>>()?;

    let staged = Staged::begin(out_dir)?;
    let out_dir = staged.dir();
    let mut csv = Pending::create(out_dir, COMPARE_FILES[0])?;
    // Request-level runs add their latency; a fluid run beside them leaves those cells empty.
    let any_requests = results.iter().any(|r| r.row.summary.requests.is_some());
    let request_columns = if any_requests {
        ",model,latency_p50_s,latency_p99_s,requests_failed"
    } else {
        ""
    };
    let mut text = format!("scenario,autoscaler,{SUMMARY_CSV_HEADER},cost{request_columns}\n");
    for result in &results {
        let row = &result.row;
        let cost = row.cost.map(|cost| cost.to_string()).unwrap_or_default();
        text.push_str(&format!(
            "{},{},{},{cost}",
            csv_field(&row.name),
            row.kind,
            summary_csv_values(&row.summary)
        ));
        if any_requests {
            let text_of = |value: Option<f64>| value.map(|v| v.to_string()).unwrap_or_default();
            match &row.summary.requests {
                Some(requests) => text.push_str(&format!(
                    ",requests,{},{},{}",
                    text_of(requests.latency_p50_s),
                    text_of(requests.latency_p99_s),
                    requests.failed
                )),
                None => text.push_str(",fluid,,,"),
            }
        }
        text.push('\n');
    }
    csv.write_all(text.as_bytes())?;

    let same_trace = check_same_trace(scenarios).is_ok();
    let title = if same_trace {
        format!("comparison: {}", load_name(first).display())
    } else {
        "comparison of runs on different traces".to_owned()
    };
    let plot = overlay_plot(
        title,
        if same_trace {
            ("run", "the same trace replayed for every run")
        } else {
            ("run", "each run replays its own trace")
        },
        bin_s,
        &results[0].binned,
        results.iter().map(|result| {
            (
                format!("{} ({})", result.row.name, result.row.kind),
                &result.binned,
            )
        }),
        !same_trace,
        common_start(scenarios),
    );
    let png = plot_file(out_dir, COMPARE_FILES[1], || render_comparison_png(&plot))?;
    let svg = plot_file(out_dir, COMPARE_FILES[2], || {
        render_comparison_svg(&plot).map(String::into_bytes)
    })?;
    let rows: Vec<ComparisonRow> = results.into_iter().map(|r| r.row).collect();
    let mut report = Pending::create(out_dir, COMPARE_FILES[3])?;
    report.write_all(compare_html(&plot, &rows).as_bytes())?;
    let files = staged.finish([csv, png, svg, report])?;
    Ok(ComparisonOutput { rows, files })
}

/// The wall-clock time of t = 0 when every scenario has the same one, in the same offset: the
/// one time axis of the overlay can read only one clock.
fn common_start(scenarios: &[Scenario]) -> Option<DateTime<FixedOffset>> {
    let first = scenarios.first()?.start?;
    scenarios
        .iter()
        .all(|scenario| {
            scenario
                .start
                .is_some_and(|start| start == first && start.offset() == first.offset())
        })
        .then_some(first)
}

/// The overlay of `runs`' instance curves, each `(label, curve)`, under the demand binned in
/// `demand`; every curve on the same bins of `bin_s` seconds.
pub(crate) fn overlay_plot<'a>(
    title: String,
    (strip_noun, demand_note): (&'static str, &'static str),
    bin_s: u64,
    demand: &BinnedSink,
    runs: impl IntoIterator<Item = (String, &'a BinnedSink)>,
    own_demand: bool,
    start: Option<DateTime<FixedOffset>>,
) -> ComparisonPlot {
    let per_covered = |total: &[f64], covered: &[u64], scale: f64| -> Vec<f64> {
        total
            .iter()
            .zip(covered)
            .map(|(&total, &covered)| {
                if covered == 0 {
                    0.0
                } else {
                    total * scale / covered as f64
                }
            })
            .collect()
    };
    ComparisonPlot {
        title,
        bin_s: bin_s as f64,
        demand_mean_per_min: per_covered(&demand.demand, &demand.covered_s, 60.0),
        demand_max_per_min: demand.demand_max_per_min.clone(),
        runs: runs
            .into_iter()
            .map(|(label, binned)| ComparisonSeries {
                // Up to the run's last bin: past it the run has no demand, not a demand of 0.
                own_demand_per_min: own_demand.then(|| {
                    let covered = binned
                        .covered_s
                        .iter()
                        .rposition(|&s| s > 0)
                        .map_or(0, |i| i + 1);
                    per_covered(
                        &binned.demand[..covered],
                        &binned.covered_s[..covered],
                        60.0,
                    )
                }),
                mean_in_service: {
                    let covered: u64 = binned.covered_s.iter().sum();
                    if covered == 0 {
                        0.0
                    } else {
                        binned.instance_seconds.iter().sum::<f64>() / covered as f64
                    }
                },
                label,
                in_service_max: uncovered_as_nan(binned.in_service_max.clone(), &binned.covered_s),
                in_service_mean: uncovered_as_nan(
                    per_covered(&binned.instance_seconds, &binned.covered_s, 1.0),
                    &binned.covered_s,
                ),
            })
            .collect(),
        strip_noun,
        demand_note,
        start,
    }
}

/// `values` with NaN in the bins no second of the run covers: past its own trace's end a run
/// has no instances, not 0 of them, and the plot and the page leave such bins blank.
fn uncovered_as_nan(mut values: Vec<f64>, covered_s: &[u64]) -> Vec<f64> {
    for (value, &covered) in values.iter_mut().zip(covered_s) {
        if covered == 0 {
            *value = f64::NAN;
        }
    }
    values
}

/// What a scenario replays, told apart from what another replays: its load, its window of
/// the trace, and the seed of synthetic load.
fn load_description(scenario: &Scenario) -> PathBuf {
    let mut text = load_name(scenario).display().to_string();
    let window = scenario.trace_window;
    if scenario.trace_path.is_some() && window != BucketWindow::ALL {
        text.push_str(&format!(", buckets from {}", window.from_bucket));
        if let Some(buckets) = window.buckets {
            text.push_str(&format!(" ({buckets} of them)"));
        }
    }
    if scenario.synthetic.is_some() {
        text.push_str(&format!(", seed {}", scenario.seed));
    }
    PathBuf::from(text)
}

/// What a scenario replays, for messages and titles: its trace's file name, or "synthetic".
fn load_name(scenario: &Scenario) -> PathBuf {
    let trace = scenario
        .trace_path
        .as_ref()
        .and_then(|path| path.file_name())
        .map(PathBuf::from);
    match (trace, &scenario.synthetic) {
        (Some(trace), None) => trace,
        (Some(trace), Some(_)) => PathBuf::from(format!("synthetic load on {}", trace.display())),
        (None, _) => PathBuf::from("synthetic load"),
    }
}

/// A CSV field, quoted when it holds a comma, a quote or a line break.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}
