//! A scenario folder in a temp directory, built from the spec's first checks by hand, and the
//! `scalesim` binary to run on it.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use tempfile::TempDir;

/// RegisterScalableTarget of spec/aws-target-tracking.md: 1 to 8 instances.
pub(crate) const REGISTER: &str = r#"{ "ServiceNamespace": "sagemaker",
  "ResourceId": "endpoint/MyEndPoint/variant/MyVariant",
  "ScalableDimension": "sagemaker:variant:DesiredInstanceCount",
  "MinCapacity": 1, "MaxCapacity": 8 }
"#;

/// PutScalingPolicy of spec/aws-target-tracking.md: target 70, cooldowns 300 s.
pub(crate) const POLICY: &str = r#"{ "PolicyName": "myscalablepolicy", "ServiceNamespace": "sagemaker",
  "ResourceId": "endpoint/MyEndpoint/variant/MyVariant",
  "ScalableDimension": "sagemaker:variant:DesiredInstanceCount",
  "PolicyType": "TargetTrackingScaling",
  "TargetTrackingScalingPolicyConfiguration": {
    "TargetValue": 70.0,
    "PredefinedMetricSpecification": { "PredefinedMetricType": "SageMakerVariantInvocationsPerInstance" },
    "ScaleOutCooldown": 300, "ScaleInCooldown": 300, "DisableScaleIn": false } }
"#;

/// The spec's checks by hand: no delay, no provisioning, capacity 1000, one instance.
pub(crate) const SCENARIO: &str = r#"name = "spec-check"
step_s = 60

[load]
trace = "trace.csv"

[fleet]
capacity_per_instance = 1000.0
initial_instances = 1
provisioning_s = 0

[autoscaler]
kind = "aws-target-tracking"
register_scalable_target = "aws/register.json"
put_scaling_policy = "aws/policy.json"
metric_delay_s = 0
"#;

/// 700 a minute for minutes 0..=9, then 100 a minute for minutes 10..=29.
pub(crate) fn spec_trace() -> String {
    let mut text = "minute,requests\n".to_owned();
    for minute in 0..30 {
        let requests = if minute < 10 { 700 } else { 100 };
        text.push_str(&format!("{minute},{requests}\n"));
    }
    text
}

const STEP_POLICY: &str = r#"[{ "PolicyName": "spike", "ServiceNamespace": "sagemaker",
  "ResourceId": "endpoint/MyEndpoint/variant/MyVariant",
  "ScalableDimension": "sagemaker:variant:DesiredInstanceCount",
  "PolicyType": "StepScaling",
  "StepScalingPolicyConfiguration": { "AdjustmentType": "ChangeInCapacity", "Cooldown": 600,
    "StepAdjustments": [ { "MetricIntervalLowerBound": 0, "ScalingAdjustment": 2 } ] } }]
"#;

const SPIKE_ALARM: &str = r#"[{ "AlarmName": "spike", "ActionsEnabled": true,
  "AlarmActions": ["arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0:resource/sagemaker/endpoint/MyEndpoint/variant/MyVariant:policyName/spike"],
  "MetricName": "Invocations", "Namespace": "AWS/SageMaker", "Statistic": "Sum",
  "Dimensions": [ { "Name": "EndpointName", "Value": "MyEndpoint" },
                  { "Name": "VariantName", "Value": "MyVariant" } ],
  "Period": 60, "EvaluationPeriods": 1, "Threshold": 500,
  "ComparisonOperator": "GreaterThanThreshold" }]
"#;

const MINIMUM_AT_MINUTE_20: &str = r#"[{ "ScheduledActionName": "raise", "ServiceNamespace": "sagemaker",
  "ResourceId": "endpoint/MyEndpoint/variant/MyVariant",
  "ScalableDimension": "sagemaker:variant:DesiredInstanceCount",
  "Schedule": "at(2026-03-02T08:20:00)",
  "ScalableTargetAction": { "MinCapacity": 5 } }]
"#;

/// The spec's fixture (700 a minute for minutes 0–9, then 100) with a step policy on its alarm and
/// a scheduled action instead of target tracking.
pub(crate) fn step_and_schedule() -> Fixture {
    let fixture = Fixture::new();
    fixture.write("aws/policy.json", STEP_POLICY);
    fixture.write("aws/alarms.json", SPIKE_ALARM);
    fixture.write("aws/scheduled.json", MINIMUM_AT_MINUTE_20);
    fixture.replace(
        "scenario.toml",
        "metric_delay_s = 0\n",
        "metric_delay_s = 0\nalarms = \"aws/alarms.json\"\nscheduled_actions = \"aws/scheduled.json\"\n",
    );
    fixture.replace(
        "scenario.toml",
        "step_s = 60\n",
        "step_s = 60\nstart = 2026-03-02T08:00:00Z\n",
    );
    fixture
}

