//! `scalesim run` replaying each shipped example export (scenarios/traces/examples/) with the
//! demand worked out by hand from the file, the scenario's `start` taken from the trace's first
//! timestamp, the two week-long scenarios of the issue, and every kind of bad input of
//! docs/semantics/traces.md: refused with the file and the JSON path or line, exit 1, nothing
//! written.

use std::path::PathBuf;

use crate::common::{Fixture, column, refused_run, repo_root};

/// A shipped example, by absolute path (a scenario joins an absolute trace path as it is).
fn example(name: &str) -> String {
    let path: PathBuf = repo_root().join("scenarios/traces/examples").join(name);
    path.canonicalize().unwrap().display().to_string()
}

/// The spec's fixture (capacity 1000 a minute, target 70, 1 to 8 instances, no delays)
/// replaying `trace` with more `[load]` lines.
fn on_trace(trace: &str, load: &str) -> Fixture {
    let fixture = Fixture::new();
    fixture.replace(
        "scenario.toml",
        "trace = \"trace.csv\"\n",
        &format!("trace = \"{trace}\"\n{load}"),
    );
    fixture
}

/// A fixture replaying a file of its own, `export.json` or `export.csv`.
fn on_text(name: &str, text: &str, load: &str) -> Fixture {
    let fixture = Fixture::new();
    fixture.write(name, text);
    fixture.replace(
        "scenario.toml",
        "trace = \"trace.csv\"\n",
        &format!("trace = \"{name}\"\n{load}"),
    );
    fixture
}

fn demand(fixture: &Fixture) -> Vec<String> {
    fixture.run().success();
    column(&fixture.read_out("timeseries.csv"), "demand")
}

/// A scheduled action at `at` (no time zone: UTC) that lifts MinCapacity to 5.
fn raise_at(fixture: &Fixture, at: &str) {
    fixture.write(
        "aws/scheduled.json",
        &format!(
            r#"[{{ "ScheduledActionName": "raise", "ServiceNamespace": "sagemaker",
  "ResourceId": "endpoint/MyEndpoint/variant/MyVariant",
  "ScalableDimension": "sagemaker:variant:DesiredInstanceCount",
  "Schedule": "at({at})", "ScalableTargetAction": {{ "MinCapacity": 5 }} }}]"#
        ),
    );
    fixture.replace(
        "scenario.toml",
        "metric_delay_s = 0\n",
        "metric_delay_s = 0\nscheduled_actions = \"aws/scheduled.json\"\n",
    );
}

#[test]
fn cloudwatch_get_metric_data_newest_first_replays_oldest_first_from_its_first_minute() {
    // Timestamps 22:12, 22:11, 22:10 with Values 0, 120, 60: sorted, 60, 120, 0 a minute.
    let fixture = on_trace(&example("cloudwatch-get-metric-data.json"), "");
    // No `start`: t = 0 is the first timestamp, 22:10, so 22:12 is t = 120 s. At 60 and 120
    // a minute on 1 of 1,000 capacity, target 70 raises no alarm: the action is the only event.
    raise_at(&fixture, "2024-09-29T22:12:00");
    assert_eq!(demand(&fixture), ["60", "120", "0"]);
    let events = fixture.read_out("events.csv");
    assert_eq!(column(&events, "t_s"), ["120"]);
    assert_eq!(column(&events, "to"), ["5"]);
    assert!(column(&events, "reason")[0].starts_with("scheduled action raise"));
}

#[test]
fn cloudwatch_pages_one_after_the_other_are_one_series() {
    // Page 1 (PartialData, NextToken): 22:14 = 30, 22:13 = 90; page 2 (Complete): 22:12 = 0,
    // 22:11 = 120, 22:10 = 60.
    let fixture = on_trace(&example("cloudwatch-get-metric-data-pages.json"), "");
    assert_eq!(demand(&fixture), ["60", "120", "0", "90", "30"]);
}

#[test]
fn cloudwatch_get_metric_statistics_reads_sum_by_default_or_the_statistic_named() {
    // Datapoints 22:11 = 45, 22:12 = 75, 22:10 = 30 (Sum), SampleCount 1 each.
    let trace = example("cloudwatch-get-metric-statistics.json");
    assert_eq!(demand(&on_trace(&trace, "")), ["30", "45", "75"]);
    let count = on_trace(&trace, "statistic = \"SampleCount\"\n");
    assert_eq!(demand(&count), ["1", "1", "1"]);
    let absent = on_trace(&trace, "statistic = \"Average\"\n");
    refused_run(
        &absent,
        "out",
        "cloudwatch-get-metric-statistics.json: Datapoints: no datapoint has Average, the \
         statistic [load] statistic names; present: SampleCount, Sum",
    );
}

