//! The same scenario gives byte-identical outputs.

use crate::common::Fixture;

#[test]
fn two_runs_of_one_scenario_write_identical_bytes() {
    let fixture = Fixture::new();
    let first = fixture.out_dir();
    fixture.run().success();
    let second = fixture.path("again");
    crate::common::scalesim()
        .arg("run")
        .arg(fixture.path("scenario.toml"))
        .arg("--out")
        .arg(&second)
        .assert()
        .success();
    for name in [
        "timeseries.csv",
        "events.csv",
        "summary.json",
        "instances.svg",
        "instances.png",
    ] {
        let a = std::fs::read(first.join(name)).unwrap();
        let b = std::fs::read(second.join(name)).unwrap();
        assert!(a == b, "{name} differs between two runs");
    }
}
