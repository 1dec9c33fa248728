//! `report.html`: one self-contained page per `run`, `compare` and `sweep`, to open in a browser
//! or send to someone: the summary figures named and with units, interactive plots (drag or
//! wheel to zoom, hover a step to read it and the decision taken at its end), the events table,
//! and for sweeps the Pareto frontier with each run's parameters and the recommended files.
//!
//! Choices stated here once:
//! - Nothing is fetched: the script (`report/report.js`, plain SVG drawing, no library) and the
//!   style sheet are inlined, and the page's Content-Security-Policy allows no connection and
//!   runs only those two scripts, by their SHA-256.
//! - Data stays bounded whatever the run's length: a run's steps are grouped into at most
//!   [`MAX_BINS`] bins, each keeping the min and the max of every series so that a one-step spike
//!   still shows; the page states the bin. At most [`MAX_EVENTS`] events keep their reason (every
//!   bin still counts its events), and a sweep plots at most [`MAX_POINTS`] runs (the frontier
//!   and the recommendation always among them).
//! - Text from files (scenario names, reasons, parameters) reaches the page only HTML-escaped
//!   ([`escape_html`]) or inside the JSON data block with `<`, `>` and `&` written as `\u` escapes,
//!   which the script reads with `JSON.parse` and puts on the page as text, never as markup.
//! - The page's own test hooks: `#hover=N` shows the tooltip of step N (a run), bin N (a
//!   comparison) or run N (a sweep) on load, `#zoom=FROM,TO` zooms to those seconds; the root
//!   element's `data-errors` counts script errors and `data-ready` says the script ran to its end.

use std::fmt::Write as _;

use base64::Engine as _;
use chrono::{DateTime, FixedOffset};
use scalesim_core::{ScalingEvent, Sink, StepRecord};
use serde_json::{Map, Value, json};
use sha2::{Digest as _, Sha256};

use crate::compare::ComparisonRow;
use crate::compare_plot::ComparisonPlot;
use crate::human::{count, duration, trim_zeros};

/// The report's file name, in every folder a command writes.
pub const REPORT_FILE: &str = "report.html";

/// Most time bins a run's plot keeps per series.
pub(crate) const MAX_BINS: u64 = 2_000;
/// Most events whose reason the page keeps.
pub(crate) const MAX_EVENTS: usize = 5_000;
/// Most runs a sweep's plot shows.
pub(crate) const MAX_POINTS: usize = 5_000;

/// The page's script: draws the plots and tables from the JSON data block.
const SCRIPT: &str = include_str!("report/report.js");
/// The page's style sheet.
const STYLE: &str = include_str!("report/report.css");
/// Runs first: counts script errors on the root element, for people and the browser test.
const ERROR_HOOK: &str = include_str!("report/errors.js");

/// `text` with the five characters HTML gives meaning to written as entities.
pub(crate) fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// `value` as JSON that can sit inside a `<script>` element: no `<`, `>` or `&` (so no
/// `</script>` nor `<!--`), and no line separators; each written as a `\u` escape, which only
/// strings can hold, so the JSON means the same.
fn script_json(value: &Value) -> String {
    let text = value.to_string();
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            _ => out.push(c),
        }
    }
    out
}

/// A figure for the data block: whole numbers as integers, others to 6 significant digits
/// (the page only shows them), non-finite ones as `null`.
fn num(v: f64) -> Value {
    if !v.is_finite() {
        return Value::Null;
    }
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        return Value::from(v as i64);
    }
    let rounded: f64 = format!("{v:.5e}").parse().unwrap_or(v);
    serde_json::Number::from_f64(rounded).map_or(Value::Null, Value::Number)
}

fn nums(values: impl IntoIterator<Item = f64>) -> Value {
    Value::Array(values.into_iter().map(num).collect())
}

/// A number as people read it: thousands separated, decimals as its size needs.
pub(crate) fn human_number(v: f64) -> String {
    if !v.is_finite() {
        return "—".to_owned();
    }
    let sign = if v < 0.0 { "-" } else { "" };
    let a = v.abs();
    if a.fract() == 0.0 && a < 1e15 {
        return format!("{sign}{}", count(a as u64));
    }
    if a >= 1000.0 {
        let whole = a.trunc();
        let tenths = ((a - whole) * 10.0).round();
        let (whole, tenths) = if tenths >= 10.0 {
            (whole + 1.0, 0.0)
        } else {
            (whole, tenths)
        };
        return format!("{sign}{}.{}", count(whole as u64), tenths as u8);
    }
    if a >= 1.0 {
        return format!("{sign}{}", trim_zeros(format!("{a:.3}")));
    }
    if a >= 1e-4 {
        // Four significant digits.
        let decimals = (4 - 1 - a.log10().floor() as i32).clamp(0, 12) as usize;
        return format!("{sign}{}", trim_zeros(format!("{a:.decimals$}")));
    }
    format!("{sign}{a:.3e}")
}

