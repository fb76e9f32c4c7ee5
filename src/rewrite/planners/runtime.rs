//! The runtime stage's base and what it changes: the base image (`--runtime-base` or the
//! mapping in rules/base-images.toml, checked for the interpreter the program needs), the
//! working directory it must set again, exec-form ENTRYPOINT/CMD where it has no shell, a
//! non-root user where that is safe, and the saving from the base alone.

use super::super::input::{Original, Role};
use super::super::{Blueprint, Options, Refusal};
use super::copies::data_dirs;
use super::packages::keep_packages;
use crate::data::{BaseImage, ImageRef};
use crate::dockerfile::model::{CmdLine, Kind};
use crate::dockerfile::tools::packages::Manager;

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

/// Use `image` as the runtime base. The program's interpreter (python, node, java, a shell)
/// must be in it, as far as rules/base-images.toml knows the image: else a refusal.
pub fn set_runtime(o: &Original, bp: &mut Blueprint, image: String, why: &str) -> Result<(), Refusal> {
    if let (Some(b), Some(argv0)) = (BaseImage::find(&ImageRef::parse(&image)), interpreter(o)) {
        if !b.provides(&argv0) {
            return Err(Refusal::new(format!(
                "the program runs `{argv0}`, which the runtime base {image} does not have; choose a runtime base with it (e.g. the slim variant of {})",
                o.base
            )));
        }
    }
    use_runtime(o, bp, image, why);
    Ok(())
}

/// `set_runtime` without the interpreter check: for a runtime stage that gets its program or
/// interpreter from the builder (a native binary, a jlink runtime, what `make install` built).
pub fn use_runtime(o: &Original, bp: &mut Blueprint, image: String, why: &str) {
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

/// The interpreter ENTRYPOINT/CMD runs (python3, node, java, sh...), if it runs one by name.
fn interpreter(o: &Original) -> Option<String> {
    let argv0 = o.program.as_ref()?.first()?;
    let name = argv0.rsplit('/').next().unwrap_or(argv0);
    let known = name.starts_with("python")
        || matches!(name, "node" | "npm" | "npx" | "yarn" | "pnpm" | "java" | "ruby" | "php" | "perl" | "sh" | "bash");
    known.then(|| name.to_string())
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
            let span = crate::rewrite::input::block_span(o.df, c.instruction);
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
    let source_port = o.invoked().low_port.clone();
    // an unreadable context may hide one
    let unknown_sources = o.context_dir.is_none() || !o.invoked().complete;
    let low_port = o.exposed_ports().is_none_or(|p| p.iter().any(|&n| n < 1024)) || source_port.is_some();
    let volume = o.has_kind(|k| matches!(k, Kind::Volume { .. }));
    if bp.runtime_base.contains("distroless") && !low_port && !volume && !unknown_sources {
        bp.user = Some("65532:65532".into());
        bp.intended.push("User");
        bp.change(
            None,
            "runs as the distroless nonroot user (65532): no port below 1024, no VOLUME, files are read-only for it",
        );
    } else {
        let why = match (&source_port, low_port) {
            (Some((n, file)), _) => format!("{file} listens on port {n}, below 1024"),
            (None, true) => "it listens on a port below 1024 (or one set by a variable)".to_string(),
            _ if volume => "it declares a VOLUME it may write to".to_string(),
            _ if unknown_sources => "its sources could not be read to see what port it listens on".to_string(),
            _ => "it may write to its own files".to_string(),
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

/// RUNs replayed in the runtime stage (and users created by build RUNs) need a shell there.
pub fn needs_shell(o: &Original) -> bool {
    o.steps.iter().any(|s| {
        (s.role == Role::Replay && matches!(o.stage.commands[s.index].kind, Kind::Run(_)))
            || o.commands(s).iter().any(|c| ["useradd", "adduser", "groupadd", "addgroup"].contains(&c.name()))
    })
}

/// The runtime stage of a native program: the binary (copied from `from` in the builder to `to`,
/// and stripped there unless `--no-strip`), data directories, downloads, exec-form
/// ENTRYPOINT/CMD for a base without a shell, runtime packages, the saving, and a non-root user
/// where safe. What the binary links is found by the probe.
pub fn native_runtime(
    o: &Original,
    bp: &mut Blueprint,
    options: &Options,
    from: &str,
    to: &str,
) -> Result<(), Refusal> {
    if from == to {
        bp.artifact(from, "the program");
    } else {
        bp.artifact_to(from, to, format!("the program, onto the runtime base's PATH ({from} is not on it)"));
    }
    strip(bp, options, from);
    native_rest(o, bp, options)
}

/// The builder strips `path` of symbols and debug information (unless `--no-strip`).
pub fn strip(bp: &mut Blueprint, options: &Options, path: &str) {
    if options.no_strip || bp.strip.iter().any(|s| s == path) {
        return;
    }
    bp.strip.push(path.to_string());
    bp.change(
        None,
        format!("{path} is stripped of symbols and debug information in the builder (--no-strip keeps them)"),
    );
}

/// `native_runtime` without copying the program (the caller did).
pub fn native_rest(o: &Original, bp: &mut Blueprint, options: &Options) -> Result<(), Refusal> {
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
    keep_packages(o, bp, o.invoked(), options)?;
    base_saving(o, bp);
    nonroot(o, bp);
    Ok(())
}

/// Where a program the build installs into a directory of the builder's PATH (`cargo install`,
/// `go install`) goes in the runtime stage: the same path when the runtime base's PATH has that
/// directory, else /usr/local/bin.
pub fn on_runtime_path(runtime: &str, from: &str) -> String {
    let dir = from.rsplit_once('/').map_or("", |(d, _)| d);
    let path = BaseImage::find(&ImageRef::parse(runtime))
        .and_then(|b| b.env.get("PATH").cloned())
        .unwrap_or_else(|| "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".into());
    if path.split(':').any(|p| p == dir) {
        from.to_string()
    } else {
        format!("/usr/local/bin/{}", from.rsplit('/').next().unwrap_or(from))
    }
}
