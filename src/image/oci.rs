//! OCI image layouts (a directory, or a tar of one) and the blob stores behind them.

use super::{
    compression::sha256, io_err, new_image, validate_digest, Compression, FileSection, Image, ImageError, Layer,
    OpenOptions, SourceKind,
};
use crate::dockerfile::model::expand::Platform;
use oci_spec::image::{Descriptor, ImageIndex, ImageManifest, MediaType};
use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// JSON documents (index, manifests, configs) larger than this are refused.
const MAX_JSON: u64 = 64 << 20;

/// Named files and content-addressed blobs of an image source.
pub(crate) trait Store {
    fn section(&self, name: &str) -> Result<FileSection, ImageError>;
    fn has(&self, name: &str) -> bool;

    fn read(&self, name: &str) -> Result<Vec<u8>, ImageError> {
        let s = self.section(name)?;
        if s.len() > MAX_JSON {
            return Err(ImageError::invalid(name, format!("{} bytes is too large for a JSON document", s.len())));
        }
        let mut buf = vec![0u8; s.len() as usize];
        let mut done = 0;
        while done < buf.len() {
            let n = s.read_at(&mut buf[done..], done as u64).map_err(|e| io_err(name, e))?;
            if n == 0 {
                return Err(ImageError::invalid(name, "truncated"));
            }
            done += n;
        }
        Ok(buf)
    }

    fn blob(&self, digest: &str) -> Result<FileSection, ImageError> {
        let (alg, hex) = validate_digest(digest)?;
        let name = format!("blobs/{alg}/{hex}");
        if !self.has(&name) {
            return Err(ImageError::MissingBlob(digest.to_string()));
        }
        self.section(&name)
    }

    /// A small blob (manifest, config), checked against its digest.
    fn verified_blob(&self, digest: &str) -> Result<Vec<u8>, ImageError> {
        let (alg, hex) = validate_digest(digest)?;
        let bytes = self.read(&format!("blobs/{alg}/{hex}"))?;
        let _ = hex;
        let actual = if alg == "sha512" { super::compression::digest_like(digest, &bytes) } else { sha256(&bytes) };
        if actual != digest {
            return Err(ImageError::DigestMismatch { what: "blob".into(), expected: digest.into(), actual });
        }
        Ok(bytes)
    }
}

pub(crate) struct DirStore {
    root: PathBuf,
}

impl Store for DirStore {
    fn section(&self, name: &str) -> Result<FileSection, ImageError> {
        let path = self.root.join(name);
        let shown = path.display().to_string();
        let f = File::open(&path).map_err(|e| io_err(&shown, e))?;
        let len = f.metadata().map_err(|e| io_err(&shown, e))?.len();
        Ok(FileSection::new(Arc::new(f), 0, len))
    }
    fn has(&self, name: &str) -> bool {
        self.root.join(name).is_file()
    }
}

/// Members of a tar file, by cleaned path.
pub(crate) struct ArchiveStore {
    pub file: Arc<File>,
    pub members: HashMap<String, (u64, u64)>,
}

impl Store for ArchiveStore {
    fn section(&self, name: &str) -> Result<FileSection, ImageError> {
        let &(off, len) = self.members.get(name).ok_or_else(|| ImageError::MissingBlob(name.to_string()))?;
        Ok(FileSection::new(self.file.clone(), off, len))
    }
    fn has(&self, name: &str) -> bool {
        self.members.contains_key(name)
    }
}

pub fn open_layout_dir(path: &Path, opts: &OpenOptions) -> Result<Image, ImageError> {
    let store = DirStore { root: path.to_path_buf() };
    if !store.has("index.json") {
        return Err(ImageError::NotAnImage(format!("{}: no index.json (not an OCI layout)", path.display())));
    }
    from_store(&store, opts, SourceKind::OciLayout)
}

fn is_index(mt: &MediaType) -> bool {
    matches!(mt, MediaType::ImageIndex)
        || matches!(mt, MediaType::Other(s) if s == "application/vnd.docker.distribution.manifest.list.v2+json")
}

fn platform_of(d: &Descriptor) -> Option<String> {
    d.platform().as_ref().map(|p| match p.variant() {
        Some(v) if !v.is_empty() => format!("{}/{}/{}", p.os(), p.architecture(), v),
        _ => format!("{}/{}", p.os(), p.architecture()),
    })
}

/// Manifests reachable from an index, with nested indexes flattened.
fn manifests(store: &dyn Store, index: &ImageIndex, depth: usize, out: &mut Vec<Descriptor>) -> Result<(), ImageError> {
    if depth > 4 {
        return Err(ImageError::invalid("image index", "nested too deeply"));
    }
    for d in index.manifests() {
        if is_index(d.media_type()) {
            let bytes = store.verified_blob(d.digest().as_ref())?;
            let nested: ImageIndex =
                serde_json::from_slice(&bytes).map_err(|e| ImageError::invalid("image index", e))?;
            manifests(store, &nested, depth + 1, out)?;
        } else {
            out.push(d.clone());
        }
    }
    Ok(())
}

