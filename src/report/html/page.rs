//! The page skeleton every HTML report shares: head with the inline style, sections, the JSON
//! island the script reads, and the inline script.

use super::Source;
use crate::analyze::tree::FileTree;
use std::fmt::Write;

const STYLE: &str = include_str!("report.css");
const SCRIPT: &str = include_str!("report.js");

/// Escape text for HTML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

pub struct Page {
    title: String,
    pub body: String,
    data: serde_json::Map<String, serde_json::Value>,
}

impl Page {
    pub fn new(title: &str) -> Page {
        Page { title: title.to_string(), body: String::new(), data: serde_json::Map::new() }
    }

    /// Put a value in the page's JSON island (`data[key]` for the script).
    pub fn data(&mut self, key: &str, value: serde_json::Value) {
        self.data.insert(key.to_string(), value);
    }

    /// The headline figures: (label, shown text, bytes for `data-bytes`).
    pub fn summary(&mut self, items: &[(&str, String, u64)]) {
        self.body.push_str("<section id=summary><dl class=figures>");
        for (label, text, bytes) in items {
            let _ = write!(
                self.body,
                "<div data-figure=\"{}\" data-bytes=\"{bytes}\"><dt>{}</dt><dd>{}</dd></div>",
                esc(label),
                esc(label),
                esc(text)
            );
        }
        self.body.push_str("</dl></section>");
    }

    /// A treemap of `tree` (drawn by the script into `#treemap-ID`).
    pub fn treemap(&mut self, id: &str, title: &str, tree: &FileTree) {
        let _ = write!(
            self.body,
            "<section class=treemap-section id=\"section-{id}\"><h2>{}</h2>\
             <div class=controls><span>colour by</span> <button type=button data-colour=category data-for=\"{id}\" aria-pressed=true>leftover category</button>\
             <button type=button data-colour=layer data-for=\"{id}\" aria-pressed=false>layer</button>\
             <nav class=crumbs id=\"crumbs-{id}\" aria-label=\"current directory\"></nav></div>\
             <div class=treemap id=\"treemap-{id}\" data-tree=\"{id}\" role=group aria-label=\"{} treemap: {} in {} files\"></div><div class=legend id=\"legend-{id}\"></div>\
             <noscript><p>The treemap needs JavaScript; the tables have the same figures.</p></noscript></section>",
            esc(title),
            esc(title),
            super::human_bytes(tree.root().bytes),
            tree.root().files
        );
        let trees = self.data.entry("trees").or_insert_with(|| serde_json::json!({}));
        trees[id] = super::tree_json(tree, super::TREEMAP_NODES);
    }

    /// The Dockerfile, one anchor per line.
    pub fn source(&mut self, s: &Source) {
        let _ = write!(self.body, "<section id=dockerfile><h2>{}</h2><pre class=source>", esc(s.path));
        for (i, line) in s.text.lines().enumerate() {
            let n = i + 1;
            let _ = writeln!(self.body, "<span id=\"L{n}\" class=line><a href=\"#L{n}\">{n}</a> {}</span>", esc(line));
        }
        self.body.push_str("</pre></section>");
    }

    pub fn finish(mut self) -> String {
        let categories = &crate::analyze::catalog::Catalog::builtin().names;
        self.data.insert("categories".into(), serde_json::json!(categories));
        // `</script>` (or `<!--`) inside the island would end it: no `<` reaches the page raw
        let data = serde_json::Value::Object(self.data).to_string().replace('<', "\\u003c");
        format!(
            "<!doctype html>\n<html lang=en><head><meta charset=utf-8><meta name=viewport content=\"width=device-width,initial-scale=1\">\
             <meta name=generator content=\"imgslim {}\"><title>{}</title><style>{STYLE}</style></head><body>\n{}\n\
             <pre id=selftest-result hidden></pre>\n<script type=application/json id=data>{data}</script>\n<script>{SCRIPT}</script>\n</body></html>\n",
            env!("CARGO_PKG_VERSION"),
            esc(&self.title),
            self.body
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_keeps_markup_and_island_closed() {
        assert_eq!(esc("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
        let mut p = Page::new("t");
        p.data("x", serde_json::json!("</script><script>alert(1)</script>"));
        let html = p.finish();
        assert_eq!(html.matches("</script>").count(), 2, "only the island's and the script's own end tags");
    }
}
