//! Go's standard-library parsers and formats that Knative's checks and messages rest on:
//! `time.ParseDuration`, `Duration.String`/`Round`/`Truncate`, `strconv.ParseFloat`,
//! `ParseInt`, `Atoi`, `ParseBool`, `strconv.Quote`, and `fmt`'s `%v` and `%f` of a float64.
//!
//! Each is a port of Go's own code (Go 1.19 to 1.25 agree on all of it), so that a value Knative
//! takes is taken, one it refuses is refused, and an error reads as Go prints it. The tests'
//! expected strings were printed by Go 1.19.

use std::fmt;

/// Nanoseconds in a second.
pub(super) const SECOND_NS: i64 = 1_000_000_000;

/// Nanoseconds in an hour.
pub(super) const HOUR_NS: i64 = 3600 * SECOND_NS;

/// A `time.Duration`: signed nanoseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Duration(pub(super) i64);

impl Duration {
    /// `time.ParseDuration`, with Go's error messages (`time: invalid duration "x"`).
    pub(super) fn parse(text: &str) -> Result<Duration, String> {
        let invalid = || format!("time: invalid duration {}", time_quote(text));
        let mut rest = text.as_bytes();
        let mut negative = false;
        if let Some((&sign @ (b'-' | b'+'), tail)) = rest.split_first() {
            negative = sign == b'-';
            rest = tail;
        }
        if rest == b"0" {
            return Ok(Duration(0));
        }
        if rest.is_empty() {
            return Err(invalid());
        }
        let mut total: u64 = 0;
        while let Some(&first) = rest.first() {
            if !(first == b'.' || first.is_ascii_digit()) {
                return Err(invalid());
            }
            // [0-9]*
            let before = rest.len();
            let (mut value, tail) = leading_int(rest).ok_or_else(invalid)?;
            rest = tail;
            let pre = before != rest.len();
            // (\.[0-9]*)?
            let mut post = false;
            let mut fraction = 0u64;
            let mut scale = 1f64;
            if let Some((b'.', tail)) = rest.split_first() {
                let before = tail.len();
                let (digits, digits_scale, tail) = leading_fraction(tail);
                fraction = digits;
                scale = digits_scale;
                rest = tail;
                post = before != rest.len();
            }
            if !pre && !post {
                return Err(invalid());
            }
            // The unit runs to the next '.' or digit.
            let unit_len = rest
                .iter()
                .position(|&byte| byte == b'.' || byte.is_ascii_digit())
                .unwrap_or(rest.len());
            if unit_len == 0 {
                return Err(format!(
                    "time: missing unit in duration {}",
                    time_quote(text)
                ));
            }
            let (unit_bytes, tail) = rest.split_at(unit_len);
            rest = tail;
            let unit: u64 = match unit_bytes {
                b"ns" => 1,
                // "us", "µs" (U+00B5 micro sign), "μs" (U+03BC Greek mu).
                b"us" | [0xC2, 0xB5, b's'] | [0xCE, 0xBC, b's'] => 1_000,
                b"ms" => 1_000_000,
                b"s" => 1_000_000_000,
                b"m" => 60 * 1_000_000_000,
                b"h" => 3600 * 1_000_000_000,
                _ => {
                    return Err(format!(
                        "time: unknown unit {} in duration {}",
                        time_quote_bytes(unit_bytes),
                        time_quote(text)
                    ));
                }
            };
            if value > (1u64 << 63) / unit {
                return Err(invalid());
            }
            value *= unit;
            if fraction > 0 {
                // Go: v += uint64(float64(f) * (float64(unit) / scale)), truncated.
                value += (fraction as f64 * (unit as f64 / scale)) as u64;
                if value > 1u64 << 63 {
                    return Err(invalid());
                }
            }
            // Go's uint64 addition wraps: two components of 2^63 ns add up to 0.
            total = total.wrapping_add(value);
            if total > 1u64 << 63 {
                return Err(invalid());
            }
        }
        if negative {
            // Two's complement: -(1 << 63) is i64::MIN, as Go's -Duration(d).
            return Ok(Duration((total as i64).wrapping_neg()));
        }
        i64::try_from(total).map(Duration).map_err(|_| invalid())
    }

    /// `Duration.Round(m)`: to the nearest multiple of m, halves away from zero, saturating.
    pub(super) fn round(self, m: i64) -> Duration {
        let d = self.0;
        if m <= 0 {
            return self;
        }
        let less_than_half = |x: i64, y: i64| (x as u64).wrapping_add(x as u64) < y as u64;
        let mut r = d % m;
        if d < 0 {
            r = -r;
            if less_than_half(r, m) {
                return Duration(d + r);
            }
            let d1 = d.wrapping_sub(m).wrapping_add(r);
            if d1 < d {
                return Duration(d1);
            }
            return Duration(i64::MIN);
        }
        if less_than_half(r, m) {
            return Duration(d - r);
        }
        let d1 = d.wrapping_add(m).wrapping_sub(r);
        if d1 > d {
            return Duration(d1);
        }
        Duration(i64::MAX)
    }

