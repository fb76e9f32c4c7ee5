//! RUN bodies as shell commands, parsed once and shared by every analysis.
//!
//! brush-parser (a real POSIX/bash parser) turns the script into and-or lists, pipelines,
//! subshells, groups, loops and conditionals; command substitutions `$(...)` are parsed too. For the
//! few scripts it rejects, a quote-aware splitter on `&&`, `||`, `;`, `|`, `&` and newlines keeps
//! the commands visible. Every command keeps byte offsets into the script, so a fix can edit it.

use brush_parser::ast;

mod guard;

/// How a command is joined to the one before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Op {
    Start,
    And,
    Or,
    Seq,
    Pipe,
    Background,
}

/// A shell word: unquoted text, raw text, byte range in the script.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Word {
    pub text: String,
    pub raw: String,
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Command {
    /// Command name and arguments (prefix assignments and redirections excluded).
    pub words: Vec<Word>,
    /// `NAME=value` prefixes.
    pub assignments: Vec<(String, String)>,
    pub start: usize,
    pub end: usize,
    pub op: Op,
    /// Inside a subshell, group, loop, conditional or command substitution.
    pub nested: bool,
    /// May not run: an `if`/`case`/loop body, or after `||`.
    pub conditional: bool,
    /// Files the command's output redirections write (`> /etc/x`, `>> log`, `&> out`), unquoted.
    pub writes: Vec<String>,
    /// End of the command with its redirections (`end` is the end of its last word).
    pub full_end: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ParsedBy {
    /// Simple commands only: split without a grammar (identical to the parser's result).
    Simple,
    Brush,
    Fallback,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Script {
    pub text: String,
    pub commands: Vec<Command>,
    pub parsed_by: ParsedBy,
}

/// Commands that run another command given as their arguments.
const WRAPPERS: &[&str] =
    &["sudo", "env", "nice", "nohup", "time", "command", "exec", "doas", "chroot", "su-exec", "gosu"];

impl Command {
    /// The command name without its directory (`/usr/bin/apt-get` -> `apt-get`).
    pub fn name(&self) -> &str {
        let n = self.words.first().map_or("", |w| w.text.as_str());
        n.rsplit('/').next().unwrap_or(n)
    }

    pub fn args(&self) -> &[Word] {
        self.words.get(1..).unwrap_or(&[])
    }

    /// The command a wrapper runs (`sudo -E apt-get install x` -> `apt-get install x`).
    pub fn unwrapped(&self) -> Command {
        let mut c = self.clone();
        for _ in 0..4 {
            let name = c.name().to_string();
            if !WRAPPERS.contains(&name.as_str()) {
                break;
            }
            let mut i = 1;
            while let Some(w) = c.words.get(i) {
                let t = w.text.as_str();
                let skip = t.starts_with('-')
                    || (name == "env" && t.contains('=') && !t.starts_with('='))
                    || (matches!(name.as_str(), "sudo" | "doas")
                        && i > 1
                        && matches!(c.words[i - 1].text.as_str(), "-u" | "-g"))
                    || (matches!(name.as_str(), "chroot" | "su-exec" | "gosu") && i == 1);
                if !skip {
                    break;
                }
                i += 1;
            }
            if i >= c.words.len() {
                break;
            }
            c.words.drain(..i);
        }
        c
    }

    /// Is any of these flags present? Short flags also match inside bundles (`-qy` has `-y`).
    pub fn has_flag(&self, flags: &[&str]) -> bool {
        self.args().iter().take_while(|w| w.text != "--").any(|w| {
            let t = w.text.as_str();
            flags.iter().any(|f| {
                if let Some(long) = f.strip_prefix("--") {
                    t == *f || t.strip_prefix("--").is_some_and(|x| x.split_once('=').is_some_and(|(n, _)| n == long))
                } else if let Some(short) = f.strip_prefix('-').filter(|s| s.len() == 1) {
                    t.starts_with('-') && !t.starts_with("--") && t[1..].contains(short)
                } else {
                    t == *f
                }
            })
        })
    }

    /// The value of an option (`-o X`, `--opt X`, `--opt=X`).
    pub fn flag_value(&self, flags: &[&str]) -> Option<&str> {
        let args = self.args();
        for (i, w) in args.iter().enumerate() {
            for f in flags {
                if w.text == *f {
                    return args.get(i + 1).map(|v| v.text.as_str());
                }
                if let Some(v) = w.text.strip_prefix(f).and_then(|r| r.strip_prefix('=')) {
                    return Some(v);
                }
            }
        }
        None
    }

    pub fn text<'a>(&self, script: &'a Script) -> &'a str {
        &script.text[self.start..self.end.min(script.text.len())]
    }

    /// The command's text with its redirections (`echo x > /etc/y`).
    pub fn full_text<'a>(&self, script: &'a Script) -> &'a str {
        let end = self.full_end.max(self.end).min(script.text.len());
        &script.text[self.start.min(end)..end]
    }
}