#[test]
fn prometheus_series_are_summed_or_one_is_chosen_by_label() {
    // web-0: 20, 50, 5 and web-1: 40, 70, 15 at 22:11, 22:12, 22:13.
    let trace = example("prometheus-query-range.json");
    let fixture = on_trace(&trace, "");
    // The first sample, 22:11, is t = 0: the action at 22:12 comes at 60 s.
    raise_at(&fixture, "2024-09-29T22:12:00");
    assert_eq!(demand(&fixture), ["60", "120", "20"]);
    assert_eq!(column(&fixture.read_out("events.csv"), "t_s"), ["60"]);
    let one = on_trace(&trace, "series = { pod = \"web-1\" }\n");
    assert_eq!(demand(&one), ["40", "70", "15"]);
    // As a rate: web-1's 40 a second over 60 s buckets is 2,400 a minute, and so on.
    let rate = on_trace(
        &trace,
        "series = { pod = \"web-1\" }\nvalue = \"rate_per_s\"\n",
    );
    assert_eq!(demand(&rate), ["2400", "4200", "900"]);
    let none = on_trace(&trace, "series = { pod = \"web-2\" }\n");
    refused_run(
        &none,
        "out",
        "prometheus-query-range.json: [load] series: {pod=\"web-2\"} matches none of the 2 \
         series in the file: {pod=\"web-0\"}, {pod=\"web-1\"}",
    );
}

#[test]
fn azure_monitor_reads_total_by_default() {
    // Requests, total: 12, 18, 6 at 22:10, 22:11, 22:12.
    let trace = example("azure-monitor-metrics.json");
    assert_eq!(demand(&on_trace(&trace, "")), ["12", "18", "6"]);
    refused_run(
        &on_trace(&trace, "statistic = \"count\"\n"),
        "out",
        "azure-monitor-metrics.json: value[0].timeseries[0].data: no datapoint has count, the \
         statistic [load] statistic names; present: total",
    );
}

#[test]
fn datadog_pointlists_in_milliseconds() {
    // 40, 80, 20 at 22:10, 22:11, 22:12, given in milliseconds.
    let trace = example("datadog-query.json");
    assert_eq!(demand(&on_trace(&trace, "")), ["40", "80", "20"]);
}

#[test]
fn csv_timestamps_with_an_offset_or_in_unix_seconds() {
    // 18:10 at -04:00 is 22:10 UTC: 60, 120, 0, and 22:12 is t = 120 s.
    let fixture = on_trace(&example("timestamps.csv"), "");
    raise_at(&fixture, "2024-09-29T22:12:00");
    assert_eq!(demand(&fixture), ["60", "120", "0"]);
    assert_eq!(column(&fixture.read_out("events.csv"), "t_s"), ["120"]);
    // 30 s buckets of 10, 20, 30, 40: a minute holds two, 30 then 70.
    assert_eq!(
        demand(&on_trace(&example("timestamps-unix.csv"), "")),
        ["30", "70"]
    );
    // Seconds sum into 15 s steps as they would from a `second` column.
    let fine = on_trace(&example("timestamps-unix.csv"), "");
    fine.replace("scenario.toml", "step_s = 60", "step_s = 15");
    assert_eq!(
        demand(&fine),
        ["5", "5", "10", "10", "15", "15", "20", "20"]
    );
}

#[test]
fn a_given_start_wins_over_the_trace() {
    // With start = 22:11, the action at 22:12 is 60 s in, whatever the trace says.
    let fixture = on_trace(&example("cloudwatch-get-metric-data.json"), "");
    raise_at(&fixture, "2024-09-29T22:12:00");
    fixture.replace(
        "scenario.toml",
        "step_s = 60\n",
        "step_s = 60\nstart = 2024-09-29T22:11:00Z\n",
    );
    fixture.run().success();
    assert_eq!(column(&fixture.read_out("events.csv"), "t_s"), ["60"]);
}

