//! What a sweep keeps of its rows as they stream past in run order, so that its memory does not
//! grow with its runs: the rows go to `results.csv` as they come, and only this remains.
//!
//! - **Judged rows.** With one trace, each run is judged as it comes. With several, a
//!   combination is judged once its run on the last trace has come: until then it is a
//!   [`Partial`] (its expense summed and its losses the worst so far, in trace order, as a whole
//!   table would give them), one per combination.
//! - **The frontier**, kept whole: a judged row joins it when every row before it in (expense,
//!   loss, run) order loses more, and pushes out the rows after it that lose as much or more.
//! - **The recommendation**: the cheapest judged row meeting the objective, the first on ties.
//! - **The points to plot**: every judged row while they are few; past [`SAMPLED_POINTS`], every
//!   second one of those kept, then every fourth… (by arrival, so whatever the threads), plus the
//!   frontier, the recommendation and the rows at the ends of both axes, so that the plot's
//!   range and its front are those of all the runs.
//! - **Parameters that changed no run** (grids only): for each parameter and each of its values,
//!   a fingerprint sum over the runs with that value, Σ h(figures) · g(the other parameters'
//!   values and the trace), modulo the prime 2⁶¹ − 1. If every run's figures are the same
//!   whatever the parameter's value, the sums are equal for every value; if some run's differ,
//!   they are equal only by a collision of 64-bit hashes, about one chance in 2⁶¹. Memory: one
//!   number per value swept.

use std::hash::{DefaultHasher, Hash, Hasher};

use super::{Combinations, Sweep, SweepRow};

/// Past this many points, the plotted sample is halved.
pub(crate) const SAMPLED_POINTS: usize = 20_000;

/// The Mersenne prime 2⁶¹ − 1, the fingerprint sums' modulus.
const PRIME: u64 = (1 << 61) - 1;

/// A combination judged on the traces before the last: its figures so far.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Partial {
    pub(super) expense: f64,
    pub(super) unserved_fraction: f64,
    pub(super) slo_violation_s: Option<f64>,
    pub(super) latency_p99_s: Option<f64>,
}

/// A judged row on the plot: its number, expense and loss.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Point {
    pub(crate) run: u64,
    pub(crate) expense: f64,
    pub(crate) loss: f64,
}

/// What remains of a sweep's rows once they have streamed past.
#[derive(Debug)]
pub(crate) struct Tally<'s> {
    sweep: &'s Sweep,
    /// Per combination, with several traces.
    partials: Vec<Partial>,
    /// Judged rows so far.
    judged: u64,
    /// Whether a judged row measured seconds breaking the SLO.
    slo_measured: bool,
    frontier: Frontier,
    recommended: Option<SweepRow>,
    sample: Sample,
    /// The least and most expense and loss, each with its point.
    extremes: [Option<Point>; 4],
    /// Per parameter, per position in its list, the fingerprint sum (grids only).
    fingerprints: Option<Vec<Vec<u64>>>,
}

impl<'s> Tally<'s> {
    pub(crate) fn new(sweep: &'s Sweep) -> Self {
        let partials = if sweep.bases.len() > 1 {
            vec![Partial::default(); sweep.combinations.len() as usize]
        } else {
            Vec::new()
        };
        let fingerprints = match &sweep.combinations {
            Combinations::Grid(lists) => {
                Some(lists.iter().map(|list| vec![0; list.len()]).collect())
            }
            Combinations::Samples { .. } => None,
        };
        Self {
            sweep,
            partials,
            judged: 0,
            slo_measured: false,
            frontier: Frontier::default(),
            recommended: None,
            sample: Sample::default(),
            extremes: [None; 4],
            fingerprints,
        }
    }

    /// Takes the next row, in run order.
    pub(crate) fn push(&mut self, row: &SweepRow) {
        self.fingerprint(row);
        if self.sweep.bases.len() == 1 {
            self.judge(row.clone());
            return;
        }
        let combination = row.run % self.sweep.combinations.len();
        let trace = self.sweep.trace_of(row.run);
        let partial = &mut self.partials[combination as usize];
        let worst = |so_far: Option<f64>, this: Option<f64>| {
            if trace == 0 {
                this.map(|s| s.max(0.0))
            } else {
                so_far.zip(this).map(|(worst, s)| worst.max(s))
            }
        };
        *partial = Partial {
            expense: if trace == 0 {
                row.expense
            } else {
                partial.expense + row.expense
            },
            unserved_fraction: if trace == 0 {
                row.unserved_fraction.max(0.0)
            } else {
                partial.unserved_fraction.max(row.unserved_fraction)
            },
            slo_violation_s: worst(partial.slo_violation_s, row.slo_violation_s),
            latency_p99_s: worst(partial.latency_p99_s, row.latency_p99_s),
        };
        if trace + 1 == self.sweep.bases.len() {
            let judged = self.sweep.judged_row(combination, *partial);
            self.judge(judged);
        }
    }