impl Script {
    /// Commands with wrappers (`sudo`, `env`) removed.
    pub fn effective(&self) -> impl Iterator<Item = Command> + '_ {
        self.commands.iter().map(Command::unwrapped)
    }
}

/// The exec form (a JSON array) of a shell-form CMD/ENTRYPOINT that has no shell syntax, if it
/// has none.
pub fn exec_form(text: &str) -> Option<String> {
    if text.chars().any(|c| "$|&;<>*?()[]{}`'\"\\~#!=".contains(c)) || text.trim().is_empty() {
        return None;
    }
    let parts: Vec<String> = text.split_whitespace().map(|w| format!("{w:?}")).collect();
    Some(format!("[{}]", parts.join(", ")))
}

/// Remove shell quoting: `'...'` literal, `"..."` with `\\` `\"` `\$` `` \` `` escapes, `\x`.
pub fn unquote(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                for c in chars.by_ref() {
                    if c == '\'' {
                        break;
                    }
                    out.push(c);
                }
            }
            '"' => {
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => match chars.peek() {
                            Some(&n) if matches!(n, '"' | '\\' | '$' | '`' | '\n') => {
                                chars.next();
                                if n != '\n' {
                                    out.push(n);
                                }
                            }
                            _ => out.push('\\'),
                        },
                        c => out.push(c),
                    }
                }
            }
            '\\' => {
                if let Some(n) = chars.next() {
                    if n != '\n' {
                        out.push(n);
                    }
                }
            }
            c => out.push(c),
        }
    }
    out
}

struct Walker<'a> {
    text: &'a str,
    /// Byte offset of each character (brush reports character indices).
    char_bytes: Option<Vec<usize>>,
    base: usize,
    out: Vec<Command>,
    depth: u32,
}

