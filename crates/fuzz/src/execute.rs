//! Runs a case through the library calls the `scalesim` command line makes, and checks what
//! came out against the oracles: a refused input leaves no output and says why; an accepted one
//! writes every file it reports, with finite figures that agree with the trace.
//!
//! Panics, hangs and allocation aborts are the supervisor's to catch (see [`crate::supervise`]);
//! this module only sees inputs that return.

use std::fmt;
use std::path::{Path, PathBuf};

use scalesim_core::{BucketWindow, Summary};
use scalesim_runner::{
    Scenario, Shard, Sweep, merge_shards, read_trace, write_run, write_sweep, write_trace,
};

use crate::generate::{Action, Case, KnownTrace};

/// What went wrong with a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FailureClass {
    /// The library panicked.
    Panic,
    /// Live allocations would have passed the harness's limit (4 GiB).
    AllocationLimit,
    /// The system refused an allocation (`memory allocation of N bytes failed`).
    AllocationFailed,
    /// A thread overflowed its stack.
    StackOverflow,
    /// The worker died some other way: a signal or an exit.
    Crash,
    /// The case ran past the time limit.
    Timeout,
    /// A refused input left its output folder (or file) behind.
    LeftoverOutput,
    /// An error whose message is empty.
    EmptyError,
    /// `null`, `NaN` or `inf` where a figure belongs.
    NonFiniteFigure,
    /// A file the run reported is missing or empty, or an output is not what its format says.
    BadOutput,
    /// Figures that disagree with the input: totals or steps other than the trace's, a written
    /// trace that does not read back, shards that do not merge.
    WrongResult,
    /// A sweep run in shards and merged differs from the same sweep run whole.
    ShardMismatch,
    /// The harness could not set the case up (such as a full disk); not the library's fault.
    Harness,
}

impl FailureClass {
    /// Every class, in report order.
    pub const ALL: [FailureClass; 13] = [
        FailureClass::Panic,
        FailureClass::AllocationLimit,
        FailureClass::AllocationFailed,
        FailureClass::StackOverflow,
        FailureClass::Crash,
        FailureClass::Timeout,
        FailureClass::LeftoverOutput,
        FailureClass::EmptyError,
        FailureClass::NonFiniteFigure,
        FailureClass::BadOutput,
        FailureClass::WrongResult,
        FailureClass::ShardMismatch,
        FailureClass::Harness,
    ];

    /// The class's name in reports and in the worker's messages.
    pub fn name(self) -> &'static str {
        match self {
            FailureClass::Panic => "panic",
            FailureClass::AllocationLimit => "allocation-limit",
            FailureClass::AllocationFailed => "allocation-failed",
            FailureClass::StackOverflow => "stack-overflow",
            FailureClass::Crash => "crash",
            FailureClass::Timeout => "timeout",
            FailureClass::LeftoverOutput => "leftover-output",
            FailureClass::EmptyError => "empty-error",
            FailureClass::NonFiniteFigure => "non-finite-figure",
            FailureClass::BadOutput => "bad-output",
            FailureClass::WrongResult => "wrong-result",
            FailureClass::ShardMismatch => "shard-mismatch",
            FailureClass::Harness => "harness",
        }
    }

    /// The class named `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|class| class.name() == name)
    }
}

impl fmt::Display for FailureClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A failed oracle: its class and what was seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The class.
    pub class: FailureClass,
    /// What was seen, in one or a few lines.
    pub detail: String,
}

impl Failure {
    fn new(class: FailureClass, detail: impl Into<String>) -> Self {
        Self {
            class,
            detail: detail.into(),
        }
    }
}

/// How a case that passed every oracle went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The library took the input and wrote its output.
    Accepted,
    /// The library refused the input, as it should when it says why and writes nothing; the
    /// refusal's message.
    Refused(String),
}

impl Verdict {
    /// `accepted` or `refused`.
    pub fn name(&self) -> &'static str {
        match self {
            Verdict::Accepted => "accepted",
            Verdict::Refused(_) => "refused",
        }
    }
}

