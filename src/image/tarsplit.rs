//! A layer of containers-storage (buildah, podman, CRI-O) or of the Docker engine's overlay2
//! store as the exact tar it was stored from: the tar-split file (`overlay-layers/<id>.tar-split.gz`,
//! `image/overlay2/layerdb/sha256/<chain id>/tar-split.json.gz`: gzipped JSON lines, one per tar
//! segment or member body) holds every header byte; the bodies are the files of the layer's
//! directory. Reading splices them in order; skipping a body reads nothing, so a header-only
//! walk never opens a file.
//!
//! The reader is forward-only: `Seek` moves forward (what a tar walk does); backwards is an error.

use base64::Engine as _;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// One line of a tar-split file.
#[derive(serde::Deserialize)]
struct Line {
    #[serde(rename = "type")]
    kind: u8,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    name_raw: Option<String>,
    #[serde(default)]
    size: u64,
    #[serde(default)]
    payload: Option<String>,
}

/// The longest line a tar-split file may have (a segment holds one header run: a few KiB, more
/// with long PAX records).
const MAX_LINE: usize = 16 << 20;

enum Part {
    Bytes { data: Vec<u8>, at: usize },
    Body { path: String, size: u64, at: u64, file: Option<File> },
    End,
}

/// What a tar-split file says about its tar, read from the file alone.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    /// The member bodies' bytes (what the files hold, without headers and padding).
    pub body_bytes: u64,
    /// The whole tar's length: every segment's bytes plus the bodies.
    pub tar_len: u64,
}

/// A segment's decoded length from its base64 text (standard alphabet, padded).
fn base64_len(text: &str) -> u64 {
    let t = text.trim_end_matches('=');
    (t.len() as u64 * 3) / 4
}

/// The totals of a layer's tar-split file.
pub fn totals(tar_split: &Path) -> io::Result<Totals> {
    #[derive(serde::Deserialize)]
    struct Sized<'a> {
        #[serde(rename = "type")]
        kind: u8,
        #[serde(default)]
        size: u64,
        #[serde(default, borrow)]
        payload: Option<std::borrow::Cow<'a, str>>,
    }
    let mut lines = BufReader::new(flate2::read::GzDecoder::new(File::open(tar_split)?));
    let mut line = String::new();
    let mut t = Totals::default();
    loop {
        line.clear();
        let n = (&mut lines).take(MAX_LINE as u64 + 1).read_line(&mut line)?;
        if n == 0 {
            return Ok(t);
        }
        if n > MAX_LINE {
            return Err(bad("a line is too long"));
        }
        if line.trim().is_empty() {
            continue;
        }
        let l: Sized = serde_json::from_str(&line).map_err(bad)?;
        match l.kind {
            1 => {
                t.body_bytes = t.body_bytes.saturating_add(l.size);
                t.tar_len = t.tar_len.saturating_add(l.size);
            }
            2 => t.tar_len = t.tar_len.saturating_add(l.payload.as_deref().map_or(0, base64_len)),
            k => return Err(bad(format!("unknown entry type {k}"))),
        }
    }
}

/// A layer kept as a tar-split file and the directories its bodies are in, read as its exact
/// tar (containers-storage, the Docker engine's overlay2 store).
pub struct SplitBlob {
    pub tar_split: PathBuf,
    pub dirs: Vec<PathBuf>,
    /// The tar's length.
    pub size: u64,
}

impl super::Blob for SplitBlob {
    fn size(&self) -> u64 {
        self.size
    }
    fn open(&self) -> io::Result<super::BlobReader> {
        Ok(super::BlobReader::Forward(Box::new(TarSplit::open(&self.tar_split, self.dirs.clone(), self.size)?)))
    }
}

pub struct TarSplit {
    lines: BufReader<flate2::read::GzDecoder<File>>,
    /// Where bodies are found: the layer's directory first, then (overlay) its lower layers'.
    dirs: Vec<PathBuf>,
    len: u64,
    pos: u64,
    part: Part,
    line: String,
}

fn bad(what: impl std::fmt::Display) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("tar-split: {what}"))
}

