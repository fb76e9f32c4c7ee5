//! Python's project managers (poetry, pipenv, uv, pdm) and the installs of the installers themselves.
//! The managers install into the virtual environment the Python planner makes in the builder:
//! poetry and pipenv use an active `VIRTUAL_ENV`, `uv pip` does when it is not told `--system`,
//! `uv sync` uses `UV_PROJECT_ENVIRONMENT`, pdm the active environment or the project's `.venv`. The installers (poetry, uv, pipenv...) are
//! pip-installed into the builder's own Python, so the environment the runtime stage copies holds
//! the application's dependencies only.

use super::*;
use crate::dockerfile::shell::Command;
use crate::dockerfile::tools::toolchains::pip_install;
use crate::dockerfile::tools::{operands, subcommand};
use crate::rewrite::input::Step;

/// Packages that only install other packages: the builder's tools, not the program's
/// dependencies.
const INSTALLERS: &[&str] = &[
    "pip",
    "setuptools",
    "wheel",
    "poetry",
    "poetry-core",
    "poetry-plugin-export",
    "pipenv",
    "uv",
    "pdm",
    "pip-tools",
    "virtualenv",
];

/// How a project manager installs the dependencies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Manager {
    /// `poetry install` / `poetry sync`.
    Poetry,
    /// `pipenv install` / `pipenv sync`.
    Pipenv,
    /// `uv pip install` / `uv pip sync`.
    UvPip,
    /// `uv sync`: the project's environment.
    UvSync,
    /// `pdm install` / `pdm sync`: the active environment, else the project's `.venv`.
    Pdm,
}

impl Manager {
    pub fn name(self) -> &'static str {
        match self {
            Manager::Poetry => "poetry",
            Manager::Pipenv => "pipenv",
            Manager::UvPip => "uv pip",
            Manager::UvSync => "uv sync",
            Manager::Pdm => "pdm",
        }
    }
}

/// `pip install poetry==1.8.3`, `pip install --upgrade pip setuptools`: only installers, which
/// stay in the builder's own Python.
pub fn installs_installers_only(c: &Command) -> bool {
    if pip_install(c).is_none() || c.has_flag(&["-r", "--requirement", "-e", "--editable", "-c", "--constraint"]) {
        return false;
    }
    let packages = operands(c);
    !packages.is_empty()
        && packages
            .iter()
            .all(|w| crate::data::deps::requirement_name(&w.text).is_some_and(|n| INSTALLERS.contains(&n.as_str())))
}

/// The project manager's install command, if `c` is one.
pub fn manager_install(c: &Command) -> Option<Manager> {
    let sub = subcommand(c);
    match c.name() {
        "poetry" if matches!(sub, Some("install" | "sync")) => Some(Manager::Poetry),
        "pipenv" if matches!(sub, Some("install" | "sync")) => Some(Manager::Pipenv),
        "uv" if sub == Some("sync") => Some(Manager::UvSync),
        "pdm" if matches!(sub, Some("install" | "sync")) => Some(Manager::Pdm),
        "uv" if sub == Some("pip") => {
            let second = operands(c).first().map(|w| w.text.clone());
            matches!(second.as_deref(), Some("install" | "sync")).then_some(Manager::UvPip)
        }
        _ => None,
    }
}

/// What the program is started with, when it is a project manager (`poetry run`, `uv run`,
/// `pipenv run`, `pdm run`): the runtime stage does not have it.
pub fn started_by_manager(o: &Original) -> Option<String> {
    let argv = o.program.as_ref()?;
    let first = argv.first()?.rsplit('/').next().unwrap_or("");
    (matches!(first, "poetry" | "uv" | "pipenv" | "pdm") && argv.get(1).is_some_and(|w| w == "run"))
        .then(|| format!("{first} run"))
}

/// The managers' installs of the original, each with its step; an error for the ones the
/// rewrite does not handle.
pub fn installs<'a>(o: &'a Original) -> Result<Vec<(&'a Step, &'a Command, Manager)>, Refusal> {
    let mut out = Vec::new();
    for s in &o.steps {
        for c in o.commands(s) {
            if let Some(why) = pdm_elsewhere(o, c) {
                return Err(Refusal::at(s.line, why));
            }
            if let Some(m) = manager_install(c) {
                out.push((s, c, m));
            }
        }
    }
    if let Some(how) = started_by_manager(o) {
        let line = out.first().map_or(o.stage.line, |(s, _, _)| s.line);
        return Err(Refusal::at(
            line,
            format!(
                "the program is started with `{how}`, which the runtime stage does not have: start it with the environment's `python` (or the script it installs) and the rewrite copies the environment instead"
            ),
        ));
    }
    Ok(out)
}

/// Where pdm would install when it is not the project's `.venv` nor an active environment:
/// the system Python (`python.use_venv false`) or pdm's own directory of environments
/// (`venv.in_project false`); the rewrite does not follow it there.
fn pdm_elsewhere(o: &Original, c: &Command) -> Option<String> {
    if c.name() != "pdm" {
        return None;
    }
    let config = |key: &str| {
        o.steps.iter().flat_map(|s| o.commands(s)).any(|c| {
            let args: Vec<&str> = c.args().iter().map(|w| w.text.as_str()).collect();
            c.name() == "pdm" && args.windows(3).any(|w| w[0] == "config" && w[1] == key && falsy(Some(w[2])))
        })
    };
    let off = |env: &str, key: &str| falsy(setting(o, c, env).as_deref()) || config(key);
    if off("PDM_USE_VENV", "python.use_venv") {
        return Some("`pdm` with `python.use_venv` off installs into the system Python: not supported; let pdm make the project's `.venv` (the default) and the rewrite copies it".into());
    }
    if off("PDM_VENV_IN_PROJECT", "venv.in_project") {
        return Some("`pdm` with `venv.in_project` off keeps the environment in its own directory: not supported; keep the default `.venv` in the project and the rewrite copies it".into());
    }
    None
}

