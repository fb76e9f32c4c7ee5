//! What every rule can see: the syntax tree, the model, each RUN parsed into shell commands once,
//! variables per stage, the build context's `.dockerignore`, and settings.

use super::{Diagnostic, RuleMeta};
use crate::analyze::catalog::glob_regex;
use crate::dockerfile::model::expand::{Platform, Scope, Vars};
use crate::dockerfile::model::{CmdLine, Command, Kind, Model};
use crate::dockerfile::shell::{parse_script, Script};
use crate::dockerfile::{Args, Dockerfile, Instruction, Span};
use std::path::PathBuf;

/// Settings that change what rules report.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Registries base images may come from (empty: any).
    pub trusted_registries: Vec<String>,
    /// Codes (or hadolint/BuildKit aliases, or rule names) not to report.
    pub ignore: Vec<String>,
    /// Severity overrides by code, alias or name.
    pub severity: Vec<(String, super::Severity)>,
    /// The build context (where `.dockerignore` and the sources are); usually the Dockerfile's
    /// directory.
    pub context_dir: Option<PathBuf>,
    /// Opt-in rules to run (code, name or alias; see `codes::OPT_IN`).
    pub enable: Vec<String>,
    /// Labels the final stage must set, with their kind (hadolint's `label-schema`).
    pub label_schema: Vec<(String, String)>,
    /// Labels outside the schema are findings too.
    pub strict_labels: bool,
    /// Inline `# imgslim ignore=` / `# hadolint ignore=` comments are not honoured.
    pub no_inline_ignores: bool,
}

/// Where a command sits.
pub struct At<'a> {
    pub stage: usize,
    /// Index among the stage's commands.
    pub index: usize,
    pub cmd: &'a Command,
    pub ins: &'a Instruction,
}

/// How a RUN's shell script maps back to the file.
enum ScriptOrigin {
    /// Offsets of the script are offsets of this logical-line position.
    Line { logical_start: usize, len: usize },
    /// The script is a heredoc body starting at this source offset.
    Heredoc { source_start: usize },
    /// Not editable in place (exec form).
    None,
}

struct RunScript {
    script: Script,
    /// The script's commands with wrappers (`sudo`, `env`) removed, computed once.
    effective: Vec<crate::dockerfile::shell::Command>,
    origin: ScriptOrigin,
}

/// `.dockerignore` patterns, last match wins, `!` re-includes.
#[derive(Debug, Clone)]
pub struct Dockerignore {
    patterns: Vec<(bool, regex::Regex, String)>,
}

impl Dockerignore {
    pub fn parse(text: &str) -> Dockerignore {
        let mut patterns = Vec::new();
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (neg, pat) = match line.strip_prefix('!') {
                Some(p) => (true, p.trim()),
                None => (false, line),
            };
            let pat = pat.trim_start_matches('/').trim_end_matches('/');
            let cleaned = crate::layer::tar::clean_path(pat).unwrap_or_else(|_| pat.to_string());
            let cleaned = if cleaned.is_empty() { ".".to_string() } else { cleaned };
            // a pattern matches the path or anything below it
            let re = glob_regex(&cleaned, true);
            let re = format!("{}(?:/.*)?$", re.trim_end_matches('$'));
            if let Ok(r) = regex::Regex::new(&re) {
                patterns.push((neg, r, line.to_string()));
            }
        }
        Dockerignore { patterns }
    }

    /// The patterns as written, one per line: equal keys exclude the same paths.
    pub fn key(&self) -> String {
        self.patterns.iter().map(|(_, _, line)| line.as_str()).collect::<Vec<_>>().join("\n")
    }

    /// Is this context-relative path excluded?
    pub fn ignores(&self, path: &str) -> bool {
        let path = crate::layer::tar::clean_path(path.trim_start_matches('/')).unwrap_or_else(|_| path.to_string());
        let mut ignored = false;
        for (neg, re, _) in &self.patterns {
            if re.is_match(&path) {
                ignored = !neg;
            }
        }
        ignored
    }

    pub fn patterns(&self) -> impl Iterator<Item = &str> {
        self.patterns.iter().map(|(_, _, p)| p.as_str())
    }
}

