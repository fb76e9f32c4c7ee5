//! The walk over the stage: each instruction's role, the packages installed, the paths copied
//! and written, and which RUNs run again in the runtime stage.

use super::{absolute, classify, CmdClass, Install, Original, Role, Step};
use crate::dockerfile::model::Kind;
use crate::dockerfile::shell::{Command, Op};
use crate::dockerfile::tools::caches::{marks_auto, removed_packages};
use crate::dockerfile::tools::files::written_paths;
use crate::dockerfile::tools::packages::{package_command, Action, Manager};
use crate::dockerfile::tools::positionals;
use crate::rewrite::Refusal;

/// Variables only a build reads (compilers, their flags, cross-compilation): an ENV of nothing
/// else stays in the builder.
pub const BUILD_ENV: &[&str] = &[
    "CFLAGS",
    "CXXFLAGS",
    "CPPFLAGS",
    "LDFLAGS",
    "CC",
    "CXX",
    "LD",
    "AR",
    "MAKEFLAGS",
    "CGO_ENABLED",
    "CGO_CFLAGS",
    "CGO_LDFLAGS",
    "GOFLAGS",
    "GOOS",
    "GOARCH",
    "RUSTFLAGS",
    "CARGO_BUILD_TARGET",
    "CARGO_INCREMENTAL",
    "DEBIAN_FRONTEND",
];

/// Directories too broad to copy from the builder.
const TOO_BROAD: &[&str] = &[
    "/",
    "/usr",
    "/etc",
    "/var",
    "/lib",
    "/lib64",
    "/bin",
    "/sbin",
    "/opt",
    "/home",
    "/root",
    "/srv",
    "/usr/lib",
    "/usr/bin",
    "/usr/share",
];

