//! The Kubernetes HPA against the upstream controller's test vectors and the checks by hand
//! of spec/kubernetes-hpa.md.

use scalesim_core::{
    CapacityBounds, Demand, FleetConfig, HorizontalPodAutoscaler, HorizontalPodAutoscalerSpec,
    HpaMetric, HpaScalingPolicy, HpaScalingRules, LimitCondition, MetricTarget, PodPhase,
    PodSample, PolicyKind, ScaleEvent, SelectPolicy, Simulation, Tolerance, object_replica_count,
    pod_replica_count, rate_limited, stabilize,
};

use crate::common::Recorder;

const TOLERANCE: Tolerance = Tolerance { up: 0.1, down: 0.1 };

/// A Running, Ready pod requesting 1000m with metric `metric_m`.
fn pod(metric_m: Option<i64>) -> PodSample {
    PodSample {
        phase: PodPhase::Running,
        ready: true,
        terminating: false,
        request_m: 1000,
        metric_m,
    }
}

fn pods(metrics: &[i64]) -> Vec<PodSample> {
    metrics.iter().map(|&m| pod(Some(m))).collect()
}

fn not_ready(mut pods: Vec<PodSample>, which: &[usize]) -> Vec<PodSample> {
    for &idx in which {
        pods[idx].ready = false;
    }
    pods
}

/// One row of the replica-calculator table: replicas and the value shown.
fn check_pods(
    target: MetricTarget,
    pods: &[PodSample],
    current: u32,
    is_cpu: bool,
    expected: (u32, i64),
) {
    let count = pod_replica_count(target, pods, current, TOLERANCE, is_cpu).unwrap();
    assert_eq!((count.replicas, count.shown), expected);
}

use MetricTarget::{AverageValue, Utilization, Value};

#[test]
fn upstream_replica_calculator_vectors() {
    // TestReplicaCalcScaleUp
    check_pods(Utilization(30), &pods(&[300, 500, 700]), 3, true, (5, 50));
    // TestReplicaCalcScaleUpUnreadyLessScale
    check_pods(
        Utilization(30),
        &not_ready(pods(&[300, 500, 700]), &[0]),
        3,
        true,
        (4, 60),
    );
    // TestReplicaCalcScaleUpIgnoresFailedPods
    let mut with_failed = pods(&[500, 700, 0, 0]);
    for failed in &mut with_failed[2..] {
        failed.phase = PodPhase::Failed;
        failed.metric_m = None;
    }
    check_pods(Utilization(30), &with_failed, 2, true, (4, 60));
    // TestReplicaCalcScaleUpCM
    check_pods(
        AverageValue(15000),
        &pods(&[20000, 10000, 30000]),
        3,
        false,
        (4, 20000),
    );
    // TestReplicaCalcScaleDown
    check_pods(
        Utilization(50),
        &pods(&[100, 300, 500, 250, 250]),
        5,
        true,
        (3, 28),
    );
    // TestReplicaCalcScaleDownCM
    check_pods(
        AverageValue(20000),
        &pods(&[12000; 5]),
        5,
        false,
        (3, 12000),
    );
    // TestReplicaCalcScaleDownExcludeUnscheduledPods
    let mut unscheduled = pods(&[100]);
    unscheduled.extend((0..4).map(|_| PodSample {
        phase: PodPhase::Pending,
        ready: false,
        metric_m: None,
        ..pod(None)
    }));
    check_pods(Utilization(50), &unscheduled, 5, true, (1, 10));
    // TestReplicaCalcTolerance: requests 0.9, 1.0, 1.1 cores.
    let mut tolerance = pods(&[1010, 1030, 1020]);
    for (pod, request) in tolerance.iter_mut().zip([900, 1000, 1100]) {
        pod.request_m = request;
    }
    check_pods(Utilization(100), &tolerance, 3, true, (3, 102));
    // TestReplicaCalcMissingMetrics
    let missing = vec![pod(Some(400)), pod(Some(95)), pod(None), pod(None)];
    check_pods(Utilization(100), &missing, 4, true, (3, 24));
    // TestReplicaCalcMissingMetricsNoChangeGt
    check_pods(
        Utilization(100),
        &[pod(Some(1900)), pod(None)],
        2,
        true,
        (2, 190),
    );
    // TestReplicaCalcMissingMetricsUnreadyScaleDown: the not-Ready pod is the one without a
    // metric, so it counts as missing.
    let unready_missing = not_ready(
        vec![pod(None), pod(Some(100)), pod(Some(100)), pod(Some(100))],
        &[0],
    );
    check_pods(Utilization(50), &unready_missing, 4, true, (3, 10));
    // TestReplicaCalcDuringRollingUpdateWithMaxSurge: 3 Running pods, metrics for 2.
    let surge = vec![pod(Some(100)), pod(Some(100)), pod(None)];
    check_pods(Utilization(50), &surge, 2, true, (2, 10));
}

