use crate::data::{is_small_tag, BaseImage, ImageRef};
use crate::lint::context::diagnostic;
use crate::lint::rules::human;
use crate::lint::{Applicability, Category, Context, Diagnostic, Edit, Rule, RuleMeta, Severity};

/// ## What it does
/// Finds a final stage built on the full variant of an official image that has a slim one
/// (`python:3.11` has `python:3.11-slim`, `node:18` has `node:18-slim`).
///
/// ## Why is this bad?
/// The full variants carry compilers, headers and tools for building (python:3.11 is about
/// 1 GB, python:3.11-slim about 130 MB). If the program needs no compiler at run time, the slim
/// variant runs it. If it needs one to build, build in a builder stage (imgslim rewrite).
///
/// ## Example
/// ```dockerfile
/// FROM python:3.11
/// ```
///
/// ## Use instead
/// ```dockerfile
/// FROM python:3.11-slim
/// ```
pub struct FatBaseImage;

const META: RuleMeta = RuleMeta {
    name: "fat-base-image",
    severity: Severity::Info,
    category: Category::Size,
    aliases: &[],
    summary: "the final stage uses a full image that has a slim variant",
    fix: Some("Use the slim variant"),
};

impl Rule for FatBaseImage {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn check_file(&self, cx: &Context, out: &mut Vec<Diagnostic>) {
        let Some(st) = cx.model.final_stage() else { return };
        if cx.model.stage_ref(&st.base.text, st.index).is_some() {
            return;
        }
        let r = ImageRef::parse(&cx.base_image(st.index));
        let Some(tag) = r.tag.as_deref().filter(|t| !is_small_tag(t)) else { return };
        let Some(base) = BaseImage::find(&r) else { return };
        // only a tag the repository publishes (rules/base-images.toml's variants)
        let Some(slim) = base.slim_for(tag).filter(|s| crate::data::published(s)) else {
            return;
        };
        let slim_ref = ImageRef::parse(&slim);
        let slim_bytes = BaseImage::find(&slim_ref).map_or(0, |b| b.bytes_for(slim_ref.tag.as_deref().unwrap_or("")));
        if slim_bytes == 0 || base.bytes <= slim_bytes {
            return;
        }
        let bytes = base.bytes - slim_bytes;
        let mut d = diagnostic(
            &META,
            st.base.span,
            format!("{} is the full image; {slim} is about {} smaller", st.base.text, human(bytes)),
        )
        .with_estimate(bytes, "typical sizes of the two variants (rules/base-images.toml)");
        if !st.base.text.contains('$') {
            // the slim variant lacks compilers: a build in this stage may need them
            d = d.with_fix(
                META.fix.unwrap_or_default(),
                Applicability::Unsafe,
                vec![Edit { span: st.base.span, text: slim }],
            );
        }
        out.push(d);
    }
}
