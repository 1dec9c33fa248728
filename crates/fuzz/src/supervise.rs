//! The driver: a supervisor process that runs cases in a worker child process and survives
//! whatever a case does to it.
//!
//! The worker (this same binary, started with `--worker-dir`) runs cases one after another and
//! announces each on stdout before it starts (`@fuzz start N`) and when it ends (`@fuzz pass N
//! KIND` or `@fuzz fail N KIND CLASS "DETAIL"`). Panics are caught in the worker and reported
//! as failures. When the worker dies instead (an allocation abort, a stack overflow, a signal)
//! or a case runs past the time limit, the supervisor kills it if needed, classifies the death
//! from its exit status and the end of its stderr, saves the case, and starts a new worker at
//! the next case. Cases are regenerated from the seed, so the supervisor saves a case's files
//! without the worker's help.

use std::collections::BTreeMap;
use std::io::{self, BufRead as _, BufReader, Read, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Mutex;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use crate::execute::{Failure, FailureClass, Verdict, run_case};
use crate::generate::{Action, Case, generate_case};
use crate::limit_alloc::ALLOCATION_LIMIT_MESSAGE;

/// What the worker writes before each of its messages on stdout.
const PREFIX: &str = "@fuzz";
/// What the worker writes before an error of its own (not the library's) on stderr.
pub const WORKER_ERROR: &str = "scalesim-fuzz worker:";
/// How much of the worker's stderr is kept for a crash report.
const STDERR_TAIL_BYTES: usize = 16 * 1024;

/// How a fuzzing run is set up.
#[derive(Debug, Clone)]
pub struct FuzzConfig {
    /// The seed all cases are drawn from.
    pub seed: u64,
    /// The first case number.
    pub first_case: u64,
    /// How many cases to run.
    pub cases: u64,
    /// The longest a case may run.
    pub timeout: Duration,
    /// Where failing cases are saved, one folder per case number.
    pub failures_dir: PathBuf,
    /// The executable to start as the worker: this crate's `scalesim-fuzz` binary.
    pub worker_exe: PathBuf,
    /// Failures the worker makes on purpose instead of running these cases, to test that the
    /// supervisor survives and classifies them; empty for real runs.
    pub injections: Vec<(u64, Injection)>,
}

/// A failure the worker makes on purpose, to test the supervisor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Injection {
    /// `panic!`, which the worker catches.
    Panic,
    /// Allocates past the allocation limit.
    Allocate,
    /// Sleeps past any time limit.
    Hang,
    /// Recurses until the stack overflows.
    StackOverflow,
    /// `std::process::abort`.
    Abort,
}

impl Injection {
    /// Every injection, in a fixed order.
    pub const ALL: [Injection; 5] = [
        Injection::Panic,
        Injection::Allocate,
        Injection::Hang,
        Injection::StackOverflow,
        Injection::Abort,
    ];

    /// Its name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Injection::Panic => "panic",
            Injection::Allocate => "allocate",
            Injection::Hang => "hang",
            Injection::StackOverflow => "stack-overflow",
            Injection::Abort => "abort",
        }
    }

    /// `N:NAME`, as `--inject-failure` takes it.
    pub fn parse(text: &str) -> Option<(u64, Injection)> {
        let (number, name) = text.split_once(':')?;
        let injection = Self::ALL.into_iter().find(|i| i.name() == name)?;
        Some((number.parse().ok()?, injection))
    }

    fn happen(self) {
        match self {
            Injection::Panic => panic!("injected panic"),
            Injection::Allocate => {
                let huge: Vec<u8> = vec![1; 8 << 30];
                std::hint::black_box(huge);
            }
            Injection::Hang => loop {
                std::thread::sleep(Duration::from_secs(3600));
            },
            Injection::StackOverflow => {
                std::hint::black_box(recurse(std::hint::black_box(u64::MAX)));
            }
            Injection::Abort => std::process::abort(),
        }
    }
}

/// Recursion the optimiser cannot turn into a loop.
fn recurse(depth: u64) -> u64 {
    let frame = std::hint::black_box([depth; 64]);
    if depth == 0 {
        return 0;
    }
    recurse(depth - 1).wrapping_add(frame[7])
}