pub struct Context<'a> {
    pub df: &'a Dockerfile,
    pub model: &'a Model,
    pub instructions: Vec<&'a Instruction>,
    pub settings: &'a Settings,
    /// Variable scope (None when a meta ARG default does not expand).
    pub scope: Option<Scope>,
    /// Per stage: variables visible before each command (and after the last).
    pub vars: Vec<Vec<Vars>>,
    pub dockerignore: Option<Dockerignore>,
    /// Per stage: is each command's shell a POSIX shell?
    posix: Vec<Vec<bool>>,
    scripts: Vec<Option<RunScript>>,
    /// Per stage: its base image with meta ARGs expanded.
    bases: Vec<String>,
    /// Per stage: the final image or one it is built FROM.
    final_chain: Vec<bool>,
    /// Per stage: a `COPY --from` names it.
    copied_from: Vec<bool>,
    /// Per text: in each stage, the first command whose RUN script contains it (see
    /// [`Context::mentioned_before`]).
    mentions: std::sync::Mutex<std::collections::HashMap<&'static str, Vec<Option<usize>>>>,
}

fn posix_shell(shell: &[String]) -> bool {
    let first = shell.first().map_or("", |s| s.rsplit('/').next().unwrap_or(s));
    matches!(first, "sh" | "bash" | "ash" | "dash" | "zsh" | "ksh" | "busybox")
}

impl<'a> Context<'a> {
    pub fn new(df: &'a Dockerfile, model: &'a Model, settings: &'a Settings) -> Self {
        let instructions: Vec<&Instruction> = df.instructions().collect();
        let scope = Scope::new(model, df.escape, &Default::default(), &Platform::host()).ok();
        let vars = (0..model.stages.len())
            .map(|s| scope.as_ref().and_then(|sc| sc.stage_vars(model, s).ok()).unwrap_or_default())
            .collect();
        let mut posix = Vec::new();
        for st in &model.stages {
            let mut shell_posix = true;
            let mut v = Vec::new();
            for c in &st.commands {
                if let Kind::Shell { shell } = &c.kind {
                    shell_posix = posix_shell(shell);
                }
                v.push(shell_posix);
            }
            posix.push(v);
        }
        let mut scripts: Vec<Option<RunScript>> = (0..instructions.len()).map(|_| None).collect();
        for (si, st) in model.stages.iter().enumerate() {
            for (ci, c) in st.commands.iter().enumerate() {
                if let Kind::Run(run) = &c.kind {
                    if posix[si][ci] {
                        scripts[c.instruction] = run_script(instructions[c.instruction], &run.cmd);
                    }
                }
            }
        }
        let dockerignore = settings
            .context_dir
            .as_ref()
            .and_then(|d| crate::limits::read_text(&d.join(".dockerignore"), crate::limits::MAX_DOCKERFILE_BYTES))
            .map(|t| Dockerignore::parse(&t));
        let bases: Vec<String> = model
            .stages
            .iter()
            .map(|st| scope.as_ref().and_then(|s| s.base_image(st).ok()).unwrap_or_else(|| st.base.text.clone()))
            .collect();
        let mut final_chain = vec![false; model.stages.len()];
        let mut cur = model.stages.len().checked_sub(1);
        while let Some(c) = cur {
            final_chain[c] = true;
            cur = model.stage_ref(&bases[c], c).filter(|&p| p < c);
        }
        let mut copied_from = vec![false; model.stages.len()];
        for (si, st) in model.stages.iter().enumerate() {
            for c in &st.commands {
                if let Some(from) = c.kind.as_copy().and_then(|cp| cp.from.as_deref()) {
                    if let Some(k) = model.stage_ref(from, si) {
                        copied_from[k] = true;
                    }
                }
            }
        }
        Context {
            df,
            model,
            instructions,
            settings,
            scope,
            vars,
            dockerignore,
            posix,
            scripts,
            bases,
            final_chain,
            copied_from,
            mentions: Default::default(),
        }
    }

