//! `[service] model = "requests"` as written, checked into the core's [`RequestConfig`], and
//! `requests.csv`, one row per request (docs/semantics/requests.md).

use std::io::Write;
use std::path::{Path, PathBuf};

use scalesim_core::{
    Arrivals, Demand, RequestConfig, RequestRecord, Routing, ServiceTime, Sink, StepRecord,
};
use serde::Deserialize;

use crate::error::ScenarioError;
use crate::limits::{MAX_TRACE_BYTES, MAX_TRACE_ROWS, read_bounded};
use crate::trace::TraceArrivals;

/// `[service.time]`: the service-time model of the request-level engine.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceTimeSpec {
    /// `fixed`, `exponential`, `lognormal`, `gamma`, `empirical` or `linear`.
    pub distribution: String,
    /// Mean service time, seconds (all but `empirical` and `linear`).
    pub mean_s: Option<f64>,
    /// Standard deviation of the log (`lognormal`).
    pub sigma: Option<f64>,
    /// Shape (`gamma`).
    pub shape: Option<f64>,
    /// A CSV of measured service times, seconds (`empirical`), relative to the scenario.
    pub file: Option<PathBuf>,
    /// Seconds every request takes besides its columns (`linear`).
    pub overhead_s: Option<f64>,
    /// Seconds per unit of the trace's `input_tokens` column (`linear`).
    pub s_per_input_token: Option<f64>,
    /// Seconds per unit of the trace's `output_tokens` column (`linear`).
    pub s_per_output_token: Option<f64>,
    /// Seconds per unit of any other column (`linear`), `{ column = seconds }`.
    pub s_per: Option<toml::Table>,
}

/// The request-level settings of a scenario: the engine's configuration and where its
/// arrivals come from.
#[derive(Debug, Clone)]
pub struct RequestModel {
    /// The engine's settings; `seed` is the scenario's, `replica` set per run.
    pub config: RequestConfig,
    /// The arrivals of the trace, or `None` when they are the demand's counts per step
    /// (synthetic load, drawn again for each replica).
    pub trace: Option<TraceArrivals>,
    /// The `empirical` model's file, which a sweep's shards fingerprint with the other inputs.
    pub service_time_file: Option<PathBuf>,
}

impl RequestModel {
    /// The arrivals of a run whose demand per step is `demand`.
    pub(crate) fn arrivals<'a>(&'a self, demand: &'a Demand) -> Arrivals<'a> {
        match &self.trace {
            Some(TraceArrivals::Requests(trace)) => Arrivals::Trace(trace),
            Some(TraceArrivals::Counts { bucket_s, counts }) => Arrivals::Counts {
                bucket_s: *bucket_s,
                counts,
            },
            None => Arrivals::Counts {
                bucket_s: demand.step_s(),
                counts: demand.as_slice(),
            },
        }
    }

    /// The configuration of replica `replica`.
    pub(crate) fn config_for(&self, replica: u64) -> RequestConfig {
        RequestConfig {
            replica,
            ..self.config.clone()
        }
    }
}

fn field_error(path: &Path, field: &str, message: String) -> ScenarioError {
    ScenarioError::Field {
        path: path.to_owned(),
        field: field.to_owned(),
        message,
    }
}

/// The per-request columns `spec` reads, in the order the linear model sums them.
pub(crate) fn columns(spec: &ServiceTimeSpec) -> Vec<String> {
    let mut columns = Vec::new();
    if spec.s_per_input_token.is_some() {
        columns.push("input_tokens".to_owned());
    }
    if spec.s_per_output_token.is_some() {
        columns.push("output_tokens".to_owned());
    }
    if let Some(table) = &spec.s_per {
        columns.extend(table.keys().cloned());
    }
    columns
}

