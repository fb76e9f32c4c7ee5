//! The emitted Dockerfiles of the example apps (fixtures/apps, examples/runtime-report) are
//! snapshot-tested, and every emitted file — for these apps and for generated single-stage
//! Dockerfiles — parses, has two stages, leaves no size finding in the runtime stage, loses no
//! instruction and keeps the contract in the runtime stage.

mod common;

use imgslim::dockerfile::{model, parse_str};
use imgslim::rewrite::{plan, JavaRuntime, Options, Outcome};
use proptest::prelude::*;
use std::path::Path;

fn rewrite(text: &str, context: Option<&Path>) -> Outcome {
    rewrite_with(text, context, &Options::default())
}

fn rewrite_with(text: &str, context: Option<&Path>, options: &Options) -> Outcome {
    let df = parse_str(text).unwrap();
    let m = model::build(&df).unwrap();
    plan(&df, &m, context, options)
}

#[test]
fn example_apps() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut apps = common::subdirs(&root.join("fixtures/apps"));
    apps.push(root.join("examples/runtime-report"));
    for app in apps {
        let name = app.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(app.join("Dockerfile")).unwrap();
        let args = common::rewrite::app_args(&app);
        let java_runtime = if args.windows(2).any(|w| w == ["--java-runtime", "jlink"]) {
            JavaRuntime::Jlink
        } else {
            JavaRuntime::Jre
        };
        let options = Options { java_runtime, ..Options::default() };
        let Outcome::Rewritten(p) = rewrite_with(&text, Some(&app), &options) else { panic!("{name}: not rewritten") };
        common::rewrite::check(&text, &p).unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut snap = p.dockerfile.clone();
        snap.push_str("\n---- changes\n");
        for c in &p.changes {
            snap.push_str(&format!("{}{}\n", c.line.map(|l| format!("line {l}: ")).unwrap_or_default(), c.message));
        }
        insta::with_settings!({snapshot_path => "snapshots/rewrite", prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!(name, snap);
        });
    }
}

#[test]
fn already_multi_stage_is_left_alone() {
    let text = "FROM golang:1.22 AS build\nRUN go build -o /app .\nFROM gcr.io/distroless/static-debian12\nCOPY --from=build /app /app\nCMD [\"/app\"]\n";
    assert!(matches!(rewrite(text, None), Outcome::AlreadyMultiStage { .. }));
}

