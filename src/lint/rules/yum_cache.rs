use super::*;
use crate::data::estimates;
use crate::lint::context::diagnostic;
use crate::lint::{Category, Diagnostic, Rule, RuleMeta, Severity};

/// ## What it does
/// Finds `yum`, `dnf`, `microdnf` and `zypper` installs whose RUN does not clean the package
/// manager's cache, in a stage that ends up in the image.
///
/// ## Why is this bad?
/// These package managers keep repository metadata and downloaded packages in `/var/cache`
/// (typically 50-120 MB of metadata alone). Cleaning in a later RUN does not help.
///
/// ## Example
/// ```dockerfile
/// RUN dnf install -y gcc
/// ```
///
/// ## Use instead
/// ```dockerfile
/// RUN dnf install -y gcc && dnf clean all
/// ```
pub struct YumCache;

const META: RuleMeta = RuleMeta {
    name: "yum-cache",
    severity: Severity::Warning,
    category: Category::Size,
    aliases: &["DL3032", "DL3036", "DL3040"],
    summary: "yum/dnf/zypper install without cleaning the cache",
    fix: Some("Clean the package cache in the same RUN"),
};

fn manager(c: &Command) -> Option<(&'static str, &'static str, &'static str)> {
    let sub = subcommand(c)?;
    let installs = matches!(sub, "install" | "in" | "groupinstall" | "update" | "upgrade" | "reinstall");
    match c.name() {
        "yum" if installs => Some(("yum", "yum clean all", "/var/cache/yum")),
        "dnf" | "dnf5" if installs => Some(("dnf", "dnf clean all", "/var/cache/dnf")),
        "microdnf" if installs => Some(("microdnf", "microdnf clean all", "/var/cache/yum")),
        "zypper" if installs => Some(("zypper", "zypper clean --all", "/var/cache/zypp")),
        _ => None,
    }
}

impl Rule for YumCache {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn kinds(&self) -> &'static [&'static str] {
        &["run"]
    }
    fn check(&self, cx: &Context, at: &At, out: &mut Vec<Diagnostic>) {
        if !cx.in_final_image(at.stage) {
            return;
        }
        let cmds = commands(cx, at);
        let Some((install, (name, clean, dir))) = cmds.iter().find_map(|c| manager(c).map(|m| (c, m))) else { return };
        let cleaned = cmds.iter().any(|c| {
            (c.name() == name || (name == "zypper" && c.name() == "zypper"))
                && subcommand(c).is_some_and(|s| s == "clean" || s == "cc")
        }) || cmds.iter().any(|c| removes(c, dir) || removes(c, "/var/cache"));
        if cleaned || run_of(at).is_some_and(|r| has_mount(r, dir)) {
            return;
        }
        let bytes = estimates().yum.cache;
        let d = diagnostic(
            &META,
            command_span(cx, at, install),
            format!(
                "`{name}` leaves its cache ({} estimated) in the layer: run `{clean}` in the same RUN",
                human(bytes)
            ),
        )
        .with_estimate(bytes, "typical metadata and package cache of one install (rules/estimates.toml)");
        out.push(fix_by_appending(d, cx, at, &META, clean));
    }
}
