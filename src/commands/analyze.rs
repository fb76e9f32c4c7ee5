//! `imgslim analyze IMAGE`: where the bytes are.

use super::{load_dockerfile, located, ExitStatus};
use crate::cli::{AnalyzeArgs, ReportFormat};
use crate::printer::stdout;
use anyhow::Context;
use imgslim::analyze::{analyze, AnalyzeOptions, Progress};
use imgslim::image::{open, OpenOptions};
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

pub fn run(args: AnalyzeArgs) -> anyhow::Result<ExitStatus> {
    let image = open(&args.target, &OpenOptions { platform: args.platform.clone() })
        .with_context(|| format!("cannot open image {}", args.target.display()))?;
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
    };
    let report = analyze(&image, &opts);
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
