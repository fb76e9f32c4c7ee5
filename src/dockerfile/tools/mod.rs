//! What the shell commands of a RUN do, in one place for lint and rewrite alike: one spec per
//! tool (which options take a value, per subcommand), package-manager commands
//! ([`packages`]), the caches tools leave and what cleans them ([`caches`]), the paths file
//! commands write ([`files`]) and which toolchain a command builds with ([`toolchains`]).
//!
//! Callers never pass their own lists of value-taking flags: `subcommand`, `operands` and
//! `positionals` look the command up here.

pub mod caches;
pub mod files;
pub mod packages;
pub mod toolchains;

use super::shell::{Command, Word};

/// How a tool reads its command line.
#[derive(Debug)]
pub struct Spec {
    /// The command names (without directory) this spec is for.
    pub names: &'static [&'static str],
    /// Options that take the next word as their value, whatever the subcommand.
    pub value_flags: &'static [&'static str],
    /// More value-taking options of one subcommand.
    pub sub_value_flags: &'static [(&'static str, &'static [&'static str])],
}

const APT: &[&str] = &["-o", "-t", "-c", "-a", "--option", "--target-release", "--config-file", "--host-architecture"];
const APK: &[&str] = &[
    "-X",
    "--repository",
    "-t",
    "--virtual",
    "-p",
    "--root",
    "--arch",
    "--keys-dir",
    "--cache-dir",
    "--repositories-file",
];
const DNF: &[&str] = &[
    "-c",
    "--config",
    "--installroot",
    "--enablerepo",
    "--disablerepo",
    "--releasever",
    "--setopt",
    "-x",
    "--exclude",
    "--repo",
    "--repofrompath",
    "--nogpgcheck-for",
];
const ZYPPER: &[&str] = &["-R", "--root", "-D", "--reposd-dir", "-C", "--cache-dir", "--config"];
const PIP: &[&str] = &[
    "-r",
    "--requirement",
    "-c",
    "--constraint",
    "-i",
    "--index-url",
    "--extra-index-url",
    "-f",
    "--find-links",
    "-t",
    "--target",
    "--prefix",
    "--root",
    "--trusted-host",
    "--platform",
    "--python-version",
    "--implementation",
    "--abi",
    "--progress-bar",
    "--cache-dir",
    "--src",
    "--upgrade-strategy",
    "--log",
    "--proxy",
    "--retries",
    "--timeout",
    "--exists-action",
    "--cert",
    "--client-cert",
    "--only-binary",
    "--no-binary",
    "--config-settings",
    "-C",
    "--global-option",
    "-e",
    "--editable",
];
const NPM: &[&str] = &[
    "--prefix",
    "-C",
    "-w",
    "--workspace",
    "--omit",
    "--include",
    "--registry",
    "--cache",
    "--userconfig",
    "--loglevel",
];
const YARN: &[&str] = &["--cwd", "--modules-folder", "--cache-folder", "--network-timeout", "--mutex", "--registry"];
const PNPM: &[&str] = &["-C", "--dir", "--filter", "-F", "--store-dir", "--registry", "--reporter"];
const GO: &[&str] = &[
    "-o",
    "-ldflags",
    "-tags",
    "-gcflags",
    "-asmflags",
    "-p",
    "-mod",
    "-modfile",
    "-buildmode",
    "-pkgdir",
    "-toolexec",
    "-overlay",
    "-pgo",
    "-C",
];
const CARGO: &[&str] = &[
    "--bin",
    "-p",
    "--package",
    "--target",
    "--features",
    "-F",
    "--root",
    "--path",
    "-j",
    "--jobs",
    "--profile",
    "--target-dir",
    "--manifest-path",
    "--example",
    "--git",
    "--branch",
    "--tag",
    "--rev",
    "--version",
    "--vers",
    "--index",
    "--registry",
    "-Z",
    "--config",
    "--color",
];
const GIT: &[&str] = &["-C", "-c", "--git-dir", "--work-tree", "--namespace"];
const GIT_CLONE: &[&str] = &[
    "-b",
    "--branch",
    "--depth",
    "-o",
    "--origin",
    "-c",
    "--config",
    "--reference",
    "--filter",
    "-j",
    "--jobs",
    "--template",
    "--separate-git-dir",
    "-u",
    "--upload-pack",
    "--shallow-since",
    "--shallow-exclude",
];
const CURL: &[&str] = &[
    "-o",
    "--output",
    "-H",
    "--header",
    "-d",
    "--data",
    "--data-raw",
    "--data-binary",
    "-u",
    "--user",
    "-X",
    "--request",
    "-A",
    "--user-agent",
    "-e",
    "--referer",
    "--retry",
    "--retry-delay",
    "--connect-timeout",
    "-m",
    "--max-time",
    "--cacert",
    "--capath",
    "-w",
    "--write-out",
    "-T",
    "--upload-file",
    "-x",
    "--proxy",
    "-b",
    "--cookie",
    "-c",
    "--cookie-jar",
    "-r",
    "--range",
    "-F",
    "--form",
    "-K",
    "--config",
    "--proto",
    "--tlsv1.2",
];
const WGET: &[&str] = &[
    "-O",
    "--output-document",
    "-P",
    "--directory-prefix",
    "-o",
    "--output-file",
    "-a",
    "--append-output",
    "-t",
    "--tries",
    "-T",
    "--timeout",
    "--header",
    "-U",
    "--user-agent",
    "-e",
    "--execute",
    "--ca-certificate",
];
const TAR: &[&str] =
    &["-C", "--directory", "-f", "--file", "--exclude", "-T", "--files-from", "-X", "--exclude-from", "-I"];
