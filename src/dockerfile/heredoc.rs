//! Heredoc markers (`<<EOF`, `<<-EOF`, `<<"EOF"`, `3<<EOF`) as BuildKit finds them.

use super::lex::{Lex, LexError};

/// A heredoc marker found in an instruction line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marker {
    pub name: String,
    pub file_descriptor: u32,
    pub expand: bool,
    pub chomp: bool,
}

/// Match `^(\d*)<<(-?)\s*([^<]*)$` and return (fd digits, chomp, rest).
fn match_marker(word: &str) -> Option<(&str, bool, &str)> {
    let digits = word.bytes().take_while(u8::is_ascii_digit).count();
    let after = word[digits..].strip_prefix("<<")?;
    let (chomp, after) = match after.strip_prefix('-') {
        Some(a) => (true, a),
        None => (false, after),
    };
    let rest = after.trim_start_matches(|c: char| c.is_ascii() && super::text::is_re_s(c as u8));
    if rest.contains('<') {
        return None;
    }
    Some((&word[..digits], chomp, rest))
}

/// BuildKit's `ParseHeredoc`: is this word a heredoc marker, and which?
pub fn parse_marker(word: &str) -> Result<Option<Marker>, LexError> {
    let Some((fd, chomp, rest)) = match_marker(word) else {
        return Ok(None);
    };
    if rest.is_empty() {
        return Ok(None);
    }
    let mut lex = Lex { skip_unset_env: true, ..Lex::new('\\') };
    let words = lex.process_words(rest, &())?;
    if words.len() != 1 {
        return Ok(None);
    }
    lex.raw_quotes = true;
    let raw = lex.process_words(rest, &())?;
    if raw.len() != words.len() {
        return Err(LexError(format!("internal lexing of heredoc produced inconsistent results: {rest}")));
    }
    let quotes = |s: &str| s.chars().filter(|&c| c == '\'' || c == '"').count();
    Ok(Some(Marker {
        expand: quotes(&words[0]) == quotes(&raw[0]),
        name: words.into_iter().next().unwrap_or_default(),
        chomp,
        file_descriptor: fd
            .parse::<u64>()
            .map_or(if fd.is_empty() { 0 } else { u32::MAX }, |v| u32::try_from(v).unwrap_or(u32::MAX)),
    }))
}

/// BuildKit's `heredocsFromLine`: every heredoc marker of an instruction line, in order.
pub fn markers_in_line(line: &str) -> Result<Vec<Marker>, LexError> {
    let lex = Lex { raw_quotes: true, raw_escapes: true, skip_unset_env: true, ..Lex::new('\\') };
    let words = lex.process_words(line, &()).unwrap_or_default();
    let mut out = Vec::new();
    for w in words {
        if let Some(m) = parse_marker(&w)? {
            out.push(m);
        }
    }
    Ok(out)
}

/// Remove leading tabs from every line (the body of a `<<-` heredoc).
pub fn chomp(content: &str) -> String {
    content.split_inclusive('\n').map(|l| l.trim_start_matches('\t')).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(line: &str) -> Vec<(String, bool, bool, u32)> {
        markers_in_line(line).unwrap().into_iter().map(|m| (m.name, m.expand, m.chomp, m.file_descriptor)).collect()
    }

    #[test]
    fn markers() {
        assert_eq!(names("RUN <<EOF"), [("EOF".into(), true, false, 0)]);
        assert_eq!(names("RUN 3<<-'E'"), [("E".into(), false, true, 3)]);
        assert_eq!(names("COPY <<A <<B /dest"), [("A".into(), true, false, 0), ("B".into(), true, false, 0)]);
        assert_eq!(names(r#"RUN "<<NOHEREDOC""#), []);
        assert_eq!(names("RUN <<eo'f'"), [("eof".into(), false, false, 0)]);
        assert_eq!(names("RUN <<  EOF  > foo"), [("EOF".into(), true, false, 0)]);
        assert_eq!(names("RUN <<'one two'"), [("one two".into(), false, false, 0)]);
        assert_eq!(names("RUN echo a<<b"), []);
    }

    #[test]
    fn chomp_strips_leading_tabs() {
        assert_eq!(chomp("\t\ta\n\tb\n c"), "a\nb\n c");
    }
}
