//! `imgslim explore IMAGE`: browse an image's layers and files in the terminal (dive's view).

use super::{load_dockerfile, located, ExitStatus};
use crate::cli::ExploreArgs;
use anyhow::Context;
use imgslim::analyze::{AnalyzeOptions, Trees};
use std::io::IsTerminal;

pub fn run(args: ExploreArgs) -> anyhow::Result<ExitStatus> {
    anyhow::ensure!(
        std::io::stdout().is_terminal() && std::io::stdin().is_terminal(),
        "explore is interactive and needs a terminal; for a file or a pipe use `imgslim analyze {} --tree` (or --format html)",
        args.image
    );
    let opened = super::open_image(&args.image, args.platform.as_deref(), &args.insecure_registry)
        .with_context(|| format!("cannot open image {}", args.image))?;
    let dockerfile = match &args.dockerfile {
        Some(p) => {
            let (df, model) = load_dockerfile(p)?;
            Some((df, model.map_err(|e| located(p, &e))?))
        }
        None => None,
    };
    let bar = super::analyze::LazyBar::new(true);
    let progress = |p| bar.update(p);
    let opts = AnalyzeOptions {
        dockerfile: dockerfile.as_ref().map(|(d, m)| (d, m)),
        progress: Some(&progress),
        trees: Trees::All,
        ..Default::default()
    };
    let report = opened.analyze(&opts);
    bar.finish();
    let report = report.with_context(|| format!("cannot analyze {}", args.image))?;
    crate::explore::run(&report)?;
    Ok(ExitStatus::Success)
}
