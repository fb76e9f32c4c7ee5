//! What the rewrite knows about the original: its one stage, each instruction's role (a build
//! step, a package install, a setup step to replay, part of the image contract), the packages it
//! installs, what it copies from the context, and the program it runs.

use super::Refusal;
use crate::data::rewrite_data;
use crate::dockerfile::model::{CmdLine, Kind, Model, Stage};
use crate::dockerfile::shell::Command;
use crate::dockerfile::{Dockerfile, Item, Span};
use crate::lint::rules::{is_apt, packages, APK_VALUE_FLAGS, APT_VALUE_FLAGS, YUM_VALUE_FLAGS};
use crate::lint::Context;
use std::path::{Path, PathBuf};

/// The language or build system a planner handles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Ecosystem {
    Python,
    Node,
    Go,
    Rust,
    C,
    Java,
    Generic,
}

impl Ecosystem {
    pub fn as_str(self) -> &'static str {
        match self {
            Ecosystem::Python => "python",
            Ecosystem::Node => "node",
            Ecosystem::Go => "go",
            Ecosystem::Rust => "rust",
            Ecosystem::C => "c",
            Ecosystem::Java => "java",
            Ecosystem::Generic => "generic",
        }
    }
}

/// What one shell command of a RUN does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CmdClass {
    /// A package manager (apt-get, apk, yum...).
    Package,
    /// Removes caches or temporary files.
    Cleanup,
    /// Compiles, installs dependencies, or otherwise builds (for this ecosystem).
    Build(Ecosystem),
    /// A global package install the runtime needs (`npm install -g`): replayed.
    GlobalInstall,
    /// Sets the file system up (users, directories, modes): replayed.
    Setup,
    /// Downloads a file to an absolute path: the path is carried to the runtime stage.
    Download(String),
    /// File work that is fine inside a build (cp, mv, tar, sed...).
    Work,
    /// Only reads (test, which, ls, grep...).
    Neutral,
    /// Installs into system directories for an ecosystem the rewrite does not handle (gem,
    /// cpanm, pecl...).
    Foreign(&'static str),
    /// Anything else.
    Unknown,
}

/// The role of an instruction in the rewrite.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    /// FROM.
    From,
    /// Builder only.
    Build,
    /// Builder; its packages are reinstalled (runtime ones) in the runtime stage.
    Packages,
    /// Builder, and replayed in the runtime stage (ARG, ENV, WORKDIR, USER, SHELL, setup RUNs,
    /// COPY --from an image).
    Replay,
    /// Moves to the runtime stage (CMD, ENTRYPOINT, EXPOSE, HEALTHCHECK, LABEL, VOLUME,
    /// STOPSIGNAL, ONBUILD).
    Runtime,
    /// A COPY/ADD from the build context: builder; the runtime stage copies the result.
    ContextCopy,
}

/// One instruction of the stage and its role.
#[derive(Debug, Clone)]
pub struct Step {
    /// Index among the stage's commands.
    pub index: usize,
    /// Index among the file's instructions.
    pub instruction: usize,
    pub line: usize,
    pub role: Role,
    /// The working directory before this instruction (absolute, `/` when unset).
    pub workdir: String,
    /// For RUNs: the class of each shell command.
    pub classes: Vec<CmdClass>,
}

/// A package manager install in the stage.
#[derive(Debug, Clone)]
pub struct Install {
    pub manager: &'static str,
    pub packages: Vec<String>,
    pub line: usize,
    /// The RUN runs again in the runtime stage as written.
    pub replayed: bool,
    /// `apk add --virtual .x`: the name `apk del` removes the group by.
    pub virtual_name: Option<String>,
}

