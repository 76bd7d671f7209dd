//! Denoising: any autoencoder trained to rebuild the clean image from a corrupted one
//! (`TrainConfig::corruption`). The corruptions, each clamped to [0, 1]: noise, and a shift
//! ([`Corruption::Shift`]), whose undoing teaches the code what an image shows rather than
//! where (better features for a linear probe, notebook 07):
//!
//! ```
//! use aekit::prelude::*;
//! let clean = Tensor::full([2, 1, 28, 28], 0.5, (Kind::Float, Device::Cpu));
//! let noisy = Corruption::Gaussian { sigma: 0.2 }.apply_seeded(&clean, 7);
//! assert!(noisy.min().double_value(&[]) >= 0.0 && noisy.max().double_value(&[]) <= 1.0);
//! // Train with `TrainConfig { corruption: Some(Corruption::Masking { fraction: 0.3 }), .. }`.
//! ```

use serde::{Deserialize, Serialize};
use tch::{Kind, Tensor};

use crate::{Error, Result};

/// How to corrupt images for denoising.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[allow(missing_docs)] // each variant's doc names its fields
pub enum Corruption {
    /// Adds Gaussian noise of standard deviation `sigma` to every pixel.
    Gaussian { sigma: f64 },
    /// Sets a random `fraction` of the pixels to 0.
    Masking { fraction: f64 },
    /// Sets a random `fraction` of the pixels to 0 or 1, half each.
    SaltAndPepper { fraction: f64 },
    /// Moves each sample by a random whole number of steps, up to `pixels` either way along
    /// each axis (drawn apart: rows and columns of images, time of series), filling with 0;
    /// vectors `[N, D]` have no such axis and stay as they are.
    Shift { pixels: usize },
}

impl Corruption {
    /// Checks the values before any tensor is built.
    pub fn validate(&self) -> Result<()> {
        match *self {
            Corruption::Gaussian { sigma } if !(sigma.is_finite() && sigma >= 0.0) => {
                Err(Error::config("Corruption::Gaussian::sigma", format!("{sigma} must be ≥ 0 (0.1–0.5 is usual)")))
            }
            Corruption::Masking { fraction } | Corruption::SaltAndPepper { fraction }
                if !(0.0..=1.0).contains(&fraction) =>
            {
                Err(Error::config("Corruption fraction", format!("{fraction} must lie in [0, 1]")))
            }
            _ => Ok(()),
        }
    }

    /// A corrupted copy of `images`, drawn from libtorch's generator (see [`crate::manual_seed`]).
    pub fn apply(&self, images: &Tensor) -> Tensor {
        let uniform = || images.rand_like();
        let noisy = match *self {
            Corruption::Gaussian { sigma } => images + images.randn_like() * sigma,
            Corruption::Masking { fraction } => images * uniform().ge(fraction).to_kind(Kind::Float),
            Corruption::SaltAndPepper { fraction } => {
                let hit = uniform().lt(fraction);
                let salt = uniform().ge(0.5).to_kind(Kind::Float);
                images.where_self(&hit.logical_not(), &salt)
            }
            Corruption::Shift { pixels } => shifted(images, pixels as i64),
        };
        noisy.clamp(0.0, 1.0)
    }

    /// [`Corruption::apply`] after seeding libtorch's generator with `seed`: the same seed gives
    /// the same noise.
    pub fn apply_seeded(&self, images: &Tensor, seed: u64) -> Tensor {
        crate::manual_seed(seed);
        self.apply(images)
    }
}

/// `samples` `[N, C, …]`, each moved by its own random offset in `-pixels..=pixels` along every
/// axis after the channels: padded with zeros, then the window at the offset gathered.
fn shifted(samples: &Tensor, pixels: i64) -> Tensor {
    let size = samples.size();
    let mut out = samples.shallow_clone();
    for axis in 2..size.len() {
        let mut pad = vec![0; 2 * (size.len() - 2)];
        let from_last = 2 * (size.len() - 1 - axis);
        (pad[from_last], pad[from_last + 1]) = (pixels, pixels);
        let padded = out.constant_pad_nd(pad);
        let mut along = vec![1; size.len()];
        along[axis] = size[axis];
        let mut per_sample = vec![1; size.len()];
        per_sample[0] = size[0];
        let offset = Tensor::randint(2 * pixels + 1, per_sample.as_slice(), (Kind::Int64, samples.device()));
        let steps = Tensor::arange(size[axis], (Kind::Int64, samples.device())).view(along.as_slice());
        out = padded.gather(axis as i64, &(offset + steps).expand(size.as_slice(), false), false);
    }
    out
}
