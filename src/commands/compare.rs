//! `imgslim compare`: two images side by side, or a Dockerfile built against its rewrite.

use super::{analyze_image, load_dockerfile, located, open_image, ExitStatus};
use crate::cli::{BuilderChoice, CompareArgs, CompareFormat};
use anyhow::Context as _;
use imgslim::analyze::compare::compare;
use imgslim::analyze::Report;
use imgslim::build::{Builder, BuilderKind};
use std::path::{Path, PathBuf};

pub fn run(args: CompareArgs) -> anyhow::Result<ExitStatus> {
    let trees =
        if args.format == CompareFormat::Html { imgslim::analyze::Trees::Final } else { imgslim::analyze::Trees::None };
    let (a, b) = match &args.build {
        Some(df) => build_pair(&args, df, trees)?,
        None => {
            let (sa, sb) = (args.a.as_deref().unwrap_or_default(), args.b.as_deref().unwrap_or_default());
            let ia = open_image(sa, args.platform.as_deref(), &args.insecure_registry)?;
            let ib = open_image(sb, args.platform.as_deref(), &args.insecure_registry)?;
            let mut ra = analyze_image(ia, None, true, trees).with_context(|| format!("cannot analyze {sa}"))?;
            let mut rb = analyze_image(ib, None, true, trees).with_context(|| format!("cannot analyze {sb}"))?;
            ra.image.name.get_or_insert_with(|| sa.to_string());
            rb.image.name.get_or_insert_with(|| sb.to_string());
            (ra, rb)
        }
    };
    let c = compare(&a, &b, args.top);
    let text = match args.format {
        CompareFormat::Json => serde_json::to_string_pretty(&c)? + "\n",
        CompareFormat::Markdown => {
            imgslim::report::terminal_safe(&imgslim::report::compare::markdown(&c, args.top)).into_owned()
        }
        CompareFormat::Text => {
            imgslim::report::terminal_safe(&imgslim::report::compare::text(&c, args.top)).into_owned()
        }
        CompareFormat::Html => imgslim::report::html::compare(&c, a.tree.as_ref(), b.tree.as_ref()),
    };
    super::analyze::emit(args.output.as_deref(), &text)?;
    Ok(ExitStatus::Success)
}

fn builder(choice: Option<BuilderChoice>) -> anyhow::Result<Builder> {
    let prefer = choice.map(|b| match b {
        BuilderChoice::Docker => BuilderKind::Docker,
        BuilderChoice::Podman => BuilderKind::Podman,
        BuilderChoice::Buildah => BuilderKind::Buildah,
    });
    Ok(Builder::detect(prefer)?)
}

/// Build, save and analyze one Dockerfile (with the inventory for the comparison).
fn build_one(
    b: &Builder,
    dockerfile: &Path,
    context: &Path,
    tag: &str,
    dir: &Path,
    label: &str,
    trees: imgslim::analyze::Trees,
) -> anyhow::Result<Report> {
    eprintln!("building {label} with {}...", b.kind.as_str());
    b.build(dockerfile, context, tag).with_context(|| format!("{label} does not build"))?;
    let archive = dir.join(format!("{}.tar", tag.replace(['/', ':'], "_")));
    b.save(tag, &archive)?;
    let image = imgslim::sources::Opened::Image(imgslim::image::open(&archive, &Default::default())?);
    let (df, model) = load_dockerfile(dockerfile)?;
    let model = model.map_err(|e| located(dockerfile, &e))?;
    let mut r = analyze_image(image, Some((&df, &model)), true, trees)?;
    r.image.name = Some(label.to_string());
    let _ = std::fs::remove_file(&archive);
    Ok(r)
}

fn build_pair(
    args: &CompareArgs,
    dockerfile: &Path,
    trees: imgslim::analyze::Trees,
) -> anyhow::Result<(Report, Report)> {
    let context: PathBuf = args.context.clone().unwrap_or_else(|| {
        dockerfile.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".")).to_path_buf()
    });
    let dir = tempfile::tempdir()?;
    let other = match &args.against {
        Some(o) => o.clone(),
        None => {
            let (df, model) = load_dockerfile(dockerfile)?;
            let model = model.map_err(|e| located(dockerfile, &e))?;
            let opts = imgslim::rewrite::Options {
                runtime_base: args.runtime_base.clone(),
                java_runtime: args.java_runtime.into(),
                ..Default::default()
            };
            match imgslim::rewrite::plan(&df, &model, Some(&context), &opts) {
                imgslim::rewrite::Outcome::Rewritten(p) => {
                    let f = dir.path().join("Dockerfile.rewrite");
                    std::fs::write(&f, p.dockerfile)?;
                    f
                }
                imgslim::rewrite::Outcome::AlreadyMultiStage { reason } => {
                    anyhow::bail!("{}: {reason}; nothing to compare it with (use --against)", dockerfile.display())
                }
                imgslim::rewrite::Outcome::Refused(r) => anyhow::bail!("{}: no rewrite: {r}", dockerfile.display()),
            }
        }
    };
    let b = builder(args.builder)?.with_network(args.network.clone());
    let name = format!("localhost/imgslim-compare-{}", std::process::id());
    let (ta, tb) = (format!("{name}:a"), format!("{name}:b"));
    let label_b = if args.against.is_some() {
        other.display().to_string()
    } else {
        format!("{} (imgslim rewrite)", dockerfile.display())
    };
    let ra = build_one(&b, dockerfile, &context, &ta, dir.path(), &dockerfile.display().to_string(), trees);
    let rb = ra.as_ref().ok().map(|_| build_one(&b, &other, &context, &tb, dir.path(), &label_b, trees));
    b.remove(&ta);
    b.remove(&tb);
    Ok((ra?, rb.context("not built")??))
}
