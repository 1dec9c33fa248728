//! Invariants that hold for any trace and any valid configuration.

use proptest::prelude::*;
use scalesim_core::{Autoscaler, Observation};

use crate::common::Aws;

fn any_aws() -> impl Strategy<Value = Aws> {
    (
        1u32..5,
        0u32..10,
        1.0f64..200.0,
        prop_oneof![Just(0u64), Just(60), Just(300), Just(900)],
        prop_oneof![Just(0u64), Just(60), Just(300), Just(900)],
        any::<bool>(),
        0u64..4,
        0u64..8,
        prop_oneof![Just(15u64), Just(30), Just(60)],
        0u32..15,
    )
        .prop_map(
            |(
                min,
                span,
                target_value,
                out_s,
                in_s,
                disable,
                delay_min,
                prov_steps,
                step_s,
                initial,
            )| {
                Aws {
                    min,
                    max: min + span,
                    target_value,
                    scale_out_cooldown_s: out_s,
                    scale_in_cooldown_s: in_s,
                    disable_scale_in: disable,
                    metric_delay_s: delay_min * 60,
                    capacity_per_instance: 100.0,
                    initial_instances: initial,
                    provisioning_s: prov_steps * step_s,
                    step_s,
                }
            },
        )
}

fn any_demand() -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(prop_oneof![Just(0.0), 0.0f64..2000.0], 1..240)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn desired_stays_within_min_and_max(aws in any_aws(), demand in any_demand()) {
        let run = aws.run(&demand);
        for record in &run.records {
            prop_assert!((aws.min..=aws.max).contains(&record.desired));
            prop_assert!(record.in_service <= aws.max);
        }
    }

    #[test]
    fn in_service_plus_pending_equals_the_desired_capacity_last_set(
        aws in any_aws(),
        demand in any_demand(),
    ) {
        // Desired capacity as the events tell it, tracked apart from the fleet's own counts.
        let run = aws.run(&demand);
        let mut desired = aws.min.max(aws.initial_instances.min(aws.max));
        let mut events = run.events.iter().peekable();
        for record in &run.records {
            if let Some(event) = events.next_if(|e| e.step_idx == record.step_idx) {
                prop_assert_eq!(event.from, desired);
                desired = event.to;
            }
            prop_assert_eq!(record.desired, desired);
            // `pending` is counted after the decision; those in service then are the ones
            // serving during the step, less those removed by a scale-in, plus with no
            // provisioning delay those added.
            let in_service_after = if aws.provisioning_s == 0 {
                desired
            } else {
                record.in_service.min(desired)
            };
            prop_assert_eq!(in_service_after + record.pending, desired);
        }
    }

    #[test]
    fn in_service_is_the_least_desired_capacity_over_the_provisioning_window(
        aws in any_aws(),
        demand in any_demand(),
    ) {
        // Launches cancelled newest first make the fleet a stack: the instance at height h
        // serves at step k iff desired capacity was at least h at every decision from step
        // k − 1 − provisioning steps to step k − 1 (before step 0: the initial count).
        let provisioning_steps = (aws.provisioning_s / aws.step_s) as i64;
        let initial = aws.min.max(aws.initial_instances.min(aws.max));
        let run = aws.run(&demand);
        let desired = run.desired();
        for (k, record) in run.records.iter().enumerate() {
            let k = k as i64;
            let window = (k - 1 - provisioning_steps).max(-1)..=k - 1;
            let expected = window
                .map(|i| if i < 0 { initial } else { desired[i as usize] })
                .min()
                .unwrap_or(initial);
            prop_assert_eq!(record.in_service, expected, "step {}", k);
        }
    }

    #[test]
    fn no_scale_in_inside_a_scale_in_cooldown(aws in any_aws(), demand in any_demand()) {
        let run = aws.run(&demand);
        let mut last_scale_in_s: Option<u64> = None;
        for event in &run.events {
            if event.to > event.from {
                last_scale_in_s = None; // a scale-out ends the scale-in cooldown
            } else {
                if let Some(last_s) = last_scale_in_s {
                    prop_assert!(event.t_s - last_s >= aws.scale_in_cooldown_s);
                }
                last_scale_in_s = Some(event.t_s);
            }
        }
    }

    #[test]
    fn same_inputs_give_identical_records(aws in any_aws(), demand in any_demand()) {
        let first = aws.run(&demand);
        let second = aws.run(&demand);
        prop_assert_eq!(first.records, second.records);
        prop_assert_eq!(first.events, second.events);
    }

    #[test]
    fn a_single_decision_is_monotone_in_the_metric_it_sees(
        history in prop::collection::vec(0.0f64..2000.0, 20),
        low in 0.0f64..2000.0,
        extra in 0.0f64..2000.0,
        desired in 1u32..9,
    ) {
        // Two controllers with the same history and the same desired capacity see a last
        // minute of `low` and of `low + extra` invocations: the second never ends lower.
        let decide = |last: f64| {
            let mut policy = Aws::default().policy();
            let mut outcome = None;
            for (minute, &demand) in history.iter().chain([last].iter()).enumerate() {
                let observation = Observation {
                    step_idx: minute as u64,
                    t_s: minute as u64 * 60,
                    step_s: 60,
                    demand,
                    served: demand,
                    capacity: f64::from(desired) * 1000.0,
                    work: demand,
                    work_capacity: f64::from(desired) * 1000.0,
                    in_flight: None,
                    concurrency: None,
                    latency_s: None,
                    in_service: desired,
                    ready_at_end: desired,
                    pending: 0,
                    desired,
                    servers: None,
                };
                outcome = policy.on_step(&observation).proposal;
            }
            outcome.map_or(desired, |proposal| proposal.bounds.clamp(proposal.desired))
        };
        prop_assert!(decide(low + extra) >= decide(low));
    }
}

