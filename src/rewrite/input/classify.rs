//! What each shell command of a RUN does for the rewrite: a package install, a cleanup, a build
//! step of some ecosystem, a setup step to replay, a download, file work... The knowledge of the
//! tools themselves (their options, caches, toolchains) is in `crate::dockerfile::tools`.

use crate::data::rewrite_data;
use crate::dockerfile::shell::Command;
use crate::dockerfile::tools::caches::only_cleans;
use crate::dockerfile::tools::files::download_target;
use crate::dockerfile::tools::packages::{is_package_tool, package_command, Action};
use crate::dockerfile::tools::toolchains::{global, toolchain, Toolchain};

/// The language or build system a planner handles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Ecosystem {
    Python,
    Node,
    Go,
    Rust,
    C,
    Java,
    Ruby,
    Php,
    Generic,
}

impl Ecosystem {
    pub fn as_str(self) -> &'static str {
        match self {
            Ecosystem::Python => "python",
            Ecosystem::Node => "node",
            Ecosystem::Go => "go",
            Ecosystem::Rust => "rust",
            Ecosystem::C => "c",
            Ecosystem::Java => "java",
            Ecosystem::Ruby => "ruby",
            Ecosystem::Php => "php",
            Ecosystem::Generic => "generic",
        }
    }
}

impl Ecosystem {
    /// The planner for a toolchain's builds (fetching sources is part of any build).
    pub fn of(t: Toolchain) -> Ecosystem {
        match t {
            Toolchain::Python => Ecosystem::Python,
            Toolchain::Node => Ecosystem::Node,
            Toolchain::Go => Ecosystem::Go,
            Toolchain::Rust => Ecosystem::Rust,
            Toolchain::C => Ecosystem::C,
            Toolchain::Java => Ecosystem::Java,
            Toolchain::Ruby => Ecosystem::Ruby,
            Toolchain::Php => Ecosystem::Php,
            Toolchain::Perl | Toolchain::Vcs => Ecosystem::Generic,
        }
    }
}

/// What one shell command of a RUN does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CmdClass {
    /// A package manager (apt-get, apk, yum...).
    Package,
    /// Removes caches or temporary files.
    Cleanup,
    /// Compiles, installs dependencies, or otherwise builds (for this ecosystem).
    Build(Ecosystem),
    /// A global package install the runtime needs (`npm install -g`): replayed.
    GlobalInstall,
    /// Sets the file system up (users, directories, modes): replayed.
    Setup,
    /// Downloads a file to an absolute path: the path is carried to the runtime stage.
    Download(String),
    /// File work that is fine inside a build (cp, mv, tar, sed...).
    Work,
    /// Only reads (test, which, ls, grep...).
    Neutral,
    /// Installs into system directories for an ecosystem the rewrite does not handle (gem,
    /// cpanm, pecl...).
    Foreign(&'static str),
    /// Anything else.
    Unknown,
}