#[test]
fn a_start_without_an_offset_is_refused_rather_than_guessed() {
    // Read as UTC, a New York midnight written as 00:00:00 would move every schedule by 4 h.
    for (start, shown) in [
        ("2024-09-29T22:11:00", "2024-09-29T22:11:00"),
        ("\"2024-09-29 22:11\"", "2024-09-29 22:11"),
        ("2024-09-29", "2024-09-29"),
    ] {
        let fixture = on_trace(&example("cloudwatch-get-metric-data.json"), "");
        fixture.replace(
            "scenario.toml",
            "step_s = 60\n",
            &format!("step_s = 60\nstart = {start}\n"),
        );
        refused_run(
            &fixture,
            "out",
            &format!(
                "scenario.toml: start: \"{shown}\" has no offset: write Z or +hh:mm after the \
                 time"
            ),
        );
    }
}

#[test]
fn the_from_bucket_window_moves_start_with_it() {
    // Bucket 1 of the export is 22:11: the action at 22:12 is 60 s into the window.
    let fixture = on_trace(
        &example("cloudwatch-get-metric-data.json"),
        "from_bucket = 1\n",
    );
    raise_at(&fixture, "2024-09-29T22:12:00");
    assert_eq!(demand(&fixture), ["120", "0"]);
    assert_eq!(column(&fixture.read_out("events.csv"), "t_s"), ["60"]);
}

const WEEK_CSV_SCENARIO: &str = "name = \"nasa-week-from-csv\"
start = 1995-07-01T04:00:00Z

[load]
trace = \"traces/nasa_http_1995_per_minute.csv\"
buckets = 10080

[fleet]
capacity_per_instance = 60.0
initial_instances = 1
provisioning_s = 300

[autoscaler]
kind = \"aws-target-tracking\"
register_scalable_target = \"aws/nasa-week-describe-scalable-targets.json\"
put_scaling_policy = \"aws/nasa-week-describe-scaling-policies.json\"
scheduled_actions = \"aws/nasa-week-describe-scheduled-actions.json\"
metric_delay_s = 60
";

/// Runs the shipped scenario `name`, and `csv_scenario` (paths relative to `scenarios/`, as a
/// shipped scenario writes them), which replays the NASA CSV's first week instead; returns the
/// folder holding both outputs, and each output.
fn shipped_and_csv(name: &str, csv_scenario: &str) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let root = repo_root().join("scenarios").canonicalize().unwrap();
    let dir = tempfile::TempDir::new().unwrap();
    let shipped = dir.path().join("shipped");
    let from_csv = dir.path().join("csv");
    crate::common::scalesim()
        .arg("run")
        .arg(root.join(format!("{name}.toml")))
        .arg("--out")
        .arg(&shipped)
        .assert()
        .success();
    // The twin lives in the temp folder and names the shipped files by absolute path.
    let mut twin = csv_scenario.to_owned();
    for folder in ["traces", "aws", "k8s"] {
        twin = twin.replace(
            &format!("= \"{folder}/"),
            &format!("= \"{}/{folder}/", root.display()),
        );
    }
    let twin_path = dir.path().join("twin.toml");
    std::fs::write(&twin_path, twin).unwrap();
    crate::common::scalesim()
        .arg("run")
        .arg(&twin_path)
        .arg("--out")
        .arg(&from_csv)
        .assert()
        .success();
    (dir, shipped, from_csv)
}

#[test]
fn the_cloudwatch_week_replays_the_nasa_week_exactly() {
    // The export is the NASA trace's minutes 0 to 10,079 (567,785 requests, 15 minutes without
    // one, which CloudWatch leaves out and gaps = "zero" fills), from 1995-07-01T04:00:00Z:
    // the same run, minute for minute and event for event, as the CSV's first week with that
    // start written out.
    let (_dir, shipped, from_csv) = shipped_and_csv("sagemaker-cloudwatch-week", WEEK_CSV_SCENARIO);
    for file in ["timeseries.csv", "events.csv"] {
        let a = std::fs::read_to_string(shipped.join(file)).unwrap();
        let b = std::fs::read_to_string(from_csv.join(file)).unwrap();
        assert!(a == b, "{file} differs");
    }
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(shipped.join("summary.json")).unwrap())
            .unwrap();
    assert_eq!(summary["steps"], 10_080);
    assert_eq!(summary["demand_total"], 567_785.0);
    crate::common::scalesim()
        .arg("validate")
        .arg(repo_root().join("scenarios/sagemaker-cloudwatch-week.toml"))
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "nasa_week_get_metric_data.json (aws cloudwatch get-metric-data output, t = 0 at \
             1995-07-01T04:00:00Z)",
        ));
    // Monday 3 July, 08:00 in New York (12:00Z) is 2 days and 8 hours in: 201,600 s.
    let events = std::fs::read_to_string(shipped.join("events.csv")).unwrap();
    assert!(
        events.contains("\n201600,out,1,4,\"scheduled action weekday-morning"),
        "{events}"
    );
}

