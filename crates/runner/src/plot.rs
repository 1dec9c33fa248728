//! Plots of a run: demand and instances over time, as PNG and SVG.
//!
//! Both formats are drawn by the same code and return bytes rather than
//! writing files, so the caller can write them atomically. Text is drawn
//! with the DejaVu Sans font embedded in the binary (and, for SVG, embedded
//! in the document), so output never depends on the fonts of the machine.

use std::ops::Range;
use std::sync::OnceLock;

use crate::human::{count, duration, trim_zeros};
use crate::time_axis::{TimeAxis, TimeCoord};

use scalesim_core::{LATENCY_CDF_QUANTILES, RequestSummary};

use base64::Engine as _;
use chrono::{DateTime, FixedOffset};
use plotters::backend::RGBPixel;
use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::register_font;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Everything a plot shows of one run; columns are per simulation step.
#[derive(Debug, Clone, Default)]
pub(crate) struct Timeline {
    /// Length of one step in seconds (60 typical; 1..=3600).
    pub(crate) step_s: u64,
    /// Arrivals (requests) in each step.
    pub(crate) demand: Vec<f64>,
    /// Requests the in-service instances could serve in that step.
    pub(crate) capacity: Vec<f64>,
    /// Requests not served in that step (demand - served).
    pub(crate) unserved: Vec<f64>,
    /// Instances serving during the step.
    pub(crate) in_service: Vec<u32>,
    /// Desired capacity after the autoscaler's decision at the end of the step.
    pub(crate) desired: Vec<u32>,
    /// Scaling actions.
    pub(crate) events: Vec<EventMark>,
    /// What `demand`, `capacity` and `unserved` count.
    pub(crate) units: DemandUnits,
    /// Arrivals in the whole run (requests or session starts), for the unserved share.
    pub(crate) arrivals_total: f64,
    /// Request-level runs: per step, the latency percentiles of the requests completed in it.
    pub(crate) latency: Option<LatencySeries>,
    /// The wall-clock time of t = 0, in the offset its ticks read in, when the run has one.
    pub(crate) start: Option<DateTime<FixedOffset>>,
}

/// Per-step latency percentiles, seconds; NaN for a step that completed no request.
#[derive(Debug, Clone, Default)]
pub(crate) struct LatencySeries {
    pub(crate) p50_s: Vec<f64>,
    pub(crate) p95_s: Vec<f64>,
    pub(crate) p99_s: Vec<f64>,
}

/// The latency CDF of a request-level run as a PNG (`WIDTH` x `HEIGHT`):
/// `summary.latency_cdf_s` against [`LATENCY_CDF_QUANTILES`]. A run that
/// completed no request gets a figure that says so, not an error, so every
/// request-level run writes the file.
pub(crate) fn render_latency_cdf_png(
    summary: &RequestSummary,
    title: &str,
) -> Result<Vec<u8>, PlotError> {
    ensure_font()?;
    let mut rgb = vec![0u8; WIDTH as usize * HEIGHT as usize * 3];
    {
        let backend = BitMapBackend::<RGBPixel>::with_buffer_and_format(&mut rgb, (WIDTH, HEIGHT))
            .map_err(|e| PlotError::Draw(e.to_string()))?;
        let root = backend.into_drawing_area();
        draw_cdf(&root, summary, title)?;
        root.present().map_err(draw_err)?;
    }
    encode_png(&rgb)
}

/// The latency CDF of a request-level run as a self-contained SVG.
pub(crate) fn render_latency_cdf_svg(
    summary: &RequestSummary,
    title: &str,
) -> Result<String, PlotError> {
    ensure_font()?;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        draw_cdf(&root, summary, title)?;
        root.present().map_err(draw_err)?;
    }
    Ok(embed_font(&svg))
}

/// What the top panel shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum DemandUnits {
    /// Requests per step, drawn as a rate per minute against serving capacity.
    #[default]
    Requests,
    /// Sessions in progress against session slots; `unserved` counts rejected starts.
    Sessions,
}

impl DemandUnits {
    /// Factor from a per-step value to the value drawn.
    fn scale(self, step_s: f64) -> f64 {
        match self {
            DemandUnits::Requests => 60.0 / step_s,
            DemandUnits::Sessions => 1.0,
        }
    }

    fn axis(self) -> &'static str {
        match self {
            DemandUnits::Requests => "requests / min",
            DemandUnits::Sessions => "sessions",
        }
    }

    fn demand(self) -> &'static str {
        match self {
            DemandUnits::Requests => "demand",
            DemandUnits::Sessions => "sessions in progress",
        }
    }

    fn capacity(self) -> &'static str {
        match self {
            DemandUnits::Requests => "serving capacity",
            DemandUnits::Sessions => "session slots",
        }
    }

    fn unserved(self) -> &'static str {
        match self {
            DemandUnits::Requests => "unserved",
            DemandUnits::Sessions => "rejected starts",
        }
    }

    fn arrivals(self) -> &'static str {
        match self {
            DemandUnits::Requests => "requests",
            DemandUnits::Sessions => "session starts",
        }
    }

    fn peak(self) -> &'static str {
        match self {
            DemandUnits::Requests => "req/min",
            DemandUnits::Sessions => "sessions",
        }
    }
}

/// One scaling action: the desired capacity changed from `from` to `to`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct EventMark {
    /// Decision time in seconds from t=0.
    pub(crate) t_s: u64,
    /// Desired capacity before the action.
    pub(crate) from: u32,
    /// Desired capacity after the action.
    pub(crate) to: u32,
}

/// Why a plot could not be produced.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum PlotError {
    /// The timeline has no steps, so there is nothing to draw.
    #[error("timeline has no steps")]
    Empty,
    /// `step_s` is zero, so the time axis cannot be built.
    #[error("step length must be at least one second")]
    ZeroStep,
    /// A per-step column does not have one value per step of `demand`.
    #[error("column {column} has {len} values but demand has {expected}")]
    LengthMismatch {
        /// Name of the offending column.
        column: &'static str,
        /// Its length.
        len: usize,
        /// The length of `demand`.
        expected: usize,
    },
    /// The embedded font could not be registered with the plotting library.
    #[error("embedded font could not be loaded")]
    Font,
    /// The plotting library failed while drawing.
    #[error("drawing the plot failed: {0}")]
    Draw(String),
    /// The rendered image could not be encoded as PNG.
    #[error("encoding the png failed")]
    Encode(#[from] png::EncodingError),
}

/// Renders the plot of `timeline` as an encoded PNG file (1600x900 px).
pub(crate) fn render_png(timeline: &Timeline, title: &str) -> Result<Vec<u8>, PlotError> {
    ensure_font()?;
    let data = Prepared::new(timeline)?;
    let mut rgb = vec![0u8; WIDTH as usize * HEIGHT as usize * 3];
    {
        let backend = BitMapBackend::<RGBPixel>::with_buffer_and_format(&mut rgb, (WIDTH, HEIGHT))
            .map_err(|e| PlotError::Draw(e.to_string()))?;
        let root = backend.into_drawing_area();
        draw(&root, &data, title)?;
        root.present().map_err(draw_err)?;
    }
    encode_png(&rgb)
}

/// Renders the plot of `timeline` as a complete, self-contained SVG document.
pub(crate) fn render_svg(timeline: &Timeline, title: &str) -> Result<String, PlotError> {
    ensure_font()?;
    let data = Prepared::new(timeline)?;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        draw(&root, &data, title)?;
        root.present().map_err(draw_err)?;
    }
    Ok(embed_font(&svg))
}

/// Image width in pixels.
pub(crate) const WIDTH: u32 = 1600;
/// Image height in pixels.
pub(crate) const HEIGHT: u32 = 900;
/// Family the embedded font is registered under; plotters' defaults use it too.
pub(crate) const FONT: &str = "sans-serif";
/// The embedded font, so text never depends on system fonts.
static FONT_BYTES: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");
/// Family name the SVG's `@font-face` declares; unique so the embedded copy wins.
const SVG_FONT_FAMILY: &str = "scalesim-dejavu-sans";
/// Above this many actions, per-action triangles would hide the lines.
const MAX_EVENT_MARKERS: usize = 300;

/// Height of the title block.
pub(crate) const HEADER_H: u32 = 78;
/// Height of the legend strip above each panel.
pub(crate) const LEGEND_H: u32 = 34;
/// Height of the strip that marks each scaling action on the time axis.
const RUG_H: u32 = 52;
/// Height of the x tick labels plus the x axis description.
pub(crate) const X_LABEL_H: u32 = 58;
/// Width of the y tick labels plus the y axis description; equal in every
/// panel so the panels' time axes line up.
pub(crate) const Y_LABEL_W: u32 = 84;
/// Empty space left of the y labels.
pub(crate) const MARGIN_L: u32 = 12;
/// Empty space right of the plots.
pub(crate) const MARGIN_R: u32 = 36;
/// Share of the body height given to the demand panel.
const TOP_SHARE: f64 = 0.50;
/// With a latency panel: share of the body height given to the demand panel.
const LATENCY_TOP_SHARE: f64 = 0.36;
/// With a latency panel: share given to the instance panel and its action
/// strip; the latency panel and the time axis labels get the rest.
const LATENCY_INSTANCE_SHARE: f64 = 0.30;
/// Number of x tick labels asked of plotters (an upper bound).
pub(crate) const X_TICKS: usize = 14;

/// Line of demand.
const DEMAND: RGBColor = RGBColor(31, 119, 180);
/// Serving capacity and instances in service: the supply side.
const SUPPLY: RGBColor = RGBColor(35, 35, 35);
/// Unserved demand.
const UNSERVED: RGBColor = RGBColor(214, 39, 40);
/// Desired capacity.
const DESIRED: RGBColor = RGBColor(148, 103, 189);
/// Scale-out actions.
const SCALE_OUT: RGBColor = RGBColor(44, 160, 44);
/// Scale-in actions.
const SCALE_IN: RGBColor = RGBColor(230, 115, 0);
/// Latency percentiles, light to dark as the percentile rises, so their
/// order reads without the legend; teal, which no other line uses.
const P50: RGBColor = RGBColor(80, 180, 170);
/// 95th percentile latency.
const P95: RGBColor = RGBColor(20, 122, 132);
/// 99th percentile latency.
const P99: RGBColor = RGBColor(4, 50, 64);
/// The latency CDF.
const CDF: RGBColor = RGBColor(31, 119, 180);
/// Grid lines.
pub(crate) const GRID: RGBColor = RGBColor(226, 226, 226);
/// Minor grid lines, between the labelled ones of a log axis.
const GRID_MINOR: RGBColor = RGBColor(242, 242, 242);
/// Axes and secondary text.
pub(crate) const MUTED: RGBColor = RGBColor(90, 90, 90);

