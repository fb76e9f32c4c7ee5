//! The caches package managers and language tools leave in a layer, and the one rule for what
//! removes a path: `rm` of the path itself, of everything in it (`dir/*`, `dir/**`, `dir/.*`),
//! or of a directory above it. `rm -rf /x` does not clean `/var/lib/apt/lists`.

use super::packages::{package_command, Action, Manager};
use super::subcommand;
use crate::dockerfile::shell::Command;

/// A cache a tool writes during a build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cache {
    AptLists,
    AptArchives,
    Apk,
    Dnf,
    Zypper,
    Pip,
    Npm,
    Yarn,
    Pnpm,
    Go,
    Cargo,
    Maven,
    Gradle,
    Composer,
    Gem,
}

impl Cache {
    /// Where the cache lives, for root in the official images.
    pub fn paths(self) -> &'static [&'static str] {
        match self {
            Cache::AptLists => &["/var/lib/apt/lists"],
            Cache::AptArchives => &["/var/cache/apt/archives", "/var/cache/apt"],
            Cache::Apk => &["/var/cache/apk"],
            Cache::Dnf => &["/var/cache/dnf", "/var/cache/yum"],
            Cache::Zypper => &["/var/cache/zypp"],
            Cache::Pip => &["/root/.cache/pip"],
            Cache::Npm => &["/root/.npm"],
            Cache::Yarn => &["/usr/local/share/.cache/yarn", "/root/.cache/yarn", "/root/.yarn/berry/cache"],
            Cache::Pnpm => &["/root/.local/share/pnpm/store", "/root/.cache/pnpm", "/root/.pnpm-store"],
            Cache::Go => &["/root/.cache/go-build", "/go/pkg/mod"],
            Cache::Cargo => &["/usr/local/cargo/registry", "/root/.cargo/registry"],
            Cache::Maven => &["/root/.m2/repository", "/root/.m2"],
            Cache::Gradle => &["/root/.gradle/caches", "/root/.gradle"],
            Cache::Composer => &["/root/.composer/cache", "/root/.cache/composer"],
            Cache::Gem => &["/root/.gem", "/usr/local/bundle/cache"],
        }
    }

    /// The tool's own command for cleaning it, as a fix would write it.
    pub fn clean_command(self) -> Option<&'static str> {
        Some(match self {
            Cache::AptLists => "rm -rf /var/lib/apt/lists/*",
            Cache::AptArchives => "apt-get clean",
            Cache::Dnf => "dnf clean all",
            Cache::Zypper => "zypper clean --all",
            Cache::Npm => "npm cache clean --force",
            Cache::Yarn => "yarn cache clean",
            Cache::Pnpm => "pnpm store prune",
            Cache::Pip => "rm -rf /root/.cache/pip",
            _ => return None,
        })
    }

    /// Does this command clean the cache: its tool's clean command or an `rm` of it?
    pub fn cleaned_by(self, c: &Command) -> bool {
        if self.paths().iter().any(|p| removes(c, p)) {
            return true;
        }
        let sub = subcommand(c);
        match self {
            Cache::AptLists => package_command(c).is_some_and(|p| p.manager == Manager::Apt && p.sub == "dist-clean"),
            Cache::AptArchives => {
                package_command(c).is_some_and(|p| p.manager == Manager::Apt && p.action == Action::Clean)
            }
            Cache::Apk => package_command(c).is_some_and(|p| p.manager == Manager::Apk && p.action == Action::Clean),
            Cache::Dnf => package_command(c).is_some_and(|p| p.manager == Manager::Dnf && p.action == Action::Clean),
            Cache::Zypper => {
                package_command(c).is_some_and(|p| p.manager == Manager::Zypper && p.action == Action::Clean)
            }
            Cache::Npm => c.name() == "npm" && sub == Some("cache"),
            Cache::Yarn => matches!(c.name(), "yarn" | "yarnpkg") && sub == Some("cache"),
            Cache::Pnpm => c.name() == "pnpm" && matches!(sub, Some("store" | "cache")),
            Cache::Pip => super::tool_name(c).starts_with("pip") && sub == Some("cache"),
            Cache::Go => c.name() == "go" && sub == Some("clean"),
            _ => false,
        }
    }
}

/// The paths an `rm` names (empty for any other command).
fn rm_targets(c: &Command) -> Vec<String> {
    if c.name() != "rm" {
        return Vec::new();
    }
    operands_of_rm(c).into_iter().map(|t| t.trim_end_matches('/').to_string()).collect()
}

