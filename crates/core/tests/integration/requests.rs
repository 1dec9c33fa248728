//! The request-level engine against numbers derived by hand and from queueing closed forms
//! (docs/semantics/requests.md).

use proptest::prelude::{Just, ProptestConfig, Strategy, prop, prop_oneof, proptest};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Poisson};
use scalesim_core::{
    Arrivals, Demand, FleetConfig, Outcome, RequestConfig, RequestRecord, RequestSummary,
    RequestTrace, Routing, ScalableTarget, ServiceTime, Simulation, Sink, StepRecord,
    TargetTracking, TargetTrackingScalingPolicyConfiguration,
};

/// Keeps every step, request and the run's figures.
#[derive(Debug, Default)]
struct Requests {
    steps: Vec<StepRecord>,
    requests: Vec<RequestRecord>,
    summary: Option<RequestSummary>,
}

impl Sink for Requests {
    fn on_step(&mut self, record: &StepRecord) {
        self.steps.push(*record);
    }

    fn on_request(&mut self, record: &RequestRecord) {
        self.requests.push(*record);
    }

    fn on_requests_end(&mut self, summary: &RequestSummary) {
        self.summary = Some(*summary);
    }
}

/// A fleet held at `instances` by an AWS policy whose bounds are both `instances`.
fn fixed_fleet(instances: u32) -> TargetTracking {
    TargetTracking::new(
        ScalableTarget::new(instances, instances).unwrap(),
        TargetTrackingScalingPolicyConfiguration::new(100.0, 0, 0, true).unwrap(),
        60,
    )
    .unwrap()
}

fn config(service_time: ServiceTime) -> RequestConfig {
    RequestConfig {
        concurrency_per_instance: 1,
        routing: Routing::LeastOutstanding,
        queue_timeout_s: None,
        max_queue: None,
        service_time,
        seed: 7,
        replica: 0,
    }
}

const FLEET: FleetConfig = FleetConfig {
    capacity_per_instance_per_min: 1.0,
    initial_instances: 1,
    provisioning_s: 0,
};

fn run_trace(trace: &RequestTrace, config: RequestConfig, instances: u32) -> Requests {
    let demand =
        Demand::from_buckets(&trace.per_second(), 1, scalesim_core::BucketWindow::ALL, 60).unwrap();
    let mut simulation = Simulation::builder(FleetConfig {
        initial_instances: instances,
        ..FLEET
    })
    .autoscaler(fixed_fleet(instances))
    .demand(&demand)
    .requests(config, Arrivals::Trace(trace))
    .build()
    .unwrap();
    let mut sink = Requests::default();
    simulation.run(&mut sink);
    sink
}

fn trace_of(arrivals_s: &[f64]) -> RequestTrace {
    let mut trace = RequestTrace::new(Vec::new());
    for &arrival_s in arrivals_s {
        trace.push(arrival_s, &[]).unwrap();
    }
    trace
}

fn s(ns: u64) -> f64 {
    ns as f64 / 1e9
}

/// (arrival, start, end, outcome) of each request, in the order the sink saw them.
fn lives(run: &Requests) -> Vec<(f64, Option<f64>, Option<f64>, Outcome)> {
    run.requests
        .iter()
        .map(|r| {
            (
                s(r.arrival_ns),
                r.start_ns.map(s),
                r.end_ns.map(s),
                r.outcome,
            )
        })
        .collect()
}

