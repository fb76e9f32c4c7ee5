//! Data shipped in `rules/` (compiled in): Debian package sizes, estimate constants, base images.

pub mod deps;

use serde::Deserialize;
use std::collections::HashMap;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, Deserialize)]
pub struct PackageSize {
    /// The package alone.
    pub own: u64,
    /// With its Depends/Pre-Depends closure over debian:bookworm.
    pub installed: u64,
    /// Also following Recommends (apt-get's default).
    pub with_recommends: u64,
}

/// One package of the dependency graph: its own installed bytes, its Depends/Pre-Depends and
/// Recommends (alternatives joined by `|`), and the virtual packages it provides.
#[derive(Debug, Clone, Deserialize)]
pub struct GraphNode {
    pub own: u64,
    #[serde(default)]
    pub deps: Vec<String>,
    #[serde(default)]
    pub rec: Vec<String>,
    #[serde(default)]
    pub provides: Vec<String>,
}

#[derive(Deserialize)]
struct DebianBase {
    packages: Vec<String>,
}

#[derive(Deserialize)]
struct DebianFile {
    packages: HashMap<String, PackageSize>,
    base: DebianBase,
    graph: HashMap<String, GraphNode>,
}

fn debian_file() -> &'static DebianFile {
    static F: OnceLock<DebianFile> = OnceLock::new();
    F.get_or_init(|| {
        toml::from_str::<DebianFile>(include_str!("../../rules/debian-bookworm.toml"))
            .unwrap_or_else(|e| panic!("rules/debian-bookworm.toml: {e}"))
    })
}

/// Installed sizes of common Debian bookworm packages (rules/debian-bookworm.toml).
pub fn debian_package(name: &str) -> Option<PackageSize> {
    debian_file().packages.get(name).copied()
}

/// The packages of debian:bookworm's debootstrap minbase (Essential and Priority: required).
pub fn debian_base_packages() -> &'static [String] {
    &debian_file().base.packages
}

/// What installing `names` adds to an image that has `present` (the base image's packages):
/// the bytes of their dependency closure without what is there already, the packages added,
/// and whether every name was known.
pub fn debian_closure(
    names: &[&str],
    recommends: bool,
    present: &std::collections::HashSet<String>,
) -> (u64, Vec<String>, bool) {
    let f = debian_file();
    static PROVIDERS: OnceLock<HashMap<String, String>> = OnceLock::new();
    let providers = PROVIDERS.get_or_init(|| {
        let mut m = HashMap::new();
        for (n, node) in &f.graph {
            for p in &node.provides {
                m.entry(p.clone()).or_insert_with(|| n.clone());
            }
        }
        m
    });
    let resolve = |n: &str| -> Option<String> {
        if f.graph.contains_key(n) {
            Some(n.to_string())
        } else {
            providers.get(n).cloned()
        }
    };
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut added = Vec::new();
    let mut bytes = 0;
    let mut known = true;
    let mut stack: Vec<String> = Vec::new();
    for n in names {
        match resolve(n) {
            Some(r) => stack.push(r),
            None => known = false,
        }
    }
    while let Some(n) = stack.pop() {
        if present.contains(&n) || !seen.insert(n.clone()) {
            continue;
        }
        let Some(node) = f.graph.get(&n) else { continue };
        bytes += node.own;
        added.push(n.clone());
        let fields = if recommends { [&node.deps, &node.rec] } else { [&node.deps, &node.deps] };
        for (i, list) in fields.iter().enumerate() {
            if !recommends && i == 1 {
                break;
            }
            for alts in list.iter() {
                // an alternative already there satisfies the dependency
                let options: Vec<&str> = alts.split('|').collect();
                if options.iter().any(|a| present.contains(*a) || seen.contains(*a)) {
                    continue;
                }
                if let Some(r) = options.iter().find_map(|a| resolve(a)) {
                    stack.push(r);
                }
            }
        }
    }
    (bytes, added, known)
}

