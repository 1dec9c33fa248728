//! How long each request holds its slot (docs/semantics/requests.md, section 3).

use std::sync::Arc;

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp1, Gamma, LogNormal};

use crate::error::BuildError;
use crate::requests::arrivals::RequestTrace;

/// Longest service time of one request, seconds: a day, long enough for the longest desktop
/// session of a server group. Draws beyond it are cut to it.
pub const MAX_SERVICE_S: f64 = 86_400.0;

/// Shortest mean service time, seconds: a microsecond, so that the nominal capacity of an
/// instance (concurrency × 60 / mean) stays within the fleet's bounds.
pub const MIN_MEAN_SERVICE_S: f64 = 1e-6;

/// The service-time model of `[service.time]`.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceTime {
    kind: Kind,
}

#[derive(Debug, Clone, PartialEq)]
enum Kind {
    Fixed(f64),
    Exponential(f64),
    LogNormal { mean_s: f64, law: LogNormal<f64> },
    Gamma { mean_s: f64, law: Gamma<f64> },
    Empirical(Arc<[f64]>),
    Linear(LinearModel),
}

/// `overhead_s + Σ coefficient × column`, over a per-request trace's columns.
#[derive(Debug, Clone, PartialEq)]
struct LinearModel {
    overhead_s: f64,
    /// (column name, seconds per unit of it), as the scenario names them.
    terms: Vec<(String, f64)>,
}

/// A service-time model bound to the arrivals it serves: columns resolved to indices.
#[derive(Debug, Clone)]
pub(crate) struct BoundServiceTime {
    kind: Kind,
    /// For a linear model: (column index, seconds per unit).
    terms: Vec<(usize, f64)>,
}

fn positive(field: &'static str, value: f64) -> Result<f64, BuildError> {
    if value.is_finite() && (MIN_MEAN_SERVICE_S..=MAX_SERVICE_S).contains(&value) {
        Ok(value)
    } else {
        Err(BuildError::Field {
            field,
            expected: format!("a number of seconds from {MIN_MEAN_SERVICE_S:e} to {MAX_SERVICE_S}"),
            got: value.to_string(),
        })
    }
}

fn non_negative(field: &'static str, value: f64) -> Result<f64, BuildError> {
    if value.is_finite() && (0.0..=MAX_SERVICE_S).contains(&value) {
        Ok(value)
    } else {
        Err(BuildError::Field {
            field,
            expected: format!("a number of seconds from 0 to {MAX_SERVICE_S}"),
            got: value.to_string(),
        })
    }
}

impl ServiceTime {
    /// Every request takes `mean_s`.
    pub fn fixed(mean_s: f64) -> Result<Self, BuildError> {
        let mean_s = positive("service.time.mean_s", mean_s)?;
        Ok(Self {
            kind: Kind::Fixed(mean_s),
        })
    }

    /// Exponential service times of mean `mean_s` (M/M/c).
    pub fn exponential(mean_s: f64) -> Result<Self, BuildError> {
        let mean_s = positive("service.time.mean_s", mean_s)?;
        Ok(Self {
            kind: Kind::Exponential(mean_s),
        })
    }

    /// Log-normal service times of mean `mean_s` whose log has standard deviation `sigma`.
    pub fn lognormal(mean_s: f64, sigma: f64) -> Result<Self, BuildError> {
        let mean_s = positive("service.time.mean_s", mean_s)?;
        if !(sigma.is_finite() && sigma > 0.0 && sigma <= 10.0) {
            return Err(BuildError::Field {
                field: "service.time.sigma",
                expected: "a number greater than 0 and at most 10".into(),
                got: sigma.to_string(),
            });
        }
        let mu = mean_s.ln() - sigma * sigma / 2.0;
        let law = LogNormal::new(mu, sigma).map_err(|_| BuildError::Field {
            field: "service.time.sigma",
            expected: "a number greater than 0".into(),
            got: sigma.to_string(),
        })?;
        Ok(Self {
            kind: Kind::LogNormal { mean_s, law },
        })
    }

    /// Gamma service times of mean `mean_s` and shape `shape` (scale `mean_s / shape`).
    pub fn gamma(mean_s: f64, shape: f64) -> Result<Self, BuildError> {
        let mean_s = positive("service.time.mean_s", mean_s)?;
        let invalid_shape = || BuildError::Field {
            field: "service.time.shape",
            expected: "a number from 0.001 to 1000".into(),
            got: shape.to_string(),
        };
        if !(shape.is_finite() && (0.001..=1000.0).contains(&shape)) {
            return Err(invalid_shape());
        }
        let law = Gamma::new(shape, mean_s / shape).map_err(|_| invalid_shape())?;
        Ok(Self {
            kind: Kind::Gamma { mean_s, law },
        })
    }

    /// Service times drawn uniformly from `values` (seconds), as measured elsewhere.
    pub fn empirical(values: Vec<f64>) -> Result<Self, BuildError> {
        if values.is_empty() {
            return Err(BuildError::Field {
                field: "service.time.file",
                expected: "at least one service time".into(),
                got: "none".into(),
            });
        }
        for &value in &values {
            if !(value.is_finite() && (0.0..=MAX_SERVICE_S).contains(&value)) {
                return Err(BuildError::Field {
                    field: "service.time.file",
                    expected: format!("service times from 0 to {MAX_SERVICE_S} s"),
                    got: value.to_string(),
                });
            }
        }
        if values.iter().all(|&value| value == 0.0) {
            return Err(BuildError::Field {
                field: "service.time.file",
                expected: "some service time greater than 0".into(),
                got: "only zeros".into(),
            });
        }
        Ok(Self {
            kind: Kind::Empirical(values.into()),
        })
    }

