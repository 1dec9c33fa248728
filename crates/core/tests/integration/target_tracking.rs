//! AWS target tracking against numbers worked out by hand from spec/aws-target-tracking.md.

use scalesim_core::{Alarm, ScalingReason};

use crate::common::{Aws, piecewise, runs};

#[test]
fn spec_check_one_alarm_high_scales_out_to_max_after_three_datapoints() {
    // 700/min from minute 0 against target 70: minutes 0 and 1 have too few datapoints; at the
    // end of minute 2, ceil(700/70) = 10 is clamped to 8; N = 8 from minute 3. Then the metric
    // is 700/8 = 87.5 > 70 but C = 8 = D: nothing more.
    let run = Aws::default().run(&[700.0; 10]);
    assert_eq!(run.desired(), runs(10, &[(2, 8)], 1));
    assert_eq!(run.in_service(), runs(10, &[(3, 8)], 1));
    assert_eq!(run.events.len(), 1);
    assert_eq!(run.records[3].metric, Some(87.5));
    assert_eq!(run.records[0].metric, Some(700.0));
}

#[test]
fn spec_check_two_alarm_low_scales_in_after_fifteen_low_datapoints() {
    // From minute 10, 100/min on 8 instances: 12.5 < 63 from minute 10, so the 15 datapoints
    // 10..=24 put AlarmLow in ALARM at the end of minute 24; C = ceil(100/70) = 2.
    let demand = piecewise(&[(10, 700.0), (20, 100.0)]);
    let run = Aws::default().run(&demand);
    assert_eq!(run.desired(), runs(30, &[(2, 8), (24, 2)], 1));
    assert_eq!(run.in_service(), runs(30, &[(3, 8), (25, 2)], 1));
    let scale_in = run.events[1];
    assert_eq!((scale_in.from, scale_in.to, scale_in.t_s), (8, 2, 25 * 60));
    let ScalingReason::TargetTracking(reason) = scale_in.reason else {
        panic!("not a target-tracking reason");
    };
    assert_eq!(reason.alarm, Alarm::Low);
    assert_eq!(reason.minutes, (10, 24));
    assert_eq!(reason.datapoint_range, (12.5, 12.5));
}

#[test]
fn metric_delay_shifts_every_decision_by_the_delay() {
    // With the default 60 s delay, minute k's datapoint is first seen at the end of minute
    // k + 1: AlarmHigh needs datapoints 0..=2, seen at the end of minute 3.
    let run = Aws {
        metric_delay_s: 60,
        ..Aws::default()
    }
    .run(&[700.0; 8]);
    assert_eq!(run.desired(), runs(8, &[(3, 8)], 1));
    assert_eq!(run.in_service(), runs(8, &[(4, 8)], 1));
}

#[test]
fn provisioning_delays_service_and_keeps_launches_pending() {
    // Decision at the end of minute 2; 300 s of provisioning: due at minute 2 + 1 + 5 = 8.
    // Meanwhile 700/1 = 700 keeps AlarmHigh in ALARM, but C = 8 = D adds nothing.
    let run = Aws {
        provisioning_s: 300,
        ..Aws::default()
    }
    .run(&[700.0; 10]);
    assert_eq!(run.desired(), runs(10, &[(2, 8)], 1));
    assert_eq!(run.in_service(), runs(10, &[(8, 8)], 1));
    assert_eq!(run.records[5].pending, 7);
    assert_eq!(run.events.len(), 1);
    // Served is capped by the one instance in service: 700 < 1000, all served.
    assert_eq!(run.records[5].unserved, 0.0);
}

#[test]
fn unserved_demand_is_what_in_service_capacity_cannot_take() {
    // Capacity 100/min per instance; 700/min on 1 instance leaves 600 unserved per minute
    // until the 8 instances serve from minute 3 (800 ≥ 700).
    let run = Aws {
        capacity_per_instance: 100.0,
        ..Aws::default()
    }
    .run(&[700.0; 5]);
    let unserved: Vec<f64> = run.records.iter().map(|r| r.unserved).collect();
    assert_eq!(unserved, vec![600.0, 600.0, 600.0, 0.0, 0.0]);
}

/// Target 10, 10 instances, 50/min: 5 per instance < 9 for minutes 0..=14, so at the end of
/// minute 14 AlarmLow scales in to ceil(50/10) = 5 and a scale-in cooldown starts. From minute
/// 15, 20/min on 5 instances is 4 < 9: AlarmLow stays in ALARM with C = ceil(20/10) = 2.
fn cooling_scale_in(scale_in_cooldown_s: u64) -> Vec<u32> {
    Aws {
        max: 10,
        target_value: 10.0,
        initial_instances: 10,
        scale_in_cooldown_s,
        ..Aws::default()
    }
    .run(&piecewise(&[(15, 50.0), (15, 20.0)]))
    .desired()
}

