//! Reading one layer: decompress as its media type says, walk the tar headers, keep the entries and
//! the few small files the analysis needs (package databases), check digests where the layer is
//! read in full.

use super::tar::{walk, Body, Entry, Seekable, Stream, TarError};
use crate::image::compression::{decoder, Hashing, Limited, PullEstimate, Sampling};
use crate::image::{BlobReader, Compression, ImageError, Layer};
use crate::limits::MAX_CAPTURED_BYTES;
use std::io::{self, Read};
use std::sync::atomic::{AtomicU64, Ordering};

/// Everything a layer holds, bodies excluded.
#[derive(Debug, Default)]
pub struct LayerIndex {
    pub entries: Vec<Entry>,
    /// Bodies that were asked for: (entry index, bytes).
    pub captured: Captured,
    /// A tag per entry computed while reading (see [`ReadOptions::tag`]).
    pub tags: Vec<u8>,
    /// Size of the uncompressed tar.
    pub tar_bytes: u64,
    /// Digest of the blob, when it was read in full.
    pub blob_digest: Option<String>,
    /// Digest of the uncompressed tar, when it was hashed (`verify`).
    pub diff_id: Option<String>,
    /// For a layer kept uncompressed: the estimated size of its gzip blob in a registry.
    pub pull_estimate: Option<u64>,
}

/// Bodies kept from a layer's files (package databases): (entry index, bytes). What all layers of
/// the process hold at once is bounded by [`MAX_CAPTURED_BYTES`]; a body past it is not kept and
/// counted in `refused`.
#[derive(Debug, Default)]
pub struct Captured {
    items: Vec<(usize, Vec<u8>)>,
    bytes: u64,
    pub refused: u32,
}

static HELD: AtomicU64 = AtomicU64::new(0);

impl Captured {
    fn keep(&mut self, entry: usize, body: Vec<u8>) {
        let n = body.len() as u64;
        let reserved = HELD.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |held| {
            (held + n <= MAX_CAPTURED_BYTES).then_some(held + n)
        });
        if reserved.is_ok() {
            self.bytes += n;
            self.items.push((entry, body));
        } else {
            self.refused += 1;
        }
    }
}

impl Drop for Captured {
    fn drop(&mut self) {
        HELD.fetch_sub(self.bytes, Ordering::SeqCst);
    }
}

impl<'a> IntoIterator for &'a Captured {
    type Item = &'a (usize, Vec<u8>);
    type IntoIter = std::slice::Iter<'a, (usize, Vec<u8>)>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

#[derive(Clone, Copy)]
pub struct ReadOptions<'a> {
    /// Read every byte and check both digests.
    pub verify: bool,
    /// Which bodies to keep.
    pub capture: &'a (dyn Fn(&Entry) -> Body + Sync),
    /// A per-entry annotation computed in the reading thread (work that would otherwise wait
    /// for the slowest layer), e.g. a classification.
    pub tag: Option<&'a (dyn Fn(&Entry) -> u8 + Sync)>,
    /// Estimate what a registry would store for a layer kept uncompressed (samples compressed).
    pub estimate_pull: bool,
}

/// A layer may not expand to more than this many times its stored size (and at least 1 GiB):
/// a bound on decompression bombs.
pub const MAX_EXPANSION: u64 = 1000;

fn layer_err(layer: &Layer, e: impl std::fmt::Display) -> ImageError {
    ImageError::Layer {
        digest: if layer.digest.is_empty() { "(unnamed)".into() } else { layer.digest.clone() },
        detail: e.to_string(),
    }
}

fn tar_err(layer: &Layer, e: TarError) -> ImageError {
    match e {
        TarError::UnsafePath(..) | TarError::ExtensionTooLarge(..) => layer_err(layer, e),
        TarError::Io(io) => layer_err(layer, describe_io(layer, io)),
        other => layer_err(layer, other),
    }
}

fn describe_io(layer: &Layer, e: io::Error) -> String {
    match (layer.compression, e.kind()) {
        (Compression::Gzip, io::ErrorKind::UnexpectedEof) => "gzip stream is truncated".into(),
        (Compression::Gzip, _) => format!("bad gzip data: {e}"),
        (Compression::Zstd, _) => format!("bad zstd data: {e}"),
        _ => e.to_string(),
    }
}

pub fn read_layer(layer: &Layer, opts: ReadOptions) -> Result<LayerIndex, ImageError> {
    let mut index = LayerIndex::default();
    let blob = layer.blob.open().map_err(|e| layer_err(layer, e))?;
    let mut visit = |e: Entry, body: Option<Vec<u8>>, _| {
        if let Some(b) = body {
            index.captured.keep(index.entries.len(), b);
        }
        if let Some(tag) = opts.tag {
            index.tags.push(tag(&e));
        }
        index.entries.push(e);
        Ok(())
    };
    match blob {
        // A plain tar in a local file: seek past every body.
        BlobReader::Seekable(section) if layer.compression == Compression::None && !opts.verify => {
            let mut src = Seekable::new(section).map_err(|e| layer_err(layer, e))?;
            let walked = walk(&mut src, opts.capture, &mut visit).map_err(|e| tar_err(layer, e))?;
            index.tar_bytes = walked.bytes;
        }
        BlobReader::Forward(parts) if layer.compression == Compression::None && !opts.verify => {
            let len = parts.len();
            let mut src = Seekable::with_len(parts, 0, len);
            let walked = walk(&mut src, opts.capture, &mut visit).map_err(|e| tar_err(layer, e))?;
            index.tar_bytes = walked.bytes;
        }
        blob => return index_stream(layer, blob, opts),
    }
    if opts.estimate_pull {
        // a second, sampled read of the bodies the walk skipped
        let est = match layer.blob.open().map_err(|e| layer_err(layer, e))? {
            BlobReader::Seekable(mut s) => PullEstimate::of_seekable(&mut s, layer.size),
            BlobReader::Forward(mut f) => PullEstimate::of_seekable(&mut *f, layer.size),
            BlobReader::Stream(_) => Ok(layer.size),
        };
        index.pull_estimate = Some(est.map_err(|e| layer_err(layer, e))?);
    }
    Ok(index)
}

