//! Load traces: files of arrivals over time, read into the engine's per-step demand, recognised
//! by their content (docs/semantics/traces.md).
//!
//! A CSV's header names a bucket column (`minute`, or `second` / `t_s` for one-second buckets)
//! and a count column (`requests`, `invocations` or, for session workloads, `sessions`); other
//! columns are ignored, and two columns of one kind are an error rather than a guess. Rows are
//! checked here for form (a whole bucket index, a number) and by the core for meaning (order,
//! sign), and every error names the line.
//!
//! A CSV may give a `timestamp` (or `time`) column instead of a bucket index: RFC 3339 times
//! with their offset, or seconds or milliseconds since the Unix epoch. A file that starts with
//! `{` or `[` is a monitoring export ([`exports`]: CloudWatch, Prometheus, Azure Monitor,
//! Datadog). Timestamps become buckets by the rules of [`timeline`], the same for every form.
//!
//! A per-request trace has an `arrival_s` column instead (docs/semantics/requests.md, section
//! 2): one row per request, seconds from the trace's start, never decreasing, plus the numeric
//! columns a service-time model reads. The fluid models replay its count per second.

mod exports;
mod timeline;

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use chrono::{DateTime, NaiveDateTime, Utc};
use scalesim_core::{Bucket, BucketWindow, BuildError, Demand, RequestTrace};

use crate::error::{ScenarioError, TraceError};
use crate::limits::{MAX_EXPORT_BYTES, MAX_TRACE_BYTES, MAX_TRACE_ROWS, read_bounded};
use crate::scenario::LoadSpec;

pub use timeline::{GapPolicy, ValueMeaning};
use timeline::{Locate, Point, Refusal, Rules, instant};

/// Bucket columns and the seconds one of their buckets lasts.
const BUCKET_COLUMNS: [(&str, u64); 3] = [("minute", 60), ("second", 1), ("t_s", 1)];
const BUCKET_EXPECTED: &str = "`minute`, `second`, `t_s`, `timestamp`, `time`";
/// Timestamp columns, matched without regard to case (`Time`, as Grafana writes it).
const TIMESTAMP_COLUMNS: [&str; 2] = ["timestamp", "time"];
const COUNT_COLUMNS: [&str; 3] = ["requests", "invocations", "sessions"];
const COUNT_EXPECTED: &str = "`requests`, `invocations`, `sessions`";

/// Epoch numbers from this value up are milliseconds, below it seconds: 10^11 s is the year
/// 5138, 10^11 ms is 3 March 1973.
const MILLISECONDS_FROM: f64 = 1e11;

/// The column of a per-request trace that holds each request's arrival, seconds.
pub const ARRIVAL_COLUMN: &str = "arrival_s";

/// A trace's arrivals as the request-level model replays them.
#[derive(Debug, Clone, PartialEq)]
pub enum TraceArrivals {
    /// A bucket trace's window: counts per bucket of `bucket_s`, from t = 0.
    Counts {
        /// Width of the trace's buckets, seconds.
        bucket_s: u64,
        /// Arrivals per bucket.
        counts: Vec<f64>,
    },
    /// A per-request trace's window, times from t = 0.
    Requests(RequestTrace),
}

/// Which form a trace file was recognised as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TraceForm {
    /// A CSV with a bucket index column (`minute`, `second`, `t_s`).
    BucketCsv,
    /// A CSV with a `timestamp` or `time` column.
    TimestampCsv,
    /// A CSV with one row per request (`arrival_s`).
    RequestCsv,
    /// What `aws cloudwatch get-metric-data` prints.
    CloudWatchGetMetricData,
    /// What `aws cloudwatch get-metric-statistics` prints.
    CloudWatchGetMetricStatistics,
    /// A Prometheus `/api/v1/query_range` response.
    PrometheusQueryRange,
    /// An Azure Monitor `Metrics - List` response (or `az monitor metrics list` output).
    AzureMonitorMetrics,
    /// An Azure Resource Manager error response, refused with its message.
    AzureMonitorError,
    /// A Datadog `/api/v1/query` response.
    DatadogQuery,
}

impl fmt::Display for TraceForm {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(match self {
            TraceForm::BucketCsv => "a CSV of counts per bucket index",
            TraceForm::TimestampCsv => "a CSV with a timestamp column",
            TraceForm::RequestCsv => "a CSV of requests (arrival_s)",
            TraceForm::CloudWatchGetMetricData => "aws cloudwatch get-metric-data output",
            TraceForm::CloudWatchGetMetricStatistics => {
                "aws cloudwatch get-metric-statistics output"
            }
            TraceForm::PrometheusQueryRange => "a Prometheus query_range response",
            TraceForm::AzureMonitorMetrics => "an Azure Monitor Metrics - List response",
            TraceForm::AzureMonitorError => "an Azure error response",
            TraceForm::DatadogQuery => "a Datadog /api/v1/query response",
        })
    }
}

/// How a trace's values are read: the `[load]` keys `value`, `gaps`, `series` and `statistic`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceOptions {
    /// What a data point means; `"sum"` unless the scenario says.
    pub value: ValueMeaning,
    /// What a gap does; `None` keeps the form's rule: refused for timestamps, zero arrivals for
    /// bucket indices (spec/README.md, "Time").
    pub gaps: Option<GapPolicy>,
    /// Labels a series must have to be replayed; empty: every series, summed.
    pub series: BTreeMap<String, String>,
    /// The statistic read from get-metric-statistics output (`Sum` unless given) or an Azure
    /// Monitor response (`total` unless given).
    pub statistic: Option<String>,
}

