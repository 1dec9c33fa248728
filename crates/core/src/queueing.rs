//! Erlang C: waiting in an M/M/c queue (Poisson arrivals, exponential service, c servers, one
//! queue), to estimate what a fleet of c instances means for latency.
//!
//! With arrival rate λ, service rate μ = 1/service time, offered load a = λ/μ erlangs and
//! utilization ρ = a/c (Kleinrock, "Queueing Systems", vol. 1, 1975, §3.5; Gross and Harris,
//! "Fundamentals of Queueing Theory", §2.3):
//!
//! ```text
//! C(c, a) = B(c, a) / (1 − ρ (1 − B(c, a)))        probability that an arrival waits
//! W_q     = C(c, a) / (c μ − λ)                    mean time in queue
//! W       = W_q + 1/μ                              mean time in the system
//! ```
//!
//! B(c, a) is the Erlang B blocking probability, from its recurrence B(0) = 1,
//! B(k) = a·B(k−1) / (k + a·B(k−1)), summed in the order and over the terms that matter so that
//! its cost stays bounded for billions of servers (see `erlang_b`). The queue is stable only for
//! a < c (ρ < 1); at or above that the functions say so (C = 1, waits infinite).

/// Probability that an arrival waits in an M/M/c queue with `servers` servers and offered load
/// `offered_erlangs` = λ/μ; 1.0 when the queue is unstable (offered ≥ servers); 0 servers → 1.0.
///
/// No load (offered ≤ 0) gives 0; a NaN load gives NaN. The cost is bounded whatever the servers
/// and load: see `erlang_b`.
pub fn erlang_c(servers: u32, offered_erlangs: f64) -> f64 {
    if offered_erlangs.is_nan() {
        return f64::NAN;
    }
    let servers_f = f64::from(servers);
    if offered_erlangs >= servers_f {
        // Covers 0 servers too: with no server every arrival waits (for ever).
        return 1.0;
    }
    if offered_erlangs <= 0.0 {
        return 0.0;
    }
    let blocking = erlang_b(servers, offered_erlangs);
    let utilization = offered_erlangs / servers_f;
    blocking / (1.0 - utilization * (1.0 - blocking))
}

/// Mean time in queue W_q = C(c, a) / (c μ − λ), seconds; f64::INFINITY when unstable.
///
/// a = λ × service time. Computed as C × service time / (c − a), the same quantity with
/// one rounding fewer. Rates and times are taken as finite and ≥ 0; no arrivals (λ = 0) waits 0
/// as long as there is a server.
pub fn mean_wait_s(servers: u32, arrival_rate_per_s: f64, service_time_s: f64) -> f64 {
    let offered_erlangs = arrival_rate_per_s * service_time_s;
    let servers_f = f64::from(servers);
    if offered_erlangs >= servers_f {
        return f64::INFINITY;
    }
    erlang_c(servers, offered_erlangs) * service_time_s / (servers_f - offered_erlangs)
}

/// Mean response time W = W_q + 1/μ, seconds.
///
/// f64::INFINITY when unstable, as W_q is.
pub fn mean_response_s(servers: u32, arrival_rate_per_s: f64, service_time_s: f64) -> f64 {
    mean_wait_s(servers, arrival_rate_per_s, service_time_s) + service_time_s
}

/// Offered loads above which Erlang B is approximated rather than summed (see [`erlang_b`]).
const EXACT_ERLANGS_MAX: f64 = 1e6;

