//! The `scalesim-fuzz` command: runs drawn cases against scalesim's library in a worker
//! process, saves the failing ones, and prints `fuzz: N passed, M failed`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use scalesim_fuzz::{
    FuzzConfig, Injection, LimitedAllocator, Verdict, WORKER_ERROR, generate_case, run_case,
    run_worker, supervise,
};

/// Live allocations past this abort the worker: a case that asks for more is a failure, and
/// the machine is shared.
#[global_allocator]
static ALLOCATOR: LimitedAllocator = LimitedAllocator::new(4 << 30);

/// Fuzz scalesim's scenario, vendor, trace and sweep files.
#[derive(Debug, Parser)]
#[command(name = "scalesim-fuzz")]
struct Cli {
    /// How many cases to run.
    #[arg(long, default_value_t = 1000)]
    cases: u64,
    /// The seed cases are drawn from; the same seed gives the same cases.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// The first case number.
    #[arg(long, default_value_t = 0)]
    first_case: u64,
    /// Run only this case (to reproduce a saved failure).
    #[arg(long, conflicts_with_all = ["cases", "first_case"])]
    case: Option<u64>,
    /// The longest a case may run, seconds.
    #[arg(long, default_value_t = 20)]
    timeout_s: u64,
    /// Where failing cases are saved, one folder per case number.
    #[arg(long, default_value = "fuzz-failures")]
    out: PathBuf,
    /// Run the cases in this process, without a supervisor, and print what the library said
    /// to each: for tuning the generators (a crash ends the run).
    #[arg(long)]
    explain: bool,
    /// Internal, for testing the harness: fail on purpose at case N instead of running it
    /// (`N:panic`, `N:allocate`, `N:hang`, `N:stack-overflow`, `N:abort`).
    #[arg(long, hide = true, value_parser = parse_injection)]
    inject_failure: Vec<(u64, Injection)>,
    /// Internal: run as the worker, with case folders in this folder.
    #[arg(long, hide = true)]
    worker_dir: Option<PathBuf>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let (first_case, cases) = match cli.case {
        Some(case) => (case, 1),
        None => (cli.first_case, cli.cases),
    };
    if let Some(work) = &cli.worker_dir {
        return match run_worker(cli.seed, first_case, cases, work, &cli.inject_failure) {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => {
                eprintln!("{WORKER_ERROR} {err}");
                ExitCode::FAILURE
            }
        };
    }
    if cli.explain {
        return explain(cli.seed, first_case, cases);
    }
    let worker_exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(err) => {
            eprintln!("error: cannot find this executable to start workers: {err}");
            return ExitCode::FAILURE;
        }
    };
    let config = FuzzConfig {
        seed: cli.seed,
        first_case,
        cases,
        timeout: Duration::from_secs(cli.timeout_s),
        failures_dir: cli.out,
        worker_exe,
        injections: cli.inject_failure.clone(),
    };
    let mut done = 0u64;
    let result = supervise(&config, &mut |outcome| {
        done += 1;
        if let Some(failure) = &outcome.failure {
            let first_line = failure.detail.lines().next().unwrap_or_default();
            eprintln!(
                "case {} ({}): {}: {first_line}",
                outcome.number, outcome.kind, failure.class
            );
        }
        if done.is_multiple_of(500) {
            eprintln!("{done} cases run");
        }
    });
    match result {
        Ok(report) => {
            print!("{}", report.summary());
            if !report.failures.is_empty() {
                println!("failing cases saved in {}", config.failures_dir.display());
            }
            if report.failures.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

/// `--explain`: each case's verdict and the library's message, one line each.
fn explain(seed: u64, first_case: u64, cases: u64) -> ExitCode {
    for number in first_case..first_case.saturating_add(cases) {
        let case = generate_case(seed, number);
        let dir = match tempfile::TempDir::new() {
            Ok(dir) => dir,
            Err(err) => {
                eprintln!("error: cannot make a case folder: {err}");
                return ExitCode::FAILURE;
            }
        };
        let started = std::time::Instant::now();
        let said = match run_case(&case, dir.path()) {
            Ok(Verdict::Accepted) => "accepted".to_owned(),
            Ok(Verdict::Refused(message)) => format!("refused: {message}"),
            Err(failure) => format!("FAILED {}: {}", failure.class, failure.detail),
        };
        let said: String = said
            .lines()
            .next()
            .unwrap_or_default()
            .chars()
            .take(300)
            .collect();
        println!(
            "case {number} ({}, {} ms): {said}",
            case.kind.label(),
            started.elapsed().as_millis()
        );
        println!(
            "    {}",
            case.notes.join("; ").chars().take(400).collect::<String>()
        );
    }
    ExitCode::SUCCESS
}

fn parse_injection(text: &str) -> Result<(u64, Injection), String> {
    Injection::parse(text).ok_or_else(|| {
        format!("expected N:panic, N:allocate, N:hang, N:stack-overflow or N:abort, got {text:?}")
    })
}
