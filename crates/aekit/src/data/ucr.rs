//! UCR time series (GunPoint, ItalyPowerDemand, ArrowHead, OSULeaf) in polars DataFrames, and
//! their conversion to series `[N, 1, L]`, the inputs of dense and 1-D convolutional
//! autoencoders. Needs the `polars` feature.
//!
//! `make data` fetches the files from PyPI (sktime 1.2.0's wheel ships them) into
//! `datasets/ucr/<name>/<name>_{TRAIN,TEST}.ts`; `$AEKIT_UCR` points elsewhere.
//!
//! ```no_run
//! use aekit::data::ucr::{self, TimeSeries};
//! let gun = TimeSeries::load("GunPoint")?;
//! let pointing = ucr::of_class(&gun.train, Some("2"))?; // a DataFrame
//! let series = ucr::values(&pointing)?; // [26, 150]
//! let inputs = ucr::to_series(&series, ucr::value_range(&series))?; // [26, 1, 150] in [0, 1]
//! # Ok::<(), aekit::Error>(())
//! ```

use std::path::{Path, PathBuf};

use polars::prelude::*;
use tch::{Kind, Tensor};

use super::Dataset;
use crate::display::{escape, Content, Show};
use crate::frame::polars_error;
use crate::table::{Cell, Table};
use crate::{Error, Result};

/// The problems `make data` fetches.
pub const PROBLEMS: [&str; 4] = ["GunPoint", "ItalyPowerDemand", "ArrowHead", "OSULeaf"];

/// A univariate, equal-length UCR problem. Each split is a DataFrame with one row per series:
/// `class` (text) and one `f64` column per time step, `t0`, `t1`, ….
#[derive(Debug, Clone)]
pub struct TimeSeries {
    /// The problem's name, e.g. `GunPoint`.
    pub name: String,
    /// The training series.
    pub train: DataFrame,
    /// The test series.
    pub test: DataFrame,
}

impl TimeSeries {
    /// Loads problem `name` from [`TimeSeries::dir`].
    pub fn load(name: &str) -> Result<TimeSeries> {
        let dir = Self::dir().join(name);
        let file = |split: &str| dir.join(format!("{name}_{split}.ts"));
        if !file("TRAIN").is_file() || !file("TEST").is_file() {
            return Err(Error::input(
                "TimeSeries::load",
                format!(
                    "{} lacks {name}_TRAIN.ts and {name}_TEST.ts. Fix: run `make data` in the aekit repository \
                     (fetches {}), or set AEKIT_UCR to a folder holding <name>/<name>_TRAIN.ts and _TEST.ts",
                    dir.display(),
                    PROBLEMS.join(", ")
                ),
            ));
        }
        let (train, test) = (read_ts(file("TRAIN"))?, read_ts(file("TEST"))?);
        if train.width() != test.width() {
            return Err(Error::corrupt(
                file("TEST"),
                format!("series of {} steps, but the training series have {}", test.width() - 1, train.width() - 1),
            ));
        }
        Ok(TimeSeries { name: name.into(), train, test })
    }

    /// `$AEKIT_UCR` when set, else this repository's `datasets/ucr/`.
    pub fn dir() -> PathBuf {
        std::env::var_os("AEKIT_UCR")
            .map(PathBuf::from)
            .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../datasets/ucr"))
    }

    /// Time steps per series.
    pub fn length(&self) -> usize {
        self.train.width() - 1
    }

    /// The class names, sorted, from both splits.
    pub fn classes(&self) -> Result<Vec<String>> {
        let mut classes = labels(&self.train)?;
        classes.extend(labels(&self.test)?);
        classes.sort();
        classes.dedup();
        Ok(classes)
    }
}

impl Show for TimeSeries {
    /// The problem: series per split and class, and the series length.
    fn content(&self) -> Content {
        let mut table = Table::new(["split", "series", "classes (count)", "length"]);
        for (split, df) in [("train", &self.train), ("test", &self.test)] {
            let counts = labels(df).map(|l| {
                let mut c: Vec<(String, usize)> = Vec::new();
                for label in l {
                    match c.iter_mut().find(|(name, _)| *name == label) {
                        Some(e) => e.1 += 1,
                        None => c.push((label, 1)),
                    }
                }
                c.sort();
                c.iter().map(|(n, k)| format!("{n} ({k})")).collect::<Vec<_>>().join(", ")
            });
            let _ = table.row([
                Cell::from(split),
                Cell::from(df.height()),
                Cell::from(counts.unwrap_or_default()),
                Cell::from(self.length()),
            ]);
        }
        Content::Html(format!("<b>{}</b>{}", escape(&self.name), table.to_html()))
    }
}

