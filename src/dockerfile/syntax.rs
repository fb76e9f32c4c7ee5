//! The lossless syntax tree.
//!
//! Every byte of the source belongs to exactly one [`Item`]: blank lines, comments, parser
//! directives and instructions (an instruction owns its continuation lines, the comments and empty
//! lines inside them, and its heredoc bodies). Tokens inside an instruction carry byte spans into
//! the source, so a fix or a rewrite can replace a span and leave every other byte alone.

use serde::Serialize;

/// A byte range `[start, end)` into [`Dockerfile::source`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }
    pub fn len(&self) -> usize {
        self.end - self.start
    }
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
    pub fn contains(&self, other: Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }
}

/// A word with the value BuildKit gives it and where it was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Token {
    /// The value as BuildKit's parser produces it (quotes kept where BuildKit keeps them).
    pub text: String,
    pub span: Span,
}

/// The arguments of an instruction, in the shapes BuildKit's line parsers produce.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Args {
    /// No argument node at all (e.g. `CMD` with nothing after it).
    None,
    /// A plain list: shell-form command, JSON array elements, whitespace-separated words.
    Values { values: Vec<Token> },
    /// ENV and LABEL: `k=v` pairs, or one legacy `k v` pair.
    Pairs { pairs: Vec<Pair>, legacy: bool },
    /// ONBUILD's trigger instruction.
    Sub { node: Box<Node> },
    /// An unknown instruction: BuildKit keeps one empty argument.
    Ignored,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pair {
    pub key: Token,
    pub value: Token,
}

/// One parsed line: keyword, flags and arguments (what BuildKit's AST node holds).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Node {
    /// The keyword as written (`run`, `RUN`, `Run`...).
    pub keyword: Token,
    /// Flags as BuildKit extracts them (quotes removed), e.g. `--mount=type=cache,target=/x`.
    pub flags: Vec<Token>,
    pub args: Args,
    /// Exec (JSON array) form.
    pub json: bool,
}

impl Node {
    /// The keyword in lower case (`run`, `copy`, ...).
    pub fn name(&self) -> String {
        self.keyword.text.to_ascii_lowercase()
    }

    /// BuildKit's value list (`node.Next` chain), without the ENV/LABEL separators.
    pub fn values(&self) -> Vec<&Token> {
        match &self.args {
            Args::None | Args::Ignored => Vec::new(),
            Args::Values { values } => values.iter().collect(),
            Args::Pairs { pairs, .. } => pairs.iter().flat_map(|p| [&p.key, &p.value]).collect(),
            Args::Sub { node } => node.values(),
        }
    }

