//! A real registry for tests: Debian's `docker-registry` (distribution 2.8) on a free local
//! port, storage in a temporary directory, stopped when dropped.
#![allow(dead_code)]

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Registry {
    child: Child,
    pub host: String,
    /// The CA that signed the server certificate (TLS registries).
    pub ca: Option<std::path::PathBuf>,
    config: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl Registry {
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Start it again (same port, same storage).
    pub fn restart(&mut self) {
        self.stop();
        self.child = spawn(&self.config);
        wait_for(&self.host);
    }

    /// A directory with the CA as `ca.crt`, for skopeo's --cert-dir.
    pub fn cert_dir(&self) -> std::path::PathBuf {
        self.ca.as_ref().unwrap().parent().unwrap().join("certs")
    }
}

fn spawn(config: &std::path::Path) -> Child {
    Command::new("docker-registry")
        .arg("serve")
        .arg(config)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

fn wait_for(host: &str) {
    let start = Instant::now();
    while std::net::TcpStream::connect(host).is_err() {
        assert!(start.elapsed() < Duration::from_secs(20), "docker-registry did not start on {host}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn sh(cmd: &str, dir: &std::path::Path) {
    let out = Command::new("sh").arg("-c").arg(cmd).current_dir(dir).output().unwrap();
    assert!(out.status.success(), "{cmd}: {}", String::from_utf8_lossy(&out.stderr));
}

/// htpasswd content for a user (bcrypt, cost 5).
pub fn htpasswd(user: &str, password: &str) -> Option<String> {
    let out = match Command::new("htpasswd").args(["-nbB", "-C", "5", user, password]).output() {
        Ok(o) => o,
        Err(_) => return super::tool_missing("htpasswd (apt-get install apache2-utils)"),
    };
    assert!(out.status.success());
    Some(String::from_utf8(out.stdout).unwrap())
}

/// A registry with TLS (its own CA; a CA:FALSE server certificate for 127.0.0.1) and, with
/// `htpasswd`, basic auth.
pub fn start_tls(htpasswd: Option<&str>) -> Option<Registry> {
    if Command::new("openssl").arg("version").output().is_err() {
        return super::tool_missing("openssl");
    }
    start_with(htpasswd, true)
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
    start_with(htpasswd, false)
}

fn start_with(htpasswd: Option<&str>, tls: bool) -> Option<Registry> {
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
    let tls_cfg = if tls {
        let d = dir.path();
        sh(
            "openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 -subj '/CN=imgslim test CA' \
               -addext 'basicConstraints=critical,CA:TRUE' -addext 'keyUsage=critical,keyCertSign,cRLSign' 2>/dev/null \
             && openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj '/CN=127.0.0.1' 2>/dev/null \
             && printf 'basicConstraints=critical,CA:FALSE\nsubjectAltName=IP:127.0.0.1,DNS:localhost\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' > ext \
             && openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 2 -extfile ext 2>/dev/null \
             && mkdir certs && cp ca.crt certs/ca.crt",
            d,
        );
        format!(
            "  tls:\n    certificate: {}\n    key: {}\n",
            d.join("server.crt").display(),
            d.join("server.key").display()
        )
    } else {
        String::new()
    };
    let cfg = format!(
        "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:{port}\n{tls_cfg}{auth}",
        dir.path().join("data").display()
    );
    let cfg_path = dir.path().join("config.yml");
    std::fs::write(&cfg_path, cfg).unwrap();
    let child = spawn(&cfg_path);
    let host = format!("127.0.0.1:{port}");
    wait_for(&host);
    let ca = tls.then(|| dir.path().join("ca.crt"));
    Some(Registry { child, host, ca, config: cfg_path, _dir: dir })
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
