//! The `scalesim` command line: load a scenario, run it, write the results, report.

use std::fmt::Write as _;
use std::io::{self, IsTerminal as _, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use scalesim_core::Summary;
use scalesim_runner::human::{count, duration};
use scalesim_runner::{
    ComparisonOutput, Minimize, RunOptions, Scenario, Shard, Sweep, SweepWritten,
    check_output_folder, check_same_trace, compare, default_out_dir, merge_shards, run_sweep,
    same_file, write_run_with, write_sweep, write_trace,
};

/// Simulate cloud autoscalers against real and synthetic load.
#[derive(Debug, Parser)]
#[command(name = "scalesim", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Print the results as JSON on standard output, for scripts: a run's summary.json, a
    /// sweep's recommendation.json, a comparison's rows.
    #[arg(long, global = true)]
    json: bool,
    /// Print nothing but errors.
    #[arg(long, short, global = true, conflicts_with = "json")]
    quiet: bool,
    /// Threads for runs in parallel (compare, sweep, replicas); default: one per core.
    #[arg(long, global = true, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    threads: Option<u16>,
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
        /// Also write requests.csv, one row per request (service.model = "requests" only).
        #[arg(long)]
        requests: bool,
    },
    /// Check a scenario and the files it names without running it.
    Validate {
        /// The scenario file (TOML).
        scenario: PathBuf,
    },
    /// Write the demand a scenario replays (its synthetic load, drawn) as a trace CSV.
    Trace {
        /// The scenario file (TOML).
        scenario: PathBuf,
        /// The CSV file to write.
        #[arg(long)]
        out: PathBuf,
        /// Which replica's draws to write (0 is the one `run` plots).
        #[arg(long, default_value_t = 0)]
        replica: u64,
    },
    /// Run a base scenario for every combination of the parameters its `[sweep]` table lists.
    Sweep {
        /// The sweep file: a scenario with a `[sweep]` table.
        sweep: PathBuf,
        /// Output folder (default: out/NAME-sweep/, NAME being the scenario's name).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Run only the I-th of N disjoint parts, as one task of an array job.
        #[arg(long, value_name = "I/N")]
        shard: Option<String>,
    },
    /// Join the shards of a sweep into its results, Pareto frontier and recommendation.
    Merge {
        /// The sweep file the shards were run from.
        sweep: PathBuf,
        /// The shards' output folders.
        #[arg(required = true)]
        shards: Vec<PathBuf>,
        /// Output folder (default: out/NAME-sweep/, NAME being the scenario's name).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Run several scenarios on the same trace in parallel and compare them side by side.
    Compare {
        /// The scenario files (TOML).
        #[arg(required = true)]
        scenarios: Vec<PathBuf>,
        /// Output folder (default: out/comparison/).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Compare scenarios even when they replay different traces or windows.
        #[arg(long)]
        allow_different_traces: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let quiet = cli.quiet;
    if let Some(threads) = cli.threads
        && let Err(err) = rayon::ThreadPoolBuilder::new()
            .num_threads(usize::from(threads))
            .build_global()
    {
        eprintln!("error: --threads {threads}: {err}");
        return ExitCode::FAILURE;
    }
    match run(cli) {
        Ok(_) if quiet => ExitCode::SUCCESS,
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

/// Does what the command line asks and returns the report for standard output: for people,
/// or with `--json` for scripts.
fn run(cli: Cli) -> anyhow::Result<String> {
    let mut report = String::new();
    let json = cli.json;
    // With --json, the JSON file of the results written, printed as it is.
    let json_file = |out_dir: &std::path::Path, name: &str| -> anyhow::Result<String> {
        let path = out_dir.join(name);
        std::fs::read_to_string(&path)
            .map_err(|err| anyhow::anyhow!("{}: cannot read: {err}", path.display()))
    };
    match cli.command {
        Command::Run {
            scenario,
            out,
            requests,
        } => {
            let scenario = Scenario::load(&scenario)?;
            if scenario.is_sweep {
                anyhow::bail!(
                    "{}: a sweep file (it has a [sweep] table): run it with `scalesim sweep {}`",
                    scenario.path.display(),
                    scenario.path.display()
                );
            }
            let out_dir = out.unwrap_or_else(|| default_out_dir(&scenario));
            let started = Instant::now();
            let options = RunOptions {
                requests_csv: requests,
            };
            let output = write_run_with(&scenario, &out_dir, options)?;
            if json {
                return json_file(&out_dir, "summary.json");
            }
            let elapsed = started.elapsed();
            write_summary(&mut report, &scenario, &output.summary, &output.variants)?;
            if !output.replicas.is_empty() {
                writeln!(
                    report,
                    "{:<12} {} replicas: mean (5th – 95th percentile)",
                    "spread", scenario.runs
                )?;
                for (name, spread) in &output.replicas {
                    writeln!(
                        report,
                        "{:<12}   {name:<32} {:>10} ({} – {})",
                        "",
                        figure(spread.mean),
                        figure(spread.p5),
                        figure(spread.p95)
                    )?;
                }
            }
            writeln!(
                report,
                "{:<12} {:.0} ms (replay and all files)",
                "took",
                elapsed.as_secs_f64() * 1e3
            )?;
            write!(report, "{:<12} ", "wrote")?;
            write_files(&mut report, &out_dir, &output.files)?;
        }
        Command::Validate { scenario: path } => {
            let scenario = Scenario::load(&path)?;
            if scenario.is_sweep {
                // Checks the parameters, every combination and every trace, as `sweep` would.
                let sweep = Sweep::load(&path)?;
                writeln!(
                    report,
                    "{}: ok: a sweep of {} runs ({} over {})",
                    path.display(),
                    count(sweep.runs()),
                    counted(sweep.parameters.len(), "parameter"),
                    counted(sweep.bases.len(), "trace"),
                )?;
                return Ok(report);
            }
            let bounds = scenario.autoscaler.bounds();
            if json {
                let value = serde_json::json!({
                    "scenario": scenario.name,
                    "path": path.display().to_string(),
                    "ok": true,
                    "autoscaler": scenario.autoscaler.kind(),
                    "steps": scenario.demand.steps(),
                    "step_s": scenario.demand.step_s(),
                    "min_capacity": bounds.min(),
                    "max_capacity": bounds.max(),
                });
                return Ok(format!("{value:#}\n"));
            }
            writeln!(
                report,
                "{}: ok: {} ({}), {} steps of {} s from {}, capacity {}..={} instances{}{}",
                path.display(),
                scenario.name,
                scenario.autoscaler.kind(),
                count(scenario.demand.steps() as u64),
                scenario.demand.step_s(),
                scenario.trace_path.as_ref().map_or_else(
                    || "synthetic load".to_owned(),
                    |path| {
                        let mut from = path.display().to_string();
                        if let Some(form) = scenario.trace_form {
                            from.push_str(&format!(" ({form}"));
                            if let Some(start) = scenario.start {
                                from.push_str(&format!(
                                    ", t = 0 at {}",
                                    start.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
                                ));
                            }
                            from.push(')');
                        }
                        from
                    }
                ),
                bounds.min(),
                bounds.max(),
                match scenario.production_variants.len() {
                    0 => String::new(),
                    count =>
                        format!(" (first variant), an endpoint of {count} production variants"),
                },
                scenario
                    .requests
                    .as_ref()
                    .map_or_else(String::new, |model| format!(
                        ", request by request ({} an instance)",
                        counted(model.config.concurrency_per_instance as usize, "slot")
                    )),
            )?;
        }
        Command::Trace {
            scenario,
            out,
            replica,
        } => {
            let scenario = Scenario::load(&scenario)?;
            if replica >= u64::from(scenario.runs) || (replica > 0 && scenario.synthetic.is_none())
            {
                anyhow::bail!(
                    "--replica {replica}: {} has replicas 0 to {}{}",
                    scenario.path.display(),
                    scenario.runs - 1,
                    if scenario.synthetic.is_none() {
                        ", and without [load.synthetic] they all replay the same trace"
                    } else {
                        ""
                    }
                );
            }
            write_trace(&scenario, replica, &out)?;
            writeln!(
                report,
                "wrote {} ({} steps of {} s, replica {replica})",
                out.display(),
                count(scenario.demand.steps() as u64),
                scenario.demand.step_s()
            )?;
        }
        Command::Sweep { sweep, out, shard } => {
            let sweep = Sweep::load(&sweep)?;
            let shard = shard.as_deref().map(str::parse::<Shard>).transpose()?;
            let part = shard.unwrap_or(Shard::WHOLE);
            let runs = part.run_count(sweep.runs());
            let out_dir = out.unwrap_or_else(|| default_sweep_dir(&sweep));
            // Refused now rather than after the runs: the results replace the folder whole.
            check_output_folder(&out_dir)?;
            let bar = progress_bar(runs, json || cli.quiet);
            let started = Instant::now();
            let written = run_sweep(&sweep, shard, &out_dir, &|| bar.inc(1))?;
            bar.finish_and_clear();
            let elapsed = started.elapsed();
            if json && shard.is_none() {
                return json_file(&out_dir, "recommendation.json");
            }
            let rate = if sweep.bases[0].requests.is_some() {
                // Every run replays every request of its trace: the figure is requests.
                let per_trace: Vec<f64> = sweep
                    .bases
                    .iter()
                    .map(|base| base.demand.as_slice().iter().sum::<f64>())
                    .collect();
                let requests: f64 = part
                    .runs(sweep.runs())
                    .map(|run| per_trace[sweep.trace_of(run)])
                    .sum();
                format!(
                    "{:.1} million requests a second",
                    requests / elapsed.as_secs_f64().max(1e-9) / 1e6
                )
            } else {
                let seconds = elapsed.as_secs_f64().max(1e-9);
                let millions = |per_second: f64| {
                    let millions = per_second / 1e6;
                    if millions < 10.0 {
                        format!("{millions:.1}")
                    } else {
                        format!("{millions:.0}")
                    }
                };
                let minutes = millions(policy_minutes(&sweep, runs) / seconds);
                let step_s = sweep.bases[0].demand.step_s();
                if step_s == 60 {
                    format!("{minutes} million policy-minutes a second")
                } else {
                    let steps = runs as f64 * sweep.bases[0].demand.steps() as f64;
                    format!(
                        "{minutes} million policy-minutes a second, or {} million policy-steps \
                         of {step_s} s",
                        millions(steps / seconds)
                    )
                }
            };
            writeln!(
                report,
                "{} runs of {} steps in {:.2} s ({rate})",
                count(runs),
                count(sweep.bases[0].demand.steps() as u64),
                elapsed.as_secs_f64(),
            )?;
            if written.copies > 0 {
                // The rate counts runs delivered; say how many were stepped.
                writeln!(
                    report,
                    "{} runs stepped; the other {} read their policy and fleet as one of those \
                     did and took its figures",
                    count(runs - written.copies),
                    count(written.copies),
                )?;
            }
            if shard.is_none() {
                write_recommendation_line(&mut report, &sweep, &written)?;
                write_saving(&mut report, &out_dir)?;
            }
            write!(report, "wrote ")?;
            write_files(&mut report, &out_dir, &written.files)?;
        }
        Command::Merge { sweep, shards, out } => {
            let sweep = Sweep::load(&sweep)?;
            let rows = merge_shards(&sweep, &shards)?;
            let out_dir = out.unwrap_or_else(|| default_sweep_dir(&sweep));
            let written = write_sweep(&sweep, &rows, None, &out_dir)?;
            if json {
                return json_file(&out_dir, "recommendation.json");
            }
            writeln!(
                report,
                "merged {} shards: {} runs",
                shards.len(),
                count(rows.len() as u64)
            )?;
            write_recommendation_line(&mut report, &sweep, &written)?;
            write_saving(&mut report, &out_dir)?;
            write!(report, "wrote ")?;
            write_files(&mut report, &out_dir, &written.files)?;
        }
        Command::Compare {
            scenarios,
            out,
            allow_different_traces,
        } => {
            for (k, path) in scenarios.iter().enumerate() {
                if scenarios[..k].iter().any(|other| same_file(other, path)) {
                    anyhow::bail!(
                        "{}: named twice: its two runs would be the same, rows and strips alike",
                        path.display()
                    );
                }
            }
            let scenarios = scenarios
                .iter()
                .map(|path| Scenario::load(path))
                .collect::<Result<Vec<_>, _>>()?;
            if let Some(sweep) = scenarios.iter().find(|scenario| scenario.is_sweep) {
                anyhow::bail!(
                    "{}: a sweep file (it has a [sweep] table), whose runs compare would not \
                     see: run it with `scalesim sweep {}`, or compare a scenario without [sweep]",
                    sweep.path.display(),
                    sweep.path.display()
                );
            }
            if !allow_different_traces {
                check_same_trace(&scenarios)?;
            }
            let out_dir = out.unwrap_or_else(|| PathBuf::from("out").join("comparison"));
            check_output_folder(&out_dir)?;
            let output = compare(&scenarios, &out_dir)?;
            if json {
                return comparison_json(&out_dir.join("comparison.csv"));
            }
            write_comparison(&mut report, &output)?;
            write!(report, "wrote ")?;
            write_files(&mut report, &out_dir, &output.files)?;
        }
    }
    Ok(report)
}

/// The scenario's own policy against the recommendation, and the warnings, from
/// recommendation.json.
fn write_saving(report: &mut String, out_dir: &std::path::Path) -> anyhow::Result<()> {
    let path = out_dir.join("recommendation.json");
    let text = std::fs::read_to_string(&path)
        .map_err(|err| anyhow::anyhow!("{}: cannot read: {err}", path.display()))?;
    let body: serde_json::Value = serde_json::from_str(&text)?;
    let name = body["objective"]["minimize"].as_str().unwrap_or("cost");
    let own = &body["baseline"];
    if let (Some(expense), Some(unserved)) = (own[name].as_f64(), own["unserved_fraction"].as_f64())
    {
        write!(
            report,
            "{:<12} the scenario's own policy: {} {}, unserved {:.4} %",
            "baseline",
            name.replace('_', "-"),
            figure(expense),
            unserved * 100.0
        )?;
        if let (Some(saving), Some(fraction)) = (
            body["saving"][name].as_f64(),
            body["saving"]["fraction"].as_f64(),
        ) {
            write!(
                report,
                "; the recommendation {} {} ({:.1} %)",
                if saving >= 0.0 { "saves" } else { "adds" },
                figure(saving.abs()),
                fraction.abs() * 100.0
            )?;
        }
        writeln!(report)?;
    }
    for warning in body["warnings"].as_array().into_iter().flatten() {
        if let Some(warning) = warning.as_str() {
            writeln!(report, "warning: {warning}")?;
        }
    }
    Ok(())
}

/// comparison.csv as a JSON array of objects, one per scenario, numbers as numbers.
fn comparison_json(path: &std::path::Path) -> anyhow::Result<String> {
    let mut reader = csv::Reader::from_path(path)
        .map_err(|err| anyhow::anyhow!("{}: cannot read: {err}", path.display()))?;
    let headers = reader.headers()?.clone();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record?;
        let row: serde_json::Map<String, serde_json::Value> = headers
            .iter()
            .zip(record.iter())
            .map(|(key, text)| {
                let value = match text.parse::<f64>() {
                    Ok(number) if number.fract() == 0.0 && number.abs() < 9.0e15 => {
                        serde_json::json!(number as i64)
                    }
                    Ok(number) if number.is_finite() => serde_json::json!(number),
                    _ if text.is_empty() => serde_json::Value::Null,
                    _ => serde_json::Value::String(text.to_owned()),
                };
                (key.to_owned(), value)
            })
            .collect();
        rows.push(serde_json::Value::Object(row));
    }
    Ok(format!("{:#}\n", serde_json::Value::Array(rows)))
}

/// A progress bar with ETA on a terminal, nothing otherwise (nor with `hidden`).
fn progress_bar(runs: u64, hidden: bool) -> ProgressBar {
    if hidden || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(runs);
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} runs, {eta} left") {
        bar.set_style(style);
    }
    bar
}