/// The unit a figure of `summary.json` is in, to write beside its value.
#[derive(Debug, Clone, Copy)]
enum Unit {
    /// Text, not a number.
    Text,
    /// A count or amount of the named things.
    Of(&'static str),
    /// Seconds, shown with the duration people read.
    Seconds,
    /// A fraction, shown as a percentage.
    Fraction,
    /// Already a percentage.
    Percent,
}

/// The name and unit of a `summary.json` key; `demand` names what demand counts.
fn figure(key: &str, demand: &'static str) -> Option<(&'static str, Unit)> {
    use Unit::{Fraction, Of, Percent, Seconds, Text};
    Some(match key {
        "scenario" => ("scenario", Text),
        "autoscaler" => ("autoscaler", Text),
        "variant" => ("production variant", Text),
        "instance_type" => ("instance type", Text),
        "initial_traffic_share" => ("share of traffic at start", Fraction),
        "steps" => ("steps replayed", Of("steps")),
        "step_s" => ("step length", Seconds),
        "duration_s" => ("time replayed", Seconds),
        "instance_seconds" => ("instance time", Of("instance-seconds")),
        "instance_hours" => ("instance-hours", Of("instance-hours")),
        "mean_in_service" => ("instances in service, mean", Of("instances")),
        "peak_in_service" => ("instances in service, peak", Of("instances")),
        "min_in_service" => ("instances in service, minimum", Of("instances")),
        "demand_total" => ("demand", Of(demand)),
        "served_total" => ("served", Of(demand)),
        "unserved_total" => ("unserved (lost)", Of(demand)),
        "unserved_fraction" => ("unserved share of demand", Fraction),
        "underprovisioned_steps" => ("steps with demand lost or waiting", Of("steps")),
        "underprovisioned_s" => ("time with demand lost or waiting", Seconds),
        "backlog_end" => ("waiting at the end", Of(demand)),
        "mean_queue_wait_s" => ("mean wait in the queue", Seconds),
        "scale_out_events" => ("scale-out actions", Of("events")),
        "scale_in_events" => ("scale-in actions", Of("events")),
        "price_per_hour" => ("price", Of("per instance-hour")),
        "cost" => ("cost", Of("(instance-hours × price)")),
        "latency_mean_s" => ("latency, mean", Seconds),
        "overloaded_steps" => ("overloaded steps", Of("steps")),
        "slo_violation_steps" => ("steps breaking the SLO", Of("steps")),
        "slo_violation_s" => ("time breaking the SLO", Seconds),
        "under_provisioning_accuracy_pct" => ("under-provisioning accuracy", Percent),
        "over_provisioning_accuracy_pct" => ("over-provisioning accuracy", Percent),
        "under_provisioning_timeshare_pct" => ("time under-provisioned", Percent),
        "over_provisioning_timeshare_pct" => ("time over-provisioned", Percent),
        "instability_pct" => ("instability", Percent),
        "jitter_per_hour" => ("jitter", Of("adaptations per hour")),
        "latency_p50_s" => ("latency, 50th percentile", Seconds),
        "latency_p90_s" => ("latency, 90th percentile", Seconds),
        "latency_p99_s" => ("latency, 99th percentile", Seconds),
        "latency_p999_s" => ("latency, 99.9th percentile", Seconds),
        "latency_max_s" => ("latency, maximum", Seconds),
        "wait_mean_s" => ("wait before service, mean", Seconds),
        "requests_completed" => ("requests completed", Of("requests")),
        "requests_failed" => ("requests failed", Of("requests")),
        "requests_timed_out" => ("requests timed out", Of("requests")),
        "requests_rejected" => ("requests rejected", Of("requests")),
        "requests_no_instance" => ("requests with no instance", Of("requests")),
        "requests_in_flight_end" => ("requests in flight at the end", Of("requests")),
        "runs" => ("replicas run", Of("replicas")),
        _ => return None,
    })
}

/// A value of `summary.json` written with its unit.
fn value_text(value: &Value, unit: Unit) -> String {
    let Some(v) = value.as_f64() else {
        return match value {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        };
    };
    match unit {
        Unit::Text => human_number(v),
        Unit::Of(noun) => format!("{} {}", human_number(v), singular(noun, v)),
        Unit::Seconds if v >= 60.0 => format!("{} s = {}", human_number(v), duration(v)),
        Unit::Seconds => format!("{} s", human_number(v)),
        Unit::Fraction => format!("{} %", human_number(v * 100.0)),
        Unit::Percent => format!("{} %", human_number(v)),
    }
}

/// `noun` for a count of `v`: "1 step", "2 steps".
fn singular(noun: &'static str, v: f64) -> &'static str {
    match noun {
        "steps" | "events" | "instances" | "replicas" | "requests" if v == 1.0 => {
            &noun[..noun.len() - 1]
        }
        _ => noun,
    }
}

/// The headline figures of a page, as cards: each a value and what it is.
fn cards(items: &[(String, String)]) -> String {
    let mut html = String::from("<div class=\"cards\">");
    for (value, label) in items {
        let _ = write!(
            html,
            "<div class=\"card\"><div class=\"card-value\">{}</div><div class=\"card-label\">{}</div></div>",
            escape_html(value),
            escape_html(label)
        );
    }
    html.push_str("</div>");
    html
}

/// A run's headline figures, from `summary.json`.
fn run_cards(summary: &Value, demand: &'static str) -> String {
    let get = |key: &str| summary.get(key).and_then(Value::as_f64);
    let mut items = Vec::new();
    if let Some(hours) = get("instance_hours") {
        items.push((human_number(hours), "instance-hours".to_owned()));
    }
    if let Some(cost) = get("cost") {
        items.push((
            human_number(cost),
            "cost (instance-hours × price)".to_owned(),
        ));
    }
    if let (Some(mean), Some(peak)) = (get("mean_in_service"), get("peak_in_service")) {
        items.push((
            format!("{} · {}", human_number(mean), human_number(peak)),
            "instances in service: mean · peak".to_owned(),
        ));
    }
    if let Some(fraction) = get("unserved_fraction") {
        items.push((
            format!("{} %", human_number(fraction * 100.0)),
            format!("of the {demand} unserved"),
        ));
    }
    if let Some(seconds) = get("underprovisioned_s") {
        items.push((duration(seconds), "with demand lost or waiting".to_owned()));
    }
    if let (Some(out), Some(scale_in)) = (get("scale_out_events"), get("scale_in_events")) {
        items.push((
            format!("{} · {}", human_number(out), human_number(scale_in)),
            "scale-out · scale-in actions".to_owned(),
        ));
    }
    if let Some(p99) = get("latency_p99_s") {
        items.push((
            format!("{} s", human_number(p99)),
            "latency, p99".to_owned(),
        ));
    }
    cards(&items)
}

/// The rows of a figures table for the keys of `object` (nested objects and arrays left out).
fn figure_rows(object: &Map<String, Value>, demand: &'static str) -> String {
    let mut rows = String::new();
    for (key, value) in object {
        if value.is_object() || value.is_array() {
            continue;
        }
        let (name, unit) = figure(key, demand).unwrap_or(("", Unit::Text));
        let name = if name.is_empty() { key.as_str() } else { name };
        let _ = write!(
            rows,
            "<tr><th scope=\"row\">{}</th><td class=\"num\" title=\"{}\">{}</td><td><code>{}</code></td></tr>",
            escape_html(name),
            escape_html(&value.to_string()),
            escape_html(&value_text(value, unit)),
            escape_html(key),
        );
    }
    rows
}

/// The summary section: every figure of `summary.json`, then the replicas' spread and the
/// endpoint's variants when present.
fn summary_section(summary: &Value, demand: &'static str) -> String {
    let Some(object) = summary.as_object() else {
        return String::new();
    };
    let mut html = String::from(
        "<section id=\"summary\"><h2>Every figure</h2>\
         <p class=\"note\">The figures of <code>summary.json</code>, named and with their units; \
         hover a value for the exact number.</p><table class=\"figures\"><thead><tr>\
         <th>figure</th><th>value</th><th>key in summary.json</th></tr></thead><tbody>",
    );
    html.push_str(&figure_rows(object, demand));
    html.push_str("</tbody></table>");
    if let Some(Value::Object(replicas)) = object.get("replicas") {
        html.push_str(
            "<h3>Spread over the replicas</h3><table class=\"figures\"><thead><tr>\
             <th>figure</th><th>mean</th><th>5th percentile</th><th>95th percentile</th>\
             </tr></thead><tbody>",
        );
        for (key, spread) in replicas {
            let (name, unit) = figure(key, demand).unwrap_or((key.as_str(), Unit::Text));
            let cell = |field: &str| {
                spread
                    .get(field)
                    .map(|v| escape_html(&value_text(v, unit)))
                    .unwrap_or_default()
            };
            let _ = write!(
                html,
                "<tr><th scope=\"row\">{}</th><td class=\"num\">{}</td><td class=\"num\">{}</td>\
                 <td class=\"num\">{}</td></tr>",
                escape_html(name),
                cell("mean"),
                cell("p5"),
                cell("p95"),
            );
        }
        html.push_str("</tbody></table>");
    }
    if let Some(Value::Array(variants)) = object.get("variants") {
        html.push_str(
            "<h3>Production variants</h3><p class=\"note\">Each variant's own files and report \
             are in <code>variants/</code>.</p>",
        );
        for variant in variants.iter().filter_map(Value::as_object) {
            let name = variant
                .get("variant")
                .and_then(Value::as_str)
                .unwrap_or("variant");
            let _ = write!(
                html,
                "<details><summary>{}</summary><table class=\"figures\"><tbody>{}</tbody></table>\
                 </details>",
                escape_html(name),
                figure_rows(variant, demand)
            );
        }
    }
    html.push_str("</section>");
    html
}

/// A whole page: `title`, a line under it, `sections` of HTML, and the script's `data`.
fn page(title: &str, subtitle: &str, sections: &str, data: &Value) -> String {
    let hash = |text: &str| {
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(text.as_bytes()))
    };
    let policy = format!(
        "default-src 'none'; script-src 'sha256-{}' 'sha256-{}'; style-src 'unsafe-inline'; \
         img-src data:; base-uri 'none'; form-action 'none'",
        hash(ERROR_HOOK),
        hash(SCRIPT)
    );
    let version = env!("CARGO_PKG_VERSION");
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{policy}\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"scalesim {version}\">\n\
         <title>{title} · scalesim report</title>\n<script>{ERROR_HOOK}</script>\n\
         <style>\n{STYLE}</style>\n</head>\n<body>\n\
         <svg id=\"svg-namespace\" aria-hidden=\"true\" width=\"0\" height=\"0\"></svg>\n\
         <header><h1>{title}</h1><p class=\"subtitle\">{subtitle}</p></header>\n<main>\n\
         {sections}\n</main>\n<footer>Written by scalesim {version}. This page is one file: \
         it loads nothing, and its plots are drawn by the script inside it.</footer>\n\
         <script type=\"application/json\" id=\"report-data\">{data}</script>\n\
         <script>{SCRIPT}</script>\n</body>\n</html>\n",
        title = escape_html(title),
        subtitle = escape_html(subtitle),
        data = script_json(data),
    )
}

