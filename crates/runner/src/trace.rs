//! Load traces: CSV files of arrivals per time bucket, read into the engine's per-step demand.
//!
//! A header names a bucket column (`minute`, or `second` / `t_s` for one-second buckets) and a
//! count column (`requests`, `invocations` or, for session workloads, `sessions`); other columns
//! are ignored, and two columns of one kind are an error rather than a guess. Rows are checked
//! here for form (a whole bucket index, a number) and by the core for meaning (order, sign), and
//! every error names the line.
//!
//! A per-request trace has an `arrival_s` column instead (docs/semantics/requests.md, section
//! 2): one row per request, seconds from the trace's start, never decreasing, plus the numeric
//! columns a service-time model reads. The fluid models replay its count per second.

use std::path::Path;

use scalesim_core::{Bucket, BucketWindow, BuildError, Demand, RequestTrace};

use crate::error::{ScenarioError, TraceError};
use crate::limits::{MAX_TRACE_BYTES, MAX_TRACE_ROWS, read_bounded};

/// Bucket columns and the seconds one of their buckets lasts.
const BUCKET_COLUMNS: [(&str, u64); 3] = [("minute", 60), ("second", 1), ("t_s", 1)];
const BUCKET_EXPECTED: &str = "`minute`, `second`, `t_s`";
const COUNT_COLUMNS: [&str; 3] = ["requests", "invocations", "sessions"];
const COUNT_EXPECTED: &str = "`requests`, `invocations`, `sessions`";

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

/// Reads the trace at `path` and turns its `window` into demand per step of `step_s` seconds.
pub fn read_trace(path: &Path, window: BucketWindow, step_s: u64) -> Result<Demand, TraceError> {
    let bytes = read_trace_bytes(path)?;
    parse_trace(&bytes, path, window, step_s)
}

/// Reads the trace at `path` for the request-level model: its demand per step, and its
/// arrivals, with the per-request `columns` a service-time model reads.
pub fn read_trace_arrivals(
    path: &Path,
    window: BucketWindow,
    step_s: u64,
    columns: &[&str],
) -> Result<(Demand, TraceArrivals), TraceError> {
    let bytes = read_trace_bytes(path)?;
    let parsed = parse(&bytes, path, columns)?;
    let demand = parsed.demand(path, window, step_s)?;
    let arrivals = match &parsed {
        // The same window at the trace's own resolution: requests are placed bucket by bucket.
        Parsed::Buckets { bucket_s, .. } => TraceArrivals::Counts {
            bucket_s: *bucket_s,
            counts: parsed.demand(path, window, *bucket_s)?.as_slice().to_vec(),
        },
        Parsed::Requests(trace) => {
            TraceArrivals::Requests(trace.window(window.from_bucket, window.buckets))
        }
    };
    Ok((demand, arrivals))
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
    parse(bytes, path, &[])?.demand(path, window, step_s)
}

/// A trace as read, before it is cut to a window.
enum Parsed {
    Buckets {
        buckets: Vec<Bucket>,
        bucket_s: u64,
        /// The line of each bucket, for errors.
        lines: Vec<u64>,
    },
    Requests(RequestTrace),
}

impl Parsed {
    fn demand(&self, path: &Path, window: BucketWindow, step_s: u64) -> Result<Demand, TraceError> {
        let (buckets, bucket_s, lines) = match self {
            Parsed::Buckets {
                buckets,
                bucket_s,
                lines,
            } => (buckets.as_slice(), *bucket_s, Some(lines.as_slice())),
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
            TraceError::Demand {
                path: path.to_owned(),
                location: entry
                    .and_then(|entry| lines.and_then(|lines| lines.get(entry)))
                    .map(|line| format!("line {line}: "))
                    .unwrap_or_default(),
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

fn parse(bytes: &[u8], path: &Path, columns: &[&str]) -> Result<Parsed, TraceError> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let csv_error = |err| csv_error(path, err);
    let headers = reader.headers().map_err(csv_error)?.clone();
    let find = |name: &str| headers.iter().position(|header| header == name);
    if let Some(arrival_column) = find(ARRIVAL_COLUMN) {
        return parse_requests(reader, &headers, arrival_column, path, columns);
    }
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
    let (bucket_column, bucket_s) = match bucket_matches.as_slice() {
        [single] => *single,
        [] => {
            return Err(TraceError::MissingColumn {
                path: path.to_owned(),
                what: "bucket",
                expected: BUCKET_EXPECTED,
                found: found(),
            });
        }
        several => {
            let columns: Vec<usize> = several.iter().map(|&(column, _)| column).collect();
            return Err(ambiguous("bucket", &columns));
        }
    };
    let count_column = match count_matches.as_slice() {
        [single] => *single,
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
        buckets.push(Bucket { index, count });
        lines.push(line);
    }
    if buckets.is_empty() {
        return Err(TraceError::Empty {
            path: path.to_owned(),
        });
    }
    Ok(Parsed::Buckets {
        buckets,
        bucket_s,
        lines,
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
                "t.csv: line 1: no bucket column: expected one of `minute`, `second`, `t_s`; \
                 found `when`, `requests`"
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
}
