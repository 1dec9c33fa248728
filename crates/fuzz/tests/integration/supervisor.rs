//! The supervisor survives every way a worker can fail, classifies it, saves the case, and goes
//! on with the next case.

use std::path::PathBuf;
use std::time::Duration;

use scalesim_fuzz::{FailureClass, FuzzConfig, Injection, supervise};

#[test]
fn every_way_a_worker_fails_is_caught_classified_and_saved() {
    let failures = tempfile::TempDir::new().unwrap();
    let injections = vec![
        (1, Injection::Panic),
        (2, Injection::Allocate),
        (3, Injection::Hang),
        (4, Injection::StackOverflow),
        (5, Injection::Abort),
    ];
    let config = FuzzConfig {
        seed: 3,
        first_case: 1,
        cases: 5,
        timeout: Duration::from_secs(3),
        failures_dir: failures.path().to_owned(),
        worker_exe: PathBuf::from(env!("CARGO_BIN_EXE_scalesim-fuzz")),
        injections,
    };
    let report = supervise(&config, &mut |_| {}).unwrap();
    let found: Vec<(u64, FailureClass)> = report
        .failures
        .iter()
        .map(|outcome| (outcome.number, outcome.failure.as_ref().unwrap().class))
        .collect();
    assert_eq!(
        found,
        [
            (1, FailureClass::Panic),
            (2, FailureClass::AllocationLimit),
            (3, FailureClass::Timeout),
            (4, FailureClass::StackOverflow),
            (5, FailureClass::Crash),
        ],
        "{}",
        report.summary()
    );
    for number in 1..=5 {
        let reason =
            std::fs::read_to_string(failures.path().join(format!("{number}/reason.txt"))).unwrap();
        assert!(
            reason.contains(&format!("case: {number} (seed 3)")),
            "{reason}"
        );
    }
    assert!(report.summary().starts_with("fuzz: 0 passed, 5 failed\n"));
}
