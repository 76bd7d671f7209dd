//! Load a saved autoencoder of any kind and reconstruct test images with it: the other half of
//! `demo` (which trains and saves). Prints the test loss and writes a reconstruction grid.
//!
//! `cargo run --release -p aekit --example reconstruct -- MODEL.safetensors [--out grid.png]`

use std::path::PathBuf;

use aekit::prelude::*;
use clap::Parser;

/// Loads a saved model and rebuilds one test image of each class.
#[derive(Parser)]
struct Args {
    /// A model saved by `Autoencoder::save` (e.g. by the demo).
    model: PathBuf,
    /// The grid to write.
    #[arg(long, default_value = "reconstructions.png")]
    out: PathBuf,
}

fn main() -> anyhow::Result<()> {
    let Args { model: model_path, out } = Args::parse();

    let device = aekit::device()?;
    let model = Autoencoder::load(&model_path, device)?;
    println!("loaded {} from {}", model.config().describe(), model_path.display());
    let data = FashionMnist::load()?;
    println!("test loss (binary cross-entropy): {:.4}", evaluate(&model, &data.test, ReconLoss::Bce)?);
    let sample = data.test.one_per_class()?;
    reconstruction_grid(&sample, &model.forward(&sample.samples)?)?.save(&out)?;
    println!("wrote {}", out.display());
    Ok(())
}
