//! The SPEC Research Group's elasticity metrics of a run: how closely the instances in service
//! followed the instances the demand needed.
//!
//! Sources: Herbst et al., "Quantifying Cloud Performance and Dependability: Taxonomy, Metric
//! Design, and Emerging Challenges", ACM TOMPECS 3(4), 2018, section on elasticity; Bauer,
//! Herbst, Spinner, Ali-Eldin, Kounev, "Chameleon: A Hybrid, Proactive Auto-Scaling Mechanism on
//! a Level-Playing Field", IEEE TPDS 30(4), 2019, section on metrics; and the metrics' reference
//! implementation in BUNGEE (github.com/NikolasHerbst/BUNGEE,
//! `tools.descartes.bungee/src/tools/descartes/bungee/metric/`). With d_t the demanded and s_t the
//! supplied resource units at sample t, Δt the sample length and T the run length:
//!
//! ```text
//! θ_U [%] = 100/T · Σ_t max(d_t − s_t, 0) / max(d_t, ε) · Δt       under-provisioning accuracy
//! θ_O [%] = 100/T · Σ_t max(s_t − d_t, 0) / max(d_t, ε) · Δt       over-provisioning accuracy
//! τ_U [%] = 100/T · Σ_t max(sgn(d_t − s_t), 0) · Δt                under-provisioning timeshare
//! τ_O [%] = 100/T · Σ_t max(sgn(s_t − d_t), 0) · Δt                over-provisioning timeshare
//! υ   [%] = 100/(T − 1) · Σ_{t≥2} min(|sgn Δs_t − sgn Δd_t|, 1) · Δt   instability
//! j   [#/h] = (E_S − E_D) / T                                      jitter
//! ```
//!
//! with Δs_t = s_t − s_{t−1}, Δd_t = d_t − d_{t−1}, and E_S, E_D the adaptations of supply and
//! demand. How scalesim fills them in:
//!
//! - d_t = ceil(demand per minute / capacity_per_instance_per_min), the instances the step's
//!   arrivals needed; 0 for a step without demand. It is computed as ceil(arrivals / (capacity ×
//!   step_s/60)), the same ratio, with the divisor the fleet uses for one instance's share of a
//!   step.
//! - s_t = the step's `in_service`: instances still launching are not supply, so provisioning
//!   time shows up as under-provisioning, as it does for BUNGEE, which measures running VMs.
//! - Δt = `step_s`, and T = the sum of the steps' lengths.
//! - Steps without demand: the accuracies divide by max(d_t, ε) with ε = 1, the value Bauer et al.
//!   chose for ε > 0. As d_t is a whole number of instances this changes nothing unless d_t = 0,
//!   where under-provisioning is 0 and each idle instance counts as 100 % over-provisioning.
//! - Instability looks at pairs of consecutive steps; its "T − 1" is the time those n − 1 pairs
//!   cover, (n − 1) × step_s. |sgn Δs − sgn Δd| is at least 1 exactly when the two signs differ,
//!   so a step counts when supply and demand did not move the same way, including one moving while
//!   the other stays.
//! - Jitter counts adaptations per instance, as BUNGEE does (`AbstractScaleEvents` adds the size
//!   of every change): E_S = Σ|Δs_t| and E_D = Σ|Δd_t|. It is given per hour of simulated time
//!   (BUNGEE reports per minute). Positive: the supply changed more often than the demand
//!   (oscillation); negative: it followed too few of the demand's changes.
//!
//! BUNGEE's code predates the published form in two places (its accuracies are absolute areas
//! and its instability counts one direction only); this module follows the 2018/2019 papers.
//! The figures are meant for request workloads; for sessions, `capacity_per_instance_per_min` is
//! slots and the demand is session starts, so d_t is not the instances the sessions occupied.

use std::cmp::Ordering;

use crate::sim::{Sink, StepRecord};

/// ε of Bauer et al. (2019): the floor of the demand the accuracies divide by.
const DEMAND_FLOOR: f64 = 1.0;

/// The SPEC RG elasticity metrics of a run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Elasticity {
    /// θ_U: instances missing, as a percentage of the instances demanded, averaged over time.
    pub under_accuracy_pct: f64,
    /// θ_O: instances in excess, as a percentage of the instances demanded (at least 1),
    /// averaged over time; can exceed 100.
    pub over_accuracy_pct: f64,
    /// τ_U: percentage of time with fewer instances in service than demanded.
    pub under_timeshare_pct: f64,
    /// τ_O: percentage of time with more instances in service than demanded.
    pub over_timeshare_pct: f64,
    /// υ: percentage of the time between consecutive steps in which supply and demand did not
    /// move in the same direction.
    pub instability_pct: f64,
    /// j: instance adaptations of the supply minus those of the demand, per simulated hour.
    pub jitter_per_hour: f64,
}

