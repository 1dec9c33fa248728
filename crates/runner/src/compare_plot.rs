//! The overlay plot of `scalesim compare`: one trace, several autoscalers.
//!
//! The figure shares the look of the single-run plot ([`crate::plot`]): the
//! same embedded font, margins, grid and time axis. On top, a small panel of
//! the demand every run was given; below it, one strip per run with the
//! instances that run kept in service, all strips on one instance scale and
//! one time axis, so the eye can run down a column and compare what each
//! autoscaler did at that moment. Each strip also carries the other runs'
//! curves in light grey, so differences show within a strip too.
//!
//! Strips rather than one shared panel: over a long trace, curves of
//! similar autoscalers drawn on top of each other merge into one tangle and
//! equal values hide each other, whereas a strip never hides its run and
//! reads the same in greyscale, since its name sits above it.

use chrono::{DateTime, FixedOffset};
use plotters::backend::RGBPixel;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontTransform;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::human::{duration, trim_zeros};
use crate::plot::{
    Chart, FONT, GRID, HEADER_H, HEIGHT, LEGEND_H, MARGIN_L, MARGIN_R, MUTED, PlotError, Swatch,
    WIDTH, X_LABEL_H, X_TICKS, Y_LABEL_W, axis_top, clean, draw_err, draw_legend, embed_font,
    encode_rgb_png, ensure_font, fit_text, fmt_short, plural,
};
use crate::time_axis::TimeAxis;

/// One run's instance curve, already binned on the comparison's time bins.
#[derive(Debug, Clone)]
pub(crate) struct ComparisonSeries {
    /// Name of the run in the legend, e.g. "sagemaker-nasa (aws-target-tracking)".
    pub(crate) label: String,
    /// Per bin: most instances in service during the bin.
    pub(crate) in_service_max: Vec<f64>,
    /// Per bin: time-weighted mean instances in service.
    pub(crate) in_service_mean: Vec<f64>,
    /// Per bin up to the run's last: the run's own mean demand, requests per minute, when the
    /// runs replay different traces.
    pub(crate) own_demand_per_min: Option<Vec<f64>>,
    /// Mean instances in service over the seconds the run covers (its own length, when the
    /// runs replay different traces).
    pub(crate) mean_in_service: f64,
}

/// Everything the overlay shows.
#[derive(Debug, Clone)]
pub(crate) struct ComparisonPlot {
    /// Title line, e.g. "comparison: nasa_http_1995_per_minute.csv".
    pub(crate) title: String,
    /// Seconds per bin (> 0); bins start at t = 0.
    pub(crate) bin_s: f64,
    /// Per bin: mean demand, requests per minute.
    pub(crate) demand_mean_per_min: Vec<f64>,
    /// Per bin: peak one-step demand, requests per minute.
    pub(crate) demand_max_per_min: Vec<f64>,
    /// The runs compared (1..=[`MAX_RUNS`]), each with one value per demand bin.
    pub(crate) runs: Vec<ComparisonSeries>,
    /// What a strip is, for the legends: `"run"`, or `"variant"` of an endpoint.
    pub(crate) strip_noun: &'static str,
    /// What the demand panel says of its demand.
    pub(crate) demand_note: &'static str,
    /// The wall-clock time of t = 0 when every run has the same one.
    pub(crate) start: Option<DateTime<FixedOffset>>,
}

/// Most runs one comparison plot shows.
pub(crate) const MAX_RUNS: usize = 12;

/// Renders the comparison as an encoded PNG file, 1600 px wide and at least
/// 900 px high (taller when many runs need their own strips).
pub(crate) fn render_comparison_png(plot: &ComparisonPlot) -> Result<Vec<u8>, PlotError> {
    ensure_font()?;
    let data = Prepared::new(plot)?;
    let height = data.height();
    let mut rgb = vec![0u8; WIDTH as usize * height as usize * 3];
    {
        let backend = BitMapBackend::<RGBPixel>::with_buffer_and_format(&mut rgb, (WIDTH, height))
            .map_err(|e| PlotError::Draw(e.to_string()))?;
        let root = backend.into_drawing_area();
        draw(&root, &data)?;
        root.present().map_err(draw_err)?;
    }
    encode_rgb_png(&rgb, WIDTH, height)
}

