//! The simulation: the step loop that moves demand through the fleet and the autoscaler.
//!
//! Per step k (spec/README.md and each autoscaler's "The step"):
//! 1. launches due at step k join the in-service count N;
//! 2. demand d_k arrives and served = min(d_k, N × capacity × step_s/60);
//! 3. the autoscaler observes the step and may propose a desired capacity;
//! 4. the fleet applies the proposal, clamped, at the end of the step;
//! 5. the sink is handed the step's record (and the scaling event, if any) by reference.

use crate::autoscaler::{Autoscaler, LatencyNeed, Observation, ScalingReason, ServerView};
use crate::demand::Demand;
use crate::error::BuildError;
use crate::fleet::{Fleet, FleetConfig, Removal, Service, ServiceModel};
use crate::limits::{
    MAX_COUNT, MAX_INSTANCE_SECONDS, MAX_SESSION_SLOTS, MAX_SESSION_STARTS, MIN_CAPACITY,
    check_step_s,
};
use crate::requests::{
    Arrivals, MAX_ARRIVAL_S, RequestConfig, RequestEngine, RequestRecord, RequestStep,
    RequestSummary,
};
use crate::service_level::FluidLatency;
use crate::sessions::{ServerGroup, SessionConfig};

/// One step of a run, as the sink sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepRecord {
    /// Index of the step, from 0.
    pub step_idx: u64,
    /// Start of the step, in seconds.
    pub t_s: u64,
    /// Length of the step, in seconds.
    pub step_s: u64,
    /// Arrivals in the step.
    pub demand: f64,
    /// Arrivals served.
    pub served: f64,
    /// Arrivals not served and lost (throttled, or sessions rejected).
    pub unserved: f64,
    /// Requests waiting at the end of the step (queue mode; 0 otherwise).
    pub backlog: f64,
    /// Instances serving during the step.
    pub in_service: u32,
    /// Desired capacity after the decision at the end of the step.
    pub desired: u32,
    /// Launches pending after that decision.
    pub pending: u32,
    /// Requests the in-service instances could serve in the step.
    pub capacity: f64,
    /// The metric the autoscaler observed, where it completed one this step.
    pub metric: Option<f64>,
    /// Whether the autoscaler is in panic mode after the step, for one that has one (KPA).
    pub panic: Option<bool>,
    /// For session workloads: sessions in progress right after the step's placements.
    pub active_sessions: Option<u32>,
    /// For request-level runs: what the requests did in the step.
    pub requests: Option<RequestStep>,
}

/// A change of desired capacity, or (with `from == to`) a decision not to change it that the
/// autoscaler wants people to see.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScalingEvent {
    /// The step at whose end the decision was taken.
    pub step_idx: u64,
    /// When the decision was taken: the end of that step, in seconds.
    pub t_s: u64,
    /// Desired capacity before.
    pub from: u32,
    /// Desired capacity after.
    pub to: u32,
    /// Why the autoscaler acted.
    pub reason: ScalingReason,
}

/// Receives a run's records as they happen; borrowed, so nothing is allocated per step.
pub trait Sink {
    /// Called once per step, in order.
    fn on_step(&mut self, record: &StepRecord);

    /// Called when desired capacity changes, or an autoscaler notes a decision not to change it
    /// (`from == to`), after the step's record.
    fn on_scaling(&mut self, event: &ScalingEvent) {
        let _ = event;
    }

    /// Request-level runs: called for each request once it completes or fails (in that
    /// order), then, when the run ends, for each one still in flight (in arrival order).
    fn on_request(&mut self, record: &RequestRecord) {
        let _ = record;
    }

    /// Request-level runs: called once, when the run ends, with its request figures.
    fn on_requests_end(&mut self, summary: &RequestSummary) {
        let _ = summary;
    }
}

impl<S: Sink + ?Sized> Sink for &mut S {
    fn on_step(&mut self, record: &StepRecord) {
        (**self).on_step(record);
    }

    fn on_scaling(&mut self, event: &ScalingEvent) {
        (**self).on_scaling(event);
    }

    fn on_request(&mut self, record: &RequestRecord) {
        (**self).on_request(record);
    }

    fn on_requests_end(&mut self, summary: &RequestSummary) {
        (**self).on_requests_end(summary);
    }
}

