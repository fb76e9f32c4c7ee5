//! Where the image a command line names is: one grammar for every command that reads an image,
//! with the transport names of skopeo, podman and buildah:
//!
//! | written | read from |
//! | --- | --- |
//! | `docker-archive:PATH` | a `docker save` tar |
//! | `oci-archive:PATH` | an OCI layout in a tar |
//! | `oci:DIR` | an OCI layout directory |
//! | `docker-daemon:NAME[:TAG\|@DIGEST]` | the Docker engine (`DOCKER_HOST`, the current context) |
//! | `containers-storage:NAME[:TAG]`, `podman:NAME` | buildah's and podman's local storage |
//! | `docker://REF` | a registry |
//! | `-` | standard input (an archive) |
//!
//! A bare argument is a path when one exists; else a name, looked up in the Docker engine, then
//! in containers-storage (rootful, then rootless), then in the registry it names. When nothing
//! has it, the error says what was tried, in order, and how to save or pull the image.

use crate::image::engine::{self, Engine, EngineError};
use crate::image::{storage, Image, ImageError, OpenOptions, SourceKind};
use crate::layer::read::ReadOptions;
use crate::layer::stream::{index_archive, Streamed};
use crate::registry::{Client, ClientOptions, Reference, RegistryError};
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    DockerArchive,
    OciArchive,
    OciLayout,
    DockerDaemon,
    ContainersStorage,
    Registry,
    Stdin,
    /// A bare argument: a path if one exists, else a name to look up.
    Any,
}

/// An image as written on a command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spec {
    pub transport: Transport,
    /// The path, name or reference after the transport.
    pub target: String,
}

impl std::fmt::Display for Spec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let t = &self.target;
        match self.transport {
            Transport::DockerArchive => write!(f, "docker-archive:{t}"),
            Transport::OciArchive => write!(f, "oci-archive:{t}"),
            Transport::OciLayout => write!(f, "oci:{t}"),
            Transport::DockerDaemon => write!(f, "docker-daemon:{t}"),
            Transport::ContainersStorage => write!(f, "containers-storage:{t}"),
            Transport::Registry => write!(f, "docker://{t}"),
            Transport::Stdin => write!(f, "-"),
            Transport::Any => write!(f, "{t}"),
        }
    }
}

/// Read the grammar.
pub fn parse(s: &str) -> Spec {
    let spec = |transport, target: &str| Spec { transport, target: target.to_string() };
    if s == "-" {
        return spec(Transport::Stdin, "-");
    }
    // buildah writes `docker-archive:PATH:NAME`; the name after the path is not needed to read it
    let path_part = |rest: &str| -> String {
        if Path::new(rest).exists() {
            return rest.to_string();
        }
        match rest.rsplit_once(':') {
            Some((p, _)) if Path::new(p).exists() => p.to_string(),
            _ => rest.to_string(),
        }
    };
    for (prefix, t) in [
        ("docker-archive:", Transport::DockerArchive),
        ("oci-archive:", Transport::OciArchive),
        ("oci:", Transport::OciLayout),
    ] {
        if let Some(rest) = s.strip_prefix(prefix) {
            return Spec { transport: t, target: path_part(rest) };
        }
    }
    for (prefix, t) in [
        ("docker-daemon:", Transport::DockerDaemon),
        ("containers-storage:", Transport::ContainersStorage),
        ("podman:", Transport::ContainersStorage),
        ("docker://", Transport::Registry),
    ] {
        if let Some(rest) = s.strip_prefix(prefix) {
            return spec(t, rest);
        }
    }
    spec(Transport::Any, s)
}

/// How to reach registries and which platform to pick.
#[derive(Debug, Clone, Default)]
pub struct SourceOptions {
    pub platform: Option<String>,
    pub registry: ClientOptions,
}

/// An opened image: read on demand (files, storage, registries), or indexed while it streamed
/// (the Docker engine, standard input).
pub enum Opened {
    Image(Image),
    Streamed(Streamed),
}

