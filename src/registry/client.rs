//! A small blocking client for the distribution API: authentication (basic, bearer tokens per
//! scope), retries on 408/429/5xx and broken connections, manifests, blobs, and a streaming
//! `Image` source.

use super::auth::{self, Credentials};
use super::{Reference, RegistryError};
use crate::image::compression::sha256;
use crate::image::{choose_manifest, new_image, Blob, BlobReader, Compression, Image, Layer, OpenOptions, SourceKind};
use oci_spec::image::{Descriptor, ImageIndex, ImageManifest};
use reqwest::blocking::{RequestBuilder, Response};
use reqwest::header::{ACCEPT, AUTHORIZATION, WWW_AUTHENTICATE};
use reqwest::StatusCode;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const MANIFEST_TYPES: &[&str] = &[
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.docker.distribution.manifest.v2+json",
];

/// Manifests and configs larger than this are refused.
const MAX_DOCUMENT: usize = 16 << 20;

#[derive(Clone, Default)]
pub struct ClientOptions {
    /// Registries reached over plain HTTP. Local registries (localhost, 127.0.0.1) fall back to
    /// HTTP when HTTPS does not connect, as docker does; everything else is HTTPS.
    pub insecure: Vec<String>,
    /// Extra CA certificates (PEM) trusted besides the system's; `/etc/docker/certs.d/HOST/ca.crt`
    /// is added for the hosts in `hosts`.
    pub ca_files: Vec<std::path::PathBuf>,
    pub hosts: Vec<String>,
    /// Credentials to use instead of the docker config's.
    pub credentials: Option<Credentials>,
    /// Fetches fresh credentials when the registry rejects the current ones (ECR tokens expire).
    pub refresh: Option<Arc<dyn Fn() -> Option<Credentials> + Send + Sync>>,
    /// Send registry traffic here (`https://host:port`) instead of the reference's host.
    pub endpoint: Option<String>,
}

impl std::fmt::Debug for ClientOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientOptions")
            .field("insecure", &self.insecure)
            .field("ca_files", &self.ca_files)
            .field("credentials", &self.credentials.as_ref().map(|_| "<hidden>"))
            .field("endpoint", &self.endpoint)
            .finish()
    }
}

pub struct Client {
    http: reqwest::blocking::Client,
    options: ClientOptions,
    /// Authorization header per (registry, scope).
    tokens: Mutex<HashMap<(String, String), String>>,
    /// Credentials after a refresh.
    fresh: Mutex<Option<Credentials>>,
    /// Local hosts that answered only over plain HTTP.
    plain: Mutex<Vec<String>>,
}

fn is_local(host: &str) -> bool {
    let h = host.rsplit_once(':').map_or(host, |(h, p)| if p.chars().all(|c| c.is_ascii_digit()) { h } else { host });
    matches!(h, "localhost" | "127.0.0.1" | "[::1]") || h.ends_with(".localhost")
}

/// An error and its causes, as text.
fn chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}

fn retryable(status: StatusCode) -> bool {
    status == StatusCode::REQUEST_TIMEOUT || status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error()
}

/// `{"errors":[{"code":...,"message":...}]}` in plain words.
fn error_text(body: &str) -> String {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(body) else {
        return body.chars().take(300).collect();
    };
    let errs: Vec<String> = v["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| format!("{} ({})", e["message"].as_str().unwrap_or(""), e["code"].as_str().unwrap_or("")))
                .collect()
        })
        .unwrap_or_default();
    if errs.is_empty() {
        body.chars().take(300).collect()
    } else {
        errs.join("; ")
    }
}