#[test]
fn refusals_say_why() {
    for (text, why) in [
        ("FROM scratch\nCOPY app /app\nCMD [\"/app\"]\n", "scratch"),
        ("FROM golang:1.22\nWORKDIR /src\nCOPY . .\nCMD [\"go\", \"run\", \".\"]\n", "go run"),
        // gems on a base without GEM_HOME go to Ruby's own directories; on a python base, the
        // python rewrite would leave them behind
        (
            "FROM debian:bookworm\nRUN apt-get update && apt-get install -y ruby ruby-dev gcc\nWORKDIR /app\nCOPY . .\nRUN gem install sinatra\nCMD [\"ruby\", \"app.rb\"]\n",
            "installs gems into the system directories of debian:bookworm",
        ),
        (
            "FROM python:3.11\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt && gem install sass\nCMD [\"python\", \"app.py\"]\n",
            "Ruby's system directories",
        ),
        ("FROM ruby:3.3\nWORKDIR /app\nCOPY . .\nRUN gem update --system\nCMD [\"ruby\", \"app.rb\"]\n", "ruby"),
        (
            "FROM python:3.11\nCOPY . .\nRUN pip install -r requirements.txt\nCMD [\"python\", \"app.py\"]\n",
            "no WORKDIR",
        ),
        ("FROM alpine:3.19\nRUN apk add --no-cache curl\nCMD [\"curl\"]\n", "nothing for a builder stage"),
        (
            "FROM node:18\nWORKDIR /app\nONBUILD COPY . .\nONBUILD RUN npm install\nCMD [\"npm\", \"start\"]\n",
            "ONBUILD",
        ),
        // docker-library's pattern: build tools installed and purged in the same RUN
        (
            "FROM debian:bookworm-slim\nRUN set -eux; savedAptMark=\"$(apt-mark showmanual)\"; apt-get update; apt-get install -y --no-install-recommends gcc make wget; wget -O app.tgz https://example.com/app.tgz; tar xzf app.tgz; make -C app install; apt-mark auto '.*' > /dev/null; apt-mark manual $savedAptMark; apt-get purge -y --auto-remove; rm -rf /var/lib/apt/lists/*\nENTRYPOINT [\"docker-entrypoint.sh\"]\nCMD [\"app\"]\n",
            "no build-only packages",
        ),
        (
            "FROM alpine:3.19\nRUN apk add --no-cache --virtual .deps gcc musl-dev make && make -C /src install && apk del .deps\nENTRYPOINT [\"docker-entrypoint.sh\"]\nCMD [\"app\"]\n",
            "no build-only packages",
        ),
        (
            "FROM debian:bookworm-slim\nRUN savedAptMark=\"$(apt-mark showmanual)\" && apt-get update && apt-get install -y gcc make && make -C /src install && apt-mark showmanual | xargs apt-mark auto > /dev/null && apt-mark manual $savedAptMark && apt-get purge -y --auto-remove\nENTRYPOINT [\"docker-entrypoint.sh\"]\nCMD [\"app\"]\n",
            "no build-only packages",
        ),
        // an environment to work in: the command is a REPL, a shell or `sleep infinity`
        ("FROM python:3.11\nRUN apt-get update && apt-get install -y gcc\nCMD [\"python3\"]\n", "environment to work in"),
        (
            "FROM debian:bookworm\nRUN apt-get update && apt-get install -y build-essential cmake\nCMD [\"sleep\", \"infinity\"]\n",
            "environment to work in",
        ),
        // a toolbox: the compiler is what the image is for
        ("FROM debian:bookworm\nRUN apt-get update && apt-get install -y gcc make\n", "toolbox"),
        (
            "FROM alpine:3.19\nRUN apk add --no-cache python3 py3-pip build-base && pip3 install gcalcli\nCMD [\"gcalcli\"]\n",
            "Alpine's system Python",
        ),
        // PHP extensions on a base that is not php go to the system's PHP; php's cli image
        // without a CMD runs `php -a`, a REPL
        (
            "FROM debian:bookworm\nRUN apt-get update && apt-get install -y php-cli php-dev libyaml-dev && pecl install yaml\nWORKDIR /app\nCOPY . .\nCMD [\"php\", \"app.php\"]\n",
            "build on a php image",
        ),
        ("FROM php:8.2-cli\nRUN apt-get update && apt-get install -y libzip-dev && docker-php-ext-install zip\n", "toolbox"),
        (
            "FROM python:3.11\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt && pecl install redis\nCMD [\"python\", \"app.py\"]\n",
            "PHP's system directories",
        ),
        // a Java program not started with `java -jar` goes onto the JRE of its JDK image, unless it
        // needs a JDK tool, its files share a directory with the JDK, or no JRE image is known
        (
            "FROM eclipse-temurin:17-jdk\nWORKDIR /app\nCOPY . .\nRUN javac -d out Main.java\nHEALTHCHECK CMD jcmd 1 VM.uptime\nCMD [\"java\", \"-cp\", \"out\", \"Main\"]\n",
            "a JDK tool the JRE does not have",
        ),
        (
            "FROM openjdk:11-jdk-slim\nWORKDIR /usr/local\nCOPY Main.java .\nRUN javac -d out Main.java\nCMD [\"java\", \"-cp\", \"/usr/local/out\", \"Main\"]\n",
            "holds the JDK",
        ),
        (
            "FROM amazoncorretto:17\nWORKDIR /app\nCOPY . .\nRUN javac -d out Main.java\nCMD [\"java\", \"-cp\", \"out\", \"Main\"]\n",
            "knows no JRE image of amazoncorretto:17",
        ),
        // pdm outside the project's `.venv`: the system Python or pdm's own directory of
        // environments; each refusal says what to change
        (
            "FROM python:3.12\nWORKDIR /app\nRUN pip install pdm==2.29.4\nCOPY . .\nRUN pdm config python.use_venv false && pdm install --prod\nCMD [\"python\", \"app.py\"]\n",
            "`python.use_venv` off installs into the system Python",
        ),
        (
            "FROM python:3.12\nENV PDM_USE_VENV=0\nWORKDIR /app\nRUN pip install pdm\nCOPY . .\nRUN pdm sync\nCMD [\"python\", \"app.py\"]\n",
            "let pdm make the project's `.venv`",
        ),
        (
            "FROM python:3.12\nWORKDIR /app\nRUN pip install pdm\nCOPY . .\nRUN PDM_VENV_IN_PROJECT=False pdm install --prod\nCMD [\"python\", \"app.py\"]\n",
            "`venv.in_project` off",
        ),
        (
            "FROM python:3.12\nWORKDIR /app\nRUN pip install pdm\nCOPY . .\nRUN pdm config venv.in_project off\nRUN pdm install --prod\nCMD [\"python\", \"app.py\"]\n",
            "keep the default `.venv` in the project",
        ),
        // a program name with shell syntax would go into the builder's shell steps (fuzzing)
        ("FROM rust:1.70\nCMD [\"./t>he l>|;a <<end\"]\n", "shell syntax or spaces"),
    ] {
        match rewrite(text, None) {
            Outcome::Refused(r) => assert!(r.message.contains(why), "{text}: {}", r.message),
            o => panic!("{text}: expected a refusal, got {o:?}"),
        }
    }
}

