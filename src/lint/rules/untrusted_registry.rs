use crate::lint::context::diagnostic;
use crate::lint::{Category, Context, Diagnostic, Rule, RuleMeta, Severity};

/// ## What it does
/// With trusted registries set (`trusted-registries` in imgslim.toml's `[lint]`, or hadolint's
/// `trustedRegistries`): finds base images pulled from any other registry. Patterns may use `*`
/// (`*.gcr.io`); an image without a registry comes from `docker.io`. Off without a list.
///
/// ## Why is this bad?
/// A base image is code that runs in every build and ships in every image; one from a registry
/// nobody vetted is a supply-chain risk.
///
/// ## Example
/// ```dockerfile
/// # trusted-registries = ["my-company.com"]
/// FROM quay.io/someone/base:1.0
/// ```
///
/// ## Use instead
/// ```dockerfile
/// FROM my-company.com/base:1.0
/// ```
pub struct UntrustedRegistry;

const META: RuleMeta = RuleMeta {
    name: "untrusted-registry",
    severity: Severity::Warning,
    category: Category::Security,
    aliases: &["DL3026"],
    summary: "a base image comes from a registry not in the trusted list",
    fix: None,
};

/// The registry of an image reference (`docker.io` when it names none), as Docker decides it:
/// the first component is a registry when it has a `.` or `:` or is `localhost`.
pub fn registry_of(image: &str) -> &str {
    match image.split_once('/') {
        Some((first, _)) if first.contains(['.', ':']) || first == "localhost" => first,
        _ => "docker.io",
    }
}

/// `*` matches any run of characters (case-insensitive; linear: the last `*` is retried once
/// per position, never every star at every position).
fn glob(pattern: &str, s: &str) -> bool {
    let p: Vec<char> = pattern.chars().flat_map(char::to_lowercase).collect();
    let t: Vec<char> = s.chars().flat_map(char::to_lowercase).collect();
    let (mut i, mut j) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while j < t.len() {
        if i < p.len() && p[i] == '*' {
            star = Some((i, j));
            i += 1;
        } else if i < p.len() && p[i] == t[j] {
            i += 1;
            j += 1;
        } else if let Some((si, sj)) = star {
            i = si + 1;
            j = sj + 1;
            star = Some((si, sj + 1));
        } else {
            return false;
        }
    }
    p[i..].iter().all(|&c| c == '*')
}

impl Rule for UntrustedRegistry {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn check_file(&self, cx: &Context, out: &mut Vec<Diagnostic>) {
        let trusted = &cx.settings.trusted_registries;
        if trusted.is_empty() {
            return;
        }
        for st in &cx.model.stages {
            let base = cx.base_image(st.index);
            if base == "scratch" || base.contains('$') || cx.model.stage_ref(&base, st.index).is_some() {
                continue;
            }
            let reg = registry_of(&base);
            let ok = trusted.iter().any(|t| glob(t, reg) || (reg == "docker.io" && glob(t, "index.docker.io")));
            if !ok {
                out.push(diagnostic(
                    &META,
                    cx.first_line_span(st.instruction),
                    format!("{base} comes from {reg}, which is not a trusted registry ({})", trusted.join(", ")),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registries_and_globs() {
        assert_eq!(registry_of("python:3.11"), "docker.io");
        assert_eq!(registry_of("library/python"), "docker.io");
        assert_eq!(registry_of("quay.io/a/b:1"), "quay.io");
        assert_eq!(registry_of("localhost:5000/x"), "localhost:5000");
        assert!(glob("*.gcr.io", "eu.gcr.io"));
        assert!(!glob("*.gcr.io", "gcr.io.evil.com"));
        assert!(glob("my-company.com:500", "my-company.com:500"));
        assert!(glob("*-*.corp.com", "eu-west.corp.com") && !glob("*-*.corp.com", "euwest.corp.com"));
        assert!(glob("*", "") && !glob("a", ""));
    }
}
