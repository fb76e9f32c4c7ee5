//! Node.js: install with dev dependencies and build in the builder, then prune the dev
//! dependencies; the runtime stage is the `-slim` image with the application (production
//! node_modules and the built output).

use super::*;
use crate::dockerfile::shell::Command;

fn manager(o: &Original) -> &'static str {
    let names: Vec<&str> = o.steps.iter().flat_map(|s| o.commands(s)).map(Command::name).collect();
    if names.contains(&"yarn") {
        "yarn"
    } else if names.contains(&"pnpm") {
        "pnpm"
    } else {
        "npm"
    }
}

fn is_install(c: &Command) -> bool {
    crate::dockerfile::tools::toolchains::js_install(c)
}

/// The major version of Yarn the project names: `packageManager: yarn@4.9.4` in package.json, or
/// the release `yarnPath` points to in .yarnrc.yml (`.yarn/releases/yarn-4.9.4.cjs`).
fn yarn_major(o: &Original) -> Option<u32> {
    let pm = o
        .context_file("package.json")
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .and_then(|v| v["packageManager"].as_str().map(str::to_string));
    let from_pm = pm.as_deref().and_then(|p| p.strip_prefix("yarn@")).and_then(|v| v.split('.').next()?.parse().ok());
    from_pm.or_else(|| {
        let rc = o.context_file(".yarnrc.yml")?;
        let line = rc.lines().map(str::trim).find(|l| l.starts_with("yarnPath:"))?;
        let file = line.rsplit('/').next()?;
        file.strip_prefix("yarn-")?.split('.').next()?.parse().ok()
    })
}

/// Yarn 2+ ("berry"): `.yarnrc.yml`, a `packageManager` of yarn 2 or later, or a yarn.lock with
/// berry's `__metadata`. Some(true) when it installs Plug'n'Play (no `nodeLinker:
/// node-modules`).
fn yarn_berry(o: &Original) -> Option<bool> {
    let rc = o.context_file(".yarnrc.yml");
    let major = yarn_major(o);
    let lock = o.context_file("yarn.lock").is_some_and(|l| l.contains("__metadata:"));
    if rc.is_none() && major.is_none_or(|m| m < 2) && !lock {
        return None;
    }
    let node_modules = rc.is_some_and(|t| {
        t.lines().any(|l| {
            let l = l.trim();
            l.starts_with("nodeLinker:") && l.contains("node-modules")
        })
    });
    Some(!node_modules)
}

/// The commands the program runs (ENTRYPOINT/CMD and the package.json scripts it starts), read
/// from the image's invoked programs.
fn started_commands(o: &Original) -> Vec<String> {
    o.invoked()
        .names
        .iter()
        .filter(|(_, why)| why.starts_with("ENTRYPOINT/CMD") || why.contains("script of package.json"))
        .map(|(n, _)| n.clone())
        .collect()
}

/// The programs (`bin` entries) of the dev dependencies, from package-lock.json (v2/v3 list each
/// package's `bin` and whether it is `dev`); None when the lockfile does not say.
fn dev_bins(o: &Original) -> Option<Vec<String>> {
    let lock: serde_json::Value = serde_json::from_str(&o.context_file("package-lock.json")?).ok()?;
    let pkgs = lock["packages"].as_object()?;
    let mut bins = Vec::new();
    for (path, p) in pkgs {
        if path.is_empty() || p["dev"] != true {
            continue;
        }
        if let Some(b) = p["bin"].as_object() {
            bins.extend(b.keys().cloned());
        }
    }
    Some(bins)
}

