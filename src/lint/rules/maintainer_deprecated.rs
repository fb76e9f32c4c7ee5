use crate::dockerfile::model::Kind;
use crate::lint::context::diagnostic;
use crate::lint::{Applicability, At, Category, Context, Diagnostic, Edit, Rule, RuleMeta, Severity};

/// ## What it does
/// Finds MAINTAINER.
///
/// ## Why is this bad?
/// It is deprecated; the OCI label `org.opencontainers.image.authors` says the same and tools
/// read it. The fix replaces the instruction.
///
/// ## Example
/// ```dockerfile
/// MAINTAINER Jane Doe <jane@example.com>
/// ```
///
/// ## Use instead
/// ```dockerfile
/// LABEL org.opencontainers.image.authors="Jane Doe <jane@example.com>"
/// ```
pub struct MaintainerDeprecated;

const META: RuleMeta = RuleMeta {
    name: "maintainer-deprecated",
    severity: Severity::Warning,
    category: Category::Style,
    aliases: &["DL4000", "MaintainerDeprecated"],
    summary: "MAINTAINER is deprecated",
    fix: Some("Use the org.opencontainers.image.authors label"),
};

impl Rule for MaintainerDeprecated {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn kinds(&self) -> &'static [&'static str] {
        &["maintainer"]
    }
    fn check(&self, cx: &Context, at: &At, out: &mut Vec<Diagnostic>) {
        let Kind::Maintainer { maintainer } = &at.cmd.kind else { return };
        let span = cx.first_line_span(at.cmd.instruction);
        let mut d = diagnostic(&META, span, "MAINTAINER is deprecated: use LABEL org.opencontainers.image.authors");
        if at.ins.start_line == at.ins.end_line && !maintainer.contains(['"', '\\', '$']) {
            let text = format!("LABEL org.opencontainers.image.authors=\"{maintainer}\"");
            d = d.with_fix(META.fix.unwrap_or_default(), Applicability::Safe, vec![Edit { span, text }]);
        }
        out.push(d);
    }
}
