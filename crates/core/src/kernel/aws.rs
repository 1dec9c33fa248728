//! A dedicated kernel for sweeps of AWS target tracking: the same semantics as
//! [`TargetTracking`] driving a [`crate::Fleet`] through [`crate::Simulation`], reduced to the
//! state a minute-step run needs, so that a sweep's inner loop does no more than the floor of
//! ceil(demand / target).
//!
//! Every float that reaches the summary is computed with the same operations in the same order
//! as the general engine, so the summaries are identical bit for bit (property tests hold it to
//! that). Four changes of representation make a minute cheap:
//! - No division per minute. The datapoint invocations / n is above the target exactly when the
//!   invocations reach the least float whose quotient by n rounds above it, found once each time
//!   n changes (likewise for 0.9 × target); see [`least_above`].
//! - No windows to scan. Each minute shifts its two flags (above the target, below 0.9 × target)
//!   into a bit history; with d the metric delay in minutes, AlarmHigh is in ALARM when bits d
//!   to d + 2 of the first are all set and AlarmLow when bits d to d + 14 of the second are.
//! - No decision that changes nothing. An alarm in ALARM scales only if ceil(visible / target)
//!   passes the desired capacity, which again is a threshold on the visible invocations,
//!   recomputed when the desired capacity changes (and disarmed while a scale-in cools down).
//! - Runs stepped together in lanes. [`LANES`] runs share each minute's demand, their hot state
//!   side by side in arrays that the compiler keeps in vector registers. A lane takes the cold
//!   path only to scale, to bring launches into service or when a cooldown ends; that path
//!   holds everything else (desired capacity, launches in due order, instance time
//!   counted only when the instance count changes).
//!
//! Over a trace whose sums are exact ([`ExactSums`]: whole request counts, say) and a capacity
//! that keeps them so, a run without a service level goes through a fifth change instead, and
//! alone: **a word of minutes at a time**. Each comparison above (the datapoint thresholds, the
//! decision thresholds on the visible invocations, what the fleet serves) is made for 64
//! minutes at once into a word of flags (AVX-512 or AVX2 compare eight or four), spared
//! entirely when the word's least and greatest invocations settle it; the alarms in ALARM are
//! ANDs of the flag history shifted by the delay; the first set bit of the word of minutes
//! that need the cold path says where the stretch ends. Every minute before it is served in
//! one go: the sum of a stretch served in full is the difference of two running sums, exact,
//! so the very float the engine's minute-by-minute additions reach. After a cold path only the
//! comparisons whose bounds it changed are made again.
//!
//! Runs that read the same of their policy and fleet ([`RunConfig::kind`]) are computed once per
//! call: a sweep of a parameter this model never reads (the scale-out cooldown) costs nothing.
//!
//! The fleet throttles or queues (a const parameter, so the throttle's loop carries no queue).
//! Given a service time, each lane's minute is also handed, as a [`StepRecord`], to the general
//! engine's own [`ServiceLevelSink`]: its latency estimate costs more than the rest of the
//! minute, and computing it any other way would risk the bits.

use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, VecDeque};
use std::ops::{BitAnd, BitOr, Shl};

use crate::autoscaler::aws::TargetTracking;
use crate::capacity::CapacityBounds;
use crate::demand::{BLOCK_STEPS, Demand, EXACT_QUANTA, ExactSums, fractional_bits, quanta};
use crate::fleet::{FleetConfig, ServiceModel};
use crate::kernel::{
    KernelService, RunFigures, VectorWidth, WORD, lane_loop_versions, word_at_least, word_at_most,
};
use crate::metrics::Summary;
use crate::service_level::{ServiceLevel, ServiceLevelSink};
use crate::sim::{Sink, StepRecord};

const MINUTE_S: u64 = 60;
const HIGH_DATAPOINTS: u32 = 3;
const LOW_DATAPOINTS: u32 = 15;
const LOW_THRESHOLD_RATIO: f64 = 0.9;

/// How many runs the kernel steps together through each minute: hand it runs in multiples of
/// this, and every lane does useful work.
pub const LANES: usize = 8;

/// The figures of `policy` driving a fleet of `fleet` that serves as `service` says over
/// `demand`, as the general engine would give them; `None` when the kernel does not apply
/// (steps other than 60 s, provisioning not in whole minutes), so that the caller runs the
/// general engine instead.
pub fn target_tracking_summary(
    demand: &Demand,
    service: KernelService,
    fleet: FleetConfig,
    policy: &TargetTracking,
) -> Option<RunFigures> {
    target_tracking_summaries(demand, service, &[(fleet, policy)])
        .pop()
        .flatten()
}

/// The figures of several (fleet, policy) runs over the same `demand`, in the order given,
/// each as [`target_tracking_summary`] gives them.
pub fn target_tracking_summaries(
    demand: &Demand,
    service: KernelService,
    runs: &[(FleetConfig, &TargetTracking)],
) -> Vec<Option<RunFigures>> {
    target_tracking_sweep(demand, service, runs).figures
}

/// What the kernel gives of several runs: their figures, and how many of them it did not step.
#[derive(Debug, Clone, PartialEq)]
pub struct KernelSweep {
    /// Each run's figures, in the order given, as [`target_tracking_summary`] gives them.
    pub figures: Vec<Option<RunFigures>>,
    /// The runs whose figures are those of an earlier run that reads the same of its policy
    /// and fleet (a sweep of a parameter the kernel never reads, such as the scale-out
    /// cooldown), copied rather than stepped: a sweep's rate counts them as runs delivered,
    /// and says so.
    pub copies: usize,
}

