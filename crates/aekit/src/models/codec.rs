//! The learned image codec's model, after Ballé et al. 2017 ("End-to-end optimized image
//! compression", with its factorized prior): an analysis transform (strided 5×5 convolutions
//! with GDN) to a spatial code of `M × H/4 × W/4` values rounded to integers, a synthesis
//! transform (transposed convolutions with inverse GDN) back to the image, and a learned density
//! per code channel (a mixture of logistics, integrated over each integer's unit bin) that says
//! how many bits each integer costs. Training minimises rate + λ · distortion: bits per pixel
//! under that density, with uniform noise standing in for rounding so that the rate has
//! gradients, plus λ · 255² · the mean squared error (CompressAI's convention for λ; the decoder
//! sees the rounded code, gradients pass straight through). [`crate::codec::Codec`] turns
//! trained models into bytes.
//!
//! ```
//! use aekit::prelude::*;
//! let model = Autoencoder::new(CodecConfig::new(0.01), Device::Cpu)?;
//! let images = Tensor::rand([2, 1, 28, 28], (Kind::Float, Device::Cpu));
//! let symbols = model.encode(&images)?; // 32 × 7 × 7 integers per image
//! assert_eq!(symbols.size(), [2, 32 * 7 * 7]);
//! assert!(symbols.equal(&symbols.round()));
//! assert_eq!(model.decode(&symbols)?.size(), [2, 1, 28, 28]);
//! # Ok::<(), aekit::Error>(())
//! ```

use serde::{Deserialize, Serialize};
use tch::{nn, nn::Module, Kind, Reduction, Tensor};

use super::architecture::{Architecture, Decode};
use super::layers::{conv, conv_transpose};
use super::{input, Layers, Losses, ReconLoss};
use crate::{Error, Result};

/// The largest code value the entropy tables cover: codes are clamped to ±`SYMBOL_RANGE`.
pub(crate) const SYMBOL_RANGE: i64 = 255;

/// Config of a learned image codec: one point of its rate–distortion curve (a larger
/// `tradeoff` buys quality with bytes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CodecConfig {
    /// `[C, H, W]`, H and W multiples of 4 (the default Fashion-MNIST's `[1, 28, 28]`).
    pub input: Vec<usize>,
    /// Channels of the hidden convolutions.
    pub channels: usize,
    /// Channels of the code: each image becomes `code_channels × H/4 × W/4` integers.
    pub code_channels: usize,
    /// λ: the weight of distortion (255² · MSE) against bits per pixel.
    pub tradeoff: f64,
    /// Logistic components of each code channel's density.
    pub mixture: usize,
}

impl Default for CodecConfig {
    fn default() -> Self {
        CodecConfig { input: input::fashion_mnist(), channels: 64, code_channels: 32, tradeoff: 0.01, mixture: 3 }
    }
}

impl CodecConfig {
    /// The default codec at trade-off λ = `tradeoff`.
    pub fn new(tradeoff: f64) -> Self {
        CodecConfig { tradeoff, ..Default::default() }
    }

    /// The same config for images of `shape` (`[C, H, W]`).
    pub fn with_input(self, shape: impl Into<Vec<usize>>) -> Self {
        CodecConfig { input: shape.into(), ..self }
    }

    /// `(C, H/4, W/4)`: the image's channels and the code's height and width.
    fn grid(&self) -> (i64, i64, i64) {
        match self.input[..] {
            [c, h, w] => (c as i64, h as i64 / 4, w as i64 / 4),
            _ => (0, 0, 0),
        }
    }

    /// Pixels per channel, the unit of "bits per pixel".
    fn pixels(&self) -> f64 {
        self.input.iter().skip(1).product::<usize>() as f64
    }
}

impl Architecture for CodecConfig {
    fn validate(&self) -> Result<()> {
        input::validate("CodecConfig::input", &self.input)?;
        if self.input.len() != 3 || self.input[1] % 4 != 0 || self.input[2] % 4 != 0 {
            return Err(Error::config(
                "CodecConfig::input",
                format!(
                    "{:?}: the codec takes images [C, H, W] with H and W multiples of 4: crop or pad them",
                    self.input
                ),
            ));
        }
        if self.channels == 0 || self.code_channels == 0 || self.mixture == 0 {
            return Err(Error::config("CodecConfig", "channels, code_channels and mixture must be at least 1"));
        }
        if !(self.tradeoff.is_finite() && self.tradeoff > 0.0) {
            return Err(Error::config(
                "CodecConfig::tradeoff",
                format!("λ = {} must be positive (0.001 small files … 0.1 high quality)", self.tradeoff),
            ));
        }
        Ok(())
    }