/// An absent sink receives nothing: optional outputs are sinks too.
impl<S: Sink> Sink for Option<S> {
    fn on_step(&mut self, record: &StepRecord) {
        if let Some(sink) = self {
            sink.on_step(record);
        }
    }

    fn on_scaling(&mut self, event: &ScalingEvent) {
        if let Some(sink) = self {
            sink.on_scaling(event);
        }
    }

    fn on_request(&mut self, record: &RequestRecord) {
        if let Some(sink) = self {
            sink.on_request(record);
        }
    }

    fn on_requests_end(&mut self, summary: &RequestSummary) {
        if let Some(sink) = self {
            sink.on_requests_end(summary);
        }
    }
}

impl<A: Sink, B: Sink> Sink for (A, B) {
    fn on_step(&mut self, record: &StepRecord) {
        self.0.on_step(record);
        self.1.on_step(record);
    }

    fn on_scaling(&mut self, event: &ScalingEvent) {
        self.0.on_scaling(event);
        self.1.on_scaling(event);
    }

    fn on_request(&mut self, record: &RequestRecord) {
        self.0.on_request(record);
        self.1.on_request(record);
    }

    fn on_requests_end(&mut self, summary: &RequestSummary) {
        self.0.on_requests_end(summary);
        self.1.on_requests_end(summary);
    }
}

impl<A: Sink, B: Sink, C: Sink> Sink for (A, B, C) {
    fn on_step(&mut self, record: &StepRecord) {
        self.0.on_step(record);
        self.1.on_step(record);
        self.2.on_step(record);
    }

    fn on_scaling(&mut self, event: &ScalingEvent) {
        self.0.on_scaling(event);
        self.1.on_scaling(event);
        self.2.on_scaling(event);
    }

    fn on_request(&mut self, record: &RequestRecord) {
        self.0.on_request(record);
        self.1.on_request(record);
        self.2.on_request(record);
    }

    fn on_requests_end(&mut self, summary: &RequestSummary) {
        self.0.on_requests_end(summary);
        self.1.on_requests_end(summary);
        self.2.on_requests_end(summary);
    }
}

/// Assembles a [`Simulation`]; see [`Simulation::builder`].
#[derive(Debug)]
pub struct SimulationBuilder<'d, A> {
    fleet: FleetConfig,
    demand: Option<&'d Demand>,
    sessions: Option<SessionConfig>,
    service: ServiceModel,
    requests: Option<(RequestConfig, Arrivals<'d>)>,
    fluid_service_time_s: Option<f64>,
    /// The session starts were checked already ([`check_session_starts`]): a sweep kernel
    /// building many runs over one trace checks it once, not once a run.
    session_starts_checked: bool,
    autoscaler: A,
}

impl<'d> SimulationBuilder<'d, ()> {
    /// Sets the autoscaler that drives the fleet.
    pub fn autoscaler<A: Autoscaler>(self, autoscaler: A) -> SimulationBuilder<'d, A> {
        SimulationBuilder {
            fleet: self.fleet,
            demand: self.demand,
            sessions: self.sessions,
            service: self.service,
            requests: self.requests,
            fluid_service_time_s: self.fluid_service_time_s,
            session_starts_checked: self.session_starts_checked,
            autoscaler,
        }
    }
}

impl<'d, A> SimulationBuilder<'d, A> {
    /// Sets the demand to replay; it is borrowed, so many runs can share one trace.
    pub fn demand(mut self, demand: &'d Demand) -> Self {
        self.demand = Some(demand);
        self
    }

    /// Sets what happens to requests beyond capacity; default [`ServiceModel::Throttle`].
    pub fn service_model(mut self, service: ServiceModel) -> Self {
        self.service = service;
        self
    }

    /// Simulates every request (docs/semantics/requests.md) instead of a fluid of them: the
    /// requests of `arrivals`, which must cover the demand's steps (the demand still sets the
    /// run's length and step). `capacity_per_instance_per_min` of the fleet is then replaced by
    /// the nominal concurrency × 60 / mean service time.
    pub fn requests(mut self, config: RequestConfig, arrivals: Arrivals<'d>) -> Self {
        self.requests = Some((config, arrivals));
        self
    }

    /// Gives the fluid model a mean service time, so that the autoscaler sees each step's
    /// latency (the M/M/c estimate of [`crate::FluidLatency`]) and requests in flight (by
    /// Little's law). Request-level runs measure both and ignore it.
    pub fn fluid_service_time_s(mut self, service_time_s: f64) -> Self {
        self.fluid_service_time_s = Some(service_time_s);
        self
    }

