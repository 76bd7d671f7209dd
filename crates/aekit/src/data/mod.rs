//! Data: the IDX parser, Fashion-MNIST (found, verified, split) and batches.
//!
//! ```no_run
//! use aekit::data::FashionMnist;
//! let data = FashionMnist::load()?; // found, checksummed, scaled to [0, 1]
//! let first = data.train.take(256);
//! for batch in first.batches(64, Some(42), aekit::tch::Device::Cpu)? {
//!     assert_eq!(batch.images.size(), [64, 1, 28, 28]);
//! }
//! # Ok::<(), aekit::Error>(())
//! ```

mod batches;
mod dataset;
#[cfg(feature = "download")]
pub mod download;
mod fashion_mnist;
pub mod idx;
#[cfg(feature = "polars")]
pub mod ucr;

pub use batches::{Batch, Batches};
pub use dataset::Dataset;
pub use fashion_mnist::{FashionMnist, LoadOptions, SourceFile, CLASS_NAMES, FILES};
