//! The autoencoder family: one [`Autoencoder`] type for every kind, so one training loop and
//! every measure serve them all. A kind is a config ([`DenseConfig`], [`ConvConfig`],
//! [`SparseConfig`], [`VaeConfig`], [`SemiSupervisedConfig`] (a classifier on the code, for few labels), [`RestorationConfig`] (restores turned images, for anomalies), the learned image codec's [`CodecConfig`], and for text [`BagOfWordsConfig`], [`SequenceConfig`]), one file here; [`ModelConfig`] is any of them. A config
//! carries the shape of the samples it takes (Fashion-MNIST's `[1, 28, 28]` unless
//! `.with_input(data.sample_shape())` says otherwise).
//!
//! ```
//! use aekit::prelude::*;
//! let model = Autoencoder::new(DenseConfig::standard(32), Device::Cpu)?;
//! let images = Tensor::rand([4, 1, 28, 28], (Kind::Float, Device::Cpu));
//! assert_eq!(model.encode(&images)?.size(), [4, 32]);
//! assert_eq!(model.forward(&images)?.size(), [4, 1, 28, 28]);
//! println!("{}", model.summary()); // layers, output shapes, parameter counts
//! # Ok::<(), aekit::Error>(())
//! ```

mod activation;
mod architecture;
mod autoencoder;
mod bag_of_words;
mod codec;
mod config;
mod conv;
mod denoising;
mod dense;
mod halves;
mod input;
mod layers;
mod orientation;
mod recon_loss;
mod restoration;
mod semi_supervised;
mod sequence;
mod sparse;
mod summary;
mod vae;

pub use activation::Activation;
pub use architecture::Losses;
pub use autoencoder::Autoencoder;
pub(crate) use bag_of_words::word_cross_entropy;
pub use bag_of_words::BagOfWordsConfig;
pub use codec::CodecConfig;
pub(crate) use codec::{Prior, SYMBOL_RANGE};
pub use config::ModelConfig;
pub use conv::ConvConfig;
pub use denoising::Corruption;
pub use dense::DenseConfig;
pub use halves::{Decoder, Encoder};
pub use input::FASHION_MNIST_INPUT;
pub use layers::Layers;
pub use orientation::{orient, orientations};
pub use recon_loss::ReconLoss;
pub use restoration::RestorationConfig;
pub use semi_supervised::SemiSupervisedConfig;
pub use sequence::SequenceConfig;
pub use sparse::SparseConfig;
pub use summary::{LayerRow, Summary};
pub use vae::VaeConfig;
