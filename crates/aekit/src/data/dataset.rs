use std::fmt;
use std::sync::Arc;

use tch::{Device, Kind, Tensor};

use super::Batches;
use crate::rng::permutation;
use crate::{check, Error, Result};

/// Samples `[N, …]` (f32; any shape per sample: images `[C, H, W]`, series `[C, L]`, vectors
/// `[D]`) with their labels `[N]` (i64 indices into the class names).
///
/// Cloning is cheap: the clone shares the tensors' storage.
///
/// ```
/// use aekit::prelude::*;
/// let x = Tensor::rand([6, 3, 8, 8], (Kind::Float, Device::Cpu)); // six 3×8×8 RGB images
/// let y = Tensor::from_slice(&[0i64, 1, 0, 1, 1, 0]);
/// let data = Dataset::new(x, y)?.with_classes(["cat", "dog"])?;
/// assert_eq!((data.sample_shape(), data.class_names()?[1].as_str()), (vec![3, 8, 8], "dog"));
/// let vectors = Dataset::unlabeled(Tensor::rand([100, 5], (Kind::Float, Device::Cpu)))?;
/// assert!(!vectors.is_labeled());
/// # Ok::<(), aekit::Error>(())
/// ```
#[derive(Debug)]
pub struct Dataset {
    /// Samples `[N, …]`, f32 (values in [0, 1] for binary cross-entropy).
    pub samples: Tensor,
    /// Labels `[N]`, i64 indices into [`Dataset::classes`] (all 0 when unlabeled; −1 where
    /// [`Dataset::semi_supervised`] hid them).
    pub labels: Tensor,
    classes: Arc<[String]>,
}

impl Clone for Dataset {
    fn clone(&self) -> Self {
        self.with_parts(self.samples.shallow_clone(), self.labels.shallow_clone())
    }
}

impl Dataset {
    /// Pairs samples `[N, …]` with labels `[N]` (i64, from 0); the classes are named by their
    /// numbers (`"0"`, `"1"`, …) until [`Dataset::with_classes`] names them.
    pub fn new(samples: Tensor, labels: Tensor) -> Result<Self> {
        crate::check::samples("Dataset samples", &samples)?;
        if labels.kind() != Kind::Int64 || labels.dim() != 1 {
            return Err(Error::input(
                "Dataset labels",
                format!("expected a 1-D i64 tensor, got {:?} {:?}", labels.kind(), labels.size()),
            ));
        }
        if labels.size()[0] != samples.size()[0] {
            return Err(Error::input(
                "Dataset",
                format!("{} samples but {} labels", samples.size()[0], labels.size()[0]),
            ));
        }
        let (lo, hi) = (labels.min().int64_value(&[]), labels.max().int64_value(&[]));
        if lo < 0 {
            return Err(Error::input("Dataset labels", format!("label {lo} is negative; classes count from 0")));
        }
        let classes: Arc<[String]> = (0..=hi).map(|c| c.to_string()).collect();
        Ok(Dataset { samples, labels, classes })
    }

    /// Samples without labels: every label is 0 and the set has no classes.
    pub fn unlabeled(samples: Tensor) -> Result<Self> {
        crate::check::samples("Dataset samples", &samples)?;
        let labels = Tensor::zeros([samples.size()[0]], (Kind::Int64, samples.device()));
        Ok(Dataset { samples, labels, classes: Arc::new([]) })
    }

    /// The same data with its classes named, label `i` being `names[i]`.
    pub fn with_classes<S: ToString>(self, names: impl IntoIterator<Item = S>) -> Result<Self> {
        let classes: Arc<[String]> = names.into_iter().map(|s| s.to_string()).collect();
        if !self.is_labeled() {
            return Err(Error::input(
                "Dataset::with_classes",
                "the data set is unlabeled (made by Dataset::unlabeled)",
            ));
        }
        let top = self.labels.max().int64_value(&[]);
        if top >= classes.len() as i64 {
            return Err(Error::input(
                "Dataset::with_classes",
                format!("{} names for labels up to {top}: give one name per class", classes.len()),
            ));
        }
        Ok(Dataset { classes, ..self })
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        self.samples.size()[0] as usize
    }

