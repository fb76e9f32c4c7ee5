//! C and C++: build with the compilers in the builder; the runtime stage is distroless (base for
//! C, cc for C++: glibc, and libstdc++ for C++) with the program and the libraries the probe finds
//! it links, or the slim variant of the distribution when the image needs a shell or packages.

use super::*;
use crate::dockerfile::model::CmdLine;

/// Does a build RUN install into /usr/local (`make install`, `cmake --install`, `ninja install`)?
pub fn installs_to_usr_local(o: &Original) -> bool {
    o.steps.iter().flat_map(|s| o.commands(s)).any(|c| {
        let args: Vec<&str> = c.args().iter().map(|w| w.text.as_str()).collect();
        // `make install PREFIX=/opt/x` (or prefix=, DESTDIR=) installs elsewhere
        let elsewhere = args.iter().any(|a| {
            a.split_once('=').is_some_and(|(k, v)| {
                matches!(k, "PREFIX" | "prefix" | "DESTDIR") && v.trim_end_matches('/') != "/usr/local"
            })
        });
        let install = (matches!(c.name(), "make" | "ninja") && args.contains(&"install"))
            || (c.name() == "cmake" && args.contains(&"--install"))
            || (c.name() == "cmake" && args.contains(&"--target") && args.contains(&"install"));
        install && !elsewhere
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

/// Is the program C++ (a C++ compiler runs, or the context has C++ sources)?
fn cplusplus(o: &Original) -> bool {
    let compiler = o.steps.iter().flat_map(|s| o.commands(s)).any(|c| matches!(c.name(), "g++" | "c++" | "clang++"));
    let sources = o.context_dir.as_ref().is_some_and(|d| {
        std::fs::read_dir(d).into_iter().flatten().flatten().take(2000).any(|e| {
            let n = e.file_name().to_string_lossy().to_ascii_lowercase();
            [".cpp", ".cc", ".cxx", ".hpp"].iter().any(|x| n.ends_with(x))
        })
    });
    compiler
        || sources
        || !o.packages(crate::dockerfile::tools::packages::Manager::Apt).iter().all(|p| !p.starts_with("g++"))
}

/// Does ENTRYPOINT/CMD start a shell script (`*.sh`, or a context file that starts with `#!`)?
fn runs_script(o: &Original) -> bool {
    let Some(argv) = &o.program else { return o.shell_form };
    argv.iter().take(2).any(|a| {
        let name = a.rsplit('/').next().unwrap_or(a);
        name.ends_with(".sh")
            || o.context_file(name).is_some_and(|t| t.starts_with("#!"))
            || matches!(name, "sh" | "bash")
    })
}

/// ENTRYPOINT/CMD can run without a shell: exec form, or shell form without shell syntax.
fn without_shell_syntax(o: &Original) -> bool {
    o.stage.commands.iter().all(|c| match &c.kind {
        Kind::Cmd { cmd: CmdLine::Shell(s) } | Kind::Entrypoint { cmd: CmdLine::Shell(s) } => {
            crate::dockerfile::shell::exec_form(s).is_some()
        }
        _ => true,
    })
}

const STATIC: &str = "gcr.io/distroless/static-debian12";

/// Where the build says it links statically: `-static` in CFLAGS/LDFLAGS (ENV, a build
/// command's arguments, the Makefile's assignments).
fn links_statically(o: &Original) -> Option<String> {
    let has = |t: &str| t.split_whitespace().any(|w| w.trim_matches(['"', '\'']) == "-static");
    for c in &o.stage.commands {
        match &c.kind {
            Kind::Env { vars }
                if vars.iter().any(|kv| matches!(kv.key.as_str(), "CFLAGS" | "LDFLAGS") && has(&kv.value)) =>
            {
                return Some(format!("ENV on line {}", c.line));
            }
            Kind::Run(_) => {
                for cmd in o.cx.commands(c.instruction) {
                    let build = matches!(cmd.name(), "make" | "gcc" | "cc" | "clang" | "./configure" | "configure");
                    let flag = cmd.args().iter().any(|w| {
                        w.text == "-static"
                            || (w.text.starts_with("LDFLAGS=") || w.text.starts_with("CFLAGS="))
                                && has(&w.text[w.text.find('=').unwrap_or(0) + 1..])
                    });
                    if build && flag {
                        return Some(format!("the RUN on line {}", c.line));
                    }
                }
            }
            _ => {}
        }
    }
    for mk in ["Makefile", "makefile", "GNUmakefile"] {
        let Some(t) = o.context_file(mk) else { continue };
        for line in t.lines() {
            let l = line.trim_start();
            if (l.starts_with("LDFLAGS") || l.starts_with("CFLAGS"))
                && l.contains('=')
                && has(&l[l.find('=').unwrap_or(0) + 1..])
            {
                return Some(mk.to_string());
            }
        }
    }
    None
}

/// The builder checks that a program put on distroless/static is static indeed.
fn static_check(bp: &mut Blueprint, bin: &str, nl: &str) {
    bp.no_probe = true;
    bp.tail.push(format!(
        "# imgslim: the runtime base has no libraries: the program must be linked statically{nl}RUN if ldd {bin} >/dev/null 2>&1; then echo \"imgslim: {bin} links shared libraries; rewrite with --runtime-base gcr.io/distroless/base-debian12\" >&2; exit 1; fi"
    ));
}

/// The runtime base of a native program: `--runtime-base`; else distroless (base for C, cc for
/// C++) when nothing needs a shell or a package distroless lacks; else the distribution's slim
/// variant (rules/base-images.toml).
fn native_base(o: &Original, options: &Options) -> (String, &'static str) {
    if let Some(r) = &options.runtime_base {
        return (r.clone(), "the runtime base asked for");
    }
    let distroless =
        if cplusplus(o) { "gcr.io/distroless/cc-debian12" } else { "gcr.io/distroless/base-debian12" }.to_string();
    let debian_family =
        o.packages(crate::dockerfile::tools::packages::Manager::Apk).is_empty() && !o.base.contains("alpine");
    let ok = debian_family
        && !needs_shell(o)
        && !runs_script(o)
        && without_shell_syntax(o)
        && !needs_packages_beyond(o, o.invoked(), options, &distroless);
    if ok && !cplusplus(o) && links_statically(o).is_some() {
        return (STATIC.to_string(), "the program is linked statically (-static): no libraries, no shell");
    }
    if ok {
        return (distroless, "glibc for the program (and libstdc++ for C++); the probe copies any other library it links; no shell or package manager");
    }
    (
        runtime_base(o, options, false).unwrap_or_else(|| o.base_raw.clone()),
        "the distribution without compilers, headers and build tools",
    )
}

pub fn plan(o: &Original, options: &Options, bp: &mut Blueprint) -> Result<(), Refusal> {
    if o.program.is_none() {
        return Err(Refusal::new(if o.shell_form {
            "ENTRYPOINT/CMD uses shell syntax: the rewrite cannot tell which binary is the program; write it in exec form (`CMD [\"/path/to/program\"]`) for a rewrite"
        } else {
            "no ENTRYPOINT or CMD: the rewrite cannot tell which binary is the program; add the CMD that runs it for a rewrite"
        }));
    }
    let argv0 = o.program.as_ref().and_then(|p| p.first()).cloned().unwrap_or_default();
    if !argv0.contains(['/', '$']) && !custom_path_dirs(o).is_empty() {
        // PATH names an install prefix of its own (/usr/local/nginx/sbin): the builder finds the
        // program the way the container would, and its prefix goes to the runtime stage
        let (runtime, why) = native_base(o, options);
        use_runtime(o, bp, runtime, why);
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
        strip(bp, options, &format!("\"/imgslim-app$(command -v {argv0})\""));
        return native_rest(o, bp, options);
    }
    let dirs = if installs_to_usr_local(o) { vec!["/usr/local/bin".to_string()] } else { Vec::new() };
    let bin = program_path(o, &dirs).ok_or_else(|| {
        Refusal::new("ENTRYPOINT/CMD runs a program by name and the build installs nothing with `make install`: the rewrite cannot tell where the binary is; give its path in CMD for a rewrite")
    })?;
    let (runtime, why) = native_base(o, options);
    if runtime == STATIC {
        let seen = links_statically(o).unwrap_or_default();
        bp.change(None, format!("{seen} links with -static: the builder checks the program has no shared libraries"));
        static_check(bp, &bin, o.nl);
    }
    use_runtime(o, bp, runtime, why);
    usr_local(o, bp);
    native_runtime(o, bp, options, &bin, &bin)
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
        crate::data::ImageRef::parse(&o.base).official_name(),
        Some("debian" | "ubuntu" | "alpine" | "buildpack-deps" | "fedora" | "centos" | "rockylinux" | "almalinux")
    )
}
