//! What one RUN adds: OS packages (over what the image has), package lists and caches the RUN
//! does not clean, language dependencies from the lockfiles it installs from, and (in `builds`)
//! what builds leave.

use super::builds;
use super::context::BuildContext;
use super::{deps, under, Cause, Part, Stage};
use crate::data::deps::{alpine_install, npm_package, pypi_install};
use crate::data::{debian_closure, estimates, is_build_package};
use crate::dockerfile::shell::Command;
use crate::dockerfile::tools::caches::{marks_auto, removes, Cache};
use crate::dockerfile::tools::packages::{package_command, Action, Manager};
use crate::dockerfile::tools::toolchains::{js_install, js_manager, pip_install};
use crate::dockerfile::tools::{flag_value, operands, positionals, python_module, subcommand};
use std::collections::HashSet;

pub(crate) struct RunCx<'a> {
    pub stage: usize,
    pub line: usize,
    pub instruction: usize,
    /// Targets of `--mount=type=cache` (what is written there is not in the image).
    pub cache_mounts: Vec<String>,
    pub ctx: &'a BuildContext,
}

impl RunCx<'_> {
    pub(super) fn part(&self, cause: Cause, path: impl Into<String>, bytes: u64, how: impl Into<String>) -> Part {
        Part {
            stage: self.stage,
            line: self.line,
            instruction: self.instruction,
            cause,
            path: path.into(),
            bytes,
            how: how.into(),
            names: Vec::new(),
            removed: false,
            removed_by: None,
        }
    }
    pub(super) fn mounted(&self, path: &str) -> bool {
        self.cache_mounts.iter().any(|m| under(path, m))
    }
}

/// Is a cache cleaned by a later command of the RUN, or written to a cache mount?
pub(super) fn cleaned(rc: &RunCx, later: &[Command], cache: Cache, path: &str) -> bool {
    rc.mounted(path) || later.iter().any(|c| cache.cleaned_by(c) || removes(c, path))
}

pub(crate) fn parts(rc: &RunCx, cmds: &[Command], st: &mut Stage) {
    let first_new = st.parts.len();
    for (i, c) in cmds.iter().enumerate() {
        let later = &cmds[i + 1..];
        if let Some(p) = package_command(c) {
            packages(rc, c, &p, later, st);
        } else if pip_install(c).is_some() {
            pip(rc, c, later, st);
        } else if crate::dockerfile::tools::tool_name(c).starts_with("pip") && subcommand(c) == Some("uninstall") {
            // pip uninstalling itself (and setuptools) from a virtual environment
            let gone = |name: &str| operands(c).iter().any(|w| w.text == name);
            let (pip, setuptools) = (gone("pip"), gone("setuptools"));
            if pip || setuptools {
                let venv = c
                    .name()
                    .strip_suffix("/bin/python")
                    .or_else(|| c.name().strip_suffix("/bin/pip"))
                    .map(str::to_string);
                let venv = venv.or_else(|| st.env.get("VIRTUAL_ENV").cloned());
                if let Some(v) = venv {
                    let e = estimates();
                    let (bytes, what) = match (pip, setuptools) {
                        (true, true) => (e.python.venv_pip + e.python.venv_setuptools, ", without pip and setuptools"),
                        (true, false) => (e.python.venv_pip, ", without pip"),
                        _ => (e.python.venv_setuptools, ", without setuptools"),
                    };
                    for p in st.parts.iter_mut().filter(|p| p.cause == Cause::Environment && p.path == v) {
                        p.bytes = p.bytes.saturating_sub(bytes);
                        p.how.push_str(what);
                    }
                }
            }
        } else if python_module(c).is_some_and(|(m, _)| m == "venv") || c.name() == "virtualenv" {
            let dir = positionals(c).iter().map(|w| w.text.clone()).find(|t| t != "venv").unwrap_or_default();
            if !dir.is_empty() {
                let e = estimates();
                st.parts.push(rc.part(
                    Cause::Environment,
                    st.abs(&dir),
                    e.python.venv,
                    "a virtual environment with pip and setuptools (rules/estimates.toml)",
                ));
            }
        } else if matches!(c.name(), "poetry" | "pipenv" | "uv" | "pdm") {
            python_project(rc, c, later, st);
        } else if js_install(c) {
            node(rc, c, later, st);
        } else if js_manager(c).is_some() {
            node_other(rc, c, st);
        } else if c.name() == "go" {
            builds::go(rc, c, later, st);
        } else if c.name() == "cargo" {
            builds::cargo(rc, c, st);
        } else if c.name() == "strip" {
            builds::strip(c, st);
        } else {
            builds::native(rc, c, st);
        }
    }
    // what the RUN deletes: its own parts go, earlier ones stay in their layers
    st.paths.extend(&st.parts, first_new);
    for c in cmds.iter().filter(|c| c.name() == "rm") {
        let roots = crate::dockerfile::tools::caches::rm_roots(c);
        if roots.is_empty() {
            continue;
        }
        let covered = |path: &str| {
            roots.iter().any(|t| path == t || path.strip_prefix(t.as_str()).is_some_and(|r| r.starts_with('/')))
        };
        let mut k = 0;
        st.parts.retain(|p| {
            let keep = k < first_new || p.path.is_empty() || !covered(&p.path);
            k += 1;
            keep
        });
        // earlier parts, found by path (a file of many RUNs stays linear)
        for t in &roots {
            for k in st.paths.under(t) {
                let p = &mut st.parts[k];
                if !p.removed {
                    p.removed = true;
                    p.removed_by = Some(rc.instruction);
                }
            }
        }
    }
}

