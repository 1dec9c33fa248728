//! A few hundred cases through the supervisor and the real worker binary: any failure fails the
//! test and names the case, its class and how to reproduce it.

use std::path::PathBuf;
use std::time::Duration;

use scalesim_fuzz::{FuzzConfig, supervise};

/// Enough cases to reach every input kind and most knobs. An accepted run costs about 0.3 s in
/// a debug build (its plots), a refused one milliseconds: 200 cases take about 30 s.
const CASES: u64 = 200;

#[test]
fn a_bounded_run_finds_no_failure() {
    let failures = tempfile::TempDir::new().unwrap();
    let config = FuzzConfig {
        seed: 11,
        first_case: 0,
        cases: CASES,
        timeout: Duration::from_secs(20),
        failures_dir: failures.path().to_owned(),
        worker_exe: PathBuf::from(env!("CARGO_BIN_EXE_scalesim-fuzz")),
        injections: Vec::new(),
    };
    let report = supervise(&config, &mut |_| {}).unwrap();
    let found: Vec<String> = report
        .failures
        .iter()
        .map(|outcome| {
            let failure = outcome.failure.as_ref().unwrap();
            format!(
                "case {} ({}): {}: {}\n  reproduce: cargo run -p scalesim-fuzz -- --seed {} \
                 --case {} (add --release unless it is an overflow panic)",
                outcome.number,
                outcome.kind,
                failure.class,
                failure.detail.lines().next().unwrap_or_default(),
                config.seed,
                outcome.number
            )
        })
        .collect();
    assert!(
        found.is_empty(),
        "{}\n{}",
        report.summary(),
        found.join("\n")
    );
    assert_eq!(report.passed, CASES);
}
