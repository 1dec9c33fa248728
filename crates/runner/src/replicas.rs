//! `runs = N`: N seeded replicas of a scenario, run in parallel, and the mean and 5th/95th
//! percentiles of their figures.
//!
//! Replica i draws its load's noise and spikes from the stream (seed, i) and its provisioning
//! time from a stream of its own, inside its own task, so the figures do not depend on how many
//! threads run them. Results are collected in replica order and reduced sequentially.

use rayon::prelude::*;
use serde::Serialize;

use scalesim_core::{ServiceModel, SummarySink};

use crate::error::OutputError;
use crate::output::ExtraSinks;
use crate::scenario::Scenario;

/// The figures compared across replicas, in the order `summary.json` lists them.
pub(crate) const FIGURES: [&str; 14] = [
    "instance_hours",
    "cost",
    "mean_in_service",
    "peak_in_service",
    "unserved_fraction",
    "underprovisioned_s",
    "mean_queue_wait_s",
    "latency_mean_s",
    "slo_violation_s",
    "scale_out_events",
    "under_provisioning_accuracy_pct",
    "over_provisioning_accuracy_pct",
    "latency_p99_s",
    "requests_failed",
];

/// Mean and percentiles of one figure over the replicas.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Spread {
    /// The mean over the replicas.
    pub mean: f64,
    /// The 5th percentile (nearest rank).
    pub p5: f64,
    /// The 95th percentile (nearest rank).
    pub p95: f64,
}

/// One replica's figures, `None` where the scenario does not measure it.
fn figures(scenario: &Scenario, replica: u64) -> Result<[Option<f64>; FIGURES.len()], OutputError> {
    let mut summary = SummarySink::new();
    let mut extra = ExtraSinks::for_scenario(scenario);
    scenario
        .simulate_replica(replica, &mut (&mut summary, &mut extra))
        .map_err(|reason| OutputError::Build {
            path: scenario.path.clone(),
            reason,
        })?;
    let Some(summary) = summary.summary() else {
        return Ok([None; FIGURES.len()]);
    };
    let level = extra
        .service_level
        .as_ref()
        .map(|sink| sink.service_level());
    let elasticity = extra.elasticity.as_ref().and_then(|sink| sink.elasticity());
    Ok([
        Some(summary.instance_hours()),
        scenario.cost(&summary),
        Some(summary.mean_in_service()),
        Some(f64::from(summary.peak_in_service)),
        Some(summary.unserved_fraction()),
        Some(summary.underprovisioned_s() as f64),
        (scenario.service == ServiceModel::Queue || summary.requests.is_some())
            .then(|| summary.mean_queue_wait_s()),
        match &summary.requests {
            Some(requests) => requests.latency_mean_s,
            None => level.map(|l| l.latency_mean_s),
        },
        level.map(|l| l.slo_violation_s as f64),
        Some(summary.scale_out_events as f64),
        elasticity.map(|e| e.under_accuracy_pct),
        elasticity.map(|e| e.over_accuracy_pct),
        summary.requests.and_then(|r| r.latency_p99_s),
        summary.requests.map(|r| r.failed as f64),
    ])
}

/// The p-th percentile by nearest rank of sorted values.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Runs every replica of `scenario` and returns, per figure it measures, the spread.
pub(crate) fn replica_spreads(
    scenario: &Scenario,
) -> Result<Vec<(&'static str, Spread)>, OutputError> {
    let per_replica = (0..u64::from(scenario.runs))
        .into_par_iter()
        .map(|replica| figures(scenario, replica))
        .collect::<Result<Vec<_>, _>>()?;
    let mut spreads = Vec::with_capacity(FIGURES.len());
    for (idx, name) in FIGURES.iter().enumerate() {
        let mut values: Vec<f64> = per_replica.iter().filter_map(|f| f[idx]).collect();
        if values.len() != per_replica.len() || values.is_empty() {
            continue;
        }
        // Summed in replica order, before sorting, so the mean is the same on any thread count.
        let mean = values.iter().sum::<f64>() / values.len() as f64;
        values.sort_by(f64::total_cmp);
        spreads.push((
            *name,
            Spread {
                mean,
                p5: percentile(&values, 5.0),
                p95: percentile(&values, 95.0),
            },
        ));
    }
    Ok(spreads)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let twenty: Vec<f64> = (1..=20).map(f64::from).collect();
        // 5 % of 20 is rank 1; 95 % of 20 is rank 19.
        assert_eq!(percentile(&twenty, 5.0), 1.0);
        assert_eq!(percentile(&twenty, 95.0), 19.0);
        assert_eq!(percentile(&[7.0], 95.0), 7.0);
    }
}
