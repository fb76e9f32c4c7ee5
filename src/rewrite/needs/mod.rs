//! What the program needs at run time, from evidence rather than from package names.
//!
//! Two parts. Before the build (here): which of the packages the original installs the runtime
//! stage keeps: a tool (a package with programs in a bin/ directory: vim, curl, graphviz) only
//! when something the image runs calls one of its programs ([`invoked`]), libraries and data
//! always, build-only packages never. During the build (the probe, [`probe`]): a step at the end
//! of the builder reads every ELF file the runtime stage will receive with the dynamic loader
//! (`ldd`), finds the packages that own those libraries (`dpkg -S`, `apk info -W`), and writes
//! them, with the kept packages, for the runtime stage, which installs the ones its base lacks
//! (or, on a base without a package manager, gets the library files copied).

pub mod invoked;
pub mod probe;

use super::input::Original;
use crate::data::{debian_executables, is_build_package};
pub use invoked::Invoked;
pub use probe::{Probe, Supply};

/// The decision on one package the original installs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub package: String,
    pub keep: bool,
    pub why: String,
}

/// Decide which of `candidates` (runtime packages the original installs: not build-only) the
/// runtime stage keeps. `keep` are the user's `--keep-package`s.
pub fn decide(candidates: &[String], invoked: &Invoked, keep: &[String]) -> Vec<Verdict> {
    let table = debian_executables();
    let mut out = Vec::new();
    for p in candidates {
        let name = p.split(['=', ':']).next().unwrap_or(p);
        let verdict = |keep: bool, why: String| Verdict { package: p.clone(), keep, why };
        // what says the image needs it, with or without the sources
        let programs = table.programs(name);
        let runs = programs.as_ref().and_then(|ps| ps.iter().find_map(|g| invoked.why(g).map(|w| (*g, w))));
        if keep.iter().any(|k| k == name) {
            out.push(verdict(true, "asked for with --keep-package".into()));
        } else if let Some(why) = invoked.packages.get(name) {
            out.push(verdict(true, why.clone()));
        } else if let Some((prog, why)) = runs {
            out.push(verdict(true, format!("runs `{prog}` ({why})")));
        } else if !invoked.complete {
            // without the program's sources, leaving a tool out would be a guess
            out.push(verdict(true, "the build context is not here to tell whether the program runs it".into()));
        } else if programs.is_none() {
            out.push(verdict(true, "a library or data package".into()));
        } else if table.is_tool(name) {
            out.push(verdict(false, "a tool nothing in the image runs".into()));
        } else {
            // only daemons and administration helpers (update-ca-certificates, locale-gen): the
            // package is there for its data or a service the image may start
            out.push(verdict(true, "its data or service".into()));
        }
    }
    out
}

/// The runtime packages of an original (its installs that stay in the builder, not build-only).
pub fn candidates(o: &Original, manager: crate::dockerfile::tools::packages::Manager) -> Vec<String> {
    o.packages(manager).into_iter().filter(|p| !is_build_package(p.split(['=', ':']).next().unwrap_or(p))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tools_stay_only_when_run() {
        let mut inv = Invoked { complete: true, ..Default::default() };
        inv.names.insert("curl".into(), "HEALTHCHECK".into());
        inv.names.insert("dot".into(), "render.py names it".into());
        let c: Vec<String> =
            ["vim", "less", "curl", "graphviz", "ca-certificates", "libpq5", "htop-not-known"].map(String::from).into();
        let v = decide(&c, &inv, &["less".to_string()]);
        let kept: Vec<&str> = v.iter().filter(|v| v.keep).map(|v| v.package.as_str()).collect();
        assert_eq!(kept, ["less", "curl", "graphviz", "ca-certificates", "libpq5", "htop-not-known"]);
        assert!(v.iter().any(|v| v.package == "vim" && !v.keep && v.why.contains("nothing in the image runs")));
    }
}
