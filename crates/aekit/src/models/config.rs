//! The config of any kind of autoencoder: stored in checkpoints, so a file says what it holds.

use serde::{Deserialize, Serialize};

use super::architecture::Architecture;
use super::{
    BagOfWordsConfig, CodecConfig, ConvConfig, DenseConfig, ReconLoss, RestorationConfig, SemiSupervisedConfig,
    SequenceConfig, SparseConfig, VaeConfig,
};
use crate::{Error, Result};

/// The config of any kind of autoencoder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ModelConfig {
    /// Standard or deep dense autoencoder.
    Dense(DenseConfig),
    /// Convolutional autoencoder.
    Conv(ConvConfig),
    /// Dense autoencoder with a sparsity penalty on the code.
    Sparse(SparseConfig),
    /// Variational autoencoder, dense or convolutional.
    Vae(VaeConfig),
    /// Bag-of-words autoencoder for documents (term counts in, word distribution out).
    BagOfWords(BagOfWordsConfig),
    /// Sequence autoencoder for token ids (GRU encoder and decoder).
    Sequence(SequenceConfig),
    /// Learned image codec: a rounded spatial code with a learned density (rate + distortion).
    Codec(CodecConfig),
    /// Convolutional autoencoder whose code also feeds a classifier trained on the labelled few.
    SemiSupervised(SemiSupervisedConfig),
    /// Convolutional autoencoder that restores turned samples and names their orientation.
    Restoration(RestorationConfig),
}

impl ModelConfig {
    pub(crate) fn architecture(&self) -> &dyn Architecture {
        match self {
            ModelConfig::Dense(c) => c,
            ModelConfig::Conv(c) => c,
            ModelConfig::Sparse(c) => c,
            ModelConfig::Vae(c) => c,
            ModelConfig::BagOfWords(c) => c,
            ModelConfig::Sequence(c) => c,
            ModelConfig::Codec(c) => c,
            ModelConfig::SemiSupervised(c) => c,
            ModelConfig::Restoration(c) => c,
        }
    }

    /// Checks the values before any tensor is built.
    pub fn validate(&self) -> Result<()> {
        self.architecture().validate()
    }

    /// The shape of one input sample, e.g. `[1, 28, 28]`.
    pub fn input(&self) -> &[usize] {
        self.architecture().input()
    }

    /// The same config for samples of `shape`, e.g. `data.sample_shape()`: `[C, H, W]` images,
    /// `[C, L]` series (a convolutional kind then convolves in 1-D), `[D]` vectors (dense kinds).
    pub fn with_input(self, shape: impl Into<Vec<usize>>) -> ModelConfig {
        match self {
            ModelConfig::Dense(c) => c.with_input(shape).into(),
            ModelConfig::Conv(c) => c.with_input(shape).into(),
            ModelConfig::Sparse(c) => c.with_input(shape).into(),
            ModelConfig::Vae(c) => c.with_input(shape).into(),
            ModelConfig::BagOfWords(c) => c.with_input(shape).into(),
            ModelConfig::Sequence(c) => c.with_input(shape).into(),
            ModelConfig::Codec(c) => c.with_input(shape).into(),
            ModelConfig::SemiSupervised(c) => c.with_input(shape).into(),
            ModelConfig::Restoration(c) => c.with_input(shape).into(),
        }
    }

    /// Width of the code.
    pub fn latent(&self) -> i64 {
        self.architecture().latent()
    }

    /// A one-line description, e.g. `dense autoencoder 784 → 64 → 784`.
    pub fn describe(&self) -> String {
        self.architecture().describe()
    }

