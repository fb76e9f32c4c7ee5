use crate::data::ImageRef;
use crate::lint::context::diagnostic;
use crate::lint::{Category, Context, Diagnostic, Rule, RuleMeta, Severity};

/// ## What it does
/// Finds FROM without a tag or with `:latest` (stages of the same file and `scratch` excepted).
///
/// ## Why is this bad?
/// The image changes under you: the next build may get another OS release, another language
/// version, another size. Pin a version tag, ideally with its digest.
///
/// ## Example
/// ```dockerfile
/// FROM python
/// ```
///
/// ## Use instead
/// ```dockerfile
/// FROM python:3.11-slim
/// ```
pub struct BaseImageTag;

const META: RuleMeta = RuleMeta {
    name: "base-image-tag",
    severity: Severity::Warning,
    category: Category::Correctness,
    aliases: &["DL3006", "DL3007"],
    summary: "base image without a tag or with :latest",
    fix: None,
};

impl Rule for BaseImageTag {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn check_file(&self, cx: &Context, out: &mut Vec<Diagnostic>) {
        for st in &cx.model.stages {
            let base = cx.base_image(st.index);
            // an empty name comes from an ARG without a default: it is given at build time
            if base.is_empty()
                || base == "scratch"
                || base.contains('$')
                || cx.model.stage_ref(&base, st.index).is_some()
            {
                continue;
            }
            let r = ImageRef::parse(&base);
            if r.digest.is_some() {
                continue;
            }
            let msg = match r.tag.as_deref() {
                None => format!("{base} has no tag: pin a version"),
                Some("latest") => format!("{base} uses the latest tag: pin a version"),
                _ => continue,
            };
            out.push(diagnostic(&META, st.base.span, msg));
        }
    }
}