#[test]
fn scale_in_cooldown_blocks_the_next_scale_in_until_it_has_run_out() {
    // Cooldown 300 s from the end of minute 14: running while (k − 14) × 60 < 300, so the
    // next scale-in is at the end of minute 19.
    assert_eq!(cooling_scale_in(300), runs(30, &[(14, 5), (19, 2)], 10));
}

#[test]
fn without_scale_in_cooldown_the_next_scale_in_follows_at_once() {
    assert_eq!(cooling_scale_in(0), runs(30, &[(14, 5), (15, 2)], 10));
}

#[test]
fn disable_scale_in_keeps_the_capacity_that_was_added() {
    let demand = piecewise(&[(10, 700.0), (20, 100.0)]);
    let run = Aws {
        disable_scale_in: true,
        ..Aws::default()
    }
    .run(&demand);
    assert_eq!(run.desired(), runs(30, &[(2, 8)], 1));
}

#[test]
fn a_larger_scale_out_goes_through_the_scale_out_cooldown() {
    // Target 10, 50/min: at the end of minute 2, C = 5. From minute 5, 150/min on 5
    // instances is 30 > 10; datapoints 5..=7 put AlarmHigh in ALARM at the end of minute 7,
    // inside the 600 s scale-out cooldown started at minute 2 (300 s left), and C = 15 > 5.
    let run = Aws {
        max: 20,
        target_value: 10.0,
        scale_out_cooldown_s: 600,
        ..Aws::default()
    }
    .run(&piecewise(&[(5, 50.0), (5, 150.0)]));
    assert_eq!(run.desired(), runs(10, &[(2, 5), (7, 15)], 1));
    let ScalingReason::TargetTracking(reason) = run.events[1].reason else {
        panic!("not a target-tracking reason");
    };
    assert_eq!(reason.cooldown_s, Some(300));
}

#[test]
fn a_scale_out_ends_the_scale_in_cooldown() {
    // Scale in to 5 at the end of minute 14 starts a 3600 s scale-in cooldown. 200/min from
    // minute 15 is 40 per instance: AlarmHigh at the end of minute 17 scales out to
    // ceil(200/10) = 20, which ends the scale-in cooldown. 10/min from minute 18 on 20
    // instances is 0.5 < 9; datapoints 18..=32 put AlarmLow in ALARM at the end of minute 32,
    // and the scale-in to ceil(10/10) = 1 is not blocked.
    let run = Aws {
        max: 20,
        target_value: 10.0,
        initial_instances: 10,
        scale_in_cooldown_s: 3600,
        ..Aws::default()
    }
    .run(&piecewise(&[(15, 50.0), (3, 200.0), (20, 10.0)]));
    assert_eq!(run.desired(), runs(38, &[(14, 5), (17, 20), (32, 1)], 10));
}

#[test]
fn no_traffic_scales_in_to_min_capacity() {
    // 0 invocations: datapoints 0 < 63 for 15 minutes, C = clamp(ceil(0/70)) = MinCapacity 2.
    let run = Aws {
        min: 2,
        initial_instances: 6,
        ..Aws::default()
    }
    .run(&[0.0; 16]);
    assert_eq!(run.desired(), runs(16, &[(14, 2)], 6));
}

#[test]
fn initial_instances_are_clamped_into_the_registered_range() {
    let run = Aws {
        min: 2,
        initial_instances: 20,
        ..Aws::default()
    }
    .run(&[100.0]);
    assert_eq!(run.in_service(), vec![8]);
}

#[test]
fn half_minute_steps_sum_into_one_datapoint_per_minute() {
    // 350 per 30 s step is 700 per minute: the decision of spec check one happens at the end
    // of minute 2, the step with index 5; the datapoint shows on the minute's last step.
    let run = Aws {
        step_s: 30,
        ..Aws::default()
    }
    .run(&[350.0; 10]);
    assert_eq!(run.desired(), runs(10, &[(5, 8)], 1));
    assert_eq!(run.in_service(), runs(10, &[(6, 8)], 1));
    assert_eq!(run.records[0].metric, None);
    assert_eq!(run.records[1].metric, Some(700.0));
    assert_eq!(run.records[7].metric, Some(87.5));
}

#[test]
fn the_reason_reads_as_a_sentence_naming_alarm_datapoints_and_clamp() {
    let run = Aws::default().run(&[700.0; 4]);
    assert_eq!(
        run.events[0].reason.to_string(),
        "AlarmHigh in ALARM: InvocationsPerInstance > 70 for 3 of 3 datapoints \
         (minutes 0-2, 700 to 700); ceil(700 invocations / 70) = 10, clamped to MaxCapacity 8"
    );
}
