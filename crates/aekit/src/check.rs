//! Checks on tensors that cross the crate's boundary, so a mistake is a clear error here
//! rather than a libtorch exception (or a panic) deep inside a forward pass.

use tch::{Kind, Tensor};

use crate::{Error, Result};

/// Images: f32 `[N, 1, 28, 28]`, N ≥ 1, on any device.
pub(crate) fn images(what: &str, x: &Tensor) -> Result<()> {
    let size = x.size();
    if size.len() != 4 || size[1..] != [1, 28, 28] || size[0] == 0 {
        let hint = if size.len() == 2 && size.get(1) == Some(&784) || size.len() == 3 {
            " (reshape with `.view([-1, 1, 28, 28])`)"
        } else {
            ""
        };
        return Err(Error::input(what, format!("expected images of shape [N, 1, 28, 28], got {size:?}{hint}")));
    }
    float(what, x)
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
            format!("{bad} value(s) are NaN or infinite (clean or drop those images first)"),
        ));
    }
    Ok(())
}

/// Values in [0, 1], as binary cross-entropy needs.
pub(crate) fn unit_range(what: &str, x: &Tensor) -> Result<()> {
    let (lo, hi) = (x.f_min()?.double_value(&[]), x.f_max()?.double_value(&[]));
    if !(0.0..=1.0).contains(&lo) || !(0.0..=1.0).contains(&hi) {
        return Err(Error::input(
            what,
            format!("values must lie in [0, 1] for binary cross-entropy, found [{lo}, {hi}] (scale pixels by 1/255, or use MSE)"),
        ));
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