/// rm takes no value options, so every non-option word is a path (including the first).
fn operands_of_rm(c: &Command) -> Vec<&str> {
    let mut out = Vec::new();
    let mut only = false;
    for w in c.args() {
        let t = w.text.as_str();
        if !only && t == "--" {
            only = true;
        } else if only || !t.starts_with('-') || t.len() == 1 {
            out.push(t);
        }
    }
    out
}

/// Does a command remove this path, everything in it, or a directory above it?
pub fn removes(c: &Command, path: &str) -> bool {
    rm_roots(c).iter().any(|t| path == t || path.strip_prefix(t.as_str()).is_some_and(|r| r.starts_with('/')))
}

/// The directories (or files) an `rm` takes away with everything under them: its operands, `dir/*`
/// as `dir`; operands with other patterns or variables are left out.
pub fn rm_roots(c: &Command) -> Vec<String> {
    rm_targets(c)
        .into_iter()
        .filter_map(|target| {
            let dir =
                target.strip_suffix("/*").or_else(|| target.strip_suffix("/**")).or_else(|| target.strip_suffix("/.*"));
            let t = dir.unwrap_or(&target);
            (!t.is_empty() && !t.contains(['*', '?', '[', '$'])).then(|| t.to_string())
        })
        .collect()
}

/// Directories whose contents a build only leaves behind by accident: caches, temporary files,
/// documentation and logs.
const DISPOSABLE: &[&str] = &[
    "/tmp",
    "/var/tmp",
    "/var/cache",
    "/var/lib/apt/lists",
    "/var/lib/apt",
    "/var/log",
    "/root/.cache",
    "/root/.npm",
    "/usr/share/doc",
    "/usr/share/man",
    "/usr/share/info",
];

/// Does this command only clean up: a cache-cleaning subcommand, or an `rm` of nothing but
/// caches, temporary files, documentation and logs?
pub fn only_cleans(c: &Command) -> bool {
    if let Some(p) = package_command(c) {
        return matches!(p.action, Action::Clean | Action::Autoremove) || p.manager == Manager::Apk && p.sub == "cache";
    }
    if [Cache::Npm, Cache::Yarn, Cache::Pnpm].iter().any(|k| k.cleaned_by(c) && c.name() != "rm") {
        return true;
    }
    let targets = rm_targets(c);
    !targets.is_empty()
        && targets.iter().all(|t| {
            let t = t.trim_end_matches("/*").trim_end_matches("/**");
            DISPOSABLE.iter().any(|d| t == *d || t.starts_with(&format!("{d}/")))
        })
}

/// Packages a remove command takes away (`apt-get purge x`, `apk del x`).
pub fn removed_packages(c: &Command) -> Vec<String> {
    match package_command(c) {
        Some(p) if p.action == Action::Remove => p.packages,
        _ => Vec::new(),
    }
}

/// `apt-mark auto` (also through xargs: `apt-mark showmanual | xargs apt-mark auto`): the packages
/// become removable by the next `autoremove`.
pub fn marks_auto(c: &Command) -> bool {
    c.words.windows(2).any(|w| w[0].text.rsplit('/').next() == Some("apt-mark") && w[1].text == "auto")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dockerfile::shell::parse_script;

    fn cmd(s: &str) -> Command {
        parse_script(s).commands.remove(0)
    }

    #[test]
    fn what_removes_a_path() {
        assert!(removes(&cmd("rm -rf /var/lib/apt/lists/*"), "/var/lib/apt/lists"));
        assert!(removes(&cmd("rm -rf /var/lib/apt"), "/var/lib/apt/lists"));
        assert!(removes(&cmd("rm -rf /root/.cache"), "/root/.cache/pip"));
        assert!(!removes(&cmd("rm -rf /x"), "/var/lib/apt/lists"));
        assert!(!removes(&cmd("rm -rf /var/lib/apt/lists/partial"), "/var/lib/apt/lists"));
        assert!(!removes(&cmd("rm -rf /var/lib/apt*"), "/var/lib/apt/lists"));
    }

    #[test]
    fn caches_and_their_cleaners() {
        assert!(Cache::AptLists.cleaned_by(&cmd("apt-get dist-clean")));
        assert!(Cache::Npm.cleaned_by(&cmd("npm cache clean --force")));
        assert!(Cache::Pip.cleaned_by(&cmd("python -m pip cache purge")));
        assert!(Cache::Apk.cleaned_by(&cmd("rm -rf /var/cache/apk/*")));
        assert!(only_cleans(&cmd("rm -rf /tmp/* /var/tmp/*")));
        assert!(only_cleans(&cmd("apt-get clean")));
        assert!(!only_cleans(&cmd("rm -rf /app/build")));
        assert!(marks_auto(&parse_script("apt-mark showmanual | xargs apt-mark auto").commands[1]));
    }
}
