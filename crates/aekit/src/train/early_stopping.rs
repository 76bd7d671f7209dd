//! Early stopping: end the run once the validation loss has not improved for a while, and
//! remember the best epoch so its weights can be put back.
//!
//! ```
//! use aekit::train::{EarlyStopping, Patience, Verdict};
//! let mut patience = Patience::new(EarlyStopping { patience: 2, ..Default::default() });
//! let verdicts: Vec<Verdict> = [0.5, 0.4, 0.45, 0.41].iter().enumerate().map(|(i, &loss)| patience.update(i + 1, loss)).collect();
//! assert_eq!(verdicts, [Verdict::Improved, Verdict::Improved, Verdict::Waiting, Verdict::Stop]);
//! assert_eq!(patience.best(), Some((2, 0.4)));
//! ```

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// Stop after `patience` epochs without the validation loss falling by more than `min_delta`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EarlyStopping {
    /// Epochs without improvement before stopping.
    pub patience: usize,
    /// The smallest fall of the validation loss that counts as improvement.
    pub min_delta: f64,
    /// Put back the weights of the best epoch at the end.
    pub restore_best: bool,
}

impl Default for EarlyStopping {
    fn default() -> Self {
        EarlyStopping { patience: 3, min_delta: 0.0, restore_best: true }
    }
}

impl EarlyStopping {
    /// Checks the values before training starts.
    pub fn validate(&self) -> Result<()> {
        if self.patience == 0 {
            return Err(Error::config("EarlyStopping::patience", "must be at least 1 epoch"));
        }
        if !(self.min_delta.is_finite() && self.min_delta >= 0.0) {
            return Err(Error::config("EarlyStopping::min_delta", format!("{} must be ≥ 0", self.min_delta)));
        }
        Ok(())
    }
}

/// What [`Patience::update`] concluded from an epoch's validation loss.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The best epoch so far.
    Improved,
    /// No improvement, but patience is not used up.
    Waiting,
    /// No improvement for `patience` epochs: stop.
    Stop,
}

/// Early stopping's state over a run (saved in checkpoints, so a resumed run keeps counting).
#[derive(Debug, Clone, PartialEq)]
pub struct Patience {
    rule: EarlyStopping,
    state: PatienceState,
}

/// The part of [`Patience`] that checkpoints keep.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct PatienceState {
    /// Best (epoch, validation loss) so far.
    pub best: Option<(usize, f64)>,
    /// Epochs since the best one.
    pub since_best: usize,
}

impl Patience {
    /// A fresh count for `rule`.
    pub fn new(rule: EarlyStopping) -> Self {
        Patience { rule, state: PatienceState::default() }
    }

    pub(crate) fn resumed(rule: EarlyStopping, state: PatienceState) -> Self {
        Patience { rule, state }
    }

    pub(crate) fn state(&self) -> PatienceState {
        self.state
    }

    /// The rule being applied.
    pub fn rule(&self) -> EarlyStopping {
        self.rule
    }

    /// Counts epoch `epoch`'s validation loss.
    pub fn update(&mut self, epoch: usize, val_loss: f64) -> Verdict {
        let s = &mut self.state;
        if s.best.is_none_or(|(_, best)| val_loss < best - self.rule.min_delta) {
            s.best = Some((epoch, val_loss));
            s.since_best = 0;
            return Verdict::Improved;
        }
        s.since_best += 1;
        if s.since_best >= self.rule.patience {
            Verdict::Stop
        } else {
            Verdict::Waiting
        }
    }

    /// The best (epoch, validation loss) so far.
    pub fn best(&self) -> Option<(usize, f64)> {
        self.state.best
    }
}
