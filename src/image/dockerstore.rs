//! The Docker engine's own store (the classic image store with the overlay2 driver), read in
//! place: no export, no copy. This is what `docker save` reads, without the engine writing the
//! archive and imgslim reading it back.
//!
//! Under the engine's root (`/var/lib/docker`): the config is
//! `image/overlay2/imagedb/content/sha256/<image id>` (the image id is the config's digest); each
//! layer is `image/overlay2/layerdb/sha256/<chain id>/` with its diff id (`diff`), its overlay
//! directory's name (`cache-id`) and its tar-split (`tar-split.json.gz`); its files are
//! `overlay2/<cache id>/diff/`. A layer is read as the exact tar the engine would export (see
//! `tarsplit`): headers from the tar-split file, bodies from the directory.
//!
//! Only as root and only for an engine on a local unix socket: elsewhere the store is not ours to
//! read (another user's, another machine's, a VM's), and the caller uses the export. Every file
//! found is checked against the digests the engine addresses it by; a store that lacks what the
//! engine's record names is not this engine's store, and the export is used.

use super::compression::sha256;
use super::tarsplit::{totals, SplitBlob};
use super::{io_err, new_image, Image, ImageError, Layer, SourceKind};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The largest image config read from the store.
const MAX_CONFIG: u64 = 64 << 20;

/// The engine's root directory, from an image's inspect record: its top layer's directory is
/// `<root>/overlay2/<cache id>/diff`. None for another driver or a record without one.
fn root_of(inspect: &serde_json::Value) -> Option<PathBuf> {
    let gd = &inspect["GraphDriver"];
    if gd["Name"].as_str() != Some("overlay2") {
        return None;
    }
    let upper = Path::new(gd["Data"]["UpperDir"].as_str()?);
    let overlay = upper.parent()?.parent()?;
    (overlay.file_name()? == "overlay2").then(|| overlay.parent().map(Path::to_path_buf))?
}

/// `sha256:<64 hex>` -> the hex, refusing anything else (the hex becomes a path component).
fn sha256_hex(digest: &str) -> Option<&str> {
    let hex = digest.strip_prefix("sha256:")?;
    (hex.len() == 64 && hex.bytes().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())).then_some(hex)
}

/// The chain ids of a list of diff ids (OCI image-spec: `ChainID(L0) = DiffID(L0)`,
/// `ChainID(Ln) = sha256(ChainID(Ln-1) + " " + DiffID(Ln))`).
pub fn chain_ids(diff_ids: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(diff_ids.len());
    for d in diff_ids {
        let next = match out.last() {
            None => d.clone(),
            Some(prev) => sha256(format!("{prev} {d}").as_bytes()),
        };
        out.push(next);
    }
    out
}

fn read_small(path: &Path, limit: u64) -> Result<Option<Vec<u8>>, ImageError> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    let shown = path.display().to_string();
    // never a FIFO's wait, never a link's target
    let opened = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW | libc::O_NOCTTY | libc::O_CLOEXEC)
        .open(path);
    let f = match opened {
        Ok(f) => f,
        Err(e)
            if matches!(e.kind(), std::io::ErrorKind::NotFound | std::io::ErrorKind::PermissionDenied)
                || e.raw_os_error() == Some(libc::ELOOP) =>
        {
            return Ok(None)
        }
        Err(e) => return Err(io_err(&shown, e)),
    };
    if !f.metadata().map_err(|e| io_err(&shown, e))?.is_file() {
        return Ok(None);
    }
    let mut v = Vec::new();
    f.take(limit + 1).read_to_end(&mut v).map_err(|e| io_err(&shown, e))?;
    if v.len() as u64 > limit {
        return Err(ImageError::invalid(shown, format!("larger than {limit} bytes")));
    }
    Ok(Some(v))
}

fn text(path: &Path) -> Result<Option<String>, ImageError> {
    Ok(read_small(path, 4096)?.map(|b| String::from_utf8_lossy(&b).trim().to_string()))
}