impl TraceOptions {
    /// Counts as written, the form's own gap rule, every series, the default statistic.
    pub const PLAIN: TraceOptions = TraceOptions {
        value: ValueMeaning::Sum,
        gaps: None,
        series: BTreeMap::new(),
        statistic: None,
    };

    /// [`TraceOptions::PLAIN`] with `edit` made, for a test to state only what differs.
    #[cfg(test)]
    pub(crate) fn plain_with(edit: impl FnOnce(&mut Self)) -> Self {
        let mut options = Self::PLAIN;
        edit(&mut options);
        options
    }

    /// The options a scenario's `[load]` table gives, checked; errors name `scenario` and the
    /// key.
    pub(crate) fn from_load(load: &LoadSpec, scenario: &Path) -> Result<Self, ScenarioError> {
        let field = |key: &str, message: String| ScenarioError::Field {
            path: scenario.to_owned(),
            field: format!("load.{key}"),
            message,
        };
        let value = match load.value.as_deref() {
            None | Some("sum") => ValueMeaning::Sum,
            Some("rate_per_s") => ValueMeaning::RatePerSecond,
            Some("rate_per_min") => ValueMeaning::RatePerMinute,
            Some("average_per_instance") => {
                return Err(field(
                    "value",
                    "\"average_per_instance\" cannot be turned into arrivals: an average per \
                     instance needs the number of instances behind each datapoint, which an \
                     export does not hold; export the metric summed over the instances instead \
                     (CloudWatch's Sum of Invocations, Azure's total, Prometheus' \
                     sum(increase(...)))"
                        .into(),
                ));
            }
            Some(other) => {
                return Err(field(
                    "value",
                    format!(
                        "must be \"sum\" (each value counts the arrivals in its bucket), \
                         \"rate_per_s\" or \"rate_per_min\" (arrivals per second or per minute \
                         over the bucket), got {other:?}"
                    ),
                ));
            }
        };
        let gaps = match load.gaps.as_deref() {
            None => None,
            Some("error") => Some(GapPolicy::Error),
            Some("zero") => Some(GapPolicy::Zero),
            Some(other) => {
                return Err(field(
                    "gaps",
                    format!(
                        "must be \"error\" (a gap is refused) or \"zero\" (a missing bucket \
                         has no arrivals), got {other:?}"
                    ),
                ));
            }
        };
        if let Some(series) = &load.series
            && series.is_empty()
        {
            return Err(field(
                "series",
                "an empty table selects nothing: name a label and its value, or leave series \
                 out to sum every series"
                    .into(),
            ));
        }
        if let Some(statistic) = &load.statistic
            && statistic.trim().is_empty()
        {
            return Err(field(
                "statistic",
                "must name a statistic, such as \"Sum\"".into(),
            ));
        }
        let options = TraceOptions {
            value,
            gaps,
            series: load.series.clone().unwrap_or_default(),
            statistic: load.statistic.clone(),
        };
        if load.trace.is_none() && options != TraceOptions::PLAIN {
            let key = if load.value.is_some() {
                "value"
            } else if load.gaps.is_some() {
                "gaps"
            } else if load.series.is_some() {
                "series"
            } else {
                "statistic"
            };
            return Err(field(
                key,
                "says how to read a trace, but [load] has no trace".into(),
            ));
        }
        Ok(options)
    }
}

/// A trace read for a run.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct LoadedTrace {
    /// Demand per step of the window.
    pub demand: Demand,
    /// The window's arrivals for the request-level model, when asked for.
    pub arrivals: Option<TraceArrivals>,
    /// The wall-clock time of the window's first bucket, when the trace has timestamps.
    pub start: Option<DateTime<Utc>>,
    /// What the file was recognised as.
    pub form: TraceForm,
}

/// Reads the trace at `path` and turns its `window` into demand per step of `step_s` seconds.
pub fn read_trace(path: &Path, window: BucketWindow, step_s: u64) -> Result<Demand, TraceError> {
    load_trace(path, window, step_s, &TraceOptions::PLAIN, None).map(|trace| trace.demand)
}

/// Reads the trace at `path` for the request-level model: its demand per step, and its
/// arrivals, with the per-request `columns` a service-time model reads.
pub fn read_trace_arrivals(
    path: &Path,
    window: BucketWindow,
    step_s: u64,
    columns: &[&str],
) -> Result<(Demand, TraceArrivals), TraceError> {
    let trace = load_trace(path, window, step_s, &TraceOptions::PLAIN, Some(columns))?;
    let arrivals = trace.arrivals.ok_or_else(|| TraceError::Empty {
        path: path.to_owned(),
    })?;
    Ok((trace.demand, arrivals))
}

/// Reads the trace at `path`, whatever its form, by `options`: its `window` as demand per step
/// of `step_s` seconds, its arrivals for the request-level model when `columns` (the
/// per-request columns a service-time model reads) are given, and its wall-clock start.
pub fn load_trace(
    path: &Path,
    window: BucketWindow,
    step_s: u64,
    options: &TraceOptions,
    columns: Option<&[&str]>,
) -> Result<LoadedTrace, TraceError> {
    let bytes = read_trace_bytes(path)?;
    load_bytes(&bytes, path, window, step_s, options, columns)
}

