//! One Application Auto Scaling scalable target with everything that acts on it: target
//! tracking and step scaling policies, scheduled actions and SuspendedState (semantics:
//! `spec/aws-target-tracking.md`; `docs/semantics/aws-step-scaling.md`,
//! `aws-scheduled-actions.md`, `aws-several-policies.md`, `aws-alarms-and-metrics.md`,
//! `aws-endpoint-variants.md`).
//!
//! At the end of each step, scheduled actions due by then change MinCapacity and MaxCapacity
//! and pull desired capacity D into them. At the end of each minute every policy then looks at
//! its alarms and proposes a capacity; the largest proposal above D scales out, and otherwise
//! the largest below D scales in, where target tracking counts as one proposal only when every
//! target-tracking policy that may scale in is ready to.

use std::fmt;

use crate::autoscaler::aws::cloudwatch::SageMakerMetric;
use crate::autoscaler::aws::cloudwatch::{
    AlarmBreach, ComparisonOperator, HighResolutionHistory, History, MINUTE_S, MetricAlarm,
    MetricMathQuery, MetricQuery, MetricSource, MinuteInProgress, TreatMissingData,
};
use crate::autoscaler::aws::{
    Alarm, HIGH_DATAPOINTS, HighResolutionAlarm, LOW_DATAPOINTS, LOW_THRESHOLD_RATIO,
    MAX_METRIC_DELAY_S, ScalableTarget, TargetTrackingReason,
    TargetTrackingScalingPolicyConfiguration,
};
use crate::autoscaler::{
    Autoscaler, LatencyNeed, Num, Observation, Proposal, ScalingReason, StepOutcome,
};
use crate::capacity::CapacityBounds;
use crate::error::BuildError;
use crate::fleet::Removal;

/// A policy or action name, kept inline (so that reasons stay `Copy`), cut at 40 bytes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PolicyName {
    bytes: [u8; PolicyName::CAPACITY],
    len: u8,
    cut: bool,
}

impl Default for PolicyName {
    fn default() -> Self {
        Self::new("")
    }
}

impl PolicyName {
    const CAPACITY: usize = 40;

    /// `name`, cut at a character boundary if longer than 40 bytes.
    pub fn new(name: &str) -> Self {
        let mut end = name.len().min(Self::CAPACITY);
        while !name.is_char_boundary(end) {
            end -= 1;
        }
        let mut bytes = [0; Self::CAPACITY];
        bytes[..end].copy_from_slice(&name.as_bytes()[..end]);
        Self {
            bytes,
            len: end as u8,
            cut: end < name.len(),
        }
    }

    /// The name as kept.
    pub fn as_str(&self) -> &str {
        // Cut at a character boundary from a str, so always UTF-8.
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or_default()
    }
}

impl fmt::Debug for PolicyName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for PolicyName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())?;
        if self.cut {
            f.write_str("…")?;
        }
        Ok(())
    }
}

/// A target-tracking policy: its metric and configuration.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TargetTrackingPolicy {
    /// PolicyName.
    pub name: PolicyName,
    /// The metric tracked, one datapoint a minute.
    pub query: MetricQuery,
    /// TargetValue, cooldowns and DisableScaleIn.
    pub configuration: TargetTrackingScalingPolicyConfiguration,
    /// For a high-resolution metric, the scale-out alarm on its sub-minute datapoints; the
    /// scale-in alarm stays on `query`'s minute datapoints.
    pub high_resolution: Option<HighResolutionAlarm>,
}

/// StepScalingPolicyConfiguration's AdjustmentType.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdjustmentType {
    /// Add ScalingAdjustment to the capacity.
    ChangeInCapacity,
    /// Add ScalingAdjustment percent of the capacity, rounded as AWS rounds.
    PercentChangeInCapacity,
    /// Set the capacity to ScalingAdjustment.
    ExactCapacity,
}

/// StepScalingPolicyConfiguration's MetricAggregationType: how the alarm's datapoints become
/// the one value the step intervals are matched against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricAggregationType {
    /// The mean of the datapoints (AWS's default).
    Average,
    /// The least datapoint.
    Minimum,
    /// The greatest datapoint.
    Maximum,
}

/// One StepAdjustment: an interval of (metric − threshold) and the adjustment it makes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepAdjustment {
    /// MetricIntervalLowerBound; `None` is −∞.
    pub lower: Option<f64>,
    /// MetricIntervalUpperBound; `None` is +∞.
    pub upper: Option<f64>,
    /// ScalingAdjustment.
    pub scaling_adjustment: i64,
}

impl StepAdjustment {
    /// Whether `difference` (metric − threshold) falls in the interval: above the threshold
    /// the lower bound is inclusive and the upper exclusive, below it the other way round.
    fn contains(&self, difference: f64, above: bool) -> bool {
        let lower = self.lower.unwrap_or(f64::NEG_INFINITY);
        let upper = self.upper.unwrap_or(f64::INFINITY);
        if above {
            lower <= difference && difference < upper
        } else {
            lower < difference && difference <= upper
        }
    }
}