/// [`target_tracking_summaries`], telling also how many runs were copies of others.
pub fn target_tracking_sweep(
    demand: &Demand,
    service: KernelService,
    runs: &[(FleetConfig, &TargetTracking)],
) -> KernelSweep {
    let mut summaries = vec![None; runs.len()];
    if demand.step_s() != MINUTE_S || demand.as_slice().is_empty() {
        return KernelSweep {
            figures: summaries,
            copies: 0,
        };
    }
    // Runs that read the same (a sweep of a parameter this model never reads, such as the
    // scale-out cooldown) are computed once: each run is the first of its kind or a copy.
    let mut kinds: BTreeMap<RunKind, usize> = BTreeMap::new();
    let mut copies: Vec<(usize, usize)> = Vec::new();
    let mut applicable: Vec<(usize, Run)> = Vec::with_capacity(runs.len());
    for (index, (fleet, policy)) in runs.iter().enumerate() {
        let Some(config) = RunConfig::new(*fleet, policy) else {
            continue;
        };
        match kinds.entry(config.kind()) {
            Entry::Occupied(first) => copies.push((index, *first.get())),
            Entry::Vacant(kind) => {
                kind.insert(index);
                applicable.push((index, Run::new(config)));
            }
        }
    }
    let demand_total = demand.total();
    // Stretches measure no service level.
    let sums = demand
        .exact_sums()
        .filter(|_| service.service_level.is_none());
    let (alone, applicable): (Vec<_>, Vec<_>) = applicable
        .into_iter()
        .partition(|(_, run)| sums.is_some_and(|sums| sums_exact_for(sums, run)));
    if let Some(sums) = sums {
        for (index, run) in alone {
            let mut figures = match service.model {
                ServiceModel::Throttle => step_stretches::<false>(demand.as_slice(), sums, run),
                ServiceModel::Queue => step_stretches::<true>(demand.as_slice(), sums, run),
            };
            figures.summary.demand_total = demand_total;
            summaries[index] = Some(figures);
        }
    }
    for group in applicable.chunks(LANES) {
        // A short last group repeats its first run in the spare lanes.
        let lanes: [Run; LANES] =
            std::array::from_fn(|lane| group.get(lane).unwrap_or(&group[0]).1.clone());
        let needs_wide_history = group
            .iter()
            .any(|(_, run)| run.config.delay + LOW_DATAPOINTS as usize > u64::BITS as usize);
        let demand = demand.as_slice();
        let finished = match (needs_wide_history, service.model) {
            (true, ServiceModel::Throttle) => step_lanes::<u128, false>(demand, service, lanes),
            (true, ServiceModel::Queue) => step_lanes::<u128, true>(demand, service, lanes),
            (false, ServiceModel::Throttle) => step_lanes::<u64, false>(demand, service, lanes),
            (false, ServiceModel::Queue) => step_lanes::<u64, true>(demand, service, lanes),
        };
        for ((index, _), mut figures) in group.iter().zip(finished) {
            figures.summary.demand_total = demand_total;
            summaries[*index] = Some(figures);
        }
    }
    for &(index, first) in &copies {
        summaries[index] = summaries[first];
    }
    KernelSweep {
        figures: summaries,
        copies: copies.len(),
    }
}

/// The least `x ≥ 0` whose quotient `x / divisor`, as the general engine divides, is above
/// `bound`. Division rounds monotonically, so `x / divisor > bound` exactly when
/// `x >= least_above(bound, divisor)`.
fn least_above(bound: f64, divisor: f64) -> f64 {
    least_where(bound * divisor, |x| (0.0 + x) / divisor > bound)
}

/// The greatest `x ≥ 0` whose quotient `x / divisor` is below `bound > 0`: `x / divisor <
/// bound` exactly when `x <= greatest_below(bound, divisor)`.
fn greatest_below(bound: f64, divisor: f64) -> f64 {
    least_where(bound * divisor, |x| (0.0 + x) / divisor >= bound).next_down()
}

/// The least float `x ≥ 0` for which `holds` is true, `holds` being false and then true over
/// the non-negative floats and true at +∞; `guess` should be within an ulp or two of it.
fn least_where(guess: f64, holds: impl Fn(f64) -> bool) -> f64 {
    let mut x = guess;
    for _ in 0..4 {
        if x.is_nan() || x < 0.0 {
            break;
        }
        if !holds(x) {
            x = x.next_up();
        } else if x == 0.0 || !holds(x.next_down()) {
            return x;
        } else {
            x = x.next_down();
        }
    }
    // The guess was off (a bound of zero, an overflow): bisect the floats' bit patterns, which
    // order the non-negative floats.
    if holds(0.0) {
        return 0.0;
    }
    let (mut fails, mut holds_at) = (0.0_f64.to_bits(), f64::INFINITY.to_bits());
    while holds_at - fails > 1 {
        let middle = fails + (holds_at - fails) / 2;
        if holds(f64::from_bits(middle)) {
            holds_at = middle;
        } else {
            fails = middle;
        }
    }
    f64::from_bits(holds_at)
}

/// What the kernel reads of a run's policy and fleet: all a run's figures depend on, besides
/// the demand and the service.
#[derive(Debug, Clone, Copy)]
struct RunConfig {
    bounds: CapacityBounds,
    target: f64,
    /// 0.9 × target.
    low_threshold: f64,
    capacity_per_min: f64,
    /// The metric delay, in minutes.
    delay: usize,
    /// Minutes from a launch's decision until it serves, less the minute of the decision.
    provisioning: u64,
    scale_in_allowed: bool,
    scaling_out_suspended: bool,
    /// The scale-in cooldown in whole minutes, rounded up: after a scale-in at minute a, the
    /// next may come at minute a + this.
    scale_in_cooldown_min: u64,
    /// In service at the start: the initial instances within the bounds.
    initial_in_service: u32,
}

/// A [`RunConfig`] as a key: runs with the same key give the same figures over the same demand
/// (a sweep of a parameter the kernel never reads, such as the scale-out cooldown, gives
/// several), so they are computed once.
type RunKind = ((u32, u32), u64, u64, usize, u64, bool, bool, u64, u32);

