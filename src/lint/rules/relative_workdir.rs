use crate::dockerfile::model::Kind;
use crate::lint::context::diagnostic;
use crate::lint::{At, Category, Context, Diagnostic, Rule, RuleMeta, Severity};

/// ## What it does
/// Finds a relative WORKDIR when no absolute WORKDIR came before it in the stage.
///
/// ## Why is this bad?
/// It is relative to the base image's working directory, which may change when the base image
/// does.
///
/// ## Example
/// ```dockerfile
/// FROM alpine
/// WORKDIR app
/// ```
///
/// ## Use instead
/// ```dockerfile
/// FROM alpine
/// WORKDIR /app
/// ```
pub struct RelativeWorkdir;

const META: RuleMeta = RuleMeta {
    name: "relative-workdir",
    severity: Severity::Warning,
    category: Category::Correctness,
    aliases: &["DL3000", "WorkdirRelativePath"],
    summary: "relative WORKDIR without an absolute one before it",
    fix: None,
};

fn absolute(p: &str) -> bool {
    p.starts_with('/') || p.starts_with('$') || (p.len() > 2 && p.as_bytes()[1] == b':')
}

impl Rule for RelativeWorkdir {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn kinds(&self) -> &'static [&'static str] {
        &["workdir"]
    }
    fn check(&self, cx: &Context, at: &At, out: &mut Vec<Diagnostic>) {
        let Kind::Workdir { path } = &at.cmd.kind else { return };
        let expanded = cx.expand(at.stage, at.index, path);
        if absolute(path) || expanded.as_deref().is_some_and(absolute) {
            return;
        }
        let earlier_absolute = cx.model.stages[at.stage].commands[..at.index]
            .iter()
            .any(|c| matches!(&c.kind, Kind::Workdir { path } if absolute(path)));
        if !earlier_absolute && cx.model.stage_ref(&cx.base_image(at.stage), at.stage).is_none() {
            out.push(diagnostic(
                &META,
                cx.first_line_span(at.cmd.instruction),
                format!("WORKDIR {path} is relative to the base image's working directory: use an absolute path"),
            ));
        }
    }
}
