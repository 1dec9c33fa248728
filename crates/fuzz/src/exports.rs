//! Monitoring exports drawn as traces: `aws cloudwatch get-metric-data` and
//! `get-metric-statistics`, Prometheus `query_range`, Azure Monitor `Metrics - List` and
//! Datadog `/api/v1/query` responses (docs/semantics/traces.md, sections 2 to 6), valid or with
//! one hostile edit the rules name: no points, one point, a timestamp that goes back or
//! repeats, an error status, `PartialData` or `warnings`, mixed units, a rate unit read as
//! counts, a gap, odd widths, values and timestamps no export holds, pages that overlap.
//!
//! A valid export comes with its buckets and counts, so the oracle can hold the demand read to
//! them, as it holds a CSV trace to the harness's own reading of it.

use chrono::{DateTime, SecondsFormat, Utc};
use rand::Rng;
use rand::seq::IndexedRandom;
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

use crate::generate::KnownTrace;
use crate::mutate::mutate_tree;
use crate::tree::{Format, Node};

/// The forms of export, by what prints them.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Form {
    GetMetricData,
    GetMetricStatistics,
    Prometheus,
    Azure,
    Datadog,
}

const FORMS: [Form; 5] = [
    Form::GetMetricData,
    Form::GetMetricStatistics,
    Form::Prometheus,
    Form::Azure,
    Form::Datadog,
];

/// One series as drawn: its points, (Unix milliseconds, value) in time order.
struct Series {
    points: Vec<(i64, f64)>,
}

/// An export's content before it is written in its form's shape.
struct Drawn {
    form: Form,
    series: Vec<Series>,
    /// Written as numbers of seconds rather than RFC 3339 (CloudWatch's `wire` format).
    wire: bool,
    /// The offset CloudWatch's CLI prints its timestamps in, seconds east of UTC.
    offset_s: i32,
    /// Edits applied when writing, by the hostile knob.
    status_error: bool,
    partial: bool,
    mixed_units: bool,
    rate_unit: bool,
    /// Written as two pages (documents one after the other, or an array of them).
    pages: Option<Pages>,
    wrong_result_type: bool,
}

#[derive(Clone, Copy)]
enum Pages {
    Documents,
    Array,
    /// Pages that hold a point twice, which must be refused as a repeat.
    Overlapping,
}