impl RunConfig {
    fn new(fleet: FleetConfig, policy: &TargetTracking) -> Option<Self> {
        let capacity = fleet.capacity_per_instance_per_min;
        let applies =
            fleet.provisioning_s.is_multiple_of(MINUTE_S) && capacity.is_finite() && capacity > 0.0;
        if !applies {
            return None;
        }
        let bounds = policy.target().bounds();
        let (scaling_in_suspended, scaling_out_suspended) = policy.target().suspended();
        let config = policy.policy();
        Some(Self {
            bounds,
            target: config.target_value(),
            low_threshold: LOW_THRESHOLD_RATIO * config.target_value(),
            capacity_per_min: capacity,
            delay: (policy.metric_delay_s() / MINUTE_S) as usize,
            provisioning: fleet.provisioning_s / MINUTE_S,
            scale_in_allowed: !config.disable_scale_in() && !scaling_in_suspended,
            scaling_out_suspended,
            scale_in_cooldown_min: config.scale_in_cooldown_s().div_ceil(MINUTE_S),
            initial_in_service: bounds.clamp(fleet.initial_instances),
        })
    }

    /// The config as a key. Every field is named, so that a new one must be placed in it.
    fn kind(&self) -> RunKind {
        let Self {
            bounds,
            target,
            low_threshold: _, // 0.9 × target
            capacity_per_min,
            delay,
            provisioning,
            scale_in_allowed,
            scaling_out_suspended,
            scale_in_cooldown_min,
            initial_in_service,
        } = *self;
        (
            (bounds.min(), bounds.max()),
            target.to_bits(),
            capacity_per_min.to_bits(),
            delay,
            provisioning,
            scale_in_allowed,
            scaling_out_suspended,
            scale_in_cooldown_min,
            initial_in_service,
        )
    }
}

/// A run's state off the hot path: its config, its fleet, and what it has counted so far.
#[derive(Debug, Clone)]
struct Run {
    config: RunConfig,
    in_service: u32,
    desired: u32,
    /// Launches pending as (due minute, count), in due order: decided one minute after
    /// another with the same provisioning time, they fall due in the order they were decided.
    launches: VecDeque<(u64, u32)>,
    last_scale_in: Option<u64>,
    /// Σ in service × minutes up to `counted_to`, exclusive.
    instance_minutes: u64,
    counted_to: u64,
    peak_in_service: u32,
    min_in_service: u32,
    scale_out_events: u64,
    scale_in_events: u64,
    /// Per instance count n in service, the datapoint thresholds (above the target, below
    /// 0.9 × target) of n instances, found the first time n is in service; NaN before.
    fleet_thresholds: Vec<(f64, f64)>,
    /// Per count k, the least invocations whose ceil(v / target) passes k; NaN before found.
    count_thresholds: Vec<f64>,
}

/// Counts up to this have their thresholds kept once found (larger ones, rare, are found each
/// time): a run's fleet moves among a few counts, and the searches cost more than the rest of
/// a change of count.
const KEPT_THRESHOLDS: u32 = 1 << 12;

impl Run {
    fn new(config: RunConfig) -> Self {
        let in_service = config.initial_in_service;
        let kept = config.bounds.max().min(KEPT_THRESHOLDS) as usize + 1;
        Self {
            config,
            in_service,
            desired: in_service,
            launches: VecDeque::new(),
            last_scale_in: None,
            instance_minutes: 0,
            counted_to: 0,
            peak_in_service: in_service,
            min_in_service: in_service,
            scale_out_events: 0,
            scale_in_events: 0,
            fleet_thresholds: vec![(f64::NAN, f64::NAN); kept],
            count_thresholds: vec![f64::NAN; kept],
        }
    }

    /// The datapoint thresholds of `instances` in service: invocations from which the
    /// datapoint is above the target, and up to which it is below 0.9 × target.
    fn fleet_thresholds(&mut self, instances: u32) -> (f64, f64) {
        let find = |run: &Self| {
            let divisor = f64::from(instances);
            (
                least_above(run.config.target, divisor),
                greatest_below(run.config.low_threshold, divisor),
            )
        };
        match self.fleet_thresholds.get(instances as usize) {
            Some(&(above, _)) if !above.is_nan() => self.fleet_thresholds[instances as usize],
            Some(_) => {
                let found = find(self);
                self.fleet_thresholds[instances as usize] = found;
                found
            }
            None => find(self),
        }
    }

    /// The least invocations whose ceil(v / target) passes `count`.
    fn count_threshold(&mut self, count: u32) -> f64 {
        match self.count_thresholds.get(count as usize) {
            Some(&found) if !found.is_nan() => found,
            Some(_) => {
                let found = least_above(f64::from(count), self.config.target);
                self.count_thresholds[count as usize] = found;
                found
            }
            None => least_above(f64::from(count), self.config.target),
        }
    }

    /// What the in-service instances serve in a minute, by the fleet's own expression.
    fn serving(&self) -> f64 {
        f64::from(self.in_service) * self.config.capacity_per_min * MINUTE_S as f64 / 60.0
    }

    /// The first minute at which a scale-in is no longer cooling down.
    fn cooled_at(&self) -> u64 {
        self.last_scale_in
            .map_or(0, |at| at + self.config.scale_in_cooldown_min)
    }

