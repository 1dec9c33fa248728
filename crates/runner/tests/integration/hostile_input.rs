//! Regression tests for the classes of failure a fuzzing campaign found (issue #11): numbers valid
//! in form but huge in effect, deep nesting, huge files, and output folders. Each case must end in
//! one clear message and exit 1, with no output folder, or in a whole result with finite figures;
//! never an abort, a panic or a hang.

use crate::common::{Fixture, refused_run, scalesim};

/// Runs the fixture after `change` and expects a refusal naming `expected`, with nothing written.
fn refused(change: impl FnOnce(&Fixture), expected: &str) {
    let fixture = Fixture::new();
    change(&fixture);
    refused_run(&fixture, "results/nested/out", expected);
}

/// Runs `scalesim` with `args`, expects exit code 1, and returns what it said on stderr.
fn refusal(args: &[&std::ffi::OsStr]) -> String {
    let output = scalesim()
        .args(args)
        .assert()
        .failure()
        .code(1)
        .get_output()
        .clone();
    String::from_utf8(output.stderr).unwrap()
}

/// Appends `row` to the fixture's trace.
fn append_row(fixture: &Fixture, row: &str) {
    let path = fixture.path("trace.csv");
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str(row);
    text.push('\n');
    std::fs::write(path, text).unwrap();
}

#[test]
fn bucket_indices_that_jump_far_are_refused_before_allocating() {
    // 10^12 minutes would be 8 TB of steps; 2^64 − 1 has no end to its bucket.
    refused(
        |f| append_row(f, "1000000000000,5"),
        "trace.csv: the run would have 1000000000001 steps of 60 s, more than the 10000000 a run may have",
    );
    refused(
        |f| append_row(f, "18446744073709551615,5"),
        "more than the 10000000 a run may have",
    );
    // One past u64's range is not truncated: line 32 (header, 30 minutes, then this row).
    refused(
        |f| append_row(f, "18446744073709551616,5"),
        "trace.csv: line 32: minute: expected a whole number no larger than 18446744073709551615, \
         got \"18446744073709551616\"",
    );
}

#[test]
fn counts_that_could_not_be_summed_finitely_are_refused() {
    refused(
        |f| f.replace("trace.csv", "3,700\n", "3,1e308\n"),
        "trace.csv: line 5: bucket 3: count must be at most 1e12, got 1e308",
    );
    refused(
        |f| {
            f.replace(
                "scenario.toml",
                "capacity_per_instance = 1000.0",
                "capacity_per_instance = 1e300",
            )
        },
        "scenario.toml: fleet.capacity_per_instance: must be at most 1e12 requests a minute, got 1e300",
    );
}

#[test]
fn synthetic_load_of_years_in_seconds_is_refused() {
    refused(
        |f| {
            f.replace("scenario.toml", "step_s = 60", "step_s = 1");
            f.replace(
                "scenario.toml",
                "trace = \"trace.csv\"",
                "[load.synthetic]\nduration_s = 315360000\n\
                 [[load.synthetic.terms]]\nshape = \"constant\"\nper_min = 10.0",
            );
        },
        "the run would have 315360000 steps of 1 s, more than the 10000000 a run may have",
    );
}

#[test]
fn provisioning_and_service_times_have_bounds() {
    refused(
        |f| {
            f.replace(
                "scenario.toml",
                "provisioning_s = 0",
                "provisioning_s = { distribution = \"exponential\", mean = 1e18 }",
            )
        },
        "fleet.provisioning_s: must have a mean of at most 604800 s (a week), got 1000000000000000000",
    );
    refused(
        |f| {
            f.replace(
                "scenario.toml",
                "provisioning_s = 0",
                "provisioning_s = 1000000000000",
            )
        },
        "fleet.provisioning_s: must be at most 604800 s (a week), got 1000000000000",
    );
    refused(
        |f| {
            f.replace(
                "scenario.toml",
                "metric_delay_s = 0",
                "metric_delay_s = 0\n\n[service]\nservice_time_s = 4294967296",
            )
        },
        "service.service_time_s: must be at most 3600 s, got 4294967296",
    );
}

