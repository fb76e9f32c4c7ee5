//! `imgslim push`: gate, check for Fargate, then push to a registry or ECR.

use super::{analyze_image, load_dockerfile, located, ExitStatus};
use crate::cli::{CompressionChoice, PushArgs, PushFormat};
use crate::printer::stdout;
use crate::settings::{self, GateFlags};
use anyhow::Context as _;
use imgslim::analyze::gate::{evaluate, Baseline};
use imgslim::registry::auth::Credentials;
use imgslim::registry::ecr::{Ecr, EcrError, EcrHost};
use imgslim::registry::push::{PushCompression, PushOptions, PushSet};
use imgslim::registry::{Client, ClientOptions, Reference, RegistryError};
use std::io::{IsTerminal, Read, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

fn read_password() -> anyhow::Result<String> {
    let mut s = String::new();
    std::io::stdin().read_to_string(&mut s).context("reading the password from standard input")?;
    let p = s.trim_end_matches(['\n', '\r']).to_string();
    anyhow::ensure!(!p.is_empty(), "--password-stdin: standard input is empty");
    Ok(p)
}

pub fn run(args: PushArgs) -> anyhow::Result<ExitStatus> {
    let r = Reference::parse(&args.reference)?;
    anyhow::ensure!(r.tag.is_some() || r.digest.is_some(), "{}: give a tag (repo:tag) to push to", args.reference);
    let loaded = settings::load(args.config.as_deref())?;
    let mut options = ClientOptions {
        insecure: if args.insecure { vec![r.registry.clone()] } else { Vec::new() },
        ca_files: args.ca_file.clone(),
        hosts: vec![r.registry.clone()],
        endpoint: args.endpoint.clone(),
        ..Default::default()
    };
    if let Some(u) = &args.username {
        options.credentials = Some(Credentials { username: u.clone(), password: read_password()? });
    }
    // ECR: the repository, the immutable-tag rule, and a token (refreshed when it expires)
    let ecr = EcrHost::parse(&r.registry);
    if let Some(host) = ecr {
        let ecr = Arc::new(Ecr::new(host)?);
        let repo = ecr.repository(&r.repository, args.create_repo, args.scan_on_push, args.immutable)?;
        if repo.created {
            eprintln!("created ECR repository {}", r.repository);
        }
        if let (true, Some(tag)) = (repo.immutable, &r.tag) {
            if ecr.tag_exists(&r.repository, tag)? {
                return Err(EcrError::TagExists { repository: r.repository.clone(), tag: tag.clone() }.into());
            }
        }
        if options.credentials.is_none() {
            options.credentials = Some(ecr.credentials()?);
            let again = ecr.clone();
            options.refresh = Some(Arc::new(move || again.credentials().ok()));
        }
    }
    let client = Arc::new(Client::new(options)?);

    if args.gate || args.fargate {
        let image = super::open_image(&args.image, None, &[])?;
        let media_types: Vec<String> = image.image().layers.iter().map(|l| l.media_type.clone()).collect();
        let dockerfile = match args.dockerfile.as_ref() {
            Some(p) => {
                let (df, m) = load_dockerfile(p)?;
                Some((df, m.map_err(|e| located(p, &e))?))
            }
            None => None,
        };
        let report = analyze_image(image, dockerfile.as_ref().map(|(d, m)| (d, m)), false, Default::default())?;
        if args.gate && !gate(&args, &loaded.file.gate, &report, &client, &r)? {
            eprintln!("not pushed: the size gate failed");
            return Ok(ExitStatus::Failure);
        }
        if args.fargate {
            let facts = imgslim::registry::fargate::ImageFacts {
                platform: &report.image.platform,
                layer_media_types: media_types,
                size_bytes: report.size_bytes,
                compressed_bytes: report.pull_bytes,
                compressed_estimated: report.pull_bytes_estimated,
            };
            let o = imgslim::registry::fargate::CheckOptions {
                cpu_architecture: args.cpu_architecture.clone(),
                ..Default::default()
            };
            let checks = imgslim::registry::fargate::check(&facts, &o);
            for c in &checks {
                eprintln!("  fargate {} {:<18} {}", if c.passed { "pass" } else { "FAIL" }, c.name, c.message);
            }
            if checks.iter().any(|c| !c.passed) {
                eprintln!("not pushed: Fargate cannot run this image");
                return Ok(ExitStatus::Failure);
            }
        }
    }

    let compression = match args.compression {
        CompressionChoice::Gzip => PushCompression::Gzip,
        CompressionChoice::Zstd => PushCompression::Zstd,
    };
    // files and directories go as they are stored (OCI byte for byte); images in the Docker
    // engine or containers-storage are read and compressed
    let path = std::path::Path::new(&args.image);
    let set = if path.exists() {
        PushSet::from_path(path, compression).with_context(|| format!("cannot read {}", args.image))?
    } else {
        let image = super::open_image_blobs(&args.image, None, &[])?;
        PushSet::from_image(&image, compression).with_context(|| format!("cannot read {}", args.image))?
    };
    let done = Arc::new(AtomicU64::new(0));
    let total = set.total_bytes();
    let bar = (args.format == PushFormat::Text && std::io::stderr().is_terminal()).then(|| {
        let b = indicatif::ProgressBar::new(total);
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} pushing [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        b
    });
    let popts =
        PushOptions { threads: args.threads, mount_from: args.mount_from.clone(), progress: Some(done.clone()) };
    let pushed = std::thread::scope(|s| {
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        if let Some(b) = &bar {
            let (done, stop, b) = (done.clone(), stop.clone(), b.clone());
            s.spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    b.set_position(done.load(Ordering::Relaxed));
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
            });
        }
        let res = client.push(&set, &r, &popts);
        stop.store(true, Ordering::Relaxed);
        res
    });
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let pushed = pushed.map_err(|e| explain(e, &r))?;
    let mut out = stdout();
    match args.format {
        PushFormat::Json => writeln!(out, "{}", serde_json::to_string_pretty(&pushed)?)?,
        PushFormat::Text => writeln!(
            out,
            "pushed {}: {} blobs uploaded ({}), {} already there, {} mounted",
            pushed.reference,
            pushed.uploaded_blobs,
            imgslim::units::human_bytes(pushed.pushed_bytes),
            pushed.skipped_blobs,
            pushed.mounted_blobs
        )?,
    }
    out.flush()?;
    Ok(ExitStatus::Success)
}

