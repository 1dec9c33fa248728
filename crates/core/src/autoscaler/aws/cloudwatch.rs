//! CloudWatch as a simulated SageMaker endpoint variant publishes to it, and the metric alarms
//! that drive Application Auto Scaling (semantics: `docs/semantics/aws-alarms-and-metrics.md`).
//!
//! The variant publishes one value a minute for each metric in [`SageMakerMetric`]; a statistic
//! over a longer period is taken over those minute values. An alarm looks at whole periods,
//! aligned on t = 0, once all of a period's minutes are visible (a minute is visible
//! `metric_delay_s` after it ends), and is in ALARM when at least DatapointsToAlarm of its
//! newest EvaluationPeriods datapoints breach the threshold.

use std::fmt;

use crate::autoscaler::Observation;
use crate::autoscaler::aws::metric_math::MetricMath;
use crate::autoscaler::aws::scaling::PolicyName;
use crate::error::BuildError;

/// Seconds in a minute, the period at which the variant publishes its metrics.
pub(crate) const MINUTE_S: u64 = 60;
/// CloudWatch's bound on EvaluationPeriods × Period for periods under an hour: one day.
pub const MAX_ALARM_WINDOW_S: u64 = 86_400;
/// CloudWatch's bound on EvaluationPeriods × Period for periods of an hour or more: seven days.
pub const MAX_LONG_ALARM_WINDOW_S: u64 = 604_800;

/// The largest EvaluationPeriods × Period CloudWatch accepts with `period_s` (PutMetricAlarm).
pub fn max_alarm_window_s(period_s: u64) -> u64 {
    if period_s >= 3_600 {
        MAX_LONG_ALARM_WINDOW_S
    } else {
        MAX_ALARM_WINDOW_S
    }
}

/// A metric of the `AWS/SageMaker` (or `/aws/sagemaker/Endpoints`) namespace that the
/// simulation produces, per variant or inference component, once a minute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SageMakerMetric {
    /// Requests that reached an instance (or a copy) in the minute.
    Invocations,
    /// Σ over the minute's requests of 1/n, n the in-service instances: invocations / n.
    InvocationsPerInstance,
    /// Busy share of the instances' capacity, in percent (100 × work / work capacity), as one
    /// CPU core would show it.
    CpuUtilization,
    /// An inference component's InvocationsPerInstance over its copies: missing in a minute
    /// without a copy in service.
    InvocationsPerCopy,
    /// Requests that found no copy of an inference component in service and failed.
    NoCapacityInvocationFailures,
    /// Requests in flight on one instance, queued ones included, time-averaged: measured by
    /// the request-level model, by Little's law in the fluid one. Published every 10 s.
    ConcurrentRequestsPerModel,
    /// An inference component's ConcurrentRequestsPerModel over its copies: missing in a
    /// minute without a copy in service.
    ConcurrentRequestsPerCopy,
    /// Mean response time of the requests completed, in microseconds as SageMaker publishes
    /// it: queueing in the container included. Missing in a minute that completed none.
    ModelLatency,
}

impl SageMakerMetric {
    /// Every metric, for messages listing what the simulation produces.
    pub const ALL: [SageMakerMetric; 8] = [
        SageMakerMetric::Invocations,
        SageMakerMetric::InvocationsPerInstance,
        SageMakerMetric::CpuUtilization,
        SageMakerMetric::InvocationsPerCopy,
        SageMakerMetric::NoCapacityInvocationFailures,
        SageMakerMetric::ConcurrentRequestsPerModel,
        SageMakerMetric::ConcurrentRequestsPerCopy,
        SageMakerMetric::ModelLatency,
    ];