/// Registers the embedded font once per process.
pub(crate) fn ensure_font() -> Result<(), PlotError> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| register_font(FONT, FontStyle::Normal, FONT_BYTES).is_ok());
    if ok { Ok(()) } else { Err(PlotError::Font) }
}

/// Turns any plotters drawing error into a [`PlotError`].
pub(crate) fn draw_err<E: std::error::Error + Send + Sync>(
    e: DrawingAreaErrorKind<E>,
) -> PlotError {
    PlotError::Draw(e.to_string())
}

/// Encodes an RGB buffer of `WIDTH` x `HEIGHT` as PNG.
fn encode_png(rgb: &[u8]) -> Result<Vec<u8>, PlotError> {
    encode_rgb_png(rgb, WIDTH, HEIGHT)
}

/// Encodes an RGB buffer of `width` x `height` as PNG.
pub(crate) fn encode_rgb_png(rgb: &[u8], width: u32, height: u32) -> Result<Vec<u8>, PlotError> {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, width, height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header()?;
        writer.write_image_data(rgb)?;
        writer.finish()?;
    }
    Ok(out)
}

/// Makes the SVG render with the embedded font everywhere: a `@font-face`
/// carrying the font, and text pointed at it (the attribute for renderers
/// without CSS, the rule because author CSS beats presentation attributes).
pub(crate) fn embed_font(svg: &str) -> String {
    static FONT_B64: OnceLock<String> = OnceLock::new();
    let b64 = FONT_B64.get_or_init(|| base64::engine::general_purpose::STANDARD.encode(FONT_BYTES));
    let family = format!("{SVG_FONT_FAMILY}, DejaVu Sans, sans-serif");
    let style = format!(
        "<style>@font-face{{font-family:'{SVG_FONT_FAMILY}';font-style:normal;font-weight:normal;\
         src:url(data:font/ttf;base64,{b64}) format('truetype');}}\
         text{{font-family:{family};}}</style>\n"
    );
    // plotters escapes quotes in text content, so this only matches attributes.
    let body = svg.replace(
        &format!("font-family=\"{FONT}\""),
        &format!("font-family=\"{family}\""),
    );
    let insert_at = body
        .find("<svg")
        .and_then(|start| body[start..].find('>').map(|end| start + end + 1));
    match insert_at {
        Some(at) => {
            let mut out = String::with_capacity(body.len() + style.len() + 1);
            out.push_str(&body[..at]);
            out.push('\n');
            out.push_str(&style);
            out.push_str(body[at..].trim_start_matches('\n'));
            out
        }
        // Unreachable with plotters' SVG backend; keep the plot rather than fail.
        None => body,
    }
}

/// A validated timeline with the derived values every panel needs.
#[derive(Debug)]
struct Prepared<'a> {
    /// The timeline itself.
    tl: &'a Timeline,
    /// Number of steps.
    n: usize,
    /// Converts a per-step count to a per-minute rate.
    per_min: f64,
    /// The time axis.
    axis: TimeAxis,
    /// Length of the run in axis units.
    span: f64,
    /// Scale-out actions within the run, as (time in axis units, to).
    outs: Vec<(f64, u32)>,
    /// Scale-in actions within the run, as (time in axis units, to).
    ins: Vec<(f64, u32)>,
}

impl<'a> Prepared<'a> {
    /// Checks that the columns agree and sorts the actions by direction.
    fn new(tl: &'a Timeline) -> Result<Self, PlotError> {
        let n = tl.demand.len();
        if n == 0 {
            return Err(PlotError::Empty);
        }
        if tl.step_s == 0 {
            return Err(PlotError::ZeroStep);
        }
        let latency_columns = tl.latency.as_ref().map(|latency| {
            [
                ("latency p50_s", latency.p50_s.len()),
                ("latency p95_s", latency.p95_s.len()),
                ("latency p99_s", latency.p99_s.len()),
            ]
        });
        for (column, len) in [
            ("capacity", tl.capacity.len()),
            ("unserved", tl.unserved.len()),
            ("in_service", tl.in_service.len()),
            ("desired", tl.desired.len()),
        ]
        .into_iter()
        .chain(latency_columns.into_iter().flatten())
        {
            if len != n {
                return Err(PlotError::LengthMismatch {
                    column,
                    len,
                    expected: n,
                });
            }
        }
        let step_s = tl.step_s as f64;
        let span_s = n as f64 * step_s;
        let axis = TimeAxis::new(span_s, tl.start);
        let unit = axis.unit();
        let mut outs = Vec::new();
        let mut ins = Vec::new();
        for e in &tl.events {
            let t = e.t_s as f64;
            if t > span_s {
                continue;
            }
            let at = (t / unit.seconds(), e.to);
            if e.to > e.from {
                outs.push(at);
            } else if e.to < e.from {
                ins.push(at);
            }
        }
        Ok(Self {
            tl,
            n,
            per_min: tl.units.scale(step_s),
            span: axis.span(),
            axis,
            outs,
            ins,
        })
    }

    /// Seconds the run covers.
    fn span_s(&self) -> f64 {
        self.span * self.axis.unit().seconds()
    }

    /// Time of the start of step `i` in axis units.
    fn t(&self, i: usize) -> f64 {
        i as f64 * self.tl.step_s as f64 / self.axis.unit().seconds()
    }
}

/// Replaces values no axis can show (NaN, infinities, negatives) by zero.
pub(crate) fn clean(v: f64) -> f64 {
    if v.is_finite() && v > 0.0 { v } else { 0.0 }
}

/// Per-column aggregates, so a long run draws one value per pixel column.
#[derive(Debug)]
struct Columns {
    /// Start and end of each column in axis units.
    bounds: Vec<(f64, f64)>,
    /// Mean demand rate per column.
    demand_mean: Vec<f64>,
    /// Lowest demand rate per column.
    demand_min: Vec<f64>,
    /// Highest demand rate per column.
    demand_max: Vec<f64>,
    /// Highest capacity rate per column.
    capacity: Vec<f64>,
    /// Highest unserved rate per column.
    unserved: Vec<f64>,
    /// Highest number of instances in service per column.
    in_service: Vec<f64>,
    /// Highest desired capacity per column.
    desired: Vec<f64>,
    /// Request-level runs: per column, the highest p50, p95 and p99 of its
    /// steps; NaN where none of its steps completed a request.
    latency: Option<[Vec<f64>; 3]>,
    /// Steps aggregated into one column (1 when not downsampled).
    steps_per_column: f64,
}

/// Splits `n` steps into at most `columns` contiguous, non-empty ranges.
fn column_ranges(n: usize, columns: usize) -> Vec<Range<usize>> {
    let columns = columns.max(1);
    if n <= columns {
        (0..n).map(|i| i..i + 1).collect()
    } else {
        (0..columns)
            .map(|c| c * n / columns..(c + 1) * n / columns)
            .collect()
    }
}

impl Columns {
    /// Aggregates `data` into at most `columns` columns: means for demand
    /// (with its min/max envelope), maxima elsewhere so short spikes survive.
    fn new(data: &Prepared<'_>, columns: usize) -> Self {
        let ranges = column_ranges(data.n, columns);
        let tl = data.tl;
        let rate = |v: f64| clean(clean(v) * data.per_min);
        let max_of = |r: &Range<usize>, col: &[f64]| {
            col[r.clone()].iter().fold(0.0_f64, |m, &v| m.max(rate(v)))
        };
        let max_u32 = |r: &Range<usize>, col: &[u32]| {
            f64::from(col[r.clone()].iter().copied().max().unwrap_or(0))
        };
        let mut out = Self {
            bounds: Vec::with_capacity(ranges.len()),
            demand_mean: Vec::with_capacity(ranges.len()),
            demand_min: Vec::with_capacity(ranges.len()),
            demand_max: Vec::with_capacity(ranges.len()),
            capacity: Vec::with_capacity(ranges.len()),
            unserved: Vec::with_capacity(ranges.len()),
            in_service: Vec::with_capacity(ranges.len()),
            desired: Vec::with_capacity(ranges.len()),
            latency: tl
                .latency
                .as_ref()
                .map(|_| std::array::from_fn(|_| Vec::with_capacity(ranges.len()))),
            steps_per_column: data.n as f64 / ranges.len().max(1) as f64,
        };
        for r in &ranges {
            let demand = &tl.demand[r.clone()];
            let (lo, hi, sum) =
                demand
                    .iter()
                    .fold((f64::INFINITY, 0.0_f64, 0.0_f64), |(lo, hi, sum), &v| {
                        let v = rate(v);
                        (lo.min(v), hi.max(v), sum + v)
                    });
            out.bounds.push((data.t(r.start), data.t(r.end)));
            out.demand_mean
                .push(clean(sum / demand.len().max(1) as f64));
            out.demand_min.push(if lo.is_finite() { lo } else { 0.0 });
            out.demand_max.push(hi);
            out.capacity.push(max_of(r, &tl.capacity));
            out.unserved.push(max_of(r, &tl.unserved));
            out.in_service.push(max_u32(r, &tl.in_service));
            out.desired.push(max_u32(r, &tl.desired));
            if let (Some(series), Some(cols)) = (&tl.latency, &mut out.latency) {
                // The max of each percentile, as for the other lines: a slow
                // minute stays visible however long the run, the legend's
                // per-pixel-max note holds for these lines too, and since
                // p50 <= p95 <= p99 in every step the three never cross.
                for (col, values) in
                    cols.iter_mut()
                        .zip([&series.p50_s, &series.p95_s, &series.p99_s])
                {
                    col.push(max_latency(&values[r.clone()]));
                }
            }
        }
        out
    }

