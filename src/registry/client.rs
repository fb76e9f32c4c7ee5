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

#[derive(Debug, Clone, Default)]
pub struct ClientOptions {
    /// Registries reached over plain HTTP (besides localhost, which always is).
    pub insecure: Vec<String>,
    /// Credentials to use instead of the docker config's.
    pub credentials: Option<Credentials>,
}

pub struct Client {
    http: reqwest::blocking::Client,
    options: ClientOptions,
    /// Authorization header per (registry, scope).
    tokens: Mutex<HashMap<(String, String), String>>,
}

fn is_local(host: &str) -> bool {
    let h = host.rsplit_once(':').map_or(host, |(h, p)| if p.chars().all(|c| c.is_ascii_digit()) { h } else { host });
    matches!(h, "localhost" | "127.0.0.1" | "[::1]") || h.ends_with(".localhost")
}

fn retryable(status: StatusCode) -> bool {
    status == StatusCode::REQUEST_TIMEOUT || status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error()
}

impl Client {
    pub fn new(options: ClientOptions) -> Result<Client, RegistryError> {
        let http = reqwest::blocking::Client::builder()
            .user_agent(concat!("imgslim/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(20))
            .timeout(None)
            .build()
            .map_err(|e| RegistryError::Http { url: "client".into(), source: e })?;
        Ok(Client { http, options, tokens: Mutex::new(HashMap::new()) })
    }

    /// `scheme://host/v2/<repository>/`
    pub fn repo_url(&self, r: &Reference) -> String {
        let host = r.api_host();
        let scheme = if is_local(host) || self.options.insecure.iter().any(|h| h == host || h == &r.registry) {
            "http"
        } else {
            "https"
        };
        format!("{scheme}://{host}/v2/{}/", r.repository)
    }

    fn credentials(&self, r: &Reference) -> Option<Credentials> {
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

    /// Send a request with authentication and retries. `scope` is `pull` or `pull,push`.
    /// `build` makes the request (it may be called more than once).
    pub fn send(
        &self,
        r: &Reference,
        scope: &str,
        url: &str,
        build: &dyn Fn(&reqwest::blocking::Client) -> RequestBuilder,
    ) -> Result<Response, RegistryError> {
        let key = (r.registry.clone(), format!("repository:{}:{scope}", r.repository));
        let mut authed_once = false;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut req = build(&self.http);
            if let Some(h) = self.tokens.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
                req = req.header(AUTHORIZATION, h.clone());
            }
            match req.send() {
                Ok(resp) if resp.status() == StatusCode::UNAUTHORIZED && !authed_once => {
                    let challenge =
                        resp.headers().get(WWW_AUTHENTICATE).and_then(|h| h.to_str().ok()).unwrap_or("").to_string();
                    let header = self.authorize(r, &challenge, &key.1)?;
                    self.tokens.lock().unwrap_or_else(|e| e.into_inner()).insert(key.clone(), header);
                    authed_once = true;
                }
                Ok(resp) if resp.status() == StatusCode::UNAUTHORIZED || resp.status() == StatusCode::FORBIDDEN => {
                    return Err(RegistryError::Unauthorized(r.registry.clone()))
                }
                Ok(resp) if retryable(resp.status()) && attempt < 4 => {
                    std::thread::sleep(Duration::from_millis(250 << attempt));
                }
                Ok(resp) => return Ok(resp),
                Err(e) if (e.is_connect() || e.is_timeout() || e.is_request()) && attempt < 4 => {
                    std::thread::sleep(Duration::from_millis(250 << attempt));
                }
                Err(e) => return Err(RegistryError::Http { url: url.to_string(), source: e }),
            }
        }
    }

    /// A successful response, or the status as an error.
    pub fn expect_ok(url: &str, resp: Response) -> Result<Response, RegistryError> {
        if resp.status().is_success() {
            return Ok(resp);
        }
        let status = resp.status().as_u16();
        let body: String = resp.text().unwrap_or_default().chars().take(300).collect();
        Err(RegistryError::Status { url: url.to_string(), status, body })
    }

    /// A manifest (or index) by tag or digest: bytes, media type, digest.
    pub fn manifest(&self, r: &Reference, reference: &str) -> Result<(Vec<u8>, String, String), RegistryError> {
        let url = format!("{}manifests/{reference}", self.repo_url(r));
        let accept = MANIFEST_TYPES.join(", ");
        let resp = self.send(r, "pull", &url, &|h| h.get(&url).header(ACCEPT, accept.clone()))?;
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
        let url = format!("{}blobs/{digest}", self.repo_url(r));
        let resp = self.send(r, "pull", &url, &|h| h.get(&url))?;
        Self::expect_ok(&url, resp)
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
