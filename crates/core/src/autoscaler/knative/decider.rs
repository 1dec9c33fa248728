//! The KPA's decider: one evaluation of knative/serving's `(*autoscaler).Scale`
//! (`pkg/autoscaler/scaling/autoscaler.go`; semantics rules 13-21).

use std::collections::VecDeque;

/// The decider's parameters (upstream's `DeciderSpec`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DeciderSpec {
    /// T_v, the per-pod target.
    pub target_value: f64,
    /// T_t, the per-pod total.
    pub total_value: f64,
    /// TBC.
    pub target_burst_capacity: f64,
    /// θ, a ratio.
    pub panic_threshold: f64,
    /// `max-scale-up-rate`.
    pub max_scale_up_rate: f64,
    /// `max-scale-down-rate`.
    pub max_scale_down_rate: f64,
    /// W, seconds.
    pub stable_window_s: f64,
    /// `scale-down-delay`, seconds; 0 is none.
    pub scale_down_delay_s: u64,
    /// Whether the revision is routed: an unreachable one may go to zero at once.
    pub reachable: bool,
    /// `activation-scale`.
    pub activation_scale: i32,
}

/// What one evaluation gives (upstream's `ScaleResult`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScaleResult {
    /// Whether the metrics and the pod count could be read; an invalid result changes nothing.
    pub valid: bool,
    /// The pods wanted.
    pub desired: i32,
    /// EBC: spare capacity beyond the burst capacity; negative keeps the activator in the path.
    pub excess_burst_capacity: i32,
}

/// Why the decider chose its count, for the decision log.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DeciderTrace {
    /// The stable and panic values read (revision totals).
    pub stable: f64,
    /// The panic value.
    pub panic: f64,
    /// ceil(stable / T_v) and ceil(panic / T_v), before the rate limits.
    pub stable_pods: f64,
    /// ceil(panic / T_v).
    pub panic_pods: f64,
    /// The floor and cap of the rate limits: floor(R / down rate), ceil(up rate × R).
    pub limits: (f64, f64),
    /// The decider is in panic after this evaluation.
    pub panicking: bool,
    /// Panic began at this evaluation.
    pub panic_entered: bool,
    /// Panic ended at this evaluation.
    pub panic_left: bool,
    /// The count before the scale-down delay, when the delay held it up.
    pub undelayed: Option<i32>,
}

/// The largest count recorded over the last k two-second slots (upstream's `max.TimeWindow`):
/// an ascending-maxima deque, sized once.
#[derive(Debug, Clone)]
struct DelayWindow {
    slots: i64,
    maxima: VecDeque<(i64, i32)>,
}

impl DelayWindow {
    fn new(delay_s: u64) -> Self {
        let slots = delay_s.div_ceil(2).max(1) as i64;
        Self {
            slots,
            maxima: VecDeque::with_capacity(slots as usize + 1),
        }
    }

    /// Records `value` at `t_s` and returns the largest value of the window ending there.
    fn record(&mut self, t_s: f64, value: i32) -> i32 {
        let slot = (t_s / 2.0).floor() as i64;
        while self
            .maxima
            .front()
            .is_some_and(|&(recorded, _)| slot - recorded >= self.slots)
        {
            self.maxima.pop_front();
        }
        while self.maxima.back().is_some_and(|&(_, kept)| kept <= value) {
            self.maxima.pop_back();
        }
        // A smaller value in a slot that already holds a larger one adds nothing.
        if self
            .maxima
            .back()
            .is_none_or(|&(recorded, _)| recorded != slot)
        {
            self.maxima.push_back((slot, value));
        }
        self.maxima.front().map_or(value, |&(_, max)| max)
    }
}

/// The decider's state between evaluations.
#[derive(Debug, Clone)]
pub struct Decider {
    spec: DeciderSpec,
    panic_time_s: Option<f64>,
    max_panic_pods: i32,
    delay: Option<DelayWindow>,
}

impl Decider {
    /// A decider created at `t_s` with `ready` pods Ready (rule 13): more than one starts it in
    /// panic, as upstream does after an autoscaler restart.
    pub fn new(spec: DeciderSpec, ready: i32, t_s: f64) -> Self {
        Self {
            spec,
            panic_time_s: (ready > 1).then_some(t_s),
            max_panic_pods: ready,
            delay: (spec.scale_down_delay_s > 0).then(|| DelayWindow::new(spec.scale_down_delay_s)),
        }
    }

    /// The spec.
    pub fn spec(&self) -> DeciderSpec {
        self.spec
    }

