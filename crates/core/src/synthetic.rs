//! Seeded synthetic load: arrivals per step built from composable shapes, then noise.
//!
//! A [`SyntheticLoad`] is a list of terms, each a [`Shape`] that is either added or multiplied:
//!
//! ```text
//! rate(t)  = (Σ Add terms)(t) × (Π Multiply terms)(t)          arrivals per minute
//! expected = rate(middle of the step) × step_s / 60             arrivals per step
//! arrivals = noise(expected)                  None | Poisson | Gamma–Poisson
//! ```
//!
//! Everything random comes from one `ChaCha8Rng` per series, seeded with
//! `seed_from_u64(seed)` then `set_stream(replica)`, and drawn in a fixed order: first every
//! [`Shape::Spikes`] term's spikes (term by term, each spike's gap, height then length), then
//! one noise draw per step in step order. The same `(seed, replica)` therefore gives the same
//! series bit for bit, and changing only the noise leaves the spikes where they were.
//!
//! Model choices (no spec covers synthetic load):
//! - The last step of a `duration_s` that `step_s` does not divide covers only the seconds left;
//!   its rates are evaluated at the middle of that part and scaled to its length, as
//!   [`Demand::from_buckets`] keeps a partial last step.
//! - Spikes are integrated over each step's seconds rather than sampled at its middle: a 20 s
//!   spike inside a 60 s step would otherwise vanish or count as 60 s.
//! - A replayed trace is held per step: a step takes the trace's step that its middle falls in,
//!   so a `shift_s` that is a multiple of `step_s` moves the trace by whole steps, exactly.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution as _, Exp1, Gamma, LogNormal, Pareto, Poisson};

use crate::demand::Demand;
use crate::error::BuildError;

/// Seconds in a day, the period of [`Shape::Diurnal`] and the unit of `per_day`.
const DAY_S: f64 = 86_400.0;
/// Seconds in a minute, the unit of every `_per_min` rate.
const MINUTE_S: f64 = 60.0;

/// At most one spike a second on average: the spikes are drawn one by one, so this bounds the
/// work to about one draw per second of load (and a spike more often than that is no spike).
const MAX_SPIKES_PER_DAY: f64 = DAY_S;
/// Most spikes a series may expect: a million, each drawn and spread one by one.
const MAX_SPIKES: f64 = 1e6;

/// A distribution of a positive quantity (spike heights, lengths, provisioning times).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Distribution {
    /// Always this value.
    Fixed(f64),
    /// Uniform on `[low, high)`.
    Uniform {
        /// Smallest value.
        low: f64,
        /// Upper end, not reached.
        high: f64,
    },
    /// Exponential with this mean.
    Exponential {
        /// Mean of the distribution.
        mean: f64,
    },
    /// Log-normal with this mean (not median): `mu = ln(mean) − sigma²/2`.
    LogNormal {
        /// Mean of the distribution.
        mean: f64,
        /// Standard deviation of the underlying normal.
        sigma: f64,
    },
    /// Pareto (type I): values from `scale` up, `P(X > x) = (scale / x)^shape`.
    Pareto {
        /// Smallest value.
        scale: f64,
        /// Tail index; the mean is infinite at 1 or below.
        shape: f64,
    },
}

impl Distribution {
    /// One draw. Parameters that fail [`Distribution::check`] give NaN, which every consumer
    /// in core rejects, rather than a panic.
    pub fn sample(&self, rng: &mut ChaCha8Rng) -> f64 {
        match *self {
            Self::Fixed(value) => value,
            Self::Uniform { low, high } => low + (high - low) * rng.random::<f64>(),
            // Exp(λ) is Exp1 / λ, so a mean multiplies directly (rand_distr's `Exp` does this).
            Self::Exponential { mean } => rng.sample::<f64, _>(Exp1) * mean,
            Self::LogNormal { mean, sigma } => {
                match LogNormal::new(mean.ln() - sigma * sigma / 2.0, sigma) {
                    Ok(lognormal) => lognormal.sample(rng),
                    Err(_) => f64::NAN,
                }
            }
            Self::Pareto { scale, shape } => match Pareto::new(scale, shape) {
                Ok(pareto) => pareto.sample(rng),
                Err(_) => f64::NAN,
            },
        }
    }

    /// The mean; infinite for a Pareto with `shape` ≤ 1.
    pub fn mean(&self) -> f64 {
        match *self {
            Self::Fixed(value) => value,
            Self::Uniform { low, high } => (low + high) / 2.0,
            Self::Exponential { mean } | Self::LogNormal { mean, .. } => mean,
            Self::Pareto { scale, shape } if shape > 1.0 => scale * shape / (shape - 1.0),
            Self::Pareto { .. } => f64::INFINITY,
        }
    }

    /// Checks the parameters; errors name `field` (the distribution, as the caller spells it)
    /// and say which parameter is wrong.
    pub fn check(&self, field: &'static str) -> Result<(), BuildError> {
        let fail = |expected: &str, got: String| {
            Err(BuildError::Field {
                field,
                expected: expected.into(),
                got,
            })
        };
        match *self {
            Self::Fixed(value) if !is_non_negative(value) => fail(
                "a fixed value that is a finite number >= 0",
                value.to_string(),
            ),
            Self::Uniform { low, high } if !(is_non_negative(low) && high.is_finite()) => fail(
                "a uniform range with finite low >= 0 and finite high",
                format!("low = {low}, high = {high}"),
            ),
            Self::Uniform { low, high } if high < low => fail(
                "a uniform range with high >= low",
                format!("low = {low}, high = {high}"),
            ),
            Self::Exponential { mean } if !is_positive(mean) => fail(
                "an exponential mean that is a finite number greater than 0",
                mean.to_string(),
            ),
            Self::LogNormal { mean, .. } if !is_positive(mean) => fail(
                "a log-normal mean that is a finite number greater than 0",
                mean.to_string(),
            ),
            Self::LogNormal { sigma, .. } if !is_positive(sigma) => fail(
                "a log-normal sigma that is a finite number greater than 0",
                sigma.to_string(),
            ),
            Self::Pareto { scale, .. } if !is_positive(scale) => fail(
                "a Pareto scale that is a finite number greater than 0",
                scale.to_string(),
            ),
            Self::Pareto { shape, .. } if !is_positive(shape) => fail(
                "a Pareto shape that is a finite number greater than 0",
                shape.to_string(),
            ),
            _ => Ok(()),
        }
    }
}

