//! ARG and ENV scoping as BuildKit applies it.
//!
//! - ARGs before the first FROM (meta args) and the predefined platform args (`TARGETPLATFORM`,
//!   `TARGETOS`, `TARGETARCH`, `TARGETVARIANT`, `BUILDPLATFORM`, ...) are visible in FROM lines only.
//! - Inside a stage an ARG must be declared to be visible; `ARG NAME` without a default takes the
//!   build-arg value, else the meta arg's or predefined value.
//! - ENV values are expanded when declared and stay visible for the rest of the stage and in stages
//!   built FROM it. ARGs do not cross stages.

use super::{Kind, Model, Stage};
use crate::dockerfile::lex::{EnvGetter, Lex, LexError};
use std::collections::BTreeMap;

/// The platform a build targets (and runs on).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Platform {
    pub os: String,
    pub arch: String,
    pub variant: String,
}

impl Platform {
    /// The machine imgslim runs on, in OCI names.
    pub fn host() -> Self {
        let arch = match std::env::consts::ARCH {
            "x86_64" => "amd64",
            "aarch64" => "arm64",
            "x86" => "386",
            "arm" => "arm",
            "powerpc64" => "ppc64le",
            "s390x" => "s390x",
            other => other,
        };
        Platform {
            os: "linux".into(),
            arch: arch.into(),
            variant: if arch == "arm" { "v7".into() } else { String::new() },
        }
    }

    /// Parse `os/arch[/variant]`.
    pub fn parse(s: &str) -> Option<Self> {
        let mut parts = s.split('/');
        let os = parts.next().filter(|p| !p.is_empty())?.to_string();
        let arch = parts.next().filter(|p| !p.is_empty())?.to_string();
        let variant = parts.next().unwrap_or_default().to_string();
        parts.next().is_none().then_some(Platform { os, arch, variant })
    }

    pub fn format(&self) -> String {
        if self.variant.is_empty() {
            format!("{}/{}", self.os, self.arch)
        } else {
            format!("{}/{}/{}", self.os, self.arch, self.variant)
        }
    }
}

/// A set of variables, sorted by name. A persistent map: the snapshot each instruction sees
/// shares its structure with the others, so thousands of ENVs cost thousands of entries, not
/// their square.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Vars {
    map: imbl::OrdMap<std::sync::Arc<str>, std::sync::Arc<str>>,
}

impl Vars {
    pub fn set(&mut self, k: &str, v: &str) {
        self.map.insert(k.into(), v.into());
    }
    pub fn get(&self, k: &str) -> Option<&str> {
        self.map.get(k).map(|v| &**v)
    }
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.map.keys().map(|k| &**k)
    }
    /// The bytes of all values (for the expansion limit).
    pub fn value_bytes(&self) -> usize {
        self.map.values().map(|v| v.len()).sum()
    }
}

impl EnvGetter for Vars {
    fn get_var(&self, name: &str) -> Option<String> {
        self.map.get(name).map(|v| v.to_string())
    }
}

/// A limit (`crate::limits`) the file's variables hit when expanded: nesting or size. Other
/// expansion errors are BuildKit's business at build time; these mean hostile input.
pub fn limit_hit(model: &Model, escape: char) -> Option<String> {
    let limited = |e: LexError| e.0.contains("(the limit").then_some(e.0);
    let scope = match Scope::new(model, escape, &BTreeMap::new(), &Platform::host()) {
        Ok(s) => s,
        Err(e) => return limited(e),
    };
    (0..model.stages.len()).find_map(|i| scope.stage_vars(model, i).err().and_then(limited))
}

/// Variables visible in each place of a Dockerfile.
#[derive(Debug, Clone)]
pub struct Scope {
    lex: Lex,
    build_args: BTreeMap<String, String>,
    /// Meta args and predefined platform args: what FROM lines see.
    pub global: Vars,
    /// The stage each stage is built FROM (None: an image).
    parents: Vec<Option<usize>>,
    /// The ENV each stage passes on, once computed.
    envs: Vec<std::sync::OnceLock<Vars>>,
}

const PREDEFINED: &[&str] = &[
    "BUILDPLATFORM",
    "BUILDOS",
    "BUILDOSVERSION",
    "BUILDARCH",
    "BUILDVARIANT",
    "TARGETPLATFORM",
    "TARGETOS",
    "TARGETOSVERSION",
    "TARGETARCH",
    "TARGETVARIANT",
    "TARGETSTAGE",
];

