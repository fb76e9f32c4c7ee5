//! `--format html`: one self-contained page (inline CSS and script, no network) for `analyze`
//! (an image or a Dockerfile), `compare` and `gate`. The summary and the tables are plain HTML
//! (readable without JavaScript); the treemap and the layer browser are drawn by the inline
//! script from a JSON island. A page opened with `#selftest` checks itself and writes the result
//! into `#selftest-result` (what the browser test reads).

mod page;

use super::human_bytes;
use crate::analyze::tree::{FileTree, NO_CATEGORY};
use crate::analyze::Report;
use page::{esc, Page};
use serde_json::json;
use std::fmt::Write;

/// Files listed per layer (largest first) in the page's layer browser.
pub const LAYER_FILES: usize = 200;

/// Cells of a treemap at most: smaller directories are summed into one cell per parent, so the
/// 135,000-entry benchmark image gives a page of a few hundred kilobytes.
pub const TREEMAP_NODES: usize = 12_000;

/// The tree as the page's script reads it: `[parent, name, bytes, files, category, layer, kind]`
/// per node, parents first; a directory's children left out are one `[parent, "… N smaller",
/// bytes, files, -1, -1, "o"]` node.
pub fn tree_json(tree: &FileTree, max_nodes: usize) -> serde_json::Value {
    // the largest nodes; a parent is never smaller than its child and comes first on ties
    let mut order: Vec<u32> = (0..tree.nodes.len() as u32).collect();
    order.sort_by(|&a, &b| tree.nodes[b as usize].bytes.cmp(&tree.nodes[a as usize].bytes).then(a.cmp(&b)));
    let mut keep = vec![false; tree.nodes.len()];
    let mut kept = 0usize;
    for &id in &order {
        if kept >= max_nodes {
            break;
        }
        let parent = tree.nodes[id as usize].parent as usize;
        if id == 0 || keep[parent] {
            keep[id as usize] = true;
            kept += 1;
        }
    }
    let mut out = Vec::with_capacity(kept + 64);
    let mut new_id = vec![u32::MAX; tree.nodes.len()];
    let mut stack = vec![0u32];
    while let Some(id) = stack.pop() {
        let n = &tree.nodes[id as usize];
        new_id[id as usize] = out.len() as u32;
        let parent = if id == 0 { -1 } else { i64::from(new_id[n.parent as usize]) };
        let kind = match n.kind {
            crate::layer::tar::Kind::Dir => "d",
            crate::layer::tar::Kind::Symlink => "l",
            _ => "f",
        };
        let category = if n.category == NO_CATEGORY { -1 } else { i64::from(n.category) };
        out.push(json!([parent, tree.name(id), n.bytes, n.files, category, n.layer, kind]));
        let (shown, hidden): (Vec<u32>, Vec<u32>) = n.children.iter().partition(|&&c| keep[c as usize]);
        if !hidden.is_empty() {
            let bytes: u64 = hidden.iter().map(|&c| tree.nodes[c as usize].bytes).sum();
            let files: u64 = hidden.iter().map(|&c| tree.nodes[c as usize].files).sum();
            if bytes > 0 {
                let me = new_id[id as usize];
                out.push(json!([me, format!("… {} smaller", hidden.len()), bytes, files, -1, -1, "o"]));
            }
        }
        stack.extend(shown.iter().rev());
    }
    serde_json::Value::Array(out)
}

fn pct(part: u64, whole: u64) -> String {
    if whole == 0 {
        "0.0%".into()
    } else {
        format!("{:.1}%", 100.0 * part as f64 / whole as f64)
    }
}

/// The Dockerfile beside the report, each line an anchor (`#L12`) the leftovers link to.
pub struct Source<'a> {
    pub path: &'a str,
    pub text: &'a str,
}

fn line_link(line: Option<usize>, source: Option<&Source>) -> String {
    match (line, source) {
        (Some(l), Some(_)) => format!("<a href=\"#L{l}\">line {l}</a>"),
        (Some(l), None) => format!("line {l}"),
        _ => String::new(),
    }
}