#[test]
fn a_few_requests_on_one_instance_start_and_end_when_worked_out_by_hand() {
    // One slot, 2 s each. 0 → [0, 2]; 1 waits for 2 → [2, 4]; 1.5 waits for 4 → [4, 6];
    // 10 finds it idle → [10, 12].
    let run = run_trace(
        &trace_of(&[0.0, 1.0, 1.5, 10.0]),
        config(ServiceTime::fixed(2.0).unwrap()),
        1,
    );
    use Outcome::Completed;
    assert_eq!(
        lives(&run),
        [
            (0.0, Some(0.0), Some(2.0), Completed),
            (1.0, Some(2.0), Some(4.0), Completed),
            (1.5, Some(4.0), Some(6.0), Completed),
            (10.0, Some(10.0), Some(12.0), Completed),
        ]
    );
    let summary = run.summary.unwrap();
    // Latencies 2, 3, 4.5, 2: mean 11.5 / 4; waits 0, 1, 2.5, 0: mean 0.875.
    assert_eq!(summary.latency_mean_s, Some(11.5 / 4.0));
    assert_eq!(summary.wait_mean_s, Some(0.875));
    assert_eq!(summary.latency_max_s, Some(4.5));
    // Nearest rank: the 2nd of (2, 2, 3, 4.5) is the median; 2 s lies on an HDR bucket edge.
    assert!((summary.latency_p50_s.unwrap() - 2.0).abs() <= 2.0 * 1e-3);
    assert_eq!(summary.latency_p99_s, Some(4.5));
    // One step of 60 s: 4 arrivals, 4 completions, 11.5 request-seconds in flight, 8 busy.
    let step = run.steps[0].requests.unwrap();
    assert_eq!((step.arrivals, step.completed, step.failed), (4, 4, 0));
    assert!((step.in_flight.step - 11.5 / 60.0).abs() < 1e-12);
    assert_eq!(step.busy_slot_s, 8.0);
    assert_eq!(step.slot_s, 60.0);
}

#[test]
fn a_timeout_fails_a_request_at_its_deadline_and_a_full_queue_rejects() {
    // Timeout 2 s: the request of 1.5 would start at 4, a wait of 2.5: it fails at 3.5,
    // before the request of 1 (a wait of 1 s) completes at 4. Then 10 is served at once.
    let mut timed = config(ServiceTime::fixed(2.0).unwrap());
    timed.queue_timeout_s = Some(2.0);
    let run = run_trace(&trace_of(&[0.0, 1.0, 1.5, 10.0]), timed, 1);
    use Outcome::{Completed, Rejected, TimedOut};
    assert_eq!(
        lives(&run),
        [
            (0.0, Some(0.0), Some(2.0), Completed),
            (1.5, None, Some(3.5), TimedOut),
            (1.0, Some(2.0), Some(4.0), Completed),
            (10.0, Some(10.0), Some(12.0), Completed),
        ]
    );
    let summary = run.summary.unwrap();
    assert_eq!((summary.failed, summary.timed_out), (1, 1));
    // A wait of exactly the timeout is served: arrival 0.5 waits until 2.0 with timeout 1.5.
    let mut edge = config(ServiceTime::fixed(2.0).unwrap());
    edge.queue_timeout_s = Some(1.5);
    let run = run_trace(&trace_of(&[0.0, 0.5]), edge, 1);
    assert_eq!(lives(&run)[1], (0.5, Some(2.0), Some(4.0), Completed));
    // A queue of one: the request of 1.5 finds 1 waiting and is rejected at once, the first
    // request whose fate is known.
    let mut bounded = config(ServiceTime::fixed(2.0).unwrap());
    bounded.max_queue = Some(1);
    let run = run_trace(&trace_of(&[0.0, 1.0, 1.5]), bounded, 1);
    assert_eq!(lives(&run)[0], (1.5, None, Some(1.5), Rejected));
    assert_eq!(run.summary.unwrap().rejected, 1);
}

#[test]
fn requests_in_flight_at_the_end_are_counted_not_lost() {
    // The trace spans one 60 s step; a request of 59 s lasting 2 s is still running at 60.
    let run = run_trace(
        &trace_of(&[59.0]),
        config(ServiceTime::fixed(2.0).unwrap()),
        1,
    );
    let summary = run.summary.unwrap();
    assert_eq!(
        (summary.arrivals, summary.completed, summary.in_flight_end),
        (1, 0, 1)
    );
    assert_eq!(run.requests[0].outcome, Outcome::InFlight);
    assert_eq!(summary.latency_p99_s, None);
}

