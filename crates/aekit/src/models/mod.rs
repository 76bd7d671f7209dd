//! The autoencoder family: one [`Autoencoder`] trait, so one training loop serves every kind.
//!
//! A kind is a file here with a config struct that implements [`Architecture`] (it validates
//! itself before any tensor is built, builds the encoder and decoder [`Layers`], and may add
//! loss terms); [`Model<C>`] makes any of them an [`Autoencoder`]. Decoders produce logits; `decode`/`forward` apply the
//! sigmoid, and training fuses it into the loss (binary cross-entropy with logits), which is
//! the same objective as Keras' sigmoid output + `binary_crossentropy`, computed stably.
//!
//! ```
//! use aekit::prelude::*;
//! let model = DenseAutoencoder::new(&DenseConfig::standard(32), Device::Cpu)?;
//! let images = Tensor::rand([4, 1, 28, 28], (Kind::Float, Device::Cpu));
//! assert_eq!(model.encode(&images)?.size(), [4, 32]);
//! assert_eq!(model.forward(&images)?.size(), [4, 1, 28, 28]);
//! println!("{}", model.summary()); // layers, output shapes, parameter counts
//! # Ok::<(), aekit::Error>(())
//! ```

mod conv;
mod denoising;
mod dense;
mod layers;
mod sparse;
mod vae;

use std::fmt;
use std::path::Path;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use tch::{nn, nn::ModuleT, Device, Kind, Reduction, Tensor};

use crate::checkpoint::{self, Part};
use crate::{check, Error, Result};

pub use conv::{ConvAutoencoder, ConvConfig};
pub use denoising::Corruption;
pub use dense::{DenseAutoencoder, DenseConfig};
pub use layers::{Activation, LayerRow, Layers, Summary};
pub use sparse::{SparseAutoencoder, SparseConfig};
pub use vae::{Vae, VaeConfig};

/// Pixels in one image (28 × 28).
pub const IMAGE_PIXELS: i64 = 28 * 28;

/// The reconstruction loss.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReconLoss {
    /// Binary cross-entropy per pixel, averaged (the tutorial's choice). Targets must lie in [0, 1].
    #[default]
    Bce,
    /// Mean squared error per pixel.
    Mse,
}

impl ReconLoss {
    /// Mean loss of reconstruction `logits` against `target`, both `[N, 1, 28, 28]`.
    pub fn compute(self, logits: &Tensor, target: &Tensor) -> Tensor {
        match self {
            ReconLoss::Bce => logits.binary_cross_entropy_with_logits::<Tensor>(target, None, None, Reduction::Mean),
            ReconLoss::Mse => logits.sigmoid().mse_loss(target, Reduction::Mean),
        }
    }

    /// Loss summed over pixels and images (a VAE's reconstruction term, in nats for BCE).
    pub fn compute_sum(self, logits: &Tensor, target: &Tensor) -> Tensor {
        match self {
            ReconLoss::Bce => logits.binary_cross_entropy_with_logits::<Tensor>(target, None, None, Reduction::Sum),
            ReconLoss::Mse => logits.sigmoid().mse_loss(target, Reduction::Sum),
        }
    }
}

impl FromStr for ReconLoss {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "bce" | "binary_crossentropy" | "binary-cross-entropy" => Ok(ReconLoss::Bce),
            "mse" | "mean_squared_error" => Ok(ReconLoss::Mse),
            _ => Err(Error::config("loss", format!("unknown loss {s:?}; choose \"bce\" or \"mse\""))),
        }
    }
}

impl fmt::Display for ReconLoss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ReconLoss::Bce => "binary cross-entropy",
            ReconLoss::Mse => "mean squared error",
        })
    }
}