/// Accumulates them from step records; allocation-free per step.
#[derive(Debug, Clone)]
pub struct ElasticitySink {
    capacity_per_instance_per_min: f64,
    steps: u64,
    duration_s: u64,
    /// Σ max(d − s, 0) / max(d, ε) · Δt.
    under_accuracy_s: f64,
    /// Σ max(s − d, 0) / max(d, ε) · Δt.
    over_accuracy_s: f64,
    under_s: u64,
    over_s: u64,
    /// Time of the steps that follow another step: the pairs instability looks at.
    paired_s: u64,
    unstable_s: u64,
    /// E_S = Σ |Δs|.
    supply_adaptations: u64,
    /// E_D = Σ |Δd|; whole numbers, kept as f64 because d comes from a ceil of a float.
    demand_adaptations: f64,
    /// d and s of the step before.
    previous: Option<(f64, u32)>,
}

impl ElasticitySink {
    /// `capacity_per_instance_per_min`: requests one instance serves per minute (> 0).
    ///
    /// Pass the fleet's validated capacity (building a simulation rejects anything but a finite
    /// value above 0); with another value the demanded instances are not defined.
    pub fn new(capacity_per_instance_per_min: f64) -> Self {
        debug_assert!(
            capacity_per_instance_per_min.is_finite() && capacity_per_instance_per_min > 0.0,
            "capacity_per_instance_per_min must be finite and > 0, got {capacity_per_instance_per_min}"
        );
        Self {
            capacity_per_instance_per_min,
            steps: 0,
            duration_s: 0,
            under_accuracy_s: 0.0,
            over_accuracy_s: 0.0,
            under_s: 0,
            over_s: 0,
            paired_s: 0,
            unstable_s: 0,
            supply_adaptations: 0,
            demand_adaptations: 0.0,
            previous: None,
        }
    }

    /// The metrics so far; None before two steps (instability needs a pair).
    pub fn elasticity(&self) -> Option<Elasticity> {
        if self.steps < 2 || self.duration_s == 0 || self.paired_s == 0 {
            return None;
        }
        let duration_s = self.duration_s as f64;
        Some(Elasticity {
            under_accuracy_pct: 100.0 * self.under_accuracy_s / duration_s,
            over_accuracy_pct: 100.0 * self.over_accuracy_s / duration_s,
            under_timeshare_pct: 100.0 * self.under_s as f64 / duration_s,
            over_timeshare_pct: 100.0 * self.over_s as f64 / duration_s,
            instability_pct: 100.0 * self.unstable_s as f64 / self.paired_s as f64,
            jitter_per_hour: (self.supply_adaptations as f64 - self.demand_adaptations) * 3600.0
                / duration_s,
        })
    }

    /// d_t: the instances `arrivals` in a step of `step_s` seconds needed.
    fn demanded_instances(&self, step_s: u64, arrivals: f64) -> f64 {
        // A NaN counts as no demand rather than poisoning every sum after it.
        if arrivals.is_nan() || arrivals <= 0.0 {
            return 0.0;
        }
        let per_instance = self.capacity_per_instance_per_min * step_s as f64 / 60.0;
        (arrivals / per_instance).ceil()
    }

    /// One step's contribution; `on_step` hands over the record's fields.
    fn observe(&mut self, step_s: u64, arrivals: f64, in_service: u32) {
        let demanded = self.demanded_instances(step_s, arrivals);
        let supplied = f64::from(in_service);
        let step_len = step_s as f64;
        let floor = demanded.max(DEMAND_FLOOR);
        if demanded > supplied {
            self.under_accuracy_s += (demanded - supplied) / floor * step_len;
            self.under_s += step_s;
        } else if supplied > demanded {
            self.over_accuracy_s += (supplied - demanded) / floor * step_len;
            self.over_s += step_s;
        }
        if let Some((previous_demanded, previous_in_service)) = self.previous {
            self.paired_s += step_s;
            // Directions by comparison, not f64::signum, which gives +1 for a change of 0.
            let demand_moved = demanded
                .partial_cmp(&previous_demanded)
                .unwrap_or(Ordering::Equal);
            let supply_moved = in_service.cmp(&previous_in_service);
            if demand_moved != supply_moved {
                self.unstable_s += step_s;
            }
            self.supply_adaptations += u64::from(in_service.abs_diff(previous_in_service));
            self.demand_adaptations += (demanded - previous_demanded).abs();
        }
        self.previous = Some((demanded, in_service));
        self.steps += 1;
        self.duration_s += step_s;
    }
}

