//! The `Schedule` of an AWS Application Auto Scaling scheduled action (PutScheduledAction),
//! parsed as AWS documents it and resolved, with the action's `Timezone`, `StartTime` and
//! `EndTime`, into the UTC instants at which the action fires within a simulated run.
//!
//! Sources, quoted where a rule is implemented:
//! - API: <https://docs.aws.amazon.com/autoscaling/application/APIReference/API_PutScheduledAction.html>
//! - User guide, "Scheduled scaling":
//!   <https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-scheduled-scaling.html>
//! - User guide, cron page:
//!   <https://docs.aws.amazon.com/autoscaling/application/userguide/scheduled-scaling-using-cron-expressions.html>,
//!   which defers to the EventBridge "Cron expressions reference" for the syntax:
//!   <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html>
//! - User guide, "Example scheduled actions":
//!   <https://docs.aws.amazon.com/autoscaling/application/userguide/examples-scheduled-actions.html>
//!
//! Where AWS is silent the code says "Model choice". AWS's cron dialect (day-of-week 1 = SUN,
//! `?`, `L`, `W`, `#`, years 1970-2199) is the Quartz scheduler's, so where AWS's pages stop and
//! Quartz's rules are unambiguous, Quartz's are followed and named.

use chrono::{
    DateTime, Datelike, LocalResult, NaiveDate, NaiveDateTime, TimeDelta, TimeZone, Timelike, Utc,
};
use chrono_tz::Tz;
use serde_json::Value;

/// A parsed `Schedule`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ScheduleExpression {
    /// `at(yyyy-mm-ddThh:mm:ss)`: once, at this local time in `Timezone`.
    At(NaiveDateTime),
    /// `rate(value unit)`: every `value` units of elapsed time.
    Rate {
        /// How many units lie between two firings, at least 1.
        value: u32,
        /// The unit of `value`.
        unit: RateUnit,
    },
    /// `cron(fields)`: at every local time in `Timezone` that the six fields match.
    Cron(AwsCron),
}

/// The unit of a `rate(value unit)` expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RateUnit {
    /// `minute` or `minutes`.
    Minute,
    /// `hour` or `hours`.
    Hour,
    /// `day` or `days`: 24 hours of elapsed time, whatever the clocks do.
    Day,
}

impl RateUnit {
    /// The unit's length in seconds.
    fn seconds(self) -> i64 {
        match self {
            RateUnit::Minute => 60,
            RateUnit::Hour => 3_600,
            RateUnit::Day => 86_400,
        }
    }
}

/// A checked six-field AWS cron expression: `[Minutes] [Hours] [Day-of-month] [Month]
/// [Day-of-week] [Year]`, which cannot hold a value out of its field's range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AwsCron {
    /// Minutes 0-59.
    minutes: ValueSet,
    /// Hours 0-23.
    hours: ValueSet,
    /// Whichever of Day-of-month and Day-of-week is not `?`.
    days: DayRule,
    /// Months 1-12.
    months: ValueSet,
    /// Years 1970-2199.
    years: ValueSet<4>,
}

/// The days a cron expression picks, from the one day field that is not `?` (EventBridge: "You
/// can't specify the Day-of-month and Day-of-week fields in the same cron expression").
#[derive(Debug, Clone, PartialEq, Eq)]
enum DayRule {
    /// Day-of-month names the days.
    MonthDays(MonthDays),
    /// Day-of-week names the days.
    WeekDays(WeekDays),
}

/// A Day-of-month field.
#[derive(Debug, Clone, PartialEq, Eq)]
enum MonthDays {
    /// Days 1-31 from `,` `-` `*` `/`; a day past the month's end matches nothing that month.
    Set(ValueSet),
    /// `L`: "the last day of the month".
    Last,
    /// `LW`: the last weekday (Monday to Friday) of the month. AWS's pages do not list it, but
    /// its console takes it and Quartz defines it.
    LastWeekday,
    /// `nW`: the weekday "closest to the" n-th day of the month (EventBridge's `3W`), never
    /// leaving the month (Quartz); in a month without day n, no day.
    NearestWeekday(u32),
}

/// A Day-of-week field, 1 = SUN to 7 = SAT.
#[derive(Debug, Clone, PartialEq, Eq)]
enum WeekDays {
    /// Weekdays from `,` `-` `*`, and `L` alone, "the last day of the week" (7, SAT).
    Set(ValueSet),
    /// `nL`: the last weekday n of the month (`6L`, the last Friday, in EventBridge's example).
    Last(u32),
    /// `n#k`: "a certain instance of the specified day of the week within a month" (`3#2`, the
    /// second Tuesday); in a month without a k-th one, no day.
    Nth {
        /// The weekday, 1 = SUN to 7 = SAT.
        weekday: u32,
        /// Which of the month's such weekdays, 1-5.
        nth: u32,
    },
}

/// A set of one field's values, as bits counted from the field's smallest value: one word holds
/// every field but Year, whose 230 years take four.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ValueSet<const WORDS: usize = 1> {
    /// The value of bit 0.
    offset: u32,
    /// 64 × `WORDS` bits.
    bits: [u64; WORDS],
}

impl<const WORDS: usize> ValueSet<WORDS> {
    /// The empty set of a field whose smallest value is `offset`.
    fn empty(offset: u32) -> Self {
        Self {
            offset,
            bits: [0; WORDS],
        }
    }

    /// Adds `value`; the parser has checked it lies in the field's range.
    fn insert(&mut self, value: u32) {
        let Some(idx) = value.checked_sub(self.offset) else {
            return;
        };
        if let Some(word) = self.bits.get_mut((idx / 64) as usize) {
            *word |= 1 << (idx % 64);
        }
    }

    /// Whether `value` is in the set.
    fn contains(&self, value: u32) -> bool {
        value.checked_sub(self.offset).is_some_and(|idx| {
            self.bits
                .get((idx / 64) as usize)
                .is_some_and(|word| word & (1 << (idx % 64)) != 0)
        })
    }

    /// The values in ascending order.
    fn values(&self) -> Vec<u32> {
        (self.offset..self.offset + 64 * WORDS as u32)
            .filter(|&value| self.contains(value))
            .collect()
    }
}

/// One cron field: its name as EventBridge's table writes it, its values and its bounds.
struct Field {
    /// The field's name in messages.
    name: &'static str,
    /// The smallest value.
    min: u32,
    /// The largest value.
    max: u32,
    /// Names standing for `min`, `min + 1`, ...; empty for numeric fields.
    names: &'static [&'static str],
    /// The values as EventBridge's table lists them.
    expected: &'static str,
    /// The largest increment after `/`. AWS documents no bound; these are Quartz's: the field's
    /// largest value, or the span of the Year field.
    max_step: u32,
    /// Whether a range may run past the field's end and on from its start (Quartz: `22-2` hours
    /// are 22, 23, 0, 1, 2); not for years.
    wraps: bool,
}

const MINUTES: Field = Field {
    name: "Minutes",
    min: 0,
    max: 59,
    names: &[],
    expected: "0-59",
    max_step: 59,
    wraps: true,
};

const HOURS: Field = Field {
    name: "Hours",
    min: 0,
    max: 23,
    names: &[],
    expected: "0-23",
    max_step: 23,
    wraps: true,
};

const DAY_OF_MONTH: Field = Field {
    name: "Day-of-month",
    min: 1,
    max: 31,
    names: &[],
    expected: "1-31",
    max_step: 31,
    wraps: true,
};

const MONTH: Field = Field {
    name: "Month",
    min: 1,
    max: 12,
    names: &[
        "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
    ],
    expected: "1-12 or JAN-DEC",
    max_step: 12,
    wraps: true,
};

const DAY_OF_WEEK: Field = Field {
    name: "Day-of-week",
    min: 1,
    max: 7,
    names: &["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"],
    expected: "1-7 or SUN-SAT",
    max_step: 7,
    wraps: true,
};

const YEAR: Field = Field {
    name: "Year",
    min: 1970,
    max: 2199,
    names: &[],
    expected: "1970-2199",
    max_step: 229,
    wraps: false,
};

