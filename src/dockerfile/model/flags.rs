//! Instruction flags with BuildKit's rules (`BFlags`): `--name` or `--name=value`, known names only,
//! booleans accept `true`/`false`, string flags need a value, only list flags repeat.

use crate::dockerfile::syntax::{Span, Token};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Bool,
    Str,
    List,
}

/// A flag an instruction accepts.
pub type Spec = (&'static str, Kind);

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Flags {
    values: BTreeMap<String, Flag>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Flag {
    /// String flags: the value; booleans: "true"/"false".
    pub value: String,
    /// List flags: every value, in order.
    pub values: Vec<String>,
    /// Where each occurrence was written.
    pub spans: Vec<Span>,
}

impl Flags {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(|f| f.value.as_str())
    }
    pub fn is_true(&self, name: &str) -> bool {
        self.get(name) == Some("true")
    }
    pub fn list(&self, name: &str) -> &[String] {
        self.values.get(name).map_or(&[], |f| &f.values)
    }
    pub fn flag(&self, name: &str) -> Option<&Flag> {
        self.values.get(name)
    }
    pub fn is_used(&self, name: &str) -> bool {
        self.values.contains_key(name)
    }
}

/// Closest known name for a "did you mean" hint (edit distance at most 2).
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    fn distance(a: &str, b: &str) -> usize {
        let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
        let mut prev: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.iter().enumerate() {
            let mut cur = vec![i + 1];
            for (j, cb) in b.iter().enumerate() {
                let sub = prev[j] + usize::from(ca != cb);
                cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
            }
            prev = cur;
        }
        prev[b.len()]
    }
    let word = word.to_ascii_lowercase();
    candidates.into_iter().map(|c| (distance(&word, c), c)).filter(|(d, _)| *d <= 2).min().map(|(_, c)| c)
}

/// Parse flags as `BFlags.Parse` does.
pub fn parse(tokens: &[Token], spec: &[Spec]) -> Result<Flags, String> {
    let mut flags = Flags::default();
    for t in tokens {
        let a = t.text.as_str();
        if a == "--" {
            break;
        }
        let Some(stripped) = a.strip_prefix("--") else {
            return Err(format!("arg should start with -- : {a}"));
        };
        let (name, value) = match stripped.split_once('=') {
            Some((n, v)) => (n, Some(v)),
            None => (stripped, None),
        };
        let flag_name = format!("--{name}");
        let Some(&(_, kind)) = spec.iter().find(|(n, _)| *n == name) else {
            let mut msg = format!("unknown flag: {flag_name}");
            if let Some(s) = suggest(name, spec.iter().map(|(n, _)| *n)) {
                msg.push_str(&format!(" (did you mean {s}?)"));
            }
            return Err(msg);
        };
        if flags.values.contains_key(name) && kind != Kind::List {
            return Err(format!("duplicate flag specified: {flag_name}"));
        }
        let entry = flags.values.entry(name.to_string()).or_insert_with(|| Flag {
            value: String::new(),
            values: Vec::new(),
            spans: Vec::new(),
        });
        entry.spans.push(t.span);
        match kind {
            Kind::Bool => {
                if value == Some("") {
                    return Err(format!("missing a value on flag: {flag_name}"));
                }
                entry.value = match value.map(str::to_ascii_lowercase).as_deref() {
                    None | Some("true") => "true".into(),
                    Some("false") => "false".into(),
                    Some(_) => {
                        return Err(format!(
                            "expecting boolean value for flag {flag_name}, not: {}",
                            value.unwrap_or_default()
                        ))
                    }
                };
            }
            Kind::Str => {
                let Some(v) = value else {
                    return Err(format!("missing a value on flag: {flag_name}"));
                };
                entry.value = v.to_string();
            }
            Kind::List => {
                let Some(v) = value else {
                    return Err(format!("missing a value on flag: {flag_name}"));
                };
                entry.values.push(v.to_string());
            }
        }
    }
    Ok(flags)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(v: &[&str]) -> Vec<Token> {
        v.iter().map(|s| Token { text: s.to_string(), span: Span::default() }).collect()
    }
    const SPEC: &[Spec] = &[("from", Kind::Str), ("link", Kind::Bool), ("exclude", Kind::List)];

    #[test]
    fn rules() {
        let f = parse(&toks(&["--from=a", "--link", "--exclude=x", "--exclude=y"]), SPEC).unwrap();
        assert_eq!(
            (f.get("from"), f.is_true("link"), f.list("exclude")),
            (Some("a"), true, &["x".to_string(), "y".into()][..])
        );
        assert_eq!(parse(&toks(&["--link=FALSE"]), SPEC).unwrap().get("link"), Some("false"));
        assert_eq!(parse(&toks(&["--form=a"]), SPEC).unwrap_err(), "unknown flag: --form (did you mean from?)");
        assert_eq!(parse(&toks(&["--from"]), SPEC).unwrap_err(), "missing a value on flag: --from");
        assert_eq!(parse(&toks(&["--from=a", "--from=b"]), SPEC).unwrap_err(), "duplicate flag specified: --from");
        assert_eq!(
            parse(&toks(&["--link=yes"]), SPEC).unwrap_err(),
            "expecting boolean value for flag --link, not: yes"
        );
        assert_eq!(parse(&toks(&["--link="]), SPEC).unwrap_err(), "missing a value on flag: --link");
    }
}
