//! The runner's errors, one enum per concern, each message naming the file and the line or field.
//!
//! Each message is whole: it already says what the system or the engine said, so no variant
//! also reports it as a `source`, and a chain printed with `{:#}` says nothing twice.

use std::io;
use std::path::PathBuf;

use crate::sweep::Shard;

/// Why a scenario, or a file it names, could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScenarioError {
    /// A file could not be read.
    #[error("{}: cannot read: {error}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// What the system said.
        error: io::Error,
    },
    /// The scenario file is not valid TOML or does not match the scenario format.
    #[error("{}: {location}{}", path.display(), in_words(message))]
    Toml {
        /// The scenario file.
        path: PathBuf,
        /// `line N: ` where the parser knows it, else empty.
        location: String,
        /// What the parser expected.
        message: String,
    },
    /// A field of a scenario or vendor file has a value the format or the vendor rejects.
    #[error("{}: {field}: {}", path.display(), in_words(message))]
    Field {
        /// The file.
        path: PathBuf,
        /// The field, as a path of keys (`TargetTrackingScalingPolicyConfiguration.TargetValue`).
        field: String,
        /// What was expected and what was found.
        message: String,
    },
    /// A vendor request body that is not valid JSON or lacks a required field.
    #[error("{}: {}", path.display(), in_words(message))]
    Json {
        /// The file.
        path: PathBuf,
        /// The parser's message, with the line and column.
        message: String,
    },
    /// A Huawei request body that Huawei's API would refuse, in its own error shape.
    #[error("{}: {{\"error_code\": \"{error_code}\", \"error_msg\": {}}}", path.display(), json_string(&in_words(error_msg)))]
    HuaweiApi {
        /// The request body's file.
        path: PathBuf,
        /// Huawei's error code.
        error_code: &'static str,
        /// Huawei's message.
        error_msg: String,
    },
    /// A file larger than scalesim reads.
    #[error("{}: larger than {what} may be ({max})", path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// What kind of file it is, with its article (`a vendor file`).
        what: String,
        /// The limit, in human units.
        max: String,
    },
    /// The trace could not be read.
    #[error(transparent)]
    Trace(#[from] TraceError),
}

/// The parsers' messages with Rust's type names (serde's "expected u32") said in words, since
/// the people who read them write YAML, JSON and TOML, not Rust.
pub(crate) fn in_words(message: &str) -> String {
    const TYPES: [(&str, &str); 9] = [
        ("u8", "a whole number from 0 to 255"),
        ("u16", "a whole number from 0 to 65535"),
        ("u32", "a whole number from 0 to 4294967295"),
        ("u64", "a whole number from 0"),
        ("usize", "a whole number from 0"),
        ("i32", "a whole number from -2147483648 to 2147483647"),
        ("i64", "a whole number"),
        ("f32", "a number"),
        ("f64", "a number"),
    ];
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(at) = rest.find("expected ") {
        let (before, after) = rest.split_at(at + "expected ".len());
        out.push_str(before);
        rest = after;
        let word_end = rest
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(rest.len());
        if let Some((_, words)) = TYPES.iter().find(|(name, _)| *name == &rest[..word_end]) {
            out.push_str(words);
            rest = &rest[word_end..];
        }
    }
    out.push_str(rest);
    out
}

/// `text` as a JSON string literal, quotes and escapes included.
fn json_string(text: &str) -> String {
    serde_json::Value::from(text).to_string()
}

