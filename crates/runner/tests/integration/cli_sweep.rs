//! `scalesim sweep` and `scalesim merge` on the spec's checks by hand.

use predicates::prelude::PredicateBooleanExt as _;
use scalesim_runner::{Shard, Sweep};

use crate::common::{Fixture, column, repo_root, scalesim, step_and_schedule, sweep};

/// The spec-check scenario swept over TargetValue and MinCapacity: 4 runs, the last key
/// (MinCapacity) varying fastest.
fn sweep_fixture() -> Fixture {
    let fixture = Fixture::new();
    fixture.replace(
        "scenario.toml",
        "metric_delay_s = 0",
        "metric_delay_s = 0\n\n[sweep]\nTargetValue = [70, 700]\nMinCapacity = [1, 2]\n",
    );
    fixture
}

/// Asserts that the sweep of `fixture` fails with exit code 1, an error containing `expected`,
/// and no output folder.
fn assert_refused(fixture: &Fixture, expected: &str) {
    sweep(fixture, "refused", None)
        .failure()
        .code(1)
        .stderr(predicates::str::contains(expected));
    assert!(!fixture.path("refused").exists());
}

#[test]
fn a_grid_sweep_runs_every_combination_in_order_with_the_figures_of_single_runs() {
    let fixture = sweep_fixture();
    sweep(&fixture, "out", None).success();
    let results = fixture.read_out("results.csv");
    assert_eq!(column(&results, "run"), ["0", "1", "2", "3"]);
    assert_eq!(column(&results, "TargetValue"), ["70", "70", "700", "700"]);
    assert_eq!(column(&results, "MinCapacity"), ["1", "2", "1", "2"]);
    // Run 0 is the spec's checks by hand: 3 minutes on 1 instance, 22 on 8, 5 on 2.
    assert_eq!(
        column(&results, "instance_seconds")[0],
        (189 * 60).to_string()
    );
    // Target 700 never alarms (700/1 is not > 700): one instance, or the minimum of 2, for
    // all 30 minutes.
    assert_eq!(
        column(&results, "instance_seconds")[2],
        (30 * 60).to_string()
    );
    assert_eq!(
        column(&results, "instance_seconds")[3],
        (2 * 30 * 60).to_string()
    );
    // Nothing is lost at capacity 1000 a minute: every run meets the objective, and the
    // cheapest is run 2; its bodies carry its values.
    let recommendation: serde_json::Value =
        serde_json::from_str(&fixture.read_out("recommendation.json")).unwrap();
    assert_eq!(recommendation["recommended"]["run"], 2);
    // No price: the objective is instance-hours. The scenario's own policy is run 0's, 189
    // instance-minutes; run 2 takes 30: it saves 159 minutes, 159 / 189 of the baseline.
    assert_eq!(recommendation["objective"]["minimize"], "instance_hours");
    let own = recommendation["baseline"]["instance_hours"]
        .as_f64()
        .unwrap();
    assert!((own - 189.0 / 60.0).abs() < 1e-9, "{own}");
    let saving = recommendation["saving"]["instance_hours"].as_f64().unwrap();
    assert!((saving - 159.0 / 60.0).abs() < 1e-9, "{saving}");
    let fraction = recommendation["saving"]["fraction"].as_f64().unwrap();
    assert!((fraction - 159.0 / 189.0).abs() < 1e-12, "{fraction}");
    // Two values a parameter are no range to sit on the edge of.
    assert_eq!(recommendation["warnings"], serde_json::json!([]));
    let policy: serde_json::Value =
        serde_json::from_str(&fixture.read_out("recommended-put-scaling-policy.json")).unwrap();
    assert_eq!(
        policy["TargetTrackingScalingPolicyConfiguration"]["TargetValue"],
        700.0
    );
    assert_eq!(policy["PolicyName"], "myscalablepolicy");
    let register: serde_json::Value =
        serde_json::from_str(&fixture.read_out("recommended-register-scalable-target.json"))
            .unwrap();
    assert_eq!(register["MinCapacity"], 1);
}