fn default_sweep_dir(sweep: &Sweep) -> PathBuf {
    PathBuf::from("out").join(format!("{}-sweep", sweep.bases[0].name))
}

fn policy_minutes(sweep: &Sweep, runs: u64) -> f64 {
    let base = &sweep.bases[0].demand;
    runs as f64 * (base.steps() as u64 * base.step_s()) as f64 / 60.0
}

fn write_recommendation_line(
    out: &mut String,
    sweep: &Sweep,
    written: &SweepWritten,
) -> std::fmt::Result {
    for name in &written.without_effect {
        writeln!(
            out,
            "{name} changed no run: every value swept gave the same figures, whatever the other \
             parameters"
        )?;
    }
    match &written.recommended {
        None => writeln!(
            out,
            "no run meets the objective (unserved fraction <= {}{})",
            sweep.max_unserved_fraction,
            sweep
                .max_latency_p99_s
                .map(|limit| format!(", p99 latency <= {limit} s"))
                .unwrap_or_default()
        ),
        Some(row) => {
            let values: Vec<String> = sweep
                .parameters
                .iter()
                .zip(sweep.combination(row.run))
                .map(|(name, value)| format!("{name} = {value}"))
                .collect();
            let expense = match sweep.minimize {
                Minimize::Cost => "cost",
                Minimize::InstanceHours => "instance-hours",
            };
            let latency = row
                .latency_p99_s
                .map(|p99| format!(", p99 latency {}", seconds(p99)))
                .unwrap_or_default();
            writeln!(
                out,
                "recommended: run {} ({}): {expense} {}, unserved {:.4} %{latency}",
                row.run,
                values.join(", "),
                decimal(row.expense),
                row.unserved_fraction * 100.0
            )
        }
    }
}

