use crate::dockerfile::model::Kind;
use crate::lint::context::diagnostic;
use crate::lint::{Category, Context, Diagnostic, Rule, RuleMeta, Severity};

/// ## What it does
/// Finds a final stage whose last USER is root, or that sets no USER at all.
///
/// ## Why is this bad?
/// A process running as root in the container is root on anything the container can reach
/// (mounted volumes, a kernel escape). Create an unprivileged user and switch to it.
/// Without any USER, the image runs as root unless its base image sets a user.
///
/// ## Example
/// ```dockerfile
/// FROM python:3.11-slim
/// CMD ["python", "app.py"]
/// ```
///
/// ## Use instead
/// ```dockerfile
/// FROM python:3.11-slim
/// RUN useradd --create-home app
/// USER app
/// CMD ["python", "app.py"]
/// ```
pub struct RunsAsRoot;

const META: RuleMeta = RuleMeta {
    name: "runs-as-root",
    severity: Severity::Warning,
    category: Category::Security,
    aliases: &["DL3002"],
    summary: "the image runs as root",
    fix: None,
};

impl Rule for RunsAsRoot {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn check_file(&self, cx: &Context, out: &mut Vec<Diagnostic>) {
        let Some(st) = cx.model.final_stage() else { return };
        let last_user = st.commands.iter().rev().find_map(|c| match &c.kind {
            Kind::User { user } => Some((c.instruction, user.as_str())),
            _ => None,
        });
        match last_user {
            Some((ins, user)) => {
                let name = user.split(':').next().unwrap_or("");
                if name == "root" || name == "0" {
                    out.push(diagnostic(
                        &META,
                        cx.first_line_span(ins),
                        "the last USER is root: the program runs as root",
                    ));
                }
            }
            None => {
                let base = cx.base_image(st.index);
                if base.contains("nonroot") || cx.model.stage_ref(&base, st.index).is_some() || base == "scratch" {
                    return;
                }
                let mut d = diagnostic(
                    &META,
                    cx.first_line_span(st.instruction),
                    "no USER in the final stage: the program runs as root unless the base image sets a user",
                );
                d.severity = Severity::Info;
                out.push(d);
            }
        }
    }
}