    /// Whether columns hold more than one step each.
    fn downsampled(&self) -> bool {
        self.steps_per_column > 1.0
    }

    /// A step-shaped path holding each column's value over its span.
    fn step_path(&self, values: &[f64]) -> Vec<(f64, f64)> {
        self.bounds
            .iter()
            .zip(values)
            .flat_map(|(&(t0, t1), &v)| [(t0, v), (t1, v)])
            .collect()
    }

    /// Like [`Self::step_path`], split where a value is NaN, so a column
    /// without a value leaves a gap rather than a line bridging it.
    fn step_runs(&self, values: &[f64], y: impl Fn(f64) -> f64) -> Vec<Vec<(f64, f64)>> {
        let mut runs = Vec::new();
        let mut run = Vec::new();
        for (&(t0, t1), &v) in self.bounds.iter().zip(values) {
            if v.is_nan() {
                if !run.is_empty() {
                    runs.push(std::mem::take(&mut run));
                }
                continue;
            }
            let y = y(v);
            run.extend([(t0, y), (t1, y)]);
        }
        if !run.is_empty() {
            runs.push(run);
        }
        runs
    }

    /// Like [`Self::step_path`], but each value starts one step later:
    /// desired capacity is decided at the end of its step, so drawn this way
    /// it changes exactly where the action's marker sits.
    fn decided_path(&self, values: &[f64], step: f64, span: f64) -> Vec<(f64, f64)> {
        self.bounds
            .iter()
            .zip(values)
            .filter(|&(&(t0, _), _)| t0 + step < span)
            .flat_map(|(&(t0, t1), &v)| [(t0 + step, v), ((t1 + step).min(span), v)])
            .collect()
    }

    /// Spans of consecutive columns where unserved demand is above zero.
    fn unserved_spans(&self) -> Vec<(f64, f64)> {
        let mut spans: Vec<(f64, f64)> = Vec::new();
        for (&(t0, t1), &u) in self.bounds.iter().zip(&self.unserved) {
            if u <= 0.0 {
                continue;
            }
            match spans.last_mut() {
                Some(last) if last.1 >= t0 => last.1 = t1,
                _ => spans.push((t0, t1)),
            }
        }
        spans
    }
}

/// The highest latency in `values` that an axis can show; NaN when there is
/// none (no step completed a request, or only unusable values).
fn max_latency(values: &[f64]) -> f64 {
    values
        .iter()
        .copied()
        .filter(|v| v.is_finite() && *v >= 0.0)
        .fold(f64::NAN, f64::max)
}

/// A linear axis whose ticks are given rather than chosen by plotters: the
/// log and nines axes are drawn as linear axes over transformed values, and
/// their ticks must sit on whole decades and nines. (plotters' own log axis
/// puts ticks at values such as 3, 6 and 9 on a short range.)
#[derive(Debug, Clone)]
struct FixedTicks {
    /// Range in axis coordinates.
    range: Range<f64>,
    /// Labelled ticks, each with a grid line.
    major: Vec<f64>,
    /// Unlabelled ticks, drawn in the light grid style.
    minor: Vec<f64>,
}

impl Ranged for FixedTicks {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        RangedCoordf64::from(self.range.clone()).map(value, limit)
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            self.minor.clone()
        } else {
            self.major.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.range.clone()
    }
}

/// An axis of latencies in seconds: logarithmic when the values span more
/// than two decades (a linear axis would flatten everything but the
/// slowest), otherwise linear from 0, so heights compare as ratios.
#[derive(Debug, Clone)]
struct LatencyAxis {
    /// Whether axis coordinates are log10 of seconds rather than seconds.
    log: bool,
    /// Range in axis coordinates.
    range: Range<f64>,
    /// Labelled ticks in axis coordinates.
    ticks: Vec<f64>,
    /// Log axes over few decades: 2 and 5 within each decade, unlabelled.
    minor: Vec<f64>,
}

impl LatencyAxis {
    /// The axis for `values` (seconds; NaN, infinite and negative ones are
    /// ignored) with about `ticks` labelled ticks.
    fn new(values: impl IntoIterator<Item = f64>, ticks: usize) -> Self {
        let (mut lo, mut hi) = (f64::INFINITY, 0.0_f64);
        for v in values {
            if v.is_finite() && v > 0.0 {
                lo = lo.min(v);
                hi = hi.max(v);
            }
        }
        if lo.is_finite() && hi / lo > 100.0 {
            let (lo, hi) = (lo.log10(), hi.log10());
            // Ends padded rather than snapped to whole decades: snapping
            // wastes up to a decade at each end (a maximum of 101 s would
            // stretch the axis to 1,000 s).
            let pad = 0.03 * (hi - lo);
            let range = lo - pad..hi + pad;
            let decades: Vec<f64> = (range.start.ceil() as i64..=range.end.floor() as i64)
                .map(|d| d as f64)
                .collect();
            let with_2_and_5: Vec<f64> = (range.start.floor() as i64..=range.end.floor() as i64)
                .flat_map(|d| [1.0_f64, 2.0, 5.0].map(|m| d as f64 + m.log10()))
                .filter(|t| range.contains(t))
                .collect();
            let (ticks, minor) = if with_2_and_5.len() <= ticks {
                // Room for 2 and 5 too: a few decades alone read coarsely.
                (with_2_and_5, Vec::new())
            } else {
                let every = decades.len().div_ceil(ticks.max(1)).max(1) as i64;
                let minor = if decades.len() <= 5 {
                    with_2_and_5
                        .into_iter()
                        .filter(|t| t.fract() != 0.0)
                        .collect()
                } else {
                    Vec::new()
                };
                let ticks = decades
                    .into_iter()
                    .filter(|&d| (d as i64).rem_euclid(every) == 0)
                    .collect();
                (ticks, minor)
            };
            Self {
                log: true,
                range,
                ticks,
                minor,
            }
        } else {
            let top = axis_top(hi, 1.08);
            Self {
                log: false,
                range: 0.0..top,
                ticks: RangedCoordf64::from(0.0..top).key_points(ticks.max(2)),
                minor: Vec::new(),
            }
        }
    }

    /// Axis coordinate of `seconds`; NaN stays NaN so it can leave a gap.
    /// On a log axis, zero (and anything below the axis) sits at the bottom.
    fn at(&self, seconds: f64) -> f64 {
        if seconds.is_nan() {
            f64::NAN
        } else if self.log {
            if seconds > 0.0 {
                seconds.log10().clamp(self.range.start, self.range.end)
            } else {
                self.range.start
            }
        } else {
            seconds.clamp(0.0, self.range.end)
        }
    }

    /// Tick label, in seconds, of the axis coordinate `at`.
    fn label(&self, at: f64) -> String {
        fmt_seconds(if self.log { 10_f64.powf(at) } else { at })
    }

    /// The axis for plotters.
    fn coord(&self) -> FixedTicks {
        FixedTicks {
            range: self.range.clone(),
            major: self.ticks.clone(),
            minor: self.minor.clone(),
        }
    }
}

/// Tick label of a number of seconds on a latency axis: 0.001, 0.25, 10, 1.5k.
fn fmt_seconds(v: f64) -> String {
    if !v.is_finite() {
        String::new()
    } else if v == 0.0 {
        "0".to_string()
    } else if v >= 1.0 {
        fmt_short(v)
    } else if v >= 1e-4 {
        // Two digits past the first significant one, so steps such as
        // 0.0125 keep theirs; powers of ten computed as 0.0010000000000000002
        // round back.
        let decimals = (-v.log10()).floor() as usize + 3;
        trim_zeros(format!("{v:.decimals$}"))
    } else {
        format!("{v:.1e}").replace(".0e", "e")
    }
}

/// A latency for people: three significant digits in s, ms, µs or ns.
fn fmt_latency(s: f64) -> String {
    if !s.is_finite() || s <= 0.0 {
        return "0 s".to_string();
    }
    // Rounded before the unit is chosen, so 0.99996 s reads "1 s", not "1000 ms".
    let scale = 10_f64.powf(s.log10().floor() - 2.0);
    let rounded = (s / scale).round() * scale;
    let s = if rounded.is_finite() && rounded > 0.0 {
        rounded
    } else {
        s
    };
    let (v, unit) = if s >= 1.0 {
        (s, "s")
    } else if s >= 1e-3 {
        (s * 1e3, "ms")
    } else if s >= 1e-6 {
        (s * 1e6, "µs")
    } else {
        (s * 1e9, "ns")
    };
    let digits = if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 10.0 {
        trim_zeros(format!("{v:.1}"))
    } else {
        trim_zeros(format!("{v:.2}"))
    };
    format!("{digits} {unit}")
}

/// Upper end of a value axis showing values up to `max`, with headroom.
pub(crate) fn axis_top(max: f64, headroom: f64) -> f64 {
    let top = clean(max) * headroom;
    if !top.is_finite() {
        f64::MAX
    } else if top <= 0.0 {
        1.0
    } else {
        top
    }
}

/// Short axis label: 950, 1.5k, 12k, 3.2M.
pub(crate) fn fmt_short(v: f64) -> String {
    let a = v.abs();
    if !v.is_finite() {
        return String::new();
    }
    if a >= 1e15 {
        return format!("{v:.1e}");
    }
    let (scaled, suffix) = if a >= 1e12 {
        (v / 1e12, "T")
    } else if a >= 1e9 {
        (v / 1e9, "G")
    } else if a >= 1e6 {
        (v / 1e6, "M")
    } else if a >= 1e3 {
        (v / 1e3, "k")
    } else {
        (v, "")
    };
    // Three significant digits at most, so tick labels stay narrow.
    let s = if scaled.abs() >= 100.0 {
        format!("{scaled:.0}")
    } else if scaled.abs() >= 10.0 {
        trim_zeros(format!("{scaled:.1}"))
    } else {
        trim_zeros(format!("{scaled:.2}"))
    };
    if s == "-0" {
        "0".to_string()
    } else {
        s + suffix
    }
}

/// A count and its noun, plural unless the count is one: "1 step", "60 steps".
pub(crate) fn plural(n: u64, noun: &str) -> String {
    let s = if n == 1 { "" } else { "s" };
    format!("{} {noun}{s}", count(n))
}

