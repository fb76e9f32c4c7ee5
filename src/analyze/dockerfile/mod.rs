//! What an image built from a Dockerfile will weigh, before it is built, as one ledger: the base
//! image (read from local storage when it is there, else the table) and what each instruction
//! adds, as parts that each have a cause (packages, their recommends, package lists, caches,
//! dependencies, dev dependencies, build output, sources) and a path. A `COPY --from` takes the
//! parts of the stage it copies from under the path it names, so a multi-stage Dockerfile (a
//! rewrite) is estimated by the same code. Findings claim parts (`accounting`), so no byte is
//! counted twice.

pub mod accounting;
mod builds;
mod context;
pub(crate) mod deps;
mod run;

use super::base::{BaseFacts, BaseSource};
use crate::data::{is_small_tag, BaseImage, ImageRef};
use crate::dockerfile::model::{Kind, Model};
use crate::dockerfile::Dockerfile;
use crate::lint::Context;
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::sync::Arc;

/// What caused a part of the image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Cause {
    /// The base image (its smallest variant when it has a slim one).
    Base,
    /// What the full base image has that its slim variant lacks.
    FatBase,
    /// OS packages the program needs (or that are not known to be build-only).
    Packages,
    /// Compilers, headers, -dev packages.
    BuildPackages,
    /// What apt-get's default Recommends adds.
    Recommends,
    /// apt lists, the APK index.
    PackageLists,
    /// Downloaded packages, yum/dnf metadata.
    PackageCache,
    /// Language dependencies (site-packages, node_modules).
    Dependencies,
    DevDependencies,
    /// pip's wheel cache, npm's tarball cache...
    DependencyCache,
    /// What a build writes: the program, a jar, a runtime.
    BuildOutput,
    /// What a build leaves besides its output: target/, GOCACHE, module caches.
    BuildCache,
    /// Files from the build context.
    Sources,
    /// Files copied from another image.
    Image,
    /// A virtual environment's own files (pip, setuptools).
    Environment,
}

impl Cause {
    pub fn as_str(self) -> &'static str {
        match self {
            Cause::Base => "base image",
            Cause::FatBase => "full base variant",
            Cause::Packages => "packages",
            Cause::BuildPackages => "build packages",
            Cause::Recommends => "recommended packages",
            Cause::PackageLists => "package lists",
            Cause::PackageCache => "package cache",
            Cause::Dependencies => "dependencies",
            Cause::DevDependencies => "dev dependencies",
            Cause::DependencyCache => "dependency cache",
            Cause::BuildOutput => "build output",
            Cause::BuildCache => "build cache",
            Cause::Sources => "sources",
            Cause::Image => "copied from images",
            Cause::Environment => "virtual environment",
        }
    }
}

/// One part of the image.
#[derive(Debug, Clone, Serialize)]
pub struct Part {
    pub stage: usize,
    /// The instruction's first line (the FROM line for the base).
    pub line: usize,
    #[serde(skip)]
    pub instruction: usize,
    pub cause: Cause,
    /// Where it is (a directory or file); empty for the base.
    pub path: String,
    pub bytes: u64,
    /// How it was estimated.
    pub how: String,
    /// Names (packages) it is made of, when it has some.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub names: Vec<String>,
    /// Deleted by a later instruction of its stage: still in the image's layers, not in its
    /// files (a `COPY --from` does not get it).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub removed: bool,
    /// The instruction that deleted it.
    #[serde(skip)]
    pub removed_by: Option<usize>,
}

impl Part {
    /// Packages installed into /usr by the instruction at `line` (`instruction`).
    pub(crate) fn packages(
        stage: usize,
        (line, instruction): (usize, usize),
        cause: Cause,
        bytes: u64,
        how: String,
        names: Vec<String>,
    ) -> Part {
        Part {
            stage,
            line,
            instruction,
            cause,
            path: "/usr".into(),
            bytes,
            how,
            names,
            removed: false,
            removed_by: None,
        }
    }
}

