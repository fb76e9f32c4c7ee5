//! `imgslim lint` end to end: every output format, exit codes, fixes in place and as a diff.
//! SARIF is checked against the SARIF 2.1.0 JSON schema and by Microsoft's SARIF validator.

mod common;

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn imgslim() -> Command {
    let mut c = Command::cargo_bin("imgslim").unwrap();
    c.env("NO_COLOR", "1").env_remove("IMGSLIM_CONFIG");
    c
}

/// A few Dockerfiles with findings, fixes, a file name with a space and a broken file.
fn sample(dir: &Path) -> Vec<PathBuf> {
    let a = dir.join("Dockerfile");
    std::fs::write(
        &a,
        "FROM debian:bookworm\nRUN apt-get update && apt-get install -y curl\nENV A 1\nCMD python app.py\n",
    )
    .unwrap();
    let b = dir.join("with space.Dockerfile");
    std::fs::write(&b, "FROM python:3.11\nRUN pip install flask\nMAINTAINER me <me@example.com>\n").unwrap();
    vec![a, b]
}

fn run(args: &[&str], files: &[PathBuf], dir: &Path) -> (i32, String) {
    let out = imgslim().current_dir(dir).arg("lint").args(args).args(files).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8(out.stdout).unwrap())
}

#[test]
fn json_has_the_documented_fields() {
    let dir = tempfile::tempdir().unwrap();
    let files = sample(dir.path());
    let (code, out) = run(&["--format", "json"], &files, dir.path());
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let arr = v.as_array().unwrap();
    assert!(arr.len() >= 8);
    for f in arr {
        for k in
            ["file", "line", "column", "end_line", "code", "severity", "category", "message", "estimated_bytes", "fix"]
        {
            assert!(f.get(k).is_some(), "{k} missing in {f}");
        }
        if f["category"] == "size" {
            assert!(f["estimated_bytes"].as_u64().is_some(), "size findings carry an estimate: {f}");
            assert!(f["estimate"].as_str().is_some());
        }
    }
    let fix = arr.iter().find(|f| f["code"] == "IS101").unwrap();
    assert_eq!(fix["fix"]["applicability"], "safe");
    assert_eq!(fix["fix"]["edits"][0]["text"], " --no-install-recommends");
}

#[test]
fn sarif_validates() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = sample(dir.path());
    let broken = dir.path().join("broken.Dockerfile");
    std::fs::write(&broken, "FROM alpine\nENV PATH\n").unwrap();
    files.push(broken);
    let out = imgslim().current_dir(dir.path()).arg("lint").args(["--format", "sarif"]).args(&files).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "a file that cannot be parsed makes the run an error");
    let sarif_path = dir.path().join("out.sarif");
    std::fs::write(&sarif_path, &out.stdout).unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = doc["runs"][0]["results"].as_array().unwrap();
    assert!(results.iter().any(|r| r["ruleId"] == "IS000"));
    assert!(results
        .iter()
        .any(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "with%20space.Dockerfile"));
    let rules = doc["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(rules.iter().all(|r| r["help"]["text"].as_str().is_some_and(|t| !t.is_empty())));

    common::validate_sarif(&sarif_path);
}

#[test]
fn github_annotations_line_by_line() {
    let dir = tempfile::tempdir().unwrap();
    let files = sample(dir.path());
    let (_, json) = run(&["--format", "json"], &files, dir.path());
    let n = serde_json::from_str::<serde_json::Value>(&json).unwrap().as_array().unwrap().len();
    let (code, out) = run(&["--format", "github"], &files, dir.path());
    assert_eq!(code, 1);
    let re = regex::Regex::new(r"^::(error|warning|notice) file=[^,:]+,line=\d+,col=\d+,endLine=\d+,endColumn=\d+,title=IS\d{3} [a-z-]+::[^\r\n]+$").unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), n);
    for l in lines {
        assert!(re.is_match(l), "not a workflow command: {l}");
    }
    assert!(out.contains("file=with space.Dockerfile,line=2"));
}

#[test]
fn xml_formats_are_well_formed() {
    let dir = tempfile::tempdir().unwrap();
    let files = sample(dir.path());
    for fmt in ["junit", "checkstyle"] {
        let (_, out) = run(&["--format", fmt], &files, dir.path());
        let parse = std::process::Command::new("python3")
            .args([
                "-c",
                "import sys,xml.etree.ElementTree as E; r=E.fromstring(sys.stdin.read()); print(len(list(r.iter())))",
            ])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .and_then(|mut c| {
                use std::io::Write;
                c.stdin.take().unwrap().write_all(out.as_bytes())?;
                c.wait_with_output()
            });
        match parse {
            Ok(o) => assert!(o.status.success(), "{fmt} is not well-formed XML:\n{out}"),
            Err(_) => {
                common::tool_missing::<()>("python3");
            }
        }
        assert!(out.contains("IS101"), "{fmt}");
    }
    let (_, md) = run(&["--format", "markdown"], &files, dir.path());
    assert!(md.starts_with("| file | line | code |") && md.contains("`IS101`"));
}

