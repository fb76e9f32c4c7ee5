//! The Docker Engine API (dockerd, or podman's compatible service), over its unix socket or
//! plain TCP: which engine `DOCKER_HOST`, `DOCKER_CONTEXT` or the CLI's current context names, an
//! image's inspect record, and its export (`GET /images/{name}/get`) as a byte stream.
//!
//! HTTP/1.0 is spoken on purpose: the engine then answers without chunked encoding and closes
//! the connection at the end of the body, so the export is read straight from the socket.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    Unix(PathBuf),
    Tcp(String),
}

impl std::fmt::Display for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Endpoint::Unix(p) => write!(f, "unix://{}", p.display()),
            Endpoint::Tcp(h) => write!(f, "tcp://{h}"),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("the Docker engine at {0} is not reachable: {1}")]
    Unreachable(String, io::Error),
    #[error("the Docker engine at {0} speaks TLS (DOCKER_TLS_VERIFY): not supported; save the image (docker save -o img.tar NAME) and analyze the file")]
    Tls(String),
    #[error("DOCKER_HOST={0}: only unix:// and tcp:// engines are supported")]
    Scheme(String),
    #[error("the Docker engine answered {status} for {what}: {message}")]
    Status { status: u16, what: String, message: String },
    #[error("the Docker engine's answer for {0} is not HTTP")]
    Protocol(String),
}

fn docker_config_dir() -> Option<PathBuf> {
    std::env::var_os("DOCKER_CONFIG")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".docker")))
}

/// The endpoint of a named docker context (`~/.docker/contexts/meta/<sha256 of name>/meta.json`).
fn context_host(name: &str) -> Option<String> {
    if name == "default" {
        return None;
    }
    let hex = crate::image::compression::sha256(name.as_bytes());
    let hex = hex.trim_start_matches("sha256:");
    let meta = docker_config_dir()?.join("contexts/meta").join(hex).join("meta.json");
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(meta).ok()?).ok()?;
    v["Endpoints"]["docker"]["Host"].as_str().map(str::to_string)
}

fn parse_host(host: &str) -> Result<Endpoint, EngineError> {
    if let Some(p) = host.strip_prefix("unix://") {
        return Ok(Endpoint::Unix(PathBuf::from(p)));
    }
    if let Some(h) = host.strip_prefix("tcp://") {
        if std::env::var_os("DOCKER_TLS_VERIFY").is_some_and(|v| !v.is_empty()) {
            return Err(EngineError::Tls(host.to_string()));
        }
        let h = h.trim_end_matches('/');
        return Ok(Endpoint::Tcp(if h.contains(':') { h.to_string() } else { format!("{h}:2375") }));
    }
    Err(EngineError::Scheme(host.to_string()))
}

/// The engine the docker CLI would talk to: `DOCKER_HOST`, else `DOCKER_CONTEXT`, else the
/// config's `currentContext`, else `/var/run/docker.sock`. None when that socket does not exist.
pub fn endpoint() -> Result<Option<Endpoint>, EngineError> {
    if let Some(h) = std::env::var("DOCKER_HOST").ok().filter(|h| !h.is_empty()) {
        return parse_host(&h).map(Some);
    }
    let ctx = std::env::var("DOCKER_CONTEXT").ok().filter(|c| !c.is_empty()).or_else(|| {
        let cfg = docker_config_dir()?.join("config.json");
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(cfg).ok()?).ok()?;
        v["currentContext"].as_str().map(str::to_string)
    });
    if let Some(h) = ctx.as_deref().and_then(context_host) {
        return parse_host(&h).map(Some);
    }
    let sock = PathBuf::from("/var/run/docker.sock");
    Ok(sock.exists().then_some(Endpoint::Unix(sock)))
}

trait Conn: Read + Write + Send {}
impl<T: Read + Write + Send> Conn for T {}

/// A connection to one engine, with the API version both sides speak.
#[derive(Debug, Clone)]
pub struct Engine {
    pub endpoint: Endpoint,
    api: String,
    /// The engine is podman's service (`Libpod-Api-Version`).
    pub podman: bool,
}

/// The newest API version imgslim asks for; older engines are spoken to in theirs.
const API: (u32, u32) = (1, 41);

/// An HTTP/1.0 response: status, headers (lower-case names), the body as a stream.
struct Response {
    headers: Vec<(String, String)>,
    body: BufReader<Box<dyn Conn>>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// The body, at most `limit` bytes.
    fn read_all(mut self, limit: u64) -> io::Result<Vec<u8>> {
        let mut v = Vec::new();
        (&mut self.body).take(limit).read_to_end(&mut v)?;
        Ok(v)
    }
}

