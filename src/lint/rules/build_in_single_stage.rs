use super::*;
use crate::data::{debian_install_size, BaseImage, ImageRef};
use crate::lint::context::diagnostic;
use crate::lint::{Category, Diagnostic, Rule, RuleMeta, Severity};

/// ## What it does
/// Finds a single-stage Dockerfile that compiles its program (`go build`, `cargo build`,
/// `mvn package`, `gradle build`, `gcc`, `make`, `cmake --build`, `dotnet publish`,
/// `npm run build`).
///
/// ## Why is this bad?
/// The compiler, its caches and the sources ship with the program. A multi-stage build compiles
/// in a builder stage and copies only the result into a small runtime image: a Go service drops
/// from ~800 MB (golang) to a few MB (distroless static). `imgslim rewrite` writes that Dockerfile.
///
/// ## Example
/// ```dockerfile
/// FROM golang:1.22
/// COPY . .
/// RUN go build -o /app .
/// CMD ["/app"]
/// ```
///
/// ## Use instead
/// ```dockerfile
/// FROM golang:1.22 AS build
/// COPY . .
/// RUN CGO_ENABLED=0 go build -o /app .
/// FROM gcr.io/distroless/static-debian12
/// COPY --from=build /app /app
/// CMD ["/app"]
/// ```
pub struct BuildInSingleStage;

const META: RuleMeta = RuleMeta {
    name: "build-in-single-stage",
    severity: Severity::Warning,
    category: Category::Size,
    aliases: &[],
    summary: "a program is compiled in a single-stage image",
    fix: None,
};

/// Does this command compile? Returns a short description.
pub fn build_command(c: &Command) -> Option<&'static str> {
    let sub = subcommand(c);
    match (c.name(), sub) {
        ("go", Some("build" | "install")) => Some("go build"),
        ("cargo", Some("build" | "install")) => Some("cargo build"),
        ("mvn" | "mvnw" | "./mvnw", Some("package" | "install" | "verify")) => Some("mvn package"),
        ("gradle" | "gradlew" | "./gradlew", Some("build" | "assemble" | "bootJar" | "installDist" | "jar")) => {
            Some("gradle build")
        }
        ("gcc" | "g++" | "cc" | "c++" | "clang" | "clang++", _) => Some("a C/C++ compiler"),
        ("make", _) => Some("make"),
        ("cmake", _) if c.has_flag(&["--build"]) => Some("cmake --build"),
        ("dotnet", Some("publish" | "build")) => Some("dotnet publish"),
        ("npm" | "yarn" | "pnpm", Some("run")) if positionals(c).get(1).is_some_and(|w| w.text.contains("build")) => {
            Some("npm run build")
        }
        ("tsc", _) => Some("tsc"),
        _ => None,
    }
}

impl Rule for BuildInSingleStage {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn kinds(&self) -> &'static [&'static str] {
        &["run"]
    }
    fn check(&self, cx: &Context, at: &At, out: &mut Vec<Diagnostic>) {
        if cx.model.stages.len() != 1 {
            return;
        }
        let Some((c, what)) = commands(cx, at).iter().find_map(|c| build_command(c).map(|w| (c, w))) else {
            return;
        };
        let base = ImageRef::parse(&cx.base_image(at.stage));
        let tag = base.tag.clone().unwrap_or_default();
        let (bytes, how) = match BaseImage::find(&base) {
            Some(b) if b.runtime_for(&tag).is_some() && b.bytes > b.runtime_bytes => (
                b.bytes - b.runtime_bytes,
                format!(
                    "{} base image minus its runtime image {} (rules/base-images.toml)",
                    b.repository,
                    b.runtime_for(&tag).unwrap_or_default()
                ),
            ),
            _ => {
                let (gcc, _) = debian_install_size(&["build-essential"], false);
                (
                    gcc,
                    "the build-essential toolchain a builder stage would keep (rules/debian-bookworm.toml)".to_string(),
                )
            }
        };
        out.push(
            diagnostic(&META, command_span(cx, at, c), format!(
                "{what} in a single-stage image ships the toolchain and sources with the program ({} estimated): build in a builder stage (imgslim rewrite)",
                human(bytes)
            ))
            .with_estimate(bytes, how),
        );
    }
}
