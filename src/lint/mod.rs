//! Size-aware Dockerfile lint: rules (one per file in `rules/`, their doc comment is their
//! documentation), one code table (`codes.rs`), a checker that runs each rule on the instruction
//! kinds it registered for, suppressions, and fixes as span edits.

mod checker;
pub mod codes;
pub mod context;
pub mod fix;
pub mod rules;
pub mod suppress;

pub use checker::{lint, LintResult};
pub use context::{At, Context, Settings};

use crate::dockerfile::Span;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Style,
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn parse(s: &str) -> Option<Severity> {
        match s.to_ascii_lowercase().as_str() {
            "style" => Some(Severity::Style),
            "info" => Some(Severity::Info),
            "warning" | "warn" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Style => "style",
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    Size,
    Cache,
    Security,
    Correctness,
    Style,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Size => "size",
            Category::Cache => "cache",
            Category::Security => "security",
            Category::Correctness => "correctness",
            Category::Style => "style",
        }
    }
}

/// What a rule is: its code comes from the code table, everything else from here.
#[derive(Debug)]
pub struct RuleMeta {
    /// kebab-case name; the doc comment of the rule's struct is found by it.
    pub name: &'static str,
    pub severity: Severity,
    pub category: Category,
    /// The same check in hadolint (`DL3008`) or Docker's build checks (`JSONArgsRecommended`).
    pub aliases: &'static [&'static str],
    /// One line: what the rule finds.
    pub summary: &'static str,
    /// The title of its fix, if it has one.
    pub fix: Option<&'static str>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Applicability {
    /// Shown, never applied automatically.
    DisplayOnly,
    /// Applied with `--unsafe-fixes`: may change what the image does.
    Unsafe,
    /// Applied with `--fix`: keeps the image's behaviour.
    Safe,
}

/// Replace the bytes of `span` with `text`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Edit {
    pub span: Span,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fix {
    pub title: String,
    pub applicability: Applicability,
    pub edits: Vec<Edit>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diagnostic {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub category: Category,
    pub message: String,
    pub span: Span,
    /// For size findings: the bytes the finding likely costs.
    pub estimated_bytes: Option<u64>,
    /// How `estimated_bytes` was estimated.
    pub estimate: Option<String>,
    /// With `analyze Dockerfile --image`: what the layer of the finding's line measures.
    pub measured_bytes: Option<u64>,
    pub fix: Option<Fix>,
}

impl Diagnostic {
    pub fn with_estimate(mut self, bytes: u64, how: impl Into<String>) -> Self {
        self.estimated_bytes = Some(bytes);
        self.estimate = Some(how.into());
        self
    }

    pub fn with_fix(mut self, title: impl Into<String>, applicability: Applicability, edits: Vec<Edit>) -> Self {
        self.fix = Some(Fix { title: title.into(), applicability, edits });
        self
    }
}

/// A lint rule. Rules are stateless; state across instructions is computed from the context.
pub trait Rule: Sync {
    fn meta(&self) -> &'static RuleMeta;

    /// Instruction keywords (lower case) whose commands `check` sees.
    fn kinds(&self) -> &'static [&'static str] {
        &[]
    }

    /// Look at one command of a kind the rule registered for.
    fn check(&self, _cx: &Context, _at: &At, _out: &mut Vec<Diagnostic>) {}

    /// Look at the whole file once, after every command was checked.
    fn check_file(&self, _cx: &Context, _out: &mut Vec<Diagnostic>) {}
}

mod docs {
    include!(concat!(env!("OUT_DIR"), "/rule_docs.rs"));
}

/// The documentation of a rule (its doc comment).
pub fn docs(name: &str) -> Option<&'static str> {
    docs::RULE_DOCS.iter().find(|(n, _)| *n == name).map(|(_, d)| *d)
}
