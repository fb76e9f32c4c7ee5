//! Every flag of every command, in one place.

use crate::printer::ColorChoice;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "imgslim",
    version = env!("IMGSLIM_LONG_VERSION"),
    about = "Make container images small and keep them small.",
    long_about = "Make container images small and keep them small.\n\n\
        imgslim reads Dockerfiles exactly as BuildKit does and tells you what makes an image big.",
    propagate_version = true
)]
pub struct Cli {
    /// When to use colors (NO_COLOR is honoured with `auto`).
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Parse a Dockerfile as BuildKit does and print its instructions.
    Parse(ParseArgs),
    /// Analyze a Dockerfile (size-aware lint with estimates) or a built image (layers, waste,
    /// build-time leftovers and the Dockerfile lines behind them).
    Analyze(AnalyzeArgs),
    /// Lint Dockerfiles: size, cache, security and correctness findings, with fixes.
    Lint(LintArgs),
    /// Show the documentation of a lint rule (or list them all).
    Rule(RuleArgs),
    /// Rewrite a single-stage Dockerfile into a multi-stage one: a builder stage with the build,
    /// a slim or distroless runtime stage with only what the program needs.
    Rewrite(RewriteArgs),
    /// Compare two images (sizes, layers, leftovers, paths, packages, config), or build a
    /// Dockerfile and its rewrite (or another Dockerfile) and compare those.
    Compare(CompareArgs),
    /// Browse an image in the terminal: the layer list beside the file tree of a layer's changes
    /// or of the whole image, with change filters and leftovers highlighted (dive's view).
    Explore(ExploreArgs),
    /// Check an image against size budgets (imgslim.toml [gate] or flags) and a baseline: exit 1
    /// when a budget is exceeded, with the layer and Dockerfile line to blame.
    Gate(GateArgs),
    /// Push an image to a registry or Amazon ECR, after the size gate and the Fargate check if
    /// asked.
    Push(PushArgs),
    /// Amazon ECS on Fargate: check an image, write a task definition.
    #[command(subcommand)]
    Fargate(FargateCommand),
    /// Git hooks: `imgslim hook install` writes a pre-push hook that runs the size gate.
    #[command(subcommand)]
    Hook(HookCommand),
    /// Print a shell completion script: `imgslim completions bash > /etc/bash_completion.d/imgslim`.
    Completions(CompletionsArgs),
    /// Print the manual page (roff), or write one page per command with --dir.
    Man(ManArgs),
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// bash, zsh, fish, powershell or elvish.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write imgslim.1 and imgslim-COMMAND.1 pages into this directory.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PushFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CompressionChoice {
    Gzip,
    Zstd,
}

/// Gate budgets on the command line (`imgslim gate`, `imgslim push --gate`); they override
/// imgslim.toml [gate].
#[derive(Debug, Args, Default)]
pub struct GateFlagArgs {
    /// Largest image size (layer bytes, uncompressed): B, KB, MB, GB (powers of 1000), KiB, MiB, GiB.
    #[arg(long, value_name = "SIZE")]
    pub max_size: Option<String>,
    /// Largest compressed size (what a pull moves).
    #[arg(long, value_name = "SIZE")]
    pub max_compressed_size: Option<String>,
    /// Largest growth over the baseline: a size or a percentage (`10%`).
    #[arg(long, value_name = "SIZE|PCT")]
    pub max_growth: Option<String>,
    /// Most wasted bytes (overwritten or deleted by later layers): a size or a percentage.
    #[arg(long, value_name = "SIZE|PCT")]
    pub max_wasted: Option<String>,
    /// A leftover category that must not be in the image (compiler, headers, package-cache...);
    /// repeatable.
    #[arg(long, value_name = "CATEGORY")]
    pub forbid: Vec<String>,
    /// Lowest efficiency (0 to 1).
    #[arg(long, value_name = "RATIO")]
    pub min_efficiency: Option<f64>,
    /// Most layers.
    #[arg(long, value_name = "N")]
    pub max_layers: Option<usize>,
    /// Compare growth against: a JSON report (imgslim analyze/gate --format json), an image, or a
    /// registry reference (its manifest and config only). `push --gate` defaults to the tag it
    /// replaces.
    #[arg(long, value_name = "REPORT|IMAGE|REF")]
    pub baseline: Option<String>,
}

