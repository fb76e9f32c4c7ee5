use crate::dockerfile::model::Kind;
use crate::lint::context::diagnostic;
use crate::lint::{Category, Context, Diagnostic, Rule, RuleMeta, Severity};

/// ## What it does
/// With a label schema (`label-schema` in imgslim.toml's `[lint]` or in `.hadolint.yaml`):
/// finds labels of the final stage that are missing, empty, or not of their kind (`text`, `url`,
/// `email`, `rfc3339`, `semver`, `hash`, `spdx`), and with `strict-labels` labels the schema
/// does not name. Off without a schema.
///
/// ## Why is this bad?
/// Registries, scanners and dashboards read these labels; a missing or malformed one leaves an
/// image that cannot be traced to its source, owner or licence.
///
/// ## Example
/// ```dockerfile
/// # label-schema: { version: semver }
/// LABEL version="one"
/// ```
///
/// ## Use instead
/// ```dockerfile
/// LABEL version="1.0.0"
/// ```
pub struct LabelSchema;

const META: RuleMeta = RuleMeta {
    name: "label-schema",
    severity: Severity::Warning,
    category: Category::Style,
    aliases: &["DL3048", "DL3049", "DL3050", "DL3051", "DL3052", "DL3053", "DL3054", "DL3055", "DL3056", "DL3058"],
    summary: "a label the schema asks for is missing, empty or malformed",
    fix: None,
};

/// Does `value` have the kind the schema names? (None: an unknown kind.)
fn conforms(kind: &str, value: &str) -> Option<bool> {
    let v = value.trim();
    Some(match kind {
        "text" => true,
        "url" => v.split_once("://").is_some_and(|(scheme, rest)| {
            !scheme.is_empty()
                && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
                && !rest.is_empty()
        }),
        "email" => {
            v.split_once('@').is_some_and(|(a, d)| !a.is_empty() && d.contains('.') && !v.contains(char::is_whitespace))
        }
        "rfc3339" => {
            let b = v.as_bytes();
            b.len() >= 20
                && b[4] == b'-'
                && b[7] == b'-'
                && matches!(b[10], b'T' | b't' | b' ')
                && b[13] == b':'
                && b[16] == b':'
                && [0..4, 5..7, 8..10, 11..13, 14..16, 17..19]
                    .iter()
                    .all(|r| b[r.clone()].iter().all(u8::is_ascii_digit))
                && (v.ends_with(['Z', 'z']) || v[19..].contains(['+', '-']))
        }
        "semver" => {
            let core = v.split(['-', '+']).next().unwrap_or("");
            let parts: Vec<&str> = core.split('.').collect();
            parts.len() == 3 && parts.iter().all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
        }
        "hash" => (7..=64).contains(&v.len()) && v.chars().all(|c| c.is_ascii_hexdigit()),
        "spdx" => {
            !v.is_empty()
                && v.split_whitespace().all(|t| {
                    matches!(t, "AND" | "OR" | "WITH")
                        || t.trim_matches(['(', ')']).chars().all(|c| c.is_ascii_alphanumeric() || "-.+:".contains(c))
                })
        }
        _ => return None,
    })
}

impl Rule for LabelSchema {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn check_file(&self, cx: &Context, out: &mut Vec<Diagnostic>) {
        let schema = &cx.settings.label_schema;
        if schema.is_empty() {
            return;
        }
        let Some(st) = cx.model.final_stage() else { return };
        // the stages the final one is built FROM, oldest first: their labels are inherited
        let mut chain = vec![st.index];
        while let Some(p) = cx.model.stage_ref(&cx.base_image(chain[chain.len() - 1]), chain[chain.len() - 1]) {
            if chain.contains(&p) {
                break;
            }
            chain.push(p);
        }
        chain.reverse();
        // the labels, the last one of a key winning, with where it was set (keys and values as
        // the builder sees them: quotes removed); indexed by key, so many labels stay linear
        let mut set: Vec<(String, String, usize)> = Vec::new();
        let mut at: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        for &si in &chain {
            for c in &cx.model.stages[si].commands {
                if let Kind::Label { labels } = &c.kind {
                    for kv in labels {
                        let key = crate::dockerfile::shell::unquote(&kv.key);
                        let value = crate::dockerfile::shell::unquote(&kv.value);
                        match at.get(&key) {
                            Some(&i) => set[i] = (key, value, c.instruction),
                            None => {
                                at.insert(key.clone(), set.len());
                                set.push((key, value, c.instruction));
                            }
                        }
                    }
                }
            }
        }
        for (key, kind) in schema {
            match at.get(key).map(|&i| &set[i]) {
                None => out.push(diagnostic(
                    &META,
                    cx.first_line_span(st.instruction),
                    format!("the final stage has no label {key:?} ({kind}), which the label schema asks for"),
                )),
                Some((_, value, ins)) if value.trim().is_empty() => out.push(diagnostic(
                    &META,
                    cx.first_line_span(*ins),
                    format!("label {key:?} is empty"),
                )),
                Some((_, value, ins)) => match conforms(kind, value) {
                    Some(true) => {}
                    Some(false) => out.push(diagnostic(
                        &META,
                        cx.first_line_span(*ins),
                        format!("label {key:?} is not a valid {kind}: {value:?}"),
                    )),
                    None => out.push(diagnostic(
                        &META,
                        cx.first_line_span(*ins),
                        format!("the label schema gives {key:?} an unknown kind {kind:?} (text, url, email, rfc3339, semver, hash, spdx)"),
                    )),
                },
            }
        }
        if cx.settings.strict_labels {
            let named: std::collections::HashSet<&str> = schema.iter().map(|(k, _)| k.as_str()).collect();
            for (key, _, ins) in &set {
                if !named.contains(key.as_str()) {
                    out.push(diagnostic(
                        &META,
                        cx.first_line_span(*ins),
                        format!("label {key:?} is not in the label schema (strict-labels)"),
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::conforms;

    #[test]
    fn kinds() {
        assert_eq!(conforms("url", "https://example.com/x"), Some(true));
        assert_eq!(conforms("url", "example.com"), Some(false));
        assert_eq!(conforms("email", "a@b.io"), Some(true));
        assert_eq!(conforms("rfc3339", "2024-01-02T03:04:05Z"), Some(true));
        assert_eq!(conforms("rfc3339", "2024-01-02"), Some(false));
        assert_eq!(conforms("semver", "1.2.3-rc.1"), Some(true));
        assert_eq!(conforms("semver", "one"), Some(false));
        assert_eq!(conforms("hash", "0123abc"), Some(true));
        assert_eq!(conforms("spdx", "MIT OR Apache-2.0"), Some(true));
        assert_eq!(conforms("colour", "red"), None);
    }
}