/// [`load_trace`] on bytes already read; `path` only names the file in errors.
pub fn load_bytes(
    bytes: &[u8],
    path: &Path,
    window: BucketWindow,
    step_s: u64,
    options: &TraceOptions,
    columns: Option<&[&str]>,
) -> Result<LoadedTrace, TraceError> {
    let parsed = parse(bytes, path, columns.unwrap_or_default(), options)?;
    let demand = parsed.demand(path, window, step_s)?;
    let arrivals = match (&parsed, columns) {
        (_, None) => None,
        // The same window at the trace's own resolution: requests are placed bucket by bucket.
        (Parsed::Buckets { bucket_s, .. }, Some(_)) => Some(TraceArrivals::Counts {
            bucket_s: *bucket_s,
            counts: parsed.demand(path, window, *bucket_s)?.as_slice().to_vec(),
        }),
        (Parsed::Requests(trace), Some(_)) => Some(TraceArrivals::Requests(
            trace.window(window.from_bucket, window.buckets),
        )),
    };
    let (start, form) = match &parsed {
        Parsed::Buckets {
            origin_ms,
            bucket_s,
            form,
            ..
        } => (
            origin_ms.and_then(|origin| {
                let offset = window
                    .from_bucket
                    .checked_mul(bucket_s.checked_mul(1000)?)?;
                let ms = origin.checked_add(i64::try_from(offset).ok()?)?;
                DateTime::from_timestamp_millis(ms)
            }),
            *form,
        ),
        Parsed::Requests(_) => (None, TraceForm::RequestCsv),
    };
    Ok(LoadedTrace {
        demand,
        arrivals,
        start,
        form,
    })
}

fn read_trace_bytes(path: &Path) -> Result<Vec<u8>, TraceError> {
    read_bounded(path, MAX_TRACE_BYTES, "a trace").map_err(|err| match err {
        ScenarioError::Read { path, error } => TraceError::Read { path, error },
        other => TraceError::TooLarge {
            path: path.to_owned(),
            message: other.to_string(),
        },
    })
}

/// Parses trace bytes; `path` only names the file in errors.
pub fn parse_trace(
    bytes: &[u8],
    path: &Path,
    window: BucketWindow,
    step_s: u64,
) -> Result<Demand, TraceError> {
    parse(bytes, path, &[], &TraceOptions::PLAIN)?.demand(path, window, step_s)
}

/// Where a bucket came from, for the core's errors about it.
enum Locator {
    /// The line of each bucket.
    Lines(Vec<u64>),
    /// Buckets read from timestamps: bucket k is at `origin_ms + k × bucket_s` seconds.
    Times { origin_ms: i64, bucket_s: u64 },
}

/// A trace as read, before it is cut to a window.
enum Parsed {
    Buckets {
        buckets: Vec<Bucket>,
        bucket_s: u64,
        /// Where each bucket is, for errors.
        locator: Locator,
        /// The wall-clock time of bucket 0, milliseconds since the Unix epoch, if known.
        origin_ms: Option<i64>,
        form: TraceForm,
    },
    Requests(RequestTrace),
}

impl Parsed {
    fn demand(&self, path: &Path, window: BucketWindow, step_s: u64) -> Result<Demand, TraceError> {
        let (buckets, bucket_s, locator) = match self {
            Parsed::Buckets {
                buckets,
                bucket_s,
                locator,
                ..
            } => (buckets.as_slice(), *bucket_s, locator),
            Parsed::Requests(trace) => {
                return Demand::from_buckets(&trace.per_second(), 1, window, step_s).map_err(
                    |reason| TraceError::Demand {
                        path: path.to_owned(),
                        location: String::new(),
                        reason,
                    },
                );
            }
        };
        Demand::from_buckets(buckets, bucket_s, window, step_s).map_err(|reason| {
            let entry = match reason {
                BuildError::InvalidCount { entry, .. }
                | BuildError::CountTooLarge { entry, .. }
                | BuildError::BucketOrder { entry, .. } => Some(entry),
                _ => None,
            };
            let location = entry.and_then(|entry| match locator {
                Locator::Lines(lines) => lines.get(entry).map(|line| format!("line {line}: ")),
                Locator::Times {
                    origin_ms,
                    bucket_s,
                } => buckets.get(entry).map(|bucket| {
                    let offset = bucket.index.saturating_mul(bucket_s.saturating_mul(1000));
                    let ms = origin_ms.saturating_add(i64::try_from(offset).unwrap_or(i64::MAX));
                    format!("at {}: ", instant(ms))
                }),
            });
            TraceError::Demand {
                path: path.to_owned(),
                location: location.unwrap_or_default(),
                reason,
            }
        })
    }
}

fn too_many_rows(path: &Path, line: u64) -> TraceError {
    TraceError::TooLarge {
        path: path.to_owned(),
        message: format!(
            "{}: line {line}: more than {MAX_TRACE_ROWS} rows, more than a trace may have: cut \
             it into windows",
            path.display()
        ),
    }
}

/// A row the CSV reader could not split, with its line.
fn csv_error(path: &Path, err: csv::Error) -> TraceError {
    TraceError::Csv {
        path: path.to_owned(),
        line: err.position().map_or(1, csv::Position::line),
        message: match err.kind() {
            csv::ErrorKind::UnequalLengths {
                expected_len, len, ..
            } => format!("expected {expected_len} fields like the header, found {len}"),
            _ => err.to_string(),
        },
    }
}

/// Where a problem of a trace is, and what it is, as [`TraceError::Export`] says it.
fn refused(path: &Path, refusal: Refusal) -> TraceError {
    TraceError::Export {
        path: path.to_owned(),
        location: refusal.prefix(),
        message: refusal.message,
    }
}

/// A `[load]` key that does not fit the trace `path`.
fn key_error(path: &Path, key: &'static str, message: String) -> TraceError {
    TraceError::Key {
        path: path.to_owned(),
        key,
        message,
    }
}

