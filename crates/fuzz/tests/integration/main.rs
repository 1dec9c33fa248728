//! The harness run for a bounded number of cases, as CI runs it: `cargo test -p scalesim-fuzz`.

mod bounded;
