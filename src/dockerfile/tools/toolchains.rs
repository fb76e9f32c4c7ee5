//! Which language toolchain a command builds or installs with, and the install commands of the
//! language package managers (pip, npm/yarn/pnpm, gem, composer...).

use super::{python_module, subcommand};
use crate::dockerfile::shell::{Command, Word};

/// A language or build system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Toolchain {
    Python,
    Node,
    Go,
    Rust,
    C,
    Java,
    Ruby,
    Php,
    Perl,
    /// Fetching sources (git clone...).
    Vcs,
}

/// The toolchain a command runs, if it is a build or install command of one.
pub fn toolchain(c: &Command) -> Option<Toolchain> {
    let name = c.name();
    Some(match name {
        "pip" | "pip3" | "pipx" | "poetry" | "pipenv" | "uv" | "pdm" | "virtualenv" => Toolchain::Python,
        n if n.starts_with("python") || n.starts_with("pip3.") => Toolchain::Python,
        "npm" | "yarn" | "yarnpkg" | "pnpm" | "npx" | "node" | "tsc" | "corepack" | "bun" => Toolchain::Node,
        "go" => Toolchain::Go,
        "cargo" | "rustc" | "rustup" => Toolchain::Rust,
        "make" | "cmake" | "gcc" | "g++" | "cc" | "c++" | "clang" | "clang++" | "configure" | "autoreconf"
        | "autogen.sh" | "bootstrap" | "ninja" | "meson" | "ld" | "strip" => Toolchain::C,
        "mvn" | "mvnw" | "gradle" | "gradlew" | "ant" | "javac" | "jar" | "sbt" | "lein" => Toolchain::Java,
        "gem" | "bundle" | "bundler" | "rake" | "rails" => Toolchain::Ruby,
        "composer" | "pecl" | "pear" => Toolchain::Php,
        n if n.starts_with("docker-php-ext") => Toolchain::Php,
        "cpan" | "cpanm" => Toolchain::Perl,
        "git" if matches!(subcommand(c), Some("clone" | "fetch" | "checkout" | "submodule" | "init" | "pull")) => {
            Toolchain::Vcs
        }
        _ => return None,
    })
}

/// `pip install` (also `pip3`, `python -m pip`): the `install` word, for a fix to insert after.
pub fn pip_install(c: &Command) -> Option<&Word> {
    let via_module = python_module(c).is_some_and(|(m, _)| m.starts_with("pip"));
    if !(c.name().starts_with("pip") && c.name() != "pipx" && c.name() != "pipenv" || via_module) {
        return None;
    }
    super::subcommand_word(c).filter(|w| w.text == "install")
}

/// `bundle install` (also bare `bundle`, which installs), `bundler install`.
pub fn bundle_install(c: &Command) -> bool {
    matches!(c.name(), "bundle" | "bundler") && matches!(super::subcommand(c), None | Some("install"))
}

/// `bundle config [set] [--local|--global] KEY VALUE`: the key and its value.
pub fn bundle_config(c: &Command) -> Option<(String, String)> {
    if !matches!(c.name(), "bundle" | "bundler") || super::subcommand(c) != Some("config") {
        return None;
    }
    let words: Vec<&str> = super::positionals(c).iter().skip(1).map(|w| w.text.as_str()).collect();
    let words = if words.first() == Some(&"set") { &words[1..] } else { &words[..] };
    match words {
        [key, value, ..] => Some((key.to_ascii_lowercase(), value.to_string())),
        _ => None,
    }
}

/// `gem install` (gems into GEM_HOME).
pub fn gem_install(c: &Command) -> bool {
    c.name() == "gem" && super::subcommand(c) == Some("install")
}

/// The JavaScript package manager of a command (npm, yarn, pnpm).
pub fn js_manager(c: &Command) -> Option<&'static str> {
    match c.name() {
        "npm" => Some("npm"),
        "yarn" | "yarnpkg" => Some("yarn"),
        "pnpm" => Some("pnpm"),
        _ => None,
    }
}

/// A project dependency install: `npm ci/install`, `yarn [install]`, `pnpm install` (not a
/// global one, not one naming packages to add).
pub fn js_install(c: &Command) -> bool {
    let sub = subcommand(c);
    match js_manager(c) {
        Some("npm") => matches!(sub, Some("ci" | "install" | "i")) && !global(c),
        Some("yarn") => matches!(sub, None | Some("install")),
        Some("pnpm") => matches!(sub, Some("install" | "i")),
        _ => false,
    }
}

/// Does an install command add packages for the whole system (`npm install -g`, `yarn global
/// add`)?
pub fn global(c: &Command) -> bool {
    match js_manager(c) {
        Some("npm") | Some("pnpm") => {
            matches!(subcommand(c), Some("install" | "i" | "add")) && c.has_flag(&["-g", "--global"])
        }
        Some("yarn") => subcommand(c) == Some("global"),
        _ => false,
    }
}

/// The package names of a global install (`npm install -g pnpm@9 @pnpm/exe@9` -> pnpm,
/// @pnpm/exe); None when `c` is not one or names nothing.
pub fn global_packages(c: &Command) -> Option<Vec<String>> {
    let packages = super::operands(c);
    (global(c) && !packages.is_empty()).then(|| {
        packages
            .iter()
            .map(|w| {
                let t = w.text.trim_matches(['"', '\'']);
                // the name before the version's `@` (a scope's `@` comes first)
                match t.strip_prefix('@') {
                    Some(rest) => format!("@{}", rest.split('@').next().unwrap_or("")),
                    None => t.split('@').next().unwrap_or("").to_string(),
                }
            })
            .collect()
    })
}

/// Does `c` globally install these packages and nothing else?
pub fn installs_globally_only(c: &Command, names: &[&str]) -> bool {
    global_packages(c).is_some_and(|p| p.iter().all(|n| names.contains(&n.as_str())))
}

/// The JavaScript package managers (a global install of them is the build's tools).
pub const JS_MANAGERS: &[&str] = &["pnpm", "@pnpm/exe", "yarn", "@yarnpkg/cli-dist", "npm", "corepack"];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dockerfile::shell::parse_script;

    fn cmd(s: &str) -> Command {
        parse_script(s).commands.remove(0)
    }

    #[test]
    fn global_install_names() {
        assert_eq!(global_packages(&cmd("npm install -g pnpm@9 @pnpm/exe@9")).unwrap(), ["pnpm", "@pnpm/exe"]);
        assert!(installs_globally_only(&cmd("npm i -g 'serve@14'"), &["serve"]));
        assert!(!installs_globally_only(&cmd("npm i -g serve pm2"), &["serve"]));
        assert_eq!(global_packages(&cmd("npm install pnpm")), None);
    }

    #[test]
    fn toolchains_and_installs() {
        assert_eq!(toolchain(&cmd("python3 -m pip install x")), Some(Toolchain::Python));
        assert_eq!(toolchain(&cmd("git clone https://x/y")), Some(Toolchain::Vcs));
        assert_eq!(toolchain(&cmd("git config x y")), None);
        assert!(pip_install(&cmd("python -m pip install --no-cache-dir flask")).is_some());
        assert!(pip_install(&cmd("pip3 install -r r.txt")).is_some());
        assert!(pip_install(&cmd("pip freeze")).is_none());
        assert!(pip_install(&cmd("pipenv install")).is_none());
        assert!(js_install(&cmd("npm --prefix /app ci")));
        assert!(!js_install(&cmd("npm install -g pm2")));
        assert!(global(&cmd("npm install -g pm2")));
        assert!(global(&cmd("yarn global add serve")));
    }
}
