use aekit::models::Corruption;
use aekit::prelude::*;
use aekit::train::evaluate_denoising;
use aekit::Error;

use crate::common::real;

fn quick(epochs: usize) -> TrainConfig {
    TrainConfig { epochs, device: Some(Device::Cpu), verbose: false, ..Default::default() }
}

fn run(seed: u64) -> History {
    let data = real();
    manual_seed(3);
    let mut m = DenseAutoencoder::new(&DenseConfig::standard(16), Device::Cpu).unwrap();
    train(&mut m, &data.train.take(2048), &data.validation.take(512), &TrainConfig { seed, ..quick(2) }).unwrap()
}

#[test]
fn training_records_each_epoch_and_learns() {
    let history = run(5);
    assert_eq!(history.epochs.len(), 2);
    let first = &history.epochs[0];
    assert_eq!(first.epoch, 1);
    assert!(first.train_loss.is_finite() && first.val_loss.is_finite() && first.seconds > 0.0);
    assert_eq!(first.terms[0].0, "reconstruction");
    assert!(history.epochs[1].val_loss < first.val_loss, "{history}");
}

#[test]
fn seeded_runs_repeat_exactly_on_cpu() {
    let (a, b) = (run(9), run(9));
    assert_eq!(a.train_loss(), b.train_loss());
    assert_eq!(a.val_loss(), b.val_loss());
    assert_ne!(a.train_loss(), run(10).train_loss(), "another seed shuffles differently");
}

#[test]
fn bad_training_settings_are_rejected_before_training() {
    let data = real();
    let mut m = DenseAutoencoder::new(&DenseConfig::default(), Device::Cpu).unwrap();
    for (config, field) in [
        (TrainConfig { learning_rate: 0.0, ..quick(1) }, "learning_rate"),
        (TrainConfig { batch_size: 0, ..quick(1) }, "batch_size"),
        (TrainConfig { epochs: 0, ..quick(1) }, "epochs"),
    ] {
        let err = train(&mut m, &data.train, &data.validation, &config).unwrap_err();
        assert!(matches!(err, Error::Config { .. }) && err.to_string().contains(field), "{err}");
    }
    let scaled = Dataset::new(data.test.images.narrow(0, 0, 8) * 255.0, data.test.labels.narrow(0, 0, 8)).unwrap();
    let err = evaluate(&m, &scaled, ReconLoss::Bce).unwrap_err().to_string();
    assert!(err.contains("[0, 1]") && err.contains("255"), "{err}");
}

#[test]
fn evaluate_gives_the_mean_loss() {
    let m = DenseAutoencoder::new(&DenseConfig::default(), Device::Cpu).unwrap();
    let test = real().test.take(100);
    let whole = evaluate(&m, &test, ReconLoss::Mse).unwrap();
    let direct = m.forward(&test.images).unwrap().mse_loss(&test.images, tch::Reduction::Mean).double_value(&[]);
    assert!((whole - direct).abs() < 1e-6, "{whole} vs {direct}");
}

#[test]
fn corruptions_have_the_statistics_they_promise() {
    let grey = Tensor::full([64, 1, 28, 28], 0.5, (Kind::Float, Device::Cpu));
    let ones = Tensor::ones([64, 1, 28, 28], (Kind::Float, Device::Cpu));
    let mean = |t: &Tensor| t.mean(Kind::Float).double_value(&[]);
    let noise = Corruption::Gaussian { sigma: 0.1 }.apply_seeded(&grey, 1) - &grey;
    assert!(mean(&noise).abs() < 0.002 && (noise.std(true).double_value(&[]) - 0.1).abs() < 0.002);
    let masked = Corruption::Masking { fraction: 0.3 }.apply_seeded(&ones, 1);
    assert!((mean(&masked.eq(0.0).to_kind(Kind::Float)) - 0.3).abs() < 0.01);
    let sp = Corruption::SaltAndPepper { fraction: 0.2 }.apply_seeded(&grey, 1);
    assert!((mean(&sp.eq(0.0).to_kind(Kind::Float)) - 0.1).abs() < 0.01);
    assert!((mean(&sp.eq(1.0).to_kind(Kind::Float)) - 0.1).abs() < 0.01);
    let heavy = Corruption::Gaussian { sigma: 2.0 }.apply_seeded(&grey, 2);
    assert!(heavy.min().double_value(&[]) >= 0.0 && heavy.max().double_value(&[]) <= 1.0, "clamped to [0, 1]");
    let c = Corruption::Gaussian { sigma: 0.2 };
    assert!(c.apply_seeded(&grey, 5).equal(&c.apply_seeded(&grey, 5)), "seeded noise repeats");
    assert!(!c.apply_seeded(&grey, 5).equal(&c.apply_seeded(&grey, 6)));
    assert!(Corruption::Masking { fraction: 1.5 }.validate().is_err());
    assert!(Corruption::Gaussian { sigma: -1.0 }.validate().is_err());
}

#[test]
fn denoising_training_learns_to_remove_noise() {
    let data = real();
    manual_seed(4);
    let mut m = DenseAutoencoder::new(&DenseConfig::standard(64), Device::Cpu).unwrap();
    let noise = Corruption::Gaussian { sigma: 0.3 };
    let test = data.test.take(500);
    let before = evaluate_denoising(&m, &test, ReconLoss::Mse, &noise, 1).unwrap();
    let config = TrainConfig { corruption: Some(noise), ..quick(2) };
    let history = train(&mut m, &data.train.take(16384), &data.validation.take(500), &config).unwrap();
    let after = evaluate_denoising(&m, &test, ReconLoss::Mse, &noise, 1).unwrap();
    assert!(after < before * 0.5, "denoising MSE {before} -> {after}");
    assert_eq!(evaluate_denoising(&m, &test, ReconLoss::Mse, &noise, 1).unwrap(), after, "seeded evaluation repeats");
    assert!(history.epochs[1].val_loss < history.epochs[0].val_loss);
}