/// What apt's Recommends adds when it installs `installed` (the packages this install adds) over
/// `present`: their recommends and what those depend on and recommend, not already there.
pub fn debian_recommends(installed: &[String], present: &std::collections::HashSet<String>) -> (u64, Vec<String>) {
    let f = debian_file();
    let mut seen: std::collections::HashSet<String> = installed.iter().cloned().collect();
    let mut stack: Vec<String> = Vec::new();
    for n in installed {
        if let Some(node) = f.graph.get(n) {
            for alts in &node.rec {
                let options: Vec<&str> = alts.split('|').collect();
                if options.iter().any(|a| present.contains(*a) || seen.contains(*a)) {
                    continue;
                }
                if let Some(o) = options.iter().find(|a| f.graph.contains_key(**a)) {
                    stack.push(o.to_string());
                }
            }
        }
    }
    let mut bytes = 0;
    let mut added = Vec::new();
    let mut more = Vec::new();
    for n in stack {
        if present.contains(&n) || seen.contains(&n) {
            continue;
        }
        // the recommended package with its own closure (and its recommends)
        let (b, a, _) = debian_closure(&[n.as_str()], true, &present.iter().chain(seen.iter()).cloned().collect());
        bytes += b;
        seen.extend(a.iter().cloned());
        more.extend(a);
    }
    added.extend(more);
    (bytes, added)
}

/// Does rules/debian-bookworm.toml know this package (or a package that provides it)?
pub fn debian_known(name: &str) -> bool {
    let f = debian_file();
    f.graph.contains_key(name) || f.graph.values().any(|n| n.provides.iter().any(|p| p == name))
}

/// Bytes a set of packages installs together (closures overlap: the largest closure plus the
/// packages' own sizes is a conservative sum), and whether every package was known.
pub fn debian_install_size(names: &[&str], recommends: bool) -> (u64, bool) {
    let mut largest = 0;
    let mut own = 0;
    let mut all_known = true;
    for n in names {
        match debian_package(n) {
            Some(p) => {
                let closure = if recommends { p.with_recommends } else { p.installed };
                largest = largest.max(closure);
                own += p.own;
            }
            None => all_known = false,
        }
    }
    (largest.max(own), all_known)
}

#[derive(Debug, Deserialize)]
pub struct Estimates {
    pub apt: AptEstimates,
    pub apk: ApkEstimates,
    pub yum: CacheEstimate,
    pub pip: PipEstimates,
    pub npm: NpmEstimates,
    pub yarn: CacheEstimate,
    pub go: CacheEstimate,
    pub cargo: CacheEstimate,
    pub maven: CacheEstimate,
    pub jvm_build: JvmBuildEstimates,
    pub context: ContextEstimates,
    pub python: PythonEstimates,
    pub golang: GoEstimates,
    pub rust: RustEstimates,
    pub java: JavaEstimates,
    pub native: NativeEstimates,
}

#[derive(Debug, Deserialize)]
pub struct PythonEstimates {
    pub venv: u64,
    pub venv_pip: u64,
    pub venv_setuptools: u64,
    pub pyc_ratio: f64,
}
#[derive(Debug, Deserialize)]
pub struct GoEstimates {
    pub binary: u64,
    pub binary_http: u64,
    pub stripped_ratio: f64,
    pub per_module_binary: u64,
    pub per_module_cache: u64,
    pub build_cache: u64,
}
#[derive(Debug, Deserialize)]
pub struct RustEstimates {
    pub target: u64,
    pub per_crate_target: u64,
    pub binary: u64,
    pub stripped: u64,
    pub per_crate_binary: u64,
    pub per_crate_registry: u64,
    pub install_extra: u64,
}
#[derive(Debug, Deserialize)]
pub struct JavaEstimates {
    pub jlink: u64,
    pub jar_ratio: f64,
}
#[derive(Debug, Deserialize)]
pub struct JvmBuildEstimates {
    pub maven_plugins: u64,
    pub gradle_caches: u64,
    pub mvnw_distribution: u64,
    pub gradlew_distribution: u64,
    pub per_dependency: u64,
}
#[derive(Debug, Deserialize)]
pub struct NativeEstimates {
    pub objects_ratio: f64,
}