impl Opened {
    pub fn image(&self) -> &Image {
        match self {
            Opened::Image(i) => i,
            Opened::Streamed(s) => &s.image,
        }
    }

    pub fn analyze(
        self,
        opts: &crate::analyze::AnalyzeOptions,
    ) -> Result<crate::analyze::Report, crate::analyze::AnalyzeError> {
        match self {
            Opened::Image(i) => crate::analyze::analyze(&i, opts),
            Opened::Streamed(s) => crate::analyze::analyze_streamed(s, opts),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("{spec}: {source}")]
    Image { spec: String, source: ImageError },
    #[error("{spec}: {source}")]
    Engine { spec: String, source: EngineError },
    #[error("{spec}: {source}")]
    Registry { spec: String, source: RegistryError },
    #[error("{spec}: the Docker engine has no such image")]
    NotInEngine { spec: String },
    #[error("{spec}: no Docker engine here (DOCKER_HOST is not set and /var/run/docker.sock does not exist)")]
    NoEngine { spec: String },
    #[error("{spec}: not in containers-storage (looked in {})", .stores.join(", "))]
    NotInStorage { spec: String, stores: Vec<String> },
    #[error("{name}: no such file or image. Tried, in order:\n{}\nSave it to a file (docker save -o image.tar {name}, or buildah push {name} docker-archive:image.tar) or pull it (docker pull {name}), or name the place: docker-daemon:{name}, containers-storage:{name}, docker://REGISTRY/{name}", tried.iter().map(|t| format!("  - {t}")).collect::<Vec<_>>().join("\n"))]
    NotFound { name: String, tried: Vec<String> },
}

fn image_err(spec: &Spec) -> impl Fn(ImageError) -> SourceError + '_ {
    move |e| SourceError::Image { spec: spec.to_string(), source: e }
}

fn read_opts() -> ReadOptions<'static> {
    crate::analyze::read_options(false)
}

/// Where an image is, found but not read yet (or, for a registry, its manifest already read).
pub enum Located {
    File(PathBuf),
    /// The engine, the name, and the engine's record of the image.
    Engine(Engine, String, Box<serde_json::Value>),
    Storage(storage::Store, String),
    Registry(Box<Image>),
    Stdin,
}

fn engine_err(spec: &Spec) -> impl Fn(EngineError) -> SourceError + '_ {
    move |e| SourceError::Engine { spec: spec.to_string(), source: e }
}

fn from_registry(target: &str, spec: &Spec, o: &SourceOptions) -> Result<Image, SourceError> {
    let reg = |e| SourceError::Registry { spec: spec.to_string(), source: e };
    let r = Reference::parse(target).map_err(reg)?;
    let mut ro = o.registry.clone();
    if !ro.hosts.contains(&r.registry) {
        ro.hosts.push(r.registry.clone());
    }
    let client = Arc::new(Client::new(ro).map_err(reg)?);
    client.open_image(&r, &OpenOptions { platform: o.platform.clone() }).map_err(reg)
}

