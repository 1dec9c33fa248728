//! Huawei Cloud Workspace server-group scaling policy (spec: `spec/huawei-workspace.md`).
//!
//! At each evaluation t_e (every `evaluation_period_s`, model choice: default 60):
//! - triggered if session usage u = 100 × active sessions / (in-service servers × slots) is at
//!   least `session_usage_threshold`, or a resource usage given a threshold reaches it (CPU % =
//!   min(100, active sessions × cpu_pct_per_session / in-service servers), memory and GPU memory
//!   likewise; a weight not given is 100 / slots);
//! - triggered: unless a scaled-out server is still provisioning, add
//!   min(single_expansion_count, max_scaling_amount − scaled-out servers in service or
//!   provisioning) servers (model choice: one scale-out at a time, since usage cannot fall before
//!   new servers serve);
//! - not triggered: release every in-service scaled-out server with no session whose idle clock
//!   reads at least shrink_after_session_idle_minutes × 60. Base servers are never released.

use std::fmt;

use crate::autoscaler::{
    Autoscaler, Num, Observation, Proposal, ScalingReason, StepOutcome, check_evaluation_period,
    check_period_in_steps,
};
use crate::capacity::CapacityBounds;
use crate::error::BuildError;
use crate::fleet::Removal;
use crate::limits::MAX_SESSION_SERVERS;

/// The scaling-policy request body, checked against Huawei's documented ranges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkspaceScalingPolicy {
    enable: bool,
    max_scaling_amount: u32,
    single_expansion_count: u32,
    session_usage_threshold: u32,
    shrink_after_session_idle_minutes: u32,
    resource_thresholds: ResourceThresholds,
}

/// `scaling_policy_by_resource`: percentages that trigger a scale-out when reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ResourceThresholds {
    /// `cpu_usage_threshold`.
    pub cpu: Option<u32>,
    /// `mem_usage_threshold`.
    pub mem: Option<u32>,
    /// `gpu_usage_threshold`.
    pub gpu: Option<u32>,
}

fn check_range(
    field: &'static str,
    value: u32,
    range: std::ops::RangeInclusive<u32>,
) -> Result<(), BuildError> {
    if range.contains(&value) {
        Ok(())
    } else {
        Err(BuildError::Field {
            field,
            expected: format!("an integer from {} to {}", range.start(), range.end()),
            got: value.to_string(),
        })
    }
}

impl WorkspaceScalingPolicy {
    /// Checks each field's documented range (SDK models; resource thresholds 1–100 as
    /// percentages, model choice).
    pub fn new(
        enable: bool,
        max_scaling_amount: u32,
        single_expansion_count: u32,
        session_usage_threshold: u32,
        shrink_after_session_idle_minutes: u32,
        resource_thresholds: ResourceThresholds,
    ) -> Result<Self, BuildError> {
        check_range("max_scaling_amount", max_scaling_amount, 1..=100)?;
        check_range("single_expansion_count", single_expansion_count, 1..=10)?;
        check_range(
            "scaling_policy_by_session.session_usage_threshold",
            session_usage_threshold,
            1..=100,
        )?;
        check_range(
            "scaling_policy_by_session.shrink_after_session_idle_minutes",
            shrink_after_session_idle_minutes,
            5..=120,
        )?;
        for (field, threshold) in [
            (
                "scaling_policy_by_resource.cpu_usage_threshold",
                resource_thresholds.cpu,
            ),
            (
                "scaling_policy_by_resource.mem_usage_threshold",
                resource_thresholds.mem,
            ),
            (
                "scaling_policy_by_resource.gpu_usage_threshold",
                resource_thresholds.gpu,
            ),
        ] {
            if let Some(threshold) = threshold {
                check_range(field, threshold, 1..=100)?;
            }
        }
        Ok(Self {
            enable,
            max_scaling_amount,
            single_expansion_count,
            session_usage_threshold,
            shrink_after_session_idle_minutes,
            resource_thresholds,
        })
    }

    /// The most servers scaling may add.
    pub fn max_scaling_amount(&self) -> u32 {
        self.max_scaling_amount
    }
}

/// Resource use of one session, percent of one server; `None`: 100 / slots.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct SessionWeights {
    /// `cpu_pct_per_session`.
    pub cpu_pct: Option<f64>,
    /// `mem_pct_per_session`.
    pub mem_pct: Option<f64>,
    /// `gpu_mem_pct_per_session`.
    pub gpu_mem_pct: Option<f64>,
}

/// What triggered a scale-out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// Session usage.
    Session,
    /// CPU usage.
    Cpu,
    /// Memory usage.
    Mem,
    /// GPU memory usage.
    Gpu,
}