#[test]
fn the_prometheus_week_drives_the_hpa_as_the_csv_week_does() {
    let scenario = std::fs::read_to_string(repo_root().join("scenarios/kubernetes-hpa-nasa.toml"))
        .unwrap()
        .replace(
            "trace = \"traces/nasa_http_1995_per_minute.csv\"\n",
            "trace = \"traces/nasa_http_1995_per_minute.csv\"\nbuckets = 10080\n",
        );
    let (_dir, shipped, from_csv) = shipped_and_csv("kubernetes-hpa-prometheus-week", &scenario);
    for file in ["timeseries.csv", "events.csv"] {
        let a = std::fs::read_to_string(shipped.join(file)).unwrap();
        let b = std::fs::read_to_string(from_csv.join(file)).unwrap();
        assert!(a == b, "{file} differs");
    }
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(shipped.join("summary.json")).unwrap())
            .unwrap();
    // 10,080 minutes of 4 syncs.
    assert_eq!(summary["steps"], 40_320);
    assert_eq!(summary["demand_total"], 567_785.0);
}

// ---- bad input ---------------------------------------------------------------------------

#[test]
fn an_export_without_data_points_is_refused() {
    let fixture = on_text(
        "export.json",
        r#"{"MetricDataResults": [{"Id": "m1", "Label": "Invocations", "Timestamps": [], "Values": [], "StatusCode": "Complete"}], "Messages": []}"#,
        "",
    );
    refused_run(
        &fixture,
        "out",
        "export.json: no data points: the export holds no timestamp with a value, nothing to \
         replay",
    );
}

#[test]
fn mixed_units_are_refused() {
    let csv = on_text(
        "export.csv",
        "timestamp,requests\n1727647800,1\n1727647860000,2\n",
        "",
    );
    refused_run(
        &csv,
        "out",
        "export.csv: line 3: timestamp: mixed units: milliseconds since 1970 here, seconds since \
         1970 on line 2",
    );
    let statistics = on_text(
        "export.json",
        r#"{"Label": "Invocations", "Datapoints": [
            {"Timestamp": "2024-09-29T22:10:00+00:00", "Sum": 1.0, "Unit": "Count"},
            {"Timestamp": "2024-09-29T22:11:00+00:00", "Sum": 2.0, "Unit": "Count/Second"}]}"#,
        "",
    );
    refused_run(
        &statistics,
        "out",
        "export.json: Datapoints[1].Unit: mixed units: \"Count/Second\" here, \"Count\" at \
         Datapoints[0].Unit",
    );
}

#[test]
fn timestamps_that_go_back_or_repeat_are_refused() {
    let backwards = on_text(
        "export.json",
        r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1727647860,"1"],[1727647800,"2"]]}]}}"#,
        "",
    );
    refused_run(
        &backwards,
        "out",
        "export.json: data.result[0].values[1][0]: 2024-09-29T22:10:00Z comes before the \
         previous point's 2024-09-29T22:11:00Z (data.result[0].values[0][0]): timestamps must \
         increase",
    );
    let repeat = on_text(
        "export.json",
        r#"{"MetricDataResults": [{"Id": "m1", "Timestamps": ["2024-09-29T22:11:00+00:00", "2024-09-29T22:10:00+00:00", "2024-09-29T22:11:00+00:00"], "Values": [1, 2, 3], "StatusCode": "Complete"}]}"#,
        "",
    );
    refused_run(
        &repeat,
        "out",
        "export.json: MetricDataResults[0].Timestamps[2]: 2024-09-29T22:11:00Z appears twice in \
         one series (also at MetricDataResults[0].Timestamps[0])",
    );
    let csv = on_text(
        "export.csv",
        "time,requests\n2024-09-29T22:10:00Z,1\n2024-09-29T22:10:00Z,1\n",
        "",
    );
    refused_run(
        &csv,
        "out",
        "export.csv: line 3: time: 2024-09-29T22:10:00Z repeats line 2's 2024-09-29T22:10:00Z: \
         timestamps must increase",
    );
}

