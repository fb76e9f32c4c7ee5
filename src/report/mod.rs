//! Renderers: the same report as a human summary (tables), JSON or Markdown.

pub mod compare;
pub mod estimate;
pub mod gate;
pub mod html;
pub mod image;
pub mod lint;
pub mod lint_compat;
pub mod tree;

pub use crate::units::{human_bytes, human_delta};

static WIDTH: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(120);

/// The columns tables and trees are fitted to (the binary sets the terminal's; 120 otherwise).
pub fn width() -> usize {
    WIDTH.load(std::sync::atomic::Ordering::Relaxed)
}

pub fn set_width(columns: usize) {
    WIDTH.store(columns.clamp(40, 1000), std::sync::atomic::Ordering::Relaxed);
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

/// Shorten to `max` characters by cutting the middle (`/usr/lib/…/libfoo.so`): both ends of a
/// path say the most.
pub fn middle(s: &str, max: usize) -> String {
    let n = s.chars().count();
    if n <= max {
        return s.to_string();
    }
    let keep = max.saturating_sub(1);
    let head = keep / 2;
    let tail = keep - head;
    let start: String = s.chars().take(head).collect();
    let end: String = s.chars().skip(n - tail).collect();
    format!("{start}…{end}")
}

/// Percent-encode a path for a URI (RFC 3986 unreserved characters and `/` stay).
pub fn uri_escape(path: &str) -> String {
    let mut out = String::new();
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `path` relative to `root` when it lies under it (or is already relative).
pub fn relative(path: &str, root: &std::path::Path) -> Option<String> {
    let p = std::path::Path::new(path);
    if p.is_absolute() {
        p.strip_prefix(root).ok().map(|r| r.to_string_lossy().into_owned())
    } else {
        Some(path.trim_start_matches("./").to_string())
    }
}

/// An artifact location: relative to the working directory (`%SRCROOT%`, what code scanning
/// expects from a run in the repository root), or an absolute `file://` URI.
pub fn artifact(path: &str, root: &std::path::Path) -> serde_json::Value {
    match relative(path, root) {
        Some(r) => serde_json::json!({"uri": uri_escape(&r), "uriBaseId": "%SRCROOT%"}),
        None => serde_json::json!({"uri": format!("file://{}", uri_escape(path))}),
    }
}

/// Text for a terminal: control characters from image data (paths, config values) shown as
/// `\x1b` instead of acting on the terminal; newlines and tabs stay.
pub fn terminal_safe(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if c.is_control() && c != '\n' && c != '\t' {
            out.push_str(&format!("\\x{:02x}", c as u32));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// One line of text for a terminal: every control character, newlines and tabs too, shown as
/// `\x0a` (a file name with a newline must not forge a line of a tree).
pub fn one_line(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(s);
    }
    std::borrow::Cow::Owned(
        s.chars().map(|c| if c.is_control() { format!("\\x{:02x}", c as u32) } else { c.to_string() }).collect(),
    )
}

pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn xml(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&apos;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_do_not_reach_the_terminal() {
        assert_eq!(terminal_safe("a\x1b[31mb\n"), "a\\x1b[31mb\n");
        assert!(matches!(terminal_safe("plain\ttext"), std::borrow::Cow::Borrowed(_)));
    }

    #[test]
    fn one_line_escapes_newlines_too() {
        assert_eq!(one_line("a\nb\x1b"), "a\\x0ab\\x1b");
        assert!(matches!(one_line("plain"), std::borrow::Cow::Borrowed(_)));
    }

    #[test]
    fn middle_keeps_both_ends() {
        assert_eq!(middle("/usr/lib/x86_64/libfoo.so", 13), "/usr/l…foo.so");
        assert_eq!(middle("short", 13), "short");
    }

    #[test]
    fn ellipsis_shortens() {
        assert_eq!(ellipsis("abcdef", 4), "abc…");
    }
}
