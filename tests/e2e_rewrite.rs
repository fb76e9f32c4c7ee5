//! `imgslim rewrite --verify` on the apps in fixtures/apps (and examples/runtime-report), each
//! with a hand-written expert multi-stage Dockerfile next to it (`Dockerfile.expert`: as small
//! as it could be made while it runs). Each single-stage Dockerfile is rewritten, both are built
//! with buildah against the stand-in base images of ../shared/e2e, the smoke command runs in
//! both (and the `[[also]]` commands in the rewrite), the image configs keep the contract, and
//! the rewrite weighs at most 1.05x the expert's image. The estimates are checked against what
//! was built: `analyze Dockerfile` within 15% of the single-stage image (its base read from local
//! storage), the rewrite's estimate within 25% of the rewrite. Prints both tables.
//!
//! Needs buildah and the base images (`../shared/e2e/base-images.sh`, and
//! `tests/e2e/java-base-images.sh` for the JDK, `tests/e2e/web-base-images.sh` for nginx,
//! `tests/e2e/ruby-base-images.sh` for ruby, `tests/e2e/php-base-images.sh` for php); skipped with a message when they are missing,
//! a failure in CI (`IMGSLIM_REQUIRE_TOOLS=1`).

mod common;

use imgslim::build::{build_and_measure, Builder, BuilderKind};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The rewrite may weigh this much more than the expert's image.
const MAX_RATIO: f64 = 1.05;
/// `analyze Dockerfile` against the built single-stage image, and the rewrite's estimate against
/// the built rewrite (issue 11's calibration bounds).
const MAX_ESTIMATE_ERROR: f64 = 0.15;
const MAX_REWRITE_ESTIMATE_ERROR: f64 = 0.25;

/// The apps (`IMGSLIM_E2E_APPS=a,b` picks some, for working on one).
fn apps() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut v = common::subdirs(&root.join("fixtures/apps"));
    v.push(root.join("examples/runtime-report"));
    if let Ok(only) = std::env::var("IMGSLIM_E2E_APPS") {
        let only: Vec<&str> = only.split(',').collect();
        v.retain(|a| a.file_name().is_some_and(|n| only.contains(&n.to_string_lossy().as_ref())));
    }
    v
}

struct Check {
    command: String,
    expect: regex::Regex,
}

struct Smoke {
    main: Check,
    /// More commands that must work in the rewrite (a health check's curl...).
    also: Vec<Check>,
    /// The app's rewrite flags.
    args: Vec<String>,
}

fn check_of(t: &toml::Value) -> Check {
    Check {
        command: t["smoke"].as_str().unwrap().to_string(),
        expect: regex::Regex::new(t["expect"].as_str().unwrap()).unwrap(),
    }
}

fn smoke(app: &Path) -> Smoke {
    let t: toml::Value =
        std::fs::read_to_string(app.join("smoke.toml")).unwrap().parse::<toml::Table>().unwrap().into();
    Smoke {
        main: check_of(&t),
        also: t.get("also").and_then(|a| a.as_array()).map(|a| a.iter().map(check_of).collect()).unwrap_or_default(),
        args: common::rewrite::app_args(app),
    }
}

/// The command's words as `--smoke` reads them (shell quoting: `sh -c '...'`).
fn words(s: &str) -> Vec<String> {
    let script = imgslim::dockerfile::shell::parse_script(s);
    script.commands.first().map(|c| c.words.iter().map(|w| w.text.clone()).collect()).unwrap_or_default()
}

