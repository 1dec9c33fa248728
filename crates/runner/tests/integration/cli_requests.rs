//! Request-level runs through the binary (issue #12, docs/semantics/requests.md): the files
//! they write, checked against runs worked out by hand, and the bad input they refuse.

use crate::common::{Fixture, REGISTER, refused_run, scalesim};

/// One instance held at 1 (MinCapacity = MaxCapacity = 1) and a policy that cannot act on it.
const ONE_INSTANCE: &str = r#"{ "ServiceNamespace": "sagemaker",
  "ResourceId": "endpoint/MyEndPoint/variant/MyVariant",
  "ScalableDimension": "sagemaker:variant:DesiredInstanceCount",
  "MinCapacity": 1, "MaxCapacity": 1 }
"#;

const POLICY: &str = r#"{ "TargetValue": 1000000.0,
  "PredefinedMetricSpecification": { "PredefinedMetricType": "SageMakerVariantInvocationsPerInstance" },
  "DisableScaleIn": true }
"#;

const SCENARIO: &str = r#"name = "requests-check"
seed = 3

[load]
trace = "requests.csv"

[fleet]
provisioning_s = 0

[service]
model = "requests"
concurrency_per_instance = 1

[service.time]
distribution = "fixed"
mean_s = 2.0

[autoscaler]
kind = "aws-target-tracking"
register_scalable_target = "aws/register.json"
put_scaling_policy = "aws/policy.json"
"#;

/// Requests at 0, 1, 1.5 and 10 s, one token column the linear model may read.
const TRACE: &str = "arrival_s,input_tokens\n0,100\n1.0,10\n1.5,0\n10,1000\n";

fn fixture() -> Fixture {
    Fixture::with_files(&[
        ("scenario.toml", SCENARIO),
        ("requests.csv", TRACE),
        ("aws/register.json", ONE_INSTANCE),
        ("aws/policy.json", POLICY),
    ])
}

fn run(fixture: &Fixture, extra: &[&str]) -> std::path::PathBuf {
    let out = fixture.path("out");
    scalesim()
        .arg("run")
        .arg(fixture.path("scenario.toml"))
        .arg("--out")
        .arg(&out)
        .args(extra)
        .assert()
        .success();
    out
}

fn summary(out: &std::path::Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap()
}

#[test]
fn a_hand_built_trace_gives_the_requests_worked_out_by_hand() {
    // One slot, 2 s each: 0 → [0, 2]; 1 waits → [2, 4]; 1.5 waits → [4, 6]; 10 → [10, 12].
    let fixture = fixture();
    let out = run(&fixture, &["--requests"]);
    let requests = std::fs::read_to_string(out.join("requests.csv")).unwrap();
    assert_eq!(
        requests,
        "request,arrival_s,start_s,end_s,instance,outcome\n\
         0,0,0,2,0,completed\n\
         1,1,2,4,0,completed\n\
         2,1.5,4,6,0,completed\n\
         3,10,10,12,0,completed\n"
    );
    let summary = summary(&out);
    // Latencies 2, 3, 4.5, 2; waits 0, 1, 2.5, 0.
    assert_eq!(summary["latency_mean_s"], 11.5 / 4.0);
    assert_eq!(summary["wait_mean_s"], 0.875);
    assert_eq!(summary["latency_max_s"], 4.5);
    assert_eq!(summary["requests_completed"], 4);
    assert_eq!(summary["requests_failed"], 0);
    // One 60 s step: the nominal capacity is 1 slot / 2 s = 30 a minute.
    let timeseries = std::fs::read_to_string(out.join("timeseries.csv")).unwrap();
    let mut lines = timeseries.lines();
    assert_eq!(
        lines.next(),
        Some(
            "t_s,demand,in_service,desired,pending,served,unserved,backlog,capacity,metric,\
             latency_p50_s,latency_p95_s,latency_p99_s,in_flight,queued,failed,draining"
        )
    );
    // Nearest rank over (2, 2, 3, 4.5): p50 the 2nd, p95 and p99 the 4th; 11.5 request-seconds
    // in flight over 60 s.
    assert_eq!(
        lines.next(),
        Some(format!("0,4,1,1,0,4,0,0,30,4,2,4.5,4.5,{},0,0,0", 11.5 / 60.0).as_str())
    );
    for file in ["latency_cdf.png", "latency_cdf.svg"] {
        assert!(out.join(file).exists(), "{file} missing");
    }
}

