//! What a run writes: `timeseries.csv`, `events.csv`, `summary.json`, `instances.png`,
//! `instances.svg` and `report.html`, into a staging folder swapped in for the output folder only
//! when every file is complete (`staging.rs`), so a failed or killed run leaves the old result or
//! the new one, whole.

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use scalesim_core::{
    Elasticity, ElasticitySink, RequestSummary, ScalingEvent, ServiceLevel, ServiceLevelSink, Sink,
    StepRecord, Summary, SummarySink,
};
use std::collections::BTreeMap;

use serde::Serialize;
use tempfile::NamedTempFile;

use crate::error::OutputError;
use crate::plot::{
    DemandUnits, EventMark, LatencySeries, PlotError, Timeline, render_latency_cdf_png,
    render_latency_cdf_svg, render_png, render_svg,
};
use crate::replicas::{Spread, replica_spreads};
use crate::report::{REPORT_FILE, RunReport};
use crate::requests::RequestsCsv;
use crate::scenario::{AutoscalerConfig, NoSink, Scenario};
use crate::staging::Staged;

/// Header of `timeseries.csv`: one row per step.
pub const TIMESERIES_HEADER: &str =
    "t_s,demand,in_service,desired,pending,served,unserved,backlog,capacity,metric";
/// Header of `events.csv`: one row per scaling action.
pub const EVENTS_HEADER: &str = "t_s,direction,from,to,reason";

/// The files a run writes, in the order they are written.
pub const RUN_FILES: [&str; 6] = [
    "timeseries.csv",
    "events.csv",
    "summary.json",
    "instances.png",
    "instances.svg",
    REPORT_FILE,
];

/// Columns `timeseries.csv` adds for request-level runs (docs/semantics/requests.md, 9).
pub const REQUEST_TIMESERIES_COLUMNS: &str =
    "latency_p50_s,latency_p95_s,latency_p99_s,in_flight,queued,failed,draining";

/// The files a request-level run adds: the latency CDF, and `requests.csv` when asked for.
pub const REQUEST_RUN_FILES: [&str; 3] = ["latency_cdf.png", "latency_cdf.svg", "requests.csv"];

/// What `write_run_with` writes beyond the files every run has.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunOptions {
    /// Write `requests.csv`, one row per request (request-level runs only).
    pub requests_csv: bool,
}

/// What a finished run reports.
#[derive(Debug, Clone)]
pub struct RunOutput {
    /// The run's figures.
    pub summary: Summary,
    /// The files written, in [`RUN_FILES`] order.
    pub files: Vec<PathBuf>,
    /// With `runs` > 1: per figure, its spread over the replicas.
    pub replicas: BTreeMap<&'static str, Spread>,
    /// An endpoint's run: each production variant's figures, in the endpoint config's order.
    pub variants: Vec<Summary>,
}

/// `summary.json`, keys in the order written.
#[derive(Debug, Serialize)]
struct SummaryJson<'a> {
    scenario: &'a str,
    autoscaler: &'a str,
    steps: u64,
    step_s: u64,
    duration_s: u64,
    instance_seconds: u64,
    instance_hours: f64,
    mean_in_service: f64,
    peak_in_service: u32,
    min_in_service: u32,
    demand_total: f64,
    served_total: f64,
    unserved_total: f64,
    unserved_fraction: f64,
    underprovisioned_steps: u64,
    underprovisioned_s: u64,
    backlog_end: f64,
    mean_queue_wait_s: f64,
    scale_out_events: u64,
    scale_in_events: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    price_per_hour: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cost: Option<f64>,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    service_level: Option<ServiceLevelJson>,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    elasticity: Option<ElasticityJson>,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    requests: Option<RequestsJson>,
    /// Replicas run; the figures above are replica 0's, whose timeline is written.
    runs: u32,
    /// Per figure, the mean and 5th/95th percentiles over the replicas (runs > 1).
    #[serde(skip_serializing_if = "BTreeMapIsEmpty::is_empty")]
    replicas: BTreeMap<&'static str, Spread>,
}

/// `skip_serializing_if` wants a path to a function of `&T`.
struct BTreeMapIsEmpty;

impl BTreeMapIsEmpty {
    fn is_empty(map: &BTreeMap<&'static str, Spread>) -> bool {
        map.is_empty()
    }
}

