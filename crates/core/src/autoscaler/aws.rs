//! AWS Application Auto Scaling target tracking on a SageMaker endpoint variant's
//! `SageMakerVariantInvocationsPerInstance` (spec: `spec/aws-target-tracking.md`).
//!
//! Once per simulated minute k, at its end:
//! - the datapoint m_k = Σ over the minute's requests of 1/n (n in-service instances at that
//!   moment) is recorded; with n constant over the minute, m_k = d_k / n;
//! - with j = k − metric_delay_s/60 the newest visible datapoint, AlarmHigh is in ALARM when
//!   the 3 datapoints j−2..j are all > TargetValue, AlarmLow when the 15 datapoints j−14..j
//!   are all < 0.9 × TargetValue; fewer datapoints is INSUFFICIENT_DATA;
//! - the proposal is C = clamp(ceil(d_j / TargetValue), MinCapacity, MaxCapacity), with d_j
//!   the invocations of minute j, so that no rounding noise of dividing and multiplying by
//!   n creeps in;
//! - scale out to C when AlarmHigh is in ALARM and C > D, whatever the scale-out cooldown
//!   (AWS lets a larger scale-out through, and any C > D is larger); this ends any scale-in
//!   cooldown;
//! - else scale in to C when AlarmLow is in ALARM, DisableScaleIn is false, no scale-in
//!   cooldown is running and C < D. A cooldown started at the end of minute a is running at the
//!   end of minute k while (k − a) × 60 < cooldown. The scale-out cooldown does not block scale-in
//!   (model choice: AWS names no such rule).
//!
//! Model choice beyond the spec: RegisterScalableTarget's `SuspendedState` is honoured:
//! `DynamicScalingOutSuspended` and `DynamicScalingInSuspended` stop the policy's scale-outs
//! and scale-ins, as AWS documents for suspended dynamic scaling.

use std::fmt;

use crate::autoscaler::{Autoscaler, Num, Observation, Proposal, ScalingReason, StepOutcome};
use crate::capacity::CapacityBounds;
use crate::error::BuildError;
use crate::fleet::Removal;

/// Seconds in the CloudWatch period of the metric: one datapoint per minute.
const METRIC_PERIOD_S: u64 = 60;
/// AlarmHigh needs this many consecutive datapoints above the target.
const HIGH_DATAPOINTS: u64 = 3;
/// AlarmLow needs this many consecutive datapoints below its threshold.
const LOW_DATAPOINTS: u64 = 15;
/// AlarmLow fires below this fraction of the target ("usually more than 10% lower").
const LOW_THRESHOLD_RATIO: f64 = 0.9;
/// The largest metric delay accepted: CloudWatch's delays are minutes, and the delay sizes a
/// buffer.
const MAX_METRIC_DELAY_S: u64 = 3600;

/// The registered scalable target: RegisterScalableTarget's capacity range and suspension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScalableTarget {
    bounds: CapacityBounds,
    dynamic_scaling_in_suspended: bool,
    dynamic_scaling_out_suspended: bool,
}

