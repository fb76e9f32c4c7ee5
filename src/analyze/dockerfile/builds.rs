//! What builds leave in a RUN: the program (Go, Rust, C/C++, a jar), target/, GOCACHE, module
//! caches, Maven's and Gradle's caches (from the dependencies their manifests declare).

use super::run::{cleaned, RunCx};
use super::{deps, under, Cause, Stage};
use crate::data::estimates;
use crate::dockerfile::shell::Command;
use crate::dockerfile::tools::caches::Cache;
use crate::dockerfile::tools::{flag_value, positionals, subcommand};

pub(super) fn go(rc: &RunCx, c: &Command, later: &[Command], st: &mut Stage) {
    let e = &estimates().golang;
    let sub = subcommand(c).unwrap_or("");
    let gopath = st.env.get("GOPATH").cloned().unwrap_or_else(|| "/go".into());
    let modules = rc.ctx.read_for(st, &format!("{}/go.sum", st.workdir)).map(|t| deps::go_sum(&t) as u64).unwrap_or(0);
    let modcache = st.env.get("GOMODCACHE").cloned().unwrap_or_else(|| format!("{gopath}/pkg/mod"));
    if modules > 0
        && matches!(sub, "build" | "install" | "mod" | "get")
        && !rc.mounted(&modcache)
        && !st.parts.iter().any(|p| p.path == modcache)
    {
        st.parts.push(rc.part(
            Cause::BuildCache,
            modcache,
            modules * e.per_module_cache,
            format!("{modules} modules of go.sum in the module cache (rules/estimates.toml)"),
        ));
    }
    if !matches!(sub, "build" | "install") {
        return;
    }
    let http = rc.ctx.go_uses_http();
    let mut bytes = if http { e.binary_http } else { e.binary } + modules * e.per_module_binary;
    let ldflags = flag_value(c, &["-ldflags"]).unwrap_or("");
    let stripped = ldflags.split_whitespace().any(|f| f == "-s" || f == "-w");
    if stripped {
        bytes = (bytes as f64 * e.stripped_ratio) as u64;
    }
    let module_name = rc
        .ctx
        .read_for(st, &format!("{}/go.mod", st.workdir))
        .and_then(|t| {
            t.lines()
                .find_map(|l| l.strip_prefix("module ").map(|m| m.trim().rsplit('/').next().unwrap_or("").to_string()))
        })
        .unwrap_or_else(|| st.workdir.rsplit('/').next().unwrap_or("app").to_string());
    let out = match flag_value(c, &["-o"]) {
        Some(o) if o.ends_with('/') => format!("{}/{module_name}", st.abs(o)),
        Some(o) => st.abs(o),
        None if sub == "install" => format!("{gopath}/bin/{module_name}"),
        None => format!("{}/{module_name}", st.workdir),
    };
    let how = format!(
        "a Go program{} {} (rules/estimates.toml)",
        if http { " with net/http" } else { "" },
        if stripped { "built with -s -w" } else { "with its symbol table" }
    );
    st.parts.push(rc.part(Cause::BuildOutput, out, bytes, how));
    let cache = st.env.get("GOCACHE").cloned().unwrap_or_else(|| format!("{}/.cache/go-build", st.home()));
    if !cleaned(rc, later, Cache::Go, &cache) {
        st.parts.push(rc.part(
            Cause::BuildCache,
            cache,
            e.build_cache + modules * e.per_module_binary,
            "GOCACHE after one build (rules/estimates.toml)",
        ));
    }
}

