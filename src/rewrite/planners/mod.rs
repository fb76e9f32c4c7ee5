//! One planner per ecosystem, and what they share: the runtime base, runtime packages, the
//! files copied from the context, the program's path, its shared libraries, a non-root user.

pub mod copies;
pub mod generic;
pub mod go;
pub mod java;
pub mod native;
pub mod nextjs;
pub mod node;
pub mod packages;
pub mod php;
pub mod pyenv;
pub mod python;
pub mod ruby;
pub mod runtime;
pub mod rust;
pub mod static_site;

pub use copies::*;
pub use packages::*;
pub use runtime::*;

use super::input::{absolute, CmdClass, Ecosystem, Original, Role};
use super::needs::{Probe, Supply};
use super::{Blueprint, Options, Refusal};
use crate::dockerfile::model::Kind;
use crate::dockerfile::tools::packages::Manager;

/// Which ecosystem the original builds: the base image first, then what its RUNs build.
pub fn detect(o: &Original) -> Ecosystem {
    match o.base_name().as_str() {
        "python" | "pypy" => return Ecosystem::Python,
        "node" => return Ecosystem::Node,
        "golang" => return Ecosystem::Go,
        "rust" => return Ecosystem::Rust,
        "gcc" => return Ecosystem::C,
        "maven" | "gradle" | "openjdk" | "adoptopenjdk" | "eclipse-temurin" | "amazoncorretto" => {
            return Ecosystem::Java
        }
        "ruby" => return Ecosystem::Ruby,
        "php" => return Ecosystem::Php,
        _ => {}
    }
    // gems or PHP extensions installed on another base: their planner says what it cannot copy apart
    for e in [Ecosystem::Ruby, Ecosystem::Php, Ecosystem::Go, Ecosystem::Rust, Ecosystem::Java] {
        if o.builds(e) {
            return e;
        }
    }
    // C/C++ when the program is a native binary the build made; else a generic build
    if o.builds(Ecosystem::C) && !runs_interpreter(o) {
        return Ecosystem::C;
    }
    Ecosystem::Generic
}

/// Does ENTRYPOINT/CMD run an interpreter (python, node, a shell...) rather than a binary?
pub fn runs_interpreter(o: &Original) -> bool {
    let Some(argv) = &o.program else { return o.shell_form };
    let first = argv.first().map(|s| s.rsplit('/').next().unwrap_or(s)).unwrap_or("");
    first.starts_with("python")
        || matches!(first, "node" | "npm" | "yarn" | "sh" | "bash" | "java" | "ruby" | "perl" | "php" | "pnpm" | "npx")
}

pub fn plan(o: &Original, options: &Options) -> Result<(Ecosystem, Blueprint), Refusal> {
    let eco = detect(o);
    not_a_program(o, eco)?;
    // the program's path goes into the builder's shell steps (strip, the probe): a name with
    // shell syntax in it is no program a build writes (found by fuzzing: `./t>he l>|;a <<end`)
    if let Some(argv0) = o.program.as_ref().and_then(|p| p.first()) {
        if argv0.chars().any(|c| c.is_control() || " \t'\"`$;&|<>()\\*?[]{}!#~".contains(c)) {
            return Err(Refusal::new(format!(
                "the program `{}` has shell syntax or spaces in its name, which the rewrite does not put into the build's shell steps: rename it for a rewrite",
                argv0.escape_debug()
            )));
        }
    }
    for (other, what) in [(Ecosystem::Ruby, "gems"), (Ecosystem::Php, "PHP extensions and packages")] {
        if eco == other {
            continue;
        }
        if let Some(s) = o.steps.iter().find(|s| s.classes.contains(&CmdClass::Build(other))) {
            return Err(Refusal::at(
                s.line,
                format!(
                    "{what} installed on {} go to {}'s system directories, which a rewrite of this {} build cannot copy apart: not supported",
                    o.base,
                    if other == Ecosystem::Ruby { "Ruby" } else { "PHP" },
                    eco.as_str()
                ),
            ));
        }
    }
    let mut bp = Blueprint::default();
    match eco {
        Ecosystem::Python => python::plan(o, options, &mut bp)?,
        Ecosystem::Node => node::plan(o, options, &mut bp)?,
        Ecosystem::Go => go::plan(o, options, &mut bp)?,
        Ecosystem::Rust => rust::plan(o, options, &mut bp)?,
        Ecosystem::C => native::plan(o, options, &mut bp)?,
        Ecosystem::Java => java::plan(o, options, &mut bp)?,
        Ecosystem::Ruby => ruby::plan(o, options, &mut bp)?,
        Ecosystem::Php => php::plan(o, options, &mut bp)?,
        Ecosystem::Generic => generic::plan(o, options, &mut bp)?,
    }
    if matches!(eco, Ecosystem::Python | Ecosystem::Node | Ecosystem::C | Ecosystem::Ruby | Ecosystem::Php) {
        nothing_to_gain(o, &bp)?;
    }
    build_env(o, &mut bp);
    probe(o, &mut bp);
    describe_moves(o, &mut bp);
    Ok((eco, bp))
}