#[test]
fn a_linear_model_times_each_request_by_its_own_tokens() {
    // 0.1 s + 1 ms per input token + 20 ms per output token: (100, 10) → 0.4 s; (0, 50) → 1.1 s.
    let mut trace = RequestTrace::new(vec!["input_tokens".into(), "output_tokens".into()]);
    trace.push(0.0, &[100.0, 10.0]).unwrap();
    trace.push(5.0, &[0.0, 50.0]).unwrap();
    let model = ServiceTime::linear(
        0.1,
        vec![
            ("input_tokens".into(), 0.001),
            ("output_tokens".into(), 0.02),
        ],
    )
    .unwrap();
    let run = run_trace(&trace, config(model), 1);
    let ends: Vec<f64> = run.requests.iter().map(|r| s(r.end_ns.unwrap())).collect();
    assert_eq!(ends, [0.4, 6.1]);
}

/// Poisson counts of mean `per_s` in each of `seconds` one-second buckets.
fn poisson_counts(per_s: f64, seconds: usize, seed: u64) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let poisson = Poisson::new(per_s).unwrap();
    (0..seconds).map(|_| poisson.sample(&mut rng)).collect()
}

fn run_counts(counts: &[f64], config: RequestConfig, instances: u32) -> Requests {
    let demand = Demand::from_buckets(
        &counts
            .iter()
            .enumerate()
            .map(|(index, &count)| scalesim_core::Bucket {
                index: index as u64,
                count,
            })
            .collect::<Vec<_>>(),
        1,
        scalesim_core::BucketWindow::ALL,
        60,
    )
    .unwrap();
    let mut simulation = Simulation::builder(FleetConfig {
        initial_instances: instances,
        ..FLEET
    })
    .autoscaler(fixed_fleet(instances))
    .demand(&demand)
    .requests(
        config,
        Arrivals::Counts {
            bucket_s: 1,
            counts,
        },
    )
    .build()
    .unwrap();
    let mut sink = Requests::default();
    simulation.run(&mut sink);
    sink
}

#[test]
fn m_m_c_waits_agree_with_erlang_c() {
    // c = 4, λ = 3/s, exponential service of mean 1 s: a = 3. Σ_{k<4} a^k/k! = 1 + 3 + 4.5 +
    // 4.5 = 13; a^4/4! × c/(c − a) = 3.375 × 4 = 13.5; C = 13.5 / 26.5 = 0.50943.
    // Mean wait C / (cμ − λ) = 0.50943 s.
    let counts = poisson_counts(3.0, 100_000, 1);
    let run = run_counts(&counts, config(ServiceTime::exponential(1.0).unwrap()), 4);
    let erlang_c = 13.5 / 26.5;
    let summary = run.summary.unwrap();
    let wait = summary.wait_mean_s.unwrap();
    assert!(
        (wait - erlang_c).abs() < 0.05 * erlang_c,
        "mean wait {wait} against Erlang C {erlang_c}"
    );
    let completed: Vec<&RequestRecord> = run
        .requests
        .iter()
        .filter(|r| r.outcome == Outcome::Completed)
        .collect();
    let waited = completed
        .iter()
        .filter(|r| r.start_ns > Some(r.arrival_ns))
        .count() as f64
        / completed.len() as f64;
    assert!(
        (waited - erlang_c).abs() < 0.02,
        "P(wait) {waited} against Erlang C {erlang_c}"
    );
}

#[test]
fn m_d_1_waits_agree_with_pollaczek_khinchine() {
    // λ = 0.8/s, fixed service 1 s: ρ = 0.8, W = ρ S / (2 (1 − ρ)) = 2 s.
    let counts = poisson_counts(0.8, 200_000, 2);
    let run = run_counts(&counts, config(ServiceTime::fixed(1.0).unwrap()), 1);
    let wait = run.summary.unwrap().wait_mean_s.unwrap();
    assert!(
        (wait - 2.0).abs() < 0.1,
        "mean wait {wait} against P-K's 2 s"
    );
}

