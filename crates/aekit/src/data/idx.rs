//! The IDX format of (Fashion-)MNIST, plain or gzip-compressed.
//!
//! Header: two zero bytes, a type byte (0x08 = unsigned byte, the only type used here),
//! the number of dimensions, then each dimension as a big-endian u32; then the data.

use std::io::Read;
use std::path::Path;

use crate::{Error, Result};

/// A decoded IDX file: its dimensions and its data bytes (row-major).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Idx {
    /// The dimensions from the header, outermost first.
    pub dims: Vec<usize>,
    bytes: Vec<u8>,
    header: usize,
}

impl Idx {
    /// The data after the header.
    pub fn data(&self) -> &[u8] {
        &self.bytes[self.header..]
    }
}

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
const TYPE_U8: u8 = 0x08;

/// Reads a file and, when it is gzip, decompresses it. Returns the IDX bytes.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>> {
    if path.is_dir() {
        return Err(Error::corrupt(path, "is a directory, expected an IDX file (.gz or plain)"));
    }
    let raw = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    if raw.starts_with(&GZIP_MAGIC) {
        decompress(path, &raw)
    } else {
        Ok(raw)
    }
}

/// The most a file may decompress to: Fashion-MNIST's largest is 47 MB; a "gzip bomb" stops here.
pub const MAX_DECOMPRESSED: u64 = 256 << 20;

/// Decompresses gzip bytes that came from `origin` (named in errors); plain bytes pass through.
pub fn decompress(origin: &Path, raw: &[u8]) -> Result<Vec<u8>> {
    if !raw.starts_with(&GZIP_MAGIC) {
        return Ok(raw.to_vec());
    }
    // Fast path: libdeflate, in one go, into a buffer of the size the gzip trailer states.
    // Anything it cannot do (several members, a trailer that lies, damage) goes the careful way.
    let stated =
        raw.len().checked_sub(4).map(|at| u32::from_le_bytes([raw[at], raw[at + 1], raw[at + 2], raw[at + 3]]));
    if let Some(size) = stated.map(|n| n as usize).filter(|&n| n as u64 <= MAX_DECOMPRESSED) {
        let mut out = vec![0u8; size];
        if libdeflater::Decompressor::new().gzip_decompress(raw, &mut out).is_ok_and(|n| n == size) {
            return Ok(out);
        }
    }
    let mut out = Vec::with_capacity(raw.len().saturating_mul(3).min(MAX_DECOMPRESSED as usize));
    flate2::read::GzDecoder::new(raw).take(MAX_DECOMPRESSED + 1).read_to_end(&mut out).map_err(|e| {
        Error::corrupt(origin, format!("corrupt gzip stream ({e}); delete the file and fetch it again"))
    })?;
    if out.len() as u64 > MAX_DECOMPRESSED {
        return Err(Error::corrupt(
            origin,
            format!("decompresses to more than {} MiB: not a Fashion-MNIST file", MAX_DECOMPRESSED >> 20),
        ));
    }
    Ok(out)
}

/// Decodes IDX bytes (taking them, so the data is not copied); the error says what in the
/// header or body is wrong.
pub fn decode(bytes: Vec<u8>) -> std::result::Result<Idx, String> {
    if bytes.is_empty() {
        return Err("file is empty".into());
    }
    if bytes.len() < 4 {
        return Err(format!("file is {} bytes, too short for an IDX header", bytes.len()));
    }
    if bytes[0] != 0 || bytes[1] != 0 {
        return Err(format!(
            "wrong magic number 0x{:02x}{:02x}{:02x}{:02x}: not an IDX file",
            bytes[0], bytes[1], bytes[2], bytes[3]
        ));
    }
    if bytes[2] != TYPE_U8 {
        return Err(format!("data type 0x{:02x} is not supported (expected 0x08, unsigned byte)", bytes[2]));
    }
    let ndim = bytes[3] as usize;
    if ndim == 0 {
        return Err("header declares 0 dimensions".into());
    }
    let header = 4 + 4 * ndim;
    if bytes.len() < header {
        return Err(format!("truncated header: {ndim} dimensions need {header} bytes, file has {}", bytes.len()));
    }
    let dims: Vec<usize> =
        bytes[4..header].chunks_exact(4).map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]) as usize).collect();
    let expected = dims
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .ok_or_else(|| format!("dimensions {dims:?} overflow"))?;
    let body = &bytes[header..];
    if body.len() < expected {
        return Err(format!("truncated: header says {dims:?} ({expected} bytes of data), file holds {}", body.len()));
    }
    if body.len() > expected {
        return Err(format!(
            "{} unexpected bytes after the data that header {dims:?} describes",
            body.len() - expected
        ));
    }
    Ok(Idx { dims, bytes, header })
}

/// Reads and decodes one IDX file (gzip or plain).
pub fn read(path: &Path) -> Result<Idx> {
    decode(read_bytes(path)?).map_err(|problem| Error::corrupt(path, problem))
}

/// Encodes an IDX file of unsigned bytes (used by tests and tools that make data).
pub fn encode(dims: &[usize], data: &[u8]) -> Vec<u8> {
    let mut out = vec![0, 0, TYPE_U8, dims.len() as u8];
    for &d in dims {
        out.extend_from_slice(&(d as u32).to_be_bytes());
    }
    out.extend_from_slice(data);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let idx = decode(encode(&[2, 3], &[1, 2, 3, 4, 5, 6])).unwrap();
        assert_eq!((idx.dims.as_slice(), idx.data()), (&[2, 3][..], &[1, 2, 3, 4, 5, 6][..]));
    }

    #[test]
    fn rejects_each_bad_header() {
        let good = encode(&[2, 2], &[0; 4]);
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (vec![], "empty"),
            (vec![0, 0], "too short"),
            ([&[1u8, 2, 8, 2][..], &good[4..]].concat(), "magic"),
            ([&[0u8, 0, 0x0d, 2][..], &good[4..]].concat(), "data type"),
            (vec![0, 0, 8, 0], "0 dimensions"),
            (vec![0, 0, 8, 3, 0, 0, 0, 1], "truncated header"),
            (good[..good.len() - 1].to_vec(), "truncated:"),
            ([&good[..], &[9u8][..]].concat(), "unexpected bytes"),
        ];
        for (bytes, want) in cases {
            let err = decode(bytes.clone()).unwrap_err();
            assert!(err.contains(want), "{bytes:?}: got {err:?}, want {want:?}");
        }
    }
}
