use crate::lint::context::diagnostic;
use crate::lint::{Category, Context, Diagnostic, Rule, RuleMeta, Severity};

/// ## What it does
/// Finds a FROM whose image reference is empty or invalid with the global ARGs' default values
/// (for example `ARG TAG` without a default and `FROM alpine:${TAG}`).
///
/// ## Why is this bad?
/// A build without `--build-arg` fails, or pulls something unexpected.
///
/// ## Example
/// ```dockerfile
/// ARG TAG
/// FROM alpine:${TAG}
/// ```
///
/// ## Use instead
/// ```dockerfile
/// ARG TAG=3.19
/// FROM alpine:${TAG}
/// ```
pub struct InvalidDefaultArgInFrom;

const META: RuleMeta = RuleMeta {
    name: "invalid-default-arg-in-from",
    severity: Severity::Warning,
    category: Category::Correctness,
    aliases: &["InvalidDefaultArgInFrom"],
    summary: "FROM is invalid with the ARG defaults",
    fix: None,
};

fn valid_reference(r: &str) -> bool {
    if r.is_empty()
        || r.starts_with([':', '@', '/'])
        || r.ends_with([':', '@', '/'])
        || r.contains("//")
        || r.contains("::")
    {
        return false;
    }
    r.chars().all(|c| c.is_ascii_alphanumeric() || "._-/:@".contains(c))
}

impl Rule for InvalidDefaultArgInFrom {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn check_file(&self, cx: &Context, out: &mut Vec<Diagnostic>) {
        let Some(scope) = &cx.scope else { return };
        for st in &cx.model.stages {
            if !st.base.text.contains('$') {
                continue;
            }
            let Ok(expanded) = scope.base_image(st) else { continue };
            if !valid_reference(&expanded) {
                out.push(diagnostic(
                    &META,
                    st.base.span,
                    format!(
                        "with the default ARG values {} becomes {expanded:?}, not a valid image reference",
                        st.base.text
                    ),
                ));
            }
        }
    }
}
