//! Azure autoscale, Huawei Workspace, the HPA and AWS step and scheduled scaling through the
//! binary: checks by hand and bad input.

use crate::common::{Fixture, column, step_and_schedule};

const HUAWEI_POLICY: &str = r#"{ "server_group_id": "group-1", "enable": true,
  "max_scaling_amount": 2, "single_expansion_count": 1,
  "scaling_policy_by_session": { "session_usage_threshold": 75, "shrink_after_session_idle_minutes": 5 } }
"#;

const HUAWEI_SCENARIO: &str = r#"name = "huawei-check"

[load]
trace = "sessions.csv"

[fleet]
capacity_per_instance = 2
initial_instances = 1
provisioning_s = 120

[autoscaler]
kind = "huawei-workspace"
scaling_policy = "huawei/policy.json"

[sessions]
distribution = "fixed"
mean_s = 240.0
"#;

fn huawei() -> Fixture {
    let mut trace = "minute,sessions\n".to_owned();
    for minute in 0..11 {
        trace.push_str(&format!("{minute},{}\n", u32::from(minute < 3)));
    }
    Fixture::with_files(&[
        ("scenario.toml", HUAWEI_SCENARIO),
        ("sessions.csv", &trace),
        ("huawei/policy.json", HUAWEI_POLICY),
    ])
}

/// The Azure 'Best practices' example: out +1 at CPU ≥ 80, in −1 at CPU ≤ 60, cooldowns PT5M,
/// min 1, max 5, as a `properties` object with property names in another case.
const AZURE_SETTING: &str = r#"{ "enabled": true, "targetResourceUri": "/x",
  "profiles": [ { "name": "best-practices",
    "capacity": { "minimum": "1", "maximum": "5", "default": "1" },
    "rules": [
      { "metricTrigger": { "metricName": "CpuUtilizationPercentage", "metricResourceUri": "/x",
          "timeGrain": "PT1M", "statistic": "Average", "timeWindow": "PT5M",
          "timeAggregation": "Last", "operator": "GreaterThanOrEqual", "threshold": 80 },
        "scaleAction": { "direction": "Increase", "type": "ChangeCount", "value": "1", "cooldown": "PT5M" } },
      { "MetricTrigger": { "MetricName": "CpuUtilizationPercentage", "metricResourceUri": "/x",
          "timeGrain": "PT1M", "statistic": "Average", "timeWindow": "PT5M",
          "timeAggregation": "Last", "operator": "LessThanOrEqual", "threshold": 60 },
        "scaleAction": { "direction": "Decrease", "type": "ChangeCount", "value": "1", "cooldown": "PT5M" } } ] } ] }
"#;

const AZURE_SCENARIO: &str = r#"name = "azure-check"

[load]
trace = "trace.csv"

[fleet]
capacity_per_instance = 100.0
initial_instances = 2
provisioning_s = 0

[autoscaler]
kind = "azure-autoscale"
autoscale_setting = "azure/setting.json"
metric_delay_s = 0
"#;

fn azure() -> Fixture {
    let demand = [160, 180, 180, 180, 180, 180, 150, 150, 150];
    let mut trace = "minute,requests\n".to_owned();
    for (minute, requests) in demand.iter().enumerate() {
        trace.push_str(&format!("{minute},{requests}\n"));
    }
    Fixture::with_files(&[
        ("scenario.toml", AZURE_SCENARIO),
        ("trace.csv", &trace),
        ("azure/setting.json", AZURE_SETTING),
    ])
}

/// Runs `fixture` after `change`, expecting failure with `expected` once in the one message.
fn check_error(fixture: Fixture, change: impl FnOnce(&Fixture), expected: &str) {
    change(&fixture);
    let output = fixture.run().failure().code(1).get_output().clone();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(
        stderr.matches(expected).count(),
        1,
        "stderr {stderr:?} should say {expected:?}"
    );
    assert_eq!(stderr.lines().count(), 1, "one message: {stderr}");
    assert!(
        !fixture.out_dir().exists(),
        "output written despite the error"
    );
}