impl ScalableTarget {
    /// A SageMaker variant's target: 1 ≤ MinCapacity ≤ MaxCapacity.
    pub fn new(min_capacity: u32, max_capacity: u32) -> Result<Self, BuildError> {
        if min_capacity < 1 {
            return Err(BuildError::Field {
                field: "MinCapacity",
                expected: "at least 1 for a SageMaker endpoint variant".into(),
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

/// One minute's CloudWatch datapoint and the invocations behind it.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
struct Datapoint {
    invocations: f64,
    invocations_per_instance: f64,
}

/// The minute in progress: its invocations, Σ d/n over its steps, and whether n held still.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
struct MinuteInProgress {
    invocations: f64,
    invocations_per_instance: f64,
    /// In-service count of the minute's steps, while it was the same in all of them.
    constant_in_service: Option<u32>,
    steps: u32,
}

impl MinuteInProgress {
    fn add(&mut self, invocations: f64, in_service: u32) {
        // A variant never has fewer than MinCapacity ≥ 1 instances in service, so the divisor
        // is never 0; max(1) only keeps the arithmetic total.
        self.invocations += invocations;
        self.invocations_per_instance += invocations / f64::from(in_service.max(1));
        self.constant_in_service = match (self.steps, self.constant_in_service) {
            (0, _) => Some(in_service),
            (_, Some(n)) if n == in_service => Some(n),
            _ => None,
        };
        self.steps += 1;
    }

    /// The datapoint: invocations / n when n held still over the minute (the spec's formula,
    /// free of the rounding of summing per-step shares), else Σ d/n.
    fn datapoint(&self) -> Datapoint {
        Datapoint {
            invocations: self.invocations,
            invocations_per_instance: match self.constant_in_service {
                Some(n) => self.invocations / f64::from(n.max(1)),
                None => self.invocations_per_instance,
            },
        }
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
    /// The alarm in ALARM.
    pub alarm: Alarm,
    /// The alarm's threshold on InvocationsPerInstance.
    pub threshold: f64,
    /// First and last minute of the datapoints the alarm evaluated.
    pub minutes: (u64, u64),
    /// The smallest and largest of those datapoints.
    pub datapoint_range: (f64, f64),
    /// Invocations in the newest visible minute, d_j.
    pub invocations: f64,
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
        let (name, operator, count) = match self.alarm {
            Alarm::High => ("AlarmHigh", ">", HIGH_DATAPOINTS),
            Alarm::Low => ("AlarmLow", "<", LOW_DATAPOINTS),
        };
        let (first, last) = self.minutes;
        let (lowest, highest) = self.datapoint_range;
        write!(
            f,
            "{name} in ALARM: InvocationsPerInstance {operator} {} for {count} of {count} \
             datapoints (minutes {first}-{last}, {} to {}); ceil({} invocations / {}) = {}",
            Num(self.threshold),
            Num(lowest),
            Num(highest),
            Num(self.invocations),
            Num(self.target_value),
            Num(self.unclamped),
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

/// The target-tracking controller of one endpoint variant.
#[derive(Debug, Clone)]
pub struct TargetTracking {
    target: ScalableTarget,
    policy: TargetTrackingScalingPolicyConfiguration,
    delay_minutes: u64,
    /// Datapoints of the last `history.len()` minutes, minute m at index m % len.
    history: Vec<Datapoint>,
    /// The minute in progress.
    current: MinuteInProgress,
    last_scale_out_minute: Option<u64>,
    last_scale_in_minute: Option<u64>,
}

impl TargetTracking {
    /// The controller for `target` and `policy`, whose alarms see minute k's datapoint at the
    /// end of minute k + metric_delay_s/60.
    pub fn new(
        target: ScalableTarget,
        policy: TargetTrackingScalingPolicyConfiguration,
        metric_delay_s: u64,
    ) -> Result<Self, BuildError> {
        if !metric_delay_s.is_multiple_of(METRIC_PERIOD_S) || metric_delay_s > MAX_METRIC_DELAY_S {
            return Err(BuildError::Field {
                field: "metric_delay_s",
                expected: format!("a multiple of 60 from 0 to {MAX_METRIC_DELAY_S}"),
                got: metric_delay_s.to_string(),
            });
        }
        let delay_minutes = metric_delay_s / METRIC_PERIOD_S;
        Ok(Self {
            target,
            policy,
            delay_minutes,
            history: vec![Datapoint::default(); (LOW_DATAPOINTS + delay_minutes) as usize],
            current: MinuteInProgress::default(),
            last_scale_out_minute: None,
            last_scale_in_minute: None,
        })
    }

    /// The registered target.
    pub fn target(&self) -> &ScalableTarget {
        &self.target
    }

    /// The policy's configuration.
    pub fn policy(&self) -> &TargetTrackingScalingPolicyConfiguration {
        &self.policy
    }

    /// Seconds until a minute's datapoint is visible.
    pub fn metric_delay_s(&self) -> u64 {
        self.delay_minutes * METRIC_PERIOD_S
    }

    fn datapoint(&self, minute: u64) -> Datapoint {
        self.history[(minute % self.history.len() as u64) as usize]
    }

    /// The smallest and largest of the `count` datapoints ending at minute `newest`.
    fn datapoint_range(&self, newest: u64, count: u64) -> (f64, f64) {
        (newest + 1 - count..=newest)
            .map(|minute| self.datapoint(minute).invocations_per_instance)
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), value| {
                (lo.min(value), hi.max(value))
            })
    }

    fn cooldown_left_s(last_minute: Option<u64>, minute: u64, cooldown_s: u64) -> Option<u64> {
        let elapsed_s = (minute - last_minute?) * METRIC_PERIOD_S;
        (elapsed_s < cooldown_s).then(|| cooldown_s - elapsed_s)
    }

    /// The alarms' evaluation and the policy's decision at the end of `minute`.
    fn evaluate(&mut self, minute: u64, desired: u32) -> Option<Proposal> {
        let newest_visible = minute.checked_sub(self.delay_minutes)?;
        let visible = newest_visible + 1;
        let target_value = self.policy.target_value;
        let bounds = self.target.bounds;
        let invocations = self.datapoint(newest_visible).invocations;
        let unclamped = (invocations / target_value).ceil();
        // Saturating float-to-int conversion: anything above u32::MAX clamps to MaxCapacity.
        let capacity = bounds.clamp(unclamped as u32);
        let reason = |alarm, threshold, count, datapoint_range, cooldown_s| TargetTrackingReason {
            alarm,
            threshold,
            minutes: (newest_visible + 1 - count, newest_visible),
            datapoint_range,
            invocations,
            target_value,
            unclamped,
            capacity,
            bounds,
            cooldown_s,
        };

        let high_range = (visible >= HIGH_DATAPOINTS)
            .then(|| self.datapoint_range(newest_visible, HIGH_DATAPOINTS));
        if let Some(range @ (lowest, _)) = high_range
            && lowest > target_value
        {
            if capacity <= desired || self.target.dynamic_scaling_out_suspended {
                return None;
            }
            let cooldown_left_s = Self::cooldown_left_s(
                self.last_scale_out_minute,
                minute,
                self.policy.scale_out_cooldown_s,
            );
            self.last_scale_out_minute = Some(minute);
            self.last_scale_in_minute = None;
            return Some(Proposal {
                desired: capacity,
                bounds,
                removal: Removal::CancelPendingFirst,
                reason: ScalingReason::TargetTracking(reason(
                    Alarm::High,
                    target_value,
                    HIGH_DATAPOINTS,
                    range,
                    cooldown_left_s,
                )),
            });
        }

        let low_threshold = LOW_THRESHOLD_RATIO * target_value;
        let low_range = (visible >= LOW_DATAPOINTS)
            .then(|| self.datapoint_range(newest_visible, LOW_DATAPOINTS));
        let range @ (_, highest) = low_range?;
        let scale_in_cooling = Self::cooldown_left_s(
            self.last_scale_in_minute,
            minute,
            self.policy.scale_in_cooldown_s,
        )
        .is_some();
        if highest >= low_threshold
            || self.policy.disable_scale_in
            || self.target.dynamic_scaling_in_suspended
            || scale_in_cooling
            || capacity >= desired
        {
            return None;
        }
        self.last_scale_in_minute = Some(minute);
        Some(Proposal {
            desired: capacity,
            bounds,
            removal: Removal::CancelPendingFirst,
            reason: ScalingReason::TargetTracking(reason(
                Alarm::Low,
                low_threshold,
                LOW_DATAPOINTS,
                range,
                Some(self.policy.scale_in_cooldown_s),
            )),
        })
    }
}

impl Autoscaler for TargetTracking {
    fn initial_bounds(&self) -> CapacityBounds {
        self.target.bounds
    }

    fn check_step(&self, step_s: u64) -> Result<(), BuildError> {
        if !METRIC_PERIOD_S.is_multiple_of(step_s) {
            return Err(BuildError::StepDoesNotDivide {
                what: "the metric period of AWS target tracking",
                period_s: METRIC_PERIOD_S,
                step_s,
            });
        }
        Ok(())
    }

    fn on_step(&mut self, observation: &Observation<'_>) -> StepOutcome {
        self.current.add(observation.demand, observation.in_service);
        let end_s = observation.end_s();
        if !end_s.is_multiple_of(METRIC_PERIOD_S) {
            return StepOutcome {
                metric: None,
                proposal: None,
                notice: None,
            };
        }
        let minute = end_s / METRIC_PERIOD_S - 1;
        let datapoint = std::mem::take(&mut self.current).datapoint();
        let slot = (minute % self.history.len() as u64) as usize;
        self.history[slot] = datapoint;
        StepOutcome {
            metric: Some(datapoint.invocations_per_instance),
            proposal: self.evaluate(minute, observation.desired),
            notice: None,
        }
    }
}