/// The analysis of an image.
pub fn image(r: &Report, source: Option<&Source>) -> String {
    let name = r.image.name.as_deref().unwrap_or("(unnamed)");
    let mut p = Page::new(&format!("imgslim: {name}"));
    image_sections(&mut p, r, source);
    p.finish()
}

/// The gate's verdict, its checks, and the analysis of the image it judged.
pub fn gate(g: &super::gate::GateResult, source: Option<&Source>) -> String {
    let mut p = Page::new(&format!("imgslim gate: {}", g.image));
    let verdict = if g.passed() { "<span class=pass>PASS</span>" } else { "<span class=fail>FAIL</span>" };
    let mut rows = String::new();
    for c in g.checks {
        let _ = write!(
            rows,
            "<tr data-rule=\"{}\" data-passed=\"{}\"><td>{}</td><td>{}</td><td class=n>{}</td><td class=n>{}</td><td>{} {}</td></tr>",
            esc(&c.rule),
            c.passed,
            if c.passed { "<span class=pass>pass</span>" } else { "<span class=fail>FAIL</span>" },
            esc(&c.rule),
            esc(&c.limit),
            esc(&c.actual),
            esc(&c.message),
            line_link(c.line, source)
        );
    }
    let baseline = g.baseline.map(|b| format!(" against the baseline {}", esc(&b.source))).unwrap_or_default();
    let _ = write!(
        p.body,
        "<section id=gate><h1>gate {verdict}: {}</h1><p>{} checks{baseline}</p><table><thead><tr><th></th><th>budget</th><th>limit</th><th>actual</th><th>why</th></tr></thead>\
         <tbody>{rows}</tbody></table></section>",
        esc(&g.image),
        g.checks.len()
    );
    image_sections(&mut p, g.report, source);
    p.finish()
}

