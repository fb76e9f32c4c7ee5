//! Collect the doc comment of every lint rule (`src/lint/rules/*.rs`, the `///` lines above
//! `pub struct Name;`) into a table keyed by the rule's kebab-case name, so the same text serves
//! `imgslim rule CODE`, SARIF help and the docs.

use std::fmt::Write;
use std::path::Path;

fn kebab(camel: &str) -> String {
    let mut out = String::new();
    for (i, c) in camel.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// `--version`: the package version, the commit and its date when built from a git checkout
/// (as ripgrep and uv print them).
fn version() {
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let pkg = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    let long = match (git(&["rev-parse", "--short=9", "HEAD"]), git(&["log", "-1", "--format=%cs"])) {
        (Some(commit), Some(date)) => {
            let dirty = git(&["status", "--porcelain", "--untracked-files=no"]).is_some();
            format!("{pkg} ({commit}{} {date})", if dirty { "-modified" } else { "" })
        }
        _ => pkg,
    };
    println!("cargo:rustc-env=IMGSLIM_LONG_VERSION={long}");
    if Path::new(".git").exists() {
        println!("cargo:rerun-if-changed=.git/HEAD");
        println!("cargo:rerun-if-changed=.git/index");
        if let Ok(head) = std::fs::read_to_string(".git/HEAD") {
            if let Some(r) = head.strip_prefix("ref: ") {
                println!("cargo:rerun-if-changed=.git/{}", r.trim());
            }
        }
    }
}

fn main() {
    version();
    let dir = Path::new("src/lint/rules");
    println!("cargo:rerun-if-changed=src/lint/rules");
    let mut entries = Vec::new();
    let mut files: Vec<_> =
        std::fs::read_dir(dir).map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect()).unwrap_or_default();
    files.sort();
    for path in files {
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        println!("cargo:rerun-if-changed={}", path.display());
        let text = std::fs::read_to_string(&path).expect("read rule file");
        let mut doc: Vec<String> = Vec::new();
        for line in text.lines() {
            let t = line.trim_start();
            if let Some(d) = t.strip_prefix("///") {
                doc.push(d.strip_prefix(' ').unwrap_or(d).to_string());
                continue;
            }
            if let Some(rest) = t.strip_prefix("pub struct ") {
                let name: String = rest.chars().take_while(|c| c.is_alphanumeric()).collect();
                if !doc.is_empty() {
                    entries.push((kebab(&name), doc.join("\n")));
                }
            }
            if !t.starts_with("#[") {
                doc.clear();
            }
        }
    }
    let mut out = String::from("/// Rule documentation from the doc comments of src/lint/rules/*.rs.\npub static RULE_DOCS: &[(&str, &str)] = &[\n");
    for (name, doc) in entries {
        let _ = writeln!(out, "    ({name:?}, {doc:?}),");
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("rule_docs.rs");
    std::fs::write(dest, out).expect("write rule docs");
}
