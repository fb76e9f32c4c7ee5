//! A byte range of a local file, readable and seekable from several threads at once (positional
//! reads on one shared file handle).

use super::{Blob, BlobReader};
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::os::unix::fs::FileExt;
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct FileSection {
    file: Arc<File>,
    start: u64,
    len: u64,
    pos: u64,
}

impl FileSection {
    pub fn new(file: Arc<File>, start: u64, len: u64) -> Self {
        FileSection { file, start, len, pos: 0 }
    }

    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Read up to `buf.len()` bytes at `offset` within the section.
    pub fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        if offset >= self.len {
            return Ok(0);
        }
        let n = (buf.len() as u64).min(self.len - offset) as usize;
        self.file.read_at(&mut buf[..n], self.start + offset)
    }
}

impl Read for FileSection {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.read_at(buf, self.pos)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for FileSection {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        let target = match pos {
            SeekFrom::Start(p) => Some(p),
            SeekFrom::End(d) => self.len.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        self.pos = target.ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "seek before start"))?;
        Ok(self.pos)
    }
}

impl Blob for FileSection {
    fn size(&self) -> u64 {
        self.len
    }
    fn open(&self) -> io::Result<BlobReader> {
        Ok(BlobReader::Seekable(FileSection { pos: 0, ..self.clone() }))
    }
}