#[test]
fn a_linear_model_reads_the_traces_own_columns() {
    // 0.5 s + 10 ms per input token: 1.5, 0.6, 0.5 and 10.5 s. The first ends at 1.5; the
    // second waits until then and ends at 2.1; the third starts at 2.1 and ends at 2.6; the
    // fourth finds the slot free at 10 and ends at 20.5.
    let fixture = fixture();
    fixture.replace(
        "scenario.toml",
        "distribution = \"fixed\"\nmean_s = 2.0",
        "distribution = \"linear\"\noverhead_s = 0.5\ns_per_input_token = 0.01",
    );
    let out = run(&fixture, &["--requests"]);
    let requests = std::fs::read_to_string(out.join("requests.csv")).unwrap();
    let ends: Vec<&str> = requests
        .lines()
        .skip(1)
        .map(|line| line.split(',').nth(3).unwrap())
        .collect();
    assert_eq!(ends, ["1.5", "2.1", "2.6", "20.5"], "{requests}");
}

#[test]
fn a_queue_timeout_fails_the_request_that_waits_too_long() {
    // Timeout 2 s: the request of 1.5 would wait until 4 (2.5 s) and fails at 3.5.
    let fixture = fixture();
    fixture.replace(
        "scenario.toml",
        "concurrency_per_instance = 1",
        "concurrency_per_instance = 1\nqueue_timeout_s = 2",
    );
    let out = run(&fixture, &["--requests"]);
    let requests = std::fs::read_to_string(out.join("requests.csv")).unwrap();
    assert!(requests.contains("2,1.5,,3.5,,timed_out\n"), "{requests}");
    let summary = summary(&out);
    assert_eq!(summary["requests_timed_out"], 1);
    assert_eq!(summary["unserved_total"], 1.0);
}

/// Runs the fixture after `change` and expects exit 1, one message holding `expected`, and no
/// output folder.
fn refused(change: impl FnOnce(&Fixture), expected: &str) {
    let fixture = fixture();
    change(&fixture);
    refused_run(&fixture, "out", expected);
}

#[test]
fn arrivals_that_go_backwards_or_are_not_times_name_their_line() {
    refused(
        |f| f.write("requests.csv", "arrival_s\n0\n5\n4.5\n"),
        "requests.csv: line 4: arrival_s: 4.5 is before the previous request's 5",
    );
    refused(
        |f| f.write("requests.csv", "arrival_s\n0\n-1\n"),
        "requests.csv: line 3: arrival_s: expected seconds, a finite number >= 0, got \"-1\"",
    );
    refused(
        |f| f.write("requests.csv", "arrival_s\n0\nsoon\n"),
        "requests.csv: line 3: arrival_s: expected seconds, a finite number >= 0, got \"soon\"",
    );
    refused(
        |f| f.write("requests.csv", "arrival_s,requests\n0,1\n"),
        "two arrival columns, `arrival_s` (one row per request) and `requests`",
    );
}

#[test]
fn a_service_model_naming_a_column_the_trace_lacks_is_refused() {
    refused(
        |f| {
            f.replace(
                "scenario.toml",
                "distribution = \"fixed\"\nmean_s = 2.0",
                "distribution = \"linear\"\ns_per_output_token = 0.02",
            );
        },
        "requests.csv: line 1: no column `output_tokens`, which the service-time model reads; \
         found `arrival_s`, `input_tokens`",
    );
}

#[test]
fn bad_service_settings_name_their_key() {
    refused(
        |f| {
            f.replace(
                "scenario.toml",
                "concurrency_per_instance = 1",
                "concurrency_per_instance = 0",
            )
        },
        "service.concurrency_per_instance: must be a whole number from 1 to 1000, got 0",
    );
    refused(
        |f| {
            f.replace(
                "scenario.toml",
                "concurrency_per_instance = 1",
                "concurrency_per_instance = 1\nqueue_timeout_s = 0",
            )
        },
        "service.queue_timeout_s: must be a number of seconds greater than 0",
    );
    refused(
        |f| f.replace("scenario.toml", "\"fixed\"", "\"weibull\""),
        "service.time.distribution: must be \"fixed\", \"exponential\", \"lognormal\", \
         \"gamma\", \"empirical\" or \"linear\", got \"weibull\"",
    );
    refused(
        |f| f.replace("scenario.toml", "mean_s = 2.0", "mean_s = 2.0\nsigma = 1"),
        "service.time.sigma: is not a parameter of distribution = \"fixed\"",
    );
    refused(
        |f| {
            f.replace(
                "scenario.toml",
                "provisioning_s = 0",
                "provisioning_s = 0\ncapacity_per_instance = 60",
            )
        },
        "fleet.capacity_per_instance: is not used with service.model = \"requests\"",
    );
    refused(
        |f| {
            f.replace(
                "scenario.toml",
                "[service.time]\ndistribution = \"fixed\"\nmean_s = 2.0\n",
                "",
            )
        },
        "service.time: is required with model = \"requests\"",
    );
}