#[derive(Debug, Deserialize)]
pub struct AptEstimates {
    pub lists: u64,
    pub archives_ratio: f64,
    pub unknown_package: u64,
}
#[derive(Debug, Deserialize)]
pub struct ApkEstimates {
    pub index: u64,
}
#[derive(Debug, Deserialize)]
pub struct CacheEstimate {
    pub cache: u64,
}
#[derive(Debug, Deserialize)]
pub struct PipEstimates {
    pub per_package: u64,
    pub unknown: u64,
}
#[derive(Debug, Deserialize)]
pub struct NpmEstimates {
    pub cache: u64,
    pub dev_dependencies: u64,
}
#[derive(Debug, Deserialize)]
pub struct ContextEstimates {
    pub unknown: u64,
}

#[derive(Deserialize)]
struct PackageSet {
    packages: Vec<String>,
}

/// The Debian packages an image from the table has, when it has no package database to read:
/// debian's minbase, the closure of its package set (full variants) or ca-certificates, netbase
/// and tzdata (slim variants), and what the table lists.
pub fn table_packages(image: &BaseImage, tag: &str) -> std::collections::HashSet<String> {
    static SETS: OnceLock<HashMap<String, PackageSet>> = OnceLock::new();
    let sets = SETS.get_or_init(|| {
        toml::from_str(include_str!("../../rules/base-package-sets.toml"))
            .unwrap_or_else(|e| panic!("rules/base-package-sets.toml: {e}"))
    });
    let mut present: std::collections::HashSet<String> = image.packages.iter().cloned().collect();
    if image.repository.starts_with("gcr.io/distroless") || tag.contains("alpine") {
        return present;
    }
    present.extend(debian_base_packages().iter().cloned());
    // buildpack-deps:bookworm-curl and -scm are the smaller sets
    let set = ["-curl", "-scm"]
        .iter()
        .find(|s| tag.ends_with(*s))
        .map_or(image.package_set.clone(), |s| format!("{}{s}", image.package_set));
    let roots: Vec<&str> = match sets.get(&set) {
        Some(set) if !is_small_tag(tag) => set.packages.iter().map(String::as_str).collect(),
        _ => vec!["ca-certificates", "netbase", "tzdata"],
    };
    let (_, added, _) = debian_closure(&roots, false, &present);
    present.extend(added);
    present
}

/// rules/estimates.toml
pub fn estimates() -> &'static Estimates {
    static E: OnceLock<Estimates> = OnceLock::new();
    E.get_or_init(|| {
        toml::from_str(include_str!("../../rules/estimates.toml"))
            .unwrap_or_else(|e| panic!("rules/estimates.toml: {e}"))
    })
}

#[derive(Debug, Clone, Deserialize)]
pub struct BaseImage {
    pub repository: String,
    pub bytes: u64,
    #[serde(default)]
    pub slim: String,
    #[serde(default)]
    pub slim_bytes: u64,
    #[serde(default)]
    pub runtime: String,
    #[serde(default)]
    pub runtime_bytes: u64,
    #[serde(default)]
    pub runtime_cgo: String,
    #[serde(default)]
    pub runtime_cgo_bytes: u64,
    /// The image's WORKDIR, which a runtime image on another base must set again.
    #[serde(default)]
    pub workdir: String,
    /// Tag suffixes that name tool layers of the same distribution (`bookworm-scm` -> `bookworm`).
    #[serde(default)]
    pub strip: Vec<String>,
    /// The slim and runtime image when the tag names an Ubuntu release (`jammy`, `22.04`).
    #[serde(default)]
    pub ubuntu: String,
    /// What the image's config sets (CARGO_HOME, GOPATH, PATH...).
    #[serde(default)]
    pub env: std::collections::BTreeMap<String, String>,
    /// Programs the image provides on its PATH: interpreters, a shell, a package manager.
    #[serde(default)]
    pub provides: Vec<String>,
    /// Users the image has besides root.
    #[serde(default)]
    pub users: Vec<String>,
    /// Debian packages a runtime image already has (for images without a package database).
    #[serde(default)]
    pub packages: Vec<String>,
    /// The typical size of its -alpine variant.
    #[serde(default)]
    pub alpine_bytes: u64,
    /// Tag suffixes it publishes after a version (`*` matches any text).
    #[serde(default)]
    pub variants: Vec<String>,
    /// The package set (rules/base-package-sets.toml) its full variant is built on.
    #[serde(default)]
    pub package_set: String,
}