/// Latency and SLO keys of `summary.json`, when the scenario gives a service time.
#[derive(Debug, Serialize)]
struct ServiceLevelJson {
    /// The M/M/c estimate; request-level runs give their measured one with the requests' keys.
    #[serde(skip_serializing_if = "Option::is_none")]
    latency_mean_s: Option<f64>,
    overloaded_steps: u64,
    slo_violation_steps: u64,
    slo_violation_s: u64,
}

/// The request figures of `summary.json`, for request-level runs; a percentile of a run that
/// completed no request is absent rather than null.
#[derive(Debug, Serialize)]
struct RequestsJson {
    #[serde(skip_serializing_if = "Option::is_none")]
    latency_p50_s: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    latency_p90_s: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    latency_p99_s: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    latency_p999_s: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    latency_max_s: Option<f64>,
    #[serde(rename = "latency_mean_s", skip_serializing_if = "Option::is_none")]
    request_latency_mean_s: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    wait_mean_s: Option<f64>,
    requests_completed: u64,
    requests_failed: u64,
    requests_timed_out: u64,
    requests_rejected: u64,
    requests_no_instance: u64,
    requests_in_flight_end: u64,
}

impl From<RequestSummary> for RequestsJson {
    fn from(r: RequestSummary) -> Self {
        Self {
            latency_p50_s: r.latency_p50_s,
            latency_p90_s: r.latency_p90_s,
            latency_p99_s: r.latency_p99_s,
            latency_p999_s: r.latency_p999_s,
            latency_max_s: r.latency_max_s,
            request_latency_mean_s: r.latency_mean_s,
            wait_mean_s: r.wait_mean_s,
            requests_completed: r.completed,
            requests_failed: r.failed,
            requests_timed_out: r.timed_out,
            requests_rejected: r.rejected,
            requests_no_instance: r.no_instance,
            requests_in_flight_end: r.in_flight_end,
        }
    }
}

/// The SPEC RG elasticity metrics of `summary.json`, for request workloads.
#[derive(Debug, Serialize)]
struct ElasticityJson {
    under_provisioning_accuracy_pct: f64,
    over_provisioning_accuracy_pct: f64,
    under_provisioning_timeshare_pct: f64,
    over_provisioning_timeshare_pct: f64,
    instability_pct: f64,
    jitter_per_hour: f64,
}

impl From<ServiceLevel> for ServiceLevelJson {
    fn from(level: ServiceLevel) -> Self {
        Self {
            latency_mean_s: Some(level.latency_mean_s),
            overloaded_steps: level.overloaded_steps,
            slo_violation_steps: level.slo_violation_steps,
            slo_violation_s: level.slo_violation_s,
        }
    }
}

impl From<Elasticity> for ElasticityJson {
    fn from(e: Elasticity) -> Self {
        Self {
            under_provisioning_accuracy_pct: e.under_accuracy_pct,
            over_provisioning_accuracy_pct: e.over_accuracy_pct,
            under_provisioning_timeshare_pct: e.under_timeshare_pct,
            over_provisioning_timeshare_pct: e.over_timeshare_pct,
            instability_pct: e.instability_pct,
            jitter_per_hour: e.jitter_per_hour,
        }
    }
}

impl<'a> SummaryJson<'a> {
    fn new(
        scenario: &'a Scenario,
        summary: &Summary,
        service_level: Option<ServiceLevel>,
        elasticity: Option<Elasticity>,
    ) -> Self {
        Self {
            scenario: &scenario.name,
            autoscaler: scenario.autoscaler.kind(),
            steps: summary.steps,
            step_s: scenario.demand.step_s(),
            duration_s: summary.duration_s,
            instance_seconds: summary.instance_seconds,
            instance_hours: summary.instance_hours(),
            mean_in_service: summary.mean_in_service(),
            peak_in_service: summary.peak_in_service,
            min_in_service: summary.min_in_service,
            demand_total: summary.demand_total,
            served_total: summary.served_total,
            unserved_total: summary.unserved_total,
            unserved_fraction: summary.unserved_fraction(),
            underprovisioned_steps: summary.underprovisioned_steps,
            underprovisioned_s: summary.underprovisioned_s(),
            backlog_end: summary.backlog_end,
            mean_queue_wait_s: summary.mean_queue_wait_s(),
            scale_out_events: summary.scale_out_events,
            scale_in_events: summary.scale_in_events,
            price_per_hour: scenario.price_per_hour,
            cost: scenario.cost(summary),
            service_level: service_level.map(|level| {
                let mut json = ServiceLevelJson::from(level);
                if summary.requests.is_some() {
                    json.latency_mean_s = None;
                }
                json
            }),
            elasticity: elasticity.map(ElasticityJson::from),
            requests: summary.requests.map(RequestsJson::from),
            runs: scenario.runs,
            replicas: BTreeMap::new(),
        }
    }
}

