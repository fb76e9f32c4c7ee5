//! The file tree of an image, aggregated by directory: the final file system, or what one layer
//! changed. Built from the merge (no second read of the layers) and shared by `--tree`, the HTML
//! report and the explorer.

use crate::layer::merge::{Change, Merged};
use crate::layer::read::LayerIndex;
use crate::layer::tar::Kind;
use serde::Serialize;
use std::collections::HashMap;

/// No leftover category (see [`TreeNode::category`]).
pub const NO_CATEGORY: u8 = u8::MAX;

/// Beside a file that replaced a directory (in a layer's tree), the node holding what the
/// directory held: `NAME (the directory it replaced)`.
const REPLACED_DIR: &str = "(the directory it replaced)";

#[derive(Debug, Clone)]
pub struct TreeNode {
    /// The name's place in [`FileTree::names`] (see [`FileTree::name`]).
    name: (u32, u32),
    /// The parent's index (the root is its own parent).
    pub parent: u32,
    /// Largest first, then by name.
    pub children: Vec<u32>,
    pub kind: Kind,
    /// Regular-file bytes at or below this node (a hard link holds none: its target does).
    pub bytes: u64,
    /// Entries that are not directories, at or below this node.
    pub files: u64,
    /// The layer of the entry (for a directory no entry names: the layer of its first child).
    pub layer: u32,
    /// What the entry did to the layers below (for a directory: the change all the entries
    /// below share, `Modified` when they differ).
    pub change: Option<Change>,
    /// The leftover category of a file (index in the catalog), or [`NO_CATEGORY`].
    pub category: u8,
    pub link: Option<Box<str>>,
}

/// A tree of paths; node 0 is the root (`/`). Names live in one string (no allocation per
/// node).
#[derive(Debug, Clone)]
pub struct FileTree {
    pub nodes: Vec<TreeNode>,
    names: String,
}

/// One path to put in a tree.
pub struct Item<'a> {
    pub path: &'a str,
    pub kind: Kind,
    pub size: u64,
    pub layer: u32,
    pub change: Option<Change>,
    pub category: u8,
    pub link: Option<&'a str>,
}

