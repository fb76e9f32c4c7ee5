use super::*;
use crate::data::debian_install_size;
use crate::lint::context::diagnostic;
use crate::lint::{Category, Diagnostic, Rule, RuleMeta, Severity};

/// ## What it does
/// Finds compilers and `-dev` packages (gcc, build-essential, python3-dev, libpq-dev, ...)
/// installed in the final stage and not purged in the same RUN.
///
/// ## Why is this bad?
/// A compiler and headers are needed to build, not to run: gcc alone brings 179 MB on Debian
/// bookworm. Install them in a builder stage; the final stage needs only the runtime libraries
/// (`libpq5` instead of `libpq-dev`).
///
/// ## Example
/// ```dockerfile
/// FROM python:3.11-slim
/// RUN apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev \
///     && pip install --no-cache-dir psycopg2 && rm -rf /var/lib/apt/lists/*
/// ```
///
/// ## Use instead
/// ```dockerfile
/// FROM python:3.11-slim AS build
/// RUN apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev
/// RUN pip wheel --wheel-dir /wheels psycopg2
/// FROM python:3.11-slim
/// RUN apt-get update && apt-get install -y --no-install-recommends libpq5 && rm -rf /var/lib/apt/lists/*
/// COPY --from=build /wheels /wheels
/// RUN pip install --no-cache-dir /wheels/*
/// ```
pub struct BuildDepsInFinalStage;

const META: RuleMeta = RuleMeta {
    name: "build-deps-in-final-stage",
    severity: Severity::Warning,
    category: Category::Size,
    aliases: &[],
    summary: "compilers or -dev packages installed in the final stage",
    fix: None,
};

fn purged(cmds: &[Command], pkg: &str) -> bool {
    cmds.iter().any(|c| {
        (is_apt(c, &["purge", "remove", "autoremove"]) && (packages(c).iter().any(|p| p == pkg)))
            || (c.name() == "apk" && subcommand(c) == Some("del"))
    })
}

impl Rule for BuildDepsInFinalStage {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn kinds(&self) -> &'static [&'static str] {
        &["run"]
    }
    fn check(&self, cx: &Context, at: &At, out: &mut Vec<Diagnostic>) {
        if !cx.is_final(at.stage) {
            return;
        }
        let cmds = commands(cx, at);
        for c in cmds {
            // an `apk add --virtual` group is meant to be deleted again
            let Some(install) = package_command(c)
                .filter(|p| p.action == Action::Install && p.virtual_name.is_none() && p.manager != Manager::Zypper)
            else {
                continue;
            };
            let pkgs = install.packages;
            let build: Vec<&str> =
                pkgs.iter().map(String::as_str).filter(|p| build_only_package(p) && !purged(cmds, p)).collect();
            if build.is_empty() {
                continue;
            }
            let (bytes, known) = debian_install_size(&build, false);
            let how = if known {
                "dependency closure of these Debian bookworm packages (rules/debian-bookworm.toml)"
            } else {
                "the known packages' closure; some are not in rules/debian-bookworm.toml"
            };
            out.push(
                diagnostic(
                    &META,
                    command_span(cx, at, c),
                    format!(
                        "build-only packages in the final image: {} ({} estimated); install them in a builder stage",
                        build.join(", "),
                        human(bytes)
                    ),
                )
                .with_estimate(bytes, how),
            );
        }
    }
}
