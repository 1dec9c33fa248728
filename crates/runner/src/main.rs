//! The `scalesim` command line: load a scenario, run it, write the results, report.

use std::fmt::Write as _;
use std::io::{self, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand};
use scalesim_core::Summary;
use scalesim_runner::{Scenario, default_out_dir, write_run};

/// Simulate cloud autoscalers against real and synthetic load.
#[derive(Debug, Parser)]
#[command(name = "scalesim", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a scenario and write timeseries.csv, events.csv, summary.json and plots.
    Run {
        /// The scenario file (TOML).
        scenario: PathBuf,
        /// Output folder (default: out/NAME/, NAME being the scenario's name).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Check a scenario and the files it names without running it.
    Validate {
        /// The scenario file (TOML).
        scenario: PathBuf,
    },
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(report) => {
            // A reader that stops early (`| head`) is not an error of ours.
            match io::stdout().lock().write_all(report.as_bytes()) {
                Err(err) if err.kind() != io::ErrorKind::BrokenPipe => {
                    eprintln!("error: cannot write to standard output: {err}");
                    ExitCode::FAILURE
                }
                _ => ExitCode::SUCCESS,
            }
        }
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// Does what the command line asks and returns the report for standard output.
fn run(cli: Cli) -> anyhow::Result<String> {
    let mut report = String::new();
    match cli.command {
        Command::Run { scenario, out } => {
            let scenario = Scenario::load(&scenario)?;
            let out_dir = out.unwrap_or_else(|| default_out_dir(&scenario));
            let started = Instant::now();
            let output = write_run(&scenario, &out_dir)?;
            let elapsed = started.elapsed();
            write_summary(&mut report, &scenario, &output.summary)?;
            let names: Vec<String> = output
                .files
                .iter()
                .filter_map(|path| path.file_name())
                .map(|name| name.to_string_lossy().into_owned())
                .collect();
            writeln!(
                report,
                "{:<12} {:.0} ms (replay and all files)",
                "took",
                elapsed.as_secs_f64() * 1e3
            )?;
            writeln!(
                report,
                "{:<12} {}/{{{}}}",
                "wrote",
                out_dir.display(),
                names.join(", ")
            )?;
        }
        Command::Validate { scenario: path } => {
            let scenario = Scenario::load(&path)?;
            let bounds = scenario.autoscaler.bounds();
            writeln!(
                report,
                "{}: ok: {} ({}), {} steps of {} s from {}, capacity {}..={} instances",
                path.display(),
                scenario.name,
                scenario.autoscaler.kind(),
                group(scenario.demand.steps() as u64),
                scenario.demand.step_s(),
                scenario.trace_path.display(),
                bounds.min(),
                bounds.max(),
            )?;
        }
    }
    Ok(report)
}

fn write_summary(out: &mut String, scenario: &Scenario, summary: &Summary) -> std::fmt::Result {
    let step_s = scenario.demand.step_s();
    writeln!(
        out,
        "{:<12} {} ({})",
        "scenario",
        scenario.name,
        scenario.autoscaler.kind()
    )?;
    writeln!(
        out,
        "{:<12} {} steps of {step_s} s = {}",
        "replayed",
        group(summary.steps),
        span(summary.duration_s)
    )?;
    writeln!(
        out,
        "{:<12} {} instance-hours; in service mean {:.2}, min {}, peak {}",
        "instances",
        decimal(summary.instance_hours()),
        summary.mean_in_service(),
        summary.min_in_service,
        summary.peak_in_service,
    )?;
    writeln!(
        out,
        "{:<12} {} requests, {} unserved ({:.3}%)",
        "demand",
        group(summary.demand_total.round() as u64),
        group(summary.unserved_total.round() as u64),
        summary.unserved_fraction() * 100.0,
    )?;
    writeln!(
        out,
        "{:<12} {} steps = {} with demand unserved",
        "under-prov.",
        group(summary.underprovisioned_steps),
        span(summary.underprovisioned_s())
    )?;
    writeln!(
        out,
        "{:<12} {} out, {} in",
        "scaling",
        group(summary.scale_out_events),
        group(summary.scale_in_events)
    )
}

/// A whole number with thousands separators, as people read counts.
fn group(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (idx, digit) in digits.chars().enumerate() {
        if idx > 0 && (digits.len() - idx) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// A non-negative amount with one decimal and thousands separators.
fn decimal(value: f64) -> String {
    let tenths = (value * 10.0).round() as u64;
    format!("{}.{}", group(tenths / 10), tenths % 10)
}

/// A duration in the unit that reads best.
fn span(seconds: u64) -> String {
    match seconds {
        s if s < 3600 => format!("{} min", s / 60),
        s if s < 3 * 86_400 => format!("{:.1} h", s as f64 / 3600.0),
        s => format!("{:.1} days", s as f64 / 86_400.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_spans_read_as_people_write_them() {
        assert_eq!(group(0), "0");
        assert_eq!(group(84_333), "84,333");
        assert_eq!(group(3_461_610), "3,461,610");
        assert_eq!(decimal(2227.46), "2,227.5");
        assert_eq!(decimal(0.04), "0.0");
        assert_eq!(span(45 * 60), "45 min");
        assert_eq!(span(5_059_980), "58.6 days");
    }
}
