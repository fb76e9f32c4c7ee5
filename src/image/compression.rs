//! Layer compression, chosen by media type (sniffed from magic bytes only where the format gives
//! none), with decoders that stream, digests computed while reading, and a bound on expansion.

use sha2::{Digest, Sha256};
use std::io::{self, BufReader, Read};
use std::sync::mpsc::{sync_channel, SyncSender};
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    None,
    Gzip,
    Zstd,
}

impl Compression {
    /// The compression a media type names; `None` (the Option) when it names none we know.
    pub fn from_media_type(mt: &str) -> Option<Compression> {
        let mt = mt.trim();
        if mt.ends_with("+gzip") || mt.ends_with(".tar.gzip") || mt.ends_with("tar.gz") {
            Some(Compression::Gzip)
        } else if mt.ends_with("+zstd") || mt.ends_with(".tar.zstd") {
            Some(Compression::Zstd)
        } else if mt.ends_with("layer.v1.tar") || mt.ends_with("nondistributable.v1.tar") || mt.ends_with("diff.tar") {
            Some(Compression::None)
        } else {
            None
        }
    }

    /// Sniff from the first bytes of a blob.
    pub fn sniff(head: &[u8]) -> Compression {
        if head.starts_with(&[0x1f, 0x8b]) {
            Compression::Gzip
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Compression::Zstd
        } else {
            Compression::None
        }
    }

    /// The media type a docker-archive layer would have in a registry.
    pub fn docker_media_type(self) -> &'static str {
        match self {
            Compression::None => "application/vnd.docker.image.rootfs.diff.tar",
            Compression::Gzip => "application/vnd.docker.image.rootfs.diff.tar.gzip",
            Compression::Zstd => "application/vnd.oci.image.layer.v1.tar+zstd",
        }
    }
}

/// Wrap a compressed stream in its decoder.
pub fn decoder<'a>(c: Compression, r: impl Read + Send + 'a) -> io::Result<Box<dyn Read + Send + 'a>> {
    let buffered = BufReader::with_capacity(256 << 10, r);
    Ok(match c {
        Compression::None => Box::new(buffered),
        Compression::Gzip => Box::new(flate2::bufread::MultiGzDecoder::new(buffered)),
        Compression::Zstd => Box::new(zstd::stream::read::Decoder::with_buffer(buffered)?),
    })
}

/// Fails once more than `limit` bytes have come out: a bound on decompression bombs.
pub struct Limited<R> {
    inner: R,
    left: u64,
    limit: u64,
}

impl<R> Limited<R> {
    pub fn new(inner: R, limit: u64) -> Self {
        Limited { inner, left: limit, limit }
    }
}

impl<R: Read> Read for Limited<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n as u64 > self.left {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("expands beyond {} bytes (decompression bomb?)", self.limit),
            ));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

/// The SHA-256 of everything read through a [`Hashing`] reader.
#[derive(Clone)]
pub enum HashHandle {
    /// Hashed in the reading thread.
    Inline(Arc<Mutex<(Sha256, u64)>>),
    /// Hashed by a helper thread, so a core that has finished its own layers can take the work.
    Threaded(SyncSender<Msg>),
}

pub enum Msg {
    Data(Vec<u8>),
    Finish(std::sync::mpsc::Sender<(String, u64)>),
}

