//! containers-storage (buildah, podman, CRI-O), read directly: no podman process, no export.
//!
//! A store is a graph root (`/var/lib/containers/storage`, or the rootless one under
//! `$XDG_DATA_HOME`) with one directory set per driver (`overlay-images/`, `overlay-layers/`,
//! `overlay/`; the same for `vfs`). `<driver>-images/images.json` names each image and its top
//! layer; the image's manifest and config are files in `<driver>-images/<id>/` (the config under
//! `=` + base64 of `sha256:<id>`: the image id is the config's digest); `<driver>-layers/
//! layers.json` links each layer to its parent. A layer is read as the exact tar it was stored
//! from (`tarsplit`): headers from its tar-split file, bodies from its directory.
//!
//! The JSON files are read under a shared lock on their `.lock` files (POSIX record locks, as
//! containers/storage takes them, through open-file-description locks).

use super::tarsplit::SplitBlob;
use super::{new_image, Image, ImageError, Layer, SourceKind};
use base64::Engine as _;
use std::collections::HashMap;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Driver {
    Overlay,
    Vfs,
}

impl Driver {
    fn name(self) -> &'static str {
        match self {
            Driver::Overlay => "overlay",
            Driver::Vfs => "vfs",
        }
    }
}

/// One driver's images in one graph root.
#[derive(Debug, Clone)]
pub struct Store {
    pub root: PathBuf,
    pub driver: Driver,
}

#[derive(serde::Deserialize, Debug, Clone)]
struct ImageRecord {
    id: String,
    #[serde(default)]
    digest: Option<String>,
    #[serde(default)]
    names: Vec<String>,
    #[serde(default)]
    layer: Option<String>,
}

#[derive(serde::Deserialize, Debug, Clone)]
struct LayerRecord {
    id: String,
    #[serde(default)]
    parent: Option<String>,
    #[serde(rename = "diff-digest", default)]
    diff_digest: Option<String>,
    #[serde(rename = "diff-size", default)]
    diff_size: Option<u64>,
    #[serde(default)]
    flags: Option<serde_json::Map<String, serde_json::Value>>,
}

/// Graph roots to look in: `$IMGSLIM_CONTAINERS_STORAGE` (a colon-separated list), else the
/// rootful store and the user's rootless one.
pub fn graph_roots() -> Vec<PathBuf> {
    if let Some(v) = std::env::var_os("IMGSLIM_CONTAINERS_STORAGE") {
        return std::env::split_paths(&v).collect();
    }
    let mut out = vec![PathBuf::from("/var/lib/containers/storage")];
    let data = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")));
    if let Some(d) = data {
        out.push(d.join("containers/storage"));
    }
    out
}

/// Every store (graph root and driver) that has an image list.
pub fn stores() -> Vec<Store> {
    let mut out = Vec::new();
    for root in graph_roots() {
        for driver in [Driver::Overlay, Driver::Vfs] {
            if root.join(format!("{}-images/images.json", driver.name())).is_file() {
                out.push(Store { root: root.clone(), driver });
            }
        }
    }
    out
}

