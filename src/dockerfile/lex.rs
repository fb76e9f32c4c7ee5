//! Shell-word processing and variable expansion, with BuildKit's semantics (`shell.Lex`).
//!
//! Supports `$V`, `${V}`, `${V:-d}`, `${V-d}`, `${V:+d}`, `${V+d}`, `${V:?m}`, `${V?m}`,
//! `${V#p}`, `${V##p}`, `${V%p}`, `${V%%p}`, `${V/p/r}`, `${V//p/r}`, single and double quotes, and
//! the escape token. Unset variables expand to nothing unless `skip_unset_env` keeps them as written.

use std::collections::BTreeSet;

/// Where variable values come from.
pub trait EnvGetter {
    fn get_var(&self, name: &str) -> Option<String>;
}

impl EnvGetter for () {
    fn get_var(&self, _: &str) -> Option<String> {
        None
    }
}

impl<F: Fn(&str) -> Option<String>> EnvGetter for F {
    fn get_var(&self, name: &str) -> Option<String> {
        self(name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct LexError(pub String);

#[derive(Debug, Clone, Copy)]
pub struct Lex {
    pub escape: char,
    /// Keep quote characters in the output.
    pub raw_quotes: bool,
    /// Keep escape characters in the output.
    pub raw_escapes: bool,
    /// Treat quotes as ordinary characters.
    pub skip_process_quotes: bool,
    /// Leave references to unset variables as written.
    pub skip_unset_env: bool,
}

/// Result of processing one word.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Processed {
    /// The expanded text (spaces kept).
    pub result: String,
    /// The expanded text split into words (quotes respected).
    pub words: Vec<String>,
    /// Variables referenced and set.
    pub matched: BTreeSet<String>,
    /// Variables referenced but not set.
    pub unmatched: BTreeSet<String>,
}

impl Lex {
    pub fn new(escape: char) -> Self {
        Lex { escape, raw_quotes: false, raw_escapes: false, skip_process_quotes: false, skip_unset_env: false }
    }

    pub fn process(&self, word: &str, env: &dyn EnvGetter) -> Result<Processed, LexError> {
        let mut chars: Vec<char> = word.chars().collect();
        if chars.first() == Some(&'\u{feff}') {
            chars.remove(0); // Go's text/scanner skips a leading byte order mark
        }
        let mut sw = ShellWord {
            lex: *self,
            chars,
            pos: 0,
            env,
            raw_escapes: self.raw_escapes,
            out: Processed::default(),
            depth: 0,
        };
        let (result, words) = sw.process_stop_on(None, self.raw_escapes).map_err(|e| {
            // a hostile word can be megabytes: quote its start only
            let shown = if word.len() > 200 {
                let mut end = 80;
                while !word.is_char_boundary(end) {
                    end -= 1;
                }
                format!("{}...", super::text::go_quote(&word[..end]))
            } else {
                super::text::go_quote(word)
            };
            LexError(format!("failed to process {shown}: {}", e.0))
        })?;
        sw.out.result = result;
        sw.out.words = words;
        Ok(sw.out)
    }

    /// Expand one word (BuildKit's `ProcessWord`).
    pub fn process_word(&self, word: &str, env: &dyn EnvGetter) -> Result<String, LexError> {
        Ok(self.process(word, env)?.result)
    }

    /// Expand and split into words (BuildKit's `ProcessWords`).
    pub fn process_words(&self, word: &str, env: &dyn EnvGetter) -> Result<Vec<String>, LexError> {
        Ok(self.process(word, env)?.words)
    }
}

struct ShellWord<'a> {
    lex: Lex,
    chars: Vec<char>,
    pos: usize,
    env: &'a dyn EnvGetter,
    raw_escapes: bool,
    out: Processed,
    /// `${...}` levels entered.
    depth: usize,
}

#[derive(Default)]
struct Words {
    buf: String,
    words: Vec<String>,
    in_word: bool,
}

impl Words {
    fn add_char(&mut self, ch: char) {
        if ch.is_whitespace() {
            if self.in_word && !self.buf.is_empty() {
                self.words.push(std::mem::take(&mut self.buf));
                self.in_word = false;
            }
        } else {
            self.add_raw_char(ch);
        }
    }
    fn add_raw_char(&mut self, ch: char) {
        self.buf.push(ch);
        self.in_word = true;
    }
    fn add_string(&mut self, s: &str) {
        s.chars().for_each(|c| self.add_char(c));
    }
    fn add_raw_string(&mut self, s: &str) {
        self.buf.push_str(s);
        self.in_word = true;
    }
    fn finish(mut self) -> Vec<String> {
        if !self.buf.is_empty() {
            self.words.push(std::mem::take(&mut self.buf));
        }
        self.words
    }
}

fn err<T>(msg: impl Into<String>) -> Result<T, LexError> {
    Err(LexError(msg.into()))
}

/// Go prints an EOF rune (-1) as U+FFFD in messages.
fn show(ch: Option<char>) -> char {
    ch.unwrap_or('\u{fffd}')
}

impl ShellWord<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }
    fn next(&mut self) -> Option<char> {
        let c = self.peek();
        if c.is_some() {
            self.pos += 1;
        }
        c
    }

    fn process_stop_on(&mut self, stop: Option<char>, raw_escapes: bool) -> Result<(String, Vec<String>), LexError> {
        if self.depth >= crate::limits::MAX_NESTING {
            return err(format!("expansions nested deeper than {} (the limit)", crate::limits::MAX_NESTING));
        }
        self.depth += 1;
        let saved = self.raw_escapes;
        self.raw_escapes = raw_escapes;
        let r = self.stop_on(stop);
        self.raw_escapes = saved;
        self.depth -= 1;
        let r = r?;
        within_limit(&r.0)?;
        Ok(r)
    }

    fn stop_on(&mut self, stop: Option<char>) -> Result<(String, Vec<String>), LexError> {
        let mut result = String::new();
        let mut words = Words::default();
        while let Some(ch) = self.peek() {
            if stop == Some(ch) {
                self.next();
                return Ok((result, words.finish()));
            }
            match ch {
                '$' => {
                    let tmp = self.process_dollar()?;
                    result.push_str(&tmp);
                    // checked as it grows: `$A$A$A...` of a 16 MiB A would hold gigabytes first
                    within_limit(&result)?;
                    words.add_string(&tmp);
                }
                '<' => {
                    let tmp = self.process_possible_heredoc();
                    result.push_str(&tmp);
                    words.add_raw_string(&tmp);
                }
                '\'' | '"' if !self.lex.skip_process_quotes => {
                    let tmp = if ch == '\'' { self.single_quote()? } else { self.double_quote()? };
                    result.push_str(&tmp);
                    words.add_raw_string(&tmp);
                }
                _ => {
                    let mut ch = self.next().unwrap_or_default();
                    if ch == self.lex.escape {
                        if self.raw_escapes {
                            words.add_raw_char(ch);
                            result.push(ch);
                        }
                        match self.next() {
                            None => break,
                            Some(c) => ch = c,
                        }
                        words.add_raw_char(ch);
                    } else {
                        words.add_char(ch);
                    }
                    result.push(ch);
                }
            }
        }
        if let Some(stop) = stop {
            return err(format!("unexpected end of statement while looking for matching {stop}"));
        }
        Ok((result, words.finish()))
    }

    fn single_quote(&mut self) -> Result<String, LexError> {
        let mut result = String::new();
        let q = self.next().unwrap_or('\'');
        if self.lex.raw_quotes {
            result.push(q);
        }
        loop {
            match self.next() {
                None => return err("unexpected end of statement while looking for matching single-quote"),
                Some('\'') => {
                    if self.lex.raw_quotes {
                        result.push('\'');
                    }
                    return Ok(result);
                }
                Some(c) => result.push(c),
            }
        }
    }

    fn double_quote(&mut self) -> Result<String, LexError> {
        let mut result = String::new();
        let q = self.next().unwrap_or('"');
        if self.lex.raw_quotes {
            result.push(q);
        }
        loop {
            match self.peek() {
                None => return err("unexpected end of statement while looking for matching double-quote"),
                Some('"') => {
                    self.next();
                    if self.lex.raw_quotes {
                        result.push('"');
                    }
                    return Ok(result);
                }
                Some('$') => {
                    let v = self.process_dollar()?;
                    result.push_str(&v);
                    within_limit(&result)?;
                }
                Some(_) => {
                    let mut ch = self.next().unwrap_or_default();
                    if ch == self.lex.escape {
                        if self.raw_escapes {
                            result.push(ch);
                        }
                        match self.peek() {
                            None => continue,
                            Some(c) if c == '"' || c == '$' || c == self.lex.escape => {
                                ch = self.next().unwrap_or_default();
                            }
                            Some(_) => {}
                        }
                    }
                    result.push(ch);
                }
            }
        }
    }

    fn get_env(&mut self, name: &str) -> Option<String> {
        let v = self.env.get_var(name);
        if v.is_some() {
            self.out.matched.insert(name.to_string());
        } else {
            self.out.unmatched.insert(name.to_string());
        }
        v
    }

    fn process_dollar(&mut self) -> Result<String, LexError> {
        self.next();
        if self.peek() != Some('{') {
            let name = self.process_name();
            if name.is_empty() {
                return Ok("$".into());
            }
            return Ok(match self.get_env(&name) {
                Some(v) => v,
                None if self.lex.skip_unset_env => format!("${name}"),
                None => String::new(),
            });
        }
        self.next();
        match self.peek() {
            None => return err("syntax error: missing '}'"),
            Some('{' | '}' | ':') => return err("syntax error: bad substitution"),
            _ => {}
        }
        let name = self.process_name();
        let first = self.next();
        match first {
            Some('}') => Ok(match self.get_env(&name) {
                Some(v) => v,
                None if self.lex.skip_unset_env => format!("${{{name}}}"),
                None => String::new(),
            }),
            Some(c @ (':' | '+' | '-' | '?' | '#' | '%')) => {
                let mut chs = c.to_string();
                let null_is_unset = c == ':';
                let mut modifier = Some(c);
                if null_is_unset {
                    modifier = self.next();
                    chs.push(show(modifier));
                }
                let raw = matches!(modifier, Some('#' | '%'));
                if null_is_unset && raw {
                    return err(format!("unsupported modifier ({chs}) in substitution"));
                }
                let word = match self.process_stop_on(Some('}'), raw) {
                    Ok((w, _)) => w,
                    Err(_) if self.peek().is_none() => return err("syntax error: missing '}'"),
                    Err(e) => return Err(e),
                };
                let value = self.get_env(&name);
                if self.lex.skip_unset_env && value.is_none() {
                    return Ok(format!("${{{name}{chs}{word}}}"));
                }
                let empty = value.as_deref().is_none_or(|v| null_is_unset && v.is_empty());
                match modifier {
                    Some('-') => Ok(if empty { word } else { value.unwrap_or_default() }),
                    Some('+') => Ok(if empty { String::new() } else { word }),
                    Some('?') => match value {
                        None => err(format!(
                            "{name}: {}",
                            if word.is_empty() { "is not allowed to be unset" } else { &word }
                        )),
                        Some(v) if null_is_unset && v.is_empty() => err(format!(
                            "{name}: {}",
                            if word.is_empty() { "is not allowed to be empty" } else { &word }
                        )),
                        Some(v) => Ok(v),
                    },
                    Some(m @ ('%' | '#')) => {
                        let (greedy, pattern) = match word.strip_prefix(m) {
                            Some(rest) => (true, rest.to_string()),
                            None => (false, word),
                        };
                        let value = value.unwrap_or_default();
                        if m == '%' {
                            trim_suffix(&pattern, &value, greedy)
                        } else {
                            trim_prefix(&pattern, &value, greedy)
                        }
                    }
                    _ => err(format!("unsupported modifier ({chs}) in substitution")),
                }
            }
            Some('/') => {
                let replace_all = self.peek() == Some('/');
                if replace_all {
                    self.next();
                }
                let pattern = match self.process_stop_on(Some('/'), true) {
                    Ok((w, _)) => w,
                    Err(_) if self.peek().is_none() => return err("syntax error: missing '/' in ${}"),
                    Err(e) => return Err(e),
                };
                let replacement = match self.process_stop_on(Some('}'), true) {
                    Ok((w, _)) => w,
                    Err(_) if self.peek().is_none() => return err("syntax error: missing '}'"),
                    Err(e) => return Err(e),
                };
                let Some(value) = self.get_env(&name) else {
                    if self.lex.skip_unset_env {
                        return Ok(format!("${{{name}/{pattern}/{replacement}}}"));
                    }
                    return Ok(String::new());
                };
                let re = shell_pattern_regex(&pattern, true, false)
                    .map_err(|e| LexError(format!("invalid pattern ({}) in substitution: {}", short(&pattern), e.0)))?;
                // replaced match by match with the limit checked: `${A//?/$A}` squares A's size
                let mut out = String::new();
                let mut last = 0;
                for m in re.find_iter(&value).take(if replace_all { usize::MAX } else { 1 }) {
                    out.push_str(&value[last..m.start()]);
                    out.push_str(&replacement);
                    last = m.end();
                    within_limit(&out)?;
                }
                out.push_str(&value[last..]);
                Ok(out)
            }
            other => err(format!("unsupported modifier ({}) in substitution", show(other))),
        }
    }

    fn process_name(&mut self) -> String {
        let mut name = String::new();
        while let Some(ch) = self.peek() {
            if name.is_empty() && ch.is_numeric() {
                while let Some(c) = self.peek().filter(|c| c.is_numeric()) {
                    self.next();
                    name.push(c);
                }
                return name;
            }
            if name.is_empty() && matches!(ch, '@' | '*' | '#' | '?' | '-' | '$' | '!' | '0') {
                self.next();
                return ch.to_string();
            }
            if !ch.is_alphabetic() && !ch.is_numeric() && ch != '_' {
                break;
            }
            self.next();
            name.push(ch);
        }
        name
    }

    fn process_possible_heredoc(&mut self) -> String {
        self.next();
        if self.peek() != Some('<') {
            return "<".into();
        }
        self.next();
        let mut out = String::from("<<");
        while let Some(c) = self.peek().filter(|c| matches!(c, '\t' | '\r' | ' ')) {
            out.push(c);
            self.next();
        }
        out
    }
}

