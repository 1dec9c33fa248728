//! Benchmarks of a policy sweep: 1,000 AWS target-tracking policies over 30 days of per-minute
//! traffic (the first 43,200 minutes of the shipped NASA trace), through the general engine and
//! through the sweep kernel, and beside them the floor: a loop that only computes
//! ceil(demand / target) for every policy and minute, the least work any engine must do.

// A bench whose fixed inputs fail to load has nothing to measure: stopping loudly is right.
#![allow(clippy::expect_used)]
// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use scalesim_benches::{MINUTES, SweepBenches, engine_instance_seconds, nasa_30_days};
use scalesim_core::{
    FleetConfig, KernelService, SWEEP_LANES, ScalableTarget, TargetTracking,
    TargetTrackingScalingPolicyConfiguration, target_tracking_summaries,
};

const POLICIES: usize = 1_000;

/// 1,000 policies: 10 targets × 4 scale-in cooldowns × 5 scale-out cooldowns × 5 minimums.
fn policies() -> Vec<TargetTracking> {
    let mut policies = Vec::with_capacity(POLICIES);
    for target in [15.0, 20.0, 25.0, 30.0, 35.0, 40.0, 45.0, 50.0, 55.0, 60.0] {
        for scale_in in [0, 300, 600, 1800] {
            for scale_out in [0, 60, 120, 300, 600] {
                for min in 1..=5 {
                    policies.push(
                        TargetTracking::new(
                            ScalableTarget::new(min, 10).expect("valid bounds"),
                            TargetTrackingScalingPolicyConfiguration::new(
                                target, scale_out, scale_in, false,
                            )
                            .expect("valid policy"),
                            60,
                        )
                        .expect("valid delay"),
                    );
                }
            }
        }
    }
    policies
}

fn sweep(c: &mut Criterion) {
    let demand = nasa_30_days();
    let policies = policies();
    let fleet = FleetConfig {
        capacity_per_instance_per_min: 60.0,
        initial_instances: 1,
        provisioning_s: 300,
    };
    let mut group = SweepBenches::new(c, "sweep", POLICIES, MINUTES, None);
    group.each_run("engine_1000_policies_43200_minutes", &policies, |policy| {
        engine_instance_seconds(fleet, policy.clone(), &demand, None)
    });
    let runs: Vec<(FleetConfig, &TargetTracking)> =
        policies.iter().map(|policy| (fleet, policy)).collect();
    group.chunks(
        "kernel_1000_policies_43200_minutes",
        &runs,
        SWEEP_LANES,
        |lanes| {
            target_tracking_summaries(black_box(&demand), KernelService::THROTTLE, lanes)
                .into_iter()
                .map(|figures| figures.map_or(0, |f| f.summary.instance_seconds))
        },
    );
    let targets: Vec<f64> = policies.iter().map(|p| p.policy().target_value()).collect();
    group.each_run("floor_1000_policies_43200_minutes", &targets, |&target| {
        black_box(&demand)
            .as_slice()
            .iter()
            .map(|&d| (d / target).ceil())
            .sum::<f64>()
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default();
    targets = sweep
}
criterion_main!(benches);