    /// True when the set holds no sample.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The shape of one sample, e.g. `[1, 28, 28]`: what a model's config takes as its input.
    pub fn sample_shape(&self) -> Vec<usize> {
        self.samples.size()[1..].iter().map(|&s| s as usize).collect()
    }

    /// The class names, indexed by label (empty when unlabeled).
    pub fn classes(&self) -> &[String] {
        &self.classes
    }

    /// True unless made by [`Dataset::unlabeled`].
    pub fn is_labeled(&self) -> bool {
        !self.classes.is_empty()
    }

    /// The first `n` samples (all of them when `n` is larger); shares storage.
    pub fn take(&self, n: usize) -> Dataset {
        self.range(0, n.min(self.len()))
    }

    /// Samples `start..end` (clamped to the set's length); shares storage.
    pub fn range(&self, start: usize, end: usize) -> Dataset {
        let end = end.min(self.len());
        let start = start.min(end);
        let len = (end - start) as i64;
        self.with_parts(self.samples.narrow(0, start as i64, len), self.labels.narrow(0, start as i64, len))
    }

    /// The samples at `index` (`[K]` i64), in that order; a copy.
    pub fn select(&self, index: &Tensor) -> Dataset {
        let index = index.to_device(self.samples.device());
        self.with_parts(
            self.samples.index_select(0, &index),
            self.labels.index_select(0, &index.to_device(self.labels.device())),
        )
    }

