//! The model: an encoder (samples → codes) and a decoder (codes → samples) of any kind, with
//! its variables and its config.

use std::fmt;
use std::path::Path;

use tch::{nn, nn::ModuleT, Device, Kind, Tensor};

use super::{input, Decoder, Encoder, Layers, Losses, ModelConfig, ReconLoss, Summary};
use crate::checkpoint::{self, Part};
use crate::display::{Content, Show};
use crate::{check, Error, Result};

/// An autoencoder of any kind: one type, so one training loop and every measure serve them
/// all. Decoders produce logits; `decode`/`forward` apply the sigmoid, and training fuses it
/// into the loss (binary cross-entropy with logits: Keras' sigmoid + `binary_crossentropy`,
/// computed stably). Inputs may live on any device; outputs are on the model's.
///
/// ```no_run
/// use aekit::prelude::*;
/// # fn main() -> aekit::Result<()> {
/// let data = FashionMnist::load()?;
/// let mut model = Autoencoder::new(DenseConfig::standard(32), aekit::device()?)?;
/// let history = train(&mut model, &data.train, &data.validation, &TrainConfig::default())?;
/// model.save("model.safetensors")?;
/// let again = Autoencoder::load("model.safetensors", Device::Cpu)?; // the kind comes from the file
/// # Ok(()) }
/// ```
pub struct Autoencoder {
    vs: nn::VarStore,
    config: ModelConfig,
    encoder: Layers,
    decoder: Layers,
    epochs: usize,
}

impl Autoencoder {
    /// A freshly initialised model on `device` (seed with [`crate::manual_seed`] for repeatable
    /// weights): `Autoencoder::new(DenseConfig::standard(64), device)`, or any kind's config.
    pub fn new(config: impl Into<ModelConfig>, device: Device) -> Result<Self> {
        let config = config.into();
        let kind = config.architecture();
        kind.validate()?;
        let vs = nn::VarStore::new(device);
        let encoder = kind.encoder(&(vs.root() / "encoder"));
        let decoder = kind.decoder(&(vs.root() / "decoder"));
        Ok(Autoencoder { vs, config, encoder, decoder, epochs: 0 })
    }

    /// Loads a model saved by [`Autoencoder::save`], of whatever kind the file holds.
    pub fn load(path: impl AsRef<Path>, device: Device) -> Result<Self> {
        let path = path.as_ref();
        let file = checkpoint::read(path, Part::Autoencoder)?;
        let mut model = Autoencoder::new(file.config::<ModelConfig>(path)?, device)?;
        file.copy_into(path, &mut model.vs)?;
        Ok(model)
    }

    /// A model of `config` that starts from `other`'s weights, to fine-tune at another setting
    /// of the same architecture (a codec at another trade-off, a VAE at another β): every
    /// variable must exist in both with one shape. On `other`'s device.
    pub fn starting_from(config: impl Into<ModelConfig>, other: &Autoencoder) -> Result<Self> {
        let mut model = Autoencoder::new(config, other.device())?;
        let (ours, theirs) = (model.vs.variables(), other.vs.variables());
        if let Some((name, t)) = ours.iter().find(|(n, t)| theirs.get(*n).is_none_or(|o| o.size() != t.size())) {
            return Err(Error::input(
                "Autoencoder::starting_from",
                format!(
                    "{} cannot start from {}: its {name} {:?} is {} there",
                    model.config.describe(),
                    other.config.describe(),
                    t.size(),
                    theirs.get(name).map_or("missing".to_string(), |o| format!("{:?}", o.size()))
                ),
            ));
        }
        model.vs.copy(&other.vs).map_err(|e| {
            Error::input(
                "Autoencoder::starting_from",
                format!("{} cannot start from {}: {e}", model.config.describe(), other.config.describe()),
            )
        })?;
        Ok(model)
    }

