//! The trainer: one loop for every kind of autoencoder. [`Trainer::fit`] starts a run,
//! [`Trainer::resume`] continues one from its checkpoint; both then run the same epochs.

use std::ops::ControlFlow;
use std::path::PathBuf;
use std::time::Instant;

use tch::{Device, Kind, Tensor};

use super::checkpoints::{restore, snapshot, RunState, Weights};
use super::observer::{BatchDone, Flow, Observer, Start, Stop};
use super::{Adam, Augmentation, Checkpoints, Epoch, History, LinePrinter, LivePanel, Patience, TrainConfig};
use crate::data::Dataset;
use crate::eval::{check_dataset, evaluate, evaluate_denoising};
use crate::models::{Autoencoder, Losses};
use crate::{check, Error, Result};

/// Trains `model` on `train`, measuring `validation` after each epoch; returns the history.
/// The model moves to `config.device`; progress is printed unless `config.verbose` is off.
/// Shorthand for `Trainer::new(config).fit(model, train, validation)`.
pub fn train(model: &mut Autoencoder, train: &Dataset, validation: &Dataset, config: &TrainConfig) -> Result<History> {
    Trainer::new(config).fit(model, train, validation)
}

/// Continues the run checkpointed in `config.checkpoints` up to `config.epochs`: the model,
/// Adam's state and the history come back from the checkpoint, so on the CPU the result is
/// the same as a run that was never interrupted. Shorthand for [`Trainer::resume`].
pub fn resume(model: &mut Autoencoder, train: &Dataset, validation: &Dataset, config: &TrainConfig) -> Result<History> {
    Trainer::new(config).resume(model, train, validation)
}

/// A training run's settings and observers.
///
/// ```no_run
/// use aekit::prelude::*;
/// let data = FashionMnist::load()?;
/// let mut model = Autoencoder::new(ConvConfig::default(), aekit::device()?)?;
/// let config = TrainConfig {
///     epochs: 20,
///     schedule: Schedule::Cosine { min: 1e-5 },
///     early_stopping: Some(EarlyStopping { patience: 3, ..Default::default() }),
///     checkpoints: Some(Checkpoints::new("runs/conv")), // Trainer::resume continues from here
///     ..Default::default()
/// };
/// let history = Trainer::new(&config).fit(&mut model, &data.train, &data.validation)?;
/// println!("{history}");
/// # Ok::<(), aekit::Error>(())
/// ```
pub struct Trainer<'o> {
    config: TrainConfig,
    observers: Vec<Box<dyn Observer + 'o>>,
}

impl<'o> Trainer<'o> {
    /// A trainer for `config`, which shows its progress when `config.verbose`: the
    /// [`LivePanel`] in aekit's kernel, the [`LinePrinter`] elsewhere.
    pub fn new(config: &TrainConfig) -> Self {
        let trainer = Trainer { config: config.clone(), observers: Vec::new() };
        match (config.verbose, crate::kernel::active()) {
            (false, _) => trainer,
            (true, true) => trainer.observe(LivePanel::default()),
            (true, false) => trainer.observe(LinePrinter),
        }
    }

    /// Adds an observer: it hears every batch and epoch and may stop the run.
    pub fn observe(mut self, observer: impl Observer + 'o) -> Self {
        self.observers.push(Box::new(observer));
        self
    }

    /// Starts a run, checkpointed as `config.checkpoints` says (a per-run folder is made now).
    pub fn fit(self, model: &mut Autoencoder, train: &Dataset, validation: &Dataset) -> Result<History> {
        let Trainer { config, mut observers } = self;
        let checkpoints = config.checkpoints.as_ref().map(Checkpoints::for_new_run);
        let mut run = Run::new(&config, model, train, validation, checkpoints)?;
        run.epochs_before = run.model.epochs_trained();
        run.drive(&mut observers, None)
    }