/// A pattern as an error message shows it: its start when it is long.
fn short(pattern: &str) -> String {
    match pattern.char_indices().nth(80) {
        Some((i, _)) => format!("{}...", &pattern[..i]),
        None => pattern.to_string(),
    }
}

/// An expansion past `limits::MAX_EXPANSION_WORD` is refused (hostile input: a real word is
/// kilobytes).
fn within_limit(word: &str) -> Result<(), LexError> {
    if word.len() > crate::limits::MAX_EXPANSION_WORD {
        return err(format!(
            "a word expands to more than {} (the limit)",
            crate::units::human_bytes(crate::limits::MAX_EXPANSION_WORD as u64)
        ));
    }
    Ok(())
}

/// Convert a shell wildcard pattern (`*`, `?`, `\` escapes) to a regex, as BuildKit does.
fn shell_pattern_regex(pattern: &str, greedy: bool, anchored: bool) -> Result<regex::Regex, LexError> {
    if pattern.len() > crate::limits::MAX_PATTERN_BYTES {
        // an expanded pattern of megabytes took seconds to compile (found by fuzzing)
        return err(format!(
            "a substitution pattern longer than {} (the limit)",
            crate::units::human_bytes(crate::limits::MAX_PATTERN_BYTES as u64)
        ));
    }
    let mut out = String::with_capacity(pattern.len() + 4);
    if anchored {
        out.push('^');
    }
    let star = if greedy { ".*" } else { ".*?" };
    let chars: Vec<char> = pattern.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let mut tok = chars[i];
        i += 1;
        match tok {
            '*' => {
                out.push_str(star);
                continue;
            }
            '?' => {
                out.push('.');
                continue;
            }
            '\\' => {
                if matches!(chars.get(i), Some('}' | '/')) {
                    continue;
                }
                out.push('\\');
                let next = chars.get(i).copied();
                i += 1;
                match next {
                    Some(c @ ('*' | '?' | '\\')) => tok = c,
                    other => return err(format!("invalid escape '\\{}'", show(other))),
                }
            }
            '[' | ']' | '{' | '}' | '.' | '+' | '(' | ')' | '|' | '^' | '$' => out.push('\\'),
            _ => {}
        }
        out.push(tok);
    }
    regex::Regex::new(&out).map_err(|e| LexError(e.to_string()))
}

