//! `imgslim man [--dir DIR]`: the manual page (roff) on standard output, or one page per command
//! (`imgslim.1`, `imgslim-analyze.1`, ...) written into a directory.

use super::ExitStatus;
use crate::cli::{Cli, ManArgs};
use anyhow::Context;
use clap::CommandFactory;

fn render(cmd: clap::Command) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::new();
    clap_mangen::Man::new(cmd).render(&mut out)?;
    Ok(out)
}

pub fn run(args: ManArgs) -> anyhow::Result<ExitStatus> {
    let cmd = Cli::command();
    let Some(dir) = args.dir else {
        super::analyze::emit(None, &String::from_utf8_lossy(&render(cmd)?))?;
        return Ok(ExitStatus::Success);
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut written = vec![dir.join("imgslim.1")];
    super::write_atomic(&written[0], &String::from_utf8_lossy(&render(cmd.clone())?))?;
    for sub in cmd.get_subcommands() {
        let name = format!("imgslim-{}", sub.get_name());
        let page = sub.clone().name(name.clone().leak() as &str);
        let path = dir.join(format!("{name}.1"));
        super::write_atomic(&path, &String::from_utf8_lossy(&render(page)?))?;
        written.push(path);
    }
    for p in &written {
        println!("{}", p.display());
    }
    Ok(ExitStatus::Success)
}
