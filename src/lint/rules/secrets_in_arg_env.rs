use crate::dockerfile::model::Kind;
use crate::lint::context::diagnostic;
use crate::lint::{At, Category, Context, Diagnostic, Rule, RuleMeta, Severity};
use std::sync::OnceLock;

/// ## What it does
/// Finds ARG and ENV names that look like secrets (`API_KEY`, `DB_PASSWORD`, `GITHUB_TOKEN`,
/// `AUTH`...), as Docker's build check does.
///
/// ## Why is this bad?
/// ENV values are stored in the image config; ARG values in the build history. Anyone who can
/// pull the image can read them. Use a secret mount (`RUN --mount=type=secret,id=token`).
///
/// ## Example
/// ```dockerfile
/// ARG NPM_TOKEN
/// RUN echo "//registry.npmjs.org/:_authToken=$NPM_TOKEN" > .npmrc && npm ci
/// ```
///
/// ## Use instead
/// ```dockerfile
/// RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci
/// ```
pub struct SecretsInArgEnv;

const META: RuleMeta = RuleMeta {
    name: "secrets-in-arg-env",
    severity: Severity::Warning,
    category: Category::Security,
    aliases: &["SecretsUsedInArgOrEnv"],
    summary: "a secret-looking name in ARG or ENV",
    fix: None,
};

fn patterns() -> &'static (regex::Regex, regex::Regex) {
    static P: OnceLock<(regex::Regex, regex::Regex)> = OnceLock::new();
    P.get_or_init(|| {
        let deny = r"(?i)(?:_|^)(?:apikey|auth|credential|credentials|key|password|pword|passwd|secret|token)(?:_|$)";
        let allow = r"(?i)(?:_|^)(?:public|file|version)(?:_|$)";
        (
            regex::Regex::new(deny).unwrap_or_else(|e| panic!("{e}")),
            regex::Regex::new(allow).unwrap_or_else(|e| panic!("{e}")),
        )
    })
}

pub fn looks_secret(name: &str) -> bool {
    let (deny, allow) = patterns();
    deny.is_match(name) && !allow.is_match(name)
}

impl Rule for SecretsInArgEnv {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn kinds(&self) -> &'static [&'static str] {
        &["arg", "env"]
    }
    fn check(&self, cx: &Context, at: &At, out: &mut Vec<Diagnostic>) {
        let (what, names): (&str, Vec<&str>) = match &at.cmd.kind {
            Kind::Arg { args } => ("ARG", args.iter().map(|a| a.key.as_str()).collect()),
            Kind::Env { vars } => ("ENV", vars.iter().map(|v| v.key.as_str()).collect()),
            _ => return,
        };
        for n in names.into_iter().filter(|n| looks_secret(n)) {
            out.push(diagnostic(
                &META,
                cx.first_line_span(at.cmd.instruction),
                format!("{what} {n} looks like a secret: it is stored in the image; use a secret mount"),
            ));
        }
    }

    fn check_file(&self, cx: &Context, out: &mut Vec<Diagnostic>) {
        for c in &cx.model.meta_args {
            if let Kind::Arg { args } = &c.kind {
                for a in args.iter().filter(|a| looks_secret(&a.key)) {
                    out.push(diagnostic(
                        &META,
                        cx.first_line_span(c.instruction),
                        format!("ARG {} looks like a secret: it is stored in the build history", a.key),
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn names() {
        for n in ["API_KEY", "password", "GITHUB_TOKEN", "AUTH", "secret_message", "AWS_SECRET_ACCESS_KEY"] {
            assert!(super::looks_secret(n), "{n}");
        }
        for n in ["KEYBOARD", "PUBLIC_KEY", "TOKEN_FILE", "NODE_VERSION", "PATH", "MONKEY"] {
            assert!(!super::looks_secret(n), "{n}");
        }
    }
}