/// Refuses `series` and `statistic`, which only exports read, for a CSV trace.
fn csv_keys(path: &Path, options: &TraceOptions) -> Result<(), TraceError> {
    if !options.series.is_empty() {
        return Err(key_error(
            path,
            "series",
            "chooses among the series of an export; a CSV trace holds one".to_owned(),
        ));
    }
    if options.statistic.is_some() {
        return Err(key_error(
            path,
            "statistic",
            "is read from aws cloudwatch get-metric-statistics output and Azure Monitor \
             responses, not from a CSV trace"
                .to_owned(),
        ));
    }
    Ok(())
}

fn parse(
    bytes: &[u8],
    path: &Path,
    columns: &[&str],
    options: &TraceOptions,
) -> Result<Parsed, TraceError> {
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if matches!(
        text.iter().find(|b| !b.is_ascii_whitespace()),
        Some(b'{' | b'[')
    ) {
        return parse_export(text, path, options);
    }
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let csv_error = |err| csv_error(path, err);
    let headers = reader.headers().map_err(csv_error)?.clone();
    let find = |name: &str| headers.iter().position(|header| header == name);
    if let Some(arrival_column) = find(ARRIVAL_COLUMN) {
        if options.value != ValueMeaning::Sum || options.gaps.is_some() {
            return Err(key_error(
                path,
                if options.gaps.is_some() {
                    "gaps"
                } else {
                    "value"
                },
                "reads a trace of counts; a per-request trace (arrival_s) has one row per request"
                    .to_owned(),
            ));
        }
        csv_keys(path, options)?;
        return parse_requests(reader, &headers, arrival_column, path, columns);
    }
    csv_keys(path, options)?;
    let found = || {
        let names: Vec<String> = headers.iter().map(|h| format!("`{h}`")).collect();
        if names.is_empty() {
            "no header".to_owned()
        } else {
            names.join(", ")
        }
    };
    let bucket_matches: Vec<(usize, u64)> = BUCKET_COLUMNS
        .iter()
        .filter_map(|&(name, seconds)| find(name).map(|column| (column, seconds)))
        .collect();
    let timestamp_matches: Vec<usize> = headers
        .iter()
        .enumerate()
        .filter(|(_, header)| {
            TIMESTAMP_COLUMNS
                .iter()
                .any(|name| header.eq_ignore_ascii_case(name))
        })
        .map(|(column, _)| column)
        .collect();
    let count_matches: Vec<usize> = COUNT_COLUMNS.iter().filter_map(|name| find(name)).collect();
    let ambiguous = |what: &'static str, columns: &[usize]| TraceError::AmbiguousColumns {
        path: path.to_owned(),
        what,
        found: columns
            .iter()
            .map(|&column| format!("`{}`", headers.get(column).unwrap_or_default()))
            .collect::<Vec<_>>()
            .join(" and "),
    };
    let time_columns: Vec<usize> = bucket_matches
        .iter()
        .map(|&(column, _)| column)
        .chain(timestamp_matches.iter().copied())
        .collect();
    if time_columns.len() > 1 {
        return Err(ambiguous("bucket", &time_columns));
    }
    let count_column = match count_matches.as_slice() {
        [single] => *single,
        [] if time_columns.is_empty() => {
            return Err(TraceError::MissingColumn {
                path: path.to_owned(),
                what: "bucket",
                expected: BUCKET_EXPECTED,
                found: found(),
            });
        }
        [] => {
            return Err(TraceError::MissingColumn {
                path: path.to_owned(),
                what: "count",
                expected: COUNT_EXPECTED,
                found: found(),
            });
        }
        several => return Err(ambiguous("count", several)),
    };
    if let [timestamp_column] = timestamp_matches.as_slice() {
        return parse_timestamps(
            reader,
            &headers,
            *timestamp_column,
            count_column,
            path,
            options,
        );
    }
    let Some(&(bucket_column, bucket_s)) = bucket_matches.first() else {
        return Err(TraceError::MissingColumn {
            path: path.to_owned(),
            what: "bucket",
            expected: BUCKET_EXPECTED,
            found: found(),
        });
    };
    let factor = options.value.factor(bucket_s);

    let mut buckets = Vec::new();
    let mut lines = Vec::new();
    let mut record = csv::StringRecord::new();
    while reader.read_record(&mut record).map_err(csv_error)? {
        let line = record.position().map_or(0, csv::Position::line);
        let field = |column: usize| record.get(column).unwrap_or_default();
        let value_error = |column: usize, expected: &'static str| TraceError::Value {
            path: path.to_owned(),
            line,
            column: headers.get(column).unwrap_or_default().to_owned(),
            expected,
            got: field(column).to_owned(),
        };
        let index: u64 = field(bucket_column)
            .parse()
            .map_err(|err: std::num::ParseIntError| match err.kind() {
                std::num::IntErrorKind::PosOverflow => value_error(
                    bucket_column,
                    "a whole number no larger than 18446744073709551615",
                ),
                _ => value_error(bucket_column, "a whole number >= 0"),
            })?;
        let count: f64 = field(count_column)
            .parse()
            .map_err(|_| value_error(count_column, "a finite number >= 0"))?;
        if !(count.is_finite() && count >= 0.0) {
            return Err(value_error(count_column, "a finite number >= 0"));
        }
        if buckets.len() as u64 >= MAX_TRACE_ROWS {
            return Err(too_many_rows(path, line));
        }
        buckets.push(Bucket {
            index,
            count: count * factor,
        });
        lines.push(line);
    }
    if buckets.is_empty() {
        return Err(TraceError::Empty {
            path: path.to_owned(),
        });
    }
    if options.gaps == Some(GapPolicy::Error) {
        check_index_gaps(path, &buckets, &lines)?;
    }
    Ok(Parsed::Buckets {
        buckets,
        bucket_s,
        locator: Locator::Lines(lines),
        origin_ms: None,
        form: TraceForm::BucketCsv,
    })
}