#[test]
fn results_are_the_same_bytes_on_one_thread_and_on_four() {
    let fixture = sweep_fixture();
    let sweep = Sweep::load(&fixture.path("scenario.toml")).unwrap();
    let lines_with = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| sweep.run(Shard::WHOLE, &|| {}).unwrap())
            .into_iter()
            .map(|row| row.line)
            .collect::<Vec<_>>()
    };
    assert_eq!(lines_with(1), lines_with(4));
}

#[test]
fn shards_merge_into_the_whole_sweeps_results() {
    let fixture = sweep_fixture();
    sweep(&fixture, "whole", None).success();
    sweep(&fixture, "part1", Some("1/2")).success();
    sweep(&fixture, "part2", Some("2/2")).success();
    assert_eq!(
        column(
            &std::fs::read_to_string(fixture.path("part1/results.csv")).unwrap(),
            "run"
        ),
        ["0", "2"]
    );
    scalesim()
        .arg("merge")
        .arg(fixture.path("scenario.toml"))
        .arg(fixture.path("part2"))
        .arg(fixture.path("part1"))
        .arg("--out")
        .arg(fixture.path("merged"))
        .assert()
        .success();
    for name in ["results.csv", "pareto.csv", "recommendation.json"] {
        let whole = std::fs::read(fixture.path("whole").join(name)).unwrap();
        let merged = std::fs::read(fixture.path("merged").join(name)).unwrap();
        assert!(whole == merged, "{name} differs after merging");
    }
    // A missing shard, and a shard of a sweep since changed, are refused.
    scalesim()
        .arg("merge")
        .arg(fixture.path("scenario.toml"))
        .arg(fixture.path("part1"))
        .arg("--out")
        .arg(fixture.path("incomplete"))
        .assert()
        .failure()
        .stderr(predicates::str::contains("shard 2/2 is missing"));
    fixture.replace(
        "scenario.toml",
        "MinCapacity = [1, 2]",
        "MinCapacity = [1, 3]",
    );
    scalesim()
        .arg("merge")
        .arg(fixture.path("scenario.toml"))
        .arg(fixture.path("part1"))
        .arg(fixture.path("part2"))
        .arg("--out")
        .arg(fixture.path("foreign"))
        .assert()
        .failure()
        .stderr(predicates::str::contains(
            "scenario.toml: changed since shards 1/2",
        ));
    assert!(!fixture.path("incomplete").exists() && !fixture.path("foreign").exists());
}

#[test]
fn bad_sweeps_name_the_key() {
    let check = |from: &str, to: &str, expected: &str| {
        let fixture = sweep_fixture();
        fixture.replace("scenario.toml", from, to);
        assert_refused(&fixture, expected);
    };
    check(
        "TargetValue = [70, 700]",
        "TargetValu = [70, 700]",
        "scenario.toml: sweep.TargetValu: \"TargetValu\" is not a parameter of this aws-target-tracking sweep; known: capacity_per_instance, provisioning_s, metric_delay_s, MinCapacity, MaxCapacity, TargetValue, ScaleOutCooldown, ScaleInCooldown (fields of register.json and policy.json by name or path); options: samples, traces",
    );
    check(
        "TargetValue = [70, 700]",
        "TargetValue = []",
        "sweep.TargetValue: must be a non-empty list of values",
    );
    check(
        "MinCapacity = [1, 2]",
        "MinCapacity = [1, 9]",
        "scenario.toml: sweep: with TargetValue = 70, MinCapacity = 9: ",
    );
    check(
        "MinCapacity = [1, 2]",
        "MinCapacity = [1, 9]",
        "register.json: MaxCapacity: must be greater than or equal to MinCapacity (9), got 8",
    );
    let fixture = sweep_fixture();
    sweep(&fixture, "out", Some("3/2"))
        .failure()
        .stderr(predicates::str::contains(
            "--shard 3/2: expected I/N with 1 <= I <= N",
        ));
}

