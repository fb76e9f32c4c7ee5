//! Java: build the jar with the JDK (Maven, Gradle) in the builder; run it on a JRE.

use super::*;

/// The Java major version a JDK/Maven/Gradle image tag names (`3.9-eclipse-temurin-21` -> 21,
/// `17-jdk` -> 17), else 17.
fn java_version(tag: &str) -> String {
    let re = regex::Regex::new(r"(?:temurin|jdk|openjdk|corretto|java)-?(\d{1,2})\b").unwrap();
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
        Refusal::new("no ENTRYPOINT or CMD the rewrite can read: it cannot tell which jar is the program")
    })?;
    let jar = argv.iter().position(|w| w == "-jar").and_then(|i| argv.get(i + 1)).ok_or_else(|| {
        Refusal::new("the program is not started with `java -jar`: the rewrite cannot tell what to copy")
    })?;
    if jar.contains(['*', '$']) {
        return Err(Refusal::new(format!("the jar path `{jar}` is a pattern or variable: name the jar")));
    }
    let path = super::absolute(&o.workdir, jar);
    let runtime = match &options.runtime_base {
        Some(r) => r.clone(),
        None => {
            let tag = crate::data::ImageRef::parse(&o.base).tag.unwrap_or_default();
            format!("eclipse-temurin:{}-jre", java_version(&tag))
        }
    };
    set_runtime(o, bp, runtime, "a JRE: no JDK, build tool or local repository");
    bp.artifact(&path, "the application jar");
    data_dirs(o, bp);
    if needs_shell(o) && !bp.runtime_shell {
        return Err(Refusal::new("setup steps need a shell the runtime base does not have"));
    }
    runtime_packages(o, bp)?;
    base_saving(o, bp);
    nonroot(o, bp);
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
}