    /// `Duration.Truncate(m)`: toward zero.
    pub(super) fn truncate(self, m: i64) -> Duration {
        if m <= 0 {
            return self;
        }
        Duration(self.0 - self.0 % m)
    }

    /// Whole seconds, truncated toward zero.
    pub(super) fn whole_seconds(self) -> i64 {
        self.0 / SECOND_NS
    }
}

/// Go's `leadingInt`: the leading `[0-9]*`, or `None` past 1 << 63.
fn leading_int(text: &[u8]) -> Option<(u64, &[u8])> {
    let mut value: u64 = 0;
    let mut index = 0;
    while let Some(&byte) = text.get(index) {
        if !byte.is_ascii_digit() {
            break;
        }
        if value > (1u64 << 63) / 10 {
            return None;
        }
        value = value * 10 + u64::from(byte - b'0');
        if value > 1u64 << 63 {
            return None;
        }
        index += 1;
    }
    Some((value, &text[index..]))
}

/// Go's `leadingFraction`: the leading `[0-9]*` as digits and their scale, precision dropped
/// (not an error) past 63 bits.
fn leading_fraction(text: &[u8]) -> (u64, f64, &[u8]) {
    let mut value: u64 = 0;
    let mut scale = 1f64;
    let mut overflow = false;
    let mut index = 0;
    while let Some(&byte) = text.get(index) {
        if !byte.is_ascii_digit() {
            break;
        }
        index += 1;
        if overflow {
            continue;
        }
        if value > (u64::MAX >> 1) / 10 {
            overflow = true;
            continue;
        }
        let next = value * 10 + u64::from(byte - b'0');
        if next > 1u64 << 63 {
            overflow = true;
            continue;
        }
        value = next;
        scale *= 10.0;
    }
    (value, scale, &text[index..])
}

impl fmt::Display for Duration {
    /// `Duration.String`: `1m0s`, `1h0m0s`, `1.5s`, `500ms`, `0s`.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let negative = self.0 < 0;
        let mut u = self.0.unsigned_abs();
        // Built back to front, as Go does.
        let mut out: Vec<u8> = Vec::with_capacity(32);
        if u < 1_000_000_000 {
            out.push(b's');
            let precision;
            if u == 0 {
                return formatter.write_str("0s");
            } else if u < 1_000 {
                precision = 0;
                out.push(b'n');
            } else if u < 1_000_000 {
                precision = 3;
                // "µ" (U+00B5) reversed.
                out.extend_from_slice(&[0xB5, 0xC2]);
            } else {
                precision = 6;
                out.push(b'm');
            }
            u = push_fraction(&mut out, u, precision);
            push_int(&mut out, u);
        } else {
            out.push(b's');
            u = push_fraction(&mut out, u, 9);
            push_int(&mut out, u % 60);
            u /= 60;
            if u > 0 {
                out.push(b'm');
                push_int(&mut out, u % 60);
                u /= 60;
                if u > 0 {
                    out.push(b'h');
                    push_int(&mut out, u);
                }
            }
        }
        if negative {
            out.push(b'-');
        }
        out.reverse();
        formatter.write_str(&String::from_utf8_lossy(&out))
    }
}

/// Go's `fmtFrac`, reversed: the fraction of v / 10^precision without trailing zeros (and
/// without the point when it is zero); returns v / 10^precision.
fn push_fraction(out: &mut Vec<u8>, mut v: u64, precision: usize) -> u64 {
    let mut print = false;
    for _ in 0..precision {
        let digit = (v % 10) as u8;
        print = print || digit != 0;
        if print {
            out.push(b'0' + digit);
        }
        v /= 10;
    }
    if print {
        out.push(b'.');
    }
    v
}

/// Go's `fmtInt`, reversed.
fn push_int(out: &mut Vec<u8>, mut v: u64) {
    if v == 0 {
        out.push(b'0');
        return;
    }
    while v > 0 {
        out.push(b'0' + (v % 10) as u8);
        v /= 10;
    }
}

/// The `time` package's own `quote`: non-ASCII and control bytes as `\xNN`.
fn time_quote(text: &str) -> String {
    time_quote_bytes(text.as_bytes())
}

/// [`time_quote`] of bytes.
fn time_quote_bytes(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 2);
    out.push('"');
    for &byte in bytes {
        if !(b' '..0x80).contains(&byte) {
            out.push_str(&format!("\\x{byte:02x}"));
        } else {
            if byte == b'"' || byte == b'\\' {
                out.push('\\');
            }
            out.push(char::from(byte));
        }
    }
    out.push('"');
    out
}