/// An export of at most `max_steps` steps of `step_s`: its bytes, what the notes say of it,
/// and, when it is valid as written, its buckets and counts.
pub(crate) fn draw_export(
    rng: &mut ChaCha8Rng,
    step_s: u64,
    max_steps: u64,
    notes: &mut Vec<String>,
) -> (Vec<u8>, Option<KnownTrace>) {
    let form = *FORMS.choose(rng).unwrap_or(&Form::GetMetricData);
    let width_s = *[60u64, 60, 60, 300, 10, 1, 3600].choose(rng).unwrap_or(&60);
    let max_points = (max_steps.saturating_mul(step_s.max(1)) / width_s).clamp(2, 400);
    let points = rng.random_range(2..=max_points);
    let several = !matches!(form, Form::GetMetricStatistics);
    let series_count = if several && rng.random_bool(0.3) {
        rng.random_range(2..=3)
    } else {
        1
    };
    // Whole widths from 2024-09-29 (the examples' day), or ending on the last day of the year
    // 9999, the reader's last (a day short, so no offset writes the year 10000), so that a
    // plot's wall-clock ticks meet the end of the calendar.
    let first_s = if rng.random_bool(0.05) {
        253_402_300_799 - i64::try_from(points * width_s).unwrap_or(0) - 86_400
    } else {
        1_727_647_800 + rng.random_range(0..1_000) * 60
    };
    let fractional = rng.random_bool(0.2);
    let level = rng.random_range(0.0..500.0);
    let series: Vec<Series> = (0..series_count)
        .map(|_| Series {
            points: (0..points)
                .map(|k| {
                    let wave = (k as f64 / 30.0).sin() * 0.5 + 1.0;
                    let value = level * wave * rng.random_range(0.5..1.5);
                    let value = if fractional {
                        (value * 1000.0).round() / 1000.0
                    } else {
                        value.round()
                    };
                    ((first_s + (k * width_s) as i64) * 1000, value)
                })
                .collect(),
        })
        .collect();
    let mut drawn = Drawn {
        form,
        series,
        wire: form == Form::GetMetricData && rng.random_bool(0.2),
        offset_s: *[0, 0, -4 * 3600, 3600 + 1800].choose(rng).unwrap_or(&0),
        status_error: false,
        partial: false,
        mixed_units: false,
        rate_unit: false,
        pages: match form {
            Form::GetMetricData | Form::Prometheus if rng.random_bool(0.15) => Some(
                *[Pages::Documents, Pages::Array]
                    .choose(rng)
                    .unwrap_or(&Pages::Array),
            ),
            _ => None,
        },
        wrong_result_type: false,
    };
    notes.push(format!(
        "export: {form:?}, {series_count} series of {points} points {width_s} s apart{}",
        match drawn.pages {
            Some(Pages::Documents) => ", in two documents",
            Some(Pages::Array) => ", in an array of two pages",
            _ => "",
        }
    ));
    let mut valid = true;
    if rng.random_bool(0.35) {
        notes.push(export_knob(&mut drawn, rng));
        valid = false;
    }
    let known = valid.then(|| known_trace(&drawn, width_s));
    let mut documents = render(&drawn);
    if rng.random_bool(0.1) {
        let mut node = Node::from(&documents[0]);
        notes.push(format!(
            "mutation of the export: {}",
            mutate_tree(&mut node, rng)
        ));
        let text = node.render(Format::Json);
        return (text.into_bytes(), None);
    }
    let pretty = rng.random_bool(0.5);
    let text = |value: &Value| {
        if pretty {
            serde_json::to_string_pretty(value).unwrap_or_default()
        } else {
            value.to_string()
        }
    };
    let bytes = match drawn.pages {
        Some(Pages::Array) => text(&Value::Array(std::mem::take(&mut documents))),
        _ => documents.iter().map(text).collect::<Vec<_>>().join("\n"),
    };
    (bytes.into_bytes(), known)
}

/// The buckets of a valid export: the series summed, timestamp by timestamp, from the first.
fn known_trace(drawn: &Drawn, width_s: u64) -> KnownTrace {
    let first = drawn.series[0].points[0].0;
    let mut rows: Vec<(u64, f64)> = drawn.series[0]
        .points
        .iter()
        .map(|&(t, _)| (((t - first) / 1000) as u64 / width_s, 0.0))
        .collect();
    for series in &drawn.series {
        for (row, &(_, value)) in rows.iter_mut().zip(&series.points) {
            row.1 += value;
        }
    }
    KnownTrace {
        bucket_s: width_s,
        rows,
    }
}

