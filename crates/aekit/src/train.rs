//! One training loop for every [`Autoencoder`].
//!
//! ```no_run
//! use aekit::prelude::*;
//! let data = FashionMnist::load()?;
//! let mut model = ConvAutoencoder::new(&ConvConfig::default(), aekit::device()?)?;
//! let config = TrainConfig {
//!     epochs: 20,
//!     schedule: Schedule::Cosine { min: 1e-5 },
//!     early_stopping: Some(EarlyStopping { patience: 3, ..Default::default() }),
//!     checkpoints: Some(Checkpoints::new("runs/conv")), // resume() continues from here
//!     ..Default::default()
//! };
//! let history = train(&mut model, &data.train, &data.validation, &config)?;
//! println!("{history}");
//! # Ok::<(), aekit::Error>(())
//! ```

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::time::Instant;

use serde::{Deserialize, Serialize};
use tch::{Device, Kind, Tensor};

use crate::checkpoint::{self, Part};
use crate::data::Dataset;
use crate::models::{Autoencoder, Corruption, ReconLoss};
pub use crate::optim::{Adam, Schedule};
use crate::{check, Error, Result};

/// How to train. The defaults are the tutorial's: 10 epochs of Adam (1e-3), batches of 256, BCE.
#[derive(Debug, Clone)]
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
    /// Stop when the validation loss stops improving.
    pub early_stopping: Option<EarlyStopping>,
    /// Save the run every few epochs, so an interrupted one can [`resume`]. Default:
    /// [`Checkpoints::from_env`] (on in the notebook kernel, off elsewhere).
    pub checkpoints: Option<Checkpoints>,
    /// Run forward passes under bf16 autocast ([`crate::bf16_autocast`]): faster on GPUs with
    /// bf16 tensor cores; weights, gradients and Adam stay in f32.
    pub bf16_autocast: bool,
    /// Print one line per epoch.
    pub verbose: bool,
    /// Called after every batch and every epoch, e.g. to drive a progress bar.
    pub progress: Option<OnProgress>,
}

/// Where a run stands, as [`TrainConfig::progress`] hears it.
#[derive(Debug)]
#[allow(missing_docs)] // each variant's doc names its fields
pub enum Progress<'a> {
    /// Batch `batch` of `batches` (counted from 1) of epoch `epoch` of `epochs` is done.
    Batch { epoch: usize, epochs: usize, batch: usize, batches: usize },
    /// An epoch is done (after validation).
    Epoch(&'a Epoch),
}

/// A progress callback: `OnProgress::new(|p| ...)`.
#[derive(Clone)]
pub struct OnProgress(std::sync::Arc<dyn Fn(Progress) + Send + Sync>);

impl OnProgress {
    /// Wraps a closure; training calls it on its own thread, between batches.
    pub fn new(f: impl Fn(Progress) + Send + Sync + 'static) -> Self {
        OnProgress(std::sync::Arc::new(f))
    }
}

impl fmt::Debug for OnProgress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OnProgress(..)")
    }
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
            early_stopping: None,
            checkpoints: Checkpoints::from_env(),
            bf16_autocast: false,
            verbose: true,
            progress: None,
        }
    }
}

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

/// Where and how often to checkpoint a run: `dir/checkpoint.safetensors` holds the model, the
/// optimizer's state and the history (written atomically), `dir/config.json` the model config.
#[derive(Debug, Clone, PartialEq)]
pub struct Checkpoints {
    /// The run's folder: `checkpoint.safetensors` (weights, optimizer state and history) goes there.
    pub dir: PathBuf,
    /// Save after every `every` epochs (and after the last).
    pub every: usize,
}