/// The original Dockerfile as the planners see it.
pub struct Original<'a> {
    pub df: &'a Dockerfile,
    pub model: &'a Model,
    pub cx: Context<'a>,
    pub stage: &'a Stage,
    /// The base image with ARGs expanded, and as written.
    pub base: String,
    pub base_raw: String,
    pub steps: Vec<Step>,
    pub installs: Vec<Install>,
    /// Absolute destinations of COPY/ADD from the context, and their `--chown`.
    pub context_copies: Vec<(String, Option<String>)>,
    /// Files downloaded to absolute paths.
    pub downloads: Vec<String>,
    /// Paths RUNs write outside the working directory (cp, mv, install, ln, tar -C, unzip -d,
    /// git clone), with the line that writes them.
    pub writes: Vec<(String, usize)>,
    /// Paths of `writes` a non-root USER wrote: (path, user), for `COPY --chown`.
    pub writers: Vec<(String, String)>,
    /// The working directory at the end (what the image runs in).
    pub workdir: String,
    /// ENTRYPOINT + CMD as an argv, when it can be read without a shell.
    pub program: Option<Vec<String>>,
    /// ENTRYPOINT/CMD in shell form.
    pub shell_form: bool,
    pub context_dir: Option<PathBuf>,
    /// The file's newline.
    pub nl: &'static str,
}

/// Which ecosystem a shell command builds for, if it builds.
fn build_ecosystem(c: &Command) -> Option<Ecosystem> {
    let name = c.name();
    let sub = c.subcommand(&[]).unwrap_or("");
    Some(match name {
        "pip" | "pip3" | "pipx" | "poetry" | "pipenv" | "uv" | "virtualenv" => Ecosystem::Python,
        n if n.starts_with("python") || n.starts_with("pip3.") => Ecosystem::Python,
        "npm" | "yarn" | "pnpm" | "npx" | "node" | "tsc" | "corepack" | "bun" => Ecosystem::Node,
        "go" => Ecosystem::Go,
        "cargo" | "rustc" | "rustup" => Ecosystem::Rust,
        "make" | "cmake" | "gcc" | "g++" | "cc" | "c++" | "clang" | "clang++" | "configure" | "autoreconf"
        | "autogen.sh" | "bootstrap" | "ninja" | "meson" | "ld" | "strip" => Ecosystem::C,
        "mvn" | "mvnw" | "gradle" | "gradlew" | "ant" | "javac" | "jar" | "sbt" | "lein" => Ecosystem::Java,
        "git" if matches!(sub, "clone" | "fetch" | "checkout" | "submodule" | "init" | "pull") => Ecosystem::Generic,
        _ => return None,
    })
}

/// Whether a `rm` only removes caches and temporary files.
fn is_cleanup(c: &Command) -> bool {
    let name = c.name();
    if is_apt(c, &["clean", "autoclean", "dist-clean", "autoremove", "purge", "remove"]) {
        return true;
    }
    if matches!(name, "yum" | "dnf" | "microdnf" | "zypper") && c.subcommand(YUM_VALUE_FLAGS) == Some("clean") {
        return true;
    }
    if matches!(name, "npm" | "yarn" | "pnpm") && c.subcommand(&[]) == Some("cache") {
        return true;
    }
    if name != "rm" {
        return false;
    }
    let paths = c.positionals(&[]);
    !paths.is_empty()
        && paths.iter().all(|w| {
            let p = w.text.as_str();
            [
                "/var/lib/apt/lists",
                "/var/cache/",
                "/tmp/",
                "/var/tmp/",
                "/root/.cache",
                "/root/.npm",
                "/usr/share/doc",
                "/usr/share/man",
                "/var/log/",
            ]
            .iter()
            .any(|x| p.starts_with(x))
                || matches!(p, "/tmp" | "/var/tmp" | "/var/cache" | "/var/lib/apt")
        })
}

fn is_package_manager(c: &Command) -> bool {
    matches!(
        c.name(),
        "apt-get"
            | "apt"
            | "aptitude"
            | "apk"
            | "yum"
            | "dnf"
            | "microdnf"
            | "zypper"
            | "apt-key"
            | "debconf-set-selections"
    )
}

