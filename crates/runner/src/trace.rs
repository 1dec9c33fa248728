//! Load traces: CSV files of arrivals per time bucket, read into the engine's per-step demand.
//!
//! A header names a bucket column (`minute`, or `second` / `t_s` for one-second buckets) and a
//! count column (`requests`, `invocations` or, for session workloads, `sessions`); other columns are ignored, and two columns of one
//! kind are an error rather than a guess. Rows are checked here for form (a whole bucket index, a
//! number) and by the core for meaning (order, sign), and every error names the line.

use std::path::Path;

use scalesim_core::{Bucket, BucketWindow, BuildError, Demand};

use crate::error::{ScenarioError, TraceError};
use crate::limits::{MAX_TRACE_BYTES, MAX_TRACE_ROWS, read_bounded};

/// Bucket columns and the seconds one of their buckets lasts.
const BUCKET_COLUMNS: [(&str, u64); 3] = [("minute", 60), ("second", 1), ("t_s", 1)];
const BUCKET_EXPECTED: &str = "`minute`, `second`, `t_s`";
const COUNT_COLUMNS: [&str; 3] = ["requests", "invocations", "sessions"];
const COUNT_EXPECTED: &str = "`requests`, `invocations`, `sessions`";

/// Reads the trace at `path` and turns its `window` into demand per step of `step_s` seconds.
pub fn read_trace(path: &Path, window: BucketWindow, step_s: u64) -> Result<Demand, TraceError> {
    let bytes = read_bounded(path, MAX_TRACE_BYTES, "a trace").map_err(|err| match err {
        ScenarioError::Read { path, error } => TraceError::Read { path, error },
        other => TraceError::TooLarge {
            path: path.to_owned(),
            message: other.to_string(),
        },
    })?;
    parse_trace(&bytes, path, window, step_s)
}

/// Parses trace bytes; `path` only names the file in errors.
pub fn parse_trace(
    bytes: &[u8],
    path: &Path,
    window: BucketWindow,
    step_s: u64,
) -> Result<Demand, TraceError> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let csv_error = |err: csv::Error| TraceError::Csv {
        path: path.to_owned(),
        line: err.position().map_or(1, csv::Position::line),
        message: match err.kind() {
            csv::ErrorKind::UnequalLengths {
                expected_len, len, ..
            } => format!("expected {expected_len} fields like the header, found {len}"),
            _ => err.to_string(),
        },
    };
    let headers = reader.headers().map_err(csv_error)?.clone();
    let find = |name: &str| headers.iter().position(|header| header == name);
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
            return Err(TraceError::TooLarge {
                path: path.to_owned(),
                message: format!(
                    "{}: line {line}: more than {MAX_TRACE_ROWS} rows, more than a trace may \
                     have: cut it into windows",
                    path.display()
                ),
            });
        }
        buckets.push(Bucket { index, count });
        lines.push(line);
    }
    if buckets.is_empty() {
        return Err(TraceError::Empty {
            path: path.to_owned(),
        });
    }
    Demand::from_buckets(&buckets, bucket_s, window, step_s).map_err(|reason| {
        let entry = match reason {
            BuildError::InvalidCount { entry, .. }
            | BuildError::CountTooLarge { entry, .. }
            | BuildError::BucketOrder { entry, .. } => Some(entry),
            _ => None,
        };
        TraceError::Demand {
            path: path.to_owned(),
            location: entry
                .and_then(|entry| lines.get(entry))
                .map(|line| format!("line {line}: "))
                .unwrap_or_default(),
            reason,
        }
    })
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