/// Why the server group changed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum HuaweiReason {
    /// A usage reached its threshold: servers added.
    ScaleOut {
        /// The first usage that reached its threshold.
        trigger: Trigger,
        /// Its value, percent.
        usage: f64,
        /// Its threshold, percent.
        threshold: u32,
        /// Servers added.
        added: u32,
        /// Scaled-out servers (in service or provisioning) before.
        scaled_out: u32,
        /// max_scaling_amount.
        max_scaling_amount: u32,
    },
    /// Nothing triggered: idle scaled-out servers released.
    Release {
        /// Servers released.
        released: u32,
        /// shrink_after_session_idle_minutes.
        idle_minutes: u32,
        /// Session usage, percent.
        usage: f64,
    },
}

impl fmt::Display for HuaweiReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HuaweiReason::ScaleOut {
                trigger,
                usage,
                threshold,
                added,
                scaled_out,
                max_scaling_amount,
            } => {
                let name = match trigger {
                    Trigger::Session => "session_usage_threshold",
                    Trigger::Cpu => "cpu_usage_threshold",
                    Trigger::Mem => "mem_usage_threshold",
                    Trigger::Gpu => "gpu_usage_threshold",
                };
                write!(
                    f,
                    "usage {} % reached {name} {threshold} %: add min(single_expansion_count, \
                     {max_scaling_amount} − {scaled_out} scaled out) = {added}",
                    Num(*usage)
                )
            }
            HuaweiReason::Release {
                released,
                idle_minutes,
                usage,
            } => {
                write!(
                    f,
                    "no threshold reached (session usage {} %): released {released} scaled-out \
                     server(s) idle for at least {idle_minutes} min",
                    Num(*usage)
                )
            }
        }
    }
}

/// The scaling engine of one Workspace server group.
#[derive(Debug, Clone)]
pub struct WorkspaceScaling {
    policy: WorkspaceScalingPolicy,
    weights: SessionWeights,
    bounds: CapacityBounds,
    evaluation_period_s: u64,
}

impl WorkspaceScaling {
    /// The engine for a group of `base_servers` (never released), evaluating every
    /// `evaluation_period_s`.
    pub fn new(
        policy: WorkspaceScalingPolicy,
        weights: SessionWeights,
        base_servers: u32,
        evaluation_period_s: u64,
    ) -> Result<Self, BuildError> {
        if !(1..=MAX_SESSION_SERVERS).contains(&base_servers) {
            return Err(BuildError::Field {
                field: "initial_instances",
                expected: format!(
                    "from 1 to {MAX_SESSION_SERVERS} base servers (scalesim's bound: every \
                     server's sessions are simulated every step)"
                ),
                got: base_servers.to_string(),
            });
        }
        check_evaluation_period(evaluation_period_s)?;
        for (field, weight) in [
            ("sessions.cpu_pct_per_session", weights.cpu_pct),
            ("sessions.mem_pct_per_session", weights.mem_pct),
            ("sessions.gpu_mem_pct_per_session", weights.gpu_mem_pct),
        ] {
            if let Some(weight) = weight
                && !(weight.is_finite() && weight >= 0.0)
            {
                return Err(BuildError::Field {
                    field,
                    expected: "a finite percentage >= 0".into(),
                    got: weight.to_string(),
                });
            }
        }
        Ok(Self {
            policy,
            weights,
            bounds: CapacityBounds::new(base_servers, base_servers + policy.max_scaling_amount)?,
            evaluation_period_s,
        })
    }

    /// Whether a step ending at `end_s` ends with an evaluation; at other steps
    /// [`Autoscaler::on_step`] proposes nothing.
    pub(crate) fn evaluates_at(&self, end_s: u64) -> bool {
        self.policy.enable && end_s.is_multiple_of(self.evaluation_period_s)
    }

    /// The evaluation period, seconds, or `None` when the policy is disabled (it never
    /// evaluates).
    pub(crate) fn evaluation_period_s(&self) -> Option<u64> {
        self.policy.enable.then_some(self.evaluation_period_s)
    }

    /// The most servers scaling may add.
    pub(crate) fn max_scaling_amount(&self) -> u32 {
        self.policy.max_scaling_amount
    }

    /// The most servers one scale-out adds.
    pub(crate) fn single_expansion_count(&self) -> u32 {
        self.policy.single_expansion_count
    }

    /// The idle time a scaled-out server needs to be released, seconds.
    pub(crate) fn min_idle_s(&self) -> u64 {
        u64::from(self.policy.shrink_after_session_idle_minutes) * 60
    }

