//! Integration tests: one binary, a module per topic. Tests marked "real data" use the
//! Fashion-MNIST that `make setup` placed (they fail, naming the fix, when it is absent).

mod anomaly;
mod codec;
mod common;
mod compat;
mod cuda;
mod data;
mod display;
mod download;
mod eval;
#[cfg(feature = "polars")]
mod frame;
mod fuzz;
mod likelihood;
mod models;
mod own_data;
mod semi;
#[cfg(feature = "polars")]
mod series;
mod text;
mod training;
