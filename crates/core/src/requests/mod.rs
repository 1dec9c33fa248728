//! The request-level service model: every request arrives at its own instant, waits in a FIFO
//! queue, holds a slot of one instance for its own service time, and completes or fails.
//!
//! The semantics, with the reason for each choice, are in `docs/semantics/requests.md`; the
//! section numbers below refer to it. Time is whole nanoseconds. The engine is driven step by
//! step by [`crate::Simulation`]: at the start of a step it takes the fleet's in-service count,
//! then handles the step's events in order of (time, completions before arrivals, request
//! number). Memory is O(requests in flight + instances): arrivals are generated or read as they
//! come, latencies go into fixed-size HDR histograms.

mod arrivals;
mod instances;
mod service_time;

use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, VecDeque};

use hdrhistogram::Histogram;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

pub use self::arrivals::{Arrivals, MAX_ARRIVAL_S, RequestTrace};
pub use self::instances::Routing;
pub use self::service_time::{MAX_SERVICE_S, MIN_MEAN_SERVICE_S, ServiceTime};

use self::arrivals::ArrivalCursor;
use self::instances::Instances;
use self::service_time::{BoundServiceTime, seconds_to_ns};
use crate::error::BuildError;
use crate::sim::Sink;

const NS_PER_S: u64 = 1_000_000_000;

/// Most slots of an instance: 1,000, Knative's bound on `containerConcurrency`
/// (knative/serving `pkg/apis/serving/k8s_validation.go`).
pub const MAX_CONCURRENCY: u32 = 1000;

/// Most slots over all instances a run may have (maximum capacity × concurrency): ten million.
pub const MAX_SLOTS: u64 = 10_000_000;

/// Most requests waiting at once, whatever `max_queue` says: ten million (a queue that long
/// waits hours). A request finding it full is rejected and counted, as with `max_queue`.
pub const MAX_QUEUE: u64 = 10_000_000;

/// Most requests one run may replay: a billion, a few minutes of simulation; longer traces
/// are the fluid models' to sweep.
pub const MAX_REQUESTS: f64 = 1e9;

/// Longest queue timeout: a day.
pub const MAX_QUEUE_TIMEOUT_S: f64 = 86_400.0;

/// The settings of `[service] model = "requests"`.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestConfig {
    /// Slots per instance: requests one instance serves at once.
    pub concurrency_per_instance: u32,
    /// Which instance with a free slot takes a request.
    pub routing: Routing,
    /// Seconds a request may wait in the queue; it fails after. `None`: no limit.
    pub queue_timeout_s: Option<f64>,
    /// Most requests waiting; one arriving to a full queue fails. `None`: [`MAX_QUEUE`].
    pub max_queue: Option<u64>,
    /// How long each request holds its slot.
    pub service_time: ServiceTime,
    /// The scenario's seed: arrivals, service times and routing draw from their own streams of it.
    pub seed: u64,
    /// The replica: the stream number within each of those.
    pub replica: u64,
}

impl RequestConfig {
    /// The service-time model bound to `arrivals`' columns, and its mean, checked.
    fn bound_service_time(
        &self,
        arrivals: Arrivals<'_>,
    ) -> Result<(BoundServiceTime, f64), BuildError> {
        let trace = arrivals.trace();
        let service = self.service_time.bind(trace)?;
        let mean_service_s = self.service_time.mean_s(&service, trace);
        if !mean_service_s.is_finite() || mean_service_s < MIN_MEAN_SERVICE_S {
            return Err(BuildError::Field {
                field: "service.time",
                expected: format!(
                    "a mean service time of at least {MIN_MEAN_SERVICE_S:e} s over the trace's \
                     requests"
                ),
                got: format!("{mean_service_s} s"),
            });
        }
        Ok((service, mean_service_s))
    }

    /// Requests one instance serves a minute, nominally: concurrency × 60 / the mean service
    /// time over `arrivals`. What the fluid models' `capacity_per_instance` would be for the same
    /// instances, and what the `capacity` column shows.
    pub fn nominal_capacity_per_min(&self, arrivals: Arrivals<'_>) -> Result<f64, BuildError> {
        let (_, mean_service_s) = self.bound_service_time(arrivals)?;
        Ok(f64::from(self.concurrency_per_instance) * 60.0 / mean_service_s)
    }
}

/// Salts of the three random streams (section 8), so no two share draws.
const ARRIVAL_SALT: u64 = 0xA881_7A15_0000_0001;
const SERVICE_SALT: u64 = 0x5E41_1CE0_0000_0002;
const ROUTING_SALT: u64 = 0x4007_1260_0000_0003;

fn stream(seed: u64, salt: u64, replica: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ salt);
    rng.set_stream(replica);
    rng
}

/// How a request ended, or that it had not when the run did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Served to the end.
    Completed,
    /// Waited longer than `queue_timeout_s`.
    TimedOut,
    /// Found the queue full.
    Rejected,
    /// Found no instance in service (or was waiting when the last one left).
    NoInstance,
    /// Still waiting or in service when the run ended.
    InFlight,
}

