use crate::dockerfile::model::{CmdLine, Kind};
use crate::dockerfile::Args;
use crate::lint::context::diagnostic;
use crate::lint::{Applicability, At, Category, Context, Diagnostic, Edit, Rule, RuleMeta, Severity};

/// ## What it does
/// Finds CMD and ENTRYPOINT in shell form.
///
/// ## Why is this bad?
/// The shell form runs `/bin/sh -c "..."`: the shell is PID 1, so `docker stop` sends SIGTERM
/// to the shell, not to the program, which is killed after the grace period; the shell also needs
/// to exist (distroless images have none). The fix rewrites commands without shell syntax to the
/// exec form; it is unsafe because the program then receives signals itself.
///
/// ## Example
/// ```dockerfile
/// CMD python app.py
/// ```
///
/// ## Use instead
/// ```dockerfile
/// CMD ["python", "app.py"]
/// ```
pub struct ShellFormCmd;

const META: RuleMeta = RuleMeta {
    name: "shell-form-cmd",
    severity: Severity::Warning,
    category: Category::Correctness,
    aliases: &["DL3025", "JSONArgsRecommended"],
    summary: "CMD or ENTRYPOINT in shell form",
    fix: Some("Use the exec (JSON) form"),
};

impl Rule for ShellFormCmd {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn kinds(&self) -> &'static [&'static str] {
        &["cmd", "entrypoint"]
    }
    fn check(&self, cx: &Context, at: &At, out: &mut Vec<Diagnostic>) {
        let (Kind::Cmd { cmd } | Kind::Entrypoint { cmd }) = &at.cmd.kind else { return };
        let CmdLine::Shell(text) = cmd else { return };
        if text.trim().is_empty() {
            return;
        }
        let name = at.ins.keyword().to_uppercase();
        // BuildKit does not warn when the stage chose its shell explicitly
        let custom_shell =
            cx.model.stages[at.stage].commands[..at.index].iter().any(|c| matches!(c.kind, Kind::Shell { .. }));
        if custom_shell {
            return;
        }
        let mut d = diagnostic(
            &META,
            cx.first_line_span(at.cmd.instruction),
            format!(
                "{name} in shell form runs under /bin/sh: signals go to the shell, not the program; use the exec form"
            ),
        );
        if let (Some(json), Args::Values { values }) = (crate::dockerfile::shell::exec_form(text), &at.ins.node.args) {
            if let Some(v) = values.first() {
                d = d.with_fix(
                    META.fix.unwrap_or_default(),
                    Applicability::Unsafe,
                    vec![Edit { span: v.span, text: json }],
                );
            }
        }
        out.push(d);
    }
}
