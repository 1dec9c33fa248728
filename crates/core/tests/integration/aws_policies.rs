//! Application Auto Scaling with several policies, step scaling and scheduled actions, against
//! numbers derived by hand from docs/semantics/aws-*.md.

use scalesim_core::{
    AdjustmentType, ApplicationAutoScaling, Autoscaler, AwsComparisonOperator, Demand, FleetConfig,
    HighResolutionAlarm, MetricAggregationType, MetricAlarm, MetricQuery, MetricStatistic,
    Observation, PolicyName, SageMakerMetric, ScalableTarget, ScalingPolicy, ScalingReason,
    ScheduledAction, ServiceModel, Simulation, StepAdjustment, StepScalingPolicy,
    TargetTrackingPolicy, TargetTrackingScalingPolicyConfiguration, TreatMissingData,
};

use crate::common::{Recorder, piecewise};

/// Runs `scaling` on `demand` a minute, 1,000 requests a minute an instance, launches in service
/// the next minute.
fn run(scaling: ApplicationAutoScaling, initial: u32, demand: &[f64]) -> Recorder {
    let demand = Demand::per_step(60, demand.to_vec()).unwrap();
    let fleet = FleetConfig {
        capacity_per_instance_per_min: 1000.0,
        initial_instances: initial,
        provisioning_s: 0,
    };
    Recorder::run(
        Simulation::builder(fleet)
            .autoscaler(scaling)
            .demand(&demand),
    )
}

/// (minute whose end the event is at, from, to) of every event.
fn events(recorder: &Recorder) -> Vec<(u64, u32, u32)> {
    recorder
        .events
        .iter()
        .map(|event| (event.t_s / 60 - 1, event.from, event.to))
        .collect()
}

/// An alarm on the variant's invocations a minute: `operator` `threshold` for 1 of 1.
fn invocations_alarm(operator: AwsComparisonOperator, threshold: f64) -> MetricAlarm {
    MetricAlarm {
        query: MetricQuery::per_minute(SageMakerMetric::Invocations, MetricStatistic::Sum),
        comparison: operator,
        threshold,
        evaluation_periods: 1,
        datapoints_to_alarm: 1,
        treat_missing: TreatMissingData::Missing,
    }
}

fn step_policy(
    name: &str,
    alarm: MetricAlarm,
    adjustment_type: AdjustmentType,
    steps: &[(Option<f64>, Option<f64>, i64)],
    cooldown_s: u64,
) -> ScalingPolicy {
    ScalingPolicy::StepScaling(StepScalingPolicy {
        name: PolicyName::new(name),
        alarm,
        also_invoked_by: Vec::new(),
        adjustment_type,
        steps: steps
            .iter()
            .map(|&(lower, upper, scaling_adjustment)| StepAdjustment {
                lower,
                upper,
                scaling_adjustment,
            })
            .collect(),
        min_adjustment_magnitude: None,
        cooldown_s,
        metric_aggregation_type: MetricAggregationType::Average,
    })
}

fn tracking(name: &str, metric: SageMakerMetric, target: f64, disable_in: bool) -> ScalingPolicy {
    let statistic = match metric {
        SageMakerMetric::CpuUtilization => MetricStatistic::Average,
        _ => MetricStatistic::Sum,
    };
    ScalingPolicy::TargetTracking(TargetTrackingPolicy {
        name: PolicyName::new(name),
        query: MetricQuery::per_minute(metric, statistic),
        configuration: TargetTrackingScalingPolicyConfiguration::new(target, 300, 300, disable_in)
            .unwrap(),
        high_resolution: None,
    })
}

/// The step policy of AWS's cooldown example: +2 from 0 above the threshold, +3 from 500.
fn spike_policy() -> ScalingPolicy {
    step_policy(
        "spike",
        invocations_alarm(AwsComparisonOperator::GreaterThanOrEqualToThreshold, 1000.0),
        AdjustmentType::ChangeInCapacity,
        &[(Some(0.0), Some(500.0), 2), (Some(500.0), None, 3)],
        300,
    )
}

