//! An endpoint with several production variants through the binary: the traffic split by
//! weight, a variant without a scalable target, an UpdateEndpointWeightsAndCapacities body, and
//! bad input named by field.

use crate::common::{Fixture, column, sweep};

const SCENARIO: &str = r#"name = "ab"

[load]
trace = "trace.csv"

[fleet]
provisioning_s = 0

[fleet.instance_types."ml.c5.xlarge"]
capacity_per_instance = 1000.0
price_per_hour = 1.0

[autoscaler]
kind = "aws-target-tracking"
endpoint_config = "aws/endpoint-config.json"
register_scalable_target = "aws/targets.json"
put_scaling_policy = "aws/policies.json"
metric_delay_s = 0

[[autoscaler.endpoint_updates]]
after_s = 1200
file = "aws/update.json"
"#;

const ENDPOINT_CONFIG: &str = r#"{ "EndpointConfigName": "ab", "ProductionVariants": [
  { "VariantName": "A", "ModelName": "a", "InitialInstanceCount": 1,
    "InstanceType": "ml.c5.xlarge", "InitialVariantWeight": 3 },
  { "VariantName": "B", "ModelName": "b", "InitialInstanceCount": 1,
    "InstanceType": "ml.c5.xlarge", "InitialVariantWeight": 1 } ] }
"#;

/// Only variant A has a scalable target.
const TARGETS: &str = r#"[{ "ServiceNamespace": "sagemaker", "ResourceId": "endpoint/ab/variant/A",
  "ScalableDimension": "sagemaker:variant:DesiredInstanceCount",
  "MinCapacity": 1, "MaxCapacity": 8 }]
"#;

const POLICIES: &str = r#"[{ "PolicyName": "a-ipi", "ServiceNamespace": "sagemaker",
  "ResourceId": "endpoint/ab/variant/A",
  "ScalableDimension": "sagemaker:variant:DesiredInstanceCount",
  "PolicyType": "TargetTrackingScaling",
  "TargetTrackingScalingPolicyConfiguration": { "TargetValue": 300.0,
    "PredefinedMetricSpecification": { "PredefinedMetricType": "SageMakerVariantInvocationsPerInstance" },
    "ScaleOutCooldown": 0, "ScaleInCooldown": 0 } }]
"#;

const UPDATE: &str = r#"{ "EndpointName": "ab", "DesiredWeightsAndCapacities": [
  { "VariantName": "A", "DesiredWeight": 1 },
  { "VariantName": "B", "DesiredWeight": 1, "DesiredInstanceCount": 3 } ] }
"#;

fn endpoint() -> Fixture {
    let trace: String = std::iter::once("minute,requests\n".to_owned())
        .chain((0..30).map(|minute| format!("{minute},800\n")))
        .collect();
    Fixture::with_files(&[
        ("scenario.toml", SCENARIO),
        ("trace.csv", &trace),
        ("aws/endpoint-config.json", ENDPOINT_CONFIG),
        ("aws/targets.json", TARGETS),
        ("aws/policies.json", POLICIES),
        ("aws/update.json", UPDATE),
    ])
}

fn stderr_of(fixture: &Fixture) -> String {
    let out = fixture.run().failure().code(1);
    assert!(!fixture.out_dir().exists(), "an output folder was written");
    String::from_utf8_lossy(&out.get_output().stderr).into_owned()
}

fn figure(summary: &serde_json::Value, key: &str) -> f64 {
    summary[key]
        .as_f64()
        .unwrap_or_else(|| panic!("no {key} in {summary}"))
}