/// The rewrite's runtime packages on an Alpine runtime stage: apk's sizes.
pub(crate) fn install_alpine(st: &mut Stage, names: &[&str], line: usize, instruction: usize, how: &str) {
    let stage = st.parts.first().map_or(0, |p| p.stage);
    let (bytes, _) = alpine_install(names, &st.present);
    st.present.extend(names.iter().map(|s| s.to_string()));
    if bytes > 0 {
        let how = format!("{how}: derived sizes of the Alpine packages (rules/alpine-packages.toml)");
        let names = names.iter().map(|s| s.to_string()).collect();
        st.parts.push(Part::packages(stage, (line, instruction), Cause::Packages, bytes, how, names));
    }
}

/// Install Debian packages over what the stage has: what the program may need, the build-only
/// ones, then what Recommends adds, each its own part.
pub(crate) fn install_debian(
    st: &mut Stage,
    names: &[&str],
    recommends: bool,
    line: usize,
    instruction: usize,
    how: &str,
) {
    if st.alpine {
        return;
    }
    let stage = st.parts.first().map_or(0, |p| p.stage);
    // what each push adds to the image (for the recommends of exactly those)
    let mut installed: Vec<String> = Vec::new();
    let mut push = |st: &mut Stage, cause: Cause, list: &[&str], rec: bool| {
        if list.is_empty() {
            return;
        }
        let (mut bytes, added, known) = debian_closure(list, rec, &st.present);
        st.present.extend(added.iter().cloned());
        installed.extend(added.iter().cloned());
        let mut how = format!("{how}: their dependency closure over what the image has (rules/debian-bookworm.toml)");
        if !known && !rec {
            let unknown: Vec<&str> =
                list.iter().copied().filter(|n| !st.present.contains(*n) && !crate::data::debian_known(n)).collect();
            bytes += unknown.len() as u64 * estimates().apt.unknown_package;
            st.present.extend(unknown.iter().map(|s| s.to_string()));
            installed.extend(unknown.iter().map(|s| s.to_string()));
            if !unknown.is_empty() {
                how.push_str(&format!("; {} not in the table, counted at its typical closure", unknown.join(", ")));
            }
        }
        if bytes == 0 {
            return;
        }
        let names = list.iter().map(|s| s.to_string()).collect();
        st.parts.push(Part::packages(stage, (line, instruction), cause, bytes, how, names));
    };
    let (build, other): (Vec<&str>, Vec<&str>) = names.iter().partition(|n| is_build_package(n));
    push(st, Cause::Packages, &other, false);
    push(st, Cause::BuildPackages, &build, false);
    if recommends {
        // apt installs the recommends of what this install adds
        let (bytes, added) = crate::data::debian_recommends(&installed, &st.present);
        st.present.extend(added.iter().cloned());
        if bytes > 0 {
            let how = format!("{how}: what apt-get's Recommends adds (rules/debian-bookworm.toml)");
            st.parts.push(Part::packages(stage, (line, instruction), Cause::Recommends, bytes, how, added));
        }
    }
}

