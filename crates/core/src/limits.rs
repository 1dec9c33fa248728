//! The sizes a run is held to, so that numbers that are valid in form but huge in effect (a
//! trace index of 10^12, years of one-second steps, a count near `f64::MAX`) are refused with an
//! error that names them, before anything is allocated or summed, rather than aborting the
//! process, running for hours or writing figures that are no longer finite.
//!
//! Each bound sits orders of magnitude above any real use: a limit exists to keep errors
//! clear, not to ration. The runner adds its own for files (sizes, nesting, sweep sizes) in
//! `scalesim-runner`'s `limits.rs`; the README lists both.

/// Most steps one run may have: 10 million, i.e. 115 days of 1 s steps or 19 years of minutes.
///
/// A run holds its demand and plot timeline in memory, about 80 bytes a step at the peak, so
/// the longest run needs under a gigabyte; and it writes one `timeseries.csv` row a step.
pub const MAX_STEPS: u64 = 10_000_000;

/// Largest arrival count one trace bucket or step may hold, and largest capacity of one
/// instance per minute: 10^12 (a million times the busiest public traces' peak).
///
/// With at most [`MAX_STEPS`] steps, every sum a run makes stays below 10^20, far from where
/// an `f64` stops being finite, so no summary figure can become infinite or NaN.
pub const MAX_COUNT: f64 = 1e12;

/// Smallest capacity of one instance per minute: 10⁻⁶. Figures divide by capacity; below
/// this a subnormal capacity makes them infinite.
pub const MIN_CAPACITY: f64 = 1e-6;

/// Longest step: one day.
pub const MAX_STEP_S: u64 = 86_400;

/// Most instance-seconds a run may count (the largest `u64` a figure can hold without wrapping,
/// halved for headroom): bounds maximum capacity × run length.
pub const MAX_INSTANCE_SECONDS: u64 = u64::MAX / 2;

/// Most base servers of a session workload (Huawei Workspace): ten thousand. Every server's
/// slots and idle clock are simulated every step.
pub const MAX_SESSION_SERVERS: u32 = 10_000;

/// Most session slots of a session workload, over all the servers it may have: ten million.
/// Every slot's end is kept in a heap sized when the run is built.
pub const MAX_SESSION_SLOTS: u64 = 10_000_000;

/// Most session starts in one step: a million. Each start is placed (or refused) and draws its
/// length one by one.
pub const MAX_SESSION_STARTS: f64 = 1e6;

/// Refuses a step longer than [`MAX_STEP_S`]: step arithmetic near u64's end would wrap.
pub(crate) fn check_step_s(step_s: u64) -> Result<(), crate::BuildError> {
    if step_s > MAX_STEP_S {
        return Err(crate::BuildError::TooLarge {
            what: "step_s",
            value: step_s.to_string(),
            max: format!("{MAX_STEP_S} s"),
        });
    }
    Ok(())
}

/// Steps of `step_s` (≥ 1) that cover `span_s` seconds, a partial last one included, or the
/// error that names the limit.
pub(crate) fn steps_covering(span_s: u64, step_s: u64) -> Result<usize, crate::BuildError> {
    let steps = span_s.div_ceil(step_s);
    if steps > MAX_STEPS {
        return Err(crate::BuildError::TooManySteps {
            steps,
            step_s,
            max: MAX_STEPS,
        });
    }
    // MAX_STEPS fits any usize of 32 bits or more.
    Ok(steps as usize)
}