#[test]
fn traffic_splits_by_weight_and_an_update_shifts_it_and_sets_a_count() {
    // 800 a minute, weights 3 : 1: A gets 600, B 200. A tracks 300 a minute an instance:
    // 600 > 300 for minutes 0-2, so at the end of minute 2 ceil(600 / 300) = 2. B has no
    // scalable target and keeps its 1 instance. From 1,200 s the weights are 1 : 1 (400 each):
    // A's 200 an instance is below 270, but not for the 15 minutes a scale-in needs; B is set
    // to 3 at the end of minute 19.
    let fixture = endpoint();
    fixture.run().success();
    let a = fixture.read_out("variants/A/events.csv");
    assert_eq!(column(&a, "t_s"), ["180"]);
    assert_eq!(column(&a, "to"), ["2"]);
    let b = fixture.read_out("variants/B/events.csv");
    assert_eq!(column(&b, "t_s"), ["1200"]);
    assert_eq!(column(&b, "to"), ["3"]);
    assert_eq!(
        column(&b, "reason"),
        ["UpdateEndpointWeightsAndCapacities: DesiredInstanceCount 3"]
    );
    let endpoint_events = fixture.read_out("events.csv");
    assert_eq!(column(&endpoint_events, "variant"), ["A", "B"]);

    let summary: serde_json::Value =
        serde_json::from_str(&fixture.read_out("summary.json")).unwrap();
    // A: 600 x 20 + 400 x 10; B: 200 x 20 + 400 x 10.
    let variants = summary["variants"].as_array().unwrap();
    assert_eq!(figure(&variants[0], "demand_total"), 16_000.0);
    assert_eq!(figure(&variants[1], "demand_total"), 8_000.0);
    assert_eq!(figure(&variants[0], "initial_traffic_share"), 0.75);
    assert_eq!(figure(&summary, "demand_total"), 24_000.0);
    // A: 1 instance for 3 minutes, then 2 for 27; B: 1 for 20 minutes, then 3 for 10.
    let instance_seconds = 60.0 * (3.0 + 27.0 * 2.0) + 60.0 * (20.0 + 10.0 * 3.0);
    assert_eq!(figure(&summary, "instance_seconds"), instance_seconds);
    assert_eq!(figure(&summary, "peak_in_service"), 5.0);
    // Summed over the variants' costs: equal to the last rounding.
    assert!((figure(&summary, "cost") - instance_seconds / 3600.0).abs() < 1e-12);
    // The endpoint's timeseries sums the variants' step by step.
    let timeseries = fixture.read_out("timeseries.csv");
    let in_service = column(&timeseries, "in_service");
    assert_eq!((in_service[2].as_str(), in_service[3].as_str()), ("2", "3"));
    assert_eq!(in_service[20], "5");
    assert!(fixture.out_dir().join("instances.png").exists());
}

#[test]
fn a_policy_for_a_variant_the_endpoint_lacks_is_refused_by_field() {
    let fixture = endpoint();
    fixture.replace("aws/policies.json", "variant/A", "variant/C");
    let stderr = stderr_of(&fixture);
    assert!(
        stderr.contains(
            "policies.json: [0].ResourceId: names variant \"C\", which the endpoint config has \
             no production variant of; its variants: \"A\", \"B\""
        ),
        "{stderr}"
    );
}

#[test]
fn a_policy_for_a_variant_without_a_scalable_target_is_refused() {
    let fixture = endpoint();
    fixture.replace("aws/policies.json", "variant/A", "variant/B");
    assert!(
        stderr_of(&fixture)
            .contains("[0].ResourceId: no scalable target is registered for variant \"B\"")
    );
}

#[test]
fn weights_that_sum_to_zero_and_unknown_instance_types_are_refused() {
    let fixture = endpoint();
    fixture.replace(
        "aws/endpoint-config.json",
        "\"InitialVariantWeight\": 3",
        "\"InitialVariantWeight\": 0",
    );
    fixture.replace(
        "aws/endpoint-config.json",
        "\"InitialVariantWeight\": 1",
        "\"InitialVariantWeight\": 0",
    );
    assert!(stderr_of(&fixture).contains(
        "endpoint-config.json: ProductionVariants: the InitialVariantWeight values sum to 0"
    ));
    let fixture = endpoint();
    fixture.replace(
        "aws/endpoint-config.json",
        "ml.c5.xlarge\", \"InitialVariantWeight\": 1",
        "ml.g5.xlarge\", \"InitialVariantWeight\": 1",
    );
    assert!(stderr_of(&fixture).contains(
        "endpoint-config.json: ProductionVariants[1].InstanceType: \"ml.g5.xlarge\" has no capacity in the scenario"
    ));
}

