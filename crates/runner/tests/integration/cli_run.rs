//! `scalesim run` and `scalesim validate` on scenarios whose outcome was worked out by hand.

use scalesim_runner::RUN_FILES;

use crate::common::{Fixture, column, repo_root, scalesim};

/// A per-minute series: `initial`, then each `(from, value)` from its minute on.
fn series(len: usize, initial: u32, changes: &[(usize, u32)]) -> Vec<String> {
    let mut out = vec![initial; len];
    for &(from, value) in changes {
        out[from..].fill(value);
    }
    out.iter().map(u32::to_string).collect()
}

#[test]
fn the_spec_checks_by_hand_come_out_of_the_binary() {
    let fixture = Fixture::new();
    fixture.run().success();
    for name in RUN_FILES {
        assert!(fixture.out_dir().join(name).is_file(), "{name} missing");
    }
    // spec/aws-target-tracking.md, checks by hand: D = 8 at the end of minute 2 (N = 8 from
    // minute 3); D = 2 at the end of minute 24 (N = 2 from minute 25).
    let timeseries = fixture.read_out("timeseries.csv");
    assert_eq!(
        column(&timeseries, "desired"),
        series(30, 1, &[(2, 8), (24, 2)])
    );
    assert_eq!(
        column(&timeseries, "in_service"),
        series(30, 1, &[(3, 8), (25, 2)])
    );
    assert_eq!(column(&timeseries, "metric")[3], "87.5");
    assert_eq!(column(&timeseries, "metric")[10], "12.5");

    let events = fixture.read_out("events.csv");
    assert_eq!(column(&events, "t_s"), ["180", "1500"]);
    assert_eq!(column(&events, "direction"), ["out", "in"]);
    assert_eq!(column(&events, "from"), ["1", "8"]);
    assert_eq!(column(&events, "to"), ["8", "2"]);
    assert!(column(&events, "reason")[1].starts_with(
        "AlarmLow in ALARM: InvocationsPerInstance < 63 for 15 of 15 datapoints (minutes 10-24"
    ));

    // 3 minutes on 1 instance, 22 on 8, 5 on 2: 189 instance-minutes.
    let summary: serde_json::Value =
        serde_json::from_str(&fixture.read_out("summary.json")).unwrap();
    assert_eq!(summary["steps"], 30);
    assert_eq!(summary["instance_seconds"], 189 * 60);
    assert_eq!(summary["peak_in_service"], 8);
    assert_eq!(summary["min_in_service"], 1);
    assert_eq!(summary["demand_total"], 9000.0);
    assert_eq!(summary["unserved_total"], 0.0);
    assert_eq!(summary["unserved_fraction"], 0.0);
    assert_eq!(summary["scale_out_events"], 1);
    assert_eq!(summary["scale_in_events"], 1);
}

#[test]
fn unserved_demand_and_underprovisioned_minutes_are_counted() {
    // Capacity 100 a minute: 700 on 1 instance leaves 600 unserved in minutes 0..=2; from
    // minute 3, 8 instances serve 800 ≥ 700.
    let fixture = Fixture::new();
    fixture.replace(
        "scenario.toml",
        "capacity_per_instance = 1000.0",
        "capacity_per_instance = 100.0",
    );
    fixture.run().success();
    let summary: serde_json::Value =
        serde_json::from_str(&fixture.read_out("summary.json")).unwrap();
    assert_eq!(summary["unserved_total"], 1800.0);
    assert_eq!(summary["underprovisioned_steps"], 3);
    assert_eq!(summary["underprovisioned_s"], 180);
    assert_eq!(summary["unserved_fraction"], 0.2);
}

#[test]
fn run_prints_a_summary_table() {
    let fixture = Fixture::new();
    fixture
        .run()
        .success()
        .stdout(predicates::str::contains(
            "spec-check (aws-target-tracking)",
        ))
        .stdout(predicates::str::contains(
            "in service mean 6.30, min 1, peak 8",
        ))
        .stdout(predicates::str::contains("1 out, 1 in"));
}

#[test]
fn validate_checks_without_writing() {
    let fixture = Fixture::new();
    scalesim()
        .arg("validate")
        .arg(fixture.path("scenario.toml"))
        .current_dir(fixture.dir.path())
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "ok: spec-check (aws-target-tracking), 30 steps of 60 s",
        ));
    assert!(!fixture.path("out").exists());
}

#[test]
fn the_default_output_folder_is_out_slash_the_scenario_name() {
    let fixture = Fixture::new();
    scalesim()
        .arg("run")
        .arg("scenario.toml")
        .current_dir(fixture.dir.path())
        .assert()
        .success();
    assert!(fixture.path("out/spec-check/summary.json").is_file());
}

#[test]
fn every_shipped_scenario_validates() {
    let scenarios = repo_root().join("scenarios");
    let mut count = 0;
    for entry in std::fs::read_dir(&scenarios).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|ext| ext == "toml") {
            scalesim().arg("validate").arg(&path).assert().success();
            count += 1;
        }
    }
    assert!(
        count >= 3,
        "expected the three SageMaker scenarios, found {count}"
    );
}

