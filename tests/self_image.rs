//! imgslim's own image (the repository's Containerfile): its runtime stage built with buildah on
//! the distroless stand-in, with a binary built on the host (the offline rust stand-in is too
//! old to build imgslim), then analyzed and gated by imgslim itself, and the Containerfile
//! linted clean of size findings.

mod common;

use std::path::Path;

fn imgslim() -> assert_cmd::Command {
    let mut c = assert_cmd::Command::cargo_bin("imgslim").unwrap();
    c.env("NO_COLOR", "1").env_remove("IMGSLIM_CONFIG");
    c
}

#[test]
fn imgslim_analyzes_and_gates_its_own_image() {
    if common::buildah::ready("gcr.io/distroless/cc-debian12").is_none() {
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let containerfile = std::fs::read_to_string(root.join("Containerfile")).unwrap();
    // the runtime stage, the binary from the context instead of the builder stage
    let runtime =
        &containerfile[containerfile.find("FROM gcr.io/distroless/cc-debian12 AS runtime").expect("runtime stage")..];
    assert!(runtime.contains("COPY --from=builder /imgslim /usr/local/bin/imgslim"), "{runtime}");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Containerfile"), runtime.replace("COPY --from=builder /imgslim", "COPY imgslim"))
        .unwrap();
    let bin = assert_cmd::cargo::cargo_bin("imgslim");
    std::fs::copy(&bin, dir.path().join("imgslim")).unwrap();
    let strip = std::process::Command::new("strip").arg(dir.path().join("imgslim")).status();
    assert!(strip.is_ok_and(|s| s.success()), "strip (binutils)");
    let tag = "localhost/imgslim-self:test";
    common::buildah::build(dir.path(), &dir.path().join("Containerfile"), tag);
    // it runs: the binary's own --version from inside the image
    let version = common::buildah::run_in(tag, &["/usr/local/bin/imgslim", "--version"]);
    assert!(version.starts_with("imgslim "), "{version}");

    let out = imgslim().args(["analyze", tag, "--format", "json"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["largest_files"][0]["path"], "/usr/local/bin/imgslim", "the binary is the largest file");
    assert_eq!(r["config"]["user"], "nonroot");
    let out = imgslim()
        .args(["gate", tag, "--max-size", "200MB", "--forbid", "compiler", "--forbid", "headers", "--max-layers", "4"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    let out =
        imgslim().args(["lint", "--format", "json", "--no-fail"]).arg(root.join("Containerfile")).output().unwrap();
    let findings: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let size: Vec<&serde_json::Value> =
        findings.as_array().unwrap().iter().filter(|d| d["category"] == "size").collect();
    assert!(size.is_empty(), "size findings on our own Containerfile: {size:?}");
    let _ = std::process::Command::new("buildah").args(["rmi", tag]).output();
}