/// Single-stage Dockerfiles built from the parts real ones are made of.
fn dockerfile() -> impl Strategy<Value = String> {
    let base = prop::sample::select(vec![
        ("python:3.11", "python"),
        ("python:3.12-bookworm", "python"),
        ("node:18", "node"),
        ("node:20-bookworm", "node"),
        ("golang:1.22", "go"),
        ("rust:1.78", "rust"),
        ("debian:bookworm", "c"),
        ("gcc:13", "c"),
    ]);
    let apt = prop::sample::subsequence(
        vec!["gcc", "libpq-dev", "curl", "git", "make", "libsqlite3-dev", "ca-certificates"],
        0..4,
    );
    let comment = prop::option::of(prop::sample::select(vec!["# install things", "# the build", "#"]));
    let env = prop::option::of(prop::sample::select(vec![
        "ENV APP_ENV=prod",
        "ENV PORT 8080",
        "ARG VERSION=1\nENV VERSION=$VERSION",
    ]));
    let user = any::<bool>();
    let cmd_shell = any::<bool>();
    (base, apt, comment, env, user, cmd_shell).prop_map(|((image, eco), apt, comment, env, user, cmd_shell)| {
        let mut s = format!("FROM {image}\n");
        if let Some(e) = env {
            s.push_str(&format!("{e}\n"));
        }
        s.push_str("WORKDIR /app\n");
        if !apt.is_empty() {
            if let Some(c) = comment {
                s.push_str(&format!("{c}\n"));
            }
            s.push_str(&format!("RUN apt-get update && apt-get install -y {}\n", apt.join(" ")));
        }
        let (build, cmd) = match eco {
            "python" => ("COPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .", "python app.py"),
            "node" => ("COPY . .\nRUN npm ci && npm run build", "node dist/index.js"),
            "go" => ("COPY . .\nRUN go build -o /usr/local/bin/app .", "app -serve"),
            "rust" => ("COPY . .\nRUN cargo build --release", "./target/release/app"),
            _ => ("COPY . .\nRUN make && make install", "/usr/local/bin/app"),
        };
        s.push_str(build);
        s.push('\n');
        if user {
            s.push_str("RUN useradd -m app\nUSER app\n");
        }
        s.push_str("EXPOSE 8080\n");
        if cmd_shell {
            s.push_str(&format!("CMD {cmd}\n"));
        } else {
            let words: Vec<String> = cmd.split(' ').map(|w| format!("\"{w}\"")).collect();
            s.push_str(&format!("CMD [{}]\n", words.join(", ")));
        }
        s
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]
    #[test]
    fn emitted_dockerfiles_are_sound(text in dockerfile()) {
        match rewrite(&text, None) {
            Outcome::Rewritten(p) => {
                if let Err(e) = common::rewrite::check(&text, &p) {
                    prop_assert!(false, "{}\n--- original\n{}", e, text);
                }
            }
            Outcome::Refused(r) => prop_assert!(!r.message.is_empty()),
            Outcome::AlreadyMultiStage { .. } => prop_assert!(false, "single-stage input"),
        }
    }
}

#[test]
fn java_runs_on_the_jre_unless_jlink_is_asked_for() {
    let app = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/apps/java-ant");
    let text = std::fs::read_to_string(app.join("Dockerfile")).unwrap();
    let Outcome::Rewritten(p) = rewrite(&text, Some(&app)) else { panic!("not rewritten") };
    assert_eq!(p.runtime_base, "eclipse-temurin:17-jre");
    assert!(!p.dockerfile.contains("jlink"), "{}", p.dockerfile);
    assert!(p.changes.iter().any(|c| c.message.contains("--java-runtime jlink")));
    common::rewrite::check(&text, &p).unwrap();
    // jlink needs jdeps --print-module-deps (Java 11+) and java on PATH
    let jlink = Options { java_runtime: JavaRuntime::Jlink, ..Options::default() };
    let old = "FROM openjdk:8-jdk\nCOPY . /app\nRUN cd /app && javac -d out Main.java && jar cfe app.jar Main -C out .\nCMD [\"java\", \"-jar\", \"/app/app.jar\"]\n";
    let Outcome::Refused(r) = rewrite_with(old, None, &jlink) else { panic!("Java 8 with jlink") };
    assert!(r.message.contains("Java 8"), "{}", r.message);
    let by_path = text.replace("[\"java\",", "[\"/opt/java-home/bin/java\",");
    let Outcome::Refused(r) = rewrite_with(&by_path, Some(&app), &jlink) else { panic!("java by path") };
    assert!(r.message.contains("by path"), "{}", r.message);
}

#[test]
fn replayed_setup_keeps_what_it_reads_and_runtime_libraries_come_from_the_probe() {
    // a setup RUN run again in the runtime stage gets the file a COPY put in place before it
    let text = "FROM debian:bookworm\nWORKDIR /app\nRUN apt-get update && apt-get install -y gcc\nCOPY build.sh setup.sh /opt/tools/\nRUN sh build.sh\nRUN chmod +x /opt/tools/setup.sh && ln -s /opt/tools/setup.sh /usr/local/bin/setup\nCMD [\"/app/run\"]\n";
    let Outcome::Rewritten(p) = rewrite(text, None) else { panic!("not rewritten") };
    let runtime = p.dockerfile.split("\n# imgslim: runtime stage").nth(1).unwrap();
    let (copy, run) =
        (runtime.find("COPY build.sh setup.sh /opt/tools/"), runtime.find("RUN chmod +x /opt/tools/setup.sh"));
    assert!(copy.is_some() && run.is_some() && copy < run, "{}", p.dockerfile);
    assert!(!runtime.contains("--from=builder /opt/tools"), "{}", p.dockerfile);
    common::rewrite::check(text, &p).unwrap();
    // buildpack-deps tool layers run on the slim release they are built on; the -dev package
    // stays in the builder, whose probe finds the library package the program links (libpq5),
    // on any release
    for base in ["buildpack-deps:bookworm-scm", "buildpack-deps:bullseye"] {
        let text = format!("FROM {base}\nWORKDIR /app\nRUN apt-get update && apt-get install -y libpq-dev gcc\nCOPY . .\nRUN make\nCMD [\"/app/server\"]\n");
        let Outcome::Rewritten(p) = rewrite(&text, None) else { panic!("not rewritten") };
        // a C program that needs no shell: distroless base, the probe copies the libraries
        assert_eq!(p.runtime_base, "gcr.io/distroless/base-debian12");
        assert!(!p.runtime_packages.iter().any(|r| r.ends_with("-dev")), "{:?}", p.runtime_packages);
        let (builder, runtime) = p.dockerfile.split_once("\n# imgslim: runtime stage").unwrap();
        assert!(builder.contains("find /app/server -type f") && builder.contains("dpkg -S"), "{}", p.dockerfile);
        assert!(runtime.contains("COPY --from=builder /imgslim/needs/ /"), "{}", p.dockerfile);
        common::rewrite::check(&text, &p).unwrap();
        // one that needs a shell (a setup step replayed): the slim release, packages installed
        let text = text.replace("RUN make\n", "RUN make\nRUN mkdir -p /var/run/server\n");
        let Outcome::Rewritten(p) = rewrite(&text, None) else { panic!("not rewritten") };
        assert!(p.runtime_base.starts_with("debian:") && p.runtime_base.ends_with("-slim"), "{}", p.runtime_base);
        assert!(p.dockerfile.contains("apt-get install -y --no-install-recommends $missing"), "{}", p.dockerfile);
        common::rewrite::check(&text, &p).unwrap();
    }
}

#[test]
fn what_a_non_root_user_wrote_keeps_its_owner() {
    let text = "FROM debian:bookworm\nRUN apt-get update && apt-get install -y git && useradd -m app\nUSER app\nRUN git clone https://example.com/x.git /home/app/x\nCMD [\"/home/app/x/run\"]\n";
    let Outcome::Rewritten(p) = rewrite(text, None) else { panic!("not rewritten") };
    assert!(p.dockerfile.contains("COPY --from=builder --chown=app /home/app/x /home/app/x"), "{}", p.dockerfile);
    common::rewrite::check(text, &p).unwrap();
}

#[test]
fn bases_and_installs_the_planners_read_right() {
    // a build into /usr/local on a bigger base: the probe reads what its programs link
    let text = "FROM buildpack-deps:bookworm\nRUN wget -O py.tgz https://example.com/py.tgz && tar xzf py.tgz && cd py && ./configure && make install\nCMD [\"python3\", \"/srv/app.py\"]\n";
    let Outcome::Rewritten(p) = rewrite(text, None) else { panic!("not rewritten") };
    assert_eq!(p.runtime_base, "debian:bookworm-slim");
    assert!(p.dockerfile.contains("find /usr/local -type f"), "{}", p.dockerfile);
    assert!(p.dockerfile.contains("COPY --from=builder /imgslim/needs/ /"), "{}", p.dockerfile);
    // an Ubuntu-based image whose tag names no release: no library name is guessed, the probe
    // asks the builder's dpkg
    let text = "FROM adoptopenjdk:11-jdk-hotspot\nRUN apt-get update && apt-get install -y gcc make libssl-dev\nWORKDIR /src\nCOPY . .\nRUN make && make install\nCMD [\"/usr/local/bin/server\"]\n";
    let Outcome::Rewritten(p) = rewrite(text, None) else { panic!("not rewritten") };
    assert!(p.runtime_packages.is_empty(), "{:?}", p.runtime_packages);
    assert!(p.dockerfile.contains("dpkg -S"), "{}", p.dockerfile);
    // dev dependencies already left out: no prune, no saving claimed for them
    let text = "FROM node:20\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci --omit=dev\nCOPY . .\nRUN npm run build\nCMD [\"node\", \"dist/index.js\"]\n";
    let Outcome::Rewritten(p) = rewrite(text, None) else { panic!("not rewritten") };
    assert!(!p.dockerfile.contains("npm prune"), "{}", p.dockerfile);
    assert!(p.changes.iter().any(|c| c.message.contains("already leaves the dev dependencies out")));
    let text = text.replace("npm ci --omit=dev", "npm ci");
    let Outcome::Rewritten(p) = rewrite(&text, None) else { panic!("not rewritten") };
    assert!(p.dockerfile.contains("npm prune --omit=dev"), "{}", p.dockerfile);
}

/// The rewrite of a fixture app (with its directory as the build context).
fn app_plan(name: &str, options: &Options) -> imgslim::rewrite::Plan {
    let app = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/apps").join(name);
    let text = std::fs::read_to_string(app.join("Dockerfile")).unwrap();
    match rewrite_with(&text, Some(&app), options) {
        Outcome::Rewritten(p) => {
            common::rewrite::check(&text, &p).unwrap_or_else(|e| panic!("{name}: {e}"));
            p
        }
        other => panic!("{name}: {other:?}"),
    }
}

fn runtime_of(p: &imgslim::rewrite::Plan) -> &str {
    p.dockerfile.split("\n# imgslim: runtime stage").nth(1).unwrap()
}

#[test]
fn cargo_install_is_found_in_cargo_home_and_put_on_the_runtime_path() {
    let p = app_plan("rust-install", &Options::default());
    assert!(
        runtime_of(&p).contains("COPY --from=builder /usr/local/cargo/bin/checksum /usr/local/bin/checksum"),
        "{}",
        p.dockerfile
    );
    assert!(p.dockerfile.contains("strip --strip-unneeded /usr/local/cargo/bin/checksum"), "{}", p.dockerfile);
    // the probe fails the build when what it copies is missing, instead of hiding it
    assert!(p.dockerfile.contains("is not in the builder\" >&2; exit 1"), "{}", p.dockerfile);
    let plain = app_plan("rust-install", &Options { no_strip: true, ..Options::default() });
    assert!(!plain.dockerfile.contains("strip --strip-unneeded"), "{}", plain.dockerfile);
}

#[test]
fn go_builds_without_ldflags_are_stripped_unless_asked_not_to() {
    let p = app_plan("go-plain", &Options::default());
    assert!(p.dockerfile.contains("RUN go build -trimpath -ldflags=\"-s -w\" -o quotes ."), "{}", p.dockerfile);
    assert_eq!(p.runtime_base, "gcr.io/distroless/static-debian12");
    let plain = app_plan("go-plain", &Options { no_strip: true, ..Options::default() });
    assert!(plain.dockerfile.contains("RUN go build -o quotes ."), "{}", plain.dockerfile);
    // a build that sets -ldflags itself is left as written
    let text =
        "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -ldflags=\"-X main.v=1\" -o /app .\nCMD [\"/app\"]\n";
    let Outcome::Rewritten(p) = rewrite(text, None) else { panic!("not rewritten") };
    assert!(p.dockerfile.contains("RUN go build -ldflags=\"-X main.v=1\" -o /app ."), "{}", p.dockerfile);
}

#[test]
fn replayed_mkdir_tolerates_the_directory_the_copies_made() {
    let p = app_plan("svc-tools", &Options::default());
    assert!(runtime_of(&p).contains("RUN mkdir -p uploads"), "{}", p.dockerfile);
}

#[test]
fn tools_nothing_runs_stay_in_the_builder_and_tools_something_runs_are_kept() {
    let p = app_plan("svc-tools", &Options::default());
    assert_eq!(p.runtime_packages, ["curl"], "{:?}", p.changes);
    assert!(p.changes.iter().any(|c| c.message.starts_with("vim, less: tools nothing in the image runs")));
    assert!(!runtime_of(&p).contains("vim"), "{}", p.dockerfile);
    let kept = app_plan("svc-tools", &Options { keep_packages: vec!["less".into()], ..Options::default() });
    assert_eq!(kept.runtime_packages, ["less", "curl"]);
    let p = app_plan("py-graphviz", &Options::default());
    assert_eq!(p.runtime_packages, ["graphviz"], "{:?}", p.changes);
    // without the sources a tool cannot be told unused: kept
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/apps/py-graphviz/Dockerfile"))
            .unwrap();
    let Outcome::Rewritten(p) = rewrite(&text, None) else { panic!("not rewritten") };
    assert!(p.runtime_packages.contains(&"vim".to_string()), "{:?}", p.runtime_packages);
}

/// git is build-only (it fetches sources) unless something the image runs calls it: a gem that
/// shells out to it (`[runs.gem]` in rules/rewrite.toml), a Python dependency (gitpython).
#[test]
fn a_build_only_package_the_program_runs_is_kept() {
    let text = "FROM ruby:3.1\nRUN apt-get update && apt-get install -y git\nRUN gem install travis --no-document\nENTRYPOINT [\"travis\"]\n";
    let Outcome::Rewritten(p) = rewrite(text, None) else { panic!("not rewritten") };
    assert_eq!(p.runtime_packages, ["git"], "{:?}", p.changes);
    assert!(p.changes.iter().any(|c| c.message.contains("the gem dependency `travis` runs it")), "{:?}", p.changes);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("requirements.txt"), "GitPython==3.1.43\n").unwrap();
    std::fs::write(dir.path().join("app.py"), "import git\nprint(git.Repo('.').head)\n").unwrap();
    let text = "FROM python:3.11\nRUN apt-get update && apt-get install -y git gcc\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD [\"python\", \"app.py\"]\n";
    let Outcome::Rewritten(p) = rewrite(text, Some(dir.path())) else { panic!("not rewritten") };
    assert_eq!(p.runtime_packages, ["git"], "{:?}", p.changes);
    // without a caller, git stays behind with the compiler
    std::fs::write(dir.path().join("requirements.txt"), "requests==2.32.3\n").unwrap();
    let Outcome::Rewritten(p) = rewrite(text, Some(dir.path())) else { panic!("not rewritten") };
    assert!(p.runtime_packages.is_empty(), "{:?}", p.changes);
}