/// Renders the comparison as a complete, self-contained SVG document.
pub(crate) fn render_comparison_svg(plot: &ComparisonPlot) -> Result<String, PlotError> {
    ensure_font()?;
    let data = Prepared::new(plot)?;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, data.height())).into_drawing_area();
        draw(&root, &data)?;
        root.present().map_err(draw_err)?;
    }
    Ok(embed_font(&svg))
}

/// Run colours: the Okabe–Ito palette, which colour-blind readers can tell
/// apart, without its yellow (unreadable on white); the order keeps the first
/// three, the common case, furthest apart in hue and lightness.
const RUN_COLORS: [RGBColor; 7] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(0, 0, 0),
];
/// Demand: neutral, so it is never mistaken for a run.
const DEMAND: RGBColor = RGBColor(70, 70, 70);
/// Stands for "any run's colour" in the legend.
const KEY: RGBColor = RGBColor(40, 40, 40);
/// Other runs drawn behind a strip's own run, for reference.
const CONTEXT: RGBColor = RGBColor(190, 190, 190);
/// Opacity of the band between a run's mean and max.
const BAND_ALPHA: f64 = 0.28;
/// Height of the name row above each strip.
const STRIP_HEAD_H: u32 = 24;
/// Smallest plotting height of one strip; more runs make the image taller.
const STRIP_MIN_H: u32 = 62;
/// Up to this many other runs are drawn as lines behind a strip; more as a band.
const MAX_CONTEXT_LINES: usize = 3;
/// Height of the demand panel, legend included.
const DEMAND_H: u32 = 250;

/// A validated comparison with the values every panel draws.
#[derive(Debug)]
struct Prepared<'a> {
    /// The title line.
    title: &'a str,
    /// Number of bins.
    n: usize,
    /// Seconds per bin.
    bin_s: f64,
    /// The time axis.
    axis: TimeAxis,
    /// Start and end of each bin in axis units.
    bounds: Vec<(f64, f64)>,
    /// Mean demand per bin, requests per minute, cleaned.
    demand_mean: Vec<f64>,
    /// Peak demand per bin, never below the mean.
    demand_max: Vec<f64>,
    /// The runs, cleaned.
    runs: Vec<Run<'a>>,
    /// What a strip is.
    strip_noun: &'static str,
    /// What the demand panel says of its demand.
    demand_note: &'static str,
}

/// One run, cleaned, with what its label reports.
#[derive(Debug)]
struct Run<'a> {
    /// Name in the legend.
    label: &'a str,
    /// Mean instances per bin.
    mean: Vec<f64>,
    /// Most instances per bin, never below the mean.
    max: Vec<f64>,
    /// Mean instances over the seconds the run covers.
    avg: f64,
    /// Most instances at any time.
    peak: f64,
    /// Colour of the run.
    color: RGBColor,
    /// Its own mean demand per bin, requests per minute, when the runs replay different traces.
    own_demand: Option<Vec<f64>>,
}