impl Client {
    pub fn new(options: ClientOptions) -> Result<Client, RegistryError> {
        let mut certs = Vec::new();
        let mut files = options.ca_files.clone();
        for h in &options.hosts {
            let d = std::path::Path::new("/etc/docker/certs.d").join(h);
            for name in ["ca.crt", "ca.pem"] {
                if d.join(name).is_file() {
                    files.push(d.join(name));
                }
            }
        }
        for f in &files {
            let pem = std::fs::read(f)
                .map_err(|e| RegistryError::Invalid { what: f.display().to_string(), detail: e.to_string() })?;
            let c = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| RegistryError::Invalid {
                what: f.display().to_string(),
                detail: format!("not a PEM certificate: {e}"),
            })?;
            if c.is_empty() {
                return Err(RegistryError::Invalid {
                    what: f.display().to_string(),
                    detail: "no certificate in the file".into(),
                });
            }
            certs.extend(c);
        }
        let mut b = reqwest::blocking::Client::builder()
            .user_agent(concat!("imgslim/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(20))
            .pool_max_idle_per_host(8)
            .timeout(None);
        if !certs.is_empty() {
            b = b.tls_certs_merge(certs);
        }
        let http = b.build().map_err(|e| RegistryError::Http { url: "client".into(), source: e })?;
        Ok(Client {
            http,
            options,
            tokens: Mutex::new(HashMap::new()),
            fresh: Mutex::new(None),
            plain: Mutex::new(Vec::new()),
        })
    }

    fn scheme(&self, r: &Reference) -> &'static str {
        let host = r.api_host();
        let explicit = self.options.insecure.iter().any(|h| h == host || h == &r.registry);
        if explicit || self.plain.lock().unwrap_or_else(|e| e.into_inner()).iter().any(|h| h == host) {
            "http"
        } else {
            "https"
        }
    }

    /// `scheme://host/v2/<repository>/` (or the endpoint's).
    pub fn repo_url(&self, r: &Reference) -> String {
        match &self.options.endpoint {
            Some(e) => format!("{}/v2/{}/", e.trim_end_matches('/'), r.repository),
            None => format!("{}://{}/v2/{}/", self.scheme(r), r.api_host(), r.repository),
        }
    }

    fn credentials(&self, r: &Reference) -> Option<Credentials> {
        if let Some(c) = self.fresh.lock().unwrap_or_else(|e| e.into_inner()).clone() {
            return Some(c);
        }
        self.options.credentials.clone().or_else(|| auth::lookup(&r.registry))
    }

    /// Get a bearer token (or basic header) for a challenge.
    fn authorize(&self, r: &Reference, challenge: &str, scope: &str) -> Result<String, RegistryError> {
        let (scheme, params) = auth::parse_challenge(challenge);
        let creds = self.credentials(r);
        if scheme == "basic" {
            return creds.map(|c| c.basic()).ok_or_else(|| RegistryError::Unauthorized(r.registry.clone()));
        }
        let realm = params.get("realm").ok_or_else(|| RegistryError::Invalid {
            what: "authentication challenge".into(),
            detail: challenge.to_string(),
        })?;
        let mut url = reqwest::Url::parse(realm)
            .map_err(|e| RegistryError::Invalid { what: "token realm".into(), detail: e.to_string() })?;
        {
            let mut q = url.query_pairs_mut();
            if let Some(s) = params.get("service") {
                q.append_pair("service", s);
            }
            q.append_pair("scope", &params.get("scope").cloned().unwrap_or_else(|| scope.to_string()));
        }
        let mut req = self.http.get(url.clone());
        if let Some(c) = &creds {
            req = req.header(AUTHORIZATION, c.basic());
        }
        let resp = req.send().map_err(|e| RegistryError::Http { url: url.to_string(), source: e })?;
        if !resp.status().is_success() {
            return Err(RegistryError::Unauthorized(r.registry.clone()));
        }
        let body = resp.bytes().map_err(|e| RegistryError::Http { url: url.to_string(), source: e })?;
        let v: serde_json::Value = serde_json::from_slice(&body)
            .map_err(|e| RegistryError::Invalid { what: "token response".into(), detail: e.to_string() })?;
        let token = v["token"]
            .as_str()
            .or(v["access_token"].as_str())
            .ok_or_else(|| RegistryError::Invalid { what: "token response".into(), detail: "no token".into() })?;
        Ok(format!("Bearer {token}"))
    }

    /// Send a request with authentication and retries. `scope` is `pull` or `pull,push`; `path` is
    /// relative to the repository URL (`manifests/latest`) or absolute (an upload location);
    /// `build` makes the request for a URL (it may be called more than once).
    pub fn send(
        &self,
        r: &Reference,
        scope: &str,
        path: &str,
        build: &dyn Fn(&reqwest::blocking::Client, &str) -> RequestBuilder,
    ) -> Result<Response, RegistryError> {
        self.send_with(r, scope, path, build, true)
    }

