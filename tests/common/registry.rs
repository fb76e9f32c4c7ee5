//! A real registry for tests: Debian's `docker-registry` (distribution 2.8) on a free local
//! port, storage in a temporary directory, stopped when dropped.
#![allow(dead_code)]

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Registry {
    child: Child,
    pub host: String,
    _dir: tempfile::TempDir,
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Start a registry, or `None` (after saying why) when docker-registry is not installed.
/// `htpasswd`: an htpasswd file content to require basic auth.
pub fn start(htpasswd: Option<&str>) -> Option<Registry> {
    if Command::new("docker-registry").arg("--version").output().is_err() {
        return super::tool_missing("docker-registry (apt-get install docker-registry)");
    }
    let dir = tempfile::tempdir().unwrap();
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let auth = match htpasswd {
        Some(h) => {
            let p = dir.path().join("htpasswd");
            std::fs::write(&p, h).unwrap();
            format!("auth:\n  htpasswd:\n    realm: test\n    path: {}\n", p.display())
        }
        None => String::new(),
    };
    let cfg = format!(
        "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:{port}\n{auth}",
        dir.path().join("data").display()
    );
    let cfg_path = dir.path().join("config.yml");
    std::fs::write(&cfg_path, cfg).unwrap();
    let child = Command::new("docker-registry")
        .arg("serve")
        .arg(&cfg_path)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let host = format!("127.0.0.1:{port}");
    let start = Instant::now();
    while std::net::TcpStream::connect(&host).is_err() {
        assert!(start.elapsed() < Duration::from_secs(20), "docker-registry did not start on {host}");
        std::thread::sleep(Duration::from_millis(50));
    }
    Some(Registry { child, host, _dir: dir })
}

/// Copy an image archive into the registry with skopeo.
pub fn skopeo_copy(archive: &std::path::Path, dest: &str) {
    let src = if archive.is_dir() {
        format!("oci:{}", archive.display())
    } else {
        format!("docker-archive:{}", archive.display())
    };
    let out = Command::new("skopeo")
        .args(["copy", "--quiet", "--dest-tls-verify=false", &src, &format!("docker://{dest}")])
        .output()
        .unwrap_or_else(|e| panic!("skopeo: {e} (apt-get install skopeo)"));
    assert!(out.status.success(), "skopeo copy: {}", String::from_utf8_lossy(&out.stderr));
}
