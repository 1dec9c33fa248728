//! Bad input: a non-zero exit, one message naming the file and the line or field, no panic and
//! no output files.

use crate::common::{Fixture, scalesim};

/// Runs the fixture after `change`, expecting failure with `expected` in the message.
fn check(change: impl FnOnce(&Fixture), expected: &str) {
    let fixture = Fixture::new();
    change(&fixture);
    let output = fixture.run().failure().code(1).get_output().clone();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains(expected),
        "stderr {stderr:?} lacks {expected:?}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "one message: {stderr}");
    assert!(
        !fixture.out_dir().exists(),
        "output written despite the error"
    );
}

fn trace_row(fixture: &Fixture, row: &str) {
    fixture.replace("trace.csv", "3,700\n", &format!("{row}\n"));
}

#[test]
fn missing_files_name_the_path() {
    check(
        |f| std::fs::remove_file(f.path("scenario.toml")).unwrap(),
        "scenario.toml: cannot read",
    );
    check(
        |f| std::fs::remove_file(f.path("trace.csv")).unwrap(),
        "trace.csv: cannot read",
    );
    check(
        |f| std::fs::remove_file(f.path("aws/policy.json")).unwrap(),
        "policy.json: cannot read",
    );
}

#[test]
fn bad_counts_name_their_line() {
    // The header is line 1 and minute 3 is line 5.
    for (row, shown) in [
        ("3,abc", "abc"),
        ("3,-4", "-4"),
        ("3,NaN", "NaN"),
        ("3,inf", "inf"),
    ] {
        check(
            |f| trace_row(f, row),
            &format!("trace.csv: line 5: requests: expected a finite number >= 0, got \"{shown}\""),
        );
    }
}

#[test]
fn empty_traces_and_unknown_columns_are_rejected() {
    check(
        |f| f.write("trace.csv", "minute,requests\n"),
        "trace.csv: the trace is empty",
    );
    check(
        |f| f.write("trace.csv", "hour,hits\n0,1\n"),
        "trace.csv: line 1: no bucket column: expected one of `minute`, `second`, `t_s`",
    );
}