    /// As `send`; with `retry` false a server error or a broken connection is returned rather
    /// than retried: for requests the registry may have half taken (a blob PATCH), which the
    /// caller starts again.
    pub fn send_with(
        &self,
        r: &Reference,
        scope: &str,
        path: &str,
        build: &dyn Fn(&reqwest::blocking::Client, &str) -> RequestBuilder,
        retry: bool,
    ) -> Result<Response, RegistryError> {
        let key = (r.registry.clone(), format!("repository:{}:{scope}", r.repository));
        let (mut authed, mut refreshed) = (false, false);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let url = if path.starts_with("http://") || path.starts_with("https://") {
                path.to_string()
            } else {
                format!("{}{path}", self.repo_url(r))
            };
            let mut req = build(&self.http, &url);
            if let Some(h) = self.tokens.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
                req = req.header(AUTHORIZATION, h.clone());
            }
            match req.send() {
                Ok(resp) if resp.status() == StatusCode::UNAUTHORIZED && (!authed || !refreshed) => {
                    if authed {
                        // rejected with credentials: refresh them once (an expired ECR token)
                        refreshed = true;
                        let Some(refresh) = &self.options.refresh else {
                            return Err(RegistryError::Unauthorized(r.registry.clone()));
                        };
                        *self.fresh.lock().unwrap_or_else(|e| e.into_inner()) = refresh();
                    }
                    let challenge =
                        resp.headers().get(WWW_AUTHENTICATE).and_then(|h| h.to_str().ok()).unwrap_or("").to_string();
                    let header = self.authorize(r, &challenge, &key.1)?;
                    self.tokens.lock().unwrap_or_else(|e| e.into_inner()).insert(key.clone(), header);
                    authed = true;
                }
                Ok(resp) if resp.status() == StatusCode::UNAUTHORIZED => {
                    return Err(RegistryError::Unauthorized(r.registry.clone()))
                }
                Ok(resp) if resp.status() == StatusCode::FORBIDDEN => {
                    let body = error_text(&resp.text().unwrap_or_default());
                    return Err(RegistryError::Denied { registry: r.registry.clone(), detail: body });
                }
                Ok(resp) if retry && retryable(resp.status()) && attempt < 5 => {
                    std::thread::sleep(Duration::from_millis(200 << attempt));
                }
                Ok(resp) => return Ok(resp),
                Err(e)
                    if url.starts_with("https://")
                        && is_local(r.api_host())
                        && self.options.endpoint.is_none()
                        && self.options.ca_files.is_empty()
                        && e.is_connect()
                        && !chain(&e).contains("refused")
                        && !chain(&e).contains("certificate")
                        && attempt == 1 =>
                {
                    // a local registry without TLS: plain HTTP, as docker does
                    self.plain.lock().unwrap_or_else(|e| e.into_inner()).push(r.api_host().to_string());
                }
                Err(e) if (e.is_connect() || (retry && (e.is_timeout() || e.is_request()))) && attempt < 5 => {
                    std::thread::sleep(Duration::from_millis(200 << attempt));
                }
                Err(e) => return Err(RegistryError::Transport { url, detail: chain(&e) }),
            }
        }
    }

    /// A successful response, or the status as an error.
    pub fn expect_ok(url: &str, resp: Response) -> Result<Response, RegistryError> {
        if resp.status().is_success() {
            return Ok(resp);
        }
        let status = resp.status().as_u16();
        let body = error_text(&resp.text().unwrap_or_default());
        if status == 404 {
            return Err(RegistryError::NotFound { url: url.to_string(), detail: body });
        }
        Err(RegistryError::Status { url: url.to_string(), status, body })
    }

    /// A manifest (or index) by tag or digest: bytes, media type, digest.
    pub fn manifest(&self, r: &Reference, reference: &str) -> Result<(Vec<u8>, String, String), RegistryError> {
        let path = format!("manifests/{reference}");
        let url = format!("{}{path}", self.repo_url(r));
        let accept = MANIFEST_TYPES.join(", ");
        let resp = self.send(r, "pull", &path, &|h, u| h.get(u).header(ACCEPT, accept.clone()))?;
        let resp = Self::expect_ok(&url, resp)?;
        let media_type = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .split(';')
            .next()
            .unwrap_or("")
            .to_string();
        let bytes = resp.bytes().map_err(|e| RegistryError::Http { url: url.clone(), source: e })?;
        if bytes.len() > MAX_DOCUMENT {
            return Err(RegistryError::Invalid { what: url, detail: "manifest too large".into() });
        }
        let digest = sha256(&bytes);
        if reference.starts_with("sha256:") && reference != digest {
            return Err(crate::image::ImageError::DigestMismatch {
                what: "manifest".into(),
                expected: reference.to_string(),
                actual: digest,
            }
            .into());
        }
        Ok((bytes.to_vec(), media_type, digest))
    }

    /// A blob as a stream.
    pub fn blob(&self, r: &Reference, digest: &str) -> Result<Response, RegistryError> {
        crate::image::validate_digest(digest)?;
        let path = format!("blobs/{digest}");
        let resp = self.send(r, "pull", &path, &|h, u| h.get(u))?;
        Self::expect_ok(&format!("{}{path}", self.repo_url(r)), resp)
    }

    /// A small blob (config), checked against its digest.
    pub fn small_blob(&self, r: &Reference, digest: &str) -> Result<Vec<u8>, RegistryError> {
        let resp = self.blob(r, digest)?;
        let bytes = resp.bytes().map_err(|e| RegistryError::Http { url: digest.to_string(), source: e })?;
        if bytes.len() > MAX_DOCUMENT {
            return Err(RegistryError::Invalid { what: digest.to_string(), detail: "blob too large".into() });
        }
        let actual = sha256(&bytes);
        if actual != digest {
            return Err(crate::image::ImageError::DigestMismatch {
                what: "blob".into(),
                expected: digest.into(),
                actual,
            }
            .into());
        }
        Ok(bytes.to_vec())
    }

    /// The image manifest for a platform (resolving an index): manifest, its digest.
    pub fn image_manifest(&self, r: &Reference, opts: &OpenOptions) -> Result<(ImageManifest, String), RegistryError> {
        let (bytes, media_type, digest) = self.manifest(r, r.reference())?;
        let v: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|e| RegistryError::Invalid { what: "manifest".into(), detail: e.to_string() })?;
        let is_index =
            media_type.contains("index") || media_type.contains("manifest.list") || v.get("manifests").is_some();
        if !is_index {
            let m: ImageManifest = serde_json::from_slice(&bytes)
                .map_err(|e| RegistryError::Invalid { what: "image manifest".into(), detail: e.to_string() })?;
            return Ok((m, digest));
        }
        let index: ImageIndex = serde_json::from_slice(&bytes)
            .map_err(|e| RegistryError::Invalid { what: "image index".into(), detail: e.to_string() })?;
        let candidates: Vec<Descriptor> = index.manifests().clone();
        let d = choose_manifest(candidates, opts)?;
        let (bytes, _, digest) = self.manifest(r, d.digest().as_ref())?;
        let m: ImageManifest = serde_json::from_slice(&bytes)
            .map_err(|e| RegistryError::Invalid { what: "image manifest".into(), detail: e.to_string() })?;
        Ok((m, digest))
    }

    /// An image whose layers stream from the registry when read.
    pub fn open_image(self: &Arc<Self>, r: &Reference, opts: &OpenOptions) -> Result<Image, RegistryError> {
        let (m, digest) = self.image_manifest(r, opts)?;
        let config_digest = m.config().digest().to_string();
        let config = self.small_blob(r, &config_digest)?;
        let layers = m
            .layers()
            .iter()
            .map(|d| {
                let media_type = d.media_type().to_string();
                Layer {
                    digest: d.digest().to_string(),
                    diff_id: None,
                    compression: Compression::from_media_type(&media_type).unwrap_or(Compression::Gzip),
                    media_type,
                    size: d.size(),
                    blob: Arc::new(RemoteBlob {
                        client: self.clone(),
                        reference: r.clone(),
                        digest: d.digest().to_string(),
                        size: d.size(),
                    }),
                }
            })
            .collect();
        Ok(new_image(SourceKind::Registry, Some(r.to_string()), Some(digest), config_digest, config, layers)?)
    }
}

struct RemoteBlob {
    client: Arc<Client>,
    reference: Reference,
    digest: String,
    size: u64,
}

impl Blob for RemoteBlob {
    fn size(&self) -> u64 {
        self.size
    }
    fn open(&self) -> std::io::Result<BlobReader> {
        let resp = self.client.blob(&self.reference, &self.digest).map_err(std::io::Error::other)?;
        Ok(BlobReader::Stream(Box::new(resp)))
    }
}
