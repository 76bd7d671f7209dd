//! Orientations of a sample: the attribute an autoencoder learns to restore in ARNet's
//! "orientation erasing" (Fei et al. 2020). Square images have 8 (4 quarter turns, each mirrored
//! or not), other images 4 (half turns and mirrors keep their shape), series 2 (forward or
//! reversed in time). Orientation 0 is the sample as it is.
//!
//! ```
//! use aekit::models::{orient, orientations};
//! use tch::{Device, Kind, Tensor};
//! let images = Tensor::rand([2, 1, 28, 28], (Kind::Float, Device::Cpu));
//! assert_eq!(orientations(&images.size()), 8);
//! let turned = orient(&orient(&images, 1), 3); // a quarter turn, then three more
//! assert!(turned.equal(&images));
//! assert_eq!(orientations(&[2, 1, 150]), 2); // series: forward, reversed
//! ```

use tch::Tensor;

/// How many orientations a batch of this shape has (`[N, C, H, W]` images, `[N, C, L]` series).
pub fn orientations(batch_shape: &[i64]) -> usize {
    match batch_shape {
        [_, _, h, w] if h == w => 8,
        [_, _, _, _] => 4,
        _ => 2,
    }
}

/// The batch in orientation `i` (taken modulo [`orientations`]): for square images `i % 4`
/// quarter turns, mirrored left–right when `i % 8 ≥ 4`; other images use the half-turn and
/// mirrored ones (0, 2, 4, 6 of that list); series are reversed in time when `i` is odd.
pub fn orient(batch: &Tensor, i: usize) -> Tensor {
    let shape = batch.size();
    let i = match orientations(&shape) {
        8 => i % 8,
        4 => 2 * (i % 4),
        _ => return if i % 2 == 1 { batch.flip([-1]) } else { batch.shallow_clone() },
    };
    let mirrored = if i >= 4 { batch.flip([-1]) } else { batch.shallow_clone() };
    if i % 4 == 0 {
        mirrored
    } else {
        mirrored.rot90((i % 4) as i64, [-2, -1])
    }
}