    /// The metric's CloudWatch MetricName.
    pub fn name(self) -> &'static str {
        match self {
            SageMakerMetric::Invocations => "Invocations",
            SageMakerMetric::InvocationsPerInstance => "InvocationsPerInstance",
            SageMakerMetric::CpuUtilization => "CPUUtilization",
            SageMakerMetric::InvocationsPerCopy => "InvocationsPerCopy",
            SageMakerMetric::NoCapacityInvocationFailures => "NoCapacityInvocationFailures",
            SageMakerMetric::ConcurrentRequestsPerModel => "ConcurrentRequestsPerModel",
            SageMakerMetric::ConcurrentRequestsPerCopy => "ConcurrentRequestsPerCopy",
            SageMakerMetric::ModelLatency => "ModelLatency",
        }
    }

    /// Whether the metric needs the requests' latency, which only the request-level model and
    /// a fluid model with a service time give.
    pub fn needs_latency(self) -> bool {
        matches!(
            self,
            SageMakerMetric::ConcurrentRequestsPerModel
                | SageMakerMetric::ConcurrentRequestsPerCopy
                | SageMakerMetric::ModelLatency
        )
    }

    /// Whether the metric is the invocations over the instances (or copies) in service, which
    /// a target-tracking policy scales in proportion.
    pub fn is_per_instance(self) -> bool {
        matches!(
            self,
            SageMakerMetric::InvocationsPerInstance | SageMakerMetric::InvocationsPerCopy
        )
    }

    /// The metric named `name`, if the simulation produces it.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|metric| metric.name() == name)
    }

    fn of(self, minute: &MinuteRecord) -> f64 {
        match self {
            SageMakerMetric::Invocations => minute.invocations,
            SageMakerMetric::InvocationsPerInstance => minute.invocations_per_instance,
            SageMakerMetric::CpuUtilization => minute.cpu_utilization,
            SageMakerMetric::InvocationsPerCopy => minute.invocations_per_instance,
            SageMakerMetric::NoCapacityInvocationFailures => minute.no_capacity_failures,
            SageMakerMetric::ConcurrentRequestsPerModel
            | SageMakerMetric::ConcurrentRequestsPerCopy => minute.concurrency_per_instance,
            SageMakerMetric::ModelLatency => minute.model_latency_us,
        }
    }
}

/// A CloudWatch statistic over the minute values of a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricStatistic {
    /// Mean of the minute values.
    Average,
    /// Sum of the minute values.
    Sum,
    /// Least minute value.
    Minimum,
    /// Greatest minute value.
    Maximum,
}

impl MetricStatistic {
    /// The statistic's CloudWatch name.
    pub fn name(self) -> &'static str {
        match self {
            MetricStatistic::Average => "Average",
            MetricStatistic::Sum => "Sum",
            MetricStatistic::Minimum => "Minimum",
            MetricStatistic::Maximum => "Maximum",
        }
    }

    /// The statistic named `name` (`SampleCount` and percentiles are not produced).
    pub fn from_name(name: &str) -> Option<Self> {
        [
            MetricStatistic::Average,
            MetricStatistic::Sum,
            MetricStatistic::Minimum,
            MetricStatistic::Maximum,
        ]
        .into_iter()
        .find(|statistic| statistic.name() == name)
    }
}

/// What a datapoint series is of: one metric, or a metric math expression over several.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricSource {
    /// One metric the variant publishes.
    Metric(SageMakerMetric),
    /// The target's metric math query at `index` (given to
    /// `ApplicationAutoScaling::with_metric_math`), named for people by `label`.
    Math {
        /// Index into the target's metric math queries.
        index: usize,
        /// The returned query's Label, or its Id.
        label: PolicyName,
    },
}

impl MetricSource {
    /// The metric's name, or the expression's label.
    pub fn name(&self) -> &str {
        match self {
            MetricSource::Metric(metric) => metric.name(),
            MetricSource::Math { label, .. } => label.as_str(),
        }
    }

    /// Whether the datapoints are invocations per instance (or copy), which target tracking
    /// scales from the invocations themselves.
    pub fn is_per_instance(&self) -> bool {
        matches!(self, MetricSource::Metric(metric) if metric.is_per_instance())
    }
}

/// A metric math expression and the metrics it reads, the i-th with its statistic, each
/// taken over the period of the query that uses the expression.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricMathQuery {
    expression: MetricMath,
    metrics: Vec<(SageMakerMetric, MetricStatistic)>,
}

impl MetricMathQuery {
    /// `expression` over `metrics`, one for each metric it numbers.
    pub fn new(
        expression: MetricMath,
        metrics: Vec<(SageMakerMetric, MetricStatistic)>,
    ) -> Result<Self, BuildError> {
        if metrics.len() != expression.metric_count() {
            return Err(BuildError::Field {
                field: "Metrics",
                expected: format!(
                    "{} metrics, one for each the expression reads",
                    expression.metric_count()
                ),
                got: metrics.len().to_string(),
            });
        }
        Ok(Self {
            expression,
            metrics,
        })
    }

