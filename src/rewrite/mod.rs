//! `imgslim rewrite`: a single-stage Dockerfile into a builder stage, which keeps the original's
//! build (tools, headers, caches, sources), and a runtime stage on a slim or distroless base that
//! copies only what the program needs and keeps the image's contract (entrypoint, cmd, env,
//! workdir, user, ports, healthcheck, labels, volumes, stop signal).
//!
//! The builder is the original text with edits (so comments and formatting stay); the runtime
//! stage is written from the original's instructions sorted by role (`input::Role`). One planner
//! per ecosystem decides the runtime base, what to copy and what to add.

pub mod emit;
pub mod input;
pub mod needs;
pub mod planners;

use crate::dockerfile::model::Model;
use crate::dockerfile::Dockerfile;
pub use input::{Ecosystem, Original};
use serde::Serialize;
use std::path::Path;

/// Why the planner will not rewrite a file: said to the user, never guessed around.
#[derive(Debug, Clone, Serialize, thiserror::Error)]
#[error("{}{message}", line.map(|l| format!("line {l}: ")).unwrap_or_default())]
pub struct Refusal {
    pub line: Option<usize>,
    pub message: String,
    pub kind: RefusalKind,
}

/// Whether a refusal means a builder stage would not help, or that the planner cannot do it yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RefusalKind {
    /// A builder stage would not make the image smaller.
    NothingToGain,
    /// Not one program to run (a base image for other builds, a toolbox): a runtime stage
    /// cannot tell what to leave out.
    NotAProgram,
    /// The planner does not handle this file (yet).
    Unsupported,
}

impl Refusal {
    pub fn new(message: impl Into<String>) -> Refusal {
        Refusal { line: None, message: message.into(), kind: RefusalKind::Unsupported }
    }
    pub fn at(line: usize, message: impl Into<String>) -> Refusal {
        Refusal { line: Some(line), message: message.into(), kind: RefusalKind::Unsupported }
    }
    pub fn nothing_to_gain(message: impl Into<String>) -> Refusal {
        Refusal { line: None, message: message.into(), kind: RefusalKind::NothingToGain }
    }
    pub fn not_a_program(message: impl Into<String>) -> Refusal {
        Refusal { line: None, message: message.into(), kind: RefusalKind::NotAProgram }
    }
}

/// One change the rewrite makes, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    /// The original line it concerns, if one.
    pub line: Option<usize>,
    pub message: String,
}

/// A path the runtime stage copies from the builder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Artifact {
    pub from: String,
    pub to: String,
    pub chown: Option<String>,
    /// Why it is needed.
    pub why: String,
}

/// What a planner decides; the emitter turns it into text.
#[derive(Debug, Clone, Default)]
pub struct Blueprint {
    pub runtime_base: String,
    /// The runtime base has a shell (distroless and scratch do not).
    pub runtime_shell: bool,
    /// apt, apk or none: how the runtime stage installs packages.
    pub runtime_manager: Option<crate::dockerfile::tools::packages::Manager>,
    /// Packages the runtime stage installs (where its base lacks them), besides those the probe
    /// finds the program links.
    pub runtime_packages: Vec<String>,
    /// The builder step that reads what the runtime stage's files need, and the runtime steps
    /// that supply it (set after the planner ran, from the artifacts).
    pub probe: Option<needs::Probe>,
    /// No probe: the runtime stage gets a static binary and nothing else that could link.
    pub no_probe: bool,
    /// Programs the builder strips of symbols (`--no-strip` keeps them).
    pub strip: Vec<String>,
    /// Builder: edits of the original text (byte span, new text), e.g. flags added to a command.
    pub edits: Vec<(crate::dockerfile::Span, String)>,
    /// Builder: text inserted before / after an instruction (by index among the file's
    /// instructions), and appended at the builder's end.
    pub before: Vec<(usize, String)>,
    pub after: Vec<(usize, String)>,
    /// Builder: instructions removed (besides the ones that move to the runtime stage).
    pub removed: Vec<usize>,
    pub tail: Vec<String>,
    /// Runtime stage: ENV lines after the original's ENV, the copies, a USER added at the end,
    /// and instructions whose runtime text differs from the original (shell to exec form).
    pub env: Vec<String>,
    /// Runtime stage: steps of its own after the ENV lines (a static site's server config).
    pub setup: Vec<String>,
    /// Runtime stage: replayed instructions it leaves out (the file server nginx replaces).
    pub dropped: Vec<usize>,
    pub artifacts: Vec<Artifact>,
    pub user: Option<String>,
    /// The base image's WORKDIR, set again when the original relies on it.
    pub workdir: Option<String>,
    pub replaced: Vec<(usize, String)>,
    pub changes: Vec<Change>,
    /// Image config fields the rewrite changes on purpose (`User`, `Env`, `Cmd`, `Entrypoint`).
    pub intended: Vec<&'static str>,
    /// Estimated bytes saved.
    pub saving: Option<u64>,
}

