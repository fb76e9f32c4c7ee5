//! Java: build the jar with the JDK (Maven, Gradle) in the builder; run it on a JRE.

use super::*;
use crate::rewrite::JavaRuntime;

/// The Java major version a JDK/Maven/Gradle image tag names (`3.9-eclipse-temurin-21` -> 21,
/// `17-jdk` -> 17), else 17.
fn java_version(tag: &str) -> String {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re =
        RE.get_or_init(|| regex::Regex::new(r"(?:temurin|jdk|openjdk|corretto|java)-?(\d{1,2})\b").expect("regex"));
    if let Some(c) = re.captures(tag) {
        return c[1].to_string();
    }
    let lead: String = tag.chars().take_while(char::is_ascii_digit).collect();
    match lead.parse::<u32>() {
        Ok(n) if (8..40).contains(&n) => lead,
        _ => "17".into(),
    }
}

pub fn plan(o: &Original, options: &Options, bp: &mut Blueprint) -> Result<(), Refusal> {
    let argv = o.program.clone().ok_or_else(|| {
        Refusal::new("no ENTRYPOINT or CMD the rewrite can read: it cannot tell which jar is the program; add `CMD [\"java\", \"-jar\", \"app.jar\"]` for a rewrite")
    })?;
    let Some(jar) = argv.iter().position(|w| w == "-jar").and_then(|i| argv.get(i + 1)) else {
        return on_the_jre(o, options, bp);
    };
    if jar.contains(['*', '$']) {
        return Err(Refusal::new(format!("the jar path `{jar}` is a pattern or variable: name the jar")));
    }
    let path = super::absolute(&o.workdir, jar);
    let version = java_version(&crate::data::ImageRef::parse(&o.base).tag.unwrap_or_default());
    match options.java_runtime {
        JavaRuntime::Jre => {
            let runtime = options.runtime_base.clone().unwrap_or_else(|| format!("eclipse-temurin:{version}-jre"));
            set_runtime(o, bp, runtime, "a JRE: no JDK, build tool or local repository")?;
            if version.parse::<u32>().is_ok_and(|v| v >= 11) {
                bp.change(
                    None,
                    "`--java-runtime jlink` builds a runtime of only the modules the jar uses: smaller still",
                );
            }
        }
        JavaRuntime::Jlink => jlink(o, options, bp, &argv, &path, &version)?,
    }
    bp.artifact(&path, "the application jar");
    data_dirs(o, bp);
    if needs_shell(o) && !bp.runtime_shell {
        return Err(Refusal::new("setup steps need a shell the runtime base does not have"));
    }
    keep_packages(o, bp, o.invoked(), options)?;
    base_saving(o, bp);
    nonroot(o, bp);
    Ok(())
}

/// JDK tools a JRE does not have: a program or setup step that runs one needs the JDK.
const JDK_TOOLS: &[&str] = &[
    "javac",
    "jar",
    "jarsigner",
    "javadoc",
    "javap",
    "jdeps",
    "jlink",
    "jshell",
    "jcmd",
    "jstack",
    "jmap",
    "jps",
    "jstat",
    "jinfo",
    "jhsdb",
    "jdb",
    "jconsole",
    "jdeprscan",
    "jimage",
    "jmod",
    "jpackage",
    "serialver",
];

/// Build tools a program may be started with (`./mvnw spring-boot:run`): they need the JDK.
const BUILD_TOOLS: &[&str] = &["mvn", "mvnw", "gradle", "gradlew", "ant", "sbt", "lein"];

/// The JRE image of a JDK image's own family (same OS, same JAVA_HOME): `openjdk:11-jdk-slim` ->
/// `openjdk:11-jre-slim`, `adoptopenjdk:8-jdk-hotspot` -> `adoptopenjdk:8-jre-hotspot`,
/// `eclipse-temurin:17` (a JDK) -> `eclipse-temurin:17-jre`.
pub fn jre_of(base: &str) -> Option<String> {
    if base.contains(['$', '@']) {
        return None;
    }
    let image = crate::data::ImageRef::parse(base);
    let name = image.official_name()?;
    let tag = image.tag.clone().unwrap_or_default();
    let version = |t: &str| !t.is_empty() && t.chars().all(|c| c.is_ascii_digit() || c == '.' || c == '_');
    let (head, rest) = tag.split_once('-').unwrap_or((&tag, ""));
    let jre = match name {
        // openjdk published JRE images for Java 8 and 11 only
        "openjdk" if !(head == "8" || head.starts_with("8u") || head == "11" || head.starts_with("11.")) => {
            return None
        }
        "openjdk" | "adoptopenjdk" | "eclipse-temurin" if tag.contains("jdk") => tag.replacen("jdk", "jre", 1),
        // `eclipse-temurin:17` and `17-focal` are JDKs: `17-jre`, `17-jre-focal`
        "eclipse-temurin" if version(head) && rest.is_empty() => format!("{head}-jre"),
        "eclipse-temurin" if version(head) => format!("{head}-jre-{rest}"),
        "openjdk" if version(head) && rest.is_empty() => format!("{head}-jre"),
        _ => return None,
    };
    let at = base.rfind(':')?;
    Some(format!("{}:{jre}", &base[..at]))
}