/// Minute-step AWS policies for the sweep kernel, wider than [`any_aws`] where the kernel has
/// edges of its own: exact ties between a datapoint and the target (whole targets and
/// demands), metric delays past the 49 minutes a 64-bit history holds, and capacities that
/// make the fleet fall short.
fn any_minute_aws() -> impl Strategy<Value = Aws> {
    (
        any_aws(),
        1u32..4,
        prop_oneof![
            1.0f64..200.0,
            (1u32..60).prop_map(f64::from),
            (1u32..12).prop_map(|tens| f64::from(tens) * 10.0),
        ],
        prop_oneof![4 => 0u64..4, 1 => 45u64..=60],
        prop_oneof![Just(100.0), 5.0f64..150.0, (1u32..80).prop_map(f64::from)],
    )
        .prop_map(
            |(aws, min, target_value, delay_min, capacity_per_instance)| Aws {
                min,
                max: min + (aws.max - aws.min),
                target_value,
                metric_delay_s: delay_min * 60,
                capacity_per_instance,
                step_s: 60,
                provisioning_s: aws.provisioning_s / aws.step_s * 60,
                ..aws
            },
        )
}

/// A service model, and sometimes a service time and an SLO to measure the service level by:
/// service times from 0.1 s to a minute, latency limits around them, loss limits around the
/// fractions that a throttled fleet loses.
fn any_kernel_service() -> impl Strategy<Value = scalesim_core::KernelService> {
    let model = prop_oneof![
        Just(scalesim_core::ServiceModel::Throttle),
        Just(scalesim_core::ServiceModel::Queue),
    ];
    let slo = (
        prop::option::of(prop_oneof![0.0f64..120.0, (1u32..60).prop_map(f64::from)]),
        prop::option::of(prop_oneof![Just(0.0), 0.0f64..0.5]),
    )
        .prop_map(
            |(latency_s, max_unserved_fraction)| scalesim_core::ServiceLevelObjective {
                latency_s,
                max_unserved_fraction,
            },
        );
    let level = prop::option::of((
        prop_oneof![0.1f64..60.0, (1u32..30).prop_map(f64::from)],
        slo,
    ));
    (model, level).prop_map(|(model, service_level)| scalesim_core::KernelService {
        model,
        service_level,
    })
}

/// Per-minute demands in level stretches, long enough for AlarmLow's 15 datapoints, some in
/// tens so that they tie with targets in tens.
fn any_minute_demand() -> impl Strategy<Value = Vec<f64>> {
    let level = prop_oneof![
        Just(0.0),
        0.0f64..2000.0,
        (0u32..400).prop_map(f64::from),
        (0u32..80).prop_map(|tens| f64::from(tens) * 10.0),
    ];
    prop::collection::vec((level, 1usize..40), 1..12).prop_map(|stretches| {
        stretches
            .into_iter()
            .flat_map(|(level, minutes)| std::iter::repeat_n(level, minutes))
            .collect()
    })
}

/// Per-minute demands of whole numbers and halves in level stretches and noise, long enough
/// for several words of minutes: every sum exact, so that the sweep kernel takes its stretches
/// of minutes at once.
fn any_whole_minute_demand() -> impl Strategy<Value = Vec<f64>> {
    let level = prop_oneof![
        Just(0.0),
        (0u32..400).prop_map(f64::from),
        (0u32..80).prop_map(|tens| f64::from(tens) * 10.0),
        (0u32..1600).prop_map(|halves| f64::from(halves) / 2.0),
    ];
    let stretch = prop_oneof![
        3 => (level.clone(), 1usize..150).prop_map(|(level, minutes)| vec![level; minutes]),
        1 => prop::collection::vec(level, 1..80),
    ];
    prop::collection::vec(stretch, 1..10).prop_map(|stretches| stretches.concat())
}

/// Whole and dyadic capacities per instance, so that every count of instances serves an exact
/// sum.
fn any_whole_capacity() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(100.0),
        (1u32..80).prop_map(f64::from),
        (1u32..320).prop_map(|quarters| f64::from(quarters) / 4.0),
    ]
}

/// Either fluid service model, no service level measured: what the kernel's stretches take.
fn any_fluid_service() -> impl Strategy<Value = scalesim_core::KernelService> {
    prop_oneof![
        Just(scalesim_core::KernelService::THROTTLE),
        Just(scalesim_core::KernelService {
            model: scalesim_core::ServiceModel::Queue,
            service_level: None,
        }),
    ]
}

/// The fleet of a minute-step run of `aws`.
fn fleet_of(aws: &Aws) -> scalesim_core::FleetConfig {
    scalesim_core::FleetConfig {
        capacity_per_instance_per_min: aws.capacity_per_instance,
        initial_instances: aws.initial_instances,
        provisioning_s: aws.provisioning_s,
    }
}

/// The general engine's figures and the sweep kernel's for one run.
fn kernel_and_engine(
    aws: &Aws,
    demand: Vec<f64>,
    service: scalesim_core::KernelService,
) -> (
    Option<scalesim_core::RunFigures>,
    Option<scalesim_core::RunFigures>,
) {
    let fleet = fleet_of(aws);
    let per_step = scalesim_core::Demand::per_step(60, demand).unwrap();
    let general = {
        let mut simulation = scalesim_core::Simulation::builder(fleet)
            .autoscaler(aws.policy())
            .demand(&per_step)
            .service_model(service.model)
            .build()
            .unwrap();
        let mut summary = scalesim_core::SummarySink::new();
        let mut level = service.service_level.map(|(service_time_s, slo)| {
            scalesim_core::ServiceLevelSink::new(
                service_time_s,
                fleet.capacity_per_instance_per_min,
                slo,
            )
            .unwrap()
        });
        simulation.run(&mut (&mut summary, &mut level));
        summary.summary().map(|summary| scalesim_core::RunFigures {
            summary,
            service_level: level
                .as_ref()
                .map(scalesim_core::ServiceLevelSink::service_level),
        })
    };
    let fast = scalesim_core::target_tracking_summary(&per_step, service, fleet, &aws.policy());
    (fast, general)
}