impl FileTree {
    /// Build from items in any order; directories the items imply are created.
    pub fn build<'a>(items: impl IntoIterator<Item = Item<'a>>) -> FileTree {
        let root = TreeNode {
            name: (0, 0),
            parent: 0,
            children: Vec::new(),
            kind: Kind::Dir,
            bytes: 0,
            files: 0,
            layer: 0,
            change: None,
            category: NO_CATEGORY,
            link: None,
        };
        let mut t = FileTree { nodes: vec![root], names: String::new() };
        use std::borrow::Cow;
        let mut index: HashMap<(u32, Cow<'a, str>), u32, crate::layer::merge::FxBuild> = HashMap::default();
        let mut named = vec![true];
        for it in items {
            let mut parent = 0u32;
            let mut parts = it.path.split('/').filter(|p| !p.is_empty()).peekable();
            while let Some(part) = parts.next() {
                let last = parts.peek().is_none();
                // a directory below a node that is not one (a layer's file in place of a
                // directory, listed with the directory's removed contents): its own node
                let part: Cow<'a, str> = match index.get(&(parent, Cow::Borrowed(part))) {
                    Some(&id) if !last && t.nodes[id as usize].kind != Kind::Dir => {
                        Cow::Owned(format!("{part} {REPLACED_DIR}"))
                    }
                    _ => Cow::Borrowed(part),
                };
                let id = match index.get(&(parent, part.clone())) {
                    Some(&id) => id,
                    None => {
                        let id = t.nodes.len() as u32;
                        let at = t.names.len() as u32;
                        t.names.push_str(&part);
                        t.nodes.push(TreeNode {
                            name: (at, part.len() as u32),
                            parent,
                            children: Vec::new(),
                            kind: Kind::Dir,
                            bytes: 0,
                            files: 0,
                            layer: it.layer,
                            change: None,
                            category: NO_CATEGORY,
                            link: None,
                        });
                        named.push(false);
                        t.nodes[parent as usize].children.push(id);
                        index.insert((parent, part), id);
                        id
                    }
                };
                if last {
                    let n = &mut t.nodes[id as usize];
                    n.kind = it.kind;
                    n.layer = it.layer;
                    n.change = it.change;
                    n.category = it.category;
                    n.link = it.link.map(Into::into);
                    if it.kind == Kind::File {
                        n.bytes = it.size;
                    }
                    if it.kind != Kind::Dir {
                        n.files = 1;
                    }
                    named[id as usize] = true;
                }
                parent = id;
            }
        }
        t.finish(&named);
        t
    }

    /// Sum sizes bottom-up, give directories that changed nothing themselves the change below
    /// them, sort children.
    fn finish(&mut self, named: &[bool]) {
        // children always come after their parent: one pass from the end sums everything
        let mut below: Vec<Option<Option<Change>>> = vec![None; self.nodes.len()];
        for id in (1..self.nodes.len()).rev() {
            let (bytes, files, parent) = {
                let n = &self.nodes[id];
                (n.bytes, n.files, n.parent as usize)
            };
            let n = &mut self.nodes[id];
            if n.kind == Kind::Dir && (!named[id] || n.change.is_none()) {
                n.change = below[id].unwrap_or(None);
            }
            let mine = n.change;
            below[parent] = Some(match below[parent] {
                None => mine,
                Some(c) if c == mine => c,
                Some(_) => Some(Change::Modified),
            });
            let p = &mut self.nodes[parent];
            p.bytes += bytes;
            p.files += files;
        }
        let keys: Vec<(u64, (u32, u32))> = self.nodes.iter().map(|n| (n.bytes, n.name)).collect();
        let names = &self.names;
        let name = |k: (u32, u32)| &names[k.0 as usize..(k.0 + k.1) as usize];
        for n in &mut self.nodes {
            n.children.sort_by(|&a, &b| {
                let (a, b) = (&keys[a as usize], &keys[b as usize]);
                b.0.cmp(&a.0).then_with(|| name(a.1).cmp(name(b.1)))
            });
        }
    }

    /// A node's name (the last component of its path).
    pub fn name(&self, id: u32) -> &str {
        let (at, len) = self.nodes[id as usize].name;
        &self.names[at as usize..(at + len) as usize]
    }

    pub fn root(&self) -> &TreeNode {
        &self.nodes[0]
    }

    /// The absolute path of a node.
    pub fn path(&self, mut id: u32) -> String {
        let mut parts = Vec::new();
        while id != 0 {
            let n = &self.nodes[id as usize];
            parts.push(self.name(id));
            id = n.parent;
        }
        parts.reverse();
        format!("/{}", parts.join("/"))
    }

    /// The node at an absolute or relative path.
    pub fn find(&self, path: &str) -> Option<u32> {
        let mut id = 0u32;
        for part in path.split('/').filter(|p| !p.is_empty()) {
            id = *self.nodes[id as usize].children.iter().find(|&&c| self.name(c) == part)?;
        }
        Some(id)
    }
}

/// The final file system: every visible path, with the category of each (`categories` in the
/// order of `merged.tree`).
pub fn final_tree(layers: &[LayerIndex], merged: &Merged, categories: &[u8]) -> FileTree {
    FileTree::build(merged.tree.iter().zip(categories).map(|((path, n), &category)| {
        let e = merged.entry(layers, n);
        Item {
            path,
            kind: e.kind,
            size: if e.kind == Kind::File { e.size } else { 0 },
            layer: n.layer,
            change: merged.changes[n.layer as usize][n.entry as usize],
            category,
            link: e.link.as_deref(),
        }
    }))
}

/// What layer `l` changed: its entries (added or modified) and the lower paths it removed.
pub fn layer_tree(layers: &[LayerIndex], merged: &Merged, l: usize) -> FileTree {
    let layer = &layers[l];
    let changes = &merged.changes[l];
    let written =
        layer.entries.iter().enumerate().filter(|(i, e)| changes[*i].is_some() || e.kind != Kind::Dir).map(|(i, e)| {
            Item {
                path: &e.path,
                kind: e.kind,
                size: if e.kind == Kind::File { e.size } else { 0 },
                layer: l as u32,
                change: changes[i],
                category: layer.tags.get(i).copied().unwrap_or(NO_CATEGORY),
                link: e.link.as_deref(),
            }
        });
    let written = written.filter(|it| !it.path.rsplit('/').next().unwrap_or_default().starts_with(".wh."));
    let removed = merged.removed[l].iter().map(|&(path, kind, size)| Item {
        path,
        kind,
        size,
        layer: l as u32,
        change: Some(Change::Removed),
        category: NO_CATEGORY,
        link: None,
    });
    FileTree::build(written.chain(removed))
}