pub fn platform_matches(have: &str, want: &Platform) -> bool {
    match Platform::parse(have) {
        Some(p) => p.os == want.os && p.arch == want.arch && (want.variant.is_empty() || p.variant == want.variant),
        None => false,
    }
}

/// Pick the manifest for the requested platform; without a request, the only one or the host's.
pub fn choose_manifest(candidates: Vec<Descriptor>, opts: &OpenOptions) -> Result<Descriptor, ImageError> {
    // attestation manifests (docker buildx) have the platform unknown/unknown
    let real: Vec<Descriptor> =
        candidates.into_iter().filter(|d| platform_of(d).as_deref() != Some("unknown/unknown")).collect();
    let listed: Vec<String> = real.iter().map(|d| platform_of(d).unwrap_or_else(|| "unspecified".into())).collect();
    let matching = |want: &Platform| -> Vec<Descriptor> {
        real.iter().filter(|d| platform_of(d).is_some_and(|p| platform_matches(&p, want))).cloned().collect()
    };
    match &opts.platform {
        _ if real.is_empty() => Err(ImageError::invalid("image index", "no image manifests")),
        None if real.len() == 1 => Ok(real[0].clone()),
        None => {
            let m = matching(&Platform::host());
            if m.len() == 1 {
                Ok(m[0].clone())
            } else {
                Err(ImageError::AmbiguousPlatform(listed))
            }
        }
        Some(p) => {
            let want = Platform::parse(p).ok_or_else(|| ImageError::invalid("platform", p))?;
            match matching(&want).into_iter().next() {
                Some(d) => Ok(d),
                // a single image whose descriptor does not say its platform
                None if real.len() == 1 && platform_of(&real[0]).is_none() => Ok(real[0].clone()),
                None => Err(ImageError::NoSuchPlatform { wanted: want.format(), available: listed }),
            }
        }
    }
}

pub(crate) fn from_store(store: &dyn Store, opts: &OpenOptions, kind: SourceKind) -> Result<Image, ImageError> {
    let index_bytes = store.read("index.json")?;
    let index: ImageIndex = serde_json::from_slice(&index_bytes).map_err(|e| ImageError::invalid("index.json", e))?;
    let mut candidates = Vec::new();
    manifests(store, &index, 0, &mut candidates)?;
    let desc = choose_manifest(candidates, opts)?;
    let name = desc.annotations().as_ref().and_then(|a| a.get("org.opencontainers.image.ref.name").cloned());
    let manifest_digest = desc.digest().to_string();
    let manifest_bytes = store.verified_blob(&manifest_digest)?;
    let manifest: ImageManifest =
        serde_json::from_slice(&manifest_bytes).map_err(|e| ImageError::invalid("image manifest", e))?;
    let config_digest = manifest.config().digest().to_string();
    let config_bytes = store.verified_blob(&config_digest)?;
    let mut layers = Vec::new();
    for d in manifest.layers() {
        let digest = d.digest().to_string();
        let section = store.blob(&digest)?;
        if section.len() != d.size() {
            return Err(ImageError::Layer {
                digest,
                detail: format!("stored blob is {} bytes, the manifest says {}", section.len(), d.size()),
            });
        }
        let media_type = d.media_type().to_string();
        let compression = match Compression::from_media_type(&media_type) {
            Some(c) => c,
            None => {
                let mut head = [0u8; 4];
                let n = section.read_at(&mut head, 0).map_err(|e| io_err(&digest, e))?;
                Compression::sniff(&head[..n])
            }
        };
        layers.push(Layer { digest, diff_id: None, media_type, compression, size: d.size(), blob: Arc::new(section) });
    }
    new_image(kind, name, Some(manifest_digest), config_digest, config_bytes, layers)
}

/// An OCI layout (directory or archive) as stored: index.json and blobs, for pushing byte for byte.
pub struct OciRaw {
    store: Box<dyn Store + Send + Sync>,
}

impl OciRaw {
    /// The layout at `path`, or None when it is not an OCI layout (a docker-archive).
    pub fn open(path: &Path) -> Result<Option<OciRaw>, ImageError> {
        let store: Box<dyn Store + Send + Sync> = if path.is_dir() {
            Box::new(DirStore { root: path.to_path_buf() })
        } else {
            Box::new(super::archive::archive_store(path)?)
        };
        Ok(store.has("index.json").then_some(OciRaw { store }))
    }
    pub fn index(&self) -> Result<Vec<u8>, ImageError> {
        self.store.read("index.json")
    }
    /// A small blob (manifest, index, config), checked against its digest.
    pub fn document(&self, digest: &str) -> Result<Vec<u8>, ImageError> {
        self.store.verified_blob(digest)
    }
    pub fn blob(&self, digest: &str) -> Result<FileSection, ImageError> {
        self.store.blob(digest)
    }
}
