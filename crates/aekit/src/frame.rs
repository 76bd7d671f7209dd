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

use tch::Tensor;

use crate::data::Dataset;
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

/// A [`Dataset`] of vectors `[N, D]` from `df`'s numeric columns (tabular data), labelled by
/// column `label` when given (text or integers; the classes are its distinct values, sorted).
/// Every other column must be numeric, without nulls. Values are taken as they are: scale them
/// to [0, 1] for binary cross-entropy, or train with MSE.
///
/// ```
/// use aekit::frame::{polars::prelude::*, to_dataset};
/// let df = df!("height" => [1.0, 2.0, 3.0], "weight" => [0.5, 0.1, 0.9], "kind" => ["b", "a", "b"]).unwrap();
/// let data = to_dataset(&df, Some("kind"))?;
/// assert_eq!((data.sample_shape(), data.classes().to_vec()), (vec![2], vec!["a".to_string(), "b".into()]));
/// # Ok::<(), aekit::Error>(())
/// ```
pub fn to_dataset(df: &DataFrame, label: Option<&str>) -> Result<Dataset> {
    // Columns are found by scanning, not through the frame's name index: in a notebook each
    // cell has its own copy of polars' hash seed (see `data::ucr`).
    let columns = df.columns();
    let label_column = match label {
        Some(name) => Some(columns.iter().find(|c| c.name().as_str() == name).ok_or_else(|| {
            Error::input("to_dataset", format!("no label column {name:?}; the columns are {:?}", df.get_column_names()))
        })?),
        None => None,
    };
    let features: Vec<&Column> = columns.iter().filter(|c| Some(c.name().as_str()) != label).collect();
    if features.is_empty() || df.height() == 0 {
        return Err(Error::input("to_dataset", format!("the frame ({} rows) has no feature column", df.height())));
    }
    let (h, w) = (df.height(), features.len());
    let mut values = vec![0f32; h * w];
    for (j, column) in features.iter().enumerate() {
        if !column.dtype().is_primitive_numeric() && !column.dtype().is_bool() {
            return Err(Error::input(
                "to_dataset",
                format!(
                    "column {:?} is {} rather than numbers: drop it, or name it as the label column",
                    column.name(),
                    column.dtype()
                ),
            ));
        }
        if column.null_count() > 0 {
            return Err(Error::input(
                "to_dataset",
                format!("column {:?} has {} nulls: fill or drop them first", column.name(), column.null_count()),
            ));
        }
        let column = column.cast(&DataType::Float64).map_err(|e| polars_error("to_dataset", e))?;
        for (i, v) in column.f64().map_err(|e| polars_error("to_dataset", e))?.iter().enumerate() {
            values[i * w + j] = v.unwrap_or(f32::NAN as f64) as f32;
        }
    }
    let samples = Tensor::from_slice(&values).view([h as i64, w as i64]);
    let Some(column) = label_column else { return Dataset::unlabeled(samples) };
    let text = column.cast(&DataType::String).map_err(|e| polars_error("to_dataset", e))?;
    let names: Vec<String> =
        text.str().map_err(|e| polars_error("to_dataset", e))?.iter().map(|v| v.unwrap_or("").to_string()).collect();
    let mut classes = names.clone();
    classes.sort();
    classes.dedup();
    let labels: Vec<i64> = names.iter().map(|n| classes.binary_search(n).unwrap_or(0) as i64).collect();
    Dataset::new(samples, Tensor::from_slice(&labels))?.with_classes(classes)
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
