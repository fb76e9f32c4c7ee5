//! An image archive that arrives as a stream (the Docker engine's `GET /images/{name}/get`, or a
//! `docker save` piped to standard input), indexed in one pass without a temporary file: every
//! layer tar is walked (headers, and the few small files the analysis captures) as it passes,
//! the small JSON members are kept, and at the end the manifest says which index is which
//! layer, in which order. Both archive forms are read: docker-archive (`manifest.json`, layers
//! as `<id>/layer.tar` or `<diffid>.tar`) and an OCI layout in a tar (`index.json`,
//! `blobs/sha256/...`, as the containerd image store exports it, layers possibly compressed).
//! Members come in any order (dockerd writes them sorted by name, manifest last).

use super::read::{index_stream, LayerIndex, ReadOptions};
use super::tar::{walk_streaming, Entry, Kind, Stream};
use crate::image::compression::sha256;
use crate::image::{new_image, Blob, BlobReader, Compression, Image, ImageError, Layer, SourceKind};
use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, Read};
use std::sync::Arc;

/// JSON members (manifests, configs) larger than this are not kept: real ones are kilobytes.
const MAX_JSON: u64 = 16 << 20;

/// An image whose layers were indexed while it streamed: `layers[i]` belongs to `image.layers[i]`.
pub struct Streamed {
    pub image: Image,
    pub layers: Vec<LayerIndex>,
}

/// A layer that was read once, as it streamed: it cannot be opened again.
struct Spent;

impl Blob for Spent {
    fn size(&self) -> u64 {
        0
    }
    fn open(&self) -> io::Result<BlobReader> {
        Err(io::Error::other("this layer was read as it streamed and cannot be read again"))
    }
}

struct Indexed {
    index: LayerIndex,
    size: u64,
    compression: Compression,
    digest: String,
}

fn is_layer_member(path: &str) -> bool {
    path.ends_with("/layer.tar")
        || path.ends_with(".tar") && !path.contains('/')
        || path.strip_prefix("blobs/sha256/").is_some_and(|h| h.len() == 64 && !h.contains('/'))
}

/// Index an archive stream. `source` names where it came from; `opts` is what to capture.
pub fn index_archive<R: Read + Send>(reader: R, source: SourceKind, opts: ReadOptions) -> Result<Streamed, ImageError> {
    let mut json: HashMap<String, Vec<u8>> = HashMap::new();
    let mut layers: HashMap<String, Indexed> = HashMap::new();
    let mut links: HashMap<String, String> = HashMap::new();
    let mut src = Stream::new(reader);
    let mut failure: Option<ImageError> = None;
    walk_streaming(&mut src, |e: &Entry, body| {
        if e.kind == Kind::Symlink || e.kind == Kind::Hardlink {
            // a layer shared by two images in one save: `<v1>/layer.tar -> ../<v1'>/layer.tar`
            if let Some(t) = &e.link {
                let dir = e.path.rsplit_once('/').map_or("", |(d, _)| d);
                let target = if e.kind == Kind::Symlink { join(dir, t) } else { t.clone() };
                links.insert(e.path.clone(), target);
            }
            return Ok(());
        }
        if e.kind != Kind::File {
            return Ok(());
        }
        let mut peek = BufReader::with_capacity(64 << 10, body);
        let head = peek.fill_buf()?.to_vec();
        let looks_json = head.first() == Some(&b'{') || head.first() == Some(&b'[');
        if looks_json && e.size <= MAX_JSON {
            let mut v = Vec::with_capacity(e.size as usize);
            peek.read_to_end(&mut v)?;
            json.insert(e.path.clone(), v);
            return Ok(());
        }
        if !is_layer_member(&e.path) {
            return Ok(());
        }
        let compression = Compression::sniff(&head);
        let layer = Layer {
            digest: String::new(),
            diff_id: None,
            media_type: String::new(),
            compression,
            size: e.size,
            blob: Arc::new(Spent),
        };
        match index_stream(&layer, &mut peek, opts) {
            Ok(index) => {
                let digest = index.blob_digest.clone().unwrap_or_default();
                layers.insert(e.path.clone(), Indexed { index, size: e.size, compression, digest });
            }
            Err(err) => {
                failure.get_or_insert(err);
            }
        }
        Ok(())
    })
    .map_err(|e| ImageError::NotAnImage(format!("the image stream: {e}")))?;
    if let Some(e) = failure {
        return Err(e);
    }
    let take = |layers: &mut HashMap<String, Indexed>, path: &str| -> Result<Indexed, ImageError> {
        let real = links.get(path).map(String::as_str).unwrap_or(path);
        layers.remove(real).ok_or_else(|| ImageError::MissingBlob(path.to_string()))
    };
    let (config_bytes, manifest_digest, name, ordered): (Vec<u8>, Option<String>, Option<String>, Vec<Indexed>) =
        if let Some(m) = json.get("manifest.json").filter(|_| !json.contains_key("index.json")) {
            docker_form(m, &json, &mut layers, take)?
        } else if let Some(ix) = json.get("index.json") {
            oci_form(ix, &json, &mut layers, take)?
        } else {
            return Err(ImageError::NotAnImage(
                "the stream has neither manifest.json (docker-archive) nor index.json (OCI layout)".into(),
            ));
        };
    let config_digest = sha256(&config_bytes);
    let descriptors: Vec<Layer> = ordered
        .iter()
        .map(|l| Layer {
            digest: l.digest.clone(),
            diff_id: None,
            // a docker-archive names no media types; an OCI layout's are its manifest's, which
            // the stream read only for their digests: both as the compression says
            media_type: l.compression.docker_media_type().to_string(),
            compression: l.compression,
            size: l.size,
            blob: Arc::new(Spent),
        })
        .collect();
    let image = new_image(source, name, manifest_digest, config_digest, config_bytes, descriptors)?;
    Ok(Streamed { image, layers: ordered.into_iter().map(|l| l.index).collect() })
}

