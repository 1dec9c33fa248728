//! `scalesim compare` on the shipped NASA scenarios and on scenarios with different traces.

use crate::common::{column, repo_root, scalesim};

#[test]
fn the_shipped_nasa_comparison_writes_one_row_per_autoscaler_and_the_overlay() {
    let out = tempfile::TempDir::new().unwrap();
    let scenarios = repo_root().join("scenarios");
    let output = scalesim()
        .arg("compare")
        .arg(scenarios.join("sagemaker-nasa.toml"))
        .arg(scenarios.join("azure-ml-endpoint.toml"))
        .arg(scenarios.join("kubernetes-hpa-nasa.toml"))
        .arg("--out")
        .arg(out.path())
        .assert()
        .success()
        .get_output()
        .clone();
    let stdout = String::from_utf8(output.stdout).unwrap();
    for kind in ["aws-target-tracking", "azure-autoscale", "kubernetes-hpa"] {
        assert!(stdout.contains(kind), "{stdout}");
    }
    let csv = std::fs::read_to_string(out.path().join("comparison.csv")).unwrap();
    assert_eq!(
        column(&csv, "autoscaler"),
        ["aws-target-tracking", "azure-autoscale", "kubernetes-hpa"]
    );
    // Each replays the 84,333 minutes of the trace: 58.6 days whatever its step.
    assert_eq!(column(&csv, "duration_s"), vec!["5059980".to_owned(); 3]);
    assert_eq!(column(&csv, "demand_total")[0], "3461610");
    // The AWS row agrees with a run of that scenario alone.
    let alone = tempfile::TempDir::new().unwrap();
    scalesim()
        .arg("run")
        .arg(scenarios.join("sagemaker-nasa.toml"))
        .arg("--out")
        .arg(alone.path())
        .assert()
        .success();
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(alone.path().join("summary.json")).unwrap())
            .unwrap();
    assert_eq!(
        column(&csv, "instance_seconds")[0],
        summary["instance_seconds"].to_string()
    );
    for name in ["comparison.png", "comparison.svg"] {
        assert!(
            std::fs::metadata(out.path().join(name)).unwrap().len() > 1000,
            "{name}"
        );
    }
}

#[test]
fn different_traces_are_refused_unless_asked_for() {
    let out = tempfile::TempDir::new().unwrap();
    let scenarios = repo_root().join("scenarios");
    let command = |allow: bool| {
        let mut command = scalesim();
        command
            .arg("compare")
            .arg(scenarios.join("sagemaker-nasa.toml"))
            .arg(scenarios.join("sagemaker-quickstart.toml"))
            .arg("--out")
            .arg(out.path().join("cmp"));
        if allow {
            command.arg("--allow-different-traces");
        }
        command
    };
    command(false)
        .assert()
        .failure()
        .code(1)
        .stderr(predicates::str::contains(
            "sagemaker-quickstart.toml: load.trace: replays",
        ))
        .stderr(predicates::str::contains("--allow-different-traces"));
    assert!(!out.path().join("cmp").exists());
    command(true).assert().success();
    assert!(out.path().join("cmp/comparison.csv").is_file());
    // Each run's own demand is drawn, and each strip's mean is over the run's own length: the
    // quickstart hour's mean in service is summary.json's, 5.58 instances, not that hour
    // spread over the 58 NASA days.
    let svg = std::fs::read_to_string(out.path().join("cmp/comparison.svg")).unwrap();
    assert!(
        svg.contains("demand of sagemaker-nasa"),
        "no NASA demand line"
    );
    assert!(
        svg.contains("demand of sagemaker-quickstart"),
        "no quickstart demand line"
    );
    assert!(
        svg.contains("mean 5.58"),
        "the quickstart strip's mean is its own"
    );
}

#[test]
fn a_sweep_file_or_a_scenario_named_twice_is_refused_with_nothing_written() {
    let out = tempfile::TempDir::new().unwrap();
    let out_dir = out.path().join("comparison");
    let scenarios = repo_root().join("scenarios");
    let compare = |second: &str| {
        scalesim()
            .arg("compare")
            .arg(scenarios.join("sagemaker-nasa.toml"))
            .arg(second)
            .arg("--out")
            .arg(&out_dir)
            .assert()
            .failure()
            .code(1)
    };
    compare(
        scenarios
            .join("sagemaker-nasa-sweep.toml")
            .to_str()
            .unwrap(),
    )
    .stderr(predicates::str::contains(
        "sagemaker-nasa-sweep.toml: a sweep file (it has a [sweep] table), whose runs \
             compare would not see",
    ));
    // The same file by another path is still the same file.
    compare(
        scenarios
            .join(".")
            .join("sagemaker-nasa.toml")
            .to_str()
            .unwrap(),
    )
    .stderr(predicates::str::contains(
        "sagemaker-nasa.toml: named twice",
    ));
    assert!(!out_dir.exists());
}

#[test]
fn a_refusal_of_different_traces_says_how_they_differ_when_the_file_is_the_same() {
    // launch-day replays the same NASA file as sagemaker-nasa, but a week of it from bucket
    // 2,880 with synthetic terms drawn from seed 2026.
    let out = tempfile::TempDir::new().unwrap();
    let scenarios = repo_root().join("scenarios");
    scalesim()
        .arg("compare")
        .arg(scenarios.join("sagemaker-nasa.toml"))
        .arg(scenarios.join("launch-day.toml"))
        .arg("--out")
        .arg(out.path().join("cmp"))
        .assert()
        .failure()
        .stderr(predicates::str::contains(
            "launch-day.toml: load.trace: replays synthetic load on \
             nasa_http_1995_per_minute.csv, buckets from 2880 (10080 of them), seed 2026, but",
        ))
        .stderr(predicates::str::contains(
            "sagemaker-nasa.toml replays nasa_http_1995_per_minute.csv; compare runs",
        ));
}