#[test]
fn draws_far_past_the_run_and_huge_queues_still_run_to_finite_figures() {
    // A heavy-tailed provisioning draw (log-normal, sigma 6) and an hour-long service time at
    // the largest capacity: both once took hours or aborted; now they are a normal run.
    let fixture = Fixture::new();
    fixture.replace(
        "scenario.toml",
        "provisioning_s = 0",
        "provisioning_s = { distribution = \"lognormal\", mean = 600000.0, sigma = 6.0 }",
    );
    fixture.replace(
        "scenario.toml",
        "capacity_per_instance = 1000.0",
        "capacity_per_instance = 1e12",
    );
    fixture.replace(
        "scenario.toml",
        "metric_delay_s = 0",
        "metric_delay_s = 0\n\n[service]\nservice_time_s = 3600.0",
    );
    fixture.replace("trace.csv", "3,700\n", "3,1e12\n");
    fixture.run().success();
    let summary = fixture.read_out("summary.json");
    assert!(!summary.contains("null"), "{summary}");
    let json: serde_json::Value = serde_json::from_str(&summary).unwrap();
    // The trace: 700 × 9 + 1e12 + 100 × 20 requests.
    assert_eq!(json["demand_total"], 1e12 + 6300.0 + 2000.0);
}

#[test]
fn deep_and_huge_vendor_files_are_refused_by_their_limits() {
    let deep = format!(
        "{{ \"MinCapacity\": 1, \"Tags\": {}{} }}",
        "[".repeat(50_000),
        "]".repeat(50_000)
    );
    refused(
        |f| f.write("aws/register.json", &deep),
        "register.json: line 1: arrays and maps nest deeper than 128 levels",
    );
    let huge = format!("{}\n{}", " ".repeat(5 << 20), crate::common::REGISTER);
    refused(
        |f| f.write("aws/register.json", &huge),
        "register.json: larger than a vendor file may be (4 MiB)",
    );
}

#[test]
fn sweeps_larger_than_a_million_runs_are_refused() {
    let fixture = Fixture::new();
    fixture.replace(
        "scenario.toml",
        "metric_delay_s = 0",
        "metric_delay_s = 0\n\n[sweep]\nsamples = 1000000000000\nTargetValue = [50, 70]",
    );
    let stderr = refusal(&[
        "sweep".as_ref(),
        fixture.path("scenario.toml").as_os_str(),
        "--out".as_ref(),
        fixture.path("sweep").as_os_str(),
    ]);
    assert!(
        stderr.contains(
            "sweep.samples: asks for more than 1000000 runs (1000000000000): split it into \
             several sweep files, or sample it with `samples`"
        ),
        "{stderr}"
    );
    assert!(!fixture.path("sweep").exists());
}

#[test]
fn a_folder_with_other_files_is_refused_and_left_alone() {
    let fixture = Fixture::new();
    std::fs::create_dir(fixture.out_dir()).unwrap();
    fixture.write("out/notes.txt", "mine");
    let output = fixture.run().failure().code(1).get_output().clone();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("holds \"notes.txt\", which scalesim did not write"),
        "{stderr}"
    );
    assert_eq!(fixture.read_out("notes.txt"), "mine");
    assert!(!fixture.out_dir().join("summary.json").exists());
}

#[test]
fn a_run_replaces_an_earlier_result_of_another_kind_whole() {
    // A sweep's files (another vendor's recommendation among them) in the folder a run writes.
    let fixture = Fixture::new();
    std::fs::create_dir(fixture.out_dir()).unwrap();
    for stale in [
        "results.csv",
        "recommendation.json",
        "recommended-horizontal-pod-autoscaler.yaml",
        ".timeseries.csv.x1Y2z3",
    ] {
        fixture.write(&format!("out/{stale}"), "stale");
    }
    fixture.run().success();
    let mut names: Vec<String> = std::fs::read_dir(fixture.out_dir())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "events.csv",
            "instances.png",
            "instances.svg",
            "report.html",
            "summary.json",
            "timeseries.csv"
        ]
    );
    let beside: Vec<_> = std::fs::read_dir(fixture.dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with('.'))
        .collect();
    assert!(beside.is_empty(), "staging left behind: {beside:?}");
}

