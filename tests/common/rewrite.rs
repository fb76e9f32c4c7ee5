//! Properties every emitted Dockerfile must have.
#![allow(dead_code)]

use imgslim::dockerfile::{model, parse_str};
use imgslim::lint::{lint, Settings};
use imgslim::rewrite::Plan;

/// Size rules a rewrite is meant to leave nothing for (in the stages that reach the image).
pub const SIZE_RULES: &[&str] =
    &["IS101", "IS102", "IS103", "IS104", "IS105", "IS106", "IS107", "IS108", "IS109", "IS110"];

/// Keywords that move to the runtime stage and must be there, unchanged or in exec form.
const CONTRACT: &[&str] =
    &["cmd", "entrypoint", "expose", "healthcheck", "label", "volume", "stopsignal", "user", "workdir", "env", "arg"];

/// Check an emitted Dockerfile against its original; `Err` says what is wrong.
pub fn check(original: &str, plan: &Plan) -> Result<(), String> {
    let new = &plan.dockerfile;
    let df = parse_str(new).map_err(|e| format!("does not parse: {e:?}\n{new}"))?;
    let m = model::build(&df).map_err(|e| format!("BuildKit would reject it: {e:?}\n{new}"))?;
    if m.stages.len() != 2 {
        return Err(format!("{} stages\n{new}", m.stages.len()));
    }
    let runtime_line = df.instructions().nth(m.stages[1].instruction).unwrap().start_line;
    let findings: Vec<String> = lint(&df, &m, &Settings::default())
        .diagnostics
        .into_iter()
        .filter(|d| SIZE_RULES.contains(&d.code) && df.line_col(d.span.start).0 >= runtime_line)
        .map(|d| format!("{} line {}: {}", d.code, df.line_col(d.span.start).0, d.message))
        .collect();
    if !findings.is_empty() {
        return Err(format!("size findings left: {findings:?}\n{new}"));
    }
    // every original instruction is still there: in the builder, or (contract) in the runtime stage
    let odf = parse_str(original).unwrap();
    let builder: Vec<String> = df
        .instructions()
        .filter(|i| i.start_line < df.instructions().nth(m.stages[1].instruction).unwrap().start_line)
        .map(|i| i.original.clone())
        .collect();
    let runtime: Vec<String> = df.instructions().skip(m.stages[1].instruction).map(|i| i.original.clone()).collect();
    let first_from = odf.instructions().position(|i| i.name() == "from").unwrap_or(0);
    for i in odf.instructions().skip(first_from) {
        let name = i.name();
        if name == "from" {
            continue;
        }
        // the builder may add words to a command (`go build -trimpath -ldflags="-s -w"`)
        let in_builder = builder.contains(&i.original) || builder.iter().any(|b| subsequence(&i.original, b));
        let in_runtime = runtime.contains(&i.original)
            || (matches!(name.as_str(), "cmd" | "entrypoint")
                && runtime.iter().any(|r| r.to_ascii_lowercase().starts_with(&name)));
        // an ENV of build settings only (CFLAGS, DEBIAN_FRONTEND) stays in the builder
        let build_env = name == "env"
            && m_original_env_keys(&i.original)
                .iter()
                .all(|k| imgslim::rewrite::input::BUILD_ENV.contains(&k.as_str()));
        if CONTRACT.contains(&name.as_str()) && !in_runtime && !(build_env && in_builder) {
            return Err(format!("line {}: `{}` is missing from the runtime stage\n{new}", i.start_line, i.original));
        }
        if !in_builder && !in_runtime {
            return Err(format!("line {}: `{}` is lost\n{new}", i.start_line, i.original));
        }
    }
    Ok(())
}

/// The keys an `ENV` line sets (`ENV A=1 B=2`, `ENV A 1`).
fn m_original_env_keys(line: &str) -> Vec<String> {
    let rest = line.trim_start()[3..].trim_start();
    if !rest.contains('=') || rest.split_whitespace().next().is_some_and(|w| !w.contains('=')) {
        return rest.split_whitespace().next().map(|k| vec![k.to_string()]).unwrap_or_default();
    }
    rest.split_whitespace().filter_map(|w| w.split_once('=').map(|(k, _)| k.to_string())).collect()
}

/// The rewrite flags an example app asks for (`args` in its smoke.toml).
pub fn app_args(app: &std::path::Path) -> Vec<String> {
    let t: toml::Table = std::fs::read_to_string(app.join("smoke.toml")).unwrap().parse().unwrap();
    t.get("args")
        .and_then(|a| a.as_array())
        .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

/// Are the words of `a` a subsequence of the words of `b` (same order, possibly more words)?
fn subsequence(a: &str, b: &str) -> bool {
    let mut bw = b.split_whitespace();
    a.split_whitespace().all(|w| bw.any(|x| x == w))
}
