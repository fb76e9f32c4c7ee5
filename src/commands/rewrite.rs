//! `imgslim rewrite`: print, write or diff the multi-stage rewrite; with `--verify`, build both
//! and prove it: sizes, image contract, a smoke command.

use super::{load_dockerfile, located, unified_diff, write_atomic, ExitStatus};
use crate::cli::{BuilderChoice, RewriteArgs, RewriteFormat};
use crate::printer::{paint, stdout};
use anyhow::Context as _;
use imgslim::analyze::contract::{self, Difference};
use imgslim::build::{build_and_measure, Builder, BuilderKind, RunOutput};
use imgslim::dockerfile::model::{Kind, Model};
use imgslim::rewrite::{self, Options, Outcome, Plan};
use imgslim::units::human_bytes;
use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, Serialize)]
struct Side {
    tag: String,
    image_bytes: u64,
    layers: usize,
    build_seconds: f64,
    smoke: Option<RunOutput>,
}

#[derive(Debug, Serialize)]
struct Verification {
    builder: BuilderKind,
    original: Side,
    rewrite: Option<Side>,
    /// 1 - rewrite / original.
    reduction: Option<f64>,
    contract: Vec<Difference>,
    smoke_ok: Option<bool>,
    /// The rewrite build's error, if it failed.
    error: Option<String>,
    ok: bool,
}

fn context_dir(args: &RewriteArgs) -> Option<PathBuf> {
    if let Some(c) = &args.context {
        return Some(c.clone());
    }
    if args.dockerfile == Path::new("-") {
        return None;
    }
    Some(args.dockerfile.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".")).to_path_buf())
}

pub fn run(args: RewriteArgs) -> anyhow::Result<ExitStatus> {
    let (df, model) = load_dockerfile(&args.dockerfile)?;
    let model = model.map_err(|e| located(&args.dockerfile, &e))?;
    let ctx = context_dir(&args);
    if let Some(c) = &ctx {
        anyhow::ensure!(c.is_dir(), "the build context {} is not a directory", c.display());
    }
    let options = Options { runtime_base: args.runtime_base.clone(), java_runtime: args.java_runtime.into() };
    let outcome = rewrite::plan(&df, &model, ctx.as_deref(), &options);
    let plan = match &outcome {
        Outcome::Rewritten(p) => p,
        Outcome::AlreadyMultiStage { reason } => {
            if args.format == RewriteFormat::Json {
                write_json(&serde_json::json!({"outcome": outcome, "verification": null}))?;
            } else {
                eprintln!("{}: {reason}; left as it is", args.dockerfile.display());
            }
            return Ok(ExitStatus::Success);
        }
        Outcome::Refused(r) => {
            if args.format == RewriteFormat::Json {
                write_json(&serde_json::json!({"outcome": outcome, "verification": null}))?;
            } else {
                eprintln!("{}: not rewritten: {r}", args.dockerfile.display());
            }
            return Ok(ExitStatus::Failure);
        }
    };
    let verification = if args.verify {
        let ctx = ctx.clone().context("--verify needs a build context: give --context DIR")?;
        Some(verify(&args, &df.source, plan, &model, &ctx)?)
    } else {
        None
    };
    match args.format {
        RewriteFormat::Json => {
            write_json(&serde_json::json!({"outcome": outcome, "verification": verification}))?;
        }
        RewriteFormat::Text => {
            if let Some(out) = &args.output {
                write_atomic(out, &plan.dockerfile)?;
                eprintln!("wrote {}", out.display());
            } else if args.diff {
                let name = if args.dockerfile == Path::new("-") {
                    "Dockerfile".into()
                } else {
                    args.dockerfile.display().to_string()
                };
                let mut w = stdout();
                w.write_all(unified_diff(&name, &df.source, &plan.dockerfile).as_bytes())?;
                w.flush()?;
            } else {
                let mut w = stdout();
                w.write_all(plan.dockerfile.as_bytes())?;
                w.flush()?;
            }
            eprint!("{}", explain(plan));
            if let Some(v) = &verification {
                eprint!("{}", verification_text(v));
            }
        }
    }
    if args.format == RewriteFormat::Json {
        if let Some(out) = &args.output {
            write_atomic(out, &plan.dockerfile)?;
        }
    }
    Ok(match verification {
        Some(v) if !v.ok => ExitStatus::Failure,
        _ => ExitStatus::Success,
    })
}

fn write_json(v: &serde_json::Value) -> anyhow::Result<()> {
    let mut w = stdout();
    serde_json::to_writer_pretty(&mut w, v)?;
    writeln!(w)?;
    w.flush()?;
    Ok(())
}

/// What the rewrite does and why, for people.
fn explain(p: &Plan) -> String {
    let mut s = format!(
        "{} {}: builder {} -> runtime {}",
        paint("rewrite", "1"),
        p.ecosystem.as_str(),
        p.builder_base,
        p.runtime_base
    );
    if let Some(b) = p.estimated_saving_bytes {
        s.push_str(&format!(" (estimated saving ~{})", human_bytes(b)));
    }
    s.push('\n');
    for c in &p.changes {
        match c.line {
            Some(l) => s.push_str(&format!("  - line {l}: {}\n", c.message)),
            None => s.push_str(&format!("  - {}\n", c.message)),
        }
    }
    for a in &p.artifacts {
        s.push_str(&format!("  copies {} -> {}: {}\n", a.from, a.to, a.why));
    }
    s
}