    /// Does a RUN script before command `index` of `stage` contain `text`? (One scan of the
    /// file per text, however many commands ask.)
    pub fn mentioned_before(&self, stage: usize, index: usize, text: &'static str) -> bool {
        let mut mentions = self.mentions.lock().unwrap_or_else(|e| e.into_inner());
        let first = mentions.entry(text).or_insert_with(|| {
            self.model
                .stages
                .iter()
                .map(|st| {
                    st.commands.iter().position(|c| {
                        matches!(c.kind, Kind::Run(_))
                            && self.script(c.instruction).is_some_and(|s| s.text.contains(text))
                    })
                })
                .collect()
        });
        first.get(stage).copied().flatten().is_some_and(|i| i < index)
    }

    /// The RUN's shell commands (None for non-RUN instructions and non-POSIX shells).
    pub fn script(&self, instruction: usize) -> Option<&Script> {
        self.scripts.get(instruction)?.as_ref().map(|s| &s.script)
    }

    /// The RUN's commands with wrappers (`sudo`, `env`) removed; empty for other instructions.
    pub fn commands(&self, instruction: usize) -> &[crate::dockerfile::shell::Command] {
        self.scripts.get(instruction).and_then(|s| s.as_ref()).map_or(&[], |s| &s.effective)
    }

    /// The source offset of a script offset, when the script can be edited in place.
    pub fn script_source(&self, instruction: usize, offset: usize) -> Option<usize> {
        let rs = self.scripts.get(instruction)?.as_ref()?;
        match rs.origin {
            ScriptOrigin::Line { logical_start, len } if offset <= len => {
                Some(self.instructions[instruction].source_offset(logical_start + offset))
            }
            ScriptOrigin::Heredoc { source_start } => Some(source_start + offset),
            _ => None,
        }
    }

    /// A source span for a script range.
    pub fn script_span(&self, instruction: usize, start: usize, end: usize) -> Option<Span> {
        let s = self.script_source(instruction, start)?;
        let e = if end > start { self.script_source(instruction, end - 1)? + 1 } else { s };
        Some(Span::new(s, e))
    }

    pub fn is_posix(&self, stage: usize, index: usize) -> bool {
        self.posix.get(stage).and_then(|v| v.get(index)).copied().unwrap_or(true)
    }

    /// The stage `docker build` produces by default.
    pub fn final_stage(&self) -> usize {
        self.model.stages.len().saturating_sub(1)
    }

    pub fn is_final(&self, stage: usize) -> bool {
        stage == self.final_stage()
    }

    /// Is this stage the final image or one it is built FROM?
    pub fn in_final_image(&self, stage: usize) -> bool {
        self.final_chain.get(stage).copied().unwrap_or(false)
    }

    /// A word of command `index` of `stage` expanded as BuildKit would (variables, quotes);
    /// None when it does not expand.
    pub fn expand(&self, stage: usize, index: usize, word: &str) -> Option<String> {
        let vars = self.vars.get(stage)?.get(index)?;
        self.scope.as_ref()?.expand(word, vars).ok()
    }

    /// A stage's base image with meta ARGs expanded (as written if they do not expand).
    pub fn base_image(&self, stage: usize) -> String {
        self.bases[stage].clone()
    }

    /// Stages whose files reach the final image through `COPY --from` or FROM.
    pub fn stage_is_used(&self, stage: usize) -> bool {
        self.in_final_image(stage) || self.copied_from.get(stage).copied().unwrap_or(false)
    }

    /// The span of an instruction's keyword.
    pub fn keyword_span(&self, instruction: usize) -> Span {
        self.instructions[instruction].node.keyword.span
    }

