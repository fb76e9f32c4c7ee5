use super::*;
use crate::lint::context::diagnostic;
use crate::lint::{Category, Diagnostic, Rule, RuleMeta, Severity};

/// ## What it does
/// Finds packages installed without a version: `apt-get install curl` (not `curl=7.88.1-10`),
/// `pip install flask` (not `flask==3.0.0`), `npm install -g typescript` (not
/// `typescript@5.4.0`), `apk add curl` (not `curl=8.5.0-r0`), `dnf install curl` (not
/// `curl-7.76.1`, also yum, microdnf, zypper), `gem install rails`.
///
/// ## Why is this bad?
/// The image changes with the day it is built. This is a hint (info), since pinning has a cost:
/// pinned OS packages disappear from the mirrors.
///
/// ## Example
/// ```dockerfile
/// RUN pip install --no-cache-dir flask
/// ```
///
/// ## Use instead
/// ```dockerfile
/// RUN pip install --no-cache-dir flask==3.0.0
/// ```
pub struct UnpinnedVersions;

const META: RuleMeta = RuleMeta {
    name: "unpinned-versions",
    severity: Severity::Info,
    category: Category::Correctness,
    aliases: &["DL3008", "DL3013", "DL3016", "DL3018", "DL3028", "DL3033", "DL3037", "DL3041"],
    summary: "packages installed without a version",
    fix: None,
};

fn unpinned(c: &Command) -> Vec<String> {
    let name = c.name();
    let (words, pinned): (Vec<&crate::dockerfile::shell::Word>, fn(&str) -> bool) = if is_apt(c, &["install"]) {
        (operands(c), |w| w.contains('=') || w.ends_with(".deb"))
    } else if name == "apk" && subcommand(c) == Some("add") {
        (operands(c), |w| w.contains('='))
    } else if pip_install(c).is_some() {
        // pip itself (`pip install --upgrade pip`) is not asked to be pinned
        (operands(c).into_iter().filter(|w| !w.text.starts_with("pip")).collect(), |w| {
            w.contains("==")
                || w.contains(">=")
                || w.contains("~=")
                || w.contains('/')
                || w.contains('.') && w.ends_with(".whl")
                || w.starts_with('.')
                || w.contains("://")
                || w.contains('@')
        })
    } else if name == "npm" && matches!(subcommand(c), Some("install" | "i" | "add")) {
        // a version after the name: an `@` past the first character (a scope's `@` comes first)
        (operands(c), |w| {
            w.char_indices().any(|(i, ch)| i > 0 && ch == '@')
                || w.starts_with('.')
                || w.starts_with('/')
                || w.contains(':')
        })
    } else if matches!(name, "yum" | "dnf" | "dnf5" | "microdnf" | "zypper")
        && matches!(subcommand(c), Some("install" | "in"))
    {
        (operands(c), |w| {
            let versioned =
                w.char_indices().any(|(i, ch)| ch == '-' && w[i + 1..].starts_with(|d: char| d.is_ascii_digit()));
            versioned
                || w.ends_with(".rpm")
                || w.contains("://")
                || w.contains(['=', '<', '>', '/', '*'])
                || w.starts_with('@')
        })
    } else if name == "gem" && subcommand(c) == Some("install") {
        (operands(c), |_| false)
    } else {
        return Vec::new();
    };
    if name == "gem" && c.has_flag(&["-v", "--version"]) {
        return Vec::new();
    }
    words.into_iter().map(|w| w.text.clone()).filter(|w| !w.is_empty() && !w.starts_with('$') && !pinned(w)).collect()
}

impl Rule for UnpinnedVersions {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn kinds(&self) -> &'static [&'static str] {
        &["run"]
    }
    fn check(&self, cx: &Context, at: &At, out: &mut Vec<Diagnostic>) {
        for c in commands(cx, at) {
            let pkgs = unpinned(c);
            if !pkgs.is_empty() {
                out.push(diagnostic(
                    &META,
                    command_span(cx, at, c),
                    format!("not pinned to a version: {}", pkgs.join(", ")),
                ));
            }
        }
    }
}