#[derive(Deserialize)]
struct BaseFile {
    image: Vec<BaseImage>,
}

/// rules/base-images.toml
pub fn base_images() -> &'static [BaseImage] {
    static B: OnceLock<Vec<BaseImage>> = OnceLock::new();
    B.get_or_init(|| {
        toml::from_str::<BaseFile>(include_str!("../../rules/base-images.toml"))
            .map(|f| f.image)
            .unwrap_or_else(|e| panic!("rules/base-images.toml: {e}"))
    })
}

/// rules/rewrite.toml: what the rewrite keeps out of the runtime stage and what it adds.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct RewriteData {
    pub build_only: Vec<String>,
    pub skip_runtime: Vec<String>,
    pub data_dirs: Vec<String>,
    pub setup_commands: Vec<String>,
    pub dev_runtime: std::collections::BTreeMap<String, Vec<String>>,
    /// Python (`python`) and npm (`npm`) dependencies that run system programs or load system
    /// libraries by name, which ldd cannot see.
    #[serde(default)]
    pub runs: std::collections::BTreeMap<String, std::collections::BTreeMap<String, DependencyNeeds>>,
}

/// What a language dependency needs from the system at run time.
#[derive(Debug, Default, Deserialize)]
pub struct DependencyNeeds {
    /// Programs it runs (`dot`, `ffmpeg`).
    #[serde(default)]
    pub programs: Vec<String>,
    /// Debian packages of the libraries it loads by name.
    #[serde(default)]
    pub packages: Vec<String>,
}

pub fn rewrite_data() -> &'static RewriteData {
    static R: OnceLock<RewriteData> = OnceLock::new();
    R.get_or_init(|| {
        toml::from_str(include_str!("../../rules/rewrite.toml")).unwrap_or_else(|e| panic!("rules/rewrite.toml: {e}"))
    })
}

/// A package only a build needs: compilers, headers, -dev (Debian, Alpine) and -devel (RPM)
/// packages, VCS and build helpers.
pub fn is_build_package(name: &str) -> bool {
    let catalog = crate::analyze::catalog::Catalog::builtin();
    let by_catalog =
        catalog.classify_package("", name).is_some_and(|c| matches!(catalog.names[c].as_str(), "compiler" | "headers"));
    by_catalog
        || name.ends_with("-dev")
        || name.ends_with("-devel")
        || matches!(name, "build-base" | "alpine-sdk" | "linux-headers")
        || rewrite_data().build_only.iter().any(|p| p == name)
}

/// rules/debian-executables.toml: the programs Debian packages ship.
#[derive(Debug, Deserialize)]
pub struct Executables {
    /// Programs in a bin/ directory, by package.
    pub bin: HashMap<String, Vec<String>>,
    /// Programs only in an sbin/ directory.
    pub sbin: HashMap<String, Vec<String>>,
}

pub fn debian_executables() -> &'static Executables {
    static E: OnceLock<Executables> = OnceLock::new();
    E.get_or_init(|| {
        toml::from_str(include_str!("../../rules/debian-executables.toml"))
            .unwrap_or_else(|e| panic!("rules/debian-executables.toml: {e}"))
    })
}

impl Executables {
    /// Every program a package ships (bin and sbin), if the table knows the package.
    pub fn programs(&self, package: &str) -> Option<Vec<&str>> {
        let (b, s) = (self.bin.get(package), self.sbin.get(package));
        (b.is_some() || s.is_some()).then(|| b.into_iter().chain(s).flatten().map(String::as_str).collect())
    }