    /// The span of an instruction's first line.
    pub fn first_line_span(&self, instruction: usize) -> Span {
        let ins = self.instructions[instruction];
        let text = self.df.text(ins.span);
        let end = text.find('\n').map_or(ins.span.end, |i| ins.span.start + i);
        Span::new(ins.span.start, end)
    }
}

impl RunScript {
    fn new(script: Script, origin: ScriptOrigin) -> Self {
        let effective = script.effective().collect();
        RunScript { script, effective, origin }
    }
}

fn run_script(ins: &Instruction, cmd: &CmdLine) -> Option<RunScript> {
    let node = ins.effective_node();
    match cmd {
        CmdLine::Exec(argv) => {
            // RUN ["sh", "-c", "script"]
            let sh = argv.first().map(|a| a.rsplit('/').next().unwrap_or(a));
            if matches!(sh, Some("sh" | "bash" | "ash" | "dash")) && argv.get(1).map(String::as_str) == Some("-c") {
                return argv.get(2).map(|s| RunScript::new(parse_script(s), ScriptOrigin::None));
            }
            let text = argv.iter().map(|a| crate::dockerfile::text::go_quote(a)).collect::<Vec<_>>().join(" ");
            Some(RunScript::new(parse_script(&text), ScriptOrigin::None))
        }
        CmdLine::Shell(text) => {
            let value = match &node.args {
                Args::Values { values } => values.first(),
                _ => None,
            };
            let logical_start = value.and_then(|v| ins.logical_offset(v.span.start)).unwrap_or(0);
            let words: Vec<&str> = text.split_whitespace().collect();
            let only_markers = !ins.heredocs.is_empty()
                && words.iter().all(|w| crate::dockerfile::heredoc::parse_marker(w).ok().flatten().is_some());
            if only_markers {
                // RUN <<EOF: the heredoc is the script
                let h = &ins.heredocs[0];
                let body = if h.chomp { crate::dockerfile::heredoc::chomp(&h.content) } else { h.content.clone() };
                let origin =
                    if h.chomp { ScriptOrigin::None } else { ScriptOrigin::Heredoc { source_start: h.body.start } };
                return Some(RunScript::new(parse_script(&body), origin));
            }
            if !ins.heredocs.is_empty() {
                // heredocs feed commands of the line: give the shell their bodies
                let mut full = text.clone();
                for h in &ins.heredocs {
                    full.push('\n');
                    full.push_str(&h.content);
                    full.push_str(&h.name);
                }
                full.push('\n');
                let mut script = parse_script(&full);
                script.text.truncate(text.len());
                for c in &mut script.commands {
                    c.end = c.end.min(text.len());
                    c.start = c.start.min(c.end);
                }
                return Some(RunScript::new(script, ScriptOrigin::Line { logical_start, len: text.len() }));
            }
            Some(RunScript::new(parse_script(text), ScriptOrigin::Line { logical_start, len: text.len() }))
        }
    }
}

/// A diagnostic of a rule (the code is filled in from the code table).
pub fn diagnostic(meta: &'static RuleMeta, span: Span, message: impl Into<String>) -> Diagnostic {
    Diagnostic {
        code: "",
        name: meta.name,
        severity: meta.severity,
        category: meta.category,
        message: message.into(),
        span,
        estimated_bytes: None,
        estimate: None,
        measured_bytes: None,
        fix: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dockerignore_semantics() {
        let d = Dockerignore::parse("# comment\n.git\nnode_modules/\n**/*.log\n!keep.log\n/build\n");
        assert!(d.ignores(".git/HEAD") && d.ignores("node_modules/a/b.js") && d.ignores("a/b/c.log"));
        assert!(!d.ignores("keep.log") && d.ignores("build/out") && !d.ignores("src/build.rs"));
        assert!(!d.ignores("src/main.rs"));
    }
}
