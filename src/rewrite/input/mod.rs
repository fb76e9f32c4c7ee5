//! What the rewrite knows about the original: its one stage, each instruction's role (a build
//! step, a package install, a setup step to replay, part of the image contract), the packages it
//! installs, what it copies from the context, and the program it runs.
//!
//! `classify` sorts shell commands, `steps` walks the stage and gives each instruction its role,
//! `program` reads ENTRYPOINT/CMD.

mod classify;
mod program;
mod steps;
pub use steps::BUILD_ENV;

pub use classify::{classify, CmdClass, Ecosystem};

use super::Refusal;
use crate::dockerfile::model::{Kind, Model, Stage};
use crate::dockerfile::shell::Command;
use crate::dockerfile::tools::packages::Manager;
use crate::dockerfile::{Dockerfile, Item, Span};
use crate::lint::Context;
use std::path::{Path, PathBuf};

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
    pub manager: Manager,
    pub packages: Vec<String>,
    pub line: usize,
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
    pub context_copies: Vec<ContextCopy>,
    /// Files downloaded to absolute paths.
    pub downloads: Vec<String>,
    /// Paths RUNs write outside the working directory (cp, mv, install, ln, tar -C, unzip -d,
    /// git clone), with the line that writes them.
    pub writes: Vec<(String, usize)>,
    /// Paths of `writes` a non-root USER wrote: (path, user), for `COPY --chown`.
    pub writers: Vec<(String, String)>,
    /// Paths of `writes` that a RUN staying in the builder writes; the others only RUNs that run
    /// again in the runtime stage write, which makes them there itself.
    pub built: Vec<String>,
    /// The working directory at the end (what the image runs in).
    pub workdir: String,
    /// ENTRYPOINT + CMD as an argv, when it can be read without a shell.
    pub program: Option<Vec<String>>,
    /// ENTRYPOINT/CMD in shell form.
    pub shell_form: bool,
    pub context_dir: Option<PathBuf>,
    /// The file's newline.
    pub nl: &'static str,
    /// What the image runs, read once when first asked.
    invoked: std::cell::OnceCell<crate::rewrite::needs::Invoked>,
}

/// A COPY/ADD from the build context.
#[derive(Debug, Clone)]
pub struct ContextCopy {
    /// The absolute destination (a directory when `into_dir`), without a trailing `/`.
    pub dest: String,
    /// The sources as written (expanded).
    pub sources: Vec<String>,
    pub chown: Option<String>,
    /// The destination is a directory the sources go into.
    pub into_dir: bool,
}

/// Dependency manifests a build installs from and a program does not read.
pub const BUILD_MANIFESTS: &[&str] = &[
    "requirements.txt",
    "constraints.txt",
    "Pipfile",
    "Pipfile.lock",
    "poetry.lock",
    "uv.lock",
    "go.mod",
    "go.sum",
    "Cargo.toml",
    "Cargo.lock",
    "Gemfile",
    "Gemfile.lock",
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "composer.json",
    "composer.lock",
];

/// Is this file name a dependency manifest (requirements-dev.txt too)?
pub fn is_build_manifest(name: &str) -> bool {
    let base = name.trim_end_matches('/').rsplit('/').next().unwrap_or(name);
    BUILD_MANIFESTS.contains(&base)
        || (base.starts_with("requirements") || base.starts_with("constraints")) && base.ends_with(".txt")
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
            built: Vec::new(),
            workdir: "/".into(),
            program: None,
            shell_form: false,
            context_dir: context_dir.map(Path::to_path_buf),
            nl,
            invoked: std::cell::OnceCell::new(),
        };
        o.read_steps()?;
        o.read_program();
        Ok(o)
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

    /// A variable of the build's environment: the Dockerfile's ENV, else the base image's own
    /// (CARGO_HOME=/usr/local/cargo in rust, GOPATH=/go in golang), from rules/base-images.toml.
    pub fn base_env(&self, name: &str) -> Option<String> {
        self.env(name)
            .or_else(|| crate::data::BaseImage::find(&crate::data::ImageRef::parse(&self.base))?.env.get(name).cloned())
    }

    /// Is the build context here: a directory with every file the Dockerfile copies from it?
    /// (Only then can its sources say what the program runs.)
    pub fn context_complete(&self) -> bool {
        let Some(dir) = &self.context_dir else { return false };
        self.context_copies.iter().flat_map(|c| &c.sources).all(|s| {
            s.contains(['*', '?', '$']) || dir.join(s.trim_start_matches("./").trim_start_matches('/')).exists()
        })
    }

    /// The programs the image runs (ENTRYPOINT/CMD, HEALTHCHECK, scripts, sources).
    pub fn invoked(&self) -> &crate::rewrite::needs::Invoked {
        self.invoked.get_or_init(|| crate::rewrite::needs::invoked::invoked(self))
    }

    /// A file of the build context, if the context is known and has it.
    pub fn context_file(&self, rel: &str) -> Option<String> {
        let dir = self.context_dir.as_ref()?;
        let p = dir.join(rel.trim_start_matches("./"));
        let meta = std::fs::metadata(&p).ok()?;
        if !meta.is_file() || meta.len() > 4 << 20 {
            return None;
        }
        crate::limits::read_text(&p, 4 << 20)
    }

    /// The first context file with one of these extensions that mentions one of the words (a
    /// bounded walk, dependency and VCS directories skipped): (file, word).
    pub fn context_mentions(&self, exts: &[&str], words: &[&str]) -> Option<(String, String)> {
        self.context_mentions_except(exts, words, &[])
    }

    /// [`Self::context_mentions`], files named in `skip` left out (e.g. `setup.py`, which only a
    /// build runs).
    pub fn context_mentions_except(&self, exts: &[&str], words: &[&str], skip: &[&str]) -> Option<(String, String)> {
        let dir = self.context_dir.as_ref()?;
        let mut stack = vec![dir.clone()];
        let mut budget = 20_000;
        while let Some(d) = stack.pop() {
            let Ok(rd) = std::fs::read_dir(&d) else { continue };
            for e in rd.flatten() {
                budget -= 1;
                if budget == 0 {
                    return None;
                }
                let name = e.file_name().to_string_lossy().into_owned();
                let Ok(ft) = e.file_type() else { continue };
                if ft.is_dir() {
                    if !name.starts_with('.')
                        && !matches!(name.as_str(), "node_modules" | "venv" | ".venv" | "__pycache__")
                    {
                        stack.push(e.path());
                    }
                } else if ft.is_file() && exts.iter().any(|x| name.ends_with(x)) && !skip.contains(&name.as_str()) {
                    if e.metadata().is_ok_and(|m| m.len() > 4 << 20) {
                        continue;
                    }
                    let Some(text) = crate::limits::read_text(&e.path(), 4 << 20) else { continue };
                    if let Some(w) = words.iter().find(|w| text.contains(**w)) {
                        let rel = e.path().strip_prefix(dir).map(|p| p.display().to_string()).unwrap_or(name);
                        return Some((rel, w.to_string()));
                    }
                }
            }
        }
        None
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
    pub fn packages(&self, manager: Manager) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for i in self.installs.iter().filter(|i| i.manager == manager) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(absolute("/app", "."), "/app");
        assert_eq!(absolute("/app", "src/../bin"), "/app/bin");
        assert_eq!(absolute("/", "app"), "/app");
        assert_eq!(absolute("/app", "/opt/x/"), "/opt/x");
    }
}