/// One hostile edit, as the rules of docs/semantics/traces.md name them.
fn export_knob(drawn: &mut Drawn, rng: &mut ChaCha8Rng) -> String {
    let points = &mut drawn.series[0].points;
    match rng.random_range(0..13) {
        0 => {
            for series in &mut drawn.series {
                series.points.clear();
            }
            "export knob: no points".to_owned()
        }
        1 => {
            for series in &mut drawn.series {
                series.points.truncate(1);
            }
            "export knob: one point, no width".to_owned()
        }
        2 => {
            // CloudWatch sorts; Prometheus and Datadog refuse a point before the previous.
            let at = rng.random_range(1..points.len());
            points.swap(at - 1, at);
            format!("export knob: points {} and {at} swapped", at - 1)
        }
        3 => {
            let at = rng.random_range(0..points.len());
            let copy = points[at];
            points.insert(at, copy);
            format!("export knob: point {at} repeated")
        }
        4 => {
            drawn.status_error = true;
            "export knob: an error status".to_owned()
        }
        5 => {
            drawn.partial = true;
            "export knob: PartialData, or Prometheus warnings".to_owned()
        }
        6 => {
            drawn.mixed_units = true;
            if drawn.series.len() < 2 && drawn.form != Form::GetMetricStatistics {
                let copy = Series {
                    points: drawn.series[0].points.clone(),
                };
                drawn.series.push(copy);
            }
            "export knob: mixed units".to_owned()
        }
        7 => {
            drawn.rate_unit = true;
            "export knob: a per-second unit read as counts".to_owned()
        }
        8 => {
            if points.len() > 2 {
                let at = rng.random_range(1..points.len() - 1);
                for series in &mut drawn.series {
                    series.points.remove(at);
                }
            }
            "export knob: a gap".to_owned()
        }
        9 => {
            // 1.5 s apart, or one step of 1.5 widths among whole ones.
            let width = points.get(1).map_or(60_000, |p| p.0) - points[0].0;
            let at = rng.random_range(1..points.len());
            let shift = if rng.random_bool(0.5) { 500 } else { width / 2 };
            for series in &mut drawn.series {
                for point in series.points.iter_mut().skip(at) {
                    point.0 += shift;
                }
            }
            format!("export knob: points from {at} shifted by {shift} ms")
        }
        10 => {
            let bad = *[f64::NAN, f64::INFINITY, -1.0, f64::MAX, -0.0, 1e-320]
                .choose(rng)
                .unwrap_or(&f64::NAN);
            let at = rng.random_range(0..points.len());
            points[at].1 = bad;
            format!("export knob: value {at} = {bad}")
        }
        11 => {
            let t = *[i64::MAX / 2, -62_135_596_800_001, 253_402_300_800_000, 0]
                .choose(rng)
                .unwrap_or(&0);
            let at = rng.random_range(0..points.len());
            points[at].0 = t;
            format!("export knob: timestamp {at} = {t} ms")
        }
        _ => match drawn.form {
            Form::GetMetricData | Form::Prometheus if rng.random_bool(0.6) => {
                drawn.pages = Some(Pages::Overlapping);
                "export knob: pages that overlap".to_owned()
            }
            _ => {
                drawn.wrong_result_type = true;
                "export knob: the wrong shape (vector, mismatched arrays, no series)".to_owned()
            }
        },
    }
}

/// An RFC 3339 time of `ms`, `Z` or `+00:00` or in `offset_s`, or the milliseconds as a
/// number when chrono cannot write it (the reader must refuse it).
fn rfc3339(ms: i64, offset_s: i32, z: bool) -> Value {
    let Some(time) = DateTime::<Utc>::from_timestamp_millis(ms) else {
        return json!(ms);
    };
    match chrono::FixedOffset::east_opt(offset_s) {
        Some(offset) if offset_s != 0 => {
            json!(
                time.with_timezone(&offset)
                    .to_rfc3339_opts(SecondsFormat::AutoSi, false)
            )
        }
        _ => json!(time.to_rfc3339_opts(SecondsFormat::AutoSi, z)),
    }
}

/// A value as JSON: a number, or what serde_json writes for one that is not finite (null).
fn number(value: f64) -> Value {
    serde_json::Number::from_f64(value).map_or(Value::Null, Value::Number)
}

/// The export's documents: one, or two pages.
fn render(drawn: &Drawn) -> Vec<Value> {
    let pages: Vec<Vec<&[(i64, f64)]>> = match drawn.pages {
        None => vec![drawn.series.iter().map(|s| s.points.as_slice()).collect()],
        Some(pages) => {
            let cut = drawn.series[0].points.len() / 2;
            // Overlapping pages both hold the point at the cut.
            let second = if matches!(pages, Pages::Overlapping) {
                cut.saturating_sub(1)
            } else {
                cut
            };
            vec![
                drawn
                    .series
                    .iter()
                    .map(|s| &s.points[..cut.min(s.points.len())])
                    .collect(),
                drawn
                    .series
                    .iter()
                    .map(|s| &s.points[second.min(s.points.len())..])
                    .collect(),
            ]
        }
    };
    let last = pages.len() - 1;
    pages
        .iter()
        .enumerate()
        .map(|(page, series)| document(drawn, series, page == last))
        .collect()
}