/// A step scaling policy and the CloudWatch alarms that invoke it.
#[derive(Debug, Clone, PartialEq)]
pub struct StepScalingPolicy {
    /// PolicyName.
    pub name: PolicyName,
    /// The alarm whose ALARM state invokes the policy.
    pub alarm: MetricAlarm,
    /// Other alarms whose actions invoke the policy too: each in ALARM proposes the step its
    /// own breach picks, and the largest capacity of the minute is the policy's.
    pub also_invoked_by: Vec<MetricAlarm>,
    /// AdjustmentType.
    pub adjustment_type: AdjustmentType,
    /// StepAdjustments, checked by the caller: no overlap, no gap.
    pub steps: Vec<StepAdjustment>,
    /// MinAdjustmentMagnitude (PercentChangeInCapacity only).
    pub min_adjustment_magnitude: Option<u32>,
    /// Cooldown, seconds.
    pub cooldown_s: u64,
    /// MetricAggregationType.
    pub metric_aggregation_type: MetricAggregationType,
}

/// A scaling policy of either type.
#[derive(Debug, Clone, PartialEq)]
pub enum ScalingPolicy {
    /// `TargetTrackingScaling`.
    TargetTracking(TargetTrackingPolicy),
    /// `StepScaling`.
    StepScaling(StepScalingPolicy),
}

/// A scheduled action resolved to the second it fires, counted from t = 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScheduledAction {
    /// ScheduledActionName.
    pub name: PolicyName,
    /// When it fires, seconds from t = 0.
    pub at_s: u64,
    /// ScalableTargetAction.MinCapacity, if given.
    pub min_capacity: Option<u32>,
    /// ScalableTargetAction.MaxCapacity, if given.
    pub max_capacity: Option<u32>,
    /// A desired capacity set from outside Application Auto Scaling at `at_s` (SageMaker's
    /// UpdateEndpointWeightsAndCapacities with DesiredInstanceCount), taken into the bounds
    /// then in force. Not a scheduled action of the target, so ScheduledScalingSuspended does
    /// not hold it back.
    pub desired_capacity: Option<u32>,
}

/// Why a step scaling policy changed desired capacity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepScalingReason {
    /// The policy.
    pub policy: PolicyName,
    /// The alarm's metric.
    pub query: MetricQuery,
    /// The alarm's comparison.
    pub comparison: ComparisonOperator,
    /// The alarm's threshold.
    pub threshold: f64,
    /// What the alarm saw.
    pub breach: AlarmBreach,
    /// The alarm's EvaluationPeriods.
    pub evaluation_periods: u64,
    /// The aggregated metric value the step was chosen by.
    pub value: f64,
    /// The step chosen.
    pub step: StepAdjustment,
    /// AdjustmentType.
    pub adjustment_type: AdjustmentType,
    /// The capacity the adjustment was applied to.
    pub base: u32,
    /// Whether a scale-out cooldown was running, so that the adjustment counted from the
    /// capacity before the scale-out that started it.
    pub in_cooldown: bool,
    /// The capacity set, after the clamp.
    pub capacity: u32,
}

impl fmt::Display for StepScalingReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (first, last) = self.breach.minutes;
        write!(
            f,
            "step scaling policy {}: alarm in ALARM, {} {} {} for {} of {} datapoints \
             (minutes {first}-{last}); ",
            self.policy,
            self.query,
            self.comparison.symbol(),
            Num(self.threshold),
            self.breach.breaching,
            self.evaluation_periods,
        )?;
        let bound = |bound: Option<f64>, infinite: &str| {
            bound.map_or_else(|| infinite.to_owned(), |b| Num(b).to_string())
        };
        let difference = self.value - self.threshold;
        write!(
            f,
            "value {} is threshold {}{} in step [{}, {}): ",
            Num(self.value),
            if difference < 0.0 { "-" } else { "+" },
            Num(difference.abs()),
            bound(self.step.lower, "-inf"),
            bound(self.step.upper, "+inf"),
        )?;
        match self.adjustment_type {
            AdjustmentType::ChangeInCapacity => {
                write!(f, "{} {:+}", self.base, self.step.scaling_adjustment)?
            }
            AdjustmentType::PercentChangeInCapacity => {
                write!(f, "{} {:+}%", self.base, self.step.scaling_adjustment)?
            }
            AdjustmentType::ExactCapacity => {
                write!(f, "exact capacity {}", self.step.scaling_adjustment)?
            }
        }
        write!(f, " -> {}", self.capacity)?;
        if self.in_cooldown {
            f.write_str(" (in cooldown: counted from the capacity before the last scale-out)")?;
        }
        Ok(())
    }
}

/// Why a scheduled action changed desired capacity, or could not run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScheduledActionReason {
    /// ScheduledActionName.
    pub action: PolicyName,
    /// MinCapacity and MaxCapacity before and after (after = before when it failed).
    pub bounds: (CapacityBounds, CapacityBounds),
    /// Whether it failed: the new minimum above the new maximum.
    pub failed: bool,
    /// The desired capacity it set from outside, if it is such an update.
    pub desired_capacity: Option<u32>,
}

