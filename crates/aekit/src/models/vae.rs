//! Variational autoencoders: the encoder gives a mean and a log-variance per code dimension, a
//! code is sampled from that Gaussian (reparameterized, so gradients flow), and the loss is
//! the reconstruction plus β times the KL divergence from the standard normal prior.
//!
//! ```
//! use aekit::prelude::*;
//! let vae = Autoencoder::new(VaeConfig { latent: 2, hidden: vec![64], ..Default::default() }, Device::Cpu)?;
//! assert_eq!(vae.sample(5)?.size(), [5, 1, 28, 28]); // from the prior N(0, I)
//! let (a, b) = (Tensor::zeros([1, 1, 28, 28], (Kind::Float, Device::Cpu)), Tensor::ones([1, 1, 28, 28], (Kind::Float, Device::Cpu)));
//! assert_eq!(vae.interpolate(&a, &b, 7)?.size(), [7, 1, 28, 28]);
//! # Ok::<(), aekit::Error>(())
//! ```

use serde::{Deserialize, Serialize};
use tch::{nn, Kind, Tensor};

use super::architecture::{Architecture, Decode};
use super::conv::conv_encoder;
use super::dense::dense_decoder;
use super::dense::dense_layer;
use super::{input, Activation, Autoencoder, ConvConfig, DenseConfig, Layers, Losses, ModelConfig, ReconLoss};
use crate::{check, Error, Result};

/// Config of a variational autoencoder ([`Autoencoder::sample`] draws new images,
/// [`Autoencoder::interpolate`] walks between two, [`Autoencoder::manifold`] maps a 2-D code space). The default is the classic dense VAE 784-400-20 (as in PyTorch's example).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct VaeConfig {
    /// The shape of one sample (the default `[1, 28, 28]`); a convolutional VAE's too.
    pub input: Vec<usize>,
    /// Dimensions of the code.
    pub latent: usize,
    /// Dense hidden layers (dense VAE), mirrored in the decoder.
    pub hidden: Vec<usize>,
    /// A convolutional body instead of the dense one (its `latent` and `input` are ignored).
    pub conv: Option<ConvConfig>,
    /// Weight of the KL term (1 is the ELBO; β > 1 a β-VAE).
    pub beta: f64,
}

impl Default for VaeConfig {
    fn default() -> Self {
        VaeConfig { input: input::fashion_mnist(), latent: 20, hidden: vec![400], conv: None, beta: 1.0 }
    }
}

impl VaeConfig {
    /// A convolutional VAE with the default convolutions.
    pub fn conv(latent: usize) -> Self {
        let conv = Some(ConvConfig { latent: None, ..Default::default() });
        VaeConfig { latent, hidden: vec![], conv, ..Default::default() }
    }

    /// A deeper dense VAE, 784-512-256-`latent` and mirrored: with a code of 40, trained 40
    /// epochs on dynamically binarized Fashion-MNIST, it bounds −log p(x) at 233.77 nats, 3 below
    /// the default 784-400-20 (`make applications`' likelihood section).
    ///
    /// ```
    /// # use aekit::prelude::*;
    /// assert_eq!(VaeConfig::deep(40).hidden, [512, 256]);
    /// ```
    pub fn deep(latent: usize) -> Self {
        VaeConfig { latent, hidden: vec![512, 256], ..Default::default() }
    }

    /// The same config for samples of `shape` (e.g. `data.sample_shape()`).
    pub fn with_input(self, shape: impl Into<Vec<usize>>) -> Self {
        let input = shape.into();
        let conv = self.conv.map(|c| c.with_input(input.clone()));
        VaeConfig { input, conv, ..self }
    }

    fn conv_body(&self) -> Option<ConvConfig> {
        self.conv.clone().map(|c| ConvConfig { latent: None, input: self.input.clone(), ..c })
    }

    fn dense_body(&self) -> DenseConfig {
        DenseConfig {
            input: self.input.clone(),
            latent: self.latent,
            hidden: self.hidden.clone(),
            ..Default::default()
        }
    }
}

impl Architecture for VaeConfig {
    fn validate(&self) -> Result<()> {
        if self.latent == 0 {
            return Err(Error::config("VaeConfig::latent", "must be at least 1 (20 is usual, 2 to plot it)"));
        }
        if !(self.beta.is_finite() && self.beta >= 0.0) {
            return Err(Error::config("VaeConfig::beta", format!("{} must be ≥ 0", self.beta)));
        }
        match self.conv_body() {
            Some(conv) => conv.validate(),
            None => self.dense_body().validate(),
        }
    }

    fn describe(&self) -> String {
        let body = match self.conv_body() {
            Some(conv) => format!("convolutional, channels {:?}", conv.channels),
            None => {
                let widths: Vec<String> = self.hidden.iter().map(|h| h.to_string()).collect();
                format!("dense {} → {} →", input::numel(&self.input), widths.join(" → "))
            }
        };
        format!("variational autoencoder ({body} latent {}, β = {})", self.latent, self.beta)
    }

    fn input(&self) -> &[usize] {
        &self.input
    }

    fn latent(&self) -> i64 {
        self.latent as i64
    }

