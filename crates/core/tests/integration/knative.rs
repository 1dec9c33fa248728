//! The Knative Pod Autoscaler against knative/serving's own unit tests, transcribed in
//! `tests/data/kpa_autoscaler_vectors.json` (docs/semantics/knative-kpa.md, section 9).

use scalesim_core::{DeciderSpec, KpaBuckets, KpaDecider, smoothing_coefficient};
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
