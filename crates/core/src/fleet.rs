//! The fleet: identical instances in service, launches pending, and the served share of demand.
//!
//! Spec (`spec/README.md`, "The fleet"): served in a step = min(demand, in-service × capacity ×
//! step_s/60). A rise of desired capacity by x makes x launches due `provisioning_s` after the
//! decision; a fall cancels pending launches first, newest first, then removes in-service
//! instances at once. In service plus pending always equals desired.

use std::collections::VecDeque;

use crate::limits::MAX_STEPS;
use crate::sessions::{ServerGroup, SessionEnd};

/// The fleet's settings, checked by [`crate::SimulationBuilder::build`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FleetConfig {
    /// Requests one instance serves per minute (sessions one server holds, for session loads).
    pub capacity_per_instance_per_min: f64,
    /// Instances in service at t = 0, before the autoscaler's clamp.
    pub initial_instances: u32,
    /// Seconds from a rise in desired capacity until the new instances serve load.
    pub provisioning_s: u64,
}

/// Launches decided together, all due at the start of one step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Launch {
    due_step: u64,
    count: u32,
}

/// How a change of desired capacity was carried out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CapacityChange {
    /// Desired capacity before the change.
    pub from: u32,
    /// Desired capacity after it.
    pub to: u32,
}

/// Instances in service and launches pending; the only thing that changes instance counts.
#[derive(Debug, Clone)]
pub struct Fleet {
    capacity_per_instance_per_min: f64,
    step_s: u64,
    provisioning_steps: u64,
    in_service: u32,
    pending: u32,
    /// Ordered by due step, oldest first; at most one entry per step of provisioning, so the
    /// capacity reserved at build time is never outgrown.
    launches: VecDeque<Launch>,
    /// For session workloads: the servers and the sessions on them.
    sessions: Option<ServerGroup>,
    service: ServiceModel,
    /// Requests waiting, in queue mode.
    backlog: f64,
}

/// What happens to requests beyond what the in-service instances can serve in a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ServiceModel {
    /// They are throttled: rejected and lost (spec/README.md, "The fleet").
    #[default]
    Throttle,
    /// They wait in a first-come backlog and are served in later steps, before new arrivals.
    Queue,
}

/// What a step served, dropped and left waiting.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Service {
    pub(crate) served: f64,
    pub(crate) dropped: f64,
    pub(crate) backlog: f64,
}

/// Which instances go when desired capacity falls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removal {
    /// Pending launches first, newest first, then in-service instances (spec/README.md).
    CancelPendingFirst,
    /// Scaled-out servers with no session, idle for at least `min_idle_s` (Huawei Workspace);
    /// pending launches stay.
    ReleaseIdleServers {
        /// Idle time a server needs to be released, seconds.
        min_idle_s: u64,
    },
}

impl Fleet {
    /// A fleet with `initial_instances` in service and nothing pending; `provisioning_s` must
    /// already be a multiple of `step_s`.
    pub(crate) fn new(
        capacity_per_instance_per_min: f64,
        initial_instances: u32,
        provisioning_s: u64,
        step_s: u64,
    ) -> Self {
        let provisioning_steps = provisioning_s / step_s;
        Self {
            capacity_per_instance_per_min,
            step_s,
            provisioning_steps,
            in_service: initial_instances,
            pending: 0,
            // No run has more steps than MAX_STEPS, so neither has this queue more entries.
            launches: VecDeque::with_capacity(provisioning_steps.min(MAX_STEPS) as usize + 2),
            sessions: None,
            service: ServiceModel::Throttle,
            backlog: 0.0,
        }
    }

    /// The same fleet handling excess requests as `service` says.
    pub(crate) fn with_service(self, service: ServiceModel) -> Self {
        Self { service, ..self }
    }

    /// The same fleet serving sessions on `group` instead of requests.
    pub(crate) fn with_sessions(self, group: ServerGroup) -> Self {
        Self {
            sessions: Some(group),
            ..self
        }
    }

    /// The servers and sessions of a session workload.
    pub fn server_group(&self) -> Option<&ServerGroup> {
        self.sessions.as_ref()
    }

    /// Instances serving load now.
    pub fn in_service(&self) -> u32 {
        self.in_service
    }