/// `gaps = "error"` on a trace of bucket indices: a jump between indices is refused. Indices
/// that do not increase are left to the core, which says so.
fn check_index_gaps(path: &Path, buckets: &[Bucket], lines: &[u64]) -> Result<(), TraceError> {
    let mut missing = 0u64;
    let mut first: Option<(u64, u64)> = None;
    for (entry, pair) in buckets.windows(2).enumerate() {
        if let [a, b] = pair {
            if b.index <= a.index {
                return Ok(());
            }
            let skipped = b.index - a.index - 1;
            if skipped > 0 {
                missing = missing.saturating_add(skipped);
                first.get_or_insert((a.index + 1, lines.get(entry).copied().unwrap_or(0)));
            }
        }
    }
    match first {
        None => Ok(()),
        Some((bucket, line)) => Err(refused(
            path,
            Refusal::at(
                String::new(),
                format!(
                    "{missing} bucket{} missing, the first is bucket {bucket} (after line \
                     {line}): [load] gaps = \"error\" refuses a gap; leave it out or write \
                     \"zero\" to count it as zero arrivals",
                    if missing == 1 { "" } else { "s" }
                ),
            ),
        )),
    }
}

/// Which kind of timestamp a CSV cell holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TimeKind {
    Rfc3339,
    Seconds,
    Milliseconds,
}

impl fmt::Display for TimeKind {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(match self {
            TimeKind::Rfc3339 => "an RFC 3339 time",
            TimeKind::Seconds => "seconds since 1970",
            TimeKind::Milliseconds => "milliseconds since 1970",
        })
    }
}

/// Whether `text` is a date and time as RFC 3339 writes them but without the offset that would
/// make it an instant: refused rather than guessed, in traces and in a scenario's `start`.
pub(crate) fn written_without_offset(text: &str) -> bool {
    [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
    ]
    .iter()
    .any(|format| NaiveDateTime::parse_from_str(text, format).is_ok())
}

/// A CSV timestamp cell: an RFC 3339 time with its offset, or a Unix time, in seconds below
/// 10^11 and in milliseconds from it.
fn csv_instant(text: &str) -> Result<(i64, TimeKind), String> {
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        let number: f64 = text
            .parse()
            .map_err(|_| format!("expected a Unix time, got {text:?}"))?;
        return if number >= MILLISECONDS_FROM {
            timeline::number_ms(number, 1.0).map(|ms| (ms, TimeKind::Milliseconds))
        } else {
            timeline::number_ms(number, 1000.0).map(|ms| (ms, TimeKind::Seconds))
        };
    }
    match timeline::rfc3339_ms(text) {
        Ok(ms) => Ok((ms, TimeKind::Rfc3339)),
        Err(message) => {
            if written_without_offset(text) {
                Err(format!(
                    "{text:?} has no offset: write Z or +hh:mm after the time, so that the \
                     instant is not a guess"
                ))
            } else {
                Err(message)
            }
        }
    }
}

/// Where the points of a timestamped CSV are: `at` is the line.
struct CsvLocate {
    time_column: String,
    count_column: String,
}

impl Locate for CsvLocate {
    fn time(&self, at: u64) -> String {
        format!("line {at}: {}", self.time_column)
    }

    fn value(&self, at: u64) -> String {
        format!("line {at}: {}", self.count_column)
    }
}

/// The rows of a CSV with a timestamp column: one series, in increasing time; an empty count
/// cell is a missing point.
fn parse_timestamps(
    mut reader: csv::Reader<&[u8]>,
    headers: &csv::StringRecord,
    time_column: usize,
    count_column: usize,
    path: &Path,
    options: &TraceOptions,
) -> Result<Parsed, TraceError> {
    let locate = CsvLocate {
        time_column: headers.get(time_column).unwrap_or_default().to_owned(),
        count_column: headers.get(count_column).unwrap_or_default().to_owned(),
    };
    let mut points: Vec<Point> = Vec::new();
    let mut kind: Option<(TimeKind, u64)> = None;
    let mut record = csv::StringRecord::new();
    while reader
        .read_record(&mut record)
        .map_err(|err| csv_error(path, err))?
    {
        let line = record.position().map_or(0, csv::Position::line);
        let field = |column: usize| record.get(column).unwrap_or_default();
        let (t_ms, this) = csv_instant(field(time_column))
            .map_err(|message| refused(path, Refusal::at(locate.time(line), message)))?;
        match kind {
            None => kind = Some((this, line)),
            Some((first, first_line)) if first != this => {
                return Err(refused(
                    path,
                    Refusal::at(
                        locate.time(line),
                        format!(
                            "mixed units: {this} here, {first} on line {first_line}: one column \
                             holds one kind of time"
                        ),
                    ),
                ));
            }
            Some(_) => {}
        }
        if let Some(previous) = points.last()
            && t_ms <= previous.t_ms
        {
            let what = if t_ms == previous.t_ms {
                "repeats"
            } else {
                "comes before"
            };
            return Err(refused(
                path,
                Refusal::at(
                    locate.time(line),
                    format!(
                        "{} {what} line {}'s {}: timestamps must increase",
                        instant(t_ms),
                        previous.at,
                        instant(previous.t_ms)
                    ),
                ),
            ));
        }
        let cell = field(count_column);
        let value = if cell.is_empty() {
            None
        } else {
            let count: f64 = cell.parse().map_err(|_| TraceError::Value {
                path: path.to_owned(),
                line,
                column: locate.count_column.clone(),
                expected: "a finite number >= 0, or nothing for a missing point",
                got: cell.to_owned(),
            })?;
            Some(count)
        };
        if points.len() as u64 >= MAX_TRACE_ROWS {
            return Err(too_many_rows(path, line));
        }
        points.push(Point {
            t_ms,
            value,
            at: line,
        });
    }
    if points.is_empty() {
        return Err(TraceError::Empty {
            path: path.to_owned(),
        });
    }
    timed(
        path,
        vec![points],
        &locate,
        options,
        "",
        TraceForm::TimestampCsv,
    )
}

