//! The whole 1118-file corpus (../shared/corpus) in one process: parse (syntax tree), parse + typed
//! model, and parse + model + every lint rule. `benches/peers.sh` (parse) and
//! `benches/lint_vs_hadolint.py` (lint) run BuildKit's parser and hadolint on the same files for ratios.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::path::{Path, PathBuf};

fn corpus() -> Vec<Vec<u8>> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.to_string_lossy().ends_with(".Dockerfile") {
                out.push(p);
            }
        }
    }
    let dir = std::env::var_os("IMGSLIM_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"))
        .join("corpus");
    let mut files = Vec::new();
    walk(&dir, &mut files);
    files.sort();
    files.iter().map(|p| std::fs::read(p).unwrap()).collect()
}

fn bench(c: &mut Criterion) {
    let files = corpus();
    assert_eq!(files.len(), 1118, "corpus not found or incomplete");
    let mut g = c.benchmark_group("corpus");
    g.throughput(Throughput::Elements(files.len() as u64));
    g.bench_function("parse", |b| b.iter(|| files.iter().filter(|f| imgslim::dockerfile::parse(f).is_ok()).count()));
    g.bench_function("parse+model", |b| {
        b.iter(|| {
            files
                .iter()
                .filter_map(|f| imgslim::dockerfile::parse(f).ok())
                .filter(|df| imgslim::dockerfile::model::build(df).is_ok())
                .count()
        })
    });
    let settings = imgslim::lint::Settings::default();
    g.bench_function("parse+model+lint", |b| {
        b.iter(|| {
            files
                .iter()
                .filter_map(|f| imgslim::dockerfile::parse(f).ok())
                .filter_map(|df| imgslim::dockerfile::model::build(&df).ok().map(|m| (df, m)))
                .map(|(df, m)| imgslim::lint::lint(&df, &m, &settings).diagnostics.len())
                .sum::<usize>()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
