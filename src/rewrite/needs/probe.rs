//! The probe: a step at the end of the builder that reads what the runtime stage's files need
//! (`ldd` on every ELF file under the paths it copies, the packages owning those libraries), and
//! the runtime stage's steps that supply it.
//!
//! The builder writes `/imgslim/needs/` for the runtime stage and `/imgslim/evidence/` for
//! people (`imgslim rewrite --verify --explain` prints it):
//! - `needs/.imgslim-packages`: packages to install where the runtime base lacks them;
//! - `needs/<dir>/<lib>`: libraries to copy (no package owns them, or the base has no package
//!   manager);
//! - `evidence/linked`, `evidence/owners`: each library and the package that owns it.

use crate::dockerfile::tools::packages::Manager;

/// How the runtime stage gets what the probe found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Supply {
    /// Install the packages its base lacks with this manager; copy the libraries no package owns.
    Install(Manager),
    /// The base has no package manager (distroless): copy every library not owned by one of
    /// these packages, which the base already has.
    Copy(Vec<String>),
}

/// What the probe reads and how the runtime stage uses it.
#[derive(Debug, Clone)]
pub struct Probe {
    /// Paths the runtime stage copies from the builder; their ELF files are read.
    pub roots: Vec<String>,
    /// Packages the runtime stage installs whatever ldd finds (tools the image runs, libraries
    /// the original installs, packages loaded by name).
    pub packages: Vec<String>,
    pub supply: Supply,
    /// The builder's own package database: dpkg (Debian, Ubuntu) or apk (Alpine).
    pub builder: Manager,
    /// Programs to strip of symbols first (`strip --strip-unneeded`), when the builder has strip.
    pub strip: Vec<String>,
}

pub const NEEDS: &str = "/imgslim/needs";
pub const EVIDENCE: &str = "/imgslim/evidence";