/// The min and max of one series over a bin; NaN (no value) is skipped.
#[derive(Debug, Clone, Copy)]
struct Range {
    min: f64,
    max: f64,
}

impl Range {
    const EMPTY: Self = Self {
        min: f64::INFINITY,
        max: f64::NEG_INFINITY,
    };

    fn add(&mut self, v: f64) {
        if v.is_finite() {
            self.min = self.min.min(v);
            self.max = self.max.max(v);
        }
    }

    fn min(&self) -> f64 {
        if self.min <= self.max {
            self.min
        } else {
            f64::NAN
        }
    }

    fn max(&self) -> f64 {
        if self.min <= self.max {
            self.max
        } else {
            f64::NAN
        }
    }
}

/// The series a run's plot draws, in the order of [`RunReport::series`].
const RUN_SERIES: [&str; 8] = [
    "demand",
    "capacity",
    "unserved",
    "in_service",
    "desired",
    "latency_p50_s",
    "latency_p95_s",
    "latency_p99_s",
];

/// One kept event: decided at the end of step `step_idx` (time `t_s`), `from` → `to`.
#[derive(Debug, Clone)]
struct KeptEvent {
    step_idx: u64,
    t_s: u64,
    from: u32,
    to: u32,
    reason: String,
}

/// Collects what a run's report shows, binned as the steps arrive: memory bounded by
/// [`MAX_BINS`] and [`MAX_EVENTS`] whatever the run's length.
#[derive(Debug)]
pub(crate) struct RunReport {
    bin_steps: u64,
    step_s: u64,
    steps: u64,
    sessions: bool,
    latency: bool,
    /// Per bin: the first step's start, seconds.
    bin_t_s: Vec<u64>,
    /// Per bin, per series of [`RUN_SERIES`].
    series: Vec<[Range; RUN_SERIES.len()]>,
    /// Per bin: events out, in and decisions not to scale.
    event_counts: Vec<[u32; 3]>,
    events: Vec<KeptEvent>,
    events_total: u64,
    /// Wall-clock time of t = 0 (the scenario's `start`, or its trace's first timestamp), Unix
    /// seconds: the page then reads times on the wall clock too.
    start_unix_s: Option<i64>,
    /// The start's UTC offset, seconds east: the page's time axis reads the clock there.
    start_offset_s: Option<i32>,
}

