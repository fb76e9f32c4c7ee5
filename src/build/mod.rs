//! Image builders on this machine (docker buildx, podman, buildah): build a Dockerfile, save the
//! image as a docker-archive, run a command in it, remove it. Each is a thin wrapper over the
//! tool's CLI; what they build is read back with `crate::image`.

pub mod verify;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BuilderKind {
    Docker,
    Podman,
    Buildah,
}

impl BuilderKind {
    pub fn as_str(self) -> &'static str {
        match self {
            BuilderKind::Docker => "docker",
            BuilderKind::Podman => "podman",
            BuilderKind::Buildah => "buildah",
        }
    }
    pub const ALL: [BuilderKind; 3] = [BuilderKind::Docker, BuilderKind::Podman, BuilderKind::Buildah];
}

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("no image builder found: install docker (with buildx), podman or buildah")]
    NoBuilder,
    #[error("{0} is not installed or does not work here")]
    Missing(&'static str),
    #[error("{tool} failed ({what}), exit status {status}:\n{log}")]
    Failed { tool: &'static str, what: String, status: String, log: String },
    #[error("cannot run {tool}: {source}")]
    Spawn { tool: &'static str, source: std::io::Error },
    #[error("reading the built image {tag}: {source}")]
    Analyze { tag: String, source: crate::analyze::AnalyzeError },
}

/// A built image, measured.
#[derive(Debug, Clone)]
pub struct Built {
    pub tag: String,
    pub report: crate::analyze::Report,
    pub build_seconds: f64,
}

/// Build a Dockerfile, save the image into `dir` and analyze it.
pub fn build_and_measure(
    builder: &Builder,
    dockerfile: &Path,
    context: &Path,
    tag: &str,
    dir: &Path,
) -> Result<Built, BuildError> {
    let t = Instant::now();
    builder.build(dockerfile, context, tag)?;
    let build_seconds = t.elapsed().as_secs_f64();
    let archive = dir.join(format!("{}.tar", tag.replace(['/', ':'], "_")));
    builder.save(tag, &archive)?;
    let analyze = |a: &Path| -> Result<crate::analyze::Report, crate::analyze::AnalyzeError> {
        let image = crate::image::open(a, &Default::default())?;
        crate::analyze::analyze(&image, &Default::default())
    };
    let report = analyze(&archive).map_err(|e| BuildError::Analyze { tag: tag.to_string(), source: e });
    let _ = std::fs::remove_file(&archive);
    Ok(Built { tag: tag.to_string(), report: report?, build_seconds })
}

/// The output of a command run in an image.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RunOutput {
    pub exit_code: Option<i32>,
    pub timed_out: bool,
    pub stdout: String,
    pub stderr: String,
}

#[derive(Debug, Clone)]
pub struct Builder {
    pub kind: BuilderKind,
    program: PathBuf,
    /// Docker without the buildx plugin: `docker build` with `DOCKER_BUILDKIT=1` (the 20.10 CLI).
    classic: bool,
    /// The network build containers get (`host` where the engine has no bridge network).
    network: Option<String>,
}

/// Does `program args` run and exit 0?
fn works(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Last lines of a log, for error messages.
fn tail(s: &str, lines: usize) -> String {
    let v: Vec<&str> = s.lines().collect();
    v[v.len().saturating_sub(lines)..].join("\n")
}

impl Builder {
    /// The builder to use: `prefer`, else the first of docker (with buildx), podman, buildah.
    pub fn detect(prefer: Option<BuilderKind>) -> Result<Builder, BuildError> {
        let check = |k: BuilderKind| -> bool {
            match k {
                // a reachable engine; buildx or not (the classic CLI builds with BuildKit too)
                BuilderKind::Docker => works("docker", &["version", "--format", "{{.Server.APIVersion}}"]),
                BuilderKind::Podman => works("podman", &["--version"]),
                BuilderKind::Buildah => works("buildah", &["--version"]),
            }
        };
        let make = |k: BuilderKind| Builder {
            kind: k,
            program: k.as_str().into(),
            classic: k == BuilderKind::Docker && !works("docker", &["buildx", "version"]),
            network: None,
        };
        match prefer {
            Some(k) if check(k) => Ok(make(k)),
            Some(k) => Err(BuildError::Missing(k.as_str())),
            None => BuilderKind::ALL.into_iter().find(|k| check(*k)).map(make).ok_or(BuildError::NoBuilder),
        }
    }

    /// Give build containers this network (`host`: an engine started without a bridge).
    pub fn with_network(mut self, network: Option<String>) -> Builder {
        self.network = network;
        self
    }

    fn tool(&self) -> &'static str {
        self.kind.as_str()
    }

    fn run_tool(&self, what: &str, args: &[String]) -> Result<String, BuildError> {
        let once = || {
            let mut c = Command::new(&self.program);
            if self.classic {
                c.env("DOCKER_BUILDKIT", "1");
            }
            c.args(args).stdin(Stdio::null()).output().map_err(|e| BuildError::Spawn { tool: self.tool(), source: e })
        };
        let mut out = once()?;
        if !out.status.success() && crun_hiccup(&String::from_utf8_lossy(&out.stderr)) {
            out = once()?;
        }
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        if !out.status.success() {
            let log = format!("{}{}", stdout, String::from_utf8_lossy(&out.stderr));
            return Err(BuildError::Failed {
                tool: self.tool(),
                what: what.to_string(),
                status: out.status.code().map_or("signal".into(), |c| c.to_string()),
                log: tail(&log, 40),
            });
        }
        Ok(stdout)
    }

    /// Build `dockerfile` with `context`, tagged `tag`. Base images present locally are used
    /// as they are (pulled only when missing).
    pub fn build(&self, dockerfile: &Path, context: &Path, tag: &str) -> Result<(), BuildError> {
        self.build_stage(dockerfile, context, tag, None)
    }

    /// Build only the stage `target` of a multi-stage Dockerfile.
    pub fn build_target(&self, dockerfile: &Path, context: &Path, tag: &str, target: &str) -> Result<(), BuildError> {
        self.build_stage(dockerfile, context, tag, Some(target))
    }

    fn build_stage(
        &self,
        dockerfile: &Path,
        context: &Path,
        tag: &str,
        target: Option<&str>,
    ) -> Result<(), BuildError> {
        let df = dockerfile.display().to_string();
        let ctx = context.display().to_string();
        let mut args: Vec<String> = match self.kind {
            BuilderKind::Docker if self.classic => vec!["build".into(), "-f".into(), df, "-t".into(), tag.into(), ctx],
            BuilderKind::Docker => {
                vec!["buildx".into(), "build".into(), "--load".into(), "-f".into(), df, "-t".into(), tag.into(), ctx]
            }
            BuilderKind::Podman => {
                vec!["build".into(), "--layers".into(), "-f".into(), df, "-t".into(), tag.into(), ctx]
            }
            BuilderKind::Buildah => vec![
                "bud".into(),
                "--layers".into(),
                "--pull=false".into(),
                "--format".into(),
                "docker".into(),
                "-f".into(),
                df,
                "-t".into(),
                tag.into(),
                ctx,
            ],
        };
        // before the context, the last argument
        let at = args.len() - 1;
        if let Some(t) = target {
            args.splice(at..at, ["--target".to_string(), t.to_string()]);
        }
        if let Some(n) = &self.network {
            args.splice(at..at, ["--network".to_string(), n.clone()]);
        }
        self.run_tool(&format!("building {}", dockerfile.display()), &args).map(|_| ())
    }

    /// Save an image as a docker-archive file.
    pub fn save(&self, tag: &str, out: &Path) -> Result<(), BuildError> {
        let o = out.display().to_string();
        let args: Vec<String> = match self.kind {
            BuilderKind::Docker => vec!["save".into(), "-o".into(), o, tag.into()],
            BuilderKind::Podman => {
                vec!["save".into(), "--format".into(), "docker-archive".into(), "-o".into(), o, tag.into()]
            }
            BuilderKind::Buildah => {
                vec!["push".into(), "--quiet".into(), tag.into(), format!("docker-archive:{o}:{tag}")]
            }
        };
        self.run_tool(&format!("saving {tag}"), &args).map(|_| ())
    }

    /// Run `argv` in a container of `tag` (argv[0] replaces the entrypoint), with a time limit.
    pub fn run(&self, tag: &str, argv: &[String], timeout: Duration) -> Result<RunOutput, BuildError> {
        let (mut cmd, container) = match self.kind {
            BuilderKind::Docker | BuilderKind::Podman => {
                let mut c = Command::new(&self.program);
                c.args(["run", "--rm", "--entrypoint"]).arg(argv.first().map_or("", |s| s.as_str())).arg(tag);
                c.args(argv.iter().skip(1));
                (c, None)
            }
            BuilderKind::Buildah => {
                let id = self.run_tool(
                    "creating a container",
                    &["from".into(), "--pull=false".into(), "--quiet".into(), tag.into()],
                )?;
                let id = id.trim().to_string();
                let mut c = Command::new(&self.program);
                c.args(["run", &id, "--"]).args(argv);
                (c, Some(id))
            }
        };
        let mut result =
            run_with_timeout(&mut cmd, timeout).map_err(|e| BuildError::Spawn { tool: self.tool(), source: e });
        if matches!(&result, Ok(o) if o.exit_code != Some(0) && crun_hiccup(&o.stderr)) {
            result =
                run_with_timeout(&mut cmd, timeout).map_err(|e| BuildError::Spawn { tool: self.tool(), source: e });
        }
        if let Some(id) = container {
            let _ = self.run_tool("removing a container", &["rm".into(), id]);
        }
        result
    }

    /// Remove an image (errors ignored: it may be gone).
    pub fn remove(&self, tag: &str) {
        let args: Vec<String> = match self.kind {
            BuilderKind::Docker | BuilderKind::Podman => vec!["rmi".into(), "-f".into(), tag.into()],
            BuilderKind::Buildah => vec!["rmi".into(), "-f".into(), tag.into()],
        };
        let _ = self.run_tool("removing an image", &args);
    }
}

/// crun sometimes fails to seal the memfd copy of itself (EBUSY) as a container starts: a hiccup
/// of the machine, gone on the next try (layers already built are cached).
fn crun_hiccup(stderr: &str) -> bool {
    stderr.contains("sealing memfd")
}

fn run_with_timeout(cmd: &mut Command, timeout: Duration) -> std::io::Result<RunOutput> {
    let mut child = cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn()?;
    let mut out = child.stdout.take().expect("piped");
    let mut err = child.stderr.take().expect("piped");
    let t_out = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = out.by_ref().take(1 << 20).read_to_end(&mut s);
        s
    });
    let t_err = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err.by_ref().take(1 << 20).read_to_end(&mut s);
        s
    });
    let start = Instant::now();
    let mut timed_out = false;
    let status = loop {
        if let Some(s) = child.try_wait()? {
            break Some(s);
        }
        if start.elapsed() > timeout {
            let _ = child.kill();
            timed_out = true;
            break child.wait().ok();
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let stdout = String::from_utf8_lossy(&t_out.join().unwrap_or_default()).into_owned();
    let stderr = String::from_utf8_lossy(&t_err.join().unwrap_or_default()).into_owned();
    Ok(RunOutput { exit_code: status.and_then(|s| s.code()), timed_out, stdout, stderr })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stand-in buildah that fails its first call the way crun does now and then.
    fn flaky_builder(dir: &Path) -> Builder {
        let script = dir.join("buildah");
        let marker = dir.join("called");
        std::fs::write(
            &script,
            format!(
                "#!/bin/sh\nif [ ! -e {m} ]; then touch {m}; echo 'Close_Fd sealing memfd copy: Device or resource busy' >&2; exit 1; fi\necho built\n",
                m = marker.display()
            ),
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        Builder { kind: BuilderKind::Buildah, program: script, classic: false, network: None }
    }

    #[test]
    fn a_crun_hiccup_is_tried_once_more_and_other_failures_are_not() {
        let t = tempfile::tempdir().unwrap();
        let b = flaky_builder(t.path());
        assert!(b.build(Path::new("Dockerfile"), t.path(), "x:1").is_ok());
        // a real failure stays a failure, with its log
        let fails =
            Builder { kind: BuilderKind::Buildah, program: PathBuf::from("false"), classic: false, network: None };
        assert!(matches!(fails.build(Path::new("Dockerfile"), t.path(), "x:1"), Err(BuildError::Failed { .. })));
    }
}
