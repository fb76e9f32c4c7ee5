//! The fuzz targets' bodies (`imgslim::fuzzing`) over everything in `fuzz/corpus/<target>/`: the
//! committed seeds (`fuzz/seeds.py`) and whatever a fuzzing run kept, so a crash once found stays
//! fixed. Each image seed is also checked to analyze (a seed that is refused tests nothing).

use std::path::{Path, PathBuf};

fn corpus(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus").join(target);
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    v.sort();
    assert!(!v.is_empty(), "no seeds in {}", dir.display());
    v
}

fn run(target: &'static str, body: fn(&[u8])) {
    // the bodies recurse (bounded by limits::MAX_NESTING): the stack the binary gives its workers
    let files = corpus(target);
    let t = std::thread::Builder::new()
        .stack_size(imgslim::limits::THREAD_STACK_BYTES)
        .spawn(move || {
            for f in &files {
                let data = std::fs::read(f).unwrap();
                let r = std::panic::catch_unwind(|| body(&data));
                assert!(r.is_ok(), "{} panics on {}", target, f.display());
            }
        })
        .unwrap();
    t.join().unwrap();
}

#[test]
fn image_seeds() {
    run("image", imgslim::fuzzing::image_target);
    for f in corpus("image")
        .iter()
        .filter(|f| f.to_string_lossy().contains("seed") || f.extension().is_some_and(|e| e == "tar"))
    {
        let image = imgslim::image::open(f, &Default::default()).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let r = imgslim::analyze::analyze(&image, &Default::default()).unwrap();
        assert!(
            r.wasted_bytes > 0 && r.layers[1].changes.removed_files > 0,
            "{}: the seed exercises deletes",
            f.display()
        );
    }
}

#[test]
fn shell_seeds() {
    run("shell", imgslim::fuzzing::shell_target);
}

#[test]
fn lint_seeds() {
    run("lint", imgslim::fuzzing::lint_target);
}