/// Sort a shell command into what the rewrite does with it.
pub fn classify(c: &Command) -> CmdClass {
    let name = c.name();
    if let Some(p) = package_command(c) {
        let cleanup = matches!(p.action, Action::Clean | Action::Autoremove | Action::Remove);
        return if cleanup { CmdClass::Cleanup } else { CmdClass::Package };
    }
    if is_package_tool(c) {
        return CmdClass::Package;
    }
    if only_cleans(c) {
        return CmdClass::Cleanup;
    }
    if global(c) {
        // `npm install -g pnpm`: the build's package manager, not the program's
        use crate::dockerfile::tools::toolchains::{installs_globally_only, JS_MANAGERS};
        return if installs_globally_only(c, JS_MANAGERS) {
            CmdClass::Build(Ecosystem::Node)
        } else {
            CmdClass::GlobalInstall
        };
    }
    match toolchain(c) {
        // gems go to GEM_HOME (or the bundle's path), which the Ruby planner copies; what else
        // `gem` does (`gem update --system`) changes Ruby's own directories
        Some(Toolchain::Ruby) if c.name() == "gem" && !crate::dockerfile::tools::toolchains::gem_install(c) => {
            return CmdClass::Foreign("ruby")
        }
        Some(Toolchain::Perl) => return CmdClass::Foreign("perl"),
        Some(t) => return CmdClass::Build(Ecosystem::of(t)),
        None => {}
    }
    let script_by_shell = matches!(name, "sh" | "bash" | "dash" | "ash" | "zsh")
        && c.args().first().is_some_and(|w| !w.text.starts_with('-'));
    if c.words.first().is_some_and(|w| w.text.starts_with("./")) || script_by_shell {
        // a script of the project (configure, build.sh, mvnw, `sh build.sh`): part of the build
        return CmdClass::Build(Ecosystem::Generic);
    }
    if matches!(name, "curl" | "wget") {
        return match download_target(c) {
            Some(p) if p.starts_with('/') && !p.starts_with("/tmp") && !p.contains('$') => {
                CmdClass::Download(p.to_string())
            }
            _ => CmdClass::Unknown,
        };
    }
    if rewrite_data().setup_commands.iter().any(|s| s == name) {
        return CmdClass::Setup;
    }
    if matches!(
        name,
        "cd" | "test"
            | "["
            | "[["
            | "ls"
            | "cat"
            | "grep"
            | "egrep"
            | "awk"
            | "sort"
            | "uniq"
            | "tr"
            | "cut"
            | "head"
            | "tail"
            | "wc"
            | "dpkg-architecture"
            | "readlink"
            | "dirname"
            | "basename"
            | "uname"
            | "which"
            | "command"
            | "type"
            | "sha256sum"
            | "sha512sum"
            | "md5sum"
            | "id"
            | "getent"
            | "pwd"
            | "env"
            | "printenv"
            | "sleep"
            | "date"
            | "nproc"
            | "apt-cache"
            | "apt-mark"
            | "dpkg-query"
            | "ps"
            | "false"
            | "exit"
            | "return"
    ) {
        return CmdClass::Neutral;
    }
    if matches!(
        name,
        "cp" | "mv"
            | "rm"
            | "tar"
            | "unzip"
            | "gzip"
            | "gunzip"
            | "xz"
            | "bzip2"
            | "sed"
            | "find"
            | "xargs"
            | "tee"
            | "install"
            | "sh"
            | "bash"
            | "mktemp"
            | "gpg"
            | "gpgconf"
            | "rmdir"
            | "patch"
            | "strip"
    ) {
        return CmdClass::Work;
    }
    CmdClass::Unknown
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dockerfile::shell::parse_script;

    fn class(s: &str) -> CmdClass {
        classify(&parse_script(s).commands[0])
    }

    #[test]
    fn classes() {
        assert_eq!(class("apt-get install -y gcc"), CmdClass::Package);
        assert_eq!(class("apt-get purge -y --auto-remove gcc"), CmdClass::Cleanup);
        assert_eq!(class("rm -rf /var/lib/apt/lists/*"), CmdClass::Cleanup);
        assert_eq!(class("rm -rf /app/build"), CmdClass::Work);
        assert_eq!(class("[ -f /x ]"), CmdClass::Neutral);
        assert_eq!(class("sh build.sh"), CmdClass::Build(Ecosystem::Generic));
        assert!(!matches!(class("bash -c 'echo hi'"), CmdClass::Build(_)));
        assert_eq!(class("gem install rails"), CmdClass::Build(Ecosystem::Ruby));
        assert_eq!(class("bundle install --jobs 4"), CmdClass::Build(Ecosystem::Ruby));
        assert_eq!(class("gem update --system"), CmdClass::Foreign("ruby"));
        assert_eq!(class("docker-php-ext-install pdo"), CmdClass::Build(Ecosystem::Php));
        assert_eq!(class("pip install -r requirements.txt"), CmdClass::Build(Ecosystem::Python));
        assert_eq!(class("npm install -g pm2"), CmdClass::GlobalInstall);
        assert_eq!(class("npm install -g pnpm@9.15.9"), CmdClass::Build(Ecosystem::Node));
        assert_eq!(class("npm i -g yarn pnpm"), CmdClass::Build(Ecosystem::Node));
        assert_eq!(class("npm ci"), CmdClass::Build(Ecosystem::Node));
        assert_eq!(class("npm cache clean --force"), CmdClass::Cleanup);
        assert_eq!(class("useradd -m app"), CmdClass::Setup);
        assert_eq!(
            class("curl -fsSL -o /usr/local/bin/tini https://x/tini"),
            CmdClass::Download("/usr/local/bin/tini".into())
        );
        assert_eq!(class("curl -fsSL https://x | bash"), CmdClass::Unknown);
        assert_eq!(class("./configure --prefix=/usr/local"), CmdClass::Build(Ecosystem::C));
        assert_eq!(class("./build.sh"), CmdClass::Build(Ecosystem::Generic));
    }
}