#[test]
fn a_larger_step_in_cooldown_adds_only_the_difference() {
    // Minute 0: 1,200 is 200 above 1,000, step +2: 10 -> 12, cooldown from minute 0.
    // Minute 1: 1,700 is 700 above, step +3 counted from the 10 before the cooldown's
    // scale-out: 13 > 12, one more. Minutes 2-4: 13 again, nothing. Minute 5: 300 s after
    // minute 0 the cooldown is over: 13 + 3 = 16.
    let scaling = ApplicationAutoScaling::new(
        ScalableTarget::new(1, 20).unwrap(),
        vec![spike_policy()],
        Vec::new(),
        0,
    )
    .unwrap();
    let demand = piecewise(&[(1, 1200.0), (5, 1700.0), (4, 0.0)]);
    let recorder = run(scaling, 10, &demand);
    assert_eq!(events(&recorder), [(0, 10, 12), (1, 12, 13), (5, 13, 16)]);
    let ScalingReason::StepScaling(reason) = recorder.events[1].reason else {
        panic!("a step scaling reason expected");
    };
    assert!(reason.in_cooldown);
    assert_eq!((reason.base, reason.capacity), (10, 13));
    assert_eq!(
        recorder.events[1].reason.to_string(),
        "step scaling policy spike: alarm in ALARM, Invocations >= 1000 for 1 of 1 datapoints \
         (minutes 1-1); value 1700 is threshold +700 in step [500, +inf): 10 +3 -> 13 (in \
         cooldown: counted from the capacity before the last scale-out)"
    );
}

#[test]
fn the_largest_scale_out_wins_as_in_aws_put_scaling_policy_example() {
    // "if one policy increases capacity by 3, another policy increases capacity by 200
    // percent, and the current capacity is 10, Application Auto Scaling uses the policy with
    // the highest calculated capacity (200% of 10 = 20) and scales out to 30."
    let alarm = invocations_alarm(AwsComparisonOperator::GreaterThanThreshold, 100.0);
    let by_three = step_policy(
        "plus-three",
        alarm,
        AdjustmentType::ChangeInCapacity,
        &[(Some(0.0), None, 3)],
        300,
    );
    let by_double = step_policy(
        "plus-200-percent",
        alarm,
        AdjustmentType::PercentChangeInCapacity,
        &[(Some(0.0), None, 200)],
        300,
    );
    let scaling = ApplicationAutoScaling::new(
        ScalableTarget::new(1, 40).unwrap(),
        vec![by_three, by_double],
        Vec::new(),
        0,
    )
    .unwrap();
    let recorder = run(scaling, 10, &[500.0]);
    assert_eq!(events(&recorder), [(0, 10, 30)]);
}

#[test]
fn target_tracking_scales_in_only_when_every_policy_is_ready() {
    // 100 requests a minute on 8 instances: InvocationsPerInstance 12.5 < 63 and CPU
    // 100 × 100 / 8000 = 1.25 % from minute 0. With a CPU target of 50, both low alarms are in
    // ALARM at the end of minute 14: ceil(100 / 70) = 2 and ceil(1.25 × 8 / 50) = 1, the larger
    // wins: 2.
    let both = ApplicationAutoScaling::new(
        ScalableTarget::new(1, 8).unwrap(),
        vec![
            tracking("ipi", SageMakerMetric::InvocationsPerInstance, 70.0, false),
            tracking("cpu", SageMakerMetric::CpuUtilization, 50.0, false),
        ],
        Vec::new(),
        0,
    )
    .unwrap();
    let demand = vec![100.0; 30];
    assert_eq!(events(&run(both, 8, &demand)), [(14, 8, 2)]);

    // A CPU target of 1.25 is never 10 % above the metric: that policy is never ready, so
    // InvocationsPerInstance alone does not scale in.
    let cpu_not_ready = ApplicationAutoScaling::new(
        ScalableTarget::new(1, 8).unwrap(),
        vec![
            tracking("ipi", SageMakerMetric::InvocationsPerInstance, 70.0, false),
            tracking("cpu", SageMakerMetric::CpuUtilization, 1.25, false),
        ],
        Vec::new(),
        0,
    )
    .unwrap();
    assert_eq!(events(&run(cpu_not_ready, 8, &demand)), []);

    // With the CPU policy's scale-in disabled, it no longer holds the other back.
    let cpu_out_only = ApplicationAutoScaling::new(
        ScalableTarget::new(1, 8).unwrap(),
        vec![
            tracking("ipi", SageMakerMetric::InvocationsPerInstance, 70.0, false),
            tracking("cpu", SageMakerMetric::CpuUtilization, 1.25, true),
        ],
        Vec::new(),
        0,
    )
    .unwrap();
    let recorder = run(cpu_out_only, 8, &demand);
    // Then CPU on 2 instances is 5 % > 1.25 for minutes 15-17 (3 of 3): ceil(5 × 2 / 1.25) = 8.
    // That scale-out ends the scale-in cooldown, and InvocationsPerInstance's 15 datapoints
    // (12.5 and 50) are still all below 63: back to 2 at minute 18, and so on every 4 minutes,
    // the flapping AWS warns of when policies disagree.
    assert_eq!(
        events(&recorder),
        [
            (14, 8, 2),
            (17, 2, 8),
            (18, 8, 2),
            (21, 2, 8),
            (22, 8, 2),
            (25, 2, 8),
            (26, 8, 2),
            (29, 2, 8)
        ]
    );
    assert!(
        recorder.events[0]
            .reason
            .to_string()
            .starts_with("target tracking policy ipi: AlarmLow in ALARM"),
        "{}",
        recorder.events[0].reason
    );
    assert!(
        recorder.events[1]
            .reason
            .to_string()
            .contains("CPUUtilization > 1.25 for 3 of 3 datapoints (minutes 15-17, 5 to 5); ceil(5 × 2 instances / 1.25) = 8"),
        "{}",
        recorder.events[1].reason
    );
}

