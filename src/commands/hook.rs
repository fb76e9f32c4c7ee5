//! `imgslim hook install`: a git pre-push hook that runs the size gate.

use super::ExitStatus;
use crate::cli::{HookCommand, HookInstallArgs};
use anyhow::Context as _;
use std::path::{Path, PathBuf};

const MARKER: &str = "# installed by imgslim hook install";

fn git_dir() -> anyhow::Result<PathBuf> {
    let out = std::process::Command::new("git")
        .args(["rev-parse", "--git-path", "hooks"])
        .output()
        .context("running git (is it installed?)")?;
    anyhow::ensure!(out.status.success(), "not in a git repository: {}", String::from_utf8_lossy(&out.stderr).trim());
    Ok(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

pub fn run(cmd: HookCommand) -> anyhow::Result<ExitStatus> {
    match cmd {
        HookCommand::Install(a) => install(a),
    }
}

fn install(a: HookInstallArgs) -> anyhow::Result<ExitStatus> {
    let loaded = crate::settings::load(None)?;
    let image = a
        .image
        .clone()
        .or_else(|| loaded.file.push.image.clone())
        .context("which image should the hook gate? give --image or set image in imgslim.toml [push]")?;
    let dockerfile =
        a.dockerfile.as_ref().map(|p| p.display().to_string()).or_else(|| loaded.file.push.dockerfile.clone());
    // a hook with no budget would fail every push (`gate` refuses to run without one)
    let flags = crate::settings::GateFlags::default();
    let (budgets, _) = crate::settings::gate_settings(&loaded.file.gate, &flags)?;
    anyhow::ensure!(
        !budgets.is_empty(),
        "no size budget to gate on: add one to imgslim.toml, e.g.\n  [gate]\n  max_size = \"500MB\"\nthen run `imgslim hook install` again"
    );
    let hooks = git_dir()?;
    std::fs::create_dir_all(&hooks).with_context(|| format!("cannot create {}", hooks.display()))?;
    let path = hooks.join("pre-push");
    if let Ok(existing) = std::fs::read_to_string(&path) {
        anyhow::ensure!(
            existing.contains(MARKER) || a.force,
            "{} exists and imgslim did not write it; --force replaces it",
            path.display()
        );
    }
    let mut cmd = format!("imgslim gate {}", shell_quote(&image));
    if let Some(d) = &dockerfile {
        cmd.push_str(&format!(" --dockerfile {}", shell_quote(d)));
    }
    // a file is checked for before the gate; a name (the Docker engine, containers-storage) is
    // looked up by the gate itself, which exits 2 when nothing has it
    let script = if std::path::Path::new(&image).exists() || image.ends_with(".tar") {
        format!(
            "#!/bin/sh\n{MARKER}\n# Gates the image's size (imgslim.toml [gate]) before every push; `git push --no-verify` skips it.\nif [ ! -e {img} ] && [ -z \"${{IMGSLIM_HOOK_STRICT:-}}\" ]; then\n  echo \"imgslim: {image} not built, size gate skipped\" >&2\n  exit 0\nfi\nexec {cmd}\n",
            img = shell_quote(&image),
        )
    } else {
        format!(
            "#!/bin/sh\n{MARKER}\n# Gates the image's size (imgslim.toml [gate]) before every push; `git push --no-verify` skips it.\n{cmd}\nrc=$?\nif [ $rc -eq 2 ] && [ -z \"${{IMGSLIM_HOOK_STRICT:-}}\" ]; then\n  echo \"imgslim: {image} not found, size gate skipped\" >&2\n  exit 0\nfi\nexit $rc\n"
        )
    };
    super::write_atomic(&path, &script)?;
    make_executable(&path)?;
    eprintln!("wrote {}: `git push` now runs `{cmd}`", path.display());
    Ok(ExitStatus::Success)
}

fn make_executable(p: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mut perm = std::fs::metadata(p)?.permissions();
    perm.set_mode(0o755);
    std::fs::set_permissions(p, perm)?;
    Ok(())
}