/// One-line summary under the title: what was run and how it went.
fn subtitle(data: &Prepared<'_>) -> String {
    let tl = data.tl;
    let total = clean(tl.arrivals_total);
    let units = tl.units;
    let unserved: f64 = tl.unserved.iter().map(|&v| clean(v)).sum();
    let peak = tl
        .demand
        .iter()
        .fold(0.0_f64, |m, &v| m.max(clean(clean(v) * data.per_min)));
    let peak_instances = tl.in_service.iter().copied().max().unwrap_or(0);
    let served = if !total.is_finite() || !unserved.is_finite() {
        "unserved share beyond range".to_string()
    } else if total <= 0.0 {
        "no demand".to_string()
    } else if unserved <= 0.0 {
        format!("all {} served", units.arrivals())
    } else {
        let pct = (unserved / total * 100.0).min(100.0);
        if pct < 0.01 {
            format!("<0.01 % of {} unserved", units.arrivals())
        } else {
            format!(
                "{} % of {} unserved",
                trim_zeros(format!("{pct:.2}")),
                units.arrivals()
            )
        }
    };
    format!(
        "{} · {} of {} s · peak {} {} · {} · {} · peak {}",
        duration(data.span_s()),
        plural(data.n as u64, "step"),
        count(tl.step_s),
        fmt_short(peak),
        units.peak(),
        served,
        plural((data.outs.len() + data.ins.len()) as u64, "scaling action"),
        plural(u64::from(peak_instances), "instance"),
    )
}

/// What a legend entry's sample looks like.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Swatch {
    /// A solid line.
    Line(RGBColor, u32),
    /// A dashed line.
    Dashed(RGBColor, u32),
    /// A filled box.
    Fill(RGBAColor),
    /// A translucent area with its outline on top.
    AreaLine(RGBAColor, RGBColor),
    /// A triangle pointing up.
    Up(RGBColor),
    /// A triangle pointing down.
    Down(RGBColor),
    /// A short vertical tick, as in the action strip.
    Tick(RGBColor),
    /// A thin horizontal bar, as along the top of the demand panel.
    Bar(RGBColor),
    /// A dot with a white ring, as the marked percentiles of the latency CDF.
    Dot(RGBColor),
}

/// Vertices of a triangle of half-width `s` centred on the origin.
fn triangle(s: i32, up: bool) -> Vec<(i32, i32)> {
    if up {
        vec![(0, -s), (-s, s), (s, s)]
    } else {
        vec![(0, s), (-s, -s), (s, -s)]
    }
}

/// Draws a horizontal legend starting at the left edge of the plots, and an
/// optional muted note right-aligned, so no legend ever covers data.
pub(crate) fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[(Swatch, String)],
    note: Option<&str>,
) -> Result<(), PlotError> {
    let (w, h) = area.dim_in_pixel();
    let cy = h as i32 / 2 + 4;
    let text = (FONT, 17)
        .into_font()
        .color(&BLACK)
        .pos(Pos::new(HPos::Left, VPos::Center));
    let mut x = (MARGIN_L + Y_LABEL_W) as i32;
    for (swatch, label) in entries {
        let (x0, x1) = (x, x + 30);
        match *swatch {
            Swatch::Line(c, width) => area.draw(&PathElement::new(
                vec![(x0, cy), (x1, cy)],
                c.stroke_width(width),
            )),
            Swatch::Dashed(c, width) => {
                let style = c.stroke_width(width);
                area.draw(&PathElement::new(vec![(x0, cy), (x0 + 10, cy)], style))
                    .and_then(|()| {
                        area.draw(&PathElement::new(vec![(x0 + 15, cy), (x0 + 25, cy)], style))
                    })
            }
            Swatch::Fill(c) => area.draw(&Rectangle::new([(x0, cy - 7), (x1, cy + 7)], c.filled())),
            Swatch::AreaLine(fill, line) => area
                .draw(&Rectangle::new([(x0, cy - 7), (x1, cy + 7)], fill.filled()))
                .and_then(|()| {
                    area.draw(&PathElement::new(
                        vec![(x0, cy - 1), (x1, cy - 1)],
                        line.stroke_width(2),
                    ))
                }),
            Swatch::Up(c) | Swatch::Down(c) => {
                let up = matches!(swatch, Swatch::Up(_));
                let pts = triangle(6, up)
                    .into_iter()
                    .map(|(dx, dy)| (x0 + 15 + dx, cy + dy));
                area.draw(&Polygon::new(pts.collect::<Vec<_>>(), c.filled()))
            }
            Swatch::Bar(c) => area.draw(&Rectangle::new([(x0, cy - 3), (x1, cy + 3)], c.filled())),
            Swatch::Tick(c) => area.draw(&PathElement::new(
                vec![(x0 + 15, cy - 8), (x0 + 15, cy + 8)],
                c.stroke_width(2),
            )),
            Swatch::Dot(c) => area
                .draw(&Circle::new((x0 + 15, cy), 7, WHITE.filled()))
                .and_then(|()| area.draw(&Circle::new((x0 + 15, cy), 5, c.filled()))),
        }
        .map_err(draw_err)?;
        area.draw_text(label, &text, (x1 + 8, cy))
            .map_err(draw_err)?;
        let (tw, _) = area.estimate_text_size(label, &text).map_err(draw_err)?;
        x = x1 + 8 + tw as i32 + 28;
    }
    if let Some(note) = note {
        let style = (FONT, 15)
            .into_font()
            .color(&MUTED)
            .pos(Pos::new(HPos::Right, VPos::Center));
        let (nw, _) = area.estimate_text_size(note, &style).map_err(draw_err)?;
        let right = w as i32 - MARGIN_R as i32;
        // A note that would run into the legend is dropped rather than overprinted.
        if right - nw as i32 > x - 12 {
            area.draw_text(note, &style, (right, cy))
                .map_err(draw_err)?;
        }
    }
    Ok(())
}

/// Shortens `title` with an ellipsis until it fits in `max_w` pixels.
pub(crate) fn fit_text<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    style: &TextStyle<'_>,
    max_w: u32,
) -> Result<String, PlotError> {
    let mut chars: Vec<char> = title.chars().filter(|c| !c.is_control()).collect();
    let mut text: String = chars.iter().collect();
    while !chars.is_empty() && area.estimate_text_size(&text, style).map_err(draw_err)?.0 > max_w {
        // Cutting a tenth at a time keeps long titles cheap to fit.
        let cut = (chars.len() / 10).max(1);
        chars.truncate(chars.len() - cut);
        text = chars.iter().collect::<String>() + "…";
    }
    Ok(text)
}

/// Draws the title and, under it, the muted one-line summary, each shortened to fit.
fn draw_header<DB: DrawingBackend>(
    header: &DrawingArea<DB, Shift>,
    title: &str,
    subtitle: &str,
) -> Result<(), PlotError> {
    let title_style = (FONT, 30)
        .into_font()
        .color(&BLACK)
        .pos(Pos::new(HPos::Center, VPos::Top));
    let sub_style = (FONT, 17)
        .into_font()
        .color(&MUTED)
        .pos(Pos::new(HPos::Center, VPos::Top));
    let max_w = WIDTH - 40;
    let title = fit_text(header, title, &title_style, max_w)?;
    let sub = fit_text(header, subtitle, &sub_style, max_w)?;
    let cx = WIDTH as i32 / 2;
    header
        .draw_text(&title, &title_style, (cx, 12))
        .map_err(draw_err)?;
    header
        .draw_text(&sub, &sub_style, (cx, 50))
        .map_err(draw_err)?;
    Ok(())
}

