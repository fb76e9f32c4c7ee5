use super::*;
use crate::data::estimates;
use crate::lint::context::diagnostic;
use crate::lint::{Category, Diagnostic, Rule, RuleMeta, Severity};

/// ## What it does
/// Finds `npm install`/`npm ci`/`yarn install`/`pnpm install` that install development
/// dependencies in the final stage (no `--omit=dev`, `--production` or `NODE_ENV=production`).
///
/// ## Why is this bad?
/// Compilers, bundlers, test and lint tools (TypeScript alone is 20 MB) end up in the image.
/// Build in a builder stage with them, then install production dependencies only in the final
/// stage (`imgslim rewrite` does this).
///
/// ## Example
/// ```dockerfile
/// FROM node:20-slim
/// COPY . .
/// RUN npm ci && npm run build
/// ```
///
/// ## Use instead
/// ```dockerfile
/// FROM node:20 AS build
/// COPY . .
/// RUN npm ci && npm run build
/// FROM node:20-slim
/// COPY package*.json ./
/// RUN npm ci --omit=dev
/// COPY --from=build /app/dist ./dist
/// ```
pub struct DevDependenciesInFinalStage;

const META: RuleMeta = RuleMeta {
    name: "dev-dependencies-in-final-stage",
    severity: Severity::Warning,
    category: Category::Size,
    aliases: &[],
    summary: "development dependencies installed in the final stage",
    fix: None,
};

fn production(c: &Command) -> bool {
    c.has_flag(&["--production", "--prod", "-P"])
        || c.args().iter().any(|w| {
            matches!(w.text.as_str(), "--omit=dev" | "--only=prod" | "--only=production") || w.text == "--omit"
        })
        || c.assignments.iter().any(|(k, v)| k == "NODE_ENV" && v == "production")
}

impl Rule for DevDependenciesInFinalStage {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn kinds(&self) -> &'static [&'static str] {
        &["run"]
    }
    fn check(&self, cx: &Context, at: &At, out: &mut Vec<Diagnostic>) {
        if !cx.is_final(at.stage) || var(cx, at, "NODE_ENV") == Some("production") {
            return;
        }
        for c in commands(cx, at) {
            let sub = subcommand(c);
            let installs = matches!(
                (c.name(), sub),
                ("npm", Some("install" | "i" | "ci"))
                    | ("yarn", None | Some("install"))
                    | ("pnpm", Some("install" | "i"))
            );
            // `npm install <pkg>` adds a package; only whole-project installs bring dev dependencies
            let whole_project = positionals(c).len() <= 1;
            if installs && whole_project && !production(c) {
                let bytes = estimates().npm.dev_dependencies;
                out.push(
                    diagnostic(
                        &META,
                        command_span(cx, at, c),
                        format!(
                            "`{} {}` installs development dependencies ({} estimated) in the final image",
                            c.name(),
                            sub.unwrap_or("install"),
                            human(bytes)
                        ),
                    )
                    .with_estimate(
                        bytes,
                        "typical development dependencies of a TypeScript application (rules/estimates.toml)",
                    ),
                );
            }
        }
    }
}
