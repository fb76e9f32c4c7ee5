//! Every rule against its fixture (`fixtures/lint/<CODE>-<name>.Dockerfile`): instructions marked
//! `# expect: CODE` must be caught, all others must not. The findings and the fix diff are
//! snapshot-tested; fixes are applied until nothing changes, the result re-parses, the fixed
//! findings are gone, and fixing again changes nothing.

use imgslim::dockerfile::{model, parse_str};
use imgslim::lint::{codes, fix, lint, Applicability, Diagnostic, Settings};
use std::path::{Path, PathBuf};

struct Fixture {
    code: String,
    text: String,
    /// 1-based lines (in `text`) of instructions that must be caught.
    expected: Vec<usize>,
    context: Option<PathBuf>,
}

fn load(path: &Path) -> Fixture {
    let raw = std::fs::read_to_string(path).unwrap();
    let name = path.file_stem().unwrap().to_string_lossy().into_owned();
    let code = name.split('-').next().unwrap().to_string();
    let mut text = String::new();
    let mut expected = Vec::new();
    let mut pending = false;
    let mut line = 0;
    for l in raw.split_inclusive('\n') {
        if let Some(codes) = l.trim().strip_prefix("# expect:") {
            assert!(codes.split(',').any(|c| c.trim() == code), "{name}: expect line for another code");
            pending = true;
            continue;
        }
        line += 1;
        if pending {
            expected.push(line);
            pending = false;
        }
        text.push_str(l);
    }
    let ctx = path.with_extension("context");
    Fixture { code, text, expected, context: ctx.is_dir().then_some(ctx) }
}

/// The settings a fixture runs with: rules that act only when configured get their
/// configuration (as the fixture's header comment says), the opt-in rule is enabled.
fn settings(f: &Fixture) -> Settings {
    let mut s = Settings { context_dir: f.context.clone(), ..Default::default() };
    match f.code.as_str() {
        "IS305" => s.trusted_registries = vec!["docker.io".into(), "*.gcr.io".into()],
        "IS510" => s.enable = vec!["IS510".into()],
        "IS511" => {
            s.label_schema = vec![("version".into(), "semver".into()), ("maintainer".into(), "email".into())];
            s.strict_labels = true;
        }
        _ => {}
    }
    s
}

fn findings(f: &Fixture, text: &str) -> Vec<Diagnostic> {
    let df = parse_str(text).unwrap();
    let m = model::build(&df).unwrap();
    lint(&df, &m, &settings(f)).diagnostics.into_iter().filter(|d| d.code == f.code).collect()
}

fn render(f: &Fixture, diags: &[Diagnostic]) -> String {
    let df = parse_str(&f.text).unwrap();
    let mut out = String::new();
    for d in diags {
        let (l, c) = df.line_col(d.span.start);
        out.push_str(&format!("{l}:{c} {} {:?} {}\n", d.code, d.severity, d.message));
        if let (Some(b), Some(how)) = (d.estimated_bytes, &d.estimate) {
            out.push_str(&format!("    estimate: {b} bytes ({how})\n"));
        }
        if let Some(fx) = &d.fix {
            out.push_str(&format!("    fix ({:?}): {}\n", fx.applicability, fx.title));
        }
    }
    out
}

fn diff(before: &str, after: &str) -> String {
    similar::TextDiff::from_lines(before, after).unified_diff().context_radius(1).to_string()
}

fn check(path: &Path) -> Result<String, String> {
    let f = load(path);
    let rule = codes::by_code(&f.code).ok_or_else(|| format!("{}: no rule {}", path.display(), f.code))?;
    let df = parse_str(&f.text).unwrap();
    let diags = findings(&f, &f.text);
    let line_of = |d: &Diagnostic| df.line_col(d.span.start).0;
    let start_lines: Vec<(usize, usize)> = df.instructions().map(|i| (i.start_line, i.end_line)).collect();
    let instruction_of = |line: usize| start_lines.iter().find(|(s, e)| *s <= line && line <= *e).map(|(s, _)| *s);
    let caught: Vec<usize> = diags.iter().filter_map(|d| instruction_of(line_of(d))).collect();
    let mut problems = Vec::new();
    for e in &f.expected {
        if !caught.contains(e) {
            problems.push(format!("line {e}: expected {} here, not reported", f.code));
        }
    }
    for c in &caught {
        if !f.expected.contains(c) {
            problems.push(format!("line {c}: {} reported but not expected", f.code));
        }
    }
    if f.expected.is_empty() {
        problems.push("the fixture expects nothing".into());
    }
    // fixes: apply everything applicable until stable, re-parse, the fixed findings are gone
    let mut snapshot = render(&f, &diags);
    if rule.meta().fix.is_some() {
        let fixed = fix::fix_all(&f.text, &settings(&f), Applicability::Unsafe).map_err(|e| e.message)?;
        let again = fix::fix_all(&fixed.text, &settings(&f), Applicability::Unsafe).map_err(|e| e.message)?;
        if again.text != fixed.text {
            problems.push("fixing twice changes the file again".into());
        }
        let left: Vec<Diagnostic> = findings(&f, &fixed.text)
            .into_iter()
            .filter(|d| d.fix.as_ref().is_some_and(|x| x.applicability >= Applicability::Unsafe))
            .collect();
        if !left.is_empty() {
            problems.push(format!("fixable findings remain after fixing: {}", render(&f, &left)));
        }
        if diags.iter().any(|d| d.fix.is_some()) && fixed.text == f.text {
            problems.push("fixes are offered but none applies".into());
        }
        snapshot.push_str("\n--- fixed (all applicable fixes, all rules)\n");
        snapshot.push_str(&diff(&f.text, &fixed.text));
    }
    if problems.is_empty() {
        Ok(snapshot)
    } else {
        Err(format!("{}:\n  {}", path.display(), problems.join("\n  ")))
    }
}

