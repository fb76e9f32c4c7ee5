//! The Docker Engine API (dockerd, or podman's compatible service), over its unix socket, plain
//! TCP or TCP with TLS: which engine `DOCKER_HOST`, `DOCKER_CONTEXT` or the CLI's current context
//! names, an image's inspect record, and its export (`GET /images/{name}/get`) as a byte stream.
//!
//! On a socket HTTP/1.0 is spoken on purpose: the engine then answers without chunked encoding
//! and closes the connection at the end of the body, so the export is read straight from the
//! socket. TLS (`DOCKER_TLS_VERIFY` / `DOCKER_TLS` with `DOCKER_CERT_PATH`'s `ca.pem`, `cert.pem`,
//! `key.pem`, as the docker CLI reads them, or a context's TLS files) goes through the HTTP client
//! the registry code uses.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    Unix(PathBuf),
    Tcp(String),
    Tls(Box<TlsEndpoint>),
}

/// An engine on TCP with TLS, and the files that say whom to trust and who we are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsEndpoint {
    pub host: String,
    /// The CA the engine's certificate must chain to (`ca.pem`); the system's when absent.
    pub ca: Option<PathBuf>,
    /// The client certificate and key (`cert.pem`, `key.pem`), when the engine asks for one.
    pub identity: Option<(PathBuf, PathBuf)>,
    /// Check the engine's certificate (`DOCKER_TLS_VERIFY`); `DOCKER_TLS` alone does not.
    pub verify: bool,
}

impl std::fmt::Display for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Endpoint::Unix(p) => write!(f, "unix://{}", p.display()),
            Endpoint::Tcp(h) => write!(f, "tcp://{h}"),
            Endpoint::Tls(t) => write!(f, "tcp://{} (TLS)", t.host),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("the Docker engine at {0} is not reachable: {1}")]
    Unreachable(String, io::Error),
    #[error("the Docker engine at {0}: {1}")]
    Tls(String, String),
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

/// TLS as the environment asks for it: (verify, the directory with `ca.pem`, `cert.pem`,
/// `key.pem`), or None for plain TCP.
#[derive(Debug, Clone, PartialEq, Eq)]
struct TlsWanted {
    verify: bool,
    dir: Option<PathBuf>,
}

fn env_set(name: &str) -> bool {
    std::env::var_os(name).is_some_and(|v| !v.is_empty())
}

fn env_tls() -> Option<TlsWanted> {
    let verify = env_set("DOCKER_TLS_VERIFY");
    (verify || env_set("DOCKER_TLS")).then(|| TlsWanted {
        verify,
        dir: std::env::var_os("DOCKER_CERT_PATH")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(docker_config_dir),
    })
}

/// The endpoint of a named docker context (`~/.docker/contexts/meta/<sha256 of name>/meta.json`)
/// and its TLS files (`contexts/tls/<sha256 of name>/docker/`).
fn context_host(name: &str) -> Option<(String, Option<TlsWanted>)> {
    if name == "default" {
        return None;
    }
    let hex = crate::image::compression::sha256(name.as_bytes());
    let hex = hex.trim_start_matches("sha256:");
    let contexts = docker_config_dir()?.join("contexts");
    let meta = contexts.join("meta").join(hex).join("meta.json");
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(meta).ok()?).ok()?;
    let d = &v["Endpoints"]["docker"];
    let host = d["Host"].as_str()?.to_string();
    let tls_dir = contexts.join("tls").join(hex).join("docker");
    let skip = d["SkipTLSVerify"].as_bool().unwrap_or(false);
    let tls = (tls_dir.is_dir() || skip).then_some(TlsWanted { verify: !skip, dir: Some(tls_dir) });
    Some((host, tls))
}

fn parse_host(host: &str, tls: Option<TlsWanted>) -> Result<Endpoint, EngineError> {
    if let Some(p) = host.strip_prefix("unix://") {
        return Ok(Endpoint::Unix(PathBuf::from(p)));
    }
    if let Some(h) = host.strip_prefix("tcp://") {
        let h = h.trim_end_matches('/');
        let Some(t) = tls else {
            return Ok(Endpoint::Tcp(if h.contains(':') { h.to_string() } else { format!("{h}:2375") }));
        };
        let host = if h.contains(':') { h.to_string() } else { format!("{h}:2376") };
        let file = |n: &str| t.dir.as_ref().map(|d| d.join(n)).filter(|p| p.is_file());
        let identity = match (file("cert.pem"), file("key.pem")) {
            (Some(c), Some(k)) => Some((c, k)),
            _ => None,
        };
        return Ok(Endpoint::Tls(Box::new(TlsEndpoint { host, ca: file("ca.pem"), identity, verify: t.verify })));
    }
    Err(EngineError::Scheme(host.to_string()))
}

/// The engine the docker CLI would talk to: `DOCKER_HOST`, else `DOCKER_CONTEXT`, else the
/// config's `currentContext`, else `/var/run/docker.sock`. None when that socket does not exist.
pub fn endpoint() -> Result<Option<Endpoint>, EngineError> {
    if let Some(h) = std::env::var("DOCKER_HOST").ok().filter(|h| !h.is_empty()) {
        return parse_host(&h, env_tls()).map(Some);
    }
    let ctx = std::env::var("DOCKER_CONTEXT").ok().filter(|c| !c.is_empty()).or_else(|| {
        let cfg = docker_config_dir()?.join("config.json");
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(cfg).ok()?).ok()?;
        v["currentContext"].as_str().map(str::to_string)
    });
    if let Some((h, tls)) = ctx.as_deref().and_then(context_host) {
        return parse_host(&h, tls.or_else(env_tls)).map(Some);
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
    /// The HTTPS client of a TLS endpoint.
    https: Option<reqwest::blocking::Client>,
}