fn business_hours(at_s: u64, min: Option<u32>, max: Option<u32>) -> ScheduledAction {
    ScheduledAction {
        name: PolicyName::new("business-hours"),
        at_s,
        min_capacity: min,
        max_capacity: max,
        desired_capacity: None,
    }
}

#[test]
fn a_scheduled_minimum_rises_through_a_scale_in_cooldown() {
    // The spec's second check: 8 instances, 100 a minute, scale in to 2 at the end of minute 14
    // with a 300 s scale-in cooldown (to the end of minute 19). MinCapacity 5 at the end of
    // minute 15 raises D to 5 at once; target tracking's ceil(100 / 70) = 2 is then clamped to
    // 5, so nothing more happens.
    let scaling = ApplicationAutoScaling::new(
        ScalableTarget::new(1, 8).unwrap(),
        vec![tracking(
            "ipi",
            SageMakerMetric::InvocationsPerInstance,
            70.0,
            false,
        )],
        vec![business_hours(16 * 60, Some(5), None)],
        0,
    )
    .unwrap();
    let recorder = run(scaling, 8, &[100.0; 40]);
    assert_eq!(events(&recorder), [(14, 8, 2), (15, 2, 5)]);
    assert_eq!(
        recorder.events[1].reason.to_string(),
        "scheduled action business-hours: MinCapacity 1 -> 5, MaxCapacity 8 -> 8"
    );
    assert_eq!(recorder.records[16].in_service, 5);
}

#[test]
fn a_scheduled_maximum_pulls_capacity_down_and_an_impossible_one_fails() {
    // MaxCapacity 3 at 120 s pulls 8 down to 3 at the end of minute 1. MinCapacity 6 at 300 s
    // would exceed MaxCapacity 3: the action fails, bounds and capacity stay.
    let scaling = ApplicationAutoScaling::new(
        ScalableTarget::new(1, 8).unwrap(),
        Vec::new(),
        vec![
            business_hours(120, None, Some(3)),
            business_hours(300, Some(6), None),
        ],
        0,
    )
    .unwrap();
    let recorder = run(scaling, 8, &[0.0; 10]);
    assert_eq!(events(&recorder), [(1, 8, 3), (4, 3, 3)]);
    assert!(
        recorder.events[1].reason.to_string().contains("failed"),
        "{}",
        recorder.events[1].reason
    );
    assert_eq!(recorder.records[9].desired, 3);
}

#[test]
fn suspended_state_stops_each_kind_on_its_own() {
    let scaled_in = |target: ScalableTarget| {
        let scaling = ApplicationAutoScaling::new(
            target,
            vec![step_policy(
                "quiet",
                invocations_alarm(AwsComparisonOperator::LessThanThreshold, 10.0),
                AdjustmentType::ExactCapacity,
                &[(None, Some(0.0), 1)],
                300,
            )],
            vec![business_hours(600, Some(4), None)],
            0,
        )
        .unwrap();
        events(&run(scaling, 8, &[0.0; 12]))
    };
    let target = ScalableTarget::new(1, 8).unwrap();
    // Exact capacity 1 at the end of minute 0; MinCapacity 4 at the end of minute 9.
    assert_eq!(scaled_in(target), [(0, 8, 1), (9, 1, 4)]);
    // Scale-in suspended: 8 stays, and MinCapacity 4 leaves 8 inside the bounds.
    assert_eq!(scaled_in(target.with_suspended_state(true, false)), []);
    assert_eq!(
        scaled_in(target.with_scheduled_scaling_suspended(true)),
        [(0, 8, 1)]
    );
}

