//! Where requests come from (docs/semantics/requests.md, section 2): a per-request trace, or
//! the counts of a bucket trace (or synthetic load) placed as a conditioned Poisson process.

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::Exp1;

use crate::demand::Bucket;
use crate::error::BuildError;
use crate::requests::service_time::seconds_to_ns;

/// Requests with their own arrival times and numeric columns, in arrival order; t = 0 is the
/// trace's start.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RequestTrace {
    columns: Vec<String>,
    arrival_ns: Vec<u64>,
    /// Row-major, `columns.len()` values per request.
    values: Vec<f64>,
}

impl RequestTrace {
    /// An empty trace whose requests carry `columns`.
    pub fn new(columns: Vec<String>) -> Self {
        Self {
            columns,
            arrival_ns: Vec::new(),
            values: Vec::new(),
        }
    }

    /// Appends a request arriving at `arrival_s` with one value per column.
    ///
    /// The time must be finite, at least 0, not before the previous request's, and at most
    /// [`MAX_ARRIVAL_S`]; `values` must have one entry per column.
    pub fn push(&mut self, arrival_s: f64, values: &[f64]) -> Result<(), BuildError> {
        if !(arrival_s.is_finite() && (0.0..=MAX_ARRIVAL_S).contains(&arrival_s)) {
            return Err(BuildError::Field {
                field: "arrival_s",
                expected: format!("a number of seconds from 0 to {MAX_ARRIVAL_S:e}"),
                got: arrival_s.to_string(),
            });
        }
        let arrival_ns = seconds_to_ns(arrival_s);
        if let Some(&previous_ns) = self.arrival_ns.last()
            && arrival_ns < previous_ns
        {
            return Err(BuildError::Field {
                field: "arrival_s",
                expected: format!(
                    "times that never decrease: at least {}, the previous request's",
                    previous_ns as f64 / 1e9
                ),
                got: arrival_s.to_string(),
            });
        }
        if values.len() != self.columns.len() {
            return Err(BuildError::Field {
                field: "columns",
                expected: format!("{} values", self.columns.len()),
                got: values.len().to_string(),
            });
        }
        self.arrival_ns.push(arrival_ns);
        self.values.extend_from_slice(values);
        Ok(())
    }

    /// Requests in the trace.
    pub fn len(&self) -> usize {
        self.arrival_ns.len()
    }

    /// Whether the trace holds no request.
    pub fn is_empty(&self) -> bool {
        self.arrival_ns.is_empty()
    }

    /// The names of the per-request columns.
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    pub(crate) fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|column| column == name)
    }

    /// The columns of request `index`.
    pub(crate) fn row(&self, index: usize) -> &[f64] {
        let width = self.columns.len();
        &self.values[index * width..(index + 1) * width]
    }

    pub(crate) fn arrival_ns(&self, index: usize) -> u64 {
        self.arrival_ns[index]
    }

    /// Arrivals per one-second bucket, for the fluid models and for the span of the run
    /// (a request at 59.5 s counts in bucket 59).
    pub fn per_second(&self) -> Vec<Bucket> {
        let mut buckets: Vec<Bucket> = Vec::new();
        for &arrival_ns in &self.arrival_ns {
            let index = arrival_ns / 1_000_000_000;
            match buckets.last_mut() {
                Some(last) if last.index == index => last.count += 1.0,
                _ => buckets.push(Bucket { index, count: 1.0 }),
            }
        }
        buckets
    }

    /// The requests with `from_s ≤ arrival < from_s + span_s`, their times shifted by
    /// `from_s`: a window of the trace as a run replays it.
    pub fn window(&self, from_s: u64, span_s: Option<u64>) -> Self {
        let from_ns = from_s.saturating_mul(1_000_000_000);
        let end_ns = span_s.map(|span| from_s.saturating_add(span).saturating_mul(1_000_000_000));
        let first = self.arrival_ns.partition_point(|&t| t < from_ns);
        let last = end_ns.map_or(self.len(), |end| {
            self.arrival_ns.partition_point(|&t| t < end)
        });
        let width = self.columns.len();
        Self {
            columns: self.columns.clone(),
            arrival_ns: self.arrival_ns[first..last.max(first)]
                .iter()
                .map(|t| t - from_ns)
                .collect(),
            values: self.values[first * width..last.max(first) * width].to_vec(),
        }
    }
}

/// Latest arrival a per-request trace may hold, seconds: about 584 years less a margin, so that
/// every time in nanoseconds fits a u64.
pub const MAX_ARRIVAL_S: f64 = 1.8e10;

/// The arrivals a request-level run replays.
#[derive(Debug, Clone, Copy)]
pub enum Arrivals<'a> {
    /// Requests with their own times and columns.
    Trace(&'a RequestTrace),
    /// Counts per bucket of `bucket_s` seconds from t = 0 (a bucket trace's window, or
    /// synthetic load's steps), placed inside each bucket as a conditioned Poisson process.
    Counts {
        /// Width of a bucket, seconds.
        bucket_s: u64,
        /// Arrivals per bucket; a fraction is rounded up or down at random, keeping the mean.
        counts: &'a [f64],
    },
}

impl<'a> Arrivals<'a> {
    /// Requests expected in all: the trace's, or the sum of the counts.
    pub(crate) fn expected_total(&self) -> f64 {
        match self {
            Arrivals::Trace(trace) => trace.len() as f64,
            Arrivals::Counts { counts, .. } => counts.iter().sum(),
        }
    }

