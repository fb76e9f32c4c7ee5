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
    match c.name() {
        "npm" => matches!(c.subcommand(&[]), Some("ci" | "install" | "i")) && !c.has_flag(&["-g", "--global"]),
        "yarn" => matches!(c.subcommand(&[]), None | Some("install")),
        "pnpm" => matches!(c.subcommand(&[]), Some("install" | "i")),
        _ => false,
    }
}

/// Whether the program needs a dev dependency at run time (ts-node, nodemon...), as far as the
/// context's package.json tells.
fn runs_dev_dependency(o: &Original) -> Option<bool> {
    let argv = o.program.clone().unwrap_or_default();
    let pkg: serde_json::Value = serde_json::from_str(&o.context_file("package.json")?).ok()?;
    let dev: Vec<&str> =
        pkg["devDependencies"].as_object().map(|m| m.keys().map(String::as_str).collect()).unwrap_or_default();
    let mut words: Vec<String> = argv.clone();
    // `npm start`, `npm run x`, `yarn x`: the script's words
    let script = match argv.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["npm", "start", ..] | ["yarn", "start", ..] | ["pnpm", "start", ..] => Some("start".to_string()),
        ["npm", "run", s, ..] | ["pnpm", "run", s, ..] | ["yarn", "run", s, ..] => Some(s.to_string()),
        ["yarn", s, ..] => Some(s.to_string()),
        _ => None,
    };
    if let Some(s) = script {
        let text = pkg["scripts"][&s].as_str().unwrap_or("node server.js");
        words.extend(text.split_whitespace().map(str::to_string));
    }
    Some(words.iter().any(|w| dev.contains(&w.as_str())))
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
            && !cmds.iter().any(|c| matches!(c.name(), "npm" | "yarn" | "pnpm") && c.subcommand(&[]) == Some("cache"))
            && !o.block_text(s.instruction).contains("--mount=type=cache")
    })
}

pub fn plan(o: &Original, options: &Options, bp: &mut Blueprint) -> Result<(), Refusal> {
    let runtime = runtime_base(o, options, false)
        .ok_or_else(|| Refusal::at(o.stage.line, format!("no runtime image is known for {}", o.base)))?;
    set_runtime(o, bp, runtime, "the Node.js runtime without compilers, headers and build tools");
    let pm = manager(o);
    let builds: Vec<&super::super::input::Step> =
        o.steps.iter().filter(|s| s.classes.contains(&CmdClass::Build(Ecosystem::Node))).collect();
    manifest_first(o, bp, pm);
    if let Some(last) = builds.last() {
        let cd = o.commands(last).iter().any(|c| c.name() == "cd");
        let dev_at_runtime = runs_dev_dependency(o);
        let prune = match pm {
            "yarn" => "yarn install --production --ignore-scripts --prefer-offline",
            "pnpm" => "pnpm prune --prod",
            _ => "npm prune --omit=dev",
        };
        if production_only(o) {
            bp.change(Some(last.line), "the install already leaves the dev dependencies out");
        } else if cd {
            bp.change(Some(last.line), "dev dependencies kept: the install runs in another directory (`cd`)");
        } else if dev_at_runtime == Some(true) {
            bp.change(None, "dev dependencies kept: the program runs one of them (e.g. ts-node) at run time");
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
    runtime_packages(o, bp)?;
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
    if !o.commands(run).iter().all(is_install) {
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
