//! Image analysis: read every layer (in parallel, headers only where the source allows), stack them
//! into the final tree, account for every byte, find build-time leftovers and the packages and
//! Dockerfile lines behind them.

pub mod base;
pub mod catalog;
pub mod compare;
pub mod contract;
pub mod dockerfile;
pub mod gate;
pub mod history;
pub mod packages;
pub mod tree;

use crate::dockerfile::model::expand::{Platform, Scope};
use crate::dockerfile::model::Model;
use crate::dockerfile::Dockerfile;
use crate::image::{Image, ImageError};
use crate::layer::merge::{merge, MergeError, Merged, WastedPath};
use crate::layer::read::{read_layer, LayerIndex, ReadOptions};
use crate::layer::tar::{Entry, Kind};
use catalog::Catalog;
use packages::{Manager, Packages};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use tree::NO_CATEGORY;

#[derive(Debug, thiserror::Error)]
pub enum AnalyzeError {
    #[error(transparent)]
    Image(#[from] ImageError),
    #[error(transparent)]
    Merge(#[from] MergeError),
    #[error("Dockerfile: {0}")]
    Dockerfile(String),
}

/// Progress of layer reading: layers done, layers in all, stored bytes done, stored bytes in all.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    pub layers_done: usize,
    pub layers: usize,
    pub bytes_done: u64,
    pub bytes: u64,
}

#[derive(Default, Clone, Copy)]
pub struct AnalyzeOptions<'a> {
    /// Read every byte and check every digest.
    pub verify: bool,
    /// The Dockerfile the image was built from, to map layers to lines.
    pub dockerfile: Option<(&'a Dockerfile, &'a Model)>,
    /// The stage that was built (name or index); default the last.
    pub target: Option<&'a str>,
    pub progress: Option<&'a (dyn Fn(Progress) + Sync)>,
    /// Worker threads (0: one per core).
    pub threads: usize,
    /// Keep the final file list and the package list (for comparisons).
    pub inventory: bool,
    /// Rows of `largest_files` and `largest_dirs` (0: 10).
    pub top: usize,
    /// Per-layer file lists in `changes.files`, at most this many per layer, largest first.
    pub layer_files: Option<usize>,
    /// Which file trees to keep in the report.
    pub trees: Trees,
}

/// File trees the report keeps (for `--tree`, the HTML report and the explorer).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum Trees {
    #[default]
    None,
    /// The final file system.
    Final,
    /// The final file system and what layer N changed.
    Layer(usize),
    /// The final file system and every layer's changes.
    All,
}

