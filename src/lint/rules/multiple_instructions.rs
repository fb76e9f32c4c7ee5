use crate::lint::context::diagnostic;
use crate::lint::{Category, Context, Diagnostic, Rule, RuleMeta, Severity};

/// ## What it does
/// Finds more than one CMD, ENTRYPOINT or HEALTHCHECK in a stage.
///
/// ## Why is this bad?
/// Only the last one takes effect; the earlier ones are dead code that misleads readers.
///
/// ## Example
/// ```dockerfile
/// CMD ["python", "app.py"]
/// CMD ["gunicorn", "app:app"]
/// ```
///
/// ## Use instead
/// ```dockerfile
/// CMD ["gunicorn", "app:app"]
/// ```
pub struct MultipleInstructions;

const META: RuleMeta = RuleMeta {
    name: "multiple-instructions",
    severity: Severity::Warning,
    category: Category::Correctness,
    aliases: &["DL4003", "DL4004", "MultipleInstructionsDisallowed"],
    summary: "several CMD, ENTRYPOINT or HEALTHCHECK in one stage",
    fix: None,
};

impl Rule for MultipleInstructions {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn check_file(&self, cx: &Context, out: &mut Vec<Diagnostic>) {
        for st in &cx.model.stages {
            for kw in ["cmd", "entrypoint", "healthcheck"] {
                let all: Vec<usize> =
                    st.commands.iter().map(|c| c.instruction).filter(|&i| cx.instructions[i].name() == kw).collect();
                if let Some((&last, earlier)) = all.split_last() {
                    for &i in earlier {
                        out.push(diagnostic(
                            &META,
                            cx.first_line_span(i),
                            format!(
                                "{} is overridden by the one on line {}: only the last takes effect",
                                kw.to_uppercase(),
                                cx.instructions[last].start_line
                            ),
                        ));
                    }
                }
            }
        }
    }
}
