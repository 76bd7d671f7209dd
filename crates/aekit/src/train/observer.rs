//! Observers: what a run tells the outside, and the one way anything asks it to stop.
//!
//! A run calls every observer at its start, after every batch, after every epoch and at its
//! end. The batch and epoch hooks may return `ControlFlow::Break(Stop)`: early stopping
//! ([`Patience`]), a rule of the user's own ([`StopWhen`]) and an interrupt all end a run this
//! way. A stop after a batch leaves the model as that batch made it (the epoch is not
//! recorded, the last checkpoint stays the last whole epoch); a stop after an epoch records
//! and checkpoints it first.
//!
//! ```no_run
//! use aekit::prelude::*;
//! use aekit::train::StopWhen;
//! let data = FashionMnist::load()?;
//! let mut model = Autoencoder::new(DenseConfig::default(), Device::Cpu)?;
//! let good_enough = StopWhen::epoch(|e| e.val_loss < 0.27, "validation loss below 0.27");
//! let history = Trainer::new(&TrainConfig::default()).observe(good_enough).fit(&mut model, &data.train, &data.validation)?;
//! # Ok::<(), aekit::Error>(())
//! ```

use std::ops::ControlFlow;
use std::path::PathBuf;

use tch::Device;

use super::{Epoch, History, Patience, Verdict};
use crate::models::ReconLoss;

/// Why a run was asked to stop, in words (kept in [`History::stop_reason`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stop(pub String);

/// What an observer hook returns: go on, or stop the run.
pub type Flow = ControlFlow<Stop>;

/// What a run is about to do, as its observers hear it at the start.
#[derive(Debug, Clone)]
pub struct Start {
    /// The model, in words.
    pub model: String,
    /// Its trainable values.
    pub parameters: i64,
    /// Where it trains.
    pub device: Device,
    /// Training and validation images.
    pub train_images: usize,
    /// Validation images.
    pub validation_images: usize,
    /// The run's last epoch (counting resumed ones).
    pub epochs: usize,
    /// Batches in an epoch.
    pub batches: usize,
    /// Images per batch.
    pub batch_size: usize,
    /// The reconstruction loss.
    pub loss: ReconLoss,
    /// What training minimises, in words (the loss, or the kind's own objective).
    pub objective: String,
    /// Forward passes under bf16 autocast.
    pub bf16_autocast: bool,
    /// The checkpoint folder and how often it is written, when checkpointing.
    pub checkpoints: Option<(PathBuf, usize)>,
    /// When resuming: the epochs already done and the file they came from.
    pub resumed: Option<(usize, PathBuf)>,
}

impl Start {
    /// The run in one line: `training <model> (<n> parameters) on Cpu: 55000 samples, 5000 for
    /// validation, 10 epochs of batch 256, <objective>`.
    pub fn describe(&self) -> String {
        format!(
            "training {} ({} parameters) on {:?}{}: {} samples, {} for validation, {} epochs of batch {}, {}",
            self.model,
            self.parameters,
            self.device,
            if self.bf16_autocast { " with bf16 autocast" } else { "" },
            self.train_images,
            self.validation_images,
            self.epochs,
            self.batch_size,
            self.objective
        )
    }
}

/// Where a run stands after a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchDone {
    /// The epoch, counted from 1.
    pub epoch: usize,
    /// The run's last epoch.
    pub epochs: usize,
    /// This batch, counted from 1.
    pub batch: usize,
    /// Batches in the epoch.
    pub batches: usize,
}

/// Hears a run's progress; the batch and epoch hooks can stop it. Every hook has a default
/// that does nothing, so an observer implements only what it needs.
pub trait Observer {
    /// The run starts (or resumes).
    fn start(&mut self, _run: &Start) {}

    /// A batch is done (its optimizer step taken).
    fn batch(&mut self, _at: &BatchDone) -> Flow {
        Flow::Continue(())
    }

    /// An epoch is done, validation included; `epochs` is the run's last epoch.
    fn epoch(&mut self, _epoch: &Epoch, _epochs: usize) -> Flow {
        Flow::Continue(())
    }