    /// Is the package a tool: does it ship programs in a bin/ directory?
    pub fn is_tool(&self, package: &str) -> bool {
        self.bin.contains_key(package)
    }
}

/// An image reference: `[registry/]path[:tag][@digest]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    pub registry: Option<String>,
    pub path: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
}

impl ImageRef {
    pub fn parse(s: &str) -> ImageRef {
        let (rest, digest) = match s.split_once('@') {
            Some((r, d)) => (r, Some(d.to_string())),
            None => (s, None),
        };
        let (registry, rest) = match rest.split_once('/') {
            Some((first, r)) if first.contains('.') || first.contains(':') || first == "localhost" => {
                (Some(first.to_string()), r)
            }
            _ => (None, rest),
        };
        let (path, tag) = match rest.rsplit_once(':') {
            Some((p, t)) if !t.contains('/') => (p.to_string(), Some(t.to_string())),
            _ => (rest.to_string(), None),
        };
        ImageRef { registry, path, tag, digest }
    }

    /// The Debian release the tag names (`3.11-bullseye`, `debian:11`), `ubuntu` for an Ubuntu
    /// one (`jammy-curl`, `ubuntu:22.04`), or None when the tag does not say.
    pub fn release(&self) -> Option<&'static str> {
        let tag = self.tag.as_deref().unwrap_or("");
        if let Some(r) = DEBIAN_RELEASES.iter().find(|r| tag.split(['-', '.']).any(|p| p == **r)) {
            return Some(r);
        }
        if tag.split('-').any(is_ubuntu_release) {
            return Some("ubuntu");
        }
        match (self.official_name(), tag.split(['-', '.']).next().unwrap_or("")) {
            (Some("ubuntu"), _) => Some("ubuntu"),
            (Some("debian"), "13") => Some("trixie"),
            (Some("debian"), "12") => Some("bookworm"),
            (Some("debian"), "11") => Some("bullseye"),
            (Some("debian"), "10") => Some("buster"),
            _ => None,
        }
    }

    /// The Docker Hub official-image name (`python` for `python`, `library/python`,
    /// `docker.io/library/python`, and the mirrors of Docker Hub's official images:
    /// `mirror.gcr.io/library/python`, `public.ecr.aws/docker/library/python`), if it is one.
    pub fn official_name(&self) -> Option<&str> {
        let p = match self.registry.as_deref() {
            None | Some("docker.io" | "index.docker.io" | "registry-1.docker.io" | "mirror.gcr.io") => {
                self.path.strip_prefix("library/").unwrap_or(&self.path)
            }
            Some("public.ecr.aws") => self.path.strip_prefix("docker/library/")?,
            Some(_) => return None,
        };
        (!p.contains('/')).then_some(p)
    }
}

/// Debian release names, as image tags use them.
const DEBIAN_RELEASES: &[&str] = &["jessie", "stretch", "buster", "bullseye", "bookworm", "trixie", "forky", "sid"];

/// Split a tag into its version and distribution variant (`3.11-bookworm` -> ("3.11", "-bookworm")).
pub fn split_tag(tag: &str) -> (&str, &str) {
    match tag.split_once('-') {
        Some((v, d)) if DEBIAN_RELEASES.contains(&d) || is_ubuntu_release(d) => (v, &tag[v.len()..]),
        _ => (tag, ""),
    }
}

/// Ubuntu release names and numbers (`jammy`, `22.04`).
fn is_ubuntu_release(tag: &str) -> bool {
    const NAMES: &[&str] = &[
        "trusty", "xenial", "yakkety", "zesty", "artful", "bionic", "cosmic", "disco", "eoan", "focal", "groovy",
        "hirsute", "impish", "jammy", "kinetic", "lunar", "mantic", "noble", "oracular", "plucky", "questing",
    ];
    NAMES.contains(&tag)
        || tag.split_once('.').is_some_and(|(y, m)| {
            y.len() == 2 && m.len() == 2 && y.chars().chain(m.chars()).all(|c| c.is_ascii_digit())
        })
}

