//! The sweep kernel of the Kubernetes HorizontalPodAutoscaler: the same semantics as
//! [`HorizontalPodAutoscaler`] driving a [`crate::Fleet`] through [`crate::Simulation`] with
//! the fluid Throttle model and a [`crate::SummarySink`], without what a summary does not
//! read.
//!
//! **Invariant:** for every run it accepts, the kernel gives the general engine's [`Summary`]
//! bit for bit (`crates/core/tests/integration/properties.rs` holds it to that on random specs,
//! fleets and traces). It shares with the engine everything that decides: the run is built and
//! checked by [`crate::SimulationBuilder::build`], the fleet is the engine's [`crate::Fleet`]
//! and each sync is the controller's own two halves, `recommend` (steps 3a and 3b) and
//! `decide` (3c to 3e), which its `sync_fleet` chains for the engine, fed the numbers the
//! engine's [`crate::Observation`] would carry. What it drops is the engine's
//! generality: no observation or record is built, no sink is called, the in-service capacity
//! is computed (by the fleet) only when the instance count changes, and the summary's sums are
//! kept in locals, added in step order as [`crate::SummarySink`] adds them.
//!
//! Steps 3a and 3b (`recommend`, a pure function of the arrivals and the desired and Ready
//! counts, and the run's most costly arithmetic: three divisions) run only for a demand not
//! yet known to give its recommendation on that fleet. `Memo` remembers, per fleet, a few
//! recommendations with the interval of demands each is proven for. When the controller's
//! proposals never fall as demand grows (`recommendation_is_monotone`: Resource cpu and Pods
//! metrics, positive targets), two demands on the same fleet that gave the same proposal prove
//! it for every demand between them, so the interval is learnt from the run's own syncs, each
//! end a demand the controller itself computed: no threshold is derived by inverting its float
//! arithmetic, so none can be off by a rounding. Otherwise an entry holds the one demand it was
//! computed for (a per-minute trace replayed in 15 s steps repeats each minute's arrivals four
//! times). On the NASA bench, `recommend` runs at under 1 % of the syncs. Stabilization and
//! rate limits (steps 3c to 3e) run at every sync, as they remember.
//!
//! It declines (`None`) what the engine must run: a run the builder refuses, or an empty
//! demand. The caller gives it only fluid Throttle runs without a latency model.

use crate::autoscaler::hpa::{HorizontalPodAutoscaler, Recommendation};
use crate::demand::Demand;
use crate::fleet::{FleetConfig, Removal};
use crate::metrics::Summary;
use crate::sim::Simulation;

/// The summary of `hpa` driving a fleet of `fleet` with throttled service over `demand`, as the
/// general engine gives it; `None` when the engine would refuse to build the run or the
/// demand is empty.
pub fn hpa_summary(
    demand: &Demand,
    fleet: FleetConfig,
    hpa: &HorizontalPodAutoscaler,
) -> Option<Summary> {
    let simulation = Simulation::builder(fleet)
        .autoscaler(hpa.clone())
        .demand(demand)
        .build()
        .ok()?;
    let demand_total = demand.total();
    let (mut fleet, mut hpa, demand, step_s) = simulation.into_parts();
    if demand.is_empty() {
        return None;
    }
    let bounds = hpa.replicas();
    // check_step made the sync period a multiple of the step: a sync ends every
    // `steps_per_sync`-th step.
    let steps_per_sync = hpa.sync_period_s() / step_s;
    let mut in_service = fleet.in_service();
    let mut capacity = fleet.capacity();
    let mut next_due = fleet.next_due_step().unwrap_or(u64::MAX);
    let mut summary = Summary::start(in_service);
    let (mut served_total, mut unserved_total) = (0.0, 0.0);
    let (mut underprovisioned_steps, mut instance_seconds) = (0u64, 0u64);
    let (mut peak, mut least) = (in_service, in_service);
    let mut until_sync = steps_per_sync;
    let mut memo = Memo::new(hpa.recommendation_is_monotone());
    for (step_idx, &arrivals) in (0u64..).zip(demand) {
        if step_idx >= next_due {
            fleet.admit_due_launches(step_idx, step_idx * step_s);
            in_service = fleet.in_service();
            capacity = fleet.capacity();
            next_due = fleet.next_due_step().unwrap_or(u64::MAX);
        }
        // The Throttle model and SummarySink::on_step, in their order.
        let served = arrivals.min(capacity);
        let unserved = arrivals - served;
        served_total += served;
        unserved_total += unserved;
        underprovisioned_steps += u64::from(unserved > 0.0);
        instance_seconds += u64::from(in_service) * step_s;
        peak = peak.max(in_service);
        least = least.min(in_service);
        until_sync -= 1;
        if until_sync > 0 {
            continue;
        }
        until_sync = steps_per_sync;
        let end_s = (step_idx + 1) * step_s;
        let current = fleet.desired();
        let recommendation = memo.get(current, in_service, arrivals, || {
            hpa.recommend(current, in_service, arrivals, served, capacity, step_s)
        });
        let (_, change) = hpa.decide(end_s, current, recommendation);
        let Some((next, _)) = change else {
            continue;
        };
        let removal = Removal::CancelPendingFirst;
        if let Some(change) = fleet.set_desired(bounds.clamp(next), step_idx, removal, end_s) {
            if change.to > change.from {
                summary.scale_out_events += 1;
            } else {
                summary.scale_in_events += 1;
            }
            in_service = fleet.in_service();
            capacity = fleet.capacity();
            next_due = fleet.next_due_step().unwrap_or(u64::MAX);
        }
    }
    let steps = demand.len() as u64;
    Some(Summary {
        steps,
        duration_s: steps * step_s,
        instance_seconds,
        peak_in_service: peak,
        min_in_service: least,
        demand_total,
        served_total,
        unserved_total,
        underprovisioned_steps,
        // The Throttle model leaves nothing waiting: SummarySink adds 0 × step_s each step.
        backlog_end: 0.0,
        queued_request_seconds: 0.0,
        ..summary
    })
}

