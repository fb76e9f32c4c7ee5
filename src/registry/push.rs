//! Push an image to a registry. OCI layouts and archives go as stored (manifests and indexes byte
//! for byte, so their digests do not change; multi-platform indexes whole). A docker-archive gets
//! a generated OCI manifest, its plain layers compressed on the fly (gzip or zstd) to temporary
//! files. Blobs the registry has are skipped (HEAD), mounted from another repository when asked,
//! otherwise streamed in one PUT each (one PATCH and a closing PUT where a registry refuses that),
//! a few at a time; manifests come last, the tag at the very end, so a failed push leaves no tag
//! behind.

use super::{Client, Reference, RegistryError};
use crate::image::compression::sha256;
use crate::image::{Compression, Image, ImageError, OciRaw};
use reqwest::blocking::Body;
use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE, LOCATION};
use reqwest::StatusCode;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// Layer compression for docker-archive layers stored plain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PushCompression {
    Gzip,
    Zstd,
}

type Opener = Arc<dyn Fn() -> std::io::Result<Box<dyn Read + Send>> + Send + Sync>;
type AddBlob<'a> = dyn FnMut(&serde_json::Value, &mut Vec<PushBlob>) -> Result<(), RegistryError> + 'a;
/// A layer ready to push: the blob, its media type, the temporary file holding it.
type Prepared = Result<(PushBlob, String, Option<tempfile::TempPath>), RegistryError>;

/// A blob to push.
#[derive(Clone)]
pub struct PushBlob {
    pub digest: String,
    pub size: u64,
    open: Opener,
}

/// A manifest or index, exactly as it will be stored.
#[derive(Debug, Clone)]
pub struct PushManifest {
    pub bytes: Vec<u8>,
    pub media_type: String,
    pub digest: String,
}

/// Everything a push uploads: blobs, manifests pushed by digest (an index's children), and the
/// manifest the tag points at.
pub struct PushSet {
    pub blobs: Vec<PushBlob>,
    pub children: Vec<PushManifest>,
    pub top: PushManifest,
    /// Temporary files of compressed layers (deleted with the set).
    _spool: Vec<tempfile::TempPath>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Pushed {
    /// `registry/repository:tag@digest`
    pub reference: String,
    /// Digest of the manifest (or index) the tag points at.
    pub digest: String,
    pub media_type: String,
    pub pushed_bytes: u64,
    pub uploaded_blobs: usize,
    pub skipped_blobs: usize,
    pub mounted_blobs: usize,
    pub manifests: usize,
}

fn media_type_of(bytes: &[u8]) -> String {
    let v: serde_json::Value = serde_json::from_slice(bytes).unwrap_or_default();
    match v["mediaType"].as_str() {
        Some(m) => m.to_string(),
        None if v.get("manifests").is_some() => "application/vnd.oci.image.index.v1+json".into(),
        None => "application/vnd.oci.image.manifest.v1+json".into(),
    }
}

fn invalid(what: &str, e: impl std::fmt::Display) -> RegistryError {
    RegistryError::Invalid { what: what.into(), detail: e.to_string() }
}

impl PushSet {
    /// What to push for an image file or directory.
    pub fn from_path(path: &Path, compression: PushCompression) -> Result<PushSet, RegistryError> {
        match OciRaw::open(path)? {
            Some(raw) => Self::from_oci(Arc::new(raw)),
            None => {
                let image = crate::image::open(path, &Default::default())?;
                Self::from_image(&image, compression)
            }
        }
    }