/// A Rails-style file: the install chooses its groups (`bundle config set without`), assets are
/// precompiled in the builder (their output is in the app directory the runtime stage copies).
#[test]
fn a_rails_build_keeps_its_groups_and_precompiles_in_the_builder() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Gemfile"), "source \"https://rubygems.org\"\ngem \"rails\"\ngem \"pg\"\ngroup :development, :test do\n  gem \"rspec-rails\"\nend\n").unwrap();
    std::fs::write(dir.path().join("Gemfile.lock"), "GEM\n").unwrap();
    let text = "FROM ruby:3.3\nWORKDIR /rails\nCOPY Gemfile Gemfile.lock ./\nRUN bundle config set --local without 'development test' && bundle install\nCOPY . .\nRUN SECRET_KEY_BASE_DUMMY=1 rails assets:precompile\nEXPOSE 3000\nCMD [\"bin/rails\", \"server\", \"-b\", \"0.0.0.0\"]\n";
    let Outcome::Rewritten(p) = rewrite(text, Some(dir.path())) else { panic!("not rewritten") };
    assert_eq!(p.runtime_base, "ruby:3.3-slim");
    assert!(p.changes.iter().any(|c| c.message.contains("already chooses its groups")), "{:?}", p.changes);
    let runtime = runtime_of(&p);
    assert!(!runtime.contains("assets:precompile") && !runtime.contains("BUNDLE_WITHOUT"), "{runtime}");
    assert!(runtime.contains("COPY --from=builder /usr/local/bundle /usr/local/bundle"), "{runtime}");
    assert!(runtime.contains("COPY --from=builder /rails /rails"), "{runtime}");
    // without the groups chosen, BUNDLE_WITHOUT is set in both stages
    let text = text.replace("bundle config set --local without 'development test' && ", "");
    let Outcome::Rewritten(p) = rewrite(&text, Some(dir.path())) else { panic!("not rewritten") };
    assert!(runtime_of(&p).contains("ENV BUNDLE_WITHOUT=development:test"), "{}", p.dockerfile);
    assert!(p.intended.contains(&"Env"));
}

