//! Lint findings as text with source snippets, JSON, SARIF 2.1.0, GitHub workflow annotations,
//! Markdown, JUnit XML and Checkstyle XML. All renderers take the same per-file results.

use super::{artifact, escape_data, escape_property, relative, uri_escape, xml};
use crate::dockerfile::Dockerfile;
use crate::lint::{codes, Applicability, Diagnostic, Severity};
use crate::units::human_bytes;
use serde_json::{json, Value};
use std::fmt::Write;

/// The findings for one file (or the reason it could not be linted).
pub struct FileResult {
    pub path: String,
    pub dockerfile: Option<Dockerfile>,
    pub diagnostics: Vec<Diagnostic>,
    /// A syntax or instruction error: `line: message`.
    pub error: Option<(usize, String)>,
}

/// 1-based line and column of both ends of a diagnostic.
fn position(df: &Dockerfile, d: &Diagnostic) -> (usize, usize, usize, usize) {
    let (l, c) = df.line_col(d.span.start);
    let (el, ec) = df.line_col(d.span.end.max(d.span.start));
    (l, c, el, ec)
}

fn finding_json(f: &FileResult, d: &Diagnostic) -> Value {
    let df = f.dockerfile.as_ref();
    let (l, c, el, ec) = df.map_or((0, 0, 0, 0), |df| position(df, d));
    let fix = d.fix.as_ref().map(|x| {
        json!({
            "title": x.title,
            "applicability": x.applicability,
            "edits": x.edits.iter().map(|e| {
                let (sl, sc) = df.map_or((0, 0), |df| df.line_col(e.span.start));
                let (el, ec) = df.map_or((0, 0), |df| df.line_col(e.span.end));
                json!({"start": e.span.start, "end": e.span.end, "line": sl, "column": sc, "end_line": el, "end_column": ec, "text": e.text})
            }).collect::<Vec<_>>(),
        })
    });
    let mut v = json!({
        "file": f.path,
        "line": l,
        "column": c,
        "end_line": el,
        "end_column": ec,
        "code": d.code,
        "aliases": super::lint_compat::aliases(d.code),
        "name": d.name,
        "severity": d.severity,
        "category": d.category,
        "message": d.message,
        "estimated_bytes": d.estimated_bytes,
        "estimate": d.estimate,
        "fix": fix,
    });
    if let Some(m) = d.measured_bytes {
        v["measured_bytes"] = json!(m);
    }
    v
}

fn error_json(f: &FileResult, line: usize, msg: &str) -> Value {
    json!({
        "file": f.path, "line": line, "column": 1, "end_line": line, "end_column": 1,
        "code": "IS000", "name": "syntax-error", "severity": "error", "category": "correctness",
        "message": msg, "estimated_bytes": null, "estimate": null, "fix": null,
    })
}

/// `--format json`: one array of findings over all files.
pub fn json(results: &[FileResult]) -> Value {
    let mut out = Vec::new();
    for f in results {
        if let Some((line, msg)) = &f.error {
            out.push(error_json(f, *line, msg));
        }
        out.extend(f.diagnostics.iter().map(|d| finding_json(f, d)));
    }
    Value::Array(out)
}

fn sarif_level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info | Severity::Style => "note",
    }
}