#[test]
fn over_several_traces_the_recommendation_meets_the_objective_on_every_one() {
    // Capacity 100 a minute. On the spec trace (700 a minute, then 100), TargetValue 70 scales
    // to 8 and loses 3 × 600 of 9,000 requests (0.2); 700 never scales and loses 6,000 (0.67).
    // On a light trace of 10 a minute both lose nothing and 700 is cheaper. Judged per row, the
    // cheapest passing row would be 700 on the light trace; judged per policy on both traces,
    // only 70 passes an objective of 0.25.
    let fixture = sweep_fixture();
    fixture.replace(
        "scenario.toml",
        "capacity_per_instance = 1000.0",
        "capacity_per_instance = 100.0",
    );
    fixture.replace("scenario.toml", "MinCapacity = [1, 2]\n", "traces = [\"light.csv\"]\n\n[objective]\nminimize = \"instance_hours\"\nmax_unserved_fraction = 0.25\n");
    let light: String = (0..30).map(|minute| format!("{minute},10\n")).collect();
    fixture.write("light.csv", &format!("minute,requests\n{light}"));
    sweep(&fixture, "out", None).success();
    assert_eq!(
        column(&fixture.read_out("results.csv"), "trace"),
        ["trace.csv", "trace.csv", "light.csv", "light.csv"]
    );
    let recommendation: serde_json::Value =
        serde_json::from_str(&fixture.read_out("recommendation.json")).unwrap();
    assert_eq!(recommendation["recommended"]["run"], 0);
    assert_eq!(
        recommendation["recommended"]["parameters"]["TargetValue"],
        70
    );
}

#[test]
fn a_sweep_file_is_validated_as_a_sweep_and_not_run_as_a_scenario() {
    let fixture = sweep_fixture();
    scalesim()
        .arg("validate")
        .arg(fixture.path("scenario.toml"))
        .assert()
        .success()
        .stdout(predicates::str::contains("ok: a sweep of 4 runs"));
    scalesim()
        .arg("run")
        .arg(fixture.path("scenario.toml"))
        .arg("--out")
        .arg(fixture.path("out"))
        .assert()
        .failure()
        .stderr(predicates::str::contains("run it with `scalesim sweep"));
    fixture.replace(
        "scenario.toml",
        "TargetValue = [70, 700]",
        "TargetVal = [70, 700]",
    );
    scalesim()
        .arg("validate")
        .arg(fixture.path("scenario.toml"))
        .assert()
        .failure()
        .stderr(predicates::str::contains("sweep.TargetVal"));
    assert!(!fixture.path("out").exists());
}

/// Two hours of the shipped NASA trace under the shipped HPA manifest, in a scenario of its own
/// whose `[sweep]` is `sweep`.
/// No `initial_instances`: a run starts at its own minReplicas.
fn hpa_fixture(sweep: &str) -> Fixture {
    let trace = repo_root().join("scenarios/traces/nasa_http_1995_per_minute.csv");
    let manifest =
        std::fs::read_to_string(repo_root().join("scenarios/k8s/nasa-hpa.yaml")).unwrap();
    let scenario = format!(
        "name = \"hpa\"\nstep_s = 15\n\n[load]\ntrace = {trace:?}\nbuckets = 120\n\n\
         [fleet]\ncapacity_per_instance = 60.0\nprovisioning_s = 60\n\n\
         [autoscaler]\nkind = \"kubernetes-hpa\"\nhorizontal_pod_autoscaler = \"hpa.yaml\"\n{sweep}"
    );
    Fixture::with_files(&[("scenario.toml", &scenario), ("hpa.yaml", &manifest)])
}