    /// The policy's decision at `minute`, with AlarmHigh (`high`) or AlarmLow in ALARM and
    /// `visible_invocations` the invocations of the newest visible datapoint, as the general
    /// engine takes it.
    fn decide(&mut self, minute: u64, high: bool, visible_invocations: f64) {
        let proposed = self
            .config
            .bounds
            .clamp((visible_invocations / self.config.target).ceil() as u32);
        let next = if high {
            if proposed <= self.desired || self.config.scaling_out_suspended {
                return;
            }
            self.last_scale_in = None;
            proposed
        } else {
            let cooling = minute < self.cooled_at();
            if !self.config.scale_in_allowed || cooling || proposed >= self.desired {
                return;
            }
            self.last_scale_in = Some(minute);
            proposed
        };
        if next > self.desired {
            let count = next - self.desired;
            if self.config.provisioning == 0 {
                self.in_service += count;
            } else {
                self.launches
                    .push_back((minute + 1 + self.config.provisioning, count));
            }
            self.scale_out_events += 1;
        } else {
            let mut excess = self.desired - next;
            // Newest launches first: those due latest.
            while excess > 0
                && let Some((_, newest)) = self.launches.back_mut()
            {
                let cancelled = (*newest).min(excess);
                *newest -= cancelled;
                excess -= cancelled;
                if *newest == 0 {
                    self.launches.pop_back();
                }
            }
            self.in_service -= excess;
            self.scale_in_events += 1;
        }
        self.desired = next;
    }

    /// Brings the launches due by `minute` into service.
    fn arrive(&mut self, minute: u64) {
        while let Some(&(due_minute, count)) = self.launches.front()
            && due_minute <= minute
        {
            self.launches.pop_front();
            self.in_service += count;
        }
    }

    /// The first minute from `minute` on at which a launch is due, `u64::MAX` if none is.
    fn next_due_from(&self, minute: u64) -> u64 {
        self.launches
            .front()
            .map_or(u64::MAX, |&(due_minute, _)| due_minute.max(minute))
    }

    /// Counts the instance time of `previous` in service up to `minute`, from which
    /// `in_service` serves; `serves` is false when no minute is left for it to serve.
    fn count_to(&mut self, minute: u64, previous: u32, serves: bool) {
        self.instance_minutes += u64::from(previous) * (minute - self.counted_to);
        self.counted_to = minute;
        if serves {
            self.peak_in_service = self.peak_in_service.max(self.in_service);
            self.min_in_service = self.min_in_service.min(self.in_service);
        }
    }

    /// The cold path at the end of `minute`, with AlarmHigh (`high`) or AlarmLow (`low`) in
    /// ALARM or neither: the decision, then the launches due the next minute; what the hot path
    /// compares against from the next minute on. Inlined, so that it is compiled for the
    /// vectors of its caller's version too (a stretch of minutes calls it every few dozen).
    #[inline(always)]
    fn attend(&mut self, minute: u64, high: bool, low: bool, visible: f64, minutes: u64) -> Watch {
        let in_service = self.in_service;
        if high || low {
            self.decide(minute, high, visible);
        }
        let next_minute = minute + 1;
        if self.next_due_from(next_minute) == next_minute {
            self.arrive(next_minute);
        }
        let cooled_at = self.cooled_at();
        let cooldown_end = if cooled_at > next_minute {
            cooled_at
        } else {
            u64::MAX
        };
        let fleet = (self.in_service != in_service).then(|| {
            self.count_to(next_minute, in_service, next_minute < minutes);
            self.fleet_watch()
        });
        Watch {
            wake_at: self.next_due_from(next_minute).min(cooldown_end),
            scale_out_from: self.scale_out_from(),
            scale_in_below: self.scale_in_below(next_minute),
            fleet,
        }
    }

    /// What the hot path compares against while the in-service count stays.
    fn fleet_watch(&mut self) -> FleetWatch {
        let (above_from, below_to) = self.fleet_thresholds(self.in_service.max(1));
        FleetWatch {
            serving: self.serving(),
            above_from,
            below_to,
        }
    }

    /// The run's figures at the end of `minutes`, with the sums of the hot path.
    #[allow(clippy::too_many_arguments)]
    fn figures(
        &mut self,
        minutes: u64,
        served_total: f64,
        unserved_total: f64,
        underprovisioned_steps: u64,
        backlog_end: f64,
        queued_request_seconds: f64,
        service_level: Option<ServiceLevel>,
    ) -> RunFigures {
        self.count_to(minutes, self.in_service, false);
        let summary = Summary {
            steps: minutes,
            duration_s: minutes * MINUTE_S,
            instance_seconds: self.instance_minutes * MINUTE_S,
            peak_in_service: self.peak_in_service,
            min_in_service: self.min_in_service,
            served_total,
            unserved_total,
            underprovisioned_steps,
            backlog_end,
            queued_request_seconds,
            scale_out_events: self.scale_out_events,
            scale_in_events: self.scale_in_events,
            ..Summary::start(self.in_service)
        };
        RunFigures {
            summary,
            service_level,
        }
    }

    /// The least visible invocations at which AlarmHigh's decision scales out: above
    /// `desired` once divided by the target (ceil(v / target) > desired), or never.
    fn scale_out_from(&mut self) -> f64 {
        if self.config.scaling_out_suspended || self.desired >= self.config.bounds.max() {
            f64::INFINITY
        } else {
            self.count_threshold(self.desired)
        }
    }

    /// The visible invocations below which AlarmLow's decision at `minute` scales in (ceil(v /
    /// target) < desired), or never (−∞).
    fn scale_in_below(&mut self, minute: u64) -> f64 {
        if !self.config.scale_in_allowed
            || self.desired <= self.config.bounds.min()
            || minute < self.cooled_at()
        {
            f64::NEG_INFINITY
        } else {
            self.count_threshold(self.desired - 1)
        }
    }
}

/// What a run's hot path compares against until its next cold path.
struct Watch {
    /// The minute before which the cold path must run (launches due, a cooldown ended).
    wake_at: u64,
    /// Visible invocations from which AlarmHigh in ALARM scales out.
    scale_out_from: f64,
    /// Visible invocations below which AlarmLow in ALARM scales in.
    scale_in_below: f64,
    /// What changed with the in-service count, if it did.
    fleet: Option<FleetWatch>,
}

/// What a run's hot path compares against while its in-service count stays.
#[derive(Clone, Copy)]
struct FleetWatch {
    /// What the instances in service serve in a minute.
    serving: f64,
    /// Invocations from which a minute's datapoint is above the target.
    above_from: f64,
    /// Invocations up to which a minute's datapoint is below 0.9 × target.
    below_to: f64,
}