impl Original<'_> {
    pub(super) fn read_steps(&mut self) -> Result<(), Refusal> {
        // the base image's own WORKDIR (golang: /go), else /
        let mut workdir = crate::data::BaseImage::find(&crate::data::ImageRef::parse(&self.base))
            .map(|b| b.workdir.clone())
            .filter(|w| !w.is_empty())
            .unwrap_or_else(|| "/".to_string());
        // (step, destination) of each COPY from the context
        let mut copied: Vec<(usize, String)> = Vec::new();
        let mut user: Option<String> = None;
        for (i, c) in self.stage.commands.iter().enumerate() {
            let line = c.line;
            let here = workdir.clone();
            let expand = |s: &str| self.cx.expand(self.stage.index, i, s).unwrap_or_else(|| s.to_string());
            let mut classes = Vec::new();
            let role = match &c.kind {
                Kind::User { user: u } => {
                    let u = expand(u);
                    user = (!matches!(u.split(':').next(), Some("root" | "0"))).then_some(u);
                    Role::Replay
                }
                // compiler and build settings only the builder reads
                Kind::Env { vars } if vars.iter().all(|kv| BUILD_ENV.contains(&kv.key.as_str())) => Role::Build,
                Kind::Arg { .. } | Kind::Env { .. } | Kind::Shell { .. } => Role::Replay,
                Kind::Workdir { path } => {
                    workdir = absolute(&workdir, &expand(path));
                    Role::Replay
                }
                Kind::Cmd { .. }
                | Kind::Entrypoint { .. }
                | Kind::Expose { .. }
                | Kind::Healthcheck(_)
                | Kind::Label { .. }
                | Kind::Volume { .. }
                | Kind::Stopsignal { .. }
                | Kind::Onbuild { .. } => Role::Runtime,
                Kind::Maintainer { .. } => Role::Build,
                Kind::Copy(cp) => {
                    if let Some(from) = &cp.from {
                        if self.model.stage_ref(from, self.stage.index).is_some() {
                            return Err(Refusal::at(
                                line,
                                "COPY --from another stage: the file is already multi-stage",
                            ));
                        }
                        Role::Replay
                    } else {
                        let dest = expand(&cp.dest);
                        let mut d = absolute(&here, &dest);
                        // `COPY a.txt b.txt /app/`: the directory; `COPY app.py /app/main.py`: the file
                        if dest.ends_with('/') && !d.ends_with('/') {
                            d.push('/');
                        }
                        self.context_copies.push(super::ContextCopy {
                            dest: d.trim_end_matches('/').to_string(),
                            sources: cp.sources.iter().map(|s| expand(s)).collect(),
                            chown: cp.chown.clone(),
                            into_dir: d.ends_with('/') || cp.sources.len() > 1,
                        });
                        copied.push((self.steps.len(), d.trim_end_matches('/').to_string()));
                        Role::ContextCopy
                    }
                }
                Kind::Run(run) => {
                    if !self.cx.is_posix(self.stage.index, i) {
                        return Err(Refusal::at(line, "RUN with a non-POSIX SHELL (PowerShell or cmd: a Windows image): the rewrite reads POSIX shell scripts and builds Linux images only; not supported"));
                    }
                    let cmds = self.cx.commands(c.instruction);
                    if cmds.is_empty() && !run.cmd.text().trim().is_empty() {
                        return Err(Refusal::at(line, "a RUN whose script could not be read"));
                    }
                    let mut cwd = here.clone();
                    let installs_before = self.installs.len();
                    let mut written: Vec<String> = Vec::new();
                    for sc in cmds {
                        let class = classify(sc);
                        if sc.name() == "cd" {
                            if let Some(d) = sc.args().first() {
                                cwd = absolute(&cwd, &expand(&d.text));
                            }
                        }
                        if sc.name() == "rm" {
                            for w in positionals(sc) {
                                let gone = absolute(&cwd, &expand(&w.text));
                                self.writes.retain(|(p, _)| *p != gone && !p.starts_with(&format!("{gone}/")));
                            }
                        }
                        for w in written_paths(sc) {
                            let w = absolute(&cwd, &expand(&w));
                            if let Some(bad) = TOO_BROAD.iter().find(|b| w == **b) {
                                return Err(Refusal::at(
                                    line,
                                    format!("the build writes into {bad}: the rewrite cannot tell which of its files the program needs; install into a directory of its own (`--prefix=/opt/app`, `DESTDIR`) for a rewrite"),
                                ));
                            }
                            let skip = w.contains(['$', '*', '?'])
                                || [
                                    "/tmp",
                                    "/var/tmp",
                                    "/root/.cache",
                                    "/var/cache",
                                    "/var/lib/apt",
                                    "/proc",
                                    "/dev",
                                    "/var/log",
                                ]
                                .iter()
                                .any(|x| w == *x || w.starts_with(&format!("{x}/")));
                            if !skip {
                                written.push(w.clone());
                            }
                            if !skip && !self.writes.iter().any(|(p, _)| *p == w) {
                                if let Some(u) = &user {
                                    self.writers.push((w.clone(), u.clone()));
                                }
                                self.writes.push((w, line));
                            }
                        }
                        if let Some(p) = package_command(sc).filter(|p| p.action == Action::Install) {
                            self.installs.push(Install {
                                manager: p.manager,
                                packages: p.packages,
                                line,
                                virtual_name: p.virtual_name,
                            });
                        }
                        if let CmdClass::Download(p) = &class {
                            self.downloads.push(p.clone());
                        }
                        classes.push(class);
                    }
                    drop_transient(&mut self.installs[installs_before..], cmds);
                    let build_packages = self.installs[installs_before..]
                        .iter()
                        .flat_map(|i| &i.packages)
                        .any(|p| crate::data::is_build_package(p.split(['=', ':']).next().unwrap_or(p)));
                    let plain = cmds.iter().all(|c| !c.nested && matches!(c.op, Op::Start | Op::And | Op::Seq));
                    let role = run_role(&classes, build_packages, plain, line, || {
                        cmds.iter().map(|c| c.name().to_string()).collect()
                    })?;
                    if role != Role::Replay {
                        self.built.extend(written);
                    }
                    role
                }
            };
            self.steps.push(Step { index: i, instruction: c.instruction, line, role, workdir: here, classes });
        }
        self.replay_copies_replays_read(&copied);
        self.workdir = workdir;
        Ok(())
    }

    /// A RUN that runs again in the runtime stage and reads files a COPY put in place (a setup
    /// script in /tmp) needs them there too: that COPY runs in both stages, before it.
    fn replay_copies_replays_read(&mut self, copied: &[(usize, String)]) {
        // a RUN that only deletes files a context COPY put in place (`rm -rf /app/.git`): the
        // builder's copy, which the runtime stage gets, is already without them
        for k in 0..self.steps.len() {
            let step = &self.steps[k];
            if step.role != Role::Replay || !matches!(self.stage.commands[step.index].kind, Kind::Run(_)) {
                continue;
            }
            let cmds = self.cx.commands(step.instruction);
            let inside_copy =
                |p: &str| copied.iter().any(|(j, d)| *j < k && (p == d || p.starts_with(&format!("{d}/"))));
            let only_deletes_copied = !cmds.is_empty()
                && cmds.iter().all(|c| {
                    c.name() == "rm"
                        && positionals(c).iter().all(|w| inside_copy(&absolute(&step.workdir, &w.text)))
                        && !positionals(c).is_empty()
                });
            if only_deletes_copied {
                self.steps[k].role = Role::Build;
            }
        }
        for k in 0..self.steps.len() {
            let step = &self.steps[k];
            if step.role != Role::Replay || !matches!(self.stage.commands[step.index].kind, Kind::Run(_)) {
                continue;
            }
            let read: Vec<String> = self
                .cx
                .commands(step.instruction)
                .iter()
                .flat_map(|c| &c.words)
                .filter(|w| w.text.contains('/') || w.text.contains('.'))
                .map(|w| absolute(&step.workdir, &w.text))
                .collect();
            for (j, dest) in copied.iter().filter(|(j, _)| *j < k) {
                let inside = |p: &String| p == dest || p.starts_with(&format!("{dest}/"));
                if read.iter().any(inside) {
                    self.steps[*j].role = Role::Replay;
                }
            }
        }
        // what a replayed COPY put in place is there already: no copy from the builder
        let still: Vec<&String> =
            copied.iter().filter(|(j, _)| self.steps[*j].role == Role::ContextCopy).map(|(_, d)| d).collect();
        self.context_copies.retain(|c| still.contains(&&c.dest));
    }
}

