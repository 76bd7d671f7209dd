use std::fmt;

use tch::{Device, Kind, Tensor};

use super::{Batches, CLASS_NAMES};
use crate::{Error, Result};

/// Images `[N, 1, 28, 28]` (f32 in [0, 1]) with their labels `[N]` (i64, 0–9).
///
/// Cloning is cheap: the clone shares the tensors' storage.
#[derive(Debug)]
pub struct Dataset {
    /// Images `[N, 1, 28, 28]`, f32 in [0, 1].
    pub images: Tensor,
    /// Labels `[N]`, i64 class indices.
    pub labels: Tensor,
}

impl Clone for Dataset {
    fn clone(&self) -> Self {
        Dataset { images: self.images.shallow_clone(), labels: self.labels.shallow_clone() }
    }
}

impl Dataset {
    /// Pairs images with labels; checks shapes and kinds.
    pub fn new(images: Tensor, labels: Tensor) -> Result<Self> {
        crate::check::images("Dataset images", &images)?;
        if labels.kind() != Kind::Int64 || labels.dim() != 1 {
            return Err(Error::input(
                "Dataset labels",
                format!("expected a 1-D i64 tensor, got {:?} {:?}", labels.kind(), labels.size()),
            ));
        }
        if labels.size()[0] != images.size()[0] {
            return Err(Error::input(
                "Dataset",
                format!("{} images but {} labels", images.size()[0], labels.size()[0]),
            ));
        }
        Ok(Dataset { images, labels })
    }

    /// Number of images.
    pub fn len(&self) -> usize {
        self.images.size()[0] as usize
    }

    /// True when the set holds no image.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The first `n` images (all of them when `n` is larger); shares storage.
    pub fn take(&self, n: usize) -> Dataset {
        self.range(0, n.min(self.len()))
    }

    /// Images `start..end` (clamped to the set's length); shares storage.
    pub fn range(&self, start: usize, end: usize) -> Dataset {
        let end = end.min(self.len());
        let start = start.min(end);
        let len = (end - start) as i64;
        Dataset { images: self.images.narrow(0, start as i64, len), labels: self.labels.narrow(0, start as i64, len) }
    }

    /// The first image of each class, in class order: the row of a classic sample grid.
    pub fn one_per_class(&self) -> Result<Dataset> {
        let labels = Vec::<i64>::try_from(&self.labels)?;
        let mut first = Vec::with_capacity(CLASS_NAMES.len());
        for class in 0..CLASS_NAMES.len() as i64 {
            match labels.iter().position(|&l| l == class) {
                Some(i) => first.push(i as i64),
                None => {
                    return Err(Error::input(
                        "Dataset::one_per_class",
                        format!("no image of class {class} ({})", CLASS_NAMES[class as usize]),
                    ))
                }
            }
        }
        let index = Tensor::from_slice(&first).to_device(self.images.device());
        Ok(Dataset { images: self.images.index_select(0, &index), labels: self.labels.index_select(0, &index) })
    }

    /// The images of one class (0–9), in their order; a copy.
    pub fn of_class(&self, class: i64) -> Result<Dataset> {
        if !(0..CLASS_NAMES.len() as i64).contains(&class) {
            return Err(Error::input("Dataset::of_class", format!("class {class} does not exist; use 0 to 9")));
        }
        let index = self.labels.eq(class).nonzero().squeeze_dim(1);
        if index.numel() == 0 {
            return Err(Error::input(
                "Dataset::of_class",
                format!("no image of class {class} ({})", CLASS_NAMES[class as usize]),
            ));
        }
        let index = index.to_device(self.images.device());
        Ok(Dataset { images: self.images.index_select(0, &index), labels: self.labels.index_select(0, &index) })
    }

    /// Class names of the labels, in order.
    pub fn class_names(&self) -> Result<Vec<&'static str>> {
        let labels = Vec::<i64>::try_from(&self.labels)?;
        Ok(labels.iter().map(|&l| CLASS_NAMES.get(l as usize).copied().unwrap_or("?")).collect())
    }

    /// Batches of `batch_size` (the last may be smaller), moved to `device`.
    /// With `shuffle = Some(seed)` the order is a permutation fixed by the seed; with `None`, in order.
    pub fn batches(&self, batch_size: usize, shuffle: Option<u64>, device: Device) -> Result<Batches> {
        Batches::new(self, batch_size, shuffle, device)
    }

    /// `f` applied to the images of each batch of [`Dataset::MAP_BATCH`], in order, on
    /// `device`: the one loop of every measure that goes over a whole data set.
    pub fn map_batches<T>(&self, device: Device, mut f: impl FnMut(&Tensor) -> Result<T>) -> Result<Vec<T>> {
        self.batches(Self::MAP_BATCH, None, device)?.map(|batch| f(&batch.images)).collect()
    }

    /// Images per batch of [`Dataset::map_batches`]: large, as nothing is trained.
    pub const MAP_BATCH: usize = 1024;

    /// The same data on another device.
    pub fn to_device(&self, device: Device) -> Dataset {
        Dataset { images: self.images.to_device(device), labels: self.labels.to_device(device) }
    }
}

impl fmt::Display for Dataset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} images {:?}", self.len(), self.images.size())
    }
}
