//! The line-level parser: BuildKit's `parser.Parse` loop, building the lossless syntax tree.
//!
//! Physical lines are joined into logical lines (continuations, comments and empty lines inside
//! them dropped as BuildKit drops them); each logical line is split into keyword, flags and
//! arguments by the instruction's line parser; heredoc bodies follow. A map from logical offsets
//! back to source offsets gives every token its span in the file.

use super::error::ParseError;
use super::heredoc;
use super::json::{parse_json_array, JsonArray};
use super::syntax::{Args, Directive, Dockerfile, Heredoc, Instruction, Item, Node, Pair, Span, Token, Warning};
use super::text::{self, is_latin1_space, lossy_slice, split_re_whitespace, trim_newline, trim_range};
use super::words::{extract_builder_flags, parse_words, Word};

/// BuildKit reads lines with a `bufio.Scanner` whose token limit is 64 KiB.
pub const MAX_LINE: usize = 64 * 1024;

/// Parse Dockerfile bytes. Invalid UTF-8 is decoded with U+FFFD replacements (see [`Dockerfile::lossy`]).
pub fn parse(input: &[u8]) -> Result<Dockerfile, ParseError> {
    let too_long_at = input.split(|&b| b == b'\n').position(|l| l.len() >= MAX_LINE);
    match String::from_utf8_lossy(input) {
        std::borrow::Cow::Borrowed(s) => Parser::new(s.to_string(), false, too_long_at).run(),
        std::borrow::Cow::Owned(s) => Parser::new(s, true, too_long_at).run(),
    }
}

/// Parse Dockerfile text.
pub fn parse_str(input: &str) -> Result<Dockerfile, ParseError> {
    parse(input.as_bytes())
}

/// Maps offsets of a logical line back to the source.
#[derive(Default)]
pub(crate) struct LineMap {
    text: String,
    /// (logical offset, source offset) at the start of each copied piece.
    pieces: Vec<(usize, usize)>,
    /// Source offset just past the last piece, for empty spans at the end.
    end: usize,
}

impl LineMap {
    fn push(&mut self, source_offset: usize, s: &str) {
        if s.is_empty() {
            return;
        }
        self.pieces.push((self.text.len(), source_offset));
        self.text.push_str(s);
        self.end = source_offset + s.len();
    }

    fn source_at(&self, logical: usize) -> usize {
        if logical >= self.text.len() {
            return self.end;
        }
        let i = self.pieces.partition_point(|&(l, _)| l <= logical) - 1;
        let (l, s) = self.pieces[i];
        s + (logical - l)
    }

    pub(crate) fn span(&self, start: usize, end: usize) -> Span {
        if end <= start {
            let s = self.source_at(start);
            return Span::new(s, s);
        }
        Span::new(self.source_at(start), self.source_at(end - 1) + 1)
    }
}

struct DirectiveParser {
    done: bool,
    seen: Vec<String>,
}

impl DirectiveParser {
    /// BuildKit's `DirectiveParser.ParseLine` on a line without its newline and leading spaces.
    fn parse_line(&mut self, line: &str) -> Result<Option<(String, String)>, String> {
        if self.done {
            return Ok(None);
        }
        let Some(rest) = line.strip_prefix('#') else {
            self.done = true;
            return Ok(None);
        };
        let Some((name, value)) = match_directive(rest.trim_start()) else {
            self.done = true;
            return Ok(None);
        };
        let key = name.to_ascii_lowercase();
        if !matches!(key.as_str(), "syntax" | "escape" | "check") {
            self.done = true;
            return Ok(None);
        }
        if self.seen.contains(&key) {
            return Err(format!("only one {key} parser directive can be used"));
        }
        self.seen.push(key.clone());
        Ok(Some((key, value.to_string())))
    }
}

fn is_s(c: char) -> bool {
    c.is_ascii() && text::is_re_s(c as u8)
}

/// `^([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$`
fn match_directive(s: &str) -> Option<(&str, &str)> {
    let b = s.as_bytes();
    if !b.first()?.is_ascii_alphabetic() {
        return None;
    }
    let name_len = b.iter().take_while(|c| c.is_ascii_alphanumeric()).count();
    let after_name = s[name_len..].trim_start_matches(is_s);
    let after_eq = after_name.strip_prefix('=')?;
    if after_eq.contains('\n') || after_eq.is_empty() {
        return None;
    }
    let value = after_eq.trim_start_matches(is_s).trim_end_matches(is_s);
    if !value.is_empty() {
        return Some((&s[..name_len], value));
    }
    // only whitespace after '=': the lazy group backtracks to take the last character
    let last = after_eq.char_indices().last()?.0;
    Some((&s[..name_len], &after_eq[last..]))
}