/// Why a trace could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TraceError {
    /// The file could not be read.
    #[error("{}: cannot read: {error}", path.display())]
    Read {
        /// The trace file.
        path: PathBuf,
        /// What the system said.
        error: io::Error,
    },
    /// The header lacks a known column.
    #[error("{}: line 1: no {what} column: expected one of {expected}; found {found}", path.display())]
    MissingColumn {
        /// The trace file.
        path: PathBuf,
        /// `bucket` or `count`.
        what: &'static str,
        /// The column names accepted.
        expected: &'static str,
        /// The column names the header has.
        found: String,
    },
    /// The header has two columns that could both be the bucket or the count.
    #[error("{}: line 1: two {what} columns, {found}: keep one", path.display())]
    AmbiguousColumns {
        /// The trace file.
        path: PathBuf,
        /// `bucket` or `count`.
        what: &'static str,
        /// The columns found, quoted.
        found: String,
    },
    /// A row with a value that is not what its column holds.
    #[error("{}: line {line}: {column}: expected {expected}, got {got:?}", path.display())]
    Value {
        /// The trace file.
        path: PathBuf,
        /// Line number in the file, from 1.
        line: u64,
        /// The column.
        column: String,
        /// What the column holds.
        expected: &'static str,
        /// The text found.
        got: String,
    },
    /// A trace larger than scalesim reads.
    #[error("{message}")]
    TooLarge {
        /// The trace file.
        path: PathBuf,
        /// The message, naming the file and the limit.
        message: String,
    },
    /// A row the CSV reader could not split.
    #[error("{}: line {line}: {message}", path.display())]
    Csv {
        /// The trace file.
        path: PathBuf,
        /// Line number in the file, from 1.
        line: u64,
        /// The reader's message.
        message: String,
    },
    /// A per-request trace without a column the service-time model reads.
    #[error("{}: line 1: no column `{column}`, which the service-time model reads; found {found}", path.display())]
    MissingRequestColumn {
        /// The trace file.
        path: PathBuf,
        /// The column named by the scenario.
        column: String,
        /// The column names the header has.
        found: String,
    },
    /// A per-request trace whose arrivals go back in time.
    #[error("{}: line {line}: arrival_s: {arrival_s} is before the previous request's {previous_s}: arrivals must never decrease", path.display())]
    Backwards {
        /// The trace file.
        path: PathBuf,
        /// Line number in the file, from 1.
        line: u64,
        /// The arrival on that line.
        arrival_s: f64,
        /// The previous row's.
        previous_s: f64,
    },
    /// A trace without rows.
    #[error("{}: the trace is empty: it has a header but no rows", path.display())]
    Empty {
        /// The trace file.
        path: PathBuf,
    },
    /// A trace with timestamps or a monitoring export that cannot be replayed as it is.
    #[error("{}: {location}{message}", path.display())]
    Export {
        /// The trace file.
        path: PathBuf,
        /// Where: `line N: timestamp: `, `MetricDataResults[0].Values[3]: `, or empty when the
        /// whole trace is at fault.
        location: String,
        /// What is wrong, and what to do.
        message: String,
    },
    /// A `[load]` key that does not fit the trace.
    #[error("{}: [load] {key}: {message}", path.display())]
    Key {
        /// The trace file.
        path: PathBuf,
        /// The key: `value`, `gaps`, `series` or `statistic`.
        key: &'static str,
        /// Why it does not fit.
        message: String,
    },
    /// Buckets or a window the engine cannot turn into demand.
    #[error("{}: {location}{reason}", path.display())]
    Demand {
        /// The trace file.
        path: PathBuf,
        /// `line N: ` for a row at fault, else empty.
        location: String,
        /// What the engine rejected.
        reason: scalesim_core::BuildError,
    },
}

/// Why the results of a run could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OutputError {
    /// A file or folder could not be created or written.
    #[error("{}: cannot write: {error}", path.display())]
    Write {
        /// The file or folder.
        path: PathBuf,
        /// What the system said.
        error: io::Error,
    },
    /// The output folder (or, for `scalesim trace`, file) is not one the results may replace.
    #[error("{}: {message}", path.display())]
    Folder {
        /// The output folder or file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// The scenario's run could not be built (its fields were changed after loading).
    #[error("{}: cannot run: {reason}", path.display())]
    Build {
        /// The scenario file.
        path: PathBuf,
        /// What the engine rejected.
        reason: scalesim_core::BuildError,
    },
    /// A figure of the summary came out infinite or NaN, which the input limits should prevent.
    #[error(
        "{}: cannot write summary.json: {figure} is not a finite number; the input limits should \
         prevent this, so please report it with the scenario",
        path.display()
    )]
    NotFinite {
        /// The scenario file.
        path: PathBuf,
        /// The figure, as its key path in summary.json.
        figure: String,
    },
    /// A plot could not be drawn.
    #[error("{}: cannot draw the plot: {message}", path.display())]
    Plot {
        /// The plot file.
        path: PathBuf,
        /// What the plotting library said.
        message: String,
    },
}

/// Why a comparison could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CompareError {
    /// No scenario was given.
    #[error("compare needs at least one scenario")]
    NoScenario,
    /// More scenarios than one plot can tell apart.
    #[error("compare takes at most {max} scenarios, got {given}: split them into groups")]
    TooManyScenarios {
        /// Scenarios given.
        given: usize,
        /// The most a comparison takes.
        max: usize,
    },
    /// Two scenarios replay different traces or windows.
    #[error(
        "{}: load.trace: replays {}, but {} replays {}; compare runs \
         policies on the same traffic: pass --allow-different-traces to compare them anyway",
        path.display(), trace.display(), first_path.display(), first_trace.display()
    )]
    DifferentTraces {
        /// The scenario that differs.
        path: PathBuf,
        /// Its trace.
        trace: PathBuf,
        /// The first scenario.
        first_path: PathBuf,
        /// Its trace.
        first_trace: PathBuf,
    },
    /// The results could not be written.
    #[error(transparent)]
    Output(#[from] OutputError),
}

