//! The Knative Pod Autoscaler against knative/serving's own unit tests, transcribed in
//! `tests/data/kpa_autoscaler_vectors.json` (docs/semantics/knative-kpa.md, section 9).

use scalesim_core::{
    Autoscaler, DeciderSpec, KnativePodAutoscaler, KpaBuckets, KpaDecider, KpaReason, KpaSpec,
    Observation, PaState, ScalingReason, smoothing_coefficient,
};
use serde_json::Value;

fn vectors() -> Value {
    let text = include_str!("../data/kpa_autoscaler_vectors.json");
    serde_json::from_str(text).unwrap()
}

fn number(value: &Value, key: &str) -> f64 {
    value[key]
        .as_f64()
        .unwrap_or_else(|| panic!("{key} in {value}"))
}

fn spec(decider: &Value) -> DeciderSpec {
    DeciderSpec {
        target_value: number(decider, "target_value"),
        total_value: number(decider, "total_value"),
        target_burst_capacity: number(decider, "target_burst_capacity"),
        panic_threshold: number(decider, "panic_threshold"),
        max_scale_up_rate: number(decider, "max_scale_up_rate"),
        max_scale_down_rate: number(decider, "max_scale_down_rate"),
        stable_window_s: number(decider, "stable_window_s"),
        scale_down_delay_s: number(decider, "scale_down_delay_s") as u64,
        reachable: decider["reachable"].as_bool().unwrap(),
        activation_scale: number(decider, "activation_scale") as i32,
    }
}

#[test]
fn the_decider_gives_what_upstreams_autoscaler_tests_assert() {
    let vectors = vectors();
    let mut calls = 0;
    for vector in vectors["autoscaler_vectors"].as_array().unwrap() {
        let name = vector["name"].as_str().unwrap();
        let ready_at_creation = vector["ready_pods_at_creation"].as_i64().unwrap_or(0) as i32;
        let created_at = number(vector, "created_at_s");
        let mut decider = KpaDecider::new(spec(&vector["decider"]), ready_at_creation, created_at);
        if let Some(expect) = vector.get("expect_at_creation") {
            if let Some(panic) = expect.get("panic") {
                assert_eq!(decider.panicking(), panic.as_bool().unwrap(), "{name}");
            }
            if let Some(max) = expect.get("max_panic_pods") {
                assert_eq!(
                    i64::from(decider.max_panic_pods()),
                    max.as_i64().unwrap(),
                    "{name}"
                );
            }
        }
        if let Some(state) = vector
            .get("state_before_first_step")
            .filter(|s| !s.is_null())
        {
            decider.set_panic(
                state["panic_time_s"].as_f64(),
                state["max_panic_pods"].as_i64().unwrap() as i32,
            );
        }
        for (index, step) in vector["steps"].as_array().unwrap().iter().enumerate() {
            if let Some(update) = step.get("update_spec") {
                decider.update(spec(update));
            }
            let ready = if step["ready_pods_error"].as_bool() == Some(true) {
                None
            } else {
                Some(step["ready_pods"].as_i64().unwrap_or(0) as i32)
            };
            let metrics = if step["metrics_error"].as_bool() == Some(true) {
                None
            } else {
                Some((number(step, "stable"), number(step, "panic")))
            };
            let (result, _) = decider.scale(number(step, "t_s"), ready, metrics);
            let expect = &step["expect"];
            let at = format!("{name}, call {index}");
            assert_eq!(result.valid, expect["valid"].as_bool().unwrap(), "{at}");
            if let Some(desired) = expect["desired_pod_count"].as_i64() {
                assert_eq!(i64::from(result.desired), desired, "{at}");
            }
            if let Some(ebc) = expect["excess_burst_capacity"].as_i64() {
                assert_eq!(i64::from(result.excess_burst_capacity), ebc, "{at}");
            }
            if let Some(panic) = expect.get("panic") {
                assert_eq!(decider.panicking(), panic.as_bool().unwrap(), "{at}");
            }
            if let Some(panic_time) = expect.get("panic_time_s") {
                assert_eq!(decider.panic_time_s(), panic_time.as_f64(), "{at}");
            }
            calls += 1;
        }
    }
    assert_eq!(calls, 60, "the file's 60 Scale calls");
}

