//! `imgslim lint FILES...`: findings for many Dockerfiles at once, fixes in place or as a diff.

use super::{unified_diff, ExitStatus};
use crate::cli::{LintArgs, LintFormat};
use crate::printer::{color, stdout};
use crate::settings::{self, LintSettings};
use anyhow::Context as _;
use imgslim::dockerfile::{model, parse};
use imgslim::lint::{fix, Applicability, Severity};
use imgslim::report::lint::{self as render, FileResult};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

fn is_dockerfile_name(name: &str) -> bool {
    name == "Dockerfile"
        || name == "Containerfile"
        || name.starts_with("Dockerfile.")
        || name.ends_with(".Dockerfile")
        || name.ends_with(".dockerfile")
}

/// Files named on the command line, directories searched (hidden directories, node_modules and
/// target skipped; symlinks to directories are not followed, so a loop or a link to / ends the
/// walk there; only regular files are taken).
fn expand(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>, depth: usize) -> anyhow::Result<()> {
        if depth > imgslim::limits::MAX_NESTING {
            anyhow::bail!("{}: directories nested deeper than {}", dir.display(), imgslim::limits::MAX_NESTING);
        }
        let mut entries: Vec<_> =
            std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))?.flatten().collect();
        entries.sort_by_key(|e| e.path());
        for e in entries {
            let p = e.path();
            let name = e.file_name().to_string_lossy().into_owned();
            let Ok(ft) = e.file_type() else { continue };
            if ft.is_dir() {
                if !name.starts_with('.') && name != "node_modules" && name != "target" {
                    walk(&p, out, depth + 1)?;
                }
            } else if is_dockerfile_name(&name) && std::fs::metadata(&p).is_ok_and(|m| m.is_file()) {
                out.push(p);
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            walk(p, &mut out, 0)?;
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

pub struct Outcome {
    result: FileResult,
    /// (before, after) when fixes changed the file.
    changed: Option<(String, String)>,
    /// The file as it was read (to refuse replacing it if it changed since).
    identity: Option<crate::files::Identity>,
}

fn context_for(path: &Path, explicit: Option<&Path>) -> Option<PathBuf> {
    if let Some(c) = explicit {
        return Some(c.to_path_buf());
    }
    if path == Path::new("-") {
        return None;
    }
    Some(path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".")).to_path_buf())
}

fn lint_one(
    path: &Path,
    settings: &imgslim::lint::Settings,
    fixing: Option<Applicability>,
    size_warning: u64,
) -> anyhow::Result<Outcome> {
    let shown = if path == Path::new("-") { "<stdin>".to_string() } else { path.display().to_string() };
    let identity = if path == Path::new("-") { None } else { crate::files::Identity::of_path(path) };
    let bytes = super::read_input(path)?;
    let failed = |line: usize, msg: String, df| Outcome {
        result: FileResult { path: shown.clone(), dockerfile: df, diagnostics: Vec::new(), error: Some((line, msg)) },
        changed: None,
        identity: None,
    };
    let df = match parse(&bytes) {
        Ok(df) => df,
        Err(e) => return Ok(failed(e.line, e.message, None)),
    };
    let mut changed = None;
    let mut df = df;
    if let Some(allow) = fixing {
        if df.lossy {
            anyhow::bail!("{shown}: not valid UTF-8; imgslim does not rewrite it (fix the encoding first)");
        }
        let fixed = fix::fix_all(&df.source, settings, allow)
            .map_err(|e| anyhow::anyhow!("{shown}:{}: {}", e.line, e.message))?;
        if fixed.text != df.source {
            // the fixes' new lines take the file's line endings
            let text = crate::files::keep_line_endings(&df.source, &fixed.text);
            changed = Some((df.source.clone(), text));
            df = imgslim::dockerfile::parse_str(&fixed.text)
                .map_err(|e| anyhow::anyhow!("{shown}: fixed text does not parse: {}", e.message))?;
        }
    }
    let m = match model::build(&df) {
        Ok(m) => m,
        Err(e) => return Ok(failed(e.line, e.message, Some(df))),
    };
    if let Some(why) = imgslim::dockerfile::model::expand::limit_hit(&m, df.escape) {
        anyhow::bail!("{shown}: {why}");
    }
    // the findings as `analyze Dockerfile` accounts them: bytes claimed once, the builder-stage
    // advice as the rewrite planner decides, severity by size, largest first
    let bases = |r: &str| imgslim::analyze::base::lookup(r, false);
    let thresholds = imgslim::analyze::dockerfile::accounting::Thresholds { warning: size_warning };
    let analysis = imgslim::analyze::dockerfile::analyze(&df, &m, settings, &Default::default(), &bases, thresholds);
    Ok(Outcome {
        result: FileResult { path: shown, dockerfile: Some(df), diagnostics: analysis.diagnostics, error: None },
        changed,
        identity,
    })
}