#[test]
fn ten_second_steps_see_each_minute_exactly_as_the_trace_counts_it() {
    // A minute of 50 spread over six 10 s steps adds back up to 50, so the datapoint is
    // 50 / 1 = 50, which is not > TargetValue 50: AlarmHigh never fires.
    let fixture = Fixture::new();
    fixture.replace("scenario.toml", "step_s = 60", "step_s = 10");
    fixture.replace("aws/policy.json", "70.0", "50.0");
    let trace: String = (0..10).map(|minute| format!("{minute},50\n")).collect();
    fixture.write("trace.csv", &format!("minute,requests\n{trace}"));
    fixture.run().success();
    let timeseries = fixture.read_out("timeseries.csv");
    assert!(column(&timeseries, "desired").iter().all(|d| d == "1"));
    let metrics: Vec<String> = column(&timeseries, "metric")
        .into_iter()
        .filter(|m| !m.is_empty())
        .collect();
    assert_eq!(metrics, vec!["50".to_owned(); 10]);
    assert_eq!(
        fixture.read_out("events.csv"),
        "t_s,direction,from,to,reason\n"
    );
}

#[test]
fn a_price_per_hour_turns_instance_time_into_cost() {
    // 189 instance-minutes (the spec checks) at 0.5 an instance-hour.
    let fixture = Fixture::new();
    fixture.replace(
        "scenario.toml",
        "provisioning_s = 0",
        "provisioning_s = 0\nprice_per_hour = 0.5",
    );
    fixture
        .run()
        .success()
        .stdout(predicates::str::contains("cost"));
    let summary: serde_json::Value =
        serde_json::from_str(&fixture.read_out("summary.json")).unwrap();
    assert_eq!(summary["price_per_hour"], 0.5);
    assert_eq!(summary["cost"], 189.0 * 60.0 / 3600.0 * 0.5);
}

#[test]
fn a_queue_keeps_excess_requests_waiting_instead_of_losing_them() {
    // Capacity 100 a minute: 700 on 1 instance serves 100 and queues 600 in each of minutes
    // 0–2 (backlog 600, 1200, 1800); from minute 3, 8 instances serve 800 a minute, 100 of it
    // from the backlog (1700 … 1100 at minute 9); from minute 10, 100 arrive a minute and 700
    // come off the backlog: 400, then 0 at minute 11. Nothing is lost.
    let fixture = Fixture::new();
    fixture.replace(
        "scenario.toml",
        "capacity_per_instance = 1000.0",
        "capacity_per_instance = 100.0",
    );
    fixture.replace(
        "scenario.toml",
        "metric_delay_s = 0",
        "metric_delay_s = 0\n\n[service]\nmodel = \"queue\"",
    );
    fixture.run().success();
    let timeseries = fixture.read_out("timeseries.csv");
    let backlog = column(&timeseries, "backlog");
    assert_eq!(backlog[..4], ["600", "1200", "1800", "1700"]);
    assert_eq!(backlog[9..12], ["1100", "400", "0"]);
    assert!(column(&timeseries, "unserved").iter().all(|u| u == "0"));
    let summary: serde_json::Value =
        serde_json::from_str(&fixture.read_out("summary.json")).unwrap();
    assert_eq!(summary["unserved_total"], 0.0);
    assert_eq!(summary["served_total"], summary["demand_total"]);
}

#[test]
fn business_hours_start_at_eight_in_new_york_on_weekdays_only() {
    // start is Monday 3 July 1995 00:00 at UTC-4, midnight in New York (EDT). The weekday
    // action `cron(0 8 ? * MON-FRI *)` fires at 08:00 New York, t = 8 h + d days for Monday to
    // Friday, d = 0..4; the evening one at 18:00. Nothing on Saturday and Sunday.
    let out = tempfile::TempDir::new().unwrap();
    scalesim()
        .arg("run")
        .arg(repo_root().join("scenarios/sagemaker-business-hours.toml"))
        .arg("--out")
        .arg(out.path().join("run"))
        .assert()
        .success();
    let events = std::fs::read_to_string(out.path().join("run/events.csv")).unwrap();
    let mornings: Vec<u64> = column(&events, "reason")
        .iter()
        .zip(column(&events, "t_s"))
        .filter(|(reason, _)| reason.starts_with("scheduled action weekday-morning"))
        .map(|(_, t_s)| t_s.parse().unwrap())
        .collect();
    assert!(!mornings.is_empty());
    for t_s in mornings {
        let (day, hour) = (t_s / 86_400, t_s % 86_400);
        assert!(day < 5 && hour == 8 * 3600, "weekday-morning at {t_s} s");
    }
}

#[test]
fn json_prints_the_summary_for_scripts_and_quiet_prints_nothing() {
    let fixture = Fixture::new();
    let out = scalesim()
        .args(["run", "scenario.toml", "--out", "out", "--json"])
        .current_dir(fixture.dir.path())
        .assert()
        .success();
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let summary: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(summary["scenario"], "spec-check");
    // The spec's fixture: 30 minutes, one a step.
    assert_eq!(summary["steps"], 30);
    let out = scalesim()
        .args(["run", "scenario.toml", "--out", "out2", "--quiet"])
        .current_dir(fixture.dir.path())
        .assert()
        .success();
    assert!(out.get_output().stdout.is_empty());
    assert!(fixture.path("out2/summary.json").is_file());
}

#[test]
fn a_trace_given_as_the_scenario_and_a_mistyped_command_say_what_to_do() {
    let fixture = Fixture::new();
    scalesim()
        .args(["run", "trace.csv"])
        .current_dir(fixture.dir.path())
        .assert()
        .failure()
        .stderr(predicates::str::contains(
            "trace.csv: is a trace, not a scenario: a scenario is a TOML file",
        ));
    scalesim()
        .args(["swep", "scenario.toml"])
        .assert()
        .failure()
        .stderr(predicates::str::contains(
            "a similar subcommand exists: 'sweep'",
        ));
}
