//! Rust: the release binary onto distroless cc (glibc and libgcc), with any other shared
//! library it links (OpenSSL...) copied from the builder.

use super::*;
use crate::dockerfile::tools::{flag_value, subcommand};

/// The binary names Cargo.toml declares: `[[bin]] name`s, else the package name.
fn cargo_bins(o: &Original) -> Vec<String> {
    let Some(text) = o.context_file("Cargo.toml") else { return Vec::new() };
    let Ok(v) = text.parse::<toml::Table>() else { return Vec::new() };
    let bins: Vec<String> = v
        .get("bin")
        .and_then(|b| b.as_array())
        .map(|a| a.iter().filter_map(|b| b.get("name")?.as_str().map(str::to_string)).collect())
        .unwrap_or_default();
    if !bins.is_empty() {
        return bins;
    }
    v.get("package")
        .and_then(|p| p.get("name"))
        .and_then(|n| n.as_str())
        .map(|n| vec![n.to_string()])
        .unwrap_or_default()
}

/// Paths the build writes binaries to: `cargo build --release` (target/release in the RUN's
/// directory or $CARGO_TARGET_DIR) and the `cargo install` directory.
fn outputs(o: &Original) -> (Vec<String>, Option<String>) {
    let bins = cargo_bins(o);
    let mut out = Vec::new();
    let mut install = None;
    for (_, c, cwd) in o.commands_in_dirs() {
        if c.name() != "cargo" {
            continue;
        }
        match subcommand(c) {
            Some("build") => {
                let profile = if c.has_flag(&["--release", "-r"]) { "release" } else { "debug" };
                let target = o.base_env("CARGO_TARGET_DIR").unwrap_or_else(|| format!("{cwd}/target"));
                let target = super::absolute(&cwd, &target);
                let triple = flag_value(c, &["--target"]).map(|t| format!("/{t}")).unwrap_or_default();
                for b in flag_value(c, &["--bin"]).map(|b| vec![b.to_string()]).unwrap_or_else(|| bins.clone()) {
                    out.push(format!("{target}{triple}/{profile}/{b}"));
                }
            }
            Some("install") => {
                // --root, else CARGO_INSTALL_ROOT, else CARGO_HOME (/usr/local/cargo in the rust
                // image), else ~/.cargo
                let root = flag_value(c, &["--root"])
                    .map(str::to_string)
                    .or_else(|| o.base_env("CARGO_INSTALL_ROOT"))
                    .or_else(|| o.base_env("CARGO_HOME"));
                install = Some(format!("{}/bin", root.unwrap_or_else(|| "/root/.cargo".into()).trim_end_matches('/')));
            }
            _ => {}
        }
    }
    (out, install)
}

pub fn plan(o: &Original, options: &Options, bp: &mut Blueprint) -> Result<(), Refusal> {
    if o.program.as_ref().and_then(|p| p.first()).is_some_and(|w| w == "cargo") {
        return Err(Refusal::new(
            "the program runs through cargo (`cargo run`): build with `cargo build --release` and run the binary",
        ));
    }
    if o.program.is_none() {
        return Err(Refusal::new(
            "no ENTRYPOINT or CMD the rewrite can read: it cannot tell which binary is the program; add an exec-form CMD that runs it for a rewrite",
        ));
    }
    let (outs, install) = outputs(o);
    let bin = super::go::binary(o, &outs, install.as_ref())
        .ok_or_else(|| Refusal::new("the binary ENTRYPOINT/CMD runs is not one the build writes to a known path; run it from target/release or CARGO_HOME/bin (`cargo install`) for a rewrite"))?;
    let distroless = runtime_base(o, options, false).unwrap_or_else(|| "gcr.io/distroless/cc-debian12".into());
    let distroless_ok = !needs_shell(o) && !needs_packages_beyond(o, o.invoked(), options, &distroless);
    let runtime = match (&options.runtime_base, distroless_ok) {
        (Some(r), _) => r.clone(),
        (None, true) => distroless,
        (None, false) => "debian:bookworm-slim".into(),
    };
    let why = if has_shell(&runtime) {
        "setup steps or packages the program needs want a shell and apt"
    } else {
        "glibc and libgcc for the binary, no toolchain, shell or package manager"
    };
    use_runtime(o, bp, runtime, why);
    let installed = install.as_ref().is_some_and(|d| bin.starts_with(&format!("{d}/")));
    // found through PATH (`CMD ["app"]`): onto a directory of the runtime base's PATH
    let by_name = o.program.as_ref().and_then(|p| p.first()).is_some_and(|a| !a.contains('/'));
    let to = if installed && by_name { on_runtime_path(&bp.runtime_base, &bin) } else { bin.clone() };
    native_runtime(o, bp, options, &bin, &to)
}
