//! `analyze Dockerfile`'s accounting over the 1118 real Dockerfiles of ../shared/corpus (base
//! images from the tables, as on a machine that has none of them): the avoidable bytes never
//! exceed the image, the rewrite's image is never larger than the image it rewrites when it is
//! proposed, no builder-stage advice (IS108/IS109) where `rewrite` refuses for nothing to gain,
//! every estimate names where its base figures came from, size findings come largest first, and
//! the fat-base fix re-parses into a tag the base-image table publishes.

mod common;

use imgslim::analyze::base::{from_table, BaseSource};
use imgslim::analyze::dockerfile::{accounting::Thresholds, analyze};
use imgslim::dockerfile::{model, parse_str};
use imgslim::lint::{fix, Applicability, Category, Settings};
use imgslim::rewrite::{Outcome, RefusalKind};
use std::path::PathBuf;
use std::sync::Arc;

fn corpus() -> Vec<PathBuf> {
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
    let mut files = Vec::new();
    walk(&common::shared_dir().join("corpus"), &mut files);
    files.sort();
    assert!(files.len() >= 1100, "corpus incomplete: {} files", files.len());
    files
}

#[test]
fn corpus_accounting_holds_together() {
    let bases = |r: &str| Arc::new(from_table(r));
    let mut problems = Vec::new();
    let (mut files, mut unknown_base, mut fat_fixes, mut refused_no_gain) = (0, 0, 0, 0);
    for path in corpus() {
        let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let Ok(df) = parse_str(&text) else { continue };
        let Ok(m) = model::build(&df) else { continue };
        files += 1;
        let a = analyze(&df, &m, &Settings::default(), &Default::default(), &bases, Thresholds::default());
        let e = &a.accounting;
        if e.base_source == BaseSource::Unknown {
            unknown_base += 1;
        }
        if let Some(image) = e.image_bytes {
            if e.findings_bytes > image {
                problems.push(format!("{name}: avoidable {} > image {image}", e.findings_bytes));
            }
            if let Some(after) = e.rewrite_image_bytes {
                if after > image {
                    problems.push(format!("{name}: the rewrite ({after}) is proposed larger than the image ({image})"));
                }
                if e.rewrite_bytes != Some(image - after) {
                    problems.push(format!("{name}: rewrite saving {:?} is not image - rewrite", e.rewrite_bytes));
                }
            }
        }
        if let Outcome::Refused(r) = &a.outcome {
            if matches!(r.kind, RefusalKind::NothingToGain | RefusalKind::NotAProgram) {
                refused_no_gain += 1;
                if let Some(d) = a.diagnostics.iter().find(|d| d.code == "IS108" || d.code == "IS109") {
                    problems.push(format!("{name}: {} advises a builder stage, rewrite says: {}", d.code, r.message));
                }
            }
        }
        let sizes: Vec<u64> = a
            .diagnostics
            .iter()
            .take_while(|d| d.category == Category::Size)
            .map(|d| d.estimated_bytes.unwrap_or(0))
            .collect();
        if sizes.windows(2).any(|w| w[0] < w[1]) {
            problems.push(format!("{name}: size findings not largest first: {sizes:?}"));
        }
        for d in a.diagnostics.iter().filter(|d| d.code == "IS112") {
            let Some(f) = &d.fix else { continue };
            let (fixed, n) = fix::apply(&text, std::slice::from_ref(d), Applicability::Unsafe);
            assert_eq!(n, 1, "{name}");
            let Ok(df2) = parse_str(&fixed) else {
                problems.push(format!("{name}: the IS112 fix does not parse"));
                continue;
            };
            let m2 = model::build(&df2).unwrap();
            let base = &m2.stages.last().unwrap().base.text;
            let known = imgslim::data::published(base);
            if !known || f.edits.iter().any(|e| !e.text.contains(':')) {
                problems.push(format!("{name}: the IS112 fix writes {base}, not a tag of rules/base-images.toml"));
            }
            fat_fixes += 1;
        }
    }
    eprintln!(
        "{files} files: {unknown_base} with a base image the table does not know, {fat_fixes} fat-base fixes, {refused_no_gain} rewrites refused for nothing to gain"
    );
    assert!(fat_fixes > 20, "the fat-base fix should apply to many corpus files: {fat_fixes}");
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
}

/// `imgslim analyze` over many files, one of which does not parse (the corpus has one): every
/// other file is analyzed and reported, the broken one is a syntax-error finding in its place
/// (as `lint` reports it), and the run exits 2 saying how many could not be parsed.
#[test]
fn analyze_many_files_reports_the_one_that_does_not_parse() {
    let files = corpus();
    let out = assert_cmd::Command::cargo_bin("imgslim")
        .unwrap()
        .args(["analyze", "--format", "json", "--failure-threshold", "none"])
        .args(&files)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 file could not be parsed"));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("a JSON array on stdout");
    let entries = v.as_array().unwrap();
    assert_eq!(entries.len(), files.len());
    let broken: Vec<&serde_json::Value> = entries.iter().filter(|e| e.get("error").is_some()).collect();
    assert_eq!(broken.len(), 1);
    assert_eq!(broken[0]["findings"][0]["code"], "IS000");
    assert!(broken[0]["error"]["line"].as_u64().unwrap() > 0);
    assert!(entries.iter().filter(|e| e.get("error").is_none()).all(|e| e["estimate"].is_object()));
}