impl RunReport {
    /// Reads times on the wall clock, t = 0 being `start`, in its own UTC offset.
    pub(crate) fn with_start(mut self, start: Option<DateTime<FixedOffset>>) -> Self {
        self.start_unix_s = start.map(|start| start.timestamp());
        self.start_offset_s = start.map(|start| start.offset().local_minus_utc());
        self
    }

    /// A report of a run of `expected_steps` steps (more are binned as well, in more bins).
    pub(crate) fn new(expected_steps: u64) -> Self {
        Self {
            bin_steps: expected_steps.div_ceil(MAX_BINS).max(1),
            step_s: 0,
            steps: 0,
            sessions: false,
            latency: false,
            bin_t_s: Vec::new(),
            series: Vec::new(),
            event_counts: Vec::new(),
            events: Vec::new(),
            events_total: 0,
            start_unix_s: None,
            start_offset_s: None,
        }
    }

    fn bin(&mut self, step_idx: u64) -> Option<usize> {
        let bin = usize::try_from(step_idx / self.bin_steps).ok()?;
        // Bins come in order; a step far past the end would only grow the vectors.
        if bin < self.series.len() {
            return Some(bin);
        }
        if bin == self.series.len() {
            self.bin_t_s.push(0);
            self.series.push([Range::EMPTY; RUN_SERIES.len()]);
            self.event_counts.push([0; 3]);
            return Some(bin);
        }
        None
    }

    /// Records an event whose reason is `reason` (formatted only if kept).
    pub(crate) fn add_event(
        &mut self,
        step_idx: u64,
        t_s: u64,
        from: u32,
        to: u32,
        reason: impl FnOnce() -> String,
    ) {
        self.events_total += 1;
        let kind = match to.cmp(&from) {
            std::cmp::Ordering::Greater => 0,
            std::cmp::Ordering::Less => 1,
            std::cmp::Ordering::Equal => 2,
        };
        if let Some(bin) = self.bin(step_idx)
            && let Some(counts) = self.event_counts.get_mut(bin)
        {
            counts[kind] = counts[kind].saturating_add(1);
        }
        if self.events.len() < MAX_EVENTS {
            self.events.push(KeptEvent {
                step_idx,
                t_s,
                from,
                to,
                reason: reason(),
            });
        }
    }