impl<'a> Prepared<'a> {
    /// Checks that every column has one value per bin and cleans the values.
    fn new(plot: &'a ComparisonPlot) -> Result<Self, PlotError> {
        let n = plot.demand_mean_per_min.len();
        if n == 0 {
            return Err(PlotError::Empty);
        }
        if !(plot.bin_s.is_finite() && plot.bin_s > 0.0) {
            return Err(PlotError::ZeroStep);
        }
        if !(1..=MAX_RUNS).contains(&plot.runs.len()) {
            return Err(PlotError::Draw(format!(
                "a comparison plot shows 1 to {MAX_RUNS} runs, not {}",
                plot.runs.len()
            )));
        }
        let mut columns = vec![("demand_max_per_min", plot.demand_max_per_min.len())];
        for run in &plot.runs {
            columns.push(("in_service_max", run.in_service_max.len()));
            columns.push(("in_service_mean", run.in_service_mean.len()));
        }
        for (column, len) in columns {
            if len != n {
                return Err(PlotError::LengthMismatch {
                    column,
                    len,
                    expected: n,
                });
            }
        }
        let span_s = n as f64 * plot.bin_s;
        if !span_s.is_finite() {
            return Err(PlotError::Draw("the time span is beyond range".to_string()));
        }
        let axis = TimeAxis::new(span_s, plot.start);
        let bin = plot.bin_s / axis.unit().seconds();
        let span = axis.span();
        let bounds = (0..n)
            .map(|i| (i as f64 * bin, ((i + 1) as f64 * bin).min(span)))
            .collect();
        let (demand_mean, demand_max) =
            mean_and_max(&plot.demand_mean_per_min, &plot.demand_max_per_min);
        let runs = plot
            .runs
            .iter()
            .enumerate()
            .map(|(k, run)| {
                // Drawn up to the run's last bin: past it (NaN) the run has ended.
                let covered = run
                    .in_service_mean
                    .iter()
                    .rposition(|v| v.is_finite())
                    .map_or(0, |last| last + 1);
                let (mean, max) = mean_and_max(
                    &run.in_service_mean[..covered],
                    &run.in_service_max[..covered],
                );
                let avg = clean(run.mean_in_service);
                let peak = max.iter().copied().fold(0.0, f64::max);
                Run {
                    label: &run.label,
                    mean,
                    max,
                    avg,
                    peak,
                    color: RUN_COLORS[k % RUN_COLORS.len()],
                    own_demand: run
                        .own_demand_per_min
                        .as_ref()
                        .map(|demand| demand.iter().map(|&v| clean(v)).collect()),
                }
            })
            .collect();
        Ok(Self {
            title: &plot.title,
            n,
            bin_s: plot.bin_s,
            axis,
            bounds,
            demand_mean,
            demand_max,
            runs,
            strip_noun: plot.strip_noun,
            demand_note: plot.demand_note,
        })
    }

    /// Image height: the standard 900 px unless the strips need more.
    fn height(&self) -> u32 {
        let strips = self.runs.len().max(1) as u32;
        let needed =
            HEADER_H + DEMAND_H + LEGEND_H + strips * (STRIP_HEAD_H + STRIP_MIN_H) + X_LABEL_H;
        needed.max(HEIGHT)
    }

    /// A step-shaped path holding each bin's value over its span.
    fn step_path(&self, values: &[f64]) -> Vec<(f64, f64)> {
        self.bounds
            .iter()
            .zip(values)
            .flat_map(|(&(t0, t1), &v)| [(t0, v), (t1, v)])
            .collect()
    }

    /// The area between two step paths, `lower` below `upper`.
    fn band(&self, lower: &[f64], upper: &[f64]) -> Vec<(f64, f64)> {
        let mut band = self.step_path(upper);
        band.extend(self.step_path(lower).into_iter().rev());
        band
    }

    /// Whether any bin's max is above its mean, so a band would show.
    fn has_band(mean: &[f64], max: &[f64]) -> bool {
        mean.iter().zip(max).any(|(a, b)| b > a)
    }

    /// Highest demand rate, for the demand axis.
    fn demand_peak(&self) -> f64 {
        self.runs
            .iter()
            .filter_map(|run| run.own_demand.as_ref())
            .flatten()
            .chain(&self.demand_max)
            .copied()
            .fold(0.0, f64::max)
    }

    /// Most instances any run had, for the shared instance axis.
    fn instance_peak(&self) -> f64 {
        self.runs.iter().map(|r| r.peak).fold(0.0, f64::max)
    }
}

/// Cleans a mean and a max column: unplottable values become zero and the
/// max never falls below the mean.
fn mean_and_max(mean: &[f64], max: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let mean: Vec<f64> = mean.iter().map(|&v| clean(v)).collect();
    let max = max
        .iter()
        .zip(&mean)
        .map(|(&m, &a)| clean(m).max(a))
        .collect();
    (mean, max)
}

