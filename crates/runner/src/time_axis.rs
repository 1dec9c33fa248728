//! The time axis of every plot over a run: time since the start in minutes, hours or days, or,
//! when the run has a wall-clock start, ticks on round wall-clock times in the start's own UTC
//! offset.
//!
//! Wall-clock ticks follow what d3's time scale and matplotlib's `AutoDateLocator` do: the
//! smallest interval from a fixed ladder (seconds, minutes, hours, days, weeks, months, years)
//! that keeps the labels apart, ticks where the local clock is a whole multiple of it (hours
//! from midnight, days from the 1st of the month, weeks on Mondays, months from January, years
//! from year 0), and labels that say no more than the interval needs: `12:30` within one day,
//! `Jul 3 12:00` across days, `Mon Jul 3` day by day, `Jul 3` for longer steps in days and
//! weeks, `Jul 1995` for months, `1995` for years. The axis description names the offset and
//! the date of t = 0, which the shortest labels leave out.

use std::ops::Range;

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate};
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::coord::types::RangedCoordf64;

use crate::human::trim_zeros;

/// Unit of the time axis, chosen by the span of the run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum TimeUnit {
    /// Runs up to 3 hours.
    Minutes,
    /// Runs up to 3 days.
    Hours,
    /// Longer runs.
    Days,
}

impl TimeUnit {
    /// The unit that keeps tick labels small for a run of `span_s` seconds.
    pub(crate) fn for_span(span_s: f64) -> Self {
        if span_s <= 3.0 * 3600.0 {
            Self::Minutes
        } else if span_s <= 3.0 * 86_400.0 {
            Self::Hours
        } else {
            Self::Days
        }
    }

    /// Seconds in one unit.
    pub(crate) fn seconds(self) -> f64 {
        match self {
            Self::Minutes => 60.0,
            Self::Hours => 3600.0,
            Self::Days => 86_400.0,
        }
    }

    /// Plural name for axis descriptions.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Minutes => "minutes",
            Self::Hours => "hours",
            Self::Days => "days",
        }
    }
}

/// The time axis of a plot: coordinates are time since the start in [`TimeUnit`]s, whichever
/// way the ticks are labelled, so the series are drawn the same with or without a start.
#[derive(Debug, Clone)]
pub(crate) struct TimeAxis {
    unit: TimeUnit,
    /// Length of the run in axis units.
    span: f64,
    clock: Option<Clock>,
}

/// Wall-clock ticks: where they are (axis units) and how they read.
#[derive(Debug, Clone)]
struct Clock {
    start: DateTime<FixedOffset>,
    ticks: Vec<f64>,
    format: &'static str,
}

impl TimeAxis {
    /// The axis of a run of `span_s` seconds (finite, > 0) whose t = 0 is `start`, if known.
    pub(crate) fn new(span_s: f64, start: Option<DateTime<FixedOffset>>) -> Self {
        let unit = TimeUnit::for_span(span_s);
        let clock = start.and_then(|start| {
            let (ticks, format) = wall_clock_ticks(start, span_s)?;
            Some(Clock {
                start,
                ticks: ticks.into_iter().map(|t| t / unit.seconds()).collect(),
                format,
            })
        });
        Self {
            unit,
            span: span_s / unit.seconds(),
            clock,
        }
    }

    /// Unit of the axis coordinates.
    pub(crate) fn unit(&self) -> TimeUnit {
        self.unit
    }

    /// Length of the run in axis units.
    pub(crate) fn span(&self) -> f64 {
        self.span
    }

    /// The coordinate for plotters.
    pub(crate) fn coord(&self) -> TimeCoord {
        TimeCoord {
            range: 0.0..self.span,
            ticks: self.clock.as_ref().map(|clock| clock.ticks.clone()),
        }
    }