struct Parser {
    src: String,
    lossy: bool,
    /// (start, end) of each physical line, newline included.
    lines: Vec<(usize, usize)>,
    /// Index of the first line BuildKit's scanner cannot read (too long).
    too_long_at: Option<usize>,
    escape: char,
    directives: DirectiveParser,
}

/// Where the escape token continues a line: `([^E])E[ \t]*$|^E[ \t]*$`.
fn trim_continuation(line: &str, escape: char) -> (&str, bool) {
    let t = line.trim_end_matches([' ', '\t']);
    let Some(before) = t.strip_suffix(escape) else {
        return (line, true);
    };
    if before.is_empty() {
        return ("", false);
    }
    if before.ends_with(escape) {
        return (line, true);
    }
    (before, false)
}

fn is_comment(line: &str) -> bool {
    line.trim_start().starts_with('#')
}

impl Parser {
    fn new(src: String, lossy: bool, too_long_at: Option<usize>) -> Self {
        let mut lines = Vec::new();
        let mut start = 0;
        for (i, b) in src.bytes().enumerate() {
            if b == b'\n' {
                lines.push((start, i + 1));
                start = i + 1;
            }
        }
        if start < src.len() {
            lines.push((start, src.len()));
        }
        Parser {
            src,
            lossy,
            lines,
            too_long_at,
            escape: '\\',
            directives: DirectiveParser { done: false, seen: Vec::new() },
        }
    }

    /// Lines BuildKit's scanner can deliver.
    fn readable(&self) -> usize {
        self.too_long_at.unwrap_or(usize::MAX).min(self.lines.len())
    }

    fn line(&self, i: usize) -> &str {
        let (s, e) = self.lines[i];
        &self.src[s..e]
    }

    /// BuildKit's `processLine`: the line without newline (and, on a first line, leading spaces),
    /// whether it was a parser directive, and its content with comments removed.
    fn process_line(&mut self, i: usize, strip_left: bool) -> Result<(usize, String, Option<Directive>), ParseError> {
        let (start, _) = self.lines[i];
        let mut raw = self.line(i);
        let mut offset = start;
        if i == 0 {
            if let Some(r) = raw.strip_prefix('\u{feff}') {
                raw = r;
                offset += 3;
            }
        }
        let mut token = trim_newline(raw);
        if strip_left {
            let lead = text::leading_space_len(token);
            token = &token[lead..];
            offset += lead;
        }
        let token = token.to_string();
        let directive = match self.directives.parse_line(&token) {
            Err(e) => return Err(ParseError::new(i + 1, 1, e)),
            Ok(Some((name, value))) => {
                if name == "escape" {
                    if value != "`" && value != "\\" {
                        let msg = format!("invalid escape token '{value}' does not match ` or \\");
                        return Err(ParseError::new(i + 1, 1, msg));
                    }
                    self.escape = value.chars().next().unwrap_or('\\');
                }
                let (s, e) = self.lines[i];
                Some(Directive { name, value, line: i + 1, span: Span::new(s, e) })
            }
            Ok(None) => None,
        };
        let content = if is_comment(&token) { String::new() } else { token };
        Ok((offset, content, directive))
    }