#[test]
fn an_hpa_sweep_sets_the_manifests_own_fields_and_each_row_is_the_run_of_the_edited_manifest() {
    let fixture = hpa_fixture(
        "\n[sweep]\naverageUtilization = [50, 90]\n\"scaleDown.stabilizationWindowSeconds\" = [0, 600]\nminReplicas = [1, 2]\n",
    );
    sweep(&fixture, "out", None).success();
    let results = fixture.read_out("results.csv");
    assert_eq!(
        column(&results, "averageUtilization"),
        ["50", "50", "50", "50", "90", "90", "90", "90"]
    );
    assert_eq!(
        column(&results, "minReplicas"),
        ["1", "2", "1", "2", "1", "2", "1", "2"]
    );
    let hours = column(&results, "instance_seconds");
    let unserved = column(&results, "unserved_total");
    // Each row is what `scalesim run` gives for the manifest edited by hand, a different
    // path through the code: the sweep edits the parsed manifest, this edits its text.
    let mut distinct = std::collections::BTreeSet::new();
    for (run, (utilization, window, min)) in [
        (50, 0, 1),
        (50, 0, 2),
        (50, 600, 1),
        (50, 600, 2),
        (90, 0, 1),
        (90, 0, 2),
        (90, 600, 1),
        (90, 600, 2),
    ]
    .into_iter()
    .enumerate()
    {
        let single = hpa_fixture("");
        single.replace(
            "hpa.yaml",
            "averageUtilization: 67",
            &format!("averageUtilization: {utilization}"),
        );
        single.replace("hpa.yaml", "minReplicas: 1", &format!("minReplicas: {min}"));
        single.replace(
            "hpa.yaml",
            "  minReplicas:",
            &format!("  behavior:\n    scaleDown:\n      stabilizationWindowSeconds: {window}\n  minReplicas:"),
        );
        single.run().success();
        let summary: serde_json::Value =
            serde_json::from_str(&single.read_out("summary.json")).unwrap();
        assert_eq!(
            summary["instance_seconds"].to_string(),
            hours[run],
            "run {run}"
        );
        assert_eq!(
            summary["unserved_total"].as_f64().unwrap().to_string(),
            unserved[run],
            "run {run}"
        );
        distinct.insert(hours[run].clone());
    }
    // The fields change the runs: not every row is the same.
    assert!(distinct.len() > 2, "{distinct:?}");
    // The recommendation is the manifest with its run's values, in YAML.
    let recommendation: serde_json::Value =
        serde_json::from_str(&fixture.read_out("recommendation.json")).unwrap();
    let chosen = &recommendation["recommended"]["parameters"];
    let manifest: serde_json::Value =
        serde_norway::from_str(&fixture.read_out("recommended-horizontal-pod-autoscaler.yaml"))
            .unwrap();
    assert_eq!(manifest["kind"], "HorizontalPodAutoscaler");
    assert_eq!(
        manifest["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"],
        chosen["averageUtilization"]
    );
    assert_eq!(manifest["spec"]["minReplicas"], chosen["minReplicas"]);
    assert_eq!(
        manifest["spec"]["behavior"]["scaleDown"]["stabilizationWindowSeconds"],
        chosen["scaleDown.stabilizationWindowSeconds"]
    );
}

