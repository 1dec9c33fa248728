//! Azure Monitor autoscale, as Azure ML managed online endpoints use it
//! (spec: `spec/azure-autoscale.md`).
//!
//! An autoscale setting holds profiles; each evaluation picks one (the runner resolves the
//! profiles' schedules into a [`ProfileSchedule`] of simulated seconds) and applies its capacity
//! and rules. Per evaluation at t with C = D and j the newest visible minute:
//! 1. C outside the profile's [minimum, maximum]: D = clamp(C), nothing else;
//! 2. a rule without data: D = default if C < default, nothing else;
//! 3. a cooldown running (t − t_action < cooldown of the rule that acted): nothing;
//! 4. any Increase rule fires: D = its highest proposal; else all Decrease rules fire: the
//!    highest Decrease proposal T, then the first c in T, T + 1 … C − 1 that does not flap (each
//!    Increase rule's value projected to c instances would not fire it); none: skip.
//!
//! Metrics are one sample per whole minute: `RequestsPerMinute` (arrivals, served or not) and
//! `CpuUtilizationPercentage` (100 × served / serving capacity, at most 100). Time grains are
//! blocks of `timeGrain` minutes aligned on t = 0; the window is the complete grains inside
//! (j − timeWindow, j]. Read literally, as the spec writes it: with a window of one grain
//! (PT5M/PT5M) most evaluations find no complete grain and count as "no data".
//!
//! The `metric` column shows the minute sample of the first rule of the first profile with
//! rules, whichever profile is in force (model choice).

use std::fmt;

use crate::autoscaler::{
    Autoscaler, Num, Observation, Proposal, ScalingReason, StepOutcome, check_evaluation_period,
    check_period_in_steps,
};
use crate::capacity::CapacityBounds;
use crate::error::BuildError;
use crate::fleet::Removal;

/// A metric an Azure ML online endpoint publishes and a rule can watch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AzureMetric {
    /// Deployment CPU utilisation, per instance, percent.
    CpuUtilizationPercentage,
    /// Endpoint requests in the minute, served or not.
    RequestsPerMinute,
}

impl AzureMetric {
    /// Whether the value is per instance, so that it scales with C / c when projecting.
    pub(crate) fn is_per_instance(self) -> bool {
        matches!(self, AzureMetric::CpuUtilizationPercentage)
    }

    /// The name Azure gives the metric.
    pub fn name(self) -> &'static str {
        match self {
            AzureMetric::CpuUtilizationPercentage => "CpuUtilizationPercentage",
            AzureMetric::RequestsPerMinute => "RequestsPerMinute",
        }
    }
}

/// How a time grain's one-minute samples combine (`statistic`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Statistic {
    /// Mean of the samples.
    Average,
    /// Smallest sample.
    Min,
    /// Largest sample.
    Max,
    /// Sum of the samples.
    Sum,
    /// Number of samples.
    Count,
}

/// How the window's grain values combine (`timeAggregation`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeAggregation {
    /// Mean of the grains.
    Average,
    /// Smallest grain.
    Minimum,
    /// Largest grain.
    Maximum,
    /// Sum of the grains.
    Total,
    /// Number of grains.
    Count,
    /// The newest grain.
    Last,
}

/// A rule's comparison of the aggregated value with its threshold (`operator`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComparisonOperator {
    /// `==`.
    Equals,
    /// `!=`.
    NotEquals,
    /// `>`.
    GreaterThan,
    /// `>=`.
    GreaterThanOrEqual,
    /// `<`.
    LessThan,
    /// `<=`.
    LessThanOrEqual,
}

impl ComparisonOperator {
    pub(crate) fn holds(self, value: f64, threshold: f64) -> bool {
        match self {
            ComparisonOperator::Equals => value == threshold,
            ComparisonOperator::NotEquals => value != threshold,
            ComparisonOperator::GreaterThan => value > threshold,
            ComparisonOperator::GreaterThanOrEqual => value >= threshold,
            ComparisonOperator::LessThan => value < threshold,
            ComparisonOperator::LessThanOrEqual => value <= threshold,
        }
    }

    fn symbol(self) -> &'static str {
        match self {
            ComparisonOperator::Equals => "=",
            ComparisonOperator::NotEquals => "!=",
            ComparisonOperator::GreaterThan => ">",
            ComparisonOperator::GreaterThanOrEqual => ">=",
            ComparisonOperator::LessThan => "<",
            ComparisonOperator::LessThanOrEqual => "<=",
        }
    }
}

/// Which way a rule scales (`direction`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScaleDirection {
    /// Scale out.
    Increase,
    /// Scale in.
    Decrease,
    /// Never acts; takes part only in the no-data check.
    None,
}

/// How a rule's `value` changes the instance count (`type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScaleType {
    /// C ± value.
    ChangeCount,
    /// C ± ceil(C × value / 100) (model choice: the same rounding both ways).
    PercentChangeCount,
    /// max(C, value) for Increase, min(C, value) for Decrease (model choice).
    ExactCount,
}

/// The metric side of a rule (`metricTrigger`), durations in whole minutes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MetricTrigger {
    /// The metric watched.
    pub metric: AzureMetric,
    /// Length of a time grain, minutes (1 to 720).
    pub time_grain_min: u32,
    /// How a grain's samples combine.
    pub statistic: Statistic,
    /// Length of the window, minutes (5 to 720, at least the grain).
    pub time_window_min: u32,
    /// How the window's grains combine.
    pub time_aggregation: TimeAggregation,
    /// The comparison.
    pub operator: ComparisonOperator,
    /// The threshold compared with.
    pub threshold: f64,
    /// Whether the aggregated value is divided by the current instance count.
    pub divide_per_instance: bool,
}

