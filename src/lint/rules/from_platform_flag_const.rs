use crate::lint::context::diagnostic;
use crate::lint::{Category, Context, Diagnostic, Rule, RuleMeta, Severity};

/// ## What it does
/// Finds `FROM --platform=` with a constant value (no variable), unless the stage name mentions
/// the platform's OS or architecture.
///
/// ## Why is this bad?
/// The stage always builds for that platform: a multi-platform build of this Dockerfile
/// silently produces the wrong architecture. Use `$BUILDPLATFORM`/`$TARGETPLATFORM`, or pass
/// `--platform` on the command line.
///
/// ## Example
/// ```dockerfile
/// FROM --platform=linux/amd64 alpine AS base
/// ```
///
/// ## Use instead
/// ```dockerfile
/// FROM --platform=$BUILDPLATFORM alpine AS base
/// ```
pub struct FromPlatformFlagConst;

const META: RuleMeta = RuleMeta {
    name: "from-platform-flag-const",
    severity: Severity::Warning,
    category: Category::Correctness,
    aliases: &["FromPlatformFlagConstDisallowed", "DL3029"],
    summary: "FROM --platform with a constant value",
    fix: None,
};

impl Rule for FromPlatformFlagConst {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn check_file(&self, cx: &Context, out: &mut Vec<Diagnostic>) {
        for st in &cx.model.stages {
            let Some(p) = st.platform.as_deref().filter(|p| !p.contains('$')) else { continue };
            let mut parts = p.split('/');
            let (os, arch) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
            let name = st.name.as_deref().unwrap_or("");
            if !os.is_empty() && (name.contains(os) || (!arch.is_empty() && name.contains(arch))) {
                continue;
            }
            out.push(diagnostic(
                &META,
                cx.first_line_span(st.instruction),
                format!("FROM --platform flag should not use constant value {p:?}"),
            ));
        }
    }
}
