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

use std::collections::VecDeque;
use std::fmt;

use crate::autoscaler::{
    Autoscaler, Observation, Proposal, ScalingReason, StepOutcome, check_evaluation_period,
    check_period_in_steps,
};
use crate::capacity::CapacityBounds;
use crate::error::BuildError;
use crate::fleet::Removal;

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

/// A pod's phase, as the replica calculator sorts pods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PodPhase {
    /// Scheduled and running.
    Running,
    /// Not yet running (a launch still provisioning).
    Pending,
    /// Failed; ignored.
    Failed,
}

/// One pod as the replica calculator sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PodSample {
    /// Its phase.
    pub phase: PodPhase,
    /// Its Ready condition.
    pub ready: bool,
    /// Being deleted; ignored.
    pub terminating: bool,
    /// Its CPU request, millicores.
    pub request_m: i64,
    /// Its metric, milli-units (millicores for cpu), if the metrics API has one.
    pub metric_m: Option<i64>,
}

/// How far from 1 a usage ratio may be before the calculator acts (KEP-4951).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tolerance {
    /// Allowed ratio above 1.
    pub up: f64,
    /// Allowed ratio below 1.
    pub down: f64,
}

impl Tolerance {
    /// within(r) ⇔ 1 − down ≤ r ≤ 1 + up, both ends inclusive.
    pub fn within(self, ratio: f64) -> bool {
        1.0 - self.down <= ratio && ratio <= 1.0 + self.up
    }
}

/// What the calculator proposes and the metric value it shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplicaCount {
    /// The proposed replica count.
    pub replicas: u32,
    /// The current value shown: utilization (percent) or average / value (milli-units).
    pub shown: i64,
}

fn ceil_count(value: f64) -> u32 {
    // `value.ceil() as u32`, whose saturating conversion makes a runaway ratio propose
    // u32::MAX (which the clamp then caps at maxReplicas). In range, truncation plus one when
    // the value had a fraction gives the same integer without libm's `ceil`, a call on x86-64
    // without SSE4.1, at every sync of every run of a sweep. The fraction is tested on the
    // bits: LLVM turns a float comparison of this shape back into that very call.
    if value > 0.0 && value <= f64::from(u32::MAX) {
        let truncated = value as u32;
        let whole = f64::from(truncated).to_bits() == value.to_bits();
        truncated + u32::from(!whole)
    } else {
        ceil_out_of_range(value)
    }
}

// Out of line: LLVM would otherwise compute both arms and select, calling libm every time.
#[cold]
#[inline(never)]
fn ceil_out_of_range(value: f64) -> u32 {
    value.ceil() as u32
}

/// `value.round() as i64` (half away from zero), without libm's `round` for the same reason as
/// [`ceil_count`]: below 2^62, 2 × value is exact and round(v) = (t + sign(t)) / 2 with t =
/// trunc(2v), in integers.
fn round_m(value: f64) -> i64 {
    const EXACT: f64 = 4_611_686_018_427_387_904.0; // 2^62
    if value.abs() < EXACT {
        let doubled = (value * 2.0) as i64;
        (doubled + doubled.signum()) / 2
    } else {
        round_out_of_range(value)
    }
}

#[cold]
#[inline(never)]
fn round_out_of_range(value: f64) -> i64 {
    value.round() as i64
}

/// Sums of pods' values are taken in i128, where the upstream controller's int64 could wrap
/// for a fleet of many pods each reporting a huge value; a result beyond i64 reads as its limit,
/// which every target exceeds (or falls short of) all the same.
fn saturate(value: i128) -> i64 {
    i64::try_from(value).unwrap_or(if value < 0 { i64::MIN } else { i64::MAX })
}

