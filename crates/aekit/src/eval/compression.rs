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
    check::unit_range("jpeg: images", images, "scale pixels by 1/255")?;
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

/// Mean size in bytes of each image of `images` (`[N, C, H, W]` in [0, 1], C = 1 or 3) as a
/// whole 8-bit PNG file (best compression, adaptive filters): the lossless scale.
pub fn png_bytes(images: &Tensor) -> Result<f64> {
    use image::codecs::png::{CompressionType, FilterType, PngEncoder};
    use image::ImageEncoder;
    check::images("png_bytes: images", images)?;
    check::unit_range("png_bytes: images", images, "scale pixels by 1/255")?;
    let size = images.size();
    let (n, c, h, w) = (size[0] as usize, size[1], size[2] as u32, size[3] as u32);
    let color = if c == 1 { ExtendedColorType::L8 } else { ExtendedColorType::Rgb8 };
    let pixels: Vec<u8> = Vec::try_from(
        (images.to_device(Device::Cpu).to_kind(Kind::Float) * 255.0)
            .round()
            .to_kind(Kind::Uint8)
            .permute([0, 2, 3, 1])
            .reshape(-1),
    )?;
    let mut total = 0usize;
    for image in pixels.chunks(pixels.len() / n) {
        let mut file = Vec::new();
        PngEncoder::new_with_quality(&mut file, CompressionType::Best, FilterType::Adaptive)
            .write_image(image, w, h, color)
            .map_err(|e| Error::input("png_bytes", format!("encoding failed: {e}")))?;
        total += file.len();
    }
    Ok(total as f64 / n as f64)
}

/// The Bjøntegaard delta rate (VCEG-M33) of `test` against `anchor`, in percent: how many more
/// bytes `test` needs at equal PSNR, averaged over the PSNR range both curves cover (negative:
/// `test` needs fewer). Each curve is (bytes, PSNR dB) points, at least 4 with distinct PSNRs;
/// log-rate is fitted as a cubic in PSNR, as in the original method.
///
/// ```
/// use aekit::eval::bd_rate;
/// let anchor = [(100.0, 20.0), (200.0, 24.0), (400.0, 28.0), (800.0, 32.0)];
/// let half: Vec<(f64, f64)> = anchor.iter().map(|&(b, db)| (b / 2.0, db)).collect();
/// assert!((bd_rate(&anchor, &half)? + 50.0).abs() < 1e-6); // half the bytes everywhere
/// # Ok::<(), aekit::Error>(())
/// ```
pub fn bd_rate(anchor: &[(f64, f64)], test: &[(f64, f64)]) -> Result<f64> {
    // PSNRs are centred before the fit, so its powers stay well conditioned.
    let all = anchor.iter().chain(test);
    let centre = all.clone().map(|p| p.1).sum::<f64>() / all.count().max(1) as f64;
    let fit = |curve: &[(f64, f64)], name: &str| -> Result<([f64; 4], f64, f64)> {
        if curve.len() < 4 || curve.iter().any(|&(b, db)| !(b > 0.0 && b.is_finite() && db.is_finite())) {
            return Err(Error::input(
                "bd_rate",
                format!("the {name} curve needs at least 4 points of positive bytes and finite PSNR, got {curve:?}"),
            ));
        }
        let (lo, hi) = psnr_span(curve);
        let coefficients = cubic_fit(&curve.iter().map(|&(b, db)| (db - centre, b.ln())).collect::<Vec<_>>())
            .ok_or_else(|| Error::input("bd_rate", format!("the {name} curve's PSNRs must differ: {curve:?}")))?;
        Ok((coefficients, lo, hi))
    };
    let ((a, a_lo, a_hi), (t, t_lo, t_hi)) = (fit(anchor, "anchor")?, fit(test, "test")?);
    let Some((lo, hi)) = shared_psnr_range(anchor, test) else {
        return Err(Error::input(
            "bd_rate",
            format!("the curves share no PSNR range (anchor {a_lo:.2}–{a_hi:.2} dB, test {t_lo:.2}–{t_hi:.2} dB)"),
        ));
    };
    let integral = |c: &[f64; 4]| {
        let antiderivative = |x: f64| c[0] * x + c[1] * x * x / 2.0 + c[2] * x.powi(3) / 3.0 + c[3] * x.powi(4) / 4.0;
        antiderivative(hi - centre) - antiderivative(lo - centre)
    };
    Ok(((integral(&t) - integral(&a)) / (hi - lo)).exp_m1() * 100.0)
}

/// The PSNR range `(low, high)` dB that two rate–distortion curves of (bytes, PSNR) points both
/// cover, if they overlap: where [`bd_rate`] compares them.
pub fn shared_psnr_range(a: &[(f64, f64)], b: &[(f64, f64)]) -> Option<(f64, f64)> {
    let ((a_lo, a_hi), (b_lo, b_hi)) = (psnr_span(a), psnr_span(b));
    let (lo, hi) = (a_lo.max(b_lo), a_hi.min(b_hi));
    (hi > lo).then_some((lo, hi))
}

/// The lowest and highest PSNR of a curve of (bytes, PSNR) points.
fn psnr_span(curve: &[(f64, f64)]) -> (f64, f64) {
    curve.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| (lo.min(p.1), hi.max(p.1)))
}

/// Least-squares cubic `c0 + c1 x + c2 x² + c3 x³` through `points` (x, y); `None` if the x
/// values do not determine one.
fn cubic_fit(points: &[(f64, f64)]) -> Option<[f64; 4]> {
    // Normal equations, solved by Gaussian elimination with partial pivoting.
    let mut m = [[0.0f64; 5]; 4];
    for &(x, y) in points {
        let powers = [1.0, x, x * x, x * x * x];
        for i in 0..4 {
            for j in 0..4 {
                m[i][j] += powers[i] * powers[j];
            }
            m[i][4] += powers[i] * y;
        }
    }
    for col in 0..4 {
        let pivot = (col..4).max_by(|&a, &b| m[a][col].abs().total_cmp(&m[b][col].abs()))?;
        m.swap(col, pivot);
        if m[col][col].abs() < 1e-12 * m[0][0].abs().max(1.0) {
            return None;
        }
        let pivot_row = m[col];
        for r in m.iter_mut().enumerate().filter(|&(row, _)| row != col).map(|(_, r)| r) {
            let factor = r[col] / pivot_row[col];
            for (x, p) in r[col..].iter_mut().zip(&pivot_row[col..]) {
                *x -= factor * p;
            }
        }
    }
    Some([m[0][4] / m[0][0], m[1][4] / m[1][1], m[2][4] / m[2][2], m[3][4] / m[3][3]])
}