    fn judge(&mut self, row: SweepRow) {
        let index = self.judged;
        self.judged += 1;
        self.slo_measured |= row.slo_violation_s.is_some();
        if self.sweep.meets_objective(&row)
            && self
                .recommended
                .as_ref()
                .is_none_or(|best| row.expense < best.expense)
        {
            self.recommended = Some(row.clone());
        }
        // A run with no measure of its loss (no request completed) is on no plot or frontier.
        if !row.loss.is_finite() {
            return;
        }
        let point = Point {
            run: row.run,
            expense: row.expense,
            loss: row.loss,
        };
        let [least_expense, most_expense, least_loss, most_loss] = &mut self.extremes;
        let keep_if = |slot: &mut Option<Point>, better: fn(&Point, &Point) -> bool| {
            if slot.as_ref().is_none_or(|kept| better(&point, kept)) {
                *slot = Some(point);
            }
        };
        keep_if(least_expense, |a, b| a.expense < b.expense);
        keep_if(most_expense, |a, b| a.expense > b.expense);
        keep_if(least_loss, |a, b| a.loss < b.loss);
        keep_if(most_loss, |a, b| a.loss > b.loss);
        self.sample.offer(index, point);
        self.frontier.admit(row);
    }

    /// Adds run `row`'s figures to the fingerprint sums of each parameter's value.
    fn fingerprint(&mut self, row: &SweepRow) {
        let Some(sums) = self.fingerprints.as_mut() else {
            return;
        };
        let parameters = self.sweep.parameters.len();
        // The line's figures: what follows the run, the trace and the parameter values.
        let figures = row.line.splitn(parameters + 3, ',').nth(parameters + 2);
        let figures = hash_below_prime(&figures);
        let trace = self.sweep.trace_of(row.run);
        let positions = self
            .sweep
            .combinations
            .positions(row.run % self.sweep.combinations.len());
        for (parameter, values) in sums.iter_mut().enumerate() {
            let others = (
                trace,
                &positions[..parameter],
                &positions[parameter + 1..],
                parameter,
            );
            // Never 0, so that no group's figures drop out of the sum.
            let group = hash_below_prime(&others).max(1);
            let sum = &mut values[positions[parameter]];
            *sum = ((u128::from(*sum) + u128::from(figures) * u128::from(group))
                % u128::from(PRIME)) as u64;
        }
    }

    /// The judged rows: runs with one trace, combinations with several.
    pub(crate) fn judged(&self) -> u64 {
        self.judged
    }

    /// Whether a judged row measured seconds breaking the SLO.
    pub(crate) fn slo_measured(&self) -> bool {
        self.slo_measured
    }

    /// The frontier, cheapest first.
    pub(crate) fn frontier(&self) -> &[SweepRow] {
        self.frontier.rows()
    }

    pub(crate) fn recommended(&self) -> Option<&SweepRow> {
        self.recommended.as_ref()
    }

    /// The points to plot, by run: the sample, the frontier, the recommendation and the
    /// extremes.
    pub(crate) fn points(&self) -> Vec<Point> {
        let as_point = |row: &SweepRow| Point {
            run: row.run,
            expense: row.expense,
            loss: row.loss,
        };
        let mut points: Vec<Point> = self
            .sample
            .points
            .iter()
            .copied()
            .chain(self.extremes.iter().flatten().copied())
            .chain(self.frontier.rows().iter().map(as_point))
            .chain(
                self.recommended
                    .iter()
                    .filter(|row| row.loss.is_finite())
                    .map(as_point),
            )
            .collect();
        points.sort_by_key(|point| point.run);
        points.dedup_by_key(|point| point.run);
        points
    }

    /// The names of the parameters whose every value gave every run the same figures: swept,
    /// with two values or more, and no run changed.
    pub(crate) fn without_effect(&self) -> Vec<&'s str> {
        let Some(sums) = &self.fingerprints else {
            return Vec::new();
        };
        let lists = self.sweep.combinations.lists();
        sums.iter()
            .zip(lists)
            .zip(&self.sweep.parameters)
            .filter(|((sums, list), _)| {
                let distinct_values = list
                    .iter()
                    .any(|value| value.to_bits() != list[0].to_bits());
                distinct_values && sums.iter().all(|sum| *sum == sums[0])
            })
            .map(|(_, name)| name.as_str())
            .collect()
    }
}