    /// Tick label of the axis coordinate `at`.
    pub(crate) fn label(&self, at: f64) -> String {
        match &self.clock {
            Some(clock) => after(
                clock.start,
                (at * self.unit.seconds() * 1000.0).round() as i64,
            )
            .map(|time| time.format(clock.format).to_string())
            .unwrap_or_default(),
            None => trim_zeros(format!("{at:.2}")),
        }
    }

    /// What the axis shows, under its labels.
    pub(crate) fn description(&self) -> String {
        match &self.clock {
            Some(clock) => format!(
                "time ({}), t = 0 at {}",
                offset_name(*clock.start.offset()),
                clock.start.format("%a %Y-%m-%d %H:%M")
            ),
            None => format!("time since start ({})", self.unit.name()),
        }
    }
}

/// `UTC`, or `UTC+05:30`, `UTC−04:00` (a minus sign, as in print).
fn offset_name(offset: FixedOffset) -> String {
    let s = offset.local_minus_utc();
    if s == 0 {
        return "UTC".to_string();
    }
    let sign = if s < 0 { '−' } else { '+' };
    let m = s.unsigned_abs() / 60;
    format!("UTC{sign}{:02}:{:02}", m / 60, m % 60)
}

/// The time coordinate for plotters: plotters' own ticks on time since the start, or the
/// wall-clock ticks given.
#[derive(Debug, Clone)]
pub(crate) struct TimeCoord {
    range: Range<f64>,
    ticks: Option<Vec<f64>>,
}

impl Ranged for TimeCoord {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        RangedCoordf64::from(self.range.clone()).map(value, limit)
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        match &self.ticks {
            None => RangedCoordf64::from(self.range.clone()).key_points(hint),
            Some(_) if hint.weight().allow_light_points() => Vec::new(),
            Some(ticks) => ticks.clone(),
        }
    }

    fn range(&self) -> Range<f64> {
        self.range.clone()
    }
}

/// An interval between wall-clock ticks.
#[derive(Debug, Clone, Copy)]
enum Interval {
    /// Seconds that divide a day: ticks where the seconds since local midnight are a multiple.
    Seconds(i64),
    /// Days: ticks at midnight on the 1st of the month and every so many days after it.
    Days(u32),
    /// Weeks: ticks at midnight on Mondays.
    Week,
    /// Months: ticks at midnight on the 1st of January and every so many months after it.
    Months(u32),
    /// Years: ticks at midnight on the 1st of January of years that are multiples.
    Years(i32),
}

impl Interval {
    /// Seconds between ticks, about, to skip intervals that would give far too many ticks.
    fn nominal_s(self) -> f64 {
        match self {
            Self::Seconds(s) => s as f64,
            Self::Days(d) => f64::from(d) * 86_400.0,
            Self::Week => 7.0 * 86_400.0,
            Self::Months(m) => f64::from(m) * 30.44 * 86_400.0,
            Self::Years(y) => f64::from(y) * 365.25 * 86_400.0,
        }
    }
}

/// Intervals from the shortest, before years (1, 2, 5 × 10^k).
const INTERVALS: [Interval; 23] = [
    Interval::Seconds(1),
    Interval::Seconds(2),
    Interval::Seconds(5),
    Interval::Seconds(10),
    Interval::Seconds(15),
    Interval::Seconds(30),
    Interval::Seconds(60),
    Interval::Seconds(2 * 60),
    Interval::Seconds(5 * 60),
    Interval::Seconds(10 * 60),
    Interval::Seconds(15 * 60),
    Interval::Seconds(30 * 60),
    Interval::Seconds(3600),
    Interval::Seconds(2 * 3600),
    Interval::Seconds(3 * 3600),
    Interval::Seconds(6 * 3600),
    Interval::Seconds(12 * 3600),
    Interval::Days(1),
    Interval::Days(2),
    Interval::Week,
    Interval::Months(1),
    Interval::Months(3),
    Interval::Months(6),
];