#[test]
fn rewrites_build_run_and_weigh_no_more_than_the_experts() {
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
        "nginx:1.27-alpine",
    ] {
        if common::buildah::ready(base).is_none() {
            return;
        }
    }
    // `buildah run` in this process too (the expert's smoke, the extra checks): no user namespaces here
    std::env::set_var("BUILDAH_ISOLATION", "chroot");
    let builder = Builder::detect(Some(BuilderKind::Buildah)).expect("buildah");
    let mut table =
        vec![format!("{:<17} {:>13} {:>13} {:>13} {:>6}", "app", "single-stage", "rewrite", "expert", "ratio")];
    let mut calibration = vec![format!(
        "{:<17} {:>13} {:>13} {:>7} {:>13} {:>13} {:>7}",
        "app", "estimate", "built", "error", "rewrite est.", "built", "error"
    )];
    let mut failures = Vec::new();
    for app in apps() {
        let name = app.file_name().unwrap().to_string_lossy().into_owned();
        let s = smoke(&app);
        let out = assert_cmd::Command::cargo_bin("imgslim")
            .unwrap()
            .env("BUILDAH_ISOLATION", "chroot")
            .args(["rewrite", "--verify", "--keep-images", "--builder", "buildah", "--format", "json"])
            .args(["--smoke", &s.main.command])
            .args(&s.args)
            .arg(app.join("Dockerfile"))
            .timeout(Duration::from_secs(1500))
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
        let mut problems = Vec::new();
        // the expert's image, measured the same way
        let dir = tempfile::tempdir().unwrap();
        let expert_tag = format!("localhost/imgslim-e2e-expert-{name}:latest");
        let eb = match build_and_measure(&builder, &app.join("Dockerfile.expert"), &app, &expert_tag, dir.path()) {
            Ok(b) => b.report.size_bytes,
            Err(e) => {
                problems.push(format!("the expert's Dockerfile does not build: {e}"));
                0
            }
        };
        match builder.run(&expert_tag, &words(&s.main.command), Duration::from_secs(120)) {
            Ok(x) if x.exit_code == Some(0) && s.main.expect.is_match(&x.stdout) => {}
            Ok(x) => problems.push(format!("the expert's image fails the smoke command: {x:?}")),
            Err(e) => problems.push(format!("running the expert's image: {e}")),
        }
        builder.remove(&expert_tag);
        let ratio = if eb > 0 { rb as f64 / eb as f64 } else { f64::INFINITY };
        table.push(format!("{name:<17} {ob:>13} {rb:>13} {eb:>13} {ratio:>6.3}"));
        // the estimates against what was built: `analyze Dockerfile` for the original (its base
        // images are in local storage now), the rewrite's own estimate for the rewrite
        let est = assert_cmd::Command::cargo_bin("imgslim")
            .unwrap()
            .args(["analyze", "--format", "json"])
            .arg(app.join("Dockerfile"))
            .output()
            .unwrap();
        let ev: serde_json::Value = serde_json::from_slice(&est.stdout).unwrap_or_default();
        let oe = ev["estimate"]["image_bytes"].as_u64().unwrap_or(0);
        let re = v["outcome"]["estimated_image_bytes"].as_u64().unwrap_or(0);
        let err = |e: u64, b: u64| if b > 0 { (e as f64 - b as f64) / b as f64 } else { f64::INFINITY };
        let (oerr, rerr) = (err(oe, ob), err(re, rb));
        calibration.push(format!(
            "{name:<17} {oe:>13} {ob:>13} {:>+6.1}% {re:>13} {rb:>13} {:>+6.1}%",
            oerr * 100.0,
            rerr * 100.0
        ));
        if ev["estimate"]["base_source"] != "local" {
            problems.push(format!(
                "the estimate did not read the base image from local storage: {}",
                ev["estimate"]["base_source"]
            ));
        }
        if oerr.abs() > MAX_ESTIMATE_ERROR {
            problems.push(format!("the estimated image ({oe}) is {:+.1}% off the built one ({ob})", oerr * 100.0));
        }
        if rerr.abs() > MAX_REWRITE_ESTIMATE_ERROR {
            problems
                .push(format!("the rewrite's estimate ({re}) is {:+.1}% off the built rewrite ({rb})", rerr * 100.0));
        }
        if v["outcome"]["outcome"] != "rewritten" {
            problems.push(format!("not rewritten: {}", v["outcome"]));
        }
        if let Some(e) = ver["error"].as_str() {
            problems.push(format!("rewrite does not build: {e}"));
        }
        if rb > 0 && ratio > MAX_RATIO {
            problems.push(format!("the rewrite weighs {ratio:.3}x the expert's image ({rb} vs {eb} bytes)"));
        }
        for side in [o, r] {
            let so = side["smoke"]["stdout"].as_str().unwrap_or("");
            if side["smoke"]["exit_code"] != 0 || !s.main.expect.is_match(so) {
                problems.push(format!(
                    "smoke `{}` in {}: exit {}, stdout {so:?}, stderr {:?}",
                    s.main.command, side["tag"], side["smoke"]["exit_code"], side["smoke"]["stderr"]
                ));
            }
        }
        if let Some(tag) = r["tag"].as_str() {
            for c in &s.also {
                match builder.run(tag, &words(&c.command), Duration::from_secs(60)) {
                    Ok(x) if x.exit_code == Some(0) && c.expect.is_match(&x.stdout) => {}
                    Ok(x) => problems.push(format!("`{}` in the rewrite: {x:?}", c.command)),
                    Err(e) => problems.push(format!("`{}` in the rewrite: {e}", c.command)),
                }
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
        for side in [o, r] {
            if let Some(t) = side["tag"].as_str() {
                builder.remove(t);
            }
        }
        if !problems.is_empty() {
            failures.push(format!("{name}:\n  {}", problems.join("\n  ")));
        }
    }
    eprintln!("{}", table.join("\n"));
    eprintln!("{}", calibration.join("\n"));
    // the figures also go to a file (a passing test's output is not shown): the README's table
    let out = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| PathBuf::from("target"), PathBuf::from);
    let _ = std::fs::write(
        out.join("e2e-rewrite-figures.txt"),
        format!("{}\n{}\n", table.join("\n"), calibration.join("\n")),
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
