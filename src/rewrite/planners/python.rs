//! Python: dependencies go into a virtual environment in the builder (with compilers and headers
//! for C extensions); the runtime stage is the `-slim` image with the venv, the application
//! files, and the runtime libraries of the -dev packages the extensions link.

use super::*;
use crate::dockerfile::shell::Command;
use crate::dockerfile::tools::operands;
use crate::dockerfile::tools::toolchains::pip_install;

const VENV: &str = "/opt/venv";

/// `python -m venv X` or `virtualenv X`: the venv the original makes itself.
fn own_venv(c: &Command) -> Option<String> {
    let args: Vec<&str> = c.args().iter().map(|w| w.text.as_str()).collect();
    let path = if c.name().starts_with("python") && args.first() == Some(&"-m") && args.get(1) == Some(&"venv") {
        args[2..].iter().find(|a| !a.starts_with('-'))?
    } else if c.name() == "virtualenv" {
        args.iter().find(|a| !a.starts_with('-'))?
    } else {
        return None;
    };
    Some(path.to_string())
}

pub fn plan(o: &Original, options: &Options, bp: &mut Blueprint) -> Result<(), Refusal> {
    let runtime = runtime_base(o, options, false)
        .ok_or_else(|| Refusal::at(o.stage.line, format!("no runtime image is known for {}", o.base)))?;
    set_runtime(o, bp, runtime, "the Python runtime without compilers, headers and build tools")?;
    let mut venv: Option<String> = None;
    let managers = pyenv::installs(o)?;
    // `uv sync` and in-project poetry/pipenv make the project's own environment
    if let Some(v) = pyenv::project_env(o, &managers) {
        venv = Some(v);
    }
    // the first install of the program's dependencies (the installers' own stay outside)
    let mut first_pip: Option<usize> = managers.first().map(|(s, _, _)| s.instruction);
    let (mut user_installs, mut pips) = (0, 0);
    for s in &o.steps {
        for c in o.commands(s) {
            if let Some(v) = own_venv(c) {
                venv.get_or_insert(super::absolute(&s.workdir, &v));
            }
            if pyenv::installs_installers_only(c) {
                if first_pip.is_none_or(|f| s.instruction < f) {
                    bp.change(
                        Some(s.line),
                        "the installers this pip installs stay in the builder's own Python, out of the environment the runtime stage copies",
                    );
                }
            } else if pip_install(c).is_some() {
                first_pip = Some(first_pip.map_or(s.instruction, |f| f.min(s.instruction)));
                pips += 1;
                if c.has_flag(&["--user"]) {
                    user_installs += 1;
                }
                if c.has_flag(&["-t", "--target", "--prefix", "--root"]) {
                    return Err(Refusal::at(s.line, "`pip install` into a custom target or prefix: not supported; install into a virtual environment for a rewrite"));
                }
                if c.words[0].text.starts_with('/') {
                    return Err(Refusal::at(
                        s.line,
                        "pip is called by absolute path, which a virtual environment would not catch",
                    ));
                }
            }
        }
    }
    if user_installs > 0 {
        // `pip install --user`: the packages are in ~/.local, which the runtime stage copies
        // (root's home only: another user's is not known before the build)
        let runs_as_root = !o.has_kind(|k| matches!(k, Kind::User { .. }));
        if user_installs < pips || !runs_as_root || venv.is_some() {
            return Err(Refusal::new(
                "`pip install --user` as another user than root, or mixed with other installs: the rewrite cannot tell where the packages are; install into a virtual environment",
            ));
        }
        bp.artifact("/root/.local", "the packages `pip install --user` put in root's home");
        bp.env.push("ENV PATH=\"/root/.local/bin:$PATH\"".to_string());
        bp.intended.push("Env");
        bp.change(
            None,
            "`pip install --user` installs into /root/.local, which the runtime stage copies; PATH puts its bin first",
        );
        first_pip = None;
    }
    let reorder = if user_installs > 0 { None } else { manifest_first(o, bp) };
    match (&venv, first_pip) {
        (Some(v), _) => {
            bp.artifact(v, "the virtual environment the build creates");
            bp.change(None, format!("the virtual environment {v} is copied to the runtime stage"));
            if !managers.is_empty() {
                bp.change(None, "the project manager and its cache (~/.cache) stay in the builder");
            }
        }
        (None, Some(i)) => {
            let at = reorder.map_or(i, |(copy, _)| copy.min(i));
            pyenv::into_venv(o, bp, &managers, VENV);
            // first among the insertions at that place: before the moved requirements step
            bp.before.insert(
                0,
                (
                    at,
                    format!(
                        "# imgslim: dependencies go into a virtual environment the runtime stage copies{nl}RUN python -m venv {VENV}{nl}ENV VIRTUAL_ENV={VENV} PATH=\"{VENV}/bin:$PATH\"",
                        nl = o.nl
                    ),
                ),
            );
            bp.env.push(format!("ENV VIRTUAL_ENV={VENV} PATH=\"{VENV}/bin:$PATH\""));
            bp.artifact(VENV, "the virtual environment with the dependencies");
            venv_without_installers(o, bp);
            bp.intended.push("Env");
            bp.change(
                o.steps.iter().find(|s| s.instruction == i).map(|s| s.line),
                format!(
                    "{} into a virtual environment ({VENV}) built in the builder (with compilers for C extensions) and copied to the runtime stage; PATH puts it first",
                    if pips > 0 { "pip installs" } else { "the dependencies go" }
                ),
            );
        }
        (None, None) => {}
    }
    context_artifacts(o, bp)?;
    keep_packages(o, bp, o.invoked(), options)?;
    if needs_shell(o) && !bp.runtime_shell {
        return Err(Refusal::new("setup steps need a shell the runtime base does not have"));
    }
    base_saving(o, bp);
    // wheels pip keeps in ~/.cache/pip stay in the builder
    let no_cache_env = o
        .stage
        .commands
        .iter()
        .any(|c| matches!(&c.kind, Kind::Env { vars } if vars.iter().any(|kv| kv.key == "PIP_NO_CACHE_DIR")));
    let cached = o.steps.iter().flat_map(|s| o.commands(s)).any(|c| {
        pip_install(c).is_some()
            && !c.has_flag(&["--no-cache-dir"])
            && !c.assignments.iter().any(|(k, _)| k == "PIP_NO_CACHE_DIR")
    });
    // poetry, uv and pipenv keep their caches in ~/.cache too
    let cached = cached && !no_cache_env || !managers.is_empty();
    if cached {
        bp.saving = Some(bp.saving.unwrap_or(0) + crate::data::estimates().pip.unknown);
        if managers.is_empty() {
            bp.change(None, "the wheels pip caches in ~/.cache/pip stay in the builder");
        }
    }
    if !o.has_kind(|k| matches!(k, Kind::User { .. })) {
        bp.change(None, "kept running as root: the program may write to its own files; add a USER after checking");
    }
    Ok(())
}