    /// Instances launched but not yet in service.
    pub fn pending(&self) -> u32 {
        self.pending
    }

    /// Desired capacity: in service plus pending.
    pub fn desired(&self) -> u32 {
        self.in_service + self.pending
    }

    /// Requests `instances` serve in one step: in-service × capacity × step_s/60, computed left
    /// to right as the specs write it, since the order decides exact ties with a threshold.
    fn request_capacity(&self, instances: u32) -> f64 {
        f64::from(instances) * self.capacity_per_instance_per_min * self.step_s as f64 / 60.0
    }

    /// Step 1 of every step (starting at `t_s`): launches due at `step_idx` join the in-service
    /// count.
    pub(crate) fn admit_due_launches(&mut self, step_idx: u64, t_s: u64) {
        while let Some(launch) = self.launches.front().copied() {
            if launch.due_step > step_idx {
                break;
            }
            self.launches.pop_front();
            self.in_service += launch.count;
            self.pending -= launch.count;
            if let Some(group) = &mut self.sessions {
                group.join(launch.count, t_s);
            }
        }
    }

    /// The step at whose start the oldest pending launch joins, if any is pending: a sweep
    /// kernel calls [`Fleet::admit_due_launches`] only then.
    pub(crate) fn next_due_step(&self) -> Option<u64> {
        self.launches.front().map(|launch| launch.due_step)
    }

    /// Launches due by the start of step `step_idx`, not yet in service.
    pub(crate) fn due_by(&self, step_idx: u64) -> u32 {
        self.launches
            .iter()
            .take_while(|launch| launch.due_step <= step_idx)
            .map(|launch| launch.count)
            .sum()
    }

    /// Step 2: what this step serves. Requests: what in-service capacity allows, the backlog
    /// first in queue mode. Sessions: sessions due end, then the step's starts are placed one by
    /// one; a start with no free slot is rejected.
    pub(crate) fn serve(&mut self, demand: f64, t_s: u64) -> Service {
        if let Some(group) = &mut self.sessions {
            group.end_sessions(t_s);
            // Whole numbers, checked when the simulation was built.
            let served = f64::from(group.place(demand as u32, t_s));
            return Service {
                served,
                dropped: demand - served,
                backlog: 0.0,
            };
        }
        let capacity = self.request_capacity(self.in_service);
        match self.service {
            ServiceModel::Throttle => {
                let served = demand.min(capacity);
                Service {
                    served,
                    dropped: demand - served,
                    backlog: 0.0,
                }
            }
            ServiceModel::Queue => {
                let waiting = self.backlog + demand;
                let served = waiting.min(capacity);
                self.backlog = waiting - served;
                Service {
                    served,
                    dropped: 0.0,
                    backlog: self.backlog,
                }
            }
        }
    }

    /// Step 2 of a session workload whose starts' ends were found already, in arrival order
    /// (sweep kernels draw each step's lengths once for all their runs): the sessions placed,
    /// as [`Fleet::serve`] serves them.
    pub(crate) fn serve_drawn_sessions(&mut self, t_s: u64, ends: &[SessionEnd]) -> u32 {
        let Some(group) = &mut self.sessions else {
            return 0;
        };
        group.end_sessions(t_s);
        let mut placed = 0;
        for &end in ends {
            placed += u32::from(group.place_ending(end));
        }
        placed
    }

    /// What the in-service instances can take in a step: requests, or session slots.
    pub fn capacity(&self) -> f64 {
        match &self.sessions {
            None => self.request_capacity(self.in_service),
            Some(group) => f64::from(self.in_service * group.slots_per_server()),
        }
    }

    /// Takes `count` in-service instances out at once (idle servers the request-level model
    /// released); pending launches stay.
    pub(crate) fn remove_in_service(&mut self, count: u32) -> Option<CapacityChange> {
        let from = self.desired();
        self.in_service -= count.min(self.in_service);
        let to = self.desired();
        (to != from).then_some(CapacityChange { from, to })
    }

