//! Building real images with buildah (rootful, chroot isolation, `--layers`, local base images
//! from ../shared/e2e/base-images.sh; nothing is pulled).
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;

/// Is buildah here, with the base image we need? `None` (after saying why) when the test should
/// be skipped on this machine; a failure under `IMGSLIM_REQUIRE_TOOLS=1`.
pub fn ready(base: &str) -> Option<()> {
    let ok = Command::new("buildah").arg("--version").output().is_ok_and(|o| o.status.success());
    if !ok {
        return super::tool_missing("buildah (apt-get install buildah crun)");
    }
    let have =
        Command::new("buildah").args(["inspect", "--type", "image", base]).output().is_ok_and(|o| o.status.success());
    if !have {
        return super::tool_missing(&format!("the base image {base} (bash ../shared/e2e/base-images.sh)"));
    }
    Some(())
}

fn run(cmd: &mut Command) -> String {
    let mut out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    // crun now and then fails to seal its memfd copy (EBUSY): the machine, not the test
    if !out.status.success() && String::from_utf8_lossy(&out.stderr).contains("sealing memfd") {
        out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    }
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `buildah bud` a context; returns the image id.
pub fn build(context: &Path, dockerfile: &Path, tag: &str) -> String {
    run(Command::new("buildah")
        .args(["bud", "--isolation", "chroot", "--layers", "--pull=never", "-q", "-t", tag, "-f"])
        .arg(dockerfile)
        .arg(context))
    .trim()
    .to_string()
}

/// Export: `docker-archive:`, `oci-archive:` or `oci:` destinations; `zstd` for zstd layers.
pub fn push(tag: &str, dest: &str, zstd: bool) {
    let mut c = Command::new("buildah");
    c.args(["push", "-q"]);
    if zstd {
        c.args(["--compression-format", "zstd"]);
    }
    run(c.arg(tag).arg(dest));
}

/// Run a command in a container of the image; returns its stdout.
pub fn run_in(tag: &str, argv: &[&str]) -> String {
    let ctr = run(Command::new("buildah").args(["from", "--pull=never", "-q", tag])).trim().to_string();
    let out = Command::new("buildah").args(["run", "--isolation", "chroot", &ctr, "--"]).args(argv).output();
    let _ = Command::new("buildah").args(["rm", &ctr]).output();
    let out = out.unwrap();
    assert!(out.status.success(), "{argv:?} in {tag}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Mount the image's file system and call `f` with its root.
pub fn with_rootfs<T>(tag: &str, f: impl FnOnce(&Path) -> T) -> T {
    let ctr = run(Command::new("buildah").args(["from", "--pull=never", "-q", tag])).trim().to_string();
    let mnt = run(Command::new("buildah").args(["mount", &ctr])).trim().to_string();
    let r = f(Path::new(&mnt));
    let _ = Command::new("buildah").args(["umount", &ctr]).output();
    let _ = Command::new("buildah").args(["rm", &ctr]).output();
    r
}

/// Bytes of regular files under a root, hard links counted once (an independent `du`).
pub fn regular_file_bytes(root: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    let mut seen = std::collections::HashSet::new();
    let mut total = 0;
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let m = std::fs::symlink_metadata(e.path()).unwrap();
            if m.is_dir() {
                stack.push(e.path());
            } else if m.is_file() && seen.insert((m.dev(), m.ino())) {
                total += m.len();
            }
        }
    }
    total
}
