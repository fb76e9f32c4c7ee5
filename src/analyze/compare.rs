//! Two images side by side: sizes (as stored in layers and as a pull moves them), per layer, per
//! leftover category, the directories and packages that appear or disappear, and the config.

use super::contract::{self, Difference};
use super::Report;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};

#[derive(Debug, Clone, Serialize)]
pub struct Side {
    pub image: String,
    pub size_bytes: u64,
    pub final_bytes: u64,
    pub compressed_bytes: u64,
    pub wasted_bytes: u64,
    pub leftover_bytes: u64,
    pub layers: usize,
    pub efficiency: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct LayerRow {
    pub index: usize,
    pub a: Option<LayerSide>,
    pub b: Option<LayerSide>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LayerSide {
    pub digest: String,
    pub size_bytes: u64,
    pub created_by: Option<String>,
    pub line: Option<usize>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Delta {
    pub name: String,
    pub a_bytes: u64,
    pub b_bytes: u64,
    pub delta_bytes: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    pub a: Side,
    pub b: Side,
    /// b - a, of `size_bytes`.
    pub delta_bytes: i64,
    pub delta_percent: f64,
    pub delta_compressed_bytes: i64,
    pub layers: Vec<LayerRow>,
    /// Layers both images share (same diff id).
    pub shared_layers: usize,
    pub categories: Vec<Delta>,
    /// Directories whose bytes changed most (depth 3), largest change first.
    pub paths: Vec<Delta>,
    pub packages_added: Vec<String>,
    pub packages_removed: Vec<String>,
    pub config: Vec<Difference>,
}

fn side(r: &Report) -> Side {
    Side {
        image: r.image.name.clone().unwrap_or_else(|| r.image.source.clone()),
        size_bytes: r.size_bytes,
        final_bytes: r.final_bytes,
        compressed_bytes: r.compressed_bytes,
        wasted_bytes: r.wasted_bytes,
        leftover_bytes: r.leftover_bytes,
        layers: r.layers.len(),
        efficiency: r.efficiency,
    }
}

fn dir_of(path: &str, depth: usize) -> String {
    let parts: Vec<&str> = path.split('/').collect();
    if parts.len() <= 1 {
        return "/".to_string();
    }
    format!("/{}", parts[..(parts.len() - 1).min(depth)].join("/"))
}

fn deltas(a: &BTreeMap<String, u64>, b: &BTreeMap<String, u64>, top: usize) -> Vec<Delta> {
    let keys: HashSet<&String> = a.keys().chain(b.keys()).collect();
    let mut v: Vec<Delta> = keys
        .into_iter()
        .map(|k| {
            let (x, y) = (a.get(k).copied().unwrap_or(0), b.get(k).copied().unwrap_or(0));
            Delta { name: k.clone(), a_bytes: x, b_bytes: y, delta_bytes: y as i64 - x as i64 }
        })
        .filter(|d| d.delta_bytes != 0)
        .collect();
    v.sort_by(|x, y| y.delta_bytes.abs().cmp(&x.delta_bytes.abs()).then(x.name.cmp(&y.name)));
    v.truncate(top);
    v
}

/// Compare two analyses (made with `inventory` for the path and package differences).
pub fn compare(a: &Report, b: &Report, top: usize) -> Comparison {
    let (sa, sb) = (side(a), side(b));
    let delta = sb.size_bytes as i64 - sa.size_bytes as i64;
    let layer_side = |r: &Report, i: usize| {
        r.layers.get(i).map(|l| LayerSide {
            digest: l.diff_id.clone().unwrap_or_else(|| l.digest.clone()),
            size_bytes: l.size_bytes,
            created_by: l.created_by.clone(),
            line: l.line,
        })
    };
    let layers = (0..a.layers.len().max(b.layers.len()))
        .map(|i| LayerRow { index: i, a: layer_side(a, i), b: layer_side(b, i) })
        .collect();
    let ids = |r: &Report| -> HashSet<String> { r.layers.iter().filter_map(|l| l.diff_id.clone()).collect() };
    let shared_layers = ids(a).intersection(&ids(b)).count();
    let cats = |r: &Report| {
        let mut m = BTreeMap::new();
        for l in &r.leftovers {
            *m.entry(l.category.clone()).or_insert(0) += l.bytes;
        }
        m.insert("(wasted)".to_string(), r.wasted_bytes);
        m
    };
    let dirs = |r: &Report| {
        let mut m = BTreeMap::new();
        if let Some(inv) = &r.inventory {
            for (p, s) in &inv.files {
                *m.entry(dir_of(p, 3)).or_insert(0) += s;
            }
        }
        m
    };
    let pk = |r: &Report| -> HashMap<String, String> {
        r.inventory
            .as_ref()
            .map(|i| i.packages.iter().map(|p| (p.split(' ').next().unwrap_or(p).to_string(), p.clone())).collect())
            .unwrap_or_default()
    };
    let (pa, pb) = (pk(a), pk(b));
    let mut added: Vec<String> = pb.iter().filter(|(k, _)| !pa.contains_key(*k)).map(|(_, v)| v.clone()).collect();
    let mut removed: Vec<String> = pa.iter().filter(|(k, _)| !pb.contains_key(*k)).map(|(_, v)| v.clone()).collect();
    added.sort();
    removed.sort();
    Comparison {
        delta_bytes: delta,
        delta_percent: if sa.size_bytes == 0 { 0.0 } else { 100.0 * delta as f64 / sa.size_bytes as f64 },
        delta_compressed_bytes: sb.compressed_bytes as i64 - sa.compressed_bytes as i64,
        a: sa,
        b: sb,
        layers,
        shared_layers,
        categories: deltas(&cats(a), &cats(b), 20),
        paths: deltas(&dirs(a), &dirs(b), top),
        packages_added: added,
        packages_removed: removed,
        config: {
            let mut own = contract::Own::default();
            for e in a.config.env.iter().chain(&b.config.env) {
                let k = e.split('=').next().unwrap_or(e).to_string();
                if !own.env.contains(&k) {
                    own.env.push(k);
                }
            }
            own.labels = a
                .config
                .labels
                .keys()
                .chain(b.config.labels.keys())
                .cloned()
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            contract::compare(&a.config, &b.config, &own, &[])
        },
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn directories() {
        assert_eq!(super::dir_of("usr/lib/gcc/x86_64-linux-gnu/12/cc1", 3), "/usr/lib/gcc");
        assert_eq!(super::dir_of("app.py", 3), "/");
        assert_eq!(super::dir_of("app/main.py", 3), "/app");
    }
}
