//! Learning-rate schedules over epochs.

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// The learning rate over epochs.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[allow(missing_docs)] // each variant's doc names its fields
pub enum Schedule {
    /// The same rate every epoch.
    #[default]
    Constant,
    /// Multiply the rate by `factor` every `every` epochs.
    Step { every: usize, factor: f64 },
    /// Cosine decay from the base rate (first epoch) towards `min` (after the last).
    Cosine { min: f64 },
}

impl Schedule {
    /// The rate for `epoch` (counted from 1) of `epochs`, from the base rate `base`.
    pub fn rate(&self, base: f64, epoch: usize, epochs: usize) -> f64 {
        let done = epoch.saturating_sub(1);
        match *self {
            Schedule::Constant => base,
            Schedule::Step { every, factor } => base * factor.powi((done / every.max(1)) as i32),
            Schedule::Cosine { min } => {
                let t = done as f64 / epochs.max(1) as f64;
                min + (base - min) * 0.5 * (1.0 + (std::f64::consts::PI * t).cos())
            }
        }
    }

    /// Rejects factors or periods that cannot work (e.g. `every: 0`).
    pub fn validate(&self) -> Result<()> {
        match *self {
            Schedule::Step { every: 0, .. } => Err(Error::config("Schedule::Step::every", "must be at least 1 epoch")),
            Schedule::Step { factor, .. } if !(factor > 0.0 && factor.is_finite()) => {
                Err(Error::config("Schedule::Step::factor", format!("{factor} must be positive (e.g. 0.5)")))
            }
            Schedule::Cosine { min } if !(min >= 0.0 && min.is_finite()) => {
                Err(Error::config("Schedule::Cosine::min", format!("{min} must be ≥ 0")))
            }
            _ => Ok(()),
        }
    }
}