/// `strconv.Quote`. Go prints a rune as is when `unicode.IsPrint` holds; here every
/// non-ASCII character is printable except controls, spaces other than U+0020, the common
/// format characters and the private-use ranges (an approximation of Go's tables that differs
/// only for unassigned code points).
pub(super) fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for character in text.chars() {
        match character {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{07}' => out.push_str("\\a"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0C}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{0B}' => out.push_str("\\v"),
            ' '..='~' => out.push(character),
            _ if (character as u32) < 0x80 => {
                out.push_str(&format!("\\x{:02x}", character as u32));
            }
            _ if is_printable(character) => out.push(character),
            _ if (character as u32) < 0x10000 => {
                out.push_str(&format!("\\u{:04x}", character as u32));
            }
            _ => out.push_str(&format!("\\U{:08x}", character as u32)),
        }
    }
    out.push('"');
    out
}

/// Approximates Go's `unicode.IsPrint` for non-ASCII characters.
fn is_printable(character: char) -> bool {
    let code = character as u32;
    !(character.is_control()
        || character.is_whitespace()
        || matches!(
            code,
            0xAD | 0x600..=0x605 | 0x61C | 0x6DD | 0x70F | 0x180E | 0x200B..=0x200F
                | 0x202A..=0x202E | 0x2060..=0x206F | 0xFEFF | 0xFFF9..=0xFFFB
                | 0xE000..=0xF8FF | 0xF0000..=0x10FFFF | 0xFFFE | 0xFFFF
        ))
}

/// Why a `strconv` parser refused its input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NumError {
    /// `invalid syntax`.
    Syntax,
    /// `value out of range`.
    Range,
}

/// A `*strconv.NumError`'s text.
fn num_error(function: &str, text: &str, error: NumError) -> String {
    let what = match error {
        NumError::Syntax => "invalid syntax",
        NumError::Range => "value out of range",
    };
    format!("strconv.{function}: parsing {}: {what}", quote(text))
}

/// `strconv.ParseFloat(text, 64)`, with Go's grammar (decimal or hexadecimal, `_` between
/// digits, `inf`, `infinity`, `nan` in any case) and errors.
pub(super) fn parse_float(text: &str) -> Result<f64, String> {
    parse_float_inner(text).map_err(|error| num_error("ParseFloat", text, error))
}

/// [`parse_float`] without the message.
fn parse_float_inner(text: &str) -> Result<f64, NumError> {
    if let Some(value) = special_float(text) {
        return Ok(value);
    }
    let read = read_float(text.as_bytes()).ok_or(NumError::Syntax)?;
    if read.end != text.len() {
        return Err(NumError::Syntax);
    }
    if read.hex {
        return hex_float(read.mantissa, read.exponent, read.negative, read.truncated);
    }
    // The grammar is checked; Rust's own parser (also correctly rounded) gives the value.
    let digits: String = text.chars().filter(|&character| character != '_').collect();
    let value: f64 = digits.parse().map_err(|_| NumError::Syntax)?;
    if value.is_infinite() {
        return Err(NumError::Range);
    }
    Ok(value)
}

/// Go's `special`: `[+-]inf`, `[+-]infinity`, `nan`, any case, and nothing else after.
fn special_float(text: &str) -> Option<f64> {
    let lower = text.to_ascii_lowercase();
    match lower.as_str() {
        "inf" | "+inf" | "infinity" | "+infinity" => Some(f64::INFINITY),
        "-inf" | "-infinity" => Some(f64::NEG_INFINITY),
        "nan" => Some(f64::NAN),
        _ => None,
    }
}

/// What Go's `readFloat` reads.
#[derive(Debug)]
struct ReadFloat {
    mantissa: u64,
    exponent: i64,
    negative: bool,
    truncated: bool,
    hex: bool,
    end: usize,
}