/// A monitoring export, read and turned into buckets.
fn parse_export(bytes: &[u8], path: &Path, options: &TraceOptions) -> Result<Parsed, TraceError> {
    if bytes.len() as u64 > MAX_EXPORT_BYTES {
        return Err(TraceError::TooLarge {
            path: path.to_owned(),
            message: format!(
                "{}: larger than a JSON export may be ({} MiB): export a shorter range or a \
                 coarser period, or convert it to a CSV with a timestamp column",
                path.display(),
                MAX_EXPORT_BYTES >> 20
            ),
        });
    }
    let export = exports::read(bytes, options).map_err(|problem| match problem {
        exports::Problem::At(refusal) => refused(path, refusal),
        exports::Problem::Key { key, message } => key_error(path, key, message),
    })?;
    timed(
        path,
        export.series,
        &export.locate,
        options,
        export.gap_hint,
        export.form,
    )
}

/// Points into the buckets of a [`Parsed`] trace, by [`timeline::build`].
fn timed(
    path: &Path,
    series: Vec<Vec<Point>>,
    locate: &dyn Locate,
    options: &TraceOptions,
    gap_hint: &str,
    form: TraceForm,
) -> Result<Parsed, TraceError> {
    let timed = timeline::build(
        series,
        locate,
        Rules {
            value: options.value,
            gaps: options.gaps.unwrap_or(GapPolicy::Error),
            gap_hint,
        },
    )
    .map_err(|refusal| refused(path, refusal))?;
    Ok(Parsed::Buckets {
        buckets: timed.buckets,
        bucket_s: timed.bucket_s,
        locator: Locator::Times {
            origin_ms: timed.origin_ms,
            bucket_s: timed.bucket_s,
        },
        origin_ms: Some(timed.origin_ms),
        form,
    })
}

