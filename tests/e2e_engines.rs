//! `imgslim rewrite --verify` through the Docker engine and through podman, not only buildah:
//! a private dockerd (Debian's docker.io 20.10, BuildKit builds with `--network host`) and podman
//! (sharing buildah's storage, so the stand-in base images are there). Each rewrite builds, its
//! smoke command passes in both images, and the contract is kept.

mod common;

use std::path::Path;
use std::time::Duration;

fn app(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/apps").join(name)
}

fn verify(app: &Path, builder: &str, smoke: &str, env: &[(String, String)], extra: &[&str]) -> serde_json::Value {
    let mut cmd = assert_cmd::Command::cargo_bin("imgslim").unwrap();
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd
        .args(["rewrite", "--verify", "--explain", "--builder", builder, "--format", "json", "--smoke", smoke])
        .args(extra)
        .arg(app.join("Dockerfile"))
        .timeout(Duration::from_secs(1500))
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{builder} {}: no JSON ({e}):\n{}", app.display(), String::from_utf8_lossy(&out.stderr))
    });
    let ver = &v["verification"];
    assert_eq!(ver["ok"], true, "{builder} {}: {ver:#}", app.display());
    assert_eq!(ver["builder"], builder);
    for side in ["original", "rewrite"] {
        assert_eq!(ver[side]["smoke"]["exit_code"], 0, "{builder} {side}: {ver:#}");
    }
    v
}

#[test]
fn verify_builds_and_runs_through_docker() {
    if common::buildah::ready("golang:1.19").is_none() {
        return;
    }
    let Some(engine) = common::docker::Engine::start() else { return };
    for image in
        ["golang:1.19", "gcr.io/distroless/static-debian12", "debian:bookworm", "gcr.io/distroless/base-debian12"]
    {
        engine.load_from_buildah(image);
    }
    let env = engine.env();
    let v = verify(&app("go-plain"), "docker", "./quotes -once", &env, &["--network", "host"]);
    let stdout = v["verification"]["rewrite"]["smoke"]["stdout"].as_str().unwrap_or("");
    assert!(stdout.contains("\"count\":3"), "{stdout}");
    // a C program with a library: the probe runs under BuildKit and copies libsqlite3
    let v = verify(&app("c-make"), "docker", "notes add hello", &env, &["--network", "host"]);
    let libs = v["verification"]["evidence"]["libraries"].as_array().cloned().unwrap_or_default();
    assert!(
        libs.iter().any(|l| l[0].as_str().is_some_and(|p| p.contains("libsqlite3")) && l[1] == "libsqlite3-0"),
        "{libs:?}"
    );
}

#[test]
fn verify_builds_and_runs_through_podman() {
    if common::buildah::ready("python:3.11").is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let Some(conf) = common::docker::podman_conf(dir.path()) else { return };
    let env = vec![("CONTAINERS_CONF".to_string(), conf.display().to_string())];
    // psycopg2 built from source: the probe finds libpq5, which the slim runtime installs
    let v = verify(&app("py-libpq"), "podman", "python app.py --check", &env, &[]);
    let ev = &v["verification"]["evidence"];
    assert!(ev["packages"].as_array().is_some_and(|p| p.iter().any(|x| x == "libpq5")), "{ev:#}");
}
