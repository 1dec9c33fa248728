//! Benchmarks of a Huawei Workspace sweep: 960 scaling policies (session usage thresholds ×
//! max_scaling_amount × single_expansion_count × idle minutes) over the shipped week of session
//! starts (`scenarios/traces/workspace_sessions_nasa_week.csv`, 10,080 minutes) with the shipped
//! scenario's sessions (log-normal, mean 30 min, 10 slots a server, 2 base servers), through
//! the general engine and through the sweep kernel, on two threads.

// A bench whose fixed inputs fail to load has nothing to measure: stopping loudly is right.
#![allow(clippy::expect_used)]
// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use scalesim_benches::{SweepBenches, engine_instance_seconds, shipped_trace};
use scalesim_core::{
    BucketWindow, FleetConfig, ResourceThresholds, SessionConfig, SessionLength, SessionWeights,
    WorkspaceScaling, WorkspaceScalingPolicy, huawei_workspace_summaries,
};

const THREADS: usize = 2;
/// Runs handed to the kernel at a time, as `scalesim sweep` groups them.
const CHUNK: usize = 32;
const MINUTES: u64 = 10_080;

/// 960 policies: 12 session thresholds × 4 maxima × 4 expansion counts × 5 idle times, with the
/// shipped policy's resource thresholds.
fn policies() -> Vec<WorkspaceScaling> {
    let weights = SessionWeights {
        cpu_pct: Some(8.0),
        mem_pct: Some(5.0),
        gpu_mem_pct: Some(4.0),
    };
    let thresholds = ResourceThresholds {
        cpu: Some(85),
        mem: Some(60),
        gpu: Some(55),
    };
    let mut policies = Vec::with_capacity(960);
    for session in [40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90, 95] {
        for max in [5, 10, 15, 20] {
            for single in [1, 2, 3, 4] {
                for idle in [5, 15, 30, 60, 120] {
                    let policy =
                        WorkspaceScalingPolicy::new(true, max, single, session, idle, thresholds)
                            .expect("valid policy");
                    policies.push(
                        WorkspaceScaling::new(policy, weights, 2, 60).expect("valid scaling"),
                    );
                }
            }
        }
    }
    policies
}

fn sweep_huawei(c: &mut Criterion) {
    let path = shipped_trace("workspace_sessions_nasa_week.csv");
    let demand =
        scalesim_runner::read_trace(&path, BucketWindow::ALL, 60).expect("the shipped trace loads");
    let policies = policies();
    let sessions = SessionConfig {
        length: SessionLength::lognormal(1800.0, 1.0).expect("valid lengths"),
        seed: 7,
    };
    let fleet = FleetConfig {
        capacity_per_instance_per_min: 10.0,
        initial_instances: 2,
        provisioning_s: 300,
    };
    let mut group = SweepBenches::new(c, "sweep_huawei", policies.len(), MINUTES, Some(THREADS));
    group.each_run(
        "engine_960_policies_10080_minutes_2_threads",
        &policies,
        |scaling| engine_instance_seconds(fleet, scaling.clone(), &demand, Some(sessions)),
    );
    let runs: Vec<(FleetConfig, &WorkspaceScaling)> =
        policies.iter().map(|scaling| (fleet, scaling)).collect();
    group.chunks(
        "kernel_960_policies_10080_minutes_2_threads",
        &runs,
        CHUNK,
        |chunk| {
            huawei_workspace_summaries(black_box(&demand), sessions, chunk)
                .into_iter()
                .map(|summary| summary.map_or(0, |s| s.instance_seconds))
        },
    );
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default();
    targets = sweep_huawei
}
criterion_main!(benches);
