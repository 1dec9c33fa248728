//! Benchmarks of a policy sweep: 1,000 AWS target-tracking runs, no two alike, over 30 days of
//! per-minute traffic (the first 43,200 minutes of the shipped NASA trace), through the general
//! engine and through the sweep kernel, and beside them the floor: a loop that only computes
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

/// 1,000 runs: 10 targets × 4 scale-in cooldowns × 5 provisioning times × 5 minimums, every one
/// reading something the others do not (a scale-out cooldown would not do: under this model it
/// never blocks a scale-out, and the kernel computes runs that read the same once).
fn runs() -> Vec<(FleetConfig, TargetTracking)> {
    let mut runs = Vec::with_capacity(POLICIES);
    for target in [15.0, 20.0, 25.0, 30.0, 35.0, 40.0, 45.0, 50.0, 55.0, 60.0] {
        for scale_in in [0, 300, 600, 1800] {
            for provisioning_s in [0, 60, 120, 300, 600] {
                for min in 1..=5 {
                    let fleet = FleetConfig {
                        capacity_per_instance_per_min: 60.0,
                        initial_instances: 1,
                        provisioning_s,
                    };
                    let policy = TargetTracking::new(
                        ScalableTarget::new(min, 10).expect("valid bounds"),
                        TargetTrackingScalingPolicyConfiguration::new(target, 300, scale_in, false)
                            .expect("valid policy"),
                        60,
                    )
                    .expect("valid delay");
                    runs.push((fleet, policy));
                }
            }
        }
    }
    runs
}

fn sweep(c: &mut Criterion) {
    let demand = nasa_30_days();
    let runs = runs();
    let mut group = SweepBenches::new(c, "sweep", POLICIES, MINUTES, None);
    group.each_run(
        "engine_1000_policies_43200_minutes",
        &runs,
        |(fleet, policy)| engine_instance_seconds(*fleet, policy.clone(), &demand, None),
    );
    let borrowed: Vec<(FleetConfig, &TargetTracking)> = runs
        .iter()
        .map(|(fleet, policy)| (*fleet, policy))
        .collect();
    group.chunks(
        "kernel_1000_policies_43200_minutes",
        &borrowed,
        SWEEP_LANES,
        |lanes| {
            target_tracking_summaries(black_box(&demand), KernelService::THROTTLE, lanes)
                .into_iter()
                .map(|figures| figures.map_or(0, |f| f.summary.instance_seconds))
        },
    );
    let targets: Vec<f64> = runs
        .iter()
        .map(|(_, p)| p.policy().target_value())
        .collect();
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
