//! Integration tests of the core model, one module per behaviour.

// Test helpers are test code: a failed fixture should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod aws_policies;
mod azure;
mod common;
mod hpa;
mod huawei;
mod knative;
mod properties;
mod requests;
mod target_tracking;
