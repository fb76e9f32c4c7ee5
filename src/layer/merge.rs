//! Stacking layers into the final file system, with exact byte accounting.
//!
//! Rules (OCI image spec, as overlayfs applies them):
//! - `.wh.NAME` deletes NAME (and everything below it) from lower layers.
//! - `.wh..wh..opq` in DIR hides everything lower layers put below DIR; the layer's own entries
//!   stay. Deletions and opaque markers are collected per layer and applied after it.
//! - A non-directory replacing a directory hides the directory's lower contents.
//! - A bare `.wh.` is invalid, not a delete.
//! - A regular file's bytes are counted once per copy stored; hard links share their target's
//!   bytes (one inode); symlinks and directories hold no file bytes.
//!
//! `size_bytes` = bytes every layer stores; `final_bytes` = bytes of the inodes the final tree can
//! reach; `wasted_bytes` = the difference: copies overwritten or deleted later. The kept copy is
//! never waste.

use super::read::LayerIndex;
use super::tar::{Entry, Kind};
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::Bound;

/// FxHash (the multiply-rotate hash rustc uses): far cheaper than SipHash for path keys, and
/// the keys here come from the image, so there is no untrusted-key flooding concern beyond
/// one analysis.
#[derive(Default, Clone, Copy)]
pub struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let v = u64::from_le_bytes(c.try_into().unwrap_or_default());
            self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.0 = (self.0.rotate_left(5) ^ u64::from(i)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

pub type FxBuild = BuildHasherDefault<FxHasher>;

/// (layer index, entry index): identifies a stored regular file.
pub type Inode = (u32, u32);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Node {
    pub layer: u32,
    pub entry: u32,
    /// For regular files and hard links: the stored file whose bytes they are.
    pub inode: Option<Inode>,
    /// Copies of this path so far (for efficiency and wasted-path reports).
    stat: PathStat,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct LayerStats {
    pub entries: u64,
    pub whiteouts: u64,
    /// Regular-file bytes this layer stores.
    pub size_bytes: u64,
    /// Bytes this layer stores that a later layer hides.
    pub wasted_bytes: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct WastedPath {
    pub path: String,
    pub bytes: u64,
    /// Copies stored, the kept one included.
    pub copies: u32,
    /// Whether the path is gone from the final image (deleted), rather than overwritten.
    pub deleted: bool,
}

/// What an entry of a layer did to the file system below it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    /// A path no lower layer had.
    Added,
    /// A path a lower layer had, written again (content, mode or owner).
    Modified,
    /// A lower layer's path hidden by a whiteout, an opaque directory or a file in place of a
    /// directory.
    Removed,
}

impl Change {
    /// The marker `tree` and dive use.
    pub fn marker(self) -> char {
        match self {
            Change::Added => '+',
            Change::Modified => '~',
            Change::Removed => '-',
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("layer {layer}: {detail}")]
pub struct MergeError {
    pub layer: usize,
    pub detail: String,
}

/// The final file system and the accounting; paths borrow from the layer indexes.
#[derive(Debug, Default)]
pub struct Merged<'a> {
    pub layers: Vec<LayerStats>,
    /// Every visible path.
    pub tree: BTreeMap<&'a str, Node>,
    pub size_bytes: u64,
    pub final_bytes: u64,
    pub wasted_bytes: u64,
    /// dive's efficiency score (sum of each path's smallest copy over the sum of all copies,
    /// deletions counting as a copy of 0 bytes), with deletions done right.
    pub efficiency: f64,
    /// Paths with wasted copies, largest waste first.
    pub wasted_paths: Vec<WastedPath>,
    pub warnings: Vec<String>,
    /// Per layer, per entry: added or modified (None for whiteouts and for directories a lower
    /// layer already had).
    pub changes: Vec<Vec<Option<Change>>>,
    /// Per layer: the non-directory paths of lower layers it removed, with their file bytes.
    pub removed: Vec<Vec<(&'a str, Kind, u64)>>,
}

/// Sizes of every copy a path has had: their sum, the smallest, how many. A deletion counts as a
/// copy of 0 bytes (dive's definition).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct PathStat {
    cum: u64,
    min: u64,
    copies: u32,
}

impl PathStat {
    fn with(self, size: u64) -> PathStat {
        PathStat {
            cum: self.cum + size,
            min: if self.copies == 0 { size } else { self.min.min(size) },
            copies: self.copies + 1,
        }
    }
}

fn split(path: &str) -> (&str, &str) {
    match path.rfind('/') {
        Some(i) => (&path[..i], &path[i + 1..]),
        None => ("", path),
    }
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

struct Stack<'a> {
    layers: &'a [LayerIndex],
    tree: BTreeMap<&'a str, Node>,
    /// Copy statistics of paths no longer in the tree.
    gone: HashMap<&'a str, PathStat, FxBuild>,
    warnings: Vec<String>,
    /// What the layer being stacked removed.
    removed: Vec<(&'a str, Kind, u64)>,
}

impl<'a> Stack<'a> {
    fn entry(&self, n: &Node) -> &'a Entry {
        &self.layers[n.layer as usize].entries[n.entry as usize]
    }

    /// Remove `path` (if `with_self`) and everything below it that came from layers before `layer`.
    fn remove_lower(&mut self, path: &str, layer: u32, with_self: bool) {
        let mut doomed: Vec<&'a str> = Vec::new();
        if with_self {
            if let Some((k, n)) = self.tree.get_key_value(path) {
                if n.layer < layer {
                    doomed.push(k);
                }
            }
        }
        let prefix = if path.is_empty() { String::new() } else { format!("{path}/") };
        doomed.extend(
            self.tree
                .range::<str, _>((Bound::Included(prefix.as_str()), Bound::Unbounded))
                .take_while(|(k, _)| k.starts_with(&prefix))
                .filter(|(_, n)| n.layer < layer)
                .map(|(k, _)| *k),
        );
        for k in doomed {
            if let Some(n) = self.tree.remove(k) {
                let e = self.entry(&n);
                if e.kind != Kind::Dir {
                    self.removed.push((k, e.kind, e.size));
                }
                let stat = if self.entry(&n).kind == Kind::File { n.stat.with(0) } else { n.stat };
                if stat.copies > 0 {
                    self.gone.insert(k, stat);
                }
            }
        }
    }

    /// Put entry `i` of layer `l` in the tree; what it did to the tree below.
    /// `changes`: the layer's changes so far (a path written twice in one layer keeps what its
    /// first entry did, on the entry that wins).
    fn add(&mut self, l: u32, i: u32, changes: &mut [Option<Change>]) -> Result<Option<Change>, MergeError> {
        let e: &'a Entry = &self.layers[l as usize].entries[i as usize];
        let (_, base) = split(&e.path);
        if base == ".wh." {
            return Err(MergeError {
                layer: l as usize,
                detail: format!("invalid whiteout {:?} (a bare .wh.)", e.path),
            });
        }
        if e.path.is_empty() || base.starts_with(".wh.") {
            return Ok(None);
        }
        let path = e.path.as_str();
        let inode = match e.kind {
            Kind::File => Some((l, i)),
            Kind::Hardlink => {
                let target = e.link.as_deref().unwrap_or_default();
                let found = self.tree.get(target).and_then(|n| n.inode);
                if found.is_none() {
                    self.warnings.push(format!("layer {l}: hard link {path} -> {target}: target not found"));
                }
                found
            }
            _ => None,
        };
        let mut stat = PathStat::default();
        let mut change = Some(Change::Added);
        if let Some(old) = self.tree.get(path).copied() {
            let lower = self.entry(&old);
            change = match (lower.kind, e.kind) {
                _ if old.layer == l => changes.get_mut(old.entry as usize).and_then(Option::take),
                (Kind::Dir, Kind::Dir) => None,
                _ => Some(Change::Modified),
            };
            if old.layer == l {
                self.warnings.push(format!("layer {l}: {path} appears twice; the later entry wins"));
            }
            if self.entry(&old).kind == Kind::Dir && e.kind != Kind::Dir {
                self.remove_lower(path, l, false);
            }
            stat = old.stat;
        } else if !self.gone.is_empty() {
            stat = self.gone.remove(path).unwrap_or_default();
        }
        if e.kind == Kind::File {
            stat = stat.with(e.size);
        }
        self.tree.insert(path, Node { layer: l, entry: i, inode, stat });
        Ok(change)
    }
}

/// Stack layers (base first) into the final tree.
pub fn merge(layers: &[LayerIndex]) -> Result<Merged<'_>, MergeError> {
    let mut st =
        Stack { layers, tree: BTreeMap::new(), gone: HashMap::default(), warnings: Vec::new(), removed: Vec::new() };
    let mut out = Merged::default();
    for (l, layer) in layers.iter().enumerate() {
        let l32 = l as u32;
        let mut stats = LayerStats { entries: layer.entries.len() as u64, ..Default::default() };
        let mut deletes = Vec::new();
        let mut opaque = Vec::new();
        let mut changes = vec![None; layer.entries.len()];
        for (i, e) in layer.entries.iter().enumerate() {
            if e.kind == Kind::File {
                stats.size_bytes += e.size;
            }
            let (dir, base) = split(&e.path);
            if base == ".wh..wh..opq" {
                opaque.push(dir.to_string());
                stats.whiteouts += 1;
            } else if base.starts_with(".wh..wh.") {
                // other aufs metadata: not a delete
            } else if let Some(name) = base.strip_prefix(".wh.").filter(|n| !n.is_empty()) {
                deletes.push(join(dir, name));
                stats.whiteouts += 1;
            } else {
                changes[i] = st.add(l32, i as u32, &mut changes)?;
            }
        }
        for t in deletes {
            st.remove_lower(&t, l32, true);
        }
        for d in opaque {
            st.remove_lower(&d, l32, false);
        }
        out.layers.push(stats);
        out.changes.push(changes);
        out.removed.push(std::mem::take(&mut st.removed));
    }

    // inodes the final tree reaches, as one flag per stored entry
    let mut reachable: Vec<Vec<bool>> = layers.iter().map(|l| vec![false; l.entries.len()]).collect();
    for n in st.tree.values() {
        if let Some((l, i)) = n.inode {
            if !std::mem::replace(&mut reachable[l as usize][i as usize], true) {
                out.final_bytes += layers[l as usize].entries[i as usize].size;
            }
        }
    }
    let mut wasted_by_path: HashMap<&str, u64, FxBuild> = HashMap::default();
    for (l, layer) in layers.iter().enumerate() {
        for (i, e) in layer.entries.iter().enumerate() {
            if e.kind == Kind::File && !reachable[l][i] {
                out.layers[l].wasted_bytes += e.size;
                *wasted_by_path.entry(e.path.as_str()).or_default() += e.size;
            }
        }
    }
    out.size_bytes = out.layers.iter().map(|s| s.size_bytes).sum();
    out.wasted_bytes = out.size_bytes - out.final_bytes;
    let (mut min_sum, mut cum_sum) = (0u128, 0u128);
    for stat in st.tree.values().map(|n| &n.stat).chain(st.gone.values()).filter(|s| s.copies > 0) {
        min_sum += u128::from(stat.min);
        cum_sum += u128::from(stat.cum);
    }
    out.efficiency = if cum_sum == 0 { 1.0 } else { min_sum as f64 / cum_sum as f64 };
    let copies = |p: &str| st.tree.get(p).map(|n| n.stat).or_else(|| st.gone.get(p).copied()).map_or(1, |s| s.copies);
    let mut wasted: Vec<WastedPath> = wasted_by_path
        .into_iter()
        .filter(|(_, b)| *b > 0)
        .map(|(p, bytes)| WastedPath {
            path: p.to_string(),
            bytes,
            copies: copies(p),
            deleted: !st.tree.contains_key(p),
        })
        .collect();
    wasted.sort_by(|a, b| b.bytes.cmp(&a.bytes).then_with(|| a.path.cmp(&b.path)));
    out.wasted_paths = wasted;
    out.tree = st.tree;
    out.warnings = st.warnings;
    Ok(out)
}

impl Merged<'_> {
    /// The entry behind a visible node.
    pub fn entry<'a>(&self, layers: &'a [LayerIndex], n: &Node) -> &'a Entry {
        &layers[n.layer as usize].entries[n.entry as usize]
    }

    /// Resolve a directory path, following symlinks in every component.
    pub fn resolve_dir(&self, layers: &[LayerIndex], dir: &str) -> Option<String> {
        let resolved = self.resolve_parents(layers, &format!("{dir}/_"))?;
        Some(resolved.strip_suffix("_").unwrap_or(&resolved).trim_end_matches('/').to_string())
    }

    /// Resolve symlinked directories in `path` (e.g. `lib/x` -> `usr/lib/x` on merged-/usr
    /// systems). The last component is not followed. None when the path loops.
    pub fn resolve_parents(&self, layers: &[LayerIndex], path: &str) -> Option<String> {
        let mut parts: Vec<String> = path.split('/').filter(|p| !p.is_empty() && *p != ".").map(String::from).collect();
        let mut hops = 0;
        let mut i = 0;
        while i + 1 < parts.len() {
            if parts[i] == ".." {
                parts.remove(i);
                if i > 0 {
                    parts.remove(i - 1);
                    i -= 1;
                }
                continue;
            }
            let prefix = parts[..=i].join("/");
            match self.tree.get(prefix.as_str()).map(|n| self.entry(layers, n)) {
                Some(e) if e.kind == Kind::Symlink => {
                    hops += 1;
                    if hops > 40 {
                        return None;
                    }
                    let target = e.link.as_deref().unwrap_or_default();
                    let target_parts = target.split('/').filter(|p| !p.is_empty() && *p != ".").map(String::from);
                    let rest: Vec<String> = parts[i + 1..].to_vec();
                    let mut new: Vec<String> = if target.starts_with('/') { Vec::new() } else { parts[..i].to_vec() };
                    new.extend(target_parts);
                    new.extend(rest);
                    parts = new;
                    i = 0;
                }
                _ => i += 1,
            }
        }
        Some(parts.join("/"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(p: &str, size: u64) -> Entry {
        Entry { path: p.into(), kind: Kind::File, size, mode: 0o644, uid: 0, gid: 0, link: None }
    }
    fn dir(p: &str) -> Entry {
        Entry { path: p.into(), kind: Kind::Dir, size: 0, mode: 0o755, uid: 0, gid: 0, link: None }
    }
    fn link(p: &str, kind: Kind, to: &str) -> Entry {
        Entry { path: p.into(), kind, size: 0, mode: 0o777, uid: 0, gid: 0, link: Some(to.into()) }
    }
    fn layer(entries: Vec<Entry>) -> LayerIndex {
        LayerIndex { entries, ..Default::default() }
    }
    /// Merge layers that live for the rest of the test.
    fn stack(v: Vec<LayerIndex>) -> Result<Merged<'static>, MergeError> {
        merge(Box::leak(v.into_boxed_slice()))
    }
    fn sums(m: &Merged) -> (u64, u64, u64) {
        (m.size_bytes, m.final_bytes, m.wasted_bytes)
    }

    #[test]
    fn overwrite_wastes_the_older_copy_only() {
        let m = stack(vec![layer(vec![file("a", 100)]), layer(vec![file("a", 30)])]).unwrap();
        assert_eq!(sums(&m), (130, 30, 100));
        assert_eq!((m.layers[0].wasted_bytes, m.layers[1].wasted_bytes), (100, 0));
        assert_eq!(m.wasted_paths[0], WastedPath { path: "a".into(), bytes: 100, copies: 2, deleted: false });
    }

    #[test]
    fn file_whiteout_deletes() {
        let m = stack(vec![layer(vec![dir("d"), file("d/a", 10), file("d/b", 5)]), layer(vec![file("d/.wh.a", 0)])])
            .unwrap();
        assert_eq!(sums(&m), (15, 5, 10));
        assert!(!m.tree.contains_key("d/a") && m.tree.contains_key("d/b"));
        assert_eq!(m.layers[1].whiteouts, 1);
    }

    #[test]
    fn directory_whiteout_deletes_the_subtree() {
        let m = stack(vec![
            layer(vec![dir("d"), dir("d/e"), file("d/e/a", 10), file("d/b", 5), file("dd", 1)]),
            layer(vec![file(".wh.d", 0)]),
        ])
        .unwrap();
        assert_eq!(sums(&m), (16, 1, 15));
        assert_eq!(m.tree.keys().copied().collect::<Vec<_>>(), ["dd"]);
    }

    #[test]
    fn opaque_hides_lower_layers_only() {
        let m = stack(vec![
            layer(vec![dir("d"), file("d/old", 10)]),
            layer(vec![dir("d"), file("d/.wh..wh..opq", 0), file("d/new", 3)]),
        ])
        .unwrap();
        assert_eq!(sums(&m), (13, 3, 10));
        assert!(m.tree.contains_key("d/new") && !m.tree.contains_key("d/old"));
    }

    #[test]
    fn opaque_marker_after_the_layers_own_files_keeps_them() {
        // the marker comes after the new file in tar order: collected, applied after the layer
        let m = stack(vec![layer(vec![file("d/old", 10)]), layer(vec![file("d/new", 3), file("d/.wh..wh..opq", 0)])])
            .unwrap();
        assert!(m.tree.contains_key("d/new") && !m.tree.contains_key("d/old"));
    }

    #[test]
    fn file_replacing_directory_hides_its_contents() {
        let m = stack(vec![layer(vec![dir("x"), file("x/a", 7)]), layer(vec![file("x", 2)])]).unwrap();
        assert_eq!(sums(&m), (9, 2, 7));
    }

    #[test]
    fn hard_links_share_bytes_and_survive_deleting_the_original_name() {
        let m = stack(vec![layer(vec![file("a", 50), link("b", Kind::Hardlink, "a")]), layer(vec![file(".wh.a", 0)])])
            .unwrap();
        assert_eq!(sums(&m), (50, 50, 0), "the inode is still reachable through b");
        let m = stack(vec![layer(vec![file("a", 50), link("b", Kind::Hardlink, "a")])]).unwrap();
        assert_eq!(sums(&m), (50, 50, 0), "counted once");
    }

    #[test]
    fn symlinks_hold_no_bytes_and_resolve() {
        let layers =
            [layer(vec![dir("usr"), dir("usr/lib"), link("lib", Kind::Symlink, "usr/lib"), file("usr/lib/x.so", 4)])];
        let m = merge(&layers).unwrap();
        assert_eq!(sums(&m), (4, 4, 0));
        assert_eq!(m.resolve_parents(&layers, "/lib/x.so").as_deref(), Some("usr/lib/x.so"));
        let loop_layers = [layer(vec![link("a", Kind::Symlink, "b"), link("b", Kind::Symlink, "a")])];
        let m = merge(&loop_layers).unwrap();
        assert_eq!(m.resolve_parents(&loop_layers, "a/x"), None);
    }

    #[test]
    fn bare_whiteout_is_an_error() {
        assert!(stack(vec![layer(vec![file("d/.wh.", 0)])]).is_err());
    }

    #[test]
    fn efficiency_counts_deletions_as_zero_copies() {
        let m = stack(vec![layer(vec![file("a", 100), file("b", 100)]), layer(vec![file(".wh.a", 0)])]).unwrap();
        assert!((m.efficiency - 0.5).abs() < 1e-9, "{}", m.efficiency);
        let m = stack(vec![layer(vec![file("a", 10)])]).unwrap();
        assert_eq!(m.efficiency, 1.0);
    }

    #[test]
    fn duplicate_entries_warn_and_later_wins() {
        let m = stack(vec![layer(vec![file("a", 10), file("a", 3)])]).unwrap();
        assert_eq!(sums(&m), (13, 3, 10));
        assert_eq!(m.warnings.len(), 1);
    }

    #[test]
    fn a_path_written_twice_in_a_layer_keeps_its_change_on_the_winner() {
        let m = stack(vec![
            layer(vec![file("b", 1)]),
            layer(vec![file("a", 10), file("a", 3), file("b", 2), file("b", 4)]),
        ])
        .unwrap();
        assert_eq!(m.changes[1], vec![None, Some(Change::Added), None, Some(Change::Modified)]);
    }

    #[test]
    fn changes_say_what_each_entry_did_below_it() {
        let m = stack(vec![
            layer(vec![dir("d"), file("d/a", 10), file("d/b", 5), dir("x"), file("x/y", 2)]),
            layer(vec![dir("d"), file("d/a", 11), file("d/c", 1), file("d/.wh.b", 0), file("x", 3)]),
        ])
        .unwrap();
        assert_eq!(m.changes[0], vec![Some(Change::Added); 5]);
        assert_eq!(m.changes[1], vec![None, Some(Change::Modified), Some(Change::Added), None, Some(Change::Modified)]);
        let mut removed = m.removed[1].clone();
        removed.sort();
        assert_eq!(removed, vec![("d/b", Kind::File, 5), ("x/y", Kind::File, 2)], "directories are not listed");
        assert!(m.removed[0].is_empty());
    }
}