/// ENVs of build settings only (CFLAGS, CC, DEBIAN_FRONTEND...) stay in the builder.
fn build_env(o: &Original, bp: &mut Blueprint) {
    for s in o.steps.iter().filter(|s| s.role == Role::Build) {
        if let Kind::Env { vars } = &o.stage.commands[s.index].kind {
            let keys: Vec<&str> = vars.iter().map(|kv| kv.key.as_str()).collect();
            bp.change(
                Some(s.line),
                format!("ENV {} stays in the builder: build settings the program does not read", keys.join(", ")),
            );
            if !bp.intended.contains(&"Env") {
                bp.intended.push("Env");
            }
        }
    }
}

/// The probe at the end of the builder: every file the runtime stage copies is read for what
/// it links; the runtime stage installs (or, without a package manager, gets copied) what its
/// base lacks.
fn probe(o: &Original, bp: &mut Blueprint) {
    let roots: Vec<String> = bp
        .artifacts
        .iter()
        .map(|a| a.from.trim_end_matches('/').to_string())
        .filter(|r| !r.is_empty() && !r.starts_with("/imgslim/"))
        .collect();
    if bp.no_probe || (roots.is_empty() && bp.runtime_packages.is_empty()) {
        if !bp.strip.is_empty() {
            // no probe to strip in: a step of its own
            bp.tail.insert(
                0,
                format!(
                    "# imgslim: strip the program of symbols and debug information{nl}RUN if command -v strip >/dev/null; then strip --strip-unneeded {}; fi",
                    bp.strip.join(" "),
                    nl = o.nl
                ),
            );
        }
        return;
    }
    let supply = match bp.runtime_manager {
        Some(m) => Supply::Install(m),
        None => {
            let mut has = base_packages(&bp.runtime_base);
            if has.is_empty() {
                has.push("imgslim-none".into()); // nothing is known to be there: copy every library
            }
            Supply::Copy(has)
        }
    };
    let builder =
        if o.base.contains("alpine") || !o.packages(Manager::Apk).is_empty() { Manager::Apk } else { Manager::Apt };
    bp.change(
        None,
        match &supply {
            Supply::Install(_) => "the builder reads what the copied files link (ldd) and which packages own those libraries; the runtime stage installs the ones its base lacks",
            Supply::Copy(_) => "the builder reads what the copied files link (ldd); the libraries the runtime base lacks are copied",
        },
    );
    bp.probe = Some(Probe { roots, packages: bp.runtime_packages.clone(), supply, builder, strip: bp.strip.clone() });
}

/// Why a rewrite of an image on its own base, with no build-only package, would not be smaller.
pub const NOTHING_TO_GAIN: &str =
    "no build-only packages, no package cache and no smaller base image: a builder stage would not make this image smaller";