    fn describe(&self) -> String {
        let (_, h, w) = self.grid();
        format!(
            "learned codec {} → {}×{h}×{w} integers (λ = {})",
            input::show(&self.input),
            self.code_channels,
            self.tradeoff
        )
    }

    fn input(&self) -> &[usize] {
        &self.input
    }

    fn latent(&self) -> i64 {
        let (_, h, w) = self.grid();
        self.code_channels as i64 * h * w
    }

    // images → [N, latent + 1]: the rounded code, flattened, then each image's bits
    fn encoder(&self, p: &nn::Path) -> Layers {
        let (c, n, m) = (self.grid().0, self.channels as i64, self.code_channels as i64);
        Layers::new()
            .layer("conv1", conv(p / "conv1", 2, c, n, 5, 2, 2))
            .layer("gdn1", Gdn::new(&(p / "gdn1"), n, false))
            .layer("conv2", conv(p / "conv2", 2, n, n, 5, 2, 2))
            .layer("gdn2", Gdn::new(&(p / "gdn2"), n, false))
            .layer("conv3", conv(p / "conv3", 2, n, m, 3, 1, 1))
            .layer("prior", Quantizer(Prior::new(&(p / "prior"), m, self.mixture as i64)))
    }

    // [N, latent] integers → [N, C, H, W] logits
    fn decoder(&self, p: &nn::Path) -> Layers {
        let ((c, h, w), n, m) = (self.grid(), self.channels as i64, self.code_channels as i64);
        Layers::new()
            .op("unflatten", move |x, _| x.view([-1, m, h, w]))
            .layer("deconv1", conv_transpose(p / "deconv1", m, n, 3, 1, 1, vec![0, 0]))
            .layer("igdn1", Gdn::new(&(p / "igdn1"), n, true))
            .layer("deconv2", conv_transpose(p / "deconv2", n, n, 5, 2, 2, vec![1, 1]))
            .layer("igdn2", Gdn::new(&(p / "igdn2"), n, true))
            .layer("deconv3", conv_transpose(p / "deconv3", n, c, 5, 2, 2, vec![1, 1]))
    }

    fn own_loss(&self) -> Option<&'static str> {
        Some("bits per pixel + λ·255²·MSE")
    }

    fn codes(&self, encoded: Tensor) -> Tensor {
        encoded.narrow(1, 0, self.latent())
    }

    fn losses(&self, encoded: Tensor, decode: Decode, target: &Tensor, _: ReconLoss) -> Losses {
        let bits = encoded.narrow(1, self.latent(), 1);
        let rate = bits.mean(Kind::Float) / self.pixels();
        let mse = decode(&self.codes(encoded)).sigmoid().mse_loss(target, Reduction::Mean);
        let total = &rate + &mse * (self.tradeoff * 255.0 * 255.0);
        Losses { total, terms: vec![("bits_per_pixel", rate), ("mse", mse)] }
    }
}

/// Generalized divisive normalization (Ballé et al. 2016): `x / √(β + Γ x²)` across channels,
/// or its inverse `x · √(β + Γ x²)` in the decoder. β and Γ are stored as square roots, so they
/// stay positive.
#[derive(Debug)]
struct Gdn {
    beta: Tensor,
    gamma: Tensor,
    inverse: bool,
}

impl Gdn {
    fn new(p: &nn::Path, channels: i64, inverse: bool) -> Gdn {
        let beta = p.var("beta", &[channels], nn::Init::Const(1.0));
        let eye = Tensor::eye(channels, (Kind::Float, p.device()));
        let off_diagonal: Tensor = 1.0 - &eye;
        let gamma = p.var_copy("gamma", &(&eye * 0.1 + off_diagonal * 1e-4).sqrt());
        Gdn { beta, gamma, inverse }
    }
}

impl Module for Gdn {
    fn forward(&self, x: &Tensor) -> Tensor {
        let n = self.beta.size()[0];
        let gamma = self.gamma.square().view([n, n, 1, 1]);
        let beta = self.beta.square() + 1e-6;
        let norm = x.square().conv2d(&gamma, Some(&beta), [1, 1], [0, 0], [1, 1], 1).sqrt();
        if self.inverse {
            x * norm
        } else {
            x / norm
        }
    }
}

