use crate::lint::context::diagnostic;
use crate::lint::{Category, Context, Diagnostic, Rule, RuleMeta, Severity};

/// ## What it does
/// Finds `FROM --platform=$TARGETPLATFORM`.
///
/// ## Why is this bad?
/// Building for the target platform is what FROM does anyway; the flag adds noise.
///
/// ## Example
/// ```dockerfile
/// FROM --platform=$TARGETPLATFORM alpine
/// ```
///
/// ## Use instead
/// ```dockerfile
/// FROM alpine
/// ```
pub struct RedundantTargetPlatform;

const META: RuleMeta = RuleMeta {
    name: "redundant-target-platform",
    severity: Severity::Info,
    category: Category::Style,
    aliases: &["RedundantTargetPlatform"],
    summary: "FROM --platform=$TARGETPLATFORM is the default",
    fix: None,
};

impl Rule for RedundantTargetPlatform {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn check_file(&self, cx: &Context, out: &mut Vec<Diagnostic>) {
        for st in &cx.model.stages {
            if matches!(st.platform.as_deref(), Some("$TARGETPLATFORM" | "${TARGETPLATFORM}")) {
                out.push(diagnostic(
                    &META,
                    cx.first_line_span(st.instruction),
                    "setting platform to $TARGETPLATFORM in FROM is redundant: it is the default",
                ));
            }
        }
    }
}
