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
//! B(k) = a·B(k−1) / (k + a·B(k−1)). Each term stays in [0, 1], so unlike the textbook sum of
//! aᵏ/k! terms nothing overflows for thousands of servers. The queue is stable only for a < c
//! (ρ < 1); at or above that the functions say so (C = 1, waits infinite).

/// Probability that an arrival waits in an M/M/c queue with `servers` servers and offered load
/// `offered_erlangs` = λ/μ; 1.0 when the queue is unstable (offered ≥ servers); 0 servers → 1.0.
///
/// No load (offered ≤ 0) gives 0; a NaN load gives NaN. The cost is one step of the recurrence
/// per server, at most; it stops early once B has underflowed to 0, as it then stays 0.
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

/// Erlang B, B(c, a), by the recurrence over k = 1..=c; for 0 < a.
fn erlang_b(servers: u32, offered_erlangs: f64) -> f64 {
    let mut blocking = 1.0;
    for k in 1..=servers {
        let carried = offered_erlangs * blocking;
        blocking = carried / (f64::from(k) + carried);
        if blocking == 0.0 {
            break;
        }
    }
    blocking
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