/// Draws the whole figure on `root`.
fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &Prepared<'_>,
    title: &str,
) -> Result<(), PlotError> {
    root.fill(&WHITE).map_err(draw_err)?;
    let (header, body) = root.split_vertically(HEADER_H);
    draw_header(&header, title, &subtitle(data))?;

    let body_h = f64::from(body.dim_in_pixel().1);
    let latency = data.tl.latency.as_ref();
    // The time axis labels go under the lowest panel: the action strip in
    // fluid runs, the latency panel in request-level runs.
    let (top, bottom, latency_area) = if latency.is_some() {
        let (top, rest) = body.split_vertically((body_h * LATENCY_TOP_SHARE) as u32);
        let (bottom, latency_area) =
            rest.split_vertically((body_h * LATENCY_INSTANCE_SHARE) as u32);
        (top, bottom, Some(latency_area))
    } else {
        let (top, bottom) = body.split_vertically((body_h * TOP_SHARE) as u32);
        (top, bottom, None)
    };
    let rug_h = if latency_area.is_some() {
        RUG_H
    } else {
        RUG_H + X_LABEL_H
    };
    let (top_legend, top_plot) = top.split_vertically(LEGEND_H);
    let (bottom_legend, bottom_rest) = bottom.split_vertically(LEGEND_H);
    let rest_h = bottom_rest.dim_in_pixel().1;
    let (bottom_plot, rug) = bottom_rest.split_vertically(rest_h.saturating_sub(rug_h));

    let x_fmt = |v: &f64| data.axis.label(*v);
    let label_font = (FONT, 15).into_font().color(&MUTED);
    let desc_font = (FONT, 17).into_font().color(&BLACK);

    // Maxima come from the raw data so the axes do not depend on binning.
    let rate_max = data
        .tl
        .demand
        .iter()
        .chain(&data.tl.capacity)
        .fold(0.0_f64, |m, &v| m.max(clean(clean(v) * data.per_min)));
    let mut top_chart = ChartBuilder::on(&top_plot)
        .margin_left(MARGIN_L)
        .margin_right(MARGIN_R)
        .margin_top(4)
        .margin_bottom(6)
        .x_label_area_size(0)
        .y_label_area_size(Y_LABEL_W)
        .build_cartesian_2d(data.axis.coord(), 0.0..axis_top(rate_max, 1.08))
        .map_err(draw_err)?;
    let columns = Columns::new(data, top_chart.plotting_area().dim_in_pixel().0 as usize);
    let y_fmt = |v: &f64| fmt_short(*v);
    top_chart
        .configure_mesh()
        .x_labels(X_TICKS)
        .y_labels(6)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID)
        .axis_style(MUTED)
        .label_style(label_font.clone())
        .axis_desc_style(desc_font.clone())
        .y_desc(data.tl.units.axis())
        .draw()
        .map_err(draw_err)?;
    draw_demand_panel(&mut top_chart, &columns)?;

    let units = data.tl.units;
    let mut entries = vec![(
        Swatch::AreaLine(DEMAND.mix(0.18), DEMAND),
        units.demand().to_string(),
    )];
    if columns.downsampled() {
        entries[0].1 = format!("{} (mean)", units.demand());
        entries.push((
            Swatch::Fill(DEMAND.mix(0.38)),
            format!("{} min–max", units.demand()),
        ));
    }
    entries.push((Swatch::Line(SUPPLY, 2), units.capacity().to_string()));
    entries.push((
        Swatch::Fill(UNSERVED.mix(0.75)),
        units.unserved().to_string(),
    ));
    entries.push((Swatch::Bar(UNSERVED), format!("any {}", units.unserved())));
    let note = columns.downsampled().then(|| {
        format!(
            "1 px ≈ {} · lines other than demand show the per-pixel max",
            duration(columns.steps_per_column * data.tl.step_s as f64)
        )
    });
    draw_legend(&top_legend, &entries, note.as_deref())?;

    let inst_max = data
        .tl
        .in_service
        .iter()
        .chain(&data.tl.desired)
        .copied()
        .chain(data.outs.iter().chain(&data.ins).map(|&(_, to)| to))
        .max()
        .unwrap_or(0);
    let inst_top = axis_top(f64::from(inst_max), 1.12);
    // Few instances: one tick per whole instance, so no tick is fractional.
    let inst_ticks = (inst_top.floor() as usize + 1).clamp(2, 6);
    let mut bottom_chart = ChartBuilder::on(&bottom_plot)
        .margin_left(MARGIN_L)
        .margin_right(MARGIN_R)
        .margin_top(4)
        .x_label_area_size(0)
        .y_label_area_size(Y_LABEL_W)
        .build_cartesian_2d(data.axis.coord(), 0.0..inst_top)
        .map_err(draw_err)?;
    let inst_fmt = |v: &f64| {
        if v.fract().abs() > 1e-9 {
            String::new()
        } else {
            fmt_short(*v)
        }
    };
    bottom_chart
        .configure_mesh()
        .x_labels(X_TICKS)
        .y_labels(inst_ticks)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&inst_fmt)
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID)
        .axis_style(MUTED)
        .label_style(label_font.clone())
        .axis_desc_style(desc_font.clone())
        .y_desc("instances")
        .draw()
        .map_err(draw_err)?;
    let markers = data.outs.len() + data.ins.len() <= MAX_EVENT_MARKERS;
    draw_instance_panel(&mut bottom_chart, &columns, data, markers)?;

    let time_labels = latency_area.is_none();
    let mut rug_chart = ChartBuilder::on(&rug)
        .margin_left(MARGIN_L)
        .margin_right(MARGIN_R)
        .margin_top(10)
        .margin_bottom(6)
        .x_label_area_size(if time_labels { X_LABEL_H } else { 0 })
        .y_label_area_size(Y_LABEL_W)
        .build_cartesian_2d(data.axis.coord(), -0.5..1.5)
        .map_err(draw_err)?;
    let x_desc = data.axis.description();
    // Rows are labelled by hand: plotters would put tick labels at arbitrary
    // values and glue them to the axis once the tick marks are hidden.
    let no_label = |_: &f64| String::new();
    let mut rug_mesh = rug_chart.configure_mesh();
    rug_mesh
        .x_labels(X_TICKS)
        .y_labels(0)
        .disable_y_mesh()
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&no_label)
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID)
        .axis_style(MUTED)
        .label_style(label_font.clone())
        .axis_desc_style(desc_font.clone());
    if time_labels {
        rug_mesh.x_desc(x_desc.clone());
    }
    rug_mesh.draw().map_err(draw_err)?;
    let row_style = label_font.pos(Pos::new(HPos::Right, VPos::Center));
    for (label, row) in [("out", 1.0), ("in", 0.0)] {
        let (x, y) = rug_chart.backend_coord(&(0.0, row));
        root.draw_text(label, &row_style, (x - 8, y))
            .map_err(draw_err)?;
    }
    draw_rug(&mut rug_chart, data, markers)?;

    let mut entries = vec![
        (Swatch::Line(SUPPLY, 2), "in service".to_string()),
        (
            if columns.downsampled() {
                Swatch::Line(DESIRED, 2)
            } else {
                Swatch::Dashed(DESIRED, 2)
            },
            "desired".to_string(),
        ),
    ];
    let (out_label, in_label) = (
        format!("scale-out ({})", count(data.outs.len() as u64)),
        format!("scale-in ({})", count(data.ins.len() as u64)),
    );
    if markers {
        entries.push((Swatch::Up(SCALE_OUT), out_label));
        entries.push((Swatch::Down(SCALE_IN), in_label));
    } else {
        entries.push((Swatch::Tick(SCALE_OUT), out_label));
        entries.push((Swatch::Tick(SCALE_IN), in_label));
    }
    let note = (!markers).then_some(
        "too many actions to mark on the lines: strip below counts them per pixel, darker = more",
    );
    draw_legend(&bottom_legend, &entries, note)?;

    if let (Some(series), Some(area)) = (latency, latency_area) {
        let (legend, plot) = area.split_vertically(LEGEND_H);
        // The axis comes from the raw steps so it does not depend on binning.
        let axis = LatencyAxis::new(
            series
                .p50_s
                .iter()
                .chain(&series.p95_s)
                .chain(&series.p99_s)
                .copied(),
            6,
        );
        let mut chart = ChartBuilder::on(&plot)
            .margin_left(MARGIN_L)
            .margin_right(MARGIN_R)
            .margin_top(4)
            .x_label_area_size(X_LABEL_H)
            .y_label_area_size(Y_LABEL_W)
            .build_cartesian_2d(data.axis.coord(), axis.coord())
            .map_err(draw_err)?;
        let y_fmt = |v: &f64| axis.label(*v);
        chart
            .configure_mesh()
            .x_labels(X_TICKS)
            .y_labels(axis.ticks.len())
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&y_fmt)
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID)
            .axis_style(MUTED)
            .label_style(label_font)
            .axis_desc_style(desc_font)
            .x_desc(x_desc)
            .y_desc("latency (s)")
            .draw()
            .map_err(draw_err)?;
        let gaps = draw_latency_panel(&mut chart, &columns, &axis)?;
        let width = if columns.downsampled() { 1 } else { 2 };
        let entries = [(P50, "p50"), (P95, "p95"), (P99, "p99")]
            .map(|(color, label)| (Swatch::Line(color, width), label.to_string()));
        let mut note = vec!["percentiles of the requests completed in each step"];
        if axis.log {
            note.push("log scale");
        }
        match gaps {
            Gaps::None => {}
            Gaps::Some => note.push("gaps: no request completed"),
            Gaps::All => note = vec!["no request completed"],
        }
        draw_legend(&legend, &entries, Some(&note.join(" · ")))?;
    }
    Ok(())
}

/// Where the slowest request (q = 1, infinitely many nines) sits on the
/// nines axis: apart from 99.99 % (4), so it does not read as a fifth nine.
const MAX_ROW: f64 = 4.6;

/// The labelled rows of the nines axis: quantile and label.
const NINES_TICKS: [(f64, &str); 7] = [
    (0.0, "0 %"),
    (0.5, "50 %"),
    (0.9, "90 %"),
    (0.99, "99 %"),
    (0.999, "99.9 %"),
    (0.9999, "99.99 %"),
    (1.0, "max"),
];

/// Height of quantile `q` on the nines axis, −log10(1 − q): each step up is
/// ten times rarer, so the tail gets as much room as the bulk.
fn nines(q: f64) -> f64 {
    if q >= 1.0 {
        MAX_ROW
    } else {
        -(1.0 - q.max(0.0)).log10()
    }
}

/// One-line summary under the title of the latency CDF: what the curve
/// counts and what it leaves out.
fn cdf_subtitle(s: &RequestSummary) -> String {
    let mut parts = vec![if s.completed == 0 {
        if s.arrivals == 0 {
            "no request arrived".to_string()
        } else {
            format!("none of {} completed", plural(s.arrivals, "request"))
        }
    } else {
        format!("latency of {}", plural(s.completed, "completed request"))
    }];
    if s.failed == 0 {
        parts.push("none failed".to_string());
    } else {
        let causes: Vec<String> = [
            (s.timed_out, "timed out"),
            (s.rejected, "rejected (queue full)"),
            (s.no_instance, "found no instance"),
        ]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|&(n, cause)| format!("{} {cause}", count(n)))
        .collect();
        parts.push(format!(
            "{} failed ({})",
            count(s.failed),
            causes.join(", ")
        ));
    }
    if s.in_flight_end > 0 {
        parts.push(format!("{} in flight at the end", count(s.in_flight_end)));
    }
    if let Some(mean) = s.latency_mean_s {
        parts.push(format!("mean {}", fmt_latency(mean)));
    }
    if let Some(max) = s.latency_max_s {
        parts.push(format!("max {}", fmt_latency(max)));
    }
    parts.join(" · ")
}