#[test]
fn buckets_average_as_upstreams_bucketing_tests_assert() {
    let vectors = vectors();
    let mut checks = 0;
    for vector in vectors["aggregation_vectors"].as_array().unwrap() {
        let name = vector["name"].as_str().unwrap();
        let weighted = vector["algorithm"].as_str() == Some("weighted");
        let mut buckets = KpaBuckets::new(number(vector, "window_s") as u64, weighted);
        for (index, op) in vector["ops"].as_array().unwrap().iter().enumerate() {
            let t_s = number(op, "t_s");
            match op["op"].as_str().unwrap() {
                "record" => buckets.record(t_s, number(op, "value")),
                _ => {
                    let average = buckets.window_average(t_s);
                    let expect = number(op, "expect");
                    assert!(
                        (average - expect).abs() <= 1e-12 * expect.abs().max(1.0),
                        "{name}, op {index}: {average} != {expect}"
                    );
                    checks += 1;
                }
            }
        }
    }
    assert!(checks > 20, "{checks} averages checked");
    for case in vectors["smoothing_coefficient_vectors"]["cases"]
        .as_array()
        .unwrap()
    {
        let alpha = smoothing_coefficient(number(case, "buckets") as u64);
        assert!(
            (alpha - number(case, "expect")).abs() < 1e-5,
            "{case}: {alpha}"
        );
    }
}

/// What a driven run did: (t, from, to) of each change of replicas, the panic state after
/// each step, and (t, reason) of each notice.
type Driven = (Vec<(u64, u32, u32)>, Vec<bool>, Vec<(u64, KpaReason)>);

/// Drives `kpa` with 1 s steps whose in-flight average is `in_flight(t)` over [t, t + 1), on
/// a fleet whose launches are Ready `provisioning_s` after the decision and whose scale-downs
/// cancel launches first, then remove Ready pods at once. Returns (t, from, to) of every
/// change of replicas, and the panic state after each step.
fn drive(
    kpa: &mut KnativePodAutoscaler,
    ready_at_start: u32,
    provisioning_s: u64,
    until_s: u64,
    in_flight: impl Fn(u64) -> f64,
) -> Driven {
    let mut ready = ready_at_start;
    let mut pending: Vec<(u64, u32)> = Vec::new();
    let mut changes = Vec::new();
    let mut panics = Vec::new();
    let mut notices = Vec::new();
    for t in 0..until_s {
        ready += pending
            .iter()
            .filter(|&&(due, _)| due == t)
            .map(|&(_, count)| count)
            .sum::<u32>();
        pending.retain(|&(due, _)| due > t);
        let waiting: u32 = pending.iter().map(|&(_, count)| count).sum();
        let due_at_end: u32 = pending
            .iter()
            .filter(|&&(due, _)| due == t + 1)
            .map(|&(_, count)| count)
            .sum();
        let desired = ready + waiting;
        let concurrency = in_flight(t);
        let observation = Observation {
            step_idx: t,
            t_s: t,
            step_s: 1,
            demand: concurrency,
            served: concurrency,
            capacity: 100.0,
            work: 0.0,
            work_capacity: 1.0,
            in_flight: None,
            concurrency: Some(concurrency),
            latency_s: Some(1.0),
            in_service: ready,
            ready_at_end: ready + due_at_end,
            pending: waiting,
            desired,
            servers: None,
        };
        let outcome = kpa.on_step(&observation);
        if let Some(proposal) = outcome.proposal {
            let to = proposal.desired;
            changes.push((t + 1, desired, to));
            if to > desired {
                pending.push((t + 1 + provisioning_s, to - desired));
            } else {
                let mut cut = desired - to;
                while cut > 0 {
                    if let Some(last) = pending.last_mut() {
                        let taken = last.1.min(cut);
                        last.1 -= taken;
                        cut -= taken;
                        if last.1 == 0 {
                            pending.pop();
                        }
                    } else {
                        ready -= cut;
                        cut = 0;
                    }
                }
            }
        }
        if let Some(ScalingReason::Knative(reason)) = outcome.notice {
            notices.push((t + 1, reason));
        }
        panics.push(kpa.panicking().unwrap());
    }
    (changes, panics, notices)
}

