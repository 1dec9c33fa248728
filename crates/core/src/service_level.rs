//! Latency and service-level objectives of a run: an M/M/c (Erlang C) estimate of each
//! step's mean response time, plus the wait of a backlog in queue mode, checked against the
//! scenario's `[slo]`.
//!
//! Model: an instance serving `capacity` requests a minute with mean service time S holds
//! `capacity × S / 60` requests at once, so a step with N instances in service is an M/M/c queue
//! with c = floor(N × capacity × S / 60) servers of rate 1/S, fed at λ = arrivals / step_s.
//! Its mean response is W = C(c, λS) · S / (c − λS) + S (infinite when λS ≥ c). In queue mode
//! the requests left waiting add backlog / (N × capacity / 60) seconds.

use crate::error::BuildError;
use crate::queueing::mean_response_s;
use crate::sim::{Sink, StepRecord};

/// The fluid model's latency estimate: instances serving `capacity_per_instance_per_min`
/// requests with mean service time `service_time_s`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FluidLatency {
    /// Mean service time of a request, seconds.
    pub service_time_s: f64,
    /// Requests one instance serves a minute.
    pub capacity_per_instance_per_min: f64,
}

impl FluidLatency {
    /// Servers of the step's M/M/c queue: floor(N × capacity × S / 60), saturating.
    fn servers(&self, in_service: u32) -> u32 {
        let servers =
            (f64::from(in_service) * self.capacity_per_instance_per_min * self.service_time_s
                / 60.0)
                .floor();
        if servers > f64::from(u32::MAX) {
            u32::MAX
        } else {
            servers as u32
        }
    }

    /// The step's mean response time, seconds: W of the M/M/c queue fed at demand / step_s
    /// (infinite when λS ≥ c), plus backlog / drain rate for requests left waiting.
    pub fn response_s(&self, in_service: u32, demand: f64, step_s: f64, backlog: f64) -> f64 {
        let arrival_rate_per_s = demand / step_s;
        let response_s = mean_response_s(
            self.servers(in_service),
            arrival_rate_per_s,
            self.service_time_s,
        );
        let drain_rate_per_s = f64::from(in_service) * self.capacity_per_instance_per_min / 60.0;
        if backlog > 0.0 {
            response_s + backlog / drain_rate_per_s
        } else {
            response_s
        }
    }

    /// The mean response time the step's served requests saw, seconds, finite: W (and the
    /// backlog's wait) while the queue is stable; once overloaded (λS ≥ c), the servers serve
    /// at their rate and a request takes S plus the backlog's wait (the excess is dropped by
    /// the throttle model, or waits in the queue model's backlog).
    pub fn observed_s(&self, in_service: u32, demand: f64, step_s: f64, backlog: f64) -> f64 {
        let response_s = self.response_s(in_service, demand, step_s, backlog);
        if response_s.is_finite() {
            return response_s;
        }
        let drain_rate_per_s = f64::from(in_service) * self.capacity_per_instance_per_min / 60.0;
        if backlog > 0.0 && drain_rate_per_s > 0.0 {
            self.service_time_s + backlog / drain_rate_per_s
        } else {
            self.service_time_s
        }
    }

    /// Requests in flight over the step, queued ones included: Little's law, L = λ × W, for a
    /// stable queue with no backlog; when overloaded (λS ≥ c) or backlogged, every server is
    /// busy and the backlog waits: c + backlog.
    pub fn in_flight(&self, in_service: u32, demand: f64, step_s: f64, backlog: f64) -> f64 {
        let servers = self.servers(in_service);
        let arrival_rate_per_s = demand / step_s;
        let response_s = mean_response_s(servers, arrival_rate_per_s, self.service_time_s);
        if backlog > 0.0 || !response_s.is_finite() {
            f64::from(servers) + backlog
        } else {
            arrival_rate_per_s * response_s
        }
    }
}

/// The scenario's `[slo]`: each is checked per step; a step breaking either is a violation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ServiceLevelObjective {
    /// Largest acceptable mean response time, seconds.
    pub latency_s: Option<f64>,
    /// Largest acceptable share of a step's arrivals lost.
    pub max_unserved_fraction: Option<f64>,
}

/// Latency and SLO figures of a run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ServiceLevel {
    /// Mean response time over the requests of the steps where the queue was stable, seconds.
    pub latency_mean_s: f64,
    /// Steps whose arrivals exceeded what the servers can ever keep up with (λS ≥ c).
    pub overloaded_steps: u64,
    /// Steps that broke the SLO.
    pub slo_violation_steps: u64,
    /// Seconds that broke the SLO.
    pub slo_violation_s: u64,
}