/// Proxy and other args usable in RUN without declaration.
pub const IMPLICIT_ARGS: &[&str] = &[
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "FTP_PROXY",
    "ftp_proxy",
    "NO_PROXY",
    "no_proxy",
    "ALL_PROXY",
    "all_proxy",
];

pub fn is_predefined(name: &str) -> bool {
    PREDEFINED.contains(&name)
}

impl Scope {
    pub fn new(
        model: &Model,
        escape: char,
        build_args: &BTreeMap<String, String>,
        platform: &Platform,
    ) -> Result<Self, LexError> {
        let lex = Lex::new(escape);
        let mut global = Vars::default();
        let p = platform.format();
        for (k, v) in [
            ("BUILDPLATFORM", p.as_str()),
            ("BUILDOS", &platform.os),
            ("BUILDOSVERSION", ""),
            ("BUILDARCH", &platform.arch),
            ("BUILDVARIANT", &platform.variant),
            ("TARGETPLATFORM", p.as_str()),
            ("TARGETOS", &platform.os),
            ("TARGETOSVERSION", ""),
            ("TARGETARCH", &platform.arch),
            ("TARGETVARIANT", &platform.variant),
            ("TARGETSTAGE", "default"),
        ] {
            global.set(k, build_args.get(k).map_or(v, String::as_str));
        }
        for cmd in &model.meta_args {
            let Kind::Arg { args } = &cmd.kind else {
                continue;
            };
            for a in args {
                let value = match (build_args.get(&a.key), &a.default) {
                    (Some(v), _) => Some(v.clone()),
                    (None, Some(d)) => Some(lex.process_word(d, &global)?),
                    (None, None) => None,
                };
                if let Some(v) = value {
                    global.set(&a.key, &v);
                }
            }
        }
        let mut scope = Scope { lex, build_args: build_args.clone(), global, parents: Vec::new(), envs: Vec::new() };
        // one pass over the stages (a lookup per FROM by name would make many stages quadratic)
        let mut names: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        for (i, st) in model.stages.iter().enumerate() {
            let parent = scope.base_image(st).ok().and_then(|b| {
                names.get(b.to_lowercase().as_str()).copied().or_else(|| b.parse::<usize>().ok().filter(|&k| k < i))
            });
            scope.parents.push(parent);
            if let Some(n) = &st.name {
                names.entry(n.as_str()).or_insert(i);
            }
        }
        scope.envs = model.stages.iter().map(|_| std::sync::OnceLock::new()).collect();
        Ok(scope)
    }

    pub fn lex(&self) -> &Lex {
        &self.lex
    }

    /// The base image of a stage with meta args expanded.
    pub fn base_image(&self, stage: &Stage) -> Result<String, LexError> {
        self.lex.process_word(&stage.base.text, &self.global)
    }

    /// Variables visible before each command of a stage (`result[i]` is what command `i` sees),
    /// plus what the stage leaves behind (last element).
    pub fn stage_vars(&self, model: &Model, stage: usize) -> Result<Vec<Vars>, LexError> {
        let mut vars = self.inherited(model, stage)?;
        let commands = &model.stages[stage].commands;
        let mut out = Vec::with_capacity(commands.len() + 1);
        let mut produced = 0usize;
        for cmd in commands {
            out.push(vars.clone());
            self.apply(&cmd.kind, &mut vars).map_err(|e| {
                // a limit names its place
                if e.0.contains("(the limit") {
                    LexError(format!("line {}: {}", cmd.line, e.0))
                } else {
                    e
                }
            })?;
            if matches!(cmd.kind, Kind::Env { .. } | Kind::Arg { .. }) {
                produced += match &cmd.kind {
                    Kind::Env { vars: kvs } => {
                        kvs.iter().map(|kv| vars.get(&kv.key).map_or(0, str::len)).sum::<usize>()
                    }
                    Kind::Arg { args } => args.iter().map(|a| vars.get(&a.key).map_or(0, str::len)).sum(),
                    _ => 0,
                };
                if produced > crate::limits::MAX_EXPANSION_FILE {
                    return Err(LexError(format!(
                        "line {}: the variables expand to more than {} (the limit for a file's variables)",
                        cmd.line,
                        crate::units::human_bytes(crate::limits::MAX_EXPANSION_FILE as u64)
                    )));
                }
            }
        }
        out.push(vars);
        Ok(out)
    }

