//! A grammar-aware Dockerfile generator for fuzzing: the fuzzer's bytes are read as a stream of
//! choices (each byte picks one alternative; when they run out every choice is the first, which
//! always ends the nesting), so a mutation changes the structure of the file rather than its
//! bytes. It writes what byte-level mutation seldom reaches: parser directives, both escape
//! characters, stages that refer to each other, here-documents (quoted, `<<-`, several on one
//! line), continuation lines with comments and blank lines between them, nested shell syntax
//! (`$( )`, backquotes, `{ }`, `( )`, `if`, `for`, `case`, functions, arithmetic) and variable
//! expansions with every modifier, around the package-manager and build commands the rules read.

/// Nesting the generator goes to (past the shell parser's own guards at 8, short of the
/// expander's limit at 256).
const MAX_DEPTH: usize = 12;
/// Output past this ends the file: the fuzzer's time goes to structure, not to length.
const MAX_OUTPUT: usize = 64 << 10;

struct Choices<'a> {
    data: &'a [u8],
    pos: usize,
}

impl Choices<'_> {
    fn byte(&mut self) -> u8 {
        let b = self.data.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        b
    }
    /// One of `n` alternatives; 0 once the bytes are used up.
    fn pick(&mut self, n: usize) -> usize {
        self.byte() as usize % n.max(1)
    }
    fn one<'s>(&mut self, xs: &[&'s str]) -> &'s str {
        xs[self.pick(xs.len())]
    }
    fn chance(&mut self, in_four: u8) -> bool {
        self.byte() % 4 < in_four
    }
    fn done(&self) -> bool {
        self.pos >= self.data.len()
    }
}

const IMAGES: &[&str] = &[
    "python:3.11",
    "python:3.12-slim",
    "node:20",
    "node:20-alpine",
    "golang:1.22",
    "rust:1",
    "debian:bookworm-slim",
    "ubuntu:22.04",
    "alpine:3.19",
    "eclipse-temurin:17-jdk",
    "maven:3-eclipse-temurin-17",
    "gcr.io/distroless/static-debian12",
    "scratch",
    "${BASE}",
    "${BASE:-python:3.11}-slim",
    "builder",
];

const PACKAGES: &[&str] =
    &["gcc", "build-essential", "curl", "ca-certificates", "git", "libpq-dev", "python3-dev", "make", "g++", "wget"];

const COMMANDS: &[&str] = &[
    "apt-get update",
    "apt-get install -y --no-install-recommends PKGS",
    "apt-get install -y PKGS",
    "apt-get -o Dpkg::Options::=--force-confnew -qy install PKGS",
    "apt-get purge -y --auto-remove PKGS",
    "rm -rf /var/lib/apt/lists/*",
    "apk add --no-cache PKGS",
    "apk add --virtual .build-deps PKGS",
    "apk del .build-deps",
    "pip install --no-cache-dir -r requirements.txt",
    "pip install WORD",
    "python -m pip install --upgrade pip",
    "pip -- install WORD",
    "npm ci",
    "npm install --production",
    "npm run build",
    "yarn install --frozen-lockfile",
    "pnpm install",
    "go build -o /app/server .",
    "CGO_ENABLED=0 go build -ldflags '-s -w' -o /out/app ./cmd/app",
    "cargo build --release",
    "cargo install --path .",
    "mvn -B package -DskipTests",
    "make -j\"$(nproc)\"",
    "./configure --prefix=/usr/local",
    "curl -fsSL https://example.com/x.tar.gz | tar -xz -C /opt",
    "wget -qO- https://example.com/install.sh | sh",
    "cd WORD",
    "mkdir -p WORD",
    "chmod +x WORD",
    "useradd -r -u 1000 app",
    "echo WORD > /etc/WORD",
    "sudo -E env A=1 WORD",
    "ln -s WORD /usr/local/bin/x",
    "rm -rf WORD",
    "export PATH=/opt/bin:$PATH",
    "true",
];

const WORDS: &[&str] = &[
    "app",
    "/app",
    "/usr/src/app",
    "requirements.txt",
    "flask==3.0.0",
    "package.json",
    ".",
    "..",
    "*.go",
    "/tmp/x",
    "--",
    "-",
    "''",
    "\"\"",
    "a\\ b",
    "~",
    "#x",
];

struct Gen<'a> {
    c: Choices<'a>,
    out: String,
    escape: char,
    stages: usize,
}

/// The Dockerfile the bytes choose.
pub fn dockerfile(data: &[u8]) -> String {
    let mut g = Gen { c: Choices { data, pos: 0 }, out: String::new(), escape: '\\', stages: 0 };
    g.file();
    g.out
}

