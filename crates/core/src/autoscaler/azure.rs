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
//! (j − timeWindow, j].

use std::fmt;

use crate::autoscaler::{Autoscaler, Observation, Proposal, ScalingReason, StepOutcome};
use crate::capacity::CapacityBounds;
use crate::error::BuildError;

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
    fn is_per_instance(self) -> bool {
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
    fn holds(self, value: f64, threshold: f64) -> bool {
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