impl Outcome {
    /// The word `requests.csv` writes.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Completed => "completed",
            Outcome::TimedOut => "timed_out",
            Outcome::Rejected => "rejected",
            Outcome::NoInstance => "no_instance",
            Outcome::InFlight => "in_flight",
        }
    }
}

/// One request, once its fate is known (or at the end of the run).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestRecord {
    /// Its number, in arrival order from 0.
    pub index: u64,
    /// When it arrived, ns.
    pub arrival_ns: u64,
    /// When it started service, ns; `None` if it never did.
    pub start_ns: Option<u64>,
    /// When it completed or failed, ns; `None` if in flight at the end.
    pub end_ns: Option<u64>,
    /// The instance that served it.
    pub instance: Option<u32>,
    /// How it ended.
    pub outcome: Outcome,
}

/// Time averages of the requests in flight, queued ones included (section 7).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct InFlight {
    /// Over the step.
    pub step: f64,
    /// Over the 10 s ending at the step's end (since t = 0 while the run is shorter).
    pub last_10s: f64,
    /// Over the 60 s ending at the step's end (since t = 0 while the run is shorter).
    pub last_60s: f64,
}

/// What the requests did in one step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RequestStep {
    /// Requests that arrived.
    pub arrivals: u64,
    /// Requests that completed.
    pub completed: u64,
    /// Requests that failed, whatever the cause.
    pub failed: u64,
    /// Of those, the ones that waited past the timeout.
    pub timed_out: u64,
    /// Nearest-rank percentiles of the latency of the requests completed, seconds; `None`
    /// without completions.
    pub latency_p50_s: Option<f64>,
    /// 95th percentile.
    pub latency_p95_s: Option<f64>,
    /// 99th percentile.
    pub latency_p99_s: Option<f64>,
    /// Mean latency of the requests completed, seconds.
    pub latency_mean_s: Option<f64>,
    /// Requests in flight, time-averaged.
    pub in_flight: InFlight,
    /// Requests waiting at the step's end.
    pub queued: u64,
    /// Instances draining at the step's end.
    pub draining: u32,
    /// ∫ requests on in-service instances' slots dt, slot-seconds.
    pub busy_slot_s: f64,
    /// In-service instances × concurrency × step length, slot-seconds.
    pub slot_s: f64,
}

/// Points of the latency CDF a run reports: the quantiles 0, 0.025, …, 0.975 (40 points), then
/// 0.98, 0.99, 0.995, 0.999, 0.9995, 0.9999 and 1 (the maximum).
pub const LATENCY_CDF_QUANTILES: [f64; 47] = {
    let mut quantiles = [0.0; 47];
    let mut i = 0;
    while i < 40 {
        quantiles[i] = i as f64 * 0.025;
        i += 1;
    }
    let tail = [0.98, 0.99, 0.995, 0.999, 0.9995, 0.9999, 1.0];
    let mut j = 0;
    while j < tail.len() {
        quantiles[40 + j] = tail[j];
        j += 1;
    }
    quantiles
};

/// The request figures of a whole run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RequestSummary {
    /// Requests that arrived.
    pub arrivals: u64,
    /// Requests served to the end.
    pub completed: u64,
    /// Requests that failed: timed out, rejected or without an instance.
    pub failed: u64,
    /// Failed by waiting past the timeout.
    pub timed_out: u64,
    /// Failed by finding the queue full.
    pub rejected: u64,
    /// Failed by finding no instance in service.
    pub no_instance: u64,
    /// Still waiting or in service at the end.
    pub in_flight_end: u64,
    /// Latency percentiles over the completed requests, seconds (`None` without any).
    pub latency_p50_s: Option<f64>,
    /// 90th percentile.
    pub latency_p90_s: Option<f64>,
    /// 99th percentile.
    pub latency_p99_s: Option<f64>,
    /// 99.9th percentile.
    pub latency_p999_s: Option<f64>,
    /// The longest latency, exact.
    pub latency_max_s: Option<f64>,
    /// Mean latency, exact.
    pub latency_mean_s: Option<f64>,
    /// Mean wait in the queue of the completed requests, exact.
    pub wait_mean_s: Option<f64>,
    /// The latency at each of [`LATENCY_CDF_QUANTILES`], seconds (all 0 without completions).
    pub latency_cdf_s: [f64; LATENCY_CDF_QUANTILES.len()],
}

/// A server group's view of the instances (Huawei Workspace on the request-level model): a
/// request is a session, a slot its place on a server; the base servers are the instances in
/// service at t = 0.
impl crate::autoscaler::ServerView for RequestEngine<'_> {
    fn slots_per_server(&self) -> u32 {
        self.concurrency
    }

    fn active_sessions(&self) -> u32 {
        u32::try_from(self.instances.busy_in_service()).unwrap_or(u32::MAX)
    }

    fn scaled_out_in_service(&self) -> u32 {
        self.instances.in_service_from(self.base_instances)
    }

    fn releasable(&self, t_s: u64, min_idle_s: u64) -> u32 {
        match t_s.checked_sub(min_idle_s) {
            Some(idle_by_s) => self
                .instances
                .idle_count(self.base_instances, idle_by_s.saturating_mul(NS_PER_S)),
            None => 0,
        }
    }
}