    fn from_oci(raw: Arc<OciRaw>) -> Result<PushSet, RegistryError> {
        let index_bytes = raw.index()?;
        let index: serde_json::Value = serde_json::from_slice(&index_bytes).map_err(|e| invalid("index.json", e))?;
        let descs = index["manifests"].as_array().cloned().unwrap_or_default();
        if descs.is_empty() {
            return Err(invalid("index.json", "no manifests"));
        }
        let mut blobs: Vec<PushBlob> = Vec::new();
        let mut children = Vec::new();
        let mut add_blob = |d: &serde_json::Value, blobs: &mut Vec<PushBlob>| -> Result<(), RegistryError> {
            let digest = d["digest"].as_str().ok_or_else(|| invalid("descriptor", "no digest"))?.to_string();
            if blobs.iter().any(|b| b.digest == digest) {
                return Ok(());
            }
            let section = raw.blob(&digest)?;
            let size = section.len();
            let open: Opener = Arc::new(move || Ok(Box::new(section.clone()) as Box<dyn Read + Send>));
            blobs.push(PushBlob { digest, size, open });
            Ok(())
        };
        // manifests (and nested indexes) reachable from index.json, children first
        fn walk(
            raw: &OciRaw,
            d: &serde_json::Value,
            depth: usize,
            children: &mut Vec<PushManifest>,
            blobs: &mut Vec<PushBlob>,
            add_blob: &mut AddBlob,
        ) -> Result<PushManifest, RegistryError> {
            if depth > 4 {
                return Err(invalid("image index", "nested too deeply"));
            }
            let digest = d["digest"].as_str().ok_or_else(|| invalid("descriptor", "no digest"))?;
            let bytes = raw.document(digest)?;
            let v: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| invalid("manifest", e))?;
            let media_type = d["mediaType"].as_str().map(str::to_string).unwrap_or_else(|| media_type_of(&bytes));
            if let Some(ms) = v["manifests"].as_array() {
                for m in ms {
                    let child = walk(raw, m, depth + 1, children, blobs, add_blob)?;
                    children.push(child);
                }
            } else {
                add_blob(&v["config"], blobs)?;
                for l in v["layers"].as_array().into_iter().flatten() {
                    add_blob(l, blobs)?;
                }
            }
            Ok(PushManifest { bytes, media_type, digest: digest.to_string() })
        }
        let top = if descs.len() == 1 {
            walk(&raw, &descs[0], 0, &mut children, &mut blobs, &mut add_blob)?
        } else {
            // several images in index.json: push them all and tag the index itself
            for d in &descs {
                let child = walk(&raw, d, 1, &mut children, &mut blobs, &mut add_blob)?;
                children.push(child);
            }
            PushManifest { digest: sha256(&index_bytes), media_type: media_type_of(&index_bytes), bytes: index_bytes }
        };
        Ok(PushSet { blobs, children, top, _spool: Vec::new() })
    }

    /// A docker-archive: layers stored plain are compressed; the manifest is generated.
    pub fn from_image(image: &Image, compression: PushCompression) -> Result<PushSet, RegistryError> {
        let results: Vec<Mutex<Option<Prepared>>> = image.layers.iter().map(|_| Mutex::new(None)).collect();
        let next = AtomicUsize::new(0);
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get()).min(image.layers.len().max(1));
        std::thread::scope(|s| {
            for _ in 0..threads {
                s.spawn(|| loop {
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    let Some(l) = image.layers.get(k) else { break };
                    *results[k].lock().unwrap_or_else(|e| e.into_inner()) = Some(prepare_layer(l, compression));
                });
            }
        });
        let mut blobs = Vec::new();
        let mut layers_json = Vec::new();
        let mut spool = Vec::new();
        for r in results {
            let (blob, media_type, tmp) =
                r.into_inner().unwrap_or(None).ok_or_else(|| invalid("layer", "not prepared"))??;
            layers_json.push(serde_json::json!({"mediaType": media_type, "digest": blob.digest, "size": blob.size}));
            blobs.push(blob);
            spool.extend(tmp);
        }
        let config = image.config_bytes.clone();
        let config_digest = sha256(&config);
        let cfg = Arc::new(config);
        let cfg2 = cfg.clone();
        blobs.push(PushBlob {
            digest: config_digest.clone(),
            size: cfg.len() as u64,
            open: Arc::new(move || Ok(Box::new(std::io::Cursor::new(cfg2.as_ref().clone())) as Box<dyn Read + Send>)),
        });
        let manifest = serde_json::json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": cfg.len()},
            "layers": layers_json,
        });
        let bytes = serde_json::to_vec(&manifest).map_err(|e| invalid("manifest", e))?;
        Ok(PushSet {
            top: PushManifest {
                digest: sha256(&bytes),
                media_type: "application/vnd.oci.image.manifest.v1+json".into(),
                bytes,
            },
            children: Vec::new(),
            blobs,
            _spool: spool,
        })
    }

    pub fn total_bytes(&self) -> u64 {
        self.blobs.iter().map(|b| b.size).sum()
    }
}

