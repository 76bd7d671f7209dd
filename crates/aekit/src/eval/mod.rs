//! Measures of a trained autoencoder beyond its loss, and the baselines it is compared with:
//! codes and per-image errors ([`encode_all`], [`image_errors`], [`psnr`]), [`Pca`],
//! classification in code space ([`knn_predict`], [`linear_probe`]), clustering ([`kmeans`],
//! [`nmi`]), anomaly scoring ([`auroc`], [`Threshold`]) and compression ([`quantize`] codes
//! against [`jpeg`]).
//!
//! ```
//! use aekit::eval::{auroc, Pca};
//! use aekit::tch::{Device, Kind, Tensor};
//! // PCA reconstruction error as an anomaly score: points off the fitted plane score high.
//! let normal = Tensor::randn([200, 3], (Kind::Float, Device::Cpu)) * Tensor::from_slice(&[1.0f32, 1.0, 0.01]);
//! let pca = Pca::fit(&normal, 2)?;
//! let odd = Tensor::from_slice(&[0.0f32, 0.0, 3.0]).view([1, 3]);
//! let scores = pca.errors(&Tensor::cat(&[normal.narrow(0, 0, 10), odd], 0))?;
//! let anomalous = Tensor::from_slice(&[false, false, false, false, false, false, false, false, false, false, true]);
//! assert_eq!(auroc(&scores, &anomalous)?, 1.0);
//! # Ok::<(), aekit::Error>(())
//! ```

mod anomaly;
mod classify;
mod compression;
mod pca;
#[cfg(feature = "polars")]
pub mod time_series;

use tch::{Kind, Reduction, Tensor};

pub use anomaly::{auroc, knn_distance, AnomalyDetector, AnomalyScores, BinaryMetrics, Threshold};
pub use classify::{
    accuracy, few_labels, kmeans, knn_predict, linear_probe, nmi, pick_per_class, FewLabels, KMeans, KnnGraph, Probe,
    ProbeConfig,
};
pub use compression::{jpeg, quantize, Jpeg};
pub use pca::Pca;

use crate::data::Dataset;
use crate::models::{Autoencoder, Corruption, ReconLoss};
use crate::{check, Error, Result};

/// The codes of every image in `data`, `[N, latent]` on the model's device (a VAE gives its
/// mean codes).
pub fn encode_all(model: &dyn Autoencoder, data: &Dataset) -> Result<Tensor> {
    check::images("encode_all: data", &data.images, None)?;
    let codes: Result<Vec<Tensor>> =
        data.batches(1024, None, model.device())?.map(|batch| model.encode(&batch.images)).collect();
    Ok(Tensor::cat(&codes?, 0))
}

/// Reconstruction error of each image, `[N]` on the model's device: the mean over its pixels
/// of `loss` between the image and `model.forward` of it. The anomaly score of a
/// reconstruction-based detector.
pub fn image_errors(model: &dyn Autoencoder, data: &Dataset, loss: ReconLoss) -> Result<Tensor> {
    check::images("image_errors: data", &data.images, None)?;
    let mut errors = Vec::new();
    for batch in data.batches(1024, None, model.device())? {
        let output = model.forward(&batch.images)?;
        errors.push(per_image(&output, &batch.images, loss));
    }
    Ok(Tensor::cat(&errors, 0))
}

fn per_image(output: &Tensor, target: &Tensor, loss: ReconLoss) -> Tensor {
    let n = output.size()[0];
    let (output, target) = (output.reshape([n, -1]), target.reshape([n, -1]));
    match loss {
        ReconLoss::Mse => (output - target).square().mean_dim(1, false, Kind::Float),
        ReconLoss::Bce => {
            output.binary_cross_entropy::<Tensor>(&target, None, Reduction::None).mean_dim(1, false, Kind::Float)
        }
    }
}