/// Sort a shell command into what the rewrite does with it.
pub fn classify(c: &Command) -> CmdClass {
    let name = c.name();
    if is_package_manager(c) {
        return if is_cleanup(c) { CmdClass::Cleanup } else { CmdClass::Package };
    }
    if is_cleanup(c) {
        return CmdClass::Cleanup;
    }
    let global = matches!(name, "npm" | "pnpm")
        && matches!(c.subcommand(&["--prefix"]), Some("install" | "i" | "add"))
        && c.has_flag(&["-g", "--global"])
        || name == "yarn" && c.subcommand(&[]) == Some("global");
    if global {
        return CmdClass::GlobalInstall;
    }
    if let Some(e) = build_ecosystem(c) {
        return CmdClass::Build(e);
    }
    let script_by_shell = matches!(name, "sh" | "bash" | "dash" | "ash" | "zsh")
        && c.args().first().is_some_and(|w| !w.text.starts_with('-'));
    if c.words.first().is_some_and(|w| w.text.starts_with("./")) || script_by_shell {
        // a script of the project (configure, build.sh, mvnw, `sh build.sh`): part of the build
        return CmdClass::Build(Ecosystem::Generic);
    }
    if matches!(name, "curl" | "wget") {
        let out =
            if name == "curl" { c.flag_value(&["-o", "--output"]) } else { c.flag_value(&["-O", "--output-document"]) };
        return match out {
            Some(p) if p.starts_with('/') && !p.starts_with("/tmp") && !p.contains('$') => {
                CmdClass::Download(p.to_string())
            }
            _ => CmdClass::Unknown,
        };
    }
    if rewrite_data().setup_commands.iter().any(|s| s == name) {
        return CmdClass::Setup;
    }
    let foreign = match name {
        "gem" | "bundle" | "bundler" => Some("ruby"),
        "cpan" | "cpanm" => Some("perl"),
        "pecl" | "pear" | "composer" => Some("php"),
        n if n.starts_with("docker-php-ext") => Some("php"),
        _ => None,
    };
    if let Some(f) = foreign {
        return CmdClass::Foreign(f);
    }
    if matches!(
        name,
        "cd" | "test"
            | "["
            | "[["
            | "ls"
            | "cat"
            | "grep"
            | "egrep"
            | "awk"
            | "sort"
            | "uniq"
            | "tr"
            | "cut"
            | "head"
            | "tail"
            | "wc"
            | "dpkg-architecture"
            | "readlink"
            | "dirname"
            | "basename"
            | "uname"
            | "which"
            | "command"
            | "type"
            | "sha256sum"
            | "sha512sum"
            | "md5sum"
            | "id"
            | "getent"
            | "pwd"
            | "env"
            | "printenv"
            | "sleep"
            | "date"
            | "nproc"
            | "apt-cache"
            | "apt-mark"
            | "dpkg-query"
            | "ps"
            | "false"
            | "exit"
            | "return"
    ) {
        return CmdClass::Neutral;
    }
    if matches!(
        name,
        "cp" | "mv"
            | "rm"
            | "tar"
            | "unzip"
            | "gzip"
            | "gunzip"
            | "xz"
            | "bzip2"
            | "sed"
            | "find"
            | "xargs"
            | "tee"
            | "install"
            | "sh"
            | "bash"
            | "mktemp"
            | "gpg"
            | "gpgconf"
            | "rmdir"
            | "patch"
            | "strip"
    ) {
        return CmdClass::Work;
    }
    CmdClass::Unknown
}

/// An absolute path: `p` as is, or relative to `dir`.
pub fn absolute(dir: &str, p: &str) -> String {
    let joined = if p.starts_with('/') { p.to_string() } else { format!("{}/{}", dir.trim_end_matches('/'), p) };
    // normalise `.` and `..`
    let mut parts: Vec<&str> = Vec::new();
    for part in joined.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            x => parts.push(x),
        }
    }
    format!("/{}", parts.join("/"))
}

