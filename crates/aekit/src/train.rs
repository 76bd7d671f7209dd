//! One training loop for every [`Autoencoder`].

use std::fmt;
use std::time::Instant;

use serde::{Deserialize, Serialize};
use tch::nn::OptimizerConfig;
use tch::{nn, Device, Kind, Tensor};

use crate::data::Dataset;
use crate::models::{Autoencoder, Corruption, ReconLoss};
use crate::{check, Error, Result};

/// How to train. The defaults are the tutorial's: 10 epochs of Adam (1e-3), batches of 256, BCE.
#[derive(Debug, Clone)]
pub struct TrainConfig {
    pub epochs: usize,
    pub batch_size: usize,
    pub learning_rate: f64,
    pub loss: ReconLoss,
    /// Fixes the shuffling order and libtorch's generator during training.
    pub seed: u64,
    /// Where to train; the model moves there. `None`: [`crate::device`] (`$AEKIT_DEVICE`, else
    /// CUDA when available, else the CPU).
    pub device: Option<Device>,
    /// Train to denoise: the model sees corrupted images and rebuilds the clean ones.
    pub corruption: Option<Corruption>,
    /// Print one line per epoch.
    pub verbose: bool,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            epochs: 10,
            batch_size: 256,
            learning_rate: 1e-3,
            loss: ReconLoss::Bce,
            seed: 42,
            device: None,
            corruption: None,
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
        if !(self.learning_rate.is_finite() && self.learning_rate > 0.0) {
            return Err(Error::config(
                "TrainConfig::learning_rate",
                format!("{} must be a positive number (Adam's usual is 1e-3)", self.learning_rate),
            ));
        }
        Ok(())
    }
}

/// What happened in one epoch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Epoch {
    /// Counted from 1.
    pub epoch: usize,
    /// Mean training loss over the epoch's batches.
    pub train_loss: f64,
    /// Mean loss on the validation set after the epoch.
    pub val_loss: f64,
    /// Mean of each named loss term over the epoch's batches.
    pub terms: Vec<(String, f64)>,
    /// Wall time of the epoch (training and validation).
    pub seconds: f64,
}

/// The per-epoch record of a training run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct History {
    pub epochs: Vec<Epoch>,
}

impl History {
    pub fn train_loss(&self) -> Vec<f64> {
        self.epochs.iter().map(|e| e.train_loss).collect()
    }

    pub fn val_loss(&self) -> Vec<f64> {
        self.epochs.iter().map(|e| e.val_loss).collect()
    }

    /// The last epoch, if any.
    pub fn last(&self) -> Option<&Epoch> {
        self.epochs.last()
    }
}

impl fmt::Display for History {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "epoch  train loss  val loss  seconds")?;
        for e in &self.epochs {
            writeln!(f, "{:>5}  {:>10.4}  {:>8.4}  {:>7.2}", e.epoch, e.train_loss, e.val_loss, e.seconds)?;
        }
        Ok(())
    }
}