/// The action side of a rule (`scaleAction`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScaleAction {
    /// Which way.
    pub direction: ScaleDirection,
    /// How `value` applies.
    pub scale_type: ScaleType,
    /// The amount, at least 1.
    pub value: u32,
    /// Wait after this rule acted, seconds (1 minute to 1 week).
    pub cooldown_s: u64,
}

/// One rule of a profile.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScaleRule {
    /// When it fires.
    pub trigger: MetricTrigger,
    /// What it does.
    pub action: ScaleAction,
}

/// A profile's `capacity`: minimum ≤ default ≤ maximum, minimum ≥ 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScaleCapacity {
    bounds: CapacityBounds,
    default: u32,
}

impl ScaleCapacity {
    /// Checks 1 ≤ minimum ≤ default ≤ maximum; `field` names the capacity in errors.
    pub fn new(minimum: u32, maximum: u32, default: u32) -> Result<Self, BuildError> {
        let invalid = |expected: String, got: String| BuildError::Field {
            field: "capacity",
            expected,
            got,
        };
        if minimum < 1 {
            return Err(invalid(
                "a minimum of at least 1 (a deployment keeps one instance)".into(),
                format!("minimum '{minimum}'"),
            ));
        }
        if minimum > default {
            return Err(invalid(
                "a minimum that does not exceed the default".into(),
                format!("minimum '{minimum}' greater than default '{default}'"),
            ));
        }
        if default > maximum {
            return Err(invalid(
                "a default that does not exceed the maximum".into(),
                format!("default '{default}' greater than maximum '{maximum}'"),
            ));
        }
        Ok(Self {
            bounds: CapacityBounds::new(minimum, maximum)?,
            default,
        })
    }

    /// minimum and maximum.
    pub fn bounds(&self) -> CapacityBounds {
        self.bounds
    }

    /// The count to use when a rule has no data.
    pub fn default(&self) -> u32 {
        self.default
    }
}

/// One profile: a capacity and up to 10 rules.
#[derive(Debug, Clone, PartialEq)]
pub struct AutoscaleProfile {
    /// The profile's name, for reasons.
    pub name: String,
    /// Its capacity.
    pub capacity: ScaleCapacity,
    /// Its rules, in order.
    pub rules: Vec<ScaleRule>,
}

/// An autoscale setting: whether it runs and its profiles (1 to 20).
#[derive(Debug, Clone, PartialEq)]
pub struct AutoscaleSetting {
    /// `false`: only the initial clamp applies, then D never changes.
    pub enabled: bool,
    /// The profiles, in order.
    pub profiles: Vec<AutoscaleProfile>,
}

/// Which profile is in force when: a step function of simulated time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileSchedule {
    /// `(from_s, profile)`: from `from_s` on, `profile` is in force; the first from 0.
    changes: Vec<(u64, usize)>,
}

impl ProfileSchedule {
    /// One profile at all times.
    pub fn constant(profile: usize) -> Self {
        Self {
            changes: vec![(0, profile)],
        }
    }

    /// A schedule from its change points; the first must be at 0 and times must increase.
    pub fn from_changes(changes: Vec<(u64, usize)>) -> Result<Self, BuildError> {
        let starts_at_zero = changes.first().is_some_and(|&(t_s, _)| t_s == 0);
        let increasing = changes.windows(2).all(|pair| pair[0].0 < pair[1].0);
        if !starts_at_zero || !increasing {
            return Err(BuildError::Field {
                field: "profiles",
                expected: "a schedule starting at t = 0 with increasing change times".into(),
                got: format!("{} change points", changes.len()),
            });
        }
        Ok(Self { changes })
    }

    /// The profile in force at `t_s`.
    pub fn profile_at(&self, t_s: u64) -> usize {
        let idx = self.changes.partition_point(|&(from_s, _)| from_s <= t_s);
        self.changes[idx.saturating_sub(1)].1
    }

    fn max_profile(&self) -> usize {
        self.changes.iter().map(|&(_, p)| p).max().unwrap_or(0)
    }
}

/// A rule described for people: metric, aggregation, window, operator and threshold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RuleOutcome {
    /// Position of the rule in its profile, from 0.
    pub rule: usize,
    /// The rule's trigger.
    pub trigger: MetricTrigger,
    /// The value compared with the threshold (after dividePerInstance).
    pub value: f64,
}

impl fmt::Display for RuleOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let trigger = &self.trigger;
        write!(
            f,
            "rule {}: {} {:?} over {} min = {}{} {} {}",
            self.rule,
            trigger.metric.name(),
            trigger.time_aggregation,
            trigger.time_window_min,
            Num(self.value),
            if trigger.divide_per_instance {
                " per instance"
            } else {
                ""
            },
            trigger.operator.symbol(),
            Num(trigger.threshold),
        )
    }
}

/// Why Azure autoscale changed the instance count, or skipped a scale-in.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AzureReason {
    /// The count was outside the profile's [minimum, maximum].
    OutsideCapacity {
        /// The profile in force.
        profile: usize,
        /// Its bounds.
        bounds: CapacityBounds,
    },
    /// A rule had no data and the count was below the profile's default.
    NoData {
        /// The profile in force.
        profile: usize,
        /// The rule without data.
        rule: usize,
        /// The profile's default.
        default: u32,
    },
    /// An Increase rule fired.
    ScaleOut {
        /// The profile in force.
        profile: usize,
        /// The rule whose proposal was taken.
        fired: RuleOutcome,
        /// Its cooldown, which starts now.
        cooldown_s: u64,
    },
    /// All Decrease rules fired; `count` is the scale-in after flapping avoidance.
    ScaleIn {
        /// The profile in force.
        profile: usize,
        /// The Decrease rule whose proposal was the target.
        fired: RuleOutcome,
        /// The target, the highest Decrease proposal.
        target: u32,
        /// The count chosen: the target, or more when fewer would flap.
        count: u32,
        /// The projection that made `count − 1` flap, when the scale-in was reduced.
        flapping: Option<Projection>,
        /// Its cooldown, which starts now.
        cooldown_s: u64,
    },
    /// All Decrease rules fired, but every count from the target up would flap.
    FlappingSkipped {
        /// The profile in force.
        profile: usize,
        /// The target, the highest Decrease proposal.
        target: u32,
        /// The projection at the target count.
        flapping: Projection,
    },
}