/// Writes the case's files into `dir` (an empty folder) and runs its action there.
pub fn run_case(case: &Case, dir: &Path) -> Result<Verdict, Failure> {
    for file in &case.files {
        let path = dir.join(&file.path);
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&path, &file.bytes));
        if let Err(err) = written {
            return Err(Failure::new(
                FailureClass::Harness,
                format!("cannot write {}: {err}", path.display()),
            ));
        }
    }
    let result = match &case.action {
        Action::Run {
            scenario,
            trace_replica,
        } => run_scenario(&dir.join(scenario), dir, *trace_replica),
        Action::Sweep { file, shards } => run_sweep(&dir.join(file), dir, *shards),
        Action::ReadTrace {
            file,
            window,
            step_s,
            drawn,
        } => read_trace_alone(&dir.join(file), *window, *step_s, drawn.as_ref()),
    };
    // Messages name files relative to the case's folder, as in the saved case, so that the
    // same failure reads the same in every case.
    let folder = format!("{}/", dir.display());
    match result {
        Ok(Verdict::Refused(message)) => Ok(Verdict::Refused(message.replace(&folder, ""))),
        Err(failure) => Err(Failure {
            detail: failure.detail.replace(&folder, ""),
            ..failure
        }),
        accepted => accepted,
    }
}

/// Policy-steps (replicas or sweep runs × steps, session starts counted as steps) past which
/// an accepted input is validated but not run. Its time is then the documented throughput of the engine (a few million
/// policy-steps a second for the slowest autoscaler), linear in its size, not a hang: running
/// it would only measure speed against the 20 s limit.
const WORK_BUDGET: u64 = 20_000_000;

/// The engine's work for one run of `scenario`: a step each, and for session workloads and
/// request-level runs one placement (or dispatch) and one drawn length for every arrival too.
fn work_per_run(scenario: &Scenario) -> u64 {
    let steps = scenario.demand.steps() as u64;
    if scenario.autoscaler.serves_sessions() || scenario.requests.is_some() {
        let starts: f64 = scenario.demand.as_slice().iter().sum();
        steps.saturating_add(starts as u64)
    } else {
        steps
    }
}

/// `scalesim run`, then `scalesim trace` if asked.
fn run_scenario(path: &Path, dir: &Path, trace_replica: Option<u64>) -> Result<Verdict, Failure> {
    let out = dir.join("out");
    let scenario = match Scenario::load(path) {
        Ok(scenario) => scenario,
        Err(err) => return refused("Scenario::load", &err, &[&out]),
    };
    // `scalesim run` refuses a sweep file before it writes anything.
    if scenario.is_sweep {
        return Ok(Verdict::Refused(
            "a sweep file, which `scalesim run` refuses".to_owned(),
        ));
    }
    if u64::from(scenario.runs) * work_per_run(&scenario) > WORK_BUDGET {
        return Ok(Verdict::Accepted);
    }
    match write_run(&scenario, &out) {
        Err(err) => return refused("write_run", &err, &[&out]),
        Ok(output) => {
            check_files("write_run", &output.files)?;
            check_json_figures(&out.join("summary.json"))?;
            check_against_trace(&scenario, &output.summary)?;
        }
    }
    if let Some(replica) = trace_replica {
        // `scalesim trace` refuses these replicas before it writes anything.
        let drawn = replica == 0 || scenario.synthetic.is_some();
        if replica < u64::from(scenario.runs) && drawn {
            let trace_dir = dir.join("trace-out");
            let trace_file = trace_dir.join("drawn.csv");
            match write_trace(&scenario, replica, &trace_file) {
                Err(err) => {
                    refused("write_trace", &err, &[&trace_dir])?;
                }
                Ok(()) => check_written_trace(&scenario, replica, &trace_file)?,
            }
        }
    }
    Ok(Verdict::Accepted)
}