/// Trains `model` on `train`, measuring `validation` after each epoch; returns the history.
///
/// The model moves to `config.device`. Each epoch prints one line (when `verbose`).
pub fn train(
    model: &mut dyn Autoencoder,
    train: &Dataset,
    validation: &Dataset,
    config: &TrainConfig,
) -> Result<History> {
    config.validate()?;
    check_dataset("training set", train, config.loss)?;
    check_dataset("validation set", validation, config.loss)?;
    let device = match config.device {
        Some(device) => device,
        None => crate::device()?,
    };
    model.var_store_mut().set_device(device);
    let mut opt = nn::Adam::default().build(model.var_store(), config.learning_rate)?;
    if config.verbose {
        println!(
            "training {} parameters on {:?}: {} images, {} for validation, {} epochs of batch {}, {}",
            model.parameter_count(),
            device,
            train.len(),
            validation.len(),
            config.epochs,
            config.batch_size,
            config.loss
        );
    }
    let mut history = History::default();
    for epoch in 1..=config.epochs {
        let start = Instant::now();
        // Sums stay on the device: no host synchronisation per batch.
        let mut total = Tensor::zeros([], (Kind::Float, device));
        let mut terms: Vec<(&'static str, Tensor)> = Vec::new();
        let epoch_seed = config.seed.wrapping_mul(1_000_003).wrapping_add(epoch as u64);
        // libtorch's generator (dropout, noise) restarts each epoch, as validation reseeds it.
        crate::manual_seed(epoch_seed);
        let shuffle = Some(epoch_seed);
        for batch in train.batches(config.batch_size, shuffle, device)? {
            let n = batch.images.size()[0] as f64;
            let input = match &config.corruption {
                Some(c) => c.apply(&batch.images),
                None => batch.images.shallow_clone(),
            };
            let losses = model.losses_t(&input, &batch.images, config.loss, true);
            opt.backward_step(&losses.total);
            total += losses.total.detach() * n;
            for (i, (name, value)) in losses.terms.iter().enumerate() {
                match terms.get_mut(i) {
                    Some((_, sum)) => *sum += value.detach() * n,
                    None => terms.push((name, value.detach() * n)),
                }
            }
        }
        let n = train.len() as f64;
        let train_loss = total.double_value(&[]) / n;
        if !train_loss.is_finite() {
            return Err(Error::Diverged { epoch, loss: train_loss });
        }
        let val_loss = match &config.corruption {
            Some(c) => evaluate_denoising(&*model, validation, config.loss, c, config.seed)?,
            None => evaluate(&*model, validation, config.loss)?,
        };
        let record = Epoch {
            epoch,
            train_loss,
            val_loss,
            terms: terms.iter().map(|(name, sum)| (name.to_string(), sum.double_value(&[]) / n)).collect(),
            seconds: start.elapsed().as_secs_f64(),
        };
        if config.verbose {
            println!(
                "epoch {epoch:>3}/{}  train {train_loss:.4}  val {val_loss:.4}  {:.2} s",
                config.epochs, record.seconds
            );
        }
        history.epochs.push(record);
    }
    Ok(history)
}

/// Mean loss of `model` over `data` (e.g. the test set), without training.
pub fn evaluate(model: &dyn Autoencoder, data: &Dataset, loss: ReconLoss) -> Result<f64> {
    mean_loss(model, data, loss, None)
}

/// Mean loss of rebuilding `data` from copies corrupted by `corruption` (seeded: the same
/// noise every call).
pub fn evaluate_denoising(
    model: &dyn Autoencoder,
    data: &Dataset,
    loss: ReconLoss,
    corruption: &Corruption,
    seed: u64,
) -> Result<f64> {
    corruption.validate()?;
    mean_loss(model, data, loss, Some((corruption, seed)))
}

fn mean_loss(
    model: &dyn Autoencoder,
    data: &Dataset,
    loss: ReconLoss,
    corruption: Option<(&Corruption, u64)>,
) -> Result<f64> {
    check_dataset("evaluation set", data, loss)?;
    if let Some((_, seed)) = corruption {
        crate::manual_seed(seed);
    }
    let mut total = Tensor::zeros([], (Kind::Float, model.device()));
    tch::no_grad(|| -> Result<()> {
        for batch in data.batches(1024, None, model.device())? {
            let n = batch.images.size()[0] as f64;
            let input = corruption.map_or_else(|| batch.images.shallow_clone(), |(c, _)| c.apply(&batch.images));
            total += model.losses_t(&input, &batch.images, loss, false).total * n;
        }
        Ok(())
    })?;
    Ok(total.double_value(&[]) / data.len() as f64)
}

fn check_dataset(what: &str, data: &Dataset, loss: ReconLoss) -> Result<()> {
    check::images(what, &data.images, None)?;
    if loss == ReconLoss::Bce {
        check::unit_range(what, &data.images)?;
    }
    Ok(())
}