/// A request in the queue.
#[derive(Debug, Clone, Copy)]
struct Waiting {
    index: u64,
    arrival_ns: u64,
    service_ns: u64,
}

/// A request on a slot, ordered by when it completes, then by its number.
#[derive(Debug, Clone, Copy)]
struct Running {
    end_ns: u64,
    arrival_ns: u64,
    start_ns: u64,
    /// A run has at most [`MAX_REQUESTS`] (10⁹) requests: their numbers fit 32 bits, which
    /// keeps a heap entry at 32 bytes.
    index: u32,
    instance: u32,
}

impl PartialEq for Running {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Running {}

impl PartialOrd for Running {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Running {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.end_ns, self.index).cmp(&(other.end_ns, other.index))
    }
}

/// Most latencies of one step kept for exact percentiles (8 MiB); a busier step's percentiles
/// come from a histogram of 2 significant digits.
const EXACT_STEP_LATENCIES: usize = 1 << 20;

/// Latencies are recorded in nanoseconds from 1 µs up to ~31 years; values outside saturate.
const LATENCY_LOW_NS: u64 = 1_000;
const LATENCY_HIGH_NS: u64 = 1_000_000_000_000_000_000;

fn latency_histogram<T: hdrhistogram::Counter>(sigfig: u8) -> Result<Histogram<T>, BuildError> {
    Histogram::new_with_bounds(LATENCY_LOW_NS, LATENCY_HIGH_NS, sigfig).map_err(|err| {
        BuildError::Field {
            field: "service",
            expected: "a latency histogram".into(),
            got: err.to_string(),
        }
    })
}

/// Counts of one step, reset at its start.
#[derive(Debug, Clone, Copy, Default)]
struct StepCounts {
    arrivals: u64,
    completed: u64,
    failed: u64,
    timed_out: u64,
    latency_sum_ns: u128,
    latency_max_ns: u64,
    busy_area: u128,
}

/// Counts of the run.
#[derive(Debug, Clone, Copy, Default)]
struct RunCounts {
    arrivals: u64,
    completed: u64,
    timed_out: u64,
    rejected: u64,
    no_instance: u64,
    latency_sum_ns: u128,
    latency_max_ns: u64,
    wait_sum_ns: u128,
}

/// One request as the random streams make it: when it arrives and how long it holds its slot.
/// Neither depends on the policy (section 8: arrivals and service times have streams of their
/// own, drawn in request order), which is what lets runs share them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Drawn {
    t_ns: u64,
    service_ns: u64,
}

/// Most requests a shared batch holds (1 MiB), unless more arrive at its last instant.
pub const SHARED_BATCH: usize = 1 << 16;

/// The requests of a run in arrival order, each with its service time, drawn as they are
/// needed: one run's own, or the draws a group of runs shares ([`Draws::next_batch`]).
#[derive(Debug)]
pub(crate) struct Draws<'d> {
    cursor: ArrivalCursor<'d>,
    trace: Option<&'d RequestTrace>,
    service: BoundServiceTime,
    service_rng: ChaCha8Rng,
    next: Option<Drawn>,
    /// What the draws are made of, to tell whether two runs' draws are the same.
    origin: DrawOrigin<'d>,
}

/// What fixes a run's draws: the arrivals, the service-time model, the seed and the replica.
#[derive(Debug, Clone)]
struct DrawOrigin<'d> {
    arrivals: Arrivals<'d>,
    service_time: ServiceTime,
    seed: u64,
    replica: u64,
}

impl DrawOrigin<'_> {
    fn same_as(&self, other: &Self) -> bool {
        self.arrivals.same_as(&other.arrivals)
            && self.service_time == other.service_time
            && self.seed == other.seed
            && self.replica == other.replica
    }
}

impl<'d> Draws<'d> {
    fn new(config: &RequestConfig, arrivals: Arrivals<'d>, service: BoundServiceTime) -> Self {
        let mut draws = Self {
            cursor: ArrivalCursor::new(arrivals, stream(config.seed, ARRIVAL_SALT, config.replica)),
            trace: arrivals.trace(),
            service,
            service_rng: stream(config.seed, SERVICE_SALT, config.replica),
            next: None,
            origin: DrawOrigin {
                arrivals,
                service_time: config.service_time.clone(),
                seed: config.seed,
                replica: config.replica,
            },
        };
        draws.next = draws.draw();
        draws
    }

    fn draw(&mut self) -> Option<Drawn> {
        let arrival = self.cursor.next_arrival()?;
        let row = match (self.trace, arrival.row) {
            (Some(trace), Some(row)) => trace.row(row),
            _ => &[],
        };
        Some(Drawn {
            t_ns: arrival.t_ns,
            service_ns: self.service.sample_ns(&mut self.service_rng, row),
        })
    }