/// The name of the file that `file_name` is the temporary name of, while [`Pending`] writes it
/// (`.NAME.` and six random letters or digits, tempfile's form), if it is one.
pub(crate) fn pending_target(file_name: &str) -> Option<&str> {
    let (name, suffix) = file_name.strip_prefix('.')?.rsplit_once('.')?;
    (suffix.len() == 6 && suffix.bytes().all(|b| b.is_ascii_alphanumeric())).then_some(name)
}

/// A file being written in the output folder under a temporary name.
pub(crate) struct Pending {
    file: BufWriter<NamedTempFile>,
    path: PathBuf,
}

impl Pending {
    /// Where the file goes once persisted.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn create(dir: &Path, name: &str) -> Result<Self, OutputError> {
        let path = dir.join(name);
        let prefix = format!(".{name}.");
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix);
        // Temp files are private by default; results are ordinary files, readable as such.
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644));
        let temp = builder
            .tempfile_in(dir)
            .map_err(|error| OutputError::Write {
                path: path.clone(),
                error,
            })?;
        Ok(Self {
            file: BufWriter::new(temp),
            path,
        })
    }

    pub(crate) fn write_all(&mut self, bytes: &[u8]) -> Result<(), OutputError> {
        self.file
            .write_all(bytes)
            .map_err(|error| OutputError::Write {
                path: self.path.clone(),
                error,
            })
    }

    /// Flushes the file and renames it to its real name.
    pub(crate) fn persist(self) -> Result<PathBuf, OutputError> {
        let write_error = |error| OutputError::Write {
            path: self.path.clone(),
            error,
        };
        let temp = self
            .file
            .into_inner()
            .map_err(|err| write_error(err.into_error()))?;
        temp.as_file().sync_all().map_err(write_error)?;
        temp.persist(&self.path)
            .map_err(|err| write_error(err.error))?;
        Ok(self.path)
    }
}

/// Streams `timeseries.csv` and `events.csv` and keeps the first write error.
pub(crate) struct CsvSink {
    pub(crate) timeseries: Pending,
    pub(crate) events: Pending,
    pub(crate) error: Option<OutputError>,
}

impl CsvSink {
    fn keep_error(&mut self, result: io::Result<()>, path: &Path) {
        if let Err(error) = result
            && self.error.is_none()
        {
            self.error = Some(OutputError::Write {
                path: path.to_owned(),
                error,
            });
        }
    }
}

impl Sink for CsvSink {
    fn on_step(&mut self, record: &StepRecord) {
        let file = &mut self.timeseries.file;
        let mut result = write!(
            file,
            "{},{},{},{},{},{},{},{},{},",
            record.t_s,
            record.demand,
            record.in_service,
            record.desired,
            record.pending,
            record.served,
            record.unserved,
            record.backlog,
            record.capacity,
        );
        if result.is_ok()
            && let Some(metric) = record.metric
        {
            result = write!(file, "{metric}");
        }
        if result.is_ok()
            && let Some(requests) = &record.requests
        {
            let latency = |value: Option<f64>| value.map(|v| v.to_string()).unwrap_or_default();
            result = write!(
                file,
                ",{},{},{},{},{},{},{}",
                latency(requests.latency_p50_s),
                latency(requests.latency_p95_s),
                latency(requests.latency_p99_s),
                requests.in_flight.step,
                requests.queued,
                requests.failed,
                requests.draining,
            );
        }
        if result.is_ok()
            && let Some(panic) = record.panic
        {
            result = write!(file, ",{}", u8::from(panic));
        }
        if result.is_ok() {
            result = file.write_all(b"\n");
        }
        let path = self.timeseries.path.clone();
        self.keep_error(result, &path);
    }

