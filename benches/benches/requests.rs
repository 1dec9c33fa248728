//! Benchmark of the request-level engine (issue #12): the NASA trace's 3,461,610 requests,
//! placed in their minutes and served one by one (exponential service of mean 1 s, one slot
//! per instance, least-outstanding routing) under one AWS target-tracking policy; the figure
//! is requests a second. Then a request-level sweep's group: eight policies over the trace's
//! first three days, each run alone and all stepping together on one drawing of the requests
//! (common random numbers); the figure is requests served a second, summed over the runs.

// A bench whose fixed inputs fail to load has nothing to measure: stopping loudly is right.
#![allow(clippy::expect_used)]
// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use scalesim_benches::{nasa_all, nasa_policy};
use scalesim_core::{
    Arrivals, Demand, FleetConfig, RequestConfig, Routing, ScalableTarget, ServiceTime, Simulation,
    SummarySink, TargetTracking, TargetTrackingScalingPolicyConfiguration, run_sharing_draws,
};

const FLEET: FleetConfig = FleetConfig {
    capacity_per_instance_per_min: 60.0,
    initial_instances: 1,
    provisioning_s: 300,
};

fn request_config() -> RequestConfig {
    RequestConfig {
        concurrency_per_instance: 1,
        routing: Routing::LeastOutstanding,
        queue_timeout_s: Some(60.0),
        max_queue: None,
        service_time: ServiceTime::exponential(1.0).expect("valid service time"),
        seed: 1,
        replica: 0,
    }
}

/// The sweep's eight policies: targets 20, 30, … 90 invocations per instance, else as
/// [`nasa_policy`].
fn sweep_policies() -> Vec<TargetTracking> {
    (2..10)
        .map(|tens| {
            TargetTracking::new(
                ScalableTarget::new(1, 10).expect("valid bounds"),
                TargetTrackingScalingPolicyConfiguration::new(
                    f64::from(tens) * 10.0,
                    300,
                    600,
                    false,
                )
                .expect("valid policy"),
                60,
            )
            .expect("valid controller")
        })
        .collect()
}

fn build<'d>(demand: &'d Demand, policy: TargetTracking) -> Simulation<'d, TargetTracking> {
    let arrivals = Arrivals::Counts {
        bucket_s: 60,
        counts: demand.as_slice(),
    };
    Simulation::builder(FLEET)
        .autoscaler(policy)
        .demand(demand)
        .requests(request_config(), arrivals)
        .build()
        .expect("valid simulation")
}

fn sweep_group_sharing_draws(c: &mut Criterion) {
    let whole = nasa_all();
    let demand = Demand::per_step(60, whole.as_slice()[..3 * 1440].to_vec()).expect("valid demand");
    let requests: f64 = demand.as_slice().iter().sum();
    let policies = sweep_policies();
    let mut group = c.benchmark_group("requests_sweep");
    group.sample_size(10);
    group.throughput(Throughput::Elements(
        requests as u64 * policies.len() as u64,
    ));
    group.bench_function("8_policies_3_days_alone", |b| {
        b.iter(|| {
            for policy in &policies {
                let mut summary = SummarySink::new();
                build(black_box(&demand), policy.clone()).run(&mut summary);
                black_box(summary.summary());
            }
        });
    });
    group.bench_function("8_policies_3_days_sharing_draws", |b| {
        b.iter(|| {
            let mut runs: Vec<_> = policies
                .iter()
                .map(|policy| build(black_box(&demand), policy.clone()))
                .collect();
            let mut sinks: Vec<SummarySink> = policies.iter().map(|_| SummarySink::new()).collect();
            assert!(run_sharing_draws(&mut runs, &mut sinks));
            black_box(sinks.iter().map(SummarySink::summary).count());
        });
    });
    group.finish();
}

fn nasa_request_by_request(c: &mut Criterion) {
    let demand = nasa_all();
    let requests: f64 = demand.as_slice().iter().sum();
    let mut group = c.benchmark_group("requests");
    group.sample_size(10);
    group.throughput(Throughput::Elements(requests as u64));
    group.bench_function("nasa_3461610_requests", |b| {
        b.iter(|| {
            let mut simulation = build(black_box(&demand), nasa_policy());
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
    targets = nasa_request_by_request, sweep_group_sharing_draws
}
criterion_main!(benches);