#[test]
fn littles_law_holds_exactly_on_the_sample_path() {
    // ∫ in flight dt = Σ over requests of their time in the system within the run: completed
    // ones their latency, timed-out ones their wait, those left at the end until the end.
    let counts = poisson_counts(5.0, 3_000, 3);
    let mut busy = config(ServiceTime::lognormal(1.0, 1.0).unwrap());
    busy.queue_timeout_s = Some(3.0);
    busy.concurrency_per_instance = 2;
    let run = run_counts(&counts, busy, 2);
    let end_s = run.steps.len() as f64 * 60.0;
    let area: f64 = run
        .steps
        .iter()
        .map(|step| step.requests.unwrap().in_flight.step * 60.0)
        .sum();
    let in_system: f64 = run
        .requests
        .iter()
        .map(|r| r.end_ns.map_or(end_s, s) - s(r.arrival_ns))
        .sum();
    assert!(run.summary.unwrap().timed_out > 0);
    assert!(
        (area - in_system).abs() <= 1e-9 * in_system,
        "area {area} against Σ time in system {in_system}"
    );
}

#[test]
fn deterministic_service_at_the_fluid_capacity_does_the_fluid_models_work() {
    // One slot, 0.5 s each: 120 requests a minute is the fluid capacity. Arrivals every
    // 0.5 s for 10 minutes keep the slot busy all the time: 60 busy slot-seconds in every
    // step, as the fluid model's 120 served of 120; and every request is served (1200, the
    // last one ending exactly at the run's end, so still in flight then).
    let arrivals: Vec<f64> = (0..1200).map(|k| f64::from(k) * 0.5).collect();
    let run = run_trace(
        &trace_of(&arrivals),
        config(ServiceTime::fixed(0.5).unwrap()),
        1,
    );
    assert_eq!(run.steps.len(), 10);
    for step in &run.steps {
        let requests = step.requests.unwrap();
        assert_eq!(requests.busy_slot_s, 60.0);
        assert_eq!(requests.arrivals, 120);
        assert_eq!(step.capacity, 120.0);
    }
    let summary = run.summary.unwrap();
    assert_eq!(summary.wait_mean_s, Some(0.0));
    // The fluid model on the same trace's counts, at 120 a minute per instance, serves all
    // 1,200; the requests are all served too, the last one ending at the run's very end.
    let trace = trace_of(&arrivals);
    let demand =
        Demand::from_buckets(&trace.per_second(), 1, scalesim_core::BucketWindow::ALL, 60).unwrap();
    let mut fluid = Simulation::builder(FleetConfig {
        capacity_per_instance_per_min: 120.0,
        ..FLEET
    })
    .autoscaler(fixed_fleet(1))
    .demand(&demand)
    .build()
    .unwrap();
    let mut fluid_summary = scalesim_core::SummarySink::new();
    fluid.run(&mut fluid_summary);
    let fluid_served = fluid_summary.summary().unwrap().served_total;
    assert_eq!(fluid_served, 1200.0);
    assert_eq!(
        (summary.completed + summary.in_flight_end) as f64,
        fluid_served
    );
    assert_eq!(summary.failed, 0);
}

#[test]
fn counts_are_placed_inside_their_buckets_in_order_and_kept_whole() {
    let counts = [3.0, 0.0, 5.0, 1.0];
    let run = run_counts(&counts, config(ServiceTime::fixed(0.001).unwrap()), 1);
    let mut arrivals: Vec<u64> = run.requests.iter().map(|r| r.arrival_ns).collect();
    let sorted = arrivals.windows(2).all(|pair| pair[0] <= pair[1]);
    arrivals.sort_unstable();
    let per_second: Vec<usize> = (0..4)
        .map(|second| {
            arrivals
                .iter()
                .filter(|&&t| t / 1_000_000_000 == second)
                .count()
        })
        .collect();
    assert!(
        sorted,
        "completion order of instant requests is arrival order"
    );
    assert_eq!(per_second, [3, 0, 5, 1]);
}