#[test]
fn every_rule_has_a_fixture_and_passes_it() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/lint");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "Dockerfile"))
        .collect();
    files.sort();
    let covered: Vec<String> =
        files.iter().map(|p| p.file_stem().unwrap().to_string_lossy().split('-').next().unwrap().to_string()).collect();
    for (code, _) in codes::RULES {
        assert!(covered.iter().any(|c| c == code), "no fixture for {code}");
    }
    let mut failures = Vec::new();
    for p in &files {
        match check(p) {
            Ok(snapshot) => {
                let name = p.file_stem().unwrap().to_string_lossy().into_owned();
                insta::with_settings!({ snapshot_path => "snapshots/lint", prepend_module_to_snapshot => false, omit_expression => true }, {
                    insta::assert_snapshot!(name, snapshot);
                });
            }
            Err(e) => failures.push(e),
        }
    }
    assert!(failures.is_empty(), "{} fixtures fail:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn suppression_comments_and_settings() {
    let src = "FROM debian:bookworm\n# imgslim ignore=IS101\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n\
               # hadolint ignore=DL3015,DL3008\nRUN apt-get update && apt-get install -y wget && rm -rf /var/lib/apt/lists/*\n\
               RUN apt-get update && apt-get install -y jq && rm -rf /var/lib/apt/lists/*\n";
    let df = parse_str(src).unwrap();
    let m = model::build(&df).unwrap();
    let r = lint(&df, &m, &Settings::default());
    let lines: Vec<usize> =
        r.diagnostics.iter().filter(|d| d.code == "IS101").map(|d| df.line_col(d.span.start).0).collect();
    assert_eq!(lines, [6], "only the unsuppressed install is reported");
    let global = format!("# hadolint global ignore=DL3015\n{src}");
    let df = parse_str(&global).unwrap();
    let m = model::build(&df).unwrap();
    assert!(!lint(&df, &m, &Settings::default()).diagnostics.iter().any(|d| d.code == "IS101"));
    let directive = format!("# check=skip=JSONArgsRecommended\n{src}CMD python app.py\n");
    let df = parse_str(&directive).unwrap();
    let m = model::build(&df).unwrap();
    assert!(!lint(&df, &m, &Settings::default()).diagnostics.iter().any(|d| d.code == "IS404"));
    let df = parse_str(src).unwrap();
    let m = model::build(&df).unwrap();
    let s = Settings {
        ignore: vec!["apt-no-install-recommends".into()],
        severity: vec![("IS414".into(), imgslim::lint::Severity::Error)],
        ..Default::default()
    };
    let r = lint(&df, &m, &s);
    assert!(!r.diagnostics.iter().any(|d| d.code == "IS101"));
    assert!(r.diagnostics.iter().filter(|d| d.code == "IS414").all(|d| d.severity == imgslim::lint::Severity::Error));
}

#[test]
fn fixes_keep_comments_and_formatting() {
    let src = "# syntax=docker/dockerfile:1\nFROM debian:bookworm-slim\n\n# tools\nRUN apt-get update \\\n\t&& apt-get install -y curl   # not a comment inside RUN\n\nCMD [\"bash\"]\n";
    let fixed = fix::fix_all(src, &Settings::default(), Applicability::Safe).unwrap();
    assert_eq!(
        fixed.text,
        "# syntax=docker/dockerfile:1\nFROM debian:bookworm-slim\n\n# tools\nRUN apt-get update \\\n\t&& apt-get install --no-install-recommends -y curl   # not a comment inside RUN\n\nCMD [\"bash\"]\n"
    );
}
