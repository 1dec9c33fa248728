//! Timestamped points into a trace's buckets, by the rules of docs/semantics/traces.md: series
//! sorted and summed, the bucket width read from the timestamps, gaps counted and refused unless
//! asked to be zero, and each point's value turned into arrivals.
//!
//! The forms (a CSV with a timestamp column, each monitoring export) only read points and say
//! where each one is; every rule on time lives here, once.

use std::fmt;

use chrono::{DateTime, SecondsFormat};
use scalesim_core::Bucket;

/// Timestamps further from 1970 than this are refused: 9999-12-31T23:59:59.999Z, in
/// milliseconds. Differences of two timestamps then always fit an `i64`.
pub(super) const MAX_ABS_MS: i64 = 253_402_300_799_999;

/// One data point as a form read it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Point {
    /// Milliseconds since the Unix epoch, within [`MAX_ABS_MS`].
    pub(super) t_ms: i64,
    /// The value; `None` for a point the export holds without a value (Datadog's `null`, an
    /// Azure datapoint without the statistic read, an empty CSV cell), which counts as missing.
    pub(super) value: Option<f64>,
    /// Where the point is, as its form's [`Locate`] reads it.
    pub(super) at: u64,
}

/// Where a point is in its file, for messages.
pub(super) trait Locate {
    /// The place of the point's timestamp: `line 5` or `MetricDataResults[0].Timestamps[3]`.
    fn time(&self, at: u64) -> String;
    /// The place of the point's value.
    fn value(&self, at: u64) -> String;
}

/// What a data point means (`[load] value`): how it becomes arrivals in its bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ValueMeaning {
    /// The arrivals in the bucket (`"sum"`, the default): CloudWatch's Sum, Azure's total,
    /// Prometheus' `increase`, Datadog's `.as_count()`.
    Sum,
    /// Arrivals per second over the bucket (`"rate_per_s"`): count = value × width in seconds.
    RatePerSecond,
    /// Arrivals per minute over the bucket (`"rate_per_min"`): count = value × width / 60.
    RatePerMinute,
}

impl ValueMeaning {
    /// The factor from a value to arrivals in a bucket of `bucket_s` seconds.
    pub(super) fn factor(self, bucket_s: u64) -> f64 {
        match self {
            ValueMeaning::Sum => 1.0,
            ValueMeaning::RatePerSecond => bucket_s as f64,
            ValueMeaning::RatePerMinute => bucket_s as f64 / 60.0,
        }
    }

    /// The key's value as written.
    pub fn as_str(self) -> &'static str {
        match self {
            ValueMeaning::Sum => "sum",
            ValueMeaning::RatePerSecond => "rate_per_s",
            ValueMeaning::RatePerMinute => "rate_per_min",
        }
    }
}

/// What a gap in the timestamps does (`[load] gaps`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum GapPolicy {
    /// The trace is refused, with the gaps' count and first position (`"error"`, the default
    /// for traces with timestamps).
    Error,
    /// Each missing bucket has zero arrivals (`"zero"`, the spec's rule for bucket indices).
    Zero,
}

/// A trace's points as buckets.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Timed {
    /// Bucket `k` starts at `origin_ms + k × bucket_s` seconds.
    pub(super) buckets: Vec<Bucket>,
    /// The width read from the timestamps.
    pub(super) bucket_s: u64,
    /// The first timestamp, milliseconds since the Unix epoch.
    pub(super) origin_ms: i64,
}

/// Why points cannot be replayed: where (empty when the whole trace is at fault) and what.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Refusal {
    pub(super) location: String,
    pub(super) message: String,
}

impl Refusal {
    pub(super) fn at(location: String, message: String) -> Self {
        Self { location, message }
    }

    /// Its location as the start of a message: `where: `, nothing when the whole trace is at
    /// fault.
    pub(super) fn prefix(&self) -> String {
        if self.location.is_empty() {
            String::new()
        } else {
            format!("{}: ", self.location)
        }
    }

    fn whole(message: String) -> Self {
        Self {
            location: String::new(),
            message,
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.prefix(), self.message)
    }
}

/// `ms` as people read an instant: `2025-03-03T08:00:00Z`, with milliseconds when it has them.
pub(super) fn instant(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms).map_or_else(
        || format!("{ms} ms since 1970"),
        |time| time.to_rfc3339_opts(SecondsFormat::AutoSi, true),
    )
}

/// An RFC 3339 time (with its offset: `Z` or `+hh:mm`) in milliseconds since the Unix epoch.
pub(super) fn rfc3339_ms(text: &str) -> Result<i64, String> {
    let parsed = DateTime::parse_from_rfc3339(text.trim()).map_err(|_| {
        format!(
            "expected an RFC 3339 time with its offset, such as 2024-09-29T22:10:00+00:00 or \
             2024-09-29T22:10:00Z, got {text:?}"
        )
    })?;
    let ms = parsed.timestamp_millis();
    if ms.abs() > MAX_ABS_MS {
        return Err(format!("{text:?} is outside the years 1 to 9999"));
    }
    Ok(ms)
}

