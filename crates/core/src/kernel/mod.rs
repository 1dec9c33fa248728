//! Sweep kernels: one per autoscaler, each the general engine ([`crate::Simulation`] with the
//! autoscaler, a [`crate::Fleet`] and a [`crate::SummarySink`]) reduced to the state a sweep's
//! runs need, so that thousands of policies over one trace cost little more than reading it.
//!
//! **Invariant:** a kernel gives the general engine's [`crate::Summary`] bit for bit, for every
//! run it accepts; it says `None` for a run it does not cover, and the caller then runs the
//! general engine. Property tests (`crates/core/tests/integration/properties.rs`) hold each
//! kernel to that on random policies and traces.

pub(crate) mod aws;
pub(crate) mod azure;
pub(crate) mod azure_lanes;
pub(crate) mod hpa;
pub(crate) mod huawei;
pub(crate) mod requests;

use crate::fleet::ServiceModel;
use crate::metrics::Summary;
use crate::service_level::{ServiceLevel, ServiceLevelObjective};

/// How the fleets of a kernel's runs serve, and what it measures besides the summary.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KernelService {
    /// What happens to the requests the fleet cannot serve.
    pub model: ServiceModel,
    /// A mean service time (seconds) and the `[slo]` to measure the service level against, as
    /// [`crate::ServiceLevelSink`] measures it (a run for which it cannot be built gets none).
    pub service_level: Option<(f64, ServiceLevelObjective)>,
}

impl KernelService {
    /// Requests beyond capacity dropped, no service level measured.
    pub const THROTTLE: Self = Self {
        model: ServiceModel::Throttle,
        service_level: None,
    };
}

/// What a kernel gives of one run: what the general engine's sinks would have given.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunFigures {
    /// [`crate::SummarySink`]'s.
    pub summary: Summary,
    /// [`crate::ServiceLevelSink`]'s, when a service level is measured.
    pub service_level: Option<ServiceLevel>,
}
