//! Summary figures of a run, accumulated by a sink as the steps go by.

use crate::requests::RequestSummary;
use crate::sim::{ScalingEvent, Sink, StepRecord};

/// The figures of `summary.json` (spec/README.md, "What a run writes").
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// Steps simulated.
    pub steps: u64,
    /// Simulated time, in seconds.
    pub duration_s: u64,
    /// Σ in-service instances × step_s: what the fleet costs in instance time.
    pub instance_seconds: u64,
    /// The most instances in service in any step.
    pub peak_in_service: u32,
    /// The fewest instances in service in any step.
    pub min_in_service: u32,
    /// Arrivals in all.
    pub demand_total: f64,
    /// Arrivals served.
    pub served_total: f64,
    /// Arrivals not served.
    pub unserved_total: f64,
    /// Steps in which some demand was lost or left waiting: the fleet was under-provisioned.
    pub underprovisioned_steps: u64,
    /// Requests still waiting when the run ended (queue mode).
    pub backlog_end: f64,
    /// Σ requests waiting × seconds (queue mode): the area under the backlog.
    pub queued_request_seconds: f64,
    /// Changes of desired capacity upward.
    pub scale_out_events: u64,
    /// Changes of desired capacity downward.
    pub scale_in_events: u64,
    /// Request-level runs: the requests' figures (latency percentiles, failures).
    pub requests: Option<RequestSummary>,
}

impl Summary {
    /// The summary of no step yet, of a fleet starting with `in_service` instances.
    pub fn start(in_service: u32) -> Self {
        Self {
            steps: 0,
            duration_s: 0,
            instance_seconds: 0,
            peak_in_service: in_service,
            min_in_service: in_service,
            demand_total: 0.0,
            served_total: 0.0,
            unserved_total: 0.0,
            underprovisioned_steps: 0,
            backlog_end: 0.0,
            queued_request_seconds: 0.0,
            scale_out_events: 0,
            scale_in_events: 0,
            requests: None,
        }
    }

    /// Instance time in hours, the unit clouds bill in.
    pub fn instance_hours(&self) -> f64 {
        self.instance_seconds as f64 / 3600.0
    }

    /// Mean instances in service over the run.
    pub fn mean_in_service(&self) -> f64 {
        if self.duration_s == 0 {
            0.0
        } else {
            self.instance_seconds as f64 / self.duration_s as f64
        }
    }

    /// Unserved share of the demand; 0 when there was no demand.
    pub fn unserved_fraction(&self) -> f64 {
        if self.demand_total > 0.0 {
            self.unserved_total / self.demand_total
        } else {
            0.0
        }
    }

    /// Mean time a served request waited in the backlog, by Little's law: the area under the
    /// backlog over the requests served; 0 without a queue. Request-level runs: the mean wait
    /// of the completed requests, measured.
    pub fn mean_queue_wait_s(&self) -> f64 {
        if let Some(requests) = &self.requests {
            return requests.wait_mean_s.unwrap_or(0.0);
        }
        if self.served_total > 0.0 {
            self.queued_request_seconds / self.served_total
        } else {
            0.0
        }
    }

    /// Seconds during which some demand was not served.
    pub fn underprovisioned_s(&self) -> u64 {
        self.duration_s
            .checked_div(self.steps)
            .map_or(0, |step_s| self.underprovisioned_steps * step_s)
    }
}

/// A sink that accumulates a [`Summary`].
#[derive(Debug, Clone, Default)]
pub struct SummarySink {
    summary: Option<Summary>,
}

impl SummarySink {
    /// An empty accumulator.
    pub fn new() -> Self {
        Self::default()
    }

    /// The summary so far; `None` before the first step.
    pub fn summary(&self) -> Option<Summary> {
        self.summary
    }
}

impl Sink for SummarySink {
    fn on_step(&mut self, record: &StepRecord) {
        let summary = self
            .summary
            .get_or_insert(Summary::start(record.in_service));
        summary.steps += 1;
        summary.duration_s += record.step_s;
        summary.instance_seconds += u64::from(record.in_service) * record.step_s;
        summary.peak_in_service = summary.peak_in_service.max(record.in_service);
        summary.min_in_service = summary.min_in_service.min(record.in_service);
        summary.demand_total += record.demand;
        summary.served_total += record.served;
        summary.unserved_total += record.unserved;
        if record.unserved > 0.0 || record.backlog > 0.0 {
            summary.underprovisioned_steps += 1;
        }
        summary.backlog_end = record.backlog;
        summary.queued_request_seconds += record.backlog * record.step_s as f64;
    }

    fn on_requests_end(&mut self, requests: &RequestSummary) {
        if let Some(summary) = &mut self.summary {
            summary.requests = Some(*requests);
        }
    }

    fn on_scaling(&mut self, event: &ScalingEvent) {
        if let Some(summary) = &mut self.summary {
            match event.to.cmp(&event.from) {
                std::cmp::Ordering::Greater => summary.scale_out_events += 1,
                std::cmp::Ordering::Less => summary.scale_in_events += 1,
                std::cmp::Ordering::Equal => {}
            }
        }
    }
}
