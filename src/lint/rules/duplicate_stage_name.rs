use crate::lint::context::diagnostic;
use crate::lint::{Category, Context, Diagnostic, Rule, RuleMeta, Severity};

/// ## What it does
/// Finds two stages with the same name (names compare case-insensitively).
///
/// ## Why is this bad?
/// BuildKit refuses the file; older builders silently use one of the stages for
/// `COPY --from` and `--target`.
///
/// ## Example
/// ```dockerfile
/// FROM golang:1.22 AS build
/// FROM node:20 AS build
/// ```
///
/// ## Use instead
/// ```dockerfile
/// FROM golang:1.22 AS build-api
/// FROM node:20 AS build-web
/// ```
pub struct DuplicateStageName;

const META: RuleMeta = RuleMeta {
    name: "duplicate-stage-name",
    severity: Severity::Error,
    category: Category::Correctness,
    aliases: &["DL3024", "DuplicateStageName"],
    summary: "two stages with the same name",
    fix: None,
};

impl Rule for DuplicateStageName {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn check_file(&self, cx: &Context, out: &mut Vec<Diagnostic>) {
        for (i, st) in cx.model.stages.iter().enumerate() {
            let (Some(name), Some(tok)) = (&st.name, &st.name_token) else { continue };
            if let Some(first) = cx.model.stages[..i].iter().find(|s| s.name.as_ref() == Some(name)) {
                out.push(diagnostic(
                    &META,
                    tok.span,
                    format!("stage name {name:?} is already used on line {}", first.line),
                ));
            }
        }
    }
}
