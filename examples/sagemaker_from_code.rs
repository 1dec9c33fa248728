//! Example: build and run a SageMaker target-tracking scenario from Rust code.
//!
//! This example demonstrates:
//! - building a policy from RegisterScalableTarget and TargetTrackingScalingPolicyConfiguration
//!   values in code, without any file;
//! - replaying a demand series through [`Simulation`] with two sinks at once: the summary
//!   accumulator and a sink of our own that keeps the scaling events;
//! - asserting what spec/aws-target-tracking.md predicts by hand.
//!
//! ```text
//!  demand/min   700 ×10 ──────┐ 100 ×20 ───────────────┐
//!  desired      1 1 8 … 8 (end of minute 2)  … 2 (end of minute 24)
//! ```

use scalesim_core::{
    Demand, FleetConfig, ScalableTarget, ScalingEvent, Simulation, Sink, StepRecord, SummarySink,
    TargetTracking, TargetTrackingScalingPolicyConfiguration,
};

/// Keeps every scaling event, to print and check them.
#[derive(Debug, Default)]
struct Events(Vec<ScalingEvent>);

impl Sink for Events {
    fn on_step(&mut self, _: &StepRecord) {}

    fn on_scaling(&mut self, event: &ScalingEvent) {
        self.0.push(*event);
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // 700 invocations a minute for 10 minutes, then 100 a minute for 20.
    let mut per_minute = vec![700.0; 10];
    per_minute.extend([100.0; 20]);
    let demand = Demand::per_step(60, per_minute)?;

    let policy = TargetTracking::new(
        ScalableTarget::new(1, 8)?,
        TargetTrackingScalingPolicyConfiguration::new(70.0, 300, 300, false)?,
        0, // metric_delay_s: the alarms see each minute's datapoint at its end
    )?;
    let fleet = FleetConfig {
        capacity_per_instance_per_min: 1000.0,
        initial_instances: 1,
        provisioning_s: 0,
    };
    let mut simulation = Simulation::builder(fleet)
        .autoscaler(policy)
        .demand(&demand)
        .build()?;
    let mut sinks = (SummarySink::new(), Events::default());
    simulation.run(&mut sinks);
    let (summary, Events(events)) = sinks;

    for event in &events {
        println!(
            "t = {:>5} s: {} -> {}: {}",
            event.t_s, event.from, event.to, event.reason
        );
    }
    let summary = summary.summary().ok_or("the run has no step")?;
    println!("{:.2} instance-hours", summary.instance_hours());

    // AlarmHigh at the end of minute 2 (ceil(700/70) = 10, clamped to 8); AlarmLow after the 15
    // datapoints of minutes 10..=24 (ceil(100/70) = 2).
    let changes: Vec<(u64, u32, u32)> = events.iter().map(|e| (e.t_s, e.from, e.to)).collect();
    assert_eq!(changes, [(180, 1, 8), (1500, 8, 2)]);
    // 3 minutes on 1 instance, 22 on 8, 5 on 2.
    assert_eq!(summary.instance_seconds, (3 + 22 * 8 + 5 * 2) * 60);
    Ok(())
}