/// The rows of a per-request trace: `arrival_s` and the `columns` asked for.
fn parse_requests(
    mut reader: csv::Reader<&[u8]>,
    headers: &csv::StringRecord,
    arrival_column: usize,
    path: &Path,
    columns: &[&str],
) -> Result<Parsed, TraceError> {
    if let Some(count) = COUNT_COLUMNS
        .iter()
        .find(|name| headers.iter().any(|header| header == **name))
    {
        return Err(TraceError::AmbiguousColumns {
            path: path.to_owned(),
            what: "arrival",
            found: format!(
                "`{ARRIVAL_COLUMN}` (one row per request) and `{count}` (a count per bucket)"
            ),
        });
    }
    let mut indices = Vec::with_capacity(columns.len());
    for column in columns {
        let Some(index) = headers.iter().position(|header| header == *column) else {
            return Err(TraceError::MissingRequestColumn {
                path: path.to_owned(),
                column: (*column).to_owned(),
                found: headers
                    .iter()
                    .map(|h| format!("`{h}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        };
        indices.push(index);
    }
    let mut trace = RequestTrace::new(columns.iter().map(|c| (*c).to_owned()).collect());
    let mut record = csv::StringRecord::new();
    let mut values: Vec<f64> = vec![0.0; columns.len()];
    let mut previous = 0.0_f64;
    let csv_error = |err| csv_error(path, err);
    while reader.read_record(&mut record).map_err(csv_error)? {
        let line = record.position().map_or(0, csv::Position::line);
        let field = |column: usize| record.get(column).unwrap_or_default();
        let value_error = |column: usize, expected: &'static str| TraceError::Value {
            path: path.to_owned(),
            line,
            column: headers.get(column).unwrap_or_default().to_owned(),
            expected,
            got: field(column).to_owned(),
        };
        let arrival_s: f64 = field(arrival_column)
            .parse()
            .map_err(|_| value_error(arrival_column, "seconds, a finite number >= 0"))?;
        if !(arrival_s.is_finite() && arrival_s >= 0.0) {
            return Err(value_error(arrival_column, "seconds, a finite number >= 0"));
        }
        if arrival_s < previous {
            return Err(TraceError::Backwards {
                path: path.to_owned(),
                line,
                arrival_s,
                previous_s: previous,
            });
        }
        previous = arrival_s;
        for (value, &column) in values.iter_mut().zip(&indices) {
            *value = field(column)
                .parse()
                .map_err(|_| value_error(column, "a finite number >= 0"))?;
            if !(value.is_finite() && *value >= 0.0) {
                return Err(value_error(column, "a finite number >= 0"));
            }
        }
        if trace.len() as u64 >= MAX_TRACE_ROWS {
            return Err(too_many_rows(path, line));
        }
        trace
            .push(arrival_s, &values)
            .map_err(|reason| TraceError::Demand {
                path: path.to_owned(),
                location: format!("line {line}: "),
                reason,
            })?;
    }
    if trace.is_empty() {
        return Err(TraceError::Empty {
            path: path.to_owned(),
        });
    }
    Ok(Parsed::Requests(trace))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Vec<f64>, String> {
        parse_trace(text.as_bytes(), Path::new("t.csv"), BucketWindow::ALL, 60)
            .map(|demand| demand.as_slice().to_vec())
            .map_err(|err| err.to_string())
    }

    #[test]
    fn seconds_and_invocations_columns_are_summed_into_minutes() {
        let mut text = "second,invocations\n".to_owned();
        for second in 0..120 {
            text.push_str(&format!("{second},{}\n", second % 2));
        }
        assert_eq!(parse(&text), Ok(vec![30.0, 30.0]));
        assert_eq!(parse("t_s,requests\n0,5\n60,6\n"), Ok(vec![5.0, 6.0]));
    }

    #[test]
    fn extra_columns_and_spaces_are_ignored() {
        assert_eq!(
            parse("minute, note ,requests\n0, x ,3\n 1 ,y, 4\n"),
            Ok(vec![3.0, 4.0])
        );
    }

    #[test]
    fn bad_counts_name_their_line() {
        for (count, shown) in [
            ("abc", "\"abc\""),
            ("-1", "\"-1\""),
            ("NaN", "\"NaN\""),
            ("inf", "\"inf\""),
        ] {
            assert_eq!(
                parse(&format!("minute,requests\n0,1\n1,{count}\n")),
                Err(format!(
                    "t.csv: line 3: requests: expected a finite number >= 0, got {shown}"
                ))
            );
        }
    }

    #[test]
    fn unknown_columns_say_which_are_known() {
        assert_eq!(
            parse("when,requests\n0,1\n"),
            Err(
                "t.csv: line 1: no bucket column: expected one of `minute`, `second`, `t_s`, \
                 `timestamp`, `time`; found `when`, `requests`"
                    .to_owned()
            )
        );
        assert_eq!(
            parse("minute,hits\n0,1\n"),
            Err(
                "t.csv: line 1: no count column: expected one of `requests`, `invocations`, \
                 `sessions`; found `minute`, `hits`"
                    .to_owned()
            )
        );
    }

    #[test]
    fn two_columns_of_one_kind_are_ambiguous() {
        assert_eq!(
            parse("minute,second,requests\n0,0,1\n"),
            Err("t.csv: line 1: two bucket columns, `minute` and `second`: keep one".to_owned())
        );
        assert_eq!(
            parse("minute,requests,invocations\n0,1,1\n"),
            Err(
                "t.csv: line 1: two count columns, `requests` and `invocations`: keep one"
                    .to_owned()
            )
        );
    }

    #[test]
    fn an_empty_trace_and_disordered_buckets_are_errors() {
        assert_eq!(
            parse("minute,requests\n"),
            Err("t.csv: the trace is empty: it has a header but no rows".to_owned())
        );
        assert_eq!(
            parse("minute,requests\n0,1\n2,1\n1,1\n"),
            Err(
                "t.csv: line 4: bucket 1 comes after bucket 2: bucket indices must increase"
                    .to_owned()
            )
        );
        assert_eq!(
            parse("minute,requests\n0,1\n1\n"),
            Err("t.csv: line 3: expected 2 fields like the header, found 1".to_owned())
        );
    }

    /// The whole of `bytes` read as the file `name`, in minutes.
    fn load_all(
        bytes: &[u8],
        name: &str,
        options: &TraceOptions,
    ) -> Result<LoadedTrace, TraceError> {
        load_bytes(bytes, Path::new(name), BucketWindow::ALL, 60, options, None)
    }

    fn load_with(text: &str, options: &TraceOptions) -> Result<(Vec<f64>, Option<String>), String> {
        load_all(text.as_bytes(), "t.csv", options)
            .map(|trace| {
                (
                    trace.demand.as_slice().to_vec(),
                    trace.start.map(|start| start.to_rfc3339()),
                )
            })
            .map_err(|err| err.to_string())
    }

    #[test]
    fn timestamp_columns_read_rfc3339_with_offsets_and_unix_times() {
        // 09:00 at +01:00 is 08:00 UTC: the rows are a minute apart.
        let iso = "timestamp,requests\n2025-03-03T09:00:00+01:00,60\n2025-03-03T08:01:00Z,120\n";
        assert_eq!(
            load_with(iso, &TraceOptions::PLAIN),
            Ok((
                vec![60.0, 120.0],
                Some("2025-03-03T08:00:00+00:00".to_owned())
            ))
        );
        let seconds = "Time,invocations\n1740988800,1\n1740988860,2\n";
        assert_eq!(
            load_with(seconds, &TraceOptions::PLAIN),
            Ok((vec![1.0, 2.0], Some("2025-03-03T08:00:00+00:00".to_owned())))
        );
        let millis = "time,requests\n1740988800000,1\n1740988830000,2\n";
        assert_eq!(
            load_with(millis, &TraceOptions::PLAIN).map(|r| r.0),
            Ok(vec![3.0])
        );
    }

    #[test]
    fn timestamp_columns_refuse_mixed_units_no_offset_and_going_back() {
        assert_eq!(
            load_with(
                "timestamp,requests\n1740988800,1\n1740988860000,2\n",
                &TraceOptions::PLAIN
            ),
            Err(
                "t.csv: line 3: timestamp: mixed units: milliseconds since 1970 here, seconds \
                 since 1970 on line 2: one column holds one kind of time"
                    .to_owned()
            )
        );
        assert_eq!(
            load_with(
                "timestamp,requests\n2025-03-03T08:00:00,1\n",
                &TraceOptions::PLAIN
            ),
            Err(
                "t.csv: line 2: timestamp: \"2025-03-03T08:00:00\" has no offset: write Z or \
                 +hh:mm after the time, so that the instant is not a guess"
                    .to_owned()
            )
        );
        assert_eq!(
            load_with(
                "timestamp,requests\n2025-03-03T08:01:00Z,1\n2025-03-03T08:00:00Z,1\n",
                &TraceOptions::PLAIN
            ),
            Err(
                "t.csv: line 3: timestamp: 2025-03-03T08:00:00Z comes before line 2's \
                 2025-03-03T08:01:00Z: timestamps must increase"
                    .to_owned()
            )
        );
        assert_eq!(
            load_with("minute,timestamp,requests\n0,1,1\n", &TraceOptions::PLAIN),
            Err("t.csv: line 1: two bucket columns, `minute` and `timestamp`: keep one".to_owned())
        );
        let series = TraceOptions::plain_with(|o| {
            o.series.insert("pod".to_owned(), "a".to_owned());
        });
        assert_eq!(
            load_with("minute,requests\n0,1\n", &series),
            Err(
                "t.csv: [load] series: chooses among the series of an export; a CSV trace \
                 holds one"
                    .to_owned()
            )
        );
    }

    #[test]
    fn bucket_indices_take_value_and_gaps_too() {
        let rate = TraceOptions::plain_with(|o| o.value = ValueMeaning::RatePerSecond);
        assert_eq!(
            load_with("minute,requests\n0,1\n1,0.5\n", &rate),
            Ok((vec![60.0, 30.0], None))
        );
        // The spec's rule by default: a gap between indices is zero arrivals.
        assert_eq!(
            load_with("minute,requests\n0,1\n3,1\n", &TraceOptions::PLAIN).map(|r| r.0),
            Ok(vec![1.0, 0.0, 0.0, 1.0])
        );
        let gaps = TraceOptions::plain_with(|o| o.gaps = Some(GapPolicy::Error));
        assert_eq!(
            load_with("minute,requests\n0,1\n3,1\n", &gaps),
            Err(
                "t.csv: 2 buckets missing, the first is bucket 1 (after line 2): [load] gaps = \
                 \"error\" refuses a gap; leave it out or write \"zero\" to count it as zero \
                 arrivals"
                    .to_owned()
            )
        );
    }

    /// The shipped examples, by name and text.
    const EXAMPLES: [(&str, &str); 8] = [
        (
            "cloudwatch-get-metric-data.json",
            include_str!("../../../scenarios/traces/examples/cloudwatch-get-metric-data.json"),
        ),
        (
            "cloudwatch-get-metric-data-pages.json",
            include_str!(
                "../../../scenarios/traces/examples/cloudwatch-get-metric-data-pages.json"
            ),
        ),
        (
            "cloudwatch-get-metric-statistics.json",
            include_str!(
                "../../../scenarios/traces/examples/cloudwatch-get-metric-statistics.json"
            ),
        ),
        (
            "prometheus-query-range.json",
            include_str!("../../../scenarios/traces/examples/prometheus-query-range.json"),
        ),
        (
            "azure-monitor-metrics.json",
            include_str!("../../../scenarios/traces/examples/azure-monitor-metrics.json"),
        ),
        (
            "datadog-query.json",
            include_str!("../../../scenarios/traces/examples/datadog-query.json"),
        ),
        (
            "timestamps.csv",
            include_str!("../../../scenarios/traces/examples/timestamps.csv"),
        ),
        (
            "timestamps-unix.csv",
            include_str!("../../../scenarios/traces/examples/timestamps-unix.csv"),
        ),
    ];

    #[test]
    fn every_example_is_recognised_as_its_form() {
        let forms: Vec<TraceForm> = EXAMPLES
            .iter()
            .map(|(name, text)| {
                load_all(text.as_bytes(), name, &TraceOptions::PLAIN)
                    .unwrap_or_else(|err| panic!("{err}"))
                    .form
            })
            .collect();
        assert_eq!(
            forms,
            [
                TraceForm::CloudWatchGetMetricData,
                TraceForm::CloudWatchGetMetricData,
                TraceForm::CloudWatchGetMetricStatistics,
                TraceForm::PrometheusQueryRange,
                TraceForm::AzureMonitorMetrics,
                TraceForm::DatadogQuery,
                TraceForm::TimestampCsv,
                TraceForm::TimestampCsv,
            ]
        );
    }

    #[test]
    fn lists_past_their_bound_are_refused_while_read() {
        let mut text = "{\"status\":\"ok\",\"series\":[".to_owned();
        text.push_str(&vec!["{}"; 100_001].join(","));
        text.push_str("]}");
        let err = load_with(&text, &TraceOptions::PLAIN).unwrap_err();
        assert!(
            err.starts_with("t.csv: series (line 1): more than 100000 items"),
            "{err}"
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig {
            cases: 512,
            failure_persistence: None,
            ..proptest::prelude::ProptestConfig::default()
        })]

        /// Any example with bytes changed, cut or repeated: an answer, never a panic; accepted
        /// demand is finite and non-negative.
        #[test]
        fn changed_examples_never_panic(
            example in 0..EXAMPLES.len(),
            edits in proptest::collection::vec(
                (0.0..1.0f64, proptest::sample::select(
                    b"{}[],:\"0123456789.-+eEZT nul\n".to_vec()
                )),
                1..6,
            ),
            cut in 0.0..1.0f64,
            pages in 1..3usize,
        ) {
            let (_, text) = EXAMPLES[example];
            let mut bytes = text.as_bytes().to_vec();
            for (at, byte) in edits {
                let index = ((bytes.len() as f64 * at) as usize).min(bytes.len() - 1);
                bytes[index] = byte;
            }
            if cut < 0.2 {
                bytes.truncate((bytes.len() as f64 * cut * 5.0) as usize);
            }
            let bytes = bytes.repeat(pages);
            let options = TraceOptions::plain_with(|o| o.gaps = Some(GapPolicy::Zero));
            if let Ok(trace) = load_all(&bytes, "t", &options) {
                proptest::prop_assert!(trace
                    .demand
                    .as_slice()
                    .iter()
                    .all(|count| count.is_finite() && *count >= 0.0));
            }
        }
    }
}
