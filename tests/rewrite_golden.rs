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
        ("FROM ruby:3.3\nWORKDIR /app\nCOPY . .\nRUN bundle install\nCMD [\"ruby\", \"app.rb\"]\n", "ruby"),
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
            "FROM debian:bookworm-slim\nRUN set -eux; savedAptMark=\"$(apt-mark showmanual)\"; apt-get update; apt-get install -y --no-install-recommends gcc make wget; wget -O app.tgz https://example.com/app.tgz; tar xzf app.tgz; make -C app install; apt-mark auto '.*' > /dev/null; apt-mark manual $savedAptMark; apt-get purge -y --auto-remove; rm -rf /var/lib/apt/lists/*\nCMD [\"app\"]\n",
            "no build-only packages",
        ),
        (
            "FROM alpine:3.19\nRUN apk add --no-cache --virtual .deps gcc musl-dev make && make -C /src install && apk del .deps\nCMD [\"app\"]\n",
            "no build-only packages",
        ),
        (
            "FROM debian:bookworm-slim\nRUN savedAptMark=\"$(apt-mark showmanual)\" && apt-get update && apt-get install -y gcc make && make -C /src install && apt-mark showmanual | xargs apt-mark auto > /dev/null && apt-mark manual $savedAptMark && apt-get purge -y --auto-remove\nCMD [\"app\"]\n",
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
fn replayed_setup_keeps_what_it_reads_and_releases_keep_their_dev_packages() {
    // a setup RUN run again in the runtime stage gets the file a COPY put in place before it
    let text = "FROM debian:bookworm\nWORKDIR /app\nRUN apt-get update && apt-get install -y gcc\nCOPY build.sh setup.sh /opt/tools/\nRUN sh build.sh\nRUN chmod +x /opt/tools/setup.sh && ln -s /opt/tools/setup.sh /usr/local/bin/setup\nCMD [\"/app/run\"]\n";
    let Outcome::Rewritten(p) = rewrite(text, None) else { panic!("not rewritten") };
    let runtime = p.dockerfile.split("\n# imgslim: runtime stage").nth(1).unwrap();
    let (copy, run) =
        (runtime.find("COPY build.sh setup.sh /opt/tools/"), runtime.find("RUN chmod +x /opt/tools/setup.sh"));
    assert!(copy.is_some() && run.is_some() && copy < run, "{}", p.dockerfile);
    assert!(!runtime.contains("--from=builder /opt/tools"), "{}", p.dockerfile);
    common::rewrite::check(text, &p).unwrap();
    // buildpack-deps tool layers run on the slim release they are built on
    let text = "FROM buildpack-deps:bookworm-scm\nWORKDIR /app\nRUN apt-get update && apt-get install -y libpq-dev gcc\nCOPY . .\nRUN make\nCMD [\"/app/server\"]\n";
    let Outcome::Rewritten(p) = rewrite(text, None) else { panic!("not rewritten") };
    assert_eq!(p.runtime_base, "debian:bookworm-slim");
    assert!(p.runtime_packages.contains(&"libpq5".to_string()), "{:?}", p.runtime_packages);
    // on another release the -dev names are not mapped: the package stays, and the file says why
    let text = text.replace("buildpack-deps:bookworm-scm", "buildpack-deps:bullseye");
    let Outcome::Rewritten(p) = rewrite(&text, None) else { panic!("not rewritten") };
    assert_eq!(p.runtime_base, "debian:bullseye-slim");
    assert!(p.runtime_packages.contains(&"libpq-dev".to_string()), "{:?}", p.runtime_packages);
    assert!(p.dockerfile.contains("# imgslim ignore=IS109"), "{}", p.dockerfile);
    common::rewrite::check(&text, &p).unwrap();
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
    // a build into /usr/local on a bigger base: the libraries its programs link come along
    let text = "FROM buildpack-deps:bookworm\nRUN wget -O py.tgz https://example.com/py.tgz && tar xzf py.tgz && cd py && ./configure && make install\nCMD [\"python3\", \"/srv/app.py\"]\n";
    let Outcome::Rewritten(p) = rewrite(text, None) else { panic!("not rewritten") };
    assert_eq!(p.runtime_base, "debian:bookworm-slim");
    assert!(p.dockerfile.contains("find /usr/local -type f"), "{}", p.dockerfile);
    assert!(p.dockerfile.contains("COPY --from=builder /imgslim-libs/ /"), "{}", p.dockerfile);
    // an Ubuntu-based image whose tag names no release: bookworm's library names are not used
    let text = "FROM adoptopenjdk:11-jdk-hotspot\nRUN apt-get update && apt-get install -y gcc make libssl-dev\nWORKDIR /src\nCOPY . .\nRUN make && make install\nCMD [\"/usr/local/bin/server\"]\n";
    let Outcome::Rewritten(p) = rewrite(text, None) else { panic!("not rewritten") };
    assert!(p.runtime_packages.contains(&"libssl-dev".to_string()), "{:?}", p.runtime_packages);
    assert!(!p.runtime_packages.contains(&"libssl3".to_string()), "{:?}", p.runtime_packages);
    // dev dependencies already left out: no prune, no saving claimed for them
    let text = "FROM node:20\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci --omit=dev\nCOPY . .\nRUN npm run build\nCMD [\"node\", \"dist/index.js\"]\n";
    let Outcome::Rewritten(p) = rewrite(text, None) else { panic!("not rewritten") };
    assert!(!p.dockerfile.contains("npm prune"), "{}", p.dockerfile);
    assert!(p.changes.iter().any(|c| c.message.contains("already leaves the dev dependencies out")));
    let text = text.replace("npm ci --omit=dev", "npm ci");
    let Outcome::Rewritten(p) = rewrite(&text, None) else { panic!("not rewritten") };
    assert!(p.dockerfile.contains("npm prune --omit=dev"), "{}", p.dockerfile);
}
