//! CUDA: everything that works on the CPU, on a GPU. These tests are `#[ignore]`d, so CPU runs
//! never count them as passed; on a GPU machine run them with
//! `cargo test --release -p aekit --test it cuda:: -- --ignored` (or the GPU bundle's run.sh).
//! They fail, rather than skip, when no GPU is found. `AEKIT_CUDA_TESTS_ON_CPU=1` runs them on
//! the CPU instead, to check the tests themselves before spending GPU time.

use aekit::eval::{
    auroc, encode_all, image_errors, kmeans, knn_predict, linear_probe, nmi, AnomalyDetector, Pca, ProbeConfig,
};
use aekit::models::{ModelConfig, VaeConfig};
use aekit::prelude::*;

use crate::common::{real, serial, tempdir};

fn gpu() -> Device {
    if std::env::var_os("AEKIT_CUDA_TESTS_ON_CPU").is_some() {
        return Device::Cpu;
    }
    let device = aekit::parse_device("cuda").unwrap_or_else(|e| panic!("CUDA tests need a GPU: {e}"));
    assert!(tch::Cuda::is_available(), "tch must see CUDA once aekit loaded it");
    device
}

fn quick(device: Device) -> TrainConfig {
    TrainConfig { epochs: 2, device: Some(device), verbose: false, ..Default::default() }
}

fn kinds() -> Vec<ModelConfig> {
    vec![
        DenseConfig::standard(32).into(),
        DenseConfig::deep(32).into(),
        ConvConfig::default().into(),
        SparseConfig::default().into(),
        VaeConfig::default().into(),
        VaeConfig::conv(16).into(),
    ]
}

#[test]
#[ignore = "needs a CUDA GPU"]
fn cuda_is_found_and_chosen_by_default() {
    let device = gpu();
    if std::env::var_os("AEKIT_DEVICE").is_none() {
        assert_eq!(aekit::device().unwrap(), device);
    }
    assert!(aekit::parse_device("cuda:99").is_err(), "a GPU that is not there is refused");
}

#[test]
#[ignore = "needs a CUDA GPU"]
fn every_kind_trains_on_cuda_and_learns() {
    let _rng = serial();
    let device = gpu();
    let data = real();
    let (train_set, val) = (data.train.take(4096), data.validation.take(1024));
    for config in kinds() {
        manual_seed(1);
        let mut model = Autoencoder::new(config.clone(), device).unwrap();
        let history = train(&mut model, &train_set, &val, &quick(device)).unwrap();
        let (first, last) = (&history.epochs[0], &history.epochs[1]);
        assert!(last.val_loss.is_finite() && last.val_loss < first.val_loss, "{}: {history}", config.describe());
        assert_eq!(model.device(), device);
        let test = evaluate(&model, &data.test.take(1024), ReconLoss::Bce).unwrap();
        assert!(test.is_finite());
    }
}

#[test]
#[ignore = "needs a CUDA GPU"]
fn denoising_and_evaluation_on_cuda() {
    let _rng = serial();
    let device = gpu();
    let data = real();
    manual_seed(2);
    let mut model = Autoencoder::new(ConvConfig::default(), device).unwrap();
    let noise = Corruption::Gaussian { sigma: 0.2 };
    let test = data.test.take(2000);
    let before = evaluate_denoising(&model, &test, ReconLoss::Mse, &noise, 0).unwrap();
    let config = TrainConfig { corruption: Some(noise), ..quick(device) };
    train(&mut model, &data.train.take(4096), &data.validation.take(1024), &config).unwrap();
    let after = evaluate_denoising(&model, &test, ReconLoss::Mse, &noise, 0).unwrap();
    assert!(after < before, "denoising MSE {before} before training, {after} after");

    // Evaluation helpers take the model's device and hand back tensors that work on the CPU.
    let codes = encode_all(&model, &test).unwrap();
    assert_eq!(codes.size(), [2000, 64]);
    let errors = image_errors(&model, &test, ReconLoss::Mse).unwrap();
    assert_eq!(errors.size(), [2000]);
    let pca = Pca::fit(&codes.to_device(device), 2).unwrap();
    assert_eq!(pca.transform(&codes.to_device(device)).unwrap().size(), [2000, 2]);
    let codes = codes.to_device(Device::Cpu);
    let predicted =
        knn_predict(&codes.narrow(0, 0, 1000), &test.labels.narrow(0, 0, 1000), &codes.narrow(0, 1000, 1000), 5)
            .unwrap();
    assert_eq!(predicted.size(), [1000]);

    // Figures from tensors on the GPU.
    let sample = test.one_per_class().unwrap();
    let rebuilt = model.forward(&sample.samples.to_device(device)).unwrap();
    assert_eq!(rebuilt.device(), device);
    let grid = reconstruction_grid(&sample, &rebuilt).unwrap();
    assert_eq!((grid.width > 0, grid.bytes.len() > 1000), (true, true));
}