/// `dir/{a, b, c}`: the files written, named once.
fn write_files(out: &mut String, dir: &std::path::Path, files: &[PathBuf]) -> std::fmt::Result {
    // Files in sub-folders (an endpoint's variants) are listed by folder, in the order written.
    let mut folders: Vec<(PathBuf, Vec<String>)> = Vec::new();
    for path in files {
        let Some(name) = path.file_name() else {
            continue;
        };
        let folder = path
            .parent()
            .map_or_else(|| dir.to_owned(), |parent| parent.to_owned());
        let name = name.to_string_lossy().into_owned();
        match folders.iter_mut().find(|(known, _)| *known == folder) {
            Some((_, names)) => names.push(name),
            None => folders.push((folder, vec![name])),
        }
    }
    for (index, (folder, names)) in folders.iter().enumerate() {
        if index > 0 {
            write!(out, "{:<12} ", "")?;
        }
        writeln!(out, "{}/{{{}}}", folder.display(), names.join(", "))?;
    }
    Ok(())
}

/// An endpoint's cost over its variants' instance types, and one line per variant.
fn write_variants(
    out: &mut String,
    scenario: &Scenario,
    summaries: &[Summary],
) -> std::fmt::Result {
    let variants = &scenario.production_variants;
    let costs: Vec<Option<f64>> = variants
        .iter()
        .zip(summaries)
        .map(|(variant, summary)| variant.scenario.cost(summary))
        .collect();
    if !variants.is_empty() && costs.iter().all(Option::is_some) {
        let parts: Vec<String> = variants
            .iter()
            .zip(&costs)
            .map(|(variant, cost)| {
                format!(
                    "{} {} at {}",
                    variant.name,
                    decimal(cost.unwrap_or_default()),
                    variant.scenario.price_per_hour.unwrap_or_default()
                )
            })
            .collect();
        writeln!(
            out,
            "{:<12} {} ({} an instance-hour)",
            "cost",
            decimal(costs.iter().flatten().sum()),
            parts.join(", ")
        )?;
    }
    for (variant, summary) in variants.iter().zip(summaries) {
        writeln!(
            out,
            "{:<12} {} ({}, {:.0} % of traffic at start): {} instance-hours, peak {}, {:.3}% \
             unserved, {} out, {} in",
            "variant",
            variant.name,
            variant.instance_type,
            variant.initial_share * 100.0,
            decimal(summary.instance_hours()),
            summary.peak_in_service,
            summary.unserved_fraction() * 100.0,
            count(summary.scale_out_events),
            count(summary.scale_in_events)
        )?;
    }
    Ok(())
}

