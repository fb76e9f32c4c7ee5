//! The programs the image runs, read from what can be read before a build: ENTRYPOINT/CMD and
//! HEALTHCHECK, the package.json scripts and shell scripts they start, the program's own sources
//! and configuration in the build context (a string literal that starts with a program's name:
//! `subprocess.run(["dot", ...])`, `exec.Command("convert")`, `command=nginx`), and the language
//! dependencies known to run a system program (`rules/rewrite.toml` `[runs]`).
//!
//! The result is a set of candidate names, each with where it was seen; callers intersect it
//! with the programs of the packages the original installs, so a broad read only keeps more.

use super::super::input::{CmdClass, Original, Role};
use crate::data::rewrite_data;
use crate::dockerfile::model::{CmdLine, Healthcheck, Kind};
use crate::dockerfile::shell::parse_script;
use std::collections::BTreeMap;
use std::path::Path;

/// Program names the image runs, each with the first place it was seen.
#[derive(Debug, Default, Clone)]
pub struct Invoked {
    pub names: BTreeMap<String, String>,
    /// Debian packages language dependencies load libraries from by name.
    pub packages: BTreeMap<String, String>,
    /// The build context was read whole (with every file the Dockerfile copies): the names are
    /// all there is to know.
    pub complete: bool,
    /// A port below 1024 the program's sources listen on (`":80"`, `listen(443)`, `port = 80`),
    /// and where it was seen: a non-root user could not bind it.
    pub low_port: Option<(u16, String)>,
}

impl Invoked {
    fn add(&mut self, name: &str, why: impl Into<String>) {
        let n = name.rsplit('/').next().unwrap_or(name);
        if n.is_empty() || n.len() > 64 || n.contains('$') {
            return;
        }
        self.names.entry(n.to_string()).or_insert_with(|| why.into());
    }

    /// Where a program is run, if it is.
    pub fn why(&self, name: &str) -> Option<&str> {
        self.names.get(name).map(String::as_str)
    }
}

/// Source files whose string literals may name a program, and configuration whose words may.
const CODE: &[&str] = &[
    "py", "js", "mjs", "cjs", "ts", "go", "rb", "php", "pl", "java", "kt", "rs", "c", "cc", "cpp", "lua", "ex", "exs",
];
const CONFIG: &[&str] = &["sh", "bash", "conf", "ini", "cfg", "toml", "yaml", "yml", "service", "env"];
/// Directories of dependencies, build output and tooling: not the program's own files.
const SKIP_DIRS: &[&str] = &[
    "node_modules",
    ".git",
    "vendor",
    "venv",
    ".venv",
    "__pycache__",
    "target",
    ".tox",
    ".mypy_cache",
    "site-packages",
];
/// A bound on the walk: real applications are far smaller.
const MAX_FILES: usize = 20_000;
const MAX_FILE_BYTES: u64 = 1 << 20;

pub fn invoked(o: &Original) -> Invoked {
    let mut inv = Invoked::default();
    if let Some(argv) = &o.program {
        argv_names(&mut inv, argv, "ENTRYPOINT/CMD");
        package_scripts(o, &mut inv, argv);
    } else {
        for c in &o.stage.commands {
            if let Kind::Cmd { cmd: CmdLine::Shell(s) } | Kind::Entrypoint { cmd: CmdLine::Shell(s) } = &c.kind {
                script_names(&mut inv, s, "ENTRYPOINT/CMD");
            }
        }
    }
    for c in &o.stage.commands {
        if let Kind::Healthcheck(Healthcheck::Cmd { test, .. }) = &c.kind {
            match test.first().map(String::as_str) {
                Some("CMD-SHELL") => script_names(&mut inv, &test[1..].join(" "), "HEALTHCHECK"),
                _ => argv_names(&mut inv, &test[1..], "HEALTHCHECK"),
            }
        }
    }
    // setup RUNs run again in the runtime stage: what they run must be there
    for s in o.steps.iter().filter(|s| s.role == Role::Replay) {
        for (k, c) in o.commands(s).iter().enumerate() {
            if !matches!(s.classes.get(k), Some(CmdClass::Package | CmdClass::Cleanup)) {
                inv.add(c.name(), format!("the setup RUN on line {} runs it again in the runtime stage", s.line));
            }
        }
    }
    if let Some(dir) = &o.context_dir {
        inv.complete = o.context_complete() && context_sources(&mut inv, dir);
    }
    // the manifests need the context; what a RUN installs by name does not
    dependencies(o, &mut inv);
    inv
}

