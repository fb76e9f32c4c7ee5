use super::*;
use crate::data::estimates;
use crate::lint::context::diagnostic;
use crate::lint::{Category, Diagnostic, Rule, RuleMeta, Severity};

/// ## What it does
/// Finds `npm install`/`npm ci`, `yarn install` and `pnpm install` whose RUN does not clean the
/// package manager's cache (and has no cache mount for it), in a stage that ends up in the image.
///
/// ## Why is this bad?
/// npm keeps every tarball it fetched in `~/.npm/_cacache`, yarn in its cache folder, pnpm in its
/// store: often 100 MB or more beside `node_modules`.
///
/// ## Example
/// ```dockerfile
/// RUN npm ci --omit=dev
/// ```
///
/// ## Use instead
/// ```dockerfile
/// RUN npm ci --omit=dev && npm cache clean --force
/// ```
pub struct JsPackageCache;

const META: RuleMeta = RuleMeta {
    name: "js-package-cache",
    severity: Severity::Warning,
    category: Category::Size,
    aliases: &["DL3060"],
    summary: "npm/yarn/pnpm install without cleaning the cache",
    fix: Some("Clean the package cache in the same RUN"),
};

/// (tool, clean command, cache directory) for an install command.
fn install(c: &Command) -> Option<(&'static str, Cache)> {
    let sub = subcommand(c);
    match (c.name(), sub) {
        ("npm", Some("install" | "i" | "ci" | "add")) => Some(("npm", Cache::Npm)),
        ("yarn", None | Some("install" | "add")) => Some(("yarn", Cache::Yarn)),
        ("pnpm", Some("install" | "i" | "add")) => Some(("pnpm", Cache::Pnpm)),
        _ => None,
    }
}

impl Rule for JsPackageCache {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn kinds(&self) -> &'static [&'static str] {
        &["run"]
    }
    fn check(&self, cx: &Context, at: &At, out: &mut Vec<Diagnostic>) {
        if !cx.in_final_image(at.stage) {
            return;
        }
        let cmds = commands(cx, at);
        let Some((cmd, (tool, cache))) = cmds.iter().find_map(|c| install(c).map(|i| (c, i))) else { return };
        let clean = cache.clean_command().unwrap_or_default();
        let cleaned = cmds.iter().any(|c| cache.cleaned_by(c));
        let mounted = run_of(at).is_some_and(|r| {
            r.mounts.iter().any(|m| {
                m.target.as_deref().is_some_and(|t| {
                    t.contains(".npm") || t.contains("yarn") || t.contains("pnpm") || t.contains(".cache")
                })
            })
        });
        if cleaned || mounted || var(cx, at, "npm_config_cache").is_some() {
            return;
        }
        let bytes = if tool == "yarn" { estimates().yarn.cache } else { estimates().npm.cache };
        let d = diagnostic(
            &META,
            command_span(cx, at, cmd),
            format!(
                "`{tool}` leaves its download cache ({} estimated) in the layer: run `{clean}` in the same RUN",
                human(bytes)
            ),
        )
        .with_estimate(bytes, "typical package cache of an application (rules/estimates.toml)");
        out.push(fix_by_appending(d, cx, at, &META, clean));
    }
}