/// The comparison as an aligned table, one row per scenario.
fn write_comparison(out: &mut String, output: &ComparisonOutput) -> std::fmt::Result {
    let name_width = output
        .rows
        .iter()
        .map(|row| row.name.len())
        .max()
        .unwrap_or(0)
        .max("scenario".len());
    // Request-level runs measure latency: a column for it, blank for fluid runs beside them.
    let latency = output.rows.iter().any(|row| row.summary.requests.is_some());
    write!(
        out,
        "{:<name_width$}  {:<20} {:>14} {:>6} {:>5} {:>10} {:>12} {:>6} {:>6}",
        "scenario",
        "autoscaler",
        "instance-hours",
        "mean",
        "peak",
        "unserved",
        "under-prov.",
        "out",
        "in"
    )?;
    if latency {
        write!(out, " {:>10} {:>10}", "mean wait", "p99")?;
    }
    writeln!(out)?;
    for row in &output.rows {
        let summary = &row.summary;
        write!(
            out,
            "{:<name_width$}  {:<20} {:>14} {:>6.2} {:>5} {:>9.3}% {:>12} {:>6} {:>6}",
            row.name,
            row.kind,
            decimal(summary.instance_hours()),
            summary.mean_in_service(),
            summary.peak_in_service,
            summary.unserved_fraction() * 100.0,
            duration(summary.underprovisioned_s() as f64),
            count(summary.scale_out_events),
            count(summary.scale_in_events),
        )?;
        if latency {
            let p99 = summary
                .requests
                .and_then(|r| r.latency_p99_s)
                .map_or_else(|| "-".to_owned(), seconds);
            write!(
                out,
                " {:>10} {:>10}",
                seconds(summary.mean_queue_wait_s()),
                p99
            )?;
        }
        writeln!(out)?;
    }
    Ok(())
}