    fn on_scaling(&mut self, event: &ScalingEvent) {
        let result = writeln!(self.events.file, "{},{}", event.t_s, event_fields(event));
        let path = self.events.path.clone();
        self.keep_error(result, &path);
    }
}

/// An event's `events.csv` fields after `t_s`: direction, from, to and the reason.
pub(crate) fn event_fields(event: &ScalingEvent) -> String {
    let direction = match event.to.cmp(&event.from) {
        std::cmp::Ordering::Greater => "out",
        std::cmp::Ordering::Less => "in",
        std::cmp::Ordering::Equal => "none",
    };
    // The reason is prose: quote it as CSV does, doubling inner quotes.
    format!(
        "{direction},{},{},\"{}\"",
        event.from,
        event.to,
        event.reason.to_string().replace('"', "\"\"")
    )
}

/// The sinks a scenario asks for beyond the summary: latency and SLO with a service time,
/// elasticity for request workloads.
pub(crate) struct ExtraSinks {
    pub(crate) service_level: Option<ServiceLevelSink>,
    pub(crate) elasticity: Option<ElasticitySink>,
}

impl ExtraSinks {
    pub(crate) fn for_scenario(scenario: &Scenario) -> Self {
        let mut sinks = Self::for_variant(scenario, scenario.fleet.capacity_per_instance_per_min);
        if !scenario.autoscaler.serves_sessions() {
            sinks.elasticity = Some(ElasticitySink::new(
                scenario.fleet.capacity_per_instance_per_min,
            ));
        }
        sinks
    }

    /// Only the latency and SLO sink, for a variant of `scenario` whose instances serve
    /// `capacity` a minute: what a sweep's result rows need.
    pub(crate) fn for_variant(scenario: &Scenario, capacity: f64) -> Self {
        let slo_given =
            scenario.slo.latency_s.is_some() || scenario.slo.max_unserved_fraction.is_some();
        let service_level = match (&scenario.requests, scenario.service_time_s) {
            // Request-level runs report their measured latency anyway; an [slo] adds its checks.
            (Some(_), _) if slo_given => ServiceLevelSink::measured(scenario.slo).ok(),
            (Some(_), _) => None,
            (None, Some(service_time_s)) => {
                ServiceLevelSink::new(service_time_s, capacity, scenario.slo).ok()
            }
            (None, None) => None,
        };
        Self {
            service_level,
            elasticity: None,
        }
    }
}

impl Sink for ExtraSinks {
    fn on_step(&mut self, record: &StepRecord) {
        if let Some(sink) = &mut self.service_level {
            sink.on_step(record);
        }
        if let Some(sink) = &mut self.elasticity {
            sink.on_step(record);
        }
    }
}

/// Collects what the plots show.
#[derive(Default)]
struct TimelineSink {
    timeline: Timeline,
}

impl Sink for TimelineSink {
    fn on_step(&mut self, record: &StepRecord) {
        let timeline = &mut self.timeline;
        timeline.step_s = record.step_s;
        timeline.arrivals_total += record.demand;
        match record.active_sessions {
            Some(active) => {
                timeline.units = DemandUnits::Sessions;
                timeline.demand.push(f64::from(active));
            }
            None => timeline.demand.push(record.demand),
        }
        timeline.capacity.push(record.capacity);
        timeline.unserved.push(record.unserved);
        if let Some(requests) = &record.requests {
            let series = timeline.latency.get_or_insert_with(LatencySeries::default);
            let seconds = |value: Option<f64>| value.unwrap_or(f64::NAN);
            series.p50_s.push(seconds(requests.latency_p50_s));
            series.p95_s.push(seconds(requests.latency_p95_s));
            series.p99_s.push(seconds(requests.latency_p99_s));
        }
        timeline.in_service.push(record.in_service);
        timeline.desired.push(record.desired);
    }

    fn on_scaling(&mut self, event: &ScalingEvent) {
        self.timeline.events.push(EventMark {
            t_s: event.t_s,
            from: event.from,
            to: event.to,
        });
    }
}

