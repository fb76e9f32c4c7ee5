//! What the runtime stage copies from the builder: the files COPY/ADD put in place (after the
//! build ran on them), downloads, the working directory, paths the build wrote, data
//! directories a native program reads, and the program itself; and the dependency manifests
//! copied before the sources for the build cache.

use super::super::input::{absolute, is_build_manifest, Original, Role};
use super::super::{Blueprint, Refusal};
use crate::data::rewrite_data;

/// Directories of the base image's own files, into which a COPY of named files copies only those.
const SYSTEM_DIRS: &[&str] = &[
    "/usr/local/bin",
    "/usr/local/sbin",
    "/usr/bin",
    "/usr/sbin",
    "/bin",
    "/sbin",
    "/usr/local/lib",
    "/usr/lib",
    "/etc",
];

/// Copy what COPY/ADD put in the image from the context (after the build ran on it).
pub fn context_artifacts(o: &Original, bp: &mut Blueprint) -> Result<(), Refusal> {
    for c in &o.context_copies {
        let (dest, chown) = (&c.dest, &c.chown);
        // named files (not a directory of the context, not a pattern)
        let files = c.sources.iter().all(|s| {
            let path = s.trim_end_matches('/');
            !s.ends_with('/')
                && !matches!(path, "." | "" | "..")
                && !s.contains(['*', '?', '$'])
                && o.context_dir.as_ref().is_none_or(|d| !d.join(path).is_dir())
        });
        // (without the context, a name with an extension is taken for a file, `bin` is not)
        // (a local archive ADD unpacks is not that file)
        let archive = |s: &str| {
            [".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar.zst", ".tzst"]
                .iter()
                .any(|x| s.ends_with(x))
        };
        let plain_files = files
            && !c.sources.iter().any(|s| archive(s))
            && c.sources.iter().all(|s| match &o.context_dir {
                Some(d) => d.join(s.trim_end_matches('/')).is_file(),
                None => s.rsplit('/').next().is_some_and(|n| n.contains('.')),
            });
        if c.into_dir && plain_files && SYSTEM_DIRS.contains(&dest.as_str()) {
            // `COPY docker-entrypoint.sh /usr/local/bin/`: that file, not the base's directory
            for s in &c.sources {
                let name = s.trim_end_matches('/').rsplit('/').next().unwrap_or(s);
                let path = format!("{dest}/{name}");
                bp.artifact(&path, "a file copied from the context into a system directory");
                if let Some(a) = bp.artifacts.iter_mut().find(|a| a.from == path && a.chown.is_none()) {
                    a.chown = chown.clone();
                }
            }
            continue;
        }
        if dest.is_empty() || dest == "/" {
            // named files into / are those files; a directory or the whole context is not
            let files = files && c.sources.iter().all(|s| !s.trim_end_matches('/').contains('/'));
            if !files {
                return Err(Refusal::new(
                    "the build context (or a directory of it) is copied into / (no WORKDIR): the rewrite cannot tell the program's files from the system's; copy them into a WORKDIR",
                ));
            }
            for s in c.sources.iter().filter(|s| !is_build_manifest(s)) {
                bp.artifact(&format!("/{}", s.trim_start_matches("./")), "a file copied into / from the context");
            }
            continue;
        }
        if dest.starts_with("/tmp") || dest.starts_with("/var/tmp") {
            continue;
        }
        if !c.into_dir && c.sources.len() == 1 && is_build_manifest(dest) && dest.rsplit('/').count() <= 2 {
            continue; // `COPY requirements.txt /requirements.txt`: read by the build only
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
    // (what only a RUN that runs again in the runtime stage writes is made there)
    for (w, line) in o.writes.iter().filter(|(w, _)| o.built.contains(w)) {
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

/// Native programs may read data directories next to them (templates, static files...).
pub fn data_dirs(o: &Original, bp: &mut Blueprint) {
    for d in &rewrite_data().data_dirs {
        if o.context_has(d) {
            let copied = o.context_copies.iter().any(|c| c.dest == o.workdir || c.dest.ends_with(&format!("/{d}")));
            if copied {
                let path = absolute(&o.workdir, d);
                bp.artifact(&path, format!("data directory `{d}` the program may read"));
            }
        }
    }
}

/// `COPY . <dest>` from the context directly followed by a build RUN: the two steps.
pub fn context_copy_then_run<'o>(
    o: &'o Original,
) -> Option<(&'o crate::rewrite::input::Step, &'o crate::rewrite::input::Step)> {
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
    copy: &crate::rewrite::input::Step,
    run: &crate::rewrite::input::Step,
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