const COPY_LIKE: &[&str] = &["-t", "--target-directory", "-S", "--suffix"];
const INSTALL: &[&str] =
    &["-m", "--mode", "-o", "--owner", "-g", "--group", "-t", "--target-directory", "-S", "--suffix"];
const UNZIP: &[&str] = &["-d", "-x"];
const GEM: &[&str] = &["-v", "--version", "-i", "--install-dir", "-n", "--bindir", "--source", "-s"];
const BUNDLE: &[&str] = &[
    "--path",
    "--without",
    "--with",
    "--jobs",
    "-j",
    "--retry",
    "--gemfile",
    "--binstubs",
    "--shebang",
    "--trust-policy",
];
const COMPOSER: &[&str] = &["-d", "--working-dir"];
const USERADD: &[&str] =
    &["-u", "--uid", "-g", "--gid", "-G", "--groups", "-d", "--home", "--home-dir", "-s", "--shell", "-c", "--comment"];
const MKDIR: &[&str] = &["-m", "--mode"];

/// Every tool imgslim reads the command line of.
pub static SPECS: &[Spec] = &[
    Spec { names: &["apt-get", "apt", "aptitude"], value_flags: APT, sub_value_flags: &[] },
    Spec { names: &["apk"], value_flags: APK, sub_value_flags: &[] },
    Spec { names: &["yum", "dnf", "microdnf", "tdnf"], value_flags: DNF, sub_value_flags: &[] },
    Spec { names: &["zypper"], value_flags: ZYPPER, sub_value_flags: &[] },
    Spec { names: &["pip", "pip3", "pipx"], value_flags: PIP, sub_value_flags: &[] },
    Spec { names: &["npm"], value_flags: NPM, sub_value_flags: &[] },
    Spec { names: &["yarn", "yarnpkg"], value_flags: YARN, sub_value_flags: &[] },
    Spec { names: &["pnpm"], value_flags: PNPM, sub_value_flags: &[] },
    Spec { names: &["go"], value_flags: GO, sub_value_flags: &[] },
    Spec { names: &["cargo"], value_flags: CARGO, sub_value_flags: &[] },
    Spec { names: &["git"], value_flags: GIT, sub_value_flags: &[("clone", GIT_CLONE)] },
    Spec { names: &["curl"], value_flags: CURL, sub_value_flags: &[] },
    Spec { names: &["wget"], value_flags: WGET, sub_value_flags: &[] },
    Spec { names: &["tar"], value_flags: TAR, sub_value_flags: &[] },
    Spec { names: &["cp", "mv", "ln"], value_flags: COPY_LIKE, sub_value_flags: &[] },
    Spec { names: &["install"], value_flags: INSTALL, sub_value_flags: &[] },
    Spec { names: &["unzip"], value_flags: UNZIP, sub_value_flags: &[] },
    Spec { names: &["gem"], value_flags: GEM, sub_value_flags: &[] },
    Spec { names: &["bundle", "bundler"], value_flags: BUNDLE, sub_value_flags: &[] },
    Spec { names: &["composer"], value_flags: COMPOSER, sub_value_flags: &[] },
    Spec {
        names: &["useradd", "adduser", "groupadd", "addgroup", "usermod"],
        value_flags: USERADD,
        sub_value_flags: &[],
    },
    Spec { names: &["mkdir"], value_flags: MKDIR, sub_value_flags: &[] },
];

static NONE: Spec = Spec { names: &[], value_flags: &[], sub_value_flags: &[] };

/// The spec of a command name (`python -m pip` is read as pip by the callers that unwrap it).
pub fn spec(name: &str) -> &'static Spec {
    SPECS.iter().find(|s| s.names.contains(&name)).unwrap_or(&NONE)
}

/// `python -m pip ...` / `python3 -m venv`: the module run with `-m`, and the index of the first
/// word after it.
pub fn python_module(c: &Command) -> Option<(&str, usize)> {
    if !c.name().starts_with("python") {
        return None;
    }
    let args = c.args();
    let m = args.iter().position(|w| w.text == "-m")?;
    args.get(m + 1).map(|w| (w.text.as_str(), m + 2))
}