/// One shape over time, as a rate in arrivals per minute (additive) or a factor (multiplicative).
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// The same value at every moment.
    Constant {
        /// Arrivals per minute, or the factor.
        per_min: f64,
    },
    /// Daily cycle: mean × (1 + amplitude × cos(2π (t − peak) / 1 day)), amplitude in [0, 1],
    /// peak as seconds after t = 0 (mod a day).
    Diurnal {
        /// Mean over a day: arrivals per minute, or the mean factor.
        mean_per_min: f64,
        /// Relative swing around the mean, in [0, 1]; 1 reaches zero at the trough.
        amplitude: f64,
        /// When in the day the peak falls, seconds after t = 0; taken mod one day.
        peak_s: u64,
    },
    /// Weekly factors, one per day of the week counted from t = 0 (day 0 .. 6), each ≥ 0 (a
    /// multiplicative shape usually).
    Weekly {
        /// Value on days 0 .. 6, repeating every 7 days.
        factors: [f64; 7],
    },
    /// Linear from `from` at start_s to `to` at end_s, flat outside (growth ramp as a factor,
    /// or a rate).
    Ramp {
        /// Value until `start_s`.
        from: f64,
        /// Value from `end_s` on.
        to: f64,
        /// Start of the ramp, seconds.
        start_s: u64,
        /// End of the ramp, seconds; after `start_s` (a jump is a [`Shape::Step`]).
        end_s: u64,
    },
    /// `before` until at_s, `after` from then on (a launch-day step).
    Step {
        /// When the value changes, seconds.
        at_s: u64,
        /// Value before `at_s`.
        before: f64,
        /// Value from `at_s` on.
        after: f64,
    },
    /// Spikes arriving as a Poisson process (`per_day`), each adding a rectangular bump of
    /// drawn height (per min) and length (s). Additive only.
    Spikes {
        /// Mean number of spikes a day, at most 86,400 (one a second).
        per_day: f64,
        /// Arrivals per minute a spike adds while it lasts.
        height_per_min: Distribution,
        /// How long a spike lasts, seconds.
        length_s: Distribution,
    },
    /// A real trace's per-step arrivals replayed: × scale, shifted later by shift_s (zeros
    /// before, cut at the end); per_step must use the same step_s. As a factor, each value ×
    /// scale is the factor itself.
    Replay {
        /// Arrivals per step of the trace, each finite and ≥ 0.
        per_step: Vec<f64>,
        /// Multiplier of every value, greater than 0.
        scale: f64,
        /// How much later the trace starts, seconds.
        shift_s: u64,
    },
}

impl Shape {
    /// The smooth value at `t_s`: arrivals per minute for an additive term, a factor for a
    /// multiplicative one. Spikes are drawn separately and count 0 here; a replay counts its
    /// value per step, converted by the caller.
    fn value_at(&self, t_s: f64, step_s: u64) -> f64 {
        match *self {
            Self::Constant { per_min } => per_min,
            Self::Diurnal {
                mean_per_min,
                amplitude,
                peak_s,
            } => {
                // rem_euclid keeps the phase in [0, 1 day) for times before the peak too.
                let phase = (t_s - peak_s as f64).rem_euclid(DAY_S) / DAY_S;
                mean_per_min * (1.0 + amplitude * (std::f64::consts::TAU * phase).cos())
            }
            Self::Weekly { ref factors } => {
                let day = (t_s / DAY_S) as u64 % 7;
                factors[day as usize]
            }
            Self::Ramp {
                from,
                to,
                start_s,
                end_s,
            } => {
                let (start, end) = (start_s as f64, end_s as f64);
                if t_s <= start {
                    from
                } else if t_s >= end {
                    to
                } else {
                    from + (to - from) * (t_s - start) / (end - start)
                }
            }
            Self::Step {
                at_s,
                before,
                after,
            } => {
                if t_s < at_s as f64 {
                    before
                } else {
                    after
                }
            }
            Self::Spikes { .. } => 0.0,
            Self::Replay {
                ref per_step,
                scale,
                shift_s,
            } => {
                let since_shift_s = t_s - shift_s as f64;
                if since_shift_s < 0.0 {
                    return 0.0;
                }
                let trace_step = (since_shift_s / step_s as f64) as usize;
                per_step.get(trace_step).map_or(0.0, |value| value * scale)
            }
        }
    }

    /// Checks the shape's parameters for use as a `combine` term; the caller adds the term's
    /// index to the error.
    fn check(&self, combine: Combine) -> Result<(), BuildError> {
        match *self {
            Self::Constant { per_min } => non_negative(per_min, "per_min"),
            Self::Diurnal {
                mean_per_min,
                amplitude,
                ..
            } => {
                non_negative(mean_per_min, "mean_per_min")?;
                if (0.0..=1.0).contains(&amplitude) {
                    Ok(())
                } else {
                    Err(field_error("amplitude", "a number in [0, 1]", amplitude))
                }
            }
            Self::Weekly { ref factors } => {
                match factors.iter().position(|f| !is_non_negative(*f)) {
                    Some(day) => Err(BuildError::Field {
                        field: "factors",
                        expected: "a finite number >= 0 for every day".into(),
                        got: format!("factors[{day}] = {}", factors[day]),
                    }),
                    None => Ok(()),
                }
            }
            Self::Ramp {
                from,
                to,
                start_s,
                end_s,
            } => {
                non_negative(from, "from")?;
                non_negative(to, "to")?;
                if end_s > start_s {
                    Ok(())
                } else {
                    Err(BuildError::Field {
                        field: "end_s",
                        expected: format!("greater than start_s = {start_s}"),
                        got: end_s.to_string(),
                    })
                }
            }
            Self::Step { before, after, .. } => {
                non_negative(before, "before")?;
                non_negative(after, "after")
            }
            Self::Spikes {
                per_day,
                height_per_min,
                length_s,
            } => {
                if combine == Combine::Multiply {
                    return Err(BuildError::Field {
                        field: "terms",
                        expected: "spikes as an Add term: they add arrivals".into(),
                        got: "spikes as a Multiply term".into(),
                    });
                }
                if !(is_non_negative(per_day) && per_day <= MAX_SPIKES_PER_DAY) {
                    return Err(field_error(
                        "per_day",
                        "a number in [0, 86400] (at most one spike a second)",
                        per_day,
                    ));
                }
                height_per_min.check("height_per_min")?;
                length_s.check("length_s")
            }
            Self::Replay {
                ref per_step,
                scale,
                ..
            } => {
                if !is_positive(scale) {
                    return Err(field_error(
                        "scale",
                        "a finite number greater than 0",
                        scale,
                    ));
                }
                if per_step.is_empty() {
                    return Err(BuildError::Field {
                        field: "per_step",
                        expected: "at least one step".into(),
                        got: "no step".into(),
                    });
                }
                match per_step.iter().position(|v| !is_non_negative(*v)) {
                    Some(step) => Err(BuildError::Field {
                        field: "per_step",
                        expected: "a finite number >= 0 in every step".into(),
                        got: format!("per_step[{step}] = {}", per_step[step]),
                    }),
                    None => Ok(()),
                }
            }
        }
    }
}

