//! Image archives: `docker save` / `buildah push docker-archive:` tars, and OCI layouts in a tar
//! (`oci-archive:`). The outer tar is indexed once (headers only); blobs are then read in place.

use super::oci::{from_store, ArchiveStore, Store};
use super::{compression::sha256, io_err, new_image, Compression, Image, ImageError, Layer, OpenOptions, SourceKind};
use crate::layer::tar::{walk, Body, Kind, Seekable};
use std::collections::HashMap;
use std::fs::File;
use std::path::Path;
use std::sync::Arc;

#[derive(serde::Deserialize)]
struct DockerManifestEntry {
    #[serde(rename = "Config")]
    config: String,
    #[serde(rename = "RepoTags", default)]
    repo_tags: Option<Vec<String>>,
    #[serde(rename = "Layers")]
    layers: Vec<String>,
}

/// The members of an image archive (a tar), by path.
pub(crate) fn archive_store(path: &Path) -> Result<ArchiveStore, ImageError> {
    let shown = path.display().to_string();
    // a FIFO or device would block or never end: only regular files are archives here (`-` is
    // standard input)
    let meta = std::fs::metadata(path).map_err(|e| io_err(&shown, e))?;
    if !meta.is_file() {
        return Err(ImageError::invalid(&shown, "not a regular file (give a FIFO's data on standard input: -)"));
    }
    let file = File::open(path).map_err(|e| io_err(&shown, e))?;
    let mut head = [0u8; 2];
    let n = std::os::unix::fs::FileExt::read_at(&file, &mut head, 0).map_err(|e| io_err(&shown, e))?;
    if n == 2 && head == [0x1f, 0x8b] {
        return Err(ImageError::NotAnImage(format!(
            "{shown} is gzip-compressed; decompress it first (gunzip -k) or pipe it: gunzip -c {shown} | imgslim analyze -"
        )));
    }
    let mut members = HashMap::new();
    let mut src = Seekable::new(&file).map_err(|e| io_err(&shown, e))?;
    walk(
        &mut src,
        |_| Body::Skip,
        |e, _, offset| {
            if e.kind == Kind::File {
                members.insert(e.path, (offset, e.size));
            }
            Ok(())
        },
    )
    .map_err(|e| ImageError::NotAnImage(format!("{shown}: {e}")))?;
    Ok(ArchiveStore { file: Arc::new(file), members })
}

pub fn open_archive(path: &Path, opts: &OpenOptions) -> Result<Image, ImageError> {
    let shown = path.display().to_string();
    let store = archive_store(path)?;
    if store.has("index.json") {
        return from_store(&store, opts, SourceKind::OciArchive);
    }
    if store.has("manifest.json") {
        return docker_archive(&store);
    }
    Err(ImageError::NotAnImage(format!("{shown}: neither manifest.json (docker-archive) nor index.json (OCI) inside")))
}

fn docker_archive(store: &ArchiveStore) -> Result<Image, ImageError> {
    let entries: Vec<DockerManifestEntry> =
        serde_json::from_slice(&store.read("manifest.json")?).map_err(|e| ImageError::invalid("manifest.json", e))?;
    let entry = entries.into_iter().next().ok_or_else(|| ImageError::invalid("manifest.json", "no images"))?;
    let clean = |p: &str| crate::layer::tar::clean_path(p).map_err(ImageError::from);
    let config_bytes = store.read(&clean(&entry.config)?)?;
    let config_digest = sha256(&config_bytes);
    let mut layers = Vec::new();
    for l in &entry.layers {
        let section = store.section(&clean(l)?)?;
        let mut head = [0u8; 4];
        let n = section.read_at(&mut head, 0).map_err(|e| io_err(l, e))?;
        let compression = Compression::sniff(&head[..n]);
        // blobs/sha256/<hex> names its digest; otherwise it is known once read (plain: the diff id)
        let digest = l
            .strip_prefix("blobs/sha256/")
            .filter(|h| h.len() == 64 && h.bytes().all(|c| c.is_ascii_hexdigit()))
            .map(|h| format!("sha256:{h}"))
            .unwrap_or_default();
        layers.push(Layer {
            digest,
            diff_id: None,
            media_type: compression.docker_media_type().to_string(),
            compression,
            size: section.len(),
            blob: Arc::new(section),
        });
    }
    let name = entry.repo_tags.and_then(|t| t.into_iter().next());
    let mut img = new_image(SourceKind::DockerArchive, name, None, config_digest, config_bytes, layers)?;
    for l in &mut img.layers {
        if l.digest.is_empty() && l.compression == Compression::None {
            l.digest = l.diff_id.clone().unwrap_or_default();
        }
    }
    Ok(img)
}