impl TarSplit {
    /// `tar_split`: the `.tar-split.gz` file; `dirs`: body directories, nearest first; `len`:
    /// the tar's length (`diff-size` in layers.json).
    pub fn open(tar_split: &Path, dirs: Vec<PathBuf>, len: u64) -> io::Result<TarSplit> {
        let f = File::open(tar_split)?;
        Ok(TarSplit {
            lines: BufReader::new(flate2::read::GzDecoder::new(f)),
            dirs,
            len,
            pos: 0,
            part: Part::Bytes { data: Vec::new(), at: 0 },
            line: String::new(),
        })
    }

    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Move to the next part (a segment of header bytes or a body).
    fn next_part(&mut self) -> io::Result<()> {
        loop {
            self.line.clear();
            let n = (&mut self.lines).take(MAX_LINE as u64 + 1).read_line(&mut self.line)?;
            if n == 0 {
                self.part = Part::End;
                return Ok(());
            }
            if n > MAX_LINE {
                return Err(bad("a line is too long"));
            }
            if self.line.trim().is_empty() {
                continue;
            }
            let l: Line = serde_json::from_str(&self.line).map_err(bad)?;
            match l.kind {
                2 => {
                    let data = match l.payload {
                        Some(p) => base64::engine::general_purpose::STANDARD.decode(p).map_err(bad)?,
                        None => Vec::new(),
                    };
                    if !data.is_empty() {
                        self.part = Part::Bytes { data, at: 0 };
                        return Ok(());
                    }
                }
                1 if l.size > 0 => {
                    let path = match (l.name, l.name_raw) {
                        (Some(n), _) => n,
                        (None, Some(raw)) => String::from_utf8_lossy(
                            &base64::engine::general_purpose::STANDARD.decode(raw).map_err(bad)?,
                        )
                        .into_owned(),
                        (None, None) => return Err(bad("a body without a name")),
                    };
                    self.part = Part::Body { path, size: l.size, at: 0, file: None };
                    return Ok(());
                }
                1 => {}
                k => return Err(bad(format!("unknown entry type {k}"))),
            }
        }
    }

    /// The file holding a body: in the layer's directory, else in a lower layer's.
    fn body_file(&self, path: &str) -> io::Result<File> {
        let rel = crate::layer::tar::clean_path(path).map_err(bad)?;
        for d in &self.dirs {
            match open_in_root(d, &rel) {
                Ok(f) => return Ok(f),
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e),
            }
        }
        Err(io::Error::new(io::ErrorKind::NotFound, format!("tar-split: the body of {rel} is in no layer directory (was the image removed or changed while it was read?)")))
    }

    /// Skip `n` bytes, reading no body.
    fn advance(&mut self, mut n: u64) -> io::Result<()> {
        while n > 0 {
            match &mut self.part {
                Part::End => return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "tar-split: seek past the end")),
                Part::Bytes { data, at } => {
                    let k = n.min((data.len() - *at) as u64);
                    *at += k as usize;
                    n -= k;
                    self.pos += k;
                    if *at == data.len() {
                        self.next_part()?;
                    }
                }
                Part::Body { size, at, file, .. } => {
                    let k = n.min(*size - *at);
                    *at += k;
                    n -= k;
                    self.pos += k;
                    if let Some(f) = file {
                        f.seek(SeekFrom::Current(k as i64))?;
                    }
                    if *at == *size {
                        self.next_part()?;
                    }
                }
            }
        }
        Ok(())
    }
}

/// Open `rel` inside `root` as the engine that wrote the layer resolved it: symbolic links are
/// followed as if `root` were `/` (a layer's `etc -> /` leads to its own root, never to the
/// host's), and only a regular file is opened: the path is resolved without opening what it
/// names (`O_PATH`), and only a regular file is then opened for reading (never a FIFO, which
/// would block, or a device). Where `openat2` is missing, a path through a link is refused.
pub fn open_in_root(root: &Path, rel: &str) -> io::Result<File> {
    use std::os::fd::{AsRawFd, FromRawFd};
    use std::os::unix::fs::OpenOptionsExt;
    let read_flags = libc::O_RDONLY | libc::O_CLOEXEC | libc::O_NOCTTY | libc::O_NONBLOCK;
    let dir = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_PATH | libc::O_DIRECTORY | libc::O_CLOEXEC)
        .open(root)?;
    let c = std::ffi::CString::new(rel).map_err(|_| bad("a NUL byte in a path"))?;
    let mut how: libc::open_how = unsafe { std::mem::zeroed() };
    how.flags = (libc::O_PATH | libc::O_CLOEXEC) as u64;
    how.resolve = libc::RESOLVE_IN_ROOT | libc::RESOLVE_NO_MAGICLINKS;
    // SAFETY: a valid directory descriptor, a NUL-terminated path and an open_how of the size passed.
    let fd = unsafe {
        libc::syscall(
            libc::SYS_openat2,
            dir.as_raw_fd(),
            c.as_ptr(),
            &how as *const libc::open_how,
            std::mem::size_of::<libc::open_how>(),
        )
    };
    let not_regular = || bad(format!("{rel} is not a regular file in {}", root.display()));
    if fd >= 0 {
        // SAFETY: openat2 returned a new descriptor that nothing else owns.
        let path_fd = unsafe { File::from_raw_fd(fd as i32) };
        if !path_fd.metadata()?.is_file() {
            return Err(not_regular());
        }
        // reopen the resolved file itself for reading
        return std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(read_flags)
            .open(format!("/proc/self/fd/{}", path_fd.as_raw_fd()));
    }
    let err = io::Error::last_os_error();
    if !matches!(err.raw_os_error(), Some(libc::ENOSYS) | Some(libc::EPERM)) {
        return Err(err);
    }
    // no openat2 (an old kernel, a seccomp filter): no symbolic link on the way
    let mut at = root.to_path_buf();
    for part in Path::new(rel).components() {
        at.push(part);
        if std::fs::symlink_metadata(&at)?.file_type().is_symlink() {
            return Err(bad(format!("{rel} passes through a symbolic link")));
        }
    }
    if !std::fs::symlink_metadata(&at)?.is_file() {
        return Err(not_regular());
    }
    let f = std::fs::OpenOptions::new().read(true).custom_flags(read_flags | libc::O_NOFOLLOW).open(&at)?;
    if !f.metadata()?.is_file() {
        return Err(not_regular());
    }
    Ok(f)
}