/// How a term joins the others: added to the rate, or multiplying it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Combine {
    /// The term is a rate in arrivals per minute, summed with the other Add terms.
    Add,
    /// The term is a factor multiplying the sum of the Add terms.
    Multiply,
}

/// How expected arrivals become counts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Noise {
    /// The expected arrivals themselves, fractions included.
    None,
    /// Poisson counts: variance = mean.
    Poisson,
    /// Gamma–Poisson (negative binomial): variance = mean + mean²/dispersion.
    OverDispersed {
        /// Shape of the gamma mixing the Poisson mean; smaller is burstier.
        dispersion: f64,
    },
}

impl Noise {
    /// Checks the dispersion of [`Noise::OverDispersed`]: finite and greater than 0.
    pub fn check(&self) -> Result<(), BuildError> {
        match *self {
            Self::OverDispersed { dispersion } if !is_positive(dispersion) => Err(field_error(
                "dispersion",
                "a finite number greater than 0",
                dispersion,
            )),
            _ => Ok(()),
        }
    }
}

/// A synthetic load: shapes composed into a rate, and the noise that turns it into counts.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntheticLoad {
    /// The shapes, in order; at least one must be [`Combine::Add`].
    pub terms: Vec<(Combine, Shape)>,
    /// How expected arrivals become counts.
    pub noise: Noise,
    /// Length of the series, seconds; at least 1.
    pub duration_s: u64,
}

impl SyntheticLoad {
    /// Checks every parameter (negative rates, zero scales, amplitude outside `[0, 1]`, end before
    /// start, invalid distributions...), naming the field with `BuildError::Field`; the term at
    /// fault is named in `got` as `in terms[i]`. At least one Add term must exist.
    pub fn check(&self) -> Result<(), BuildError> {
        if self.duration_s == 0 {
            return Err(BuildError::Field {
                field: "duration_s",
                expected: "at least 1 second".into(),
                got: "0".into(),
            });
        }
        for (term_idx, (combine, shape)) in self.terms.iter().enumerate() {
            // Spikes are drawn one by one: bound how many a series can hold.
            if let Shape::Spikes { per_day, .. } = *shape {
                let expected = per_day * self.duration_s as f64 / DAY_S;
                if expected > MAX_SPIKES {
                    return Err(BuildError::Field {
                        field: "per_day",
                        expected: format!("at most {MAX_SPIKES:e} spikes expected over duration_s"),
                        got: format!("{per_day} a day, {expected:e} in all, in terms[{term_idx}]"),
                    });
                }
            }
            shape.check(*combine).map_err(|err| match err {
                BuildError::Field {
                    field,
                    expected,
                    got,
                } => BuildError::Field {
                    field,
                    expected,
                    got: format!("{got} in terms[{term_idx}]"),
                },
                other => other,
            })?;
        }
        if !self
            .terms
            .iter()
            .any(|(combine, _)| *combine == Combine::Add)
        {
            return Err(BuildError::Field {
                field: "terms",
                expected: "at least one Add term, the rate the factors multiply".into(),
                got: format!("{} Multiply terms only", self.terms.len()),
            });
        }
        self.noise.check()
    }

    /// The arrivals per step of `step_s` for replica `replica` of `seed`:
    /// ChaCha8Rng::seed_from_u64(seed) then set_stream(replica) — the same (seed, replica)
    /// gives the same series bit for bit; different ones differ. Rates are evaluated at the
    /// middle of each step × step_s/60; spikes are drawn once per series from the same
    /// generator before the noise.
    pub fn generate(&self, step_s: u64, seed: u64, replica: u64) -> Result<Demand, BuildError> {
        if step_s == 0 {
            return Err(BuildError::ZeroStep);
        }
        self.check()?;
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(replica);
        let mut per_step = vec![0.0; self.step_count(step_s)?];
        for (_, shape) in &self.terms {
            if let Shape::Spikes {
                per_day,
                height_per_min,
                length_s,
            } = *shape
            {
                let mut add = |spike: Spike| spike.add_to(&mut per_step, step_s, self.duration_s);
                draw_spikes(
                    per_day,
                    height_per_min,
                    length_s,
                    self.duration_s,
                    &mut rng,
                    &mut add,
                );
            }
        }
        self.compose(&mut per_step, step_s);
        apply_noise(&mut per_step, self.noise, &mut rng);
        Demand::per_step(step_s, per_step)
    }

    /// The noiseless expected arrivals per step (for tests and plots), spikes excluded; empty
    /// for a `step_s` of 0 or a run longer than [`crate::MAX_STEPS`], which cannot be generated.
    pub fn expected(&self, step_s: u64) -> Vec<f64> {
        let Some(steps) = (step_s > 0).then(|| self.step_count(step_s).ok()).flatten() else {
            return Vec::new();
        };
        let mut per_step = vec![0.0; steps];
        self.compose(&mut per_step, step_s);
        per_step
    }

    /// Steps of `step_s` (at least 1) that cover `duration_s`, a partial last step included.
    fn step_count(&self, step_s: u64) -> Result<usize, BuildError> {
        crate::limits::check_step_s(step_s)?;
        crate::limits::steps_covering(self.duration_s, step_s)
    }