impl fmt::Display for ScheduledActionReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (before, after) = self.bounds;
        if let Some(desired) = self.desired_capacity {
            return write!(f, "{}: DesiredInstanceCount {desired}", self.action);
        }
        if self.failed {
            return write!(
                f,
                "scheduled action {} failed: it would set MinCapacity above MaxCapacity; \
                 bounds stay {}-{}",
                self.action,
                before.min(),
                before.max()
            );
        }
        write!(
            f,
            "scheduled action {}: MinCapacity {} -> {}, MaxCapacity {} -> {}",
            self.action,
            before.min(),
            after.min(),
            before.max(),
            after.max()
        )
    }
}

/// The most work an alarm's metric math may take each simulated minute: operations of the
/// expression times the minutes the alarm reads (docs/semantics/limits-and-numerics.md).
pub const MAX_ALARM_MATH_WORK: u64 = 200_000;

/// What the scheduled actions due in one step did.
#[derive(Debug, Clone, Copy, Default)]
struct ScheduledRun {
    /// The last one that ran.
    applied: Option<ScheduledActionReason>,
    /// The last one that failed.
    failed: Option<ScheduledActionReason>,
    /// The desired capacity the last outside update set.
    set_desired: Option<u32>,
}

/// A policy's state besides its configuration.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
struct PolicyState {
    /// When the running scale-out and scale-in cooldowns started, seconds from t = 0.
    last_scale_out_s: Option<u64>,
    last_scale_in_s: Option<u64>,
    /// Step scaling: desired capacity before the scale-out that started the running cooldown.
    scale_out_base: u32,
}

/// What one policy proposes at a minute's end.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    policy: usize,
    capacity: u32,
    reason: ScalingReason,
}

/// A scalable target with its policies and scheduled actions.
#[derive(Debug, Clone)]
pub struct ApplicationAutoScaling {
    target: ScalableTarget,
    policies: Vec<ScalingPolicy>,
    states: Vec<PolicyState>,
    scheduled: Vec<ScheduledAction>,
    next_scheduled: usize,
    bounds: CapacityBounds,
    delay_minutes: u64,
    history: History,
    current: MinuteInProgress,
    /// The sub-minute datapoints of the high-resolution policies' metric, if any has one.
    high_resolution: Option<HighResolutionHistory>,
    /// Whether reasons name their policy: only when there are several.
    named: bool,
}

impl ApplicationAutoScaling {
    /// `policies` and `scheduled` actions on `target`, with metrics visible `metric_delay_s`
    /// after their minute ends. Scheduled actions may come in any order; those at the same
    /// second run in the order given.
    pub fn new(
        target: ScalableTarget,
        policies: Vec<ScalingPolicy>,
        scheduled: Vec<ScheduledAction>,
        metric_delay_s: u64,
    ) -> Result<Self, BuildError> {
        Self::with_metric_math(target, policies, scheduled, metric_delay_s, Vec::new())
    }

