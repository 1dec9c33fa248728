//! Huawei Workspace scaling against the checks by hand of spec/huawei-workspace.md.

use scalesim_core::{
    Demand, FleetConfig, HuaweiReason, ResourceThresholds, ScalingReason, SessionConfig,
    SessionLength, SessionWeights, Simulation, Trigger, WorkspaceScaling, WorkspaceScalingPolicy,
};

use crate::common::{Recorder, runs};

struct Group {
    slots: u32,
    base: u32,
    provisioning_s: u64,
    policy: WorkspaceScalingPolicy,
    weights: SessionWeights,
    session_s: f64,
}

impl Group {
    fn run(&self, starts_per_minute: &[f64]) -> Recorder {
        let scaling = WorkspaceScaling::new(self.policy, self.weights, self.base, 60).unwrap();
        let demand = Demand::per_step(60, starts_per_minute.to_vec()).unwrap();
        let fleet = FleetConfig {
            capacity_per_instance_per_min: f64::from(self.slots),
            initial_instances: self.base,
            provisioning_s: self.provisioning_s,
        };
        let sessions = SessionConfig {
            length: SessionLength::fixed(self.session_s).unwrap(),
            seed: 1,
        };
        Recorder::run(
            Simulation::builder(fleet)
                .autoscaler(scaling)
                .demand(&demand)
                .sessions(sessions),
        )
    }
}

#[test]
fn session_threshold_scale_out_rejection_and_idle_release() {
    // Slots 2, base 1, provisioning 120 s, at most 2 added, 1 at a time, threshold 75 %,
    // shrink after 5 min, sessions of 240 s starting in minutes 0, 1 and 2.
    let group = Group {
        slots: 2,
        base: 1,
        provisioning_s: 120,
        policy: WorkspaceScalingPolicy::new(true, 2, 1, 75, 5, ResourceThresholds::default())
            .unwrap(),
        weights: SessionWeights::default(),
        session_s: 240.0,
    };
    let mut starts = vec![0.0; 11];
    starts[..3].fill(1.0);
    let run = group.run(&starts);
    // Minute 1: u = 100 ≥ 75, add server 1, due at minute 1 + 1 + 2 = 4. Minute 2: server 0
    // is full and server 1 provisioning: rejected. Server 1 idle from 240 (it joins when the
    // first session ends), the second session ends at 300, release when t_e − 240 ≥ 300: at
    // t_e = 540, the end of minute 8.
    assert_eq!(run.desired(), runs(11, &[(1, 2), (8, 1)], 1));
    assert_eq!(run.in_service(), runs(11, &[(4, 2), (9, 1)], 1));
    let unserved: Vec<f64> = run.records.iter().map(|r| r.unserved).collect();
    assert_eq!(unserved.iter().sum::<f64>(), 1.0);
    assert_eq!(unserved[2], 1.0);
    let usage: Vec<Option<f64>> = run.records[..6].iter().map(|r| r.metric).collect();
    assert_eq!(
        usage,
        [
            Some(50.0),
            Some(100.0),
            Some(100.0),
            Some(100.0),
            Some(25.0),
            Some(0.0)
        ]
    );
    assert_eq!(
        run.events
            .iter()
            .map(|e| (e.t_s, e.from, e.to))
            .collect::<Vec<_>>(),
        [(120, 1, 2), (540, 2, 1)]
    );
}

#[test]
fn a_resource_threshold_triggers_and_max_scaling_amount_caps_the_next() {
    // Slots 10, base 1, CPU 15 % per session, cpu threshold 70, session threshold 80, at most
    // 3 added, 2 at a time; five long sessions in minute 0: u = 50 < 80 but CPU = 75 ≥ 70: add
    // min(2, 3 − 0) = 2. Then u = 5/30 and CPU 25: quiet. Twenty more in minute 5: u = 25/30 =
    // 83.3 ≥ 80, add min(2, 3 − 2) = 1.
    let group = Group {
        slots: 10,
        base: 1,
        provisioning_s: 0,
        policy: WorkspaceScalingPolicy::new(
            true,
            3,
            2,
            80,
            60,
            ResourceThresholds {
                cpu: Some(70),
                ..ResourceThresholds::default()
            },
        )
        .unwrap(),
        weights: SessionWeights {
            cpu_pct: Some(15.0),
            ..SessionWeights::default()
        },
        session_s: 100_000.0,
    };
    let mut starts = vec![0.0; 8];
    starts[0] = 5.0;
    starts[5] = 20.0;
    let run = group.run(&starts);
    assert_eq!(run.desired(), runs(8, &[(0, 3), (5, 4)], 1));
    let ScalingReason::Huawei(HuaweiReason::ScaleOut {
        trigger,
        usage,
        added,
        ..
    }) = run.events[0].reason
    else {
        panic!("expected a scale-out");
    };
    assert_eq!((trigger, usage, added), (Trigger::Cpu, 75.0, 2));
    assert_eq!(run.records[1].metric, Some(100.0 * 5.0 / 30.0));
}

#[test]
fn a_disabled_policy_keeps_the_base_servers() {
    let group = Group {
        slots: 1,
        base: 2,
        provisioning_s: 0,
        policy: WorkspaceScalingPolicy::new(false, 5, 1, 10, 5, ResourceThresholds::default())
            .unwrap(),
        weights: SessionWeights::default(),
        session_s: 600.0,
    };
    let run = group.run(&[3.0; 4]);
    assert_eq!(run.desired(), vec![2; 4]);
    assert_eq!(run.records[0].unserved, 1.0);
}

#[test]
fn policy_fields_outside_their_documented_ranges_are_rejected() {
    let none = ResourceThresholds::default();
    let err = WorkspaceScalingPolicy::new(true, 0, 1, 80, 30, none).unwrap_err();
    assert_eq!(
        err.to_string(),
        "max_scaling_amount: must be an integer from 1 to 100, got 0"
    );
    let err = WorkspaceScalingPolicy::new(true, 10, 11, 80, 30, none).unwrap_err();
    assert_eq!(
        err.to_string(),
        "single_expansion_count: must be an integer from 1 to 10, got 11"
    );
    let err = WorkspaceScalingPolicy::new(true, 10, 1, 80, 4, none).unwrap_err();
    assert_eq!(
        err.to_string(),
        "scaling_policy_by_session.shrink_after_session_idle_minutes: must be an integer from 5 to 120, got 4"
    );
}
