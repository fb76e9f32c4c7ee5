//! One planner per ecosystem, and what they share: the runtime base, runtime packages, the
//! files copied from the context, the program's path, its shared libraries, a non-root user.

pub mod generic;
pub mod go;
pub mod java;
pub mod native;
pub mod node;
pub mod python;
pub mod rust;

use super::input::{absolute, CmdClass, Ecosystem, Original, Role};
use super::{Blueprint, Options, Refusal};
use crate::data::{debian_install_size, is_build_package, rewrite_data, BaseImage, ImageRef};
use crate::dockerfile::model::{CmdLine, Kind};
use crate::dockerfile::tools::packages::Manager;
use crate::units::human_bytes;

/// Which ecosystem the original builds: the base image first, then what its RUNs build.
pub fn detect(o: &Original) -> Ecosystem {
    match o.base_name().as_str() {
        "python" | "pypy" => return Ecosystem::Python,
        "node" => return Ecosystem::Node,
        "golang" => return Ecosystem::Go,
        "rust" => return Ecosystem::Rust,
        "gcc" => return Ecosystem::C,
        "maven" | "gradle" | "openjdk" | "eclipse-temurin" | "amazoncorretto" => return Ecosystem::Java,
        _ => {}
    }
    for e in [Ecosystem::Go, Ecosystem::Rust, Ecosystem::Java] {
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
    let mut bp = Blueprint::default();
    match eco {
        Ecosystem::Python => python::plan(o, options, &mut bp)?,
        Ecosystem::Node => node::plan(o, options, &mut bp)?,
        Ecosystem::Go => go::plan(o, options, &mut bp)?,
        Ecosystem::Rust => rust::plan(o, options, &mut bp)?,
        Ecosystem::C => native::plan(o, options, &mut bp)?,
        Ecosystem::Java => java::plan(o, options, &mut bp)?,
        Ecosystem::Generic => generic::plan(o, options, &mut bp)?,
    }
    if matches!(eco, Ecosystem::Python | Ecosystem::Node | Ecosystem::C) {
        nothing_to_gain(o, &bp)?;
    }
    describe_moves(o, &mut bp);
    Ok((eco, bp))
}

/// Why a rewrite of an image on its own base, with no build-only package, would not be smaller.
pub const NOTHING_TO_GAIN: &str =
    "no build-only packages, no package cache and no smaller base image: a builder stage would not make this image smaller";

/// Images that are not one program to run: base images for other builds (ONBUILD), environments
/// to work in (a shell, a REPL, `sleep infinity`) and toolboxes without a command of their own,
/// whose installed tools are the point.
fn not_a_program(o: &Original, eco: Ecosystem) -> Result<(), Refusal> {
    if o.has_kind(|k| matches!(k, Kind::Onbuild { .. })) {
        return Err(Refusal::new(
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
            return Err(Refusal::new(format!(
                "the image runs `{}`: an environment to work in (a dev container or toolbox), whose tools are its purpose; a runtime stage cannot tell what to leave out",
                argv.join(" ")
            )));
        }
    }
    // the base's own CMD (python3, node, bash) runs whatever the image holds
    let interpreted = matches!(eco, Ecosystem::Python | Ecosystem::Node | Ecosystem::Generic);
    if interpreted && !o.has_kind(|k| matches!(k, Kind::Entrypoint { .. } | Kind::Cmd { .. })) {
        return Err(Refusal::new(
            "no ENTRYPOINT or CMD: the image is a toolbox or dev container whose installed tools are its purpose; a runtime stage cannot tell what to leave out",
        ));
    }
    Ok(())
}

/// The runtime stage is on the builder's own base, no build-only package stays behind and the
/// planner saved nothing else (a package cache, dev dependencies): refuse.
fn nothing_to_gain(o: &Original, bp: &Blueprint) -> Result<(), Refusal> {
    let same_base = bp.runtime_base == o.base_raw || bp.runtime_base == o.base;
    if same_base && bp.saving.unwrap_or(0) == 0 && package_split(o).iter().all(|p| p.build.is_empty()) {
        return Err(Refusal::new(NOTHING_TO_GAIN));
    }
    Ok(())
}

/// The runtime base: `--runtime-base`, else the mapping in rules/base-images.toml.
pub fn runtime_base(o: &Original, options: &Options, cgo: bool) -> Option<String> {
    if let Some(r) = &options.runtime_base {
        return Some(r.clone());
    }
    let image = ImageRef::parse(&o.base);
    let b = BaseImage::find(&image)?;
    if cgo && !b.runtime_cgo.is_empty() {
        return Some(b.runtime_cgo.clone());
    }
    // keep the ARG in `FROM python:${VERSION}` when the tag comes from one
    let raw = ImageRef::parse(&o.base_raw);
    let tag = if o.base_raw.contains('$') { raw.tag.clone() } else { image.tag.clone() };
    let tag = tag.unwrap_or_default();
    if crate::data::is_small_tag(&tag) && !b.runtime.starts_with("gcr.io/") {
        // already a slim variant: build and run on the same one
        return Some(o.base_raw.clone());
    }
    b.runtime_for(&tag)
}

/// How an image installs packages: apk on Alpine, none on distroless, apt otherwise.
pub fn manager_for(image: &str) -> Option<Manager> {
    if has_shell(image) {
        Some(if image.contains("alpine") { Manager::Apk } else { Manager::Apt })
    } else {
        None
    }
}

pub fn has_shell(image: &str) -> bool {
    !(image.contains("distroless") || image == "scratch" || image.contains("chainguard/static"))
}

pub fn set_runtime(o: &Original, bp: &mut Blueprint, image: String, why: &str) {
    bp.runtime_shell = has_shell(&image);
    bp.runtime_manager = manager_for(&image);
    bp.change(Some(o.stage.line), format!("runtime stage FROM {image}: {why}"));
    if !o.has_kind(|k| matches!(k, Kind::Workdir { .. })) {
        let inherited = BaseImage::find(&ImageRef::parse(&o.base)).map(|b| b.workdir.clone()).unwrap_or_default();
        if !inherited.is_empty() && !image.starts_with(&o.base_name()) {
            bp.workdir = Some(inherited.clone());
            bp.change(None, format!("WORKDIR {inherited}, which {} sets and the runtime base does not", o.base));
        }
    }
    bp.runtime_base = image;
}

/// Packages one manager installs, split into what only the build needs and what the program
/// may need at run time (with the runtime libraries of the -dev packages).
pub struct PackageSplit {
    pub manager: Manager,
    pub build: Vec<String>,
    pub runtime: Vec<String>,
    /// -dev packages without a known runtime library.
    pub unknown_dev: Vec<String>,
    /// -dev packages kept in the runtime stage: their runtime libraries are only known for Debian
    /// bookworm, and the base is another release.
    pub kept_dev: Vec<String>,
}

/// The Debian or Ubuntu release the base image names (`python:3.11-bullseye` -> bullseye,
/// `debian:11` -> bullseye, `ubuntu:*` -> ubuntu), or None when the tag does not say.
pub fn distro_release(o: &Original) -> Option<&'static str> {
    ImageRef::parse(&o.base).release()
}

pub fn package_split(o: &Original) -> Vec<PackageSplit> {
    let data = rewrite_data();
    let mut out = Vec::new();
    for manager in [Manager::Apt, Manager::Apk, Manager::Dnf] {
        let pkgs = o.packages(manager);
        if pkgs.is_empty() {
            continue;
        }
        let (build, run): (Vec<String>, Vec<String>) = pkgs.into_iter().partition(|p| {
            let name = p.split(['=', ':']).next().unwrap_or(p);
            if manager == Manager::Apk {
                is_compiler(name) || name.ends_with("-dev") || is_build_package(name)
            } else {
                is_build_package(name)
            }
        });
        let mut runtime: Vec<String> = run
            .into_iter()
            .filter(|p| !data.skip_runtime.contains(p) && !p.contains('$') && !p.ends_with(".deb"))
            .collect();
        let (mut unknown_dev, mut kept_dev) = (Vec::new(), Vec::new());
        let (mut build, release) = (build, distro_release(o));
        // images whose tag does not name a release: the official Debian-based ones are bookworm
        // here; anything else (Ubuntu-based JDKs, vendor images) is not known
        let debian_family = matches!(
            ImageRef::parse(&o.base).official_name(),
            Some(
                "python"
                    | "node"
                    | "golang"
                    | "rust"
                    | "debian"
                    | "buildpack-deps"
                    | "gcc"
                    | "perl"
                    | "ruby"
                    | "php"
                    | "openjdk"
            )
        );
        let known = match release {
            Some(r) => r == "bookworm",
            None => debian_family,
        };
        if manager == Manager::Apt && !known {
            // the -dev -> library names come from bookworm: elsewhere the -dev package stays
            let (dev, rest): (Vec<String>, Vec<String>) =
                build.into_iter().partition(|b| b.starts_with("lib") && b.ends_with("-dev") && !is_compiler(b));
            build = rest;
            runtime.extend(dev.iter().cloned());
            kept_dev = dev;
        }
        if manager == Manager::Apk {
            // Alpine's convention: the -dev package of X needs X at run time
            for b in &build {
                if let Some(lib) = b.strip_suffix("-dev") {
                    // libc-dev is musl's headers: musl itself is in every Alpine image
                    if lib != "libc" && !runtime.iter().any(|r| r == lib) && !is_compiler(lib) {
                        runtime.push(lib.to_string());
                    }
                }
            }
        }
        if manager == Manager::Apt {
            for b in &build {
                match data.dev_runtime.get(b.as_str()) {
                    Some(libs) => {
                        for lib in libs {
                            if !runtime.contains(lib) {
                                runtime.push(lib.clone());
                            }
                        }
                    }
                    None if b.starts_with("lib") && b.ends_with("-dev") => unknown_dev.push(b.clone()),
                    None => {}
                }
            }
        }
        out.push(PackageSplit { manager, build, runtime, unknown_dev, kept_dev });
    }
    out
}

/// Packages distroless images already have.
const IN_DISTROLESS: &[&str] =
    &["ca-certificates", "tzdata", "netbase", "libc6", "libgcc-s1", "libstdc++6", "libssl3", "openssl"];

/// Does the program need packages a distroless runtime does not have?
pub fn needs_packages_beyond_distroless(o: &Original) -> bool {
    package_split(o).iter().any(|p| p.runtime.iter().any(|r| !IN_DISTROLESS.contains(&r.as_str())))
}

/// The packages the runtime stage installs: what the original installed minus build-only
/// packages, plus the runtime libraries of the -dev packages. Says what stays behind.
pub fn runtime_packages(o: &Original, bp: &mut Blueprint) -> Result<(), Refusal> {
    for split in package_split(o) {
        let PackageSplit { manager, build, mut runtime, unknown_dev, kept_dev } = split;
        if !kept_dev.is_empty() {
            bp.kept_dev.extend(kept_dev.iter().cloned());
            bp.change(
                None,
                format!(
                    "{} stay in the runtime stage: their runtime libraries are only known for Debian bookworm, and the base is {}",
                    kept_dev.join(", "),
                    distro_release(o).unwrap_or(&o.base)
                ),
            );
        }
        if !unknown_dev.is_empty() {
            bp.change(
                None,
                format!(
                    "no runtime library is known for {}: add it to the runtime stage if the program loads it",
                    unknown_dev.join(", ")
                ),
            );
        }
        if !build.is_empty() {
            let names: Vec<&str> = build.iter().map(String::as_str).collect();
            let (bytes, _) = debian_install_size(&names, false);
            let est = if manager == Manager::Apt && bytes > 0 {
                format!(" (~{} estimated)", human_bytes(bytes))
            } else {
                String::new()
            };
            bp.change(None, format!("build-only packages stay in the builder: {}{est}", build.join(", ")));
            if manager == Manager::Apt {
                bp.saving = Some(bp.saving.unwrap_or(0) + bytes);
            }
        }
        if bp.runtime_manager.is_none() {
            runtime.retain(|r| !IN_DISTROLESS.contains(&r.as_str()));
        }
        if runtime.is_empty() {
            continue;
        }
        match (bp.runtime_manager, manager) {
            (Some(r), m) if r == m => {}
            (None, _) => {
                return Err(Refusal::new(format!(
                    "the program needs packages ({}) but the runtime base {} has no package manager",
                    runtime.join(", "),
                    bp.runtime_base
                )))
            }
            _ => {
                return Err(Refusal::new(format!(
                    "packages installed with {} cannot be installed on the runtime base {}",
                    manager.as_str(),
                    bp.runtime_base
                )))
            }
        }
        let how = if manager == Manager::Apk {
            "with --no-cache"
        } else {
            "with --no-install-recommends and removes the apt lists in the same layer"
        };
        bp.change(None, format!("runtime stage installs {} {how}", runtime.join(", ")));
        bp.runtime_packages.extend(runtime);
    }
    Ok(())
}

fn is_compiler(name: &str) -> bool {
    let catalog = crate::analyze::catalog::Catalog::builtin();
    catalog.classify_package("", name).is_some_and(|c| catalog.names[c] == "compiler")
        || matches!(name, "build-base" | "alpine-sdk" | "musl-dev" | "linux-headers" | "git")
}

/// Copy what COPY/ADD put in the image from the context (after the build ran on it).
pub fn context_artifacts(o: &Original, bp: &mut Blueprint) -> Result<(), Refusal> {
    for (dest, chown) in &o.context_copies {
        if dest.is_empty() || dest == "/" {
            return Err(Refusal::new(
                "files are copied into / (no WORKDIR): the rewrite cannot tell the program's files from the system's; copy them into a WORKDIR",
            ));
        }
        if dest.starts_with("/tmp") || dest.starts_with("/var/tmp") {
            continue;
        }
        bp.artifact(dest, "the program's files (copied from the context, built in the builder)");
        if let Some(a) = bp.artifacts.iter_mut().find(|a| dest.starts_with(&a.from)) {
            if a.chown.is_none() {
                a.chown = chown.clone();
            }
        }
    }
    for d in &o.downloads {
        bp.artifact(d, "downloaded by the build");
    }
    // the working directory is where the program lives, whatever the build put there
    if o.workdir != "/" {
        bp.artifact(&o.workdir, "the working directory: where the program runs and the build wrote");
    }
    for (w, line) in &o.writes {
        bp.artifact(w, format!("written by the build (line {line})"));
    }
    // what a non-root USER wrote keeps that owner in the copy
    for a in bp.artifacts.iter_mut().filter(|a| a.chown.is_none()) {
        let under = |p: &String| *p == a.from || p.starts_with(&format!("{}/", a.from.trim_end_matches('/')));
        if let Some((_, u)) = o.writers.iter().find(|(p, _)| under(p)) {
            a.chown = Some(u.clone());
        }
    }
    Ok(())
}

/// The absolute path of the program ENTRYPOINT/CMD runs, looked up in the working directory or
/// the directories the build installs into.
pub fn program_path(o: &Original, install_dirs: &[String]) -> Option<String> {
    let argv0 = o.program.as_ref()?.first()?.clone();
    if argv0.contains('$') {
        return None;
    }
    if argv0.starts_with('/') {
        return Some(argv0);
    }
    if argv0.contains('/') {
        return Some(absolute(&o.workdir, &argv0));
    }
    install_dirs.first().map(|d| format!("{}/{argv0}", d.trim_end_matches('/')))
}

/// A builder step that gathers the shared libraries a binary links (other than glibc's own,
/// which every glibc runtime base has) under /imgslim-libs, at their real directories.
pub fn copy_shared_libraries(o: &Original, bp: &mut Blueprint, binary: &str) {
    gather_libraries(o, bp, binary, &format!("ldd {binary}"), "");
    bp.change(None, format!("the shared libraries {binary} links are found with ldd in the builder and copied"));
}

/// The same for every program and library under a directory the runtime stage copies whole
/// (what `make install` put in /usr/local on a bigger base).
pub fn copy_tree_libraries(o: &Original, bp: &mut Blueprint, dir: &str) {
    let listing = format!("find {dir} -type f \\( -perm -u+x -o -name '*.so*' \\) -exec ldd {{}} +");
    gather_libraries(o, bp, dir, &listing, &format!(" | grep -v '^{dir}/'"));
    bp.change(
        None,
        format!("the shared libraries the programs in {dir} link are found with ldd in the builder and copied"),
    );
}

fn gather_libraries(o: &Original, bp: &mut Blueprint, what: &str, listing: &str, exclude: &str) {
    let lines = [
        format!("# imgslim: the shared libraries {what} links, for the runtime stage"),
        "RUN mkdir -p /imgslim-libs \\".to_string(),
        format!("    && for lib in $({listing} 2>/dev/null | awk '/=> \\// {{print $3}}'{exclude} \\"),
        "        | grep -vE '/(libc|libm|libdl|libpthread|librt|libresolv|libutil)\\.so|/ld-linux'); do \\".to_string(),
        "        dir=$(readlink -f \"$(dirname \"$lib\")\"); mkdir -p \"/imgslim-libs$dir\"; cp -L \"$lib\" \"/imgslim-libs$dir/\"; \\".to_string(),
        "    done".to_string(),
    ];
    bp.tail.push(lines.join(o.nl));
    bp.artifacts.push(super::Artifact {
        from: "/imgslim-libs/".into(),
        to: "/".into(),
        chown: None,
        why: "shared libraries the program links (from ldd in the builder)".into(),
    });
}

/// Native programs may read data directories next to them (templates, static files...).
pub fn data_dirs(o: &Original, bp: &mut Blueprint) {
    for d in &rewrite_data().data_dirs {
        if o.context_has(d) {
            let copied =
                o.context_copies.iter().any(|(dest, _)| dest == &o.workdir || dest.ends_with(&format!("/{d}")));
            if copied {
                let path = absolute(&o.workdir, d);
                bp.artifact(&path, format!("data directory `{d}` the program may read"));
            }
        }
    }
}

/// Distroless has no shell: a shell-form ENTRYPOINT/CMD becomes exec form when it has no shell
/// syntax. Returns false when one cannot be converted.
pub fn exec_form_contract(o: &Original, bp: &mut Blueprint) -> bool {
    for c in &o.stage.commands {
        let (kw, cmd) = match &c.kind {
            Kind::Cmd { cmd } => ("CMD", cmd),
            Kind::Entrypoint { cmd } => ("ENTRYPOINT", cmd),
            _ => continue,
        };
        if let CmdLine::Shell(s) = cmd {
            let Some(json) = crate::dockerfile::shell::exec_form(s) else { return false };
            let ins = o.cx.instructions[c.instruction];
            let span = super::input::block_span(o.df, c.instruction);
            let comments = &o.df.source[span.start..ins.span.start];
            bp.replaced.push((c.instruction, format!("{comments}{kw} {json}")));
            bp.intended.push(if kw == "CMD" { "Cmd" } else { "Entrypoint" });
            bp.change(Some(c.line), format!("{kw} in exec form: the runtime base has no /bin/sh"));
        }
    }
    true
}

/// A non-root user, where that is safe: a native binary on distroless (uid 65532 exists there),
/// no USER of its own, no port below 1024, no VOLUME it might write to.
pub fn nonroot(o: &Original, bp: &mut Blueprint) {
    if o.has_kind(|k| matches!(k, Kind::User { .. })) {
        return;
    }
    let low_port = o.exposed_ports().is_none_or(|p| p.iter().any(|&n| n < 1024));
    let volume = o.has_kind(|k| matches!(k, Kind::Volume { .. }));
    if bp.runtime_base.contains("distroless") && !low_port && !volume {
        bp.user = Some("65532:65532".into());
        bp.intended.push("User");
        bp.change(
            None,
            "runs as the distroless nonroot user (65532): no port below 1024, no VOLUME, files are read-only for it",
        );
    } else {
        let why = if low_port {
            "it listens on a port below 1024 (or one set by a variable)"
        } else if volume {
            "it declares a VOLUME it may write to"
        } else {
            "it may write to its own files"
        };
        bp.change(None, format!("kept running as root: {why}; add a USER after checking"));
    }
}

/// Estimated saving from the base image alone.
pub fn base_saving(o: &Original, bp: &mut Blueprint) {
    let from = BaseImage::find(&ImageRef::parse(&o.base));
    let to = base_bytes(&bp.runtime_base);
    if let (Some(f), Some(t)) = (from, to) {
        let tag = ImageRef::parse(&o.base).tag.unwrap_or_default();
        let fb = if crate::data::is_small_tag(&tag) { f.slim_bytes } else { f.bytes };
        if fb > t {
            bp.saving = Some(bp.saving.unwrap_or(0) + fb - t);
        }
    }
}

fn base_bytes(image: &str) -> Option<u64> {
    for b in crate::data::base_images() {
        if b.runtime == image && b.runtime_bytes > 0 {
            return Some(b.runtime_bytes);
        }
        if b.runtime_cgo == image && b.runtime_cgo_bytes > 0 {
            return Some(b.runtime_cgo_bytes);
        }
    }
    let r = ImageRef::parse(image);
    let b = BaseImage::find(&r)?;
    let tag = r.tag.unwrap_or_default();
    Some(if crate::data::is_small_tag(&tag) { b.slim_bytes } else { b.bytes })
}

/// Say what moves to the runtime stage unchanged.
fn describe_moves(o: &Original, bp: &mut Blueprint) {
    let moved: Vec<String> = o
        .with_role(Role::Runtime)
        .filter(|s| !bp.replaced.iter().any(|(i, _)| *i == s.instruction))
        .map(|s| o.cx.instructions[s.instruction].node.keyword.text.to_ascii_uppercase())
        .collect();
    if !moved.is_empty() {
        bp.change(None, format!("{} move to the runtime stage unchanged", moved.join(", ")));
    }
    let replayed = o.with_role(Role::Replay).filter(|s| matches!(o.stage.commands[s.index].kind, Kind::Run(_))).count();
    if replayed > 0 {
        bp.change(None, format!("{replayed} RUN(s) that set the runtime up (runtime packages, users, directories) run again in the runtime stage"));
    }
}

/// RUNs replayed in the runtime stage (and users created by build RUNs) need a shell there.
pub fn needs_shell(o: &Original) -> bool {
    o.steps.iter().any(|s| {
        (s.role == Role::Replay && matches!(o.stage.commands[s.index].kind, Kind::Run(_)))
            || o.commands(s).iter().any(|c| ["useradd", "adduser", "groupadd", "addgroup"].contains(&c.name()))
    })
}

/// The runtime stage of a native program: the binary (and, when it links any, its shared
/// libraries), data directories, downloads, exec-form ENTRYPOINT/CMD for a base without a shell,
/// runtime packages, the saving, and a non-root user where safe.
pub fn native_runtime(o: &Original, bp: &mut Blueprint, bin: &str, libraries: bool) -> Result<(), Refusal> {
    bp.artifact(bin, "the program");
    native_rest(o, bp, bin, libraries)
}

/// `native_runtime` without copying the program (the caller did); `bin` is what ldd reads in
/// the builder (a path, or `$(command -v name)`).
pub fn native_rest(o: &Original, bp: &mut Blueprint, bin: &str, libraries: bool) -> Result<(), Refusal> {
    if libraries {
        copy_shared_libraries(o, bp, bin);
    }
    data_dirs(o, bp);
    for d in &o.downloads {
        bp.artifact(d, "downloaded by the build");
    }
    if needs_shell(o) && !bp.runtime_shell {
        return Err(Refusal::new(
            "setup steps need a shell the runtime base does not have; use --runtime-base debian:bookworm-slim",
        ));
    }
    if !bp.runtime_shell && !exec_form_contract(o, bp) {
        return Err(Refusal::new(
            "a shell-form ENTRYPOINT/CMD with shell syntax needs a shell; use --runtime-base debian:bookworm-slim",
        ));
    }
    runtime_packages(o, bp)?;
    base_saving(o, bp);
    nonroot(o, bp);
    Ok(())
}

/// `COPY . <dest>` from the context directly followed by a build RUN: the two steps.
pub fn context_copy_then_run<'o>(o: &'o Original) -> Option<(&'o super::input::Step, &'o super::input::Step)> {
    let pos = o.steps.iter().position(|s| {
        s.role == Role::ContextCopy
            && o.stage.commands[s.index]
                .kind
                .as_copy()
                .is_some_and(|c| !c.add && c.sources.len() == 1 && c.sources[0].trim_end_matches('/') == ".")
    })?;
    let (copy, run) = (&o.steps[pos], o.steps.get(pos + 1)?);
    (run.role == Role::Build && !o.commands(run).is_empty()).then_some((copy, run))
}

/// Install before the sources: copy the dependency manifests `files` and run the install RUN
/// before `COPY . <dest>`, so a source change keeps the dependency layer.
pub fn install_before_sources(
    o: &Original,
    bp: &mut Blueprint,
    copy: &super::input::Step,
    run: &super::input::Step,
    files: &[String],
    what: &str,
) -> Option<()> {
    let cp = o.stage.commands[copy.index].kind.as_copy()?;
    let chown = cp.chown.as_ref().map(|c| format!("--chown={c} ")).unwrap_or_default();
    let dest = if cp.dest.ends_with('/') { cp.dest.clone() } else { format!("{}/", cp.dest) };
    let kw = &o.cx.instructions[copy.instruction].node.keyword.text;
    let run_text = o.block_text(run.instruction);
    bp.before.push((
        copy.instruction,
        format!(
            "# imgslim: the {what} before the sources, so a source change keeps the dependency layer{nl}{kw} {chown}{} {dest}{nl}{}",
            files.join(" "),
            run_text.trim_end(),
            nl = o.nl
        ),
    ));
    bp.removed.push(run.instruction);
    bp.change(Some(run.line), format!("{} copied and installed before the sources (build cache)", files.join(", ")));
    Some(())
}
