//! The paths file commands write: destinations of cp, mv, install and ln, `tar -C`, `unzip -d`,
//! `git clone`, `curl -o` / `wget -O` downloads. Relative paths are returned as written; the
//! caller resolves them against the command's directory.

use super::{flag_value, operands, positionals, subcommand};
use crate::dockerfile::shell::Command;

fn basename(p: &str) -> String {
    p.trim_end_matches('/').rsplit('/').next().unwrap_or(p).to_string()
}

/// Paths a command writes (files or directories), its output redirections included.
pub fn written_paths(c: &Command) -> Vec<String> {
    let mut out: Vec<String> = c.writes.iter().filter(|w| !w.starts_with("/dev/")).cloned().collect();
    out.extend(written_by_arguments(c));
    out
}

fn written_by_arguments(c: &Command) -> Vec<String> {
    let name = c.name();
    match name {
        "cp" | "mv" | "install" | "ln" => {
            if name == "install" && c.has_flag(&["-d", "--directory"]) {
                return Vec::new(); // creates directories only
            }
            let pos: Vec<String> = positionals(c).iter().map(|w| w.text.clone()).collect();
            if let Some(dir) = flag_value(c, &["-t", "--target-directory"]) {
                return pos.iter().map(|s| format!("{}/{}", dir.trim_end_matches('/'), basename(s))).collect();
            }
            if pos.len() < 2 {
                return Vec::new();
            }
            let (dest, sources) = pos.split_last().unwrap_or((&pos[0], &[]));
            if sources.len() > 1 || dest.ends_with('/') {
                sources.iter().map(|s| format!("{}/{}", dest.trim_end_matches('/'), basename(s))).collect()
            } else {
                vec![dest.clone()]
            }
        }
        "tar" => {
            let extracting = c
                .args()
                .first()
                .is_some_and(|w| !w.text.starts_with("--") && w.text.trim_start_matches('-').contains('x'))
                || c.has_flag(&["--extract", "-x"]);
            match flag_value(c, &["-C", "--directory"]) {
                Some(d) if extracting => vec![d.to_string()],
                _ => Vec::new(),
            }
        }
        "unzip" => flag_value(c, &["-d"]).map(|d| vec![d.to_string()]).unwrap_or_default(),
        "git" if subcommand(c) == Some("clone") => {
            let ops: Vec<&str> = operands(c).iter().map(|w| w.text.as_str()).collect();
            match ops.as_slice() {
                [url] => vec![basename(url).trim_end_matches(".git").to_string()],
                [_, dir, ..] => vec![dir.to_string()],
                _ => Vec::new(),
            }
        }
        _ => Vec::new(),
    }
}

/// The file a download command writes (`curl -o X`, `wget -O X`), if it names one.
pub fn download_target(c: &Command) -> Option<&str> {
    match c.name() {
        "curl" => flag_value(c, &["-o", "--output"]),
        "wget" => flag_value(c, &["-O", "--output-document"]),
        _ => None,
    }
}

/// Directories `mkdir` creates, and whether it tolerates existing ones (`-p`).
pub fn made_dirs(c: &Command) -> Option<(Vec<String>, bool)> {
    (c.name() == "mkdir")
        .then(|| (positionals(c).iter().map(|w| w.text.clone()).collect(), c.has_flag(&["-p", "--parents"])))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dockerfile::shell::parse_script;

    fn w(s: &str) -> Vec<String> {
        written_paths(&parse_script(s).commands[0])
    }

    #[test]
    fn destinations() {
        assert_eq!(w("cp -r build/ /opt/app"), ["/opt/app"]);
        assert_eq!(w("cp a b /opt/"), ["/opt/a", "/opt/b"]);
        assert_eq!(w("install -m 755 -o root tool /usr/local/bin/tool"), ["/usr/local/bin/tool"]);
        assert_eq!(w("mv -t /srv x"), ["/srv/x"]);
        assert_eq!(w("tar -xzf x.tgz -C /opt/x"), ["/opt/x"]);
        assert_eq!(w("git clone --depth 1 https://h/x/repo.git"), ["repo"]);
        assert_eq!(w("git clone -b main https://h/x/repo.git /src"), ["/src"]);
        assert!(w("install -d /var/run/app").is_empty());
        let c = parse_script("curl -fsSL -o /usr/local/bin/tini https://x/tini").commands.remove(0);
        assert_eq!(download_target(&c), Some("/usr/local/bin/tini"));
    }
}
