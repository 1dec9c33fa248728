//! A recorder sink and a one-call runner shared by the tests.

use scalesim_core::{
    Autoscaler, Demand, FleetConfig, ScalableTarget, ScalingEvent, Simulation, SimulationBuilder,
    Sink, StepRecord, TargetTracking, TargetTrackingScalingPolicyConfiguration,
};

/// Keeps every record and event of a run.
#[derive(Debug, Default)]
pub(crate) struct Recorder {
    pub(crate) records: Vec<StepRecord>,
    pub(crate) events: Vec<ScalingEvent>,
}

impl Sink for Recorder {
    fn on_step(&mut self, record: &StepRecord) {
        self.records.push(*record);
    }

    fn on_scaling(&mut self, event: &ScalingEvent) {
        self.events.push(*event);
    }
}

impl Recorder {
    /// Builds the simulation `builder` describes and records its whole run.
    pub(crate) fn run<A: Autoscaler>(builder: SimulationBuilder<'_, A>) -> Self {
        let mut simulation = builder.build().unwrap();
        let mut recorder = Self::default();
        simulation.run(&mut recorder);
        recorder
    }

    pub(crate) fn desired(&self) -> Vec<u32> {
        self.records.iter().map(|r| r.desired).collect()
    }

    pub(crate) fn in_service(&self) -> Vec<u32> {
        self.records.iter().map(|r| r.in_service).collect()
    }
}

/// An AWS target-tracking setup; fields default to the spec's first check by hand.
#[derive(Debug, Clone)]
pub(crate) struct Aws {
    pub(crate) min: u32,
    pub(crate) max: u32,
    pub(crate) target_value: f64,
    pub(crate) scale_out_cooldown_s: u64,
    pub(crate) scale_in_cooldown_s: u64,
    pub(crate) disable_scale_in: bool,
    pub(crate) metric_delay_s: u64,
    pub(crate) capacity_per_instance: f64,
    pub(crate) initial_instances: u32,
    pub(crate) provisioning_s: u64,
    pub(crate) step_s: u64,
}

impl Default for Aws {
    fn default() -> Self {
        Self {
            min: 1,
            max: 8,
            target_value: 70.0,
            scale_out_cooldown_s: 300,
            scale_in_cooldown_s: 300,
            disable_scale_in: false,
            metric_delay_s: 0,
            capacity_per_instance: 1000.0,
            initial_instances: 1,
            provisioning_s: 0,
            step_s: 60,
        }
    }
}

impl Aws {
    pub(crate) fn policy(&self) -> TargetTracking {
        TargetTracking::new(
            ScalableTarget::new(self.min, self.max).unwrap(),
            TargetTrackingScalingPolicyConfiguration::new(
                self.target_value,
                self.scale_out_cooldown_s,
                self.scale_in_cooldown_s,
                self.disable_scale_in,
            )
            .unwrap(),
            self.metric_delay_s,
        )
        .unwrap()
    }

    pub(crate) fn run(&self, demand_per_step: &[f64]) -> Recorder {
        let demand = Demand::per_step(self.step_s, demand_per_step.to_vec()).unwrap();
        let fleet = FleetConfig {
            capacity_per_instance_per_min: self.capacity_per_instance,
            initial_instances: self.initial_instances,
            provisioning_s: self.provisioning_s,
        };
        Recorder::run(
            Simulation::builder(fleet)
                .autoscaler(self.policy())
                .demand(&demand),
        )
    }
}

/// `count` copies of `value`, followed by the rest: a piecewise-constant demand.
pub(crate) fn piecewise(pieces: &[(usize, f64)]) -> Vec<f64> {
    pieces
        .iter()
        .flat_map(|&(count, value)| std::iter::repeat_n(value, count))
        .collect()
}

/// A per-minute series of `len` values: `initial`, then each `(from, value)` from its minute on.
pub(crate) fn runs(len: usize, changes: &[(usize, u32)], initial: u32) -> Vec<u32> {
    let mut out = vec![initial; len];
    for &(from, value) in changes {
        for slot in &mut out[from..] {
            *slot = value;
        }
    }
    out
}