#[test]
fn a_burst_panics_doubles_and_holds_as_the_semantics_example_derives() {
    // docs/semantics/knative-kpa.md section 5, "Panic on a burst": defaults (T_v 70, T_t 100,
    // TBC 211, W 60, P 6), two pods, 140 in flight then 700 from t = 100, pods Ready 30 s
    // after the decision.
    let mut kpa = KnativePodAutoscaler::new(KpaSpec::DEFAULT).unwrap();
    let (changes, panics, notices) =
        drive(
            &mut kpa,
            2,
            30,
            200,
            |t| if t < 100 { 140.0 } else { 700.0 },
        );
    // Two Ready pods at creation start the decider in panic; it ends at t = 62 (0 + 60 < 62).
    assert!(panics[60], "still in panic at t = 61");
    assert!(!panics[61], "panic left at the tick of t = 62");
    // t = 102: Q = (4 × 140 + 2 × 700) / 6 = 326.67, ceil(326.67 / 70) = 5, 5 / 2 ≥ 2: panic,
    // 5 pods; t = 104: Q = 513.33, 8; t = 106: Q = 700, 10.
    assert_eq!(changes, vec![(102, 2, 5), (104, 5, 8), (106, 8, 10)]);
    assert!(panics[101]);
    // Extended at t = 132 (N = 5, 10 / 5 ≥ 2); left at the first tick after 192: 194.
    assert!(panics[192], "in panic at t = 193");
    assert!(!panics[193], "panic left at t = 194");
    // Ticks that change nothing but the panic state are logged: left at 62 and at 194.
    let panic_left: Vec<u64> = notices
        .iter()
        .filter(|(_, reason)| reason.trace.is_some_and(|trace| trace.panic_left))
        .map(|&(t, _)| t)
        .collect();
    assert_eq!(panic_left, [62, 194]);
    // t = 136: N = 10, EBC = floor(1000 − 211 − 700) = 89 ≥ 0: the activator leaves the path.
    let (t, reason) = *notices
        .iter()
        .find(|(_, reason)| !reason.activator_in_path)
        .expect("the activator leaves the path");
    assert_eq!((t, reason.excess_burst_capacity), (136, 89));
}

#[test]
fn scale_to_zero_and_back_through_the_activator_as_the_semantics_example_derives() {
    // Section 5, "Scale to zero and back": one pod, min-scale 0, a request in flight until
    // 200, then nothing; at 400.3 a request arrives and waits in the activator.
    let mut kpa = KnativePodAutoscaler::new(KpaSpec::DEFAULT).unwrap();
    let (changes, _, _) = drive(&mut kpa, 1, 60, 420, |t| match t {
        0..200 => 1.0,
        400 => 0.7,
        401.. => 1.0,
        _ => 0.0,
    });
    // At 260 the stable window is all zeros: D = 0, the PA turns Inactive, the pod stays; at
    // 262 the activator has been in the path for the grace period: to zero. The request
    // recorded at 401 (0.7, bumped to 1) pokes the decider: ceil(1 / 70) = 1 pod at 401.
    assert_eq!(changes, vec![(262, 1, 0), (401, 0, 1)]);
    assert_eq!(kpa.state(), PaState::Activating);
}
