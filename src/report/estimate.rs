//! The summary of `imgslim analyze Dockerfile`: the estimated image by cause, what the findings
//! can save, and the image after the rewrite (text and Markdown; JSON is the Accounting itself).

use crate::analyze::base::BaseSource;
use crate::analyze::dockerfile::accounting::Accounting;
use crate::lint::{Category, Diagnostic};
use crate::rewrite::Outcome;
use crate::units::human_bytes as h;
use std::fmt::Write;

fn source(s: BaseSource) -> &'static str {
    match s {
        BaseSource::Local => "read from local storage",
        BaseSource::Registry => "from its registry",
        BaseSource::Table => "typical size, rules/base-images.toml",
        BaseSource::Unknown => "size unknown",
    }
}

/// Avoidable bytes by finding (largest first).
fn avoidable(diagnostics: &[Diagnostic]) -> Vec<(&'static str, String, u64)> {
    let mut v: Vec<(&'static str, String, u64)> = diagnostics
        .iter()
        .filter(|d| d.category == Category::Size)
        .filter_map(|d| d.estimated_bytes.filter(|&b| b > 0).map(|b| (d.code, d.name.to_string(), b)))
        .collect();
    v.sort_by_key(|x| std::cmp::Reverse(x.2));
    v
}

pub fn text(path: &str, a: &Accounting, outcome: &Outcome, diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{path}: estimates from the Dockerfile alone (build it and run `imgslim analyze IMAGE` for exact bytes)"
    );
    let base = a.base_bytes.map(|b| format!("~{}, ", h(b))).unwrap_or_default();
    let _ = writeln!(out, "  base image       {} ({base}{})", a.base_image, source(a.base_source));
    match a.image_bytes {
        Some(b) => {
            let _ = writeln!(out, "  image            ~{}", h(b));
        }
        None => {
            let _ = writeln!(out, "  image            unknown (the base image's size is not known)");
        }
    }
    for c in a.by_cause.iter().filter(|c| c.bytes > 0) {
        let _ = writeln!(out, "    {:<22} ~{}", c.cause.as_str(), h(c.bytes));
    }
    let _ = writeln!(out, "  avoidable        ~{} by fixing the size findings below", h(a.findings_bytes));
    for (code, name, b) in avoidable(diagnostics) {
        let _ = writeln!(out, "    {code} {name:<26} ~{}", h(b));
    }
    match outcome {
        Outcome::Rewritten(p) => {
            let after = a.rewrite_image_bytes.map(|b| format!("~{}", h(b))).unwrap_or_else(|| "unknown".into());
            let saving = a.rewrite_bytes.map(|b| format!(", ~{} smaller", h(b))).unwrap_or_default();
            let _ = writeln!(
                out,
                "  after rewrite    {after}{saving}: builder {} -> runtime {} (`imgslim rewrite {path}` writes it)",
                p.builder_base, p.runtime_base
            );
            for c in &p.changes {
                let _ = writeln!(
                    out,
                    "                   - {}{}",
                    c.line.map(|l| format!("line {l}: ")).unwrap_or_default(),
                    c.message
                );
            }
            for art in &p.artifacts {
                let _ = writeln!(out, "                   - copies {}: {}", art.from, art.why);
            }
        }
        Outcome::AlreadyMultiStage { reason } => {
            let _ = writeln!(out, "  multi-stage      {reason}");
        }
        Outcome::Refused(r) => {
            let _ = writeln!(out, "  multi-stage      no rewrite proposed: {r}");
        }
    }
    out.push('\n');
    out
}

pub fn markdown(path: &str, a: &Accounting, outcome: &Outcome, diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "### `{path}` (estimates)\n");
    let _ = writeln!(out, "| | estimated |\n|---|---:|");
    let _ = writeln!(
        out,
        "| base image `{}` ({}) | {} |",
        a.base_image,
        source(a.base_source),
        a.base_bytes.map(h).unwrap_or_else(|| "unknown".into())
    );
    let _ = writeln!(out, "| **image** | **{}** |", a.image_bytes.map(h).unwrap_or_else(|| "unknown".into()));
    for c in a.by_cause.iter().filter(|c| c.bytes > 0) {
        let _ = writeln!(out, "| &nbsp;&nbsp;{} | {} |", c.cause.as_str(), h(c.bytes));
    }
    let _ = writeln!(out, "| **avoidable** (size findings) | **{}** |", h(a.findings_bytes));
    for (code, name, b) in avoidable(diagnostics) {
        let _ = writeln!(out, "| &nbsp;&nbsp;{code} {name} | {} |", h(b));
    }
    match (outcome, a.rewrite_image_bytes) {
        (Outcome::Rewritten(p), Some(after)) => {
            let _ = writeln!(out, "| **after the rewrite** (runtime `{}`) | **{}** |", p.runtime_base, h(after));
        }
        (Outcome::Refused(r), _) => {
            let _ = writeln!(out, "\nNo rewrite proposed: {r}");
        }
        _ => {}
    }
    out.push('\n');
    out
}