/// What the final image holds: every regular file with its size, and every package.
#[derive(Debug, Clone, Default)]
pub struct Inventory {
    pub files: Vec<(String, u64)>,
    /// `name version` labels (`pip:` / `npm:` prefixed for language packages).
    pub packages: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ImageInfo {
    pub source: String,
    pub name: Option<String>,
    pub platform: String,
    pub config_digest: String,
    pub manifest_digest: Option<String>,
    /// How the source was read, where that is a choice (`docker-daemon`: the engine's store in
    /// place, or its export).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LayerReport {
    pub index: usize,
    pub digest: String,
    pub diff_id: Option<String>,
    pub media_type: String,
    pub compressed_bytes: u64,
    pub size_bytes: u64,
    pub entries: u64,
    pub whiteouts: u64,
    pub created_by: Option<String>,
    pub wasted_bytes: u64,
    /// The Dockerfile line of the instruction that made the layer (with `--dockerfile`).
    pub line: Option<usize>,
    pub instruction: Option<String>,
    /// What the layer added, modified and removed.
    pub changes: tree::LayerChanges,
}

/// One of the largest files of the final image.
#[derive(Debug, Clone, Serialize)]
pub struct LargeFile {
    pub path: String,
    pub size_bytes: u64,
    /// The layer the visible copy comes from.
    pub layer: usize,
    pub package: Option<String>,
    /// Its leftover category, when it is one.
    pub category: Option<String>,
}

/// One of the largest directories of the final image (bytes of everything below it).
#[derive(Debug, Clone, Serialize)]
pub struct LargeDir {
    pub path: String,
    pub size_bytes: u64,
    pub files: u64,
    /// The layer, package and leftover category holding most of its bytes.
    pub layer: usize,
    pub package: Option<String>,
    pub category: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Leftover {
    pub category: String,
    pub bytes: u64,
    pub files: u64,
    /// Index in `layers` (base first, from 0).
    pub layer: usize,
    pub created_by: Option<String>,
    /// Packages owning the files, most bytes first.
    pub packages: Vec<String>,
    /// Largest files first.
    pub sample_paths: Vec<String>,
    pub line: Option<usize>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LineReport {
    pub line: usize,
    pub end_line: usize,
    pub instruction: String,
    pub layer: usize,
    pub bytes_added: u64,
    pub bytes_wasted: u64,
    pub leftover_bytes: u64,
    pub leftovers: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ConfigFacts {
    pub platform: String,
    pub user: Option<String>,
    pub entrypoint: Option<Vec<String>>,
    pub cmd: Option<Vec<String>>,
    pub env: Vec<String>,
    pub exposed_ports: Vec<String>,
    pub workdir: Option<String>,
    pub labels: BTreeMap<String, String>,
    pub volumes: Vec<String>,
    pub stop_signal: Option<String>,
    pub healthcheck: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct PackageCounts {
    pub dpkg: usize,
    pub apk: usize,
    pub pip: usize,
    pub npm: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub image: ImageInfo,
    /// Regular-file bytes stored by all layers.
    pub size_bytes: u64,
    /// Regular-file bytes visible in the final file system.
    pub final_bytes: u64,
    /// `size_bytes - final_bytes`: copies overwritten or deleted by later layers.
    pub wasted_bytes: u64,
    pub wasted_percent: f64,
    /// Layer blobs as stored (what a pull of this encoding moves).
    pub compressed_bytes: u64,
    /// What a pull from a registry moves: the blobs as stored when they are compressed; for
    /// layers kept uncompressed (a docker-archive, the Docker engine, containers-storage) an
    /// estimate of their gzip blobs (`pull_bytes_estimated`).
    pub pull_bytes: u64,
    pub pull_bytes_estimated: bool,
    /// dive's efficiency score, with deletions done right.
    pub efficiency: f64,
    /// Waste stored by layers the Dockerfile made (with `--dockerfile`).
    pub user_wasted_bytes: Option<u64>,
    pub layers: Vec<LayerReport>,
    pub config: ConfigFacts,
    pub leftover_bytes: u64,
    pub leftovers: Vec<Leftover>,
    pub wasted_paths: Vec<WastedPath>,
    /// Largest first.
    pub largest_files: Vec<LargeFile>,
    /// Largest first (the root left out).
    pub largest_dirs: Vec<LargeDir>,
    pub packages: PackageCounts,
    pub lines: Vec<LineReport>,
    pub warnings: Vec<String>,
    /// With `AnalyzeOptions::inventory`.
    #[serde(skip)]
    pub inventory: Option<Inventory>,
    /// The final file system (with `AnalyzeOptions::trees`).
    #[serde(skip)]
    pub tree: Option<tree::FileTree>,
    /// What each layer changed, as a tree (`Trees::Layer` keeps one, `Trees::All` every one).
    #[serde(skip)]
    pub layer_trees: Vec<Option<tree::FileTree>>,
}

/// The leftover category of an entry's path, computed while reading (in each layer's thread).
fn tag_entry(e: &Entry) -> u8 {
    match e.kind {
        Kind::File => Catalog::builtin().classify_path(&e.path).map_or(NO_CATEGORY, |c| c as u8),
        _ => NO_CATEGORY,
    }
}

/// How the analysis reads a layer: the package databases captured, each path classified, the
/// pull size estimated for layers kept uncompressed.
pub fn read_options(verify: bool) -> ReadOptions<'static> {
    ReadOptions { verify, capture: &packages::capture, tag: Some(&tag_entry), estimate_pull: true }
}

/// Read every layer, largest first, on `threads` workers.
pub fn read_layers(image: &Image, opts: &AnalyzeOptions) -> Result<Vec<LayerIndex>, ImageError> {
    let n = image.layers.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(image.layers[i].size));
    let threads = match opts.threads {
        0 => std::thread::available_parallelism().map_or(2, |p| p.get()),
        t => t,
    }
    .min(n.max(1));
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let done = Mutex::new((0usize, 0u64));
    let total_bytes: u64 = image.layers.iter().map(|l| l.size).sum();
    let results: Vec<Mutex<Option<Result<LayerIndex, ImageError>>>> = (0..n).map(|_| Mutex::new(None)).collect();
    let read_opts = read_options(opts.verify);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| loop {
                let k = next.fetch_add(1, Ordering::Relaxed);
                if k >= n || failed.load(Ordering::Relaxed) {
                    break;
                }
                let li = order[k];
                let r = read_layer(&image.layers[li], read_opts);
                if r.is_err() {
                    failed.store(true, Ordering::Relaxed);
                }
                *results[li].lock().unwrap_or_else(|e| e.into_inner()) = Some(r);
                let mut d = done.lock().unwrap_or_else(|e| e.into_inner());
                d.0 += 1;
                d.1 += image.layers[li].size;
                if let Some(p) = opts.progress {
                    p(Progress { layers_done: d.0, layers: n, bytes_done: d.1, bytes: total_bytes });
                }
            });
        }
    });
    let mut out = Vec::with_capacity(n);
    let mut first_err = None;
    for r in results {
        match r.into_inner().unwrap_or_else(|e| e.into_inner()) {
            Some(Ok(idx)) => out.push(idx),
            Some(Err(e)) => {
                first_err.get_or_insert(e);
            }
            None => {}
        }
    }
    match first_err {
        Some(e) => Err(e),
        None => Ok(out),
    }
}