    fn run(mut self) -> Result<Dockerfile, ParseError> {
        let mut items: Vec<Item> = Vec::new();
        let mut instructions = 0usize;
        let mut directives = Vec::new();
        let mut warnings = Vec::new();
        let mut comments: Vec<String> = Vec::new();
        let bom = self.src.starts_with('\u{feff}');
        let n = self.readable();
        let mut i = 0;
        let mut current_line = 0;
        while i < n {
            let (line_start, line_end) = self.lines[i];
            let raw = {
                let r = self.line(i);
                if i == 0 {
                    r.strip_prefix('\u{feff}').unwrap_or(r)
                } else {
                    r
                }
            };
            if is_comment(raw) {
                // BuildKit drops the first byte, not the '#', before trimming.
                let c = lossy_slice(raw, 1, raw.len());
                let c = c.trim();
                if c.is_empty() {
                    comments.clear();
                } else {
                    comments.push(c.to_string());
                }
            }
            let was_comment = is_comment(raw);
            let (offset, content, directive) = self.process_line(i, true)?;
            if let Some(d) = directive {
                comments.pop();
                directives.push(d.clone());
                items.push(Item::Directive(d));
                i += 1;
                current_line += 1;
                continue;
            }
            current_line += 1;
            let start_line = current_line;
            let (first, mut eol) = trim_continuation(&content, self.escape);
            if eol && first.is_empty() {
                let span = Span::new(line_start, line_end);
                items.push(if was_comment { Item::Comment { span } } else { Item::Blank { span } });
                i += 1;
                continue;
            }
            let mut map = LineMap { end: offset, ..LineMap::default() };
            map.push(offset, first);
            let mut inner_comments = Vec::new();
            let mut empty_continuation = false;
            let mut last = i;
            while !eol && last + 1 < n {
                last += 1;
                let (offset, content, _) = self.process_line(last, false)?;
                current_line += 1;
                if is_comment(self.line(last)) {
                    let (s, e) = self.lines[last];
                    inner_comments.push(Span::new(s, e));
                    continue;
                }
                if content.trim_start().is_empty() {
                    empty_continuation = true;
                    continue;
                }
                let (piece, e) = trim_continuation(&content, self.escape);
                eol = e;
                map.push(offset, piece);
            }
            let logical = map.text.clone();
            if empty_continuation {
                warnings.push(Warning {
                    line: current_line,
                    message: format!("Empty continuation line found in: {logical}"),
                });
            }
            let ctx = Ctx { map: &map, escape: self.escape };
            let node =
                new_node(&ctx, &logical, 0).map_err(|m| ParseError::new(start_line, 1, m).ending(current_line))?;
            let mut heredocs = Vec::new();
            if can_contain_heredoc(&node) && logical.contains("<<") {
                let markers = heredoc::markers_in_line(&logical).map_err(|e| ParseError::new(start_line, 1, e.0))?;
                for m in markers {
                    let body_start = self.lines.get(last + 1).map_or(self.src.len(), |l| l.0);
                    let mut content = String::new();
                    let mut terminator = None;
                    while last + 1 < n {
                        last += 1;
                        current_line += 1;
                        let l = self.line(last);
                        let mut candidate = trim_newline(l);
                        if m.chomp {
                            candidate = candidate.trim_start_matches('\t');
                        }
                        if candidate == m.name {
                            let (s, e) = self.lines[last];
                            terminator = Some(Span::new(s, e));
                            break;
                        }
                        content.push_str(l);
                    }
                    let Some(terminator) = terminator else {
                        return Err(ParseError::new(start_line, 1, "unterminated heredoc").ending(current_line));
                    };
                    heredocs.push(Heredoc {
                        name: m.name,
                        file_descriptor: m.file_descriptor,
                        expand: m.expand,
                        chomp: m.chomp,
                        content,
                        body: Span::new(body_start, terminator.start),
                        terminator,
                    });
                }
            }
            let span = Span::new(line_start, self.lines[last].1);
            instructions += 1;
            if instructions > crate::limits::MAX_INSTRUCTIONS {
                // a hostile file: stop before the tree of every instruction is built
                return Err(ParseError::new(
                    start_line,
                    1,
                    format!("more than {} instructions (the limit)", crate::limits::MAX_INSTRUCTIONS),
                ));
            }
            items.push(Item::Instruction(Box::new(Instruction {
                span,
                start_line,
                end_line: current_line,
                node,
                heredocs,
                comments: std::mem::take(&mut comments),
                inner_comments,
                original: logical,
                empty_continuation,
                pieces: map.pieces.clone(),
            })));
            i = last + 1;
        }
        // Lines BuildKit never reads (after a too-long line) still belong to the file.
        if n < self.lines.len() {
            let span = Span::new(self.lines[n].0, self.src.len());
            items.push(Item::Blank { span });
        }
        if !items.iter().any(|i| matches!(i, Item::Instruction(_))) {
            return Err(ParseError::new(current_line.max(1), 1, "file with no instructions"));
        }
        if self.too_long_at.is_some_and(|l| l < self.lines.len()) {
            let msg = format!("dockerfile line greater than max allowed size of {}", MAX_LINE - 1);
            return Err(ParseError::new(current_line + 1, 1, msg));
        }
        Ok(Dockerfile { source: self.src, lossy: self.lossy, bom, escape: self.escape, directives, items, warnings })
    }
}

/// RUN, COPY and ADD (also as an ONBUILD trigger) in shell form may carry heredocs.
fn can_contain_heredoc(node: &Node) -> bool {
    let node = match &node.args {
        Args::Sub { node } => node.as_ref(),
        _ => node,
    };
    matches!(node.name().as_str(), "add" | "copy" | "run") && !node.json
}