impl Checkpoints {
    /// Checkpoints in `dir` after every epoch.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Checkpoints { dir: dir.into(), every: 1 }
    }

    /// A new `run-…` folder under `$AEKIT_CHECKPOINTS`, checkpointed every epoch; `None` when
    /// the variable is unset. The "Rust (libtorch)" kernel sets it to the repository's
    /// `target/checkpoints/`, so notebook training loses at most one epoch to a crashed kernel.
    /// The newest [`Checkpoints::KEEP`] runs there are kept, older ones removed.
    pub fn from_env() -> Option<Checkpoints> {
        std::env::var_os("AEKIT_CHECKPOINTS").filter(|v| !v.is_empty()).map(Checkpoints::new_run)
    }

    /// A new `run-<unix seconds>-<process>-<n>` folder under `root`, checkpointed every epoch;
    /// removes all but the newest [`Checkpoints::KEEP`] `run-…` folders there.
    pub fn new_run(root: impl Into<PathBuf>) -> Checkpoints {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static RUNS: AtomicUsize = AtomicUsize::new(0);
        let root = root.into();
        let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let name = format!("run-{secs:011}-{:07}-{:04}", std::process::id(), RUNS.fetch_add(1, Ordering::Relaxed));
        Self::prune(&root);
        Checkpoints::new(root.join(name))
    }

    /// Runs kept under `$AEKIT_CHECKPOINTS`.
    pub const KEEP: usize = 20;

    fn prune(root: &std::path::Path) {
        let Ok(entries) = std::fs::read_dir(root) else { return };
        let mut runs: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_dir() && p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("run-")))
            .collect();
        runs.sort();
        let extra = runs.len().saturating_sub(Self::KEEP - 1);
        for old in &runs[..extra] {
            let _ = std::fs::remove_dir_all(old);
        }
    }

    /// The checkpoint file.
    pub fn file(&self) -> PathBuf {
        self.dir.join("checkpoint.safetensors")
    }

    /// The history of the run saved here: how many epochs it completed, and their losses.
    pub fn history(&self) -> Result<History> {
        let path = self.file();
        Ok(run_state(&path, &checkpoint::read(&path, Part::Training)?)?.history)
    }
}

fn run_state(path: &std::path::Path, file: &checkpoint::Checkpoint) -> Result<RunState> {
    let json = file.metadata.get(RUN_STATE).ok_or_else(|| Error::checkpoint(path, "lacks the run's state"))?;
    serde_json::from_str(json).map_err(|e| Error::checkpoint(path, format!("bad run state ({e})")))
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
        self.schedule.validate()?;
        if !(self.learning_rate.is_finite() && self.learning_rate > 0.0) {
            return Err(Error::config(
                "TrainConfig::learning_rate",
                format!("{} must be a positive number (Adam's usual is 1e-3)", self.learning_rate),
            ));
        }
        if self.early_stopping.is_some_and(|e| e.patience == 0) {
            return Err(Error::config("EarlyStopping::patience", "must be at least 1 epoch"));
        }
        if self.checkpoints.as_ref().is_some_and(|c| c.every == 0) {
            return Err(Error::config("Checkpoints::every", "must be at least 1 epoch"));
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
    /// The rate used in this epoch.
    pub learning_rate: f64,
    /// Wall time of the epoch (training and validation).
    pub seconds: f64,
}

/// The per-epoch record of a training run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct History {
    /// One record per epoch, in order.
    pub epochs: Vec<Epoch>,
    /// With early stopping: the epoch whose weights the model ended with.
    pub best_epoch: Option<usize>,
    /// True when early stopping ended the run.
    pub stopped_early: bool,
}

impl History {
    /// Training loss per epoch.
    pub fn train_loss(&self) -> Vec<f64> {
        self.epochs.iter().map(|e| e.train_loss).collect()
    }

    /// Validation loss per epoch.
    pub fn val_loss(&self) -> Vec<f64> {
        self.epochs.iter().map(|e| e.val_loss).collect()
    }

    /// The last epoch, if any.
    pub fn last(&self) -> Option<&Epoch> {
        self.epochs.last()
    }

