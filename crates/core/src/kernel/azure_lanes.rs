//! The lane kernel of Azure autoscale sweeps: [`LANES`] runs of the common rule shapes step
//! together over one pass of the demand, their hot state side by side in arrays.
//!
//! It takes a run when one profile is in force throughout, every rule watches CPU or requests
//! through one-minute grains of any statistic but `Count`, aggregated by any aggregation but
//! `Count`, not divided per instance, against a finite threshold; any scale type, cooldown,
//! metric delay and evaluation period. The per-run kernel ([`super::azure`]) takes the rest.
//!
//! **Invariant:** the summary is the general engine's bit for bit (property tests hold it to
//! that). The decisions are the engine's own: [`AzureAutoscale::evaluate_on`] reads the lane's
//! samples (kept as the engine keeps them, the CPU sample by the engine's own expression) and
//! the lane's [`Fleet`] carries them out. What the lanes add is a screen that proves, cheaply,
//! that an evaluation would change nothing, so that it need not run:
//! - A window's Average, Minimum, Maximum and Last lie between its smallest and largest sample,
//!   and its Total between W times those (W its minutes), each up to rounding far below a
//!   relative 1e-9. So a rule can fire only if some sample of its window passes its threshold
//!   loosened by that slack (divided by W for Total). Each minute's sample is screened once,
//!   and the rule marked "may fire" until the last evaluation whose window can reach it.
//! - A CPU window's Average or Total is screened closer: each sample rounded down to 2⁻²³ %
//!   is a whole number, so prefix sums of them (exact floats over any run) give the window's
//!   sum D exactly by one subtraction, and the real sum lies in [D, D + W] quanta; the rule may
//!   fire only if that range, loosened by the slack, reaches its threshold. When all lanes'
//!   windows end and start the same minutes back, the sums are read as whole rows of the ring.
//! - A scale-in to any count below C is skipped for flapping when an Increase rule's value
//!   projected to C − 1 instances fires it (the projection only grows as the count falls). For
//!   an Increase rule on a CPU window's Average or Total with `>` or `>=`, the screen proves it
//!   from the same sum D: the real sum is at least D quanta, so the projection surely fires
//!   from a D set, with the slack, by the threshold times (C − 1) / C, recomputed when the
//!   count changes. Such a rule counts as a Decrease rule that does not fire.
//! - When the screen lets an evaluation through, the rules' exact values (the engine's own
//!   `rule_value`) decide first whether a rule fires as the engine's evaluation would need;
//!   the evaluation then takes those values rather than reading the windows again.
//! - An evaluation changes something only if an Increase rule may fire below the profile's
//!   maximum, or every Decrease rule may fire above its minimum, and no cooldown runs; or in
//!   the first minutes, while windows are short of data (the screen's Total bound assumes W
//!   samples). Otherwise it would return nothing and set no cooldown, which is what skipping it
//!   does. A lane also leaves the hot path the minute before launches join, and then skips the
//!   evaluation if the screen stopped it.
//!
//! The rules combine as lane masks, gathered into one bit per lane only in the minutes some
//! lane leaves the hot path. A running cooldown clears its lane's masks; the ends of
//! cooldowns and the launches joining are kept as one earliest minute for all lanes, checked
//! once a minute, and the first minutes' evaluations by one test of the latest, rather than
//! lane by lane every minute.
//!
//! Every float of the summary is added in step order as the engine adds it.

use crate::autoscaler::Autoscaler;
use crate::autoscaler::azure::{
    AzureAutoscale, AzureMetric, ComparisonOperator, MAX_RULES, MinuteSeries, ScaleDirection,
    Statistic, TimeAggregation, cpu_percentage, rule_value,
};
use crate::demand::Demand;
use crate::fleet::{Fleet, FleetConfig};
use crate::kernel::{VectorWidth, lane_loop_versions};
use crate::metrics::Summary;
use crate::sim::Simulation;

const MINUTE_S: u64 = 60;
/// How many runs step together through each minute: hand the kernel runs in multiples of this.
pub const LANES: usize = 8;
/// The screen's relative slack: far above the rounding of a window's aggregate (at most 720
/// samples, each operation rounding by 2⁻⁵³), far below any gap a threshold is set to find.
const SLACK: f64 = 1e-9;
/// The screen's absolute slack, for thresholds near zero.
const TINY: f64 = 1e-300;
/// CPU samples are screened in units of 2⁻²³ percent, rounded down: whole numbers, so the
/// running sum of a lane's samples over a whole run, at most [`crate::MAX_STEPS`] × 100 × 2²³
/// < 2⁵³, is exact in a float, and so is the difference of two such sums (a window's).
const QUANTUM: f64 = (1u64 << 23) as f64;
/// Demand up to this keeps every window's Total finite (720 minutes of it), which the
/// screen's bounds assume.
const MAX_SCREENED_DEMAND: f64 = 1e290;