fn image_sections(p: &mut Page, r: &Report, source: Option<&Source>) {
    let name = r.image.name.as_deref().unwrap_or("(unnamed)");
    let _ = write!(
        p.body,
        "<header><h1>{}</h1><p>{} · {} · {} layers</p></header>",
        esc(name),
        esc(&r.image.source),
        esc(&r.image.platform),
        r.layers.len()
    );
    p.summary(&[
        ("size", human_bytes(r.size_bytes), r.size_bytes),
        ("final", human_bytes(r.final_bytes), r.final_bytes),
        ("wasted", format!("{} ({:.1}%)", human_bytes(r.wasted_bytes), r.wasted_percent), r.wasted_bytes),
        ("pull", human_bytes(r.pull_bytes), r.pull_bytes),
        (
            "leftovers",
            format!("{} ({})", human_bytes(r.leftover_bytes), pct(r.leftover_bytes, r.final_bytes)),
            r.leftover_bytes,
        ),
        ("efficiency", format!("{:.1}%", 100.0 * r.efficiency), 0),
    ]);
    if let Some(tree) = &r.tree {
        p.treemap("final", "Where the bytes are", tree);
    }
    // layers
    let mut rows = String::new();
    for l in &r.layers {
        let c = &l.changes;
        let made = match (&l.line, &l.instruction, &l.created_by) {
            (Some(line), Some(ins), _) => format!("{}: {}", line_link(Some(*line), source), esc(ins)),
            (_, _, Some(c)) => esc(c),
            _ => String::new(),
        };
        let _ = write!(
            rows,
            "<tr data-layer=\"{i}\" tabindex=\"0\"><td class=n>{i}</td><td class=n>{}</td><td class=n>{}</td>\
             <td class=n>+{} ~{} -{}</td><td class=made>{made}</td></tr>",
            human_bytes(l.size_bytes),
            if l.wasted_bytes > 0 { human_bytes(l.wasted_bytes) } else { String::new() },
            c.added_files,
            c.modified_files,
            c.removed_files,
            i = l.index,
        );
    }
    let _ = write!(
        p.body,
        "<section id=layers><h2>Layers</h2><p class=hint>Select a layer to see what it added (+), modified (~) and removed (-).</p>\
         <table class=layers><thead><tr><th>#</th><th>size</th><th>wasted</th><th>files</th><th>made by</th></tr></thead>\
         <tbody>{rows}</tbody></table><div id=layer-files aria-live=polite></div></section>"
    );
    let layer_files: Vec<serde_json::Value> = r
        .layers
        .iter()
        .map(|l| {
            let files: Vec<serde_json::Value> = l
                .changes
                .files
                .iter()
                .flatten()
                .map(|f| json!([f.change.marker().to_string(), f.path, f.size_bytes]))
                .collect();
            // the figures without the list (the list is `files`, in the page's compact form)
            let figures = crate::analyze::tree::LayerChanges { files: None, ..l.changes.clone() };
            json!({"index": l.index, "changes": figures, "files": files})
        })
        .collect();
    p.data("layers", serde_json::Value::Array(layer_files));
    // leftovers
    if !r.leftovers.is_empty() {
        let mut rows = String::new();
        for l in &r.leftovers {
            let _ = write!(
                rows,
                "<tr><td>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{} {}</td><td>{}</td><td class=path>{}</td></tr>",
                esc(&l.category),
                human_bytes(l.bytes),
                l.files,
                l.layer,
                line_link(l.line, source),
                esc(&l.packages.iter().take(6).cloned().collect::<Vec<_>>().join(", ")),
                esc(l.sample_paths.first().map_or("", String::as_str)),
            );
        }
        let _ = write!(
            p.body,
            "<section id=leftovers><h2>Build-time leftovers</h2><p>{} a multi-stage build would leave behind.</p>\
             <table><thead><tr><th>leftover</th><th>bytes</th><th>files</th><th>layer</th><th>packages</th><th>largest</th></tr></thead>\
             <tbody>{rows}</tbody></table></section>",
            human_bytes(r.leftover_bytes)
        );
    }
    // largest files and directories
    let mut rows = String::new();
    for f in &r.largest_files {
        let _ = write!(
            rows,
            "<tr><td class=n>{}</td><td class=path>{}</td><td class=n>{}</td><td>{}</td><td>{}</td></tr>",
            human_bytes(f.size_bytes),
            esc(&f.path),
            f.layer,
            esc(f.package.as_deref().unwrap_or("")),
            esc(f.category.as_deref().unwrap_or(""))
        );
    }
    let mut dirs = String::new();
    for d in &r.largest_dirs {
        let _ = write!(
            dirs,
            "<tr><td class=n>{}</td><td class=path>{}</td><td class=n>{}</td><td class=n>{}</td><td>{}</td></tr>",
            human_bytes(d.size_bytes),
            esc(&d.path),
            d.files,
            d.layer,
            esc(d.package.as_deref().unwrap_or(""))
        );
    }
    let _ = write!(
        p.body,
        "<section id=largest><h2>Largest files</h2><table><thead><tr><th>size</th><th>path</th><th>layer</th><th>package</th><th>leftover</th></tr></thead>\
         <tbody>{rows}</tbody></table><h2>Largest directories</h2><table><thead><tr><th>size</th><th>path</th><th>files</th><th>layer</th><th>package</th></tr></thead>\
         <tbody>{dirs}</tbody></table></section>"
    );
    if !r.wasted_paths.is_empty() {
        let mut rows = String::new();
        for w in &r.wasted_paths {
            let _ = write!(
                rows,
                "<tr><td class=n>{}</td><td class=n>{}</td><td class=path>/{}{}</td></tr>",
                human_bytes(w.bytes),
                w.copies,
                esc(&w.path),
                if w.deleted { " (deleted)" } else { "" }
            );
        }
        let _ = write!(
            p.body,
            "<section id=wasted><h2>Wasted paths</h2><table><thead><tr><th>wasted</th><th>copies</th><th>path</th></tr></thead><tbody>{rows}</tbody></table></section>"
        );
    }
    if let Some(s) = source {
        p.source(s);
    }
    for w in &r.warnings {
        let _ = write!(p.body, "<p class=warn>warning: {}</p>", esc(w));
    }
}