/// Go's `readFloat`: `None` when the prefix is not a number.
fn read_float(s: &[u8]) -> Option<ReadFloat> {
    let lower = |byte: u8| byte.to_ascii_lowercase();
    let mut i = 0;
    let mut underscores = false;
    let mut negative = false;
    match s.first() {
        None => return None,
        Some(b'+') => i += 1,
        Some(b'-') => {
            negative = true;
            i += 1;
        }
        Some(_) => {}
    }
    let mut base: u64 = 10;
    let mut max_mantissa_digits = 19;
    let mut exponent_char = b'e';
    let mut hex = false;
    if i + 2 < s.len() && s[i] == b'0' && lower(s[i + 1]) == b'x' {
        base = 16;
        max_mantissa_digits = 16;
        i += 2;
        exponent_char = b'p';
        hex = true;
    }
    let mut saw_dot = false;
    let mut saw_digits = false;
    let mut digits: i64 = 0;
    let mut mantissa_digits: i64 = 0;
    let mut decimal_point: i64 = 0;
    let mut mantissa: u64 = 0;
    let mut truncated = false;
    while let Some(&c) = s.get(i) {
        if c == b'_' {
            underscores = true;
        } else if c == b'.' {
            if saw_dot {
                break;
            }
            saw_dot = true;
            decimal_point = digits;
        } else if c.is_ascii_digit() {
            saw_digits = true;
            if c == b'0' && digits == 0 {
                decimal_point -= 1;
            } else {
                digits += 1;
                if mantissa_digits < max_mantissa_digits {
                    mantissa = mantissa * base + u64::from(c - b'0');
                    mantissa_digits += 1;
                } else if c != b'0' {
                    truncated = true;
                }
            }
        } else if base == 16 && (b'a'..=b'f').contains(&lower(c)) {
            saw_digits = true;
            digits += 1;
            if mantissa_digits < max_mantissa_digits {
                mantissa = mantissa * 16 + u64::from(lower(c) - b'a' + 10);
                mantissa_digits += 1;
            } else {
                truncated = true;
            }
        } else {
            break;
        }
        i += 1;
    }
    if !saw_digits {
        return None;
    }
    if !saw_dot {
        decimal_point = digits;
    }
    if base == 16 {
        decimal_point *= 4;
        mantissa_digits *= 4;
    }
    if i < s.len() && lower(s[i]) == exponent_char {
        i += 1;
        if i >= s.len() {
            return None;
        }
        let mut exponent_sign = 1;
        if s[i] == b'+' {
            i += 1;
        } else if s[i] == b'-' {
            i += 1;
            exponent_sign = -1;
        }
        if i >= s.len() || !s[i].is_ascii_digit() {
            return None;
        }
        let mut exponent: i64 = 0;
        while i < s.len() && (s[i].is_ascii_digit() || s[i] == b'_') {
            if s[i] == b'_' {
                underscores = true;
            } else if exponent < 10_000 {
                exponent = exponent * 10 + i64::from(s[i] - b'0');
            }
            i += 1;
        }
        decimal_point += exponent * exponent_sign;
    } else if base == 16 {
        // A hexadecimal mantissa needs a 'p' exponent.
        return None;
    }
    let exponent = if mantissa != 0 {
        decimal_point - mantissa_digits
    } else {
        0
    };
    if underscores && !underscores_ok(&s[..i]) {
        return None;
    }
    Some(ReadFloat {
        mantissa,
        exponent,
        negative,
        truncated,
        hex,
        end: i,
    })
}

/// Go's `underscoreOK`: each `_` between digits (or after a base prefix).
fn underscores_ok(mut s: &[u8]) -> bool {
    // '^' start, '0' digit or base prefix, '_' underscore, '!' anything else.
    let mut saw = b'^';
    let mut i = 0;
    if let Some((b'-' | b'+', tail)) = s.split_first() {
        s = tail;
    }
    let mut hex = false;
    if s.len() >= 2 && s[0] == b'0' && matches!(s[1].to_ascii_lowercase(), b'b' | b'o' | b'x') {
        i = 2;
        saw = b'0';
        hex = s[1].eq_ignore_ascii_case(&b'x');
    }
    while let Some(&c) = s.get(i) {
        i += 1;
        if c.is_ascii_digit() || hex && (b'a'..=b'f').contains(&c.to_ascii_lowercase()) {
            saw = b'0';
            continue;
        }
        if c == b'_' {
            if saw != b'0' {
                return false;
            }
            saw = b'_';
            continue;
        }
        if saw == b'_' {
            return false;
        }
        saw = b'!';
    }
    saw != b'_'
}