pub(super) fn cargo(rc: &RunCx, c: &Command, st: &mut Stage) {
    let e = &estimates().rust;
    let sub = subcommand(c).unwrap_or("");
    if !matches!(sub, "build" | "install") {
        return;
    }
    let w = st.workdir.clone();
    let manifest = rc.ctx.read_for(st, &format!("{w}/Cargo.toml"));
    let crates = rc
        .ctx
        .read_for(st, &format!("{w}/Cargo.lock"))
        .map(|t| deps::cargo_lock(&t) as u64)
        .unwrap_or_else(|| manifest.as_deref().map_or(0, |m| deps::cargo_dependencies(m) as u64 * 4));
    let name = manifest.as_deref().and_then(deps::cargo_binary).unwrap_or_else(|| "app".into());
    let cargo_home = st.env.get("CARGO_HOME").cloned().unwrap_or_else(|| format!("{}/.cargo", st.home()));
    let target = st.env.get("CARGO_TARGET_DIR").map(|t| st.abs(t)).unwrap_or_else(|| format!("{w}/target"));
    let binary = e.binary + crates * e.per_crate_binary;
    let build = e.target + crates * e.per_crate_target;
    let profile = if sub == "install" || c.has_flag(&["--release", "-r"]) { "release" } else { "debug" };
    let out = if sub == "install" {
        let root = st.env.get("CARGO_INSTALL_ROOT").cloned().unwrap_or_else(|| cargo_home.clone());
        format!("{root}/bin/{name}")
    } else {
        format!("{target}/{profile}/{name}")
    };
    st.parts.push(rc.part(
        Cause::BuildOutput,
        out,
        binary,
        format!("a Rust binary with {crates} dependencies (rules/estimates.toml)"),
    ));
    let extra = if sub == "install" { e.install_extra } else { 0 };
    if !rc.mounted(&target) {
        st.parts.push(rc.part(
            Cause::BuildCache,
            target,
            build.saturating_sub(binary) + extra,
            format!("target/ of a build with {crates} dependencies (rules/estimates.toml)"),
        ));
    }
    let registry = format!("{cargo_home}/registry");
    if crates > 0 && !rc.mounted(&registry) {
        st.parts.push(rc.part(
            Cause::BuildCache,
            registry,
            crates * e.per_crate_registry,
            "the crates' sources in CARGO_HOME/registry (rules/estimates.toml)",
        ));
    }
}

/// `strip` of a program the stage built: its symbols go.
pub(super) fn strip(c: &Command, st: &mut Stage) {
    let e = estimates();
    let targets: Vec<String> = positionals(c).iter().map(|w| st.abs(&w.text)).collect();
    for p in st
        .parts
        .iter_mut()
        .filter(|p| p.cause == Cause::BuildOutput && targets.iter().any(|t| under(t, &p.path) || under(&p.path, t)))
    {
        let ratio = if p.how.starts_with("a Rust binary") {
            e.rust.stripped as f64 / e.rust.binary as f64
        } else if p.how.starts_with("a Go program") && !p.how.contains("-s -w") {
            e.golang.stripped_ratio
        } else if p.how.starts_with("a Go program") {
            1.0
        } else {
            e.golang.stripped_ratio
        };
        p.bytes = (p.bytes as f64 * ratio) as u64;
        p.how.push_str(", stripped");
    }
}

