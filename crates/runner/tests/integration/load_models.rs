//! Synthetic load, replicas, the queue, latency and cost through the binary and the library.

use scalesim_runner::Scenario;

use crate::common::{Fixture, column, repo_root, scalesim};

const SYNTHETIC: &str = r#"name = "synthetic"
seed = 11

[load.synthetic]
duration_s = 7200
noise = "poisson"

[[load.synthetic.terms]]
shape = "constant"
per_min = 120.0

[fleet]
capacity_per_instance = 60.0
initial_instances = 2
provisioning_s = 120

[autoscaler]
kind = "aws-target-tracking"
register_scalable_target = "aws/register.json"
put_scaling_policy = "aws/policy.json"
"#;

fn synthetic() -> Fixture {
    let fixture = Fixture::new();
    fixture.write("scenario.toml", SYNTHETIC);
    fixture
}

#[test]
fn the_same_seed_gives_identical_bytes_and_another_seed_differs() {
    let fixture = synthetic();
    let run = |seed: u64, out: &str| {
        fixture.replace_all("scenario.toml", "seed = ", &format!("seed = {seed}\n#"));
        scalesim()
            .arg("run")
            .arg(fixture.path("scenario.toml"))
            .arg("--out")
            .arg(fixture.path(out))
            .assert()
            .success();
        std::fs::read(fixture.path(out).join("timeseries.csv")).unwrap()
    };
    let first = run(11, "a");
    let again = run(11, "b");
    let other = run(12, "c");
    assert!(first == again, "same seed, different timeseries");
    assert!(first != other, "different seeds, same timeseries");
}

#[test]
fn poisson_noise_keeps_the_rate_on_average() {
    // 120 a minute for 120 minutes: 14,400 expected arrivals, Poisson standard deviation 120;
    // 5 standard deviations is a bound a correct generator misses once in millions.
    let fixture = synthetic();
    fixture.run().success();
    let summary: serde_json::Value =
        serde_json::from_str(&fixture.read_out("summary.json")).unwrap();
    let total = summary["demand_total"].as_f64().unwrap();
    assert!((total - 14_400.0).abs() < 5.0 * 120.0, "{total}");
}

#[test]
fn trace_writes_the_drawn_demand_as_a_readable_trace() {
    let fixture = synthetic();
    let out = fixture.path("drawn.csv");
    scalesim()
        .arg("trace")
        .arg(fixture.path("scenario.toml"))
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let text = std::fs::read_to_string(&out).unwrap();
    assert_eq!(column(&text, "t_s").len(), 120);
    assert!(column(&text, "expected").iter().all(|e| e == "120"));
    // Replaying the written trace gives the run the same demand.
    fixture.run().success();
    let summary: serde_json::Value =
        serde_json::from_str(&fixture.read_out("summary.json")).unwrap();
    let written: f64 = column(&text, "requests")
        .iter()
        .map(|r| r.parse::<f64>().unwrap())
        .sum();
    assert_eq!(summary["demand_total"].as_f64().unwrap(), written);
}

#[test]
fn replicas_report_a_spread_that_does_not_depend_on_the_thread_count() {
    let scenario = Scenario::load(&repo_root().join("scenarios/launch-day.toml")).unwrap();
    let spreads_with = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let out = tempfile::TempDir::new().unwrap();
        pool.install(|| scalesim_runner::write_run(&scenario, out.path()).unwrap());
        std::fs::read(out.path().join("summary.json")).unwrap()
    };
    let one = spreads_with(1);
    let four = spreads_with(4);
    assert!(one == four, "summary.json differs between 1 and 4 threads");
    let summary: serde_json::Value = serde_json::from_slice(&one).unwrap();
    assert_eq!(summary["runs"], 20);
    let cost = &summary["replicas"]["cost"];
    assert!(
        cost["p5"].as_f64() <= cost["mean"].as_f64()
            && cost["mean"].as_f64() <= cost["p95"].as_f64()
    );
}