/// `scalesim sweep`; with shards, also each `--shard I/N`, `scalesim merge`, and a comparison
/// of the merged results with the whole run's.
fn run_sweep(path: &Path, dir: &Path, shards: Option<u64>) -> Result<Verdict, Failure> {
    let out = dir.join("out");
    let sweep = match Sweep::load(path) {
        Ok(sweep) => sweep,
        Err(err) => return refused("Sweep::load", &err, &[&out]),
    };
    let work = sweep.runs() * sweep.bases.iter().map(work_per_run).sum::<u64>();
    if work > WORK_BUDGET {
        return Ok(Verdict::Accepted);
    }
    let rows = match sweep.run(Shard::WHOLE, &|| {}) {
        Ok(rows) => rows,
        Err(err) => return refused("Sweep::run", &err, &[&out]),
    };
    let files = match write_sweep(&sweep, &rows, None, &out) {
        Ok(files) => files,
        Err(err) => return refused("write_sweep", &err, &[&out]),
    };
    check_files("write_sweep", &files.files)?;
    let whole = check_results_csv(&out.join("results.csv"), sweep.runs())?;
    let Some(shards) = shards else {
        return Ok(Verdict::Accepted);
    };
    let mut shard_dirs = Vec::new();
    for number in 1..=shards {
        let shard_dir = dir.join(format!("shard-{number}"));
        let Some(shard) = Shard::new(number, shards) else {
            continue;
        };
        let rows = match sweep.run(shard, &|| {}) {
            Ok(rows) => rows,
            Err(err) => return refused("Sweep::run (shard)", &err, &[&shard_dir]),
        };
        match write_sweep(&sweep, &rows, Some(shard), &shard_dir) {
            Ok(written) => check_files("write_sweep (shard)", &written.files)?,
            Err(err) => return refused("write_sweep (shard)", &err, &[&shard_dir]),
        }
        shard_dirs.push(shard_dir);
    }
    let merged = merge_shards(&sweep, &shard_dirs).map_err(|err| {
        Failure::new(
            FailureClass::WrongResult,
            format!("merge_shards refused the {shards} shards just written: {err}"),
        )
    })?;
    let merged_dir = dir.join("merged");
    let files = match write_sweep(&sweep, &merged, None, &merged_dir) {
        Ok(files) => files,
        Err(err) => return refused("write_sweep (merged)", &err, &[&merged_dir]),
    };
    check_files("write_sweep (merged)", &files.files)?;
    let merged_text = read_text(&merged_dir.join("results.csv"))?;
    if merged_text != whole {
        return Err(Failure::new(
            FailureClass::ShardMismatch,
            format!(
                "results.csv of {shards} merged shards differs from the whole sweep's: {}",
                first_difference(&whole, &merged_text)
            ),
        ));
    }
    Ok(Verdict::Accepted)
}

/// `read_trace` on its own: an error says something; demand is non-empty, finite, and adds up
/// to the trace's counts in the window: those `drawn` (a valid export's), else those the
/// harness reads in the file.
fn read_trace_alone(
    path: &Path,
    window: BucketWindow,
    step_s: u64,
    drawn: Option<&KnownTrace>,
) -> Result<Verdict, Failure> {
    let demand = match read_trace(path, window, step_s) {
        Ok(demand) => demand,
        Err(err) => return refused("read_trace", &err, &[]),
    };
    let per_step = demand.as_slice();
    if per_step.is_empty() {
        return Err(Failure::new(
            FailureClass::WrongResult,
            "read_trace returned demand of 0 steps",
        ));
    }
    if let Some((step, value)) = per_step
        .iter()
        .enumerate()
        .find(|(_, value)| !(value.is_finite() && **value >= 0.0))
    {
        return Err(Failure::new(
            FailureClass::NonFiniteFigure,
            format!("read_trace: step {step} has demand {value}"),
        ));
    }
    let total: f64 = per_step.iter().sum();
    let known = drawn.cloned().or_else(|| plain_trace(path));
    if let Some(known) = known {
        compare_with_trace(
            &known,
            window,
            step_s,
            per_step.len() as u64,
            total,
            "read_trace",
        )?;
    }
    Ok(Verdict::Accepted)
}

/// The oracle of a refused input: a message, and nothing left in `outputs`.
fn refused(call: &str, err: &dyn std::error::Error, outputs: &[&Path]) -> Result<Verdict, Failure> {
    let message = err.to_string();
    if message.trim().is_empty() {
        return Err(Failure::new(
            FailureClass::EmptyError,
            format!("{call} returned an error with an empty message: {err:?}"),
        ));
    }
    for output in outputs {
        if output.exists() {
            let contents: Vec<String> = std::fs::read_dir(output)
                .map(|entries| {
                    entries
                        .filter_map(Result::ok)
                        .map(|entry| entry.file_name().to_string_lossy().into_owned())
                        .collect()
                })
                .unwrap_or_default();
            return Err(Failure::new(
                FailureClass::LeftoverOutput,
                format!(
                    "{call} refused the input but left {:?} behind ({}); the error: {message}",
                    output.display().to_string(),
                    if contents.is_empty() {
                        "an empty folder".to_owned()
                    } else {
                        contents.join(", ")
                    }
                ),
            ));
        }
    }
    Ok(Verdict::Refused(format!("{call}: {message}")))
}