/// The outcome of one case as the supervisor saw it.
#[derive(Debug, Clone)]
pub struct CaseOutcome {
    /// The case number.
    pub number: u64,
    /// Its input kind's label.
    pub kind: String,
    /// The failure, if it failed.
    pub failure: Option<Failure>,
    /// Whether the library took the input, for a case that passed.
    pub verdict: Option<Verdict>,
    /// For a failure, the hostile knobs the case turned (from its notes), which name the cause
    /// when the failure's message cannot (an abort, a hang).
    pub knobs: Vec<String>,
}

/// What a fuzzing run found.
#[derive(Debug, Clone, Default)]
pub struct FuzzReport {
    /// Cases that passed every oracle.
    pub passed: u64,
    /// The failing cases, in case order.
    pub failures: Vec<CaseOutcome>,
    /// Per input kind: cases run, cases the library accepted, and cases failed.
    pub per_kind: BTreeMap<String, KindCounts>,
    /// Failures per class.
    pub per_class: BTreeMap<FailureClass, u64>,
    /// How long the run took.
    pub elapsed: Duration,
}

/// The counts of one input kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct KindCounts {
    /// Cases run.
    pub cases: u64,
    /// Cases that passed with their input accepted (the rest of the passes were refused).
    pub accepted: u64,
    /// Cases failed.
    pub failed: u64,
}

impl FuzzReport {
    fn record(&mut self, outcome: CaseOutcome) {
        let entry = self.per_kind.entry(outcome.kind.clone()).or_default();
        entry.cases += 1;
        if outcome.verdict == Some(Verdict::Accepted) {
            entry.accepted += 1;
        }
        match &outcome.failure {
            None => self.passed += 1,
            Some(failure) => {
                entry.failed += 1;
                *self.per_class.entry(failure.class).or_default() += 1;
                self.failures.push(outcome);
            }
        }
    }

    /// The summary: `fuzz: N passed, M failed`, then counts per input kind and per class.
    pub fn summary(&self) -> String {
        let mut text = format!(
            "fuzz: {} passed, {} failed\n",
            self.passed,
            self.failures.len()
        );
        for (kind, counts) in &self.per_kind {
            text.push_str(&format!(
                "kind {kind}: {} cases, {} failed ({} passed accepted, {} passed refused)\n",
                counts.cases,
                counts.failed,
                counts.accepted,
                counts.cases - counts.failed - counts.accepted
            ));
        }
        for (class, count) in &self.per_class {
            text.push_str(&format!("class {class}: {count}\n"));
        }
        let mut distinct: BTreeMap<(FailureClass, String), (u64, u64)> = BTreeMap::new();
        for outcome in &self.failures {
            if let Some(failure) = &outcome.failure {
                let entry = distinct
                    .entry((failure.class, signature(failure, &outcome.knobs)))
                    .or_insert((0, outcome.number));
                entry.0 += 1;
            }
        }
        if !distinct.is_empty() {
            text.push_str(
                "distinct failures (class, message with numbers as #: count, first case):\n",
            );
            for ((class, message), (count, first)) in &distinct {
                text.push_str(&format!("  {class}: {message}: {count}, case {first}\n"));
            }
        }
        let cases = self.passed + self.failures.len() as u64;
        let seconds = self.elapsed.as_secs_f64();
        text.push_str(&format!(
            "{cases} cases in {seconds:.1} s ({:.1} cases/s)\n",
            cases as f64 / seconds.max(1e-9)
        ));
        text
    }
}

/// A failure's first line with numbers, temp paths and quoted values blurred, so that failures
/// of one cause group together.
fn signature(failure: &Failure, knobs: &[String]) -> String {
    let first = match failure.class {
        FailureClass::AllocationLimit
        | FailureClass::AllocationFailed
        | FailureClass::Timeout
        | FailureClass::Crash
        | FailureClass::StackOverflow => knobs.join("; "),
        _ => failure.detail.lines().next().unwrap_or_default().to_owned(),
    };
    let mut blurred = String::new();
    let mut in_number = false;
    for c in first.chars() {
        if c.is_ascii_digit() || (in_number && matches!(c, '.' | 'e' | '-' | '+')) {
            if !in_number {
                blurred.push('#');
            }
            in_number = true;
        } else {
            in_number = false;
            blurred.push(c);
        }
    }
    blurred.chars().take(160).collect()
}

