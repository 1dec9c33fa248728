//! Demand per simulation step, built from a trace's per-bucket arrival counts.
//!
//! Spec (`spec/README.md`, "Time"): buckets finer than `step_s` are summed into steps; coarser
//! ones are spread over the steps they cover in proportion to the overlap. The run has one step
//! for every `step_s` the window covers, the last partial step included. A gap between bucket
//! indices counts as zero arrivals.
//!
//! Model choice (the spec is silent): a window that reaches past the trace's last bucket is an
//! error rather than padded with zeros, since it is most likely a mistaken `buckets` count.

use crate::error::BuildError;
use crate::limits::{MAX_COUNT, MAX_STEPS, check_step_s, steps_covering};

/// One bucket of a trace: its index (as the trace numbers it) and the arrivals counted in it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bucket {
    /// Bucket index, counted from 0 at the trace's start.
    pub index: u64,
    /// Arrivals in the bucket (requests, invocations, sessions).
    pub count: f64,
}

/// Which buckets of a trace a run replays: `[from_bucket, from_bucket + buckets)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BucketWindow {
    /// First bucket kept; it becomes t = 0.
    pub from_bucket: u64,
    /// How many buckets to keep; `None` keeps all up to the trace's last bucket.
    pub buckets: Option<u64>,
}

impl BucketWindow {
    /// The whole trace.
    pub const ALL: BucketWindow = BucketWindow {
        from_bucket: 0,
        buckets: None,
    };
}

/// Arrivals per step, the demand a simulation replays.
#[derive(Debug, Clone, PartialEq)]
pub struct Demand {
    step_s: u64,
    per_step: Vec<f64>,
    /// Σ per_step from the first step on, as a run's summary adds it up.
    total: f64,
    /// When every sum of the arrivals is exact: their running sums and each block's extremes.
    exact: Option<ExactSums>,
}

/// Steps per block of [`ExactSums`]' extremes: a word's worth, as the sweep kernel reads them.
pub(crate) const BLOCK_STEPS: usize = 64;

/// The running sums of a demand whose arrivals are all whole multiples of one power of two
/// 2⁻ᵏ, their total under 2⁵³ such quanta: then every sum of them, in any order, is exact, and
/// a stretch's sum is one subtraction of two running sums. Request counts are whole numbers, so
/// the traces that sweeps replay are mostly such.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ExactSums {
    /// k: the arrivals are whole multiples of 2⁻ᵏ.
    pub(crate) fractional_bits: u32,
    /// The total in quanta of 2⁻ᵏ.
    pub(crate) total_quanta: u64,
    /// `running[s]` = Σ arrivals of the steps before s, one more entry than steps.
    pub(crate) running: Vec<f64>,
    /// The least and greatest arrivals of each block of [`BLOCK_STEPS`] steps.
    pub(crate) block_extremes: Vec<(f64, f64)>,
}

/// Quanta finer than 2⁻⁶⁰ are not looked for: arrivals that need them are not counts.
const MAX_FRACTIONAL_BITS: u32 = 60;
/// 2⁵³: the quanta a float counts exactly.
pub(crate) const EXACT_QUANTA: u64 = 1 << 53;

/// The least k ≥ 0 for which `value` is a whole multiple of 2⁻ᵏ, if at most
/// [`MAX_FRACTIONAL_BITS`]; `value` finite and non-negative.
pub(crate) fn fractional_bits(value: f64) -> Option<u32> {
    if value == 0.0 {
        return Some(0);
    }
    let bits = value.to_bits();
    let biased_exponent = ((bits >> 52) & 0x7ff) as i64;
    let (mantissa, exponent) = if biased_exponent == 0 {
        (bits & ((1 << 52) - 1), -1074)
    } else {
        ((bits & ((1 << 52) - 1)) | (1 << 52), biased_exponent - 1075)
    };
    // value = mantissa × 2^exponent, and its lowest set bit weighs 2^(exponent + zeros).
    let lowest = exponent + i64::from(mantissa.trailing_zeros());
    let needed = u32::try_from((-lowest).max(0)).ok()?;
    (needed <= MAX_FRACTIONAL_BITS).then_some(needed)
}

/// `value` × 2^`fractional_bits` as a whole number, if below [`EXACT_QUANTA`].
pub(crate) fn quanta(value: f64, fractional_bits: u32) -> Option<u64> {
    let scaled = value * (1u64 << fractional_bits) as f64;
    (scaled < EXACT_QUANTA as f64).then_some(scaled as u64)
}