    /// What training minimises for this kind, in words, with reconstruction loss `loss` (a
    /// VAE's negative ELBO in nats per image, a sparse model's loss plus its penalty), per pixel
    /// of images and per value of series and vectors.
    pub fn objective(&self, loss: ReconLoss) -> String {
        if let Some(own) = self.own_loss() {
            return own.into();
        }
        let unit = self.unit();
        let sample = if unit == "pixel" { "image" } else { "sample" };
        match self {
            ModelConfig::Vae(_) if loss == ReconLoss::Bce => format!("negative ELBO (nats per {sample})"),
            ModelConfig::Vae(_) => format!("{loss} summed over {unit}s + β·KL, per {sample}"),
            ModelConfig::Sparse(_) => format!("{loss} per {unit} + sparsity penalty"),
            ModelConfig::SemiSupervised(c) => {
                format!("{loss} per {unit} + {} · cross-entropy on the labelled samples", c.classification)
            }
            ModelConfig::Restoration(c) => {
                format!("{loss} per {unit} of the upright sample + {} · orientation cross-entropy", c.classification)
            }
            _ => format!("{loss} per {unit}"),
        }
    }

    /// What one value of a sample is called: "pixel" for images `[C, H, W]`, "value" for series
    /// and vectors.
    pub fn unit(&self) -> &'static str {
        if self.input().len() == 3 {
            "pixel"
        } else {
            "value"
        }
    }

    /// The kind's own reconstruction loss, in words, for the kinds that ignore
    /// `TrainConfig::loss` (bag of words, sequence): their samples need not lie in [0, 1].
    pub fn own_loss(&self) -> Option<&'static str> {
        self.architecture().own_loss()
    }

    /// The named starting points, as (name, what it is): the CLI's `--kind`.
    pub const PRESETS: [(&'static str, &'static str); 6] = [
        ("dense", "dense, one hidden layer (the tutorial's)"),
        ("deep", "dense, 256-128 hidden layers, mirrored, linear code"),
        ("conv", "strided convolutions (2-D for images, 1-D for series) and a dense code"),
        ("sparse", "dense with an L1 penalty on the code"),
        ("vae", "variational, dense 400 hidden"),
        ("conv-vae", "variational, convolutional"),
    ];

    /// The preset `name` (one of [`ModelConfig::PRESETS`]) with a code of `latent` values.
    pub fn preset(name: &str, latent: usize) -> Result<ModelConfig> {
        Ok(match name {
            "dense" => DenseConfig::standard(latent).into(),
            "deep" => DenseConfig::deep(latent).into(),
            "conv" => ConvConfig { latent: Some(latent), ..Default::default() }.into(),
            "sparse" => SparseConfig { dense: DenseConfig::standard(latent), ..Default::default() }.into(),
            "vae" => VaeConfig { latent, ..Default::default() }.into(),
            "conv-vae" => VaeConfig::conv(latent).into(),
            _ => {
                let names: Vec<&str> = Self::PRESETS.iter().map(|p| p.0).collect();
                return Err(Error::config(
                    "model kind",
                    format!("unknown kind {name:?}; choose one of {}", names.join(", ")),
                ));
            }
        })
    }

    /// The config as JSON, as checkpoints store it.
    pub(crate) fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|e| unreachable!("a config always serializes: {e}"))
    }
}

macro_rules! from_kind {
    ($($variant:ident($config:ty)),*) => {$(
        impl From<$config> for ModelConfig {
            fn from(c: $config) -> Self {
                ModelConfig::$variant(c)
            }
        }

        impl From<&$config> for ModelConfig {
            fn from(c: &$config) -> Self {
                ModelConfig::$variant(c.clone())
            }
        }
    )*};
}

from_kind!(
    Dense(DenseConfig),
    Conv(ConvConfig),
    Sparse(SparseConfig),
    Vae(VaeConfig),
    BagOfWords(BagOfWordsConfig),
    Sequence(SequenceConfig),
    Codec(CodecConfig),
    SemiSupervised(SemiSupervisedConfig),
    Restoration(RestorationConfig)
);

impl From<&ModelConfig> for ModelConfig {
    fn from(c: &ModelConfig) -> Self {
        c.clone()
    }
}