    /// As [`ApplicationAutoScaling::new`], with the metric math queries that policies' and
    /// alarms' [`MetricSource::Math`] sources name by index.
    pub fn with_metric_math(
        target: ScalableTarget,
        policies: Vec<ScalingPolicy>,
        mut scheduled: Vec<ScheduledAction>,
        metric_delay_s: u64,
        maths: Vec<MetricMathQuery>,
    ) -> Result<Self, BuildError> {
        if !metric_delay_s.is_multiple_of(MINUTE_S) || metric_delay_s > MAX_METRIC_DELAY_S {
            return Err(BuildError::Field {
                field: "metric_delay_s",
                expected: format!("a multiple of 60 from 0 to {MAX_METRIC_DELAY_S}"),
                got: metric_delay_s.to_string(),
            });
        }
        let delay_minutes = metric_delay_s / MINUTE_S;
        let mut window = 0;
        for policy in &policies {
            let alarms = match policy {
                ScalingPolicy::TargetTracking(policy) => {
                    let [high, low] = tracking_alarms(policy);
                    [high, low]
                }
                ScalingPolicy::StepScaling(policy) => [policy.alarm, policy.alarm],
            };
            let also = match policy {
                ScalingPolicy::TargetTracking(_) => &[][..],
                ScalingPolicy::StepScaling(policy) => &policy.also_invoked_by[..],
            };
            for alarm in alarms.into_iter().chain(also.iter().copied()) {
                if let MetricSource::Math { index, .. } = alarm.query.source {
                    let Some(math) = maths.get(index) else {
                        return Err(BuildError::Field {
                            field: "Metrics",
                            expected: format!(
                                "one of the {} metric math queries given",
                                maths.len()
                            ),
                            got: format!("query {index}"),
                        });
                    };
                    // Each minute an alarm evaluates its datapoints anew, each metric of the
                    // expression over every minute of the period: bound that work.
                    let work = math.steps().saturating_mul(alarm.window_minutes());
                    if work > MAX_ALARM_MATH_WORK {
                        return Err(BuildError::Field {
                            field: "Metrics",
                            expected: format!(
                                "an expression whose operations × EvaluationPeriods × Period \
                                 minutes stay within {MAX_ALARM_MATH_WORK}, the work of each \
                                 simulated minute"
                            ),
                            got: format!(
                                "{} operations × {} minutes",
                                math.steps(),
                                alarm.window_minutes()
                            ),
                        });
                    }
                }
                if alarm.evaluation_periods == 0
                    || alarm.datapoints_to_alarm == 0
                    || alarm.datapoints_to_alarm > alarm.evaluation_periods
                    || alarm.query.period_minutes == 0
                {
                    return Err(BuildError::Field {
                        field: "EvaluationPeriods",
                        expected: "at least 1, with 1 <= DatapointsToAlarm <= EvaluationPeriods"
                            .into(),
                        got: format!(
                            "{} of {}",
                            alarm.datapoints_to_alarm, alarm.evaluation_periods
                        ),
                    });
                }
                let max_window_s =
                    super::cloudwatch::max_alarm_window_s(alarm.query.period_minutes * MINUTE_S);
                if alarm.window_minutes() * MINUTE_S > max_window_s {
                    return Err(BuildError::Field {
                        field: "EvaluationPeriods",
                        expected: format!(
                            "EvaluationPeriods × Period of at most {max_window_s} s (one day; \
                             seven with a Period of an hour or more)"
                        ),
                        got: format!("{} s", alarm.window_minutes() * MINUTE_S),
                    });
                }
                window = window.max(alarm.window_minutes());
            }
        }
        for action in &scheduled {
            if let (Some(min), Some(max)) = (action.min_capacity, action.max_capacity)
                && min > max
            {
                return Err(BuildError::InvalidBounds { min, max });
            }
        }
        if target.scheduled_scaling_suspended() {
            scheduled.retain(|action| action.desired_capacity.is_some());
            for update in &mut scheduled {
                update.min_capacity = None;
                update.max_capacity = None;
            }
        }
        scheduled.sort_by_key(|action| action.at_s);
        let mut high_resolution: Option<HighResolutionHistory> = None;
        for policy in &policies {
            let ScalingPolicy::TargetTracking(TargetTrackingPolicy {
                high_resolution: Some(alarm),
                ..
            }) = policy
            else {
                continue;
            };
            let slots = alarm.datapoints() + alarm.delay_s() / alarm.period_s();
            high_resolution = match high_resolution {
                Some(history) if history.period_s() != alarm.period_s() => {
                    return Err(BuildError::Field {
                        field: "autoscaler.high_resolution_alarm.period_s",
                        expected: format!(
                            "the same period for every high-resolution policy ({} s)",
                            history.period_s()
                        ),
                        got: alarm.period_s().to_string(),
                    });
                }
                Some(history) if history.len() >= slots => Some(history),
                _ => Some(HighResolutionHistory::new(alarm.period_s(), slots)),
            };
        }
        let named = policies.len() > 1;
        Ok(Self {
            states: vec![PolicyState::default(); policies.len()],
            bounds: target.bounds(),
            target,
            policies,
            scheduled,
            next_scheduled: 0,
            delay_minutes,
            history: History::new(window + delay_minutes, maths),
            current: MinuteInProgress::default(),
            high_resolution,
            named,
        })
    }

    /// The registered target.
    pub fn target(&self) -> &ScalableTarget {
        &self.target
    }

    /// The policies, in the order given.
    pub fn policies(&self) -> &[ScalingPolicy] {
        &self.policies
    }

    /// The scheduled actions, in the order they fire.
    pub fn scheduled_actions(&self) -> &[ScheduledAction] {
        &self.scheduled
    }

    /// Seconds until a minute's datapoint is visible.
    pub fn metric_delay_s(&self) -> u64 {
        self.delay_minutes * MINUTE_S
    }

    /// Scheduled actions due by `end_s`: the bounds they leave, the desired capacity the last
    /// outside update set, and the last one's reason.
    fn run_scheduled(&mut self, end_s: u64) -> ScheduledRun {
        let mut run = ScheduledRun::default();
        while let Some(action) = self.scheduled.get(self.next_scheduled)
            && action.at_s <= end_s
        {
            if action.desired_capacity.is_some() {
                run.set_desired = action.desired_capacity;
            }
            let before = self.bounds;
            let min = action.min_capacity.unwrap_or(before.min());
            let max = action.max_capacity.unwrap_or(before.max());
            let (after, failed) = match CapacityBounds::new(min, max) {
                Ok(after) => (after, false),
                Err(_) => (before, true),
            };
            self.bounds = after;
            let reason = Some(ScheduledActionReason {
                action: action.name,
                bounds: (before, after),
                failed,
                desired_capacity: action.desired_capacity,
            });
            if failed {
                run.failed = reason;
            } else {
                run.applied = reason;
            }
            self.next_scheduled += 1;
        }
        run
    }

