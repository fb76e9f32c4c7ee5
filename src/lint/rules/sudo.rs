use super::*;
use crate::lint::context::diagnostic;
use crate::lint::{Category, Diagnostic, Rule, RuleMeta, Severity};

/// ## What it does
/// Finds `sudo` in RUN.
///
/// ## Why is this bad?
/// Build steps run as the current USER; sudo adds a setuid binary and its configuration to the
/// image and hides which user a step needs. Switch USER around the steps that need root.
///
/// ## Example
/// ```dockerfile
/// USER app
/// RUN sudo apt-get install -y curl
/// ```
///
/// ## Use instead
/// ```dockerfile
/// USER root
/// RUN apt-get install -y curl
/// USER app
/// ```
pub struct Sudo;

const META: RuleMeta = RuleMeta {
    name: "sudo",
    severity: Severity::Warning,
    category: Category::Security,
    aliases: &["DL3004"],
    summary: "sudo in RUN",
    fix: None,
};

impl Rule for Sudo {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn kinds(&self) -> &'static [&'static str] {
        &["run"]
    }
    fn check(&self, cx: &Context, at: &At, out: &mut Vec<Diagnostic>) {
        let Some(script) = cx.script(at.cmd.instruction) else { return };
        for c in script.commands.iter().filter(|c| c.name() == "sudo") {
            out.push(diagnostic(&META, command_span(cx, at, c), "`sudo` in a build step: switch USER instead"));
        }
    }
}