/// A CMD written before ENTRYPOINT in the same stage stays (BuildKit resets only the base's):
/// `ENTRYPOINT ["python"]` with `CMD ["app.py"]` is a program, not a REPL. Docker Hub's mirrors
/// name the same official images.
#[test]
fn entrypoint_after_cmd_and_mirrored_official_images() {
    let text = "FROM mirror.gcr.io/library/python:3.11\nRUN apt-get update && apt-get install -y gcc\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD [\"/app/job.py\"]\nENTRYPOINT [\"python\"]\n";
    let Outcome::Rewritten(p) = rewrite(text, None) else { panic!("not rewritten: {:?}", rewrite(text, None)) };
    assert_eq!(p.runtime_base, "python:3.11-slim");
    let runtime = runtime_of(&p);
    assert!(runtime.contains("CMD [\"/app/job.py\"]") && runtime.contains("ENTRYPOINT [\"python\"]"), "{runtime}");
}

/// Yarn 2+ has no `install --production`: Yarn 4 (packageManager, or the release yarnPath names)
/// prunes with its built-in `workspaces focus --all --production`; Yarn 2 and 3 keep their dev
/// dependencies (nothing is reordered before the sources); Plug'n'Play, whose packages are not in
/// node_modules, is refused.
#[test]
fn yarn_berry_is_not_pruned_with_yarn_classic_flags() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = r#"{"name":"a","packageManager":"yarn@4.5.3","scripts":{"start":"node index.js"},"dependencies":{"express":"4"},"devDependencies":{"jest":"29"}}"#;
    std::fs::write(dir.path().join("package.json"), pkg).unwrap();
    std::fs::write(dir.path().join("yarn.lock"), "__metadata:\n  version: 8\n").unwrap();
    std::fs::write(dir.path().join("index.js"), "require('express')\n").unwrap();
    std::fs::write(dir.path().join(".yarnrc.yml"), "nodeLinker: node-modules\n").unwrap();
    let text = "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN yarn install --immutable && yarn build\nCMD [\"node\", \"index.js\"]\n";
    let Outcome::Rewritten(p) = rewrite(text, Some(dir.path())) else { panic!("not rewritten") };
    assert!(p.dockerfile.contains("RUN yarn workspaces focus --all --production\n"), "{}", p.dockerfile);
    assert!(!p.dockerfile.contains("install --production"), "{}", p.dockerfile);
    // yarn 3, named by the release yarnPath points to
    std::fs::write(dir.path().join("package.json"), pkg.replace(r#""packageManager":"yarn@4.5.3","#, "")).unwrap();
    std::fs::write(
        dir.path().join(".yarnrc.yml"),
        "nodeLinker: node-modules\nyarnPath: .yarn/releases/yarn-3.6.4.cjs\n",
    )
    .unwrap();
    let Outcome::Rewritten(p) = rewrite(text, Some(dir.path())) else { panic!("not rewritten") };
    assert!(!p.dockerfile.contains("--production"), "{}", p.dockerfile);
    assert!(p.changes.iter().any(|c| c.message.contains("dev dependencies kept: Yarn 2 and 3")), "{:?}", p.changes);
    std::fs::write(
        dir.path().join(".yarnrc.yml"),
        "nodeLinker: node-modules\nyarnPath: .yarn/releases/yarn-4.9.4.cjs\n",
    )
    .unwrap();
    let Outcome::Rewritten(p) = rewrite(text, Some(dir.path())) else { panic!("not rewritten") };
    assert!(p.dockerfile.contains("yarn workspaces focus --all --production"), "{}", p.dockerfile);
    std::fs::write(dir.path().join(".yarnrc.yml"), "enableGlobalCache: true\n").unwrap();
    match rewrite(text, Some(dir.path())) {
        Outcome::Refused(r) => assert!(r.message.contains("nodeLinker: node-modules"), "{}", r.message),
        o => panic!("{o:?}"),
    }
}

#[test]
fn libraries_come_from_the_builder_not_from_dev_package_names() {
    // numpy's wheel bundles its BLAS: nothing is installed for libopenblas-dev; libpq for a
    // psycopg2 built from source against the base's libpq-dev is found by the probe
    for app in ["py-numpy", "py-libpq"] {
        let p = app_plan(app, &Options::default());
        assert!(p.runtime_packages.is_empty(), "{app}: {:?}", p.runtime_packages);
        assert!(
            p.dockerfile.contains("find /opt/venv /srv -type f")
                || p.dockerfile.contains("find /opt/venv /app -type f"),
            "{}",
            p.dockerfile
        );
        assert!(runtime_of(&p).contains("apt-get install -y --no-install-recommends $missing"), "{}", p.dockerfile);
    }
}

#[test]
fn a_start_script_that_runs_a_dev_dependency_keeps_the_dev_dependencies() {
    let p = app_plan("node-devtool", &Options::default());
    assert!(!p.dockerfile.contains("npm prune"), "{}", p.dockerfile);
    assert!(p
        .changes
        .iter()
        .any(|c| c.message.contains("`http-server`, which the program runs, comes from a dev dependency")));
}

#[test]
fn a_runtime_base_without_the_interpreter_is_refused() {
    let app = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/apps/py-pure");
    let text = std::fs::read_to_string(app.join("Dockerfile")).unwrap();
    let o = Options { runtime_base: Some("debian:bookworm-slim".into()), ..Options::default() };
    let Outcome::Refused(r) = rewrite_with(&text, Some(&app), &o) else {
        panic!("rewritten onto a base without python")
    };
    assert!(r.message.contains("`python`") && r.message.contains("debian:bookworm-slim"), "{}", r.message);
}

#[test]
fn a_manifest_copied_into_root_is_no_reason_to_refuse() {
    let p = app_plan("py-manifest-root", &Options::default());
    assert!(!runtime_of(&p).contains("requirements.txt"), "{}", p.dockerfile);
    // the whole context into / still is
    let text = "FROM python:3.11\nCOPY . /\nRUN pip install -r /requirements.txt\nCMD [\"python\", \"/app.py\"]\n";
    let Outcome::Refused(r) = rewrite(text, None) else { panic!("COPY . / rewritten") };
    assert!(r.message.contains("copied into /"), "{}", r.message);
    // named files into / are copied as those files
    let text = "FROM python:3.11\nCOPY requirements.txt app.py /\nRUN pip install -r /requirements.txt\nCMD [\"python\", \"/app.py\"]\n";
    let Outcome::Rewritten(p) = rewrite(text, None) else { panic!("not rewritten") };
    assert!(runtime_of(&p).contains("COPY --from=builder /app.py /app.py"), "{}", p.dockerfile);
}

#[test]
fn a_file_ending_inside_a_line_continuation_is_rewritten_into_two_stages() {
    // the last instruction ends with `\` (BuildKit ends it there); moved into the builder, it
    // swallowed the runtime stage's FROM (found by fuzzing)
    for tail in ["\\\n", "\\", "\\\n\n# a comment\n", "\\\n\\\n"] {
        let text = format!("FROM node:18\nRUN npm install -g typescript\nENV PORT=3000\nCMD [\"node\", \"dist/index.js\"]\nRUN echo done {tail}");
        let Outcome::Rewritten(p) = rewrite(&text, None) else { panic!("not rewritten: {tail:?}") };
        let df = parse_str(&p.dockerfile).unwrap();
        assert_eq!(model::build(&df).unwrap().stages.len(), 2, "{tail:?}:\n{}", p.dockerfile);
    }
}

/// A composer app on php's apache image: the extensions and their ini files are copied, the
/// -dev package stays behind, apache's own command is kept (the same image), and composer.json's
/// development packages are left out of the install.
#[test]
fn php_composer_app_on_apache() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("composer.json"),
        r#"{"require": {"monolog/monolog": "^3"}, "require-dev": {"phpunit/phpunit": "^10"}}"#,
    )
    .unwrap();
    let text = "FROM php:8.2-apache\nRUN apt-get update && apt-get install -y --no-install-recommends libzip-dev unzip \\\n && docker-php-ext-install zip && rm -rf /var/lib/apt/lists/*\nCOPY --from=composer:2 /usr/bin/composer /usr/bin/composer\nWORKDIR /var/www/html\nCOPY . .\nRUN composer install --optimize-autoloader\nEXPOSE 80\n";
    let Outcome::Rewritten(p) = rewrite(text, Some(dir.path())) else { panic!("not rewritten") };
    common::rewrite::check(text, &p).unwrap();
    let (builder, runtime) = p.dockerfile.rsplit_once("\nFROM ").unwrap();
    assert!(runtime.starts_with("php:8.2-apache\n"), "{}", p.dockerfile);
    assert!(
        runtime.contains("COPY --from=builder /usr/local/lib/php/extensions /usr/local/lib/php/extensions"),
        "{runtime}"
    );
    assert!(runtime.contains("COPY --from=builder /usr/local/etc/php/conf.d /usr/local/etc/php/conf.d"), "{runtime}");
    assert!(runtime.contains("COPY --from=builder /var/www/html /var/www/html"), "{runtime}");
    assert!(!runtime.contains("libzip-dev") && !runtime.contains("composer install"), "{runtime}");
    assert!(builder.contains("ENV COMPOSER_NO_DEV=1"), "{builder}");
    assert!(p.changes.iter().any(|c| c.message.contains("phpunit/phpunit")), "{:?}", p.changes);
    assert!(!runtime.contains("COMPOSER_NO_DEV"), "{runtime}");
}