impl Walker<'_> {
    fn byte(&self, char_index: usize) -> usize {
        self.base
            + match &self.char_bytes {
                None => char_index.min(self.text.len()),
                Some(t) => t.get(char_index).copied().unwrap_or(self.text.len()),
            }
    }

    fn word(&self, w: &ast::Word) -> Word {
        let (start, end) = match &w.loc {
            Some(l) => (self.byte(l.start.index), self.byte(l.end.index)),
            None => (self.base, self.base),
        };
        // the word as the script has it: brush-parser's value is re-rendered where a word holds
        // a command substitution (`f() { x; }` becomes `f(){ x;}`), and offsets into it (the
        // commands inside, which fixes edit) would miss the source (found by fuzzing)
        let raw = self
            .text
            .get(start - self.base..end - self.base)
            .filter(|r| !r.is_empty())
            .map_or_else(|| w.value.clone(), str::to_string);
        Word { text: unquote(&w.value), raw, start, end }
    }

    fn list(&mut self, list: &ast::CompoundList, nested: bool, conditional: bool) {
        for (i, ast::CompoundListItem(and_or, sep)) in list.0.iter().enumerate() {
            let first_op = if i == 0 { Op::Start } else { Op::Seq };
            let before = self.out.len();
            self.and_or(and_or, first_op, nested, conditional);
            if matches!(sep, ast::SeparatorOperator::Async) {
                // the item runs in the background; mark its last command at this level
                if let Some(last) = self.out[before..].iter_mut().rev().find(|c| c.nested == nested) {
                    last.op = Op::Background;
                }
            }
        }
    }

    fn and_or(&mut self, list: &ast::AndOrList, first_op: Op, nested: bool, conditional: bool) {
        self.pipeline(&list.first, first_op, nested, conditional);
        let mut cond = conditional;
        for a in &list.additional {
            match a {
                ast::AndOr::And(p) => self.pipeline(p, Op::And, nested, cond),
                ast::AndOr::Or(p) => {
                    cond = true;
                    self.pipeline(p, Op::Or, nested, cond)
                }
            }
        }
    }

    fn pipeline(&mut self, p: &ast::Pipeline, op: Op, nested: bool, conditional: bool) {
        for (i, c) in p.seq.iter().enumerate() {
            self.command(c, if i == 0 { op } else { Op::Pipe }, nested, conditional);
        }
    }

    fn command(&mut self, c: &ast::Command, op: Op, nested: bool, conditional: bool) {
        match c {
            ast::Command::Simple(sc) => self.simple(sc, op, nested, conditional),
            ast::Command::Compound(cc, _) => self.compound(cc, conditional),
            ast::Command::Function(f) => self.compound(&f.body.0, true),
            ast::Command::ExtendedTest(..) => {}
        }
    }

    fn compound(&mut self, cc: &ast::CompoundCommand, conditional: bool) {
        self.depth += 1;
        if self.depth < 32 {
            match cc {
                ast::CompoundCommand::BraceGroup(g) => self.list(&g.list, true, conditional),
                ast::CompoundCommand::Subshell(s) => self.list(&s.list, true, conditional),
                ast::CompoundCommand::ForClause(f) => self.list(&f.body.list, true, true),
                ast::CompoundCommand::ArithmeticForClause(f) => self.list(&f.body.list, true, true),
                ast::CompoundCommand::CaseClause(c) => {
                    for item in &c.cases {
                        if let Some(l) = &item.cmd {
                            self.list(l, true, true);
                        }
                    }
                }
                ast::CompoundCommand::IfClause(i) => {
                    self.list(&i.condition, true, conditional);
                    self.list(&i.then, true, true);
                    for e in i.elses.iter().flatten() {
                        if let Some(c) = &e.condition {
                            self.list(c, true, true);
                        }
                        self.list(&e.body, true, true);
                    }
                }
                ast::CompoundCommand::WhileClause(w) | ast::CompoundCommand::UntilClause(w) => {
                    self.list(&w.0, true, conditional);
                    self.list(&w.1.list, true, true);
                }
                ast::CompoundCommand::Coprocess(c) => self.command(&c.body, Op::Start, true, conditional),
                ast::CompoundCommand::Arithmetic(_) => {}
            }
        }
        self.depth -= 1;
    }

    fn simple(&mut self, sc: &ast::SimpleCommand, op: Op, nested: bool, conditional: bool) {
        let mut words = Vec::new();
        let mut assignments = Vec::new();
        let mut substitutions = Vec::new();
        let (mut writes, mut redirect_end) = (Vec::new(), 0usize);
        for item in sc.prefix.iter().flat_map(|p| p.0.iter()).chain(sc.suffix.iter().flat_map(|s| s.0.iter())) {
            if let ast::CommandPrefixOrSuffixItem::IoRedirect(r) = item {
                // (file, written): the target of `> f`, `>> f`, `&> f`, `< f`
                let target = match r {
                    ast::IoRedirect::File(_, kind, ast::IoFileRedirectTarget::Filename(w)) => Some((
                        w,
                        !matches!(kind, ast::IoFileRedirectKind::Read | ast::IoFileRedirectKind::DuplicateInput),
                    )),
                    ast::IoRedirect::OutputAndError(w, _) => Some((w, true)),
                    _ => None,
                };
                if let Some((w, written)) = target {
                    if let Some(l) = &w.loc {
                        redirect_end = redirect_end.max(self.byte(l.end.index));
                    }
                    if written {
                        writes.push(unquote(&w.value));
                    }
                }
            }
        }
        let mut push_item = |item: &ast::CommandPrefixOrSuffixItem, words: &mut Vec<Word>, me: &Self| match item {
            ast::CommandPrefixOrSuffixItem::Word(w) => {
                let w = me.word(w);
                substitutions.push((w.raw.clone(), w.start));
                words.push(w);
            }
            ast::CommandPrefixOrSuffixItem::AssignmentWord(a, w) => {
                let name = match &a.name {
                    ast::AssignmentName::VariableName(n) | ast::AssignmentName::ArrayElementName(n, _) => n.clone(),
                };
                let value = match &a.value {
                    ast::AssignmentValue::Scalar(v) => unquote(&v.value),
                    ast::AssignmentValue::Array(_) => String::new(),
                };
                let w = me.word(w);
                substitutions.push((w.raw, w.start));
                assignments.push((name, value));
            }
            _ => {}
        };
        for item in sc.prefix.iter().flat_map(|p| p.0.iter()) {
            push_item(item, &mut Vec::new(), self);
        }
        if let Some(w) = &sc.word_or_name {
            push_item(&ast::CommandPrefixOrSuffixItem::Word(w.clone()), &mut words, self);
        }
        for item in sc.suffix.iter().flat_map(|s| s.0.iter()) {
            // after the command name `a=b` is an argument (`pip install flask==3.0`)
            match item {
                ast::CommandPrefixOrSuffixItem::AssignmentWord(_, w) => {
                    push_item(&ast::CommandPrefixOrSuffixItem::Word(w.clone()), &mut words, self)
                }
                other => push_item(other, &mut words, self),
            }
        }
        let start = words.first().map(|w| w.start).unwrap_or_else(|| substitutions.first().map_or(self.base, |s| s.1));
        let end = words.last().map_or(start, |w| w.end);
        if !words.is_empty() {
            let full_end = redirect_end.max(end);
            self.out.push(Command { words, assignments, start, end, op, nested, conditional, writes, full_end });
        }
        // commands inside $(...) and `...`
        if self.depth < 32 {
            for (raw, at) in substitutions {
                for (s, off) in substitutions_in(&raw) {
                    self.depth += 1;
                    let inner = parse_at(&s, at + off, self.depth);
                    self.out.extend(inner.into_iter().map(|mut c| {
                        c.nested = true;
                        c.conditional |= conditional;
                        c
                    }));
                    self.depth -= 1;
                }
            }
        }
    }
}

