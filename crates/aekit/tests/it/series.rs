//! UCR time series: the .ts reader, the loader, conversion to model inputs, and the one-class
//! protocol on real data.

use aekit::data::ucr::{self, TimeSeries};
use aekit::eval::time_series::{ensemble_auroc, ensemble_auroc_mse, one_class, SeriesConfig};
use aekit::models::{Autoencoder, ConvConfig};
use aekit::table::{Cell, Table};
use aekit::tch::{Device, Kind, Tensor};
use aekit::train::{train, Augmentation, TrainConfig};

use crate::common::{numbered, serial, tempdir};

const SMALL: &str = "# a comment\n@problemName Tiny\n@univariate true\n@classLabel true a b\n@data\n\
                     0.5,1.0,1.5:a\n-1,0,2.25:b\n";

#[test]
fn a_ts_file_becomes_one_row_per_series() {
    let dir = tempdir();
    let path = dir.path().join("tiny.ts");
    std::fs::write(&path, SMALL).unwrap();
    let df = ucr::read_ts(&path).unwrap();
    let names: Vec<&str> = df.get_column_names().iter().map(|n| n.as_str()).collect();
    assert_eq!(names, ["class", "t0", "t1", "t2"]);
    assert_eq!(ucr::labels(&df).unwrap(), ["a", "b"]);
    let values = ucr::values(&df).unwrap();
    assert_eq!(values.size(), [2, 3]);
    assert_eq!(Vec::<f32>::try_from(values.view([-1])).unwrap(), [0.5, 1.0, 1.5, -1.0, 0.0, 2.25]);
    assert_eq!(ucr::of_class(&df, Some("b")).unwrap().height(), 1);
}

#[test]
fn malformed_ts_files_say_which_line_is_wrong() {
    let dir = tempdir();
    for (content, expected) in [
        ("@data\n1,2:a\n1,2,3:b\n", "line 3: 3 values, the first series has 2"),
        ("@data\n1,2\n", "line 2: no `:class`"),
        ("@data\n1,?,3:a\n", "line 2"),
        ("1,2:a\n", "line 1: values before the @data header"),
        ("@univariate false\n@data\n", "only univariate"),
        ("@data\n", "no series after @data"),
        ("@data\n1,NaN:a\n", "NaN or infinite"),
    ] {
        let path = dir.path().join("bad.ts");
        std::fs::write(&path, content).unwrap();
        let e = ucr::read_ts(&path).unwrap_err().to_string();
        assert!(e.contains("bad.ts") && e.contains(expected), "{content:?}: {e}");
    }
}

#[test]
fn a_missing_problem_names_the_fix() {
    let _lock = serial();
    let dir = tempdir();
    std::env::set_var("AEKIT_UCR", dir.path());
    let e = TimeSeries::load("GunPoint").unwrap_err().to_string();
    std::env::remove_var("AEKIT_UCR");
    assert!(e.contains("GunPoint_TRAIN.ts") && e.contains("make data") && e.contains("AEKIT_UCR"), "{e}");
}

#[test]
fn gunpoint_loads_with_its_published_shape() {
    let _lock = serial();
    let gun = TimeSeries::load("GunPoint").unwrap();
    assert_eq!((gun.train.height(), gun.test.height(), gun.length()), (50, 150, 150));
    assert_eq!(gun.classes().unwrap(), ["1", "2"]);
    let italy = TimeSeries::load("ItalyPowerDemand").unwrap();
    assert_eq!((italy.train.height(), italy.test.height(), italy.length()), (67, 1029, 24));
}

#[test]
fn series_become_model_inputs_keeping_their_length_and_range() {
    let series = Tensor::from_slice(&[0.0f32, 1.0, 2.0, 4.0, 3.0, 2.0]).view([2, 3]);
    let range = ucr::value_range(&series);
    assert!((range.0 + 0.4).abs() < 1e-6 && (range.1 - 4.4).abs() < 1e-6, "{range:?}");
    let inputs = ucr::to_series(&series, (0.0, 4.0)).unwrap();
    assert_eq!(inputs.size(), [2, 1, 3], "one channel, every step, no resampling");
    assert_eq!(Vec::<f32>::try_from(inputs.flatten(0, -1)).unwrap(), [0.0, 0.25, 0.5, 1.0, 0.75, 0.5]);
    assert!(ucr::to_series(&series, (1.0, 1.0)).unwrap_err().to_string().contains("hi must exceed lo"));
    assert!(ucr::to_series(&series.view([-1]), (0.0, 1.0)).is_err());
}