/// C and C++ builds (make, cmake, a compiler), Java builds (mvn, gradle, ant) and jlink.
pub(super) fn native(rc: &RunCx, c: &Command, st: &mut Stage) {
    let name = c.name();
    let builds = matches!(
        name,
        "make"
            | "cmake"
            | "ninja"
            | "gcc"
            | "g++"
            | "cc"
            | "c++"
            | "clang"
            | "clang++"
            | "mvn"
            | "mvnw"
            | "./mvnw"
            | "gradle"
            | "gradlew"
            | "./gradlew"
            | "ant"
    );
    // the sources a build reads (summed only for a build: every other command would make a
    // file of many RUNs quadratic)
    let sources: u64 = if builds {
        st.parts.iter().filter(|p| p.cause == Cause::Sources && under(&p.path, &st.workdir)).map(|p| p.bytes).sum()
    } else {
        0
    };
    let e = estimates();
    let objects = (sources as f64 * e.native.objects_ratio) as u64;
    match name {
        "make" | "cmake" | "ninja" | "gcc" | "g++" | "cc" | "c++" | "clang" | "clang++" => {
            let installs = positionals(c).iter().any(|w| w.text == "install");
            let out = if installs {
                let prefix = c
                    .args()
                    .iter()
                    .find_map(|w| w.text.strip_prefix("PREFIX=").or_else(|| w.text.strip_prefix("prefix=")))
                    .unwrap_or("/usr/local");
                st.abs(prefix)
            } else {
                flag_value(c, &["-o"]).map(|o| st.abs(o)).unwrap_or_else(|| st.workdir.clone())
            };
            let cause =
                if installs || flag_value(c, &["-o"]).is_some() { Cause::BuildOutput } else { Cause::BuildCache };
            if objects > 0 && !st.parts.iter().any(|p| p.path == out && p.cause == cause) {
                st.parts.push(rc.part(
                    cause,
                    out,
                    objects,
                    "what a C/C++ build writes, from the size of its sources (rules/estimates.toml)",
                ));
            }
        }
        "mvn" | "mvnw" | "./mvnw" | "gradle" | "gradlew" | "./gradlew" | "ant" => {
            let out = match name {
                "ant" => format!("{}/build", st.workdir),
                n if n.contains("gradle") => format!("{}/build/libs", st.workdir),
                _ => format!("{}/target", st.workdir),
            };
            let jar = (sources as f64 * e.java.jar_ratio) as u64;
            st.parts.push(rc.part(
                Cause::BuildOutput,
                out,
                jar,
                "the jar, from the size of its sources (rules/estimates.toml)",
            ));
            if name != "ant" {
                let gradle = name.contains("gradle");
                let cache = if gradle { format!("{}/.gradle", st.home()) } else { format!("{}/.m2", st.home()) };
                if !rc.mounted(&cache) {
                    let (bytes, how) = jvm_build_cache(rc, st, name, gradle);
                    st.parts.push(rc.part(Cause::BuildCache, cache, bytes, how));
                }
            }
        }
        "jlink" => {
            if let Some(o) = flag_value(c, &["--output"]) {
                st.parts.push(rc.part(
                    Cause::BuildOutput,
                    st.abs(o),
                    e.java.jlink,
                    "a runtime jlink builds (rules/estimates.toml)",
                ));
            }
        }
        _ => {}
    }
}

/// What a Maven or Gradle build downloads into its cache: from the dependencies the manifest in
/// the working directory declares, else the table's figure for a typical application.
fn jvm_build_cache(rc: &RunCx, st: &Stage, name: &str, gradle: bool) -> (u64, String) {
    let e = &estimates().jvm_build;
    let w = &st.workdir;
    let declared = if gradle {
        rc.ctx
            .read_for(st, &format!("{w}/build.gradle"))
            .or_else(|| rc.ctx.read_for(st, &format!("{w}/build.gradle.kts")))
            .map(|t| deps::gradle_dependencies(&t))
    } else {
        rc.ctx.read_for(st, &format!("{w}/pom.xml")).map(|t| deps::pom_dependencies(&t))
    };
    let Some(n) = declared else {
        return (estimates().maven.cache, "the dependencies the build downloads (rules/estimates.toml)".into());
    };
    let (own, what) = match (gradle, name.ends_with('w')) {
        (false, false) => (e.maven_plugins, "Maven's plugins"),
        (false, true) => (e.maven_plugins + e.mvnw_distribution, "Maven (the wrapper's download) and its plugins"),
        (true, false) => (e.gradle_caches, "Gradle's caches"),
        (true, true) => (e.gradle_caches + e.gradlew_distribution, "Gradle (the wrapper's download) and its caches"),
    };
    let manifest = if gradle { "the build script" } else { "pom.xml" };
    let declared = match n {
        0 => format!("{what} ({manifest} declares no dependencies)"),
        1 => format!("{what} and the dependency {manifest} declares"),
        n => format!("{what} and the {n} dependencies {manifest} declares"),
    };
    (own + n as u64 * e.per_dependency, format!("{declared} (rules/estimates.toml)"))
}