    /// Turns the spike arrivals already in `per_step` into the expected arrivals of each step:
    /// (spikes + Σ Add terms) × Π Multiply terms, the smooth terms at the step's middle.
    fn compose(&self, per_step: &mut [f64], step_s: u64) {
        for (step_idx, arrivals) in per_step.iter_mut().enumerate() {
            let start_s = step_idx as u64 * step_s;
            let covered_s = step_s.min(self.duration_s - start_s);
            let middle_s = start_s as f64 + covered_s as f64 / 2.0;
            let minutes = covered_s as f64 / MINUTE_S;
            // A replay is already per step: scaling by the covered fraction (1.0 for a whole
            // step) rather than going through a per-minute rate keeps its values exact.
            let fraction = covered_s as f64 / step_s as f64;
            let mut added = *arrivals;
            let mut factor = 1.0;
            for (combine, shape) in &self.terms {
                let value = shape.value_at(middle_s, step_s);
                match (combine, shape) {
                    (Combine::Add, Shape::Replay { .. }) => added += value * fraction,
                    (Combine::Add, _) => added += value * minutes,
                    (Combine::Multiply, _) => factor *= value,
                }
            }
            *arrivals = added * factor;
        }
    }
}

/// Noise around any rate profile: used to add noise to a replayed trace too. Entries that are
/// not positive give 0 with noise; `noise` should pass [`Noise::check`] (an invalid dispersion
/// falls back to Poisson).
pub fn add_noise(expected_per_step: &[f64], noise: Noise, rng: &mut ChaCha8Rng) -> Vec<f64> {
    let mut per_step = expected_per_step.to_vec();
    apply_noise(&mut per_step, noise, rng);
    per_step
}

/// Replaces each expected count by a noisy one, in step order, so that [`add_noise`] and
/// [`SyntheticLoad::generate`] draw alike and `generate` needs no second Vec.
fn apply_noise(per_step: &mut [f64], noise: Noise, rng: &mut ChaCha8Rng) {
    match noise {
        Noise::None => {}
        Noise::Poisson => {
            for arrivals in per_step {
                *arrivals = poisson(*arrivals, rng);
            }
        }
        Noise::OverDispersed { dispersion } => {
            for arrivals in per_step {
                // Gamma(k, mean / k) has the step's mean and variance mean²/k; a Poisson
                // around it adds the mean: mean + mean²/k in all.
                let mixed_mean = if *arrivals > 0.0 {
                    match Gamma::new(dispersion, *arrivals / dispersion) {
                        Ok(gamma) => gamma.sample(rng),
                        Err(_) => *arrivals,
                    }
                } else {
                    0.0
                };
                *arrivals = poisson(mixed_mean, rng);
            }
        }
    }
}

/// A Poisson count with mean `mean`; 0 for a mean that is not positive. Beyond
/// [`Poisson::MAX_LAMBDA`] (≈ 1.8e19) the mean rounded stands in: its noise, about 4e9, is
/// below an f64's resolution there anyway.
fn poisson(mean: f64, rng: &mut ChaCha8Rng) -> f64 {
    if mean.is_nan() || mean <= 0.0 {
        return 0.0;
    }
    match Poisson::new(mean) {
        Ok(poisson) => poisson.sample(rng),
        Err(_) => mean.round(),
    }
}

/// One drawn spike.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Spike {
    /// When it starts, seconds from t = 0.
    start_s: f64,
    /// How long it lasts, seconds.
    length_s: f64,
    /// Arrivals per minute it adds while it lasts.
    height_per_min: f64,
}

impl Spike {
    /// Adds the spike's arrivals to the steps it overlaps, each in proportion to the overlap;
    /// the part after `duration_s` is cut.
    fn add_to(&self, per_step: &mut [f64], step_s: u64, duration_s: u64) {
        let end_s = self.start_s + self.length_s;
        let first_step = (self.start_s / step_s as f64) as usize;
        // `as` saturates an infinite end; `take` stops at the last step anyway.
        let end_step = (end_s / step_s as f64).ceil() as usize;
        let steps = end_step.saturating_sub(first_step);
        for (offset, arrivals) in per_step.iter_mut().skip(first_step).take(steps).enumerate() {
            let step_start_s = ((first_step + offset) as u64 * step_s) as f64;
            let step_end_s = (step_start_s + step_s as f64).min(duration_s as f64);
            let overlap_s = step_end_s.min(end_s) - step_start_s.max(self.start_s);
            if overlap_s > 0.0 {
                *arrivals += self.height_per_min * overlap_s / MINUTE_S;
            }
        }
    }
}

/// Draws the spikes of one [`Shape::Spikes`] term over `[0, duration_s)` in time order: for
/// each, the gap since the previous one (exponential, mean 1 day / per_day), then its height,
/// then its length.
fn draw_spikes(
    per_day: f64,
    height_per_min: Distribution,
    length_s: Distribution,
    duration_s: u64,
    rng: &mut ChaCha8Rng,
    on_spike: &mut impl FnMut(Spike),
) {
    if per_day.is_nan() || per_day <= 0.0 {
        return;
    }
    let mean_gap_s = DAY_S / per_day;
    let mut start_s = 0.0;
    loop {
        start_s += rng.sample::<f64, _>(Exp1) * mean_gap_s;
        // A NaN start (from an unchecked per_day) ends the draws too, instead of looping.
        if start_s.is_nan() || start_s >= duration_s as f64 {
            return;
        }
        let height_per_min = height_per_min.sample(rng);
        let length_s = length_s.sample(rng);
        on_spike(Spike {
            start_s,
            length_s,
            height_per_min,
        });
    }
}

/// Finite and ≥ 0: a rate or factor that can be used as is.
fn is_non_negative(value: f64) -> bool {
    value.is_finite() && value >= 0.0
}

/// Finite and > 0: a scale or mean that must not vanish.
fn is_positive(value: f64) -> bool {
    value.is_finite() && value > 0.0
}

/// A [`BuildError::Field`] for a number.
fn field_error(field: &'static str, expected: &str, got: f64) -> BuildError {
    BuildError::Field {
        field,
        expected: expected.into(),
        got: got.to_string(),
    }
}