/// A Java program started another way than `java -jar` (an application server's launcher such as
/// `catalina.sh run`, a start script, `java -cp`): the same files (the working directory, what
/// the build wrote and copied) on the JRE of the JDK image's family, which keeps the OS and
/// JAVA_HOME; the JDK's compiler and tools stay behind.
fn on_the_jre(o: &Original, options: &Options, bp: &mut Blueprint) -> Result<(), Refusal> {
    let runtime = match &options.runtime_base {
        Some(r) => r.clone(),
        None => jre_of(&o.base_raw).ok_or_else(|| {
            Refusal::new(format!(
                "the program is not started with `java -jar`, and imgslim knows no JRE image of {}: start it with `java -jar` or name a JRE with --runtime-base IMAGE for a rewrite",
                o.base
            ))
        })?,
    };
    let argv = o.program.clone().unwrap_or_default();
    let name = |w: &str| w.rsplit('/').next().unwrap_or(w).to_string();
    if let Some(tool) = argv.first().map(|w| name(w)).filter(|n| BUILD_TOOLS.contains(&n.as_str())) {
        return Err(Refusal::new(format!(
            "the program is started with `{tool}`, a build tool that compiles at run time with the JDK and its local repository: build the jar in the build and start it with `java -jar` for a rewrite"
        )));
    }
    if argv.first().is_some_and(|w| name(w) == "java") && argv.iter().any(|w| w.ends_with(".java")) {
        return Err(Refusal::new(
            "`java File.java` compiles the source when it starts, with the JDK's compiler the JRE does not have: compile it in the build for a rewrite",
        ));
    }
    if let Some((tool, why)) = JDK_TOOLS.iter().find_map(|t| o.invoked().why(t).map(|w| (t, w))) {
        return Err(Refusal::new(format!(
            "`{tool}` ({why}) is a JDK tool the JRE does not have: a rewrite onto {runtime} would lose it; name a runtime with it (--runtime-base) for a rewrite"
        )));
    }
    set_runtime(
        o,
        bp,
        runtime,
        "the JRE of the same image family: the same OS and JAVA_HOME, without the compiler and JDK tools",
    )?;
    context_artifacts(o, bp)?;
    // a copy that holds the JDK (JAVA_HOME is /usr/local/openjdk-N or /opt/java/openjdk) would
    // bring it back
    let homes = o.base_env("JAVA_HOME").map_or_else(
        || vec!["/usr/local/openjdk".to_string(), "/opt/java/openjdk".to_string(), "/usr/lib/jvm".to_string()],
        |h| vec![h],
    );
    if let Some(a) =
        bp.artifacts.iter().find(|a| homes.iter().any(|h| h.starts_with(&format!("{}/", a.from.trim_end_matches('/')))))
    {
        return Err(Refusal::new(format!(
            "the runtime stage would copy {} from the builder, which holds the JDK: install the program into a directory of its own (a WORKDIR) for a rewrite",
            a.from
        )));
    }
    super::generic::finish(o, options, bp)
}

/// Where the jlink runtime goes, in the builder and in the runtime stage.
const JLINK_HOME: &str = "/opt/java-runtime";

/// Modules jdeps cannot see because they are only looked up at run time, always added: elliptic
/// curves for TLS, the zip file system, DNS lookups through JNDI.
const SERVICE_MODULES: &str = "jdk.crypto.ec,jdk.zipfs,jdk.naming.dns";

