//! The one abstraction every autoscaler implements, and what it sees and proposes.
//!
//! Each step the simulation hands the autoscaler an [`Observation`] of the fleet after demand
//! was served. The autoscaler keeps whatever history it needs in buffers sized when it was
//! built, and at its own evaluation period returns a [`Proposal`]: a desired capacity, the
//! bounds to clamp it to, and the reason. The fleet applies it; vendor semantics live in the
//! autoscaler and nowhere else.

pub(crate) mod aws;
pub(crate) mod azure;
pub(crate) mod hpa;
pub(crate) mod huawei;
pub(crate) mod knative;

use std::fmt;

use crate::capacity::CapacityBounds;
use crate::error::BuildError;
use crate::fleet::Removal;
use crate::requests::InFlight;
/// What a server-group autoscaler (Huawei Workspace) reads of the servers: the session
/// workload's [`crate::ServerGroup`], or the request-level model's instances.
pub trait ServerView: std::fmt::Debug {
    /// Slots of one server: sessions or requests it holds at once.
    fn slots_per_server(&self) -> u32;
    /// Sessions (or requests) on the in-service servers now.
    fn active_sessions(&self) -> u32;
    /// In-service servers added by scaling, not base ones.
    fn scaled_out_in_service(&self) -> u32;
    /// Scaled-out servers holding nothing, idle for at least `min_idle_s` at `t_s`.
    fn releasable(&self, t_s: u64, min_idle_s: u64) -> u32;
}

/// What an autoscaler can see of one step, after the step's demand was served.
#[derive(Debug, Clone, Copy)]
pub struct Observation<'a> {
    /// Index of the step, from 0.
    pub step_idx: u64,
    /// Start of the step, in seconds from t = 0.
    pub t_s: u64,
    /// Length of a step, in seconds.
    pub step_s: u64,
    /// Arrivals in the step.
    pub demand: f64,
    /// Arrivals served in the step.
    pub served: f64,
    /// Arrivals the in-service instances could serve in the step (request-level runs: a
    /// nominal figure, from the mean service time).
    pub capacity: f64,
    /// Work done in the step, in the unit of `work_capacity`: CPU utilization is
    /// 100 × work / work_capacity. Fluid models: requests served; request-level: busy
    /// slot-seconds of the in-service instances.
    pub work: f64,
    /// Work the in-service instances could do in the step: `capacity` (fluid models), or
    /// in-service × concurrency × step_s slot-seconds (request-level).
    pub work_capacity: f64,
    /// Request-level runs: requests in flight, queued ones included, time-averaged.
    pub in_flight: Option<InFlight>,
    /// Requests in flight, queued ones included, time-averaged over the step: the
    /// request-level model's `in_flight.step`, or Little's law on a fluid model with a
    /// service time. `None` without a latency model.
    pub concurrency: Option<f64>,
    /// Mean response time of the step's served requests, seconds (queueing included):
    /// measured by the request-level model (`None` when none completed), estimated by the
    /// fluid one with a service time. `None` without a latency model.
    pub latency_s: Option<f64>,
    /// Instances serving during the step.
    pub in_service: u32,
    /// Instances in service at the step's end, launches due then included: the Ready pods a
    /// decision at the step's end sees (the KPA's N(t)).
    pub ready_at_end: u32,
    /// Launches not yet in service.
    pub pending: u32,
    /// Desired capacity before this step's decision (in service plus pending).
    pub desired: u32,
    /// For server groups (Huawei Workspace): the servers and the sessions or requests they
    /// hold, at the step's end.
    pub servers: Option<&'a dyn ServerView>,
}

impl Observation<'_> {
    /// The moment the step ends and decisions are taken, in seconds.
    pub fn end_s(&self) -> u64 {
        self.t_s + self.step_s
    }
}

/// A metric that needs a latency model (semantics: `docs/semantics/aws-high-resolution.md`,
/// rule 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LatencyNeed {
    /// The metric, as people name it.
    pub metric: &'static str,
    /// Whether it counts the requests in flight, queued ones included, rather than their
    /// latency: the fluid estimate of those needs requests beyond capacity to wait.
    pub in_flight: bool,
}

/// A new desired capacity and why.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Proposal {
    /// The desired capacity proposed, before the clamp.
    pub desired: u32,
    /// The bounds in force for this decision.
    pub bounds: CapacityBounds,
    /// Why, for `events.csv` and for people.
    pub reason: ScalingReason,
    /// Which instances go if the proposal is below the current desired capacity.
    pub removal: Removal,
}