#[test]
fn an_endpoint_update_sets_desired_capacity_into_the_bounds_even_with_schedules_suspended() {
    // UpdateEndpointWeightsAndCapacities: DesiredInstanceCount 3 at 120 s (end of minute 1),
    // 10 at 300 s, taken into MaxCapacity 8 (end of minute 4). ScheduledScalingSuspended holds
    // back the scheduled MinCapacity 6 at 180 s, not the updates.
    let update = |at_s, count| ScheduledAction {
        name: PolicyName::new("UpdateEndpointWeightsAndCapacities"),
        at_s,
        min_capacity: None,
        max_capacity: None,
        desired_capacity: Some(count),
    };
    let target = ScalableTarget::new(1, 8)
        .unwrap()
        .with_scheduled_scaling_suspended(true);
    let scaling = ApplicationAutoScaling::new(
        target,
        Vec::new(),
        vec![
            update(120, 3),
            business_hours(180, Some(6), None),
            update(300, 10),
        ],
        0,
    )
    .unwrap();
    let recorder = run(scaling, 1, &[0.0; 10]);
    assert_eq!(events(&recorder), [(1, 1, 3), (4, 3, 8)]);
    assert_eq!(
        recorder.events[0].reason.to_string(),
        "UpdateEndpointWeightsAndCapacities: DesiredInstanceCount 3"
    );
}

#[test]
fn policies_wait_a_minute_after_an_endpoint_update() {
    // 10 a minute on 1 instance: target tracking's low alarm (IPI < 63) is in ALARM from
    // minute 14, with nothing to do at MinCapacity 1. The update to 3 at 1,200 s (end of
    // minute 19) stands for that step, while the endpoint is Updating; at the end of minute 20
    // the low alarm, still in ALARM, scales in to ceil(10 / 70) = 1.
    let update = ScheduledAction {
        name: PolicyName::new("UpdateEndpointWeightsAndCapacities"),
        at_s: 1200,
        min_capacity: None,
        max_capacity: None,
        desired_capacity: Some(3),
    };
    let scaling = ApplicationAutoScaling::new(
        ScalableTarget::new(1, 8).unwrap(),
        vec![tracking(
            "ipi",
            SageMakerMetric::InvocationsPerInstance,
            70.0,
            false,
        )],
        vec![update],
        0,
    )
    .unwrap();
    let recorder = run(scaling, 1, &[10.0; 30]);
    assert_eq!(events(&recorder), [(19, 1, 3), (20, 3, 1)]);
}

#[test]
fn a_smaller_step_in_cooldown_never_scales_in() {
    // Minute 0: +2, 10 -> 12; minute 1: +3 from the base 10, 13. Minute 2: 1,200 is the +2
    // step again, 10 + 2 = 12 below the 13 in force: a scale-out policy does not lower capacity
    // ("won't increase the desired capacity again"), so nothing until the cooldown ends after
    // minute 4; at minute 5, 1,200 gives 13 + 2 = 15.
    let scaling = ApplicationAutoScaling::new(
        ScalableTarget::new(1, 20).unwrap(),
        vec![spike_policy()],
        Vec::new(),
        0,
    )
    .unwrap();
    let demand = piecewise(&[(1, 1200.0), (1, 1700.0), (4, 1200.0), (2, 0.0)]);
    let recorder = run(scaling, 10, &demand);
    assert_eq!(events(&recorder), [(0, 10, 12), (1, 12, 13), (5, 13, 15)]);
}

#[test]
fn a_failed_action_after_one_that_ran_in_the_same_step_keeps_the_first() {
    // MaxCapacity 3 and then MinCapacity 6 at 60 s: the first runs (8 -> 3), the second would
    // set the minimum above the maximum and fails.
    let scaling = ApplicationAutoScaling::new(
        ScalableTarget::new(1, 8).unwrap(),
        Vec::new(),
        vec![
            business_hours(60, None, Some(3)),
            business_hours(60, Some(6), None),
        ],
        0,
    )
    .unwrap();
    let recorder = run(scaling, 8, &[0.0; 4]);
    assert_eq!(events(&recorder), [(0, 8, 3)]);
    assert_eq!(recorder.records[3].in_service, 3);
}

