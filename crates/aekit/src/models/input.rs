//! The input shape a model is built for: images `[C, H, W]`, series `[C, L]`, vectors `[D]`.
//! Configs carry it; a checkpoint written before configs had one holds Fashion-MNIST's.

use crate::{Error, Result};

/// Fashion-MNIST's sample shape, `[1, 28, 28]`: every config's default input.
pub const FASHION_MNIST_INPUT: [usize; 3] = [1, 28, 28];

/// The default input shape of a config (also what serde fills in for old files).
pub(super) fn fashion_mnist() -> Vec<usize> {
    FASHION_MNIST_INPUT.to_vec()
}

/// Values per sample.
pub(super) fn numel(shape: &[usize]) -> usize {
    shape.iter().product()
}

/// `[1, 28, 28]` as `1×28×28`.
pub(super) fn show(shape: &[usize]) -> String {
    shape.iter().map(|s| s.to_string()).collect::<Vec<_>>().join("×")
}

/// A shape with at least one axis, none empty, and not absurdly large.
pub(super) fn validate(what: &str, shape: &[usize]) -> Result<()> {
    if shape.is_empty() || shape.contains(&0) {
        return Err(Error::config(
            what,
            format!(
                "{shape:?} is not a sample shape: give e.g. [1, 28, 28] (images), [1, 150] (series) or [20] (vectors)"
            ),
        ));
    }
    if shape.iter().try_fold(1usize, |n, &s| n.checked_mul(s)).is_none_or(|n| n > 1 << 28) {
        return Err(Error::config(what, format!("{shape:?} has over 2^28 values per sample: resize the data first")));
    }
    Ok(())
}

/// `[N, shape…]` as libtorch sizes, with N = -1 (a `view` that keeps the batch).
pub(super) fn batch_view(shape: &[usize]) -> Vec<i64> {
    std::iter::once(-1).chain(shape.iter().map(|&s| s as i64)).collect()
}