#[test]
fn an_azure_sweep_writes_counts_as_text_and_cooldowns_as_durations_and_asks_which_rule() {
    let setting =
        std::fs::read_to_string(repo_root().join("scenarios/azure/ml-endpoint-autoscale.json"))
            .unwrap();
    let trace = repo_root().join("scenarios/traces/nasa_http_1995_per_minute.csv");
    let scenario = |sweep: &str| {
        format!(
            "name = \"azure\"\n\n[load]\ntrace = {trace:?}\nbuckets = 600\n\n\
             [fleet]\ncapacity_per_instance = 60.0\ninitial_instances = 2\n\n\
             [autoscaler]\nkind = \"azure-autoscale\"\nautoscale_setting = \"setting.json\"\n\n[sweep]\n{sweep}"
        )
    };
    let fixture = Fixture::with_files(&[
        (
            "scenario.toml",
            &scenario("maximum = [3]\n\"rules[1].scaleAction.cooldown\" = [300]\n"),
        ),
        ("setting.json", &setting),
    ]);
    sweep(&fixture, "out", None).success();
    let written: serde_json::Value =
        serde_json::from_str(&fixture.read_out("recommended-autoscale-setting.json")).unwrap();
    let profile = &written["properties"]["profiles"][0];
    assert_eq!(profile["capacity"]["maximum"], "3");
    assert_eq!(profile["rules"][1]["scaleAction"]["cooldown"], "PT5M");
    assert_eq!(profile["rules"][0]["scaleAction"]["cooldown"], "PT1H");

    let refused = |table: &str, expected: &str| {
        fixture.write("scenario.toml", &scenario(table));
        assert_refused(&fixture, expected);
    };
    refused(
        "maximum = [3]\n\"capacity.maximum\" = [4]\n",
        "sweep.\"capacity.maximum\": names the same field as \"maximum\"",
    );
    refused(
        "capacity.maximum = [3]\n",
        "sweep.capacity: is a table; a field's path is one key, quoted: \"capacity.…\" = [...]",
    );
    refused(
        "cooldown = [300]\n",
        "sweep.cooldown: \"cooldown\" names several fields of setting.json: \
         properties.profiles[0].rules[0].scaleAction.cooldown, \
         properties.profiles[0].rules[1].scaleAction.cooldown; write enough of the path to pick one",
    );
    refused(
        "\"rules[1].scaleAction.cooldown\" = [90]\n",
        "must be whole minutes, got 'PT1M30S' (90 s)",
    );
}

#[test]
fn an_hpa_sweep_varies_the_controllers_tolerance_as_the_scenario_sets_it() {
    let fixture = hpa_fixture("\n[sweep]\ntolerance = [0.0, 0.5]\n");
    sweep(&fixture, "out", None).success();
    let results = fixture.read_out("results.csv");
    let hours = column(&results, "instance_seconds");
    for (run, tolerance) in ["0.0", "0.5"].into_iter().enumerate() {
        let single = hpa_fixture(&format!("tolerance = {tolerance}\n"));
        single.run().success();
        let summary: serde_json::Value =
            serde_json::from_str(&single.read_out("summary.json")).unwrap();
        assert_eq!(
            summary["instance_seconds"].to_string(),
            hours[run],
            "run {run}"
        );
    }
    // A wider dead band scales less often, so the two differ.
    assert_ne!(hours[0], hours[1]);
    let refused = hpa_fixture("\n[sweep]\ntolerance = [-1]\n");
    assert_refused(&refused, "sweep: with tolerance = -1: ");
}

