//! The CI integrations that ship as files (action.yml, .pre-commit-hooks.yaml, docs/ci.md) are
//! valid YAML and only use flags the CLI has.

use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn yaml_to_json(path: &Path) -> serde_json::Value {
    let out = std::process::Command::new("python3")
        .args(["-c", "import json,sys,yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))"])
        .arg(path)
        .output()
        .expect("python3 with PyYAML");
    assert!(out.status.success(), "{}: {}", path.display(), String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn help(cmd: &str) -> String {
    let out = assert_cmd::Command::cargo_bin("imgslim").unwrap().args([cmd, "--help"]).output().unwrap();
    String::from_utf8(out.stdout).unwrap()
}

/// Every `--flag` used after `imgslim <cmd>` in a text exists in that command's help; returns
/// how many were checked.
fn flags_exist(text: &str, what: &str) -> usize {
    let re = regex::Regex::new(r"imgslim (lint|gate|compare|rewrite|analyze|push)\b([^\n`]*)").unwrap();
    let flag = regex::Regex::new(r"--[a-z][a-z-]*").unwrap();
    let mut seen = 0;
    for c in re.captures_iter(text) {
        let h = help(&c[1]);
        for f in flag.find_iter(&c[2]) {
            seen += 1;
            assert!(h.contains(f.as_str()), "{what}: `imgslim {}` has no {}", &c[1], f.as_str());
        }
    }
    seen
}

#[test]
fn action_is_a_composite_action_using_real_flags() {
    let a = yaml_to_json(&root().join("action.yml"));
    assert_eq!(a["runs"]["using"], "composite");
    for i in ["image", "dockerfile", "baseline", "config"] {
        assert!(a["inputs"][i]["description"].is_string(), "input {i}");
    }
    let steps = a["runs"]["steps"].as_array().unwrap();
    assert!(steps.iter().all(|s| s["shell"] == "bash"));
    let text = std::fs::read_to_string(root().join("action.yml")).unwrap();
    flags_exist(&text, "action.yml");
    // the flags the scripts put in argument arrays
    let (gate, lint) = (help("gate"), help("lint"));
    for f in ["--report", "--baseline", "--dockerfile", "--config", "--format"] {
        assert!(
            text.contains(&format!("({f}")) || text.contains(&format!("+=({f}")) || text.contains(&format!(" {f} ")),
            "{f} not used"
        );
        assert!(gate.contains(f), "gate has no {f}");
    }
    assert!(lint.contains("--format") && lint.contains("--config"));
    assert!(text.contains("--format github"));
}

#[test]
fn pre_commit_hooks_match_dockerfiles() {
    let hooks = yaml_to_json(&root().join(".pre-commit-hooks.yaml"));
    let hooks = hooks.as_array().unwrap();
    assert!(hooks.iter().any(|h| h["id"] == "imgslim-lint"));
    for h in hooks {
        let re = regex::Regex::new(h["files"].as_str().unwrap()).unwrap();
        for yes in ["Dockerfile", "app/Dockerfile", "Dockerfile.prod", "build/api.Dockerfile", "Containerfile"] {
            assert!(re.is_match(yes), "{} should match {yes}", h["id"]);
        }
        for no in ["README.md", "Dockerfiles/notes.txt", "src/main.rs"] {
            assert!(!re.is_match(no), "{} should not match {no}", h["id"]);
        }
        let entry = h["entry"].as_str().unwrap();
        assert!(entry.starts_with("imgslim lint"));
        flags_exist(entry, "pre-commit hook");
    }
}

#[test]
fn ci_docs_use_real_flags_and_valid_yaml() {
    let text = std::fs::read_to_string(root().join("docs/ci.md")).unwrap();
    assert!(flags_exist(&text, "docs/ci.md") > 5);
    // every yaml block parses
    let dir = tempfile::tempdir().unwrap();
    for (i, block) in text.split("```yaml").skip(1).enumerate() {
        let body = block.split("```").next().unwrap();
        let f = dir.path().join(format!("{i}.yaml"));
        std::fs::write(&f, body).unwrap();
        yaml_to_json(&f);
    }
    // the TOML example is a valid imgslim.toml
    let toml_block = text.split("```toml").nth(1).unwrap().split("```").next().unwrap();
    std::fs::write(dir.path().join("imgslim.toml"), toml_block).unwrap();
    let out = assert_cmd::Command::cargo_bin("imgslim")
        .unwrap()
        .current_dir(dir.path())
        .args(["gate", "no-such-image.tar"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no-such-image.tar") && !err.contains("invalid"), "the documented settings load: {err}");
}
