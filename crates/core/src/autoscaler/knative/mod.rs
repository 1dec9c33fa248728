//! The Knative Pod Autoscaler (KPA), as KServe's InferenceService and Knative Services use it
//! (semantics: `docs/semantics/knative-kpa.md`, each rule with its knative/serving source).

pub(crate) mod buckets;
pub(crate) mod decider;

use crate::error::BuildError;

/// The metric the decider scales on (annotation `autoscaling.knative.dev/metric`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KpaMetric {
    /// Requests in flight, queued ones included (`concurrency`, the default).
    Concurrency,
    /// Requests arriving per second (`rps`).
    Rps,
}

/// How a window's buckets are averaged (annotation `metric-aggregation-algorithm`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowAlgorithm {
    /// The mean of the written buckets (`linear`, the default).
    Linear,
    /// Exponentially weighted (`weighted-exponential`).
    WeightedExponential,
}

/// How the revision stands at t = 0 (semantics rule 29).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KpaStart {
    /// Its pods have long been Ready, as every autoscaler in scalesim starts.
    Warm,
    /// The revision is created at t = 0 with `initial_scale` pods, all pending.
    NewRevision,
}

/// Everything the KPA needs of a revision, resolved from the manifests and `config-autoscaler`
/// (semantics 3.1); times in whole seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KpaSpec {
    /// The scaling metric.
    pub metric: KpaMetric,
    /// T_v: the per-pod value the decider aims at (total × utilization, at least 0.01).
    pub target_value: f64,
    /// T_t: the per-pod total (`containerConcurrency`, the `target` annotation or the default).
    pub total_value: f64,
    /// `containerConcurrency`: requests a pod serves at once; 0 is unlimited.
    pub container_concurrency: u32,
    /// W: the stable window.
    pub stable_window_s: u64,
    /// P: the panic window, round(W × percentage / 100), at least 1 s.
    pub panic_window_s: u64,
    /// θ: the panic threshold, a ratio (200 % is 2.0).
    pub panic_threshold: f64,
    /// `max-scale-up-rate`.
    pub max_scale_up_rate: f64,
    /// `max-scale-down-rate`.
    pub max_scale_down_rate: f64,
    /// TBC: `target-burst-capacity`, ≥ 0 or −1 (unlimited: the activator always in the path).
    pub target_burst_capacity: f64,
    /// `activator-capacity`.
    pub activator_capacity: f64,
    /// `scale-down-delay`; 0 is none.
    pub scale_down_delay_s: u64,
    /// `activation-scale`; 0 (or 1) is none.
    pub activation_scale: u32,
    /// `initial-scale`, after `allow-zero-initial-scale`.
    pub initial_scale: u32,
    /// `min-scale`.
    pub min_scale: u32,
    /// `max-scale`; 0 is none.
    pub max_scale: u32,
    /// `enable-scale-to-zero`.
    pub enable_scale_to_zero: bool,
    /// `scale-to-zero-grace-period`.
    pub scale_to_zero_grace_period_s: u64,
    /// `scale-to-zero-pod-retention-period`.
    pub pod_retention_s: u64,
    /// `metric-aggregation-algorithm`.
    pub algorithm: WindowAlgorithm,
    /// The revision's `timeoutSeconds`: how long the activator holds a request.
    pub timeout_s: u64,
    /// How long a revision may stay Activating before it is scaled back to zero:
    /// `progress-deadline` + 30 s.
    pub activation_timeout_s: u64,
    /// The revision's state at t = 0.
    pub start: KpaStart,
}

impl KpaSpec {
    /// Knative's defaults for a revision without annotations, `containerConcurrency` 0, on a
    /// `config-autoscaler` with no keys set (semantics 2.1, 3.1).
    pub const DEFAULT: KpaSpec = KpaSpec {
        metric: KpaMetric::Concurrency,
        target_value: 70.0,
        total_value: 100.0,
        container_concurrency: 0,
        stable_window_s: 60,
        panic_window_s: 6,
        panic_threshold: 2.0,
        max_scale_up_rate: 1000.0,
        max_scale_down_rate: 2.0,
        target_burst_capacity: 211.0,
        activator_capacity: 100.0,
        scale_down_delay_s: 0,
        activation_scale: 0,
        initial_scale: 1,
        min_scale: 0,
        max_scale: 0,
        enable_scale_to_zero: true,
        scale_to_zero_grace_period_s: 30,
        pod_retention_s: 0,
        algorithm: WindowAlgorithm::Linear,
        timeout_s: 300,
        activation_timeout_s: 630,
        start: KpaStart::Warm,
    };

    /// Checks what the simulation relies on; the manifests' own rules are the runner's.
    pub fn check(&self) -> Result<(), BuildError> {
        let positive = |field: &'static str, value: f64| {
            if value.is_finite() && value > 0.0 {
                Ok(())
            } else {
                Err(BuildError::Field {
                    field,
                    expected: "a finite number greater than 0".into(),
                    got: value.to_string(),
                })
            }
        };
        positive("target", self.target_value)?;
        positive("total", self.total_value)?;
        positive("panic-threshold-percentage", self.panic_threshold)?;
        positive("max-scale-up-rate", self.max_scale_up_rate)?;
        positive("max-scale-down-rate", self.max_scale_down_rate)?;
        positive("activator-capacity", self.activator_capacity)?;
        if !(self.target_burst_capacity >= 0.0 || self.target_burst_capacity == -1.0)
            || !self.target_burst_capacity.is_finite()
        {
            return Err(BuildError::Field {
                field: "target-burst-capacity",
                expected: "a number >= 0, or -1".into(),
                got: self.target_burst_capacity.to_string(),
            });
        }
        if !(6..=3600).contains(&self.stable_window_s) {
            return Err(BuildError::Field {
                field: "window",
                expected: "from 6 to 3600 seconds".into(),
                got: self.stable_window_s.to_string(),
            });
        }
        if !(1..=self.stable_window_s).contains(&self.panic_window_s) {
            return Err(BuildError::Field {
                field: "panic-window-percentage",
                expected: format!("a panic window of 1 to {} s", self.stable_window_s),
                got: format!("{} s", self.panic_window_s),
            });
        }
        if self.max_scale != 0 && self.max_scale < self.min_scale {
            return Err(BuildError::InvalidBounds {
                min: self.min_scale,
                max: self.max_scale,
            });
        }
        Ok(())
    }
}
