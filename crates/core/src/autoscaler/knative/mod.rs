//! The Knative Pod Autoscaler (KPA), as KServe's InferenceService and Knative Services use it
//! (semantics: `docs/semantics/knative-kpa.md`, each rule with its knative/serving source).

pub(crate) mod buckets;
pub(crate) mod decider;

use std::fmt;

use crate::autoscaler::knative::buckets::Buckets;
use crate::autoscaler::knative::decider::{Decider, DeciderSpec, DeciderTrace};
use crate::autoscaler::{
    Autoscaler, LatencyNeed, Num, Observation, Proposal, ScalingReason, StepOutcome,
};
use crate::capacity::CapacityBounds;
use crate::error::BuildError;
use crate::fleet::Removal;

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
    /// `max-scale`; 0 is none (simulated as [`MAX_KPA_PODS`], semantics 7).
    pub max_scale: u32,
    /// `enable-scale-to-zero`.
    pub enable_scale_to_zero: bool,
    /// `scale-to-zero-grace-period`, truncated to whole seconds (semantics 7).
    pub scale_to_zero_grace_period_s: u64,
    /// `scale-to-zero-pod-retention-period`, truncated to whole seconds (semantics 7).
    pub pod_retention_s: u64,
    /// `metric-aggregation-algorithm`.
    pub algorithm: WindowAlgorithm,
    /// The revision's `timeoutSeconds`: how long the activator holds a request.
    pub timeout_s: u64,
    /// How long a revision may stay Activating before it is scaled back to zero:
    /// `progress-deadline` + 30 s.
    pub activation_timeout_s: u64,
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

/// The most pods a revision without `max-scale` is simulated with (semantics section 7).
pub const MAX_KPA_PODS: u32 = 150_000;

/// The decider ticks every 2 s (upstream's `tickInterval`).
const TICK_S: u64 = 2;

/// The PodAutoscaler's "Active" condition (semantics rule 26).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaState {
    /// Serving: pods Ready at least the minimum.
    Active,
    /// Scaled to zero, or on its way.
    Inactive,
    /// Waiting for the pods it asked for.
    Activating,
}

/// What the KPA did, and why: the decision log of `events.csv`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KpaReason {
    /// The decider's reading, when the change followed an evaluation with data.
    pub trace: Option<DeciderTrace>,
    /// T_v.
    pub target_value: f64,
    /// The decider's DesiredScale.
    pub desired_scale: i32,
    /// EBC after the evaluation.
    pub excess_burst_capacity: i32,
    /// The replicas set.
    pub replicas: i32,
    /// What bounded or replaced the decider's count.
    pub rule: KpaRule,
    /// The activator is in the request path after this decision.
    pub activator_in_path: bool,
}

/// Which rule of the reconciler set the replicas (semantics rules 23-24).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KpaRule {
    /// The decider's count, within min-scale and max-scale.
    Decider,
    /// Raised to min-scale (or initial-scale before the revision first had it).
    MinScale,
    /// Lowered to max-scale.
    MaxScale,
    /// Zero wanted while Active for less than a stable window: down to one pod first.
    OneBeforeZero,
    /// To zero: inactive for the grace period (or the pod retention period).
    ZeroAfterGrace,
    /// To zero: the activator has been in the path for the grace period.
    ZeroActivatorInPath,
    /// Zero wanted with scale to zero disabled.
    ScaleToZeroDisabled,
    /// Activating for longer than the activation timeout: back to zero.
    ActivationTimeout,
    /// No change of replicas: the activator entered or left the request path.
    ActivatorPath,
}

impl fmt::Display for KpaReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(trace) = self.trace {
            write!(
                f,
                "stable {} / target {} = {} pods, panic {} = {} pods",
                Num(trace.stable),
                Num(self.target_value),
                Num(trace.stable_pods),
                Num(trace.panic),
                Num(trace.panic_pods),
            )?;
            if trace.panic_entered {
                f.write_str(", panic entered")?;
            } else if trace.panic_left {
                f.write_str(", panic left")?;
            } else if trace.panicking {
                f.write_str(", in panic (no scale-down)")?;
            }
            write!(f, "; rate limits [{}, ", Num(trace.limits.0))?;
            if trace.limits.1.is_finite() {
                write!(f, "{}]", Num(trace.limits.1))?;
            } else {
                f.write_str("unbounded]")?;
            }
            if let Some(undelayed) = trace.undelayed {
                write!(f, "; {undelayed} held up by scale-down-delay")?;
            }
            write!(f, "; desired {}", self.desired_scale)?;
        }
        let rule = match self.rule {
            KpaRule::Decider => "",
            KpaRule::MinScale => ", raised to min-scale",
            KpaRule::MaxScale => ", lowered to max-scale",
            KpaRule::OneBeforeZero => {
                ", kept at one pod until Active for a stable window before scaling to zero"
            }
            KpaRule::ZeroAfterGrace => ", to zero after the scale-to-zero grace period",
            KpaRule::ZeroActivatorInPath => {
                ", to zero: the activator has been in the path for the grace period"
            }
            KpaRule::ScaleToZeroDisabled => ", kept at one pod: enable-scale-to-zero is false",
            KpaRule::ActivationTimeout => ", to zero: activation timed out",
            KpaRule::ActivatorPath => "",
        };
        if self.trace.is_some() {
            f.write_str("; ")?;
        }
        write!(
            f,
            "replicas {}{rule}; excess burst capacity {}: activator {}",
            self.replicas,
            self.excess_burst_capacity,
            if self.activator_in_path {
                "in the path"
            } else {
                "out of the path"
            }
        )
    }
}