/// Whether the program runs a dev dependency at run time (ts-node, nodemon, http-server from
/// `npm start`): by the lockfile's `bin` entries; without them, by name (a dev dependency
/// called like the command, or `<command>-cli`). None when package.json is not available.
fn runs_dev_dependency(o: &Original) -> Option<(bool, String)> {
    let pkg: serde_json::Value = serde_json::from_str(&o.context_file("package.json")?).ok()?;
    let dev: Vec<&str> =
        pkg["devDependencies"].as_object().map(|m| m.keys().map(String::as_str).collect()).unwrap_or_default();
    let started = started_commands(o);
    if let Some(bins) = dev_bins(o) {
        let hit = started.iter().find(|c| bins.contains(c));
        return Some(match hit {
            Some(c) => {
                (true, format!("`{c}`, which the program runs, comes from a dev dependency (package-lock.json)"))
            }
            None => (false, String::new()),
        });
    }
    let hit = started.iter().find(|c| dev.iter().any(|d| d == c || *d == format!("{c}-cli")));
    Some(match hit {
        Some(c) => (true, format!("the program runs `{c}`, which looks like a dev dependency")),
        None => (false, String::new()),
    })
}

/// Every install already leaves the dev dependencies out (`--omit=dev`, `--production`,
/// `NODE_ENV=production`).
fn production_only(o: &Original) -> bool {
    // NODE_ENV=production set by an ENV before the install
    let env_before = |index: usize| {
        o.stage.commands[..index].iter().any(|c| {
            matches!(&c.kind, Kind::Env { vars } if vars.iter().any(|kv| kv.key == "NODE_ENV" && kv.value.trim_matches('"') == "production"))
        })
    };
    let installs: Vec<(bool, &Command)> = o
        .steps
        .iter()
        .flat_map(|s| o.commands(s).iter().map(move |c| (env_before(s.index), c)))
        .filter(|(_, c)| is_install(c))
        .collect();
    !installs.is_empty()
        && installs.iter().all(|&(env, c)| {
            env || c.has_flag(&["--production", "--prod", "-P"])
                || c.flag_value(&["--omit"]) == Some("dev")
                || matches!(c.flag_value(&["--only"]), Some("prod" | "production"))
                || c.assignments.iter().any(|(k, v)| k == "NODE_ENV" && v == "production")
        })
}

/// The package cache an install leaves behind (no `npm cache clean`, no cache mount), which stays
/// in the builder.
fn leaves_cache(o: &Original) -> bool {
    o.steps.iter().any(|s| {
        let cmds = o.commands(s);
        cmds.iter().any(is_install)
            && !cmds.iter().any(|c| {
                matches!(c.name(), "npm" | "yarn" | "pnpm") && crate::dockerfile::tools::subcommand(c) == Some("cache")
            })
            && !o.block_text(s.instruction).contains("--mount=type=cache")
    })
}

