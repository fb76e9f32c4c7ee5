//! Renderers: the same report as a human summary (tables), JSON or Markdown.

pub mod image;
pub mod lint;

pub use crate::units::{human_bytes, human_delta};

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
    fn ellipsis_shortens() {
        assert_eq!(ellipsis("abcdef", 4), "abc…");
    }
}