/// A batch's training objective: the total to minimise and its named parts (reconstruction,
/// and e.g. KL or sparsity terms for the kinds that add them), each a scalar tensor.
pub struct Losses {
    /// What training minimises: reconstruction plus every regularisation term.
    pub total: Tensor,
    /// The regularisation terms by name (e.g. `kl`, `l1`), for the history.
    pub terms: Vec<(&'static str, Tensor)>,
}

/// What makes a kind of autoencoder: its config builds the encoder and decoder and may add
/// loss terms. [`Model`] turns any of them into an [`Autoencoder`].
pub trait Architecture: Clone + fmt::Debug + Into<ModelConfig> + TryFrom<ModelConfig> {
    /// Checks the values before any tensor is built.
    fn validate(&self) -> Result<()>;

    /// A one-line description, e.g. `dense autoencoder 784 → 64 → 784`.
    fn describe(&self) -> String;

    /// Width of the code.
    fn latent(&self) -> i64;

    /// The encoder (images → its output) with its variables under `p`.
    fn encoder(&self, p: &nn::Path) -> Layers;

    /// The decoder (codes → logits `[N, 1, 28, 28]`) with its variables under `p`.
    fn decoder(&self, p: &nn::Path) -> Layers;

    /// Codes from the encoder's output (a VAE's encoder also outputs log-variances).
    fn codes(&self, encoded: Tensor) -> Tensor {
        encoded
    }

    /// The objective for one batch; the default is the reconstruction loss alone.
    fn losses(
        &self,
        encoder: &Layers,
        decoder: &Layers,
        input: &Tensor,
        target: &Tensor,
        loss: ReconLoss,
        train: bool,
    ) -> Losses {
        let codes = self.codes(encoder.forward_t(input, train));
        let recon = loss.compute(&decoder.forward_t(&codes, train), target);
        Losses { total: recon.shallow_clone(), terms: vec![("reconstruction", recon)] }
    }
}

/// The config of any kind of autoencoder; stored in checkpoints so a file says what it holds.
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
}

/// Converts between a kind's config and [`ModelConfig`] (the `TryFrom` fails for other kinds).
macro_rules! config_variant {
    ($variant:ident, $config:ty) => {
        impl From<$config> for ModelConfig {
            fn from(c: $config) -> Self {
                ModelConfig::$variant(c)
            }
        }

        impl TryFrom<ModelConfig> for $config {
            type Error = ModelConfig;

            fn try_from(config: ModelConfig) -> std::result::Result<Self, ModelConfig> {
                match config {
                    ModelConfig::$variant(c) => Ok(c),
                    other => Err(other),
                }
            }
        }
    };
}

config_variant!(Dense, DenseConfig);
config_variant!(Conv, ConvConfig);
config_variant!(Sparse, SparseConfig);
config_variant!(Vae, VaeConfig);

/// Runs `$body` with `$c` bound to the config of whichever kind `$config` is.
macro_rules! with_kind {
    ($config:expr, $c:ident => $body:expr) => {
        match $config {
            ModelConfig::Dense($c) => $body,
            ModelConfig::Conv($c) => $body,
            ModelConfig::Sparse($c) => $body,
            ModelConfig::Vae($c) => $body,
        }
    };
}

impl ModelConfig {
    /// Width of the code.
    pub fn latent(&self) -> i64 {
        with_kind!(self, c => c.latent())
    }

    /// A one-line description, e.g. `dense autoencoder 784 → 64 → 784`.
    pub fn describe(&self) -> String {
        with_kind!(self, c => c.describe())
    }

    /// A new model of this kind, initialised from libtorch's generator (see
    /// [`crate::manual_seed`]): for code that picks the kind at run time.
    pub fn build(&self, device: Device) -> Result<Box<dyn Autoencoder>> {
        Ok(with_kind!(self, c => Box::new(Model::new(c, device)?)))
    }

    fn encoder_net(&self, p: &nn::Path) -> Layers {
        with_kind!(self, c => c.encoder(p))
    }

    fn decoder_net(&self, p: &nn::Path) -> Layers {
        with_kind!(self, c => c.decoder(p))
    }

    fn codes(&self, encoded: Tensor) -> Tensor {
        with_kind!(self, c => c.codes(encoded))
    }
}