    /// Continues the run checkpointed in `config.checkpoints` up to `config.epochs`: the
    /// model, Adam's state, early stopping's count and the history come back from the
    /// checkpoint, so on the CPU the result is the same as a run never interrupted.
    pub fn resume(self, model: &mut Autoencoder, train: &Dataset, validation: &Dataset) -> Result<History> {
        let Trainer { config, mut observers } = self;
        let checkpoints = match &config.checkpoints {
            Some(c) if !c.per_run => c.clone(),
            _ => {
                return Err(Error::config(
                    "TrainConfig::checkpoints",
                    "resume needs the run's own folder, as training printed it: \
                     Some(Checkpoints::new(\"target/checkpoints/run-…\"))",
                ))
            }
        };
        let mut run = Run::new(&config, model, train, validation, Some(checkpoints.clone()))?;
        let (state, best) = checkpoints.load(run.model, &mut run.adam)?;
        run.patience = config.early_stopping.map(|rule| Patience::resumed(rule, state.patience));
        run.best = best.filter(|_| run.restores_best());
        run.state = state;
        let resumed = (run.state.history.epochs.len(), checkpoints.file());
        run.drive(&mut observers, Some(resumed))
    }
}

/// One run in progress: the model, its optimizer and where the run stands.
struct Run<'a> {
    config: &'a TrainConfig,
    model: &'a mut Autoencoder,
    train: Dataset,
    validation: &'a Dataset,
    device: Device,
    adam: Adam,
    state: RunState,
    patience: Option<Patience>,
    best: Option<Weights>,
    checkpoints: Option<Checkpoints>,
    /// Epochs the model had trained before this run (a new run continuing a trained model).
    epochs_before: usize,
}

impl<'a> Run<'a> {
    fn new(
        config: &'a TrainConfig,
        model: &'a mut Autoencoder,
        train: &Dataset,
        validation: &'a Dataset,
        checkpoints: Option<Checkpoints>,
    ) -> Result<Self> {
        config.validate()?;
        crate::runtime::init();
        check_dataset("training set", train, model, config.loss)?;
        check_dataset("validation set", validation, model, config.loss)?;
        if let Some(augment) = &config.augment {
            augment.check_samples(&train.samples)?;
        }
        if config.binarize {
            let fix = "binarizing draws each pixel with that probability: scale pixels by 1/255";
            check::unit_range("training set", &train.samples, fix)?;
        }
        let device = match config.device {
            Some(device) => device,
            None => crate::device()?,
        };
        model.to_device(device);
        // The training images move to the device once (on a GPU: no copy per batch).
        let train = train.to_device(device);
        let adam = Adam::new(model.var_store(), config.learning_rate);
        let patience = config.early_stopping.map(Patience::new);
        let state = RunState::default();
        Ok(Run {
            config,
            model,
            train,
            validation,
            device,
            adam,
            state,
            patience,
            best: None,
            checkpoints,
            epochs_before: 0,
        })
    }

