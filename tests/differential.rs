//! Differential test against BuildKit's own parser (PyPI `dockerfile` 3.4.0, which wraps BuildKit
//! v0.12.5): the conformance data, the 1118-file corpus and generated variations must give the same
//! instructions, lines, flags, values and heredocs, field for field.
//!
//! imgslim follows current BuildKit where it changed after v0.12.5; the files where that shows are
//! listed in `KNOWN` with the reason, and the test checks that exactly those differ.

mod common;

use imgslim::dockerfile::{dump::records, parse};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Files where current BuildKit (which imgslim follows) and v0.12.5 disagree.
const KNOWN: &[(&str, &str)] = &[(
    "heredoc-TestParseExtractsHeredoc/Dockerfile",
    "BuildKit >= 0.21 accepts whitespace between << and the heredoc word (`RUN <<  EOF`)",
)];

fn oracle(paths: &[PathBuf]) -> Option<Vec<Value>> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oracle/buildkit_parse.py");
    let mut child = match Command::new("python3")
        .arg(script)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => return common::tool_missing(&format!("python3 ({e})")),
    };
    let list: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    let input = serde_json::to_vec(&list).unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || std::io::Write::write_all(&mut stdin, &input));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    if out.status.code() == Some(3) {
        return common::tool_missing("the python package dockerfile==3.4.0 (pip install dockerfile==3.4.0)");
    }
    assert!(out.status.success(), "oracle failed: {}", String::from_utf8_lossy(&out.stderr));
    Some(serde_json::from_slice(&out.stdout).unwrap())
}

fn ours(path: &Path) -> Value {
    let bytes = std::fs::read(path).unwrap();
    match parse(&bytes) {
        Err(e) => json!({ "error": e.message }),
        Ok(df) => {
            let recs: Vec<Value> = records(&df)
                .into_iter()
                .map(|r| {
                    json!({
                        "cmd": if r.cmd.is_empty() { Value::Null } else { Value::from(r.cmd) },
                        "sub_cmd": r.sub_cmd.filter(|s| !s.is_empty()),
                        "json": r.json,
                        "start_line": r.start_line,
                        "end_line": r.end_line,
                        "flags": r.flags,
                        // the Python binding passes strings through C: they end at a NUL
                        "value": r.value.iter().map(|v| v.split('\0').next().unwrap_or_default()).collect::<Vec<_>>(),
                        "heredocs": r.heredocs.iter().map(|h| json!({"name": h.name, "content": h.content})).collect::<Vec<_>>(),
                    })
                })
                .collect();
            json!({ "ok": recs })
        }
    }
}

/// Compare; returns a description of the first difference.
fn differ(theirs: &Value, mine: &Value) -> Option<String> {
    match (theirs.get("ok"), mine.get("ok")) {
        (None, None) => None, // both reject
        (Some(t), Some(m)) => {
            let (t, m) = (t.as_array().unwrap(), m.as_array().unwrap());
            if t.len() != m.len() {
                return Some(format!("{} instructions from BuildKit, {} from imgslim", t.len(), m.len()));
            }
            t.iter().zip(m).find(|(a, b)| a != b).map(|(a, b)| format!("BuildKit: {a}\nimgslim:  {b}"))
        }
        _ => Some(format!("BuildKit: {theirs}\nimgslim:  {mine}")),
    }
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files_under(&p, out);
        } else if p.file_name().is_some_and(|n| n == "Dockerfile" || n.to_string_lossy().ends_with(".Dockerfile")) {
            out.push(p);
        }
    }
}

/// A small deterministic generator (xorshift) of Dockerfile variations.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, v: &[&'a str]) -> &'a str {
        v[(self.next() % v.len() as u64) as usize]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

const FROMS: &[&str] = &[
    "FROM alpine:3.19",
    "FROM --platform=$BUILDPLATFORM golang:1.22 AS build",
    "from scratch as final",
    "FROM\tdebian:bookworm-slim",
    "FROM ${BASE:-python}:3.11",
    "  FROM node:20 AS deps",
];