/// An Increase rule's value projected to a smaller instance count, which would fire it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Projection {
    /// The instance count projected to.
    pub count: u32,
    /// The Increase rule and its current value.
    pub rule: RuleOutcome,
    /// The projected value, which fires the rule.
    pub projected: f64,
}

impl fmt::Display for Projection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let trigger = &self.rule.trigger;
        write!(
            f,
            "at {} instances rule {} would see {} {} {}",
            self.count,
            self.rule.rule,
            Num(self.projected),
            trigger.operator.symbol(),
            Num(trigger.threshold)
        )
    }
}

impl fmt::Display for AzureReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AzureReason::OutsideCapacity { profile, bounds } => write!(
                f,
                "profile {profile}: count outside its capacity [{}, {}], set to the nearest bound",
                bounds.min(),
                bounds.max()
            ),
            AzureReason::NoData {
                profile,
                rule,
                default,
            } => write!(
                f,
                "profile {profile}: rule {rule} has no data, count raised to capacity.default {default}"
            ),
            AzureReason::ScaleOut {
                profile,
                fired,
                cooldown_s,
            } => write!(
                f,
                "profile {profile}: scale out, {fired}; cooldown of {cooldown_s} s starts"
            ),
            AzureReason::ScaleIn {
                profile,
                fired,
                target,
                count,
                flapping,
                cooldown_s,
            } => {
                write!(
                    f,
                    "profile {profile}: scale in, all Decrease rules fired, {fired}; target {target}"
                )?;
                if let Some(flapping) = flapping {
                    write!(f, ", reduced to {count} to avoid flapping ({flapping})")?;
                }
                write!(f, "; cooldown of {cooldown_s} s starts")
            }
            AzureReason::FlappingSkipped {
                profile,
                target,
                flapping,
            } => write!(
                f,
                "profile {profile}: scale-in to {target} skipped: Flapping ({flapping}, and so at every count up to the current one)"
            ),
        }
    }
}

/// One minute's samples of both metrics.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
struct MinuteSample {
    cpu_utilization_percentage: f64,
    requests_per_minute: f64,
}

impl MinuteSample {
    fn value(&self, metric: AzureMetric) -> f64 {
        match metric {
            AzureMetric::CpuUtilizationPercentage => self.cpu_utilization_percentage,
            AzureMetric::RequestsPerMinute => self.requests_per_minute,
        }
    }
}

/// The samples of the last `len` minutes, one series per metric. Each sample is written twice,
/// at its slot and `len` further on, so that any run of up to `len` consecutive minutes is one
/// contiguous slice: a window is read in order without a modulo per sample.
#[derive(Debug, Clone)]
struct History {
    cpu: Vec<f64>,
    requests: Vec<f64>,
    len: usize,
    /// The slot of the next minute to be recorded: `recorded % len`, kept without dividing.
    next_slot: usize,
    /// Minutes recorded so far; the newest is `recorded − 1`.
    recorded: u64,
}

impl History {
    fn new(len: usize) -> Self {
        Self {
            cpu: vec![0.0; 2 * len],
            requests: vec![0.0; 2 * len],
            len,
            next_slot: 0,
            recorded: 0,
        }
    }

    fn push(&mut self, sample: MinuteSample) {
        let (slot, len) = (self.next_slot, self.len);
        self.cpu[slot] = sample.cpu_utilization_percentage;
        self.cpu[slot + len] = sample.cpu_utilization_percentage;
        self.requests[slot] = sample.requests_per_minute;
        self.requests[slot + len] = sample.requests_per_minute;
        self.next_slot = if slot + 1 == len { 0 } else { slot + 1 };
        self.recorded += 1;
    }
}

/// Where an evaluation reads the minute samples: the engine's [`History`], or the sweep
/// kernel's lanes, which keep the same samples their own way.
pub(crate) trait MinuteSeries {
    /// Minutes recorded so far; the newest is `recorded − 1`.
    fn recorded(&self) -> u64;
    /// The samples of `metric` for minutes `from..to`, oldest first; the minutes must be
    /// recorded and within the reach of the longest window.
    fn minutes(&self, metric: AzureMetric, from: u64, to: u64) -> &[f64];
}

impl MinuteSeries for History {
    fn recorded(&self) -> u64 {
        self.recorded
    }

    fn minutes(&self, metric: AzureMetric, from: u64, to: u64) -> &[f64] {
        let back = (self.recorded - from) as usize;
        let start = if self.next_slot >= back {
            self.next_slot - back
        } else {
            self.next_slot + self.len - back
        };
        let series = match metric {
            AzureMetric::CpuUtilizationPercentage => &self.cpu,
            AzureMetric::RequestsPerMinute => &self.requests,
        };
        &series[start..start + (to - from) as usize]
    }
}

/// The minute in progress.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
struct MinuteInProgress {
    arrivals: f64,
    /// Σ of the steps' work and work capacity: CPU is their ratio (autoscaler/mod.rs).
    work: f64,
    work_capacity: f64,
}

