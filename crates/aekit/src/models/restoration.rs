//! Restoration autoencoders (ARNet's "orientation erasing", Fei et al. 2020): each training
//! sample is turned or mirrored at random ([`orient`](super::orient)), the model rebuilds the
//! upright sample, and a linear classifier on its code names the orientation it was given.
//! Trained on normal samples only, it restores and names well only what looks normal, which
//! makes its errors and its codes anomaly scores
//! ([`AnomalyDetector::restoration`](crate::eval::AnomalyDetector::restoration)).
//!
//! ```
//! use aekit::prelude::*;
//! let model = Autoencoder::new(RestorationConfig::default(), Device::Cpu)?;
//! let images = Tensor::rand([3, 1, 28, 28], (Kind::Float, Device::Cpu));
//! assert_eq!(model.encode(&images)?.size(), [3, 128]); // the code
//! assert_eq!(model.orientation_log_probs(&images)?.size(), [3, 8]); // 8 orientations
//! # Ok::<(), aekit::Error>(())
//! ```

use serde::{Deserialize, Serialize};
use tch::{nn, Kind, Reduction, Tensor};

use super::architecture::{Architecture, Decode};
use super::layers::linear;
use super::semi_supervised::WithClassifier;
use super::{orient, orientations, Autoencoder, ConvConfig, Layers, Losses, ModelConfig, ReconLoss};
use crate::{Error, Result};

/// Config of a restoration autoencoder: a convolutional autoencoder with a dense code (`body`),
/// the orientation classifier on that code, and the weight of its cross-entropy against the
/// reconstruction loss (per pixel).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RestorationConfig {
    /// The autoencoder; its `latent` must be set. Default: conv 32-64 with batch norm, code 128.
    pub body: ConvConfig,
    /// Weight of the orientation cross-entropy. The default 0.01 suits MSE per pixel (about
    /// 0.01 on Fashion-MNIST): both terms then move the code.
    pub classification: f64,
}

impl Default for RestorationConfig {
    fn default() -> Self {
        let body = ConvConfig { latent: Some(128), batch_norm: true, ..Default::default() };
        RestorationConfig { body, classification: 0.01 }
    }
}

impl RestorationConfig {
    /// The same config for samples of `shape` (e.g. `data.sample_shape()`).
    pub fn with_input(self, shape: impl Into<Vec<usize>>) -> Self {
        RestorationConfig { body: self.body.with_input(shape), ..self }
    }

    fn code(&self) -> i64 {
        self.body.latent.unwrap_or(0) as i64
    }

    /// Orientations of the input shape (8 for square images).
    pub fn orientations(&self) -> usize {
        let batch: Vec<i64> = std::iter::once(1).chain(self.body.input.iter().map(|&d| d as i64)).collect();
        orientations(&batch)
    }
}

impl Architecture for RestorationConfig {
    fn validate(&self) -> Result<()> {
        if self.body.latent.is_none() {
            return Err(Error::config(
                "RestorationConfig::body.latent",
                "the orientation classifier reads a dense code: set it (128 is the default)",
            ));
        }
        if !(self.classification.is_finite() && self.classification >= 0.0) {
            return Err(Error::config(
                "RestorationConfig::classification",
                format!("{} must be ≥ 0 (0.01 suits MSE per pixel)", self.classification),
            ));
        }
        self.body.validate()
    }

    fn describe(&self) -> String {
        format!("restoration {}, restoring and naming {} orientations", self.body.describe(), self.orientations())
    }

    fn input(&self) -> &[usize] {
        &self.body.input
    }

    fn latent(&self) -> i64 {
        self.code()
    }

    /// The body's encoder, then the orientation classifier: `[N, code + orientations]`.
    fn encoder(&self, p: &nn::Path) -> Layers {
        let classifier = linear(p / "classifier", self.code(), self.orientations() as i64);
        self.body.encoder(p).layer("classifier", WithClassifier(classifier))
    }

    fn decoder(&self, p: &nn::Path) -> Layers {
        self.body.decoder(p)
    }

    fn codes(&self, encoded: Tensor) -> Tensor {
        encoded.narrow(1, 0, self.code())
    }

    /// Each sample turned at random; the labels are the orientations given.
    fn own_inputs(&self, input: &Tensor) -> Option<(Tensor, Tensor)> {
        let n = self.orientations() as i64;
        let given = Tensor::randint(n, [input.size()[0]], (Kind::Int64, input.device()));
        let all = Tensor::stack(&(0..n as usize).map(|i| orient(input, i)).collect::<Vec<_>>(), 1);
        let rows = Tensor::arange(input.size()[0], (Kind::Int64, input.device()));
        Some((all.index(&[Some(rows), Some(given.shallow_clone())]), given))
    }

    fn labelled_losses(
        &self,
        encoded: Tensor,
        decode: Decode,
        target: &Tensor,
        labels: &Tensor,
        loss: ReconLoss,
    ) -> Losses {
        let logits = encoded.narrow(1, self.code(), self.orientations() as i64);
        let recon = loss.compute(&decode(&self.codes(encoded)), target);
        let orientation = logits.cross_entropy_loss::<Tensor>(labels, None, Reduction::Mean, -100, 0.0);
        Losses {
            total: &recon + &orientation * self.classification,
            terms: vec![("reconstruction", recon), ("orientation", orientation)],
        }
    }
}

/// Orientations, for restoration autoencoders (other kinds answer with an error).
impl Autoencoder {
    /// Log-probabilities of each orientation for samples `[N, input…]`, as the classifier
    /// reads them: `[N, orientations]`.
    pub fn orientation_log_probs(&self, samples: &Tensor) -> Result<Tensor> {
        Ok(self.restoration_pass("Autoencoder::orientation_log_probs", samples, false)?.1)
    }

    /// The restored samples and the orientation log-probabilities of `samples`, from one pass
    /// of the encoder.
    pub(crate) fn restore(&self, samples: &Tensor) -> Result<(Tensor, Tensor)> {
        let (restored, log_probs) = self.restoration_pass("AnomalyDetector::restoration", samples, true)?;
        Ok((restored.expect("asked for the restored samples"), log_probs))
    }

    fn restoration_pass(&self, what: &str, samples: &Tensor, decode: bool) -> Result<(Option<Tensor>, Tensor)> {
        let ModelConfig::Restoration(config) = self.config() else {
            return Err(Error::input(
                what,
                format!("needs a restoration autoencoder (RestorationConfig), this is a {}", self.config().describe()),
            ));
        };
        let samples = self.input(&format!("{what}: samples"), samples)?;
        tch::no_grad(|| {
            let encoded = self.encoded_t(&samples, false);
            let log_probs = encoded.narrow(1, config.code(), config.orientations() as i64).log_softmax(1, Kind::Float);
            let restored = decode.then(|| config.output(self.logits_t(&config.codes(encoded), false)));
            Ok((restored, log_probs))
        })
    }
}
