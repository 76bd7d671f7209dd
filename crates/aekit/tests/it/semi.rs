use std::collections::BTreeMap;

use aekit::eval::{accuracy, pick_per_class, surest_labels};
use aekit::models::{Autoencoder, ConvConfig, SemiSupervisedConfig};
use aekit::prelude::*;

use crate::common::{real, serial};

#[test]
fn a_semi_supervised_model_codes_and_classifies() {
    let _rng = serial();
    manual_seed(0);
    let model = Autoencoder::new(SemiSupervisedConfig::new(10), Device::Cpu).unwrap();
    let x = Tensor::rand([5, 1, 28, 28], (Kind::Float, Device::Cpu));
    assert_eq!(model.encode(&x).unwrap().size(), [5, 128]);
    assert_eq!(model.forward(&x).unwrap().size(), [5, 1, 28, 28]);
    let p = model.class_probabilities(&x).unwrap();
    assert_eq!(p.size(), [5, 10]);
    assert!((p.sum_dim_intlist(1, false, Kind::Float) - 1.0).abs().max().double_value(&[]) < 1e-5);
    assert!(model.classify(&x).unwrap().equal(&p.argmax(1, false)));
    assert!(model.config().describe().contains("classifier of 10 classes"), "{}", model.config().describe());
    // Saved and loaded with its classifier.
    let dir = crate::common::tempdir();
    model.save(dir.path().join("semi.safetensors")).unwrap();
    let again = Autoencoder::load(dir.path().join("semi.safetensors"), Device::Cpu).unwrap();
    assert!(again.class_probabilities(&x).unwrap().allclose(&p, 1e-6, 1e-6, false));
}

#[test]
fn semi_supervised_configs_and_calls_are_checked() {
    let _rng = serial();
    let no_code = SemiSupervisedConfig {
        body: ConvConfig { latent: None, ..Default::default() },
        ..SemiSupervisedConfig::new(10)
    };
    let e = Autoencoder::new(no_code, Device::Cpu).unwrap_err().to_string();
    assert!(e.contains("body.latent"), "{e}");
    let e = Autoencoder::new(SemiSupervisedConfig::new(1), Device::Cpu).unwrap_err().to_string();
    assert!(e.contains("classes") && e.contains("at least 2"), "{e}");
    let e =
        Autoencoder::new(SemiSupervisedConfig { classification: -1.0, ..SemiSupervisedConfig::new(3) }, Device::Cpu)
            .unwrap_err()
            .to_string();
    assert!(e.contains("classification"), "{e}");
    let dense = Autoencoder::new(DenseConfig::standard(8), Device::Cpu).unwrap();
    let e = dense.classify(&Tensor::rand([1, 1, 28, 28], (Kind::Float, Device::Cpu))).unwrap_err().to_string();
    assert!(e.contains("SemiSupervisedConfig"), "{e}");
}

#[test]
fn hidden_labels_teach_nothing_and_known_ones_are_copied() {
    let _rng = serial();
    let data = Dataset::new(
        Tensor::rand([8, 1, 28, 28], (Kind::Float, Device::Cpu)),
        Tensor::from_slice(&[0i64, 1, 2, 0, 1, 2, 0, 1]),
    )
    .unwrap();
    let semi = data.semi_supervised(&Tensor::from_slice(&[1i64, 2]), 3).unwrap();
    assert_eq!(semi.len(), 8 + 6);
    assert_eq!(Vec::<i64>::try_from(&semi.labels).unwrap(), [-1, 1, 2, -1, -1, -1, -1, -1, 1, 2, 1, 2, 1, 2]);
    assert!(semi.samples.narrow(0, 8, 1).equal(&data.samples.narrow(0, 1, 1)));
    let e = data.semi_supervised(&Tensor::from_slice(&[8i64]), 1).unwrap_err().to_string();
    assert!(e.contains("outside 0..8"), "{e}");
    let e = Dataset::unlabeled(data.samples.shallow_clone()).unwrap().semi_supervised(&Tensor::from_slice(&[0i64]), 1);
    assert!(e.unwrap_err().to_string().contains("no labels"));

    manual_seed(0);
    let model = Autoencoder::new(SemiSupervisedConfig::new(3), Device::Cpu).unwrap();
    let hidden = Tensor::full([8], -1, (Kind::Int64, Device::Cpu));
    let losses = model.labelled_losses(&data.samples, &data.samples, &hidden, ReconLoss::Bce, false);
    let term = |name: &str| losses.terms.iter().find(|(n, _)| *n == name).unwrap().1.double_value(&[]);
    assert_eq!(term("classification"), 0.0, "no known label, no classification loss");
    assert!((losses.total.double_value(&[]) - term("reconstruction")).abs() < 1e-7);
    let known = model.labelled_losses(&data.samples, &data.samples, &data.labels, ReconLoss::Bce, false);
    assert!(known.terms[1].1.double_value(&[]) > 0.5, "cross-entropy of an untrained classifier ≈ ln 3");
}