/// The bodies of `$(...)` and backquote substitutions in a raw word, with their byte offsets.
fn substitutions_in(raw: &str) -> Vec<(String, usize)> {
    let b = raw.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut in_single = false;
    while i < b.len() {
        match b[i] {
            b'\\' if !in_single => i += 1,
            b'\'' => in_single = !in_single,
            b'$' if !in_single && b.get(i + 1) == Some(&b'(') && b.get(i + 2) != Some(&b'(') => {
                let start = i + 2;
                let mut depth = 1;
                let mut j = start;
                let mut q: Option<u8> = None;
                while j < b.len() && depth > 0 {
                    match (q, b[j]) {
                        (None, b'\'' | b'"') => q = Some(b[j]),
                        (Some(c), x) if c == x => q = None,
                        (None, b'(') => depth += 1,
                        (None, b')') => depth -= 1,
                        (_, b'\\') => j += 1,
                        _ => {}
                    }
                    j += 1;
                }
                if depth == 0 {
                    out.push((raw[start..j - 1].to_string(), start));
                }
                i = j;
                continue;
            }
            b'`' if !in_single => {
                if let Some(end) = raw[i + 1..].find('`') {
                    out.push((raw[i + 1..i + 1 + end].to_string(), i + 1));
                    i += end + 2;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// Keep the message of a panic inside brush-parser (which `brush_parse` catches and answers with
/// the fallback reader) off standard error; every other panic goes to the hook there was.
pub fn quiet_brush_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if info.location().is_some_and(|l| l.file().contains("brush-parser")) {
                return;
            }
            previous(info)
        }));
    });
}

fn parse_at(text: &str, base: usize, depth: u32) -> Vec<Command> {
    match brush_parse(text, base, depth) {
        Some(c) => c,
        None => fallback(text, base),
    }
}