fn quote(s: &str) -> String {
    if s.chars().all(|c| c.is_ascii_alphanumeric() || "/._-+=:@".contains(c)) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

impl Probe {
    /// The builder step, ending with a newline-free last line.
    pub fn builder_step(&self, nl: &str) -> String {
        let roots: Vec<String> = self.roots.iter().map(|r| quote(r)).collect();
        let roots = roots.join(" ");
        // quoted like the roots: a path with `<<` or spaces in a case pattern broke the RUN
        // (found by fuzzing)
        let inside: Vec<String> = self.roots.iter().map(|r| format!("{}/*", quote(r.trim_end_matches('/')))).collect();
        let owner = match self.builder {
            Manager::Apk => "apk info -qW \"$lib\" 2>/dev/null | head -n 1 | sed -E 's/-[0-9][^-]*-r[0-9]+$//'",
            _ => "dpkg -S \"*/${lib##*/}\" 2>/dev/null | grep -v '^diversion' | head -n 1 | cut -d: -f1 | cut -d, -f1",
        };
        let known = match &self.supply {
            Supply::Install(_) => String::new(),
            Supply::Copy(has) => has.join("|"),
        };
        let mut l: Vec<String> = vec![
            "# imgslim: what the runtime stage needs, read here: the shared libraries of the files it copies".into(),
            "# (ldd) and the packages that own them; see /imgslim/evidence".into(),
            format!("RUN set -e; mkdir -p {NEEDS} {EVIDENCE}; \\"),
            format!("    for p in {roots}; do [ -e \"$p\" ] || {{ echo \"imgslim: $p is not in the builder\" >&2; exit 1; }}; done; \\"),
        ];
        if !self.strip.is_empty() {
            // shell words as the planner wrote them (a path, or "/x$(command -v prog)")
            l.push(format!(
                "    if command -v strip >/dev/null; then strip --strip-unneeded {}; fi; \\",
                self.strip.join(" ")
            ));
        }
        if matches!(self.supply, Supply::Copy(_)) {
            // no shell in the runtime base: a script there would not start
            l.push(format!("    for f in $(find {roots} -type f -perm -u+x); do if [ \"$(head -c 2 \"$f\")\" = '#!' ]; then echo \"imgslim: $f is a script and the runtime base has no shell: rewrite with --runtime-base debian:bookworm-slim\" >&2; exit 1; fi; done; \\"));
        }
        l.extend([
            format!("    find {roots} -type f \\( -name '*.so' -o -name '*.so.*' -o -name '*.node' -o -perm -u+x \\) \\"),
            "        -exec ldd {} + 2>/dev/null | awk '$2 == \"=>\" && $3 ~ /^\\// {print $3}' | sort -u > /imgslim/evidence/linked; \\".into(),
            ": > /imgslim/evidence/owners; \\".replace(": >", "    : >"),
            "    for lib in $(cat /imgslim/evidence/linked); do \\".into(),
            format!("        case \"$lib\" in {}) continue ;; esac; \\", inside.join("|")),
            // a file of a tree staged at its real path under /imgslim-x (copied to / whole)
            "        for s in $(ls -d /imgslim-*/ 2>/dev/null); do [ -e \"${s%/}$lib\" ] && continue 2; done; \\".into(),
            format!("        pkg=$({owner}); \\"),
            "        echo \"$lib ${pkg:-(no package)}\" >> /imgslim/evidence/owners; \\".into(),
        ]);
        match &self.supply {
            Supply::Install(_) => l.extend([
                format!("        if [ -n \"$pkg\" ]; then echo \"$pkg\" >> {NEEDS}/.imgslim-packages; \\"),
                format!("        else d=$(readlink -f \"${{lib%/*}}\"); mkdir -p \"{NEEDS}$d\"; cp -L \"$lib\" \"{NEEDS}$d/\"; fi; \\"),
            ]),
            Supply::Copy(_) => l.extend([
                format!("        case \"$pkg\" in {known}) continue ;; esac; \\"),
                format!("        d=$(readlink -f \"${{lib%/*}}\"); mkdir -p \"{NEEDS}$d\"; cp -L \"$lib\" \"{NEEDS}$d/\"; \\"),
            ]),
        }
        l.push("    done; \\".into());
        match &self.supply {
            Supply::Install(_) => {
                let pkgs = self.packages.join(" ");
                if !pkgs.is_empty() {
                    l.push(format!("    for p in {pkgs}; do echo \"$p\" >> {NEEDS}/.imgslim-packages; done; \\"));
                }
                l.push(format!("    touch {NEEDS}/.imgslim-packages; sort -u -o {NEEDS}/.imgslim-packages {NEEDS}/.imgslim-packages"));
            }
            Supply::Copy(_) => {
                l.pop();
                l.push("    done".into());
            }
        }
        l.join(nl)
    }

    /// The runtime stage's steps: the probe's files, then (with a package manager) the
    /// packages the base lacks.
    pub fn runtime_steps(&self, nl: &str) -> String {
        let mut l = vec![
            "# imgslim: the libraries and packages the builder found the program needs (see /imgslim/evidence there)"
                .to_string(),
            format!("COPY --from={} {NEEDS}/ /", super::super::emit::BUILDER),
        ];
        let install = match &self.supply {
            Supply::Install(Manager::Apk) => {
                Some(("apk info -e \"$p\" >/dev/null", "apk add --no-cache $missing".to_string()))
            }
            Supply::Install(_) => Some((
                "dpkg-query -W -f '${Status}' \"$p\" 2>/dev/null | grep -q 'ok installed'",
                "apt-get update; apt-get install -y --no-install-recommends $missing; rm -rf /var/lib/apt/lists/*"
                    .to_string(),
            )),
            Supply::Copy(_) => None,
        };
        if let Some((installed, add)) = install {
            l.extend([
                "RUN set -e; missing=''; \\".to_string(),
                format!("    for p in $(cat /.imgslim-packages); do {installed} || missing=\"$missing $p\"; done; \\"),
                format!("    if [ -n \"$missing\" ]; then {add}; fi; \\"),
                "    rm -f /.imgslim-packages".to_string(),
            ]);
        }
        let mut s = l.join(nl);
        s.push_str(nl);
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_probe_reads_the_copied_roots_and_fails_when_one_is_missing() {
        // (a failing apt-get must fail the RUN: no `&&` chain under `set -e`)
        let p = Probe {
            roots: vec!["/opt/venv".into(), "/app".into()],
            packages: vec!["curl".into()],
            supply: Supply::Install(Manager::Apt),
            builder: Manager::Apt,
            strip: vec![],
        };
        let b = p.builder_step("\n");
        assert!(b.contains("for p in /opt/venv /app; do [ -e \"$p\" ] ||"));
        assert!(b.contains("case \"$lib\" in /opt/venv/*|/app/*) continue"));
        assert!(b.contains("dpkg -S"));
        assert!(b.contains("for p in curl; do"));
        assert!(!b.contains("2>/dev/null | awk") || b.contains("ldd {} + 2>/dev/null"));
        let r = p.runtime_steps("\n");
        assert!(r.contains("COPY --from=builder /imgslim/needs/ /"));
        assert!(r.contains("apt-get update; apt-get install -y --no-install-recommends $missing;"));
        let d = Probe { supply: Supply::Copy(vec!["libc6".into(), "libssl3".into()]), ..p };
        assert!(d.builder_step("\n").contains("case \"$pkg\" in libc6|libssl3) continue"));
        assert!(!d.runtime_steps("\n").contains("RUN"));
    }
}
