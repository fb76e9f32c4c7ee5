//! `imgslim analyze IMAGE`: where the bytes are.

use super::{load_dockerfile, located, ExitStatus};
use crate::cli::{AnalyzeArgs, ReportFormat};
use crate::printer::stdout;
use anyhow::Context;
use imgslim::analyze::{AnalyzeOptions, Progress};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A progress bar that appears only on a terminal and only once the work has taken half a second.
pub struct LazyBar {
    start: Instant,
    enabled: bool,
    bar: Mutex<Option<ProgressBar>>,
}

impl LazyBar {
    pub fn new(enabled: bool) -> Self {
        LazyBar { start: Instant::now(), enabled: enabled && std::io::stderr().is_terminal(), bar: Mutex::new(None) }
    }

    pub fn update(&self, p: Progress) {
        if !self.enabled || self.start.elapsed() < Duration::from_millis(500) {
            return;
        }
        let mut bar = self.bar.lock().unwrap_or_else(|e| e.into_inner());
        let b = bar.get_or_insert_with(|| {
            let b = ProgressBar::new(p.bytes);
            b.set_style(
                ProgressStyle::with_template("{spinner} reading layers {msg} [{bar:30}] {bytes}/{total_bytes}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            b
        });
        b.set_position(p.bytes_done);
        b.set_message(format!("{}/{}", p.layers_done, p.layers));
    }

    pub fn finish(&self) {
        if let Some(b) = self.bar.lock().unwrap_or_else(|e| e.into_inner()).take() {
            b.finish_and_clear();
        }
    }
}

/// Is the target a Dockerfile (an existing file that is not an image)?
fn is_dockerfile(target: &std::path::Path) -> bool {
    let image_extension =
        target.extension().is_some_and(|e| matches!(e.to_str(), Some("tar" | "tgz" | "gz" | "zst" | "oci")));
    target.is_file() && !image_extension && !imgslim::image::looks_like_image(target)
}

pub fn run(args: AnalyzeArgs) -> anyhow::Result<ExitStatus> {
    if is_dockerfile(&args.target) {
        return dockerfile(&args);
    }
    let shown = args.target.display().to_string();
    let spec = imgslim::sources::parse(&shown);
    let opened =
        imgslim::sources::open(&spec, &super::source_options(args.platform.as_deref(), &args.insecure_registry))
            .with_context(|| format!("cannot open image {shown}"))?;
    let dockerfile = match &args.dockerfile {
        Some(p) => {
            let (df, model) = load_dockerfile(p)?;
            Some((df, model.map_err(|e| located(p, &e))?))
        }
        None => None,
    };
    let bar = LazyBar::new(args.format == ReportFormat::Text);
    let progress = |p: Progress| bar.update(p);
    let opts = AnalyzeOptions {
        verify: args.verify,
        dockerfile: dockerfile.as_ref().map(|(d, m)| (d, m)),
        target: args.target_stage.as_deref(),
        progress: Some(&progress),
        threads: 0,
        inventory: false,
    };
    let report = opened.analyze(&opts);
    bar.finish();
    let report = report.with_context(|| format!("cannot analyze {}", args.target.display()))?;
    let mut out = stdout();
    match args.format {
        ReportFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &report)?;
            writeln!(out)?;
        }
        ReportFormat::Text => write!(out, "{}", imgslim::report::image::text(&report, args.top))?,
        ReportFormat::Markdown => write!(out, "{}", imgslim::report::image::markdown(&report, args.top))?,
    }
    out.flush()?;
    Ok(ExitStatus::Success)
}