/// An autoencoder: an encoder (images → codes) and a decoder (codes → images).
///
/// Implementors provide the networks and, when they add terms, the loss; everything else
/// (checked `encode`/`decode`/`forward`, saving, the separate encoder and decoder) comes free.
pub trait Autoencoder {
    /// The config the model was built from.
    fn config(&self) -> ModelConfig;

    /// The model's variables: the encoder's under `encoder.`, the decoder's under `decoder.`.
    fn var_store(&self) -> &nn::VarStore;

    /// The variables, mutably (to move them to a device or load weights).
    fn var_store_mut(&mut self) -> &mut nn::VarStore;

    /// The encoder's layers (variables under `encoder.`).
    fn encoder_layers(&self) -> &Layers;

    /// The decoder's layers (variables under `decoder.`); they end in logits `[N, 1, 28, 28]`.
    fn decoder_layers(&self) -> &Layers;

    /// Codes `[N, latent]` for images `[N, 1, 28, 28]`; unchecked, with autograd.
    fn encode_t(&self, images: &Tensor, train: bool) -> Tensor {
        self.encoder_layers().forward_t(images, train)
    }

    /// Reconstruction logits `[N, 1, 28, 28]` for codes; unchecked, with autograd.
    fn decode_logits_t(&self, codes: &Tensor, train: bool) -> Tensor {
        self.decoder_layers().forward_t(codes, train)
    }

    /// The objective for one batch: reconstruct `target` from `input` (the same tensor, or a
    /// corrupted copy for denoising).
    fn losses_t(&self, input: &Tensor, target: &Tensor, loss: ReconLoss, train: bool) -> Losses {
        let logits = self.decode_logits_t(&self.encode_t(input, train), train);
        let recon = loss.compute(&logits, target);
        Losses { total: recon.shallow_clone(), terms: vec![("reconstruction", recon)] }
    }

    /// Width of the code.
    fn latent(&self) -> i64 {
        self.config().latent()
    }

    /// Where the model's variables live.
    fn device(&self) -> Device {
        self.var_store().device()
    }

    /// Number of trainable values.
    fn parameter_count(&self) -> i64 {
        self.var_store().trainable_variables().iter().map(|t| t.numel() as i64).sum()
    }

    /// Codes for images `[N, 1, 28, 28]` → `[N, latent]`.
    fn encode(&self, images: &Tensor) -> Result<Tensor> {
        check::images("encode: images", images, Some(self.device()))?;
        Ok(tch::no_grad(|| self.encode_t(images, false)))
    }

    /// Images in [0, 1] `[N, 1, 28, 28]` for codes `[N, latent]`.
    fn decode(&self, codes: &Tensor) -> Result<Tensor> {
        check::codes("decode: codes", codes, self.latent(), self.device())?;
        Ok(tch::no_grad(|| self.decode_logits_t(codes, false).sigmoid()))
    }

    /// Reconstructions in [0, 1] of images `[N, 1, 28, 28]`.
    fn forward(&self, images: &Tensor) -> Result<Tensor> {
        check::images("forward: images", images, Some(self.device()))?;
        Ok(tch::no_grad(|| self.decode_logits_t(&self.encode_t(images, false), false).sigmoid()))
    }

    /// Saves the whole model (weights and config) as one `.safetensors` file.
    fn save(&self, path: &Path) -> Result<()> {
        checkpoint::save(path, Part::Autoencoder, &self.config(), self.var_store())
    }

    /// Loads weights saved by [`Autoencoder::save`] from a model of the same architecture.
    fn load_weights(&mut self, path: &Path) -> Result<()> {
        let file = checkpoint::read(path, Part::Autoencoder)?;
        if file.config != self.config() {
            return Err(Error::checkpoint(path, format!("holds {:?}, this model is {:?}", file.config, self.config())));
        }
        file.copy_into(path, self.var_store_mut())
    }

    /// Layers, output shapes and parameter counts, like Keras' `model.summary()`.
    fn summary(&self) -> Summary {
        let input = Tensor::zeros([1, 1, 28, 28], (Kind::Float, self.device()));
        let (mut rows, _) = self.encoder_layers().summary(&input, self.var_store(), "encoder.");
        let code = tch::no_grad(|| self.encode_t(&input, false));
        rows.extend(self.decoder_layers().summary(&code, self.var_store(), "decoder.").0);
        Summary { title: self.config().describe(), rows }
    }