/// Real data, real training: GunPoint with class 1 normal.
#[test]
fn one_class_gunpoint_beats_chance_with_every_score() {
    let _lock = serial();
    let gun = TimeSeries::load("GunPoint").unwrap();
    let config = SeriesConfig { epochs: 100, ..Default::default() };
    let r = one_class(&gun, "1", &config).unwrap();
    assert_eq!(r.normal_series, 24);
    assert_eq!(r.errors.size(), [150]);
    assert_eq!(r.anomalous.kind(), Kind::Bool);
    assert!(r.history.val_loss()[99] < r.history.val_loss()[0] / 2.0, "{:?}", r.history.val_loss());
    let scores = [("autoencoder", r.autoencoder), ("nearest", r.nearest_neighbour), ("dtw", r.dtw), ("pca", r.pca)];
    for (name, auc) in scores {
        assert!(auc > 0.6 && auc <= 1.0, "{name}: AUROC {auc}");
    }
    let e = one_class(&gun, "7", &config).unwrap_err().to_string();
    assert!(e.contains("\"7\"") && e.contains("[\"1\", \"2\"]"), "{e}");

    // An ensemble: one run alone keeps its AUROC (standardizing is monotone); runs of two
    // classes, or none, are refused.
    assert_eq!(r.train_errors.size(), [24]);
    assert!((ensemble_auroc(std::slice::from_ref(&r)).unwrap() - r.autoencoder).abs() < 1e-9);
    let seed_7 = one_class(&gun, "1", &SeriesConfig { seed: 7, ..config.clone() }).unwrap();
    let both = ensemble_auroc(&[r, seed_7]).unwrap();
    assert!(both > 0.6 && both <= 1.0, "ensemble AUROC {both}");
    let class_2 = one_class(&gun, "2", &SeriesConfig { epochs: 5, ..config }).unwrap();
    let e =
        ensemble_auroc(&[class_2, one_class(&gun, "1", &SeriesConfig { epochs: 5, ..Default::default() }).unwrap()]);
    assert!(e.unwrap_err().to_string().contains("one class"));
    assert!(ensemble_auroc(&[]).unwrap_err().to_string().contains("no runs"));
}

/// The band: with none the score is the MSE; within 3 % (4 of GunPoint's 150 steps) each error
/// is at most the MSE, the same model's MSE is kept beside it, and a band outside 0..=1 is
/// refused with an example.
#[test]
fn a_banded_score_is_at_most_the_mse_and_keeps_it_beside() {
    let _lock = serial();
    let gun = TimeSeries::load("GunPoint").unwrap();
    let plain = SeriesConfig { epochs: 30, ..Default::default() };
    let r = one_class(&gun, "1", &plain).unwrap();
    assert!(r.errors.equal(&r.mse_errors.0) && r.train_errors.equal(&r.mse_errors.1));
    assert_eq!(r.autoencoder, r.autoencoder_mse);

    let banded = SeriesConfig { band: 0.03, ..plain.clone() };
    assert_eq!(banded.band_steps(gun.length()), 4);
    assert_eq!(banded.band_steps(24), 0, "ItalyPowerDemand's hours: under one step is no band");
    let b = one_class(&gun, "1", &banded).unwrap();
    assert!(b.mse_errors.0.equal(&r.errors), "the same seed trains the same model");
    let (warped, mse) = (Vec::<f32>::try_from(&b.errors).unwrap(), Vec::<f32>::try_from(&b.mse_errors.0).unwrap());
    assert!(warped.iter().zip(&mse).all(|(w, m)| *w <= m + 1e-6), "a band never costs more than none");
    assert!(warped.iter().zip(&mse).any(|(w, m)| *w < 0.9 * m), "and here it forgives some timing");
    assert!((ensemble_auroc_mse(std::slice::from_ref(&b)).unwrap() - b.autoencoder_mse).abs() < 1e-9);
    assert!(b.autoencoder > 0.6, "AUROC {}", b.autoencoder);
    for bad in [-0.1, 1.5, f64::NAN] {
        let e = one_class(&gun, "1", &SeriesConfig { band: bad, ..plain.clone() }).unwrap_err().to_string();
        assert!(e.contains("SeriesConfig::band") && e.contains("0.03"), "{e}");
    }
}

