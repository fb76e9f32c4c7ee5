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

pub mod browser;
pub mod buildah;
pub mod docker;
pub mod faulty;
pub mod imagegen;
pub mod moto;
pub mod registry;
pub mod rewrite;

/// Check a SARIF file against the SARIF 2.1.0 JSON schema and with Microsoft's SARIF validator
/// (`npm pack @microsoft/sarif-multitool-linux`, found through IMGSLIM_SARIF_MULTITOOL).
pub fn validate_sarif(sarif_path: &std::path::Path) {
    let Some(tool) = std::env::var_os("IMGSLIM_SARIF_MULTITOOL").map(PathBuf::from).or_else(|| {
        let p = PathBuf::from("/var/cache/imgslim-tools/sarif-multitool/package");
        p.join("Sarif.Multitool").is_file().then_some(p)
    }) else {
        tool_missing::<()>(
            "Microsoft's SARIF validator (npm pack @microsoft/sarif-multitool-linux; set IMGSLIM_SARIF_MULTITOOL)",
        );
        return;
    };
    let check = std::process::Command::new("python3")
        .arg("-c")
        .arg("import json,sys,jsonschema; jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))")
        .arg(sarif_path)
        .arg(tool.join("sarif-2.1.0.json"))
        .output()
        .unwrap();
    assert!(check.status.success(), "SARIF schema: {}", String::from_utf8_lossy(&check.stderr));
    let report = sarif_path.with_extension("validation.sarif");
    let v = std::process::Command::new(tool.join("Sarif.Multitool"))
        .arg("validate")
        .arg(sarif_path)
        .arg("-o")
        .arg(&report)
        .output()
        .unwrap();
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stdout));
    let rep: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    let problems: Vec<&serde_json::Value> = rep["runs"][0]["results"]
        .as_array()
        .map(|a| a.iter().filter(|r| r["level"] != "note").collect())
        .unwrap_or_default();
    assert!(problems.is_empty(), "SARIF validator: {problems:#?}");
}
