//! Shared inputs of the scalesim benchmarks in `benches/`: built from the repository's own
//! files, so that every bench measures the same work.

// A bench whose fixed inputs fail to load has nothing to measure: stopping loudly is right.
#![allow(clippy::expect_used)]

use std::path::Path;

use scalesim_core::{
    BucketWindow, Demand, ScalableTarget, TargetTracking, TargetTrackingScalingPolicyConfiguration,
};

/// Thirty days of minutes.
pub const MINUTES: u64 = 43_200;

/// The first 30 days of the shipped NASA trace, per minute.
pub fn nasa_30_days() -> Demand {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../scenarios/traces/nasa_http_1995_per_minute.csv");
    let window = BucketWindow {
        from_bucket: 0,
        buckets: Some(MINUTES),
    };
    scalesim_runner::read_trace(&path, window, 60).expect("the shipped NASA trace loads")
}

/// The first 30 days of the shipped NASA trace in steps of `step_s` (each minute spread evenly
/// over the steps it covers): 172,800 steps of 15 s, the HPA's sync period.
pub fn nasa_30_days_in_steps_of(step_s: u64) -> Demand {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../scenarios/traces/nasa_http_1995_per_minute.csv");
    let window = BucketWindow {
        from_bucket: 0,
        buckets: Some(MINUTES),
    };
    scalesim_runner::read_trace(&path, window, step_s).expect("the shipped NASA trace loads")
}

/// The whole shipped NASA trace (58 days, 3,461,610 requests), per minute.
pub fn nasa_all() -> Demand {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../scenarios/traces/nasa_http_1995_per_minute.csv");
    scalesim_runner::read_trace(&path, BucketWindow::ALL, 60).expect("the shipped NASA trace loads")
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
