//! A Dockerfile-only estimate of the image size and of what fixing its findings would save.
//! Everything here is an estimate; `imgslim analyze IMAGE` measures.

use super::context::Context;
use super::rules::{is_apt, packages};
use super::{Category, Diagnostic, Settings};
use crate::data::{debian_install_size, BaseImage, ImageRef};
use crate::dockerfile::model::{Kind, Model};
use crate::dockerfile::Dockerfile;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Estimate {
    /// The final stage's base image and its typical size, when known.
    pub base_image: String,
    pub base_bytes: Option<u64>,
    /// Packages the final image's stages install (Debian packages known to rules/).
    pub installed_bytes: u64,
    /// Bytes the size findings say are avoidable.
    pub findings_bytes: u64,
    /// base + installed (what the image will roughly weigh).
    pub image_bytes: Option<u64>,
    /// What a multi-stage rewrite would save (filled in by the rewrite planner when it applies).
    pub rewrite_bytes: Option<u64>,
}

pub fn estimate(df: &Dockerfile, model: &Model, settings: &Settings, diagnostics: &[Diagnostic]) -> Estimate {
    let cx = Context::new(df, model, settings);
    let final_stage = cx.final_stage();
    let mut installed = 0;
    for (si, st) in model.stages.iter().enumerate() {
        if !cx.in_final_image(si) {
            continue;
        }
        for c in &st.commands {
            if !matches!(c.kind, Kind::Run(_)) {
                continue;
            }
            let Some(s) = cx.script(c.instruction) else { continue };
            for cmd in s.effective() {
                if is_apt(&cmd, &["install"]) {
                    let pkgs = packages(&cmd);
                    let names: Vec<&str> = pkgs.iter().map(String::as_str).collect();
                    let recommends = !cmd.has_flag(&["--no-install-recommends"]);
                    installed += debian_install_size(&names, recommends).0;
                }
            }
        }
    }
    let base_image = if model.stages.is_empty() { String::new() } else { cx.base_image(final_stage) };
    // a stage FROM another stage starts from that stage's base
    let mut root = final_stage;
    while let Some(p) = model.stages.get(root).and_then(|_| model.stage_ref(&cx.base_image(root), root)) {
        root = p;
    }
    let root_base = if model.stages.is_empty() { String::new() } else { cx.base_image(root) };
    let r = ImageRef::parse(&root_base);
    let base_bytes = if root_base == "scratch" {
        Some(0)
    } else {
        BaseImage::find(&r).map(|b| {
            let tag = r.tag.as_deref().unwrap_or("");
            if crate::data::is_small_tag(tag) && b.slim_bytes > 0 {
                b.slim_bytes
            } else {
                b.bytes
            }
        })
    };
    let findings_bytes =
        diagnostics.iter().filter(|d| d.category == Category::Size).filter_map(|d| d.estimated_bytes).sum();
    Estimate {
        base_image,
        base_bytes,
        installed_bytes: installed,
        findings_bytes,
        image_bytes: base_bytes.map(|b| b + installed),
        rewrite_bytes: None,
    }
}