/// Go's `atofHex` for float64: mantissa × 2^exponent, rounded to nearest even.
fn hex_float(
    mut mantissa: u64,
    exponent: i64,
    negative: bool,
    truncated: bool,
) -> Result<f64, NumError> {
    const MANTISSA_BITS: i64 = 52;
    const EXPONENT_BITS: i64 = 11;
    const BIAS: i64 = -1023;
    let max_exponent = (1 << EXPONENT_BITS) + BIAS - 2;
    let min_exponent = BIAS + 1;
    let mut exponent = exponent + MANTISSA_BITS;
    while mantissa != 0 && mantissa >> (MANTISSA_BITS + 2) == 0 {
        mantissa <<= 1;
        exponent -= 1;
    }
    if truncated {
        mantissa |= 1;
    }
    while mantissa >> (1 + MANTISSA_BITS + 2) != 0 {
        mantissa = (mantissa >> 1) | (mantissa & 1);
        exponent += 1;
    }
    while mantissa > 1 && exponent < min_exponent - 2 {
        mantissa = (mantissa >> 1) | (mantissa & 1);
        exponent += 1;
    }
    let mut round = mantissa & 3;
    mantissa >>= 2;
    round |= mantissa & 1;
    exponent += 2;
    if round == 3 {
        mantissa += 1;
        if mantissa == 1 << (1 + MANTISSA_BITS) {
            mantissa >>= 1;
            exponent += 1;
        }
    }
    if mantissa >> MANTISSA_BITS == 0 {
        exponent = BIAS;
    }
    let mut result = Ok(());
    if exponent > max_exponent {
        mantissa = 1 << MANTISSA_BITS;
        exponent = max_exponent + 1;
        result = Err(NumError::Range);
    }
    let mut bits = mantissa & ((1 << MANTISSA_BITS) - 1);
    bits |= (((exponent - BIAS) & ((1 << EXPONENT_BITS) - 1)) as u64) << MANTISSA_BITS;
    if negative {
        bits |= 1 << 63;
    }
    result.map(|()| f64::from_bits(bits))
}

/// Go's `ParseUint(text, 10, bits)` as far as `ParseInt` uses it: the value, or the maximum
/// with a range error, or a syntax error.
fn parse_uint10(text: &[u8], bits: u32) -> (u64, Option<NumError>) {
    if text.is_empty() {
        return (0, Some(NumError::Syntax));
    }
    let cutoff = u64::MAX / 10 + 1;
    let max_value = if bits >= 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    };
    let mut value: u64 = 0;
    for &byte in text {
        let digit = match byte {
            b'0'..=b'9' => byte - b'0',
            b'a'..=b'z' | b'A'..=b'Z' => byte.to_ascii_lowercase() - b'a' + 10,
            _ => return (0, Some(NumError::Syntax)),
        };
        if digit >= 10 {
            return (0, Some(NumError::Syntax));
        }
        if value >= cutoff {
            return (max_value, Some(NumError::Range));
        }
        value *= 10;
        let next = value.wrapping_add(u64::from(digit));
        if next < value || next > max_value {
            return (max_value, Some(NumError::Range));
        }
        value = next;
    }
    (value, None)
}

/// Go's `ParseInt(text, 10, bits)` without the message.
fn parse_int_inner(text: &str, bits: u32) -> Result<i64, NumError> {
    let mut digits = text.as_bytes();
    let mut negative = false;
    match digits.split_first() {
        None => return Err(NumError::Syntax),
        Some((b'+', tail)) => digits = tail,
        Some((b'-', tail)) => {
            negative = true;
            digits = tail;
        }
        Some(_) => {}
    }
    let (unsigned, error) = parse_uint10(digits, bits);
    if error == Some(NumError::Syntax) {
        return Err(NumError::Syntax);
    }
    let cutoff = 1u64 << (bits - 1);
    if !negative && unsigned >= cutoff {
        return Err(NumError::Range);
    }
    if negative && unsigned > cutoff {
        return Err(NumError::Range);
    }
    if error.is_some() {
        return Err(NumError::Range);
    }
    // Within ±2^63 by the cutoffs above.
    let magnitude = unsigned as i128;
    let value = if negative { -magnitude } else { magnitude };
    i64::try_from(value).map_err(|_| NumError::Range)
}

/// A `strconv.ParseInt` failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct IntError {
    /// `value out of range` (else `invalid syntax`).
    pub(super) range: bool,
    /// Go's message.
    pub(super) message: String,
}

/// `strconv.ParseInt(text, 10, 32)`, as configmap's `AsInt32` and the annotations' `int32`
/// readers call it.
pub(super) fn parse_int32(text: &str) -> Result<i32, IntError> {
    parse_int_inner(text, 32)
        .and_then(|value| i32::try_from(value).map_err(|_| NumError::Range))
        .map_err(|error| IntError {
            range: error == NumError::Range,
            message: num_error("ParseInt", text, error),
        })
}

/// `strconv.Atoi` on a 64-bit platform (whether it accepts; its value).
pub(super) fn atoi(text: &str) -> Result<i64, String> {
    let length = text.len();
    if 0 < length && length < 19 {
        let (negative, digits) = match text.as_bytes().split_first() {
            Some((b'-', tail)) => (true, tail),
            Some((b'+', tail)) => (false, tail),
            _ => (false, text.as_bytes()),
        };
        if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
            return Err(num_error("Atoi", text, NumError::Syntax));
        }
        let value = digits
            .iter()
            .fold(0i64, |value, &digit| value * 10 + i64::from(digit - b'0'));
        return Ok(if negative { -value } else { value });
    }
    parse_int_inner(text, 64).map_err(|error| num_error("Atoi", text, error))
}