/// Draws the latency CDF: latency across, share of completed requests up on
/// the nines axis, with p50, p99, p99.9 and the maximum marked and labelled.
fn draw_cdf<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    s: &RequestSummary,
    title: &str,
) -> Result<(), PlotError> {
    root.fill(&WHITE).map_err(draw_err)?;
    let (header, body) = root.split_vertically(HEADER_H);
    draw_header(&header, title, &cdf_subtitle(s))?;
    if s.latency_p50_s.is_none() {
        let style = (FONT, 24)
            .into_font()
            .color(&MUTED)
            .pos(Pos::new(HPos::Center, VPos::Center));
        let (w, h) = body.dim_in_pixel();
        body.draw_text(
            "no request completed, so there is no latency to show",
            &style,
            (w as i32 / 2, h as i32 / 2 - HEADER_H as i32 / 2),
        )
        .map_err(draw_err)?;
        return Ok(());
    }
    let (legend, plot) = body.split_vertically(LEGEND_H);
    let x_axis = LatencyAxis::new(s.latency_cdf_s.iter().copied(), 10);
    let y_axis = FixedTicks {
        // A little below 0 so the fastest request is not drawn on the axis line.
        range: -0.12..MAX_ROW + 0.28,
        major: NINES_TICKS.iter().map(|&(q, _)| nines(q)).collect(),
        minor: Vec::new(),
    };
    let mut chart = ChartBuilder::on(&plot)
        .margin_left(MARGIN_L)
        .margin_right(MARGIN_R)
        .margin_top(4)
        .x_label_area_size(X_LABEL_H)
        .y_label_area_size(Y_LABEL_W)
        .build_cartesian_2d(x_axis.coord(), y_axis)
        .map_err(draw_err)?;
    let x_fmt = |v: &f64| x_axis.label(*v);
    let y_fmt = |v: &f64| {
        NINES_TICKS
            .iter()
            .find(|&&(q, _)| (nines(q) - v).abs() < 1e-9)
            .map_or_else(String::new, |&(_, label)| label.to_string())
    };
    chart
        .configure_mesh()
        .x_labels(x_axis.ticks.len())
        .y_labels(NINES_TICKS.len())
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .light_line_style(GRID_MINOR)
        .bold_line_style(GRID)
        .axis_style(MUTED)
        .label_style((FONT, 15).into_font().color(&MUTED))
        .axis_desc_style((FONT, 17).into_font().color(&BLACK))
        .x_desc("latency (s)")
        .y_desc("share of completed requests")
        .draw()
        .map_err(draw_err)?;

    let points: Vec<(f64, f64)> = LATENCY_CDF_QUANTILES
        .iter()
        .zip(&s.latency_cdf_s)
        .map(|(&q, &v)| (x_axis.at(v), nines(q)))
        .collect();
    let (curve, _) = points.split_at(points.len() - 1);
    // One path per segment: plotters' bitmap backend fills a wide path as a
    // single polygon, and along a long path that fill thins steep stretches,
    // such as the tail, to one pixel. Dots at the joints round them off.
    chart
        .draw_series(
            curve
                .windows(2)
                .map(|pair| PathElement::new(pair.to_vec(), CDF.stroke_width(3))),
        )
        .map_err(draw_err)?;
    chart
        .draw_series(curve.iter().map(|&at| Circle::new(at, 1, CDF.filled())))
        .map_err(draw_err)?;
    // Past 99.99 % the axis has no more nines: the step to the slowest
    // request is dashed, as it is not on the scale.
    chart
        .draw_series(DashedLineSeries::new(
            points[points.len() - 2..].to_vec(),
            7,
            5,
            CDF.stroke_width(2),
        ))
        .map_err(draw_err)?;

    let marks = [
        (0.5, s.latency_p50_s, "p50"),
        (0.99, s.latency_p99_s, "p99"),
        (0.999, s.latency_p999_s, "p99.9"),
        (1.0, s.latency_max_s, "max"),
    ];
    let (px, py) = chart.plotting_area().get_pixel_range();
    let style = (FONT, 17).into_font().color(&BLACK);
    for (q, latency, name) in marks {
        let Some(latency) = latency else { continue };
        let at = (x_axis.at(latency), nines(q));
        chart
            .draw_series([
                Circle::new(at, 7, WHITE.filled()),
                Circle::new(at, 5, SUPPLY.filled()),
            ])
            .map_err(draw_err)?;
        let label = format!("{name} {}", fmt_latency(latency));
        let (tw, th) = root.estimate_text_size(&label, &style).map_err(draw_err)?;
        let (tw, th) = (tw as i32, th as i32);
        let (x, y) = chart.backend_coord(&at);
        // Above-left of a point on a rising curve is empty, and so is
        // below-right: the curve is left of the point lower down, right of
        // it higher up. Above-left first, below-right where that leaves the plot.
        let (left, top) = if x - 12 - tw >= px.start + 4 && y - 10 - th >= py.start {
            (x - 12 - tw, y - 10 - th)
        } else {
            ((x + 12).min(px.end - 4 - tw), y + 10)
        };
        root.draw(&Rectangle::new(
            [(left - 4, top - 2), (left + tw + 4, top + th + 2)],
            WHITE.mix(0.85).filled(),
        ))
        .map_err(draw_err)?;
        root.draw_text(
            &label,
            &style.pos(Pos::new(HPos::Left, VPos::Top)),
            (left, top),
        )
        .map_err(draw_err)?;
    }

    let mut note = vec!["y: nines scale, 90 %, 99 % and 99.9 % equally spaced"];
    if x_axis.log {
        note.push("x: log scale");
    }
    draw_legend(
        &legend,
        &[
            (
                Swatch::Line(CDF, 3),
                "latency of completed requests".to_string(),
            ),
            (Swatch::Dot(SUPPLY), "p50, p99, p99.9 and max".to_string()),
            (Swatch::Dashed(CDF, 2), "beyond 99.99 %".to_string()),
        ],
        Some(&note.join(" · ")),
    )
}

/// Chart with time on x and a value on y, as every panel uses.
pub(crate) type Chart<'a, DB> = ChartContext<'a, DB, Cartesian2d<TimeCoord, RangedCoordf64>>;

/// Draws demand, capacity and unserved demand, plus a thin bar along the
/// top wherever any demand went unserved, since small shortfalls vanish in
/// the area at this scale.
fn draw_demand_panel<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    cols: &Columns,
) -> Result<(), PlotError> {
    let y_top = chart.y_range().end;
    let px = y_top / f64::from(chart.plotting_area().dim_in_pixel().1.max(1));
    let line = if cols.downsampled() { 1 } else { 2 };
    chart
        .draw_series(AreaSeries::new(
            cols.step_path(&cols.demand_mean),
            0.0,
            DEMAND.mix(0.18),
        ))
        .map_err(draw_err)?;
    if cols.downsampled() {
        let mut band = cols.step_path(&cols.demand_max);
        band.extend(cols.step_path(&cols.demand_min).into_iter().rev());
        chart
            .draw_series(std::iter::once(Polygon::new(
                band,
                DEMAND.mix(0.38).filled(),
            )))
            .map_err(draw_err)?;
    }
    chart
        .draw_series(LineSeries::new(
            cols.step_path(&cols.demand_mean),
            DEMAND.stroke_width(line),
        ))
        .map_err(draw_err)?;
    // Supply goes over the unserved area so shortfalls never hide it.
    chart
        .draw_series(
            AreaSeries::new(cols.step_path(&cols.unserved), 0.0, UNSERVED.mix(0.75))
                .border_style(UNSERVED.stroke_width(1)),
        )
        .map_err(draw_err)?;
    chart
        .draw_series(LineSeries::new(
            cols.step_path(&cols.capacity),
            SUPPLY.stroke_width(line),
        ))
        .map_err(draw_err)?;
    chart
        .draw_series(cols.unserved_spans().into_iter().map(|(t0, t1)| {
            Rectangle::new(
                [(t0, y_top - 7.0 * px), (t1, y_top - px)],
                UNSERVED.filled(),
            )
        }))
        .map_err(draw_err)?;
    Ok(())
}

/// Draws instances in service, desired capacity and, when few, each action
/// as a triangle where the desired capacity lands.
fn draw_instance_panel<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    cols: &Columns,
    data: &Prepared<'_>,
    markers: bool,
) -> Result<(), PlotError> {
    let desired = cols.decided_path(&cols.desired, data.t(1), data.span);
    if cols.downsampled() {
        // Dashes break up on lines that change every pixel; a thin solid
        // line under the in-service one shows only where the two differ.
        chart
            .draw_series(LineSeries::new(desired, DESIRED.stroke_width(1)))
            .map_err(draw_err)?;
        chart
            .draw_series(LineSeries::new(
                cols.step_path(&cols.in_service),
                SUPPLY.stroke_width(1),
            ))
            .map_err(draw_err)?;
    } else {
        chart
            .draw_series(LineSeries::new(
                cols.step_path(&cols.in_service),
                SUPPLY.stroke_width(2),
            ))
            .map_err(draw_err)?;
        chart
            .draw_series(DashedLineSeries::new(
                desired,
                9,
                6,
                DESIRED.stroke_width(2),
            ))
            .map_err(draw_err)?;
    }
    if markers {
        for (events, up, color) in [(&data.outs, true, SCALE_OUT), (&data.ins, false, SCALE_IN)] {
            chart
                .draw_series(events.iter().map(|&(t, to)| {
                    EmptyElement::at((t, f64::from(to)))
                        + Polygon::new(triangle(6, up), color.filled())
                }))
                .map_err(draw_err)?;
        }
    }
    Ok(())
}

/// Chart with time on x and latency (on a [`LatencyAxis`]) on y.
type LatencyChart<'a, DB> = ChartContext<'a, DB, Cartesian2d<TimeCoord, FixedTicks>>;

/// Which columns of the latency panel have no value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Gaps {
    /// Every column has a value.
    None,
    /// Some columns have none.
    Some,
    /// No column has one: the run completed no request.
    All,
}

/// Draws the per-step p50, p95 and p99 latency, p99 on top, leaving gaps
/// where no request completed; says where gaps are, for the legend.
fn draw_latency_panel<DB: DrawingBackend>(
    chart: &mut LatencyChart<'_, DB>,
    cols: &Columns,
    axis: &LatencyAxis,
) -> Result<Gaps, PlotError> {
    let Some(latency) = &cols.latency else {
        return Ok(Gaps::All);
    };
    let width = if cols.downsampled() { 1 } else { 2 };
    for (values, color) in latency.iter().zip([P50, P95, P99]) {
        for run in cols.step_runs(values, |v| axis.at(v)) {
            chart
                .draw_series(LineSeries::new(run, color.stroke_width(width)))
                .map_err(draw_err)?;
        }
    }
    let missing = latency[2].iter().filter(|v| v.is_nan()).count();
    Ok(if missing == 0 {
        Gaps::None
    } else if missing == latency[2].len() {
        Gaps::All
    } else {
        Gaps::Some
    })
}

