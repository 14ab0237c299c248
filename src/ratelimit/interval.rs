//! Interval parsing: `60`, `"1m"`, `"1h30m"`, `"2d"`.

use crate::config::{describe, ConfigError, ConfigErrorKind};

/// The longest interval accepted anywhere: one year. Longer windows are almost certainly a unit
/// mistake, and the cap keeps every time computation far from overflow.
pub const MAX_INTERVAL_SECS: u64 = 365 * 24 * 3600;

const EXPECTED: &str =
    "whole seconds from 1 to 31536000, or a string like \"30s\", \"1m\", \"1h30m\", \"2d\"";

/// Parses an interval given as whole seconds or as a duration string into milliseconds.
pub fn parse(value: &serde_json::Value, path: &str) -> Result<u64, ConfigError> {
    let err = |kind| ConfigError::new(kind, path, describe(value), EXPECTED);
    let secs = match value {
        serde_json::Value::Number(n) => {
            let f = n.as_f64().ok_or_else(|| err(ConfigErrorKind::Interval))?;
            if f.fract() != 0.0 || f < 1.0 || f > MAX_INTERVAL_SECS as f64 {
                return Err(err(ConfigErrorKind::Range));
            }
            f as u64
        }
        serde_json::Value::String(s) => match parse_str(s) {
            Some(secs) => secs,
            // `"60"`: seconds are a number (60); a string needs its unit ("60s").
            None if (1..=20).contains(&s.trim().len())
                && s.trim().bytes().all(|b| b.is_ascii_digit()) =>
            {
                return Err(ConfigError::new(
                    ConfigErrorKind::Interval,
                    path,
                    describe(value),
                    format!(
                        "a number of seconds ({n}) or a string with a unit (\"{n}s\"), not digits in a string",
                        n = s.trim()
                    ),
                ));
            }
            None => return Err(err(ConfigErrorKind::Interval)),
        },
        _ => return Err(err(ConfigErrorKind::Type)),
    };
    if secs == 0 || secs > MAX_INTERVAL_SECS {
        return Err(err(ConfigErrorKind::Range));
    }
    Ok(secs * 1000)
}

/// `"1h30m"` into seconds. Each unit may appear once, largest first, as in Arcjet and Go durations.
fn parse_str(s: &str) -> Option<u64> {
    let s = s.trim();
    if s.is_empty() || s.len() > 32 {
        return None;
    }
    let mut total: u64 = 0;
    let mut last_rank = usize::MAX;
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        if start == i || i == bytes.len() {
            return None;
        }
        let n: u64 = s[start..i].parse().ok()?;
        let (rank, mult) = match bytes[i] {
            b'd' => (3, 86_400),
            b'h' => (2, 3_600),
            b'm' => (1, 60),
            b's' => (0, 1),
            _ => return None,
        };
        if rank >= last_rank {
            return None;
        }
        last_rank = rank;
        total = total.checked_add(n.checked_mul(mult)?)?;
        i += 1;
    }
    Some(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn accepts_seconds_and_compound_strings() {
        assert_eq!(parse(&json!(60), "i").unwrap(), 60_000);
        assert_eq!(parse(&json!("1m"), "i").unwrap(), 60_000);
        assert_eq!(parse(&json!("1h30m"), "i").unwrap(), 5_400_000);
        assert_eq!(parse(&json!("2d"), "i").unwrap(), 172_800_000);
        // Digits in a string have no unit: the message says to write 60 or "60s".
        let e = parse(&json!("60"), "w").unwrap_err().to_string();
        assert!(e.contains("(60)") && e.contains("\"60s\""), "{e}");
        assert_eq!(parse(&json!("10s"), "i").unwrap(), 10_000);
    }

    #[test]
    fn rejects_unknown_units_with_the_key_path() {
        let e = parse(&json!("10 parsecs"), "rules[0].interval").unwrap_err();
        assert_eq!(e.code(), "PALISADE_CONFIG_INTERVAL");
        assert!(e.to_string().contains("rules[0].interval"), "{e}");
        assert!(e.to_string().contains("10 parsecs"), "{e}");
    }

    #[test]
    fn rejects_zero_negative_fractional_and_huge() {
        for v in [
            json!(0),
            json!(-5),
            json!(1.5),
            json!(MAX_INTERVAL_SECS + 1),
            json!("0s"),
            json!("400d"),
        ] {
            assert!(parse(&v, "i").is_err(), "{v}");
        }
        for v in [
            json!("m"),
            json!("1"),
            json!("1m1h"),
            json!("1m1m"),
            json!(""),
            json!(true),
        ] {
            assert!(parse(&v, "i").is_err(), "{v}");
        }
    }
}
