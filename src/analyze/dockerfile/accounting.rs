//! One accounting for a Dockerfile: each size finding claims the parts of the estimate it is
//! about (the apt lists of its RUN, the full base variant, the build packages of its line...), a
//! byte is claimed once, and "build in a builder stage" gets what the rewrite saves beyond the
//! other findings. So the avoidable bytes never exceed the image, and the multi-stage saving is
//! the one `imgslim rewrite` prints. Severity follows bytes and size findings come largest first.

use super::{Cause, ImageEstimate, Part};
use crate::dockerfile::syntax::instruction_at;
use crate::dockerfile::Dockerfile;
use crate::lint::{Category, Diagnostic, Severity};
use crate::rewrite::{Outcome, RefusalKind};
use serde::Serialize;
use std::collections::HashMap;

/// Size thresholds for the severity of size findings.
#[derive(Debug, Clone, Copy)]
pub struct Thresholds {
    /// At or above: warning; below: info.
    pub warning: u64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds { warning: 100_000_000 }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct CauseBytes {
    pub cause: Cause,
    pub bytes: u64,
}

/// What `analyze Dockerfile` reports as its `estimate`.
#[derive(Debug, Clone, Serialize)]
pub struct Accounting {
    pub base_image: String,
    pub base_bytes: Option<u64>,
    /// Where the base image's figures came from: local, registry, table (or unknown).
    pub base_source: super::BaseSource,
    pub image_bytes: Option<u64>,
    /// The sum of the size findings' bytes (never more than the image).
    pub findings_bytes: u64,
    /// The image by cause, largest first.
    pub by_cause: Vec<CauseBytes>,
    /// What the multi-stage rewrite saves, when it applies (the figure `imgslim rewrite` prints).
    pub rewrite_bytes: Option<u64>,
    /// The image after the rewrite.
    pub rewrite_image_bytes: Option<u64>,
    pub parts: Vec<super::Part>,
}

/// The rules whose advice is a builder stage.
const BUILDER_STAGE: &[&str] = &["IS108", "IS109"];

/// The parts a finding could claim, found by index (every finding scanning every part would
/// make a file of many instructions quadratic).
struct PartIndex {
    by_instruction: HashMap<usize, Vec<usize>>,
    by_remover: HashMap<usize, Vec<usize>>,
    by_cause: HashMap<Cause, Vec<usize>>,
}

impl PartIndex {
    fn new(parts: &[Part]) -> Self {
        let mut ix = PartIndex { by_instruction: HashMap::new(), by_remover: HashMap::new(), by_cause: HashMap::new() };
        for (k, p) in parts.iter().enumerate() {
            ix.by_instruction.entry(p.instruction).or_default().push(k);
            if let Some(r) = p.removed_by {
                ix.by_remover.entry(r).or_default().push(k);
            }
            ix.by_cause.entry(p.cause).or_default().push(k);
        }
        ix
    }