/// How the hot path screens one rule's samples: a sample in `[lo, hi]` may make it fire.
#[derive(Debug, Clone, Copy)]
struct Screen {
    lo: f64,
    hi: f64,
    cpu: bool,
    increase: bool,
    decrease: bool,
    /// The metric delay and window, minutes: a sample of minute f is in the window of the
    /// evaluations of minutes up to f + span, exclusive.
    span: u64,
    /// A CPU window's Average or Total, screened by its sum instead: the rule may fire only if
    /// the window's quantized sum D (each sample rounded down) has `D >= sum_from` and `D <=
    /// sum_to`.
    by_sum: bool,
    sum_from: f64,
    sum_to: f64,
    /// For an Increase rule on a CPU window's Average or Total with `>` or `>=`, its threshold
    /// in quanta of the window's sum (as `sum_from` before loosening): see
    /// [`Lanes::flap_from`]. Otherwise NaN.
    flap_quanta: f64,
}

/// The screens of `autoscale`'s rules, and the minutes before which its lane always goes to
/// the cold path; `None` when the lanes do not cover it.
fn screens(autoscale: &AzureAutoscale) -> Option<(Vec<Screen>, u64)> {
    let (setting, changes, delay) = autoscale.shape();
    let [(0, profile)] = changes else {
        return None;
    };
    let rules = &setting.profiles[*profile].rules;
    let mut screens = Vec::with_capacity(rules.len());
    let mut warm_from = delay + 1;
    for rule in rules {
        let trigger = &rule.trigger;
        let covered = trigger.time_grain_min == 1
            && trigger.statistic != Statistic::Count
            && trigger.time_aggregation != TimeAggregation::Count
            && !trigger.divide_per_instance
            && trigger.threshold.is_finite();
        if !covered {
            return None;
        }
        let window = u64::from(trigger.time_window_min);
        warm_from = warm_from.max(delay + window + 1);
        let threshold = if trigger.time_aggregation == TimeAggregation::Total {
            trigger.threshold / window as f64
        } else {
            trigger.threshold
        };
        let below = threshold - threshold.abs() * SLACK - TINY;
        let above = threshold + threshold.abs() * SLACK + TINY;
        // Equality needs a sample at or above the threshold and one at or below it, maybe
        // another: only the first is a bound on one sample.
        let (lo, hi) = match trigger.operator {
            ComparisonOperator::GreaterThan
            | ComparisonOperator::GreaterThanOrEqual
            | ComparisonOperator::Equals => (below, f64::INFINITY),
            ComparisonOperator::LessThan | ComparisonOperator::LessThanOrEqual => {
                (f64::NEG_INFINITY, above)
            }
            ComparisonOperator::NotEquals => (f64::NEG_INFINITY, f64::INFINITY),
        };
        // The window's samples summed in float are within a relative 720 × 2⁻⁵³ of their real
        // sum S, which lies in [D, D + W] quanta: the slack covers the first, the W the second.
        let per_window = match trigger.time_aggregation {
            TimeAggregation::Average => window as f64,
            _ => 1.0,
        };
        let quanta = trigger.threshold * per_window * QUANTUM;
        let (sum_from, sum_to) = match trigger.operator {
            ComparisonOperator::GreaterThan | ComparisonOperator::GreaterThanOrEqual => (
                quanta - quanta.abs() * SLACK - window as f64 - 1.0,
                f64::INFINITY,
            ),
            ComparisonOperator::LessThan | ComparisonOperator::LessThanOrEqual => {
                (f64::NEG_INFINITY, quanta + quanta.abs() * SLACK + 1.0)
            }
            ComparisonOperator::Equals => (
                quanta - quanta.abs() * SLACK - window as f64 - 1.0,
                quanta + quanta.abs() * SLACK + 1.0,
            ),
            ComparisonOperator::NotEquals => (f64::NEG_INFINITY, f64::INFINITY),
        };
        let cpu = trigger.metric == AzureMetric::CpuUtilizationPercentage;
        let by_sum = cpu
            && matches!(
                trigger.time_aggregation,
                TimeAggregation::Average | TimeAggregation::Total
            );
        let flaps = by_sum
            && rule.action.direction == ScaleDirection::Increase
            && matches!(
                trigger.operator,
                ComparisonOperator::GreaterThan | ComparisonOperator::GreaterThanOrEqual
            );
        screens.push(Screen {
            by_sum,
            flap_quanta: if flaps { quanta } else { f64::NAN },
            sum_from,
            sum_to,
            lo,
            hi,
            cpu,
            increase: rule.action.direction == ScaleDirection::Increase,
            decrease: rule.action.direction == ScaleDirection::Decrease,
            span: delay + window,
        });
    }
    Some((screens, warm_from))
}

/// All ones for true, zero for false.
#[inline(always)]
fn mask(holds: bool) -> u64 {
    u64::from(holds).wrapping_neg()
}

