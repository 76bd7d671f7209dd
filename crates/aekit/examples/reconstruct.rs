//! Load a saved autoencoder of any kind and reconstruct test images with it: the other half of
//! `demo` (which trains and saves). Prints the test loss and writes a reconstruction grid.
//!
//! `cargo run --release -p aekit --example reconstruct -- MODEL.safetensors [--out grid.png]`

use std::path::PathBuf;

use aekit::prelude::*;

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: reconstruct MODEL.safetensors [--out grid.png]";
    let model_path = PathBuf::from(args.next().ok_or(usage)?);
    let out = match (args.next().as_deref(), args.next()) {
        (None, _) => PathBuf::from("reconstructions.png"),
        (Some("--out"), Some(path)) => PathBuf::from(path),
        _ => return Err(usage.into()),
    };

    let device = aekit::device()?;
    let model = aekit::models::load(&model_path, device)?;
    println!("loaded {} from {}", model.config().describe(), model_path.display());
    let data = FashionMnist::load()?;
    println!("test loss (binary cross-entropy): {:.4}", evaluate(model.as_ref(), &data.test, ReconLoss::Bce)?);
    let sample = data.test.one_per_class()?;
    reconstruction_grid(&sample, &model.forward(&sample.images.to_device(device))?)?.save(&out)?;
    println!("wrote {}", out.display());
    Ok(())
}
