use super::*;
use crate::data::estimates;
use crate::lint::context::diagnostic;
use crate::lint::{Applicability, Category, Diagnostic, Rule, RuleMeta, Severity};

/// ## What it does
/// Finds `pip install` without `--no-cache-dir` in a stage that ends up in the image, unless
/// `PIP_NO_CACHE_DIR` is set or a cache mount covers pip's cache.
///
/// ## Why is this bad?
/// pip keeps every downloaded wheel in `~/.cache/pip`: roughly the installed size of the
/// packages, again, in the layer.
///
/// ## Example
/// ```dockerfile
/// RUN pip install -r requirements.txt
/// ```
///
/// ## Use instead
/// ```dockerfile
/// RUN pip install --no-cache-dir -r requirements.txt
/// ```
pub struct PipNoCacheDir;

const META: RuleMeta = RuleMeta {
    name: "pip-no-cache-dir",
    severity: Severity::Warning,
    category: Category::Size,
    aliases: &["DL3042"],
    summary: "pip install without --no-cache-dir",
    fix: Some("Add `--no-cache-dir`"),
};

/// Packages named on the command line (requirement files counted from the build context).
fn package_count(cx: &Context, c: &Command) -> Option<usize> {
    let mut n = operands(c).len();
    for (i, w) in c.args().iter().enumerate() {
        if matches!(w.text.as_str(), "-r" | "--requirement") {
            let file = c.args().get(i + 1)?;
            let dir = cx.settings.context_dir.as_ref()?;
            let text = crate::limits::read_text(&dir.join(&file.text), crate::limits::MAX_DOCKERFILE_BYTES)?;
            n += text.lines().filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with(['#', '-'])).count();
        }
    }
    Some(n).filter(|&n| n > 0)
}

impl Rule for PipNoCacheDir {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn kinds(&self) -> &'static [&'static str] {
        &["run"]
    }
    fn check(&self, cx: &Context, at: &At, out: &mut Vec<Diagnostic>) {
        if !cx.in_final_image(at.stage) || var(cx, at, "PIP_NO_CACHE_DIR").is_some() {
            return;
        }
        if run_of(at).is_some_and(|r| has_mount(r, "/root/.cache/pip") || has_mount(r, "/root/.cache")) {
            return;
        }
        for c in commands(cx, at) {
            let Some(install) = pip_install(c) else { continue };
            if c.has_flag(&["--no-cache-dir"]) || c.assignments.iter().any(|(k, _)| k == "PIP_NO_CACHE_DIR") {
                continue;
            }
            let e = &estimates().pip;
            let (bytes, how) = match package_count(cx, c) {
                Some(n) => (
                    n as u64 * e.per_package,
                    format!("{n} packages x {} typical wheel cache each", human(e.per_package)),
                ),
                None => (e.unknown, "typical dependencies of an application (rules/estimates.toml)".to_string()),
            };
            let mut d = diagnostic(
                &META,
                command_span(cx, at, c),
                format!("`pip install` keeps downloaded wheels ({} estimated) in `~/.cache/pip`", human(bytes)),
            )
            .with_estimate(bytes, how);
            if let Some(edit) = insert_after(cx, at, install.end, " --no-cache-dir") {
                d = d.with_fix(META.fix.unwrap_or_default(), Applicability::Safe, vec![edit]);
            }
            out.push(d);
        }
    }
}
