//! `aekit`: the crate from scripts. Exit codes: 0 done, 1 an error (the message says what and
//! how to fix it), 2 a usage error (clap's convention).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use aekit::eval::{auroc, encode_all, image_errors, psnr};
use aekit::models::{load, ModelConfig, VaeConfig};
use aekit::prelude::*;
use aekit::table::Table;
use clap::{Parser, Subcommand, ValueEnum};

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

#[derive(Clone, Copy, ValueEnum)]
enum ModelKind {
    /// dense, one hidden layer (the tutorial's)
    Dense,
    /// dense, 256-128 hidden layers, mirrored
    Deep,
    /// strided convolutions and a dense code
    Conv,
    /// dense with an L1 penalty on the code
    Sparse,
    /// variational, dense
    Vae,
    /// variational, convolutional
    ConvVae,
}

#[derive(clap::Args)]
struct TrainArgs {
    /// Model kind (ignored with --config).
    #[arg(long, value_enum, default_value = "dense")]
    kind: ModelKind,
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
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

type Outcome = Result<(), Box<dyn std::error::Error>>;

fn run(cli: Cli) -> Outcome {
    let device = match &cli.device {
        Some(name) => aekit::parse_device(name)?,
        None => aekit::device()?,
    };
    match cli.command {
        Command::Train(args) => train_command(args, device),
        Command::Eval { model } => {
            let (model, data) = (load(&model, device)?, FashionMnist::load()?);
            let test = &data.test;
            let rebuilt = reconstruct_all(model.as_ref(), test)?;
            let mut table = Table::new(["metric", "value"]);
            table.row(["model".to_string(), model.config().describe()])?;
            table.row(["test images".to_string(), test.len().to_string()])?;
            table.row(["test BCE".to_string(), format!("{:.4}", evaluate(model.as_ref(), test, ReconLoss::Bce)?)])?;
            table.row(["test MSE".to_string(), format!("{:.5}", evaluate(model.as_ref(), test, ReconLoss::Mse)?)])?;
            let db = psnr(&rebuilt, &test.images)?.mean(Kind::Double).double_value(&[]);
            table.row(["mean PSNR (dB)".to_string(), format!("{db:.2}")])?;
            print!("{}", table.to_markdown());
            Ok(())
        }
        Command::Reconstruct { model, out } => {
            let (model, data) = (load(&model, device)?, FashionMnist::load()?);
            let sample = data.test.one_per_class()?;
            reconstruction_grid(&sample, &model.forward(&sample.images.to_device(device))?)?.save(&out)?;
            println!("wrote {}", out.display());
            Ok(())
        }
        Command::Sample { model, count, out } => {
            if count == 0 {
                return Err("--count must be at least 1".into());
            }
            if let ModelConfig::Vae(_) = load(&model, Device::Cpu)?.config() {
            } else {
                return Err(format!(
                    "{}: sample needs a variational autoencoder (train one with --kind vae)",
                    model.display()
                )
                .into());
            }
            let vae = Vae::load(&model, device)?;
            ImageGrid::tiles(&vae.sample(count)?, count.min(8))?.render()?.save(&out)?;
            println!("wrote {}", out.display());
            Ok(())
        }
        Command::Anomaly { model, normal_class, out } => {
            let (model, data) = (load(&model, device)?, FashionMnist::load()?);
            let scores = image_errors(model.as_ref(), &data.test, ReconLoss::Mse)?;
            let mut table = Table::new(["index", "label", "score"]);
            let (scores_v, labels) =
                (Vec::<f64>::try_from(scores.to_kind(Kind::Double))?, Vec::<i64>::try_from(&data.test.labels)?);
            for (i, (s, l)) in scores_v.iter().zip(&labels).enumerate() {
                table.row([i.to_string(), l.to_string(), format!("{s:.6}")])?;
            }
            table.save(&out)?;
            println!("wrote {} ({} scores: reconstruction MSE per image)", out.display(), labels.len());
            if let Some(class) = normal_class {
                if !(0..10).contains(&class) {
                    return Err(format!("--normal-class {class}: use a class 0–9").into());
                }
                let auc = auroc(&scores, &data.test.labels.ne(class))?;
                println!("AUROC, class {class} ({}) normal vs the rest: {auc:.4}", CLASS_NAMES[class as usize]);
            }
            Ok(())
        }
        Command::Encode { model, out } => {
            let (model, data) = (load(&model, device)?, FashionMnist::load()?);
            let codes = encode_all(model.as_ref(), &data.test)?.to_device(Device::Cpu).to_kind(Kind::Double);
            let width = codes.size()[1] as usize;
            let mut table = Table::new(
                ["index".to_string(), "label".to_string()].into_iter().chain((0..width).map(|j| format!("z{j}"))),
            );
            let labels = Vec::<i64>::try_from(&data.test.labels)?;
            for (i, label) in labels.iter().enumerate() {
                let row = Vec::<f64>::try_from(codes.get(i as i64))?;
                table
                    .row([i.to_string(), label.to_string()].into_iter().chain(row.iter().map(|v| format!("{v:.6}"))))?;
            }
            table.save(&out)?;
            println!("wrote {} ({} codes of {width} values)", out.display(), labels.len());
            Ok(())
        }
    }
}

fn reconstruct_all(model: &dyn Autoencoder, data: &Dataset) -> aekit::Result<Tensor> {
    let parts: aekit::Result<Vec<Tensor>> = data
        .batches(1024, None, model.device())?
        .map(|b| model.forward(&b.images).map(|t| t.to_device(Device::Cpu)))
        .collect();
    Ok(Tensor::cat(&parts?, 0))
}

fn train_command(args: TrainArgs, device: Device) -> Outcome {
    let config = match &args.config {
        Some(path) => read_config(path)?,
        None => match args.kind {
            ModelKind::Dense => DenseConfig::standard(args.latent).into(),
            ModelKind::Deep => DenseConfig::deep(args.latent).into(),
            ModelKind::Conv => ConvConfig { latent: Some(args.latent), ..Default::default() }.into(),
            ModelKind::Sparse => {
                SparseConfig { dense: DenseConfig::standard(args.latent), ..Default::default() }.into()
            }
            ModelKind::Vae => VaeConfig { latent: args.latent, ..Default::default() }.into(),
            ModelKind::ConvVae => VaeConfig::conv(args.latent).into(),
        },
    };
    let data = FashionMnist::load()?;
    let train_set = args.limit.map_or_else(|| data.train.clone(), |n| data.train.take(n));
    aekit::manual_seed(args.seed);
    let mut model = config.build(device)?;
    println!("{}", model.summary());
    // A progress bar in a terminal that can draw one; one line per epoch (train()'s own) in
    // logs, pipes and dumb terminals (indicatif hides its bar there).
    let bar = std::io::stderr().is_terminal().then(|| progress_bar(args.epochs)).filter(|bar| !bar.is_hidden());
    if bar.is_some() {
        println!(
            "training on {device:?}: {} images, {} epochs of batch {}",
            train_set.len(),
            args.epochs,
            args.batch_size
        );
    }
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
        progress: bar.clone().map(|bar| {
            OnProgress::new(move |p| match p {
                Progress::Batch { epoch, epochs, batch, batches } => {
                    bar.set_length(batches as u64);
                    bar.set_position(batch as u64);
                    bar.set_message(format!("epoch {epoch}/{epochs}"));
                }
                Progress::Epoch(e) => bar.println(format!(
                    "epoch {:>3}/{}  train {:.4}  val {:.4}  {:.2} s",
                    e.epoch, args.epochs, e.train_loss, e.val_loss, e.seconds
                )),
            })
        }),
        ..Default::default()
    };
    let history = if args.resume {
        resume(model.as_mut(), &train_set, &data.validation, &train_config)?
    } else {
        train(model.as_mut(), &train_set, &data.validation, &train_config)?
    };
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let mut table = Table::new(["epoch", "train_loss", "val_loss", "seconds"]);
    for e in &history.epochs {
        table.row([
            e.epoch.to_string(),
            format!("{:.6}", e.train_loss),
            format!("{:.6}", e.val_loss),
            format!("{:.3}", e.seconds),
        ])?;
    }
    table.save(args.out.join("history.csv"))?;
    let path = args.out.join("model.safetensors");
    model.save(&path)?;
    println!("test loss ({}): {:.4}", train_config.loss, evaluate(model.as_ref(), &data.test, train_config.loss)?);
    println!("wrote {} and {}", path.display(), args.out.join("history.csv").display());
    Ok(())
}

fn progress_bar(epochs: usize) -> indicatif::ProgressBar {
    let style =
        indicatif::ProgressStyle::with_template("{msg:>12} [{bar:40}] {pos}/{len} batches, {elapsed} (eta {eta})")
            .expect("a valid template")
            .progress_chars("=> ");
    indicatif::ProgressBar::new(0).with_style(style).with_message(format!("epoch 1/{epochs}"))
}

/// A [`ModelConfig`] from a `.json` or `.toml` file.
fn read_config(path: &Path) -> Result<ModelConfig, Box<dyn std::error::Error>> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read the config {}: {e}", path.display()))?;
    let config: ModelConfig = match path.extension().and_then(|e| e.to_str()) {
        Some("json") => serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?,
        Some("toml") => toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?,
        _ => return Err(format!("{}: give a .json or .toml file", path.display()).into()),
    };
    Ok(config)
}