/// `--format sarif`: SARIF 2.1.0 for GitHub code scanning (rules with help, results with regions).
pub fn sarif(results: &[FileResult]) -> Value {
    let root = std::env::current_dir().unwrap_or_default();
    let rules: Vec<Value> = codes::RULES
        .iter()
        .map(|(code, rule)| {
            let m = rule.meta();
            let docs = crate::lint::docs(m.name).unwrap_or(m.summary);
            json!({
                "id": code,
                "name": m.name,
                "shortDescription": {"text": m.summary},
                "fullDescription": {"text": docs.lines().skip_while(|l| l.starts_with('#') || l.is_empty()).take_while(|l| !l.is_empty()).collect::<Vec<_>>().join(" ")},
                "help": {"text": docs, "markdown": docs},
                "defaultConfiguration": {"level": sarif_level(m.severity)},
                "properties": {"tags": [m.category.as_str()], "aliases": m.aliases},
            })
        })
        .chain(std::iter::once(json!({
            "id": "IS000", "name": "syntax-error",
            "shortDescription": {"text": "the Dockerfile cannot be parsed"},
            "fullDescription": {"text": "BuildKit rejects this Dockerfile."},
            "help": {"text": "Fix the syntax error BuildKit reports."},
            "defaultConfiguration": {"level": "error"},
            "properties": {"tags": ["correctness"]},
        })))
        .collect();
    let index = |code: &str| codes::RULES.iter().position(|(c, _)| *c == code).unwrap_or(codes::RULES.len());
    let mut out = Vec::new();
    for f in results {
        let location = artifact(&f.path, &root);
        if let Some((line, msg)) = &f.error {
            out.push(json!({
                "ruleId": "IS000", "ruleIndex": codes::RULES.len(), "level": "error", "message": {"text": msg},
                "locations": [{"physicalLocation": {"artifactLocation": location, "region": {"startLine": (*line).max(1)}}}],
            }));
        }
        for d in &f.diagnostics {
            let Some(df) = f.dockerfile.as_ref() else { continue };
            let (l, c, el, ec) = position(df, d);
            let mut r = json!({
                "ruleId": d.code,
                "ruleIndex": index(d.code),
                "level": sarif_level(d.severity),
                "message": {"text": d.message},
                "locations": [{"physicalLocation": {
                    "artifactLocation": location,
                    "region": {"startLine": l, "startColumn": c, "endLine": el, "endColumn": ec.max(c + usize::from(el == l && ec <= c))},
                }}],
                "partialFingerprints": {"primaryLocationLineHash": format!("{}:{}", d.code, df.text(crate::dockerfile::Span::new(d.span.start, d.span.end)).trim())},
            });
            if let Some(b) = d.estimated_bytes {
                r["properties"] = json!({"estimated_bytes": b, "estimate": d.estimate});
            }
            if let Some(fix) = &d.fix {
                r["fixes"] = json!([{
                    "description": {"text": fix.title},
                    "artifactChanges": [{
                        "artifactLocation": location,
                        "replacements": fix.edits.iter().map(|e| {
                            let (sl, sc) = df.line_col(e.span.start);
                            let (el, ec) = df.line_col(e.span.end);
                            json!({"deletedRegion": {"startLine": sl, "startColumn": sc, "endLine": el, "endColumn": ec}, "insertedContent": {"text": e.text}})
                        }).collect::<Vec<_>>(),
                    }],
                }]);
            }
            out.push(r);
        }
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "imgslim",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/imgslim/imgslim",
                "rules": rules,
            }},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": format!("file://{}/", uri_escape(root.to_string_lossy().trim_end_matches('/')))}},
            "results": out,
        }],
    })
}

/// `--format github`: one workflow command per finding.
/// Paths are made relative to the working directory (the checkout), as annotations expect.
pub fn github(results: &[FileResult]) -> String {
    let root = std::env::current_dir().unwrap_or_default();
    let mut out = String::new();
    for f in results {
        let path = relative(&f.path, &root).unwrap_or_else(|| f.path.clone());
        if let Some((line, msg)) = &f.error {
            let _ = writeln!(
                out,
                "::error file={},line={},title=IS000 syntax-error::{}",
                escape_property(&path),
                line,
                escape_data(msg)
            );
        }
        for d in &f.diagnostics {
            let Some(df) = f.dockerfile.as_ref() else { continue };
            let (l, c, el, ec) = position(df, d);
            let level = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                _ => "notice",
            };
            let _ = writeln!(
                out,
                "::{level} file={},line={l},col={c},endLine={el},endColumn={ec},title={}::{}",
                escape_property(&path),
                escape_property(&format!("{} {}", d.code, d.name)),
                escape_data(&d.message)
            );
        }
    }
    out
}

