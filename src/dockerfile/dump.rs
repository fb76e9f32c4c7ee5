//! BuildKit's own views of a parsed Dockerfile: the S-expression `Dump` its parser tests use, and
//! the per-instruction record the `dockerfile` Python package (BuildKit's parser) exposes.

use super::syntax::{Args, Dockerfile, Instruction, Node};
use super::text::go_quote;
use serde::Serialize;

/// One instruction as BuildKit's parser reports it, plus imgslim's spans.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Record {
    /// Keyword as written.
    pub cmd: String,
    /// ONBUILD's trigger keyword.
    pub sub_cmd: Option<String>,
    /// Exec (JSON) form.
    pub json: bool,
    /// The logical line (continuations joined).
    pub original: String,
    pub start_line: usize,
    pub end_line: usize,
    /// Flags as written (quotes removed), e.g. `--mount=type=cache,target=/x`.
    pub flags: Vec<String>,
    /// BuildKit's argument list (ENV/LABEL without separators).
    pub value: Vec<String>,
    pub heredocs: Vec<RecordHeredoc>,
    /// The flags of ONBUILD's trigger (BuildKit keeps them on the inner node).
    pub sub_flags: Vec<String>,
    /// Byte range of the whole instruction in the file.
    pub span: [usize; 2],
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordHeredoc {
    pub name: String,
    pub content: String,
    pub file_descriptor: u32,
    pub expand: bool,
    pub chomp: bool,
}

pub fn record(ins: &Instruction) -> Record {
    let node = &ins.node;
    let (sub_cmd, sub_flags) = match &node.args {
        Args::Sub { node } => (Some(node.keyword.text.clone()), node.flags.iter().map(|f| f.text.clone()).collect()),
        _ => (None, Vec::new()),
    };
    Record {
        cmd: node.keyword.text.clone(),
        sub_cmd,
        json: ins.effective_node().json,
        original: ins.original.clone(),
        start_line: ins.start_line,
        end_line: ins.end_line,
        flags: node.flags.iter().map(|f| f.text.clone()).collect(),
        value: node.value_strings(),
        heredocs: ins
            .heredocs
            .iter()
            .map(|h| RecordHeredoc {
                name: h.name.clone(),
                content: h.content.clone(),
                file_descriptor: h.file_descriptor,
                expand: h.expand,
                chomp: h.chomp,
            })
            .collect(),
        sub_flags,
        span: [ins.span.start, ins.span.end],
    }
}

pub fn records(df: &Dockerfile) -> Vec<Record> {
    df.instructions().map(record).collect()
}

/// BuildKit's `Node.Dump` of one instruction. Current BuildKit shows the separator of each ENV and
/// LABEL pair (`"="`, or `""` for the legacy `k v` form); BuildKit before 2024 did not
/// (`separators: false`).
pub fn dump_node(node: &Node, separators: bool) -> String {
    let mut s = node.keyword.text.to_lowercase();
    if !node.flags.is_empty() {
        let flags: Vec<String> = node.flags.iter().map(|f| go_quote(&f.text)).collect();
        s.push_str(&format!(" [{}]", flags.join(" ")));
    }
    match &node.args {
        Args::None => {}
        Args::Ignored => s.push_str(" \"\""),
        Args::Values { values } => values.iter().for_each(|v| {
            s.push(' ');
            s.push_str(&go_quote(&v.text));
        }),
        Args::Pairs { pairs, legacy } => {
            let sep = if *legacy { "" } else { "=" };
            for p in pairs {
                s.push_str(&format!(" {} {}", go_quote(&p.key.text), go_quote(&p.value.text)));
                if separators {
                    s.push_str(&format!(" {}", go_quote(sep)));
                }
            }
        }
        Args::Sub { node } => s.push_str(&format!(" ({})", dump_node(node, separators))),
    }
    s.trim().to_string()
}

/// The whole file as BuildKit's parser test `result` files show it: one `(...)` line per instruction.
pub fn dump(df: &Dockerfile, separators: bool) -> String {
    df.instructions().map(|i| format!("({})\n", dump_node(&i.node, separators))).collect()
}
