use crate::dockerfile::model::Kind;
use crate::lint::context::diagnostic;
use crate::lint::{At, Category, Context, Diagnostic, Rule, RuleMeta, Severity};

/// ## What it does
/// Finds COPY and ADD sources that `.dockerignore` excludes from the build context.
///
/// ## Why is this bad?
/// The file is not sent to the builder: the COPY fails, or copies less than it seems to.
///
/// ## Example
/// With `.dockerignore` containing `*.md`:
/// ```dockerfile
/// COPY README.md /docs/
/// ```
///
/// ## Use instead
/// Re-include it in `.dockerignore` (`!README.md`) or do not copy it.
pub struct CopyIgnoredFile;

const META: RuleMeta = RuleMeta {
    name: "copy-ignored-file",
    severity: Severity::Warning,
    category: Category::Correctness,
    aliases: &["CopyIgnoredFile"],
    summary: "COPY or ADD of a file .dockerignore excludes",
    fix: None,
};

impl Rule for CopyIgnoredFile {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn kinds(&self) -> &'static [&'static str] {
        &["copy", "add"]
    }
    fn check(&self, cx: &Context, at: &At, out: &mut Vec<Diagnostic>) {
        let (Kind::Copy(c), Some(ignore)) = (&at.cmd.kind, &cx.dockerignore) else { return };
        if c.from.is_some() {
            return;
        }
        for src in &c.sources {
            if src.contains("://")
                || src.contains('$')
                || src.contains('*')
                || matches!(src.trim_end_matches('/'), "." | "")
            {
                continue;
            }
            if ignore.ignores(src) {
                out.push(diagnostic(
                    &META,
                    cx.first_line_span(at.cmd.instruction),
                    format!("{src} is excluded by .dockerignore and is not in the build context"),
                ));
            }
        }
    }
}
