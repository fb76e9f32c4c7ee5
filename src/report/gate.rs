//! `imgslim gate` results: text, json, junit, sarif, markdown, github annotations.

use super::{artifact, escape_data, escape_property, relative, uri_escape, xml};
use crate::analyze::gate::{Baseline, Check};
use crate::analyze::Report;
use crate::units::{human_bytes, human_delta};
use serde_json::{json, Value};
use std::fmt::Write;

/// Everything a gate run says: the verdict, the checks, and the analysis it judged.
pub struct GateResult<'a> {
    pub image: String,
    pub dockerfile: Option<String>,
    pub report: &'a Report,
    pub baseline: Option<&'a Baseline>,
    pub checks: &'a [Check],
}

impl GateResult<'_> {
    pub fn passed(&self) -> bool {
        self.checks.iter().all(|c| c.passed)
    }
    fn delta(&self) -> Option<(i64, f64)> {
        let b = self.baseline?.size_bytes?;
        let d = self.report.size_bytes as i64 - b as i64;
        Some((d, if b == 0 { 0.0 } else { 100.0 * d as f64 / b as f64 }))
    }
}

pub fn text(g: &GateResult) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "imgslim gate {}: {} ({} compressed, {})",
        g.image,
        human_bytes(g.report.size_bytes),
        human_bytes(g.report.compressed_bytes),
        crate::units::count(g.report.layers.len() as u64, "layer")
    );
    if let (Some(b), Some((d, p))) = (g.baseline, g.delta()) {
        let _ = writeln!(
            out,
            "baseline {}: {} ({}, {p:+.1}%)",
            b.source,
            human_bytes(b.size_bytes.unwrap_or(0)),
            human_delta(d as i128)
        );
    }
    for c in g.checks {
        let _ = writeln!(out, "  {} {:<22} {}", if c.passed { "pass" } else { "FAIL" }, c.rule, c.message);
    }
    let failed = g.checks.iter().filter(|c| !c.passed).count();
    let _ = writeln!(
        out,
        "{}",
        if failed == 0 {
            format!("passed ({})", crate::units::count(g.checks.len() as u64, "check"))
        } else {
            format!("FAILED: {failed} of {}", crate::units::count(g.checks.len() as u64, "check"))
        }
    );
    out
}

pub fn json(g: &GateResult) -> Value {
    json!({
        "passed": g.passed(),
        "image": g.image,
        "size_bytes": g.report.size_bytes,
        "compressed_bytes": g.report.compressed_bytes,
        "baseline": g.baseline,
        "delta_bytes": g.delta().map(|d| d.0),
        "delta_percent": g.delta().map(|d| d.1),
        "checks": g.checks,
        "report": g.report,
    })
}

pub fn junit(g: &GateResult) -> String {
    let failures = g.checks.iter().filter(|c| !c.passed).count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(out, "<testsuites name=\"imgslim gate\" tests=\"{}\" failures=\"{failures}\">", g.checks.len());
    let _ = writeln!(
        out,
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">",
        xml(&g.image),
        g.checks.len()
    );
    for c in g.checks {
        let _ = write!(out, "    <testcase classname=\"imgslim.gate\" name=\"{}\"", xml(&c.rule));
        if c.passed {
            let _ = writeln!(out, "/>");
        } else {
            let _ = writeln!(
                out,
                ">\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>",
                xml(&c.message),
                xml(&c.rule),
                xml(&format!("limit {}, actual {}", c.limit, c.actual))
            );
        }
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

/// SARIF 2.1.0: one result per failed check, on the Dockerfile line when known.
pub fn sarif(g: &GateResult) -> Value {
    let root = std::env::current_dir().unwrap_or_default();
    let rules: Vec<Value> = g
        .checks
        .iter()
        .map(|c| c.rule.clone())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .map(|r| {
            json!({
                "id": r,
                "name": r.replace([':', '_'], "-"),
                "shortDescription": {"text": format!("imgslim gate budget {r}")},
                "fullDescription": {"text": "An image size budget from imgslim.toml [gate] or the command line."},
                "help": {"text": "Run `imgslim analyze IMAGE --dockerfile Dockerfile` to see which lines add the bytes.", "markdown": "Run `imgslim analyze IMAGE --dockerfile Dockerfile` to see which lines add the bytes."},
                "defaultConfiguration": {"level": "error"},
            })
        })
        .collect();
    let results: Vec<Value> = g
        .checks
        .iter()
        .filter(|c| !c.passed)
        .map(|c| {
            let location = match (&g.dockerfile, c.line) {
                (Some(df), Some(line)) => json!({"physicalLocation": {"artifactLocation": artifact(df, &root), "region": {"startLine": line}}}),
                (Some(df), None) => json!({"physicalLocation": {"artifactLocation": artifact(df, &root), "region": {"startLine": 1}}}),
                (None, _) => json!({"physicalLocation": {"artifactLocation": artifact(&g.image, &root), "region": {"startLine": 1}}}),
            };
            json!({"ruleId": c.rule, "level": "error", "message": {"text": c.message}, "locations": [location]})
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "imgslim", "informationUri": "https://github.com/imgslim/imgslim", "version": env!("CARGO_PKG_VERSION"), "rules": rules}},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": format!("file://{}/", uri_escape(root.to_string_lossy().trim_end_matches('/')))}},
            "results": results,
        }],
    })
}

/// A pull-request comment.
pub fn markdown(g: &GateResult) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "### imgslim gate: {}\n", if g.passed() { "passed" } else { "**failed**" });
    let _ = writeln!(out, "| image | size | compressed | layers | vs baseline |\n|---|---:|---:|---:|---:|");
    let delta = g.delta().map(|(d, p)| format!("{} ({p:+.1}%)", human_delta(d as i128))).unwrap_or_else(|| "-".into());
    let _ = writeln!(
        out,
        "| `{}` | {} | {} | {} | {delta} |\n",
        g.image,
        human_bytes(g.report.size_bytes),
        human_bytes(g.report.compressed_bytes),
        g.report.layers.len()
    );
    if !g.checks.is_empty() {
        let _ = writeln!(out, "| check | limit | actual | result |\n|---|---:|---:|---|");
        for c in g.checks {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} |",
                c.rule,
                c.limit,
                c.actual,
                if c.passed { "pass".to_string() } else { format!("**fail**: {}", c.message.replace('|', "\\|")) }
            );
        }
    }
    out
}

/// Workflow annotations (failed checks as errors, on the Dockerfile line when known).
pub fn github(g: &GateResult) -> String {
    let root = std::env::current_dir().unwrap_or_default();
    let mut out = String::new();
    for c in g.checks.iter().filter(|c| !c.passed) {
        let mut params = Vec::new();
        if let Some(df) = &g.dockerfile {
            params.push(format!("file={}", escape_property(&relative(df, &root).unwrap_or_else(|| df.clone()))));
            if let Some(line) = c.line {
                params.push(format!("line={line}"));
            }
        }
        params.push(format!("title={}", escape_property(&format!("imgslim gate {}", c.rule))));
        let _ = writeln!(out, "::error {}::{}", params.join(","), escape_data(&c.message));
    }
    let _ = writeln!(
        out,
        "::notice title=imgslim gate::{}",
        escape_data(&format!(
            "{} {}: {}, {} failed",
            g.image,
            human_bytes(g.report.size_bytes),
            crate::units::count(g.checks.len() as u64, "check"),
            g.checks.iter().filter(|c| !c.passed).count()
        ))
    );
    out
}