#[test]
fn huawei_check_by_hand_scale_out_rejection_and_release() {
    // spec/huawei-workspace.md, first check: server 1 added at the end of minute 1, in service
    // in minutes 4 to 8, released at t_e = 540; 3 starts, 2 served, 1 unserved (minute 2).
    let fixture = huawei();
    fixture.run().success();
    let timeseries = fixture.read_out("timeseries.csv");
    let in_service: Vec<String> = column(&timeseries, "in_service");
    assert_eq!(
        in_service,
        ["1", "1", "1", "1", "2", "2", "2", "2", "2", "1", "1"]
    );
    assert_eq!(column(&timeseries, "unserved")[2], "1");
    assert_eq!(
        column(&timeseries, "metric")[..6],
        ["50", "100", "100", "100", "25", "0"]
    );
    let events = fixture.read_out("events.csv");
    assert_eq!(column(&events, "t_s"), ["120", "540"]);
    assert!(
        column(&events, "reason")[0]
            .starts_with("usage 100 % reached session_usage_threshold 75 %")
    );
    let summary: serde_json::Value =
        serde_json::from_str(&fixture.read_out("summary.json")).unwrap();
    assert_eq!(summary["demand_total"], 3.0);
    assert_eq!(summary["unserved_total"], 1.0);
}

#[test]
fn huawei_body_errors_come_in_huaweis_shape() {
    check_error(
        huawei(),
        |f| {
            f.replace(
                "huawei/policy.json",
                r#""max_scaling_amount": 2"#,
                r#""max_scaling_amount": 0"#,
            )
        },
        r#"policy.json: {"error_code": "WKS.00211102", "error_msg": "The parameter is invalid. max_scaling_amount: must be an integer from 1 to 100, got 0"}"#,
    );
    check_error(
        huawei(),
        |f| {
            f.replace(
                "scenario.toml",
                "distribution = \"fixed\"",
                "distribution = \"pareto\"",
            )
        },
        "scenario.toml: sessions.distribution: must be \"fixed\", \"exponential\" or \"lognormal\", got \"pareto\"",
    );
    check_error(
        huawei(),
        |f| {
            f.replace(
                "scenario.toml",
                "capacity_per_instance = 2",
                "capacity_per_instance = 2.5",
            )
        },
        "scenario.toml: fleet.capacity_per_instance: must be a whole number of session slots >= 1, got 2.5",
    );
}

#[test]
fn azure_best_practices_example_through_the_binary() {
    // spec/azure-autoscale.md, first check: out to 3 at t = 60; scale-in skipped for flapping
    // at t = 360 (projection 90 ≥ 80); in to 2 at t = 420 (projection 75).
    let fixture = azure();
    fixture.run().success();
    let events = fixture.read_out("events.csv");
    assert_eq!(column(&events, "t_s"), ["60", "360", "420"]);
    assert_eq!(column(&events, "direction"), ["out", "none", "in"]);
    assert_eq!(column(&events, "to"), ["3", "3", "2"]);
    assert!(column(&events, "reason")[1].contains("skipped: Flapping"));
    let summary: serde_json::Value =
        serde_json::from_str(&fixture.read_out("summary.json")).unwrap();
    assert_eq!(
        (
            summary["scale_out_events"].clone(),
            summary["scale_in_events"].clone()
        ),
        (1.into(), 1.into())
    );
}

#[test]
fn azure_setting_errors_name_the_json_path() {
    check_error(
        azure(),
        |f| {
            f.replace(
                "azure/setting.json",
                r#""minimum": "1""#,
                r#""minimum": "6""#,
            )
        },
        "setting.json: profiles[0].capacity: minimum '6' is greater than default '1'",
    );
    check_error(
        azure(),
        |f| {
            f.replace(
                "azure/setting.json",
                r#""timeWindow": "PT5M""#,
                r#""timeWindow": "PT5X""#,
            )
        },
        "setting.json: profiles[0].rules[0].metricTrigger.timeWindow:",
    );
    check_error(
        azure(),
        |f| {
            f.replace(
                "azure/setting.json",
                r#""operator": "GreaterThanOrEqual""#,
                r#""operator": "Above""#,
            )
        },
        "setting.json: profiles[0].rules[0].metricTrigger.operator:",
    );
    check_error(
        azure(),
        |f| {
            f.replace(
                "azure/setting.json",
                r#""type": "ChangeCount""#,
                r#""type": "ServiceAllowedNextValue""#,
            )
        },
        "setting.json: profiles[0].rules[0].scaleAction.type:",
    );
    check_error(
        azure(),
        |f| {
            f.replace(
                "scenario.toml",
                "metric_delay_s = 0",
                "metric_delay_s = 0\nevaluation_period_s = 90",
            )
        },
        "scenario.toml: autoscaler.evaluation_period_s",
    );
}