pub fn config_facts(image: &Image) -> ConfigFacts {
    let mut f = ConfigFacts { platform: image.platform(), ..Default::default() };
    if let Some(c) = image.config.config() {
        f.user = c.user().clone().filter(|u| !u.is_empty());
        f.entrypoint = c.entrypoint().clone();
        f.cmd = c.cmd().clone();
        f.env = c.env().clone().unwrap_or_default();
        f.exposed_ports = c.exposed_ports().clone().unwrap_or_default();
        f.workdir = c.working_dir().clone().filter(|w| !w.is_empty());
        f.labels = c.labels().clone().unwrap_or_default().into_iter().collect();
        f.volumes = c.volumes().clone().unwrap_or_default();
        f.stop_signal = c.stop_signal().clone();
    }
    f.healthcheck = image.config_extra.get("Healthcheck").cloned().filter(|v| !v.is_null());
    f
}

/// History entries in order, and for each layer the index of the history entry that made it.
fn history(image: &Image) -> (Vec<history::Step>, Vec<Option<usize>>) {
    let hist = image.config.history().clone().unwrap_or_default();
    let steps = hist.iter().map(|h| history::history_step(h.created_by().as_deref().unwrap_or(""))).collect();
    let mut layer_hist: Vec<Option<usize>> =
        hist.iter().enumerate().filter(|(_, h)| !h.empty_layer().unwrap_or(false)).map(|(i, _)| Some(i)).collect();
    let n = image.layers.len();
    if layer_hist.len() > n {
        layer_hist.drain(..layer_hist.len() - n);
    }
    while layer_hist.len() < n {
        layer_hist.insert(0, None);
    }
    (steps, layer_hist)
}

