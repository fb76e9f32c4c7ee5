//! A base image as it really is, when it is here: its size and its packages, read from
//! containers-storage (the layers' sizes and the package database file, no layer walked) or the
//! Docker engine (its inspect record: the size; with `deep`, the export for the package
//! database). Otherwise the table in rules/base-images.toml. Looked up once per image per run.

use crate::data::{BaseImage, ImageRef};
use crate::image::storage;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock};

/// Where a base image's figures came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BaseSource {
    /// The image itself, in local storage (containers-storage, the Docker engine).
    Local,
    /// Its registry.
    Registry,
    /// rules/base-images.toml.
    Table,
    /// Nothing knows it.
    Unknown,
}

#[derive(Debug, Clone, Serialize)]
pub struct BaseFacts {
    pub reference: String,
    pub bytes: Option<u64>,
    /// The OS packages it has (dpkg or apk), when known.
    #[serde(skip)]
    pub packages: Option<HashSet<String>>,
    /// Its config's environment.
    #[serde(skip)]
    pub env: BTreeMap<String, String>,
    pub source: BaseSource,
}

/// Facts per (reference, deep read).
type FactsCache = Mutex<HashMap<(String, bool), Arc<BaseFacts>>>;

fn cache() -> &'static FactsCache {
    static C: OnceLock<FactsCache> = OnceLock::new();
    C.get_or_init(Default::default)
}

/// Whether a local read is allowed at all (`IMGSLIM_NO_LOCAL_BASE=1` turns it off, so that
/// estimates come from the tables only).
fn local_allowed() -> bool {
    std::env::var_os("IMGSLIM_NO_LOCAL_BASE").is_none_or(|v| v.is_empty() || v == "0")
}

fn env_of(config: &[u8]) -> BTreeMap<String, String> {
    let v: serde_json::Value = serde_json::from_slice(config).unwrap_or_default();
    v["config"]["Env"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e.as_str()?.split_once('=').map(|(k, v)| (k.to_string(), v.to_string())))
        .collect()
}

fn from_storage(reference: &str) -> Option<BaseFacts> {
    for s in storage::stores() {
        let Ok(Some(f)) = s.facts(reference, &[super::packages::DPKG_STATUS, super::packages::APK_DB]) else {
            continue;
        };
        let mut packages = HashSet::new();
        for (p, body) in &f.files {
            let text = String::from_utf8_lossy(body);
            if p == super::packages::DPKG_STATUS {
                packages.extend(super::packages::dpkg_installed(&text));
            } else {
                packages.extend(super::packages::apk_installed(&text));
            }
        }
        return Some(BaseFacts {
            reference: reference.to_string(),
            bytes: Some(f.bytes),
            packages: Some(packages),
            env: env_of(&f.config),
            source: BaseSource::Local,
        });
    }
    None
}

/// The dpkg and apk packages an image's layers leave installed.
fn system_packages(layers: &[crate::layer::read::LayerIndex]) -> Option<HashSet<String>> {
    let merged = crate::layer::merge::merge(layers).ok()?;
    let p = super::packages::Packages::collect(layers, &merged);
    Some(
        p.list
            .iter()
            .filter(|p| matches!(p.manager, super::packages::Manager::Dpkg | super::packages::Manager::Apk))
            .map(|p| p.name.clone())
            .collect(),
    )
}

fn from_engine(reference: &str, deep: bool) -> Option<BaseFacts> {
    let ep = crate::image::engine::endpoint().ok().flatten()?;
    let e = crate::image::engine::Engine::connect(ep).ok()?;
    let info = e.inspect(reference).ok().flatten()?;
    let env = info["Config"]["Env"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e.as_str()?.split_once('=').map(|(k, v)| (k.to_string(), v.to_string())))
        .collect();
    let mut facts = BaseFacts {
        reference: reference.to_string(),
        bytes: info["Size"].as_u64(),
        packages: None,
        env,
        source: BaseSource::Local,
    };
    let opts = crate::layer::read::ReadOptions {
        verify: false,
        capture: &super::packages::capture,
        tag: None,
        estimate_pull: false,
    };
    // the package database from the engine's store, read in place (headers and the database
    // files only): cheap enough for every base image a run looks up
    let stored = crate::image::dockerstore::readable_here(&e.endpoint)
        .then(|| crate::image::dockerstore::open(&info, reference).ok().flatten())
        .flatten();
    if let Some(image) = stored {
        let layers: Result<Vec<_>, _> = image.layers.iter().map(|l| crate::layer::read::read_layer(l, opts)).collect();
        if let Ok(layers) = layers {
            facts.packages = system_packages(&layers);
        }
    } else if deep {
        // the package database needs the export: only when one Dockerfile is analyzed
        if let Ok(s) = e.export(reference).map_err(|_| ()).and_then(|r| {
            crate::layer::stream::index_archive(r, crate::image::SourceKind::DockerDaemon, opts).map_err(|_| ())
        }) {
            facts.packages = system_packages(&s.layers);
        }
    }
    Some(facts)
}

/// What the table says of a base image (no local storage read).
pub fn from_table(reference: &str) -> BaseFacts {
    // `${REGISTRY}alpine:3.19`: a registry prefix in a variable; the image is what follows it
    let named = strip_variable_prefix(reference);
    let r = ImageRef::parse(named);
    let b = BaseImage::find(&r);
    let tag = r.tag.clone().unwrap_or_default();
    let bytes = b.map(|b| b.bytes_for(&tag));
    BaseFacts {
        reference: reference.to_string(),
        bytes: if reference == "scratch" { Some(0) } else { bytes },
        packages: b.map(|b| crate::data::table_packages(b, &tag)).filter(|p| !p.is_empty()),
        env: b.map(|b| b.env.clone()).unwrap_or_default(),
        source: if b.is_some() || reference == "scratch" { BaseSource::Table } else { BaseSource::Unknown },
    }
}

/// The reference after a leading `${VAR}` or `$VAR` that only names a registry or prefix.
fn strip_variable_prefix(reference: &str) -> &str {
    let rest = if let Some(r) = reference.strip_prefix("${") {
        r.split_once('}').map_or(reference, |(_, rest)| rest)
    } else if let Some(r) = reference.strip_prefix('$') {
        r.trim_start_matches(|c: char| c.is_ascii_alphanumeric() || c == '_')
    } else {
        return reference;
    };
    let rest = rest.trim_start_matches('/');
    if rest.starts_with(|c: char| c.is_ascii_alphabetic()) && !rest.contains('$') {
        rest
    } else {
        reference
    }
}

/// What a base image is: local storage first, then the table. `deep`: also export it from the
/// Docker engine for its package database (a one-off analysis, not a lint of many files).
pub fn lookup(reference: &str, deep: bool) -> Arc<BaseFacts> {
    let key = (reference.to_string(), deep);
    if let Some(f) = cache().lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return f.clone();
    }
    let found = if reference == "scratch" || reference.contains('$') || !local_allowed() {
        None
    } else {
        from_storage(reference).or_else(|| from_engine(reference, deep))
    };
    let facts = Arc::new(found.unwrap_or_else(|| from_table(reference)));
    cache().lock().unwrap_or_else(|e| e.into_inner()).insert(key, facts.clone());
    facts
}
