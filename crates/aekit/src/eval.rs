//! Measures of a trained autoencoder beyond its loss.

use tch::{Kind, Tensor};

use crate::data::Dataset;
use crate::models::Autoencoder;
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
