//! Data: [`Dataset`] (samples of any shape, labels, class names) and its loaders: Fashion-MNIST
//! (found, verified, split), a folder of images ([`ImageFolder`]), UCR time series
//! ([`ucr`], `polars` feature), tables ([`crate::frame::to_dataset`]), and a user's own
//! tensors ([`Dataset::new`]); [`Source`] names each in one string.
//!
//! ```no_run
//! use aekit::data::FashionMnist;
//! let data = FashionMnist::load()?; // found, checksummed, scaled to [0, 1]
//! let first = data.train.take(256);
//! for batch in first.batches(64, Some(42), aekit::tch::Device::Cpu)? {
//!     assert_eq!(batch.samples.size(), [64, 1, 28, 28]);
//! }
//! # Ok::<(), aekit::Error>(())
//! ```

mod batches;
mod dataset;
#[cfg(feature = "download")]
pub mod download;
mod fashion_mnist;
pub mod idx;
mod image_folder;
mod shapes;
mod source;
#[cfg(feature = "polars")]
pub mod ucr;

pub use batches::{Batch, Batches};
pub use dataset::Dataset;
pub use fashion_mnist::{FashionMnist, LoadOptions, SourceFile, CLASS_NAMES, FILES};
pub use image_folder::{Channels, ImageFolder};
pub use shapes::{write_shapes, SHAPES, SHAPES_BACKGROUND};
pub use source::{Source, Splits};