struct Ctx<'a> {
    map: &'a LineMap,
    escape: char,
}

impl Ctx<'_> {
    fn token(&self, text: String, start: usize, end: usize) -> Token {
        Token { text, span: self.map.span(start, end) }
    }
    fn word(&self, w: Word, base: usize) -> Token {
        self.token(w.text, base + w.start, base + w.end)
    }
}

/// Move a byte offset back to a character boundary (BuildKit may cut inside a character when it
/// walks bytes; keeping the whole character avoids producing invalid text).
fn boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// BuildKit's `newNodeFromLine`: `line` starts at logical offset `base`.
fn new_node(ctx: &Ctx, line: &str, base: usize) -> Result<Node, String> {
    let (ts, te) = trim_range(line);
    let trimmed = &line[ts..te];
    let parts = split_re_whitespace(trimmed, Some(2));
    let (c0, c1) = parts[0];
    let keyword = ctx.token(trimmed[c0..c1].to_string(), base + ts + c0, base + ts + c1);
    let mut flags = Vec::new();
    let (args, args_off) = if parts.len() == 2 {
        let rest_off = ts + parts[1].0;
        let rest = &line[rest_off..te];
        let (r, words) = extract_builder_flags(rest, ctx.escape);
        flags = words
            .into_iter()
            .map(|mut w| {
                // the byte walk may end a flag inside a character; spans keep whole characters
                (w.start, w.end) = (boundary(rest, w.start), ceil_boundary(rest, w.end));
                ctx.word(w, base + rest_off)
            })
            .collect();
        let r = boundary(rest, r);
        let (as_, ae) = trim_range(&rest[r..]);
        (&rest[r + as_..r + ae], base + rest_off + r + as_)
    } else {
        ("", base + te)
    };
    let name = keyword.text.to_lowercase();
    let (args, json) = match name.as_str() {
        "add" | "copy" | "volume" => maybe_json_to_list(ctx, args, args_off)?,
        "arg" => (name_or_name_val(ctx, args, args_off), false),
        "cmd" | "entrypoint" | "run" | "shell" => maybe_json(ctx, args, args_off)?,
        "env" => (name_val(ctx, args, args_off, "ENV")?, false),
        "label" => (name_val(ctx, args, args_off, "LABEL")?, false),
        "expose" | "from" => (whitespace_delimited(ctx, args, args_off), false),
        "healthcheck" => health_config(ctx, args, args_off)?,
        "maintainer" | "stopsignal" | "user" | "workdir" => (single_string(ctx, args, args_off), false),
        "onbuild" => {
            if args.is_empty() {
                (Args::None, false)
            } else {
                (Args::Sub { node: Box::new(new_node(ctx, args, args_off)?) }, false)
            }
        }
        _ => (Args::Ignored, false),
    };
    Ok(Node { keyword, flags, args, json })
}

fn values(ctx: &Ctx, words: Vec<Word>, base: usize) -> Args {
    Args::Values { values: words.into_iter().map(|w| ctx.word(w, base)).collect() }
}

fn single_string(ctx: &Ctx, args: &str, off: usize) -> Args {
    if args.is_empty() {
        return Args::None;
    }
    Args::Values { values: vec![ctx.token(args.to_string(), off, off + args.len())] }
}

fn whitespace_delimited(ctx: &Ctx, args: &str, off: usize) -> Args {
    if args.is_empty() {
        return Args::None;
    }
    let words = split_re_whitespace(args, None)
        .into_iter()
        .map(|(s, e)| Word { text: args[s..e].to_string(), start: s, end: e })
        .collect();
    values(ctx, words, off)
}

fn maybe_json(ctx: &Ctx, args: &str, off: usize) -> Result<(Args, bool), String> {
    if args.is_empty() {
        return Ok((Args::None, false));
    }
    match parse_json_array(args) {
        JsonArray::Strings(w) => Ok((values(ctx, w, off), true)),
        JsonArray::NotStringArray => Err(NOT_STRING_ARRAY.into()),
        JsonArray::NotJson => Ok((single_string(ctx, args, off), false)),
    }
}

const NOT_STRING_ARRAY: &str = "when using JSON array syntax, arrays must be comprised of strings only";

fn maybe_json_to_list(ctx: &Ctx, args: &str, off: usize) -> Result<(Args, bool), String> {
    match parse_json_array(args) {
        JsonArray::Strings(w) => Ok((values(ctx, w, off), true)),
        JsonArray::NotStringArray => Err(NOT_STRING_ARRAY.into()),
        JsonArray::NotJson => Ok((whitespace_delimited(ctx, args, off), false)),
    }
}

