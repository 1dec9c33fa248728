//! `report.html`: written by `run`, `compare` and `sweep` with the rest of their files,
//! self-contained, carrying one point per step (or per bin, bounded, for long runs), every event
//! and its reason, and text from files escaped; then loaded in a real browser (headless
//! Chromium), which must run its script without error, draw as many points as the data holds
//! and show a step's reason on hover.
//!
//! The browser tests skip, saying so, when no Chromium is found, unless
//! `SCALESIM_REQUIRE_BROWSER=1` (set by `.ci/run`), which makes a missing browser a failure.
//! `SCALESIM_CHROMIUM` names the binary when it is not on the PATH as `chromium`,
//! `chromium-browser`, `google-chrome` or `google-chrome-stable`.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::{Fixture, column, scalesim, step_and_schedule, sweep};

/// A name that would run script if a page wrote it as markup; scenario names may hold no `/`.
const HOSTILE: &str = "<img src=x onerror=alert(1)><script>alert(1)";
/// A scheduled action's name that would run script as markup; reasons keep 40 bytes of a name.
const HOSTILE_ACTION: &str = "</script><script>alert(2)</script>";
/// [`HOSTILE`] as the page must show it.
const HOSTILE_ESCAPED: &str = "&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;alert(1)";

/// The page of `dir`, and the JSON its script draws from.
fn read_report(dir: &Path) -> (String, Value) {
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    let start_tag = "<script type=\"application/json\" id=\"report-data\">";
    let start = html.find(start_tag).expect("a data block") + start_tag.len();
    let end = start + html[start..].find("</script>").unwrap();
    let block = &html[start..end];
    assert!(
        !block.contains('<') && !block.contains('>'),
        "the data block holds markup characters"
    );
    let data = serde_json::from_str(block).unwrap();
    (html, data)
}

/// Nothing in the page is fetched: no URL, no external script, style or image.
fn assert_self_contained(html: &str) {
    for url in [
        "http://", "https://", "//cdn", "<link", "src=\"", "@import", "url(http",
    ] {
        assert!(!html.contains(url), "report.html holds {url:?}");
    }
    // The error counter, the data block and the drawing script; nothing else runs.
    assert_eq!(html.matches("<script").count(), 3);
    assert!(html.contains("Content-Security-Policy\" content=\"default-src 'none'"));
}

fn array_len(value: &Value) -> usize {
    value.as_array().map_or(0, Vec::len)
}

