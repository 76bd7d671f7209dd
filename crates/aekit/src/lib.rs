//! # aekit: autoencoders on libtorch
//!
//! Fashion-MNIST, the autoencoder family, one training loop, evaluation, figures, and inline
//! display in Jupyter (evcxr). The same crate serves notebooks, plain programs and the CLI.
//!
//! ```no_run
//! use aekit::prelude::*;
//!
//! fn main() -> aekit::Result<()> {
//!     let data = FashionMnist::load()?;
//!     let mut model = DenseAutoencoder::new(&DenseConfig::default(), aekit::device()?)?;
//!     let history = train(&mut model, &data.train, &data.validation, &TrainConfig::default())?;
//!     println!("test loss {:.4}", evaluate(&model, &data.test, ReconLoss::Bce)?);
//!     let sample = data.test.one_per_class()?;
//!     reconstruction_grid(&sample, &model.forward(&sample.images)?)?.save("reconstructions.png")?;
//!     loss_curve(&history, "loss")?.save("loss.svg")?;
//!     Ok(())
//! }
//! ```

#![warn(missing_docs)]

mod check;
pub mod checkpoint;
pub mod data;
pub mod display;
mod error;
pub mod eval;
pub mod files;
#[cfg(feature = "polars")]
pub mod frame;
pub mod models;
mod optim;
pub mod plot;
mod rng;
mod runtime;
pub mod table;
pub mod train;

use tch::Device;

pub use error::{Error, Result};
pub use runtime::bf16_autocast;
/// The tch version aekit is built on, for notebooks and programs that need more of it.
pub use tch;

/// What a notebook or program usually needs.
pub mod prelude {
    pub use crate::data::{Dataset, FashionMnist, CLASS_NAMES};
    #[cfg(feature = "polars")]
    pub use crate::frame::{FrameDisplay, ToDataFrame};
    pub use crate::models::{
        Activation, Autoencoder, ConvAutoencoder, ConvConfig, Corruption, Decoder, DenseAutoencoder, DenseConfig,
        Encoder, ReconLoss, SparseAutoencoder, SparseConfig, Vae, VaeConfig,
    };
    pub use crate::plot::{loss_curve, loss_curve_log, reconstruction_grid, ImageGrid};
    pub use crate::train::{
        evaluate, evaluate_denoising, resume, train, Checkpoints, EarlyStopping, History, OnProgress, Progress,
        Schedule, TrainConfig,
    };
    pub use crate::{device, epochs, manual_seed, quick_mode};
    pub use tch::{Device, Kind, Tensor};
}

/// The device to compute on: `$AEKIT_DEVICE` (`cpu`, `cuda`, `cuda:N`) when set, else the
/// first CUDA GPU when there is one, else the CPU.
pub fn device() -> Result<Device> {
    match std::env::var("AEKIT_DEVICE") {
        Ok(name) => parse_device(&name),
        Err(_) => {
            init();
            Ok(Device::cuda_if_available())
        }
    }
}

/// Parses `cpu`, `cuda` or `cuda:N`, checking that such a GPU exists.
pub fn parse_device(name: &str) -> Result<Device> {
    let bad = || Error::config("device", format!("unknown device {name:?}; use cpu, cuda or cuda:N"));
    let device = match name.trim().to_ascii_lowercase().as_str() {
        "cpu" => Device::Cpu,
        "cuda" => Device::Cuda(0),
        other => Device::Cuda(other.strip_prefix("cuda:").and_then(|n| n.parse().ok()).ok_or_else(bad)?),
    };
    if let Device::Cuda(i) = device {
        init();
        if let Err(why) = runtime::load(true) {
            return Err(Error::config(
                "device",
                format!("{name:?} asked for, but CUDA is not available: {why}; use cpu"),
            ));
        }
        let count = tch::Cuda::device_count();
        if i as i64 >= count {
            return Err(Error::config(
                "device",
                format!("{name:?} asked for, but this machine has {count} CUDA device(s); use cpu"),
            ));
        }
    }
    Ok(device)
}

/// Readies libtorch once: malloc tuned for tensors, and CUDA loaded when this machine has a
/// GPU and `$AEKIT_DEVICE` is not `cpu` (before libtorch first looks for CUDA, which seeding
/// and device queries do; see `runtime.rs`). Cheap after the first call: seeding calls it
/// every epoch.
pub(crate) fn init() {
    static DONE: std::sync::Once = std::sync::Once::new();
    DONE.call_once(|| {
        runtime::keep_freed_memory();
        if !std::env::var("AEKIT_DEVICE").is_ok_and(|d| d.trim().eq_ignore_ascii_case("cpu")) {
            let _ = runtime::load(false);
        }
    });
}

/// Seeds libtorch's generator, so model initialisation repeats.
pub fn manual_seed(seed: u64) {
    init();
    tch::manual_seed(seed as i64);
}

/// True when `AEKIT_QUICK=1`: notebooks then train briefly (the notebook tests set it).
pub fn quick_mode() -> bool {
    std::env::var("AEKIT_QUICK").is_ok_and(|v| v == "1" || v.eq_ignore_ascii_case("true"))
}

/// Epochs for a notebook or demo: `$AEKIT_EPOCHS` when set, else at most 2 in
/// [`quick_mode`], else `default`.
pub fn epochs(default: usize) -> usize {
    match std::env::var("AEKIT_EPOCHS").ok().and_then(|v| v.parse().ok()) {
        Some(n) => n,
        None if quick_mode() => default.min(2),
        None => default,
    }
}