    /// Whether `other` is the very same arrivals (the same trace or counts in memory), so that
    /// runs over both draw the same requests.
    pub(crate) fn same_as(&self, other: &Self) -> bool {
        match (self, other) {
            (Arrivals::Trace(a), Arrivals::Trace(b)) => std::ptr::eq(*a, *b),
            (
                Arrivals::Counts { bucket_s, counts },
                Arrivals::Counts {
                    bucket_s: other_bucket_s,
                    counts: other_counts,
                },
            ) => bucket_s == other_bucket_s && std::ptr::eq(*counts, *other_counts),
            _ => false,
        }
    }

    /// The per-request trace, if the arrivals are one.
    pub(crate) fn trace(self) -> Option<&'a RequestTrace> {
        match self {
            Arrivals::Trace(trace) => Some(trace),
            Arrivals::Counts { .. } => None,
        }
    }
}

/// The next arrival: its time and the row of its columns in the trace, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Arrival {
    pub(crate) t_ns: u64,
    pub(crate) row: Option<usize>,
}

/// Walks the arrivals in time order, placing counted ones as it goes: O(1) memory.
#[derive(Debug, Clone)]
pub(crate) enum ArrivalCursor<'a> {
    Trace {
        trace: &'a RequestTrace,
        next: usize,
    },
    Counts(Box<Placement<'a>>),
}

/// The requests of counted buckets, in ascending order, as the order statistics of n uniform
/// times in the bucket. Up to [`SORTED_BUCKET`] requests: n uniform nanosecond offsets drawn
/// from the arrival stream and sorted, in a buffer reserved once. Beyond: exponential spacings
/// in O(1) memory (Devroye, "Non-Uniform Random Variate Generation", 1986, V.2.2): with
/// E₁ … Eₙ₊₁ drawn from Exp(1) and Sₖ = E₁ + … + Eₖ, the times Sₖ / Sₙ₊₁ are distributed as
/// the same order statistics; Sₙ₊₁ is drawn first, and `replay`, a copy of the stream from
/// before those draws, gives E₁ … Eₙ again one by one.
#[derive(Debug, Clone)]
pub(crate) struct Placement<'a> {
    counts: &'a [f64],
    bucket_ns: u64,
    /// The bucket being placed; `usize::MAX` before the first.
    bucket: usize,
    /// Requests of it still to place.
    left: u64,
    /// A small bucket's offsets, sorted; the next to place is at `sorted_next`.
    sorted: Vec<u64>,
    sorted_next: usize,
    /// A large bucket's Sₖ so far, and Sₙ₊₁.
    partial_sum: f64,
    total: f64,
    rng: ChaCha8Rng,
    replay: ChaCha8Rng,
}

/// Most requests of a bucket placed by sorting (8 KiB); larger buckets use spacings.
pub(crate) const SORTED_BUCKET: u64 = 1024;

impl Placement<'_> {
    /// Opens the next bucket holding a request; false once none is left.
    fn open_next_bucket(&mut self) -> bool {
        while self.left == 0 {
            self.bucket = self.bucket.wrapping_add(1);
            let Some(&count) = self.counts.get(self.bucket) else {
                return false;
            };
            let whole = count.floor();
            let fraction = count - whole;
            // Whole counts draw nothing for this: a real trace's buckets draw only times.
            let extra = fraction > 0.0 && self.rng.random::<f64>() < fraction;
            self.left = whole as u64 + u64::from(extra);
            if self.left == 0 {
                continue;
            }
            if self.left <= SORTED_BUCKET {
                self.sorted.clear();
                for _ in 0..self.left {
                    self.sorted.push(self.rng.random_range(0..self.bucket_ns));
                }
                self.sorted.sort_unstable();
                self.sorted_next = 0;
            } else {
                self.replay.clone_from(&self.rng);
                self.total = (0..=self.left)
                    .map(|_| self.rng.sample::<f64, _>(Exp1))
                    .sum();
                self.partial_sum = 0.0;
            }
        }
        true
    }

    fn next_arrival(&mut self) -> Option<Arrival> {
        if !self.open_next_bucket() {
            return None;
        }
        let start_ns = self.bucket as u64 * self.bucket_ns;
        let offset_ns = if self.sorted_next < self.sorted.len() {
            self.sorted_next += 1;
            self.sorted[self.sorted_next - 1]
        } else {
            self.partial_sum += self.replay.sample::<f64, _>(Exp1);
            // Sₖ / Sₙ₊₁ < 1 but for rounding; the cut keeps every request inside its bucket.
            ((self.partial_sum / self.total * self.bucket_ns as f64) as u64).min(self.bucket_ns - 1)
        };
        self.left -= 1;
        Some(Arrival {
            t_ns: start_ns + offset_ns,
            row: None,
        })
    }
}

impl<'a> ArrivalCursor<'a> {
    pub(crate) fn new(arrivals: Arrivals<'a>, rng: ChaCha8Rng) -> Self {
        match arrivals {
            Arrivals::Trace(trace) => Self::Trace { trace, next: 0 },
            Arrivals::Counts { bucket_s, counts } => Self::Counts(Box::new(Placement {
                counts,
                bucket_ns: bucket_s * 1_000_000_000,
                bucket: usize::MAX,
                left: 0,
                sorted: Vec::with_capacity(SORTED_BUCKET as usize),
                sorted_next: 0,
                partial_sum: 0.0,
                total: 0.0,
                replay: rng.clone(),
                rng,
            })),
        }
    }

    pub(crate) fn next_arrival(&mut self) -> Option<Arrival> {
        match self {
            Self::Trace { trace, next } => {
                let index = *next;
                (index < trace.len()).then(|| {
                    *next += 1;
                    Arrival {
                        t_ns: trace.arrival_ns(index),
                        row: Some(index),
                    }
                })
            }
            Self::Counts(placement) => placement.next_arrival(),
        }
    }
}