    /// Whether `other` draws the very same requests.
    pub(crate) fn same_as(&self, other: &Self) -> bool {
        self.origin.same_as(&other.origin)
    }

    /// Fills `batch` with the next requests arriving before `end_ns`, at most [`SHARED_BATCH`]
    /// but for the ones that arrive at the same instant as the last (a batch never splits an
    /// instant), and returns the time up to which it holds every arrival: the next request's,
    /// or `end_ns` once none arrives before it.
    pub(crate) fn next_batch(&mut self, batch: &mut Vec<Drawn>, end_ns: u64) -> u64 {
        batch.clear();
        while let Some(next) = self.next.filter(|next| next.t_ns < end_ns) {
            if batch.len() >= SHARED_BATCH && batch.last().is_some_and(|l| l.t_ns < next.t_ns) {
                return next.t_ns;
            }
            batch.push(next);
            self.next = self.draw();
        }
        end_ns
    }
}

/// Where the engine's next arrivals come from while it serves.
trait Feed {
    /// The next arrival's time, if any is left.
    fn next_ns(&self) -> Option<u64>;
    /// Takes the next arrival; called only after `next_ns` gave one.
    fn take(&mut self) -> Option<Drawn>;
}

impl Feed for Draws<'_> {
    fn next_ns(&self) -> Option<u64> {
        self.next.map(|next| next.t_ns)
    }

    fn take(&mut self) -> Option<Drawn> {
        let taken = self.next.take();
        self.next = self.draw();
        taken
    }
}

/// A shared batch, read in order.
struct BatchFeed<'b> {
    batch: &'b [Drawn],
}

impl Feed for BatchFeed<'_> {
    fn next_ns(&self) -> Option<u64> {
        self.batch.first().map(|next| next.t_ns)
    }

    fn take(&mut self) -> Option<Drawn> {
        let (&first, rest) = self.batch.split_first()?;
        self.batch = rest;
        Some(first)
    }
}

/// The request-level engine of one run.
#[derive(Debug)]
pub(crate) struct RequestEngine<'d> {
    /// The run's own draws; taken out while it steps with a group on shared ones.
    draws: Option<Draws<'d>>,
    routing_rng: ChaCha8Rng,
    next_index: u64,
    instances: Instances,
    /// Instances in service at t = 0: a server group's base servers, numbered below the
    /// scaled-out ones (section 4's numbering gives them 0 … base − 1).
    base_instances: u32,
    concurrency: u32,
    queue: VecDeque<Waiting>,
    running: BinaryHeap<Reverse<Running>>,
    timeout_ns: Option<u64>,
    max_queue: u64,
    /// Whether requests that find no instance in service wait in the queue (Knative's
    /// activator) instead of failing.
    buffer_without_instance: bool,
    /// Time up to which the areas are integrated.
    now_ns: u64,
    in_flight: u64,
    /// ∫ in flight dt since t = 0, request-nanoseconds.
    in_flight_area: u128,
    /// `in_flight_area` at the whole seconds a window reads (a step's end less 10 or 60 s),
    /// within the last 64, indexed by second mod 64.
    area_at_second: [u128; 64],
    /// The next of those seconds, ns.
    next_sample_ns: u64,
    /// The run's step, seconds: windows end at its multiples.
    step_s: u64,
    /// `in_flight_area` at the start of the current step.
    step_start_area: u128,
    step: StepCounts,
    run: RunCounts,
    /// The step's latencies, for exact percentiles, up to [`EXACT_STEP_LATENCIES`]; past that
    /// they move into `step_histogram`.
    step_latencies: Vec<u64>,
    step_histogram: Histogram<u32>,
    step_overflowed: bool,
    run_latencies: Histogram<u64>,
}