/// A bit history of flags, newest in bit 0: `u64` for metric delays up to 49 minutes, `u128`
/// beyond.
trait History:
    Copy + Eq + From<bool> + Shl<u32, Output = Self> + BitOr<Output = Self> + BitAnd<Output = Self>
{
    const NONE: Self;
    /// `count` set bits from bit `from` up.
    fn window(from: usize, count: u32) -> Self;
}

impl History for u64 {
    const NONE: Self = 0;
    fn window(from: usize, count: u32) -> Self {
        ((1 << count) - 1) << from
    }
}

impl History for u128 {
    const NONE: Self = 0;
    fn window(from: usize, count: u32) -> Self {
        ((1 << count) - 1) << from
    }
}

/// The hot state of [`LANES`] runs, one array per quantity so that a minute's work on all lanes
/// is a handful of vector operations. A lane needs its cold path only when an alarm in ALARM
/// would change its desired capacity, when launches come into service, or when a scale-in
/// cooldown ends: the decisions that change nothing are filtered out here by thresholds on the
/// visible invocations.
struct Lanes<H, const QUEUE: bool> {
    serving: [f64; LANES],
    served_total: [f64; LANES],
    unserved_total: [f64; LANES],
    underprovisioned_minutes: [u64; LANES],
    /// Requests waiting at the end of the minute (the queue model).
    backlog: [f64; LANES],
    /// Σ backlog × 60 s (the queue model).
    queued_request_seconds: [f64; LANES],
    /// What the last minute served.
    served: [f64; LANES],
    /// Invocations from which this minute's datapoint is above the target.
    above_from: [f64; LANES],
    /// Invocations up to which this minute's datapoint is below 0.9 × target.
    below_to: [f64; LANES],
    above: [H; LANES],
    below: [H; LANES],
    high_window: [H; LANES],
    low_window: [H; LANES],
    /// Visible invocations from which AlarmHigh in ALARM scales out.
    scale_out_from: [f64; LANES],
    /// Visible invocations below which AlarmLow in ALARM scales in.
    scale_in_below: [f64; LANES],
    /// The minute before which the cold path must run (launches due, a cooldown ended).
    wake_at: [u64; LANES],
}

impl<H: History, const QUEUE: bool> Lanes<H, QUEUE> {
    fn new(runs: &mut [Run; LANES]) -> Self {
        let mut lanes = Self {
            serving: [0.0; LANES],
            served_total: [0.0; LANES],
            unserved_total: [0.0; LANES],
            underprovisioned_minutes: [0; LANES],
            backlog: [0.0; LANES],
            queued_request_seconds: [0.0; LANES],
            served: [0.0; LANES],
            above_from: [0.0; LANES],
            below_to: [0.0; LANES],
            above: [H::NONE; LANES],
            below: [H::NONE; LANES],
            high_window: runs
                .each_ref()
                .map(|run| H::window(run.config.delay, HIGH_DATAPOINTS)),
            low_window: runs
                .each_ref()
                .map(|run| H::window(run.config.delay, LOW_DATAPOINTS)),
            scale_out_from: [0.0; LANES],
            scale_in_below: [0.0; LANES],
            wake_at: [u64::MAX; LANES],
        };
        for (lane, run) in runs.iter_mut().enumerate() {
            lanes.on_fleet_change(lane, run.fleet_watch());
            lanes.on_policy_change(lane, run, 0);
        }
        lanes
    }

    fn on_fleet_change(&mut self, lane: usize, fleet: FleetWatch) {
        self.serving[lane] = fleet.serving;
        self.above_from[lane] = fleet.above_from;
        self.below_to[lane] = fleet.below_to;
    }

    /// Refreshes what the next decision, at `minute`, compares against.
    fn on_policy_change(&mut self, lane: usize, run: &mut Run, minute: u64) {
        self.scale_out_from[lane] = run.scale_out_from();
        self.scale_in_below[lane] = run.scale_in_below(minute);
    }

    fn high_in_alarm(&self, lane: usize) -> bool {
        self.above[lane] & self.high_window[lane] == self.high_window[lane]
    }

    fn low_in_alarm(&self, lane: usize) -> bool {
        self.below[lane] & self.low_window[lane] == self.low_window[lane]
    }

    /// One minute of every lane, with `visible` each lane's newest visible invocations: the
    /// lanes that need the cold path, one bit each.
    #[inline(always)]
    // One index walks a dozen arrays in step: clearer than a dozen zipped iterators, and what
    // the vectorizer reads best.
    #[allow(clippy::needless_range_loop)]
    fn step(&mut self, minute: u64, invocations: f64, visible: [f64; LANES]) -> u32 {
        let mut attention = 0;
        for lane in 0..LANES {
            if QUEUE {
                // As the fleet's queue: the backlog first, nothing dropped (and the summary's
                // sum of the dropped, 0.0 + 0.0, stays 0.0).
                let waiting = self.backlog[lane] + invocations;
                let served = waiting.min(self.serving[lane]);
                self.served[lane] = served;
                self.served_total[lane] += served;
                self.backlog[lane] = waiting - served;
                self.underprovisioned_minutes[lane] += u64::from(self.backlog[lane] > 0.0);
                self.queued_request_seconds[lane] += self.backlog[lane] * MINUTE_S as f64;
            } else {
                let served = invocations.min(self.serving[lane]);
                self.served[lane] = served;
                self.served_total[lane] += served;
                let unserved = invocations - served;
                self.unserved_total[lane] += unserved;
                self.underprovisioned_minutes[lane] += u64::from(unserved > 0.0);
            }
            self.above[lane] =
                self.above[lane] << 1 | H::from(invocations >= self.above_from[lane]);
            self.below[lane] = self.below[lane] << 1 | H::from(invocations <= self.below_to[lane]);
            let scale_out = self.high_in_alarm(lane) & (visible[lane] >= self.scale_out_from[lane]);
            let scale_in = self.low_in_alarm(lane) & (visible[lane] < self.scale_in_below[lane]);
            let wake = minute + 1 == self.wake_at[lane];
            attention |= u32::from(scale_out | scale_in | wake) << lane;
        }
        attention
    }

