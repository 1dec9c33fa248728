//! Structure-aware fuzzing of scalesim's inputs (issue #11), on the stable toolchain.
//!
//! - [`generate_case`] draws a whole input set from a seed and a case number: a scenario TOML
//!   with its vendor JSON or YAML and trace (a CSV, or a CloudWatch, Prometheus, Azure Monitor
//!   or Datadog export), a sweep file, or a trace alone. It starts from
//!   the shipped, valid files and mutates them structurally (hostile numbers, dropped and
//!   duplicated keys, deep nesting, huge arrays, long and non-ASCII strings) and byte by byte.
//! - [`run_case`] writes a case to a folder and drives the library calls the `scalesim`
//!   command line makes (`Scenario::load`, `write_run`, `Sweep::load`, `Sweep::run`,
//!   `write_sweep`, `merge_shards`, `write_trace`, `read_trace`), then checks the oracles:
//!   a refused input says why and leaves no output; an accepted one writes every file it reports
//!   with finite figures that agree with its trace.
//! - [`supervise`] runs cases in a worker process ([`run_worker`]) and survives its panics,
//!   aborts and hangs, saving each failing case with the reason.
//! - [`LimitedAllocator`] is the global allocator of the `scalesim-fuzz` binary: it aborts
//!   with a clear message before live allocations pass 4 GiB.
//!
//! ```no_run
//! use std::path::PathBuf;
//! use std::time::Duration;
//! use scalesim_fuzz::{FuzzConfig, supervise};
//!
//! let config = FuzzConfig {
//!     seed: 0,
//!     first_case: 0,
//!     cases: 100,
//!     timeout: Duration::from_secs(20),
//!     failures_dir: PathBuf::from("fuzz-failures"),
//!     worker_exe: PathBuf::from("target/release/scalesim-fuzz"),
//!     injections: Vec::new(),
//! };
//! let report = supervise(&config, &mut |_| {})?;
//! print!("{}", report.summary());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod execute;
mod exports;
mod generate;
mod limit_alloc;
mod mutate;
mod supervise;
mod templates;
mod tree;

pub use crate::{
    execute::{Failure, FailureClass, Verdict, run_case},
    generate::{Action, Case, CaseFile, InputKind, KnownTrace, generate_case},
    limit_alloc::{ALLOCATION_LIMIT_MESSAGE, LimitedAllocator},
    supervise::{
        CaseOutcome, FuzzConfig, FuzzReport, Injection, KindCounts, WORKER_ERROR, run_worker,
        supervise,
    },
    templates::AutoscalerKind,
};
