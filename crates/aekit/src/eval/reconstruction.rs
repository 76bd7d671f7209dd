//! How well a model rebuilds its input: mean losses, errors per image, PSNR, denoising, and
//! the codes of a whole data set. Every measure goes over the data in batches of
//! [`Dataset::map_batches`], without gradients.
//!
//! ```no_run
//! use aekit::prelude::*;
//! use aekit::eval::{image_errors, psnr};
//! let data = FashionMnist::load()?;
//! let model = Autoencoder::load("model.safetensors", Device::Cpu)?;
//! println!("test BCE {:.4}", evaluate(&model, &data.test, ReconLoss::Bce)?);
//! let errors = image_errors(&model, &data.test, ReconLoss::Mse)?; // [10000], one per image
//! # Ok::<(), aekit::Error>(())
//! ```

use tch::{Kind, Reduction, Tensor};

use crate::data::Dataset;
use crate::models::{Autoencoder, Corruption, ReconLoss};
use crate::{check, Error, Result};

/// Mean training loss of `model` over `data` (e.g. the test set), without training: the
/// reconstruction loss, plus the kind's own terms (a VAE's KL, a sparse model's penalty).
pub fn evaluate(model: &Autoencoder, data: &Dataset, loss: ReconLoss) -> Result<f64> {
    mean_loss(model, data, loss, None)
}

/// Mean loss of rebuilding `data` from copies corrupted by `corruption` (seeded: the same
/// noise every call).
pub fn evaluate_denoising(
    model: &Autoencoder,
    data: &Dataset,
    loss: ReconLoss,
    corruption: &Corruption,
    seed: u64,
) -> Result<f64> {
    corruption.validate()?;
    mean_loss(model, data, loss, Some((corruption, seed)))
}

/// The mean of the training objective. A VAE's objective samples its code: libtorch's
/// generator is seeded first (with `seed`, or a fixed one), so the same call gives the same
/// number.
fn mean_loss(
    model: &Autoencoder,
    data: &Dataset,
    loss: ReconLoss,
    corruption: Option<(&Corruption, u64)>,
) -> Result<f64> {
    check_dataset("evaluation set", data, model, loss)?;
    crate::manual_seed(corruption.map_or(EVALUATION_SEED, |(_, seed)| seed));
    let sums = tch::no_grad(|| {
        data.map_batches(model.device(), |images| {
            let n = images.size()[0] as f64;
            let input = corruption.map_or_else(|| images.shallow_clone(), |(c, _)| c.apply(images));
            Ok(model.losses(&input, images, loss, false).total * n)
        })
    })?;
    Ok(sum(sums, model).double_value(&[]) / data.len() as f64)
}

/// The seed of libtorch's generator while a loss is evaluated without corruption.
const EVALUATION_SEED: u64 = 0x5eed;

/// The codes of every image in `data`, `[N, latent]` on the model's device (a VAE gives its
/// mean codes).
pub fn encode_all(model: &Autoencoder, data: &Dataset) -> Result<Tensor> {
    Ok(Tensor::cat(&data.map_batches(model.device(), |images| model.encode(images))?, 0))
}

/// Reconstruction error of each image, `[N]` on the model's device: the mean over its pixels
/// of `loss` between the image and `model.forward` of it. The anomaly score of a
/// reconstruction-based detector.
pub fn image_errors(model: &Autoencoder, data: &Dataset, loss: ReconLoss) -> Result<Tensor> {
    let errors = data.map_batches(model.device(), |images| Ok(per_image(&model.forward(images)?, images, loss)))?;
    Ok(Tensor::cat(&errors, 0))
}

pub(crate) fn per_image(output: &Tensor, target: &Tensor, loss: ReconLoss) -> Tensor {
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
    let reference = reference.f_to_device(images.device())?;
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
    model: &Autoencoder,
    data: &Dataset,
    corruption: &Corruption,
    seed: u64,
) -> Result<DenoisingPsnr> {
    check::inputs("denoising_psnr: data", &data.samples, model.input_shape())?;
    corruption.validate()?;
    let noisy = corruption.apply_seeded(&data.samples, seed);
    let mut start = 0;
    let sums = data.map_batches(model.device(), |clean| {
        let n = clean.size()[0];
        let noisy = noisy.narrow(0, start, n).f_to_device(model.device())?;
        start += n;
        let total = |t: Tensor| t.sum(Kind::Double);
        Ok(Tensor::stack(&[total(psnr(&noisy, clean)?), total(psnr(&model.forward(&noisy)?, clean)?)], 0))
    })?;
    let sums = Vec::<f64>::try_from(sum(sums, model).to_kind(Kind::Double))?;
    let n = data.len() as f64;
    Ok(DenoisingPsnr { noisy: sums[0] / n, denoised: sums[1] / n })
}

/// Mean activation of the code units over `data` (mean of |code|): how busy the code is.
/// A sparse autoencoder should score well below an unregularized one.
pub fn mean_code_activation(model: &Autoencoder, data: &Dataset) -> Result<f64> {
    let sums = data.map_batches(model.device(), |images| {
        Ok(model.encode(images)?.abs().mean_dim(1, false, Kind::Float).sum(Kind::Float))
    })?;
    Ok(sum(sums, model).double_value(&[]) / data.len() as f64)
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
    model: &Autoencoder,
    data: &Dataset,
    corruption: Option<(&Corruption, u64)>,
) -> Result<Reconstruction> {
    if let Some((c, seed)) = corruption {
        c.validate()?;
        crate::manual_seed(seed);
    }
    let sums = data.map_batches(model.device(), |images| {
        let input = corruption.map_or_else(|| images.shallow_clone(), |(c, _)| c.apply(images));
        let output = model.forward(&input)?;
        let bce = output.binary_cross_entropy::<Tensor>(images, None, Reduction::Sum);
        Ok(Tensor::stack(&[output.mse_loss(images, Reduction::Sum), bce], 0))
    })?;
    let sums = Vec::<f64>::try_from(sum(sums, model).to_kind(Kind::Double))?;
    let n = data.samples.numel() as f64;
    Ok(Reconstruction { mse: sums[0] / n, bce: sums[1] / n })
}

/// The sum of per-batch tensors in batch order, on the model's device.
fn sum(parts: Vec<Tensor>, model: &Autoencoder) -> Tensor {
    parts.into_iter().fold(Tensor::zeros([], (Kind::Float, model.device())), |total, part| total + part)
}

/// The checks a data set passes before training or a loss: samples of the model's shape,
/// finite, and in [0, 1] when the loss is binary cross-entropy.
pub(crate) fn check_dataset(what: &str, data: &Dataset, model: &Autoencoder, loss: ReconLoss) -> Result<()> {
    check::inputs(what, &data.samples, model.input_shape())?;
    check::finite(what, &data.samples)?;
    if loss == ReconLoss::Bce && model.config().own_loss().is_none() {
        let fix = "binary cross-entropy needs them: scale pixels by 1/255, or use MSE for values outside [0, 1]";
        check::unit_range(what, &data.samples, fix)?;
    }
    Ok(())
}
