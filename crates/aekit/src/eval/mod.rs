//! Measures of a trained autoencoder beyond its loss, and the baselines it is compared with:
//! codes and per-image errors ([`encode_all`], [`image_errors`], [`psnr`]), [`Pca`],
//! classification in code space ([`knn_predict`], [`linear_probe`]), clustering ([`kmeans`],
//! [`nmi`]), anomaly scoring ([`auroc`], [`AnomalyDetector`], [`Ensemble`], [`Threshold`],
//! [`nearest_dtw`]), a VAE's likelihood ([`importance_weighted_nll`]) and compression
//! ([`quantize`] codes against [`jpeg`] and [`png_bytes`]; rate–distortion curves compared by
//! [`bd_rate`]; the learned codec itself is [`crate::codec`]).
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
mod dtw;
mod ensemble;
mod likelihood;
mod pca;
mod reconstruction;
#[cfg(feature = "polars")]
pub mod time_series;

pub use anomaly::{auroc, knn_distance, AnomalyDetector, AnomalyScores, BinaryMetrics, Threshold};
pub use classify::{
    accuracy, few_labels, kmeans, knn_predict, linear_probe, mean_std, nmi, pick_per_class, surest_labels, FewLabels,
    KMeans, KnnGraph, Probe, ProbeConfig,
};
pub use compression::{bd_rate, jpeg, png_bytes, quantize, shared_psnr_range, Jpeg};
pub use dtw::{nearest_dtw, warped_errors};
pub use ensemble::{Ensemble, EnsembleScores};
pub use likelihood::{importance_weighted_nll, Likelihood};
pub use pca::Pca;
pub(crate) use reconstruction::check_dataset;
pub use reconstruction::{
    denoising_psnr, encode_all, evaluate, evaluate_denoising, image_errors, mean_code_activation, psnr,
    reconstruction_error, DenoisingPsnr, Reconstruction,
};
