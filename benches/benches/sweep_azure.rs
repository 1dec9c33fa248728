//! Benchmarks of an Azure autoscale sweep: 1,000 settings (the Azure ML how-to's two CPU rules
//! with their thresholds, cooldowns and capacities varied) over 30 days of per-minute traffic
//! (the first 43,200 minutes of the shipped NASA trace), through the general engine and
//! through the sweep kernel (`azure_autoscale_summaries`, which steps these covered shapes
//! eight at a time in its lanes), on two threads.

// A bench whose fixed inputs fail to load has nothing to measure: stopping loudly is right.
#![allow(clippy::expect_used)]
// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use scalesim_benches::{MINUTES, SweepBenches, engine_instance_seconds, nasa_30_days};
use scalesim_core::{
    AutoscaleProfile, AutoscaleSetting, AzureAutoscale, AzureMetric, ComparisonOperator,
    FleetConfig, MetricTrigger, ProfileSchedule, ScaleAction, ScaleCapacity, ScaleDirection,
    ScaleRule, ScaleType, Statistic, TimeAggregation, azure_autoscale_summaries,
};

const SETTINGS: usize = 1_000;
const THREADS: usize = 2;
/// Runs handed to the kernel at a time: a group of its lanes.
const CHUNK: usize = scalesim_core::AZURE_SWEEP_LANES;

/// A CPU rule of the how-to: average of one-minute grains over 5 minutes.
fn cpu_rule(
    operator: ComparisonOperator,
    threshold: f64,
    direction: ScaleDirection,
    value: u32,
    cooldown_s: u64,
) -> ScaleRule {
    ScaleRule {
        trigger: MetricTrigger {
            metric: AzureMetric::CpuUtilizationPercentage,
            time_grain_min: 1,
            statistic: Statistic::Average,
            time_window_min: 5,
            time_aggregation: TimeAggregation::Average,
            operator,
            threshold,
            divide_per_instance: false,
        },
        action: ScaleAction {
            direction,
            scale_type: ScaleType::ChangeCount,
            value,
            cooldown_s,
        },
    }
}

/// 1,000 settings: 10 scale-out thresholds × 5 scale-in thresholds × 4 cooldowns × 5
/// capacities.
fn settings() -> Vec<AzureAutoscale> {
    let mut settings = Vec::with_capacity(SETTINGS);
    for out in [50.0, 55.0, 60.0, 65.0, 70.0, 75.0, 80.0, 85.0, 90.0, 95.0] {
        for scale_in in [10.0, 20.0, 30.0, 40.0, 45.0] {
            for cooldown_s in [300, 900, 1800, 3600] {
                for (minimum, maximum) in [(1, 5), (2, 5), (1, 8), (2, 10), (3, 10)] {
                    let setting = AutoscaleSetting {
                        enabled: true,
                        profiles: vec![AutoscaleProfile {
                            name: "sweep".into(),
                            capacity: ScaleCapacity::new(minimum, maximum, minimum)
                                .expect("valid capacity"),
                            rules: vec![
                                cpu_rule(
                                    ComparisonOperator::GreaterThan,
                                    out,
                                    ScaleDirection::Increase,
                                    2,
                                    cooldown_s,
                                ),
                                cpu_rule(
                                    ComparisonOperator::LessThan,
                                    scale_in,
                                    ScaleDirection::Decrease,
                                    1,
                                    cooldown_s,
                                ),
                            ],
                        }],
                    };
                    settings.push(
                        AzureAutoscale::new(setting, ProfileSchedule::constant(0), 60, 60)
                            .expect("valid setting"),
                    );
                }
            }
        }
    }
    settings
}

fn sweep_azure(c: &mut Criterion) {
    let demand = nasa_30_days();
    let settings = settings();
    let fleet = FleetConfig {
        capacity_per_instance_per_min: 60.0,
        initial_instances: 2,
        provisioning_s: 300,
    };
    let mut group = SweepBenches::new(c, "sweep_azure", SETTINGS, MINUTES, Some(THREADS));
    group.each_run(
        "engine_1000_settings_43200_minutes_2_threads",
        &settings,
        |autoscale| engine_instance_seconds(fleet, autoscale.clone(), &demand, None),
    );
    let runs: Vec<(FleetConfig, &AzureAutoscale)> = settings
        .iter()
        .map(|autoscale| (fleet, autoscale))
        .collect();
    group.chunks(
        "lanes_1000_settings_43200_minutes_2_threads",
        &runs,
        CHUNK,
        |chunk| {
            azure_autoscale_summaries(black_box(&demand), chunk)
                .into_iter()
                .map(|summary| summary.map_or(0, |s| s.instance_seconds))
        },
    );
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default();
    targets = sweep_azure
}
criterion_main!(benches);