/// Runs `config.cases` cases in worker processes, saving each failure under
/// `config.failures_dir`, and calls `on_case` after each case.
pub fn supervise(
    config: &FuzzConfig,
    on_case: &mut dyn FnMut(&CaseOutcome),
) -> io::Result<FuzzReport> {
    let started = Instant::now();
    let work = tempfile::Builder::new()
        .prefix("scalesim-fuzz-")
        .tempdir()?;
    let end = config.first_case.saturating_add(config.cases);
    let mut report = FuzzReport::default();
    let mut next = config.first_case;
    while next < end {
        let mut record = |mut outcome: CaseOutcome| -> io::Result<()> {
            if let Some(failure) = &outcome.failure {
                let case = generate_case(config.seed, outcome.number);
                save_failure(config, &case, failure)?;
                outcome.knobs = case
                    .notes
                    .iter()
                    .filter(|note| note.contains("knob:"))
                    .cloned()
                    .collect();
            }
            on_case(&outcome);
            report.record(outcome);
            Ok(())
        };
        // Made again if something removed it, so that a vanished folder costs one case, not
        // every case after it.
        std::fs::create_dir_all(work.path())?;
        next = run_worker_until_done_or_dead(config, work.path(), next, end, &mut record)?;
        clear_dir(work.path());
    }
    report.elapsed = started.elapsed();
    Ok(report)
}

/// What the worker's output streams say.
enum Event {
    Out(String),
    Err(String),
    OutClosed,
    ErrClosed,
}

fn forward_lines(stream: impl Read, tx: Sender<Event>, stdout: bool) {
    let mut reader = BufReader::new(stream);
    let mut line = Vec::new();
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) => {
                let text = String::from_utf8_lossy(&line).trim_end().to_owned();
                let event = if stdout {
                    Event::Out(text)
                } else {
                    Event::Err(text)
                };
                if tx.send(event).is_err() {
                    return;
                }
            }
        }
    }
    let _ = tx.send(if stdout {
        Event::OutClosed
    } else {
        Event::ErrClosed
    });
}

/// Starts a worker at case `next` and follows it until it finishes or dies; returns the case
/// to start the next worker at.
fn run_worker_until_done_or_dead(
    config: &FuzzConfig,
    work: &Path,
    next: u64,
    end: u64,
    record: &mut dyn FnMut(CaseOutcome) -> io::Result<()>,
) -> io::Result<u64> {
    let mut child = Command::new(&config.worker_exe)
        .arg("--worker-dir")
        .arg(work)
        .arg("--seed")
        .arg(config.seed.to_string())
        .arg("--first-case")
        .arg(next.to_string())
        .arg("--cases")
        .arg((end - next).to_string())
        .args(config.injections.iter().flat_map(|(number, injection)| {
            [
                "--inject-failure".to_owned(),
                format!("{number}:{}", injection.name()),
            ]
        }))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let (tx, rx) = mpsc::channel();
    if let Some(stdout) = child.stdout.take() {
        let tx = tx.clone();
        std::thread::spawn(move || forward_lines(stdout, tx, true));
    }
    if let Some(stderr) = child.stderr.take() {
        std::thread::spawn(move || forward_lines(stderr, tx, false));
    }
    let mut follower = Follower {
        config,
        child: &mut child,
        rx: &rx,
        next,
        current: None,
        stderr_tail: String::new(),
        started_any: false,
    };
    follower.follow(record)
}

/// Follows one worker.
struct Follower<'a> {
    config: &'a FuzzConfig,
    child: &'a mut Child,
    rx: &'a Receiver<Event>,
    /// The first case not yet finished.
    next: u64,
    /// The case running and when it started.
    current: Option<(u64, Instant)>,
    /// The end of the worker's stderr since the last case ended.
    stderr_tail: String,
    /// Whether the worker announced any case.
    started_any: bool,
}