fn falsy(v: Option<&str>) -> bool {
    v.is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "0" | "false" | "no" | "off"))
}

/// The value an ENV of the stage (or the command's prefix) gives `key`.
fn setting(o: &Original, c: &Command, key: &str) -> Option<String> {
    if let Some((_, v)) = c.assignments.iter().find(|(k, _)| k == key) {
        return Some(v.clone());
    }
    o.stage.commands.iter().rev().find_map(|cmd| match &cmd.kind {
        Kind::Env { vars } => vars.iter().find(|kv| kv.key == key).map(|kv| kv.value.trim_matches('"').to_string()),
        _ => None,
    })
}

fn truthy(v: Option<String>) -> bool {
    v.is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "1" | "true" | "yes" | "on"))
}

/// The project's own environment, when the manager makes one where the program expects it:
/// `uv sync` (in `UV_PROJECT_ENVIRONMENT` or `.venv` of the project), `pdm install` without an
/// active environment, poetry with
/// `virtualenvs.in-project`, pipenv with `PIPENV_VENV_IN_PROJECT`. The runtime stage copies it
/// to the same path.
pub fn project_env(o: &Original, managers: &[(&Step, &Command, Manager)]) -> Option<String> {
    let in_project_config = o.steps.iter().flat_map(|s| o.commands(s)).any(|c| {
        let args: Vec<&str> = c.args().iter().map(|w| w.text.as_str()).collect();
        c.name() == "poetry"
            && args.windows(3).any(|w| w[0] == "config" && w[1] == "virtualenvs.in-project" && w[2] == "true")
    });
    managers.iter().find_map(|(s, c, m)| {
        let in_project = match m {
            Manager::UvSync => {
                if let Some(v) = setting(o, c, "UV_PROJECT_ENVIRONMENT") {
                    return Some(super::absolute(&s.workdir, &v));
                }
                true
            }
            Manager::Poetry => in_project_config || truthy(setting(o, c, "POETRY_VIRTUALENVS_IN_PROJECT")),
            Manager::Pipenv => !c.has_flag(&["--system"]) && truthy(setting(o, c, "PIPENV_VENV_IN_PROJECT")),
            // an environment the stage activates is pdm's (found as the stage's own venv)
            Manager::Pdm => setting(o, c, "VIRTUAL_ENV").is_none(),
            Manager::UvPip => false,
        };
        in_project.then(|| super::absolute(&s.workdir, ".venv"))
    })
}

/// Point the managers at the builder's virtual environment `venv`: `uv pip --system` loses
/// `--system` (it would install into the builder's own Python).
pub fn into_venv(o: &Original, bp: &mut Blueprint, managers: &[(&Step, &Command, Manager)], venv: &str) {
    for (s, c, m) in managers {
        match m {
            Manager::UvPip => {
                if let Some(w) = c.args().iter().find(|w| w.text == "--system") {
                    let (Some(a), Some(b)) =
                        (o.cx.script_source(s.instruction, w.start), o.cx.script_source(s.instruction, w.end))
                    else {
                        continue;
                    };
                    // the space after the flag goes with it
                    let b = if o.df.source.as_bytes().get(b) == Some(&b' ') { b + 1 } else { b };
                    bp.edits.push((crate::dockerfile::Span::new(a, b), String::new()));
                    bp.change(
                        Some(s.line),
                        format!("`uv pip install` installs into {venv} (the active environment) instead of the system Python (`--system` dropped)"),
                    );
                }
            }
            Manager::Poetry | Manager::Pipenv | Manager::Pdm => {
                bp.change(
                    Some(s.line),
                    format!("`{}` installs into the active environment {venv} (VIRTUAL_ENV)", m.name()),
                );
            }
            Manager::UvSync => {}
        }
    }
    if !managers.is_empty() {
        bp.change(
            None,
            "the project manager and its cache (~/.cache) stay in the builder: the runtime stage gets the environment it filled",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dockerfile::shell::parse_script;

    fn cmd(s: &str) -> Command {
        parse_script(s).commands.remove(0)
    }

    #[test]
    fn installers_and_managers() {
        assert!(installs_installers_only(&cmd("pip install poetry==1.8.3")));
        assert!(installs_installers_only(&cmd("pip install --no-cache-dir --upgrade pip 'uv>=0.4' setuptools")));
        assert!(!installs_installers_only(&cmd("pip install poetry flask")));
        assert!(!installs_installers_only(&cmd("pip install -r requirements.txt")));
        assert!(!installs_installers_only(&cmd("pip install .")));
        assert_eq!(manager_install(&cmd("poetry install --no-root --only main")), Some(Manager::Poetry));
        assert_eq!(manager_install(&cmd("poetry config virtualenvs.create false")), None);
        assert_eq!(manager_install(&cmd("pipenv install --system --deploy")), Some(Manager::Pipenv));
        assert_eq!(manager_install(&cmd("uv sync --frozen --no-dev")), Some(Manager::UvSync));
        assert_eq!(manager_install(&cmd("uv pip install --system -r requirements.txt")), Some(Manager::UvPip));
        assert_eq!(manager_install(&cmd("uv venv")), None);
        assert_eq!(manager_install(&cmd("pdm install --prod --frozen-lockfile --no-self")), Some(Manager::Pdm));
        assert_eq!(manager_install(&cmd("pdm lock")), None);
        assert!(installs_installers_only(&cmd("pip install pdm==2.29.4")));
    }
}