/// `--format markdown`: a table per run, for pull request comments.
pub fn markdown(results: &[FileResult]) -> String {
    let mut out = String::from("| file | line | code | severity | finding | estimate |\n|---|---:|---|---|---|---:|\n");
    let mut total = 0u64;
    let mut n = 0;
    for f in results {
        if let Some((line, msg)) = &f.error {
            let _ = writeln!(out, "| {} | {} | IS000 | error | {} | |", f.path, line, msg.replace('|', "\\|"));
            n += 1;
        }
        for d in &f.diagnostics {
            let Some(df) = f.dockerfile.as_ref() else { continue };
            let (l, ..) = position(df, d);
            total += d.estimated_bytes.unwrap_or(0);
            n += 1;
            let _ = writeln!(
                out,
                "| {} | {l} | `{}` | {} | {} | {} |",
                f.path,
                d.code,
                d.severity.as_str(),
                d.message.replace('|', "\\|"),
                d.estimated_bytes.map(human_bytes).unwrap_or_default()
            );
        }
    }
    let _ = writeln!(
        out,
        "\n{n} findings; size findings add up to an estimated {} (estimates; `imgslim analyze IMAGE` measures).",
        human_bytes(total)
    );
    out
}

/// `--format junit`: a test case per finding (failed) and per clean file (passed).
pub fn junit(results: &[FileResult]) -> String {
    let mut cases = String::new();
    let (mut tests, mut failures) = (0, 0);
    for f in results {
        let mut any = false;
        if let Some((line, msg)) = &f.error {
            tests += 1;
            failures += 1;
            any = true;
            let _ = writeln!(cases, "    <testcase classname=\"{}\" name=\"IS000 line {line}\"><failure type=\"IS000\" message=\"{}\">{}:{line}: {}</failure></testcase>", xml(&f.path), xml(msg), xml(&f.path), xml(msg));
        }
        for d in &f.diagnostics {
            let Some(df) = f.dockerfile.as_ref() else { continue };
            let (l, c, ..) = position(df, d);
            tests += 1;
            failures += 1;
            any = true;
            let _ = writeln!(
                cases,
                "    <testcase classname=\"{}\" name=\"{} {} line {l}\"><failure type=\"{}\" message=\"{}\">{}:{l}:{c}: {} [{}]</failure></testcase>",
                xml(&f.path),
                d.code,
                d.name,
                d.code,
                xml(&d.message),
                xml(&f.path),
                xml(&d.message),
                d.severity.as_str()
            );
        }
        if !any {
            tests += 1;
            let _ = writeln!(cases, "    <testcase classname=\"{}\" name=\"no findings\"/>", xml(&f.path));
        }
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"imgslim\" tests=\"{tests}\" failures=\"{failures}\">\n  <testsuite name=\"imgslim lint\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">\n{cases}  </testsuite>\n</testsuites>\n"
    )
}

/// `--format checkstyle`: Checkstyle XML (Jenkins, reviewdog).
pub fn checkstyle(results: &[FileResult]) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<checkstyle version=\"4.3\">\n");
    for f in results {
        let _ = writeln!(out, "  <file name=\"{}\">", xml(&f.path));
        if let Some((line, msg)) = &f.error {
            let _ = writeln!(
                out,
                "    <error line=\"{line}\" column=\"1\" severity=\"error\" message=\"{}\" source=\"imgslim.IS000\"/>",
                xml(msg)
            );
        }
        for d in &f.diagnostics {
            let Some(df) = f.dockerfile.as_ref() else { continue };
            let (l, c, ..) = position(df, d);
            let sev = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                _ => "info",
            };
            let _ = writeln!(
                out,
                "    <error line=\"{l}\" column=\"{c}\" severity=\"{sev}\" message=\"{}\" source=\"imgslim.{}\"/>",
                xml(&d.message),
                d.code
            );
        }
        out.push_str("  </file>\n");
    }
    out.push_str("</checkstyle>\n");
    out
}

