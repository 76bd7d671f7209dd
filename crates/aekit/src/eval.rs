//! Measures of a trained autoencoder beyond its loss.

use tch::{Kind, Reduction, Tensor};

use crate::data::Dataset;
use crate::models::{Autoencoder, Corruption};
use crate::{check, Result};

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
    pub mse: f64,
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
