use super::*;
use crate::lint::context::diagnostic;
use crate::lint::{Category, Diagnostic, Rule, RuleMeta, Severity};

/// ## What it does
/// Finds a RUN that runs `apt-get update` without installing anything.
///
/// ## Why is this bad?
/// The layer with the updated lists is cached. When a later RUN changes its install list, the
/// cached, stale lists are used and the install fails or gets old packages. The lists also stay in
/// that layer for good.
///
/// ## Example
/// ```dockerfile
/// RUN apt-get update
/// RUN apt-get install -y --no-install-recommends curl
/// ```
///
/// ## Use instead
/// ```dockerfile
/// RUN apt-get update && apt-get install -y --no-install-recommends curl \
///     && rm -rf /var/lib/apt/lists/*
/// ```
pub struct AptUpdateAlone;

const META: RuleMeta = RuleMeta {
    name: "apt-update-alone",
    severity: Severity::Warning,
    category: Category::Cache,
    aliases: &[],
    summary: "apt-get update in a RUN without an install",
    fix: None,
};

impl Rule for AptUpdateAlone {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn kinds(&self) -> &'static [&'static str] {
        &["run"]
    }
    fn check(&self, cx: &Context, at: &At, out: &mut Vec<Diagnostic>) {
        let cmds = commands(cx, at);
        let Some(update) = cmds.iter().find(|c| is_apt(c, &["update"])) else { return };
        if cmds
            .iter()
            .any(|c| is_apt(c, &["install", "upgrade", "dist-upgrade", "full-upgrade", "build-dep", "source"]))
        {
            return;
        }
        out.push(diagnostic(
            &META,
            command_span(cx, at, update),
            "`apt-get update` without an install in the same RUN: a later install may use these cached, stale lists",
        ));
    }
}