/// Fleets (desired and Ready counts) remembered at once: a run's states recur, a pending
/// launch joining and leaving the same few again and again.
const SLOTS: usize = 32;
/// Proposals remembered per fleet: at most this many distinct ones.
const PER_SLOT: usize = 4;

/// The recommendations [`HorizontalPodAutoscaler::recommend`] gave, by fleet and demand. The
/// capacity, and so what is served, follows from the Ready count: the desired and Ready counts
/// and the step's demand are all a recommendation depends on. When proposals never decrease
/// with demand (`HorizontalPodAutoscaler::recommendation_is_monotone`), two demands that gave
/// the same proposal on the same fleet prove it for every demand between them, so each entry
/// holds an interval; otherwise each holds the one demand it was computed for.
struct Memo {
    monotone: bool,
    /// Direct-mapped by fleet; allocated once a run, never in the step loop.
    slots: Box<[Slot; SLOTS]>,
    /// The fleet and entry of the last sync, looked at first: most syncs repeat it, and
    /// this keeps the slot's scan (whose exit varies) off their path.
    last: (u32, u32, Entry),
}

#[derive(Clone, Copy)]
struct Slot {
    current: u32,
    ready: u32,
    len: usize,
    /// The entry a new proposal replaces once all are taken.
    next: usize,
    entries: [Entry; PER_SLOT],
}

/// Demands from `low` to `high` all give `recommendation`.
#[derive(Clone, Copy)]
struct Entry {
    low: f64,
    high: f64,
    recommendation: Recommendation,
}

impl Memo {
    fn new(monotone: bool) -> Self {
        let entry = Entry {
            low: 0.0,
            high: 0.0,
            recommendation: Recommendation {
                first_shown: None,
                best: None,
            },
        };
        let slot = Slot {
            current: 0,
            ready: 0,
            len: 0,
            next: 0,
            entries: [entry; PER_SLOT],
        };
        Self {
            monotone,
            slots: Box::new([slot; SLOTS]),
            // An empty interval: no demand is in it.
            last: (
                0,
                0,
                Entry {
                    low: f64::INFINITY,
                    high: f64::NEG_INFINITY,
                    ..entry
                },
            ),
        }
    }

    /// The recommendation for `arrivals` on a fleet of `current` desired and `ready` Ready
    /// pods, remembered or else `compute`d. One remembered may differ from the computed one in
    /// the metric and value it shows, never in its proposal (none, or the replicas): those
    /// only explain a change, and the kernel keeps no explanation.
    #[inline]
    fn get(
        &mut self,
        current: u32,
        ready: u32,
        arrivals: f64,
        compute: impl FnOnce() -> Recommendation,
    ) -> Recommendation {
        let (last_current, last_ready, last) = &self.last;
        if *last_current == current
            && *last_ready == ready
            && last.low <= arrivals
            && arrivals <= last.high
        {
            return last.recommendation;
        }
        let idx = (current.wrapping_mul(7).wrapping_add(ready) as usize) % SLOTS;
        let slot = &mut self.slots[idx];
        if slot.current != current || slot.ready != ready {
            slot.current = current;
            slot.ready = ready;
            slot.len = 0;
            slot.next = 0;
        }
        let entries = &mut slot.entries[..slot.len];
        if let Some(entry) = entries
            .iter()
            .find(|e| e.low <= arrivals && arrivals <= e.high)
        {
            self.last = (current, ready, *entry);
            return entry.recommendation;
        }
        let recommendation = compute();
        let replicas = |r: Recommendation| r.best.map(|(_, count)| count.replicas);
        if self.monotone
            && let Some(entry) = entries
                .iter_mut()
                .find(|e| replicas(e.recommendation) == replicas(recommendation))
        {
            entry.low = entry.low.min(arrivals);
            entry.high = entry.high.max(arrivals);
            self.last = (current, ready, *entry);
            return recommendation;
        }
        let at = if slot.len < PER_SLOT {
            slot.len += 1;
            slot.len - 1
        } else {
            let at = slot.next;
            slot.next = (at + 1) % PER_SLOT;
            at
        };
        slot.entries[at] = Entry {
            low: arrivals,
            high: arrivals,
            recommendation,
        };
        self.last = (current, ready, slot.entries[at]);
        recommendation
    }
}

/// The summaries of several (fleet, HPA) runs over the same `demand`, in the order given, each
/// as [`hpa_summary`] gives it.
pub fn hpa_summaries(
    demand: &Demand,
    runs: &[(FleetConfig, &HorizontalPodAutoscaler)],
) -> Vec<Option<Summary>> {
    runs.iter()
        .map(|&(fleet, hpa)| hpa_summary(demand, fleet, hpa))
        .collect()
}
