//! Request-level sweeps on common random numbers: the runs of a group step together and share
//! one drawing of the requests, each arrival and service time drawn once for all of them
//! instead of once per run.
//!
//! **Invariant:** each run hands its sink the very records, request by request and step by
//! step, that [`Simulation::run`] alone would: a run's arrivals and service times come from
//! streams of their own in request order (docs/semantics/requests.md, section 8), never from
//! what the policy did, so the draws of a run built like another's are the other's draws; the
//! routing stream, which does depend on the policy, stays each run's own. Each step's arrivals
//! are drawn in batches of at most [`crate::SHARED_BATCH`] requests (memory does not grow with
//! the step's load), and every run handles each batch's events before the next batch is drawn.

use crate::autoscaler::Autoscaler;
use crate::requests::{Drawn, SHARED_BATCH};
use crate::sim::{Simulation, Sink, StepStart};

const NS_PER_S: u64 = 1_000_000_000;

/// Runs every run of `runs` to its end, run `i` into `sinks[i]`, on one drawing of the
/// requests, and returns true; or returns false, having run nothing, unless they can share it:
/// as many runs as sinks, all request-level, none stepped yet, with the same steps, built on
/// the same arrivals (the same trace or counts in memory), service-time model, seed and replica.
pub fn run_sharing_draws<A: Autoscaler, S: Sink>(
    runs: &mut [Simulation<'_, A>],
    sinks: &mut [S],
) -> bool {
    if runs.len() != sinks.len() || !share_draws(runs) {
        return false;
    }
    let Some(mut draws) = runs
        .first_mut()
        .and_then(|run| run.request_engine())
        .and_then(|engine| engine.take_draws())
    else {
        return false;
    };
    let step_s = runs[0].stepping().step_s;
    let mut batch: Vec<Drawn> = Vec::with_capacity(SHARED_BATCH);
    let mut starts: Vec<StepStart> = Vec::with_capacity(runs.len());
    loop {
        starts.clear();
        for (run, sink) in runs.iter_mut().zip(sinks.iter_mut()) {
            let Some(start) = run.begin_step() else {
                break;
            };
            if let Some(engine) = run.request_engine() {
                engine.begin_step(start.t_s, start.in_service, sink);
            }
            starts.push(start);
        }
        // Every run has as many steps (checked above): either all began or none.
        let Some(t_s) = starts.first().map(|start| start.t_s) else {
            break;
        };
        let end_ns = (t_s + step_s) * NS_PER_S;
        loop {
            let until_ns = draws.next_batch(&mut batch, end_ns);
            for (run, sink) in runs.iter_mut().zip(sinks.iter_mut()) {
                if let Some(engine) = run.request_engine() {
                    engine.serve_batch(&batch, until_ns, sink);
                }
            }
            if until_ns == end_ns {
                break;
            }
        }
        for ((run, sink), &start) in runs.iter_mut().zip(sinks.iter_mut()).zip(&starts) {
            let step = run
                .request_engine()
                .map(|engine| engine.end_step(end_ns, step_s, sink));
            run.end_step(start, step, sink);
        }
    }
    for (run, sink) in runs.iter_mut().zip(sinks.iter_mut()) {
        run.finish(sink);
    }
    true
}

/// Whether `runs` may step together on the first one's draws.
fn share_draws<A>(runs: &mut [Simulation<'_, A>]) -> bool {
    let Some((first, rest)) = runs.split_first_mut() else {
        return false;
    };
    let stepping = first.stepping();
    let Some(draws) = first
        .request_engine()
        .filter(|_| stepping.fresh)
        .and_then(|engine| engine.draws())
    else {
        return false;
    };
    rest.iter_mut().all(|run| {
        run.stepping() == stepping
            && run
                .request_engine()
                .is_some_and(|engine| engine.draws_like(draws))
    })
}