/// Longest delay before a minute's samples are visible: an hour.
const MAX_METRIC_DELAY_S: u64 = 3600;
const MINUTE_S: u64 = 60;
/// Rules a profile may hold (REST API).
pub(crate) const MAX_RULES: usize = 10;

/// The Azure Monitor autoscale engine of one deployment.
#[derive(Debug, Clone)]
pub struct AzureAutoscale {
    setting: AutoscaleSetting,
    schedule: ProfileSchedule,
    delay_minutes: u64,
    evaluation_period_s: u64,
    /// Samples of the minutes a window can reach.
    history: History,
    current: MinuteInProgress,
    /// `(t_action_s, cooldown_s)` of the last rule that acted.
    cooldown: Option<(u64, u64)>,
    /// The metric of the `metric` column: the first rule's.
    column_metric: Option<AzureMetric>,
}

impl AzureAutoscale {
    /// The engine for `setting`, with profiles in force as `schedule` says, minute samples seen
    /// `metric_delay_s` after their minute ends, evaluating every `evaluation_period_s`.
    pub fn new(
        setting: AutoscaleSetting,
        schedule: ProfileSchedule,
        metric_delay_s: u64,
        evaluation_period_s: u64,
    ) -> Result<Self, BuildError> {
        if setting.profiles.is_empty() || schedule.max_profile() >= setting.profiles.len() {
            return Err(BuildError::Field {
                field: "profiles",
                expected: "1 to 20 profiles, and a schedule naming only those".into(),
                got: format!("{} profiles", setting.profiles.len()),
            });
        }
        // An hour, as for AWS: the history kept grows with the delay.
        if !metric_delay_s.is_multiple_of(MINUTE_S) || metric_delay_s > MAX_METRIC_DELAY_S {
            return Err(BuildError::Field {
                field: "metric_delay_s",
                expected: format!("a multiple of 60 from 0 to {MAX_METRIC_DELAY_S}"),
                got: metric_delay_s.to_string(),
            });
        }
        check_evaluation_period(evaluation_period_s)?;
        if let Some(profile) = setting.profiles.iter().find(|p| p.rules.len() > MAX_RULES) {
            return Err(BuildError::Field {
                field: "rules",
                expected: format!("at most {MAX_RULES} rules in a profile"),
                got: format!("{} in profile {:?}", profile.rules.len(), profile.name),
            });
        }
        let rules = || setting.profiles.iter().flat_map(|p| p.rules.iter());
        if let Some(rule) = rules().find(|r| {
            r.trigger.time_grain_min == 0 || r.trigger.time_window_min < r.trigger.time_grain_min
        }) {
            return Err(BuildError::Field {
                field: "timeWindow",
                expected: "at least one time grain, with a grain of at least 1 minute".into(),
                got: format!(
                    "timeGrain {} min, timeWindow {} min",
                    rule.trigger.time_grain_min, rule.trigger.time_window_min
                ),
            });
        }
        let longest_window = rules()
            .map(|r| u64::from(r.trigger.time_window_min))
            .max()
            .unwrap_or(1);
        let delay_minutes = metric_delay_s / MINUTE_S;
        let column_metric = rules().next().map(|r| r.trigger.metric);
        Ok(Self {
            history: History::new((longest_window + delay_minutes + 1) as usize),
            setting,
            schedule,
            delay_minutes,
            evaluation_period_s,
            current: MinuteInProgress::default(),
            cooldown: None,
            column_metric,
        })
    }

    /// Adds a step's arrivals, work and work capacity to the minute in progress.
    fn observe(&mut self, demand: f64, work: f64, work_capacity: f64) {
        self.current.arrivals += demand;
        self.current.work += work;
        self.current.work_capacity += work_capacity;
    }

    /// Ends the minute in progress: its samples join the history.
    fn close_minute(&mut self) -> MinuteSample {
        let minute = std::mem::take(&mut self.current);
        let cpu = cpu_percentage(minute.work, minute.work_capacity);
        let sample = MinuteSample {
            cpu_utilization_percentage: cpu,
            requests_per_minute: minute.arrivals,
        };
        self.history.push(sample);
        sample
    }

    /// Records a minute that one step observed whole, as [`Autoscaler::on_step`] does for a
    /// step of 60 s: for the sweep kernel, which has no [`Observation`] to build.
    pub(crate) fn record_minute(&mut self, demand: f64, work: f64, work_capacity: f64) {
        self.observe(demand, work, work_capacity);
        self.close_minute();
    }

    /// Whether an evaluation runs at the end of a step ending at `end_s`.
    pub(crate) fn evaluates_at(&self, end_s: u64) -> bool {
        self.setting.enabled && end_s.is_multiple_of(self.evaluation_period_s)
    }

    /// The time before which every evaluation changes nothing and says nothing, so that the
    /// sweep kernel need not call [`AzureAutoscale::evaluate`]: the end of the running
    /// cooldown, when one profile is in force throughout and every grain is a minute. Then the
    /// count never leaves the profile's capacity (every proposal is clamped to it) and no rule
    /// lacks data once one has acted (a one-minute grain is complete as soon as its minute is
    /// visible), so each evaluation stops at the cooldown. Otherwise 0.
    pub(crate) fn quiet_until_s(&self) -> u64 {
        let one_profile = self.schedule.changes.len() == 1;
        let minute_grains = || {
            self.setting
                .profiles
                .iter()
                .flat_map(|p| &p.rules)
                .all(|r| r.trigger.time_grain_min == 1)
        };
        match self.cooldown {
            Some((t_action_s, cooldown_s)) if one_profile && minute_grains() => {
                t_action_s.saturating_add(cooldown_s)
            }
            _ => 0,
        }
    }