#[test]
fn weights_past_the_largest_number_and_a_capacity_beside_instance_types_are_refused() {
    let fixture = endpoint();
    fixture.replace(
        "aws/endpoint-config.json",
        "\"InitialVariantWeight\": 3",
        "\"InitialVariantWeight\": 1e308",
    );
    fixture.replace(
        "aws/endpoint-config.json",
        "\"InitialVariantWeight\": 1 }",
        "\"InitialVariantWeight\": 1e308 }",
    );
    assert!(stderr_of(&fixture).contains(
        "ProductionVariants: the InitialVariantWeight values sum past the largest number"
    ));
    let fixture = endpoint();
    fixture.replace(
        "scenario.toml",
        "provisioning_s = 0",
        "provisioning_s = 0\ncapacity_per_instance = 1.0",
    );
    assert!(
        stderr_of(&fixture).contains("fleet.capacity_per_instance: is given per instance type")
    );
    let fixture = endpoint();
    fixture.write("aws/targets.json", r#"{ "ScalableTargets": [] }"#);
    assert!(
        stderr_of(&fixture)
            .contains("targets.json: ScalableTargets: must hold at least one scalable target")
    );
}

/// A step policy named `spike` on variant `variant`, and its alarm naming it by ARN.
fn spike(variant: &str) -> (String, String) {
    let policy = format!(
        r#"{{ "PolicyName": "spike", "ServiceNamespace": "sagemaker",
  "ResourceId": "endpoint/ab/variant/{variant}",
  "ScalableDimension": "sagemaker:variant:DesiredInstanceCount", "PolicyType": "StepScaling",
  "StepScalingPolicyConfiguration": {{ "AdjustmentType": "ChangeInCapacity", "Cooldown": 600,
    "StepAdjustments": [ {{ "MetricIntervalLowerBound": 0, "ScalingAdjustment": 1 }} ] }} }}"#
    );
    let alarm = format!(
        r#"{{ "AlarmName": "spike-{variant}",
  "AlarmActions": ["arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0:resource/sagemaker/endpoint/ab/variant/{variant}:policyName/spike"],
  "MetricName": "Invocations", "Namespace": "AWS/SageMaker", "Statistic": "Sum",
  "Dimensions": [ {{ "Name": "EndpointName", "Value": "ab" }},
                  {{ "Name": "VariantName", "Value": "{variant}" }} ],
  "Period": 60, "EvaluationPeriods": 1, "Threshold": 10000,
  "ComparisonOperator": "GreaterThanThreshold" }}"#
    );
    (policy, alarm)
}

