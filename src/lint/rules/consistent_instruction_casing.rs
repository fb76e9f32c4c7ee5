use crate::lint::context::diagnostic;
use crate::lint::{Applicability, Category, Context, Diagnostic, Edit, Rule, RuleMeta, Severity};

/// ## What it does
/// Finds instruction keywords whose case differs from the file's majority (upper or lower case).
///
/// ## Why is this bad?
/// Consistent casing makes the file easier to read and search; Docker's build checks warn.
///
/// ## Example
/// ```dockerfile
/// FROM alpine
/// run echo hello
/// ```
///
/// ## Use instead
/// ```dockerfile
/// FROM alpine
/// RUN echo hello
/// ```
pub struct ConsistentInstructionCasing;

const META: RuleMeta = RuleMeta {
    name: "consistent-instruction-casing",
    severity: Severity::Style,
    category: Category::Style,
    aliases: &["ConsistentInstructionCasing"],
    summary: "instruction keyword casing is inconsistent",
    fix: Some("Use the file's casing"),
};

impl Rule for ConsistentInstructionCasing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn check_file(&self, cx: &Context, out: &mut Vec<Diagnostic>) {
        let kws: Vec<&crate::dockerfile::Token> = cx.instructions.iter().map(|i| &i.node.keyword).collect();
        let upper = kws.iter().filter(|k| k.text == k.text.to_uppercase()).count();
        let lower = kws.iter().filter(|k| k.text == k.text.to_lowercase()).count();
        let want_upper = upper >= lower;
        for k in kws {
            let want = if want_upper { k.text.to_uppercase() } else { k.text.to_lowercase() };
            if k.text != want {
                out.push(
                    diagnostic(
                        &META,
                        k.span,
                        format!(
                            "command '{}' should match the case of the command majority ({})",
                            k.text,
                            if want_upper { "uppercase" } else { "lowercase" }
                        ),
                    )
                    .with_fix(
                        META.fix.unwrap_or_default(),
                        Applicability::Safe,
                        vec![Edit { span: k.span, text: want }],
                    ),
                );
            }
        }
    }
}
