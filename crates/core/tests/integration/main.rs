//! Integration tests of the core model, one module per behaviour.

mod common;
mod properties;
mod target_tracking;