impl Blueprint {
    pub fn change(&mut self, line: Option<usize>, message: impl Into<String>) {
        self.changes.push(Change { line, message: message.into() });
    }
    pub fn artifact(&mut self, from: &str, why: impl Into<String>) {
        if self.artifacts.iter().any(|a| a.from == from || from.starts_with(&format!("{}/", a.from))) {
            return;
        }
        self.artifacts.retain(|a| !a.from.starts_with(&format!("{from}/")));
        self.artifacts.push(Artifact { from: from.into(), to: from.into(), chown: None, why: why.into() });
    }
    /// Copy `from` in the builder to `to` in the runtime stage (a program moved onto the runtime
    /// base's PATH).
    pub fn artifact_to(&mut self, from: &str, to: &str, why: impl Into<String>) {
        self.artifacts.retain(|a| a.from != from);
        self.artifacts.push(Artifact { from: from.into(), to: to.into(), chown: None, why: why.into() });
    }
}

/// The result of planning a rewrite.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub ecosystem: Ecosystem,
    pub builder_base: String,
    pub runtime_base: String,
    pub artifacts: Vec<Artifact>,
    pub runtime_packages: Vec<String>,
    pub changes: Vec<Change>,
    pub intended: Vec<&'static str>,
    /// What the rewrite saves by estimate (filled in by `analyze::dockerfile::price`: the
    /// original's estimated image minus the rewrite's).
    pub estimated_saving_bytes: Option<u64>,
    /// The rewrite's estimated image.
    pub estimated_image_bytes: Option<u64>,
    /// The new Dockerfile.
    pub dockerfile: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub enum Outcome {
    Rewritten(Plan),
    /// Already multi-stage: left as it is.
    AlreadyMultiStage {
        reason: String,
    },
    Refused(Refusal),
}

/// Options a user gives.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Use this runtime base instead of the one rules/base-images.toml maps to.
    pub runtime_base: Option<String>,
    /// How a Java program gets its runtime.
    pub java_runtime: JavaRuntime,
    /// Packages the runtime stage keeps even when nothing seen runs them (`--keep-package`).
    pub keep_packages: Vec<String>,
    /// Ship binaries with their symbols and debug information (`--no-strip`).
    pub no_strip: bool,
}

/// The runtime stage of a Java rewrite.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum JavaRuntime {
    /// The JRE image that matches the JDK (eclipse-temurin:N-jre): every module, the safe choice.
    #[default]
    Jre,
    /// A runtime `jlink` builds in the builder from the modules `jdeps` finds in the jar, on
    /// debian:bookworm-slim: far smaller, but a module the jar only loads by reflection is missing.
    Jlink,
}

/// Plan the rewrite of a parsed Dockerfile. `context_dir` is the build context (for manifests
/// like requirements.txt or go.mod), when known.
pub fn plan(df: &Dockerfile, model: &Model, context_dir: Option<&Path>, options: &Options) -> Outcome {
    if let Some(reason) = already_multi_stage(model) {
        return Outcome::AlreadyMultiStage { reason };
    }
    if model.stages.len() > 1 {
        return Outcome::Refused(Refusal::new(
            "several stages, but the last one copies nothing from the others: not a build the planner understands (a Dockerfile of the final stage alone can be rewritten)",
        ));
    }
    if let Some(closed) = dangling_continuation_closed(df) {
        // the file ends inside a line continuation, where BuildKit ends the instruction; the
        // rewrite moves instructions, and that one would swallow the next (found by fuzzing)
        if let Ok(df) = crate::dockerfile::parse_str(&closed) {
            if let Ok(model) = crate::dockerfile::model::build(&df) {
                return plan(&df, &model, context_dir, options);
            }
        }
    }
    let settings = crate::lint::Settings { context_dir: context_dir.map(Path::to_path_buf), ..Default::default() };
    let original = match Original::new(df, model, &settings, context_dir) {
        Ok(o) => o,
        Err(r) => return Outcome::Refused(r),
    };
    match planners::plan(&original, options) {
        Ok((_, bp)) if bp.artifacts.iter().any(|a| a.chown.as_deref().is_some_and(|c| !one_word(c))) => {
            Outcome::Refused(Refusal::new(
                "the USER is not one user name (it has spaces or control characters): the copies cannot be owned by it; give USER one name or id",
            ))
        }
        Ok((_, bp))
            if bp.artifacts.iter().flat_map(|a| [&a.from, &a.to]).chain(&bp.runtime_packages).any(|p| p.chars().any(char::is_control)) =>
        {
            // a line break inside a path would end the instruction that copies or probes it
            // (found by fuzzing)
            Outcome::Refused(Refusal::new(
                "a path the build writes (or a package it installs) has a line break or another control character: it cannot be written into the rewritten Dockerfile; name it without one",
            ))
        }
        Ok((eco, mut bp)) => {
            let dockerfile = polish(emit::emit(&original, &bp), &mut bp);
            Outcome::Rewritten(Plan {
                ecosystem: eco,
                builder_base: original.base.clone(),
                runtime_base: bp.runtime_base.clone(),
                artifacts: bp.artifacts,
                runtime_packages: bp.runtime_packages,
                changes: bp.changes,
                intended: bp.intended,
                estimated_saving_bytes: None,
                estimated_image_bytes: None,
                dockerfile,
            })
        }
        Err(r) => Outcome::Refused(r),
    }
}

