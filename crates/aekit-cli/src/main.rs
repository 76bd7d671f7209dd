//! `aekit`: the crate from scripts. Exit codes: 0 done, 1 an error (the message says what and
//! how to fix it), 2 a usage error (clap's convention).

mod progress;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use aekit::data::Source;
use aekit::eval::{auroc, encode_all, image_errors, psnr, reconstruction_error};
use aekit::frame::ToDataFrame;
use aekit::plot::{series_chart, series_reconstructions};
use aekit::prelude::*;
use anyhow::{bail, Context, Result};
use clap::builder::{PossibleValue, PossibleValuesParser};
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "aekit",
    version,
    about = "Autoencoders on any data (Fashion-MNIST, image folders, time series, tables), from the command line",
    after_help = examples()
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// The data to train or evaluate on (the forms are listed below); give each command on a
    /// model the source it was trained on.
    #[arg(long, global = true, default_value = "fashion-mnist")]
    data: Source,
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
  aekit train --data folder:photos --kind conv --out runs/photos
  aekit train --data ucr:GunPoint --kind conv --loss mse --epochs 300 --batch-size 16 --out runs/gun
  aekit anomaly runs/gun/model.safetensors --data ucr:GunPoint --normal-class 0

Data sources (--data; a model's input shape comes from the data it is trained on):
";

/// The examples, the data sources, and how progress shows.
fn examples() -> String {
    format!(
        "{EXAMPLES}{}\n\nIn a terminal, training shows a progress bar; otherwise (logs, pipes) one line per epoch.",
        Source::HELP
    )
}

#[derive(Subcommand)]
enum Command {
    /// Train a model on the training split; writes OUT/model.safetensors, OUT/history.csv and
    /// checkpoints in OUT/checkpoints (an interrupted run continues with --resume).
    Train(TrainArgs),
    /// Test-set metrics of a saved model, as a table.
    Eval { model: PathBuf },
    /// One test sample of each class above its reconstruction: a PNG grid of images, or a
    /// chart of series (PNG or SVG by OUT's extension).
    Reconstruct {
        model: PathBuf,
        #[arg(long, default_value = "reconstructions.png")]
        out: PathBuf,
    },
    /// New samples from a variational autoencoder's prior: a grid of images or a chart of series.
    Sample {
        model: PathBuf,
        #[arg(long, default_value_t = 32)]
        count: usize,
        #[arg(long, default_value = "samples.png")]
        out: PathBuf,
    },
    /// Scores every test sample by reconstruction error (MSE) into a CSV or Parquet file (by
    /// OUT's extension); with --normal-class, also the AUROC of telling that class from the rest.
    Anomaly {
        model: PathBuf,
        #[arg(long)]
        normal_class: Option<i64>,
        #[arg(long, default_value = "scores.csv")]
        out: PathBuf,
    },
    /// Writes the code of every test sample (index, label, z0, z1, ...) as CSV, or Parquet when
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
    /// Train on the first N training samples only (quick runs).
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
    let source = cli.data;
    match cli.command {
        Command::Train(args) => train_command(args, &source, device),
        Command::Eval { model } => {
            let (model, data) = model_and_data(&model, &source, device)?;
            let test = &data.test;
            let error = reconstruction_error(&model, test, None)?;
            let objective = format!("test {}", model.config().objective(ReconLoss::Bce));
            let mut table = Table::new(["metric", "value"]);
            table.row([Cell::from("model"), model.config().describe().into()])?;
            table.row([Cell::from("data"), source.to_string().into()])?;
            table.row([Cell::from("test samples"), test.len().into()])?;
            table.row([Cell::from(objective), Cell::float(evaluate(&model, test, ReconLoss::Bce)?, 4)])?;
            let unit = model.config().unit();
            table.row([Cell::from(format!("test BCE per {unit}")), Cell::float(error.bce, 4)])?;
            table.row([Cell::from(format!("test MSE per {unit}")), Cell::float(error.mse, 5)])?;
            // Summed per batch: no copy of all the reconstructions is kept.
            let sums =
                test.map_batches(device, |samples| Ok(psnr(&model.forward(samples)?, samples)?.sum(Kind::Double)))?;
            let db = sums.iter().map(|s| s.double_value(&[])).sum::<f64>() / test.len() as f64;
            table.row([Cell::from("mean PSNR (dB)"), Cell::float(db, 2)])?;
            print!("{}", table.to_markdown());
            Ok(())
        }
        Command::Reconstruct { model, out } => {
            let (model, data) = model_and_data(&model, &source, device)?;
            let sample = if data.test.is_labeled() { data.test.one_per_class()? } else { data.test.take(8) };
            picture(&sample, Some(&model.forward(&sample.samples)?), &out)?;
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
            picture(&Dataset::unlabeled(samples)?, None, &out)?;
            println!("wrote {}", out.display());
            Ok(())
        }
        Command::Anomaly { model, normal_class, out } => {
            let (model, data) = model_and_data(&model, &source, device)?;
            let classes = data.test.classes().to_vec();
            if let Some(class) = normal_class.filter(|&c| c < 0 || c as usize >= classes.len()) {
                bail!(
                    "--normal-class {class}: {source} has classes 0 to {} ({})",
                    classes.len().saturating_sub(1),
                    classes.join(", ")
                );
            }
            let scores = image_errors(&model, &data.test, ReconLoss::Mse)?;
            let mut table = Table::new(["index", "label", "score"]);
            let (values, labels) =
                (Vec::<f64>::try_from(scores.to_kind(Kind::Double))?, Vec::<i64>::try_from(&data.test.labels)?);
            for (i, (s, l)) in values.iter().zip(&labels).enumerate() {
                table.row([Cell::from(i), Cell::from(*l), Cell::float(*s, 6)])?;
            }
            save(&table, &out)?;
            println!("wrote {} ({} scores: reconstruction MSE per sample)", out.display(), labels.len());
            if let Some(class) = normal_class {
                let auc = auroc(&scores, &data.test.labels.ne(class))?;
                println!("AUROC, class {class} ({}) normal vs the rest: {auc:.4}", classes[class as usize]);
            }
            Ok(())
        }
        Command::Encode { model, out } => {
            let (model, data) = model_and_data(&model, &source, device)?;
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

/// A saved model and the data it is used on, checked to fit each other.
fn model_and_data(path: &Path, source: &Source, device: Device) -> Result<(Autoencoder, Splits)> {
    let model = Autoencoder::load(path, device)?;
    let data = source.load()?;
    let shape = data.test.sample_shape();
    if shape != model.input_shape() {
        bail!(
            "{} takes samples of shape {:?}, but --data {source} has {shape:?}: give the --data it was trained on",
            path.display(),
            model.input_shape()
        );
    }
    Ok((model, data))
}

/// Samples (and their reconstructions below them) drawn as what they are: a grid of images
/// `[C, H, W]`, or a chart of series `[1, L]`; saved to `out` in the format its name says.
fn picture(samples: &Dataset, reconstructions: Option<&Tensor>, out: &Path) -> Result<()> {
    match samples.sample_shape().as_slice() {
        [1 | 3, _, _] => match reconstructions {
            Some(r) => reconstruction_grid(samples, r)?.save(out)?,
            None => ImageGrid::tiles(&samples.samples, samples.len().min(8))?.render()?.save(out)?,
        },
        [1, _] => match reconstructions {
            Some(r) => series_reconstructions(samples, r)?.save(out)?,
            None => {
                let shown: Vec<(String, Tensor)> =
                    (0..samples.len().min(4) as i64).map(|i| (format!("sample {i}"), samples.samples.get(i))).collect();
                let named: Vec<(&str, &Tensor)> = shown.iter().map(|(n, t)| (n.as_str(), t)).collect();
                series_chart("Samples from the prior", &named)?.save(out)?
            }
        },
        shape => bail!("samples of shape {shape:?} are neither images nor single-channel series: use `aekit encode` or `aekit eval`"),
    }
    Ok(())
}

/// Writes a table as CSV, or Parquet when the path ends in `.parquet`.
fn save(table: &Table, path: &Path) -> Result<()> {
    Ok(aekit::frame::save(&table.to_dataframe()?, path)?)
}

fn train_command(args: TrainArgs, source: &Source, device: Device) -> Result<()> {
    let config = match &args.config {
        Some(path) => read_config(path)?,
        None => ModelConfig::preset(&args.kind, args.latent)?,
    };
    let data = source.load()?;
    let train_set = args.limit.map_or_else(|| data.train.clone(), |n| data.train.take(n));
    aekit::manual_seed(args.seed);
    // The data decides the input shape (a config file's `input` included).
    let mut model = Autoencoder::new(config.with_input(data.train.sample_shape()), device)?;
    println!("data: {source}: train {}, validation {}, test {}", data.train, data.validation.len(), data.test.len());
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
