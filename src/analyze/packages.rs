//! Package databases found in an image: which package owns which file, and which layer installed
//! each package. dpkg (`var/lib/dpkg/status` + `info/*.list`), apk (`lib/apk/db/installed`), pip
//! (`*.dist-info/RECORD`) and npm (`node_modules/<name>/`, by path).

use crate::layer::merge::Merged;
use crate::layer::read::LayerIndex;
use crate::layer::tar::{Body, Entry};
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Manager {
    Dpkg,
    Apk,
    Pip,
    Npm,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Package {
    pub name: String,
    pub manager: Manager,
    pub version: Option<String>,
    /// The layer that installed it (first layer whose database lists it).
    pub layer: Option<usize>,
}

impl Package {
    /// OS packages by name; language packages prefixed (`pip:psutil`, `npm:typescript`).
    pub fn label(&self) -> String {
        match self.manager {
            Manager::Dpkg | Manager::Apk => self.name.clone(),
            Manager::Pip => format!("pip:{}", self.name),
            Manager::Npm => format!("npm:{}", self.name),
        }
    }
}

#[derive(Debug, Default)]
pub struct Packages {
    pub list: Vec<Package>,
    /// Resolved file path -> index in `list`.
    owner: HashMap<String, usize>,
    npm: HashMap<String, usize>,
}

pub const DPKG_STATUS: &str = "var/lib/dpkg/status";
pub const APK_DB: &str = "lib/apk/db/installed";

fn is_record(path: &str) -> bool {
    path.ends_with(".dist-info/RECORD") && (path.contains("site-packages/") || path.contains("dist-packages/"))
}

/// Which file bodies the package scan needs (small database files only).
pub fn capture(e: &Entry) -> Body {
    let p = e.path.as_str();
    if p == DPKG_STATUS || p == APK_DB {
        Body::Capture(crate::limits::MAX_CAPTURED_BYTES)
    } else if (p.starts_with("var/lib/dpkg/info/") && p.ends_with(".list")) || is_record(p) {
        Body::Capture(crate::limits::MAX_CAPTURED_FILE)
    } else {
        Body::Skip
    }
}

/// The installed packages a dpkg status file (`var/lib/dpkg/status`) lists.
pub fn dpkg_installed(status: &str) -> Vec<String> {
    paragraphs(status)
        .filter(|p| p.get("Status").is_some_and(|s| s.ends_with(" installed")))
        .filter_map(|p| p.get("Package").map(|n| n.to_string()))
        .collect()
}

/// The packages an apk database (`lib/apk/db/installed`) lists.
pub fn apk_installed(db: &str) -> Vec<String> {
    db.lines().filter_map(|l| l.strip_prefix("P:")).map(str::to_string).collect()
}

/// The npm package a path belongs to (`.../node_modules/@scope/name/...`).
pub fn npm_package(path: &str) -> Option<&str> {
    let i = path.rfind("node_modules/")? + "node_modules/".len();
    let rest = &path[i..];
    let mut parts = rest.splitn(3, '/');
    let first = parts.next()?;
    let end = if first.starts_with('@') { first.len() + 1 + parts.next()?.len() } else { first.len() };
    // the path must be inside the package directory, not the directory itself
    (rest.len() > end && !first.starts_with('.')).then(|| &rest[..end])
}

struct Bodies<'a> {
    map: HashMap<(u32, u32), &'a [u8]>,
}

impl<'a> Bodies<'a> {
    fn new(layers: &'a [LayerIndex]) -> Self {
        let mut map = HashMap::new();
        for (l, layer) in layers.iter().enumerate() {
            for (i, body) in &layer.captured {
                map.insert((l as u32, *i as u32), body.as_slice());
            }
        }
        Bodies { map }
    }
    /// The visible version of a captured file.
    fn visible(&self, merged: &Merged, path: &str) -> Option<(usize, &'a [u8])> {
        let n = merged.tree.get(path)?;
        self.map.get(&(n.layer, n.entry)).map(|b| (n.layer as usize, *b))
    }
}

fn paragraphs(text: &str) -> impl Iterator<Item = HashMap<&str, &str>> {
    text.split("\n\n").map(|p| {
        let mut m = HashMap::new();
        for line in p.lines() {
            if line.starts_with(' ') {
                continue;
            }
            if let Some((k, v)) = line.split_once(':') {
                m.insert(k, v.trim());
            }
        }
        m
    })
}