fn join(dir: &str, rel: &str) -> String {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for c in rel.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            c => parts.push(c),
        }
    }
    parts.join("/")
}

#[derive(serde::Deserialize)]
struct DockerEntry {
    #[serde(rename = "Config")]
    config: String,
    #[serde(rename = "RepoTags", default)]
    repo_tags: Option<Vec<String>>,
    #[serde(rename = "Layers")]
    layers: Vec<String>,
}

#[allow(clippy::type_complexity)]
fn docker_form(
    manifest: &[u8],
    json: &HashMap<String, Vec<u8>>,
    layers: &mut HashMap<String, Indexed>,
    take: impl Fn(&mut HashMap<String, Indexed>, &str) -> Result<Indexed, ImageError>,
) -> Result<(Vec<u8>, Option<String>, Option<String>, Vec<Indexed>), ImageError> {
    let entries: Vec<DockerEntry> =
        serde_json::from_slice(manifest).map_err(|e| ImageError::invalid("manifest.json", e))?;
    let entry = entries.into_iter().next().ok_or_else(|| ImageError::invalid("manifest.json", "no images"))?;
    let config = json.get(&entry.config).cloned().ok_or_else(|| ImageError::MissingBlob(entry.config.clone()))?;
    let name = entry.repo_tags.and_then(|t| t.into_iter().next());
    let mut ordered = Vec::new();
    for l in &entry.layers {
        ordered.push(take(layers, l)?);
    }
    Ok((config, None, name, ordered))
}

#[allow(clippy::type_complexity)]
fn oci_form(
    index: &[u8],
    json: &HashMap<String, Vec<u8>>,
    layers: &mut HashMap<String, Indexed>,
    take: impl Fn(&mut HashMap<String, Indexed>, &str) -> Result<Indexed, ImageError>,
) -> Result<(Vec<u8>, Option<String>, Option<String>, Vec<Indexed>), ImageError> {
    let blob = |d: &str| -> Result<&Vec<u8>, ImageError> {
        let (alg, hex) = crate::image::validate_digest(d)?;
        json.get(&format!("blobs/{alg}/{hex}")).ok_or_else(|| ImageError::MissingBlob(d.to_string()))
    };
    let ix: serde_json::Value = serde_json::from_slice(index).map_err(|e| ImageError::invalid("index.json", e))?;
    let mut desc = ix["manifests"].get(0).cloned().ok_or_else(|| ImageError::invalid("index.json", "no manifests"))?;
    // an index inside the index (a multi-platform image): its first linux manifest
    for _ in 0..4 {
        let d = desc["digest"].as_str().unwrap_or("").to_string();
        let v: serde_json::Value = serde_json::from_slice(blob(&d)?).map_err(|e| ImageError::invalid("manifest", e))?;
        if let Some(ms) = v["manifests"].as_array() {
            desc = ms
                .iter()
                .find(|m| m["platform"]["os"] == "linux" && m["platform"]["architecture"] != "unknown")
                .or_else(|| ms.first())
                .cloned()
                .ok_or_else(|| ImageError::invalid("index", "no manifests"))?;
            continue;
        }
        let config_digest = v["config"]["digest"].as_str().unwrap_or("");
        let config = blob(config_digest)?.clone();
        let name = ix["manifests"][0]["annotations"]["io.containerd.image.name"]
            .as_str()
            .or(ix["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"].as_str())
            .map(str::to_string);
        let mut ordered = Vec::new();
        for l in v["layers"].as_array().into_iter().flatten() {
            let d = l["digest"].as_str().unwrap_or("");
            let (alg, hex) = crate::image::validate_digest(d)?;
            ordered.push(take(layers, &format!("blobs/{alg}/{hex}"))?);
        }
        return Ok((config, Some(d), name, ordered));
    }
    Err(ImageError::invalid("index.json", "indexes nested too deep"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn symlinked_layers_resolve_in_their_directory() {
        assert_eq!(super::join("abc", "../def/layer.tar"), "def/layer.tar");
        assert!(super::is_layer_member("abc/layer.tar"));
        assert!(super::is_layer_member(&format!("blobs/sha256/{}", "a".repeat(64))));
        assert!(!super::is_layer_member("repositories"));
    }
}