/// Runs `scenario` and writes its results into `out_dir`, creating it if needed.
pub fn write_run(scenario: &Scenario, out_dir: &Path) -> Result<RunOutput, OutputError> {
    write_run_with(scenario, out_dir, RunOptions::default())
}

/// [`write_run`], with the files `options` adds.
pub fn write_run_with(
    scenario: &Scenario,
    out_dir: &Path,
    options: RunOptions,
) -> Result<RunOutput, OutputError> {
    if options.requests_csv && scenario.requests.is_none() {
        return Err(OutputError::Build {
            path: scenario.path.clone(),
            reason: scalesim_core::BuildError::Field {
                field: "service.model",
                expected: "\"requests\" for --requests, which writes one row per request".into(),
                got: "a fluid model".into(),
            },
        });
    }
    if !scenario.production_variants.is_empty() {
        return crate::endpoint::write_endpoint_run(scenario, out_dir);
    }
    let staged = Staged::begin(out_dir)?;
    let (run, files) = write_run_files(scenario, staged.dir(), options, &mut NoSink)?;
    Ok(RunOutput {
        files: staged.finish(files)?,
        ..run
    })
}

/// Runs `scenario` and writes its files into the existing folder `out_dir`, handing every
/// step and event to `also` too; the files are left pending, for the caller to persist.
pub(crate) fn write_run_files(
    scenario: &Scenario,
    out_dir: &Path,
    options: RunOptions,
    also: &mut impl Sink,
) -> Result<(RunOutput, Vec<Pending>), OutputError> {
    let mut csv = CsvSink {
        timeseries: Pending::create(out_dir, RUN_FILES[0])?,
        events: Pending::create(out_dir, RUN_FILES[1])?,
        error: None,
    };
    let mut header = match scenario.requests {
        Some(_) => format!("{TIMESERIES_HEADER},{REQUEST_TIMESERIES_COLUMNS}"),
        None => TIMESERIES_HEADER.to_owned(),
    };
    // Autoscalers with a panic mode (the KPA) say each step whether they are in it.
    if matches!(scenario.autoscaler, AutoscalerConfig::KnativeKpa(_)) {
        header.push_str(",panic");
    }
    header.push('\n');
    csv.timeseries.write_all(header.as_bytes())?;
    csv.events
        .write_all(format!("{EVENTS_HEADER}\n").as_bytes())?;
    let mut requests_file = if options.requests_csv {
        Some(Pending::create(out_dir, REQUEST_RUN_FILES[2])?)
    } else {
        None
    };
    let mut requests_csv = requests_file
        .as_mut()
        .map(|file| RequestsCsv::new(&mut file.file));
    let mut summary = SummarySink::new();
    let mut timeline = TimelineSink::default();
    let mut extra = ExtraSinks::for_scenario(scenario);
    let mut report = RunReport::new(scenario.demand.steps() as u64).with_start(scenario.start);
    scenario
        .simulate(&mut (
            &mut csv,
            (&mut summary, &mut requests_csv),
            (&mut timeline, (&mut extra, (&mut report, also))),
        ))
        .map_err(|reason| OutputError::Build {
            path: scenario.path.clone(),
            reason,
        })?;
    if let Some(err) = csv.error {
        return Err(err);
    }
    if let Some(writer) = requests_csv {
        writer.finish().map_err(|error| OutputError::Write {
            path: out_dir.join(REQUEST_RUN_FILES[2]),
            error,
        })?;
    }
    let summary = summary.summary().ok_or_else(|| OutputError::Build {
        path: scenario.path.clone(),
        reason: scalesim_core::BuildError::EmptyDemand,
    })?;

    let mut summary_file = Pending::create(out_dir, RUN_FILES[2])?;
    let mut summary_json = SummaryJson::new(
        scenario,
        &summary,
        extra
            .service_level
            .as_ref()
            .map(ServiceLevelSink::service_level),
        extra
            .elasticity
            .as_ref()
            .and_then(ElasticitySink::elasticity),
    );
    if scenario.runs > 1 {
        summary_json.replicas = replica_spreads(scenario)?.into_iter().collect();
    }
    let replicas = summary_json.replicas.clone();
    let json = serde_json::to_value(&summary_json).map_err(|err| OutputError::Write {
        path: summary_file.path.clone(),
        error: err.into(),
    })?;
    // JSON has no NaN or infinity: serde would write null. The limits keep every figure finite;
    // should one slip through, no file is better than a figure that silently reads as missing.
    if let Some(figure) = first_null(&json, "") {
        return Err(OutputError::NotFinite {
            path: scenario.path.clone(),
            figure,
        });
    }
    let mut report_file = Pending::create(out_dir, REPORT_FILE)?;
    report_file.write_all(
        report
            .html(&scenario.name, scenario.autoscaler.kind(), &json)
            .as_bytes(),
    )?;
    let json = serde_json::to_string_pretty(&json).map_err(|err| OutputError::Write {
        path: summary_file.path.clone(),
        error: err.into(),
    })?;
    summary_file.write_all(json.as_bytes())?;
    summary_file.write_all(b"\n")?;

    timeline.timeline.start = scenario.start;
    let png = plot_file(out_dir, RUN_FILES[3], || {
        render_png(&timeline.timeline, &scenario.name)
    })?;
    let svg = plot_file(out_dir, RUN_FILES[4], || {
        render_svg(&timeline.timeline, &scenario.name).map(String::into_bytes)
    })?;

    let mut files = vec![
        csv.timeseries,
        csv.events,
        summary_file,
        png,
        svg,
        report_file,
    ];
    if let Some(requests) = &summary.requests {
        files.push(plot_file(out_dir, REQUEST_RUN_FILES[0], || {
            render_latency_cdf_png(requests, &scenario.name)
        })?);
        files.push(plot_file(out_dir, REQUEST_RUN_FILES[1], || {
            render_latency_cdf_svg(requests, &scenario.name).map(String::into_bytes)
        })?);
    }
    files.extend(requests_file);
    Ok((
        RunOutput {
            summary,
            files: Vec::new(),
            replicas,
            variants: Vec::new(),
        },
        files,
    ))
}