const HPA_MANIFEST: &str = "apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: web }
spec:
  scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: web }
  minReplicas: 1
  maxReplicas: 10
  metrics:
  - type: Resource
    resource: { name: cpu, target: { type: Utilization, averageUtilization: 50 } }
  behavior:
    scaleUp: { policies: [ { type: Pods, value: 4, periodSeconds: 15 } ] }
";

const HPA_SCENARIO: &str = r#"name = "hpa-check"
step_s = 15

[load]
trace = "trace.csv"

[fleet]
capacity_per_instance = 600.0
initial_instances = 2
provisioning_s = 30

[autoscaler]
kind = "kubernetes-hpa"
horizontal_pod_autoscaler = "k8s/hpa.yaml"
"#;

fn hpa() -> Fixture {
    // 240 a 15 s step in steps 0–3 (minute 0), then 60: the spec's first HPA check by hand.
    let mut trace = "second,requests\n".to_owned();
    for step in 0..30 {
        let requests = if step < 4 { 240 } else { 60 };
        trace.push_str(&format!("{},{requests}\n", step * 15));
    }
    Fixture::with_files(&[
        ("scenario.toml", HPA_SCENARIO),
        ("trace.csv", &trace),
        ("k8s/hpa.yaml", HPA_MANIFEST),
    ])
}

#[test]
fn hpa_check_by_hand_through_the_binary() {
    // t = 15: U = 80, D = 4 (the Pods 4 policy allows 2 + 4); the down window holds 4 until
    // t = 360: D = 1 at the end of step 23. The trace's seconds are summed into 15 s steps.
    let fixture = hpa();
    fixture.run().success();
    let events = fixture.read_out("events.csv");
    assert_eq!(column(&events, "t_s"), ["15", "360"]);
    assert_eq!(column(&events, "to"), ["4", "1"]);
    assert!(
        column(&events, "reason")[0].starts_with("metrics[0] cpu utilization 80 % (target 50 %)")
    );
}

#[test]
fn hpa_manifest_errors_read_like_the_api_server() {
    check_error(
        hpa(),
        |f| {
            f.replace(
                "k8s/hpa.yaml",
                "apiVersion: autoscaling/v2",
                "apiVersion: autoscaling/v1",
            )
        },
        r#"hpa.yaml: apiVersion: Unsupported value: "autoscaling/v1""#,
    );
    check_error(
        hpa(),
        |f| f.replace("k8s/hpa.yaml", "maxReplicas: 10", "maxReplicas: 0"),
        "hpa.yaml: spec.maxReplicas: Invalid value: 0",
    );
    check_error(
        hpa(),
        |f| f.replace("k8s/hpa.yaml", "periodSeconds: 15", "periodSeconds: 1801"),
        "hpa.yaml: spec.behavior.scaleUp.policies[0].periodSeconds: Invalid value: 1801",
    );
    check_error(
        hpa(),
        |f| {
            f.replace(
                "k8s/hpa.yaml",
                ", target: { type: Utilization, averageUtilization: 50 }",
                "",
            )
        },
        "hpa.yaml: spec.metrics[0].resource.target",
    );
}

#[test]
fn aws_step_policy_and_scheduled_action_by_hand_through_the_binary() {
    // Minute 0 sums 700 > 500: the alarm fires at its end and the step [0, +inf) adds 2, 1 -> 3.
    // It stays in ALARM through minute 9, but in the 600 s cooldown the step counts from the
    // capacity before the scale-out (1 + 2 = 3), so nothing more; minute 10 (100) clears it.
    // The action at 08:20, 1,200 s after `start`, lifts MinCapacity to 5: 3 -> 5.
    let fixture = step_and_schedule();
    fixture.run().success();
    let events = fixture.read_out("events.csv");
    assert_eq!(column(&events, "t_s"), ["60", "1200"]);
    assert_eq!(column(&events, "from"), ["1", "3"]);
    assert_eq!(column(&events, "to"), ["3", "5"]);
    let reasons = column(&events, "reason");
    assert!(
        reasons[0].starts_with("step scaling policy spike"),
        "{}",
        reasons[0]
    );
    assert!(
        reasons[1].starts_with("scheduled action raise"),
        "{}",
        reasons[1]
    );
}

#[test]
fn aws_step_policy_without_its_alarm_is_refused_by_name() {
    let fixture = step_and_schedule();
    fixture.replace("aws/alarms.json", ":policyName/spike", ":policyName/other");
    let out = fixture.run().failure();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        stderr.contains("policy.json: [0].PolicyName: step scaling policy \"spike\" has no alarm"),
        "{stderr}"
    );
    assert!(!fixture.out_dir().exists());
}

