//! How to train: plain data, checked before training starts; building one touches no disk
//! (the default reads `$AEKIT_CHECKPOINTS`, nothing else).

use tch::Device;

use super::{Augmentation, Checkpoints, EarlyStopping, Schedule};
use crate::models::{Corruption, ReconLoss};
use crate::{Error, Result};

/// How to train. The defaults are the tutorial's: 10 epochs of Adam (1e-3), batches of 256, BCE.
///
/// ```
/// use aekit::prelude::*;
/// let config = TrainConfig { epochs: 20, schedule: Schedule::Cosine { min: 1e-5 }, ..Default::default() };
/// assert!(config.validate().is_ok());
/// assert!(TrainConfig { batch_size: 0, ..config }.validate().is_err());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct TrainConfig {
    /// Passes over the training set (the total, counting resumed epochs).
    pub epochs: usize,
    /// Images per optimizer step.
    pub batch_size: usize,
    /// Adam's base learning rate.
    pub learning_rate: f64,
    /// How the learning rate changes over epochs.
    pub schedule: Schedule,
    /// Reconstruction loss: BCE (pixels as probabilities) or MSE.
    pub loss: ReconLoss,
    /// Fixes the shuffling order and libtorch's generator during training.
    pub seed: u64,
    /// Where to train; the model moves there. `None`: [`crate::device`] (`$AEKIT_DEVICE`, else
    /// CUDA when available, else the CPU).
    pub device: Option<Device>,
    /// Train to denoise: the model sees corrupted images and rebuilds the clean ones.
    pub corruption: Option<Corruption>,
    /// Change each training batch at random, input and target alike (e.g. a time warp for
    /// series), so the model takes those changes as normal.
    pub augment: Option<Augmentation>,
    /// Dynamic binarization: every batch, each pixel drawn anew as Bernoulli(intensity), and
    /// the model rebuilds those binary images (the protocol of VAE likelihood papers; score on
    /// [`Dataset::binarized`](crate::data::Dataset::binarized) test images).
    pub binarize: bool,
    /// Stop when the validation loss stops improving.
    pub early_stopping: Option<EarlyStopping>,
    /// Save the run every few epochs, so an interrupted one can be resumed; `None`: no
    /// checkpoints. Default: [`Checkpoints::from_env`] (in the notebook kernel, a new run folder
    /// under `target/checkpoints/` for each training, made when it starts; elsewhere none).
    pub checkpoints: Option<Checkpoints>,
    /// Run forward passes under bf16 autocast ([`crate::bf16_autocast`]): faster on GPUs with
    /// bf16 tensor cores; weights, gradients and Adam stay in f32.
    pub bf16_autocast: bool,
    /// Print the run's progress, one line per epoch ([`LinePrinter`](super::LinePrinter)).
    /// Other observers are added with [`Trainer::observe`](super::Trainer::observe).
    pub verbose: bool,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            epochs: 10,
            batch_size: 256,
            learning_rate: 1e-3,
            schedule: Schedule::Constant,
            loss: ReconLoss::Bce,
            seed: 42,
            device: None,
            corruption: None,
            augment: None,
            binarize: false,
            early_stopping: None,
            checkpoints: Checkpoints::from_env(),
            bf16_autocast: false,
            verbose: true,
        }
    }
}

impl TrainConfig {
    /// Checks the values before training starts.
    pub fn validate(&self) -> Result<()> {
        if self.epochs == 0 {
            return Err(Error::config("TrainConfig::epochs", "must be at least 1"));
        }
        if self.batch_size == 0 {
            return Err(Error::config("TrainConfig::batch_size", "must be at least 1 (the tutorial uses 256)"));
        }
        if let Some(c) = &self.corruption {
            c.validate()?;
        }
        if let Some(a) = &self.augment {
            a.validate()?;
        }
        self.schedule.validate()?;
        if !(self.learning_rate.is_finite() && self.learning_rate > 0.0) {
            return Err(Error::config(
                "TrainConfig::learning_rate",
                format!("{} must be a positive number (Adam's usual is 1e-3)", self.learning_rate),
            ));
        }
        if let Some(e) = &self.early_stopping {
            e.validate()?;
        }
        if self.checkpoints.as_ref().is_some_and(|c| c.every == 0) {
            return Err(Error::config("Checkpoints::every", "must be at least 1 epoch"));
        }
        Ok(())
    }
}