/// The pod-level replica calculator (spec "The replica calculator"), for per-pod metrics:
/// Resource cpu (Utilization or AverageValue) and Pods (AverageValue). `None`: the metric is
/// invalid this sync (no pod with a metric left).
pub fn pod_replica_count(
    target: MetricTarget,
    pods: &[PodSample],
    current: u32,
    tolerance: Tolerance,
    is_cpu: bool,
) -> Option<ReplicaCount> {
    // 1. Groups, first fit: ignored, unready (Pending), missing, unready (cpu: not Ready), ready.
    let ignored = |p: &PodSample| p.terminating || p.phase == PodPhase::Failed;
    let pending = |p: &PodSample| p.phase == PodPhase::Pending;
    let missing = |p: &PodSample| p.metric_m.is_none();
    let unready =
        |p: &PodSample| !ignored(p) && (pending(p) || (!missing(p) && is_cpu && !p.ready));
    let ready = |p: &&PodSample| !ignored(p) && !unready(p) && !missing(p);
    let missing_pods = || {
        pods.iter()
            .filter(|p| !ignored(p) && !pending(p) && missing(p))
    };
    let unready_pods = || pods.iter().filter(|p| unready(p));
    let ready_pods = || pods.iter().filter(ready);
    let ready_count = ready_pods().count();
    if ready_count == 0 {
        return None;
    }
    let metric = |p: &PodSample| p.metric_m.unwrap_or(0);
    // 2. The ratio over the pods with a metric.
    let (ratio, shown) = match target {
        MetricTarget::Utilization(target_pct) => {
            let usage: i128 = ready_pods().map(|p| i128::from(metric(p))).sum();
            let requests: i128 = ready_pods().map(|p| i128::from(p.request_m)).sum();
            if requests <= 0 {
                return None;
            }
            let utilization = saturate(usage * 100 / requests);
            (utilization as f64 / target_pct as f64, utilization)
        }
        MetricTarget::AverageValue(target_m) | MetricTarget::Value(target_m) => {
            let total: i128 = ready_pods().map(|p| i128::from(metric(p))).sum();
            let average = saturate(total / ready_count as i128);
            (average as f64 / target_m as f64, average)
        }
    };
    let has_missing = missing_pods().next().is_some();
    let rebalance_unready = unready_pods().next().is_some() && ratio > 1.0;
    // 3. Nothing to fill in.
    if !has_missing && !rebalance_unready {
        let replicas = if tolerance.within(ratio) {
            current
        } else {
            ceil_count(ratio * ready_count as f64)
        };
        return Some(ReplicaCount { replicas, shown });
    }
    // 4. Fill in missing pods (and, scaling up, unready ones as 0), then recompute.
    let fill_missing = |p: &PodSample| -> Option<i64> {
        match target {
            MetricTarget::Utilization(target_pct) if ratio < 1.0 => {
                Some(p.request_m * target_pct.max(100) / 100)
            }
            MetricTarget::Utilization(_) if ratio > 1.0 => Some(0),
            MetricTarget::Utilization(_) => None,
            MetricTarget::AverageValue(target_m) | MetricTarget::Value(target_m) if ratio < 1.0 => {
                Some(target_m)
            }
            _ => Some(0),
        }
    };
    let filled = ready_pods()
        .map(|p| (metric(p), p.request_m))
        .chain(missing_pods().filter_map(|p| fill_missing(p).map(|m| (m, p.request_m))))
        .chain(
            unready_pods()
                .filter(|_| rebalance_unready)
                .map(|p| (0, p.request_m)),
        );
    let (mut total, mut requests, mut counted) = (0i128, 0i128, 0usize);
    for (value, request) in filled {
        total += i128::from(value);
        requests += i128::from(request);
        counted += 1;
    }
    let new_ratio = match target {
        MetricTarget::Utilization(target_pct) => {
            if requests <= 0 {
                return None;
            }
            saturate(total * 100 / requests) as f64 / target_pct as f64
        }
        MetricTarget::AverageValue(target_m) | MetricTarget::Value(target_m) => {
            saturate(total / counted as i128) as f64 / target_m as f64
        }
    };
    let crossed = (ratio < 1.0 && new_ratio > 1.0) || (ratio > 1.0 && new_ratio < 1.0);
    if tolerance.within(new_ratio) || crossed {
        return Some(ReplicaCount {
            replicas: current,
            shown,
        });
    }
    let replicas = ceil_count(new_ratio * counted as f64);
    let wrong_way =
        (new_ratio < 1.0 && replicas > current) || (new_ratio > 1.0 && replicas < current);
    Some(ReplicaCount {
        replicas: if wrong_way { current } else { replicas },
        shown,
    })
}

/// [`pod_replica_count`] for the pods a fleet has (spec "Fleet mapping"): `ready` Running,
/// Ready pods each with `metric_m` (`None`: no metric) and `pending` Pending ones, all
/// requesting `request_m`, in O(1) instead of a pass over a pod list. Identical pods make each
/// sum a product, and a quotient of products by the same count is the quotient of the factors
/// (the ratio is the same rational, truncated the same way), so the result is the same.
pub(crate) fn uniform_pod_replica_count(
    target: MetricTarget,
    metric_m: Option<i64>,
    ready: u32,
    pending: u32,
    request_m: i64,
    current: u32,
    tolerance: Tolerance,
) -> Option<ReplicaCount> {
    // Ready pods without a metric are "missing" and pending ones "unready": none is left to
    // compute a ratio from.
    let metric = metric_m.filter(|_| ready > 0)?;
    // Σ usage × 100 / Σ requests, truncated, in i128 as the calculator sums.
    let utilization = |usage_per_pod: i128, pods: i128, request_pods: i128| -> Option<i64> {
        let requests = request_pods * i128::from(request_m);
        if requests <= 0 {
            return None;
        }
        Some(saturate(usage_per_pod * pods * 100 / requests))
    };
    let (ratio, shown) = match target {
        MetricTarget::Utilization(target_pct) => {
            if request_m <= 0 {
                return None;
            }
            let shown = match metric.checked_mul(100) {
                Some(scaled) => scaled / request_m,
                None => utilization(i128::from(metric), 1, 1)?,
            };
            (shown as f64 / target_pct as f64, shown)
        }
        MetricTarget::AverageValue(target_m) | MetricTarget::Value(target_m) => {
            (metric as f64 / target_m as f64, metric)
        }
    };
    // Step 3: no missing pods; pending ones matter only when scaling up.
    if !(pending > 0 && ratio > 1.0) {
        let replicas = if tolerance.within(ratio) {
            current
        } else {
            ceil_count(ratio * f64::from(ready))
        };
        return Some(ReplicaCount { replicas, shown });
    }
    // Step 4: pending pods count as 0 (with their requests).
    let counted = u64::from(ready) + u64::from(pending);
    let total = i128::from(metric) * i128::from(ready);
    let new_ratio = match target {
        MetricTarget::Utilization(target_pct) => {
            utilization(i128::from(metric), i128::from(ready), i128::from(counted))? as f64
                / target_pct as f64
        }
        MetricTarget::AverageValue(target_m) | MetricTarget::Value(target_m) => {
            saturate(total / i128::from(counted)) as f64 / target_m as f64
        }
    };
    // r > 1 here, so "crossed" means r′ < 1.
    if tolerance.within(new_ratio) || new_ratio < 1.0 {
        return Some(ReplicaCount {
            replicas: current,
            shown,
        });
    }
    let replicas = ceil_count(new_ratio * counted as f64);
    let wrong_way = new_ratio > 1.0 && replicas < current;
    Some(ReplicaCount {
        replicas: if wrong_way { current } else { replicas },
        shown,
    })
}

