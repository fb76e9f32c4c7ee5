//! One file per command; `run` dispatches.

mod analyze;
mod compare;
mod completions;
mod explore;
mod fargate;
mod gate;
mod hook;
mod lint;
mod man;
mod parse;
mod push;
mod rewrite;
mod rule;

use crate::cli::{Cli, Command};
use std::path::Path;

/// How a command ended (errors are `Err`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Nothing to report.
    Success,
    /// Findings, or a budget exceeded.
    Failure,
}

impl From<ExitStatus> for std::process::ExitCode {
    fn from(s: ExitStatus) -> Self {
        match s {
            ExitStatus::Success => std::process::ExitCode::SUCCESS,
            ExitStatus::Failure => std::process::ExitCode::from(1),
        }
    }
}

pub fn run(cli: Cli) -> anyhow::Result<ExitStatus> {
    match cli.command {
        Command::Parse(args) => parse::run(args),
        Command::Analyze(args) => analyze::run(args),
        Command::Lint(args) => lint::run(args),
        Command::Rule(args) => rule::run(args),
        Command::Rewrite(args) => rewrite::run(args),
        Command::Compare(args) => compare::run(args),
        Command::Explore(args) => explore::run(args),
        Command::Gate(args) => gate::run(args),
        Command::Push(args) => push::run(args),
        Command::Fargate(cmd) => fargate::run(cmd),
        Command::Hook(cmd) => hook::run(cmd),
        Command::Completions(args) => completions::run(args),
        Command::Man(args) => man::run(args),
    }
}

/// Read a file, or standard input for `-`.
pub fn read_input(path: &Path) -> anyhow::Result<Vec<u8>> {
    crate::files::read_input(path)
}

/// A parse error as `file:line:col: message`.
pub fn located(path: &Path, e: &imgslim::dockerfile::ParseError) -> anyhow::Error {
    let name = if path == Path::new("-") { "<stdin>".into() } else { path.display().to_string() };
    anyhow::anyhow!("{name}:{}:{}: {}", e.line, e.column, e.message)
}

/// Parse a Dockerfile (syntax errors are `Err`) and build its model (instruction errors are the
/// inner `Err`).
pub fn load_dockerfile(
    path: &Path,
) -> anyhow::Result<(
    imgslim::dockerfile::Dockerfile,
    Result<imgslim::dockerfile::model::Model, imgslim::dockerfile::ParseError>,
)> {
    let bytes = read_input(path)?;
    let df = imgslim::dockerfile::parse(&bytes).map_err(|e| located(path, &e))?;
    let model = imgslim::dockerfile::model::build(&df);
    if let Ok(m) = &model {
        if let Some(why) = imgslim::dockerfile::model::expand::limit_hit(m, df.escape) {
            anyhow::bail!("{}: {why}", path.display());
        }
    }
    Ok((df, model))
}

/// Write a file atomically next to itself.
pub fn write_atomic(path: &Path, text: &str) -> anyhow::Result<()> {
    crate::files::write_output(path, text, None)
}

pub fn unified_diff(path: &str, before: &str, after: &str) -> String {
    let path = path.trim_start_matches('/');
    similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}

/// Where images are read from: the platform to pick and the registries reached over HTTP.
pub fn source_options(platform: Option<&str>, insecure: &[String]) -> imgslim::sources::SourceOptions {
    imgslim::sources::SourceOptions {
        platform: platform.map(str::to_string),
        registry: imgslim::registry::ClientOptions { insecure: insecure.to_vec(), ..Default::default() },
    }
}

/// An image as the command line names it (`imgslim::sources`: a path, a transport, a name in
/// the Docker engine or containers-storage, a registry reference).
pub fn open_image(spec: &str, platform: Option<&str>, insecure: &[String]) -> anyhow::Result<imgslim::sources::Opened> {
    let s = imgslim::sources::parse(spec);
    Ok(imgslim::sources::open(&s, &source_options(platform, insecure))?)
}

/// The same, for reading its blobs (a push): streamed sources are spooled to a temporary file.
pub fn open_image_blobs(
    spec: &str,
    platform: Option<&str>,
    insecure: &[String],
) -> anyhow::Result<imgslim::image::Image> {
    let s = imgslim::sources::parse(spec);
    Ok(imgslim::sources::open_for_blobs(&s, &source_options(platform, insecure))?)
}

/// Analyze an opened image (optionally with its Dockerfile and the file/package inventory).
pub fn analyze_image(
    image: imgslim::sources::Opened,
    dockerfile: Option<(&imgslim::dockerfile::Dockerfile, &imgslim::dockerfile::model::Model)>,
    inventory: bool,
    trees: imgslim::analyze::Trees,
) -> anyhow::Result<imgslim::analyze::Report> {
    let opts = imgslim::analyze::AnalyzeOptions { dockerfile, inventory, trees, ..Default::default() };
    Ok(image.analyze(&opts)?)
}