#[test]
fn upstream_object_and_external_vectors() {
    // TestReplicaCalcScaleUpCMObjectIgnoresUnreadyPods: ready F, T, F.
    let object_pods = not_ready(pods(&[0, 0, 0]), &[0, 2]);
    let count = object_replica_count(Value(10000), 50000, &object_pods, 3, 3, TOLERANCE).unwrap();
    assert_eq!((count.replicas, count.shown), (5, 50000));
    // TestReplicaCalcScaleUpCMExternal
    let count = object_replica_count(Value(4400), 8600, &pods(&[0]), 1, 1, TOLERANCE).unwrap();
    assert_eq!((count.replicas, count.shown), (2, 8600));
    // TestReplicaCalcScaleUpPerPodCMExternal
    let count =
        object_replica_count(AverageValue(2150), 8600, &pods(&[0, 0, 0]), 3, 3, TOLERANCE).unwrap();
    assert_eq!((count.replicas, count.shown), (4, 2867));
}

/// `up`/`down`(podsValue, podsPeriod, percentValue, percentPeriod, window), selectPolicy Max.
fn rules(pods: (u32, u32), percent: (u32, u32), window_s: u32) -> HpaScalingRules {
    let mut policies = Vec::new();
    if pods.0 > 0 {
        policies.push(HpaScalingPolicy {
            kind: PolicyKind::Pods,
            value: pods.0,
            period_s: pods.1,
        });
    }
    if percent.0 > 0 {
        policies.push(HpaScalingPolicy {
            kind: PolicyKind::Percent,
            value: percent.0,
            period_s: percent.1,
        });
    }
    HpaScalingRules {
        stabilization_window_s: window_s,
        select_policy: SelectPolicy::Max,
        policies,
        tolerance: None,
    }
}

struct LimitCase {
    replicas: (u32, u32),
    up: HpaScalingRules,
    down: HpaScalingRules,
    current: u32,
    prenormalized: u32,
    prior_changes: &'static [i64],
    expected: (u32, LimitCondition),
}

fn check_limits(case: LimitCase) {
    let t_s = 10_000;
    // Prior events lie inside the policy period.
    let events: Vec<ScaleEvent> = case
        .prior_changes
        .iter()
        .enumerate()
        .map(|(idx, &change)| ScaleEvent {
            t_s: t_s - 10 * (idx as u64 + 1),
            change,
        })
        .collect();
    let replicas = CapacityBounds::new(case.replicas.0, case.replicas.1).unwrap();
    let got = rate_limited(
        case.current,
        case.prenormalized,
        replicas,
        &case.up,
        &case.down,
        &events,
        t_s,
    );
    assert_eq!(got, case.expected);
}