#[test]
fn hpa_lists_of_thousands_are_refused_in_the_api_servers_words() {
    let root = crate::common::repo_root();
    let dir = tempfile::tempdir().unwrap();
    let manifest = std::fs::read_to_string(root.join("scenarios/k8s/nasa-hpa.yaml")).unwrap();
    let metric = "  - type: Resource\n    resource:\n      name: cpu\n      target:\n        \
                  type: Utilization\n        averageUtilization: 60\n";
    let (head, _) = manifest.split_once("  metrics:\n").unwrap();
    std::fs::write(
        dir.path().join("hpa.yaml"),
        format!("{head}  metrics:\n{}", metric.repeat(101)),
    )
    .unwrap();
    std::fs::write(dir.path().join("trace.csv"), crate::common::spec_trace()).unwrap();
    std::fs::write(
        dir.path().join("scenario.toml"),
        "name = \"many\"\n[load]\ntrace = \"trace.csv\"\n[fleet]\ncapacity_per_instance = 60.0\n\
         [autoscaler]\nkind = \"kubernetes-hpa\"\nhorizontal_pod_autoscaler = \"hpa.yaml\"\n",
    )
    .unwrap();
    let stderr = refusal(&[
        "validate".as_ref(),
        dir.path().join("scenario.toml").as_os_str(),
    ]);
    assert!(
        stderr.contains("hpa.yaml: spec.metrics: Too many: 101: must have at most 100 items"),
        "{stderr}"
    );
    // Two billion pods, each built at every sync, once took hours: at most a cluster's pods.
    std::fs::write(
        dir.path().join("hpa.yaml"),
        manifest.replace("maxReplicas: 10", "maxReplicas: 2147483647"),
    )
    .unwrap();
    let stderr = refusal(&[
        "validate".as_ref(),
        dir.path().join("scenario.toml").as_os_str(),
    ]);
    assert!(
        stderr.contains(
            "hpa.yaml: spec.maxReplicas: Invalid value: 2147483647: must be at most 150000, the \
             most pods a Kubernetes cluster supports"
        ),
        "{stderr}"
    );
}

#[test]
fn a_trace_written_again_clears_what_a_killed_one_left() {
    let fixture = Fixture::new();
    fixture.write(".replay.csv.aB3xY9", "half a trace");
    fixture.write(".replay.csv.notes", "not a temp file of ours");
    scalesim()
        .arg("trace")
        .arg(fixture.path("scenario.toml"))
        .arg("--out")
        .arg(fixture.path("replay.csv"))
        .assert()
        .success();
    assert!(!fixture.path(".replay.csv.aB3xY9").exists());
    assert!(fixture.path(".replay.csv.notes").exists());
    let text = std::fs::read_to_string(fixture.path("replay.csv")).unwrap();
    // The header and one row per minute of the 30-minute trace.
    assert_eq!(text.lines().count(), 31);
}

#[test]
fn a_trace_never_replaces_a_file_it_did_not_write_nor_the_scenarios_own() {
    let fixture = Fixture::new();
    let trace = |out: &str| {
        scalesim()
            .arg("trace")
            .arg(fixture.path("scenario.toml"))
            .arg("--out")
            .arg(fixture.path(out))
            .assert()
    };
    fixture.write("notes.txt", "important notes\n");
    trace("notes.txt")
        .failure()
        .stderr(predicates::str::contains(
            "notes.txt: exists and is not a trace scalesim wrote (its first line is not \
         t_s,requests): remove it or write to another file",
        ));
    assert_eq!(
        std::fs::read_to_string(fixture.path("notes.txt")).unwrap(),
        "important notes\n"
    );
    let input = std::fs::read_to_string(fixture.path("trace.csv")).unwrap();
    trace("trace.csv")
        .failure()
        .stderr(predicates::str::contains("trace.csv: is an input of"));
    assert_eq!(
        std::fs::read_to_string(fixture.path("trace.csv")).unwrap(),
        input
    );
    // What it wrote, it writes again: 30 minutes, a row each.
    trace("replay.csv").success();
    fixture.write("replay.csv", "t_s,requests\n0,1\n");
    trace("replay.csv").success();
    assert_eq!(
        std::fs::read_to_string(fixture.path("replay.csv"))
            .unwrap()
            .lines()
            .count(),
        31
    );
}

