//! polars DataFrames: conversions, CSV/Parquet round trips, inline HTML.

use aekit::frame::{self, ToDataFrame};
use aekit::table::{Cell, Table};
use aekit::train::{Epoch, History};

use crate::common::tempdir;

fn history() -> History {
    let epoch = |i: usize, t: f64, v: f64, kl: f64| Epoch {
        epoch: i,
        train_loss: t,
        val_loss: v,
        terms: vec![("kl".into(), kl)],
        learning_rate: 1e-3,
        seconds: 1.5,
    };
    History { epochs: vec![epoch(1, 0.35, 0.31, 4.0), epoch(2, 0.30, 0.29, 3.5)], ..Default::default() }
}

#[test]
fn history_becomes_a_typed_frame_with_its_terms() {
    let df = history().to_dataframe().unwrap();
    let names: Vec<&str> = df.get_column_names().iter().map(|n| n.as_str()).collect();
    assert_eq!(names, ["epoch", "train_loss", "val_loss", "kl", "learning_rate", "seconds"]);
    assert_eq!(df.height(), 2);
    let kl: Vec<Option<f64>> = df.column("kl").unwrap().f64().unwrap().iter().collect();
    assert_eq!(kl, [Some(4.0), Some(3.5)]);
    assert_eq!(df.column("epoch").unwrap().u32().unwrap().get(1), Some(2));
}

#[test]
fn typed_cells_keep_their_numbers_down_to_the_frame() {
    let mut t = Table::new(["model", "MSE", "epochs", "note"]);
    t.row([Cell::from("dense"), Cell::float(0.008493, 4), Cell::from(10), Cell::from("1")]).unwrap();
    t.row([Cell::from("conv"), Cell::float(7.0, 4), Cell::from(3), Cell::Empty]).unwrap();
    let df = t.to_dataframe().unwrap();
    // The number itself, not the 4 decimals it is shown with.
    assert_eq!(df.column("MSE").unwrap().f64().unwrap().get(0), Some(0.008493));
    assert_eq!(df.column("epochs").unwrap().i64().unwrap().get(1), Some(3));
    // Text stays text, even when it reads like a number; empty cells are nulls.
    let note = df.column("note").unwrap().str().unwrap();
    assert_eq!((note.get(0), note.get(1)), (Some("1"), None));
    // Back to a table for display: numbers are numbers again, shown rounded.
    let back = frame::to_table(&df);
    assert_eq!(back.rows[0][1].number(), Some(0.008493));
    assert_eq!(back.rows[0][1].to_string(), "0.0085");
    assert_eq!(back.rows[1][2], Cell::Int(3));
    // A table of numbers saves as CSV in full precision.
    assert!(t.to_csv().contains("dense,0.008493,10,1\n"), "{}", t.to_csv());
}

#[test]
fn parquet_and_csv_round_trip_atomically() {
    let dir = tempdir();
    let df = history().to_dataframe().unwrap();
    for name in ["h.parquet", "h.csv"] {
        let path = dir.path().join("sub").join(name);
        frame::save(&df, &path).unwrap();
        let again = frame::read(&path).unwrap();
        assert_eq!(again.shape(), df.shape(), "{name}");
        assert_eq!(again.column("val_loss").unwrap().f64().unwrap().get(1), Some(0.29), "{name}");
    }
    // A table goes to Parquet through its frame; Table::save says so instead of writing CSV.
    let table = history().to_table();
    frame::save(&table.to_dataframe().unwrap(), dir.path().join("t.parquet")).unwrap();
    let again = frame::read(dir.path().join("t.parquet")).unwrap();
    assert_eq!(again.column("validation loss").unwrap().f64().unwrap().get(1), Some(0.29), "not rounded");
    let e = table.save(dir.path().join("t2.parquet")).unwrap_err().to_string();
    assert!(e.contains("frame::save"), "{e}");
    // No temporary files left beside them.
    let left: Vec<_> = std::fs::read_dir(dir.path().join("sub")).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left.len(), 2, "{left:?}");
}

#[test]
fn unreadable_files_are_named_in_the_error() {
    let dir = tempdir();
    let path = dir.path().join("broken.parquet");
    std::fs::write(&path, b"not parquet").unwrap();
    let e = frame::read(&path).unwrap_err().to_string();
    assert!(e.contains("broken.parquet") && e.contains("Parquet"), "{e}");
    let e = frame::read(dir.path().join("missing.csv")).unwrap_err().to_string();
    assert!(e.contains("missing.csv"), "{e}");
}

#[test]
fn a_table_becomes_a_dataset_of_vectors_and_a_csv_a_source() {
    use aekit::frame::to_dataset;
    let df = frame::polars::prelude::df!("a" => [1.0, 2.0, 3.0, 4.0], "b" => [10i64, 20, 30, 40], "kind" => ["y", "x", "y", "x"]).unwrap();
    let data = to_dataset(&df, Some("kind")).unwrap();
    assert_eq!((data.sample_shape(), data.classes().to_vec()), (vec![2], vec!["x".to_string(), "y".into()]));
    assert_eq!(Vec::<i64>::try_from(&data.labels).unwrap(), [1, 0, 1, 0]);
    assert_eq!(data.samples.double_value(&[2, 1]), 30.0);
    assert!(!to_dataset(&df.drop("kind").unwrap(), None).unwrap().is_labeled());
    let e = to_dataset(&df, None).unwrap_err().to_string();
    assert!(e.contains("\"kind\"") && e.contains("label column"), "{e}");
    assert!(to_dataset(&df, Some("nope")).unwrap_err().to_string().contains("no label column"));

    let dir = crate::common::tempdir();
    let path = dir.path().join("t.csv");
    let rows = (0..20).map(|i| format!("{},{},{}", i, i * i, if i % 2 == 0 { "even" } else { "odd" }));
    std::fs::write(&path, format!("x,y,label\n{}\n", rows.collect::<Vec<_>>().join("\n"))).unwrap();
    let splits = aekit::data::Source::Csv(path).load().unwrap();
    assert_eq!((splits.train.len(), splits.validation.len(), splits.test.len()), (16, 2, 2));
    assert_eq!(splits.train.classes(), ["even", "odd"]);
    let (lo, hi) = (splits.train.samples.min().double_value(&[]), splits.train.samples.max().double_value(&[]));
    assert_eq!((lo, hi), (0.0, 1.0), "min-max scaled by the training split");
}