#[test]
fn requests_csv_is_refused_for_a_fluid_run() {
    let fixture = Fixture::new();
    let output = scalesim()
        .arg("run")
        .arg(fixture.path("scenario.toml"))
        .arg("--out")
        .arg(fixture.path("out"))
        .arg("--requests")
        .assert()
        .failure()
        .code(1)
        .get_output()
        .clone();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("--requests"), "{stderr}");
    assert!(!fixture.path("out").exists());
}

#[test]
fn a_bucket_trace_runs_request_by_request_with_every_request_counted() {
    // The spec's trace (700 a minute for 10 minutes, then 100 for 20: 9,000 requests) on the
    // spec's policy; whatever happens to them, each is completed, failed or in flight.
    let fixture = Fixture::new();
    fixture.write("aws/register.json", REGISTER);
    fixture.replace("scenario.toml", "capacity_per_instance = 1000.0\n", "");
    fixture.replace(
        "scenario.toml",
        "[autoscaler]",
        "[service]\nmodel = \"requests\"\nconcurrency_per_instance = 4\nqueue_timeout_s = 30\n\n\
         [service.time]\ndistribution = \"exponential\"\nmean_s = 0.2\n\n[autoscaler]",
    );
    let out = fixture.path("out");
    scalesim()
        .arg("run")
        .arg(fixture.path("scenario.toml"))
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let summary = summary(&out);
    let count = |key: &str| summary[key].as_u64().unwrap();
    assert_eq!(summary["demand_total"], 9000.0);
    assert_eq!(
        count("requests_completed") + count("requests_failed") + count("requests_in_flight_end"),
        9000
    );
    // Each minute's count is placed inside its minute: the timeseries' demand is the trace's.
    let timeseries = std::fs::read_to_string(out.join("timeseries.csv")).unwrap();
    let demand: Vec<&str> = timeseries
        .lines()
        .skip(1)
        .map(|line| line.split(',').nth(1).unwrap())
        .collect();
    assert_eq!(
        demand[..11],
        ["700"; 10]
            .iter()
            .chain(&["100"])
            .copied()
            .collect::<Vec<_>>()[..]
    );
}

#[test]
fn a_sweep_recommends_the_cheapest_fleet_within_the_p99_latency_objective() {
    // Requests every 0.5 s for 10 minutes, 1 s each, one slot per instance; the fleet stays at
    // MinCapacity (the policy never alarms and never scales in). One instance falls behind
    // from the start; two serve each request the moment it arrives (the slot freed at the same
    // instant), so every latency is exactly 1 s; three are as fast and dearer. With p99 at
    // most 1.5 s, MinCapacity = 2 is the recommendation.
    let mut trace = "arrival_s\n".to_owned();
    for k in 0..1200 {
        trace.push_str(&format!("{}\n", f64::from(k) * 0.5));
    }
    let fixture = fixture();
    fixture.write("requests.csv", &trace);
    fixture.write(
        "aws/register.json",
        &ONE_INSTANCE.replace("\"MaxCapacity\": 1", "\"MaxCapacity\": 3"),
    );
    fixture.replace("scenario.toml", "mean_s = 2.0", "mean_s = 1.0");
    let text = std::fs::read_to_string(fixture.path("scenario.toml")).unwrap();
    fixture.write(
        "scenario.toml",
        &format!(
            "{text}\n[sweep]\nMinCapacity = [1, 2, 3]\n\n[objective]\nmax_latency_p99_s = 1.5\n"
        ),
    );
    crate::common::sweep(&fixture, "out", None).success();
    let results = fixture.read_out("results.csv");
    let p99 = crate::common::column(&results, "latency_p99_s");
    assert_eq!(p99[1..], ["1", "1"]);
    assert!(p99[0].parse::<f64>().unwrap() > 100.0, "{results}");
    let recommendation: serde_json::Value =
        serde_json::from_str(&fixture.read_out("recommendation.json")).unwrap();
    assert_eq!(recommendation["recommended"]["run"], 1, "{recommendation}");
}

#[test]
fn an_slo_is_checked_against_each_steps_measured_latency() {
    // The hand-built run's one step has a mean latency of 11.5 / 4 = 2.875 s: over an SLO of
    // 2.5 s it breaks it for its 60 s; under one of 3 s it does not.
    for (limit, violation_s) in [(2.5, 60), (3.0, 0)] {
        let fixture = fixture();
        let text = std::fs::read_to_string(fixture.path("scenario.toml")).unwrap();
        fixture.write(
            "scenario.toml",
            &format!("{text}\n[slo]\nlatency_s = {limit}\n"),
        );
        let out = run(&fixture, &[]);
        let summary = summary(&out);
        assert_eq!(summary["slo_violation_s"], violation_s, "{summary}");
        assert_eq!(summary["latency_mean_s"], 11.5 / 4.0);
    }
}