impl<'d> RequestEngine<'d> {
    /// Checks `config` against `arrivals` and the fleet's largest size, and builds the engine.
    pub(crate) fn new(
        config: &RequestConfig,
        arrivals: Arrivals<'d>,
        most_instances: u32,
        base_instances: u32,
        step_s: u64,
    ) -> Result<(Self, f64), BuildError> {
        let concurrency = config.concurrency_per_instance;
        if !(1..=MAX_CONCURRENCY).contains(&concurrency) {
            return Err(BuildError::Field {
                field: "service.concurrency_per_instance",
                expected: format!("a whole number from 1 to {MAX_CONCURRENCY}"),
                got: concurrency.to_string(),
            });
        }
        let slots = u64::from(concurrency) * u64::from(most_instances);
        if slots > MAX_SLOTS {
            return Err(BuildError::TooLarge {
                what: "service.concurrency_per_instance",
                value: format!("{concurrency} slots on each of up to {most_instances} instances"),
                max: format!("{MAX_SLOTS} slots in all"),
            });
        }
        let timeout_ns = match config.queue_timeout_s {
            None => None,
            Some(timeout_s) if timeout_s > 0.0 && timeout_s <= MAX_QUEUE_TIMEOUT_S => {
                Some(seconds_to_ns(timeout_s))
            }
            Some(timeout_s) => {
                return Err(BuildError::Field {
                    field: "service.queue_timeout_s",
                    expected: format!(
                        "a number of seconds greater than 0 and at most {MAX_QUEUE_TIMEOUT_S}"
                    ),
                    got: timeout_s.to_string(),
                });
            }
        };
        if let Some(max_queue) = config.max_queue
            && max_queue > MAX_QUEUE
        {
            return Err(BuildError::TooLarge {
                what: "service.max_queue",
                value: max_queue.to_string(),
                max: MAX_QUEUE.to_string(),
            });
        }
        let expected = arrivals.expected_total();
        if expected > MAX_REQUESTS {
            return Err(BuildError::TooLarge {
                what: "requests in the run",
                value: format!("{expected:e}"),
                max: format!("{MAX_REQUESTS:e}"),
            });
        }
        let (service, mean_service_s) = config.bound_service_time(arrivals)?;
        let mut engine = Self {
            draws: Some(Draws::new(config, arrivals, service)),
            routing_rng: stream(config.seed, ROUTING_SALT, config.replica),
            next_index: 0,
            instances: Instances::new(concurrency, config.routing, most_instances as usize),
            base_instances,
            concurrency,
            queue: VecDeque::with_capacity(1024),
            running: BinaryHeap::with_capacity(slots.min(1 << 16) as usize),
            timeout_ns,
            max_queue: config.max_queue.unwrap_or(MAX_QUEUE),
            buffer_without_instance: false,
            now_ns: 0,
            in_flight: 0,
            in_flight_area: 0,
            area_at_second: [0; 64],
            next_sample_ns: 0,
            step_s,
            step_start_area: 0,
            step: StepCounts::default(),
            run: RunCounts::default(),
            step_latencies: Vec::with_capacity(4096),
            step_histogram: latency_histogram(2)?,
            step_overflowed: false,
            run_latencies: latency_histogram(3)?,
        };
        engine.next_sample_ns = engine.window_start_from(NS_PER_S);
        Ok((engine, mean_service_s))
    }

    /// The first whole second at or after `from_ns` at which a 10 s or 60 s window ending at
    /// a step's end starts, ns.
    fn window_start_from(&self, from_ns: u64) -> u64 {
        let from_s = from_ns.div_ceil(NS_PER_S);
        let start =
            |window_s: u64| (from_s + window_s).div_ceil(self.step_s) * self.step_s - window_s;
        start(10).min(start(60)) * NS_PER_S
    }

    /// Integrates the areas up to `t_ns`, sampling the in-flight area at the seconds a window
    /// reads (at most two a step, every second only with steps of a second).
    fn advance_to(&mut self, t_ns: u64) {
        let busy = u128::from(self.instances.busy_in_service());
        self.step.busy_area += busy * u128::from(t_ns - self.now_ns);
        // Only the last 64 seconds' samples are ever read (windows of at most 60 s): over a
        // longer gap the area, linear between events, is added at once, so that a run's cost
        // follows its events, not its length in seconds.
        let keep_from_ns = (t_ns / NS_PER_S).saturating_sub(63) * NS_PER_S;
        if self.next_sample_ns < keep_from_ns {
            self.in_flight_area +=
                u128::from(self.in_flight) * u128::from(keep_from_ns - self.now_ns);
            self.now_ns = keep_from_ns;
            self.next_sample_ns = self.window_start_from(keep_from_ns);
        }
        while self.next_sample_ns <= t_ns {
            self.in_flight_area +=
                u128::from(self.in_flight) * u128::from(self.next_sample_ns - self.now_ns);
            self.now_ns = self.next_sample_ns;
            let second = self.now_ns / NS_PER_S;
            self.area_at_second[(second % 64) as usize] = self.in_flight_area;
            self.next_sample_ns = self.window_start_from(self.now_ns + NS_PER_S);
        }
        self.in_flight_area += u128::from(self.in_flight) * u128::from(t_ns - self.now_ns);
        self.now_ns = t_ns;
    }

    fn fail<S: Sink>(&mut self, request: Waiting, at_ns: u64, outcome: Outcome, sink: &mut S) {
        self.step.failed += 1;
        match outcome {
            Outcome::TimedOut => {
                self.step.timed_out += 1;
                self.run.timed_out += 1;
            }
            Outcome::Rejected => self.run.rejected += 1,
            _ => self.run.no_instance += 1,
        }
        sink.on_request(&RequestRecord {
            index: request.index,
            arrival_ns: request.arrival_ns,
            start_ns: None,
            end_ns: Some(at_ns),
            instance: None,
            outcome,
        });
    }

    /// Queued requests whose deadline is before `t_ns` fail at their deadlines (section 6).
    fn expire_before<S: Sink>(&mut self, t_ns: u64, sink: &mut S) {
        let Some(timeout_ns) = self.timeout_ns else {
            return;
        };
        while let Some(&head) = self.queue.front() {
            let deadline_ns = head.arrival_ns.saturating_add(timeout_ns);
            if deadline_ns >= t_ns {
                break;
            }
            self.advance_to(deadline_ns);
            self.queue.pop_front();
            self.in_flight -= 1;
            self.fail(head, deadline_ns, Outcome::TimedOut, sink);
        }
    }