/// Erlang B, B(c, a), for 0 < a < c, at a cost bounded whatever c and a.
///
/// Up to [`EXACT_ERLANGS_MAX`] erlangs it is exact to rounding: 1/B(c) = Σⱼ Πᵢ₍ᵢ₌₀..ⱼ₋₁₎
/// (c − i)/a, the recurrence B(k) = a·B(k−1) / (k + a·B(k−1)) unrolled from k = c down. The
/// terms grow while c − i > a, then fall faster than a Gaussian of width √a, so those with
/// c − i < a − 40√a − 40 (below e⁻⁸⁰⁰ of the largest) are left out, and a sum past 10³⁰⁰ means
/// B is 0 to any precision a figure shows: at most about 80√a + 80 terms, where the recurrence
/// from k = 1 took up to c (four billion servers for a service time of 2³² s).
///
/// Above it, B is the truncated Poisson ratio P(X = c)/P(X ≤ c), X ~ Poisson(a), with X taken
/// as normal (mean and variance a, continuity-corrected): B ≈ φ(z)/(√a Φ(z + 1/(2√a))),
/// z = (c − a)/√a, whose relative error is of order 1/√a, at most 0.1 % here. No real fleet
/// offers a million erlangs; the bound keeps hostile input from running for hours.
fn erlang_b(servers: u32, offered_erlangs: f64) -> f64 {
    let servers_f = f64::from(servers);
    let spread = offered_erlangs.sqrt();
    if offered_erlangs > EXACT_ERLANGS_MAX {
        let z = (servers_f - offered_erlangs) / spread;
        let density = (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt();
        let below = 0.5 * libm::erfc(-(z + 0.5 / spread) / std::f64::consts::SQRT_2);
        return (density / (spread * below)).min(1.0);
    }
    let lowest_factor = offered_erlangs - 40.0 * spread - 40.0;
    let mut inverse = 1.0;
    let mut term = 1.0;
    for i in 0..servers {
        let factor = servers_f - f64::from(i);
        if factor < lowest_factor {
            break;
        }
        term *= factor / offered_erlangs;
        inverse += term;
        if inverse > 1e300 {
            return 0.0;
        }
    }
    1.0 / inverse
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_near(got: f64, expected: f64) {
        assert!(
            (got - expected).abs() <= 1e-12 * expected.abs().max(1.0),
            "got {got}, expected {expected}"
        );
    }

    #[test]
    fn erlang_b_by_hand() {
        // c = 2, a = 1: B(1) = 1·1/(1 + 1) = 1/2, B(2) = 1·(1/2)/(2 + 1/2) = 1/5.
        assert_near(erlang_b(2, 1.0), 0.2);
        // Against the closed form B = (aᶜ/c!) / Σ_{k≤c} aᵏ/k!: c = 5, a = 4 is
        // (1024/120) / ((120 + 480 + 960 + 1280 + 1280 + 1024)/120) = 1024/5144 = 128/643.
        assert_near(erlang_b(5, 4.0), 128.0 / 643.0);
    }

    #[test]
    fn one_server_is_m_m_1() {
        // M/M/1: C = ρ. a = 0.5: B(1) = 0.5/1.5 = 1/3, C = (1/3) / (1 − 0.5 × 2/3) = 1/2.
        assert_near(erlang_c(1, 0.5), 0.5);
        assert_near(erlang_c(1, 0.9), 0.9);
        // λ = 0.5/s, service 1 s (μ = 1): W_q = ρ/(μ − λ) = 0.5/0.5 = 1 s; W = 1/(μ − λ) = 2 s.
        assert_near(mean_wait_s(1, 0.5, 1.0), 1.0);
        assert_near(mean_response_s(1, 0.5, 1.0), 2.0);
        // λ = 3/s, service 0.25 s (μ = 4, ρ = 0.75): W_q = 0.75/(4 − 3) = 0.75 s; W = 1/(4 − 3) = 1 s.
        assert_near(mean_wait_s(1, 3.0, 0.25), 0.75);
        assert_near(mean_response_s(1, 3.0, 0.25), 1.0);
    }

    /// The recurrence from k = 1, as the textbooks give it: the reference for the sum.
    fn erlang_b_by_recurrence(servers: u32, offered_erlangs: f64) -> f64 {
        (1..=servers).fold(1.0, |blocking, k| {
            let carried = offered_erlangs * blocking;
            carried / (f64::from(k) + carried)
        })
    }

    #[test]
    fn the_bounded_sum_is_the_recurrence() {
        for (servers, offered) in [
            (1, 0.5),
            (7, 3.2),
            (100, 80.0),
            (1_000, 990.0),
            (5_000, 4_700.0),
            (20_000, 19_990.5),
            (200_000, 199_000.0),
        ] {
            let got = erlang_b(servers, offered);
            let expected = erlang_b_by_recurrence(servers, offered);
            assert!(
                (got - expected).abs() <= 1e-9 * expected,
                "B({servers}, {offered}) = {got}, recurrence {expected}"
            );
        }
    }

    #[test]
    fn huge_fleets_and_loads_are_answered_at_once_and_finite() {
        // Four billion servers for a service time of 2^32 s: once a loop of c steps.
        assert_eq!(erlang_c(u32::MAX, 10.0), 0.0);
        let c = erlang_c(u32::MAX, 4.29e9);
        assert!(c.is_finite() && (0.0..=1.0).contains(&c), "{c}");
        // Across the bound the approximation meets the exact sum within 0.1 %.
        let exact = erlang_b(1_001_000, 999_999.0);
        let approximate = erlang_b(1_001_002, 1_000_001.0);
        assert!(
            (approximate / exact - 1.0).abs() < 1e-3,
            "{exact} vs {approximate}"
        );
        // Far above capacity B vanishes; at c = a + √a it is φ(1)/(√a Φ(1)) ≈ 0.2420/(√a 0.8413).
        let a: f64 = 1e8;
        let b = erlang_b((a + a.sqrt()) as u32, a);
        assert!((b * a.sqrt() - 0.2420 / 0.8413).abs() < 2e-3, "{b}");
    }

    #[test]
    fn two_servers_one_erlang() {
        // B(2, 1) = 1/5 (above), ρ = 1/2: C = (1/5) / (1 − (1/2)(4/5)) = (1/5)/(3/5) = 1/3.
        assert_near(erlang_c(2, 1.0), 1.0 / 3.0);
        // λ = 1/s, service 1 s: W_q = (1/3)/(2 × 1 − 1) = 1/3 s; W = 1/3 + 1 = 4/3 s.
        assert_near(mean_wait_s(2, 1.0, 1.0), 1.0 / 3.0);
        assert_near(mean_response_s(2, 1.0, 1.0), 4.0 / 3.0);
        // Same load in milliseconds-sized service: λ = 10/s, 0.1 s: W_q = (1/3) × 0.1 / (2 − 1).
        assert_near(mean_wait_s(2, 10.0, 0.1), 0.1 / 3.0);
    }

    #[test]
    fn five_servers_four_erlangs_textbook() {
        // B(5, 4) = 128/643, ρ = 0.8: C = (128/643) / (1 − 0.8 × 515/643)
        //   = (128/643) / ((643 − 412)/643) = 128/231 ≈ 0.5541.
        assert_near(erlang_c(5, 4.0), 128.0 / 231.0);
        assert!((erlang_c(5, 4.0) - 0.5541).abs() < 5e-5);
        // λ = 4/s, service 1 s: W_q = (128/231)/(5 − 4) s.
        assert_near(mean_wait_s(5, 4.0, 1.0), 128.0 / 231.0);
        assert_near(mean_response_s(5, 4.0, 1.0), 128.0 / 231.0 + 1.0);
    }

    #[test]
    fn unstable_queues() {
        // Offered load at or above the servers: every arrival waits, waits grow without bound.
        assert_eq!(erlang_c(2, 2.0), 1.0);
        assert_eq!(erlang_c(2, 3.5), 1.0);
        assert_eq!(mean_wait_s(2, 2.0, 1.0), f64::INFINITY);
        assert_eq!(mean_response_s(2, 2.0, 1.0), f64::INFINITY);
        assert_eq!(mean_wait_s(4, 10.0, 0.5), f64::INFINITY);
        // No servers at all.
        assert_eq!(erlang_c(0, 0.5), 1.0);
        assert_eq!(erlang_c(0, 0.0), 1.0);
        assert_eq!(mean_wait_s(0, 1.0, 1.0), f64::INFINITY);
        assert_eq!(mean_response_s(0, 0.0, 1.0), f64::INFINITY);
    }

    #[test]
    fn no_load_never_waits() {
        assert_eq!(erlang_c(3, 0.0), 0.0);
        assert_eq!(mean_wait_s(3, 0.0, 2.0), 0.0);
        assert_eq!(mean_response_s(3, 0.0, 2.0), 2.0);
        assert!(erlang_c(3, f64::NAN).is_nan());
    }

    #[test]
    fn thousands_of_servers_stay_finite() {
        // The sum-of-powers form would overflow here (950¹⁰⁰⁰); the recurrence does not.
        let heavy = erlang_c(1000, 950.0);
        assert!(heavy.is_finite() && heavy > 0.0 && heavy < 1.0, "{heavy}");
        let wait = mean_wait_s(1000, 950.0, 1.0);
        assert!(wait.is_finite() && wait > 0.0, "{wait}");
        // Erlang C is at least Erlang B, and more servers for the same load wait less.
        assert!(heavy >= erlang_b(1000, 950.0));
        assert!(erlang_c(1010, 950.0) < heavy);
        assert!(erlang_c(1000, 990.0) > heavy);
        // Close to saturation and far from it.
        let near_saturation = erlang_c(10_000, 9_999.0);
        assert!(
            near_saturation > 0.9 && near_saturation < 1.0,
            "{near_saturation}"
        );
        // B underflows to 0 long before k reaches u32::MAX, so this returns at once.
        assert_eq!(erlang_c(u32::MAX, 1.0), 0.0);
    }

    #[test]
    fn probability_rises_with_load() {
        let mut previous = 0.0;
        for tenth in 1..50 {
            let c = erlang_c(5, f64::from(tenth) / 10.0);
            assert!(
                (0.0..=1.0).contains(&c) && c > previous,
                "a = {tenth}/10: {c}"
            );
            previous = c;
        }
    }
}