impl Sink for ElasticitySink {
    fn on_step(&mut self, record: &StepRecord) {
        self.observe(record.step_s, record.demand, record.in_service);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::autoscaler::aws::{
        ScalableTarget, TargetTracking, TargetTrackingScalingPolicyConfiguration,
    };
    use crate::demand::Demand;
    use crate::fleet::FleetConfig;
    use crate::sim::Simulation;

    /// Feeds `steps` as (arrivals, in service) of `step_s` each and compares all six figures.
    fn check(capacity_per_min: f64, step_s: u64, steps: &[(f64, u32)], expected: Elasticity) {
        let mut sink = ElasticitySink::new(capacity_per_min);
        for &(arrivals, in_service) in steps {
            sink.observe(step_s, arrivals, in_service);
        }
        let got = sink.elasticity().expect("at least two steps");
        assert_close(got, expected);
    }

    fn assert_close(got: Elasticity, expected: Elasticity) {
        let pairs = [
            ("θ_U", got.under_accuracy_pct, expected.under_accuracy_pct),
            ("θ_O", got.over_accuracy_pct, expected.over_accuracy_pct),
            ("τ_U", got.under_timeshare_pct, expected.under_timeshare_pct),
            ("τ_O", got.over_timeshare_pct, expected.over_timeshare_pct),
            ("υ", got.instability_pct, expected.instability_pct),
            ("j", got.jitter_per_hour, expected.jitter_per_hour),
        ];
        for (name, got, expected) in pairs {
            assert!(
                (got - expected).abs() <= 1e-9 * expected.abs().max(1.0),
                "{name}: got {got}, expected {expected}"
            );
        }
    }

    const ZERO: Elasticity = Elasticity {
        under_accuracy_pct: 0.0,
        over_accuracy_pct: 0.0,
        under_timeshare_pct: 0.0,
        over_timeshare_pct: 0.0,
        instability_pct: 0.0,
        jitter_per_hour: 0.0,
    };

    #[test]
    fn six_minutes_by_hand() {
        // capacity 100 requests/min, steps of 60 s, so d = ceil(arrivals / 100).
        //   step        0    1    2    3    4    5
        //   arrivals  150  250  250    0  100  300
        //   d           2    3    3    0    1    3
        //   s           2    3    4    4    1    2
        //   s − d       0    0   +1   +4    0   −1
        // T = 6 × 60 = 360 s.
        // θ_U = 100/360 × (1/3) × 60 = 100/18 = 5.5̅ %            (step 5: 1 missing of 3)
        // θ_O = 100/360 × (1/3 + 4/max(0, 1)) × 60 = 100 × 13/18 = 72.2̅ %
        //                                       (step 2: 1 extra of 3; step 3: 4 extra of ε = 1)
        // τ_U = 100 × 60/360 = 16.6̅ %  (step 5);  τ_O = 100 × 120/360 = 33.3̅ %  (steps 2, 3)
        // Pairs:  0→1  Δd +1 Δs +1 same;   1→2  Δd 0  Δs +1 differ;   2→3  Δd −3 Δs 0 differ;
        //         3→4  Δd +1 Δs −3 differ; 4→5  Δd +2 Δs +1 same.
        // υ = 100 × 3 × 60 / (5 × 60) = 60 %
        // E_S = 1 + 1 + 0 + 3 + 1 = 6, E_D = 1 + 0 + 3 + 1 + 2 = 7;
        // j = (6 − 7) / (360 s = 0.1 h) = −10 per hour.
        check(
            100.0,
            60,
            &[
                (150.0, 2),
                (250.0, 3),
                (250.0, 4),
                (0.0, 4),
                (100.0, 1),
                (300.0, 2),
            ],
            Elasticity {
                under_accuracy_pct: 100.0 / 18.0,
                over_accuracy_pct: 100.0 * 13.0 / 18.0,
                under_timeshare_pct: 100.0 / 6.0,
                over_timeshare_pct: 100.0 / 3.0,
                instability_pct: 60.0,
                jitter_per_hour: -10.0,
            },
        );
    }

    #[test]
    fn demand_is_converted_per_minute_for_longer_steps() {
        // Steps of 300 s: 500 arrivals are 100/min, d = 1; 1500 are 300/min, d = 3. s = 1, 1.
        // T = 600 s. θ_U = 100/600 × (2/3 × 300) = 33.3̅ %; τ_U = 100 × 300/600 = 50 %.
        // One pair, Δd = +2, Δs = 0: υ = 100 %. E_S = 0, E_D = 2: j = −2 / (600/3600 h) = −12/h.
        check(
            100.0,
            300,
            &[(500.0, 1), (1500.0, 1)],
            Elasticity {
                under_accuracy_pct: 100.0 / 3.0,
                under_timeshare_pct: 50.0,
                instability_pct: 100.0,
                jitter_per_hour: -12.0,
                ..ZERO
            },
        );
    }

    #[test]
    fn oscillating_supply_under_constant_demand_is_jitter() {
        // d = ceil(150/100) = 2 throughout; s = 2, 3, 2, 3. T = 240 s.
        // θ_O = 100/240 × (1/2 + 1/2) × 60 = 25 %; τ_O = 100 × 120/240 = 50 %.
        // Every pair has Δd = 0 and Δs ≠ 0: υ = 100 %. E_S = 3, E_D = 0: j = 3 / (240/3600 h) = 45/h.
        check(
            100.0,
            60,
            &[(150.0, 2), (150.0, 3), (150.0, 2), (150.0, 3)],
            Elasticity {
                over_accuracy_pct: 25.0,
                over_timeshare_pct: 50.0,
                instability_pct: 100.0,
                jitter_per_hour: 45.0,
                ..ZERO
            },
        );
    }

    #[test]
    fn supply_following_demand_step_for_step_is_stable() {
        // d = 1, 3, 2 and s = 1, 3, 2: exact match, both move the same way each time.
        check(100.0, 60, &[(100.0, 1), (201.0, 3), (200.0, 2)], ZERO);
    }

    #[test]
    fn constant_supply_and_demand_are_all_zero() {
        check(100.0, 60, &[(180.0, 2); 5], ZERO);
    }

    #[test]
    fn zero_demand_divides_by_epsilon() {
        // No demand, d = 0, with 2 instances idle: each counts 100 % (2/max(0, 1) = 2 → 200 %).
        // Supply and demand both constant: υ = 0, j = 0.
        check(
            100.0,
            60,
            &[(0.0, 2), (0.0, 2), (0.0, 2)],
            Elasticity {
                over_accuracy_pct: 200.0,
                over_timeshare_pct: 100.0,
                ..ZERO
            },
        );
        // No demand and no instances: nothing to measure, all 0.
        check(100.0, 60, &[(0.0, 0), (0.0, 0)], ZERO);
    }

    #[test]
    fn none_before_two_steps() {
        let mut sink = ElasticitySink::new(100.0);
        assert_eq!(sink.elasticity(), None);
        sink.observe(60, 100.0, 1);
        assert_eq!(sink.elasticity(), None);
        sink.observe(60, 100.0, 1);
        assert_eq!(sink.elasticity(), Some(ZERO));
    }

    /// A run of the engine with the fleet pinned at 2 instances (MinCapacity = MaxCapacity = 2).
    fn pinned_run(capacity_per_min: f64, arrivals_per_min: f64) -> Option<Elasticity> {
        let demand = Demand::per_step(60, vec![arrivals_per_min; 10]).unwrap();
        let policy = TargetTracking::new(
            ScalableTarget::new(2, 2).unwrap(),
            TargetTrackingScalingPolicyConfiguration::new(70.0, 300, 300, false).unwrap(),
            0,
        )
        .unwrap();
        let fleet = FleetConfig {
            capacity_per_instance_per_min: capacity_per_min,
            initial_instances: 2,
            provisioning_s: 0,
        };
        let mut simulation = Simulation::builder(fleet)
            .autoscaler(policy)
            .demand(&demand)
            .build()
            .unwrap();
        let mut sink = ElasticitySink::new(capacity_per_min);
        simulation.run(&mut sink);
        sink.elasticity()
    }

    #[test]
    fn through_the_engine() {
        // 150/min against 100/min per instance: d = 2 = s every minute.
        assert_close(pinned_run(100.0, 150.0).unwrap(), ZERO);
        // 150/min against 50/min per instance: d = 3, s = 2 every minute. θ_U = 100 × 1/3,
        // τ_U = 100 %; nothing moves: υ = 0, j = 0.
        assert_close(
            pinned_run(50.0, 150.0).unwrap(),
            Elasticity {
                under_accuracy_pct: 100.0 / 3.0,
                under_timeshare_pct: 100.0,
                ..ZERO
            },
        );
    }
}
