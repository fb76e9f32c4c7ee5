use crate::dockerfile::Args;
use crate::dockerfile::Span;
use crate::lint::context::diagnostic;
use crate::lint::{Applicability, At, Category, Context, Diagnostic, Edit, Rule, RuleMeta, Severity};

/// ## What it does
/// Finds ENV and LABEL in the legacy `KEY value` form.
///
/// ## Why is this bad?
/// The legacy form sets one variable to the whole rest of the line, so `ENV A 1 B 2` sets `A` to
/// `1 B 2`. The `KEY=value` form is unambiguous. The fix rewrites simple values.
///
/// ## Example
/// ```dockerfile
/// ENV PYTHONUNBUFFERED 1
/// ```
///
/// ## Use instead
/// ```dockerfile
/// ENV PYTHONUNBUFFERED=1
/// ```
pub struct LegacyKeyValueFormat;

const META: RuleMeta = RuleMeta {
    name: "legacy-key-value-format",
    severity: Severity::Warning,
    category: Category::Style,
    aliases: &["LegacyKeyValueFormat"],
    summary: "ENV or LABEL in the legacy KEY value form",
    fix: Some("Use KEY=value"),
};

impl Rule for LegacyKeyValueFormat {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn kinds(&self) -> &'static [&'static str] {
        &["env", "label"]
    }
    fn check(&self, cx: &Context, at: &At, out: &mut Vec<Diagnostic>) {
        let Args::Pairs { pairs, legacy: true } = &at.ins.node.args else { return };
        let Some(p) = pairs.first() else { return };
        let kw = at.ins.keyword().to_uppercase();
        let mut d = diagnostic(
            &META,
            cx.first_line_span(at.cmd.instruction),
            format!("\"{kw} key=value\" should be used instead of legacy \"{kw} key value\" format"),
        );
        let v = &p.value.text;
        if !v.contains(['"', '\'', '\\', '\n', '$', '`']) && p.value.span.start > p.key.span.end {
            let value = if v.contains(char::is_whitespace) { format!("\"{v}\"") } else { v.clone() };
            let span = Span::new(p.key.span.start, p.value.span.end);
            d = d.with_fix(
                META.fix.unwrap_or_default(),
                Applicability::Safe,
                vec![Edit { span, text: format!("{}={value}", p.key.text) }],
            );
        }
        out.push(d);
    }
}
