//! Container images as a small, lazy model: an [`Image`] is its configuration and a list of
//! [`Layer`] descriptors; layer bytes are fetched only when a layer is read, through the [`Blob`]
//! trait. Sources (docker-archive, OCI archive, OCI layout directory; a registry later) differ only
//! in how they fill this model.

mod archive;
pub mod compression;
mod oci;
pub mod tarsplit;
pub use oci::{choose_manifest, platform_matches, OciRaw};
pub mod dockerstore;
pub mod engine;
pub mod section;
pub mod storage;

pub use compression::Compression;
use oci_spec::image::ImageConfiguration;
pub use section::FileSection;
use std::io::{self, Read};
use std::path::Path;
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error("{path}: {source}")]
    Io { path: String, source: io::Error },
    #[error("{0}")]
    Tar(#[from] crate::layer::tar::TarError),
    #[error("not an image: {0}")]
    NotAnImage(String),
    #[error("invalid {what}: {detail}")]
    Invalid { what: String, detail: String },
    #[error("blob {0} is missing from the image")]
    MissingBlob(String),
    #[error("the image index has {} platforms ({}); choose one with --platform", .0.len(), .0.join(", "))]
    AmbiguousPlatform(Vec<String>),
    #[error("no image for platform {wanted} (the index has {})", .available.join(", "))]
    NoSuchPlatform { wanted: String, available: Vec<String> },
    #[error("digest mismatch for {what}: expected {expected}, found {actual}")]
    DigestMismatch { what: String, expected: String, actual: String },
    #[error("layer {digest}: {detail}")]
    Layer { digest: String, detail: String },
}

impl ImageError {
    pub fn invalid(what: impl Into<String>, detail: impl std::fmt::Display) -> Self {
        ImageError::Invalid { what: what.into(), detail: detail.to_string() }
    }
}

/// Bytes of a blob, as a stream or (for blobs inside local files) seekable.
pub enum BlobReader {
    Seekable(FileSection),
    /// Seekable forward only, with a known length (a containers-storage layer spliced from its
    /// tar-split: skipping a body reads nothing).
    Forward(Box<tarsplit::TarSplit>),
    Stream(Box<dyn Read + Send>),
}

impl Read for BlobReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            BlobReader::Seekable(s) => s.read(buf),
            BlobReader::Forward(r) => r.read(buf),
            BlobReader::Stream(r) => r.read(buf),
        }
    }
}

/// Where a blob's bytes come from.
pub trait Blob: Send + Sync {
    /// Size in bytes as stored.
    fn size(&self) -> u64;
    fn open(&self) -> io::Result<BlobReader>;
}

/// One layer as the manifest (or docker-archive) describes it; its bytes are read on demand.
#[derive(Clone)]
pub struct Layer {
    /// Digest of the blob as stored (`sha256:...`); for a docker-archive layer stored as a plain tar
    /// this is the diff id.
    pub digest: String,
    /// Digest of the uncompressed tar (from the config's `rootfs.diff_ids`).
    pub diff_id: Option<String>,
    pub media_type: String,
    pub compression: Compression,
    /// Size of the blob as stored.
    pub size: u64,
    pub blob: Arc<dyn Blob>,
}

impl std::fmt::Debug for Layer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Layer")
            .field("digest", &self.digest)
            .field("diff_id", &self.diff_id)
            .field("media_type", &self.media_type)
            .field("size", &self.size)
            .finish()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    DockerArchive,
    OciArchive,
    OciLayout,
    Registry,
    ContainersStorage,
    DockerDaemon,
}

impl std::fmt::Display for SourceKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SourceKind::DockerArchive => "docker-archive",
            SourceKind::OciArchive => "oci-archive",
            SourceKind::OciLayout => "oci-layout",
            SourceKind::Registry => "registry",
            SourceKind::ContainersStorage => "containers-storage",
            SourceKind::DockerDaemon => "docker-daemon",
        })
    }
}