    /// The operations one evaluation of the expression visits.
    pub fn steps(&self) -> u64 {
        self.expression.steps()
    }

    /// The metrics it reads, with their statistics.
    pub fn metrics(&self) -> &[(SageMakerMetric, MetricStatistic)] {
        &self.metrics
    }
}

/// One source, one statistic, one period: a CloudWatch datapoint series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MetricQuery {
    /// The metric, or the metric math expression.
    pub source: MetricSource,
    /// The statistic over each period (a metric math expression's metrics carry their own).
    pub statistic: MetricStatistic,
    /// Minutes in a period (Period / 60).
    pub period_minutes: u64,
}

impl MetricQuery {
    /// `metric` with `statistic` over one-minute periods.
    pub fn per_minute(metric: SageMakerMetric, statistic: MetricStatistic) -> Self {
        Self {
            source: MetricSource::Metric(metric),
            statistic,
            period_minutes: 1,
        }
    }
}

impl fmt::Display for MetricQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.source.name())?;
        if let MetricSource::Math { .. } = self.source {
            if self.period_minutes > 1 {
                write!(f, " (over {} s)", self.period_minutes * MINUTE_S)?;
            }
            return Ok(());
        }
        if self.period_minutes > 1 || self.statistic != MetricStatistic::Sum {
            write!(
                f,
                " ({} over {} s)",
                self.statistic.name(),
                self.period_minutes * MINUTE_S
            )?;
        }
        Ok(())
    }
}

/// A CloudWatch ComparisonOperator between a datapoint and the threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComparisonOperator {
    /// `GreaterThanOrEqualToThreshold`.
    GreaterThanOrEqualToThreshold,
    /// `GreaterThanThreshold`.
    GreaterThanThreshold,
    /// `LessThanThreshold`.
    LessThanThreshold,
    /// `LessThanOrEqualToThreshold`.
    LessThanOrEqualToThreshold,
}

impl ComparisonOperator {
    /// Every operator, by its CloudWatch name.
    pub const ALL: [ComparisonOperator; 4] = [
        ComparisonOperator::GreaterThanOrEqualToThreshold,
        ComparisonOperator::GreaterThanThreshold,
        ComparisonOperator::LessThanThreshold,
        ComparisonOperator::LessThanOrEqualToThreshold,
    ];

    /// The operator's CloudWatch name.
    pub fn name(self) -> &'static str {
        match self {
            ComparisonOperator::GreaterThanOrEqualToThreshold => "GreaterThanOrEqualToThreshold",
            ComparisonOperator::GreaterThanThreshold => "GreaterThanThreshold",
            ComparisonOperator::LessThanThreshold => "LessThanThreshold",
            ComparisonOperator::LessThanOrEqualToThreshold => "LessThanOrEqualToThreshold",
        }
    }

    /// The symbol people read.
    pub fn symbol(self) -> &'static str {
        match self {
            ComparisonOperator::GreaterThanOrEqualToThreshold => ">=",
            ComparisonOperator::GreaterThanThreshold => ">",
            ComparisonOperator::LessThanThreshold => "<",
            ComparisonOperator::LessThanOrEqualToThreshold => "<=",
        }
    }

    /// Whether the alarm fires above its threshold.
    pub fn is_upper(self) -> bool {
        matches!(
            self,
            ComparisonOperator::GreaterThanOrEqualToThreshold
                | ComparisonOperator::GreaterThanThreshold
        )
    }

    fn breaches(self, value: f64, threshold: f64) -> bool {
        match self {
            ComparisonOperator::GreaterThanOrEqualToThreshold => value >= threshold,
            ComparisonOperator::GreaterThanThreshold => value > threshold,
            ComparisonOperator::LessThanThreshold => value < threshold,
            ComparisonOperator::LessThanOrEqualToThreshold => value <= threshold,
        }
    }
}

/// How an alarm counts a missing datapoint (a minute without a copy of an inference
/// component): CloudWatch's TreatMissingData.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TreatMissingData {
    /// `missing` (the default): it counts neither way; with none present the alarm is
    /// INSUFFICIENT_DATA.
    #[default]
    Missing,
    /// `notBreaching`: it counts as within the threshold.
    NotBreaching,
    /// `breaching`: it counts as breaching.
    Breaching,
    /// `ignore`: the alarm keeps its state; scalesim, which keeps none between evaluations,
    /// counts it as `missing`.
    Ignore,
}

