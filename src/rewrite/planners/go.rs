//! Go: build a static binary (`CGO_ENABLED=0`) when nothing needs cgo and run it on distroless
//! static; with cgo, distroless base and the shared libraries the binary links.

use super::*;
use crate::dockerfile::tools::{flag_value, positionals, subcommand};

/// Does the build need cgo: `CGO_ENABLED=1` somewhere, C sources (`import "C"`) in the context,
/// or -dev libraries installed for it?
fn needs_cgo(o: &Original) -> bool {
    if o.env("CGO_ENABLED").as_deref() == Some("1") {
        return true;
    }
    let assigned = o.steps.iter().flat_map(|s| o.commands(s)).any(|c| {
        c.assignments.iter().any(|(k, v)| k == "CGO_ENABLED" && v == "1")
            || c.words.iter().any(|w| w.text == "CGO_ENABLED=1")
    });
    if assigned {
        return true;
    }
    let dev = package_split(o)
        .iter()
        .any(|p| p.build.iter().any(|b| b.ends_with("-dev") && !matches!(b.as_str(), "libc6-dev" | "linux-libc-dev")));
    dev || context_imports_c(o)
}

fn context_imports_c(o: &Original) -> bool {
    let Some(dir) = &o.context_dir else { return false };
    let mut budget = 2000;
    let mut stack = vec![dir.clone()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else { continue };
        for e in rd.flatten() {
            budget -= 1;
            if budget == 0 {
                return false;
            }
            let p = e.path();
            let name = e.file_name().to_string_lossy().into_owned();
            if p.is_dir() && !name.starts_with('.') && name != "vendor" && name != "node_modules" {
                stack.push(p);
            } else if name.ends_with(".go") {
                if let Some(t) = crate::limits::read_text(&p, 4 << 20) {
                    if t.contains("import \"C\"") {
                        return true;
                    }
                }
            }
        }
    }
    false
}

/// Where the build writes binaries: `go build -o X` (relative to the RUN's directory) and
/// `go install` ($GOBIN or $GOPATH/bin).
fn outputs(o: &Original) -> (Vec<String>, Option<String>, Option<usize>) {
    let mut out = Vec::new();
    let mut install_dir = None;
    let mut first = None;
    for (s, c, cwd) in o.commands_in_dirs() {
        if c.name() != "go" {
            continue;
        }
        match subcommand(c) {
            Some("build") => {
                first.get_or_insert(s.instruction);
                if let Some(p) = flag_value(c, &["-o"]) {
                    out.push(super::absolute(&cwd, p));
                }
            }
            Some("install") => {
                first.get_or_insert(s.instruction);
                let gobin = o.base_env("GOBIN").filter(|g| !g.is_empty());
                let gopath = o.base_env("GOPATH").filter(|g| !g.is_empty()).unwrap_or_else(|| "/go".into());
                install_dir = Some(gobin.unwrap_or(format!("{gopath}/bin")));
            }
            _ => {}
        }
    }
    (out, install_dir, first)
}

/// The binary ENTRYPOINT/CMD runs: an output of the build with that name, a path, or a name in
/// the `go install` directory.
pub fn binary(o: &Original, outputs: &[String], install_dir: Option<&String>) -> Option<String> {
    let argv0 = o.program.as_ref()?.first()?;
    if !argv0.contains('/') {
        if let Some(p) = outputs.iter().find(|p| p.rsplit('/').next() == Some(argv0)) {
            return Some(p.clone());
        }
    }
    let dirs: Vec<String> = install_dir.into_iter().cloned().collect();
    program_path(o, &dirs)
}

fn go_runs(c: &[String]) -> bool {
    c.first().is_some_and(|w| w == "go")
}

