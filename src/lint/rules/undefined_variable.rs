use crate::data::ImageRef;
use crate::dockerfile::model::expand::IMPLICIT_ARGS;
use crate::lint::context::diagnostic;
use crate::lint::{At, Category, Context, Diagnostic, Rule, RuleMeta, Severity};

/// ## What it does
/// Finds variables used in instructions the builder expands (COPY, ADD, ENV, LABEL, WORKDIR,
/// USER, EXPOSE, VOLUME, STOPSIGNAL, ARG defaults) that are neither declared with ARG nor set with
/// ENV before, in stages whose environment is known: `scratch`, stages of this file, and official
/// images (whose usual variables, such as `PATH` or `PYTHON_VERSION`, count as defined).
///
/// ## Why is this bad?
/// An undefined variable expands to nothing: `COPY $SRC /app` copies the whole context. ARGs
/// declared before the first FROM must be declared again inside the stage to be visible.
///
/// ## Example
/// ```dockerfile
/// ARG VERSION=1.0
/// FROM alpine
/// LABEL version=$VERSION
/// ```
///
/// ## Use instead
/// ```dockerfile
/// ARG VERSION=1.0
/// FROM alpine
/// ARG VERSION
/// LABEL version=$VERSION
/// ```
pub struct UndefinedVariable;

const META: RuleMeta = RuleMeta {
    name: "undefined-variable",
    severity: Severity::Warning,
    category: Category::Correctness,
    aliases: &["UndefinedVar"],
    summary: "a variable used before it is defined",
    fix: None,
};

/// Variables official images set in their config.
const IMAGE_ENV: &[&str] = &[
    "PATH",
    "HOME",
    "HOSTNAME",
    "LANG",
    "LC_ALL",
    "TERM",
    "GPG_KEY",
    "PYTHON_VERSION",
    "PYTHON_SHA256",
    "PYTHON_PIP_VERSION",
    "PYTHON_SETUPTOOLS_VERSION",
    "PYTHON_GET_PIP_URL",
    "PYTHON_GET_PIP_SHA256",
    "NODE_VERSION",
    "YARN_VERSION",
    "GOLANG_VERSION",
    "GOPATH",
    "GOTOOLCHAIN",
    "JAVA_HOME",
    "JAVA_VERSION",
    "MAVEN_HOME",
    "MAVEN_CONFIG",
    "RUSTUP_HOME",
    "CARGO_HOME",
    "RUST_VERSION",
    "RUBY_VERSION",
    "RUBY_DOWNLOAD_SHA256",
    "GEM_HOME",
    "BUNDLE_APP_CONFIG",
    "BUNDLE_SILENCE_ROOT_WARNING",
    "PHP_INI_DIR",
    "PHP_VERSION",
    "PHP_URL",
    "PHPIZE_DEPS",
    "APACHE_CONFDIR",
    "APACHE_ENVVARS",
    "NGINX_VERSION",
    "NJS_VERSION",
    "PKG_RELEASE",
    "DOTNET_VERSION",
    "ASPNET_VERSION",
    "DOTNET_RUNNING_IN_CONTAINER",
    "GRADLE_HOME",
    "GRADLE_VERSION",
    "PERL_VERSION",
    "JAVA_TOOL_OPTIONS",
    "PGDATA",
    "PG_MAJOR",
    "PG_VERSION",
    "MYSQL_VERSION",
    "REDIS_VERSION",
];

fn environment_known(cx: &Context, stage: usize) -> bool {
    let base = cx.base_image(stage);
    base == "scratch" || cx.model.stage_ref(&base, stage).is_some() || ImageRef::parse(&base).official_name().is_some()
}

impl Rule for UndefinedVariable {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn kinds(&self) -> &'static [&'static str] {
        &["copy", "add", "env", "label", "workdir", "user", "expose", "volume", "stopsignal", "arg"]
    }
    fn check(&self, cx: &Context, at: &At, out: &mut Vec<Diagnostic>) {
        let (Some(scope), Some(vars)) = (&cx.scope, cx.vars.get(at.stage).and_then(|v| v.get(at.index))) else {
            return;
        };
        if !environment_known(cx, at.stage) {
            return;
        }
        let node = &at.ins.node;
        let mut words: Vec<&str> = node.values().iter().map(|t| t.text.as_str()).collect();
        let flag_values: Vec<&str> = node.flags.iter().filter_map(|f| f.text.split_once('=').map(|(_, v)| v)).collect();
        words.extend(flag_values);
        if at.ins.name() == "arg" {
            // only defaults expand: `ARG A=$B`
            words.retain(|w| w.contains('='));
        }
        let mut seen = std::collections::BTreeSet::new();
        for w in words {
            if !w.contains('$') {
                continue;
            }
            let Ok(p) = scope.lex().process(w, vars) else { continue };
            for name in p.unmatched {
                if IMAGE_ENV.contains(&name.as_str())
                    || IMPLICIT_ARGS.contains(&name.as_str())
                    || !seen.insert(name.clone())
                {
                    continue;
                }
                let global = scope.global.get(&name).is_some();
                let hint = if global {
                    format!(": declare `ARG {name}` in this stage to use the global ARG")
                } else {
                    String::new()
                };
                out.push(diagnostic(
                    &META,
                    cx.first_line_span(at.cmd.instruction),
                    format!("${name} is not defined here and expands to nothing{hint}"),
                ));
            }
        }
    }
}
