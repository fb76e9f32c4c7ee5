//! `imgslim explore` under tmux (a private server, stopped by its pid): the layer list and the
//! file tree appear, moving through layers shows each layer's changes, directories open,
//! filters hide changes, help opens and closes, `q` quits; without a terminal it refuses.

mod common;

use common::imagegen::{self as g, file, Comp, Format, Spec, M};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn image(dir: &Path) -> PathBuf {
    let spec = Spec::new(vec![
        vec![
            M::Dir("usr"),
            M::Dir("usr/lib"),
            file("usr/lib/libx.so", 20_000),
            file("usr/lib/libx.a", 9_000),
            M::Dir("etc"),
            file("etc/passwd", 100),
        ],
        vec![file("etc/passwd", 120), M::Whiteout("usr/lib/libx.so"), M::Dir("srv"), file("srv/app", 7_000)],
    ]);
    g::write(dir, "explore", &spec, Format::DockerArchive, Comp::Gzip)
}

struct Tmux {
    socket: PathBuf,
    _dir: tempfile::TempDir,
}

impl Tmux {
    fn cmd(&self) -> Command {
        let mut c = Command::new("tmux");
        c.arg("-S").arg(&self.socket).arg("-f").arg("/dev/null");
        c
    }
    fn keys(&self, keys: &[&str]) {
        let ok = self.cmd().args(["send-keys", "-t", "x"]).args(keys).status().unwrap().success();
        assert!(ok, "send-keys {keys:?}");
    }
    fn screen(&self) -> String {
        let out = self.cmd().args(["capture-pane", "-p", "-t", "x"]).output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
    /// The screen once it shows `text` (a guard against hanging, not a timing assertion).
    fn wait_for(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let s = self.screen();
            if s.contains(text) {
                return s;
            }
            assert!(Instant::now() < deadline, "never showed {text:?}:\n{s}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    fn wait_gone(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let s = self.screen();
            if !s.contains(text) {
                return s;
            }
            assert!(Instant::now() < deadline, "still shows {text:?}:\n{s}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    fn alive(&self) -> bool {
        self.cmd().args(["has-session", "-t", "x"]).output().is_ok_and(|o| o.status.success())
    }
    fn server_pid(&self) -> Option<i32> {
        let out = self.cmd().args(["display-message", "-p", "-t", "x", "#{pid}"]).output().ok()?;
        String::from_utf8_lossy(&out.stdout).trim().parse().ok()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        if let Some(pid) = self.server_pid() {
            let _ = Command::new("kill").arg(pid.to_string()).status();
        }
    }
}

#[test]
fn explorer_navigates_filters_and_quits() {
    if Command::new("tmux").arg("-V").output().is_err() {
        common::tool_missing::<()>("tmux (apt-get install tmux)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let img = image(dir.path());
    let bin = assert_cmd::cargo::cargo_bin("imgslim");
    let tmux_dir = tempfile::tempdir().unwrap();
    let t = Tmux { socket: tmux_dir.path().join("sock"), _dir: tmux_dir };
    let ok = t
        .cmd()
        .args(["new-session", "-d", "-s", "x", "-x", "120", "-y", "30"])
        .arg(format!("TERM=xterm-256color {} explore {}", bin.display(), img.display()))
        .status()
        .unwrap()
        .success();
    assert!(ok, "tmux new-session");
    let s = t.wait_for("all layers (the final image)");
    assert!(s.contains("Layers") && s.contains("Files: the final image"), "{s}");
    assert!(s.contains("usr/") && s.contains("srv/") && s.contains("etc/"), "top directories: {s}");

    // layer 1: its changes, the deletion marked
    t.keys(&["Down", "Down"]);
    let s = t.wait_for("Files: layer 1");
    assert!(s.contains("+1 ~1 -1"), "{s}");
    // into the file tree, open usr/ (the largest: the removed libx.so) and see the removal
    t.keys(&["Tab", "Enter", "Down", "Enter"]);
    let s = t.wait_for("libx.so");
    let line = s.lines().find(|l| l.contains("libx.so")).unwrap();
    assert!(line.contains("- ") && line.contains("20.0 kB"), "{line}");
    // hide removed files: usr/ has nothing else in this layer and goes
    t.keys(&["r"]);
    let s = t.wait_gone("libx.so");
    assert!(!s.contains("usr/") && s.contains("srv/") && s.contains("[ ] r:removed"), "{s}");
    t.keys(&["r"]);
    t.wait_for("[x] r:removed");

    // the final image's tree highlights leftovers
    t.keys(&["Tab", "Up", "Up"]);
    t.wait_for("Files: the final image");
    t.keys(&["Tab", "Enter", "Down", "Enter"]);
    let s = t.wait_for("libx.a");
    assert!(s.contains("[static-libs]"), "{s}");

    // help opens and any key closes it; q quits
    t.keys(&["?"]);
    t.wait_for("imgslim explore");
    t.keys(&["x"]);
    t.wait_gone("any key closes it");
    t.keys(&["q"]);
    let deadline = Instant::now() + Duration::from_secs(30);
    while t.alive() {
        assert!(Instant::now() < deadline, "explore did not quit:\n{}", t.screen());
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn explorer_without_a_terminal_says_what_to_use() {
    let dir = tempfile::tempdir().unwrap();
    let img = image(dir.path());
    let out = assert_cmd::Command::cargo_bin("imgslim").unwrap().arg("explore").arg(&img).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("needs a terminal") && err.contains("--tree"), "{err}");
}