impl Packages {
    pub fn collect(layers: &[LayerIndex], merged: &Merged) -> Packages {
        let bodies = Bodies::new(layers);
        let mut p = Packages::default();
        let mut resolved: HashMap<String, Option<String>> = HashMap::new();
        // package databases name files by their installed path (`/lib/x`); the image may store
        // them behind a symlinked directory (`usr/lib/x`)
        let mut resolve = |path: &str| -> Option<String> {
            let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
            let dir = resolved.entry(dir.to_string()).or_insert_with(|| merged.resolve_dir(layers, dir)).clone()?;
            Some(if dir.is_empty() { name.to_string() } else { format!("{dir}/{name}") })
        };
        // list files per layer, for "which layer installed it"
        let mut list_layer: HashMap<&str, usize> = HashMap::new();
        for (l, layer) in layers.iter().enumerate() {
            for e in &layer.entries {
                if e.path.starts_with("var/lib/dpkg/info/") && e.path.ends_with(".list") {
                    list_layer.entry(e.path.as_str()).or_insert(l);
                }
            }
        }
        if let Some((_, status)) = bodies.visible(merged, DPKG_STATUS) {
            let text = String::from_utf8_lossy(status);
            for para in paragraphs(&text) {
                let (Some(name), Some(status)) = (para.get("Package"), para.get("Status")) else {
                    continue;
                };
                if !status.ends_with(" installed") {
                    continue;
                }
                let arch = para.get("Architecture").copied().unwrap_or("");
                let candidates =
                    [format!("var/lib/dpkg/info/{name}.list"), format!("var/lib/dpkg/info/{name}:{arch}.list")];
                let list = candidates.iter().find_map(|c| bodies.visible(merged, c).map(|b| (c.clone(), b)));
                let idx = p.list.len();
                p.list.push(Package {
                    name: name.to_string(),
                    manager: Manager::Dpkg,
                    version: para.get("Version").map(|v| v.to_string()),
                    layer: list.as_ref().and_then(|(c, _)| list_layer.get(c.as_str()).copied()),
                });
                if let Some((_, (_, body))) = list {
                    for line in String::from_utf8_lossy(body).lines() {
                        if let Some(real) = resolve(line.trim()) {
                            p.owner.entry(real).or_insert(idx);
                        }
                    }
                }
            }
        }
        // apk: the package appears in the database version of the layer that installed it
        let mut apk_first: HashMap<String, usize> = HashMap::new();
        for (l, layer) in layers.iter().enumerate() {
            for (i, body) in &layer.captured {
                if layer.entries[*i].path == APK_DB {
                    for para in paragraphs(&String::from_utf8_lossy(body)) {
                        if let Some(n) = para.get("P") {
                            apk_first.entry(n.to_string()).or_insert(l);
                        }
                    }
                }
            }
        }
        if let Some((_, db)) = bodies.visible(merged, APK_DB) {
            let text = String::from_utf8_lossy(db);
            for rec in text.split("\n\n") {
                let mut dir = String::new();
                let mut idx = None;
                for line in rec.lines() {
                    let Some((k, v)) = line.split_once(':') else {
                        continue;
                    };
                    match k {
                        "P" => {
                            idx = Some(p.list.len());
                            p.list.push(Package {
                                name: v.to_string(),
                                manager: Manager::Apk,
                                version: None,
                                layer: apk_first.get(v).copied(),
                            });
                        }
                        "V" => {
                            if let Some(i) = idx {
                                p.list[i].version = Some(v.to_string());
                            }
                        }
                        "F" => dir = v.to_string(),
                        "R" => {
                            if let (Some(i), Some(real)) = (idx, resolve(&format!("{dir}/{v}"))) {
                                p.owner.entry(real).or_insert(i);
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
        // pip: every visible RECORD
        let records: Vec<(&str, usize)> =
            merged.tree.iter().filter(|(k, _)| is_record(k)).map(|(k, n)| (*k, n.layer as usize)).collect();
        for (record, layer) in records {
            let Some((_, body)) = bodies.visible(merged, record) else {
                continue;
            };
            let dist_dir = record.trim_end_matches("/RECORD");
            let (site, dist) = dist_dir.rsplit_once('/').unwrap_or(("", dist_dir));
            let dist = dist.trim_end_matches(".dist-info");
            let (name, version) = dist.split_once('-').unwrap_or((dist, ""));
            let idx = p.list.len();
            p.list.push(Package {
                name: name.to_string(),
                manager: Manager::Pip,
                version: (!version.is_empty()).then(|| version.to_string()),
                layer: Some(layer),
            });
            for line in String::from_utf8_lossy(body).lines() {
                let rel = match line.strip_prefix('"') {
                    Some(q) => q.split('"').next().unwrap_or(""),
                    None => line.split(',').next().unwrap_or(""),
                };
                if rel.is_empty() {
                    continue;
                }
                if let Some(real) = resolve(&format!("{site}/{rel}")) {
                    p.owner.entry(real).or_insert(idx);
                }
            }
        }
        p
    }

    /// The package owning a (final, resolved) path.
    pub fn owner(&mut self, path: &str) -> Option<&Package> {
        if let Some(&i) = self.owner.get(path) {
            return self.list.get(i);
        }
        let name = npm_package(path)?;
        let i = match self.npm.get(name) {
            Some(&i) => i,
            None => {
                let i = self.list.len();
                self.list.push(Package { name: name.to_string(), manager: Manager::Npm, version: None, layer: None });
                self.npm.insert(name.to_string(), i);
                i
            }
        };
        self.list.get(i)
    }

    pub fn count(&self, m: Manager) -> usize {
        self.list.iter().filter(|p| p.manager == m).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npm_names() {
        assert_eq!(npm_package("app/node_modules/typescript/lib/tsc.js"), Some("typescript"));
        assert_eq!(npm_package("app/node_modules/@types/node/index.d.ts"), Some("@types/node"));
        assert_eq!(npm_package("app/node_modules/a/node_modules/b/x.js"), Some("b"));
        assert_eq!(npm_package("app/node_modules/.bin/tsc"), None);
        assert_eq!(npm_package("app/src/x.js"), None);
    }
}