fn name_or_name_val(ctx: &Ctx, args: &str, off: usize) -> Args {
    let words = parse_words(args, ctx.escape);
    if words.is_empty() {
        return Args::None;
    }
    values(ctx, words, off)
}

fn name_val(ctx: &Ctx, args: &str, off: usize, key: &str) -> Result<Args, String> {
    let words = parse_words(args, ctx.escape);
    if words.is_empty() {
        return Ok(Args::None);
    }
    if !words[0].text.contains('=') {
        let parts = split_re_whitespace(args, Some(2));
        if parts.len() < 2 {
            return Err(format!("{key} must have two arguments"));
        }
        let ((ks, ke), (vs, ve)) = (parts[0], parts[1]);
        let pair = Pair {
            key: ctx.token(args[ks..ke].to_string(), off + ks, off + ke),
            value: ctx.token(args[vs..ve].to_string(), off + vs, off + ve),
        };
        return Ok(Args::Pairs { pairs: vec![pair], legacy: true });
    }
    let mut pairs = Vec::new();
    for w in words {
        let Some(eq) = w.text.find('=') else {
            return Err(format!(
                "Syntax error - can't find = in {}. Must be of the form: name=value",
                text::go_quote(&w.text)
            ));
        };
        let (k, v) = (&w.text[..eq], &w.text[eq + 1..]);
        pairs.push(Pair {
            key: ctx.token(k.to_string(), off + w.start, off + w.start + eq),
            value: ctx.token(v.to_string(), off + w.start + eq + 1, (off + w.end).max(off + w.start + eq + 1)),
        });
    }
    Ok(Args::Pairs { pairs, legacy: false })
}

fn health_config(ctx: &Ctx, args: &str, off: usize) -> Result<(Args, bool), String> {
    let b = args.as_bytes();
    let sep = b.iter().position(|&c| is_latin1_space(c)).unwrap_or(b.len());
    if sep == 0 {
        return Ok((Args::None, false));
    }
    let next = sep + b[sep..].iter().take_while(|&&c| is_latin1_space(c)).count();
    let typ = ctx.token(lossy_slice(args, 0, sep), off, off + ceil_boundary(args, sep));
    let next = boundary(args, next);
    let (inner, json) = maybe_json(ctx, &args[next..], off + next)?;
    let mut vals = vec![typ];
    if let Args::Values { values } = inner {
        vals.extend(values);
    }
    Ok((Args::Values { values: vals }, json))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directive_regex() {
        assert_eq!(match_directive("escape=`"), Some(("escape", "`")));
        assert_eq!(match_directive("escape = ` "), Some(("escape", "`")));
        assert_eq!(match_directive("escape= "), Some(("escape", " ")));
        assert_eq!(match_directive("escape="), None);
        assert_eq!(match_directive("escape x=y"), None);
        assert_eq!(match_directive("1a=b"), None);
    }

    #[test]
    fn continuation_regex() {
        assert_eq!(trim_continuation("a \\", '\\'), ("a ", false));
        assert_eq!(trim_continuation("a\\ \t", '\\'), ("a", false));
        assert_eq!(trim_continuation("\\", '\\'), ("", false));
        assert_eq!(trim_continuation("a\\\\", '\\'), ("a\\\\", true));
        assert_eq!(trim_continuation("a`", '`'), ("a", false));
        assert_eq!(trim_continuation("a\\", '`'), ("a\\", true));
    }

    #[test]
    fn spans_point_into_source() {
        let src = "FROM alpine AS b\nRUN --mount=type=cache,target=/x \\\n  # c\n  echo hi\n";
        let df = parse_str(src).unwrap();
        let ins: Vec<_> = df.instructions().collect();
        assert_eq!(df.text(ins[0].node.values()[2].span), "b");
        assert_eq!(df.text(ins[1].node.flags[0].span), "--mount=type=cache,target=/x");
        assert_eq!(df.text(ins[1].node.values()[0].span), "echo hi");
        assert_eq!((ins[1].start_line, ins[1].end_line), (2, 4));
        assert_eq!(ins[1].original, "RUN --mount=type=cache,target=/x   echo hi");
        assert_eq!(df.render(), src);
        let at = ins[1].original.find("echo").unwrap();
        assert_eq!(&src[ins[1].source_offset(at)..ins[1].source_offset(at) + 4], "echo");
        assert_eq!(ins[1].logical_offset(ins[1].source_offset(at)), Some(at));
    }
}