/// Whether the lanes' screens hold over `demand`: once per sweep, not per run.
pub(crate) fn screens_demand(demand: &Demand) -> bool {
    demand.as_slice().iter().all(|&d| d <= MAX_SCREENED_DEMAND)
}

/// Whether the lanes take the run, on a demand [`screens_demand`] accepts: the engine would
/// build it and its rules are covered.
pub(crate) fn covers(demand: &Demand, config: FleetConfig, autoscale: &AzureAutoscale) -> bool {
    screens(autoscale).is_some()
        && reach(autoscale) < RING as u64
        && Simulation::builder(config)
            .autoscaler(autoscale.clone())
            .demand(demand)
            .build()
            .is_ok()
}

/// A lane's samples as the engine's evaluation reads them: the CPU samples of the minutes a
/// window can reach, copied out of the lanes' ring before each evaluation, requests read from
/// the demand itself. The copies are kept as the engine's history keeps its samples, each
/// twice, `len` apart, so that a window is one slice; `len` is a power of two, so that a
/// minute's slot is a mask, and each evaluation copies only the minutes since the last one.
struct LaneSeries<'a> {
    /// Minute m's CPU sample at `m % len` and `m % len + len`, for the last `len` minutes.
    cpu: Vec<f64>,
    len: u64,
    recorded: u64,
    demand: &'a [f64],
}

impl<'a> LaneSeries<'a> {
    fn new(autoscale: &AzureAutoscale, demand: &'a [f64]) -> Self {
        let len = reach(autoscale).next_power_of_two();
        Self {
            cpu: vec![0.0; 2 * len as usize],
            len,
            recorded: 0,
            demand,
        }
    }

    /// Copies `lane`'s samples through `minute` out of `ring`: those not copied yet, of the
    /// last `len` minutes.
    fn catch_up(&mut self, ring: &Ring<f64>, lane: usize, minute: u64) {
        let through = minute + 1;
        for at in self.recorded.max(through.saturating_sub(self.len))..through {
            let sample = ring[slot(at)][lane];
            let at = (at & (self.len - 1)) as usize;
            self.cpu[at] = sample;
            self.cpu[at + self.len as usize] = sample;
        }
        self.recorded = through;
    }
}

impl MinuteSeries for LaneSeries<'_> {
    fn recorded(&self) -> u64 {
        self.recorded
    }

    // The engine's request sample is 0.0 + arrivals, the demand itself but for the sign of a
    // zero, which no comparison or projection of a rule can tell.
    fn minutes(&self, metric: AzureMetric, from: u64, to: u64) -> &[f64] {
        match metric {
            AzureMetric::RequestsPerMinute => &self.demand[from as usize..to as usize],
            // A window reaches no more than `len` minutes back from the newest recorded, so
            // its slice, from its oldest minute's first slot, holds no older minute's sample.
            AzureMetric::CpuUtilizationPercentage => {
                let start = (from & (self.len - 1)) as usize;
                &self.cpu[start..start + (to - from) as usize]
            }
        }
    }
}

/// Minutes a ring of the lanes holds: more than any covered window and delay reach back.
const RING: usize = 1024;
/// Per minute, `RING` minutes round, every lane's value side by side.
type Ring<T> = [[T; LANES]; RING];

/// The slot of minute `at` in a ring.
fn slot(at: u64) -> usize {
    (at % RING as u64) as usize
}

/// The minutes an evaluation of `autoscale` reads back from the newest: its longest window and
/// its delay, and one more.
fn reach(autoscale: &AzureAutoscale) -> u64 {
    let (setting, _, delay) = autoscale.shape();
    let longest_window = setting
        .profiles
        .iter()
        .flat_map(|p| &p.rules)
        .map(|r| u64::from(r.trigger.time_window_min))
        .max()
        .unwrap_or(1);
    longest_window + delay + 1
}

/// A ring of zeros, on the heap.
fn ring<T: Copy + Default>() -> Box<Ring<T>> {
    let Ok(ring) = vec![[T::default(); LANES]; RING]
        .into_boxed_slice()
        .try_into()
    else {
        unreachable!("the vector has RING slots")
    };
    ring
}

/// A lane's state off the hot path: its engine, fleet, samples and what it has counted.
struct Run<'a> {
    autoscale: AzureAutoscale,
    fleet: Fleet,
    series: LaneSeries<'a>,
    cooldown: Option<(u64, u64)>,
    enabled: bool,
    /// The metric delay, minutes.
    delay: u64,
    minimum: u32,
    maximum: u32,
    has_decrease: bool,
    /// Σ in service × minutes up to `counted_to`, exclusive.
    instance_minutes: u64,
    counted_to: u64,
    peak_in_service: u32,
    min_in_service: u32,
    scale_out_events: u64,
    scale_in_events: u64,
}

