//! `imgslim analyze IMAGE --tree` and the file data of the JSON (largest files and directories,
//! what each layer added, modified and removed) on a generated image with adds, modifies,
//! deletes, an opaque directory, a hard link and a symlink. Snapshots of the tree at several
//! depths and widths.

mod common;

use assert_cmd::Command;
use common::imagegen::{self as g, file, Comp, Format, Spec, M};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn imgslim() -> Command {
    let mut c = Command::cargo_bin("imgslim").unwrap();
    c.env("NO_COLOR", "1").env_remove("COLUMNS");
    c
}

fn spec() -> Spec {
    Spec::new(vec![
        vec![
            M::Dir("etc"),
            file("etc/passwd", 100),
            M::Dir("usr"),
            M::Dir("usr/bin"),
            file("usr/bin/tool", 5_000),
            M::Hardlink("usr/bin/tool2", "usr/bin/tool"),
            M::Symlink("usr/bin/t", "tool"),
            M::Dir("usr/lib"),
            file("usr/lib/libx.so", 20_000),
            file("usr/lib/libx.a", 9_000),
            M::Dir("opt"),
            M::Dir("opt/old"),
            file("opt/old/a", 3_000),
            file("opt/old/b", 1_000),
        ],
        vec![
            file("etc/passwd", 120),
            M::Whiteout("usr/lib/libx.so"),
            M::Dir("opt/old"),
            M::Opaque("opt/old"),
            file("opt/old/new", 50),
            M::Dir("srv"),
            file("srv/app", 7_000),
        ],
    ])
}

fn image() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let p = g::write(dir.path(), "tree", &spec(), Format::DockerArchive, Comp::Gzip);
    (dir, p)
}

fn stdout(path: &Path, args: &[&str]) -> String {
    let out = imgslim().arg("analyze").arg(path).args(args).assert().success().get_output().stdout.clone();
    String::from_utf8(out).unwrap()
}

#[test]
fn final_tree() {
    let (_d, p) = image();
    insta::assert_snapshot!("final_tree", stdout(&p, &["--tree", "--depth", "0"]));
    insta::assert_snapshot!("final_tree_depth_1", stdout(&p, &["--tree", "--depth", "1"]));
    insta::assert_snapshot!("final_tree_min_size", stdout(&p, &["--tree", "--depth", "0", "--min-size", "1kB"]));
}

#[test]
fn layer_tree_marks_changes() {
    let (_d, p) = image();
    let text = stdout(&p, &["--tree", "--layer", "1", "--depth", "0"]);
    insta::assert_snapshot!("layer_1_tree", text);
    assert!(text.contains("+ ") && text.contains("~ ") && text.contains("- "), "{text}");
}

#[test]
fn narrow_terminals_shorten_names_in_the_middle() {
    let (_d, p) = image();
    for columns in ["60", "80", "200"] {
        let out = imgslim()
            .env("COLUMNS", columns)
            .arg("analyze")
            .arg(&p)
            .args(["--tree", "--depth", "0"])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let text = String::from_utf8(out).unwrap();
        let width: usize = columns.parse().unwrap();
        assert!(text.lines().all(|l| l.chars().count() <= width.max(40)), "{columns}: {text}");
        insta::assert_snapshot!(format!("analyze_text_{columns}_columns"), {
            let out =
                imgslim().env("COLUMNS", columns).arg("analyze").arg(&p).assert().success().get_output().stdout.clone();
            String::from_utf8(out).unwrap()
        });
    }
}

#[test]
fn json_has_largest_files_dirs_and_layer_changes() {
    let (_d, p) = image();
    let v: Value = serde_json::from_slice(
        &imgslim().arg("analyze").arg(&p).args(["--format", "json", "--files"]).assert().success().get_output().stdout,
    )
    .unwrap();
    let files: Vec<(&str, u64, u64)> = v["largest_files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["path"].as_str().unwrap(), f["size_bytes"].as_u64().unwrap(), f["layer"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        files[..4],
        [("/usr/lib/libx.a", 9_000, 0), ("/srv/app", 7_000, 1), ("/usr/bin/tool", 5_000, 0), ("/etc/passwd", 120, 1)]
    );
    assert_eq!(v["largest_files"][0]["category"], "static-libs");
    let dirs: Vec<(&str, u64)> = v["largest_dirs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["path"].as_str().unwrap(), d["size_bytes"].as_u64().unwrap()))
        .collect();
    assert_eq!(dirs[..3], [("/usr", 14_000), ("/usr/lib", 9_000), ("/srv", 7_000)]);
    let c0 = &v["layers"][0]["changes"];
    assert_eq!((c0["added_files"].as_u64(), c0["added_bytes"].as_u64()), (Some(8), Some(38_100)));
    let c1 = &v["layers"][1]["changes"];
    assert_eq!((c1["added_files"].as_u64(), c1["added_bytes"].as_u64()), (Some(2), Some(7_050)));
    assert_eq!((c1["modified_files"].as_u64(), c1["modified_bytes"].as_u64()), (Some(1), Some(120)));
    // the whiteout removed libx.so; the opaque directory hid a and b
    assert_eq!((c1["removed_files"].as_u64(), c1["removed_bytes"].as_u64()), (Some(3), Some(24_000)));
    let listed: Vec<String> = c1["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| format!("{} {} {}", f["change"].as_str().unwrap(), f["path"].as_str().unwrap(), f["size_bytes"]))
        .collect();
    assert_eq!(
        listed,
        [
            "removed /usr/lib/libx.so 20000",
            "added /srv/app 7000",
            "removed /opt/old/a 3000",
            "removed /opt/old/b 1000",
            "modified /etc/passwd 120",
            "added /opt/old/new 50"
        ]
    );
    // without --files the lists are left out
    let v: Value = serde_json::from_slice(
        &imgslim()
            .arg("analyze")
            .arg(&p)
            .args(["--format", "json", "--top", "2"])
            .assert()
            .success()
            .get_output()
            .stdout,
    )
    .unwrap();
    assert!(v["layers"][1]["changes"].get("files").is_none());
    assert_eq!(v["largest_files"].as_array().unwrap().len(), 2);
}

#[test]
fn tree_flags_are_checked() {
    let (_d, p) = image();
    let out =
        imgslim().arg("analyze").arg(&p).args(["--tree", "--layer", "7"]).assert().code(2).get_output().stderr.clone();
    assert!(String::from_utf8_lossy(&out).contains("no layer 7: the image has 2 layers (0 to 1)"));
    imgslim().arg("analyze").arg(&p).args(["--layer", "1"]).assert().code(2);
    // dive's spelling of the source: the same image as the bare path
    let out = imgslim()
        .arg("analyze")
        .args(["--source", "docker-archive"])
        .arg(&p)
        .args(["--format", "json"])
        .assert()
        .success();
    let v: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v["final_bytes"], 21_170);
    imgslim().arg("analyze").args(["--source", "podman"]).arg(&p).assert().code(2);
    let out = imgslim()
        .arg("analyze")
        .arg(&p)
        .args(["--tree", "--format", "json"])
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    assert!(String::from_utf8_lossy(&out).contains("--tree prints text"));
}