/// The replica calculator for Object and External metrics: one `value_m` for the whole
/// series. Value: r = value / target, ceil(r × Running Ready pods) (ceil(r) at 0 replicas).
/// AverageValue: r = value / (target × statusReplicas), ceil(value / target).
pub fn object_replica_count(
    target: MetricTarget,
    value_m: i64,
    pods: &[PodSample],
    current: u32,
    status_replicas: u32,
    tolerance: Tolerance,
) -> Option<ReplicaCount> {
    let running_ready = || {
        pods.iter()
            .filter(|p| p.phase == PodPhase::Running && p.ready && !p.terminating)
            .count() as u64
    };
    object_replica_count_with(
        target,
        value_m,
        running_ready,
        current,
        status_replicas,
        tolerance,
    )
}

/// [`object_replica_count`] given the count of Running, Ready pods rather than the pods, so
/// that a fleet's sync need not list them.
pub(crate) fn object_replica_count_with(
    target: MetricTarget,
    value_m: i64,
    running_ready: impl FnOnce() -> u64,
    current: u32,
    status_replicas: u32,
    tolerance: Tolerance,
) -> Option<ReplicaCount> {
    match target {
        MetricTarget::Value(target_m) => {
            let ratio = value_m as f64 / target_m as f64;
            let replicas = if current == 0 {
                ceil_count(ratio)
            } else if tolerance.within(ratio) {
                current
            } else {
                ceil_count(ratio * running_ready() as f64)
            };
            Some(ReplicaCount {
                replicas,
                shown: value_m,
            })
        }
        MetricTarget::AverageValue(target_m) => {
            let ratio = value_m as f64 / (target_m as f64 * f64::from(status_replicas));
            let replicas = if tolerance.within(ratio) {
                status_replicas
            } else {
                ceil_count(value_m as f64 / target_m as f64)
            };
            let shown = (value_m as f64 / f64::from(status_replicas.max(1))).ceil() as i64;
            Some(ReplicaCount { replicas, shown })
        }
        MetricTarget::Utilization(_) => None,
    }
}

/// Step 3c: up = min(desired, recommendations younger than the up window), down = max(desired,
/// those younger than the down window); the current count is raised to up if below it,
/// lowered to down if above it. A recommendation counts while t_r > t − window.
pub fn stabilize(
    current: u32,
    desired: u32,
    recommendations: impl Iterator<Item = (u64, u32)> + Clone,
    t_s: u64,
    up_window_s: u32,
    down_window_s: u32,
) -> u32 {
    let within = |window_s: u32| move |&(t_r, _): &(u64, u32)| t_r + u64::from(window_s) > t_s;
    let up = recommendations
        .clone()
        .filter(within(up_window_s))
        .map(|(_, r)| r)
        .fold(desired, u32::min);
    let down = recommendations
        .filter(within(down_window_s))
        .map(|(_, r)| r)
        .fold(desired, u32::max);
    if current < up {
        up
    } else if current > down {
        down
    } else {
        current
    }
}

/// Which limit bound the count after the rate limits (the HPA's ScalingLimited reasons).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitCondition {
    /// Not limited.
    None,
    /// Scale-up limited by a policy below maxReplicas.
    ScaleUpLimit,
    /// Scale-up limited by maxReplicas.
    TooManyReplicas,
    /// Scale-down limited by a policy above minReplicas.
    ScaleDownLimit,
    /// Scale-down limited by minReplicas.
    TooFewReplicas,
}

/// A past scaling event, for the policies' periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScaleEvent {
    /// When, seconds.
    pub t_s: u64,
    /// Replicas added (positive) or removed (negative).
    pub change: i64,
}

/// Step 3d: the count after the rate limits of `rules` for a move from `current` to the
/// stabilized `stabilized`, given the past `events` at time `t_s`.
pub fn rate_limited(
    current: u32,
    stabilized: u32,
    replicas: CapacityBounds,
    scale_up: &HpaScalingRules,
    scale_down: &HpaScalingRules,
    events: &[ScaleEvent],
    t_s: u64,
) -> (u32, LimitCondition) {
    let changed_within = |period_s: u32| {
        events
            .iter()
            .filter(|e| e.t_s + u64::from(period_s) > t_s)
            .map(|e| e.change)
            .sum()
    };
    rate_limited_by(
        current,
        stabilized,
        replicas,
        scale_up,
        scale_down,
        changed_within,
    )
}

/// [`rate_limited`] with `changed_within(period_s)` the net change of the events younger than
/// `period_s`, so that the controller can sum its own history in place.
fn rate_limited_by(
    current: u32,
    stabilized: u32,
    replicas: CapacityBounds,
    scale_up: &HpaScalingRules,
    scale_down: &HpaScalingRules,
    changed_within: impl Fn(u32) -> i64,
) -> (u32, LimitCondition) {
    // The count at the start of a policy's period: current − added + removed since then.
    let start_of = |period_s: u32| i64::from(current) - changed_within(period_s);
    if stabilized > current {
        let limits = scale_up.policies.iter().map(|policy| {
            let start = start_of(policy.period_s);
            match policy.kind {
                PolicyKind::Pods => start + i64::from(policy.value),
                PolicyKind::Percent => {
                    ((start as f64) * (1.0 + f64::from(policy.value) / 100.0)).ceil() as i64
                }
            }
        });
        let limit = match scale_up.select_policy {
            SelectPolicy::Max => limits.max().unwrap_or(i64::from(current)),
            SelectPolicy::Min => limits.min().unwrap_or(i64::from(current)),
            SelectPolicy::Disabled => i64::from(current),
        }
        .max(i64::from(current));
        let cap = i64::from(replicas.max()).min(limit);
        let condition = if limit < i64::from(replicas.max()) {
            LimitCondition::ScaleUpLimit
        } else {
            LimitCondition::TooManyReplicas
        };
        let next = i64::from(stabilized).min(cap);
        let limited = next < i64::from(stabilized);
        (
            next as u32,
            if limited {
                condition
            } else {
                LimitCondition::None
            },
        )
    } else if stabilized < current {
        let limits = scale_down.policies.iter().map(|policy| {
            let start = start_of(policy.period_s);
            match policy.kind {
                PolicyKind::Pods => start - i64::from(policy.value),
                PolicyKind::Percent => {
                    ((start as f64) * (1.0 - f64::from(policy.value) / 100.0)).trunc() as i64
                }
            }
        });
        let limit = match scale_down.select_policy {
            SelectPolicy::Max => limits.min().unwrap_or(i64::from(current)),
            SelectPolicy::Min => limits.max().unwrap_or(i64::from(current)),
            SelectPolicy::Disabled => i64::from(current),
        }
        .min(i64::from(current));
        let floor = i64::from(replicas.min()).max(limit);
        let condition = if limit > i64::from(replicas.min()) {
            LimitCondition::ScaleDownLimit
        } else {
            LimitCondition::TooFewReplicas
        };
        let next = i64::from(stabilized).max(floor);
        let limited = next > i64::from(stabilized);
        (
            next as u32,
            if limited {
                condition
            } else {
                LimitCondition::None
            },
        )
    } else {
        (current, LimitCondition::None)
    }
}