#[test]
fn a_step_policy_in_its_cooldown_holds_back_below_what_target_tracking_set() {
    // 2,500 a minute on 10 instances. Minute 0: `spike` (+3 from 500 above 1,000): 10 -> 13,
    // its cooldown based at 10. Minute 2: `ipi`'s AlarmHigh (250, 192.3, 192.3 > 100) proposes
    // ceil(2,500 / 100) = 25. Minutes 3-4: `spike` counts 10 + 3 = 13 < 25 and holds back.
    let scaling = ApplicationAutoScaling::new(
        ScalableTarget::new(1, 40).unwrap(),
        vec![
            tracking("ipi", SageMakerMetric::InvocationsPerInstance, 100.0, false),
            spike_policy(),
        ],
        Vec::new(),
        0,
    )
    .unwrap();
    let recorder = run(scaling, 10, &[2500.0; 5]);
    assert_eq!(events(&recorder), [(0, 10, 13), (2, 13, 25)]);
}

#[test]
fn an_alarm_over_five_minute_periods_slides_every_minute_as_cloudwatch_does() {
    // "if the Period is 5 minutes (300 seconds) and Evaluation Periods is 1, then at the end of
    // minute 5 the alarm evaluates based on data from minutes 1 to 5. Then at the end of minute
    // 6, the alarm is evaluated based on the data from minutes 2 to 6." Nothing for minutes
    // 0-3, then 1,000 a minute: the 5-minute sums end at minute 4 with 1,000, 5 with 2,000 and
    // 6 with 3,000 > 2,500: ALARM at the end of minute 6, and, with no cooldown, +1 every
    // minute it stays there.
    let alarm = MetricAlarm {
        query: MetricQuery {
            period_minutes: 5,
            ..MetricQuery::per_minute(SageMakerMetric::Invocations, MetricStatistic::Sum)
        },
        comparison: AwsComparisonOperator::GreaterThanThreshold,
        threshold: 2500.0,
        evaluation_periods: 1,
        datapoints_to_alarm: 1,
        treat_missing: TreatMissingData::Missing,
    };
    let scaling = ApplicationAutoScaling::new(
        ScalableTarget::new(1, 20).unwrap(),
        vec![step_policy(
            "five-minutes",
            alarm,
            AdjustmentType::ChangeInCapacity,
            &[(Some(0.0), None, 1)],
            0,
        )],
        Vec::new(),
        0,
    )
    .unwrap();
    let demand = piecewise(&[(4, 0.0), (6, 1000.0)]);
    let recorder = run(scaling, 1, &demand);
    assert_eq!(
        events(&recorder),
        [(6, 1, 2), (7, 2, 3), (8, 3, 4), (9, 4, 5)]
    );
}

#[test]
fn two_of_three_two_minute_periods_with_a_delay_slide_by_the_minute() {
    // docs/semantics/aws-alarms-and-metrics.md, worked example: 2 instances, minute values of
    // InvocationsPerInstance 50, 50, 150, 250, 50, 50, 250, 50, 50; periods of 2 minutes, 2 of
    // 3 above 100, metric delay 60 s. End of minute 7 (newest visible minute 6): periods 1-2,
    // 3-4, 5-6 average 100, 150, 150: two breach, ALARM.
    let alarm = MetricAlarm {
        query: MetricQuery {
            period_minutes: 2,
            ..MetricQuery::per_minute(
                SageMakerMetric::InvocationsPerInstance,
                MetricStatistic::Average,
            )
        },
        comparison: AwsComparisonOperator::GreaterThanThreshold,
        threshold: 100.0,
        evaluation_periods: 3,
        datapoints_to_alarm: 2,
        treat_missing: TreatMissingData::Missing,
    };
    let scaling = ApplicationAutoScaling::new(
        ScalableTarget::new(1, 20).unwrap(),
        vec![step_policy(
            "two-of-three",
            alarm,
            AdjustmentType::ChangeInCapacity,
            &[(Some(0.0), None, 1)],
            600,
        )],
        Vec::new(),
        60,
    )
    .unwrap();
    let demand = [
        100.0, 100.0, 300.0, 500.0, 100.0, 100.0, 500.0, 100.0, 100.0,
    ];
    let recorder = run(scaling, 2, &demand);
    assert_eq!(events(&recorder), [(7, 2, 3)]);
    assert!(
        recorder.events[0]
            .reason
            .to_string()
            .contains("for 2 of 3 datapoints (minutes 1-6)"),
        "{}",
        recorder.events[0].reason
    );
}

