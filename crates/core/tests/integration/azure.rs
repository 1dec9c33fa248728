//! Azure Monitor autoscale against the checks by hand of spec/azure-autoscale.md.

use scalesim_core::{
    AutoscaleProfile, AutoscaleSetting, AzureAutoscale, AzureMetric, AzureReason,
    ComparisonOperator, Demand, FleetConfig, MetricTrigger, ProfileSchedule, ScaleAction,
    ScaleCapacity, ScaleDirection, ScaleRule, ScaleType, ScalingReason, Simulation, Statistic,
    TimeAggregation,
};

use crate::common::{Recorder, runs};

/// A rule with the spec's defaults: PT1M grain, Average, PT5M window, Last, cooldown PT5M.
fn rule(
    metric: AzureMetric,
    operator: ComparisonOperator,
    threshold: f64,
    direction: ScaleDirection,
    scale_type: ScaleType,
    value: u32,
) -> ScaleRule {
    ScaleRule {
        trigger: MetricTrigger {
            metric,
            time_grain_min: 1,
            statistic: Statistic::Average,
            time_window_min: 5,
            time_aggregation: TimeAggregation::Last,
            operator,
            threshold,
            divide_per_instance: false,
        },
        action: ScaleAction {
            direction,
            scale_type,
            value,
            cooldown_s: 300,
        },
    }
}

fn cpu(
    operator: ComparisonOperator,
    threshold: f64,
    direction: ScaleDirection,
    value: u32,
) -> ScaleRule {
    rule(
        AzureMetric::CpuUtilizationPercentage,
        operator,
        threshold,
        direction,
        ScaleType::ChangeCount,
        value,
    )
}

fn profile(minimum: u32, maximum: u32, default: u32, rules: Vec<ScaleRule>) -> AutoscaleProfile {
    AutoscaleProfile {
        name: "test".into(),
        capacity: ScaleCapacity::new(minimum, maximum, default).unwrap(),
        rules,
    }
}

/// Runs profiles (switching as `schedule` says) on per-minute demand with capacity 100 per
/// instance per minute, evaluation every 60 s, no provisioning delay.
fn run(
    profiles: Vec<AutoscaleProfile>,
    schedule: ProfileSchedule,
    metric_delay_s: u64,
    initial_instances: u32,
    demand: &[f64],
) -> Recorder {
    let setting = AutoscaleSetting {
        enabled: true,
        profiles,
    };
    let autoscale = AzureAutoscale::new(setting, schedule, metric_delay_s, 60).unwrap();
    let demand = Demand::per_step(60, demand.to_vec()).unwrap();
    let fleet = FleetConfig {
        capacity_per_instance_per_min: 100.0,
        initial_instances,
        provisioning_s: 0,
    };
    Recorder::run(
        Simulation::builder(fleet)
            .autoscaler(autoscale)
            .demand(&demand),
    )
}

fn events(run: &Recorder) -> Vec<(u64, u32, u32)> {
    run.events.iter().map(|e| (e.t_s, e.from, e.to)).collect()
}

fn azure_reason(run: &Recorder, idx: usize) -> AzureReason {
    match run.events[idx].reason {
        ScalingReason::Azure(reason) => reason,
        other => panic!("not an Azure reason: {other:?}"),
    }
}

use ComparisonOperator::{GreaterThan, GreaterThanOrEqual, LessThan, LessThanOrEqual};
use ScaleDirection::{Decrease, Increase};

#[test]
fn best_practices_example_defers_a_flapping_scale_in() {
    // Out +1 at CPU ≥ 80, in −1 at CPU ≤ 60, min 1, max 5, initial 2. Minute 0: 160 on 2
    // instances is CPU 80: out to 3. Minutes 1–5: 180 on 3 is CPU 60; t = 120…300 are in the
    // cooldown; at t = 360 the in rule fires but 60 × 3/2 = 90 ≥ 80 flaps: skipped. Minute 6:
    // 150 is CPU 50, 50 × 3/2 = 75 < 80: D = 2 at t = 420.
    let rules = vec![
        cpu(GreaterThanOrEqual, 80.0, Increase, 1),
        cpu(LessThanOrEqual, 60.0, Decrease, 1),
    ];
    let demand = [
        160.0, 180.0, 180.0, 180.0, 180.0, 180.0, 150.0, 150.0, 150.0,
    ];
    let run = run(
        vec![profile(1, 5, 1, rules)],
        ProfileSchedule::constant(0),
        0,
        2,
        &demand,
    );
    assert_eq!(run.desired(), runs(9, &[(0, 3), (6, 2)], 2));
    assert_eq!(events(&run), [(60, 2, 3), (360, 3, 3), (420, 3, 2)]);
    let AzureReason::FlappingSkipped {
        target, flapping, ..
    } = azure_reason(&run, 1)
    else {
        panic!("expected a flapping skip");
    };
    assert_eq!((target, flapping.count, flapping.projected), (2, 2, 90.0));
    // CPU with 2 instances afterwards: 150 / 200.
    assert_eq!(run.records[7].metric, Some(75.0));
}

