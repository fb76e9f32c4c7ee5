use crate::dockerfile::model::expand::is_predefined;
use crate::lint::context::diagnostic;
use crate::lint::{Category, Context, Diagnostic, Rule, RuleMeta, Severity};

/// ## What it does
/// Finds variables in FROM (image or `--platform`) that no ARG before the first FROM declares
/// and that are not predefined (`TARGETPLATFORM`, `BUILDPLATFORM`, ...).
///
/// ## Why is this bad?
/// FROM only sees global ARGs. An undeclared variable expands to nothing, and the stage is built
/// from another image than intended (or the build fails).
///
/// ## Example
/// ```dockerfile
/// FROM node:${NODE_VERSION}-slim
/// ```
///
/// ## Use instead
/// ```dockerfile
/// ARG NODE_VERSION=20
/// FROM node:${NODE_VERSION}-slim
/// ```
pub struct UndefinedArgInFrom;

const META: RuleMeta = RuleMeta {
    name: "undefined-arg-in-from",
    severity: Severity::Warning,
    category: Category::Correctness,
    aliases: &["UndefinedArgInFrom"],
    summary: "FROM uses an undeclared ARG",
    fix: None,
};

impl Rule for UndefinedArgInFrom {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn check_file(&self, cx: &Context, out: &mut Vec<Diagnostic>) {
        let Some(scope) = &cx.scope else { return };
        let declared: Vec<&str> = cx
            .model
            .meta_args
            .iter()
            .flat_map(|c| match &c.kind {
                crate::dockerfile::model::Kind::Arg { args } => args.iter().map(|a| a.key.as_str()).collect::<Vec<_>>(),
                _ => Vec::new(),
            })
            .collect();
        for st in &cx.model.stages {
            let mut words = vec![st.base.text.as_str()];
            words.extend(st.platform.as_deref());
            for w in words {
                let Ok(p) = scope.lex().process(w, &scope.global) else { continue };
                for name in p.unmatched.iter().chain(p.matched.iter()) {
                    if !declared.contains(&name.as_str()) && !is_predefined(name) {
                        out.push(diagnostic(
                            &META,
                            cx.first_line_span(st.instruction),
                            format!("FROM uses ${name}, which no ARG before the first FROM declares"),
                        ));
                    }
                }
            }
        }
    }
}
