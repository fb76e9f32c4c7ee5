//! Push an image to a registry: every blob that is not there yet (HEAD first), bounded
//! parallel uploads with retries, the config, and the manifest last. The manifest is an OCI
//! image manifest built from the image's config and layers.

use super::{Client, Reference, RegistryError};
use crate::image::{Compression, Image};
use reqwest::blocking::Body;
use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE, LOCATION};
use serde::Serialize;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

#[derive(Debug, Clone, Serialize)]
pub struct Pushed {
    pub reference: String,
    /// Digest of the manifest the registry now has.
    pub digest: String,
    pub manifest_media_type: String,
    /// Blobs uploaded and blobs the registry already had.
    pub uploaded: usize,
    pub existing: usize,
    pub uploaded_bytes: u64,
}

fn layer_media_type(c: Compression) -> &'static str {
    match c {
        Compression::Gzip => "application/vnd.oci.image.layer.v1.tar+gzip",
        Compression::Zstd => "application/vnd.oci.image.layer.v1.tar+zstd",
        _ => "application/vnd.oci.image.layer.v1.tar",
    }
}

/// The OCI manifest for an image: config and layers as stored.
pub fn manifest(image: &Image) -> Vec<u8> {
    let m = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {
            "mediaType": "application/vnd.oci.image.config.v1+json",
            "digest": image.config_digest,
            "size": image.config_bytes.len(),
        },
        "layers": image.layers.iter().map(|l| serde_json::json!({
            "mediaType": layer_media_type(l.compression),
            "digest": l.digest,
            "size": l.size,
        })).collect::<Vec<_>>(),
    });
    serde_json::to_vec(&m).unwrap_or_default()
}

impl Client {
    fn blob_exists(&self, r: &Reference, digest: &str) -> Result<bool, RegistryError> {
        let url = format!("{}blobs/{digest}", self.repo_url(r));
        let resp = self.send(r, "pull,push", &url, &|h| h.head(&url))?;
        Ok(resp.status().is_success())
    }

    /// Upload one blob (monolithic: POST for a session, PUT with the bytes and the digest).
    fn upload(
        &self,
        r: &Reference,
        digest: &str,
        size: u64,
        open: &dyn Fn() -> std::io::Result<Body>,
    ) -> Result<(), RegistryError> {
        let url = format!("{}blobs/uploads/", self.repo_url(r));
        let resp = self.send(r, "pull,push", &url, &|h| h.post(&url).header(CONTENT_LENGTH, 0))?;
        let resp = Client::expect_ok(&url, resp)?;
        let location = resp
            .headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| RegistryError::Invalid { what: url.clone(), detail: "no upload Location".into() })?
            .to_string();
        let base = reqwest::Url::parse(&url)
            .map_err(|e| RegistryError::Invalid { what: url.clone(), detail: e.to_string() })?;
        let mut put = base
            .join(&location)
            .map_err(|e| RegistryError::Invalid { what: location.clone(), detail: e.to_string() })?;
        put.query_pairs_mut().append_pair("digest", digest);
        let put = put.to_string();
        let resp = self.send(r, "pull,push", &put, &|h| {
            let body = open().unwrap_or_else(|_| Body::from(Vec::new()));
            h.put(&put).header(CONTENT_TYPE, "application/octet-stream").header(CONTENT_LENGTH, size).body(body)
        })?;
        Client::expect_ok(&put, resp)?;
        Ok(())
    }

    /// Push `image` as `r` (its tag or digest). `threads` uploads run at once.
    pub fn push(&self, image: &Image, r: &Reference, threads: usize) -> Result<Pushed, RegistryError> {
        let manifest = manifest(image);
        let (uploaded, existing, bytes) = (AtomicUsize::new(0), AtomicUsize::new(0), Mutex::new(0u64));
        let errors: Mutex<Vec<RegistryError>> = Mutex::new(Vec::new());
        let next = AtomicUsize::new(0);
        std::thread::scope(|s| {
            for _ in 0..threads.clamp(1, 8) {
                s.spawn(|| loop {
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    let Some(l) = image.layers.get(k) else { break };
                    if !errors.lock().unwrap_or_else(|e| e.into_inner()).is_empty() {
                        break;
                    }
                    let result = self.blob_exists(r, &l.digest).and_then(|there| {
                        if there {
                            existing.fetch_add(1, Ordering::Relaxed);
                            return Ok(());
                        }
                        let blob = l.blob.clone();
                        let size = l.size;
                        self.upload(r, &l.digest, size, &|| Ok(Body::sized(blob.open()?, size)))?;
                        uploaded.fetch_add(1, Ordering::Relaxed);
                        *bytes.lock().unwrap_or_else(|e| e.into_inner()) += size;
                        Ok(())
                    });
                    if let Err(e) = result {
                        errors.lock().unwrap_or_else(|e| e.into_inner()).push(e);
                        break;
                    }
                });
            }
        });
        if let Some(e) = errors.into_inner().unwrap_or_default().into_iter().next() {
            return Err(e);
        }
        if !self.blob_exists(r, &image.config_digest)? {
            let cfg = image.config_bytes.clone();
            self.upload(r, &image.config_digest, cfg.len() as u64, &|| Ok(Body::from(cfg.clone())))?;
            uploaded.fetch_add(1, Ordering::Relaxed);
        } else {
            existing.fetch_add(1, Ordering::Relaxed);
        }
        let media_type = "application/vnd.oci.image.manifest.v1+json";
        let url = format!("{}manifests/{}", self.repo_url(r), r.reference());
        let resp =
            self.send(r, "pull,push", &url, &|h| h.put(&url).header(CONTENT_TYPE, media_type).body(manifest.clone()))?;
        Client::expect_ok(&url, resp)?;
        Ok(Pushed {
            reference: r.to_string(),
            digest: crate::image::compression::sha256(&manifest),
            manifest_media_type: media_type.into(),
            uploaded: uploaded.into_inner(),
            existing: existing.into_inner(),
            uploaded_bytes: bytes.into_inner().unwrap_or(0),
        })
    }
}
