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
//! The fleet throttles or queues (a const parameter, so the throttle's loop carries no queue).
//! Given a service time, each lane's minute is also handed, as a [`StepRecord`], to the general
//! engine's own [`ServiceLevelSink`]: its latency estimate costs more than the rest of the
//! minute, and computing it any other way would risk the bits.

use std::collections::VecDeque;
use std::ops::{BitAnd, BitOr, Shl};

use crate::autoscaler::aws::TargetTracking;
use crate::capacity::CapacityBounds;
use crate::demand::Demand;
use crate::fleet::{FleetConfig, ServiceModel};
use crate::kernel::{KernelService, RunFigures, lane_loop_versions};
use crate::metrics::Summary;
use crate::service_level::ServiceLevelSink;
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
    let mut summaries = vec![None; runs.len()];
    if demand.step_s() != MINUTE_S || demand.as_slice().is_empty() {
        return summaries;
    }
    let applicable: Vec<(usize, Run)> = runs
        .iter()
        .enumerate()
        .filter_map(|(index, (fleet, policy))| Some((index, Run::new(*fleet, policy)?)))
        .collect();
    let demand_total = demand.total();
    for group in applicable.chunks(LANES) {
        // A short last group repeats its first run in the spare lanes.
        let lanes: [Run; LANES] =
            std::array::from_fn(|lane| group.get(lane).unwrap_or(&group[0]).1.clone());
        let needs_wide_history = group
            .iter()
            .any(|(_, run)| run.delay + LOW_DATAPOINTS as usize > u64::BITS as usize);
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
    summaries
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

/// A run's state off the hot path: its policy, its fleet, and what it has counted so far.
#[derive(Debug, Clone)]
struct Run {
    bounds: CapacityBounds,
    target: f64,
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
        let provisioning = fleet.provisioning_s / MINUTE_S;
        let in_service = bounds.clamp(fleet.initial_instances);
        Some(Self {
            bounds,
            target: config.target_value(),
            low_threshold: LOW_THRESHOLD_RATIO * config.target_value(),
            capacity_per_min: capacity,
            delay: (policy.metric_delay_s() / MINUTE_S) as usize,
            provisioning,
            scale_in_allowed: !config.disable_scale_in() && !scaling_in_suspended,
            scaling_out_suspended,
            scale_in_cooldown_min: config.scale_in_cooldown_s().div_ceil(MINUTE_S),
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
            fleet_thresholds: vec![
                (f64::NAN, f64::NAN);
                bounds.max().min(KEPT_THRESHOLDS) as usize + 1
            ],
            count_thresholds: vec![f64::NAN; bounds.max().min(KEPT_THRESHOLDS) as usize + 1],
        })
    }

    /// The datapoint thresholds of `instances` in service: invocations from which the
    /// datapoint is above the target, and up to which it is below 0.9 × target.
    fn fleet_thresholds(&mut self, instances: u32) -> (f64, f64) {
        let find = |run: &Self| {
            let divisor = f64::from(instances);
            (
                least_above(run.target, divisor),
                greatest_below(run.low_threshold, divisor),
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
                let found = least_above(f64::from(count), self.target);
                self.count_thresholds[count as usize] = found;
                found
            }
            None => least_above(f64::from(count), self.target),
        }
    }

    /// What the in-service instances serve in a minute, by the fleet's own expression.
    fn serving(&self) -> f64 {
        f64::from(self.in_service) * self.capacity_per_min * MINUTE_S as f64 / 60.0
    }

    /// The first minute at which a scale-in is no longer cooling down.
    fn cooled_at(&self) -> u64 {
        self.last_scale_in
            .map_or(0, |at| at + self.scale_in_cooldown_min)
    }

    /// The policy's decision at `minute`, with AlarmHigh (`high`) or AlarmLow in ALARM and
    /// `visible_invocations` the invocations of the newest visible datapoint, as the general
    /// engine takes it.
    fn decide(&mut self, minute: u64, high: bool, visible_invocations: f64) {
        let proposed = self
            .bounds
            .clamp((visible_invocations / self.target).ceil() as u32);
        let next = if high {
            if proposed <= self.desired || self.scaling_out_suspended {
                return;
            }
            self.last_scale_in = None;
            proposed
        } else {
            let cooling = minute < self.cooled_at();
            if !self.scale_in_allowed || cooling || proposed >= self.desired {
                return;
            }
            self.last_scale_in = Some(minute);
            proposed
        };
        if next > self.desired {
            let count = next - self.desired;
            if self.provisioning == 0 {
                self.in_service += count;
            } else {
                self.launches
                    .push_back((minute + 1 + self.provisioning, count));
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

    /// The least visible invocations at which AlarmHigh's decision scales out: above
    /// `desired` once divided by the target (ceil(v / target) > desired), or never.
    fn scale_out_from(&mut self) -> f64 {
        if self.scaling_out_suspended || self.desired >= self.bounds.max() {
            f64::INFINITY
        } else {
            self.count_threshold(self.desired)
        }
    }

    /// The visible invocations below which AlarmLow's decision at `minute` scales in (ceil(v /
    /// target) < desired), or never (−∞).
    fn scale_in_below(&mut self, minute: u64) -> f64 {
        if !self.scale_in_allowed || self.desired <= self.bounds.min() || minute < self.cooled_at()
        {
            f64::NEG_INFINITY
        } else {
            self.count_threshold(self.desired - 1)
        }
    }
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
                .map(|run| H::window(run.delay, HIGH_DATAPOINTS)),
            low_window: runs
                .each_ref()
                .map(|run| H::window(run.delay, LOW_DATAPOINTS)),
            scale_out_from: [0.0; LANES],
            scale_in_below: [0.0; LANES],
            wake_at: [u64::MAX; LANES],
        };
        for (lane, run) in runs.iter_mut().enumerate() {
            lanes.on_fleet_change(lane, run);
            lanes.on_policy_change(lane, run, 0);
        }
        lanes
    }

    fn on_fleet_change(&mut self, lane: usize, run: &mut Run) {
        self.serving[lane] = run.serving();
        (self.above_from[lane], self.below_to[lane]) = run.fleet_thresholds(run.in_service.max(1));
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

    /// The cold path of `lane` at the end of `minute`: its decision, then the launches due the
    /// next minute.
    #[cold]
    #[inline(never)]
    fn attend(&mut self, run: &mut Run, lane: usize, minute: u64, visible: f64, minutes: u64) {
        let in_service = run.in_service;
        let high = self.high_in_alarm(lane);
        if high || self.low_in_alarm(lane) {
            run.decide(minute, high, visible);
        }
        let next_minute = minute + 1;
        if run.next_due_from(next_minute) == next_minute {
            run.arrive(next_minute);
        }
        let cooled_at = run.cooled_at();
        let cooldown_end = if cooled_at > next_minute {
            cooled_at
        } else {
            u64::MAX
        };
        self.wake_at[lane] = run.next_due_from(next_minute).min(cooldown_end);
        self.on_policy_change(lane, run, next_minute);
        if run.in_service != in_service {
            run.count_to(next_minute, in_service, next_minute < minutes);
            self.on_fleet_change(lane, run);
        }
    }
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
) -> [RunFigures; LANES] {
    let mut lanes = Lanes::<H, QUEUE>::new(&mut runs);
    // The general engine's own sink, fed the records it would be fed: the latency estimate per
    // minute costs more than all the rest, so the kernel does not recompute it its own way.
    let mut levels: Option<[Option<ServiceLevelSink>; LANES]> =
        service.service_level.map(|(service_time_s, slo)| {
            runs.each_ref()
                .map(|run| ServiceLevelSink::new(service_time_s, run.capacity_per_min, slo).ok())
        });
    let minutes = demand.len() as u64;
    let delays = runs.each_ref().map(|run| run.delay);
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
        let run = &mut runs[lane];
        run.count_to(minutes, run.in_service, false);
        let summary = Summary {
            steps: minutes,
            duration_s: minutes * MINUTE_S,
            instance_seconds: run.instance_minutes * MINUTE_S,
            peak_in_service: run.peak_in_service,
            min_in_service: run.min_in_service,
            served_total: lanes.served_total[lane],
            unserved_total: lanes.unserved_total[lane],
            underprovisioned_steps: lanes.underprovisioned_minutes[lane],
            backlog_end: lanes.backlog[lane],
            queued_request_seconds: lanes.queued_request_seconds[lane],
            scale_out_events: run.scale_out_events,
            scale_in_events: run.scale_in_events,
            ..Summary::start(run.in_service)
        };
        RunFigures {
            summary,
            service_level: levels
                .as_ref()
                .and_then(|levels| levels[lane].as_ref())
                .map(ServiceLevelSink::service_level),
        }
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
