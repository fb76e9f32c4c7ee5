//! The leftover catalog (`rules/leftovers.toml`): path and package globs per category, compiled
//! into one regex set each so a file is classified in a single pass.

use regex::RegexSet;
use serde::Deserialize;
use std::sync::OnceLock;

#[derive(Deserialize)]
struct CatalogFile {
    category: Vec<CategoryDef>,
}

#[derive(Deserialize)]
struct CategoryDef {
    name: String,
    description: String,
    paths: Vec<String>,
    #[serde(default)]
    exclude: Vec<String>,
    packages: Vec<String>,
}

#[derive(Debug)]
pub struct Catalog {
    pub names: Vec<String>,
    pub descriptions: Vec<String>,
    paths: RegexSet,
    path_owner: Vec<usize>,
    excludes: RegexSet,
    exclude_owner: Vec<usize>,
    packages: RegexSet,
    package_owner: Vec<usize>,
}

/// A glob as an anchored regex: `**/` any leading directories, `/**` anything below, `*` within a
/// segment (anything, for package names), `?` one character, `[...]` a class.
pub fn glob_regex(glob: &str, segments: bool) -> String {
    let star = if segments { "[^/]*" } else { ".*" };
    let mut re = String::from("^");
    let chars: Vec<char> = glob.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let rest: String = chars[i..].iter().collect();
        if rest.starts_with("**/") {
            re.push_str("(?:.*/)?");
            i += 3;
        } else if rest == "/**" {
            re.push_str("(?:/.*)?");
            i += 3;
        } else if rest.starts_with("**") {
            re.push_str(".*");
            i += 2;
        } else {
            match chars[i] {
                '*' => re.push_str(star),
                '?' => re.push_str(if segments { "[^/]" } else { "." }),
                '[' => {
                    let close = chars[i..].iter().position(|&c| c == ']').map(|p| p + i);
                    match close {
                        Some(c) => {
                            re.push('[');
                            for &ch in &chars[i + 1..c] {
                                if ch == '\\' || ch == '[' {
                                    re.push('\\');
                                }
                                re.push(ch);
                            }
                            re.push(']');
                            i = c;
                        }
                        None => re.push_str("\\["),
                    }
                }
                c => re.push_str(&regex::escape(&c.to_string())),
            }
            i += 1;
        }
    }
    re.push('$');
    re
}

fn set(globs: &[(usize, &String)], segments: bool) -> Result<(RegexSet, Vec<usize>), String> {
    let res: Vec<String> = globs.iter().map(|(_, g)| glob_regex(g, segments)).collect();
    let set = RegexSet::new(&res).map_err(|e| e.to_string())?;
    Ok((set, globs.iter().map(|(o, _)| *o).collect()))
}

impl Catalog {
    pub fn from_toml(text: &str) -> Result<Catalog, String> {
        let file: CatalogFile = toml::from_str(text).map_err(|e| e.to_string())?;
        let collect = |f: fn(&CategoryDef) -> &Vec<String>| -> Vec<(usize, &String)> {
            file.category.iter().enumerate().flat_map(|(i, c)| f(c).iter().map(move |g| (i, g))).collect()
        };
        let (paths, path_owner) = set(&collect(|c| &c.paths), true)?;
        let (excludes, exclude_owner) = set(&collect(|c| &c.exclude), true)?;
        let (packages, package_owner) = set(&collect(|c| &c.packages), false)?;
        Ok(Catalog {
            names: file.category.iter().map(|c| c.name.clone()).collect(),
            descriptions: file.category.iter().map(|c| c.description.clone()).collect(),
            paths,
            path_owner,
            excludes,
            exclude_owner,
            packages,
            package_owner,
        })
    }