/// A writer that hashes and counts what passes through.
struct Hashing<W: Write> {
    inner: W,
    hash: Sha256,
    n: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        self.n += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// A layer ready to push: compressed when stored plain; its digest computed when unknown.
fn prepare_layer(l: &crate::image::Layer, compression: PushCompression) -> Prepared {
    let io = |e: std::io::Error| RegistryError::Io(e);
    if l.compression != Compression::None {
        let media = match l.compression {
            Compression::Zstd => "application/vnd.oci.image.layer.v1.tar+zstd",
            _ => "application/vnd.oci.image.layer.v1.tar+gzip",
        };
        let digest = if l.digest.starts_with("sha256:") {
            l.digest.clone()
        } else {
            let mut h = Sha256::new();
            std::io::copy(&mut l.blob.open().map_err(io)?, &mut HashWriter(&mut h)).map_err(io)?;
            format!("sha256:{}", hex(&h.finalize()))
        };
        let blob = l.blob.clone();
        let open: Opener = Arc::new(move || Ok(Box::new(blob.open()?) as Box<dyn Read + Send>));
        return Ok((PushBlob { digest, size: l.size, open }, media.into(), None));
    }
    let kind = match compression {
        PushCompression::Gzip => "gzip",
        PushCompression::Zstd => "zstd",
    };
    let media = match compression {
        PushCompression::Gzip => "application/vnd.oci.image.layer.v1.tar+gzip",
        PushCompression::Zstd => "application/vnd.oci.image.layer.v1.tar+zstd",
    };
    // compressed before (same layer, same compression): its digest is known, and the bytes are
    // made again only if the registry does not have them (compression is deterministic)
    if let Some((digest, size)) = l.diff_id.as_deref().and_then(|d| cache_get(kind, d)) {
        let blob = l.blob.clone();
        let open: Opener = Arc::new(move || {
            let src = blob.open()?;
            Ok(Box::new(compressing(src, compression)) as Box<dyn Read + Send>)
        });
        return Ok((PushBlob { digest, size, open }, media.into(), None));
    }
    let tmp = tempfile::NamedTempFile::new().map_err(io)?;
    let file = tmp.reopen().map_err(io)?;
    let mut w = Hashing { inner: std::io::BufWriter::with_capacity(1 << 20, file), hash: Sha256::new(), n: 0 };
    // the uncompressed bytes are hashed as they pass: a layer rebuilt from a store (tar-split
    // and directories) must be the tar its diff id names before it is uploaded or remembered
    let (mut src, diff_hash) = crate::image::compression::Hashing::new(l.blob.open().map_err(io)?);
    compress(&mut src, &mut w, compression).map_err(io)?;
    w.flush().map_err(io)?;
    let (diff, _) = diff_hash.finish();
    if let Some(want) = l.diff_id.as_deref().filter(|d| d.starts_with("sha256:")) {
        if want != diff {
            return Err(RegistryError::Invalid {
                what: format!("layer {}", l.digest),
                detail: format!("its uncompressed bytes hash to {diff}, not to the diff id {want}: the image changed while it was read, or its store is damaged"),
            });
        }
    }
    let (digest, size) = (format!("sha256:{}", hex(&w.hash.finalize())), w.n);
    if let Some(d) = l.diff_id.as_deref() {
        cache_put(kind, d, &digest, size);
    }
    let path = tmp.into_temp_path();
    let p = path.to_path_buf();
    let open: Opener = Arc::new(move || Ok(Box::new(std::fs::File::open(&p)?) as Box<dyn Read + Send>));
    Ok((PushBlob { digest, size, open }, media.into(), Some(path)))
}

fn compress(src: &mut dyn Read, dst: &mut dyn Write, c: PushCompression) -> std::io::Result<()> {
    match c {
        PushCompression::Gzip => {
            let mut enc = flate2::write::GzEncoder::new(dst, flate2::Compression::new(6));
            std::io::copy(src, &mut enc)?;
            enc.finish()?;
        }
        PushCompression::Zstd => {
            let mut enc = zstd::stream::write::Encoder::new(dst, 3)?;
            std::io::copy(src, &mut enc)?;
            enc.finish()?;
        }
    }
    Ok(())
}

/// A reader of `src` compressed on the fly (a thread compresses into a bounded channel).
fn compressing(mut src: impl Read + Send + 'static, c: PushCompression) -> impl Read + Send {
    let (tx, rx) = std::sync::mpsc::sync_channel::<std::io::Result<Vec<u8>>>(8);
    std::thread::spawn(move || {
        struct Chan(std::sync::mpsc::SyncSender<std::io::Result<Vec<u8>>>);
        impl Write for Chan {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                self.0.send(Ok(buf.to_vec())).map_err(|_| std::io::Error::from(std::io::ErrorKind::BrokenPipe))?;
                Ok(buf.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let mut out = std::io::BufWriter::with_capacity(1 << 20, Chan(tx.clone()));
        let r = compress(&mut src, &mut out, c).and_then(|_| out.flush());
        if let Err(e) = r {
            let _ = tx.send(Err(e));
        }
    });
    ChanReader { rx, buf: Vec::new(), pos: 0 }
}

struct ChanReader {
    rx: std::sync::mpsc::Receiver<std::io::Result<Vec<u8>>>,
    buf: Vec<u8>,
    pos: usize,
}

impl Read for ChanReader {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.pos == self.buf.len() {
            match self.rx.recv() {
                Ok(Ok(b)) => {
                    self.buf = b;
                    self.pos = 0;
                }
                Ok(Err(e)) => return Err(e),
                Err(_) => return Ok(0),
            }
        }
        let n = out.len().min(self.buf.len() - self.pos);
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// Where compressed digests of layers are remembered: $IMGSLIM_CACHE_DIR, else
/// $XDG_CACHE_HOME/imgslim or ~/.cache/imgslim.
fn cache_dir() -> Option<std::path::PathBuf> {
    if let Some(d) = std::env::var_os("IMGSLIM_CACHE_DIR") {
        return Some(d.into());
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".cache")))?;
    Some(base.join("imgslim"))
}

fn cache_file(kind: &str, diff_id: &str) -> Option<std::path::PathBuf> {
    let hex = diff_id.strip_prefix("sha256:").filter(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))?;
    Some(cache_dir()?.join("compressed").join(format!("{kind}-{hex}")))
}

fn cache_get(kind: &str, diff_id: &str) -> Option<(String, u64)> {
    let text = std::fs::read_to_string(cache_file(kind, diff_id)?).ok()?;
    let (d, n) = text.trim().split_once(' ')?;
    crate::image::validate_digest(d).ok()?;
    Some((d.to_string(), n.parse().ok()?))
}

fn cache_put(kind: &str, diff_id: &str, digest: &str, size: u64) {
    let Some(f) = cache_file(kind, diff_id) else { return };
    if let Some(dir) = f.parent() {
        if std::fs::create_dir_all(dir).is_ok() {
            if let Ok(mut t) = tempfile::NamedTempFile::new_in(dir) {
                if write!(t, "{digest} {size}").is_ok() {
                    let _ = t.persist(&f);
                }
            }
        }
    }
}

struct HashWriter<'a>(&'a mut Sha256);