    /// Starts `request` at `t_ns` on the instance the routing picks; false if none has a slot.
    fn dispatch(&mut self, request: Waiting, t_ns: u64) -> bool {
        let Some(instance) = self.instances.route(&mut self.routing_rng) else {
            return false;
        };
        self.instances.take_slot(instance);
        self.running.push(Reverse(Running {
            end_ns: t_ns + request.service_ns,
            index: request.index as u32,
            arrival_ns: request.arrival_ns,
            start_ns: t_ns,
            instance,
        }));
        true
    }

    /// Dispatches the queue's head while some slot is free.
    fn drain_queue(&mut self, t_ns: u64) {
        while let Some(&head) = self.queue.front() {
            if !self.instances.has_free_slot() || !self.dispatch(head, t_ns) {
                break;
            }
            self.queue.pop_front();
        }
    }

    fn complete<S: Sink>(&mut self, done: Running, sink: &mut S) {
        let latency_ns = done.end_ns - done.arrival_ns;
        self.in_flight -= 1;
        self.step.completed += 1;
        self.step.latency_sum_ns += u128::from(latency_ns);
        self.step.latency_max_ns = self.step.latency_max_ns.max(latency_ns);
        self.run.completed += 1;
        self.run.latency_sum_ns += u128::from(latency_ns);
        self.run.latency_max_ns = self.run.latency_max_ns.max(latency_ns);
        self.run.wait_sum_ns += u128::from(done.start_ns - done.arrival_ns);
        self.record_step_latency(latency_ns);
        self.run_latencies.saturating_record(latency_ns);
        sink.on_request(&RequestRecord {
            index: u64::from(done.index),
            arrival_ns: done.arrival_ns,
            start_ns: Some(done.start_ns),
            end_ns: Some(done.end_ns),
            instance: Some(done.instance),
            outcome: Outcome::Completed,
        });
        if self.instances.free_slot(done.instance, done.end_ns) && !self.queue.is_empty() {
            self.drain_queue(done.end_ns);
        }
    }

    fn arrive<S: Sink>(&mut self, arrival: Drawn, sink: &mut S) {
        let request = Waiting {
            index: self.next_index,
            arrival_ns: arrival.t_ns,
            service_ns: arrival.service_ns,
        };
        self.next_index += 1;
        self.step.arrivals += 1;
        self.run.arrivals += 1;
        if self.instances.in_service() == 0 && !self.buffer_without_instance {
            self.fail(request, arrival.t_ns, Outcome::NoInstance, sink);
        } else if self.queue.is_empty() && self.dispatch(request, arrival.t_ns) {
            self.in_flight += 1;
        } else if self.queue.len() as u64 >= self.max_queue {
            self.fail(request, arrival.t_ns, Outcome::Rejected, sink);
        } else {
            self.queue.push_back(request);
            self.in_flight += 1;
        }
    }

    /// Makes requests that find no instance in service wait for one (Knative's activator),
    /// with the queue's limit and timeout, instead of failing.
    pub(crate) fn buffer_without_instance(&mut self) {
        self.buffer_without_instance = true;
    }

    /// Runs the step [t0, t0 + step_s) with `in_service` instances, as the fleet has them, on
    /// the run's own draws.
    pub(crate) fn run_step<S: Sink>(
        &mut self,
        t0_s: u64,
        step_s: u64,
        in_service: u32,
        sink: &mut S,
    ) -> RequestStep {
        self.begin_step(t0_s, in_service, sink);
        let t1_ns = (t0_s + step_s) * NS_PER_S;
        if let Some(mut draws) = self.draws.take() {
            self.serve(&mut draws, t1_ns, sink);
            self.draws = Some(draws);
        }
        self.end_step(t1_ns, step_s, sink)
    }