    fn candidates(&self, code: &str, at: Option<usize>) -> &[usize] {
        let found = match code {
            "IS107" => self.by_cause.get(&Cause::DevDependencies),
            "IS111" => self.by_cause.get(&Cause::Sources),
            "IS112" => self.by_cause.get(&Cause::FatBase),
            "IS110" => at.and_then(|a| self.by_remover.get(&a)),
            _ => at.and_then(|a| self.by_instruction.get(&a)),
        };
        found.map_or(&[], Vec::as_slice)
    }
}

/// Which parts a finding is about.
fn claims(code: &str, cause: Cause, part_instruction: usize, removed_by: Option<usize>, at: Option<usize>) -> bool {
    let here = Some(part_instruction) == at;
    match code {
        "IS101" => here && cause == Cause::Recommends,
        "IS102" | "IS103" => here && cause == Cause::PackageLists,
        "IS104" => here && cause == Cause::PackageCache,
        "IS105" | "IS106" => here && cause == Cause::DependencyCache,
        "IS107" => cause == Cause::DevDependencies,
        "IS109" => here && cause == Cause::BuildPackages,
        "IS110" => removed_by.is_some() && removed_by == at,
        "IS111" => cause == Cause::Sources,
        "IS112" => cause == Cause::FatBase,
        _ => false,
    }
}

/// Reconcile the findings with the estimate: bytes, severities, order, and the builder-stage
/// advice made to agree with the planner. `overridden` says whether the user set a rule's
/// severity (then it is kept).
pub fn reconcile(
    df: &Dockerfile,
    estimate: &ImageEstimate,
    rewrite: Option<&ImageEstimate>,
    outcome: &Outcome,
    diagnostics: &mut Vec<Diagnostic>,
    thresholds: Thresholds,
    overridden: &dyn Fn(&str) -> bool,
) -> Accounting {
    let image = estimate.image_bytes.unwrap_or(0);
    let rewrite_image = rewrite.and_then(|r| r.image_bytes).filter(|_| estimate.image_bytes.is_some());
    let rewrite_bytes = rewrite_image.map(|r| image.saturating_sub(r));
    let no_gain = match outcome {
        Outcome::Refused(r) => matches!(r.kind, RefusalKind::NothingToGain | RefusalKind::NotAProgram),
        Outcome::Rewritten(_) => rewrite_bytes == Some(0),
        Outcome::AlreadyMultiStage { .. } => false,
    };
    // the planner's decision for the builder-stage advice
    match outcome {
        Outcome::Refused(_) if no_gain => diagnostics.retain(|d| !BUILDER_STAGE.contains(&d.code)),
        Outcome::Refused(r) => {
            for d in diagnostics.iter_mut().filter(|d| BUILDER_STAGE.contains(&d.code)) {
                d.message.push_str(&format!(" (imgslim rewrite does not do this one yet: {})", r.message));
            }
        }
        Outcome::Rewritten(_) if no_gain => diagnostics.retain(|d| !BUILDER_STAGE.contains(&d.code)),
        _ => {}
    }
    let parts = &estimate.parts;
    let mut free: Vec<u64> = parts.iter().map(|p| p.bytes).collect();
    let mut unclaimed = estimate.image_bytes.unwrap_or(u64::MAX);
    // the specific findings first, the builder stage (which subsumes them) last
    let order = |d: &Diagnostic| match d.code {
        "IS108" => 2,
        "IS112" | "IS111" => 1,
        _ => 0,
    };
    let mut idx: Vec<usize> = (0..diagnostics.len()).filter(|&i| diagnostics[i].category == Category::Size).collect();
    idx.sort_by_key(|&i| (order(&diagnostics[i]), diagnostics[i].span.start));
    let mut claimed_total = 0u64;
    let spans = df.instruction_spans();
    let index = PartIndex::new(parts);
    for i in idx {
        let d = &mut diagnostics[i];
        let at = instruction_at(&spans, d.span.start);
        let own = d.estimated_bytes.unwrap_or(0);
        let mut got = 0u64;
        if d.code == "IS108" {
            got = rewrite_bytes.unwrap_or(own).saturating_sub(claimed_total).min(unclaimed);
            if let Some(total) = rewrite_bytes {
                d.message.push_str(&format!(" (the rewrite: ~{} smaller in all)", crate::units::human_bytes(total)));
            }
        } else {
            for &k in index.candidates(d.code, at) {
                let p = &parts[k];
                if free[k] > 0 && claims(d.code, p.cause, p.instruction, p.removed_by, at) {
                    let take = if d.code == "IS111" { free[k].min(own.saturating_sub(got)) } else { free[k] };
                    free[k] -= take;
                    got += take;
                }
            }
            if got == 0
                && !matches!(
                    d.code,
                    "IS101" | "IS102" | "IS103" | "IS104" | "IS105" | "IS106" | "IS107" | "IS109" | "IS112"
                )
            {
                // a finding the ledger has no part for keeps its own figure, within what is left
                got = own.min(unclaimed);
            }
        }
        if estimate.image_bytes.is_some() || got > 0 {
            // the rule's own figure in its message becomes the accounted one
            if own != got {
                let (before, after) = (crate::units::human_bytes(own), crate::units::human_bytes(got));
                d.message = d.message.replace(&before, &after);
            }
            d.estimated_bytes = Some(got);
        }
        unclaimed = unclaimed.saturating_sub(got);
        claimed_total += got;
        if !overridden(d.code) && d.estimated_bytes.is_some() {
            d.severity = if got >= thresholds.warning { Severity::Warning } else { Severity::Info };
        }
    }
    // a finding whose bytes are all someone else's says nothing new about size
    diagnostics.retain(|d| d.category != Category::Size || d.estimated_bytes != Some(0) || d.fix.is_some());
    sort_by_bytes(diagnostics);
    let mut by: Vec<CauseBytes> = Vec::new();
    for p in parts {
        match by.iter_mut().find(|c| c.cause == p.cause) {
            Some(c) => c.bytes += p.bytes,
            None => by.push(CauseBytes { cause: p.cause, bytes: p.bytes }),
        }
    }
    by.sort_by_key(|c| std::cmp::Reverse(c.bytes));
    Accounting {
        base_image: estimate.base_image.clone(),
        base_bytes: estimate.base_bytes,
        base_source: estimate.base_source,
        image_bytes: estimate.image_bytes,
        findings_bytes: diagnostics
            .iter()
            .filter(|d| d.category == Category::Size)
            .filter_map(|d| d.estimated_bytes)
            .sum::<u64>(),
        by_cause: by,
        rewrite_bytes: rewrite_bytes.filter(|_| !no_gain),
        rewrite_image_bytes: rewrite_image.filter(|_| !no_gain),
        parts: parts.clone(),
    }
}

/// Size findings first, largest first; the others after them in file order.
pub fn sort_by_bytes(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        let key = |d: &Diagnostic| {
            if d.category == Category::Size {
                (0, u64::MAX - d.estimated_bytes.unwrap_or(0), d.span.start)
            } else {
                (1, 0, d.span.start)
            }
        };
        key(a).cmp(&key(b))
    });
}
