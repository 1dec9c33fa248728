//! `[load.synthetic]`: seeded, composable synthetic load as the scenario file writes it, and its
//! conversion into the core's [`SyntheticLoad`].
//!
//! ```toml
//! [load.synthetic]
//! duration_s = 86400            # default: the trace's length when a term replays it
//! noise = "poisson"             # "none" (default), "poisson" or "negative-binomial"
//! dispersion = 20.0             # negative-binomial only: variance = mean + mean²/dispersion
//! [[load.synthetic.terms]]
//! shape = "diurnal"             # constant, diurnal, weekly, ramp, step, spikes, replay
//! mean_per_min = 100.0
//! amplitude = 0.5
//! peak_s = 50400
//! [[load.synthetic.terms]]
//! combine = "multiply"          # "add" (default) or "multiply"
//! shape = "ramp"
//! from = 1.0
//! to = 2.0
//! start_s = 0
//! end_s = 86400
//! ```

use scalesim_core::{Combine, Distribution, Noise, Shape, SyntheticLoad};
use serde::Deserialize;

/// `[load.synthetic]` as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyntheticSpec {
    /// Length of the generated load, seconds; default the replayed trace's length.
    pub duration_s: Option<u64>,
    /// `none`, `poisson` or `negative-binomial`.
    pub noise: Option<String>,
    /// Dispersion of `negative-binomial` noise.
    pub dispersion: Option<f64>,
    /// The terms, summed (`add`) and multiplied (`multiply`).
    pub terms: Vec<TermSpec>,
}

/// How a term combines with the others.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum CombineSpec {
    /// Added to the rate.
    #[default]
    Add,
    /// Multiplies the rate.
    Multiply,
}

/// One `[[load.synthetic.terms]]` entry, chosen by its `shape`.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "shape", rename_all = "lowercase", deny_unknown_fields)]
pub enum TermSpec {
    /// A constant rate (or factor).
    Constant {
        /// Add or multiply.
        #[serde(default)]
        combine: CombineSpec,
        /// Arrivals per minute (or the factor).
        per_min: f64,
    },
    /// A daily cycle.
    Diurnal {
        /// Add or multiply.
        #[serde(default)]
        combine: CombineSpec,
        /// Mean arrivals per minute.
        mean_per_min: f64,
        /// Relative swing, 0 to 1.
        amplitude: f64,
        /// Seconds after t = 0 (within a day) of the peak.
        peak_s: u64,
    },
    /// Factors for each day of the week, from t = 0.
    Weekly {
        /// Add or multiply.
        #[serde(default)]
        combine: CombineSpec,
        /// Seven factors.
        factors: [f64; 7],
    },
    /// A linear change between two times.
    Ramp {
        /// Add or multiply.
        #[serde(default)]
        combine: CombineSpec,
        /// Value up to `start_s`.
        from: f64,
        /// Value from `end_s`.
        to: f64,
        /// Start of the ramp, seconds.
        start_s: u64,
        /// End of the ramp, seconds.
        end_s: u64,
    },
    /// A jump at one time (a launch).
    Step {
        /// Add or multiply.
        #[serde(default)]
        combine: CombineSpec,
        /// The time of the jump, seconds.
        at_s: u64,
        /// Value before.
        before: f64,
        /// Value from then on.
        after: f64,
    },
    /// Spikes arriving at random.
    Spikes {
        /// Add (spikes cannot multiply).
        #[serde(default)]
        combine: CombineSpec,
        /// Mean spikes a day.
        per_day: f64,
        /// Height of a spike, arrivals per minute.
        height_per_min: DistributionSpec,
        /// Length of a spike, seconds.
        length_s: DistributionSpec,
    },
    /// The scenario's `[load] trace`, replayed.
    Replay {
        /// Add or multiply.
        #[serde(default)]
        combine: CombineSpec,
        /// Factor on the trace's counts; default 1.
        scale: Option<f64>,
        /// Seconds the trace starts late; default 0.
        shift_s: Option<u64>,
    },
}

/// A distribution as written: `{ distribution = "lognormal", mean = 300.0, sigma = 0.5 }`.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(tag = "distribution", rename_all = "lowercase", deny_unknown_fields)]
pub enum DistributionSpec {
    /// Always `value`.
    Fixed {
        /// The value.
        value: f64,
    },
    /// Uniform on [low, high].
    Uniform {
        /// Lower end.
        low: f64,
        /// Upper end.
        high: f64,
    },
    /// Exponential with mean `mean`.
    Exponential {
        /// The mean.
        mean: f64,
    },
    /// Log-normal with mean `mean` and log standard deviation `sigma`.
    Lognormal {
        /// The mean.
        mean: f64,
        /// Standard deviation of the log.
        sigma: f64,
    },
    /// Pareto with scale and shape.
    Pareto {
        /// Scale (the minimum).
        scale: f64,
        /// Shape.
        shape: f64,
    },
}

