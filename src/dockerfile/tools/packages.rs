//! Package-manager commands: which manager, what it does, which packages it names.

use super::{flag_value, operands, subcommand};
use crate::dockerfile::shell::Command;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Manager {
    /// apt-get, apt, aptitude (Debian, Ubuntu).
    Apt,
    /// apk (Alpine).
    Apk,
    /// yum, dnf, microdnf, tdnf (Fedora, RHEL, UBI, Amazon Linux).
    Dnf,
    /// zypper (openSUSE, SLES).
    Zypper,
}

impl Manager {
    pub fn of(c: &Command) -> Option<Manager> {
        Some(match c.name() {
            "apt-get" | "apt" | "aptitude" => Manager::Apt,
            "apk" => Manager::Apk,
            "yum" | "dnf" | "microdnf" | "tdnf" => Manager::Dnf,
            "zypper" => Manager::Zypper,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Manager::Apt => "apt",
            Manager::Apk => "apk",
            Manager::Dnf => "dnf",
            Manager::Zypper => "zypper",
        }
    }
}

/// What a package-manager command does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Install,
    /// remove, purge, del, erase.
    Remove,
    Autoremove,
    /// Fetches the package index (apt-get update, apk update, zypper refresh).
    Update,
    /// Upgrades installed packages.
    Upgrade,
    /// Cleans the manager's own cache (apt-get clean, dnf clean all, apk cache clean).
    Clean,
    Other,
}

/// A package-manager command, read once.
#[derive(Debug, Clone)]
pub struct PackageCommand {
    pub manager: Manager,
    pub action: Action,
    /// The subcommand as written.
    pub sub: String,
    /// Package names (version pins removed; variables, paths and `.deb` files left out).
    pub packages: Vec<String>,
    /// `apk add --virtual .x`: the name `apk del` removes the group by.
    pub virtual_name: Option<String>,
}

fn action(m: Manager, sub: &str) -> Action {
    match (m, sub) {
        (_, "install") => Action::Install,
        (Manager::Apk, "add") => Action::Install,
        (Manager::Dnf | Manager::Zypper, "in") => Action::Install,
        (Manager::Apt, "remove" | "purge") => Action::Remove,
        (Manager::Apk, "del") => Action::Remove,
        (Manager::Dnf, "remove" | "erase" | "rm") => Action::Remove,
        (Manager::Zypper, "remove" | "rm") => Action::Remove,
        (Manager::Apt | Manager::Dnf, "autoremove") => Action::Autoremove,
        (Manager::Apt | Manager::Apk, "update") => Action::Update,
        (Manager::Dnf, "makecache") | (Manager::Zypper, "refresh" | "ref") => Action::Update,
        (Manager::Apt, "upgrade" | "dist-upgrade" | "full-upgrade") => Action::Upgrade,
        (Manager::Apk, "upgrade") => Action::Upgrade,
        (Manager::Dnf, "update" | "upgrade") | (Manager::Zypper, "update" | "up" | "dist-upgrade" | "dup") => {
            Action::Upgrade
        }
        (Manager::Apt, "clean" | "autoclean" | "dist-clean") => Action::Clean,
        (Manager::Dnf, "clean") | (Manager::Zypper, "clean" | "cc") => Action::Clean,
        _ => Action::Other,
    }
}

/// Read a package-manager command (`sudo` and `env` already unwrapped by the caller).
pub fn package_command(c: &Command) -> Option<PackageCommand> {
    let manager = Manager::of(c)?;
    let sub = subcommand(c)?.to_string();
    let mut action = action(manager, &sub);
    // `apk cache clean`
    if manager == Manager::Apk && sub == "cache" {
        action = if operands(c).first().is_some_and(|w| w.text == "clean" || w.text == "purge") {
            Action::Clean
        } else {
            Action::Other
        };
    }
    let packages = if matches!(action, Action::Install | Action::Remove) { names(c) } else { Vec::new() };
    let virtual_name = (manager == Manager::Apk && action == Action::Install)
        .then(|| flag_value(c, &["--virtual", "-t"]).map(str::to_string))
        .flatten();
    Some(PackageCommand { manager, action, sub, packages, virtual_name })
}

/// Package names of an install or remove command (version pins and options removed).
fn names(c: &Command) -> Vec<String> {
    operands(c)
        .iter()
        .map(|w| w.text.split(['=', '>', '<', '~']).next().unwrap_or("").to_string())
        .filter(|p| !p.is_empty() && !p.starts_with('$') && !p.contains('/') && !p.ends_with(".deb"))
        .collect()
}

/// The packages an install or remove command names (empty for any other command).
pub fn packages(c: &Command) -> Vec<String> {
    package_command(c).map(|p| p.packages).unwrap_or_default()
}

/// `apt-get`/`apt` with one of these subcommands.
pub fn is_apt(c: &Command, subs: &[&str]) -> bool {
    Manager::of(c) == Some(Manager::Apt) && subcommand(c).is_some_and(|s| subs.contains(&s))
}

/// Is this a package manager, or one of its helpers that only configures or queries it? (`dpkg -i`
/// installs a file: it is not counted.)
pub fn is_package_tool(c: &Command) -> bool {
    let dpkg_query = c.name() == "dpkg"
        && c.has_flag(&[
            "--print-architecture",
            "-l",
            "--list",
            "-s",
            "--status",
            "-L",
            "--listfiles",
            "-S",
            "--search",
        ]);
    Manager::of(c).is_some()
        || dpkg_query
        || matches!(c.name(), "apt-key" | "debconf-set-selections" | "apt-mark" | "dpkg-query" | "dpkg-architecture")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dockerfile::shell::parse_script;

    fn pc(s: &str) -> PackageCommand {
        package_command(&parse_script(s).commands[0]).unwrap()
    }

    #[test]
    fn reads_every_manager() {
        let p = pc("apt-get -o Acquire::Retries=3 install -y --no-install-recommends gcc=4:12 libpq-dev ./x.deb");
        assert_eq!(
            (p.manager, p.action, p.packages.clone()),
            (Manager::Apt, Action::Install, vec!["gcc".into(), "libpq-dev".into()])
        );
        let p = pc("apk add --no-cache --virtual .build-deps gcc musl-dev");
        assert_eq!(p.virtual_name.as_deref(), Some(".build-deps"));
        assert_eq!(p.packages, ["gcc", "musl-dev"]);
        assert_eq!(pc("apk del .build-deps").action, Action::Remove);
        assert_eq!(pc("dnf -y install python3").packages, ["python3"]);
        assert_eq!(pc("microdnf clean all").action, Action::Clean);
        assert_eq!(pc("apk cache clean").action, Action::Clean);
        assert_eq!(pc("zypper --non-interactive in curl").action, Action::Install);
        assert_eq!(pc("apt-get dist-clean").action, Action::Clean);
    }
}