/// Registry errors in the words a user acts on.
fn explain(e: RegistryError, r: &Reference) -> anyhow::Error {
    match &e {
        RegistryError::NotFound { .. } => {
            anyhow::anyhow!("{e}\nthe repository {} may not exist on {} (ECR: --create-repo)", r.repository, r.registry)
        }
        RegistryError::Status { body, .. } if body.contains("TAG_INVALID") || body.contains("immutable") => {
            anyhow::anyhow!("{e}\nthe tag {} cannot be overwritten: push a new tag", r.tag.as_deref().unwrap_or(""))
        }
        _ => anyhow::Error::new(e),
    }
}

/// The size gate before the upload; the tag being replaced is the default baseline.
fn gate(
    args: &PushArgs,
    file: &settings::GateFile,
    report: &imgslim::analyze::Report,
    client: &Client,
    r: &Reference,
) -> anyhow::Result<bool> {
    let flags = GateFlags::from(&args.budgets);
    let (budgets, baseline_spec) = settings::gate_settings(file, &flags)?;
    anyhow::ensure!(!budgets.is_empty(), "--gate: no budgets (imgslim.toml [gate] or --max-size, --max-growth, ...)");
    let baseline = match baseline_spec {
        Some(spec) => Some(super::gate::load_baseline(&spec, None, &[])?),
        None => match client.image_manifest(r, &Default::default()) {
            Ok((m, _)) => Some(Baseline {
                source: r.to_string(),
                size_bytes: None,
                compressed_bytes: Some(m.layers().iter().map(|l| l.size()).sum()),
                layer_ids: m.layers().iter().map(|l| l.digest().to_string()).collect(),
            }),
            Err(RegistryError::NotFound { .. }) => None,
            Err(e) => return Err(e).context("reading the tag being replaced (the gate's baseline)"),
        },
    };
    let mut budgets = budgets;
    if baseline.is_none() && budgets.max_growth.is_some() {
        eprintln!("gate: {} does not exist yet, so there is no growth to check", r);
        budgets.max_growth = None;
    }
    let checks = evaluate(report, &budgets, baseline.as_ref());
    let g = imgslim::report::gate::GateResult {
        image: args.image.clone(),
        dockerfile: args.dockerfile.as_ref().map(|p| p.display().to_string()),
        report,
        baseline: baseline.as_ref(),
        checks: &checks,
    };
    eprint!("{}", imgslim::report::terminal_safe(&imgslim::report::gate::text(&g)));
    Ok(g.passed())
}
