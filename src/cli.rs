//! Every flag of every command, in one place.

use crate::printer::ColorChoice;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "imgslim",
    version,
    about = "Make container images small and keep them small.",
    long_about = "Make container images small and keep them small.\n\n\
        imgslim reads Dockerfiles exactly as BuildKit does and tells you what makes an image big.",
    propagate_version = true
)]
pub struct Cli {
    /// When to use colors (NO_COLOR is honoured with `auto`).
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Parse a Dockerfile as BuildKit does and print its instructions.
    Parse(ParseArgs),
    /// Say where an image's bytes are: layers, waste, build-time leftovers and the Dockerfile
    /// lines behind them.
    Analyze(AnalyzeArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Text,
    Json,
    Markdown,
}

#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// An image: docker-archive (`docker save`), OCI archive, OCI layout directory, or `-` for
    /// standard input.
    pub target: PathBuf,
    /// The Dockerfile the image was built from: map layers and leftovers to its lines.
    #[arg(long)]
    pub dockerfile: Option<PathBuf>,
    /// The stage that was built (with --dockerfile); default the last.
    #[arg(long)]
    pub target_stage: Option<String>,
    /// Platform to pick from a multi-platform image (os/arch[/variant]); default the host's.
    #[arg(long)]
    pub platform: Option<String>,
    /// Read every layer in full and check every digest.
    #[arg(long)]
    pub verify: bool,
    #[arg(long, short, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
    /// Rows to show in the leftover and wasted-path tables.
    #[arg(long, default_value_t = 10)]
    pub top: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ParseFormat {
    /// One JSON object per instruction, with BuildKit's fields (cmd, sub_cmd, json, start_line,
    /// end_line, flags, value, heredocs) plus spans.
    Json,
    /// The syntax tree and the stages, for people.
    Tree,
    /// BuildKit's own S-expression dump, as in its parser tests.
    Dump,
}

#[derive(Debug, Args)]
pub struct ParseArgs {
    /// The Dockerfile (`-` for standard input).
    pub file: PathBuf,
    #[arg(long, short, value_enum, default_value_t = ParseFormat::Tree)]
    pub format: ParseFormat,
    /// Stop after BuildKit's parser: do not check instructions (argument counts, flags, stage
    /// names) the way BuildKit does before building.
    #[arg(long)]
    pub syntax_only: bool,
}
