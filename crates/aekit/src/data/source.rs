//! Where data comes from, named in one string (the CLI's `--data`): Fashion-MNIST, a folder of
//! images, a UCR time-series problem, a CSV table or tensors in a `.safetensors` file, each
//! loaded as train, validation and test [`Splits`].
//!
//! ```no_run
//! use aekit::data::Source;
//! let splits = "folder:photos".parse::<Source>()?.load()?;
//! println!("{}", splits.train); // 80 % of the images; validation and test 10 % each
//! # Ok::<(), aekit::Error>(())
//! ```

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use tch::{Kind, Tensor};

use super::{Dataset, FashionMnist, ImageFolder};
use crate::{Error, Result};

/// A data source: see [`Source::HELP`] for the spellings.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// Fashion-MNIST, found or fetched by `make data` (55,000 / 5,000 / 10,000).
    FashionMnist,
    /// A folder with one subfolder of images per class ([`ImageFolder`]).
    Folder(PathBuf),
    /// A UCR time-series problem (`polars` feature), its series `[1, L]` scaled to [0, 1].
    Ucr(String),
    /// A CSV table (`polars` feature): numeric columns, and a `label` or `class` column if
    /// there is one; each column min-max scaled to [0, 1] by the training split's range (values
    /// beyond it, in validation or test, clipped).
    Csv(PathBuf),
    /// A `.safetensors` file holding `samples` `[N, …]` (f32) and optionally `labels` `[N]` (i64).
    Tensors(PathBuf),
}

/// The three parts of a data set: train on the first, choose with the second, report the third.
#[derive(Debug, Clone)]
pub struct Splits {
    /// What the model is trained on.
    pub train: Dataset,
    /// Held out while training: early stopping and model choice.
    pub validation: Dataset,
    /// Held out until the end: the reported numbers.
    pub test: Dataset,
}

impl Source {
    /// The spellings [`Source::from_str`] reads, with an example each (the CLI's `--help`).
    pub const HELP: &'static str = "  fashion-mnist              Fashion-MNIST (the default), from `make data`
  folder:photos              a folder of PNG/JPEG images, one subfolder per class (photos/cat/1.png)
  ucr:GunPoint               a UCR time-series problem fetched by `make data` (GunPoint, ItalyPowerDemand, ArrowHead, OSULeaf)
  csv:table.csv              numeric columns of a CSV table (min-max scaled by the training split, clipped to [0, 1]), labelled by its `label` or `class` column if any
  tensors:data.safetensors   `samples` [N, ...] f32 and optional `labels` [N] i64
A folder, table or tensor file is split 80/10/10 into train, validation and test (shuffled with seed 0, \
class by class); a UCR problem keeps its test split and holds out 20 % of its training series for validation.";

    /// Loads the source as train, validation and test splits.
    pub fn load(&self) -> Result<Splits> {
        match self {
            Source::FashionMnist => Ok(FashionMnist::load()?.into()),
            Source::Folder(dir) => Splits::of_one(ImageFolder::load(dir)?, dir),
            Source::Tensors(path) => Splits::of_one(read_tensors(path)?, path),
            #[cfg(feature = "polars")]
            Source::Ucr(name) => ucr_splits(name),
            #[cfg(feature = "polars")]
            Source::Csv(path) => csv_splits(path),
            #[cfg(not(feature = "polars"))]
            Source::Ucr(_) | Source::Csv(_) => {
                Err(Error::config("data source", format!("{self} needs aekit's `polars` feature")))
            }
        }
    }
}

impl FromStr for Source {
    type Err = Error;

