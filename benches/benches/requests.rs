//! Benchmark of the request-level engine (issue #12): the NASA trace's 3,461,610 requests,
//! placed in their minutes and served one by one (exponential service of mean 1 s, one slot
//! per instance, least-outstanding routing) under one AWS target-tracking policy; the figure
//! is requests a second.

// A bench whose fixed inputs fail to load has nothing to measure: stopping loudly is right.
#![allow(clippy::expect_used)]
// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use scalesim_benches::{nasa_all, nasa_policy};
use scalesim_core::{
    Arrivals, FleetConfig, RequestConfig, Routing, ServiceTime, Simulation, SummarySink,
};

fn nasa_request_by_request(c: &mut Criterion) {
    let demand = nasa_all();
    let requests: f64 = demand.as_slice().iter().sum();
    let fleet = FleetConfig {
        capacity_per_instance_per_min: 60.0,
        initial_instances: 1,
        provisioning_s: 300,
    };
    let config = RequestConfig {
        concurrency_per_instance: 1,
        routing: Routing::LeastOutstanding,
        queue_timeout_s: Some(60.0),
        max_queue: None,
        service_time: ServiceTime::exponential(1.0).expect("valid service time"),
        seed: 1,
        replica: 0,
    };
    let mut group = c.benchmark_group("requests");
    group.sample_size(10);
    group.throughput(Throughput::Elements(requests as u64));
    group.bench_function("nasa_3461610_requests", |b| {
        b.iter(|| {
            let arrivals = Arrivals::Counts {
                bucket_s: 60,
                counts: demand.as_slice(),
            };
            let mut simulation = Simulation::builder(fleet)
                .autoscaler(nasa_policy())
                .demand(black_box(&demand))
                .requests(config.clone(), arrivals)
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
    targets = nasa_request_by_request
}
criterion_main!(benches);