impl From<&GateFlagArgs> for crate::settings::GateFlags {
    fn from(b: &GateFlagArgs) -> Self {
        crate::settings::GateFlags {
            max_size: b.max_size.clone(),
            max_compressed_size: b.max_compressed_size.clone(),
            max_growth: b.max_growth.clone(),
            max_wasted: b.max_wasted.clone(),
            forbid: b.forbid.clone(),
            min_efficiency: b.min_efficiency,
            max_layers: b.max_layers,
            baseline: b.baseline.clone(),
        }
    }
}

#[derive(Debug, Args)]
pub struct PushArgs {
    /// The image: a file or directory, a name in the Docker engine or containers-storage, or
    /// `docker-daemon:`, `containers-storage:`, `docker-archive:`, `oci-archive:`, `oci:` NAME.
    pub image: String,
    /// Where to: `registry/repository:tag` (ECR: ACCOUNT.dkr.ecr.REGION.amazonaws.com/repo:tag).
    pub reference: String,
    /// Compression for docker-archive layers stored uncompressed.
    #[arg(long, value_enum, default_value_t = CompressionChoice::Gzip)]
    pub compression: CompressionChoice,
    /// Uploads at once.
    #[arg(long, default_value_t = 4)]
    pub threads: usize,
    /// A repository of the same registry that may have the blobs (cross-repository mount);
    /// repeatable.
    #[arg(long, value_name = "REPOSITORY")]
    pub mount_from: Vec<String>,
    /// Registry user (with --password-stdin); default: docker config and credential helpers.
    #[arg(long, requires = "password_stdin")]
    pub username: Option<String>,
    /// Read the registry password from standard input.
    #[arg(long)]
    pub password_stdin: bool,
    /// A CA certificate (PEM) to trust besides the system's (and /etc/docker/certs.d/HOST/ca.crt).
    #[arg(long, value_name = "FILE")]
    pub ca_file: Vec<PathBuf>,
    /// Use plain HTTP for this registry.
    #[arg(long)]
    pub insecure: bool,
    /// Send registry traffic to this address (VPC endpoint, proxy, test registry).
    #[arg(long, value_name = "URL")]
    pub endpoint: Option<String>,
    /// ECR: create the repository when it does not exist.
    #[arg(long)]
    pub create_repo: bool,
    /// ECR, with --create-repo: scan images on push.
    #[arg(long)]
    pub scan_on_push: bool,
    /// ECR, with --create-repo: make tags immutable.
    #[arg(long)]
    pub immutable: bool,
    /// Run the size gate (imgslim.toml [gate] and the gate flags) first; a failure uploads nothing.
    #[arg(long)]
    pub gate: bool,
    #[command(flatten)]
    pub budgets: GateFlagArgs,
    /// With --gate: the Dockerfile, so failures name its lines.
    #[arg(long)]
    pub dockerfile: Option<PathBuf>,
    /// Run the Fargate check first; a failure uploads nothing.
    #[arg(long)]
    pub fargate: bool,
    /// With --fargate: X86_64 or ARM64.
    #[arg(long, value_name = "ARCH")]
    pub cpu_architecture: Option<String>,
    /// Settings file (default: imgslim.toml in the current directory or above).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[arg(long, short, value_enum, default_value_t = PushFormat::Text)]
    pub format: PushFormat,
}

#[derive(Debug, Subcommand)]
pub enum FargateCommand {
    /// Can Fargate run this image? Platform, layer media types, size against ephemeral storage,
    /// pull time; zstd and SOCI advice for large images.
    Check(FargateCheckArgs),
    /// Print (or write) an ECS task definition for Fargate.
    TaskDef(Box<TaskDefArgs>),
}

