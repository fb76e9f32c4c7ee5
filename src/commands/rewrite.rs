//! `imgslim rewrite`: print, write or diff the multi-stage rewrite; with `--verify`, build both
//! and prove it: sizes, image contract, a smoke command.

use super::{load_dockerfile, located, unified_diff, write_atomic, ExitStatus};
use crate::cli::{BuilderChoice, RewriteArgs, RewriteFormat};
use crate::printer::{paint, stdout};
use anyhow::Context as _;
use imgslim::build::verify::{Side, Verification, VerifyOptions};
use imgslim::build::{Builder, BuilderKind};
use imgslim::dockerfile::model::Model;
use imgslim::rewrite::{self, Options, Outcome, Plan};
use imgslim::units::human_bytes;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

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
    let options = Options {
        runtime_base: args.runtime_base.clone(),
        java_runtime: args.java_runtime.into(),
        keep_packages: args.keep_package.clone(),
        no_strip: args.no_strip,
    };
    let mut outcome = rewrite::plan(&df, &model, ctx.as_deref(), &options);
    if let Outcome::Rewritten(p) = &mut outcome {
        let bases = |r: &str| imgslim::analyze::base::lookup(r, true);
        imgslim::analyze::dockerfile::price(&df, &model, p, ctx.as_deref(), &bases);
    }
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
    if let (Some(b), Some(after)) = (p.estimated_saving_bytes, p.estimated_image_bytes) {
        s.push_str(&format!(" (estimated ~{}, ~{} smaller)", human_bytes(after), human_bytes(b)));
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
        Some(r) if r.timed_out => {
            "  smoke: still running when the time ran out (a server? give --smoke a command that exits, like one that checks it)".into()
        }
        Some(r) if r.exit_code == Some(0) => format!(
            "  smoke: exit 0 {}",
            r.stdout.lines().next().map(|l| format!("({})", imgslim::report::ellipsis(l, 60))).unwrap_or_default()
        ),
        Some(r) => {
            // what the program said when it failed
            let said: Vec<&str> = r.stderr.lines().rev().take(5).collect::<Vec<_>>().into_iter().rev().collect();
            format!(
                "  smoke: exit {}{}",
                r.exit_code.map_or("?".into(), |c| c.to_string()),
                said.iter().map(|l| format!("\n      {}", imgslim::report::ellipsis(l, 120))).collect::<String>()
            )
        }
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
    if let Some(e) = &v.evidence {
        s.push_str("  what the builder found the program needs:\n");
        for (lib, pkg) in &e.libraries {
            s.push_str(&format!("    {lib}: {}\n", pkg.as_deref().unwrap_or("no package (copied)")));
        }
        if !e.packages.is_empty() {
            s.push_str(&format!(
                "    packages for the runtime stage (installed where its base lacks them): {}\n",
                e.packages.join(", ")
            ));
        }
    }
    s.push_str(if v.ok {
        "  ok: the rewrite builds, keeps the contract and is smaller\n"
    } else {
        "  FAILED: see above\n"
    });
    s
}

fn smoke_words(s: &str) -> anyhow::Result<Vec<String>> {
    let script = imgslim::dockerfile::shell::parse_script(s);
    anyhow::ensure!(script.commands.len() == 1, "--smoke takes one command (no shell operators): {s}");
    let words: Vec<String> = script.commands[0].words.iter().map(|w| w.text.clone()).collect();
    anyhow::ensure!(!words.is_empty(), "--smoke is empty");
    Ok(words)
}

fn verify(args: &RewriteArgs, original: &str, plan: &Plan, model: &Model, ctx: &Path) -> anyhow::Result<Verification> {
    let prefer = args.builder.map(|b| match b {
        BuilderChoice::Docker => BuilderKind::Docker,
        BuilderChoice::Podman => BuilderKind::Podman,
        BuilderChoice::Buildah => BuilderKind::Buildah,
    });
    let builder = Builder::detect(prefer)?.with_network(args.network.clone());
    let opts = VerifyOptions {
        smoke: args.smoke.as_deref().map(smoke_words).transpose()?,
        smoke_timeout: Duration::from_secs(args.smoke_timeout),
        keep_images: args.keep_images,
        explain: args.explain,
    };
    Ok(imgslim::build::verify::verify(&builder, original, plan, model, ctx, &opts, &|m| eprintln!("{m}"))?)
}