/// Index a layer that arrives as a stream (compressed or not: `layer.compression` says): hash the
/// blob as it streams, decode, walk the headers; check the blob's size and digests where the
/// layer names them.
pub fn index_stream(layer: &Layer, blob: impl Read + Send, opts: ReadOptions) -> Result<LayerIndex, ImageError> {
    let mut index = LayerIndex::default();
    let mut visit = |e: Entry, body: Option<Vec<u8>>, _| {
        if let Some(b) = body {
            index.captured.keep(index.entries.len(), b);
        }
        if let Some(tag) = opts.tag {
            index.tags.push(tag(&e));
        }
        index.entries.push(e);
        Ok(())
    };
    // Read in full: hash the blob as it streams (a compressed layer is read in full anyway).
    // large blobs are hashed on a helper thread: the core that finishes its layers first
    // takes that work off the critical path
    // a layer named by sha512 is checked by sha512 too
    let (blob, sha512): (Box<dyn Read + Send + '_>, _) = if layer.digest.starts_with("sha512:") {
        let (r, state) = crate::image::compression::Sha512Reading::new(blob);
        (Box::new(r), Some(state))
    } else {
        (Box::new(blob), None)
    };
    let (hashed, blob_hash) = if layer.size > (16 << 20) { Hashing::threaded(blob) } else { Hashing::new(blob) };
    // a plain layer read once (an engine's export): sample it for the pull size as it passes
    type Shared = std::sync::Arc<std::sync::Mutex<PullEstimate>>;
    let (hashed, estimate): (Box<dyn Read + Send + '_>, Option<Shared>) =
        if opts.estimate_pull && layer.compression == Compression::None {
            let s = Sampling::new(hashed, layer.size);
            let e = s.estimate.clone();
            (Box::new(s), Some(e))
        } else {
            (Box::new(hashed), None)
        };
    let limit = layer.size.saturating_mul(MAX_EXPANSION).max(1 << 30);
    let decoded = Limited::new(decoder(layer.compression, hashed).map_err(|e| layer_err(layer, e))?, limit);
    // hashing the uncompressed stream costs as much as decompressing: only when asked
    let (mut tar_stream, diff_hash): (Box<dyn Read + Send>, _) = if opts.verify {
        let (h, handle) = Hashing::new(decoded);
        (Box::new(h), Some(handle))
    } else {
        (Box::new(decoded), None)
    };
    let mut src = Stream::new(&mut tar_stream);
    let walked = walk(&mut src, opts.capture, &mut visit).map_err(|e| tar_err(layer, e))?;
    // Drain what follows the end-of-archive blocks so the digests cover every byte.
    let rest = src.drain_rest().map_err(|e| layer_err(layer, describe_io(layer, e)))?;
    index.tar_bytes = walked.bytes + rest;
    let (blob_digest, blob_len) = blob_hash.finish();
    if blob_len != layer.size {
        return Err(layer_err(layer, format!("blob is {blob_len} bytes, expected {}", layer.size)));
    }
    let named = match &sha512 {
        Some(state) => crate::image::compression::sha512_finish(state).0,
        None => blob_digest.clone(),
    };
    if !layer.digest.is_empty() && layer.digest != named {
        return Err(ImageError::DigestMismatch {
            what: format!("layer {}", layer.digest),
            expected: layer.digest.clone(),
            actual: named,
        });
    }
    index.blob_digest = Some(blob_digest);
    index.pull_estimate = estimate.map(|e| e.lock().unwrap_or_else(|p| p.into_inner()).estimate(layer.size));
    if let Some(diff_hash) = diff_hash {
        let (diff_id, _) = diff_hash.finish();
        if let Some(want) = layer.diff_id.as_deref().filter(|d| d.starts_with("sha256:")) {
            if want != diff_id {
                return Err(ImageError::DigestMismatch {
                    what: format!("layer {} (uncompressed)", layer.digest),
                    expected: want.to_string(),
                    actual: diff_id,
                });
            }
        }
        index.diff_id = Some(diff_id);
    }

    Ok(index)
}

/// Read a whole blob through its decoder in large reads, discarding the output: the cost of
/// decompression alone, as a floor for analysis times.
pub fn drain(layer: &Layer) -> io::Result<u64> {
    let blob = layer.blob.open()?;
    let mut d = decoder(layer.compression, blob)?;
    let mut buf = vec![0u8; 256 << 10];
    let mut total = 0;
    loop {
        match d.read(&mut buf) {
            Ok(0) => return Ok(total),
            Ok(n) => total += n as u64,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}