/// For each layer, the instruction (index among the file's instructions) that made it.
fn layer_instructions(image: &Image, opts: &AnalyzeOptions) -> Result<Vec<Option<usize>>, AnalyzeError> {
    let Some((df, model)) = opts.dockerfile else {
        return Ok(vec![None; image.layers.len()]);
    };
    if model.stages.is_empty() {
        return Err(AnalyzeError::Dockerfile("no stages".into()));
    }
    let stage = match opts.target {
        None => model.stages.len() - 1,
        Some(t) => model
            .stage_ref(t, model.stages.len())
            .ok_or_else(|| AnalyzeError::Dockerfile(format!("no stage named {t:?}")))?,
    };
    let platform = Platform::parse(&image.platform()).unwrap_or_else(Platform::host);
    let scope =
        Scope::new(model, df.escape, &Default::default(), &platform).map_err(|e| AnalyzeError::Dockerfile(e.0))?;
    let (steps, layer_hist) = history(image);
    let aligned = history::align(df, model, &scope, stage, &steps);
    Ok(layer_hist.into_iter().map(|h| h.and_then(|h| aligned[h])).collect())
}

struct Group {
    bytes: u64,
    files: u64,
    packages: HashMap<String, u64>,
    samples: Vec<(u64, String)>,
}

/// Leftovers grouped by (category, layer), and the category of every path of the final tree (in
/// its order; `tree::NO_CATEGORY` for none).
fn leftovers(
    layers: &[LayerIndex],
    merged: &Merged,
    pkgs: &mut Packages,
) -> (BTreeMap<(usize, usize), Group>, Vec<u8>) {
    let catalog = Catalog::builtin();
    let mut groups: BTreeMap<(usize, usize), Group> = BTreeMap::new();
    let mut categories = Vec::with_capacity(merged.tree.len());
    for (path, node) in &merged.tree {
        let e = merged.entry(layers, node);
        categories.push(NO_CATEGORY);
        if e.kind != Kind::File {
            continue;
        }
        let owner = pkgs.owner(path).cloned();
        let by_path = layers[node.layer as usize].tags.get(node.entry as usize).copied().unwrap_or(NO_CATEGORY);
        let cat = if by_path != NO_CATEGORY {
            Some(by_path as usize)
        } else {
            owner
                .as_ref()
                .filter(|p| matches!(p.manager, Manager::Dpkg | Manager::Apk))
                .and_then(|p| catalog.classify_package(path, &p.name))
        };
        let Some(cat) = cat else {
            continue;
        };
        if let Some(c) = categories.last_mut() {
            *c = cat as u8;
        }
        let g = groups.entry((cat, node.layer as usize)).or_insert_with(|| Group {
            bytes: 0,
            files: 0,
            packages: HashMap::new(),
            samples: Vec::new(),
        });
        g.bytes += e.size;
        g.files += 1;
        if let Some(p) = owner {
            *g.packages.entry(p.label()).or_default() += e.size;
        }
        g.samples.push((e.size, format!("/{path}")));
        if g.samples.len() > 32 {
            g.samples.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
            g.samples.truncate(5);
        }
    }
    (groups, categories)
}