#[test]
fn policies_of_the_same_name_on_two_variants_are_told_apart_by_their_arns() {
    // AWS requires policy names to be unique per scalable target only. Each alarm names its
    // own variant's `spike` in its ARN. A describe listing may also hold other endpoints'
    // policies: they are not this endpoint's.
    let fixture = endpoint();
    fixture.write(
        "aws/targets.json",
        &(TARGETS.replace("}]", "}, ") + &TARGETS[1..].replace("variant/A", "variant/B")),
    );
    let (policy_a, alarm_a) = spike("A");
    let (policy_b, alarm_b) = spike("B");
    let other = policy_a.replace("endpoint/ab/", "endpoint/other/");
    fixture.write(
        "aws/policies.json",
        &format!(r#"{{ "ScalingPolicies": [{policy_a}, {policy_b}, {other}] }}"#),
    );
    fixture.write("aws/alarms.json", &format!("[{alarm_a}, {alarm_b}]"));
    fixture.replace(
        "scenario.toml",
        "metric_delay_s = 0",
        "metric_delay_s = 0\nalarms = \"aws/alarms.json\"",
    );
    fixture.run().success();
}

#[test]
fn a_sweep_over_a_variants_weight_runs_the_whole_endpoint_each_time() {
    // Weight 1 for B is the first test's run: 6,420 instance-seconds. With 5, A gets 3/8 of
    // 800 = 300 a minute, not above its target of 300, and keeps 1 instance until the update
    // at 1,200 s gives it 400: above 300 for minutes 20-22, 2 instances from minute 23, so
    // 60 x (23 + 7 x 2) = 2,220; B is as before, 3,000. Both lose nothing; the cheaper is 5.
    let fixture = endpoint();
    let scenario = std::fs::read_to_string(fixture.path("scenario.toml")).unwrap();
    fixture.write(
        "scenario.toml",
        &format!("{scenario}\n[sweep]\n\"ProductionVariants[1].InitialVariantWeight\" = [1, 5]\n"),
    );
    sweep(&fixture, "sweep", None).success();
    let results = std::fs::read_to_string(fixture.path("sweep/results.csv")).unwrap();
    assert_eq!(column(&results, "instance_seconds"), ["6420", "5220"]);
    assert_eq!(column(&results, "demand_total"), ["24000", "24000"]);
    let recommended: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(fixture.path("sweep/recommended-endpoint-config.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        recommended["ProductionVariants"][1]["InitialVariantWeight"],
        5
    );
}

#[test]
fn compare_runs_an_endpoint_as_the_sum_of_its_variants() {
    // The first test's endpoint: 6,420 instance-seconds at 1.0 an hour, beside a one-variant
    // scenario on the same trace.
    let fixture = endpoint();
    fixture.write(
        "single.toml",
        &SCENARIO
            .replace("name = \"ab\"", "name = \"single\"")
            .replace("[fleet.instance_types.\"ml.c5.xlarge\"]\n", "")
            .replace(
                "provisioning_s = 0\n\n",
                "provisioning_s = 0\ninitial_instances = 1\n",
            )
            .replace("endpoint_config = \"aws/endpoint-config.json\"\n", "")
            .replace(
                "\n[[autoscaler.endpoint_updates]]\nafter_s = 1200\nfile = \"aws/update.json\"\n",
                "",
            ),
    );
    crate::common::scalesim()
        .arg("compare")
        .arg(fixture.path("scenario.toml"))
        .arg(fixture.path("single.toml"))
        .arg("--out")
        .arg(fixture.path("comparison"))
        .assert()
        .success();
    let rows = std::fs::read_to_string(fixture.path("comparison/comparison.csv")).unwrap();
    assert_eq!(column(&rows, "scenario"), ["ab", "single"]);
    assert_eq!(column(&rows, "instance_seconds")[0], "6420");
    let cost: f64 = column(&rows, "cost")[0].parse().unwrap();
    assert!((cost - 6420.0 / 3600.0).abs() < 1e-12, "{cost}");
}

#[test]
fn an_endpoint_sweep_refuses_a_field_of_another_endpoints_policy() {
    let fixture = endpoint();
    let other = POLICIES
        .trim()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .replace("endpoint/ab/", "endpoint/other/");
    let ours = POLICIES
        .trim()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    fixture.write(
        "aws/policies.json",
        &format!(r#"{{ "ScalingPolicies": [{ours}, {other}] }}"#),
    );
    let scenario = std::fs::read_to_string(fixture.path("scenario.toml")).unwrap();
    fixture.write(
        "scenario.toml",
        &format!(
            "{scenario}\n[sweep]\n\"ScalingPolicies[1].TargetTrackingScalingPolicyConfiguration.TargetValue\" = [10, 500]\n"
        ),
    );
    sweep(&fixture, "sweep", None)
        .failure()
        .code(1)
        .stderr(predicates::str::contains("changes nothing the run reads"));
    assert!(!fixture.path("sweep").exists());
}