/// The estimate of one Dockerfile's image.
#[derive(Debug, Clone, Serialize)]
pub struct ImageEstimate {
    /// The final stage's base image (the image at the root of its FROM chain).
    pub base_image: String,
    pub base_source: BaseSource,
    pub base_bytes: Option<u64>,
    /// None when the base image is not known.
    pub image_bytes: Option<u64>,
    /// The final image's parts, largest first.
    pub parts: Vec<Part>,
    /// Every stage's parts (for the reconciliation with findings and the rewrite).
    #[serde(skip)]
    pub stages: Vec<Vec<Part>>,
}

impl ImageEstimate {
    pub fn bytes_of(&self, cause: Cause) -> u64 {
        self.parts.iter().filter(|p| p.cause == cause).map(|p| p.bytes).sum()
    }
}

/// Where an estimate's facts come from.
pub struct Inputs<'a> {
    /// The build context, for COPY sizes, lockfiles and manifests.
    pub context_dir: Option<&'a Path>,
    /// How a base image is looked up (local storage, then the table).
    pub bases: &'a dyn Fn(&str) -> Arc<BaseFacts>,
    /// Packages the Dockerfile does not name but that its final stage gets (a rewrite's probe
    /// installs what the program links against).
    pub extra_packages: &'a [String],
}

/// The state of a stage while it is walked.
#[derive(Clone)]
pub(crate) struct Stage {
    pub workdir: String,
    /// The base image's environment with the stage's ENV over it.
    pub env: BTreeMap<String, String>,
    /// OS packages installed (the base's and the stage's).
    pub present: HashSet<String>,
    /// Whether `present` is the base's real package list (else only the stage's and a guess).
    pub alpine: bool,
    /// Python distributions installed (names), for `pip install` not to count one twice.
    pub python: HashSet<String>,
    /// Context files copied in: (destination in the image, source in the context, whether the
    /// destination is a directory).
    pub copies: Vec<(String, String, bool)>,
    pub parts: Vec<Part>,
    /// Where the parts of earlier RUNs are, by path (for what a later `rm` removes).
    pub paths: PathIndex,
}

/// Parts by path. Parts of earlier instructions never move (a RUN drops only its own new parts),
/// so the index grows by extension.
#[derive(Clone, Default)]
pub(crate) struct PathIndex {
    upto: usize,
    by_path: BTreeMap<String, Vec<usize>>,
}

impl PathIndex {
    /// Index `parts[..end]`.
    pub fn extend(&mut self, parts: &[Part], end: usize) {
        for (k, p) in parts.iter().enumerate().take(end).skip(self.upto) {
            if !p.path.is_empty() {
                self.by_path.entry(p.path.clone()).or_default().push(k);
            }
        }
        self.upto = self.upto.max(end);
    }

    /// Parts at `root` or under it.
    pub fn under(&self, root: &str) -> Vec<usize> {
        let exact = self.by_path.get(root).into_iter().flatten().copied();
        let prefix = format!("{root}/");
        let below = self
            .by_path
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .flat_map(|(_, v)| v.iter().copied());
        exact.chain(below).collect()
    }
}

impl Stage {
    pub fn home(&self) -> String {
        self.env.get("HOME").cloned().unwrap_or_else(|| "/root".into())
    }
    /// An image path made absolute against WORKDIR.
    pub fn abs(&self, p: &str) -> String {
        let joined = if p.starts_with('/') { p.to_string() } else { format!("{}/{p}", self.workdir) };
        normalize(&joined)
    }
}

/// Collapse `.`, `..` and doubled slashes of an absolute path.
pub(crate) fn normalize(p: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for c in p.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    format!("/{}", out.join("/"))
}

/// Is `p` the directory `dir` or under it?
pub(crate) fn under(p: &str, dir: &str) -> bool {
    dir == "/" || p == dir || p.starts_with(&format!("{}/", dir.trim_end_matches('/')))
}

