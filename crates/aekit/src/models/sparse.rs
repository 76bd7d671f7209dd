//! Sparse autoencoders: a dense autoencoder whose loss also penalises active code units, with
//! an L1 penalty on the code and/or a KL-divergence pull of each unit's mean activation
//! towards a small target ρ.
//!
//! ```
//! use aekit::prelude::*;
//! let config = SparseConfig::kl(64, 1e-2, 0.05); // KL pull of each unit's mean activation towards 0.05
//! let model = Autoencoder::new(config, Device::Cpu)?;
//! assert_eq!(model.encode(&Tensor::rand([3, 1, 28, 28], (Kind::Float, Device::Cpu)))?.size(), [3, 64]);
//! # Ok::<(), aekit::Error>(())
//! ```

use serde::{Deserialize, Serialize};
use tch::{nn, Kind, Tensor};

use super::architecture::{Architecture, Decode};
use super::{Activation, DenseConfig, Layers, Losses, ReconLoss};
use crate::{Error, Result};

/// Config of a sparse autoencoder: a dense one trained with sparsity penalties on its code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SparseConfig {
    /// The network; KL sparsity needs `code_activation: Sigmoid` (activations in (0, 1)).
    pub dense: DenseConfig,
    /// Weight of the L1 penalty: `l1 × Σ|code|` per image (Keras' `activity_regularizer=l1`).
    pub l1: f64,
    /// Weight of the KL sparsity penalty, summed over code units.
    pub kl: f64,
    /// Target mean activation ρ of each code unit, in (0, 1).
    pub target: f64,
}

impl Default for SparseConfig {
    fn default() -> Self {
        SparseConfig { dense: DenseConfig::standard(64), l1: 1e-4, kl: 0.0, target: 0.05 }
    }
}

impl SparseConfig {
    /// KL sparsity towards `target` with weight `kl`, on sigmoid codes of width `latent`.
    pub fn kl(latent: usize, kl: f64, target: f64) -> Self {
        let dense = DenseConfig { code_activation: Activation::Sigmoid, ..DenseConfig::standard(latent) };
        SparseConfig { dense, l1: 0.0, kl, target }
    }
}

impl SparseConfig {
    /// The same config for samples of `shape` (e.g. `data.sample_shape()`).
    pub fn with_input(self, shape: impl Into<Vec<usize>>) -> Self {
        SparseConfig { dense: self.dense.with_input(shape), ..self }
    }
}

impl Architecture for SparseConfig {
    fn validate(&self) -> Result<()> {
        self.dense.validate()?;
        for (field, value) in [("l1", self.l1), ("kl", self.kl)] {
            if !(value.is_finite() && value >= 0.0) {
                return Err(Error::config(format!("SparseConfig::{field}"), format!("{value} must be ≥ 0")));
            }
        }
        if !(self.target > 0.0 && self.target < 1.0) {
            return Err(Error::config(
                "SparseConfig::target",
                format!("{} must lie in (0, 1), e.g. 0.05", self.target),
            ));
        }
        if self.kl > 0.0 && self.dense.code_activation != Activation::Sigmoid {
            return Err(Error::config(
                "SparseConfig::kl",
                "KL sparsity needs code activations in (0, 1): set dense.code_activation to Sigmoid (or use SparseConfig::kl)",
            ));
        }
        Ok(())
    }

    fn describe(&self) -> String {
        format!("sparse {} (L1 {}, KL {} towards ρ = {})", self.dense.describe(), self.l1, self.kl, self.target)
    }

    fn input(&self) -> &[usize] {
        &self.dense.input
    }

    fn latent(&self) -> i64 {
        self.dense.latent()
    }

    fn encoder(&self, p: &nn::Path) -> Layers {
        self.dense.encoder(p)
    }

    fn decoder(&self, p: &nn::Path) -> Layers {
        self.dense.decoder(p)
    }

    fn losses(&self, code: Tensor, decode: Decode, target: &Tensor, loss: ReconLoss) -> Losses {
        let recon = loss.compute(&decode(&code), target);
        let l1 = code.abs().sum_dim_intlist(1, false, Kind::Float).mean(Kind::Float);
        let rho = self.target;
        let rho_hat = code.mean_dim(0, false, Kind::Float).clamp(1e-6, 1.0 - 1e-6);
        // KL(ρ ‖ ρ̂) = ρ log(ρ/ρ̂) + (1-ρ) log((1-ρ)/(1-ρ̂)), summed over units.
        let off: Tensor = rho_hat.ones_like() - &rho_hat;
        let kl = (rho_hat.log() * -rho + off.log() * -(1.0 - rho)).sum(Kind::Float)
            + (rho * rho.ln() + (1.0 - rho) * (1.0 - rho).ln()) * rho_hat.size()[0] as f64;
        let total = &recon + &l1 * self.l1 + &kl * self.kl;
        Losses { total, terms: vec![("reconstruction", recon), ("l1", l1), ("kl_sparsity", kl)] }
    }
}