/// The builder runs jdeps on the jar and jlinks a runtime of those modules; the runtime stage is
/// debian:bookworm-slim (glibc, zlib) with that runtime on PATH.
fn jlink(
    o: &Original,
    options: &Options,
    bp: &mut Blueprint,
    argv: &[String],
    jar: &str,
    version: &str,
) -> Result<(), Refusal> {
    let major: u32 = version.parse().unwrap_or(17);
    if major < 11 {
        return Err(Refusal::new(format!("Java {major} has no `jdeps --print-module-deps`: use `--java-runtime jre`")));
    }
    if argv.first().is_some_and(|j| j.contains('/')) {
        return Err(Refusal::new(format!(
            "the program starts {} by path: the jlink runtime puts java on PATH instead; use `--java-runtime jre`",
            argv[0]
        )));
    }
    let compress = if major >= 21 { "zip-6" } else { "2" };
    // --strip-debug also strips native symbols with objcopy, which a JDK image need not have
    let strip = if major >= 13 { "--strip-java-debug-attributes" } else { "--strip-debug" };
    let nl = o.nl;
    bp.tail.push(
        [
            "# imgslim: a Java runtime of only the modules the jar uses (jdeps), plus service providers".to_string(),
            format!("RUN jdeps --ignore-missing-deps --multi-release {major} --print-module-deps {jar} > /tmp/jar-modules \\"),
            format!("    && jlink --add-modules \"$(cat /tmp/jar-modules),{SERVICE_MODULES}\" \\"),
            format!("        {strip} --no-man-pages --no-header-files --compress={compress} --output {JLINK_HOME}"),
        ]
        .join(nl),
    );
    // distroless cc has glibc and libstdc++; the probe copies what else the runtime links (zlib)
    let distroless = "gcr.io/distroless/cc-debian12".to_string();
    let distroless_ok = !needs_shell(o) && !needs_packages_beyond(o, o.invoked(), options, &distroless);
    let (runtime, why) = match (&options.runtime_base, distroless_ok) {
        (Some(r), _) => (r.clone(), "the runtime base asked for"),
        (None, true) => (distroless, "glibc and libstdc++ for a jlink runtime (the probe copies zlib); no JDK, build tool, shell or local repository"),
        (None, false) => ("debian:bookworm-slim".to_string(), "glibc and zlib for a jlink runtime, and a shell for the setup steps; no JDK, build tool or local repository"),
    };
    use_runtime(o, bp, runtime, why);
    if !bp.runtime_shell && !exec_form_contract(o, bp) {
        return Err(Refusal::new(
            "a shell-form ENTRYPOINT/CMD with shell syntax needs a shell; use --runtime-base debian:bookworm-slim",
        ));
    }
    bp.artifact(JLINK_HOME, "the Java runtime jlink built from the modules the jar uses");
    bp.env.push(format!("ENV JAVA_HOME={JLINK_HOME} PATH=\"{JLINK_HOME}/bin:$PATH\""));
    bp.intended.push("Env");
    bp.change(
        None,
        format!(
            "jdeps lists the modules {jar} uses and jlink builds a runtime of them (plus {SERVICE_MODULES}) at {JLINK_HOME}; PATH puts it first. A module the program only loads by reflection is missing: add it to the jlink line"
        ),
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn versions() {
        assert_eq!(super::java_version("3.9-eclipse-temurin-21"), "21");
        assert_eq!(super::java_version("17-jdk"), "17");
        assert_eq!(super::java_version("8u342-jdk"), "8");
        assert_eq!(super::java_version("latest"), "17");
    }

    #[test]
    fn jre_images() {
        assert_eq!(super::jre_of("openjdk:11-jdk-slim").as_deref(), Some("openjdk:11-jre-slim"));
        assert_eq!(super::jre_of("adoptopenjdk:8-jdk-openj9").as_deref(), Some("adoptopenjdk:8-jre-openj9"));
        assert_eq!(super::jre_of("eclipse-temurin:17").as_deref(), Some("eclipse-temurin:17-jre"));
        assert_eq!(
            super::jre_of("docker.io/library/eclipse-temurin:21-jdk").as_deref(),
            Some("docker.io/library/eclipse-temurin:21-jre")
        );
        assert_eq!(super::jre_of("openjdk:8-jre"), None);
        assert_eq!(super::jre_of("maven:3.9-eclipse-temurin-17"), None);
        assert_eq!(super::jre_of("openjdk:${V}-jdk"), None);
        assert_eq!(super::jre_of("openjdk:11-jdk-slim@sha256:0123"), None);
        assert_eq!(super::jre_of("openjdk:17-jdk-slim"), None);
        assert_eq!(super::jre_of("openjdk:8u342-jdk").as_deref(), Some("openjdk:8u342-jre"));
        assert_eq!(super::jre_of("openjdk:11").as_deref(), Some("openjdk:11-jre"));
        assert_eq!(super::jre_of("eclipse-temurin:17-focal").as_deref(), Some("eclipse-temurin:17-jre-focal"));
        assert_eq!(super::jre_of("eclipse-temurin:17.0.8_7-jdk").as_deref(), Some("eclipse-temurin:17.0.8_7-jre"));
    }
}
