//! Sweep kernels: one per autoscaler, each the general engine ([`crate::Simulation`] with the
//! autoscaler, a [`crate::Fleet`] and a [`crate::SummarySink`]) reduced to the state a sweep's
//! runs need, so that thousands of policies over one trace cost little more than reading it.
//!
//! **Invariant:** a kernel gives the general engine's [`crate::Summary`] bit for bit, for every
//! run it accepts; it says `None` for a run it does not cover, and the caller then runs the
//! general engine. Property tests (`crates/core/tests/integration/properties.rs`) hold each
//! kernel to that on random policies and traces.

pub(crate) mod aws;
pub(crate) mod hpa;