impl ExactSums {
    fn of(per_step: &[f64]) -> Option<Self> {
        let fractional_bits = per_step
            .iter()
            .map(|&value| fractional_bits(value))
            .try_fold(0, |most, bits| Some(most.max(bits?)))?;
        let mut total_quanta: u64 = 0;
        for &value in per_step {
            total_quanta = total_quanta.checked_add(quanta(value, fractional_bits)?)?;
        }
        if total_quanta >= EXACT_QUANTA {
            return None;
        }
        let mut running = Vec::with_capacity(per_step.len() + 1);
        let mut sum = 0.0;
        running.push(sum);
        for &value in per_step {
            sum += value;
            running.push(sum);
        }
        let block_extremes = per_step
            .chunks(BLOCK_STEPS)
            .map(|block| {
                block
                    .iter()
                    .fold((f64::INFINITY, 0.0_f64), |(least, most), &value| {
                        (least.min(value), most.max(value))
                    })
            })
            .collect();
        Some(Self {
            fractional_bits,
            total_quanta,
            running,
            block_extremes,
        })
    }
}

impl Demand {
    /// Demand given directly per step of `step_s` seconds.
    pub fn per_step(step_s: u64, per_step: Vec<f64>) -> Result<Self, BuildError> {
        if step_s == 0 {
            return Err(BuildError::ZeroStep);
        }
        check_step_s(step_s)?;
        if per_step.is_empty() {
            return Err(BuildError::EmptyDemand);
        }
        if per_step.len() as u64 > MAX_STEPS {
            return Err(BuildError::TooManySteps {
                steps: per_step.len() as u64,
                step_s,
                max: MAX_STEPS,
            });
        }
        for (entry, &value) in per_step.iter().enumerate() {
            check_count(entry, entry as u64, value)?;
        }
        Ok(Self::new(step_s, per_step))
    }

    /// Demand from a trace's buckets of `bucket_s` seconds, cut to `window` and re-bucketed into
    /// steps of `step_s` seconds.
    pub fn from_buckets(
        buckets: &[Bucket],
        bucket_s: u64,
        window: BucketWindow,
        step_s: u64,
    ) -> Result<Self, BuildError> {
        if step_s == 0 || bucket_s == 0 {
            return Err(BuildError::ZeroStep);
        }
        check_step_s(step_s)?;
        check_buckets(buckets)?;
        let last_bucket = buckets.last().ok_or(BuildError::EmptyDemand)?.index;
        // In u128: the end of a window that reaches u64's last index is one past it.
        let from = u128::from(window.from_bucket);
        let window_end = match window.buckets {
            Some(0) => return Err(BuildError::EmptyWindow),
            Some(count) => {
                let end = from + u128::from(count);
                if end - 1 > u128::from(last_bucket) {
                    return Err(BuildError::WindowPastTrace {
                        from_bucket: window.from_bucket,
                        buckets: count,
                        last_bucket,
                    });
                }
                end
            }
            None if window.from_bucket > last_bucket => {
                return Err(BuildError::WindowPastTrace {
                    from_bucket: window.from_bucket,
                    buckets: 1,
                    last_bucket,
                });
            }
            None => u128::from(last_bucket) + 1,
        };
        let span_buckets = u64::try_from(window_end - from).unwrap_or(u64::MAX);
        let span_s = span_buckets.saturating_mul(bucket_s);
        let mut per_step = vec![0.0; steps_covering(span_s, step_s)?];
        for bucket in buckets
            .iter()
            .filter(|b| b.index >= window.from_bucket && u128::from(b.index) < window_end)
        {
            let start_s = (bucket.index - window.from_bucket) * bucket_s;
            spread(&mut per_step, bucket.count, start_s, bucket_s, step_s);
        }
        Ok(Self::new(step_s, per_step))
    }

    fn new(step_s: u64, per_step: Vec<f64>) -> Self {
        let total = per_step.iter().fold(0.0, |total, &d| total + d);
        Self {
            step_s,
            exact: ExactSums::of(&per_step),
            per_step,
            total,
        }
    }

    /// The arrivals of all steps, summed from the first step on as a run's summary sums them
    /// (so that a sweep kernel need not sum them again for every group of runs).
    pub fn total(&self) -> f64 {
        self.total
    }

    /// Length of one step, in seconds.
    pub fn step_s(&self) -> u64 {
        self.step_s
    }

    /// Arrivals in each step.
    pub fn as_slice(&self) -> &[f64] {
        &self.per_step
    }

    /// Number of steps.
    pub fn steps(&self) -> usize {
        self.per_step.len()
    }

    /// The running sums, when every sum of the arrivals is exact.
    pub(crate) fn exact_sums(&self) -> Option<&ExactSums> {
        self.exact.as_ref()
    }
}

fn is_valid_count(count: f64) -> bool {
    count.is_finite() && count >= 0.0
}

fn check_count(entry: usize, bucket: u64, value: f64) -> Result<(), BuildError> {
    if !is_valid_count(value) {
        return Err(BuildError::InvalidCount {
            entry,
            bucket,
            value,
        });
    }
    if value > MAX_COUNT {
        return Err(BuildError::CountTooLarge {
            entry,
            bucket,
            value,
            max: MAX_COUNT,
        });
    }
    Ok(())
}

