//! The lint formats other tools' users have pipelines for: hadolint's `tty` (one line per
//! finding) and `gnu`, Code Climate (`codeclimate`, NUL-separated issues) and GitLab Code
//! Quality (`gitlab`, one JSON array). Every finding carries its hadolint/BuildKit aliases.

use super::lint::FileResult;
use crate::lint::{codes, Category, Diagnostic, Severity};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::fmt::Write;

/// The aliases of a code (`DL3015` for IS101); empty for none.
pub fn aliases(code: &str) -> &'static [&'static str] {
    codes::by_code(code).map_or(&[][..], |r| r.meta().aliases)
}

/// The first hadolint code among the aliases, the one hadolint users know a finding by.
fn hadolint_code(code: &str) -> Option<&'static str> {
    aliases(code).iter().copied().find(|a| a.starts_with("DL") || a.starts_with("SC"))
}

fn line_of(f: &FileResult, d: &Diagnostic) -> (usize, usize, usize) {
    match &f.dockerfile {
        Some(df) => {
            let (l, c) = df.line_col(d.span.start);
            let (el, _) = df.line_col(d.span.end.max(d.span.start));
            (l, c, el)
        }
        None => (1, 1, 1),
    }
}

/// A file's findings in file order (hadolint's), whatever order the caller ranked them in.
fn in_file_order(f: &FileResult) -> Vec<&Diagnostic> {
    let mut v: Vec<&Diagnostic> = f.diagnostics.iter().collect();
    v.sort_by(|a, b| a.span.start.cmp(&b.span.start).then_with(|| a.code.cmp(b.code)));
    v
}

/// What hadolint's `tty` prints: `FILE:LINE CODE severity: message`, our code first and the
/// hadolint code beside it.
pub fn tty(results: &[FileResult], color: bool) -> String {
    let mut out = String::new();
    for f in results {
        let path = crate::report::terminal_safe(&f.path);
        if let Some((line, msg)) = &f.error {
            let _ = writeln!(out, "{path}:{line} IS000 error: {}", crate::report::terminal_safe(msg));
        }
        for d in in_file_order(f) {
            let (l, _, _) = line_of(f, d);
            let code = match hadolint_code(d.code) {
                Some(h) => format!("{} ({h})", d.code),
                None => d.code.to_string(),
            };
            let sev = d.severity.as_str();
            let sev = if color {
                let c = match d.severity {
                    Severity::Error => "1;91",
                    Severity::Warning => "1;93",
                    Severity::Info => "92",
                    Severity::Style => "96",
                };
                format!("\x1b[{c}m{sev}\x1b[0m")
            } else {
                sev.to_string()
            };
            let _ = writeln!(out, "{path}:{l} {code} {sev}: {}", crate::report::terminal_safe(&d.message));
        }
    }
    out
}

/// GNU's `FILE:LINE:COLUMN: severity: message` (what editors' compile modes jump to).
pub fn gnu(results: &[FileResult]) -> String {
    let mut out = String::new();
    for f in results {
        let path = crate::report::terminal_safe(&f.path);
        if let Some((line, msg)) = &f.error {
            let _ = writeln!(out, "imgslim:{path}:{line}:1: error: IS000 {}", crate::report::terminal_safe(msg));
        }
        for d in in_file_order(f) {
            let (l, c, _) = line_of(f, d);
            let also = hadolint_code(d.code).map(|h| format!(" ({h})")).unwrap_or_default();
            let _ = writeln!(
                out,
                "imgslim:{path}:{l}:{c}: {}: {}{also} {}",
                d.severity.as_str(),
                d.code,
                crate::report::terminal_safe(&d.message)
            );
        }
    }
    out
}

/// Code Climate's severities.
fn climate_severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "critical",
        Severity::Warning => "major",
        Severity::Info => "info",
        Severity::Style => "minor",
    }
}