#[test]
fn aws_scheduled_action_in_an_unknown_time_zone_is_refused() {
    let fixture = step_and_schedule();
    fixture.replace(
        "aws/scheduled.json",
        "\"Schedule\"",
        "\"Timezone\": \"Mars/Olympus\", \"Schedule\"",
    );
    let out = fixture.run().failure();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        stderr.contains("scheduled.json: [0].Timezone") && stderr.contains("Mars/Olympus"),
        "{stderr}"
    );
    assert!(!fixture.out_dir().exists());
}

#[test]
fn a_queue_in_front_of_an_inference_component_that_scales_to_zero_is_refused() {
    let scenarios = crate::common::repo_root().join("scenarios");
    let text = std::fs::read_to_string(scenarios.join("sagemaker-scale-to-zero.toml"))
        .unwrap()
        .replace("\"traces/", &format!("\"{}/traces/", scenarios.display()))
        .replace("\"aws/", &format!("\"{}/aws/", scenarios.display()))
        + "\n[service]\nmodel = \"queue\"\n";
    let fixture = Fixture::with_files(&[("scenario.toml", &text)]);
    let out = fixture.run().failure().code(1);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        stderr.contains("scenario.toml: service.model: requests that find no copy"),
        "{stderr}"
    );
    assert!(!fixture.out_dir().exists());
}

/// One instance of 60 requests a minute at 1 s each (one server), fed a steady 54 requests a
/// minute (0.9/s) in 10 s steps, tracking 5 requests in flight per instance on SageMaker's
/// high-resolution metric.
fn concurrency_fixture() -> Fixture {
    const SCENARIO: &str = r#"name = "concurrency"
step_s = 10

[load.synthetic]
duration_s = 600

[[load.synthetic.terms]]
shape = "constant"
per_min = 54.0

[fleet]
capacity_per_instance = 60.0
initial_instances = 1
provisioning_s = 0

[service]
model = "queue"
service_time_s = 1.0

[autoscaler]
kind = "aws-target-tracking"
register_scalable_target = "aws/register.json"
put_scaling_policy = "aws/policy.json"
"#;
    const POLICY: &str = r#"{"TargetValue": 5.0, "PredefinedMetricSpecification":
        {"PredefinedMetricType": "SageMakerVariantConcurrentRequestsPerModelHighResolution"}}"#;
    let fixture = Fixture::new();
    fixture.write("scenario.toml", SCENARIO);
    fixture.write("aws/policy.json", POLICY);
    fixture
}

#[test]
fn concurrency_scales_out_on_the_high_resolution_alarm_the_scenario_shapes() {
    // λ = 0.9/s on one M/M/1 server of 1 s: W = 1 / (1 − 0.9) = 10 s, L = λW = 9 > 5. With the
    // default alarm (3 of 3 datapoints of 10 s, 10 s late) slots 0-2 are visible at 40 s; then
    // ceil(9 × 1 / 5) = 2.
    let fixture = concurrency_fixture();
    fixture.run().success();
    let events = fixture.read_out("events.csv");
    assert_eq!(
        column(&events, "t_s").first().map(String::as_str),
        Some("40")
    );
    assert_eq!(column(&events, "to").first().map(String::as_str), Some("2"));
    assert!(
        column(&events, "reason")[0].contains("for 3 of 3 10 s datapoints (0 s to 30 s, 9 to 9)"),
        "{events}"
    );
    // One datapoint, visible as its period ends: slot 0 at 10 s.
    fixture.write(
        "scenario.toml",
        &(std::fs::read_to_string(fixture.path("scenario.toml")).unwrap()
            + "\n[autoscaler.high_resolution_alarm]\ndatapoints = 1\ndelay_s = 0\n"),
    );
    std::fs::remove_dir_all(fixture.out_dir()).unwrap();
    fixture.run().success();
    let events = fixture.read_out("events.csv");
    assert_eq!(
        column(&events, "t_s").first().map(String::as_str),
        Some("10")
    );
    // A period that is not CloudWatch's is refused by its key.
    fixture.replace("scenario.toml", "datapoints = 1", "period_s = 15");
    crate::common::refused_run(
        &fixture,
        "out2",
        "scenario.toml: autoscaler.high_resolution_alarm.period_s: must be 10, 20, 30 or 60",
    );
}

const DIMENSIONS: &str = r#"[{ "Name": "EndpointName", "Value": "MyEndpoint" },
                             { "Name": "VariantName", "Value": "MyVariant" }]"#;

