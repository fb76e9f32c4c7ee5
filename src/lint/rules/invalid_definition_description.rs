use crate::dockerfile::model::Kind;
use crate::lint::context::diagnostic;
use crate::lint::{Category, Context, Diagnostic, Rule, RuleMeta, Severity};

/// ## What it does
/// Finds a comment right above `ARG` or a named `FROM` that does not start with the name it
/// documents (`# NAME description`).
///
/// ## Why is this bad?
/// Tools (`docker buildx build --call=outline`) read such comments as the description of the
/// argument or stage; one that starts otherwise is shown wrongly. Separate unrelated comments with
/// an empty line.
///
/// ## Example
/// ```dockerfile
/// # version of the app
/// ARG VERSION=1.0
/// ```
///
/// ## Use instead
/// ```dockerfile
/// # VERSION of the app
/// ARG VERSION=1.0
/// ```
pub struct InvalidDefinitionDescription;

const META: RuleMeta = RuleMeta {
    name: "invalid-definition-description",
    severity: Severity::Style,
    category: Category::Style,
    aliases: &["InvalidDefinitionDescription"],
    summary: "a description comment does not start with the name it describes",
    fix: None,
};

impl Rule for InvalidDefinitionDescription {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn check_file(&self, cx: &Context, out: &mut Vec<Diagnostic>) {
        let mut check = |instruction: usize, names: Vec<String>, what: &str| {
            let ins = cx.instructions[instruction];
            let Some(last) = ins.comments.last() else { return };
            let first = last.split(' ').next().unwrap_or("");
            if names.is_empty()
                || names.iter().any(|n| n == first)
                || last.starts_with("imgslim")
                || last.starts_with("hadolint")
                || last.starts_with("syntax")
            {
                return;
            }
            let example = if names.len() == 1 { names[0].clone() } else { "<arg_key>".into() };
            out.push(diagnostic(
                &META,
                cx.first_line_span(instruction),
                format!("Comment for {what} should follow the format: `# {example} <description>`"),
            ));
        };
        for c in cx.model.meta_args.iter().chain(cx.model.stages.iter().flat_map(|s| &s.commands)) {
            if let Kind::Arg { args } = &c.kind {
                check(c.instruction, args.iter().map(|a| a.key.clone()).collect(), "ARG");
            }
        }
        for st in &cx.model.stages {
            if let Some(n) = &st.name_token {
                check(st.instruction, vec![n.text.clone()], "build stage");
            }
        }
    }
}
