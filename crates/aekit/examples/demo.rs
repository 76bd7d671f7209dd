//! The tutorial end to end: train the standard autoencoder on Fashion-MNIST, report the test
//! loss, and write the reconstruction grid and the loss curve.
//!
//! `cargo run --release -p aekit --example demo -- [--epochs N] [--out DIR]`

use std::path::PathBuf;

use aekit::prelude::*;
use clap::Parser;

/// Trains the tutorial's autoencoder and writes its figures.
#[derive(Parser)]
struct Args {
    /// Passes over the training set.
    #[arg(long, default_value_t = 10)]
    epochs: usize,
    /// Where the figures and the model go.
    #[arg(long, default_value = "results/demo")]
    out: PathBuf,
}

fn main() -> anyhow::Result<()> {
    let Args { epochs, out } = Args::parse();

    let start = std::time::Instant::now();
    let data = FashionMnist::load()?;
    println!("{data} (loaded in {:.2} s)", start.elapsed().as_secs_f64());

    aekit::manual_seed(0);
    let device = aekit::device()?;
    let mut model = Autoencoder::new(DenseConfig::default(), device)?;
    println!("{model}");
    let config = TrainConfig { epochs, device: Some(device), ..Default::default() };
    let history = train(&mut model, &data.train, &data.validation, &config)?;

    let test_loss = evaluate(&model, &data.test, config.loss)?;
    let sample = data.test.one_per_class()?;
    let grid = out.join("reconstructions.png");
    reconstruction_grid(&sample, &model.forward(&sample.samples)?)?.save(&grid)?;
    let curve = out.join("loss.svg");
    loss_curve(&history, "binary cross-entropy")?.save(&curve)?;
    // The latent space: the 64-value codes of 2,000 test images, projected to 2-D with PCA.
    let some = data.test.take(2000);
    let codes = aekit::eval::encode_all(&model, &some)?;
    let plane = aekit::eval::Pca::fit(&codes, 2)?.transform(&codes)?;
    let latent = out.join("latent.svg");
    aekit::plot::latent_scatter("codes of 2,000 test images (PCA to 2-D)", &plane, &some, ("PC 1", "PC 2"))?
        .save(&latent)?;
    let checkpoint = out.join("model.safetensors");
    model.save(&checkpoint)?;

    let times: Vec<String> = history.epochs.iter().map(|e| format!("{:.2}", e.seconds)).collect();
    println!("epoch times (s): {}", times.join(" "));
    println!("final test loss ({}): {test_loss:.4}", config.loss);
    for path in [&grid, &curve, &latent, &checkpoint] {
        println!("wrote {}", path.display());
    }
    Ok(())
}