fn packages(
    rc: &RunCx,
    c: &Command,
    p: &crate::dockerfile::tools::packages::PackageCommand,
    later: &[Command],
    st: &mut Stage,
) {
    let e = estimates();
    // packages a later command of the RUN takes away again
    let purged: HashSet<String> = later
        .iter()
        .filter_map(package_command)
        .filter(|l| l.action == Action::Remove)
        .flat_map(|l| l.packages)
        .collect();
    let all_purged = later.iter().any(marks_auto)
        && later
            .iter()
            .filter_map(package_command)
            .any(|l| l.action == Action::Autoremove || l.action == Action::Remove && l.sub == "purge");
    match (p.manager, p.action) {
        (Manager::Apt, Action::Update) => {
            let path = "/var/lib/apt/lists";
            if !cleaned(rc, later, Cache::AptLists, path) {
                st.parts.push(rc.part(
                    Cause::PackageLists,
                    path,
                    e.apt.lists,
                    "/var/lib/apt/lists after apt-get update on debian:bookworm (rules/estimates.toml)",
                ));
            }
        }
        (Manager::Apt, Action::Install) if !all_purged => {
            let names: Vec<&str> = p.packages.iter().map(String::as_str).filter(|n| !purged.contains(*n)).collect();
            let recommends = !c.has_flag(&["--no-install-recommends"])
                && st.env.get("APT_NO_RECOMMENDS").is_none_or(|v| v.is_empty());
            install_debian(st, &names, recommends, rc.line, rc.instruction, "the packages apt-get installs");
        }
        (Manager::Apk, Action::Install) => {
            let removed_group = p.virtual_name.as_ref().is_some_and(|v| purged.contains(v));
            if !removed_group {
                let names: Vec<&str> = p.packages.iter().map(String::as_str).filter(|n| !purged.contains(*n)).collect();
                let (bytes, unknown) = alpine_install(&names, &st.present);
                st.present.extend(names.iter().map(|s| s.to_string()));
                let (build, _): (Vec<&str>, Vec<&str>) = names.iter().partition(|n| {
                    is_build_package(n)
                        || n.ends_with("-dev")
                        || matches!(**n, "build-base" | "musl-dev" | "linux-headers")
                });
                let how = format!(
                    "derived sizes of the Alpine packages (rules/alpine-packages.toml){}",
                    if unknown > 0 {
                        format!("; {unknown} not in the table, counted at its typical size")
                    } else {
                        String::new()
                    }
                );
                let cause = if !names.is_empty() && build.len() == names.len() {
                    Cause::BuildPackages
                } else {
                    Cause::Packages
                };
                if bytes > 0 {
                    let mut part = rc.part(cause, "/usr", bytes, how);
                    part.names = names.iter().map(|s| s.to_string()).collect();
                    st.parts.push(part);
                }
            }
            apk_index(rc, c, later, st);
        }
        (Manager::Apk, Action::Update) => apk_index(rc, c, later, st),
        (Manager::Dnf | Manager::Zypper, Action::Install) => {
            let t = crate::data::deps::alpine_typical();
            let n = p.packages.iter().filter(|n| !purged.contains(*n)).count() as u64;
            if n > 0 {
                let mut part = rc.part(
                    Cause::Packages,
                    "/usr",
                    n * t,
                    "a typical package's size per package (no RPM sizes in rules/)",
                );
                part.names = p.packages.clone();
                st.parts.push(part);
            }
            let cache = if p.manager == Manager::Dnf { Cache::Dnf } else { Cache::Zypper };
            let path = cache.paths()[0];
            if !cleaned(rc, later, cache, path)
                && !cleaned(rc, later, cache, cache.paths().get(1).copied().unwrap_or(path))
            {
                st.parts.push(rc.part(
                    Cause::PackageCache,
                    path,
                    e.yum.cache,
                    "repository metadata and packages yum/dnf keep (rules/estimates.toml)",
                ));
            }
        }
        _ => {}
    }
}

fn apk_index(rc: &RunCx, c: &Command, later: &[Command], st: &mut Stage) {
    if c.has_flag(&["--no-cache"]) || cleaned(rc, later, Cache::Apk, "/var/cache/apk") {
        return;
    }
    if st
        .parts
        .iter()
        .any(|p| p.cause == Cause::PackageLists && p.path == "/var/cache/apk" && p.instruction == rc.instruction)
    {
        return;
    }
    st.parts.push(rc.part(
        Cause::PackageLists,
        "/var/cache/apk",
        estimates().apk.index,
        "APKINDEX of main and community (rules/estimates.toml)",
    ));
}

