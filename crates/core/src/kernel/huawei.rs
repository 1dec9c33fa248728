//! A dedicated kernel for sweeps of Huawei Workspace server-group scaling: the same semantics
//! as [`WorkspaceScaling`] driving a session workload through [`crate::Simulation`], without
//! what a sweep does not read (records, sinks, the `metric` column, reasons).
//!
//! **Invariant:** the summary is the general engine's bit for bit (property tests hold it to
//! that). It runs the engine's own pieces, as the engine builds them
//! ([`crate::SimulationBuilder::build`]): the [`Fleet`] with its [`crate::ServerGroup`]
//! (launches, session ends, packing, idle clocks, release of idle servers), with the
//! autoscaler's own rules deciding when it scales and by how much (see below). What
//! it saves is the sessions' lengths: each arrival draws one from the ChaCha8 generator seeded
//! with the run's seed, whatever the policy and whether it is placed, so the lengths are drawn
//! once for all the runs, in arrival order, and turned once into their ends (the end and its
//! step on the calendar, a division saved per run): a block of about two thousand at a time,
//! through which each run then steps alone before the next block is drawn, so that a run's
//! state stays in the nearest cache while it steps (stepping every run each step fetched it
//! from farther every time, and cost a third more). Served
//! and unserved counts are whole numbers, summed as integers: the engine's float sums of them
//! are exact, so they are the same numbers. Runs the general engine would refuse to build are
//! declined (`None`). What the build checks of the trace (whole starts, not too many a step)
//! is the same for every run, so it is checked once per call and the runs are built without
//! rescanning it; a trace that fails declines them all, as the build would refuse each.
//!
//! It also skips the evaluations that provably change nothing, by the evaluation's own rule
//! (spec step 5): a trigger adds servers only with none provisioning and room under
//! max_scaling_amount, and no trigger releases only an idle scaled-out server idle long enough:
//! when none is, none can be before the first of them would be ([`crate::ServerGroup`]'s
//! `release_outlook`), since a server that falls idle later starts its clock later, and the
//! evaluations until then skip the look.
//! Whether the usages trigger is a count: the fewest sessions that trigger with so many servers
//! in service, found once per count by [`WorkspaceScaling::fewest_triggering`] (the
//! autoscaler's own comparisons; every usage rises with the sessions). The evaluation steps
//! are counted, not found by division, and launches are admitted only at the step one is due.
//! The evaluations that remain propose what [`WorkspaceScaling`]'s evaluation proposes, found
//! from what the skip already knows (triggered, nothing pending: min(single_expansion_count,
//! max_scaling_amount − scaled-out servers) more; not: the releasable servers fewer), clamped
//! to its bounds and carried out by [`Fleet::set_desired`] as the engine does, without building
//! the observation, the usages and the reason the sweep does not read.
//!
//! What a run costs per session is the group's: placement keeps its target and runner-up
//! between placements instead of a pass over the servers, and an end finds its server by a
//! handle (see [`crate::sessions`]).

use crate::autoscaler::Autoscaler;
use crate::autoscaler::huawei::WorkspaceScaling;
use crate::capacity::CapacityBounds;
use crate::demand::Demand;
use crate::fleet::{Fleet, FleetConfig, Removal};
use crate::metrics::Summary;
use crate::sessions::{SessionConfig, SessionDraws, SessionEnd};
use crate::sim::{Simulation, check_session_starts};

/// The summary of `scaling` driving a server group of `fleet` serving the sessions of
/// `sessions` over `demand` (session starts per step), as the general engine gives it; `None`
/// when the engine would refuse the run, so that the caller runs it to report why.
pub fn huawei_workspace_summary(
    demand: &Demand,
    sessions: SessionConfig,
    fleet: FleetConfig,
    scaling: &WorkspaceScaling,
) -> Option<Summary> {
    huawei_workspace_summaries(demand, sessions, &[(fleet, scaling)])
        .pop()
        .flatten()
}

