//! The harness through its real worker binary, as CI runs it: `cargo test -p scalesim-fuzz`.

mod bounded;
mod supervisor;