/// Estimate what the Dockerfile's final image will weigh.
pub fn estimate(df: &Dockerfile, model: &Model, inputs: &Inputs) -> ImageEstimate {
    let settings =
        crate::lint::Settings { context_dir: inputs.context_dir.map(Path::to_path_buf), ..Default::default() };
    let cx = Context::new(df, model, &settings);
    let ctx = context::BuildContext::new(inputs.context_dir, cx.dockerignore.clone());
    let mut stages: Vec<Stage> = Vec::new();
    let mut roots: Vec<(String, Arc<BaseFacts>)> = Vec::new();
    for (si, st) in model.stages.iter().enumerate() {
        let base = cx.base_image(si);
        let mut s = match model.stage_ref(&base, si) {
            Some(p) => {
                roots.push(roots[p].clone());
                stages[p].clone()
            }
            None => {
                let facts = (inputs.bases)(&base);
                roots.push((base.clone(), facts.clone()));
                from_base(si, st.line, st.instruction, &base, &facts, inputs.bases)
            }
        };
        for (ci, c) in st.commands.iter().enumerate() {
            let line = c.line;
            match &c.kind {
                Kind::Workdir { path } => {
                    let p = cx.expand(si, ci, path).unwrap_or_else(|| path.clone());
                    s.workdir = s.abs(&p);
                }
                Kind::Env { vars } => {
                    for kv in vars {
                        let v = cx.expand(si, ci, &kv.value).unwrap_or_else(|| kv.value.clone());
                        s.env.insert(kv.key.clone(), v);
                    }
                }
                Kind::User { user } => {
                    let name = user.split(':').next().unwrap_or("");
                    if !name.is_empty() && name != "root" && name != "0" {
                        s.env.entry("HOME".into()).or_insert_with(|| format!("/home/{name}"));
                    }
                }
                Kind::Copy(cp) => {
                    let dest = cx.expand(si, ci, &cp.dest).unwrap_or_else(|| cp.dest.clone());
                    let dest_abs = s.abs(&dest);
                    let dir_dest = dest.ends_with('/') || cp.sources.len() > 1 || dest == ".";
                    match cp.from.as_deref() {
                        Some(from) => {
                            let from = cx.expand(si, ci, from).unwrap_or_else(|| from.to_string());
                            let parts = match model.stage_ref(&from, si) {
                                Some(p) => copied_parts(&stages[p].parts, &cp.sources, &dest_abs, dir_dest),
                                None => Vec::new(),
                            };
                            for (path, bytes, names) in parts {
                                s.parts.push(Part {
                                    stage: si,
                                    line,
                                    instruction: c.instruction,
                                    cause: Cause::Image,
                                    path,
                                    bytes,
                                    how: format!("what `{from}` has at the copied paths"),
                                    names,
                                    removed: false,
                                    removed_by: None,
                                });
                            }
                        }
                        None if cp.add && cp.sources.iter().any(|s| s.contains("://")) => {}
                        None => {
                            let srcs: Vec<String> =
                                cp.sources.iter().map(|x| cx.expand(si, ci, x).unwrap_or_else(|| x.clone())).collect();
                            let (bytes, how) = ctx.sources_bytes(&srcs);
                            for src in &srcs {
                                s.copies.push((dest_abs.clone(), src.clone(), dir_dest));
                            }
                            s.parts.push(Part {
                                stage: si,
                                line,
                                instruction: c.instruction,
                                cause: Cause::Sources,
                                path: dest_abs,
                                bytes: bytes + cp.inline.iter().map(|h| h.data.len() as u64).sum::<u64>(),
                                how,
                                names: Vec::new(),
                                removed: false,
                                removed_by: None,
                            });
                        }
                    }
                }
                Kind::Run(r) => {
                    if let Some(script) = cx.script(c.instruction) {
                        let cmds: Vec<_> = script.effective().collect();
                        let rc = run::RunCx {
                            stage: si,
                            line,
                            instruction: c.instruction,
                            cache_mounts: r
                                .mounts
                                .iter()
                                .filter(|m| m.kind == crate::dockerfile::model::MountType::Cache)
                                .filter_map(|m| m.target.as_deref().map(|t| s.abs(t)))
                                .collect(),
                            ctx: &ctx,
                        };
                        run::parts(&rc, &cmds, &mut s);
                    }
                }
                _ => {}
            }
        }
        stages.push(s);
    }
    let Some(last) = stages.len().checked_sub(1) else {
        return ImageEstimate {
            base_image: String::new(),
            base_source: BaseSource::Unknown,
            base_bytes: None,
            image_bytes: None,
            parts: Vec::new(),
            stages: Vec::new(),
        };
    };
    if !inputs.extra_packages.is_empty() {
        let st = &mut stages[last];
        let names: Vec<&str> = inputs.extra_packages.iter().map(String::as_str).collect();
        let (line, instruction) = (model.stages[last].line, model.stages[last].instruction);
        let how = "the runtime packages the rewrite installs";
        if st.alpine {
            run::install_alpine(st, &names, line, instruction, how);
        } else {
            run::install_debian(st, &names, false, line, instruction, how);
        }
    }
    let (base_image, facts) = roots[last].clone();
    let mut parts = stages[last].parts.clone();
    parts.sort_by(|a, b| b.bytes.cmp(&a.bytes).then(a.line.cmp(&b.line)));
    let base_known = facts.bytes.is_some();
    ImageEstimate {
        image_bytes: base_known.then(|| parts.iter().map(|p| p.bytes).sum()),
        base_bytes: facts.bytes,
        base_source: facts.source,
        base_image,
        parts,
        stages: stages.into_iter().map(|s| s.parts).collect(),
    }
}

