//! Compression: an autoencoder's code, quantized to a few bits per value, against JPEG, both
//! counted in bytes per image.

use image::codecs::jpeg::JpegEncoder;
use image::{ExtendedColorType, ImageFormat};
use tch::{Device, Kind, Tensor};

use crate::{check, Error, Result};

/// Images through JPEG: their sizes and what decoding gives back.
#[derive(Debug)]
pub struct Jpeg {
    /// Mean size of a whole file (headers, quantization and Huffman tables included; for a
    /// 28×28 image these are most of it).
    pub file_bytes: f64,
    /// Mean size of the entropy-coded scan alone: what an image costs when a collection shares
    /// its tables, the fair count against an autoencoder whose decoder is shared too.
    pub scan_bytes: f64,
    /// The decoded images, `[N, 1, 28, 28]` in [0, 1], on the CPU.
    pub images: Tensor,
}

/// Encodes each image of `images` (`[N, 1, H, W]` in [0, 1]) as a grayscale baseline JPEG of
/// `quality` (1–100) with `image`'s encoder and decodes it again.
pub fn jpeg(images: &Tensor, quality: u8) -> Result<Jpeg> {
    check::images("jpeg: images", images)?;
    check::unit_range("jpeg: images", images)?;
    if !(1..=100).contains(&quality) {
        return Err(Error::input("jpeg", format!("quality {quality} must be 1–100 (75 is common)")));
    }
    let size = images.size();
    let (n, h, w) = (size[0] as usize, size[2] as u16, size[3] as u16);
    let pixels: Vec<u8> = Vec::try_from(
        (images.to_device(Device::Cpu).to_kind(Kind::Float) * 255.0).round().to_kind(Kind::Uint8).reshape(-1),
    )?;
    let per_image = h as usize * w as usize;
    let (mut file_bytes, mut scan_bytes, mut decoded) = (0usize, 0usize, Vec::with_capacity(pixels.len()));
    for image in pixels.chunks(per_image) {
        let mut file = Vec::new();
        JpegEncoder::new_with_quality(&mut file, quality)
            .encode(image, w as u32, h as u32, ExtendedColorType::L8)
            .map_err(|e| Error::input("jpeg", format!("encoding failed: {e}")))?;
        file_bytes += file.len();
        scan_bytes += scan_len(&file);
        let back = image::load_from_memory_with_format(&file, ImageFormat::Jpeg)
            .map_err(|e| Error::input("jpeg", format!("decoding failed: {e}")))?;
        decoded.extend_from_slice(back.to_luma8().as_raw());
    }
    let images = Tensor::from_slice(&decoded).to_kind(Kind::Float).view([n as i64, 1, h as i64, w as i64]) / 255.0;
    Ok(Jpeg { file_bytes: file_bytes as f64 / n as f64, scan_bytes: scan_bytes as f64 / n as f64, images })
}

/// Bytes from the end of the start-of-scan header to the end-of-image marker.
fn scan_len(file: &[u8]) -> usize {
    let sos = file.windows(2).position(|m| m == [0xFF, 0xDA]);
    match sos {
        Some(at) if at + 4 <= file.len() => {
            let header = u16::from_be_bytes([file[at + 2], file[at + 3]]) as usize;
            file.len().saturating_sub(at + 2 + header + 2)
        }
        _ => file.len(),
    }
}

/// What a decoder gets back from codes stored with `bits` bits per value (1–16): each code
/// dimension is rounded to one of `2^bits` levels spread evenly between its lowest and highest
/// value over `codes` (`[N, latent]`; the 2 × latent range values are shared, not counted).
/// An image then costs `latent × bits / 8` bytes.
pub fn quantize(codes: &Tensor, bits: u32) -> Result<Tensor> {
    if codes.dim() != 2 {
        return Err(Error::input("quantize", format!("codes must be [N, latent], got {:?}", codes.size())));
    }
    if !(1..=16).contains(&bits) {
        return Err(Error::input("quantize", format!("{bits} bits per value: use 1–16 (8 is a byte)")));
    }
    let codes = codes.to_kind(Kind::Float);
    let (lo, hi) = (codes.amin(0, true), codes.amax(0, true));
    let step = (&hi - &lo).clamp_min(1e-12) / ((1u64 << bits) - 1) as f64;
    Ok(((&codes - &lo) / &step).round() * &step + &lo)
}
