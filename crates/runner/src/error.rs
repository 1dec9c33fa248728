//! The runner's errors, one enum per concern, each message naming the file and the line or field.
//!
//! Each message is whole: it already says what the system or the engine said, so no variant
//! also reports it as a `source`, and a chain printed with `{:#}` says nothing twice.

use std::io;
use std::path::PathBuf;

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
    #[error("{}: {location}{message}", path.display())]
    Toml {
        /// The scenario file.
        path: PathBuf,
        /// `line N: ` where the parser knows it, else empty.
        location: String,
        /// What the parser expected.
        message: String,
    },
    /// A field of a scenario or vendor file has a value the format or the vendor rejects.
    #[error("{}: {field}: {message}", path.display())]
    Field {
        /// The file.
        path: PathBuf,
        /// The field, as a path of keys (`TargetTrackingScalingPolicyConfiguration.TargetValue`).
        field: String,
        /// What was expected and what was found.
        message: String,
    },
    /// A vendor request body that is not valid JSON or lacks a required field.
    #[error("{}: {message}", path.display())]
    Json {
        /// The file.
        path: PathBuf,
        /// The parser's message, with the line and column.
        message: String,
    },
    /// A Huawei request body that Huawei's API would refuse, in its own error shape.
    #[error("{}: {{\"error_code\": \"{error_code}\", \"error_msg\": {}}}", path.display(), json_string(error_msg))]
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
    /// A trace without rows.
    #[error("{}: the trace is empty: it has a header but no rows", path.display())]
    Empty {
        /// The trace file.
        path: PathBuf,
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
    /// The output folder is not one the results may replace.
    #[error("{}: {message}", path.display())]
    Folder {
        /// The output folder.
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
        "{}: load.trace: replays {} (or another window of it), but {} replays {}; compare runs \
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

/// Why a sweep or a merge of its shards could not be completed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SweepError {
    /// A shard of another sweep (another file, or the same file since changed).
    #[error("{}: this shard comes from another sweep than {} (or from an earlier version of it)", path.display(), sweep.display())]
    ForeignShard {
        /// The shard's manifest.
        path: PathBuf,
        /// The sweep file given.
        sweep: PathBuf,
    },
    /// Shards that do not make up the whole sweep exactly once.
    #[error("{message}")]
    ShardSet {
        /// Which shard is missing, repeated or of another split.
        message: String,
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
