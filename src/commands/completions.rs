//! `imgslim completions SHELL`: the shell completion script on standard output.

use super::ExitStatus;
use crate::cli::{Cli, CompletionsArgs};
use clap::CommandFactory;

pub fn run(args: CompletionsArgs) -> anyhow::Result<ExitStatus> {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "imgslim", &mut out);
    super::analyze::emit(None, &String::from_utf8_lossy(&out))?;
    Ok(ExitStatus::Success)
}
