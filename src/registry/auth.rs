//! Registry credentials: `$DOCKER_CONFIG/config.json` (`auths`, `credsStore`, `credHelpers`),
//! `IMGSLIM_REGISTRY_USER`/`IMGSLIM_REGISTRY_PASSWORD`, or what a caller sets (ECR). And the
//! token dance of `WWW-Authenticate: Bearer realm=...,service=...,scope=...`.

use base64::Engine as _;
use std::collections::HashMap;
use std::io::Write as _;
use std::process::{Command, Stdio};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

impl Credentials {
    pub fn basic(&self) -> String {
        let raw = format!("{}:{}", self.username, self.password);
        format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(raw))
    }
}

fn config_path() -> Option<std::path::PathBuf> {
    if let Some(d) = std::env::var_os("DOCKER_CONFIG") {
        return Some(std::path::PathBuf::from(d).join("config.json"));
    }
    std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".docker/config.json"))
}

/// A credential helper's answer for a registry (`docker-credential-<helper> get`).
fn from_helper(helper: &str, registry: &str) -> Option<Credentials> {
    let mut child = Command::new(format!("docker-credential-{helper}"))
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    child.stdin.take()?.write_all(registry.as_bytes()).ok()?;
    let out = child.wait_with_output().ok()?;
    if !out.status.success() {
        return None;
    }
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).ok()?;
    Some(Credentials { username: v["Username"].as_str()?.to_string(), password: v["Secret"].as_str()?.to_string() })
}

/// Credentials for a registry host, from the environment or the docker config.
pub fn lookup(registry: &str) -> Option<Credentials> {
    if let (Ok(u), Ok(p)) = (std::env::var("IMGSLIM_REGISTRY_USER"), std::env::var("IMGSLIM_REGISTRY_PASSWORD")) {
        return Some(Credentials { username: u, password: p });
    }
    let text = std::fs::read_to_string(config_path()?).ok()?;
    let cfg: serde_json::Value = serde_json::from_str(&text).ok()?;
    let keys: Vec<String> = if registry == "docker.io" {
        vec!["https://index.docker.io/v1/".into(), "index.docker.io".into(), "docker.io".into()]
    } else {
        vec![registry.to_string(), format!("https://{registry}"), format!("http://{registry}")]
    };
    for k in &keys {
        if let Some(helper) = cfg["credHelpers"][k].as_str() {
            return from_helper(helper, k);
        }
    }
    for k in &keys {
        if let Some(auth) = cfg["auths"][k]["auth"].as_str() {
            let raw = base64::engine::general_purpose::STANDARD.decode(auth).ok()?;
            let raw = String::from_utf8(raw).ok()?;
            let (u, p) = raw.split_once(':')?;
            return Some(Credentials { username: u.into(), password: p.into() });
        }
    }
    let store = cfg["credsStore"].as_str()?;
    keys.iter().find_map(|k| from_helper(store, k))
}

/// The parameters of a `WWW-Authenticate` challenge: scheme and key/value pairs.
pub fn parse_challenge(h: &str) -> (String, HashMap<String, String>) {
    let (scheme, rest) = h.trim().split_once(' ').unwrap_or((h.trim(), ""));
    let mut params = HashMap::new();
    let mut rest = rest.trim();
    while !rest.is_empty() {
        let Some((k, v)) = rest.split_once('=') else { break };
        let k = k.trim().trim_start_matches(',').trim().to_ascii_lowercase();
        let v = v.trim_start();
        let (value, tail) = if let Some(q) = v.strip_prefix('"') {
            match q.find('"') {
                Some(i) => (&q[..i], &q[i + 1..]),
                None => (q, ""),
            }
        } else {
            match v.find(',') {
                Some(i) => (&v[..i], &v[i..]),
                None => (v, ""),
            }
        };
        params.insert(k, value.to_string());
        rest = tail.trim_start_matches(',').trim();
    }
    (scheme.to_ascii_lowercase(), params)
}

#[cfg(test)]
mod tests {
    #[test]
    fn challenges() {
        let (s, p) = super::parse_challenge(
            r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/python:pull,push""#,
        );
        assert_eq!(s, "bearer");
        assert_eq!(p["realm"], "https://auth.docker.io/token");
        assert_eq!(p["scope"], "repository:library/python:pull,push");
        let (s, p) = super::parse_challenge(r#"Basic realm="Registry Realm""#);
        assert_eq!((s.as_str(), p["realm"].as_str()), ("basic", "Registry Realm"));
    }
}