/// One-line summary under the title.
fn subtitle(data: &Prepared<'_>) -> String {
    format!(
        "{} · {} of {} · {} · peak demand {} req/min",
        duration(data.n as f64 * data.bin_s),
        plural(data.n as u64, "bin"),
        duration(data.bin_s),
        plural(data.runs.len() as u64, data.strip_noun),
        fmt_short(data.demand_peak()),
    )
}

/// What a run's name row says after the name.
fn run_stats(run: &Run<'_>) -> String {
    format!(
        "mean {} · peak {}",
        trim_zeros(format!("{:.2}", run.avg)),
        plural(run.peak.round() as u64, "instance"),
    )
}

/// Axis label for an instance count: whole numbers only, so no tick reads
/// as a fraction of an instance.
fn fmt_instances(v: &f64) -> String {
    if v.fract().abs() > 1e-9 {
        String::new()
    } else {
        fmt_short(*v)
    }
}

/// Draws the whole figure on `root`.
fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &Prepared<'_>,
) -> Result<(), PlotError> {
    root.fill(&WHITE).map_err(draw_err)?;
    let (header, body) = root.split_vertically(HEADER_H);
    draw_header(&header, data)?;

    let (top, bottom) = body.split_vertically(DEMAND_H);
    draw_demand(&top, data)?;

    let (legend, strips) = bottom.split_vertically(LEGEND_H);
    let any_band = data
        .runs
        .iter()
        .any(|r| Prepared::has_band(&r.mean, &r.max));
    let mut entries = vec![(
        Swatch::Line(KEY, 2),
        if any_band {
            "instances in service (mean per bin)"
        } else {
            "instances in service"
        }
        .to_string(),
    )];
    if any_band {
        entries.push((
            Swatch::Fill(KEY.mix(BAND_ALPHA)),
            "up to the most in the bin".to_string(),
        ));
    }
    if data.runs.len() > MAX_CONTEXT_LINES + 1 {
        entries.push((
            Swatch::Fill(CONTEXT.mix(0.55)),
            format!("range of the other {}s' means", data.strip_noun),
        ));
    } else if data.runs.len() > 1 {
        entries.push((
            Swatch::Line(CONTEXT, 2),
            format!("the other {}s", data.strip_noun),
        ));
    }
    let bin = format!("1 bin = {}", duration(data.bin_s));
    let note = if data.runs.len() > 1 {
        format!("all strips share one instance scale · {bin}")
    } else {
        bin
    };
    draw_legend(&legend, &entries, Some(&note))?;
    draw_strips(root, &strips, data)
}

/// Draws the title and the summary line.
fn draw_header<DB: DrawingBackend>(
    header: &DrawingArea<DB, Shift>,
    data: &Prepared<'_>,
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
    let title = fit_text(header, data.title, &title_style, max_w)?;
    let sub = fit_text(header, &subtitle(data), &sub_style, max_w)?;
    let cx = WIDTH as i32 / 2;
    header
        .draw_text(&title, &title_style, (cx, 12))
        .map_err(draw_err)?;
    header
        .draw_text(&sub, &sub_style, (cx, 50))
        .map_err(draw_err)?;
    Ok(())
}

