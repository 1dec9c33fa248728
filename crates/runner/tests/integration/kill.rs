//! SIGKILL at varied moments: the output folder holds the old result or the new one, whole, and
//! the next run clears what the killed ones left beside it (issue #11).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::common::Fixture;

/// Every file of `dir`, by name, with its bytes; empty when the folder does not exist.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return BTreeMap::new();
    };
    entries
        .map(|entry| {
            let entry = entry.unwrap();
            (
                entry.file_name().to_string_lossy().into_owned(),
                std::fs::read(entry.path()).unwrap(),
            )
        })
        .collect()
}

fn scalesim_command(args: &[&std::ffi::OsStr]) -> Command {
    let mut command = Command::new(assert_cmd::cargo::cargo_bin("scalesim"));
    command
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command
}

/// Writes the old result with `old_args`, the new one with `new_args` elsewhere, then kills
/// `new_args` into the old result's folder at moments spread over a whole run's length.
fn kill_at_varied_moments(fixture: &Fixture, old_args: &[&str], new_args: &[&str]) {
    let out = fixture.path("out");
    let reference = fixture.path("reference");
    let with_out = |args: &[&str], dir: &Path| -> Vec<std::ffi::OsString> {
        let mut all: Vec<std::ffi::OsString> = args
            .iter()
            .map(|arg| fixture.path(arg).into_os_string())
            .collect();
        all[0] = args[0].into();
        all.push("--out".into());
        all.push(dir.as_os_str().to_owned());
        all
    };
    let run = |args: &[std::ffi::OsString]| {
        let refs: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
        let status = scalesim_command(&refs).status().unwrap();
        assert!(status.success(), "{args:?}");
    };
    run(&with_out(old_args, &out));
    let old = snapshot(&out);
    let started = Instant::now();
    run(&with_out(new_args, &reference));
    let whole_run = started.elapsed();
    let new = snapshot(&reference);
    assert_ne!(old, new, "the two results must differ to tell them apart");

    let (mut saw_old, mut saw_new) = (0, 0);
    for attempt in 0..16u32 {
        // From the start to past the end, so that some kills land while files are written.
        let delay = whole_run.mul_f64(f64::from(attempt) / 12.0);
        let args = with_out(new_args, &out);
        let refs: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
        let mut child = scalesim_command(&refs).spawn().unwrap();
        std::thread::sleep(delay);
        let _ = child.kill();
        child.wait().unwrap();
        let now = snapshot(&out);
        if now == old {
            saw_old += 1;
        } else if now == new {
            saw_new += 1;
            // Back to the old result, by a run that is not killed.
            std::fs::remove_dir_all(&out).unwrap();
            run(&with_out(old_args, &out));
        } else {
            panic!(
                "after a kill at {delay:?} the folder holds neither result: {:?}",
                now.keys().collect::<Vec<_>>()
            );
        }
    }
    assert!(saw_old > 0, "no kill landed before the swap");
    // A run to the end clears the staging folders the killed runs left.
    run(&with_out(new_args, &out));
    assert_eq!(snapshot(&out), new);
    let strays: Vec<String> = std::fs::read_dir(fixture.dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(".out."))
        .collect();
    assert!(strays.is_empty(), "left beside the folder: {strays:?}");
    eprintln!("kills: {saw_old} left the old result, {saw_new} the new one");
}

/// A trace long enough that a run takes a while in a test build: 20,000 minutes.
fn long_trace() -> String {
    let mut text = String::from("minute,requests\n");
    for minute in 0..20_000u32 {
        text.push_str(&format!("{minute},{}\n", 300 + (minute * 37) % 900));
    }
    text
}

#[test]
fn a_killed_run_leaves_the_old_result_or_the_new_one() {
    let fixture = Fixture::new();
    fixture.write("long.csv", &long_trace());
    let scenario = std::fs::read_to_string(fixture.path("scenario.toml")).unwrap();
    fixture.write("long.toml", &scenario.replace("trace.csv", "long.csv"));
    kill_at_varied_moments(&fixture, &["run", "scenario.toml"], &["run", "long.toml"]);
}

#[test]
fn a_killed_sweep_leaves_the_old_result_or_the_new_one() {
    let fixture = Fixture::new();
    fixture.write("long.csv", &long_trace());
    let scenario = std::fs::read_to_string(fixture.path("scenario.toml")).unwrap();
    fixture.write(
        "small-sweep.toml",
        &format!("{scenario}\n[sweep]\nTargetValue = [50, 70]\n"),
    );
    fixture.write(
        "long-sweep.toml",
        &format!(
            "{}\n[sweep]\nTargetValue = [30, 40, 50, 60, 70, 80]\nMinCapacity = [1, 2]\n",
            scenario.replace("trace.csv", "long.csv")
        ),
    );
    kill_at_varied_moments(
        &fixture,
        &["sweep", "small-sweep.toml"],
        &["sweep", "long-sweep.toml"],
    );
}
