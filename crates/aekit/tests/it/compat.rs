//! Files written by the code at ca23e63 (before the model and training layers were rebuilt)
//! still load, give the outputs they gave then, and a run checkpointed then resumes.

use std::path::PathBuf;

use aekit::prelude::*;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ca23e63").join(name)
}

fn expected(name: &str) -> Tensor {
    let tensors = Tensor::read_safetensors(fixture("expected-outputs.safetensors")).unwrap();
    tensors.into_iter().find(|(n, _)| n == name).unwrap_or_else(|| panic!("no {name} in the fixture")).1
}

fn gap(a: &Tensor, b: &Tensor) -> f64 {
    (a - b).abs().max().double_value(&[])
}

/// The fixture's data: pixels from a formula, the same on every machine.
fn images(n: i64, offset: i64) -> Tensor {
    let v: Vec<f32> = (0..n * 784)
        .map(|k| {
            let (i, p) = (k / 784 + offset, k % 784);
            (((i * 7 + p * 13 + (p / 28) * (i % 5)) % 256) as f32) / 255.0
        })
        .collect();
    Tensor::from_slice(&v).view([n, 1, 28, 28])
}

#[test]
fn models_of_every_kind_load_and_give_the_same_outputs() {
    let input = expected("input");
    for kind in ["dense", "conv", "sparse", "vae", "conv-vae"] {
        let model = Autoencoder::load(fixture(&format!("{kind}.safetensors")), Device::Cpu).unwrap();
        assert_eq!(model.input_shape(), [1, 28, 28], "{kind}: a file from before input shapes holds Fashion-MNIST's");
        assert!(gap(&model.forward(&input).unwrap(), &expected(&format!("{kind}.forward"))) < 1e-6, "{kind}");
        assert!(gap(&model.encode(&input).unwrap(), &expected(&format!("{kind}.encode"))) < 1e-6, "{kind}");
    }
    let encoder = Encoder::load(fixture("dense-encoder.safetensors"), Device::Cpu).unwrap();
    let decoder = Decoder::load(fixture("dense-decoder.safetensors"), Device::Cpu).unwrap();
    let rebuilt = decoder.decode(&encoder.encode(&input).unwrap()).unwrap();
    assert!(gap(&rebuilt, &expected("dense.forward")) < 1e-6);
}

#[test]
fn a_run_checkpointed_then_resumes_to_the_same_end() {
    let _rng = crate::common::serial();
    let dir = crate::common::tempdir();
    for file in ["checkpoint.safetensors", "config.json"] {
        std::fs::copy(fixture("run").join(file), dir.path().join(file)).unwrap();
    }
    let checkpoints = Checkpoints::new(dir.path());
    assert_eq!(checkpoints.history().unwrap().epochs.len(), 2, "the old run stopped after 2 epochs");
    let labels = |n| Tensor::arange(n, (Kind::Int64, Device::Cpu)).remainder(10);
    let train_set = Dataset::new(images(64, 0), labels(64)).unwrap();
    let val = Dataset::new(images(32, 100), labels(32)).unwrap();
    let config = TrainConfig {
        epochs: 4,
        batch_size: 16,
        seed: 7,
        device: Some(Device::Cpu),
        verbose: false,
        early_stopping: Some(EarlyStopping { patience: 5, min_delta: 0.0, restore_best: true }),
        schedule: Schedule::Constant,
        checkpoints: Some(checkpoints),
        ..Default::default()
    };
    let mut model = Autoencoder::new(DenseConfig::standard(4), Device::Cpu).unwrap();
    let history = resume(&mut model, &train_set, &val, &config).unwrap();
    // The old code's uninterrupted run: the same losses and weights (to float rounding, as
    // this machine's kernels may differ from the one that wrote the fixture).
    let old: Vec<f64> =
        serde_json::from_str(&std::fs::read_to_string(fixture("dense-after-4-epochs.history.json")).unwrap()).unwrap();
    assert_eq!(history.epochs.len(), 4);
    for (ours, theirs) in history.val_loss().iter().zip(&old) {
        assert!((ours - theirs).abs() < 1e-6, "validation loss {ours} vs {theirs}");
    }
    let full = Autoencoder::load(fixture("dense-after-4-epochs.safetensors"), Device::Cpu).unwrap();
    let input = expected("input");
    assert!(gap(&model.forward(&input).unwrap(), &full.forward(&input).unwrap()) < 1e-5);
}
