//! Convolutional autoencoders: strided convolutions down, transposed convolutions up. Over
//! images `[C, H, W]` (2-D convolutions, any size) or series `[C, L]` (1-D convolutions): the
//! input shape decides.
//!
//! ```
//! use aekit::prelude::*;
//! let config = ConvConfig { channels: vec![16, 32], latent: Some(10), ..Default::default() };
//! let model = Autoencoder::new(config, Device::Cpu)?;
//! assert_eq!(model.encode(&Tensor::rand([2, 1, 28, 28], (Kind::Float, Device::Cpu)))?.size(), [2, 10]);
//! let rgb = Autoencoder::new(ConvConfig::default().with_input([3, 32, 48]), Device::Cpu)?;
//! assert_eq!(rgb.forward(&Tensor::rand([2, 3, 32, 48], (Kind::Float, Device::Cpu)))?.size(), [2, 3, 32, 48]);
//! let series = Autoencoder::new(ConvConfig::default().with_input([1, 150]), Device::Cpu)?;
//! assert_eq!(series.forward(&Tensor::rand([2, 1, 150], (Kind::Float, Device::Cpu)))?.size(), [2, 1, 150]);
//! # Ok::<(), aekit::Error>(())
//! ```

use serde::{Deserialize, Serialize};
use tch::nn;

use super::architecture::Architecture;
use super::layers::{conv, conv_transpose, linear};
use super::{input, Activation, Layers};
use crate::{Error, Result};

/// Config of a convolutional autoencoder. The default: 1 → 32 → 64 channels (28 → 14 → 7 pixels) with
/// 3×3 kernels of stride 2, then a dense code of 64. Each convolution pads by half its kernel,
/// so any input size works: a side `s` becomes `⌊(s − 1) / stride⌋ + 1`, and the decoder's
/// output padding brings back the exact size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ConvConfig {
    /// The shape of one sample: images `[C, H, W]` (the default `[1, 28, 28]`) or series `[C, L]`.
    pub input: Vec<usize>,
    /// Channels of each convolution, from the input inward; the decoder mirrors them.
    pub channels: Vec<usize>,
    /// Kernel size (odd; square for images).
    pub kernel: usize,
    /// Stride of each convolution (2 halves the image).
    pub stride: usize,
    /// Width of a dense code after the convolutions; `None` keeps the last feature map as the
    /// code (`channels × h × w` values).
    pub latent: Option<usize>,
    /// Nonlinearity after each convolution.
    pub activation: Activation,
    /// Batch normalization before each nonlinearity (steadier training of deeper or
    /// multi-task models; off by default, as in the tutorial).
    pub batch_norm: bool,
    /// The dense code is the linear layer's output, without the activation: no value clipped
    /// at zero, no unit dead, so a linear classifier or probe reads more from it. Off by
    /// default, as in the tutorial (its code is `Dense(latent, activation="relu")`).
    pub linear_code: bool,
    /// The decoder's last transposed convolution gives the input's channels itself: no
    /// full-size feature map and no final convolution after it, the encoder's exact mirror
    /// (as PyTorch's convolutional autoencoders are usually written). Twice as fast to train on
    /// 28×28 images with the default channels, for a code as good (the same linear probe after
    /// 10 epochs of the features section's shift denoiser). Off by default, as in the tutorial
    /// (its decoder ends in `Conv2D(1, 3)`).
    pub slim_decoder: bool,
}

impl Default for ConvConfig {
    fn default() -> Self {
        ConvConfig {
            input: input::fashion_mnist(),
            channels: vec![32, 64],
            kernel: 3,
            stride: 2,
            latent: Some(64),
            activation: Activation::Relu,
            batch_norm: false,
            linear_code: false,
            slim_decoder: false,
        }
    }
}

impl ConvConfig {
    /// The same config for samples of `shape`: `[C, H, W]` or `[C, L]` (e.g. `data.sample_shape()`).
    pub fn with_input(self, shape: impl Into<Vec<usize>>) -> Self {
        ConvConfig { input: shape.into(), ..self }
    }