/// Every reported file exists and is not empty.
fn check_files(call: &str, files: &[PathBuf]) -> Result<(), Failure> {
    for file in files {
        let size = std::fs::metadata(file).map(|meta| meta.len());
        match size {
            Ok(size) if size > 0 => {}
            Ok(_) => {
                return Err(Failure::new(
                    FailureClass::BadOutput,
                    format!("{call} reported {} but it is empty", file.display()),
                ));
            }
            Err(err) => {
                return Err(Failure::new(
                    FailureClass::BadOutput,
                    format!(
                        "{call} reported {} but it is missing: {err}",
                        file.display()
                    ),
                ));
            }
        }
    }
    Ok(())
}

fn read_text(path: &Path) -> Result<String, Failure> {
    std::fs::read_to_string(path).map_err(|err| {
        Failure::new(
            FailureClass::BadOutput,
            format!("cannot read {}: {err}", path.display()),
        )
    })
}

/// `summary.json` parses and holds no `null` (serde_json writes NaN and infinity as `null`).
fn check_json_figures(path: &Path) -> Result<(), Failure> {
    let text = read_text(path)?;
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|err| {
        Failure::new(
            FailureClass::BadOutput,
            format!("{} is not JSON: {err}", path.display()),
        )
    })?;
    let mut nulls = Vec::new();
    find_nulls(&value, String::new(), &mut nulls);
    if nulls.is_empty() {
        Ok(())
    } else {
        Err(Failure::new(
            FailureClass::NonFiniteFigure,
            format!(
                "{} has null (NaN or infinite) figures: {}",
                path.file_name()
                    .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
                nulls.join(", ")
            ),
        ))
    }
}

fn find_nulls(value: &serde_json::Value, at: String, nulls: &mut Vec<String>) {
    match value {
        serde_json::Value::Null => nulls.push(at),
        serde_json::Value::Object(map) => {
            for (key, item) in map {
                let path = if at.is_empty() {
                    key.clone()
                } else {
                    format!("{at}.{key}")
                };
                find_nulls(item, path, nulls);
            }
        }
        serde_json::Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                find_nulls(item, format!("{at}[{index}]"), nulls);
            }
        }
        _ => {}
    }
}

/// `results.csv` has one row per run and no `NaN`, `inf` or `null` cell; returns its text.
fn check_results_csv(path: &Path, runs: u64) -> Result<String, Failure> {
    let text = read_text(path)?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
    let mut rows = 0u64;
    for line in lines {
        rows += 1;
        for (column, cell) in line.split(',').enumerate() {
            let lower = cell.trim().to_ascii_lowercase();
            if [
                "nan",
                "inf",
                "-inf",
                "+inf",
                "infinity",
                "-infinity",
                "null",
            ]
            .contains(&lower.as_str())
            {
                return Err(Failure::new(
                    FailureClass::NonFiniteFigure,
                    format!(
                        "results.csv row {rows}: {} = {cell}",
                        header.get(column).unwrap_or(&"?")
                    ),
                ));
            }
        }
    }
    if rows != runs {
        return Err(Failure::new(
            FailureClass::BadOutput,
            format!("results.csv has {rows} rows for a sweep of {runs} runs"),
        ));
    }
    Ok(text)
}

/// A run replaying a trace (no synthetic load) must replay every step of its window and
/// exactly the trace's arrivals in it.
fn check_against_trace(scenario: &Scenario, summary: &Summary) -> Result<(), Failure> {
    let Some(trace_path) = &scenario.trace_path else {
        return Ok(());
    };
    // Synthetic load draws its demand; a request-level run counts the requests it placed,
    // a bucket's fraction rounded at random.
    if scenario.synthetic.is_some() || scenario.requests.is_some() {
        return Ok(());
    }
    let Some(known) = plain_trace(trace_path) else {
        return Ok(());
    };
    compare_with_trace(
        &known,
        scenario.trace_window,
        scenario.demand.step_s(),
        summary.steps,
        summary.demand_total,
        "write_run (summary)",
    )
}