    fn from_str(s: &str) -> Result<Source> {
        let (kind, rest) = s.split_once(':').unwrap_or((s, ""));
        let source = match kind {
            "fashion-mnist" if rest.is_empty() => Source::FashionMnist,
            "folder" if !rest.is_empty() => Source::Folder(rest.into()),
            "ucr" if !rest.is_empty() => Source::Ucr(rest.into()),
            "csv" if !rest.is_empty() => Source::Csv(rest.into()),
            "tensors" if !rest.is_empty() => Source::Tensors(rest.into()),
            _ => {
                return Err(Error::config(
                    "data source",
                    format!("{s:?} is not a data source; use one of:\n{}", Self::HELP),
                ))
            }
        };
        Ok(source)
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::FashionMnist => write!(f, "fashion-mnist"),
            Source::Folder(p) => write!(f, "folder:{}", p.display()),
            Source::Ucr(name) => write!(f, "ucr:{name}"),
            Source::Csv(p) => write!(f, "csv:{}", p.display()),
            Source::Tensors(p) => write!(f, "tensors:{}", p.display()),
        }
    }
}

impl From<FashionMnist> for Splits {
    fn from(data: FashionMnist) -> Splits {
        Splits { train: data.train, validation: data.validation, test: data.test }
    }
}

/// Samples a source splits 80/10/10, at the least.
const SPLIT_MINIMUM: usize = 10;

impl Splits {
    /// `data` (read from `origin`) shuffled with seed 0 and split 80/10/10.
    pub fn of_one(data: Dataset, origin: &Path) -> Result<Splits> {
        if data.len() < SPLIT_MINIMUM {
            return Err(Error::input(
                origin.display().to_string(),
                format!(
                    "holds {} samples; it is split 80/10/10 into train, validation and test, so give {SPLIT_MINIMUM} or more",
                    data.len()
                ),
            ));
        }
        let (train, rest) = data.split(0.8, 0)?;
        let (validation, test) = rest.split(0.5, 1)?;
        Ok(Splits { train, validation, test })
    }
}

/// `samples` and optional `labels` from a `.safetensors` file.
fn read_tensors(path: &Path) -> Result<Dataset> {
    let named = Tensor::read_safetensors(path)
        .map_err(|e| Error::input(path.display().to_string(), format!("cannot be read as .safetensors ({e})")))?;
    let find = |name: &str| named.iter().find(|(n, _)| n == name).map(|(_, t)| t.shallow_clone());
    let Some(samples) = find("samples") else {
        let names: Vec<&str> = named.iter().map(|(n, _)| n.as_str()).collect();
        return Err(Error::input(
            path.display().to_string(),
            format!(
                "holds no tensor named `samples` (it has {names:?}): save samples [N, ...] and optionally labels [N]"
            ),
        ));
    };
    let samples = samples.to_kind(Kind::Float);
    match find("labels") {
        Some(labels) => Dataset::new(samples, labels.to_kind(Kind::Int64)),
        None => Dataset::unlabeled(samples),
    }
}

#[cfg(feature = "polars")]
fn ucr_splits(name: &str) -> Result<Splits> {
    use super::ucr::{self, TimeSeries};
    let data = TimeSeries::load(name)?;
    let classes = data.classes()?;
    // The training frame is read into a tensor once: for the range and for the data set.
    let train_values = ucr::values(&data.train)?;
    let range = ucr::value_range(&train_values);
    let train = ucr::dataset_of(&train_values, &ucr::labels(&data.train)?, &classes, range)?;
    let test = ucr::dataset(&data.test, &classes, range)?;
    let (train, validation) = train.split(0.8, 0)?;
    Ok(Splits { train, validation, test })
}

#[cfg(feature = "polars")]
fn csv_splits(path: &Path) -> Result<Splits> {
    let df = crate::frame::read(path)?;
    let label = ["label", "class"].into_iter().find(|name| df.columns().iter().any(|c| c.name().as_str() == *name));
    let splits = Splits::of_one(crate::frame::to_dataset(&df, label)?, path)?;
    let (lo, hi) = (splits.train.samples.amin(0, true), splits.train.samples.amax(0, true));
    let span = (&hi - &lo).clamp_min(1e-12);
    let scale = |d: Dataset| {
        let scaled = ((&d.samples - &lo) / &span).clamp(0.0, 1.0);
        d.with_parts(scaled, d.labels.shallow_clone())
    };
    Ok(Splits { train: scale(splits.train), validation: scale(splits.validation), test: scale(splits.test) })
}