/// The figures `summary.json` gives for `summary`, a run of `scenario`, without latency.
pub(crate) fn summary_value(scenario: &Scenario, summary: &Summary) -> serde_json::Value {
    serde_json::to_value(SummaryJson::new(scenario, summary, None, None)).unwrap_or_default()
}

/// The key path of the first null in `value`, if any.
pub(crate) fn first_null(value: &serde_json::Value, at: &str) -> Option<String> {
    match value {
        serde_json::Value::Null => Some(at.to_owned()),
        serde_json::Value::Object(map) => map.iter().find_map(|(key, value)| {
            let path = if at.is_empty() {
                key.clone()
            } else {
                format!("{at}.{key}")
            };
            first_null(value, &path)
        }),
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(index, item)| first_null(item, &format!("{at}[{index}]"))),
        _ => None,
    }
}

/// A plot drawn by `render` into a pending file `name` of `dir`.
pub(crate) fn plot_file(
    dir: &Path,
    name: &str,
    render: impl FnOnce() -> Result<Vec<u8>, PlotError>,
) -> Result<Pending, OutputError> {
    let mut file = Pending::create(dir, name)?;
    let bytes = render().map_err(|err| OutputError::Plot {
        path: file.path.clone(),
        message: err.to_string(),
    })?;
    file.write_all(&bytes)?;
    Ok(file)
}

/// The summary figures as CSV columns, for one row per run (`comparison.csv`, sweeps).
pub(crate) const SUMMARY_CSV_HEADER: &str = "steps,duration_s,instance_seconds,instance_hours,\
mean_in_service,peak_in_service,min_in_service,demand_total,served_total,unserved_total,\
unserved_fraction,underprovisioned_steps,underprovisioned_s,backlog_end,mean_queue_wait_s,\
scale_out_events,scale_in_events";

/// One run's values for [`SUMMARY_CSV_HEADER`].
pub(crate) fn summary_csv_values(summary: &Summary) -> String {
    format!(
        "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
        summary.steps,
        summary.duration_s,
        summary.instance_seconds,
        summary.instance_hours(),
        summary.mean_in_service(),
        summary.peak_in_service,
        summary.min_in_service,
        summary.demand_total,
        summary.served_total,
        summary.unserved_total,
        summary.unserved_fraction(),
        summary.underprovisioned_steps,
        summary.underprovisioned_s(),
        summary.backlog_end,
        summary.mean_queue_wait_s(),
        summary.scale_out_events,
        summary.scale_in_events,
    )
}