/// Draws the demand panel with its legend.
fn draw_demand<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    data: &Prepared<'_>,
) -> Result<(), PlotError> {
    let (legend, plot) = area.split_vertically(LEGEND_H);
    let label_font = (FONT, 15).into_font().color(&MUTED);
    let desc_font = (FONT, 17).into_font().color(&BLACK);
    let mut chart = ChartBuilder::on(&plot)
        .margin_left(MARGIN_L)
        .margin_right(MARGIN_R)
        .margin_top(4)
        .margin_bottom(8)
        .x_label_area_size(0)
        .y_label_area_size(Y_LABEL_W)
        .build_cartesian_2d(data.axis.coord(), 0.0..axis_top(data.demand_peak(), 1.08))
        .map_err(draw_err)?;
    let y_fmt = |v: &f64| fmt_short(*v);
    let x_fmt = |v: &f64| data.axis.label(*v);
    chart
        .configure_mesh()
        .x_labels(X_TICKS)
        .y_labels(4)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID)
        .axis_style(MUTED)
        .label_style(label_font)
        .axis_desc_style(desc_font)
        .y_desc("requests / min")
        .draw()
        .map_err(draw_err)?;
    let width = line_width(data, area.dim_in_pixel().0);
    // Runs on different traces: each run's own demand, in its colour, and nothing shared.
    if data.runs.iter().any(|run| run.own_demand.is_some()) {
        let mut entries = Vec::new();
        for run in &data.runs {
            let Some(demand) = &run.own_demand else {
                continue;
            };
            chart
                .draw_series(LineSeries::new(
                    data.step_path(demand),
                    run.color.stroke_width(width),
                ))
                .map_err(draw_err)?;
            entries.push((
                Swatch::Line(run.color, 2),
                format!("demand of {} (mean per bin)", run.label),
            ));
        }
        draw_legend(&legend, &entries, Some(data.demand_note))?;
        return Ok(());
    }
    let band = Prepared::has_band(&data.demand_mean, &data.demand_max);
    chart
        .draw_series(AreaSeries::new(
            data.step_path(&data.demand_mean),
            0.0,
            DEMAND.mix(0.16),
        ))
        .map_err(draw_err)?;
    if band {
        chart
            .draw_series(std::iter::once(Polygon::new(
                data.band(&data.demand_mean, &data.demand_max),
                DEMAND.mix(0.30).filled(),
            )))
            .map_err(draw_err)?;
    }
    chart
        .draw_series(LineSeries::new(
            data.step_path(&data.demand_mean),
            DEMAND.stroke_width(width),
        ))
        .map_err(draw_err)?;

    let mut entries = vec![(
        Swatch::AreaLine(DEMAND.mix(0.16), DEMAND),
        if band {
            "demand (mean per bin)"
        } else {
            "demand"
        }
        .to_string(),
    )];
    if band {
        entries.push((
            Swatch::Fill(DEMAND.mix(0.30)),
            "up to the busiest step in the bin".to_string(),
        ));
    }
    draw_legend(&legend, &entries, Some(data.demand_note))?;
    Ok(())
}

/// Draws one strip per run, the last with the time axis under it, and the
/// instance axis description once for all strips.
fn draw_strips<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    area: &DrawingArea<DB, Shift>,
    data: &Prepared<'_>,
) -> Result<(), PlotError> {
    let label_font = (FONT, 15).into_font().color(&MUTED);
    let desc_font = (FONT, 17).into_font().color(&BLACK);
    let (_, total_h) = area.dim_in_pixel();
    let count = data.runs.len().max(1) as u32;
    let strip_h = total_h.saturating_sub(X_LABEL_H) / count;
    let inst_top = axis_top(data.instance_peak(), 1.15);
    let plot_h = strip_h.saturating_sub(STRIP_HEAD_H);
    let inst_ticks = (inst_top.floor() as usize)
        .saturating_add(1)
        .clamp(2, (plot_h / 24).clamp(2, 6) as usize);

    // Wide bins get bold lines, as the single-run plot does when it need
    // not downsample; narrow ones thin lines so detail is not smeared.
    let width = line_width(data, area.dim_in_pixel().0);
    let x_fmt = |v: &f64| data.axis.label(*v);
    let mut rest = area.clone();
    for (k, run) in data.runs.iter().enumerate() {
        let last = k + 1 == data.runs.len();
        let (strip, below) = if last {
            (rest.clone(), rest.clone())
        } else {
            rest.split_vertically(strip_h)
        };
        rest = below;
        let (head, plot) = strip.split_vertically(STRIP_HEAD_H);
        draw_strip_head(&head, run, width)?;
        let mut chart = ChartBuilder::on(&plot)
            .margin_left(MARGIN_L)
            .margin_right(MARGIN_R)
            .margin_top(2)
            .margin_bottom(if last { 0 } else { 4 })
            .x_label_area_size(if last { X_LABEL_H } else { 0 })
            .y_label_area_size(Y_LABEL_W)
            .build_cartesian_2d(data.axis.coord(), 0.0..inst_top)
            .map_err(draw_err)?;
        let mut mesh = chart.configure_mesh();
        mesh.x_labels(X_TICKS)
            .y_labels(inst_ticks)
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&fmt_instances)
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID)
            .axis_style(MUTED)
            .label_style(label_font.clone())
            .axis_desc_style(desc_font.clone());
        if last {
            mesh.x_desc(data.axis.description());
        }
        mesh.draw().map_err(draw_err)?;

        draw_context(&mut chart, data, k)?;
        draw_run(&mut chart, data, run, width)?;
    }
    // One axis description for all strips, centred on them.
    let style = desc_font
        .transform(FontTransform::Rotate270)
        .pos(Pos::new(HPos::Center, VPos::Top));
    let (_, y0) = area.get_base_pixel();
    let mid = y0.saturating_add(total_h.saturating_sub(X_LABEL_H) as i32 / 2);
    // Where plotters puts a y axis description, so it lines up with the
    // demand panel's.
    root.draw_text("instances", &style, (MARGIN_L as i32, mid))
        .map_err(draw_err)?;
    Ok(())
}

