//! AWS Application Auto Scaling on a SageMaker endpoint variant (spec:
//! `spec/aws-target-tracking.md`; the rest: `docs/semantics/aws-*.md`).
//!
//! [`TargetTracking`] is the spec's one policy, target tracking on
//! `SageMakerVariantInvocationsPerInstance`, which the sweep kernel reproduces; it runs as an
//! [`ApplicationAutoScaling`] with that one policy, which holds the general case: several target
//! tracking and step scaling policies on CloudWatch alarms, and scheduled actions.
//!
//! Target tracking, once per simulated minute k, at its end:
//! - the datapoint m_k of the tracked metric is recorded (InvocationsPerInstance: Σ over the
//!   minute's requests of 1/n, n in-service instances at that moment; with n constant over the
//!   minute, m_k = d_k / n);
//! - with j = k − metric_delay_s/60 the newest visible datapoint, AlarmHigh is in ALARM when
//!   the 3 datapoints j−2..j are all > TargetValue, AlarmLow when the 15 datapoints j−14..j
//!   are all < 0.9 × TargetValue; fewer datapoints is INSUFFICIENT_DATA;
//! - the proposal is C = clamp(ceil(m_j × N_j / TargetValue), MinCapacity, MaxCapacity), N_j
//!   the instances in service in minute j; for InvocationsPerInstance m_j × N_j is d_j, the
//!   invocations of minute j, so that no rounding noise of dividing and multiplying by n
//!   creeps in;
//! - scale out to C when AlarmHigh is in ALARM and C > D, whatever the scale-out cooldown
//!   (AWS lets a larger scale-out through, and any C > D is larger); this ends any scale-in
//!   cooldown;
//! - else scale in to C when AlarmLow is in ALARM, DisableScaleIn is false, no scale-in
//!   cooldown is running and C < D. A cooldown started at the end of minute a is running at the
//!   end of minute k while (k − a) × 60 < cooldown. The scale-out cooldown does not block scale-in
//!   (model choice: AWS names no such rule).
//!
//! Model choice beyond the spec: RegisterScalableTarget's `SuspendedState` is honoured:
//! `DynamicScalingOutSuspended` and `DynamicScalingInSuspended` stop the policies' scale-outs
//! and scale-ins, `ScheduledScalingSuspended` the scheduled actions, as AWS documents.

pub(crate) mod cloudwatch;
pub(crate) mod metric_math;
pub(crate) mod scaling;

use std::fmt;

use crate::autoscaler::aws::cloudwatch::{
    MetricQuery, MetricSource, MetricStatistic, SageMakerMetric,
};
use crate::autoscaler::aws::scaling::{
    ApplicationAutoScaling, PolicyName, ScalingPolicy, TargetTrackingPolicy,
};
use crate::autoscaler::{Autoscaler, Num, Observation, StepOutcome};
use crate::capacity::CapacityBounds;
use crate::error::BuildError;

/// AlarmHigh needs this many consecutive datapoints above the target.
pub(crate) const HIGH_DATAPOINTS: u64 = 3;
/// AlarmLow needs this many consecutive datapoints below its threshold.
pub(crate) const LOW_DATAPOINTS: u64 = 15;
/// AlarmLow fires below this fraction of the target ("usually more than 10% lower").
pub(crate) const LOW_THRESHOLD_RATIO: f64 = 0.9;
/// The largest metric delay accepted: CloudWatch's delays are minutes, and the delay sizes a
/// buffer.
pub(crate) const MAX_METRIC_DELAY_S: u64 = 3600;

/// The registered scalable target: RegisterScalableTarget's capacity range and suspension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScalableTarget {
    bounds: CapacityBounds,
    dynamic_scaling_in_suspended: bool,
    dynamic_scaling_out_suspended: bool,
    scheduled_scaling_suspended: bool,
}

impl ScalableTarget {
    /// A SageMaker variant's target: 1 ≤ MinCapacity ≤ MaxCapacity.
    pub fn new(min_capacity: u32, max_capacity: u32) -> Result<Self, BuildError> {
        Self::with_least(min_capacity, max_capacity, 1)
    }