#[test]
fn capacity_rules_follow_register_scalable_target() {
    check(
        |f| {
            f.replace(
                "aws/register.json",
                r#""MinCapacity": 1"#,
                r#""MinCapacity": 0"#,
            )
        },
        "register.json: MinCapacity: must be at least 1 for a SageMaker endpoint variant (0 is for \
         an inference component's copies), got 0",
    );
    check(
        |f| {
            f.replace(
                "aws/register.json",
                r#""MinCapacity": 1"#,
                r#""MinCapacity": 9"#,
            )
        },
        "register.json: MaxCapacity: must be greater than or equal to MinCapacity (9), got 8",
    );
    check(
        |f| f.replace("aws/register.json", r#""MinCapacity": 1, "#, ""),
        "register.json: missing field `MinCapacity`",
    );
}

#[test]
fn target_value_must_be_a_positive_number() {
    let field = "policy.json: TargetTrackingScalingPolicyConfiguration.TargetValue:";
    check(
        |f| f.replace("aws/policy.json", "70.0", "0"),
        &format!("{field} must be a finite number greater than 0, got 0"),
    );
    check(
        |f| f.replace("aws/policy.json", "70.0", "-5"),
        &format!("{field} must be a finite number greater than 0, got -5"),
    );
    check(
        |f| f.replace("aws/policy.json", "70.0", "\"high\""),
        &format!("{field} invalid type: string \"high\", expected a number"),
    );
}

#[test]
fn provisioning_of_neither_form_names_the_field_and_both_forms() {
    let expected = "scenario.toml: line 10: fleet.provisioning_s: expected whole seconds from 0 \
                    (a multiple of step_s) or a distribution such as { distribution = \
                    \"uniform\", low = 180.0, high = 420.0 }, got";
    for bad in ["-300", "12.5", "\"300\""] {
        check(
            |f| {
                f.replace(
                    "scenario.toml",
                    "provisioning_s = 0",
                    &format!("provisioning_s = {bad}"),
                )
            },
            &format!("{expected} {bad}"),
        );
    }
    check(
        |f| {
            f.replace(
                "scenario.toml",
                "provisioning_s = 0",
                "provisioning_s = { distribution = \"unif\", low = 1.0 }",
            )
        },
        "line 10: fleet.provisioning_s: unknown variant `unif`, expected one of `fixed`, \
         `uniform`",
    );
}

#[test]
fn unsupported_metric_and_policy_types_say_what_is_supported() {
    check(
        |f| {
            f.replace(
                "aws/policy.json",
                "SageMakerVariantInvocationsPerInstance",
                "SageMakerInferenceComponentInvocationsPerCopy",
            )
        },
        "PredefinedMetricType: \"SageMakerInferenceComponentInvocationsPerCopy\" is for \
         inference components; supported here: [\"SageMakerVariantInvocationsPerInstance\", \
         \"SageMakerVariantConcurrentRequestsPerModelHighResolution\"]",
    );
    check(
        |f| {
            f.replace(
                "aws/policy.json",
                "SageMakerVariantInvocationsPerInstance",
                "SageMakerVariantProvisionedConcurrencyUtilization",
            )
        },
        "PredefinedMetricType: \"SageMakerVariantProvisionedConcurrencyUtilization\" is for \
         serverless endpoints' provisioned concurrency, which scalesim does not simulate; \
         supported here: [\"SageMakerVariantInvocationsPerInstance\", \
         \"SageMakerVariantConcurrentRequestsPerModelHighResolution\"]",
    );
    // Concurrency needs a latency model: the fluid one without a service time has none.
    check(
        |f| {
            f.replace(
                "aws/policy.json",
                "SageMakerVariantInvocationsPerInstance",
                "SageMakerVariantConcurrentRequestsPerModelHighResolution",
            )
        },
        "service.service_time_s: must be a latency model for ConcurrentRequestsPerModel: \
         `model = \"requests\"`, or a fluid model with `service_time_s`, got none",
    );
    check(
        |f| {
            f.replace(
                "aws/policy.json",
                "\"TargetTrackingScaling\"",
                "\"StepScaling\"",
            )
        },
        "policy.json: StepScalingPolicyConfiguration: required with PolicyType \"StepScaling\"",
    );
    check(
        |f| {
            f.replace(
                "aws/policy.json",
                "\"TargetTrackingScaling\"",
                "\"SimpleScaling\"",
            )
        },
        "policy.json: PolicyType: must be \"TargetTrackingScaling\" or \"StepScaling\", got \
         \"SimpleScaling\"",
    );
}

#[test]
fn a_policy_for_another_variant_is_rejected() {
    check(
        |f| f.replace("aws/policy.json", "variant/MyVariant", "variant/Canary"),
        "policy.json: ResourceId: must name the registered scalable target",
    );
}

#[test]
fn unknown_fields_are_errors() {
    check(
        |f| {
            f.replace(
                "aws/register.json",
                "\"MaxCapacity\"",
                "\"MaximumCapacity\"",
            )
        },
        "register.json: unknown field `MaximumCapacity`",
    );
    check(
        |f| {
            f.replace(
                "scenario.toml",
                "provisioning_s = 0",
                "provisioning_s = 0\nwarmup_s = 60",
            )
        },
        "scenario.toml: line 11: unknown field `warmup_s`",
    );
}

#[test]
fn steps_and_delays_must_divide_evenly() {
    check(
        |f| f.replace("scenario.toml", "step_s = 60", "step_s = 45"),
        "scenario.toml: step_s: step_s (45 s) must divide the metric period of AWS \
         Application Auto Scaling (60 s) evenly",
    );
    check(
        |f| f.replace("scenario.toml", "metric_delay_s = 0", "metric_delay_s = 90"),
        "scenario.toml: autoscaler.metric_delay_s: must be a multiple of 60 from 0 to 3600, got 90",
    );
    check(
        |f| f.replace("scenario.toml", "provisioning_s = 0", "provisioning_s = 90"),
        "scenario.toml: fleet.provisioning_s: provisioning_s must be a multiple of 60 s, got 90 s",
    );
}

#[test]
fn usage_errors_exit_with_two() {
    scalesim().arg("run").assert().failure().code(2);
}