    /// Makes the demand session starts, each holding a slot of a server for a drawn length;
    /// `capacity_per_instance_per_min` is then the slots of one server.
    pub fn sessions(mut self, sessions: SessionConfig) -> Self {
        self.sessions = Some(sessions);
        self
    }

    /// Skips [`check_session_starts`] at build: the caller has checked this demand with it.
    pub(crate) fn session_starts_checked(mut self) -> Self {
        self.session_starts_checked = true;
        self
    }
}

impl<'d, A: Autoscaler> SimulationBuilder<'d, A> {
    /// Checks the settings against each other and builds the simulation.
    pub fn build(self) -> Result<Simulation<'d, A>, BuildError> {
        let demand = self.demand.ok_or(BuildError::MissingDemand)?;
        let step_s = demand.step_s();
        check_step_s(step_s)?;
        let run_s = demand.steps() as u64 * step_s;
        let mut fleet_config = self.fleet;
        let requests = match &self.requests {
            None => None,
            Some((config, arrivals)) => {
                if self.sessions.is_some() {
                    return Err(BuildError::Field {
                        field: "service.model",
                        expected: "\"throttle\" for session workloads, whose sessions already \
                                   hold slots one by one"
                            .into(),
                        got: "\"requests\"".into(),
                    });
                }
                if run_s as f64 > MAX_ARRIVAL_S {
                    return Err(BuildError::TooLarge {
                        what: "run length of a request-level run",
                        value: format!("{run_s} s"),
                        max: format!("{MAX_ARRIVAL_S:e} s"),
                    });
                }
                let bounds = self.autoscaler.initial_bounds();
                let base = bounds.clamp(fleet_config.initial_instances);
                let mut config = config.clone();
                if let Some(slots) = self.autoscaler.slots_per_instance() {
                    config.concurrency_per_instance = slots;
                }
                let config = &config;
                let (engine, mean_service_s) = RequestEngine::new(
                    config,
                    *arrivals,
                    self.autoscaler.largest_capacity(),
                    base,
                    step_s,
                )?;
                fleet_config.capacity_per_instance_per_min =
                    f64::from(config.concurrency_per_instance) * 60.0 / mean_service_s;
                let mut engine = engine;
                if self.autoscaler.buffers_without_instance() {
                    engine.buffer_without_instance();
                }
                Some(engine)
            }
        };
        let capacity = fleet_config.capacity_per_instance_per_min;
        if !(capacity.is_finite() && capacity > 0.0) {
            return Err(BuildError::NotPositive {
                what: "capacity_per_instance",
                value: capacity,
            });
        }
        if capacity < MIN_CAPACITY {
            return Err(BuildError::Field {
                field: "capacity_per_instance",
                expected: format!("at least {MIN_CAPACITY:e} requests a minute"),
                got: format!("{capacity:e}"),
            });
        }
        if capacity > MAX_COUNT {
            return Err(BuildError::TooLarge {
                what: "capacity_per_instance",
                value: format!("{capacity:e}"),
                max: format!("{MAX_COUNT:e} requests a minute"),
            });
        }
        // Instance-seconds are counted in a u64: refuse a run that could wrap it.
        let most_instances = self.autoscaler.largest_capacity();
        if u128::from(most_instances) * u128::from(run_s) > u128::from(MAX_INSTANCE_SECONDS) {
            return Err(BuildError::TooLarge {
                what: "maximum capacity × run length",
                value: format!("{most_instances} instances × {run_s} s"),
                max: format!("{MAX_INSTANCE_SECONDS} instance-seconds"),
            });
        }
        if !fleet_config.provisioning_s.is_multiple_of(step_s) {
            return Err(BuildError::NotAMultiple {
                what: "provisioning_s",
                value_s: fleet_config.provisioning_s,
                period_s: step_s,
            });
        }
        if let Some(service_time_s) = self.fluid_service_time_s
            && !(service_time_s.is_finite() && service_time_s > 0.0)
        {
            return Err(BuildError::Field {
                field: "service.service_time_s",
                expected: "a finite number of seconds greater than 0".into(),
                got: service_time_s.to_string(),
            });
        }
        let fluid_latency = self
            .fluid_service_time_s
            .filter(|_| self.requests.is_none() && self.sessions.is_none())
            .map(|service_time_s| FluidLatency {
                service_time_s,
                capacity_per_instance_per_min: capacity,
            });
        if let Some(need) = self.autoscaler.latency_needed_by() {
            check_latency_model(need, fluid_latency, self.requests.is_some(), self.service)?;
        }
        self.autoscaler.check_step(step_s)?;
        let bounds = self.autoscaler.initial_bounds();
        let initial = bounds.clamp(fleet_config.initial_instances);
        let mut fleet = Fleet::new(capacity, initial, fleet_config.provisioning_s, step_s)
            .with_service(self.service);
        if let Some(sessions) = self.sessions {
            if self.service == ServiceModel::Queue {
                return Err(BuildError::Field {
                    field: "service.model",
                    expected:
                        "\"throttle\" for session workloads, whose starts are placed or rejected"
                            .into(),
                    got: "\"queue\"".into(),
                });
            }
            if capacity.fract() != 0.0 || capacity > f64::from(u32::MAX) {
                return Err(BuildError::Field {
                    field: "capacity_per_instance",
                    expected: "a whole number of session slots >= 1".into(),
                    got: capacity.to_string(),
                });
            }
            if !self.session_starts_checked {
                check_fractional_starts(demand)?;
            }
            let most_servers = self.autoscaler.largest_capacity();
            let slots = capacity * f64::from(most_servers);
            if slots > MAX_SESSION_SLOTS as f64 {
                return Err(BuildError::TooLarge {
                    what: "capacity_per_instance",
                    value: format!(
                        "{capacity} session slots on each of up to {most_servers} servers"
                    ),
                    max: format!("{MAX_SESSION_SLOTS} slots in all"),
                });
            }
            if !self.session_starts_checked {
                check_most_starts(demand)?;
            }
            let group = ServerGroup::new(capacity as u32, initial, most_servers, step_s, sessions);
            fleet = fleet.with_sessions(group);
        }
        Ok(Simulation {
            fleet,
            autoscaler: self.autoscaler,
            demand: demand.as_slice(),
            step_s,
            next_step: 0,
            requests,
            fluid_latency,
            finished: false,
        })
    }
}