/// Every judged row whose arrival index is a multiple of the stride, the least power of two that
/// keeps fewer than [`SAMPLED_POINTS`].
#[derive(Debug)]
struct Sample {
    points: Vec<Point>,
    stride: u64,
}

impl Default for Sample {
    fn default() -> Self {
        Self {
            points: Vec::new(),
            stride: 1,
        }
    }
}

impl Sample {
    fn offer(&mut self, index: u64, point: Point) {
        if !index.is_multiple_of(self.stride) {
            return;
        }
        self.points.push(point);
        if self.points.len() >= SAMPLED_POINTS {
            // Those kept sit at multiples of the stride: every second one, from the first, at
            // multiples of twice it.
            self.stride *= 2;
            let mut position = 0;
            self.points.retain(|_| {
                position += 1;
                position % 2 == 1
            });
        }
    }
}

/// The rows no other row beats on both expense and loss, cheapest first.
#[derive(Debug, Default)]
pub(crate) struct Frontier {
    /// (expense, loss, run) increasing, loss strictly decreasing.
    rows: Vec<SweepRow>,
}

impl Frontier {
    /// Takes `row` if no row before it in (expense, loss, run) order loses as little, and drops
    /// the rows after it that lose as much or more: the frontier of all the rows admitted.
    pub(crate) fn admit(&mut self, row: SweepRow) {
        let order = |a: &SweepRow, b: &SweepRow| {
            a.expense
                .total_cmp(&b.expense)
                .then(a.loss.total_cmp(&b.loss))
                .then(a.run.cmp(&b.run))
        };
        let at = self.rows.partition_point(|kept| order(kept, &row).is_lt());
        if at > 0 && self.rows[at - 1].loss <= row.loss {
            return;
        }
        let beaten = self.rows[at..]
            .iter()
            .take_while(|kept| kept.loss >= row.loss)
            .count();
        self.rows.splice(at..at + beaten, [row]);
    }

    pub(crate) fn rows(&self) -> &[SweepRow] {
        &self.rows
    }
}

fn hash_below_prime(value: &impl Hash) -> u64 {
    let mut hasher = DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish() % PRIME
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn row(run: u64, expense: f64, loss: f64) -> SweepRow {
        SweepRow {
            run,
            line: String::new(),
            expense,
            unserved_fraction: loss,
            slo_violation_s: None,
            latency_p99_s: None,
            loss,
        }
    }

    #[test]
    fn a_sample_of_a_million_keeps_every_64th_point() {
        // The stride doubles each time 20,000 points are kept: at stride 32 the 20,000th is
        // index 639,968 (< 1,000,000), at stride 64 it would be 1,279,936 (> 999,999). So the
        // stride ends at 64, keeping indices 0, 64, … 999,936: 15,625 points.
        let mut sample = Sample::default();
        for index in 0..1_000_000 {
            sample.offer(
                index,
                Point {
                    run: index,
                    expense: 0.0,
                    loss: 0.0,
                },
            );
        }
        assert_eq!(sample.stride, 64);
        assert_eq!(sample.points.len(), 15_625);
        assert!(sample.points.iter().all(|p| p.run % 64 == 0));
        assert_eq!(sample.points.last().map(|p| p.run), Some(999_936));
    }

    proptest! {
        /// Admitted one by one, in any order, rows leave the frontier a sort of them all gives:
        /// by (expense, loss, run), each row that loses less than every row before it.
        #[test]
        fn the_frontier_admitted_row_by_row_is_the_frontier_of_all_the_rows(
            figures in prop::collection::vec((0u8..20, 0u8..20), 0..60),
        ) {
            let rows: Vec<SweepRow> = figures
                .iter()
                .enumerate()
                .map(|(run, &(expense, loss))| row(run as u64, f64::from(expense), f64::from(loss)))
                .collect();
            let mut frontier = Frontier::default();
            for row in rows.iter().rev() {
                frontier.admit(row.clone());
            }
            let mut sorted = rows.clone();
            sorted.sort_by(|a, b| {
                a.expense.total_cmp(&b.expense).then(a.loss.total_cmp(&b.loss)).then(a.run.cmp(&b.run))
            });
            let mut expected: Vec<u64> = Vec::new();
            let mut least = f64::INFINITY;
            for row in &sorted {
                if row.loss < least {
                    least = row.loss;
                    expected.push(row.run);
                }
            }
            let got: Vec<u64> = frontier.rows().iter().map(|row| row.run).collect();
            prop_assert_eq!(got, expected);
        }
    }
}