    /// The rule's aggregated value over the window ending at minute `newest`, divided per
    /// instance if asked; `None` when no complete grain lies in the window. Samples are added in
    /// minute order and grains in grain order, as the spec's reading of the window does.
    #[cfg(test)]
    fn rule_value(&self, trigger: &MetricTrigger, newest: Option<u64>, count: u32) -> Option<f64> {
        rule_value(&self.history, trigger, newest, count)
    }

    /// The setting, the profile schedule's change points and the metric delay in minutes: what
    /// the sweep kernel reads to know whether its lanes can take a run.
    pub(crate) fn shape(&self) -> (&AutoscaleSetting, &[(u64, usize)], u64) {
        (&self.setting, &self.schedule.changes, self.delay_minutes)
    }

    /// The evaluation at `t_s` with current count `count` (spec "The step", 4).
    pub(crate) fn evaluate(
        &mut self,
        t_s: u64,
        count: u32,
    ) -> (Option<Proposal>, Option<ScalingReason>) {
        let mut cooldown = self.cooldown;
        let outcome =
            self.evaluate_on(&self.history, &mut cooldown, t_s, count, &[None; MAX_RULES]);
        self.cooldown = cooldown;
        outcome
    }

    /// The evaluation at `t_s` with current count `count`, reading the samples from `series`,
    /// with `cooldown` the `(t_action_s, cooldown_s)` of the last rule that acted, which it
    /// updates when a rule acts: the one place that decides, for the engine and the kernel.
    /// `known` holds, by rule of the profile in force, values already read for this very
    /// evaluation (the kernel's screen reads some first), each [`rule_value`] of `series` at
    /// this evaluation's newest minute and `count`: the evaluation takes them rather than
    /// aggregating those windows again.
    pub(crate) fn evaluate_on(
        &self,
        series: &impl MinuteSeries,
        cooldown: &mut Option<(u64, u64)>,
        t_s: u64,
        count: u32,
        known: &[Option<f64>; MAX_RULES],
    ) -> (Option<Proposal>, Option<ScalingReason>) {
        let profile_idx = self.schedule.profile_at(t_s);
        let profile = &self.setting.profiles[profile_idx];
        let bounds = profile.capacity.bounds();
        let propose = |desired, reason| {
            Some(Proposal {
                desired,
                bounds,
                reason: ScalingReason::Azure(reason),
                removal: Removal::CancelPendingFirst,
            })
        };
        if bounds.clamp(count) != count {
            let reason = AzureReason::OutsideCapacity {
                profile: profile_idx,
                bounds,
            };
            return (propose(bounds.clamp(count), reason), None);
        }
        // The newest minute j with (j + 1) · 60 + delay ≤ t, among those recorded.
        let newest = (t_s / MINUTE_S)
            .checked_sub(self.delay_minutes + 1)
            .filter(|&j| j < series.recorded());
        let has_data = |rule: &ScaleRule| {
            newest.is_some_and(|newest| complete_grains(&rule.trigger, newest).is_some())
        };
        if let Some(rule) = profile.rules.iter().position(|rule| !has_data(rule)) {
            let default = profile.capacity.default();
            if count < default {
                let reason = AzureReason::NoData {
                    profile: profile_idx,
                    rule,
                    default,
                };
                return (propose(default, reason), None);
            }
            return (None, None);
        }
        if let Some((t_action_s, cooldown_s)) = *cooldown
            && t_s - t_action_s < cooldown_s
        {
            return (None, None);
        }
        let fires = |rule: usize, value: f64| {
            let trigger = &profile.rules[rule].trigger;
            trigger.operator.holds(value, trigger.threshold)
        };
        // Windows are aggregated only here, with a decision to take, and only those it reads:
        // every Increase rule's, then the Decrease rules' while all of them fire. Every rule
        // has data, so no value stays NaN once read.
        let value_of = |rule: usize| {
            known[rule].unwrap_or_else(|| {
                rule_value(series, &profile.rules[rule].trigger, newest, count).unwrap_or(f64::NAN)
            })
        };
        let direction_of = |rule: usize| profile.rules[rule].action.direction;
        // A fixed array, since evaluations run every minute and allocate nothing.
        let mut values = [f64::NAN; MAX_RULES];
        let mut increase_fired = false;
        for (rule, value) in values.iter_mut().enumerate().take(profile.rules.len()) {
            if direction_of(rule) == ScaleDirection::Increase {
                *value = value_of(rule);
                increase_fired |= fires(rule, *value);
            }
        }
        if !increase_fired {
            for (rule, value) in values.iter_mut().enumerate().take(profile.rules.len()) {
                if direction_of(rule) == ScaleDirection::Decrease {
                    *value = value_of(rule);
                    if !fires(rule, *value) {
                        break;
                    }
                }
            }
        }
        let outcome = |rule: usize| RuleOutcome {
            rule,
            trigger: profile.rules[rule].trigger,
            value: values[rule],
        };
        let rules_in = |direction: ScaleDirection| {
            profile
                .rules
                .iter()
                .enumerate()
                .filter(move |(_, r)| r.action.direction == direction)
                .map(|(idx, _)| idx)
        };
        let proposal_of =
            |rule: usize| bounds.clamp(rule_proposal(&profile.rules[rule].action, count));

        // Scale out if any Increase rule fires, to the highest proposal (first on ties).
        let mut best_out: Option<(u32, usize)> = None;
        for rule in rules_in(ScaleDirection::Increase) {
            if fires(rule, outcome(rule).value) {
                let proposed = proposal_of(rule);
                if best_out.is_none_or(|(best, _)| proposed > best) {
                    best_out = Some((proposed, rule));
                }
            }
        }
        if increase_fired {
            let Some((proposed, rule)) = best_out.filter(|&(p, _)| p != count) else {
                return (None, None);
            };
            let cooldown_s = profile.rules[rule].action.cooldown_s;
            let reason = AzureReason::ScaleOut {
                profile: profile_idx,
                fired: outcome(rule),
                cooldown_s,
            };
            *cooldown = Some((t_s, cooldown_s));
            return (propose(proposed, reason), None);
        }

        // Scale in only if every Decrease rule fires, to the highest proposal (first on ties).
        let mut decrease_rules = rules_in(ScaleDirection::Decrease).peekable();
        if decrease_rules.peek().is_none() {
            return (None, None);
        }
        let mut best_in: Option<(u32, usize)> = None;
        for rule in decrease_rules {
            if !fires(rule, outcome(rule).value) {
                return (None, None);
            }
            let proposed = proposal_of(rule);
            if best_in.is_none_or(|(best, _)| proposed > best) {
                best_in = Some((proposed, rule));
            }
        }
        let Some((target, decrease_rule)) = best_in.filter(|&(t, _)| t < count) else {
            return (None, None);
        };
        // Flapping avoidance: the first count from the target up at which no Increase rule's
        // projected value would fire it.
        let flapping_at = |candidate: u32| {
            rules_in(ScaleDirection::Increase).find_map(|rule| {
                let current = outcome(rule);
                let per_instance =
                    current.trigger.metric.is_per_instance() || current.trigger.divide_per_instance;
                let projected = if per_instance {
                    (current.value * f64::from(count)) / f64::from(candidate)
                } else {
                    current.value
                };
                fires(rule, projected).then_some(Projection {
                    count: candidate,
                    rule: current,
                    projected,
                })
            })
        };
        let mut last_flap = None;
        for candidate in target..count {
            match flapping_at(candidate) {
                Some(projection) => last_flap = Some(projection),
                None => {
                    let cooldown_s = profile.rules[decrease_rule].action.cooldown_s;
                    let reason = AzureReason::ScaleIn {
                        profile: profile_idx,
                        fired: outcome(decrease_rule),
                        target,
                        count: candidate,
                        flapping: last_flap,
                        cooldown_s,
                    };
                    *cooldown = Some((t_s, cooldown_s));
                    return (propose(candidate, reason), None);
                }
            }
        }
        let notice = flapping_at(target).map(|flapping| {
            ScalingReason::Azure(AzureReason::FlappingSkipped {
                profile: profile_idx,
                target,
                flapping,
            })
        });
        (None, notice)
    }
}