fn hex_digest(h: Sha256) -> String {
    let hex: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

impl HashHandle {
    /// `sha256:<hex>` and the byte count of everything read so far.
    pub fn finish(&self) -> (String, u64) {
        match self {
            HashHandle::Inline(m) => {
                let g = m.lock().unwrap_or_else(|e| e.into_inner());
                (hex_digest(g.0.clone()), g.1)
            }
            HashHandle::Threaded(tx) => {
                let (rtx, rrx) = std::sync::mpsc::channel();
                if tx.send(Msg::Finish(rtx)).is_err() {
                    return (String::new(), 0);
                }
                rrx.recv().unwrap_or_default()
            }
        }
    }
}

pub struct Hashing<R> {
    inner: R,
    handle: HashHandle,
}

impl<R> Hashing<R> {
    pub fn new(inner: R) -> (Self, HashHandle) {
        let handle = HashHandle::Inline(Arc::default());
        (Hashing { inner, handle: handle.clone() }, handle)
    }

    /// Hash on a helper thread (worth it for large blobs).
    pub fn threaded(inner: R) -> (Self, HashHandle) {
        let (tx, rx) = sync_channel::<Msg>(16);
        std::thread::spawn(move || {
            let mut h = Sha256::new();
            let mut n = 0u64;
            while let Ok(msg) = rx.recv() {
                match msg {
                    Msg::Data(d) => {
                        h.update(&d);
                        n += d.len() as u64;
                    }
                    Msg::Finish(reply) => {
                        let _ = reply.send((hex_digest(h.clone()), n));
                    }
                }
            }
        });
        let handle = HashHandle::Threaded(tx);
        (Hashing { inner, handle: handle.clone() }, handle)
    }
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        match &self.handle {
            HashHandle::Inline(m) => {
                let mut g = m.lock().unwrap_or_else(|e| e.into_inner());
                g.0.update(&buf[..n]);
                g.1 += n as u64;
            }
            HashHandle::Threaded(tx) => {
                if n > 0 {
                    let _ = tx.send(Msg::Data(buf[..n].to_vec()));
                }
            }
        }
        Ok(n)
    }
}

/// A sha512 of everything read through it (for the layers and blobs an OCI image names by
/// sha512).
pub struct Sha512Reading<R> {
    inner: R,
    state: Arc<Mutex<(sha2::Sha512, u64)>>,
}

impl<R> Sha512Reading<R> {
    pub fn new(inner: R) -> (Self, Arc<Mutex<(sha2::Sha512, u64)>>) {
        let state = Arc::new(Mutex::new((sha2::Sha512::new(), 0)));
        (Sha512Reading { inner, state: state.clone() }, state)
    }
}

/// `sha512:<hex>` and the byte count so far.
pub fn sha512_finish(state: &Arc<Mutex<(sha2::Sha512, u64)>>) -> (String, u64) {
    let g = state.lock().unwrap_or_else(|e| e.into_inner());
    let hex: String = g.0.clone().finalize().iter().map(|b| format!("{b:02x}")).collect();
    (format!("sha512:{hex}"), g.1)
}

impl<R: Read> Read for Sha512Reading<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut g = self.state.lock().unwrap_or_else(|e| e.into_inner());
        g.0.update(&buf[..n]);
        g.1 += n as u64;
        Ok(n)
    }
}

/// The digest of a byte string with the algorithm `like` names (`sha256:` or `sha512:`).
pub fn digest_like(like: &str, bytes: &[u8]) -> String {
    if like.starts_with("sha512:") {
        let hex: String = sha2::Sha512::digest(bytes).iter().map(|b| format!("{b:02x}")).collect();
        format!("sha512:{hex}")
    } else {
        sha256(bytes)
    }
}

/// `sha256:<hex>` of a byte string.
pub fn sha256(bytes: &[u8]) -> String {
    let hex: String = Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_types() {
        assert_eq!(
            Compression::from_media_type("application/vnd.oci.image.layer.v1.tar+gzip"),
            Some(Compression::Gzip)
        );
        assert_eq!(
            Compression::from_media_type("application/vnd.oci.image.layer.v1.tar+zstd"),
            Some(Compression::Zstd)
        );
        assert_eq!(Compression::from_media_type("application/vnd.oci.image.layer.v1.tar"), Some(Compression::None));
        assert_eq!(
            Compression::from_media_type("application/vnd.docker.image.rootfs.diff.tar.gzip"),
            Some(Compression::Gzip)
        );
        assert_eq!(Compression::from_media_type("application/octet-stream"), None);
        assert_eq!(Compression::sniff(&[0x28, 0xb5, 0x2f, 0xfd, 0]), Compression::Zstd);
    }

    #[test]
    fn limits_and_hashes() {
        let data = vec![7u8; 1000];
        let (h, handle) = Hashing::new(&data[..]);
        let mut out = Vec::new();
        assert!(Limited::new(h, 999).read_to_end(&mut out).is_err());
        let (mut h, handle2) = Hashing::new(&data[..]);
        io::copy(&mut h, &mut io::sink()).unwrap();
        assert_eq!(handle2.finish(), (sha256(&data), 1000));
        let (mut h, handle3) = Hashing::threaded(&data[..]);
        io::copy(&mut h, &mut io::sink()).unwrap();
        assert_eq!(handle3.finish(), (sha256(&data), 1000));
        drop(handle);
    }
}

