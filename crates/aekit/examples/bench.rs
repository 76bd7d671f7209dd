//! aekit's side of `make bench` (bench/run.py runs it beside bench/reference.py, the same work
//! in PyTorch): loads Fashion-MNIST, trains one model with the tutorial's settings, and prints
//! one `RESULT {json}` line with the load time, epoch times, final test loss and peak memory.
//!
//! `cargo run --release -p aekit --example bench -- [--model dense|conv] [--epochs N]
//!  [--threads N] [--bf16] [--load-only]` (the device: `$AEKIT_DEVICE`, else CUDA if present)

use std::time::Instant;

use aekit::prelude::*;
use clap::Parser;

/// One timed training run, as a `RESULT {json}` line.
#[derive(Parser)]
struct Args {
    /// dense or conv.
    #[arg(long, default_value = "dense")]
    model: String,
    #[arg(long, default_value_t = 3)]
    epochs: usize,
    /// libtorch's intra-op threads (default: libtorch's choice).
    #[arg(long)]
    threads: Option<i32>,
    /// Forward passes under bf16 autocast.
    #[arg(long)]
    bf16: bool,
    /// Only time loading the data.
    #[arg(long)]
    load_only: bool,
}

fn main() -> anyhow::Result<()> {
    let Args { model: model_kind, epochs, threads, bf16, load_only } = Args::parse();
    if let Some(n) = threads {
        tch::set_num_threads(n);
    }
    let device = aekit::device()?;

    let start = Instant::now();
    let data = FashionMnist::load()?;
    let load_s = start.elapsed().as_secs_f64();
    let mut result = serde_json::json!({
        "impl": "aekit", "device": format!("{device:?}").to_lowercase(), "load_s": load_s,
        "threads": tch::get_num_threads(),
    });
    if !load_only {
        aekit::manual_seed(0);
        let mut model = match model_kind.as_str() {
            "dense" => Autoencoder::new(DenseConfig::default(), device)?,
            "conv" => Autoencoder::new(ConvConfig::default(), device)?,
            other => anyhow::bail!("unknown --model {other:?}; use dense or conv"),
        };
        let config =
            TrainConfig { epochs, device: Some(device), bf16_autocast: bf16, verbose: false, ..Default::default() };
        let history = train(&mut model, &data.train, &data.validation, &config)?;
        let test_loss = evaluate(&model, &data.test, config.loss)?;
        let epoch_s: Vec<f64> = history.epochs.iter().map(|e| e.seconds).collect();
        result["model"] = model_kind.into();
        result["bf16"] = bf16.into();
        result["epoch_s"] = epoch_s.into();
        result["test_loss"] = test_loss.into();
    }
    result["peak_rss_mb"] = peak_rss_mb().into();
    println!("RESULT {result}");
    Ok(())
}

/// The process's peak resident memory (VmHWM), in MiB.
fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok());
    kb.unwrap_or(f64::NAN) / 1024.0
}