/// Is this reference a tag rules/base-images.toml says its repository publishes?
pub fn published(reference: &str) -> bool {
    let r = ImageRef::parse(reference);
    BaseImage::find(&r).is_some_and(|b| b.tag_exists(r.tag.as_deref().unwrap_or("latest")))
}

/// Does the tag already name a small variant?
pub fn is_small_tag(tag: &str) -> bool {
    ["slim", "alpine", "distroless", "jre", "minimal", "busybox", "scratch"].iter().any(|s| tag.contains(s))
}

impl BaseImage {
    pub fn find(image: &ImageRef) -> Option<&'static BaseImage> {
        let full = match &image.registry {
            Some(r) => format!("{r}/{}", image.path),
            None => image.path.clone(),
        };
        let name = image.official_name().unwrap_or(&full);
        base_images().iter().find(|b| b.repository == name)
    }

    /// Does the image provide this program (an interpreter, a shell...)?
    pub fn provides(&self, program: &str) -> bool {
        let p = program.rsplit('/').next().unwrap_or(program);
        self.provides.iter().any(|x| x == p)
            || (p.starts_with("python3.") && self.provides.iter().any(|x| x == "python3"))
    }

    fn fill(&self, template: &str, tag: &str) -> Option<String> {
        if template.is_empty() || matches!(tag, "" | "latest") {
            return None;
        }
        let mut tag = tag.to_string();
        for s in &self.strip {
            tag = tag.replacen(s.as_str(), "", 1);
        }
        let template = if !self.ubuntu.is_empty() && is_ubuntu_release(&tag) { &self.ubuntu } else { template };
        let (version, variant) = split_tag(&tag);
        Some(template.replace("{version}", version).replace("{variant}", variant))
    }

    /// The typical size of the image with this tag: the -alpine, -slim or full variant.
    pub fn bytes_for(&self, tag: &str) -> u64 {
        if tag.contains("alpine") && tag.contains("slim") && self.slim_bytes > 0 {
            self.slim_bytes.min(if self.alpine_bytes > 0 { self.alpine_bytes } else { u64::MAX })
        } else if tag.contains("alpine") && self.alpine_bytes > 0 {
            self.alpine_bytes
        } else if is_small_tag(tag) && self.slim_bytes > 0 {
            self.slim_bytes
        } else {
            self.bytes
        }
    }

    /// Does the repository publish this tag: a version (`3.11`, `18`, `lts`, a release name)
    /// followed by one of its variants? Repositories without a variant list accept any tag.
    pub fn tag_exists(&self, tag: &str) -> bool {
        if self.variants.is_empty() || tag == "latest" {
            return true;
        }
        let is_version = |v: &str| {
            !v.is_empty()
                && (v.split('.').all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
                    || v.bytes().all(|b| b.is_ascii_lowercase()))
        };
        self.variants.iter().any(|variant| {
            let (fixed, wild) = match variant.split_once('*') {
                Some((f, _)) => (f, true),
                None => (variant.as_str(), false),
            };
            (0..=tag.len()).filter(|&i| tag.is_char_boundary(i)).any(|i| {
                let (v, rest) = tag.split_at(i);
                is_version(v) && if wild { rest.starts_with(fixed) } else { rest == fixed }
            })
        })
    }

    /// The slim variant of the same version.
    pub fn slim_for(&self, tag: &str) -> Option<String> {
        self.fill(&self.slim, tag)
    }

    /// The image a program built from this one runs on.
    pub fn runtime_for(&self, tag: &str) -> Option<String> {
        if !self.runtime.contains('{') {
            return (!self.runtime.is_empty()).then(|| self.runtime.clone());
        }
        self.fill(&self.runtime, tag)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_refs() {
        for (r, name) in [
            ("mirror.gcr.io/library/node:14.9-alpine", Some("node")),
            ("public.ecr.aws/docker/library/python:3.12", Some("python")),
            ("public.ecr.aws/lambda/python:3.12", None),
            ("gcr.io/distroless/base", None),
        ] {
            assert_eq!(ImageRef::parse(r).official_name(), name, "{r}");
        }
        let r = ImageRef::parse("docker.io/library/python:3.11-slim@sha256:abc");
        assert_eq!(
            (r.official_name(), r.tag.as_deref(), r.digest.as_deref()),
            (Some("python"), Some("3.11-slim"), Some("sha256:abc"))
        );
        let r = ImageRef::parse("localhost:5000/team/app");
        assert_eq!((r.registry.as_deref(), r.path.as_str(), r.tag), (Some("localhost:5000"), "team/app", None));
        assert_eq!(ImageRef::parse("gcr.io/distroless/static-debian12").official_name(), None);
        assert_eq!(ImageRef::parse("node:18").official_name(), Some("node"));
    }

    #[test]
    fn slim_and_runtime_tags() {
        let py = BaseImage::find(&ImageRef::parse("python:3.11")).unwrap();
        assert_eq!(py.slim_for("3.11").as_deref(), Some("python:3.11-slim"));
        assert_eq!(py.slim_for("3.11-bookworm").as_deref(), Some("python:3.11-slim-bookworm"));
        let node = BaseImage::find(&ImageRef::parse("node:18-bookworm")).unwrap();
        assert_eq!(node.runtime_for("18-bookworm").as_deref(), Some("node:18-bookworm-slim"));
        let deps = BaseImage::find(&ImageRef::parse("buildpack-deps")).unwrap();
        assert_eq!(deps.runtime_for("bookworm-scm").as_deref(), Some("debian:bookworm-slim"));
        assert_eq!(deps.runtime_for("${VARIANT}-curl").as_deref(), Some("debian:${VARIANT}-slim"));
        assert_eq!(deps.runtime_for("jammy-curl").as_deref(), Some("ubuntu:jammy"));
        assert_eq!(deps.runtime_for("22.04").as_deref(), Some("ubuntu:22.04"));
        assert_eq!(deps.runtime_for("trixie").as_deref(), Some("debian:trixie-slim"));
        let release = |r: &str| ImageRef::parse(r).release();
        assert_eq!(release("python:3.11-slim-bullseye"), Some("bullseye"));
        assert_eq!(release("debian:12-slim"), Some("bookworm"));
        assert_eq!(release("buildpack-deps:jammy-curl"), Some("ubuntu"));
        assert_eq!(release("ubuntu:22.04"), Some("ubuntu"));
        assert_eq!(release("python:3.11"), None);
        let go = BaseImage::find(&ImageRef::parse("golang:1.22")).unwrap();
        assert_eq!(go.runtime_for("1.22").as_deref(), Some("gcr.io/distroless/static-debian12"));
        assert!(is_small_tag("3.11-slim") && !is_small_tag("3.11"));
        let temurin = BaseImage::find(&ImageRef::parse("eclipse-temurin:11-jdk")).unwrap();
        assert_eq!(temurin.slim_for("11-jdk").as_deref(), Some("eclipse-temurin:11-jre"));
        assert_eq!(temurin.slim_for("17-jdk-jammy").as_deref(), Some("eclipse-temurin:17-jre-jammy"));
        assert!(temurin.tag_exists("17-jre-jammy") && !temurin.tag_exists("11-jdk-jre"));
        assert!(py.tag_exists("3.11-slim-bookworm") && py.tag_exists("3.12-alpine3.20") && !py.tag_exists("3.11-jdk"));
        assert_eq!(py.bytes_for("3.11-alpine"), py.alpine_bytes);
        assert_eq!(py.bytes_for("3.11-slim"), py.slim_bytes);
    }

    #[test]
    fn rewrite_data_loads() {
        let r = rewrite_data();
        assert_eq!(r.dev_runtime["libpq-dev"], ["libpq5"]);
        assert!(is_build_package("gcc") && is_build_package("libpq-dev") && is_build_package("git"));
        assert!(!is_build_package("curl") && !is_build_package("libpq5"));
    }

    #[test]
    fn package_sizes() {
        let gcc = debian_package("gcc").unwrap();
        assert!(gcc.installed > 100_000_000 && gcc.with_recommends >= gcc.installed);
        assert!(estimates().apt.lists > 10_000_000);
    }
}
