use crate::dockerfile::model::Kind;
use crate::lint::context::diagnostic;
use crate::lint::{Applicability, At, Category, Context, Diagnostic, Edit, Rule, RuleMeta, Severity};

/// ## What it does
/// Finds ADD with local sources that are neither URLs, git repositories nor archives.
///
/// ## Why is this bad?
/// ADD also downloads URLs and unpacks archives; for plain files COPY says what happens and
/// nothing more. Use ADD only for its extra powers.
///
/// ## Example
/// ```dockerfile
/// ADD app.py /app/
/// ```
///
/// ## Use instead
/// ```dockerfile
/// COPY app.py /app/
/// ```
pub struct AddInsteadOfCopy;

const META: RuleMeta = RuleMeta {
    name: "add-instead-of-copy",
    severity: Severity::Warning,
    category: Category::Correctness,
    aliases: &["DL3020"],
    summary: "ADD for plain local files",
    fix: Some("Use COPY"),
};

pub fn is_remote(src: &str) -> bool {
    src.contains("://") || src.starts_with("git@")
}

pub fn is_archive(src: &str) -> bool {
    let s = src.to_ascii_lowercase();
    [".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar.zst", ".tzst", ".gz", ".bz2", ".xz"]
        .iter()
        .any(|e| s.ends_with(e))
        || s.contains('$')
}

impl Rule for AddInsteadOfCopy {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn kinds(&self) -> &'static [&'static str] {
        &["add"]
    }
    fn check(&self, cx: &Context, at: &At, out: &mut Vec<Diagnostic>) {
        let Kind::Copy(c) = &at.cmd.kind else { return };
        if !c.inline.is_empty()
            || c.sources.is_empty()
            || c.sources.iter().any(|s| is_remote(s) || is_archive(s) || s.contains('*'))
        {
            return;
        }
        if c.checksum.is_some() || c.keep_git_dir.is_some() || c.unpack.is_some() {
            return;
        }
        let kw = &at.ins.node.keyword;
        let copy = if kw.text.chars().all(|c| c.is_ascii_lowercase()) { "copy" } else { "COPY" };
        out.push(
            diagnostic(&META, cx.keyword_span(at.cmd.instruction), "ADD for plain local files: use COPY").with_fix(
                META.fix.unwrap_or_default(),
                Applicability::Safe,
                vec![Edit { span: kw.span, text: copy.into() }],
            ),
        );
    }
}