impl Follower<'_> {
    fn follow(&mut self, record: &mut dyn FnMut(CaseOutcome) -> io::Result<()>) -> io::Result<u64> {
        let (mut out_open, mut err_open) = (true, true);
        while out_open || err_open {
            // Between cases the worker only draws the next case; the same limit is generous.
            let deadline =
                self.current.map_or(Instant::now(), |(_, started)| started) + self.config.timeout;
            let event = match self
                .rx
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            {
                Ok(event) => event,
                Err(RecvTimeoutError::Timeout) => {
                    let _ = self.child.kill();
                    let _ = self.child.wait();
                    let number = self.current.map_or(self.next, |(number, _)| number);
                    let failure = Failure {
                        class: FailureClass::Timeout,
                        detail: format!(
                            "still running after {} s; killed",
                            self.config.timeout.as_secs_f64()
                        ),
                    };
                    record(self.outcome_of_dead_case(number, failure))?;
                    return Ok(number + 1);
                }
                Err(RecvTimeoutError::Disconnected) => break,
            };
            match event {
                Event::Out(line) => self.on_message(&line, record)?,
                Event::Err(line) => self.keep_stderr(&line),
                Event::OutClosed => out_open = false,
                Event::ErrClosed => err_open = false,
            }
        }
        let status = self.child.wait()?;
        match self.current {
            Some((number, _)) => {
                let failure = classify_death(status, &self.stderr_tail);
                record(self.outcome_of_dead_case(number, failure))?;
                Ok(number + 1)
            }
            None if !status.success() && !self.started_any => {
                // A worker that dies before its first case cannot run cases at all: charging
                // the cases one by one would only fill the report with the harness's failure.
                Err(io::Error::other(format!(
                    "the worker {} before running a case: {}",
                    describe_status(status),
                    self.stderr_tail.trim()
                )))
            }
            None if !status.success() && self.next < self.config.first_case + self.config.cases => {
                // Died between cases: charge the next one, so the run moves on.
                let failure = classify_death(status, &self.stderr_tail);
                record(self.outcome_of_dead_case(self.next, failure))?;
                Ok(self.next + 1)
            }
            None => Ok(self.next.max(self.config.first_case + self.config.cases)),
        }
    }

    fn keep_stderr(&mut self, line: &str) {
        self.stderr_tail.push_str(line);
        self.stderr_tail.push('\n');
        if self.stderr_tail.len() > STDERR_TAIL_BYTES {
            let mut cut = self.stderr_tail.len() - STDERR_TAIL_BYTES;
            while !self.stderr_tail.is_char_boundary(cut) {
                cut += 1;
            }
            self.stderr_tail.drain(..cut);
        }
    }

    fn on_message(
        &mut self,
        line: &str,
        record: &mut dyn FnMut(CaseOutcome) -> io::Result<()>,
    ) -> io::Result<()> {
        let Some(message) = line.strip_prefix(PREFIX) else {
            self.keep_stderr(line);
            return Ok(());
        };
        let mut words = message.trim_start().splitn(5, ' ');
        let verb = words.next().unwrap_or_default();
        let Some(number) = words.next().and_then(|n| n.parse::<u64>().ok()) else {
            return Ok(());
        };
        let kind = words.next().unwrap_or_default().to_owned();
        match verb {
            // The tail is cleared when a case ends, not when the next starts: stderr comes on
            // another pipe, so a dying case's last words may arrive before its start line.
            "start" => {
                self.current = Some((number, Instant::now()));
                self.started_any = true;
            }
            "pass" => {
                self.current = None;
                self.stderr_tail.clear();
                self.next = number + 1;
                let verdict = match words.next() {
                    Some("accepted") => Verdict::Accepted,
                    _ => Verdict::Refused(String::new()),
                };
                record(CaseOutcome {
                    number,
                    kind,
                    failure: None,
                    verdict: Some(verdict),
                    knobs: Vec::new(),
                })?;
            }
            "fail" => {
                self.current = None;
                self.stderr_tail.clear();
                self.next = number + 1;
                let class = words
                    .next()
                    .and_then(FailureClass::from_name)
                    .unwrap_or(FailureClass::Harness);
                let detail = words
                    .next()
                    .and_then(|d| serde_json::from_str::<String>(d).ok())
                    .unwrap_or_default();
                record(CaseOutcome {
                    number,
                    kind,
                    failure: Some(Failure { class, detail }),
                    verdict: None,
                    knobs: Vec::new(),
                })?;
            }
            _ => {}
        }
        Ok(())
    }

    fn outcome_of_dead_case(&self, number: u64, mut failure: Failure) -> CaseOutcome {
        let tail = self.stderr_tail.trim();
        if !tail.is_empty() {
            failure.detail.push_str("\nstderr (end):\n");
            failure.detail.push_str(tail);
        }
        CaseOutcome {
            number,
            kind: generate_case(self.config.seed, number).kind.label(),
            failure: Some(failure),
            verdict: None,
            knobs: Vec::new(),
        }
    }
}