#[test]
fn an_inference_component_scales_to_zero_and_back_by_the_documented_recipe() {
    // SageMaker's recipe: target tracking on InvocationsPerCopy (TargetValue 1, cooldowns 300)
    // and a step policy (+1, Cooldown 60, Maximum) on NoCapacityInvocationFailures Sum > 1.
    // No traffic for 20 minutes: the low alarm (0 < 0.9 for 15 datapoints) takes the copy away
    // at the end of minute 14, ceil(0 / 1) = 0. From minute 20, 10 a minute: with no copy they
    // fail, 10 > 1, and the step policy adds one at the end of minute 20. InvocationsPerCopy is
    // missing while there is no copy: the high alarm needs 3 present datapoints above 1, so at
    // the end of minute 23 (minutes 21-23, 10 each) it asks for ceil(10 / 1) = 10, held to 3.
    let alarm = MetricAlarm {
        query: MetricQuery::per_minute(
            SageMakerMetric::NoCapacityInvocationFailures,
            MetricStatistic::Sum,
        ),
        comparison: AwsComparisonOperator::GreaterThanThreshold,
        threshold: 1.0,
        evaluation_periods: 1,
        datapoints_to_alarm: 1,
        treat_missing: TreatMissingData::Missing,
    };
    let scale_out_from_zero = ScalingPolicy::StepScaling(StepScalingPolicy {
        name: PolicyName::new("from-zero"),
        alarm,
        also_invoked_by: Vec::new(),
        adjustment_type: AdjustmentType::ChangeInCapacity,
        steps: vec![StepAdjustment {
            lower: Some(0.0),
            upper: None,
            scaling_adjustment: 1,
        }],
        min_adjustment_magnitude: None,
        cooldown_s: 60,
        metric_aggregation_type: MetricAggregationType::Maximum,
    });
    let scaling = ApplicationAutoScaling::new(
        ScalableTarget::inference_component(0, 3).unwrap(),
        vec![
            tracking("per-copy", SageMakerMetric::InvocationsPerCopy, 1.0, false),
            scale_out_from_zero,
        ],
        Vec::new(),
        0,
    )
    .unwrap();
    let demand = piecewise(&[(20, 0.0), (10, 10.0)]);
    let recorder = run(scaling, 1, &demand);
    assert_eq!(events(&recorder), [(14, 1, 0), (20, 0, 1), (23, 1, 3)]);
    assert_eq!(recorder.records[20].unserved, 10.0);
    assert_eq!(recorder.records[21].unserved, 0.0);
    assert!(ScalableTarget::new(0, 3).is_err());
}

#[test]
fn a_step_policy_invoked_by_two_alarms_takes_each_ones_step_and_the_largest() {
    // Steps from each alarm's threshold: +2 below 500 above it, +3 from 500. 700 a minute:
    // the alarm at 1,000 stays OK; the one at 100 is 600 above, +3: 10 -> 13. Without the
    // second alarm, nothing.
    let with_alarms = |also: Vec<MetricAlarm>| {
        let ScalingPolicy::StepScaling(mut policy) = spike_policy() else {
            unreachable!("spike_policy is a step policy")
        };
        policy.also_invoked_by = also;
        ApplicationAutoScaling::new(
            ScalableTarget::new(1, 20).unwrap(),
            vec![ScalingPolicy::StepScaling(policy)],
            Vec::new(),
            0,
        )
        .unwrap()
    };
    let low = invocations_alarm(AwsComparisonOperator::GreaterThanOrEqualToThreshold, 100.0);
    let demand = piecewise(&[(1, 700.0), (3, 0.0)]);
    assert_eq!(events(&run(with_alarms(Vec::new()), 10, &demand)), []);
    let recorder = run(with_alarms(vec![low]), 10, &demand);
    assert_eq!(events(&recorder), [(0, 10, 13)]);
    assert!(
        recorder.events[0]
            .reason
            .to_string()
            .contains("Invocations >= 100"),
        "{}",
        recorder.events[0].reason
    );
}