    /// The copies of a SageMaker inference component, which may scale to zero
    /// (`sagemaker:inference-component:DesiredCopyCount`, MinCapacity 0).
    pub fn inference_component(min_capacity: u32, max_capacity: u32) -> Result<Self, BuildError> {
        Self::with_least(min_capacity, max_capacity, 0)
    }

    fn with_least(min_capacity: u32, max_capacity: u32, least: u32) -> Result<Self, BuildError> {
        if min_capacity < least {
            return Err(BuildError::Field {
                field: "MinCapacity",
                expected: "at least 1 for a SageMaker endpoint variant (0 is for an inference \
                           component's copies)"
                    .into(),
                got: min_capacity.to_string(),
            });
        }
        if max_capacity < min_capacity {
            return Err(BuildError::Field {
                field: "MaxCapacity",
                expected: format!("greater than or equal to MinCapacity ({min_capacity})"),
                got: max_capacity.to_string(),
            });
        }
        Ok(Self {
            bounds: CapacityBounds::new(min_capacity, max_capacity)?,
            dynamic_scaling_in_suspended: false,
            dynamic_scaling_out_suspended: false,
            scheduled_scaling_suspended: false,
        })
    }

    /// The same target with `SuspendedState`'s dynamic-scaling flags set.
    pub fn with_suspended_state(
        self,
        scaling_in_suspended: bool,
        scaling_out_suspended: bool,
    ) -> Self {
        Self {
            dynamic_scaling_in_suspended: scaling_in_suspended,
            dynamic_scaling_out_suspended: scaling_out_suspended,
            ..self
        }
    }

    /// The same target with `SuspendedState.ScheduledScalingSuspended` set.
    pub fn with_scheduled_scaling_suspended(self, suspended: bool) -> Self {
        Self {
            scheduled_scaling_suspended: suspended,
            ..self
        }
    }

    /// `SuspendedState.ScheduledScalingSuspended`.
    pub fn scheduled_scaling_suspended(&self) -> bool {
        self.scheduled_scaling_suspended
    }

    /// MinCapacity and MaxCapacity.
    pub fn bounds(&self) -> CapacityBounds {
        self.bounds
    }

    /// `SuspendedState`: (DynamicScalingInSuspended, DynamicScalingOutSuspended).
    pub fn suspended(&self) -> (bool, bool) {
        (
            self.dynamic_scaling_in_suspended,
            self.dynamic_scaling_out_suspended,
        )
    }
}

/// The policy's TargetTrackingScalingPolicyConfiguration, with SageMaker's defaults applied.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TargetTrackingScalingPolicyConfiguration {
    target_value: f64,
    scale_out_cooldown_s: u64,
    scale_in_cooldown_s: u64,
    disable_scale_in: bool,
}

impl TargetTrackingScalingPolicyConfiguration {
    /// Default of ScaleOutCooldown and ScaleInCooldown for SageMaker variants, in seconds.
    pub const DEFAULT_COOLDOWN_S: u64 = 300;

    /// TargetValue must be finite and > 0; cooldowns are whole seconds ≥ 0.
    pub fn new(
        target_value: f64,
        scale_out_cooldown_s: u64,
        scale_in_cooldown_s: u64,
        disable_scale_in: bool,
    ) -> Result<Self, BuildError> {
        if !(target_value.is_finite() && target_value > 0.0) {
            return Err(BuildError::Field {
                field: "TargetValue",
                expected: "a finite number greater than 0".into(),
                got: target_value.to_string(),
            });
        }
        Ok(Self {
            target_value,
            scale_out_cooldown_s,
            scale_in_cooldown_s,
            disable_scale_in,
        })
    }

    /// InvocationsPerInstance the policy keeps the variant at.
    pub fn target_value(&self) -> f64 {
        self.target_value
    }

    /// ScaleOutCooldown, seconds.
    pub fn scale_out_cooldown_s(&self) -> u64 {
        self.scale_out_cooldown_s
    }

    /// ScaleInCooldown, seconds.
    pub fn scale_in_cooldown_s(&self) -> u64 {
        self.scale_in_cooldown_s
    }

    /// DisableScaleIn.
    pub fn disable_scale_in(&self) -> bool {
        self.disable_scale_in
    }
}