#[test]
fn an_aws_sweep_sets_a_scheduled_actions_minimum_named_as_describe_lists_it() {
    // The step policy takes 1 -> 3 at the end of minute 0; the action at minute 20 lifts the
    // minimum to 4 or 6. With no provisioning time: 60 s x (1 + 19 x 3 + 10 x minimum).
    let fixture = step_and_schedule();
    let scenario = std::fs::read_to_string(fixture.path("scenario.toml")).unwrap();
    fixture.write(
        "scenario.toml",
        &format!(
            "{scenario}\n[sweep]\n\"ScheduledActions[0].ScalableTargetAction.MinCapacity\" = [4, 6]\n\
             MinCapacity = [1]\n"
        ),
    );
    sweep(&fixture, "out", None).success();
    let results = std::fs::read_to_string(fixture.path("out/results.csv")).unwrap();
    assert_eq!(
        column(
            &results,
            "ScheduledActions[0].ScalableTargetAction.MinCapacity"
        ),
        ["4", "6"]
    );
    assert_eq!(column(&results, "peak_in_service"), ["4", "6"]);
    assert_eq!(column(&results, "instance_seconds"), ["5880", "7080"]);
    // The cheaper run, written back as the array of PutScheduledAction bodies it was read as.
    let recommended: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(fixture.path("out/recommended-scheduled-actions.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(recommended[0]["ScalableTargetAction"]["MinCapacity"], 4);
    assert_eq!(recommended[0]["Schedule"], "at(2026-03-02T08:20:00)");
}

#[test]
fn describe_outputs_are_written_back_as_the_request_bodies_that_set_them_up() {
    let fixture = step_and_schedule();
    let policies: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture.path("aws/policy.json")).unwrap())
            .unwrap();
    let mut described = policies[0].clone();
    described["PolicyARN"] = "arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0:resource/sagemaker/endpoint/MyEndpoint/variant/MyVariant:policyName/spike".into();
    described["Alarms"] = serde_json::json!([{ "AlarmName": "spike",
        "AlarmARN": "arn:aws:cloudwatch:us-east-1:123456789012:alarm:spike" }]);
    described["CreationTime"] = "2026-02-27T10:14:02.610000+00:00".into();
    fixture.write(
        "aws/policy.json",
        &serde_json::json!({ "ScalingPolicies": [described] }).to_string(),
    );
    fixture.write(
        "aws/register.json",
        &format!(
            r#"{{ "ScalableTargets": [ {}, "ScalableTargetARN": "arn:aws:application-autoscaling:us-east-1:123456789012:scalable-target/056d2d3b1b4d4a0b8d1c0e3ec3f1b2a9", "CreationTime": "2026-02-27T10:12:40.412000+00:00" }} ] }}"#,
            crate::common::REGISTER.trim().trim_end_matches('}').trim_end()
        ),
    );
    let scenario = std::fs::read_to_string(fixture.path("scenario.toml")).unwrap();
    fixture.write(
        "scenario.toml",
        &format!("{scenario}\n[sweep]\n\"ScalingPolicies[0].StepScalingPolicyConfiguration.Cooldown\" = [120, 600]\n"),
    );
    sweep(&fixture, "out", None).success();
    let read = |name: &str| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(fixture.path(name)).unwrap()).unwrap()
    };
    let register = read("out/recommended-register-scalable-target.json");
    assert_eq!(register["MinCapacity"], 1);
    assert_eq!(register["MaxCapacity"], 8);
    assert!(register.get("ScalableTargetARN").is_none() && register.get("CreationTime").is_none());
    let policies = read("out/recommended-put-scaling-policy.json");
    let policy = &policies
        .as_array()
        .expect("an array of PutScalingPolicy bodies")[0];
    assert_eq!(policy["PolicyName"], "spike");
    for describe_only in ["PolicyARN", "Alarms", "CreationTime"] {
        assert!(
            policy.get(describe_only).is_none(),
            "{describe_only} written back"
        );
    }
}

#[test]
fn a_field_of_another_resources_policy_in_a_listing_is_refused_as_swept_for_nothing() {
    // describe-scaling-policies lists the account's policies; the second is another
    // variant's, which the run skips: sweeping its cooldown would change no run.
    let fixture = step_and_schedule();
    let policies: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture.path("aws/policy.json")).unwrap())
            .unwrap();
    let ours = policies[0].clone();
    let mut other = ours.clone();
    other["ResourceId"] = "endpoint/MyEndpoint/variant/Canary".into();
    fixture.write(
        "aws/policy.json",
        &serde_json::json!({ "ScalingPolicies": [ours, other] }).to_string(),
    );
    let scenario = std::fs::read_to_string(fixture.path("scenario.toml")).unwrap();
    fixture.write(
        "scenario.toml",
        &format!(
            "{scenario}\n[sweep]\n\"ScalingPolicies[1].StepScalingPolicyConfiguration.Cooldown\" = [120, 600]\n"
        ),
    );
    assert_refused(
        &fixture,
        "sweep.\"ScalingPolicies[1].StepScalingPolicyConfiguration.Cooldown\": changes nothing \
         the run reads",
    );
    // The run's own policy's cooldown is read.
    fixture.replace("scenario.toml", "ScalingPolicies[1]", "ScalingPolicies[0]");
    sweep(&fixture, "out", None).success();
}