/// May this process read the store of the engine at this endpoint?
pub fn readable_here(endpoint: &super::engine::Endpoint) -> bool {
    // SAFETY: geteuid has no preconditions.
    matches!(endpoint, super::engine::Endpoint::Unix(_)) && unsafe { libc::geteuid() } == 0
}

/// A directory itself (not a link to one).
fn real_dir(p: &Path) -> bool {
    std::fs::symlink_metadata(p).is_ok_and(|m| m.is_dir())
}

/// The store is root's alone: the root directory and the two it holds are real directories
/// owned by root and writable by nobody else (another user's store could name any file).
fn owned_by_root(root: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    [root.to_path_buf(), root.join("image"), root.join("overlay2")]
        .iter()
        .all(|d| std::fs::symlink_metadata(d).is_ok_and(|m| m.is_dir() && m.uid() == 0 && m.mode() & 0o022 == 0))
}

/// Open an image from the engine's store, given its inspect record. None when the store is not
/// readable here or does not hold what the record names (use the export then).
pub fn open(inspect: &serde_json::Value, name: &str) -> Result<Option<Image>, ImageError> {
    let Some(root) = root_of(inspect) else { return Ok(None) };
    if !owned_by_root(&root) {
        return Ok(None);
    }
    // the record's top layer directory: the store's last layer must be it
    let top_cache = Path::new(inspect["GraphDriver"]["Data"]["UpperDir"].as_str().unwrap_or_default())
        .parent()
        .and_then(Path::file_name)
        .map(|n| n.to_string_lossy().into_owned());
    let Some(id) = inspect["Id"].as_str() else { return Ok(None) };
    let Some(hex) = sha256_hex(id) else { return Ok(None) };
    let Some(config) = read_small(&root.join("image/overlay2/imagedb/content/sha256").join(hex), MAX_CONFIG)? else {
        return Ok(None);
    };
    let actual = sha256(&config);
    if actual != id {
        return Err(ImageError::DigestMismatch { what: "image config".into(), expected: id.to_string(), actual });
    }
    let v: serde_json::Value = serde_json::from_slice(&config).map_err(|e| ImageError::invalid("image config", e))?;
    let diff_ids: Vec<String> = v["rootfs"]["diff_ids"]
        .as_array()
        .map(|a| a.iter().filter_map(|d| d.as_str().map(str::to_string)).collect())
        .unwrap_or_default();
    if diff_ids.len() > crate::limits::MAX_HISTORY {
        return Err(ImageError::invalid("image config", format!("more than {} layers", crate::limits::MAX_HISTORY)));
    }
    let layerdb = root.join("image/overlay2/layerdb/sha256");
    let mut parts = Vec::new();
    for (diff_id, chain) in diff_ids.iter().zip(chain_ids(&diff_ids)) {
        let Some(chain_hex) = sha256_hex(&chain) else {
            return Err(ImageError::invalid("image config", format!("diff id {diff_id} is not a sha256 digest")));
        };
        let dir = layerdb.join(chain_hex);
        let (Some(diff), Some(cache_id)) = (text(&dir.join("diff"))?, text(&dir.join("cache-id"))?) else {
            return Ok(None);
        };
        if &diff != diff_id {
            let actual = if diff.len() <= 71 { diff } else { "(not a digest)".into() };
            return Err(ImageError::DigestMismatch {
                what: format!("layer {chain} in {}", dir.display()),
                expected: diff_id.clone(),
                actual,
            });
        }
        if cache_id.is_empty() || !cache_id.bytes().all(|c| c.is_ascii_alphanumeric()) {
            return Err(ImageError::invalid(dir.join("cache-id").display().to_string(), "not a directory name"));
        }
        let layer_dir = root.join("overlay2").join(&cache_id);
        let body = layer_dir.join("diff");
        let tar_split = dir.join("tar-split.json.gz");
        let tar_split_real = std::fs::symlink_metadata(&tar_split).is_ok_and(|m| m.is_file());
        if !real_dir(&layer_dir) || !real_dir(&body) || !tar_split_real {
            return Ok(None);
        }
        parts.push((diff_id.clone(), tar_split, body, cache_id));
    }
    if parts.last().map(|p| Some(&p.3)) != Some(top_cache.as_ref()) {
        // the engine's record and this store disagree: not this engine's store
        return Ok(None);
    }
    let mut layers = Vec::with_capacity(parts.len());
    for (diff_id, tar_split, body, _) in parts {
        // the tar's length (the engine records only its files' bytes)
        let size = totals(&tar_split).map_err(|e| io_err(&tar_split.display().to_string(), e))?.tar_len;
        layers.push(Layer {
            digest: diff_id,
            diff_id: None,
            media_type: "application/vnd.docker.image.rootfs.diff.tar".into(),
            compression: super::Compression::None,
            size,
            blob: Arc::new(SplitBlob { tar_split, dirs: vec![body], size }),
        });
    }
    let mut image = new_image(SourceKind::DockerDaemon, Some(name.to_string()), None, id.to_string(), config, layers)?;
    image.via = Some(format!("the engine's overlay2 store at {}", root.display()));
    Ok(Some(image))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chain_ids_as_the_image_spec_defines_them() {
        let a = format!("sha256:{}", "a".repeat(64));
        let b = format!("sha256:{}", "b".repeat(64));
        let ids = chain_ids(&[a.clone(), b.clone()]);
        assert_eq!(ids[0], a);
        assert_eq!(ids[1], sha256(format!("{a} {b}").as_bytes()));
        assert_eq!(sha256_hex(&a), Some("a".repeat(64).as_str()));
        assert_eq!(sha256_hex("sha256:../../etc"), None);
        assert_eq!(sha256_hex(&format!("sha512:{}", "a".repeat(64))), None);
    }

    /// A one-layer store as the engine lays it out, and the inspect record that names it.
    fn store(root: &Path, cache_id: &str) -> serde_json::Value {
        use std::io::Write;
        let diff_id = format!("sha256:{}", "d".repeat(64));
        let config = serde_json::json!({"architecture": "amd64", "os": "linux", "config": {},
            "rootfs": {"type": "layers", "diff_ids": [diff_id]}})
        .to_string();
        let id = sha256(config.as_bytes());
        let content = root.join("image/overlay2/imagedb/content/sha256");
        std::fs::create_dir_all(&content).unwrap();
        std::fs::write(content.join(sha256_hex(&id).unwrap()), &config).unwrap();
        let layer = root.join("image/overlay2/layerdb/sha256").join("d".repeat(64));
        std::fs::create_dir_all(&layer).unwrap();
        std::fs::write(layer.join("diff"), &diff_id).unwrap();
        std::fs::write(layer.join("cache-id"), cache_id).unwrap();
        let b64 = |n: usize, byte: u8| {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD.encode(vec![byte; n])
        };
        let lines = format!(
            "{{\"type\":2,\"payload\":\"{}\",\"position\":0}}\n{{\"type\":1,\"name\":\"./a\",\"size\":5,\"position\":1}}\n{{\"type\":2,\"payload\":\"{}\",\"position\":2}}\n",
            b64(512, b'h'),
            b64(507 + 1024, 0)
        );
        let mut gz = flate2::write::GzEncoder::new(
            std::fs::File::create(layer.join("tar-split.json.gz")).unwrap(),
            flate2::Compression::fast(),
        );
        gz.write_all(lines.as_bytes()).unwrap();
        gz.finish().unwrap();
        let body = root.join("overlay2").join(cache_id).join("diff");
        std::fs::create_dir_all(&body).unwrap();
        std::fs::write(body.join("a"), b"hello").unwrap();
        serde_json::json!({"Id": id, "GraphDriver": {"Name": "overlay2",
            "Data": {"UpperDir": root.join("overlay2").join(cache_id).join("diff")}}})
    }

    #[test]
    fn a_store_is_read_only_when_it_is_root_s_and_agrees_with_the_engine_s_record() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("docker");
        let inspect = store(&root, "c0ffee");
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } != 0 {
            // a store this process does not own as root is never read
            assert!(open(&inspect, "x").unwrap().is_none());
            eprintln!("dockerstore: not root, only the refusal of a non-root store is checked");
            return;
        }
        let image = open(&inspect, "x").unwrap().expect("the store is read");
        assert_eq!(image.layers.len(), 1);
        assert_eq!(image.layers[0].size, 2048);
        assert!(image.via.as_deref().is_some_and(|v| v.contains("overlay2 store")), "{:?}", image.via);

        // writable by others: another user could have named any file
        std::fs::set_permissions(root.join("image"), std::fs::Permissions::from_mode(0o777)).unwrap();
        assert!(open(&inspect, "x").unwrap().is_none());
        std::fs::set_permissions(root.join("image"), std::fs::Permissions::from_mode(0o755)).unwrap();
        assert!(open(&inspect, "x").unwrap().is_some());

        // the record's top layer directory is not the store's last layer
        let mut other = inspect.clone();
        other["GraphDriver"]["Data"]["UpperDir"] = root.join("overlay2/beef/diff").to_string_lossy().into();
        assert!(open(&other, "x").unwrap().is_none());

        // the layer's directory is a link: not read through it
        let body = root.join("overlay2/c0ffee");
        std::fs::rename(&body, root.join("overlay2/elsewhere")).unwrap();
        std::os::unix::fs::symlink(root.join("overlay2/elsewhere"), &body).unwrap();
        assert!(open(&inspect, "x").unwrap().is_none());

        // a cache id that is not a directory name is refused, not joined to a path
        let dir2 = tempfile::tempdir().unwrap();
        let root2 = dir2.path().join("docker");
        let bad = store(&root2, "c0ffee");
        std::fs::write(root2.join("image/overlay2/layerdb/sha256").join("d".repeat(64)).join("cache-id"), "../../etc")
            .unwrap();
        let err = open(&bad, "x").unwrap_err().to_string();
        assert!(err.contains("not a directory name"), "{err}");

        // a layer whose recorded diff id is not the config's
        let layer = root.join("image/overlay2/layerdb/sha256").join("d".repeat(64));
        std::fs::remove_file(&body).unwrap();
        std::fs::rename(root.join("overlay2/elsewhere"), &body).unwrap();
        std::fs::write(layer.join("diff"), format!("sha256:{}", "e".repeat(64))).unwrap();
        let err = open(&inspect, "x").unwrap_err();
        assert!(matches!(err, ImageError::DigestMismatch { .. }), "{err}");

        // a config that is not the image id's
        let content = root.join("image/overlay2/imagedb/content/sha256");
        let id = inspect["Id"].as_str().unwrap();
        std::fs::write(content.join(sha256_hex(id).unwrap()), b"{}").unwrap();
        let err = open(&inspect, "x").unwrap_err();
        assert!(matches!(err, ImageError::DigestMismatch { .. }), "{err}");
    }

    #[test]
    fn the_root_comes_from_the_top_layer_directory() {
        let v = serde_json::json!({"GraphDriver": {"Name": "overlay2", "Data": {"UpperDir": "/var/lib/docker/overlay2/abc/diff"}}});
        assert_eq!(root_of(&v), Some(PathBuf::from("/var/lib/docker")));
        let v = serde_json::json!({"GraphDriver": {"Name": "btrfs", "Data": {}}});
        assert_eq!(root_of(&v), None);
        let v = serde_json::json!({"GraphDriver": {"Name": "overlay2", "Data": {"UpperDir": "/x/diff"}}});
        assert_eq!(root_of(&v), None);
    }
}