#[test]
fn a_step_that_completes_nothing_while_requests_wait_breaks_the_latency_slo() {
    // One slot, 100 s each, arrivals at 0, 10, 20 and 359 s; SLO 50 s. Completions: 100 s
    // (latency 100, minute 1), 200 s (190, minute 3), 300 s (280, minute 5). Minutes 0 and 2
    // complete nothing while requests wait: overloaded. Minute 4 completes nothing with an
    // empty queue: fine. So 5 of the 6 minutes break the SLO.
    let fixture = fixture();
    fixture.write("requests.csv", "arrival_s\n0\n10\n20\n359\n");
    fixture.replace("scenario.toml", "mean_s = 2.0", "mean_s = 100.0");
    let text = std::fs::read_to_string(fixture.path("scenario.toml")).unwrap();
    fixture.write("scenario.toml", &format!("{text}\n[slo]\nlatency_s = 50\n"));
    let out = run(&fixture, &[]);
    let summary = summary(&out);
    assert_eq!(summary["slo_violation_steps"], 5, "{summary}");
    assert_eq!(summary["overloaded_steps"], 2, "{summary}");
}

#[test]
fn a_sweeps_runs_sharing_draws_give_what_each_run_gives_alone() {
    // A sweep's request-level runs step together on one drawing of the requests; each row
    // must be what `scalesim run` gives for its policy alone. Bursty arrivals (a burst of 40
    // every 30 s for 20 minutes, then one every 10 s for 25), exponential service times and
    // random routing, and targets that scale from 1 to 4 instances and back, so the policies'
    // fleets, queues and latencies all differ.
    let mut trace = "arrival_s\n".to_owned();
    for burst in 0..40 {
        for k in 0..40 {
            let arrival_s = f64::from(burst) * 30.0 + f64::from(k) * 0.05;
            trace.push_str(&format!("{arrival_s}\n"));
        }
    }
    for k in 0..150 {
        let arrival_s = 1200.0 + f64::from(k) * 10.0;
        trace.push_str(&format!("{arrival_s}\n"));
    }
    let fixture = fixture();
    fixture.write("requests.csv", &trace);
    fixture.write(
        "aws/register.json",
        &ONE_INSTANCE.replace("\"MaxCapacity\": 1", "\"MaxCapacity\": 4"),
    );
    fixture.replace(
        "scenario.toml",
        "distribution = \"fixed\"",
        "distribution = \"exponential\"",
    );
    fixture.replace("scenario.toml", "mean_s = 2.0", "mean_s = 0.8");
    fixture.replace(
        "scenario.toml",
        "concurrency_per_instance = 1",
        "concurrency_per_instance = 2\nrouting = \"random\"\nqueue_timeout_s = 20",
    );
    fixture.write(
        "aws/policy.json",
        &POLICY.replace("\"DisableScaleIn\": true", "\"DisableScaleIn\": false"),
    );
    let alone_text = std::fs::read_to_string(fixture.path("scenario.toml")).unwrap();
    let targets = [10.0, 40.0, 160.0];
    fixture.write(
        "scenario.toml",
        &format!("{alone_text}\n[sweep]\nTargetValue = [10, 40, 160]\n"),
    );
    crate::common::sweep(&fixture, "sweep", None).success();
    let results = std::fs::read_to_string(fixture.path("sweep/results.csv")).unwrap();
    for events in ["scale_out_events", "scale_in_events"] {
        let counts = crate::common::column(&results, events);
        assert!(counts.iter().any(|n| n != "0"), "{events}: {results}");
    }
    for (row, target) in targets.iter().enumerate() {
        fixture.write("scenario.toml", &alone_text);
        fixture.write(
            "aws/policy.json",
            &POLICY
                .replace("1000000.0", &target.to_string())
                .replace("\"DisableScaleIn\": true", "\"DisableScaleIn\": false"),
        );
        let summary = summary(&run(&fixture, &[]));
        for name in [
            "instance_seconds",
            "served_total",
            "unserved_total",
            "scale_out_events",
            "scale_in_events",
            "latency_p99_s",
            "requests_failed",
        ] {
            let swept: f64 = crate::common::column(&results, name)[row].parse().unwrap();
            let json = summary[name].as_f64().unwrap_or_else(|| {
                summary["requests"][name.trim_start_matches("requests_")]
                    .as_f64()
                    .unwrap()
            });
            assert_eq!(swept, json, "run {row}, {name}:\n{results}\n{summary}");
        }
    }
}
