//! Kubernetes HorizontalPodAutoscaler, autoscaling/v2 with behavior
//! (spec: `spec/kubernetes-hpa.md`).
//!
//! A sync every `sync_period_s` (default 15 s) with current = D:
//! 1. each metric gives a proposal from the pod-level replica calculator ([`replica_count`]),
//!    fed with N Ready pods carrying the step's metrics and D − N Pending ones; the largest
//!    proposal wins (none valid, or any invalid while the largest valid is below D: no change);
//! 2. stabilization: up = min of the recommendations younger than the up window and the new one,
//!    down = max likewise over the down window; the current count is raised to up or lowered to
//!    down;
//! 3. rate limits: per policy, the count at the start of its period (current less the changes of
//!    events younger than the period), then Pods ± value or Percent × (1 ± value/100); selectPolicy
//!    picks among them; the result is clamped to [minReplicas, maxReplicas].

use crate::capacity::CapacityBounds;
use crate::error::BuildError;

/// What a metric's target is (`target.type`), values in milli-units (utilization in percent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricTarget {
    /// `averageUtilization`, percent of the pods' requests (Resource cpu only).
    Utilization(i64),
    /// `averageValue`, milli-units per pod.
    AverageValue(i64),
    /// `value`, milli-units for the whole object or external series.
    Value(i64),
}

/// One entry of `spec.metrics`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HpaMetric {
    /// `Resource` cpu: Utilization or AverageValue (millicores).
    ResourceCpu(MetricTarget),
    /// `Pods`: AverageValue of a per-pod metric (requests per second per pod, here).
    Pods(MetricTarget),
    /// `Object`: Value or AverageValue of one object's metric (the fleet's arrival rate, here).
    Object(MetricTarget),
    /// `External`: Value or AverageValue of an external series (the fleet's arrival rate, here).
    External(MetricTarget),
}

/// A scaling policy's kind (`type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyKind {
    /// Change by at most `value` pods per period.
    Pods,
    /// Change by at most `value` percent per period.
    Percent,
}

/// One of `behavior.scaleUp.policies` / `scaleDown.policies`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HpaScalingPolicy {
    /// Pods or Percent.
    pub kind: PolicyKind,
    /// Pods or percent, > 0.
    pub value: u32,
    /// Seconds the policy looks back, 1–1800.
    pub period_s: u32,
}

/// `selectPolicy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SelectPolicy {
    /// The policy that allows the largest change.
    Max,
    /// The policy that allows the smallest change.
    Min,
    /// No change in this direction.
    Disabled,
}

/// `behavior.scaleUp` or `behavior.scaleDown`, complete (defaults applied).
#[derive(Debug, Clone, PartialEq)]
pub struct HpaScalingRules {
    /// `stabilizationWindowSeconds`, 0–3600.
    pub stabilization_window_s: u32,
    /// `selectPolicy`.
    pub select_policy: SelectPolicy,
    /// `policies`, non-empty.
    pub policies: Vec<HpaScalingPolicy>,
    /// `tolerance` as a fraction (KEP-4951); `None`: the scenario's.
    pub tolerance: Option<f64>,
}

impl HpaScalingRules {
    /// The v2 default of `scaleUp`: window 0, Max of Pods 4 / 15 s and Percent 100 / 15 s.
    pub fn default_scale_up() -> Self {
        Self {
            stabilization_window_s: 0,
            select_policy: SelectPolicy::Max,
            policies: vec![
                HpaScalingPolicy {
                    kind: PolicyKind::Pods,
                    value: 4,
                    period_s: 15,
                },
                HpaScalingPolicy {
                    kind: PolicyKind::Percent,
                    value: 100,
                    period_s: 15,
                },
            ],
            tolerance: None,
        }
    }

    /// The v2 default of `scaleDown`: window 300 s, Max of Percent 100 / 15 s.
    pub fn default_scale_down() -> Self {
        Self {
            stabilization_window_s: 300,
            select_policy: SelectPolicy::Max,
            policies: vec![HpaScalingPolicy {
                kind: PolicyKind::Percent,
                value: 100,
                period_s: 15,
            }],
            tolerance: None,
        }
    }
}

/// The checked `spec` of a HorizontalPodAutoscaler.
#[derive(Debug, Clone, PartialEq)]
pub struct HorizontalPodAutoscalerSpec {
    /// `minReplicas` and `maxReplicas`.
    pub replicas: CapacityBounds,
    /// `metrics`, non-empty (the v2 default is Resource cpu Utilization 80).
    pub metrics: Vec<HpaMetric>,
    /// `behavior.scaleUp`, defaults applied.
    pub scale_up: HpaScalingRules,
    /// `behavior.scaleDown`, defaults applied.
    pub scale_down: HpaScalingRules,
}
