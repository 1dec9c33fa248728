//! The sizes the files a run reads are held to, beside the core's limits on runs
//! (`scalesim_core::MAX_STEPS` and the rest), so that huge or deeply nested input gets an error
//! naming the file and the limit instead of an allocation abort, a hang or an out-of-memory kill.
//! Each sits far above real use; the README lists them all.

use std::io::Read;
use std::path::Path;

use crate::error::ScenarioError;

/// Largest scenario or sweep file: 1 MiB (the shipped ones are under 2 KiB).
pub(crate) const MAX_SCENARIO_BYTES: u64 = 1 << 20;

/// Largest vendor file: 4 MiB, the larger of the vendors' own limits (ARM templates, 4 MB;
/// a Kubernetes object is held to about 1.5 MiB by etcd).
pub(crate) const MAX_VENDOR_BYTES: u64 = 4 << 20;

/// Largest trace file: 1 GiB, about 80 million rows of `minute,requests`.
pub(crate) const MAX_TRACE_BYTES: u64 = 1 << 30;

/// Largest monitoring export (JSON): 128 MiB, several million points (a month of seconds);
/// its points are read into typed arrays, a few tens of bytes each.
pub(crate) const MAX_EXPORT_BYTES: u64 = 128 << 20;

/// Most rows of a trace: 50 million (578 days of seconds), about 1.2 GB while it is read.
pub(crate) const MAX_TRACE_ROWS: u64 = 50_000_000;

/// Deepest nesting of arrays and maps in a vendor file. JSON and YAML parsers stop at 128
/// anyway; counting first keeps a YAML file nested tens of thousands deep from taking the
/// parser quadratic time to get there.
pub(crate) const MAX_NESTING: usize = 128;

/// Most runs one sweep may have (its grid or `samples`): a million. Each keeps a result row
/// of a few hundred bytes until the sweep is written.
pub(crate) const MAX_SWEEP_RUNS: u64 = 1_000_000;

/// Most values one sweep parameter may list: ten thousand.
pub(crate) const MAX_SWEEP_VALUES: usize = 10_000;

/// Most traces a sweep may judge each policy on (`[sweep] traces`): a thousand.
pub(crate) const MAX_SWEEP_TRACES: usize = 1_000;

/// Most replicas of one scenario (`runs`): ten thousand, far more than a spread's percentiles
/// need.
pub(crate) const MAX_RUNS: u32 = 10_000;

/// Most replicas × steps of one scenario: 10⁹, about a minute of replay on two cores. Above it a
/// scenario is a sweep's work, which shards.
pub(crate) const MAX_REPLICA_STEPS: u64 = 1_000_000_000;

/// Longest fixed provisioning time, and largest mean of a drawn one: a week.
pub(crate) const MAX_PROVISIONING_S: u64 = 7 * 86_400;

/// Refuses a fixed provisioning time over [`MAX_PROVISIONING_S`], with the message's tail
/// (`must be at most …`) for the caller to put after the field's name.
pub(crate) fn check_provisioning_s(seconds: u64) -> Result<(), String> {
    if seconds > MAX_PROVISIONING_S {
        return Err(format!(
            "must be at most {MAX_PROVISIONING_S} s (a week), got {seconds}"
        ));
    }
    Ok(())
}

/// Longest mean service time of one request: an hour, SageMaker's longest (asynchronous)
/// invocation.
pub(crate) const MAX_SERVICE_TIME_S: f64 = 3_600.0;

/// Highest price of one instance-hour, in any currency.
pub(crate) const MAX_PRICE_PER_HOUR: f64 = 1e9;

