//! `scalesim run` on a SageMaker endpoint with several production variants: each variant runs
//! on its share of the traffic with its own instances and autoscaler, and writes a run's files
//! into `variants/<VariantName>/`; the endpoint's own files sum them step by step.
//!
//! The endpoint's `timeseries.csv` has a run's columns, each the sum over the variants (its
//! `metric` is empty: the variants' metrics do not add up); `events.csv` lists every variant's
//! events in time order with a `variant` column; `summary.json` has a run's figures for the
//! endpoint, its cost summed over the variants' instance types, and `variants`, each variant's
//! own summary; `instances.png` / `.svg` draw one strip per variant under the endpoint's demand;
//! `report.html` shows the endpoint's sums, each event's reason prefixed with its variant.

use std::fs;
use std::path::{Path, PathBuf};

use scalesim_core::{BuildError, ScalingEvent, Sink, StepRecord, Summary, SummarySink};

use crate::compare::{BinnedSink, bin_seconds, overlay_plot};
use crate::compare_plot::{MAX_RUNS, render_comparison_png, render_comparison_svg};
use crate::error::OutputError;
use crate::output::{
    CsvSink, EVENTS_HEADER, Pending, RUN_FILES, RunOptions, RunOutput, TIMESERIES_HEADER,
    event_fields, first_null, plot_file, summary_value, write_run_files,
};
use crate::report::RunReport;
use crate::scenario::{ProductionVariantRun, Scenario};
use crate::staging::Staged;

/// The folder of an endpoint run that holds one folder of files per variant.
pub(crate) const VARIANTS_DIR: &str = "variants";

/// Adds each variant's steps into the endpoint's, and keeps its events.
struct EndpointSink<'a> {
    variant: usize,
    steps: &'a mut Vec<StepRecord>,
    events: &'a mut Vec<(usize, ScalingEvent)>,
}

impl Sink for EndpointSink<'_> {
    fn on_step(&mut self, record: &StepRecord) {
        let index = record.step_idx as usize;
        match self.steps.get_mut(index) {
            Some(sum) => {
                sum.demand += record.demand;
                sum.served += record.served;
                sum.unserved += record.unserved;
                sum.backlog += record.backlog;
                // Checked at load: the variants' largest capacities sum within u32.
                sum.in_service = sum.in_service.saturating_add(record.in_service);
                sum.desired = sum.desired.saturating_add(record.desired);
                sum.pending = sum.pending.saturating_add(record.pending);
                sum.capacity += record.capacity;
            }
            None => self.steps.push(StepRecord {
                metric: None,
                active_sessions: None,
                requests: None,
                ..*record
            }),
        }
    }

    fn on_scaling(&mut self, event: &ScalingEvent) {
        self.events.push((self.variant, *event));
    }
}

fn write_error(path: &Path) -> impl FnOnce(std::io::Error) -> OutputError + '_ {
    move |error| OutputError::Write {
        path: path.to_owned(),
        error,
    }
}

