//! `knative-kpa` scenarios through the binary: a Knative Service scaled from zero by its first
//! request, derived by hand from docs/semantics/knative-kpa.md, and manifests Knative refuses.

use crate::common::{Fixture, column, refused_run};

const SCENARIO: &str = r#"name = "kpa-first-request"
step_s = 1

[load]
trace = "requests.csv"

[fleet]
initial_instances = 0
provisioning_s = 5

[service]
model = "requests"
concurrency_per_instance = 1

[service.time]
distribution = "fixed"
mean_s = 1.0

[autoscaler]
kind = "knative-kpa"
service = "k8s/service.yaml"
"#;

const SERVICE: &str = r#"apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: hello
spec:
  template:
    metadata:
      annotations:
        autoscaling.knative.dev/window: "60s"
    spec:
      containerConcurrency: 1
      containers:
      - image: ghcr.io/knative/helloworld-go:latest
"#;

fn first_request() -> Fixture {
    Fixture::with_files(&[
        ("scenario.toml", SCENARIO),
        ("requests.csv", "arrival_s\n10.5\n60.0\n"),
        ("k8s/service.yaml", SERVICE),
    ])
}

#[test]
fn the_first_request_waits_in_the_activator_while_a_pod_starts() {
    // No pod at t = 0, so no record and "no data": the decider's result is invalid until a
    // request arrives at 10.5 s and waits in the activator. The record of second 11 is its
    // 0.5 s in flight, bumped to 1 as the activator's first request (rule 8). At the tick of
    // t = 12: S = P = 1, containerConcurrency 1 gives T_v = 1 × 0.7, ceil(1 / 0.7) = 2 pods,
    // 2 / max(1, 0) ≥ 2: panic. Pods Ready at 12 + 5 = 17: the request runs 17 to 18.
    let fixture = first_request();
    crate::common::scalesim()
        .args(["run", "scenario.toml", "--out", "out", "--requests"])
        .current_dir(fixture.dir.path())
        .assert()
        .success();
    let events = fixture.read_out("events.csv");
    assert_eq!(
        column(&events, "t_s").first().map(String::as_str),
        Some("12")
    );
    assert_eq!(column(&events, "to").first().map(String::as_str), Some("2"));
    assert!(
        column(&events, "reason")[0].contains("panic entered"),
        "{events}"
    );
    let requests = fixture.read_out("requests.csv");
    assert_eq!(column(&requests, "start_s")[0], "17");
    assert_eq!(column(&requests, "end_s")[0], "18");
    let timeseries = fixture.read_out("timeseries.csv");
    let panic = column(&timeseries, "panic");
    assert_eq!((panic[10].as_str(), panic[11].as_str()), ("0", "1"));
}

#[test]
fn manifests_knative_refuses_are_refused_with_its_wording_and_nothing_written() {
    let fixture = first_request();
    fixture.replace("k8s/service.yaml", "\"60s\"", "\"5s\"");
    refused_run(
        &fixture,
        "out",
        "service.yaml: spec.template.metadata.annotations.autoscaling.knative.dev/window: \
         expected 6s <= 5s <= 1h0m0s",
    );
    fixture.replace(
        "k8s/service.yaml",
        "autoscaling.knative.dev/window: \"5s\"",
        "autoscaling.knative.dev/min-scale: \"3\"\n        autoscaling.knative.dev/max-scale: \"2\"",
    );
    refused_run(&fixture, "out", "max-scale=2 is less than min-scale=3");
    // Every second is recorded and every tick is 2 s: other steps are refused.
    fixture.write("k8s/service.yaml", SERVICE);
    fixture.replace("scenario.toml", "step_s = 1", "step_s = 5");
    refused_run(
        &fixture,
        "out",
        "step_s: must be 1 or 2 for knative-kpa (the autoscaler ticks every 2 s), got 5",
    );
}

#[test]
fn a_sweep_sets_annotations_by_name_and_writes_the_recommendation_back_as_the_manifest() {
    // The first request's pods stay until the stable window holds nothing but zeros: from
    // its last record at 17, a 30 s window empties at 47 and a 60 s one only at 77, so the
    // 30 s window costs less and is recommended, written back in Knative's duration form.
    let fixture = first_request();
    fixture.write(
        "scenario.toml",
        &(SCENARIO.to_owned() + "\n[sweep]\n\"autoscaling.knative.dev/window\" = [60, 30]\n"),
    );
    crate::common::sweep(&fixture, "out", None).success();
    let recommended =
        std::fs::read_to_string(fixture.path("out/recommended-service.yaml")).unwrap();
    assert!(
        recommended.contains("autoscaling.knative.dev/window: \"30s\""),
        "{recommended}"
    );
    assert!(
        recommended.contains("containerConcurrency: 1"),
        "{recommended}"
    );
    // A target above containerConcurrency is capped by it: no value changes the run.
    fixture.write(
        "scenario.toml",
        &(SCENARIO.to_owned() + "\n[sweep]\n\"autoscaling.knative.dev/target\" = [2, 3]\n"),
    );
    crate::common::sweep(&fixture, "out2", None)
        .failure()
        .stderr(predicates::str::contains(
            "sweep.\"autoscaling.knative.dev/target\": changes nothing the run reads",
        ));
}

#[test]
fn a_pod_serves_its_container_concurrency_at_once() {
    // containerConcurrency 2 at 100 % utilization, no concurrency_per_instance: two requests
    // at 10.5 s wait in the activator, 2 × 0.5 = 1 in flight over second 11 (no bump: already
    // 1) and 2 over second 12; at the tick of 12, S = 1.5, T_v = 2 × 1.0, ceil(1.5 / 2) = 1
    // pod, Ready at 17, which runs both at once: 17 to 18.
    let fixture = first_request();
    fixture.replace("scenario.toml", "concurrency_per_instance = 1\n", "");
    fixture.replace(
        "k8s/service.yaml",
        "containerConcurrency: 1",
        "containerConcurrency: 2",
    );
    fixture.replace(
        "k8s/service.yaml",
        "autoscaling.knative.dev/window: \"60s\"",
        "autoscaling.knative.dev/target-utilization-percentage: \"100\"",
    );
    fixture.write("requests.csv", "arrival_s\n10.5\n10.5\n60.0\n");
    crate::common::scalesim()
        .args(["run", "scenario.toml", "--out", "out", "--requests"])
        .current_dir(fixture.dir.path())
        .assert()
        .success();
    let requests = fixture.read_out("requests.csv");
    assert_eq!(column(&requests, "start_s")[..2], ["17", "17"]);
    assert_eq!(column(&requests, "instance")[..2], ["0", "0"]);
    let events = fixture.read_out("events.csv");
    assert_eq!(column(&events, "to").first().map(String::as_str), Some("1"));
    // validate says what the run does: the manifest's two slots.
    crate::common::scalesim()
        .args(["validate", "scenario.toml"])
        .current_dir(fixture.dir.path())
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "request by request (2 slots an instance)",
        ));
    // A concurrency_per_instance other than the manifest's is refused.
    fixture.replace(
        "scenario.toml",
        "[service]\n",
        "[service]\nconcurrency_per_instance = 4\n",
    );
    refused_run(
        &fixture,
        "out2",
        "service.concurrency_per_instance: is the manifest's containerConcurrency (2) under \
         knative-kpa",
    );
}
