//! Numbers and durations as people read them, for reports and plots alike.

/// Drops trailing zeros of a fixed-point number ("2.50" becomes "2.5").
pub(crate) fn trim_zeros(s: String) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// A whole number with thousands separators: 84,333.
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A duration in the unit a reader expects for it: 45 min, 6 h, 58.6 days.
pub fn duration(s: f64) -> String {
    let (v, unit) = if s < 60.0 {
        (s, "s")
    } else if s <= 3.0 * 3600.0 {
        (s / 60.0, "min")
    } else if s <= 3.0 * 86_400.0 {
        (s / 3600.0, "h")
    } else {
        (s / 86_400.0, "days")
    };
    format!("{} {unit}", trim_zeros(format!("{v:.1}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_durations_read_as_people_write_them() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(84_333), "84,333");
        assert_eq!(count(3_461_610), "3,461,610");
        assert_eq!(duration(45.0 * 60.0), "45 min");
        assert_eq!(duration(3600.0), "60 min");
        assert_eq!(duration(90_840.0), "25.2 h");
        assert_eq!(duration(58.6 * 86_400.0), "58.6 days");
    }
}