fn escape_path(name: &str) -> String {
    name.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~/:@".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

impl Engine {
    /// Connect and agree on an API version (`HEAD /_ping`).
    pub fn connect(endpoint: Endpoint) -> Result<Engine, EngineError> {
        let mut e = Engine { endpoint, api: String::new(), podman: false };
        let r = e.request("HEAD", "/_ping", "the version check")?;
        let theirs = r.header("api-version").unwrap_or("1.24").to_string();
        e.podman = r.header("libpod-api-version").is_some();
        let parse = |v: &str| -> (u32, u32) {
            let (a, b) = v.split_once('.').unwrap_or(("1", "24"));
            (a.parse().unwrap_or(1), b.parse().unwrap_or(24))
        };
        let v = parse(&theirs).min(API);
        e.api = format!("/v{}.{}", v.0, v.1);
        Ok(e)
    }

    fn open(&self) -> Result<Box<dyn Conn>, EngineError> {
        let shown = self.endpoint.to_string();
        match &self.endpoint {
            Endpoint::Unix(p) => {
                let s = UnixStream::connect(p).map_err(|e| EngineError::Unreachable(shown, e))?;
                s.set_read_timeout(Some(Duration::from_secs(600))).ok();
                Ok(Box::new(s))
            }
            Endpoint::Tcp(h) => {
                let s = std::net::TcpStream::connect(h).map_err(|e| EngineError::Unreachable(shown, e))?;
                s.set_read_timeout(Some(Duration::from_secs(600))).ok();
                Ok(Box::new(s))
            }
        }
    }

    fn request(&self, method: &str, path: &str, what: &str) -> Result<Response, EngineError> {
        let shown = self.endpoint.to_string();
        let mut conn = self.open()?;
        let req = format!("{method} {}{path} HTTP/1.0\r\nHost: docker\r\nUser-Agent: imgslim\r\n\r\n", self.api);
        conn.write_all(req.as_bytes()).map_err(|e| EngineError::Unreachable(shown.clone(), e))?;
        let mut body = BufReader::with_capacity(256 << 10, conn);
        let mut line = String::new();
        (&mut body).take(8192).read_line(&mut line).map_err(|e| EngineError::Unreachable(shown.clone(), e))?;
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| EngineError::Protocol(what.to_string()))?;
        let mut headers = Vec::new();
        for _ in 0..200 {
            line.clear();
            (&mut body).take(65536).read_line(&mut line).map_err(|e| EngineError::Unreachable(shown.clone(), e))?;
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((k, v)) = l.split_once(':') {
                headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
            }
        }
        let r = Response { headers, body };
        if !(200..300).contains(&status) {
            let message = r
                .read_all(65536)
                .ok()
                .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
                .and_then(|v| v["message"].as_str().map(str::to_string))
                .unwrap_or_default();
            return Err(EngineError::Status { status, what: what.to_string(), message });
        }
        Ok(r)
    }

    /// The engine's record of an image (`GET /images/{name}/json`), None when it has none.
    pub fn inspect(&self, name: &str) -> Result<Option<serde_json::Value>, EngineError> {
        match self.request("GET", &format!("/images/{}/json", escape_path(name)), name) {
            Ok(r) => {
                let b = r.read_all(64 << 20).map_err(|e| EngineError::Unreachable(self.endpoint.to_string(), e))?;
                Ok(serde_json::from_slice(&b).ok())
            }
            Err(EngineError::Status { status: 404, .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The image as a docker-archive (or, from the containerd store, an OCI layout) tar stream.
    pub fn export(&self, name: &str) -> Result<impl Read + Send, EngineError> {
        let r = self.request("GET", &format!("/images/{}/get", escape_path(name)), name)?;
        Ok(r.body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        assert_eq!(parse_host("unix:///run/docker.sock").unwrap(), Endpoint::Unix("/run/docker.sock".into()));
        assert_eq!(parse_host("tcp://10.0.0.2").unwrap(), Endpoint::Tcp("10.0.0.2:2375".into()));
        assert!(matches!(parse_host("ssh://me@host"), Err(EngineError::Scheme(_))));
        assert_eq!(escape_path("localhost/app:1"), "localhost/app:1");
        assert_eq!(escape_path("a b"), "a%20b");
    }
}