/// Writes the demand replica `replica` of `scenario` replays to `path` as a trace CSV
/// (`t_s,requests`, one row per step, readable back as a trace), with the noiseless `expected`
/// arrivals beside them for synthetic load.
pub fn write_trace(scenario: &Scenario, replica: u64, path: &Path) -> Result<(), OutputError> {
    let step_s = scenario.demand.step_s();
    let generated;
    let demand = match (&scenario.synthetic, replica) {
        (Some(load), 1..) => {
            generated = load
                .generate(step_s, scenario.seed, replica)
                .map_err(|reason| OutputError::Build {
                    path: scenario.path.clone(),
                    reason,
                })?;
            &generated
        }
        _ => &scenario.demand,
    };
    let expected = scenario
        .synthetic
        .as_ref()
        .map(|load| load.expected(step_s));
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let name = path.file_name().map_or_else(
        || "trace.csv".to_owned(),
        |name| name.to_string_lossy().into_owned(),
    );
    check_trace_target(scenario, path)?;
    std::fs::create_dir_all(dir).map_err(|error| OutputError::Write {
        path: dir.to_owned(),
        error,
    })?;
    remove_abandoned_temp_files(dir, &name);
    let mut file = Pending::create(dir, &name)?;
    let mut text = String::from(if expected.is_some() {
        "t_s,requests,expected\n"
    } else {
        "t_s,requests\n"
    });
    for (step, arrivals) in demand.as_slice().iter().enumerate() {
        let t_s = step as u64 * step_s;
        match expected.as_ref().and_then(|e| e.get(step)) {
            Some(expected) => text.push_str(&format!("{t_s},{arrivals},{expected}\n")),
            None => text.push_str(&format!("{t_s},{arrivals}\n")),
        }
    }
    file.write_all(text.as_bytes())?;
    file.persist()?;
    Ok(())
}

/// Whether `a` and `b` name one existing file, by whatever paths.
pub fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Refuses to write a trace over a file `scalesim trace` did not write (its first line is not
/// one of the headers it writes), or over the scenario's own files: as `run` and `sweep` keep
/// to folders that hold only their own files, `trace` never destroys what a user wrote.
fn check_trace_target(scenario: &Scenario, path: &Path) -> Result<(), OutputError> {
    let refuse = |message: String| OutputError::Folder {
        path: path.to_owned(),
        message,
    };
    let Ok(metadata) = std::fs::metadata(path) else {
        return Ok(());
    };
    if !metadata.is_file() {
        return Err(refuse(
            "is a folder or not a regular file: name the CSV file to write".into(),
        ));
    }
    let input = |other: &Path| same_file(other, path);
    if input(&scenario.path) || scenario.trace_path.as_deref().is_some_and(input) {
        return Err(refuse(format!(
            "is an input of {}: write the trace to another file",
            scenario.path.display()
        )));
    }
    let mut first_line = String::new();
    let header = std::fs::File::open(path)
        .and_then(|file| {
            std::io::BufRead::read_line(&mut std::io::BufReader::new(file), &mut first_line)
        })
        .map(|_| first_line.trim_end_matches(['\n', '\r']));
    match header {
        Ok("t_s,requests" | "t_s,requests,expected") => Ok(()),
        _ => Err(refuse(
            "exists and is not a trace scalesim wrote (its first line is not t_s,requests): \
             remove it or write to another file"
                .into(),
        )),
    }
}

/// Removes what a killed `scalesim trace` left of `name` in `dir`: `.NAME.XXXXXX`, the temp
/// name [`Pending`] gives a file until it is complete. A concurrent writer of the same file
/// would lose its temp file and fail with an error, never a wrong file.
fn remove_abandoned_temp_files(dir: &Path, name: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let is_temp = file_name.to_str().and_then(pending_target) == Some(name);
        if is_temp && entry.file_type().is_ok_and(|kind| kind.is_file()) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// The folder a run writes to when none is given: `out/<scenario name>/`.
pub fn default_out_dir(scenario: &Scenario) -> PathBuf {
    Path::new("out").join(&scenario.name)
}
