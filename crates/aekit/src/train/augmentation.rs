//! Random changes to each training batch, made to the model's input and its target alike: the
//! model learns that they do not change what a sample is (`TrainConfig::augment`). Unlike a
//! [`Corruption`](crate::models::Corruption), which the model learns to undo, an augmentation
//! widens what counts as normal.
//!
//! ```
//! use aekit::prelude::*;
//! use aekit::train::Augmentation;
//! let ramp = Tensor::linspace(0.0, 1.0, 50, (Kind::Float, Device::Cpu)).view([1, 1, 50]);
//! let warped = Augmentation::TimeWarp { strength: 0.3 }.apply(&ramp);
//! // Stretched and squeezed in time: the same start, end and order, other steps between.
//! assert_eq!(warped.size(), [1, 1, 50]);
//! assert!((warped.double_value(&[0, 0, 0]), warped.double_value(&[0, 0, 49])) == (0.0, 1.0));
//! assert!(warped.diff(1, -1, None::<Tensor>, None::<Tensor>).min().double_value(&[]) >= 0.0);
//! ```

use tch::{Kind, Tensor};

use crate::{Error, Result};

/// A random change to training samples (see the module).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Augmentation {
    /// Series `[N, C, L]`: time stretched and squeezed smoothly, a different way for each
    /// series. Time is cut into 4 equal spans whose inner ends move by up to `strength` of a
    /// span (below 0.5, so time keeps its order), and the series is resampled linearly along
    /// the moved spans. What dynamic time warping forgives in a distance, the model learns to
    /// take as normal.
    TimeWarp {
        /// How far the spans' ends move, as a share of a span: 0 to below 0.5 (0.3 is usual).
        strength: f64,
    },
}

/// Spans of a time warp.
const SPANS: i64 = 4;

impl Augmentation {
    /// Checks the values before any tensor is built.
    pub fn validate(&self) -> Result<()> {
        match *self {
            Augmentation::TimeWarp { strength } if !(0.0..0.5).contains(&strength) => Err(Error::config(
                "Augmentation::TimeWarp::strength",
                format!("{strength} must lie in [0, 0.5) so that time keeps its order (0.3 is usual)"),
            )),
            Augmentation::TimeWarp { .. } => Ok(()),
        }
    }

    /// Checks that the training samples (`[N, ...]`) suit this augmentation.
    pub fn check_samples(&self, samples: &Tensor) -> Result<()> {
        match self {
            Augmentation::TimeWarp { .. } if samples.dim() != 3 || samples.size()[2] < 2 => Err(Error::input(
                "TrainConfig::augment",
                format!(
                    "TimeWarp warps series [N, C, L] with L ≥ 2; these samples are {:?} (drop the augmentation for images)",
                    samples.size()
                ),
            )),
            Augmentation::TimeWarp { .. } => Ok(()),
        }
    }

    /// A changed copy of `samples`, drawn from libtorch's generator (see [`crate::manual_seed`]).
    pub fn apply(&self, samples: &Tensor) -> Tensor {
        match *self {
            Augmentation::TimeWarp { strength } => time_warp(samples, strength),
        }
    }
}

fn time_warp(series: &Tensor, strength: f64) -> Tensor {
    let (n, length) = (series.size()[0], series.size()[2]);
    let options = (Kind::Float, series.device());
    // Where each span's end moves to, [N, SPANS + 1]: the first and last stay.
    let ends = Tensor::linspace(0.0, 1.0, SPANS + 1, options);
    let inner =
        Tensor::ones([SPANS + 1], options).index_fill(0, &Tensor::from_slice(&[0, SPANS]).to(series.device()), 0.0);
    let moved = ends + (Tensor::rand([n, SPANS + 1], options) * 2.0 - 1.0) * (strength / SPANS as f64) * inner;
    // Each output step's place in the original series, [N, L], linear within its span.
    let t = Tensor::linspace(0.0, SPANS as f64, length, options);
    let span = t.floor().clamp_max((SPANS - 1) as f64).to_kind(Kind::Int64);
    let within = &t - span.to_kind(Kind::Float);
    let from: Tensor = moved.index_select(1, &span) * (1.0 - &within) + moved.index_select(1, &(&span + 1)) * &within;
    let place = from.clamp(0.0, 1.0) * (length - 1) as f64;
    let below = place.floor().clamp_max((length - 2) as f64);
    let weight = (&place - &below).unsqueeze(1);
    let below = below.to_kind(Kind::Int64).unsqueeze(1).expand_as(series);
    let at = |index: &Tensor| series.gather(2, index, false);
    at(&below) * (1.0 - &weight) + at(&(&below + 1)) * weight
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_strength_changes_nothing_and_the_ends_stay() {
        let x = Tensor::rand([3, 2, 17], (Kind::Float, tch::Device::Cpu));
        let same = Augmentation::TimeWarp { strength: 0.0 }.apply(&x);
        assert!((&same - &x).abs().max().double_value(&[]) < 1e-5);
        let warped = Augmentation::TimeWarp { strength: 0.45 }.apply(&x);
        assert!((warped.select(2, 0) - x.select(2, 0)).abs().max().double_value(&[]) < 1e-5);
        assert!((warped.select(2, 16) - x.select(2, 16)).abs().max().double_value(&[]) < 1e-5);
        assert!((&warped - &x).abs().max().double_value(&[]) > 1e-3, "a strong warp changes the inside");
        // The channels of one series share its warp: a channel and its copy stay equal.
        let twin = Tensor::cat(&[x.narrow(1, 0, 1), x.narrow(1, 0, 1)], 1);
        let warped = Augmentation::TimeWarp { strength: 0.45 }.apply(&twin);
        assert!(warped.select(1, 0).equal(&warped.select(1, 1)));
    }

    #[test]
    fn bad_strength_and_images_are_errors() {
        let e = Augmentation::TimeWarp { strength: 0.5 }.validate().unwrap_err().to_string();
        assert!(e.contains("strength") && e.contains("0.5"), "{e}");
        let images = Tensor::zeros([2, 1, 28, 28], (Kind::Float, tch::Device::Cpu));
        let e = Augmentation::TimeWarp { strength: 0.3 }.check_samples(&images).unwrap_err().to_string();
        assert!(e.contains("[N, C, L]") && e.contains("[2, 1, 28, 28]"), "{e}");
    }
}