#[test]
fn upstream_scaling_rule_vectors() {
    use LimitCondition::{ScaleDownLimit, ScaleUpLimit, TooFewReplicas, TooManyReplicas};
    let up_default = HpaScalingRules::default_scale_up;
    let down_default = HpaScalingRules::default_scale_down;
    let cases = [
        // scaleUp with default behavior
        LimitCase {
            replicas: (1, 1000),
            up: up_default(),
            down: down_default(),
            current: 10,
            prenormalized: 50,
            prior_changes: &[],
            expected: (20, ScaleUpLimit),
        },
        // scaleUp pods policy larger than percent
        LimitCase {
            replicas: (1, 1000),
            up: rules((100, 60), (100, 60), 0),
            down: down_default(),
            current: 10,
            prenormalized: 500,
            prior_changes: &[],
            expected: (110, ScaleUpLimit),
        },
        // scaleUp pod policy limitation
        LimitCase {
            replicas: (1, 1000),
            up: rules((30, 60), (0, 0), 0),
            down: down_default(),
            current: 10,
            prenormalized: 50,
            prior_changes: &[],
            expected: (40, ScaleUpLimit),
        },
        // scaleUp percent policy limitation
        LimitCase {
            replicas: (1, 1000),
            up: rules((0, 0), (200, 60), 0),
            down: down_default(),
            current: 10,
            prenormalized: 50,
            prior_changes: &[],
            expected: (30, ScaleUpLimit),
        },
        // scaleDown percent larger than pod
        LimitCase {
            replicas: (1, 1000),
            up: up_default(),
            down: rules((20, 60), (1, 60), 300),
            current: 100,
            prenormalized: 2,
            prior_changes: &[],
            expected: (80, ScaleDownLimit),
        },
        // scaleDown pod policy limitation
        LimitCase {
            replicas: (1, 1000),
            up: up_default(),
            down: rules((5, 60), (0, 0), 300),
            current: 10,
            prenormalized: 2,
            prior_changes: &[],
            expected: (5, ScaleDownLimit),
        },
        // scaleDown minReplicas with large percent
        LimitCase {
            replicas: (5, 1000),
            up: up_default(),
            down: rules((0, 0), (100, 60), 300),
            current: 10,
            prenormalized: 2,
            prior_changes: &[],
            expected: (5, TooFewReplicas),
        },
        // scaleUp pod policy + prior up events 1, 5, 9 in 120 s: 100 − 15 + 150
        LimitCase {
            replicas: (1, 1000),
            up: rules((150, 120), (0, 0), 0),
            down: down_default(),
            current: 100,
            prenormalized: 500,
            prior_changes: &[1, 5, 9],
            expected: (235, ScaleUpLimit),
        },
        // scaleDown percent + prior down events 2, 4, 6: (100 + 12) × 0.5
        LimitCase {
            replicas: (1, 1000),
            up: up_default(),
            down: rules((0, 0), (50, 120), 300),
            current: 100,
            prenormalized: 0,
            prior_changes: &[-2, -4, -6],
            expected: (56, ScaleDownLimit),
        },
        // maxReplicas limit
        LimitCase {
            replicas: (1, 10),
            up: up_default(),
            down: down_default(),
            current: 20,
            prenormalized: 1000,
            prior_changes: &[],
            expected: (10, TooManyReplicas),
        },
    ];
    for case in cases {
        check_limits(case);
    }
}

#[test]
fn upstream_stabilization_vectors() {
    // Down window 5 min, up window 0, current 10, t = 1 h.
    let t_s = 3600;
    let recs = |pairs: &[(u64, u32)]| {
        pairs
            .iter()
            .map(|&(ago_s, r)| (t_s - ago_s, r))
            .collect::<Vec<_>>()
    };
    for (history, expected) in [
        (recs(&[(120, 4), (60, 5)]), 5),
        (recs(&[(120, 1), (60, 2)]), 3),
        (recs(&[(600, 10), (540, 9)]), 3),
    ] {
        assert_eq!(
            stabilize(10, 3, history.iter().copied(), t_s, 0, 300),
            expected
        );
    }
}

fn hpa_run(
    spec: HorizontalPodAutoscalerSpec,
    initial: u32,
    provisioning_s: u64,
    demand: &[f64],
) -> Recorder {
    let hpa = HorizontalPodAutoscaler::new(spec, 15, 0.1, 1000).unwrap();
    let demand = Demand::per_step(15, demand.to_vec()).unwrap();
    let fleet = FleetConfig {
        capacity_per_instance_per_min: 600.0,
        initial_instances: initial,
        provisioning_s,
    };
    Recorder::run(Simulation::builder(fleet).autoscaler(hpa).demand(&demand))
}