fn trim_prefix(pattern: &str, value: &str, greedy: bool) -> Result<String, LexError> {
    let re = shell_pattern_regex(pattern, greedy, true)
        .map_err(|e| LexError(format!("invalid pattern ({}) in substitution: {}", short(pattern), e.0)))?;
    Ok(match re.find(value) {
        Some(m) => value[m.end()..].to_string(),
        None => value.to_string(),
    })
}

/// Reverse a pattern but keep `\x` escapes in order.
fn reverse_pattern(pattern: &str) -> String {
    let p: Vec<char> = pattern.chars().collect();
    let mut out = vec!['\0'; p.len()];
    let last = p.len().saturating_sub(1);
    let mut i = 0;
    while i < p.len() {
        let o = last - i;
        if p[i] == '\\' && i != last {
            out[o - 1] = p[i];
            out[o] = p[i + 1];
            i += 2;
        } else {
            out[o] = p[i];
            i += 1;
        }
    }
    out.into_iter().collect()
}

fn trim_suffix(pattern: &str, value: &str, greedy: bool) -> Result<String, LexError> {
    let rev: String = value.chars().rev().collect();
    let trimmed = trim_prefix(&reverse_pattern(pattern), &rev, greedy)?;
    Ok(trimmed.chars().rev().collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let m: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |k: &str| m.get(k).cloned()
    }

    #[test]
    fn expansion_forms() {
        let e = env(&[("V", "val"), ("E", ""), ("P", "/usr/local/bin")]);
        let l = Lex::new('\\');
        let w = |s: &str| l.process_word(s, &e).unwrap();
        assert_eq!(w("$V ${V}"), "val val");
        assert_eq!(w("${U:-d} ${E:-d} ${E-d} ${U-d}"), "d d  d");
        assert_eq!(w("${V:+x} ${E:+x} ${E+x} ${U+x}"), "x  x ");
        assert_eq!(w("${P#*/} ${P##*/} ${P%/*} ${P%%/*}"), "usr/local/bin bin /usr/local ");
        assert_eq!(w("${P/local/opt} ${P//l/L}"), "/usr/opt/bin /usr/LocaL/bin");
        assert_eq!(w(r"'$V' \$V "), "$V $V ");
        assert_eq!(w(r#""$V \" \x""#), r#"val " \x"#);
        assert!(l.process_word("${U?must be set}", &e).is_err());
        assert!(l.process_word("${", &e).is_err());
        assert!(l.process_word("${V:x}", &e).is_err());
    }

    #[test]
    fn patterns_and_replacements_stay_within_the_limits() {
        // found by fuzzing: nested `${A//${A//...}/x}` built a pattern of megabytes (13 s)
        let big = "l".repeat(crate::limits::MAX_PATTERN_BYTES + 1);
        let e = env(&[("A", "lol"), ("B", big.as_str())]);
        let l = Lex::new('\\');
        for w in ["${A//$B/x}", "${A#$B}", "${A%%$B}"] {
            let r = l.process_word(w, &e).unwrap_err();
            assert!(r.0.contains("pattern longer than") && r.0.contains("(the limit)") && r.0.len() < 300, "{w}: {r}");
        }
        // every character replaced by a 1 MiB value: 3 MiB, allowed; 17 of them are not
        let mib = "m".repeat(1 << 20);
        let e = env(&[("A", "lol"), ("M", mib.as_str()), ("L", &"x".repeat(17))]);
        assert_eq!(l.process_word("${A//?/$M}", &e).unwrap().len(), 3 << 20);
        assert!(l.process_word("${L//?/$M}", &e).unwrap_err().0.contains("(the limit)"));
    }

    #[test]
    fn words_split_after_expansion() {
        let e = env(&[("S", "abc  def")]);
        let l = Lex::new('\\');
        assert_eq!(l.process_words("hello${S}bye", &e).unwrap(), ["helloabc", "defbye"]);
        assert_eq!(l.process_words("hello\"${S}\"bye", &e).unwrap(), ["helloabc  defbye"]);
        assert_eq!(l.process_words(r"hello\ there", &e).unwrap(), ["hello there"]);
        assert_eq!(l.process_words("abc${U:-d}e", &e).unwrap(), ["abcde"]);
    }

    #[test]
    fn skip_unset_keeps_references() {
        let l = Lex { skip_unset_env: true, ..Lex::new('\\') };
        assert_eq!(l.process_word("$A ${B} ${C:-x}", &()).unwrap(), "$A ${B} ${C:-x}");
    }

    #[test]
    fn records_matched_and_unmatched() {
        let e = env(&[("A", "1")]);
        let p = Lex::new('\\').process("$A $B", &e).unwrap();
        assert!(p.matched.contains("A") && p.unmatched.contains("B"));
    }
}
