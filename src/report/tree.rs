//! `imgslim analyze IMAGE --tree`: the file tree with sizes and change markers, as `tree` and
//! dive's file pane draw it, fitted to the terminal width.

use super::{human_bytes, middle};
use crate::analyze::tree::{FileTree, NO_CATEGORY};
use crate::layer::merge::Change;
use crate::layer::tar::Kind;
use std::fmt::Write;

#[derive(Debug, Clone)]
pub struct TreeStyle {
    /// Directory levels to show below the root (0: all).
    pub depth: usize,
    /// Entries smaller than this are summed into one `…` line per directory.
    pub min_size: u64,
    /// Columns to fit.
    pub width: usize,
    pub color: bool,
    /// Show `+`/`~`/`-` (a layer's changes); the final tree has none to show.
    pub markers: bool,
}

const SIZE_COLUMNS: usize = 10;
const MAX_INDENT: usize = 48;

fn paint(on: bool, text: &str, code: &str) -> String {
    if on {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

/// The whole tree, one line per entry, largest first in each directory. Iterative: a path can
/// be thousands of directories deep.
pub fn text(tree: &FileTree, categories: &[String], style: &TreeStyle) -> String {
    let mut out = String::new();
    let root = tree.root();
    let pad = if style.markers { "  " } else { "" };
    let _ = writeln!(
        out,
        "{pad}{:>SIZE_COLUMNS$}  / ({})",
        human_bytes(root.bytes),
        crate::units::count(root.files, "file")
    );
    // frames: (directory, the prefix of its children's lines, its level, the next child to print)
    let mut frames: Vec<(u32, String, usize, usize)> = vec![(0, String::new(), 1, 0)];
    while let Some(frame) = frames.last_mut() {
        let (id, level, k) = (frame.0, frame.2, frame.3);
        let node = &tree.nodes[id as usize];
        let shown: &[u32] = if style.depth != 0 && level > style.depth { &[] } else { &node.children };
        let visible = shown.iter().take_while(|&&c| tree.nodes[c as usize].bytes >= style.min_size).count();
        let hidden = &shown[visible..];
        if k >= visible {
            if k == visible && !hidden.is_empty() {
                let bytes: u64 = hidden.iter().map(|&c| tree.nodes[c as usize].bytes).sum();
                let _ = writeln!(
                    out,
                    "{pad}{:>SIZE_COLUMNS$}  {}└── … {} more, each smaller than {}",
                    human_bytes(bytes),
                    frame.1,
                    hidden.len(),
                    human_bytes(style.min_size)
                );
            }
            frames.pop();
            continue;
        }
        frame.3 += 1;
        let prefix = frame.1.clone();
        let c = shown[k];
        let last = k + 1 == visible && hidden.is_empty();
        let n = &tree.nodes[c as usize];
        let marker = match (style.markers, n.change) {
            (false, _) => String::new(),
            (true, Some(ch)) => {
                let code = match ch {
                    Change::Added => "32",
                    Change::Modified => "33",
                    Change::Removed => "31",
                };
                format!("{} ", paint(style.color, &ch.marker().to_string(), code))
            }
            (true, None) => "  ".into(),
        };
        let mut label = super::one_line(tree.name(c)).into_owned();
        if n.kind == Kind::Dir {
            label.push('/');
        }
        match (&n.link, n.kind) {
            (Some(l), Kind::Hardlink) => label.push_str(&format!(" => /{} (hard link)", super::one_line(l))),
            (Some(l), _) => label.push_str(&format!(" -> {}", super::one_line(l))),
            _ => {}
        }
        let category = categories.get(n.category as usize).filter(|_| n.category != NO_CATEGORY);
        if let Some(c) = category {
            label.push_str(&format!(" [{c}]"));
        }
        let used = pad.len() + SIZE_COLUMNS + 2 + prefix.chars().count() + 4;
        let fitted = middle(&label, style.width.saturating_sub(used).max(12));
        let fitted = if category.is_some() { paint(style.color, &fitted, "33") } else { fitted };
        let branch = if last { "└── " } else { "├── " };
        let _ = writeln!(out, "{marker}{:>SIZE_COLUMNS$}  {prefix}{branch}{fitted}", human_bytes(n.bytes));
        if n.kind == Kind::Dir && !n.children.is_empty() {
            // indentation stops growing past MAX_INDENT levels: a path thousands of directories
            // deep would otherwise print a quadratic amount of it
            let child =
                if level < MAX_INDENT { format!("{prefix}{}", if last { "    " } else { "│   " }) } else { prefix };
            frames.push((c, child, level + 1, 0));
        }
    }
    out
}
