//! Dense autoencoders: the tutorial's standard one (one layer each way) and deep ones (any
//! number of hidden layers, mirrored in the decoder).

use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};
use tch::{nn, Device};

use super::{Activation, Autoencoder, Layers, ModelConfig, IMAGE_PIXELS};
use crate::checkpoint::{self, Part};
use crate::{Error, Result};

/// Config of [`DenseAutoencoder`]. The default is the tutorial's: 784 → 64 (ReLU) → 784.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DenseConfig {
    /// Width of the code (the tutorial's `encoding_dim`).
    pub latent: usize,
    /// Widths of the encoder's hidden layers, from the input inward; the decoder mirrors them.
    /// Empty: the standard autoencoder.
    pub hidden: Vec<usize>,
    /// Nonlinearity after each hidden layer.
    pub activation: Activation,
    /// Nonlinearity on the code (the tutorial's ReLU; sigmoid suits KL sparsity).
    pub code_activation: Activation,
    /// Dropout after each hidden layer while training, in [0, 1).
    pub dropout: f64,
}

impl Default for DenseConfig {
    fn default() -> Self {
        DenseConfig {
            latent: 64,
            hidden: Vec::new(),
            activation: Activation::Relu,
            code_activation: Activation::Relu,
            dropout: 0.0,
        }
    }
}

impl DenseConfig {
    /// The tutorial's standard autoencoder, 784 → `latent` → 784.
    pub fn standard(latent: usize) -> Self {
        DenseConfig { latent, ..Default::default() }
    }

    /// A deep autoencoder, 784-256-128-`latent` and mirrored.
    pub fn deep(latent: usize) -> Self {
        DenseConfig { latent, hidden: vec![256, 128], ..Default::default() }
    }

    /// Checks the values before any tensor is built.
    pub fn validate(&self) -> Result<()> {
        if self.latent == 0 {
            return Err(Error::config("DenseConfig::latent", "must be at least 1 (the tutorial uses 64)"));
        }
        if let Some(i) = self.hidden.iter().position(|&h| h == 0) {
            return Err(Error::config(format!("DenseConfig::hidden[{i}]"), "a layer needs at least 1 unit"));
        }
        if let Some(&w) = self.hidden.iter().chain([&self.latent]).find(|&&w| w as i64 > IMAGE_PIXELS * 64) {
            return Err(Error::config("DenseConfig", format!("a layer of {w} units is absurdly wide for 784 pixels")));
        }
        if !(0.0..1.0).contains(&self.dropout) {
            return Err(Error::config("DenseConfig::dropout", format!("{} must lie in [0, 1)", self.dropout)));
        }
        Ok(())
    }

    /// `dense 784 → 256 → 128 → 64 → 128 → 256 → 784`
    pub fn describe(&self) -> String {
        let widths: Vec<String> = std::iter::once(IMAGE_PIXELS as usize)
            .chain(self.hidden.iter().copied())
            .chain([self.latent])
            .chain(self.hidden.iter().rev().copied())
            .chain([IMAGE_PIXELS as usize])
            .map(|w| w.to_string())
            .collect();
        let kind = if self.hidden.is_empty() { "dense" } else { "deep dense" };
        format!("{kind} autoencoder {}", widths.join(" → "))
    }
}

/// Adds a dense layer `name` (variables under `p / name`), then `activation` and dropout.
fn dense(
    layers: Layers,
    p: &nn::Path,
    name: &str,
    from: usize,
    to: usize,
    act: Option<Activation>,
    dropout: f64,
) -> Layers {
    let layers = layers.layer(name, nn::linear(p / name, from as i64, to as i64, Default::default()));
    let Some(act) = act else { return layers };
    let layers = layers.op(act.name(), move |x, _| act.apply(x));
    if dropout > 0.0 {
        layers.op("dropout", move |x, train| x.dropout(dropout, train))
    } else {
        layers
    }
}

/// # Shapes
/// `[N, 1, 28, 28]` → flatten `[N, 784]` → hidden layers → `[N, latent]`
pub(super) fn encoder(p: &nn::Path, c: &DenseConfig) -> Layers {
    let mut layers = Layers::new().op("flatten", |x, _| x.flatten(1, -1));
    let mut width = IMAGE_PIXELS as usize;
    for (i, &h) in c.hidden.iter().enumerate() {
        layers = dense(layers, p, &format!("fc{}", i + 1), width, h, Some(c.activation), c.dropout);
        width = h;
    }
    dense(layers, p, "code", width, c.latent, Some(c.code_activation), 0.0)
}

/// # Shapes
/// `[N, latent]` → mirrored hidden layers → `[N, 784]` logits → `[N, 1, 28, 28]`
pub(super) fn decoder(p: &nn::Path, c: &DenseConfig) -> Layers {
    let mut layers = Layers::new();
    let mut width = c.latent;
    for (i, &h) in c.hidden.iter().rev().enumerate() {
        layers = dense(layers, p, &format!("fc{}", i + 1), width, h, Some(c.activation), c.dropout);
        width = h;
    }
    dense(layers, p, "out", width, IMAGE_PIXELS as usize, None, 0.0).op("reshape", |x, _| x.view([-1, 1, 28, 28]))
}

/// A dense autoencoder: the tutorial's standard one by default (784 → 64 (ReLU) → 784
/// (sigmoid)), deep with [`DenseConfig::deep`].
///
/// ```no_run
/// use aekit::prelude::*;
/// # fn main() -> aekit::Result<()> {
/// let data = FashionMnist::load()?;
/// let mut model = DenseAutoencoder::new(&DenseConfig::standard(32), aekit::device()?)?;
/// let history = train(&mut model, &data.train, &data.validation, &TrainConfig::default())?;
/// # Ok(()) }
/// ```
pub struct DenseAutoencoder {
    vs: nn::VarStore,
    config: DenseConfig,
    encoder: Layers,
    decoder: Layers,
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
            return Err(Error::checkpoint(
                path,
                format!("holds a {}, not a dense autoencoder", file.config.describe()),
            ));
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

    fn encoder_layers(&self) -> &Layers {
        &self.encoder
    }

    fn decoder_layers(&self) -> &Layers {
        &self.decoder
    }
}

impl fmt::Display for DenseAutoencoder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}, {} parameters, on {:?}", self.config.describe(), self.parameter_count(), self.device())
    }
}
