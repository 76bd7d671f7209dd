//! The tutorial's standard autoencoder: one dense layer each way.

use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};
use tch::{nn, nn::ModuleT, Device, Tensor};

use super::{Autoencoder, ModelConfig, IMAGE_PIXELS};
use crate::checkpoint::{self, Part};
use crate::{Error, Result};

/// Config of [`DenseAutoencoder`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DenseConfig {
    /// Width of the code (the tutorial's `encoding_dim`).
    pub latent: usize,
}

impl Default for DenseConfig {
    fn default() -> Self {
        DenseConfig { latent: 64 }
    }
}

impl DenseConfig {
    /// Checks the values before any tensor is built.
    pub fn validate(&self) -> Result<()> {
        if self.latent == 0 {
            return Err(Error::config("DenseConfig::latent", "must be at least 1 (the tutorial uses 64)"));
        }
        if self.latent as i64 > IMAGE_PIXELS * 16 {
            return Err(Error::config(
                "DenseConfig::latent",
                format!("{} is absurdly wide for 784 pixels", self.latent),
            ));
        }
        Ok(())
    }
}

/// # Shapes
/// - encoder: `[N, 1, 28, 28]` → flatten `[N, 784]` → Dense + ReLU → `[N, latent]`
/// - decoder: `[N, latent]` → Dense (+ sigmoid) → `[N, 784]` → `[N, 1, 28, 28]`
pub(super) fn encoder(p: &nn::Path, c: &DenseConfig) -> nn::SequentialT {
    nn::seq_t()
        .add_fn(|x| x.flatten(1, -1))
        .add(nn::linear(p / "fc", IMAGE_PIXELS, c.latent as i64, Default::default()))
        .add_fn(|x| x.relu())
}

pub(super) fn decoder(p: &nn::Path, c: &DenseConfig) -> nn::SequentialT {
    nn::seq_t()
        .add(nn::linear(p / "fc", c.latent as i64, IMAGE_PIXELS, Default::default()))
        .add_fn(|x| x.view([-1, 1, 28, 28]))
}

/// The standard autoencoder of the tutorial: 784 → latent (ReLU) → 784 (sigmoid).
///
/// ```no_run
/// use aekit::prelude::*;
/// # fn main() -> aekit::Result<()> {
/// let data = FashionMnist::load()?;
/// let mut model = DenseAutoencoder::new(&DenseConfig { latent: 32 }, aekit::device()?)?;
/// let history = train(&mut model, &data.train, &data.validation, &TrainConfig::default())?;
/// # Ok(()) }
/// ```
pub struct DenseAutoencoder {
    vs: nn::VarStore,
    config: DenseConfig,
    encoder: nn::SequentialT,
    decoder: nn::SequentialT,
}

impl DenseAutoencoder {
    /// A freshly initialised model on `device` (seed with [`crate::manual_seed`] for repeatable weights).
    pub fn new(config: &DenseConfig, device: Device) -> Result<Self> {
        config.validate()?;
        let vs = nn::VarStore::new(device);
        let encoder = encoder(&(vs.root() / "encoder"), config);
        let decoder = decoder(&(vs.root() / "decoder"), config);
        Ok(DenseAutoencoder { vs, config: config.clone(), encoder, decoder })
    }

    /// Loads a model saved by [`Autoencoder::save`].
    pub fn load(path: impl AsRef<Path>, device: Device) -> Result<Self> {
        let path = path.as_ref();
        let file = checkpoint::read(path, Part::Autoencoder)?;
        #[allow(irrefutable_let_patterns)] // until the family has more kinds
        let ModelConfig::Dense(config) = &file.config
        else {
            return Err(Error::checkpoint(path, format!("holds a {:?}, not a dense autoencoder", file.config)));
        };
        let mut model = DenseAutoencoder::new(config, device)?;
        file.copy_into(path, &mut model.vs)?;
        Ok(model)
    }
}

impl Autoencoder for DenseAutoencoder {
    fn config(&self) -> ModelConfig {
        ModelConfig::Dense(self.config.clone())
    }

    fn var_store(&self) -> &nn::VarStore {
        &self.vs
    }

    fn var_store_mut(&mut self) -> &mut nn::VarStore {
        &mut self.vs
    }

    fn encode_t(&self, images: &Tensor, train: bool) -> Tensor {
        self.encoder.forward_t(images, train)
    }

    fn decode_logits_t(&self, codes: &Tensor, train: bool) -> Tensor {
        self.decoder.forward_t(codes, train)
    }
}

impl fmt::Display for DenseAutoencoder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "dense autoencoder: 784 → {} (ReLU) → 784 (sigmoid), {} parameters, on {:?}",
            self.config.latent,
            self.parameter_count(),
            self.device()
        )
    }
}