/// What an autoscaler reports for one step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepOutcome {
    /// The metric value the autoscaler observed, if it completed one this step.
    pub metric: Option<f64>,
    /// A change of desired capacity, if it decided one this step.
    pub proposal: Option<Proposal>,
    /// A decision not to change capacity that people should see (an Azure scale-in skipped
    /// for flapping); ignored when there is a proposal.
    pub notice: Option<ScalingReason>,
}

/// A policy that watches the fleet and proposes desired capacities.
pub trait Autoscaler {
    /// The bounds that clamp the fleet's initial instance count.
    fn initial_bounds(&self) -> CapacityBounds;

    /// The most instances the autoscaler can ever ask for, to size what grows with the
    /// fleet; by default the initial MaxCapacity.
    fn largest_capacity(&self) -> u32 {
        self.initial_bounds().max()
    }

    /// Checks that the autoscaler's periods fit steps of `step_s` seconds.
    fn check_step(&self, step_s: u64) -> Result<(), BuildError>;

    /// The metric that needs the requests' latency or their count in flight, if the
    /// autoscaler reads one: the run must then have a latency model.
    fn latency_needed_by(&self) -> Option<LatencyNeed> {
        None
    }

    /// Whether requests that find no instance in service wait for one (Knative's activator
    /// holds them) instead of failing.
    fn buffers_without_instance(&self) -> bool {
        false
    }

    /// Requests an instance serves at once, when the autoscaler's configuration says (a
    /// Knative revision's `containerConcurrency`): the request-level model then uses it.
    fn slots_per_instance(&self) -> Option<u32> {
        None
    }

    /// Whether the autoscaler is in a panic mode, for autoscalers that have one (the KPA).
    fn panicking(&self) -> Option<bool> {
        None
    }

    /// Observes one step and, at the end of an evaluation period, may propose a capacity.
    fn on_step(&mut self, observation: &Observation<'_>) -> StepOutcome;
}

/// A number as people read it: at most 3 decimals, no trailing zeros.
pub(crate) struct Num(pub(crate) f64);

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rounded = (self.0 * 1000.0).round() / 1000.0;
        if rounded == rounded.trunc() && rounded.abs() < 1e15 {
            write!(f, "{}", rounded as i64)
        } else {
            write!(f, "{rounded}")
        }
    }
}

/// An evaluation period must be at least one second.
pub(crate) fn check_evaluation_period(evaluation_period_s: u64) -> Result<(), BuildError> {
    if !(1..=crate::limits::MAX_STEP_S).contains(&evaluation_period_s) {
        return Err(BuildError::Field {
            field: "evaluation_period_s",
            expected: format!("from 1 to {} (a day)", crate::limits::MAX_STEP_S),
            got: evaluation_period_s.to_string(),
        });
    }
    Ok(())
}

/// An autoscaler's period (`what`, `period_s`) must be a whole number of steps.
pub(crate) fn check_period_in_steps(
    what: &'static str,
    period_s: u64,
    step_s: u64,
) -> Result<(), BuildError> {
    if !period_s.is_multiple_of(step_s) {
        return Err(BuildError::NotAMultiple {
            what,
            value_s: period_s,
            period_s: step_s,
        });
    }
    Ok(())
}

/// Why an autoscaler changed desired capacity; formats as a sentence for people.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum ScalingReason {
    /// AWS target tracking acted on one of its alarms.
    TargetTracking(aws::TargetTrackingReason),
    /// An AWS step scaling policy acted on its alarm.
    StepScaling(aws::scaling::StepScalingReason),
    /// An AWS scheduled action changed the capacity bounds, or failed.
    ScheduledAction(aws::scaling::ScheduledActionReason),
    /// Azure autoscale acted, or skipped a scale-in.
    Azure(azure::AzureReason),
    /// Huawei Workspace scaling added or released servers.
    Huawei(huawei::HuaweiReason),
    /// The Kubernetes HorizontalPodAutoscaler changed the replica count.
    Hpa(hpa::HpaReason),
    /// The Knative Pod Autoscaler changed the replicas, or moved the activator.
    Knative(knative::KpaReason),
}

impl fmt::Display for ScalingReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScalingReason::TargetTracking(reason) => reason.fmt(f),
            ScalingReason::StepScaling(reason) => reason.fmt(f),
            ScalingReason::ScheduledAction(reason) => reason.fmt(f),
            ScalingReason::Azure(reason) => reason.fmt(f),
            ScalingReason::Huawei(reason) => reason.fmt(f),
            ScalingReason::Hpa(reason) => reason.fmt(f),
            ScalingReason::Knative(reason) => reason.fmt(f),
        }
    }
}