impl From<DistributionSpec> for Distribution {
    fn from(spec: DistributionSpec) -> Self {
        match spec {
            DistributionSpec::Fixed { value } => Distribution::Fixed(value),
            DistributionSpec::Uniform { low, high } => Distribution::Uniform { low, high },
            DistributionSpec::Exponential { mean } => Distribution::Exponential { mean },
            DistributionSpec::Lognormal { mean, sigma } => Distribution::LogNormal { mean, sigma },
            DistributionSpec::Pareto { scale, shape } => Distribution::Pareto { scale, shape },
        }
    }
}

fn combine(spec: CombineSpec) -> Combine {
    match spec {
        CombineSpec::Add => Combine::Add,
        CombineSpec::Multiply => Combine::Multiply,
    }
}

/// Why a synthetic load could not be built, with the key at fault.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LoadSpecError {
    pub(crate) field: String,
    pub(crate) message: String,
}

impl SyntheticSpec {
    /// The core's load; `trace_per_step` is the scenario's trace at the run's step, for
    /// replay terms.
    pub(crate) fn to_load(
        &self,
        trace_per_step: Option<&[f64]>,
        step_s: u64,
    ) -> Result<SyntheticLoad, LoadSpecError> {
        let noise = match self.noise.as_deref() {
            None | Some("none") => Noise::None,
            Some("poisson") => Noise::Poisson,
            Some("negative-binomial") => Noise::OverDispersed {
                dispersion: self.dispersion.ok_or_else(|| LoadSpecError {
                    field: "load.synthetic.dispersion".into(),
                    message: "required with noise = \"negative-binomial\"".into(),
                })?,
            },
            Some(other) => {
                return Err(LoadSpecError {
                    field: "load.synthetic.noise".into(),
                    message: format!(
                        "must be \"none\", \"poisson\" or \"negative-binomial\", got {other:?}"
                    ),
                });
            }
        };
        let mut terms = Vec::with_capacity(self.terms.len());
        for (idx, term) in self.terms.iter().enumerate() {
            let entry = match term {
                TermSpec::Constant {
                    combine: c,
                    per_min,
                } => (combine(*c), Shape::Constant { per_min: *per_min }),
                TermSpec::Diurnal {
                    combine: c,
                    mean_per_min,
                    amplitude,
                    peak_s,
                } => (
                    combine(*c),
                    Shape::Diurnal {
                        mean_per_min: *mean_per_min,
                        amplitude: *amplitude,
                        peak_s: *peak_s,
                    },
                ),
                TermSpec::Weekly {
                    combine: c,
                    factors,
                } => (combine(*c), Shape::Weekly { factors: *factors }),
                TermSpec::Ramp {
                    combine: c,
                    from,
                    to,
                    start_s,
                    end_s,
                } => (
                    combine(*c),
                    Shape::Ramp {
                        from: *from,
                        to: *to,
                        start_s: *start_s,
                        end_s: *end_s,
                    },
                ),
                TermSpec::Step {
                    combine: c,
                    at_s,
                    before,
                    after,
                } => (
                    combine(*c),
                    Shape::Step {
                        at_s: *at_s,
                        before: *before,
                        after: *after,
                    },
                ),
                TermSpec::Spikes {
                    combine: c,
                    per_day,
                    height_per_min,
                    length_s,
                } => (
                    combine(*c),
                    Shape::Spikes {
                        per_day: *per_day,
                        height_per_min: (*height_per_min).into(),
                        length_s: (*length_s).into(),
                    },
                ),
                TermSpec::Replay {
                    combine: c,
                    scale,
                    shift_s,
                } => {
                    let per_step = trace_per_step.ok_or_else(|| LoadSpecError {
                        field: format!("load.synthetic.terms[{idx}]"),
                        message: "shape = \"replay\" needs a trace in [load]".into(),
                    })?;
                    (
                        combine(*c),
                        Shape::Replay {
                            per_step: per_step.to_vec(),
                            scale: scale.unwrap_or(1.0),
                            shift_s: shift_s.unwrap_or(0),
                        },
                    )
                }
            };
            terms.push(entry);
        }
        let duration_s = match (self.duration_s, trace_per_step) {
            (Some(duration_s), _) => duration_s,
            (None, Some(per_step)) => per_step.len() as u64 * step_s,
            (None, None) => {
                return Err(LoadSpecError {
                    field: "load.synthetic.duration_s".into(),
                    message: "required when [load] has no trace".into(),
                });
            }
        };
        let load = SyntheticLoad {
            terms,
            noise,
            duration_s,
        };
        load.check().map_err(|err| LoadSpecError {
            field: "load.synthetic".into(),
            message: err.to_string(),
        })?;
        Ok(load)
    }
}