/// The human report: each finding with its source lines and a caret, then a summary.
pub fn text(results: &[FileResult], color: bool) -> String {
    use annotate_snippets::{AnnotationKind, Level, Renderer, Snippet};
    let renderer = if color { Renderer::styled() } else { Renderer::plain() }.term_width(super::width());
    let mut out = String::new();
    let (mut n, mut fixable, mut bytes) = (0usize, 0usize, 0u64);
    for f in results {
        // a file name with control characters must not act on the terminal
        let path = crate::report::terminal_safe(&f.path);
        if let Some((line, msg)) = &f.error {
            let _ = writeln!(out, "{path}:{line}:1: IS000 {}\n", crate::report::terminal_safe(msg));
            n += 1;
        }
        let Some(df) = f.dockerfile.as_ref() else { continue };
        // where each line starts: a snippet shows only the lines of its span (rendering the
        // whole file for every finding would make many findings quadratic)
        let line_starts: Vec<usize> =
            std::iter::once(0).chain(df.source.match_indices('\n').map(|(i, _)| i + 1)).collect();
        for d in &f.diagnostics {
            n += 1;
            bytes += d.estimated_bytes.unwrap_or(0);
            let level = match d.severity {
                Severity::Error => Level::ERROR,
                Severity::Warning => Level::WARNING,
                Severity::Info => Level::INFO,
                Severity::Style => Level::NOTE.with_name("style"),
            };
            let mut label = String::new();
            if let Some(b) = d.estimated_bytes {
                label = format!("~{} (estimate)", human_bytes(b));
                if let Some(m) = d.measured_bytes {
                    label.push_str(&format!(", {} measured in its layer", human_bytes(m)));
                }
            }
            let end = d.span.end.max(d.span.start).min(df.source.len());
            let also = super::lint_compat::aliases(d.code);
            let mut title = if also.is_empty() {
                format!("{} [{}]", d.message, d.name)
            } else {
                format!("{} [{}, {}]", d.message, d.name, also.join(", "))
            };
            if let Some(fix) = &d.fix {
                if fix.applicability >= Applicability::Unsafe {
                    fixable += 1;
                }
                let how = match fix.applicability {
                    Applicability::Safe => "--fix",
                    Applicability::Unsafe => "--fix --unsafe-fixes",
                    Applicability::DisplayOnly => "suggestion",
                };
                title.push_str(&format!("\n  fix ({how}): {}", fix.title));
            }
            let start = d.span.start.min(end);
            let first = line_starts.partition_point(|&o| o <= start).saturating_sub(1);
            let from = line_starts[first];
            let to = df.source[end..].find('\n').map_or(df.source.len(), |i| end + i);
            let report = &[level.primary_title(title.as_str()).id(d.code).element(
                Snippet::source(&df.source[from..to])
                    .line_start(first + 1)
                    .path(path.as_ref())
                    .fold(true)
                    .annotation(AnnotationKind::Primary.span(start - from..end - from).label(label.as_str())),
            )];
            let _ = writeln!(out, "{}\n", renderer.render(report));
        }
    }
    if n == 0 {
        let _ = writeln!(out, "no findings in {} file{}", results.len(), if results.len() == 1 { "" } else { "s" });
    } else {
        let _ = writeln!(
            out,
            "{n} finding{} ({fixable} fixable) in {} file{}; size findings add up to ~{} (estimate: build and run `imgslim analyze IMAGE` for exact bytes)",
            if n == 1 { "" } else { "s" },
            results.len(),
            if results.len() == 1 { "" } else { "s" },
            human_bytes(bytes)
        );
    }
    out
}