/// Two images side by side: their treemaps and the directories whose bytes changed most.
pub fn compare(c: &crate::analyze::compare::Comparison, a: Option<&FileTree>, b: Option<&FileTree>) -> String {
    let mut p = Page::new("imgslim compare");
    let _ = write!(p.body, "<header><h1>{} → {}</h1><p>compare</p></header>", esc(&c.a.image), esc(&c.b.image));
    p.summary(&[
        ("before", human_bytes(c.a.size_bytes), c.a.size_bytes),
        ("after", human_bytes(c.b.size_bytes), c.b.size_bytes),
        ("change", format!("{} ({:+.1}%)", super::human_delta(i128::from(c.delta_bytes)), c.delta_percent), 0),
        ("pull before", human_bytes(c.a.compressed_bytes), c.a.compressed_bytes),
        ("pull after", human_bytes(c.b.compressed_bytes), c.b.compressed_bytes),
        ("shared layers", c.shared_layers.to_string(), 0),
    ]);
    p.body.push_str("<div class=pair>");
    if let Some(t) = a {
        p.treemap("a", &format!("Before: {}", c.a.image), t);
    }
    if let Some(t) = b {
        p.treemap("b", &format!("After: {}", c.b.image), t);
    }
    p.body.push_str("</div>");
    let table = |title: &str, id: &str, rows: &[crate::analyze::compare::Delta]| {
        let mut body = String::new();
        for d in rows {
            let _ = write!(
                body,
                "<tr><td class=path>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td></tr>",
                esc(&d.name),
                human_bytes(d.a_bytes),
                human_bytes(d.b_bytes),
                super::human_delta(i128::from(d.delta_bytes))
            );
        }
        format!(
            "<section id={id}><h2>{title}</h2><table><thead><tr><th></th><th>before</th><th>after</th><th>change</th></tr></thead>\
             <tbody>{body}</tbody></table></section>"
        )
    };
    p.body.push_str(&table("Largest differences (directories)", "differences", &c.paths));
    p.body.push_str(&table("Leftovers", "categories", &c.categories));
    if !c.packages_added.is_empty() || !c.packages_removed.is_empty() {
        let _ = write!(
            p.body,
            "<section id=packages><h2>Packages</h2><p>added: {}</p><p>removed: {}</p></section>",
            esc(&c.packages_added.join(", ")),
            esc(&c.packages_removed.join(", "))
        );
    }
    p.finish()
}