/// Find where the image a spec names is.
pub fn locate(spec: &Spec, o: &SourceOptions) -> Result<Located, SourceError> {
    let t = spec.target.as_str();
    match spec.transport {
        Transport::DockerArchive | Transport::OciArchive | Transport::OciLayout => Ok(Located::File(PathBuf::from(t))),
        Transport::Stdin => Ok(Located::Stdin),
        Transport::Registry => from_registry(t, spec, o).map(|i| Located::Registry(Box::new(i))),
        Transport::ContainersStorage => {
            for s in storage::stores() {
                if s.has(t).map_err(image_err(spec))? {
                    return Ok(Located::Storage(s, t.to_string()));
                }
            }
            Err(SourceError::NotInStorage {
                spec: spec.to_string(),
                stores: storage::graph_roots().iter().map(|p| p.display().to_string()).collect(),
            })
        }
        Transport::DockerDaemon => {
            let ep = engine::endpoint()
                .map_err(engine_err(spec))?
                .ok_or_else(|| SourceError::NoEngine { spec: spec.to_string() })?;
            let e = Engine::connect(ep).map_err(engine_err(spec))?;
            match e.inspect(t).map_err(engine_err(spec))? {
                Some(rec) => Ok(Located::Engine(e, t.to_string(), Box::new(rec))),
                None => Err(SourceError::NotInEngine { spec: spec.to_string() }),
            }
        }
        Transport::Any => {
            if Path::new(t).exists() {
                return Ok(Located::File(PathBuf::from(t)));
            }
            let mut tried = Vec::new();
            // 1. the Docker engine
            match engine::endpoint() {
                Ok(Some(ep)) => match Engine::connect(ep.clone()) {
                    Ok(e) => match e.inspect(t) {
                        Ok(Some(rec)) => return Ok(Located::Engine(e, t.to_string(), Box::new(rec))),
                        Ok(None) => tried.push(format!("the Docker engine at {ep}: no such image")),
                        Err(x) => tried.push(format!("the Docker engine at {ep}: {x}")),
                    },
                    Err(x) => tried.push(x.to_string()),
                },
                Ok(None) => tried.push("the Docker engine: none here (no DOCKER_HOST, no /var/run/docker.sock)".into()),
                Err(x) => tried.push(format!("the Docker engine: {x}")),
            }
            // 2. containers-storage (buildah, podman), rootful then rootless
            for s in storage::stores() {
                match s.has(t) {
                    Ok(true) => return Ok(Located::Storage(s, t.to_string())),
                    Ok(false) => {}
                    Err(x) => tried.push(format!("containers-storage at {}: {x}", s.root.display())),
                }
            }
            let roots: Vec<String> = storage::graph_roots().iter().map(|p| p.display().to_string()).collect();
            tried.push(format!("containers-storage ({}): no such image", roots.join(", ")));
            // 3. the registry the name says (Docker Hub for a short name)
            match Reference::parse(t) {
                Ok(r) => match from_registry(t, spec, o) {
                    Ok(i) => return Ok(Located::Registry(Box::new(i))),
                    Err(x) => tried.push(format!("the registry {}: {}", r.registry, strip_spec(&x.to_string(), t))),
                },
                Err(_) => tried.push("a registry: not an image reference".into()),
            }
            Err(SourceError::NotFound { name: t.to_string(), tried })
        }
    }
}

/// An error's text without the leading `spec: ` it repeats.
fn strip_spec(msg: &str, spec: &str) -> String {
    msg.strip_prefix(&format!("{spec}: ")).unwrap_or(msg).to_string()
}

impl Located {
    /// Read it for analysis: `capture` says which small files to keep when the image is indexed
    /// as it streams (the engine's export and standard input are read once, without a
    /// temporary file).
    pub fn open(self, spec: &Spec, o: &SourceOptions, capture: ReadOptions) -> Result<Opened, SourceError> {
        match self {
            Located::File(p) => crate::image::open(&p, &OpenOptions { platform: o.platform.clone() })
                .map(Opened::Image)
                .map_err(image_err(spec)),
            Located::Storage(s, name) => match s.open(&name).map_err(image_err(spec))? {
                Some(i) => Ok(Opened::Image(i)),
                None => Err(SourceError::NotInStorage {
                    spec: spec.to_string(),
                    stores: vec![s.root.display().to_string()],
                }),
            },
            Located::Registry(i) => Ok(Opened::Image(*i)),
            Located::Engine(e, name, rec) => {
                if let Some(i) = in_store(&e, &rec, &name, spec)? {
                    return Ok(Opened::Image(i));
                }
                let stream = e.export(&name).map_err(engine_err(spec))?;
                let mut st = index_archive(stream, SourceKind::DockerDaemon, capture).map_err(image_err(spec))?;
                st.image.name.get_or_insert(name);
                st.image.via = Some("the engine's export".into());
                Ok(Opened::Streamed(st))
            }
            Located::Stdin => index_archive(std::io::stdin(), SourceKind::DockerArchive, capture)
                .map(Opened::Streamed)
                .map_err(image_err(spec)),
        }
    }