/// One document of the export's form holding `series`.
fn document(drawn: &Drawn, series: &[&[(i64, f64)]], last_page: bool) -> Value {
    match drawn.form {
        Form::GetMetricData => {
            let results: Vec<Value> = series
                .iter()
                .enumerate()
                .map(|(k, points)| {
                    // CloudWatch's default order: newest first.
                    let (times, values): (Vec<Value>, Vec<Value>) = points
                        .iter()
                        .rev()
                        .map(|&(t, v)| {
                            let time = if drawn.wire {
                                json!(t as f64 / 1000.0)
                            } else {
                                rfc3339(t, drawn.offset_s, false)
                            };
                            (time, number(v))
                        })
                        .unzip();
                    let mut values = values;
                    if drawn.wrong_result_type {
                        values.pop();
                    }
                    let status = if drawn.status_error {
                        "InternalError"
                    } else if drawn.partial || !last_page {
                        "PartialData"
                    } else {
                        "Complete"
                    };
                    json!({ "Id": format!("m{k}"), "Label": "Invocations",
                            "Timestamps": times, "Values": values, "StatusCode": status })
                })
                .collect();
            let messages = if drawn.status_error {
                json!([{ "Code": "InternalError", "Value": "try again" }])
            } else {
                json!([])
            };
            let mut page = json!({ "MetricDataResults": results, "Messages": messages });
            if !last_page {
                page["NextToken"] = json!("eyJ0b2tlbiI6ICJwYWdlLTIifQ==");
            }
            page
        }
        Form::GetMetricStatistics => {
            let points = series.first().copied().unwrap_or_default();
            let mut datapoints: Vec<Value> = points
                .iter()
                .enumerate()
                .map(|(k, &(t, v))| {
                    let unit = if drawn.rate_unit || (drawn.mixed_units && k == 1) {
                        "Count/Second"
                    } else {
                        "None"
                    };
                    json!({ "Timestamp": rfc3339(t, drawn.offset_s, false), "SampleCount": 1.0,
                            "Sum": number(v), "Unit": unit })
                })
                .collect();
            // "Data points are not returned in chronological order."
            datapoints.reverse();
            if let Some(first) = datapoints.first().cloned() {
                let len = datapoints.len();
                datapoints.swap(0, len / 2);
                datapoints[len / 2] = first;
            }
            if drawn.wrong_result_type {
                for datapoint in &mut datapoints {
                    if let Some(object) = datapoint.as_object_mut() {
                        object.remove("Sum");
                        object.insert("Maximum".to_owned(), json!(1.0));
                    }
                }
            }
            json!({ "Label": "Invocations", "Datapoints": datapoints })
        }
        Form::Prometheus => {
            if drawn.status_error {
                return json!({ "status": "error", "errorType": "bad_data",
                               "error": "1:1: parse error: unexpected end of input" });
            }
            let result: Vec<Value> = series
                .iter()
                .enumerate()
                .map(|(k, points)| {
                    let values: Vec<Value> = points
                        .iter()
                        .map(|&(t, v)| json!([t as f64 / 1000.0, format_prometheus(v)]))
                        .collect();
                    json!({ "metric": { "__name__": "http_requests", "pod": format!("web-{k}") },
                            "values": values })
                })
                .collect();
            let result_type = if drawn.wrong_result_type {
                "vector"
            } else {
                "matrix"
            };
            let mut body = json!({ "status": "success",
                                   "data": { "resultType": result_type, "result": result } });
            if drawn.partial {
                body["warnings"] = json!(["the query hit the sample limit of one store"]);
            }
            body
        }
        Form::Azure => {
            let metric = |k: usize, points: &[(i64, f64)]| {
                let unit = if drawn.rate_unit || (drawn.mixed_units && k == 1) {
                    "CountPerSecond"
                } else {
                    "Count"
                };
                let data: Vec<Value> = points
                    .iter()
                    .map(|&(t, v)| json!({ "timeStamp": rfc3339(t, 0, true), "total": number(v) }))
                    .collect();
                let mut metric = json!({
                    "id": format!("/subscriptions/0/providers/Microsoft.Insights/metrics/Requests{k}"),
                    "type": "Microsoft.Insights/metrics",
                    "name": { "value": format!("Requests{k}"), "localizedValue": "Requests" },
                    "unit": unit,
                    "timeseries": [{ "metadatavalues": [
                        { "name": { "value": "instance" }, "value": format!("i{k}") }
                    ], "data": data }],
                    "errorCode": "Success"
                });
                if drawn.status_error {
                    metric["errorCode"] = json!("BadRequest");
                    metric["errorMessage"] =
                        json!("Metric: Requests does not support requested dimension combination");
                }
                metric
            };
            let value: Vec<Value> = if drawn.wrong_result_type {
                Vec::new()
            } else {
                series
                    .iter()
                    .enumerate()
                    .map(|(k, points)| metric(k, points))
                    .collect()
            };
            json!({ "cost": 0, "timespan": "2024-09-29T22:10:00Z/2024-09-29T23:10:00Z",
                    "interval": "PT1M", "value": value, "namespace": "Microsoft.Web/sites",
                    "resourceregion": "westeurope" })
        }
        Form::Datadog => {
            if drawn.status_error {
                return json!({ "status": "error", "error": "Rate limit of 300 requests in 3600 seconds reached" });
            }
            let list: Vec<Value> = series
                .iter()
                .enumerate()
                .map(|(k, points)| {
                    let pointlist: Vec<Value> =
                        points.iter().map(|&(t, v)| json!([t, number(v)])).collect();
                    let unit = if drawn.rate_unit || (drawn.mixed_units && k == 1) {
                        json!([{ "family": "network", "name": "hit" }, { "family": "time", "name": "second" }])
                    } else {
                        json!([{ "family": "network", "name": "hit" }, null])
                    };
                    json!({ "metric": "trace.http.request.hits", "scope": format!("service:web-{k}"),
                            "expression": "sum:trace.http.request.hits{service:web}.as_count()",
                            "display_name": "trace.http.request.hits", "tag_set": [format!("service:web-{k}")],
                            "interval": 60, "length": points.len(), "pointlist": pointlist, "unit": unit })
                })
                .collect();
            let series = if drawn.wrong_result_type {
                json!({})
            } else {
                Value::Array(list)
            };
            json!({ "status": "ok", "res_type": "time_series", "series": series,
                    "query": "sum:trace.http.request.hits{service:web}.as_count()" })
        }
    }
}