    /// Channels of the input.
    fn in_channels(&self) -> i64 {
        self.input.first().copied().unwrap_or(1) as i64
    }

    /// Spatial axes: 2 for images, 1 for series.
    fn dims(&self) -> usize {
        self.input.len().saturating_sub(1).max(1)
    }

    /// The spatial size after each convolution, starting with the input's (`[28, 28]`, …).
    fn sizes(&self) -> Vec<Vec<i64>> {
        let s = self.stride.max(1) as i64;
        let mut sizes = vec![self.input.iter().skip(1).map(|&x| x as i64).collect::<Vec<_>>()];
        for _ in &self.channels {
            let last = &sizes[sizes.len() - 1];
            // Padding k/2 with an odd kernel k: ⌊(x + 2·(k/2) − k) / s⌋ + 1 = ⌊(x − 1) / s⌋ + 1.
            sizes.push(last.iter().map(|&x| (x - 1).div_euclid(s) + 1).collect());
        }
        sizes
    }

    /// The feature map the convolutions end in: (channels, spatial size).
    fn feature_map(&self) -> (i64, Vec<i64>) {
        let sizes = self.sizes();
        (*self.channels.last().unwrap_or(&1) as i64, sizes[sizes.len() - 1].clone())
    }

    /// Values in the last feature map.
    fn feature_values(&self) -> i64 {
        let (channels, size) = self.feature_map();
        channels * size.iter().product::<i64>()
    }
}

/// A batch normalization of `channels` after the last layer, when the config asks for it.
fn batch_norm(layers: Layers, p: &nn::Path, c: &ConvConfig, name: &str, channels: i64) -> Layers {
    match (c.batch_norm, c.dims()) {
        (false, _) => layers,
        (true, 1) => layers.layer(name, nn::batch_norm1d(p / name, channels, Default::default())),
        (true, _) => layers.layer(name, nn::batch_norm2d(p / name, channels, Default::default())),
    }
}

// Shapes (default config): `[N, 1, 28, 28]` → conv1 `[N, 32, 14, 14]` → conv2 `[N, 64, 7, 7]` → flatten `[N, 3136]` → code `[N, 64]`
pub(super) fn conv_encoder(p: &nn::Path, c: &ConvConfig) -> Layers {
    let act = c.activation;
    let mut layers = Layers::new();
    let mut from = c.in_channels();
    for (i, &to) in c.channels.iter().enumerate() {
        let name = format!("conv{}", i + 1);
        let (k, s) = (c.kernel as i64, c.stride as i64);
        layers = layers.layer(&name, conv(p / &name, c.dims(), from, to as i64, k, s, k / 2));
        layers = batch_norm(layers, p, c, &format!("norm{}", i + 1), to as i64);
        layers = layers.op(act.name(), move |x, _| act.apply(x));
        from = to as i64;
    }
    layers.op("flatten", |x, _| x.flatten(1, -1))
}

// Shapes (default config): `[N, 3136]` → `[N, 64, 7, 7]` → deconv2 `[N, 32, 14, 14]` → deconv1 `[N, 32, 28, 28]` → out `[N, 1, 28, 28]`
// With `slim_decoder`: … → deconv2 `[N, 32, 14, 14]` → deconv1 `[N, 1, 28, 28]`
pub(super) fn conv_decoder(p: &nn::Path, c: &ConvConfig) -> Layers {
    let act = c.activation;
    let (channels, size) = c.feature_map();
    let map: Vec<i64> = [-1, channels].into_iter().chain(size).collect();
    let mut layers = Layers::new().op("reshape", move |x, _| x.view(map.as_slice()));
    let sizes = c.sizes();
    let (k, s, pad) = (c.kernel as i64, c.stride as i64, c.kernel as i64 / 2);
    for i in (0..c.channels.len()).rev() {
        let from = c.channels[i] as i64;
        let last = i == 0 && c.slim_decoder;
        let to = if last { c.in_channels() } else { c.channels[i.saturating_sub(1)] as i64 };
        let output_padding =
            sizes[i].iter().zip(&sizes[i + 1]).map(|(&big, &small)| big - ((small - 1) * s - 2 * pad + k)).collect();
        let name = format!("deconv{}", i + 1);
        layers = layers.layer(&name, conv_transpose(p / &name, from, to, k, s, pad, output_padding));
        if last {
            return layers;
        }
        layers = batch_norm(layers, p, c, &format!("denorm{}", i + 1), to);
        layers = layers.op(act.name(), move |x, _| act.apply(x));
    }
    layers.layer("out", conv(p / "out", c.dims(), c.channels[0] as i64, c.in_channels(), k, 1, pad))
}