/// An image: configuration and layers, base first.
#[derive(Debug, Clone)]
pub struct Image {
    pub source: SourceKind,
    /// Tag or reference name recorded in the source, if any.
    pub name: Option<String>,
    /// Digest of the manifest (OCI sources).
    pub manifest_digest: Option<String>,
    pub config_digest: String,
    pub config_bytes: Vec<u8>,
    pub config: ImageConfiguration,
    /// Docker-only config fields (`Healthcheck`), kept as JSON.
    pub config_extra: serde_json::Value,
    pub layers: Vec<Layer>,
    /// How the source was read, where that is a choice (the Docker engine: its store in place or
    /// its export).
    pub via: Option<String>,
    /// Keeps a spooled standard input alive as long as the image.
    _spool: Option<Arc<tempfile::NamedTempFile>>,
}

impl Image {
    /// `os/arch[/variant]` from the config.
    pub fn platform(&self) -> String {
        let c = &self.config;
        match c.variant() {
            Some(v) if !v.is_empty() => format!("{}/{}/{}", c.os(), c.architecture(), v),
            _ => format!("{}/{}", c.os(), c.architecture()),
        }
    }

    /// `created_by` of the history entry that made each layer (empty layers skipped).
    pub fn layer_history(&self) -> Vec<Option<String>> {
        let hist = self.config.history().clone().unwrap_or_default();
        let mut out: Vec<Option<String>> =
            hist.iter().filter(|h| !h.empty_layer().unwrap_or(false)).map(|h| h.created_by().clone()).collect();
        // A history that does not match the layer count is aligned on its end (the newest
        // layers are what a Dockerfile made) and missing entries stay unknown.
        let n = self.layers.len();
        if out.len() > n {
            out.drain(..out.len() - n);
        }
        while out.len() < n {
            out.insert(0, None);
        }
        out
    }
}

/// Options for opening an image.
#[derive(Debug, Clone, Default)]
pub struct OpenOptions {
    /// `os/arch[/variant]` to pick from a multi-platform index; default: the host's.
    pub platform: Option<String>,
}

/// Open an image from a docker-archive or OCI archive file, an OCI layout directory, or `-`
/// (standard input, spooled to a temporary file).
pub fn open(path: &Path, opts: &OpenOptions) -> Result<Image, ImageError> {
    if path == Path::new("-") {
        let tmp = Arc::new(spool(&mut io::stdin().lock(), "standard input")?);
        let mut img = archive::open_archive(tmp.path(), opts)?;
        img._spool = Some(tmp);
        return Ok(img);
    }
    let meta = std::fs::metadata(path).map_err(|e| io_err(&path.display().to_string(), e))?;
    if meta.is_dir() {
        return oci::open_layout_dir(path, opts);
    }
    archive::open_archive(path, opts)
}

/// Copy an image archive arriving as a stream (standard input, an engine's export) to a temporary
/// file: only the archive (up to its end blocks), at most [`crate::limits::MAX_STDIN_BYTES`].
pub fn spool(r: &mut dyn io::Read, what: &str) -> Result<tempfile::NamedTempFile, ImageError> {
    let mut tmp = tempfile::NamedTempFile::new().map_err(|e| io_err("temporary file", e))?;
    let mut w = io::BufWriter::new(tmp.as_file_mut());
    let n = crate::layer::tar::copy_archive(&mut { r }, &mut w, crate::limits::MAX_STDIN_BYTES)
        .map_err(|e| ImageError::invalid(what, format!("not an image archive: {e}")))?;
    io::Write::flush(&mut w).map_err(|e| io_err("temporary file", e))?;
    drop(w);
    if n == 0 {
        return Err(ImageError::invalid(what, "empty: no image archive"));
    }
    Ok(tmp)
}

/// Open an image archive spooled to a temporary file, which lives as long as the image.
pub fn open_spooled(tmp: tempfile::NamedTempFile, opts: &OpenOptions) -> Result<Image, ImageError> {
    let tmp = Arc::new(tmp);
    let mut img = archive::open_archive(tmp.path(), opts)?;
    img._spool = Some(tmp);
    Ok(img)
}

/// Does this path look like an image (archive or layout directory) rather than a Dockerfile?
pub fn looks_like_image(path: &Path) -> bool {
    if path.is_dir() {
        return path.join("oci-layout").is_file() || path.join("index.json").is_file();
    }
    // only a regular file is opened (opening a FIFO would wait for a writer)
    if !std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
        return false;
    }
    let mut head = [0u8; 512];
    let Ok(f) = std::fs::File::open(path) else {
        return false;
    };
    matches!(std::os::unix::fs::FileExt::read_at(&f, &mut head, 0), Ok(512)) && &head[257..262] == b"ustar"
}