/// `1 trace`, `2 traces`.
fn counted(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{} {noun}s", count(n as u64))
    }
}

/// A latency as people read it: `850 ms`, `3.30 s`, `66.4 s`.
fn seconds(value: f64) -> String {
    if value < 1.0 {
        format!("{:.0} ms", value * 1e3)
    } else if value < 10.0 {
        format!("{value:.2} s")
    } else {
        format!("{value:.1} s")
    }
}

fn write_summary(
    out: &mut String,
    scenario: &Scenario,
    summary: &Summary,
    variants: &[Summary],
) -> std::fmt::Result {
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
        count(summary.steps),
        duration(summary.duration_s as f64)
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
    if let (Some(cost), Some(price)) = (scenario.cost(summary), scenario.price_per_hour) {
        writeln!(
            out,
            "{:<12} {} at {price} an instance-hour",
            "cost",
            decimal(cost)
        )?;
    }
    write_variants(out, scenario, variants)?;
    let arrivals = if scenario.autoscaler.serves_sessions() {
        "session starts"
    } else {
        "requests"
    };
    match &summary.requests {
        None => writeln!(
            out,
            "{:<12} {} {arrivals}, {} unserved ({:.3}%)",
            "demand",
            count(summary.demand_total.round() as u64),
            count(summary.unserved_total.round() as u64),
            summary.unserved_fraction() * 100.0,
        )?,
        Some(requests) => {
            writeln!(
                out,
                "{:<12} {} requests: {} completed, {} failed ({:.3}%: {} timed out, {} \
                 rejected, {} without an instance), {} in flight at the end",
                "demand",
                count(requests.arrivals),
                count(requests.completed),
                count(requests.failed),
                summary.unserved_fraction() * 100.0,
                count(requests.timed_out),
                count(requests.rejected),
                count(requests.no_instance),
                count(requests.in_flight_end),
            )?;
            let seconds = |value: Option<f64>| value.map_or_else(|| "-".to_owned(), seconds);
            writeln!(
                out,
                "{:<12} p50 {}, p90 {}, p99 {}, p99.9 {}, max {}; mean wait {}",
                "latency",
                seconds(requests.latency_p50_s),
                seconds(requests.latency_p90_s),
                seconds(requests.latency_p99_s),
                seconds(requests.latency_p999_s),
                seconds(requests.latency_max_s),
                seconds(requests.wait_mean_s),
            )?;
        }
    }
    writeln!(
        out,
        "{:<12} {} steps = {} with demand lost or waiting",
        "under-prov.",
        count(summary.underprovisioned_steps),
        duration(summary.underprovisioned_s() as f64)
    )?;
    writeln!(
        out,
        "{:<12} {} out, {} in",
        "scaling",
        count(summary.scale_out_events),
        count(summary.scale_in_events)
    )
}

/// A figure with the precision its size deserves.
fn figure(value: f64) -> String {
    match value.abs() {
        v if v >= 100.0 => decimal(value),
        v if v >= 1.0 => format!("{value:.2}"),
        _ => format!("{value:.4}"),
    }
}

/// A non-negative amount with one decimal and thousands separators.
fn decimal(value: f64) -> String {
    let tenths = (value * 10.0).round() as u64;
    format!("{}.{}", count(tenths / 10), tenths % 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_have_one_decimal_and_separators() {
        assert_eq!(decimal(2227.46), "2,227.5");
        assert_eq!(decimal(0.04), "0.0");
    }
}