/// A Prometheus sample value: its text, as Prometheus writes `NaN` and infinities.
fn format_prometheus(value: f64) -> String {
    if value.is_nan() {
        "NaN".to_owned()
    } else if value == f64::INFINITY {
        "+Inf".to_owned()
    } else if value == f64::NEG_INFINITY {
        "-Inf".to_owned()
    } else {
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use scalesim_core::BucketWindow;
    use scalesim_runner::read_trace;

    /// Every valid drawn export reads as the buckets it was drawn with, and every form is
    /// drawn: the drawn shapes are the vendors' as the reader knows them.
    #[test]
    fn valid_exports_read_as_drawn() {
        let dir = tempfile::TempDir::new().unwrap();
        let mut forms = std::collections::BTreeSet::new();
        let mut valid = 0;
        for stream in 0..300 {
            let mut rng = ChaCha8Rng::seed_from_u64(5);
            rng.set_stream(stream);
            let mut notes = Vec::new();
            let (bytes, known) = draw_export(&mut rng, 60, 3_000, &mut notes);
            forms.insert(notes[0].split(',').next().unwrap().to_owned());
            let Some(known) = known else { continue };
            valid += 1;
            let path = dir.path().join("trace.json");
            std::fs::write(&path, &bytes).unwrap();
            let demand = read_trace(&path, BucketWindow::ALL, known.bucket_s)
                .unwrap_or_else(|err| panic!("{notes:?}: {err}"));
            assert_eq!(demand.as_slice().len(), known.rows.len(), "{notes:?}");
            for (read, (_, drawn)) in demand.as_slice().iter().zip(&known.rows) {
                assert!(
                    (read - drawn).abs() <= 1e-9 * drawn.max(1.0),
                    "{notes:?}: {read} {drawn}"
                );
            }
        }
        assert_eq!(forms.len(), 5, "{forms:?}");
        assert!(valid > 150, "{valid} valid of 300");
    }
}