impl Run<'_> {
    /// Whether the evaluation at the end of `minute`, once every rule has a full window, may
    /// change anything: whether an Increase rule fires, or every Decrease rule does, as the
    /// engine's evaluation first asks, from the same values. When not, the evaluation would
    /// return nothing and set no cooldown. The values read go to `values`, by rule, so that
    /// the evaluation, which reads them first, takes them instead of reading them again.
    fn may_act(&self, minute: u64, values: &mut [Option<f64>; MAX_RULES]) -> bool {
        let newest = Some(minute - self.delay);
        let count = self.fleet.desired();
        let (setting, changes, _) = self.autoscale.shape();
        let rules = &setting.profiles[changes[0].1].rules;
        let mut fires = |rule: usize| {
            let trigger = &rules[rule].trigger;
            let value = rule_value(&self.series, trigger, newest, count);
            values[rule] = value;
            value.is_some_and(|value| trigger.operator.holds(value, trigger.threshold))
        };
        let direction = |direction| move |rule: &usize| rules[*rule].action.direction == direction;
        let mut increase = (0..rules.len()).filter(direction(ScaleDirection::Increase));
        let mut decrease = (0..rules.len()).filter(direction(ScaleDirection::Decrease));
        increase.any(&mut fires) || (self.has_decrease && decrease.all(&mut fires))
    }
}

/// The hot state of [`LANES`] runs, one array per quantity.
struct Lanes {
    serving: [f64; LANES],
    served_total: [f64; LANES],
    unserved_total: [f64; LANES],
    underprovisioned_minutes: [u64; LANES],
    cpu: [f64; LANES],
    /// Rules screened: the most any lane has.
    rules: usize,
    lo: [[f64; LANES]; MAX_RULES],
    hi: [[f64; LANES]; MAX_RULES],
    /// All ones where the rule reads CPU, else zero: masks rather than bools, so that the
    /// screen is lane-wise bit arithmetic, which vectorizes.
    cpu_metric: [[u64; LANES]; MAX_RULES],
    /// Per rule, all ones in the lanes in which it is an Increase (a Decrease) rule.
    increase: [[u64; LANES]; MAX_RULES],
    decrease: [[u64; LANES]; MAX_RULES],
    span: [[u64; LANES]; MAX_RULES],
    /// The minute up to which (exclusive) the rule may fire, from the samples screened so far.
    may_fire_until: [[u64; LANES]; MAX_RULES],
    /// All ones where the rule is screened by its window's sum, else zero.
    by_sum: [[u64; LANES]; MAX_RULES],
    /// Whether some lane screens the rule by its samples, by its sum: the sweeps that vary no
    /// window or metric screen every lane of a rule the same way, and skip the other screen.
    any_by_samples: [bool; MAX_RULES],
    any_by_sum: [bool; MAX_RULES],
    sum_from: [[f64; LANES]; MAX_RULES],
    sum_to: [[f64; LANES]; MAX_RULES],
    /// The screens' `flap_quanta`, and the window sums from which the rule, an Increase one,
    /// certainly makes a scale-in flap at the lane's count ([`Lanes::flap_from`]).
    flap_quanta: [[f64; LANES]; MAX_RULES],
    flap_from: [[f64; LANES]; MAX_RULES],
    /// Minutes back from the prefix sum through the newest minute to where the rule's
    /// window ends (the delay) and to where it starts (delay + window).
    newest_back: [u64; LANES],
    oldest_back: [[u64; LANES]; MAX_RULES],
    /// Each lane's CPU samples.
    cpu_ring: Box<Ring<f64>>,
    /// Each lane's prefix sums of its quantized CPU samples, the one at minute m summing
    /// minutes before m: a window's sum is a difference.
    prefix: Box<Ring<f64>>,
    /// When every lane's windows end and start the same minutes back (a sweep over anything
    /// but the windows and delay), those offsets: the sums are then read as whole rows of the
    /// ring, which vectorizes, instead of lane by lane.
    shared_back: Option<(u64, [u64; MAX_RULES])>,
    /// All ones in the lanes in which an Increase rule could raise the count (below the
    /// maximum) and no cooldown runs.
    can_out: [u64; LANES],
    /// All ones in the lanes in which Decrease rules could lower it (some exist, above the
    /// minimum) and no cooldown runs.
    can_in: [u64; LANES],
    /// The same by the count alone.
    count_out: [bool; LANES],
    count_in: [bool; LANES],
    /// The first minute at whose end the running cooldown no longer stops the evaluation;
    /// `u64::MAX` when none runs.
    quiet_end: [u64; LANES],
    /// The minute at whose end launches join (for the next).
    wake_at: [u64; LANES],
    /// The earliest of every lane's `quiet_end` and `wake_at`: the hot path checks this one
    /// minute rather than the lanes' every minute, which would cost a vector comparison each
    /// (three instructions apiece for unsigned 64-bit ones on AVX2).
    next_event: u64,
    /// Minutes before this go to the cold path whatever the screen says.
    warm_from: [u64; LANES],
    /// The latest of them.
    warm_until: u64,
}