    /// Sets desired capacity at the end of step `step_idx` (at `end_s`); `desired` is already
    /// clamped.
    pub(crate) fn set_desired(
        &mut self,
        desired: u32,
        step_idx: u64,
        removal: Removal,
        end_s: u64,
    ) -> Option<CapacityChange> {
        let from = self.desired();
        if let (Removal::ReleaseIdleServers { min_idle_s }, true) = (removal, desired < from) {
            let released = match &mut self.sessions {
                Some(group) => group.release_idle(end_s, min_idle_s),
                None => 0,
            };
            self.in_service -= released;
            let to = self.desired();
            return (to != from).then_some(CapacityChange { from, to });
        }
        if desired > from {
            let count = desired - from;
            // Saturating: a launch due past u64's end is due never, as it should be.
            let due_step = (step_idx + 1).saturating_add(self.provisioning_steps);
            if self.provisioning_steps == 0 && self.sessions.is_none() {
                // Due at the very next step: joining now and at the start of the next step
                // are the same to every observer, and it keeps the queue empty. Servers of a
                // session workload start their idle clocks when they join, so they queue.
                self.in_service += count;
            } else {
                self.launches.push_back(Launch { due_step, count });
                self.pending += count;
            }
        } else if desired < from {
            let mut excess = from - desired;
            while excess > 0 {
                let Some(newest) = self.launches.back_mut() else {
                    break;
                };
                let cancelled = newest.count.min(excess);
                newest.count -= cancelled;
                self.pending -= cancelled;
                excess -= cancelled;
                if newest.count == 0 {
                    self.launches.pop_back();
                }
            }
            self.in_service -= excess;
        } else {
            return None;
        }
        Some(CapacityChange { from, to: desired })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn launches_join_after_provisioning_and_cancellation_takes_the_newest_first() {
        // Provisioning 120 s = 2 steps of 60 s: a rise decided at the end of step k is in
        // service from step k + 3.
        let mut fleet = Fleet::new(60.0, 1, 120, 60);
        let newest_first = Removal::CancelPendingFirst;
        fleet.set_desired(3, 0, newest_first, 60); // 2 due at step 3
        fleet.set_desired(6, 1, newest_first, 120); // 3 due at step 4
        assert_eq!((fleet.in_service(), fleet.pending()), (1, 5));
        // Down to 2: cancel the 3 of step 4, then 1 of the 2 due at step 3.
        fleet.set_desired(2, 2, newest_first, 180);
        assert_eq!((fleet.in_service(), fleet.pending()), (1, 1));
        fleet.admit_due_launches(3, 180);
        assert_eq!((fleet.in_service(), fleet.pending()), (2, 0));
        // Down to 1 with nothing pending removes an in-service instance at once.
        fleet.set_desired(1, 3, newest_first, 240);
        assert_eq!((fleet.in_service(), fleet.pending()), (1, 0));
    }

    #[test]
    fn a_saturated_fleet_serves_exactly_its_capacity_in_the_specs_order() {
        // 19 × 1.08 × 60 / 60 is 20.520000000000003 left to right, but 1.08 × 60 / 60 × 19
        // is not: a CPU of 100 × served / capacity must be exactly 100 when saturated.
        let mut fleet = Fleet::new(1.08, 19, 0, 60);
        let served = fleet.serve(1000.0, 0).served;
        assert_eq!(served, 19.0 * 1.08 * 60.0 / 60.0);
        assert_eq!(100.0 * served / fleet.capacity(), 100.0);
    }

    #[test]
    fn served_is_capped_by_in_service_capacity_for_the_step_length() {
        // 120 requests per minute per instance, 30 s steps: 60 per instance per step.
        let mut fleet = Fleet::new(120.0, 2, 0, 30);
        assert_eq!(fleet.serve(100.0, 0).served, 100.0);
        assert_eq!(fleet.serve(500.0, 30).served, 120.0);
    }

    #[test]
    fn a_queue_serves_its_backlog_first_and_drops_nothing() {
        // 100 a step against 60 of capacity: 40 wait; next step 10 arrive, 50 are waiting and
        // all are served.
        let mut fleet = Fleet::new(60.0, 1, 0, 60).with_service(ServiceModel::Queue);
        let first = fleet.serve(100.0, 0);
        assert_eq!(
            (first.served, first.dropped, first.backlog),
            (60.0, 0.0, 40.0)
        );
        let second = fleet.serve(10.0, 60);
        assert_eq!(
            (second.served, second.dropped, second.backlog),
            (50.0, 0.0, 0.0)
        );
    }
}