/// Lint files in parallel; results in the order given.
fn lint_files(
    files: &[PathBuf],
    cfg: &LintSettings,
    explicit_context: Option<&Path>,
    fixing: Option<Applicability>,
) -> Vec<anyhow::Result<Outcome>> {
    let next = AtomicUsize::new(0);
    let results: Vec<Mutex<Option<anyhow::Result<Outcome>>>> = files.iter().map(|_| Mutex::new(None)).collect();
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get()).min(files.len().max(1));
    std::thread::scope(|s| {
        for _ in 0..threads {
            // parsing and linting recurse (bounded by limits::MAX_NESTING): room for it
            let spawned =
                std::thread::Builder::new().stack_size(imgslim::limits::THREAD_STACK_BYTES).spawn_scoped(s, || loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(path) = files.get(i) else { break };
                    let mut settings = cfg.lint.clone();
                    settings.context_dir = context_for(path, explicit_context);
                    let r = lint_one(path, &settings, fixing, cfg.size_warning);
                    *results[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(r);
                });
            if let Err(e) = spawned {
                eprintln!("imgslim: cannot start a worker thread: {e}");
            }
        }
    });
    results.into_iter().filter_map(|m| m.into_inner().unwrap_or_else(|e| e.into_inner())).collect()
}

pub fn run(args: LintArgs) -> anyhow::Result<ExitStatus> {
    let loaded = settings::load(args.options.config.as_deref())?;
    let cfg = settings::lint_settings(&loaded, &args.options.flags(), None)?;
    let files = expand(&args.files)?;
    if files.is_empty() {
        anyhow::bail!(
            "no Dockerfiles found in {}",
            args.files.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
        );
    }
    let fixing =
        (args.fix || args.diff).then_some(if args.unsafe_fixes { Applicability::Unsafe } else { Applicability::Safe });
    let outcomes = lint_files(&files, &cfg, args.options.context.as_deref(), fixing);
    let mut results = Vec::new();
    let mut diffs = String::new();
    let mut fatal = Vec::new();
    for (path, o) in files.iter().zip(outcomes) {
        match o {
            Ok(o) => {
                if let Some((before, after)) = &o.changed {
                    if args.diff {
                        diffs.push_str(&unified_diff(&o.result.path, before, after));
                    } else if path == Path::new("-") {
                        // fixing standard input prints the fixed file
                        let mut out = stdout();
                        out.write_all(after.as_bytes())?;
                        out.flush()?;
                    } else {
                        crate::files::write_output(path, after, o.identity.as_ref())?;
                    }
                }
                results.push(o.result);
            }
            Err(e) => fatal.push(e),
        }
    }
    if let Some(e) = fatal.into_iter().next() {
        return Err(e);
    }
    let mut out = stdout();
    if args.diff {
        write!(out, "{diffs}")?;
        out.flush()?;
        return Ok(if diffs.is_empty() { ExitStatus::Success } else { ExitStatus::Failure });
    }
    match args.format {
        LintFormat::Text => write!(out, "{}", render::text(&results, color()))?,
        LintFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &render::json(&results))?;
            writeln!(out)?;
        }
        LintFormat::Sarif => {
            serde_json::to_writer_pretty(&mut out, &render::sarif(&results))?;
            writeln!(out)?;
        }
        LintFormat::Github => write!(out, "{}", render::github(&results))?,
        LintFormat::Markdown => write!(out, "{}", render::markdown(&results))?,
        LintFormat::Junit => write!(out, "{}", render::junit(&results))?,
        LintFormat::Checkstyle => write!(out, "{}", render::checkstyle(&results))?,
        LintFormat::Tty => write!(out, "{}", imgslim::report::lint_compat::tty(&results, color()))?,
        LintFormat::Gnu => write!(out, "{}", imgslim::report::lint_compat::gnu(&results))?,
        LintFormat::Codeclimate => write!(out, "{}", imgslim::report::lint_compat::codeclimate(&results))?,
        LintFormat::Gitlab => {
            serde_json::to_writer_pretty(&mut out, &imgslim::report::lint_compat::gitlab(&results))?;
            writeln!(out)?;
        }
    }
    out.flush()?;
    if results.iter().any(|r| r.error.is_some()) {
        let n = results.iter().filter(|r| r.error.is_some()).count() as u64;
        return Err(anyhow::anyhow!("{} could not be parsed", imgslim::units::count(n, "file")));
    }
    Ok(status(&results, cfg.failure_threshold))
}

/// 1 when a finding reaches the threshold.
pub fn status(results: &[FileResult], threshold: Option<Severity>) -> ExitStatus {
    let failing = threshold.is_some_and(|t| results.iter().flat_map(|r| &r.diagnostics).any(|d| d.severity >= t));
    if failing {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    }
}