    /// ENV of the stage this stage is built FROM (empty for an image).
    fn inherited(&self, model: &Model, stage: usize) -> Result<Vars, LexError> {
        match self.parents.get(stage).copied().flatten() {
            Some(parent) => self.stage_env(model, parent),
            None => Ok(Vars::default()),
        }
    }

    /// ENV a stage passes to stages built FROM it: the chain of parents walked back to one
    /// already known, then forward (no recursion, each stage computed once).
    fn stage_env(&self, model: &Model, stage: usize) -> Result<Vars, LexError> {
        let mut chain = Vec::new();
        let mut env = Vars::default();
        let mut cur = Some(stage);
        while let Some(s) = cur {
            if let Some(known) = self.envs.get(s).and_then(|e| e.get()) {
                env = known.clone();
                break;
            }
            chain.push(s);
            cur = self.parents.get(s).copied().flatten();
        }
        for &s in chain.iter().rev() {
            env = self.own_env(model, s, env)?;
            if let Some(slot) = self.envs.get(s) {
                let _ = slot.set(env.clone());
            }
        }
        Ok(env)
    }

    fn own_env(&self, model: &Model, stage: usize, mut env: Vars) -> Result<Vars, LexError> {
        let mut all = env.clone();
        for cmd in &model.stages[stage].commands {
            self.apply(&cmd.kind, &mut all)?;
            if let Kind::Env { vars } = &cmd.kind {
                for kv in vars {
                    env.set(&kv.key, all.get(&kv.key).unwrap_or_default());
                }
            }
        }
        Ok(env)
    }

    /// Update `vars` for an ARG or ENV instruction.
    fn apply(&self, kind: &Kind, vars: &mut Vars) -> Result<(), LexError> {
        match kind {
            Kind::Arg { args } => {
                for a in args {
                    let value = match (self.build_args.get(&a.key), &a.default) {
                        (Some(v), _) => Some(v.clone()),
                        (None, Some(d)) => Some(self.lex.process_word(d, vars)?),
                        (None, None) => self.global.get(&a.key).map(str::to_string),
                    };
                    if let Some(v) = value {
                        vars.set(&a.key, &v);
                    }
                }
            }
            Kind::Env { vars: kvs } => {
                for kv in kvs {
                    let v = self.lex.process_word(&kv.value, vars)?;
                    vars.set(&kv.key, &v);
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Expand a word with the given variables.
    pub fn expand(&self, word: &str, vars: &Vars) -> Result<String, LexError> {
        self.lex.process_word(word, vars)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dockerfile::{model::build, parse_str};

    fn scope(src: &str, args: &[(&str, &str)]) -> (Model, Scope) {
        let df = parse_str(src).unwrap();
        let m = build(&df).unwrap();
        let ba = args.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let p = Platform::parse("linux/arm64").unwrap();
        let s = Scope::new(&m, df.escape, &ba, &p).unwrap();
        (m, s)
    }

    #[test]
    fn meta_args_reach_from_only() {
        let (m, s) = scope("ARG V=3.11\nARG IMG=python:${V}\nFROM ${IMG}-slim\nARG V\nARG W\nENV P=/x:$V:$W\n", &[]);
        assert_eq!(s.base_image(&m.stages[0]).unwrap(), "python:3.11-slim");
        let vars = s.stage_vars(&m, 0).unwrap();
        assert_eq!(vars[0].get("V"), None, "meta args need re-declaration inside a stage");
        assert_eq!(vars[2].get("V"), Some("3.11"));
        assert_eq!(vars[3].get("P"), Some("/x:3.11:"));
    }

    #[test]
    fn build_args_and_platform() {
        let (m, s) =
            scope("ARG V=1\nFROM img:$V-$TARGETARCH\nARG TARGETARCH\nARG X=default\n", &[("V", "2"), ("X", "cli")]);
        assert_eq!(s.base_image(&m.stages[0]).unwrap(), "img:2-arm64");
        let vars = s.stage_vars(&m, 0).unwrap();
        assert_eq!((vars[2].get("TARGETARCH"), vars[2].get("X")), (Some("arm64"), Some("cli")));
    }

    #[test]
    fn env_is_inherited_by_child_stages_args_are_not() {
        let (m, s) = scope("FROM a AS base\nARG A=1\nENV E=2\nFROM base\nRUN x\n", &[]);
        let vars = s.stage_vars(&m, 1).unwrap();
        assert_eq!((vars[0].get("E"), vars[0].get("A")), (Some("2"), None));
    }
}
