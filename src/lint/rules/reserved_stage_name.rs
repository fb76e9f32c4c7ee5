use crate::lint::context::diagnostic;
use crate::lint::{Category, Context, Diagnostic, Rule, RuleMeta, Severity};

/// ## What it does
/// Finds stages named `scratch` or `context`.
///
/// ## Why is this bad?
/// Both words mean something else to the builder (`FROM scratch`, the named build context), so
/// references to the stage are ambiguous.
///
/// ## Example
/// ```dockerfile
/// FROM alpine AS scratch
/// ```
///
/// ## Use instead
/// ```dockerfile
/// FROM alpine AS base
/// ```
pub struct ReservedStageName;

const META: RuleMeta = RuleMeta {
    name: "reserved-stage-name",
    severity: Severity::Error,
    category: Category::Correctness,
    aliases: &["ReservedStageName"],
    summary: "a stage named scratch or context",
    fix: None,
};

impl Rule for ReservedStageName {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn check_file(&self, cx: &Context, out: &mut Vec<Diagnostic>) {
        for st in &cx.model.stages {
            if let (Some(n), Some(t)) = (&st.name, &st.name_token) {
                if n == "scratch" || n == "context" {
                    out.push(diagnostic(&META, t.span, format!("{n:?} is reserved and should not be a stage name")));
                }
            }
        }
    }
}