/// The Knative Pod Autoscaler on one revision: the per-second metric, the decider every 2 s,
/// and the PodAutoscaler reconciler with scale to zero and the activator (semantics rules 5-29).
#[derive(Debug, Clone)]
pub struct KnativePodAutoscaler {
    spec: KpaSpec,
    decider: Decider,
    stable: Buckets,
    panic: Buckets,
    desired_scale: i32,
    excess_burst_capacity: i32,
    state: PaState,
    state_since_s: f64,
    timed_out: bool,
    initialized: bool,
    activator_in_path: bool,
    in_path_since_s: f64,
    activator_last: f64,
    last_stable: Option<f64>,
    /// MinCapacity 0 to the largest count: the fleet's clamp (the reconciler bounds itself).
    bounds: CapacityBounds,
    /// min-scale to the largest count: the initial pods' clamp.
    initial_bounds: CapacityBounds,
    /// Whether the first step set the state at t = 0.
    started: bool,
}

impl KnativePodAutoscaler {
    /// The KPA of a revision whose pods at t = 0 (the fleet's initial instances) have long been
    /// Ready (semantics rule 29).
    pub fn new(spec: KpaSpec) -> Result<Self, BuildError> {
        spec.check()?;
        let largest = match spec.max_scale {
            0 => MAX_KPA_PODS,
            max => max,
        };
        if largest > MAX_KPA_PODS {
            return Err(BuildError::Field {
                field: "max-scale",
                expected: format!("at most {MAX_KPA_PODS} pods are simulated"),
                got: largest.to_string(),
            });
        }
        let bounds = CapacityBounds::new(0, largest)?;
        let initial_bounds = CapacityBounds::new(spec.min_scale, largest)?;
        let weighted = spec.algorithm == WindowAlgorithm::WeightedExponential;
        let decider_spec = DeciderSpec {
            target_value: spec.target_value,
            total_value: spec.total_value,
            target_burst_capacity: spec.target_burst_capacity,
            panic_threshold: spec.panic_threshold,
            max_scale_up_rate: spec.max_scale_up_rate,
            max_scale_down_rate: spec.max_scale_down_rate,
            stable_window_s: spec.stable_window_s as f64,
            scale_down_delay_s: spec.scale_down_delay_s,
            reachable: true,
            activation_scale: i32::try_from(spec.activation_scale).unwrap_or(i32::MAX),
        };
        let tbc = spec.target_burst_capacity;
        let excess_burst_capacity = if tbc == 0.0 || tbc == -1.0 {
            tbc as i32
        } else {
            (f64::from(spec.initial_scale) * spec.total_value - tbc) as i32
        };
        Ok(Self {
            decider: Decider::new(decider_spec, 0, 0.0),
            stable: Buckets::new(spec.stable_window_s, weighted),
            panic: Buckets::new(spec.panic_window_s, weighted),
            desired_scale: -1,
            excess_burst_capacity,
            state: PaState::Inactive,
            state_since_s: f64::NEG_INFINITY,
            timed_out: false,
            initialized: true,
            activator_in_path: true,
            in_path_since_s: f64::NEG_INFINITY,
            activator_last: 0.0,
            last_stable: None,
            bounds,
            initial_bounds,
            started: false,
            spec,
        })
    }

    /// The state at t = 0 with the fleet's `ready` pods, Ready for ever (rule 29).
    fn start(&mut self, ready: u32) {
        let ready_i32 = i32::try_from(ready).unwrap_or(i32::MAX);
        let spec = self.decider.spec();
        self.decider = Decider::new(spec, ready_i32, 0.0);
        self.state = if ready > 0 {
            PaState::Active
        } else {
            PaState::Inactive
        };
        self.activator_in_path = ready == 0 || self.excess_burst_capacity < 0;
        self.started = true;
    }