/// A file copied into a system directory is copied alone (not the base's directory); a path only
/// a replayed RUN writes is made there again, not copied too; a package the runtime never needs
/// (gnupg) stays when a replayed RUN runs a program of it (gpg, from its dependency closure).
#[test]
fn system_dir_files_replayed_writes_and_setup_programs() {
    let text = "FROM debian:bookworm\nRUN apt-get update && apt-get install -y gnupg gcc make curl\nCOPY entry.sh /usr/local/bin/\nWORKDIR /app\nCOPY . .\nRUN make\nRUN curl -o x.tgz https://example.com/x.tgz && gpg --verify x.tgz.asc x.tgz && tar -xzf x.tgz -C /srv/data\nCMD [\"sh\", \"/usr/local/bin/entry.sh\"]\n";
    let Outcome::Rewritten(p) = rewrite(text, None) else { panic!("not rewritten") };
    common::rewrite::check(text, &p).unwrap();
    let runtime = runtime_of(&p);
    assert!(runtime.contains("COPY --from=builder /usr/local/bin/entry.sh /usr/local/bin/entry.sh"), "{runtime}");
    assert!(!runtime.contains("COPY --from=builder /usr/local/bin /usr/local/bin"), "{runtime}");
    assert!(!runtime.contains("/srv/data /srv/data"), "{runtime}");
    assert!(p.runtime_packages.iter().any(|x| x == "gnupg"), "{:?}", p.runtime_packages);
}