/// Accumulates [`ServiceLevel`] from step records; allocation-free per step.
#[derive(Debug, Clone)]
pub struct ServiceLevelSink {
    latency: FluidLatency,
    slo: ServiceLevelObjective,
    weighted_latency_s: f64,
    weighted_requests: f64,
    overloaded_steps: u64,
    slo_violation_steps: u64,
    slo_violation_s: u64,
}

impl ServiceLevelSink {
    /// A sink for instances serving `capacity_per_instance_per_min` with mean service time
    /// `service_time_s`, checking `slo`.
    pub fn new(
        service_time_s: f64,
        capacity_per_instance_per_min: f64,
        slo: ServiceLevelObjective,
    ) -> Result<Self, BuildError> {
        if !(service_time_s.is_finite() && service_time_s > 0.0) {
            return Err(BuildError::Field {
                field: "service.service_time_s",
                expected: "a finite number of seconds greater than 0".into(),
                got: service_time_s.to_string(),
            });
        }
        for (field, value) in [
            ("slo.latency_s", slo.latency_s),
            ("slo.max_unserved_fraction", slo.max_unserved_fraction),
        ] {
            if let Some(value) = value
                && !(value.is_finite() && value >= 0.0)
            {
                return Err(BuildError::Field {
                    field,
                    expected: "a finite number >= 0".into(),
                    got: value.to_string(),
                });
            }
        }
        Ok(Self {
            latency: FluidLatency {
                service_time_s,
                capacity_per_instance_per_min,
            },
            slo,
            weighted_latency_s: 0.0,
            weighted_requests: 0.0,
            overloaded_steps: 0,
            slo_violation_steps: 0,
            slo_violation_s: 0,
        })
    }

    /// A sink for request-level runs, which measure each step's latency rather than estimate
    /// it: the step's mean latency is that of the requests completed in it, and losses are its
    /// failures.
    pub fn measured(slo: ServiceLevelObjective) -> Result<Self, BuildError> {
        // Any valid service time: request-level records carry their own latencies.
        Self::new(1.0, 1.0, slo)
    }

    /// The step's mean response time, seconds (infinite when overloaded). For request-level
    /// records, the measured mean latency of the requests completed in the step; a step that
    /// completed none while requests wait at its end is overloaded (infinite), an idle one 0.
    pub fn step_latency_s(&self, record: &StepRecord) -> f64 {
        if let Some(requests) = &record.requests {
            return match requests.latency_mean_s {
                Some(mean_s) => mean_s,
                None if requests.queued > 0 => f64::INFINITY,
                None => 0.0,
            };
        }
        self.latency.response_s(
            record.in_service,
            record.demand,
            record.step_s as f64,
            record.backlog,
        )
    }

    /// The figures so far.
    pub fn service_level(&self) -> ServiceLevel {
        ServiceLevel {
            latency_mean_s: if self.weighted_requests > 0.0 {
                self.weighted_latency_s / self.weighted_requests
            } else {
                0.0
            },
            overloaded_steps: self.overloaded_steps,
            slo_violation_steps: self.slo_violation_steps,
            slo_violation_s: self.slo_violation_s,
        }
    }
}