    /// Value strings, with the empty argument BuildKit keeps for unknown instructions.
    pub fn value_strings(&self) -> Vec<String> {
        match &self.args {
            Args::Ignored => vec![String::new()],
            Args::Sub { node } => node.value_strings(),
            _ => self.values().into_iter().map(|t| t.text.clone()).collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Heredoc {
    /// The delimiter word with quotes removed.
    pub name: String,
    pub file_descriptor: u32,
    /// False when any part of the delimiter was quoted (`<<'EOF'`): no variable expansion.
    pub expand: bool,
    /// `<<-`: leading tabs are stripped from the body and the terminator.
    pub chomp: bool,
    /// The body exactly as written, terminator excluded.
    pub content: String,
    /// Where the body lines are.
    pub body: Span,
    /// The terminator line.
    pub terminator: Span,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Instruction {
    /// All bytes of the instruction, from the first byte of its first line to the newline ending
    /// its last line (continuations, inner comments and heredoc bodies included).
    pub span: Span,
    pub start_line: usize,
    pub end_line: usize,
    pub node: Node,
    pub heredocs: Vec<Heredoc>,
    /// The comment lines directly above the instruction (BuildKit's `PrevComment`).
    pub comments: Vec<String>,
    /// Spans of comment lines inside a continuation.
    pub inner_comments: Vec<Span>,
    /// The logical line after continuations are joined (BuildKit's `Original`).
    pub original: String,
    /// A continuation contained an empty line (BuildKit warns: NoEmptyContinuation).
    pub empty_continuation: bool,
    /// Where each piece of `original` comes from: (offset in `original`, offset in the source).
    pub pieces: Vec<(usize, usize)>,
}

impl Instruction {
    pub fn name(&self) -> String {
        self.node.name()
    }
    /// The keyword as written.
    pub fn keyword(&self) -> &str {
        &self.node.keyword.text
    }
    /// The source offset of a byte offset in `original`.
    pub fn source_offset(&self, logical: usize) -> usize {
        let i = self.pieces.partition_point(|&(l, _)| l <= logical);
        match i {
            0 => self.span.start,
            _ => {
                let (l, s) = self.pieces[i - 1];
                s + (logical - l)
            }
        }
    }

    /// The offset in `original` of a source offset that lies in it.
    pub fn logical_offset(&self, source: usize) -> Option<usize> {
        let i = self.pieces.partition_point(|&(_, s)| s <= source);
        let (l, s) = *self.pieces.get(i.checked_sub(1)?)?;
        let end = self.pieces.get(i).map_or(self.original.len(), |p| p.0);
        (l + (source - s) <= end).then_some(l + (source - s))
    }

    /// For ONBUILD, the trigger; otherwise the instruction's own node.
    pub fn effective_node(&self) -> &Node {
        match &self.node.args {
            Args::Sub { node } => node,
            _ => &self.node,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Directive {
    /// Lower-cased name: `syntax`, `escape` or `check`.
    pub name: String,
    pub value: String,
    pub line: usize,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Item {
    Blank { span: Span },
    Comment { span: Span },
    Directive(Directive),
    Instruction(Box<Instruction>),
}

impl Item {
    pub fn span(&self) -> Span {
        match self {
            Item::Blank { span } | Item::Comment { span } => *span,
            Item::Directive(d) => d.span,
            Item::Instruction(i) => i.span,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    pub line: usize,
    pub message: String,
}

/// A parsed Dockerfile: the source text and its lossless item list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dockerfile {
    /// The text, as decoded (invalid UTF-8 sequences became U+FFFD; see `lossy`).
    pub source: String,
    /// The input was not valid UTF-8. Spans index `source`, which then differs from the input.
    pub lossy: bool,
    /// The file starts with a UTF-8 byte order mark.
    pub bom: bool,
    pub escape: char,
    pub directives: Vec<Directive>,
    pub items: Vec<Item>,
    pub warnings: Vec<Warning>,
}

impl Dockerfile {
    pub fn instructions(&self) -> impl Iterator<Item = &Instruction> {
        self.items.iter().filter_map(|i| match i {
            Item::Instruction(ins) => Some(&**ins),
            _ => None,
        })
    }

    /// The text of a span.
    pub fn text(&self, span: Span) -> &str {
        &self.source[span.start..span.end]
    }

    /// Re-emit the file from its items: equal to `source` byte for byte.
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(self.source.len());
        for item in &self.items {
            out.push_str(self.text(item.span()));
        }
        out
    }

    /// 1-based line and column of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.source.len());
        let before = &self.source[..offset];
        let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = self.source[line_start..offset].chars().count() + 1;
        (line, col)
    }

    /// Each instruction's span, in order, for [`instruction_at`].
    pub fn instruction_spans(&self) -> Vec<(usize, usize)> {
        self.instructions().map(|i| (i.span.start, i.span.end)).collect()
    }

    pub fn directive(&self, name: &str) -> Option<&Directive> {
        self.directives.iter().find(|d| d.name == name)
    }
}

/// The index of the instruction whose span holds `offset` (`spans` from
/// [`Dockerfile::instruction_spans`]); a binary search, so many findings stay linear.
pub fn instruction_at(spans: &[(usize, usize)], offset: usize) -> Option<usize> {
    let i = spans.partition_point(|&(start, _)| start <= offset).checked_sub(1)?;
    let (start, end) = spans[i];
    (offset < end.max(start + 1)).then_some(i)
}
