use crate::dockerfile::{Item, Span};
use crate::lint::context::diagnostic;
use crate::lint::{Applicability, Category, Context, Diagnostic, Edit, Rule, RuleMeta, Severity};

/// ## What it does
/// Finds empty lines inside a continued instruction.
///
/// ## Why is this bad?
/// The builder skips them today but warns that they will become errors; they also make it hard to
/// see where an instruction ends. The fix deletes them.
///
/// ## Example
/// ```dockerfile
/// RUN apt-get update && \
///
///     apt-get install -y curl
/// ```
///
/// ## Use instead
/// ```dockerfile
/// RUN apt-get update && \
///     apt-get install -y curl
/// ```
pub struct NoEmptyContinuation;

const META: RuleMeta = RuleMeta {
    name: "no-empty-continuation",
    severity: Severity::Warning,
    category: Category::Style,
    aliases: &["NoEmptyContinuation"],
    summary: "empty line inside a continued instruction",
    fix: Some("Delete the empty lines"),
};

impl Rule for NoEmptyContinuation {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn check_file(&self, cx: &Context, out: &mut Vec<Diagnostic>) {
        for item in &cx.df.items {
            let Item::Instruction(ins) = item else { continue };
            if !ins.empty_continuation {
                continue;
            }
            // empty lines strictly inside the instruction, outside heredoc bodies
            let body_end = ins.heredocs.first().map_or(ins.span.end, |h| h.body.start);
            let text = &cx.df.source[ins.span.start..body_end];
            let mut edits = Vec::new();
            let mut offset = ins.span.start;
            let lines: Vec<&str> = text.split_inclusive('\n').collect();
            for (i, line) in lines.iter().enumerate() {
                if i > 0 && i + 1 < lines.len() && line.trim().is_empty() {
                    edits.push(Edit { span: Span::new(offset, offset + line.len()), text: String::new() });
                }
                offset += line.len();
            }
            let mut d = diagnostic(
                &META,
                cx.first_line_span(cx.instructions.iter().position(|i| i.span == ins.span).unwrap_or(0)),
                "empty continuation lines will become errors in a future release",
            );
            if !edits.is_empty() {
                d = d.with_fix(META.fix.unwrap_or_default(), Applicability::Safe, edits);
            }
            out.push(d);
        }
    }
}