/// Reads `path` whole, refusing it when it is larger than `max_bytes` (checked as it is read,
/// so a file that grows or a device without a size is caught too).
pub(crate) fn read_bounded(
    path: &Path,
    max_bytes: u64,
    what: &str,
) -> Result<Vec<u8>, ScenarioError> {
    let read_error = |error| ScenarioError::Read {
        path: path.to_owned(),
        error,
    };
    let file = std::fs::File::open(path).map_err(read_error)?;
    let mut bytes = Vec::new();
    file.take(max_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(read_error)?;
    if bytes.len() as u64 > max_bytes {
        return Err(ScenarioError::TooLarge {
            path: path.to_owned(),
            what: what.to_owned(),
            max: human_bytes(max_bytes),
        });
    }
    Ok(bytes)
}

/// [`read_bounded`] for text files.
pub(crate) fn read_text_bounded(
    path: &Path,
    max_bytes: u64,
    what: &str,
) -> Result<String, ScenarioError> {
    let bytes = read_bounded(path, max_bytes, what)?;
    String::from_utf8(bytes).map_err(|err| ScenarioError::Read {
        path: path.to_owned(),
        error: std::io::Error::new(std::io::ErrorKind::InvalidData, err.utf8_error()),
    })
}

/// Refuses JSON or YAML text whose arrays and maps nest deeper than [`MAX_NESTING`].
///
/// Counts flow brackets (`[`, `{`) outside quoted strings and comments, and block nesting by
/// indentation (each level indents at least one column more). A bracket inside a plain
/// scalar counts too: only a file that a parser would refuse anyway is refused by that.
pub(crate) fn check_nesting(path: &Path, text: &str) -> Result<(), ScenarioError> {
    let too_deep = |line: usize| ScenarioError::Json {
        path: path.to_owned(),
        message: format!(
            "line {line}: arrays and maps nest deeper than {MAX_NESTING} levels, more than a \
             vendor document can have"
        ),
    };
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    for (index, line) in text.lines().enumerate() {
        let line_number = index + 1;
        let indent = line.len() - line.trim_start_matches([' ', '-']).len();
        if quote.is_none() && depth == 0 && indent > MAX_NESTING * 16 {
            return Err(too_deep(line_number));
        }
        let mut chars = line.chars().peekable();
        let mut previous = ' ';
        while let Some(c) = chars.next() {
            match quote {
                Some('"') if c == '\\' => {
                    chars.next();
                }
                Some(open) if c == open => quote = None,
                Some(_) => {}
                None => match c {
                    '"' | '\'' => quote = Some(c),
                    '#' if previous.is_whitespace() => break,
                    '[' | '{' => {
                        depth += 1;
                        if depth > MAX_NESTING {
                            return Err(too_deep(line_number));
                        }
                    }
                    ']' | '}' => depth = depth.saturating_sub(1),
                    _ => {}
                },
            }
            previous = c;
        }
        // YAML's single-quoted and plain scalars do not span lines in JSON; a double-quoted
        // YAML string may, and stays open.
        if quote == Some('\'') {
            quote = None;
        }
    }
    Ok(())
}

/// Bytes one replica of a run holds per step at its peak: the demand, the plot's timeline (in
/// vectors that may have doubled) and the sinks. Measured at about 70; rounded up.
const RUN_BYTES_PER_STEP: u64 = 96;

/// What a run of `steps` steps, `parallel` replicas at a time, needs in memory, about.
pub(crate) fn run_bytes(steps: u64, parallel: u64) -> u64 {
    steps
        .saturating_mul(RUN_BYTES_PER_STEP)
        .saturating_mul(parallel.max(1))
}

/// Refuses, before it starts, what would need more memory than the machine has available
/// (`MemAvailable` of `/proc/meminfo`; where that cannot be read, nothing is refused).
pub(crate) fn check_memory(path: &Path, what: &str, needed: u64) -> Result<(), ScenarioError> {
    match available_memory() {
        Some(available) if needed > available => Err(ScenarioError::Field {
            path: path.to_owned(),
            field: "load".into(),
            message: format!(
                "{what} needs about {} of memory, more than the {} this machine has available: \
                 replay a shorter window of the trace, a longer step_s or fewer replicas",
                human_bytes(needed),
                human_bytes(available)
            ),
        }),
        _ => Ok(()),
    }
}

fn available_memory() -> Option<u64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = meminfo
        .lines()
        .find(|line| line.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib.saturating_mul(1024))
}

fn human_bytes(bytes: u64) -> String {
    if bytes >= 1 << 40 {
        format!("{:.1} TiB", bytes as f64 / (1u64 << 40) as f64)
    } else if bytes >= 1 << 30 {
        format!("{:.1} GiB", bytes as f64 / (1u64 << 30) as f64)
    } else if bytes >= 1 << 20 {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nesting(text: &str) -> Result<(), String> {
        check_nesting(Path::new("hpa.yaml"), text).map_err(|err| err.to_string())
    }

    #[test]
    fn nesting_counts_brackets_outside_strings() {
        let deep = format!("a: {}{}", "[".repeat(129), "]".repeat(129));
        assert_eq!(
            nesting(&deep),
            Err(
                "hpa.yaml: line 1: arrays and maps nest deeper than 128 levels, more than a \
                 vendor document can have"
                    .into()
            )
        );
        let fine = format!("a: {}{}", "[".repeat(128), "]".repeat(128));
        assert_eq!(nesting(&fine), Ok(()));
        let quoted = format!(
            "a: \"{}\"\nb: '{}' # {}",
            "[".repeat(500),
            "{".repeat(500),
            "[".repeat(500)
        );
        assert_eq!(nesting(&quoted), Ok(()));
    }

    #[test]
    fn files_over_their_limit_are_refused() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("policy.json");
        std::fs::write(&path, vec![b' '; 101])?;
        let err = read_bounded(&path, 100, "a vendor file")
            .map(|_| ())
            .map_err(|e| e.to_string());
        assert_eq!(
            err,
            Err(format!(
                "{}: larger than a vendor file may be (100 bytes)",
                path.display()
            ))
        );
        assert_eq!(read_bounded(&path, 101, "a vendor file")?.len(), 101);
        Ok(())
    }

    #[test]
    fn more_memory_than_the_machine_has_is_refused_before_the_run() {
        let err = check_memory(Path::new("s.toml"), "the run", u64::MAX).map_err(|e| e.to_string());
        if available_memory().is_some() {
            let message = err.err().unwrap_or_default();
            assert!(
                message.starts_with("s.toml: load: the run needs about 16777216.0 TiB of memory"),
                "{message}"
            );
        }
        assert!(check_memory(Path::new("s.toml"), "the run", 1 << 20).is_ok());
    }
}
