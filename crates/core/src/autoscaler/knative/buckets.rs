//! The KPA's metric buckets: 1 s buckets over a window, averaged linearly or with exponential
//! weights (semantics rules 9-11; knative/serving `pkg/autoscaler/aggregation/bucketing.go`,
//! `TimedFloat64Buckets`, `WeightedFloat64Buckets`).

/// A ring of one bucket a second over a window, sized once: a record adds to its second's
/// bucket, and the window's average reads the seconds written.
#[derive(Debug, Clone)]
pub struct Buckets {
    values: Vec<f64>,
    total: f64,
    first_write: i64,
    /// `None` until the first record: upstream's zero time, before every bucket.
    last_write: Option<i64>,
    /// The exponential weights' smoothing coefficient, if the average is weighted.
    alpha: Option<f64>,
}

impl Buckets {
    /// A window of `window_s` seconds (at least 1), weighted when `weighted`.
    pub fn new(window_s: u64, weighted: bool) -> Self {
        let len = window_s.max(1);
        Self {
            values: vec![0.0; len as usize],
            total: 0.0,
            first_write: 0,
            last_write: None,
            alpha: weighted.then(|| smoothing_coefficient(len)),
        }
    }

    fn len(&self) -> i64 {
        self.values.len() as i64
    }

    fn slot(&self, second: i64) -> usize {
        second.rem_euclid(self.len()) as usize
    }

    /// Adds `value` to the bucket of second floor(`t_s`) (rule 9).
    pub fn record(&mut self, t_s: f64, value: f64) {
        let bucket = t_s.floor() as i64;
        let len = self.len();
        match self.last_write {
            Some(last) if bucket == last => {}
            Some(last) if bucket + len <= last => return,
            Some(last) if bucket < last => self.first_write = self.first_write.min(bucket),
            Some(last) if bucket - last < len => {
                for second in last + 1..=bucket {
                    let slot = self.slot(second);
                    self.total -= self.values[slot];
                    self.values[slot] = 0.0;
                }
                self.last_write = Some(bucket);
            }
            _ => {
                self.values.fill(0.0);
                self.total = 0.0;
                self.first_write = bucket;
                self.last_write = Some(bucket);
            }
        }
        let slot = self.slot(bucket);
        self.values[slot] += value;
        self.total += value;
    }

    /// Whether nothing was written within the window ending at `t_s`: the metric has no data.
    pub fn is_empty(&self, t_s: f64) -> bool {
        let bucket = t_s.floor() as i64;
        self.last_write
            .is_none_or(|last| bucket - last > self.len())
    }

    /// The window's average at `t_s` (rules 10 and 11).
    pub fn window_average(&self, t_s: f64) -> f64 {
        let Some(last) = self.last_write else {
            return 0.0;
        };
        let bucket = t_s.floor() as i64;
        let len = self.len();
        let since = bucket - last;
        if let Some(alpha) = self.alpha {
            // Not rounded, and not divided by the weights' sum, as upstream.
            if since > len {
                return 0.0;
            }
            let skipped = since.max(0);
            let mut weight = alpha * (1.0 - alpha).powi(skipped as i32);
            let mut sum = 0.0;
            for i in 0..(len - skipped).max(0) {
                sum += self.values[self.slot(last - i)] * weight;
                weight *= 1.0 - alpha;
            }
            return sum;
        }
        if since >= len {
            return 0.0;
        }
        let written = last - self.first_write + 1;
        let average = if since <= 0 {
            self.total / written.min(len) as f64
        } else {
            let stale: f64 = (last + 1..=bucket)
                .map(|second| self.values[self.slot(second)])
                .sum();
            (self.total - stale) / written.min(len - since) as f64
        };
        // A total that cancels out to −0 reads 0.
        round_to_6_digits(average) + 0.0
    }
}

/// round(x × 10⁶) / 10⁶, halves away from zero (upstream's `roundToNDigits(6, x)`).
fn round_to_6_digits(value: f64) -> f64 {
    (value * 1e6).round() / 1e6
}

/// α = max(1 − (1 − 0.9999)^(1/n), 0.2): the weights of a window of n buckets sum to 99.99 %
/// (upstream's `computeSmoothingCoeff`).
pub fn smoothing_coefficient(buckets: u64) -> f64 {
    (1.0 - (1.0f64 - 0.9999).powf(1.0 / buckets as f64)).max(0.2)
}