#[test]
fn the_same_seed_gives_the_same_requests_and_another_seed_others() {
    let counts = poisson_counts(2.0, 600, 4);
    let once = run_counts(&counts, config(ServiceTime::exponential(0.7).unwrap()), 2);
    let again = run_counts(&counts, config(ServiceTime::exponential(0.7).unwrap()), 2);
    assert_eq!(once.requests, again.requests);
    let mut other = config(ServiceTime::exponential(0.7).unwrap());
    other.seed = 8;
    let other = run_counts(&counts, other, 2);
    assert_ne!(once.requests, other.requests);
}

#[test]
fn the_hpa_reads_cpu_as_busy_slot_time_over_slot_time() {
    // 2 pods of 2 slots, requests every 0.5 s lasting 1 s: least outstanding alternates the
    // pods and 2 of the 4 slots are busy from t = 0.5 on. Step 0 (15 s): 0.5 × 1 + 14.5 × 2 =
    // 29.5 busy slot-seconds of 60: round(1000m × 29.5 / 60) = 492m, U = trunc(49.2) = 49.
    // Later steps: 30 of 60, 500m, U = 50: on target, no scaling.
    use scalesim_core::{
        CapacityBounds, HorizontalPodAutoscaler, HorizontalPodAutoscalerSpec, HpaMetric,
        HpaScalingRules, MetricTarget,
    };
    let spec = HorizontalPodAutoscalerSpec {
        replicas: CapacityBounds::new(1, 10).unwrap(),
        metrics: vec![HpaMetric::ResourceCpu(MetricTarget::Utilization(50))],
        scale_up: HpaScalingRules::default_scale_up(),
        scale_down: HpaScalingRules::default_scale_down(),
    };
    let hpa = HorizontalPodAutoscaler::new(spec, 15, 0.1, 1000).unwrap();
    let arrivals: Vec<f64> = (0..120).map(|k| f64::from(k) * 0.5).collect();
    let trace = trace_of(&arrivals);
    let demand =
        Demand::from_buckets(&trace.per_second(), 1, scalesim_core::BucketWindow::ALL, 15).unwrap();
    let mut requests = config(ServiceTime::fixed(1.0).unwrap());
    requests.concurrency_per_instance = 2;
    let mut simulation = Simulation::builder(FleetConfig {
        initial_instances: 2,
        ..FLEET
    })
    .autoscaler(hpa)
    .demand(&demand)
    .requests(requests, Arrivals::Trace(&trace))
    .build()
    .unwrap();
    let mut sink = Requests::default();
    simulation.run(&mut sink);
    let metrics: Vec<Option<f64>> = sink.steps.iter().map(|step| step.metric).collect();
    assert_eq!(metrics, [Some(49.0), Some(50.0), Some(50.0), Some(50.0)]);
    assert!(sink.steps.iter().all(|step| step.desired == 2));
    let instances: Vec<u32> = sink
        .requests
        .iter()
        .take(4)
        .map(|r| r.instance.unwrap())
        .collect();
    assert_eq!(instances, [0, 1, 0, 1]);
}