/// The largest files and directories of the final image, `top` of each.
fn largest(
    layers: &[LayerIndex],
    merged: &Merged,
    categories: &[u8],
    final_tree: &tree::FileTree,
    pkgs: &mut Packages,
    top: usize,
) -> (Vec<LargeFile>, Vec<LargeDir>) {
    let catalog = Catalog::builtin();
    let category = |c: u8| catalog.names.get(c as usize).cloned();
    let mut files: Vec<(u64, &str, u32, u8)> = merged
        .tree
        .iter()
        .zip(categories)
        .filter_map(|((p, n), &c)| {
            let e = merged.entry(layers, n);
            (e.kind == Kind::File).then_some((e.size, *p, n.layer, c))
        })
        .collect();
    let by_size = |a: &(u64, &str, u32, u8), b: &(u64, &str, u32, u8)| b.0.cmp(&a.0).then_with(|| a.1.cmp(b.1));
    if files.len() > top {
        files.select_nth_unstable_by(top, by_size);
        files.truncate(top);
    }
    files.sort_by(by_size);
    let largest_files = files
        .into_iter()
        .map(|(size, path, layer, c)| LargeFile {
            path: format!("/{path}"),
            size_bytes: size,
            layer: layer as usize,
            package: pkgs.owner(path).map(|p| p.label()),
            category: category(c),
        })
        .collect();
    let mut dirs: Vec<u32> = (1..final_tree.nodes.len() as u32)
        .filter(|&i| final_tree.nodes[i as usize].kind == Kind::Dir && final_tree.nodes[i as usize].bytes > 0)
        .collect();
    let dir_order = |a: &u32, b: &u32| {
        let (x, y) = (&final_tree.nodes[*a as usize], &final_tree.nodes[*b as usize]);
        y.bytes.cmp(&x.bytes).then_with(|| a.cmp(b))
    };
    if dirs.len() > top {
        dirs.select_nth_unstable_by(top, dir_order);
        dirs.truncate(top);
    }
    dirs.sort_by(dir_order);
    // one pass over the final files: each adds its bytes, by layer, package and category, to the
    // top directories it lies under
    let prefixes: Vec<String> =
        dirs.iter().map(|&d| format!("{}/", final_tree.path(d).trim_start_matches('/'))).collect();
    type Tally = (HashMap<usize, u64>, HashMap<String, u64>, HashMap<u8, u64>);
    let mut tallies: Vec<Tally> = dirs.iter().map(|_| Default::default()).collect();
    for ((path, n), &c) in merged.tree.iter().zip(categories) {
        let e = merged.entry(layers, n);
        if e.kind != Kind::File || e.size == 0 {
            continue;
        }
        let under: Vec<usize> = (0..prefixes.len()).filter(|&k| path.starts_with(prefixes[k].as_str())).collect();
        if under.is_empty() {
            continue;
        }
        let owner = pkgs.owner(path).map(|p| p.label());
        for k in under {
            let t = &mut tallies[k];
            *t.0.entry(n.layer as usize).or_default() += e.size;
            if let Some(o) = &owner {
                *t.1.entry(o.clone()).or_default() += e.size;
            }
            if c != NO_CATEGORY {
                *t.2.entry(c).or_default() += e.size;
            }
        }
    }
    fn most<K: Ord + Clone>(m: &HashMap<K, u64>) -> Option<K> {
        m.iter().max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0))).map(|(k, _)| k.clone())
    }
    let largest_dirs = dirs
        .iter()
        .zip(&tallies)
        .map(|(&d, (by_layer, by_pkg, by_cat))| {
            let n = &final_tree.nodes[d as usize];
            LargeDir {
                path: final_tree.path(d),
                size_bytes: n.bytes,
                files: n.files,
                layer: most(by_layer).unwrap_or(n.layer as usize),
                package: most(by_pkg),
                category: most(by_cat).and_then(category),
            }
        })
        .collect();
    (largest_files, largest_dirs)
}

/// Phase timings on stderr when `IMGSLIM_TIMING` is set (for profiling).
struct Timer(Option<std::time::Instant>);

impl Timer {
    fn new() -> Self {
        Timer(std::env::var_os("IMGSLIM_TIMING").map(|_| std::time::Instant::now()))
    }
    fn lap(&mut self, what: &str) {
        if let Some(t) = self.0 {
            eprintln!("{what:>10}: {:.3} s", t.elapsed().as_secs_f64());
            self.0 = Some(std::time::Instant::now());
        }
    }
}

pub fn analyze(image: &Image, opts: &AnalyzeOptions) -> Result<Report, AnalyzeError> {
    let mut timer = Timer::new();
    let layers = read_layers(image, opts)?;
    timer.lap("read");
    analyze_read(image, layers, opts, timer)
}