    /// Seconds left at `now_s` of a cooldown of `cooldown_s` started at `started_s`.
    fn cooling(started_s: Option<u64>, now_s: u64, cooldown_s: u64) -> Option<u64> {
        let elapsed_s = now_s - started_s?;
        (elapsed_s < cooldown_s).then(|| cooldown_s - elapsed_s)
    }

    /// A target-tracking policy's proposal at `now_s`, and whether it is ready to scale in
    /// (its low alarm in ALARM, out of its scale-in cooldown, below D). `newest` is the newest
    /// visible minute when `now_s` ends a minute; a high-resolution policy also looks for a
    /// scale-out at the end of each of its periods.
    fn tracking_candidate(
        &self,
        index: usize,
        policy: &TargetTrackingPolicy,
        now_s: u64,
        newest: Option<u64>,
        desired: u32,
    ) -> (Option<Candidate>, bool) {
        let state = &self.states[index];
        let configuration = policy.configuration;
        let target_value = configuration.target_value();
        let [high, low] = tracking_alarms(policy);
        let reason = |alarm,
                      breach: AlarmBreach,
                      period_s,
                      threshold,
                      count,
                      scaled: f64,
                      in_service,
                      cooldown_s| {
            let unclamped = (scaled / target_value).ceil();
            // Saturating float-to-int conversion: anything above u32::MAX clamps to MaxCapacity.
            let capacity = self.bounds.clamp(unclamped as u32);
            let reason = ScalingReason::TargetTracking(TargetTrackingReason {
                policy: self.named.then_some(policy.name),
                metric: policy.query.source,
                alarm,
                threshold,
                minutes: breach.minutes,
                period_s,
                datapoint_range: breach.datapoint_range,
                invocations: scaled,
                in_service,
                target_value,
                unclamped,
                capacity,
                bounds: self.bounds,
                cooldown_s,
                count,
            });
            Candidate {
                policy: index,
                capacity,
                reason,
            }
        };
        let scale_out_left_s = Self::cooling(
            state.last_scale_out_s,
            now_s,
            configuration.scale_out_cooldown_s(),
        );
        let high_breach = match (policy.high_resolution, &self.high_resolution) {
            (Some(alarm), Some(history)) => {
                let visible = (now_s.is_multiple_of(alarm.period_s()))
                    .then(|| {
                        (now_s / alarm.period_s())
                            .checked_sub(1 + alarm.delay_s() / alarm.period_s())
                    })
                    .flatten();
                visible.and_then(|slot| {
                    let breach = history.above(slot, alarm.datapoints(), target_value)?;
                    let datapoint = history.slot(slot);
                    let scaled = datapoint.value * f64::from(datapoint.in_service);
                    Some(reason(
                        Alarm::High,
                        breach,
                        alarm.period_s(),
                        target_value,
                        alarm.datapoints(),
                        scaled,
                        datapoint.in_service,
                        scale_out_left_s,
                    ))
                })
            }
            _ => newest.and_then(|newest| {
                let breach = high.evaluate(&self.history, newest)?;
                let record = self.history.minute(newest);
                Some(reason(
                    Alarm::High,
                    breach,
                    MINUTE_S,
                    target_value,
                    HIGH_DATAPOINTS,
                    self.scaled(policy, newest),
                    record.in_service,
                    scale_out_left_s,
                ))
            }),
        };
        if let Some(candidate) = high_breach {
            return ((candidate.capacity > desired).then_some(candidate), false);
        }
        let Some(newest) = newest else {
            return (None, false);
        };
        let Some(breach) = low.evaluate(&self.history, newest) else {
            return (None, false);
        };
        let cooling = Self::cooling(
            state.last_scale_in_s,
            now_s,
            configuration.scale_in_cooldown_s(),
        )
        .is_some();
        let candidate = reason(
            Alarm::Low,
            breach,
            MINUTE_S,
            low.threshold,
            LOW_DATAPOINTS,
            self.scaled(policy, newest),
            self.history.minute(newest).in_service,
            Some(configuration.scale_in_cooldown_s()),
        );
        if cooling || candidate.capacity >= desired {
            return (None, false);
        }
        (Some(candidate), true)
    }

    /// The tracked metric times the instances in service in minute `newest`: the load a
    /// proportional rule divides by the target.
    fn scaled(&self, policy: &TargetTrackingPolicy, newest: u64) -> f64 {
        let record = self.history.minute(newest);
        // Invocations per instance times the instances is the invocations, exactly: no
        // rounding noise from dividing by n and multiplying back.
        match policy.query.source {
            source if source.is_per_instance() => record.invocations,
            _ => self.history.value(policy.query, newest) * f64::from(record.in_service),
        }
    }

    /// A step policy's proposal at `now_s`: of its alarms' invocations, the largest
    /// capacity, the first alarm's on a tie.
    fn step_candidate(
        &self,
        index: usize,
        policy: &StepScalingPolicy,
        now_s: u64,
        newest: u64,
        desired: u32,
    ) -> Option<Candidate> {
        std::iter::once(&policy.alarm)
            .chain(&policy.also_invoked_by)
            .filter_map(|alarm| {
                self.invocation_candidate(index, policy, alarm, now_s, newest, desired)
            })
            .reduce(|best, next| {
                if next.capacity > best.capacity {
                    next
                } else {
                    best
                }
            })
    }