    /// The epochs, from the first not yet done to the last or a stop, each heard by every
    /// observer (early stopping first).
    fn drive(mut self, observers: &mut [Box<dyn Observer + '_>], resumed: Option<(usize, PathBuf)>) -> Result<History> {
        let start = self.start(resumed);
        observers.iter_mut().for_each(|o| o.start(&start));
        let epochs = self.config.epochs;
        for epoch in self.state.history.epochs.len() + 1..=epochs {
            if self.state.history.stopped_early {
                break;
            }
            let record = match self.epoch(epoch, observers)? {
                ControlFlow::Continue(record) => record,
                ControlFlow::Break(stop) => {
                    self.stopped(stop);
                    break;
                }
            };
            let stopping = self.patience.as_mut().map_or(Flow::Continue(()), |p| p.epoch(&record, epochs));
            let heard = tell(observers, |o| o.epoch(&record, epochs));
            let flow = if stopping.is_break() { stopping } else { heard };
            if self.restores_best() && self.patience.as_ref().and_then(Patience::best).is_some_and(|b| b.0 == epoch) {
                self.best = Some(snapshot(self.model));
            }
            self.state.history.epochs.push(record);
            self.model.set_epochs_trained(self.epochs_before + epoch);
            if let ControlFlow::Break(stop) = flow {
                self.stopped(stop);
            }
            self.checkpoint(epoch)?;
        }
        let history = self.finish()?;
        observers.iter_mut().for_each(|o| o.end(&history));
        Ok(history)
    }

    fn restores_best(&self) -> bool {
        self.config.early_stopping.is_some_and(|e| e.restore_best)
    }

    fn start(&self, resumed: Option<(usize, PathBuf)>) -> Start {
        let c = self.config;
        Start {
            model: self.model.config().describe(),
            parameters: self.model.parameter_count(),
            device: self.device,
            train_images: self.train.len(),
            validation_images: self.validation.len(),
            epochs: c.epochs,
            batches: self.train.len().div_ceil(c.batch_size),
            batch_size: c.batch_size,
            loss: c.loss,
            objective: self.objective(),
            bf16_autocast: c.bf16_autocast,
            checkpoints: self.checkpoints.as_ref().map(|k| (k.dir.clone(), k.every)),
            resumed,
        }
    }

    /// The model's objective, and what is done to each batch before it.
    fn objective(&self) -> String {
        let c = self.config;
        let mut objective = self.model.config().objective(c.loss);
        if let Some(Augmentation::TimeWarp { strength }) = c.augment {
            objective += &format!(", on series time-warped anew every batch (strength {strength})");
        }
        if c.binarize {
            objective += ", on pixels binarized anew every batch";
        }
        objective
    }

    /// One pass over the training set, then validation: the epoch's record, or the stop an
    /// observer asked for after a batch.
    fn epoch(&mut self, epoch: usize, observers: &mut [Box<dyn Observer + '_>]) -> Result<ControlFlow<Stop, Epoch>> {
        let (c, started) = (self.config, Instant::now());
        self.adam.learning_rate = c.schedule.rate(c.learning_rate, epoch, c.epochs);
        let seed = c.seed.wrapping_mul(1_000_003).wrapping_add(epoch as u64);
        // libtorch's generator (dropout, noise) restarts each epoch, as validation reseeds it.
        crate::manual_seed(seed);
        let before = snapshot(self.model);
        // Only aekit's kernel interrupts a run, so only there is Adam's state kept to go back to.
        let adam_before = crate::kernel::active().then(|| self.adam.snapshot());
        let mut sums = LossSums::new(self.device);
        let batches = self.train.len().div_ceil(c.batch_size);
        for (b, batch) in self.train.batches(c.batch_size, Some(seed), self.device)?.enumerate() {
            // Labels teach the kinds that learn from them; an unlabelled set has none to give.
            let labels = if self.train.is_labeled() { batch.labels } else { batch.labels.full_like(-1) };
            let losses = self.step(&batch.samples, &labels)?;
            sums.add(&losses, batch.samples.size()[0] as f64);
            let at = BatchDone { epoch, epochs: c.epochs, batch: b + 1, batches };
            if let ControlFlow::Break(stop) = tell(observers, |o| o.batch(&at)) {
                return Ok(ControlFlow::Break(stop));
            }
            if let Some(adam) = adam_before.as_ref().filter(|_| crate::kernel::interrupted()) {
                return Err(self.interrupted(epoch, &before, adam));
            }
        }
        let n = self.train.len() as f64;
        let train_loss = sums.total.double_value(&[]) / n;
        if !train_loss.is_finite() {
            restore(self.model, &before)?;
            let checkpoint = self.checkpoints.as_ref().map(Checkpoints::file).filter(|f| f.is_file());
            let batch = sums.finite_batches.int64_value(&[]) as usize + 1;
            return Err(Error::Diverged { epoch, batch, loss: train_loss, checkpoint });
        }
        let val_loss = match &c.corruption {
            Some(corruption) => evaluate_denoising(self.model, self.validation, c.loss, corruption, c.seed)?,
            None => evaluate(self.model, self.validation, c.loss)?,
        };
        Ok(ControlFlow::Continue(Epoch {
            epoch,
            train_loss,
            val_loss,
            terms: sums.terms.iter().map(|(name, sum)| (name.to_string(), sum.double_value(&[]) / n)).collect(),
            learning_rate: self.adam.learning_rate,
            seconds: started.elapsed().as_secs_f64(),
        }))
    }

    /// One optimizer step on a batch of clean images (augmented first when asked, binarized
    /// when asked, then corrupted when denoising).
    fn step(&mut self, images: &Tensor, labels: &Tensor) -> Result<Losses> {
        let c = self.config;
        let images = &c.augment.map_or_else(|| images.shallow_clone(), |augment| augment.apply(images));
        let images = &if c.binarize { images.bernoulli() } else { images.shallow_clone() };
        let input = c.corruption.map_or_else(|| images.shallow_clone(), |corruption| corruption.apply(images));
        let model = &*self.model;
        let losses = if c.bf16_autocast {
            crate::bf16_autocast(self.device, || model.labelled_losses(&input, images, labels, c.loss, true))
        } else {
            model.labelled_losses(&input, images, labels, c.loss, true)
        };
        self.adam.backward_step(&losses.total)?;
        Ok(losses)
    }

    /// ■ during `epoch`: the model and Adam go back to the last whole epoch, which is
    /// checkpointed if the run checkpoints and it was not yet; the error says so.
    fn interrupted(&mut self, epoch: usize, before: &Weights, adam: &(Tensor, Tensor, i64)) -> Error {
        let done = epoch - 1;
        let back = restore(self.model, before).and_then(|()| self.adam.restore(adam));
        if let Err(e) = back {
            return e;
        }
        let saved = match &self.checkpoints {
            Some(k) if done > 0 && done % k.every != 0 => self.save(false).map(|()| true),
            Some(_) => Ok(done > 0),
            None => Ok(false),
        };
        match saved {
            Ok(saved) => Error::Interrupted {
                epoch: done,
                checkpoint: self.checkpoints.as_ref().map(Checkpoints::file).filter(|_| saved),
            },
            Err(e) => e,
        }
    }

    fn stopped(&mut self, stop: Stop) {
        self.state.history.stopped_early = true;
        self.state.history.stop_reason = Some(stop.0);
    }

    fn checkpoint(&mut self, epoch: usize) -> Result<()> {
        let Some(checkpoints) = &self.checkpoints else { return Ok(()) };
        let last = epoch == self.config.epochs || self.state.history.stopped_early;
        if epoch % checkpoints.every == 0 || last {
            self.save(last)?;
        }
        Ok(())
    }

    /// Checkpoints the run as it stands (`finished`: nothing is left to resume).
    fn save(&mut self, finished: bool) -> Result<()> {
        let Some(checkpoints) = &self.checkpoints else { return Ok(()) };
        self.state.adam_step = self.adam.step;
        self.state.patience = self.patience.as_ref().map(Patience::state).unwrap_or_default();
        self.state.finished = finished;
        checkpoints.save(self.model, &self.adam, self.best.as_deref(), &self.state)
    }

    /// Puts back the best weights (with early stopping) and hands over the history.
    fn finish(self) -> Result<History> {
        let mut history = self.state.history;
        if let (Some(weights), Some((epoch, _))) = (&self.best, self.patience.as_ref().and_then(Patience::best)) {
            restore(self.model, weights)?;
            history.best_epoch = Some(epoch);
            self.model.set_epochs_trained(self.epochs_before + epoch);
        }
        Ok(history)
    }
}

/// Tells every observer, in order (each hears it, even after one asked to stop); the first
/// that asks to stop decides.
fn tell(observers: &mut [Box<dyn Observer + '_>], mut hook: impl FnMut(&mut dyn Observer) -> Flow) -> Flow {
    let mut flow = Flow::Continue(());
    for observer in observers.iter_mut() {
        let heard = hook(observer.as_mut());
        if flow.is_continue() {
            flow = heard;
        }
    }
    flow
}

/// An epoch's loss sums, kept on the device (no host synchronisation per batch), and the
/// count of batches before the first non-finite loss, which names the batch if training
/// diverges.
struct LossSums {
    total: Tensor,
    terms: Vec<(&'static str, Tensor)>,
    all_finite: Tensor,
    finite_batches: Tensor,
}

impl LossSums {
    fn new(device: Device) -> Self {
        LossSums {
            total: Tensor::zeros([], (Kind::Float, device)),
            terms: Vec::new(),
            all_finite: Tensor::ones([], (Kind::Bool, device)),
            finite_batches: Tensor::zeros([], (Kind::Int64, device)),
        }
    }

    /// Adds a batch of `n` images.
    fn add(&mut self, losses: &Losses, n: f64) {
        self.all_finite = self.all_finite.logical_and(&losses.total.detach().isfinite());
        self.finite_batches += &self.all_finite;
        self.total += losses.total.detach() * n;
        for (i, (name, value)) in losses.terms.iter().enumerate() {
            match self.terms.get_mut(i) {
                Some((_, sum)) => *sum += value.detach() * n,
                None => self.terms.push((name, value.detach() * n)),
            }
        }
    }
}