    /// Saves the whole model (weights and config) as one `.safetensors` file, atomically.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        checkpoint::save(path.as_ref(), Part::Autoencoder, &self.config.to_json(), &self.vs)
    }

    /// Loads weights saved by [`Autoencoder::save`] from a model of the same config.
    pub fn load_weights(&mut self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let file = checkpoint::read(path, Part::Autoencoder)?;
        let config: ModelConfig = file.config(path)?;
        if config != self.config {
            return Err(Error::checkpoint(path, format!("holds {config:?}, this model is {:?}", self.config)));
        }
        file.copy_into(path, &mut self.vs)
    }

    /// The config the model was built from.
    pub fn config(&self) -> &ModelConfig {
        &self.config
    }

    /// The shape of one sample the model takes, e.g. `[1, 28, 28]`.
    pub fn input_shape(&self) -> &[usize] {
        self.config.input()
    }

    /// Width of the code.
    pub fn latent(&self) -> i64 {
        self.config.latent()
    }

    /// Where the model's variables live.
    pub fn device(&self) -> Device {
        self.vs.device()
    }

    /// Moves the model's variables to `device`.
    pub fn to_device(&mut self, device: Device) {
        self.vs.set_device(device)
    }

    /// Epochs of training its weights come from, counted in this process by the trainer (0 for
    /// a new or loaded model; after early stopping with `restore_best`, the best epoch).
    pub fn epochs_trained(&self) -> usize {
        self.epochs
    }

    pub(crate) fn set_epochs_trained(&mut self, epochs: usize) {
        self.epochs = epochs;
    }

    /// Number of trainable values.
    pub fn parameter_count(&self) -> i64 {
        self.vs.trainable_variables().iter().map(|t| t.numel() as i64).sum()
    }

    /// The model's variables (the encoder's under `encoder.`, the decoder's under `decoder.`),
    /// e.g. for a tch optimizer.
    pub fn var_store(&self) -> &nn::VarStore {
        &self.vs
    }

    /// Codes `[N, latent]` for samples `[N, input…]` (a VAE gives its mean codes).
    pub fn encode(&self, samples: &Tensor) -> Result<Tensor> {
        let samples = self.input("encode: samples", samples)?;
        Ok(tch::no_grad(|| self.encode_t(&samples, false)))
    }

    /// Samples in [0, 1] `[N, input…]` for codes `[N, latent]` (a bag-of-words model gives word
    /// distributions, a sequence model token ids).
    pub fn decode(&self, codes: &Tensor) -> Result<Tensor> {
        check::codes("decode: codes", codes, self.latent())?;
        let codes = codes.f_to_device(self.device())?;
        Ok(tch::no_grad(|| self.config.architecture().output(self.decoder.forward_t(&codes, false))))
    }

    /// Reconstructions in [0, 1] of samples `[N, input…]` (word distributions, token ids: see
    /// [`Autoencoder::decode`]).
    pub fn forward(&self, samples: &Tensor) -> Result<Tensor> {
        let samples = self.input("forward: samples", samples)?;
        let logits = tch::no_grad(|| self.decoder.forward_t(&self.encode_t(&samples, false), false));
        Ok(self.config.architecture().output(logits))
    }

    /// The objective for one batch, with autograd: reconstruct `target` from `input` (the same
    /// tensor, or a corrupted copy for denoising), both on the model's device. `train` turns
    /// dropout on. A restoration model turns each sample of `input` first (its own inputs).
    pub fn losses(&self, input: &Tensor, target: &Tensor, loss: ReconLoss, train: bool) -> Losses {
        if let Some((own, labels)) = self.config.architecture().own_inputs(input) {
            return self.labelled_losses_of(&own, target, &labels, loss, train);
        }
        let encoded = self.encoder.forward_t(input, train);
        self.config.architecture().losses(encoded, &|z| self.decoder.forward_t(z, train), target, loss)
    }

    /// [`Autoencoder::losses`] for a batch whose `labels` `[N]` are known for some samples (≥ 0;
    /// −1 unknown): a semi-supervised model also learns from them, other kinds ignore them.
    pub fn labelled_losses(
        &self,
        input: &Tensor,
        target: &Tensor,
        labels: &Tensor,
        loss: ReconLoss,
        train: bool,
    ) -> Losses {
        match self.config.architecture().own_inputs(input) {
            Some((own, own_labels)) => self.labelled_losses_of(&own, target, &own_labels, loss, train),
            None => self.labelled_losses_of(input, target, labels, loss, train),
        }
    }

    fn labelled_losses_of(
        &self,
        input: &Tensor,
        target: &Tensor,
        labels: &Tensor,
        loss: ReconLoss,
        train: bool,
    ) -> Losses {
        let encoded = self.encoder.forward_t(input, train);
        let decode = |z: &Tensor| self.decoder.forward_t(z, train);
        self.config.architecture().labelled_losses(encoded, &decode, target, labels, loss)
    }

    /// Layers, output shapes and parameter counts, like Keras' `model.summary()`.
    pub fn summary(&self) -> Summary {
        let mut shape = input::batch_view(self.input_shape());
        shape[0] = 1;
        let input = Tensor::zeros(shape.as_slice(), (Kind::Float, self.device()));
        let (mut rows, _) = self.encoder.summary(&input, &self.vs, "encoder.");
        let code = tch::no_grad(|| self.encode_t(&input, false));
        rows.extend(self.decoder.summary(&code, &self.vs, "decoder.").0);
        Summary { title: self.config.describe(), rows }
    }

    /// A copy of the trained encoder as a model of its own.
    pub fn encoder(&self) -> Result<Encoder> {
        Encoder::copy_from(&self.vs, &self.config)
    }

    /// A copy of the trained decoder as a model of its own.
    pub fn decoder(&self) -> Result<Decoder> {
        Decoder::copy_from(&self.vs, &self.config)
    }

    /// Codes for samples on the model's device, with autograd.
    pub(crate) fn encode_t(&self, samples: &Tensor, train: bool) -> Tensor {
        self.config.architecture().codes(self.encoder.forward_t(samples, train))
    }

    /// The encoder's raw output (a VAE's means and log-variances), with autograd.
    pub(crate) fn encoded_t(&self, samples: &Tensor, train: bool) -> Tensor {
        self.encoder.forward_t(samples, train)
    }

    /// The decoder's logits for codes on the model's device, with autograd.
    pub(crate) fn logits_t(&self, codes: &Tensor, train: bool) -> Tensor {
        self.decoder.forward_t(codes, train)
    }

    /// Checks samples against the model's input shape and moves them to its device.
    pub(crate) fn input(&self, what: &str, samples: &Tensor) -> Result<Tensor> {
        check::inputs(what, samples, self.input_shape())?;
        Ok(samples.f_to_device(self.device())?)
    }
}

impl fmt::Display for Autoencoder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}, {} parameters, on {:?}", self.config.describe(), self.parameter_count(), self.device())
    }
}

impl fmt::Debug for Autoencoder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Autoencoder({self})")
    }
}

impl Show for Autoencoder {
    /// One line: the kind, its parameters and device.
    fn content(&self) -> Content {
        Content::Text(self.to_string())
    }
}