    /// Session usage, percent, of `active` sessions on `in_service` servers of `slots` slots.
    fn session_usage(active: u32, in_service: u32, slots: u32) -> f64 {
        let slots = f64::from(in_service) * f64::from(slots);
        if slots > 0.0 {
            100.0 * f64::from(active) / slots
        } else {
            0.0
        }
    }

    /// The first usage that reaches its threshold, its value and the threshold, with `usage`
    /// the session usage.
    fn fired(
        &self,
        usage: f64,
        active: u32,
        in_service: u32,
        slots: u32,
    ) -> Option<(Trigger, f64, u32)> {
        let in_service = f64::from(in_service.max(1));
        let active = f64::from(active);
        let default_weight = 100.0 / f64::from(slots);
        let resource = |weight: Option<f64>| {
            (active * weight.unwrap_or(default_weight) / in_service).min(100.0)
        };
        let thresholds = self.policy.resource_thresholds;
        // A usage is computed only if it has a threshold: evaluations run every minute.
        let candidates = [
            (
                Trigger::Session,
                None,
                Some(self.policy.session_usage_threshold),
            ),
            (Trigger::Cpu, self.weights.cpu_pct, thresholds.cpu),
            (Trigger::Mem, self.weights.mem_pct, thresholds.mem),
            (Trigger::Gpu, self.weights.gpu_mem_pct, thresholds.gpu),
        ];
        candidates
            .into_iter()
            .find_map(|(trigger, weight, threshold)| {
                let threshold = threshold?;
                let value = match trigger {
                    Trigger::Session => usage,
                    _ => resource(weight),
                };
                (value >= f64::from(threshold)).then_some((trigger, value, threshold))
            })
    }

    /// The fewest active sessions on `in_service` servers of `slots` slots that trigger a
    /// scale-out, or in_service × slots + 1 when none can. Every usage is a rounded product or
    /// quotient of the sessions by non-negative numbers, so it never falls as they rise: more
    /// sessions trigger too.
    pub(crate) fn fewest_triggering(&self, in_service: u32, slots: u32) -> u32 {
        let triggers = |active: u32| {
            let usage = Self::session_usage(active, in_service, slots);
            self.fired(usage, active, in_service, slots).is_some()
        };
        let (mut low, mut high) = (0, in_service * slots + 1);
        while low < high {
            let mid = low + (high - low) / 2;
            if triggers(mid) {
                high = mid;
            } else {
                low = mid + 1;
            }
        }
        low
    }

    fn evaluate(&self, observation: &Observation<'_>, usage: f64) -> Option<Proposal> {
        let group = observation.servers?;
        let fired = self.fired(
            usage,
            group.active_sessions(),
            observation.in_service,
            group.slots_per_server(),
        );
        let end_s = observation.end_s();
        if let Some((trigger, value, threshold)) = fired {
            if observation.pending > 0 {
                return None;
            }
            let scaled_out = group.scaled_out_in_service() + observation.pending;
            let added = self
                .policy
                .single_expansion_count
                .min(self.policy.max_scaling_amount.saturating_sub(scaled_out));
            return (added > 0).then_some(Proposal {
                desired: observation.desired + added,
                bounds: self.bounds,
                reason: ScalingReason::Huawei(HuaweiReason::ScaleOut {
                    trigger,
                    usage: value,
                    threshold,
                    added,
                    scaled_out,
                    max_scaling_amount: self.policy.max_scaling_amount,
                }),
                removal: Removal::CancelPendingFirst,
            });
        }
        let min_idle_s = self.min_idle_s();
        let released = group.releasable(end_s, min_idle_s);
        (released > 0).then_some(Proposal {
            desired: observation.desired - released,
            bounds: self.bounds,
            reason: ScalingReason::Huawei(HuaweiReason::Release {
                released,
                idle_minutes: self.policy.shrink_after_session_idle_minutes,
                usage,
            }),
            removal: Removal::ReleaseIdleServers { min_idle_s },
        })
    }
}

impl Autoscaler for WorkspaceScaling {
    fn initial_bounds(&self) -> CapacityBounds {
        self.bounds
    }

    fn check_step(&self, step_s: u64) -> Result<(), BuildError> {
        check_period_in_steps("evaluation_period_s", self.evaluation_period_s, step_s)
    }

    fn on_step(&mut self, observation: &Observation<'_>) -> StepOutcome {
        let usage = observation.servers.map(|group| {
            Self::session_usage(
                group.active_sessions(),
                observation.in_service,
                group.slots_per_server(),
            )
        });
        let evaluates = self.evaluates_at(observation.end_s());
        StepOutcome {
            metric: usage,
            proposal: if evaluates {
                usage.and_then(|usage| self.evaluate(observation, usage))
            } else {
                None
            },
            notice: None,
        }
    }
}