/// Most ticks whose labels fit side by side on a plot 1,600 px wide, by label length.
fn max_ticks(format: &str) -> usize {
    match format {
        "%b %-d %H:%M" => 8,
        "%H:%M:%S" | "%a %b %-d" | "%b %Y" => 10,
        _ => 14,
    }
}

/// Wall-clock ticks of a run of `span_s` seconds from `start`, as seconds since the start, and
/// the `strftime` format of their labels; `None` when no interval fits (a span beyond any
/// calendar chrono knows).
fn wall_clock_ticks(start: DateTime<FixedOffset>, span_s: f64) -> Option<(Vec<f64>, &'static str)> {
    let years = (0..9).flat_map(|k| [1, 2, 5].map(|m| Interval::Years(m * 10_i32.pow(k))));
    for interval in INTERVALS.into_iter().chain(years) {
        // A little over the most ticks any format allows: a calendar interval's count can be one
        // or two more than the span over its nominal length.
        if span_s / interval.nominal_s() > 16.0 {
            continue;
        }
        let ticks = ticks_of(start, span_s, interval)?;
        let format = format_of(start, span_s, interval)?;
        if ticks.len() <= max_ticks(format) {
            return Some((ticks, format));
        }
    }
    None
}

/// The label format for ticks `interval` apart over `span_s` seconds from `start`.
fn format_of(
    start: DateTime<FixedOffset>,
    span_s: f64,
    interval: Interval,
) -> Option<&'static str> {
    Some(match interval {
        Interval::Seconds(s) if s < 60 => "%H:%M:%S",
        Interval::Seconds(_) => {
            // The last instant of the run, so a run that ends at midnight is one day.
            let end = after(start, (span_s * 1000.0).round() as i64 - 1)?;
            if end.date_naive() == start.date_naive() {
                "%H:%M"
            } else {
                "%b %-d %H:%M"
            }
        }
        // Day by day, the weekday too: weekly patterns are what a week of traffic shows.
        Interval::Days(1) => "%a %b %-d",
        Interval::Days(_) | Interval::Week => "%b %-d",
        Interval::Months(_) => "%b %Y",
        Interval::Years(_) => "%Y",
    })
}

/// `ms` milliseconds after `start`, if chrono can tell the date.
fn after(start: DateTime<FixedOffset>, ms: i64) -> Option<DateTime<FixedOffset>> {
    start.checked_add_signed(Duration::try_milliseconds(ms)?)
}

/// The ticks `interval` apart within `[start, start + span_s]`, as seconds since the start.
fn ticks_of(start: DateTime<FixedOffset>, span_s: f64, interval: Interval) -> Option<Vec<f64>> {
    let offset = *start.offset();
    let start_ms = start.timestamp_millis();
    let span_ms = (span_s * 1000.0).round() as i64;
    let since_start = |ms: i64| (ms - start_ms) as f64 / 1000.0;
    let mut ticks = Vec::new();
    if let Interval::Seconds(s) = interval {
        // Local time is UTC time shifted by the offset, so multiples of `s` in local
        // milliseconds fall on the local clock's round times.
        let shift = i64::from(offset.local_minus_utc()) * 1000;
        let step = s * 1000;
        let mut local = (start_ms + shift).div_euclid(step) * step;
        if local < start_ms + shift {
            local += step;
        }
        let end = start_ms.checked_add(span_ms)?;
        while local - shift <= end {
            ticks.push(since_start(local - shift));
            local += step;
        }
        return Some(ticks);
    }
    let first = start.date_naive();
    let last = after(start, span_ms)?.date_naive();
    let midnight_ms = |date: NaiveDate| -> Option<i64> {
        let local = date.and_hms_opt(0, 0, 0)?;
        Some(
            local
                .and_local_timezone(offset)
                .single()?
                .timestamp_millis(),
        )
    };
    let mut date = match interval {
        Interval::Days(_) | Interval::Week => first,
        Interval::Months(_) => first.with_day(1)?,
        Interval::Years(_) | Interval::Seconds(_) => NaiveDate::from_ymd_opt(first.year(), 1, 1)?,
    };
    while date <= last {
        let on_tick = match interval {
            Interval::Days(d) => (date.day() - 1) % d == 0,
            Interval::Week => date.weekday() == chrono::Weekday::Mon,
            Interval::Months(m) => date.month0() % m == 0,
            Interval::Years(y) => date.year().rem_euclid(y) == 0,
            Interval::Seconds(_) => false,
        };
        let ms = midnight_ms(date)?;
        if on_tick && ms >= start_ms && ms <= start_ms + span_ms {
            ticks.push(since_start(ms));
        }
        date = match interval {
            Interval::Days(_) | Interval::Week => date.succ_opt()?,
            Interval::Months(_) => date.checked_add_months(chrono::Months::new(1))?,
            Interval::Years(_) | Interval::Seconds(_) => {
                NaiveDate::from_ymd_opt(date.year() + 1, 1, 1)?
            }
        };
    }
    Some(ticks)
}

