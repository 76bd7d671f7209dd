//! Dense autoencoders: the tutorial's standard one (one layer each way) and deep ones (any
//! number of hidden layers, mirrored in the decoder).
//!
//! ```
//! use aekit::prelude::*;
//! let deep = DenseConfig { hidden: vec![256, 64], dropout: 0.1, ..DenseConfig::standard(16) };
//! assert!(deep.describe().contains("784 → 256 → 64 → 16"));
//! assert!(DenseConfig::standard(0).validate().is_err()); // a clear error, before any tensor
//! // Any sample shape: flattened on the way in, reshaped on the way out.
//! let series = DenseConfig::standard(8).with_input([1, 150]);
//! assert!(series.describe().contains("150 → 8 → 150"));
//! ```

use serde::{Deserialize, Serialize};
use tch::nn;

use super::architecture::Architecture;
use super::layers::linear;
use super::{input, Activation, Layers};
use crate::{Error, Result};

/// Config of a dense autoencoder (standard or deep) on samples of any shape, flattened. The
/// default is the tutorial's: 784 (a 28×28 image) → 64 (ReLU) → 784.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DenseConfig {
    /// The shape of one sample, e.g. `[1, 28, 28]` (the default), `[3, 32, 32]`, `[1, 150]`, `[20]`.
    pub input: Vec<usize>,
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
            input: input::fashion_mnist(),
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

    /// A deep autoencoder, 784-256-128-`latent` and mirrored, with a linear code: with a ReLU
    /// code it reconstructs worse than the standard one (`make quality`, MSE, 10 epochs: test
    /// MSE 0.0088 with ReLU, 0.0079 linear, 0.0085 for the standard one).
    pub fn deep(latent: usize) -> Self {
        DenseConfig { latent, hidden: vec![256, 128], code_activation: Activation::Identity, ..Default::default() }
    }

    /// The same config for samples of `shape` (e.g. `data.sample_shape()`).
    pub fn with_input(self, shape: impl Into<Vec<usize>>) -> Self {
        DenseConfig { input: shape.into(), ..self }
    }

    /// Checks the values before any tensor is built.
    pub fn validate(&self) -> Result<()> {
        input::validate("DenseConfig::input", &self.input)?;
        if self.latent == 0 {
            return Err(Error::config("DenseConfig::latent", "must be at least 1 (the tutorial uses 64)"));
        }
        if let Some(i) = self.hidden.iter().position(|&h| h == 0) {
            return Err(Error::config(format!("DenseConfig::hidden[{i}]"), "a layer needs at least 1 unit"));
        }
        let values = input::numel(&self.input);
        if let Some(&w) = self.hidden.iter().chain([&self.latent]).find(|&&w| w > values.max(784) * 64) {
            return Err(Error::config(
                "DenseConfig",
                format!("a layer of {w} units is absurdly wide for {values} input values"),
            ));
        }
        if !(0.0..1.0).contains(&self.dropout) {
            return Err(Error::config("DenseConfig::dropout", format!("{} must lie in [0, 1)", self.dropout)));
        }
        Ok(())
    }

    /// `dense 784 → 256 → 128 → 64 → 128 → 256 → 784`
    pub fn describe(&self) -> String {
        let kind = if self.hidden.is_empty() { "dense" } else { "deep dense" };
        format!("{kind} autoencoder {}", mirrored_widths(input::numel(&self.input), &self.hidden, self.latent))
    }
}

/// `784 → 256 → 64 → 256 → 784`: the widths of a dense encoder and its mirrored decoder.
pub(super) fn mirrored_widths(values: usize, hidden: &[usize], latent: usize) -> String {
    let widths: Vec<String> = std::iter::once(values)
        .chain(hidden.iter().copied())
        .chain([latent])
        .chain(hidden.iter().rev().copied())
        .chain([values])
        .map(|w| w.to_string())
        .collect();
    widths.join(" → ")
}

/// Adds a dense layer `name` (variables under `p / name`), then `activation` and dropout.
pub(super) fn dense_layer(
    layers: Layers,
    p: &nn::Path,
    name: &str,
    from: usize,
    to: usize,
    act: Option<Activation>,
    dropout: f64,
) -> Layers {
    let layers = layers.layer(name, linear(p / name, from as i64, to as i64));
    let Some(act) = act else { return layers };
    let layers = layers.op(act.name(), move |x, _| act.apply(x));
    if dropout > 0.0 {
        layers.op("dropout", move |x, train| x.dropout(dropout, train))
    } else {
        layers
    }
}

// Shapes (default config): `[N, 1, 28, 28]` → flatten `[N, 784]` → hidden layers → `[N, latent]`
fn encoder(p: &nn::Path, c: &DenseConfig) -> Layers {
    let mut layers = Layers::new().op("flatten", |x, _| x.flatten(1, -1));
    let mut width = input::numel(&c.input);
    for (i, &h) in c.hidden.iter().enumerate() {
        layers = dense_layer(layers, p, &format!("fc{}", i + 1), width, h, Some(c.activation), c.dropout);
        width = h;
    }
    dense_layer(layers, p, "code", width, c.latent, Some(c.code_activation), 0.0)
}

// Shapes (default config): `[N, latent]` → mirrored hidden layers → `[N, 784]` logits → `[N, 1, 28, 28]`
pub(super) fn dense_decoder(p: &nn::Path, c: &DenseConfig) -> Layers {
    let mut layers = Layers::new();
    let mut width = c.latent;
    for (i, &h) in c.hidden.iter().rev().enumerate() {
        layers = dense_layer(layers, p, &format!("fc{}", i + 1), width, h, Some(c.activation), c.dropout);
        width = h;
    }
    let shape = input::batch_view(&c.input);
    dense_layer(layers, p, "out", width, input::numel(&c.input), None, 0.0)
        .op("reshape", move |x, _| x.view(shape.as_slice()))
}

impl Architecture for DenseConfig {
    fn validate(&self) -> Result<()> {
        DenseConfig::validate(self)
    }

    fn describe(&self) -> String {
        DenseConfig::describe(self)
    }

    fn input(&self) -> &[usize] {
        &self.input
    }

    fn latent(&self) -> i64 {
        self.latent as i64
    }

    fn encoder(&self, p: &nn::Path) -> Layers {
        encoder(p, self)
    }

    fn decoder(&self, p: &nn::Path) -> Layers {
        dense_decoder(p, self)
    }
}
