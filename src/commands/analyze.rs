//! `imgslim analyze IMAGE`: where the bytes are.

use super::{load_dockerfile, located, ExitStatus};
use crate::cli::{AnalyzeArgs, ReportFormat};
use crate::printer::stdout;
use anyhow::Context;
use imgslim::analyze::{AnalyzeOptions, Progress, Trees};
use imgslim::report::terminal_safe;
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

pub fn run(mut args: AnalyzeArgs) -> anyhow::Result<ExitStatus> {
    if let Some(source) = args.source {
        anyhow::ensure!(args.targets.len() == 1, "--source goes with one image");
        let t = args.targets[0].display().to_string();
        args.targets[0] = format!("{}{t}", source.prefix()).into();
    }
    if args.targets.iter().all(|t| is_dockerfile(t)) {
        let image_flags = [
            ("--dockerfile", args.dockerfile.is_some()),
            ("--target-stage", args.target_stage.is_some()),
            ("--platform", args.platform.is_some()),
            ("--verify", args.verify),
            ("--insecure-registry", !args.insecure_registry.is_empty()),
            ("--tree", args.tree),
            ("--files", args.files),
        ];
        if let Some((flag, _)) = image_flags.iter().find(|(_, set)| *set) {
            anyhow::bail!(
                "{flag} is for an image; {} is a Dockerfile (`imgslim analyze IMAGE {flag} ...`, or --image IMAGE to measure the image built from it)",
                args.targets[0].display()
            );
        }
        return dockerfiles(&args);
    }
    let l = &args.lint;
    let lint_flags = [
        ("--ignore", !l.ignore.is_empty()),
        ("--failure-threshold", l.failure_threshold.is_some()),
        ("--context", l.context.is_some()),
        ("--config", l.config.is_some()),
        ("--no-fail", l.no_fail),
        ("--enable", !l.enable.is_empty()),
    ];
    if let Some((flag, _)) = lint_flags.iter().find(|(_, set)| *set) {
        anyhow::bail!(
            "{flag} is for a Dockerfile's findings; {} is read as an image (give a Dockerfile, or leave {flag} out)",
            args.targets.first().map_or(String::new(), |t| t.display().to_string())
        );
    }
    anyhow::ensure!(
        args.targets.len() == 1,
        "one image at a time (several targets are for Dockerfiles; {} is not one)",
        args.targets.iter().find(|t| !is_dockerfile(t)).map_or(String::new(), |t| t.display().to_string())
    );
    let target = &args.targets[0];
    if !matches!(args.format, ReportFormat::Text | ReportFormat::Json | ReportFormat::Markdown | ReportFormat::Html) {
        anyhow::bail!(
            "--format {} is for a Dockerfile's findings; an image's analysis is text, json, markdown or html",
            format!("{:?}", args.format).to_lowercase()
        );
    }
    if args.image.is_some() {
        anyhow::bail!("--image goes with a Dockerfile: `imgslim analyze Dockerfile --image IMAGE`");
    }
    anyhow::ensure!(
        !args.tree || args.format == ReportFormat::Text,
        "--tree prints text; the JSON has `largest_dirs`, and `--files` lists each layer's files"
    );
    let shown = target.display().to_string();
    let spec = imgslim::sources::parse(&shown);
    let opened =
        imgslim::sources::open(&spec, &super::source_options(args.platform.as_deref(), &args.insecure_registry))
            .with_context(|| {
                if shown == "-" {
                    "cannot read an image from standard input: `analyze -` reads a docker-archive or OCI archive \
                     (`docker save IMAGE | imgslim analyze -`); for a Dockerfile on standard input use `imgslim lint -`"
                        .to_string()
                } else {
                    format!("cannot open image {shown}")
                }
            })?;
    let dockerfile = match &args.dockerfile {
        Some(p) => {
            let (df, model) = load_dockerfile(p)?;
            Some((df, model.map_err(|e| located(p, &e))?))
        }
        None => None,
    };
    let html = args.format == ReportFormat::Html;
    let bar = LazyBar::new(args.format == ReportFormat::Text || args.output.is_some());
    let progress = |p: Progress| bar.update(p);
    let opts = AnalyzeOptions {
        verify: args.verify,
        dockerfile: dockerfile.as_ref().map(|(d, m)| (d, m)),
        target: args.target_stage.as_deref(),
        progress: Some(&progress),
        threads: 0,
        inventory: false,
        top: args.top,
        layer_files: if args.files { Some(usize::MAX) } else { html.then_some(imgslim::report::html::LAYER_FILES) },
        trees: match (args.tree, args.layer) {
            (true, Some(n)) => Trees::Layer(n),
            (true, None) => Trees::Final,
            (false, _) if html => Trees::Final,
            _ => Trees::None,
        },
    };
    let report = opened.analyze(&opts);
    bar.finish();
    let report = report.with_context(|| format!("cannot analyze {}", target.display()))?;
    let text = match args.format {
        _ if args.tree => tree_text(&args, &report)?,
        ReportFormat::Json => serde_json::to_string_pretty(&report)? + "\n",
        ReportFormat::Text => terminal_safe(&imgslim::report::image::text(&report, args.top)).into_owned(),
        ReportFormat::Markdown => imgslim::report::image::markdown(&report, args.top),
        ReportFormat::Html => {
            let shown = args.dockerfile.as_ref().map(|p| p.display().to_string());
            let source = dockerfile
                .as_ref()
                .zip(shown.as_deref())
                .map(|((df, _), path)| imgslim::report::html::Source { path, text: &df.source });
            imgslim::report::html::image(&report, source.as_ref())
        }
        _ => unreachable!("checked before the image was read"),
    };
    emit(args.output.as_deref(), &text)?;
    Ok(ExitStatus::Success)
}