/// argv[0], and the script of `sh -c '...'`.
fn argv_names(inv: &mut Invoked, argv: &[String], why: &str) {
    let Some(first) = argv.first() else { return };
    inv.add(first, why);
    let shell = matches!(first.rsplit('/').next(), Some("sh" | "bash" | "dash" | "ash"));
    if shell {
        if let Some(i) = argv.iter().position(|a| a == "-c") {
            if let Some(s) = argv.get(i + 1) {
                script_names(inv, s, why);
            }
        }
    }
}

fn script_names(inv: &mut Invoked, script: &str, why: &str) {
    for c in parse_script(script).effective() {
        inv.add(c.name(), why);
    }
}

/// `npm start`, `npm run x`, `yarn x`: the commands of that package.json script.
fn package_scripts(o: &Original, inv: &mut Invoked, argv: &[String]) {
    let words: Vec<&str> = argv.iter().map(String::as_str).collect();
    let script = match words.as_slice() {
        ["npm" | "yarn" | "pnpm", "start", ..] => "start",
        ["npm" | "pnpm" | "yarn", "run" | "run-script", s, ..] => s,
        ["yarn", s, ..] => s,
        _ => return,
    };
    let Some(pkg) = o.context_file("package.json").and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
    else {
        return;
    };
    let mut seen = Vec::new();
    let mut todo = vec![script.to_string()];
    while let Some(s) = todo.pop() {
        if seen.contains(&s) || seen.len() > 16 {
            continue;
        }
        seen.push(s.clone());
        let text = match pkg["scripts"][&s].as_str() {
            Some(t) => t.to_string(),
            None if s == "start" => "node server.js".to_string(),
            None => continue,
        };
        for c in parse_script(&text).effective() {
            inv.add(c.name(), format!("the `{s}` script of package.json"));
            // `npm run build && npm run serve`: that script too
            let args: Vec<&str> = c.args().iter().map(|w| w.text.as_str()).collect();
            if matches!(c.name(), "npm" | "pnpm" | "yarn") {
                if let ["run" | "run-script", next, ..] = args.as_slice() {
                    todo.push(next.to_string());
                }
            }
        }
    }
}

