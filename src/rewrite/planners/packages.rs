//! The packages the original installs, split into what only the build needs (stays in the
//! builder) and what the runtime stage may need; of the latter, which it keeps (a tool only
//! when the image runs one of its programs: `crate::rewrite::needs`). What the program's files
//! link is found by the probe during the build, not here.

use super::super::input::Original;
use super::super::needs::{self, Invoked, Verdict};
use super::super::{Blueprint, Options, Refusal};
use crate::data::{debian_install_size, is_build_package, rewrite_data, BaseImage, ImageRef};
use crate::dockerfile::tools::packages::Manager;

/// Packages one manager installs in RUNs that stay in the builder.
pub struct PackageSplit {
    pub manager: Manager,
    /// Only the build needs them: compilers, headers, -dev packages, VCS.
    pub build: Vec<String>,
    /// The program may need them at run time.
    pub runtime: Vec<String>,
}

pub fn package_split(o: &Original) -> Vec<PackageSplit> {
    let data = rewrite_data();
    let mut out = Vec::new();
    for manager in [Manager::Apt, Manager::Apk, Manager::Dnf] {
        let pkgs = o.packages(manager);
        if pkgs.is_empty() {
            continue;
        }
        // a build-only package whose program the image runs (git for a gem that shells out to
        // it) is a runtime one
        let table = crate::data::debian_executables();
        let (build, run): (Vec<String>, Vec<String>) = pkgs.into_iter().partition(|p| {
            let name = p.split(['=', ':']).next().unwrap_or(p);
            is_build_package(name)
                && !table.programs(name).is_some_and(|progs| progs.iter().any(|g| o.invoked().why(g).is_some()))
        });
        // a package the runtime never needs (gnupg for a repository's key) unless the image
        // runs a program of it or of what it depends on (gpg in a setup RUN that runs again)
        let runs = |p: &String| {
            let (_, closure, _) = crate::data::debian_closure(&[p.as_str()], false, &Default::default());
            closure
                .iter()
                .any(|n| table.programs(n).is_some_and(|progs| progs.iter().any(|g| o.invoked().why(g).is_some())))
        };
        let runtime = run
            .into_iter()
            .filter(|p| (!data.skip_runtime.contains(p) || runs(p)) && !p.contains('$') && !p.ends_with(".deb"))
            .collect();
        out.push(PackageSplit { manager, build, runtime });
    }
    out
}

/// The kept and left-behind runtime packages of every manager, with why.
pub fn verdicts(o: &Original, invoked: &Invoked, options: &Options) -> Vec<(Manager, Verdict)> {
    package_split(o)
        .into_iter()
        .flat_map(|s| {
            let m = s.manager;
            needs::decide(&s.runtime, invoked, &options.keep_packages).into_iter().map(move |v| (m, v))
        })
        .collect()
}

/// Packages the runtime base already has, when it has no package database to ask (distroless).
pub fn base_packages(image: &str) -> Vec<String> {
    BaseImage::find(&ImageRef::parse(image)).map(|b| b.packages.clone()).unwrap_or_default()
}

/// Would a distroless runtime lack a package the program keeps?
pub fn needs_packages_beyond(o: &Original, invoked: &Invoked, options: &Options, image: &str) -> bool {
    let has = base_packages(image);
    verdicts(o, invoked, options).iter().any(|(_, v)| v.keep && !has.contains(&v.package))
}

/// Decide the runtime packages: build-only ones stay in the builder (said), tools nothing runs stay there too, the rest go to the probe, which installs them in
/// the runtime stage with the packages that own what the program links.
pub fn keep_packages(o: &Original, bp: &mut Blueprint, invoked: &Invoked, options: &Options) -> Result<(), Refusal> {
    for split in package_split(o) {
        let PackageSplit { manager, build, runtime } = split;
        if !build.is_empty() {
            let names: Vec<&str> = build.iter().map(String::as_str).collect();
            let (bytes, _) = debian_install_size(&names, false);
            bp.change(None, format!("build-only packages stay in the builder: {}", build.join(", ")));
            if manager == Manager::Apt {
                bp.saving = Some(bp.saving.unwrap_or(0) + bytes);
            }
        }
        let verdicts = needs::decide(&runtime, invoked, &options.keep_packages);
        let left: Vec<&Verdict> = verdicts.iter().filter(|v| !v.keep).collect();
        if !left.is_empty() {
            let names: Vec<&str> = left.iter().map(|v| v.package.as_str()).collect();
            let (bytes, _) = debian_install_size(&names, false);
            bp.change(
                None,
                format!(
                    "{}: tools nothing in the image runs (not ENTRYPOINT/CMD, HEALTHCHECK, a script it starts or the program's sources); kept in the builder (--keep-package to keep one)",
                    names.join(", "),
                ),
            );
            if manager == Manager::Apt {
                bp.saving = Some(bp.saving.unwrap_or(0) + bytes);
            }
        }
        let kept: Vec<&Verdict> = verdicts.iter().filter(|v| v.keep).collect();
        if kept.is_empty() {
            continue;
        }
        let has = base_packages(&bp.runtime_base);
        let needed: Vec<&Verdict> = kept.iter().copied().filter(|v| !has.contains(&v.package)).collect();
        if needed.is_empty() {
            continue;
        }
        match bp.runtime_manager {
            Some(r) if r == manager => {}
            None => {
                return Err(Refusal::new(format!(
                    "the program needs packages ({}) but the runtime base {} has no package manager; choose one with a package manager (--runtime-base) for a rewrite",
                    needed.iter().map(|v| v.package.as_str()).collect::<Vec<_>>().join(", "),
                    bp.runtime_base
                )))
            }
            Some(_) => {
                return Err(Refusal::new(format!(
                    "packages installed with {} cannot be installed on the runtime base {}; choose a runtime base with that package manager (--runtime-base) for a rewrite",
                    manager.as_str(),
                    bp.runtime_base
                )))
            }
        }
        let list: Vec<String> = needed.iter().map(|v| format!("{} ({})", v.package, v.why)).collect();
        bp.change(None, format!("the runtime stage installs {}", list.join(", ")));
        bp.runtime_packages.extend(needed.iter().map(|v| v.package.clone()));
    }
    // libraries a language dependency loads by name (python-magic: libmagic1)
    for (p, why) in &invoked.packages {
        if bp.runtime_manager.is_some() && !bp.runtime_packages.contains(p) {
            bp.change(None, format!("the runtime stage installs {p} ({why})"));
            bp.runtime_packages.push(p.clone());
        }
    }
    Ok(())
}
