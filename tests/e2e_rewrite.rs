//! `imgslim rewrite --verify` on the apps in fixtures/apps (and examples/runtime-report): each
//! single-stage Dockerfile is rewritten, both are built with buildah against the stand-in base
//! images of ../shared/e2e, a smoke command runs in both, the image configs keep the contract,
//! and the rewrite is at least 50% smaller. Prints the size table.
//!
//! Needs buildah and the base images (`../shared/e2e/base-images.sh`, and
//! `tests/e2e/java-base-images.sh` for the JDK); skipped with a message
//! when they are missing, a failure in CI (`IMGSLIM_REQUIRE_TOOLS=1`).

mod common;

use std::path::{Path, PathBuf};

fn apps() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut v = common::subdirs(&root.join("fixtures/apps"));
    v.push(root.join("examples/runtime-report"));
    v
}

struct Smoke {
    command: String,
    expect: regex::Regex,
    /// The app's rewrite flags.
    args: Vec<String>,
}

fn smoke(app: &Path) -> Smoke {
    let t: toml::Table = std::fs::read_to_string(app.join("smoke.toml")).unwrap().parse().unwrap();
    Smoke {
        command: t["smoke"].as_str().unwrap().to_string(),
        expect: regex::Regex::new(t["expect"].as_str().unwrap()).unwrap(),
        args: common::rewrite::app_args(app),
    }
}

#[test]
fn rewrites_build_run_and_are_smaller() {
    for base in [
        "python:3.11",
        "python:3.11-slim",
        "node:18",
        "node:18-slim",
        "golang:1.19",
        "rust:1.63",
        "debian:bookworm",
        "debian:bookworm-slim",
        "gcr.io/distroless/static-debian12",
        "gcr.io/distroless/base-debian12",
        "gcr.io/distroless/cc-debian12",
        "eclipse-temurin:17-jdk",
    ] {
        if common::buildah::ready(base).is_none() {
            return;
        }
    }
    let mut table = vec![format!("{:<16} {:>14} {:>14} {:>9}", "app", "single-stage", "rewrite", "reduction")];
    let mut failures = Vec::new();
    for app in apps() {
        let name = app.file_name().unwrap().to_string_lossy().into_owned();
        let s = smoke(&app);
        let out = assert_cmd::Command::cargo_bin("imgslim")
            .unwrap()
            .env("BUILDAH_ISOLATION", "chroot")
            .args(["rewrite", "--verify", "--builder", "buildah", "--format", "json", "--smoke", &s.command])
            .args(&s.args)
            .arg(app.join("Dockerfile"))
            .timeout(std::time::Duration::from_secs(1200))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        let v: serde_json::Value = match serde_json::from_slice(&out.stdout) {
            Ok(v) => v,
            Err(e) => {
                failures.push(format!("{name}: no JSON ({e}), exit {:?}\n{stderr}", out.status.code()));
                continue;
            }
        };
        let ver = &v["verification"];
        let (o, r) = (&ver["original"], &ver["rewrite"]);
        let (ob, rb) = (o["image_bytes"].as_u64().unwrap_or(0), r["image_bytes"].as_u64().unwrap_or(0));
        let red = ver["reduction"].as_f64().unwrap_or(0.0);
        table.push(format!("{name:<16} {ob:>14} {rb:>14} {:>8.1}%", red * 100.0));
        let mut problems = Vec::new();
        if v["outcome"]["outcome"] != "rewritten" {
            problems.push(format!("not rewritten: {}", v["outcome"]));
        }
        if let Some(e) = ver["error"].as_str() {
            problems.push(format!("rewrite does not build: {e}"));
        }
        if red < 0.5 {
            problems.push(format!("only {:.1}% smaller", red * 100.0));
        }
        for side in [o, r] {
            let so = side["smoke"]["stdout"].as_str().unwrap_or("");
            if side["smoke"]["exit_code"] != 0 || !s.expect.is_match(so) {
                problems.push(format!(
                    "smoke `{}` in {}: exit {}, stdout {so:?}, stderr {:?}",
                    s.command, side["tag"], side["smoke"]["exit_code"], side["smoke"]["stderr"]
                ));
            }
        }
        for d in ver["contract"].as_array().into_iter().flatten() {
            if d["intended"] != true {
                problems.push(format!("contract changed: {d}"));
            }
        }
        if ver["ok"] != true && problems.is_empty() {
            problems.push(format!("verification not ok: {ver}"));
        }
        if !problems.is_empty() {
            failures.push(format!("{name}:\n  {}", problems.join("\n  ")));
        }
    }
    eprintln!("{}", table.join("\n"));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