/// Checks that `demand` can be session starts: whole numbers, at most
/// [`MAX_SESSION_STARTS`] a step. What the build checks of the trace of a session workload; it
/// is the same for every run over that trace.
pub(crate) fn check_session_starts(demand: &Demand) -> Result<(), BuildError> {
    check_fractional_starts(demand)?;
    check_most_starts(demand)
}

fn check_fractional_starts(demand: &Demand) -> Result<(), BuildError> {
    if let Some(step) = demand
        .as_slice()
        .iter()
        .position(|&starts| starts.fract() != 0.0)
    {
        return Err(BuildError::FractionalSessions {
            step: step as u64,
            t_s: step as u64 * demand.step_s(),
            starts: demand.as_slice()[step],
        });
    }
    Ok(())
}

fn check_most_starts(demand: &Demand) -> Result<(), BuildError> {
    if let Some(step) = demand
        .as_slice()
        .iter()
        .position(|&starts| starts > MAX_SESSION_STARTS)
    {
        return Err(BuildError::TooLarge {
            what: "session starts in one step",
            value: format!("{} (step {step})", demand.as_slice()[step]),
            max: format!("{MAX_SESSION_STARTS:e}"),
        });
    }
    Ok(())
}

/// Checks that a run whose autoscaler reads `need` can give it: the request-level model
/// measures it; the fluid one estimates it from its service time, an instance holding at least
/// one request at a time, and requests in flight only if those beyond capacity wait.
fn check_latency_model(
    need: LatencyNeed,
    fluid: Option<FluidLatency>,
    per_request: bool,
    service: ServiceModel,
) -> Result<(), BuildError> {
    let metric = need.metric;
    if per_request {
        return Ok(());
    }
    let Some(fluid) = fluid else {
        return Err(BuildError::Field {
            field: "service.service_time_s",
            expected: format!(
                "a latency model for {metric}: `model = \"requests\"`, or a fluid model with \
                 `service_time_s`"
            ),
            got: "none".into(),
        });
    };
    let held = fluid.capacity_per_instance_per_min * fluid.service_time_s / 60.0;
    if held < 1.0 {
        return Err(BuildError::Field {
            field: "service.service_time_s",
            expected: format!(
                "at least {} s for the fluid estimate of {metric}: an instance serving {} \
                 requests a minute must hold at least one at a time (capacity × service time \
                 / 60 >= 1)",
                60.0 / fluid.capacity_per_instance_per_min,
                fluid.capacity_per_instance_per_min
            ),
            got: fluid.service_time_s.to_string(),
        });
    }
    if need.in_flight && service == ServiceModel::Throttle {
        return Err(BuildError::Field {
            field: "service.model",
            expected: format!(
                "\"queue\" (or \"requests\") for {metric}, which counts the requests waiting: \
                 \"throttle\" drops those beyond capacity, so the count could never pass what \
                 the instances hold"
            ),
            got: "\"throttle\"".into(),
        });
    }
    Ok(())
}