#[test]
fn a_run_writes_a_report_with_every_step_every_event_and_every_figure() {
    let fixture = Fixture::new();
    fixture.run().success();
    let (html, data) = read_report(&fixture.out_dir());
    assert_self_contained(&html);
    // 30 one-minute steps, one point each.
    assert_eq!(data["kind"], "run");
    assert_eq!(data["steps"], 30);
    assert_eq!(data["bin_steps"], 1);
    assert_eq!(data["bins"], 30);
    assert_eq!(array_len(&data["t_s"]), 30);
    for series in ["demand", "capacity", "unserved", "in_service", "desired"] {
        assert_eq!(array_len(&data["series"][series]["max"]), 30, "{series}");
    }
    assert_eq!(data["series"]["demand"]["max"][0], 700);
    assert_eq!(data["series"]["demand"]["max"][29], 100);
    assert!(data["series"].get("latency_p99_s").is_none());
    // Every event of events.csv, with its reason.
    let events = fixture.read_out("events.csv");
    let reasons = column(&events, "reason");
    let kept: Vec<String> = data["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event[4].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(kept, reasons);
    assert_eq!(data["events_total"], reasons.len());
    let t_s: Vec<String> = data["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event[1].to_string())
        .collect();
    assert_eq!(t_s, column(&events, "t_s"));
    // Every figure of summary.json, named.
    let summary: Value = serde_json::from_str(&fixture.read_out("summary.json")).unwrap();
    for key in summary.as_object().unwrap().keys() {
        assert!(html.contains(&format!("<code>{key}</code>")), "{key}");
    }
    assert!(html.contains("instances in service, peak"));
    assert!(html.contains("One point per step (30 steps of 60 s)"));
}

#[test]
fn a_run_with_a_start_reads_its_times_on_the_wall_clock_too() {
    // The step fixture starts at 2026-03-02T08:00:00Z: Unix second 1,772,438,400.
    let fixture = crate::common::step_and_schedule();
    fixture.run().success();
    let (_, data) = read_report(&fixture.out_dir());
    assert_eq!(data["start_unix_s"], 1_772_438_400_i64);
    // Without a start, there is no wall clock to read.
    let plain = Fixture::new();
    plain.run().success();
    let (_, data) = read_report(&plain.out_dir());
    assert!(data["start_unix_s"].is_null());
}

/// The texts of the page's time-axis tick labels, left to right.
fn x_tick_labels(dom: &str) -> Vec<&str> {
    let tag = "class=\"tick x-tick\"";
    let mut labels = Vec::new();
    let mut at = 0;
    while let Some(found) = dom[at..].find(tag) {
        let start = at + found;
        let text_start = start + dom[start..].find('>').unwrap() + 1;
        let text_end = text_start + dom[text_start..].find('<').unwrap();
        labels.push(&dom[text_start..text_end]);
        at = text_end;
    }
    labels
}

#[test]
fn a_runs_report_labels_its_time_axis_on_the_starts_own_clock_in_chromium() {
    let Some(browser) = browser_or_skip("a_runs_report_labels_its_time_axis_on_the_clock") else {
        return;
    };
    // The step fixture's 30 minutes from 08:00 UTC, written at UTC+05:45: 13:45 to 14:15 there.
    let fixture = step_and_schedule();
    fixture.replace(
        "scenario.toml",
        "start = 2026-03-02T08:00:00Z",
        "start = 2026-03-02T13:45:00+05:45",
    );
    fixture.run().success();
    let (_, data) = read_report(&fixture.out_dir());
    assert_eq!(data["start_unix_s"], 1_772_438_400_i64);
    assert_eq!(data["start_offset_s"], 5 * 3600 + 45 * 60);
    let dom = rendered_dom(&browser, &fixture.out_dir().join("report.html"), "");
    let labels = x_tick_labels(&dom);
    // Whatever interval fits the window, ticks fall on the local clock's multiples of it
    // between 13:45 (minute 825 of the day) and 14:15 (minute 855), all of them.
    assert!(labels.len() >= 3, "{labels:?}");
    let minutes: Vec<u32> = labels
        .iter()
        .map(|label| {
            let (hours, minutes) = label.split_once(':').unwrap();
            hours.parse::<u32>().unwrap() * 60 + minutes.parse::<u32>().unwrap()
        })
        .collect();
    let interval = minutes[1] - minutes[0];
    assert!([1, 2, 5, 10, 15].contains(&interval), "{labels:?}");
    assert!(minutes.windows(2).all(|pair| pair[1] - pair[0] == interval));
    assert_eq!(
        minutes[0],
        825_u32.div_ceil(interval) * interval,
        "{labels:?}"
    );
    assert_eq!(
        minutes[minutes.len() - 1],
        855 / interval * interval,
        "{labels:?}"
    );
    assert!(dom.contains(">time (UTC+05:45)<"));
    // Without a start, the axis counts minutes since it.
    let plain = Fixture::new();
    plain.run().success();
    let dom = rendered_dom(&browser, &plain.out_dir().join("report.html"), "");
    assert_eq!(x_tick_labels(&dom).first(), Some(&"0"));
    assert!(dom.contains(">time since the start (minutes)<"));
}

#[test]
fn a_long_run_is_binned_keeping_each_bins_min_and_max() {
    let fixture = Fixture::new();
    // 10,001 minutes of 100 requests, one of 50,000: 2,001 bins of 5 steps.
    let mut trace = String::from("minute,requests\n");
    for minute in 0..10_001 {
        let requests = if minute == 7_777 { 50_000 } else { 100 };
        trace.push_str(&format!("{minute},{requests}\n"));
    }
    fixture.write("trace.csv", &trace);
    fixture.run().success();
    let (html, data) = read_report(&fixture.out_dir());
    assert_self_contained(&html);
    assert_eq!(data["steps"], 10_001);
    assert_eq!(data["bin_steps"], 6);
    assert_eq!(data["bin_s"], 360);
    let bins = 10_001_usize.div_ceil(6);
    assert_eq!(data["bins"], bins);
    assert_eq!(array_len(&data["t_s"]), bins);
    assert_eq!(data["t_s"][1], 360);
    let demand = &data["series"]["demand"];
    assert_eq!(array_len(&demand["min"]), bins);
    assert_eq!(array_len(&demand["max"]), bins);
    // The spike is its bin's max; its bin's min is an ordinary minute.
    assert_eq!(demand["max"][7_777 / 6], 50_000);
    assert_eq!(demand["min"][7_777 / 6], 100);
    assert_eq!(demand["max"][0], 100);
    assert!(html.contains("10,001 steps in 1,667 bins of 6 steps (6 min) each"));
}

#[test]
fn names_and_reasons_from_files_are_escaped() {
    let fixture = step_and_schedule();
    fixture.replace(
        "scenario.toml",
        "name = \"spec-check\"",
        &format!("name = {HOSTILE:?}"),
    );
    fixture.replace(
        "aws/scheduled.json",
        "\"raise\"",
        &format!("{HOSTILE_ACTION:?}"),
    );
    fixture.run().success();
    let events = fixture.read_out("events.csv");
    assert!(
        column(&events, "reason")
            .iter()
            .any(|r| r.contains(HOSTILE_ACTION)),
        "{events}"
    );
    let (html, data) = read_report(&fixture.out_dir());
    assert_self_contained(&html);
    assert!(!html.contains(HOSTILE));
    assert!(!html.contains("<img"));
    assert!(html.contains(&format!(
        "<title>{HOSTILE_ESCAPED} · scalesim report</title>"
    )));
    assert!(html.contains(&format!("<h1>{HOSTILE_ESCAPED}</h1>")));
    // The data block reads back as the very text, which the script puts on the page as text.
    assert_eq!(data["title"], HOSTILE);
    assert!(
        data["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|event| event[4].as_str().unwrap().contains(HOSTILE_ACTION))
    );
    assert!(!html.contains(HOSTILE_ACTION));
}

/// Two scenarios on the spec's trace, the second with a hostile name and a higher target.
fn compare_fixture() -> Fixture {
    let fixture = Fixture::new();
    let text = std::fs::read_to_string(fixture.path("scenario.toml")).unwrap();
    fixture.write(
        "other.toml",
        &text
            .replace("name = \"spec-check\"", &format!("name = {HOSTILE:?}"))
            .replace("aws/policy.json", "aws/policy-700.json"),
    );
    let policy = std::fs::read_to_string(fixture.path("aws/policy.json")).unwrap();
    fixture.write(
        "aws/policy-700.json",
        &policy.replace("\"TargetValue\": 70.0", "\"TargetValue\": 700.0"),
    );
    fixture
}

fn run_compare(fixture: &Fixture) -> PathBuf {
    let out = fixture.path("comparison");
    scalesim()
        .arg("compare")
        .arg(fixture.path("scenario.toml"))
        .arg(fixture.path("other.toml"))
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    out
}

/// The spec-check scenario (30 minutes: 700 a minute for 10, then 100) compared with one on a
/// trace of its own, 12 minutes of 300 a minute.
fn run_compare_different_traces() -> (Fixture, PathBuf) {
    let fixture = Fixture::new();
    let text = std::fs::read_to_string(fixture.path("scenario.toml")).unwrap();
    fixture.write(
        "short.toml",
        &text
            .replace("name = \"spec-check\"", "name = \"short\"")
            .replace("trace.csv", "short.csv"),
    );
    let minutes: String = (0..12).map(|minute| format!("{minute},300\n")).collect();
    fixture.write("short.csv", &format!("minute,requests\n{minutes}"));
    let out = fixture.path("comparison");
    scalesim()
        .arg("compare")
        .arg(fixture.path("scenario.toml"))
        .arg(fixture.path("short.toml"))
        .arg("--allow-different-traces")
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    (fixture, out)
}

#[test]
fn a_comparison_writes_each_runs_instances_on_one_axis_and_the_table() {
    let fixture = compare_fixture();
    let out = run_compare(&fixture);
    let (html, data) = read_report(&out);
    assert_self_contained(&html);
    assert_eq!(data["kind"], "compare");
    // 30 minutes in bins of a minute (at most 1,600 bins).
    assert_eq!(data["bins"], 30);
    assert_eq!(data["bin_s"], 60);
    assert_eq!(array_len(&data["t_s"]), 30);
    assert_eq!(array_len(&data["demand"]["mean"]), 30);
    assert_eq!(array_len(&data["demand"]["max"]), 30);
    let runs = data["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 2);
    for run in runs {
        assert_eq!(array_len(&run["max"]), 30);
        assert_eq!(array_len(&run["mean"]), 30);
        // One trace: its demand is shared, not repeated per run.
        assert!(run.get("demand").is_none());
    }
    // The first run scales out to 8 at minute 3 (the spec's check); the second never does.
    assert_eq!(runs[0]["max"][5], 8);
    assert_eq!(runs[1]["max"][5], 1);
    assert!(runs[1]["label"].as_str().unwrap().starts_with(HOSTILE));
    assert!(!html.contains(HOSTILE));
    assert!(html.contains(&format!(
        "<span class=\"swatch run-1\"></span>{HOSTILE_ESCAPED}</th>"
    )));
    let csv = std::fs::read_to_string(out.join("comparison.csv")).unwrap();
    for hours in column(&csv, "instance_hours") {
        let hours: f64 = hours.parse().unwrap();
        let shown = format!("<td class=\"num\">{}</td>", trim_number(hours));
        assert!(html.contains(&shown), "{shown}");
    }
}

#[test]
fn a_comparison_of_different_traces_carries_each_runs_own_demand_up_to_its_end() {
    let (_fixture, out) = run_compare_different_traces();
    let (html, data) = read_report(&out);
    assert_self_contained(&html);
    // Bins of a minute over the longer run's 30 minutes; no shared demand.
    assert_eq!(data["bins"], 30);
    assert!(data["demand"].is_null());
    let runs = data["runs"].as_array().unwrap();
    let spec: Vec<Value> = (0..30)
        .map(|minute| Value::from(if minute < 10 { 700 } else { 100 }))
        .collect();
    assert_eq!(runs[0]["demand"], Value::Array(spec));
    // The short run's demand stops with its 12 minutes rather than reading 0 after them.
    assert_eq!(runs[1]["demand"], Value::Array(vec![Value::from(300); 12]));
    // So do its instances: 12 minutes of values, then none (null), not 0 instances. 300 a
    // minute is above the target of 70 a minute an instance for the high alarm's 3 minutes,
    // then ceil(300 / 70) = 5 serve from minute 3 (no provisioning); at 60 a minute an
    // instance, under 0.9 × 70, none is removed.
    let expected: Vec<Value> = (0..12)
        .map(|minute| Value::from(if minute < 3 { 1 } else { 5 }))
        .collect();
    for column in ["mean", "max"] {
        let values = runs[1][column].as_array().unwrap();
        assert_eq!(values.len(), 30);
        assert_eq!(values[..12], expected[..], "{column}");
        assert!(
            values[12..].iter().all(Value::is_null),
            "{column}: {values:?}"
        );
    }
    assert!(html.contains("each run's own demand is its bin's mean"));
}

/// `v` as the page writes an instance-hours figure under 1,000: three decimals at most.
fn trim_number(v: f64) -> String {
    let text = format!("{v:.3}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// The spec-check scenario swept over TargetValue and MinCapacity: 4 runs.
fn sweep_fixture() -> Fixture {
    let fixture = Fixture::new();
    fixture.replace(
        "scenario.toml",
        "metric_delay_s = 0",
        "metric_delay_s = 0\n\n[sweep]\nTargetValue = [70, 700]\nMinCapacity = [1, 2]\n",
    );
    fixture
}

#[test]
fn a_sweep_writes_the_frontier_with_each_runs_parameters_and_the_recommended_files() {
    let fixture = sweep_fixture();
    sweep(&fixture, "out", None).success();
    let (html, data) = read_report(&fixture.out_dir());
    assert_self_contained(&html);
    assert_eq!(data["kind"], "sweep");
    assert_eq!(
        data["parameters"],
        serde_json::json!(["TargetValue", "MinCapacity"])
    );
    let points = data["points"].as_array().unwrap();
    assert_eq!(points.len(), 4);
    assert_eq!(data["points_total"], 4);
    // Each point: run, expense, loss, on the frontier, parameters in grid order.
    let parameters: Vec<&Value> = points.iter().map(|p| &p[4]).collect();
    assert_eq!(
        parameters,
        [
            &serde_json::json!([70, 1]),
            &serde_json::json!([70, 2]),
            &serde_json::json!([700, 1]),
            &serde_json::json!([700, 2])
        ]
    );
    // Run 2 (one instance for 30 minutes, nothing lost) is the cheapest and recommended.
    assert_eq!(data["recommended"], 2);
    assert_eq!(points[2][1], 0.5);
    assert_eq!(points[2][3], 1);
    // The recommended files, linked and inline.
    let policy = fixture.read_out("recommended-put-scaling-policy.json");
    assert!(html.contains("<a href=\"recommended-put-scaling-policy.json\">"));
    assert!(html.contains("<a href=\"recommendation.json\">"));
    let escaped = policy.replace('&', "&amp;").replace('"', "&quot;");
    assert!(html.contains(&escaped));
}

#[test]
fn a_sweeps_report_shows_the_unserved_fraction_in_percent_as_its_axis_says() {
    // At 500 requests a minute an instance, one instance loses 200 of the first ten minutes'
    // 700: 9,000 requests arrive in all. Target 70 scales out to 8 at minute 3 (the spec's
    // checks by hand), so 3 × 200 = 600 are lost (6.667 %); target 700 never scales out, so
    // 10 × 200 = 2,000 are (22.222 %). Two instances serve every request.
    let fixture = sweep_fixture();
    fixture.replace(
        "scenario.toml",
        "capacity_per_instance = 1000.0",
        "capacity_per_instance = 500.0",
    );
    sweep(&fixture, "out", None).success();
    let (html, data) = read_report(&fixture.out_dir());
    assert_eq!(data["y_label"], "unserved fraction (% of requests)");
    let loss = |run: usize| data["points"][run][2].as_f64().unwrap();
    assert!(
        (loss(0) - 600.0 / 9000.0 * 100.0).abs() < 1e-4,
        "{}",
        loss(0)
    );
    assert!(
        (loss(2) - 2000.0 / 9000.0 * 100.0).abs() < 1e-4,
        "{}",
        loss(2)
    );
    assert_eq!((loss(1), loss(3)), (0.0, 0.0));
    // The scenario's own policy (target 70, MinCapacity 1) is run 0's, and is shown as such.
    assert_eq!(data["baseline"][0], data["points"][0][1]);
    assert!((data["baseline"][1].as_f64().unwrap() - loss(0)).abs() < 1e-9);
    assert!(html.contains("The scenario's own policy (✕ on the plot)"));
    // The default objective, 0.001 of the requests, is 0.1 %.
    assert_eq!(data["limit"], 0.1);
    assert!(html.contains("unserved share of demand is at most 0.1 %"));
}

#[test]
fn a_shard_writes_no_report() {
    let fixture = sweep_fixture();
    sweep(&fixture, "shard", Some("1/2")).success();
    assert!(!fixture.path("shard/report.html").exists());
}

// ---- in a real browser ----------------------------------------------------------------------

/// The Chromium binary to test with, if any.
fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("SCALESIM_CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH")?;
    [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ]
    .iter()
    .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
    .find(|candidate| candidate.is_file())
}

/// The browser, or `None` after saying why the test skips; a failure instead where
/// `SCALESIM_REQUIRE_BROWSER=1`.
fn browser_or_skip(test: &str) -> Option<PathBuf> {
    match chromium() {
        Some(path) => Some(path),
        None if std::env::var("SCALESIM_REQUIRE_BROWSER").as_deref() == Ok("1") => panic!(
            "{test}: no Chromium found (chromium, chromium-browser, google-chrome or \
             SCALESIM_CHROMIUM), and SCALESIM_REQUIRE_BROWSER=1 requires one"
        ),
        None => {
            // Straight to stderr, past the test harness's capture, so that a skip is seen.
            let _ = writeln!(
                std::io::stderr(),
                "skipping {test}: no Chromium found; install Debian's `chromium` package (as \
                 .ci/run does) or set SCALESIM_CHROMIUM to run it"
            );
            None
        }
    }
}

/// The `file://` URL of `path` with `fragment`.
fn file_url(path: &Path, fragment: &str) -> String {
    let mut url = String::from("file://");
    for byte in path.to_string_lossy().bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                url.push(byte as char)
            }
            other => url.push_str(&format!("%{other:02X}")),
        }
    }
    url.push_str(fragment);
    url
}

/// Runs headless Chromium on `page` with `fragment` and `action` (`--dump-dom` or
/// `--screenshot=...`) and returns what it printed, within a minute.
fn chromium_run(browser: &Path, page: &Path, fragment: &str, action: &str) -> String {
    let scratch = tempfile::TempDir::new().unwrap();
    let stdout_path = scratch.path().join("stdout");
    let stdout = std::fs::File::create(&stdout_path).unwrap();
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--disable-gpu",
            "--no-sandbox",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-extensions",
            "--hide-scrollbars",
            "--window-size=1280,1800",
        ])
        .arg(format!(
            "--user-data-dir={}",
            scratch.path().join("profile").display()
        ))
        .arg(action)
        .arg(file_url(page, fragment))
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "chromium exited with {status}");
            break;
        }
        if started.elapsed() > Duration::from_secs(90) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish {} within 90 s", page.display());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    std::fs::read_to_string(stdout_path).unwrap()
}