#[test]
#[ignore = "needs a CUDA GPU"]
fn generation_probes_and_anomaly_scores_on_cuda() {
    let _rng = serial();
    let device = gpu();
    let data = real();
    manual_seed(6);
    let mut vae = Autoencoder::new(VaeConfig { latent: 2, ..Default::default() }, device).unwrap();
    train(&mut vae, &data.train.take(4096), &data.validation.take(512), &quick(device)).unwrap();
    assert_eq!(vae.sample(8).unwrap().size(), [8, 1, 28, 28]);
    let pair = data.test.take(2).samples.to_device(device);
    assert_eq!(vae.interpolate(&pair.narrow(0, 0, 1), &pair.narrow(0, 1, 1), 5).unwrap().size(), [5, 1, 28, 28]);
    assert_eq!(vae.manifold(4).unwrap().size(), [16, 1, 28, 28]);

    let (train_set, test) = (data.train.take(3000), data.test.take(1000));
    let codes = encode_all(&vae, &train_set).unwrap().to_device(device);
    let test_codes = encode_all(&vae, &test).unwrap().to_device(device);
    let probe = linear_probe(&codes, &train_set.labels, &test_codes, &test.labels, &ProbeConfig::default()).unwrap();
    // Ten classes are not linearly separable in 2-D: twice chance is what to expect quickly.
    assert!(probe.test_accuracy > 0.2, "the probe does better than chance: {probe:?}");
    let clusters = kmeans(&codes, 10, 2, 0).unwrap();
    assert!(nmi(&clusters.labels, &train_set.labels).unwrap() > 0.1);

    let normal = data.train.of_class(0).unwrap();
    let detector = AnomalyDetector::fit(vae, &normal.take(1000), &normal.range(1000, 1200)).unwrap();
    let scores = detector.scores(&test).unwrap();
    let anomalous = test.labels.ne(0);
    let auc = auroc(&scores.combined, &anomalous).unwrap();
    assert!(auc > 0.6, "class 0 against the rest, AUROC {auc}");
}

#[test]
#[ignore = "needs a CUDA GPU"]
fn checkpoints_move_between_gpu_and_cpu() {
    let _rng = serial();
    let device = gpu();
    let dir = tempdir();
    let images = real().test.take(64).samples;
    for config in kinds() {
        manual_seed(3);
        let on_gpu = Autoencoder::new(config.clone(), device).unwrap();
        let path = dir.path().join("gpu.safetensors");
        on_gpu.save(&path).unwrap();
        let on_cpu = Autoencoder::load(&path, Device::Cpu).unwrap();
        let (a, b) = (on_gpu.forward(&images.to_device(device)).unwrap(), on_cpu.forward(&images).unwrap());
        let gap = (a.to_device(Device::Cpu) - b).abs().max().double_value(&[]);
        assert!(gap < 1e-4, "{}: GPU and CPU outputs differ by {gap}", config.describe());
        // Inputs on the CPU go to the model's device: the same outputs, on the GPU.
        let moved = on_gpu.forward(&images).unwrap();
        assert!(moved.device() == device && moved.equal(&a), "{}: input moved", config.describe());

        let path = dir.path().join("cpu.safetensors");
        on_cpu.save(&path).unwrap();
        let back = Autoencoder::load(&path, device).unwrap();
        assert_eq!(back.device(), device);
        let gap = (back.forward(&images.to_device(device)).unwrap() - a).abs().max().double_value(&[]);
        assert!(gap < 1e-6, "{}: CPU → GPU round trip changed outputs by {gap}", config.describe());
    }
}

#[test]
#[ignore = "needs a CUDA GPU"]
fn training_resumes_on_cuda_from_a_checkpoint() {
    let _rng = serial();
    let device = gpu();
    let data = real();
    let dir = tempdir();
    let (train_set, val) = (data.train.take(4096), data.validation.take(1024));
    let config = |epochs| TrainConfig { epochs, checkpoints: Some(Checkpoints::new(dir.path())), ..quick(device) };
    manual_seed(4);
    let mut model = Autoencoder::new(DenseConfig::standard(32), device).unwrap();
    train(&mut model, &train_set, &val, &config(1)).unwrap();
    let mut model = Autoencoder::new(DenseConfig::standard(32), device).unwrap();
    let history = resume(&mut model, &train_set, &val, &config(3)).unwrap();
    assert_eq!(history.epochs.len(), 3);
    assert!(history.epochs[2].val_loss < history.epochs[0].val_loss, "{history}");
}

#[test]
#[ignore = "needs a CUDA GPU"]
fn bf16_autocast_trains_close_to_f32() {
    let _rng = serial();
    let device = gpu();
    let data = real();
    let (train_set, val) = (data.train.take(8192), data.validation.take(1024));
    let mut losses = Vec::new();
    for bf16 in [false, true] {
        manual_seed(5);
        let mut model = Autoencoder::new(ConvConfig::default(), device).unwrap();
        let config = TrainConfig { bf16_autocast: bf16, ..quick(device) };
        let history = train(&mut model, &train_set, &val, &config).unwrap();
        losses.push(history.last().unwrap().val_loss);
    }
    let (f32_loss, bf16_loss) = (losses[0], losses[1]);
    assert!((bf16_loss - f32_loss).abs() / f32_loss < 0.05, "f32 {f32_loss:.4} vs bf16 {bf16_loss:.4}");
    // Autocast ends with the call: later work runs in f32 again.
    let x = Tensor::ones([4, 4], (Kind::Float, device));
    assert_eq!(x.matmul(&x).kind(), Kind::Float);
    let inside = aekit::bf16_autocast(device, || x.matmul(&x).kind());
    assert_eq!(inside, Kind::BFloat16);
    assert_eq!(x.matmul(&x).kind(), Kind::Float);
}