impl Architecture for ConvConfig {
    fn validate(&self) -> Result<()> {
        if self.channels.is_empty() {
            return Err(Error::config("ConvConfig::channels", "needs at least one convolution (e.g. [32, 64])"));
        }
        if let Some(i) = self.channels.iter().position(|&c| c == 0) {
            return Err(Error::config(format!("ConvConfig::channels[{i}]"), "a convolution needs at least 1 channel"));
        }
        if !matches!(self.input.len(), 2 | 3) {
            return Err(Error::config(
                "ConvConfig::input",
                format!(
                    "{:?}: convolutions take images [C, H, W] or series [C, L]; for vectors use DenseConfig",
                    self.input
                ),
            ));
        }
        input::validate("ConvConfig::input", &self.input)?;
        let smallest = self.input[1..].iter().copied().min().unwrap_or(1);
        if self.kernel == 0 || self.kernel % 2 == 0 || self.kernel > smallest.max(1) {
            return Err(Error::config(
                "ConvConfig::kernel",
                format!(
                    "{} must be odd, from 1 to the input's smallest side ({smallest} for {}; 3 is usual)",
                    self.kernel,
                    input::show(&self.input)
                ),
            ));
        }
        if !(1..=4).contains(&self.stride) {
            return Err(Error::config(
                "ConvConfig::stride",
                format!("{} must be 1 to 4 (2 halves the image)", self.stride),
            ));
        }
        if self.latent == Some(0) {
            return Err(Error::config("ConvConfig::latent", "must be at least 1, or None for a spatial code"));
        }
        Ok(())
    }

    fn describe(&self) -> String {
        let sizes = self.sizes();
        let maps: Vec<String> = self
            .channels
            .iter()
            .zip(&sizes[1..])
            .map(|(c, s)| {
                std::iter::once(*c as i64).chain(s.iter().copied()).map(|v| v.to_string()).collect::<Vec<_>>().join("×")
            })
            .collect();
        let linear = if self.linear_code { " (linear)" } else { "" };
        let code = self.latent.map(|l| format!(" → {l}{linear}")).unwrap_or_default();
        let kind = if self.dims() == 1 { "1-D convolutional" } else { "convolutional" };
        let norm = if self.batch_norm { ", batch norm" } else { "" };
        let slim = if self.slim_decoder { " (slim)" } else { "" };
        format!("{kind} autoencoder {} → {}{code} → mirrored{slim}{norm}", input::show(&self.input), maps.join(" → "))
    }

    fn input(&self) -> &[usize] {
        &self.input
    }

    fn latent(&self) -> i64 {
        self.latent.map_or(self.feature_values(), |l| l as i64)
    }

    fn encoder(&self, p: &nn::Path) -> Layers {
        let layers = conv_encoder(p, self);
        let Some(latent) = self.latent else { return layers };
        let layers = layers.layer("code", linear(p / "code", self.feature_values(), latent as i64));
        if self.linear_code {
            return layers;
        }
        let act = self.activation;
        layers.op(act.name(), move |x, _| act.apply(x))
    }

    fn decoder(&self, p: &nn::Path) -> Layers {
        let head = match self.latent {
            Some(latent) => {
                let act = self.activation;
                Layers::new()
                    .layer("fc", linear(p / "fc", latent as i64, self.feature_values()))
                    .op(act.name(), move |x, _| act.apply(x))
            }
            None => Layers::new(),
        };
        head.then(conv_decoder(p, self))
    }
}
