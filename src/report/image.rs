//! `imgslim analyze IMAGE` as text and Markdown.

use super::{ellipsis, human_bytes};
use crate::analyze::Report;
use comfy_table::{presets, Cell, CellAlignment, ContentArrangement, Table};
use std::fmt::Write;

fn layer_label(r: &Report, i: usize) -> String {
    let l = &r.layers[i];
    match (&l.line, &l.instruction, &l.created_by) {
        (Some(line), Some(ins), _) => format!("line {line}: {}", ellipsis(ins, 60)),
        (_, _, Some(c)) => ellipsis(c, 70),
        _ => String::new(),
    }
}

fn table(header: &[&str], right: &[usize]) -> Table {
    let mut t = Table::new();
    t.load_style(presets::UTF8_FULL_CONDENSED).set_content_arrangement(ContentArrangement::Dynamic);
    t.set_width(super::width() as u16);
    t.set_header(header.iter().map(Cell::new));
    for &c in right {
        if let Some(col) = t.column_mut(c) {
            col.set_cell_alignment(CellAlignment::Right);
        }
    }
    t
}

/// What a pull moves: the stored blobs, or (for layers kept uncompressed here) the estimated
/// size of their gzip blobs in a registry.
fn pull(r: &Report) -> String {
    if r.pull_bytes_estimated {
        format!("~{} (gzip, estimated)", human_bytes(r.pull_bytes))
    } else {
        human_bytes(r.pull_bytes)
    }
}

/// The human summary.
pub fn text(r: &Report, top: usize) -> String {
    let mut out = String::new();
    let name = r.image.name.as_deref().unwrap_or("(unnamed)");
    let layers = crate::units::count(r.layers.len() as u64, "layer");
    let _ = writeln!(out, "{name} ({}, {}, {layers})", r.image.source, r.image.platform);
    let _ = writeln!(
        out,
        "size {}  final {}  wasted {} ({:.1}%)  pull {}  efficiency {:.1}%",
        human_bytes(r.size_bytes),
        human_bytes(r.final_bytes),
        human_bytes(r.wasted_bytes),
        r.wasted_percent,
        pull(r),
        100.0 * r.efficiency
    );
    if r.leftover_bytes > 0 {
        let _ = writeln!(
            out,
            "build-time leftovers {} ({:.1}% of the final image): a multi-stage build would leave them behind",
            human_bytes(r.leftover_bytes),
            if r.final_bytes == 0 { 0.0 } else { 100.0 * r.leftover_bytes as f64 / r.final_bytes as f64 }
        );
    }
    let mut t = table(&["#", "size", "wasted", "stored", "made by"], &[0, 1, 2, 3]);
    for l in &r.layers {
        t.add_row(vec![
            l.index.to_string(),
            human_bytes(l.size_bytes),
            if l.wasted_bytes > 0 { human_bytes(l.wasted_bytes) } else { String::new() },
            human_bytes(l.compressed_bytes),
            layer_label(r, l.index),
        ]);
    }
    let _ = writeln!(out, "\nLayers\n{t}");
    if !r.leftovers.is_empty() {
        let mut t = table(&["leftover", "bytes", "files", "layer", "packages", "largest"], &[1, 2, 3]);
        for l in r.leftovers.iter().take(top) {
            t.add_row(vec![
                l.category.clone(),
                human_bytes(l.bytes),
                l.files.to_string(),
                match l.line {
                    Some(line) => format!("{} (line {line})", l.layer),
                    None => l.layer.to_string(),
                },
                ellipsis(&l.packages.iter().take(4).cloned().collect::<Vec<_>>().join(", "), 40),
                ellipsis(l.sample_paths.first().map_or("", |s| s.as_str()), 48),
            ]);
        }
        let _ = writeln!(out, "\nBuild-time leftovers\n{t}");
    }
    if !r.largest_files.is_empty() {
        let mut t = table(&["size", "layer", "path", "package"], &[0, 1]);
        for f in r.largest_files.iter().take(top) {
            let path = match &f.category {
                Some(c) => format!("{} [{c}]", f.path),
                None => f.path.clone(),
            };
            t.add_row(vec![
                human_bytes(f.size_bytes),
                f.layer.to_string(),
                super::middle(&path, 72),
                f.package.clone().unwrap_or_default(),
            ]);
        }
        let _ = writeln!(out, "\nLargest files\n{t}");
    }
    if !r.wasted_paths.is_empty() {
        let mut t = table(&["wasted", "copies", "path"], &[0, 1]);
        for w in r.wasted_paths.iter().take(top) {
            t.add_row(vec![
                human_bytes(w.bytes),
                w.copies.to_string(),
                format!("/{}{}", w.path, if w.deleted { " (deleted)" } else { "" }),
            ]);
        }
        let _ = writeln!(out, "\nLargest wasted paths\n{t}");
    }
    for w in &r.warnings {
        let _ = writeln!(out, "warning: {w}");
    }
    out
}

/// A Markdown report (for pull requests and job summaries).
pub fn markdown(r: &Report, top: usize) -> String {
    let mut out = String::new();
    let name = r.image.name.as_deref().unwrap_or("(unnamed)");
    let _ = writeln!(out, "### `{name}` ({}, {})\n", r.image.platform, r.image.source);
    let _ = writeln!(out, "| size | final | wasted | pull | efficiency | leftovers |");
    let _ = writeln!(out, "|---:|---:|---:|---:|---:|---:|");
    let _ = writeln!(
        out,
        "| {} | {} | {} ({:.1}%) | {} | {:.1}% | {} |\n",
        human_bytes(r.size_bytes),
        human_bytes(r.final_bytes),
        human_bytes(r.wasted_bytes),
        r.wasted_percent,
        pull(r),
        100.0 * r.efficiency,
        human_bytes(r.leftover_bytes)
    );
    let _ = writeln!(out, "| layer | size | wasted | made by |\n|---:|---:|---:|---|");
    for l in &r.layers {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            l.index,
            human_bytes(l.size_bytes),
            human_bytes(l.wasted_bytes),
            layer_label(r, l.index).replace('|', "\\|")
        );
    }
    if !r.leftovers.is_empty() {
        let _ = writeln!(out, "\n| leftover | bytes | files | layer | packages |\n|---|---:|---:|---:|---|");
        for l in r.leftovers.iter().take(top) {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                l.category,
                human_bytes(l.bytes),
                l.files,
                l.line.map_or(l.layer.to_string(), |line| format!("{} (line {line})", l.layer)),
                l.packages.iter().take(5).cloned().collect::<Vec<_>>().join(", ")
            );
        }
    }
    out
}