/// `strconv.ParseBool`.
pub(super) fn parse_bool(text: &str) -> Result<bool, String> {
    match text {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Ok(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Ok(false),
        _ => Err(num_error("ParseBool", text, NumError::Syntax)),
    }
}

/// `fmt`'s `%v` of a float64: the shortest digits that read back, as `%g` lays them out
/// (exponent form below 1e-4 and from 1e+06 on, with at least two exponent digits).
pub(super) fn format_v(value: f64) -> String {
    if value.is_nan() {
        return "NaN".to_owned();
    }
    if value.is_infinite() {
        return if value > 0.0 { "+Inf" } else { "-Inf" }.to_owned();
    }
    // Rust's `{:e}` gives the same shortest digits: "1.2345e2", "-5e-7", "0e0".
    let scientific = format!("{value:e}");
    let (mantissa, exponent) = scientific
        .split_once('e')
        .unwrap_or((scientific.as_str(), "0"));
    let exponent: i64 = exponent.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", mantissa),
    };
    let digits: Vec<u8> = mantissa.bytes().filter(u8::is_ascii_digit).collect();
    let count = digits.len() as i64;
    let point = exponent + 1;
    let mut out = String::from(sign);
    if !(-4..6).contains(&exponent) {
        out.push(char::from(digits.first().copied().unwrap_or(b'0')));
        if digits.len() > 1 {
            out.push('.');
            out.extend(digits.iter().skip(1).map(|&digit| char::from(digit)));
        }
        let exponent_sign = if exponent < 0 { '-' } else { '+' };
        out.push_str(&format!("e{exponent_sign}{:02}", exponent.unsigned_abs()));
        return out;
    }
    let digit_at = |index: i64| -> char {
        usize::try_from(index)
            .ok()
            .and_then(|index| digits.get(index))
            .map_or('0', |&digit| char::from(digit))
    };
    if point > 0 {
        for index in 0..point {
            out.push(digit_at(index));
        }
    } else {
        out.push('0');
    }
    let decimals = (count - point).max(0);
    if decimals > 0 {
        out.push('.');
        for index in 0..decimals {
            out.push(digit_at(point + index));
        }
    }
    out
}