/// A run stepping with the others.
struct Run {
    fleet: Fleet,
    scaling: WorkspaceScaling,
    summary: Summary,
    in_service_steps: u64,
    /// Sessions placed and rejected so far: whole numbers, at most MAX_STEPS ×
    /// MAX_SESSION_STARTS (under 2⁵³) in all, so the engine's float sums are these exactly.
    served: u64,
    unserved: u64,
    /// No server can be released before then (a bound found when none could be).
    no_release_before_s: u64,
    /// The step at whose start the oldest pending launch joins (never, with none pending).
    next_due_step: u64,
    /// The end of the step with the next evaluation (never, when the policy is disabled).
    next_evaluation_s: u64,
    evaluation_period_s: u64,
    min_idle_s: u64,
    max_scaling_amount: u32,
    single_expansion_count: u32,
    bounds: CapacityBounds,
    /// The fewest sessions that trigger a scale-out with as many servers in service as the
    /// index, found the first time that count evaluates ([`UNKNOWN`] until then).
    fewest_triggering: Vec<u32>,
}

const UNKNOWN: u32 = u32::MAX;

/// Sessions whose ends are drawn at a time, a block of steps (at least one): the ends of a
/// block stay near at hand while each run steps through it, and their memory does not grow
/// with the trace.
const BLOCK_ENDS: usize = 2048;

/// The summaries of several (fleet, scaling) runs over the same `demand` and `sessions`, in the
/// order given, each as [`huawei_workspace_summary`] gives it.
pub fn huawei_workspace_summaries(
    demand: &Demand,
    sessions: SessionConfig,
    runs: &[(FleetConfig, &WorkspaceScaling)],
) -> Vec<Option<Summary>> {
    let starts = demand.as_slice();
    let step_s = demand.step_s();
    // What the build checks of the trace is the same for every run: checked once here, it
    // refuses them all or none.
    if check_session_starts(demand).is_err() {
        return vec![None; runs.len()];
    }
    let mut states: Vec<Option<Run>> = runs
        .iter()
        .map(|&(fleet, scaling)| {
            // The engine's own checks decide what runs, and its build what the run starts from.
            let simulation = Simulation::builder(fleet)
                .autoscaler(scaling.clone())
                .demand(demand)
                .sessions(sessions)
                .session_starts_checked()
                .build()
                .ok()?;
            let (fleet, scaling, _, _) = simulation.into_parts();
            let evaluation_period_s = scaling.evaluation_period_s();
            Some(Run {
                summary: Summary::start(fleet.in_service()),
                next_evaluation_s: evaluation_period_s.unwrap_or(u64::MAX),
                evaluation_period_s: evaluation_period_s.unwrap_or(u64::MAX),
                min_idle_s: scaling.min_idle_s(),
                max_scaling_amount: scaling.max_scaling_amount(),
                single_expansion_count: scaling.single_expansion_count(),
                bounds: scaling.initial_bounds(),
                fewest_triggering: vec![UNKNOWN; scaling.initial_bounds().max() as usize + 1],
                fleet,
                scaling,
                in_service_steps: 0,
                served: 0,
                unserved: 0,
                next_due_step: u64::MAX,
                no_release_before_s: 0,
            })
        })
        .collect();
    if states.iter().all(Option::is_none) {
        return vec![None; runs.len()];
    }
    let mut draws = SessionDraws::new(sessions);
    let mut ends = Vec::with_capacity(BLOCK_ENDS);
    let mut block = Vec::new();
    let mut first_step = 0;
    while first_step < starts.len() {
        // Each end once for all the runs, not a division per run, and each step's starts
        // converted once. Starts are whole numbers of at most MAX_SESSION_STARTS, checked by
        // the build.
        ends.clear();
        block.clear();
        let mut next_step = first_step;
        while next_step < starts.len()
            && (next_step == first_step || ends.len() + starts[next_step] as usize <= BLOCK_ENDS)
        {
            let t_s = next_step as u64 * step_s;
            let arrivals = starts[next_step] as u32;
            ends.extend((0..arrivals).map(|_| SessionEnd::new(t_s, draws.next_length(), step_s)));
            block.push(arrivals);
            next_step += 1;
        }
        // One run at a time through the block: its state stays in the nearest cache, where
        // stepping every run each step would fetch each run's state from farther each step.
        for run in states.iter_mut().flatten() {
            let mut rest = ends.as_slice();
            for (step_idx, &arrivals) in (first_step as u64..).zip(&block) {
                let t_s = step_idx * step_s;
                let (step_ends, later) = rest.split_at(arrivals as usize);
                rest = later;
                step(run, step_idx, t_s, t_s + step_s, step_ends);
            }
        }
        first_step = next_step;
    }
    let steps = starts.len() as u64;
    states
        .into_iter()
        .map(|run| {
            let run = run?;
            let mut summary = run.summary;
            summary.steps = steps;
            summary.duration_s = steps * step_s;
            summary.instance_seconds = run.in_service_steps * step_s;
            summary.served_total = run.served as f64;
            summary.unserved_total = run.unserved as f64;
            summary.demand_total = demand.total();
            Some(summary)
        })
        .collect()
}

