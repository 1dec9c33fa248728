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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn the_sweep_kernel_gives_the_general_engines_summary_bit_for_bit(
        aws in any_minute_aws(),
        demand in any_minute_demand(),
        service in any_kernel_service(),
    ) {
        let fleet = scalesim_core::FleetConfig {
            capacity_per_instance_per_min: aws.capacity_per_instance,
            initial_instances: aws.initial_instances,
            provisioning_s: aws.provisioning_s,
        };
        let per_step = scalesim_core::Demand::per_step(60, demand.clone()).unwrap();
        let general = {
            let mut simulation = scalesim_core::Simulation::builder(fleet)
                .autoscaler(aws.policy())
                .demand(&per_step)
                .service_model(service.model)
                .build()
                .unwrap();
            let mut summary = scalesim_core::SummarySink::new();
            let mut level = service.service_level.map(|(service_time_s, slo)| {
                scalesim_core::ServiceLevelSink::new(service_time_s, fleet.capacity_per_instance_per_min, slo)
                    .unwrap()
            });
            simulation.run(&mut (&mut summary, &mut level));
            summary.summary().map(|summary| scalesim_core::RunFigures {
                summary,
                service_level: level.as_ref().map(scalesim_core::ServiceLevelSink::service_level),
            })
        };
        let fast = scalesim_core::target_tracking_summary(&per_step, service, fleet, &aws.policy());
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