fn brush_parse(text: &str, base: usize, depth: u32) -> Option<Vec<Command>> {
    if guard::brush_mishandles(text) {
        return None;
    }
    let opts = brush_parser::ParserOptions { sh_mode: false, ..Default::default() };
    // brush-parser panics on some inputs no guard knows yet (found by fuzzing): the fallback
    // reader takes those too (`quiet_brush_panics` keeps the message off standard error)
    let program = std::panic::catch_unwind(|| {
        let tokens = brush_parser::tokenize_str_with_options(text, &opts.tokenizer_options()).ok()?;
        brush_parser::parse_tokens(&tokens, &opts).ok()
    })
    .ok()??;
    let char_bytes = (!text.is_ascii()).then(|| {
        let mut v: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        v.push(text.len());
        v
    });
    let mut w = Walker { text, char_bytes, base, out: Vec::new(), depth };
    for cc in &program.complete_commands {
        w.list(cc, depth > 0, false);
    }
    Some(w.out)
}

/// Words that make a script more than a list of simple commands.
const KEYWORDS: &[&str] = &[
    "if", "then", "else", "elif", "fi", "for", "while", "until", "do", "done", "case", "esac", "function", "select",
    "time", "[[", "]]", "!", "{", "}", "coproc",
];

/// Is the script only simple commands joined by `&&`, `||`, `;`, `|`, `&` and newlines, with
/// quotes, escapes, `$VAR`/`${VAR}` and redirections? Those need no grammar: the splitter below
/// gives what the parser gives (a corpus test checks it).
fn is_simple(text: &str) -> bool {
    let b = text.as_bytes();
    let mut q: Option<u8> = None;
    let mut at_word_start = true;
    let mut word_start = 0;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match q {
            Some(qc) => {
                if c == b'\\' && qc == b'"' {
                    i += 2;
                    continue;
                }
                if qc == b'"' && (c == b'`' || (c == b'$' && b.get(i + 1) == Some(&b'('))) {
                    return false;
                }
                if c == qc {
                    q = None;
                }
            }
            None => match c {
                b'\'' | b'"' => q = Some(c),
                b'\\' => i += 1,
                b'(' | b')' | b'`' | b'#' => return false,
                b'$' if b.get(i + 1) == Some(&b'(') => return false,
                b'<' if b.get(i + 1) == Some(&b'<') => return false,
                b' ' | b'\t' | b'\n' | b';' | b'&' | b'|' => {
                    if !at_word_start && KEYWORDS.contains(&&text[word_start..i]) {
                        return false;
                    }
                    at_word_start = true;
                    i += 1;
                    continue;
                }
                _ => {}
            },
        }
        if at_word_start {
            at_word_start = false;
            word_start = i;
        }
        i += 1;
    }
    q.is_none() && (at_word_start || !KEYWORDS.contains(&&text[word_start..]))
}