/// Saturday in Day-of-week numbering, where 1 is Sunday.
const SATURDAY: u32 = 7;

/// Sunday in Day-of-week numbering.
const SUNDAY: u32 = 1;

/// The three forms `Schedule` takes, for messages.
const FORMS: &str = "at(yyyy-mm-ddThh:mm:ss), rate(value unit) or cron(fields)";

impl ScheduleExpression {
    /// Parses `at(yyyy-mm-ddThh:mm:ss)`, `rate(value unit)` or `cron(fields)` (API: "The
    /// following formats are supported").
    ///
    /// An error names what was expected and what was found. AWS publishes no wording for the
    /// ValidationException it returns for a bad `Schedule`, so the messages are ours; the
    /// caller prefixes the file and the field.
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let inner = |prefix: &str| {
            text.strip_prefix(prefix)
                .and_then(|rest| rest.strip_suffix(')'))
        };
        if let Some(at) = inner("at(") {
            parse_at(at).map(ScheduleExpression::At)
        } else if let Some(rate) = inner("rate(") {
            parse_rate(rate)
        } else if let Some(cron) = inner("cron(") {
            AwsCron::parse(cron).map(ScheduleExpression::Cron)
        } else {
            Err(format!("must be {FORMS}, got '{text}'"))
        }
    }
}