fn climate_category(c: Category) -> &'static str {
    match c {
        Category::Size | Category::Cache => "Performance",
        Category::Security => "Security",
        Category::Correctness => "Bug Risk",
        Category::Style => "Style",
    }
}

/// Stable across runs and across lines inserted above: the file, the code, the text of the
/// instruction's first line and the message; not the line number.
fn fingerprint(f: &FileResult, d: &Diagnostic) -> String {
    let text = f.dockerfile.as_ref().map_or("", |df| {
        let start = d.span.start.min(df.source.len());
        let from = df.source[..start].rfind('\n').map_or(0, |i| i + 1);
        let to = df.source[start..].find('\n').map_or(df.source.len(), |i| start + i);
        df.source[from..to].trim()
    });
    let mut h = Sha256::new();
    for part in [f.path.as_str(), d.code, text, d.message.as_str()] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    h.finalize().iter().take(20).map(|b| format!("{b:02x}")).collect()
}

fn issue(f: &FileResult, d: &Diagnostic, root: &std::path::Path) -> Value {
    let (l, _, el) = line_of(f, d);
    let path = super::relative(&f.path, root).unwrap_or_else(|| f.path.clone());
    let also = aliases(d.code);
    let description = match hadolint_code(d.code) {
        Some(h) => format!("{} ({} {h})", d.message, d.code),
        None => format!("{} ({})", d.message, d.code),
    };
    json!({
        "type": "issue",
        "check_name": d.code,
        "description": description,
        "categories": [climate_category(d.category)],
        "severity": climate_severity(d.severity),
        "fingerprint": fingerprint(f, d),
        "location": {"path": path, "lines": {"begin": l, "end": el.max(l)}},
        "other_locations": [],
        "content": {"body": format!("{} ({}); aliases: {}", d.name, d.code, if also.is_empty() { "none".to_string() } else { also.join(", ") })},
    })
}

fn error_issue(f: &FileResult, line: usize, msg: &str, root: &std::path::Path) -> Value {
    let path = super::relative(&f.path, root).unwrap_or_else(|| f.path.clone());
    let mut h = Sha256::new();
    h.update(f.path.as_bytes());
    h.update(b"\0IS000\0");
    h.update(msg.as_bytes());
    json!({
        "type": "issue", "check_name": "IS000", "description": format!("{msg} (IS000)"),
        "categories": ["Bug Risk"], "severity": "blocker",
        "fingerprint": h.finalize().iter().take(20).map(|b| format!("{b:02x}")).collect::<String>(),
        "location": {"path": path, "lines": {"begin": line.max(1), "end": line.max(1)}},
    })
}

fn issues(results: &[FileResult]) -> Vec<Value> {
    let root = std::env::current_dir().unwrap_or_default();
    let mut out = Vec::new();
    for f in results {
        if let Some((line, msg)) = &f.error {
            out.push(error_issue(f, *line, msg, &root));
        }
        out.extend(f.diagnostics.iter().map(|d| issue(f, d, &root)));
    }
    // the same finding on two identical lines (two stages FROM one base) must stay two issues:
    // the second and later get their occurrence number into the fingerprint
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for i in &mut out {
        let fp = i["fingerprint"].as_str().unwrap_or_default().to_string();
        let n = seen.entry(fp.clone()).or_insert(0);
        if *n > 0 {
            let mut h = Sha256::new();
            h.update(fp.as_bytes());
            h.update(n.to_string().as_bytes());
            i["fingerprint"] = json!(h.finalize().iter().take(20).map(|b| format!("{b:02x}")).collect::<String>());
        }
        *n += 1;
    }
    out
}

/// GitLab Code Quality: one JSON array (`artifacts: reports: codequality:`).
pub fn gitlab(results: &[FileResult]) -> Value {
    Value::Array(issues(results))
}

/// Code Climate engine output: each issue a JSON document followed by a NUL.
pub fn codeclimate(results: &[FileResult]) -> String {
    let mut out = String::new();
    for i in issues(results) {
        out.push_str(&i.to_string());
        out.push('\0');
    }
    out
}