/// Span of an instruction with the comment lines directly above it.
pub fn block_span(df: &Dockerfile, instruction: usize) -> Span {
    let mut n = 0;
    let mut start = None;
    let mut items = Vec::new();
    for it in &df.items {
        items.push(it);
    }
    for (k, it) in items.iter().enumerate() {
        if let Item::Instruction(ins) = it {
            if n == instruction {
                let mut s = ins.span.start;
                let mut j = k;
                while j > 0 {
                    match items[j - 1] {
                        Item::Comment { span } => {
                            s = span.start;
                            j -= 1;
                        }
                        _ => break,
                    }
                }
                start = Some((s, ins.span.end));
                break;
            }
            n += 1;
        }
    }
    let (s, e) = start.unwrap_or((0, 0));
    Span::new(s, e)
}

impl<'a> Original<'a> {
    pub fn new(
        df: &'a Dockerfile,
        model: &'a Model,
        settings: &'a crate::lint::Settings,
        context_dir: Option<&Path>,
    ) -> Result<Original<'a>, Refusal> {
        let cx = Context::new(df, model, settings);
        if df.escape != '\\' {
            return Err(Refusal::new("the file uses a non-default escape character (a Windows image): not supported"));
        }
        let stage = model.stages.last().ok_or_else(|| Refusal::new("the Dockerfile has no FROM"))?;
        let base = cx.base_image(stage.index);
        let base_raw = stage.base.text.clone();
        if base == "scratch" {
            return Err(Refusal::at(stage.line, "the image starts FROM scratch: there is nothing to leave behind"));
        }
        let nl = if df.source.contains("\r\n") { "\r\n" } else { "\n" };
        let mut o = Original {
            df,
            model,
            cx,
            stage,
            base,
            base_raw,
            steps: Vec::new(),
            installs: Vec::new(),
            context_copies: Vec::new(),
            downloads: Vec::new(),
            writes: Vec::new(),
            writers: Vec::new(),
            workdir: "/".into(),
            program: None,
            shell_form: false,
            context_dir: context_dir.map(Path::to_path_buf),
            nl,
        };
        o.read_steps()?;
        o.read_program();
        Ok(o)
    }

    fn read_steps(&mut self) -> Result<(), Refusal> {
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
                        self.context_copies.push((d.trim_end_matches('/').to_string(), cp.chown.clone()));
                        copied.push((self.steps.len(), d.trim_end_matches('/').to_string()));
                        Role::ContextCopy
                    }
                }
                Kind::Run(run) => {
                    if !self.cx.is_posix(self.stage.index, i) {
                        return Err(Refusal::at(line, "RUN with a non-POSIX SHELL: not supported"));
                    }
                    let cmds = self.cx.commands(c.instruction);
                    if cmds.is_empty() && !run.cmd.text().trim().is_empty() {
                        return Err(Refusal::at(line, "a RUN whose script could not be read"));
                    }
                    let mut cwd = here.clone();
                    let installs_before = self.installs.len();
                    for sc in cmds {
                        let class = classify(sc);
                        if sc.name() == "cd" {
                            if let Some(d) = sc.args().first() {
                                cwd = absolute(&cwd, &expand(&d.text));
                            }
                        }
                        if sc.name() == "rm" {
                            for w in sc.positionals(&[]) {
                                let gone = absolute(&cwd, &expand(&w.text));
                                self.writes.retain(|(p, _)| *p != gone && !p.starts_with(&format!("{gone}/")));
                            }
                        }
                        for w in written_paths(sc) {
                            let w = absolute(&cwd, &expand(&w));
                            if let Some(bad) = TOO_BROAD.iter().find(|b| w == **b) {
                                return Err(Refusal::at(
                                    line,
                                    format!("the build writes into {bad}: the rewrite cannot tell which of its files the program needs"),
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
                            if !skip && !self.writes.iter().any(|(p, _)| *p == w) {
                                if let Some(u) = &user {
                                    self.writers.push((w.clone(), u.clone()));
                                }
                                self.writes.push((w, line));
                            }
                        }
                        if is_apt(sc, &["install"]) {
                            self.installs.push(Install {
                                manager: "apt",
                                packages: packages(sc, APT_VALUE_FLAGS),
                                line,
                                replayed: false,
                                virtual_name: None,
                            });
                        } else if sc.name() == "apk" && sc.subcommand(APK_VALUE_FLAGS) == Some("add") {
                            self.installs.push(Install {
                                manager: "apk",
                                packages: packages(sc, APK_VALUE_FLAGS),
                                line,
                                replayed: false,
                                virtual_name: sc.flag_value(&["--virtual", "-t"]).map(str::to_string),
                            });
                        } else if matches!(sc.name(), "yum" | "dnf" | "microdnf")
                            && sc.subcommand(YUM_VALUE_FLAGS) == Some("install")
                        {
                            self.installs.push(Install {
                                manager: "dnf",
                                packages: packages(sc, YUM_VALUE_FLAGS),
                                line,
                                replayed: false,
                                virtual_name: None,
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
                    let role = run_role(&classes, build_packages, line, || {
                        cmds.iter().map(|c| c.name().to_string()).collect()
                    })?;
                    if role == Role::Replay {
                        for i in &mut self.installs[installs_before..] {
                            i.replayed = true;
                        }
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
        self.context_copies.retain(|(d, _)| still.contains(&d));
    }

    fn read_program(&mut self) {
        let mut entry: Option<&CmdLine> = None;
        let mut cmd: Option<&CmdLine> = None;
        for c in &self.stage.commands {
            match &c.kind {
                Kind::Entrypoint { cmd: e } => {
                    entry = Some(e);
                    cmd = None; // ENTRYPOINT resets an inherited CMD
                }
                Kind::Cmd { cmd: c } => cmd = Some(c),
                _ => {}
            }
        }
        let words = |c: &CmdLine| -> Option<Vec<String>> {
            match c {
                CmdLine::Exec(v) => Some(v.clone()),
                CmdLine::Shell(s) => crate::lint::rules::shell_form_cmd::exec_form(s)
                    .and_then(|j| serde_json::from_str::<Vec<String>>(&j).ok()),
            }
        };
        self.shell_form = entry.or(cmd).is_some_and(|c| !c.is_exec());
        self.program = match (entry, cmd) {
            (Some(e), Some(c)) if e.is_exec() => words(e).zip(words(c)).map(|(mut a, b)| {
                a.extend(b);
                a
            }),
            (Some(e), _) => words(e),
            (None, Some(c)) => words(c),
            (None, None) => None,
        };
    }

    /// The steps with this role.
    pub fn with_role(&self, role: Role) -> impl Iterator<Item = &Step> {
        self.steps.iter().filter(move |s| s.role == role)
    }

    /// Does any RUN build for this ecosystem?
    pub fn builds(&self, e: Ecosystem) -> bool {
        self.steps.iter().any(|s| s.classes.contains(&CmdClass::Build(e)))
    }

    /// Every shell command of every RUN with the directory it runs in (WORKDIR, then `cd`s).
    pub fn commands_in_dirs(&self) -> Vec<(&Step, &Command, String)> {
        let mut out = Vec::new();
        for s in &self.steps {
            let mut cwd = s.workdir.clone();
            for c in self.commands(s) {
                if c.name() == "cd" {
                    if let Some(d) = c.args().first() {
                        cwd = absolute(&cwd, &d.text);
                    }
                }
                out.push((s, c, cwd.clone()));
            }
        }
        out
    }

    /// The shell commands of a step's RUN.
    pub fn commands(&self, step: &Step) -> &[Command] {
        self.cx.commands(step.instruction)
    }

    /// The ENV value a variable has at the end of the stage.
    pub fn env(&self, name: &str) -> Option<String> {
        let vars = self.cx.vars.get(self.stage.index)?.last()?;
        vars.get(name).map(str::to_string)
    }

    /// A file of the build context, if the context is known and has it.
    pub fn context_file(&self, rel: &str) -> Option<String> {
        let dir = self.context_dir.as_ref()?;
        let p = dir.join(rel.trim_start_matches("./"));
        let meta = std::fs::metadata(&p).ok()?;
        if !meta.is_file() || meta.len() > 4 << 20 {
            return None;
        }
        std::fs::read_to_string(p).ok()
    }

    pub fn context_has(&self, rel: &str) -> bool {
        self.context_dir.as_ref().is_some_and(|d| d.join(rel.trim_start_matches("./")).exists())
    }

    /// Base image repository name (`python` for `python:3.11`, `docker.io/library/python:3.11`).
    pub fn base_name(&self) -> String {
        let r = crate::data::ImageRef::parse(&self.base);
        r.official_name().map(str::to_string).unwrap_or(r.path)
    }

    /// Source text of an instruction with its comments, ending in a newline.
    pub fn block_text(&self, instruction: usize) -> String {
        let mut t = self.df.text(block_span(self.df, instruction)).to_string();
        if !t.ends_with('\n') {
            t.push_str(self.nl);
        }
        t
    }

    /// Packages installed with a manager by RUNs that stay in the builder, in order, without
    /// duplicates.
    pub fn packages(&self, manager: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for i in self.installs.iter().filter(|i| i.manager == manager && !i.replayed) {
            for p in &i.packages {
                if !out.contains(p) {
                    out.push(p.clone());
                }
            }
        }
        out
    }

    /// The ports EXPOSE declares (None when one is a variable).
    pub fn exposed_ports(&self) -> Option<Vec<u32>> {
        let mut out = Vec::new();
        for (i, c) in self.stage.commands.iter().enumerate() {
            if let Kind::Expose { ports } = &c.kind {
                for p in ports {
                    let p = self.cx.expand(self.stage.index, i, p).unwrap_or_default();
                    out.push(p.split('/').next()?.split('-').next()?.parse().ok()?);
                }
            }
        }
        Some(out)
    }

    pub fn has_kind(&self, f: impl Fn(&Kind) -> bool) -> bool {
        self.stage.commands.iter().any(|c| f(&c.kind))
    }
}

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

/// Paths a command writes (relative ones are resolved by the caller): destinations of cp, mv,
/// install and ln, tar -C, unzip -d, git clone.
pub fn written_paths(c: &Command) -> Vec<String> {
    let name = c.name();
    let basename = |p: &str| p.trim_end_matches('/').rsplit('/').next().unwrap_or(p).to_string();
    match name {
        "cp" | "mv" | "install" | "ln" => {
            let value_flags: &[&str] = match name {
                "install" => {
                    &["-m", "--mode", "-o", "--owner", "-g", "--group", "-t", "--target-directory", "-S", "--suffix"]
                }
                _ => &["-t", "--target-directory", "-S", "--suffix"],
            };
            if name == "install" && c.has_flag(&["-d", "--directory"]) {
                return Vec::new(); // creates directories only
            }
            let pos: Vec<String> = c.positionals(value_flags).iter().map(|w| w.text.clone()).collect();
            if let Some(dir) = c.flag_value(&["-t", "--target-directory"]) {
                return pos.iter().map(|s| format!("{}/{}", dir.trim_end_matches('/'), basename(s))).collect();
            }
            if pos.len() < 2 {
                return Vec::new();
            }
            let (dest, sources) = pos.split_last().unwrap_or((&pos[0], &[]));
            if sources.len() > 1 || dest.ends_with('/') {
                sources.iter().map(|s| format!("{}/{}", dest.trim_end_matches('/'), basename(s))).collect()
            } else {
                vec![dest.clone()]
            }
        }
        "tar" => {
            let extracting = c
                .args()
                .first()
                .is_some_and(|w| !w.text.starts_with("--") && w.text.trim_start_matches('-').contains('x'))
                || c.has_flag(&["--extract", "-x"]);
            match c.flag_value(&["-C", "--directory"]) {
                Some(d) if extracting => vec![d.to_string()],
                _ => Vec::new(),
            }
        }
        "unzip" => c.flag_value(&["-d"]).map(|d| vec![d.to_string()]).unwrap_or_default(),
        "git" if c.subcommand(&["-C", "-c"]) == Some("clone") => {
            let pos: Vec<&str> = c
                .positionals(&["-b", "--branch", "--depth", "-c", "--config", "-o", "--origin"])
                .iter()
                .map(|w| w.text.as_str())
                .collect();
            match pos.as_slice() {
                [_, url] => vec![basename(url).trim_end_matches(".git").to_string()],
                [_, _, dir, ..] => vec![dir.to_string()],
                _ => Vec::new(),
            }
        }
        _ => Vec::new(),
    }
}

/// Packages a RUN installs and removes again before it ends (`apk add --virtual .deps ... && apk
/// del .deps`, docker-library's `apt-mark auto` + `apt-get purge --auto-remove`) are in no layer:
/// neither stage needs them beyond that RUN.
fn drop_transient(installs: &mut [Install], cmds: &[Command]) {
    let mut deleted: Vec<String> = Vec::new();
    let (mut apt_purge, mut apt_mark_auto) = (false, false);
    for c in cmds {
        if c.name() == "apk" && c.subcommand(APK_VALUE_FLAGS) == Some("del") {
            deleted.extend(c.positionals(APK_VALUE_FLAGS).into_iter().skip(1).map(|w| w.text.clone()));
        }
        if is_apt(c, &["purge", "remove", "autoremove"]) {
            apt_purge = true;
            deleted.extend(packages(c, APT_VALUE_FLAGS));
        }
        // `apt-mark auto '.*'`, or through xargs: `apt-mark showmanual | xargs apt-mark auto`
        if c.words.windows(2).any(|w| w[0].text.rsplit('/').next() == Some("apt-mark") && w[1].text == "auto") {
            apt_mark_auto = true;
        }
    }
    for i in installs {
        let whole = match i.manager {
            "apk" => i.virtual_name.as_ref().is_some_and(|v| deleted.contains(v)),
            "apt" => apt_purge && apt_mark_auto,
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
        return Ok(Role::Replay);
    }
    if let Some(k) = classes.iter().position(|c| matches!(c, CmdClass::Unknown | CmdClass::Work)) {
        let name = names().get(k).cloned().unwrap_or_default();
        return Err(Refusal::at(
            line,
            format!(
                "RUN installs build-only packages and also runs `{name}`: the rewrite cannot split what the runtime needs from what the build needs"
            ),
        ));
    }
    Ok(Role::Packages)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dockerfile::shell::parse_script;

    fn class(s: &str) -> CmdClass {
        classify(&parse_script(s).commands[0])
    }

    #[test]
    fn classes() {
        assert_eq!(class("apt-get install -y gcc"), CmdClass::Package);
        assert_eq!(class("rm -rf /var/lib/apt/lists/*"), CmdClass::Cleanup);
        assert_eq!(class("rm -rf /app/build"), CmdClass::Work);
        assert_eq!(class("[ -f /x ]"), CmdClass::Neutral);
        assert_eq!(class("sh build.sh"), CmdClass::Build(Ecosystem::Generic));
        assert!(!matches!(class("bash -c 'echo hi'"), CmdClass::Build(_)));
        assert_eq!(class("gem install rails"), CmdClass::Foreign("ruby"));
        assert_eq!(class("pip install -r requirements.txt"), CmdClass::Build(Ecosystem::Python));
        assert_eq!(class("npm install -g pm2"), CmdClass::GlobalInstall);
        assert_eq!(class("npm ci"), CmdClass::Build(Ecosystem::Node));
        assert_eq!(class("useradd -m app"), CmdClass::Setup);
        assert_eq!(
            class("curl -fsSL -o /usr/local/bin/tini https://x/tini"),
            CmdClass::Download("/usr/local/bin/tini".into())
        );
        assert_eq!(class("curl -fsSL https://x | bash"), CmdClass::Unknown);
        assert_eq!(class("./configure --prefix=/usr/local"), CmdClass::Build(Ecosystem::C));
        assert_eq!(class("./build.sh"), CmdClass::Build(Ecosystem::Generic));
    }

    #[test]
    fn paths() {
        assert_eq!(absolute("/app", "."), "/app");
        assert_eq!(absolute("/app", "src/../bin"), "/app/bin");
        assert_eq!(absolute("/", "app"), "/app");
        assert_eq!(absolute("/app", "/opt/x/"), "/opt/x");
    }
}
