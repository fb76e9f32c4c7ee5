//! The exec-form (JSON array) reader.
//!
//! BuildKit calls Go's `json.Unmarshal` on the arguments: the whole text must be one valid JSON
//! value (RFC 8259 as Go reads it) followed only by JSON whitespace. A valid array holding anything
//! but strings is an error; anything that is not valid JSON falls back to the shell form. This
//! reader validates without recursion (nesting is bounded like Go's, at 10000 levels) and returns
//! each top-level string with the byte range of its literal.

use super::words::Word;

/// Outcome of reading an argument string as a JSON array.
#[derive(Debug, PartialEq, Eq)]
pub enum JsonArray {
    /// Valid JSON array of strings.
    Strings(Vec<Word>),
    /// Valid JSON array with an element that is not a string: BuildKit rejects the instruction.
    NotStringArray,
    /// Not JSON: the instruction is in shell form.
    NotJson,
}

const MAX_DEPTH: usize = 10_000;

fn is_json_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Expect {
    Value,
    ValueOrClose,
    KeyOrClose,
    Key,
    Colon,
    CommaOrClose,
}

pub fn parse_json_array(s: &str) -> JsonArray {
    let start = super::text::leading_space_len(s);
    if !s[start..].starts_with('[') {
        return JsonArray::NotJson;
    }
    match scan(s, start) {
        Some((strings, all_strings)) if all_strings => JsonArray::Strings(strings),
        Some(_) => JsonArray::NotStringArray,
        None => JsonArray::NotJson,
    }
}

/// Validate `s[start..]` as one JSON value; returns the top-level array's strings and whether
/// every element was a string.
fn scan(s: &str, start: usize) -> Option<(Vec<Word>, bool)> {
    let b = s.as_bytes();
    let n = b.len();
    let mut stack: Vec<u8> = Vec::new();
    let mut i = start;
    let mut strings = Vec::new();
    let mut all_strings = true;
    let mut expect = Expect::Value;
    let mut done = false;
    loop {
        while i < n && is_json_space(b[i]) {
            i += 1;
        }
        if i == n {
            return done.then_some((strings, all_strings));
        }
        if done {
            return None; // data after the top-level value
        }
        let top_level_element = stack.len() == 1;
        match expect {
            Expect::Value | Expect::ValueOrClose => {
                if expect == Expect::ValueOrClose && b[i] == b']' {
                    stack.pop();
                    i += 1;
                    done = stack.is_empty();
                    expect = Expect::CommaOrClose;
                    continue;
                }
                match b[i] {
                    b'[' | b'{' => {
                        if stack.len() >= MAX_DEPTH {
                            return None;
                        }
                        all_strings &= !top_level_element;
                        stack.push(b[i]);
                        expect = if b[i] == b'[' { Expect::ValueOrClose } else { Expect::KeyOrClose };
                        i += 1;
                        continue;
                    }
                    b'"' => {
                        let (text, end) = read_string(s, i)?;
                        if top_level_element {
                            strings.push(Word { text, start: i, end });
                        }
                        i = end;
                    }
                    b't' | b'f' | b'n' => {
                        let lit: &[u8] = match b[i] {
                            b't' => b"true",
                            b'f' => b"false",
                            _ => b"null",
                        };
                        if !b[i..].starts_with(lit) {
                            return None;
                        }
                        all_strings &= !top_level_element;
                        i += lit.len();
                    }
                    b'-' | b'0'..=b'9' => {
                        i = read_number(b, i)?;
                        all_strings &= !top_level_element;
                    }
                    _ => return None,
                }
                done = stack.is_empty();
                expect = Expect::CommaOrClose;
            }
            Expect::KeyOrClose | Expect::Key => {
                if expect == Expect::KeyOrClose && b[i] == b'}' {
                    stack.pop();
                    i += 1;
                    done = stack.is_empty();
                    expect = Expect::CommaOrClose;
                    continue;
                }
                if b[i] != b'"' {
                    return None;
                }
                i = read_string(s, i)?.1;
                expect = Expect::Colon;
            }
            Expect::Colon => {
                if b[i] != b':' {
                    return None;
                }
                i += 1;
                expect = Expect::Value;
            }
            Expect::CommaOrClose => {
                let top = *stack.last()?;
                match (b[i], top) {
                    (b',', b'[') => expect = Expect::Value,
                    (b',', _) => expect = Expect::Key,
                    (b']', b'[') | (b'}', b'{') => {
                        stack.pop();
                        done = stack.is_empty();
                    }
                    _ => return None,
                }
                i += 1;
            }
        }
    }
}

