//! Data: the IDX parser, Fashion-MNIST (found, verified, split) and batches.

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
