use std::fmt;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use tch::{Device, Kind, Tensor};

use super::{idx, Dataset};
use crate::display::{escape, html_table, Content, Show};
use crate::{Error, Result};

/// The ten Fashion-MNIST classes, indexed by label.
pub const CLASS_NAMES: [&str; 10] =
    ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

/// One of the four Fashion-MNIST files, with the SHA-256 of its decompressed IDX content
/// (Debian recompressed the `.gz` files, so hashes of the compressed bytes differ by source).
#[derive(Debug, Clone, Copy)]
pub struct SourceFile {
    /// File name without `.gz`.
    pub name: &'static str,
    /// SHA-256 of the decompressed IDX content.
    pub sha256: &'static str,
}

/// The four files, in the order train images, train labels, test images, test labels.
pub const FILES: [SourceFile; 4] = [
    SourceFile {
        name: "train-images-idx3-ubyte",
        sha256: "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    },
    SourceFile {
        name: "train-labels-idx1-ubyte",
        sha256: "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    },
    SourceFile {
        name: "t10k-images-idx3-ubyte",
        sha256: "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    },
    SourceFile {
        name: "t10k-labels-idx1-ubyte",
        sha256: "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
    },
];

/// Where Debian's `dataset-fashion-mnist` package puts the files.
pub const DEBIAN_DIR: &str = "/usr/share/datasets/fashion-mnist";

/// How to load: the size of the validation split and whether to verify checksums.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// The last `validation` training images form the validation set and are never trained on.
    pub validation: usize,
    /// Check each file's SHA-256 against the published Fashion-MNIST content.
    pub verify: bool,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions { validation: 5_000, verify: true }
    }
}

/// Fashion-MNIST split three ways: train (55,000), validation (5,000), test (10,000).
///
/// ```no_run
/// let data = aekit::data::FashionMnist::load()?;
/// assert_eq!(data.train.samples.size(), [55_000, 1, 28, 28]);
/// # Ok::<(), aekit::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct FashionMnist {
    /// The first 55,000 training images.
    pub train: Dataset,
    /// The last 5,000 training images, held out for validation.
    pub validation: Dataset,
    /// The 10,000 test images, for final evaluation only.
    pub test: Dataset,
    /// The folder the files came from.
    pub dir: PathBuf,
}

impl FashionMnist {
    /// Finds the files (see [`FashionMnist::locate`]), verifies and loads them.
    pub fn load() -> Result<Self> {
        Self::from_dir_with(&Self::locate()?, &LoadOptions::default())
    }

    /// The folders searched, in order: `$AEKIT_DATA` alone when it is set; otherwise this
    /// repository's `datasets/fashion-mnist/`, then Debian's `/usr/share/datasets/fashion-mnist/`.
    pub fn search_path() -> Vec<PathBuf> {
        match std::env::var_os("AEKIT_DATA") {
            Some(dir) => vec![PathBuf::from(dir)],
            None => vec![Self::project_dir(), PathBuf::from(DEBIAN_DIR)],
        }
    }

    /// `datasets/fashion-mnist/` in the aekit repository: where downloads land.
    pub fn project_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../datasets/fashion-mnist")
    }

    /// The first folder of [`FashionMnist::search_path`] that holds all four files.
    pub fn locate() -> Result<PathBuf> {
        Self::locate_in(&Self::search_path())
    }

    /// The first of `dirs` that holds all four files (`.gz` or plain).
    pub fn locate_in(dirs: &[PathBuf]) -> Result<PathBuf> {
        let mut looked = String::new();
        for dir in dirs {
            let missing: Vec<&str> =
                FILES.iter().filter(|f| find_file(dir, f.name).is_none()).map(|f| f.name).collect();
            if missing.is_empty() {
                return Ok(dir.clone());
            }
            let why = if dir.is_dir() { format!("missing {}", missing.join(", ")) } else { "no such folder".into() };
            looked.push_str(&format!("  {} ({why})\n", dir.display()));
        }
        Err(Error::DataNotFound { looked: looked.trim_end().to_string() })
    }

    /// Loads from a folder holding the four files (`.gz` or plain), verified.
    pub fn from_dir(dir: impl AsRef<Path>) -> Result<Self> {
        Self::from_dir_with(dir, &LoadOptions::default())
    }

    /// Loads from a folder with explicit options.
    pub fn from_dir_with(dir: impl AsRef<Path>, options: &LoadOptions) -> Result<Self> {
        let dir = dir.as_ref();
        let paths = FILES
            .iter()
            .map(|f| {
                find_file(dir, f.name).ok_or_else(|| Error::corrupt(dir.join(f.name), "missing (no .gz or plain file)"))
            })
            .collect::<Result<Vec<_>>>()?;
        // Decompress, hash and parse the four files in parallel.
        let parsed: Vec<Result<idx::Idx>> = std::thread::scope(|s| {
            let jobs: Vec<_> = FILES
                .iter()
                .zip(&paths)
                .map(|(file, path)| s.spawn(move || read_verified(path, file, options.verify)))
                .collect();
            jobs.into_iter()
                .map(|j| j.join().unwrap_or_else(|_| Err(Error::corrupt(dir, "reader thread panicked"))))
                .collect()
        });
        let mut parsed = parsed.into_iter();
        let mut next = || parsed.next().unwrap_or_else(|| Err(Error::corrupt(dir, "missing file")));
        let (train_images, train_labels, test_images, test_labels) = (next()?, next()?, next()?, next()?);
        let train = dataset(&paths[0], train_images, &paths[1], train_labels)?;
        let test = dataset(&paths[2], test_images, &paths[3], test_labels)?;
        if options.validation >= train.len() {
            return Err(Error::config(
                "LoadOptions::validation",
                format!("{} leaves no training images out of {}", options.validation, train.len()),
            ));
        }
        let cut = train.len() - options.validation;
        Ok(FashionMnist {
            validation: train.range(cut, train.len()),
            train: train.range(0, cut),
            test,
            dir: dir.to_path_buf(),
        })
    }
}