/// Where a step stands once its launches are admitted.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StepStart {
    fluid_demand: f64,
    step_idx: u64,
    pub(crate) t_s: u64,
    pub(crate) in_service: u32,
}

/// A built run: it only steps.
#[derive(Debug)]
pub struct Simulation<'d, A> {
    fleet: Fleet,
    autoscaler: A,
    demand: &'d [f64],
    step_s: u64,
    next_step: usize,
    requests: Option<RequestEngine<'d>>,
    fluid_latency: Option<FluidLatency>,
    finished: bool,
}

impl Simulation<'_, ()> {
    /// Starts assembling a run of a fleet with these settings.
    pub fn builder<'d>(fleet: FleetConfig) -> SimulationBuilder<'d, ()> {
        SimulationBuilder {
            fleet,
            demand: None,
            sessions: None,
            service: ServiceModel::Throttle,
            requests: None,
            fluid_service_time_s: None,
            session_starts_checked: false,
            autoscaler: (),
        }
    }
}

/// How a run steps, as [`Simulation::stepping`] tells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stepping {
    pub(crate) step_s: u64,
    pub(crate) steps: usize,
    /// Not stepped yet.
    pub(crate) fresh: bool,
}

impl<'d, A> Simulation<'d, A> {
    /// The request engine of a request-level run.
    pub(crate) fn request_engine(&mut self) -> Option<&mut RequestEngine<'d>> {
        self.requests.as_mut()
    }

    /// The run's step length and count of steps, and whether it has not stepped yet: what runs
    /// stepping together on shared draws must agree on.
    pub(crate) fn stepping(&self) -> Stepping {
        Stepping {
            step_s: self.step_s,
            steps: self.demand.len(),
            fresh: self.next_step == 0 && !self.finished,
        }
    }

    /// The built run's fleet, autoscaler, demand and step length, for a sweep kernel that
    /// steps them itself: what the builder checked stays checked in one place.
    pub(crate) fn into_parts(self) -> (Fleet, A, &'d [f64], u64) {
        (self.fleet, self.autoscaler, self.demand, self.step_s)
    }
}