/// A CloudWatch metric alarm on a [`MetricQuery`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MetricAlarm {
    /// The datapoints it watches.
    pub query: MetricQuery,
    /// How a datapoint is compared with the threshold.
    pub comparison: ComparisonOperator,
    /// The threshold.
    pub threshold: f64,
    /// EvaluationPeriods: how many of the newest datapoints are looked at.
    pub evaluation_periods: u64,
    /// DatapointsToAlarm: how many of those must breach.
    pub datapoints_to_alarm: u64,
    /// TreatMissingData.
    pub treat_missing: TreatMissingData,
}

/// An alarm found in ALARM, and what it looked at.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AlarmBreach {
    /// First and last minute of the datapoints evaluated.
    pub minutes: (u64, u64),
    /// The smallest and largest of those datapoints.
    pub datapoint_range: (f64, f64),
    /// Their mean.
    pub datapoint_mean: f64,
    /// How many breached.
    pub breaching: u64,
}

impl MetricAlarm {
    /// Minutes of history the alarm reads.
    pub(crate) fn window_minutes(&self) -> u64 {
        self.evaluation_periods * self.query.period_minutes
    }

    /// The alarm's state at the end of the minute whose newest visible minute is `newest`:
    /// `None` when it is not in ALARM or when too few minutes are visible (INSUFFICIENT_DATA).
    /// CloudWatch's default sliding window: every minute, the N periods ending with `newest`;
    /// a window over a day long is evaluated once an hour.
    pub(crate) fn evaluate(&self, history: &History, newest: u64) -> Option<AlarmBreach> {
        let period = self.query.period_minutes;
        let visible = newest + 1;
        let window = self.window_minutes();
        if visible < window
            || (window * MINUTE_S > MAX_ALARM_WINDOW_S && !visible.is_multiple_of(60))
        {
            return None;
        }
        // TreatMissingData `missing`: a missing datapoint (a minute without a copy) neither
        // breaches nor not; with none present the alarm is INSUFFICIENT_DATA.
        let first = visible - self.window_minutes();
        let mut breaching = 0;
        let mut present = 0u32;
        let mut valued = 0u32;
        let mut range = (f64::INFINITY, f64::NEG_INFINITY);
        let mut total = 0.0;
        for index in 0..self.evaluation_periods {
            let value = history.value(self.query, first + index * period);
            if value.is_nan() {
                match self.treat_missing {
                    TreatMissingData::Missing | TreatMissingData::Ignore => {}
                    TreatMissingData::NotBreaching => present += 1,
                    TreatMissingData::Breaching => {
                        present += 1;
                        breaching += 1;
                    }
                }
                continue;
            }
            present += 1;
            valued += 1;
            if self.comparison.breaches(value, self.threshold) {
                breaching += 1;
            }
            range = (range.0.min(value), range.1.max(value));
            total += value;
        }
        // Missing datapoints counted as breaching carry no value: with none valued, the range
        // and mean are missing too, and no step can be chosen from them.
        if valued == 0 {
            range = (f64::NAN, f64::NAN);
        }
        (present > 0 && breaching >= self.datapoints_to_alarm).then(|| AlarmBreach {
            minutes: (first, newest),
            datapoint_range: range,
            datapoint_mean: total / f64::from(valued),
            breaching,
        })
    }
}

/// What the variant published for one minute.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct MinuteRecord {
    pub(crate) invocations: f64,
    pub(crate) invocations_per_instance: f64,
    pub(crate) cpu_utilization: f64,
    /// Requests that found no instance in service.
    pub(crate) no_capacity_failures: f64,
    /// Σ over the minute's steps of (in flight / n) × step share: NaN without an instance.
    pub(crate) concurrency_per_instance: f64,
    /// Mean latency of the minute's completed requests, µs: NaN when none completed.
    pub(crate) model_latency_us: f64,
    /// Instances in service at the minute's end: the capacity a proportional rule scales.
    pub(crate) in_service: u32,
}

