//! `imgslim compare` as text and Markdown.

use super::{ellipsis, human_bytes};
use crate::analyze::compare::Comparison;
use crate::units::human_delta;
use comfy_table::{presets, Cell, CellAlignment, ContentArrangement, Table};
use std::fmt::Write;

fn table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_style(presets::UTF8_FULL_CONDENSED).set_content_arrangement(ContentArrangement::Dynamic);
    t.set_width(super::width() as u16);
    t.set_header(header.iter().map(Cell::new));
    for c in 1..header.len() {
        if let Some(col) = t.column_mut(c) {
            col.set_cell_alignment(CellAlignment::Right);
        }
    }
    t
}

fn pct(a: u64, b: u64) -> String {
    if a == 0 {
        "-".into()
    } else {
        format!("{:+.1}%", 100.0 * (b as f64 - a as f64) / a as f64)
    }
}

fn rows(c: &Comparison) -> Vec<(&'static str, u64, u64)> {
    vec![
        ("size (layers, uncompressed)", c.a.size_bytes, c.b.size_bytes),
        ("stored blobs (what a pull moves)", c.a.compressed_bytes, c.b.compressed_bytes),
        ("final file system", c.a.final_bytes, c.b.final_bytes),
        ("wasted", c.a.wasted_bytes, c.b.wasted_bytes),
        ("build-time leftovers", c.a.leftover_bytes, c.b.leftover_bytes),
    ]
}

pub fn text(c: &Comparison, top: usize) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "a: {}\nb: {}", c.a.image, c.b.image);
    let mut t = table(&["", "a", "b", "delta", "%"]);
    for (name, a, b) in rows(c) {
        t.add_row(vec![
            name.to_string(),
            human_bytes(a),
            human_bytes(b),
            human_delta(b as i128 - a as i128),
            pct(a, b),
        ]);
    }
    t.add_row(vec![
        "layers".to_string(),
        c.a.layers.to_string(),
        c.b.layers.to_string(),
        format!("{:+}", c.b.layers as i64 - c.a.layers as i64),
        String::new(),
    ]);
    t.add_row(vec![
        "efficiency".to_string(),
        format!("{:.1}%", c.a.efficiency * 100.0),
        format!("{:.1}%", c.b.efficiency * 100.0),
        String::new(),
        String::new(),
    ]);
    let _ = writeln!(out, "{t}");
    let _ = writeln!(
        out,
        "b is {} ({:+.1}%) than a{}",
        if c.delta_bytes <= 0 { "smaller" } else { "larger" },
        c.delta_percent,
        if c.shared_layers > 0 { format!("; {} layers shared", c.shared_layers) } else { String::new() }
    );
    for (title, rows) in [("leftovers / waste", &c.categories[..]), ("directory", &c.paths[..c.paths.len().min(top)])] {
        if rows.is_empty() {
            continue;
        }
        let mut t = table(&[title, "a", "b", "delta"]);
        for d in rows {
            t.add_row(vec![
                d.name.clone(),
                human_bytes(d.a_bytes),
                human_bytes(d.b_bytes),
                human_delta(d.delta_bytes as i128),
            ]);
        }
        let _ = writeln!(out, "\n{t}");
    }
    let list = |v: &[String]| {
        let shown: Vec<&str> = v.iter().take(top).map(String::as_str).collect();
        format!(
            "{}{}",
            shown.join(", "),
            if v.len() > top { format!(" and {} more", v.len() - top) } else { String::new() }
        )
    };
    if !c.packages_removed.is_empty() {
        let _ = writeln!(out, "\npackages only in a ({}): {}", c.packages_removed.len(), list(&c.packages_removed));
    }
    if !c.packages_added.is_empty() {
        let _ = writeln!(out, "packages only in b ({}): {}", c.packages_added.len(), list(&c.packages_added));
    }
    if !c.config.is_empty() {
        let _ = writeln!(out, "\nconfig differences:");
        for d in &c.config {
            let _ = writeln!(out, "  {}: {} -> {}", d.field, ellipsis(&d.original, 60), ellipsis(&d.rewrite, 60));
        }
    }
    out
}

pub fn markdown(c: &Comparison, top: usize) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "| | a: `{}` | b: `{}` | delta |\n|---|---:|---:|---:|", c.a.image, c.b.image);
    for (name, a, b) in rows(c) {
        let _ = writeln!(
            out,
            "| {name} | {} | {} | {} ({}) |",
            human_bytes(a),
            human_bytes(b),
            human_delta(b as i128 - a as i128),
            pct(a, b)
        );
    }
    let _ = writeln!(out, "| layers | {} | {} | {:+} |", c.a.layers, c.b.layers, c.b.layers as i64 - c.a.layers as i64);
    if !c.paths.is_empty() {
        let _ = writeln!(out, "\n| directory | a | b | delta |\n|---|---:|---:|---:|");
        for d in c.paths.iter().take(top) {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} |",
                d.name,
                human_bytes(d.a_bytes),
                human_bytes(d.b_bytes),
                human_delta(d.delta_bytes as i128)
            );
        }
    }
    out
}