/// A reason shards cannot be merged, naming the folder or file at fault and what was expected.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ShardProblem {
    /// A manifest that cannot be read, or that is not a manifest.
    #[error(transparent)]
    Manifest(ScenarioError),
    /// A manifest of another format than this scalesim writes.
    #[error(
        "{}: manifest format {found}{}, and this scalesim merges format {expected}: re-run that \
         shard with this scalesim",
        path.display(),
        if found < expected { " (an earlier scalesim's)" } else { "" }
    )]
    ManifestFormat {
        /// The manifest.
        path: PathBuf,
        /// Its `format`; 1 if it has none, as format 1 had no such field.
        found: u64,
        /// The format this scalesim reads.
        expected: u64,
    },
    /// An input whose bytes differ from those some shards were computed from.
    #[error(
        "{}: changed since {} computed: re-run {} with the file as it is now, or restore it",
        input.display(), shard_list(shards), if shards.len() == 1 { "it" } else { "them" }
    )]
    InputChanged {
        /// The input, as merge reads it.
        input: PathBuf,
        /// The shards computed from another version of it.
        shards: Vec<ShardFolder>,
    },
    /// An input that some shards were computed without (the sweep file named other files).
    #[error(
        "{}: not an input when {} computed: re-run {} with the sweep file as it is now",
        input.display(), shard_list(shards), if shards.len() == 1 { "it" } else { "them" }
    )]
    InputAbsent {
        /// The input, as merge reads it.
        input: PathBuf,
        /// The shards whose manifest does not list it.
        shards: Vec<ShardFolder>,
    },
    /// A shard of a split into another number of shards than most shards given.
    #[error(
        "{}: shard {shard} is from another split: expected I/{expected}, as {agreeing} of the \
         {given} shards given are{}",
        dir.display(),
        if *tie { " (a tie, settled for the larger number of shards)" } else { "" }
    )]
    OtherSplit {
        /// The shard's folder.
        dir: PathBuf,
        /// The shard, as its manifest numbers it.
        shard: Shard,
        /// The number of shards most shards given agree on.
        expected: u64,
        /// How many shards given agree on it.
        agreeing: usize,
        /// How many shards were given (with a readable manifest).
        given: usize,
        /// Whether another number of shards was as common.
        tie: bool,
    },
    /// The same shard in several folders.
    #[error(
        "shard {shard} is given {}: {}",
        match dirs.len() { 2 => "twice".to_owned(), n => format!("{n} times") },
        and_list(dirs.iter().map(|dir| dir.display().to_string()))
    )]
    GivenTwice {
        /// The shard.
        shard: Shard,
        /// The folders holding it.
        dirs: Vec<PathBuf>,
    },
    /// Shards of the split that no folder given holds.
    #[error(
        "{}: give every shard of the split once",
        counted("shard", shards.iter().map(ToString::to_string), *more, "missing")
    )]
    Missing {
        /// The shards missing, in order, the first few.
        shards: Vec<Shard>,
        /// Shards missing beyond those listed.
        more: u64,
    },
    /// A `results.csv` whose bytes are not those its manifest fingerprints.
    #[error(
        "{}: changed since the shard was written: {}",
        path.display(),
        if rows == recorded_rows {
            "its SHA-256 is not the one shard.json holds".to_owned()
        } else {
            let noun = if *rows == 1 { "row" } else { "rows" };
            format!("{rows} {noun}, shard.json says {recorded_rows}")
        }
    )]
    ResultsChanged {
        /// The results file.
        path: PathBuf,
        /// Its rows now.
        rows: u64,
        /// Its rows when the shard was written.
        recorded_rows: u64,
    },
    /// A `results.csv` whose header is not the sweep's.
    #[error("{}: line 1: expected the header {expected:?}, got {got:?}", path.display())]
    Header {
        /// The results file.
        path: PathBuf,
        /// The sweep's header.
        expected: String,
        /// The file's.
        got: String,
    },
    /// A row that does not start with a run number.
    #[error("{}: line {line}: expected a run number first, got {got:?}", path.display())]
    RowWithoutRun {
        /// The results file.
        path: PathBuf,
        /// The line, from 1 (the header).
        line: u64,
        /// The row.
        got: String,
    },
    /// A row whose run number is not one of the sweep's runs.
    #[error("{}: line {line}: run {run} is outside the sweep, whose runs are 0 to {}", path.display(), runs.saturating_sub(1))]
    RowOutsideSweep {
        /// The results file.
        path: PathBuf,
        /// The line, from 1 (the header).
        line: u64,
        /// The row's run number.
        run: u64,
        /// Runs in the sweep.
        runs: u64,
    },
    /// A row of a run that another shard runs.
    #[error("{}: line {line}: run {run} belongs to shard {belongs}, not to this shard {shard}", path.display())]
    RowOfOtherShard {
        /// The results file.
        path: PathBuf,
        /// The line, from 1 (the header).
        line: u64,
        /// The row's run number.
        run: u64,
        /// The shard that runs it.
        belongs: Shard,
        /// The shard whose file holds it.
        shard: Shard,
    },
    /// A row of a run already given in the same file.
    #[error("{}: line {line}: run {run} is repeated (first on line {first_line})", path.display())]
    RowRepeated {
        /// The results file.
        path: PathBuf,
        /// The line, from 1 (the header).
        line: u64,
        /// The row's run number.
        run: u64,
        /// The line of its first row.
        first_line: u64,
    },
    /// Runs of the shard without a row.
    #[error(
        "{}: {}: expected a row for every run of shard {shard}",
        path.display(),
        counted("run", runs.iter().map(ToString::to_string), *more, "missing")
    )]
    RunsMissing {
        /// The results file.
        path: PathBuf,
        /// The shard.
        shard: Shard,
        /// The runs without a row, in order, the first few.
        runs: Vec<u64>,
        /// Runs without a row beyond those listed.
        more: u64,
    },
    /// More lines at fault in one file than are worth listing.
    #[error("{}: {count} more lines at fault", path.display())]
    MoreRows {
        /// The results file.
        path: PathBuf,
        /// Lines at fault beyond those listed.
        count: u64,
    },
    /// No folder given.
    #[error("no shard given: name the shards' folders")]
    NoShard,
}

