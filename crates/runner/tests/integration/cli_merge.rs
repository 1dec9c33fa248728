//! `scalesim merge` on the shipped SageMaker sweep, cut down to 6 runs on one day of the NASA
//! trace: shards merged into the whole sweep's files, and every way a set of shards can be
//! wrong refused with the folder, the file and what was expected.

use std::path::PathBuf;

use sha2::{Digest as _, Sha256};

use crate::common::{Fixture, column, repo_root, scalesim};

const SWEEP: &str = "sagemaker-nasa-sweep.toml";
const TRACE: &str = "traces/nasa_http_1995_per_minute.csv";
const POLICY: &str = "aws/nasa-policy.json";

/// The shipped sweep and its files, as they lie in `scenarios/`, with a grid of 3 targets × 2
/// minimum capacities (runs 0 to 5) over the trace's first day.
fn shipped_sweep() -> Fixture {
    let files: Vec<(&str, String)> = [SWEEP, TRACE, "aws/nasa-register.json", POLICY]
        .into_iter()
        .map(|name| {
            let text = std::fs::read_to_string(repo_root().join("scenarios").join(name)).unwrap();
            (name, text)
        })
        .collect();
    let borrowed: Vec<(&str, &str)> = files.iter().map(|(n, t)| (*n, t.as_str())).collect();
    let fixture = Fixture::with_files(&borrowed);
    fixture.replace(
        SWEEP,
        &format!("trace = \"{TRACE}\""),
        &format!("trace = \"{TRACE}\"\nbuckets = 1440"),
    );
    for line in [
        "TargetValue = [30, 45, 60]",
        "ScaleInCooldown = [300]",
        "ScaleOutCooldown = [0]",
        "MinCapacity = [1, 2]",
    ] {
        let key = line.split(" = ").next().unwrap();
        fixture.replace_all(SWEEP, &format!("{key} ="), line);
    }
    fixture
}

/// `scalesim sweep SWEEP --shard I/N --out DIR`, which must succeed.
fn shard(fixture: &Fixture, shard: &str, dir: &str) {
    scalesim()
        .arg("sweep")
        .arg(fixture.path(SWEEP))
        .arg("--shard")
        .arg(shard)
        .arg("--out")
        .arg(fixture.path(dir))
        .assert()
        .success();
}

/// The shipped sweep sharded into 3, in `s1`, `s2` and `s3`.
fn sharded_in_three() -> Fixture {
    let fixture = shipped_sweep();
    for i in 1..=3 {
        shard(&fixture, &format!("{i}/3"), &format!("s{i}"));
    }
    fixture
}

/// `scalesim merge SWEEP DIR... --out merged`.
fn merge(fixture: &Fixture, dirs: &[&str]) -> assert_cmd::assert::Assert {
    let mut command = scalesim();
    command.arg("merge").arg(fixture.path(SWEEP));
    for dir in dirs {
        command.arg(fixture.path(dir));
    }
    command.arg("--out").arg(fixture.path("merged")).assert()
}

/// Asserts that merging `dirs` fails with exit code 1, writes nothing, and says each of
/// `expected`; returns what it said.
fn refused(fixture: &Fixture, dirs: &[&str], expected: &[String]) -> String {
    let output = merge(fixture, dirs).failure().code(1).get_output().clone();
    let stderr = String::from_utf8(output.stderr).unwrap();
    for part in expected {
        assert!(stderr.contains(part.as_str()), "{part:?} not in:\n{stderr}");
    }
    assert!(!fixture.path("merged").exists());
    stderr
}

/// A folder of the fixture as merge names it.
fn dir(fixture: &Fixture, name: &str) -> String {
    fixture.path(name).display().to_string()
}

fn sha256_of(path: PathBuf) -> String {
    format!("{:x}", Sha256::digest(std::fs::read(path).unwrap()))
}