/// `imgslim analyze Dockerfile`: lint with estimates, and what the image will roughly weigh.
fn dockerfile(args: &AnalyzeArgs) -> anyhow::Result<ExitStatus> {
    use imgslim::report::lint::{self as render, FileResult};
    let loaded = crate::settings::load(args.lint.config.as_deref())?;
    let cfg = crate::settings::lint_settings(&loaded, &args.lint.ignore, args.lint.failure_threshold.as_deref(), None)?;
    let (df, model) = load_dockerfile(&args.target)?;
    let model = model.map_err(|e| located(&args.target, &e))?;
    let mut settings = cfg.lint.clone();
    settings.context_dir = args.lint.context.clone().or_else(|| {
        Some(
            args.target
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(std::path::Path::new("."))
                .to_path_buf(),
        )
    });
    let result = imgslim::lint::lint(&df, &model, &settings);
    let mut estimate = imgslim::lint::estimate::estimate(&df, &model, &settings, &result.diagnostics);
    let proposal = imgslim::rewrite::plan(&df, &model, settings.context_dir.as_deref(), &Default::default());
    if let imgslim::rewrite::Outcome::Rewritten(p) = &proposal {
        estimate.rewrite_bytes = p.estimated_saving_bytes;
    }
    let path = args.target.display().to_string();
    let results =
        vec![FileResult { path: path.clone(), dockerfile: Some(df), diagnostics: result.diagnostics, error: None }];
    let mut out = stdout();
    let h = imgslim::units::human_bytes;
    match args.format {
        ReportFormat::Json => {
            let v = serde_json::json!({"file": path, "estimate": estimate, "rewrite": proposal, "findings": render::json(&results)});
            serde_json::to_writer_pretty(&mut out, &v)?;
            writeln!(out)?;
        }
        ReportFormat::Markdown => {
            writeln!(out, "### `{path}` (estimates)\n")?;
            writeln!(
                out,
                "| base image | installed packages | estimated image | avoidable (findings) |\n|---|---:|---:|---:|"
            )?;
            writeln!(
                out,
                "| `{}` {} | {} | {} | {} |\n",
                estimate.base_image,
                estimate.base_bytes.map(|b| format!("(~{})", h(b))).unwrap_or_default(),
                h(estimate.installed_bytes),
                estimate.image_bytes.map(h).unwrap_or_else(|| "unknown base".into()),
                h(estimate.findings_bytes)
            )?;
            write!(out, "{}", render::markdown(&results))?;
        }
        ReportFormat::Text => {
            writeln!(out, "{path}: estimates from the Dockerfile alone (build it and run `imgslim analyze IMAGE` for exact bytes)")?;
            writeln!(
                out,
                "  base image       {}{}",
                estimate.base_image,
                estimate.base_bytes.map(|b| format!(" (~{})", h(b))).unwrap_or_else(|| " (size unknown)".into())
            )?;
            writeln!(out, "  packages         ~{} installed by the final image's stages", h(estimate.installed_bytes))?;
            if let Some(b) = estimate.image_bytes {
                writeln!(out, "  image            ~{}", h(b))?;
            }
            writeln!(out, "  avoidable        ~{} by fixing the size findings below", h(estimate.findings_bytes))?;
            match &proposal {
                imgslim::rewrite::Outcome::Rewritten(p) => {
                    let saving = p.estimated_saving_bytes.map(|b| format!("~{} smaller: ", h(b))).unwrap_or_default();
                    writeln!(
                        out,
                        "  multi-stage      {saving}builder {} -> runtime {} (`imgslim rewrite {path}` writes it)",
                        p.builder_base, p.runtime_base
                    )?;
                    for c in &p.changes {
                        writeln!(
                            out,
                            "                   - {}{}",
                            c.line.map(|l| format!("line {l}: ")).unwrap_or_default(),
                            c.message
                        )?;
                    }
                    for a in &p.artifacts {
                        writeln!(out, "                   - copies {}: {}", a.from, a.why)?;
                    }
                }
                imgslim::rewrite::Outcome::AlreadyMultiStage { reason } => {
                    writeln!(out, "  multi-stage      {reason}")?
                }
                imgslim::rewrite::Outcome::Refused(r) => writeln!(out, "  multi-stage      no rewrite proposed: {r}")?,
            }
            writeln!(out)?;
            write!(out, "{}", render::text(&results, crate::printer::color()))?;
        }
    }
    out.flush()?;
    Ok(super::lint::status(&results, cfg.failure_threshold))
}