/// The DOM of `page` after its script ran, loaded with `fragment`.
fn rendered_dom(browser: &Path, page: &Path, fragment: &str) -> String {
    let dom = chromium_run(browser, page, fragment, "--dump-dom");
    let root = start_tag(&dom, "<html").expect("an html element");
    assert_eq!(
        attribute(root, "data-errors").as_deref(),
        Some("0"),
        "script errors: {:?}",
        attribute(root, "data-error-log")
    );
    assert_eq!(attribute(root, "data-ready").as_deref(), Some("1"));
    dom
}

/// The first start tag of `dom` beginning with `prefix`, up to its `>`.
fn start_tag<'a>(dom: &'a str, prefix: &str) -> Option<&'a str> {
    let start = dom.find(prefix)?;
    let end = start + dom[start..].find('>')?;
    Some(&dom[start..=end])
}

/// Every start tag of `dom` beginning with `prefix` and holding `needle`.
fn start_tags<'a>(dom: &'a str, prefix: &str, needle: &str) -> Vec<&'a str> {
    let mut tags = Vec::new();
    let mut at = 0;
    while let Some(found) = dom[at..].find(prefix) {
        let start = at + found;
        let end = start + dom[start..].find('>').unwrap();
        let tag = &dom[start..=end];
        if tag.contains(needle) {
            tags.push(tag);
        }
        at = end;
    }
    tags
}