#[cfg(test)]
mod tests {
    use super::*;
    use plotters::coord::ranged1d::BoldPoints;

    fn at(text: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(text).unwrap()
    }

    fn labels(start: &str, span_s: f64) -> Vec<String> {
        let axis = TimeAxis::new(span_s, Some(at(start)));
        axis.coord()
            .key_points(BoldPoints(14))
            .into_iter()
            .map(|t| axis.label(t))
            .collect()
    }

    #[test]
    fn ticks_fall_on_round_times_of_the_local_clock() {
        // 6 h from 08:10 at −05:00: 30 min gives 12 ticks, 08:30 to 14:00, as many as fit;
        // 15 min would give 24.
        let six_hours = labels("2025-03-03T08:10:00-05:00", 6.0 * 3600.0);
        assert_eq!(six_hours.len(), 12);
        assert_eq!(six_hours[0], "08:30");
        assert_eq!(six_hours[11], "14:00");
        // The same instant in UTC reads five hours later.
        assert_eq!(labels("2025-03-03T13:10:00Z", 6.0 * 3600.0)[0], "13:30");
        // 2 h at +05:45: every 10 min of the local clock, 13 ticks, which are not round in UTC
        // (19:10 is 13:25 UTC).
        assert_eq!(
            labels("2025-03-03T19:10:00+05:45", 7200.0),
            [
                "19:10", "19:20", "19:30", "19:40", "19:50", "20:00", "20:10", "20:20", "20:30",
                "20:40", "20:50", "21:00", "21:10"
            ]
            .map(String::from)
        );
    }

