//! A few hundred cases through the supervisor and the real worker binary: any failure fails the
//! test and names the case, its class and how to reproduce it.

use std::path::PathBuf;
use std::time::Duration;

use scalesim_fuzz::{FuzzConfig, supervise};

/// Enough cases to reach every input kind and most knobs; a debug build runs them in well
/// under a minute.
const CASES: u64 = 300;

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
    };
    let report = supervise(&config, &mut |_| {}).unwrap();
    let found: Vec<String> = report
        .failures
        .iter()
        .map(|outcome| {
            let failure = outcome.failure.as_ref().unwrap();
            format!(
                "case {} ({}): {}: {}\n  reproduce: cargo run --release -p scalesim-fuzz -- \
                 --seed {} --case {}",
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