impl Lanes {
    fn new(runs: &[Run<'_>; LANES], screens: &[(Vec<Screen>, u64); LANES]) -> Self {
        let mut lanes = Self {
            serving: runs.each_ref().map(|run| run.fleet.capacity()),
            served_total: [0.0; LANES],
            unserved_total: [0.0; LANES],
            underprovisioned_minutes: [0; LANES],
            cpu: [0.0; LANES],
            rules: screens.iter().map(|(s, _)| s.len()).max().unwrap_or(0),
            lo: [[f64::INFINITY; LANES]; MAX_RULES],
            hi: [[f64::NEG_INFINITY; LANES]; MAX_RULES],
            cpu_metric: [[0; LANES]; MAX_RULES],
            increase: [[0; LANES]; MAX_RULES],
            decrease: [[0; LANES]; MAX_RULES],
            span: [[0; LANES]; MAX_RULES],
            may_fire_until: [[0; LANES]; MAX_RULES],
            by_sum: [[0; LANES]; MAX_RULES],
            any_by_samples: [false; MAX_RULES],
            any_by_sum: [false; MAX_RULES],
            sum_from: [[f64::NEG_INFINITY; LANES]; MAX_RULES],
            sum_to: [[f64::INFINITY; LANES]; MAX_RULES],
            flap_quanta: [[f64::NAN; LANES]; MAX_RULES],
            flap_from: [[f64::INFINITY; LANES]; MAX_RULES],
            newest_back: runs.each_ref().map(|run| run.delay),
            oldest_back: [[0; LANES]; MAX_RULES],
            cpu_ring: ring(),
            prefix: ring(),
            can_out: [0; LANES],
            can_in: [0; LANES],
            count_out: [false; LANES],
            count_in: [false; LANES],
            quiet_end: [u64::MAX; LANES],
            wake_at: [u64::MAX; LANES],
            next_event: u64::MAX,
            warm_from: screens.each_ref().map(|(_, warm_from)| *warm_from),
            warm_until: screens
                .iter()
                .map(|(_, warm_from)| *warm_from)
                .max()
                .unwrap_or(0),
            shared_back: None,
        };
        for (lane, (rules, _)) in screens.iter().enumerate() {
            for (rule, screen) in rules.iter().enumerate() {
                lanes.lo[rule][lane] = screen.lo;
                lanes.hi[rule][lane] = screen.hi;
                lanes.cpu_metric[rule][lane] = mask(screen.cpu);
                lanes.increase[rule][lane] = mask(screen.increase);
                lanes.decrease[rule][lane] = mask(screen.decrease);
                lanes.span[rule][lane] = screen.span;
                lanes.by_sum[rule][lane] = mask(screen.by_sum);
                lanes.sum_from[rule][lane] = screen.sum_from;
                lanes.sum_to[rule][lane] = screen.sum_to;
                lanes.flap_quanta[rule][lane] = screen.flap_quanta;
                lanes.oldest_back[rule][lane] = screen.span;
            }
            lanes.on_count_change(lane, &runs[lane]);
        }
        for rule in 0..lanes.rules {
            lanes.any_by_samples[rule] = lanes.by_sum[rule].contains(&0);
            lanes.any_by_sum[rule] = lanes.by_sum[rule].contains(&u64::MAX);
        }
        lanes.shared_back = lanes.shared_back();
        lanes
    }

    /// The offsets every lane's sums read, if they are the same: a rule's sum matters only in
    /// the lanes screened by it.
    fn shared_back(&self) -> Option<(u64, [u64; MAX_RULES])> {
        let mut newest = None;
        let mut oldest = [0; MAX_RULES];
        for (rule, oldest) in oldest.iter_mut().enumerate().take(self.rules) {
            let mut shared = None;
            for lane in (0..LANES).filter(|&lane| self.by_sum[rule][lane] != 0) {
                let back = (self.newest_back[lane], self.oldest_back[rule][lane]);
                if *newest.get_or_insert(back.0) != back.0
                    || *shared.get_or_insert(back.1) != back.1
                {
                    return None;
                }
            }
            *oldest = shared.unwrap_or(0);
        }
        Some((newest.unwrap_or(0), oldest))
    }

    fn on_count_change(&mut self, lane: usize, run: &Run<'_>) {
        let desired = run.fleet.desired();
        for rule in 0..self.rules {
            self.flap_from[rule][lane] = Self::flap_from(self.flap_quanta[rule][lane], desired);
        }
        self.count_out[lane] = run.enabled && desired < run.maximum;
        self.count_in[lane] = run.enabled && run.has_decrease && desired > run.minimum;
        self.refresh(lane);
    }

    /// The window sum (in quanta, each sample rounded down) from which an Increase rule of
    /// `flap_quanta` ([`Screen::flap_quanta`]) certainly fires when its value is projected
    /// to one instance fewer than `count`, the engine's flapping test for a scale-in to
    /// `count` − 1; `+∞` when no sum is sure to. The projection `(value × count) / c` only
    /// grows as c falls, so such a rule flaps at every count a scale-in could go to: when
    /// all Decrease rules fire and no Increase rule does, the evaluation skips the scale-in
    /// for flapping and changes nothing, and the screen need not let it through.
    ///
    /// The real sum S of the window's samples is at least D quanta (D the rounded-down sum),
    /// and the engine's projected value is S / W (or S, for Total) times count / (count − 1)
    /// within a relative 10⁻¹³ of rounding: above the threshold T when D exceeds
    /// T · W · 2²³ · (count − 1) / count by more than the slack.
    fn flap_from(flap_quanta: f64, count: u32) -> f64 {
        if flap_quanta.is_nan() || count < 2 {
            return f64::INFINITY;
        }
        let quanta = flap_quanta * f64::from(count - 1) / f64::from(count);
        quanta + quanta.abs() * SLACK + 1.0
    }

    /// The masks the hot path reads, from the count and the cooldown.
    fn refresh(&mut self, lane: usize) {
        let quiet = self.quiet_end[lane] != u64::MAX;
        self.can_out[lane] = mask(self.count_out[lane] && !quiet);
        self.can_in[lane] = mask(self.count_in[lane] && !quiet);
    }

    /// The lanes whose evaluation at the end of `minute` runs whatever the screen says, while
    /// windows are short of data, one bit each.
    #[cold]
    #[inline(never)]
    fn warm(&self, minute: u64) -> u32 {
        (0..LANES).fold(0, |bits, lane| {
            bits | u32::from(minute < self.warm_from[lane]) << lane
        })
    }

    /// At `next_event`: the cooldowns that end (their lanes screened again from this minute),
    /// and the lanes whose launches join at the end of `minute`, one bit each.
    #[cold]
    #[inline(never)]
    fn events(&mut self, minute: u64) -> u32 {
        let mut woken = 0;
        for lane in 0..LANES {
            if minute >= self.quiet_end[lane] {
                self.quiet_end[lane] = u64::MAX;
                self.refresh(lane);
            }
            woken |= u32::from(minute == self.wake_at[lane]) << lane;
        }
        self.next_event = self.next_event();
        woken
    }

    fn next_event(&self) -> u64 {
        let quiet_end = self.quiet_end.iter().min();
        let wake_at = self.wake_at.iter().min();
        quiet_end.min(wake_at).copied().unwrap_or(u64::MAX)
    }

    /// One minute of every lane over `arrivals`: the lanes whose evaluation the screen lets
    /// through, one bit each.
    #[inline(always)]
    // One index walks a dozen arrays in step: what the vectorizer reads best.
    #[allow(clippy::needless_range_loop)]
    fn step<const SHARED_BACK: bool>(
        &mut self,
        minute: u64,
        arrivals: f64,
        (shared_newest, shared_oldest): &(u64, [u64; MAX_RULES]),
    ) -> u32 {
        for lane in 0..LANES {
            let serving = self.serving[lane];
            let served = arrivals.min(serving);
            let unserved = arrivals - served;
            self.served_total[lane] += served;
            self.unserved_total[lane] += unserved;
            self.underprovisioned_minutes[lane] += u64::from(unserved > 0.0);
            // As the engine's minute in progress: its sums start at 0.0.
            self.cpu[lane] = cpu_percentage(0.0 + served, 0.0 + serving);
        }
        self.cpu_ring[slot(minute)] = self.cpu;
        let previous = self.prefix[slot(minute)];
        // A sample of [0, 100] times 2²³ is exact, and so is its floor.
        self.prefix[slot(minute + 1)] =
            std::array::from_fn(|lane| previous[lane] + (self.cpu[lane] * QUANTUM).floor());
        // In the first minutes these read slots not yet written, but a lane goes to the cold
        // path then whatever its screen says.
        let through = minute + 1;
        let newest: [f64; LANES] = if SHARED_BACK {
            self.prefix[slot(through.wrapping_sub(*shared_newest))]
        } else {
            std::array::from_fn(|lane| {
                self.prefix[slot(through.wrapping_sub(self.newest_back[lane]))][lane]
            })
        };
        // Lane masks throughout, and one bit per lane only once a lane needs the cold path: a
        // mask per rule gathered into bits would cost a dozen instructions a rule.
        let mut increase_may = [0u64; LANES];
        let mut decrease_blocked = [0u64; LANES];
        for rule in 0..self.rules {
            let by_sum = self.by_sum[rule];
            let mut by_samples = [0u64; LANES];
            if self.any_by_samples[rule] {
                let mut until = self.may_fire_until[rule];
                for lane in 0..LANES {
                    let cpu_metric = self.cpu_metric[rule][lane];
                    let sample = f64::from_bits(
                        (self.cpu[lane].to_bits() & cpu_metric)
                            | (arrivals.to_bits() & !cpu_metric),
                    );
                    let flagged =
                        mask((sample >= self.lo[rule][lane]) & (sample <= self.hi[rule][lane]));
                    until[lane] =
                        ((minute + self.span[rule][lane]) & flagged) | (until[lane] & !flagged);
                    // Signed, which AVX2 compares in one instruction: both are minutes, far
                    // below 2⁶³.
                    by_samples[lane] = mask((minute as i64) < (until[lane] as i64));
                }
                self.may_fire_until[rule] = until;
            }
            let mut in_range = [0u64; LANES];
            if self.any_by_sum[rule] {
                // Rows copied out before anything is stored, so that the compiler, which
                // cannot tell the rings from the lanes' arrays, still reads them whole.
                let oldest: [f64; LANES] = if SHARED_BACK {
                    self.prefix[slot(through.wrapping_sub(shared_oldest[rule]))]
                } else {
                    std::array::from_fn(|lane| {
                        self.prefix[slot(through.wrapping_sub(self.oldest_back[rule][lane]))][lane]
                    })
                };
                for lane in 0..LANES {
                    let sum = newest[lane] - oldest[lane];
                    in_range[lane] =
                        mask((sum >= self.sum_from[rule][lane]) & (sum <= self.sum_to[rule][lane]));
                    // A scale-in this rule would certainly call flapping is as good as a
                    // Decrease rule that does not fire.
                    decrease_blocked[lane] |= mask(sum >= self.flap_from[rule][lane]);
                }
            }
            for lane in 0..LANES {
                let may = (by_sum[lane] & in_range[lane]) | (!by_sum[lane] & by_samples[lane]);
                increase_may[lane] |= may & self.increase[rule][lane];
                decrease_blocked[lane] |= !may & self.decrease[rule][lane];
            }
        }
        let acts: [u64; LANES] = std::array::from_fn(|lane| {
            (increase_may[lane] & self.can_out[lane])
                | (!decrease_blocked[lane] & self.can_in[lane])
        });
        // Most minutes no lane needs the cold path: one test of all the masks together.
        if acts.iter().fold(0, |any, &acts| any | acts) == 0 {
            return 0;
        }
        (0..LANES).fold(0, |bits, lane| bits | ((acts[lane] & 1) as u32) << lane)
    }

    /// The cold path of `lane` at the end of `minute`: the engine's evaluation if the screen
    /// let it through (`screened`), then the launches that join at the next. An evaluation the
    /// screen stops would change nothing, whether or not launches join this minute.
    #[cold]
    #[inline(never)]
    fn attend(
        &mut self,
        run: &mut Run<'_>,
        lane: usize,
        (minute, minutes): (u64, u64),
        screened: bool,
    ) {
        let end_s = (minute + 1) * MINUTE_S;
        let in_service = run.fleet.in_service();
        let warm = minute < self.warm_from[lane];
        let evaluates = screened && run.autoscale.evaluates_at(end_s);
        if evaluates {
            run.series.catch_up(&self.cpu_ring, lane, minute);
        }
        let mut known = [None; MAX_RULES];
        if evaluates && (warm || run.may_act(minute, &mut known)) {
            let (proposal, _) = run.autoscale.evaluate_on(
                &run.series,
                &mut run.cooldown,
                end_s,
                run.fleet.desired(),
                &known,
            );
            if let Some(proposal) = proposal {
                let desired = proposal.bounds.clamp(proposal.desired);
                if let Some(change) =
                    run.fleet
                        .set_desired(desired, minute, proposal.removal, end_s)
                {
                    if change.to > change.from {
                        run.scale_out_events += 1;
                    } else {
                        run.scale_in_events += 1;
                    }
                }
                // The evaluation at the end of minute m runs once m + 1 reaches the minute of
                // the cooldown's end, rounded up: the screen takes the lane back from then.
                let quiet_until = run.cooldown.map_or(0, |(t_action_s, cooldown_s)| {
                    t_action_s.saturating_add(cooldown_s).div_ceil(MINUTE_S)
                });
                let quiet_end = quiet_until.saturating_sub(1);
                self.quiet_end[lane] = if quiet_end > minute + 1 {
                    quiet_end
                } else {
                    u64::MAX
                };
                self.on_count_change(lane, run);
            }
        }
        let next = minute + 1;
        if run.fleet.next_due_step() == Some(next) {
            run.fleet.admit_due_launches(next, end_s);
        }
        // A launch due at step s joins at the end of minute s − 1 (never, past u64's end).
        self.wake_at[lane] = run
            .fleet
            .next_due_step()
            .map_or(u64::MAX, |due| due.saturating_sub(1));
        // Only ever lowered here: one that is early (a lane's event moved later) makes
        // `events` run at a minute with nothing due, which then sets it right.
        self.next_event = self
            .next_event
            .min(self.wake_at[lane])
            .min(self.quiet_end[lane]);
        if run.fleet.in_service() != in_service {
            run.instance_minutes += u64::from(in_service) * (next - run.counted_to);
            run.counted_to = next;
            let now = run.fleet.in_service();
            if next < minutes {
                run.peak_in_service = run.peak_in_service.max(now);
                run.min_in_service = run.min_in_service.min(now);
            }
            self.serving[lane] = run.fleet.capacity();
        }
    }
}

/// The summaries of [`LANES`] covered runs over `demand`, all but the demand total; a short
/// group repeats its first run in the spare lanes.
pub(crate) fn summaries(
    demand: &[f64],
    group: &[(FleetConfig, &AzureAutoscale)],
) -> [Summary; LANES] {
    let runs: [Run<'_>; LANES] = std::array::from_fn(|lane| {
        let (config, autoscale) = group.get(lane).copied().unwrap_or(group[0]);
        let initial = autoscale.initial_bounds().clamp(config.initial_instances);
        let bounds = autoscale.initial_bounds();
        let (setting, changes, _) = autoscale.shape();
        let profile = &setting.profiles[changes[0].1];
        Run {
            autoscale: autoscale.clone(),
            fleet: Fleet::new(
                config.capacity_per_instance_per_min,
                initial,
                config.provisioning_s,
                MINUTE_S,
            ),
            series: LaneSeries::new(autoscale, demand),
            cooldown: None,
            enabled: setting.enabled,
            delay: autoscale.shape().2,
            minimum: bounds.min(),
            maximum: bounds.max(),
            has_decrease: profile
                .rules
                .iter()
                .any(|r| r.action.direction == ScaleDirection::Decrease),
            instance_minutes: 0,
            counted_to: 0,
            peak_in_service: initial,
            min_in_service: initial,
            scale_out_events: 0,
            scale_in_events: 0,
        }
    });
    let screens: [(Vec<Screen>, u64); LANES] = std::array::from_fn(|lane| {
        screens(&runs[lane].autoscale).unwrap_or_else(|| (Vec::new(), u64::MAX))
    });
    step_lanes(demand, runs, &screens)
}