    /// The cold path of `lane` at the end of `minute`.
    #[cold]
    #[inline(never)]
    fn attend(&mut self, run: &mut Run, lane: usize, minute: u64, visible: f64, minutes: u64) {
        let high = self.high_in_alarm(lane);
        let low = self.low_in_alarm(lane);
        let watch = run.attend(minute, high, low, visible, minutes);
        self.wake_at[lane] = watch.wake_at;
        self.scale_out_from[lane] = watch.scale_out_from;
        self.scale_in_below[lane] = watch.scale_in_below;
        if let Some(fleet) = watch.fleet {
            self.on_fleet_change(lane, fleet);
        }
    }
}

/// Whether every float the run adds up is a whole multiple of the trace's quantum (or a finer
/// one its capacity needs) and stays under 2⁵³ of them, so that its sums are exact in any
/// order: the arrivals, and what any count of instances up to the maximum serves.
fn sums_exact_for(sums: &ExactSums, run: &Run) -> bool {
    let Some(bits) = fractional_bits(run.config.capacity_per_min) else {
        return false;
    };
    let bits = bits.max(sums.fractional_bits);
    let total = sums
        .total_quanta
        .checked_mul(1 << (bits - sums.fractional_bits));
    // The serving expression multiplies by 60 before it divides by 60 again.
    let widest_serving =
        f64::from(run.config.bounds.max()) * run.config.capacity_per_min * MINUTE_S as f64;
    let serving = quanta(widest_serving, bits);
    total.is_some_and(|total| total < EXACT_QUANTA)
        && serving.is_some_and(|serving| serving < EXACT_QUANTA)
}

/// The minutes at once that [`step_stretches`] reads: a word of flags.
const STRETCH: u64 = WORD as u64;

/// The comparisons of the [`STRETCH`] minutes from `from` with bounds, as flag words (bit i
/// for minute from + i, clear outside the trace).
struct Stretch<'a> {
    demand: &'a [f64],
    from: i64,
    /// The minutes of the stretch inside the trace, `first..end`.
    first: i64,
    end: i64,
    /// Their least and greatest invocations, read from the extremes of the blocks they fall
    /// in (at least); `None` when none is inside.
    extremes: Option<(f64, f64)>,
    width: VectorWidth,
}

impl<'a> Stretch<'a> {
    #[inline(always)]
    fn new(demand: &'a [f64], sums: &ExactSums, from: i64, width: VectorWidth) -> Self {
        let first = from.max(0);
        let end = (from + STRETCH as i64).min(demand.len() as i64);
        let extremes = (first < end).then(|| {
            sums.block_extremes[first as usize / BLOCK_STEPS..=(end - 1) as usize / BLOCK_STEPS]
                .iter()
                .fold((f64::INFINITY, 0.0_f64), |(least, most), &(low, high)| {
                    (least.min(low), most.max(high))
                })
        });
        Self {
            demand,
            from,
            first,
            end,
            extremes,
            width,
        }
    }

    /// The flags of the minutes for which `holds`, whose set is the invocations at least or at
    /// most some bound; `settled` tells, from the stretch's extremes, whether it holds for all
    /// of them (`Some(true)`) or none (`Some(false)`), sparing the comparisons, and
    /// `whole_word` compares a whole word of them at once.
    #[inline(always)]
    fn flags(
        &self,
        settled: impl Fn(f64, f64) -> Option<bool>,
        whole_word: impl Fn(&[f64; WORD]) -> u64,
        holds: impl Fn(f64) -> bool,
    ) -> u64 {
        let Some((least, most)) = self.extremes else {
            return 0;
        };
        let (from, first, end) = (self.from, self.first, self.end);
        match settled(least, most) {
            Some(true) => low_bits((end - first) as u64) << (first - from),
            Some(false) => 0,
            None if first == from
                && let Some(word) = self.demand[first as usize..]
                    .first_chunk::<WORD>()
                    .map(&whole_word) =>
            {
                word
            }
            None => {
                let mut word = 0;
                for minute in first..end {
                    word |= u64::from(holds(self.demand[minute as usize])) << (minute - from);
                }
                word
            }
        }
    }

    /// Minutes whose invocations are at least `bound`.
    #[inline(always)]
    fn at_least(&self, bound: f64) -> u64 {
        self.flags(
            |least, most| {
                if least >= bound {
                    Some(true)
                } else if most < bound {
                    Some(false)
                } else {
                    None
                }
            },
            |values| word_at_least(values, bound, self.width),
            |invocations| invocations >= bound,
        )
    }

    /// Minutes whose invocations are at most `bound`.
    #[inline(always)]
    fn at_most(&self, bound: f64) -> u64 {
        self.flags(
            |least, most| {
                if most <= bound {
                    Some(true)
                } else if least > bound {
                    Some(false)
                } else {
                    None
                }
            },
            |values| word_at_most(values, bound, self.width),
            |invocations| invocations <= bound,
        )
    }
}

/// AlarmHigh and AlarmLow in ALARM at each minute of a stretch (bit i for its minute i), from
/// the datapoint flags of the minutes before it (`past_*`, the newest in the top bit) and of
/// its own (`above`, `below`), the metric `delay` minutes late.
#[inline(always)]
fn alarms(past_above: u128, past_below: u128, above: u64, below: u64, delay: u32) -> (u64, u64) {
    // Bit j of each run is the flag of minute start − delay − (window − 1) + j: the flags the
    // alarm of minute start + i reads are bits i to i + window − 1.
    let high_run = past_above >> (u128::BITS - delay - HIGH_DATAPOINTS + 1)
        | u128::from(above) << (delay + HIGH_DATAPOINTS - 1);
    let high = (high_run & high_run >> 1 & high_run >> 2) as u64;
    let low_run = past_below >> (u128::BITS - delay - LOW_DATAPOINTS + 1)
        | u128::from(below) << (delay + LOW_DATAPOINTS - 1);
    let pairs = low_run & low_run >> 1;
    let fours = pairs & pairs >> 2;
    let eights = fours & fours >> 4;
    (high, (eights & eights >> 7) as u64)
}

