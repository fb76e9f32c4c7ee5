use super::*;
use crate::data::estimates;
use crate::lint::context::diagnostic;
use crate::lint::{Applicability, Category, Diagnostic, Rule, RuleMeta, Severity};

/// ## What it does
/// Finds `apk add` without `--no-cache` (and without removing `/var/cache/apk` in the same RUN),
/// in a stage that ends up in the image.
///
/// ## Why is this bad?
/// apk keeps the package index (about 2.6 MB for main and community) in `/var/cache/apk`, in the
/// layer for good.
///
/// ## Example
/// ```dockerfile
/// RUN apk add curl
/// ```
///
/// ## Use instead
/// ```dockerfile
/// RUN apk add --no-cache curl
/// ```
pub struct ApkNoCache;

const META: RuleMeta = RuleMeta {
    name: "apk-no-cache",
    severity: Severity::Warning,
    category: Category::Size,
    aliases: &["DL3019"],
    summary: "apk add without --no-cache",
    fix: Some("Add `--no-cache`"),
};

impl Rule for ApkNoCache {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn kinds(&self) -> &'static [&'static str] {
        &["run"]
    }
    fn check(&self, cx: &Context, at: &At, out: &mut Vec<Diagnostic>) {
        if !cx.in_final_image(at.stage) || run_of(at).is_some_and(|r| has_mount(r, "/var/cache/apk")) {
            return;
        }
        let cmds = commands(cx, at);
        if cmds.iter().any(|c| {
            removes(c, "/var/cache/apk")
                || (c.name() == "apk" && subcommand(c) == Some("cache") && c.args().iter().any(|w| w.text == "clean"))
        }) {
            return;
        }
        for c in cmds {
            if c.name() != "apk" || subcommand(c) != Some("add") || c.has_flag(&["--no-cache"]) {
                continue;
            }
            let bytes = estimates().apk.index;
            let mut d = diagnostic(
                &META,
                command_span(cx, at, c),
                format!("`apk add` without `--no-cache` keeps the package index ({}) in the layer", human(bytes)),
            )
            .with_estimate(bytes, "APKINDEX of main and community (rules/estimates.toml)");
            let add = subcommand_word(c).map(|w| w.end);
            if let Some(edit) = add.and_then(|end| insert_after(cx, at, end, " --no-cache")) {
                d = d.with_fix(META.fix.unwrap_or_default(), Applicability::Safe, vec![edit]);
            }
            out.push(d);
        }
    }
}