    /// The script's data: the bins and the kept events.
    fn data(&self, title: &str) -> Value {
        let bins = self.series.len();
        let mut series = Map::new();
        for (index, name) in RUN_SERIES.iter().enumerate() {
            if name.starts_with("latency") && !self.latency {
                continue;
            }
            let column = |f: fn(&Range) -> f64| nums(self.series.iter().map(|bin| f(&bin[index])));
            let value = if self.bin_steps == 1 {
                json!({ "max": column(Range::max) })
            } else {
                json!({ "min": column(Range::min), "max": column(Range::max) })
            };
            series.insert((*name).to_owned(), value);
        }
        let counts = |kind: usize| -> Value {
            Value::Array(
                self.event_counts
                    .iter()
                    .map(|c| Value::from(c[kind]))
                    .collect(),
            )
        };
        json!({
            "kind": "run",
            "title": title,
            "step_s": self.step_s,
            "steps": self.steps,
            "bin_steps": self.bin_steps,
            "bin_s": self.bin_steps * self.step_s,
            "bins": bins,
            "units": if self.sessions { "sessions" } else { "requests" },
            "t_s": Value::Array(self.bin_t_s.iter().map(|&t| Value::from(t)).collect()),
            "series": series,
            "event_counts": { "out": counts(0), "in": counts(1), "none": counts(2) },
            "events": Value::Array(self.events.iter().map(|e| json!([
                e.step_idx, e.t_s, e.from, e.to, e.reason
            ])).collect()),
            "events_total": self.events_total,
            "start_unix_s": self.start_unix_s,
            "start_offset_s": self.start_offset_s,
        })
    }

    /// The page, titled `title`; `summary` is `summary.json`'s content.
    pub(crate) fn html(&self, title: &str, autoscaler: &str, summary: &Value) -> String {
        let demand = if self.sessions {
            "session starts"
        } else {
            "requests"
        };
        let subtitle = format!(
            "{autoscaler} · {} steps of {} s = {}",
            count(self.steps),
            self.step_s,
            duration((self.steps * self.step_s) as f64)
        );
        let bin_note = if self.bin_steps == 1 {
            format!(
                "One point per step ({} steps of {} s).",
                count(self.steps),
                self.step_s
            )
        } else {
            format!(
                "{} steps in {} bins of {} steps ({}) each: every bin keeps the smallest and the \
                 largest value of its steps (the band), so a one-step spike stays visible; \
                 <code>timeseries.csv</code> has every step.",
                count(self.steps),
                count(self.series.len() as u64),
                count(self.bin_steps),
                escape_html(&duration((self.bin_steps * self.step_s) as f64)),
            )
        };
        let events_note = if self.events_total as usize > self.events.len() {
            format!(
                "{} events in all; the first {} are listed here with their reasons (the plot \
                 counts every one), <code>events.csv</code> has them all.",
                count(self.events_total),
                count(self.events.len() as u64)
            )
        } else {
            format!(
                "{} in all: what the autoscaler decided at the end of a step, and why \
                 (<code>events.csv</code>). Click a row to see it on the plot.",
                if self.events_total == 1 {
                    "1 event".to_owned()
                } else {
                    format!("{} events", count(self.events_total))
                }
            )
        };
        let sections = format!(
            "{cards}\n<section id=\"plots\"><h2>Over time</h2><p class=\"note\" id=\"bin-note\">\
             {bin_note} Drag across a plot or turn the wheel to zoom, double-click to see the \
             whole run; hover a step to read it.</p><div class=\"chart\" id=\"chart\"></div>\
             </section>\n<section id=\"events\"><h2>Scaling events</h2><p class=\"note\">\
             {events_note}</p><div id=\"events-table\"></div></section>\n{summary}",
            cards = run_cards(summary, demand),
            summary = summary_section(summary, demand),
        );
        page(title, &subtitle, &sections, &self.data(title))
    }
}

impl Sink for RunReport {
    fn on_step(&mut self, record: &StepRecord) {
        self.step_s = record.step_s;
        self.steps = self.steps.max(record.step_idx + 1);
        let Some(bin) = self.bin(record.step_idx) else {
            return;
        };
        if record.step_idx.is_multiple_of(self.bin_steps) {
            self.bin_t_s[bin] = record.t_s;
        }
        let demand = match record.active_sessions {
            Some(active) => {
                self.sessions = true;
                f64::from(active)
            }
            None => record.demand,
        };
        let ranges = &mut self.series[bin];
        ranges[0].add(demand);
        ranges[1].add(record.capacity);
        ranges[2].add(record.unserved);
        ranges[3].add(f64::from(record.in_service));
        ranges[4].add(f64::from(record.desired));
        if let Some(requests) = &record.requests {
            self.latency = true;
            let nan = f64::NAN;
            ranges[5].add(requests.latency_p50_s.unwrap_or(nan));
            ranges[6].add(requests.latency_p95_s.unwrap_or(nan));
            ranges[7].add(requests.latency_p99_s.unwrap_or(nan));
        }
    }

    fn on_scaling(&mut self, event: &ScalingEvent) {
        self.add_event(event.step_idx, event.t_s, event.from, event.to, || {
            event.reason.to_string()
        });
    }
}