lane_loop_versions! {
    /// Steps the lanes through `demand`, on the widest vectors the CPU has
    /// ([`super::VectorWidth`]), with the same bits on every CPU.
    fn step_lanes[](
        demand: &[f64],
        runs: [Run<'_>; LANES],
        screens: &[(Vec<Screen>, u64); LANES],
    ) -> [Summary; LANES] = step_lanes_portable;
}

/// [`step_lanes`]'s body, inlined into each of its versions.
#[inline(always)]
fn step_lanes_portable(
    demand: &[f64],
    mut runs: [Run<'_>; LANES],
    screens: &[(Vec<Screen>, u64); LANES],
    // Unused: the compiler vectorises this body for each width by itself.
    _width: VectorWidth,
) -> [Summary; LANES] {
    let mut lanes = Lanes::new(&runs, screens);
    let minutes = demand.len() as u64;
    // Read once: the offsets do not change while the lanes step.
    let shared_back = lanes.shared_back;
    let offsets = shared_back.unwrap_or_default();
    for (minute, &arrivals) in (0u64..).zip(demand) {
        // Cooldowns end before the screen reads the masks they clear.
        let woken = if minute >= lanes.next_event {
            lanes.events(minute)
        } else {
            0
        };
        let mut screened = if shared_back.is_some() {
            lanes.step::<true>(minute, arrivals, &offsets)
        } else {
            lanes.step::<false>(minute, arrivals, &offsets)
        };
        if minute < lanes.warm_until {
            screened |= lanes.warm(minute);
        }
        let mut attention = screened | woken;
        while attention != 0 {
            let lane = attention.trailing_zeros() as usize;
            attention &= attention - 1;
            let screened = screened & (1 << lane) != 0;
            lanes.attend(&mut runs[lane], lane, (minute, minutes), screened);
        }
    }
    std::array::from_fn(|lane| {
        let run = &mut runs[lane];
        let in_service = run.fleet.in_service();
        run.instance_minutes += u64::from(in_service) * (minutes - run.counted_to);
        Summary {
            steps: minutes,
            duration_s: minutes * MINUTE_S,
            instance_seconds: run.instance_minutes * MINUTE_S,
            peak_in_service: run.peak_in_service,
            min_in_service: run.min_in_service,
            served_total: lanes.served_total[lane],
            unserved_total: lanes.unserved_total[lane],
            underprovisioned_steps: lanes.underprovisioned_minutes[lane],
            scale_out_events: run.scale_out_events,
            scale_in_events: run.scale_in_events,
            ..Summary::start(in_service)
        }
    })
}
