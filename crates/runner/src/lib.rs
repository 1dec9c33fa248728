//! Everything of scalesim that touches the world: scenario and vendor files, load traces,
//! results on disk and plots. The model itself is `scalesim-core`.
//!
//! - [`Scenario::load`] reads a scenario TOML and the files it names (a trace CSV, the vendor's
//!   request bodies) and checks them into core types; every error names the file and the line or
//!   field.
//! - [`write_run`] runs a scenario and writes `timeseries.csv`, `events.csv`, `summary.json`,
//!   `instances.png`, `instances.svg` and `report.html`, each complete or not at all.
//! - [`read_trace`] turns a trace (a CSV, or a CloudWatch, Prometheus, Azure Monitor or Datadog
//!   export) into per-step demand; [`load_trace`] also says its form and wall-clock start.
//!
//! ```no_run
//! use std::path::Path;
//! use scalesim_runner::{Scenario, write_run};
//!
//! let scenario = Scenario::load(Path::new("scenarios/sagemaker-nasa.toml"))?;
//! let output = write_run(&scenario, Path::new("out/sagemaker-nasa"))?;
//! println!("{:.1} instance-hours", output.summary.instance_hours());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod compare;
mod compare_plot;
mod endpoint;
mod error;
pub mod human;
mod limits;
mod load;
mod output;
mod pareto_plot;
mod plot;
pub(crate) mod replicas;
mod report;
mod requests;
mod scenario;
mod staging;
mod sweep;
mod time_axis;
mod trace;
mod vendor_formats;

pub use crate::{
    compare::{COMPARE_FILES, ComparisonOutput, ComparisonRow, check_same_trace, compare},
    error::{
        CompareError, OutputError, ScenarioError, ShardFolder, ShardProblem, SweepError, TraceError,
    },
    load::{CombineSpec, DistributionSpec, SyntheticSpec, TermSpec},
    output::{
        EVENTS_HEADER, REQUEST_RUN_FILES, REQUEST_TIMESERIES_COLUMNS, RUN_FILES, RunOptions,
        RunOutput, TIMESERIES_HEADER, default_out_dir, same_file, write_run, write_run_with,
        write_trace,
    },
    replicas::Spread,
    report::REPORT_FILE,
    requests::{REQUESTS_HEADER, RequestModel, ServiceTimeSpec},
    scenario::{
        AutoscalerConfig, AutoscalerSpec, EndpointUpdateSpec, FleetSpec, InstanceTypeSpec,
        LoadSpec, ProductionVariantRun, ProvisioningSpec, Scenario, ScenarioSpec,
    },
    staging::check_output_folder,
    sweep::{
        Minimize, SWEEP_FILES, Shard, Sweep, SweepRow, SweepWritten, merge_shards, run_sweep,
        write_sweep,
    },
    trace::{
        ARRIVAL_COLUMN, GapPolicy, LoadedTrace, TraceArrivals, TraceForm, TraceOptions,
        ValueMeaning, load_bytes, load_trace, parse_trace, read_trace, read_trace_arrivals,
    },
};
