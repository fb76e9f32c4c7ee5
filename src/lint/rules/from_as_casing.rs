use crate::lint::context::diagnostic;
use crate::lint::{Applicability, Category, Context, Diagnostic, Edit, Rule, RuleMeta, Severity};

/// ## What it does
/// Finds `FROM ... as name` where the case of `as` differs from the case of `FROM`.
///
/// ## Why is this bad?
/// Mixed casing reads like a typo; Docker's build checks warn about it.
///
/// ## Example
/// ```dockerfile
/// FROM golang:1.22 as build
/// ```
///
/// ## Use instead
/// ```dockerfile
/// FROM golang:1.22 AS build
/// ```
pub struct FromAsCasing;

const META: RuleMeta = RuleMeta {
    name: "from-as-casing",
    severity: Severity::Style,
    category: Category::Style,
    aliases: &["FromAsCasing"],
    summary: "the case of AS does not match FROM",
    fix: Some("Match the case of FROM"),
};

impl Rule for FromAsCasing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn check_file(&self, cx: &Context, out: &mut Vec<Diagnostic>) {
        for st in &cx.model.stages {
            let Some(as_tok) = &st.as_token else { continue };
            let from = cx.instructions[st.instruction].keyword();
            let want = if from == from.to_uppercase() {
                "AS"
            } else if from == from.to_lowercase() {
                "as"
            } else {
                continue;
            };
            if as_tok.text != want {
                out.push(
                    diagnostic(
                        &META,
                        as_tok.span,
                        format!("'{}' keyword should match the case of '{from}'", as_tok.text),
                    )
                    .with_fix(
                        META.fix.unwrap_or_default(),
                        Applicability::Safe,
                        vec![Edit { span: as_tok.span, text: want.into() }],
                    ),
                );
            }
        }
    }
}