/// A rule's aggregated value over the window ending at minute `newest`, read from `series`,
/// divided per instance if asked; `None` when no complete grain lies in the window. Samples are
/// added in minute order and grains in grain order, as the spec's reading of the window does.
pub(crate) fn rule_value(
    series: &impl MinuteSeries,
    trigger: &MetricTrigger,
    newest: Option<u64>,
    count: u32,
) -> Option<f64> {
    let (first_grain, end_grain) = complete_grains(trigger, newest?)?;
    let grain = u64::from(trigger.time_grain_min);
    let samples = series.minutes(trigger.metric, first_grain * grain, end_grain * grain);
    let grain_value = |samples: &[f64]| match trigger.statistic {
        Statistic::Average => samples.iter().copied().sum::<f64>() / grain as f64,
        Statistic::Min => samples.iter().copied().fold(f64::INFINITY, f64::min),
        Statistic::Max => samples.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        Statistic::Sum => samples.iter().copied().sum(),
        Statistic::Count => grain as f64,
    };
    let grain_count = (end_grain - first_grain) as f64;
    let aggregation = trigger.time_aggregation;
    let value = if grain == 1 && trigger.statistic != Statistic::Count {
        // A one-minute grain's value is its one sample, exactly: x / 1.0 = x, min(∞, x) =
        // x, and no sample is −0.0 (a minute's sums start at +0.0), which alone a sum
        // starting at −0.0 would change. So no division per grain.
        aggregate(aggregation, samples.iter().copied(), grain_count)
    } else {
        let grains = samples.chunks_exact(grain as usize).map(grain_value);
        aggregate(aggregation, grains, grain_count)
    };
    Some(if trigger.divide_per_instance {
        value / f64::from(count)
    } else {
        value
    })
}

/// The grain values of a window, oldest first, combined by `aggregation`, in order.
fn aggregate(
    aggregation: TimeAggregation,
    mut grains: impl DoubleEndedIterator<Item = f64>,
    grain_count: f64,
) -> f64 {
    match aggregation {
        TimeAggregation::Average => grains.sum::<f64>() / grain_count,
        TimeAggregation::Minimum => grains.fold(f64::INFINITY, f64::min),
        TimeAggregation::Maximum => grains.fold(f64::NEG_INFINITY, f64::max),
        TimeAggregation::Total => grains.sum(),
        TimeAggregation::Count => grain_count,
        TimeAggregation::Last => grains.next_back().unwrap_or(f64::NAN),
    }
}

/// The complete grains of `trigger` inside its window ending at minute `newest`, as grain
/// indices `[first, end)`; `None` when there is none ("no data").
fn complete_grains(trigger: &MetricTrigger, newest: u64) -> Option<(u64, u64)> {
    let grain = u64::from(trigger.time_grain_min);
    let window = u64::from(trigger.time_window_min);
    let first_minute = (newest + 1).saturating_sub(window);
    // One-minute grains, the common case, need no division.
    let (first_grain, end_grain) = if grain == 1 {
        (first_minute, newest + 1)
    } else {
        (first_minute.div_ceil(grain), (newest + 1) / grain)
    };
    (end_grain > first_grain).then_some((first_grain, end_grain))
}

