//! A private Docker engine for the tests (Debian's docker.io: dockerd 20.10 and its 20.10 CLI at
//! /usr/bin/docker), started with its own data root, exec root and socket, no iptables and no
//! bridge (builds use `--network host`), and stopped by its pid when the test ends. Base images
//! come from buildah's local storage (`buildah push IMG docker-archive:` + `docker load`).
//!
//! Also podman's configuration for this machine: runc (crun refuses this machine's cgroup
//! layout) and ulimits within the machine's hard limits.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Engine {
    pub dir: PathBuf,
    pub host: String,
    child: Child,
}

/// The 20.10 CLI (the newer one at /usr/local/bin wants a buildx plugin that is not here).
pub const DOCKER: &str = "/usr/bin/docker";

impl Engine {
    /// Start dockerd, or None (after saying why) when it is not installed.
    pub fn start() -> Option<Engine> {
        Self::start_with(&[])
    }

    /// Start dockerd also listening on TCP with TLS, client certificates required: its own CA,
    /// a server certificate for 127.0.0.1, a client certificate. Returns the engine, its
    /// `tcp://127.0.0.1:PORT` and a DOCKER_CERT_PATH directory (`ca.pem`, `cert.pem`, `key.pem`).
    pub fn start_tls() -> Option<(Engine, String, PathBuf)> {
        if Command::new("openssl").arg("version").output().is_err() {
            return super::tool_missing("openssl");
        }
        let tls = PathBuf::from(format!("/var/tmp/imgslim-dockerd-tls-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tls);
        std::fs::create_dir_all(tls.join("client")).unwrap();
        let script = "set -e
            openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj '/CN=imgslim test engine CA' 2>/dev/null
            openssl req -newkey rsa:2048 -nodes -keyout server-key.pem -out server.csr -subj '/CN=127.0.0.1' 2>/dev/null
            printf 'subjectAltName=IP:127.0.0.1\\nbasicConstraints=CA:FALSE\\nextendedKeyUsage=serverAuth\\n' > server.ext
            openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server-cert.pem -days 2 -extfile server.ext 2>/dev/null
            openssl req -newkey rsa:2048 -nodes -keyout client/key.pem -out client.csr -subj '/CN=imgslim test client' 2>/dev/null
            printf 'basicConstraints=CA:FALSE\\nextendedKeyUsage=clientAuth\\n' > client.ext
            openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out client/cert.pem -days 2 -extfile client.ext 2>/dev/null
            cp ca.pem client/ca.pem";
        let out = Command::new("sh").arg("-c").arg(script).current_dir(&tls).output().unwrap();
        assert!(out.status.success(), "openssl: {}", String::from_utf8_lossy(&out.stderr));
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let tcp = format!("tcp://127.0.0.1:{port}");
        let f = |n: &str| tls.join(n).display().to_string();
        let args = [
            "-H".to_string(),
            tcp.clone(),
            "--tlsverify".into(),
            "--tlscacert".into(),
            f("ca.pem"),
            "--tlscert".into(),
            f("server-cert.pem"),
            "--tlskey".into(),
            f("server-key.pem"),
        ];
        let e = Self::start_with(&args.iter().map(String::as_str).collect::<Vec<_>>())?;
        Some((e, tcp, tls.join("client")))
    }

    fn start_with(extra: &[&str]) -> Option<Engine> {
        let ok = Command::new("dockerd").arg("--version").output().is_ok_and(|o| o.status.success())
            && Path::new(DOCKER).exists();
        if !ok {
            return super::tool_missing("dockerd and /usr/bin/docker (apt-get install docker.io)");
        }
        // a short path: the socket path must fit in sun_path
        // one per engine: tests of one binary run in one process, in parallel
        static STARTED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = STARTED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = PathBuf::from(format!("/var/tmp/imgslim-dockerd-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let sock = dir.join("docker.sock");
        let log = std::fs::File::create(dir.join("dockerd.log")).unwrap();
        let child = Command::new("dockerd")
            .args(["--iptables=false", "--ip6tables=false", "--bridge=none"])
            .arg("--data-root")
            .arg(dir.join("root"))
            .arg("--exec-root")
            .arg(dir.join("exec"))
            .arg("-H")
            .arg(format!("unix://{}", sock.display()))
            .arg("--pidfile")
            .arg(dir.join("pid"))
            .args(extra)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("dockerd");
        let e = Engine { dir, host: format!("unix://{}", sock.display()), child };
        let t = Instant::now();
        while t.elapsed() < Duration::from_secs(60) {
            if e.docker(&["version", "--format", "{{.Server.APIVersion}}"]).status.success() {
                return Some(e);
            }
            std::thread::sleep(Duration::from_millis(300));
        }
        panic!("dockerd did not start: {}", std::fs::read_to_string(e.dir.join("dockerd.log")).unwrap_or_default());
    }

    pub fn docker(&self, args: &[&str]) -> std::process::Output {
        Command::new(DOCKER).env("DOCKER_HOST", &self.host).args(args).output().unwrap()
    }

    /// Load an image from buildah's storage into the engine under the same name.
    pub fn load_from_buildah(&self, image: &str) {
        let tar = self.dir.join("load.tar");
        let out = Command::new("buildah")
            .args(["push", "-q", image])
            .arg(format!("docker-archive:{}:{image}", tar.display()))
            .output()
            .unwrap();
        assert!(out.status.success(), "buildah push {image}: {}", String::from_utf8_lossy(&out.stderr));
        let out = self.docker(&["load", "-i", &tar.display().to_string()]);
        assert!(out.status.success(), "docker load {image}: {}", String::from_utf8_lossy(&out.stderr));
        let _ = std::fs::remove_file(tar);
    }

    /// The environment a child process needs to use this engine with the 20.10 CLI first on PATH.
    pub fn env(&self) -> Vec<(String, String)> {
        vec![
            ("DOCKER_HOST".into(), self.host.clone()),
            ("PATH".into(), format!("/usr/bin:{}", std::env::var("PATH").unwrap_or_default())),
        ]
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        // stop it by its pid, never by name
        let _ = Command::new("kill").arg(self.child.id().to_string()).status();
        let t = Instant::now();
        while t.elapsed() < Duration::from_secs(30) {
            if self.child.try_wait().ok().flatten().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = Command::new("umount").arg("-R").arg(self.dir.join("root")).output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A containers.conf for podman on this machine, written into `dir`: set CONTAINERS_CONF to it.
pub fn podman_conf(dir: &Path) -> Option<PathBuf> {
    let ok = Command::new("podman").arg("--version").output().is_ok_and(|o| o.status.success())
        && Command::new("runc").arg("--version").output().is_ok_and(|o| o.status.success());
    if !ok {
        return super::tool_missing("podman and runc (apt-get install podman runc)");
    }
    let hard = |flag: &str| -> String {
        let out = Command::new("sh").arg("-c").arg(format!("ulimit -H{flag}")).output().unwrap();
        let v = String::from_utf8_lossy(&out.stdout).trim().to_string();
        if v.is_empty() || v == "unlimited" {
            "1048576".into()
        } else {
            v
        }
    };
    let conf = dir.join("containers.conf");
    std::fs::write(
        &conf,
        format!(
            // nproc: podman's default is above what this machine lets a container set (4096 works)
            "[containers]\ndefault_ulimits = [\"nofile={n}:{n}\", \"nproc=4096:4096\"]\n[engine]\nruntime = \"runc\"\n",
            n = hard("n"),
        ),
    )
    .unwrap();
    Some(conf)
}