/// Why the HPA changed the replica count.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HpaReason {
    /// The metric whose proposal was the largest (position in `spec.metrics`).
    pub metric: usize,
    /// Its current value shown.
    pub shown: i64,
    /// Its kind, for the sentence.
    pub target: HpaMetric,
    /// The largest proposal, before stabilization.
    pub proposed: u32,
    /// After stabilization.
    pub stabilized: u32,
    /// The limit that bound it, if any.
    pub condition: LimitCondition,
}

impl fmt::Display for HpaReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (what, value) = match self.target {
            HpaMetric::ResourceCpu(MetricTarget::Utilization(target)) => (
                "cpu utilization",
                format!("{} % (target {target} %)", self.shown),
            ),
            HpaMetric::ResourceCpu(t) => (
                "cpu",
                format!("{}m (target {})", self.shown, target_text(t)),
            ),
            HpaMetric::Pods(t) => (
                "pods metric",
                format!("{}m (target {})", self.shown, target_text(t)),
            ),
            HpaMetric::Object(t) => (
                "object metric",
                format!("{}m (target {})", self.shown, target_text(t)),
            ),
            HpaMetric::External(t) => (
                "external metric",
                format!("{}m (target {})", self.shown, target_text(t)),
            ),
        };
        write!(
            f,
            "metrics[{}] {what} {value}: recommends {}",
            self.metric, self.proposed
        )?;
        if self.stabilized != self.proposed {
            write!(f, ", stabilized to {}", self.stabilized)?;
        }
        match self.condition {
            LimitCondition::None => Ok(()),
            condition => write!(f, ", limited ({condition:?})"),
        }
    }
}

fn target_text(target: MetricTarget) -> String {
    match target {
        MetricTarget::Utilization(pct) => format!("{pct} %"),
        MetricTarget::AverageValue(m) => format!("{m}m per pod"),
        MetricTarget::Value(m) => format!("{m}m"),
    }
}

/// The longest `stabilizationWindowSeconds` the API accepts.
const MAX_STABILIZATION_WINDOW_S: u32 = 3600;
/// The longest `periodSeconds` of a scaling policy the API accepts.
const MAX_POLICY_PERIOD_S: u32 = 1800;

/// The recommendations younger than a stabilization window, reduced to those that can still
/// be its extreme: a monotone deque. A recommendation followed by a later one at least as
/// extreme can never be the extreme again (the later one leaves the window after it), so the
/// deque holds times increasing and values strictly decreasing (`largest`) or increasing from
/// front to back, and the extreme of the window is its front once the expired are dropped.
/// Sync times only grow, so a recommendation out of the window stays out.
#[derive(Debug, Clone)]
struct WindowExtreme {
    window_s: u64,
    largest: bool,
    /// The deque as a ring of a power-of-two length: `head` and `tail` count pushes and pops
    /// from the front and back without wrapping at the length, and `& mask` finds a slot. A
    /// sweep kernel stabilizes at every sync of every run, where `VecDeque`'s own index
    /// arithmetic cost more than the comparisons.
    ring: Box<[(u64, u32)]>,
    mask: usize,
    head: usize,
    tail: usize,
}

impl WindowExtreme {
    /// At most one recommendation a sync, and only those younger than the window are kept:
    /// window / sync period + 2 slots (rounded up to a power of two) never fill when syncs
    /// come at multiples of the period; [`Self::record`] grows the ring if they ever do.
    fn new(window_s: u32, sync_period_s: u64, largest: bool) -> Self {
        let window_s = u64::from(window_s);
        let slots = ((window_s / sync_period_s + 2) as usize).next_power_of_two();
        Self {
            window_s,
            largest,
            ring: vec![(0, 0); slots].into_boxed_slice(),
            mask: slots - 1,
            head: 0,
            tail: 0,
        }
    }

    fn len(&self) -> usize {
        self.tail.wrapping_sub(self.head)
    }

    /// The extreme of `desired` and the recommendations with t_r + window > `t_s`.
    #[inline]
    fn extreme(&mut self, t_s: u64, desired: u32) -> u32 {
        while self.head != self.tail && self.ring[self.head & self.mask].0 + self.window_s <= t_s {
            self.head = self.head.wrapping_add(1);
        }
        if self.head == self.tail {
            return desired;
        }
        let r = self.ring[self.head & self.mask].1;
        if self.largest {
            r.max(desired)
        } else {
            r.min(desired)
        }
    }

    #[inline]
    fn record(&mut self, t_s: u64, recommendation: u32) {
        if self.window_s == 0 {
            // t_r + 0 > t_s never holds for a later sync.
            return;
        }
        let largest = self.largest;
        while self.head != self.tail {
            let r = self.ring[self.tail.wrapping_sub(1) & self.mask].1;
            let dominated = if largest {
                r <= recommendation
            } else {
                r >= recommendation
            };
            if !dominated {
                break;
            }
            self.tail = self.tail.wrapping_sub(1);
        }
        if self.len() == self.ring.len() {
            self.grow();
        }
        self.ring[self.tail & self.mask] = (t_s, recommendation);
        self.tail = self.tail.wrapping_add(1);
    }

