use super::*;
use crate::lint::context::diagnostic;
use crate::lint::{Category, Diagnostic, Rule, RuleMeta, Severity};

/// ## What it does
/// Finds `apt-get upgrade`, `dist-upgrade` and `full-upgrade` (and `apk upgrade`).
///
/// ## Why is this bad?
/// Every package the upgrade touches is stored again in the new layer while the old version stays
/// in the base image's layer, and the result depends on the day of the build. Use a newer base
/// image (or pin it by digest and bump it) instead.
///
/// ## Example
/// ```dockerfile
/// RUN apt-get update && apt-get upgrade -y
/// ```
///
/// ## Use instead
/// ```dockerfile
/// FROM debian:bookworm-20240211-slim
/// ```
pub struct AptUpgrade;

const META: RuleMeta = RuleMeta {
    name: "apt-upgrade",
    severity: Severity::Warning,
    category: Category::Correctness,
    aliases: &["DL3005"],
    summary: "upgrading all packages in a RUN",
    fix: None,
};

impl Rule for AptUpgrade {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn kinds(&self) -> &'static [&'static str] {
        &["run"]
    }
    fn check(&self, cx: &Context, at: &At, out: &mut Vec<Diagnostic>) {
        for c in commands(cx, at) {
            let apk = c.name() == "apk" && subcommand(c) == Some("upgrade");
            if is_apt(c, &["upgrade", "dist-upgrade", "full-upgrade"]) || apk {
                let sub = subcommand(c).unwrap_or("upgrade");
                out.push(diagnostic(&META, command_span(cx, at, c), format!(
                    "`{} {sub}` stores every upgraded package again over the base layer and makes builds unreproducible; use a newer base image",
                    c.name()
                )));
            }
        }
    }
}