    #[test]
    fn longer_spans_move_to_dates_months_and_years() {
        // 3 days from Saturday 1 July 1995: 6 h would give 13 long labels (8 fit); 12 h gives 7.
        assert_eq!(
            labels("1995-07-01T00:00:00-04:00", 3.0 * 86_400.0),
            [
                "Jul 1 00:00",
                "Jul 1 12:00",
                "Jul 2 00:00",
                "Jul 2 12:00",
                "Jul 3 00:00",
                "Jul 3 12:00",
                "Jul 4 00:00"
            ]
            .map(String::from)
        );
        // A week from Monday 3 July: day by day, with the weekday.
        assert_eq!(
            labels("1995-07-03T00:00:00-04:00", 7.0 * 86_400.0),
            [
                "Mon Jul 3",
                "Tue Jul 4",
                "Wed Jul 5",
                "Thu Jul 6",
                "Fri Jul 7",
                "Sat Jul 8",
                "Sun Jul 9",
                "Mon Jul 10"
            ]
            .map(String::from)
        );
        // 58 days from 1 July: 1 day and 2 days give too many, Mondays from 3 July give 9.
        assert_eq!(
            labels("1995-07-01T00:00:00-04:00", 58.0 * 86_400.0),
            [
                "Jul 3", "Jul 10", "Jul 17", "Jul 24", "Jul 31", "Aug 7", "Aug 14", "Aug 21",
                "Aug 28"
            ]
            .map(String::from)
        );
        // 20 days from noon on 30 January: every day gives 20 ticks; every other day of the
        // month, counted from the 1st as d3 does, gives Jan 31 then Feb 1, 3, …, 19.
        assert_eq!(
            labels("2024-01-30T12:00:00Z", 20.0 * 86_400.0),
            [
                "Jan 31", "Feb 1", "Feb 3", "Feb 5", "Feb 7", "Feb 9", "Feb 11", "Feb 13",
                "Feb 15", "Feb 17", "Feb 19"
            ]
            .map(String::from)
        );
        // Two years from mid-March: quarters, from April.
        let quarters = labels("2023-03-15T00:00:00Z", 2.0 * 365.0 * 86_400.0);
        assert_eq!(quarters.first().unwrap(), "Apr 2023");
        assert_eq!(quarters.last().unwrap(), "Jan 2025");
        assert_eq!(quarters.len(), 8);
        assert_eq!(
            labels("2001-06-01T00:00:00Z", 30.0 * 365.25 * 86_400.0),
            ["2005", "2010", "2015", "2020", "2025", "2030"].map(String::from)
        );
    }

    #[test]
    fn the_unit_keeps_tick_labels_small() {
        assert_eq!(TimeUnit::for_span(3.0 * 3600.0), TimeUnit::Minutes);
        assert_eq!(TimeUnit::for_span(2.0 * 86_400.0), TimeUnit::Hours);
        assert_eq!(TimeUnit::for_span(10.0 * 86_400.0), TimeUnit::Days);
    }

    #[test]
    fn spans_past_the_calendar_fall_back_to_time_since_start() {
        // The longest run (10^7 steps of a day) from the last day chrono's years 9999 reach:
        // ticks every 2,000 years, or none, and no panic.
        let start = at("9999-12-31T00:00:00Z");
        let axis = TimeAxis::new(8.64e11, Some(start));
        let labels: Vec<String> = axis
            .coord()
            .key_points(BoldPoints(14))
            .into_iter()
            .map(|t| axis.label(t))
            .collect();
        assert!(labels.len() <= 14, "{labels:?}");
        assert!(labels.iter().all(|label| !label.is_empty()), "{labels:?}");
        let axis = TimeAxis::new(f64::MAX, Some(start));
        assert_eq!(axis.description(), "time since start (days)");
    }

    #[test]
    fn a_run_without_a_start_counts_from_zero() {
        let axis = TimeAxis::new(2.0 * 3600.0, None);
        assert_eq!(axis.unit(), TimeUnit::Minutes);
        assert_eq!(axis.span(), 120.0);
        assert_eq!(axis.label(37.5), "37.5");
        assert_eq!(axis.description(), "time since start (minutes)");
        for n in [14, 6] {
            let plotters = RangedCoordf64::from(0.0..120.0).key_points(BoldPoints(n));
            assert_eq!(axis.coord().key_points(BoldPoints(n)), plotters);
        }
    }

    #[test]
    fn the_description_names_the_offset_and_the_date_of_t_0() {
        let axis = TimeAxis::new(86_400.0, Some(at("1995-07-03T00:00:00-04:00")));
        assert_eq!(
            axis.description(),
            "time (UTC−04:00), t = 0 at Mon 1995-07-03 00:00"
        );
        let axis = TimeAxis::new(86_400.0, Some(at("1995-07-03T04:00:00Z")));
        assert_eq!(
            axis.description(),
            "time (UTC), t = 0 at Mon 1995-07-03 04:00"
        );
        assert_eq!(
            offset_name(FixedOffset::east_opt(20_700).unwrap()),
            "UTC+05:45"
        );
    }
}