/// Where pip installs: --target/--prefix, --user, the active virtual environment, or the
/// interpreter's site-packages.
fn site_packages(c: &Command, st: &Stage) -> String {
    if let Some(t) = flag_value(c, &["--target", "-t", "--prefix"]) {
        return st.abs(t);
    }
    if c.has_flag(&["--user"]) {
        return format!("{}/.local", st.home());
    }
    if let Some(v) = st.env.get("VIRTUAL_ENV").filter(|v| !v.is_empty()) {
        return st.abs(v);
    }
    let version = st.env.get("PYTHON_VERSION").map(|v| v.split('.').take(2).collect::<Vec<_>>().join("."));
    match version {
        Some(v) if !v.is_empty() => format!("/usr/local/lib/python{v}/site-packages"),
        _ => "/usr/local/lib/python3/site-packages".into(),
    }
}

/// The distributions a project directory in the image declares (pyproject.toml, setup.py, setup.cfg).
fn project_requirements(rc: &RunCx, st: &Stage, dir: &str) -> Option<Vec<String>> {
    let d = st.abs(dir);
    if let Some(t) = rc.ctx.read_for(st, &format!("{d}/pyproject.toml")) {
        let r = deps::pyproject(&t);
        if !r.is_empty() {
            return Some(r);
        }
    }
    for f in ["setup.py", "setup.cfg"] {
        if let Some(t) = rc.ctx.read_for(st, &format!("{d}/{f}")) {
            return Some(deps::setup_py(&t));
        }
    }
    rc.ctx.read_for(st, &format!("{d}/pyproject.toml")).map(|_| Vec::new())
}

/// A requirements file and the ones it includes, read from the build context.
fn requirement_file(rc: &RunCx, st: &Stage, path: &str, depth: usize) -> Option<Vec<String>> {
    let abs = st.abs(path);
    let text = rc.ctx.read_for(st, &abs)?;
    let (mut names, includes) = deps::requirements(&text);
    if depth < 8 {
        let dir = abs.rsplit_once('/').map_or("/", |(d, _)| if d.is_empty() { "/" } else { d }).to_string();
        for inc in includes {
            let p = if inc.starts_with('/') { inc } else { format!("{dir}/{inc}") };
            names.extend(requirement_file(rc, st, &p, depth + 1).unwrap_or_default());
        }
    }
    Some(names)
}

fn pip(rc: &RunCx, c: &Command, later: &[Command], st: &mut Stage) {
    // the options that take a value: the one spec of pip (src/dockerfile/tools)
    let values = crate::dockerfile::tools::spec("pip").value_flags;
    let words: Vec<&str> = c.args().iter().map(|w| w.text.as_str()).collect();
    let start = words.iter().position(|w| *w == "install").map_or(words.len(), |i| i + 1);
    let mut names: Vec<String> = Vec::new();
    let mut unknown: Vec<String> = Vec::new();
    let mut i = start;
    while i < words.len() {
        let w = words[i];
        let (flag, inline) = match w.split_once('=') {
            Some((f, v)) if w.starts_with("--") => (f, Some(v)),
            _ => (w, None),
        };
        if matches!(flag, "-r" | "--requirement" | "-e" | "--editable") {
            let v = inline.map(str::to_string).or_else(|| {
                i += 1;
                words.get(i).map(|s| s.to_string())
            });
            if let Some(v) = v {
                let found = if matches!(flag, "-r" | "--requirement") {
                    requirement_file(rc, st, &v, 0)
                } else {
                    project_requirements(rc, st, &v)
                };
                match found {
                    Some(n) => names.extend(n),
                    None => unknown.push(v),
                }
            }
        } else if let Some(r) = w.strip_prefix("-r").filter(|r| !r.is_empty()) {
            match requirement_file(rc, st, r, 0) {
                Some(n) => names.extend(n),
                None => unknown.push(r.to_string()),
            }
        } else if w.starts_with('-') {
            if values.contains(&flag) && inline.is_none() {
                i += 1;
            }
        } else if w == "." || w.starts_with('/') || w.starts_with("./") || w.ends_with(".whl") || w.ends_with(".tar.gz")
        {
            match project_requirements(rc, st, w) {
                Some(n) => names.extend(n),
                None if w.ends_with(".whl") || w.ends_with(".tar.gz") => {}
                None => unknown.push(w.to_string()),
            }
        } else if !w.contains('$') {
            if let Some(n) = deps::requirement_name(w) {
                names.push(n);
            }
        }
        i += 1;
    }
    let e = estimates();
    let dest = site_packages(c, st);
    let (installed, wheel, counted, not_known) = pypi_install(&names, &st.python);
    st.python.extend(names.iter().cloned());
    let mut installed = installed;
    let mut wheel = wheel;
    let mut how = format!(
        "{counted} distributions and what they depend on, sizes from PyPI (rules/pypi-sizes.toml){}",
        if not_known > 0 {
            format!("; {not_known} not in the table, counted at its typical size")
        } else {
            String::new()
        }
    );
    if !unknown.is_empty() {
        installed += e.pip.unknown;
        wheel += e.pip.unknown / 3;
        how.push_str(&format!(
            "; {} is not in the build context: a typical application's dependencies",
            unknown.join(", ")
        ));
    }
    if installed > 0 {
        let bytes = installed + (installed as f64 * e.python.pyc_ratio) as u64;
        let mut part = rc.part(Cause::Dependencies, dest, bytes, format!("{how}, with the .pyc files pip compiles"));
        part.names = names;
        st.parts.push(part);
    }
    let cache = format!("{}/.cache/pip", st.home());
    let no_cache = c.has_flag(&["--no-cache-dir"])
        || st.env.get("PIP_NO_CACHE_DIR").is_some_and(|v| !v.is_empty() && v != "0" && v != "false");
    if wheel > 0 && !no_cache && !cleaned(rc, later, Cache::Pip, &cache) && !rc.mounted(&cache) {
        st.parts.push(rc.part(
            Cause::DependencyCache,
            cache,
            wheel,
            "the wheels pip downloaded, kept in its cache (rules/pypi-sizes.toml)",
        ));
    }
}

