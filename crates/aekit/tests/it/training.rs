use aekit::models::Corruption;
use aekit::prelude::*;
use aekit::train::Adam;
use aekit::Error;

use crate::common::{numbered, real, serial};

fn quick(epochs: usize) -> TrainConfig {
    TrainConfig { epochs, device: Some(Device::Cpu), verbose: false, ..Default::default() }
}

fn run(seed: u64) -> History {
    let data = real();
    manual_seed(3);
    let mut m = Autoencoder::new(DenseConfig::standard(16), Device::Cpu).unwrap();
    train(&mut m, &data.train.take(2048), &data.validation.take(512), &TrainConfig { seed, ..quick(2) }).unwrap()
}

#[test]
fn training_records_each_epoch_and_learns() {
    let _rng = serial();
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
    let _rng = serial();
    let (a, b) = (run(9), run(9));
    assert_eq!(a.train_loss(), b.train_loss());
    assert_eq!(a.val_loss(), b.val_loss());
    assert_ne!(a.train_loss(), run(10).train_loss(), "another seed shuffles differently");
}

#[test]
fn bad_training_settings_are_rejected_before_training() {
    let _rng = serial();
    let data = real();
    let mut m = Autoencoder::new(DenseConfig::default(), Device::Cpu).unwrap();
    for (config, field) in [
        (TrainConfig { learning_rate: 0.0, ..quick(1) }, "learning_rate"),
        (TrainConfig { batch_size: 0, ..quick(1) }, "batch_size"),
        (TrainConfig { epochs: 0, ..quick(1) }, "epochs"),
    ] {
        let err = train(&mut m, &data.train, &data.validation, &config).unwrap_err();
        assert!(matches!(err, Error::Config { .. }) && err.to_string().contains(field), "{err}");
    }
    let scaled = Dataset::new(data.test.samples.narrow(0, 0, 8) * 255.0, data.test.labels.narrow(0, 0, 8)).unwrap();
    let err = evaluate(&m, &scaled, ReconLoss::Bce).unwrap_err().to_string();
    assert!(err.contains("[0, 1]") && err.contains("255"), "{err}");
}

#[test]
fn evaluate_gives_the_mean_loss() {
    let _rng = serial();
    let m = Autoencoder::new(DenseConfig::default(), Device::Cpu).unwrap();
    let test = real().test.take(100);
    let whole = evaluate(&m, &test, ReconLoss::Mse).unwrap();
    let direct = m.forward(&test.samples).unwrap().mse_loss(&test.samples, tch::Reduction::Mean).double_value(&[]);
    assert!((whole - direct).abs() < 1e-6, "{whole} vs {direct}");
}