impl<A: Autoscaler> Simulation<'_, A> {
    /// The fleet as it stands between steps.
    pub fn fleet(&self) -> &Fleet {
        &self.fleet
    }

    /// The autoscaler as it stands between steps.
    pub fn autoscaler(&self) -> &A {
        &self.autoscaler
    }

    /// Runs one step and hands its record to `sink`; returns false once the demand is used up.
    pub fn step<S: Sink>(&mut self, sink: &mut S) -> bool {
        let Some(start) = self.begin_step() else {
            return false;
        };
        let requests = self
            .requests
            .as_mut()
            .map(|engine| engine.run_step(start.t_s, self.step_s, start.in_service, sink));
        self.end_step(start, requests, sink);
        true
    }

    /// Admits the launches due at the next step's start; `None` once the demand is used up.
    pub(crate) fn begin_step(&mut self) -> Option<StepStart> {
        let &fluid_demand = self.demand.get(self.next_step)?;
        let step_idx = self.next_step as u64;
        let t_s = step_idx * self.step_s;
        self.fleet.admit_due_launches(step_idx, t_s);
        Some(StepStart {
            fluid_demand,
            step_idx,
            t_s,
            in_service: self.fleet.in_service(),
        })
    }

    /// Serves the step `start` opened (unless the request engine already did: `requests`),
    /// lets the autoscaler decide, and hands the record to `sink`.
    pub(crate) fn end_step<S: Sink>(
        &mut self,
        start: StepStart,
        requests: Option<RequestStep>,
        sink: &mut S,
    ) {
        let StepStart {
            fluid_demand,
            step_idx,
            t_s,
            in_service,
        } = start;
        let capacity = self.fleet.capacity();
        let (demand, service, work, work_capacity, requests) = match requests {
            Some(step) => {
                let service = Service {
                    served: step.completed as f64,
                    dropped: step.failed as f64,
                    backlog: step.queued as f64,
                };
                let demand = step.arrivals as f64;
                (demand, service, step.busy_slot_s, step.slot_s, Some(step))
            }
            None => {
                let service = self.fleet.serve(fluid_demand, t_s);
                (fluid_demand, service, service.served, capacity, None)
            }
        };
        let served = service.served;
        let (concurrency, latency_s) = match (&requests, &self.fluid_latency) {
            (Some(step), _) => (Some(step.in_flight.step), step.latency_mean_s),
            (None, Some(model)) => {
                let step_s = self.step_s as f64;
                let latency_s = model.observed_s(in_service, demand, step_s, service.backlog);
                let in_flight = model.in_flight(in_service, demand, step_s, service.backlog);
                (Some(in_flight), Some(latency_s))
            }
            (None, None) => (None, None),
        };
        let observation = Observation {
            step_idx,
            t_s,
            step_s: self.step_s,
            demand,
            served,
            capacity,
            work,
            work_capacity,
            in_flight: requests.map(|step| step.in_flight),
            concurrency,
            latency_s,
            in_service,
            ready_at_end: in_service + self.fleet.due_by(step_idx + 1),
            pending: self.fleet.pending(),
            desired: self.fleet.desired(),
            servers: match (&self.requests, self.fleet.server_group()) {
                (Some(engine), _) => Some(engine as &dyn ServerView),
                (None, Some(group)) => Some(group as &dyn ServerView),
                (None, None) => None,
            },
        };
        let outcome = self.autoscaler.on_step(&observation);
        let end_s = observation.end_s();
        let desired_before = self.fleet.desired();
        let event = match (outcome.proposal, outcome.notice) {
            (Some(proposal), _) => {
                let desired = proposal.bounds.clamp(proposal.desired);
                let change = match (proposal.removal, &mut self.requests) {
                    // A server group on the request-level model: its instances know which
                    // are idle, and go now, at the step's end.
                    (Removal::ReleaseIdleServers { min_idle_s }, Some(engine))
                        if desired < desired_before =>
                    {
                        let released = engine.release_idle(end_s, min_idle_s);
                        self.fleet.remove_in_service(released)
                    }
                    _ => self
                        .fleet
                        .set_desired(desired, step_idx, proposal.removal, end_s),
                };
                change.map(|change| ScalingEvent {
                    step_idx,
                    t_s: end_s,
                    from: change.from,
                    to: change.to,
                    reason: proposal.reason,
                })
            }
            (None, Some(reason)) => Some(ScalingEvent {
                step_idx,
                t_s: end_s,
                from: desired_before,
                to: desired_before,
                reason,
            }),
            (None, None) => None,
        };
        sink.on_step(&StepRecord {
            step_idx,
            t_s,
            step_s: self.step_s,
            demand,
            served,
            unserved: service.dropped,
            backlog: service.backlog,
            in_service,
            desired: self.fleet.desired(),
            pending: self.fleet.pending(),
            capacity,
            metric: outcome.metric,
            panic: self.autoscaler.panicking(),
            active_sessions: self
                .fleet
                .server_group()
                .map(|group| group.active_sessions()),
            requests,
        });
        if let Some(event) = &event {
            sink.on_scaling(event);
        }
        self.next_step += 1;
    }

    /// Runs every remaining step into `sink`, then ends the run ([`Simulation::finish`]).
    pub fn run<S: Sink>(&mut self, sink: &mut S) {
        while self.step(sink) {}
        self.finish(sink);
    }

    /// Ends a request-level run: hands `sink` the requests still in flight and the run's
    /// request figures. Does nothing for fluid runs, or the second time.
    pub fn finish<S: Sink>(&mut self, sink: &mut S) {
        if self.finished {
            return;
        }
        self.finished = true;
        if let Some(engine) = &mut self.requests {
            let summary = engine.finish(sink);
            sink.on_requests_end(&summary);
        }
    }
}