const BODY: &[&str] = &[
    "RUN apt-get update \\\n    # a comment inside\n\n    && apt-get install -y --no-install-recommends curl \\\n    && rm -rf /var/lib/apt/lists/*",
    "RUN <<EOF\necho a\necho $HOME\nEOF",
    "RUN <<-EOT\n\techo tab\n\tEOT",
    "COPY <<A <<B /dest/\nfirst\nA\nsecond\nB",
    "RUN <<'X' python3\nprint('hi')\nX",
    "RUN 3<<EOF cat /proc/self/fd/3\nhi\nEOF",
    "RUN <<\"EOF\" bash\nset -e\nEOF",
    "RUN cat <<EOF > /etc/app.conf\nkey=value\nEOF",
    "ENV A=1 B=\"x y\" C=z\\ w",
    "ENV LEGACY some value here",
    "ENV PATH=/opt/bin:$PATH \\\n    LANG=C.UTF-8",
    "LABEL a=b \"c d\"=\"e\" org.opencontainers.image.source=https://example.com",
    "LABEL maintainer Someone <s@example.com>",
    "ARG VERSION=1.2.3 OTHER",
    "ARG X",
    "COPY --from=build --chown=1000:1000 --chmod=0755 --link /out/app /usr/local/bin/app",
    "COPY --parents --exclude=*.md --exclude=docs/ . /src",
    "ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/a.tar.gz /tmp/",
    "ADD --keep-git-dir=true https://github.com/moby/buildkit.git#v0.10.1 /buildkit",
    "RUN --mount=type=cache,target=/root/.cache/pip,sharing=locked --network=none pip install -r requirements.txt",
    "RUN --mount=type=secret,id=npmrc,target=/root/.npmrc --mount=type=bind,source=.,target=/src npm ci",
    "RUN --mount=\"type=bind,src=a b,dst=/x\" ls /x",
    "RUN --security=insecure echo insecure",
    "CMD [\"python\", \"-m\", \"app\"]",
    "CMD [ \"a\" , \"b c\" ]",
    "CMD echo \"hello world\"",
    "CMD [\"unterminated",
    "CMD ['single', 'quotes']",
    "ENTRYPOINT [\"/bin/sh\", \"-c\", \"exec \\\"$0\\\" \\\"$@\\\"\"]",
    "SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]",
    "HEALTHCHECK --interval=30s --timeout=3s CMD curl -f http://localhost/ || exit 1",
    "HEALTHCHECK NONE",
    "HEALTHCHECK CMD [\"/bin/check\"]",
    "ONBUILD RUN echo triggered",
    "ONBUILD COPY --from=build /a /b",
    "EXPOSE 80/tcp 443 8080-8090/udp",
    "VOLUME [\"/data\", \"/logs\"]",
    "VOLUME /var/lib/app",
    "USER 1000:1000",
    "WORKDIR /app",
    "WORKDIR src",
    "STOPSIGNAL SIGTERM",
    "MAINTAINER someone@example.com",
    "RUN echo hello\\\nworld",
    "RUN echo a \\\n\\\n  b",
    "RUN [\"sh\", \"-c\", \"echo exec\"]",
    "RUN set -eux; \\\n\tfor i in 1 2 3; do \\\n\t\techo $i; \\\n\tdone",
    "RUN\techo tabbed",
    "COPY [\"a b\", \"/dest\"]",
    "ADD . /",
    "run lower case instruction",
    "Copy MixedCase /x",
    "RUN echo \"quoted # not a comment\"",
    "RUN echo trailing   ",
    "FROMX unknown instruction",
    "ENV K=V\\\n  K2=V2",
];

const BACKTICK_BODY: &[&str] = &[
    "RUN Get-ChildItem `\n    -Path C:\\ `\n    -Recurse",
    "ENV GOPATH `\n\\go",
    "COPY --from=build C:\\app\\out C:\\app",
    "RUN echo `\n  # comment inside\n  done",
    "SHELL [\"powershell\", \"-Command\"]",
];

fn generate(dir: &Path, n: usize) -> Vec<PathBuf> {
    let mut g = Gen(0x5eed_1234_abcd_ef01);
    let mut out = Vec::new();
    for i in 0..n {
        let backtick = g.chance(15);
        let mut s = String::new();
        if g.chance(10) {
            s.push('\u{feff}');
        }
        if g.chance(20) {
            s.push_str("# syntax=docker/dockerfile:1\n");
        }
        if backtick {
            s.push_str("# escape=`\n");
        }
        if g.chance(20) {
            s.push_str("ARG BASE=alpine\n");
        }
        for _ in 0..(1 + g.next() % 3) {
            s.push_str(g.pick(FROMS));
            s.push('\n');
            for _ in 0..(1 + g.next() % 6) {
                if g.chance(15) {
                    s.push_str("# a comment\n");
                }
                if g.chance(10) {
                    s.push('\n');
                }
                s.push_str(if backtick { g.pick(BACKTICK_BODY) } else { g.pick(BODY) });
                s.push('\n');
            }
        }
        if g.chance(10) {
            s.push_str("RUN echo end \\");
        }
        if g.chance(15) {
            s = s.replace('\n', "\r\n");
        }
        let p = dir.join(format!("gen-{i:04}.Dockerfile"));
        std::fs::write(&p, s).unwrap();
        out.push(p);
    }
    out
}

#[test]
fn same_as_buildkit_parser() {
    let shared = common::shared_dir();
    let mut files = Vec::new();
    files_under(&shared.join("conformance"), &mut files);
    let conformance = files.len();
    files_under(&shared.join("corpus"), &mut files);
    let corpus = files.len() - conformance;
    let tmp = tempfile::tempdir().unwrap();
    files.extend(generate(tmp.path(), 1500));
    let Some(theirs) = oracle(&files) else { return };
    assert_eq!(theirs.len(), files.len());

    let mut unexpected = Vec::new();
    let mut known_seen = Vec::new();
    let mut compared = 0;
    for (path, t) in files.iter().zip(&theirs) {
        if t.get("unrepresentable").is_some() {
            continue;
        }
        compared += 1;
        let Some(diff) = differ(t, &ours(path)) else {
            continue;
        };
        let shown = path.display().to_string();
        match KNOWN.iter().find(|(suffix, _)| shown.ends_with(suffix)) {
            Some((suffix, _)) => known_seen.push(*suffix),
            None => unexpected.push(format!("{shown}\n{diff}")),
        }
    }
    eprintln!("compared {compared} files ({conformance} conformance, {corpus} corpus, 1500 generated)");
    assert!(corpus >= 1118, "corpus incomplete: {corpus}");
    assert!(compared >= conformance + corpus + 1400, "too few comparable files: {compared}");
    assert!(
        unexpected.is_empty(),
        "{} files differ from BuildKit:\n{}",
        unexpected.len(),
        unexpected[..unexpected.len().min(5)].join("\n\n")
    );
    let mut known: Vec<&str> = KNOWN.iter().map(|(s, _)| *s).collect();
    known.sort();
    known_seen.sort();
    assert_eq!(known_seen, known, "the known BuildKit-version differences no longer show; update KNOWN");
}