#[test]
fn target_tracking_on_metric_math_scales_on_the_expression() {
    // The spec's fixture (700 a minute for minutes 0-9, then 100; no delay; 1 to 8 instances)
    // tracking e1 = m1 / 7 at 10, m1 the variant's InvocationsPerInstance. Minutes 0-2 give
    // 700 / 7 = 100 > 10: at 180 s, ceil(100 × 1 / 10) = 10, clamped to 8. From minute 10, 8
    // instances see 100 / 8 = 12.5 a minute, e1 = 1.786 < 9 for minutes 10-24: at 1500 s,
    // ceil(1.786 × 8 / 10) = ceil(1.43) = 2.
    let fixture = Fixture::new();
    let policy = format!(
        r#"{{ "TargetValue": 10.0, "ScaleOutCooldown": 300, "ScaleInCooldown": 300,
        "CustomizedMetricSpecification": {{ "Metrics": [
          {{ "Id": "m1", "ReturnData": false, "MetricStat": {{ "Stat": "Sum",
             "Metric": {{ "MetricName": "InvocationsPerInstance", "Namespace": "AWS/SageMaker",
                         "Dimensions": {DIMENSIONS} }} }} }},
          {{ "Id": "e1", "Expression": "m1 / 7", "Label": "sevenths" }} ] }} }}"#
    );
    fixture.write("aws/policy.json", &policy);
    fixture.run().success();
    let events = fixture.read_out("events.csv");
    assert_eq!(column(&events, "t_s"), ["180", "1500"]);
    assert_eq!(column(&events, "to"), ["8", "2"]);
    assert!(
        column(&events, "reason")[0].starts_with("AlarmHigh in ALARM: sevenths > 10"),
        "{events}"
    );
    // Naming the metric both ways is refused.
    fixture.replace(
        "aws/policy.json",
        r#""Metrics": ["#,
        r#""MetricName": "Invocations", "Metrics": ["#,
    );
    crate::common::refused_run(
        &fixture,
        "out2",
        "policy.json: CustomizedMetricSpecification.MetricName: cannot be given with Metrics",
    );
}

#[test]
fn a_step_policy_alarm_on_metric_math_steps_on_the_expression() {
    // The step fixture's alarm (Invocations > 500, +2) as e1 = m1 * 2 > 1000: minute 0's 700
    // invocations give 1400 > 1000, 1400 − 1000 is in [0, +inf): at 60 s, 1 + 2 = 3.
    let fixture = step_and_schedule();
    let alarm = format!(
        r#"[{{ "AlarmName": "spike", "ActionsEnabled": true,
      "AlarmActions": ["arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0:resource/sagemaker/endpoint/MyEndpoint/variant/MyVariant:policyName/spike"],
      "Metrics": [
        {{ "Id": "m1", "ReturnData": false, "MetricStat": {{ "Period": 60, "Stat": "Sum",
           "Metric": {{ "MetricName": "Invocations", "Namespace": "AWS/SageMaker",
                       "Dimensions": {DIMENSIONS} }} }} }},
        {{ "Id": "e1", "Expression": "m1 * 2" }} ],
      "EvaluationPeriods": 1, "Threshold": 1000,
      "ComparisonOperator": "GreaterThanThreshold" }}]"#
    );
    fixture.write("aws/alarms.json", &alarm);
    fixture.run().success();
    let events = fixture.read_out("events.csv");
    assert_eq!(
        column(&events, "t_s").first().map(String::as_str),
        Some("60")
    );
    assert_eq!(column(&events, "to").first().map(String::as_str), Some("3"));
    assert!(
        column(&events, "reason")[0].contains("e1 > 1000"),
        "{events}"
    );
    // A metric the variant does not publish is named by its path in the list.
    fixture.replace("aws/alarms.json", "\"Invocations\"", "\"DiskUtilization\"");
    crate::common::refused_run(
        &fixture,
        "out2",
        "alarms.json: [0].Metrics[0].MetricStat.Metric.MetricName: \"DiskUtilization\" is not a \
         metric the simulation produces",
    );
    // With Metrics, PutMetricAlarm takes no Period of its own.
    fixture.replace("aws/alarms.json", "\"DiskUtilization\"", "\"Invocations\"");
    fixture.replace(
        "aws/alarms.json",
        "\"EvaluationPeriods\"",
        "\"Period\": 60, \"EvaluationPeriods\"",
    );
    crate::common::refused_run(
        &fixture,
        "out3",
        "alarms.json: [0].Period: cannot be given with Metrics",
    );
}