#[test]
fn steps_and_replicas_beyond_their_limits_are_refused() {
    // step_s near u64's end once wrapped the step arithmetic into a loop that never ended.
    refused(
        |f| {
            f.replace(
                "scenario.toml",
                "step_s = 60",
                "step_s = 9223372036854775807",
            )
        },
        "scenario.toml: step_s: must be from 1 to 86400 s (a day), got 9223372036854775807",
    );
    // Four billion replicas once reserved gigabytes for their figures, then ran for days.
    refused(
        |f| {
            f.replace(
                "scenario.toml",
                "step_s = 60",
                "step_s = 60\nruns = 4294967295",
            )
        },
        "scenario.toml: runs: must be from 1 to 10000, got 4294967295",
    );
    // 10,000 replicas of a 200,000-minute trace: 2·10⁹ replica-steps.
    refused(
        |f| {
            f.replace("scenario.toml", "step_s = 60", "step_s = 60\nruns = 10000");
            append_row(f, "199999,5");
        },
        "scenario.toml: runs: 10000 replicas of 200000 steps are more than the 1000000000 \
         replica-steps a scenario may ask for",
    );
}

#[test]
fn sweep_values_must_be_finite() {
    let fixture = Fixture::new();
    fixture.replace(
        "scenario.toml",
        "metric_delay_s = 0",
        "metric_delay_s = 0\n\n[sweep]\nScaleOutCooldown = [300, inf]",
    );
    let stderr = refusal(&[
        "validate".as_ref(),
        fixture.path("scenario.toml").as_os_str(),
    ]);
    assert!(
        stderr.contains("sweep.ScaleOutCooldown: must list finite numbers, got inf"),
        "{stderr}"
    );
}

#[test]
fn session_workloads_beyond_their_bounds_are_refused() {
    let root = crate::common::repo_root().join("scenarios");
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("huawei")).unwrap();
    std::fs::copy(
        root.join("huawei/scaling-policy.json"),
        dir.path().join("huawei/scaling-policy.json"),
    )
    .unwrap();
    let scenario = std::fs::read_to_string(root.join("huawei-workspace-sessions.toml")).unwrap();
    let trace_line = scenario
        .lines()
        .find(|line| line.starts_with("trace"))
        .unwrap()
        .to_owned();
    let validate = |scenario: &str, trace: &str| {
        std::fs::write(dir.path().join("starts.csv"), trace).unwrap();
        std::fs::write(dir.path().join("scenario.toml"), scenario).unwrap();
        refusal(&[
            "validate".as_ref(),
            dir.path().join("scenario.toml").as_os_str(),
        ])
    };
    let with_trace = scenario.replace(&trace_line, "trace = \"starts.csv\"");
    // A million base servers, each simulated every step, once ran for minutes.
    let many_servers = with_trace.replace("initial_instances = 2", "initial_instances = 1000000");
    assert_ne!(
        many_servers, with_trace,
        "the shipped scenario sets initial_instances = 2"
    );
    let stderr = validate(&many_servers, "minute,sessions\n0,1\n1,2\n");
    assert!(
        stderr.contains("fleet.initial_instances: must be from 1 to 10000 base servers"),
        "{stderr}"
    );
    // Two million session starts in one minute, each placed and drawn one by one.
    let stderr = validate(&with_trace, "minute,sessions\n0,1\n1,2000000\n");
    assert!(
        stderr
            .contains("load: session starts in one step must be at most 1e6, got 2000000 (step 1)"),
        "{stderr}"
    );
}
