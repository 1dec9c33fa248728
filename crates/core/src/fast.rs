//! A dedicated kernel for sweeps of AWS target tracking: the same semantics as
//! [`TargetTracking`] driving a [`crate::Fleet`] through [`crate::Simulation`], reduced to the
//! state a minute-step run needs, so that a sweep's inner loop does little more than the
//! floor of ceil(demand / target).
//!
//! Where the general engine scans the alarms' windows each minute, this keeps run lengths: the
//! visible datapoints are above the target in the last `high_run` minutes and below 0.9 ×
//! target in the last `low_run` minutes, so AlarmHigh is `high_run ≥ 3` and AlarmLow is
//! `low_run ≥ 15`. Launches pending sit in a ring indexed by their due minute. Every float is
//! computed with the same operations in the same order as the general engine, so the summaries
//! are identical bit for bit (a property test holds it to that).

use crate::autoscaler::aws::TargetTracking;
use crate::demand::Demand;
use crate::fleet::FleetConfig;
use crate::metrics::Summary;

const MINUTE_S: u64 = 60;
const HIGH_DATAPOINTS: u32 = 3;
const LOW_DATAPOINTS: u32 = 15;
const LOW_THRESHOLD_RATIO: f64 = 0.9;

/// The summary of `policy` driving a fleet of `fleet` over `demand`, as the general engine would
/// give it; `None` when the kernel does not apply (steps other than 60 s), so that the caller
/// runs the general engine instead.
pub fn target_tracking_summary(
    demand: &Demand,
    fleet: FleetConfig,
    policy: &TargetTracking,
) -> Option<Summary> {
    if demand.step_s() != MINUTE_S || !fleet.provisioning_s.is_multiple_of(MINUTE_S) {
        return None;
    }
    let capacity = fleet.capacity_per_instance_per_min;
    if !(capacity.is_finite() && capacity > 0.0) {
        return None;
    }
    let bounds = policy.target().bounds();
    let (scaling_in_suspended, scaling_out_suspended) = policy.target().suspended();
    let config = policy.policy();
    let target = config.target_value();
    let low_threshold = LOW_THRESHOLD_RATIO * target;
    let scale_in_cooldown_s = config.scale_in_cooldown_s();
    let scale_in_allowed = !config.disable_scale_in() && !scaling_in_suspended;
    let delay = (policy.metric_delay_s() / MINUTE_S) as usize;
    let provisioning = (fleet.provisioning_s / MINUTE_S) as usize;

    // (invocations, datapoint) of the minutes not yet visible, minute m at m % len.
    let mut unseen = vec![(0.0_f64, 0.0_f64); delay + 1];
    // Launches by due minute, minute m at m % len; a launch is due at most provisioning + 1
    // minutes after the minute that decided it.
    let mut launches = vec![0_u32; provisioning + 2];
    let mut pending: u32 = 0;
    let mut in_service = bounds.clamp(fleet.initial_instances);
    let mut desired = in_service;
    let (mut high_run, mut low_run) = (0_u32, 0_u32);
    let mut last_scale_in: Option<u64> = None;

    let mut summary = Summary::start(in_service);
    let slots = launches.len();
    let unseen_len = unseen.len();
    // Ring positions advanced by one each minute: cheaper than a modulo per step.
    let mut launch_slot = 0_usize;
    let mut unseen_slot = 0_usize;
    // What the in-service instances serve in a minute, recomputed (by the same expression as
    // the fleet's) only when their number changes.
    let serving = |in_service: u32| f64::from(in_service) * capacity * MINUTE_S as f64 / 60.0;
    let mut in_service_capacity = serving(in_service);
    for (minute, &invocations) in demand.as_slice().iter().enumerate() {
        let this_launch_slot = launch_slot;
        launch_slot = if launch_slot + 1 == slots {
            0
        } else {
            launch_slot + 1
        };
        let due = &mut launches[this_launch_slot];
        if *due > 0 {
            in_service += *due;
            pending -= *due;
            *due = 0;
            in_service_capacity = serving(in_service);
        }

        let served = invocations.min(in_service_capacity);
        summary.steps += 1;
        summary.duration_s += MINUTE_S;
        summary.instance_seconds += u64::from(in_service) * MINUTE_S;
        summary.peak_in_service = summary.peak_in_service.max(in_service);
        summary.min_in_service = summary.min_in_service.min(in_service);
        summary.demand_total += invocations;
        summary.served_total += served;
        let unserved = invocations - served;
        summary.unserved_total += unserved;
        // Arithmetic rather than branches: whether a minute falls short is data, not pattern.
        summary.underprovisioned_steps += u64::from(unserved > 0.0);

        // The datapoint of this minute, with n constant over it: invocations / n.
        let datapoint = (0.0 + invocations) / f64::from(in_service.max(1));
        unseen[unseen_slot] = (invocations, datapoint);
        // The ring holds delay + 1 minutes: the visible one, minute − delay, is the oldest,
        // in the slot after this minute's.
        unseen_slot = if unseen_slot + 1 == unseen_len {
            0
        } else {
            unseen_slot + 1
        };
        if minute < delay {
            continue;
        }
        let (visible_invocations, visible_datapoint) = unseen[unseen_slot];
        high_run = high_run.saturating_add(1) * u32::from(visible_datapoint > target);
        low_run = low_run.saturating_add(1) * u32::from(visible_datapoint < low_threshold);

        // Most minutes neither alarm is in ALARM: only then is C worth computing.
        if high_run < HIGH_DATAPOINTS && low_run < LOW_DATAPOINTS {
            continue;
        }
        let proposed = bounds.clamp((visible_invocations / target).ceil() as u32);
        let minute = minute as u64;
        let next = if high_run >= HIGH_DATAPOINTS {
            if proposed <= desired || scaling_out_suspended {
                continue;
            }
            last_scale_in = None;
            proposed
        } else {
            let cooling =
                last_scale_in.is_some_and(|a| (minute - a) * MINUTE_S < scale_in_cooldown_s);
            if !scale_in_allowed || cooling || proposed >= desired {
                continue;
            }
            last_scale_in = Some(minute);
            proposed
        };
        if next > desired {
            let count = next - desired;
            if provisioning == 0 {
                in_service += count;
                in_service_capacity = serving(in_service);
            } else {
                // Due provisioning + 1 minutes on: the slot before this minute's, around the ring.
                let due_slot = if this_launch_slot == 0 {
                    slots - 1
                } else {
                    this_launch_slot - 1
                };
                launches[due_slot] += count;
                pending += count;
            }
            summary.scale_out_events += 1;
        } else {
            let mut excess = desired - next;
            // Newest launches first: those due latest.
            let mut due_minute = minute as usize + 1 + provisioning;
            while excess > 0 && pending > 0 && due_minute > minute as usize {
                let slot = &mut launches[due_minute % slots];
                let cancelled = (*slot).min(excess);
                *slot -= cancelled;
                pending -= cancelled;
                excess -= cancelled;
                due_minute -= 1;
            }
            if excess > 0 {
                in_service -= excess;
                in_service_capacity = serving(in_service);
            }
            summary.scale_in_events += 1;
        }
        desired = next;
    }
    (summary.steps > 0).then_some(summary)
}

/// The summaries of several (fleet, policy) runs over the same `demand`, in the order given,
/// each as [`target_tracking_summary`] gives it. Model note: stepping several policies through
/// each minute together was measured slower than one after another, whose state then lives in
/// registers; so this runs them one after another.
pub fn target_tracking_summaries(
    demand: &Demand,
    runs: &[(FleetConfig, &TargetTracking)],
) -> Vec<Option<Summary>> {
    runs.iter()
        .map(|(fleet, policy)| target_tracking_summary(demand, *fleet, policy))
        .collect()
}