/// Why the worker died, from its exit status and what it last wrote to stderr.
fn classify_death(status: ExitStatus, stderr_tail: &str) -> Failure {
    let find = |needle: &str| {
        stderr_tail
            .lines()
            .find(|line| line.contains(needle))
            .map(str::to_owned)
    };
    let how = describe_status(status);
    let (class, line) = if let Some(line) = find(WORKER_ERROR) {
        (FailureClass::Harness, line)
    } else if let Some(line) = find(ALLOCATION_LIMIT_MESSAGE) {
        (FailureClass::AllocationLimit, line)
    } else if let Some(line) = find("memory allocation of") {
        (FailureClass::AllocationFailed, line)
    } else if let Some(line) = find("has overflowed its stack") {
        (FailureClass::StackOverflow, line)
    } else if let Some(line) = find("panicked at") {
        (FailureClass::Panic, line)
    } else {
        (FailureClass::Crash, String::new())
    };
    let detail = if line.is_empty() {
        format!("the worker {how}")
    } else {
        format!("{line} (the worker {how})")
    };
    Failure { class, detail }
}

fn describe_status(status: ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt as _;
        if let Some(signal) = status.signal() {
            let name = match signal {
                6 => " (SIGABRT)",
                9 => " (SIGKILL)",
                11 => " (SIGSEGV)",
                7 => " (SIGBUS)",
                _ => "",
            };
            return format!("was killed by signal {signal}{name}");
        }
    }
    match status.code() {
        Some(code) => format!("exited with code {code}"),
        None => "ended".to_owned(),
    }
}

/// Removes everything inside `dir`, keeping `dir`: what a killed worker left behind.
fn clear_dir(dir: &Path) {
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            let _ = if path.is_dir() {
                std::fs::remove_dir_all(&path)
            } else {
                std::fs::remove_file(&path)
            };
        }
    }
}

/// Writes the failing case's files and `reason.txt` into `failures_dir/<case>/`.
fn save_failure(config: &FuzzConfig, case: &Case, failure: &Failure) -> io::Result<()> {
    let dir = config.failures_dir.join(case.number.to_string());
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    for file in &case.files {
        let path = dir.join(&file.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, &file.bytes)?;
    }
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join("reason.txt"), reason_text(config, case, failure))
}

fn reason_text(config: &FuzzConfig, case: &Case, failure: &Failure) -> String {
    let mut text = format!(
        "class: {}\ncase: {} (seed {}), {}\n\n{}\n\nhow the case was drawn:\n",
        failure.class,
        case.number,
        config.seed,
        case.kind.label(),
        failure.detail
    );
    for note in &case.notes {
        text.push_str(&format!("- {note}\n"));
    }
    text.push_str("\nreproduce, from this folder:\n");
    match &case.action {
        Action::Run {
            scenario,
            trace_replica,
        } => {
            text.push_str(&format!(
                "  scalesim run {} --out /tmp/fuzz-out\n",
                scenario.display()
            ));
            if let Some(replica) = trace_replica {
                text.push_str(&format!(
                    "  scalesim trace {} --replica {replica} --out /tmp/fuzz-trace/drawn.csv\n",
                    scenario.display()
                ));
            }
        }
        Action::Sweep { file, shards } => {
            text.push_str(&format!(
                "  scalesim sweep {} --out /tmp/fuzz-out\n",
                file.display()
            ));
            if let Some(shards) = shards {
                let mut dirs = Vec::new();
                for shard in 1..=*shards {
                    text.push_str(&format!(
                        "  scalesim sweep {} --shard {shard}/{shards} --out /tmp/fuzz-shard-{shard}\n",
                        file.display()
                    ));
                    dirs.push(format!("/tmp/fuzz-shard-{shard}"));
                }
                text.push_str(&format!(
                    "  scalesim merge {} {} --out /tmp/fuzz-merged\n",
                    file.display(),
                    dirs.join(" ")
                ));
            }
        }
        Action::ReadTrace {
            file,
            window,
            step_s,
            ..
        } => {
            text.push_str(&format!(
                "  scalesim_runner::read_trace(\"{}\", BucketWindow {{ from_bucket: {}, buckets: {:?} }}, {step_s})\n",
                file.display(),
                window.from_bucket,
                window.buckets
            ));
        }
    }
    text.push_str(&format!(
        "or through the harness (a debug build, without --release, also panics on integer \
         overflow where release wraps):\n  cargo run --release -p scalesim-fuzz -- --seed {} --case {}\n",
        config.seed, case.number
    ));
    text
}

