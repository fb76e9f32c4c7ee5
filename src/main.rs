//! The `imgslim` command line: parse flags, run one command, map the outcome to an exit code
//! (0 clean, 1 findings or a budget exceeded, 2 error; a closed pipe is not an error).

mod cli;
mod commands;
mod dive_ci;
mod explore;
mod files;
mod hadolint;
mod printer;
mod settings;

use clap::Parser;
use std::process::ExitCode;

/// mimalloc: the parser, the rules and the estimates make many small short-lived allocations;
/// against glibc's allocator it takes about a quarter off `analyze`'s CPU time on the corpus.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    imgslim::dockerfile::shell::quiet_brush_panics();
    let args = cli::Cli::parse();
    printer::init_color(args.color);
    imgslim::report::set_width(printer::terminal_width());
    match commands::run(args) {
        Ok(status) => status.into(),
        Err(err) => {
            if printer::is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            printer::error(&err);
            ExitCode::from(2)
        }
    }
}