/// The page of a comparison: the overlay's bins and one row per run.
pub(crate) fn compare_html(plot: &ComparisonPlot, rows: &[ComparisonRow]) -> String {
    let any_cost = rows.iter().any(|row| row.cost.is_some());
    let any_requests = rows.iter().any(|row| row.summary.requests.is_some());
    let mut table = String::from(
        "<table class=\"figures wide\"><thead><tr><th>run</th><th>autoscaler</th>\
         <th>instance-hours</th><th>instances in service<br>mean / peak</th>\
         <th>unserved share of demand</th><th>time with demand lost or waiting</th>\
         <th>scale-out / scale-in actions</th>",
    );
    if any_cost {
        table.push_str("<th>cost (instance-hours × price)</th>");
    }
    if any_requests {
        table.push_str("<th>latency p50 / p99</th>");
    }
    table.push_str("</tr></thead><tbody>");
    for (index, row) in rows.iter().enumerate() {
        let summary = &row.summary;
        let _ = write!(
            table,
            "<tr><th scope=\"row\"><span class=\"swatch run-{index}\"></span>{}</th><td>{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{} / {}</td><td class=\"num\">{} %</td>\
             <td class=\"num\">{}</td><td class=\"num\">{} / {}</td>",
            escape_html(&row.name),
            escape_html(row.kind),
            human_number(summary.instance_hours()),
            human_number(summary.mean_in_service()),
            count(u64::from(summary.peak_in_service)),
            human_number(summary.unserved_fraction() * 100.0),
            escape_html(&duration(summary.underprovisioned_s() as f64)),
            count(summary.scale_out_events),
            count(summary.scale_in_events),
        );
        if any_cost {
            let _ = write!(
                table,
                "<td class=\"num\">{}</td>",
                row.cost.map(human_number).unwrap_or_default()
            );
        }
        if any_requests {
            let seconds = |v: Option<f64>| v.map_or("—".to_owned(), |v| human_number(v) + " s");
            let (p50, p99) = row
                .summary
                .requests
                .as_ref()
                .map_or((None, None), |r| (r.latency_p50_s, r.latency_p99_s));
            let _ = write!(
                table,
                "<td class=\"num\">{} / {}</td>",
                seconds(p50),
                seconds(p99)
            );
        }
        table.push_str("</tr>");
    }
    table.push_str("</tbody></table>");
    let bins = plot.demand_mean_per_min.len();
    // Runs on different traces: each carries its own demand, and there is no shared one.
    let own_demand = plot.runs.iter().any(|run| run.own_demand_per_min.is_some());
    let runs = plot.runs.iter().map(|run| {
        let mut fields = json!({
            "label": run.label,
            "mean": nums(run.in_service_mean.iter().copied()),
            "max": nums(run.in_service_max.iter().copied()),
        });
        if let Some(demand) = &run.own_demand_per_min {
            fields["demand"] = nums(demand.iter().copied());
        }
        fields
    });
    let data = json!({
        "kind": "compare",
        "title": plot.title,
        "bin_s": num(plot.bin_s),
        "bins": bins,
        "t_s": nums((0..bins).map(|i| i as f64 * plot.bin_s)),
        "demand": if own_demand { Value::Null } else { json!({
            "mean": nums(plot.demand_mean_per_min.iter().copied()),
            "max": nums(plot.demand_max_per_min.iter().copied()) }) },
        "runs": Value::Array(runs.collect()),
    });
    let span_s = plot.bin_s * bins as f64;
    let subtitle = format!(
        "{} runs on {} · {}",
        rows.len(),
        duration(span_s),
        plot.demand_note
    );
    let sections = format!(
        "<section id=\"comparison\"><h2>Comparison</h2><p class=\"note\">One row of \
         <code>comparison.csv</code> per run, in the order given.</p>{table}</section>\n\
         <section id=\"plots\"><h2>Over time</h2><p class=\"note\" id=\"bin-note\">Every run on \
         the same time axis, in {bins} bins of {bin}: {demand}; instances are each run's most \
         in service during the bin (hover for the mean). Drag across a plot or turn the wheel \
         to zoom, double-click to see it all.</p><div class=\"chart\" id=\"chart\"></div>\
         </section>",
        bins = count(bins as u64),
        bin = escape_html(&duration(plot.bin_s)),
        demand = if own_demand {
            "each run's own demand is its bin's mean (requests / min), up to the run's end"
        } else {
            "demand is the bin's mean and its busiest step (requests / min)"
        },
    );
    page(&plot.title, &subtitle, &sections, &data)
}

/// One run of a sweep, as its plot shows it.
#[derive(Debug, Clone)]
pub(crate) struct SweepPoint {
    /// The run's number (the combination's, with several traces).
    pub(crate) run: u64,
    /// Cost or instance-hours.
    pub(crate) expense: f64,
    /// What the frontier weighs against expense.
    pub(crate) loss: f64,
    /// Whether no other run beats it on both.
    pub(crate) on_frontier: bool,
    /// Its parameter values, in the sweep's order.
    pub(crate) parameters: Vec<f64>,
}

