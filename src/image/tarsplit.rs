//! A layer of containers-storage (buildah, podman, CRI-O) as the exact tar it was stored from:
//! the tar-split file (`overlay-layers/<id>.tar-split.gz`: gzipped JSON lines, one per tar
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

/// The bytes of a layer's file bodies (what its files hold, without tar headers and padding),
/// read from its tar-split file alone.
pub fn body_bytes(tar_split: &Path) -> io::Result<u64> {
    const SEGMENT: &str = "{\"type\":2,";
    #[derive(serde::Deserialize)]
    struct Sized {
        #[serde(rename = "type")]
        kind: u8,
        #[serde(default)]
        size: u64,
    }
    let mut lines = BufReader::new(flate2::read::GzDecoder::new(File::open(tar_split)?));
    let mut line = String::new();
    let mut total = 0u64;
    loop {
        line.clear();
        let n = (&mut lines).take(MAX_LINE as u64 + 1).read_line(&mut line)?;
        if n == 0 {
            return Ok(total);
        }
        if n > MAX_LINE {
            return Err(bad("a line is too long"));
        }
        // a segment (type 2: header bytes in base64, most of the file) holds no body; tar-split
        // writes `type` first, so it is skipped without decoding its payload
        if line.trim().is_empty() || line.starts_with(SEGMENT) {
            continue;
        }
        let l: Sized = serde_json::from_str(&line).map_err(bad)?;
        if l.kind == 1 {
            total = total.saturating_add(l.size);
        }
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
            match File::open(d.join(&rel)) {
                Ok(f) => return Ok(f),
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e),
            }
        }
        Err(io::Error::new(io::ErrorKind::NotFound, format!("tar-split: the body of {rel} is in no layer directory")))
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
                        return Err(bad(format!("{path} is shorter than its tar header says")));
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