/// A number of seconds (`scale` 1000) or milliseconds (`scale` 1) since the Unix epoch, in
/// milliseconds, rounded to the nearest.
pub(super) fn number_ms(number: f64, scale: f64) -> Result<i64, String> {
    let ms = number * scale;
    if !(ms.is_finite() && ms.abs() <= MAX_ABS_MS as f64) {
        return Err(format!(
            "{number} {} since 1970 is outside the years 1 to 9999",
            if scale == 1.0 {
                "milliseconds"
            } else {
                "seconds"
            }
        ));
    }
    Ok(ms.round() as i64)
}

/// `n` buckets, in words.
fn buckets_word(n: u64) -> String {
    if n == 1 {
        "1 bucket".to_owned()
    } else {
        format!("{n} buckets")
    }
}

/// The rules a trace's points are read by.
#[derive(Debug, Clone, Copy)]
pub(super) struct Rules<'a> {
    pub(super) value: ValueMeaning,
    pub(super) gaps: GapPolicy,
    /// Said after the gap message: why this form may have gaps, if it is known to.
    pub(super) gap_hint: &'a str,
}

/// Turns `series` (each the points of one series, in any order) into buckets: each series
/// sorted, a timestamp repeated within one series refused, values checked, the series summed
/// timestamp by timestamp, then the width, the gaps and the arrivals of each bucket.
pub(super) fn build(
    series: Vec<Vec<Point>>,
    locate: &dyn Locate,
    rules: Rules<'_>,
) -> Result<Timed, Refusal> {
    let several = series.len() > 1;
    let mut merged: Vec<Point> = Vec::with_capacity(series.iter().map(Vec::len).sum());
    for mut points in series {
        points.sort_by_key(|point| point.t_ms);
        for pair in points.windows(2) {
            if let [earlier, later] = pair
                && earlier.t_ms == later.t_ms
            {
                return Err(Refusal::at(
                    locate.time(later.at),
                    format!(
                        "{} appears twice in one series (also at {}): a timestamp may not repeat",
                        instant(later.t_ms),
                        locate.time(earlier.at)
                    ),
                ));
            }
        }
        for point in &points {
            if let Some(value) = point.value
                && !(value.is_finite() && value >= 0.0)
            {
                return Err(Refusal::at(
                    locate.value(point.at),
                    format!("expected a finite count >= 0, got {value}"),
                ));
            }
        }
        merged.extend(points);
    }
    if several {
        // Stable: the points of one timestamp keep their series' order, the first names them.
        merged.sort_by_key(|point| point.t_ms);
        let mut summed: Vec<Point> = Vec::with_capacity(merged.len());
        for point in merged {
            match summed.last_mut() {
                Some(last) if last.t_ms == point.t_ms => {
                    last.value = match (last.value, point.value) {
                        (Some(a), Some(b)) => Some(a + b),
                        (a, b) => a.or(b),
                    };
                }
                _ => summed.push(point),
            }
        }
        merged = summed;
    }
    // A timestamp without a value still marks the grid: the width is read from every
    // timestamp, and the bucket counts as missing.
    if merged.iter().all(|point| point.value.is_none()) {
        return Err(Refusal::whole(
            "no data points: the export holds no timestamp with a value, nothing to replay"
                .to_owned(),
        ));
    }
    let (first, last) = match merged.as_slice() {
        [] => {
            return Err(Refusal::whole(
                "no data points: the export holds no timestamp with a value, nothing to replay"
                    .to_owned(),
            ));
        }
        [only] => {
            return Err(Refusal::at(
                locate.time(only.at),
                format!(
                    "one data point ({}): the bucket width is read from the steps between \
                     timestamps, so a trace needs at least two",
                    instant(only.t_ms)
                ),
            ));
        }
        [first, .., last] => (*first, *last),
    };
    // The smallest step between timestamps is the width: a gap only makes a step longer.
    let mut width = (i64::MAX, first, last);
    for pair in merged.windows(2) {
        if let [a, b] = pair {
            let step = b.t_ms - a.t_ms;
            if step < width.0 {
                width = (step, *a, *b);
            }
        }
    }
    let (width_ms, wa, wb) = width;
    if width_ms % 1000 != 0 {
        let (a, b) = (wa, wb);
        return Err(Refusal::at(
            locate.time(b.at),
            format!(
                "the smallest step between timestamps, from {} ({}) to {}, is {} s: a bucket \
                 must last whole seconds",
                instant(a.t_ms),
                locate.time(a.at),
                instant(b.t_ms),
                width_ms as f64 / 1000.0
            ),
        ));
    }
    let bucket_s = (width_ms / 1000) as u64;
    let mut missing = 0u64;
    // The first missing bucket: its time, and where it is (`after` a point, or a point
    // without a value).
    let mut first_gap: Option<(i64, String)> = None;
    for (position, point) in merged.iter().enumerate() {
        if let Some(previous) = position.checked_sub(1).and_then(|p| merged.get(p)) {
            let step = point.t_ms - previous.t_ms;
            if step % width_ms != 0 {
                return Err(Refusal::at(
                    locate.time(point.at),
                    format!(
                        "mixed widths: {} to {} is {} s, not a multiple of the bucket width, {} \
                         s (the smallest step between timestamps, from {} at {} to {})",
                        instant(previous.t_ms),
                        instant(point.t_ms),
                        step as f64 / 1000.0,
                        bucket_s,
                        instant(wa.t_ms),
                        locate.time(wa.at),
                        instant(wb.t_ms),
                    ),
                ));
            }
            let skipped = (step / width_ms - 1) as u64;
            if skipped > 0 {
                missing = missing.saturating_add(skipped);
                first_gap.get_or_insert_with(|| {
                    (
                        previous.t_ms + width_ms,
                        format!("after {}", locate.time(previous.at)),
                    )
                });
            }
        }
        if point.value.is_none() {
            missing = missing.saturating_add(1);
            first_gap.get_or_insert_with(|| {
                (
                    point.t_ms,
                    format!("{} has no value", locate.time(point.at)),
                )
            });
        }
    }
    if let Some((gap_ms, place)) = first_gap
        && rules.gaps == GapPolicy::Error
    {
        return Err(Refusal::whole(format!(
            "{} of {bucket_s} s missing in the trace from {} to {}, the first at {} ({place}): a gap is \
             refused unless [load] gaps = \"zero\" fills it with zero arrivals{}",
            buckets_word(missing),
            instant(first.t_ms),
            instant(last.t_ms),
            instant(gap_ms),
            rules.gap_hint,
        )));
    }
    let factor = rules.value.factor(bucket_s);
    let buckets = merged
        .iter()
        .filter_map(|point| {
            point.value.map(|value| Bucket {
                index: ((point.t_ms - first.t_ms) / width_ms) as u64,
                count: value * factor,
            })
        })
        .collect();
    Ok(Timed {
        buckets,
        bucket_s,
        origin_ms: first.t_ms,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Points located by their index: `#3`.
    struct ByIndex;

    impl Locate for ByIndex {
        fn time(&self, at: u64) -> String {
            format!("#{at} time")
        }
        fn value(&self, at: u64) -> String {
            format!("#{at} value")
        }
    }

    const T0: i64 = 1_700_000_000_000;

    fn points(list: &[(i64, Option<f64>)], first_at: u64) -> Vec<Point> {
        list.iter()
            .enumerate()
            .map(|(i, &(s, value))| Point {
                t_ms: T0 + s * 1000,
                value,
                at: first_at + i as u64,
            })
            .collect()
    }

    fn rules(value: ValueMeaning, gaps: GapPolicy) -> Rules<'static> {
        Rules {
            value,
            gaps,
            gap_hint: "",
        }
    }

    fn run(series: Vec<Vec<Point>>, value: ValueMeaning, gaps: GapPolicy) -> Result<Timed, String> {
        build(series, &ByIndex, rules(value, gaps)).map_err(|refusal| refusal.to_string())
    }

    fn counts(timed: &Timed) -> Vec<(u64, f64)> {
        timed.buckets.iter().map(|b| (b.index, b.count)).collect()
    }

    #[test]
    fn newest_first_points_are_sorted_and_the_width_is_read_from_them() {
        let series = points(&[(120, Some(0.0)), (60, Some(120.0)), (0, Some(60.0))], 0);
        let timed = run(vec![series], ValueMeaning::Sum, GapPolicy::Error).unwrap();
        assert_eq!(timed.bucket_s, 60);
        assert_eq!(timed.origin_ms, T0);
        assert_eq!(counts(&timed), vec![(0, 60.0), (1, 120.0), (2, 0.0)]);
    }

    #[test]
    fn series_are_summed_timestamp_by_timestamp() {
        // a: 10 at 0 s and 30 s; b: 1 at 30 s and 2 at 60 s; b's value at 0 s is missing.
        let a = points(&[(0, Some(10.0)), (30, Some(10.0))], 0);
        let b = points(&[(0, None), (30, Some(1.0)), (60, Some(2.0))], 10);
        let timed = run(vec![a, b], ValueMeaning::Sum, GapPolicy::Error).unwrap();
        assert_eq!(timed.bucket_s, 30);
        assert_eq!(counts(&timed), vec![(0, 10.0), (1, 11.0), (2, 2.0)]);
    }

    #[test]
    fn rates_become_counts_over_the_width() {
        let series = points(&[(0, Some(2.0)), (60, Some(0.5))], 0);
        let per_s = run(
            vec![series.clone()],
            ValueMeaning::RatePerSecond,
            GapPolicy::Error,
        );
        assert_eq!(counts(&per_s.unwrap()), vec![(0, 120.0), (1, 30.0)]);
        let per_min = run(vec![series], ValueMeaning::RatePerMinute, GapPolicy::Error);
        assert_eq!(counts(&per_min.unwrap()), vec![(0, 2.0), (1, 0.5)]);
    }

    #[test]
    fn gaps_are_counted_and_refused_unless_zero() {
        // 60 s buckets at 0, 60, 240, 300, 480: 2 missing (120, 180), then 2 more (360, 420).
        let list = [
            (0, Some(1.0)),
            (60, Some(1.0)),
            (240, Some(1.0)),
            (300, Some(1.0)),
            (480, Some(1.0)),
        ];
        assert_eq!(
            run(vec![points(&list, 0)], ValueMeaning::Sum, GapPolicy::Error),
            Err(format!(
                "4 buckets of 60 s missing in the trace from {} to {}, the first at {} (after #1 time): \
                 a gap is refused unless [load] gaps = \"zero\" fills it with zero arrivals",
                instant(T0),
                instant(T0 + 480_000),
                instant(T0 + 120_000)
            ))
        );
        let timed = run(vec![points(&list, 0)], ValueMeaning::Sum, GapPolicy::Zero).unwrap();
        assert_eq!(
            counts(&timed),
            vec![(0, 1.0), (1, 1.0), (4, 1.0), (5, 1.0), (8, 1.0)]
        );
    }

    #[test]
    fn a_missing_value_is_a_gap() {
        let list = [(0, Some(1.0)), (60, None), (120, Some(1.0))];
        let err = run(vec![points(&list, 0)], ValueMeaning::Sum, GapPolicy::Error).unwrap_err();
        assert!(
            err.starts_with("1 bucket of 60 s missing") && err.contains("(#1 time has no value)"),
            "{err}"
        );
        let timed = run(vec![points(&list, 0)], ValueMeaning::Sum, GapPolicy::Zero).unwrap();
        assert_eq!(counts(&timed), vec![(0, 1.0), (2, 1.0)]);
    }

    #[test]
    fn repeats_widths_and_values_are_refused_with_their_place() {
        let repeat = points(&[(0, Some(1.0)), (60, Some(1.0)), (60, Some(2.0))], 0);
        assert_eq!(
            run(vec![repeat], ValueMeaning::Sum, GapPolicy::Error),
            Err(format!(
                "#2 time: {} appears twice in one series (also at #1 time): a timestamp may \
                 not repeat",
                instant(T0 + 60_000)
            ))
        );
        let mixed = points(&[(0, Some(1.0)), (60, Some(1.0)), (150, Some(1.0))], 0);
        let err = run(vec![mixed], ValueMeaning::Sum, GapPolicy::Zero).unwrap_err();
        assert!(
            err.starts_with("#2 time: mixed widths: ") && err.contains(" is 90 s, not a multiple"),
            "{err}"
        );
        let fraction = vec![
            Point {
                t_ms: T0,
                value: Some(1.0),
                at: 0,
            },
            Point {
                t_ms: T0 + 1500,
                value: Some(1.0),
                at: 1,
            },
        ];
        let err = run(vec![fraction], ValueMeaning::Sum, GapPolicy::Zero).unwrap_err();
        assert!(
            err.contains("is 1.5 s: a bucket must last whole seconds"),
            "{err}"
        );
        let negative = points(&[(0, Some(1.0)), (60, Some(-1.0))], 0);
        assert_eq!(
            run(vec![negative], ValueMeaning::Sum, GapPolicy::Zero),
            Err("#1 value: expected a finite count >= 0, got -1".to_owned())
        );
    }

    #[test]
    fn no_point_or_one_point_is_refused() {
        let err = run(vec![Vec::new()], ValueMeaning::Sum, GapPolicy::Zero).unwrap_err();
        assert!(err.starts_with("no data points"), "{err}");
        let none = points(&[(0, None), (60, None)], 0);
        let err = run(vec![none], ValueMeaning::Sum, GapPolicy::Zero).unwrap_err();
        assert!(err.starts_with("no data points"), "{err}");
        let one = points(&[(0, Some(1.0))], 0);
        let err = run(vec![one], ValueMeaning::Sum, GapPolicy::Zero).unwrap_err();
        assert!(err.starts_with("#0 time: one data point"), "{err}");
    }
}
