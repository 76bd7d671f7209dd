//! Semi-supervised autoencoders: the encoder's code also feeds a linear classifier. Every
//! sample trains the reconstruction; the few whose label is known (≥ 0, the others −1, as
//! [`Dataset::semi_supervised`](crate::data::Dataset::semi_supervised) makes them) also train
//! the classifier, through the code, so the code learns what the labels need from all the data.
//!
//! ```
//! use aekit::prelude::*;
//! let config = SemiSupervisedConfig::new(10);
//! let model = Autoencoder::new(config, Device::Cpu)?;
//! let images = Tensor::rand([3, 1, 28, 28], (Kind::Float, Device::Cpu));
//! assert_eq!(model.encode(&images)?.size(), [3, 128]); // the code
//! assert_eq!(model.classify(&images)?.size(), [3]); // a class per image
//! # Ok::<(), aekit::Error>(())
//! ```

use serde::{Deserialize, Serialize};
use tch::{nn, nn::Module, Kind, Reduction, Tensor};

use super::architecture::{Architecture, Decode};
use super::layers::linear;
use super::{Autoencoder, ConvConfig, Layers, Losses, ModelConfig, ReconLoss};
use crate::{Error, Result};

/// Config of a semi-supervised autoencoder: a convolutional autoencoder with a dense code
/// (`body`), a linear classifier on that code, and the weight of the classification loss
/// against the reconstruction (binary cross-entropy per pixel, or MSE).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SemiSupervisedConfig {
    /// The autoencoder; its `latent` (the code the classifier reads) must be set.
    pub body: ConvConfig,
    /// Classes the classifier tells apart.
    pub classes: usize,
    /// Weight of the cross-entropy on the labelled samples of a batch.
    pub classification: f64,
    /// Weight of the reconstruction. At 0 the decoder is not run: the encoder and the
    /// classifier learn from the labels alone (a self-training round on pseudo-labels, say,
    /// after the reconstruction has taught the code), at a fraction of the cost; the
    /// validation loss the trainer reports stays the reconstruction's.
    pub reconstruction: f64,
}

impl Default for SemiSupervisedConfig {
    fn default() -> Self {
        SemiSupervisedConfig::new(10)
    }
}

impl SemiSupervisedConfig {
    /// `classes` classes, on the default convolutions with batch norm and a linear code of 128
    /// (no ReLU: the linear classifier reads every value of it).
    pub fn new(classes: usize) -> Self {
        let body = ConvConfig { latent: Some(128), batch_norm: true, linear_code: true, ..Default::default() };
        SemiSupervisedConfig { body, classes, classification: 1.0, reconstruction: 1.0 }
    }

    /// The same config for samples of `shape` (e.g. `data.sample_shape()`).
    pub fn with_input(self, shape: impl Into<Vec<usize>>) -> Self {
        SemiSupervisedConfig { body: self.body.with_input(shape), ..self }
    }

    fn code(&self) -> i64 {
        self.body.latent.unwrap_or(0) as i64
    }
}

/// Appends the classifier's logits to the code: the encoder's output is `[N, code + classes]`.
#[derive(Debug)]
pub(super) struct WithClassifier(pub(super) nn::Linear);

impl Module for WithClassifier {
    fn forward(&self, code: &Tensor) -> Tensor {
        Tensor::cat(&[code.shallow_clone(), self.0.forward(code)], 1)
    }
}

impl Architecture for SemiSupervisedConfig {
    fn validate(&self) -> Result<()> {
        if self.body.latent.is_none() {
            return Err(Error::config(
                "SemiSupervisedConfig::body.latent",
                "the classifier reads a dense code: set it (128 is the default)",
            ));
        }
        if self.classes < 2 {
            return Err(Error::config("SemiSupervisedConfig::classes", format!("{} must be at least 2", self.classes)));
        }
        for (field, weight) in [("classification", self.classification), ("reconstruction", self.reconstruction)] {
            if !(weight.is_finite() && weight >= 0.0) {
                return Err(Error::config(
                    format!("SemiSupervisedConfig::{field}"),
                    format!("{weight} must be ≥ 0 (1 weighs it as the other term)"),
                ));
            }
        }
        if self.classification == 0.0 && self.reconstruction == 0.0 {
            return Err(Error::config(
                "SemiSupervisedConfig::reconstruction",
                "and classification are both 0: nothing would be learnt (set either above 0)",
            ));
        }
        self.body.validate()
    }

    fn describe(&self) -> String {
        format!("semi-supervised {}, a linear classifier of {} classes on the code", self.body.describe(), self.classes)
    }

    fn input(&self) -> &[usize] {
        &self.body.input
    }

    fn latent(&self) -> i64 {
        self.code()
    }

    /// The body's encoder, then the classifier: `[N, code + classes]`.
    fn encoder(&self, p: &nn::Path) -> Layers {
        let classifier = linear(p / "classifier", self.code(), self.classes as i64);
        self.body.encoder(p).layer("classifier", WithClassifier(classifier))
    }

    fn decoder(&self, p: &nn::Path) -> Layers {
        self.body.decoder(p)
    }

    fn codes(&self, encoded: Tensor) -> Tensor {
        encoded.narrow(1, 0, self.code())
    }

    fn labelled_losses(
        &self,
        encoded: Tensor,
        decode: Decode,
        target: &Tensor,
        labels: &Tensor,
        loss: ReconLoss,
    ) -> Losses {
        let logits = encoded.narrow(1, self.code(), self.classes as i64);
        let recon = if self.reconstruction > 0.0 {
            loss.compute(&decode(&self.codes(encoded)), target)
        } else {
            Tensor::zeros([], (Kind::Float, encoded.device()))
        };
        let known = labels.ge(0);
        let classification = if known.any().int64_value(&[]) == 1 {
            let index = known.nonzero().squeeze_dim(1);
            logits.index_select(0, &index).cross_entropy_loss::<Tensor>(
                &labels.index_select(0, &index),
                None,
                Reduction::Mean,
                -100,
                0.0,
            )
        } else {
            // Zero, yet on the graph: a batch without labels still steps when only they weigh.
            logits.sum(Kind::Float) * 0.0
        };
        Losses {
            total: &recon * self.reconstruction + &classification * self.classification,
            terms: vec![("reconstruction", recon), ("classification", classification)],
        }
    }
}

/// Classes, for semi-supervised autoencoders (other kinds answer with an error).
impl Autoencoder {
    /// The classifier's class probabilities for samples `[N, input…]`: `[N, classes]`.
    pub fn class_probabilities(&self, samples: &Tensor) -> Result<Tensor> {
        let ModelConfig::SemiSupervised(config) = self.config() else {
            return Err(Error::input(
                "Autoencoder::classify",
                format!(
                    "needs a semi-supervised autoencoder (SemiSupervisedConfig), this is a {}",
                    self.config().describe()
                ),
            ));
        };
        let samples = self.input("Autoencoder::classify: samples", samples)?;
        let encoded = tch::no_grad(|| self.encoded_t(&samples, false));
        Ok(encoded.narrow(1, config.code(), config.classes as i64).softmax(1, Kind::Float))
    }

    /// The classifier's most likely class for each sample `[N, input…]`: `[N]` i64.
    pub fn classify(&self, samples: &Tensor) -> Result<Tensor> {
        Ok(self.class_probabilities(samples)?.argmax(1, false))
    }
}
