use crate::dockerfile::model::Kind;
use crate::lint::context::diagnostic;
use crate::lint::{At, Category, Context, Diagnostic, Rule, RuleMeta, Severity};

/// ## What it does
/// Finds ADD of a URL without `--checksum`.
///
/// ## Why is this bad?
/// The download is not verified and may change between builds. The downloaded file also stays in
/// its layer: if a later RUN unpacks and deletes it, the bytes remain. Pin it with `--checksum`, or
/// download, verify, unpack and delete in one RUN.
///
/// ## Example
/// ```dockerfile
/// ADD https://example.com/tool.tar.gz /tmp/
/// RUN tar -xzf /tmp/tool.tar.gz -C /opt && rm /tmp/tool.tar.gz
/// ```
///
/// ## Use instead
/// ```dockerfile
/// RUN curl -fsSL https://example.com/tool.tar.gz -o /tmp/tool.tar.gz \
///     && echo "<sha256>  /tmp/tool.tar.gz" | sha256sum -c - \
///     && tar -xzf /tmp/tool.tar.gz -C /opt && rm /tmp/tool.tar.gz
/// ```
pub struct AddUrl;

const META: RuleMeta = RuleMeta {
    name: "add-url",
    severity: Severity::Warning,
    category: Category::Security,
    aliases: &[],
    summary: "ADD of a URL without --checksum",
    fix: None,
};

impl Rule for AddUrl {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn kinds(&self) -> &'static [&'static str] {
        &["add"]
    }
    fn check(&self, cx: &Context, at: &At, out: &mut Vec<Diagnostic>) {
        let Kind::Copy(c) = &at.cmd.kind else { return };
        let is_git = |s: &str| s.ends_with(".git") || s.contains(".git#") || s.starts_with("git@");
        if c.checksum.is_some() {
            return;
        }
        if let Some(url) =
            c.sources.iter().find(|s| (s.starts_with("http://") || s.starts_with("https://")) && !is_git(s))
        {
            out.push(diagnostic(
                &META,
                cx.first_line_span(at.cmd.instruction),
                format!(
                    "ADD {url} is not verified: add --checksum=sha256:..., or download, check and unpack in one RUN"
                ),
            ));
        }
    }
}