    /// The catalog shipped in `rules/leftovers.toml`.
    pub fn builtin() -> &'static Catalog {
        static CATALOG: OnceLock<Catalog> = OnceLock::new();
        CATALOG.get_or_init(|| {
            Catalog::from_toml(include_str!("../../rules/leftovers.toml"))
                .unwrap_or_else(|e| panic!("rules/leftovers.toml: {e}"))
        })
    }

    pub fn index(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    /// The category of a file: first by path, then by the OS package that owns it.
    pub fn classify(&self, path: &str, os_package: Option<&str>) -> Option<usize> {
        self.classify_path(path).or_else(|| self.classify_package(path, os_package?))
    }

    fn excluded(&self, path: &str) -> Vec<usize> {
        self.excludes.matches(path).iter().map(|i| self.exclude_owner[i]).collect()
    }

    /// The category a file's path alone gives.
    pub fn classify_path(&self, path: &str) -> Option<usize> {
        let excluded = self.excluded(path);
        self.paths.matches(path).iter().map(|i| self.path_owner[i]).filter(|c| !excluded.contains(c)).min()
    }

    /// The category the owning OS package gives (for a path with no category of its own).
    pub fn classify_package(&self, path: &str, os_package: &str) -> Option<usize> {
        let excluded = self.excluded(path);
        self.packages.matches(os_package).iter().map(|i| self.package_owner[i]).filter(|c| !excluded.contains(c)).min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cat(path: &str, pkg: Option<&str>) -> Option<&'static str> {
        let c = Catalog::builtin();
        c.classify(path, pkg).map(|i| c.names[i].as_str())
    }

    #[test]
    fn globs() {
        let re = |g: &str, s: &str| regex::Regex::new(&glob_regex(g, true)).unwrap().is_match(s);
        assert!(re("**/.git/**", "src/app/.git/objects/ab/cd"));
        assert!(re("**/.git/**", ".git/HEAD"));
        assert!(re("usr/bin/gcc-*", "usr/bin/gcc-12"));
        assert!(!re("usr/bin/gcc-*", "usr/bin/gcc-12/x"));
        assert!(re("**/*.a", "usr/lib/x86_64-linux-gnu/libc.a"));
        assert!(re("gcc-[0-9]*", "gcc-12"));
    }

    #[test]
    fn categories() {
        assert_eq!(cat("usr/lib/gcc/x86_64-linux-gnu/12/cc1", None), Some("compiler"));
        assert_eq!(cat("usr/include/stdio.h", Some("libc6-dev")), Some("headers"));
        assert_eq!(cat("usr/lib/x86_64-linux-gnu/libz.a", Some("zlib1g-dev")), Some("static-libs"));
        assert_eq!(cat("usr/lib/x86_64-linux-gnu/libbfd-2.40-system.so", Some("libbinutils")), Some("compiler"));
        assert_eq!(cat("usr/lib/x86_64-linux-gnu/libpq.so", Some("libpq-dev")), Some("headers"));
        assert_eq!(
            cat("var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_InRelease", None),
            Some("package-index")
        );
        assert_eq!(cat("var/cache/apt/archives/gcc_12.deb", None), Some("package-cache"));
        assert_eq!(cat("root/.cache/pip/http/a/b", None), Some("package-cache"));
        assert_eq!(cat("app/.git/objects/pack/p.pack", None), Some("vcs"));
        assert_eq!(cat("src/build/main.o", None), Some("build-output"));
        assert_eq!(cat("usr/share/doc/gcc-12/changelog.gz", Some("gcc-12")), Some("docs"));
        assert_eq!(cat("usr/share/doc/libc6/copyright", Some("libc6")), None);
        assert_eq!(cat("usr/lib/python3/dist-packages/numpy/tests/test_x.py", None), Some("tests"));
        assert_eq!(cat("tmp/build.log", None), Some("temp"));
        assert_eq!(cat("usr/lib/x86_64-linux-gnu/libc.so.6", Some("libc6")), None);
        assert_eq!(cat("usr/bin/python3.11", Some("python3.11-minimal")), None);
        assert_eq!(cat("usr/share/doc/gcc-12-base/copyright", Some("gcc-12-base")), None, "runtime base package");
        assert_eq!(cat("usr/lib/x86_64-linux-gnu/libstdc++.so.6", Some("libstdc++6")), None);
        assert_eq!(cat("usr/share/doc/gcc-12/copyright", Some("gcc-12")), Some("compiler"));
    }
}