/// The scale-out alarm target tracking creates for a high-resolution metric
/// (ConcurrentRequestsPerModel, ConcurrentRequestsPerCopy): AWS does not publish it, so its
/// shape is a parameter (`docs/semantics/aws-high-resolution.md`). Scale-in keeps the
/// standard alarm on minute datapoints: "as traffic decreases, your policy scales in at the
/// same rate as standard metrics".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HighResolutionAlarm {
    period_s: u64,
    datapoints: u64,
    delay_s: u64,
}

impl HighResolutionAlarm {
    /// 3 of 3 datapoints of 10 s above the target, each visible 10 s after its period ends:
    /// the standard AlarmHigh's shape and delay, counted in the metric's own periods.
    pub const DEFAULT: HighResolutionAlarm = HighResolutionAlarm {
        period_s: 10,
        datapoints: HIGH_DATAPOINTS,
        delay_s: 10,
    };

    /// Periods of 10, 20, 30 or 60 s (CloudWatch's high-resolution periods that divide a
    /// minute, from SageMaker's 10 s); 1 to 360 datapoints; a delay of whole periods up to
    /// an hour.
    pub fn new(period_s: u64, datapoints: u64, delay_s: u64) -> Result<Self, BuildError> {
        if ![10, 20, 30, 60].contains(&period_s) {
            return Err(BuildError::Field {
                field: "autoscaler.high_resolution_alarm.period_s",
                expected: "10, 20, 30 or 60 (the metric is published every 10 s)".into(),
                got: period_s.to_string(),
            });
        }
        if !(1..=360).contains(&datapoints) {
            return Err(BuildError::Field {
                field: "autoscaler.high_resolution_alarm.datapoints",
                expected: "from 1 to 360".into(),
                got: datapoints.to_string(),
            });
        }
        if !delay_s.is_multiple_of(period_s) || delay_s > MAX_METRIC_DELAY_S {
            return Err(BuildError::Field {
                field: "autoscaler.high_resolution_alarm.delay_s",
                expected: format!(
                    "a multiple of period_s ({period_s}) from 0 to {MAX_METRIC_DELAY_S}"
                ),
                got: delay_s.to_string(),
            });
        }
        Ok(Self {
            period_s,
            datapoints,
            delay_s,
        })
    }

    /// Seconds in a datapoint's period.
    pub fn period_s(&self) -> u64 {
        self.period_s
    }

    /// Datapoints, all above the target, that put the alarm in ALARM.
    pub fn datapoints(&self) -> u64 {
        self.datapoints
    }

    /// Seconds from a period's end until its datapoint is visible.
    pub fn delay_s(&self) -> u64 {
        self.delay_s
    }
}

impl Default for HighResolutionAlarm {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Which target-tracking alarm acted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alarm {
    /// Metric above the target for 3 of 3 datapoints: scale out.
    High,
    /// Metric below 0.9 × target for 15 of 15 datapoints: scale in.
    Low,
}

/// Why target tracking changed desired capacity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TargetTrackingReason {
    /// The policy, named when the target has several.
    pub policy: Option<PolicyName>,
    /// The metric tracked.
    pub metric: MetricSource,
    /// The alarm in ALARM.
    pub alarm: Alarm,
    /// The alarm's threshold on the metric.
    pub threshold: f64,
    /// Datapoints the alarm needed, all breaching.
    pub count: u64,
    /// First and last datapoint the alarm evaluated, counted in periods of `period_s` from
    /// t = 0: minutes, unless the metric is high-resolution.
    pub minutes: (u64, u64),
    /// Seconds in a datapoint's period.
    pub period_s: u64,
    /// The smallest and largest of those datapoints.
    pub datapoint_range: (f64, f64),
    /// The metric times the instances in the newest visible minute, m_j × N_j: for
    /// InvocationsPerInstance, the invocations d_j.
    pub invocations: f64,
    /// N_j, the instances in service in the newest visible minute.
    pub in_service: u32,
    /// The policy's TargetValue.
    pub target_value: f64,
    /// ceil(d_j / TargetValue), before the clamp.
    pub unclamped: f64,
    /// The capacity set, after the clamp.
    pub capacity: u32,
    /// MinCapacity and MaxCapacity.
    pub bounds: CapacityBounds,
    /// For a scale-out: seconds of scale-out cooldown left, if one was running. For a
    /// scale-in: the scale-in cooldown it starts.
    pub cooldown_s: Option<u64>,
}