/// Packages a RUN installs and removes again before it ends (`apk add --virtual .deps ... && apk
/// del .deps`, docker-library's `apt-mark auto` + `apt-get purge --auto-remove`) are in no layer:
/// neither stage needs them beyond that RUN.
fn drop_transient(installs: &mut [Install], cmds: &[Command]) {
    let deleted: Vec<String> = cmds.iter().flat_map(removed_packages).collect();
    let apt_purge = cmds.iter().any(|c| {
        package_command(c)
            .is_some_and(|p| p.manager == Manager::Apt && matches!(p.action, Action::Remove | Action::Autoremove))
    });
    // `apt-mark auto '.*'`, or through xargs: `apt-mark showmanual | xargs apt-mark auto`
    let apt_mark_auto = cmds.iter().any(marks_auto);
    for i in installs {
        let whole = match i.manager {
            Manager::Apk => i.virtual_name.as_ref().is_some_and(|v| deleted.contains(v)),
            Manager::Apt => apt_purge && apt_mark_auto,
            _ => false,
        };
        if whole {
            i.packages.clear();
        } else {
            i.packages.retain(|p| !deleted.contains(p));
        }
    }
}

/// A RUN's role from its commands' classes: a build stays in the builder; a RUN that installs
/// build-only packages stays there too (the runtime stage installs the runtime ones); any other
/// RUN sets the runtime up and runs in both stages, as written.
fn run_role(
    classes: &[CmdClass],
    build_packages: bool,
    plain: bool,
    line: usize,
    names: impl Fn() -> Vec<String>,
) -> Result<Role, Refusal> {
    if classes.iter().any(|c| matches!(c, CmdClass::Build(_) | CmdClass::Download(_))) {
        return Ok(Role::Build);
    }
    if let Some(k) = classes.iter().position(|c| matches!(c, CmdClass::Foreign(_))) {
        let (name, eco) = (
            names().get(k).cloned().unwrap_or_default(),
            match &classes[k] {
                CmdClass::Foreign(e) => *e,
                _ => "",
            },
        );
        return Err(Refusal::at(
            line,
            format!("`{name}` installs {eco} packages into system directories: {eco} builds are not supported yet"),
        ));
    }
    if !build_packages {
        // `RUN export X=1`, `RUN set -eux`: nothing in the file system to set up again
        let names = names();
        let no_op =
            !names.is_empty() && names.iter().all(|n| matches!(n.as_str(), "export" | "set" | "true" | ":" | "umask"));
        return Ok(if no_op { Role::Build } else { Role::Replay });
    }
    if !plain && classes.contains(&CmdClass::Setup) {
        return Err(Refusal::at(
            line,
            "RUN installs build-only packages and sets the file system up in a loop or condition: the rewrite cannot replay the setup without the packages; move the setup into a RUN of its own for a rewrite",
        ));
    }
    if let Some(k) = classes.iter().position(|c| matches!(c, CmdClass::Unknown | CmdClass::Work)) {
        let name = names().get(k).cloned().unwrap_or_default();
        return Err(Refusal::at(
            line,
            format!(
                "RUN installs build-only packages and also runs `{name}`: the rewrite cannot split what the runtime needs from what the build needs; run `{name}` in a RUN of its own for a rewrite"
            ),
        ));
    }
    Ok(Role::Packages)
}