    /// The training set of a semi-supervised run: every sample, its label hidden (−1), except
    /// the samples at `known` (`[K]` i64 row indices, e.g. [`crate::eval::pick_per_class`]),
    /// which keep theirs and appear `1 + copies` times, so a batch holds some of them (with 100
    /// known among 55,000, `copies: 150` makes about a fifth of each batch labelled).
    ///
    /// ```
    /// use aekit::prelude::*;
    /// let data = Dataset::new(Tensor::rand([6, 2], (Kind::Float, Device::Cpu)), Tensor::from_slice(&[0i64, 1, 0, 1, 0, 1]))?;
    /// let semi = data.semi_supervised(&Tensor::from_slice(&[0i64, 1]), 2)?;
    /// assert_eq!(semi.len(), 6 + 2 * 2);
    /// assert_eq!(Vec::<i64>::try_from(&semi.labels)?, [0, 1, -1, -1, -1, -1, 0, 1, 0, 1]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn semi_supervised(&self, known: &Tensor, copies: usize) -> Result<Dataset> {
        self.labeled("Dataset::semi_supervised")?;
        let known = self.known_rows("Dataset::semi_supervised", known)?;
        let hidden = self.labels.full_like(-1).index_copy(0, &known, &self.labels.index_select(0, &known));
        self.repeated(hidden, &known, copies)
    }

    /// The training set of a self-training round: every sample with its label from `labels`
    /// (`[N]` i64, −1 where unknown; e.g. [`KnnGraph::pseudo_labels`](crate::eval::KnnGraph::pseudo_labels)),
    /// the samples at `known` appearing `1 + copies` times with their true labels, as in
    /// [`Dataset::semi_supervised`].
    ///
    /// ```
    /// use aekit::prelude::*;
    /// let data = Dataset::new(Tensor::rand([4, 2], (Kind::Float, Device::Cpu)), Tensor::from_slice(&[0i64, 1, 0, 1]))?;
    /// let guessed = Tensor::from_slice(&[0i64, 0, -1, 1]);
    /// let round = data.pseudo_labelled(&guessed, &Tensor::from_slice(&[1i64]), 1)?;
    /// assert_eq!(Vec::<i64>::try_from(&round.labels)?, [0, 1, -1, 1, 1]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn pseudo_labelled(&self, labels: &Tensor, known: &Tensor, copies: usize) -> Result<Dataset> {
        self.labeled("Dataset::pseudo_labelled")?;
        let known = self.known_rows("Dataset::pseudo_labelled", known)?;
        let classes = self.classes.len() as i64;
        if labels.kind() != Kind::Int64 || labels.size() != [self.len() as i64] {
            return Err(Error::input(
                "Dataset::pseudo_labelled",
                format!(
                    "labels must be [{}] i64 (one per sample, −1 where unknown), got {:?}",
                    self.len(),
                    labels.size()
                ),
            ));
        }
        if labels.lt(-1).any().int64_value(&[]) == 1 || labels.ge(classes).any().int64_value(&[]) == 1 {
            return Err(Error::input(
                "Dataset::pseudo_labelled",
                format!("labels must lie in −1..{classes} (−1 for unknown)"),
            ));
        }
        let labels = labels.to_device(self.labels.device());
        let labels = labels.index_copy(0, &known, &self.labels.index_select(0, &known));
        self.repeated(labels, &known, copies)
    }

    /// `known` checked as row indices of this set.
    fn known_rows(&self, caller: &str, known: &Tensor) -> Result<Tensor> {
        let n = self.len() as i64;
        let known = known.to_device(self.labels.device());
        if known.kind() != Kind::Int64 || known.dim() != 1 || known.numel() == 0 {
            return Err(Error::input(caller, "known must be a non-empty [K] i64 tensor of row indices"));
        }
        if known.min().int64_value(&[]) < 0 || known.max().int64_value(&[]) >= n {
            return Err(Error::input(caller, format!("known holds a row outside 0..{n}")));
        }
        Ok(known)
    }

    /// Every sample with `labels`, then the `known` ones `copies` more times with their labels.
    fn repeated(&self, labels: Tensor, known: &Tensor, copies: usize) -> Result<Dataset> {
        let again = known.repeat([copies as i64]);
        let extra = self.samples.index_select(0, &again.to_device(self.samples.device()));
        Ok(self.with_parts(
            Tensor::cat(&[self.samples.shallow_clone(), extra], 0),
            Tensor::cat(&[labels.shallow_clone(), labels.index_select(0, &again)], 0),
        ))
    }

    /// Each value in [0, 1] replaced by a draw of Bernoulli(value), seeded (the same seed gives
    /// the same images): binary images, as likelihood benchmarks score them. For training,
    /// [`TrainConfig::binarize`](crate::train::TrainConfig::binarize) draws anew every batch.
    pub fn binarized(&self, seed: u64) -> Result<Dataset> {
        check::unit_range("Dataset::binarized", &self.samples, "each value is a probability: scale pixels by 1/255")?;
        crate::manual_seed(seed);
        Ok(self.with_parts(self.samples.bernoulli(), self.labels.shallow_clone()))
    }

    /// Two parts, shuffled by `seed`: the first holds `fraction` of the samples, the second the
    /// rest. A labelled set is split class by class (stratified: each class in the same
    /// proportion in both parts, rounded, and in both parts when it has two samples or more).
    /// For a user's own data: train and validation.
    pub fn split(&self, fraction: f64, seed: u64) -> Result<(Dataset, Dataset)> {
        if !(fraction > 0.0 && fraction < 1.0) || self.len() < 2 {
            return Err(Error::input(
                "Dataset::split",
                format!(
                    "fraction {fraction} of {} samples: need a fraction in (0, 1) and 2 samples or more",
                    self.len()
                ),
            ));
        }
        let order = permutation(self.len(), seed);
        let labels = Vec::<i64>::try_from(&self.labels.to_device(Device::Cpu))?;
        let mut in_first = vec![false; self.len()];
        for class in 0..self.classes.len().max(1) as i64 {
            let members: Vec<usize> = order.iter().map(|&i| i as usize).filter(|&i| labels[i] == class).collect();
            let n = members.len();
            let keep = if n < 2 { n } else { ((n as f64 * fraction).round() as usize).clamp(1, n - 1) };
            members[..keep].iter().for_each(|&i| in_first[i] = true);
        }
        // Both parts in the shuffled order, so neither is grouped by class.
        let (first, second): (Vec<i64>, Vec<i64>) = order.iter().partition(|&&i| in_first[i as usize]);
        if first.is_empty() || second.is_empty() {
            return Err(Error::input(
                "Dataset::split",
                format!("{} samples in classes too small to split", self.len()),
            ));
        }
        Ok((self.select(&Tensor::from_slice(&first)), self.select(&Tensor::from_slice(&second))))
    }

    /// The first sample of each class, in class order: the row of a classic sample grid.
    pub fn one_per_class(&self) -> Result<Dataset> {
        self.labeled("Dataset::one_per_class")?;
        let labels = Vec::<i64>::try_from(&self.labels)?;
        let mut first = Vec::with_capacity(self.classes.len());
        for (class, name) in self.classes.iter().enumerate() {
            match labels.iter().position(|&l| l == class as i64) {
                Some(i) => first.push(i as i64),
                None => {
                    return Err(Error::input("Dataset::one_per_class", format!("no sample of class {class} ({name})")))
                }
            }
        }
        Ok(self.select(&Tensor::from_slice(&first)))
    }

    /// The samples of one class (a label), in their order; a copy.
    pub fn of_class(&self, class: i64) -> Result<Dataset> {
        self.labeled("Dataset::of_class")?;
        let Some(name) = usize::try_from(class).ok().and_then(|c| self.classes.get(c)) else {
            return Err(Error::input(
                "Dataset::of_class",
                format!("class {class} does not exist; use 0 to {}", self.classes.len() - 1),
            ));
        };
        let index = self.labels.eq(class).nonzero().squeeze_dim(1);
        if index.numel() == 0 {
            return Err(Error::input("Dataset::of_class", format!("no sample of class {class} ({name})")));
        }
        Ok(self.select(&index))
    }

    /// The class name of each sample's label, in order.
    pub fn class_names(&self) -> Result<Vec<String>> {
        self.labeled("Dataset::class_names")?;
        let labels = Vec::<i64>::try_from(&self.labels)?;
        Ok(labels.iter().map(|&l| self.classes.get(l as usize).cloned().unwrap_or_else(|| "?".into())).collect())
    }

    /// Batches of `batch_size` (the last may be smaller), moved to `device`.
    /// With `shuffle = Some(seed)` the order is a permutation fixed by the seed; with `None`, in order.
    pub fn batches(&self, batch_size: usize, shuffle: Option<u64>, device: Device) -> Result<Batches> {
        Batches::new(self, batch_size, shuffle, device)
    }

    /// `f` applied to the samples of each batch of [`Dataset::MAP_BATCH`], in order, on
    /// `device`: the one loop of every measure that goes over a whole data set.
    pub fn map_batches<T>(&self, device: Device, mut f: impl FnMut(&Tensor) -> Result<T>) -> Result<Vec<T>> {
        self.batches(Self::MAP_BATCH, None, device)?.map(|batch| f(&batch.samples)).collect()
    }

    /// Samples per batch of [`Dataset::map_batches`]: large, as nothing is trained.
    pub const MAP_BATCH: usize = 1024;

    /// The same data on another device.
    pub fn to_device(&self, device: Device) -> Dataset {
        self.with_parts(self.samples.to_device(device), self.labels.to_device(device))
    }

    /// Other tensors with this set's class names.
    pub(crate) fn with_parts(&self, samples: Tensor, labels: Tensor) -> Dataset {
        Dataset { samples, labels, classes: Arc::clone(&self.classes) }
    }

    fn labeled(&self, what: &str) -> Result<()> {
        if self.is_labeled() {
            Ok(())
        } else {
            Err(Error::input(what, "the data set has no labels (made by Dataset::unlabeled)"))
        }
    }
}

impl fmt::Display for Dataset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} samples of shape {:?}", self.len(), self.sample_shape())?;
        match self.classes.len() {
            0 => write!(f, ", unlabeled"),
            n if n <= 12 => write!(f, ", classes {}", self.classes.join(", ")),
            n => write!(f, ", {n} classes"),
        }
    }
}