/// The virtual environment imgslim makes gets pip (python 3.11: ~12 MB with its bytecode) and
/// setuptools (~8 MB); nothing runs pip once the dependencies are in, unless the program runs pip
/// or its requirements name it. setuptools goes too unless the program's sources (setup.py aside)
/// or, checked in the builder, an installed package import setuptools or pkg_resources.
fn venv_without_installers(o: &Original, bp: &mut Blueprint) {
    let runs_pip = ["pip", "pip3"].iter().find_map(|p| o.invoked().why(p).map(|w| format!("{p}: {w}")));
    let requirements = ["requirements.txt", "pyproject.toml", "setup.py", "setup.cfg"]
        .iter()
        .filter_map(|f| o.context_file(f))
        .any(|t| {
            t.lines().any(|l| {
                let l = l.trim_start().to_ascii_lowercase();
                l.starts_with("pip") && !l.starts_with("pipe") || l.starts_with("\"pip")
            })
        });
    let imports = o.context_mentions(&[".py"], &["import pip", "from pip"]);
    if let Some(why) = runs_pip.or_else(|| imports.map(|(f, w)| format!("{f} uses {w}"))) {
        bp.change(None, format!("pip stays in the virtual environment: {why}"));
        return;
    }
    if requirements || o.context_dir.is_none() {
        return;
    }
    let words = ["import setuptools", "from setuptools", "import pkg_resources", "from pkg_resources"];
    let uses_setuptools = o.context_mentions_except(&[".py"], &words, &["setup.py"]);
    let nl = o.nl;
    let setuptools = match &uses_setuptools {
        Some((f, w)) => {
            bp.change(None, format!("setuptools stays in the virtual environment: {f} uses {w}"));
            String::new()
        }
        // an installed package that imports them keeps them (read in the builder)
        None => format!(
            "if ! grep -rqsE --include='*.py' --exclude-dir=setuptools --exclude-dir=pkg_resources \\{nl}        --exclude-dir=_distutils_hack --exclude-dir=pip \\{nl}        '^[[:space:]]*(import|from)[[:space:]]+(setuptools|pkg_resources)' {VENV}/lib; then \\{nl}        {VENV}/bin/python -m pip uninstall -y -q setuptools; fi \\{nl}    && "
        ),
    };
    bp.tail.insert(
        0,
        format!(
            "# imgslim: the dependencies are in: pip (and setuptools, unless an installed package imports it) are not needed at run time{nl}RUN {setuptools}{VENV}/bin/python -m pip uninstall -y -q pip"
        ),
    );
    bp.change(
        None,
        format!(
            "pip{} uninstalled from {VENV} once the dependencies are in: nothing the image runs uses {}",
            if uses_setuptools.is_none() { " and setuptools are" } else { " is" },
            if uses_setuptools.is_none() { "them" } else { "it" }
        ),
    );
}

/// `COPY . .` directly followed by `RUN pip install -r requirements.txt`: copy the requirements
/// first and install before the sources, so a source change does not reinstall everything.
/// Only when the requirement files are in the context and name no local paths.
/// Returns (the COPY's instruction, the RUN's instruction).
fn manifest_first(o: &Original, bp: &mut Blueprint) -> Option<(usize, usize)> {
    let (copy, run) = context_copy_then_run(o)?;
    let cmds = o.commands(run);
    let mut files = Vec::new();
    for c in cmds {
        pip_install(c)?;
        let positional = operands(c);
        if !positional.is_empty() || c.has_flag(&["-e", "--editable", "-c", "--constraint"]) {
            return None;
        }
        let mut it = c.args().iter();
        while let Some(w) = it.next() {
            let f = if matches!(w.text.as_str(), "-r" | "--requirement") {
                it.next()?.text.clone()
            } else if let Some(f) = w.text.strip_prefix("--requirement=") {
                f.to_string()
            } else {
                continue;
            };
            let text = o.context_file(&f)?;
            let local = text.lines().map(str::trim).any(|l| {
                l.starts_with(['-', '.', '/']) && !l.starts_with("--hash")
                    || l.contains("file:")
                    || l.starts_with("git+")
            });
            if local || f.contains('$') || f.starts_with('/') {
                return None;
            }
            files.push(f);
        }
    }
    if files.is_empty() {
        return None;
    }
    install_before_sources(o, bp, copy, run, &files, "requirements")?;
    Some((copy.instruction, run.instruction))
}
