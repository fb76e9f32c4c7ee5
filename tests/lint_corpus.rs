//! The linter over the 1118 real Dockerfiles in ../shared/corpus: no crash, no parse error, a stable
//! count of findings per rule (insta snapshot), and safe fixes that re-parse, are idempotent and
//! leave none of the findings they fix.

mod common;

use imgslim::dockerfile::{model, parse_str};
use imgslim::lint::{codes, fix, lint, Applicability, Settings};
use std::collections::BTreeMap;
use std::path::PathBuf;

fn corpus() -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    fn walk(dir: &std::path::Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "Dockerfile") {
                out.push(p);
            }
        }
    }
    walk(&common::shared_dir().join("corpus"), &mut files);
    files.sort();
    assert!(files.len() >= 1100, "corpus incomplete: {} files", files.len());
    files.into_iter().map(|p| (p.clone(), String::from_utf8_lossy(&std::fs::read(&p).unwrap()).into_owned())).collect()
}

/// The one corpus file BuildKit itself rejects (an instruction `...` used as a placeholder).
fn buildkit_rejects(text: &str) -> bool {
    text.lines().any(|l| l.trim() == "...")
}

#[test]
fn corpus_finding_counts_are_stable() {
    let settings = Settings::default();
    let mut counts: BTreeMap<&str, usize> = codes::RULES.iter().map(|(c, _)| (*c, 0)).collect();
    let mut rejected = Vec::new();
    let mut files_with_findings = 0;
    let mut estimated: u128 = 0;
    let files = corpus();
    for (path, text) in &files {
        let df = parse_str(text).unwrap_or_else(|e| panic!("{}: parse error {e:?}", path.display()));
        let m = match model::build(&df) {
            Ok(m) => m,
            Err(e) if buildkit_rejects(text) => {
                rejected.push(format!("{}: {e:?}", path.file_name().unwrap().to_string_lossy()));
                continue;
            }
            Err(e) => panic!("{}: {e:?}", path.display()),
        };
        let r = lint(&df, &m, &settings);
        files_with_findings += usize::from(!r.diagnostics.is_empty());
        for d in &r.diagnostics {
            *counts.get_mut(d.code).unwrap_or_else(|| panic!("unknown code {}", d.code)) += 1;
            estimated += u128::from(d.estimated_bytes.unwrap_or(0));
            let (start, end) = (d.span.start, d.span.end);
            assert!(
                start <= end && end <= text.len(),
                "{}: {} span {start}..{end} out of range",
                path.display(),
                d.code
            );
        }
    }
    assert_eq!(rejected.len(), 1, "only the `...` placeholder file is rejected: {rejected:?}");
    assert!(estimated > 0);
    let mut report = format!("files: {}\nfiles with findings: {files_with_findings}\n", files.len());
    for (code, n) in &counts {
        let name = codes::by_code(code).unwrap().meta().name;
        report.push_str(&format!("{code} {name:<32} {n}\n"));
    }
    insta::assert_snapshot!("corpus_counts", report);
}

#[test]
fn corpus_safe_fixes_reparse_and_are_idempotent() {
    let settings = Settings::default();
    let mut fixed_files = 0;
    let mut failures = Vec::new();
    for (path, text) in corpus() {
        if buildkit_rejects(&text) {
            continue;
        }
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let fixed = match fix::fix_all(&text, &settings, Applicability::Safe) {
            Ok(f) => f,
            Err(e) => {
                failures.push(format!("{name}: fix failed: {}", e.message));
                continue;
            }
        };
        if fixed.text == text {
            continue;
        }
        fixed_files += 1;
        let df = parse_str(&fixed.text).unwrap();
        let m = match model::build(&df) {
            Ok(m) => m,
            Err(e) => {
                failures.push(format!("{name}: fixed file no longer builds a model: {e:?}"));
                continue;
            }
        };
        let left: Vec<_> = lint(&df, &m, &settings)
            .diagnostics
            .into_iter()
            .filter(|d| d.fix.as_ref().is_some_and(|f| f.applicability == Applicability::Safe))
            .map(|d| d.code)
            .collect();
        if !left.is_empty() {
            failures.push(format!("{name}: safe fixes left {left:?}"));
        }
        let again = fix::fix_all(&fixed.text, &settings, Applicability::Safe).unwrap();
        if again.text != fixed.text {
            failures.push(format!("{name}: fixing twice changes the file again"));
        }
        // the instructions that were not touched are byte-for-byte the same
        let before = parse_str(&text).unwrap();
        assert_eq!(before.instructions().count(), df.instructions().count(), "{name}: fixes add or drop instructions");
    }
    assert!(failures.is_empty(), "{} problems:\n{}", failures.len(), failures.join("\n"));
    assert!(fixed_files > 100, "safe fixes apply to many corpus files, got {fixed_files}");
    eprintln!("safe fixes changed {fixed_files} corpus files");
}