/// Parses the inside of `at(...)`: exactly `yyyy-mm-ddThh:mm:ss`, a real date and time.
fn parse_at(text: &str) -> Result<NaiveDateTime, String> {
    // AWS's own describe-scheduled-actions example prints at(2020-12-08T9:36:00): an hour of one
    // digit is taken as AWS took it.
    let padded;
    let text = if text.is_ascii() && text.len() == 18 && text.as_bytes().get(12) == Some(&b':') {
        padded = format!("{}0{}", &text[..11], &text[11..]);
        padded.as_str()
    } else {
        text
    };
    // chrono's parser takes one-digit months and other shapes AWS's pattern does not.
    let shaped = text.len() == 19
        && text.bytes().enumerate().all(|(idx, byte)| match idx {
            4 | 7 => byte == b'-',
            10 => byte == b'T',
            13 | 16 => byte == b':',
            _ => byte.is_ascii_digit(),
        });
    shaped
        .then(|| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S").ok())
        .flatten()
        // chrono reads second 60 as a leap second, which no schedule names.
        .filter(|local| local.nanosecond() == 0)
        .ok_or_else(|| {
            format!(
                "at(yyyy-mm-ddThh:mm:ss) must hold a real date and time in that form, such as \
                 at(2021-03-31T22:00:00), got at({text})"
            )
        })
}

/// Parses the inside of `rate(...)`: API, "value is a positive integer and unit is minute |
/// minutes | hour | hours | day | days".
///
/// EventBridge also requires the singular for 1 and the plural above it, and Application Auto
/// Scaling's examples page links to that rule without stating it for scheduled actions; being
/// undocumented here, both numbers are accepted with either unit (model choice).
fn parse_rate(text: &str) -> Result<ScheduleExpression, String> {
    let parts: Vec<&str> = text.split_whitespace().collect();
    let [value, unit] = parts.as_slice() else {
        return Err(format!(
            "rate(value unit) takes a value and a unit, such as rate(5 minutes), got rate({text})"
        ));
    };
    let value = Some(*value)
        .filter(|digits| digits.bytes().all(|byte| byte.is_ascii_digit()))
        .and_then(|digits| digits.parse::<u32>().ok())
        .filter(|&value| value >= 1)
        .ok_or_else(|| {
            format!("rate(value unit): value must be a positive integer, got '{value}'")
        })?;
    let unit = match *unit {
        "minute" | "minutes" => RateUnit::Minute,
        "hour" | "hours" => RateUnit::Hour,
        "day" | "days" => RateUnit::Day,
        other => {
            return Err(format!(
                "rate(value unit): unit must be minute, minutes, hour, hours, day or days, got \
                 '{other}'"
            ));
        }
    };
    Ok(ScheduleExpression::Rate { value, unit })
}

impl AwsCron {
    /// Parses the inside of `cron(...)`: six fields separated by white space.
    fn parse(text: &str) -> Result<Self, String> {
        let fields: Vec<&str> = text.split_whitespace().collect();
        let [minutes, hours, day_of_month, month, day_of_week, year] = fields.as_slice() else {
            // The cron page's "Exception" also describes a seven-field form with Seconds first,
            // without guaranteeing the second; the simulation keeps to the six fields.
            let seconds = if fields.len() == 7 {
                " (the seven-field form with Seconds is not simulated)"
            } else {
                ""
            };
            return Err(format!(
                "cron(fields) takes six fields, [Minutes] [Hours] [Day-of-month] [Month] \
                 [Day-of-week] [Year], got {} in cron({text}){seconds}",
                fields.len()
            ));
        };
        // EventBridge: "If you specify a value (or a *) in one of the fields, you must use a ?
        // (question mark) in the other."
        let by_day_of_week = match (*day_of_month == "?", *day_of_week == "?") {
            (true, true) => {
                return Err(format!(
                    "cron({text}): Day-of-month and Day-of-week are both '?', and one of them \
                     must name the days"
                ));
            }
            (false, false) => {
                return Err(format!(
                    "cron({text}): Day-of-month '{day_of_month}' and Day-of-week \
                     '{day_of_week}' both name days; one of them must be '?'"
                ));
            }
            (day_of_month_is_any, _) => day_of_month_is_any,
        };
        let minutes = parse_set(&MINUTES, minutes)?;
        let hours = parse_set(&HOURS, hours)?;
        let days = if by_day_of_week {
            DayRule::WeekDays(parse_week_days(day_of_week)?)
        } else {
            DayRule::MonthDays(parse_month_days(day_of_month)?)
        };
        Ok(Self {
            minutes,
            hours,
            days,
            months: parse_set(&MONTH, month)?,
            years: parse_set(&YEAR, year)?,
        })
    }

    /// The days of `month` in `year` the expression picks, as bit d for day d.
    fn day_mask(&self, year: i32, month: u32) -> u32 {
        let Some(first) = NaiveDate::from_ymd_opt(year, month, 1) else {
            return 0;
        };
        let last_day = u32::from(first.num_days_in_month());
        let first_weekday = first.weekday().number_from_sunday();
        let weekday_of = |day: u32| (first_weekday + day - 2) % 7 + 1;
        let bit = |day: u32| 1u32 << day;
        match &self.days {
            DayRule::MonthDays(MonthDays::Set(set)) => (1..=last_day)
                .filter(|&day| set.contains(day))
                .fold(0, |mask, day| mask | bit(day)),
            DayRule::MonthDays(MonthDays::Last) => bit(last_day),
            DayRule::MonthDays(MonthDays::LastWeekday) => {
                bit(nearest_weekday(last_day, last_day, weekday_of(last_day)))
            }
            DayRule::MonthDays(MonthDays::NearestWeekday(day)) => {
                if *day > last_day {
                    0
                } else {
                    bit(nearest_weekday(*day, last_day, weekday_of(*day)))
                }
            }
            DayRule::WeekDays(WeekDays::Set(set)) => (1..=last_day)
                .filter(|&day| set.contains(weekday_of(day)))
                .fold(0, |mask, day| mask | bit(day)),
            DayRule::WeekDays(WeekDays::Last(weekday)) => {
                bit(last_day - (weekday_of(last_day) + 7 - weekday) % 7)
            }
            DayRule::WeekDays(WeekDays::Nth { weekday, nth }) => {
                let day = 1 + (weekday + 7 - first_weekday) % 7 + 7 * (nth - 1);
                if day <= last_day { bit(day) } else { 0 }
            }
        }
    }
}

/// Quartz's `W`: a Saturday moves to the Friday before, or to Monday the 3rd when it is the 1st;
/// a Sunday moves to the Monday after, or to the Friday before when it is the month's last day.
fn nearest_weekday(day: u32, last_day: u32, weekday: u32) -> u32 {
    match weekday {
        SATURDAY if day == 1 => 3,
        SATURDAY => day - 1,
        SUNDAY if day == last_day => day - 2,
        SUNDAY => day + 1,
        _ => day,
    }
}

/// The error for field `field` written `text`.
fn field_error(field: &Field, text: &str, problem: &str) -> String {
    format!("{} '{text}': {problem}", field.name)
}

/// One value of `field`: a number in range, or a name for fields that have them (names ignore
/// case, as in Quartz and AWS's console).
fn parse_value(field: &Field, whole: &str, text: &str) -> Result<u32, String> {
    let value = if !text.is_empty() && text.bytes().all(|byte| byte.is_ascii_digit()) {
        text.parse::<u32>().ok()
    } else {
        field
            .names
            .iter()
            .zip(field.min..)
            .find(|(name, _)| name.eq_ignore_ascii_case(text))
            .map(|(_, value)| value)
    };
    value
        .filter(|value| (field.min..=field.max).contains(value))
        .ok_or_else(|| {
            field_error(
                field,
                whole,
                &format!("values must be {}, got '{text}'", field.expected),
            )
        })
}

/// A field made of `,` `-` `*` `/` terms (EventBridge's wildcards for every field but the two
/// day fields' extras).
///
/// `a/n` runs from a to the field's end in steps of n, `*/n` from its start, `a-b/n` within the
/// range. A range whose start exceeds its end wraps where the field allows it and is an error
/// where it does not.
fn parse_set<const WORDS: usize>(field: &Field, text: &str) -> Result<ValueSet<WORDS>, String> {
    let mut set = ValueSet::empty(field.min);
    for term in text.split(',') {
        let (range, step) = match term.split_once('/') {
            Some((range, step)) => (range, Some(parse_step(field, text, step)?)),
            None => (term, None),
        };
        let (first, last) = if range == "*" {
            (field.min, field.max)
        } else if let Some((first, last)) = range.split_once('-') {
            (
                parse_value(field, text, first)?,
                parse_value(field, text, last)?,
            )
        } else {
            let first = parse_value(field, text, range)?;
            (first, if step.is_some() { field.max } else { first })
        };
        let span = field.max - field.min + 1;
        let end = if last >= first {
            last
        } else if !field.wraps {
            return Err(field_error(
                field,
                text,
                &format!("a range must run from the earlier year to the later, got '{range}'"),
            ));
        } else {
            last + span
        };
        let step = step.unwrap_or(1);
        let mut value = first;
        while value <= end {
            set.insert(field.min + (value - field.min) % span);
            value += step;
        }
    }
    Ok(set)
}

/// The increment after `/`: EventBridge, "The / (slash) wildcard specifies increments".
fn parse_step(field: &Field, whole: &str, text: &str) -> Result<u32, String> {
    Some(text)
        .filter(|digits| !digits.is_empty() && digits.bytes().all(|byte| byte.is_ascii_digit()))
        .and_then(|digits| digits.parse::<u32>().ok())
        .filter(|step| (1..=field.max_step).contains(step))
        .ok_or_else(|| {
            field_error(
                field,
                whole,
                &format!(
                    "the increment after / must be a whole number from 1 to {}, got '{text}'",
                    field.max_step
                ),
            )
        })
}

/// A Day-of-month field other than `?`: EventBridge's `, - * / L W`. `L`, `LW` and `nW` stand
/// alone in the field (Quartz: no lists or ranges with them).
fn parse_month_days(text: &str) -> Result<MonthDays, String> {
    let upper = text.to_ascii_uppercase();
    if upper == "L" {
        return Ok(MonthDays::Last);
    }
    if upper == "LW" {
        return Ok(MonthDays::LastWeekday);
    }
    if let Some(day) = upper.strip_suffix('W') {
        if day.contains([',', '-', '*', '/']) {
            return Err(field_error(
                &DAY_OF_MONTH,
                text,
                "W takes one day, alone in the field, such as 15W",
            ));
        }
        return parse_value(&DAY_OF_MONTH, text, day).map(MonthDays::NearestWeekday);
    }
    if upper.contains(['L', 'W', '#']) {
        return Err(field_error(
            &DAY_OF_MONTH,
            text,
            "L, LW and nW (such as 15W) stand alone in the field, and # belongs to Day-of-week",
        ));
    }
    parse_set(&DAY_OF_MONTH, &upper).map(MonthDays::Set)
}

/// A Day-of-week field other than `?`: EventBridge's `, - * ? L #`, without `/`, which its
/// table does not list for this field. `L`, `nL` and `n#k` stand alone in the field
/// (EventBridge: "If you use a '#' character, you can define only one expression in the
/// day-of-week field").
fn parse_week_days(text: &str) -> Result<WeekDays, String> {
    let upper = text.to_ascii_uppercase();
    if upper == "L" {
        let mut saturday = ValueSet::empty(DAY_OF_WEEK.min);
        saturday.insert(SATURDAY);
        return Ok(WeekDays::Set(saturday));
    }
    let alone = |form: &str| {
        field_error(
            &DAY_OF_WEEK,
            text,
            &format!("{form} takes one weekday, alone in the field, such as 3#2 or 6L"),
        )
    };
    if let Some((weekday, nth)) = upper.split_once('#') {
        if upper.contains([',', '-', '*', '/']) {
            return Err(alone("#"));
        }
        let weekday = parse_value(&DAY_OF_WEEK, text, weekday)?;
        let nth = Some(nth)
            .filter(|digit| digit.len() == 1)
            .and_then(|digit| digit.parse::<u32>().ok())
            .filter(|nth| (1..=5).contains(nth))
            .ok_or_else(|| {
                field_error(
                    &DAY_OF_WEEK,
                    text,
                    &format!("the number after # must be 1-5, got '{nth}'"),
                )
            })?;
        return Ok(WeekDays::Nth { weekday, nth });
    }
    if let Some(weekday) = upper.strip_suffix('L') {
        if upper.contains([',', '-', '*', '/']) {
            return Err(alone("L"));
        }
        return parse_value(&DAY_OF_WEEK, text, weekday).map(WeekDays::Last);
    }
    if upper.contains('/') {
        return Err(field_error(
            &DAY_OF_WEEK,
            text,
            "takes , - * ? L # but not /, as AWS's table lists",
        ));
    }
    parse_set(&DAY_OF_WEEK, &upper).map(WeekDays::Set)
}

/// The instants, in order, at which an action with this schedule fires within
/// [`window_start`, `window_end`), at most `limit` of them.
///
/// - `timezone` is `Timezone`, an IANA name, "UTC" when absent (API: "If a time zone is not
///   provided, UTC is used by default"); an unknown name is an error naming it. It applies to
///   `at` and `cron` only (API: "the time zone used when setting a scheduled action by using an
///   at or cron expression"); a rate counts elapsed time.
/// - An action fires only at or after `start_time` and at or before `end_time` (API: "they form
///   the boundaries for when the recurring action starts and stops"; the cron page: "If you
///   specify an end time, the action stops repeating after this time"). Model choice: the
///   bounds apply to `at` as well, and an `end_time` before `start_time` is an error.
/// - `at`: once, at its local time.
/// - `rate`: model choice for the first firing: `start_time` when given, else `window_start`.
///   AWS fires a rate from the action's creation time, which a replay does not have. Firings
///   follow every `value` × unit of elapsed time, so `rate(1 day)` keeps UTC time across a
///   daylight-saving change.
/// - `cron`: at each matching local time, and also at `start_time` itself (user guide, both
///   scheduled scaling pages: "If you specify a start time, Application Auto Scaling performs
///   the action at this time, and then performs the action based on the specified
///   recurrence"); a `start_time` that the cron also matches fires once.
/// - Daylight saving: AWS says only that a zone "automatically adjusts for Daylight Saving Time
///   (DST)". Model choice, as EventBridge Scheduler documents for its own schedules: a local
///   time in a spring-forward gap does not exist and is skipped (for `at` too, which then never
///   fires), and a local time repeated in a fall-back hour fires once, at its first (earlier)
///   instant.
///
/// An error names the field it is about (`Timezone`, `EndTime`, or `Schedule` when the action
/// fires more than `limit` times in the window).
pub(crate) fn occurrences(
    expression: &ScheduleExpression,
    timezone: Option<&str>,
    start_time: Option<DateTime<Utc>>,
    end_time: Option<DateTime<Utc>>,
    window_start: DateTime<Utc>,
    window_end: DateTime<Utc>,
    limit: usize,
) -> Result<Vec<DateTime<Utc>>, String> {
    let name = timezone.unwrap_or("UTC");
    let zone: Tz = name.parse().map_err(|_| {
        format!(
            "Timezone: unknown time zone '{name}'; it must be a canonical IANA time zone name \
             such as 'America/New_York' or 'Etc/GMT+9'"
        )
    })?;
    if let (Some(start), Some(end)) = (start_time, end_time)
        && end < start
    {
        return Err(format!(
            "EndTime: must not be before StartTime ({}), got {}",
            start.to_rfc3339(),
            end.to_rfc3339()
        ));
    }
    let bounds = Bounds {
        from: start_time.map_or(window_start, |start| start.max(window_start)),
        until: window_end,
        last: end_time,
    };
    let instants: Vec<DateTime<Utc>> = match expression {
        ScheduleExpression::At(local) => local_instant(zone, *local)
            .filter(|&at| bounds.contains(at))
            .into_iter()
            .collect(),
        ScheduleExpression::Rate { value, unit } => {
            let anchor = start_time.unwrap_or(window_start);
            rate_instants(anchor, i64::from(*value) * unit.seconds(), &bounds, limit)?
        }
        ScheduleExpression::Cron(cron) => {
            let mut instants = cron_instants(cron, zone, &bounds, limit)?;
            // Every cron instant is at or after `from`, itself at or after `start_time`.
            if let Some(start) = start_time.filter(|&start| bounds.contains(start))
                && instants.first() != Some(&start)
            {
                instants.insert(0, start);
            }
            instants
        }
    };
    if instants.len() > limit {
        return Err(too_many(limit));
    }
    Ok(instants)
}

/// The error for a schedule that fires more than `limit` times in the window.
fn too_many(limit: usize) -> String {
    format!("Schedule: fires more than {limit} times within the run, and the limit is {limit}")
}

/// The instants an action may fire at: from `from` on, before `until`, and not after `last`.
struct Bounds {
    /// The first allowed instant: the window's start or `StartTime`, whichever is later.
    from: DateTime<Utc>,
    /// The window's end, excluded.
    until: DateTime<Utc>,
    /// `EndTime`, included.
    last: Option<DateTime<Utc>>,
}

impl Bounds {
    /// Whether the action may fire at `at`.
    fn contains(&self, at: DateTime<Utc>) -> bool {
        at >= self.from && at < self.until && self.last.is_none_or(|last| at <= last)
    }
}

/// The instant local time `local` names in `zone`: none in a spring-forward gap, the earlier
/// of two in a fall-back hour (model choice; see [`occurrences`]).
fn local_instant(zone: Tz, local: NaiveDateTime) -> Option<DateTime<Utc>> {
    match zone.from_local_datetime(&local) {
        LocalResult::Single(at) => Some(at.to_utc()),
        LocalResult::Ambiguous(first, second) => Some(first.min(second).to_utc()),
        LocalResult::None => None,
    }
}

/// `delta` in nanoseconds, wide enough for any two instants chrono holds.
fn nanoseconds(delta: TimeDelta) -> i128 {
    i128::from(delta.num_seconds()) * 1_000_000_000 + i128::from(delta.subsec_nanos())
}

/// The instants `anchor + k × period_s` within `bounds`, counted before any is built so that a
/// schedule over the limit costs nothing.
fn rate_instants(
    anchor: DateTime<Utc>,
    period_s: i64,
    bounds: &Bounds,
    limit: usize,
) -> Result<Vec<DateTime<Utc>>, String> {
    let period_ns = i128::from(period_s) * 1_000_000_000;
    // The first k at or after `from`; `from` is never before `anchor`.
    let after_from = nanoseconds(bounds.from - anchor).max(0);
    let first_k = (after_from + period_ns - 1) / period_ns;
    // One past the last k before `until`, and one past the last k at or before `last`.
    let before_until = nanoseconds(bounds.until - anchor);
    let mut end_k = if before_until <= 0 {
        0
    } else {
        (before_until + period_ns - 1) / period_ns
    };
    if let Some(last) = bounds.last {
        let to_last = nanoseconds(last - anchor);
        end_k = end_k.min(if to_last < 0 {
            0
        } else {
            to_last / period_ns + 1
        });
    }
    if end_k <= first_k {
        return Ok(Vec::new());
    }
    let count = end_k - first_k;
    if !usize::try_from(count).is_ok_and(|count| count <= limit) {
        return Err(too_many(limit));
    }
    (first_k..end_k)
        .map(|k| {
            i64::try_from(k)
                .ok()
                .and_then(|k| k.checked_mul(period_s))
                .and_then(TimeDelta::try_seconds)
                .and_then(|offset| anchor.checked_add_signed(offset))
                .ok_or_else(|| {
                    "Schedule: the run reaches past the dates a schedule can be placed on"
                        .to_owned()
                })
        })
        .collect()
}

/// The instants within `bounds` whose local time in `zone` the cron expression matches, in
/// order.
///
/// It walks the matching years, months and days, and only on a matching day the matching hours
/// and minutes, so a yearly schedule over a long run costs a few hundred month lookups, not a
/// step per minute.
fn cron_instants(
    cron: &AwsCron,
    zone: Tz,
    bounds: &Bounds,
    limit: usize,
) -> Result<Vec<DateTime<Utc>>, String> {
    let mut instants = Vec::new();
    let last = bounds
        .last
        .map_or(bounds.until, |last| last.min(bounds.until));
    if last < bounds.from {
        return Ok(instants);
    }
    // One local day either side covers every offset a zone can have from UTC.
    let first_day = bounds.from.with_timezone(&zone).date_naive();
    let first_day = first_day.pred_opt().unwrap_or(first_day);
    let last_day = last.with_timezone(&zone).date_naive();
    let last_day = last_day.succ_opt().unwrap_or(last_day);
    let hours = cron.hours.values();
    let minutes = cron.minutes.values();
    let months = cron.months.values();
    let first_year = first_day.year().max(1970);
    let last_year = last_day.year().min(2199);
    for year in first_year..=last_year {
        if !u32::try_from(year).is_ok_and(|year| cron.years.contains(year)) {
            continue;
        }
        for &month in &months {
            let mask = cron.day_mask(year, month);
            for day in (1..=31).filter(|day| mask & (1 << day) != 0) {
                let Some(date) = NaiveDate::from_ymd_opt(year, month, day) else {
                    continue;
                };
                if date < first_day || date > last_day {
                    continue;
                }
                for &hour in &hours {
                    for &minute in &minutes {
                        let Some(at) = date
                            .and_hms_opt(hour, minute, 0)
                            .and_then(|local| local_instant(zone, local))
                        else {
                            continue;
                        };
                        if !bounds.contains(at) {
                            continue;
                        }
                        if instants.len() == limit {
                            return Err(too_many(limit));
                        }
                        instants.push(at);
                    }
                }
            }
        }
    }
    // Local order is UTC order under the gap and fall-back rules; sorting keeps that promise
    // without relying on it.
    instants.sort_unstable();
    instants.dedup();
    Ok(instants)
}

/// Parses `StartTime` or `EndTime` as the AWS CLI prints and takes them: an ISO 8601 timestamp
/// such as "2019-01-14T23:59:59.123000+00:00" (the CLI's output), "2021-01-30T12:00:00" (the
/// examples page's input) or "2021-01-30", or Unix seconds as a JSON number or a numeric string
/// (the API's wire form). A timestamp without an offset is UTC (user guide: "The start time and
/// end time must be set in UTC"; botocore's `parse_to_aware_datetime`: "If no timezone info was
/// provided in the input value, then UTC is assumed").
pub(crate) fn parse_timestamp(value: &Value) -> Result<DateTime<Utc>, String> {
    let parsed = match value {
        Value::Number(number) => number
            .as_i64()
            .and_then(|seconds| DateTime::from_timestamp(seconds, 0))
            .or_else(|| number.as_f64().and_then(from_unix_seconds)),
        Value::String(text) => parse_timestamp_text(text),
        _ => None,
    };
    parsed.ok_or_else(|| {
        format!(
            "must be a timestamp such as \"2019-01-14T23:59:59.123000+00:00\" or Unix seconds \
             such as 1547510399, got {value}"
        )
    })
}

/// Unix seconds with a fraction, rounded to the microsecond as the CLI's Python does.
fn from_unix_seconds(seconds: f64) -> Option<DateTime<Utc>> {
    if !seconds.is_finite() {
        return None;
    }
    let micros = (seconds * 1e6).round();
    // An f64 beyond i64's range saturates; chrono then rejects it.
    let micros = micros as i64;
    DateTime::from_timestamp_micros(micros)
}

/// A timestamp string: Unix seconds, or ISO 8601 with or without an offset or a time.
fn parse_timestamp_text(text: &str) -> Option<DateTime<Utc>> {
    if !text.is_empty()
        && text
            .bytes()
            .all(|byte| byte.is_ascii_digit() || byte == b'.' || byte == b'-')
        && let Ok(seconds) = text.parse::<f64>()
    {
        return from_unix_seconds(seconds);
    }
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(at.to_utc());
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%d %H:%M:%S%.f%z"] {
        if let Ok(at) = DateTime::parse_from_str(text, format) {
            return Some(at.to_utc());
        }
    }
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(local) = NaiveDateTime::parse_from_str(text, format) {
            return Some(local.and_utc());
        }
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|date| date.and_hms_opt(0, 0, 0))
        .map(|midnight| midnight.and_utc())
}