    /// The run's own draws, for a group of runs to share; the engine then serves only what
    /// [`RequestEngine::serve_batch`] hands it.
    pub(crate) fn take_draws(&mut self) -> Option<Draws<'d>> {
        self.draws.take()
    }

    /// The run's own draws, unless taken.
    pub(crate) fn draws(&self) -> Option<&Draws<'d>> {
        self.draws.as_ref()
    }

    /// Whether the engine was built to draw the very same requests as `draws`.
    pub(crate) fn draws_like(&self, draws: &Draws<'_>) -> bool {
        self.draws.as_ref().is_some_and(|own| own.same_as(draws))
    }

    /// Opens the step starting at `t0_s` with `in_service` instances, as the fleet has them.
    pub(crate) fn begin_step<S: Sink>(&mut self, t0_s: u64, in_service: u32, sink: &mut S) {
        let t0_ns = t0_s * NS_PER_S;
        self.advance_to(t0_ns);
        self.step_start_area = self.in_flight_area;
        self.step = StepCounts::default();
        self.step_latencies.clear();
        if self.step_overflowed {
            self.step_histogram.reset();
            self.step_overflowed = false;
        }
        while self.instances.in_service() > in_service {
            self.instances.leave();
        }
        if self.instances.in_service() == 0 && !self.buffer_without_instance {
            while let Some(request) = self.queue.pop_front() {
                self.in_flight -= 1;
                self.fail(request, t0_ns, Outcome::NoInstance, sink);
            }
        }
        while self.instances.in_service() < in_service {
            self.instances.join(t0_ns);
        }
        self.drain_queue(t0_ns);
    }

    /// Serves the arrivals of `batch`, which holds every arrival before `until_ns`, and the
    /// events before `until_ns`: [`Draws::next_batch`]'s batches make a step's events, in order.
    pub(crate) fn serve_batch<S: Sink>(&mut self, batch: &[Drawn], until_ns: u64, sink: &mut S) {
        self.serve(&mut BatchFeed { batch }, until_ns, sink);
    }

    /// Handles the events before `until_ns` in order of (time, completions before arrivals,
    /// request number), the arrivals coming from `feed`.
    fn serve<F: Feed, S: Sink>(&mut self, feed: &mut F, until_ns: u64, sink: &mut S) {
        loop {
            let completion_ns = self.running.peek().map(|Reverse(r)| r.end_ns);
            let arrival_ns = feed.next_ns();
            let take_completion = match (completion_ns, arrival_ns) {
                (Some(c), Some(a)) => c <= a,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (None, None) => break,
            };
            let t_ns = if take_completion {
                completion_ns
            } else {
                arrival_ns
            }
            .unwrap_or(u64::MAX);
            if t_ns >= until_ns {
                break;
            }
            self.expire_before(t_ns, sink);
            self.advance_to(t_ns);
            if take_completion {
                if let Some(Reverse(done)) = self.running.pop() {
                    self.complete(done, sink);
                }
            } else if let Some(arrival) = feed.take() {
                self.arrive(arrival, sink);
            }
        }
    }

    /// Closes the step ending at `t1_ns`, `step_s` long, and gives what the requests did in it.
    pub(crate) fn end_step<S: Sink>(
        &mut self,
        t1_ns: u64,
        step_s: u64,
        sink: &mut S,
    ) -> RequestStep {
        self.expire_before(t1_ns, sink);
        self.advance_to(t1_ns);
        self.step_record(step_s)
    }

    fn record_step_latency(&mut self, latency_ns: u64) {
        if self.step_overflowed {
            self.step_histogram.saturating_record(latency_ns);
        } else if self.step_latencies.len() < EXACT_STEP_LATENCIES {
            self.step_latencies.push(latency_ns);
        } else {
            for &earlier in &self.step_latencies {
                self.step_histogram.saturating_record(earlier);
            }
            self.step_histogram.saturating_record(latency_ns);
            self.step_overflowed = true;
        }
    }

    /// The step's p50, p95 and p99 latencies, seconds: nearest rank, exact unless the step
    /// completed more than [`EXACT_STEP_LATENCIES`] requests.
    fn step_percentiles(&mut self, max_ns: u64) -> [Option<f64>; 3] {
        const QUANTILES: [f64; 3] = [0.5, 0.95, 0.99];
        let mut percentiles = [None; 3];
        if self.step_overflowed {
            let values = self.step_histogram.value_at_quantiles(QUANTILES);
            for (slot, ns) in percentiles.iter_mut().zip(values) {
                *slot = Some(ns.min(max_ns) as f64 / 1e9);
            }
            return percentiles;
        }
        let n = self.step_latencies.len();
        if n == 0 {
            return percentiles;
        }
        // Highest quantile first, each selection then works on the part below the last.
        let mut upper = n;
        for (slot, &q) in percentiles.iter_mut().zip(&QUANTILES).rev() {
            let rank = ((q * n as f64).ceil() as usize).clamp(1, n);
            let (_, value, _) = self.step_latencies[..upper].select_nth_unstable(rank - 1);
            *slot = Some(*value as f64 / 1e9);
            upper = rank;
        }
        percentiles
    }

    fn step_record(&mut self, step_s: u64) -> RequestStep {
        let step = self.step;
        let percentiles = self.step_percentiles(step.latency_max_ns);
        let end_second = self.now_ns / NS_PER_S;
        let mean_over = |window_s: u64| {
            let window_s = window_s.min(end_second);
            if window_s == 0 {
                return 0.0;
            }
            let start = self.area_at_second[((end_second - window_s) % 64) as usize];
            (self.in_flight_area - start) as f64 / (window_s * NS_PER_S) as f64
        };
        let step_area = self.in_flight_area - self.step_start_area;
        let [latency_p50_s, latency_p95_s, latency_p99_s] = percentiles;
        let in_service = u64::from(self.instances.in_service());
        RequestStep {
            arrivals: step.arrivals,
            completed: step.completed,
            failed: step.failed,
            timed_out: step.timed_out,
            latency_p50_s,
            latency_p95_s,
            latency_p99_s,
            latency_mean_s: (step.completed > 0)
                .then(|| step.latency_sum_ns as f64 / step.completed as f64 / 1e9),
            in_flight: InFlight {
                step: step_area as f64 / (step_s * NS_PER_S) as f64,
                last_10s: mean_over(10),
                last_60s: mean_over(60),
            },
            queued: self.queue.len() as u64,
            draining: self.instances.draining(),
            busy_slot_s: step.busy_area as f64 / 1e9,
            slot_s: (in_service * u64::from(self.concurrency) * step_s) as f64,
        }
    }

    /// Takes out of service, at the end of the step just run (`end_s`), every scaled-out
    /// instance idle for at least `min_idle_s` (Huawei Workspace's release); returns how many.
    pub(crate) fn release_idle(&mut self, end_s: u64, min_idle_s: u64) -> u32 {
        match end_s.checked_sub(min_idle_s) {
            Some(idle_by_s) => self
                .instances
                .release_idle(self.base_instances, idle_by_s.saturating_mul(NS_PER_S)),
            None => 0,
        }
    }

    /// Ends the run: the requests still in flight are handed to `sink`, in arrival order, and
    /// the run's figures returned.
    pub(crate) fn finish<S: Sink>(&mut self, sink: &mut S) -> RequestSummary {
        let mut left: Vec<RequestRecord> = self
            .running
            .iter()
            .map(|Reverse(r)| RequestRecord {
                index: u64::from(r.index),
                arrival_ns: r.arrival_ns,
                start_ns: Some(r.start_ns),
                end_ns: None,
                instance: Some(r.instance),
                outcome: Outcome::InFlight,
            })
            .chain(self.queue.iter().map(|w| RequestRecord {
                index: w.index,
                arrival_ns: w.arrival_ns,
                start_ns: None,
                end_ns: None,
                instance: None,
                outcome: Outcome::InFlight,
            }))
            .collect();
        left.sort_unstable_by_key(|record| record.index);
        for record in &left {
            sink.on_request(record);
        }
        let run = self.run;
        let completed = run.completed > 0;
        let quantile = |q: f64| {
            completed.then(|| {
                self.run_latencies
                    .value_at_quantile(q)
                    .min(run.latency_max_ns) as f64
                    / 1e9
            })
        };
        let failed = run.timed_out + run.rejected + run.no_instance;
        let mut latency_cdf_s = [0.0; LATENCY_CDF_QUANTILES.len()];
        if completed {
            let values = self.run_latencies.value_at_quantiles(LATENCY_CDF_QUANTILES);
            for (latency, ns) in latency_cdf_s.iter_mut().zip(values) {
                *latency = ns.min(run.latency_max_ns) as f64 / 1e9;
            }
        }
        RequestSummary {
            arrivals: run.arrivals,
            completed: run.completed,
            failed,
            timed_out: run.timed_out,
            rejected: run.rejected,
            no_instance: run.no_instance,
            in_flight_end: left.len() as u64,
            latency_p50_s: quantile(0.5),
            latency_p90_s: quantile(0.9),
            latency_p99_s: quantile(0.99),
            latency_p999_s: quantile(0.999),
            latency_max_s: completed.then(|| run.latency_max_ns as f64 / 1e9),
            latency_mean_s: completed
                .then(|| run.latency_sum_ns as f64 / run.completed as f64 / 1e9),
            wait_mean_s: completed.then(|| run.wait_sum_ns as f64 / run.completed as f64 / 1e9),
            latency_cdf_s,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    /// The engine's step percentiles against sorting, on random latencies (with ties) of every
    /// step size from 1 to 300.
    #[test]
    fn step_percentiles_are_the_nearest_ranks_of_the_sorted_latencies() {
        let trace = RequestTrace::new(Vec::new());
        let config = RequestConfig {
            concurrency_per_instance: 1,
            routing: Routing::LeastOutstanding,
            queue_timeout_s: None,
            max_queue: None,
            service_time: ServiceTime::fixed(1.0).unwrap(),
            seed: 0,
            replica: 0,
        };
        let (mut engine, _) = RequestEngine::new(&config, Arrivals::Trace(&trace), 1, 1, 60)
            .unwrap_or_else(|_| unreachable!("a valid configuration"));
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        for n in 1..=300_usize {
            let latencies: Vec<u64> = (0..n).map(|_| rng.random_range(0..50)).collect();
            engine.step_latencies.clear();
            engine.step_latencies.extend(&latencies);
            let max = latencies.iter().copied().max().unwrap_or(0);
            let got = engine.step_percentiles(max);
            let mut sorted = latencies.clone();
            sorted.sort_unstable();
            let expected = [0.5, 0.95, 0.99].map(|q: f64| {
                let rank = ((q * n as f64).ceil() as usize).clamp(1, n);
                Some(sorted[rank - 1] as f64 / 1e9)
            });
            assert_eq!(got, expected, "{n} latencies");
        }
    }
}
