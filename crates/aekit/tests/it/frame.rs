//! polars DataFrames: conversions, CSV/Parquet round trips, inline HTML.

use aekit::frame::{self, ToDataFrame};
use aekit::table::Table;
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
fn table_columns_are_numbers_only_when_every_cell_is() {
    let mut t = Table::new(["model", "MSE", "note"]);
    t.row(["dense", "0.0085", "1"]).unwrap();
    t.row(["conv", "7", "n/a"]).unwrap();
    let df = t.to_dataframe().unwrap();
    assert_eq!(df.column("MSE").unwrap().f64().unwrap().get(1), Some(7.0));
    assert!(df.column("note").unwrap().str().is_ok());
    assert!(df.column("model").unwrap().str().is_ok());
    // Back to text for display: the values survive.
    let back = frame::to_table(&df);
    assert_eq!(back.rows[0], ["dense", "0.0085", "1"]);
    assert_eq!(back.rows[1], ["conv", "7", "n/a"]);
    let mut ids = Table::new(["index"]);
    ids.row(["3"]).unwrap();
    assert_eq!(ids.to_dataframe().unwrap().column("index").unwrap().i64().unwrap().get(0), Some(3));
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
    // Table::save picks Parquet by the extension.
    history().to_table().save(dir.path().join("t.parquet")).unwrap();
    assert_eq!(frame::read(dir.path().join("t.parquet")).unwrap().height(), 2);
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
