//! Errors that can occur while a simulation is being built; running one cannot fail.

/// Why a simulation, a demand series or an autoscaler configuration could not be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// A lower capacity bound above the upper one.
    #[error("minimum capacity {min} is greater than maximum capacity {max}")]
    InvalidBounds {
        /// The lower bound given.
        min: u32,
        /// The upper bound given.
        max: u32,
    },
    /// A step length of zero seconds.
    #[error("step_s must be at least 1 second")]
    ZeroStep,
    /// A duration that is not a whole number of some period.
    #[error("{what} must be a multiple of {period_s} s, got {value_s} s")]
    NotAMultiple {
        /// The setting at fault, named as the scenario spells it.
        what: &'static str,
        /// The value given, in seconds.
        value_s: u64,
        /// The period it must be a multiple of, in seconds.
        period_s: u64,
    },
    /// A period that a step does not divide evenly.
    #[error("step_s ({step_s} s) must divide {what} ({period_s} s) evenly")]
    StepDoesNotDivide {
        /// The period, named as the spec names it.
        what: &'static str,
        /// The period, in seconds.
        period_s: u64,
        /// The step length, in seconds.
        step_s: u64,
    },
    /// A rate or capacity that must be a finite positive number.
    #[error("{what} must be a finite number greater than 0, got {value}")]
    NotPositive {
        /// The setting at fault, named as the scenario spells it.
        what: &'static str,
        /// The value given.
        value: f64,
    },
    /// A demand series with no step in it.
    #[error("the demand has no step: the trace is empty")]
    EmptyDemand,
    /// A count that is negative, NaN or infinite.
    #[error("bucket {bucket}: count must be a finite number >= 0, got {value}")]
    InvalidCount {
        /// Position of the offending bucket in the list given, from 0.
        entry: usize,
        /// The bucket index, as the trace numbers it.
        bucket: u64,
        /// The count given.
        value: f64,
    },
    /// Bucket indices that go backwards or repeat.
    #[error("bucket {bucket} comes after bucket {previous}: bucket indices must increase")]
    BucketOrder {
        /// Position of the offending bucket in the list given, from 0.
        entry: usize,
        /// The offending bucket index.
        bucket: u64,
        /// The index before it.
        previous: u64,
    },
    /// A window that asks for buckets the trace does not have.
    #[error(
        "the window from_bucket = {from_bucket}, buckets = {buckets} reaches past the trace's last bucket {last_bucket}"
    )]
    WindowPastTrace {
        /// First bucket of the window.
        from_bucket: u64,
        /// Number of buckets asked for.
        buckets: u64,
        /// The last bucket index the trace has.
        last_bucket: u64,
    },
    /// A configuration field outside what the vendor accepts, named as the vendor names it.
    #[error("{field}: must be {expected}, got {got}")]
    Field {
        /// The field, spelled as in the vendor's request body or the scenario file.
        field: &'static str,
        /// What the vendor accepts.
        expected: String,
        /// The value given.
        got: String,
    },
    /// Session starts that are not whole in some step (a coarse trace spread over finer steps).
    #[error(
        "step {step} (t_s {t_s}) has {starts} session starts: session starts must be whole; use a step of at least the trace's bucket"
    )]
    FractionalSessions {
        /// The step.
        step: u64,
        /// Its start, seconds.
        t_s: u64,
        /// The starts it has.
        starts: f64,
    },
    /// A demand series was not given to the builder.
    #[error("the simulation has no demand")]
    MissingDemand,
    /// A window of zero buckets.
    #[error("buckets must be at least 1")]
    EmptyWindow,
    /// A run longer than [`crate::MAX_STEPS`] steps.
    #[error(
        "the run would have {steps} steps of {step_s} s, more than the {max} a run may have: \
         replay a window of the trace (load.from_bucket, load.buckets), or a longer step_s"
    )]
    TooManySteps {
        /// Steps the run would have.
        steps: u64,
        /// Its step, seconds.
        step_s: u64,
        /// The most a run may have.
        max: u64,
    },
    /// A count above [`crate::MAX_COUNT`].
    #[error("bucket {bucket}: count must be at most {max:e}, got {value:e}")]
    CountTooLarge {
        /// Position of the offending bucket in the list given, from 0.
        entry: usize,
        /// The bucket index, as the trace numbers it (the step, for demand given per step).
        bucket: u64,
        /// The count given.
        value: f64,
        /// The limit.
        max: f64,
    },
    /// A setting whose value is beyond what a run can count.
    #[error("{what} must be at most {max}, got {value}")]
    TooLarge {
        /// The setting, named as the scenario or the vendor spells it.
        what: &'static str,
        /// The value given.
        value: String,
        /// The limit, with its unit.
        max: String,
    },
    /// A service-time model naming a column the per-request trace lacks.
    #[error("the trace has no column {column:?} (its columns: {columns})")]
    MissingColumn {
        /// The column named.
        column: String,
        /// The trace's columns, comma-separated.
        columns: String,
    },
    /// A per-request column value a service-time model cannot use.
    #[error("request {request}: column {column:?} must be a finite number >= 0, got {value}")]
    InvalidColumnValue {
        /// The column.
        column: String,
        /// The request's position in the trace, from 0.
        request: u64,
        /// The value.
        value: f64,
    },
}
