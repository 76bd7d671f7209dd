//! How likely a variational autoencoder finds binary images, in nats per image as papers
//! report it: the ELBO, and the importance-weighted bound on the negative log-likelihood
//! (Burda et al., 2016), which tightens towards −log p(x) as the number of samples grows.
//!
//! ```
//! use aekit::prelude::*;
//! use aekit::eval::importance_weighted_nll;
//! let vae = Autoencoder::new(VaeConfig { latent: 2, hidden: vec![32], ..Default::default() }, Device::Cpu)?;
//! let images = Dataset::unlabeled(Tensor::rand([8, 1, 28, 28], (Kind::Float, Device::Cpu)))?.binarized(0)?;
//! let bound = importance_weighted_nll(&vae, &images, 100, 0)?;
//! assert!(bound.nll <= bound.elbo); // more samples, a tighter bound
//! # Ok::<(), aekit::Error>(())
//! ```

use tch::{Kind, Reduction, Tensor};

use crate::data::Dataset;
use crate::models::Autoencoder;
use crate::{Error, Result};

/// Result of [`importance_weighted_nll`]: means over the images, in nats.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Likelihood {
    /// The negative ELBO, −E_q[log p(x, z) − log q(z | x)], estimated from the same draws.
    pub elbo: f64,
    /// The importance-weighted bound −log (1/k) Σᵢ p(x, zᵢ) / q(zᵢ | x) ≥ −log p(x) (in expectation).
    pub nll: f64,
    /// Draws per image (k).
    pub samples: usize,
    /// Images scored.
    pub images: usize,
}

/// Draws per decoder call: bounds the memory of a batch of images × samples.
const DRAWS_PER_PASS: usize = 2048;

/// For each image of `data` (binary values, e.g. [`Dataset::binarized`]), `samples` codes
/// drawn from the VAE's q(z | x) give the importance-weighted bound on −log p(x) with a
/// Bernoulli decoder and the N(0, I) prior; seeded, so the same call gives the same numbers.
pub fn importance_weighted_nll(model: &Autoencoder, data: &Dataset, samples: usize, seed: u64) -> Result<Likelihood> {
    const WHAT: &str = "importance_weighted_nll";
    if samples == 0 {
        return Err(Error::config(WHAT, "samples must be at least 1 (papers use 1,000 or 5,000)"));
    }
    let x = model.input(WHAT, &data.samples)?;
    let binary = x.eq(0.0).logical_or(&x.eq(1.0)).all().int64_value(&[]) == 1;
    if !binary {
        return Err(Error::input(WHAT, "values must be 0 or 1: score binary images, e.g. `data.binarized(seed)?`"));
    }
    crate::manual_seed(seed);
    let (per_pass, images) = (samples.min(DRAWS_PER_PASS), (DRAWS_PER_PASS / samples).max(1));
    let (mut elbo, mut nll) = (0.0, 0.0);
    for batch in x.split(images as i64, 0) {
        let (mean, log_var) = model.posterior(WHAT, &batch)?;
        let mut log_weights = Vec::new();
        let mut left = samples;
        while left > 0 {
            let s = per_pass.min(left) as i64;
            log_weights.push(tch::no_grad(|| log_weights_of(model, &batch, &mean, &log_var, s)));
            left -= s as usize;
        }
        let w = Tensor::cat(&log_weights, 0).to_kind(Kind::Double); // [k, B]
        let bound = w.logsumexp([0], false) - (samples as f64).ln();
        nll -= bound.sum(Kind::Double).double_value(&[]);
        elbo -= w.mean_dim(0, false, Kind::Double).sum(Kind::Double).double_value(&[]);
    }
    let n = data.len() as f64;
    Ok(Likelihood { elbo: elbo / n, nll: nll / n, samples, images: data.len() })
}

/// log p(x | z) + log p(z) − log q(z | x) for `s` draws of z per image: `[s, B]`.
fn log_weights_of(model: &Autoencoder, x: &Tensor, mean: &Tensor, log_var: &Tensor, s: i64) -> Tensor {
    let (b, l) = (mean.size()[0], mean.size()[1]);
    let eps = Tensor::randn([s, b, l], (Kind::Float, mean.device()));
    let z = mean.unsqueeze(0) + (log_var * 0.5).exp().unsqueeze(0) * &eps;
    let logits = model.logits_t(&z.view([s * b, l]), false);
    let target =
        x.unsqueeze(0).expand([s].into_iter().chain(x.size()).collect::<Vec<_>>(), false).reshape(logits.size());
    let log_px = -logits
        .binary_cross_entropy_with_logits::<Tensor>(&target, None, None, Reduction::None)
        .flatten(1, -1)
        .sum_dim_intlist(1, false, Kind::Float)
        .view([s, b]);
    let ln_2pi = (2.0 * std::f64::consts::PI).ln();
    let log_pz = (z.square() + ln_2pi).sum_dim_intlist(2, false, Kind::Float) * -0.5;
    let log_qz = (eps.square() + log_var.unsqueeze(0) + ln_2pi).sum_dim_intlist(2, false, Kind::Float) * -0.5;
    log_px + log_pz - log_qz
}
