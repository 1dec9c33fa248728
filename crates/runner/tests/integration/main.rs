//! Integration tests of the `scalesim` binary and the runner library, one module per behaviour.

// Test helpers are test code: a failed fixture should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cli_compare;
mod cli_endpoint;
mod cli_errors;
mod cli_knative;
mod cli_merge;
mod cli_requests;
mod cli_run;
mod cli_sweep;
mod cli_vendors;
mod common;
mod determinism;
mod hostile_input;
mod kill;
mod load_models;
mod report;
mod traces;