pub fn io_err(path: &str, source: io::Error) -> ImageError {
    ImageError::Io { path: path.to_string(), source }
}

/// Check `alg:hex` so a digest can name a file under `blobs/` without escaping it.
pub fn validate_digest(d: &str) -> Result<(&str, &str), ImageError> {
    // as go-containerregistry's v1.Hash: the registered algorithms, lower-case hex of their length
    let (alg, hex) = d.split_once(':').ok_or_else(|| ImageError::invalid("digest", d))?;
    let len = match alg {
        "sha256" => 64,
        "sha512" => 128,
        _ => {
            return Err(ImageError::invalid(
                "digest",
                format!("{d}: the algorithm {alg:?} is not supported (sha256 and sha512 are)"),
            ))
        }
    };
    if hex.len() != len || !hex.bytes().all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c)) {
        return Err(ImageError::invalid("digest", format!("{d}: not {len} lower-case hex digits")));
    }
    Ok((alg, hex))
}

pub(crate) fn parse_config(bytes: &[u8]) -> Result<(ImageConfiguration, serde_json::Value), ImageError> {
    // a first pass that keeps only what the typed config lacks, and counts the history before
    // the typed parse allocates an entry for each
    let probe: ConfigProbe = serde_json::from_slice(bytes).map_err(|e| ImageError::invalid("image config", e))?;
    if probe.history.0 > crate::limits::MAX_HISTORY {
        return Err(ImageError::invalid(
            "image config",
            format!("{} history entries (the limit is {})", probe.history.0, crate::limits::MAX_HISTORY),
        ));
    }
    let config: ImageConfiguration =
        serde_json::from_slice(bytes).map_err(|e| ImageError::invalid("image config", e))?;
    let extra = serde_json::json!({ "Healthcheck": probe.config.and_then(|c| c.healthcheck) });
    Ok((config, extra))
}

#[derive(serde::Deserialize)]
struct ConfigProbe {
    #[serde(default)]
    history: Count,
    #[serde(default)]
    config: Option<ProbeConfig>,
}

#[derive(serde::Deserialize)]
struct ProbeConfig {
    #[serde(rename = "Healthcheck", default)]
    healthcheck: Option<serde_json::Value>,
}

/// The length of a JSON array (or 0 for null), its elements skipped unread.
#[derive(Default)]
struct Count(usize);

impl<'de> serde::Deserialize<'de> for Count {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Count;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an array")
            }
            fn visit_unit<E>(self) -> Result<Count, E> {
                Ok(Count(0))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Count, A::Error> {
                let mut n = 0;
                while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {
                    n += 1;
                }
                Ok(Count(n))
            }
        }
        d.deserialize_any(V)
    }
}

/// An image from its parts (config bytes and layers, base first); sources call this.
pub fn new_image(
    source: SourceKind,
    name: Option<String>,
    manifest_digest: Option<String>,
    config_digest: String,
    config_bytes: Vec<u8>,
    layers: Vec<Layer>,
) -> Result<Image, ImageError> {
    let (config, config_extra) = parse_config(&config_bytes)?;
    let diff_ids = config.rootfs().diff_ids().clone();
    if diff_ids.len() != layers.len() {
        return Err(ImageError::invalid(
            "image",
            format!("{} layers but the config lists {} diff ids", layers.len(), diff_ids.len()),
        ));
    }
    let layers = layers
        .into_iter()
        .zip(diff_ids)
        .map(|(mut l, d)| {
            l.diff_id = Some(d);
            l
        })
        .collect();
    Ok(Image {
        source,
        name,
        manifest_digest,
        config_digest,
        config_bytes,
        config,
        config_extra,
        layers,
        via: None,
        _spool: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_cannot_escape() {
        assert!(validate_digest(&format!("sha256:{}", "a".repeat(64))).is_ok());
        assert!(validate_digest("sha256:../../etc/passwd").is_err());
        assert!(validate_digest("sha256:abc").is_err());
        assert!(validate_digest("../x:abc").is_err());
    }
}