/// The first panic's message, kept by the worker's panic hook for the case that caught it.
static PANIC_MESSAGE: Mutex<Option<String>> = Mutex::new(None);

/// Runs cases `first..first + cases` of `seed` in this process, each in a fresh folder under
/// `work`, announcing each on stdout as the supervisor expects.
pub fn run_worker(
    seed: u64,
    first: u64,
    cases: u64,
    work: &Path,
    injections: &[(u64, Injection)],
) -> io::Result<()> {
    std::panic::set_hook(Box::new(|info| {
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "(a non-string payload)".to_owned());
        let location = info
            .location()
            .map_or_else(String::new, |l| format!(" at {}:{}", l.file(), l.line()));
        let mut text = format!(
            "thread '{}' panicked{location}: {message}",
            std::thread::current().name().unwrap_or("<unnamed>")
        );
        // Overflow panics point into core (`accum.rs`); the scalesim frames say where.
        let backtrace = std::backtrace::Backtrace::force_capture().to_string();
        let frames: Vec<&str> = backtrace
            .lines()
            .map(str::trim)
            .filter(|line| line.starts_with("at ") && line.contains("crates/"))
            .filter(|line| !line.contains("crates/fuzz"))
            .take(8)
            .collect();
        if !frames.is_empty() {
            text.push_str("\nscalesim frames:\n  ");
            text.push_str(&frames.join("\n  "));
        }
        eprintln!("{text}");
        if let Ok(mut slot) = PANIC_MESSAGE.lock()
            && slot.is_none()
        {
            *slot = Some(text);
        }
    }));
    let mut stdout = io::stdout().lock();
    for number in first..first.saturating_add(cases) {
        writeln!(stdout, "{PREFIX} start {number}")?;
        stdout.flush()?;
        let case = generate_case(seed, number);
        let kind = case.kind.label();
        let make_dir = || {
            tempfile::Builder::new()
                .prefix(&format!("case-{number}-"))
                .tempdir_in(work)
        };
        // The work folder is made again once if something removed it.
        let dir = match make_dir() {
            Ok(dir) => dir,
            Err(_) => {
                std::fs::create_dir_all(work)?;
                make_dir()?
            }
        };
        if let Ok(mut slot) = PANIC_MESSAGE.lock() {
            *slot = None;
        }
        let injection = injections
            .iter()
            .find(|(at, _)| *at == number)
            .map(|(_, injection)| *injection);
        let result = std::panic::catch_unwind(|| match injection {
            Some(injection) => {
                injection.happen();
                Ok(Verdict::Accepted)
            }
            None => run_case(&case, dir.path()),
        });
        let (verdict, failure) = match result {
            Ok(Ok(verdict)) => (verdict, None),
            Ok(Err(failure)) => (Verdict::Refused(String::new()), Some(failure)),
            Err(_) => {
                let message = PANIC_MESSAGE
                    .lock()
                    .ok()
                    .and_then(|mut slot| slot.take())
                    .unwrap_or_else(|| "panicked (no message)".to_owned());
                (
                    Verdict::Refused(String::new()),
                    Some(Failure {
                        class: FailureClass::Panic,
                        detail: message,
                    }),
                )
            }
        };
        match failure {
            None => writeln!(stdout, "{PREFIX} pass {number} {kind} {}", verdict.name())?,
            Some(failure) => writeln!(
                stdout,
                "{PREFIX} fail {number} {kind} {} {}",
                failure.class,
                serde_json::Value::from(failure.detail)
            )?,
        }
        stdout.flush()?;
        // A folder the library left read-only or half-written is no reason to stop.
        let _ = dir.close();
    }
    Ok(())
}