/// A stage's start from an image: its parts (the base, and what a full variant has over its slim
/// one), its environment and its packages.
fn from_base(
    si: usize,
    line: usize,
    instruction: usize,
    base: &str,
    facts: &BaseFacts,
    bases: &dyn Fn(&str) -> Arc<BaseFacts>,
) -> Stage {
    let r = ImageRef::parse(base);
    let tag = r.tag.clone().unwrap_or_default();
    let table = BaseImage::find(&r);
    let mut env: BTreeMap<String, String> = table.map(|b| b.env.clone()).unwrap_or_default();
    env.extend(facts.env.clone());
    let alpine = tag.contains("alpine") || r.official_name() == Some("alpine");
    let present = match &facts.packages {
        Some(p) => p.clone(),
        None => match table {
            Some(b) => crate::data::table_packages(b, &tag),
            None if !alpine && base != "scratch" => crate::data::debian_base_packages().iter().cloned().collect(),
            None => HashSet::new(),
        },
    };
    let workdir = table.map(|b| b.workdir.clone()).filter(|w| !w.is_empty()).unwrap_or_else(|| "/".into());
    let mut parts = Vec::new();
    if let Some(total) = facts.bytes {
        let how = match facts.source {
            BaseSource::Local => format!("{base} as it is in local storage"),
            BaseSource::Registry => format!("{base} as its registry describes it"),
            _ => format!("typical size of {base} (rules/base-images.toml)"),
        };
        // what the full variant has that the slim one lacks
        let slim = table
            .filter(|_| !is_small_tag(&tag) && !base.contains('$'))
            .and_then(|b| b.slim_for(&tag).filter(|s| crate::data::published(s)));
        let slim_bytes = slim.as_deref().and_then(|s| bases(s).bytes).filter(|&b| b < total);
        match (slim, slim_bytes) {
            (Some(slim), Some(sb)) => {
                parts.push(base_part(si, line, instruction, Cause::Base, sb, format!("{how}: what {slim} has")));
                parts.push(base_part(
                    si,
                    line,
                    instruction,
                    Cause::FatBase,
                    total - sb,
                    format!("{how}, minus {slim}"),
                ));
            }
            _ => parts.push(base_part(si, line, instruction, Cause::Base, total, how)),
        }
    }
    Stage {
        workdir,
        env,
        present,
        alpine,
        python: HashSet::new(),
        copies: Vec::new(),
        parts,
        paths: PathIndex::default(),
    }
}

fn base_part(si: usize, line: usize, instruction: usize, cause: Cause, bytes: u64, how: String) -> Part {
    Part {
        stage: si,
        line,
        instruction,
        cause,
        path: String::new(),
        bytes,
        how,
        names: Vec::new(),
        removed: false,
        removed_by: None,
    }
}

