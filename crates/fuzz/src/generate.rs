//! Cases: whole input sets drawn from a seed and a case number. A case starts from a shipped,
//! valid scenario or sweep (see [`crate::templates`]), replaces its trace by a small drawn one,
//! adds optional sections, then sometimes turns one knob to a hostile value that the issue
//! (#11) or the types suggest, mutates the trees at random, and damages bytes.
//!
//! Valid cases stay small (traces of at most a few thousand steps, sweeps of a few dozen
//! runs), so that a run that is accepted finishes in milliseconds and a slow one means a bug.

use std::path::PathBuf;

use rand::seq::{IndexedMutRandom, IndexedRandom};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use scalesim_core::BucketWindow;

use crate::exports::draw_export;
use crate::mutate::{deep_node, hostile_number, mutate_bytes, mutate_tree};
use crate::templates::{AutoscalerKind, SCENARIOS, SWEEPS, Template, sweep_parameters};
use crate::tree::{DeepStyle, Format, Node, Number};

/// The most steps a valid drawn trace or synthetic load makes.
const MAX_VALID_STEPS: u64 = 3_000;

/// What kind of input a case exercises, for the counts in the summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum InputKind {
    /// A scenario file run as `scalesim run` runs it.
    Scenario(AutoscalerKind),
    /// A sweep file run as `scalesim sweep` (and, sharded, `scalesim merge`) runs it.
    Sweep(AutoscalerKind),
    /// A trace CSV read on its own.
    Trace,
    /// A monitoring export (CloudWatch, Prometheus, Azure Monitor, Datadog) read as a trace.
    Export,
}

impl InputKind {
    /// `scenario:aws-target-tracking`, `sweep:kubernetes-hpa`, `trace`.
    pub fn label(self) -> String {
        match self {
            InputKind::Scenario(kind) => format!("scenario:{}", kind.name()),
            InputKind::Sweep(kind) => format!("sweep:{}", kind.name()),
            InputKind::Trace => "trace".to_owned(),
            InputKind::Export => "export".to_owned(),
        }
    }
}

/// One file of a case, relative to the case's folder.
#[derive(Debug, Clone)]
pub struct CaseFile {
    /// Where it goes, relative to the case's folder.
    pub path: PathBuf,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// What a case does with its files: the library calls one CLI command makes.
#[derive(Debug, Clone)]
pub enum Action {
    /// `scalesim run SCENARIO --out OUT`, then, if given, `scalesim trace --replica R`.
    Run {
        /// The scenario file.
        scenario: PathBuf,
        /// The replica to write with `write_trace` after the run, if any.
        trace_replica: Option<u64>,
    },
    /// `scalesim sweep FILE`; with `shards`, also every `--shard I/N` and `scalesim merge`.
    Sweep {
        /// The sweep file.
        file: PathBuf,
        /// How many shards to split it into besides the whole run.
        shards: Option<u64>,
    },
    /// `read_trace(FILE, window, step_s)`.
    ReadTrace {
        /// The trace file.
        file: PathBuf,
        /// The window read.
        window: BucketWindow,
        /// The step the demand is cut into.
        step_s: u64,
        /// The buckets a valid export was drawn with; a CSV's are read from the file.
        drawn: Option<KnownTrace>,
    },
}

/// A trace's buckets as the harness knows them, to hold the demand read to: bucket `index`
/// (in widths of `bucket_s` from the first) holds `count` arrivals.
#[derive(Debug, Clone, PartialEq)]
pub struct KnownTrace {
    /// Seconds a bucket lasts.
    pub bucket_s: u64,
    /// (index, count), in index order.
    pub rows: Vec<(u64, f64)>,
}

/// A whole input set and what to do with it.
#[derive(Debug, Clone)]
pub struct Case {
    /// The case's number; with the seed it makes the case again.
    pub number: u64,
    /// What it exercises.
    pub kind: InputKind,
    /// Its files.
    pub files: Vec<CaseFile>,
    /// What to do with them.
    pub action: Action,
    /// What was drawn and mutated, in order, for the failure report.
    pub notes: Vec<String>,
}

/// The case `number` of `seed`: the same pair always gives the same case.
pub fn generate_case(seed: u64, number: u64) -> Case {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(number);
    match rng.random_range(0..100) {
        0..60 => scenario_case(&mut rng, number),
        60..85 => sweep_case(&mut rng, number),
        85..93 => trace_case(&mut rng, number),
        _ => export_case(&mut rng, number),
    }
}

/// A scenario being drawn: its tree, its vendor documents and its traces.
struct Draft {
    kind: AutoscalerKind,
    scenario_name: &'static str,
    scenario: Node,
    vendors: Vec<(String, Format, Node)>,
    traces: Vec<(String, Vec<u8>)>,
    notes: Vec<String>,
}

impl Draft {
    fn from_template(template: &Template, scenario_name: &'static str) -> Self {
        let scenario = toml::from_str::<toml::Table>(template.scenario)
            .map(|table| Node::from(&toml::Value::Table(table)))
            .unwrap_or_else(|_| Node::Table(Vec::new()));
        let vendors = template
            .vendor
            .iter()
            .map(|(path, text)| {
                let (format, value) = if path.ends_with(".yaml") {
                    let value: serde_json::Value =
                        serde_norway::from_str(text).unwrap_or(serde_json::Value::Null);
                    (Format::Yaml, value)
                } else {
                    let value: serde_json::Value =
                        serde_json::from_str(text).unwrap_or(serde_json::Value::Null);
                    (Format::Json, value)
                };
                ((*path).to_owned(), format, Node::from(&value))
            })
            .collect();
        Self {
            kind: template.kind,
            scenario_name,
            scenario,
            vendors,
            traces: Vec::new(),
            notes: vec![format!("template {}", template.origin)],
        }
    }

