//! `imgslim gate`: an image against size budgets and a baseline, for CI.

use super::{analyze_image, load_dockerfile, located, open_image, write_atomic, ExitStatus};
use crate::cli::{GateArgs, GateFormat};
use crate::settings::{self, GateFlags};
use anyhow::Context as _;
use imgslim::analyze::gate::{evaluate, Baseline};
use imgslim::report::gate::{self as render, GateResult};
use std::io::Write;
use std::path::Path;

/// A baseline from a JSON report, an image, or a registry reference (manifest only).
pub fn load_baseline(spec: &str, platform: Option<&str>, insecure: &[String]) -> anyhow::Result<Baseline> {
    let path = Path::new(spec);
    if path.is_file() {
        let mut head = [0u8; 64];
        let n = std::io::Read::read(&mut std::fs::File::open(path)?, &mut head)?;
        if head[..n].iter().find(|c| !c.is_ascii_whitespace()) == Some(&b'{') {
            let v: serde_json::Value = serde_json::from_slice(&imgslim::limits::read_regular(path, 64 << 20)?)
                .with_context(|| format!("baseline {spec}: not a JSON report"))?;
            return Baseline::from_json(spec, &v)
                .with_context(|| format!("baseline {spec}: no size_bytes or compressed_bytes"));
        }
    }
    let s = imgslim::sources::parse(spec);
    let o = super::source_options(platform, insecure);
    match imgslim::sources::locate(&s, &o).with_context(|| format!("baseline {spec}"))? {
        // a registry's baseline: its manifest is enough (the sizes of the stored blobs)
        imgslim::sources::Located::Registry(image) => Ok(Baseline {
            source: spec.to_string(),
            size_bytes: None,
            compressed_bytes: Some(image.layers.iter().map(|l| l.size).sum()),
            layer_ids: image.layers.iter().map(|l| l.digest.clone()).collect(),
        }),
        local => {
            let image = local.open(&s, &o, imgslim::analyze::read_options(false))?;
            let r = analyze_image(image, None, false, Default::default())?;
            Ok(Baseline::from_report(spec, &r))
        }
    }
}

pub fn run(args: GateArgs) -> anyhow::Result<ExitStatus> {
    let loaded = settings::load(args.config.as_deref())?;
    let flags = GateFlags::from(&args.budgets);
    let (mut budgets, baseline_spec) = settings::gate_settings(&loaded.file.gate, &flags)?;
    // dive's rules: the file named, or .dive-ci when nothing else sets a budget
    let dive = args.ci_config.clone().or_else(|| budgets.is_empty().then(crate::dive_ci::find).flatten());
    if let Some(path) = dive {
        let from_dive = crate::dive_ci::budgets(&path)?;
        budgets.min_efficiency = budgets.min_efficiency.or(from_dive.min_efficiency);
        budgets.max_wasted = budgets.max_wasted.or(from_dive.max_wasted);
        budgets.max_user_wasted = from_dive.max_user_wasted;
    }
    anyhow::ensure!(
        !budgets.is_empty(),
        "no budgets: set them in imgslim.toml [gate], in dive's .dive-ci (--ci-config FILE), or with --max-size, --max-compressed-size, --max-growth, --max-wasted, --forbid, --min-efficiency, --max-layers"
    );
    let dockerfile = match &args.dockerfile {
        Some(p) => {
            let (df, model) = load_dockerfile(p)?;
            Some((df, model.map_err(|e| located(p, &e))?))
        }
        None => None,
    };
    let image = open_image(&args.image, args.platform.as_deref(), &args.insecure_registry)?;
    let trees =
        if args.format == GateFormat::Html { imgslim::analyze::Trees::Final } else { imgslim::analyze::Trees::None };
    let report = analyze_image(image, dockerfile.as_ref().map(|(d, m)| (d, m)), false, trees)
        .with_context(|| format!("cannot analyze {}", args.image))?;
    let baseline = baseline_spec
        .as_deref()
        .map(|b| load_baseline(b, args.platform.as_deref(), &args.insecure_registry))
        .transpose()?;
    let checks = evaluate(&report, &budgets, baseline.as_ref());
    let g = GateResult {
        image: args.image.clone(),
        dockerfile: args.dockerfile.as_ref().map(|p| p.display().to_string()),
        report: &report,
        baseline: baseline.as_ref(),
        checks: &checks,
    };
    if let Some(path) = &args.report {
        write_atomic(path, &serde_json::to_string_pretty(&render::json(&g))?)?;
    }
    let mut out: Vec<u8> = Vec::new();
    match args.format {
        GateFormat::Text => write!(out, "{}", imgslim::report::terminal_safe(&render::text(&g)))?,
        GateFormat::Json => writeln!(out, "{}", serde_json::to_string_pretty(&render::json(&g))?)?,
        GateFormat::Junit => write!(out, "{}", render::junit(&g))?,
        GateFormat::Sarif => writeln!(out, "{}", serde_json::to_string_pretty(&render::sarif(&g))?)?,
        GateFormat::Markdown => write!(out, "{}", imgslim::report::terminal_safe(&render::markdown(&g)))?,
        GateFormat::Html => {
            let shown = args.dockerfile.as_ref().map(|p| p.display().to_string());
            let source = dockerfile
                .as_ref()
                .zip(shown.as_deref())
                .map(|((df, _), path)| imgslim::report::html::Source { path, text: &df.source });
            write!(out, "{}", imgslim::report::html::gate(&g, source.as_ref()))?
        }
        GateFormat::Github => {
            write!(out, "{}", render::github(&g))?;
            if let Some(summary) = std::env::var_os("GITHUB_STEP_SUMMARY") {
                let mut f = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(&summary)
                    .with_context(|| format!("cannot write {}", Path::new(&summary).display()))?;
                f.write_all(render::markdown(&g).as_bytes())?;
            }
        }
    }
    super::analyze::emit(args.output.as_deref(), &String::from_utf8_lossy(&out))?;
    Ok(if g.passed() { ExitStatus::Success } else { ExitStatus::Failure })
}
