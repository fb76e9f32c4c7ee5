use crate::lint::context::diagnostic;
use crate::lint::{Applicability, At, Category, Context, Diagnostic, Edit, Rule, RuleMeta, Severity};

/// ## What it does
/// Finds EXPOSE protocols that are not lower case (`80/TCP`).
///
/// ## Why is this bad?
/// Protocols are lower case everywhere else (`-p 80:80/tcp`, the image config); mixed case is
/// read inconsistently by tools.
///
/// ## Example
/// ```dockerfile
/// EXPOSE 80/TCP
/// ```
///
/// ## Use instead
/// ```dockerfile
/// EXPOSE 80/tcp
/// ```
pub struct ExposeProtoCasing;

const META: RuleMeta = RuleMeta {
    name: "expose-proto-casing",
    severity: Severity::Style,
    category: Category::Style,
    aliases: &["ExposeProtoCasing"],
    summary: "EXPOSE protocol not in lower case",
    fix: Some("Lower-case the protocol"),
};

impl Rule for ExposeProtoCasing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn kinds(&self) -> &'static [&'static str] {
        &["expose"]
    }
    fn check(&self, cx: &Context, at: &At, out: &mut Vec<Diagnostic>) {
        let _ = cx;
        for t in at.ins.node.values() {
            if let Some((_, proto)) = t.text.split_once('/') {
                if proto != proto.to_ascii_lowercase() {
                    out.push(diagnostic(&META, t.span, format!("protocol {proto} should be lower case")).with_fix(
                        META.fix.unwrap_or_default(),
                        Applicability::Safe,
                        vec![Edit { span: t.span, text: t.text.to_ascii_lowercase() }],
                    ));
                }
            }
        }
    }
}