/// `--tree`: the final file system, or what `--layer N` changed.
fn tree_text(args: &AnalyzeArgs, report: &imgslim::analyze::Report) -> anyhow::Result<String> {
    let tree = match args.layer {
        Some(n) => report.layer_trees.get(n).and_then(Option::as_ref).ok_or_else(|| {
            anyhow::anyhow!(
                "no layer {n}: the image has {} layers (0 to {})",
                report.layers.len(),
                report.layers.len().saturating_sub(1)
            )
        })?,
        None => report.tree.as_ref().ok_or_else(|| anyhow::anyhow!("the analysis kept no file tree"))?,
    };
    let style = imgslim::report::tree::TreeStyle {
        depth: args.depth.unwrap_or(3),
        min_size: args.min_size.unwrap_or(0),
        width: imgslim::report::width(),
        color: crate::printer::color() && args.output.is_none(),
        markers: args.layer.is_some(),
    };
    let mut head = String::new();
    if let Some(n) = args.layer {
        let l = &report.layers[n];
        let c = &l.changes;
        head = format!(
            "layer {n}: {}\n  added {} ({}), modified {} ({}), removed {} ({})\n",
            l.instruction.as_deref().or(l.created_by.as_deref()).unwrap_or("(no history)"),
            imgslim::units::count(c.added_files, "file"),
            imgslim::units::human_bytes(c.added_bytes),
            imgslim::units::count(c.modified_files, "file"),
            imgslim::units::human_bytes(c.modified_bytes),
            imgslim::units::count(c.removed_files, "file"),
            imgslim::units::human_bytes(c.removed_bytes),
        );
    }
    let names = &imgslim::analyze::catalog::Catalog::builtin().names;
    Ok(terminal_safe(&(head + &imgslim::report::tree::text(tree, names, &style))).into_owned())
}

/// Write the report to `-o FILE` (atomically) or standard output.
pub fn emit(output: Option<&std::path::Path>, text: &str) -> anyhow::Result<()> {
    match output {
        Some(path) => super::write_atomic(path, text),
        None => {
            let mut out = stdout();
            out.write_all(text.as_bytes())?;
            out.flush()?;
            Ok(())
        }
    }
}

/// One Dockerfile analyzed, ready to print.
struct Analyzed {
    path: String,
    analysis: imgslim::analyze::dockerfile::Analysis,
    measured: Option<u64>,
}

