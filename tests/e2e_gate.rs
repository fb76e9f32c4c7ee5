//! End to end: build the runtime-report example single-stage and as imgslim rewrites it, with
//! buildah; `imgslim compare` them; gate the rewrite against the single-stage baseline (passes)
//! and the single-stage image against the rewrite (fails, exit 1, naming the biggest growth and
//! its Dockerfile line).

mod common;

use std::path::Path;

fn imgslim() -> assert_cmd::Command {
    let mut c = assert_cmd::Command::cargo_bin("imgslim").unwrap();
    c.env("NO_COLOR", "1").env_remove("IMGSLIM_CONFIG").env_remove("GITHUB_STEP_SUMMARY");
    c
}

#[test]
fn compare_and_gate_single_stage_against_rewrite() {
    for base in ["python:3.11", "python:3.11-slim"] {
        if common::buildah::ready(base).is_none() {
            return;
        }
    }
    let app = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/runtime-report");
    let dir = tempfile::tempdir().unwrap();
    let rewritten = dir.path().join("Dockerfile.rewrite");
    let out = imgslim().args(["rewrite", "-o"]).arg(&rewritten).arg(app.join("Dockerfile")).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let single = dir.path().join("single.tar");
    let multi = dir.path().join("multi.tar");
    common::buildah::build(&app, &app.join("Dockerfile"), "localhost/imgslim-e2e-gate:single");
    common::buildah::build(&app, &rewritten, "localhost/imgslim-e2e-gate:multi");
    common::buildah::push("localhost/imgslim-e2e-gate:single", &format!("docker-archive:{}", single.display()), false);
    common::buildah::push("localhost/imgslim-e2e-gate:multi", &format!("docker-archive:{}", multi.display()), false);

    let out = imgslim().args(["compare", "--format", "json"]).arg(&single).arg(&multi).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let c: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let (a, b) = (c["a"]["size_bytes"].as_u64().unwrap(), c["b"]["size_bytes"].as_u64().unwrap());
    assert!(b * 2 < a, "the rewrite is less than half: {a} -> {b}");
    assert_eq!(c["delta_bytes"].as_i64().unwrap(), b as i64 - a as i64);
    assert!(c["packages_removed"].as_array().unwrap().iter().any(|p| p.as_str().unwrap().starts_with("gcc ")));
    eprintln!("single-stage {a} B, rewrite {b} B ({:.1}%)", c["delta_percent"].as_f64().unwrap());

    // the rewrite against the single-stage baseline: no growth
    let out = imgslim()
        .args(["gate", "--max-growth", "0%", "--forbid", "compiler", "--baseline"])
        .arg(&single)
        .arg(&multi)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));

    // the single-stage image against the rewrite: fails, and says why and where
    let out = imgslim()
        .args(["gate", "--max-growth", "10%", "--forbid", "compiler", "--baseline"])
        .arg(&multi)
        .arg(&single)
        .arg("--dockerfile")
        .arg(app.join("Dockerfile"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("FAIL max_growth") && text.contains("biggest growth: layer 1 (+"), "{text}");
    assert!(text.contains("from Dockerfile line 2: FROM python:3.11 (base image)"), "{text}");
    // the full python image already carries the compilers (the apt-get line adds nothing new)
    assert!(
        text.contains("FAIL forbid:compiler") && text.contains("of compiler in the image (layer 1, Dockerfile line 2"),
        "{text}"
    );
    for t in ["single", "multi"] {
        let _ =
            std::process::Command::new("buildah").args(["rmi", &format!("localhost/imgslim-e2e-gate:{t}")]).output();
    }
}