/// The parts a `COPY --from=stage SRC... DEST` takes: each live part under a source path (moved
/// under DEST), and for a source inside a part (a file of a directory), the whole part when it
/// is a build output (the program is the directory's point) and nothing otherwise.
fn copied_parts(parts: &[Part], sources: &[String], dest: &str, dir_dest: bool) -> Vec<(String, u64, Vec<String>)> {
    let mut out = Vec::new();
    for src in sources {
        let src = normalize(if src.starts_with('/') { src } else { return out });
        let src = src.trim_end_matches("/*").to_string();
        for p in parts.iter().filter(|p| !p.removed && !p.path.is_empty()) {
            if under(&p.path, &src) {
                let rel = p.path[src.len().min(p.path.len())..].trim_start_matches('/');
                let to = if rel.is_empty() && dir_dest {
                    normalize(&format!("{dest}/{}", p.path.rsplit('/').next().unwrap_or("")))
                } else {
                    normalize(&format!("{dest}/{rel}"))
                };
                out.push((to, p.bytes, p.names.clone()));
            } else if under(&src, &p.path) && p.cause == Cause::BuildOutput {
                out.push((dest.to_string(), p.bytes, p.names.clone()));
            }
        }
    }
    out
}

/// A Dockerfile analyzed: the findings (with the accounting's bytes), the planner's outcome and
/// the estimate.
pub struct Analysis {
    pub diagnostics: Vec<crate::lint::Diagnostic>,
    pub outcome: crate::rewrite::Outcome,
    pub accounting: accounting::Accounting,
}

/// Lint, plan the rewrite, estimate both images and reconcile the findings with them.
pub fn analyze(
    df: &Dockerfile,
    model: &Model,
    settings: &crate::lint::Settings,
    options: &crate::rewrite::Options,
    bases: &dyn Fn(&str) -> Arc<BaseFacts>,
    thresholds: accounting::Thresholds,
) -> Analysis {
    let mut diagnostics = crate::lint::lint(df, model, settings).diagnostics;
    let context_dir = settings.context_dir.as_deref();
    let mut outcome = crate::rewrite::plan(df, model, context_dir, options);
    let inputs = Inputs { context_dir, bases, extra_packages: &[] };
    let estimate = estimate(df, model, &inputs);
    let rewrite = match &mut outcome {
        crate::rewrite::Outcome::Rewritten(p) => {
            let r = estimate_plan(p, context_dir, bases);
            attach(p, &estimate, r.as_ref());
            r
        }
        _ => None,
    };
    let overridden = |code: &str| settings.severity.iter().any(|(c, _)| crate::lint::codes::resolve(c).contains(&code));
    let accounting =
        accounting::reconcile(df, &estimate, rewrite.as_ref(), &outcome, &mut diagnostics, thresholds, &overridden);
    Analysis { diagnostics, outcome, accounting }
}

/// The estimate of a rewrite's image (its Dockerfile, and the packages its probe will install).
pub fn estimate_plan(
    plan: &crate::rewrite::Plan,
    context_dir: Option<&Path>,
    bases: &dyn Fn(&str) -> Arc<BaseFacts>,
) -> Option<ImageEstimate> {
    let df = crate::dockerfile::parse_str(&plan.dockerfile).ok()?;
    let model = crate::dockerfile::model::build(&df).ok()?;
    Some(estimate(&df, &model, &Inputs { context_dir, bases, extra_packages: &plan.runtime_packages }))
}

fn attach(plan: &mut crate::rewrite::Plan, before: &ImageEstimate, after: Option<&ImageEstimate>) {
    plan.estimated_image_bytes = after.and_then(|a| a.image_bytes);
    plan.estimated_saving_bytes = match (before.image_bytes, plan.estimated_image_bytes) {
        (Some(b), Some(a)) => Some(b.saturating_sub(a)),
        _ => None,
    };
}

/// Put the estimates on a plan: the rewrite's image and what it saves (the original's estimated
/// image minus the rewrite's), the figures `analyze Dockerfile` also shows.
pub fn price(
    df: &Dockerfile,
    model: &Model,
    plan: &mut crate::rewrite::Plan,
    context_dir: Option<&Path>,
    bases: &dyn Fn(&str) -> Arc<BaseFacts>,
) {
    let before = estimate(df, model, &Inputs { context_dir, bases, extra_packages: &[] });
    let after = estimate_plan(plan, context_dir, bases);
    attach(plan, &before, after.as_ref());
}

#[cfg(test)]
mod tests;
