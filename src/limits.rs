//! Limits on hostile input, in one place. Each is orders of magnitude above what a real file
//! needs; hitting one is an error that names the limit (exit 2), never a crash or a hang.

/// A Dockerfile (or a file it names, like a requirements file) read whole.
pub const MAX_DOCKERFILE_BYTES: u64 = 64 << 20;
/// Nesting of `${...}` expansions, shell compounds (`if`, `{ }`, `$( )`, subshells).
pub const MAX_NESTING: usize = 256;
/// What one word may expand to.
pub const MAX_EXPANSION_WORD: usize = 16 << 20;
/// What all the expansions of one file may produce together.
pub const MAX_EXPANSION_FILE: usize = 256 << 20;
/// The pattern of a `${V#p}`, `${V%p}` or `${V/p/r}` expansion, once expanded (a regex is built
/// from it: a real one is a few bytes).
pub const MAX_PATTERN_BYTES: usize = 64 << 10;
/// Instructions in one Dockerfile.
pub const MAX_INSTRUCTIONS: usize = 100_000;
/// Package-database files captured from an image's layers, in total.
pub const MAX_CAPTURED_BYTES: u64 = 64 << 20;
/// One package list or RECORD file captured (a real one is at most a few MiB).
pub const MAX_CAPTURED_FILE: u64 = 16 << 20;
/// A path in a layer.
pub const MAX_PATH_BYTES: usize = 64 << 10;
/// History entries of an image config.
pub const MAX_HISTORY: usize = 100_000;
/// Standard input spooled to a temporary file (an image on `-`).
pub const MAX_STDIN_BYTES: u64 = 256 << 30;
/// The stack of threads that parse and lint (deep but bounded recursion).
pub const THREAD_STACK_BYTES: usize = 64 << 20;
/// Entries a run-wide memo (context sizes, layer body bytes) holds before it starts over: a run
/// over a million Dockerfiles or layers stays bounded in memory (a few hundred bytes an entry).
pub const MAX_MEMO_ENTRIES: usize = 100_000;

/// Read a regular file (a symlink is followed; FIFOs, devices and directories are refused, so a
/// read never blocks), at most `max` bytes (more is an error).
pub fn read_regular(path: &std::path::Path, max: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a regular file"));
    }
    let mut buf = Vec::new();
    std::fs::File::open(path)?.take(max + 1).read_to_end(&mut buf)?;
    if buf.len() as u64 > max {
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, format!("larger than {max} bytes")));
    }
    Ok(buf)
}

/// A small text file of a build context or settings: None when it is not a regular file, is
/// larger than `max`, or is not UTF-8.
pub fn read_text(path: &std::path::Path, max: u64) -> Option<String> {
    String::from_utf8(read_regular(path, max).ok()?).ok()
}