    /// Read it so that its blobs can be read (a push, a pull-size estimate): the engine's export
    /// and standard input go to a temporary file first.
    pub fn open_for_blobs(self, spec: &Spec, o: &SourceOptions) -> Result<Image, SourceError> {
        let opts = OpenOptions { platform: o.platform.clone() };
        let spool = |r: &mut dyn std::io::Read| -> Result<Image, SourceError> {
            let tmp = crate::image::spool(r, &spec.to_string()).map_err(image_err(spec))?;
            crate::image::open_spooled(tmp, &opts).map_err(image_err(spec))
        };
        match self {
            Located::Engine(e, name, rec) => {
                if let Some(i) = in_store(&e, &rec, &name, spec)? {
                    return Ok(i);
                }
                let mut stream = e.export(&name).map_err(engine_err(spec))?;
                let mut i = spool(&mut stream)?;
                i.via = Some("the engine's export".into());
                Ok(i)
            }
            Located::Stdin => spool(&mut std::io::stdin().lock()),
            other => match other.open(spec, o, read_opts())? {
                Opened::Image(i) => Ok(i),
                Opened::Streamed(_) => unreachable!("only the engine and standard input stream"),
            },
        }
    }
}

/// The image read in place from the engine's store, when this process may read it and the
/// store holds it (`IMGSLIM_DOCKER_EXPORT=1` asks for the export instead).
fn in_store(e: &Engine, rec: &serde_json::Value, name: &str, spec: &Spec) -> Result<Option<Image>, SourceError> {
    if std::env::var_os("IMGSLIM_DOCKER_EXPORT").is_some_and(|v| !v.is_empty() && v != "0")
        || !crate::image::dockerstore::readable_here(&e.endpoint)
    {
        return Ok(None);
    }
    crate::image::dockerstore::open(rec, name).map_err(image_err(spec))
}

/// A single-platform image opened with `--platform` must be that platform (an index picks it).
fn check_platform(image: &Image, spec: &Spec, o: &SourceOptions) -> Result<(), SourceError> {
    let Some(p) = &o.platform else { return Ok(()) };
    let want = crate::dockerfile::model::expand::Platform::parse(p)
        .ok_or_else(|| image_err(spec)(ImageError::invalid("platform", p)))?;
    if crate::image::platform_matches(&image.platform(), &want) {
        return Ok(());
    }
    Err(image_err(spec)(ImageError::NoSuchPlatform { wanted: want.format(), available: vec![image.platform()] }))
}

/// Locate and open for analysis.
pub fn open(spec: &Spec, o: &SourceOptions) -> Result<Opened, SourceError> {
    let opened = locate(spec, o)?.open(spec, o, read_opts())?;
    check_platform(opened.image(), spec, o)?;
    Ok(opened)
}

/// Locate and open for reading blobs.
pub fn open_for_blobs(spec: &Spec, o: &SourceOptions) -> Result<Image, SourceError> {
    let image = locate(spec, o)?.open_for_blobs(spec, o)?;
    check_platform(&image, spec, o)?;
    Ok(image)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_grammar() {
        let p = |s: &str| {
            let x = parse(s);
            (x.transport, x.target)
        };
        assert_eq!(p("docker-daemon:app:1"), (Transport::DockerDaemon, "app:1".into()));
        assert_eq!(p("containers-storage:localhost/app"), (Transport::ContainersStorage, "localhost/app".into()));
        assert_eq!(p("podman:app"), (Transport::ContainersStorage, "app".into()));
        assert_eq!(p("docker://ghcr.io/o/app:1"), (Transport::Registry, "ghcr.io/o/app:1".into()));
        assert_eq!(p("oci:/tmp/layout"), (Transport::OciLayout, "/tmp/layout".into()));
        assert_eq!(p("-"), (Transport::Stdin, "-".into()));
        assert_eq!(p("myapp:latest"), (Transport::Any, "myapp:latest".into()));
        assert_eq!(parse("docker-daemon:app:1").to_string(), "docker-daemon:app:1");
    }
}
