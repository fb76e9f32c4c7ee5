//! `imgslim rewrite --verify`: build the original and the rewrite, measure both images, run a
//! smoke command in both, compare the image configs, and (`explain`) read what the rewrite's
//! probe found in the builder: the libraries the program links and the packages that own them.

use super::{build_and_measure, BuildError, Builder, BuilderKind, Built, RunOutput};
use crate::analyze::contract::{self, Difference};
use crate::dockerfile::model::{Kind, Model};
use crate::rewrite::needs::probe::EVIDENCE;
use crate::rewrite::Plan;
use serde::Serialize;
use std::path::Path;
use std::time::Duration;

#[derive(Debug, Clone, Serialize)]
pub struct Side {
    pub tag: String,
    pub image_bytes: u64,
    pub layers: usize,
    pub build_seconds: f64,
    pub smoke: Option<RunOutput>,
}

/// What the probe found in the rewrite's builder.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Evidence {
    /// Each library the runtime stage's files link, and the package that owns it (None: no
    /// package, copied as it is).
    pub libraries: Vec<(String, Option<String>)>,
    /// The packages the runtime stage installs where its base lacks them.
    pub packages: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    pub builder: BuilderKind,
    pub original: Side,
    pub rewrite: Option<Side>,
    /// 1 - rewrite / original.
    pub reduction: Option<f64>,
    pub contract: Vec<Difference>,
    pub smoke_ok: Option<bool>,
    /// The rewrite build's error, if it failed.
    pub error: Option<String>,
    pub evidence: Option<Evidence>,
    pub ok: bool,
}

/// How to verify.
#[derive(Debug, Clone, Default)]
pub struct VerifyOptions {
    /// The command to run in both images (argv; its first word replaces the entrypoint).
    pub smoke: Option<Vec<String>>,
    pub smoke_timeout: Duration,
    /// Keep the images (tagged `<name>:original` and `<name>:rewrite`).
    pub keep_images: bool,
    /// Read the probe's evidence from the rewrite's builder stage.
    pub explain: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("the original does not build: {0}")]
    Original(BuildError),
    #[error("{0}")]
    Build(#[from] BuildError),
    #[error("writing the Dockerfiles to verify: {0}")]
    Io(#[from] std::io::Error),
}

/// Env keys and labels the Dockerfile sets (the contract compares those).
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

fn side(b: &Built, smoke: Option<RunOutput>) -> Side {
    Side {
        tag: b.tag.clone(),
        image_bytes: b.report.size_bytes,
        layers: b.report.layers.len(),
        build_seconds: b.build_seconds,
        smoke,
    }
}

/// Build both, measure, smoke-test, compare. `progress` is told what is being built.
pub fn verify(
    builder: &Builder,
    original: &str,
    plan: &Plan,
    model: &Model,
    ctx: &Path,
    opts: &VerifyOptions,
    progress: &dyn Fn(&str),
) -> Result<Verification, VerifyError> {
    let dir = tempfile::tempdir()?;
    let orig_df = dir.path().join("Dockerfile.original");
    let new_df = dir.path().join("Dockerfile.rewrite");
    std::fs::write(&orig_df, original)?;
    std::fs::write(&new_df, &plan.dockerfile)?;
    let name = format!("localhost/imgslim-verify-{}", std::process::id());
    let (tag_o, tag_r, tag_b) = (format!("{name}:original"), format!("{name}:rewrite"), format!("{name}:builder"));
    progress(&format!("building the original with {}...", builder.kind.as_str()));
    let o = build_and_measure(builder, &orig_df, ctx, &tag_o, dir.path()).map_err(VerifyError::Original)?;
    let run = |tag: &str| opts.smoke.as_ref().map(|w| builder.run(tag, w, opts.smoke_timeout)).transpose();
    let smoke_o = run(&tag_o)?;
    progress("building the rewrite...");
    let r = build_and_measure(builder, &new_df, ctx, &tag_r, dir.path());
    let passed = |s: &Option<RunOutput>| s.as_ref().map(|x| x.exit_code == Some(0) && !x.timed_out);
    let mut v = Verification {
        builder: builder.kind,
        original: side(&o, smoke_o),
        rewrite: None,
        reduction: None,
        contract: Vec::new(),
        smoke_ok: None,
        error: None,
        evidence: None,
        ok: false,
    };
    match r {
        Ok(r) => {
            let smoke_r = run(&tag_r)?;
            v.smoke_ok = passed(&v.original.smoke).zip(passed(&smoke_r)).map(|(a, b)| a && b);
            v.contract = contract::compare(&o.report.config, &r.report.config, &own(model), &plan.intended);
            v.reduction =
                (o.report.size_bytes > 0).then(|| 1.0 - r.report.size_bytes as f64 / o.report.size_bytes as f64);
            v.rewrite = Some(side(&r, smoke_r));
            v.ok = v.smoke_ok != Some(false)
                && v.contract.iter().all(|d| d.intended)
                && r.report.size_bytes < o.report.size_bytes;
            if opts.explain && plan.dockerfile.contains(EVIDENCE) {
                v.evidence = Some(evidence(builder, &new_df, ctx, &tag_b)?);
                builder.remove(&tag_b);
            }
        }
        Err(e) => v.error = Some(e.to_string()),
    }
    if !opts.keep_images {
        builder.remove(&tag_o);
        builder.remove(&tag_r);
    }
    Ok(v)
}

/// Build the builder stage (its layers are cached) and read the probe's files.
fn evidence(builder: &Builder, dockerfile: &Path, ctx: &Path, tag: &str) -> Result<Evidence, BuildError> {
    builder.build_target(dockerfile, ctx, tag, crate::rewrite::emit::BUILDER)?;
    let cat = |f: &str| -> Result<String, BuildError> {
        let argv = vec!["cat".to_string(), f.to_string()];
        Ok(builder.run(tag, &argv, Duration::from_secs(60))?.stdout)
    };
    let owners = cat(&format!("{EVIDENCE}/owners"))?;
    let packages = cat(&format!("{}/.imgslim-packages", crate::rewrite::needs::probe::NEEDS)).unwrap_or_default();
    Ok(Evidence {
        libraries: owners
            .lines()
            .filter_map(|l| l.split_once(' '))
            .map(|(lib, pkg)| (lib.to_string(), (pkg != "(no package)").then(|| pkg.to_string())))
            .collect(),
        packages: packages.lines().map(str::to_string).filter(|p| !p.is_empty()).collect(),
    })
}