/// One step of one run, as [`Simulation::step`] takes it.
fn step(run: &mut Run, step_idx: u64, t_s: u64, end_s: u64, ends: &[SessionEnd]) {
    let fleet = &mut run.fleet;
    let summary = &mut run.summary;
    if step_idx >= run.next_due_step {
        fleet.admit_due_launches(step_idx, t_s);
        run.next_due_step = fleet.next_due_step().unwrap_or(u64::MAX);
        // Launches are the only way in: peaks change only here.
        summary.peak_in_service = summary.peak_in_service.max(fleet.in_service());
    }
    let in_service = fleet.in_service();
    run.in_service_steps += u64::from(in_service);
    summary.min_in_service = summary.min_in_service.min(in_service);
    let placed = fleet.serve_drawn_sessions(t_s, ends);
    let rejected = ends.len() as u32 - placed;
    run.served += u64::from(placed);
    run.unserved += u64::from(rejected);
    summary.underprovisioned_steps += u64::from(rejected > 0);
    // The multiples of the evaluation period, which is a multiple of the step: the steps
    // `WorkspaceScaling::evaluates_at` picks, without a division each step.
    if end_s != run.next_evaluation_s {
        return;
    }
    run.next_evaluation_s = end_s.saturating_add(run.evaluation_period_s);
    let Some(group) = fleet.server_group() else {
        return;
    };
    // Evaluations that provably change nothing are skipped, on the evaluation's own rule: a
    // trigger adds servers only with none provisioning and room under max_scaling_amount;
    // without a trigger, only an idle scaled-out server can go.
    let fewest_triggering = match run.fewest_triggering.get_mut(in_service as usize) {
        Some(&mut known) if known != UNKNOWN => known,
        Some(unknown) => {
            *unknown = (run.scaling).fewest_triggering(in_service, group.slots_per_server());
            *unknown
        }
        None => (run.scaling).fewest_triggering(in_service, group.slots_per_server()),
    };
    // The others propose what `WorkspaceScaling::evaluate` proposes, found from what the skip
    // already knows instead of through the autoscaler's step (which keeps no state between
    // steps, and whose usages and reasons a sweep does not read): triggered, with nothing
    // pending, min(single_expansion_count, max_scaling_amount − scaled-out servers) more;
    // not, the releasable servers fewer.
    let (desired, removal) = if group.active_sessions() >= fewest_triggering {
        let scaled_out = group.scaled_out_in_service();
        if fleet.pending() > 0 || scaled_out >= run.max_scaling_amount {
            return;
        }
        let added = (run.single_expansion_count).min(run.max_scaling_amount - scaled_out);
        (fleet.desired() + added, Removal::CancelPendingFirst)
    } else {
        if group.idle_scaled_out() == 0 || end_s < run.no_release_before_s {
            return;
        }
        let outlook = group.release_outlook(end_s, run.min_idle_s);
        let released = outlook.releasable;
        if released == 0 {
            // None is releasable before the next of those idle now: any other starts its idle
            // clock later, when its last session ends after this step's start (or it joins),
            // and each of those idle now started its clock by then.
            run.no_release_before_s = outlook.next_s;
            return;
        }
        let min_idle_s = run.min_idle_s;
        (
            fleet.desired() - released,
            Removal::ReleaseIdleServers { min_idle_s },
        )
    };
    let desired = run.bounds.clamp(desired);
    let change = fleet.set_desired(desired, step_idx, removal, end_s);
    run.next_due_step = fleet.next_due_step().unwrap_or(u64::MAX);
    if let Some(change) = change {
        if change.to > change.from {
            summary.scale_out_events += 1;
        } else {
            summary.scale_in_events += 1;
        }
    }
}