impl Gen<'_> {
    fn full(&self) -> bool {
        self.out.len() > MAX_OUTPUT
    }

    fn file(&mut self) {
        match self.c.pick(6) {
            1 => self.out.push_str("# syntax=docker/dockerfile:1\n"),
            2 => {
                self.out.push_str("# escape=`\n");
                self.escape = '`';
            }
            3 => self.out.push_str("# check=skip=all\n"),
            _ => {}
        }
        if self.c.chance(2) {
            let w = self.word(0);
            self.out.push_str(&format!("ARG BASE={w}\n"));
        }
        loop {
            self.stage();
            if self.c.done() || self.full() || !self.c.chance(1) {
                break;
            }
        }
    }

    fn stage(&mut self) {
        let image = self.c.one(IMAGES);
        let platform = if self.c.chance(1) { "--platform=$BUILDPLATFORM " } else { "" };
        let name = if self.c.chance(2) { format!(" AS s{}", self.stages) } else { String::new() };
        self.out.push_str(&format!("FROM {platform}{image}{name}\n"));
        self.stages += 1;
        let n = 1 + self.c.pick(12);
        for _ in 0..n {
            if self.full() {
                return;
            }
            self.instruction(0);
        }
    }

    fn instruction(&mut self, depth: usize) {
        match self.c.pick(20) {
            0..=5 => self.run(),
            6 | 7 => {
                let from = match self.c.pick(4) {
                    0 if self.stages > 1 => format!("--from=s{} ", self.c.pick(self.stages)),
                    1 => "--chown=1000:1000 ".into(),
                    2 => "--link ".into(),
                    _ => String::new(),
                };
                if self.c.chance(1) {
                    let body = self.script(0);
                    self.out.push_str(&format!("COPY {from}<<EOF /app/run.sh\n{body}\nEOF\n"));
                } else {
                    let (a, b) = (self.word(0), self.word(0));
                    self.out.push_str(&format!("COPY {from}{a} {b}\n"));
                }
            }
            8 => {
                let k = self.c.pick(3);
                let v = self.word(0);
                self.out.push_str(&format!("ENV V{k}={v} W=\"{v} x\"\n"));
            }
            9 => {
                let v = self.word(0);
                self.out.push_str(&format!("ARG A{}={v}\n", self.c.pick(3)));
            }
            10 => {
                let w = self.word(0);
                self.out.push_str(&format!("WORKDIR {w}\n"));
            }
            11 => self.out.push_str(self.c.one(&["USER app\n", "USER 1000:1000\n", "USER root\n"])),
            12 => {
                let w = self.word(0);
                let form = match self.c.pick(3) {
                    0 => format!("[\"{w}\", \"-c\", \"x\"]"),
                    1 => format!("{w} --port $PORT"),
                    _ => "[\"python\", \"app.py\"".into(),
                };
                let kw = self.c.one(&["CMD", "ENTRYPOINT", "HEALTHCHECK --interval=5s CMD"]);
                self.out.push_str(&format!("{kw} {form}\n"));
            }
            13 => self.out.push_str(self.c.one(&[
                "EXPOSE 8080/tcp\n",
                "LABEL a=b \"c d\"=e\n",
                "VOLUME [\"/data\"]\n",
                "STOPSIGNAL SIGTERM\n",
                "SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\n",
                "MAINTAINER x\n",
                "FROBNICATE x\n",
            ])),
            14 if depth == 0 => {
                self.out.push_str("ONBUILD ");
                self.instruction(depth + 1);
            }
            15 => {
                let c = self.comment();
                self.out.push_str(&c);
            }
            16 => self.out.push('\n'),
            17 => {
                let w = self.word(0);
                self.out.push_str(&format!("ADD --chmod=755 https://example.com/{w} /opt/\n"));
            }
            _ => self.run(),
        }
    }

    fn comment(&mut self) -> String {
        self.c.one(&["# a comment\n", "#\n", "   # indented\n", "# escape=\\\n"]).to_string()
    }

    fn run(&mut self) {
        let flags = match self.c.pick(5) {
            0 => "--mount=type=cache,target=/root/.cache/pip ",
            1 => "--mount=type=bind,source=.,target=/src ",
            2 => "--network=none ",
            _ => "",
        };
        match self.c.pick(6) {
            0 => {
                // exec form
                let w = self.word(0);
                self.out.push_str(&format!("RUN {flags}[\"/bin/sh\", \"-c\", \"{w}\"]\n"));
            }
            1 => {
                let (dash, quote) = (self.c.one(&["", "-"]), self.c.one(&["", "\"", "'"]));
                let body = self.script(0);
                let body = if dash == "-" { body.replace('\n', "\n\t") } else { body };
                self.out.push_str(&format!("RUN {flags}<<{dash}{quote}EOF{quote}\n{body}\nEOF\n"));
            }
            2 => {
                let (a, b) = (self.script(0), self.script(0));
                self.out.push_str(&format!("RUN {flags}<<A cat > /a <<B\n{a}\nA\n{b}\nB\n"));
            }
            _ => {
                let s = self.continued(0);
                self.out.push_str(&format!("RUN {flags}{s}\n"));
            }
        }
    }

    /// A script on continuation lines: commands joined by `&&`/`;`, each break a continuation
    /// that may carry comment lines and blank lines.
    fn continued(&mut self, depth: usize) -> String {
        let mut s = self.command(depth);
        while !self.c.done() && self.c.chance(2) && s.len() < MAX_OUTPUT / 4 {
            let op = self.c.one(&[" && ", "; ", " || ", " | "]);
            s.push_str(op);
            if self.c.chance(3) {
                s.push(self.escape);
                s.push('\n');
                match self.c.pick(4) {
                    0 => s.push_str("    # between lines\n"),
                    1 => s.push('\n'),
                    _ => {}
                }
                s.push_str("    ");
            }
            s.push_str(&self.command(depth));
        }
        s
    }

    /// A script of plain lines (for here-documents).
    fn script(&mut self, depth: usize) -> String {
        let mut lines = vec![self.command(depth)];
        while !self.c.done() && self.c.chance(2) && lines.len() < 32 {
            lines.push(self.command(depth));
        }
        lines.join("\n")
    }

    fn command(&mut self, depth: usize) -> String {
        if depth >= MAX_DEPTH || self.c.done() {
            return self.simple(depth);
        }
        let d = depth + 1;
        match self.c.pick(12) {
            0 => format!("( {} )", self.continued(d)),
            1 => format!("{{ {}; }}", self.continued(d)),
            2 => format!("if {}; then {}; else {}; fi", self.simple(d), self.continued(d), self.continued(d)),
            3 => format!("for x in {} {}; do {}; done", self.word(d), self.word(d), self.continued(d)),
            4 => format!("case \"$X\" in a|b) {} ;; *) {} ;; esac", self.continued(d), self.simple(d)),
            5 => format!("f() {{ {}; }}; f", self.continued(d)),
            6 => format!("while {}; do {}; done", self.simple(d), self.continued(d)),
            7 => format!("{} > /dev/null 2>&1", self.simple(d)),
            8 => format!("cat <<EOS | sh\n{}\nEOS", self.simple(d)),
            _ => self.simple(d),
        }
    }

    fn simple(&mut self, depth: usize) -> String {
        let cmd = self.c.one(COMMANDS);
        let pkgs: Vec<&str> = (0..1 + self.c.pick(3)).map(|_| self.c.one(PACKAGES)).collect();
        let mut s = cmd.replace("PKGS", &pkgs.join(" "));
        while s.contains("WORD") {
            let w = self.word(depth);
            s = s.replacen("WORD", &w, 1);
        }
        s
    }

    /// A word: a literal, a quoted string, a command substitution or a variable expansion with
    /// any modifier, nested.
    fn word(&mut self, depth: usize) -> String {
        if depth >= MAX_DEPTH || self.c.done() {
            return self.c.one(WORDS).to_string();
        }
        let d = depth + 1;
        let var = self.c.one(&["A0", "V1", "BASE", "PATH", "HOME", "TARGETARCH", "1", "@"]);
        match self.c.pick(14) {
            0 => format!("${var}"),
            1 => format!("${{{var}}}"),
            2 => format!("${{{var}:-{}}}", self.word(d)),
            3 => format!("${{{var}:+{}}}", self.word(d)),
            4 => format!("${{{var}#{}}}", self.word(d)),
            5 => format!("${{{var}%%{}}}", self.word(d)),
            6 => format!("${{{var}//{}/{}}}", self.word(d), self.word(d)),
            7 => format!("\"{}\"", self.word(d)),
            8 => format!("'{}'", self.c.one(WORDS)),
            9 => format!("$({})", self.command(d)),
            10 => format!("`{}`", self.simple(d)),
            11 => format!("$(( {} + 1 ))", self.c.pick(100)),
            _ => format!("{}{}", self.c.one(WORDS), self.word(d)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_bytes_still_make_a_dockerfile() {
        let f = dockerfile(&[]);
        assert!(f.contains("FROM --platform=$BUILDPLATFORM python:3.11 AS s0\nRUN "), "{f}");
        assert!(crate::dockerfile::parse(f.as_bytes()).is_ok());
    }

    #[test]
    fn bytes_choose_the_structure() {
        // a fixed pseudo-random stream reaches here-documents, nesting and both escapes
        let mut seen = (false, false, false);
        for seed in 0u64..400 {
            let mut x = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let data: Vec<u8> = (0..600)
                .map(|_| {
                    x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    (x >> 33) as u8
                })
                .collect();
            let f = dockerfile(&data);
            assert!(f.len() <= MAX_OUTPUT + (16 << 10), "{} bytes", f.len());
            seen.0 |= f.contains("<<");
            seen.1 |= f.contains("$( (") || f.contains("{ (");
            seen.2 |= f.starts_with("# escape=`");
        }
        assert_eq!(seen, (true, true, true));
    }
}