/// Analyze an image whose layers were indexed as it streamed (`layers[i]` is `image.layers[i]`).
pub fn analyze_streamed(s: crate::layer::stream::Streamed, opts: &AnalyzeOptions) -> Result<Report, AnalyzeError> {
    analyze_read(&s.image, s.layers, opts, Timer::new())
}

fn analyze_read(
    image: &Image,
    layers: Vec<LayerIndex>,
    opts: &AnalyzeOptions,
    mut timer: Timer,
) -> Result<Report, AnalyzeError> {
    let merged = merge(&layers)?;
    timer.lap("merge");
    let mut pkgs = Packages::collect(&layers, &merged);
    timer.lap("packages");
    let (groups, categories) = leftovers(&layers, &merged, &mut pkgs);
    timer.lap("leftovers");
    let final_tree = tree::final_tree(&layers, &merged, &categories);
    let top = if opts.top == 0 { 10 } else { opts.top };
    let (largest_files, largest_dirs) = largest(&layers, &merged, &categories, &final_tree, &mut pkgs, top);
    let layer_trees: Vec<Option<tree::FileTree>> = (0..layers.len())
        .map(|l| match opts.trees {
            Trees::All => Some(tree::layer_tree(&layers, &merged, l)),
            Trees::Layer(n) if n == l => Some(tree::layer_tree(&layers, &merged, l)),
            _ => None,
        })
        .collect();
    timer.lap("trees");
    let made_by = layer_instructions(image, opts)?;
    let created: Vec<Option<String>> = image.layer_history();
    let instructions: Vec<&crate::dockerfile::Instruction> =
        opts.dockerfile.map(|(df, _)| df.instructions().collect()).unwrap_or_default();
    // layers below the first one the Dockerfile made come from the base image: its FROM line
    let first_made = made_by.iter().position(Option::is_some);
    let from_ins = opts.dockerfile.and_then(|(_, m)| {
        let stage = match opts.target {
            None => m.stages.last(),
            Some(t) => m.stage_ref(t, m.stages.len()).and_then(|i| m.stages.get(i)),
        }?;
        Some(stage.instruction)
    });
    let base_layer = |layer: usize| first_made.is_some_and(|f| layer < f) && made_by[layer].is_none();
    let line_of = |layer: usize| match made_by[layer] {
        Some(i) => Some(instructions[i].start_line),
        None if base_layer(layer) => from_ins.map(|i| instructions[i].start_line),
        None => None,
    };
    let catalog = Catalog::builtin();

    let layer_reports: Vec<LayerReport> = image
        .layers
        .iter()
        .zip(&layers)
        .enumerate()
        .map(|(i, (l, idx))| LayerReport {
            index: i,
            digest: if l.digest.is_empty() { idx.blob_digest.clone().unwrap_or_default() } else { l.digest.clone() },
            diff_id: l.diff_id.clone(),
            media_type: l.media_type.clone(),
            compressed_bytes: l.size,
            size_bytes: merged.layers[i].size_bytes,
            entries: merged.layers[i].entries,
            whiteouts: merged.layers[i].whiteouts,
            created_by: created[i].clone(),
            wasted_bytes: merged.layers[i].wasted_bytes,
            line: line_of(i),
            instruction: match made_by[i] {
                Some(k) => Some(first_line(&instructions[k].original)),
                None if base_layer(i) => {
                    from_ins.map(|k| format!("{} (base image)", first_line(&instructions[k].original)))
                }
                None => None,
            },
            changes: tree::layer_changes(&layers, &merged, i, opts.layer_files),
        })
        .collect();

    let mut left: Vec<Leftover> = groups
        .into_iter()
        .map(|((cat, layer), mut g)| {
            g.samples.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
            let mut pk: Vec<(String, u64)> = g.packages.into_iter().collect();
            pk.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            Leftover {
                category: catalog.names[cat].clone(),
                bytes: g.bytes,
                files: g.files,
                layer,
                created_by: created[layer].clone(),
                packages: pk.into_iter().map(|(p, _)| p).take(20).collect(),
                sample_paths: g.samples.into_iter().take(5).map(|(_, p)| p).collect(),
                line: line_of(layer),
            }
        })
        .collect();
    left.sort_by(|a, b| b.bytes.cmp(&a.bytes).then_with(|| a.layer.cmp(&b.layer)));

    let lines: Vec<LineReport> = layer_reports
        .iter()
        .filter_map(|l| {
            let k = made_by[l.index]?;
            let ins = instructions[k];
            let mine: Vec<&Leftover> = left.iter().filter(|x| x.layer == l.index).collect();
            Some(LineReport {
                line: ins.start_line,
                end_line: ins.end_line,
                instruction: first_line(&ins.original),
                layer: l.index,
                bytes_added: l.size_bytes,
                bytes_wasted: l.wasted_bytes,
                leftover_bytes: mine.iter().map(|x| x.bytes).sum(),
                leftovers: mine.iter().map(|x| x.category.clone()).collect(),
            })
        })
        .collect();

    let inventory = opts.inventory.then(|| Inventory {
        files: merged
            .tree
            .iter()
            .filter(|(_, n)| n.inode.is_some())
            .map(|(p, n)| (p.to_string(), merged.entry(&layers, n).size))
            .collect(),
        packages: pkgs
            .list
            .iter()
            .map(|p| match &p.version {
                Some(v) => format!("{} {v}", p.label()),
                None => p.label(),
            })
            .collect(),
    });
    let user_wasted_bytes = opts
        .dockerfile
        .map(|_| layer_reports.iter().filter(|l| made_by[l.index].is_some()).map(|l| l.wasted_bytes).sum());
    let mut warnings = merged.warnings.clone();
    let refused: u32 = layers.iter().map(|l| l.captured.refused).sum();
    if refused > 0 {
        warnings.push(format!(
            "package databases larger than {} MiB in all: {refused} files not read, package attribution is incomplete",
            crate::limits::MAX_CAPTURED_BYTES >> 20
        ));
    }
    if opts.dockerfile.is_some() && lines.is_empty() {
        warnings.push("no layer matched an instruction of the Dockerfile; was the image built from it?".into());
    }
    Ok(Report {
        image: ImageInfo {
            source: image.source.to_string(),
            name: image.name.clone(),
            platform: image.platform(),
            config_digest: image.config_digest.clone(),
            manifest_digest: image.manifest_digest.clone(),
            via: image.via.clone(),
        },
        size_bytes: merged.size_bytes,
        final_bytes: merged.final_bytes,
        wasted_bytes: merged.wasted_bytes,
        wasted_percent: if merged.size_bytes == 0 {
            0.0
        } else {
            100.0 * merged.wasted_bytes as f64 / merged.size_bytes as f64
        },
        compressed_bytes: image.layers.iter().map(|l| l.size).sum(),
        pull_bytes: image.layers.iter().zip(&layers).map(|(l, i)| i.pull_estimate.unwrap_or(l.size)).sum(),
        pull_bytes_estimated: layers.iter().any(|i| i.pull_estimate.is_some()),
        efficiency: merged.efficiency,
        user_wasted_bytes,
        layers: layer_reports,
        config: config_facts(image),
        leftover_bytes: left.iter().map(|l| l.bytes).sum(),
        leftovers: left,
        wasted_paths: merged.wasted_paths.iter().take(20).cloned().collect(),
        largest_files,
        largest_dirs,
        packages: PackageCounts {
            dpkg: pkgs.count(Manager::Dpkg),
            apk: pkgs.count(Manager::Apk),
            pip: pkgs.count(Manager::Pip),
            npm: pkgs.count(Manager::Npm),
        },
        lines,
        warnings,
        inventory,
        tree: (opts.trees != Trees::None).then_some(final_tree),
        layer_trees,
    })
}

fn first_line(s: &str) -> String {
    let s = s.trim();
    if s.chars().count() > 100 {
        format!("{}...", s.chars().take(97).collect::<String>())
    } else {
        s.to_string()
    }
}
