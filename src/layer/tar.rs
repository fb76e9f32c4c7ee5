//! A header-only tar reader: it reads 512-byte headers (ustar, GNU and PAX), and skips file bodies
//! by seeking when the source can seek and by reading past them when it streams. Memory does not
//! depend on file sizes: extension headers are bounded and only bodies a caller asks for are read.

use std::io::{self, Read, Seek, SeekFrom};

/// Extension headers (PAX records, GNU long names) larger than this are refused.
pub const MAX_EXTENSION: u64 = 1 << 20;

#[derive(Debug, thiserror::Error)]
pub enum TarError {
    #[error("truncated tar: {0} bytes expected at offset {1}")]
    Truncated(u64, u64),
    #[error("corrupt tar header at offset {0} (checksum mismatch)")]
    Checksum(u64),
    #[error("corrupt tar header at offset {0}: {1}")]
    Header(u64, String),
    #[error("tar header extension of {0} bytes at offset {1} is larger than the {MAX_EXTENSION}-byte limit")]
    ExtensionTooLarge(u64, u64),
    #[error("a path of {0} bytes at offset {1} is longer than the {max}-byte limit", max = crate::limits::MAX_PATH_BYTES)]
    PathTooLong(usize, u64),
    #[error("unsafe path {0:?} in tar: {1}")]
    UnsafePath(String, &'static str),
    #[error("{0}")]
    Io(#[from] io::Error),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    File,
    Dir,
    Symlink,
    Hardlink,
    Char,
    Block,
    Fifo,
    Other,
}

/// One archive member, without its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Relative, cleaned path (`usr/bin/gcc`); the root is the empty string.
    pub path: String,
    pub kind: Kind,
    /// Body size (regular files; 0 for everything else).
    pub size: u64,
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
    /// Symlink target as written, or hard link target as a cleaned path.
    pub link: Option<String>,
}

/// Where the archive bytes come from.
pub trait Source {
    /// Fill `buf` completely, or return how many bytes were read before the end.
    fn fill(&mut self, buf: &mut [u8]) -> io::Result<usize>;
    /// Move forward `n` bytes; returns how many could be skipped before the end.
    fn skip(&mut self, n: u64) -> io::Result<u64>;
}

/// A stream, read in large chunks: header reads come from the buffer, skipping reads and
/// discards.
pub struct Stream<R> {
    inner: R,
    buf: Vec<u8>,
    pos: usize,
    end: usize,
}

const CHUNK: usize = 256 << 10;

impl<R: Read> Stream<R> {
    pub fn new(inner: R) -> Self {
        Stream { inner, buf: vec![0; CHUNK], pos: 0, end: 0 }
    }

