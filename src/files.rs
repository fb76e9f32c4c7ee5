//! Reading inputs and writing outputs without surprises: only regular files (or `-`) are read,
//! with a size cap; outputs replace a regular file atomically (same directory, its mode and line
//! endings kept, refused when it is read-only or changed meanwhile), follow a symlink to its
//! target, and write through to devices and FIFOs (`-o /dev/stdout`, `/dev/null`) instead of
//! replacing them.

use anyhow::Context;
use imgslim::limits::MAX_DOCKERFILE_BYTES;
use std::io::{Read, Write};
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// A file named on the command line, or standard input for `-`: regular files only, at most
/// `MAX_DOCKERFILE_BYTES`.
pub fn read_input(path: &Path) -> anyhow::Result<Vec<u8>> {
    let limit = MAX_DOCKERFILE_BYTES;
    let mut buf = Vec::new();
    if path == Path::new("-") {
        std::io::stdin().take(limit + 1).read_to_end(&mut buf).context("reading standard input")?;
    } else {
        let meta = std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?;
        if !meta.is_file() {
            anyhow::bail!("{} is not a regular file ({})", path.display(), kind(&meta));
        }
        let f = std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
        f.take(limit + 1).read_to_end(&mut buf).with_context(|| format!("cannot read {}", path.display()))?;
    }
    if buf.len() as u64 > limit {
        anyhow::bail!(
            "{} is larger than {} (the limit for a Dockerfile)",
            if path == Path::new("-") { "standard input".to_string() } else { path.display().to_string() },
            imgslim::units::human_bytes(limit)
        );
    }
    Ok(buf)
}

fn kind(meta: &std::fs::Metadata) -> &'static str {
    let t = meta.file_type();
    if t.is_dir() {
        "a directory"
    } else if t.is_fifo() {
        "a FIFO"
    } else if t.is_char_device() || t.is_block_device() {
        "a device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "not a file"
    }
}

/// Where writing `path` really lands: a symlink's target (followed to the end).
fn resolve(path: &Path) -> anyhow::Result<PathBuf> {
    let mut p = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let t = std::fs::read_link(&p)?;
                p = if t.is_absolute() { t } else { p.parent().unwrap_or(Path::new(".")).join(t) };
            }
            _ => return Ok(p),
        }
    }
    anyhow::bail!("{}: too many levels of symbolic links", path.display())
}

/// Write `text` to `path` (see the module doc). `expected`: the file's identity when it was
/// read (`lint --fix`): if it changed since, nothing is written.
pub fn write_output(path: &Path, text: &str, expected: Option<&Identity>) -> anyhow::Result<()> {
    let target = resolve(path)?;
    match std::fs::metadata(&target) {
        Ok(meta) if !meta.is_file() && !meta.is_dir() => {
            // a device or FIFO: write through, do not replace the node
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .open(&target)
                .with_context(|| format!("cannot write {}", path.display()))?;
            f.write_all(text.as_bytes()).with_context(|| format!("cannot write {}", path.display()))?;
            Ok(())
        }
        Ok(meta) if meta.is_dir() => anyhow::bail!("{} is a directory", path.display()),
        Ok(meta) => {
            if meta.permissions().mode() & 0o222 == 0 {
                anyhow::bail!("{} is read-only: not replaced", path.display());
            }
            if let Some(id) = expected {
                if Identity::of(&meta) != *id {
                    anyhow::bail!("{} changed while imgslim worked on it: not replaced", path.display());
                }
            }
            if meta.nlink() > 1 {
                // a file with other hard links: rewrite it in place so every name sees the change
                let mut f = std::fs::OpenOptions::new()
                    .write(true)
                    .truncate(true)
                    .open(&target)
                    .with_context(|| format!("cannot write {}", path.display()))?;
                f.write_all(text.as_bytes()).with_context(|| format!("cannot write {}", path.display()))?;
                return Ok(());
            }
            replace(&target, text, Some(&meta))
        }
        Err(_) => replace(&target, text, None),
    }
}

fn replace(target: &Path, text: &str, old: Option<&std::fs::Metadata>) -> anyhow::Result<()> {
    let dir = target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir).with_context(|| format!("cannot write in {}", dir.display()))?;
    tmp.write_all(text.as_bytes())?;
    tmp.as_file().sync_all().ok();
    if let Some(meta) = old {
        let _ = std::fs::set_permissions(tmp.path(), meta.permissions());
        // keep the owner (possible as root, or when it is us already)
        let _ = std::os::unix::fs::chown(tmp.path(), Some(meta.uid()), Some(meta.gid()));
        // the file must still be the one we looked at
        let now = std::fs::metadata(target).ok();
        if now.as_ref().map(Identity::of) != Some(Identity::of(meta)) {
            anyhow::bail!("{} changed while imgslim wrote it: not replaced", target.display());
        }
    }
    if old.is_none() {
        // a new file gets the mode any program would give it (0666 less the umask), not the
        // temporary file's 0600
        // SAFETY: umask only swaps the process's mask; it is put back at once
        let mask = unsafe {
            let m = libc::umask(0o022);
            libc::umask(m);
            m
        };
        let _ = std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o666 & !mask));
    }
    tmp.persist(target).with_context(|| format!("cannot replace {}", target.display()))?;
    Ok(())
}

/// What identifies a file's version: device, inode, size and modification time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    dev: u64,
    ino: u64,
    len: u64,
    mtime: i64,
    mtime_ns: i64,
}

impl Identity {
    pub fn of(meta: &std::fs::Metadata) -> Identity {
        Identity { dev: meta.dev(), ino: meta.ino(), len: meta.len(), mtime: meta.mtime(), mtime_ns: meta.mtime_nsec() }
    }
    /// The identity of the file a path leads to (through symlinks).
    pub fn of_path(path: &Path) -> Option<Identity> {
        std::fs::metadata(path).ok().map(|m| Identity::of(&m))
    }
}

/// Give `new` the line endings of `old`: when `old` uses CRLF, every LF of `new` gets its CR.
pub fn keep_line_endings(old: &str, new: &str) -> String {
    let crlf = old.matches("\r\n").count();
    let lf = old.matches('\n').count();
    if crlf == 0 || crlf * 2 < lf {
        return new.to_string();
    }
    let mut out = String::with_capacity(new.len() + new.len() / 40);
    let mut prev = '\0';
    for ch in new.chars() {
        if ch == '\n' && prev != '\r' {
            out.push('\r');
        }
        out.push(ch);
        prev = ch;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_endings_are_kept() {
        assert_eq!(keep_line_endings("a\r\nb\r\n", "a\r\nx\nb\r\n"), "a\r\nx\r\nb\r\n");
        assert_eq!(keep_line_endings("a\nb\n", "a\nx\n"), "a\nx\n");
    }
}