impl fmt::Display for TargetTrackingReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (name, operator) = match self.alarm {
            Alarm::High => ("AlarmHigh", ">"),
            Alarm::Low => ("AlarmLow", "<"),
        };
        let count = self.count;
        let (first, last) = self.minutes;
        let (lowest, highest) = self.datapoint_range;
        if let Some(policy) = self.policy {
            write!(f, "target tracking policy {policy}: ")?;
        }
        write!(
            f,
            "{name} in ALARM: {} {operator} {} for {count} of {count} ",
            self.metric.name(),
            Num(self.threshold),
        )?;
        if self.period_s == cloudwatch::MINUTE_S {
            write!(f, "datapoints (minutes {first}-{last}")?;
        } else {
            write!(
                f,
                "{} s datapoints ({} s to {} s",
                self.period_s,
                first * self.period_s,
                (last + 1) * self.period_s
            )?;
        }
        write!(f, ", {} to {}); ", Num(lowest), Num(highest))?;
        if self.metric.is_per_instance() {
            write!(f, "ceil({} invocations", Num(self.invocations))?;
        } else {
            write!(
                f,
                "ceil({} × {} instances",
                Num(self.invocations / f64::from(self.in_service.max(1))),
                self.in_service
            )?;
        }
        write!(
            f,
            " / {}) = {}",
            Num(self.target_value),
            Num(self.unclamped)
        )?;
        if self.unclamped > f64::from(self.bounds.max()) {
            write!(f, ", clamped to MaxCapacity {}", self.capacity)?;
        } else if self.unclamped < f64::from(self.bounds.min()) {
            write!(f, ", clamped to MinCapacity {}", self.capacity)?;
        }
        match (self.alarm, self.cooldown_s) {
            (Alarm::High, Some(left_s)) => write!(
                f,
                "; scale-out cooldown running ({left_s} s left) but a larger scale-out goes through"
            ),
            (Alarm::Low, Some(cooldown_s)) if cooldown_s > 0 => {
                write!(f, "; scale-in cooldown of {cooldown_s} s starts")
            }
            _ => Ok(()),
        }
    }
}

/// The target-tracking controller of one endpoint variant: the spec's one policy on
/// InvocationsPerInstance.
#[derive(Debug, Clone)]
pub struct TargetTracking {
    policy: TargetTrackingScalingPolicyConfiguration,
    scaling: ApplicationAutoScaling,
}

impl TargetTracking {
    /// The controller for `target` and `policy`, whose alarms see minute k's datapoint at the
    /// end of minute k + metric_delay_s/60.
    pub fn new(
        target: ScalableTarget,
        policy: TargetTrackingScalingPolicyConfiguration,
        metric_delay_s: u64,
    ) -> Result<Self, BuildError> {
        let tracking = TargetTrackingPolicy {
            name: PolicyName::default(),
            query: MetricQuery::per_minute(
                SageMakerMetric::InvocationsPerInstance,
                MetricStatistic::Sum,
            ),
            configuration: policy,
            high_resolution: None,
        };
        Ok(Self {
            policy,
            scaling: ApplicationAutoScaling::new(
                target,
                vec![ScalingPolicy::TargetTracking(tracking)],
                Vec::new(),
                metric_delay_s,
            )?,
        })
    }

    /// The registered target.
    pub fn target(&self) -> &ScalableTarget {
        self.scaling.target()
    }

    /// The policy's configuration.
    pub fn policy(&self) -> &TargetTrackingScalingPolicyConfiguration {
        &self.policy
    }

    /// Seconds until a minute's datapoint is visible.
    pub fn metric_delay_s(&self) -> u64 {
        self.scaling.metric_delay_s()
    }
}

impl Autoscaler for TargetTracking {
    fn initial_bounds(&self) -> CapacityBounds {
        self.scaling.initial_bounds()
    }

    fn check_step(&self, step_s: u64) -> Result<(), BuildError> {
        self.scaling.check_step(step_s)
    }

    fn on_step(&mut self, observation: &Observation<'_>) -> StepOutcome {
        self.scaling.on_step(observation)
    }
}