/// `analyze Dockerfile`: the estimate, the findings ranked by bytes, the proposed rewrite as a
/// diff, and the file with line anchors the findings link to.
pub fn dockerfile(
    files: &[(
        &Source,
        &crate::analyze::dockerfile::accounting::Accounting,
        &crate::rewrite::Outcome,
        &[crate::lint::Diagnostic],
        &crate::dockerfile::Dockerfile,
    )],
) -> String {
    use crate::rewrite::Outcome;
    let title = match files {
        [(s, ..)] => format!("imgslim: {}", s.path),
        many => format!("imgslim: {} Dockerfiles", many.len()),
    };
    let mut p = Page::new(&title);
    for (k, (src, a, outcome, diagnostics, df)) in files.iter().enumerate() {
        let anchor = |line: usize| if files.len() == 1 { format!("L{line}") } else { format!("F{k}L{line}") };
        let _ = write!(
            p.body,
            "<header><h1>{}</h1><p>estimates from the Dockerfile alone; base image {}</p></header>",
            esc(src.path),
            esc(&a.base_image)
        );
        let after = match outcome {
            Outcome::Rewritten(_) => a.rewrite_image_bytes.map(human_bytes).unwrap_or_else(|| "unknown".into()),
            _ => "no rewrite".into(),
        };
        p.summary(&[
            (
                "estimated image",
                a.image_bytes.map(human_bytes).unwrap_or_else(|| "unknown".into()),
                a.image_bytes.unwrap_or(0),
            ),
            (
                "base image",
                a.base_bytes.map(human_bytes).unwrap_or_else(|| "unknown".into()),
                a.base_bytes.unwrap_or(0),
            ),
            ("avoidable", human_bytes(a.findings_bytes), a.findings_bytes),
            ("after the rewrite", after, a.rewrite_image_bytes.unwrap_or(0)),
        ]);
        let mut causes = String::new();
        for c in a.by_cause.iter().filter(|c| c.bytes > 0) {
            let _ =
                write!(causes, "<tr><td>{}</td><td class=n>{}</td></tr>", esc(c.cause.as_str()), human_bytes(c.bytes));
        }
        let _ = write!(p.body, "<section class=causes><h2>The estimated image by cause</h2><table><tbody>{causes}</tbody></table></section>");
        let mut ranked: Vec<&crate::lint::Diagnostic> = diagnostics.iter().collect();
        ranked.sort_by(|x, y| {
            y.estimated_bytes.unwrap_or(0).cmp(&x.estimated_bytes.unwrap_or(0)).then(x.span.start.cmp(&y.span.start))
        });
        let _ = write!(p.body, "<section class=findings><h2>Findings, largest saving first</h2>");
        if ranked.is_empty() {
            p.body.push_str("<p>No findings.</p>");
        }
        for d in ranked {
            let (line, _) = df.line_col(d.span.start);
            let bytes = d.estimated_bytes.map(|b| format!(" · ~{}", human_bytes(b))).unwrap_or_default();
            let severity = d.severity.as_str();
            let _ = write!(
                p.body,
                "<div class=\"finding {severity}\" data-code=\"{}\" data-bytes=\"{}\"><b>{} {}</b> {severity}{bytes} · <a href=\"#{}\">line {line}</a><br>{}</div>",
                d.code,
                d.estimated_bytes.unwrap_or(0),
                d.code,
                esc(d.name),
                anchor(line),
                esc(&d.message)
            );
        }
        p.body.push_str("</section>");
        match outcome {
            Outcome::Rewritten(plan) => {
                let diff = similar::TextDiff::from_lines(src.text, plan.dockerfile.as_str());
                let mut body = String::new();
                for change in diff.iter_all_changes() {
                    let (class, sign) = match change.tag() {
                        similar::ChangeTag::Insert => ("add", '+'),
                        similar::ChangeTag::Delete => ("del", '-'),
                        similar::ChangeTag::Equal => ("", ' '),
                    };
                    let text = change.value().trim_end_matches('\n');
                    if class.is_empty() {
                        let _ = writeln!(body, "{sign} {}", esc(text));
                    } else {
                        let _ = write!(body, "<span class={class}>{sign} {}</span>", esc(text));
                    }
                }
                let _ = write!(
                    p.body,
                    "<section class=rewrite><h2>The rewrite: builder {} → runtime {}</h2><p><code>imgslim rewrite {}</code> writes it.</p><pre class=diff>{body}</pre></section>",
                    esc(&plan.builder_base),
                    esc(&plan.runtime_base),
                    esc(src.path)
                );
            }
            Outcome::AlreadyMultiStage { reason } => {
                let _ = write!(p.body, "<section class=rewrite><h2>Multi-stage</h2><p>{}</p></section>", esc(reason));
            }
            Outcome::Refused(r) => {
                let _ = write!(
                    p.body,
                    "<section class=rewrite><h2>No rewrite proposed</h2><p>{}</p></section>",
                    esc(&r.to_string())
                );
            }
        }
        let _ = write!(p.body, "<section class=dockerfile><h2>{}</h2><pre class=source>", esc(src.path));
        for (i, line) in src.text.lines().enumerate() {
            let id = anchor(i + 1);
            let _ =
                writeln!(p.body, "<span id=\"{id}\" class=line><a href=\"#{id}\">{}</a> {}</span>", i + 1, esc(line));
        }
        p.body.push_str("</pre></section>");
    }
    p.finish()
}