    /// The pods a revision starts with when the scenario does not say: `initial-scale`, within
    /// `min-scale` and `max-scale`, as Knative creates a revision.
    pub fn default_initial_pods(&self) -> u32 {
        self.initial_bounds.clamp(self.spec.initial_scale)
    }

    /// The revision's parameters.
    pub fn spec(&self) -> &KpaSpec {
        &self.spec
    }

    /// The PodAutoscaler's condition.
    pub fn state(&self) -> PaState {
        self.state
    }

    /// Whether the activator is in the request path.
    pub fn activator_in_path(&self) -> bool {
        self.activator_in_path
    }

    fn largest(&self) -> u32 {
        self.bounds.max()
    }

    /// Records second `t_s`'s metric (rule 8): `in_flight` the time average of every request
    /// in flight, `arrivals` those that arrived, `ready` the pods Ready during it.
    fn record(&mut self, t_s: u64, in_flight: f64, arrivals: f64, ready: u32) -> bool {
        let activator = if self.activator_in_path {
            in_flight
        } else {
            0.0
        };
        let bump = if activator > 0.0 && self.activator_last == 0.0 {
            activator.max(1.0) - activator
        } else {
            0.0
        };
        let scraped = ready > 0 && self.spec.target_burst_capacity != -1.0;
        if scraped || activator > 0.0 || self.activator_last > 0.0 {
            let value = match self.spec.metric {
                KpaMetric::Concurrency => in_flight + bump,
                KpaMetric::Rps => arrivals,
            };
            let t = t_s as f64;
            self.stable.record(t, value);
            self.panic.record(t, value);
        }
        self.activator_last = activator;
        activator > 0.0 && self.desired_scale == 0
    }

    /// The reconciler's scale (rules 23-24): the replicas wanted, whether to apply them, and
    /// the rule that set them.
    fn wanted(&self, t_s: f64) -> (i32, bool, KpaRule) {
        let mut x = self.desired_scale;
        if x < 0 && self.state != PaState::Activating {
            return (x, false, KpaRule::Decider);
        }
        let mut min = i32::try_from(self.spec.min_scale).unwrap_or(i32::MAX);
        let max = i32::try_from(self.spec.max_scale).unwrap_or(i32::MAX);
        let initial = i32::try_from(self.spec.initial_scale).unwrap_or(i32::MAX);
        if initial > 1 && !self.initialized {
            min = min.max(initial);
        }
        let mut rule = KpaRule::Decider;
        if x < min {
            x = min;
            rule = KpaRule::MinScale;
        } else if max != 0 && x > max {
            x = max;
            rule = KpaRule::MaxScale;
        }
        if x != 0 {
            return (x, true, rule);
        }
        if !self.spec.enable_scale_to_zero {
            return (1, true, KpaRule::ScaleToZeroDisabled);
        }
        let for_s = t_s - self.state_since_s;
        match self.state {
            PaState::Activating if for_s > self.spec.activation_timeout_s as f64 => {
                (0, true, KpaRule::ActivationTimeout)
            }
            PaState::Activating => (-1, false, rule),
            PaState::Active if for_s >= self.spec.stable_window_s as f64 => (0, false, rule),
            PaState::Active => (1, true, KpaRule::OneBeforeZero),
            PaState::Inactive => {
                if !self.activator_in_path {
                    return (0, false, rule);
                }
                let grace = self.spec.scale_to_zero_grace_period_s as f64;
                let retention = self.spec.pod_retention_s as f64;
                if for_s >= grace.max(retention) {
                    (0, true, KpaRule::ZeroAfterGrace)
                } else if retention > 0.0 && for_s < retention {
                    (0, false, rule)
                } else if t_s - self.in_path_since_s >= grace {
                    (0, true, KpaRule::ZeroActivatorInPath)
                } else {
                    (0, false, rule)
                }
            }
        }
    }

    /// The PodAutoscaler's condition after a reconcile wanting `want` with `ready` pods
    /// (rule 26).
    fn update_state(&mut self, t_s: f64, want: i32, ready: i32) {
        let min = i32::try_from(self.spec.min_scale).unwrap_or(i32::MAX);
        let initial = i32::try_from(self.spec.initial_scale).unwrap_or(i32::MAX);
        let min_ready = if self.initialized {
            min.max(1)
        } else {
            min.max(initial)
        };
        if ready >= min_ready {
            self.initialized = true;
        }
        let (state, timed_out) = if want == 0 || min_ready == 0 {
            (
                PaState::Inactive,
                self.state == PaState::Activating && min_ready > 0,
            )
        } else if ready < min_ready {
            if want > 0 || self.state != PaState::Inactive {
                (PaState::Activating, false)
            } else {
                (PaState::Inactive, false)
            }
        } else if want > 0 || self.state != PaState::Inactive {
            (PaState::Active, false)
        } else {
            (self.state, self.timed_out)
        };
        if state != self.state || timed_out != self.timed_out {
            self.state_since_s = t_s;
        }
        self.state = state;
        self.timed_out = timed_out;
    }