/// What one layer changed, in figures (and, when asked, file by file).
#[derive(Debug, Clone, Default, Serialize)]
pub struct LayerChanges {
    pub added_files: u64,
    pub added_bytes: u64,
    pub modified_files: u64,
    pub modified_bytes: u64,
    pub removed_files: u64,
    pub removed_bytes: u64,
    /// With `--files`: every path the layer added, modified or removed (directories left out).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub files: Option<Vec<ChangedFile>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ChangedFile {
    pub path: String,
    pub change: Change,
    pub kind: Kind,
    pub size_bytes: u64,
}

/// The changes of layer `l`; with `list`, the paths too, largest first, at most `list` of them.
pub fn layer_changes(layers: &[LayerIndex], merged: &Merged, l: usize, list: Option<usize>) -> LayerChanges {
    let mut c = LayerChanges::default();
    let mut files = Vec::new();
    for (i, e) in layers[l].entries.iter().enumerate() {
        let Some(change) = merged.changes[l][i] else { continue };
        if e.kind == Kind::Dir {
            continue;
        }
        let size = if e.kind == Kind::File { e.size } else { 0 };
        match change {
            Change::Added => (c.added_files, c.added_bytes) = (c.added_files + 1, c.added_bytes + size),
            _ => (c.modified_files, c.modified_bytes) = (c.modified_files + 1, c.modified_bytes + size),
        }
        if list.is_some() {
            files.push(ChangedFile { path: format!("/{}", e.path), change, kind: e.kind, size_bytes: size });
        }
    }
    for &(path, kind, size) in &merged.removed[l] {
        c.removed_files += 1;
        c.removed_bytes += size;
        if list.is_some() {
            files.push(ChangedFile { path: format!("/{path}"), change: Change::Removed, kind, size_bytes: size });
        }
    }
    if let Some(max) = list {
        files.sort_by(|a, b| b.size_bytes.cmp(&a.size_bytes).then_with(|| a.path.cmp(&b.path)));
        files.truncate(max);
        c.files = Some(files);
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(path: &str, kind: Kind, size: u64, change: Option<Change>) -> Item<'_> {
        Item { path, kind, size, layer: 0, change, category: NO_CATEGORY, link: None }
    }

    #[test]
    fn a_file_in_place_of_a_directory_keeps_its_old_contents_apart() {
        let t = FileTree::build([
            item("x", Kind::File, 3, Some(Change::Modified)),
            item("x/y", Kind::File, 2, Some(Change::Removed)),
        ]);
        let x = t.find("x").unwrap() as usize;
        assert_eq!(
            (t.nodes[x].kind, t.nodes[x].bytes, t.nodes[x].files, t.nodes[x].children.len()),
            (Kind::File, 3, 1, 0)
        );
        let old = t.find("x (the directory it replaced)").expect("the replaced directory");
        assert_eq!(t.path(t.nodes[old as usize].children[0]), "/x (the directory it replaced)/y");
    }

    #[test]
    fn directories_sum_what_is_below_and_sort_largest_first() {
        let t = FileTree::build([
            item("usr/bin/a", Kind::File, 10, Some(Change::Added)),
            item("usr/lib/b", Kind::File, 30, Some(Change::Added)),
            item("usr/lib/c", Kind::Symlink, 0, Some(Change::Modified)),
            item("etc", Kind::Dir, 0, None),
        ]);
        assert_eq!((t.root().bytes, t.root().files), (40, 3));
        let usr = t.find("/usr").unwrap();
        let names: Vec<&str> = t.nodes[usr as usize].children.iter().map(|&c| t.name(c)).collect();
        assert_eq!(names, ["lib", "bin"]);
        assert_eq!(t.path(t.find("usr/lib/b").unwrap()), "/usr/lib/b");
        let lib = t.find("usr/lib").unwrap() as usize;
        assert_eq!(t.nodes[lib].change, Some(Change::Modified), "mixed changes below");
        assert_eq!(t.nodes[t.find("usr/bin").unwrap() as usize].change, Some(Change::Added));
    }
}