/// The minute in progress, summed over its steps.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct MinuteInProgress {
    invocations: f64,
    invocations_per_instance: f64,
    no_capacity_failures: f64,
    /// Σ in flight / n × step_s over the steps with an instance in service.
    concurrency_per_instance_s: f64,
    /// Seconds of the steps with an instance in service.
    served_s: u64,
    /// Σ latency × completions, and the completions, over steps whose latency is known.
    latency_sum_s: f64,
    completions: f64,
    /// Steps with an instance in service.
    served_steps: u32,
    work: f64,
    work_capacity: f64,
    /// In-service count of the minute's steps, while it was the same in all of them.
    constant_in_service: Option<u32>,
    last_in_service: u32,
    steps: u32,
}

impl MinuteInProgress {
    pub(crate) fn add(&mut self, observation: &Observation<'_>) {
        let invocations = observation.demand;
        let in_service = observation.in_service;
        // Only an inference component can have no instance (copy) in service: its requests
        // then fail, and count as such, not as invocations.
        if in_service == 0 {
            self.no_capacity_failures += invocations;
        } else {
            self.invocations += invocations;
            self.invocations_per_instance += invocations / f64::from(in_service);
            self.served_steps += 1;
            self.served_s += observation.step_s;
            if let Some(in_flight) = observation.concurrency {
                self.concurrency_per_instance_s +=
                    in_flight / f64::from(in_service) * observation.step_s as f64;
            }
        }
        if let Some(latency_s) = observation.latency_s
            && observation.served > 0.0
        {
            self.latency_sum_s += latency_s * observation.served;
            self.completions += observation.served;
        }
        let (work, work_capacity) = (observation.work, observation.work_capacity);
        self.work += work;
        self.work_capacity += work_capacity;
        self.constant_in_service = match (self.steps, self.constant_in_service) {
            (0, _) => Some(in_service),
            (_, Some(n)) if n == in_service => Some(n),
            _ => None,
        };
        self.last_in_service = in_service;
        self.steps += 1;
    }

    /// The minute's values: invocations / n when n held still over the minute (free of the
    /// rounding of summing per-step shares), else Σ d/n.
    pub(crate) fn finish(&mut self) -> MinuteRecord {
        let minute = std::mem::take(self);
        MinuteRecord {
            invocations: minute.invocations,
            invocations_per_instance: match minute.constant_in_service {
                _ if minute.served_steps == 0 => f64::NAN,
                Some(n) => minute.invocations / f64::from(n),
                None => minute.invocations_per_instance,
            },
            no_capacity_failures: minute.no_capacity_failures,
            concurrency_per_instance: if minute.served_s > 0 {
                minute.concurrency_per_instance_s / minute.served_s as f64
            } else {
                f64::NAN
            },
            model_latency_us: if minute.completions > 0.0 {
                1e6 * minute.latency_sum_s / minute.completions
            } else {
                f64::NAN
            },
            cpu_utilization: if minute.work_capacity > 0.0 {
                100.0 * minute.work / minute.work_capacity
            } else {
                0.0
            },
            in_service: minute.last_in_service,
        }
    }
}

/// The newest minutes' records, minute m at index m % len, sized once at build time, and the
/// metric math expressions queries may read.
#[derive(Debug, Clone)]
pub(crate) struct History {
    minutes: Vec<MinuteRecord>,
    maths: Vec<MetricMathQuery>,
}

impl History {
    pub(crate) fn new(minutes: u64, maths: Vec<MetricMathQuery>) -> Self {
        Self {
            minutes: vec![MinuteRecord::default(); minutes.max(1) as usize],
            maths,
        }
    }

    /// The metric math query at `index`, if there is one.
    pub(crate) fn math(&self, index: usize) -> Option<&MetricMathQuery> {
        self.maths.get(index)
    }

    pub(crate) fn record(&mut self, minute: u64, record: MinuteRecord) {
        let len = self.minutes.len() as u64;
        self.minutes[(minute % len) as usize] = record;
    }

    pub(crate) fn minute(&self, minute: u64) -> &MinuteRecord {
        &self.minutes[(minute % self.minutes.len() as u64) as usize]
    }

    /// The datapoint of `query`'s period that starts at minute `first`.
    pub(crate) fn value(&self, query: MetricQuery, first: u64) -> f64 {
        match query.source {
            MetricSource::Metric(metric) => {
                self.metric_value(metric, query.statistic, query.period_minutes, first)
            }
            // An expression's metrics are each taken over the query's period, then combined.
            MetricSource::Math { index, .. } => self.math(index).map_or(f64::NAN, |math| {
                math.expression.evaluate(|leaf| {
                    math.metrics
                        .get(leaf)
                        .map_or(f64::NAN, |&(metric, statistic)| {
                            self.metric_value(metric, statistic, query.period_minutes, first)
                        })
                })
            }),
        }
    }