#[test]
fn a_prometheus_error_is_refused_with_its_text() {
    let fixture = on_text(
        "export.json",
        r#"{"status":"error","errorType":"bad_data","error":"1:5: parse error: unexpected end of input"}"#,
        "",
    );
    refused_run(
        &fixture,
        "out",
        "export.json: status: \"error\": Prometheus refused the query (bad_data): 1:5: parse \
         error: unexpected end of input",
    );
}

#[test]
fn an_unknown_value_meaning_is_refused() {
    let fixture = on_trace(
        &example("cloudwatch-get-metric-data.json"),
        "value = \"per_second\"\n",
    );
    refused_run(
        &fixture,
        "out",
        "scenario.toml: load.value: must be \"sum\" (each value counts the arrivals in its \
         bucket), \"rate_per_s\" or \"rate_per_min\" (arrivals per second or per minute over \
         the bucket), got \"per_second\"",
    );
    let per_instance = on_trace(
        &example("cloudwatch-get-metric-data.json"),
        "value = \"average_per_instance\"\n",
    );
    refused_run(
        &per_instance,
        "out",
        "scenario.toml: load.value: \"average_per_instance\" cannot be turned into arrivals",
    );
    let key = on_trace(
        &example("cloudwatch-get-metric-data.json"),
        "values = \"sum\"\n",
    );
    refused_run(&key, "out", "unknown field `values`");
}

#[test]
fn gaps_are_counted_and_refused_unless_zero() {
    // 22:10 and 22:13 with nothing between: 2 minutes missing, the first 22:11.
    let text = r#"{"MetricDataResults": [{"Id": "m1", "Timestamps": ["2024-09-29T22:13:00+00:00", "2024-09-29T22:10:00+00:00", "2024-09-29T22:09:00+00:00"], "Values": [3, 2, 1], "StatusCode": "Complete"}]}"#;
    refused_run(
        &on_text("export.json", text, ""),
        "out",
        "export.json: 2 buckets of 60 s missing in the trace from 2024-09-29T22:09:00Z to \
         2024-09-29T22:13:00Z, the first at 2024-09-29T22:11:00Z (after \
         MetricDataResults[0].Timestamps[1]): a gap is refused unless [load] gaps = \"zero\" \
         fills it with zero arrivals (CloudWatch returns no datapoint for a period without data",
    );
    let zero = on_text("export.json", text, "gaps = \"zero\"\n");
    assert_eq!(demand(&zero), ["1", "2", "0", "0", "3"]);
}

#[test]
fn partial_data_widths_and_broken_json_are_refused_by_place() {
    let partial = on_text(
        "export.json",
        r#"{"MetricDataResults": [{"Id": "m1", "Timestamps": ["2024-09-29T22:11:00+00:00", "2024-09-29T22:10:00+00:00"], "Values": [1, 2], "StatusCode": "PartialData"}], "NextToken": "abc", "Messages": []}"#,
        "",
    );
    refused_run(
        &partial,
        "out",
        "export.json: MetricDataResults[0].StatusCode: PartialData for {Id=\"m1\"}: CloudWatch \
         returned part of its datapoints and holds more (NextToken)",
    );
    let widths = on_text(
        "export.json",
        r#"{"status":"ok","series":[{"metric":"hits","pointlist":[[1727647800000,1],[1727647860000,1],[1727647950000,1]]}]}"#,
        "gaps = \"zero\"\n",
    );
    refused_run(
        &widths,
        "out",
        "export.json: series[0].pointlist[2][0]: mixed widths: 2024-09-29T22:11:00Z to \
         2024-09-29T22:12:30Z is 90 s, not a multiple of the bucket width, 60 s",
    );
    let broken = on_text(
        "export.json",
        "{\"MetricDataResults\": [\n {\"Id\": \"m1\", \"Values\": [1, \"2\"]}]}",
        "",
    );
    refused_run(
        &broken,
        "out",
        "export.json: MetricDataResults[0].Values[1] (line 2): invalid type: string \"2\", \
         expected a number",
    );
    let unknown = on_text("export.json", r#"{"results": []}"#, "");
    refused_run(
        &unknown,
        "out",
        "export.json: line 1: not an export scalesim reads",
    );
}
