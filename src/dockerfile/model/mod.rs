//! The typed model: stages and instructions with typed fields, built from the syntax tree with
//! BuildKit's instruction rules (argument counts, flags per instruction, `--mount` syntax, stage
//! names). Every command keeps the index of its instruction, so analyses can point back at spans.

pub mod expand;
pub mod flags;
pub mod mount;

use super::error::ParseError;
use super::heredoc;
use super::syntax::{Args, Dockerfile, Instruction, Node, Token};
use flags::{Flags, Kind as F};
pub use mount::{Mount, MountType};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Model {
    /// ARGs before the first FROM (usable in FROM lines).
    pub meta_args: Vec<Command>,
    pub stages: Vec<Stage>,
    /// Stage names to the first stage of that name, built on first use (see [`Model::stage_ref`]).
    #[serde(skip)]
    names: NameIndex,
}

/// A lookup table derived from `stages`; equal whenever the stages are.
#[derive(Debug, Clone, Default)]
struct NameIndex(std::sync::OnceLock<std::collections::HashMap<String, usize>>);

impl PartialEq for NameIndex {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}
impl Eq for NameIndex {}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stage {
    pub index: usize,
    /// The stage name, lower-cased as BuildKit stores it.
    pub name: Option<String>,
    /// The name as written.
    pub name_token: Option<Token>,
    /// The `AS` keyword as written.
    pub as_token: Option<Token>,
    /// The base image (or earlier stage) as written, before ARG expansion.
    pub base: Token,
    pub platform: Option<String>,
    /// Index of the FROM instruction among the file's instructions.
    pub instruction: usize,
    pub line: usize,
    pub commands: Vec<Command>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Command {
    /// Index of the instruction among the file's instructions.
    pub instruction: usize,
    pub line: usize,
    pub kind: Kind,
}

/// Shell form (run by the stage's SHELL) or exec form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "form", content = "args", rename_all = "snake_case")]
pub enum CmdLine {
    Shell(String),
    Exec(Vec<String>),
}

impl CmdLine {
    /// The command as one line of text (exec arguments joined by spaces).
    pub fn text(&self) -> String {
        match self {
            CmdLine::Shell(s) => s.clone(),
            CmdLine::Exec(v) => v.join(" "),
        }
    }
    pub fn is_exec(&self) -> bool {
        matches!(self, CmdLine::Exec(_))
    }
}

/// A heredoc attached to RUN (a script) or to COPY/ADD (an inline file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InlineFile {
    pub name: String,
    /// Body with `<<-` tabs already removed.
    pub data: String,
    pub expand: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Run {
    pub cmd: CmdLine,
    pub files: Vec<InlineFile>,
    pub mounts: Vec<Mount>,
    pub network: String,
    pub security: String,
    pub devices: Vec<String>,
    pub flags: Flags,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Copy {
    /// `ADD` or `COPY`.
    pub add: bool,
    pub sources: Vec<String>,
    pub dest: String,
    pub inline: Vec<InlineFile>,
    pub from: Option<String>,
    pub chown: Option<String>,
    pub chmod: Option<String>,
    pub link: bool,
    pub parents: bool,
    pub excludes: Vec<String>,
    /// ADD only.
    pub checksum: Option<String>,
    pub keep_git_dir: Option<bool>,
    pub unpack: Option<bool>,
    pub flags: Flags,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyValue {
    pub key: String,
    pub value: String,
    /// Written in the legacy `KEY value` form.
    pub legacy: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArgDef {
    pub key: String,
    pub default: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Healthcheck {
    None,
    Cmd {
        /// `["CMD", ...]` (exec) or `["CMD-SHELL", "..."]`.
        test: Vec<String>,
        interval: Option<String>,
        timeout: Option<String>,
        start_period: Option<String>,
        start_interval: Option<String>,
        retries: Option<i64>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "instruction", rename_all = "snake_case")]
pub enum Kind {
    Run(Run),
    Cmd { cmd: CmdLine },
    Entrypoint { cmd: CmdLine },
    Copy(Copy),
    Env { vars: Vec<KeyValue> },
    Label { labels: Vec<KeyValue> },
    Arg { args: Vec<ArgDef> },
    Expose { ports: Vec<String> },
    Volume { paths: Vec<String> },
    User { user: String },
    Workdir { path: String },
    Onbuild { expression: String, trigger: Option<Box<Kind>> },
    Healthcheck(Healthcheck),
    Shell { shell: Vec<String> },
    Stopsignal { signal: String },
    Maintainer { maintainer: String },
}

impl Kind {
    pub fn as_run(&self) -> Option<&Run> {
        match self {
            Kind::Run(r) => Some(r),
            _ => None,
        }
    }
    pub fn as_copy(&self) -> Option<&Copy> {
        match self {
            Kind::Copy(c) => Some(c),
            _ => None,
        }
    }
}

impl Model {
    /// The stage a `--from` value or a FROM base refers to, looking only at stages before `before`:
    /// by name (case-insensitive) or by index. None means an image.
    pub fn stage_ref(&self, reference: &str, before: usize) -> Option<usize> {
        if let Some(&i) = self.name_index().get(reference.to_lowercase().as_str()).filter(|&&i| i < before) {
            return Some(i);
        }
        reference.parse::<usize>().ok().filter(|&i| i < before)
    }

    /// The last stage (what `docker build` produces without `--target`).
    pub fn final_stage(&self) -> Option<&Stage> {
        self.stages.last()
    }

    pub fn stage_by_name(&self, name: &str) -> Option<&Stage> {
        self.name_index().get(name.to_lowercase().as_str()).map(|&i| &self.stages[i])
    }

    fn name_index(&self) -> &std::collections::HashMap<String, usize> {
        self.names.0.get_or_init(|| {
            let mut m = std::collections::HashMap::new();
            for s in &self.stages {
                if let Some(n) = &s.name {
                    m.entry(n.clone()).or_insert(s.index);
                }
            }
            m
        })
    }
}

type Req<'a> = (&'a Instruction, &'a Node);

fn err_at(ins: &Instruction, msg: impl Into<String>) -> ParseError {
    ParseError::new(ins.start_line, 1, msg).ending(ins.end_line)
}

fn args_of(node: &Node) -> Vec<String> {
    match &node.args {
        Args::Pairs { pairs, .. } => pairs.iter().flat_map(|p| [p.key.text.clone(), p.value.text.clone()]).collect(),
        Args::Sub { node } => std::iter::once(node.keyword.text.clone()).chain(args_of(node)).collect(),
        _ => node.value_strings(),
    }
}

fn cmdline(node: &Node, args: &[String]) -> CmdLine {
    if node.json {
        CmdLine::Exec(args.to_vec())
    } else {
        CmdLine::Shell(args.join(" "))
    }
}

fn inline_files(ins: &Instruction) -> Vec<InlineFile> {
    ins.heredocs
        .iter()
        .map(|h| InlineFile {
            name: h.name.clone(),
            data: if h.chomp { heredoc::chomp(&h.content) } else { h.content.clone() },
            expand: h.expand,
        })
        .collect()
}

const RUN_FLAGS: &[flags::Spec] = &[("mount", F::List), ("network", F::Str), ("security", F::Str), ("device", F::List)];
const COPY_FLAGS: &[flags::Spec] = &[
    ("chown", F::Str),
    ("from", F::Str),
    ("chmod", F::Str),
    ("link", F::Bool),
    ("exclude", F::List),
    ("parents", F::Bool),
];
const ADD_FLAGS: &[flags::Spec] = &[
    ("chown", F::Str),
    ("chmod", F::Str),
    ("link", F::Bool),
    ("keep-git-dir", F::Bool),
    ("checksum", F::Str),
    ("unpack", F::Bool),
    ("exclude", F::List),
];
const HEALTH_FLAGS: &[flags::Spec] = &[
    ("interval", F::Str),
    ("timeout", F::Str),
    ("start-period", F::Str),
    ("start-interval", F::Str),
    ("retries", F::Str),
];

fn no_flags(ins: &Instruction, node: &Node) -> Result<(), ParseError> {
    flags::parse(&node.flags, &[]).map(|_| ()).map_err(|e| err_at(ins, e))
}

fn exactly_one(ins: &Instruction, node: &Node, args: &[String], name: &str) -> Result<String, ParseError> {
    if args.len() != 1 {
        return Err(err_at(ins, format!("{name} requires exactly one argument")));
    }
    no_flags(ins, node)?;
    Ok(args[0].clone())
}

fn kvps(ins: &Instruction, node: &Node, name: &str) -> Result<Vec<KeyValue>, ParseError> {
    no_flags(ins, node)?;
    let Args::Pairs { pairs, legacy } = &node.args else {
        return Err(err_at(ins, format!("{name} requires at least one argument")));
    };
    pairs
        .iter()
        .map(|p| {
            if p.key.text.is_empty() {
                return Err(err_at(ins, format!("{name} names can not be blank")));
            }
            Ok(KeyValue { key: p.key.text.clone(), value: p.value.text.clone(), legacy: *legacy })
        })
        .collect()
}

fn copy_like(ins: &Instruction, node: &Node, args: &[String], add: bool) -> Result<Copy, ParseError> {
    let name = if add { "ADD" } else { "COPY" };
    if args.len() < 2 {
        return Err(err_at(
            ins,
            format!("{name} requires at least two arguments, but only one was provided. Destination could not be determined"),
        ));
    }
    let f = flags::parse(&node.flags, if add { ADD_FLAGS } else { COPY_FLAGS }).map_err(|e| err_at(ins, e))?;
    let dest = args[args.len() - 1].clone();
    if heredoc::parse_marker(&dest).ok().flatten().is_some() {
        return Err(err_at(ins, format!("{name} cannot accept a heredoc as a destination")));
    }
    let files = inline_files(ins);
    let mut sources = Vec::new();
    let mut inline = Vec::new();
    for src in &args[..args.len() - 1] {
        match heredoc::parse_marker(src).ok().flatten() {
            Some(m) => {
                let data = files.iter().find(|f| f.name == m.name).map(|f| f.data.clone()).unwrap_or_default();
                inline.push(InlineFile { name: m.name, data, expand: m.expand });
            }
            None => sources.push(src.clone()),
        }
    }
    let opt = |k: &str| f.get(k).filter(|v| !v.is_empty()).map(str::to_string);
    let opt_bool = |k: &str| f.is_used(k).then(|| f.is_true(k));
    Ok(Copy {
        add,
        sources,
        dest,
        inline,
        from: if add { None } else { opt("from") },
        chown: opt("chown"),
        chmod: opt("chmod"),
        link: f.is_true("link"),
        parents: f.is_true("parents"),
        excludes: f.list("exclude").to_vec(),
        checksum: opt("checksum"),
        keep_git_dir: opt_bool("keep-git-dir"),
        unpack: opt_bool("unpack"),
        flags: f,
    })
}

fn healthcheck(ins: &Instruction, node: &Node, args: &[String]) -> Result<Healthcheck, ParseError> {
    let Some(first) = args.first() else {
        return Err(err_at(ins, "HEALTHCHECK requires at least one argument"));
    };
    let typ = first.to_uppercase();
    let rest = &args[1..];
    if typ == "NONE" {
        if !rest.is_empty() {
            return Err(err_at(ins, "HEALTHCHECK NONE takes no arguments"));
        }
        return Ok(Healthcheck::None);
    }
    let f = flags::parse(&node.flags, HEALTH_FLAGS).map_err(|e| err_at(ins, e))?;
    if typ != "CMD" {
        return Err(err_at(ins, format!("Unknown type \"{typ}\" in HEALTHCHECK (try CMD)")));
    }
    let cmd: Vec<String> = if node.json { rest.to_vec() } else { vec![rest.join(" ")] };
    if cmd.is_empty() || (!node.json && cmd[0].is_empty()) {
        return Err(err_at(ins, "Missing command after HEALTHCHECK CMD"));
    }
    let test = std::iter::once(if node.json { "CMD" } else { "CMD-SHELL" }.to_string()).chain(cmd).collect();
    let dur = |k: &str| -> Result<Option<String>, ParseError> {
        match f.get(k).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) => match parse_go_duration(v) {
                Some(0) => Ok(None),
                Some(ns) if ns < 1_000_000 => Err(err_at(ins, format!("Interval \"{k}\" cannot be less than 1ms"))),
                Some(_) => Ok(Some(v.to_string())),
                None => Err(err_at(ins, format!("time: invalid duration \"{v}\""))),
            },
        }
    };
    let retries = match f.get("retries").filter(|v| !v.is_empty()) {
        None => None,
        Some(v) => {
            let n: i64 = v
                .parse()
                .ok()
                .filter(|n: &i64| i32::try_from(*n).is_ok())
                .ok_or_else(|| err_at(ins, format!("strconv.ParseInt: parsing \"{v}\": invalid syntax")))?;
            if n < 0 {
                return Err(err_at(ins, format!("--retries cannot be negative ({n})")));
            }
            Some(n)
        }
    };
    Ok(Healthcheck::Cmd {
        test,
        interval: dur("interval")?,
        timeout: dur("timeout")?,
        start_period: dur("start-period")?,
        start_interval: dur("start-interval")?,
        retries,
    })
}

/// Go's `time.ParseDuration`, in nanoseconds (sign, decimal numbers with units ns us µs ms s m h).
pub fn parse_go_duration(s: &str) -> Option<i128> {
    let (neg, mut rest) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    if rest == "0" {
        return Some(0);
    }
    if rest.is_empty() {
        return None;
    }
    let mut total: f64 = 0.0;
    while !rest.is_empty() {
        let num_len = rest.bytes().take_while(|b| b.is_ascii_digit() || *b == b'.').count();
        if num_len == 0 {
            return None;
        }
        let num: f64 = rest[..num_len].parse().ok()?;
        rest = &rest[num_len..];
        let unit_len = rest.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(rest.len());
        let mult: f64 = match &rest[..unit_len] {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return None,
        };
        rest = &rest[unit_len..];
        total += num * mult;
    }
    Some(if neg { -(total as i128) } else { total as i128 })
}

fn kind(req: Req, depth: usize) -> Result<Kind, ParseError> {
    let (ins, node) = req;
    let args = args_of(node);
    let name = node.name();
    Ok(match name.as_str() {
        "env" => Kind::Env { vars: kvps(ins, node, "ENV")? },
        "label" => Kind::Label { labels: kvps(ins, node, "LABEL")? },
        "maintainer" => Kind::Maintainer { maintainer: exactly_one(ins, node, &args, "MAINTAINER")? },
        "add" => Kind::Copy(copy_like(ins, node, &args, true)?),
        "copy" => Kind::Copy(copy_like(ins, node, &args, false)?),
        "onbuild" => {
            if args.is_empty() {
                return Err(err_at(ins, "ONBUILD requires at least one argument"));
            }
            no_flags(ins, node)?;
            let trigger = args[0].trim().to_uppercase();
            match trigger.as_str() {
                "ONBUILD" => return Err(err_at(ins, "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed")),
                "MAINTAINER" | "FROM" => {
                    return Err(err_at(ins, format!("{trigger} isn't allowed as an ONBUILD trigger")))
                }
                _ => {}
            }
            let inner = match &node.args {
                Args::Sub { node } if depth == 0 => kind((ins, node), depth + 1).ok().map(Box::new),
                _ => None,
            };
            let kw_end = ins.original.to_ascii_lowercase().find("onbuild").map_or(0, |i| i + "onbuild".len());
            Kind::Onbuild { expression: ins.original[kw_end..].trim_start().to_string(), trigger: inner }
        }
        "workdir" => Kind::Workdir { path: exactly_one(ins, node, &args, "WORKDIR")? },
        "run" => {
            let f = flags::parse(&node.flags, RUN_FLAGS).map_err(|e| err_at(ins, e))?;
            let network = f.get("network").unwrap_or("default").to_string();
            if !matches!(network.as_str(), "default" | "none" | "host") && !network.contains('$') {
                return Err(err_at(ins, format!("invalid network mode \"{network}\"")));
            }
            let security = f.get("security").unwrap_or("sandbox").to_string();
            if !matches!(security.as_str(), "sandbox" | "insecure") && !security.contains('$') {
                return Err(err_at(ins, format!("security \"{security}\" is not valid")));
            }
            let mounts = f
                .list("mount")
                .iter()
                .map(|m| mount::parse_mount(m))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| err_at(ins, e))?;
            Kind::Run(Run {
                cmd: cmdline(node, &args),
                files: if depth == 0 { inline_files(ins) } else { Vec::new() },
                mounts,
                network,
                security,
                devices: f.list("device").to_vec(),
                flags: f,
            })
        }
        "cmd" => {
            no_flags(ins, node)?;
            Kind::Cmd { cmd: cmdline(node, &args) }
        }
        "entrypoint" => {
            no_flags(ins, node)?;
            Kind::Entrypoint { cmd: cmdline(node, &args) }
        }
        "healthcheck" => Kind::Healthcheck(healthcheck(ins, node, &args)?),
        "expose" => {
            if args.is_empty() {
                return Err(err_at(ins, "EXPOSE requires at least one argument"));
            }
            no_flags(ins, node)?;
            Kind::Expose { ports: args }
        }
        "user" => Kind::User { user: exactly_one(ins, node, &args, "USER")? },
        "volume" => {
            if args.is_empty() {
                return Err(err_at(ins, "VOLUME requires at least one argument"));
            }
            no_flags(ins, node)?;
            let mut paths = Vec::new();
            for v in &args {
                let v = v.trim();
                if v.is_empty() {
                    return Err(err_at(ins, "VOLUME specified can not be an empty string"));
                }
                paths.push(v.to_string());
            }
            Kind::Volume { paths }
        }
        "stopsignal" => Kind::Stopsignal { signal: exactly_one(ins, node, &args, "STOPSIGNAL")? },
        "arg" => {
            if args.is_empty() {
                return Err(err_at(ins, "ARG requires at least one argument"));
            }
            let mut defs = Vec::new();
            for a in &args {
                match a.split_once('=') {
                    Some(("", _)) => return Err(err_at(ins, "ARG names can not be blank")),
                    Some((k, v)) => defs.push(ArgDef { key: k.to_string(), default: Some(v.to_string()) }),
                    None => defs.push(ArgDef { key: a.clone(), default: None }),
                }
            }
            Kind::Arg { args: defs }
        }
        "shell" => {
            no_flags(ins, node)?;
            if args.is_empty() {
                return Err(err_at(ins, "SHELL requires at least one argument"));
            }
            if !node.json {
                return Err(err_at(ins, "SHELL requires the arguments to be in JSON form"));
            }
            Kind::Shell { shell: args }
        }
        _ => {
            let mut msg = format!("unknown instruction: {}", node.keyword.text);
            if let Some(s) = flags::suggest(&name, KEYWORDS.iter().copied()) {
                let kw = &node.keyword.text;
                let s = if *kw == kw.to_uppercase() { s.to_uppercase() } else { s.to_string() };
                msg.push_str(&format!(" (did you mean {s}?)"));
            }
            return Err(err_at(ins, msg));
        }
    })
}

/// Every instruction keyword, lower-cased.
pub const KEYWORDS: &[&str] = &[
    "add",
    "arg",
    "cmd",
    "copy",
    "entrypoint",
    "env",
    "expose",
    "from",
    "healthcheck",
    "label",
    "maintainer",
    "onbuild",
    "run",
    "shell",
    "stopsignal",
    "user",
    "volume",
    "workdir",
];

fn stage_name_ok(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.'))
}

fn stage(ins: &Instruction, index: usize, instruction: usize) -> Result<Stage, ParseError> {
    let node = &ins.node;
    let values = node.values();
    let (name, name_token, as_token) = match values.len() {
        3 if values[1].text.eq_ignore_ascii_case("as") => {
            let lower = values[2].text.to_lowercase();
            if !stage_name_ok(&lower) {
                return Err(err_at(
                    ins,
                    format!(
                        "invalid name for build stage: {}, name can't start with a number or contain symbols",
                        super::text::go_quote(&values[2].text)
                    ),
                ));
            }
            (Some(lower), Some(values[2].clone()), Some(values[1].clone()))
        }
        1 => (None, None, None),
        _ => return Err(err_at(ins, "FROM requires either one or three arguments")),
    };
    let f = flags::parse(&node.flags, &[("platform", F::Str)]).map_err(|e| err_at(ins, e))?;
    Ok(Stage {
        index,
        name,
        name_token,
        as_token,
        base: values[0].clone(),
        platform: f.get("platform").filter(|p| !p.is_empty()).map(str::to_string),
        instruction,
        line: ins.start_line,
        commands: Vec::new(),
    })
}

/// Build the typed model; errors are those BuildKit reports before it builds anything.
pub fn build(df: &Dockerfile) -> Result<Model, ParseError> {
    let mut model = Model { meta_args: Vec::new(), stages: Vec::new(), names: NameIndex::default() };
    for (i, ins) in df.instructions().enumerate() {
        if ins.name() == "from" {
            let s = stage(ins, model.stages.len(), i)?;
            model.stages.push(s);
            continue;
        }
        let k = kind((ins, &ins.node), 0)?;
        let cmd = Command { instruction: i, line: ins.start_line, kind: k };
        match model.stages.last_mut() {
            Some(stage) => stage.commands.push(cmd),
            None if matches!(cmd.kind, Kind::Arg { .. }) => model.meta_args.push(cmd),
            None => return Err(err_at(ins, "no build stage in current context")),
        }
    }
    Ok(model)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dockerfile::parse_str;

    fn model(src: &str) -> Result<Model, ParseError> {
        build(&parse_str(src).unwrap())
    }

    #[test]
    fn stages_and_commands() {
        let m = model(
            "ARG V=1\nFROM --platform=$BUILDPLATFORM golang:${V} AS Build\nRUN --mount=type=cache,target=/go/pkg go build\n\
             FROM scratch\nCOPY --from=build --chmod=755 /out /app\nCMD [\"/app\"]\n",
        )
        .unwrap();
        assert_eq!(m.meta_args.len(), 1);
        assert_eq!(m.stages[0].name.as_deref(), Some("build"));
        assert_eq!(m.stages[0].platform.as_deref(), Some("$BUILDPLATFORM"));
        let run = m.stages[0].commands[0].kind.as_run().unwrap();
        assert_eq!(run.mounts[0].kind, MountType::Cache);
        let copy = m.stages[1].commands[0].kind.as_copy().unwrap();
        assert_eq!((copy.from.as_deref(), copy.chmod.as_deref()), (Some("build"), Some("755")));
        assert_eq!(m.stage_ref("BUILD", 1), Some(0));
        assert_eq!(m.stage_ref("0", 1), Some(0));
        assert_eq!(m.stage_ref("alpine", 1), None);
        assert!(matches!(&m.stages[1].commands[1].kind, Kind::Cmd { cmd: CmdLine::Exec(v) } if v == &["/app"]));
    }

    #[test]
    fn buildkit_errors() {
        let e = |s: &str| model(s).unwrap_err().message;
        assert_eq!(e("FROM a b\n"), "FROM requires either one or three arguments");
        assert_eq!(
            e("FROM a AS 1x\n"),
            "invalid name for build stage: \"1x\", name can't start with a number or contain symbols"
        );
        assert_eq!(
            e("FROM a\nCOPY x\n"),
            "COPY requires at least two arguments, but only one was provided. Destination could not be determined"
        );
        assert_eq!(e("FROM a\nCOPY --form=x a b\n"), "unknown flag: --form (did you mean from?)");
        assert_eq!(e("RUN x\n"), "no build stage in current context");
        assert_eq!(e("FROM a\nRUN --network=bridge x\n"), "invalid network mode \"bridge\"");
        assert_eq!(e("FROM a\nFOO bar\n"), "unknown instruction: FOO (did you mean FROM?)");
        assert_eq!(e("FROM a\ncopyy a b\n"), "unknown instruction: copyy (did you mean copy?)");
        assert_eq!(e("FROM a\nXYZZY\n"), "unknown instruction: XYZZY");
        assert_eq!(e("FROM a\nONBUILD FROM b\n"), "FROM isn't allowed as an ONBUILD trigger");
        assert_eq!(e("FROM a\nHEALTHCHECK --interval=1ns CMD x\n"), "Interval \"interval\" cannot be less than 1ms");
        assert_eq!(e("FROM a\nSHELL sh -c\n"), "SHELL requires the arguments to be in JSON form");
    }

    #[test]
    fn heredoc_sources() {
        let m = model("FROM a\nCOPY <<-EOF /x\n\thello\nEOF\nRUN <<EOF\necho hi\nEOF\n").unwrap();
        let c = m.stages[0].commands[0].kind.as_copy().unwrap();
        assert_eq!((c.inline[0].data.as_str(), c.sources.len()), ("hello\n", 0));
        assert_eq!(m.stages[0].commands[1].kind.as_run().unwrap().files[0].data, "echo hi\n");
    }

    #[test]
    fn durations() {
        assert_eq!(parse_go_duration("1m30s"), Some(90_000_000_000));
        assert_eq!(parse_go_duration("1.5ms"), Some(1_500_000));
        assert_eq!(parse_go_duration("5"), None);
    }
}