/// What a sweep's page shows.
#[derive(Debug)]
pub(crate) struct SweepReport<'a> {
    /// The sweep's name.
    pub(crate) title: String,
    /// Runs in all (rows judged).
    pub(crate) runs: usize,
    /// Traces swept.
    pub(crate) traces: usize,
    /// Parameter names.
    pub(crate) parameters: &'a [String],
    /// Every judged row with a finite loss.
    pub(crate) points: Vec<SweepPoint>,
    /// The x axis: the expense and its unit.
    pub(crate) x_label: &'a str,
    /// The y axis: the loss and its unit.
    pub(crate) y_label: &'a str,
    /// The objective's bound on the loss, if it bounds what the y axis shows.
    pub(crate) limit: Option<f64>,
    /// The scenario's own policy: its expense and loss, as the points give theirs.
    pub(crate) baseline: Option<(f64, f64)>,
    /// The objective, as the page states it.
    pub(crate) objective: String,
    /// The recommended run's number.
    pub(crate) recommended: Option<u64>,
    /// The recommended run's figures: the header of its table and its line.
    pub(crate) recommended_row: Option<(String, String)>,
    /// `recommendation.json`, as written.
    pub(crate) recommendation_json: String,
    /// The recommended vendor files: name and text.
    pub(crate) files: Vec<(String, String)>,
}

/// Splits a CSV line, honouring quoted fields.
fn csv_fields(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(std::mem::take(&mut field)),
            (c, _) => field.push(c),
        }
    }
    fields.push(field);
    fields
}

/// Keeps every frontier point and the recommended one, and spreads the rest evenly, so that at
/// most [`MAX_POINTS`] remain.
fn thin_points(points: Vec<SweepPoint>, recommended: Option<u64>) -> Vec<SweepPoint> {
    if points.len() <= MAX_POINTS {
        return points;
    }
    let must = |p: &SweepPoint| p.on_frontier || Some(p.run) == recommended;
    let kept_must = points.iter().filter(|p| must(p)).count();
    let others = points.len() - kept_must;
    let room = MAX_POINTS.saturating_sub(kept_must).max(1);
    let stride = others.div_ceil(room).max(1);
    let mut other_index = 0usize;
    points
        .into_iter()
        .filter(|p| {
            if must(p) {
                return true;
            }
            other_index += 1;
            (other_index - 1).is_multiple_of(stride)
        })
        .collect()
}