    /// One row per epoch: epoch, train and validation loss, each extra term, learning rate,
    /// seconds. Save it with [`Table::save`](crate::table::Table::save).
    pub fn to_table(&self) -> crate::table::Table {
        let terms = self.epochs.first().map(|e| e.terms.as_slice()).unwrap_or_default();
        let mut table = crate::table::Table::new(
            ["epoch", "train loss", "validation loss"]
                .into_iter()
                .map(String::from)
                .chain(terms.iter().map(|(name, _)| name.clone()))
                .chain(["learning rate".into(), "seconds".into()]),
        );
        for e in &self.epochs {
            let mut row = vec![e.epoch.to_string(), format!("{:.4}", e.train_loss), format!("{:.4}", e.val_loss)];
            row.extend((0..terms.len()).map(|i| e.terms.get(i).map(|t| format!("{:.4}", t.1)).unwrap_or_default()));
            row.extend([format!("{:.2e}", e.learning_rate), format!("{:.2}", e.seconds)]);
            table.rows.push(row);
        }
        table
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

/// Where a run stands; saved in checkpoints.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct RunState {
    history: History,
    adam_step: i64,
    /// Best (epoch, validation loss) so far, with early stopping.
    best: Option<(usize, f64)>,
    since_best: usize,
}

const RUN_STATE: &str = "aekit.training";

/// Trains `model` on `train`, measuring `validation` after each epoch; returns the history.
///
/// The model moves to `config.device`. Each epoch prints one line (when `verbose`).
pub fn train(
    model: &mut dyn Autoencoder,
    train: &Dataset,
    validation: &Dataset,
    config: &TrainConfig,
) -> Result<History> {
    run(model, train, validation, config, false)
}

/// Continues the run checkpointed in `config.checkpoints` up to `config.epochs`: the model,
/// Adam's state and the history come back from the checkpoint, so on the CPU the result is
/// the same as a run that was never interrupted.
pub fn resume(
    model: &mut dyn Autoencoder,
    train: &Dataset,
    validation: &Dataset,
    config: &TrainConfig,
) -> Result<History> {
    run(model, train, validation, config, true)
}

fn run(
    model: &mut dyn Autoencoder,
    train: &Dataset,
    validation: &Dataset,
    config: &TrainConfig,
    resuming: bool,
) -> Result<History> {
    config.validate()?;
    crate::init();
    check_dataset("training set", train, config.loss)?;
    check_dataset("validation set", validation, config.loss)?;
    let device = match config.device {
        Some(device) => device,
        None => crate::device()?,
    };
    model.var_store_mut().set_device(device);
    // The training images move to the device once (on a GPU: no copy per batch).
    let train = &train.to_device(device);
    let mut adam = Adam::new(model.var_store(), config.learning_rate);
    let mut state = RunState::default();
    let restore_best = config.early_stopping.is_some_and(|e| e.restore_best);
    let mut best_weights = None;
    if resuming {
        let Some(checkpoints) = &config.checkpoints else {
            return Err(Error::config("TrainConfig::checkpoints", "resume needs the folder of the run's checkpoints"));
        };
        let path = checkpoints.file();
        let file = checkpoint::read(&path, Part::Training)?;
        if file.config != model.config() {
            return Err(Error::checkpoint(
                &path,
                format!("was written for a {}, not this {}", file.config.describe(), model.config().describe()),
            ));
        }
        file.copy_named(&path, model.var_store().variables(), "model.")?;
        file.copy_named(&path, adam.state_targets(), "adam.")?;
        state = run_state(&path, &file)?;
        adam.step = state.adam_step;
        if restore_best && state.best.is_some() {
            let weights = snapshot(model);
            file.copy_named(&path, weights.iter().map(|(n, t)| (n.clone(), t.shallow_clone())).collect(), "best.")?;
            best_weights = Some(weights);
        }
        if config.verbose {
            println!("resuming after epoch {} from {}", state.history.epochs.len(), path.display());
        }
    }
    if config.verbose {
        println!(
            "training {} ({} parameters) on {device:?}{}: {} images, {} for validation, {} epochs of batch {}, {}",
            model.config().describe(),
            model.parameter_count(),
            if config.bf16_autocast { " with bf16 autocast" } else { "" },
            train.len(),
            validation.len(),
            config.epochs,
            config.batch_size,
            config.loss
        );
        if let Some(c) = &config.checkpoints {
            println!("checkpoints every {} epoch(s) in {} (resume() continues from there)", c.every, c.dir.display());
        }
    }
    let first = state.history.epochs.len() + 1;
    for epoch in first..=config.epochs {
        if state.history.stopped_early {
            break;
        }
        let start = Instant::now();
        adam.learning_rate = config.schedule.rate(config.learning_rate, epoch, config.epochs);
        let epoch_seed = config.seed.wrapping_mul(1_000_003).wrapping_add(epoch as u64);
        // libtorch's generator (dropout, noise) restarts each epoch, as validation reseeds it.
        crate::manual_seed(epoch_seed);
        // Sums stay on the device: no host synchronisation per batch. So does the count of
        // batches before the first non-finite loss, which names the batch if training diverges.
        let mut total = Tensor::zeros([], (Kind::Float, device));
        let mut terms: Vec<(&'static str, Tensor)> = Vec::new();
        let (mut all_finite, mut finite_batches) =
            (Tensor::ones([], (Kind::Bool, device)), Tensor::zeros([], (Kind::Int64, device)));
        let before_epoch = snapshot(model);
        let batches = train.len().div_ceil(config.batch_size);
        for (b, batch) in train.batches(config.batch_size, Some(epoch_seed), device)?.enumerate() {
            let n = batch.images.size()[0] as f64;
            let input = match &config.corruption {
                Some(c) => c.apply(&batch.images),
                None => batch.images.shallow_clone(),
            };
            let losses = if config.bf16_autocast {
                crate::bf16_autocast(device, || model.losses_t(&input, &batch.images, config.loss, true))
            } else {
                model.losses_t(&input, &batch.images, config.loss, true)
            };
            adam.backward_step(&losses.total)?;
            all_finite = all_finite.logical_and(&losses.total.detach().isfinite());
            finite_batches += &all_finite;
            total += losses.total.detach() * n;
            for (i, (name, value)) in losses.terms.iter().enumerate() {
                match terms.get_mut(i) {
                    Some((_, sum)) => *sum += value.detach() * n,
                    None => terms.push((name, value.detach() * n)),
                }
            }
            if let Some(progress) = &config.progress {
                (progress.0)(Progress::Batch { epoch, epochs: config.epochs, batch: b + 1, batches });
            }
        }
        let n = train.len() as f64;
        let train_loss = total.double_value(&[]) / n;
        if !train_loss.is_finite() {
            restore(model, &before_epoch)?;
            let checkpoint = config.checkpoints.as_ref().map(Checkpoints::file).filter(|f| f.is_file());
            let batch = finite_batches.int64_value(&[]) as usize + 1;
            return Err(Error::Diverged { epoch, batch, loss: train_loss, checkpoint });
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
            learning_rate: adam.learning_rate,
            seconds: start.elapsed().as_secs_f64(),
        };
        if config.verbose {
            println!(
                "epoch {epoch:>3}/{}  train {train_loss:.4}  val {val_loss:.4}  {:.2} s",
                config.epochs, record.seconds
            );
        }
        if let Some(progress) = &config.progress {
            (progress.0)(Progress::Epoch(&record));
        }
        state.history.epochs.push(record);
        if let Some(stopping) = &config.early_stopping {
            if state.best.is_none_or(|(_, best)| val_loss < best - stopping.min_delta) {
                state.best = Some((epoch, val_loss));
                state.since_best = 0;
                if restore_best {
                    best_weights = Some(snapshot(model));
                }
            } else {
                state.since_best += 1;
                if state.since_best >= stopping.patience {
                    state.history.stopped_early = true;
                    if config.verbose {
                        println!("early stop: no improvement on validation for {} epochs", stopping.patience);
                    }
                }
            }
        }
        if let Some(checkpoints) = &config.checkpoints {
            if epoch % checkpoints.every == 0 || epoch == config.epochs || state.history.stopped_early {
                state.adam_step = adam.step;
                save_run(checkpoints, model, &adam, best_weights.as_deref(), &state)?;
            }
        }
    }
    if let (Some(weights), Some((epoch, loss))) = (&best_weights, state.best) {
        restore(model, weights)?;
        state.history.best_epoch = Some(epoch);
        if config.verbose {
            println!("restored the weights of epoch {epoch} (validation loss {loss:.4})");
        }
    }
    Ok(state.history)
}

/// A detached copy of the model's variables.
fn snapshot(model: &dyn Autoencoder) -> Vec<(String, Tensor)> {
    let mut vars: Vec<(String, Tensor)> =
        model.var_store().variables().into_iter().map(|(n, t)| (n, t.detach().copy())).collect();
    vars.sort_by(|a, b| a.0.cmp(&b.0));
    vars
}

fn restore(model: &mut dyn Autoencoder, weights: &[(String, Tensor)]) -> Result<()> {
    let vars = model.var_store().variables();
    for (name, value) in weights {
        if let Some(mut var) = vars.get(name).map(|v| v.shallow_clone()) {
            tch::no_grad(|| var.f_copy_(value))?;
        }
    }
    Ok(())
}

fn save_run(
    checkpoints: &Checkpoints,
    model: &dyn Autoencoder,
    adam: &Adam,
    best: Option<&[(String, Tensor)]>,
    state: &RunState,
) -> Result<()> {
    let config = model.config();
    let json = serde_json::to_string_pretty(&config).map_err(|e| Error::checkpoint(&checkpoints.dir, e.to_string()))?;
    crate::files::write_atomic(checkpoints.dir.join("config.json"), json.as_bytes())?;
    let vars = model.var_store().variables();
    let mut tensors: Vec<(String, Tensor)> = vars.into_iter().map(|(n, t)| (format!("model.{n}"), t)).collect();
    tensors.extend(adam.state().into_iter().map(|(n, t)| (format!("adam.{n}"), t)));
    if let Some(best) = best {
        tensors.extend(best.iter().map(|(n, t)| (format!("best.{n}"), t.shallow_clone())));
    }
    let run = serde_json::to_string(state).map_err(|e| Error::checkpoint(&checkpoints.dir, e.to_string()))?;
    checkpoint::write(
        &checkpoints.file(),
        Part::Training,
        &config,
        &tensors,
        HashMap::from([(RUN_STATE.to_string(), run)]),
    )
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
    check::finite(what, &data.images)?;
    if loss == ReconLoss::Bce {
        check::unit_range(what, &data.images)?;
    }
    Ok(())
}