    /// `overhead_s` plus, for each (column, seconds per unit), that many seconds per unit of
    /// the request's column (an LLM request's tokens).
    pub fn linear(overhead_s: f64, terms: Vec<(String, f64)>) -> Result<Self, BuildError> {
        let overhead_s = non_negative("service.time.overhead_s", overhead_s)?;
        for (_, coefficient) in &terms {
            non_negative("service.time.s_per", *coefficient)?;
        }
        // The runner names the key of a coefficient it refuses; this guards other callers.
        Ok(Self {
            kind: Kind::Linear(LinearModel { overhead_s, terms }),
        })
    }

    /// The columns of a per-request trace this model reads.
    pub fn columns(&self) -> impl Iterator<Item = &str> {
        let terms: &[(String, f64)] = match &self.kind {
            Kind::Linear(model) => &model.terms,
            _ => &[],
        };
        terms.iter().map(|(column, _)| column.as_str())
    }

    /// The model's mean, seconds, before the cut at [`MAX_SERVICE_S`] (a distribution's
    /// parameter); for an empirical one, its values' mean; for a linear model, the mean over
    /// the `trace`'s requests of their times as drawn (cut).
    pub(crate) fn mean_s(&self, bound: &BoundServiceTime, trace: Option<&RequestTrace>) -> f64 {
        match &self.kind {
            Kind::Fixed(mean_s) | Kind::Exponential(mean_s) => *mean_s,
            Kind::LogNormal { mean_s, .. } | Kind::Gamma { mean_s, .. } => *mean_s,
            Kind::Empirical(values) => values.iter().sum::<f64>() / values.len() as f64,
            Kind::Linear(_) => match trace {
                Some(trace) if !trace.is_empty() => {
                    (0..trace.len())
                        .map(|row| bound.linear_s(trace.row(row)).min(MAX_SERVICE_S))
                        .sum::<f64>()
                        / trace.len() as f64
                }
                _ => 0.0,
            },
        }
    }

    /// Resolves the model's columns against the arrivals' (`None` without a per-request
    /// trace) and checks their values.
    pub(crate) fn bind(
        &self,
        trace: Option<&RequestTrace>,
    ) -> Result<BoundServiceTime, BuildError> {
        let mut terms = Vec::new();
        if let Kind::Linear(model) = &self.kind {
            let Some(trace) = trace else {
                return Err(BuildError::Field {
                    field: "service.time.distribution",
                    expected: "a per-request trace (an arrival_s column) for \"linear\", which \
                               reads each request's own columns"
                        .into(),
                    got: "a trace of counts or synthetic load".into(),
                });
            };
            for (name, coefficient) in &model.terms {
                let Some(index) = trace.column_index(name) else {
                    return Err(BuildError::MissingColumn {
                        column: name.clone(),
                        columns: trace.columns().join(", "),
                    });
                };
                if let Some(row) = (0..trace.len()).find(|&row| {
                    let value = trace.row(row)[index];
                    !(value.is_finite() && value >= 0.0)
                }) {
                    return Err(BuildError::InvalidColumnValue {
                        column: name.clone(),
                        request: row as u64,
                        value: trace.row(row)[index],
                    });
                }
                terms.push((index, *coefficient));
            }
        }
        Ok(BoundServiceTime {
            kind: self.kind.clone(),
            terms,
        })
    }
}

impl BoundServiceTime {
    fn linear_s(&self, row: &[f64]) -> f64 {
        let Kind::Linear(model) = &self.kind else {
            return 0.0;
        };
        self.terms
            .iter()
            .fold(model.overhead_s, |total, &(index, per_unit)| {
                total + per_unit * row[index]
            })
    }

    /// The service time of the next request, whole nanoseconds, cut at [`MAX_SERVICE_S`];
    /// `row` is its columns (empty without a per-request trace).
    pub(crate) fn sample_ns(&self, rng: &mut ChaCha8Rng, row: &[f64]) -> u64 {
        let seconds = match &self.kind {
            Kind::Fixed(mean_s) => *mean_s,
            Kind::Exponential(mean_s) => rng.sample::<f64, _>(Exp1) * mean_s,
            Kind::LogNormal { law, .. } => law.sample(rng),
            Kind::Gamma { law, .. } => law.sample(rng),
            Kind::Empirical(values) => values[rng.random_range(0..values.len())],
            Kind::Linear(_) => self.linear_s(row),
        };
        seconds_to_ns(seconds.min(MAX_SERVICE_S))
    }
}

/// Seconds as whole nanoseconds, half away from zero; negative or NaN gives 0.
pub(crate) fn seconds_to_ns(seconds: f64) -> u64 {
    let ns = seconds * 1e9;
    // `f64::round` is a library call on baseline x86-64; truncation is one instruction, and
    // `ns − truncated` is exact (the difference of a double and its integer part), so this is
    // the same rounding. The conversion saturates; callers bound the seconds far below u64's end.
    let truncated = ns as u64;
    if ns - truncated as f64 >= 0.5 {
        truncated + 1
    } else {
        truncated
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_round_to_nanoseconds_half_away_from_zero() {
        for seconds in [
            0.0,
            1.5e-9,
            2.5e-9,
            0.4e-9,
            0.68059,
            3.0,
            1e10,
            86_400.0,
            0.0000630005,
        ] {
            assert_eq!(
                seconds_to_ns(seconds),
                (seconds * 1e9).round() as u64,
                "{seconds}"
            );
        }
        assert_eq!(seconds_to_ns(-1.0), 0);
        assert_eq!(seconds_to_ns(f64::NAN), 0);
    }
}