    /// What step policy `policy` proposes when `alarm` invokes it at `now_s`.
    fn invocation_candidate(
        &self,
        index: usize,
        policy: &StepScalingPolicy,
        alarm: &MetricAlarm,
        now_s: u64,
        newest: u64,
        desired: u32,
    ) -> Option<Candidate> {
        let breach = alarm.evaluate(&self.history, newest)?;
        let value = match policy.metric_aggregation_type {
            MetricAggregationType::Average => breach.datapoint_mean,
            MetricAggregationType::Minimum => breach.datapoint_range.0,
            MetricAggregationType::Maximum => breach.datapoint_range.1,
        };
        let above = alarm.comparison.is_upper();
        let difference = value - alarm.threshold;
        let step = *policy
            .steps
            .iter()
            .find(|step| step.contains(difference, above))?;
        let state = &self.states[index];
        let out_cooling = Self::cooling(state.last_scale_out_s, now_s, policy.cooldown_s).is_some();
        let grows = match policy.adjustment_type {
            AdjustmentType::ExactCapacity => step.scaling_adjustment > i64::from(desired),
            _ => step.scaling_adjustment > 0,
        };
        // While a scale-out cooldown runs, the capacity that scale-out added counts towards
        // the next: a larger step adds only the difference.
        let in_cooldown = grows && out_cooling;
        let base = if in_cooldown {
            state.scale_out_base
        } else {
            desired
        };
        let capacity = self.bounds.clamp(adjusted(
            base,
            policy.adjustment_type,
            step.scaling_adjustment,
            policy.min_adjustment_magnitude,
        ));
        let in_cooling = Self::cooling(state.last_scale_in_s, now_s, policy.cooldown_s);
        // A step that grows capacity never lowers it: counted from the base of a running
        // cooldown, it may fall short of a capacity that something else raised since.
        if capacity == desired
            || (grows && capacity < desired)
            || (capacity < desired && in_cooling.is_some())
        {
            return None;
        }
        Some(Candidate {
            policy: index,
            capacity,
            reason: ScalingReason::StepScaling(StepScalingReason {
                policy: policy.name,
                query: alarm.query,
                comparison: alarm.comparison,
                threshold: alarm.threshold,
                breach,
                evaluation_periods: alarm.evaluation_periods,
                value,
                step,
                adjustment_type: policy.adjustment_type,
                base,
                in_cooldown,
                capacity,
            }),
        })
    }

    /// The policies' decision at `now_s`, D being `desired`: at the end of a minute every
    /// policy's, in between only the high-resolution policies' scale-outs.
    fn decide(&mut self, now_s: u64, desired: u32) -> Option<Candidate> {
        let minute_end = now_s.is_multiple_of(MINUTE_S);
        let newest = (now_s / MINUTE_S)
            .checked_sub(1 + self.delay_minutes)
            .filter(|_| minute_end);
        let (in_suspended, out_suspended) = self.target.suspended();
        let mut scale_out: Option<Candidate> = None;
        let mut scale_in: Option<Candidate> = None;
        let mut tracking_in: Option<Candidate> = None;
        let mut tracking_all_ready = true;
        for (index, policy) in self.policies.iter().enumerate() {
            let candidate = match policy {
                ScalingPolicy::TargetTracking(policy) => {
                    let (candidate, ready) =
                        self.tracking_candidate(index, policy, now_s, newest, desired);
                    if !policy.configuration.disable_scale_in() {
                        tracking_all_ready &= ready;
                        if ready {
                            tracking_in = larger(tracking_in, candidate);
                        }
                    }
                    candidate.filter(|c| c.capacity > desired)
                }
                ScalingPolicy::StepScaling(policy) => {
                    let candidate = newest.and_then(|newest| {
                        self.step_candidate(index, policy, now_s, newest, desired)
                    });
                    if let Some(c) = candidate.filter(|c| c.capacity < desired) {
                        scale_in = larger(scale_in, Some(c));
                    }
                    candidate.filter(|c| c.capacity > desired)
                }
            };
            scale_out = larger(scale_out, candidate);
        }
        if let Some(winner) = scale_out.filter(|_| !out_suspended) {
            let policy = winner.policy;
            let started = self.states[policy].last_scale_out_s;
            let cooldown_s = match &self.policies[policy] {
                ScalingPolicy::TargetTracking(p) => p.configuration.scale_out_cooldown_s(),
                ScalingPolicy::StepScaling(p) => p.cooldown_s,
            };
            // A scale-out in a running step cooldown keeps the cooldown that was started.
            if Self::cooling(started, now_s, cooldown_s).is_none()
                || matches!(self.policies[policy], ScalingPolicy::TargetTracking(_))
            {
                self.states[policy].last_scale_out_s = Some(now_s);
                self.states[policy].scale_out_base = desired;
            }
            // Any scale-out ends every scale-in cooldown.
            for state in &mut self.states {
                state.last_scale_in_s = None;
            }
            return Some(winner);
        }
        if in_suspended || newest.is_none() {
            return None;
        }
        let tracking_in = tracking_in.filter(|_| tracking_all_ready);
        let winner = larger(scale_in, tracking_in)?;
        if matches!(
            self.policies[winner.policy],
            ScalingPolicy::TargetTracking(_)
        ) {
            // Every target-tracking policy that may scale in was ready and scales in together.
            for (policy, state) in self.policies.iter().zip(&mut self.states) {
                if let ScalingPolicy::TargetTracking(policy) = policy
                    && !policy.configuration.disable_scale_in()
                {
                    state.last_scale_in_s = Some(now_s);
                }
            }
        } else {
            self.states[winner.policy].last_scale_in_s = Some(now_s);
        }
        Some(winner)
    }
}