    /// `statistic` of `metric` over the `period_minutes` minutes from minute `first`.
    #[inline]
    fn metric_value(
        &self,
        metric: SageMakerMetric,
        statistic: MetricStatistic,
        period_minutes: u64,
        first: u64,
    ) -> f64 {
        if period_minutes == 1 {
            return metric.of(self.minute(first));
        }
        // Over the minutes with data; none gives a missing datapoint (NaN).
        let values = (first..first + period_minutes)
            .map(|m| metric.of(self.minute(m)))
            .filter(|value| !value.is_nan());
        let (count, sum) = values.clone().fold((0u64, 0.0), |(n, s), v| (n + 1, s + v));
        if count == 0 {
            return f64::NAN;
        }
        match statistic {
            MetricStatistic::Sum => sum,
            MetricStatistic::Average => sum / count as f64,
            MetricStatistic::Minimum => values.fold(f64::INFINITY, f64::min),
            MetricStatistic::Maximum => values.fold(f64::NEG_INFINITY, f64::max),
        }
    }
}

/// One high-resolution datapoint: the metric over a period shorter than a minute.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct HighResolutionDatapoint {
    /// ConcurrentRequestsPerModel (or PerCopy) over the period: NaN without an instance.
    pub(crate) value: f64,
    /// Instances in service at the period's end.
    pub(crate) in_service: u32,
}

/// The newest high-resolution datapoints, slot s (seconds s × period_s to (s + 1) × period_s)
/// at index s % len, sized once at build time, and the slot in progress.
#[derive(Debug, Clone)]
pub(crate) struct HighResolutionHistory {
    period_s: u64,
    slots: Vec<HighResolutionDatapoint>,
    concurrency_per_instance_s: f64,
    served_s: u64,
}

impl HighResolutionHistory {
    pub(crate) fn new(period_s: u64, slots: u64) -> Self {
        Self {
            period_s,
            slots: vec![HighResolutionDatapoint::default(); slots.max(1) as usize],
            concurrency_per_instance_s: 0.0,
            served_s: 0,
        }
    }

    pub(crate) fn period_s(&self) -> u64 {
        self.period_s
    }

    pub(crate) fn len(&self) -> u64 {
        self.slots.len() as u64
    }

    pub(crate) fn add(&mut self, observation: &Observation<'_>) {
        if observation.in_service > 0
            && let Some(in_flight) = observation.concurrency
        {
            self.concurrency_per_instance_s +=
                in_flight / f64::from(observation.in_service) * observation.step_s as f64;
            self.served_s += observation.step_s;
        }
    }

    /// Closes slot `slot`, with `in_service` instances at its end.
    pub(crate) fn finish(&mut self, slot: u64, in_service: u32) {
        let value = if self.served_s > 0 {
            self.concurrency_per_instance_s / self.served_s as f64
        } else {
            f64::NAN
        };
        let len = self.slots.len() as u64;
        self.slots[(slot % len) as usize] = HighResolutionDatapoint { value, in_service };
        self.concurrency_per_instance_s = 0.0;
        self.served_s = 0;
    }

    pub(crate) fn slot(&self, slot: u64) -> &HighResolutionDatapoint {
        &self.slots[(slot % self.slots.len() as u64) as usize]
    }

    /// Whether the `datapoints` slots ending with `newest` are all above `threshold` (a
    /// missing one is not), and what they were.
    pub(crate) fn above(
        &self,
        newest: u64,
        datapoints: u64,
        threshold: f64,
    ) -> Option<AlarmBreach> {
        let first = (newest + 1).checked_sub(datapoints)?;
        let mut range = (f64::INFINITY, f64::NEG_INFINITY);
        let mut total = 0.0;
        for slot in first..=newest {
            let value = self.slot(slot).value;
            // A missing (NaN) datapoint does not breach.
            if value.is_nan() || value <= threshold {
                return None;
            }
            range = (range.0.min(value), range.1.max(value));
            total += value;
        }
        Some(AlarmBreach {
            minutes: (first, newest),
            datapoint_range: range,
            datapoint_mean: total / datapoints as f64,
            breaching: datapoints,
        })
    }
}
