//! Benchmarks of the step loop: one AWS target-tracking policy over 30 days of per-minute
//! traffic (the first 43,200 minutes of the NASA trace shipped in `scenarios/traces`).

// A bench whose fixed inputs fail to load has nothing to measure: stopping loudly is right.
#![allow(clippy::expect_used)]
// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use scalesim_benches::{MINUTES, nasa_30_days, nasa_policy};
use scalesim_core::{FleetConfig, Simulation, SummarySink};

fn one_policy_30_days(c: &mut Criterion) {
    let demand = nasa_30_days();
    let fleet = FleetConfig {
        capacity_per_instance_per_min: 60.0,
        initial_instances: 1,
        provisioning_s: 300,
    };
    let mut group = c.benchmark_group("aws_target_tracking");
    group.throughput(Throughput::Elements(MINUTES));
    group.bench_function("one_policy_43200_minutes", |b| {
        b.iter(|| {
            let mut simulation = Simulation::builder(fleet)
                .autoscaler(nasa_policy())
                .demand(black_box(&demand))
                .build()
                .expect("valid simulation");
            let mut summary = SummarySink::new();
            simulation.run(&mut summary);
            black_box(summary.summary())
        });
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default();
    targets = one_policy_30_days
}
criterion_main!(benches);