/// The larger capacity of two proposals; on a tie the first.
fn larger(a: Option<Candidate>, b: Option<Candidate>) -> Option<Candidate> {
    match (a, b) {
        (Some(a), Some(b)) => Some(if b.capacity > a.capacity { b } else { a }),
        (a, b) => a.or(b),
    }
}

/// The two alarms target tracking creates for `policy`: 3 of 3 datapoints above the target,
/// 15 of 15 below 90 % of it.
pub(crate) fn tracking_alarms(policy: &TargetTrackingPolicy) -> [MetricAlarm; 2] {
    let target_value = policy.configuration.target_value();
    [
        MetricAlarm {
            query: policy.query,
            comparison: ComparisonOperator::GreaterThanThreshold,
            threshold: target_value,
            evaluation_periods: HIGH_DATAPOINTS,
            datapoints_to_alarm: HIGH_DATAPOINTS,
            treat_missing: TreatMissingData::Missing,
        },
        MetricAlarm {
            query: policy.query,
            comparison: ComparisonOperator::LessThanThreshold,
            threshold: LOW_THRESHOLD_RATIO * target_value,
            evaluation_periods: LOW_DATAPOINTS,
            datapoints_to_alarm: LOW_DATAPOINTS,
            treat_missing: TreatMissingData::Missing,
        },
    ]
}

/// The capacity a step adjustment makes of `base`. A percentage change is rounded towards
/// zero, but a change of less than 1 in magnitude becomes ±1, and then raised to
/// MinAdjustmentMagnitude; the result is never below 0.
pub fn adjusted(
    base: u32,
    adjustment_type: AdjustmentType,
    adjustment: i64,
    min_adjustment_magnitude: Option<u32>,
) -> u32 {
    let base_i = i64::from(base);
    let result = match adjustment_type {
        AdjustmentType::ChangeInCapacity => base_i.saturating_add(adjustment),
        AdjustmentType::ExactCapacity => adjustment,
        AdjustmentType::PercentChangeInCapacity => {
            let raw = base_i as f64 * adjustment as f64 / 100.0;
            let mut change = if raw > 0.0 && raw < 1.0 {
                1
            } else if raw < 0.0 && raw > -1.0 {
                -1
            } else {
                raw.trunc() as i64
            };
            if let Some(magnitude) = min_adjustment_magnitude
                && adjustment != 0
                && change.abs() < i64::from(magnitude)
            {
                change = adjustment.signum() * i64::from(magnitude);
            }
            base_i.saturating_add(change)
        }
    };
    result.clamp(0, i64::from(u32::MAX)) as u32
}

impl Autoscaler for ApplicationAutoScaling {
    fn initial_bounds(&self) -> CapacityBounds {
        self.target.bounds()
    }

    fn largest_capacity(&self) -> u32 {
        self.scheduled
            .iter()
            .filter_map(|action| action.max_capacity)
            .fold(self.target.bounds().max(), u32::max)
    }

    fn check_step(&self, step_s: u64) -> Result<(), BuildError> {
        if !MINUTE_S.is_multiple_of(step_s) {
            return Err(BuildError::StepDoesNotDivide {
                what: "the metric period of AWS Application Auto Scaling",
                period_s: MINUTE_S,
                step_s,
            });
        }
        if let Some(history) = &self.high_resolution
            && !history.period_s().is_multiple_of(step_s)
        {
            return Err(BuildError::Field {
                field: "step_s",
                expected: format!(
                    "a divisor of the high-resolution alarm's period ({} s): set step_s to {}, or \
                     [autoscaler.high_resolution_alarm] period_s to a multiple of step_s (10, 20, \
                     30 or 60)",
                    history.period_s(),
                    history.period_s()
                ),
                got: format!("{step_s} s"),
            });
        }
        Ok(())
    }