/// A scenario folder whose files a test can change before running it.
pub(crate) struct Fixture {
    pub(crate) dir: TempDir,
}

impl Fixture {
    /// A folder holding exactly `files` (name, contents), sub-folders created as needed.
    pub(crate) fn with_files(files: &[(&str, &str)]) -> Self {
        let fixture = Self {
            dir: TempDir::new().unwrap(),
        };
        for (name, text) in files {
            let path = fixture.path(name);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).unwrap();
            }
            std::fs::write(path, text).unwrap();
        }
        fixture
    }

    pub(crate) fn new() -> Self {
        let fixture = Self {
            dir: TempDir::new().unwrap(),
        };
        std::fs::create_dir(fixture.path("aws")).unwrap();
        fixture.write("scenario.toml", SCENARIO);
        fixture.write("trace.csv", &spec_trace());
        fixture.write("aws/register.json", REGISTER);
        fixture.write("aws/policy.json", POLICY);
        fixture
    }

    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub(crate) fn write(&self, name: &str, text: &str) {
        std::fs::write(self.path(name), text).unwrap();
    }

    /// Replaces the first `from` in file `name` with `to`; `from` must be there.
    pub(crate) fn replace(&self, name: &str, from: &str, to: &str) {
        let text = std::fs::read_to_string(self.path(name)).unwrap();
        assert!(text.contains(from), "{name} has no {from:?}");
        self.write(name, &text.replacen(from, to, 1));
    }

    /// Replaces the first line starting with `prefix` in file `name` by `line`.
    pub(crate) fn replace_all(&self, name: &str, prefix: &str, line: &str) {
        let text = std::fs::read_to_string(self.path(name)).unwrap();
        let replaced: Vec<String> = text
            .lines()
            .map(|l| {
                if l.starts_with(prefix) {
                    line.to_owned()
                } else {
                    l.to_owned()
                }
            })
            .collect();
        self.write(name, &(replaced.join("\n") + "\n"));
    }

    pub(crate) fn out_dir(&self) -> PathBuf {
        self.path("out")
    }

    /// `scalesim run scenario.toml --out out`.
    pub(crate) fn run(&self) -> assert_cmd::assert::Assert {
        scalesim()
            .arg("run")
            .arg(self.path("scenario.toml"))
            .arg("--out")
            .arg(self.out_dir())
            .assert()
    }

    pub(crate) fn read_out(&self, name: &str) -> String {
        std::fs::read_to_string(self.out_dir().join(name)).unwrap()
    }
}

/// `scalesim sweep scenario.toml --out <out>` in `fixture`, of one shard if given.
pub(crate) fn sweep(
    fixture: &Fixture,
    out: &str,
    shard: Option<&str>,
) -> assert_cmd::assert::Assert {
    let mut command = scalesim();
    command
        .arg("sweep")
        .arg(fixture.path("scenario.toml"))
        .arg("--out")
        .arg(fixture.path(out));
    if let Some(shard) = shard {
        command.arg("--shard").arg(shard);
    }
    command.assert()
}

pub(crate) fn scalesim() -> Command {
    Command::cargo_bin("scalesim").unwrap()
}

/// The repository's root, for the shipped scenarios.
pub(crate) fn repo_root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

/// The values of one column of a CSV text.
pub(crate) fn column(csv_text: &str, name: &str) -> Vec<String> {
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let index = reader
        .headers()
        .unwrap()
        .iter()
        .position(|header| header == name)
        .unwrap();
    reader
        .records()
        .map(|record| record.unwrap()[index].to_owned())
        .collect()
}

/// Runs `scalesim run` on the fixture's `scenario.toml` with `--out` at `out` (relative to the
/// fixture), expects exit 1 and one message holding `expected`, and that nothing of `out` (its
/// first component) was created; returns the message.
pub(crate) fn refused_run(fixture: &Fixture, out: &str, expected: &str) -> String {
    let output = scalesim()
        .arg("run")
        .arg(fixture.path("scenario.toml"))
        .arg("--out")
        .arg(fixture.path(out))
        .assert()
        .failure()
        .code(1)
        .get_output()
        .clone();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains(expected),
        "stderr {stderr:?} lacks {expected:?}"
    );
    assert_eq!(stderr.lines().count(), 1, "one message: {stderr}");
    let created = Path::new(out).components().next().unwrap();
    assert!(
        !fixture.path(created.as_os_str().to_str().unwrap()).exists(),
        "a refused run created {out} or its parent folders"
    );
    stderr
}