fn check_buckets(buckets: &[Bucket]) -> Result<(), BuildError> {
    let mut previous: Option<u64> = None;
    for (entry, bucket) in buckets.iter().enumerate() {
        check_count(entry, bucket.index, bucket.count)?;
        if let Some(previous) = previous.filter(|&previous| bucket.index <= previous) {
            return Err(BuildError::BucketOrder {
                entry,
                bucket: bucket.index,
                previous,
            });
        }
        previous = Some(bucket.index);
    }
    Ok(())
}

/// Adds `count`, which arrived evenly over `[start_s, start_s + bucket_s)`, to the steps that
/// interval overlaps, each in proportion to its overlap.
///
/// The last step takes what the earlier ones left, `count − Σ earlier shares`, so that adding
/// the shares back up in step order gives `count` exactly (the subtraction is exact by Sterbenz's
/// lemma once the earlier shares hold half the count or more). Per-minute policies that sum
/// sub-minute steps then see the trace's own minute counts, without rounding noise at a
/// threshold.
fn spread(per_step: &mut [f64], count: f64, start_s: u64, bucket_s: u64, step_s: u64) {
    let end_s = start_s + bucket_s;
    let mut step_idx = start_s / step_s;
    let mut spread_so_far = 0.0;
    while let Some(slot) = per_step.get_mut(step_idx as usize) {
        let step_start_s = step_idx * step_s;
        let step_end_s = step_start_s + step_s;
        let share = if step_end_s >= end_s {
            count - spread_so_far
        } else {
            let overlap_s = step_end_s - start_s.max(step_start_s);
            count * overlap_s as f64 / bucket_s as f64
        };
        *slot += share;
        spread_so_far += share;
        if step_end_s >= end_s {
            break;
        }
        step_idx += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fractional_bits_are_those_of_the_lowest_set_bit() {
        assert_eq!(fractional_bits(0.0), Some(0));
        assert_eq!(fractional_bits(3.0), Some(0));
        assert_eq!(fractional_bits(1e12), Some(0));
        assert_eq!(fractional_bits(2.5), Some(1));
        assert_eq!(fractional_bits(0.75), Some(2));
        assert_eq!(fractional_bits(2f64.powi(-60)), Some(60));
        // The float nearest a tenth is 3602879701896397 × 2⁻⁵⁵.
        assert_eq!(fractional_bits(0.1), Some(55));
        // Beyond 60 bits.
        assert_eq!(fractional_bits(2f64.powi(-61)), None);
        assert_eq!(fractional_bits(f64::MIN_POSITIVE / 2.0), None);
    }

    #[test]
    fn running_sums_are_kept_only_when_every_sum_is_exact() {
        // Quarters: k = 2, and 1 + 2.5 + 0.25 = 3.75 is 15 quarters.
        let demand = Demand::per_step(60, vec![1.0, 2.5, 0.25]).unwrap();
        let sums = demand.exact_sums().unwrap();
        assert_eq!(sums.fractional_bits, 2);
        assert_eq!(sums.total_quanta, 15);
        assert_eq!(sums.running, [0.0, 1.0, 3.5, 3.75]);
        assert_eq!(sums.block_extremes, [(0.25, 2.5)]);
        // 65 steps make two blocks, the second of one step.
        let demand = Demand::per_step(60, (0..65).map(f64::from).collect()).unwrap();
        assert_eq!(
            demand.exact_sums().unwrap().block_extremes,
            [(0.0, 63.0), (64.0, 64.0)]
        );
        // A tenth needs quanta of 2⁻⁵⁵, of which 1 + 0.1 holds more than 2⁵³.
        assert!(
            Demand::per_step(60, vec![1.0, 0.1])
                .unwrap()
                .exact_sums()
                .is_none()
        );
        // 9,000 × 10¹² = 9 × 10¹⁵ is under 2⁵³ ≈ 9.007 × 10¹⁵; 10,000 × 10¹² is not.
        assert!(
            Demand::per_step(60, vec![1e12; 9_000])
                .unwrap()
                .exact_sums()
                .is_some()
        );
        assert!(
            Demand::per_step(60, vec![1e12; 10_000])
                .unwrap()
                .exact_sums()
                .is_none()
        );
    }

    fn buckets(counts: &[(u64, f64)]) -> Vec<Bucket> {
        counts
            .iter()
            .map(|&(index, count)| Bucket { index, count })
            .collect()
    }

    fn check(trace: &[(u64, f64)], bucket_s: u64, window: BucketWindow, step_s: u64, want: &[f64]) {
        let demand = Demand::from_buckets(&buckets(trace), bucket_s, window, step_s).unwrap();
        assert_eq!(demand.as_slice(), want);
    }

    #[test]
    fn seconds_are_summed_into_minutes_and_a_partial_last_step_is_kept() {
        // 61 one-second buckets: 60 in minute 0, the 61st alone in minute 1.
        let trace: Vec<(u64, f64)> = (0..61).map(|s| (s, 1.0)).collect();
        check(&trace, 1, BucketWindow::ALL, 60, &[60.0, 1.0]);
    }

    #[test]
    fn minutes_are_spread_evenly_over_quarter_minute_steps() {
        check(&[(0, 100.0)], 60, BucketWindow::ALL, 15, &[25.0; 4]);
    }

    #[test]
    fn a_coarse_bucket_overlapping_two_steps_is_shared_by_overlap() {
        // Buckets of 60 s, steps of 45 s: step 1 = [45, 90) takes 15 s of bucket 0 and
        // 30 s of bucket 1; step 2 = [90, 120) takes the last 30 s of bucket 1.
        check(
            &[(0, 60.0), (1, 120.0)],
            60,
            BucketWindow::ALL,
            45,
            &[45.0, 15.0 + 60.0, 60.0],
        );
    }

    #[test]
    fn shares_of_a_minute_add_back_up_to_its_count_exactly() {
        // 50/6 is not a binary fraction: six shares of 10 s summed in order are 50 exactly.
        for count in [50.0, 7.0, 1.0, 409.0, 0.3] {
            let demand =
                Demand::from_buckets(&buckets(&[(0, count)]), 60, BucketWindow::ALL, 10).unwrap();
            let total = demand.as_slice().iter().fold(0.0, |sum, share| sum + share);
            assert_eq!(total, count);
        }
    }

    #[test]
    fn gaps_count_as_zero_and_the_run_starts_at_bucket_zero() {
        check(
            &[(2, 5.0), (4, 7.0)],
            60,
            BucketWindow::ALL,
            60,
            &[0.0, 0.0, 5.0, 0.0, 7.0],
        );
    }

    #[test]
    fn a_window_keeps_its_buckets_and_moves_t_zero_to_its_first() {
        let window = BucketWindow {
            from_bucket: 1,
            buckets: Some(2),
        };
        check(
            &[(0, 1.0), (1, 2.0), (2, 3.0), (3, 4.0)],
            60,
            window,
            60,
            &[2.0, 3.0],
        );
    }

    #[test]
    fn a_window_past_the_trace_is_rejected() {
        let window = BucketWindow {
            from_bucket: 3,
            buckets: Some(2),
        };
        let err = Demand::from_buckets(&buckets(&[(0, 1.0), (3, 1.0)]), 60, window, 60);
        assert!(matches!(
            err,
            Err(BuildError::WindowPastTrace { last_bucket: 3, .. })
        ));
    }

    #[test]
    fn windows_at_the_end_of_u64_neither_wrap_nor_saturate() {
        let trace = buckets(&[(0, 1.0), (u64::MAX, 7.0)]);
        // The last two indices, one second each, fit one minute: the gap is zero, then 7.
        let last_two = BucketWindow {
            from_bucket: u64::MAX - 1,
            buckets: Some(2),
        };
        let demand = Demand::from_buckets(&trace, 1, last_two, 60);
        assert_eq!(demand.map(|d| d.as_slice().to_vec()), Ok(vec![7.0]));
        // Asking for 2^64 − 1 buckets from there once read as the two that fit.
        let too_many = BucketWindow {
            from_bucket: u64::MAX - 1,
            buckets: Some(u64::MAX),
        };
        assert!(matches!(
            Demand::from_buckets(&trace, 1, too_many, 60),
            Err(BuildError::WindowPastTrace { .. })
        ));
        // The whole trace spans 2^64 seconds: refused by the step limit, not wrapped to 0.
        assert!(matches!(
            Demand::from_buckets(&trace, 1, BucketWindow::ALL, 60),
            Err(BuildError::TooManySteps { .. })
        ));
    }

    #[test]
    fn repeated_or_backward_buckets_and_bad_counts_name_their_entry() {
        let err = Demand::from_buckets(&buckets(&[(0, 1.0), (0, 1.0)]), 60, BucketWindow::ALL, 60);
        assert!(matches!(err, Err(BuildError::BucketOrder { entry: 1, .. })));
        let err = Demand::from_buckets(&buckets(&[(0, f64::NAN)]), 60, BucketWindow::ALL, 60);
        assert!(matches!(
            err,
            Err(BuildError::InvalidCount { entry: 0, .. })
        ));
        let err = Demand::from_buckets(&[], 60, BucketWindow::ALL, 60);
        assert_eq!(err, Err(BuildError::EmptyDemand));
    }
}