/// The sweep kernel reads a word of minutes at a time: a launch that joins on the last minute
/// of a word must still join. 400 invocations a minute against a target of 40: AlarmHigh's
/// three datapoints are in by minute 2, which scales 1 instance to 10; provisioned for 64
/// minutes, the 9 join at minute 2 + 1 + 64 = 67, the last of the 64 minutes from 3 that the
/// kernel reads after that decision. Until then the one instance serves 100 of the 400.
#[test]
fn a_launch_due_on_the_last_minute_of_a_word_joins_then() {
    let aws = Aws {
        min: 1,
        max: 10,
        target_value: 40.0,
        capacity_per_instance: 100.0,
        provisioning_s: 64 * 60,
        ..Aws::default()
    };
    let (fast, general) = kernel_and_engine(
        &aws,
        vec![400.0; 200],
        scalesim_core::KernelService::THROTTLE,
    );
    assert_eq!(fast, general);
    let summary = fast.unwrap().summary;
    assert_eq!(summary.instance_seconds, (67 + 133 * 10) * 60);
    assert_eq!(summary.served_total, 67.0 * 100.0 + 133.0 * 400.0);
    assert_eq!(summary.unserved_total, 67.0 * 300.0);
    assert_eq!(summary.underprovisioned_steps, 67);
    assert_eq!(summary.scale_out_events, 1);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn the_sweep_kernel_gives_the_general_engines_summary_bit_for_bit(
        aws in any_minute_aws(),
        demand in any_minute_demand(),
        service in any_kernel_service(),
    ) {
        let (fast, general) = kernel_and_engine(&aws, demand, service);
        prop_assert_eq!(fast, general);
    }

    #[test]
    fn the_sweep_kernel_gives_the_general_engines_summary_bit_for_bit_on_whole_counts(
        aws in any_minute_aws(),
        capacity_per_instance in any_whole_capacity(),
        demand in any_whole_minute_demand(),
        service in any_fluid_service(),
    ) {
        let aws = Aws { capacity_per_instance, ..aws };
        let (fast, general) = kernel_and_engine(&aws, demand, service);
        prop_assert!(fast.is_some());
        prop_assert_eq!(fast, general);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn policies_stepped_together_give_what_each_gives_alone(
        configs in prop::collection::vec(any_minute_aws(), 1..20),
        demand in any_minute_demand(),
        service in any_kernel_service(),
    ) {
        let per_step = scalesim_core::Demand::per_step(60, demand).unwrap();
        let runs: Vec<(scalesim_core::FleetConfig, scalesim_core::TargetTracking)> = configs
            .iter()
            .map(|aws| {
                let fleet = scalesim_core::FleetConfig {
                    capacity_per_instance_per_min: aws.capacity_per_instance,
                    initial_instances: aws.initial_instances,
                    provisioning_s: aws.provisioning_s / aws.step_s * 60,
                };
                (fleet, aws.policy())
            })
            .collect();
        let borrowed: Vec<_> = runs.iter().map(|(fleet, policy)| (*fleet, policy)).collect();
        let together = scalesim_core::target_tracking_summaries(&per_step, service, &borrowed);
        let alone: Vec<_> = runs
            .iter()
            .map(|(fleet, policy)| {
                scalesim_core::target_tracking_summary(&per_step, service, *fleet, policy)
            })
            .collect();
        prop_assert_eq!(together, alone);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// The kernel computes runs that read the same of their policy and fleet once: each of
    /// these variants of a run changes one field, and each, and each copy, must give what it
    /// gives alone.
    #[test]
    fn runs_that_differ_in_one_field_are_not_taken_for_copies(
        aws in any_minute_aws(),
        demand in any_whole_minute_demand(),
        service in any_fluid_service(),
    ) {
        let variants = [
            aws.clone(),
            Aws { target_value: aws.target_value + 1.0, ..aws.clone() },
            Aws { min: aws.min + 1, max: aws.max + 1, ..aws.clone() },
            Aws { max: aws.max + 1, ..aws.clone() },
            Aws { scale_in_cooldown_s: aws.scale_in_cooldown_s + 120, ..aws.clone() },
            Aws { scale_out_cooldown_s: aws.scale_out_cooldown_s + 120, ..aws.clone() },
            Aws { disable_scale_in: !aws.disable_scale_in, ..aws.clone() },
            Aws { metric_delay_s: (aws.metric_delay_s + 60) % 3660, ..aws.clone() },
            Aws { capacity_per_instance: aws.capacity_per_instance * 2.0, ..aws.clone() },
            Aws { initial_instances: aws.initial_instances + 1, ..aws.clone() },
            Aws { provisioning_s: aws.provisioning_s + 60, ..aws.clone() },
            aws.clone(),
        ];
        let per_step = scalesim_core::Demand::per_step(60, demand).unwrap();
        let runs: Vec<_> = variants
            .iter()
            .map(|aws| {
                (fleet_of(aws), aws.policy())
            })
            .collect();
        let borrowed: Vec<_> = runs.iter().map(|(fleet, policy)| (*fleet, policy)).collect();
        let together = scalesim_core::target_tracking_summaries(&per_step, service, &borrowed);
        for ((fleet, policy), together) in runs.iter().zip(together) {
            let alone = scalesim_core::target_tracking_summary(&per_step, service, *fleet, policy);
            prop_assert_eq!(together, alone);
        }
    }
}

/// Azure rules of every metric, statistic, aggregation, operator, direction and type, with
/// thresholds in tens (so that they tie with samples) or anywhere.
fn any_azure_rule() -> impl Strategy<Value = scalesim_core::ScaleRule> {
    use scalesim_core::{
        AzureMetric, ComparisonOperator, MetricTrigger, ScaleAction, ScaleDirection, ScaleRule,
        ScaleType, Statistic, TimeAggregation,
    };
    let metric = prop_oneof![
        Just(AzureMetric::CpuUtilizationPercentage),
        Just(AzureMetric::RequestsPerMinute)
    ];
    let statistic = prop_oneof![
        Just(Statistic::Average),
        Just(Statistic::Min),
        Just(Statistic::Max),
        Just(Statistic::Sum),
        Just(Statistic::Count)
    ];
    let aggregation = prop_oneof![
        Just(TimeAggregation::Average),
        Just(TimeAggregation::Minimum),
        Just(TimeAggregation::Maximum),
        Just(TimeAggregation::Total),
        Just(TimeAggregation::Count),
        Just(TimeAggregation::Last)
    ];
    let operator = prop_oneof![
        Just(ComparisonOperator::Equals),
        Just(ComparisonOperator::NotEquals),
        Just(ComparisonOperator::GreaterThan),
        Just(ComparisonOperator::GreaterThanOrEqual),
        Just(ComparisonOperator::LessThan),
        Just(ComparisonOperator::LessThanOrEqual)
    ];
    let direction = prop_oneof![
        4 => Just(ScaleDirection::Increase),
        4 => Just(ScaleDirection::Decrease),
        1 => Just(ScaleDirection::None)
    ];
    let scale_type = prop_oneof![
        Just(ScaleType::ChangeCount),
        Just(ScaleType::PercentChangeCount),
        Just(ScaleType::ExactCount)
    ];
    let threshold = prop_oneof![
        (0u32..30).prop_map(|tens| f64::from(tens) * 10.0),
        0.0f64..120.0,
        0.0f64..3000.0,
    ];
    let grain = prop_oneof![3 => Just(1u32), 1 => 2u32..7];
    (
        (metric, grain, statistic, 0u32..12, aggregation),
        (operator, threshold, any::<bool>()),
        (direction, scale_type, 1u32..6, 1u64..1500),
    )
        .prop_map(
            |(
                (metric, time_grain_min, statistic, extra, time_aggregation),
                (operator, threshold, divide_per_instance),
                (direction, scale_type, value, cooldown_s),
            )| ScaleRule {
                trigger: MetricTrigger {
                    metric,
                    time_grain_min,
                    statistic,
                    time_window_min: time_grain_min + extra,
                    time_aggregation,
                    operator,
                    threshold,
                    divide_per_instance,
                },
                action: ScaleAction {
                    direction,
                    scale_type,
                    value,
                    cooldown_s,
                },
            },
        )
}

/// An Azure autoscale setting of one to three profiles, switched at random minutes (or never),
/// with its metric delay, evaluation period and whether it is enabled.
fn any_azure_autoscale() -> impl Strategy<Value = scalesim_core::AzureAutoscale> {
    use scalesim_core::{
        AutoscaleProfile, AutoscaleSetting, AzureAutoscale, ProfileSchedule, ScaleCapacity,
    };
    let profile = (
        1u32..4,
        0u32..8,
        0u32..8,
        prop::collection::vec(any_azure_rule(), 0..4),
    )
        .prop_map(|(minimum, span, above, rules)| AutoscaleProfile {
            name: "p".into(),
            capacity: ScaleCapacity::new(minimum, minimum + span, minimum + above.min(span))
                .unwrap(),
            rules,
        });
    (
        prop::collection::vec(profile, 1..4),
        prop::collection::vec((1u64..400, 0usize..3), 0..4),
        0u64..4,
        1u64..4,
        prop_oneof![8 => Just(true), 1 => Just(false)],
    )
        .prop_map(|(profiles, switches, delay_min, period_min, enabled)| {
            let mut changes = vec![(0, 0)];
            let mut minutes: Vec<(u64, usize)> = switches
                .into_iter()
                .map(|(minute, profile)| (minute * 60, profile % profiles.len()))
                .collect();
            minutes.sort_unstable();
            minutes.dedup_by_key(|(t_s, _)| *t_s);
            changes.extend(minutes);
            let setting = AutoscaleSetting { enabled, profiles };
            AzureAutoscale::new(
                setting,
                ProfileSchedule::from_changes(changes).unwrap(),
                delay_min * 60,
                period_min * 60,
            )
            .unwrap()
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn the_azure_sweep_kernel_gives_the_general_engines_summary_bit_for_bit(
        autoscale in any_azure_autoscale(),
        demand in any_minute_demand(),
        capacity_per_instance_per_min in prop_oneof![1.0f64..200.0, (1u32..20).prop_map(|c| f64::from(c) * 10.0)],
        initial_instances in 0u32..15,
        provisioning_min in 0u64..8,
    ) {
        let fleet = scalesim_core::FleetConfig {
            capacity_per_instance_per_min,
            initial_instances,
            provisioning_s: provisioning_min * 60,
        };
        let per_step = scalesim_core::Demand::per_step(60, demand).unwrap();
        let general = {
            let mut simulation = scalesim_core::Simulation::builder(fleet)
                .autoscaler(autoscale.clone())
                .demand(&per_step)
                .build()
                .unwrap();
            let mut sink = scalesim_core::SummarySink::new();
            simulation.run(&mut sink);
            sink.summary()
        };
        let fast = scalesim_core::azure_autoscale_summary(&per_step, fleet, &autoscale);
        prop_assert_eq!(fast, general);
    }
}

#[test]
fn the_azure_sweep_kernel_declines_steps_other_than_a_minute() {
    use scalesim_core::{AutoscaleProfile, AutoscaleSetting, ProfileSchedule, ScaleCapacity};
    let setting = AutoscaleSetting {
        enabled: true,
        profiles: vec![AutoscaleProfile {
            name: "p".into(),
            capacity: ScaleCapacity::new(1, 3, 1).unwrap(),
            rules: vec![],
        }],
    };
    let autoscale =
        scalesim_core::AzureAutoscale::new(setting, ProfileSchedule::constant(0), 0, 60).unwrap();
    let fleet = scalesim_core::FleetConfig {
        capacity_per_instance_per_min: 60.0,
        initial_instances: 1,
        provisioning_s: 0,
    };
    let per_minute = scalesim_core::Demand::per_step(60, vec![10.0; 4]).unwrap();
    let per_half_minute = scalesim_core::Demand::per_step(30, vec![10.0; 8]).unwrap();
    assert!(scalesim_core::azure_autoscale_summary(&per_minute, fleet, &autoscale).is_some());
    assert_eq!(
        scalesim_core::azure_autoscale_summary(&per_half_minute, fleet, &autoscale),
        None
    );
}

fn any_huawei_scaling() -> impl Strategy<Value = scalesim_core::WorkspaceScaling> {
    let threshold = || prop_oneof![Just(None), (1u32..=100).prop_map(Some)];
    let weight = || prop_oneof![Just(None), (0.0f64..40.0).prop_map(Some), Just(Some(12.5))];
    (
        (
            prop_oneof![9 => Just(true), 1 => Just(false)],
            1u32..12,
            1u32..4,
            prop_oneof![1u32..=100, Just(50), Just(75), Just(100)],
            5u32..20,
        ),
        (threshold(), threshold(), threshold()),
        (weight(), weight(), weight()),
        1u32..4,
        prop_oneof![Just(60u64), Just(120), Just(300)],
    )
        .prop_map(
            |((enable, max, single, session, idle), (cpu, mem, gpu), weights, base, period_s)| {
                let policy = scalesim_core::WorkspaceScalingPolicy::new(
                    enable,
                    max,
                    single,
                    session,
                    idle,
                    scalesim_core::ResourceThresholds { cpu, mem, gpu },
                )
                .unwrap();
                let weights = scalesim_core::SessionWeights {
                    cpu_pct: weights.0,
                    mem_pct: weights.1,
                    gpu_mem_pct: weights.2,
                };
                scalesim_core::WorkspaceScaling::new(policy, weights, base, period_s).unwrap()
            },
        )
}

fn any_session_config() -> impl Strategy<Value = scalesim_core::SessionConfig> {
    use scalesim_core::SessionLength;
    (
        prop_oneof![
            (1.0f64..2000.0).prop_map(|mean| SessionLength::fixed(mean).unwrap()),
            (10.0f64..3000.0).prop_map(|mean| SessionLength::exponential(mean).unwrap()),
            (10.0f64..3000.0, 0.1f64..2.0)
                .prop_map(|(mean, sigma)| SessionLength::lognormal(mean, sigma).unwrap()),
        ],
        any::<u64>(),
    )
        .prop_map(|(length, seed)| scalesim_core::SessionConfig { length, seed })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn the_huawei_sweep_kernel_gives_the_general_engines_summary_bit_for_bit(
        runs in prop::collection::vec(
            (
                any_huawei_scaling(),
                prop_oneof![4 => (1u32..6).prop_map(f64::from), 1 => Just(2.5)],
                0u32..5,
                0u64..6,
            ),
            1..5,
        ),
        sessions in any_session_config(),
        step_s in prop_oneof![Just(60u64), Just(30)],
        starts in prop::collection::vec(
            prop_oneof![3 => 0u32..3, 2 => 0u32..12, 1 => Just(0u32)].prop_map(f64::from),
            1..300,
        ),
        // Now and then a step the build refuses (a fractional start, too many starts): the
        // kernel checks the trace once for all its runs, and must refuse them all.
        refused_step in prop_oneof![
            18 => Just(None),
            1 => (any::<prop::sample::Index>(), Just(2.5)).prop_map(Some),
            1 => (any::<prop::sample::Index>(), Just(1e6 + 1.0)).prop_map(Some),
        ],
    ) {
        let mut starts = starts;
        if let Some((step, refused)) = refused_step {
            let step = step.index(starts.len());
            starts[step] = refused;
        }
        let demand = scalesim_core::Demand::per_step(step_s, starts).unwrap();
        let runs: Vec<(scalesim_core::FleetConfig, scalesim_core::WorkspaceScaling)> = runs
            .into_iter()
            .map(|(scaling, capacity_per_instance_per_min, initial_instances, provisioning)| {
                let fleet = scalesim_core::FleetConfig {
                    capacity_per_instance_per_min,
                    initial_instances,
                    provisioning_s: provisioning * step_s,
                };
                (fleet, scaling)
            })
            .collect();
        let general: Vec<Option<scalesim_core::Summary>> = runs
            .iter()
            .map(|(fleet, scaling)| {
                let mut simulation = scalesim_core::Simulation::builder(*fleet)
                    .autoscaler(scaling.clone())
                    .demand(&demand)
                    .sessions(sessions)
                    .build()
                    .ok()?;
                let mut sink = scalesim_core::SummarySink::new();
                simulation.run(&mut sink);
                sink.summary()
            })
            .collect();
        let together: Vec<(scalesim_core::FleetConfig, &scalesim_core::WorkspaceScaling)> =
            runs.iter().map(|(fleet, scaling)| (*fleet, scaling)).collect();
        let fast = scalesim_core::huawei_workspace_summaries(&demand, sessions, &together);
        prop_assert_eq!(&fast, &general);
        let (fleet, scaling) = &runs[0];
        prop_assert_eq!(
            scalesim_core::huawei_workspace_summary(&demand, sessions, *fleet, scaling),
            general[0]
        );
    }
}

/// The Huawei kernel draws its sessions' ends a block of a couple of thousand at a time, each
/// run stepping through a block before the next is drawn: a trace of many blocks, one of them a
/// single step of more starts than a block holds, gives the engine's summaries all the same.
#[test]
fn the_huawei_sweep_kernel_steps_through_blocks_of_ends_as_the_engine_steps_through_the_trace() {
    use scalesim_core::{SessionConfig, SessionLength};
    // 6,000 minutes: five hours of 0 to 6 starts a minute, then five hours of none, ten
    // times over (9,000 sessions), and one minute of 5,000.
    let mut starts: Vec<f64> = (0..6000u32)
        .map(|minute| {
            if (minute / 300) % 2 == 0 {
                f64::from(minute % 7)
            } else {
                0.0
            }
        })
        .collect();
    starts[1500] = 5000.0;
    let demand = scalesim_core::Demand::per_step(60, starts).unwrap();
    let sessions = SessionConfig {
        length: SessionLength::lognormal(1200.0, 1.0).unwrap(),
        seed: 3,
    };
    let fleet = scalesim_core::FleetConfig {
        capacity_per_instance_per_min: 4.0,
        initial_instances: 2,
        provisioning_s: 120,
    };
    let runs: Vec<scalesim_core::WorkspaceScaling> =
        [(5, 1, 60, 5), (20, 3, 40, 30), (8, 2, 90, 10)]
            .into_iter()
            .map(|(max, single, session, idle)| {
                let thresholds = scalesim_core::ResourceThresholds {
                    cpu: None,
                    mem: None,
                    gpu: None,
                };
                let policy = scalesim_core::WorkspaceScalingPolicy::new(
                    true, max, single, session, idle, thresholds,
                )
                .unwrap();
                let weights = scalesim_core::SessionWeights {
                    cpu_pct: None,
                    mem_pct: None,
                    gpu_mem_pct: None,
                };
                scalesim_core::WorkspaceScaling::new(policy, weights, 2, 60).unwrap()
            })
            .collect();
    let general: Vec<Option<scalesim_core::Summary>> = runs
        .iter()
        .map(|scaling| {
            let mut simulation = scalesim_core::Simulation::builder(fleet)
                .autoscaler(scaling.clone())
                .demand(&demand)
                .sessions(sessions)
                .build()
                .unwrap();
            let mut sink = scalesim_core::SummarySink::new();
            simulation.run(&mut sink);
            sink.summary()
        })
        .collect();
    let together: Vec<_> = runs.iter().map(|scaling| (fleet, scaling)).collect();
    let fast = scalesim_core::huawei_workspace_summaries(&demand, sessions, &together);
    assert_eq!(fast, general);
    // Every run scaled out and back in, and turned sessions away at the burst.
    for summary in fast.iter().flatten() {
        assert!(summary.scale_out_events > 0 && summary.scale_in_events > 0);
        assert!(summary.unserved_total >= 5000.0 - 4.0 * f64::from(2 + 20));
    }
}

/// A metric target of the kind `kind` can take, in the ranges the fleet's metrics reach, with
/// whole values so that ratios tie with tolerances and counts.
fn any_hpa_metric() -> impl Strategy<Value = scalesim_core::HpaMetric> {
    use scalesim_core::{HpaMetric, MetricTarget};
    let per_pod_m = prop_oneof![(1i64..40).prop_map(|rps| rps * 1000), 100i64..40_000];
    let total_m = prop_oneof![(1i64..400).prop_map(|rps| rps * 1000), 100i64..400_000];
    prop_oneof![
        3 => (5i64..120).prop_map(|pct| HpaMetric::ResourceCpu(MetricTarget::Utilization(pct))),
        1 => (50i64..1500).prop_map(|m| HpaMetric::ResourceCpu(MetricTarget::AverageValue(m))),
        1 => per_pod_m.clone().prop_map(|m| HpaMetric::Pods(MetricTarget::AverageValue(m))),
        1 => total_m.clone().prop_map(|m| HpaMetric::Object(MetricTarget::Value(m))),
        1 => per_pod_m.clone().prop_map(|m| HpaMetric::Object(MetricTarget::AverageValue(m))),
        1 => total_m.prop_map(|m| HpaMetric::External(MetricTarget::Value(m))),
        1 => per_pod_m.prop_map(|m| HpaMetric::External(MetricTarget::AverageValue(m))),
    ]
}

fn any_hpa_rules() -> impl Strategy<Value = scalesim_core::HpaScalingRules> {
    use scalesim_core::{HpaScalingPolicy, HpaScalingRules, PolicyKind, SelectPolicy};
    let policy = (
        prop_oneof![
            (1u32..6).prop_map(|pods| (PolicyKind::Pods, pods)),
            (1u32..250).prop_map(|pct| (PolicyKind::Percent, pct)),
        ],
        prop_oneof![Just(15u32), Just(60), 1u32..400, Just(1800)],
    )
        .prop_map(|((kind, value), period_s)| HpaScalingPolicy {
            kind,
            value,
            period_s,
        });
    (
        prop_oneof![Just(0u32), Just(15), Just(300), 0u32..900, Just(3600)],
        prop_oneof![
            3 => Just(SelectPolicy::Max),
            2 => Just(SelectPolicy::Min),
            1 => Just(SelectPolicy::Disabled),
        ],
        prop::collection::vec(policy, 1..4),
        prop::option::of(prop_oneof![Just(0.0), Just(0.05), 0.0f64..0.5]),
    )
        .prop_map(
            |(stabilization_window_s, select_policy, policies, tolerance)| HpaScalingRules {
                stabilization_window_s,
                select_policy,
                policies,
                tolerance,
            },
        )
}

/// A run of the HPA for its sweep kernel: a spec, the controller's settings, a fleet, and the
/// step (the sync period a multiple of it).
#[derive(Debug, Clone)]
struct HpaRun {
    spec: scalesim_core::HorizontalPodAutoscalerSpec,
    sync_period_s: u64,
    tolerance: f64,
    cpu_request_m: i64,
    fleet: scalesim_core::FleetConfig,
    step_s: u64,
}

impl HpaRun {
    fn hpa(&self) -> scalesim_core::HorizontalPodAutoscaler {
        scalesim_core::HorizontalPodAutoscaler::new(
            self.spec.clone(),
            self.sync_period_s,
            self.tolerance,
            self.cpu_request_m,
        )
        .unwrap()
    }

    fn general_summary(&self, demand: &scalesim_core::Demand) -> Option<scalesim_core::Summary> {
        let mut simulation = scalesim_core::Simulation::builder(self.fleet)
            .autoscaler(self.hpa())
            .demand(demand)
            .build()
            .unwrap();
        let mut sink = scalesim_core::SummarySink::new();
        simulation.run(&mut sink);
        sink.summary()
    }
}

fn any_hpa_run() -> impl Strategy<Value = HpaRun> {
    (
        (
            1u32..4,
            0u32..12,
            prop::collection::vec(any_hpa_metric(), 1..4),
            any_hpa_rules(),
            any_hpa_rules(),
        ),
        prop_oneof![
            Just((15u64, 1u64)),
            Just((15, 2)),
            Just((5, 3)),
            Just((30, 1))
        ],
        prop_oneof![Just(0.1), Just(0.0), 0.0f64..0.4],
        prop_oneof![Just(1000i64), 1i64..3000],
        prop_oneof![Just(600.0), 5.0f64..1000.0, (1u32..200).prop_map(f64::from)],
        0u32..15,
        prop_oneof![Just(0u64), 0u64..8, Just(20)],
    )
        .prop_map(
            |(
                (min, span, metrics, scale_up, scale_down),
                (step_s, steps_per_sync),
                tolerance,
                cpu_request_m,
                capacity,
                initial,
                provisioning_steps,
            )| HpaRun {
                spec: scalesim_core::HorizontalPodAutoscalerSpec {
                    replicas: scalesim_core::CapacityBounds::new(min, min + span).unwrap(),
                    metrics,
                    scale_up,
                    scale_down,
                },
                sync_period_s: step_s * steps_per_sync,
                tolerance,
                cpu_request_m,
                fleet: scalesim_core::FleetConfig {
                    capacity_per_instance_per_min: capacity,
                    initial_instances: initial,
                    provisioning_s: provisioning_steps * step_s,
                },
                step_s,
            },
        )
}

/// Demands in level stretches, in whole numbers (ties with capacities and targets) or not.
fn any_hpa_demand() -> impl Strategy<Value = Vec<f64>> {
    let level = prop_oneof![
        Just(0.0),
        0.0f64..3000.0,
        (0u32..600).prop_map(f64::from),
        (0u32..80).prop_map(|tens| f64::from(tens) * 10.0),
    ];
    prop::collection::vec((level, 1usize..60), 1..14).prop_map(|stretches| {
        stretches
            .into_iter()
            .flat_map(|(level, steps)| std::iter::repeat_n(level, steps))
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(768))]

    #[test]
    fn the_hpa_sweep_kernel_gives_the_general_engines_summary_bit_for_bit(
        run in any_hpa_run(),
        demand in any_hpa_demand(),
    ) {
        let demand = scalesim_core::Demand::per_step(run.step_s, demand).unwrap();
        let general = run.general_summary(&demand);
        prop_assert!(general.is_some());
        let fast = scalesim_core::hpa_summary(&demand, run.fleet, &run.hpa());
        prop_assert_eq!(fast, general);
    }

    /// Demands that change at every step, on specs whose proposals (when only Resource cpu
    /// and Pods metrics remain) never fall as demand grows: the kernel then reuses a
    /// recommendation for every demand between two that gave it, and must still agree.
    #[test]
    fn the_hpa_sweep_kernel_agrees_on_demands_that_change_every_step(
        mut run in any_hpa_run(),
        per_pod_only in prop::bool::weighted(0.75),
        demand in prop::collection::vec(
            prop_oneof![
                0.0f64..3000.0,
                (0u32..600).prop_map(f64::from),
                (0u32..80).prop_map(|tens| f64::from(tens) * 10.0),
            ],
            1..500,
        ),
    ) {
        use scalesim_core::{HpaMetric, MetricTarget};
        if per_pod_only {
            let metrics = &mut run.spec.metrics;
            metrics.retain(|m| matches!(m, HpaMetric::ResourceCpu(_) | HpaMetric::Pods(_)));
            if metrics.is_empty() {
                metrics.push(HpaMetric::ResourceCpu(MetricTarget::Utilization(60)));
            }
        }
        let demand = scalesim_core::Demand::per_step(run.step_s, demand).unwrap();
        let general = run.general_summary(&demand);
        prop_assert!(general.is_some());
        let fast = scalesim_core::hpa_summary(&demand, run.fleet, &run.hpa());
        prop_assert_eq!(fast, general);
    }
}

/// The rule shapes the Azure lane kernel covers: one-minute grains, no `Count`, no division
/// per instance (any metric, other statistic and aggregation, operator, direction and type).
fn any_lane_azure_rule() -> impl Strategy<Value = scalesim_core::ScaleRule> {
    use scalesim_core::{Statistic, TimeAggregation};
    (any_azure_rule(), 0u32..12).prop_map(|(mut rule, window)| {
        let trigger = &mut rule.trigger;
        trigger.time_grain_min = 1;
        trigger.time_window_min = 1 + window;
        trigger.divide_per_instance = false;
        if trigger.statistic == Statistic::Count {
            trigger.statistic = Statistic::Average;
        }
        if trigger.time_aggregation == TimeAggregation::Count {
            trigger.time_aggregation = TimeAggregation::Total;
        }
        rule
    })
}

/// An Azure autoscale setting the lane kernel covers: one profile in force throughout.
fn any_lane_azure_autoscale() -> impl Strategy<Value = scalesim_core::AzureAutoscale> {
    use scalesim_core::{
        AutoscaleProfile, AutoscaleSetting, AzureAutoscale, ProfileSchedule, ScaleCapacity,
    };
    (
        (1u32..4, 0u32..8, 0u32..8),
        prop::collection::vec(any_lane_azure_rule(), 0..5),
        0u64..4,
        prop_oneof![4 => Just(1u64), 1 => 2u64..4],
        prop_oneof![8 => Just(true), 1 => Just(false)],
    )
        .prop_map(
            |((minimum, span, above), rules, delay_min, period_min, enabled)| {
                let profile = AutoscaleProfile {
                    name: "p".into(),
                    capacity: ScaleCapacity::new(
                        minimum,
                        minimum + span,
                        minimum + above.min(span),
                    )
                    .unwrap(),
                    rules,
                };
                let setting = AutoscaleSetting {
                    enabled,
                    profiles: vec![profile],
                };
                AzureAutoscale::new(
                    setting,
                    ProfileSchedule::constant(0),
                    delay_min * 60,
                    period_min * 60,
                )
                .unwrap()
            },
        )
}

/// Minute demand in stretches (exact ties with thresholds) or noisy minute by minute
/// (fractional CPU samples, windows that straddle thresholds).
fn any_lane_minute_demand() -> impl Strategy<Value = Vec<f64>> {
    prop_oneof![
        any_minute_demand(),
        prop::collection::vec(
            prop_oneof![0.0f64..3000.0, (0u32..300).prop_map(f64::from)],
            1..400
        ),
    ]
}

fn any_lane_fleet() -> impl Strategy<Value = scalesim_core::FleetConfig> {
    (
        prop_oneof![1.0f64..200.0, (1u32..20).prop_map(|c| f64::from(c) * 10.0)],
        0u32..15,
        0u64..8,
    )
        .prop_map(
            |(capacity_per_instance_per_min, initial_instances, provisioning_min)| {
                scalesim_core::FleetConfig {
                    capacity_per_instance_per_min,
                    initial_instances,
                    provisioning_s: provisioning_min * 60,
                }
            },
        )
}

fn general_azure_summary(
    demand: &scalesim_core::Demand,
    fleet: scalesim_core::FleetConfig,
    autoscale: &scalesim_core::AzureAutoscale,
) -> Option<scalesim_core::Summary> {
    let mut simulation = scalesim_core::Simulation::builder(fleet)
        .autoscaler(autoscale.clone())
        .demand(demand)
        .build()
        .ok()?;
    let mut sink = scalesim_core::SummarySink::new();
    simulation.run(&mut sink);
    sink.summary()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn the_azure_lane_kernel_gives_the_general_engines_summary_bit_for_bit(
        autoscale in any_lane_azure_autoscale(),
        demand in any_lane_minute_demand(),
        fleet in any_lane_fleet(),
    ) {
        let per_step = scalesim_core::Demand::per_step(60, demand).unwrap();
        let general = general_azure_summary(&per_step, fleet, &autoscale);
        let fast = scalesim_core::azure_autoscale_summary(&per_step, fleet, &autoscale);
        prop_assert_eq!(fast, general);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Runs stepped together in lanes (covered or not, a group short or full) give what each
    /// gives alone, and what the general engine gives.
    #[test]
    fn azure_runs_stepped_together_give_what_each_gives_alone(
        runs in prop::collection::vec(
            (
                prop_oneof![3 => any_lane_azure_autoscale(), 1 => any_azure_autoscale()],
                any_lane_fleet(),
            ),
            1..20,
        ),
        demand in any_lane_minute_demand(),
    ) {
        let per_step = scalesim_core::Demand::per_step(60, demand).unwrap();
        let together: Vec<(scalesim_core::FleetConfig, &scalesim_core::AzureAutoscale)> =
            runs.iter().map(|(autoscale, fleet)| (*fleet, autoscale)).collect();
        let summaries = scalesim_core::azure_autoscale_summaries(&per_step, &together);
        for (summary, (autoscale, fleet)) in summaries.iter().zip(&runs) {
            let alone = scalesim_core::azure_autoscale_summary(&per_step, *fleet, autoscale);
            prop_assert_eq!(summary, &alone);
            prop_assert_eq!(alone, general_azure_summary(&per_step, *fleet, autoscale));
        }
    }
}

/// The Azure how-to's shape, a CPU scale-out rule and a CPU scale-in rule, with thresholds in
/// fives and a capacity of 60 a minute per instance, so that a minute of whole demand often
/// puts a scale-in's projected CPU exactly on the scale-out threshold: where the lanes' screen
/// for scale-ins sure to flap must still let the evaluation through.
fn any_flapping_azure_autoscale() -> impl Strategy<Value = scalesim_core::AzureAutoscale> {
    use scalesim_core::{
        AutoscaleProfile, AutoscaleSetting, AzureAutoscale, AzureMetric, ComparisonOperator,
        MetricTrigger, ProfileSchedule, ScaleAction, ScaleCapacity, ScaleDirection, ScaleRule,
        ScaleType, Statistic, TimeAggregation,
    };
    let rule =
        |operator, threshold: u32, direction, window, total: bool, value, cooldown_min| ScaleRule {
            trigger: MetricTrigger {
                metric: AzureMetric::CpuUtilizationPercentage,
                time_grain_min: 1,
                statistic: Statistic::Average,
                time_window_min: window,
                time_aggregation: if total {
                    TimeAggregation::Total
                } else {
                    TimeAggregation::Average
                },
                operator,
                threshold: f64::from(threshold * 5) * if total { f64::from(window) } else { 1.0 },
                divide_per_instance: false,
            },
            action: ScaleAction {
                direction,
                scale_type: ScaleType::ChangeCount,
                value,
                cooldown_s: u64::from(cooldown_min) * 60,
            },
        };
    (
        (1u32..4, 1u32..8),
        (10u32..20, any::<bool>(), 1u32..7, any::<bool>(), 1u32..3),
        (1u32..10, 1u32..7, 1u32..3),
        1u64..6,
        0u64..3,
    )
        .prop_map(
            move |(
                (minimum, span),
                (out, or_equal, out_window, total, out_value),
                (scale_in, in_window, in_value),
                cooldown_min,
                delay_min,
            )| {
                let operator = if or_equal {
                    ComparisonOperator::GreaterThanOrEqual
                } else {
                    ComparisonOperator::GreaterThan
                };
                let cooldown = cooldown_min as u32;
                let rules = vec![
                    rule(
                        operator,
                        out,
                        ScaleDirection::Increase,
                        out_window,
                        total,
                        out_value,
                        cooldown,
                    ),
                    rule(
                        ComparisonOperator::LessThan,
                        scale_in,
                        ScaleDirection::Decrease,
                        in_window,
                        false,
                        in_value,
                        cooldown,
                    ),
                ];
                let setting = AutoscaleSetting {
                    enabled: true,
                    profiles: vec![AutoscaleProfile {
                        name: "p".into(),
                        capacity: ScaleCapacity::new(minimum, minimum + span, minimum).unwrap(),
                        rules,
                    }],
                };
                AzureAutoscale::new(setting, ProfileSchedule::constant(0), delay_min * 60, 60)
                    .unwrap()
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Scale-ins whose projection lands on the scale-out threshold, or just off it: the lanes
    /// skip only the evaluations the engine would skip for flapping.
    #[test]
    fn the_azure_lanes_skip_only_scale_ins_that_flap(
        autoscale in any_flapping_azure_autoscale(),
        demand in prop::collection::vec(
            (prop_oneof![(0u32..120).prop_map(|d| f64::from(d) * 3.0), 0.0f64..360.0], 1usize..30),
            1..20,
        ),
        initial_instances in 1u32..10,
        provisioning_min in 0u64..3,
    ) {
        let demand: Vec<f64> = demand
            .into_iter()
            .flat_map(|(level, minutes)| std::iter::repeat_n(level, minutes))
            .collect();
        let per_step = scalesim_core::Demand::per_step(60, demand).unwrap();
        let fleet = scalesim_core::FleetConfig {
            capacity_per_instance_per_min: 60.0,
            initial_instances,
            provisioning_s: provisioning_min * 60,
        };
        let general = general_azure_summary(&per_step, fleet, &autoscale);
        prop_assert!(general.is_some());
        let fast = scalesim_core::azure_autoscale_summary(&per_step, fleet, &autoscale);
        prop_assert_eq!(fast, general);
    }
}
