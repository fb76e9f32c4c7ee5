//! Small text helpers that reproduce the exact character classes BuildKit's Go code uses.
//!
//! Go's `unicode.IsSpace` and Rust's `char::is_whitespace` both follow Unicode's White_Space
//! property, so they agree. Go's regexp class `[\t\v\f\r ]` (BuildKit's `reWhitespace`) and `\s`
//! (`[\t\n\f\r ]`) are ASCII-only and get their own helpers.

/// `unicode.IsSpace` applied to a byte taken as a Latin-1 rune, as BuildKit does in the byte-wise
/// loops of `extractBuilderFlags` and `parseHealthConfig`.
pub fn is_latin1_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' ' | 0x85 | 0xA0)
}

/// BuildKit's `reWhitespace` character class: `[\t\v\f\r ]`.
pub fn is_re_whitespace(b: u8) -> bool {
    matches!(b, b'\t' | 0x0B | 0x0C | b'\r' | b' ')
}

/// Go regexp `\s`: `[\t\n\f\r ]`.
pub fn is_re_s(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0C | b'\r' | b' ')
}

/// Byte offset of the first character that is not Unicode whitespace.
pub fn leading_space_len(s: &str) -> usize {
    s.len() - s.trim_start().len()
}

/// The byte range of `s` left after `strings.TrimSpace`.
pub fn trim_range(s: &str) -> (usize, usize) {
    let start = leading_space_len(s);
    let end = s.trim_end().len().max(start);
    (start, end)
}

/// `bytes.TrimRight(line, "\r\n")`.
pub fn trim_newline(s: &str) -> &str {
    s.trim_end_matches(['\r', '\n'])
}

/// Go's `regexp.Split(s, n)` for `reWhitespace` with n = -1 or n = 2, returning byte ranges.
pub fn split_re_whitespace(s: &str, limit: Option<usize>) -> Vec<(usize, usize)> {
    if s.is_empty() {
        return vec![(0, 0)];
    }
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let (mut beg, mut end) = (0usize, 0usize);
    let mut i = 0;
    while i < bytes.len() {
        if !is_re_whitespace(bytes[i]) {
            i += 1;
            continue;
        }
        let m0 = i;
        while i < bytes.len() && is_re_whitespace(bytes[i]) {
            i += 1;
        }
        if let Some(n) = limit {
            if out.len() == n - 1 {
                break;
            }
        }
        end = m0;
        out.push((beg, end));
        beg = i;
    }
    if end != s.len() {
        out.push((beg, s.len()));
    }
    out
}

/// Decode bytes the way Go's `string(rune(b))` loop does: every byte is one Latin-1 character.
pub fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| b as char).collect()
}

/// A byte slice of a `str` that may cut through a character (BuildKit slices Go strings by byte),
/// decoded lossily so that a cut character becomes U+FFFD instead of a panic.
pub fn lossy_slice(s: &str, start: usize, end: usize) -> String {
    let bytes = s.as_bytes();
    let end = end.min(bytes.len());
    let start = start.min(end);
    String::from_utf8_lossy(&bytes[start..end]).into_owned()
}

/// Go's `strconv.Quote`: double-quoted, with Go escapes for control and non-printable characters.
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if !go_is_print(c) => {
                if (c as u32) < 0x10000 {
                    out.push_str(&format!("\\u{:04x}", c as u32));
                } else {
                    out.push_str(&format!("\\U{:08x}", c as u32));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// An approximation of Go's `strconv.IsPrint` good for everything but unassigned code points:
/// printable unless control, format, separator (other than ASCII space) or private use.
fn go_is_print(c: char) -> bool {
    let u = c as u32;
    if u < 0x80 {
        return (0x20..0x7f).contains(&u);
    }
    if (0x80..0xa0).contains(&u) || u == 0xad {
        return false;
    }
    if c.is_whitespace() {
        return false;
    }
    !matches!(u,
        0x600..=0x605 | 0x61c | 0x6dd | 0x70f | 0x180e | 0x200b..=0x200f | 0x202a..=0x202e
        | 0x2060..=0x206f | 0xd800..=0xdfff | 0xe000..=0xf8ff | 0xfeff | 0xfff9..=0xfffb
        | 0xf0000..=0x10ffff)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_matches_go_regexp_split() {
        let s = "a  b\tc";
        let parts: Vec<&str> = split_re_whitespace(s, None).iter().map(|&(a, b)| &s[a..b]).collect();
        assert_eq!(parts, ["a", "b", "c"]);
        let parts: Vec<&str> = split_re_whitespace(s, Some(2)).iter().map(|&(a, b)| &s[a..b]).collect();
        assert_eq!(parts, ["a", "b\tc"]);
        let s = " a ";
        let parts: Vec<&str> = split_re_whitespace(s, None).iter().map(|&(a, b)| &s[a..b]).collect();
        assert_eq!(parts, ["", "a", ""]);
        assert_eq!(split_re_whitespace("", Some(2)), vec![(0, 0)]);
        let s = "a\u{a0}b";
        assert_eq!(split_re_whitespace(s, None).len(), 1, "NBSP is not in [\\t\\v\\f\\r ]");
    }

    #[test]
    fn quote_matches_go() {
        assert_eq!(go_quote("a\"b\\"), r#""a\"b\\""#);
        assert_eq!(go_quote("\u{0}\t♥"), "\"\\x00\\t♥\"");
        assert_eq!(go_quote("\u{a0}"), "\"\\u00a0\"");
    }

    #[test]
    fn latin1_mangles_like_go() {
        assert_eq!(latin1("é".as_bytes()), "Ã©");
    }
}
