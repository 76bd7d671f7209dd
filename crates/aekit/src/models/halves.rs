//! The encoder and the decoder of an autoencoder as models of their own, each saved to and
//! loaded from its own file (variables named as in the whole model, less the
//! `encoder.`/`decoder.` prefix).
//!
//! ```no_run
//! # use aekit::prelude::*;
//! # fn main() -> aekit::Result<()> {
//! let model = Autoencoder::new(DenseConfig::default(), Device::Cpu)?;
//! model.encoder()?.save("encoder.safetensors")?;
//! let encoder = Encoder::load("encoder.safetensors", Device::Cpu)?;
//! # Ok(()) }
//! ```

use std::path::Path;

use tch::{nn, nn::ModuleT, Device, Tensor};

use super::{Layers, ModelConfig};
use crate::checkpoint::{self, Part};
use crate::{check, Error, Result};

/// One half's variables, network and the config of the whole it came from.
struct Half {
    vs: nn::VarStore,
    net: Layers,
    config: ModelConfig,
}

impl Half {
    fn build(config: ModelConfig, part: Part, device: Device) -> Half {
        let vs = nn::VarStore::new(device);
        let net = match part {
            Part::Decoder => config.architecture().decoder(&vs.root()),
            _ => config.architecture().encoder(&vs.root()),
        };
        Half { vs, net, config }
    }

    fn copy_from(whole: &nn::VarStore, config: &ModelConfig, part: Part) -> Result<Half> {
        let half = Half::build(config.clone(), part, whole.device());
        let prefix = if part == Part::Decoder { "decoder." } else { "encoder." };
        let source = whole.variables();
        for (name, mut var) in half.vs.variables() {
            let from = source
                .get(&format!("{prefix}{name}"))
                .ok_or_else(|| Error::input("autoencoder", format!("has no variable for {name} of its {part:?}")))?;
            tch::no_grad(|| var.f_copy_(from))?;
        }
        Ok(half)
    }

    fn load(path: &Path, part: Part, device: Device) -> Result<Half> {
        let file = checkpoint::read(path, part)?;
        let mut half = Half::build(file.config(path)?, part, device);
        file.copy_into(path, &mut half.vs)?;
        Ok(half)
    }

    fn save(&self, path: &Path, part: Part) -> Result<()> {
        checkpoint::save(path, part, &self.config.to_json(), &self.vs)
    }
}

/// The encoder of an autoencoder as a model of its own: samples → codes.
pub struct Encoder(Half);

/// The decoder of an autoencoder as a model of its own: codes → samples in [0, 1].
pub struct Decoder(Half);

impl Encoder {
    pub(super) fn copy_from(whole: &nn::VarStore, config: &ModelConfig) -> Result<Self> {
        Half::copy_from(whole, config, Part::Encoder).map(Encoder)
    }

    /// Loads an encoder saved by [`Encoder::save`].
    pub fn load(path: impl AsRef<Path>, device: Device) -> Result<Self> {
        Half::load(path.as_ref(), Part::Encoder, device).map(Encoder)
    }

    /// Saves the encoder alone (weights and config) as `.safetensors`.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        self.0.save(path.as_ref(), Part::Encoder)
    }

    /// Codes `[N, latent]` for samples `[N, input…]` on any device (the codes are on the
    /// encoder's).
    pub fn encode(&self, samples: &Tensor) -> Result<Tensor> {
        check::inputs("Encoder::encode: samples", samples, self.0.config.input())?;
        let samples = samples.f_to_device(self.0.vs.device())?;
        Ok(tch::no_grad(|| self.0.config.architecture().codes(self.0.net.forward_t(&samples, false))))
    }

    /// The config of the autoencoder this encoder came from.
    pub fn config(&self) -> &ModelConfig {
        &self.0.config
    }
}

impl Decoder {
    pub(super) fn copy_from(whole: &nn::VarStore, config: &ModelConfig) -> Result<Self> {
        Half::copy_from(whole, config, Part::Decoder).map(Decoder)
    }

    /// Loads a decoder saved by [`Decoder::save`].
    pub fn load(path: impl AsRef<Path>, device: Device) -> Result<Self> {
        Half::load(path.as_ref(), Part::Decoder, device).map(Decoder)
    }

    /// Saves the decoder alone (weights and config) as `.safetensors`.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        self.0.save(path.as_ref(), Part::Decoder)
    }

    /// Samples in [0, 1] `[N, input…]` for codes `[N, latent]` on any device.
    pub fn decode(&self, codes: &Tensor) -> Result<Tensor> {
        check::codes("Decoder::decode: codes", codes, self.0.config.latent())?;
        let codes = codes.f_to_device(self.0.vs.device())?;
        Ok(tch::no_grad(|| self.0.config.architecture().output(self.0.net.forward_t(&codes, false))))
    }

    /// The config of the autoencoder this decoder came from.
    pub fn config(&self) -> &ModelConfig {
        &self.0.config
    }
}