/// A minute's CPU sample from its work and work capacity (autoscaler/mod.rs): percent, at most
/// 100, and 0 without capacity.
pub(crate) fn cpu_percentage(work: f64, work_capacity: f64) -> f64 {
    // Divided before the test, not under it: compilers do not speculate a division, so the
    // lane kernel's eight calls would stay scalar; a float division cannot trap, and its
    // value without capacity is discarded.
    let percentage = ((100.0 * work) / work_capacity).min(100.0);
    if work_capacity > 0.0 { percentage } else { 0.0 }
}

/// A rule's proposal from the current count, before the clamp (spec "Rules").
pub(crate) fn rule_proposal(action: &ScaleAction, count: u32) -> u32 {
    let amount = match action.scale_type {
        ScaleType::ChangeCount => action.value,
        // ceil(C × value / 100) in integers, so no rounding noise decides a count.
        ScaleType::PercentChangeCount => {
            let scaled = u64::from(count) * u64::from(action.value);
            u32::try_from(scaled.div_ceil(100)).unwrap_or(u32::MAX)
        }
        ScaleType::ExactCount => {
            return match action.direction {
                ScaleDirection::Increase => count.max(action.value),
                ScaleDirection::Decrease => count.min(action.value),
                ScaleDirection::None => count,
            };
        }
    };
    match action.direction {
        ScaleDirection::Increase => count.saturating_add(amount),
        ScaleDirection::Decrease => count.saturating_sub(amount),
        ScaleDirection::None => count,
    }
}

impl Autoscaler for AzureAutoscale {
    fn initial_bounds(&self) -> CapacityBounds {
        self.setting.profiles[self.schedule.profile_at(0)]
            .capacity
            .bounds()
    }

    fn largest_capacity(&self) -> u32 {
        self.setting
            .profiles
            .iter()
            .map(|profile| profile.capacity.bounds().max())
            .max()
            .unwrap_or_else(|| self.initial_bounds().max())
    }

    fn check_step(&self, step_s: u64) -> Result<(), BuildError> {
        if !MINUTE_S.is_multiple_of(step_s) {
            return Err(BuildError::StepDoesNotDivide {
                what: "the one-minute metric grain of Azure autoscale",
                period_s: MINUTE_S,
                step_s,
            });
        }
        check_period_in_steps("evaluation_period_s", self.evaluation_period_s, step_s)
    }