fn hex4(b: &[u8]) -> Option<u32> {
    if b.len() < 4 {
        return None;
    }
    let s = std::str::from_utf8(&b[..4]).ok()?;
    u32::from_str_radix(s, 16).ok().filter(|_| s.bytes().all(|c| c.is_ascii_hexdigit()))
}

/// Read a JSON string literal starting at the opening quote; returns its value (decoded the way
/// Go decodes it: lone surrogates become U+FFFD) and the offset after the closing quote.
fn read_string(s: &str, start: usize) -> Option<(String, usize)> {
    let b = s.as_bytes();
    let mut out = String::new();
    let mut i = start + 1;
    loop {
        let c = *b.get(i)?;
        match c {
            b'"' => return Some((out, i + 1)),
            0..=0x1f => return None,
            b'\\' => {
                let e = *b.get(i + 1)?;
                i += 2;
                match e {
                    b'"' => out.push('"'),
                    b'\\' => out.push('\\'),
                    b'/' => out.push('/'),
                    b'b' => out.push('\u{8}'),
                    b'f' => out.push('\u{c}'),
                    b'n' => out.push('\n'),
                    b'r' => out.push('\r'),
                    b't' => out.push('\t'),
                    b'u' => {
                        let r = hex4(&b[i..])?;
                        i += 4;
                        if (0xd800..0xe000).contains(&r) {
                            // A surrogate: valid only as a high+low pair written as two escapes.
                            let low = if b[i..].starts_with(b"\\u") { hex4(&b[i + 2..]) } else { None };
                            if let Some(lo) = low.filter(|lo| r < 0xdc00 && (0xdc00..0xe000).contains(lo)) {
                                let cp = 0x10000 + ((r - 0xd800) << 10) + (lo - 0xdc00);
                                out.push(char::from_u32(cp).unwrap_or('\u{fffd}'));
                                i += 6;
                            } else {
                                out.push('\u{fffd}');
                            }
                        } else {
                            out.push(char::from_u32(r).unwrap_or('\u{fffd}'));
                        }
                    }
                    _ => return None,
                }
            }
            _ => {
                let ch = s[i..].chars().next()?;
                out.push(ch);
                i += ch.len_utf8();
            }
        }
    }
}

fn read_number(b: &[u8], mut i: usize) -> Option<usize> {
    let digits = |b: &[u8], mut i: usize| {
        let s = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        (i > s).then_some(i)
    };
    if b[i] == b'-' {
        i += 1;
    }
    match b.get(i)? {
        b'0' => i += 1,
        b'1'..=b'9' => i = digits(b, i)?,
        _ => return None,
    }
    if b.get(i) == Some(&b'.') {
        i = digits(b, i + 1)?;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        i = digits(b, i)?;
    }
    Some(i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(s: &str) -> Vec<String> {
        match parse_json_array(s) {
            JsonArray::Strings(w) => w.into_iter().map(|w| w.text).collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn decodes_like_go() {
        assert_eq!(
            strings(r#"["abc 123", "♥", "\" \\ \/ \b \f \n \r \t \u0000"]"#),
            ["abc 123", "♥", "\" \\ / \u{8} \u{c} \n \r \t \u{0}"]
        );
        assert_eq!(strings(r#"["\ud83d\ude00", "\ud800x"]"#), ["😀", "\u{fffd}x"]);
        assert_eq!(strings("[]"), Vec::<String>::new());
    }

    #[test]
    fn validity() {
        assert_eq!(parse_json_array(r#"[ "echo", [ "nested json" ] ]"#), JsonArray::NotStringArray);
        assert_eq!(parse_json_array("[1, 2.5e3, -0]"), JsonArray::NotStringArray);
        assert_eq!(parse_json_array(r#"["a"] x"#), JsonArray::NotJson);
        assert_eq!(parse_json_array(r#"['a']"#), JsonArray::NotJson);
        assert_eq!(parse_json_array(r#"["a""#), JsonArray::NotJson);
        assert_eq!(parse_json_array("[01]"), JsonArray::NotJson);
        assert_eq!(parse_json_array("[\"a\tb\"]"), JsonArray::NotJson);
        assert_eq!(parse_json_array(r#"[{"a": [1, {"b": null}]}]"#), JsonArray::NotStringArray);
        let deep = "[".repeat(20_000) + &"]".repeat(20_000);
        assert_eq!(parse_json_array(&deep), JsonArray::NotJson);
    }

    #[test]
    fn spans_cover_literals() {
        let s = r#"[ "a", "b c" ]"#;
        let JsonArray::Strings(w) = parse_json_array(s) else { panic!() };
        assert_eq!(&s[w[1].start..w[1].end], "\"b c\"");
    }
}
