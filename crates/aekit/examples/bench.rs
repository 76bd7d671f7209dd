//! aekit's side of `make bench` (bench/run.py runs it beside bench/reference.py, the same work
//! in PyTorch): loads Fashion-MNIST, trains one model with the tutorial's settings, and prints
//! one `RESULT {json}` line with the load time, epoch times, final test loss and peak memory.
//!
//! `cargo run --release -p aekit --example bench -- [--model dense|conv] [--epochs N]
//!  [--threads N] [--bf16] [--load-only]` (the device: `$AEKIT_DEVICE`, else CUDA if present)

use std::time::Instant;

use aekit::prelude::*;

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let (mut model_kind, mut epochs, mut threads, mut bf16, mut load_only) =
        ("dense".to_string(), 3, None, false, false);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--model" => model_kind = args.next().ok_or("--model needs dense or conv")?,
            "--epochs" => epochs = args.next().and_then(|v| v.parse().ok()).ok_or("--epochs needs a whole number")?,
            "--threads" => threads = Some(args.next().and_then(|v| v.parse().ok()).ok_or("--threads needs a number")?),
            "--bf16" => bf16 = true,
            "--load-only" => load_only = true,
            _ => return Err(format!("unknown argument {arg:?}; see the doc comment of examples/bench.rs").into()),
        }
    }
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
        let mut model: Box<dyn Autoencoder> = match model_kind.as_str() {
            "dense" => Box::new(DenseAutoencoder::new(&DenseConfig::default(), device)?),
            "conv" => Box::new(ConvAutoencoder::new(&ConvConfig::default(), device)?),
            other => return Err(format!("unknown --model {other:?}; use dense or conv").into()),
        };
        let config =
            TrainConfig { epochs, device: Some(device), bf16_autocast: bf16, verbose: false, ..Default::default() };
        let history = train(model.as_mut(), &data.train, &data.validation, &config)?;
        let test_loss = evaluate(model.as_ref(), &data.test, config.loss)?;
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