    /// A copy of the trained encoder as a model of its own.
    fn encoder(&self) -> Result<Encoder> {
        Half::copy_from(self.var_store(), self.config(), Part::Encoder).map(Encoder)
    }

    /// A copy of the trained decoder as a model of its own.
    fn decoder(&self) -> Result<Decoder> {
        Half::copy_from(self.var_store(), self.config(), Part::Decoder).map(Decoder)
    }
}

/// An autoencoder of any [`Architecture`]: its variables, config, encoder and decoder.
///
/// ```no_run
/// use aekit::prelude::*;
/// # fn main() -> aekit::Result<()> {
/// let data = FashionMnist::load()?;
/// let mut model = DenseAutoencoder::new(&DenseConfig::standard(32), aekit::device()?)?;
/// let history = train(&mut model, &data.train, &data.validation, &TrainConfig::default())?;
/// model.save("model.safetensors")?;
/// let again = DenseAutoencoder::load("model.safetensors", Device::Cpu)?;
/// # Ok(()) }
/// ```
pub struct Model<C: Architecture> {
    vs: nn::VarStore,
    config: C,
    encoder: Layers,
    decoder: Layers,
}

impl<C: Architecture> Model<C> {
    /// A freshly initialised model on `device` (seed with [`crate::manual_seed`] for repeatable weights).
    pub fn new(config: &C, device: Device) -> Result<Self> {
        config.validate()?;
        let vs = nn::VarStore::new(device);
        let encoder = config.encoder(&(vs.root() / "encoder"));
        let decoder = config.decoder(&(vs.root() / "decoder"));
        Ok(Model { vs, config: config.clone(), encoder, decoder })
    }

    /// Loads a model saved by [`Autoencoder::save`].
    pub fn load(path: impl AsRef<Path>, device: Device) -> Result<Self> {
        let path = path.as_ref();
        let file = checkpoint::read(path, Part::Autoencoder)?;
        let described = file.config.describe();
        let config = C::try_from(file.config.clone())
            .map_err(|_| Error::checkpoint(path, format!("holds a {described}, not this kind of model")))?;
        let mut model = Model::new(&config, device)?;
        file.copy_into(path, &mut model.vs)?;
        Ok(model)
    }

    /// Saves the whole model (weights and config) as one `.safetensors` file (atomically).
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        Autoencoder::save(self, path.as_ref())
    }

    /// The kind's own config.
    pub fn kind_config(&self) -> &C {
        &self.config
    }

    /// Shows a one-line description inline in a notebook.
    pub fn evcxr_display(&self) {
        println!("{}", crate::display::mime_block("text/plain", &self.to_string()));
    }
}

impl<C: Architecture> Autoencoder for Model<C> {
    fn config(&self) -> ModelConfig {
        self.config.clone().into()
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

    fn encode_t(&self, images: &Tensor, train: bool) -> Tensor {
        self.config.codes(self.encoder.forward_t(images, train))
    }

    fn losses_t(&self, input: &Tensor, target: &Tensor, loss: ReconLoss, train: bool) -> Losses {
        self.config.losses(&self.encoder, &self.decoder, input, target, loss, train)
    }

    fn latent(&self) -> i64 {
        self.config.latent()
    }
}

impl<C: Architecture> fmt::Display for Model<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}, {} parameters, on {:?}", self.config.describe(), self.parameter_count(), self.device())
    }
}

/// One half of an autoencoder with its own variables (named as in the whole model, less the
/// `encoder.`/`decoder.` prefix).
struct Half {
    vs: nn::VarStore,
    net: Layers,
    config: ModelConfig,
}

impl Half {
    fn build(config: ModelConfig, part: Part, device: Device) -> Half {
        let vs = nn::VarStore::new(device);
        let net = match part {
            Part::Decoder => config.decoder_net(&vs.root()),
            _ => config.encoder_net(&vs.root()),
        };
        Half { vs, net, config }
    }