/// Images that are not one program to run: base images for other builds (ONBUILD), environments
/// to work in (a shell, a REPL, `sleep infinity`) and toolboxes without a command of their own,
/// whose installed tools are the point.
fn not_a_program(o: &Original, eco: Ecosystem) -> Result<(), Refusal> {
    if o.has_kind(|k| matches!(k, Kind::Onbuild { .. })) {
        return Err(Refusal::not_a_program(
            "ONBUILD triggers: this is a base image for other builds, which run its build steps; rewrite those Dockerfiles instead",
        ));
    }
    if let Some(argv) = &o.program {
        let name = |w: &str| w.rsplit('/').next().unwrap_or(w).to_string();
        let idle = argv.windows(2).any(|w| name(&w[0]) == "sleep" && w[1] == "infinity")
            || argv.windows(3).any(|w| name(&w[0]) == "tail" && w[1] == "-f" && w[2] == "/dev/null");
        let repl = argv.len() == 1
            && matches!(
                name(&argv[0]).as_str(),
                "bash" | "sh" | "zsh" | "fish" | "ash" | "python" | "python3" | "node" | "irb" | "jshell" | "ghci"
            );
        if idle || repl {
            return Err(Refusal::not_a_program(format!(
                "the image runs `{}`: an environment to work in (a dev container or toolbox), whose tools are its purpose; a runtime stage cannot tell what to leave out (make CMD the program it serves for a rewrite)",
                argv.join(" ")
            )));
        }
    }
    // php's apache and fpm images serve the application with their own command, which the
    // runtime stage (the same image) keeps
    if eco == Ecosystem::Php && php::serves(o) {
        return Ok(());
    }
    // the base's own CMD (python3, node, bash, `php -a`) runs whatever the image holds
    let interpreted =
        matches!(eco, Ecosystem::Python | Ecosystem::Node | Ecosystem::Ruby | Ecosystem::Php | Ecosystem::Generic);
    if interpreted && !o.has_kind(|k| matches!(k, Kind::Entrypoint { .. } | Kind::Cmd { .. })) {
        // a server image (rabbitmq, nginx, redis...) runs its own command: not a toolbox
        let known = o.base.is_empty()
            || eco == Ecosystem::Php
            || crate::data::BaseImage::find(&crate::data::ImageRef::parse(&o.base)).is_some();
        return Err(Refusal::not_a_program(if known {
            "no ENTRYPOINT or CMD: the image is a toolbox or dev container whose installed tools are its purpose; a runtime stage cannot tell what to leave out (add the CMD of the program it serves for a rewrite)".to_string()
        } else {
            format!(
                "no ENTRYPOINT or CMD: the image runs the command of its base image {}, which a runtime stage on another base would not have; add the ENTRYPOINT/CMD it runs (`docker inspect` shows the base's) for a rewrite",
                o.base
            )
        }));
    }
    Ok(())
}

/// The runtime stage is on the builder's own base, no build-only package stays behind and the
/// planner saved nothing else (a package cache, dev dependencies): refuse.
fn nothing_to_gain(o: &Original, bp: &Blueprint) -> Result<(), Refusal> {
    let same_base = bp.runtime_base == o.base_raw || bp.runtime_base == o.base;
    if same_base && bp.saving.unwrap_or(0) == 0 && package_split(o).iter().all(|p| p.build.is_empty()) {
        return Err(Refusal::nothing_to_gain(format!("{NOTHING_TO_GAIN}{}", unknown_base(o))));
    }
    Ok(())
}

/// For a base image rules/base-images.toml does not map to a smaller one: the option that names
/// one.
pub fn unknown_base(o: &Original) -> String {
    if o.base.is_empty() || crate::data::BaseImage::find(&crate::data::ImageRef::parse(&o.base)).is_some() {
        return String::new();
    }
    format!(" (imgslim knows no smaller variant of {}: name one with --runtime-base IMAGE for a rewrite)", o.base)
}

/// Say what moves to the runtime stage unchanged.
fn describe_moves(o: &Original, bp: &mut Blueprint) {
    let moved: Vec<String> = o
        .with_role(Role::Runtime)
        .filter(|s| !bp.replaced.iter().any(|(i, _)| *i == s.instruction) && !bp.dropped.contains(&s.instruction))
        .map(|s| o.cx.instructions[s.instruction].node.keyword.text.to_ascii_uppercase())
        .collect();
    if !moved.is_empty() {
        bp.change(None, format!("{} move to the runtime stage unchanged", moved.join(", ")));
    }
    let replayed = o
        .with_role(Role::Replay)
        .filter(|s| matches!(o.stage.commands[s.index].kind, Kind::Run(_)) && !bp.dropped.contains(&s.instruction))
        .count();
    if replayed > 0 {
        bp.change(
            None,
            if replayed == 1 {
                "1 RUN that sets the runtime up (runtime packages, users, directories) runs again in the runtime stage"
                    .to_string()
            } else {
                format!("{replayed} RUNs that set the runtime up (runtime packages, users, directories) run again in the runtime stage")
            },
        );
    }
}
