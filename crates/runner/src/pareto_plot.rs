//! The plot of a sweep: every run's expense against its losses, the Pareto frontier drawn
//! through the runs no other beats on both, and the recommended run marked.

use plotters::prelude::*;

use crate::plot::{
    FONT, HEIGHT, PlotError, WIDTH, draw_err, encode_rgb_png, ensure_font, fmt_short,
};

/// One run on the plot.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct ParetoPoint {
    /// Cost or instance-hours.
    pub(crate) expense: f64,
    /// Unserved fraction or SLO-breaking seconds.
    pub(crate) loss: f64,
    /// Whether no other run beats it on both.
    pub(crate) on_frontier: bool,
}

const RUN: RGBColor = RGBColor(150, 150, 150);
const FRONTIER: RGBColor = RGBColor(0, 114, 178);
const CHOSEN: RGBColor = RGBColor(213, 94, 0);
const BASELINE: RGBColor = RGBColor(0, 0, 0);

/// The legend's share of the plot's width and height, with a margin: four entries of 18 px
/// text, the longest about 400 px, on a plot about 1,430 × 740 px.
const LEGEND_SHARE: (f64, f64) = (0.33, 0.18);

/// Where the legend hides no run: the first corner (upper right, upper left, lower right,
/// lower left) whose share of the plot holds no mark; when every corner holds one, the upper
/// right with the y axis raised so that its share is above every mark. Gives the corner and
/// the top of the y axis.
fn legend_place(
    marks: &[(f64, f64)],
    (x_lo, x_hi): (f64, f64),
    (y_lo, y_hi): (f64, f64),
) -> (SeriesLabelPosition, f64) {
    let (width, height) = LEGEND_SHARE;
    let share = |value: f64, lo: f64, hi: f64| (value - lo) / (hi - lo);
    let in_corner = |right: bool, upper: bool| {
        marks.iter().any(|&(x, y)| {
            let (fx, fy) = (share(x, x_lo, x_hi), share(y, y_lo, y_hi));
            let in_x = if right {
                fx >= 1.0 - width
            } else {
                fx <= width
            };
            let in_y = if upper {
                fy >= 1.0 - height
            } else {
                fy <= height
            };
            in_x && in_y
        })
    };
    let corners = [
        (true, true, SeriesLabelPosition::UpperRight),
        (false, true, SeriesLabelPosition::UpperLeft),
        (true, false, SeriesLabelPosition::LowerRight),
        (false, false, SeriesLabelPosition::LowerLeft),
    ];
    for (right, upper, position) in corners {
        if !in_corner(right, upper) {
            return (position, y_hi);
        }
    }
    let raised = y_lo + (y_hi - y_lo) / (1.0 - height);
    (SeriesLabelPosition::UpperRight, raised)
}