#[test]
fn missing_datapoints_count_as_treat_missing_data_says() {
    // An inference component at 10 a minute: MaxCapacity 0 at the end of minute 0 takes its
    // copy away, MaxCapacity 5 at the end of minute 2 allows copies again. An alarm on
    // InvocationsPerCopy > 5, 2 of 3, sees minutes 0-2 as 10, missing, missing: `breaching`
    // counts three breaches, ALARM, and the step (from the one value, 10) adds a copy at the
    // end of minute 2; `missing` and `notBreaching` count one, and nothing happens.
    let run_with = |treat_missing| {
        let alarm = MetricAlarm {
            query: MetricQuery::per_minute(
                SageMakerMetric::InvocationsPerCopy,
                MetricStatistic::Sum,
            ),
            comparison: AwsComparisonOperator::GreaterThanThreshold,
            threshold: 5.0,
            evaluation_periods: 3,
            datapoints_to_alarm: 2,
            treat_missing,
        };
        let bounds = |at_s, max| ScheduledAction {
            name: PolicyName::new("bounds"),
            at_s,
            min_capacity: None,
            max_capacity: Some(max),
            desired_capacity: None,
        };
        let scaling = ApplicationAutoScaling::new(
            ScalableTarget::inference_component(0, 5).unwrap(),
            vec![step_policy(
                "per-copy",
                alarm,
                AdjustmentType::ChangeInCapacity,
                &[(Some(0.0), None, 1)],
                600,
            )],
            vec![bounds(60, 0), bounds(180, 5)],
            0,
        )
        .unwrap();
        events(&run(scaling, 1, &[10.0; 5]))
    };
    assert_eq!(
        run_with(TreatMissingData::Breaching),
        [(0, 1, 0), (2, 0, 1)]
    );
    assert_eq!(run_with(TreatMissingData::Missing), [(0, 1, 0)]);
    assert_eq!(run_with(TreatMissingData::NotBreaching), [(0, 1, 0)]);
}

/// Target tracking on ConcurrentRequestsPerModel, TargetValue 5, cooldowns 300 s, with the
/// default high-resolution scale-out alarm (3 of 3 datapoints of 10 s, visible 10 s late).
fn concurrency_tracking(min: u32, max: u32) -> ApplicationAutoScaling {
    let policy = ScalingPolicy::TargetTracking(TargetTrackingPolicy {
        name: PolicyName::new("concurrency"),
        query: MetricQuery::per_minute(
            SageMakerMetric::ConcurrentRequestsPerModel,
            MetricStatistic::Average,
        ),
        configuration: TargetTrackingScalingPolicyConfiguration::new(5.0, 300, 300, false).unwrap(),
        high_resolution: Some(HighResolutionAlarm::DEFAULT),
    });
    ApplicationAutoScaling::new(
        ScalableTarget::new(min, max).unwrap(),
        vec![policy],
        Vec::new(),
        60,
    )
    .unwrap()
}

/// Feeds `scaling` 10 s steps of `in_service` instances holding `in_flight[i]` requests in
/// all during step i, and returns (end of step, proposed capacity) of each proposal.
fn concurrency_proposals(
    scaling: &mut ApplicationAutoScaling,
    in_service: u32,
    in_flight: &[f64],
) -> Vec<(u64, u32)> {
    let mut proposals = Vec::new();
    for (step, &concurrency) in in_flight.iter().enumerate() {
        let observation = Observation {
            step_idx: step as u64,
            t_s: step as u64 * 10,
            step_s: 10,
            demand: 10.0,
            served: 10.0,
            capacity: 100.0,
            work: 10.0,
            work_capacity: 100.0,
            in_flight: None,
            concurrency: Some(concurrency),
            latency_s: Some(1.0),
            in_service,
            ready_at_end: in_service,
            pending: 0,
            desired: in_service,
            servers: None,
        };
        if let Some(proposal) = scaling.on_step(&observation).proposal {
            proposals.push((observation.end_s(), proposal.desired));
        }
    }
    proposals
}

