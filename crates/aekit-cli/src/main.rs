//! `aekit`: the crate from scripts. Exit codes: 0 done, 1 an error (the message says what and
//! how to fix it), 2 a usage error (clap's convention).

mod progress;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use aekit::eval::{auroc, encode_all, image_errors, psnr, reconstruction_error};
use aekit::frame::ToDataFrame;
use aekit::prelude::*;
use anyhow::{bail, Context, Result};
use clap::builder::{PossibleValue, PossibleValuesParser};
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "aekit", version, about = "Autoencoders on Fashion-MNIST, from the command line", after_help = EXAMPLES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Where to compute: cpu, cuda or cuda:N (default: $AEKIT_DEVICE, else CUDA when present).
    #[arg(long, global = true)]
    device: Option<String>,
}

const EXAMPLES: &str = "Examples:
  aekit train --kind conv --latent 32 --epochs 10 --out runs/conv
  aekit train --config model.toml --noise 0.2 --out runs/denoiser
  aekit eval runs/conv/model.safetensors
  aekit reconstruct runs/conv/model.safetensors --out grid.png
  aekit sample runs/vae/model.safetensors --count 32 --out samples.png
  aekit anomaly runs/conv/model.safetensors --normal-class 0 --out scores.csv
  aekit encode runs/conv/model.safetensors --out codes.parquet

In a terminal, training shows a progress bar; otherwise (logs, pipes) one line per epoch.";

#[derive(Subcommand)]
enum Command {
    /// Train a model on the training images; writes OUT/model.safetensors, OUT/history.csv and
    /// checkpoints in OUT/checkpoints (an interrupted run continues with --resume).
    Train(TrainArgs),
    /// Test-set metrics of a saved model, as a table.
    Eval { model: PathBuf },
    /// A PNG grid: one test image of each class above its reconstruction.
    Reconstruct {
        model: PathBuf,
        #[arg(long, default_value = "reconstructions.png")]
        out: PathBuf,
    },
    /// New images from a variational autoencoder's prior, as a PNG grid.
    Sample {
        model: PathBuf,
        #[arg(long, default_value_t = 32)]
        count: usize,
        #[arg(long, default_value = "samples.png")]
        out: PathBuf,
    },
    /// Scores every test image by reconstruction error (MSE) into a CSV or Parquet file (by
    /// OUT's extension); with --normal-class, also the AUROC of telling that class from the rest.
    Anomaly {
        model: PathBuf,
        #[arg(long)]
        normal_class: Option<i64>,
        #[arg(long, default_value = "scores.csv")]
        out: PathBuf,
    },
    /// Writes the code of every test image (index, label, z0, z1, ...) as CSV, or Parquet when
    /// OUT ends in .parquet.
    Encode {
        model: PathBuf,
        #[arg(long, default_value = "codes.csv")]
        out: PathBuf,
    },
}

/// `--kind`'s values: the library's presets, with their descriptions in `--help`.
fn kinds() -> PossibleValuesParser {
    PossibleValuesParser::new(ModelConfig::PRESETS.map(|(name, about)| PossibleValue::new(name).help(about)))
}