/// `steps` of `step_s` and a demand `total` read from `trace`'s `window` agree with its buckets.
fn compare_with_trace(
    trace: &KnownTrace,
    window: BucketWindow,
    step_s: u64,
    steps: u64,
    total: f64,
    call: &str,
) -> Result<(), Failure> {
    let Some(last) = trace.rows.last().map(|(index, _)| *index) else {
        return Ok(());
    };
    let from = u128::from(window.from_bucket);
    let end = match window.buckets {
        Some(count) => from + u128::from(count),
        None => u128::from(last) + 1,
    };
    let expected_total: f64 = trace
        .rows
        .iter()
        .filter(|(index, _)| (from..end).contains(&u128::from(*index)))
        .map(|(_, count)| count)
        .sum();
    let span_s = end.saturating_sub(from) * u128::from(trace.bucket_s);
    let expected_steps = span_s.div_ceil(u128::from(step_s.max(1)));
    if u128::from(steps) != expected_steps {
        return Err(Failure::new(
            FailureClass::WrongResult,
            format!(
                "{call}: {steps} steps, but the trace's window (buckets {from}..{end} of {} s, \
                 last bucket {last}) spans {expected_steps} steps of {step_s} s",
                trace.bucket_s
            ),
        ));
    }
    let tolerance = 1e-9 * expected_total.abs().max(1.0);
    if expected_total.is_finite() && (total - expected_total).abs() > tolerance {
        return Err(Failure::new(
            FailureClass::WrongResult,
            format!(
                "{call}: demand total {total}, but the trace's counts in the window add up to \
                 {expected_total}"
            ),
        ));
    }
    Ok(())
}

/// The trace CSV at `path` as the harness reads it: a header naming a bucket and a count
/// column, then rows of plain numbers; `None` for anything else (quotes, odd rows, an export),
/// which the real reader judges alone.
fn plain_trace(path: &Path) -> Option<KnownTrace> {
    let text = std::fs::read_to_string(path).ok()?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next()?.split(',').map(str::trim).collect();
    let bucket_columns = [("minute", 60), ("second", 1), ("t_s", 1)];
    let buckets: Vec<(usize, u64)> = bucket_columns
        .iter()
        .filter_map(|(name, seconds)| header.iter().position(|h| h == name).map(|c| (c, *seconds)))
        .collect();
    let counts: Vec<usize> = ["requests", "invocations", "sessions"]
        .iter()
        .filter_map(|name| header.iter().position(|h| h == name))
        .collect();
    let ([(bucket_column, bucket_s)], [count_column]) = (buckets.as_slice(), counts.as_slice())
    else {
        return None;
    };
    let mut rows = Vec::new();
    for line in lines {
        let cells: Vec<&str> = line.split(',').map(str::trim).collect();
        if cells.len() != header.len() || line.contains('"') {
            return None;
        }
        let index: u64 = cells.get(*bucket_column)?.parse().ok()?;
        let count: f64 = cells.get(*count_column)?.parse().ok()?;
        rows.push((index, count));
    }
    Some(KnownTrace {
        bucket_s: *bucket_s,
        rows,
    })
}

/// The trace `scalesim trace` wrote reads back, as the README promises, as the run's demand.
fn check_written_trace(scenario: &Scenario, replica: u64, path: &Path) -> Result<(), Failure> {
    check_files("write_trace", &[path.to_owned()])?;
    if replica != 0 {
        return Ok(());
    }
    let step_s = scenario.demand.step_s();
    let read_back = read_trace(path, BucketWindow::ALL, step_s).map_err(|err| {
        Failure::new(
            FailureClass::WrongResult,
            format!("the trace write_trace wrote does not read back: {err}"),
        )
    })?;
    if read_back.as_slice() != scenario.demand.as_slice() {
        let first = read_back
            .as_slice()
            .iter()
            .zip(scenario.demand.as_slice())
            .position(|(a, b)| a != b);
        return Err(Failure::new(
            FailureClass::WrongResult,
            format!(
                "the trace write_trace wrote reads back as {} steps, the run replayed {}; first \
                 differing step {first:?}",
                read_back.steps(),
                scenario.demand.steps()
            ),
        ));
    }
    Ok(())
}