#[test]
fn a_high_resolution_metric_scales_out_on_three_ten_second_datapoints() {
    // Two instances hold 4 requests each (8 in all, below the target of 5) for a minute, then
    // 12 each (24 in all). The 10 s datapoints of slots 6, 7 and 8 (60-90 s) are 12 > 5; slot
    // 8 is visible 10 s after it ends, at 100 s, the first moment three breach: scale out to
    // ceil(12 × 2 / 5) = ceil(4.8) = 5. A minute-resolution alarm would need minutes 1-3,
    // visible at 300 s.
    let mut scaling = concurrency_tracking(1, 10);
    let mut in_flight = vec![8.0; 6];
    in_flight.extend([24.0; 6]);
    let proposals = concurrency_proposals(&mut scaling, 2, &in_flight);
    assert_eq!(proposals.first(), Some(&(100, 5)));
}

#[test]
fn a_high_resolution_metric_scales_in_on_minutes_as_standard_metrics() {
    // Two instances hold 1 request each, below 0.9 × 5 = 4.5, from t = 0. Scale-in keeps the
    // standard alarm: 15 minute datapoints (minutes 0-14) below 4.5, the newest visible at
    // the end of minute 15 (metric delay 60 s): at 960 s, to ceil(1 × 2 / 5) = 1. Nothing
    // happens at the 10 s ends in between.
    let mut scaling = concurrency_tracking(1, 10);
    let in_flight = vec![2.0; 16 * 6];
    let proposals = concurrency_proposals(&mut scaling, 2, &in_flight);
    assert_eq!(proposals, vec![(960, 1)]);
}

#[test]
fn a_fluid_model_with_a_service_time_gives_concurrency_by_littles_law() {
    // One instance serving 60 requests a minute with a service time of 1 s is one server
    // (floor(1 × 60 × 1 / 60) = 1). Fed 9 requests every 10 s, λ = 0.9/s: M/M/1 gives
    // W = 1 / (1 − 0.9) = 10 s and L = λW = 9 requests in flight, above the target of 5.
    // Slots 0-2 (0-30 s) are visible at 40 s: scale out to ceil(9 × 1 / 5) = 2.
    let demand = Demand::per_step(10, vec![9.0; 12]).unwrap();
    let fleet = FleetConfig {
        capacity_per_instance_per_min: 60.0,
        initial_instances: 1,
        provisioning_s: 0,
    };
    let recorder = Recorder::run(
        Simulation::builder(fleet)
            .autoscaler(concurrency_tracking(1, 10))
            .demand(&demand)
            .service_model(ServiceModel::Queue)
            .fluid_service_time_s(1.0),
    );
    let first = recorder.events.first().expect("a scale-out");
    assert_eq!((first.t_s, first.from, first.to), (40, 1, 2));
    assert!(
        first
            .reason
            .to_string()
            .contains("10 s datapoints (0 s to 30 s, 9 to 9)"),
        "{}",
        first.reason
    );
}

#[test]
fn concurrency_without_a_latency_model_or_at_a_coarse_step_is_refused() {
    let fleet = FleetConfig {
        capacity_per_instance_per_min: 60.0,
        initial_instances: 1,
        provisioning_s: 0,
    };
    let demand = Demand::per_step(10, vec![9.0; 12]).unwrap();
    let err = Simulation::builder(fleet)
        .autoscaler(concurrency_tracking(1, 10))
        .demand(&demand)
        .build()
        .unwrap_err();
    assert!(
        err.to_string().contains("ConcurrentRequestsPerModel"),
        "{err}"
    );
    // The throttle model drops what the count would need to pass capacity.
    let err = Simulation::builder(fleet)
        .autoscaler(concurrency_tracking(1, 10))
        .demand(&demand)
        .fluid_service_time_s(1.0)
        .build()
        .unwrap_err();
    assert!(
        err.to_string().contains("\"throttle\" drops those beyond"),
        "{err}"
    );
    // 60 requests a minute at 0.5 s each: an instance holds half a request at a time.
    let err = Simulation::builder(fleet)
        .autoscaler(concurrency_tracking(1, 10))
        .demand(&demand)
        .service_model(ServiceModel::Queue)
        .fluid_service_time_s(0.5)
        .build()
        .unwrap_err();
    assert!(
        err.to_string().contains("must hold at least one at a time"),
        "{err}"
    );
    let minutes = Demand::per_step(60, vec![9.0; 12]).unwrap();
    let err = Simulation::builder(fleet)
        .autoscaler(concurrency_tracking(1, 10))
        .demand(&minutes)
        .service_model(ServiceModel::Queue)
        .fluid_service_time_s(1.0)
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("high-resolution"), "{err}");
}
