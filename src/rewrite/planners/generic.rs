//! Anything else: keep build steps and build-only packages in the builder; the runtime stage is
//! the base's slim variant (or the base itself) with the runtime packages, the setup steps, the
//! files copied from the context and what the build installed into /usr/local.

use super::*;

pub fn plan(o: &Original, options: &Options, bp: &mut Blueprint) -> Result<(), Refusal> {
    let runtime = runtime_base(o, options, false).unwrap_or_else(|| o.base_raw.clone());
    let same = runtime == o.base_raw || runtime == o.base;
    // the build may install the interpreter itself (make install into /usr/local): no check
    use_runtime(
        o,
        bp,
        runtime,
        if same { "the same base, without the build's packages and steps" } else { "the slim variant of the base" },
    );
    context_artifacts(o, bp)?;
    let builds = o
        .with_role(Role::Build)
        .any(|s| o.commands(s).iter().any(|c| super::super::input::classify(c) != CmdClass::Cleanup));
    let commands = || o.steps.iter().flat_map(|s| o.commands(s));
    let pip = commands().any(|c| crate::dockerfile::tools::toolchains::pip_install(c).is_some());
    let installs_system = pip
        || commands().any(|c| c.name().starts_with("python") && c.args().iter().any(|w| w.text == "install"))
        || super::native::installs_to_usr_local(o);
    if pip && bp.runtime_manager == Some(crate::dockerfile::tools::packages::Manager::Apk) {
        return Err(Refusal::new(
            "pip installs into Alpine's system Python (/usr/lib/python3*/site-packages and /usr/bin), which a runtime stage cannot copy apart: use a python base image or a virtual environment",
        ));
    }
    if installs_system {
        // built against the bigger base's libraries: the probe finds the ones the slim base lacks
        bp.artifact("/usr/local", "what the build installed (make install, pip)");
    }
    let build_packages = package_split(o).iter().any(|p| !p.build.is_empty());
    if same && !build_packages {
        let why = if builds {
            super::NOTHING_TO_GAIN
        } else {
            "nothing for a builder stage to keep: no build tools, no build steps and no smaller base image"
        };
        return Err(Refusal::nothing_to_gain(format!("{why}{}", super::unknown_base(o))));
    }
    finish(o, options, bp)
}

/// The end of a plan that keeps the program's files and user as they are: the setup steps'
/// shell, the runtime packages, the base's saving.
pub fn finish(o: &Original, options: &Options, bp: &mut Blueprint) -> Result<(), Refusal> {
    if needs_shell(o) && !bp.runtime_shell {
        return Err(Refusal::new("setup steps need a shell the runtime base does not have"));
    }
    keep_packages(o, bp, o.invoked(), options)?;
    base_saving(o, bp);
    bp.change(None, "kept the user as it is: the rewrite does not know what the program writes");
    Ok(())
}