pub fn plan(o: &Original, options: &Options, bp: &mut Blueprint) -> Result<(), Refusal> {
    if o.program.as_deref().is_some_and(go_runs) {
        return Err(Refusal::new(
            "the program runs through the go toolchain (`go run`): build a binary with `go build -o` and run that",
        ));
    }
    if o.program.is_none() {
        return Err(Refusal::new(if o.shell_form {
            "ENTRYPOINT/CMD uses shell syntax: the rewrite cannot tell which binary is the program; write it in exec form (`CMD [\"/path/to/program\"]`) for a rewrite"
        } else {
            "no ENTRYPOINT or CMD: the rewrite cannot tell which binary is the program; add the CMD that runs it for a rewrite"
        }));
    }
    let cgo = needs_cgo(o);
    let (outs, install_dir, first_build) = outputs(o);
    let bin = binary(o, &outs, install_dir.as_ref())
        .ok_or_else(|| Refusal::new("the binary ENTRYPOINT/CMD runs is not one the build writes to a known path; build it with `-o /path/to/program` and run that path for a rewrite"))?;
    let distroless = runtime_base(o, options, cgo).unwrap_or_else(|| {
        if cgo { "gcr.io/distroless/base-debian12" } else { "gcr.io/distroless/static-debian12" }.to_string()
    });
    let distroless_ok = !needs_shell(o) && !needs_packages_beyond(o, o.invoked(), options, &distroless);
    let runtime = match (&options.runtime_base, distroless_ok) {
        (Some(r), _) => r.clone(),
        (None, true) => distroless,
        (None, false) => "debian:bookworm-slim".to_string(),
    };
    let why = match (cgo, has_shell(&runtime)) {
        (false, false) => "a static binary needs no libc, shell or package manager",
        (true, false) => "the cgo binary needs glibc, nothing else",
        (_, true) => "setup steps or packages the program needs want a shell and apt",
    };
    use_runtime(o, bp, runtime, why);
    if !options.no_strip {
        strip_flags(o, bp);
    }
    if !cgo {
        if let Some(i) = first_build {
            bp.before.insert(
                0,
                (
                    i,
                    "# imgslim: no cgo, so the binary is static and runs on distroless static\nENV CGO_ENABLED=0"
                        .replace('\n', o.nl),
                ),
            );
            bp.change(None, "the build sets CGO_ENABLED=0: nothing in it needs cgo, so the binary is static");
        }
    } else {
        bp.change(None, "the build keeps cgo (C sources, CGO_ENABLED=1 or -dev libraries)");
    }
    bp.no_probe = !cgo;
    let installed = install_dir.as_ref().is_some_and(|d| bin.starts_with(&format!("{d}/")));
    // found through PATH (`CMD ["app"]`): onto a directory of the runtime base's PATH
    let by_name = o.program.as_ref().and_then(|p| p.first()).is_some_and(|a| !a.contains('/'));
    let to = if installed && by_name { on_runtime_path(&bp.runtime_base, &bin) } else { bin.clone() };
    let mut plain = options.clone();
    plain.no_strip = true; // the linker strips Go binaries (-s -w); strip(1) is not needed
    native_runtime(o, bp, &plain, &bin, &to)
}

/// `go build` / `go install` without `-ldflags` get `-trimpath -ldflags="-s -w"`: no symbol
/// table, no DWARF, no build paths (what experts ship; `--no-strip` leaves them).
fn strip_flags(o: &Original, bp: &mut Blueprint) {
    for s in &o.steps {
        for c in o.commands(s) {
            if c.name() != "go" || !matches!(subcommand(c), Some("build" | "install")) {
                continue;
            }
            // Go's flags take one dash and `=`: `-ldflags="-X main.v=1"`
            if c.args().iter().any(|w| w.text.starts_with("-ldflags") || w.text.starts_with("--ldflags")) {
                bp.change(Some(s.line), "the build sets -ldflags itself: add `-s -w` there to strip the binary");
                continue;
            }
            let Some(word) = positionals(c).into_iter().next() else { continue };
            let Some(at) = o.cx.script_source(s.instruction, word.end) else { continue };
            let trim = if c.has_flag(&["-trimpath"]) { "" } else { " -trimpath" };
            bp.edits.push((crate::dockerfile::Span::new(at, at), format!("{trim} -ldflags=\"-s -w\"")));
            bp.change(Some(s.line), "`go build` gets -trimpath -ldflags=\"-s -w\": no symbol table, DWARF or build paths in the binary (--no-strip leaves them)");
        }
    }
}
