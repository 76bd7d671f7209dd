//! polars DataFrames from aekit's tables and histories, shown inline and saved as CSV or
//! Parquet. Behind the `polars` feature: polars takes minutes to compile, so notebooks that do
//! not need it do not pay for it.
//!
//! ```
//! use aekit::frame::{self, ToDataFrame};
//! use aekit::table::{Cell, Table};
//! let mut table = Table::new(["model", "test MSE"]);
//! table.row([Cell::from("standard"), Cell::float(0.008493, 4)]).unwrap();
//! let df = table.to_dataframe().unwrap();
//! assert_eq!(df.column("test MSE").unwrap().f64().unwrap().get(0), Some(0.008493)); // not rounded
//! assert_eq!(df.column("model").unwrap().str().unwrap().get(0), Some("standard"));
//! let path = std::env::temp_dir().join(format!("aekit-doc-{}.parquet", std::process::id()));
//! frame::save(&df, &path).unwrap();
//! assert_eq!(frame::read(&path).unwrap(), df);
//! # std::fs::remove_file(path).unwrap();
//! ```

use std::io::Cursor;
use std::path::Path;

pub use polars;
use polars::prelude::*;

use crate::display::{Content, Show};
use crate::table::{Cell, Table};
use crate::train::History;
use crate::{files, Error, Result};

/// Conversion to a polars [`DataFrame`].
pub trait ToDataFrame {
    /// The value as a DataFrame.
    fn to_dataframe(&self) -> Result<DataFrame>;
}

impl ToDataFrame for Table {
    /// Columns of whole numbers become `i64`, other numeric columns `f64` (in full, not as
    /// shown), the rest text; empty cells are nulls.
    fn to_dataframe(&self) -> Result<DataFrame> {
        let columns = (0..self.columns.len())
            .map(|i| {
                let name = PlSmallStr::from(self.columns[i].as_str());
                let cells: Vec<&Cell> = self.rows.iter().map(|r| &r[i]).collect();
                if cells.iter().all(|c| matches!(c, Cell::Int(_) | Cell::Empty)) && !cells.is_empty() {
                    let ints: Vec<Option<i64>> = cells.iter().map(|c| c.number().map(|v| v as i64)).collect();
                    Column::new(name, ints)
                } else if self.is_numeric(i) {
                    Column::new(name, cells.iter().map(|c| c.number()).collect::<Vec<Option<f64>>>())
                } else {
                    let text: Vec<Option<String>> =
                        cells.iter().map(|c| (**c != Cell::Empty).then(|| c.to_string())).collect();
                    Column::new(name, text)
                }
            })
            .collect();
        DataFrame::new_infer_height(columns).map_err(|e| polars_error("Table::to_dataframe", e))
    }
}

impl ToDataFrame for History {
    /// One row per epoch: epoch, train and validation loss, each extra term, learning rate, seconds.
    fn to_dataframe(&self) -> Result<DataFrame> {
        let e = &self.epochs;
        let mut columns = vec![
            Column::new("epoch".into(), e.iter().map(|e| e.epoch as u32).collect::<Vec<_>>()),
            Column::new("train_loss".into(), self.train_loss()),
            Column::new("val_loss".into(), self.val_loss()),
        ];
        for (i, (name, _)) in e.first().map(|e| e.terms.as_slice()).unwrap_or_default().iter().enumerate() {
            let values: Vec<Option<f64>> = e.iter().map(|e| e.terms.get(i).map(|t| t.1)).collect();
            columns.push(Column::new(name.as_str().into(), values));
        }
        columns.push(Column::new("learning_rate".into(), e.iter().map(|e| e.learning_rate).collect::<Vec<_>>()));
        columns.push(Column::new("seconds".into(), e.iter().map(|e| e.seconds).collect::<Vec<_>>()));
        DataFrame::new_infer_height(columns).map_err(|e| polars_error("History::to_dataframe", e))
    }
}

/// The frame as a [`Table`] (floats shown to 4 significant decimals), e.g. for HTML.
pub fn to_table(df: &DataFrame) -> Table {
    let mut table = Table::new(df.get_column_names().iter().map(|n| n.as_str()));
    for i in 0..df.height() {
        table.rows.push(
            df.columns()
                .iter()
                .map(|c| match c.get(i) {
                    Ok(AnyValue::Float64(v)) => float_cell(v),
                    Ok(AnyValue::Float32(v)) => float_cell(v as f64),
                    Ok(AnyValue::Int64(v)) => Cell::Int(v),
                    Ok(AnyValue::Int32(v)) => Cell::Int(v as i64),
                    Ok(AnyValue::UInt32(v)) => Cell::Int(v as i64),
                    Ok(AnyValue::String(s)) => Cell::from(s),
                    Ok(AnyValue::Null) | Err(_) => Cell::Empty,
                    Ok(v) => Cell::Text(v.to_string()),
                })
                .collect(),
        );
    }
    table
}

/// 4 significant decimals, in scientific notation when very small or large.
fn float_cell(v: f64) -> Cell {
    if v != 0.0 && (v.abs() < 1e-3 || v.abs() >= 1e6) {
        Cell::scientific(v, 4)
    } else {
        Cell::float(v, 4)
    }
}

/// Writes `df` as Parquet (`.parquet`) or CSV (any other extension), atomically.
pub fn save(df: &DataFrame, path: impl AsRef<Path>) -> Result<()> {
    let path = path.as_ref();
    let mut bytes = Vec::new();
    let mut df = df.clone();
    let written = if is_parquet(path) {
        ParquetWriter::new(&mut bytes).finish(&mut df).map(|_| ())
    } else {
        CsvWriter::new(&mut bytes).finish(&mut df)
    };
    written.map_err(|e| polars_error(&path.display().to_string(), e))?;
    files::write_atomic(path, &bytes)
}

/// Reads a frame written by [`save`] (or any Parquet or CSV file with a header row).
pub fn read(path: impl AsRef<Path>) -> Result<DataFrame> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let read = if is_parquet(path) {
        ParquetReader::new(Cursor::new(bytes)).finish()
    } else {
        CsvReader::new(Cursor::new(bytes)).finish()
    };
    read.map_err(|e| {
        Error::corrupt(path, format!("not a readable {} table: {e}", if is_parquet(path) { "Parquet" } else { "CSV" }))
    })
}

fn is_parquet(path: &Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("parquet"))
}

pub(crate) fn polars_error(what: &str, e: PolarsError) -> Error {
    Error::input(what, format!("polars: {e}"))
}

/// A frame shows itself as an HTML table of its first 50 rows.
impl Show for DataFrame {
    fn content(&self) -> Content {
        let shown = to_table(&self.head(Some(50)));
        let more = match self.height() {
            h if h > 50 => format!("<p>first 50 of {h} rows, {} columns</p>", self.width()),
            h => format!("<p>{h} rows, {} columns</p>", self.width()),
        };
        Content::Html(shown.to_html() + &more)
    }
}