/// poetry install, pipenv install, uv sync, pdm install: the project's lockfile.
fn python_project(rc: &RunCx, c: &Command, later: &[Command], st: &mut Stage) {
    let sub = subcommand(c).unwrap_or("");
    let installs = match c.name() {
        "uv" => matches!(sub, "sync") || sub == "pip" && operands(c).first().is_some_and(|w| w.text == "install"),
        _ => matches!(sub, "install" | "sync"),
    };
    if !installs {
        return;
    }
    if c.name() == "uv" && sub == "pip" {
        return pip(rc, c, later, st);
    }
    let w = st.workdir.clone();
    let lock = match c.name() {
        "poetry" => rc.ctx.read_for(st, &format!("{w}/poetry.lock")).map(|t| deps::toml_lock(&t)),
        "uv" => rc.ctx.read_for(st, &format!("{w}/uv.lock")).map(|t| deps::toml_lock(&t)),
        "pdm" => rc.ctx.read_for(st, &format!("{w}/pdm.lock")).map(|t| deps::toml_lock(&t)),
        _ => rc.ctx.read_for(st, &format!("{w}/Pipfile.lock")).map(|t| {
            let (d, dev) = deps::pipfile_lock(&t);
            if c.has_flag(&["--dev", "-d"]) {
                d.into_iter().chain(dev).collect()
            } else {
                d
            }
        }),
    };
    let e = estimates();
    let dest = if c.name() == "uv" { format!("{w}/.venv") } else { site_packages(c, st) };
    let (bytes, how, names) = match lock {
        Some(names) => {
            let (inst, _, n, unknown) = pypi_install(&names, &st.python);
            (
                inst + (inst as f64 * e.python.pyc_ratio) as u64,
                format!("the {n} packages of the lockfile (rules/pypi-sizes.toml; {unknown} at the typical size)"),
                names,
            )
        }
        None => (
            e.pip.unknown,
            "no lockfile in the build context: a typical application's dependencies".to_string(),
            Vec::new(),
        ),
    };
    st.python.extend(names.iter().cloned());
    let mut part = rc.part(Cause::Dependencies, dest, bytes, how);
    part.names = names;
    st.parts.push(part);
}

fn omits_dev(c: &Command, st: &Stage) -> bool {
    c.has_flag(&["--production", "--prod", "-P"])
        || flag_value(c, &["--omit", "--only"]).is_some_and(|v| matches!(v, "dev" | "prod" | "production"))
        || st.env.get("NODE_ENV").is_some_and(|v| v == "production")
}

