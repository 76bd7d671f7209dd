//! Training: one loop for every [`Autoencoder`](crate::models::Autoencoder), in small parts.
//!
//! - [`TrainConfig`]: how to train, plain data.
//! - [`Trainer`]: runs the epochs; [`Trainer::fit`] starts a run, [`Trainer::resume`]
//!   continues one from its [`Checkpoints`]; [`train`] and [`resume`] are the shorthands.
//! - [`Observer`]: hears the run (start, batch, epoch, end) and may stop it: the
//!   [`LinePrinter`] (the default; in aekit's kernel the [`LivePanel`]), early stopping ([`Patience`]), [`StopWhen`], a progress bar.
//! - [`History`]: what the run did, epoch by epoch.
//! - [`Adam`] and [`Schedule`]: the optimizer and the learning rate over epochs.
//! - [`Augmentation`]: random changes to the training samples (a time warp for series).
//!
//! ```no_run
//! use aekit::prelude::*;
//! let data = FashionMnist::load()?;
//! let mut model = Autoencoder::new(ConvConfig::default(), aekit::device()?)?;
//! let config = TrainConfig { epochs: 20, checkpoints: Some(Checkpoints::new("runs/conv")), ..Default::default() };
//! let history = train(&mut model, &data.train, &data.validation, &config)?;
//! // Later, or after a crash: the same model and config continue where the run stopped.
//! let history = resume(&mut model, &data.train, &data.validation, &TrainConfig { epochs: 30, ..config })?;
//! # Ok::<(), aekit::Error>(())
//! ```

mod adam;
mod augmentation;
mod checkpoints;
mod config;
mod early_stopping;
mod history;
mod live;
mod observer;
mod schedule;
mod trainer;

pub use adam::Adam;
pub use augmentation::Augmentation;
pub use checkpoints::Checkpoints;
pub use config::TrainConfig;
pub use early_stopping::{EarlyStopping, Patience, Verdict};
pub use history::{Epoch, History};
pub use live::LivePanel;
pub use observer::{BatchDone, Flow, LinePrinter, Observer, Start, Stop, StopWhen};
pub use schedule::Schedule;
pub use trainer::{resume, train, Trainer};