#[test]
fn huawei_workspace_runs_on_requests_as_on_sessions_in_the_specs_first_check() {
    // spec/huawei-workspace.md's first check by hand, each session a request: slots 2 (2
    // concurrent requests), base 1, provisioning 120 s, at most 2 added one at a time at 75 %,
    // released after 5 idle minutes; requests of 240 s at 0, 60 and 120 s, no queue, packed.
    // Minute 1: u = 100, add server 1, in service from minute 4. Minute 2: server 0 full,
    // server 1 provisioning: rejected. Server 1 joins idle at 240 and takes nothing (the one
    // session left is on server 0, ending at 300): released at t_e − 240 ≥ 300, t_e = 540.
    use scalesim_core::{
        ResourceThresholds, SessionWeights, WorkspaceScaling, WorkspaceScalingPolicy,
    };
    let policy =
        WorkspaceScalingPolicy::new(true, 2, 1, 75, 5, ResourceThresholds::default()).unwrap();
    let scaling = WorkspaceScaling::new(policy, SessionWeights::default(), 1, 60).unwrap();
    let trace = trace_of(&[0.0, 60.0, 120.0]);
    let demand = Demand::per_step(60, vec![0.0; 11]).unwrap();
    let mut sessions = config(ServiceTime::fixed(240.0).unwrap());
    sessions.concurrency_per_instance = 2;
    sessions.max_queue = Some(0);
    sessions.routing = Routing::Packing;
    let mut simulation = Simulation::builder(FleetConfig {
        provisioning_s: 120,
        ..FLEET
    })
    .autoscaler(scaling)
    .demand(&demand)
    .requests(sessions, Arrivals::Trace(&trace))
    .build()
    .unwrap();
    let mut sink = Requests::default();
    simulation.run(&mut sink);
    let in_service: Vec<u32> = sink.steps.iter().map(|step| step.in_service).collect();
    assert_eq!(in_service, [1, 1, 1, 1, 2, 2, 2, 2, 2, 1, 1]);
    let usage: Vec<Option<f64>> = sink.steps.iter().take(6).map(|step| step.metric).collect();
    assert_eq!(
        usage,
        [
            Some(50.0),
            Some(100.0),
            Some(100.0),
            Some(100.0),
            Some(25.0),
            Some(0.0)
        ]
    );
    let summary = sink.summary.unwrap();
    assert_eq!((summary.completed, summary.rejected), (2, 1));
}

#[test]
fn a_long_quiet_trace_costs_its_events_and_keeps_its_areas_exact() {
    // Two requests of 3 s, 58 days apart, in minute steps: between events the in-flight area
    // is added at once (only the last minute's samples are ever read), and stays exact: 3 s in
    // the first minute and 3 s in the last, [4,999,980, 5,000,040) s, which holds the second.
    let trace = trace_of(&[0.0, 5_000_000.0]);
    let run = run_trace(&trace, config(ServiceTime::fixed(3.0).unwrap()), 1);
    assert_eq!(run.steps.len(), 83_334);
    let areas: Vec<f64> = run
        .steps
        .iter()
        .map(|step| step.requests.unwrap().in_flight.step * 60.0)
        .collect();
    assert_eq!(areas.iter().sum::<f64>(), 6.0);
    assert_eq!((areas[0], areas[83_333]), (3.0, 3.0));
    let last = run.steps[83_333].requests.unwrap();
    assert_eq!(last.in_flight.last_60s, 3.0 / 60.0);
    assert_eq!(last.in_flight.last_10s, 0.0);
}

/// A run of an AWS policy on request-level arrivals, for the shared-draws tests.
#[derive(Debug, Clone)]
struct SharedRun {
    min: u32,
    max: u32,
    target_value: f64,
    scale_in_cooldown_s: u64,
    initial_instances: u32,
    provisioning_s: u64,
    concurrency: u32,
    routing: Routing,
    queue_timeout_s: Option<f64>,
    max_queue: Option<u64>,
}