#[test]
fn exit_codes_follow_the_threshold() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("Dockerfile");
    std::fs::write(&f, "FROM alpine:3.19\nRUN adduser -D app\nUSER app\nCMD [\"sh\"]\n").unwrap();
    assert_eq!(run(&[], std::slice::from_ref(&f), dir.path()).0, 0, "clean");
    std::fs::write(&f, "FROM alpine:3.19\nRUN apk add curl\nUSER 1000\n").unwrap();
    // the APK index (2.6 MB) is an info-sized finding: below the default threshold (warning)
    assert_eq!(run(&[], std::slice::from_ref(&f), dir.path()).0, 0, "an info finding passes");
    assert_eq!(run(&["--failure-threshold", "info"], std::slice::from_ref(&f), dir.path()).0, 1);
    assert_eq!(run(&["--failure-threshold", "error"], std::slice::from_ref(&f), dir.path()).0, 0);
    std::fs::write(dir.path().join("imgslim.toml"), "[lint]\nsize-warning = \"1MB\"\n").unwrap();
    assert_eq!(run(&[], std::slice::from_ref(&f), dir.path()).0, 1, "size-warning makes it a warning");
    std::fs::remove_file(dir.path().join("imgslim.toml")).unwrap();
    assert_eq!(
        run(
            &["--failure-threshold", "info", "--ignore", "IS103", "--ignore", "DL3018"],
            std::slice::from_ref(&f),
            dir.path()
        )
        .0,
        0
    );
    std::fs::write(dir.path().join("imgslim.toml"), "[lint]\nignore = [\"apk-no-cache\"]\nsize-warning = \"1MB\"\n")
        .unwrap();
    assert_eq!(run(&[], std::slice::from_ref(&f), dir.path()).0, 0, "imgslim.toml in the working directory applies");
    std::fs::write(dir.path().join("imgslim.toml"), "[lint]\nbogus = 1\n").unwrap();
    assert_eq!(run(&[], std::slice::from_ref(&f), dir.path()).0, 2, "a broken settings file is an error");
}

#[test]
fn fix_in_place_and_diff() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("Dockerfile");
    let src = "FROM debian:bookworm-slim\n# tools\nRUN apt-get update && apt-get install -y curl\nUSER 1000\n";
    std::fs::write(&f, src).unwrap();
    let (code, diff) = run(&["--diff"], std::slice::from_ref(&f), dir.path());
    assert_eq!(code, 1);
    assert!(
        diff.contains(
            "+RUN apt-get update && apt-get install --no-install-recommends -y curl && rm -rf /var/lib/apt/lists/*"
        ),
        "{diff}"
    );
    assert_eq!(std::fs::read_to_string(&f).unwrap(), src, "--diff writes nothing");
    let (code, _) = run(&["--fix"], std::slice::from_ref(&f), dir.path());
    assert_eq!(code, 0, "what is left (unpinned versions) is info, below the threshold");
    let fixed = std::fs::read_to_string(&f).unwrap();
    assert_eq!(fixed, "FROM debian:bookworm-slim\n# tools\nRUN apt-get update && apt-get install --no-install-recommends -y curl && rm -rf /var/lib/apt/lists/*\nUSER 1000\n");
    let (code, diff) = run(&["--diff"], std::slice::from_ref(&f), dir.path());
    assert_eq!((code, diff.as_str()), (0, ""), "nothing left to fix");
}

#[test]
fn directories_are_searched() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("svc/api")).unwrap();
    std::fs::create_dir_all(dir.path().join("node_modules/x")).unwrap();
    std::fs::write(dir.path().join("svc/api/Dockerfile"), "FROM alpine:3.19\nUSER 1\n").unwrap();
    std::fs::write(dir.path().join("svc/Dockerfile.prod"), "FROM alpine:3.19\nUSER 1\n").unwrap();
    std::fs::write(dir.path().join("node_modules/x/Dockerfile"), "FROM alpine\n").unwrap();
    let out = imgslim().current_dir(dir.path()).args(["lint", ".", "--format", "junit"]).output().unwrap();
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(
        s.contains("svc/api/Dockerfile") && s.contains("svc/Dockerfile.prod") && !s.contains("node_modules"),
        "{s}"
    );
}

#[test]
fn rule_docs() {
    let out = imgslim().args(["rule", "DL3015"]).output().unwrap();
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(
        s.starts_with("IS101 apt-no-install-recommends (size, warning)") && s.contains("## Why is this bad?"),
        "{s}"
    );
    let out = imgslim().args(["rule", "--all", "--format", "json"]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), imgslim::lint::codes::RULES.len());
    imgslim().args(["rule", "XX999"]).assert().code(2);
}