/// Runs every production variant of `scenario` and writes the endpoint's files into
/// `out_dir`, the variants' into its `variants/` folder.
pub(crate) fn write_endpoint_run(
    scenario: &Scenario,
    out_dir: &Path,
) -> Result<RunOutput, OutputError> {
    let variants = &scenario.production_variants;
    let staged = Staged::begin(out_dir)?;
    let mut steps: Vec<StepRecord> = Vec::with_capacity(scenario.demand.steps());
    let mut events: Vec<(usize, ScalingEvent)> = Vec::new();
    let mut files: Vec<PathBuf> = Vec::new();
    let mut summaries = Vec::with_capacity(variants.len());
    let variant_scenarios: Vec<Scenario> = variants.iter().map(|v| v.scenario.clone()).collect();
    let bin_s = bin_seconds(&variant_scenarios);
    let bins = (scenario.demand.steps() as u64 * scenario.demand.step_s())
        .div_ceil(bin_s)
        .max(1) as usize;
    let mut binned = Vec::with_capacity(variants.len());
    for (index, variant) in variants.iter().enumerate() {
        let relative = Path::new(VARIANTS_DIR).join(&variant.name);
        let dir = staged.dir().join(&relative);
        fs::create_dir_all(&dir).map_err(write_error(&dir))?;
        let mut endpoint = EndpointSink {
            variant: index,
            steps: &mut steps,
            events: &mut events,
        };
        let mut curve = BinnedSink::new(bin_s, bins);
        let (run, pending) = write_run_files(
            &variant.scenario,
            &dir,
            RunOptions::default(),
            &mut (&mut endpoint, &mut curve),
        )?;
        for file in pending {
            let written = file.persist()?;
            if let Some(name) = written.file_name() {
                files.push(out_dir.join(&relative).join(name));
            }
        }
        summaries.push(run.summary);
        binned.push(curve);
    }
    let out = staged.dir();
    let mut csv = CsvSink {
        timeseries: Pending::create(out, RUN_FILES[0])?,
        events: Pending::create(out, RUN_FILES[1])?,
        error: None,
    };
    csv.timeseries
        .write_all(format!("{TIMESERIES_HEADER}\n").as_bytes())?;
    let mut endpoint_curve = BinnedSink::new(bin_s, bins);
    let endpoint_summary =
        summed(&steps, &mut events, &mut endpoint_curve).ok_or_else(|| OutputError::Build {
            path: scenario.path.clone(),
            reason: BuildError::EmptyDemand,
        })?;
    for step in &steps {
        csv.on_step(step);
    }
    if let Some(err) = csv.error.take() {
        return Err(err);
    }
    let mut events_text = EVENTS_HEADER.replacen("t_s,", "t_s,variant,", 1) + "\n";
    for (variant, event) in &events {
        events_text.push_str(&format!(
            "{},{},{}\n",
            event.t_s,
            variants[*variant].name,
            event_fields(event)
        ));
    }
    csv.events.write_all(events_text.as_bytes())?;

    let costs: Vec<Option<f64>> = variants
        .iter()
        .zip(&summaries)
        .map(|(variant, summary)| variant.scenario.cost(summary))
        .collect();
    let mut json = summary_value(scenario, &endpoint_summary);
    if let Some(object) = json.as_object_mut() {
        object.remove("price_per_hour");
        object.remove("cost");
        if costs.iter().all(Option::is_some) {
            object.insert("cost".into(), costs.iter().flatten().sum::<f64>().into());
        }
        object.insert(
            "variants".into(),
            variants
                .iter()
                .zip(&summaries)
                .map(|(variant, summary)| {
                    let mut value = summary_value(&variant.scenario, summary);
                    if let Some(figures) = value.as_object_mut() {
                        figures.insert("variant".into(), variant.name.clone().into());
                        figures
                            .insert("instance_type".into(), variant.instance_type.clone().into());
                        figures
                            .insert("initial_traffic_share".into(), variant.initial_share.into());
                    }
                    value
                })
                .collect(),
        );
    }
    let mut summary_file = Pending::create(out, RUN_FILES[2])?;
    if let Some(figure) = first_null(&json, "") {
        return Err(OutputError::NotFinite {
            path: scenario.path.clone(),
            figure,
        });
    }
    let text = serde_json::to_string_pretty(&json).map_err(|err| OutputError::Write {
        path: summary_file.path().to_owned(),
        error: err.into(),
    })?;
    summary_file.write_all(text.as_bytes())?;
    summary_file.write_all(b"\n")?;

    // The report draws the endpoint's summed steps; each event's reason names its variant.
    let mut report = RunReport::new(steps.len() as u64).with_start(scenario.start);
    for step in &steps {
        report.on_step(step);
    }
    for (variant, event) in &events {
        report.add_event(event.step_idx, event.t_s, event.from, event.to, || {
            let name = variants.get(*variant).map_or("", |v| v.name.as_str());
            format!("{name}: {}", event.reason)
        });
    }
    let mut report_file = Pending::create(out, RUN_FILES[5])?;
    report_file.write_all(
        report
            .html(&scenario.name, scenario.autoscaler.kind(), &json)
            .as_bytes(),
    )?;

    let plot = overlay_plot(
        format!("{}: {} production variants", scenario.name, variants.len()),
        ("variant", "the endpoint's traffic, split by weight"),
        bin_s,
        &endpoint_curve,
        variants.iter().zip(&binned).map(|(variant, curve)| {
            (
                format!(
                    "{} ({}, {:.0} % of traffic at start)",
                    variant.name,
                    variant.instance_type,
                    variant.initial_share * 100.0
                ),
                curve,
            )
        }),
        false,
        scenario.start,
    );
    debug_assert!(variants.len() <= MAX_RUNS);
    let png = plot_file(out, RUN_FILES[3], || render_comparison_png(&plot))?;
    let svg = plot_file(out, RUN_FILES[4], || {
        render_comparison_svg(&plot).map(String::into_bytes)
    })?;
    let mut endpoint_files = staged.finish([
        csv.timeseries,
        csv.events,
        summary_file,
        png,
        svg,
        report_file,
    ])?;
    endpoint_files.extend(files);
    Ok(RunOutput {
        summary: endpoint_summary,
        files: endpoint_files,
        replicas: Default::default(),
        variants: summaries,
    })
}

/// The endpoint's figures over `variants`, each run on its own traffic and summed step by
/// step, and its cost, when every variant has a price; the summed steps and events also go to
/// `also`. What a sweep's row and a comparison need.
pub(crate) fn endpoint_summary(
    variants: &[ProductionVariantRun],
    also: &mut impl Sink,
) -> Result<(Summary, Option<f64>), BuildError> {
    let mut steps: Vec<StepRecord> = Vec::new();
    let mut events: Vec<(usize, ScalingEvent)> = Vec::new();
    let mut cost = Some(0.0);
    for (index, variant) in variants.iter().enumerate() {
        let mut summary = SummarySink::new();
        let mut endpoint = EndpointSink {
            variant: index,
            steps: &mut steps,
            events: &mut events,
        };
        variant
            .scenario
            .simulate(&mut (&mut summary, &mut endpoint))?;
        let summary = summary.summary().ok_or(BuildError::EmptyDemand)?;
        cost = cost
            .zip(variant.scenario.cost(&summary))
            .map(|(total, cost)| total + cost);
    }
    let summary = summed(&steps, &mut events, also).ok_or(BuildError::EmptyDemand)?;
    Ok((summary, cost))
}

/// The endpoint's figures over its summed `steps` and its variants' `events`, which are put in
/// time order (then the endpoint config's); both also go to `also`.
fn summed(
    steps: &[StepRecord],
    events: &mut [(usize, ScalingEvent)],
    also: &mut impl Sink,
) -> Option<Summary> {
    events.sort_by_key(|&(variant, event)| (event.t_s, variant));
    let mut summary = SummarySink::new();
    for step in steps {
        summary.on_step(step);
        also.on_step(step);
    }
    for (_, event) in events.iter() {
        summary.on_scaling(event);
        also.on_scaling(event);
    }
    summary.summary()
}
