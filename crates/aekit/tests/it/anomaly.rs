use aekit::eval::{auroc, AnomalyDetector, Ensemble};
use aekit::models::{orient, orientations};
use aekit::prelude::*;

use crate::common::{real, serial};

#[test]
fn orientations_turn_mirror_and_come_back() {
    let square = Tensor::rand([2, 1, 5, 5], (Kind::Float, Device::Cpu));
    assert_eq!(orientations(&square.size()), 8);
    let quarter = orient(&square, 1);
    assert!(quarter.equal(&square.rot90(1, [-2, -1])));
    assert!(orient(&orient(&quarter, 1), 2).equal(&square), "four quarter turns are none");
    assert!(orient(&orient(&square, 4), 4).equal(&square), "mirroring twice is nothing");
    // The eight orientations of a generic image differ.
    for i in 0..8 {
        for j in 0..i {
            assert!(!orient(&square, i).equal(&orient(&square, j)), "orientations {i} and {j} coincide");
        }
    }
    let wide = Tensor::rand([2, 3, 4, 6], (Kind::Float, Device::Cpu));
    assert_eq!(orientations(&wide.size()), 4);
    for i in 0..4 {
        assert_eq!(orient(&wide, i).size(), wide.size(), "orientation {i} keeps a non-square image's shape");
    }
    let series = Tensor::rand([2, 1, 9], (Kind::Float, Device::Cpu));
    assert_eq!(orientations(&series.size()), 2);
    assert!(orient(&series, 1).equal(&series.flip([-1])) && orient(&series, 2).equal(&series));
}

#[test]
fn a_restoration_model_names_orientations_and_checks_its_config() {
    let _rng = serial();
    manual_seed(0);
    let model = Autoencoder::new(RestorationConfig::default(), Device::Cpu).unwrap();
    let x = Tensor::rand([3, 1, 28, 28], (Kind::Float, Device::Cpu));
    assert_eq!(model.encode(&x).unwrap().size(), [3, 128]);
    assert_eq!(model.forward(&x).unwrap().size(), [3, 1, 28, 28]);
    let p = model.orientation_log_probs(&x).unwrap().exp();
    assert!((p.sum_dim_intlist(1, false, Kind::Float) - 1.0).abs().max().double_value(&[]) < 1e-5);
    let described = model.config().describe();
    assert!(described.contains("8 orientations") && described.contains("batch norm"), "{described}");
    let losses = model.losses(&x, &x, ReconLoss::Mse, false);
    assert_eq!(losses.terms.iter().map(|(n, _)| *n).collect::<Vec<_>>(), ["reconstruction", "orientation"]);

    let plain = Autoencoder::new(ConvConfig::default(), Device::Cpu).unwrap();
    let e = plain.orientation_log_probs(&x).unwrap_err().to_string();
    assert!(e.contains("RestorationConfig"), "{e}");
    let no_code = RestorationConfig { body: ConvConfig { latent: None, ..Default::default() }, ..Default::default() };
    let e = Autoencoder::new(no_code, Device::Cpu).unwrap_err().to_string();
    assert!(e.contains("body.latent"), "{e}");
}

#[test]
fn real_data_the_restoration_detector_learns_and_separates_a_class() {
    let _rng = serial();
    let data = real();
    let normal = data.train.of_class(1).unwrap().take(1500);
    let held_out = data.validation.of_class(1).unwrap();
    let test = data.test.take(1000);
    manual_seed(0);
    let mut model = Autoencoder::new(RestorationConfig::default(), Device::Cpu).unwrap();
    let config = TrainConfig { epochs: 3, batch_size: 64, loss: ReconLoss::Mse, verbose: false, ..Default::default() };
    let history = train(&mut model, &normal, &held_out, &config).unwrap();
    let (first, last) = (&history.epochs[0], history.epochs.last().unwrap());
    assert!(last.train_loss < first.train_loss, "loss {} → {}", first.train_loss, last.train_loss);
    let orientation_term = |e: &aekit::train::Epoch| e.terms.iter().find(|(n, _)| n == "orientation").unwrap().1;
    assert!(orientation_term(last) < 8f64.ln(), "the classifier beats chance: {}", orientation_term(last));

    let e =
        AnomalyDetector::restoration(Autoencoder::new(ConvConfig::default(), Device::Cpu).unwrap(), &normal, &held_out);
    assert!(e.err().unwrap().to_string().contains("RestorationConfig"));
    let detector = AnomalyDetector::restoration(model, &normal, &held_out).unwrap();
    let scores = detector.scores(&test).unwrap();
    let orientation = scores.orientation.as_ref().unwrap();
    for s in [&scores.reconstruction, &scores.density, orientation, &scores.combined] {
        assert_eq!(s.size(), [1000]);
    }
    let anomalous = test.labels.ne(1);
    for (name, s) in [("error", &scores.reconstruction), ("orientation", orientation), ("combined", &scores.combined)] {
        let a = auroc(s, &anomalous).unwrap();
        assert!(a > 0.8, "trousers against the rest, {name} AUROC {a}");
    }
    // Held-out normal images score near 0 on the combined (standardized) scale.
    let held = detector.scores(&held_out).unwrap().combined.mean(Kind::Float).double_value(&[]);
    assert!(held.abs() < 1e-3, "held-out mean {held}");
}

#[test]
fn real_data_an_ensemble_standardizes_its_members_and_separates_a_class() {
    let data = real();
    let normal = data.train.take(6000).of_class(1).unwrap(); // trousers
    let held_out = data.validation.of_class(1).unwrap();
    let test = data.test.take(1000);
    let detector = |latent: usize| {
        let _rng = serial();
        manual_seed(latent as u64);
        let mut model = Autoencoder::new(DenseConfig::standard(latent), Device::Cpu).unwrap();
        let config = TrainConfig { epochs: 2, batch_size: 32, verbose: false, ..Default::default() };
        train(&mut model, &normal, &held_out, &config).unwrap();
        AnomalyDetector::fit(model, &normal, &held_out).unwrap()
    };
    let e = Ensemble::new(vec![], &held_out).err().unwrap().to_string();
    assert!(e.contains("AnomalyDetector"), "{e}");
    assert!(Ensemble::new(vec![detector(4)], &held_out.take(1)).is_err());

    let ensemble = Ensemble::new(vec![detector(4), detector(16)], &held_out).unwrap();
    assert_eq!(ensemble.members().len(), 2);
    let scores = ensemble.scores(&test).unwrap();
    assert_eq!(scores.members.len(), 2);
    assert_eq!(scores.combined.size(), [1000]);
    let anomalous = test.labels.ne(1);
    let a = auroc(&scores.combined, &anomalous).unwrap();
    assert!(a > 0.9, "trousers against the rest, ensemble AUROC {a}");
    // On the held-out images each member's standardized score has mean 0, and so has the sum.
    let held = ensemble.scores(&held_out).unwrap().combined.mean(Kind::Double).double_value(&[]);
    assert!(held.abs() < 1e-3, "held-out mean {held}");

    // One member: the ensemble's score is a rising linear map of the member's, so the same AUROC.
    let single = Ensemble::new(vec![detector(4)], &held_out).unwrap().scores(&test).unwrap();
    let own = auroc(&single.members[0].combined, &anomalous).unwrap();
    assert!((auroc(&single.combined, &anomalous).unwrap() - own).abs() < 1e-9);
}