    fn on_step(&mut self, observation: &Observation<'_>) -> StepOutcome {
        self.observe(
            observation.demand,
            observation.work,
            observation.work_capacity,
        );
        let end_s = observation.end_s();
        let mut metric = None;
        if end_s.is_multiple_of(MINUTE_S) {
            let sample = self.close_minute();
            metric = self.column_metric.map(|m| sample.value(m));
        }
        let (proposal, notice) = if self.evaluates_at(end_s) {
            self.evaluate(end_s, observation.desired)
        } else {
            (None, None)
        };
        StepOutcome {
            metric,
            proposal,
            notice,
        }
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    fn action(direction: ScaleDirection, scale_type: ScaleType, value: u32) -> ScaleAction {
        ScaleAction {
            direction,
            scale_type,
            value,
            cooldown_s: 60,
        }
    }

    #[test]
    fn percent_changes_round_the_amount_up_in_both_directions() {
        use ScaleDirection::{Decrease, Increase};
        use ScaleType::{ChangeCount, ExactCount, PercentChangeCount};
        // C = 7: +20 % is 7 + ceil(1.4) = 9; −20 % is 7 − 2 = 5. C = 10: +15 % is 12.
        assert_eq!(
            rule_proposal(&action(Increase, PercentChangeCount, 20), 7),
            9
        );
        assert_eq!(
            rule_proposal(&action(Decrease, PercentChangeCount, 20), 7),
            5
        );
        assert_eq!(
            rule_proposal(&action(Increase, PercentChangeCount, 15), 10),
            12
        );
        assert_eq!(
            rule_proposal(&action(Decrease, PercentChangeCount, 50), 10),
            5
        );
        assert_eq!(rule_proposal(&action(Decrease, ChangeCount, 3), 2), 0);
        assert_eq!(rule_proposal(&action(Increase, ExactCount, 4), 7), 7);
        assert_eq!(rule_proposal(&action(Decrease, ExactCount, 4), 7), 4);
    }

    /// The spec's window read literally, minute by minute, from every sample of the run: how
    /// `rule_value` read before its samples were kept as contiguous series.
    fn literal_rule_value(
        samples: &[f64],
        trigger: &MetricTrigger,
        newest: u64,
        count: u32,
    ) -> Option<f64> {
        let grain = u64::from(trigger.time_grain_min);
        let window = u64::from(trigger.time_window_min);
        let first_minute = (newest + 1).saturating_sub(window);
        let first_grain = first_minute.div_ceil(grain);
        let end_grain = (newest + 1) / grain;
        if end_grain <= first_grain {
            return None;
        }
        let grain_value = |g: u64| {
            let samples = (g * grain..(g + 1) * grain).map(|m| samples[m as usize]);
            match trigger.statistic {
                Statistic::Average => samples.sum::<f64>() / grain as f64,
                Statistic::Min => samples.fold(f64::INFINITY, f64::min),
                Statistic::Max => samples.fold(f64::NEG_INFINITY, f64::max),
                Statistic::Sum => samples.sum(),
                Statistic::Count => grain as f64,
            }
        };
        let grains = (first_grain..end_grain).map(grain_value);
        let grain_count = (end_grain - first_grain) as f64;
        let value = match trigger.time_aggregation {
            TimeAggregation::Average => grains.sum::<f64>() / grain_count,
            TimeAggregation::Minimum => grains.fold(f64::INFINITY, f64::min),
            TimeAggregation::Maximum => grains.fold(f64::NEG_INFINITY, f64::max),
            TimeAggregation::Total => grains.sum(),
            TimeAggregation::Count => grain_count,
            TimeAggregation::Last => grain_value(end_grain - 1),
        };
        Some(if trigger.divide_per_instance {
            value / f64::from(count)
        } else {
            value
        })
    }

    const STATISTICS: [Statistic; 5] = [
        Statistic::Average,
        Statistic::Min,
        Statistic::Max,
        Statistic::Sum,
        Statistic::Count,
    ];
    const AGGREGATIONS: [TimeAggregation; 6] = [
        TimeAggregation::Average,
        TimeAggregation::Minimum,
        TimeAggregation::Maximum,
        TimeAggregation::Total,
        TimeAggregation::Count,
        TimeAggregation::Last,
    ];

    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        /// Fractional samples make a running sum inexact; the contiguous series must give the
        /// literal reading's value bit for bit, at every minute, the ring wrapping many times.
        #[test]
        fn windows_read_from_the_ring_equal_the_literal_reading(
            samples in proptest::collection::vec(
                prop_oneof![0.0..100.0f64, (0u32..5000).prop_map(f64::from)],
                1..300,
            ),
            grain in 1u32..=13,
            extra in 0u32..30,
            delay in 0u64..4,
            statistic in 0..STATISTICS.len(),
            aggregation in 0..AGGREGATIONS.len(),
            cpu in proptest::bool::ANY,
            divide_per_instance in proptest::bool::ANY,
            count in 1u32..20,
        ) {
            let trigger = MetricTrigger {
                metric: if cpu {
                    AzureMetric::CpuUtilizationPercentage
                } else {
                    AzureMetric::RequestsPerMinute
                },
                time_grain_min: grain,
                statistic: STATISTICS[statistic],
                time_window_min: grain + extra,
                time_aggregation: AGGREGATIONS[aggregation],
                operator: ComparisonOperator::GreaterThan,
                threshold: 0.0,
                divide_per_instance,
            };
            let rule = ScaleRule {
                trigger,
                action: action(ScaleDirection::Increase, ScaleType::ChangeCount, 1),
            };
            let setting = AutoscaleSetting {
                enabled: true,
                profiles: vec![AutoscaleProfile {
                    name: "p".into(),
                    capacity: ScaleCapacity::new(1, 5, 1).unwrap(),
                    rules: vec![rule],
                }],
            };
            let mut autoscale =
                AzureAutoscale::new(setting, ProfileSchedule::constant(0), delay * 60, 60)
                    .unwrap();
            for (minute, &value) in samples.iter().enumerate() {
                // The other metric holds other values, so reading the wrong one shows.
                let (cpu_value, requests) = if cpu { (value, value + 1.5) } else { (value + 1.5, value) };
                autoscale.history.push(MinuteSample {
                    cpu_utilization_percentage: cpu_value,
                    requests_per_minute: requests,
                });
                let Some(newest) = (minute as u64).checked_sub(delay) else {
                    continue;
                };
                let ring = autoscale.rule_value(&trigger, Some(newest), count);
                let literal = literal_rule_value(&samples, &trigger, newest, count);
                prop_assert_eq!(ring.map(f64::to_bits), literal.map(f64::to_bits));
            }
        }
    }

    #[test]
    fn grains_are_aligned_on_t_zero_and_only_complete_ones_count() {
        // Grains of 2 minutes, window 5 minutes, newest minute 6: minutes (1, 6] hold the
        // complete grains [2, 3] and [4, 5]; minute 6 starts a grain that is not complete.
        let setting = AutoscaleSetting {
            enabled: true,
            profiles: vec![AutoscaleProfile {
                name: "p".into(),
                capacity: ScaleCapacity::new(1, 5, 1).unwrap(),
                rules: vec![],
            }],
        };
        let mut autoscale =
            AzureAutoscale::new(setting, ProfileSchedule::constant(0), 0, 60).unwrap();
        autoscale.history = History::new(16);
        for minute in 0..7u64 {
            autoscale.history.push(MinuteSample {
                cpu_utilization_percentage: 0.0,
                requests_per_minute: (minute * 10) as f64,
            });
        }
        let trigger = |statistic, time_aggregation| MetricTrigger {
            metric: AzureMetric::RequestsPerMinute,
            time_grain_min: 2,
            statistic,
            time_window_min: 5,
            time_aggregation,
            operator: ComparisonOperator::GreaterThan,
            threshold: 0.0,
            divide_per_instance: false,
        };
        let value = |statistic, aggregation| {
            autoscale.rule_value(&trigger(statistic, aggregation), Some(6), 2)
        };
        // Grain averages 25 and 45; sums 50 and 90.
        assert_eq!(
            value(Statistic::Average, TimeAggregation::Average),
            Some(35.0)
        );
        assert_eq!(value(Statistic::Average, TimeAggregation::Last), Some(45.0));
        assert_eq!(value(Statistic::Sum, TimeAggregation::Total), Some(140.0));
        assert_eq!(value(Statistic::Min, TimeAggregation::Minimum), Some(20.0));
        assert_eq!(value(Statistic::Max, TimeAggregation::Maximum), Some(50.0));
        assert_eq!(value(Statistic::Count, TimeAggregation::Count), Some(2.0));
        // Newest minute 0: grain [0, 1] is not complete yet.
        assert_eq!(
            autoscale.rule_value(&trigger(Statistic::Sum, TimeAggregation::Total), Some(0), 2),
            None
        );
    }
}