fn side_text(name: &str, s: &Side) -> String {
    let smoke = match &s.smoke {
        None => String::new(),
        Some(r) if r.timed_out => "  smoke: timed out".into(),
        Some(r) => format!(
            "  smoke: exit {} {}",
            r.exit_code.map_or("?".into(), |c| c.to_string()),
            r.stdout.lines().next().map(|l| format!("({})", imgslim::report::ellipsis(l, 60))).unwrap_or_default()
        ),
    };
    format!(
        "  {name:<9} {:>10}  {:>3} layers  built in {:.0} s{smoke}\n",
        human_bytes(s.image_bytes),
        s.layers,
        s.build_seconds
    )
}

fn verification_text(v: &Verification) -> String {
    let mut s = format!("{} with {}\n", paint("verify", "1"), v.builder.as_str());
    s.push_str(&side_text("original", &v.original));
    if let Some(r) = &v.rewrite {
        s.push_str(&side_text("rewrite", r));
    }
    if let Some(red) = v.reduction {
        s.push_str(&format!("  reduction {:.1}%\n", red * 100.0));
    }
    if let Some(e) = &v.error {
        s.push_str(&format!("  the rewrite does not build:\n{e}\n"));
    }
    for d in &v.contract {
        let tag = if d.intended { "changed on purpose" } else { "CHANGED" };
        s.push_str(&format!("  {tag}: {} {} -> {}\n", d.field, d.original, d.rewrite));
    }
    s.push_str(if v.ok {
        "  ok: the rewrite builds, keeps the contract and is smaller\n"
    } else {
        "  FAILED: see above\n"
    });
    s
}

/// Env keys and labels the Dockerfile sets.
fn own(model: &Model) -> contract::Own {
    let mut own = contract::Own::default();
    if let Some(st) = model.stages.last() {
        for c in &st.commands {
            match &c.kind {
                Kind::Env { vars } => own.env.extend(vars.iter().map(|v| v.key.clone())),
                Kind::Label { labels } => own.labels.extend(labels.iter().map(|v| v.key.clone())),
                _ => {}
            }
        }
    }
    own.env.dedup();
    own
}

fn smoke_words(s: &str) -> anyhow::Result<Vec<String>> {
    let script = imgslim::dockerfile::shell::parse_script(s);
    anyhow::ensure!(script.commands.len() == 1, "--smoke takes one command (no shell operators): {s}");
    let words: Vec<String> = script.commands[0].words.iter().map(|w| w.text.clone()).collect();
    anyhow::ensure!(!words.is_empty(), "--smoke is empty");
    Ok(words)
}

fn verify(args: &RewriteArgs, original: &str, plan: &Plan, model: &Model, ctx: &Path) -> anyhow::Result<Verification> {
    let smoke = args.smoke.as_deref().map(smoke_words).transpose()?;
    let prefer = args.builder.map(|b| match b {
        BuilderChoice::Docker => BuilderKind::Docker,
        BuilderChoice::Podman => BuilderKind::Podman,
        BuilderChoice::Buildah => BuilderKind::Buildah,
    });
    let builder = Builder::detect(prefer)?;
    let dir = tempfile::tempdir().context("temporary directory")?;
    let orig_df = dir.path().join("Dockerfile.original");
    let new_df = dir.path().join("Dockerfile.rewrite");
    std::fs::write(&orig_df, original)?;
    std::fs::write(&new_df, &plan.dockerfile)?;
    let name = format!("localhost/imgslim-verify-{}", std::process::id());
    let (tag_o, tag_r) = (format!("{name}:original"), format!("{name}:rewrite"));
    let timeout = Duration::from_secs(args.smoke_timeout);
    eprintln!("building the original with {}...", builder.kind.as_str());
    let o = build_and_measure(&builder, &orig_df, ctx, &tag_o, dir.path()).context("the original does not build")?;
    let smoke_o = smoke.as_ref().map(|w| builder.run(&tag_o, w, timeout)).transpose()?;
    eprintln!("building the rewrite...");
    let r = build_and_measure(&builder, &new_df, ctx, &tag_r, dir.path());
    let passed = |s: &Option<RunOutput>| s.as_ref().map(|x| x.exit_code == Some(0) && !x.timed_out);
    let side = |b: &imgslim::build::Built, smoke: Option<RunOutput>| Side {
        tag: b.tag.clone(),
        image_bytes: b.report.size_bytes,
        layers: b.report.layers.len(),
        build_seconds: b.build_seconds,
        smoke,
    };
    let mut v = Verification {
        builder: builder.kind,
        original: side(&o, smoke_o),
        rewrite: None,
        reduction: None,
        contract: Vec::new(),
        smoke_ok: None,
        error: None,
        ok: false,
    };
    match r {
        Ok(r) => {
            let smoke_r = smoke.as_ref().map(|w| builder.run(&tag_r, w, timeout)).transpose()?;
            v.smoke_ok = passed(&v.original.smoke).zip(passed(&smoke_r)).map(|(a, b)| a && b);
            v.contract = contract::compare(&o.report.config, &r.report.config, &own(model), &plan.intended);
            v.reduction =
                (o.report.size_bytes > 0).then(|| 1.0 - r.report.size_bytes as f64 / o.report.size_bytes as f64);
            v.rewrite = Some(side(&r, smoke_r));
            v.ok = v.smoke_ok != Some(false)
                && v.contract.iter().all(|d| d.intended)
                && r.report.size_bytes < o.report.size_bytes;
        }
        Err(e) => v.error = Some(e.to_string()),
    }
    if !args.keep_images {
        builder.remove(&tag_o);
        builder.remove(&tag_r);
    }
    Ok(v)
}
