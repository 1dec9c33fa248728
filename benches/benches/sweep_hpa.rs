//! Benchmarks of a Kubernetes HPA sweep: 960 HorizontalPodAutoscaler specs over 30 days of the
//! shipped NASA trace in 15 s steps (172,800 syncs each), through the general engine and
//! through the sweep kernel, on 2 threads.

// A bench whose fixed inputs fail to load has nothing to measure: stopping loudly is right.
#![allow(clippy::expect_used)]
// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use scalesim_benches::{SweepBenches, engine_instance_seconds, nasa_30_days_in_steps_of};
use scalesim_core::{
    CapacityBounds, FleetConfig, HorizontalPodAutoscaler, HorizontalPodAutoscalerSpec, HpaMetric,
    HpaScalingPolicy, HpaScalingRules, MetricTarget, PolicyKind, hpa_summary,
};

const STEP_S: u64 = 15;
const POLICIES: usize = 960;
const THREADS: usize = 2;

/// 960 specs: 4 CPU targets × 4 minReplicas × 3 scale-down windows × 5 scale-down Percent
/// policies × 4 tolerances, the other settings the v2 defaults, maxReplicas 20.
fn policies() -> Vec<(u32, HorizontalPodAutoscaler)> {
    let mut policies = Vec::with_capacity(POLICIES);
    for target in [50, 60, 70, 80] {
        for min in 1..=4 {
            for window_s in [0, 300, 900] {
                for percent in [10, 25, 50, 75, 100] {
                    for tolerance in [0.0, 0.05, 0.1, 0.2] {
                        let scale_down = HpaScalingRules {
                            stabilization_window_s: window_s,
                            policies: vec![HpaScalingPolicy {
                                kind: PolicyKind::Percent,
                                value: percent,
                                period_s: 15,
                            }],
                            ..HpaScalingRules::default_scale_down()
                        };
                        let spec = HorizontalPodAutoscalerSpec {
                            replicas: CapacityBounds::new(min, 20).expect("valid bounds"),
                            metrics: vec![HpaMetric::ResourceCpu(MetricTarget::Utilization(
                                target,
                            ))],
                            scale_up: HpaScalingRules::default_scale_up(),
                            scale_down,
                        };
                        let hpa = HorizontalPodAutoscaler::new(spec, STEP_S, tolerance, 1000)
                            .expect("valid HPA");
                        policies.push((min, hpa));
                    }
                }
            }
        }
    }
    policies
}

fn sweep_hpa(c: &mut Criterion) {
    let demand = nasa_30_days_in_steps_of(STEP_S);
    let policies = policies();
    // Each run starts at its own minReplicas, as the sweep scenario's do.
    let fleet = |min: u32| FleetConfig {
        capacity_per_instance_per_min: 60.0,
        initial_instances: min,
        provisioning_s: 300,
    };
    let steps = demand.as_slice().len() as u64;
    let mut group = SweepBenches::new(c, "sweep_hpa", POLICIES, steps, Some(THREADS));
    group.each_run(
        "engine_960_policies_172800_steps_2_threads",
        &policies,
        |(min, hpa)| engine_instance_seconds(fleet(*min), hpa.clone(), &demand, None),
    );
    group.each_run(
        "kernel_960_policies_172800_steps_2_threads",
        &policies,
        |(min, hpa)| {
            hpa_summary(black_box(&demand), fleet(*min), hpa).map_or(0, |s| s.instance_seconds)
        },
    );
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default();
    targets = sweep_hpa
}
criterion_main!(benches);
