//! Checks on tensors that cross the crate's boundary, so a mistake is a clear error here
//! rather than a libtorch exception (or a panic) deep inside a forward pass.

use tch::{Kind, Tensor};

use crate::{Error, Result};

/// Samples: f32 `[N, …]`, N ≥ 1, at least one value per sample, on any device.
pub(crate) fn samples(what: &str, x: &Tensor) -> Result<()> {
    let size = x.size();
    if size.len() < 2 || size.contains(&0) {
        return Err(Error::input(
            what,
            format!("expected samples [N, …] with N ≥ 1 (e.g. images [N, C, H, W], series [N, C, L], vectors [N, D]), got {size:?}"),
        ));
    }
    float(what, x)
}

/// Inputs of a model that takes samples of `shape`: f32 `[N, shape…]`, N ≥ 1.
pub(crate) fn inputs(what: &str, x: &Tensor, shape: &[usize]) -> Result<()> {
    samples(what, x)?;
    let size = x.size();
    if size[1..].iter().map(|&s| s as usize).ne(shape.iter().copied()) {
        let numel: usize = shape.iter().product();
        let hint = if size[1..].iter().product::<i64>() as usize == numel {
            format!(
                " (same number of values: reshape with `.view({:?})`)",
                [-1i64].into_iter().chain(shape.iter().map(|&s| s as i64)).collect::<Vec<_>>()
            )
        } else {
            " (build the model for this data with `.with_input(data.sample_shape())`)".to_string()
        };
        let expected: Vec<String> =
            std::iter::once("N".to_string()).chain(shape.iter().map(|s| s.to_string())).collect();
        return Err(Error::input(
            what,
            format!("expected samples of shape [{}] (the model's input), got {size:?}{hint}", expected.join(", ")),
        ));
    }
    Ok(())
}

/// Images: f32 `[N, C, H, W]` with 1 (gray) or 3 (RGB) channels, N ≥ 1, on any device.
pub(crate) fn images(what: &str, x: &Tensor) -> Result<()> {
    samples(what, x)?;
    let size = x.size();
    if size.len() != 4 || !matches!(size[1], 1 | 3) {
        let hint = if size.len() == 3 { " (add the channel axis with `.unsqueeze(1)`)" } else { "" };
        return Err(Error::input(what, format!("expected images [N, C, H, W] with C = 1 or 3, got {size:?}{hint}")));
    }
    Ok(())
}

/// Codes: f32 `[N, latent]`, N ≥ 1, on any device.
pub(crate) fn codes(what: &str, z: &Tensor, latent: i64) -> Result<()> {
    let size = z.size();
    if size.len() != 2 || size[1] != latent || size[0] == 0 {
        return Err(Error::input(what, format!("expected codes of shape [N, {latent}], got {size:?}")));
    }
    float(what, z)
}

/// No NaN or infinity anywhere.
pub(crate) fn finite(what: &str, x: &Tensor) -> Result<()> {
    let bad = x.isfinite().logical_not().sum(Kind::Int64).int64_value(&[]);
    if bad > 0 {
        return Err(Error::input(
            what,
            format!("{bad} value(s) are NaN or infinite (clean or drop those samples first)"),
        ));
    }
    Ok(())
}

/// Values in [0, 1] (pixels, binary cross-entropy's targets); `fix` says what to do otherwise.
pub(crate) fn unit_range(what: &str, x: &Tensor, fix: &str) -> Result<()> {
    let (lo, hi) = (x.f_min()?.double_value(&[]), x.f_max()?.double_value(&[]));
    if !(0.0..=1.0).contains(&lo) || !(0.0..=1.0).contains(&hi) {
        return Err(Error::input(what, format!("values must lie in [0, 1], found [{lo}, {hi}] ({fix})")));
    }
    Ok(())
}

fn float(what: &str, x: &Tensor) -> Result<()> {
    if x.kind() != Kind::Float {
        return Err(Error::input(
            what,
            format!("expected f32 values, got {:?} (convert with `.to_kind(Kind::Float)`)", x.kind()),
        ));
    }
    Ok(())
}
