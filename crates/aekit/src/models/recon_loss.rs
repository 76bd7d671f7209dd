//! The reconstruction loss: binary cross-entropy (the tutorial's) or mean squared error.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use tch::{Reduction, Tensor};

use crate::{Error, Result};

/// The reconstruction loss.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReconLoss {
    /// Binary cross-entropy per pixel, averaged (the tutorial's choice). Targets must lie in [0, 1].
    #[default]
    Bce,
    /// Mean squared error per pixel.
    Mse,
}

impl ReconLoss {
    /// Mean loss of reconstruction `logits` against `target` (same shape).
    pub fn compute(self, logits: &Tensor, target: &Tensor) -> Tensor {
        self.reduce(logits, target, Reduction::Mean)
    }

    /// Loss summed over pixels and images (a VAE's reconstruction term, in nats for BCE).
    pub fn compute_sum(self, logits: &Tensor, target: &Tensor) -> Tensor {
        self.reduce(logits, target, Reduction::Sum)
    }

    fn reduce(self, logits: &Tensor, target: &Tensor, reduction: Reduction) -> Tensor {
        match self {
            ReconLoss::Bce => logits.binary_cross_entropy_with_logits::<Tensor>(target, None, None, reduction),
            ReconLoss::Mse => logits.sigmoid().mse_loss(target, reduction),
        }
    }
}

impl FromStr for ReconLoss {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "bce" | "binary_crossentropy" | "binary-cross-entropy" => Ok(ReconLoss::Bce),
            "mse" | "mean_squared_error" => Ok(ReconLoss::Mse),
            _ => Err(Error::config("loss", format!("unknown loss {s:?}; choose \"bce\" or \"mse\""))),
        }
    }
}

impl fmt::Display for ReconLoss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ReconLoss::Bce => "binary cross-entropy",
            ReconLoss::Mse => "mean squared error",
        })
    }
}
