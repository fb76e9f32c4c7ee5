//! C and C++: build with the compilers in the builder; the runtime stage is the slim variant of
//! the distribution with the program and the shared libraries it links (found with ldd).

use super::*;

/// Does a build RUN install into /usr/local (`make install`, `cmake --install`, `ninja install`)?
pub fn installs_to_usr_local(o: &Original) -> bool {
    o.steps.iter().flat_map(|s| o.commands(s)).any(|c| {
        let args: Vec<&str> = c.args().iter().map(|w| w.text.as_str()).collect();
        (matches!(c.name(), "make" | "ninja") && args.contains(&"install"))
            || (c.name() == "cmake" && args.contains(&"--install"))
            || (c.name() == "cmake" && args.contains(&"--target") && args.contains(&"install"))
    })
}

/// Directories ENV PATH adds beyond the standard ones (`/usr/local/nginx/sbin`).
fn custom_path_dirs(o: &Original) -> Vec<String> {
    const STANDARD: &[&str] = &["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];
    let mut dirs = Vec::new();
    for (i, c) in o.stage.commands.iter().enumerate() {
        let Kind::Env { vars } = &c.kind else { continue };
        for kv in vars.iter().filter(|kv| kv.key == "PATH") {
            let v = o.cx.expand(o.stage.index, i, &kv.value).unwrap_or_else(|| kv.value.clone());
            dirs = v
                .split(':')
                .map(|d| d.trim_end_matches('/'))
                .filter(|d| d.starts_with('/') && !d.contains('$') && !STANDARD.contains(d))
                .map(str::to_string)
                .collect();
        }
    }
    dirs
}

pub fn plan(o: &Original, options: &Options, bp: &mut Blueprint) -> Result<(), Refusal> {
    if o.program.is_none() {
        return Err(Refusal::new(if o.shell_form {
            "ENTRYPOINT/CMD uses shell syntax: the rewrite cannot tell which binary is the program"
        } else {
            "no ENTRYPOINT or CMD: the rewrite cannot tell which binary is the program"
        }));
    }
    let argv0 = o.program.as_ref().and_then(|p| p.first()).cloned().unwrap_or_default();
    if !argv0.contains(['/', '$']) && !custom_path_dirs(o).is_empty() {
        // PATH names an install prefix of its own (/usr/local/nginx/sbin): the builder finds the
        // program the way the container would, and its prefix goes to the runtime stage
        let runtime = runtime_base(o, options, false).unwrap_or_else(|| o.base_raw.clone());
        set_runtime(o, bp, runtime, "the distribution without compilers, headers and build tools");
        bp.tail.push(
            [
                format!("# imgslim: {argv0} as PATH finds it, with the install prefix it lives in, for the runtime stage"),
                format!("RUN p=\"$(command -v {argv0})\" && d=\"$(dirname \"$p\")\" \\"),
                "    && case \"$d\" in \\".to_string(),
                "        /usr/local/bin|/usr/local/sbin|/usr/bin|/usr/sbin|/bin|/sbin) mkdir -p \"/imgslim-app$d\" && cp -a \"$p\" \"/imgslim-app$d/\" ;; \\".to_string(),
                "        */bin|*/sbin) d=\"$(dirname \"$d\")\"; mkdir -p \"/imgslim-app$d\" && cp -a \"$d/.\" \"/imgslim-app$d/\" ;; \\".to_string(),
                "        *) mkdir -p \"/imgslim-app$d\" && cp -a \"$d/.\" \"/imgslim-app$d/\" ;; \\".to_string(),
                "    esac".to_string(),
            ]
            .join(o.nl),
        );
        bp.artifacts.push(super::super::Artifact {
            from: "/imgslim-app/".into(),
            to: "/".into(),
            chown: None,
            why: format!("{argv0} and its install prefix, found on PATH in the builder"),
        });
        bp.change(
            None,
            format!(
                "ENV PATH adds {}: the builder finds {argv0} there and its install prefix is copied",
                custom_path_dirs(o).join(":")
            ),
        );
        usr_local(o, bp);
        return native_rest(o, bp, &format!("$(command -v {argv0})"), true);
    }
    let dirs = if installs_to_usr_local(o) { vec!["/usr/local/bin".to_string()] } else { Vec::new() };
    let bin = program_path(o, &dirs).ok_or_else(|| {
        Refusal::new("ENTRYPOINT/CMD runs a program by name and the build installs nothing with `make install`: the rewrite cannot tell where the binary is")
    })?;
    let runtime = runtime_base(o, options, false).unwrap_or_else(|| o.base_raw.clone());
    set_runtime(o, bp, runtime, "the distribution without compilers, headers and build tools");
    usr_local(o, bp);
    native_runtime(o, bp, &bin, true)
}

/// On a bare distribution /usr/local holds only what `make install` put there: the program's
/// libraries and data too, and the interpreter or tools a wrapper script runs.
fn usr_local(o: &Original, bp: &mut Blueprint) {
    if installs_to_usr_local(o) && bare_distribution(o) {
        bp.artifact("/usr/local", "what `make install` put in /usr/local (programs, libraries, data)");
    }
}

/// A base whose /usr/local starts empty (a plain distribution image).
fn bare_distribution(o: &Original) -> bool {
    matches!(
        ImageRef::parse(&o.base).official_name(),
        Some("debian" | "ubuntu" | "alpine" | "buildpack-deps" | "fedora" | "centos" | "rockylinux" | "almalinux")
    )
}