impl SharedRun {
    fn build<'d>(
        &self,
        demand: &'d Demand,
        arrivals: Arrivals<'d>,
        service_time: &ServiceTime,
        seed: u64,
    ) -> Simulation<'d, TargetTracking> {
        let policy = TargetTracking::new(
            ScalableTarget::new(self.min, self.max).unwrap(),
            TargetTrackingScalingPolicyConfiguration::new(
                self.target_value,
                0,
                self.scale_in_cooldown_s,
                false,
            )
            .unwrap(),
            60,
        )
        .unwrap();
        Simulation::builder(FleetConfig {
            capacity_per_instance_per_min: 1.0,
            initial_instances: self.initial_instances,
            provisioning_s: self.provisioning_s,
        })
        .autoscaler(policy)
        .demand(demand)
        .requests(
            RequestConfig {
                concurrency_per_instance: self.concurrency,
                routing: self.routing,
                queue_timeout_s: self.queue_timeout_s,
                max_queue: self.max_queue,
                service_time: service_time.clone(),
                seed,
                replica: 0,
            },
            arrivals,
        )
        .build()
        .unwrap()
    }
}

/// Each of `runs` alone, then all of them sharing draws: the records must be the same.
fn assert_sharing_changes_nothing(
    runs: &[SharedRun],
    demand: &Demand,
    arrivals: Arrivals<'_>,
    service_time: &ServiceTime,
) {
    let alone: Vec<Requests> = runs
        .iter()
        .map(|run| {
            let mut sink = Requests::default();
            run.build(demand, arrivals, service_time, 7).run(&mut sink);
            sink
        })
        .collect();
    let mut simulations: Vec<_> = runs
        .iter()
        .map(|run| run.build(demand, arrivals, service_time, 7))
        .collect();
    let mut shared: Vec<Requests> = runs.iter().map(|_| Requests::default()).collect();
    assert!(scalesim_core::run_sharing_draws(
        &mut simulations,
        &mut shared
    ));
    for (i, (alone, shared)) in alone.iter().zip(&shared).enumerate() {
        assert_eq!(alone.steps, shared.steps, "run {i}: steps");
        assert_eq!(alone.requests, shared.requests, "run {i}: requests");
        assert_eq!(alone.summary, shared.summary, "run {i}: figures");
    }
}

fn any_shared_run() -> impl Strategy<Value = SharedRun> {
    (
        (1u32..3, 0u32..5, 1.0f64..40.0, 0u64..400),
        (1u32..4, 0u64..4, 1u32..4),
        prop_oneof![
            Just(Routing::LeastOutstanding),
            Just(Routing::Random),
            Just(Routing::Packing)
        ],
        prop::option::of(0.5f64..30.0),
        prop::option::of(0u64..20),
    )
        .prop_map(
            |(
                (min, extra, target_value, scale_in_cooldown_s),
                (initial_instances, provisioning_min, concurrency),
                routing,
                queue_timeout_s,
                max_queue,
            )| SharedRun {
                min,
                max: min + extra,
                target_value,
                scale_in_cooldown_s,
                initial_instances,
                provisioning_s: provisioning_min * 60,
                concurrency,
                routing,
                queue_timeout_s,
                max_queue,
            },
        )
}

fn any_service_time() -> impl Strategy<Value = ServiceTime> {
    prop_oneof![
        (0.05f64..5.0).prop_map(|mean| ServiceTime::fixed(mean).unwrap()),
        (0.05f64..5.0).prop_map(|mean| ServiceTime::exponential(mean).unwrap()),
        (0.05f64..5.0, 0.1f64..2.0)
            .prop_map(|(mean, sigma)| ServiceTime::lognormal(mean, sigma).unwrap()),
    ]
}

fn counts_demand(counts: &[f64], step_s: u64) -> Demand {
    let buckets: Vec<scalesim_core::Bucket> = counts
        .iter()
        .enumerate()
        .map(|(index, &count)| scalesim_core::Bucket {
            index: index as u64,
            count,
        })
        .collect();
    Demand::from_buckets(&buckets, 1, scalesim_core::BucketWindow::ALL, step_s).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Runs stepping together on one drawing of the requests give, record by record, what each
    /// gives alone: random policies, fleets, routing, queues and service times, over counts
    /// placed at random (whole and fractional) in steps of 10 s or a minute.
    #[test]
    fn runs_sharing_draws_give_what_each_gives_alone(
        runs in prop::collection::vec(any_shared_run(), 1..6),
        service_time in any_service_time(),
        counts in prop::collection::vec(
            prop_oneof![0.0f64..12.0, (0u32..25).prop_map(f64::from)],
            60..900,
        ),
        step_s in prop_oneof![Just(10u64), Just(60)],
    ) {
        let demand = counts_demand(&counts, step_s);
        let arrivals = Arrivals::Counts { bucket_s: 1, counts: &counts };
        assert_sharing_changes_nothing(&runs, &demand, arrivals, &service_time);
    }
}