pub fn plan(o: &Original, options: &Options, bp: &mut Blueprint) -> Result<(), Refusal> {
    if static_site::plan(o, bp)? || super::nextjs::plan(o, options, bp)? {
        return Ok(());
    }
    let runtime = runtime_base(o, options, false)
        .ok_or_else(|| Refusal::at(o.stage.line, format!("no runtime image is known for {}", o.base)))?;
    set_runtime(o, bp, runtime, "the Node.js runtime without compilers, headers and build tools")?;
    let pm = manager(o);
    if let Some(first) = o.program.as_ref().and_then(|p| p.first()).filter(|w| w.as_str() == "pnpm") {
        return Err(Refusal::new(format!(
            "the program is started with `{first}`, which the Node.js runtime image does not have: start it with `node` and the script's file (what `pnpm start` runs) for a rewrite"
        )));
    }
    let berry = if pm == "yarn" { yarn_berry(o) } else { None };
    if berry.is_some()
        && o.program.as_ref().and_then(|p| p.first()).is_some_and(|w| w.rsplit('/').next() == Some("yarn"))
    {
        return Err(Refusal::new(
            "the program is started with `yarn`, and the project's Yarn (2 or later) is not the runtime image's (Yarn 1): start it with `node` and the script's file (what `yarn start` runs) for a rewrite",
        ));
    }
    if berry == Some(true) {
        return Err(Refusal::new(
            "Yarn Plug'n'Play: the packages stay in Yarn's cache and .pnp.cjs, not in node_modules, and the rewrite cannot tell which of them the runtime stage needs; set `nodeLinker: node-modules` in .yarnrc.yml for a rewrite",
        ));
    }
    let builds: Vec<&super::super::input::Step> =
        o.steps.iter().filter(|s| s.classes.contains(&CmdClass::Build(Ecosystem::Node))).collect();
    manifest_first(o, bp, pm);
    if let Some(last) = builds.last() {
        let cd = o.commands(last).iter().any(|c| c.name() == "cd");
        let dev_at_runtime = runs_dev_dependency(o);
        // Yarn 4 has `workspaces focus` built in (its workspace-tools plugin before)
        let focus = berry.is_some() && yarn_major(o).is_some_and(|m| m >= 4);
        let prune = match pm {
            "yarn" if focus => "yarn workspaces focus --all --production",
            "yarn" => "yarn install --production --ignore-scripts --prefer-offline",
            "pnpm" => "pnpm prune --prod",
            _ => "npm prune --omit=dev",
        };
        if berry.is_some() && !focus {
            // yarn 2+ has no `install --production`; `workspaces focus --production` is a plugin
            // before yarn 4
            bp.change(
                Some(last.line),
                "dev dependencies kept: Yarn 2 and 3 prune with `yarn workspaces focus --all --production` only with the workspace-tools plugin, which the rewrite does not assume (Yarn 4 has it built in: name it in packageManager)",
            );
        } else if production_only(o) {
            bp.change(Some(last.line), "the install already leaves the dev dependencies out");
        } else if cd {
            bp.change(Some(last.line), "dev dependencies kept: the install runs in another directory (`cd`)");
        } else if let Some((true, why)) = &dev_at_runtime {
            bp.change(None, format!("dev dependencies kept: {why}"));
        } else if dev_at_runtime.is_none()
            && o.program
                .as_ref()
                .is_some_and(|p| p.first().is_some_and(|w| matches!(w.as_str(), "npm" | "yarn" | "pnpm")))
        {
            bp.change(None, "dev dependencies kept: the program runs a package.json script and the context's package.json is not available to check it");
        } else {
            bp.after.push((
                last.instruction,
                format!("# imgslim: production dependencies only for the runtime stage{}RUN {prune}", o.nl),
            ));
            bp.change(Some(last.line), format!("after the build, `{prune}` drops the dev dependencies"));
            let dev = crate::data::estimates().npm.dev_dependencies;
            bp.saving = Some(bp.saving.unwrap_or(0) + dev);
        }
    }
    if leaves_cache(o) {
        let e = crate::data::estimates();
        bp.saving = Some(bp.saving.unwrap_or(0) + if pm == "yarn" { e.yarn.cache } else { e.npm.cache });
        bp.change(None, format!("the package cache the {pm} install leaves stays in the builder"));
    }
    context_artifacts(o, bp)?;
    keep_packages(o, bp, o.invoked(), options)?;
    base_saving(o, bp);
    if !o.has_kind(|k| matches!(k, Kind::User { .. })) {
        bp.change(
            None,
            "kept running as root: the program may write to its own files; the base has a `node` user for USER node",
        );
    }
    Ok(())
}

/// `COPY . .` directly followed by the dependency install: copy package.json and the lockfile
/// first, so a source change keeps the node_modules layer. Only when the context has them and
/// package.json has no install scripts that need the sources.
fn manifest_first(o: &Original, bp: &mut Blueprint, pm: &str) -> Option<()> {
    let (copy, run) = context_copy_then_run(o)?;
    // yarn 2+ reads .yarnrc.yml and its release under .yarn/ too: left as written
    if !o.commands(run).iter().all(is_install) || pm == "yarn" && yarn_berry(o).is_some() {
        return None;
    }
    let pkg: serde_json::Value = serde_json::from_str(&o.context_file("package.json")?).ok()?;
    let scripts = &pkg["scripts"];
    if ["preinstall", "install", "postinstall", "prepare"].iter().any(|s| !scripts[s].is_null()) {
        return None;
    }
    let lock = match pm {
        "yarn" => "yarn.lock",
        "pnpm" => "pnpm-lock.yaml",
        _ => "package-lock.json",
    };
    let mut files = vec!["package.json".to_string()];
    for f in [lock, "npm-shrinkwrap.json", ".npmrc", ".yarnrc"] {
        if o.context_has(f) {
            files.push(f.to_string());
        }
    }
    install_before_sources(o, bp, copy, run, &files, "manifests")
}