    /// Twice the slots, the entries in order from the first: only for syncs off the period's
    /// multiples, which neither the engine nor a kernel makes.
    #[cold]
    fn grow(&mut self) {
        let len = self.len();
        let mut ring = vec![(0, 0); self.ring.len() * 2].into_boxed_slice();
        for (i, slot) in ring.iter_mut().take(len).enumerate() {
            *slot = self.ring[self.head.wrapping_add(i) & self.mask];
        }
        self.ring = ring;
        self.mask = self.ring.len() - 1;
        self.head = 0;
        self.tail = len;
    }
}

/// What one sync decided: the first metric's value shown, and the new count with its reason
/// when it changes.
pub(crate) type SyncOutcome = (Option<i64>, Option<(u32, HpaReason)>);

/// What steps 3a and 3b of a sync give.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Recommendation {
    /// The first metric's value shown.
    pub(crate) first_shown: Option<i64>,
    /// The largest valid proposal and its metric's position; `None` when step 3b ends the
    /// sync.
    pub(crate) best: Option<(usize, ReplicaCount)>,
}

/// The HorizontalPodAutoscaler controller of one scale target.
#[derive(Debug, Clone)]
pub struct HorizontalPodAutoscaler {
    spec: HorizontalPodAutoscalerSpec,
    sync_period_s: u64,
    tolerance_up: f64,
    tolerance_down: f64,
    cpu_request_m: i64,
    /// Step 3c's up = the least recommendation of the up window.
    up_window: WindowExtreme,
    /// Step 3c's down = the largest recommendation of the down window.
    down_window: WindowExtreme,
    /// Scaling events younger than the longest policy period, oldest first.
    events: VecDeque<ScaleEvent>,
    longest_period_s: u64,
}

impl HorizontalPodAutoscaler {
    /// The controller for `spec`, syncing every `sync_period_s`, with the controller's
    /// `tolerance` where a rule gives none, and pods requesting `cpu_request_m` millicores.
    pub fn new(
        spec: HorizontalPodAutoscalerSpec,
        sync_period_s: u64,
        tolerance: f64,
        cpu_request_m: i64,
    ) -> Result<Self, BuildError> {
        check_evaluation_period(sync_period_s)?;
        if !(tolerance.is_finite() && tolerance >= 0.0) {
            return Err(BuildError::Field {
                field: "tolerance",
                expected: "a finite number >= 0".into(),
                got: tolerance.to_string(),
            });
        }
        if cpu_request_m < 1 {
            return Err(BuildError::Field {
                field: "cpu_request_m",
                expected: "at least 1 millicore".into(),
                got: cpu_request_m.to_string(),
            });
        }
        if spec.metrics.is_empty() {
            return Err(BuildError::Field {
                field: "spec.metrics",
                expected: "at least one metric (the v2 default is cpu Utilization 80)".into(),
                got: "none".into(),
            });
        }
        // The API's bounds (spec "Validation"). The controller remembers recommendations and
        // events exactly as long as the rules look back, so a longer window would cost memory
        // growing with it; the manifest reader refuses these first, in the API's words.
        for rules in [&spec.scale_up, &spec.scale_down] {
            if rules.stabilization_window_s > MAX_STABILIZATION_WINDOW_S {
                return Err(BuildError::Field {
                    field: "stabilizationWindowSeconds",
                    expected: format!("at most {MAX_STABILIZATION_WINDOW_S}"),
                    got: rules.stabilization_window_s.to_string(),
                });
            }
            if let Some(policy) = rules
                .policies
                .iter()
                .find(|policy| !(1..=MAX_POLICY_PERIOD_S).contains(&policy.period_s))
            {
                return Err(BuildError::Field {
                    field: "policies.periodSeconds",
                    expected: format!("1 to {MAX_POLICY_PERIOD_S}"),
                    got: policy.period_s.to_string(),
                });
            }
        }
        let longest_period_s = spec
            .scale_up
            .policies
            .iter()
            .chain(&spec.scale_down.policies)
            .map(|policy| u64::from(policy.period_s))
            .max()
            .unwrap_or(0);
        Ok(Self {
            tolerance_up: spec.scale_up.tolerance.unwrap_or(tolerance),
            tolerance_down: spec.scale_down.tolerance.unwrap_or(tolerance),
            up_window: WindowExtreme::new(
                spec.scale_up.stabilization_window_s,
                sync_period_s,
                false,
            ),
            down_window: WindowExtreme::new(
                spec.scale_down.stabilization_window_s,
                sync_period_s,
                true,
            ),
            events: VecDeque::with_capacity((longest_period_s / sync_period_s + 2) as usize),
            longest_period_s,
            spec,
            sync_period_s,
            cpu_request_m,
        })
    }

    /// Seconds between syncs.
    pub(crate) fn sync_period_s(&self) -> u64 {
        self.sync_period_s
    }

    /// `minReplicas` and `maxReplicas`.
    pub(crate) fn replicas(&self) -> CapacityBounds {
        self.spec.replicas
    }

    /// One sync at `t_s` (spec "The sync", step 3), given the fleet as the step left it:
    /// `current` = D, `ready` = N, the step's `demand`, and its CPU as `work` of
    /// `work_capacity`.
    #[allow(clippy::too_many_arguments)] // the numbers of one step, as the engine observes it
    pub(crate) fn sync_fleet(
        &mut self,
        t_s: u64,
        current: u32,
        ready: u32,
        demand: f64,
        work: f64,
        work_capacity: f64,
        step_s: u64,
    ) -> SyncOutcome {
        let recommendation = self.recommend(current, ready, demand, work, work_capacity, step_s);
        self.decide(t_s, current, recommendation)
    }