/// A shard as merge names it: its number and its folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShardFolder {
    /// The shard, as its manifest numbers it.
    pub shard: Shard,
    /// Its folder.
    pub dir: PathBuf,
}

/// `shard 1/3 (a) was` or `shards 1/3 (a) and 2/3 (b) were`.
fn shard_list(shards: &[ShardFolder]) -> String {
    let (noun, verb) = if shards.len() == 1 {
        ("shard", "was")
    } else {
        ("shards", "were")
    };
    let named = shards
        .iter()
        .map(|folder| format!("{} ({})", folder.shard, folder.dir.display()));
    format!("{noun} {} {verb}", and_list(named))
}

/// `shard 2/3 is missing`, `shards 2/16 and 5/16 are missing`, `shards 1/99, 2/99 and 90 more
/// are missing`.
fn counted(noun: &str, listed: impl IntoIterator<Item = String>, more: u64, state: &str) -> String {
    let mut items: Vec<String> = listed.into_iter().collect();
    let one = items.len() == 1 && more == 0;
    if more > 0 {
        items.push(format!("{more} more"));
    }
    let (plural, verb) = if one { ("", "is") } else { ("s", "are") };
    format!("{noun}{plural} {} {verb} {state}", and_list(items))
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(items: impl IntoIterator<Item = String>) -> String {
    let items: Vec<String> = items.into_iter().collect();
    match items.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

/// One problem as it is; several, counted, one a line.
fn problem_list(problems: &[ShardProblem]) -> String {
    match problems {
        [problem] => problem.to_string(),
        _ => {
            let mut text = format!("{} problems with the shards given:", problems.len());
            for problem in problems {
                text.push_str("\n  ");
                text.push_str(&problem.to_string());
            }
            text
        }
    }
}

/// Why a sweep or a merge of its shards could not be completed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SweepError {
    /// Shards that cannot be merged: every problem found, whatever the order they were given in.
    #[error("{}", problem_list(problems))]
    Shards {
        /// The problems, in the order: manifests, inputs, split, shards given twice or missing,
        /// then each shard's results.
        problems: Vec<ShardProblem>,
    },
    /// A shard spec that is not I/N with 1 ≤ I ≤ N.
    #[error("--shard {given}: expected I/N with 1 <= I <= N, such as 3/8")]
    ShardSpec {
        /// What was given.
        given: String,
    },
    /// The sweep file or a shard could not be read.
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// The results could not be written.
    #[error(transparent)]
    Output(#[from] OutputError),
}

#[cfg(test)]
mod tests {
    use super::in_words;

    #[test]
    fn rust_type_names_in_parser_messages_are_said_in_words() {
        assert_eq!(
            in_words("line 12: invalid value: integer -1, expected u32"),
            "line 12: invalid value: integer -1, expected a whole number from 0 to 4294967295"
        );
        assert_eq!(
            in_words("invalid type: string \"60\", expected f64 at line 3 column 9"),
            "invalid type: string \"60\", expected a number at line 3 column 9"
        );
        // Only a whole type name after "expected" changes.
        assert_eq!(
            in_words("expected u32x, expected one of `a`, `b`; expected i32"),
            "expected u32x, expected one of `a`, `b`; expected a whole number from -2147483648 \
             to 2147483647"
        );
    }
}