impl Write for HashWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Counts bytes read (for the progress bar).
struct Counting {
    inner: Box<dyn Read + Send>,
    done: Arc<AtomicU64>,
    /// What this blob's current attempt has sent (taken back when it is sent again).
    sent: Arc<AtomicU64>,
}

impl Read for Counting {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.done.fetch_add(n as u64, Ordering::Relaxed);
        self.sent.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Options of a push.
#[derive(Clone, Default)]
pub struct PushOptions {
    /// Uploads at once.
    pub threads: usize,
    /// Repositories of the same registry to mount blobs from.
    pub mount_from: Vec<String>,
    /// Bytes uploaded so far (for a progress bar).
    pub progress: Option<Arc<AtomicU64>>,
}

enum BlobOutcome {
    Skipped,
    Mounted,
    Uploaded(u64),
}

/// Answers of a registry that does not take a blob in a single PUT.
fn refuses_single_put(e: &RegistryError) -> bool {
    matches!(e, RegistryError::Status { status: 400 | 405 | 411 | 413 | 415 | 501, .. })
}

/// Errors after which a blob upload starts again with a new session.
fn restartable(e: &RegistryError) -> bool {
    match e {
        RegistryError::NotFound { .. } | RegistryError::Transport { .. } | RegistryError::Http { .. } => true,
        RegistryError::Status { status, .. } => *status >= 500 || *status == 408 || *status == 429 || *status == 416,
        _ => false,
    }
}

impl Client {
    fn blob_exists(&self, r: &Reference, digest: &str) -> Result<bool, RegistryError> {
        let resp = self.send(r, "pull,push", &format!("blobs/{digest}"), &|h, u| h.head(u))?;
        Ok(resp.status().is_success())
    }