#[test]
fn real_data_few_labels_train_the_classifier_through_the_code() {
    let _rng = serial();
    let data = real();
    let train_set = data.train.take(6000);
    let known = pick_per_class(&train_set.labels, 10, 0).unwrap();
    let semi = train_set.semi_supervised(&known, 20).unwrap();
    manual_seed(0);
    let mut model = Autoencoder::new(SemiSupervisedConfig::new(10), Device::Cpu).unwrap();
    let config = TrainConfig {
        epochs: 3,
        batch_size: 128,
        device: Some(Device::Cpu),
        verbose: false,
        checkpoints: None,
        ..Default::default()
    };
    let history = train(&mut model, &semi, &data.validation.take(500), &config).unwrap();
    let classification: Vec<f64> =
        history.epochs.iter().map(|e| e.terms.iter().find(|(n, _)| n == "classification").unwrap().1).collect();
    assert!(classification[2] < classification[0], "the labelled few are learnt: {classification:?}");
    let test = data.test.take(2000);
    let acc = accuracy(&model.classify(&test.samples).unwrap(), &test.labels).unwrap();
    assert!(acc > 0.5, "100 labels and 6,000 images classify well above chance (0.1): {acc}");
}

#[test]
fn without_reconstruction_the_decoder_rests_and_the_labels_alone_teach() {
    let _rng = serial();
    let data = Dataset::new(
        Tensor::rand([64, 1, 28, 28], (Kind::Float, Device::Cpu)),
        Tensor::arange(64, (Kind::Int64, Device::Cpu)).remainder(2),
    )
    .unwrap();
    manual_seed(0);
    let labels_only = SemiSupervisedConfig { reconstruction: 0.0, ..SemiSupervisedConfig::new(2) };
    let mut model = Autoencoder::new(labels_only, Device::Cpu).unwrap();
    let decoder = |m: &Autoencoder| -> BTreeMap<String, Tensor> {
        m.var_store()
            .variables()
            .into_iter()
            .filter(|(n, _)| n.starts_with("decoder"))
            .map(|(n, t)| (n, t.copy()))
            .collect()
    };
    let (decoder_before, codes_before) = (decoder(&model), model.encode(&data.samples).unwrap());
    let losses = model.labelled_losses(&data.samples, &data.samples, &data.labels, ReconLoss::Bce, false);
    assert_eq!(losses.terms[0].1.double_value(&[]), 0.0, "the decoder is not run");
    assert!((losses.total.double_value(&[]) - losses.terms[1].1.double_value(&[])).abs() < 1e-7);
    let config = TrainConfig { epochs: 3, batch_size: 16, verbose: false, checkpoints: None, ..Default::default() };
    let history = train(&mut model, &data, &data.take(8), &config).unwrap();
    let classification: Vec<f64> =
        history.epochs.iter().map(|e| e.terms.iter().find(|(n, _)| n == "classification").unwrap().1).collect();
    assert!(classification[2] < classification[0], "the labels are learnt: {classification:?}");
    assert!(!decoder_before.is_empty());
    let decoder_after = decoder(&model);
    for (name, before) in &decoder_before {
        assert!(before.equal(&decoder_after[name]), "the decoder's {name} stays as it was");
    }
    assert!(!model.encode(&data.samples).unwrap().allclose(&codes_before, 1e-6, 1e-6, false), "the encoder learns");
    // A batch without a known label teaches nothing, and is no error.
    let hidden = Dataset::unlabeled(data.samples.narrow(0, 0, 8)).unwrap();
    let history = train(&mut model, &hidden, &data.take(8), &TrainConfig { epochs: 1, ..config }).unwrap();
    assert_eq!(history.epochs[0].train_loss, 0.0);
    let nothing = SemiSupervisedConfig { reconstruction: 0.0, classification: 0.0, ..SemiSupervisedConfig::new(2) };
    let e = Autoencoder::new(nothing, Device::Cpu).unwrap_err().to_string();
    assert!(e.contains("both 0"), "{e}");
    let e = Autoencoder::new(
        SemiSupervisedConfig { reconstruction: f64::NAN, ..SemiSupervisedConfig::new(2) },
        Device::Cpu,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("SemiSupervisedConfig::reconstruction"), "{e}");
}

#[test]
fn a_model_labels_its_surer_guesses_and_leaves_the_rest() {
    let _rng = serial();
    let scores = Tensor::from_slice(&[0.5f32, 0.5, 0.0, 0.1, 0.9, 0.0, 0.3, 0.3, 0.4, 0.0, 0.0, 2.0]).view([4, 3]);
    let half = Vec::<i64>::try_from(&surest_labels(&scores, 0.5).unwrap()).unwrap();
    assert_eq!(half, [-1, 1, -1, 2], "the two surest rows (all mass in one class, then 0.9) keep their top class");
    let all = Vec::<i64>::try_from(&surest_labels(&scores, 1.0).unwrap()).unwrap();
    assert_eq!(all, [0, 1, 2, 2]);
    for bad in [0.0, 1.5, f64::NAN] {
        let e = surest_labels(&scores, bad).unwrap_err().to_string();
        assert!(e.contains("share") && e.contains("(0, 1]"), "{e}");
    }
    let e = surest_labels(&(-scores), 0.5).unwrap_err().to_string();
    assert!(e.contains("non-negative"), "{e}");
    let e = surest_labels(&Tensor::from_slice(&[1i64, 2]), 0.5).unwrap_err().to_string();
    assert!(e.contains("surest_labels: scores"), "{e}");
}