/// Quote-aware split into simple commands on `&&`, `||`, `;`, `|`, `&` and newlines, then into
/// words on blanks; redirections and their targets are dropped, leading `NAME=value` words become
/// assignments. Exact for scripts `is_simple` accepts; a best effort for the rest.
fn fallback(text: &str, base: usize) -> Vec<Command> {
    let b = text.as_bytes();
    let mut commands: Vec<Command> = Vec::new();
    let mut words: Vec<Word> = Vec::new();
    let mut word_start: Option<usize> = None;
    let mut q: Option<u8> = None;
    let mut op = Op::Start;
    let mut conditional = false;
    let mut paren = 0i32;
    // a redirection operator was seen: the next word is its target, not an argument
    let mut skip_next_word = false;
    // the operator writes (`>`, `>>`, `&>`), and the targets of the command so far, with their end
    let mut target_written = false;
    let mut targets: Vec<(String, usize)> = Vec::new();
    let flush_word = |words: &mut Vec<Word>,
                      ws: &mut Option<usize>,
                      end: usize,
                      skip: &mut bool,
                      written: &mut bool,
                      targets: &mut Vec<(String, usize)>| {
        if let Some(s) = ws.take() {
            let raw = &text[s..end];
            if std::mem::take(skip) {
                targets.push((if std::mem::take(written) { unquote(raw) } else { String::new() }, base + end));
                return;
            }
            words.push(Word { text: unquote(raw), raw: raw.to_string(), start: base + s, end: base + end });
        }
    };
    let flush_cmd = |commands: &mut Vec<Command>,
                     words: &mut Vec<Word>,
                     op: Op,
                     conditional: bool,
                     targets: &mut Vec<(String, usize)>| {
        let mut assignments = Vec::new();
        while words.first().is_some_and(|w| w.raw.split_once('=').is_some_and(|(n, _)| is_name(n))) {
            let w = words.remove(0);
            let (n, v) = w.text.split_once('=').unwrap_or_default();
            assignments.push((n.to_string(), v.to_string()));
        }
        if !words.is_empty() {
            let (start, end) = (words[0].start, words[words.len() - 1].end);
            let full_end = targets.iter().map(|t| t.1).max().unwrap_or(end).max(end);
            let writes = targets.iter().filter(|t| !t.0.is_empty()).map(|t| t.0.clone()).collect();
            commands.push(Command {
                words: std::mem::take(words),
                assignments,
                start,
                end,
                op,
                nested: false,
                conditional,
                writes,
                full_end,
            });
        }
        words.clear();
        targets.clear();
    };
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if let Some(qc) = q {
            if c == b'\\' && qc == b'"' {
                i += 2;
                continue;
            }
            if c == qc {
                q = None;
            }
            i += 1;
            continue;
        }
        match c {
            b'\'' | b'"' => {
                word_start.get_or_insert(i);
                q = Some(c);
            }
            b'\\' => {
                word_start.get_or_insert(i);
                i += 1;
            }
            b'(' => {
                paren += 1;
                word_start.get_or_insert(i);
            }
            b')' => {
                paren -= 1;
                word_start.get_or_insert(i);
            }
            b'<' | b'>' if paren <= 0 => {
                // `2>`: digits before the operator name the descriptor
                if let Some(s) = word_start {
                    if text[s..i].bytes().all(|d| d.is_ascii_digit()) {
                        word_start = None;
                    } else {
                        flush_word(
                            &mut words,
                            &mut word_start,
                            i,
                            &mut skip_next_word,
                            &mut target_written,
                            &mut targets,
                        );
                    }
                }
                let mut j = i + 1;
                while j < b.len() && matches!(b[j], b'>' | b'<' | b'|') {
                    j += 1;
                }
                if b.get(j) == Some(&b'&') {
                    // `>&2`, `2>&1`, `>&-`: the target belongs to the operator
                    j += 1;
                    while j < b.len() && (b[j].is_ascii_digit() || b[j] == b'-') {
                        j += 1;
                    }
                } else {
                    skip_next_word = true;
                    target_written = c == b'>' || text[i..j].contains('>');
                }
                i = j;
                continue;
            }
            b'&' if paren <= 0 && b.get(i + 1) == Some(&b'>') => {
                // `&>file`, `&>>file`
                flush_word(&mut words, &mut word_start, i, &mut skip_next_word, &mut target_written, &mut targets);
                i += 2;
                if b.get(i) == Some(&b'>') {
                    i += 1;
                }
                skip_next_word = true;
                target_written = true;
                continue;
            }
            b' ' | b'\t' if paren <= 0 => {
                flush_word(&mut words, &mut word_start, i, &mut skip_next_word, &mut target_written, &mut targets)
            }
            b';' | b'\n' | b'&' | b'|' if paren <= 0 => {
                flush_word(&mut words, &mut word_start, i, &mut skip_next_word, &mut target_written, &mut targets);
                let next_op = match (c, b.get(i + 1)) {
                    (b'&', Some(b'&')) => {
                        i += 1;
                        Op::And
                    }
                    (b'|', Some(b'|')) => {
                        i += 1;
                        Op::Or
                    }
                    (b'|', _) => Op::Pipe,
                    (b'&', _) => Op::Background,
                    _ => Op::Seq,
                };
                let before = commands.len();
                flush_cmd(&mut commands, &mut words, op, conditional, &mut targets);
                match next_op {
                    Op::Background => {
                        // like `;`, but the command before it runs in the background
                        if commands.len() > before {
                            if let Some(last) = commands.last_mut() {
                                last.op = Op::Background;
                            }
                        }
                        conditional = false;
                        op = Op::Seq;
                    }
                    Op::Seq => {
                        // a newline starts a new complete command, as in the parser's result
                        conditional = false;
                        op = if commands.is_empty() || c == b'\n' { Op::Start } else { Op::Seq };
                    }
                    other => {
                        conditional |= other == Op::Or;
                        op = other;
                    }
                }
            }
            _ => {
                word_start.get_or_insert(i);
            }
        }
        i += 1;
    }
    flush_word(&mut words, &mut word_start, text.len(), &mut skip_next_word, &mut target_written, &mut targets);
    flush_cmd(&mut commands, &mut words, op, conditional, &mut targets);
    commands
}

fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// How deeply a script nests: brackets (`( )`, `{ }`, `$( )`, `${ }`) and compound commands
/// (`if`/`fi`, `do`/`done`, `case`/`esac`), quotes roughly skipped. An upper bound is enough: it
/// only decides whether the grammar parser (which recurses) may see the script.
fn nesting(text: &str) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    let mut quote: Option<char> = None;
    let mut word = String::new();
    let close_word = |w: &mut String, depth: &mut usize| {
        match w.as_str() {
            "if" | "do" | "case" => *depth += 1,
            "fi" | "done" | "esac" => *depth = depth.saturating_sub(1),
            _ => {}
        }
        w.clear();
    };
    let mut prev = ' ';
    for ch in text.chars() {
        match quote {
            Some(q) if ch == q => quote = None,
            // `"$(...)"` nests inside double quotes too
            Some('"') if prev == '$' && (ch == '(' || ch == '{') => depth += 1,
            Some('"') if ch == ')' || ch == '}' => depth = depth.saturating_sub(1),
            Some(_) => {}
            None => match ch {
                '\'' | '"' | '`' => quote = Some(ch),
                '(' | '{' => {
                    close_word(&mut word, &mut depth);
                    depth += 1;
                }
                ')' | '}' => {
                    close_word(&mut word, &mut depth);
                    depth = depth.saturating_sub(1);
                }
                c if c.is_alphanumeric() || c == '_' => word.push(c),
                _ => close_word(&mut word, &mut depth),
            },
        }
        prev = ch;
        max = max.max(depth);
    }
    close_word(&mut word, &mut depth);
    max.max(depth)
}

/// Parse a shell script (a RUN body or a heredoc script).
pub fn parse_script(text: &str) -> Script {
    if is_simple(text) {
        return Script { text: text.to_string(), commands: fallback(text, 0), parsed_by: ParsedBy::Simple };
    }
    if nesting(text) > crate::limits::MAX_NESTING {
        // deeper than any real script: the grammar parser would recurse that deep
        return Script { text: text.to_string(), commands: fallback(text, 0), parsed_by: ParsedBy::Fallback };
    }
    if let Some(s) = parsed_before(text) {
        return s;
    }
    let script = match brush_parse(text, 0, 0) {
        Some(commands) => Script { text: text.to_string(), commands, parsed_by: ParsedBy::Brush },
        None => Script { text: text.to_string(), commands: fallback(text, 0), parsed_by: ParsedBy::Fallback },
    };
    remember(&script);
    script
}

/// Scripts the grammar parser already read in this process: one analysis parses the same RUN
/// several times (lint, the estimate, the rewrite planner, the rewrite's own estimate), and a
/// copy is far cheaper than a parse. Bounded: past the budget nothing more is kept.
static PARSED: std::sync::Mutex<Option<(usize, std::collections::HashMap<String, Script>)>> =
    std::sync::Mutex::new(None);
const PARSED_BUDGET: usize = 32 << 20;

fn parsed_before(text: &str) -> Option<Script> {
    let g = PARSED.lock().unwrap_or_else(|e| e.into_inner());
    g.as_ref()?.1.get(text).cloned()
}

fn remember(script: &Script) {
    let mut g = PARSED.lock().unwrap_or_else(|e| e.into_inner());
    let (used, map) = g.get_or_insert_with(Default::default);
    let cost = script.text.len() * 4 + 256;
    if *used + cost <= PARSED_BUDGET {
        *used += cost;
        map.insert(script.text.clone(), script.clone());
    }
}