    /// Start an upload, or mount the blob from another repository. Some(location) to upload to.
    fn start_upload(
        &self,
        r: &Reference,
        digest: &str,
        mount_from: Option<&str>,
    ) -> Result<Option<String>, RegistryError> {
        let path = match mount_from {
            Some(from) => format!("blobs/uploads/?mount={digest}&from={from}"),
            None => "blobs/uploads/".to_string(),
        };
        let resp = self.send(r, "pull,push", &path, &|h, u| h.post(u).header(CONTENT_LENGTH, 0))?;
        if mount_from.is_some() && resp.status() == StatusCode::CREATED {
            return Ok(None);
        }
        let url = format!("{}{path}", self.repo_url(r));
        let resp = Client::expect_ok(&url, resp)?;
        let location = resp
            .headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| invalid(&url, "the registry gave no upload location"))?
            .to_string();
        let base = reqwest::Url::parse(&url).map_err(|e| invalid(&url, e))?;
        let upload = base.join(&location).map_err(|e| invalid(&location, e))?;
        Ok(Some(upload.to_string()))
    }

    fn push_blob(&self, r: &Reference, b: &PushBlob, o: &PushOptions) -> Result<BlobOutcome, RegistryError> {
        if self.blob_exists(r, &b.digest)? {
            return Ok(BlobOutcome::Skipped);
        }
        for from in &o.mount_from {
            if self.start_upload(r, &b.digest, Some(from))?.is_none() {
                return Ok(BlobOutcome::Mounted);
            }
        }
        // The blob goes in one PUT. A registry that refuses that gets one streamed PATCH and a
        // closing PUT instead (real chunks only there: ECR mishandles several). A failed upload
        // leaves the session holding an unknown part of the blob, and a registry that restarts
        // may lose the session: both start a new session (three at most, plus the switch).
        let (mut sessions, mut streamed) = (0, false);
        let sent = Arc::new(AtomicU64::new(0));
        loop {
            sessions += 1;
            let Some(location) = self.start_upload(r, &b.digest, None)? else { return Ok(BlobOutcome::Mounted) };
            match self.upload(r, b, o, &location, streamed, &sent) {
                Err(e) if !streamed && refuses_single_put(&e) => streamed = true,
                Err(e) if sessions < 3 && restartable(&e) => {}
                other => return other,
            }
        }
    }

    /// One PUT with the blob and its digest, or (`streamed`) one PATCH with the blob and then the
    /// PUT that names its digest, as docker and podman send it.
    fn upload(
        &self,
        r: &Reference,
        b: &PushBlob,
        o: &PushOptions,
        location: &str,
        streamed: bool,
        sent: &Arc<AtomicU64>,
    ) -> Result<BlobOutcome, RegistryError> {
        let with_digest = |url: reqwest::Url| {
            let mut url = url;
            url.query_pairs_mut().append_pair("digest", &b.digest);
            url.to_string()
        };
        let base = reqwest::Url::parse(location).map_err(|e| invalid(location, e))?;
        let target = if streamed { location.to_string() } else { with_digest(base.clone()) };
        // a request that carries the blob is not retried in place: the session may hold part of it
        let resp = self.send_with(
            r,
            "pull,push",
            &target,
            &|h, u| {
                let reader: Box<dyn Read + Send> = match (b.open)() {
                    Ok(rd) => rd,
                    Err(_) => Box::new(std::io::empty()),
                };
                let reader: Box<dyn Read + Send> = match &o.progress {
                    Some(p) => {
                        // a blob sent again counts once in the progress
                        p.fetch_sub(sent.swap(0, Ordering::Relaxed), Ordering::Relaxed);
                        Box::new(Counting { inner: reader, done: p.clone(), sent: sent.clone() })
                    }
                    None => reader,
                };
                let req = if streamed { h.patch(u) } else { h.put(u) };
                req.header(CONTENT_TYPE, "application/octet-stream")
                    .header(CONTENT_LENGTH, b.size)
                    .body(Body::sized(reader, b.size))
            },
            false,
        )?;
        let resp = Client::expect_ok(&target, resp)?;
        if streamed {
            // the session may move (ECR answers the PATCH with 201 rather than 202: both are fine)
            let next = resp.headers().get(LOCATION).and_then(|v| v.to_str().ok()).map(str::to_string);
            let put = match next {
                Some(l) => with_digest(base.join(&l).map_err(|e| invalid(&l, e))?),
                None => with_digest(base),
            };
            let resp = self.send(r, "pull,push", &put, &|h, u| {
                h.put(u).header(CONTENT_TYPE, "application/octet-stream").header(CONTENT_LENGTH, 0)
            })?;
            Client::expect_ok(&put, resp)?;
        }
        Ok(BlobOutcome::Uploaded(b.size))
    }