/// Time-warped training (a new warp of each series every batch): the loss still falls and the
/// model still tells the classes apart; images are refused with the fix.
#[test]
fn a_time_warped_conv_autoencoder_learns_gunpoint_and_images_refuse_the_warp() {
    let _lock = serial();
    let gun = TimeSeries::load("GunPoint").unwrap();
    let warp = Some(Augmentation::TimeWarp { strength: 0.3 });
    let r = one_class(&gun, "1", &SeriesConfig { epochs: 60, augment: warp, ..SeriesConfig::conv() }).unwrap();
    let losses = r.history.train_loss();
    assert!(losses[59] < losses[0] / 2.0, "{losses:?}");
    assert!(r.autoencoder > 0.6, "AUROC {}", r.autoencoder);

    let images = numbered(8);
    let mut model = Autoencoder::new(ConvConfig::default(), Device::Cpu).unwrap();
    let config = TrainConfig { epochs: 1, augment: warp, checkpoints: None, verbose: false, ..Default::default() };
    let e = train(&mut model, &images, &images, &config).unwrap_err().to_string();
    assert!(e.contains("TimeWarp") && e.contains("drop the augmentation"), "{e}");
}

/// The 1-D convolutional autoencoder on GunPoint's series as they are ([1, 150]): the loss
/// falls and it tells the classes apart; the table prints beside the baselines.
#[test]
fn a_1d_conv_autoencoder_learns_gunpoint_and_scores_it() {
    let _lock = serial();
    let gun = TimeSeries::load("GunPoint").unwrap();
    let mut table = Table::new(["model", "AUROC", "nearest series", "PCA"]);
    for (name, config) in [("dense", SeriesConfig::default()), ("1-D conv", SeriesConfig::conv())] {
        let r = one_class(&gun, "1", &SeriesConfig { epochs: 60, ..config }).unwrap();
        let losses = r.history.val_loss();
        assert!(losses[59] < losses[0] / 2.0, "{name}: {losses:?}");
        assert!(r.autoencoder > 0.6, "{name}: AUROC {}", r.autoencoder);
        table
            .row([
                Cell::from(name),
                Cell::float(r.autoencoder, 3),
                Cell::float(r.nearest_neighbour, 3),
                Cell::float(r.pca, 3),
            ])
            .unwrap();
    }
    println!("GunPoint, class 1 normal, 60 epochs:\n{}", table.to_markdown());
}

#[test]
fn a_ucr_source_keeps_series_as_series() {
    let splits = "ucr:GunPoint".parse::<aekit::data::Source>().unwrap().load().unwrap();
    assert_eq!((splits.train.len(), splits.validation.len(), splits.test.len()), (40, 10, 150));
    assert_eq!(splits.test.sample_shape(), [1, 150]);
    assert_eq!(splits.test.classes(), ["1", "2"]);
    let lo = splits.train.samples.min().double_value(&[]);
    let hi = splits.train.samples.max().double_value(&[]);
    assert!(lo > 0.0 && hi < 1.0, "the training range, widened 10 %, maps into [0, 1]: {lo} {hi}");
    let figure = aekit::plot::series_reconstructions(&splits.test, &splits.test.samples).unwrap();
    let svg = figure.svg().unwrap().text;
    assert!(svg.contains("#0 (") && svg.contains("#3 (") && svg.matches("reconstructed").count() == 4, "{svg}");
}