/// The value of attribute `name` in start tag `tag`.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let end = start + tag[start..].find('"')?;
    Some(tag[start..end].to_owned())
}

/// Points drawn by the polylines of `series`, checked against their `data-points`.
fn points_drawn(dom: &str, series: &str) -> usize {
    let lines = start_tags(dom, "<polyline", &format!("data-series=\"{series}\""));
    assert!(!lines.is_empty(), "no line of {series}");
    lines
        .iter()
        .map(|tag| {
            let points = attribute(tag, "points").unwrap().split_whitespace().count();
            assert_eq!(attribute(tag, "data-points"), Some(points.to_string()));
            points
        })
        .sum()
}

/// The text of the element `class="NAME"` opens, as the DOM writes it.
fn element_text<'a>(dom: &'a str, class: &str) -> Option<&'a str> {
    let tag = format!("class=\"{class}\">");
    let start = dom.find(&tag)? + tag.len();
    let end = start + dom[start..].find('<')?;
    Some(&dom[start..end])
}

/// `text` as a DOM dump writes it in an element.
fn dom_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[test]
fn a_runs_report_draws_every_step_and_shows_a_steps_reason_in_chromium() {
    let Some(browser) = browser_or_skip("a_runs_report_draws_every_step_and_shows_a_steps_reason")
    else {
        return;
    };
    let fixture = step_and_schedule();
    fixture.replace(
        "scenario.toml",
        "name = \"spec-check\"",
        &format!("name = {HOSTILE:?}"),
    );
    fixture.replace(
        "aws/scheduled.json",
        "\"raise\"",
        &format!("{HOSTILE_ACTION:?}"),
    );
    fixture.run().success();
    let page = fixture.out_dir().join("report.html");
    let (_, data) = read_report(&fixture.out_dir());
    let event = data["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|event| event[4].as_str().unwrap().contains(HOSTILE_ACTION))
        .unwrap()
        .clone();
    let step = event[0].as_u64().unwrap();
    let dom = rendered_dom(&browser, &page, &format!("#hover={step}"));
    // One point per step.
    assert_eq!(points_drawn(&dom, "demand"), 30);
    // The events table: a row per event.
    let rows = start_tags(&dom, "<tr", "data-dir=");
    assert_eq!(rows.len(), array_len(&data["events"]));
    // The hovered step's tooltip names the step and gives its decision's reason, as text.
    let tooltip = start_tag(&dom, "<div class=\"tooltip\"").unwrap();
    assert_eq!(attribute(tooltip, "data-step"), Some(step.to_string()));
    assert!(!tooltip.contains("hidden"), "{tooltip}");
    let reason = event[4].as_str().unwrap();
    assert_eq!(
        element_text(&dom, "tt-reason"),
        Some(dom_text(reason).as_str())
    );
    // The hostile name is text on the page, not an element.
    assert!(!dom.contains("<img"));
    assert!(dom.contains(&format!("<h1>{HOSTILE_ESCAPED}</h1>")));

    // A screenshot of it.
    let shot = tempfile::TempDir::new().unwrap();
    let png = shot.path().join("report.png");
    chromium_run(
        &browser,
        &page,
        &format!("#hover={step}"),
        &format!("--screenshot={}", png.display()),
    );
    let bytes = std::fs::read(&png).unwrap();
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"));
    assert!(
        bytes.len() > 20_000,
        "a blank screenshot: {} bytes",
        bytes.len()
    );
}

#[test]
fn a_long_runs_report_draws_one_point_per_bin_in_chromium() {
    let Some(browser) = browser_or_skip("a_long_runs_report_draws_one_point_per_bin") else {
        return;
    };
    let fixture = Fixture::new();
    let mut trace = String::from("minute,requests\n");
    for minute in 0..10_001 {
        let requests = if minute == 7_777 { 50_000 } else { 100 };
        trace.push_str(&format!("{minute},{requests}\n"));
    }
    fixture.write("trace.csv", &trace);
    fixture.run().success();
    let page = fixture.out_dir().join("report.html");
    let dom = rendered_dom(&browser, &page, "#hover=7777");
    assert_eq!(points_drawn(&dom, "demand"), 1_667);
    let tooltip = start_tag(&dom, "<div class=\"tooltip\"").unwrap();
    assert_eq!(
        attribute(tooltip, "data-bin"),
        Some((7_777 / 6).to_string())
    );
    // Zoomed into the spike: only its bins and their neighbours are drawn.
    let dom = rendered_dom(&browser, &page, "#zoom=465000,468000");
    let shown = points_drawn(&dom, "demand");
    assert!((8..=12).contains(&shown), "{shown} points");
}

#[test]
fn comparison_and_sweep_reports_draw_in_chromium() {
    let Some(browser) = browser_or_skip("comparison_and_sweep_reports_draw") else {
        return;
    };
    let fixture = compare_fixture();
    let out = run_compare(&fixture);
    let dom = rendered_dom(&browser, &out.join("report.html"), "#hover=5");
    // Each run's instances as steps: two points a bin.
    assert_eq!(points_drawn(&dom, "run-0"), 60);
    assert_eq!(points_drawn(&dom, "run-1"), 60);
    assert_eq!(points_drawn(&dom, "demand_mean"), 30);
    let tooltip = start_tag(&dom, "<div class=\"tooltip\"").unwrap();
    assert_eq!(attribute(tooltip, "data-bin"), Some("5".to_owned()));
    assert!(!dom.contains("<img"));

    // Different traces: one demand line per run, a point per bin it covers (30 and 12), in the
    // run's colour, and no shared demand; hovering past the short run's end says so.
    let (_fixture, out) = run_compare_different_traces();
    let dom = rendered_dom(&browser, &out.join("report.html"), "#hover=20");
    assert_eq!(points_drawn(&dom, "demand-0"), 30);
    assert_eq!(points_drawn(&dom, "demand-1"), 12);
    for (series, run) in [("demand-0", "run-0"), ("demand-1", "run-1")] {
        let color = |id: &str| {
            let tags = start_tags(&dom, "<polyline", &format!("data-series=\"{id}\""));
            attribute(tags[0], "stroke").unwrap()
        };
        assert_eq!(color(series), color(run));
    }
    assert!(start_tags(&dom, "<polyline", "data-series=\"demand_mean\"").is_empty());
    assert!(start_tags(&dom, "<polyline", "data-series=\"demand_max\"").is_empty());
    let tip = &dom[dom.find("<div class=\"tooltip\"").unwrap()..];
    for text in [
        "demand of spec-check",
        "100 req/min",
        "demand of short",
        "past the run's end",
    ] {
        assert!(tip.contains(text), "the tooltip has no {text:?}");
    }

    let fixture = sweep_fixture();
    sweep(&fixture, "out", None).success();
    let dom = rendered_dom(&browser, &fixture.out_dir().join("report.html"), "#hover=2");
    let plot = start_tag(&dom, "<svg class=\"plot\"").unwrap();
    assert_eq!(attribute(plot, "data-points"), Some("4".to_owned()));
    let tooltip = start_tag(&dom, "<div class=\"tooltip\"").unwrap();
    assert_eq!(attribute(tooltip, "data-run"), Some("2".to_owned()));
    let tip_start = dom.find("<div class=\"tooltip\"").unwrap();
    let tip = &dom[tip_start..];
    for text in ["run 2", "the recommended run", "TargetValue", "MinCapacity"] {
        assert!(tip.contains(text), "the tooltip has no {text:?}");
    }
}
