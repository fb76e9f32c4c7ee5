use super::*;
use crate::data::estimates;
use crate::dockerfile::model::Kind;
use crate::lint::context::diagnostic;
use crate::lint::{Category, Diagnostic, Rule, RuleMeta, Severity};
use std::path::Path;

/// ## What it does
/// Finds `COPY .`/`ADD .` (the whole build context) when the context has no `.dockerignore`.
///
/// ## Why is this bad?
/// Everything in the directory goes into the image: `.git`, `node_modules`, virtual
/// environments, build output, local secrets. The estimate is the size of those directories in
/// the context as it is now.
///
/// ## Example
/// ```dockerfile
/// COPY . /app
/// ```
///
/// ## Use instead
/// A `.dockerignore` next to the Dockerfile:
/// ```text
/// .git
/// node_modules
/// __pycache__
/// ```
pub struct MissingDockerignore;

const META: RuleMeta = RuleMeta {
    name: "missing-dockerignore",
    severity: Severity::Warning,
    category: Category::Size,
    aliases: &[],
    summary: "the whole context is copied and there is no .dockerignore",
    fix: None,
};

const HEAVY: &[&str] = &[
    ".git",
    "node_modules",
    "__pycache__",
    ".venv",
    "venv",
    "target",
    "dist",
    "build",
    ".pytest_cache",
    ".mypy_cache",
    ".tox",
    "coverage",
    ".next",
    ".gradle",
    ".idea",
    ".cache",
];

/// Bytes under a directory (bounded walk).
fn dir_bytes(dir: &Path, budget: &mut usize) -> u64 {
    let Ok(rd) = std::fs::read_dir(dir) else { return 0 };
    let mut total = 0;
    for e in rd.flatten() {
        if *budget == 0 {
            break;
        }
        *budget -= 1;
        let Ok(m) = e.path().symlink_metadata() else { continue };
        if m.is_dir() {
            total += dir_bytes(&e.path(), budget);
        } else if m.is_file() {
            total += m.len();
        }
    }
    total
}

impl Rule for MissingDockerignore {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn check_file(&self, cx: &Context, out: &mut Vec<Diagnostic>) {
        if cx.dockerignore.is_some() {
            return;
        }
        let Some(first) = cx.model.stages.iter().flat_map(|s| &s.commands).find(|c| {
            matches!(&c.kind, Kind::Copy(cp) if cp.from.is_none() && cp.sources.iter().any(|s| matches!(s.trim_end_matches('/'), "." | "")))
        }) else {
            return;
        };
        let (bytes, how, found) = match &cx.settings.context_dir {
            Some(dir) if dir.is_dir() => {
                let mut budget = 200_000;
                let found: Vec<(&str, u64)> =
                    HEAVY.iter().map(|h| (*h, dir_bytes(&dir.join(h), &mut budget))).filter(|(_, b)| *b > 0).collect();
                let total = found.iter().map(|(_, b)| b).sum::<u64>();
                (total, "measured: directories in the build context an image does not need".to_string(), found)
            }
            _ => (
                estimates().context.unknown,
                "typical repository content an image does not need (context not available)".into(),
                Vec::new(),
            ),
        };
        if bytes == 0 && cx.settings.context_dir.is_some() {
            return;
        }
        let listed = if found.is_empty() {
            String::new()
        } else {
            format!(": {}", found.iter().map(|(n, b)| format!("{n} ({})", human(*b))).collect::<Vec<_>>().join(", "))
        };
        out.push(
            diagnostic(
                &META,
                cx.first_line_span(first.instruction),
                format!("no .dockerignore: the whole context goes into the image{listed}"),
            )
            .with_estimate(bytes, how),
        );
    }
}
