//! The bag-of-words autoencoder: a document's term counts in, the distribution of its words
//! out. The reconstruction is multinomial: the loss is the cross-entropy between the
//! document's word frequencies and the decoder's softmax over the vocabulary, in nats per word
//! (as in Miao et al.'s neural variational document model). Binary cross-entropy would spend
//! the model on predicting the thousands of absent words of each short document; the
//! multinomial spends it on the words that are there, weighted by how often.
//!
//! ```
//! use aekit::prelude::*;
//! let config = BagOfWordsConfig::new(500, 32); // a vocabulary of 500 words, a code of 32
//! let model = Autoencoder::new(config, Device::Cpu)?;
//! let counts = Tensor::randint(3, [4, 500], (Kind::Float, Device::Cpu));
//! assert_eq!(model.encode(&counts)?.size(), [4, 32]);
//! let words = model.forward(&counts)?; // each row a distribution over the 500 words
//! assert!((words.sum(Kind::Float).double_value(&[]) - 4.0).abs() < 1e-4);
//! # Ok::<(), aekit::Error>(())
//! ```

use serde::{Deserialize, Serialize};
use tch::{nn, Kind, Tensor};

use super::architecture::{Architecture, Decode};
use super::dense::{dense_layer, mirrored_widths};
use super::{Activation, Layers, Losses, ReconLoss};
use crate::{Error, Result};

/// Config of a bag-of-words autoencoder over a vocabulary of `input[0]` words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BagOfWordsConfig {
    /// `[V]`: term counts over a vocabulary of V words (`vocabulary.counts(..).sample_shape()`).
    pub input: Vec<usize>,
    /// Width of the code.
    pub latent: usize,
    /// Widths of the encoder's hidden layers (ReLU), mirrored in the decoder.
    pub hidden: Vec<usize>,
    /// Dropout on the input's words and after each hidden layer while training, in [0, 1).
    pub dropout: f64,
}

impl Default for BagOfWordsConfig {
    fn default() -> Self {
        BagOfWordsConfig { input: vec![2000], latent: 128, hidden: vec![512], dropout: 0.2 }
    }
}

impl BagOfWordsConfig {
    /// A vocabulary of `vocabulary` words and a code of `latent` values, one hidden layer of 512.
    pub fn new(vocabulary: usize, latent: usize) -> Self {
        BagOfWordsConfig { input: vec![vocabulary], latent, ..Default::default() }
    }

    /// The same config for term counts of `shape` (`[V]`).
    pub fn with_input(self, shape: impl Into<Vec<usize>>) -> Self {
        BagOfWordsConfig { input: shape.into(), ..self }
    }

    fn vocabulary(&self) -> usize {
        self.input.first().copied().unwrap_or(0)
    }
}

impl Architecture for BagOfWordsConfig {
    fn validate(&self) -> Result<()> {
        if self.input.len() != 1 || self.vocabulary() < 2 {
            return Err(Error::config(
                "BagOfWordsConfig::input",
                format!("{:?}: expected [V], term counts over V ≥ 2 words", self.input),
            ));
        }
        if self.latent == 0 || self.hidden.contains(&0) {
            return Err(Error::config("BagOfWordsConfig", "the code and every hidden layer need at least 1 unit"));
        }
        if !(0.0..1.0).contains(&self.dropout) {
            return Err(Error::config("BagOfWordsConfig::dropout", format!("{} must lie in [0, 1)", self.dropout)));
        }
        Ok(())
    }

    fn describe(&self) -> String {
        format!("bag-of-words autoencoder {} words", mirrored_widths(self.vocabulary(), &self.hidden, self.latent))
    }

    fn input(&self) -> &[usize] {
        &self.input
    }

    fn latent(&self) -> i64 {
        self.latent as i64
    }

    // `[N, V]` counts → log(1 + count), unit length → hidden layers → `[N, latent]` (linear)
    fn encoder(&self, p: &nn::Path) -> Layers {
        let dropout = self.dropout;
        let mut layers = Layers::new().op("log_unit", |x, _| {
            let x = x.log1p();
            &x / x.norm_scalaropt_dim(2, [1], true).clamp_min(1e-12)
        });
        if dropout > 0.0 {
            layers = layers.op("word_dropout", move |x, train| x.dropout(dropout, train));
        }
        let mut width = self.vocabulary();
        for (i, &h) in self.hidden.iter().enumerate() {
            layers = dense_layer(layers, p, &format!("fc{}", i + 1), width, h, Some(Activation::Relu), dropout);
            width = h;
        }
        dense_layer(layers, p, "code", width, self.latent, Some(Activation::Identity), 0.0)
    }

    // `[N, latent]` → mirrored hidden layers → `[N, V]` logits of the word distribution
    fn decoder(&self, p: &nn::Path) -> Layers {
        let mut layers = Layers::new();
        let mut width = self.latent;
        for (i, &h) in self.hidden.iter().rev().enumerate() {
            layers = dense_layer(layers, p, &format!("fc{}", i + 1), width, h, Some(Activation::Relu), self.dropout);
            width = h;
        }
        dense_layer(layers, p, "out", width, self.vocabulary(), None, 0.0)
    }

    fn output(&self, logits: Tensor) -> Tensor {
        logits.softmax(1, Kind::Float)
    }

    fn own_loss(&self) -> Option<&'static str> {
        Some("multinomial cross-entropy (nats per word)")
    }

    fn losses(&self, encoded: Tensor, decode: Decode, target: &Tensor, _: ReconLoss) -> Losses {
        Losses::reconstruction(word_cross_entropy(&decode(&encoded), target).mean(Kind::Float))
    }
}

/// Each document's cross-entropy `[N]` between its word frequencies (counts `[N, V]`) and the
/// softmax of `logits` `[N, V]`, in nats per word (0 for a document with no word kept).
pub(crate) fn word_cross_entropy(logits: &Tensor, counts: &Tensor) -> Tensor {
    let words = counts.sum_dim_intlist(1, false, Kind::Float).clamp_min(1.0);
    -(counts * logits.log_softmax(1, Kind::Float)).sum_dim_intlist(1, false, Kind::Float) / words
}