/// Draws a run's name row: its swatch, name and summary.
fn draw_strip_head<DB: DrawingBackend>(
    head: &DrawingArea<DB, Shift>,
    run: &Run<'_>,
    width: u32,
) -> Result<(), PlotError> {
    let (_, h) = head.dim_in_pixel();
    let cy = h as i32 / 2 + 3;
    let x0 = (MARGIN_L + Y_LABEL_W) as i32 + 4;
    if Prepared::has_band(&run.mean, &run.max) {
        head.draw(&Rectangle::new(
            [(x0, cy - 7), (x0 + 24, cy + 3)],
            run.color.mix(BAND_ALPHA).filled(),
        ))
        .map_err(draw_err)?;
    }
    head.draw(&PathElement::new(
        vec![(x0, cy + 3), (x0 + 24, cy + 3)],
        run.color.stroke_width(width + 1),
    ))
    .map_err(draw_err)?;
    let name = (FONT, 17)
        .into_font()
        .color(&BLACK)
        .pos(Pos::new(HPos::Left, VPos::Center));
    let stats = (FONT, 15)
        .into_font()
        .color(&MUTED)
        .pos(Pos::new(HPos::Left, VPos::Center));
    let max_w = WIDTH - MARGIN_R - x0 as u32 - 40;
    let label = fit_text(head, run.label, &name, max_w * 2 / 3)?;
    head.draw_text(&label, &name, (x0 + 34, cy))
        .map_err(draw_err)?;
    let (w, _) = head.estimate_text_size(&label, &name).map_err(draw_err)?;
    head.draw_text(&run_stats(run), &stats, (x0 + 34 + w as i32 + 16, cy))
        .map_err(draw_err)?;
    Ok(())
}

/// Line width for series of `data` drawn `width_px` wide: 2 when each bin
/// gets several pixels, else 1.
fn line_width(data: &Prepared<'_>, width_px: u32) -> u32 {
    let plot_px = width_px.saturating_sub(MARGIN_L + Y_LABEL_W + MARGIN_R);
    if f64::from(plot_px) / data.n as f64 >= 3.0 {
        2
    } else {
        1
    }
}

/// Draws the runs other than `own` in light grey behind a strip, so each
/// strip shows where its run stands among the rest: as lines while they are
/// few enough to follow, else as the band they span.
fn draw_context<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    data: &Prepared<'_>,
    own: usize,
) -> Result<(), PlotError> {
    let others: Vec<&Run<'_>> = data
        .runs
        .iter()
        .enumerate()
        .filter(|&(j, _)| j != own)
        .map(|(_, run)| run)
        .collect();
    if others.len() <= MAX_CONTEXT_LINES {
        for other in others {
            chart
                .draw_series(LineSeries::new(
                    data.step_path(&other.mean),
                    CONTEXT.stroke_width(1),
                ))
                .map_err(draw_err)?;
        }
        return Ok(());
    }
    let (lo, hi): (Vec<f64>, Vec<f64>) = (0..data.n)
        .map(|i| {
            others
                .iter()
                .filter_map(|r| r.mean.get(i))
                .fold((f64::INFINITY, 0.0_f64), |(lo, hi), &mean| {
                    (lo.min(mean), hi.max(mean))
                })
        })
        .unzip();
    chart
        .draw_series(std::iter::once(Polygon::new(
            data.band(&lo, &hi),
            CONTEXT.mix(0.55).filled(),
        )))
        .map_err(draw_err)?;
    Ok(())
}

