use super::*;
use crate::data::debian_install_size;
use crate::lint::context::diagnostic;
use crate::lint::{Applicability, Category, Diagnostic, Rule, RuleMeta, Severity};

/// ## What it does
/// Finds `apt-get install` (and `apt install`) without `--no-install-recommends`.
///
/// ## Why is this bad?
/// apt installs every "recommended" package by default: documentation tools, optional libraries,
/// sometimes whole language runtimes the program never uses. On Debian bookworm
/// `apt-get install build-essential` installs 351 MB with recommends and 273 MB without.
///
/// ## Example
/// ```dockerfile
/// RUN apt-get update && apt-get install -y curl
/// ```
///
/// ## Use instead
/// ```dockerfile
/// RUN apt-get update && apt-get install -y --no-install-recommends curl
/// ```
pub struct AptNoInstallRecommends;

const META: RuleMeta = RuleMeta {
    name: "apt-no-install-recommends",
    severity: Severity::Warning,
    category: Category::Size,
    aliases: &["DL3015"],
    summary: "apt-get install without --no-install-recommends",
    fix: Some("Add `--no-install-recommends`"),
};

fn disables_recommends(c: &Command) -> bool {
    c.has_flag(&["--no-install-recommends"])
        || c.args()
            .iter()
            .any(|w| w.text.contains("Install-Recommends=false") || w.text.contains("Install-Recommends=0"))
}

impl Rule for AptNoInstallRecommends {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn kinds(&self) -> &'static [&'static str] {
        &["run"]
    }
    fn check(&self, cx: &Context, at: &At, out: &mut Vec<Diagnostic>) {
        // a configuration written by an earlier RUN turns recommends off for the stage (looked
        // up only for a RUN that installs: a file of many RUNs stays linear)
        let mut configured = None;
        for c in commands(cx, at) {
            if !is_apt(c, &["install"]) || disables_recommends(c) {
                continue;
            }
            if *configured.get_or_insert_with(|| cx.mentioned_before(at.stage, at.index, "Install-Recommends")) {
                return;
            }
            let pkgs = packages(c);
            let names: Vec<&str> = pkgs.iter().map(String::as_str).collect();
            let (with, known) = debian_install_size(&names, true);
            let (without, _) = debian_install_size(&names, false);
            let (bytes, how) = if known && !names.is_empty() {
                (
                    with.saturating_sub(without),
                    "recommended packages of the Debian bookworm dependency closure (rules/debian-bookworm.toml)",
                )
            } else {
                (30_000_000, "typical recommends of an install (some packages are not in rules/debian-bookworm.toml)")
            };
            let mut d = diagnostic(
                &META,
                command_span(cx, at, c),
                format!(
                    "`{} install` without `--no-install-recommends` also installs recommended packages (estimate: {})",
                    c.name(),
                    human(bytes)
                ),
            )
            .with_estimate(bytes, how);
            let install = subcommand_word(c).map(|w| w.end);
            if let Some(edit) = install.and_then(|end| insert_after(cx, at, end, " --no-install-recommends")) {
                d = d.with_fix(META.fix.unwrap_or_default(), Applicability::Safe, vec![edit]);
            }
            out.push(d);
        }
    }
}