#[test]
fn corruptions_have_the_statistics_they_promise() {
    let _rng = serial();
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

/// A shift moves each image whole, by its own offset of at most `pixels` per axis, zeros
/// coming in; series move along time; 0 pixels is no change.
#[test]
fn a_shift_moves_each_sample_whole_within_its_bound() {
    let _rng = serial();
    let one_dot = |n: i64| {
        let x = Tensor::zeros([n, 1, 9, 9], (Kind::Float, Device::Cpu));
        let _ = x.narrow(2, 4, 1).narrow(3, 4, 1).fill_(1.0);
        x
    };
    let dots = one_dot(200);
    let moved = Corruption::Shift { pixels: 2 }.apply_seeded(&dots, 3);
    assert_eq!(moved.size(), [200, 1, 9, 9]);
    let (mut offsets, mut rows_seen) = (std::collections::HashSet::new(), std::collections::HashSet::new());
    for i in 0..200 {
        let image = moved.get(i).view([-1]);
        assert_eq!(image.sum(Kind::Float).double_value(&[]), 1.0, "image {i}: the dot moved whole");
        let at = image.argmax(0, false).int64_value(&[]);
        let (row, col) = (at / 9 - 4, at % 9 - 4);
        assert!(row.abs() <= 2 && col.abs() <= 2, "image {i}: moved by {row}, {col}");
        offsets.insert((row, col));
        rows_seen.insert(row);
    }
    assert_eq!(offsets.len(), 25, "every offset of ±2 on both axes occurs in 200 draws");
    assert_eq!(rows_seen.len(), 5);
    assert!(Corruption::Shift { pixels: 0 }.apply_seeded(&dots, 3).equal(&dots));
    let series = Tensor::arange(12, (Kind::Float, Device::Cpu)).view([1, 1, 12]) / 12.0;
    let late = Corruption::Shift { pixels: 3 }.apply_seeded(&series.repeat([50, 1, 1]), 4);
    let moved_by: std::collections::HashSet<i64> = (0..50)
        .map(|i| {
            let s = Vec::<f32>::try_from(late.get(i).view([-1])).unwrap();
            let j = s.iter().position(|&v| v > 5.5 / 12.0 && v < 6.5 / 12.0).map_or(99, |j| j as i64);
            j - 6
        })
        .collect();
    assert!(moved_by.iter().all(|d| d.abs() <= 3) && moved_by.len() == 7, "{moved_by:?}");
}

#[test]
fn denoising_training_learns_to_remove_noise() {
    let _rng = serial();
    let data = real();
    manual_seed(4);
    let mut m = Autoencoder::new(DenseConfig::standard(64), Device::Cpu).unwrap();
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

#[test]
fn adam_matches_libtorchs_adam() {
    let _rng = serial();
    use tch::nn::OptimizerConfig;
    let x = real().train.samples.narrow(0, 0, 128);
    let build = || {
        manual_seed(11);
        Autoencoder::new(DenseConfig::standard(16), Device::Cpu).unwrap()
    };
    let (ours, theirs) = (build(), build());
    let mut adam = Adam::new(ours.var_store(), 1e-3);
    let mut reference = tch::nn::Adam::default().build(theirs.var_store(), 1e-3).unwrap();
    for _ in 0..5 {
        adam.backward_step(&ours.losses(&x, &x, ReconLoss::Bce, true).total).unwrap();
        reference.backward_step(&theirs.losses(&x, &x, ReconLoss::Bce, true).total);
    }
    let (a, b) = (ours.var_store().variables(), theirs.var_store().variables());
    for (name, value) in &a {
        let diff = (value - &b[name]).abs().max().double_value(&[]);
        assert!(diff < 1e-6, "{name} differs by {diff}");
    }
}

#[test]
fn schedules_give_the_documented_rates() {
    let _rng = serial();
    assert_eq!(Schedule::Constant.rate(0.1, 7, 10), 0.1);
    let step = Schedule::Step { every: 2, factor: 0.5 };
    assert_eq!([1, 2, 3, 5].map(|e| step.rate(1.0, e, 10)), [1.0, 1.0, 0.5, 0.25]);
    let cosine = Schedule::Cosine { min: 0.0 };
    assert_eq!(cosine.rate(1.0, 1, 4), 1.0);
    assert!((cosine.rate(1.0, 3, 4) - 0.5).abs() < 1e-12);
    assert!(Schedule::Step { every: 0, factor: 0.5 }.validate().is_err());
}

fn small_run(epochs: usize, dir: &std::path::Path) -> TrainConfig {
    // A step schedule depends on the epoch alone, so a shorter run is the start of a longer one.
    TrainConfig {
        checkpoints: Some(Checkpoints::new(dir)),
        schedule: Schedule::Step { every: 1, factor: 0.7 },
        ..quick(epochs)
    }
}

#[test]
fn a_resumed_run_continues_exactly_where_it_stopped() {
    let _rng = serial();
    let data = real();
    let (train_set, val) = (data.train.take(2048), data.validation.take(256));
    let fresh = || {
        manual_seed(12);
        Autoencoder::new(DenseConfig { dropout: 0.1, ..DenseConfig::deep(16) }, Device::Cpu).unwrap()
    };
    let straight_dir = crate::common::tempdir();
    let mut straight = fresh();
    let full = train(&mut straight, &train_set, &val, &small_run(3, straight_dir.path())).unwrap();

    let dir = crate::common::tempdir();
    let mut first = fresh();
    train(&mut first, &train_set, &val, &small_run(2, dir.path())).unwrap();
    assert!(dir.path().join("checkpoint.safetensors").is_file() && dir.path().join("config.json").is_file());
    // A new process would start from a fresh model: resume restores weights, Adam and history.
    let mut resumed = fresh();
    let history = resume(&mut resumed, &train_set, &val, &small_run(3, dir.path())).unwrap();
    assert_eq!(history.train_loss(), full.train_loss());
    assert_eq!(history.val_loss(), full.val_loss());
    let x = val.samples.narrow(0, 0, 8);
    assert!(resumed.forward(&x).unwrap().equal(&straight.forward(&x).unwrap()), "same weights");

    // Resuming into another architecture names the problem.
    let mut other = Autoencoder::new(DenseConfig::standard(16), Device::Cpu).unwrap();
    let err = resume(&mut other, &train_set, &val, &small_run(3, dir.path())).unwrap_err().to_string();
    assert!(err.contains("checkpoint.safetensors") && err.contains("deep dense"), "{err}");
    let nowhere = crate::common::tempdir();
    assert!(resume(&mut fresh(), &train_set, &val, &small_run(3, nowhere.path())).is_err());
}

#[test]
fn early_stopping_stops_and_restores_the_best_epoch() {
    let _rng = serial();
    let data = real();
    let (train_set, val) = (data.train.take(2048), data.validation.take(256));
    manual_seed(13);
    let mut m = Autoencoder::new(DenseConfig::standard(16), Device::Cpu).unwrap();
    // Demanding an improvement of 10 nats per epoch: epoch 2 cannot, so training stops there.
    let stopping = EarlyStopping { patience: 1, min_delta: 10.0, restore_best: true };
    let history = train(&mut m, &train_set, &val, &TrainConfig { early_stopping: Some(stopping), ..quick(5) }).unwrap();
    assert_eq!(history.epochs.len(), 2);
    assert!(history.stopped_early);
    assert_eq!(history.best_epoch, Some(1));
    let now = evaluate(&m, &val, ReconLoss::Bce).unwrap();
    assert!(
        (now - history.epochs[0].val_loss).abs() < 1e-6,
        "weights of epoch 1 restored: {now} vs {}",
        history.epochs[0].val_loss
    );
    let bad = TrainConfig { early_stopping: Some(EarlyStopping { patience: 0, ..Default::default() }), ..quick(1) };
    assert!(train(&mut m, &train_set, &val, &bad).unwrap_err().to_string().contains("patience"));
}

/// Counts what a run told it.
#[derive(Default)]
struct Heard {
    starts: usize,
    batches: Vec<(usize, usize)>,
    epochs: Vec<usize>,
    ends: usize,
}

impl Observer for Heard {
    fn start(&mut self, run: &aekit::train::Start) {
        assert_eq!(run.batches, 2048 / 256);
        self.starts += 1;
    }
    fn batch(&mut self, at: &aekit::train::BatchDone) -> aekit::train::Flow {
        self.batches.push((at.epoch, at.batch));
        aekit::train::Flow::Continue(())
    }
    fn epoch(&mut self, epoch: &Epoch, _: usize) -> aekit::train::Flow {
        self.epochs.push(epoch.epoch);
        aekit::train::Flow::Continue(())
    }
    fn end(&mut self, _: &History) {
        self.ends += 1;
    }
}

#[test]
fn observers_hear_every_batch_and_epoch_and_a_rule_stops_the_run() {
    let _rng = serial();
    let data = real();
    let (train_set, val) = (data.train.take(2048), data.validation.take(256));
    let mut heard = Heard::default();
    manual_seed(14);
    let mut m = Autoencoder::new(DenseConfig::standard(8), Device::Cpu).unwrap();
    let dir = crate::common::tempdir();
    let config = TrainConfig { checkpoints: Some(Checkpoints::new(dir.path())), ..quick(5) };
    let history = Trainer::new(&config)
        .observe(&mut heard)
        .observe(StopWhen::epoch(|e| e.epoch == 2, "two epochs are enough"))
        .fit(&mut m, &train_set, &val)
        .unwrap();
    assert_eq!(history.epochs.len(), 2);
    assert!(history.stopped_early);
    assert_eq!(history.stop_reason.as_deref(), Some("two epochs are enough"));
    assert_eq!((heard.starts, heard.ends), (1, 1));
    assert_eq!(heard.epochs, [1, 2], "every observer hears the epoch that stopped the run");
    assert_eq!(heard.batches.len(), 2 * 8);
    assert_eq!(heard.batches[8], (2, 1));
    // The stop after an epoch is checkpointed: the run is over, resuming adds nothing.
    let saved = Checkpoints::new(dir.path()).history().unwrap();
    assert!(saved.stopped_early && saved.epochs.len() == 2);
}

#[test]
fn a_stop_after_a_batch_keeps_the_model_and_the_last_whole_epoch_resumes_exactly() {
    let _rng = serial();
    let data = real();
    let (train_set, val) = (data.train.take(2048), data.validation.take(256));
    let fresh = || {
        manual_seed(15);
        Autoencoder::new(DenseConfig::standard(8), Device::Cpu).unwrap()
    };
    let straight_dir = crate::common::tempdir();
    let mut straight = fresh();
    let full = train(&mut straight, &train_set, &val, &small_run(3, straight_dir.path())).unwrap();

    // An interrupt in the middle of epoch 2 (as the kernel's will be): the model keeps what
    // the batches so far taught it; the history and the checkpoint end at epoch 1.
    let dir = crate::common::tempdir();
    let mut model = fresh();
    let after_epoch_1 = {
        let mut m = fresh();
        train(&mut m, &train_set, &val, &small_run(1, crate::common::tempdir().path())).unwrap();
        m
    };
    let interrupted = Trainer::new(&small_run(3, dir.path()))
        .observe(StopWhen::batch(|b| b.epoch == 2 && b.batch == 3, "interrupted"))
        .fit(&mut model, &train_set, &val)
        .unwrap();
    assert_eq!((interrupted.epochs.len(), interrupted.stop_reason.as_deref()), (1, Some("interrupted")));
    let x = val.samples.narrow(0, 0, 8);
    let moved = (model.forward(&x).unwrap() - after_epoch_1.forward(&x).unwrap()).abs().max().double_value(&[]);
    assert!(moved > 0.0, "three batches of epoch 2 changed the weights");
    assert_eq!(Checkpoints::new(dir.path()).history().unwrap().epochs.len(), 1);
    // Resuming starts again from the end of epoch 1 and ends where an uninterrupted run ends.
    let mut resumed = fresh();
    let history = resume(&mut resumed, &train_set, &val, &small_run(3, dir.path())).unwrap();
    assert_eq!(history.val_loss(), full.val_loss());
    assert!(resumed.forward(&x).unwrap().equal(&straight.forward(&x).unwrap()));
}

#[test]
fn reconstruction_error_matches_a_direct_computation() {
    let _rng = serial();
    let test = real().test.take(300);
    manual_seed(14);
    let m = Autoencoder::new(DenseConfig::standard(8), Device::Cpu).unwrap();
    let r = aekit::eval::reconstruction_error(&m, &test, None).unwrap();
    let out = m.forward(&test.samples).unwrap();
    let mse = out.mse_loss(&test.samples, tch::Reduction::Mean).double_value(&[]);
    let bce = out.binary_cross_entropy::<Tensor>(&test.samples, None, tch::Reduction::Mean).double_value(&[]);
    assert!((r.mse - mse).abs() < 1e-6 && (r.bce - bce).abs() < 1e-5, "{r:?} vs {mse} {bce}");
    let noise = Corruption::Gaussian { sigma: 0.3 };
    let noisy = aekit::eval::reconstruction_error(&m, &test, Some((&noise, 1))).unwrap();
    assert_eq!(noisy, aekit::eval::reconstruction_error(&m, &test, Some((&noise, 1))).unwrap(), "seeded");
    assert!(noisy.mse > r.mse, "noise makes reconstruction worse");
}

#[test]
fn divergence_names_epoch_and_batch_and_keeps_the_last_good_state() {
    let _rng = serial();
    let data = real();
    let (train_set, val) = (data.train.take(1024), data.validation.take(128));
    // A learning rate far too large: the variance head overflows after the first step.
    manual_seed(5);
    let mut vae =
        Autoencoder::new(VaeConfig { latent: 4, hidden: vec![32], ..Default::default() }, Device::Cpu).unwrap();
    let before = vae.forward(&val.samples).unwrap();
    let config = TrainConfig { learning_rate: 1e9, batch_size: 64, ..quick(1) };
    match train(&mut vae, &train_set, &val, &config).unwrap_err() {
        aekit::Error::Diverged { epoch, batch, checkpoint, .. } => {
            assert_eq!(epoch, 1);
            assert!((2..=16).contains(&batch), "batch {batch}");
            assert!(checkpoint.is_none());
        }
        other => panic!("expected divergence, got {other}"),
    }
    assert!(vae.forward(&val.samples).unwrap().equal(&before), "weights put back as before the epoch");

    // With checkpoints: two good epochs are saved; the third diverges and the file keeps epoch 2.
    let dir = crate::common::tempdir();
    manual_seed(5);
    let mut vae =
        Autoencoder::new(VaeConfig { latent: 4, hidden: vec![32], ..Default::default() }, Device::Cpu).unwrap();
    let good = TrainConfig { batch_size: 64, checkpoints: Some(Checkpoints::new(dir.path())), ..quick(2) };
    train(&mut vae, &train_set, &val, &good).unwrap();
    let file = dir.path().join("checkpoint.safetensors");
    let saved = std::fs::read(&file).unwrap();
    let wild = TrainConfig { epochs: 3, learning_rate: 1e9, ..good.clone() };
    let err = resume(&mut vae, &train_set, &val, &wild).unwrap_err();
    assert!(matches!(&err, aekit::Error::Diverged { epoch: 3, checkpoint: Some(p), .. } if *p == file), "{err}");
    let text = err.to_string();
    assert!(text.contains("epoch 3, batch") && text.contains("lower the learning rate"), "{text}");
    assert_eq!(std::fs::read(&file).unwrap(), saved, "the last good checkpoint is untouched");
}

#[test]
fn non_finite_images_are_rejected_before_training() {
    let data = real();
    let images = data.train.take(64).samples.copy();
    let _ = images.get(3).get(0).get(5).get(5).fill_(f64::NAN);
    let bad = Dataset::new(images, data.train.take(64).labels).unwrap();
    let mut model = Autoencoder::new(DenseConfig::standard(8), Device::Cpu).unwrap();
    let config = TrainConfig { loss: ReconLoss::Mse, ..quick(1) };
    let err = train(&mut model, &bad, &data.validation.take(32), &config).unwrap_err().to_string();
    assert!(err.contains("training set") && err.contains("1 value(s) are NaN"), "{err}");
}

/// The run that `a_run_killed_mid_epoch_resumes_exactly` kills: data, model and settings.
fn killable(dir: &std::path::Path, epochs: usize) -> (Dataset, Dataset, Autoencoder, TrainConfig) {
    let data = real();
    manual_seed(21);
    let model = Autoencoder::new(DenseConfig::standard(32), Device::Cpu).unwrap();
    let config = TrainConfig { batch_size: 32, ..small_run(epochs, dir) };
    (data.train.take(4096), data.validation.take(256), model, config)
}

#[test]
#[ignore = "the child process of a_run_killed_mid_epoch_resumes_exactly, which sets AEKIT_KILL_DIR"]
fn child_trains_until_killed() {
    let Ok(dir) = std::env::var("AEKIT_KILL_DIR") else { return };
    let (train_set, val, mut model, config) = killable(dir.as_ref(), 1000);
    train(&mut model, &train_set, &val, &config).unwrap();
}

/// Model and optimizer tensors of a training checkpoint, by name, as raw bytes.
fn saved_tensors(file: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let bytes = std::fs::read(file).unwrap();
    let st = safetensors::SafeTensors::deserialize(&bytes).unwrap();
    let mut tensors: Vec<(String, Vec<u8>)> = st.tensors().into_iter().map(|(n, v)| (n, v.data().to_vec())).collect();
    tensors.sort();
    tensors
}

#[test]
fn a_run_killed_mid_epoch_resumes_exactly() {
    let killed = crate::common::tempdir();
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["training::child_trains_until_killed", "--exact", "--ignored", "--nocapture", "--test-threads=1"])
        .env("AEKIT_KILL_DIR", killed.path())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let checkpoints = Checkpoints::new(killed.path());
    let start = std::time::Instant::now();
    let saved = loop {
        if let Ok(h) = checkpoints.history() {
            if h.epochs.len() >= 2 {
                break h;
            }
        }
        assert!(start.elapsed().as_secs() < 300, "the child saved no second checkpoint within 5 minutes");
        assert!(child.try_wait().unwrap().is_none(), "the child exited early");
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    // Into the middle of the next epoch, then SIGKILL: no chance to clean up.
    std::thread::sleep(std::time::Duration::from_secs_f64(saved.last().unwrap().seconds * 0.4));
    child.kill().unwrap();
    child.wait().unwrap();

    let _rng = serial();
    let completed = checkpoints.history().expect("the last checkpoint survives the kill intact").epochs.len();
    assert!(completed >= 2);
    let leftovers: Vec<_> = std::fs::read_dir(killed.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(leftovers.len(), 2, "only the checkpoint and config.json, no temp files: {leftovers:?}");

    // The same run, uninterrupted, to the same epoch: identical bits.
    let reference = crate::common::tempdir();
    let (train_set, val, mut model, config) = killable(reference.path(), completed);
    train(&mut model, &train_set, &val, &config).unwrap();
    let file = |dir: &tempfile::TempDir| dir.path().join("checkpoint.safetensors");
    assert_eq!(saved_tensors(&file(&killed)), saved_tensors(&file(&reference)), "weights and optimizer state");

    // Resuming the killed run goes on from its completed epochs, as the uninterrupted one does.
    let (_, _, mut resumed, config) = killable(killed.path(), completed + 1);
    let history = resume(&mut resumed, &train_set, &val, &config).unwrap();
    assert_eq!(history.epochs.len(), completed + 1);
    resume(&mut model, &train_set, &val, &killable(reference.path(), completed + 1).3).unwrap();
    assert_eq!(saved_tensors(&file(&killed)), saved_tensors(&file(&reference)));
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

#[test]
fn each_run_gets_a_folder_when_it_starts_and_only_prune_removes_any() {
    let _rng = serial();
    let root = crate::common::tempdir();
    let config = TrainConfig { checkpoints: Some(Checkpoints::per_run(root.path())), ..quick(1) };
    assert_eq!(std::fs::read_dir(root.path()).unwrap().count(), 0, "a config touches no disk");
    let data = numbered(64);
    for _ in 0..2 {
        let mut model = Autoencoder::new(DenseConfig::standard(4), Device::Cpu).unwrap();
        train(&mut model, &data, &data.take(16), &config).unwrap();
    }
    let ours: Vec<_> = std::fs::read_dir(root.path()).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(ours.len(), 2, "each training run gets a folder of its own: {ours:?}");
    let err = resume(&mut Autoencoder::new(DenseConfig::standard(4), Device::Cpu).unwrap(), &data, &data, &config);
    assert!(err.unwrap_err().to_string().contains("run's own folder"));

    // Runs of another process (pid 0): three finished, one killed in its first epoch (no
    // checkpoint), one written by an older aekit (finished or not, it cannot tell).
    let foreign = |n: usize| root.path().join(format!("run-{n:011}-0000000-0000"));
    for n in 1..=3 {
        copy_dir(&ours[0], &foreign(n));
    }
    std::fs::create_dir_all(foreign(4)).unwrap();
    copy_dir(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ca23e63/run"), &foreign(0));
    std::fs::create_dir_all(root.path().join("mine")).unwrap();

    let removed = Checkpoints::prune(root.path(), 1).unwrap();
    assert_eq!(removed, [foreign(1), foreign(2)], "the oldest finished runs of other processes go");
    for kept in [foreign(0), foreign(3), foreign(4), root.path().join("mine"), ours[0].clone(), ours[1].clone()] {
        assert!(kept.exists(), "{} must stay", kept.display());
    }
    assert!(Checkpoints::prune(root.path().join("nothing-here"), 0).unwrap().is_empty());
}
