use super::*;
use crate::lint::context::diagnostic;
use crate::lint::{Category, Diagnostic, Rule, RuleMeta, Severity};

/// ## What it does
/// Finds `cd` at the top level of a RUN (not inside a subshell).
///
/// ## Why is this bad?
/// The directory change is lost at the end of the RUN; following instructions still run in the
/// old WORKDIR, which is easy to miss. Use WORKDIR, or a subshell `(cd dir && make)` for a
/// single step.
///
/// ## Example
/// ```dockerfile
/// RUN cd /app && make
/// ```
///
/// ## Use instead
/// ```dockerfile
/// WORKDIR /app
/// RUN make
/// ```
pub struct CdInsteadOfWorkdir;

const META: RuleMeta = RuleMeta {
    name: "cd-instead-of-workdir",
    severity: Severity::Info,
    category: Category::Style,
    aliases: &["DL3003"],
    summary: "cd in RUN instead of WORKDIR",
    fix: None,
};

impl Rule for CdInsteadOfWorkdir {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn kinds(&self) -> &'static [&'static str] {
        &["run"]
    }
    fn check(&self, cx: &Context, at: &At, out: &mut Vec<Diagnostic>) {
        let Some(script) = cx.script(at.cmd.instruction) else { return };
        // `cd` as the very first command of a multi-command RUN is the pattern; a `cd` inside a
        // subshell, loop or condition is scoped on purpose
        if let Some(c) = script.commands.iter().find(|c| c.name() == "cd" && !c.nested) {
            out.push(diagnostic(&META, command_span(cx, at, c), "`cd` in RUN: use WORKDIR"));
        }
    }
}
