//! The planner over every file of ../shared/corpus: no panic; single-stage files get a rewrite or
//! a clear refusal; multi-stage files are left alone; every rewrite passes the emitted-file
//! checks (parses, two stages, no size findings left, nothing lost, the contract in the runtime
//! stage). The counts are snapshot-tested.

mod common;

use imgslim::dockerfile::{model, parse_str};
use imgslim::rewrite::{plan, Options, Outcome};
use std::collections::BTreeMap;

#[test]
fn corpus_rewrites_or_refuses_clearly() {
    let dir = common::shared_dir().join("corpus");
    let mut files = Vec::new();
    fn walk(d: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out)
            } else if p.extension().is_some_and(|x| x == "Dockerfile") {
                out.push(p)
            }
        }
    }
    walk(&dir, &mut files);
    files.sort();
    let (mut single, mut multi, mut rewritten, mut refused, mut left_alone) = (0, 0, 0, 0, 0);
    let mut by_ecosystem: BTreeMap<String, usize> = BTreeMap::new();
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    let variable = regex::Regex::new(r"`[^`]*`|\S+:\S+|/\S+").unwrap();
    for f in &files {
        let text = String::from_utf8_lossy(&std::fs::read(f).unwrap()).into_owned();
        let df = parse_str(&text).unwrap();
        let Ok(m) = model::build(&df) else { continue };
        if m.stages.len() == 1 {
            single += 1;
        } else {
            multi += 1;
        }
        match plan(&df, &m, None, &Options::default()) {
            Outcome::Rewritten(p) => {
                rewritten += 1;
                *by_ecosystem.entry(p.ecosystem.as_str().to_string()).or_default() += 1;
                if let Err(e) = common::rewrite::check(&text, &p) {
                    failures.push(format!("{}: {e}", f.display()));
                }
            }
            Outcome::Refused(r) => {
                refused += 1;
                assert!(!r.message.is_empty());
                // group by the message's shape (variable parts removed)
                let shape: String = variable.replace_all(&r.message, "_").into_owned();
                *reasons.entry(shape).or_default() += 1;
            }
            Outcome::AlreadyMultiStage { .. } => left_alone += 1,
        }
    }
    let mut report = format!(
        "files: {}\nsingle-stage: {single}\nmulti-stage: {multi}\nrewritten: {rewritten}\nrefused: {refused}\nalready multi-stage: {left_alone}\n\nrewritten by ecosystem:\n",
        files.len()
    );
    for (k, v) in &by_ecosystem {
        report.push_str(&format!("  {k}: {v}\n"));
    }
    report.push_str("\nrefusals:\n");
    let mut rs: Vec<_> = reasons.into_iter().collect();
    rs.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    for (k, v) in rs {
        report.push_str(&format!("  {v:>4} {k}\n"));
    }
    assert!(
        failures.is_empty(),
        "{} emitted files fail the checks:\n{}",
        failures.len(),
        failures.iter().take(10).cloned().collect::<Vec<_>>().join("\n\n")
    );
    insta::assert_snapshot!("rewrite_corpus", report);
}