/// A shared lock on a containers-storage lock file, held while the value lives.
struct ReadLock(#[allow(dead_code)] File);

fn read_lock(path: &Path) -> io::Result<ReadLock> {
    use std::os::fd::AsRawFd;
    // the lock files are opened read-write by containers/storage; a reader needs that too
    let f = std::fs::OpenOptions::new().read(true).write(true).open(path).map_err(|e| {
        if e.kind() == io::ErrorKind::PermissionDenied {
            io::Error::new(
                io::ErrorKind::PermissionDenied,
                format!("{} belongs to another user: run as its owner (or with sudo)", path.display()),
            )
        } else {
            e
        }
    })?;
    let mut lock: libc::flock = unsafe { std::mem::zeroed() };
    lock.l_type = libc::F_RDLCK as libc::c_short;
    lock.l_whence = libc::SEEK_SET as libc::c_short;
    // SAFETY: F_OFD_SETLKW with a valid descriptor and a zero-initialised flock (whole file).
    let r = unsafe { libc::fcntl(f.as_raw_fd(), libc::F_OFD_SETLKW, &lock) };
    if r != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(ReadLock(f))
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path, lock: &Path) -> Result<T, ImageError> {
    let shown = path.display().to_string();
    let _lock = if lock.exists() {
        Some(read_lock(lock).map_err(|e| super::io_err(&lock.display().to_string(), e))?)
    } else {
        None
    };
    let meta = std::fs::metadata(path).map_err(|e| super::io_err(&shown, e))?;
    if meta.len() > 256 << 20 {
        return Err(ImageError::invalid(shown, "larger than 256 MiB"));
    }
    let bytes = std::fs::read(path).map_err(|e| super::io_err(&shown, e))?;
    serde_json::from_slice(&bytes).map_err(|e| ImageError::invalid(shown, e))
}

/// The full names a user's name may stand for in containers-storage, most likely first
/// (`debian:12` -> `docker.io/library/debian:12`, `localhost/debian:12`).
pub fn candidate_names(name: &str) -> Vec<String> {
    let (base, digest) = match name.split_once('@') {
        Some((b, d)) => (b, Some(d)),
        None => (name, None),
    };
    let last = base.rsplit('/').next().unwrap_or(base);
    let tagged = if last.contains(':') || digest.is_some() { base.to_string() } else { format!("{base}:latest") };
    let first = tagged.split('/').next().unwrap_or("");
    let has_registry = tagged.contains('/') && (first.contains('.') || first.contains(':') || first == "localhost");
    let mut out = Vec::new();
    if has_registry {
        out.push(tagged.clone());
    } else if tagged.contains('/') {
        out.push(format!("docker.io/{tagged}"));
        out.push(format!("localhost/{tagged}"));
    } else {
        out.push(format!("docker.io/library/{tagged}"));
        out.push(format!("localhost/{tagged}"));
    }
    if let Some(d) = digest {
        out = out.into_iter().map(|n| format!("{}@{d}", n.trim_end_matches(":latest"))).collect();
    }
    out
}

/// A store's index files parsed once per process while they do not change (lint of many files
/// looks up many base images): (path, size, mtime) and the records.
type Seen<T> = Mutex<Option<HashMap<PathBuf, (u64, std::time::SystemTime, Arc<Vec<T>>)>>>;

fn cached<T: serde::de::DeserializeOwned>(seen: &Seen<T>, path: &Path, lock: &Path) -> Result<Arc<Vec<T>>, ImageError> {
    let stamp = std::fs::metadata(path).ok().map(|m| (m.len(), m.modified().unwrap_or(std::time::UNIX_EPOCH)));
    let mut g = seen.lock().unwrap_or_else(|e| e.into_inner());
    let map = g.get_or_insert_with(HashMap::new);
    if let (Some((len, mtime)), Some((l, m, v))) = (stamp, map.get(path)) {
        if *l == len && *m == mtime {
            return Ok(v.clone());
        }
    }
    let v: Arc<Vec<T>> = Arc::new(read_json(path, lock)?);
    if let Some((len, mtime)) = stamp {
        map.insert(path.to_path_buf(), (len, mtime, v.clone()));
    }
    Ok(v)
}

impl Store {
    fn dir(&self, kind: &str) -> PathBuf {
        self.root.join(format!("{}-{kind}", self.driver.name()))
    }

    fn images(&self) -> Result<Arc<Vec<ImageRecord>>, ImageError> {
        static SEEN: Seen<ImageRecord> = Mutex::new(None);
        let d = self.dir("images");
        cached(&SEEN, &d.join("images.json"), &d.join("images.lock"))
    }

    fn layers(&self) -> Result<Arc<Vec<LayerRecord>>, ImageError> {
        static SEEN: Seen<LayerRecord> = Mutex::new(None);
        let d = self.dir("layers");
        cached(&SEEN, &d.join("layers.json"), &d.join("layers.lock"))
    }

    /// The image a name (or `name@sha256:...`, or an id prefix of 12+ hex digits) stands for.
    fn find(&self, name: &str) -> Result<Option<ImageRecord>, ImageError> {
        let images = self.images()?;
        let wanted = candidate_names(name);
        if let Some(d) = name.split_once('@').map(|(_, d)| d) {
            return Ok(images.iter().find(|i| i.digest.as_deref() == Some(d)).cloned());
        }
        for w in &wanted {
            if let Some(i) = images.iter().find(|i| i.names.iter().any(|n| n == w)) {
                return Ok(Some(i.clone()));
            }
        }
        let hex = name.strip_prefix("sha256:").unwrap_or(name);
        if hex.len() >= 12 && hex.bytes().all(|c| c.is_ascii_hexdigit()) {
            return Ok(images.iter().find(|i| i.id.starts_with(hex)).cloned());
        }
        Ok(None)
    }

    /// Is there an image by this name in this store?
    pub fn has(&self, name: &str) -> Result<bool, ImageError> {
        Ok(self.find(name)?.is_some())
    }

    /// What an image is, read cheaply (no layer is walked): its files' bytes, its config,
    /// and the visible version of a few files (`paths`: package databases), read from the layer
    /// directories top down. None when this store does not have it.
    pub fn facts(&self, name: &str, paths: &[&str]) -> Result<Option<StoredFacts>, ImageError> {
        let Some(rec) = self.find(name)? else { return Ok(None) };
        let idir = self.dir("images").join(&rec.id);
        let config = std::fs::read(idir.join(big_data_name(&format!("sha256:{}", rec.id))))
            .map_err(|e| super::io_err(&idir.display().to_string(), e))?;
        let all = self.layers()?;
        let mut chain = Vec::new();
        let mut next = rec.layer.clone();
        while let Some(id) = next {
            let Some(l) = all.iter().find(|l| l.id == id) else { break };
            if chain.len() > 100_000 {
                break;
            }
            chain.push(l.clone());
            next = l.parent.clone();
        }
        // what the files hold (as `analyze` counts them), from each layer's tar-split; the tar's
        // size where that cannot be read
        // (remembered per layer: the bases a run looks up share their lower layers)
        static BODY_BYTES: Mutex<Option<HashMap<String, u64>>> = Mutex::new(None);
        let bytes = chain
            .iter()
            .map(|l| {
                let known =
                    BODY_BYTES.lock().unwrap_or_else(|e| e.into_inner()).get_or_insert_default().get(&l.id).copied();
                known.unwrap_or_else(|| {
                    let n = super::tarsplit::totals(&self.dir("layers").join(format!("{}.tar-split.gz", l.id)))
                        .map(|t| t.body_bytes)
                        .unwrap_or(l.diff_size.unwrap_or(0));
                    let mut memo = BODY_BYTES.lock().unwrap_or_else(|e| e.into_inner());
                    let memo = memo.get_or_insert_default();
                    if memo.len() >= crate::limits::MAX_MEMO_ENTRIES {
                        memo.clear();
                    }
                    memo.insert(l.id.clone(), n);
                    n
                })
            })
            .sum();
        let mut files = Vec::new();
        for p in paths {
            // the top layer that has the path (or deletes it) decides
            for l in &chain {
                let dir = &self.body_dirs(&l.id)[0];
                let Ok(meta) = std::fs::symlink_metadata(dir.join(p)) else { continue };
                if meta.is_file() && meta.len() <= 64 << 20 {
                    // opened inside the layer: a link in it never leads to the host's files
                    let mut b = Vec::new();
                    if let Ok(f) = super::tarsplit::open_in_root(dir, p) {
                        if io::Read::read_to_end(&mut io::Read::take(f, 64 << 20), &mut b).is_ok() {
                            files.push((p.to_string(), b));
                        }
                    }
                }
                break; // a whiteout (a device), a directory or the file: this layer decides
            }
        }
        Ok(Some(StoredFacts { bytes, config, files }))
    }

    /// Open the image a name stands for, if this store has it.
    pub fn open(&self, name: &str) -> Result<Option<Image>, ImageError> {
        let Some(rec) = self.find(name)? else { return Ok(None) };
        let idir = self.dir("images").join(&rec.id);
        let config_key = format!("sha256:{}", rec.id);
        let config_file = idir.join(big_data_name(&config_key));
        let config_bytes =
            std::fs::read(&config_file).map_err(|e| super::io_err(&config_file.display().to_string(), e))?;
        let actual = super::compression::sha256(&config_bytes);
        if actual != config_key {
            return Err(ImageError::DigestMismatch { what: "image config".into(), expected: config_key, actual });
        }
        let all = self.layers()?;
        let mut chain = Vec::new();
        let mut next = rec.layer.clone();
        while let Some(id) = next {
            let l = all.iter().find(|l| l.id == id).ok_or_else(|| {
                ImageError::invalid("containers-storage", format!("layer {id} is not in layers.json"))
            })?;
            if l.flags.as_ref().is_some_and(|f| f.get("incomplete").is_some_and(|v| v == true)) {
                return Err(ImageError::invalid("containers-storage", format!("layer {id} is still being written")));
            }
            if chain.len() > 100_000 {
                return Err(ImageError::invalid("containers-storage", "a layer chain without an end"));
            }
            chain.push(l.clone());
            next = l.parent.clone();
        }
        chain.reverse();
        let mut layers = Vec::new();
        for l in &chain {
            let size = l.diff_size.unwrap_or(0);
            let digest = l.diff_digest.clone().unwrap_or_default();
            let blob = SplitBlob {
                tar_split: self.dir("layers").join(format!("{}.tar-split.gz", l.id)),
                dirs: self.body_dirs(&l.id),
                size,
            };
            layers.push(Layer {
                digest,
                diff_id: None,
                media_type: "application/vnd.oci.image.layer.v1.tar".into(),
                compression: super::Compression::None,
                size,
                blob: Arc::new(blob),
            });
        }
        let name = rec.names.first().cloned();
        let mut image =
            new_image(SourceKind::ContainersStorage, name, rec.digest.clone(), config_key, config_bytes, layers)?;
        for l in &mut image.layers {
            if l.digest.is_empty() {
                l.digest = l.diff_id.clone().unwrap_or_default();
            }
        }
        Ok(Some(image))
    }

    /// Where a layer's bodies are: overlay's diff directory and its lower layers' (nearest
    /// first), or vfs's full copy.
    fn body_dirs(&self, id: &str) -> Vec<PathBuf> {
        match self.driver {
            Driver::Vfs => vec![self.root.join("vfs/dir").join(id)],
            Driver::Overlay => {
                let base = self.root.join("overlay");
                let mut dirs = vec![base.join(id).join("diff")];
                if let Ok(lower) = std::fs::read_to_string(base.join(id).join("lower")) {
                    for l in lower.trim().split(':').filter(|l| !l.is_empty() && !l.contains("..")) {
                        dirs.push(base.join(l));
                    }
                }
                dirs
            }
        }
    }
}

/// An image's facts read without walking its layers.
#[derive(Debug, Clone)]
pub struct StoredFacts {
    /// The layers' tar bytes (`diff-size`), a little above the files' bytes.
    pub bytes: u64,
    pub config: Vec<u8>,
    /// (path, contents) of the requested files the image has.
    pub files: Vec<(String, Vec<u8>)>,
}

/// containers/storage's file name for a big-data key: the key itself when it is made of
/// `[a-z0-9.]`, else `=` and its standard base64.
fn big_data_name(key: &str) -> String {
    if key.bytes().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'.') {
        key.to_string()
    } else {
        format!("={}", base64::engine::general_purpose::STANDARD.encode(key))
    }
}

/// Open a name from the first store that has it.
pub fn open_name(name: &str) -> Result<Option<Image>, ImageError> {
    for s in stores() {
        if let Some(i) = s.open(name)? {
            return Ok(Some(i));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_as_containers_storage_writes_them() {
        assert_eq!(candidate_names("debian:12"), ["docker.io/library/debian:12", "localhost/debian:12"]);
        assert_eq!(candidate_names("myapp"), ["docker.io/library/myapp:latest", "localhost/myapp:latest"]);
        assert_eq!(candidate_names("team/app:1"), ["docker.io/team/app:1", "localhost/team/app:1"]);
        assert_eq!(candidate_names("localhost/app:2"), ["localhost/app:2"]);
        assert_eq!(candidate_names("quay.io/x/y"), ["quay.io/x/y:latest"]);
        assert_eq!(big_data_name("manifest"), "manifest");
        assert_eq!(big_data_name("sha256:ab"), "=c2hhMjU2OmFi");
    }
}