/// Parse with brush-parser only (for tests that check the fast path against it).
#[doc(hidden)]
pub fn parse_script_brush(text: &str) -> Option<Script> {
    brush_parse(text, 0, 0).map(|commands| Script { text: text.to_string(), commands, parsed_by: ParsedBy::Brush })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(s: &Script) -> Vec<(String, Op, bool)> {
        s.commands.iter().map(|c| (c.name().to_string(), c.op, c.nested)).collect()
    }

    #[test]
    fn lists_pipes_and_nesting() {
        let s = parse_script(
            "apt-get update && apt-get install -y curl || true; cat x | grep y\n(cd /a && make) & echo $(ls /b)",
        );
        assert_eq!(s.parsed_by, ParsedBy::Brush);
        assert_eq!(parse_script("apt-get update && apt-get install -y curl").parsed_by, ParsedBy::Simple);
        let n = names(&s);
        assert_eq!(
            n,
            [
                ("apt-get".into(), Op::Start, false),
                ("apt-get".into(), Op::And, false),
                ("true".into(), Op::Or, false),
                ("cat".into(), Op::Seq, false),
                ("grep".into(), Op::Pipe, false),
                ("cd".into(), Op::Start, true),
                ("make".into(), Op::And, true),
                ("echo".into(), Op::Seq, false),
                ("ls".into(), Op::Start, true),
            ]
        );
        let ls = &s.commands[8];
        assert_eq!(&s.text[ls.start..ls.end], "ls /b");
    }

    #[test]
    fn commands_in_a_rerendered_word_keep_their_source_spans() {
        // brush-parser gives this word's value as `f(){ echo ...;}`: spans come from the source
        let t = r#"x "${B//$(case "$X" in a) f() { echo `apt-get install -y gcc`; } ;; esac)/app}""#;
        let s = parse_script(t);
        let c = s.commands.iter().find(|c| c.name() == "apt-get").unwrap();
        assert_eq!(&t[c.start..c.end], "apt-get install -y gcc");
        assert!(c.words.iter().all(|w| t[w.start..w.end] == w.raw));
    }

    #[test]
    fn words_are_unquoted_with_spans() {
        let s = parse_script("DEBIAN_FRONTEND=noninteractive apt-get install -y 'a b' \"c\\\"d\" é && ls");
        let c = &s.commands[0];
        assert_eq!(c.assignments, [("DEBIAN_FRONTEND".to_string(), "noninteractive".to_string())]);
        assert_eq!(
            c.words.iter().map(|w| w.text.as_str()).collect::<Vec<_>>(),
            ["apt-get", "install", "-y", "a b", "c\"d", "é"]
        );
        assert_eq!(&s.text[c.words[5].start..c.words[5].end], "é");
        assert_eq!(&s.text[s.commands[1].start..s.commands[1].end], "ls");
    }

    #[test]
    fn flags_and_wrappers() {
        let s = parse_script(
            "sudo -E env A=1 apt-get -qy install --no-install-recommends -o Dpkg::Options::=--force-confnew gcc",
        );
        let c = s.commands[0].unwrapped();
        assert_eq!(c.name(), "apt-get");
        assert!(c.has_flag(&["-y"]) && c.has_flag(&["--no-install-recommends"]) && !c.has_flag(&["-f"]));
        assert_eq!(crate::dockerfile::tools::subcommand(&c), Some("install"));
        let words = crate::dockerfile::tools::positionals(&c);
        assert_eq!(words.iter().map(|w| w.text.as_str()).collect::<Vec<_>>(), ["install", "gcc"]);
        assert_eq!(c.flag_value(&["-o"]), Some("Dpkg::Options::=--force-confnew"));
    }

    #[test]
    fn fallback_when_brush_rejects() {
        let s = parse_script("A=$(case x in a) echo 1;; esac) && apt-get install -y gcc");
        assert!(s.commands.iter().any(|c| c.name() == "apt-get" && c.op == Op::And));
    }

    #[test]
    fn conditional_branches() {
        let s = parse_script("if [ -f x ]; then rm -rf /var/lib/apt/lists/*; fi; make || rm -rf y");
        let rm: Vec<bool> = s.commands.iter().filter(|c| c.name() == "rm").map(|c| c.conditional).collect();
        assert_eq!(rm, [true, true]);
    }

    #[test]
    fn unquoting() {
        assert_eq!(unquote(r#"'a\b'"c\"d\x"e\ f"#), r#"a\bc"d\xe f"#);
    }
}