impl Read for TarSplit {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let body_path = match &self.part {
                Part::Body { path, file: None, .. } => Some(path.clone()),
                _ => None,
            };
            if let Some(p) = body_path {
                let f = self.body_file(&p)?;
                if let Part::Body { file, at, .. } = &mut self.part {
                    let mut f = f;
                    f.seek(SeekFrom::Start(*at))?;
                    *file = Some(f);
                }
            }
            match &mut self.part {
                Part::End => return Ok(0),
                Part::Bytes { data, at } => {
                    if *at == data.len() {
                        self.next_part()?;
                        continue;
                    }
                    let k = buf.len().min(data.len() - *at);
                    buf[..k].copy_from_slice(&data[*at..*at + k]);
                    *at += k;
                    self.pos += k as u64;
                    return Ok(k);
                }
                Part::Body { size, at, file, path } => {
                    if *at == *size {
                        self.next_part()?;
                        continue;
                    }
                    let want = buf.len().min((*size - *at) as usize);
                    let k = file.as_mut().expect("opened above").read(&mut buf[..want])?;
                    if k == 0 {
                        return Err(bad(format!("{path} is shorter than its tar header says (was the image removed or changed while it was read?)")));
                    }
                    *at += k as u64;
                    self.pos += k as u64;
                    return Ok(k);
                }
            }
        }
    }
}

impl Seek for TarSplit {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let target = match to {
            SeekFrom::Start(p) => p,
            SeekFrom::Current(d) if d >= 0 => self.pos + d as u64,
            SeekFrom::End(d) => self.len.checked_add_signed(d).ok_or_else(|| bad("seek before the start"))?,
            SeekFrom::Current(_) => return Err(bad("seeking backwards")),
        };
        if target < self.pos {
            return Err(bad("seeking backwards"));
        }
        self.advance(target - self.pos)?;
        Ok(self.pos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn totals_and_the_spliced_tar_agree() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a"), b"hello").unwrap();
        let b64 = |n: usize, byte: u8| base64::engine::general_purpose::STANDARD.encode(vec![byte; n]);
        let lines = format!(
            "{{\"type\":2,\"payload\":\"{}\",\"position\":0}}\n{{\"type\":1,\"name\":\"./a\",\"size\":5,\"position\":1}}\n{{\"type\":2,\"payload\":\"{}\",\"position\":2}}\n",
            b64(512, b'h'),
            b64(507 + 1024, 0)
        );
        let ts = dir.path().join("t.tar-split.gz");
        let mut gz = flate2::write::GzEncoder::new(File::create(&ts).unwrap(), flate2::Compression::fast());
        gz.write_all(lines.as_bytes()).unwrap();
        gz.finish().unwrap();
        let t = totals(&ts).unwrap();
        assert_eq!(t, Totals { body_bytes: 5, tar_len: 2048 });
        let mut out = Vec::new();
        TarSplit::open(&ts, vec![dir.path().to_path_buf()], t.tar_len).unwrap().read_to_end(&mut out).unwrap();
        assert_eq!(out.len() as u64, t.tar_len);
        assert_eq!(&out[512..517], b"hello");
        // a body reached through a link to outside the layer is looked for inside it
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret"), b"host!").unwrap();
        std::os::unix::fs::symlink(outside.path(), dir.path().join("x")).unwrap();
        assert!(open_in_root(dir.path(), "x/secret").is_err());
        std::os::unix::fs::symlink("a", dir.path().join("to-a")).unwrap();
        let mut got = String::new();
        open_in_root(dir.path(), "to-a").unwrap().read_to_string(&mut got).unwrap();
        assert_eq!(got, "hello");
        // a FIFO is refused, not waited on
        let fifo = std::ffi::CString::new(dir.path().join("fifo").to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0);
        assert!(open_in_root(dir.path(), "fifo").is_err());
        // a padded payload's length is its bytes, not its text's
        assert_eq!(base64_len(&b64(1, 0)), 1);
        assert_eq!(base64_len(&b64(2, 0)), 2);
        assert_eq!(base64_len(&b64(3, 0)), 3);
    }
}