#[test]
fn request_level_replicas_give_the_same_bytes_on_any_thread_count() {
    // Random placement in each minute, exponential service and random routing, four replicas:
    // each draws from its own streams, so 1 and 4 threads write the same files.
    let fixture = crate::common::Fixture::new();
    fixture.replace("scenario.toml", "capacity_per_instance = 1000.0\n", "");
    fixture.replace(
        "scenario.toml",
        "[autoscaler]",
        "[service]\nmodel = \"requests\"\nconcurrency_per_instance = 3\nrouting = \"random\"\n\
         queue_timeout_s = 20\n\n[service.time]\ndistribution = \"exponential\"\nmean_s = 0.25\n\n\
         [autoscaler]",
    );
    fixture.replace(
        "scenario.toml",
        "step_s = 60",
        "step_s = 60\nruns = 4\nseed = 11",
    );
    let scenario = Scenario::load(&fixture.path("scenario.toml")).unwrap();
    let files_with = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let out = tempfile::TempDir::new().unwrap();
        let options = scalesim_runner::RunOptions { requests_csv: true };
        pool.install(|| scalesim_runner::write_run_with(&scenario, out.path(), options).unwrap());
        ["summary.json", "timeseries.csv", "requests.csv"]
            .map(|name| std::fs::read(out.path().join(name)).unwrap())
    };
    let one = files_with(1);
    assert!(
        one == files_with(4),
        "outputs differ between 1 and 4 threads"
    );
    let summary: serde_json::Value = serde_json::from_slice(&one[0]).unwrap();
    let p99 = &summary["replicas"]["latency_p99_s"];
    assert!(p99["p5"].as_f64() <= p99["p95"].as_f64(), "{p99}");
}

/// Runs the synthetic fixture after `from` → `to` in the scenario, expecting `expected` once.
fn check_error(from: &str, to: &str, expected: &str) {
    let fixture = synthetic();
    fixture.replace("scenario.toml", from, to);
    let output = fixture.run().failure().code(1).get_output().clone();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(
        stderr.matches(expected).count(),
        1,
        "stderr {stderr:?} should say {expected:?}"
    );
    assert!(!fixture.out_dir().exists());
}

#[test]
fn bad_load_and_service_settings_name_their_field() {
    check_error(
        "seed = 11",
        "seed = 11\nruns = 0",
        "scenario.toml: runs: must be from 1 to 10000, got 0",
    );
    check_error(
        "per_min = 120.0",
        "per_min = -5.0",
        "scenario.toml: load.synthetic: per_min:",
    );
    check_error(
        "provisioning_s = 120",
        "provisioning_s = { distribution = \"exponential\", mean = 0.0 }",
        "scenario.toml: fleet.provisioning_s:",
    );
    check_error(
        "provisioning_s = 120",
        "provisioning_s = 120\n\n[service]\nservice_time_s = 0.0",
        "scenario.toml: service.service_time_s: must be a finite number of seconds greater than 0, got 0",
    );
    check_error(
        "noise = \"poisson\"",
        "noise = \"negative-binomial\"",
        "scenario.toml: load.synthetic.dispersion: required with noise = \"negative-binomial\"",
    );
}

#[test]
fn an_slo_needs_a_service_time_and_a_replica_must_exist() {
    check_error(
        "provisioning_s = 120",
        "provisioning_s = 120\n\n[slo]\nmax_unserved_fraction = 0.01",
        "scenario.toml: slo: needs service.service_time_s",
    );
    let fixture = synthetic();
    scalesim()
        .arg("trace")
        .arg(fixture.path("scenario.toml"))
        .arg("--out")
        .arg(fixture.path("t.csv"))
        .arg("--replica")
        .arg("3")
        .assert()
        .failure()
        .stderr(predicates::str::contains("--replica 3:"));
    assert!(!fixture.path("t.csv").exists());
}