    /// Refill the buffer; false at the end of the stream.
    fn refill(&mut self) -> io::Result<bool> {
        self.pos = 0;
        self.end = 0;
        loop {
            match self.inner.read(&mut self.buf) {
                Ok(n) => {
                    self.end = n;
                    return Ok(n > 0);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// The rest of the stream after what the walk consumed (unread buffer first).
    pub fn drain_rest(&mut self) -> io::Result<u64> {
        let mut n = (self.end - self.pos) as u64;
        self.pos = self.end;
        while self.refill()? {
            n += self.end as u64;
            self.pos = self.end;
        }
        Ok(n)
    }
}

impl<R: Read> Source for Stream<R> {
    fn fill(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let mut done = 0;
        while done < out.len() {
            if self.pos == self.end && !self.refill()? {
                break;
            }
            let k = (out.len() - done).min(self.end - self.pos);
            out[done..done + k].copy_from_slice(&self.buf[self.pos..self.pos + k]);
            self.pos += k;
            done += k;
        }
        Ok(done)
    }
    fn skip(&mut self, n: u64) -> io::Result<u64> {
        let mut left = n;
        while left > 0 {
            if self.pos == self.end && !self.refill()? {
                break;
            }
            let k = left.min((self.end - self.pos) as u64);
            self.pos += k as usize;
            left -= k;
        }
        Ok(n - left)
    }
}

/// A seekable source of known length: reads go through a small buffer (so the bodies of small
/// files are skipped without a system call), larger bodies are skipped by seeking.
pub struct Seekable<R> {
    inner: R,
    /// Position of `buf[0]` in the source.
    base: u64,
    buf: Vec<u8>,
    pos: usize,
    end: usize,
    len: u64,
}

impl<R: Read + Seek> Seekable<R> {
    /// A source whose length is known up front, read from its current position `base` (for
    /// forward-only sources, which cannot seek to their end and back). Such a source (a
    /// tar-split layer) skips a body for free but must open its file to read it, so it is read
    /// one header block at a time: a read-ahead into a body would open that file.
    pub fn with_len(inner: R, base: u64, len: u64) -> Self {
        Seekable { inner, base, buf: vec![0; 512], pos: 0, end: 0, len }
    }

    pub fn new(mut inner: R) -> io::Result<Self> {
        let base = inner.stream_position()?;
        let len = inner.seek(SeekFrom::End(0))?;
        inner.seek(SeekFrom::Start(base))?;
        Ok(Seekable { inner, base, buf: vec![0; 64 << 10], pos: 0, end: 0, len })
    }

    fn position(&self) -> u64 {
        self.base + self.pos as u64
    }
}

impl<R: Read + Seek> Source for Seekable<R> {
    fn fill(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let mut done = 0;
        while done < out.len() {
            if self.pos == self.end {
                self.base += self.end as u64;
                self.pos = 0;
                self.end = fill_from(&mut self.inner, &mut self.buf)?;
                if self.end == 0 {
                    break;
                }
            }
            let k = (out.len() - done).min(self.end - self.pos);
            out[done..done + k].copy_from_slice(&self.buf[self.pos..self.pos + k]);
            self.pos += k;
            done += k;
        }
        Ok(done)
    }
    fn skip(&mut self, n: u64) -> io::Result<u64> {
        let here = self.position();
        let k = n.min(self.len.saturating_sub(here));
        if k <= (self.end - self.pos) as u64 {
            self.pos += k as usize;
        } else {
            let target = here + k;
            self.inner.seek(SeekFrom::Start(target))?;
            self.base = target;
            self.pos = 0;
            self.end = 0;
        }
        Ok(k)
    }
}

fn fill_from(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut done = 0;
    while done < buf.len() {
        match r.read(&mut buf[done..]) {
            Ok(0) => break,
            Ok(n) => done += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(done)
}

/// What to do with an entry's body.
pub enum Body {
    Skip,
    /// Read the body into memory if it is at most this many bytes.
    Capture(u64),
}

/// Clean a tar path: relative, no `.`/empty components; `..` may not climb above the root.
pub fn clean_path(raw: &str) -> Result<String, TarError> {
    if raw.starts_with('/') {
        return Err(TarError::UnsafePath(raw.into(), "absolute path"));
    }
    let mut parts: Vec<&str> = Vec::new();
    for comp in raw.split('/') {
        match comp {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Err(TarError::UnsafePath(raw.into(), "escapes the root"));
                }
            }
            c => parts.push(c),
        }
    }
    Ok(parts.join("/"))
}

fn field_str(b: &[u8]) -> &[u8] {
    let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
    &b[..end]
}

/// Numeric header field: octal text, or GNU base-256 when the high bit is set.
fn numeric(b: &[u8], offset: u64, what: &str) -> Result<u64, TarError> {
    if b.first().is_some_and(|c| c & 0x80 != 0) {
        if b[0] == 0xff {
            return Err(TarError::Header(offset, format!("negative {what}")));
        }
        let mut v: u64 = u64::from(b[0] & 0x7f);
        for &c in &b[1..] {
            v = v
                .checked_mul(256)
                .and_then(|v| v.checked_add(u64::from(c)))
                .ok_or_else(|| TarError::Header(offset, format!("{what} too large")))?;
        }
        return Ok(v);
    }
    let s = field_str(b);
    let s = std::str::from_utf8(s).map_err(|_| TarError::Header(offset, format!("bad {what}")))?;
    let s = s.trim_matches(|c: char| c == ' ' || c == '\0');
    if s.is_empty() {
        return Ok(0);
    }
    u64::from_str_radix(s, 8).map_err(|_| TarError::Header(offset, format!("bad {what} {s:?}")))
}

fn checksum_ok(h: &[u8; 512], offset: u64) -> Result<bool, TarError> {
    let want = numeric(&h[148..156], offset, "checksum")?;
    let mut unsigned: u64 = 0;
    let mut signed: i64 = 0;
    for (i, &b) in h.iter().enumerate() {
        let b = if (148..156).contains(&i) { b' ' } else { b };
        unsigned += u64::from(b);
        signed += i64::from(b as i8);
    }
    Ok(want == unsigned || want as i64 == signed)
}

#[derive(Default)]
struct Pending {
    path: Option<String>,
    link: Option<String>,
    size: Option<u64>,
    uid: Option<u64>,
    gid: Option<u64>,
}

fn parse_pax(data: &[u8], p: &mut Pending, offset: u64) -> Result<(), TarError> {
    let mut rest = data;
    while !rest.is_empty() {
        let sp =
            rest.iter().position(|&c| c == b' ').ok_or_else(|| TarError::Header(offset, "bad PAX record".into()))?;
        let len: usize = std::str::from_utf8(&rest[..sp])
            .ok()
            .and_then(|s| s.parse().ok())
            .filter(|&l| l > sp + 1 && l <= rest.len())
            .ok_or_else(|| TarError::Header(offset, "bad PAX record length".into()))?;
        let record = &rest[sp + 1..len];
        let record = record.strip_suffix(b"\n").unwrap_or(record);
        if let Some(eq) = record.iter().position(|&c| c == b'=') {
            let (k, v) = (&record[..eq], &record[eq + 1..]);
            let text = || String::from_utf8_lossy(v).into_owned();
            let num = || std::str::from_utf8(v).ok().and_then(|s| s.parse::<u64>().ok());
            match k {
                b"path" => p.path = Some(text()),
                b"linkpath" => p.link = Some(text()),
                b"size" => p.size = Some(num().ok_or_else(|| TarError::Header(offset, "bad PAX size".into()))?),
                b"uid" => p.uid = num(),
                b"gid" => p.gid = num(),
                _ => {}
            }
        }
        rest = &rest[len..];
    }
    Ok(())
}

/// Statistics of one walk.
#[derive(Debug, Default, Clone, Copy)]
pub struct Walked {
    pub entries: u64,
    /// Bytes of the archive consumed (headers and bodies).
    pub bytes: u64,
}

/// Where a walk is: the offset in the archive, extension headers waiting for their member, and
/// statistics.
struct Cursor {
    offset: u64,
    pending: Pending,
    stats: Walked,
}

fn read_exact<S: Source>(src: &mut S, buf: &mut [u8], offset: u64) -> Result<(), TarError> {
    let n = src.fill(buf)?;
    if n < buf.len() {
        return Err(TarError::Truncated(buf.len() as u64, offset + n as u64));
    }
    Ok(())
}

fn skip_exact<S: Source>(src: &mut S, n: u64, offset: u64) -> Result<(), TarError> {
    let k = src.skip(n)?;
    if k < n {
        return Err(TarError::Truncated(n, offset + k));
    }
    Ok(())
}

/// The next member's entry, its body size and padded size; None at the end of the archive.
/// The caller consumes exactly `padded` bytes (the body and its padding) before the next call.
fn next_entry<S: Source>(src: &mut S, cur: &mut Cursor) -> Result<Option<(Entry, u64, u64)>, TarError> {
    let mut header = [0u8; 512];
    loop {
        let n = src.fill(&mut header)?;
        if n == 0 {
            return Ok(None); // end of data without the zero blocks: accepted, as tar does
        }
        if n < 512 {
            return Err(TarError::Truncated(512, cur.offset + n as u64));
        }
        let at = cur.offset;
        cur.offset += 512;
        if header.iter().all(|&b| b == 0) {
            return Ok(None);
        }
        if !checksum_ok(&header, at)? {
            return Err(TarError::Checksum(at));
        }
        let typeflag = header[156];
        let size = numeric(&header[124..136], at, "size")?;
        let padded =
            size.checked_add(511).map(|s| s & !511).ok_or_else(|| TarError::Header(at, "size too large".into()))?;
        if let b'x' | b'g' | b'L' | b'K' = typeflag {
            if size > MAX_EXTENSION {
                return Err(TarError::ExtensionTooLarge(size, at));
            }
            let mut data = vec![0u8; padded as usize];
            read_exact(src, &mut data, cur.offset)?;
            cur.offset += padded;
            data.truncate(size as usize);
            match typeflag {
                b'x' => parse_pax(&data, &mut cur.pending, at)?,
                b'g' => {} // global PAX headers carry nothing a layer needs
                b'L' => cur.pending.path = Some(String::from_utf8_lossy(field_str(&data)).into_owned()),
                _ => cur.pending.link = Some(String::from_utf8_lossy(field_str(&data)).into_owned()),
            }
            continue;
        }
        let pending = &mut cur.pending;
        let ustar = &header[257..263] == b"ustar\0" || &header[257..263] == b"ustar ";
        let raw_path = pending.path.take().unwrap_or_else(|| {
            let name = String::from_utf8_lossy(field_str(&header[0..100])).into_owned();
            let prefix = if ustar && header[263..265] == *b"00" {
                String::from_utf8_lossy(field_str(&header[345..500])).into_owned()
            } else {
                String::new()
            };
            if prefix.is_empty() {
                name
            } else {
                format!("{prefix}/{name}")
            }
        });
        let raw_link =
            pending.link.take().unwrap_or_else(|| String::from_utf8_lossy(field_str(&header[157..257])).into_owned());
        let size = pending.size.take().unwrap_or(size);
        let padded =
            size.checked_add(511).map(|s| s & !511).ok_or_else(|| TarError::Header(at, "size too large".into()))?;
        let kind = match typeflag {
            b'0' | b'\0' | b'7' => Kind::File,
            b'1' => Kind::Hardlink,
            b'2' => Kind::Symlink,
            b'3' => Kind::Char,
            b'4' => Kind::Block,
            b'5' => Kind::Dir,
            b'6' => Kind::Fifo,
            _ => Kind::Other,
        };
        if raw_path.len() > crate::limits::MAX_PATH_BYTES || raw_link.len() > crate::limits::MAX_PATH_BYTES {
            return Err(TarError::PathTooLong(raw_path.len().max(raw_link.len()), at));
        }
        // A regular file with a trailing slash is an old-style directory.
        let kind = if kind == Kind::File && raw_path.ends_with('/') { Kind::Dir } else { kind };
        let path = clean_path(&raw_path)?;
        let link = match kind {
            Kind::Symlink => Some(raw_link),
            Kind::Hardlink => Some(clean_path(&raw_link)?),
            _ => None,
        };
        let entry = Entry {
            path,
            kind,
            size: if kind == Kind::File { size } else { 0 },
            mode: numeric(&header[100..108], at, "mode")? as u32,
            uid: pending.uid.take().map_or_else(|| numeric(&header[108..116], at, "uid"), Ok)?,
            gid: pending.gid.take().map_or_else(|| numeric(&header[116..124], at, "gid"), Ok)?,
            link,
        };
        cur.pending = Pending::default();
        cur.stats.entries += 1;
        return Ok(Some((entry, size, padded)));
    }
}

/// Copy one tar archive from `r` to `w`, up to its end-of-archive blocks (what follows is not
/// read: a stream of zeros ends at once), at most `max` bytes. Headers are checked as they pass.
pub fn copy_archive(r: &mut impl Read, w: &mut impl io::Write, max: u64) -> Result<u64, TarError> {
    let mut block = [0u8; 512];
    let mut at = 0u64;
    let fill = |r: &mut dyn Read, b: &mut [u8], at: u64| -> Result<usize, TarError> {
        let mut n = 0;
        while n < b.len() {
            match r.read(&mut b[n..]) {
                Ok(0) => break,
                Ok(k) => n += k,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e.into()),
            }
        }
        if n != 0 && n < b.len() {
            return Err(TarError::Truncated(b.len() as u64, at + n as u64));
        }
        Ok(n)
    };
    let mut body = vec![0u8; 1 << 16];
    loop {
        if fill(r, &mut block, at)? == 0 {
            return Ok(at);
        }
        w.write_all(&block)?;
        let here = at;
        at += 512;
        if block.iter().all(|&b| b == 0) {
            // the second zero block, when there is one
            if fill(r, &mut block, at)? == 512 {
                w.write_all(&block)?;
                at += 512;
            }
            return Ok(at);
        }
        if !checksum_ok(&block, here)? {
            return Err(TarError::Checksum(here));
        }
        let size = numeric(&block[124..136], here, "size")?;
        let mut left =
            size.checked_add(511).map(|s| s & !511).ok_or_else(|| TarError::Header(here, "size too large".into()))?;
        if at.saturating_add(left) > max {
            return Err(TarError::Header(here, format!("the archive is larger than the {max}-byte limit")));
        }
        while left > 0 {
            let k = left.min(body.len() as u64) as usize;
            let n = fill(r, &mut body[..k], at)?;
            if n == 0 {
                return Err(TarError::Truncated(left, at));
            }
            w.write_all(&body[..n])?;
            at += n as u64;
            left -= n as u64;
        }
    }
}

/// Walk every member; `visit` sees each entry, the body when `choose` asked for it, and the offset
/// of the body in the archive.
pub fn walk<S: Source>(
    src: &mut S,
    mut choose: impl FnMut(&Entry) -> Body,
    mut visit: impl FnMut(Entry, Option<Vec<u8>>, u64) -> Result<(), TarError>,
) -> Result<Walked, TarError> {
    let mut cur = Cursor { offset: 0, pending: Pending::default(), stats: Walked::default() };
    while let Some((entry, size, padded)) = next_entry(src, &mut cur)? {
        let body = match choose(&entry) {
            Body::Capture(limit) if size <= limit && entry.kind == Kind::File => {
                let mut data = vec![0u8; size as usize];
                read_exact(src, &mut data, cur.offset)?;
                skip_exact(src, padded - size, cur.offset + size)?;
                Some(data)
            }
            _ => {
                skip_exact(src, padded, cur.offset)?;
                None
            }
        };
        let body_offset = cur.offset;
        cur.offset += padded;
        visit(entry, body, body_offset)?;
    }
    cur.stats.bytes = cur.offset;
    Ok(cur.stats)
}

/// A member's body as a reader (what is left unread is skipped after the visit).
pub struct BodyReader<'a, S: Source> {
    src: &'a mut S,
    left: u64,
}

impl<S: Source> io::Read for BodyReader<'_, S> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let k = (buf.len() as u64).min(self.left) as usize;
        if k == 0 {
            return Ok(0);
        }
        let n = self.src.fill(&mut buf[..k])?;
        if n == 0 {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "tar member truncated"));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

/// Walk every member of an archive that arrives as a stream, handing each regular file's body to
/// `visit` as a reader (for archives of archives: a `docker save` stream of layer tars).
pub fn walk_streaming<S: Source>(
    src: &mut S,
    mut visit: impl FnMut(&Entry, &mut BodyReader<'_, S>) -> Result<(), TarError>,
) -> Result<Walked, TarError> {
    let mut cur = Cursor { offset: 0, pending: Pending::default(), stats: Walked::default() };
    while let Some((entry, size, padded)) = next_entry(src, &mut cur)? {
        let mut body = BodyReader { src, left: if entry.kind == Kind::File { size } else { 0 } };
        visit(&entry, &mut body)?;
        let rest = body.left + (padded - (size.min(padded)));
        let unread = if entry.kind == Kind::File { rest } else { padded };
        skip_exact(src, unread, cur.offset + padded - unread)?;
        cur.offset += padded;
    }
    cur.stats.bytes = cur.offset;
    Ok(cur.stats)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(name: &str, typeflag: u8, size: u64, link: &str) -> [u8; 512] {
        let mut h = [0u8; 512];
        h[..name.len()].copy_from_slice(name.as_bytes());
        h[100..107].copy_from_slice(b"0000644");
        h[108..115].copy_from_slice(b"0000000");
        h[116..123].copy_from_slice(b"0000000");
        h[124..135].copy_from_slice(format!("{size:011o}").as_bytes());
        h[136..147].copy_from_slice(b"00000000000");
        h[156] = typeflag;
        h[157..157 + link.len()].copy_from_slice(link.as_bytes());
        h[257..263].copy_from_slice(b"ustar\0");
        h[263..265].copy_from_slice(b"00");
        h[148..156].copy_from_slice(b"        ");
        let sum: u64 = h.iter().map(|&b| u64::from(b)).sum();
        h[148..155].copy_from_slice(format!("{sum:06o}\0").as_bytes());
        h
    }

    fn archive(members: &[(&str, u8, &[u8], &str)]) -> Vec<u8> {
        let mut out = Vec::new();
        for (name, t, body, link) in members {
            out.extend(header(name, *t, body.len() as u64, link));
            out.extend(*body);
            out.resize(out.len().div_ceil(512) * 512, 0);
        }
        out.extend([0u8; 1024]);
        out
    }

    fn entries(data: &[u8]) -> Result<Vec<Entry>, TarError> {
        let mut v = Vec::new();
        walk(
            &mut Stream::new(data),
            |_| Body::Skip,
            |e, _, _| {
                v.push(e);
                Ok(())
            },
        )?;
        Ok(v)
    }

    #[test]
    fn reads_members_and_skips_bodies() {
        let data = archive(&[
            ("./usr/", b'5', b"", ""),
            ("./usr/a", b'0', b"hello", ""),
            ("usr/l", b'2', b"", "a"),
            ("usr/h", b'1', b"", "./usr/a"),
        ]);
        let e = entries(&data).unwrap();
        assert_eq!(e.iter().map(|e| e.path.as_str()).collect::<Vec<_>>(), ["usr", "usr/a", "usr/l", "usr/h"]);
        assert_eq!((e[1].kind, e[1].size), (Kind::File, 5));
        assert_eq!(e[3].link.as_deref(), Some("usr/a"));
        let mut seek = Seekable::new(io::Cursor::new(data)).unwrap();
        let mut captured = None;
        walk(
            &mut seek,
            |e| {
                if e.path == "usr/a" {
                    Body::Capture(10)
                } else {
                    Body::Skip
                }
            },
            |_, b, _| {
                if b.is_some() {
                    captured = b;
                }
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(captured.as_deref(), Some(&b"hello"[..]));
    }

    #[test]
    fn hostile_archives_are_errors() {
        let good = archive(&[("a", b'0', &[1u8; 2000], "")]);
        assert!(matches!(entries(&good[..1000]), Err(TarError::Truncated(..))));
        let mut seek = Seekable::new(io::Cursor::new(good[..1000].to_vec())).unwrap();
        assert!(matches!(walk(&mut seek, |_| Body::Skip, |_, _, _| Ok(())), Err(TarError::Truncated(..))));
        let mut bad = good.clone();
        bad[0] = b'b';
        assert!(matches!(entries(&bad), Err(TarError::Checksum(0))));
        assert!(matches!(entries(&archive(&[("../etc/passwd", b'0', b"", "")])), Err(TarError::UnsafePath(..))));
        assert!(matches!(entries(&archive(&[("/etc/passwd", b'0', b"", "")])), Err(TarError::UnsafePath(..))));
        assert!(matches!(entries(&archive(&[("a/../../b", b'0', b"", "")])), Err(TarError::UnsafePath(..))));
        let mut huge = header("././@LongLink", b'L', 1 << 30, "").to_vec();
        huge.extend([0u8; 1024]);
        assert!(matches!(entries(&huge), Err(TarError::ExtensionTooLarge(..))));
    }

    #[test]
    fn long_names_and_pax() {
        let long = "d/".repeat(80) + "file";
        let mut data = header("././@LongLink", b'L', long.len() as u64 + 1, "").to_vec();
        data.extend(long.as_bytes());
        data.push(0);
        data.resize(data.len().div_ceil(512) * 512, 0);
        data.extend(header("truncated-name", b'0', 0, ""));
        let pax = format!("{} path=p/x\n", "path=p/x\n".len() + 3);
        data.extend(header("pax", b'x', pax.len() as u64, ""));
        data.extend(pax.as_bytes());
        data.resize(data.len().div_ceil(512) * 512, 0);
        data.extend(archive(&[("short", b'0', b"", ""), ("other", b'0', b"", "")]));
        let e = entries(&data).unwrap();
        let paths: Vec<&str> = e.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, [long.as_str(), "p/x", "other"]);
    }

    #[test]
    fn clean_paths() {
        assert_eq!(clean_path("./a//b/./c/").unwrap(), "a/b/c");
        assert_eq!(clean_path("a/../b").unwrap(), "b");
        assert_eq!(clean_path("./").unwrap(), "");
    }
}
