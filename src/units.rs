//! Byte sizes for people: formatting (`1.2 GB`, decimal like docker) and parsing (`200MB`,
//! `1.5GiB`, `100`), used by messages, reports and budgets.

/// Bytes in decimal units, as docker shows them (`1.2 GB`).
pub fn human_bytes(b: u64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut v = b as f64;
    let mut u = 0;
    while v >= 1000.0 && u < UNITS.len() - 1 {
        v /= 1000.0;
        u += 1;
    }
    if u == 0 {
        format!("{b} B")
    } else if v >= 100.0 {
        format!("{v:.0} {}", UNITS[u])
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

/// A count with its noun, singular or plural (`1 file`, `3 files`); `noun` is the singular and
/// takes an `s`.
pub fn count(n: impl Into<u64>, noun: &str) -> String {
    let n = n.into();
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Signed byte difference (`+1.2 MB`, `-300 kB`).
pub fn human_delta(d: i128) -> String {
    let sign = if d < 0 { "-" } else { "+" };
    format!("{sign}{}", human_bytes(d.unsigned_abs().min(u128::from(u64::MAX)) as u64))
}

/// Parse a size: a number with an optional unit B, KB/MB/GB/TB (powers of 1000) or
/// KiB/MiB/GiB/TiB (powers of 1024); case-insensitive, spaces allowed (`1.5 GB`).
pub fn parse_bytes(s: &str) -> Option<u64> {
    let s = s.trim();
    let split = s.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '_')).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let num: f64 = num.replace('_', "").parse().ok()?;
    let mult: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" => 1e3,
        "m" | "mb" => 1e6,
        "g" | "gb" => 1e9,
        "t" | "tb" => 1e12,
        "kib" => 1024.0,
        "mib" => 1024.0 * 1024.0,
        "gib" => 1024.0 * 1024.0 * 1024.0,
        "tib" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        _ => return None,
    };
    let v = num * mult;
    (v.is_finite() && (0.0..1.8e19).contains(&v)).then(|| v.round() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(human_bytes(999), "999 B");
        assert_eq!(human_bytes(1_234_567), "1.2 MB");
        assert_eq!(human_bytes(328_400_000), "328 MB");
        assert_eq!(human_delta(-1500), "-1.5 kB");
    }

    #[test]
    fn parses() {
        assert_eq!(parse_bytes("200MB"), Some(200_000_000));
        assert_eq!(parse_bytes("1.5 GiB"), Some(1_610_612_736));
        assert_eq!(parse_bytes("512"), Some(512));
        assert_eq!(parse_bytes("10 kib"), Some(10240));
        assert_eq!(parse_bytes("ten"), None);
        assert_eq!(parse_bytes("5 XB"), None);
    }
}
