//! Integration tests of the `scalesim` binary and the runner library, one module per behaviour.

mod cli_errors;
mod cli_run;
mod common;
mod determinism;