    /// Replaces the spec (upstream's `Update`); a new delay makes a new delay window.
    pub fn update(&mut self, spec: DeciderSpec) {
        if spec.scale_down_delay_s != self.spec.scale_down_delay_s {
            self.delay =
                (spec.scale_down_delay_s > 0).then(|| DelayWindow::new(spec.scale_down_delay_s));
        }
        self.spec = spec;
    }

    /// Whether the decider is in panic.
    pub fn panicking(&self) -> bool {
        self.panic_time_s.is_some()
    }

    /// When panic was last entered or extended.
    pub fn panic_time_s(&self) -> Option<f64> {
        self.panic_time_s
    }

    /// The largest count of the running panic.
    pub fn max_panic_pods(&self) -> i32 {
        self.max_panic_pods
    }

    /// Sets the panic state, as upstream's tests do before their first call.
    pub fn set_panic(&mut self, panic_time_s: Option<f64>, max_panic_pods: i32) {
        self.panic_time_s = panic_time_s;
        self.max_panic_pods = max_panic_pods;
    }

    /// One evaluation at `t_s` with `ready` pods Ready (`None`: the count failed) and the
    /// stable and panic values of the scaling metric (`None`: no data).
    pub fn scale(
        &mut self,
        t_s: f64,
        ready: Option<i32>,
        metrics: Option<(f64, f64)>,
    ) -> (ScaleResult, Option<DeciderTrace>) {
        const INVALID: ScaleResult = ScaleResult {
            valid: false,
            desired: 0,
            excess_burst_capacity: 0,
        };
        let spec = self.spec;
        let (Some(ready), Some((stable, panic))) = (ready, metrics) else {
            return (INVALID, None);
        };
        let ready_count = f64::from(ready.max(1));
        let max_up = (spec.max_scale_up_rate * ready_count).ceil();
        let max_down = if spec.reachable {
            (ready_count / spec.max_scale_down_rate).floor()
        } else {
            0.0
        };
        let stable_pods = (stable / spec.target_value).ceil();
        let panic_pods = (panic / spec.target_value).ceil();
        let mut desired_stable = saturating_i32(stable_pods.max(max_down).min(max_up));
        let mut desired_panic = saturating_i32(panic_pods.max(max_down).min(max_up));
        if spec.activation_scale > 1 {
            if stable_pods > 0.0 && spec.activation_scale > desired_stable {
                desired_stable = spec.activation_scale;
            }
            if panic_pods > 0.0 && spec.activation_scale > desired_panic {
                desired_panic = spec.activation_scale;
            }
        }
        let over_threshold = panic_pods / ready_count >= spec.panic_threshold;
        let was_panicking = self.panic_time_s.is_some();
        match self.panic_time_s {
            _ if over_threshold => self.panic_time_s = Some(t_s),
            Some(since) if since + spec.stable_window_s < t_s => {
                self.panic_time_s = None;
                self.max_panic_pods = 0;
            }
            _ => {}
        }
        let mut desired = desired_stable;
        if self.panic_time_s.is_some() {
            desired = desired.max(desired_panic);
            if desired > self.max_panic_pods {
                self.max_panic_pods = desired;
            } else {
                desired = self.max_panic_pods;
            }
        }
        let mut undelayed = None;
        if spec.reachable
            && let Some(delay) = &mut self.delay
        {
            let delayed = delay.record(t_s, desired);
            if delayed != desired {
                undelayed = Some(desired);
            }
            desired = delayed;
        }
        let excess_burst_capacity = if spec.target_burst_capacity == 0.0 {
            0
        } else if spec.target_burst_capacity < 0.0 {
            -1
        } else {
            saturating_i32(
                (f64::from(ready) * spec.total_value - spec.target_burst_capacity - panic).floor(),
            )
        };
        let panicking = self.panic_time_s.is_some();
        (
            ScaleResult {
                valid: true,
                desired,
                excess_burst_capacity,
            },
            Some(DeciderTrace {
                stable,
                panic,
                stable_pods,
                panic_pods,
                limits: (max_down, max_up),
                panicking,
                panic_entered: panicking && !was_panicking,
                panic_left: was_panicking && !panicking,
                undelayed,
            }),
        )
    }
}

/// Go's int32 conversion of a float, saturating instead of undefined (semantics rule 21).
fn saturating_i32(value: f64) -> i32 {
    if value.is_nan() {
        0
    } else {
        value.clamp(f64::from(i32::MIN), f64::from(i32::MAX)) as i32
    }
}