fn first_difference(a: &str, b: &str) -> String {
    a.lines()
        .zip(b.lines())
        .enumerate()
        .find(|(_, (x, y))| x != y)
        .map_or_else(
            || format!("{} lines against {}", a.lines().count(), b.lines().count()),
            |(line, (x, y))| format!("line {}: {x:?} against {y:?}", line + 1),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(message: &str) -> std::io::Error {
        std::io::Error::other(message.to_owned())
    }

    #[test]
    fn a_refusal_must_say_why_and_leave_no_output() {
        let dir = tempfile::TempDir::new().unwrap();
        let out = dir.path().join("out");
        assert_eq!(
            refused("write_run", &error("bad"), &[&out]),
            Ok(Verdict::Refused("write_run: bad".to_owned()))
        );
        let silent = refused("write_run", &error(" "), &[&out]).unwrap_err();
        assert_eq!(silent.class, FailureClass::EmptyError);
        std::fs::create_dir(&out).unwrap();
        let left = refused("write_run", &error("bad"), &[&out]).unwrap_err();
        assert_eq!(left.class, FailureClass::LeftoverOutput);
        assert!(left.detail.contains("an empty folder"), "{}", left.detail);
    }

    #[test]
    fn null_figures_are_named_by_their_path() {
        let dir = tempfile::TempDir::new().unwrap();
        let summary = dir.path().join("summary.json");
        std::fs::write(
            &summary,
            r#"{"steps": 2, "replicas": {"cost": {"mean": null}}}"#,
        )
        .unwrap();
        let failure = check_json_figures(&summary).unwrap_err();
        assert_eq!(failure.class, FailureClass::NonFiniteFigure);
        assert!(
            failure.detail.ends_with("replicas.cost.mean"),
            "{}",
            failure.detail
        );
        std::fs::write(&summary, r#"{"steps": 2, "cost": 1.5}"#).unwrap();
        assert_eq!(check_json_figures(&summary), Ok(()));
    }

    #[test]
    fn results_need_one_finite_row_per_run() {
        let dir = tempfile::TempDir::new().unwrap();
        let results = dir.path().join("results.csv");
        std::fs::write(&results, "run,cost\n0,1.5\n1,\n").unwrap();
        assert!(check_results_csv(&results, 2).is_ok());
        assert_eq!(
            check_results_csv(&results, 3).unwrap_err().class,
            FailureClass::BadOutput
        );
        std::fs::write(&results, "run,cost\n0,inf\n").unwrap();
        let failure = check_results_csv(&results, 1).unwrap_err();
        assert_eq!(failure.detail, "results.csv row 1: cost = inf");
    }

    #[test]
    fn demand_must_cover_the_window_and_add_up_to_its_counts() {
        let dir = tempfile::TempDir::new().unwrap();
        let path = dir.path().join("trace.csv");
        // Minutes 0, 1 and 3 in 30 s steps: 4 minutes are 8 steps holding 10 + 20 + 5.
        std::fs::write(&path, "minute,requests\n0,10\n1,20\n3,5\n").unwrap();
        let trace = plain_trace(&path).unwrap();
        assert_eq!(trace.rows, [(0, 10.0), (1, 20.0), (3, 5.0)]);
        let all = BucketWindow::ALL;
        assert_eq!(compare_with_trace(&trace, all, 30, 8, 35.0, "t"), Ok(()));
        let steps = compare_with_trace(&trace, all, 30, 1, 35.0, "t").unwrap_err();
        assert_eq!(steps.class, FailureClass::WrongResult);
        let total = compare_with_trace(&trace, all, 30, 8, 30.0, "t").unwrap_err();
        assert_eq!(total.class, FailureClass::WrongResult);
        let window = BucketWindow {
            from_bucket: 1,
            buckets: Some(2),
        };
        assert_eq!(compare_with_trace(&trace, window, 60, 2, 20.0, "t"), Ok(()));
        // Quoted fields are the real reader's to judge: no verdict from the plain one.
        std::fs::write(&path, "minute,requests\n0,\"10\"\n").unwrap();
        assert_eq!(plain_trace(&path), None);
        // Nor from an export, whose buckets the generator gives.
        std::fs::write(&path, "{\"Label\": \"x\", \"Datapoints\": []}").unwrap();
        assert_eq!(plain_trace(&path), None);
    }
}