/// The words a tool's own arguments start after: 1 for `pip install`, after `-m pip` for
/// `python -m pip install`.
fn first_arg(c: &Command) -> usize {
    match python_module(c) {
        Some((_, i)) => i + 1,
        None => 1,
    }
}

/// The tool a command is, with `python -m pip` counting as pip.
pub fn tool_name(c: &Command) -> &str {
    match python_module(c) {
        Some((m, _)) => m,
        None => c.name(),
    }
}

/// Arguments that are not options, with this tool's value-taking options (and their values)
/// skipped.
pub fn positionals(c: &Command) -> Vec<&Word> {
    let spec = spec(tool_name(c));
    let mut out = Vec::new();
    let mut skip_next = false;
    let mut only_positional = false;
    let mut sub: Option<&str> = None;
    for w in c.words.get(first_arg(c)..).unwrap_or(&[]) {
        if skip_next {
            skip_next = false;
            continue;
        }
        let t = w.text.as_str();
        if !only_positional && t == "--" {
            only_positional = true;
            continue;
        }
        if !only_positional && t.starts_with('-') && t.len() > 1 {
            let sub_flags = sub.and_then(|s| spec.sub_value_flags.iter().find(|(n, _)| *n == s)).map(|(_, f)| *f);
            skip_next = spec.value_flags.contains(&t) || sub_flags.is_some_and(|f| f.contains(&t));
            continue;
        }
        if sub.is_none() {
            sub = Some(t);
        }
        out.push(w);
    }
    out
}

/// The subcommand: `install` of `apt-get -y install x`, of `pip install`, of `python -m pip
/// install`.
pub fn subcommand(c: &Command) -> Option<&str> {
    subcommand_word(c).map(|w| w.text.as_str())
}

/// The subcommand's word; None after a `--` (`pip -- install`: an operand, not a subcommand;
/// found by fuzzing, where the pip-cache fix added `--no-cache-dir` after it on every run).
pub fn subcommand_word(c: &Command) -> Option<&Word> {
    let first = *positionals(c).first()?;
    let ended = c.words.iter().take_while(|w| !std::ptr::eq(*w, first)).any(|w| w.text == "--");
    (!ended).then_some(first)
}

/// The positional arguments after the subcommand (the packages of `apt-get install`).
pub fn operands(c: &Command) -> Vec<&Word> {
    positionals(c).into_iter().skip(1).collect()
}

/// The value of an option (`-o X`, `--opt X`, `--opt=X`, `-oX` for a one-letter option this
/// tool says takes a value).
pub fn flag_value<'a>(c: &'a Command, flags: &[&str]) -> Option<&'a str> {
    if let Some(v) = c.flag_value(flags) {
        return Some(v);
    }
    let spec = spec(tool_name(c));
    c.args().iter().find_map(|w| {
        flags
            .iter()
            .filter(|f| f.len() == 2 && !f.starts_with("--") && spec.value_flags.contains(f))
            .find_map(|f| w.text.strip_prefix(f).filter(|v| !v.is_empty() && !v.starts_with('=')))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dockerfile::shell::parse_script;

    fn cmd(s: &str) -> Command {
        parse_script(s).commands.remove(0)
    }

    #[test]
    fn subcommands_skip_each_tools_value_options() {
        assert_eq!(subcommand(&cmd("apt-get -o Dpkg::Options::=--force-confnew -y install gcc")), Some("install"));
        assert_eq!(subcommand(&cmd("apk --repository http://x add curl")), Some("add"));
        assert_eq!(subcommand(&cmd("python -m pip install -r req.txt flask")), Some("install"));
        assert_eq!(subcommand(&cmd("npm --prefix /app ci")), Some("ci"));
        assert_eq!(subcommand(&cmd("go build -o /bin/x -ldflags '-s -w' .")), Some("build"));
        let pkgs: Vec<String> =
            operands(&cmd("python3 -m pip install -r req.txt flask")).iter().map(|w| w.text.clone()).collect();
        assert_eq!(pkgs, ["flask"]);
        let clone: Vec<String> =
            operands(&cmd("git clone --depth 1 -b v1 https://x/y.git src")).iter().map(|w| w.text.clone()).collect();
        assert_eq!(clone, ["https://x/y.git", "src"]);
    }

    #[test]
    fn attached_short_values() {
        assert_eq!(flag_value(&cmd("tar -xzf a.tgz -C/opt"), &["-C"]), Some("/opt"));
        assert_eq!(flag_value(&cmd("curl -o/usr/bin/x https://x"), &["-o"]), Some("/usr/bin/x"));
        assert_eq!(flag_value(&cmd("go build -o out ."), &["-o"]), Some("out"));
    }
}