#[test]
fn cpu_check_by_hand_scale_up_pending_pods_and_down_window() {
    // CPU 50 %, defaults, 1–10, initial 2, provisioning 30 s; 240 a step in steps 0–3, then
    // 60. t = 15: U = 80, ceil(3.2) = 4 (limit 6): D = 4. t = 30, 45: pending pods count as 0,
    // r′ = 0.8 crosses 1: 4 stays. From step 4, desired 1, but the 4s recorded at t = 15…60
    // hold the down window until t = 360: D = 1 at the end of step 23.
    let spec = HorizontalPodAutoscalerSpec {
        replicas: CapacityBounds::new(1, 10).unwrap(),
        metrics: vec![HpaMetric::ResourceCpu(Utilization(50))],
        scale_up: HpaScalingRules::default_scale_up(),
        scale_down: HpaScalingRules::default_scale_down(),
    };
    let mut demand = vec![240.0; 4];
    demand.extend([60.0; 26]);
    let run = hpa_run(spec, 2, 30, &demand);
    let mut expected = vec![4; 30];
    expected[23..].fill(1);
    assert_eq!(run.desired(), expected);
    assert_eq!(run.in_service()[..5], [2, 2, 2, 4, 4]);
    assert_eq!(run.records[0].metric, Some(80.0));
    assert_eq!(run.records[3].metric, Some(40.0));
    assert_eq!(
        run.events.iter().map(|e| (e.t_s, e.to)).collect::<Vec<_>>(),
        [(15, 4), (360, 1)]
    );
}

#[test]
fn external_check_by_hand_pods_policy_over_its_period() {
    // External AverageValue 10 rps per pod, scaleUp [Pods 2 / 60 s], window 0, 1–20, initial 2,
    // 1500 a step (100 rps): desired 10 each sync; D = 4 at 15, 6 at 75, 8 at 135, 10 at 195.
    let spec = HorizontalPodAutoscalerSpec {
        replicas: CapacityBounds::new(1, 20).unwrap(),
        metrics: vec![HpaMetric::External(AverageValue(10_000))],
        scale_up: HpaScalingRules {
            stabilization_window_s: 0,
            select_policy: SelectPolicy::Max,
            policies: vec![HpaScalingPolicy {
                kind: PolicyKind::Pods,
                value: 2,
                period_s: 60,
            }],
            tolerance: None,
        },
        scale_down: HpaScalingRules::default_scale_down(),
    };
    let run = hpa_run(spec, 2, 0, &[1500.0; 16]);
    assert_eq!(
        run.events.iter().map(|e| (e.t_s, e.to)).collect::<Vec<_>>(),
        [(15, 4), (75, 6), (135, 8), (195, 10)]
    );
}

#[test]
fn a_ratio_within_tolerance_keeps_the_current_count() {
    // U = 54 against 50: r = 1.08 is within 0.1. Two pods, 300 capacity a step: 162 served
    // gives round(1000 × 162 / 300) = 540m.
    let spec = HorizontalPodAutoscalerSpec {
        replicas: CapacityBounds::new(1, 10).unwrap(),
        metrics: vec![HpaMetric::ResourceCpu(Utilization(50))],
        scale_up: HpaScalingRules::default_scale_up(),
        scale_down: HpaScalingRules::default_scale_down(),
    };
    let run = hpa_run(spec, 2, 0, &[162.0; 8]);
    assert!(run.events.is_empty());
    assert_eq!(run.records[0].metric, Some(54.0));
}

#[test]
fn windows_and_periods_past_the_apis_bounds_are_refused() {
    // The controller keeps its history as long as the rules look back: the API's 3600 s
    // window and 1–1800 s periods bound it.
    let spec = |window_s: u32, period_s: u32| HorizontalPodAutoscalerSpec {
        replicas: CapacityBounds::new(1, 10).unwrap(),
        metrics: vec![HpaMetric::ResourceCpu(Utilization(50))],
        scale_up: HpaScalingRules::default_scale_up(),
        scale_down: HpaScalingRules {
            stabilization_window_s: window_s,
            policies: vec![HpaScalingPolicy {
                kind: PolicyKind::Percent,
                value: 100,
                period_s,
            }],
            ..HpaScalingRules::default_scale_down()
        },
    };
    assert!(HorizontalPodAutoscaler::new(spec(3600, 1800), 15, 0.1, 1000).is_ok());
    let message = |window_s, period_s| {
        HorizontalPodAutoscaler::new(spec(window_s, period_s), 15, 0.1, 1000)
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        message(3601, 15),
        "stabilizationWindowSeconds: must be at most 3600, got 3601"
    );
    assert_eq!(
        message(300, 1801),
        "policies.periodSeconds: must be 1 to 1800, got 1801"
    );
    assert_eq!(
        message(300, 0),
        "policies.periodSeconds: must be 1 to 1800, got 0"
    );
}