/// One Dockerfile analyzed, or (among several files) one that does not parse: its error is a
/// finding like lint's, and the others are still analyzed.
fn analyze_one(
    args: &AnalyzeArgs,
    target: &std::path::Path,
    cfg: &crate::settings::LintSettings,
) -> anyhow::Result<(imgslim::report::lint::FileResult, Option<Analyzed>)> {
    let failed = |e: &imgslim::dockerfile::ParseError| -> anyhow::Result<_> {
        if args.targets.len() == 1 {
            return Err(located(target, e));
        }
        let path = target.display().to_string();
        let r = imgslim::report::lint::FileResult {
            path,
            dockerfile: None,
            diagnostics: Vec::new(),
            error: Some((e.line, e.message.clone())),
        };
        Ok((r, None))
    };
    let bytes = super::read_input(target)?;
    let df = match imgslim::dockerfile::parse(&bytes) {
        Ok(df) => df,
        Err(e) => return failed(&e),
    };
    let model = match imgslim::dockerfile::model::build(&df) {
        Ok(m) => m,
        Err(e) => return failed(&e),
    };
    if let Some(why) = imgslim::dockerfile::model::expand::limit_hit(&model, df.escape) {
        anyhow::bail!("{}: {why}", target.display());
    }
    let mut settings = cfg.lint.clone();
    settings.context_dir = args.lint.context.clone().or_else(|| {
        Some(target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new(".")).to_path_buf())
    });
    // the package database of a base in the Docker engine needs its export: for one file only
    let deep = args.targets.len() == 1;
    let bases = |r: &str| imgslim::analyze::base::lookup(r, deep);
    let thresholds = imgslim::analyze::dockerfile::accounting::Thresholds { warning: cfg.size_warning };
    let mut analysis =
        imgslim::analyze::dockerfile::analyze(&df, &model, &settings, &Default::default(), &bases, thresholds);
    let measured = match &args.image {
        Some(image) => Some(measure(args, image, &df, &model, &mut analysis.diagnostics)?),
        None => None,
    };
    let path = target.display().to_string();
    let result = imgslim::report::lint::FileResult {
        path: path.clone(),
        dockerfile: Some(df),
        diagnostics: analysis.diagnostics.clone(),
        error: None,
    };
    Ok((result, Some(Analyzed { path, analysis, measured })))
}