#[cfg(test)]
mod tests {
    use chrono::SecondsFormat;
    use serde_json::json;

    use super::*;

    /// An instant written in RFC 3339.
    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().to_utc()
    }

    /// A scheduled action's schedule fields, as PutScheduledAction names them.
    #[derive(Clone, Copy)]
    struct Action<'a> {
        schedule: &'a str,
        timezone: Option<&'a str>,
        start_time: Option<&'a str>,
        end_time: Option<&'a str>,
    }

    /// An action with `schedule` alone.
    fn action(schedule: &str) -> Action<'_> {
        Action {
            schedule,
            timezone: None,
            start_time: None,
            end_time: None,
        }
    }

    impl<'a> Action<'a> {
        fn zone(self, timezone: &'a str) -> Self {
            Self {
                timezone: Some(timezone),
                ..self
            }
        }

        fn start(self, start_time: &'a str) -> Self {
            Self {
                start_time: Some(start_time),
                ..self
            }
        }

        fn end(self, end_time: &'a str) -> Self {
            Self {
                end_time: Some(end_time),
                ..self
            }
        }

        /// The firings within [from, to), at most `limit`, in RFC 3339 UTC.
        fn fires_limited(self, from: &str, to: &str, limit: usize) -> Result<Vec<String>, String> {
            let expression = ScheduleExpression::parse(self.schedule)?;
            let instants = occurrences(
                &expression,
                self.timezone,
                self.start_time.map(utc),
                self.end_time.map(utc),
                utc(from),
                utc(to),
                limit,
            )?;
            Ok(instants
                .iter()
                .map(|at| at.to_rfc3339_opts(SecondsFormat::AutoSi, true))
                .collect())
        }

        /// The firings within [from, to).
        fn fires(self, from: &str, to: &str) -> Vec<String> {
            self.fires_limited(from, to, 100_000).unwrap()
        }
    }

    /// `schedule` fires at exactly `expected` within [from, to), in UTC.
    fn check(schedule: &str, window: [&str; 2], expected: &[&str]) {
        check_action(action(schedule), window, expected);
    }

    /// `action` fires at exactly `expected` within [from, to), in UTC.
    fn check_action(action: Action<'_>, [from, to]: [&str; 2], expected: &[&str]) {
        assert_eq!(action.fires(from, to), expected, "{}", action.schedule);
    }

    /// `schedule` is refused with a message containing `expected`.
    fn check_refused(schedule: &str, expected: &str) {
        let err = ScheduleExpression::parse(schedule).unwrap_err();
        assert!(
            err.contains(expected),
            "{schedule}: expected an error containing {expected:?}, got {err:?}"
        );
    }

    // The examples table of the cron page ("Schedule recurring scaling actions using cron
    // expressions") and of EventBridge's cron reference, in UTC. 2024-01-01 is a Monday.

    #[test]
    fn run_at_10_00_am_utc_every_day() {
        check(
            "cron(0 10 * * ? *)",
            ["2024-01-01T00:00:00Z", "2024-01-04T00:00:00Z"],
            &[
                "2024-01-01T10:00:00Z",
                "2024-01-02T10:00:00Z",
                "2024-01-03T10:00:00Z",
            ],
        );
    }

    #[test]
    fn run_at_12_15_pm_utc_every_day() {
        check(
            "cron(15 12 * * ? *)",
            ["2024-01-01T12:15:00Z", "2024-01-03T12:15:00Z"],
            &["2024-01-01T12:15:00Z", "2024-01-02T12:15:00Z"],
        );
    }

    #[test]
    fn run_at_6_00_pm_utc_every_monday_through_friday() {
        // Friday 5 January to Tuesday 9 January 2024: Friday and Monday.
        check(
            "cron(0 18 ? * MON-FRI *)",
            ["2024-01-05T00:00:00Z", "2024-01-09T00:00:00Z"],
            &["2024-01-05T18:00:00Z", "2024-01-08T18:00:00Z"],
        );
    }

    #[test]
    fn run_at_8_00_am_utc_the_1st_day_of_every_month() {
        check(
            "cron(0 8 1 * ? *)",
            ["2024-01-15T00:00:00Z", "2024-04-15T00:00:00Z"],
            &[
                "2024-02-01T08:00:00Z",
                "2024-03-01T08:00:00Z",
                "2024-04-01T08:00:00Z",
            ],
        );
    }

    #[test]
    fn run_every_15_minutes() {
        check(
            "cron(0/15 * * * ? *)",
            ["2024-01-01T00:00:00Z", "2024-01-01T01:00:00Z"],
            &[
                "2024-01-01T00:00:00Z",
                "2024-01-01T00:15:00Z",
                "2024-01-01T00:30:00Z",
                "2024-01-01T00:45:00Z",
            ],
        );
        // 4 an hour, 24 hours.
        let day =
            action("cron(0/15 * * * ? *)").fires("2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z");
        assert_eq!(day.len(), 96);
    }

    #[test]
    fn run_every_10_minutes_monday_through_friday() {
        // From Friday 5 January 2024 23:30 to Monday 8 January 00:20: the weekend is skipped.
        check(
            "cron(0/10 * ? * MON-FRI *)",
            ["2024-01-05T23:30:00Z", "2024-01-08T00:20:00Z"],
            &[
                "2024-01-05T23:30:00Z",
                "2024-01-05T23:40:00Z",
                "2024-01-05T23:50:00Z",
                "2024-01-08T00:00:00Z",
                "2024-01-08T00:10:00Z",
            ],
        );
    }

    #[test]
    fn run_every_5_minutes_monday_through_friday_between_8_00_am_and_5_55_pm() {
        // The week of Monday 8 January 2024: 10 hours × 12 a day, 5 days.
        let week = action("cron(0/5 8-17 ? * MON-FRI *)")
            .fires("2024-01-08T00:00:00Z", "2024-01-15T00:00:00Z");
        assert_eq!(week.len(), 600);
        assert_eq!(week.first().unwrap(), "2024-01-08T08:00:00Z");
        assert_eq!(week.get(119).unwrap(), "2024-01-08T17:55:00Z");
        assert_eq!(week.get(120).unwrap(), "2024-01-09T08:00:00Z");
        assert_eq!(week.last().unwrap(), "2024-01-12T17:55:00Z");
    }

    #[test]
    fn every_monday_at_6_30_am() {
        // The cron page's own example, `30 6 ? * MON *`: the Mondays of January 2024.
        check(
            "cron(30 6 ? * MON *)",
            ["2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z"],
            &[
                "2024-01-01T06:30:00Z",
                "2024-01-08T06:30:00Z",
                "2024-01-15T06:30:00Z",
                "2024-01-22T06:30:00Z",
                "2024-01-29T06:30:00Z",
            ],
        );
    }

    #[test]
    fn eventbridge_examples() {
        // "triggered every day at 12:00pm UTC".
        check(
            "cron(0 12 * * ? *)",
            ["2024-01-01T00:00:00Z", "2024-01-03T00:00:00Z"],
            &["2024-01-01T12:00:00Z", "2024-01-02T12:00:00Z"],
        );
        // "every day, at 5 and 35 minutes past 2:00pm UTC".
        check(
            "cron(5,35 14 * * ? *)",
            ["2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z"],
            &["2024-01-01T14:05:00Z", "2024-01-01T14:35:00Z"],
        );
        // "at 10:15am UTC on the last Friday of each month during the years 2002 to 2005":
        // 25 November and 30 December 2005, and nothing in 2006.
        check(
            "cron(15 10 ? * 6L 2002-2005)",
            ["2005-11-01T00:00:00Z", "2006-03-01T00:00:00Z"],
            &["2005-11-25T10:15:00Z", "2005-12-30T10:15:00Z"],
        );
    }

    #[test]
    fn the_examples_pages_cron_actions() {
        // "every day at 9:00 AM UTC".
        check(
            "cron(0 9 * * ? *)",
            ["2024-01-01T09:00:00Z", "2024-01-02T09:00:00Z"],
            &["2024-01-01T09:00:00Z"],
        );
        // "every Monday through Friday at 6:00 PM local time" in Etc/GMT+9, which is UTC-9:
        // 18:00 local is 03:00 UTC the next day, so Friday's lands on Saturday, past the window.
        check_action(
            action("cron(0 18 ? * MON-FRI *)").zone("Etc/GMT+9"),
            ["2024-01-08T00:00:00Z", "2024-01-13T00:00:00Z"],
            &[
                "2024-01-09T03:00:00Z",
                "2024-01-10T03:00:00Z",
                "2024-01-11T03:00:00Z",
                "2024-01-12T03:00:00Z",
            ],
        );
    }

    #[test]
    fn weekdays_at_9_in_new_york_across_the_spring_change() {
        // Clocks go forward on Sunday 10 March 2024: 9:00 is 14:00 UTC (EST, UTC-5) before and
        // 13:00 UTC (EDT, UTC-4) after.
        check_action(
            action("cron(0 9 ? * MON-FRI *)").zone("America/New_York"),
            ["2024-03-06T00:00:00Z", "2024-03-14T00:00:00Z"],
            &[
                "2024-03-06T14:00:00Z",
                "2024-03-07T14:00:00Z",
                "2024-03-08T14:00:00Z",
                "2024-03-11T13:00:00Z",
                "2024-03-12T13:00:00Z",
                "2024-03-13T13:00:00Z",
            ],
        );
    }

    #[test]
    fn a_local_time_in_the_spring_gap_is_skipped() {
        // 02:30 does not exist in New York on 10 March 2024.
        check_action(
            action("cron(30 2 * * ? *)").zone("America/New_York"),
            ["2024-03-09T00:00:00Z", "2024-03-12T00:00:00Z"],
            &["2024-03-09T07:30:00Z", "2024-03-11T06:30:00Z"],
        );
        // Every half hour through the change: 01:30 EST is 06:30 UTC, and 03:00 EDT is 07:00.
        check_action(
            action("cron(0/30 * * * ? *)").zone("America/New_York"),
            ["2024-03-10T06:00:00Z", "2024-03-10T09:00:00Z"],
            &[
                "2024-03-10T06:00:00Z",
                "2024-03-10T06:30:00Z",
                "2024-03-10T07:00:00Z",
                "2024-03-10T07:30:00Z",
                "2024-03-10T08:00:00Z",
                "2024-03-10T08:30:00Z",
            ],
        );
        // A one-time action in the gap never fires.
        check_action(
            action("at(2024-03-10T02:30:00)").zone("America/New_York"),
            ["2024-03-01T00:00:00Z", "2024-04-01T00:00:00Z"],
            &[],
        );
    }

    #[test]
    fn a_local_time_repeated_in_the_fall_back_hour_fires_once_at_its_first_instant() {
        // 01:30 happens twice in New York on 3 November 2024, first at 05:30 UTC (EDT).
        check_action(
            action("cron(30 1 * * ? *)").zone("America/New_York"),
            ["2024-11-02T00:00:00Z", "2024-11-05T00:00:00Z"],
            &[
                "2024-11-02T05:30:00Z",
                "2024-11-03T05:30:00Z",
                "2024-11-04T06:30:00Z",
            ],
        );
        // Every half hour: the repeated 01:00 and 01:30 fire only in EDT, then 02:00 EST is
        // 07:00 UTC.
        check_action(
            action("cron(0/30 * * * ? *)").zone("America/New_York"),
            ["2024-11-03T04:00:00Z", "2024-11-03T08:00:00Z"],
            &[
                "2024-11-03T04:00:00Z",
                "2024-11-03T04:30:00Z",
                "2024-11-03T05:00:00Z",
                "2024-11-03T05:30:00Z",
                "2024-11-03T07:00:00Z",
                "2024-11-03T07:30:00Z",
            ],
        );
    }

    #[test]
    fn last_day_of_the_month() {
        // 2024 is a leap year.
        check(
            "cron(0 0 L * ? *)",
            ["2024-01-01T00:00:00Z", "2024-05-01T00:00:00Z"],
            &[
                "2024-01-31T00:00:00Z",
                "2024-02-29T00:00:00Z",
                "2024-03-31T00:00:00Z",
                "2024-04-30T00:00:00Z",
            ],
        );
    }

    #[test]
    fn nearest_weekday() {
        let june = ["2024-06-01T00:00:00Z", "2024-07-01T00:00:00Z"];
        // Saturday 15 June 2024 moves to Friday 14.
        check("cron(0 12 15W * ? *)", june, &["2024-06-14T12:00:00Z"]);
        // Saturday 1 June moves forward to Monday 3, staying in June.
        check("cron(0 12 1W * ? *)", june, &["2024-06-03T12:00:00Z"]);
        // Sunday 30 June, the last day, moves back to Friday 28.
        check("cron(0 12 30W * ? *)", june, &["2024-06-28T12:00:00Z"]);
        // June has no 31st.
        check("cron(0 12 31W * ? *)", june, &[]);
        // Sunday 1 September moves to Monday 2.
        check(
            "cron(0 12 1W 9 ? *)",
            ["2024-01-01T00:00:00Z", "2025-01-01T00:00:00Z"],
            &["2024-09-02T12:00:00Z"],
        );
        // The last weekday: Friday 28 June (30 is a Sunday), Friday 30 August (31 is a Saturday).
        check(
            "cron(0 12 LW 6,8 ? *)",
            ["2024-01-01T00:00:00Z", "2025-01-01T00:00:00Z"],
            &["2024-06-28T12:00:00Z", "2024-08-30T12:00:00Z"],
        );
    }

    #[test]
    fn nth_and_last_weekday_of_the_month() {
        let quarter = ["2024-01-01T00:00:00Z", "2024-04-01T00:00:00Z"];
        // "3#2 would be the second Tuesday of the month".
        check(
            "cron(0 9 ? * 3#2 *)",
            quarter,
            &[
                "2024-01-09T09:00:00Z",
                "2024-02-13T09:00:00Z",
                "2024-03-12T09:00:00Z",
            ],
        );
        // 5L, the last Thursday.
        check(
            "cron(0 9 ? * 5L *)",
            quarter,
            &[
                "2024-01-25T09:00:00Z",
                "2024-02-29T09:00:00Z",
                "2024-03-28T09:00:00Z",
            ],
        );
        // A fifth Friday exists in March 2024 (1, 8, 15, 22, 29) only.
        check("cron(0 9 ? * FRI#5 *)", quarter, &["2024-03-29T09:00:00Z"]);
        // L alone is the last day of the week, Saturday.
        check(
            "cron(0 9 ? * L *)",
            ["2024-01-01T00:00:00Z", "2024-01-15T00:00:00Z"],
            &["2024-01-06T09:00:00Z", "2024-01-13T09:00:00Z"],
        );
    }

    #[test]
    fn day_of_week_1_is_sunday() {
        check(
            "cron(0 9 ? * 1 *)",
            ["2024-01-01T00:00:00Z", "2024-01-15T00:00:00Z"],
            &["2024-01-07T09:00:00Z", "2024-01-14T09:00:00Z"],
        );
    }

    #[test]
    fn names_ignore_case_and_ranges_wrap() {
        check(
            "cron(0 18 ? jan mon-fri *)",
            ["2024-01-05T00:00:00Z", "2024-01-09T00:00:00Z"],
            &["2024-01-05T18:00:00Z", "2024-01-08T18:00:00Z"],
        );
        // 22-1 in Hours is 22, 23, 0 and 1.
        check(
            "cron(0 22-1 * * ? *)",
            ["2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z"],
            &[
                "2024-01-01T00:00:00Z",
                "2024-01-01T01:00:00Z",
                "2024-01-01T22:00:00Z",
                "2024-01-01T23:00:00Z",
            ],
        );
        // FRI-MON is Friday to Monday: 5 to 8 January 2024.
        check(
            "cron(0 9 ? * FRI-MON *)",
            ["2024-01-02T00:00:00Z", "2024-01-10T00:00:00Z"],
            &[
                "2024-01-05T09:00:00Z",
                "2024-01-06T09:00:00Z",
                "2024-01-07T09:00:00Z",
                "2024-01-08T09:00:00Z",
            ],
        );
        // "1/10 to specify every tenth minute, starting from the first minute of the hour".
        check(
            "cron(1/10 0 1 1 ? 2024)",
            ["2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z"],
            &[
                "2024-01-01T00:01:00Z",
                "2024-01-01T00:11:00Z",
                "2024-01-01T00:21:00Z",
                "2024-01-01T00:31:00Z",
                "2024-01-01T00:41:00Z",
                "2024-01-01T00:51:00Z",
            ],
        );
    }

    #[test]
    fn a_yearly_cron_over_two_centuries() {
        check(
            "cron(0 0 1 1 ? 2150)",
            ["1970-01-01T00:00:00Z", "2199-12-31T00:00:00Z"],
            &["2150-01-01T00:00:00Z"],
        );
    }

    #[test]
    fn the_31st_only_in_months_that_have_it() {
        check(
            "cron(0 0 31 * ? *)",
            ["2024-01-01T00:00:00Z", "2024-06-01T00:00:00Z"],
            &[
                "2024-01-31T00:00:00Z",
                "2024-03-31T00:00:00Z",
                "2024-05-31T00:00:00Z",
            ],
        );
    }

    #[test]
    fn a_cron_fires_at_its_start_time_then_on_its_recurrence() {
        let window = ["2024-01-01T00:00:00Z", "2024-01-04T00:00:00Z"];
        let daily = action("cron(0 10 * * ? *)");
        // "performs the action at this time, and then performs the action based on the
        // specified recurrence".
        check_action(
            daily.start("2024-01-01T10:30:00Z"),
            window,
            &[
                "2024-01-01T10:30:00Z",
                "2024-01-02T10:00:00Z",
                "2024-01-03T10:00:00Z",
            ],
        );
        // A start time the recurrence matches fires once.
        check_action(
            daily.start("2024-01-02T10:00:00Z"),
            window,
            &["2024-01-02T10:00:00Z", "2024-01-03T10:00:00Z"],
        );
        // A start time before the run is not a firing within it.
        check_action(
            daily.start("2023-12-01T07:00:00Z"),
            window,
            &[
                "2024-01-01T10:00:00Z",
                "2024-01-02T10:00:00Z",
                "2024-01-03T10:00:00Z",
            ],
        );
        // The end time is included, and nothing fires after it.
        check_action(
            daily.end("2024-01-03T10:00:00Z"),
            window,
            &[
                "2024-01-01T10:00:00Z",
                "2024-01-02T10:00:00Z",
                "2024-01-03T10:00:00Z",
            ],
        );
        check_action(
            daily.end("2024-01-03T09:59:59Z"),
            window,
            &["2024-01-01T10:00:00Z", "2024-01-02T10:00:00Z"],
        );
        // The window's end is excluded.
        check(
            "cron(0 10 * * ? *)",
            ["2024-01-01T00:00:00Z", "2024-01-02T10:00:00Z"],
            &["2024-01-01T10:00:00Z"],
        );
    }

    #[test]
    fn rate_from_the_examples_page() {
        // "every 5 hours starting on January 30, 2021 at 12:00 PM UTC and ending on January 31,
        // 2021 at 10:00 PM UTC", with the CLI's own start and end times.
        let start = parse_timestamp(&json!("2021-01-30T12:00:00")).unwrap();
        let end = parse_timestamp(&json!("2021-01-31T22:00:00")).unwrap();
        check_action(
            action("rate(5 hours)")
                .start(&start.to_rfc3339())
                .end(&end.to_rfc3339()),
            ["2021-01-30T00:00:00Z", "2021-02-01T00:00:00Z"],
            &[
                "2021-01-30T12:00:00Z",
                "2021-01-30T17:00:00Z",
                "2021-01-30T22:00:00Z",
                "2021-01-31T03:00:00Z",
                "2021-01-31T08:00:00Z",
                "2021-01-31T13:00:00Z",
                "2021-01-31T18:00:00Z",
            ],
        );
    }

    #[test]
    fn rate_counts_from_its_start_time_or_else_the_run_start() {
        // Without StartTime, from the run's start.
        check(
            "rate(20 minutes)",
            ["2024-01-01T00:07:00Z", "2024-01-01T01:07:00Z"],
            &[
                "2024-01-01T00:07:00Z",
                "2024-01-01T00:27:00Z",
                "2024-01-01T00:47:00Z",
            ],
        );
        // With a StartTime before the run, on its beat: 23:50 + k × 20 min.
        check_action(
            action("rate(20 minutes)").start("2023-12-31T23:50:00Z"),
            ["2024-01-01T00:07:00Z", "2024-01-01T01:07:00Z"],
            &[
                "2024-01-01T00:10:00Z",
                "2024-01-01T00:30:00Z",
                "2024-01-01T00:50:00Z",
            ],
        );
        // With a StartTime inside the run, from there; fractions of seconds are kept.
        check_action(
            action("rate(1 hour)").start("2024-01-01T00:30:00.5Z"),
            ["2024-01-01T00:00:00Z", "2024-01-01T03:00:00Z"],
            &[
                "2024-01-01T00:30:00.500Z",
                "2024-01-01T01:30:00.500Z",
                "2024-01-01T02:30:00.500Z",
            ],
        );
    }

    #[test]
    fn rate_ignores_the_time_zone_and_days_are_24_hours() {
        // Across New York's spring change a day rate keeps its UTC time.
        let new_york = action("rate(1 day)")
            .zone("America/New_York")
            .start("2024-03-09T14:00:00Z");
        check_action(
            new_york,
            ["2024-03-09T00:00:00Z", "2024-03-12T00:00:00Z"],
            &[
                "2024-03-09T14:00:00Z",
                "2024-03-10T14:00:00Z",
                "2024-03-11T14:00:00Z",
            ],
        );
    }

    #[test]
    fn rate_units_singular_and_plural() {
        for (text, unit) in [
            ("rate(1 minute)", RateUnit::Minute),
            ("rate(5 minutes)", RateUnit::Minute),
            ("rate(1 hours)", RateUnit::Hour),
            ("rate(2 hour)", RateUnit::Hour),
            ("rate(1 day)", RateUnit::Day),
            ("rate(7 days)", RateUnit::Day),
        ] {
            let ScheduleExpression::Rate { unit: parsed, .. } =
                ScheduleExpression::parse(text).unwrap()
            else {
                panic!("{text} is not a rate");
            };
            assert_eq!(parsed, unit, "{text}");
        }
    }

    #[test]
    fn at_fires_once_at_its_local_time() {
        let window = ["2021-01-01T00:00:00Z", "2021-05-01T00:00:00Z"];
        // "10:00 PM UTC on March 31, 2021".
        check("at(2021-03-31T22:00:00)", window, &["2021-03-31T22:00:00Z"]);
        // "5:00 PM local time on January 31, 2021" in America/New_York, EST (UTC-5).
        check_action(
            action("at(2021-01-31T17:00:00)").zone("America/New_York"),
            window,
            &["2021-01-31T22:00:00Z"],
        );
        // Outside StartTime and EndTime it does not fire.
        check_action(
            action("at(2021-03-31T22:00:00)").end("2021-03-31T21:59:59Z"),
            window,
            &[],
        );
        check_action(
            action("at(2021-03-31T22:00:00)").start("2021-03-31T22:00:01Z"),
            window,
            &[],
        );
        // Outside the run it does not fire.
        check(
            "at(2021-03-31T22:00:00)",
            ["2021-04-01T00:00:00Z", "2021-05-01T00:00:00Z"],
            &[],
        );
    }

    #[test]
    fn expressions_aws_refuses() {
        check_refused("every 5 minutes", "must be at(yyyy-mm-ddThh:mm:ss)");
        check_refused("cron(0 10 * * ? *", "must be at(yyyy-mm-ddThh:mm:ss)");
        check_refused("cron(0 10 * * ?)", "takes six fields");
        check_refused("cron(0 0 10 * * ? *)", "Seconds is not simulated");
        // The cron page's former example names both day fields, which EventBridge forbids.
        check_refused("cron(30 6 * * 2 *)", "one of them must be '?'");
        check_refused("cron(0 10 * * * *)", "one of them must be '?'");
        check_refused("cron(0 10 ? * ? *)", "both '?'");
        check_refused("cron(60 10 * * ? *)", "Minutes '60': values must be 0-59");
        check_refused("cron(0 24 * * ? *)", "Hours '24': values must be 0-23");
        check_refused(
            "cron(0 10 0 * ? *)",
            "Day-of-month '0': values must be 1-31",
        );
        check_refused("cron(0 10 32 * ? *)", "values must be 1-31");
        check_refused("cron(0 10 * 13 ? *)", "values must be 1-12 or JAN-DEC");
        check_refused("cron(0 10 * JANUARY ? *)", "values must be 1-12 or JAN-DEC");
        check_refused("cron(0 10 ? * 0 *)", "values must be 1-7 or SUN-SAT");
        check_refused("cron(0 10 ? * 8 *)", "values must be 1-7 or SUN-SAT");
        check_refused("cron(0 10 * * ? 1969)", "values must be 1970-2199");
        check_refused("cron(0 10 * * ? 2200)", "values must be 1970-2199");
        check_refused("cron(0 10 * * ? 2005-2002)", "earlier year to the later");
        check_refused("cron(0/0 10 * * ? *)", "increment after / must be");
        check_refused("cron(0/60 10 * * ? *)", "from 1 to 59, got '60'");
        check_refused("cron(*/x 10 * * ? *)", "increment after / must be");
        check_refused("cron(0 10 ? * MON/2 *)", "not /");
        check_refused("cron(0 10 ? * 3#6 *)", "the number after # must be 1-5");
        check_refused("cron(0 10 ? * 3#1,6#3 *)", "alone in the field");
        check_refused("cron(0 10 ? * 2-6L *)", "alone in the field");
        check_refused("cron(0 10 ? * 3W *)", "values must be 1-7 or SUN-SAT");
        check_refused("cron(0 10 3#2 * ? *)", "# belongs to Day-of-week");
        check_refused("cron(0 10 L-3 * ? *)", "stand alone");
        check_refused("cron(0 10 1-5W * ? *)", "W takes one day");
        check_refused("cron(0 10 32W * ? *)", "values must be 1-31");
        check_refused("cron(0 10 1,,2 * ? *)", "values must be 1-31, got ''");
        check_refused("rate(0 minutes)", "value must be a positive integer");
        check_refused("rate(-1 minutes)", "value must be a positive integer");
        check_refused("rate(1.5 hours)", "value must be a positive integer");
        check_refused("rate(5 weeks)", "unit must be minute");
        check_refused("rate(5)", "takes a value and a unit");
        check_refused("at(2021-02-30T00:00:00)", "must hold a real date and time");
        check_refused("at(2021-1-31T17:00:00)", "must hold a real date and time");
        check_refused("at(2021-01-31 17:00:00)", "must hold a real date and time");
        check_refused("at(2021-01-31T24:00:00)", "must hold a real date and time");
    }

    #[test]
    fn an_unknown_time_zone_is_named() {
        let err = action("cron(0 10 * * ? *)")
            .zone("America/Nowhere")
            .fires_limited("2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z", 10)
            .unwrap_err();
        assert!(
            err.starts_with("Timezone: unknown time zone 'America/Nowhere'"),
            "{err}"
        );
    }

    #[test]
    fn an_end_time_before_the_start_time_is_refused() {
        let err = action("rate(1 hour)")
            .start("2024-01-02T00:00:00Z")
            .end("2024-01-01T00:00:00Z")
            .fires_limited("2024-01-01T00:00:00Z", "2024-01-03T00:00:00Z", 10)
            .unwrap_err();
        assert!(
            err.starts_with("EndTime: must not be before StartTime"),
            "{err}"
        );
    }

    #[test]
    fn the_limit() {
        // A minute rate over 60 days fires 60 × 24 × 60 = 86,400 times.
        let window = ("2024-01-01T00:00:00Z", "2024-03-01T00:00:00Z");
        for schedule in ["rate(1 minute)", "cron(* * * * ? *)"] {
            let fires = action(schedule)
                .fires_limited(window.0, window.1, 86_400)
                .unwrap();
            assert_eq!(fires.len(), 86_400, "{schedule}");
            assert_eq!(fires.first().unwrap(), "2024-01-01T00:00:00Z");
            assert_eq!(fires.last().unwrap(), "2024-02-29T23:59:00Z");
            let err = action(schedule)
                .fires_limited(window.0, window.1, 86_399)
                .unwrap_err();
            assert_eq!(
                err,
                "Schedule: fires more than 86399 times within the run, and the limit is 86399"
            );
        }
        // The start-time firing counts too.
        let err = action("cron(0 10 * * ? *)")
            .start("2024-01-01T09:00:00Z")
            .fires_limited("2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z", 1)
            .unwrap_err();
        assert!(err.contains("the limit is 1"), "{err}");
    }

    #[test]
    fn timestamps_as_the_cli_prints_and_takes_them() {
        let expected = utc("2019-01-14T23:59:59.123Z");
        for value in [
            json!("2019-01-14T23:59:59.123000+00:00"),
            json!("2019-01-14T23:59:59.123Z"),
            json!("2019-01-14T18:59:59.123-05:00"),
            json!("2019-01-14T23:59:59.123"),
            json!(1_547_510_399.123),
            json!("1547510399.123"),
        ] {
            assert_eq!(parse_timestamp(&value).unwrap(), expected, "{value}");
        }
        assert_eq!(
            parse_timestamp(&json!(1_547_510_399)).unwrap(),
            utc("2019-01-14T23:59:59Z")
        );
        assert_eq!(
            parse_timestamp(&json!("2021-01-30T12:00:00")).unwrap(),
            utc("2021-01-30T12:00:00Z")
        );
        assert_eq!(
            parse_timestamp(&json!("2021-01-30")).unwrap(),
            utc("2021-01-30T00:00:00Z")
        );
        for value in [json!("yesterday"), json!(true), json!(null), json!("")] {
            let err = parse_timestamp(&value).unwrap_err();
            assert!(err.starts_with("must be a timestamp"), "{value}: {err}");
        }
    }

    #[test]
    fn an_hour_of_one_digit_is_read_as_aws_printed_it() {
        // describe-scheduled-scaling.html prints "Schedule": "at(2020-12-08T9:36:00)".
        assert_eq!(
            parse_at("2020-12-08T9:36:00").unwrap(),
            parse_at("2020-12-08T09:36:00").unwrap()
        );
        assert!(parse_at("2020-12-8T09:36:00").is_err());
    }
}