#[derive(clap::Args)]
struct TrainArgs {
    /// Model kind (ignored with --config).
    #[arg(long, default_value = "dense", value_parser = kinds())]
    kind: String,
    /// Code size.
    #[arg(long, default_value_t = 64)]
    latent: usize,
    /// The model's config as a JSON or TOML file, e.g. `kind = "conv"` and `channels = [32, 64]`
    /// (the fields of ModelConfig, as in a checkpoint's config.json).
    #[arg(long)]
    config: Option<PathBuf>,
    #[arg(long, default_value_t = 10)]
    epochs: usize,
    #[arg(long, default_value_t = 256)]
    batch_size: usize,
    #[arg(long, default_value_t = 1e-3)]
    learning_rate: f64,
    /// bce or mse.
    #[arg(long, default_value = "bce")]
    loss: String,
    /// Train to denoise Gaussian noise of this standard deviation.
    #[arg(long)]
    noise: Option<f64>,
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Train on the first N training images only (quick runs).
    #[arg(long)]
    limit: Option<usize>,
    /// Continue the run checkpointed in OUT/checkpoints.
    #[arg(long)]
    resume: bool,
    #[arg(long)]
    out: PathBuf,
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    let device = match &cli.device {
        Some(name) => aekit::parse_device(name)?,
        None => aekit::device()?,
    };
    match cli.command {
        Command::Train(args) => train_command(args, device),
        Command::Eval { model } => {
            let (model, data) = (Autoencoder::load(&model, device)?, FashionMnist::load()?);
            let test = &data.test;
            let error = reconstruction_error(&model, test, None)?;
            let objective = format!("test {}", model.config().objective(ReconLoss::Bce));
            let mut table = Table::new(["metric", "value"]);
            table.row([Cell::from("model"), model.config().describe().into()])?;
            table.row([Cell::from("test images"), test.len().into()])?;
            table.row([Cell::from(objective), Cell::float(evaluate(&model, test, ReconLoss::Bce)?, 4)])?;
            table.row([Cell::from("test BCE per pixel"), Cell::float(error.bce, 4)])?;
            table.row([Cell::from("test MSE per pixel"), Cell::float(error.mse, 5)])?;
            // Summed per batch: no copy of all 10,000 reconstructions is kept.
            let sums =
                test.map_batches(device, |images| Ok(psnr(&model.forward(images)?, images)?.sum(Kind::Double)))?;
            let db = sums.iter().map(|s| s.double_value(&[])).sum::<f64>() / test.len() as f64;
            table.row([Cell::from("mean PSNR (dB)"), Cell::float(db, 2)])?;
            print!("{}", table.to_markdown());
            Ok(())
        }
        Command::Reconstruct { model, out } => {
            let (model, data) = (Autoencoder::load(&model, device)?, FashionMnist::load()?);
            let sample = data.test.one_per_class()?;
            reconstruction_grid(&sample, &model.forward(&sample.images)?)?.save(&out)?;
            println!("wrote {}", out.display());
            Ok(())
        }
        Command::Sample { model: path, count, out } => {
            if count == 0 {
                bail!("--count must be at least 1");
            }
            let model = Autoencoder::load(&path, device)?;
            let samples =
                model.sample(count).with_context(|| format!("{} (train one with --kind vae)", path.display()))?;
            ImageGrid::tiles(&samples, count.min(8))?.render()?.save(&out)?;
            println!("wrote {}", out.display());
            Ok(())
        }
        Command::Anomaly { model, normal_class, out } => {
            if let Some(class) = normal_class.filter(|c| !(0..10).contains(c)) {
                bail!("--normal-class {class}: use a class 0–9");
            }
            let (model, data) = (Autoencoder::load(&model, device)?, FashionMnist::load()?);
            let scores = image_errors(&model, &data.test, ReconLoss::Mse)?;
            let mut table = Table::new(["index", "label", "score"]);
            let (values, labels) =
                (Vec::<f64>::try_from(scores.to_kind(Kind::Double))?, Vec::<i64>::try_from(&data.test.labels)?);
            for (i, (s, l)) in values.iter().zip(&labels).enumerate() {
                table.row([Cell::from(i), Cell::from(*l), Cell::float(*s, 6)])?;
            }
            save(&table, &out)?;
            println!("wrote {} ({} scores: reconstruction MSE per image)", out.display(), labels.len());
            if let Some(class) = normal_class {
                let auc = auroc(&scores, &data.test.labels.ne(class))?;
                println!("AUROC, class {class} ({}) normal vs the rest: {auc:.4}", CLASS_NAMES[class as usize]);
            }
            Ok(())
        }
        Command::Encode { model, out } => {
            let (model, data) = (Autoencoder::load(&model, device)?, FashionMnist::load()?);
            let codes = encode_all(&model, &data.test)?.to_device(Device::Cpu).to_kind(Kind::Double);
            let width = codes.size()[1] as usize;
            let mut table = Table::new(
                ["index".to_string(), "label".to_string()].into_iter().chain((0..width).map(|j| format!("z{j}"))),
            );
            let labels = Vec::<i64>::try_from(&data.test.labels)?;
            for (i, label) in labels.iter().enumerate() {
                let row = Vec::<f64>::try_from(codes.get(i as i64))?;
                table.row(
                    [Cell::from(i), Cell::from(*label)].into_iter().chain(row.iter().map(|&v| Cell::float(v, 6))),
                )?;
            }
            save(&table, &out)?;
            println!("wrote {} ({} codes of {width} values)", out.display(), labels.len());
            Ok(())
        }
    }
}

/// Writes a table as CSV, or Parquet when the path ends in `.parquet`.
fn save(table: &Table, path: &Path) -> Result<()> {
    Ok(aekit::frame::save(&table.to_dataframe()?, path)?)
}

fn train_command(args: TrainArgs, device: Device) -> Result<()> {
    let config = match &args.config {
        Some(path) => read_config(path)?,
        None => ModelConfig::preset(&args.kind, args.latent)?,
    };
    let data = FashionMnist::load()?;
    let train_set = args.limit.map_or_else(|| data.train.clone(), |n| data.train.take(n));
    aekit::manual_seed(args.seed);
    let mut model = Autoencoder::new(config, device)?;
    println!("{}", model.summary());
    // A progress bar in a terminal that can draw one; the library's lines in logs, pipes and
    // dumb terminals.
    let bar = progress::Bar::if_terminal();
    let train_config = TrainConfig {
        epochs: args.epochs,
        batch_size: args.batch_size,
        learning_rate: args.learning_rate,
        loss: args.loss.parse()?,
        seed: args.seed,
        device: Some(device),
        corruption: args.noise.map(|sigma| Corruption::Gaussian { sigma }),
        checkpoints: Some(Checkpoints::new(args.out.join("checkpoints"))),
        verbose: bar.is_none(),
        ..Default::default()
    };
    let mut trainer = Trainer::new(&train_config);
    if let Some(bar) = bar {
        trainer = trainer.observe(bar);
    }
    let history = if args.resume {
        trainer.resume(&mut model, &train_set, &data.validation)?
    } else {
        trainer.fit(&mut model, &train_set, &data.validation)?
    };
    let history_file = args.out.join("history.csv");
    history.to_table().save(&history_file)?;
    let path = args.out.join("model.safetensors");
    model.save(&path)?;
    let objective = model.config().objective(train_config.loss);
    println!("test {objective}: {:.4}", evaluate(&model, &data.test, train_config.loss)?);
    println!("wrote {} and {}", path.display(), history_file.display());
    Ok(())
}

/// A [`ModelConfig`] from a `.json` or `.toml` file.
fn read_config(path: &Path) -> Result<ModelConfig> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read the config {}", path.display()))?;
    Ok(match path.extension().and_then(|e| e.to_str()) {
        Some("json") => serde_json::from_str(&text).with_context(|| path.display().to_string())?,
        Some("toml") => toml::from_str(&text).with_context(|| path.display().to_string())?,
        _ => bail!("{}: give a .json or .toml file", path.display()),
    })
}
