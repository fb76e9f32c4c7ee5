//! Hostile input, one test per class of the hostile-input probe: each case is generated here (the
//! bombs at test time, nothing large is committed), run under a 1 GiB address-space limit and a
//! 60 s kill timer (a hang detector, not a timing assertion), and must exit 0, 1 or 2 as listed,
//! with the message naming what was refused.

mod common;

use common::imagegen::{self, Comp, Format, Spec, M};
use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const AS_LIMIT: u64 = 1 << 30;
const KILL_AFTER: Duration = Duration::from_secs(60);

struct Ran {
    case: String,
    code: Option<i32>,
    signal: Option<i32>,
    out: String,
    err: String,
    secs: f64,
    /// Peak resident memory, MiB.
    rss_mb: f64,
}

enum Input<'a> {
    None,
    File(&'a Path),
}

/// Run imgslim with the limits.
fn run(case: &str, args: &[&str], input: Input, cwd: &Path) -> Ran {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_imgslim"));
    cmd.args(args).current_dir(cwd).stdout(Stdio::piped()).stderr(Stdio::piped()).env("NO_COLOR", "1");
    // no engine or storage lookups on this machine's images: only what the case names
    cmd.env("DOCKER_HOST", "unix:///nonexistent/docker.sock").env("CONTAINERS_STORAGE_CONF", "/nonexistent");
    match &input {
        Input::None => cmd.stdin(Stdio::null()),
        Input::File(p) => cmd.stdin(std::fs::File::open(p).unwrap()),
    };
    unsafe {
        cmd.pre_exec(|| {
            let lim = libc::rlimit { rlim_cur: AS_LIMIT, rlim_max: AS_LIMIT };
            libc::setrlimit(libc::RLIMIT_AS, &lim);
            let core = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
            libc::setrlimit(libc::RLIMIT_CORE, &core);
            Ok(())
        });
    }
    let start = Instant::now();
    // reaped below with wait4 (its exit status and the kill timer), not with Child::wait
    #[allow(clippy::zombie_processes)]
    let mut child = cmd.spawn().expect("start imgslim");
    let drain = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut v = Vec::new();
            let _ = r.by_ref().take(1 << 20).read_to_end(&mut v);
            let _ = std::io::copy(&mut r, &mut std::io::sink());
            String::from_utf8_lossy(&v).into_owned()
        })
    };
    let out = drain(Box::new(child.stdout.take().unwrap()));
    let err = drain(Box::new(child.stderr.take().unwrap()));
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let mut killed = false;
    loop {
        let r = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if r == pid {
            break;
        }
        if !killed && start.elapsed() > KILL_AFTER {
            unsafe { libc::kill(pid, libc::SIGKILL) };
            killed = true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let secs = start.elapsed().as_secs_f64();
    let (code, signal) = if libc::WIFEXITED(status) {
        (Some(libc::WEXITSTATUS(status)), None)
    } else {
        (None, Some(libc::WTERMSIG(status)))
    };
    assert!(!killed, "{case}: still running after {KILL_AFTER:?} (a hang)");
    let rss_mb = usage.ru_maxrss as f64 / 1024.0;
    Ran { case: case.to_string(), code, signal, out: out.join().unwrap(), err: err.join().unwrap(), secs, rss_mb }
}

/// The exit code is one of `codes` (never a signal: a crash, an abort on allocation failure) and
/// stderr names the refusal.
fn expect(r: &Ran, codes: &[i32], fragment: &str) {
    println!("{:<44} exit {:?} {:>6.2}s {:>7.1} MiB", r.case, r.code, r.secs, r.rss_mb);
    assert!(r.signal.is_none(), "{}: killed by signal {:?}\n{}", r.case, r.signal, tail(&r.err));
    let code = r.code.unwrap();
    assert!(codes.contains(&code), "{}: exit {code}, expected {codes:?}\n{}", r.case, tail(&r.err));
    // lint reports a file it cannot read as a finding on stdout
    let said = format!("{}\n{}", r.err, r.out).to_lowercase();
    assert!(said.contains(&fragment.to_lowercase()), "{}: the output lacks {fragment:?}:\n{}", r.case, tail(&said));
    assert!(!r.err.contains("panicked"), "{}: panicked\n{}", r.case, tail(&r.err));
}

fn tail(s: &str) -> String {
    let lines: Vec<&str> = s.lines().collect();
    lines[lines.len().saturating_sub(15)..].join("\n")
}

fn dockerfile(dir: &Path, text: &str) -> PathBuf {
    let p = dir.join("Dockerfile");
    std::fs::write(&p, text).unwrap();
    p
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn stack_overflow_on_nesting() {
    let d = tmp();
    // ${a:-${a:-...}} 5000 deep, over continuation lines
    let mut deep = String::new();
    for _ in 0..5000 {
        deep.push_str("${a:-");
    }
    deep.push('x');
    for i in 0..5000 {
        deep.push('}');
        if i % 100 == 99 && i < 4999 {
            deep.push_str("\\\n");
        }
    }
    for (what, text) in [
        ("env", format!("FROM alpine:3.19\nENV X={deep}\nRUN echo $X\n")),
        ("arg", format!("ARG X={deep}\nFROM alpine:3.19\nRUN echo $X\n")),
        ("from", format!("ARG B={deep}\nFROM $B\nRUN echo\n")),
    ] {
        let f = dockerfile(d.path(), &text);
        for cmd in ["lint", "analyze", "rewrite"] {
            let r = run(&format!("nesting-{what}-default-5k.{cmd}"), &[cmd, s(&f)], Input::None, d.path());
            expect(&r, &[2], "nested deeper than 256");
        }
    }
    // an image path 20,000 directories deep: the tree, the HTML report and the JSON stay
    // iterative and linear
    let deep: &'static str = Box::leak(format!("{}f", "d/".repeat(20_000)).into_boxed_str());
    let spec = Spec::new(vec![vec![M::File(deep, vec![7u8; 10])]]);
    let img = imagegen::write(d.path(), "deep", &spec, Format::DockerArchive, Comp::Plain);
    for (what, args) in [
        ("tree", vec!["analyze", s(&img), "--tree", "--depth", "0"]),
        ("html", vec!["analyze", s(&img), "--format", "html", "-o", "deep.html"]),
        ("json", vec!["analyze", s(&img), "--format", "json", "--files"]),
    ] {
        let r = run(&format!("nesting-image-path-20k.{what}"), &args, Input::None, d.path());
        expect(&r, &[0], "");
    }
    // 5000 nested shell compounds in a RUN, closed and unclosed: no crash, no hang
    let nest = |open: &str, close: &str, n: usize| format!("{}true{}", open.repeat(n), close.repeat(n));
    for (what, run_line) in [
        ("if", nest("if true; then ", "; fi", 5000)),
        ("brace", nest("{ ", "; }", 5000)),
        ("cmdsubst", nest("echo $(", ")", 5000)),
        ("subshell", nest("(", ")", 5000)),
        ("unclosed-if", "if true; then ".repeat(5000)),
        ("unclosed-subshell", "(".repeat(5000)),
        ("unclosed-quote", format!("echo \"{}", "$(".repeat(3000))),
    ] {
        let f = dockerfile(d.path(), &format!("FROM python:3.11\nRUN {run_line}\nCMD [\"python\"]\n"));
        for cmd in ["parse", "lint", "analyze", "rewrite"] {
            let r = run(&format!("nesting-run-{what}.{cmd}"), &[cmd, s(&f)], Input::None, d.path());
            expect(&r, &[0, 1, 2], "");
        }
    }
}

#[test]
fn memory_blowups() {
    let d = tmp();
    // each variable doubling the one before ("billion laughs")
    let mut laughs = String::from("FROM alpine:3.19\nENV L0=lollollollollollollollollollollol\n");
    for i in 1..40 {
        laughs.push_str(&format!("ENV L{i}=${{L{p}}}${{L{p}}}\n", p = i - 1));
    }
    laughs.push_str("RUN echo $L39\n");
    let f = dockerfile(d.path(), &laughs);
    for cmd in ["lint", "analyze", "rewrite"] {
        let r = run(&format!("memory-laughs-env.{cmd}"), &[cmd, s(&f)], Input::None, d.path());
        expect(&r, &[2], "the limit");
    }
    // one 8 MiB variable referenced 200 times in one word, and replacing each of its characters
    // by itself: the word's limit must hold as it grows (3.2 GB and 64 TB if checked at its end)
    let mut grow = String::from("FROM alpine:3.19\nENV L0=lollollollollollollollollollollo\n");
    for i in 1..19 {
        grow.push_str(&format!("ENV L{i}=${{L{p}}}${{L{p}}}\n", p = i - 1));
    }
    for (case, word) in [("many-refs", "${L18}".repeat(200)), ("replace-squares", "${L18//?/${L18}}".into())] {
        let f = dockerfile(d.path(), &format!("{grow}ENV M={word}\nRUN echo $M\n"));
        let r = run(&format!("memory-laughs-{case}.lint"), &["lint", s(&f)], Input::None, d.path());
        expect(&r, &[2], "the limit");
    }
    // 30k ENV instructions
    let mut many = String::from("FROM alpine:3.19\n");
    for i in 0..30_000 {
        many.push_str(&format!("ENV V{i}=value{i}\n"));
    }
    let f = dockerfile(d.path(), &many);
    for cmd in ["lint", "analyze"] {
        let r = run(&format!("memory-env-30k.{cmd}"), &[cmd, s(&f)], Input::None, d.path());
        expect(&r, &[0, 1], "");
    }
    // package lists of 4 MiB in 20 layers: more than the 64 MiB the analysis keeps
    let list: Vec<u8> = (0..(4 << 20) / 32).flat_map(|i| format!("/usr/share/x/file-{i:020}\n").into_bytes()).collect();
    let layers: Vec<Vec<M>> =
        (0..20).map(|i| vec![M::RawName(format!("var/lib/dpkg/info/pkg{i}.list"), list.clone())]).collect();
    let img = imagegen::write(d.path(), "lists", &Spec::new(layers), Format::DockerArchive, Comp::Plain);
    let r = run("memory-dpkg-lists-4m-x20.analyze", &["analyze", s(&img)], Input::None, d.path());
    expect(&r, &[0], "");
    assert!(r.out.contains("package databases larger than 64 MiB"), "no warning:\n{}", r.out);
    // a path of 70 KiB (a GNU long name)
    let long = format!("{}/f", "d".repeat(70 << 10));
    let mut b = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_gnu();
    h.set_size(0);
    h.set_mode(0o644);
    b.append_data(&mut h, &long, &[][..]).unwrap();
    let mut spec = Spec::new(vec![vec![]]);
    spec.layers = vec![b.into_inner().unwrap()];
    let img = imagegen::write(d.path(), "longpath", &spec, Format::DockerArchive, Comp::Plain);
    let r = run("memory-long-path.analyze", &["analyze", s(&img)], Input::None, d.path());
    expect(&r, &[2], "longer than the 65536-byte limit");
    // a config with 100,001 history entries
    let mut spec = Spec::new(vec![vec![imagegen::file("a", 10)]]);
    spec.history = (0..100_001).map(|i| (format!("step {i}"), i != 0)).collect();
    let img = imagegen::write(d.path(), "history", &spec, Format::OciArchive, Comp::Gzip);
    let r = run("memory-history-100k.analyze", &["analyze", s(&img)], Input::None, d.path());
    expect(&r, &[2], "history entries");
    // /dev/zero on standard input: the archive ends at its first zero block
    let r = run("memory-dev-zero-stdin.analyze", &["analyze", "-"], Input::File(Path::new("/dev/zero")), d.path());
    expect(&r, &[2], "");
    let r = run("memory-dev-zero-dockerfile.lint", &["lint", "/dev/zero"], Input::None, d.path());
    expect(&r, &[1, 2], "not a regular file");
}

#[test]
fn super_linear_time() {
    let d = tmp();
    // 20k stages, each FROM the one before and COPY --from the one before that
    let mut stages = String::from("FROM alpine:3.19 AS s0\nRUN echo 0 > /f\n");
    for i in 1..20_000 {
        stages.push_str(&format!("FROM s{} AS s{i}\nCOPY --from=s{} /f /f{i}\n", i - 1, i.max(2) - 2));
    }
    let f = dockerfile(d.path(), &stages);
    for cmd in ["parse", "lint", "analyze"] {
        let r = run(&format!("time-stages-20k.{cmd}"), &[cmd, s(&f)], Input::None, d.path());
        expect(&r, &[0, 1], "");
    }
    // more instructions than the limit
    let mut huge = String::from("FROM alpine:3.19\n");
    for i in 0..100_001 {
        huge.push_str(&format!("RUN echo {i}\n"));
    }
    let f = dockerfile(d.path(), &huge);
    let r = run("time-instructions-100k.lint", &["lint", s(&f)], Input::None, d.path());
    expect(&r, &[2], "more than 100000 instructions");
    // lint --fix with three fixes on each of 20k lines: every one applied
    let mut apt = String::from("FROM debian:bookworm\n");
    for i in 0..20_000 {
        apt.push_str(&format!("RUN apt-get update && apt-get install -y p{i}\n"));
    }
    let f = dockerfile(d.path(), &apt);
    let r = run("time-lint-fix-20k-apt", &["lint", "--fix", s(&f)], Input::None, d.path());
    expect(&r, &[0, 1], "");
    let fixed = std::fs::read_to_string(&f).unwrap();
    assert_eq!(fixed.lines().count(), 20_001);
    assert_eq!(fixed.matches("--no-install-recommends").count(), 20_000);
    assert_eq!(fixed.matches("rm -rf /var/lib/apt/lists/*").count(), 20_000);
    // a RUN continued over 400k lines
    let mut cont = String::from("FROM alpine:3.19\nRUN echo \\\n");
    for i in 0..400_000 {
        cont.push_str(&format!("  a{i} \\\n"));
    }
    cont.push_str("  end\n");
    let f = dockerfile(d.path(), &cont);
    let r = run("time-continuation-400k.lint", &["lint", s(&f)], Input::None, d.path());
    expect(&r, &[0, 1], "");
    // 60k files, 60k whiteouts and 60k opaque markers over two layers
    let names: Vec<String> = (0..60_000).map(|i| format!("d{}/f{i}", i % 600)).collect();
    let lower: Vec<M> = names.iter().map(|n| M::RawName(n.clone(), vec![1; 10])).collect();
    let mut upper: Vec<M> = names
        .iter()
        .step_by(2)
        .map(|n| {
            let (dir, f) = n.split_once('/').unwrap();
            M::RawName(format!("{dir}/.wh.{f}"), vec![])
        })
        .collect();
    upper.extend((0..60_000).map(|i| M::RawName(format!("o{i}/.wh..wh..opq"), vec![])));
    let img =
        imagegen::write(d.path(), "whiteouts", &Spec::new(vec![lower, upper]), Format::DockerArchive, Comp::Plain);
    let r = run("time-whiteouts-opaque-60k.analyze", &["analyze", s(&img)], Input::None, d.path());
    expect(&r, &[0], "");
}

#[test]
fn wrong_success_digests() {
    let d = tmp();
    let spec = Spec::new(vec![vec![imagegen::file("app/a", 1000)]]);
    let layout = imagegen::write(d.path(), "good", &spec, Format::OciLayout, Comp::Gzip);
    // the layer named by a sha512 digest its blob does not hash to
    let manifest_path = |layout: &Path| {
        let index: serde_json::Value =
            serde_json::from_slice(&std::fs::read(layout.join("index.json")).unwrap()).unwrap();
        let digest = index["manifests"][0]["digest"].as_str().unwrap().to_string();
        layout.join("blobs/sha256").join(digest.trim_start_matches("sha256:"))
    };
    let mp = manifest_path(&layout);
    let mut man: serde_json::Value = serde_json::from_slice(&std::fs::read(&mp).unwrap()).unwrap();
    let good = man["layers"][0]["digest"].as_str().unwrap().trim_start_matches("sha256:").to_string();
    let zero = "0".repeat(128);
    std::fs::create_dir_all(layout.join("blobs/sha512")).unwrap();
    std::fs::copy(layout.join("blobs/sha256").join(&good), layout.join("blobs/sha512").join(&zero)).unwrap();
    man["layers"][0]["digest"] = format!("sha512:{zero}").into();
    std::fs::write(&mp, serde_json::to_vec(&man).unwrap()).unwrap();
    for (case, args) in [
        ("digests-sha512-layer.analyze", vec!["analyze", s(&layout)]),
        ("digests-sha512-layer.analyze-verify", vec!["analyze", "--verify", s(&layout)]),
    ] {
        let r = run(case, &args, Input::None, d.path());
        expect(&r, &[2], "digest");
    }
    // an index naming its manifest by an algorithm OCI does not register
    let layout2 = imagegen::write(d.path(), "md5", &spec, Format::OciLayout, Comp::Gzip);
    let ip = layout2.join("index.json");
    let mut index: serde_json::Value = serde_json::from_slice(&std::fs::read(&ip).unwrap()).unwrap();
    index["manifests"][0]["digest"] = format!("md5:{}", "0".repeat(32)).into();
    std::fs::write(&ip, serde_json::to_vec(&index).unwrap()).unwrap();
    let r = run("digests-md5-manifest.analyze", &["analyze", s(&layout2)], Input::None, d.path());
    expect(&r, &[2], "not supported");
}

#[test]
fn hangs_on_special_files_and_trees() {
    let d = tmp();
    let fifo = d.path().join("Dockerfile");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
    for cmd in ["parse", "lint", "analyze", "rewrite"] {
        let r = run(&format!("special-fifo-dockerfile.{cmd}"), &[cmd, s(&fifo)], Input::None, d.path());
        expect(&r, &[1, 2], "not a regular file");
    }
    // a FIFO in the build context: .dockerignore and a requirements file
    let ctx = tmp();
    for name in [".dockerignore", "requirements.txt"] {
        let c = std::ffi::CString::new(ctx.path().join(name).to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
    }
    let f = dockerfile(
        ctx.path(),
        "FROM python:3.11\nCOPY . /app\nRUN pip install -r /app/requirements.txt\nCMD [\"python\", \"/app/a.py\"]\n",
    );
    for cmd in ["lint", "analyze", "rewrite"] {
        let r = run(&format!("special-fifo-in-context.{cmd}"), &[cmd, s(&f)], Input::None, ctx.path());
        expect(&r, &[0, 1, 2], "");
    }
    // lint over a tree with a symlink loop and a link to /
    let tree = tmp();
    std::fs::create_dir_all(tree.path().join("app")).unwrap();
    dockerfile(&tree.path().join("app"), "FROM alpine:3.19\nRUN echo\n");
    std::os::unix::fs::symlink(".", tree.path().join("app/loop")).unwrap();
    std::os::unix::fs::symlink("/", tree.path().join("root")).unwrap();
    let r = run("special-symlink-loop.lint-dir", &["lint", s(tree.path())], Input::None, tree.path());
    expect(&r, &[0, 1], "");
    assert!(!r.out.contains("/proc"), "followed root -> /:\n{}", r.out);
}

#[test]
fn outputs_that_destroy_what_they_replace() {
    let d = tmp();
    let src = "FROM python:3.11\r\nRUN pip install flask\r\nCMD [\"python\", \"-m\", \"flask\"]\r\n";
    // --fix on a CRLF file keeps CRLF
    let f = dockerfile(d.path(), src);
    let r = run("outputs-fix-crlf", &["lint", "--fix", s(&f)], Input::None, d.path());
    expect(&r, &[0, 1], "");
    let fixed = std::fs::read_to_string(&f).unwrap();
    assert!(fixed.contains("--no-cache-dir"), "{fixed}");
    assert_eq!(fixed.matches('\n').count(), fixed.matches("\r\n").count(), "{fixed:?}");
    // --fix through a symlink fixes the target and keeps the link
    let real = d.path().join("real.Dockerfile");
    std::fs::write(&real, src).unwrap();
    let link = d.path().join("link.Dockerfile");
    std::os::unix::fs::symlink("real.Dockerfile", &link).unwrap();
    let r = run("outputs-fix-symlink", &["lint", "--fix", s(&link)], Input::None, d.path());
    expect(&r, &[0, 1], "");
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    assert!(std::fs::read_to_string(&real).unwrap().contains("--no-cache-dir"));
    // --fix on a file with a second hard link: both names see the fix
    let hard = d.path().join("hard.Dockerfile");
    std::fs::write(&hard, src).unwrap();
    let other = d.path().join("hard2.Dockerfile");
    std::fs::hard_link(&hard, &other).unwrap();
    let r = run("outputs-fix-hardlink", &["lint", "--fix", s(&hard)], Input::None, d.path());
    expect(&r, &[0, 1], "");
    assert!(std::fs::read_to_string(&other).unwrap().contains("--no-cache-dir"));
    // a read-only file is not replaced
    let ro = d.path().join("ro.Dockerfile");
    std::fs::write(&ro, src).unwrap();
    std::fs::set_permissions(&ro, std::os::unix::fs::PermissionsExt::from_mode(0o444)).unwrap();
    let r = run("outputs-fix-readonly", &["lint", "--fix", s(&ro)], Input::None, d.path());
    expect(&r, &[2], "read-only");
    assert_eq!(std::fs::read_to_string(&ro).unwrap(), src);
    // -o onto a symlink writes its target; -o /dev/null leaves the device alone
    let app = tmp();
    let f =
        dockerfile(app.path(), "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\nCMD [\"/app\"]\n");
    std::fs::write(app.path().join("main.go"), "package main\nfunc main() {}\n").unwrap();
    std::fs::write(app.path().join("go.mod"), "module x\n\ngo 1.22\n").unwrap();
    let out_real = app.path().join("out.real");
    std::fs::write(&out_real, "").unwrap();
    let out_link = app.path().join("out.link");
    std::os::unix::fs::symlink("out.real", &out_link).unwrap();
    let r = run("outputs-rewrite-o-symlink", &["rewrite", s(&f), "-o", s(&out_link)], Input::None, app.path());
    expect(&r, &[0], "");
    assert!(std::fs::symlink_metadata(&out_link).unwrap().file_type().is_symlink());
    assert!(std::fs::read_to_string(&out_real).unwrap().contains("AS builder"));
    let r = run("outputs-rewrite-o-dev-null", &["rewrite", s(&f), "-o", "/dev/null"], Input::None, app.path());
    expect(&r, &[0], "");
    use std::os::unix::fs::FileTypeExt;
    assert!(std::fs::metadata("/dev/null").unwrap().file_type().is_char_device());
}

#[test]
fn terminal_escapes() {
    let d = tmp();
    // an image whose paths and config carry escape sequences
    let mut spec = Spec::new(vec![vec![M::RawName("app/\x1b[2J\x1b]0;pwned\x07".into(), vec![1; 4000])]]);
    spec.config["Env"] = serde_json::json!(["X=\x1b[31mred"]);
    let img = imagegen::write(d.path(), "esc", &spec, Format::DockerArchive, Comp::Plain);
    for (case, args) in [
        ("escapes-image.analyze", vec!["analyze", s(&img)]),
        ("escapes-image.analyze-markdown", vec!["analyze", s(&img), "--format", "markdown"]),
        ("escapes-image.compare", vec!["compare", s(&img), s(&img)]),
        ("escapes-image.compare-markdown", vec!["compare", s(&img), s(&img), "--format", "markdown"]),
    ] {
        let r = run(case, &args, Input::None, d.path());
        expect(&r, &[0], "");
        assert!(!r.out.contains('\x1b') && !r.err.contains('\x1b'), "{case}: raw ESC reached the terminal");
    }
    // a Dockerfile whose name and text carry them
    let f = d.path().join("Dockerfile.\x1b[31mred");
    std::fs::write(&f, "FROM python:3.11\nRUN pip install \x1b[2Jflask\n").unwrap();
    let r = run("escapes-filename.lint", &["lint", s(&f)], Input::None, d.path());
    expect(&r, &[0, 1], "");
    assert!(!r.out.contains('\x1b') && !r.err.contains('\x1b'), "lint: raw ESC reached the terminal");
}

/// The committed corpus of fixtures/hostile (written by its gen.py, listed in cases.tsv with the
/// exit codes and message each case must give), and the slowest and heaviest of them beside the
/// largest real Dockerfile of ../shared/corpus.
#[test]
fn committed_hostile_corpus() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/hostile");
    let cases = std::fs::read_to_string(root.join("cases.tsv")).unwrap();
    let d = tmp();
    let mut ran = Vec::new();
    for line in cases.lines().filter(|l| !l.starts_with('#') && !l.is_empty()) {
        let f: Vec<&str> = line.split('\t').collect();
        let (file, cmd, codes, fragment) = (f[0], f[1], f[2], f.get(3).copied().unwrap_or(""));
        let codes: Vec<i32> = codes.split(',').map(|c| c.parse().unwrap()).collect();
        let path = root.join(file);
        let r = run(&format!("{file}.{cmd}"), &[cmd, s(&path)], Input::None, d.path());
        expect(&r, &codes, fragment);
        // control characters reach no terminal raw
        assert!(!r.out.contains('\u{1b}') && !r.err.contains('\u{1b}'), "{}: a raw escape in the output", r.case);
        ran.push(r);
    }
    assert!(ran.len() >= 60, "only {} cases in cases.tsv", ran.len());
    let slowest = ran.iter().max_by(|a, b| a.secs.total_cmp(&b.secs)).unwrap();
    let heaviest = ran.iter().max_by(|a, b| a.rss_mb.total_cmp(&b.rss_mb)).unwrap();
    println!("slowest:  {} {:.2} s {:.1} MiB", slowest.case, slowest.secs, slowest.rss_mb);
    println!("heaviest: {} {:.2} s {:.1} MiB", heaviest.case, heaviest.secs, heaviest.rss_mb);
    let corpus = common::shared_dir().join("corpus");
    let largest = common::subdirs(&corpus)
        .iter()
        .flat_map(|d| std::fs::read_dir(d).unwrap().map(|e| e.unwrap().path()))
        .filter(|p| p.extension().is_some_and(|e| e == "Dockerfile"))
        .max_by_key(|p| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0))
        .unwrap();
    for cmd in ["lint", "analyze"] {
        let r = run(&format!("largest corpus file.{cmd}"), &[cmd, s(&largest)], Input::None, d.path());
        expect(&r, &[0, 1], "");
        println!("{} ({}): {:.2} s {:.1} MiB", r.case, largest.display(), r.secs, r.rss_mb);
    }
}