    /// One evaluation and reconcile at `t_s` with `ready` pods and `replicas` asked for:
    /// the replicas to set, if they change, and why.
    fn evaluate(&mut self, t_s: u64, ready: u32, replicas: u32) -> (Option<u32>, bool, KpaReason) {
        let t = t_s as f64;
        let ready = i32::try_from(ready).unwrap_or(i32::MAX);
        let no_data = self.stable.is_empty(t) && self.spec.target_burst_capacity != -1.0;
        let metrics =
            (!no_data).then(|| (self.stable.window_average(t), self.panic.window_average(t)));
        let (result, trace) = self.decider.scale(t, Some(ready), metrics);
        if result.valid {
            self.desired_scale = result.desired;
            self.excess_burst_capacity = result.excess_burst_capacity;
        }
        // The metric column is empty while the decider has no data.
        self.last_stable = metrics.filter(|_| result.valid).map(|(stable, _)| stable);
        let (want, apply, rule) = self.wanted(t);
        let set = (apply && want >= 0)
            .then(|| want.unsigned_abs().min(self.largest()))
            .filter(|&want| want != replicas);
        let in_path = !(want > 0 && self.excess_burst_capacity >= 0) || ready == 0;
        let path_changed = in_path != self.activator_in_path;
        if in_path && path_changed {
            self.in_path_since_s = t;
        }
        self.activator_in_path = in_path;
        self.update_state(t, want, ready);
        let reason = KpaReason {
            trace: trace.filter(|_| result.valid),
            target_value: self.spec.target_value,
            desired_scale: self.desired_scale,
            excess_burst_capacity: self.excess_burst_capacity,
            replicas: set.map_or(i32::try_from(replicas).unwrap_or(i32::MAX), |r| {
                i32::try_from(r).unwrap_or(i32::MAX)
            }),
            rule: if set.is_none() && path_changed {
                KpaRule::ActivatorPath
            } else {
                rule
            },
            activator_in_path: in_path,
        };
        (set, path_changed, reason)
    }
}

impl Autoscaler for KnativePodAutoscaler {
    fn initial_bounds(&self) -> CapacityBounds {
        self.initial_bounds
    }

    fn check_step(&self, step_s: u64) -> Result<(), BuildError> {
        if !(step_s == 1 || step_s == TICK_S) {
            return Err(BuildError::Field {
                field: "step_s",
                expected: "1 or 2 for knative-kpa (the autoscaler ticks every 2 s)".into(),
                got: step_s.to_string(),
            });
        }
        Ok(())
    }

    fn latency_needed_by(&self) -> Option<LatencyNeed> {
        (self.spec.metric == KpaMetric::Concurrency).then_some(LatencyNeed {
            metric: "knative-kpa concurrency",
            in_flight: true,
        })
    }

    fn buffers_without_instance(&self) -> bool {
        true
    }

    fn slots_per_instance(&self) -> Option<u32> {
        (self.spec.container_concurrency > 0).then_some(self.spec.container_concurrency)
    }

    fn panicking(&self) -> Option<bool> {
        Some(self.decider.panicking())
    }

    fn on_step(&mut self, observation: &Observation<'_>) -> StepOutcome {
        if !self.started {
            self.start(observation.in_service);
        }
        let in_flight = observation.concurrency.unwrap_or(0.0);
        let per_second = observation.demand / observation.step_s as f64;
        let mut poke = false;
        for second in observation.t_s + 1..=observation.end_s() {
            poke |= self.record(second, in_flight, per_second, observation.in_service);
        }
        let end_s = observation.end_s();
        if !(end_s.is_multiple_of(TICK_S) || poke) {
            return StepOutcome {
                metric: self.last_stable,
                proposal: None,
                notice: None,
            };
        }
        let (set, path_changed, reason) =
            self.evaluate(end_s, observation.ready_at_end, observation.desired);
        let reason = ScalingReason::Knative(reason);
        StepOutcome {
            metric: self.last_stable,
            proposal: set.map(|replicas| Proposal {
                desired: replicas,
                bounds: self.bounds,
                reason,
                removal: Removal::CancelPendingFirst,
            }),
            // A tick that changes something without changing the replicas is logged too: the
            // activator entering or leaving the path, panic entered or left.
            notice: match reason {
                ScalingReason::Knative(KpaReason {
                    trace: Some(trace), ..
                }) if trace.panic_entered || trace.panic_left => Some(reason),
                _ => path_changed.then_some(reason),
            },
        }
    }
}