    /// Whether, for fixed `current` and `ready`, the replicas [`Self::recommend`] proposes (or
    /// its "no proposal") never decrease as the step's demand grows, with `work` the demand
    /// served, `min(demand, work_capacity)`. A sweep kernel then knows a whole interval of
    /// demands from two that gave the same proposal. It holds for Resource cpu and Pods
    /// metrics with positive targets and tolerances ≥ 0:
    /// - each metric's per-pod value is `round` of a product and quotient of the (served)
    ///   demand by positive constants, non-decreasing under round-to-nearest, and so are the
    ///   integer utilization or average, the ratio to a positive target, `ceil(ratio × pods)`;
    /// - with no pending pods: below the tolerance band r < 1 gives at most the Ready count,
    ///   which is `current`; in it, `current`; above it r > 1 gives at least `current`;
    /// - with pending pods: r ≤ 1 gives step 3 (at most `current`), r > 1 step 4, whose result
    ///   is `current` or a non-decreasing count it never lets fall below `current`;
    /// - whether a metric is valid depends on the pod counts and requests only, and step 3b
    ///   keeps the largest valid proposal exactly when it reaches `current`: a threshold on a
    ///   non-decreasing maximum.
    ///
    /// Object and External metrics are not: with pending pods, a Value ratio just above the
    /// band proposes ceil(r × Ready), which can fall below `current`.
    pub(crate) fn recommendation_is_monotone(&self) -> bool {
        let tolerances = self.tolerance_up >= 0.0 && self.tolerance_down >= 0.0;
        tolerances
            && self.spec.metrics.iter().all(|metric| match *metric {
                HpaMetric::ResourceCpu(target) | HpaMetric::Pods(target) => match target {
                    MetricTarget::Utilization(amount)
                    | MetricTarget::AverageValue(amount)
                    | MetricTarget::Value(amount) => amount > 0,
                },
                HpaMetric::Object(_) | HpaMetric::External(_) => false,
            })
    }

    /// Steps 3a and 3b: the metrics' largest proposal, or none when 3b ends the sync. A pure
    /// function of its arguments, so a caller seeing the same ones again may reuse it.
    pub(crate) fn recommend(
        &self,
        current: u32,
        ready: u32,
        demand: f64,
        work: f64,
        work_capacity: f64,
        step_s: u64,
    ) -> Recommendation {
        let pending = current.saturating_sub(ready);
        let step_s = step_s as f64;
        let tolerance = Tolerance {
            up: self.tolerance_up,
            down: self.tolerance_down,
        };
        // 3a. N Ready pods with the step's metrics, D − N Pending ones.
        let mut best: Option<(usize, ReplicaCount)> = None;
        let mut any_invalid = false;
        let mut first_shown = None;
        for (idx, metric) in self.spec.metrics.iter().enumerate() {
            let count = match *metric {
                HpaMetric::ResourceCpu(target) => {
                    let per_pod_m = (work_capacity > 0.0)
                        .then(|| round_m((self.cpu_request_m as f64 * work) / work_capacity));
                    let request_m = self.cpu_request_m;
                    uniform_pod_replica_count(
                        target, per_pod_m, ready, pending, request_m, current, tolerance,
                    )
                }
                HpaMetric::Pods(target) => {
                    let per_pod_m = (ready > 0)
                        .then(|| round_m((1000.0 * demand) / (f64::from(ready) * step_s)));
                    let request_m = self.cpu_request_m;
                    uniform_pod_replica_count(
                        target, per_pod_m, ready, pending, request_m, current, tolerance,
                    )
                }
                HpaMetric::Object(target) | HpaMetric::External(target) => {
                    let rate_m = round_m((1000.0 * demand) / step_s);
                    let running_ready = || u64::from(ready);
                    object_replica_count_with(
                        target,
                        rate_m,
                        running_ready,
                        current,
                        current,
                        tolerance,
                    )
                }
            };
            match count {
                None => any_invalid = true,
                Some(count) => {
                    if idx == 0 {
                        first_shown = Some(count.shown);
                    }
                    if best.is_none_or(|(_, b)| count.replicas > b.replicas) {
                        best = Some((idx, count));
                    }
                }
            }
        }
        // 3b. All invalid, or any invalid while the largest valid is below D: no change.
        let best = best.filter(|(_, count)| !(any_invalid && count.replicas < current));
        Recommendation { first_shown, best }
    }

    /// Steps 3c to 3e at `t_s`, on `recommendation`. Inlined where called: most syncs end at
    /// stabilization, and a sweep runs this at every one.
    #[inline]
    pub(crate) fn decide(
        &mut self,
        t_s: u64,
        current: u32,
        recommendation: Recommendation,
    ) -> SyncOutcome {
        let Recommendation { first_shown, best } = recommendation;
        let Some((metric, count)) = best else {
            return (first_shown, None);
        };
        let desired = count.replicas;
        if desired == current {
            // up ≤ desired and down ≥ desired: stabilization keeps `current` whatever the
            // windows hold, and the expired recommendations the extremes would drop are
            // dropped at the next sync that asks for them. Only the record is left to do.
            self.up_window.record(t_s, desired);
            self.down_window.record(t_s, desired);
            return (first_shown, None);
        }
        // 3c. Stabilize over the windows (as `stabilize`), then record the recommendation.
        let up = self.up_window.extreme(t_s, desired);
        let down = self.down_window.extreme(t_s, desired);
        let stabilized = if current < up {
            up
        } else if current > down {
            down
        } else {
            current
        };
        self.up_window.record(t_s, desired);
        self.down_window.record(t_s, desired);
        // No policy moves a count already at the bound it would pass: 3d gives `current`.
        let at_bound = (stabilized > current && current == self.spec.replicas.max())
            || (stabilized < current && current == self.spec.replicas.min());
        if stabilized == current || at_bound {
            return (first_shown, None);
        }
        let change = self.limit(t_s, current, metric, count, stabilized);
        (first_shown, change)
    }