/// A step of 70,000 requests, whose arrivals take two batches: 65,534 a nanosecond apart, then
/// 300 at one instant across the batch's limit of 65,536 (a batch never splits an instant),
/// then the rest. Two fleets of different sizes, so that completions fall at batch edges too.
#[test]
fn a_step_over_several_batches_and_an_instant_across_their_limit_changes_nothing() {
    assert_eq!(scalesim_core::SHARED_BATCH, 65_536);
    let mut times_s: Vec<f64> = (0..65_534).map(|i| 1.0 + i as f64 * 1e-9).collect();
    times_s.extend(std::iter::repeat_n(2.0, 300));
    times_s.extend((0..4_166).map(|i| 3.0 + i as f64 * 1e-3));
    let trace = trace_of(&times_s);
    let demand =
        Demand::from_buckets(&trace.per_second(), 1, scalesim_core::BucketWindow::ALL, 60).unwrap();
    let run = |instances: u32| SharedRun {
        min: instances,
        max: instances + 2,
        target_value: 5.0,
        scale_in_cooldown_s: 0,
        initial_instances: instances,
        provisioning_s: 0,
        concurrency: 100,
        routing: Routing::LeastOutstanding,
        queue_timeout_s: Some(1.5),
        max_queue: None,
    };
    let service = ServiceTime::exponential(0.01).unwrap();
    assert_sharing_changes_nothing(
        &[run(1), run(3)],
        &demand,
        Arrivals::Trace(&trace),
        &service,
    );
    // Counts this large are placed by spacings rather than sorting: the same, at 100,000.
    let counts = [100_000.0, 0.0, 50.0];
    let demand = counts_demand(&counts, 1);
    assert_sharing_changes_nothing(
        &[run(1), run(2)],
        &demand,
        Arrivals::Counts {
            bucket_s: 1,
            counts: &counts,
        },
        &service,
    );
}

/// Runs that would draw other requests (another seed, or other arrivals) do not share: the call
/// says so and runs nothing.
#[test]
fn runs_that_draw_other_requests_do_not_share() {
    let counts = [3.0; 120];
    let other_counts = counts;
    let demand = counts_demand(&counts, 60);
    let service = ServiceTime::exponential(1.0).unwrap();
    let run = SharedRun {
        min: 1,
        max: 3,
        target_value: 30.0,
        scale_in_cooldown_s: 0,
        initial_instances: 1,
        provisioning_s: 0,
        concurrency: 1,
        routing: Routing::LeastOutstanding,
        queue_timeout_s: None,
        max_queue: None,
    };
    let same = Arrivals::Counts {
        bucket_s: 1,
        counts: &counts,
    };
    let other = Arrivals::Counts {
        bucket_s: 1,
        counts: &other_counts,
    };
    let mut sinks = [Requests::default(), Requests::default()];
    let mut by_seed = [
        run.build(&demand, same, &service, 7),
        run.build(&demand, same, &service, 8),
    ];
    assert!(!scalesim_core::run_sharing_draws(&mut by_seed, &mut sinks));
    let mut by_arrivals = [
        run.build(&demand, same, &service, 7),
        run.build(&demand, other, &service, 7),
    ];
    assert!(!scalesim_core::run_sharing_draws(
        &mut by_arrivals,
        &mut sinks
    ));
    assert!(sinks.iter().all(|sink| sink.steps.is_empty()));
}