    /// The run's step: `step_s` if written, else the kind's default.
    fn step_s(&self) -> u64 {
        let written = match self.scenario.lookup("step_s") {
            Some(Node::Number(Number::Int(step))) => u64::try_from(*step).ok(),
            _ => None,
        };
        written.unwrap_or(match self.kind {
            AutoscalerKind::Hpa => 15,
            _ => 60,
        })
    }

    /// Random structural mutations, each in the scenario or one of its vendor documents.
    fn mutate(&mut self, rng: &mut ChaCha8Rng, count: usize) {
        for _ in 0..count {
            let target = rng.random_range(0..=self.vendors.len());
            let note = match target.checked_sub(1).and_then(|i| self.vendors.get_mut(i)) {
                Some((path, _, node)) => format!("mutation {path}: {}", mutate_tree(node, rng)),
                None => format!(
                    "mutation {}: {}",
                    self.scenario_name,
                    mutate_tree(&mut self.scenario, rng)
                ),
            };
            self.notes.push(note);
        }
    }

    /// The files, with bytes damaged in one of them now and then.
    fn into_files(self, rng: &mut ChaCha8Rng, notes: &mut Vec<String>) -> Vec<CaseFile> {
        notes.extend(self.notes);
        let mut files = vec![CaseFile {
            path: PathBuf::from(self.scenario_name),
            bytes: self.scenario.render(Format::Toml).into_bytes(),
        }];
        for (path, format, node) in self.vendors {
            files.push(CaseFile {
                path: PathBuf::from(path),
                bytes: node.render(format).into_bytes(),
            });
        }
        for (path, bytes) in self.traces {
            files.push(CaseFile {
                path: PathBuf::from(path),
                bytes,
            });
        }
        if rng.random_bool(0.08)
            && let Some(file) = files.choose_mut(rng)
        {
            let note = mutate_bytes(&mut file.bytes, rng);
            notes.push(format!("bytes of {}: {note}", file.path.display()));
        }
        files
    }
}

fn scenario_case(rng: &mut ChaCha8Rng, number: u64) -> Case {
    let kind = *AutoscalerKind::ALL
        .choose(rng)
        .unwrap_or(&AutoscalerKind::Aws);
    let templates: Vec<&Template> = SCENARIOS.iter().filter(|t| t.kind == kind).collect();
    let Some(template) = templates.choose(rng) else {
        return trace_case(rng, number);
    };
    let mut draft = Draft::from_template(template, "scenario.toml");
    prepare_scenario(&mut draft, rng);
    if rng.random_bool(0.35) {
        scenario_knob(&mut draft, rng);
    }
    if rng.random_bool(0.45) {
        let count = rng.random_range(1..=3);
        draft.mutate(rng, count);
    }
    let has_synthetic = draft.scenario.lookup("load.synthetic").is_some();
    let trace_replica = match rng.random_range(0..10) {
        0..3 => Some(0),
        3 if has_synthetic => Some(1),
        _ => None,
    };
    let mut notes = Vec::new();
    let files = draft.into_files(rng, &mut notes);
    Case {
        number,
        kind: InputKind::Scenario(kind),
        files,
        action: Action::Run {
            scenario: PathBuf::from("scenario.toml"),
            trace_replica,
        },
        notes,
    }
}

/// Makes a template small and varied: a drawn trace, optional synthetic load, provisioning,
/// service model, SLO, replicas and window.
fn prepare_scenario(draft: &mut Draft, rng: &mut ChaCha8Rng) {
    if draft.kind != AutoscalerKind::Hpa && rng.random_bool(0.15) {
        let step_s = *[1u64, 10, 20, 30, 60].choose(rng).unwrap_or(&60);
        draft.scenario.set("step_s", Node::int(i128::from(step_s)));
        draft.notes.push(format!("step_s = {step_s}"));
    }
    let step_s = draft.step_s();
    let sessions = draft.kind == AutoscalerKind::Huawei;
    let synthetic_only = rng.random_bool(0.12);
    let load = draft.scenario.lookup_mut("load");
    if let Some(load) = load {
        load.remove("from_bucket");
        load.remove("buckets");
        if synthetic_only {
            load.remove("trace");
        } else {
            load.set("trace", Node::text("trace.csv"));
        }
    }
    let export = !synthetic_only && rng.random_bool(0.2);
    if export && let Some(load) = draft.scenario.lookup_mut("load") {
        load.set("trace", Node::text("trace.json"));
    }
    if !synthetic_only {
        let (bytes, rows) = if export {
            let (bytes, known) = draw_export(rng, step_s, MAX_VALID_STEPS, &mut draft.notes);
            let rows = known.map_or(0, |known| known.rows.len() as u64);
            draft.traces.push(("trace.json".to_owned(), bytes));
            (Vec::new(), rows)
        } else {
            draw_trace(rng, step_s, sessions, &mut draft.notes)
        };
        if !export {
            draft.traces.push(("trace.csv".to_owned(), bytes));
        }
        if rng.random_bool(0.15) && rows > 2 {
            let from = rng.random_range(0..rows / 2);
            let buckets = rng.random_range(1..=rows - from);
            draft
                .scenario
                .set_path("load.from_bucket", Node::int(i128::from(from)));
            draft
                .scenario
                .set_path("load.buckets", Node::int(i128::from(buckets)));
        }
    }
    let has_synthetic = draft.scenario.lookup("load.synthetic").is_some();
    if synthetic_only || (!has_synthetic && rng.random_bool(0.2)) {
        let synthetic = synthetic_table(rng, step_s, !synthetic_only);
        draft.scenario.set_path("load.synthetic", synthetic);
    }
    if synthetic_only && let Some(synthetic) = draft.scenario.lookup_mut("load.synthetic") {
        let steps = rng.random_range(1..=MAX_VALID_STEPS / 2);
        synthetic.set("duration_s", Node::int(i128::from(steps * step_s)));
    }
    let runs = match draft.scenario.lookup("runs") {
        Some(_) => Some(rng.random_range(1..=3)),
        None if rng.random_bool(0.15) => Some(rng.random_range(1..=4)),
        None => None,
    };
    if let Some(runs) = runs {
        draft.scenario.set("runs", Node::int(runs));
    }
    if rng.random_bool(0.3) {
        let provisioning = if rng.random_bool(0.5) {
            Node::int(i128::from(step_s * rng.random_range(0..=10)))
        } else {
            distribution(rng, 30.0, 600.0)
        };
        draft
            .scenario
            .set_path("fleet.provisioning_s", provisioning);
    }
    if rng.random_bool(0.3) {
        let service_time_s = *[0.05, 0.5, 1.0, 2.0].choose(rng).unwrap_or(&1.0);
        draft
            .scenario
            .set_path("service.service_time_s", Node::float(service_time_s));
        if rng.random_bool(0.5) {
            let model = if rng.random_bool(0.5) {
                "queue"
            } else {
                "throttle"
            };
            draft.scenario.set_path("service.model", Node::text(model));
        }
        if rng.random_bool(0.5) {
            draft.scenario.set_path("slo.latency_s", Node::float(2.0));
            draft
                .scenario
                .set_path("slo.max_unserved_fraction", Node::float(0.01));
        }
    }
    if rng.random_bool(0.2) {
        let price = *[0.1, 0.23, 1.0].choose(rng).unwrap_or(&0.1);
        draft
            .scenario
            .set_path("fleet.price_per_hour", Node::float(price));
    }
    if rng.random_bool(0.2) {
        let seed = rng.random_range(0..1_000);
        draft.scenario.set("seed", Node::int(seed));
    }
}

/// A distribution table drawn around `low..high`.
fn distribution(rng: &mut ChaCha8Rng, low: f64, high: f64) -> Node {
    let mean = rng.random_range(low..high);
    match rng.random_range(0..5) {
        0 => Node::table(vec![
            ("distribution", Node::text("fixed")),
            ("value", Node::float(mean)),
        ]),
        1 => Node::table(vec![
            ("distribution", Node::text("uniform")),
            ("low", Node::float(low)),
            ("high", Node::float(high)),
        ]),
        2 => Node::table(vec![
            ("distribution", Node::text("exponential")),
            ("mean", Node::float(mean)),
        ]),
        3 => Node::table(vec![
            ("distribution", Node::text("lognormal")),
            ("mean", Node::float(mean)),
            ("sigma", Node::float(0.5)),
        ]),
        _ => Node::table(vec![
            ("distribution", Node::text("pareto")),
            ("scale", Node::float(low)),
            ("shape", Node::float(2.5)),
        ]),
    }
}

/// A `[load.synthetic]` table of one to three terms; with `replay`, one may replay the trace.
fn synthetic_table(rng: &mut ChaCha8Rng, step_s: u64, replay: bool) -> Node {
    let mut table = Vec::new();
    match rng.random_range(0..4) {
        0 => {}
        1 => table.push(("noise", Node::text("none"))),
        2 => table.push(("noise", Node::text("poisson"))),
        _ => {
            table.push(("noise", Node::text("negative-binomial")));
            table.push(("dispersion", Node::float(10.0)));
        }
    }
    let day = 86_400;
    let mut terms = Vec::new();
    for index in 0..rng.random_range(1..=3) {
        let combine = if index > 0 && rng.random_bool(0.3) {
            Some(("combine", Node::text("multiply")))
        } else {
            None
        };
        let mut term = match rng.random_range(0..7) {
            0 => vec![
                ("shape", Node::text("constant")),
                ("per_min", Node::float(rng.random_range(0.0..500.0))),
            ],
            1 => vec![
                ("shape", Node::text("diurnal")),
                ("mean_per_min", Node::float(rng.random_range(0.0..500.0))),
                ("amplitude", Node::float(rng.random_range(0.0..1.0))),
                ("peak_s", Node::int(rng.random_range(0..day))),
            ],
            2 => vec![
                ("shape", Node::text("weekly")),
                (
                    "factors",
                    Node::Array(
                        (0..7)
                            .map(|_| Node::float(rng.random_range(0.0..2.0)))
                            .collect(),
                    ),
                ),
            ],
            3 => vec![
                ("shape", Node::text("ramp")),
                ("from", Node::float(1.0)),
                ("to", Node::float(rng.random_range(0.0..3.0))),
                ("start_s", Node::int(0)),
                ("end_s", Node::int(i128::from(step_s) * 500)),
            ],
            4 => vec![
                ("shape", Node::text("step")),
                ("at_s", Node::int(i128::from(step_s) * 100)),
                ("before", Node::float(10.0)),
                ("after", Node::float(rng.random_range(0.0..400.0))),
            ],
            5 => vec![
                ("shape", Node::text("spikes")),
                ("per_day", Node::float(rng.random_range(0.5..20.0))),
                ("height_per_min", distribution(rng, 50.0, 400.0)),
                ("length_s", distribution(rng, 60.0, 1800.0)),
            ],
            _ if replay => vec![
                ("shape", Node::text("replay")),
                ("scale", Node::float(rng.random_range(0.5..2.0))),
            ],
            _ => vec![
                ("shape", Node::text("constant")),
                ("per_min", Node::float(60.0)),
            ],
        };
        // Spikes cannot multiply; keep the combine for the others.
        if let Some(combine) = combine
            && !matches!(term.first(), Some((_, Node::Text(shape))) if shape == "spikes")
        {
            term.insert(0, combine);
        }
        terms.push(Node::table(term));
    }
    table.push(("terms", Node::Array(terms)));
    Node::table(table)
}

/// Turns one knob to a value that is valid by type but hostile by size, the kind the issue
/// lists: years of synthetic load in 1 s steps, provisioning means of 1e18 s, service times of
/// 2^32 s, replica counts near u32::MAX, windows past 2^63, capacities at the float limits,
/// deep nesting in a vendor file.
fn scenario_knob(draft: &mut Draft, rng: &mut ChaCha8Rng) {
    let huge = |rng: &mut ChaCha8Rng| {
        *[1e18, 1e308, 4_294_967_296.0, 1e12, f64::MAX]
            .choose(rng)
            .unwrap_or(&1e18)
    };
    let note = match rng.random_range(0..14) {
        0 => {
            // A century aborts at once on the allocation limit; a year or ten runs into the
            // time limit instead, which costs the run 20 s, so those are drawn less often.
            let years = *[1, 10, 100, 100, 100].choose(rng).unwrap_or(&100);
            let duration_s = 31_536_000 * years;
            draft.scenario.set("step_s", Node::int(1));
            if let Some(load) = draft.scenario.lookup_mut("load") {
                load.remove("trace");
            }
            draft.traces.clear();
            draft.scenario.set_path(
                "load.synthetic",
                Node::table(vec![
                    ("duration_s", Node::int(duration_s)),
                    (
                        "terms",
                        Node::Array(vec![Node::table(vec![
                            ("shape", Node::text("constant")),
                            ("per_min", Node::float(60.0)),
                        ])]),
                    ),
                ]),
            );
            format!("knob: synthetic duration_s = {duration_s} in 1 s steps")
        }
        1 => {
            let mean = huge(rng);
            let shape = *["exponential", "lognormal", "fixed", "uniform"]
                .choose(rng)
                .unwrap_or(&"exponential");
            let table = match shape {
                "fixed" => vec![
                    ("distribution", Node::text(shape)),
                    ("value", Node::float(mean)),
                ],
                "uniform" => vec![
                    ("distribution", Node::text(shape)),
                    ("low", Node::float(0.0)),
                    ("high", Node::float(mean)),
                ],
                "lognormal" => vec![
                    ("distribution", Node::text(shape)),
                    ("mean", Node::float(mean)),
                    ("sigma", Node::float(1.0)),
                ],
                _ => vec![
                    ("distribution", Node::text(shape)),
                    ("mean", Node::float(mean)),
                ],
            };
            draft
                .scenario
                .set_path("fleet.provisioning_s", Node::table(table));
            format!("knob: provisioning_s drawn from {shape} around {mean:e}")
        }
        2 => {
            let service_time_s = *[4_294_967_296.0, 1e12, 1e308, 1e-300, 3600.0]
                .choose(rng)
                .unwrap_or(&4_294_967_296.0);
            draft
                .scenario
                .set_path("service.service_time_s", Node::float(service_time_s));
            format!("knob: service.service_time_s = {service_time_s:e}")
        }
        3 => {
            let runs = *[4_294_967_295_i128, 100_000, 0].choose(rng).unwrap_or(&0);
            draft.scenario.set("runs", Node::int(runs));
            format!("knob: runs = {runs}")
        }
        4 => {
            let from = *[0, 1_000_000_000_000, i64::MAX as i128]
                .choose(rng)
                .unwrap_or(&0);
            let buckets = *[1, i64::MAX as i128, 1_000_000_000_000]
                .choose(rng)
                .unwrap_or(&1);
            draft.scenario.set_path("load.from_bucket", Node::int(from));
            draft.scenario.set_path("load.buckets", Node::int(buckets));
            format!("knob: load window from_bucket = {from}, buckets = {buckets}")
        }
        5 => {
            let capacity = *[1e-300, 5e-324, 1e308, f64::MAX, 1e-9]
                .choose(rng)
                .unwrap_or(&1e-300);
            draft
                .scenario
                .set_path("fleet.capacity_per_instance", Node::float(capacity));
            format!("knob: fleet.capacity_per_instance = {capacity:e}")
        }
        6 => {
            let mean_s = huge(rng);
            draft
                .scenario
                .set_path("sessions.mean_s", Node::float(mean_s));
            format!("knob: sessions.mean_s = {mean_s:e}")
        }
        7 => {
            // An HPA manifest's `status` takes any value, so the nesting reaches the parser
            // whole; YAML flow style is where depth costs the most.
            let deep = match draft.kind {
                AutoscalerKind::Hpa => Node::Deep {
                    depth: *[20_000, 50_000, 100_000].choose(rng).unwrap_or(&50_000),
                    style: *[DeepStyle::Arrays, DeepStyle::Tables, DeepStyle::Dashes]
                        .choose(rng)
                        .unwrap_or(&DeepStyle::Arrays),
                },
                _ => deep_node(rng),
            };
            let note = format!("knob: {deep:?} nested in a vendor file");
            if let Some((_, _, node)) = draft.vendors.choose_mut(rng) {
                let key = match draft.kind {
                    AutoscalerKind::Hpa => "status",
                    _ => "deep",
                };
                node.set(key, deep);
            }
            note
        }
        12 => {
            // Spike heights with an infinite mean: some replica draws a spike that overflows.
            let runs = rng.random_range(5..=10);
            draft.scenario.set("runs", Node::int(runs));
            let spikes = Node::table(vec![
                ("shape", Node::text("spikes")),
                ("per_day", Node::float(1000.0)),
                (
                    "height_per_min",
                    Node::table(vec![
                        ("distribution", Node::text("pareto")),
                        ("scale", Node::float(1.0)),
                        ("shape", Node::float(0.01)),
                    ]),
                ),
                (
                    "length_s",
                    Node::table(vec![
                        ("distribution", Node::text("fixed")),
                        ("value", Node::float(60.0)),
                    ]),
                ),
            ]);
            let synthetic = draft.scenario.lookup_mut("load.synthetic");
            match synthetic.and_then(|table| table.lookup_mut("terms")) {
                Some(Node::Array(terms)) => terms.push(spikes),
                _ => {
                    let has_trace = !draft.traces.is_empty();
                    let mut table = vec![("terms", Node::Array(vec![spikes]))];
                    if !has_trace {
                        table.insert(0, ("duration_s", Node::int(3600)));
                    }
                    draft
                        .scenario
                        .set_path("load.synthetic", Node::table(table));
                }
            }
            format!("knob: runs = {runs} with Pareto spike heights of shape 0.01")
        }
        8 => {
            let step_s = *[7_i128, 4_294_967_296, i64::MAX as i128, 86_400]
                .choose(rng)
                .unwrap_or(&7);
            draft.scenario.set("step_s", Node::int(step_s));
            format!("knob: step_s = {step_s}")
        }
        9 => {
            let initial = *[4_294_967_295_i128, 1_000_000, 0].choose(rng).unwrap_or(&0);
            draft
                .scenario
                .set_path("fleet.initial_instances", Node::int(initial));
            format!("knob: fleet.initial_instances = {initial}")
        }
        10 => {
            let price = huge(rng);
            draft
                .scenario
                .set_path("fleet.price_per_hour", Node::float(price));
            format!("knob: fleet.price_per_hour = {price:e}")
        }
        11 => {
            // The vendor's maximum as large as its type allows, so the fleet can grow huge.
            let (key, value) = match draft.kind {
                AutoscalerKind::Aws => ("MaxCapacity", Node::int(2_147_483_647)),
                AutoscalerKind::Hpa => ("maxReplicas", Node::int(2_147_483_647)),
                AutoscalerKind::Azure => ("maximum", Node::text("1000000")),
                AutoscalerKind::Huawei => ("max_scaling_amount", Node::int(100)),
            };
            for (_, _, node) in &mut draft.vendors {
                set_everywhere(node, key, &value);
            }
            if let Some(capacity) = draft.scenario.lookup_mut("fleet.capacity_per_instance") {
                *capacity = Node::float(1e-6);
            }
            format!("knob: {key} as large as allowed, capacity_per_instance = 1e-6")
        }
        _ => {
            let number = hostile_number(rng);
            let keys = [
                "fleet.capacity_per_instance",
                "autoscaler.metric_delay_s",
                "seed",
                "autoscaler.evaluation_period_s",
                "autoscaler.sync_period_s",
                "autoscaler.tolerance",
                "autoscaler.cpu_request_m",
            ];
            let key = *keys.choose(rng).unwrap_or(&"seed");
            draft.scenario.set_path(key, Node::Number(number.clone()));
            format!("knob: {key} = {number:?}")
        }
    };
    draft.notes.push(note);
}

/// Sets every entry named `key`, at any depth.
fn set_everywhere(node: &mut Node, key: &str, value: &Node) {
    match node {
        Node::Table(entries) => {
            for (name, child) in entries {
                if name == key {
                    *child = value.clone();
                } else {
                    set_everywhere(child, key, value);
                }
            }
        }
        Node::Array(items) => {
            for item in items {
                set_everywhere(item, key, value);
            }
        }
        _ => {}
    }
}

fn sweep_case(rng: &mut ChaCha8Rng, number: u64) -> Case {
    let shipped = rng.random_bool(0.35);
    let template = if shipped {
        SWEEPS.choose(rng)
    } else {
        SCENARIOS.choose(rng)
    };
    let Some(template) = template else {
        return trace_case(rng, number);
    };
    let mut draft = Draft::from_template(template, "sweep.toml");
    prepare_scenario(&mut draft, rng);
    // Replicas and latency multiply the cost of every run; a sweep keeps them rare.
    draft.scenario.remove("runs");
    if shipped {
        shrink_sweep(&mut draft, rng);
    } else {
        let table = sweep_table(draft.kind, rng);
        draft.scenario.set("sweep", table);
    }
    if rng.random_bool(0.15) {
        let step_s = draft.step_s();
        let sessions = draft.kind == AutoscalerKind::Huawei;
        let (bytes, _) = draw_trace(rng, step_s, sessions, &mut draft.notes);
        draft.traces.push(("trace2.csv".to_owned(), bytes));
        if let Some(sweep) = draft.scenario.lookup_mut("sweep") {
            sweep.set("traces", Node::Array(vec![Node::text("trace2.csv")]));
        }
    }
    if rng.random_bool(0.4) {
        let minimize = if rng.random_bool(0.5) {
            "cost"
        } else {
            "instance_hours"
        };
        draft
            .scenario
            .set_path("objective.minimize", Node::text(minimize));
        draft.scenario.set_path(
            "objective.max_unserved_fraction",
            Node::float(*[0.0, 0.001, 0.1, 1.0].choose(rng).unwrap_or(&0.001)),
        );
    }
    if rng.random_bool(0.3) {
        sweep_knob(&mut draft, rng);
    }
    if rng.random_bool(0.4) {
        let count = rng.random_range(1..=2);
        draft.mutate(rng, count);
    }
    let shards = rng.random_bool(0.3).then(|| rng.random_range(2..=3));
    let kind = draft.kind;
    let mut notes = Vec::new();
    let files = draft.into_files(rng, &mut notes);
    Case {
        number,
        kind: InputKind::Sweep(kind),
        files,
        action: Action::Sweep {
            file: PathBuf::from("sweep.toml"),
            shards,
        },
        notes,
    }
}

/// A shipped sweep's grid cut to a few runs: at most two values per parameter.
fn shrink_sweep(draft: &mut Draft, rng: &mut ChaCha8Rng) {
    if let Some(Node::Table(entries)) = draft.scenario.lookup_mut("sweep") {
        for (_, values) in entries.iter_mut() {
            if let Node::Array(items) = values {
                let keep = rng.random_range(1..=2).min(items.len());
                let start = rng.random_range(0..=items.len() - keep);
                *items = items[start..start + keep].to_vec();
            }
        }
        let keep = rng.random_range(1..=entries.len().max(1));
        entries.truncate(keep);
    }
}

/// A `[sweep]` table of one to three parameters the kind knows, sometimes sampled.
fn sweep_table(kind: AutoscalerKind, rng: &mut ChaCha8Rng) -> Node {
    let parameters = sweep_parameters(kind);
    let count = rng.random_range(1..=3).min(parameters.len());
    let chosen: Vec<&(&str, &[f64])> = pick_distinct(rng, parameters.len(), count)
        .into_iter()
        .filter_map(|index| parameters.get(index))
        .collect();
    let mut entries = Vec::new();
    for (name, values) in chosen {
        let keep = rng.random_range(1..=values.len().min(3));
        let picked: Vec<Node> = pick_distinct(rng, values.len(), keep)
            .into_iter()
            .filter_map(|index| values.get(index).copied())
            .map(|value| {
                if value.fract() == 0.0 {
                    Node::int(value as i128)
                } else {
                    Node::float(value)
                }
            })
            .collect();
        entries.push(((*name).to_owned(), Node::Array(picked)));
    }
    if rng.random_bool(0.2) {
        entries.push(("samples".to_owned(), Node::int(rng.random_range(1..=10))));
    }
    Node::Table(entries)
}

/// `count` distinct indices below `len`, in drawn order (a partial Fisher–Yates shuffle; rand's
/// own needs its `alloc` feature, which the workspace leaves off).
fn pick_distinct(rng: &mut ChaCha8Rng, len: usize, count: usize) -> Vec<usize> {
    let mut indices: Vec<usize> = (0..len).collect();
    let count = count.min(len);
    for slot in 0..count {
        let pick = rng.random_range(slot..len);
        indices.swap(slot, pick);
    }
    indices.truncate(count);
    indices
}

/// One hostile sweep setting: samples or grids of 10^12 runs, hostile values, names that
/// collide or do not exist.
fn sweep_knob(draft: &mut Draft, rng: &mut ChaCha8Rng) {
    let Some(Node::Table(entries)) = draft.scenario.lookup_mut("sweep") else {
        return;
    };
    let note = match rng.random_range(0..7) {
        0 => {
            let samples = *[1_000_000_000_000_i128, i64::MAX as i128, 0, -1]
                .choose(rng)
                .unwrap_or(&0);
            entries.retain(|(key, _)| key != "samples");
            entries.push(("samples".to_owned(), Node::int(samples)));
            format!("knob: sweep samples = {samples}")
        }
        1 => {
            // Three lists of 10^4 values: a grid of 10^12 combinations.
            let names = ["capacity_per_instance", "provisioning_s"];
            entries.retain(|(key, _)| !names.contains(&key.as_str()) && key != "samples");
            for name in names {
                let values = (1..=10_000).map(|v| Node::int(v * 60)).collect();
                entries.push((name.to_owned(), Node::Array(values)));
            }
            if let Some((name, values)) = entries.first_mut()
                && !names.contains(&name.as_str())
            {
                *values = Node::Array((1..=10_000).map(|v| Node::int(v % 50 + 1)).collect());
            }
            "knob: sweep grid of 10^8 to 10^12 combinations".to_owned()
        }
        2 => {
            let number = hostile_number(rng);
            if let Some((name, Node::Array(values))) = entries.first_mut() {
                values.push(Node::Number(number.clone()));
                format!("knob: sweep {name} also takes {number:?}")
            } else {
                "knob: sweep without a list".to_owned()
            }
        }
        3 => {
            entries.push(("NoSuchField".to_owned(), Node::Array(vec![Node::int(1)])));
            "knob: sweep names an unknown parameter".to_owned()
        }
        4 => {
            if let Some(first) = entries.first().cloned() {
                entries.push(first);
            }
            "knob: sweep parameter named twice".to_owned()
        }
        5 => {
            entries.push((
                "traces".to_owned(),
                Node::Array(vec![Node::text("missing.csv")]),
            ));
            "knob: sweep traces names a missing file".to_owned()
        }
        _ => {
            let price = *[f64::MAX, 1e308, 1e300].choose(rng).unwrap_or(&f64::MAX);
            draft
                .scenario
                .set_path("fleet.price_per_hour", Node::float(price));
            format!("knob: fleet.price_per_hour = {price:e}")
        }
    };
    draft.notes.push(note);
}

fn trace_case(rng: &mut ChaCha8Rng, number: u64) -> Case {
    let step_s = *[60u64, 60, 15, 1, 30, 120, 7].choose(rng).unwrap_or(&60);
    let mut notes = Vec::new();
    let sessions = rng.random_bool(0.2);
    let (mut bytes, rows) = draw_trace(rng, step_s, sessions, &mut notes);
    if rng.random_bool(0.15) {
        notes.push(format!(
            "bytes of trace.csv: {}",
            mutate_bytes(&mut bytes, rng)
        ));
    }
    let (window, step_s) = draw_window(rng, rows, step_s);
    notes.push(format!("window {window:?}, step_s {step_s}"));
    Case {
        number,
        kind: InputKind::Trace,
        files: vec![CaseFile {
            path: PathBuf::from("trace.csv"),
            bytes,
        }],
        action: Action::ReadTrace {
            file: PathBuf::from("trace.csv"),
            window,
            step_s,
            drawn: None,
        },
        notes,
    }
}

fn export_case(rng: &mut ChaCha8Rng, number: u64) -> Case {
    let step_s = *[60u64, 60, 300, 10, 1, 3600, 7].choose(rng).unwrap_or(&60);
    let mut notes = Vec::new();
    let (mut bytes, mut drawn) = draw_export(rng, step_s, MAX_VALID_STEPS, &mut notes);
    if rng.random_bool(0.1) {
        notes.push(format!(
            "bytes of trace.json: {}",
            mutate_bytes(&mut bytes, rng)
        ));
        drawn = None;
    }
    let rows = drawn.as_ref().map_or(2, |drawn| drawn.rows.len() as u64);
    let (window, step_s) = draw_window(rng, rows, step_s);
    notes.push(format!("window {window:?}, step_s {step_s}"));
    Case {
        number,
        kind: InputKind::Export,
        files: vec![CaseFile {
            path: PathBuf::from("trace.json"),
            bytes,
        }],
        action: Action::ReadTrace {
            file: PathBuf::from("trace.json"),
            window,
            step_s,
            drawn,
        },
        notes,
    }
}

/// The window and step a trace of `rows` buckets is read with: mostly all of it at `step_s`,
/// sometimes a part, sometimes windows and steps at the ends of their types.
fn draw_window(rng: &mut ChaCha8Rng, rows: u64, step_s: u64) -> (BucketWindow, u64) {
    match rng.random_range(0..10) {
        0..6 => (BucketWindow::ALL, step_s),
        6..8 => {
            let from = rng.random_range(0..rows.max(1));
            let buckets = rng.random_range(1..=rows.max(1));
            (
                BucketWindow {
                    from_bucket: from,
                    buckets: Some(buckets),
                },
                step_s,
            )
        }
        8 => {
            let from = *[0, u64::MAX, u64::MAX - 1, 1 << 63]
                .choose(rng)
                .unwrap_or(&0);
            let buckets = *[None, Some(u64::MAX), Some(1), Some(0)]
                .choose(rng)
                .unwrap_or(&None);
            (
                BucketWindow {
                    from_bucket: from,
                    buckets,
                },
                step_s,
            )
        }
        _ => (
            BucketWindow::ALL,
            *[0, u64::MAX, 1 << 40].choose(rng).unwrap_or(&0),
        ),
    }
}

/// A trace CSV of at most [`MAX_VALID_STEPS`] steps of `step_s`, with a hostile row or header
/// now and then. Returns the bytes and the number of buckets the rows span.
fn draw_trace(
    rng: &mut ChaCha8Rng,
    step_s: u64,
    sessions: bool,
    notes: &mut Vec<String>,
) -> (Vec<u8>, u64) {
    let (bucket_column, bucket_s) = *[("minute", 60u64), ("minute", 60), ("second", 1), ("t_s", 1)]
        .choose(rng)
        .unwrap_or(&("minute", 60));
    let count_column = if sessions {
        "sessions"
    } else {
        *["requests", "requests", "invocations"]
            .choose(rng)
            .unwrap_or(&"requests")
    };
    let max_rows = (MAX_VALID_STEPS.saturating_mul(step_s.max(1)) / bucket_s).clamp(1, 20_000);
    let rows = if rng.random_bool(0.1) {
        max_rows
    } else {
        rng.random_range(1..=max_rows.min(400))
    };
    let level = if sessions {
        rng.random_range(0.0..4.0)
    } else {
        rng.random_range(0.0..300.0)
    };
    let fractional = !sessions && rng.random_bool(0.2);
    let mut lines: Vec<(String, String)> = Vec::with_capacity(rows as usize + 1);
    let mut index = if rng.random_bool(0.1) {
        rng.random_range(1..100)
    } else {
        0
    };
    for row in 0..rows {
        let wave = (row as f64 / 30.0).sin() * 0.5 + 1.0;
        let count = level * wave * rng.random_range(0.5..1.5);
        let count = if fractional {
            format!("{count:.3}")
        } else {
            format!("{}", count.round())
        };
        lines.push((index.to_string(), count));
        index += if rng.random_bool(0.05) {
            rng.random_range(2..10)
        } else {
            1
        };
    }
    let span = index;
    let mut header = vec![bucket_column.to_owned(), count_column.to_owned()];
    let mut crlf = false;
    if rng.random_bool(0.25) {
        let note = trace_knob(rng, &mut lines, &mut header, &mut crlf);
        notes.push(note);
    }
    notes.push(format!(
        "trace: {} rows of {bucket_column},{count_column}",
        lines.len()
    ));
    let ending = if crlf { "\r\n" } else { "\n" };
    let mut text = header.join(",");
    text.push_str(ending);
    for (index, count) in &lines {
        text.push_str(index);
        text.push(',');
        text.push_str(count);
        text.push_str(ending);
    }
    (text.into_bytes(), span)
}

/// One hostile edit of a trace: index jumps to 10^12 or near 2^64, counts near f64::MAX, bad
/// numbers, disorder, odd headers.
fn trace_knob(
    rng: &mut ChaCha8Rng,
    lines: &mut Vec<(String, String)>,
    header: &mut Vec<String>,
    crlf: &mut bool,
) -> String {
    let last: u64 = lines
        .last()
        .and_then(|(index, _)| index.parse().ok())
        .unwrap_or(0);
    match rng.random_range(0..10) {
        0 | 1 => {
            let jump = *[
                last.saturating_add(1_000_000_000_000),
                u64::MAX,
                u64::MAX - 1,
                u64::MAX - 59,
                1 << 63,
                (1 << 63) + 1,
                last.saturating_add(10_000_000),
            ]
            .choose(rng)
            .unwrap_or(&u64::MAX);
            lines.push((jump.to_string(), "1".to_owned()));
            format!("trace knob: last bucket index jumps from {last} to {jump}")
        }
        2 | 3 => {
            let huge = *["1.7976931348623157e308", "1e308", "8.98846567431158e307"]
                .choose(rng)
                .unwrap_or(&"1e308");
            let how_many = rng.random_range(1..=3).min(lines.len());
            for (_, count) in lines.iter_mut().take(how_many) {
                *count = huge.to_owned();
            }
            format!("trace knob: {how_many} counts = {huge}")
        }
        4 => {
            let bad = *[
                "-1", "nan", "inf", "", "abc", "1e400", "-0", "1e-320", "0x10",
            ]
            .choose(rng)
            .unwrap_or(&"nan");
            if let Some((_, count)) = lines.choose_mut(rng) {
                *count = bad.to_owned();
            }
            format!("trace knob: a count = {bad:?}")
        }
        5 => {
            let bad = *["-1", "1.5", "", "1e3", "18446744073709551616", " 3 ", "+2"]
                .choose(rng)
                .unwrap_or(&"-1");
            if let Some((index, _)) = lines.choose_mut(rng) {
                *index = bad.to_owned();
            }
            format!("trace knob: a bucket index = {bad:?}")
        }
        6 => {
            if lines.len() > 1 {
                let at = rng.random_range(1..lines.len());
                let copy = lines[at - 1].clone();
                lines.insert(at, copy);
            }
            "trace knob: a row repeated".to_owned()
        }
        7 => {
            let choice = rng.random_range(0..5);
            match choice {
                0 => header.clear(),
                1 => header.push("requests".to_owned()),
                2 => header.insert(0, "note".to_owned()),
                3 => header.reverse(),
                _ => lines.clear(),
            }
            format!("trace knob: header or rows edited ({choice})")
        }
        8 => {
            *crlf = true;
            "trace knob: CRLF line endings".to_owned()
        }
        _ => {
            let more: u64 = rng.random_range(3_000..20_000);
            for index in last.saturating_add(1)..last.saturating_add(1 + more) {
                lines.push((index.to_string(), "1".to_owned()));
            }
            format!("trace knob: {more} more rows")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_and_number_give_the_same_case() {
        for number in 0..50 {
            let a = generate_case(7, number);
            let b = generate_case(7, number);
            assert_eq!(a.notes, b.notes);
            let bytes = |case: &Case| -> Vec<Vec<u8>> {
                case.files.iter().map(|f| f.bytes.clone()).collect()
            };
            assert_eq!(bytes(&a), bytes(&b));
        }
    }

    #[test]
    fn every_kind_of_input_is_drawn() {
        let kinds: std::collections::BTreeSet<InputKind> = (0..400)
            .map(|number| generate_case(1, number).kind)
            .collect();
        assert_eq!(kinds.len(), 10, "{kinds:?}");
    }
}