#[test]
fn pdm_fills_the_project_venv_unless_the_stage_activates_one() {
    let project = "FROM python:3.12\nWORKDIR /app\nRUN pip install pdm==2.29.4\nCOPY pyproject.toml pdm.lock ./\nRUN pdm install --prod --frozen-lockfile --no-self\nCOPY . .\nCMD [\"/app/.venv/bin/python\", \"app.py\"]\n";
    let Outcome::Rewritten(p) = rewrite(project, None) else { panic!("not rewritten") };
    let runtime = p.dockerfile.split("\n# imgslim: runtime stage").nth(1).unwrap();
    // the project's `.venv` is in /app, which the runtime stage gets whole
    assert!(runtime.contains("COPY --from=builder /app /app"), "{}", p.dockerfile);
    assert!(!runtime.contains("pdm"), "pdm stays in the builder: {}", p.dockerfile);
    common::rewrite::check(project, &p).unwrap();
    // an environment the stage activates is where pdm installs: that one is copied
    let active = "FROM python:3.12\nRUN python -m venv /opt/venv\nENV VIRTUAL_ENV=/opt/venv PATH=/opt/venv/bin:$PATH\nWORKDIR /app\nRUN pip install pdm\nCOPY pyproject.toml pdm.lock ./\nRUN pdm sync --prod --no-self\nCOPY . .\nCMD [\"python\", \"app.py\"]\n";
    let Outcome::Rewritten(p) = rewrite(active, None) else { panic!("not rewritten") };
    let runtime = p.dockerfile.split("\n# imgslim: runtime stage").nth(1).unwrap();
    assert!(runtime.contains("COPY --from=builder /opt/venv /opt/venv"), "{}", p.dockerfile);
    common::rewrite::check(active, &p).unwrap();
}