    /// Steps 3d and 3e: the rate limits on a move from `current` to `stabilized`, and the
    /// event of the change, if any.
    #[inline(never)]
    fn limit(
        &mut self,
        t_s: u64,
        current: u32,
        metric: usize,
        count: ReplicaCount,
        stabilized: u32,
    ) -> Option<(u32, HpaReason)> {
        // 3d. Rate limits, over the events younger than each policy's period.
        let events = &self.events;
        let changed_within = |period_s: u32| {
            events
                .iter()
                .rev()
                .take_while(|e| e.t_s + u64::from(period_s) > t_s)
                .map(|e| e.change)
                .sum()
        };
        let (next, condition) = rate_limited_by(
            current,
            stabilized,
            self.spec.replicas,
            &self.spec.scale_up,
            &self.spec.scale_down,
            changed_within,
        );
        // 3e. Record the change.
        if next == current {
            return None;
        }
        while self
            .events
            .front()
            .is_some_and(|e| e.t_s + self.longest_period_s <= t_s)
        {
            self.events.pop_front();
        }
        self.events.push_back(ScaleEvent {
            t_s,
            change: i64::from(next) - i64::from(current),
        });
        let reason = HpaReason {
            metric,
            shown: count.shown,
            target: self.spec.metrics[metric],
            proposed: count.replicas,
            stabilized,
            condition,
        };
        Some((next, reason))
    }

    /// One sync at `t_s`, as the step loop observed the step.
    fn sync(&mut self, observation: &Observation<'_>, t_s: u64) -> (Option<i64>, Option<Proposal>) {
        let (shown, change) = self.sync_fleet(
            t_s,
            observation.desired,
            observation.in_service,
            observation.demand,
            observation.work,
            observation.work_capacity,
            observation.step_s,
        );
        let proposal = change.map(|(next, reason)| Proposal {
            desired: next,
            bounds: self.spec.replicas,
            reason: ScalingReason::Hpa(reason),
            removal: Removal::CancelPendingFirst,
        });
        (shown, proposal)
    }
}

impl Autoscaler for HorizontalPodAutoscaler {
    fn initial_bounds(&self) -> CapacityBounds {
        self.spec.replicas
    }

    fn check_step(&self, step_s: u64) -> Result<(), BuildError> {
        check_period_in_steps("sync_period_s", self.sync_period_s, step_s)
    }

    fn on_step(&mut self, observation: &Observation<'_>) -> StepOutcome {
        let end_s = observation.end_s();
        if !end_s.is_multiple_of(self.sync_period_s) {
            return StepOutcome {
                metric: None,
                proposal: None,
                notice: None,
            };
        }
        let (shown, proposal) = self.sync(observation, end_s);
        StepOutcome {
            metric: shown.map(|value| value as f64),
            proposal,
            notice: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn any_target() -> impl Strategy<Value = MetricTarget> {
        let amount = prop_oneof![1i64..200, 1i64..200_000, Just(i64::MAX), -5i64..1];
        prop_oneof![
            amount.clone().prop_map(MetricTarget::Utilization),
            amount.clone().prop_map(MetricTarget::AverageValue),
            amount.prop_map(MetricTarget::Value),
        ]
    }

    fn any_metric() -> impl Strategy<Value = i64> {
        prop_oneof![
            0i64..3000,
            0i64..10_000_000,
            Just(i64::MAX),
            Just(i64::MIN),
            any::<i64>(),
        ]
    }

    fn any_tolerance() -> impl Strategy<Value = Tolerance> {
        let side = prop_oneof![Just(0.0), Just(0.1), 0.0f64..2.0];
        (side.clone(), side).prop_map(|(up, down)| Tolerance { up, down })
    }

    /// The pods `sync` once listed: `ready` Running Ready ones with `metric_m`, then `pending`
    /// Pending ones without a metric.
    fn fleet_pods(
        metric_m: Option<i64>,
        ready: u32,
        pending: u32,
        request_m: i64,
    ) -> Vec<PodSample> {
        let pod = |phase, ready, metric_m| PodSample {
            phase,
            ready,
            terminating: false,
            request_m,
            metric_m,
        };
        std::iter::repeat_n(pod(PodPhase::Running, true, metric_m), ready as usize)
            .chain(std::iter::repeat_n(
                pod(PodPhase::Pending, false, None),
                pending as usize,
            ))
            .collect()
    }

    #[test]
    fn a_window_ring_grows_for_syncs_off_the_periods_multiples() {
        // Four slots for a 30 s window of 15 s syncs; syncs every second with falling
        // recommendations keep 29 in the largest's deque. A current above them all
        // stabilizes to that largest.
        let mut down = WindowExtreme::new(30, 15, true);
        let mut recorded = Vec::new();
        for t_s in 1..100u64 {
            let desired = 200 - t_s as u32;
            let scanned = stabilize(u32::MAX, desired, recorded.iter().copied(), t_s, 0, 30);
            assert_eq!(down.extreme(t_s, desired), scanned);
            down.record(t_s, desired);
            recorded.push((t_s, desired));
        }
        assert!(down.ring.len() >= 30);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1024))]

        #[test]
        fn the_closed_form_gives_what_the_pod_level_calculator_gives(
            target in any_target(),
            metric_m in prop::option::weighted(0.9, any_metric()),
            ready in prop_oneof![0u32..4, 0u32..60],
            pending in prop_oneof![Just(0u32), 0u32..60],
            request_m in prop_oneof![Just(1000i64), 1i64..5000, -3i64..2, Just(i64::MAX)],
            current in 0u32..150,
            tolerance in any_tolerance(),
            is_cpu in any::<bool>(),
        ) {
            let pods = fleet_pods(metric_m, ready, pending, request_m);
            let listed = pod_replica_count(target, &pods, current, tolerance, is_cpu);
            let closed = uniform_pod_replica_count(
                target, metric_m, ready, pending, request_m, current, tolerance,
            );
            prop_assert_eq!(closed, listed);
        }