impl Sink for ServiceLevelSink {
    fn on_step(&mut self, record: &StepRecord) {
        // Request-level steps are judged on what completed in them, arrivals or not.
        let latency_s = if record.demand > 0.0 || record.backlog > 0.0 || record.requests.is_some()
        {
            self.step_latency_s(record)
        } else {
            0.0
        };
        if latency_s.is_finite() {
            self.weighted_latency_s += latency_s * record.served;
            self.weighted_requests += record.served;
        } else {
            self.overloaded_steps += 1;
        }
        let lost_fraction = if record.demand > 0.0 {
            record.unserved / record.demand
        } else {
            0.0
        };
        let too_slow = self.slo.latency_s.is_some_and(|limit| latency_s > limit);
        let too_lossy = self
            .slo
            .max_unserved_fraction
            .is_some_and(|limit| lost_fraction > limit);
        if too_slow || too_lossy {
            self.slo_violation_steps += 1;
            self.slo_violation_s += record.step_s;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TargetTrackingScalingPolicyConfiguration;
    use crate::{Demand, FleetConfig, ScalableTarget, Simulation, TargetTracking};

    #[test]
    fn in_flight_is_littles_law_when_stable_and_every_server_plus_the_backlog_when_not() {
        // Two instances of 60 requests a minute at 2 s each: floor(2 × 60 × 2 / 60) = 4
        // servers of rate 1/2. λ = 1/s (60 in a 60 s step) makes a = λS = 2, ρ = 0.5; Erlang C
        // C(4, 2) = (2^4/4! × 4/(4 − 2)) / (1 + 2 + 2 + 4/3 + 4/3) = (4/3) / (23/3) = 4/23, so
        // W = C × S / (c − a) + S = (4/23) × 2 / 2 + 2 = 50/23 s and L = λW = 50/23.
        let model = FluidLatency {
            service_time_s: 2.0,
            capacity_per_instance_per_min: 60.0,
        };
        let in_flight = model.in_flight(2, 60.0, 60.0, 0.0);
        assert!((in_flight - 50.0 / 23.0).abs() < 1e-12, "{in_flight}");
        assert!((model.response_s(2, 60.0, 60.0, 0.0) - 50.0 / 23.0).abs() < 1e-12);
        // λ = 3/s makes a = 6 ≥ 4: all 4 servers busy, and a backlog of 30 waits.
        assert_eq!(model.in_flight(2, 180.0, 60.0, 30.0), 34.0);
        // What the served requests saw stays finite: S plus the backlog's wait at the drain
        // rate of 2 × 60 / 60 = 2 a second, 2 + 30 / 2 = 17 s; without a backlog, S.
        assert_eq!(model.response_s(2, 180.0, 60.0, 30.0), f64::INFINITY);
        assert_eq!(model.observed_s(2, 180.0, 60.0, 30.0), 17.0);
        assert_eq!(model.observed_s(2, 180.0, 60.0, 0.0), 2.0);
        assert!((model.observed_s(2, 60.0, 60.0, 0.0) - 50.0 / 23.0).abs() < 1e-12);
    }

    /// One policy held at `instances` (MinCapacity = MaxCapacity), run over `demand`.
    fn run(instances: u32, demand: Vec<f64>, slo: ServiceLevelObjective) -> ServiceLevel {
        let policy = TargetTracking::new(
            ScalableTarget::new(instances, instances).unwrap(),
            TargetTrackingScalingPolicyConfiguration::new(1.0, 300, 300, false).unwrap(),
            60,
        )
        .unwrap();
        let demand = Demand::per_step(60, demand).unwrap();
        let fleet = FleetConfig {
            capacity_per_instance_per_min: 120.0,
            initial_instances: instances,
            provisioning_s: 0,
        };
        let mut simulation = Simulation::builder(fleet)
            .autoscaler(policy)
            .demand(&demand)
            .build()
            .unwrap();
        // Service time 1 s at 120 a minute: each instance is 2 servers of rate 1/s.
        let mut sink = ServiceLevelSink::new(1.0, 120.0, slo).unwrap();
        simulation.run(&mut sink);
        sink.service_level()
    }

    #[test]
    fn latency_is_the_erlang_c_response_time_of_the_step() {
        // 1 instance = c 2 servers; 60 a minute = λ 1/s, a = 1: C(2, 1) = 1/3, W_q = C·S/(c − a)
        // = 1/3 s, W = 4/3 s in every step.
        let none = ServiceLevelObjective {
            latency_s: None,
            max_unserved_fraction: None,
        };
        let level = run(1, vec![60.0; 5], none);
        assert!((level.latency_mean_s - 4.0 / 3.0).abs() < 1e-12);
        assert_eq!(level.overloaded_steps, 0);
    }

    #[test]
    fn steps_over_the_latency_objective_or_losing_requests_break_the_slo() {
        // Minutes of 60 (W = 4/3 s), 110 (a = 11/6 of c = 2: Erlang B 0.372, C(2, 11/6) ≈
        // 0.877, W_q = C·S/(c − a) ≈ 5.3 s, W ≈ 6.3 s) and 180 (a = 3 ≥ 2: overloaded, 60 lost).
        let slo = ServiceLevelObjective {
            latency_s: Some(2.0),
            max_unserved_fraction: Some(0.01),
        };
        let level = run(1, vec![60.0, 110.0, 180.0], slo);
        assert_eq!((level.slo_violation_steps, level.slo_violation_s), (2, 120));
        assert_eq!(level.overloaded_steps, 1);
    }

    #[test]
    fn invalid_settings_name_their_field() {
        let none = ServiceLevelObjective {
            latency_s: None,
            max_unserved_fraction: None,
        };
        let err = ServiceLevelSink::new(0.0, 60.0, none).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("service.service_time_s: must be")
        );
        let bad = ServiceLevelObjective {
            latency_s: Some(-1.0),
            max_unserved_fraction: None,
        };
        assert!(
            ServiceLevelSink::new(1.0, 60.0, bad)
                .unwrap_err()
                .to_string()
                .starts_with("slo.latency_s")
        );
    }
}