    fn latency_needed_by(&self) -> Option<LatencyNeed> {
        self.policies.iter().find_map(|policy| {
            let queries = match policy {
                ScalingPolicy::TargetTracking(policy) => vec![policy.query],
                ScalingPolicy::StepScaling(policy) => std::iter::once(&policy.alarm)
                    .chain(&policy.also_invoked_by)
                    .map(|alarm| alarm.query)
                    .collect(),
            };
            let need = |metric: SageMakerMetric| {
                metric.needs_latency().then(|| LatencyNeed {
                    metric: metric.name(),
                    in_flight: metric != SageMakerMetric::ModelLatency,
                })
            };
            queries.into_iter().find_map(|query| match query.source {
                MetricSource::Metric(metric) => need(metric),
                MetricSource::Math { index, .. } => self
                    .history
                    .math(index)?
                    .metrics()
                    .iter()
                    .find_map(|&(metric, _)| need(metric)),
            })
        })
    }

    fn on_step(&mut self, observation: &Observation<'_>) -> StepOutcome {
        self.current.add(observation);
        if let Some(history) = &mut self.high_resolution {
            history.add(observation);
        }
        let end_s = observation.end_s();
        let scheduled = if self.scheduled.is_empty() {
            ScheduledRun::default()
        } else {
            self.run_scheduled(end_s)
        };
        let set_desired = scheduled.set_desired;
        let desired_before = observation.desired;
        let desired = self.bounds.clamp(set_desired.unwrap_or(desired_before));
        let bounds = self.bounds;
        let scheduled_outcome = |metric| StepOutcome {
            metric,
            proposal: scheduled
                .applied
                .filter(|_| desired != desired_before)
                .map(|reason| Proposal {
                    desired,
                    bounds,
                    removal: Removal::CancelPendingFirst,
                    reason: ScalingReason::ScheduledAction(reason),
                }),
            notice: scheduled.failed.map(ScalingReason::ScheduledAction),
        };
        // A high-resolution period's end decides too (scale-outs only, unless it ends a
        // minute).
        let period_end = match &mut self.high_resolution {
            Some(history) if end_s.is_multiple_of(history.period_s()) => {
                history.finish(end_s / history.period_s() - 1, observation.in_service);
                true
            }
            _ => false,
        };
        let minute_end = end_s.is_multiple_of(MINUTE_S);
        if !(minute_end || period_end) {
            return scheduled_outcome(None);
        }
        let metric = if minute_end {
            let minute = end_s / MINUTE_S - 1;
            let record = self.current.finish();
            self.history.record(minute, record);
            // A missing datapoint (no copy in service) is no metric.
            self.policies
                .first()
                .map(|policy| {
                    let query = match policy {
                        ScalingPolicy::TargetTracking(policy) => policy.query,
                        ScalingPolicy::StepScaling(policy) => MetricQuery {
                            period_minutes: 1,
                            ..policy.alarm.query
                        },
                    };
                    self.history.value(query, minute)
                })
                .filter(|value| !value.is_nan())
        } else {
            None
        };
        // The endpoint is Updating while an outside update applies: no policy acts on it
        // until the next decision.
        let candidate = match set_desired {
            Some(_) => None,
            None => self.decide(end_s, desired),
        };
        match candidate {
            Some(candidate) => StepOutcome {
                metric,
                proposal: Some(Proposal {
                    desired: candidate.capacity,
                    bounds: self.bounds,
                    removal: Removal::CancelPendingFirst,
                    reason: candidate.reason,
                }),
                notice: None,
            },
            None => scheduled_outcome(metric),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_changes_round_towards_zero_but_move_at_least_one() {
        use AdjustmentType::PercentChangeInCapacity as Percent;
        // AWS's examples: 12.7 → 12, 0.5 → 1, −0.5 → −1, −6.67 → −6.
        assert_eq!(adjusted(100, Percent, 127, None) - 100, 127);
        assert_eq!(adjusted(10, Percent, 127, None), 10 + 12);
        assert_eq!(adjusted(10, Percent, 5, None), 11);
        assert_eq!(adjusted(10, Percent, -5, None), 9);
        assert_eq!(adjusted(100, Percent, -667, None), 0);
        assert_eq!(adjusted(15, Percent, -45, None), 15 - 6);
        // MinAdjustmentMagnitude lifts a small change.
        assert_eq!(adjusted(10, Percent, 10, Some(3)), 13);
        // The PutScalingPolicy page: +200 % of 10 is 20 more.
        assert_eq!(adjusted(10, Percent, 200, None), 30);
    }

    #[test]
    fn step_intervals_include_the_bound_nearer_the_threshold() {
        let step = StepAdjustment {
            lower: Some(0.0),
            upper: Some(10.0),
            scaling_adjustment: 1,
        };
        assert!(step.contains(0.0, true));
        assert!(!step.contains(10.0, true));
        assert!(!step.contains(0.0, false));
        assert!(step.contains(10.0, false));
    }

    #[test]
    fn names_are_cut_at_a_character_boundary() {
        let name = PolicyName::new(&"é".repeat(30));
        assert_eq!(name.as_str().len(), 40);
        assert!(name.to_string().ends_with('…'));
        assert_eq!(PolicyName::new("short").to_string(), "short");
    }
}