    fn put_manifest(&self, r: &Reference, reference: &str, m: &PushManifest) -> Result<(), RegistryError> {
        let path = format!("manifests/{reference}");
        let resp = self.send(r, "pull,push", &path, &|h, u| {
            h.put(u).header(CONTENT_TYPE, m.media_type.clone()).body(m.bytes.clone())
        })?;
        Client::expect_ok(&format!("{}{path}", self.repo_url(r)), resp)?;
        Ok(())
    }

    /// Push a set as `r` (its tag, or its digest).
    pub fn push(&self, set: &PushSet, r: &Reference, o: &PushOptions) -> Result<Pushed, RegistryError> {
        if let Some(d) = &r.digest {
            if *d != set.top.digest {
                return Err(ImageError::DigestMismatch {
                    what: "push reference".into(),
                    expected: d.clone(),
                    actual: set.top.digest.clone(),
                }
                .into());
            }
        }
        let (skipped, mounted, uploaded) = (AtomicUsize::new(0), AtomicUsize::new(0), AtomicUsize::new(0));
        let bytes = AtomicU64::new(0);
        let errors: Mutex<Vec<RegistryError>> = Mutex::new(Vec::new());
        let next = AtomicUsize::new(0);
        // largest first, so the long uploads start early
        let mut order: Vec<usize> = (0..set.blobs.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(set.blobs[i].size));
        std::thread::scope(|s| {
            for _ in 0..o.threads.clamp(1, 8) {
                s.spawn(|| loop {
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&i) = order.get(k) else { break };
                    if !errors.lock().unwrap_or_else(|e| e.into_inner()).is_empty() {
                        break;
                    }
                    match self.push_blob(r, &set.blobs[i], o) {
                        Ok(BlobOutcome::Skipped) => {
                            skipped.fetch_add(1, Ordering::Relaxed);
                        }
                        Ok(BlobOutcome::Mounted) => {
                            mounted.fetch_add(1, Ordering::Relaxed);
                        }
                        Ok(BlobOutcome::Uploaded(n)) => {
                            uploaded.fetch_add(1, Ordering::Relaxed);
                            bytes.fetch_add(n, Ordering::Relaxed);
                        }
                        Err(e) => {
                            errors.lock().unwrap_or_else(|e| e.into_inner()).push(e);
                            break;
                        }
                    }
                });
            }
        });
        if let Some(e) = errors.into_inner().unwrap_or_default().into_iter().next() {
            return Err(e);
        }
        for c in &set.children {
            self.put_manifest(r, &c.digest, c)?;
        }
        self.put_manifest(r, r.tag.as_deref().unwrap_or(&set.top.digest), &set.top)?;
        let mut shown = r.clone();
        shown.digest = Some(set.top.digest.clone());
        Ok(Pushed {
            reference: shown.to_string(),
            digest: set.top.digest.clone(),
            media_type: set.top.media_type.clone(),
            pushed_bytes: bytes.into_inner(),
            uploaded_blobs: uploaded.into_inner(),
            skipped_blobs: skipped.into_inner(),
            mounted_blobs: mounted.into_inner(),
            manifests: set.children.len() + 1,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rebuilt_layer_that_is_not_its_diff_id_is_refused_and_not_remembered() {
        let tmp = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(tmp.path(), vec![0u8; 1024]).unwrap();
        let file = Arc::new(std::fs::File::open(tmp.path()).unwrap());
        let want = format!("sha256:{}", "7".repeat(64));
        let layer = |diff_id: &str| crate::image::Layer {
            digest: diff_id.to_string(),
            diff_id: Some(diff_id.to_string()),
            media_type: "application/vnd.docker.image.rootfs.diff.tar".into(),
            compression: Compression::None,
            size: 1024,
            blob: Arc::new(crate::image::FileSection::new(file.clone(), 0, 1024)),
        };
        let err = prepare_layer(&layer(&want), PushCompression::Gzip).err().expect("refused");
        let text = err.to_string();
        assert!(text.contains(&want) && text.contains("changed while it was read"), "{text}");
        assert!(cache_get("gzip", &want).is_none());
        // the same bytes under their own diff id are pushed
        let right = sha256(&[0u8; 1024]);
        let (blob, media, _tmp) = prepare_layer(&layer(&right), PushCompression::Gzip).unwrap();
        assert!(blob.digest.starts_with("sha256:") && media.ends_with("+gzip"), "{}", blob.digest);
    }
}