#[test]
fn the_manifest_fingerprints_every_input_and_the_rows_and_merged_shards_are_the_whole_sweep() {
    let fixture = sharded_in_three();
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture.path("s3/shard.json")).unwrap())
            .unwrap();
    assert_eq!(manifest["format"], 2);
    assert_eq!(manifest["shard"], 3);
    assert_eq!(manifest["shards"], 3);
    assert_eq!(manifest["runs"], 6);
    let inputs: Vec<(String, String)> = manifest["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|input| {
            (
                input["path"].as_str().unwrap().to_owned(),
                input["sha256"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected: Vec<(String, String)> = [SWEEP, TRACE, "aws/nasa-register.json", POLICY]
        .into_iter()
        .map(|name| (name.to_owned(), sha256_of(fixture.path(name))))
        .collect();
    assert_eq!(inputs, expected);
    // Shard 3 of 3 runs 2 and 5.
    let results = std::fs::read_to_string(fixture.path("s3/results.csv")).unwrap();
    assert_eq!(column(&results, "run"), ["2", "5"]);
    assert_eq!(manifest["results"]["rows"], 2);
    assert_eq!(
        manifest["results"]["sha256"],
        sha256_of(fixture.path("s3/results.csv"))
    );

    scalesim()
        .arg("sweep")
        .arg(fixture.path(SWEEP))
        .arg("--out")
        .arg(fixture.path("whole"))
        .assert()
        .success();
    merge(&fixture, &["s3", "s1", "s2"]).success();
    for name in [
        "results.csv",
        "pareto.csv",
        "recommendation.json",
        "recommended-put-scaling-policy.json",
    ] {
        let whole = std::fs::read(fixture.path("whole").join(name)).unwrap();
        let merged = std::fs::read(fixture.path("merged").join(name)).unwrap();
        assert!(whole == merged, "{name} differs after merging");
    }
}

#[test]
fn a_trace_changed_between_shards_is_named_with_the_shard_computed_before() {
    let fixture = shipped_sweep();
    shard(&fixture, "1/3", "s1");
    // The first minute's requests, 42, become 4200: the trace still loads.
    fixture.replace(TRACE, "\n0,42\n", "\n0,4200\n");
    shard(&fixture, "2/3", "s2");
    shard(&fixture, "3/3", "s3");
    let stderr = refused(
        &fixture,
        &["s1", "s2", "s3"],
        &[format!(
            "error: {}: changed since shard 1/3 ({}) was computed: re-run it with the file as it \
             is now, or restore it\n",
            fixture.path(TRACE).display(),
            dir(&fixture, "s1")
        )],
    );
    assert!(
        !stderr.contains("2/3") && !stderr.contains("problems"),
        "{stderr}"
    );
}

#[test]
fn a_vendor_file_and_a_trace_of_a_multi_trace_sweep_changed_since_are_named() {
    let fixture = shipped_sweep();
    let day: String = std::fs::read_to_string(fixture.path(TRACE))
        .unwrap()
        .lines()
        .take(1441)
        .map(|line| format!("{line}\n"))
        .collect();
    fixture.write("traces/day.csv", &day);
    fixture.replace(
        SWEEP,
        "MinCapacity = [1, 2]",
        "MinCapacity = [1, 2]\ntraces = [\"traces/day.csv\"]",
    );
    for i in 1..=3 {
        shard(&fixture, &format!("{i}/3"), &format!("s{i}"));
    }
    let inputs = std::fs::read_to_string(fixture.path("s1/shard.json")).unwrap();
    assert!(inputs.contains("\"path\": \"traces/day.csv\""), "{inputs}");
    fixture.replace(
        POLICY,
        "\"DisableScaleIn\": false",
        "\"DisableScaleIn\": true",
    );
    fixture.replace("traces/day.csv", "\n0,42\n", "\n0,4200\n");
    let all = format!(
        "changed since shards 1/3 ({}), 2/3 ({}) and 3/3 ({}) were computed: re-run them",
        dir(&fixture, "s1"),
        dir(&fixture, "s2"),
        dir(&fixture, "s3")
    );
    refused(
        &fixture,
        &["s1", "s2", "s3"],
        &[
            "error: 2 problems with the shards given:\n".to_owned(),
            format!("\n  {}: {all}", fixture.path("traces/day.csv").display()),
            format!("\n  {}: {all}", fixture.path(POLICY).display()),
        ],
    );
}

#[test]
fn a_results_file_with_a_row_deleted_or_copied_from_another_shard_is_named_with_the_line() {
    let fixture = sharded_in_three();
    // Shard 2 holds runs 1 and 4; shard 3 runs 2 and 5; shard 1 runs 0 and 3.
    let s2 = std::fs::read_to_string(fixture.path("s2/results.csv")).unwrap();
    let mut lines: Vec<&str> = s2.lines().collect();
    lines.pop();
    fixture.write("s2/results.csv", &(lines.join("\n") + "\n"));
    let s1 = std::fs::read_to_string(fixture.path("s1/results.csv")).unwrap();
    let run_0 = s1.lines().nth(1).unwrap();
    let s3 = std::fs::read_to_string(fixture.path("s3/results.csv")).unwrap();
    fixture.write("s3/results.csv", &format!("{s3}{run_0}\n"));
    let s2_results = fixture.path("s2/results.csv").display().to_string();
    let s3_results = fixture.path("s3/results.csv").display().to_string();
    refused(
        &fixture,
        &["s1", "s2", "s3"],
        &[
            "error: 4 problems with the shards given:\n".to_owned(),
            format!("{s2_results}: changed since the shard was written: 1 row, shard.json says 2"),
            format!("{s2_results}: run 4 is missing: expected a row for every run of shard 2/3"),
            format!("{s3_results}: changed since the shard was written: 3 rows, shard.json says 2"),
            format!("{s3_results}: line 4: run 0 belongs to shard 1/3, not to this shard 3/3"),
        ],
    );
}

#[test]
fn rows_repeated_or_outside_the_sweep_are_named_even_when_the_counts_agree() {
    let fixture = sharded_in_three();
    // Shard 1 holds runs 0 and 3: run 3 becomes a second run 0, then run 6, past the last.
    let results = fixture.path("s1/results.csv");
    let text = std::fs::read_to_string(&results).unwrap();
    let path = results.display().to_string();
    fixture.write("s1/results.csv", &text.replace("\n3,", "\n0,"));
    refused(
        &fixture,
        &["s1", "s2", "s3"],
        &[
            format!(
                "{path}: changed since the shard was written: its SHA-256 is not the one shard.json holds"
            ),
            format!("{path}: line 3: run 0 is repeated (first on line 2)"),
            format!("{path}: run 3 is missing"),
        ],
    );
    fixture.write("s1/results.csv", &text.replace("\n3,", "\n6,"));
    refused(
        &fixture,
        &["s1", "s2", "s3"],
        &[format!(
            "{path}: line 3: run 6 is outside the sweep, whose runs are 0 to 5"
        )],
    );
}

#[test]
fn a_shard_given_twice_names_both_folders_whatever_the_order() {
    let fixture = sharded_in_three();
    shard(&fixture, "2/3", "again");
    let expected = format!(
        "error: shard 2/3 is given twice: {} and {}\n",
        dir(&fixture, "again"),
        dir(&fixture, "s2")
    );
    let first = refused(
        &fixture,
        &["again", "s1", "s2", "s3"],
        std::slice::from_ref(&expected),
    );
    let last = refused(&fixture, &["s1", "s2", "s3", "again"], &[expected]);
    assert_eq!(first, last);
}

#[test]
fn a_shard_of_another_split_is_named_even_when_given_first() {
    let fixture = sharded_in_three();
    shard(&fixture, "1/2", "half1");
    let expected = format!(
        "error: {}: shard 1/2 is from another split: expected I/3, as 3 of the 4 shards given are\n",
        dir(&fixture, "half1")
    );
    let first = refused(
        &fixture,
        &["half1", "s1", "s2", "s3"],
        std::slice::from_ref(&expected),
    );
    let last = refused(&fixture, &["s1", "s2", "s3", "half1"], &[expected]);
    assert_eq!(first, last);
    // Two of each split: the tie goes to the larger, whose third shard is then missing.
    shard(&fixture, "2/2", "half2");
    refused(
        &fixture,
        &["half1", "half2", "s1", "s2"],
        &[
            "error: 3 problems with the shards given:\n".to_owned(),
            format!(
                "{}: shard 1/2 is from another split: expected I/3, as 2 of the 4 shards given \
                 are (a tie, settled for the larger number of shards)",
                dir(&fixture, "half1")
            ),
            format!(
                "{}: shard 2/2 is from another split",
                dir(&fixture, "half2")
            ),
            "shard 3/3 is missing".to_owned(),
        ],
    );
}

#[test]
fn missing_shards_are_all_named() {
    let fixture = shipped_sweep();
    for i in [1, 3, 4] {
        shard(&fixture, &format!("{i}/5"), &format!("p{i}"));
    }
    refused(
        &fixture,
        &["p4", "p1", "p3"],
        &[
            "error: shards 2/5 and 5/5 are missing: give every shard of the split once\n"
                .to_owned(),
        ],
    );
}

#[test]
fn a_manifest_of_an_earlier_scalesim_asks_for_that_shard_again() {
    let fixture = sharded_in_three();
    // Format 1: the sweep file's FNV-1a, shards from 0.
    fixture.write(
        "s2/shard.json",
        r#"{ "fingerprint": "cbf29ce484222325", "shard": 1, "shards": 3, "runs": 6 }"#,
    );
    refused(
        &fixture,
        &["s1", "s2", "s3"],
        &[format!(
            "error: {}: manifest format 1 (an earlier scalesim's), and this scalesim merges \
             format 2: re-run that shard with this scalesim\n",
            fixture.path("s2/shard.json").display()
        )],
    );
}

#[test]
fn a_folder_without_a_manifest_is_said_not_to_be_a_shard() {
    let fixture = sharded_in_three();
    std::fs::remove_file(fixture.path("s2/shard.json")).unwrap();
    refused(
        &fixture,
        &["s1", "s2", "s3"],
        &[format!(
            "error: {}: not found: the folder is not a shard's (scalesim sweep --shard I/N \
             writes one)\n",
            fixture.path("s2/shard.json").display()
        )],
    );
}