/// The `count` low bits set, `count` up to 64.
fn low_bits(count: u64) -> u64 {
    if count >= u64::from(u64::BITS) {
        u64::MAX
    } else {
        (1 << count) - 1
    }
}

lane_loop_versions! {
    /// Steps one run through `demand`, whose sums are exact, a stretch of up to a word of
    /// minutes at a time (see [`step_stretches_portable`]): its figures, all but the demand
    /// total. Runs compiled for the widest vectors the CPU has, each version comparing words
    /// with its own instructions, with the same bits on every CPU (comparisons are exact).
    fn step_stretches[const QUEUE: bool](demand: &[f64], sums: &ExactSums, run: Run)
        -> RunFigures = step_stretches_portable::<QUEUE>;
}

/// [`step_stretches`]'s body: the same minutes as [`step_lanes`], a word of them at a time.
///
/// Each of the run's comparisons (invocations against its datapoint thresholds, visible
/// invocations against its decision thresholds, invocations against what it serves) is a word
/// of flags, one bit per minute, and the alarms in ALARM are ANDs of the flag history shifted by
/// the metric delay: the first set bit of the attention word is the next minute that needs the
/// cold path, and every minute before it changes nothing but the sums. Those are exact (see
/// [`ExactSums`]), so a stretch served in full adds the difference of two running sums and
/// gives the float the engine's minute-by-minute additions give; a stretch with minutes
/// throttled takes their excess off, and the queue model, once it queues, adds minute by
/// minute as the engine does.
#[inline(always)]
fn step_stretches_portable<const QUEUE: bool>(
    demand: &[f64],
    sums: &ExactSums,
    mut run: Run,
    // A constant in each version: its comparisons are chosen as it is compiled.
    width: VectorWidth,
) -> RunFigures {
    let minutes = demand.len() as u64;
    let delay = run.config.delay as u32;
    let mut fleet = run.fleet_watch();
    let (mut wake_at, mut scale_out_from, mut scale_in_below) =
        (u64::MAX, run.scale_out_from(), run.scale_in_below(0));
    // Flags of the minutes before the stretch, oldest first and the newest in the top bit.
    let (mut past_above, mut past_below) = (0_u128, 0_u128);
    let mut served_total = 0.0;
    let mut unserved_total = 0.0;
    let mut underprovisioned_minutes = 0;
    let mut backlog = 0.0;
    let mut queued_request_seconds = 0.0;
    let mut start = 0;
    while start < minutes {
        let span = (minutes - start).min(STRETCH);
        let stretch = low_bits(span);
        let here = Stretch::new(demand, sums, start as i64, width);
        let visible = Stretch::new(demand, sums, start as i64 - i64::from(delay), width);
        // The flags of each minute under the thresholds in force at that minute: those of the
        // minutes done are final, the others as the thresholds now stand.
        let mut above = here.at_least(fleet.above_from) & stretch;
        let mut below = here.at_most(fleet.below_to) & stretch;
        let mut throttled = !here.at_most(fleet.serving) & stretch;
        let (mut high, mut low) = alarms(past_above, past_below, above, below, delay);
        // Comparisons of the visible invocations, made only once an alarm is in ALARM ahead.
        let (mut scale_out_flags, mut scale_in_flags) = (None, None);
        let mut done = 0;
        while done < span {
            let ahead = stretch & !low_bits(done);
            let scale_out = if high & ahead == 0 {
                0
            } else {
                high & *scale_out_flags.get_or_insert_with(|| visible.at_least(scale_out_from))
            };
            let scale_in = if low & ahead == 0 {
                0
            } else {
                low & !*scale_in_flags.get_or_insert_with(|| visible.at_least(scale_in_below))
            };
            let wake = wake_at
                .checked_sub(start + 1)
                .filter(|&bit| bit < STRETCH)
                .map_or(0, |bit| 1 << bit);
            let attention = (scale_out | scale_in | wake) & ahead;
            let through = if attention == 0 {
                stretch
            } else {
                low_bits(u64::from(attention.trailing_zeros()) + 1)
            };
            let now = through & ahead;
            let (first, end) = (
                (start + done) as usize,
                (start + u64::from(through.count_ones())) as usize,
            );
            let minutes_throttled = throttled & now;
            if minutes_throttled == 0 && (!QUEUE || backlog == 0.0) {
                served_total += sums.running[end] - sums.running[first];
            } else if QUEUE {
                // As the fleet's queue, minute by minute.
                for &invocations in &demand[first..end] {
                    let waiting = backlog + invocations;
                    let served = waiting.min(fleet.serving);
                    served_total += served;
                    backlog = waiting - served;
                    underprovisioned_minutes += u64::from(backlog > 0.0);
                    queued_request_seconds += backlog * MINUTE_S as f64;
                }
            } else {
                let mut excess = 0.0;
                let mut each = minutes_throttled;
                while each != 0 {
                    excess +=
                        demand[start as usize + each.trailing_zeros() as usize] - fleet.serving;
                    each &= each - 1;
                }
                served_total += sums.running[end] - sums.running[first] - excess;
                unserved_total += excess;
                underprovisioned_minutes += u64::from(minutes_throttled.count_ones());
            }
            done = u64::from(through.count_ones());
            if attention == 0 {
                break;
            }
            let minute = start + done - 1;
            let bit = 1 << (done - 1);
            let visible_invocations = demand[minute.saturating_sub(u64::from(delay)) as usize];
            let watch = run.attend(
                minute,
                high & bit != 0,
                low & bit != 0,
                visible_invocations,
                minutes,
            );
            wake_at = watch.wake_at;
            if watch.scale_out_from != scale_out_from {
                scale_out_from = watch.scale_out_from;
                scale_out_flags = None;
            }
            if watch.scale_in_below != scale_in_below {
                scale_in_below = watch.scale_in_below;
                scale_in_flags = None;
            }
            if let Some(changed) = watch.fleet {
                fleet = changed;
                let next = stretch & !through;
                above = above & through | here.at_least(fleet.above_from) & next;
                below = below & through | here.at_most(fleet.below_to) & next;
                throttled = !here.at_most(fleet.serving) & next;
                (high, low) = alarms(past_above, past_below, above, below, delay);
            }
        }
        // The flags past `span` leave through the top.
        past_above = past_above >> span | u128::from(above) << (u128::BITS as u64 - span);
        past_below = past_below >> span | u128::from(below) << (u128::BITS as u64 - span);
        start += span;
    }
    run.figures(
        minutes,
        served_total,
        unserved_total,
        underprovisioned_minutes,
        backlog,
        queued_request_seconds,
        None,
    )
}