/// Checks `[service.time]` into a [`ServiceTime`]; `path` is the scenario's, for errors and
/// for the `empirical` file.
pub(crate) fn service_time(
    spec: &ServiceTimeSpec,
    path: &Path,
) -> Result<ServiceTime, ScenarioError> {
    let key = |name: &str| format!("service.time.{name}");
    let given: [(&str, bool); 8] = [
        ("mean_s", spec.mean_s.is_some()),
        ("sigma", spec.sigma.is_some()),
        ("shape", spec.shape.is_some()),
        ("file", spec.file.is_some()),
        ("overhead_s", spec.overhead_s.is_some()),
        ("s_per_input_token", spec.s_per_input_token.is_some()),
        ("s_per_output_token", spec.s_per_output_token.is_some()),
        ("s_per", spec.s_per.is_some()),
    ];
    let (needs, allows): (&[&str], &[&str]) = match spec.distribution.as_str() {
        "fixed" | "exponential" => (&["mean_s"], &["mean_s"]),
        "lognormal" => (&["mean_s", "sigma"], &["mean_s", "sigma"]),
        "gamma" => (&["mean_s", "shape"], &["mean_s", "shape"]),
        "empirical" => (&["file"], &["file"]),
        "linear" => (
            &[],
            &[
                "overhead_s",
                "s_per_input_token",
                "s_per_output_token",
                "s_per",
            ],
        ),
        other => {
            return Err(field_error(
                path,
                "service.time.distribution",
                format!(
                    "must be \"fixed\", \"exponential\", \"lognormal\", \"gamma\", \
                     \"empirical\" or \"linear\", got {other:?}"
                ),
            ));
        }
    };
    for (name, present) in given {
        if present && !allows.contains(&name) {
            return Err(field_error(
                path,
                &key(name),
                format!(
                    "is not a parameter of distribution = {:?} (it takes {})",
                    spec.distribution,
                    allows.join(", ")
                ),
            ));
        }
    }
    if let Some(missing) = needs.iter().find(|name| {
        !given
            .iter()
            .any(|(given, present)| given == *name && *present)
    }) {
        return Err(field_error(
            path,
            &key(missing),
            format!("is required with distribution = {:?}", spec.distribution),
        ));
    }
    let number = |value: Option<f64>| value.unwrap_or(f64::NAN);
    let built = match spec.distribution.as_str() {
        "fixed" => ServiceTime::fixed(number(spec.mean_s)),
        "exponential" => ServiceTime::exponential(number(spec.mean_s)),
        "lognormal" => ServiceTime::lognormal(number(spec.mean_s), number(spec.sigma)),
        "gamma" => ServiceTime::gamma(number(spec.mean_s), number(spec.shape)),
        "empirical" => {
            let file = path
                .parent()
                .unwrap_or(Path::new(""))
                .join(spec.file.as_deref().unwrap_or(Path::new("")));
            ServiceTime::empirical(read_service_times(&file)?)
        }
        _ => {
            let mut terms = Vec::new();
            let mut keys = Vec::new();
            if let Some(per_token) = spec.s_per_input_token {
                terms.push(("input_tokens".to_owned(), per_token));
                keys.push("service.time.s_per_input_token".to_owned());
            }
            if let Some(per_token) = spec.s_per_output_token {
                terms.push(("output_tokens".to_owned(), per_token));
                keys.push("service.time.s_per_output_token".to_owned());
            }
            for (column, value) in spec.s_per.iter().flatten() {
                let per_unit = value
                    .as_float()
                    .or_else(|| value.as_integer().map(|i| i as f64));
                let key = format!("service.time.s_per.{column}");
                let Some(per_unit) = per_unit else {
                    return Err(field_error(
                        path,
                        &key,
                        format!("must be a number of seconds per unit, got {value}"),
                    ));
                };
                terms.push((column.clone(), per_unit));
                keys.push(key);
            }
            if let Some((key, (_, per_unit))) = keys
                .iter()
                .zip(&terms)
                .find(|(_, (_, per_unit))| !(per_unit.is_finite() && *per_unit >= 0.0))
            {
                return Err(field_error(
                    path,
                    key,
                    format!("must be a finite number of seconds per unit >= 0, got {per_unit}"),
                ));
            }
            if terms.is_empty() && spec.overhead_s.is_none() {
                return Err(field_error(
                    path,
                    "service.time",
                    "distribution = \"linear\" needs overhead_s, s_per_input_token, \
                     s_per_output_token or s_per"
                        .into(),
                ));
            }
            ServiceTime::linear(spec.overhead_s.unwrap_or(0.0), terms)
        }
    };
    built.map_err(|err| match err {
        scalesim_core::BuildError::Field {
            field,
            expected,
            got,
        } => field_error(path, field, format!("must be {expected}, got {got}")),
        other => field_error(path, "service.time", other.to_string()),
    })
}