/// Peak signal-to-noise ratio in dB of each image against its reference, `[N]`, for values in
/// [0, 1]: `10 · log10(1 / MSE)`. A perfect copy is capped at 100 dB.
pub fn psnr(images: &Tensor, reference: &Tensor) -> Result<Tensor> {
    if images.size() != reference.size() || images.dim() < 2 {
        return Err(Error::input(
            "psnr",
            format!(
                "images {:?} and reference {:?} must have the same shape [N, ...]",
                images.size(),
                reference.size()
            ),
        ));
    }
    let mse = per_image(&images.to_kind(Kind::Float), &reference.to_kind(Kind::Float), ReconLoss::Mse);
    Ok(mse.clamp_min(1e-10).log10() * -10.0)
}

/// Mean PSNR (dB) against the clean images of a denoiser's input and of its output.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DenoisingPsnr {
    /// Mean PSNR (dB) of the corrupted images against the clean ones.
    pub noisy: f64,
    /// Mean PSNR (dB) of the model's outputs against the clean images.
    pub denoised: f64,
}

/// Corrupts `data` with `corruption` (seeded), denoises it with `model`, and measures the mean
/// PSNR against the clean images before and after.
pub fn denoising_psnr(
    model: &dyn Autoencoder,
    data: &Dataset,
    corruption: &Corruption,
    seed: u64,
) -> Result<DenoisingPsnr> {
    check::images("denoising_psnr: data", &data.images, None)?;
    corruption.validate()?;
    let noisy = Dataset::new(corruption.apply_seeded(&data.images, seed), data.labels.shallow_clone())?;
    let (mut before, mut after) = (0.0, 0.0);
    for (clean, noisy) in data.batches(1024, None, model.device())?.zip(noisy.batches(1024, None, model.device())?) {
        let sum = |t: Tensor| t.sum(Kind::Double).double_value(&[]);
        before += sum(psnr(&noisy.images, &clean.images)?);
        after += sum(psnr(&model.forward(&noisy.images)?, &clean.images)?);
    }
    let n = data.len() as f64;
    Ok(DenoisingPsnr { noisy: before / n, denoised: after / n })
}

/// Mean activation of the code units over `data` (mean of |code|): how busy the code is.
/// A sparse autoencoder should score well below an unregularized one.
pub fn mean_code_activation(model: &dyn Autoencoder, data: &Dataset) -> Result<f64> {
    check::images("mean_code_activation: data", &data.images, None)?;
    let mut total = Tensor::zeros([], (Kind::Float, model.device()));
    for batch in data.batches(1024, None, model.device())? {
        total += model.encode(&batch.images)?.abs().mean_dim(1, false, Kind::Float).sum(Kind::Float);
    }
    Ok(total.double_value(&[]) / data.len() as f64)
}

/// Reconstruction errors per pixel, averaged over a data set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reconstruction {
    /// Mean squared error per pixel.
    pub mse: f64,
    /// Binary cross-entropy per pixel.
    pub bce: f64,
}

/// Mean squared error and binary cross-entropy of `model.forward` against the images (a VAE
/// decodes its mean codes). With `corruption`, the model sees seeded corrupted copies and is
/// scored against the clean images: the denoising error.
pub fn reconstruction_error(
    model: &dyn Autoencoder,
    data: &Dataset,
    corruption: Option<(&Corruption, u64)>,
) -> Result<Reconstruction> {
    check::images("reconstruction_error: data", &data.images, None)?;
    if let Some((c, seed)) = corruption {
        c.validate()?;
        crate::manual_seed(seed);
    }
    let (mut mse, mut bce) =
        (Tensor::zeros([], (Kind::Float, model.device())), Tensor::zeros([], (Kind::Float, model.device())));
    for batch in data.batches(1024, None, model.device())? {
        let input = corruption.map_or_else(|| batch.images.shallow_clone(), |(c, _)| c.apply(&batch.images));
        let output = model.forward(&input)?;
        mse += output.mse_loss(&batch.images, Reduction::Sum);
        bce += output.binary_cross_entropy::<Tensor>(&batch.images, None, Reduction::Sum);
    }
    let n = (data.len() * 784) as f64;
    Ok(Reconstruction { mse: mse.double_value(&[]) / n, bce: bce.double_value(&[]) / n })
}