/// Reads a `.ts` file (sktime's text format: `#` comments, `@` headers, then one series per
/// line as comma-separated values followed by `:class`) into a DataFrame.
pub fn read_ts(path: impl AsRef<Path>) -> Result<DataFrame> {
    let path = path.as_ref();
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let mut in_data = false;
    let (mut classes, mut rows): (Vec<String>, Vec<Vec<f64>>) = (Vec::new(), Vec::new());
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line.starts_with('@') {
            let header = line.to_ascii_lowercase();
            if header.starts_with("@univariate false") || header.starts_with("@equallength false") {
                return Err(Error::corrupt(
                    path,
                    format!("line {}: only univariate, equal-length series are supported", n + 1),
                ));
            }
            in_data |= header == "@data";
            continue;
        }
        if !in_data {
            return Err(Error::corrupt(path, format!("line {}: values before the @data header", n + 1)));
        }
        let (values, class) = line
            .rsplit_once(':')
            .ok_or_else(|| Error::corrupt(path, format!("line {}: no `:class` at the end of the series", n + 1)))?;
        let values: Vec<f64> = values
            .split(',')
            .map(|v| v.trim().parse::<f64>())
            .collect::<Result<_, _>>()
            .map_err(|e| Error::corrupt(path, format!("line {}: {e} (missing values are not supported)", n + 1)))?;
        if let Some(first) = rows.first() {
            if first.len() != values.len() {
                return Err(Error::corrupt(
                    path,
                    format!("line {}: {} values, the first series has {}", n + 1, values.len(), first.len()),
                ));
            }
        }
        if values.iter().any(|v| !v.is_finite()) {
            return Err(Error::corrupt(path, format!("line {}: a value is NaN or infinite", n + 1)));
        }
        classes.push(class.trim().to_string());
        rows.push(values);
    }
    if rows.is_empty() {
        return Err(Error::corrupt(path, "no series after @data"));
    }
    let mut columns = vec![Column::new("class".into(), classes)];
    for t in 0..rows[0].len() {
        columns.push(Column::new(format!("t{t}").into(), rows.iter().map(|r| r[t]).collect::<Vec<f64>>()));
    }
    DataFrame::new_infer_height(columns).map_err(|e| polars_error(&path.display().to_string(), e))
}

/// The `class` column.
pub fn labels(df: &DataFrame) -> Result<Vec<String>> {
    let text = class_column(df)?.str().map_err(|e| polars_error("ucr::labels", e))?;
    Ok(text.iter().map(|s| s.unwrap_or_default().to_string()).collect())
}

/// The values of every series, `[N, T]` f32 (all columns but `class`).
pub fn values(df: &DataFrame) -> Result<Tensor> {
    let fail = |e| polars_error("ucr::values", e);
    let steps: Vec<&Column> = df.columns().iter().filter(|c| c.name().as_str() != "class").collect();
    let (h, w) = (df.height(), steps.len());
    let mut out = vec![0.0; h * w];
    for (j, column) in steps.into_iter().enumerate() {
        let column = column.cast(&DataType::Float64).map_err(fail)?;
        for (i, v) in column.f64().map_err(fail)?.iter().enumerate() {
            out[i * w + j] = v.unwrap_or(f64::NAN);
        }
    }
    Ok(Tensor::from_slice(&out).view([h as i64, w as i64]).to_kind(Kind::Float))
}

/// The `class` column, found by scanning the columns rather than through the frame's cached
/// name index: in a notebook each cell is its own library with its own copy of polars' hash
/// seed, so an index built in one cell does not find names in the next.
fn class_column(df: &DataFrame) -> Result<&Column> {
    df.columns().iter().find(|c| c.name().as_str() == "class").ok_or_else(|| {
        Error::input("ucr", format!("the frame has no `class` column (columns: {:?})", df.get_column_names()))
    })
}

/// The series of `df` whose class is `class` (all of them for `None`), as a DataFrame.
pub fn of_class(df: &DataFrame, class: Option<&str>) -> Result<DataFrame> {
    let Some(class) = class else { return Ok(df.clone()) };
    let mask: BooleanChunked = labels(df)?.iter().map(|l| l == class).collect();
    df.filter(&mask).map_err(|e| polars_error("ucr::of_class", e))
}

/// Series `[N, T]` as model inputs `[N, 1, T]` (one channel), each value mapped by
/// `(x − lo) / (hi − lo)`, so that the range of the normal training series falls in [0, 1].
pub fn to_series(series: &Tensor, (lo, hi): (f64, f64)) -> Result<Tensor> {
    if series.dim() != 2 || series.size()[0] == 0 || series.size()[1] < 2 {
        return Err(Error::input(
            "ucr::to_series",
            format!("expected series [N, T] with T ≥ 2, got {:?}", series.size()),
        ));
    }
    if hi.partial_cmp(&lo) != Some(std::cmp::Ordering::Greater) {
        return Err(Error::config("ucr::to_series range", format!("({lo}, {hi}): hi must exceed lo")));
    }
    Ok(((series.to_kind(Kind::Float) - lo) / (hi - lo)).unsqueeze(1))
}

/// The range [`to_series`] should map to [0, 1]: the min and max of `series`, widened by 10 %
/// on each side so that new series a little outside still fit.
pub fn value_range(series: &Tensor) -> (f64, f64) {
    let (lo, hi) = (series.min().double_value(&[]), series.max().double_value(&[]));
    let margin = 0.1 * (hi - lo).max(1e-6);
    (lo - margin, hi + margin)
}

/// The series of `df` as a [`Dataset`] for training, labels indexing `classes`.
pub fn dataset(df: &DataFrame, classes: &[String], range: (f64, f64)) -> Result<Dataset> {
    dataset_of(&values(df)?, &labels(df)?, classes, range)
}

/// [`dataset`] from series already read out of their frame, with their class names.
pub(crate) fn dataset_of(series: &Tensor, names: &[String], classes: &[String], range: (f64, f64)) -> Result<Dataset> {
    let labels: Vec<i64> = names
        .iter()
        .map(|l| classes.iter().position(|c| c == l).map(|i| i as i64))
        .collect::<Option<_>>()
        .ok_or_else(|| Error::input("ucr::dataset", format!("a series has a class outside {classes:?}")))?;
    Dataset::new(to_series(series, range)?, Tensor::from_slice(&labels))?.with_classes(classes)
}
