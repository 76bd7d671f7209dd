//! What makes a kind of autoencoder (crate-private): its config validates itself, builds the
//! encoder and decoder, and may change how codes are read and what the loss adds. A new kind
//! is one file in `models/` with a config that implements [`Architecture`], plus a variant of
//! [`ModelConfig`](super::ModelConfig).

use tch::{nn, Tensor};

use super::{Layers, ReconLoss};
use crate::Result;

/// A batch's training objective: the total to minimise and its named parts (reconstruction,
/// and e.g. KL or sparsity terms for the kinds that add them), each a scalar tensor.
pub struct Losses {
    /// What training minimises: reconstruction plus every regularisation term.
    pub total: Tensor,
    /// Every term by name (`reconstruction`, and e.g. `kl`, `l1`), for the history.
    pub terms: Vec<(&'static str, Tensor)>,
}

impl Losses {
    /// The reconstruction loss alone.
    pub(crate) fn reconstruction(recon: Tensor) -> Losses {
        Losses { total: recon.shallow_clone(), terms: vec![("reconstruction", recon)] }
    }
}

/// The decoder of a model in training or inference mode: codes → logits.
pub(crate) type Decode<'a> = &'a dyn Fn(&Tensor) -> Tensor;

pub(crate) trait Architecture {
    /// Checks the values before any tensor is built.
    fn validate(&self) -> Result<()>;

    /// A one-line description, e.g. `dense autoencoder 784 → 64 → 784`.
    fn describe(&self) -> String;

    /// The shape of one input sample, e.g. `[1, 28, 28]`.
    fn input(&self) -> &[usize];

    /// Width of the code.
    fn latent(&self) -> i64;

    /// The encoder (images → its output) with its variables under `p`.
    fn encoder(&self, p: &nn::Path) -> Layers;

    /// The decoder (codes → logits shaped as the images) with its variables under `p`.
    fn decoder(&self, p: &nn::Path) -> Layers;

    /// What the model gives back from the decoder's logits: pixels in [0, 1] (the sigmoid)
    /// unless the kind's samples are something else (word distributions, token ids).
    fn output(&self, logits: Tensor) -> Tensor {
        logits.sigmoid()
    }

    /// The kind's own reconstruction loss, in words, when it ignores `TrainConfig::loss` (and
    /// takes samples outside [0, 1], e.g. counts or token ids).
    fn own_loss(&self) -> Option<&'static str> {
        None
    }

    /// Codes from the encoder's output (a VAE's encoder also outputs log-variances).
    fn codes(&self, encoded: Tensor) -> Tensor {
        encoded
    }

    /// The kinds that make their own inputs from a batch (a restoration model turns each
    /// sample) return them with the labels their loss reads; the others `None`.
    fn own_inputs(&self, _input: &Tensor) -> Option<(Tensor, Tensor)> {
        None
    }

    /// The objective for one batch, from the encoder's output: the reconstruction loss alone
    /// unless the kind adds terms.
    fn losses(&self, encoded: Tensor, decode: Decode, target: &Tensor, loss: ReconLoss) -> Losses {
        Losses::reconstruction(loss.compute(&decode(&self.codes(encoded)), target))
    }

    /// The objective when the batch's labels are known for some samples (≥ 0; −1 unknown): the
    /// kinds that learn from labels use them, the others are [`Architecture::losses`].
    fn labelled_losses(
        &self,
        encoded: Tensor,
        decode: Decode,
        target: &Tensor,
        _labels: &Tensor,
        loss: ReconLoss,
    ) -> Losses {
        self.losses(encoded, decode, target, loss)
    }
}