/// Draws the strip of actions: scale-out on the upper row, scale-in on the
/// lower. Few actions get one tick each; many are counted per pixel column
/// and shaded by count, because overlapping ticks would only show a solid bar.
fn draw_rug<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    data: &Prepared<'_>,
    few: bool,
) -> Result<(), PlotError> {
    let rows = [(&data.outs, 1.0, SCALE_OUT), (&data.ins, 0.0, SCALE_IN)];
    if few {
        for (events, row, color) in rows {
            let style = color.stroke_width(2);
            chart
                .draw_series(
                    events.iter().map(|&(t, _)| {
                        PathElement::new(vec![(t, row - 0.38), (t, row + 0.38)], style)
                    }),
                )
                .map_err(draw_err)?;
        }
        return Ok(());
    }
    let bins = chart.plotting_area().dim_in_pixel().0.max(1) as usize;
    let counts = rows.map(|(events, _, _)| {
        let mut counts = vec![0_u32; bins];
        for &(t, _) in events.iter() {
            let bin = ((t / data.span) * bins as f64) as usize;
            counts[bin.min(bins - 1)] += 1;
        }
        counts
    });
    // One scale for both rows so their shades compare.
    let max = counts.iter().flatten().copied().max().unwrap_or(0).max(1);
    let width = data.span / bins as f64;
    for ((_, row, color), counts) in rows.iter().zip(&counts) {
        chart
            .draw_series(
                counts
                    .iter()
                    .enumerate()
                    .filter(|&(_, &c)| c > 0)
                    .map(|(b, &c)| {
                        let alpha = 0.15 + 0.85 * f64::from(c) / f64::from(max);
                        let x0 = b as f64 * width;
                        Rectangle::new(
                            [(x0, row - 0.38), (x0 + width, row + 0.38)],
                            color.mix(alpha).filled(),
                        )
                    }),
            )
            .map_err(draw_err)?;
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A small run with a few actions in each direction.
    fn small(steps: usize) -> Timeline {
        let demand: Vec<f64> = (0..steps)
            .map(|i| 100.0 + 80.0 * ((i as f64) / 6.0).sin())
            .collect();
        let in_service: Vec<u32> = (0..steps).map(|i| 1 + (i as u32 / 10) % 3).collect();
        let capacity: Vec<f64> = in_service.iter().map(|&k| f64::from(k) * 90.0).collect();
        let unserved = demand
            .iter()
            .zip(&capacity)
            .map(|(d, c)| (d - c).max(0.0))
            .collect();
        let events = (1..steps)
            .filter(|&i| in_service[i] != in_service[i - 1])
            .map(|i| EventMark {
                t_s: (i as u64 + 1) * 60,
                from: in_service[i - 1],
                to: in_service[i],
            })
            .collect();
        Timeline {
            step_s: 60,
            demand,
            capacity,
            unserved,
            desired: in_service.clone(),
            in_service,
            events,
            ..Timeline::default()
        }
    }

    #[test]
    fn png_has_magic_and_dimensions() {
        let bytes = render_png(&small(60), "small run").unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
        let reader = png::Decoder::new(bytes.as_slice()).read_info().unwrap();
        assert_eq!((reader.info().width, reader.info().height), (WIDTH, HEIGHT));
    }

    #[test]
    fn svg_is_self_contained_and_escapes_title() {
        let svg = render_svg(&small(60), "scenario <a&b>").unwrap();
        assert!(svg.starts_with("<svg"));
        assert!(svg.trim_end().ends_with("</svg>"));
        assert!(svg.contains("scenario &lt;a&amp;b&gt;"));
        assert!(svg.contains("@font-face"));
        assert!(svg.contains("data:font/ttf;base64,AAEAAA"));
        assert!(!svg.contains("font-family=\"sans-serif\""));
    }

    #[test]
    fn edge_cases_render() {
        let mut no_events = small(60);
        no_events.events.clear();
        let one = Timeline {
            step_s: 3600,
            demand: vec![5.0],
            capacity: vec![0.0],
            unserved: vec![5.0],
            in_service: vec![0],
            desired: vec![1],
            events: vec![EventMark {
                t_s: 3600,
                from: 0,
                to: 1,
            }],
            ..Timeline::default()
        };
        let zeros = Timeline {
            step_s: 1,
            demand: vec![0.0; 10],
            capacity: vec![0.0; 10],
            unserved: vec![0.0; 10],
            in_service: vec![0; 10],
            desired: vec![0; 10],
            events: Vec::new(),
            units: DemandUnits::Sessions,
            arrivals_total: 0.0,
            latency: None,
            start: None,
        };
        let mut huge = small(60);
        huge.demand[3] = 1e300;
        huge.demand[4] = f64::INFINITY;
        huge.capacity[5] = f64::NAN;
        huge.in_service[6] = u32::MAX;
        huge.unserved[2] = f64::MAX;
        huge.events.push(EventMark {
            t_s: u64::MAX,
            from: 1,
            to: 2,
        });
        let mut max_step = small(3);
        max_step.step_s = u64::MAX;
        max_step.demand[1] = f64::MAX;
        for tl in [no_events, one, zeros, huge, max_step] {
            render_png(&tl, "edge").unwrap();
            render_svg(&tl, "edge").unwrap();
        }
    }

    #[test]
    fn long_run_with_many_events_renders() {
        let mut tl = small(84_333);
        tl.events = (0..5000)
            .map(|i| EventMark {
                t_s: i * 1000,
                from: 2,
                to: if i % 2 == 0 { 3 } else { 1 },
            })
            .collect();
        let bytes = render_png(&tl, &"a very long scenario name ".repeat(20)).unwrap();
        assert_eq!(&bytes[..4], b"\x89PNG");
    }

    #[test]
    fn invalid_timelines_are_errors() {
        assert!(matches!(
            render_png(&Timeline::default(), "t"),
            Err(PlotError::Empty)
        ));
        let mut tl = small(10);
        tl.step_s = 0;
        assert!(matches!(render_svg(&tl, "t"), Err(PlotError::ZeroStep)));
        let mut tl = small(10);
        tl.desired.pop();
        assert!(matches!(
            render_png(&tl, "t"),
            Err(PlotError::LengthMismatch {
                column: "desired",
                len: 9,
                expected: 10
            })
        ));
    }

    #[test]
    fn columns_cover_all_steps_and_keep_spikes() {
        let ranges = column_ranges(84_333, 1_456);
        assert_eq!(ranges.len(), 1_456);
        assert_eq!(ranges[0].start, 0);
        assert_eq!(ranges[ranges.len() - 1].end, 84_333);
        assert!(
            ranges
                .windows(2)
                .all(|w| w[0].end == w[1].start && !w[0].is_empty())
        );
        assert_eq!(column_ranges(3, 1_456).len(), 3);

        let mut tl = small(10_000);
        tl.in_service[5_001] = 99;
        let data = Prepared::new(&tl).unwrap();
        let cols = Columns::new(&data, 100);
        assert!(cols.downsampled());
        assert_eq!(cols.in_service.iter().copied().fold(0.0, f64::max), 99.0);
    }

    /// `tl` as a request-level run: per-step latencies that rise and fall,
    /// with no completion (NaN) in every seventh step.
    fn with_latency(mut tl: Timeline) -> Timeline {
        let n = tl.demand.len();
        let p50_s: Vec<f64> = (0..n)
            .map(|i| {
                if i % 7 == 3 {
                    f64::NAN
                } else {
                    0.2 + 0.15 * ((i as f64) / 5.0).sin()
                }
            })
            .collect();
        tl.latency = Some(LatencySeries {
            p95_s: p50_s.iter().map(|v| v * 3.0).collect(),
            p99_s: p50_s.iter().map(|v| v * 5.0).collect(),
            p50_s,
        });
        tl
    }

    /// The summary of a run whose completed requests took `latencies`, with
    /// nearest-rank quantiles as the engine reports them.
    fn summary_of(latencies: &[f64], failed: u64) -> RequestSummary {
        let mut sorted = latencies.to_vec();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        let quantile =
            |q: f64| (n > 0).then(|| sorted[((q * n as f64).ceil() as usize).clamp(1, n) - 1]);
        let mut latency_cdf_s = [0.0; LATENCY_CDF_QUANTILES.len()];
        for (v, &q) in latency_cdf_s.iter_mut().zip(&LATENCY_CDF_QUANTILES) {
            *v = quantile(q).unwrap_or(0.0);
        }
        RequestSummary {
            arrivals: n as u64 + failed,
            completed: n as u64,
            failed,
            timed_out: failed,
            rejected: 0,
            no_instance: 0,
            in_flight_end: 0,
            latency_p50_s: quantile(0.5),
            latency_p90_s: quantile(0.9),
            latency_p99_s: quantile(0.99),
            latency_p999_s: quantile(0.999),
            latency_max_s: quantile(1.0),
            latency_mean_s: (n > 0).then(|| sorted.iter().sum::<f64>() / n as f64),
            wait_mean_s: (n > 0).then_some(0.0),
            latency_cdf_s,
        }
    }

    /// The text of every `<text>` element of an SVG, in document order.
    pub(crate) fn svg_texts(svg: &str) -> Vec<String> {
        svg.split("<text")
            .skip(1)
            .filter_map(|element| {
                let body = &element[element.find('>')? + 1..];
                Some(body[..body.find("</text>")?].trim().to_string())
            })
            .collect()
    }

    /// The texts that end in a time of day (`08:30`, `Jul 1 12:00`), in document order, but the
    /// axis description (`… t = 0 at … 08:10`): the tick labels of a wall-clock time axis.
    pub(crate) fn clock_ticks(svg: &str) -> Vec<String> {
        svg_texts(svg)
            .into_iter()
            .filter(|text| {
                let tail: Vec<char> = text.chars().rev().take(6).collect();
                matches!(tail[..], [m, n, ':', h, k, ..] if [m, n, h, k].iter().all(char::is_ascii_digit))
                    && tail.get(5).is_none_or(|c| *c == ' ')
                    && !text.contains("t = 0")
            })
            .collect()
    }

    #[test]
    fn a_run_with_a_start_reads_its_ticks_on_the_wall_clock() {
        let at = |text: &str| Some(DateTime::parse_from_rfc3339(text).unwrap());
        // 6 h of minutes from 08:10 at −05:00: ticks every 30 min from 08:30 to 14:00 (15 min
        // would give 24, more than fit), under the lowest panel only.
        let six_hours = Timeline {
            start: at("2025-03-03T08:10:00-05:00"),
            ..small(360)
        };
        let half_hours: Vec<String> = (0..12)
            .map(|k| format!("{:02}:{:02}", 8 + (k + 1) / 2, 30 * ((k + 1) % 2)))
            .collect();
        assert_eq!(half_hours[0], "08:30");
        assert_eq!(half_hours[11], "14:00");
        for timeline in [six_hours.clone(), with_latency(six_hours)] {
            let svg = render_svg(&timeline, "run").unwrap();
            assert_eq!(clock_ticks(&svg), half_hours);
            assert!(svg.contains("time (UTC−05:00), t = 0 at Mon 2025-03-03 08:10"));
            assert!(!svg.contains("time since start"));
        }
        // 3 days from Saturday 1 July 1995 at midnight in New York: every 12 h, with the date.
        let three_days = Timeline {
            start: at("1995-07-01T00:00:00-04:00"),
            ..small(3 * 1440)
        };
        let svg = render_svg(&three_days, "run").unwrap();
        assert_eq!(
            clock_ticks(&svg),
            [
                "Jul 1 00:00",
                "Jul 1 12:00",
                "Jul 2 00:00",
                "Jul 2 12:00",
                "Jul 3 00:00",
                "Jul 3 12:00",
                "Jul 4 00:00"
            ]
        );
        // Without a start: minutes since the start, as plotters places them.
        let plain = render_svg(&small(60), "run").unwrap();
        assert!(plain.contains("time since start (minutes)"));
        assert!(clock_ticks(&plain).is_empty());
        let texts = svg_texts(&plain);
        for minute in ["0", "10", "20", "30", "40", "50", "60"] {
            assert!(texts.iter().any(|text| text == minute), "no tick {minute}");
        }
    }

    #[test]
    fn latency_panel_only_for_request_runs() {
        let fluid = render_svg(&small(60), "run").unwrap();
        assert!(!fluid.contains("latency (s)"));
        let requests = render_svg(&with_latency(small(60)), "run").unwrap();
        assert!(requests.contains("latency (s)"));
        // plotters writes each text on a line of its own.
        assert!(requests.contains("\np99\n"));
        // One time axis description, under the lowest panel.
        assert_eq!(requests.matches("time since start").count(), 1);
        assert_ne!(
            render_png(&small(60), "run").unwrap(),
            render_png(&with_latency(small(60)), "run").unwrap()
        );
    }

    #[test]
    fn latency_gaps_and_odd_values_render() {
        let mut odd = with_latency(small(60));
        let series = odd.latency.as_mut().unwrap();
        series.p99_s[10] = f64::INFINITY;
        series.p95_s[11] = -1.0;
        series.p50_s[12] = 0.0;
        series.p99_s[13] = f64::MAX;
        let mut none_completed = small(60);
        none_completed.latency = Some(LatencySeries {
            p50_s: vec![f64::NAN; 60],
            p95_s: vec![f64::NAN; 60],
            p99_s: vec![f64::NAN; 60],
        });
        let mut zeros = small(60);
        zeros.latency = Some(LatencySeries {
            p50_s: vec![0.0; 60],
            p95_s: vec![0.0; 60],
            p99_s: vec![0.0; 60],
        });
        let long = with_latency(small(84_333));
        for tl in [with_latency(small(60)), odd, none_completed, zeros, long] {
            render_png(&tl, "latency").unwrap();
            render_svg(&tl, "latency").unwrap();
        }
    }

    #[test]
    fn latency_columns_keep_the_max_and_the_gaps() {
        let mut tl = with_latency(small(10_000));
        let series = tl.latency.as_mut().unwrap();
        series.p99_s[5_001] = 42.0;
        for v in &mut series.p50_s[0..500] {
            *v = f64::NAN;
        }
        let data = Prepared::new(&tl).unwrap();
        let cols = Columns::new(&data, 100);
        let [p50, _, p99] = cols.latency.as_ref().unwrap();
        assert_eq!(p99.iter().copied().fold(0.0, f64::max), 42.0);
        assert!(p50[..5].iter().all(|v| v.is_nan()));
        assert!(p50[5..].iter().all(|v| v.is_finite()));
        assert_eq!(cols.step_runs(p50, |v| v).len(), 1);
        let mut short = with_latency(small(10));
        short.latency.as_mut().unwrap().p95_s.pop();
        assert!(matches!(
            render_svg(&short, "t"),
            Err(PlotError::LengthMismatch {
                column: "latency p95_s",
                len: 9,
                expected: 10
            })
        ));
    }

    #[test]
    fn latency_axis_is_log_past_two_decades() {
        let linear = LatencyAxis::new([0.5, 40.0, f64::NAN], 6);
        assert!(!linear.log);
        assert_eq!(linear.range.start, 0.0);
        assert!(linear.range.end >= 40.0);
        let log = LatencyAxis::new([0.003, 0.05, 40.0, 0.0, f64::INFINITY], 6);
        assert!(log.log);
        assert!(log.range.start < 0.003_f64.log10() && log.range.start > -3.0);
        assert!(log.range.end > 40.0_f64.log10() && log.range.end < 2.0);
        assert_eq!(log.ticks, vec![-2.0, -1.0, 0.0, 1.0]);
        assert_eq!(log.at(0.0), log.range.start);
        assert_eq!(log.at(1e-9), log.range.start);
        assert_eq!(log.label(-2.0), "0.01");
        assert_eq!(log.label(1.0), "10");
        let fine = LatencyAxis::new([0.2, 50.0], 10);
        let labels: Vec<String> = fine.ticks.iter().map(|&t| fine.label(t)).collect();
        assert_eq!(labels, ["0.2", "0.5", "1", "2", "5", "10", "20", "50"]);
        let wide = LatencyAxis::new([1e-6, 3_600.0], 6);
        assert_eq!(wide.ticks, vec![-6.0, -4.0, -2.0, 0.0, 2.0]);
        assert!(wide.minor.is_empty());
        assert!(!LatencyAxis::new([], 6).log);
        assert!(!LatencyAxis::new([0.0; 5], 6).log);
    }

    #[test]
    fn cdf_marks_percentiles() {
        let latencies: Vec<f64> = (1..=10_000).map(|i| 0.01 * f64::from(i)).collect();
        let summary = summary_of(&latencies, 3);
        let svg = render_latency_cdf_svg(&summary, "requests <run>").unwrap();
        assert!(svg.contains("requests &lt;run&gt;"));
        assert!(svg.contains("latency (s)"));
        assert!(svg.contains("p99 99 s"));
        assert!(svg.contains("p99.9 99.9 s"));
        assert!(svg.contains("p50 50 s"));
        assert!(svg.contains("max 100 s"));
        assert!(svg.contains("10,000 completed requests"));
        assert!(svg.contains("3 failed (3 timed out)"));
        assert!(svg.contains("99.99 %"));
        let png = render_latency_cdf_png(&summary, "run").unwrap();
        let reader = png::Decoder::new(png.as_slice()).read_info().unwrap();
        assert_eq!((reader.info().width, reader.info().height), (WIDTH, HEIGHT));
        // Over four decades: log axis, labels in milliseconds.
        let spread: Vec<f64> = (1..=1000).map(|i| 1e-4 * f64::from(i).powi(2)).collect();
        let svg = render_latency_cdf_svg(&summary_of(&spread, 0), "run").unwrap();
        assert!(svg.contains("x: log scale"));
        assert!(svg.contains("none failed"));
    }

    #[test]
    fn cdf_of_zero_and_single_latencies_renders() {
        for latencies in [vec![0.0; 100], vec![0.25], vec![1e-9, 3_600.0]] {
            let summary = summary_of(&latencies, 0);
            render_latency_cdf_png(&summary, "run").unwrap();
            let svg = render_latency_cdf_svg(&summary, "run").unwrap();
            assert!(svg.contains("\np99 "));
        }
    }

    #[test]
    fn cdf_without_completions_says_so() {
        let summary = summary_of(&[], 58);
        let svg = render_latency_cdf_svg(&summary, "run").unwrap();
        assert!(svg.contains("no request completed"));
        assert!(svg.contains("58 failed (58 timed out)"));
        render_latency_cdf_png(&summary, "run").unwrap();
        let svg = render_latency_cdf_svg(&summary_of(&[], 0), "run").unwrap();
        assert!(svg.contains("no request arrived"));
    }

    #[test]
    fn latencies_read_in_their_unit() {
        assert_eq!(fmt_latency(3.303), "3.3 s");
        assert_eq!(fmt_latency(66.37), "66.4 s");
        assert_eq!(fmt_latency(0.0421), "42.1 ms");
        assert_eq!(fmt_latency(0.000_063), "63 µs");
        assert_eq!(fmt_latency(0.0), "0 s");
        assert_eq!(fmt_latency(0.999_96), "1 s");
        assert_eq!(fmt_latency(999.6), "1000 s");
        assert_eq!(fmt_latency(1e-9), "1 ns");
        assert_eq!(fmt_latency(f64::MIN_POSITIVE / 4.0), "0 ns");
        assert_eq!(fmt_seconds(0.0), "0");
        assert_eq!(fmt_seconds(0.0125), "0.0125");
        assert_eq!(fmt_seconds(0.15), "0.15");
        assert_eq!(fmt_seconds(10_f64.powf(-3.0)), "0.001");
        assert_eq!(fmt_seconds(1e-5), "1e-5");
        assert_eq!(nines(0.0), 0.0);
        assert!((nines(0.999) - 3.0).abs() < 1e-9);
        assert_eq!(nines(1.0), MAX_ROW);
    }

    #[test]
    fn labels_are_short() {
        assert_eq!(fmt_short(0.0), "0");
        assert_eq!(fmt_short(950.0), "950");
        assert_eq!(fmt_short(1500.0), "1.5k");
        assert_eq!(fmt_short(3_200_000.0), "3.2M");
    }
}
