//! The build context on disk: what a COPY from it weighs (files `.dockerignore` does not exclude)
//! and which context file an image path came from (for the lockfiles and manifests a build reads).

use super::Stage;
use crate::analyze::catalog::glob_regex;
use crate::lint::context::Dockerignore;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Files walked per context at most (a huge context is counted up to here, and said so).
const BUDGET: usize = 200_000;

/// What a source of a context weighs: (context, .dockerignore patterns, source) -> (bytes, all
/// files counted).
type Sizes = HashMap<(PathBuf, Option<String>, String), (u64, bool)>;
static SIZES: Mutex<Option<Sizes>> = Mutex::new(None);

pub(crate) struct BuildContext {
    dir: Option<PathBuf>,
    ignore: Option<Dockerignore>,
    http: std::cell::OnceCell<bool>,
}

impl BuildContext {
    pub fn new(dir: Option<&Path>, ignore: Option<Dockerignore>) -> Self {
        BuildContext { dir: dir.map(Path::to_path_buf), ignore, http: std::cell::OnceCell::new() }
    }

    fn ignored(&self, rel: &str) -> bool {
        self.ignore.as_ref().is_some_and(|i| i.ignores(rel))
    }

    /// Bytes of the files under `rel` (a file or a directory) that the build sends.
    fn bytes_under(&self, rel: &str, budget: &mut usize, complete: &mut bool) -> u64 {
        let Some(dir) = &self.dir else { return 0 };
        let path = if rel.is_empty() { dir.clone() } else { dir.join(rel) };
        let Ok(meta) = path.symlink_metadata() else { return 0 };
        if !rel.is_empty() && self.ignored(rel) {
            return 0;
        }
        if meta.is_file() {
            return meta.len();
        }
        if !meta.is_dir() {
            return 0;
        }
        let Ok(rd) = std::fs::read_dir(&path) else { return 0 };
        let mut total = 0;
        for e in rd.flatten() {
            if *budget == 0 {
                *complete = false;
                break;
            }
            *budget -= 1;
            let name = e.file_name().to_string_lossy().to_string();
            let child = if rel.is_empty() { name } else { format!("{rel}/{name}") };
            total += self.bytes_under(&child, budget, complete);
        }
        total
    }

    /// Context-relative paths a COPY source names (globs expanded, one level).
    fn expand(&self, src: &str) -> Vec<String> {
        let rel = src.trim_start_matches("./").trim_start_matches('/').trim_end_matches('/');
        let rel = if rel == "." { "" } else { rel };
        if !rel.contains(['*', '?', '[']) {
            return vec![rel.to_string()];
        }
        let Some(dir) = &self.dir else { return Vec::new() };
        let (parent, pat) = match rel.rsplit_once('/') {
            Some((p, n)) => (p.to_string(), n.to_string()),
            None => (String::new(), rel.to_string()),
        };
        let Ok(re) = regex::Regex::new(&glob_regex(&pat, true)) else { return Vec::new() };
        let Ok(rd) = std::fs::read_dir(dir.join(&parent)) else { return Vec::new() };
        let mut out: Vec<String> = rd
            .flatten()
            .map(|e| e.file_name().to_string_lossy().to_string())
            .filter(|n| re.is_match(n))
            .map(|n| if parent.is_empty() { n } else { format!("{parent}/{n}") })
            .collect();
        out.sort();
        out
    }

    /// What COPY of these sources from the context weighs, and how that was found.
    pub fn sources_bytes(&self, sources: &[String]) -> (u64, String) {
        let Some(dir) = &self.dir else {
            return (0, "the build context is not known".into());
        };
        let mut total = 0;
        let mut complete = true;
        for src in sources {
            for rel in self.expand(src) {
                // remembered for the run: the Dockerfiles of one directory share its context
                let key = (dir.clone(), self.ignore.as_ref().map(Dockerignore::key), rel.clone());
                let cached = SIZES.lock().unwrap_or_else(|e| e.into_inner()).get_or_insert_default().get(&key).copied();
                let (b, c) = cached.unwrap_or_else(|| {
                    let mut budget = BUDGET;
                    let mut c = true;
                    let b = self.bytes_under(&rel, &mut budget, &mut c);
                    let mut memo = SIZES.lock().unwrap_or_else(|e| e.into_inner());
                    let memo = memo.get_or_insert_default();
                    if memo.len() >= crate::limits::MAX_MEMO_ENTRIES {
                        memo.clear();
                    }
                    memo.insert(key, (b, c));
                    (b, c)
                });
                total += b;
                complete &= c;
            }
        }
        let how = if complete {
            "the files in the build context (without what .dockerignore excludes)".to_string()
        } else {
            format!("the first {BUDGET} files of the build context")
        };
        (total, how)
    }

    /// The context file an image path came from, if a COPY of the stage brought it.
    pub fn file_for(&self, st: &Stage, image_path: &str) -> Option<PathBuf> {
        let dir = self.dir.as_ref()?;
        for (dest, src, dir_dest) in st.copies.iter().rev() {
            let src_rel = src.trim_start_matches("./").trim_start_matches('/').trim_end_matches('/');
            let src_rel = if src_rel == "." { "" } else { src_rel };
            for rel in self.expand(src_rel) {
                let on_disk = if rel.is_empty() { dir.clone() } else { dir.join(&rel) };
                let is_dir = on_disk.is_dir();
                let candidate = if is_dir {
                    // the directory's contents go into dest
                    image_path
                        .strip_prefix(dest.as_str())
                        .filter(|r| r.is_empty() || r.starts_with('/') || dest == "/")
                        .map(|r| on_disk.join(r.trim_start_matches('/')))
                } else if *dir_dest {
                    let name = rel.rsplit('/').next().unwrap_or(&rel);
                    (image_path == format!("{}/{name}", dest.trim_end_matches('/'))).then(|| on_disk.clone())
                } else {
                    (image_path == dest).then(|| on_disk.clone())
                };
                if let Some(c) = candidate.filter(|c| c.exists()) {
                    if c.strip_prefix(dir).is_ok_and(|r| !self.ignored(&r.to_string_lossy())) {
                        return Some(c);
                    }
                }
            }
        }
        None
    }

    /// The text of the context file an image path came from (at most 16 MiB).
    pub fn read_for(&self, st: &Stage, image_path: &str) -> Option<String> {
        let f = self.file_for(st, image_path)?;
        if f.metadata().ok()?.len() > 16 << 20 {
            return None;
        }
        crate::limits::read_text(&f, 16 << 20)
    }

    /// Does a Go source of the context import net/http (a far larger binary)?
    pub fn go_uses_http(&self) -> bool {
        *self.http.get_or_init(|| {
            let Some(dir) = &self.dir else { return false };
            let mut stack = vec![(dir.clone(), 0)];
            let mut budget = 5_000;
            while let Some((d, depth)) = stack.pop() {
                let Ok(rd) = std::fs::read_dir(&d) else { continue };
                for e in rd.flatten() {
                    budget -= 1;
                    if budget == 0 {
                        return false;
                    }
                    let p = e.path();
                    let name = e.file_name().to_string_lossy().to_string();
                    if p.is_dir() && depth < 6 && !name.starts_with('.') && name != "vendor" {
                        stack.push((p, depth + 1));
                    } else if name.ends_with(".go")
                        && !name.ends_with("_test.go")
                        && crate::limits::read_text(&p, 4 << 20).is_some_and(|t| t.contains("\"net/http\""))
                    {
                        return true;
                    }
                }
            }
            false
        })
    }
}