/// The service times of an `empirical` file: its `service_s` column, or its first.
fn read_service_times(file: &Path) -> Result<Vec<f64>, ScenarioError> {
    let bytes = read_bounded(file, MAX_TRACE_BYTES, "a service-time file")?;
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(bytes.as_slice());
    let error = |line: u64, message: String| ScenarioError::Field {
        path: file.to_owned(),
        field: format!("line {line}"),
        message,
    };
    let headers = reader
        .headers()
        .map_err(|err| error(1, err.to_string()))?
        .clone();
    let column = headers.iter().position(|h| h == "service_s").unwrap_or(0);
    let name = headers.get(column).unwrap_or_default().to_owned();
    let mut values = Vec::new();
    let mut record = csv::StringRecord::new();
    while reader.read_record(&mut record).map_err(|err| {
        error(
            err.position().map_or(1, csv::Position::line),
            err.to_string(),
        )
    })? {
        let line = record.position().map_or(0, csv::Position::line);
        let text = record.get(column).unwrap_or_default();
        let value: f64 = text.parse().map_err(|_| {
            error(
                line,
                format!("{name}: expected service time in seconds, got {text:?}"),
            )
        })?;
        if !(value.is_finite() && value >= 0.0) {
            return Err(error(
                line,
                format!("{name}: expected a finite number of seconds >= 0, got {text:?}"),
            ));
        }
        if values.len() as u64 >= MAX_TRACE_ROWS {
            return Err(error(line, format!("more than {MAX_TRACE_ROWS} rows")));
        }
        values.push(value);
    }
    if values.is_empty() {
        return Err(error(1, "no service time: a header but no rows".into()));
    }
    Ok(values)
}

/// `routing` as written.
pub(crate) fn routing(text: Option<&str>, path: &Path) -> Result<Routing, ScenarioError> {
    match text {
        None | Some("least-outstanding") => Ok(Routing::LeastOutstanding),
        Some("random") => Ok(Routing::Random),
        Some("packing") => Ok(Routing::Packing),
        Some(other) => Err(field_error(
            path,
            "service.routing",
            format!("must be \"least-outstanding\", \"random\" or \"packing\", got {other:?}"),
        )),
    }
}

/// Header of `requests.csv`.
pub const REQUESTS_HEADER: &str = "request,arrival_s,start_s,end_s,instance,outcome";

/// Nanoseconds as the exact decimal of their seconds: `1500000000` → `1.5`.
pub(crate) fn exact_seconds(ns: u64) -> String {
    let (whole, fraction) = (ns / 1_000_000_000, ns % 1_000_000_000);
    if fraction == 0 {
        return whole.to_string();
    }
    let digits = format!("{fraction:09}");
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

/// Writes `requests.csv` as the requests' fates become known; the first write error is kept.
pub(crate) struct RequestsCsv<W: Write> {
    out: W,
    error: Option<std::io::Error>,
}

impl<W: Write> RequestsCsv<W> {
    pub(crate) fn new(mut out: W) -> Self {
        let error = writeln!(out, "{REQUESTS_HEADER}").err();
        Self { out, error }
    }

    /// The writer, or the first error met.
    pub(crate) fn finish(mut self) -> Result<W, std::io::Error> {
        match self.error.take() {
            Some(error) => Err(error),
            None => {
                self.out.flush()?;
                Ok(self.out)
            }
        }
    }
}

impl<W: Write> Sink for RequestsCsv<W> {
    fn on_step(&mut self, _: &StepRecord) {}

    fn on_request(&mut self, record: &RequestRecord) {
        if self.error.is_some() {
            return;
        }
        let optional = |value: Option<u64>| value.map(exact_seconds).unwrap_or_default();
        let result = writeln!(
            self.out,
            "{},{},{},{},{},{}",
            record.index,
            exact_seconds(record.arrival_ns),
            optional(record.start_ns),
            optional(record.end_ns),
            record.instance.map(|i| i.to_string()).unwrap_or_default(),
            record.outcome.as_str()
        );
        self.error = result.err();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_are_written_as_the_exact_decimal_of_their_nanoseconds() {
        assert_eq!(exact_seconds(1_500_000_000), "1.5");
        assert_eq!(exact_seconds(63_000), "0.000063");
        assert_eq!(exact_seconds(7_000_000_000), "7");
        assert_eq!(exact_seconds(0), "0");
    }
}
