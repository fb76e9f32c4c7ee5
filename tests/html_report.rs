//! The HTML reports in a real browser (headless chromium): the runtime-report example built
//! single-stage and as imgslim rewrites it (analyze, compare, analyze Dockerfile), and the
//! 135,000-entry benchmark image read straight from containers-storage. Each page checks itself
//! (`#selftest`): no script errors, treemap cells carrying the paths and bytes of the JSON
//! report, a layer click that lists the layer's files, a directory click that zooms. Screenshots
//! go to the artifact folder (`IMGSLIM_ARTIFACTS`, default target/artifacts).

mod common;

use serde_json::Value;
use std::path::{Path, PathBuf};

fn imgslim() -> assert_cmd::Command {
    let mut c = assert_cmd::Command::cargo_bin("imgslim").unwrap();
    c.env("NO_COLOR", "1").env_remove("IMGSLIM_CONFIG").env_remove("GITHUB_STEP_SUMMARY");
    c
}

fn run(args: &[&str]) -> Vec<u8> {
    let out = imgslim().args(args).output().unwrap();
    assert!(out.status.success(), "imgslim {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

/// `analyze IMAGE` as JSON and as HTML; the page's self-test against the JSON's figures.
fn check_image_page(browser: &Path, image: &str, dockerfile: Option<&Path>, html: &Path) -> (Value, Value) {
    let mut args = vec!["analyze", image, "--top", "20"];
    let df = dockerfile.map(|d| d.display().to_string());
    if let Some(d) = &df {
        args.extend(["--dockerfile", d]);
    }
    let report: Value = serde_json::from_slice(&run(&[&args[..], &["--format", "json", "--files"]].concat())).unwrap();
    let page = html.display().to_string();
    run(&[&args[..], &["--format", "html", "-o", &page]].concat());
    let text = std::fs::read_to_string(html).unwrap();
    assert!(!text.contains("http://") && !text.contains("https://"), "no network reference in {page}");
    assert!(text.contains("data-figure=\"final\""), "the summary is plain HTML");

    let st = common::browser::selftest(browser, html);
    assert_eq!(st["errors"], serde_json::json!([]), "{page}: {st}");
    let t = &st["trees"]["final"];
    let final_bytes = report["final_bytes"].as_u64().unwrap();
    assert!(t["cells"].as_u64().unwrap() > 3, "{st}");
    // the page's treemap covers the final file system: the top cells sum to it
    assert_eq!(t["root_bytes"].as_u64(), Some(final_bytes), "{st}");
    assert_eq!(t["top_bytes"].as_u64(), Some(final_bytes), "{st}");
    // each top cell is a directory of the JSON's largest_dirs (or smaller than all of them), with its bytes
    let dirs: Vec<(String, u64)> = report["largest_dirs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["path"].as_str().unwrap().to_string(), d["size_bytes"].as_u64().unwrap()))
        .collect();
    let (path, bytes) = (t["sample"][0][0].as_str().unwrap(), t["sample"][0][1].as_u64().unwrap());
    assert!(dirs.contains(&(path.to_string(), bytes)), "largest cell {path} {bytes} in {dirs:?}");
    // the layer click lists the layer's files, the largest first, as the JSON has them
    let layer = &st["layer"];
    let index = layer["index"].as_u64().unwrap() as usize;
    assert_eq!(layer["selected"], 1, "{st}");
    let files = report["layers"][index]["changes"]["files"].as_array().unwrap();
    assert_eq!(layer["rows"].as_u64().unwrap() as usize, files.len().min(200), "{st}");
    let first = &files[0];
    assert_eq!(layer["first"][1], first["path"], "{st}");
    assert_eq!(layer["first"][2], first["size_bytes"], "{st}");
    // a click on a directory zooms into it
    assert_eq!(st["zoom"]["now"], st["zoom"]["clicked"], "{st}");
    eprintln!(
        "{page}: {} bytes, rendered in {:.0} ms, {} cells",
        text.len(),
        st["render_ms"].as_f64().unwrap(),
        t["cells"]
    );
    (report, st)
}

#[test]
fn runtime_report_pages_in_chromium() {
    for base in ["python:3.11", "python:3.11-slim"] {
        if common::buildah::ready(base).is_none() {
            return;
        }
    }
    let Some(browser) = common::browser::chromium() else { return };
    let app = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/runtime-report");
    let dir = tempfile::tempdir().unwrap();
    let rewritten = dir.path().join("Dockerfile.rewrite");
    run(&["rewrite", "-o", rewritten.to_str().unwrap(), app.join("Dockerfile").to_str().unwrap()]);
    common::buildah::build(&app, &app.join("Dockerfile"), "localhost/imgslim-e2e-html:single");
    common::buildah::build(&app, &rewritten, "localhost/imgslim-e2e-html:multi");
    let art = common::browser::artifacts();

    let single = dir.path().join("single.html");
    let (report, _) =
        check_image_page(&browser, "localhost/imgslim-e2e-html:single", Some(&app.join("Dockerfile")), &single);
    // the single-stage image's leftovers link to their Dockerfile lines, which the page carries
    let text = std::fs::read_to_string(&single).unwrap();
    let line = report["leftovers"][0]["line"].as_u64().expect("a leftover with its line");
    assert!(text.contains(&format!("href=\"#L{line}\"")) && text.contains(&format!("id=\"L{line}\"")), "line {line}");
    common::browser::screenshot(&browser, &single, &art.join("analyze-single-stage.png"), 1400);

    let multi = dir.path().join("multi.html");
    check_image_page(&browser, "localhost/imgslim-e2e-html:multi", Some(&rewritten), &multi);
    common::browser::screenshot(&browser, &multi, &art.join("analyze-rewrite.png"), 1400);

    // compare: two treemaps side by side, each the size of its image
    let cmp = dir.path().join("compare.html");
    run(&[
        "compare",
        "localhost/imgslim-e2e-html:single",
        "localhost/imgslim-e2e-html:multi",
        "--format",
        "html",
        "-o",
        cmp.to_str().unwrap(),
    ]);
    let c: Value = serde_json::from_slice(&run(&[
        "compare",
        "localhost/imgslim-e2e-html:single",
        "localhost/imgslim-e2e-html:multi",
        "--format",
        "json",
    ]))
    .unwrap();
    let st = common::browser::selftest(&browser, &cmp);
    assert_eq!(st["errors"], serde_json::json!([]), "{st}");
    assert_eq!(st["trees"]["a"]["top_bytes"].as_u64(), c["a"]["final_bytes"].as_u64(), "{st}");
    assert_eq!(st["trees"]["b"]["top_bytes"].as_u64(), c["b"]["final_bytes"].as_u64(), "{st}");
    assert!(st["trees"]["b"]["top_bytes"].as_u64() < st["trees"]["a"]["top_bytes"].as_u64());
    common::browser::screenshot(&browser, &cmp, &art.join("compare.png"), 1100);

    // the Dockerfile's analysis: findings ranked by bytes, the rewrite as a diff
    let dfp = dir.path().join("dockerfile.html");
    let out = imgslim()
        .args(["analyze", "--format", "html", "--failure-threshold", "none", "-o"])
        .arg(&dfp)
        .arg(app.join("Dockerfile"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(&dfp).unwrap();
    let bytes: Vec<u64> = text
        .match_indices("class=\"finding ")
        .map(|(i, _)| {
            let rest = &text[i..];
            let k = rest.find("data-bytes=\"").unwrap() + "data-bytes=\"".len();
            rest[k..k + rest[k..].find('"').unwrap()].parse().unwrap()
        })
        .collect();
    assert!(bytes.len() >= 2 && bytes.windows(2).all(|w| w[0] >= w[1]), "ranked by bytes: {bytes:?}");
    assert!(
        text.contains("<pre class=diff>") && text.contains("<span class=add>+ FROM python:3.11-slim"),
        "the rewrite as a diff"
    );
    let st = common::browser::selftest(&browser, &dfp);
    assert_eq!(st["errors"], serde_json::json!([]), "{st}");
    common::browser::screenshot(&browser, &dfp, &art.join("analyze-dockerfile.png"), 1200);
    // the gate: its verdict and checks above the image's analysis; a failing budget names its line
    let gate = dir.path().join("gate.html");
    let out = imgslim()
        .args(["gate", "localhost/imgslim-e2e-html:single", "--max-size", "200MB", "--forbid", "compiler"])
        .args(["--format", "html", "-o"])
        .arg(&gate)
        .arg("--dockerfile")
        .arg(app.join("Dockerfile"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stdout.is_empty(), "-o writes the file, not standard output");
    let text = std::fs::read_to_string(&gate).unwrap();
    assert!(
        text.contains("<span class=fail>FAIL</span>") && text.contains("data-rule=\"max_size\" data-passed=\"false\""),
        "gate page"
    );
    let st = common::browser::selftest(&browser, &gate);
    assert_eq!(st["errors"], serde_json::json!([]), "{st}");
    assert!(st["trees"]["final"]["cells"].as_u64().unwrap() > 3, "{st}");
    for t in ["single", "multi"] {
        let _ =
            std::process::Command::new("buildah").args(["rmi", &format!("localhost/imgslim-e2e-html:{t}")]).output();
    }
}

/// The benchmark image (../shared/bench: 135,000 entries): the page stays small and whole.
#[test]
fn benchmark_image_page_stays_small() {
    if common::buildah::ready("debian:bookworm").is_none() {
        return;
    }
    let Some(browser) = common::browser::chromium() else { return };
    let bench: PathBuf = common::shared_dir().join("bench/big");
    common::buildah::build(&bench, &bench.join("Containerfile"), "localhost/imgslim-bench:big");
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("big.html");
    let (report, st) = check_image_page(&browser, "localhost/imgslim-bench:big", None, &page);
    let size = std::fs::metadata(&page).unwrap().len();
    assert!(size < 5_000_000, "the report of the benchmark image is {size} bytes");
    assert!(report["layers"].as_array().unwrap().iter().any(|l| l["changes"]["removed_files"].as_u64() > Some(0)));
    assert!(st["trees"]["final"]["cells"].as_u64().unwrap() > 100, "{st}");
    common::browser::screenshot(&browser, &page, &common::browser::artifacts().join("analyze-benchmark.png"), 1400);
}