fn node(rc: &RunCx, c: &Command, later: &[Command], st: &mut Stage) {
    let m = js_manager(c).unwrap_or("npm");
    let w = st.workdir.clone();
    let read = |f: &str| rc.ctx.read_for(st, &format!("{w}/{f}"));
    let lock: Option<Vec<deps::NpmDep>> = match m {
        "yarn" => read("yarn.lock").map(|t| {
            let (_, dev) = read("package.json").map(|p| deps::package_json(&p)).unwrap_or_default();
            deps::yarn_lock(&t).into_iter().map(|n| deps::NpmDep { dev: dev.contains(&n), name: n }).collect()
        }),
        "pnpm" => read("pnpm-lock.yaml").map(|t| deps::pnpm_lock(&t)),
        _ => read("package-lock.json").or_else(|| read("npm-shrinkwrap.json")).map(|t| deps::package_lock(&t)),
    };
    let (list, fan_out, how) = match lock {
        Some(l) => {
            (l, 0, "the packages of the lockfile, sizes from the npm registry (rules/npm-sizes.toml)".to_string())
        }
        None => match read("package.json") {
            Some(p) => {
                let (d, dev) = deps::package_json(&p);
                let l = d
                    .into_iter()
                    .map(|n| deps::NpmDep { name: n, dev: false })
                    .chain(dev.into_iter().map(|n| deps::NpmDep { name: n, dev: true }))
                    .collect();
                (l, 10, "package.json without a lockfile: each dependency and about 10 typical packages it pulls in (rules/npm-sizes.toml)".to_string())
            }
            None => (Vec::new(), 0, String::new()),
        },
    };
    let dev_omitted = omits_dev(c, st)
        || later.iter().any(|l| l.name() == "npm" && subcommand(l) == Some("prune") && omits_dev_prune(l));
    let typical = crate::data::deps::npm().typical;
    let (mut prod, mut dev, mut tarballs, mut unpacked_all) = (0u64, 0u64, 0u64, 0u64);
    let mut unknown = 0;
    for d in &list {
        let (u, t, known) = npm_package(&d.name);
        unknown += usize::from(!known);
        let u = u + fan_out * typical.unpacked;
        let t = t + fan_out * typical.tarball;
        if d.dev {
            if dev_omitted {
                continue;
            }
            dev += u;
        } else {
            prod += u;
        }
        tarballs += t;
        unpacked_all += u;
    }
    if list.is_empty() {
        let e = estimates();
        prod = e.npm.dev_dependencies / 3;
        tarballs = e.npm.cache / 3;
        unpacked_all = prod;
    }
    let how = if list.is_empty() {
        "no package.json or lockfile in the build context: a typical application (rules/estimates.toml)".to_string()
    } else if unknown > 0 {
        format!("{how}; {unknown} not in the table, counted at its typical size")
    } else {
        how
    };
    let modules = format!("{w}/node_modules");
    if prod > 0 {
        st.parts.push(rc.part(Cause::Dependencies, modules.clone(), prod, how.clone()));
    }
    if dev > 0 {
        st.parts.push(rc.part(Cause::DevDependencies, modules, dev, how));
    }
    let (cache, bytes, what) = match m {
        "yarn" => (Cache::Yarn, unpacked_all, "the packages yarn keeps in its cache"),
        "pnpm" => return,
        _ => (Cache::Npm, tarballs, "the tarballs npm keeps in its cache"),
    };
    let home_cache = if m == "npm" { format!("{}/.npm", st.home()) } else { cache.paths()[0].to_string() };
    if bytes > 0 && !cleaned(rc, later, cache, &home_cache) {
        st.parts.push(rc.part(Cause::DependencyCache, home_cache, bytes, format!("{what} (rules/npm-sizes.toml)")));
    }
}

fn omits_dev_prune(c: &Command) -> bool {
    c.has_flag(&["--production"]) || flag_value(c, &["--omit"]).is_some_and(|v| v == "dev")
}

/// npm prune and global installs.
fn node_other(rc: &RunCx, c: &Command, st: &mut Stage) {
    if c.name() == "npm" && subcommand(c) == Some("prune") && omits_dev_prune(c) {
        for p in st.parts.iter_mut().filter(|p| p.cause == Cause::DevDependencies && !p.removed) {
            p.removed = true;
            p.removed_by = Some(rc.instruction);
        }
    }
}