#[test]
fn a_sweep_over_a_step_bound_moves_where_the_step_starts() {
    // The step [0, +inf) adds 2 when minute 0's 700 passes 500 (200 above): 1 -> 3, then the
    // action at 08:20 lifts the minimum to 5: 60 x (1 + 19 x 3 + 10 x 5) = 6,480. From 300
    // above, no step takes 200: 1 until 08:20, then 5: 60 x (20 + 10 x 5) = 4,200.
    let fixture = step_and_schedule();
    let scenario = std::fs::read_to_string(fixture.path("scenario.toml")).unwrap();
    fixture.write(
        "scenario.toml",
        &format!("{scenario}\n[sweep]\nMetricIntervalLowerBound = [0, 300]\n"),
    );
    sweep(&fixture, "out", None).success();
    let results = std::fs::read_to_string(fixture.path("out/results.csv")).unwrap();
    assert_eq!(column(&results, "MetricIntervalLowerBound"), ["0", "300"]);
    assert_eq!(column(&results, "instance_seconds"), ["6480", "4200"]);
}

#[test]
fn a_recommendation_at_the_edge_of_a_swept_range_is_flagged() {
    // Target 700 never alarms (700 a minute on one instance is not > 700): the cheapest, and
    // the largest of the three values swept.
    let fixture = Fixture::new();
    fixture.replace(
        "scenario.toml",
        "metric_delay_s = 0",
        "metric_delay_s = 0\n\n[sweep]\nTargetValue = [70, 300, 700]\n",
    );
    let out = sweep(&fixture, "out", None).success();
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(
        stdout.contains(
            "warning: TargetValue = 700 is the largest value swept: the best may lie beyond the \
             range"
        ),
        "{stdout}"
    );
    let recommendation: serde_json::Value =
        serde_json::from_str(&fixture.read_out("recommendation.json")).unwrap();
    assert_eq!(recommendation["warnings"].as_array().map(Vec::len), Some(1));
}

#[test]
fn a_parameter_that_changes_no_run_is_named() {
    // In the spec's checks by hand the fleet scales out once (1 to 8 instances at minute 3) and
    // AWS lets a scale-out through a scale-out cooldown whenever it asks for more than the
    // current capacity, which every scale-out does: ScaleOutCooldown changes nothing. The
    // target does (run 0 and run 2 of the grid sweep above differ), and so does MinCapacity
    // at target 700 (30 against 60 instance-minutes).
    let fixture = Fixture::new();
    fixture.replace(
        "scenario.toml",
        "metric_delay_s = 0",
        "metric_delay_s = 0\n\n[sweep]\nTargetValue = [70, 700]\nScaleOutCooldown = [0, 600, 1800]\nMinCapacity = [1, 2]\n",
    );
    // The kernel is handed 8 runs at a time (its lanes; 12 runs are too few to hand each
    // thread more), and within a group steps each (TargetValue, MinCapacity) once: runs 0-7
    // hold four such pairs, runs 8-11 two, so 6 runs are stepped and 6 copied.
    sweep(&fixture, "out", None)
        .success()
        .stdout(predicates::str::contains(
            "6 runs stepped; the other 6 read their policy and fleet as one of those did",
        ))
        .stdout(predicates::str::contains(
            "ScaleOutCooldown changed no run: every value swept gave the same figures",
        ))
        .stdout(predicates::str::contains("TargetValue changed").not())
        .stdout(predicates::str::contains("MinCapacity changed").not());
    let recommendation: serde_json::Value =
        serde_json::from_str(&fixture.read_out("recommendation.json")).unwrap();
    assert_eq!(
        recommendation["parameters_without_effect"],
        serde_json::json!(["ScaleOutCooldown"])
    );
    let results = fixture.read_out("results.csv");
    let seconds = column(&results, "instance_seconds");
    assert_eq!(seconds.len(), 12);
    // Runs 0, 2 and 4 differ only in ScaleOutCooldown; so do 1, 3 and 5.
    assert_eq!(seconds[0], (189 * 60).to_string());
    assert!(seconds[0] == seconds[2] && seconds[2] == seconds[4]);
    assert!(seconds[1] == seconds[3] && seconds[3] == seconds[5]);
}