/// `imgslim analyze Dockerfile...`: the findings and the estimated image as one accounting, and
/// the rewrite's saving (the figure `imgslim rewrite` prints). Files are analyzed in parallel.
fn dockerfiles(args: &AnalyzeArgs) -> anyhow::Result<ExitStatus> {
    use imgslim::report::lint as render;
    let loaded = crate::settings::load(args.lint.config.as_deref())?;
    let cfg = crate::settings::lint_settings(&loaded, &args.lint.flags(), None)?;
    anyhow::ensure!(args.image.is_none() || args.targets.len() == 1, "--image goes with one Dockerfile");
    let next = std::sync::atomic::AtomicUsize::new(0);
    type Slot = Mutex<Option<anyhow::Result<(imgslim::report::lint::FileResult, Option<Analyzed>)>>>;
    let slots: Vec<Slot> = args.targets.iter().map(|_| Mutex::new(None)).collect();
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get()).min(args.targets.len());
    std::thread::scope(|s| {
        for _ in 0..threads {
            // parsing and linting recurse (bounded by limits::MAX_NESTING): room for it
            let spawned =
                std::thread::Builder::new().stack_size(imgslim::limits::THREAD_STACK_BYTES).spawn_scoped(s, || loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(t) = args.targets.get(i) else { break };
                    let r = analyze_one(args, t, &cfg);
                    *slots[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(r);
                });
            if let Err(e) = spawned {
                eprintln!("imgslim: cannot start a worker thread: {e}");
            }
        }
    });
    let mut done = Vec::new();
    for slot in slots {
        if let Some(r) = slot.into_inner().unwrap_or_else(|e| e.into_inner()) {
            done.push(r?);
        }
    }
    let (results, done): (Vec<render::FileResult>, Vec<Option<Analyzed>>) = done.into_iter().unzip();
    let unparsed = results.iter().filter(|r| r.error.is_some()).count() as u64;
    let status = |results: &[render::FileResult]| -> anyhow::Result<ExitStatus> {
        if unparsed > 0 {
            anyhow::bail!("{} could not be parsed", imgslim::units::count(unparsed, "file"));
        }
        Ok(super::lint::status(results, cfg.failure_threshold))
    };
    if args.format == ReportFormat::Html {
        let parsed: Vec<(&Analyzed, &render::FileResult)> =
            done.iter().zip(&results).filter_map(|(d, r)| Some((d.as_ref()?, r))).collect();
        let sources: Vec<(imgslim::report::html::Source, &imgslim::dockerfile::Dockerfile)> = parsed
            .iter()
            .filter_map(|(d, r)| {
                let df = r.dockerfile.as_ref()?;
                Some((imgslim::report::html::Source { path: &d.path, text: &df.source }, df))
            })
            .collect();
        let files: Vec<_> = sources
            .iter()
            .zip(parsed.iter().map(|(d, _)| *d))
            .map(|((s, df), d)| {
                (s, &d.analysis.accounting, &d.analysis.outcome, d.analysis.diagnostics.as_slice(), *df)
            })
            .collect();
        emit(args.output.as_deref(), &imgslim::report::html::dockerfile(&files))?;
        return status(&results);
    }
    let mut out: Vec<u8> = Vec::new();
    match args.format {
        ReportFormat::Html => unreachable!("written above"),
        ReportFormat::Json => {
            let one = |(d, r): (&Option<Analyzed>, &render::FileResult)| {
                let Some(d) = d else {
                    let (line, message) = r.error.clone().unwrap_or_default();
                    return serde_json::json!({
                        "file": r.path,
                        "error": { "line": line, "message": message },
                        "findings": render::json(std::slice::from_ref(r)),
                    });
                };
                let mut v = serde_json::json!({
                    "file": d.path,
                    "estimate": d.analysis.accounting,
                    "rewrite": d.analysis.outcome,
                    "findings": render::json(std::slice::from_ref(r)),
                });
                if let Some(m) = d.measured {
                    v["measured"] = serde_json::json!({ "image_bytes": m });
                }
                v
            };
            let v = match done.as_slice() {
                [d] => one((d, &results[0])),
                many => serde_json::Value::Array(many.iter().zip(&results).map(one).collect()),
            };
            serde_json::to_writer_pretty(&mut out, &v)?;
            writeln!(out)?;
        }
        ReportFormat::Markdown => {
            for (d, r) in done.iter().zip(&results) {
                let Some(d) = d else {
                    write!(out, "{}", render::markdown(std::slice::from_ref(r)))?;
                    continue;
                };
                let a = &d.analysis;
                write!(
                    out,
                    "{}",
                    imgslim::report::estimate::markdown(&d.path, &a.accounting, &a.outcome, &a.diagnostics)
                )?;
                write!(out, "{}", render::markdown(std::slice::from_ref(r)))?;
            }
        }
        ReportFormat::Text => {
            for (d, r) in done.iter().zip(&results) {
                let Some(d) = d else {
                    write!(out, "{}", render::text(std::slice::from_ref(r), crate::printer::color()))?;
                    continue;
                };
                let a = &d.analysis;
                let summary = imgslim::report::estimate::text(&d.path, &a.accounting, &a.outcome, &a.diagnostics);
                write!(out, "{}", terminal_safe(&summary))?;
                if let Some(m) = d.measured {
                    writeln!(
                        out,
                        "  measured         {} ({})\n",
                        imgslim::units::human_bytes(m),
                        args.image.as_deref().unwrap_or("")
                    )?;
                }
                write!(out, "{}", render::text(std::slice::from_ref(r), crate::printer::color()))?;
            }
        }
        ReportFormat::Sarif => {
            serde_json::to_writer_pretty(&mut out, &render::sarif(&results))?;
            writeln!(out)?;
        }
        ReportFormat::Github => write!(out, "{}", render::github(&results))?,
        ReportFormat::Junit => write!(out, "{}", render::junit(&results))?,
        ReportFormat::Checkstyle => write!(out, "{}", render::checkstyle(&results))?,
    }
    emit(args.output.as_deref(), &String::from_utf8_lossy(&out))?;
    status(&results)
}

/// `--image`: analyze the built image with the Dockerfile's lines, put each size finding's
/// layer bytes beside its estimate, and return the image's size.
fn measure(
    args: &AnalyzeArgs,
    image: &str,
    df: &imgslim::dockerfile::Dockerfile,
    model: &imgslim::dockerfile::model::Model,
    diagnostics: &mut [imgslim::lint::Diagnostic],
) -> anyhow::Result<u64> {
    let spec = imgslim::sources::parse(image);
    let opened =
        imgslim::sources::open(&spec, &super::source_options(args.platform.as_deref(), &args.insecure_registry))
            .with_context(|| format!("cannot open image {image}"))?;
    let opts = AnalyzeOptions {
        verify: false,
        dockerfile: Some((df, model)),
        target: args.target_stage.as_deref(),
        progress: None,
        threads: 0,
        inventory: false,
        ..Default::default()
    };
    let report = opened.analyze(&opts).with_context(|| format!("cannot analyze {image}"))?;
    for d in diagnostics.iter_mut().filter(|d| d.category == imgslim::lint::Category::Size) {
        let (line, _) = df.line_col(d.span.start);
        if let Some(l) = report.lines.iter().find(|l| l.line <= line && line <= l.end_line) {
            d.measured_bytes = Some(l.bytes_added);
        }
    }
    Ok(report.size_bytes)
}
