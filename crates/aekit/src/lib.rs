//! # aekit: autoencoders on libtorch
//!
//! Fashion-MNIST, the autoencoder family, one training loop, evaluation, figures, and inline
//! display in Jupyter (evcxr). The same crate serves notebooks, plain programs and the CLI.
//! `ARCHITECTURE.md` in the repository maps the modules.
//!
//! ```no_run
//! use aekit::prelude::*;
//!
//! fn main() -> aekit::Result<()> {
//!     let data = FashionMnist::load()?;
//!     let mut model = Autoencoder::new(DenseConfig::default(), aekit::device()?)?;
//!     let history = train(&mut model, &data.train, &data.validation, &TrainConfig::default())?;
//!     println!("test loss {:.4}", evaluate(&model, &data.test, ReconLoss::Bce)?);
//!     let sample = data.test.one_per_class()?;
//!     reconstruction_grid(&sample, &model.forward(&sample.samples)?)?.save("reconstructions.png")?;
//!     loss_curve(&history, "loss")?.save("loss.svg")?;
//!     Ok(())
//! }
//! ```

#![warn(missing_docs)]

mod check;
pub mod checkpoint;
pub mod codec;
pub mod data;
pub mod display;
mod error;
pub mod eval;
pub mod files;
#[cfg(feature = "polars")]
pub mod frame;
pub mod kernel;
pub mod models;
pub mod plot;
mod rng;
mod runtime;
pub mod table;
pub mod text;
pub mod train;

pub use anyhow;
pub use error::{Error, Result};
pub use runtime::{bf16_autocast, device, manual_seed, parse_device};
/// The tch version aekit is built on, for notebooks and programs that need more of it.
pub use tch;

/// What a notebook or program usually needs, `anyhow`'s `Result` and `Context` included (the
/// error type of notebooks and programs that mix aekit's errors with others').
pub mod prelude {
    pub use crate::data::{Dataset, FashionMnist, ImageFolder, Splits, CLASS_NAMES};
    pub use crate::display::Show;
    pub use crate::eval::{evaluate, evaluate_denoising};
    #[cfg(feature = "polars")]
    pub use crate::frame::ToDataFrame;
    pub use crate::models::{
        Activation, Autoencoder, BagOfWordsConfig, CodecConfig, ConvConfig, Corruption, Decoder, DenseConfig, Encoder,
        ModelConfig, ReconLoss, RestorationConfig, SemiSupervisedConfig, SequenceConfig, SparseConfig, VaeConfig,
    };
    pub use crate::plot::{loss_curve, loss_curve_log, reconstruction_grid, ImageGrid};
    pub use crate::table::{Cell, Table};
    pub use crate::train::{
        resume, train, Checkpoints, EarlyStopping, Epoch, History, Observer, Schedule, StopWhen, TrainConfig, Trainer,
    };
    pub use crate::{device, manual_seed};
    pub use anyhow::{Context, Result};
    pub use tch::{Device, Kind, Tensor};
}