/// A word a flag value can be (`--chown=...`).
fn one_word(s: &str) -> bool {
    !s.is_empty() && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// The source with the escape characters that end it inside a line continuation (`RUN x \` as
/// the last line, or before only blank and comment lines) made spaces; None when it has none.
/// Linear: each step moves up the file (a line of only escapes becomes blank, and the one
/// above is looked at next).
fn dangling_continuation_closed(df: &Dockerfile) -> Option<String> {
    let escape = u8::try_from(df.escape).ok().filter(u8::is_ascii)?;
    let mut b = df.source.clone().into_bytes();
    let mut end = b.len();
    let mut changed = false;
    loop {
        let start = b[..end].iter().rposition(|&c| c == b'\n').map_or(0, |i| i + 1);
        let line = &b[start..end];
        // blank as BuildKit sees it (Go's unicode.IsSpace: a vertical tab or U+00A0 too; found
        // by fuzzing), and the lines are whole UTF-8 text (cut at '\n', escapes made spaces)
        let text = std::str::from_utf8(line).unwrap_or_default();
        let t = text.trim();
        if t.is_empty() || t.starts_with('#') {
            if start == 0 {
                break;
            }
            end = start - 1;
            continue;
        }
        let body = text.trim_end().len();
        let kept = line[..body].iter().rposition(|&c| c != escape).map_or(0, |i| i + 1);
        if kept == body {
            break;
        }
        b[start + kept..start + body].fill(b' ');
        changed = true;
        if kept == 0 {
            // the line was only escapes: now blank, look above
            if start == 0 {
                break;
            }
            end = start - 1;
        } else {
            break;
        }
    }
    changed.then(|| String::from_utf8(b).ok()).flatten()
}

/// Size rules whose safe fixes the runtime stage gets (for the RUNs it replays as written).
const POLISH: &[&str] = &["IS101", "IS102", "IS103", "IS104", "IS105", "IS106"];

/// Apply the lint's safe size fixes to the runtime stage until nothing changes: a replayed
/// `apt-get install` gets `--no-install-recommends` and the lists cleanup, and so on.
fn polish(text: String, bp: &mut Blueprint) -> String {
    let mut text = text;
    for _ in 0..5 {
        let Ok(df) = crate::dockerfile::parse_str(&text) else { break };
        let Ok(m) = crate::dockerfile::model::build(&df) else { break };
        let Some(last) = m.stages.last() else { break };
        let start = df.instructions().nth(last.instruction).map_or(usize::MAX, |i| i.span.start);
        let diags: Vec<crate::lint::Diagnostic> = crate::lint::lint(&df, &m, &Default::default())
            .diagnostics
            .into_iter()
            .filter(|d| POLISH.contains(&d.code) && d.span.start >= start && d.fix.is_some())
            .collect();
        if diags.is_empty() {
            break;
        }
        let (fixed, n) = crate::lint::fix::apply(&text, &diags, crate::lint::Applicability::Safe);
        if n == 0 || crate::dockerfile::parse_str(&fixed).is_err() {
            break;
        }
        for d in &diags {
            if let Some(f) = &d.fix {
                let msg = format!("runtime stage: {} ({})", f.title, d.code);
                if !bp.changes.iter().any(|c| c.message == msg) {
                    bp.change(None, msg);
                }
            }
        }
        text = fixed;
    }
    text
}

/// A multi-stage file whose last stage copies from an earlier one (or starts from one).
fn already_multi_stage(model: &Model) -> Option<String> {
    let last = model.stages.last()?;
    if model.stages.len() < 2 {
        return None;
    }
    let copies = last.commands.iter().any(|c| {
        c.kind.as_copy().and_then(|cp| cp.from.as_deref()).is_some_and(|f| model.stage_ref(f, last.index).is_some())
    });
    let from_stage = model.stage_ref(&last.base.text, last.index).is_some();
    (copies || from_stage).then(|| {
        format!(
            "already multi-stage: the final stage (line {}) {} an earlier stage",
            last.line,
            if copies { "copies from" } else { "starts from" }
        )
    })
}