impl Show for FashionMnist {
    /// The splits and classes.
    fn content(&self) -> Content {
        let row =
            |name: &str, d: &Dataset| vec![name.to_string(), d.len().to_string(), format!("{:?}", d.samples.size())];
        let rows = [row("train", &self.train), row("validation", &self.validation), row("test", &self.test)];
        let columns = ["split", "images", "shape"].map(String::from);
        Content::Html(format!(
            "<p>Fashion-MNIST from <code>{}</code></p>{}<p>classes: {}</p>",
            escape(&self.dir.display().to_string()),
            html_table(&columns, &rows, &[false, true, false]),
            escape(&CLASS_NAMES.join(", "))
        ))
    }
}

impl fmt::Display for FashionMnist {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Fashion-MNIST from {}: train {}, validation {}, test {} images of 28×28, {} classes",
            self.dir.display(),
            self.train.len(),
            self.validation.len(),
            self.test.len(),
            CLASS_NAMES.len()
        )
    }
}

fn find_file(dir: &Path, name: &str) -> Option<PathBuf> {
    [dir.join(format!("{name}.gz")), dir.join(name)].into_iter().find(|p| p.exists())
}

fn read_verified(path: &Path, file: &SourceFile, verify: bool) -> Result<idx::Idx> {
    let bytes = idx::read_bytes(path)?;
    if verify {
        check_sha256(path, &bytes, file.sha256)?;
    }
    idx::decode(bytes).map_err(|problem| Error::corrupt(path, problem))
}

/// Checks the SHA-256 of `bytes` (the decompressed content of `path`).
pub(crate) fn check_sha256(path: &Path, bytes: &[u8], expected: &str) -> Result<()> {
    let got = hex(&Sha256::digest(bytes));
    if got != expected {
        return Err(Error::corrupt(
            path,
            format!(
                "SHA-256 of the content is {got}, expected {expected}: the file is damaged or is not \
                 Fashion-MNIST. Delete it and run `make data`."
            ),
        ));
    }
    Ok(())
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Builds a [`Dataset`] from parsed image and label files, checking they belong together.
fn dataset(image_path: &Path, images: idx::Idx, label_path: &Path, labels: idx::Idx) -> Result<Dataset> {
    if images.dims.len() != 3 || images.dims[1..] != [28, 28] {
        return Err(Error::corrupt(
            image_path,
            format!("expected images of 28×28 ([N, 28, 28]), header says {:?}", images.dims),
        ));
    }
    if labels.dims.len() != 1 {
        return Err(Error::corrupt(label_path, format!("expected a 1-D label file, header says {:?}", labels.dims)));
    }
    let n = images.dims[0];
    if labels.dims[0] != n {
        return Err(Error::corrupt(
            label_path,
            format!("holds {} labels but {} holds {n} images", labels.dims[0], image_path.display()),
        ));
    }
    if let Some(i) = labels.data().iter().position(|&l| l as usize >= CLASS_NAMES.len()) {
        return Err(Error::corrupt(label_path, format!("label {} at index {i} is outside 0–9", labels.data()[i])));
    }
    let images = unit_floats(images.data(), [n as i64, 1, 28, 28])?;
    let labels = Tensor::f_from_slice(labels.data())?.f_to_kind(Kind::Int64)?;
    Dataset::new(images, labels)?.with_classes(CLASS_NAMES)
}

/// Pixels as f32 in [0, 1] (`p / 255`), converted in one pass, on all cores, straight into the
/// tensor's memory: the images are 188 MB as f32, so passes over memory dominate loading.
fn unit_floats(pixels: &[u8], shape: [i64; 4]) -> Result<Tensor> {
    let tensor = Tensor::f_empty(shape, (Kind::Float, Device::Cpu))?;
    if pixels.is_empty() {
        return Ok(tensor);
    }
    // SAFETY: `tensor` is freshly allocated, contiguous, f32, on the CPU, with exactly
    // `pixels.len()` elements (the shape's product), and nothing else refers to it yet.
    let out = unsafe { std::slice::from_raw_parts_mut(tensor.data_ptr() as *mut f32, pixels.len()) };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = pixels.len().div_ceil(threads);
    std::thread::scope(|s| {
        for (src, dst) in pixels.chunks(chunk).zip(out.chunks_mut(chunk)) {
            s.spawn(move || dst.iter_mut().zip(src).for_each(|(d, &p)| *d = p as f32 / 255.0));
        }
    });
    Ok(tensor)
}
