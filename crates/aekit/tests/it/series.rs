//! UCR time series: the .ts reader, the loader, conversion to model inputs, and the one-class
//! protocol on real data.

use aekit::data::ucr::{self, TimeSeries};
use aekit::eval::time_series::{one_class, SeriesConfig};
use aekit::tch::{Kind, Tensor};

use crate::common::{serial, tempdir};

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
fn series_become_model_inputs_keeping_their_ends_and_range() {
    let series = Tensor::from_slice(&[0.0f32, 1.0, 2.0, 4.0, 3.0, 2.0]).view([2, 3]);
    let range = ucr::value_range(&series);
    assert!((range.0 + 0.4).abs() < 1e-6 && (range.1 - 4.4).abs() < 1e-6, "{range:?}");
    let images = ucr::to_images(&series, (0.0, 4.0)).unwrap();
    assert_eq!(images.size(), [2, 1, 28, 28]);
    let flat = images.view([2, 784]);
    // Linear resampling with aligned corners keeps the first and last values; the scaling maps 0..4 to 0..1.
    let ends: Vec<f32> =
        [(0, 0), (0, 783), (1, 0), (1, 783)].iter().map(|&(i, j)| flat.double_value(&[i, j]) as f32).collect();
    assert_eq!(ends, [0.0, 0.5, 1.0, 0.5]);
    assert!(ucr::to_images(&series, (1.0, 1.0)).unwrap_err().to_string().contains("hi must exceed lo"));
    assert!(ucr::to_images(&series.view([-1]), (0.0, 1.0)).is_err());
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
    for (name, auc) in [("autoencoder", r.autoencoder), ("nearest", r.nearest_neighbour), ("pca", r.pca)] {
        assert!(auc > 0.6 && auc <= 1.0, "{name}: AUROC {auc}");
    }
    let e = one_class(&gun, "7", &config).unwrap_err().to_string();
    assert!(e.contains("\"7\"") && e.contains("[\"1\", \"2\"]"), "{e}");
}