/// Draws one run: the band up to its max, then its mean line.
fn draw_run<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    data: &Prepared<'_>,
    run: &Run<'_>,
    width: u32,
) -> Result<(), PlotError> {
    if Prepared::has_band(&run.mean, &run.max) {
        chart
            .draw_series(std::iter::once(Polygon::new(
                data.band(&run.mean, &run.max),
                run.color.mix(BAND_ALPHA).filled(),
            )))
            .map_err(draw_err)?;
    }
    chart
        .draw_series(LineSeries::new(
            data.step_path(&run.mean),
            run.color.stroke_width(width),
        ))
        .map_err(draw_err)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A comparison of `runs` runs over `bins` bins of `bin_s` seconds.
    fn sample(bins: usize, runs: usize, bin_s: f64) -> ComparisonPlot {
        let demand: Vec<f64> = (0..bins)
            .map(|i| 200.0 + 150.0 * (i as f64 / 20.0).sin())
            .collect();
        ComparisonPlot {
            title: "comparison: sample.csv".to_string(),
            bin_s,
            demand_max_per_min: demand.iter().map(|d| d * 1.3).collect(),
            demand_mean_per_min: demand.clone(),
            runs: (0..runs)
                .map(|k| {
                    let mean: Vec<f64> = demand
                        .iter()
                        .map(|d| (d / (40.0 + 5.0 * k as f64)).ceil())
                        .collect();
                    ComparisonSeries {
                        own_demand_per_min: None,
                        mean_in_service: 0.0,
                        label: format!("run {k} (autoscaler-{k})"),
                        in_service_max: mean.iter().map(|m| m + 1.0).collect(),
                        in_service_mean: mean,
                    }
                })
                .collect(),
            strip_noun: "run",
            start: None,
            demand_note: "the same trace replayed for every run",
        }
    }

    /// Width and height of an encoded PNG.
    fn png_size(bytes: &[u8]) -> (u32, u32) {
        let reader = png::Decoder::new(bytes).read_info().unwrap();
        (reader.info().width, reader.info().height)
    }

    #[test]
    fn png_has_magic_and_dimensions() {
        let bytes = render_comparison_png(&sample(600, 3, 60.0)).unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
        assert_eq!(png_size(&bytes), (WIDTH, HEIGHT));
    }

    #[test]
    fn a_comparison_with_a_start_reads_its_ticks_on_the_wall_clock() {
        // 3 days of hours from Saturday 1 July 1995 at midnight in New York: every 12 h, under
        // the last strip only.
        let mut plot = sample(72, 3, 3600.0);
        plot.start = Some(DateTime::parse_from_rfc3339("1995-07-01T00:00:00-04:00").unwrap());
        let svg = render_comparison_svg(&plot).unwrap();
        assert_eq!(
            crate::plot::tests::clock_ticks(&svg),
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
        assert!(svg.contains("time (UTC−04:00), t = 0 at Sat 1995-07-01 00:00"));
        plot.start = None;
        let svg = render_comparison_svg(&plot).unwrap();
        assert!(crate::plot::tests::clock_ticks(&svg).is_empty());
        assert!(svg.contains("time since start (hours)"));
    }

    #[test]
    fn svg_is_self_contained() {
        let mut plot = sample(100, 3, 60.0);
        plot.title = "compare <a&b>".to_string();
        let svg = render_comparison_svg(&plot).unwrap();
        assert!(svg.starts_with("<svg"));
        assert!(svg.trim_end().ends_with("</svg>"));
        assert!(svg.contains("compare &lt;a&amp;b&gt;"));
        assert!(svg.contains("@font-face"));
        assert!(svg.contains("data:font/ttf;base64,AAEAAA"));
        assert!(!svg.contains("font-family=\"sans-serif\""));
        assert!(svg.contains("run 2 (autoscaler-2)"));
    }

    #[test]
    fn one_bin_one_run_and_twelve_runs_render() {
        for plot in [
            sample(1, 1, 60.0),
            sample(1, 3, 3600.0),
            sample(100, 1, 60.0),
            sample(1_600, MAX_RUNS, 3_165.0),
        ] {
            let bytes = render_comparison_png(&plot).unwrap();
            let (w, h) = png_size(&bytes);
            assert_eq!(w, WIDTH);
            assert!(h >= HEIGHT);
            render_comparison_svg(&plot).unwrap();
        }
        let tall = render_comparison_png(&sample(10, MAX_RUNS, 60.0)).unwrap();
        assert!(png_size(&tall).1 > HEIGHT);
    }

    #[test]
    fn odd_values_render() {
        let mut plot = sample(50, 3, 60.0);
        plot.demand_mean_per_min[3] = f64::NAN;
        plot.demand_max_per_min[4] = f64::INFINITY;
        plot.demand_max_per_min[5] = f64::MAX;
        plot.runs[0].in_service_mean[6] = -3.0;
        plot.runs[1].in_service_max[7] = 1e300;
        plot.runs[2].in_service_max[8] = 0.0; // below its mean
        plot.runs[2].label = "a very long label ".repeat(30);
        plot.title = "a very long title ".repeat(30);
        render_comparison_png(&plot).unwrap();
        render_comparison_svg(&plot).unwrap();

        let zeros = ComparisonPlot {
            title: String::new(),
            bin_s: 1e-9,
            demand_mean_per_min: vec![0.0; 4],
            demand_max_per_min: vec![0.0; 4],
            runs: vec![ComparisonSeries {
                own_demand_per_min: None,
                mean_in_service: 0.0,
                label: String::new(),
                in_service_max: vec![0.0; 4],
                in_service_mean: vec![0.0; 4],
            }],
            strip_noun: "run",
            start: None,
            demand_note: "",
        };
        render_comparison_png(&zeros).unwrap();
        let mut huge = sample(3, 2, 1e300);
        huge.bin_s = f64::MAX / 4.0;
        render_comparison_png(&huge).unwrap();
    }

    #[test]
    fn invalid_input_is_an_error() {
        let mut plot = sample(10, 3, 60.0);
        plot.runs[1].in_service_mean.pop();
        assert!(matches!(
            render_comparison_png(&plot),
            Err(PlotError::LengthMismatch {
                column: "in_service_mean",
                len: 9,
                expected: 10
            })
        ));
        let mut plot = sample(10, 3, 60.0);
        plot.runs[2].in_service_max.push(1.0);
        assert!(matches!(
            render_comparison_svg(&plot),
            Err(PlotError::LengthMismatch {
                column: "in_service_max",
                len: 11,
                expected: 10
            })
        ));
        let mut plot = sample(10, 3, 60.0);
        plot.demand_max_per_min.clear();
        assert!(matches!(
            render_comparison_png(&plot),
            Err(PlotError::LengthMismatch {
                column: "demand_max_per_min",
                ..
            })
        ));
        assert!(matches!(
            render_comparison_png(&sample(0, 3, 60.0)),
            Err(PlotError::Empty)
        ));
        for bin_s in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert!(matches!(
                render_comparison_svg(&sample(10, 3, bin_s)),
                Err(PlotError::ZeroStep)
            ));
        }
        for runs in [0, MAX_RUNS + 1] {
            assert!(matches!(
                render_comparison_png(&sample(10, runs, 60.0)),
                Err(PlotError::Draw(_))
            ));
        }
        assert!(matches!(
            render_comparison_png(&sample(10, 1, f64::MAX)),
            Err(PlotError::Draw(_))
        ));
    }
}
