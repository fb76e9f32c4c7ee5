//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

/// The read-only test data next to the repository (`../shared`), or `$IMGSLIM_SHARED`.
/// Tests that need it fail loudly when it is missing rather than passing vacuously.
pub fn shared_dir() -> PathBuf {
    let dir = std::env::var_os("IMGSLIM_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"));
    assert!(
        dir.join("conformance").is_dir(),
        "test data not found at {} (set IMGSLIM_SHARED to the shared/ directory)",
        dir.display()
    );
    dir
}

/// Sorted subdirectories of a directory.
pub fn subdirs(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    v.sort();
    v
}

/// A test needs a tool that is not installed. In CI (`IMGSLIM_REQUIRE_TOOLS=1`) that is a failure;
/// elsewhere the test says what is missing and is skipped.
pub fn tool_missing<T>(what: &str) -> Option<T> {
    if std::env::var_os("IMGSLIM_REQUIRE_TOOLS").is_some_and(|v| v == "1") {
        panic!("required tool missing: {what}");
    }
    eprintln!("SKIPPED: this test needs {what}, which is not installed");
    None
}

pub mod buildah;
pub mod imagegen;
pub mod rewrite;