/// Walk the build context: string literals in code, words in configuration and scripts. False
/// when the walk stopped at its bound (a context too big to read whole).
fn context_sources(inv: &mut Invoked, dir: &Path) -> bool {
    // compiled once per process: a run over many Dockerfiles walks many contexts
    static RES: std::sync::OnceLock<(regex::Regex, regex::Regex, regex::Regex)> = std::sync::OnceLock::new();
    let (literal, word, port) = RES.get_or_init(|| {
        (
            regex::Regex::new(r#"["'`]([A-Za-z0-9_][A-Za-z0-9_.+-]{0,63})(?:["'`\s])"#).expect("regex"),
            regex::Regex::new(r"[A-Za-z0-9_][A-Za-z0-9_.+-]{0,63}").expect("regex"),
            // an address to listen on (":80", "0.0.0.0:443") or a port set in code or configuration
            regex::Regex::new(
                r#"(?i)"[A-Za-z0-9_.\-\[\]]*:(\d{1,5})"|'[A-Za-z0-9_.\-\[\]]*:(\d{1,5})'|\b(?:listen|port|bind)\w*\s*[(=:,]\s*["']?(\d{1,5})\b"#,
            )
            .expect("regex"),
        )
    });
    let mut stack = vec![dir.to_path_buf()];
    let mut files = 0;
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else { continue };
        for e in rd.flatten() {
            let Ok(ft) = e.file_type() else { continue };
            let name = e.file_name().to_string_lossy().into_owned();
            if ft.is_dir() {
                if !SKIP_DIRS.contains(&name.as_str()) && !name.starts_with('.') {
                    stack.push(e.path());
                }
                continue;
            }
            if !ft.is_file() {
                continue; // no symlinks, FIFOs or devices
            }
            files += 1;
            if files > MAX_FILES {
                return false;
            }
            let ext = name.rsplit_once('.').map(|(_, x)| x.to_ascii_lowercase()).unwrap_or_default();
            let known = matches!(name.as_str(), "Procfile" | "supervisord.conf" | "entrypoint" | "docker-entrypoint");
            let code = CODE.contains(&ext.as_str());
            if !(code || known || CONFIG.contains(&ext.as_str()) || ext.is_empty()) {
                continue;
            }
            if e.metadata().map_or(true, |m| m.len() > MAX_FILE_BYTES) {
                continue;
            }
            let Some(text) = crate::limits::read_text(&e.path(), MAX_FILE_BYTES) else { continue };
            // an extensionless file counts only as a script (#!)
            if ext.is_empty() && !known && !text.starts_with("#!") {
                continue;
            }
            let rel = e.path().strip_prefix(dir).map(|p| p.display().to_string()).unwrap_or(name.clone());
            if inv.low_port.is_none() {
                let low = port.captures_iter(&text).find_map(|c| {
                    let n: u16 = c.get(1).or_else(|| c.get(2)).or_else(|| c.get(3))?.as_str().parse().ok()?;
                    (n > 0 && n < 1024).then_some(n)
                });
                if let Some(n) = low {
                    inv.low_port = Some((n, rel.clone()));
                }
            }
            if code {
                for c in literal.captures_iter(&text) {
                    inv.add(&c[1], format!("{rel} names it"));
                }
            } else {
                for m in word.find_iter(&text) {
                    inv.add(m.as_str(), format!("{rel} names it"));
                }
            }
        }
    }
    true
}

/// Language dependencies from the context's manifests that run programs or load libraries by
/// name.
fn dependencies(o: &Original, inv: &mut Invoked) {
    let runs = &rewrite_data().runs;
    let mut deps: Vec<(&str, String)> = Vec::new();
    for f in ["requirements.txt", "requirements/base.txt", "requirements/prod.txt", "requirements-prod.txt"] {
        if let Some(text) = o.context_file(f) {
            for line in text.lines() {
                let l = line.split('#').next().unwrap_or("").trim();
                let name: String =
                    l.chars().take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')).collect();
                if !name.is_empty() && !l.starts_with('-') {
                    deps.push(("python", name.to_ascii_lowercase().replace('_', "-")));
                }
            }
        }
    }
    if let Some(t) = o.context_file("pyproject.toml") {
        if let Ok(v) = t.parse::<toml::Table>() {
            let list = v.get("project").and_then(|p| p.get("dependencies")).and_then(|d| d.as_array());
            for d in list.into_iter().flatten().filter_map(|d| d.as_str()) {
                let name: String =
                    d.chars().take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')).collect();
                deps.push(("python", name.to_ascii_lowercase().replace('_', "-")));
            }
        }
    }
    if let Some(pkg) = o.context_file("package.json").and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok()) {
        if let Some(m) = pkg["dependencies"].as_object() {
            deps.extend(m.keys().map(|k| ("npm", k.to_ascii_lowercase())));
        }
    }
    if let Some(text) = o.context_file("Gemfile") {
        let (gems, _) = crate::analyze::dockerfile::deps::gemfile(&text);
        deps.extend(gems.into_iter().map(|g| ("gem", g.to_ascii_lowercase())));
    }
    // `gem install travis`: the gems a RUN installs by name
    for s in &o.steps {
        for c in o.commands(s).iter().filter(|c| crate::dockerfile::tools::toolchains::gem_install(c)) {
            let names = crate::dockerfile::tools::positionals(c);
            deps.extend(names.iter().skip(1).map(|w| ("gem", w.text.to_ascii_lowercase())));
        }
    }
    for (eco, name) in deps {
        let Some(n) = runs.get(eco).and_then(|t| t.get(&name)) else { continue };
        for p in &n.programs {
            inv.add(p, format!("the {eco} dependency `{name}` runs it"));
        }
        for p in &n.packages {
            inv.packages.entry(p.clone()).or_insert_with(|| format!("the {eco} dependency `{name}` loads it"));
        }
    }
}
