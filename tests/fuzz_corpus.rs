//! The fuzz targets' bodies (`imgslim::fuzzing`) over everything in `fuzz/corpus/<target>/`: the
//! committed seeds (`fuzz/seeds.py`) and whatever a fuzzing run kept, so a crash once found stays
//! fixed. Each image seed is also checked to analyze (a seed that is refused tests nothing).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

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

/// Address space a child may use: a seed that once allocated gigabytes fails here cleanly
/// (allocation failure aborts the child) instead of taking the machine's memory.
const AS_LIMIT: u64 = 2 << 30;
/// A hang detector, not a timing assertion: the slowest target takes seconds.
const KILL_AFTER: Duration = Duration::from_secs(600);
/// Set in the child this test binary starts for one target.
const CHILD_ENV: &str = "IMGSLIM_FUZZ_CORPUS_TARGET";

fn body(target: &str) -> fn(&[u8]) {
    match target {
        "image" => imgslim::fuzzing::image_target,
        "shell" => imgslim::fuzzing::shell_target,
        "lint" => imgslim::fuzzing::lint_target,
        "parse" => imgslim::fuzzing::parse_target,
        "expand" => imgslim::fuzzing::expand_target,
        "rewrite" => imgslim::fuzzing::rewrite_target,
        "grammar" => imgslim::fuzzing::grammar_target,
        other => panic!("no fuzz target {other}"),
    }
}

/// Runs one target's corpus in a child (this test binary, `child_runs_one_target`) under an
/// address-space limit and a kill timer, so a seed that regresses into a blowup or a hang fails
/// this test, naming the seed, rather than the whole `cargo test`.
fn run(target: &'static str) {
    let exe = std::env::current_exe().unwrap();
    let mut cmd = Command::new(exe);
    cmd.args(["--ignored", "--exact", "child_runs_one_target", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, target)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("start the child");
    let stderr = child.stderr.take().unwrap();
    let log = std::thread::spawn(move || {
        let mut v = String::new();
        let _ = std::io::BufReader::new(stderr).read_to_string(&mut v);
        v
    });
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break Some(s);
        }
        if start.elapsed() > KILL_AFTER {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let log = log.join().unwrap();
    let last = log.lines().rev().find_map(|l| l.strip_prefix("seed: ")).unwrap_or("(before the first seed)");
    match status {
        None => panic!("{target}: still running after {KILL_AFTER:?} on {last} (a hang)"),
        Some(s) if !s.success() => {
            let tail: Vec<&str> = log.lines().rev().take(20).collect::<Vec<_>>().into_iter().rev().collect();
            panic!("{target}: the child failed ({s}) on {last}\n{}", tail.join("\n"))
        }
        Some(_) => assert!(log.contains("seeds: "), "{target}: the child ran no seeds\n{log}"),
    }
}

/// The child side of `run`: ignored in a plain `cargo test`, started by `run` with `--ignored`.
#[test]
#[ignore = "started by the other tests of this file, one target each"]
fn child_runs_one_target() {
    let target = std::env::var(CHILD_ENV).expect("started by run() with the target to run");
    let lim = libc::rlimit { rlim_cur: AS_LIMIT, rlim_max: AS_LIMIT };
    assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_AS, &lim) }, 0);
    let files = corpus(&target);
    let body = body(&target);
    // the bodies recurse (bounded by limits::MAX_NESTING): the stack the binary gives its workers
    let n = files.len();
    let t = std::thread::Builder::new()
        .stack_size(imgslim::limits::THREAD_STACK_BYTES)
        .spawn(move || {
            for f in &files {
                eprintln!("seed: {}", f.display());
                let data = std::fs::read(f).unwrap();
                let r = std::panic::catch_unwind(|| body(&data));
                assert!(r.is_ok(), "{} panics on {}", target, f.display());
            }
        })
        .unwrap();
    t.join().unwrap();
    eprintln!("seeds: {n}");
}

#[test]
fn image_seeds() {
    run("image");
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
    run("shell");
}

#[test]
fn lint_seeds() {
    run("lint");
}

#[test]
fn parse_seeds() {
    run("parse");
}

#[test]
fn expand_seeds() {
    run("expand");
}

#[test]
fn rewrite_seeds() {
    run("rewrite");
    // the seeds are the apps' Dockerfiles: the target checks rewrites only if some are rewritten
    let rewritten = corpus("rewrite")
        .iter()
        .filter(|f| {
            let df = imgslim::dockerfile::parse(&std::fs::read(f).unwrap()).unwrap();
            let m = imgslim::dockerfile::model::build(&df).unwrap();
            matches!(
                imgslim::rewrite::plan(&df, &m, None, &Default::default()),
                imgslim::rewrite::Outcome::Rewritten(_)
            )
        })
        .count();
    assert!(rewritten >= 15, "only {rewritten} rewrite seeds are rewritten");
}

#[test]
fn grammar_seeds() {
    run("grammar");
}
