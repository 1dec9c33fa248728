//! Shared inputs of the scalesim benchmarks in `benches/`: built from the repository's own
//! files, so that every bench measures the same work.

// A bench whose fixed inputs fail to load has nothing to measure: stopping loudly is right.
#![allow(clippy::expect_used)]

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, Throughput};
use rayon::ThreadPool;
use rayon::prelude::*;
use scalesim_core::{
    Autoscaler, BucketWindow, Demand, FleetConfig, ScalableTarget, SessionConfig, Simulation,
    SummarySink, TargetTracking, TargetTrackingScalingPolicyConfiguration,
};

/// Thirty days of minutes.
pub const MINUTES: u64 = 43_200;

/// The shipped trace `name` in `scenarios/traces/`.
pub fn shipped_trace(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../scenarios/traces")
        .join(name)
}

/// The first 30 days of the shipped NASA trace, per minute.
pub fn nasa_30_days() -> Demand {
    nasa_30_days_in_steps_of(60)
}

/// The first 30 days of the shipped NASA trace in steps of `step_s` (each minute spread evenly
/// over the steps it covers): 172,800 steps of 15 s, the HPA's sync period.
pub fn nasa_30_days_in_steps_of(step_s: u64) -> Demand {
    let window = BucketWindow {
        from_bucket: 0,
        buckets: Some(MINUTES),
    };
    scalesim_runner::read_trace(&shipped_trace(NASA), window, step_s)
        .expect("the shipped NASA trace loads")
}

const NASA: &str = "nasa_http_1995_per_minute.csv";

/// The whole shipped NASA trace (58 days, 3,461,610 requests), per minute.
pub fn nasa_all() -> Demand {
    scalesim_runner::read_trace(&shipped_trace(NASA), BucketWindow::ALL, 60)
        .expect("the shipped NASA trace loads")
}

/// The policy the single-run benches replay: target 40 invocations per instance, 1 to 10
/// instances, cooldowns 300 s out and 600 s in, the default metric delay.
pub fn nasa_policy() -> TargetTracking {
    TargetTracking::new(
        ScalableTarget::new(1, 10).expect("valid bounds"),
        TargetTrackingScalingPolicyConfiguration::new(40.0, 300, 600, false).expect("valid policy"),
        60,
    )
    .expect("valid delay")
}

/// The instance-seconds of the general engine's run of `autoscaler` on `fleet` over `demand`
/// (0 without steps), serving `sessions` when given.
pub fn engine_instance_seconds<A: Autoscaler>(
    fleet: FleetConfig,
    autoscaler: A,
    demand: &Demand,
    sessions: Option<SessionConfig>,
) -> u64 {
    let mut builder = Simulation::builder(fleet)
        .autoscaler(autoscaler)
        .demand(black_box(demand));
    if let Some(sessions) = sessions {
        builder = builder.sessions(sessions);
    }
    let mut simulation = builder.build().expect("valid simulation");
    let mut summary = SummarySink::new();
    simulation.run(&mut summary);
    summary.summary().map_or(0, |s| s.instance_seconds)
}

/// A criterion group of a sweep's benches: ten samples (a sample is a whole sweep), throughput
/// counted in run-steps, the runs on a pool of their own or rayon's global one.
#[allow(
    missing_debug_implementations,
    reason = "criterion's group has no Debug"
)]
pub struct SweepBenches<'a> {
    group: BenchmarkGroup<'a, WallTime>,
    pool: Option<ThreadPool>,
}

impl<'a> SweepBenches<'a> {
    /// The group `name` of sweeps of `runs` runs of `steps` steps each, on `threads` threads
    /// (`None`: rayon's global pool, one a core).
    pub fn new(
        c: &'a mut Criterion,
        name: &str,
        runs: usize,
        steps: u64,
        threads: Option<usize>,
    ) -> Self {
        let mut group = c.benchmark_group(name);
        group.sample_size(10);
        group.throughput(Throughput::Elements(steps * runs as u64));
        let pool = threads.map(|threads| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("a thread pool")
        });
        Self { group, pool }
    }

    /// Benches `name`: every one of `runs` through `run`, in parallel.
    pub fn each_run<T: Sync, R: Send>(
        &mut self,
        name: &str,
        runs: &[T],
        run: impl Fn(&T) -> R + Sync + Send,
    ) {
        let pool = self.pool.as_ref();
        self.group.bench_function(name, |b| {
            b.iter(|| {
                on(pool, || {
                    black_box(runs.par_iter().map(&run).collect::<Vec<R>>())
                })
            });
        });
    }

    /// Benches `name`: `runs` in chunks of `chunk` through `kernel`, which gives a figure of
    /// each run of its chunk, the chunks in parallel.
    pub fn chunks<T: Sync, R: Send, I: IntoIterator<Item = R>>(
        &mut self,
        name: &str,
        runs: &[T],
        chunk: usize,
        kernel: impl Fn(&[T]) -> I + Sync + Send,
    ) {
        let pool = self.pool.as_ref();
        self.group.bench_function(name, |b| {
            b.iter(|| {
                on(pool, || {
                    black_box(
                        runs.par_chunks(chunk)
                            .flat_map_iter(&kernel)
                            .collect::<Vec<R>>(),
                    )
                })
            });
        });
    }

    /// Ends the group.
    pub fn finish(self) {
        self.group.finish();
    }
}

/// `work` on `pool`, or on rayon's global pool.
fn on<R: Send>(pool: Option<&ThreadPool>, work: impl FnOnce() -> R + Send) -> R {
    match pool {
        Some(pool) => pool.install(work),
        None => work(),
    }
}