/// What a registry would store for a layer kept uncompressed (a docker-archive, the Docker
/// engine, containers-storage): estimated by compressing evenly spread samples of it with what
/// `imgslim push` uses (gzip level 6), never the whole layer.
#[derive(Debug, Default, Clone, Copy)]
pub struct PullEstimate {
    sampled_in: u64,
    sampled_out: u64,
}

/// Bytes per sample, and how many samples a layer gets at most (a layer of up to 3 MiB is
/// compressed whole): 3 MiB of gzip per layer keeps the estimate within a few percent (the
/// samples are twice gzip's window) at a tenth of what compressing 32 MiB cost.
pub const SAMPLE: u64 = 64 << 10;
pub const SAMPLES: u64 = 48;

impl PullEstimate {
    pub fn feed(&mut self, chunk: &[u8]) {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(Counter(0), flate2::Compression::new(6));
        if enc.write_all(chunk).is_ok() {
            if let Ok(c) = enc.finish() {
                // a gzip member's header and trailer (18 bytes) are paid once per layer, not per sample
                self.sampled_out += c.0.saturating_sub(18);
                self.sampled_in += chunk.len() as u64;
            }
        }
    }

    /// The estimated compressed size of a layer of `total` bytes.
    pub fn estimate(&self, total: u64) -> u64 {
        if self.sampled_in == 0 {
            return total;
        }
        (total as f64 * self.sampled_out as f64 / self.sampled_in as f64) as u64 + 18
    }

    /// The distance between samples for a layer of `total` bytes.
    pub fn stride(total: u64) -> u64 {
        (total / SAMPLES).max(SAMPLE)
    }

    /// Estimate from a reader that can skip forward (a file section, a tar-split layer).
    pub fn of_seekable(r: &mut (impl Read + io::Seek), total: u64) -> io::Result<u64> {
        let mut e = PullEstimate::default();
        let stride = Self::stride(total);
        let mut buf = vec![0u8; SAMPLE as usize];
        let mut at = 0;
        while at < total {
            r.seek(io::SeekFrom::Start(at))?;
            let want = SAMPLE.min(total - at) as usize;
            let mut got = 0;
            while got < want {
                match r.read(&mut buf[got..want])? {
                    0 => break,
                    n => got += n,
                }
            }
            e.feed(&buf[..got]);
            at += stride;
        }
        Ok(e.estimate(total))
    }
}

struct Counter(u64);

impl std::io::Write for Counter {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        self.0 += b.len() as u64;
        Ok(b.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A pass-through reader that samples what passes for a pull-size estimate (a layer that
/// streams once: the Docker engine's export).
pub struct Sampling<R> {
    inner: R,
    stride: u64,
    pos: u64,
    pending: Vec<u8>,
    pub estimate: Arc<Mutex<PullEstimate>>,
}

impl<R> Sampling<R> {
    pub fn new(inner: R, total: u64) -> Self {
        Sampling { inner, stride: PullEstimate::stride(total), pos: 0, pending: Vec::new(), estimate: Arc::default() }
    }
}

impl<R: Read> Read for Sampling<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut i = 0;
        while i < n {
            let in_stride = self.pos % self.stride;
            if in_stride < SAMPLE {
                let take = ((SAMPLE - in_stride) as usize).min(n - i);
                self.pending.extend_from_slice(&buf[i..i + take]);
                i += take;
                self.pos += take as u64;
                if self.pos % self.stride >= SAMPLE || self.pending.len() as u64 >= SAMPLE {
                    let mut e = self.estimate.lock().unwrap_or_else(|e| e.into_inner());
                    e.feed(&self.pending);
                    self.pending.clear();
                }
            } else {
                let skip = ((self.stride - in_stride) as usize).min(n - i);
                i += skip;
                self.pos += skip as u64;
            }
        }
        if n == 0 && !self.pending.is_empty() {
            let mut e = self.estimate.lock().unwrap_or_else(|e| e.into_inner());
            e.feed(&self.pending);
            self.pending.clear();
        }
        Ok(n)
    }
}