#[test]
fn flapping_avoidance_reduces_a_scale_in() {
    // Out +5 at CPU > 70; in −5 at RequestsPerMinute per instance ≤ 50; 10 instances, 500 a
    // minute: CPU 50, 50 per instance. T = 5; projected CPU 50 × 10 / c is 100, 83.3, 71.4
    // at c = 5, 6, 7 and 62.5 at c = 8: D = 8.
    let mut per_instance = rule(
        AzureMetric::RequestsPerMinute,
        LessThanOrEqual,
        50.0,
        Decrease,
        ScaleType::ChangeCount,
        5,
    );
    per_instance.trigger.divide_per_instance = true;
    let rules = vec![cpu(GreaterThan, 70.0, Increase, 5), per_instance];
    let run = run(
        vec![profile(1, 20, 1, rules)],
        ProfileSchedule::constant(0),
        0,
        10,
        &[500.0; 8],
    );
    assert_eq!(run.desired(), runs(8, &[(0, 8)], 10));
    let AzureReason::ScaleIn {
        target,
        count,
        flapping: Some(flapping),
        ..
    } = azure_reason(&run, 0)
    else {
        panic!("expected a reduced scale-in");
    };
    assert_eq!((target, count, flapping.count), (5, 8, 7));
    assert!((flapping.projected - 500.0 / 7.0).abs() < 1e-12);
}

#[test]
fn the_highest_increase_proposal_wins() {
    // C = 10: +3 gives 13, +15 % gives 10 + ceil(1.5) = 12: 13.
    let rules = vec![
        cpu(GreaterThan, 10.0, Increase, 3),
        rule(
            AzureMetric::CpuUtilizationPercentage,
            GreaterThan,
            10.0,
            Increase,
            ScaleType::PercentChangeCount,
            15,
        ),
    ];
    let run = run(
        vec![profile(1, 20, 1, rules)],
        ProfileSchedule::constant(0),
        0,
        10,
        &[900.0; 2],
    );
    assert_eq!(events(&run), [(60, 10, 13)]);
}

#[test]
fn the_smallest_reduction_wins_when_all_decrease_rules_fire() {
    // C = 10: −50 % gives 5 and −3 gives 7, both fire: 7 ('Understand autoscale settings').
    let rules = vec![
        rule(
            AzureMetric::CpuUtilizationPercentage,
            LessThan,
            90.0,
            Decrease,
            ScaleType::PercentChangeCount,
            50,
        ),
        cpu(LessThan, 90.0, Decrease, 3),
    ];
    let run = run(
        vec![profile(1, 20, 1, rules)],
        ProfileSchedule::constant(0),
        0,
        10,
        &[100.0; 2],
    );
    assert_eq!(events(&run), [(60, 10, 7)]);
}

#[test]
fn no_data_raises_to_the_default_then_flapping_then_scale_in() {
    // Delay 60 s, minimum 1, default 2, initial 1, demand 50. End of minute 0: nothing
    // visible, C = 1 < 2: D = 2. End of minute 1: minute 0 shows CPU 50 on one instance; the in
    // rule fires but 50 × 2/1 = 100 ≥ 80: skipped. End of minute 2: minute 1 shows 25 on two
    // instances, 50 < 80: D = 1.
    let rules = vec![
        cpu(GreaterThanOrEqual, 80.0, Increase, 1),
        cpu(LessThanOrEqual, 60.0, Decrease, 1),
    ];
    let run = run(
        vec![profile(1, 5, 2, rules)],
        ProfileSchedule::constant(0),
        60,
        1,
        &[50.0; 4],
    );
    assert_eq!(events(&run), [(60, 1, 2), (120, 2, 2), (180, 2, 1)]);
    assert!(matches!(
        azure_reason(&run, 0),
        AzureReason::NoData { default: 2, .. }
    ));
}

#[test]
fn a_profile_switch_lowering_the_maximum_scales_in_at_once_despite_a_cooldown() {
    // Profile 0 scales out to 5 at t = 60 (cooldown 300 s); from t = 120 profile 1 caps at 3:
    // the evaluation at t = 120 clamps to 3, cooldown or not.
    let busy = vec![cpu(GreaterThan, 10.0, Increase, 4)];
    let capped = vec![cpu(GreaterThan, 1000.0, Increase, 1)];
    let schedule = ProfileSchedule::from_changes(vec![(0, 0), (120, 1)]).unwrap();
    let run = run(
        vec![profile(1, 10, 1, busy), profile(1, 3, 1, capped)],
        schedule,
        0,
        1,
        &[500.0; 4],
    );
    assert_eq!(events(&run), [(60, 1, 5), (120, 5, 3)]);
}

#[test]
fn a_disabled_setting_only_clamps_the_initial_count() {
    let rules = vec![cpu(GreaterThan, 10.0, Increase, 4)];
    let setting = AutoscaleSetting {
        enabled: false,
        profiles: vec![profile(2, 10, 2, rules)],
    };
    let autoscale = AzureAutoscale::new(setting, ProfileSchedule::constant(0), 0, 60).unwrap();
    let demand = Demand::per_step(60, vec![900.0; 5]).unwrap();
    let fleet = FleetConfig {
        capacity_per_instance_per_min: 100.0,
        initial_instances: 1,
        provisioning_s: 0,
    };
    let recorder = Recorder::run(
        Simulation::builder(fleet)
            .autoscaler(autoscale)
            .demand(&demand),
    );
    assert_eq!(recorder.desired(), vec![2; 5]);
}