/// Renders the sweep plot as PNG bytes.
pub(crate) fn render_pareto_png(
    title: &str,
    points: &[ParetoPoint],
    chosen: Option<(f64, f64)>,
    baseline: Option<(f64, f64)>,
    x_label: &str,
    y_label: &str,
) -> Result<Vec<u8>, PlotError> {
    ensure_font()?;
    if points.is_empty() {
        return Err(PlotError::Empty);
    }
    // Losses spanning two decades or more are drawn on a log scale: the runs that lose little
    // would otherwise all sit on the axis. Zero sits at the floor, half the least loss.
    let least = points
        .iter()
        .map(|point| point.loss)
        .chain(baseline.map(|(_, loss)| loss))
        .filter(|loss| loss.is_finite() && *loss > 0.0)
        .fold(f64::INFINITY, f64::min);
    let most = points
        .iter()
        .map(|point| point.loss)
        .filter(|loss| loss.is_finite())
        .fold(0.0_f64, f64::max);
    let log = least.is_finite() && most / least >= 100.0;
    let floor = least / 2.0;
    let y_of = |loss: f64| {
        if log { loss.max(floor).log10() } else { loss }
    };
    let points: Vec<ParetoPoint> = points
        .iter()
        .map(|point| ParetoPoint {
            loss: y_of(point.loss),
            ..*point
        })
        .collect();
    let points = points.as_slice();
    let chosen = chosen.map(|(x, loss)| (x, y_of(loss)));
    let baseline = baseline.map(|(x, loss)| (x, y_of(loss)));
    let percent = y_label.contains('%') || y_label.contains("fraction");
    let finite = |v: f64| if v.is_finite() { v } else { 0.0 };
    let (mut x_min, mut x_max) = (f64::INFINITY, f64::NEG_INFINITY);
    let mut y_max = if log { f64::NEG_INFINITY } else { 0.0_f64 };
    for (x, y) in points
        .iter()
        .map(|point| (point.expense, point.loss))
        .chain(baseline)
    {
        x_min = x_min.min(finite(x));
        x_max = x_max.max(finite(x));
        y_max = y_max.max(finite(y));
    }
    let x_pad = ((x_max - x_min) * 0.05).max(x_max.abs() * 0.01).max(1e-9);
    let (y_bottom, y_top) = if log {
        let low = points
            .iter()
            .map(|point| point.loss)
            .fold(f64::INFINITY, f64::min);
        (low - 0.1, y_max + 0.1)
    } else if y_max > 0.0 {
        (0.0, y_max * 1.08)
    } else {
        (0.0, 1.0)
    };
    let marks: Vec<(f64, f64)> = points
        .iter()
        .map(|p| (finite(p.expense), finite(p.loss)))
        .chain(baseline)
        .chain(chosen)
        .collect();
    let (legend_at, y_top) = legend_place(
        &marks,
        ((x_min - x_pad), (x_max + x_pad)),
        (y_bottom, y_top),
    );
    let mut rgb = vec![0u8; WIDTH as usize * HEIGHT as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, (FONT, 30))
            .margin(30)
            .x_label_area_size(70)
            .y_label_area_size(110)
            .build_cartesian_2d((x_min - x_pad)..(x_max + x_pad), y_bottom..y_top)
            .map_err(draw_err)?;
        chart
            .configure_mesh()
            .x_desc(x_label)
            .y_desc(if log {
                format!("{y_label}, log scale (none lost: at the bottom)")
            } else {
                y_label.to_owned()
            })
            .x_label_formatter(&|v| fmt_short(*v))
            .y_label_formatter(&|v| {
                let value = if log { 10f64.powf(*v) } else { *v };
                let shown = if percent { value * 100.0 } else { value };
                // Small values keep their first significant digit: 0.001, not 0.
                let text = if shown > 0.0 && shown < 1.0 {
                    let decimals = (-shown.log10().floor()).max(0.0) as usize;
                    format!("{shown:.decimals$}")
                } else {
                    fmt_short(shown)
                };
                if percent { format!("{text} %") } else { text }
            })
            .label_style((FONT, 18))
            .axis_desc_style((FONT, 20))
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err(draw_err)?;
        chart
            .draw_series(points.iter().map(|p| {
                Circle::new(
                    (finite(p.expense), finite(p.loss)),
                    3,
                    RUN.mix(0.6).filled(),
                )
            }))
            .map_err(draw_err)?
            .label("run")
            .legend(|(x, y)| Circle::new((x + 10, y), 4, RUN.filled()));
        let mut frontier: Vec<(f64, f64)> = points
            .iter()
            .filter(|p| p.on_frontier)
            .map(|p| (finite(p.expense), finite(p.loss)))
            .collect();
        frontier.sort_by(|a, b| a.0.total_cmp(&b.0));
        chart
            .draw_series(LineSeries::new(
                frontier.iter().copied(),
                FRONTIER.stroke_width(2),
            ))
            .map_err(draw_err)?
            .label("Pareto frontier: no run is both cheaper and better")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], FRONTIER.stroke_width(2)));
        chart
            .draw_series(
                frontier
                    .iter()
                    .map(|&p| Circle::new(p, 5, FRONTIER.filled())),
            )
            .map_err(draw_err)?;
        if let Some((x, y)) = baseline {
            chart
                .draw_series(std::iter::once(Cross::new(
                    (x, y),
                    9,
                    BASELINE.stroke_width(3),
                )))
                .map_err(draw_err)?
                .label("the scenario's own policy")
                .legend(|(x, y)| Cross::new((x + 10, y), 6, BASELINE.stroke_width(3)));
        }
        if let Some((x, y)) = chosen {
            chart
                .draw_series(std::iter::once(TriangleMarker::new(
                    (x, y),
                    10,
                    CHOSEN.filled(),
                )))
                .map_err(draw_err)?
                .label("recommended: the cheapest run meeting the objective")
                .legend(|(x, y)| TriangleMarker::new((x + 10, y), 7, CHOSEN.filled()));
        }
        chart
            .configure_series_labels()
            .position(legend_at)
            .label_font((FONT, 18))
            .background_style(WHITE.mix(0.9))
            .border_style(RUN)
            .draw()
            .map_err(draw_err)?;
        root.present().map_err(draw_err)?;
    }
    encode_rgb_png(&rgb, WIDTH, HEIGHT)
}

#[cfg(test)]
mod tests {
    use super::*;

    const X: (f64, f64) = (0.0, 100.0);
    const Y: (f64, f64) = (0.0, 100.0);

    fn corner(marks: &[(f64, f64)]) -> (String, f64) {
        let (position, top) = legend_place(marks, X, Y);
        (format!("{position:?}"), top)
    }

    #[test]
    fn the_legend_goes_to_the_first_corner_without_a_run() {
        // The legend takes x ≥ 67 (upper right) or x ≤ 33, and y ≥ 82 or y ≤ 18.
        assert_eq!(corner(&[(50.0, 50.0)]), ("UpperRight".into(), 100.0));
        assert_eq!(corner(&[(90.0, 90.0)]), ("UpperLeft".into(), 100.0));
        assert_eq!(
            corner(&[(90.0, 90.0), (10.0, 85.0)]),
            ("LowerRight".into(), 100.0)
        );
        assert_eq!(
            corner(&[(90.0, 90.0), (10.0, 85.0), (70.0, 10.0)]),
            ("LowerLeft".into(), 100.0)
        );
    }

    #[test]
    fn with_a_run_in_every_corner_the_axis_rises_above_them_all() {
        // The top becomes 100 / (1 − 0.18) = 121.95…: the legend's 18 % is then 100 … 121.95,
        // above the highest run.
        let (position, top) = corner(&[(90.0, 90.0), (10.0, 85.0), (70.0, 10.0), (5.0, 5.0)]);
        assert_eq!(position, "UpperRight");
        assert!((top - 100.0 / 0.82).abs() < 1e-9, "{top}");
    }
}
