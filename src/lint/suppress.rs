//! Suppressions written in the Dockerfile: `# imgslim ignore=CODE[,CODE]` above an instruction,
//! `# imgslim global ignore=...` anywhere, hadolint's `# hadolint ignore=DL3008` and
//! `# hadolint global ignore=...`, and BuildKit's `# check=skip=Rule1,Rule2` (or `skip=all`)
//! directive. Codes match a rule's code, name or any of its aliases, case-insensitively.

use super::Diagnostic;
use crate::dockerfile::{Dockerfile, Item};
use std::collections::HashSet;

#[derive(Debug, Default)]
pub struct Suppressions {
    global: HashSet<String>,
    /// Per instruction (index among the file's instructions).
    local: Vec<HashSet<String>>,
}

fn codes_after(text: &str, key: &str) -> Option<Vec<String>> {
    let rest = text.trim().strip_prefix(key)?.trim_start();
    let rest = rest.strip_prefix("ignore=")?;
    Some(rest.split([',', ' ']).filter(|c| !c.is_empty()).map(|c| c.trim().to_ascii_lowercase()).collect())
}

/// Parse one comment's text (without the `#`): (global, codes).
fn parse_comment(text: &str) -> Option<(bool, Vec<String>)> {
    for tool in ["imgslim", "hadolint"] {
        let t = text.trim();
        let Some(rest) = t.strip_prefix(tool) else { continue };
        let rest = rest.trim_start();
        if let Some(codes) = codes_after(rest, "global") {
            return Some((true, codes));
        }
        if let Some(codes) = rest
            .strip_prefix("ignore=")
            .map(|r| r.split([',', ' ']).filter(|c| !c.is_empty()).map(|c| c.to_ascii_lowercase()).collect::<Vec<_>>())
        {
            return Some((false, codes));
        }
    }
    None
}

impl Suppressions {
    pub fn parse(df: &Dockerfile) -> Suppressions {
        let mut s = Suppressions::default();
        for item in &df.items {
            match item {
                Item::Comment { span } => {
                    let text = df.text(*span).trim().trim_start_matches('#');
                    if let Some((true, codes)) = parse_comment(text) {
                        s.global.extend(codes);
                    }
                }
                Item::Instruction(ins) => {
                    let mut local = HashSet::new();
                    for c in &ins.comments {
                        match parse_comment(c) {
                            Some((true, codes)) => s.global.extend(codes),
                            Some((false, codes)) => local.extend(codes),
                            None => {}
                        }
                    }
                    s.local.push(local);
                }
                Item::Directive(d) if d.name == "check" => {
                    for part in d.value.split(';') {
                        if let Some(skip) = part.trim().strip_prefix("skip=") {
                            s.global.extend(skip.split(',').map(|c| c.trim().to_ascii_lowercase()));
                        }
                    }
                }
                _ => {}
            }
        }
        s
    }

    fn matches(set: &HashSet<String>, d: &Diagnostic, aliases: &[&str]) -> bool {
        set.contains("all")
            || set.contains(&d.code.to_ascii_lowercase())
            || set.contains(d.name)
            || aliases.iter().any(|a| set.contains(&a.to_ascii_lowercase()))
    }

    /// Is the diagnostic suppressed? `instruction` is the one it points into.
    pub fn suppresses(&self, d: &Diagnostic, aliases: &[&str], instruction: Option<usize>) -> bool {
        Self::matches(&self.global, d, aliases)
            || instruction.and_then(|i| self.local.get(i)).is_some_and(|set| Self::matches(set, d, aliases))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments() {
        assert_eq!(parse_comment(" imgslim ignore=IS101,IS102"), Some((false, vec!["is101".into(), "is102".into()])));
        assert_eq!(
            parse_comment("hadolint ignore=DL3008 DL3015"),
            Some((false, vec!["dl3008".into(), "dl3015".into()]))
        );
        assert_eq!(parse_comment("hadolint global ignore=DL3006"), Some((true, vec!["dl3006".into()])));
        assert_eq!(parse_comment("just a comment"), None);
    }
}
