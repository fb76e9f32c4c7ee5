//! Word splitters of BuildKit's line parsers, with the byte range of every word.
//!
//! They reproduce `parseWords` (ENV, LABEL, ARG) and `extractBuilderFlags` (the `--flag` prefix of
//! every instruction), quirks included: both keep quotes in the word, and the flag extractor walks
//! bytes, not characters, so a non-ASCII byte becomes a Latin-1 character as it does in Go.

use super::text::{is_latin1_space, latin1};

/// A word and its byte range in the string it was split from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub text: String,
    pub start: usize,
    pub end: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    Spaces,
    Word,
    Quote,
}

/// BuildKit's `parseWords`: split on whitespace outside quotes; quotes and escapes stay in the word.
pub fn parse_words(rest: &str, escape: char) -> Vec<Word> {
    let chars: Vec<(usize, char)> = rest.char_indices().collect();
    let n = chars.len();
    let mut words = Vec::new();
    let mut phase = Phase::Spaces;
    let mut quote = '\0';
    let mut blank_ok = false;
    let mut buf = String::new();
    let mut start = 0;
    let mut i = 0;
    loop {
        let at_end = i >= n;
        let (pos, ch) = if at_end { (rest.len(), '\0') } else { chars[i] };
        if phase == Phase::Spaces {
            if at_end {
                break;
            }
            if ch.is_whitespace() {
                i += 1;
                continue;
            }
            phase = Phase::Word;
            start = pos;
        }
        if at_end {
            if blank_ok || !buf.is_empty() {
                words.push(Word { text: std::mem::take(&mut buf), start, end: rest.len() });
            }
            break;
        }
        let mut ch = ch;
        if phase == Phase::Word {
            if ch.is_whitespace() {
                phase = Phase::Spaces;
                if blank_ok || !buf.is_empty() {
                    words.push(Word { text: std::mem::take(&mut buf), start, end: pos });
                }
                buf.clear();
                blank_ok = false;
                i += 1;
                continue;
            }
            if ch == '\'' || ch == '"' {
                quote = ch;
                blank_ok = true;
                phase = Phase::Quote;
            }
            if ch == escape {
                if i + 1 == n {
                    i += 1;
                    continue; // an escape token at the end of the line is dropped
                }
                buf.push(ch);
                i += 1;
                ch = chars[i].1;
            }
            buf.push(ch);
            i += 1;
            continue;
        }
        // Phase::Quote
        if ch == quote {
            phase = Phase::Word;
        }
        if ch == escape && quote != '\'' {
            if i + 1 == n {
                phase = Phase::Word;
                i += 1;
                continue;
            }
            i += 1;
            buf.push(ch);
            ch = chars[i].1;
        }
        buf.push(ch);
        i += 1;
    }
    words
}

/// BuildKit's `extractBuilderFlags`: the leading `--flag` words (quotes removed, escapes applied)
/// and the byte offset where the arguments start.
pub fn extract_builder_flags(line: &str, escape: char) -> (usize, Vec<Word>) {
    let b = line.as_bytes();
    let n = b.len();
    let esc = escape as u8;
    let mut words = Vec::new();
    let mut phase = Phase::Spaces;
    let mut quote = 0u8;
    let mut blank_ok = false;
    let mut buf: Vec<u8> = Vec::new();
    let mut start = 0;
    let mut pos = 0;
    loop {
        let at_end = pos == n;
        if phase == Phase::Spaces {
            if at_end {
                break;
            }
            if is_latin1_space(b[pos]) {
                pos += 1;
                continue;
            }
            if b[pos] != b'-' || pos + 1 == n || b[pos + 1] != b'-' {
                return (pos, words);
            }
            phase = Phase::Word;
            start = pos;
        }
        if at_end {
            if buf != b"--" && (blank_ok || !buf.is_empty()) {
                words.push(Word { text: latin1(&buf), start, end: n });
            }
            break;
        }
        let mut ch = b[pos];
        if phase == Phase::Word {
            if is_latin1_space(ch) {
                phase = Phase::Spaces;
                if buf == b"--" {
                    return (pos, words);
                }
                if blank_ok || !buf.is_empty() {
                    words.push(Word { text: latin1(&buf), start, end: pos });
                }
                buf.clear();
                blank_ok = false;
                pos += 1;
                continue;
            }
            if ch == b'\'' || ch == b'"' {
                quote = ch;
                blank_ok = true;
                phase = Phase::Quote;
                pos += 1;
                continue;
            }
            if ch == esc {
                if pos + 1 == n {
                    pos += 1;
                    continue;
                }
                pos += 1;
                ch = b[pos];
            }
            buf.push(ch);
            pos += 1;
            continue;
        }
        // Phase::Quote
        if ch == quote {
            phase = Phase::Word;
            pos += 1;
            continue;
        }
        if ch == esc {
            if pos + 1 == n {
                phase = Phase::Word;
                pos += 1;
                continue;
            }
            pos += 1;
            ch = b[pos];
        }
        buf.push(ch);
        pos += 1;
    }
    (n, words)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(w: &[Word]) -> Vec<&str> {
        w.iter().map(|w| w.text.as_str()).collect()
    }

    #[test]
    fn words_keep_quotes_and_escapes() {
        let w = parse_words(r#"a="b c" d=e\ f g"#, '\\');
        assert_eq!(texts(&w), [r#"a="b c""#, r"d=e\ f", "g"]);
        assert_eq!((w[1].start, w[1].end), (8, 14));
    }

    #[test]
    fn trailing_escape_is_dropped() {
        assert_eq!(texts(&parse_words("a b\\", '\\')), ["a", "b"]);
    }

    #[test]
    fn flags_stop_at_first_non_flag() {
        let line = r#"--from=x --chown="a b" src dst"#;
        let (rest, flags) = extract_builder_flags(line, '\\');
        assert_eq!(texts(&flags), ["--from=x", "--chown=a b"]);
        assert_eq!(&line[rest..], "src dst");
    }

    #[test]
    fn double_dash_ends_flags() {
        let line = "--doit=true -- foo /tmp/";
        let (rest, flags) = extract_builder_flags(line, '\\');
        assert_eq!(texts(&flags), ["--doit=true"]);
        assert_eq!(line[rest..].trim(), "foo /tmp/");
        let (rest, flags) = extract_builder_flags("--a --", '\\');
        assert_eq!((rest, texts(&flags)), (6, vec!["--a"]));
    }
}
