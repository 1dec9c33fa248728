//! A dedicated kernel for sweeps of Azure Monitor autoscale: the same semantics as
//! [`AzureAutoscale`] driving a [`Fleet`] through [`crate::Simulation`] with the fluid Throttle
//! model at 60 s steps, without what a sweep does not read (records, sinks, the `metric`
//! column, notices, reasons of decisions that change nothing).
//!
//! **Invariant:** the summary is the general engine's bit for bit (property tests hold it to
//! that). It runs the engine's own pieces: the autoscaler's minute record and evaluation
//! ([`AzureAutoscale::record_minute`], [`AzureAutoscale::evaluate`]) and the [`Fleet`]'s
//! launches and cancellations, fed with the very floats the step loop computes: the served
//! share `min(demand, capacity)`, the capacity recomputed by the fleet's own expression when
//! the in-service count changes, and the summary's sums added in step order. Runs the general
//! engine would refuse to build, and anything but 60 s steps over a non-empty demand, are
//! declined (`None`).
//!
//! [`azure_autoscale_summaries`] hands the runs whose rules the lanes cover (one profile in
//! force throughout, one-minute grains, no `Count`, no division per instance: see
//! [`super::azure_lanes`]) to the lane kernel, eight at a time, and runs the rest here one by
//! one.

use crate::autoscaler::Autoscaler;
use crate::autoscaler::azure::AzureAutoscale;
use crate::demand::Demand;
use crate::fleet::{Fleet, FleetConfig};
use crate::kernel::azure_lanes;
use crate::metrics::Summary;
use crate::sim::Simulation;

const MINUTE_S: u64 = 60;

/// The summary of `autoscale` driving a fleet of `fleet` over `demand`, as the general engine
/// gives it with the Throttle model and no latency model; `None` when the kernel does not
/// apply (steps other than 60 s, or a run the engine refuses), so that the caller runs the
/// general engine instead.
pub fn azure_autoscale_summary(
    demand: &Demand,
    fleet: FleetConfig,
    autoscale: &AzureAutoscale,
) -> Option<Summary> {
    azure_autoscale_summaries(demand, &[(fleet, autoscale)])
        .pop()
        .flatten()
}

/// The summaries of several (fleet, autoscale) runs over the same `demand`, in the order given,
/// each as [`azure_autoscale_summary`] gives it.
pub fn azure_autoscale_summaries(
    demand: &Demand,
    runs: &[(FleetConfig, &AzureAutoscale)],
) -> Vec<Option<Summary>> {
    if demand.step_s() != MINUTE_S || demand.as_slice().is_empty() {
        return vec![None; runs.len()];
    }
    let demand_total = demand.total();
    let mut summaries = vec![None; runs.len()];
    let mut grouped: Vec<usize> = Vec::with_capacity(runs.len());
    let screenable = azure_lanes::screens_demand(demand);
    for (index, &(fleet, autoscale)) in runs.iter().enumerate() {
        if screenable && azure_lanes::covers(demand, fleet, autoscale) {
            grouped.push(index);
        } else if let Some(mut summary) = run(demand, fleet, autoscale) {
            summary.demand_total = demand_total;
            summaries[index] = Some(summary);
        }
    }
    for group in grouped.chunks(azure_lanes::LANES) {
        let lanes: Vec<(FleetConfig, &AzureAutoscale)> =
            group.iter().map(|&index| runs[index]).collect();
        let finished = azure_lanes::summaries(demand.as_slice(), &lanes);
        for (&index, mut summary) in group.iter().zip(finished) {
            summary.demand_total = demand_total;
            summaries[index] = Some(summary);
        }
    }
    summaries
}

/// One run: its summary, all but the demand total.
fn run(demand: &Demand, config: FleetConfig, autoscale: &AzureAutoscale) -> Option<Summary> {
    // The engine's own checks decide what runs; what it refuses is left to it to report.
    Simulation::builder(config)
        .autoscaler(autoscale.clone())
        .demand(demand)
        .build()
        .ok()?;
    let mut autoscale = autoscale.clone();
    let capacity = config.capacity_per_instance_per_min;
    let initial = autoscale.initial_bounds().clamp(config.initial_instances);
    let mut fleet = Fleet::new(capacity, initial, config.provisioning_s, MINUTE_S);
    let mut in_service = fleet.in_service();
    let mut serving = fleet.capacity();
    let mut summary = Summary::start(in_service);
    let mut in_service_minutes = 0u64;
    let mut quiet_until_s = 0;
    for (step_idx, &arrivals) in (0u64..).zip(demand.as_slice()) {
        let t_s = step_idx * MINUTE_S;
        fleet.admit_due_launches(step_idx, t_s);
        if fleet.in_service() != in_service {
            in_service = fleet.in_service();
            serving = fleet.capacity();
        }
        in_service_minutes += u64::from(in_service);
        summary.peak_in_service = summary.peak_in_service.max(in_service);
        summary.min_in_service = summary.min_in_service.min(in_service);
        let served = arrivals.min(serving);
        let unserved = arrivals - served;
        summary.served_total += served;
        summary.unserved_total += unserved;
        summary.underprovisioned_steps += u64::from(unserved > 0.0);
        autoscale.record_minute(arrivals, served, serving);
        let end_s = t_s + MINUTE_S;
        if end_s < quiet_until_s || !autoscale.evaluates_at(end_s) {
            continue;
        }
        let (Some(proposal), _) = autoscale.evaluate(end_s, fleet.desired()) else {
            continue;
        };
        quiet_until_s = autoscale.quiet_until_s();
        let desired = proposal.bounds.clamp(proposal.desired);
        if let Some(change) = fleet.set_desired(desired, step_idx, proposal.removal, end_s) {
            if change.to > change.from {
                summary.scale_out_events += 1;
            } else {
                summary.scale_in_events += 1;
            }
        }
    }
    let minutes = demand.as_slice().len() as u64;
    summary.steps = minutes;
    summary.duration_s = minutes * MINUTE_S;
    summary.instance_seconds = in_service_minutes * MINUTE_S;
    Some(summary)
}