/// Checks that `field` is finite and ≥ 0.
fn non_negative(value: f64, field: &'static str) -> Result<(), BuildError> {
    if is_non_negative(value) {
        Ok(())
    } else {
        Err(field_error(field, "a finite number >= 0", value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR_S: u64 = 3_600;
    const DAY: u64 = 86_400;

    fn load(terms: Vec<(Combine, Shape)>, noise: Noise, duration_s: u64) -> SyntheticLoad {
        SyntheticLoad {
            terms,
            noise,
            duration_s,
        }
    }

    fn constant(per_min: f64) -> (Combine, Shape) {
        (Combine::Add, Shape::Constant { per_min })
    }

    fn series(load: &SyntheticLoad, step_s: u64, seed: u64, replica: u64) -> Vec<f64> {
        load.generate(step_s, seed, replica)
            .unwrap()
            .as_slice()
            .to_vec()
    }

    fn mean_and_variance(values: &[f64]) -> (f64, f64) {
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
        (mean, variance)
    }

    /// Excess kurtosis of the counts of a step with mean `mean`: 1/mean for the Poisson, and
    /// 6/k + q²/((1 − q) k) with q = k/(k + mean) for the negative binomial of dispersion k
    /// (which tends to 1/mean as k grows).
    fn excess_kurtosis(noise: Noise, mean: f64) -> f64 {
        match noise {
            Noise::None => 0.0,
            Noise::Poisson => 1.0 / mean,
            Noise::OverDispersed { dispersion: k } => {
                let q = k / (k + mean);
                6.0 / k + q * q / ((1.0 - q) * k)
            }
        }
    }

    /// A constant rate of `per_min` in steps of `step_s` has counts of mean
    /// λ = per_min × step_s/60 and variance σ² = λ (Poisson) or λ + λ²/k. Over n steps the
    /// sample mean's standard error is σ/√n and the sample variance's is
    /// σ² √((2 + excess kurtosis)/n); 5 standard errors is a bound a correct sampler misses
    /// about once in 2 million.
    fn check_moments(per_min: f64, step_s: u64, noise: Noise) {
        let n_steps = 20_000;
        let load = load(vec![constant(per_min)], noise, n_steps * step_s);
        let counts = series(&load, step_s, 11, 0);
        let lambda = per_min * step_s as f64 / 60.0;
        let variance_want = match noise {
            Noise::None => 0.0,
            Noise::Poisson => lambda,
            Noise::OverDispersed { dispersion } => lambda + lambda * lambda / dispersion,
        };
        let (mean, variance) = mean_and_variance(&counts);
        let n = n_steps as f64;
        let mean_bound = 5.0 * (variance_want / n).sqrt();
        let variance_bound =
            5.0 * variance_want * ((2.0 + excess_kurtosis(noise, lambda)) / n).sqrt();
        let case = format!("{per_min}/min, {step_s} s, {noise:?}");
        assert!(
            (mean - lambda).abs() <= mean_bound,
            "{case}: mean {mean}, want {lambda} ± {mean_bound}"
        );
        assert!(
            (variance - variance_want).abs() <= variance_bound,
            "{case}: variance {variance}, want {variance_want} ± {variance_bound}"
        );
        if noise != Noise::None {
            assert!(
                counts.iter().all(|c| c.fract() == 0.0),
                "{case}: whole counts"
            );
        }
    }

    #[test]
    fn counts_have_the_mean_and_variance_of_their_noise() {
        check_moments(7.5, 60, Noise::None);
        check_moments(3.0, 60, Noise::Poisson);
        // λ = 40 takes rand_distr's rejection sampler rather than Knuth's product method.
        check_moments(40.0, 60, Noise::Poisson);
        // Steps of 15 s: λ = 8 × 15/60 = 2 a step.
        check_moments(8.0, 15, Noise::Poisson);
        // λ = 10, k = 2: variance 10 + 100/2 = 60.
        check_moments(10.0, 60, Noise::OverDispersed { dispersion: 2.0 });
        // λ = 100, k = 50: variance 100 + 10000/50 = 300.
        check_moments(100.0, 60, Noise::OverDispersed { dispersion: 50.0 });
    }

    /// With Poisson noise the series' total is Poisson with mean Σ expected (given the spikes),
    /// so it lies within 5 √(Σ expected) of it.
    fn check_poisson_total(load: &SyntheticLoad, step_s: u64) {
        let noiseless = SyntheticLoad {
            noise: Noise::None,
            ..load.clone()
        };
        let want: f64 = series(&noiseless, step_s, 5, 2).iter().sum();
        let noisy = SyntheticLoad {
            noise: Noise::Poisson,
            ..load.clone()
        };
        let total: f64 = series(&noisy, step_s, 5, 2).iter().sum();
        let bound = 5.0 * want.sqrt();
        assert!(
            (total - want).abs() <= bound,
            "{load:?}: total {total}, want {want} ± {bound}"
        );
    }

    fn diurnal(mean_per_min: f64, amplitude: f64, peak_s: u64) -> Shape {
        Shape::Diurnal {
            mean_per_min,
            amplitude,
            peak_s,
        }
    }

    #[test]
    fn diurnal_peaks_at_peak_s_and_bottoms_out_12_hours_later() {
        // Steps of 60 s have their middles at 60 i + 30: a peak at 10,830 s is step 180's
        // middle, where 20/min × (1 + 0.5) = 30 a step; the trough at 10,830 + 43,200 is step
        // 900's, 20 × (1 − 0.5) = 10. A peak_s a day later is the same peak.
        for peak_s in [10_830, DAY + 10_830] {
            let load = load(
                vec![(Combine::Add, diurnal(20.0, 0.5, peak_s))],
                Noise::None,
                DAY,
            );
            let expected = load.expected(60);
            let argmax = (0..expected.len())
                .max_by(|&a, &b| expected[a].total_cmp(&expected[b]))
                .unwrap();
            let argmin = (0..expected.len())
                .min_by(|&a, &b| expected[a].total_cmp(&expected[b]))
                .unwrap();
            assert_eq!((argmax, argmin), (180, 900));
            assert!((expected[180] - 30.0).abs() < 1e-9);
            assert!((expected[900] - 10.0).abs() < 1e-9);
            // A whole day of equally spaced cosines sums to zero: the mean is 20 a step.
            let day_mean = expected.iter().sum::<f64>() / expected.len() as f64;
            assert!((day_mean - 20.0).abs() < 1e-9);
            check_poisson_total(&load, 60);
        }
    }

    #[test]
    fn weekly_factors_apply_day_by_day_from_t_zero() {
        // 60/min × 1 h steps = 3,600 a step before the day's factor; two weeks repeat.
        let factors = [1.0, 0.5, 2.0, 0.0, 1.5, 0.25, 3.0];
        let load = load(
            vec![
                constant(60.0),
                (Combine::Multiply, Shape::Weekly { factors }),
            ],
            Noise::None,
            14 * DAY,
        );
        let expected = load.expected(HOUR_S);
        assert_eq!(expected.len(), 14 * 24);
        for (hour, arrivals) in expected.iter().enumerate() {
            assert_eq!(*arrivals, 3_600.0 * factors[hour / 24 % 7], "hour {hour}");
        }
        check_poisson_total(&load, HOUR_S);
    }

    #[test]
    fn a_ramp_is_flat_outside_and_linear_inside() {
        let ramp = Shape::Ramp {
            from: 1.0,
            to: 3.0,
            start_s: HOUR_S,
            end_s: 2 * HOUR_S,
        };
        let load = load(
            vec![constant(10.0), (Combine::Multiply, ramp)],
            Noise::None,
            3 * HOUR_S,
        );
        let expected = load.expected(60);
        // Before the ramp (middles ≤ 3,600 s): 10 × 1; after (middles ≥ 7,200 s): 10 × 3.
        assert!(expected[..60].iter().all(|&a| a == 10.0));
        assert!(expected[120..].iter().all(|&a| a == 30.0));
        // Step 90's middle is 5,430 s: 10 × (1 + 2 × 1,830/3,600) = 20.1666...
        assert!((expected[90] - 10.0 * (1.0 + 2.0 * 1_830.0 / 3_600.0)).abs() < 1e-12);
        // As a rate: 0 → 60/min over the first hour; step 0's middle, 30 s, has 0.5/min.
        let rate = super::tests::load(
            vec![(
                Combine::Add,
                Shape::Ramp {
                    from: 0.0,
                    to: 60.0,
                    start_s: 0,
                    end_s: HOUR_S,
                },
            )],
            Noise::None,
            2 * HOUR_S,
        );
        let expected = rate.expected(60);
        assert!((expected[0] - 0.5).abs() < 1e-12);
        assert_eq!(expected[119], 60.0);
        check_poisson_total(&load, 60);
    }

    #[test]
    fn a_step_switches_from_before_to_after_at_at_s() {
        // at_s = 630 is inside step 10 = [600, 660), whose middle 630 is already "from at_s on".
        for (at_s, first_after) in [(600, 10), (630, 10), (631, 11)] {
            let load = load(
                vec![(
                    Combine::Add,
                    Shape::Step {
                        at_s,
                        before: 5.0,
                        after: 20.0,
                    },
                )],
                Noise::None,
                HOUR_S,
            );
            let expected = load.expected(60);
            assert!(expected[..first_after].iter().all(|&a| a == 5.0), "{at_s}");
            assert!(expected[first_after..].iter().all(|&a| a == 20.0), "{at_s}");
            check_poisson_total(&load, 60);
        }
    }

    #[test]
    fn a_partial_last_step_counts_only_its_seconds() {
        // 150 s in steps of 60: the last step has 30 s, so 12/min gives 12, 12, 6.
        let load = load(vec![constant(12.0)], Noise::None, 150);
        assert_eq!(series(&load, 60, 0, 0), [12.0, 12.0, 6.0]);
    }

    fn spikes(per_day: f64, height_per_min: Distribution, length_s: Distribution) -> Shape {
        Shape::Spikes {
            per_day,
            height_per_min,
            length_s,
        }
    }

    #[test]
    fn spikes_arrive_per_day_with_the_heights_drawn() {
        // 24 a day over 100 days: the count is Poisson(2,400), within 5 √2,400 ≈ 245. Heights
        // are exponential with mean 100 (sd 100): their mean is within 5 × 100/√count.
        let height = Distribution::Exponential { mean: 100.0 };
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let mut heights = Vec::new();
        let mut last_start_s = 0.0;
        draw_spikes(
            24.0,
            height,
            Distribution::Fixed(30.0),
            100 * DAY,
            &mut rng,
            &mut |spike| {
                assert!(spike.start_s >= last_start_s && spike.start_s < (100 * DAY) as f64);
                last_start_s = spike.start_s;
                heights.push(spike.height_per_min);
            },
        );
        let count = heights.len() as f64;
        assert!((count - 2_400.0).abs() <= 5.0 * 2_400f64.sqrt(), "{count}");
        let mean_height = heights.iter().sum::<f64>() / count;
        assert!((mean_height - 100.0).abs() <= 5.0 * 100.0 / count.sqrt());
    }

    #[test]
    fn spikes_add_height_times_length_to_the_steps_they_overlap() {
        // Spikes of 120/min for 30 s each add 60 arrivals, shared by the steps they overlap,
        // so 10 a day for 100 days total 60 × Poisson(1,000): within 60 × 5 √1,000. None is
        // cut at the end unless it starts in the last 30 s (chance ≈ 10 × 30/86,400).
        let shape = spikes(10.0, Distribution::Fixed(120.0), Distribution::Fixed(30.0));
        let load = load(vec![(Combine::Add, shape)], Noise::None, 100 * DAY);
        assert!(
            load.expected(60).iter().all(|&a| a == 0.0),
            "spikes excluded"
        );
        let per_step = series(&load, 60, 9, 0);
        let total = per_step.iter().sum::<f64>();
        let spike_count = (total / 60.0).round();
        assert!((total - 60.0 * spike_count).abs() < 1e-6);
        assert!((spike_count - 1_000.0).abs() <= 5.0 * 1_000f64.sqrt());
        // A spike of 90 s from 30 s, in steps of 60: 30 s, 60 s, then 0 s after the end.
        let mut per_step = vec![0.0; 3];
        let spike = Spike {
            start_s: 30.0,
            length_s: 90.0,
            height_per_min: 60.0,
        };
        spike.add_to(&mut per_step, 60, 180);
        assert_eq!(per_step, [30.0, 60.0, 0.0]);
        // Cut at a duration of 100 s: the second step covers [60, 100).
        let mut per_step = vec![0.0; 2];
        spike.add_to(&mut per_step, 60, 100);
        assert_eq!(per_step, [30.0, 40.0]);
    }

    fn replay(per_step: Vec<f64>, scale: f64, shift_s: u64) -> (Combine, Shape) {
        (
            Combine::Add,
            Shape::Replay {
                per_step,
                scale,
                shift_s,
            },
        )
    }

    #[test]
    fn a_replay_is_scaled_and_shifted_exactly() {
        let trace = vec![1.0, 2.0, 3.0, 4.0];
        for (shift_s, duration_s, want) in [
            // Shifted 2 steps: zeros before, cut at the end of 6 steps.
            (120, 360, vec![0.0, 0.0, 0.1, 0.2, 0.30000000000000004, 0.4]),
            (120, 300, vec![0.0, 0.0, 0.1, 0.2, 0.30000000000000004]),
            // Unshifted and longer than the trace: zeros after it.
            (0, 360, vec![0.1, 0.2, 0.30000000000000004, 0.4, 0.0, 0.0]),
        ] {
            let load = load(
                vec![replay(trace.clone(), 0.1, shift_s)],
                Noise::None,
                duration_s,
            );
            // The values are exactly `value * 0.1` in f64, as written out above.
            let got = series(&load, 60, 0, 0);
            assert_eq!(got, want, "shift {shift_s}, duration {duration_s}");
            assert_eq!(got, load.expected(60));
        }
        let load = load(
            vec![replay(vec![50.0; 1_000], 2.0, 0)],
            Noise::Poisson,
            60_000,
        );
        check_poisson_total(&load, 60);
    }

    #[test]
    fn add_noise_on_a_trace_draws_as_generate_does_on_its_replay() {
        // A replay draws no spikes, so its noise is the first thing drawn from (seed, replica).
        let trace: Vec<f64> = (0..500).map(|i| f64::from(i % 37) * 1.5).collect();
        for noise in [Noise::Poisson, Noise::OverDispersed { dispersion: 3.0 }] {
            let load = load(vec![replay(trace.clone(), 1.0, 0)], noise, 500 * 60);
            let mut rng = ChaCha8Rng::seed_from_u64(21);
            rng.set_stream(4);
            assert_eq!(series(&load, 60, 21, 4), add_noise(&trace, noise, &mut rng));
        }
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        assert_eq!(add_noise(&[1.5, 0.0], Noise::None, &mut rng), [1.5, 0.0]);
        assert_eq!(
            add_noise(&[0.0, -1.0], Noise::Poisson, &mut rng),
            [0.0, 0.0]
        );
    }

    #[test]
    fn diurnal_plus_spikes_times_a_ramp_composes_step_by_step() {
        let ramp = Shape::Ramp {
            from: 1.0,
            to: 2.0,
            start_s: DAY,
            end_s: 3 * DAY,
        };
        let spike_shape = spikes(
            6.0,
            Distribution::LogNormal {
                mean: 200.0,
                sigma: 0.5,
            },
            Distribution::Uniform {
                low: 60.0,
                high: 900.0,
            },
        );
        let duration_s = 4 * DAY;
        let step_s = 300;
        let composite = load(
            vec![
                (Combine::Add, diurnal(30.0, 0.8, 14 * HOUR_S)),
                (Combine::Add, spike_shape.clone()),
                (Combine::Multiply, ramp.clone()),
            ],
            Noise::None,
            duration_s,
        );
        // The parts: the diurnal rate alone, the ramp alone (× 1/min, i.e. 5 a step), and the
        // spikes alone from the same (seed, replica), so the same spikes are drawn.
        let diurnal_part = load(
            vec![(Combine::Add, diurnal(30.0, 0.8, 14 * HOUR_S))],
            Noise::None,
            duration_s,
        )
        .expected(step_s);
        let ramp_part = load(
            vec![constant(1.0), (Combine::Multiply, ramp)],
            Noise::None,
            duration_s,
        )
        .expected(step_s);
        let spike_part = series(
            &load(vec![(Combine::Add, spike_shape)], Noise::None, duration_s),
            step_s,
            8,
            1,
        );
        let got = series(&composite, step_s, 8, 1);
        assert!(spike_part.iter().any(|&a| a > 0.0), "some spike was drawn");
        for step_idx in 0..got.len() {
            let factor = ramp_part[step_idx] / 5.0;
            let want = (diurnal_part[step_idx] + spike_part[step_idx]) * factor;
            assert!(
                (got[step_idx] - want).abs() <= 1e-9 * want.max(1.0),
                "step {step_idx}: {} vs {want}",
                got[step_idx]
            );
        }
        check_poisson_total(&composite, step_s);
    }

    #[test]
    fn the_same_seed_and_replica_repeat_and_others_differ() {
        let load = load(
            vec![
                (Combine::Add, diurnal(10.0, 0.3, 0)),
                (
                    Combine::Add,
                    spikes(
                        4.0,
                        Distribution::Pareto {
                            scale: 50.0,
                            shape: 2.5,
                        },
                        Distribution::Exponential { mean: 600.0 },
                    ),
                ),
            ],
            Noise::OverDispersed { dispersion: 5.0 },
            2 * DAY,
        );
        let base = series(&load, 60, 42, 0);
        let bits = |s: &[f64]| s.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&base), bits(&series(&load, 60, 42, 0)));
        assert_ne!(base, series(&load, 60, 42, 1));
        assert_ne!(base, series(&load, 60, 43, 0));
    }

    #[test]
    fn distributions_have_the_mean_they_state() {
        // 20,000 draws: the sample mean is within 5 sd/√n of the mean, with sd from the
        // distribution: (high − low)/√12 for the uniform, the mean for the exponential,
        // mean √(e^{σ²} − 1) for the log-normal and scale √(α/((α−1)²(α−2))) for the Pareto.
        let n = 20_000;
        for (distribution, sd) in [
            (Distribution::Fixed(4.0), 0.0),
            (
                Distribution::Uniform {
                    low: 2.0,
                    high: 8.0,
                },
                6.0 / 12f64.sqrt(),
            ),
            (Distribution::Exponential { mean: 30.0 }, 30.0),
            (
                Distribution::LogNormal {
                    mean: 100.0,
                    sigma: 0.8,
                },
                100.0 * (0.64f64.exp() - 1.0).sqrt(),
            ),
            (
                Distribution::Pareto {
                    scale: 1.0,
                    shape: 5.0,
                },
                (5.0f64 / (16.0 * 3.0)).sqrt(),
            ),
        ] {
            distribution.check("test").unwrap();
            let mut rng = ChaCha8Rng::seed_from_u64(17);
            let draws: Vec<f64> = (0..n).map(|_| distribution.sample(&mut rng)).collect();
            let mean = draws.iter().sum::<f64>() / f64::from(n);
            let bound = 5.0 * sd / f64::from(n).sqrt();
            let want = distribution.mean();
            assert!(
                (mean - want).abs() <= bound,
                "{distribution:?}: {mean} vs {want} ± {bound}"
            );
            assert!(draws.iter().all(|&d| d >= 0.0));
        }
        // Pareto scale 1, shape 5: mean 5/4; shape 1: infinite.
        let pareto = |shape| Distribution::Pareto { scale: 1.0, shape };
        assert_eq!(pareto(5.0).mean(), 1.25);
        assert_eq!(pareto(1.0).mean(), f64::INFINITY);
    }

    /// Checking `load` fails naming `field`, and `got` names the term when there is one.
    fn check_rejected(load: SyntheticLoad, field: &str, got_contains: &str) {
        match load.check() {
            Err(BuildError::Field {
                field: got_field,
                got,
                ..
            }) => {
                assert_eq!(got_field, field, "{load:?}");
                assert!(got.contains(got_contains), "{got:?} lacks {got_contains:?}");
            }
            other => panic!("{load:?}: {other:?}"),
        }
        assert!(load.generate(60, 0, 0).is_err());
    }

    #[test]
    fn every_invalid_parameter_is_rejected_naming_its_field() {
        let ok = Distribution::Fixed(1.0);
        let with =
            |shape: Shape| load(vec![constant(1.0), (Combine::Add, shape)], Noise::None, DAY);
        let multiplied = |shape: Shape| {
            load(
                vec![constant(1.0), (Combine::Multiply, shape)],
                Noise::None,
                DAY,
            )
        };
        let spike_with = |height_per_min, length_s| with(spikes(1.0, height_per_min, length_s));
        let cases = [
            (
                with(Shape::Constant { per_min: -1.0 }),
                "per_min",
                "-1 in terms[1]",
            ),
            (
                with(Shape::Constant { per_min: f64::NAN }),
                "per_min",
                "NaN",
            ),
            (with(diurnal(-5.0, 0.5, 0)), "mean_per_min", "-5"),
            (with(diurnal(5.0, 1.5, 0)), "amplitude", "1.5"),
            (with(diurnal(5.0, -0.1, 0)), "amplitude", "-0.1"),
            (
                multiplied(Shape::Weekly {
                    factors: [1.0, 1.0, -1.0, 1.0, 1.0, 1.0, 1.0],
                }),
                "factors",
                "factors[2] = -1",
            ),
            (
                multiplied(Shape::Ramp {
                    from: 1.0,
                    to: 2.0,
                    start_s: 100,
                    end_s: 50,
                }),
                "end_s",
                "50",
            ),
            (
                multiplied(Shape::Ramp {
                    from: 1.0,
                    to: 2.0,
                    start_s: 100,
                    end_s: 100,
                }),
                "end_s",
                "100",
            ),
            (
                multiplied(Shape::Ramp {
                    from: f64::INFINITY,
                    to: 2.0,
                    start_s: 0,
                    end_s: 100,
                }),
                "from",
                "inf",
            ),
            (
                multiplied(Shape::Ramp {
                    from: 1.0,
                    to: -2.0,
                    start_s: 0,
                    end_s: 100,
                }),
                "to",
                "-2",
            ),
            (
                with(Shape::Step {
                    at_s: 0,
                    before: -1.0,
                    after: 1.0,
                }),
                "before",
                "-1",
            ),
            (
                with(Shape::Step {
                    at_s: 0,
                    before: 1.0,
                    after: -3.0,
                }),
                "after",
                "-3",
            ),
            (with(spikes(-1.0, ok, ok)), "per_day", "-1"),
            (with(spikes(100_000.0, ok, ok)), "per_day", "100000"),
            (multiplied(spikes(1.0, ok, ok)), "terms", "Multiply"),
            (
                spike_with(Distribution::Fixed(-1.0), ok),
                "height_per_min",
                "-1",
            ),
            (
                spike_with(
                    Distribution::Uniform {
                        low: 5.0,
                        high: 2.0,
                    },
                    ok,
                ),
                "height_per_min",
                "low = 5, high = 2",
            ),
            (
                spike_with(
                    Distribution::Uniform {
                        low: -1.0,
                        high: 2.0,
                    },
                    ok,
                ),
                "height_per_min",
                "low = -1",
            ),
            (
                spike_with(ok, Distribution::Exponential { mean: 0.0 }),
                "length_s",
                "0 in terms[1]",
            ),
            (
                spike_with(
                    ok,
                    Distribution::LogNormal {
                        mean: 60.0,
                        sigma: 0.0,
                    },
                ),
                "length_s",
                "0",
            ),
            (
                spike_with(
                    ok,
                    Distribution::LogNormal {
                        mean: -60.0,
                        sigma: 1.0,
                    },
                ),
                "length_s",
                "-60",
            ),
            (
                spike_with(
                    Distribution::Pareto {
                        scale: 0.0,
                        shape: 2.0,
                    },
                    ok,
                ),
                "height_per_min",
                "0",
            ),
            (
                spike_with(
                    Distribution::Pareto {
                        scale: 1.0,
                        shape: f64::NAN,
                    },
                    ok,
                ),
                "height_per_min",
                "NaN",
            ),
            (with(replay(vec![1.0], 0.0, 0).1), "scale", "0"),
            (
                with(replay(vec![1.0, f64::NAN], 1.0, 0).1),
                "per_step",
                "per_step[1] = NaN",
            ),
            (with(replay(vec![], 1.0, 0).1), "per_step", "no step"),
            (load(vec![constant(1.0)], Noise::None, 0), "duration_s", "0"),
            (
                load(
                    vec![(Combine::Multiply, Shape::Constant { per_min: 2.0 })],
                    Noise::None,
                    DAY,
                ),
                "terms",
                "Multiply terms only",
            ),
            (load(vec![], Noise::None, DAY), "terms", "0 Multiply"),
            (
                load(
                    vec![constant(1.0)],
                    Noise::OverDispersed { dispersion: 0.0 },
                    DAY,
                ),
                "dispersion",
                "0",
            ),
        ];
        for (load, field, got) in cases {
            check_rejected(load, field, got);
        }
        let valid = load(vec![constant(1.0)], Noise::Poisson, DAY);
        assert_eq!(valid.generate(0, 0, 0), Err(BuildError::ZeroStep));
        assert!(valid.expected(0).is_empty());
    }
}