    /// The run is over; `history` is what training returns.
    fn end(&mut self, _history: &History) {}
}

/// An observer lent to a run, to read after it: `Trainer::new(&config).observe(&mut mine)`.
impl<O: Observer + ?Sized> Observer for &mut O {
    fn start(&mut self, run: &Start) {
        (**self).start(run)
    }

    fn batch(&mut self, at: &BatchDone) -> Flow {
        (**self).batch(at)
    }

    fn epoch(&mut self, epoch: &Epoch, epochs: usize) -> Flow {
        (**self).epoch(epoch, epochs)
    }

    fn end(&mut self, history: &History) {
        (**self).end(history)
    }
}

/// The default observer: prints what the run does, one line per epoch.
#[derive(Debug, Default, Clone)]
pub struct LinePrinter;

impl Observer for LinePrinter {
    fn start(&mut self, run: &Start) {
        if let Some((epochs, file)) = &run.resumed {
            println!("resuming after epoch {epochs} from {}", file.display());
        }
        println!("{}", run.describe());
        if let Some((dir, every)) = &run.checkpoints {
            println!("checkpoints every {every} epoch(s) in {} (resume() continues from there)", dir.display());
        }
    }

    fn epoch(&mut self, epoch: &Epoch, epochs: usize) -> Flow {
        println!("{}", epoch.line(epochs));
        Flow::Continue(())
    }

    fn end(&mut self, history: &History) {
        end_notes(history).iter().for_each(|note| println!("{note}"));
    }
}

/// What a run's end adds to its epochs: why it stopped early, which weights it kept.
pub(super) fn end_notes(history: &History) -> Vec<String> {
    let mut notes = Vec::new();
    if let Some(reason) = &history.stop_reason {
        notes.push(format!("stopped: {reason}"));
    }
    if let Some(e) = history.best_epoch.and_then(|best| history.epochs.get(best - 1)) {
        notes.push(format!("restored the weights of epoch {} (validation loss {:.4})", e.epoch, e.val_loss));
    }
    notes
}

/// A stop rule of the user's own, checked after every epoch or every batch.
pub struct StopWhen {
    after_epoch: Option<Rule<Epoch>>,
    after_batch: Option<Rule<BatchDone>>,
    reason: String,
}

/// A test of what a run just did.
type Rule<T> = Box<dyn FnMut(&T) -> bool>;

impl StopWhen {
    /// Stops after the first epoch for which `rule` is true.
    pub fn epoch(rule: impl FnMut(&Epoch) -> bool + 'static, reason: impl Into<String>) -> Self {
        StopWhen { after_epoch: Some(Box::new(rule)), after_batch: None, reason: reason.into() }
    }

    /// Stops after the first batch for which `rule` is true (e.g. a flag set by another thread).
    pub fn batch(rule: impl FnMut(&BatchDone) -> bool + 'static, reason: impl Into<String>) -> Self {
        StopWhen { after_epoch: None, after_batch: Some(Box::new(rule)), reason: reason.into() }
    }

    fn verdict(&self, stop: bool) -> Flow {
        if stop {
            Flow::Break(Stop(self.reason.clone()))
        } else {
            Flow::Continue(())
        }
    }
}

impl Observer for StopWhen {
    fn batch(&mut self, at: &BatchDone) -> Flow {
        let stop = self.after_batch.as_mut().is_some_and(|rule| rule(at));
        self.verdict(stop)
    }

    fn epoch(&mut self, epoch: &Epoch, _: usize) -> Flow {
        let stop = self.after_epoch.as_mut().is_some_and(|rule| rule(epoch));
        self.verdict(stop)
    }
}

/// Early stopping is an observer like any other: its epoch hook stops the run.
impl Observer for Patience {
    fn epoch(&mut self, epoch: &Epoch, _: usize) -> Flow {
        match self.update(epoch.epoch, epoch.val_loss) {
            Verdict::Stop => Flow::Break(Stop(format!(
                "no improvement on validation for {} epochs (early stopping)",
                self.rule().patience
            ))),
            _ => Flow::Continue(()),
        }
    }
}
