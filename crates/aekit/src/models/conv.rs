//! Convolutional autoencoders: strided convolutions down, transposed convolutions up.
//!
//! ```
//! use aekit::prelude::*;
//! let config = ConvConfig { channels: vec![16, 32], latent: Some(10), ..Default::default() };
//! let model = Autoencoder::new(config, Device::Cpu)?;
//! assert_eq!(model.encode(&Tensor::rand([2, 1, 28, 28], (Kind::Float, Device::Cpu)))?.size(), [2, 10]);
//! # Ok::<(), aekit::Error>(())
//! ```

use serde::{Deserialize, Serialize};
use tch::nn;

use super::architecture::Architecture;
use super::layers::{conv2d, conv_transpose2d, linear};
use super::{Activation, Layers};
use crate::{Error, Result};

/// Config of a convolutional autoencoder. The default: 1 → 32 → 64 channels (28 → 14 → 7 pixels) with
/// 3×3 kernels of stride 2, then a dense code of 64.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ConvConfig {
    /// Channels of each convolution, from the input inward; the decoder mirrors them.
    pub channels: Vec<usize>,
    /// Square kernel size (odd).
    pub kernel: usize,
    /// Stride of each convolution (2 halves the image).
    pub stride: usize,
    /// Width of a dense code after the convolutions; `None` keeps the last feature map as the
    /// code (`channels × h × w` values).
    pub latent: Option<usize>,
    /// Nonlinearity after each convolution.
    pub activation: Activation,
}

impl Default for ConvConfig {
    fn default() -> Self {
        ConvConfig { channels: vec![32, 64], kernel: 3, stride: 2, latent: Some(64), activation: Activation::Relu }
    }
}

impl ConvConfig {
    /// Side of the feature map after each convolution, starting with 28.
    fn sides(&self) -> Vec<i64> {
        let (k, s, p) = (self.kernel as i64, self.stride as i64, self.kernel as i64 / 2);
        let mut sides = vec![28];
        for _ in &self.channels {
            let last = sides[sides.len() - 1];
            sides.push((last + 2 * p - k).div_euclid(s.max(1)) + 1);
        }
        sides
    }

    /// The feature map the convolutions end in: (channels, side).
    fn feature_map(&self) -> (i64, i64) {
        (*self.channels.last().unwrap_or(&1) as i64, *self.sides().last().unwrap_or(&28))
    }
}

// Shapes (default config): `[N, 1, 28, 28]` → conv1 `[N, 32, 14, 14]` → conv2 `[N, 64, 7, 7]` → flatten `[N, 3136]` → code `[N, 64]`
pub(super) fn conv_encoder(p: &nn::Path, c: &ConvConfig) -> Layers {
    let act = c.activation;
    let mut layers = Layers::new();
    let mut from = 1;
    for (i, &to) in c.channels.iter().enumerate() {
        let name = format!("conv{}", i + 1);
        let (k, s) = (c.kernel as i64, c.stride as i64);
        layers = layers.layer(&name, conv2d(p / &name, from, to as i64, k, s, k / 2));
        layers = layers.op(act.name(), move |x, _| act.apply(x));
        from = to as i64;
    }
    layers.op("flatten", |x, _| x.flatten(1, -1))
}

// Shapes (default config): `[N, 3136]` → `[N, 64, 7, 7]` → deconv2 `[N, 32, 14, 14]` → deconv1 `[N, 32, 28, 28]` → out `[N, 1, 28, 28]`
pub(super) fn conv_decoder(p: &nn::Path, c: &ConvConfig) -> Layers {
    let act = c.activation;
    let (channels, side) = c.feature_map();
    let mut layers = Layers::new().op("reshape", move |x, _| x.view([-1, channels, side, side]));
    let sides = c.sides();
    let (k, s, pad) = (c.kernel as i64, c.stride as i64, c.kernel as i64 / 2);
    for i in (0..c.channels.len()).rev() {
        let from = c.channels[i] as i64;
        let to = c.channels[i.saturating_sub(1)] as i64;
        let (small, big) = (sides[i + 1], sides[i]);
        let output_padding = big - ((small - 1) * s - 2 * pad + k);
        let name = format!("deconv{}", i + 1);
        layers = layers.layer(&name, conv_transpose2d(p / &name, from, to, k, s, pad, output_padding));
        layers = layers.op(act.name(), move |x, _| act.apply(x));
    }
    layers.layer("out", conv2d(p / "out", c.channels[0] as i64, 1, k, 1, pad))
}

impl Architecture for ConvConfig {
    fn validate(&self) -> Result<()> {
        if self.channels.is_empty() {
            return Err(Error::config("ConvConfig::channels", "needs at least one convolution (e.g. [32, 64])"));
        }
        if let Some(i) = self.channels.iter().position(|&c| c == 0) {
            return Err(Error::config(format!("ConvConfig::channels[{i}]"), "a convolution needs at least 1 channel"));
        }
        if self.kernel == 0 || self.kernel % 2 == 0 || self.kernel > 27 {
            return Err(Error::config(
                "ConvConfig::kernel",
                format!("{} must be odd, from 1 to 27 (3 is usual)", self.kernel),
            ));
        }
        if !(1..=4).contains(&self.stride) {
            return Err(Error::config(
                "ConvConfig::stride",
                format!("{} must be 1 to 4 (2 halves the image)", self.stride),
            ));
        }
        if let Some(i) = self.sides().iter().position(|&s| s < 1) {
            return Err(Error::config(
                "ConvConfig",
                format!(
                    "{} convolutions of kernel {} and stride {} do not fit 28×28: layer {i} has no pixels left",
                    self.channels.len(),
                    self.kernel,
                    self.stride
                ),
            ));
        }
        if self.latent == Some(0) {
            return Err(Error::config("ConvConfig::latent", "must be at least 1, or None for a spatial code"));
        }
        Ok(())
    }

    fn describe(&self) -> String {
        let sides = self.sides();
        let maps: Vec<String> = self.channels.iter().zip(&sides[1..]).map(|(c, s)| format!("{c}×{s}×{s}")).collect();
        let code = self.latent.map(|l| format!(" → {l}")).unwrap_or_default();
        format!("convolutional autoencoder 1×28×28 → {}{code} → mirrored", maps.join(" → "))
    }

    fn latent(&self) -> i64 {
        let (channels, side) = self.feature_map();
        self.latent.map_or(channels * side * side, |l| l as i64)
    }

    fn encoder(&self, p: &nn::Path) -> Layers {
        let layers = conv_encoder(p, self);
        let Some(latent) = self.latent else { return layers };
        let (channels, side) = self.feature_map();
        let act = self.activation;
        layers
            .layer("code", linear(p / "code", channels * side * side, latent as i64))
            .op(act.name(), move |x, _| act.apply(x))
    }

    fn decoder(&self, p: &nn::Path) -> Layers {
        let (channels, side) = self.feature_map();
        let head = match self.latent {
            Some(latent) => {
                let act = self.activation;
                Layers::new()
                    .layer("fc", linear(p / "fc", latent as i64, channels * side * side))
                    .op(act.name(), move |x, _| act.apply(x))
            }
            None => Layers::new(),
        };
        head.then(conv_decoder(p, self))
    }
}
