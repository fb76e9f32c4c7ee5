use crate::lint::context::diagnostic;
use crate::lint::{Applicability, Category, Context, Diagnostic, Edit, Rule, RuleMeta, Severity};

/// ## What it does
/// Finds stage names with upper-case letters.
///
/// ## Why is this bad?
/// Stage names are case-insensitive: BuildKit lower-cases them, so `COPY --from=Build` and
/// `--from=build` are the same stage and the written name misleads. The fix lower-cases the name
/// (references keep working, they match case-insensitively).
///
/// ## Example
/// ```dockerfile
/// FROM golang:1.22 AS Build
/// ```
///
/// ## Use instead
/// ```dockerfile
/// FROM golang:1.22 AS build
/// ```
pub struct StageNameCasing;

const META: RuleMeta = RuleMeta {
    name: "stage-name-casing",
    severity: Severity::Style,
    category: Category::Style,
    aliases: &["StageNameCasing"],
    summary: "stage name is not lower case",
    fix: Some("Lower-case the stage name"),
};

impl Rule for StageNameCasing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn check_file(&self, cx: &Context, out: &mut Vec<Diagnostic>) {
        for st in &cx.model.stages {
            let Some(t) = &st.name_token else { continue };
            if t.text != t.text.to_lowercase() {
                out.push(diagnostic(&META, t.span, format!("stage name '{}' should be lowercase", t.text)).with_fix(
                    META.fix.unwrap_or_default(),
                    Applicability::Safe,
                    vec![Edit { span: t.span, text: t.text.to_lowercase() }],
                ));
            }
        }
    }
}
