//! Renderers: the same report as a human summary (tables), JSON or Markdown.

pub mod image;

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

/// Signed byte difference (`+1.2 MB`, `-300 kB`).
pub fn human_delta(d: i128) -> String {
    let sign = if d < 0 { "-" } else { "+" };
    format!("{sign}{}", human_bytes(d.unsigned_abs().min(u128::from(u64::MAX)) as u64))
}

/// Shorten to `max` characters with an ellipsis.
pub fn ellipsis(s: &str, max: usize) -> String {
    let s = s.trim();
    if s.chars().count() <= max {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(max.saturating_sub(1)).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes() {
        assert_eq!(human_bytes(999), "999 B");
        assert_eq!(human_bytes(1_234_567), "1.2 MB");
        assert_eq!(human_bytes(328_400_000), "328 MB");
        assert_eq!(human_delta(-1500), "-1.5 kB");
        assert_eq!(ellipsis("abcdef", 4), "abc…");
    }
}