#[derive(Debug, Args)]
pub struct FargateCheckArgs {
    /// The image: an archive, an OCI layout, or a registry reference.
    pub image: String,
    /// X86_64 or ARM64: the task's cpuArchitecture.
    #[arg(long, value_name = "ARCH")]
    pub cpu_architecture: Option<String>,
    /// Task ephemeral storage in GiB (20 to 200).
    #[arg(long, default_value_t = 20)]
    pub ephemeral_storage: u64,
    /// Pull bandwidth for the estimate, MB/s.
    #[arg(long, default_value_t = 100.0)]
    pub bandwidth: f64,
    #[arg(long)]
    pub platform: Option<String>,
    #[arg(long = "insecure-registry", value_name = "HOST")]
    pub insecure_registry: Vec<String>,
    #[arg(long, short, value_enum, default_value_t = PushFormat::Text)]
    pub format: PushFormat,
}

#[derive(Debug, Args)]
pub struct TaskDefArgs {
    /// The image the task runs, by digest: REGISTRY/REPO@sha256:...
    #[arg(long)]
    pub image: String,
    /// Read the image config (ports, user, health check) from here: an archive, a layout or a
    /// registry reference (default: --image).
    #[arg(long, value_name = "IMAGE")]
    pub config_from: Option<String>,
    /// Task cpu units: 256, 512, 1024, 2048, 4096, 8192, 16384.
    #[arg(long, default_value_t = 256)]
    pub cpu: u32,
    /// Task memory (MiB), valid for the cpu.
    #[arg(long, default_value_t = 512)]
    pub memory: u32,
    /// Task family (default: the repository name).
    #[arg(long)]
    pub family: Option<String>,
    /// Container name (default: the family).
    #[arg(long)]
    pub container_name: Option<String>,
    /// X86_64 or ARM64 (default: from the image's platform).
    #[arg(long, value_name = "ARCH")]
    pub cpu_architecture: Option<String>,
    /// AWS region for awslogs (default: the ECR region, AWS_REGION, or us-east-1).
    #[arg(long)]
    pub region: Option<String>,
    /// CloudWatch Logs group (default: /ecs/FAMILY).
    #[arg(long)]
    pub log_group: Option<String>,
    /// awslogs stream prefix (default: the family).
    #[arg(long)]
    pub stream_prefix: Option<String>,
    #[arg(long, value_name = "ARN")]
    pub execution_role_arn: Option<String>,
    #[arg(long, value_name = "ARN")]
    pub task_role_arn: Option<String>,
    /// Ephemeral storage in GiB (21 to 200; 20 is the default and is left out).
    #[arg(long)]
    pub ephemeral_storage: Option<u64>,
    /// Start from this task definition JSON (other fields and containers are kept).
    #[arg(long, value_name = "FILE")]
    pub from: Option<PathBuf>,
    /// Write the task definition here instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also write the Application Auto Scaling target and CPU target-tracking policy here.
    #[arg(long, value_name = "FILE")]
    pub autoscaling: Option<PathBuf>,
    /// Autoscaling: ECS cluster and service names.
    #[arg(long, default_value = "default")]
    pub cluster: String,
    #[arg(long)]
    pub service: Option<String>,
    /// Autoscaling: tasks, minimum and maximum.
    #[arg(long, default_value_t = 1)]
    pub min_tasks: u32,
    #[arg(long, default_value_t = 4)]
    pub max_tasks: u32,
    /// Autoscaling: average CPU utilization to hold (percent).
    #[arg(long, default_value_t = 70.0)]
    pub target_cpu: f64,
    #[arg(long = "insecure-registry", value_name = "HOST")]
    pub insecure_registry: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum HookCommand {
    /// Write .git/hooks/pre-push: run `imgslim gate` on the image before every git push.
    Install(HookInstallArgs),
}

#[derive(Debug, Args)]
pub struct HookInstallArgs {
    /// The image the hook gates (default: imgslim.toml [push] image).
    #[arg(long)]
    pub image: Option<String>,
    /// The Dockerfile, so failures name its lines.
    #[arg(long)]
    pub dockerfile: Option<PathBuf>,
    /// Replace an existing pre-push hook that imgslim did not write.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CompareFormat {
    Text,
    Json,
    Markdown,
    /// One self-contained HTML page: both treemaps side by side and the largest differences.
    Html,
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The first image: a docker-archive, OCI archive or OCI layout, or a registry reference.
    #[arg(required_unless_present = "build")]
    pub a: Option<String>,
    /// The second image.
    #[arg(required_unless_present = "build")]
    pub b: Option<String>,
    /// Build this Dockerfile (as a) and compare it with its rewrite or --against (as b).
    #[arg(long, value_name = "DOCKERFILE", conflicts_with_all = ["a", "b"])]
    pub build: Option<PathBuf>,
    /// With --build: b is `imgslim rewrite` of the Dockerfile (the default).
    #[arg(long, requires = "build", conflicts_with = "against")]
    pub rewrite: bool,
    /// With --build: b is built from this Dockerfile.
    #[arg(long, value_name = "DOCKERFILE", requires = "build")]
    pub against: Option<PathBuf>,
    /// With --build: the build context (default: the Dockerfile's directory).
    #[arg(long, value_name = "DIR")]
    pub context: Option<PathBuf>,
    /// With --build: the builder (default: the first found of docker, podman, buildah).
    #[arg(long, value_enum)]
    pub builder: Option<BuilderChoice>,
    /// With --build: the network of the build containers (`host` for an engine started without
    /// a bridge network).
    #[arg(long, value_name = "NETWORK")]
    pub network: Option<String>,
    /// With --build --rewrite: the runtime base for the rewrite.
    #[arg(long, value_name = "IMAGE")]
    pub runtime_base: Option<String>,
    /// With --build --rewrite: the Java runtime of the rewrite (see `imgslim rewrite --help`).
    #[arg(long, value_enum, value_name = "KIND", default_value_t = JavaRuntimeChoice::Jre)]
    pub java_runtime: JavaRuntimeChoice,
    /// Platform to pick from multi-platform images.
    #[arg(long)]
    pub platform: Option<String>,
    /// Registries to reach over plain HTTP (localhost always is); repeatable.
    #[arg(long = "insecure-registry", value_name = "HOST")]
    pub insecure_registry: Vec<String>,
    #[arg(long, short, value_enum, default_value_t = CompareFormat::Text)]
    pub format: CompareFormat,
    /// Rows in the directory and package lists.
    #[arg(long, default_value_t = 15)]
    pub top: usize,
    /// Write the comparison to FILE (replaced atomically) instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GateFormat {
    Text,
    Json,
    Junit,
    Sarif,
    Markdown,
    Github,
    /// One self-contained HTML page: the verdict, the checks and the image's analysis.
    Html,
}

#[derive(Debug, Args)]
pub struct GateArgs {
    /// The image: a docker-archive, OCI archive or OCI layout, or a registry reference.
    pub image: String,
    /// The Dockerfile it was built from: failures name the line to blame.
    #[arg(long)]
    pub dockerfile: Option<PathBuf>,
    #[command(flatten)]
    pub budgets: GateFlagArgs,
    /// Settings file (default: imgslim.toml in the current directory or above).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// dive's CI rules file (default: .dive-ci in the current directory, read when no budget is
    /// set in imgslim.toml or by flags).
    #[arg(long, value_name = "FILE")]
    pub ci_config: Option<PathBuf>,
    /// Platform to pick from multi-platform images.
    #[arg(long)]
    pub platform: Option<String>,
    /// Registries to reach over plain HTTP (localhost always is); repeatable.
    #[arg(long = "insecure-registry", value_name = "HOST")]
    pub insecure_registry: Vec<String>,
    /// Also write the full JSON report (verdict, checks and analysis) to this file.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Write the verdict in --format to FILE (replaced atomically) instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[arg(long, short, value_enum, default_value_t = GateFormat::Text)]
    pub format: GateFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BuilderChoice {
    Docker,
    Podman,
    Buildah,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum JavaRuntimeChoice {
    Jre,
    Jlink,
}

impl From<JavaRuntimeChoice> for imgslim::rewrite::JavaRuntime {
    fn from(c: JavaRuntimeChoice) -> Self {
        match c {
            JavaRuntimeChoice::Jre => imgslim::rewrite::JavaRuntime::Jre,
            JavaRuntimeChoice::Jlink => imgslim::rewrite::JavaRuntime::Jlink,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RewriteFormat {
    /// The new Dockerfile on standard output, the reasons on standard error.
    Text,
    /// The plan (and the verification) as one JSON object.
    Json,
}

#[derive(Debug, Args)]
pub struct RewriteArgs {
    /// The Dockerfile (`-` for standard input).
    #[arg(default_value = "Dockerfile")]
    pub dockerfile: PathBuf,
    /// Write the new Dockerfile to this file instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Print a unified diff against the original instead of the new file.
    #[arg(long, conflicts_with = "output")]
    pub diff: bool,
    /// The build context (manifests like requirements.txt, go.mod, package.json); default: the
    /// Dockerfile's directory.
    #[arg(long, value_name = "DIR")]
    pub context: Option<PathBuf>,
    /// The runtime stage's base image (default: rules/base-images.toml's mapping, e.g.
    /// python:3.11 -> python:3.11-slim, golang -> gcr.io/distroless/static-debian12).
    #[arg(long, value_name = "IMAGE")]
    pub runtime_base: Option<String>,
    /// Java: run on the JDK's matching JRE image (`jre`), or on a runtime jlink builds from the
    /// modules jdeps finds in the jar (`jlink`: far smaller; a module loaded only by reflection
    /// is missing).
    #[arg(long, value_enum, value_name = "KIND", default_value_t = JavaRuntimeChoice::Jre)]
    pub java_runtime: JavaRuntimeChoice,
    /// Keep this package the original installs in the runtime stage even when nothing seen
    /// runs it (tools like vim or curl are left in the builder otherwise); repeatable.
    #[arg(long, value_name = "PACKAGE")]
    pub keep_package: Vec<String>,
    /// Ship binaries with their symbols and debug information (no `-s -w` for Go, no strip).
    #[arg(long)]
    pub no_strip: bool,
    /// Build the original and the rewrite, compare their sizes and image configs, and run
    /// --smoke in both.
    #[arg(long)]
    pub verify: bool,
    /// With --verify: print what the builder found the program needs (the libraries it links,
    /// the packages that own them, the programs it runs).
    #[arg(long, requires = "verify")]
    pub explain: bool,
    /// The builder for --verify (default: the first found of docker, podman, buildah).
    #[arg(long, value_enum)]
    pub builder: Option<BuilderChoice>,
    /// With --verify: the network of the build containers (`host` for an engine started without
    /// a bridge network).
    #[arg(long, value_name = "NETWORK")]
    pub network: Option<String>,
    /// A command to run in both images with --verify (split like a shell command line, run
    /// without a shell), e.g. `--smoke "python app.py --version"`.
    #[arg(long, value_name = "COMMAND")]
    pub smoke: Option<String>,
    /// Seconds the smoke command may run.
    #[arg(long, default_value_t = 120)]
    pub smoke_timeout: u64,
    /// Keep the images --verify builds (tagged imgslim-verify/<name>:original and :rewrite).
    #[arg(long)]
    pub keep_images: bool,
    #[arg(long, short, value_enum, default_value_t = RewriteFormat::Text)]
    pub format: RewriteFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LintFormat {
    Text,
    Json,
    Sarif,
    Github,
    Markdown,
    Junit,
    Checkstyle,
    /// One line per finding, as hadolint's tty format.
    Tty,
    /// `imgslim:FILE:LINE:COL: severity: CODE message`.
    Gnu,
    /// Code Climate engine issues, each followed by a NUL.
    Codeclimate,
    /// GitLab Code Quality (a JSON array for `artifacts: reports: codequality`).
    #[value(alias = "gitlab_codeclimate", alias = "gitlab-codeclimate")]
    Gitlab,
}

#[derive(Debug, Args)]
pub struct LintOptions {
    /// Settings file (default: imgslim.toml in the current directory or above).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Do not report this rule (code like IS101, name, or alias like DL3008); repeatable.
    #[arg(long = "ignore", value_name = "CODE")]
    pub ignore: Vec<String>,
    /// Exit 1 when a finding has this severity or higher: error, warning, info, style or none
    /// (default: warning, or imgslim.toml's failure-threshold).
    #[arg(long, value_name = "SEVERITY")]
    pub failure_threshold: Option<String>,
    /// The build context (for .dockerignore and file sizes); default: the Dockerfile's directory.
    #[arg(long, value_name = "DIR")]
    pub context: Option<PathBuf>,
    /// Exit 0 whatever is found (hadolint's --no-fail).
    #[arg(long)]
    pub no_fail: bool,
    /// Run a rule that is off by default (IS510); repeatable.
    #[arg(long = "enable", value_name = "CODE")]
    pub enable: Vec<String>,
}

impl LintOptions {
    pub fn flags(&self) -> crate::settings::LintFlags<'_> {
        crate::settings::LintFlags {
            ignore: &self.ignore,
            failure_threshold: self.failure_threshold.as_deref(),
            no_fail: self.no_fail,
            enable: &self.enable,
        }
    }
}

#[derive(Debug, Args)]
pub struct LintArgs {
    /// Dockerfiles, or directories to search for Dockerfile, Dockerfile.*, *.Dockerfile and
    /// Containerfile; `-` reads standard input.
    #[arg(default_value = "Dockerfile")]
    pub files: Vec<PathBuf>,
    #[arg(long, short, value_enum, default_value_t = LintFormat::Text)]
    pub format: LintFormat,
    /// Apply safe fixes in place (comments and formatting are kept).
    #[arg(long)]
    pub fix: bool,
    /// With --fix or --diff, also apply fixes that may change what the image does.
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Print the fixes as a unified diff instead of writing them (exit 1 if there are any).
    #[arg(long, conflicts_with = "fix")]
    pub diff: bool,
    #[command(flatten)]
    pub options: LintOptions,
}

#[derive(Debug, Args)]
pub struct RuleArgs {
    /// A rule code (IS101), name (apt-no-install-recommends) or alias (DL3015).
    #[arg(required_unless_present = "all")]
    pub code: Option<String>,
    /// List every rule.
    #[arg(long)]
    pub all: bool,
    #[arg(long, short, value_enum, default_value_t = RuleFormat::Text)]
    pub format: RuleFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RuleFormat {
    Text,
    Json,
    Markdown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Text,
    Json,
    Markdown,
    /// The findings (Dockerfiles only), as `imgslim lint` writes them.
    Sarif,
    Github,
    Junit,
    Checkstyle,
    /// One self-contained HTML page (no network): summary, treemap, layers, leftovers.
    Html,
}

/// A size such as `1MB`, `512k` or `2000`.
pub fn parse_size(s: &str) -> Result<u64, String> {
    imgslim::units::parse_bytes(s).ok_or_else(|| format!("not a size: {s:?} (write e.g. 1MB, 512kB, 2000)"))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiveSource {
    Docker,
    DockerArchive,
    Podman,
}

impl DiveSource {
    /// The transport prefix of the same source.
    pub fn prefix(self) -> &'static str {
        match self {
            DiveSource::Docker => "docker-daemon:",
            DiveSource::DockerArchive => "docker-archive:",
            DiveSource::Podman => "containers-storage:",
        }
    }
}

#[derive(Debug, Args)]
pub struct ExploreArgs {
    /// The image: a file, a directory, a name in the Docker engine or containers-storage, a
    /// registry reference, or a transport-prefixed name (see `imgslim analyze --help`).
    pub image: String,
    /// The Dockerfile it was built from: layers are labelled with its lines.
    #[arg(long)]
    pub dockerfile: Option<PathBuf>,
    /// Platform to pick from a multi-platform image (os/arch[/variant]).
    #[arg(long)]
    pub platform: Option<String>,
    /// A registry to reach over plain HTTP (repeatable).
    #[arg(long, value_name = "HOST")]
    pub insecure_registry: Vec<String>,
}

#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// A Dockerfile (or several), or an image: a file (docker-archive, OCI archive) or OCI layout
    /// directory, a name in the Docker engine or containers-storage (`myapp:latest`), a registry
    /// reference, `docker-daemon:NAME`, `containers-storage:NAME`, `docker://REF`, or `-` for an
    /// image on standard input.
    #[arg(required = true, value_name = "TARGET")]
    pub targets: Vec<PathBuf>,
    /// The Dockerfile the image was built from: map layers and leftovers to its lines.
    #[arg(long)]
    pub dockerfile: Option<PathBuf>,
    /// Where the image is, as dive spells it: docker (the engine), docker-archive (a file) or
    /// podman (containers-storage); the same as the `docker-daemon:` ... prefixes.
    #[arg(long, value_enum, value_name = "SOURCE")]
    pub source: Option<DiveSource>,
    /// The stage that was built (with --dockerfile); default the last.
    #[arg(long)]
    pub target_stage: Option<String>,
    /// Platform to pick from a multi-platform image (os/arch[/variant]); default the host's.
    #[arg(long)]
    pub platform: Option<String>,
    /// Read every layer in full and check every digest.
    #[arg(long)]
    pub verify: bool,
    /// A registry to reach over plain HTTP (repeatable).
    #[arg(long, value_name = "HOST")]
    pub insecure_registry: Vec<String>,
    #[arg(long, short, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
    /// Rows to show in the leftover, wasted-path and largest-file tables (and in the JSON's
    /// `largest_files` and `largest_dirs`).
    #[arg(long, default_value_t = 10)]
    pub top: usize,
    /// Print the file tree with sizes instead of the tables: the final image, or with --layer what
    /// one layer changed (`+` added, `~` modified, `-` removed).
    #[arg(long)]
    pub tree: bool,
    /// With --tree: the layer to show (its index in the layer table, base first from 0).
    #[arg(long, value_name = "N", requires = "tree")]
    pub layer: Option<usize>,
    /// With --tree: directory levels to show (0: all; default 3).
    #[arg(long, value_name = "D", requires = "tree")]
    pub depth: Option<usize>,
    /// With --tree: leave out entries smaller than this (they are summed in a `…` line).
    #[arg(long, value_name = "SIZE", value_parser = parse_size, requires = "tree")]
    pub min_size: Option<u64>,
    /// JSON: list every path each layer added, modified or removed (`layers[].changes.files`).
    #[arg(long)]
    pub files: bool,
    /// Write the report to FILE (replaced atomically) instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// With a Dockerfile: the image built from it (any image source); each size finding gets
    /// what the layer of its line measures, beside the estimate.
    #[arg(long, value_name = "IMAGE")]
    pub image: Option<String>,
    /// Lint options (when the target is a Dockerfile).
    #[command(flatten)]
    pub lint: LintOptions,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ParseFormat {
    /// One JSON object per instruction, with BuildKit's fields (cmd, sub_cmd, json, start_line,
    /// end_line, flags, value, heredocs) plus spans.
    Json,
    /// The syntax tree and the stages, for people.
    Tree,
    /// BuildKit's own S-expression dump, as in its parser tests.
    Dump,
}

#[derive(Debug, Args)]
pub struct ParseArgs {
    /// The Dockerfile (`-` for standard input).
    pub file: PathBuf,
    #[arg(long, short, value_enum, default_value_t = ParseFormat::Tree)]
    pub format: ParseFormat,
    /// Stop after BuildKit's parser: do not check instructions (argument counts, flags, stage
    /// names) the way BuildKit does before building.
    #[arg(long)]
    pub syntax_only: bool,
}