lane_loop_versions! {
    /// Steps [`LANES`] runs through `demand` together, their fleets queueing what they cannot
    /// serve (`QUEUE`) or dropping it: their figures, all but the demand total. Runs on the
    /// widest vectors the CPU has ([`super::VectorWidth`]), with the same bits on every CPU.
    fn step_lanes[H: History, const QUEUE: bool](
        demand: &[f64],
        service: KernelService,
        runs: [Run; LANES],
    ) -> [RunFigures; LANES] = step_lanes_portable::<H, QUEUE>;
}

/// [`step_lanes`]'s body, inlined into each of its versions.
#[inline(always)]
fn step_lanes_portable<H: History, const QUEUE: bool>(
    demand: &[f64],
    service: KernelService,
    mut runs: [Run; LANES],
    // Unused: the compiler vectorises this body for each width by itself.
    _width: VectorWidth,
) -> [RunFigures; LANES] {
    let mut lanes = Lanes::<H, QUEUE>::new(&mut runs);
    // The general engine's own sink, fed the records it would be fed: the latency estimate per
    // minute costs more than all the rest, so the kernel does not recompute it its own way.
    let mut levels: Option<[Option<ServiceLevelSink>; LANES]> =
        service.service_level.map(|(service_time_s, slo)| {
            runs.each_ref().map(|run| {
                ServiceLevelSink::new(service_time_s, run.config.capacity_per_min, slo).ok()
            })
        });
    let minutes = demand.len() as u64;
    let delays = runs.each_ref().map(|run| run.config.delay);
    // Before a lane's delay has passed no datapoint is visible and its alarms stay OK: what it
    // reads as visible then does not matter.
    let visible_at = |minute: usize, delay: usize| demand[minute.saturating_sub(delay)];
    let mut each_minute = |minute: usize, visible: [f64; LANES]| {
        let minute_index = minute;
        let minute = minute as u64;
        let invocations = demand[minute_index];
        let mut attention = lanes.step(minute, invocations, visible);
        if let Some(levels) = &mut levels {
            for (lane, level) in levels.iter_mut().enumerate() {
                let Some(level) = level else { continue };
                let served = lanes.served[lane];
                level.on_step(&StepRecord {
                    step_idx: minute,
                    t_s: minute * MINUTE_S,
                    step_s: MINUTE_S,
                    demand: invocations,
                    served,
                    unserved: if QUEUE { 0.0 } else { invocations - served },
                    backlog: if QUEUE { lanes.backlog[lane] } else { 0.0 },
                    in_service: runs[lane].in_service,
                    desired: runs[lane].desired,
                    pending: 0,
                    capacity: lanes.serving[lane],
                    metric: None,
                    panic: None,
                    active_sessions: None,
                    requests: None,
                });
            }
        }
        while attention != 0 {
            let lane = attention.trailing_zeros() as usize;
            attention &= attention - 1;
            lanes.attend(&mut runs[lane], lane, minute, visible[lane], minutes);
        }
    };
    if delays.iter().all(|&delay| delay == delays[0]) {
        for minute in 0..demand.len() {
            each_minute(minute, [visible_at(minute, delays[0]); LANES]);
        }
    } else {
        for minute in 0..demand.len() {
            each_minute(minute, delays.map(|delay| visible_at(minute, delay)));
        }
    }
    std::array::from_fn(|lane| {
        runs[lane].figures(
            minutes,
            lanes.served_total[lane],
            lanes.unserved_total[lane],
            lanes.underprovisioned_minutes[lane],
            lanes.backlog[lane],
            lanes.queued_request_seconds[lane],
            levels
                .as_ref()
                .and_then(|levels| levels[lane].as_ref())
                .map(ServiceLevelSink::service_level),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_split_the_values_exactly_where_the_quotient_crosses_the_bound() {
        for divisor in [
            1.0,
            2.0,
            3.0,
            7.0,
            10.0,
            49.0,
            1000.0,
            0.1,
            1.0 / 3.0,
            123.456,
            1e100,
        ] {
            for bound in [
                0.0,
                0.1,
                1.0,
                3.0,
                7.0,
                45.5,
                70.0,
                1.0 / 3.0,
                123.456,
                0.9 * 45.5,
                1e300,
            ] {
                let quotient = |x: f64| x / divisor;
                let above = least_above(bound, divisor);
                assert!(quotient(above) > bound, "{bound} {divisor}");
                assert!(quotient(above.next_down()) <= bound, "{bound} {divisor}");
                if bound > 0.0 {
                    let below = greatest_below(bound, divisor);
                    assert!(quotient(below) < bound, "{bound} {divisor}");
                    assert!(quotient(below.next_up()) >= bound, "{bound} {divisor}");
                }
            }
        }
    }
}