/// `fmt`'s `%f` of a float64: six decimals.
pub(super) fn format_f(value: f64) -> String {
    if value.is_nan() {
        return "NaN".to_owned();
    }
    if value.is_infinite() {
        return if value > 0.0 { "+Inf" } else { "-Inf" }.to_owned();
    }
    format!("{value:.6}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Go 1.19's `time.ParseDuration`, then `%v`, `Round(time.Second)` and
    /// `Truncate(time.Second)` of the result (printed by a Go program).
    #[test]
    fn durations_parse_and_print_as_go() {
        /// Nanoseconds, `%v`, rounded and truncated to the second.
        type Parsed = (i64, &'static str, &'static str, &'static str);
        let cases: &[(&str, Result<Parsed, &str>)] = &[
            ("60s", Ok((60_000_000_000, "1m0s", "1m0s", "1m0s"))),
            ("1m30s", Ok((90_000_000_000, "1m30s", "1m30s", "1m30s"))),
            ("0", Ok((0, "0s", "0s", "0s"))),
            ("+0", Ok((0, "0s", "0s", "0s"))),
            ("-0", Ok((0, "0s", "0s", "0s"))),
            ("00", Err("time: missing unit in duration \"00\"")),
            ("1h", Ok((3_600_000_000_000, "1h0m0s", "1h0m0s", "1h0m0s"))),
            ("1.5s", Ok((1_500_000_000, "1.5s", "2s", "1s"))),
            ("500ms", Ok((500_000_000, "500ms", "1s", "0s"))),
            ("1µs", Ok((1_000, "1µs", "0s", "0s"))),
            ("1μs", Ok((1_000, "1µs", "0s", "0s"))),
            ("1us", Ok((1_000, "1µs", "0s", "0s"))),
            ("x", Err("time: invalid duration \"x\"")),
            ("1", Err("time: missing unit in duration \"1\"")),
            ("1x", Err("time: unknown unit \"x\" in duration \"1x\"")),
            ("1.s", Ok((1_000_000_000, "1s", "1s", "1s"))),
            (".5s", Ok((500_000_000, "500ms", "1s", "0s"))),
            (".s", Err("time: invalid duration \".s\"")),
            (
                "1h2m3.5s",
                Ok((3_723_500_000_000, "1h2m3.5s", "1h2m4s", "1h2m3s")),
            ),
            (
                "9223372036s",
                Ok((
                    9_223_372_036_000_000_000,
                    "2562047h47m16s",
                    "2562047h47m16s",
                    "2562047h47m16s",
                )),
            ),
            (
                "2562047h47m16.854775807s",
                Ok((
                    i64::MAX,
                    "2562047h47m16.854775807s",
                    "2562047h47m16.854775807s",
                    "2562047h47m16s",
                )),
            ),
            (
                "2562047h47m16.854775808s",
                Err("time: invalid duration \"2562047h47m16.854775808s\""),
            ),
            (
                "-2562047h47m16.854775808s",
                Ok((
                    i64::MIN,
                    "-2562047h47m16.854775808s",
                    "-2562047h47m16.854775808s",
                    "-2562047h47m16s",
                )),
            ),
            ("1.0000000005s", Ok((1_000_000_000, "1s", "1s", "1s"))),
            ("6.5s", Ok((6_500_000_000, "6.5s", "7s", "6s"))),
            ("1e3s", Err("time: unknown unit \"e\" in duration \"1e3s\"")),
            ("3 s", Err("time: unknown unit \" s\" in duration \"3 s\"")),
            ("", Err("time: invalid duration \"\"")),
            ("-", Err("time: invalid duration \"-\"")),
            ("1.5", Err("time: missing unit in duration \"1.5\"")),
            (
                "9223372036854775808ns",
                Err("time: invalid duration \"9223372036854775808ns\""),
            ),
            (
                "9223372036854775808ns9223372036854775808ns",
                Ok((0, "0s", "0s", "0s")),
            ),
            (
                "-9223372036854775808ns",
                Ok((
                    i64::MIN,
                    "-2562047h47m16.854775808s",
                    "-2562047h47m16.854775808s",
                    "-2562047h47m16s",
                )),
            ),
            (
                "1ms\u{1}",
                Err("time: unknown unit \"ms\\x01\" in duration \"1ms\\x01\""),
            ),
            (
                "1日",
                Err("time: unknown unit \"\\xe6\\x97\\xa5\" in duration \"1\\xe6\\x97\\xa5\""),
            ),
        ];
        for (text, expected) in cases {
            let got = Duration::parse(text).map(|duration| {
                (
                    duration.0,
                    duration.to_string(),
                    duration.round(SECOND_NS).to_string(),
                    duration.truncate(SECOND_NS).to_string(),
                )
            });
            let expected = expected.map(|(ns, shown, rounded, truncated)| {
                (
                    ns,
                    shown.to_owned(),
                    rounded.to_owned(),
                    truncated.to_owned(),
                )
            });
            assert_eq!(got, expected.map_err(str::to_owned), "{text:?}");
        }
    }

    /// Go: `time.Duration(float64(25*time.Second) * 10 / 100.0).Round(time.Second)` is 3s
    /// (2.5 s, halves away from zero), and negative halves round down.
    #[test]
    fn round_takes_halves_away_from_zero() {
        assert_eq!(
            Duration(2_500_000_000).round(SECOND_NS),
            Duration(3 * SECOND_NS)
        );
        assert_eq!(
            Duration(-2_500_000_000).round(SECOND_NS),
            Duration(-3 * SECOND_NS)
        );
        assert_eq!(
            Duration(2_499_999_999).round(SECOND_NS),
            Duration(2 * SECOND_NS)
        );
        assert_eq!(Duration(i64::MAX).round(HOUR_NS), Duration(i64::MAX));
    }

    /// Go 1.19's `strconv.ParseFloat(s, 64)`: value printed with `%v`, or the error.
    #[test]
    fn floats_parse_as_go() {
        let cases: &[(&str, Result<&str, &str>)] = &[
            ("1_000", Ok("1000")),
            ("0x1p-2", Ok("0.25")),
            ("0x_1p0", Ok("1")),
            ("1_0.5", Ok("10.5")),
            (
                "_1",
                Err("strconv.ParseFloat: parsing \"_1\": invalid syntax"),
            ),
            (
                "1__0",
                Err("strconv.ParseFloat: parsing \"1__0\": invalid syntax"),
            ),
            ("inf", Ok("+Inf")),
            ("+Inf", Ok("+Inf")),
            ("-infinity", Ok("-Inf")),
            (
                "infin",
                Err("strconv.ParseFloat: parsing \"infin\": invalid syntax"),
            ),
            ("nan", Ok("NaN")),
            (
                "+nan",
                Err("strconv.ParseFloat: parsing \"+nan\": invalid syntax"),
            ),
            (
                "1e400",
                Err("strconv.ParseFloat: parsing \"1e400\": value out of range"),
            ),
            (
                "-1e400",
                Err("strconv.ParseFloat: parsing \"-1e400\": value out of range"),
            ),
            ("1e-400", Ok("0")),
            (".5", Ok("0.5")),
            ("5.", Ok("5")),
            ("+.5e-3", Ok("0.0005")),
            ("0x1.8p1", Ok("3")),
            (
                "0x1",
                Err("strconv.ParseFloat: parsing \"0x1\": invalid syntax"),
            ),
            (
                "0x",
                Err("strconv.ParseFloat: parsing \"0x\": invalid syntax"),
            ),
            (
                "1e",
                Err("strconv.ParseFloat: parsing \"1e\": invalid syntax"),
            ),
            (
                "1e+",
                Err("strconv.ParseFloat: parsing \"1e+\": invalid syntax"),
            ),
            (
                " 1",
                Err("strconv.ParseFloat: parsing \" 1\": invalid syntax"),
            ),
            (
                "1 ",
                Err("strconv.ParseFloat: parsing \"1 \": invalid syntax"),
            ),
            ("", Err("strconv.ParseFloat: parsing \"\": invalid syntax")),
            ("0X1P-1074", Ok("5e-324")),
            ("0x1p-1075", Ok("0")),
            (
                "0x1.fffffffffffff8p1023",
                Err("strconv.ParseFloat: parsing \"0x1.fffffffffffff8p1023\": value out of range"),
            ),
            ("1E5", Ok("100000")),
            ("1e+5_0", Ok("1e+50")),
        ];
        for (text, expected) in cases {
            let got = parse_float(text).map(format_v);
            assert_eq!(
                got,
                expected.map(str::to_owned).map_err(str::to_owned),
                "{text:?}"
            );
        }
    }

    /// Go 1.19's `fmt.Sprintf("%v", x)` and `fmt.Sprintf("%f", x)`.
    #[test]
    fn floats_print_as_go() {
        let cases: &[(f64, &str, &str)] = &[
            (1_000_000.0, "1e+06", "1000000.000000"),
            (0.7, "0.7", "0.700000"),
            (1e21, "1e+21", "1000000000000000000000.000000"),
            (123_456_789.0, "1.23456789e+08", "123456789.000000"),
            (1e-5, "1e-05", "0.000010"),
            (0.0001, "0.0001", "0.000100"),
            (100_000.0, "100000", "100000.000000"),
            (999_999.0, "999999", "999999.000000"),
            (f64::INFINITY, "+Inf", "+Inf"),
            (f64::NEG_INFINITY, "-Inf", "-Inf"),
            (f64::NAN, "NaN", "NaN"),
            (0.01, "0.01", "0.010000"),
            (
                0.006_999_999_999_999_999,
                "0.006999999999999999",
                "0.007000",
            ),
            (0.0, "0", "0.000000"),
            (2.5, "2.5", "2.500000"),
            (0.1 + 0.2, "0.30000000000000004", "0.300000"),
            (-1.0, "-1", "-1.000000"),
            (0.0078125, "0.0078125", "0.007812"),
        ];
        for &(value, v, f) in cases {
            assert_eq!(
                (format_v(value), format_f(value)),
                (v.to_owned(), f.to_owned())
            );
        }
    }

    /// Go 1.19's `strconv.ParseInt(s, 10, 32)`, `Atoi` and `ParseBool` errors, and
    /// `strconv.Quote`.
    #[test]
    fn integers_booleans_and_quotes_as_go() {
        let int32 = |text: &str| parse_int32(text).map_err(|err| (err.range, err.message));
        assert_eq!(
            int32("5000000000abc"),
            Err((
                true,
                "strconv.ParseInt: parsing \"5000000000abc\": value out of range".to_owned()
            ))
        );
        assert_eq!(
            int32("+"),
            Err((
                false,
                "strconv.ParseInt: parsing \"+\": invalid syntax".to_owned()
            ))
        );
        assert_eq!(
            int32("2147483648"),
            Err((
                true,
                "strconv.ParseInt: parsing \"2147483648\": value out of range".to_owned()
            ))
        );
        assert_eq!(int32("-2147483648"), Ok(i32::MIN));
        assert_eq!(int32("+007"), Ok(7));
        assert_eq!(
            int32("1_0"),
            Err((
                false,
                "strconv.ParseInt: parsing \"1_0\": invalid syntax".to_owned()
            ))
        );
        assert_eq!(atoi("-3"), Ok(-3));
        assert_eq!(atoi("3000000000"), Ok(3_000_000_000));
        assert!(atoi("3.0").is_err());
        assert!(atoi("-").is_err());
        assert!(atoi("99999999999999999999").is_err());
        assert_eq!(parse_bool("True"), Ok(true));
        assert_eq!(
            parse_bool("yes"),
            Err("strconv.ParseBool: parsing \"yes\": invalid syntax".to_owned())
        );
        assert_eq!(
            quote("a\"b\\c\u{1}\u{7f} é\u{a0}\u{200b}😀"),
            "\"a\\\"b\\\\c\\x01\\x7f é\\u00a0\\u200b😀\""
        );
    }
}