fn tls_client(t: &TlsEndpoint) -> Result<reqwest::blocking::Client, EngineError> {
    let shown = format!("tcp://{}", t.host);
    let fail =
        |what: &Path, e: &dyn std::fmt::Display| EngineError::Tls(shown.clone(), format!("{}: {e}", what.display()));
    let mut b = reqwest::blocking::Client::builder()
        .user_agent("imgslim")
        .connect_timeout(Duration::from_secs(20))
        .timeout(None);
    if let Some(ca) = &t.ca {
        let pem = std::fs::read(ca).map_err(|e| fail(ca, &e))?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| fail(ca, &e))?;
        if certs.is_empty() {
            return Err(fail(ca, &"no certificate in the file"));
        }
        b = b.tls_certs_only(certs);
    }
    if let Some((cert, key)) = &t.identity {
        let mut pem = std::fs::read(cert).map_err(|e| fail(cert, &e))?;
        pem.push(b'\n');
        pem.extend(std::fs::read(key).map_err(|e| fail(key, &e))?);
        b = b.identity(reqwest::Identity::from_pem(&pem).map_err(|e| fail(cert, &e))?);
    }
    if !t.verify {
        b = b.tls_danger_accept_invalid_certs(true);
    }
    b.build().map_err(|e| EngineError::Tls(shown, e.to_string()))
}

/// An error and its causes, one line (reqwest's own text names only the URL).
fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        let t = c.to_string();
        if !out.contains(&t) {
            out.push_str(": ");
            out.push_str(&t);
        }
        cur = c.source();
    }
    out
}

/// The newest API version imgslim asks for; older engines are spoken to in theirs.
const API: (u32, u32) = (1, 41);

/// An HTTP response: status, headers (lower-case names), the body as a stream.
struct Response {
    headers: Vec<(String, String)>,
    body: BufReader<Box<dyn Read + Send>>,
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
        let https = match &endpoint {
            Endpoint::Tls(t) => Some(tls_client(t)?),
            _ => None,
        };
        let mut e = Engine { endpoint, api: String::new(), podman: false, https };
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
            Endpoint::Tls(_) => unreachable!("TLS endpoints are spoken to through their HTTPS client"),
        }
    }

    fn request_https(
        &self,
        client: &reqwest::blocking::Client,
        method: &str,
        path: &str,
    ) -> Result<(u16, Response), EngineError> {
        let Endpoint::Tls(t) = &self.endpoint else { unreachable!("only TLS endpoints have an HTTPS client") };
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap_or(reqwest::Method::GET);
        let r = client.request(method, format!("https://{}{}{path}", t.host, self.api)).send().map_err(|e| {
            let mut text = chain(&e);
            if text.contains("BadCertificate") || text.contains("CertificateRequired") {
                text.push_str(
                    match &t.identity {
                        Some((c, _)) => format!("; the engine refused the client certificate {}", c.display()),
                        None => {
                            "; the engine wants a client certificate: cert.pem and key.pem in DOCKER_CERT_PATH".into()
                        }
                    }
                    .as_str(),
                );
            } else if text.contains("UnknownIssuer") {
                text.push_str(
                    match &t.ca {
                        Some(ca) => format!("; the engine's certificate is not signed by {}", ca.display()),
                        None => {
                            "; put the CA that signed the engine's certificate in DOCKER_CERT_PATH as ca.pem".into()
                        }
                    }
                    .as_str(),
                );
            }
            EngineError::Tls(self.endpoint.to_string(), text)
        })?;
        let status = r.status().as_u16();
        let headers = r
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_ascii_lowercase(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect();
        Ok((status, Response { headers, body: BufReader::with_capacity(256 << 10, Box::new(r)) }))
    }

    fn request(&self, method: &str, path: &str, what: &str) -> Result<Response, EngineError> {
        let (status, r) = match &self.https {
            Some(c) => self.request_https(c, method, path)?,
            None => self.request_socket(method, path, what)?,
        };
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

    fn request_socket(&self, method: &str, path: &str, what: &str) -> Result<(u16, Response), EngineError> {
        let shown = self.endpoint.to_string();
        let mut conn = self.open()?;
        let req = format!("{method} {}{path} HTTP/1.0\r\nHost: docker\r\nUser-Agent: imgslim\r\n\r\n", self.api);
        conn.write_all(req.as_bytes()).map_err(|e| EngineError::Unreachable(shown.clone(), e))?;
        let mut body: BufReader<Box<dyn Read + Send>> = BufReader::with_capacity(256 << 10, Box::new(conn));
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
        Ok((status, Response { headers, body }))
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
        assert_eq!(parse_host("unix:///run/docker.sock", None).unwrap(), Endpoint::Unix("/run/docker.sock".into()));
        assert_eq!(parse_host("tcp://10.0.0.2", None).unwrap(), Endpoint::Tcp("10.0.0.2:2375".into()));
        assert!(matches!(parse_host("ssh://me@host", None), Err(EngineError::Scheme(_))));
        let tls = TlsWanted { verify: true, dir: None };
        assert_eq!(
            parse_host("tcp://10.0.0.2", Some(tls)).unwrap(),
            Endpoint::Tls(Box::new(TlsEndpoint {
                host: "10.0.0.2:2376".into(),
                ca: None,
                identity: None,
                verify: true
            }))
        );
        assert_eq!(escape_path("localhost/app:1"), "localhost/app:1");
        assert_eq!(escape_path("a b"), "a%20b");
    }
}