/// The page of a whole sweep.
pub(crate) fn sweep_html(report: SweepReport<'_>) -> String {
    let shown_total = report.points.len();
    let points = thin_points(report.points, report.recommended);
    let data = json!({
        "kind": "sweep",
        "title": report.title,
        "parameters": report.parameters,
        "x_label": report.x_label,
        "y_label": report.y_label,
        "limit": report.limit.map(num),
        "baseline": report.baseline.map(|(expense, loss)| json!([num(expense), num(loss)])),
        "recommended": report.recommended,
        "runs": report.runs,
        "points_total": shown_total,
        "points": Value::Array(points.iter().map(|p| json!([
            p.run, num(p.expense), num(p.loss), u8::from(p.on_frontier), nums(p.parameters.iter().copied())
        ])).collect()),
    });
    let frontier = points.iter().filter(|p| p.on_frontier).count();
    let mut sections = String::new();
    let _ = write!(
        sections,
        "<section id=\"objective\"><p class=\"objective\">{}</p>",
        escape_html(&report.objective)
    );
    let chosen = points
        .iter()
        .find(|p| Some(p.run) == report.recommended)
        .cloned();
    if let Some(point) = &chosen {
        let mut items = vec![
            (format!("run {}", point.run), "recommended".to_owned()),
            (human_number(point.expense), report.x_label.to_owned()),
            (human_number(point.loss), report.y_label.to_owned()),
        ];
        for (name, value) in report.parameters.iter().zip(&point.parameters) {
            items.push((human_number(*value), name.clone()));
        }
        sections.push_str(&cards(&items));
    }
    if let Some((expense, loss)) = report.baseline {
        let against = chosen
            .as_ref()
            .filter(|_| expense > 0.0)
            .map(|point| {
                let change = point.expense - expense;
                format!(
                    "; the recommended run {} {} ({} %)",
                    if change > 0.0 { "adds" } else { "saves" },
                    human_number(change.abs()),
                    human_number(change.abs() / expense * 100.0)
                )
            })
            .unwrap_or_default();
        let _ = write!(
            sections,
            "<p class=\"note\" id=\"baseline\">The scenario's own policy (✕ on the plot): {} \
             {}, {} {}{}.</p>",
            escape_html(report.x_label),
            human_number(expense),
            escape_html(report.y_label),
            human_number(loss),
            escape_html(&against)
        );
    }
    sections.push_str("</section>\n");
    let mut recommended_table = String::new();
    match &report.recommended_row {
        Some((header, line)) => {
            recommended_table.push_str(
                "<section id=\"recommended-run\"><details><summary>Every figure of the \
                 recommended run</summary><table class=\"figures\"><thead><tr><th>column</th>\
                 <th>value</th></tr></thead><tbody>",
            );
            for (name, value) in csv_fields(header).iter().zip(csv_fields(line)) {
                let shown = match value.parse::<f64>() {
                    Ok(v) => human_number(v),
                    Err(_) if value.is_empty() => "—".to_owned(),
                    Err(_) => value.clone(),
                };
                let _ = write!(
                    recommended_table,
                    "<tr><th scope=\"row\"><code>{}</code></th><td class=\"num\" title=\"{}\">{}</td></tr>",
                    escape_html(name),
                    escape_html(&value),
                    escape_html(&shown)
                );
            }
            recommended_table.push_str("</tbody></table></details></section>\n");
        }
        None => sections.push_str(
            "<p class=\"warning\">No run meets the objective: loosen it or widen the sweep.</p>",
        ),
    }
    let thinned = if points.len() < shown_total {
        format!(
            " The plot shows {} of the {} runs: every run on the frontier and the recommended \
             one, and the others evenly spread; <code>results.csv</code> has them all.",
            count(points.len() as u64),
            count(shown_total as u64)
        )
    } else {
        String::new()
    };
    let _ = write!(
        sections,
        "<section id=\"plots\"><h2>Pareto frontier</h2><p class=\"note\" id=\"bin-note\">Each dot \
         is a run: {} against {}; the blue line joins the {} runs no other beats on both, the \
         orange diamond is the recommended run. Hover a dot for its parameters; drag to zoom, \
         double-click to see every run.{thinned}</p><div class=\"chart\" id=\"chart\"></div>\
         </section>\n{recommended_table}",
        escape_html(report.x_label),
        escape_html(report.y_label),
        count(frontier as u64),
    );
    sections.push_str(
        "<section id=\"recommendation\"><h2>Recommended files</h2><p class=\"note\">Written \
         beside this page, as the vendor takes them.</p>",
    );
    let mut files = vec![("recommendation.json".to_owned(), report.recommendation_json)];
    files.extend(report.files);
    for (name, text) in &files {
        let _ = write!(
            sections,
            "<details open><summary><a href=\"{name}\">{name}</a></summary><pre>{text}</pre>\
             </details>",
            name = escape_html(name),
            text = escape_html(text)
        );
    }
    sections.push_str("</section>");
    let subtitle = format!(
        "{} runs{} · {} parameters: {}",
        count(report.runs as u64),
        if report.traces > 1 {
            format!(" (combinations judged on all {} traces)", report.traces)
        } else {
            String::new()
        },
        report.parameters.len(),
        report.parameters.join(", ")
    );
    page(&report.title, &subtitle, &sections, &data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_and_script_text_cannot_break_out() {
        assert_eq!(
            escape_html("<script>alert('x') & \"y\"</script>"),
            "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;"
        );
        let value = json!({ "name": "</script><!-- \u{2028}" });
        let text = script_json(&value);
        assert!(!text.contains('<') && !text.contains('>'));
        let back: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, value);
    }

    #[test]
    fn numbers_read_as_people_write_them() {
        assert_eq!(human_number(84_333.0), "84,333");
        assert_eq!(human_number(2226.7333), "2,226.7");
        assert_eq!(human_number(1.58333), "1.583");
        assert_eq!(human_number(0.005090), "0.00509");
        assert_eq!(human_number(0.0), "0");
        assert_eq!(human_number(-3.5), "-3.5");
        assert_eq!(human_number(f64::NAN), "—");
        assert_eq!(num(352.0), json!(352));
        assert_eq!(num(0.123456789), json!(0.123457));
        assert_eq!(num(f64::INFINITY), Value::Null);
    }

    #[test]
    fn bins_keep_min_and_max_and_stay_bounded() {
        let steps = 10_001;
        let mut report = RunReport::new(steps);
        for step_idx in 0..steps {
            let demand = if step_idx == 5_000 { 1e6 } else { 1.0 };
            report.on_step(&StepRecord {
                step_idx,
                t_s: step_idx * 60,
                step_s: 60,
                demand,
                served: demand,
                unserved: 0.0,
                backlog: 0.0,
                in_service: 1,
                desired: 1,
                pending: 0,
                capacity: 10.0,
                metric: None,
                panic: None,
                active_sessions: None,
                requests: None,
            });
        }
        assert_eq!(report.bin_steps, 6);
        assert_eq!(report.series.len(), 1_667);
        let spike = &report.series[5_000 / 6][0];
        assert_eq!((spike.min(), spike.max()), (1.0, 1e6));
        assert_eq!(report.bin_t_s[1], 360);
    }

    #[test]
    fn a_sweep_keeps_its_frontier_when_thinned() {
        let points: Vec<SweepPoint> = (0..12_000)
            .map(|run| SweepPoint {
                run,
                expense: run as f64,
                loss: 1.0,
                on_frontier: run % 1000 == 7,
                parameters: vec![run as f64],
            })
            .collect();
        let kept = thin_points(points, Some(11_999));
        assert!(kept.len() <= MAX_POINTS);
        assert_eq!(kept.iter().filter(|p| p.on_frontier).count(), 12);
        assert!(kept.iter().any(|p| p.run == 11_999));
    }

    #[test]
    fn csv_lines_split_on_unquoted_commas() {
        assert_eq!(
            csv_fields("1,\"a,b\",\"say \"\"hi\"\"\""),
            ["1", "a,b", "say \"hi\""]
        );
    }
}