/// Each code channel's density: a mixture of logistics, integrated over unit bins.
#[derive(Debug)]
pub(crate) struct Prior {
    logits: Tensor,
    means: Tensor,
    log_scales: Tensor,
}

impl Prior {
    fn new(p: &nn::Path, channels: i64, components: i64) -> Prior {
        let spread = Tensor::arange(components, (Kind::Float, p.device())) - (components - 1) as f64 / 2.0;
        Prior {
            logits: p.var("logits", &[channels, components], nn::Init::Const(0.0)),
            means: p.var_copy("means", &spread.unsqueeze(0).repeat([channels, 1])),
            log_scales: p.var("log_scales", &[channels, components], nn::Init::Const(0.0)),
        }
    }

    /// The prior of a trained model, read from its variables.
    pub(crate) fn of(vs: &nn::VarStore) -> Result<Prior> {
        let vars = vs.variables();
        let get = |name: &str| {
            vars.get(&format!("encoder.prior.{name}")).map(|t| t.detach()).ok_or_else(|| {
                Error::input("codec", format!("the model has no encoder.prior.{name}: is it a CodecConfig model?"))
            })
        };
        Ok(Prior { logits: get("logits")?, means: get("means")?, log_scales: get("log_scales")? })
    }

    /// The probability of each value's unit bin `[x − ½, x + ½]`, for `x` `[N, M, h, w]`.
    fn bin_probability(&self, x: &Tensor) -> Tensor {
        let view = |t: &Tensor| t.view([1, t.size()[0], 1, 1, -1]).to_kind(x.kind());
        let centered = x.unsqueeze(-1) - view(&self.means);
        let inverse_scale = view(&(-&self.log_scales).exp());
        // Above the mean, 1 − σ(a) is computed as σ(−a), where a sigmoid near 0 is exact.
        let flip = centered.gt(0.0).to_kind(x.kind()) * -2.0 + 1.0;
        let upper = ((&centered + 0.5) * &inverse_scale * &flip).sigmoid();
        let lower = ((&centered - 0.5) * &inverse_scale * &flip).sigmoid();
        let weights = view(&self.logits.softmax(1, Kind::Float));
        ((upper - lower).abs() * weights).sum_dim_intlist(-1, false, x.kind())
    }

    /// `[M, 2R + 1]` (R = [`SYMBOL_RANGE`]), in f64 on the CPU: each channel's probability of
    /// each integer −R … R, the mass beyond ±R added to the end values (so each row sums to 1).
    pub(crate) fn integer_probabilities(&self) -> Tensor {
        let cpu = |t: &Tensor| t.to_device(tch::Device::Cpu).to_kind(Kind::Double);
        let prior = Prior { logits: cpu(&self.logits), means: cpu(&self.means), log_scales: cpu(&self.log_scales) };
        let m = prior.means.size()[0];
        let values = Tensor::arange_start(-SYMBOL_RANGE, SYMBOL_RANGE + 1, (Kind::Double, tch::Device::Cpu));
        let p = prior.bin_probability(&values.view([1, 1, 1, -1]).expand([1, m, 1, values.size()[0]], false));
        let p = p.view([m, -1]);
        let beyond: Tensor = 1.0 - p.sum_dim_intlist(1, true, Kind::Double);
        let tails = beyond.clamp_min(0.0) / 2.0;
        let last = 2 * SYMBOL_RANGE;
        let _ = p.narrow(1, 0, 1).g_add_(&tails);
        let _ = p.narrow(1, last, 1).g_add_(&tails);
        p
    }
}

/// The last encoder layer: rounds the code (straight-through in training) and appends each
/// image's bits under the prior, of the noisy code in training and of the rounded one otherwise.
#[derive(Debug)]
struct Quantizer(Prior);

impl nn::ModuleT for Quantizer {
    fn forward_t(&self, y: &Tensor, train: bool) -> Tensor {
        let rounded = y.round();
        let coded = if train { y + (y.rand_like() - 0.5) } else { rounded.shallow_clone() };
        let bits =
            -self.0.bin_probability(&coded).clamp_min(1e-9).log2().flatten(1, -1).sum_dim_intlist(1, true, Kind::Float);
        let code = if train { y + (rounded - y).detach() } else { rounded };
        Tensor::cat(&[code.flatten(1, -1), bits], 1)
    }
}