        #[test]
        fn the_object_calculator_needs_only_the_running_ready_count(
            target in any_target(),
            value_m in any_metric(),
            ready in 0u32..60,
            pending in 0u32..60,
            current in 0u32..150,
            status in 0u32..150,
            tolerance in any_tolerance(),
        ) {
            let pods = fleet_pods(Some(1), ready, pending, 1000);
            let listed = object_replica_count(target, value_m, &pods, current, status, tolerance);
            let counted = object_replica_count_with(
                target, value_m, || u64::from(ready), current, status, tolerance,
            );
            prop_assert_eq!(counted, listed);
        }

        #[test]
        fn a_monotone_controller_never_proposes_less_for_more_demand(
            metrics in prop::collection::vec(
                (0u8..12, any_target(), prop_oneof![3 => Just(0i64), 1 => 0i64..3]).prop_map(|(kind, target, shift)| {
                    // Mostly positive targets, a few ≤ 0; and some Object and External
                    // metrics: neither may claim monotony.
                    let target = match target {
                        MetricTarget::Utilization(t) => MetricTarget::Utilization(t - shift),
                        other => other,
                    };
                    match kind {
                        0..=5 => HpaMetric::ResourceCpu(target),
                        6..=9 => HpaMetric::Pods(target),
                        10 => HpaMetric::Object(target),
                        _ => HpaMetric::External(target),
                    }
                }),
                1..4,
            ),
            tolerance in prop_oneof![Just(0.0), Just(0.1), 0.0f64..1.5],
            cpu_request_m in prop_oneof![Just(1000i64), 1i64..3000],
            current in 0u32..40,
            ready_share in 0u32..=40,
            capacity in prop_oneof![Just(60.0), 0.5f64..500.0],
            step_s in prop_oneof![Just(15u64), 1u64..60],
            demands in prop::collection::vec(
                prop_oneof![0.0f64..2000.0, (0u32..400).prop_map(f64::from)],
                2..40,
            ),
        ) {
            let spec = HorizontalPodAutoscalerSpec {
                replicas: CapacityBounds::new(1, 50).unwrap(),
                metrics,
                scale_up: HpaScalingRules::default_scale_up(),
                scale_down: HpaScalingRules::default_scale_down(),
            };
            let hpa = HorizontalPodAutoscaler::new(spec, 15, tolerance, cpu_request_m).unwrap();
            if !hpa.recommendation_is_monotone() {
                return Ok(());
            }
            let ready = current.min(ready_share);
            let work_capacity = f64::from(ready) * capacity * step_s as f64 / 60.0;
            let mut demands = demands;
            demands.sort_by(f64::total_cmp);
            // None (3b ends the sync) sorts below every count, as the kernel relies on.
            let proposals: Vec<Option<u32>> = demands
                .iter()
                .map(|&demand| {
                    let work = demand.min(work_capacity);
                    hpa.recommend(current, ready, demand, work, work_capacity, step_s)
                        .best
                        .map(|(_, count)| count.replicas)
                })
                .collect();
            prop_assert!(proposals.windows(2).all(|w| w[0] <= w[1]), "{:?}", proposals);
        }

        #[test]
        fn sliding_extremes_stabilize_as_the_scan_of_the_recommendations(
            syncs in prop::collection::vec((1u64..4, 0u32..30, any::<bool>()), 1..200),
            current in 0u32..30,
            up_window_s in prop_oneof![Just(0u32), Just(15), Just(60), 0u32..400],
            down_window_s in prop_oneof![Just(0u32), Just(300), 0u32..400],
        ) {
            // Syncs every 15 s; some record nothing (step 3b ended them).
            let mut up = WindowExtreme::new(up_window_s, 15, false);
            let mut down = WindowExtreme::new(down_window_s, 15, true);
            let mut recorded: Vec<(u64, u32)> = Vec::new();
            let mut t_s = 0;
            for (gap, desired, records) in syncs {
                t_s += 15 * gap;
                let scanned = stabilize(
                    current,
                    desired,
                    recorded.iter().copied(),
                    t_s,
                    up_window_s,
                    down_window_s,
                );
                let (low, high) = (up.extreme(t_s, desired), down.extreme(t_s, desired));
                let slid = if current < low {
                    low
                } else if current > high {
                    high
                } else {
                    current
                };
                prop_assert_eq!(slid, scanned);
                if records {
                    up.record(t_s, desired);
                    down.record(t_s, desired);
                    recorded.push((t_s, desired));
                }
                prop_assert!(up.len() <= up.ring.len());
                prop_assert!(down.len() <= (down_window_s / 15 + 2) as usize);
                prop_assert_eq!(down.ring.len(), ((down_window_s / 15 + 2) as usize).next_power_of_two());
            }
        }

        #[test]
        fn rounding_without_libm_is_rounding(
            value in prop_oneof![
                -10.0f64..10.0,
                -1e7f64..1e7,
                (-40i64..40).prop_map(|halves| halves as f64 / 2.0),
                any::<f64>(),
                Just(4_294_967_295.5),
                Just(4_294_967_294.5),
                Just(0.5f64.next_down()),
                Just(-0.5),
                Just(4_611_686_018_427_387_903.0),
                Just(-4_611_686_018_427_387_904.0),
                Just(-0.0),
                Just(f64::NAN),
                Just(f64::INFINITY),
            ],
        ) {
            prop_assert_eq!(ceil_count(value), value.ceil() as u32);
            prop_assert_eq!(round_m(value), value.round() as i64);
            prop_assert_eq!(ceil_count(value.next_up()), value.next_up().ceil() as u32);
            prop_assert_eq!(round_m(value.next_down()), value.next_down().round() as i64);
        }
    }
}
