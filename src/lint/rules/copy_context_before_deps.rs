use super::*;
use crate::dockerfile::model::Kind;
use crate::lint::context::diagnostic;
use crate::lint::{Category, Diagnostic, Rule, RuleMeta, Severity};

/// ## What it does
/// Finds `COPY . .` (the whole build context) before the RUN that installs dependencies
/// (`pip install -r`, `npm ci`, `yarn install`, `go mod download`, `bundle install`,
/// `composer install`, `mvn dependency:go-offline`, `cargo fetch`).
///
/// ## Why is this bad?
/// Any change to any file invalidates the layer cache from the COPY on, so every build downloads
/// and installs all dependencies again. Copy the dependency manifests first, install, then copy
/// the rest.
///
/// ## Example
/// ```dockerfile
/// COPY . .
/// RUN pip install --no-cache-dir -r requirements.txt
/// ```
///
/// ## Use instead
/// ```dockerfile
/// COPY requirements.txt .
/// RUN pip install --no-cache-dir -r requirements.txt
/// COPY . .
/// ```
pub struct CopyContextBeforeDeps;

const META: RuleMeta = RuleMeta {
    name: "copy-context-before-deps",
    severity: Severity::Info,
    category: Category::Cache,
    aliases: &[],
    summary: "the whole context is copied before dependencies are installed",
    fix: None,
};

/// Does this command install dependencies from manifest files?
pub fn installs_dependencies(c: &Command) -> bool {
    let sub = subcommand(c);
    match c.name() {
        n if n.starts_with("pip") || n.starts_with("python") => c
            .args()
            .iter()
            .any(|w| matches!(w.text.as_str(), "-r" | "--requirement") || w.text == "." || w.text.starts_with("-r")),
        "npm" => matches!(sub, Some("ci" | "install" | "i")) && positionals(c).len() <= 1,
        "yarn" => matches!(sub, None | Some("install")),
        "pnpm" => matches!(sub, Some("install" | "i")),
        "go" => sub == Some("mod") && c.args().iter().any(|w| w.text == "download"),
        "bundle" | "bundler" => matches!(sub, None | Some("install")),
        "composer" => sub == Some("install"),
        "mvn" | "mvnw" => c.args().iter().any(|w| w.text.starts_with("dependency:")),
        "cargo" => sub == Some("fetch"),
        "poetry" | "pipenv" | "uv" => matches!(sub, Some("install" | "sync")),
        _ => false,
    }
}

impl Rule for CopyContextBeforeDeps {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn check_file(&self, cx: &Context, out: &mut Vec<Diagnostic>) {
        for st in &cx.model.stages {
            let mut whole: Option<usize> = None;
            for c in &st.commands {
                match &c.kind {
                    Kind::Copy(cp)
                        if cp.from.is_none()
                            && cp.sources.iter().any(|s| matches!(s.trim_end_matches('/'), "." | "./" | "")) =>
                    {
                        whole.get_or_insert(c.instruction);
                    }
                    Kind::Run(_) => {
                        let Some(copy) = whole else { continue };
                        let Some(s) = cx.script(c.instruction) else { continue };
                        if let Some(dep) = s.effective().find(installs_dependencies) {
                            let span = cx.first_line_span(copy);
                            out.push(diagnostic(&META, span, format!(
                                "the whole context is copied before `{}` (line {}): any change to any file reinstalls every dependency; copy the dependency manifests first",
                                dep.words.iter().take(3).map(|w| w.text.as_str()).collect::<Vec<_>>().join(" "),
                                cx.instructions[c.instruction].start_line
                            )));
                            break;
                        }
                    }
                    _ => {}
                }
            }
        }
    }
}