    fn prefix(part: Part) -> &'static str {
        if part == Part::Decoder {
            "decoder."
        } else {
            "encoder."
        }
    }

    fn copy_from(whole: &nn::VarStore, config: ModelConfig, part: Part) -> Result<Half> {
        let half = Half::build(config, part, whole.device());
        let source = whole.variables();
        let mut vars = half.vs.variables();
        for (name, var) in vars.iter_mut() {
            let from = source
                .get(&format!("{}{name}", Half::prefix(part)))
                .ok_or_else(|| Error::input("autoencoder", format!("has no variable for {name} of its {part:?}")))?;
            tch::no_grad(|| var.f_copy_(from))?;
        }
        Ok(half)
    }

    fn load(path: &Path, part: Part, device: Device) -> Result<Half> {
        let file = checkpoint::read(path, part)?;
        let mut half = Half::build(file.config.clone(), part, device);
        file.copy_into(path, &mut half.vs)?;
        Ok(half)
    }

    fn save(&self, path: &Path, part: Part) -> Result<()> {
        checkpoint::save(path, part, &self.config, &self.vs)
    }
}

/// Loads a model of any kind saved by [`Autoencoder::save`], as the kind it was saved as.
pub fn load(path: impl AsRef<Path>, device: Device) -> Result<Box<dyn Autoencoder>> {
    let path = path.as_ref();
    let file = checkpoint::read(path, Part::Autoencoder)?;
    let mut model = file.config.build(device)?;
    file.copy_into(path, model.var_store_mut())?;
    Ok(model)
}

/// The encoder of an autoencoder as a model of its own: images → codes.
///
/// ```no_run
/// # use aekit::prelude::*;
/// # fn main() -> aekit::Result<()> {
/// let model = DenseAutoencoder::new(&DenseConfig::default(), Device::Cpu)?;
/// model.encoder()?.save("encoder.safetensors")?;
/// let encoder = Encoder::load("encoder.safetensors", Device::Cpu)?;
/// # Ok(()) }
/// ```
pub struct Encoder(Half);

/// The decoder of an autoencoder as a model of its own: codes → images in [0, 1].
pub struct Decoder(Half);

impl Encoder {
    /// Loads an encoder saved by [`Encoder::save`].
    pub fn load(path: impl AsRef<Path>, device: Device) -> Result<Self> {
        Half::load(path.as_ref(), Part::Encoder, device).map(Encoder)
    }

    /// Saves the encoder alone (weights and config) as `.safetensors`.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        self.0.save(path.as_ref(), Part::Encoder)
    }

    /// Codes `[N, latent]` for images `[N, 1, 28, 28]`.
    pub fn encode(&self, images: &Tensor) -> Result<Tensor> {
        check::images("Encoder::encode: images", images, Some(self.0.vs.device()))?;
        Ok(tch::no_grad(|| self.0.config.codes(self.0.net.forward_t(images, false))))
    }

    /// The config of the autoencoder this encoder came from.
    pub fn config(&self) -> &ModelConfig {
        &self.0.config
    }
}

impl Decoder {
    /// Loads a decoder saved by [`Decoder::save`].
    pub fn load(path: impl AsRef<Path>, device: Device) -> Result<Self> {
        Half::load(path.as_ref(), Part::Decoder, device).map(Decoder)
    }

    /// Saves the decoder alone (weights and config) as `.safetensors`.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        self.0.save(path.as_ref(), Part::Decoder)
    }

    /// Images in [0, 1] `[N, 1, 28, 28]` for codes `[N, latent]`.
    pub fn decode(&self, codes: &Tensor) -> Result<Tensor> {
        check::codes("Decoder::decode: codes", codes, self.0.config.latent(), self.0.vs.device())?;
        Ok(tch::no_grad(|| self.0.net.forward_t(codes, false).sigmoid()))
    }

    /// The config of the autoencoder this decoder came from.
    pub fn config(&self) -> &ModelConfig {
        &self.0.config
    }
}