    /// Ends in `[N, 2 × latent]`: means, then log-variances.
    fn encoder(&self, p: &nn::Path) -> Layers {
        let (mut layers, width) = match self.conv_body() {
            Some(conv) => {
                let width = conv.latent();
                (conv_encoder(p, &conv), width as usize)
            }
            None => {
                let mut layers = Layers::new().op("flatten", |x, _| x.flatten(1, -1));
                let mut width = input::numel(&self.input);
                for (i, &h) in self.hidden.iter().enumerate() {
                    layers = dense_layer(layers, p, &format!("fc{}", i + 1), width, h, Some(Activation::Relu), 0.0);
                    width = h;
                }
                (layers, width)
            }
        };
        layers = dense_layer(layers, p, "code", width, 2 * self.latent, None, 0.0);
        layers
    }

    fn decoder(&self, p: &nn::Path) -> Layers {
        match self.conv_body() {
            Some(conv) => ConvConfig { latent: Some(self.latent), ..conv }.decoder(p),
            None => dense_decoder(p, &self.dense_body()),
        }
    }

    /// The means.
    fn codes(&self, encoded: Tensor) -> Tensor {
        encoded.narrow(1, 0, self.latent as i64)
    }

    /// Negative ELBO per image: reconstruction summed over pixels, plus β · KL.
    fn losses(&self, encoded: Tensor, decode: Decode, target: &Tensor, loss: ReconLoss) -> Losses {
        let l = self.latent as i64;
        let (mean, log_var) = (encoded.narrow(1, 0, l), encoded.narrow(1, l, l));
        let code = &mean + (&log_var * 0.5).exp() * mean.randn_like();
        let n = target.size()[0] as f64;
        let recon = loss.compute_sum(&decode(&code), target) / n;
        let kl = (log_var.exp() + mean.square() - &log_var - 1.0).sum(Kind::Float) * (0.5 / n);
        Losses { total: &recon + &kl * self.beta, terms: vec![("reconstruction", recon), ("kl", kl)] }
    }
}

/// The generative side, for variational autoencoders (other kinds answer with an error).
impl Autoencoder {
    /// `n` new images decoded from codes drawn from the prior N(0, I) (libtorch's generator).
    pub fn sample(&self, n: usize) -> Result<Tensor> {
        self.variational("Autoencoder::sample")?;
        if n == 0 {
            return Err(Error::input("Autoencoder::sample", "asked for 0 images"));
        }
        let codes = Tensor::randn([n as i64, self.latent()], (Kind::Float, self.device()));
        self.decode(&codes)
    }

    /// `steps` images along the straight line between the codes of images `a` and `b`
    /// (each one sample, e.g. `[1, 1, 28, 28]`), ends included.
    pub fn interpolate(&self, a: &Tensor, b: &Tensor, steps: usize) -> Result<Tensor> {
        self.variational("Autoencoder::interpolate")?;
        if steps < 2 {
            return Err(Error::input(
                "Autoencoder::interpolate",
                format!("steps = {steps}: need at least 2 (both ends)"),
            ));
        }
        let (za, zb) = (self.encode(a)?, self.encode(b)?);
        if za.size()[0] != 1 || zb.size()[0] != 1 {
            return Err(Error::input("Autoencoder::interpolate", "give one sample for each end (e.g. [1, 1, 28, 28])"));
        }
        let t = Tensor::linspace(0.0, 1.0, steps as i64, (Kind::Float, self.device())).unsqueeze(1);
        self.decode(&(&za * (1.0 - &t) + &zb * &t))
    }

    /// For a 2-D code: images decoded on a `side × side` grid of codes spread by the prior's
    /// quantiles (5 % to 95 %), row by row; the first coordinate runs along rows.
    pub fn manifold(&self, side: usize) -> Result<Tensor> {
        self.variational("Autoencoder::manifold")?;
        if self.latent() != 2 {
            return Err(Error::input(
                "Autoencoder::manifold",
                format!("needs a 2-D code, this model's is {}-D", self.latent()),
            ));
        }
        if side < 2 {
            return Err(Error::input("Autoencoder::manifold", "side must be at least 2"));
        }
        let q = Tensor::linspace(0.05, 0.95, side as i64, (Kind::Float, self.device()));
        let z = (q * 2.0 - 1.0).erfinv() * std::f64::consts::SQRT_2;
        let grid = Tensor::stack(&[z.repeat_interleave_self_int(side as i64, 0, None), z.repeat([side as i64])], 1);
        check::codes("Autoencoder::manifold", &grid, 2)?;
        self.decode(&grid)
    }

    /// The approximate posterior q(z | x) of samples on the model's device: (means,
    /// log-variances), each `[N, latent]`, without gradients.
    pub(crate) fn posterior(&self, what: &str, samples: &Tensor) -> Result<(Tensor, Tensor)> {
        self.variational(what)?;
        let l = self.latent();
        let encoded = tch::no_grad(|| self.encoded_t(samples, false));
        Ok((encoded.narrow(1, 0, l), encoded.narrow(1, l, l)))
    }

    fn variational(&self, what: &str) -> Result<()> {
        match self.config() {
            ModelConfig::Vae(_) => Ok(()),
            other => Err(Error::input(
                what,
                format!("needs a variational autoencoder (VaeConfig), this is a {}", other.describe()),
            )),
        }
    }
}
