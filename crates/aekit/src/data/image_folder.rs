//! A folder of images, one subfolder per class, as torchvision's `ImageFolder` reads it:
//! `photos/cat/1.png`, `photos/dog/a.jpg`, … PNG and JPEG, grayscale or RGB.
//!
//! ```no_run
//! use aekit::data::ImageFolder;
//! let data = ImageFolder::new().size(32, 32).read("photos")?; // [N, C, 32, 32] in [0, 1]
//! let (train, validation) = data.split(0.9, 0)?;
//! println!("{data}"); // N samples of shape [3, 32, 32], classes cat, dog
//! # Ok::<(), aekit::Error>(())
//! ```
//!
//! What it does with odd input, so nothing is lost silently: hidden files (`.DS_Store`) are
//! passed over; a file that cannot be read as an image (not an image, truncated, an unsupported
//! format) stops the load with its name, unless [`ImageFolder::skip_unreadable`] asks to skip
//! such files with a warning each; an empty class folder, or a folder without class folders,
//! is an error; gray and colour images mixed need [`ImageFolder::gray`] or [`ImageFolder::rgb`]
//! (an alpha channel is dropped); images of other sizes are resized (bilinear) to the chosen
//! size, or to the first image's.

use std::path::{Path, PathBuf};

use image::{imageops::FilterType, DynamicImage};
use tch::{Kind, Tensor};

use super::Dataset;
use crate::{Error, Result};

/// How to read a folder of images, one subfolder per class (`photos/cat/1.png`), PNG or JPEG,
/// gray or RGB: a file that is not an image stops the load unless [`ImageFolder::skip_unreadable`],
/// and images of other sizes are resized to [`ImageFolder::size`] (or the first image's).
#[derive(Debug, Clone, Default)]
pub struct ImageFolder {
    size: Option<(u32, u32)>,
    channels: Option<Channels>,
    skip_unreadable: bool,
}

/// The channels images are converted to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channels {
    /// One channel (luma).
    Gray,
    /// Red, green, blue.
    Rgb,
}

impl Channels {
    fn count(self) -> usize {
        match self {
            Channels::Gray => 1,
            Channels::Rgb => 3,
        }
    }
}

impl ImageFolder {
    /// Every image at the first image's size and channels; an unreadable file is an error.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads `dir` with the defaults of [`ImageFolder::new`].
    pub fn load(dir: impl AsRef<Path>) -> Result<Dataset> {
        Self::new().read(dir)
    }

    /// Resize every image to `width × height`.
    pub fn size(self, width: u32, height: u32) -> Self {
        ImageFolder { size: Some((width, height)), ..self }
    }

    /// Convert every image to grayscale.
    pub fn gray(self) -> Self {
        ImageFolder { channels: Some(Channels::Gray), ..self }
    }

    /// Convert every image to RGB.
    pub fn rgb(self) -> Self {
        ImageFolder { channels: Some(Channels::Rgb), ..self }
    }

    /// Skip files that cannot be read as images, with a warning on stderr for each, instead of
    /// stopping at the first.
    pub fn skip_unreadable(self) -> Self {
        ImageFolder { skip_unreadable: true, ..self }
    }

    /// The images under `dir` as a [`Dataset`] `[N, C, H, W]` (f32 in [0, 1]), labelled by
    /// class folder; the classes are the folder names, sorted.
    pub fn read(&self, dir: impl AsRef<Path>) -> Result<Dataset> {
        let dir = dir.as_ref();
        let classes = class_folders(dir)?;
        let mut decoded: Vec<(PathBuf, DynamicImage, i64)> = Vec::new();
        for (label, (_, folder)) in classes.iter().enumerate() {
            let before = decoded.len();
            for file in visible_entries(folder)?.into_iter().filter(|p| p.is_file()) {
                match decode(&file) {
                    Ok(image) => decoded.push((file, image, label as i64)),
                    Err(e) if self.skip_unreadable => eprintln!("warning: skipping {}: {e}", file.display()),
                    Err(e) => {
                        return Err(Error::input(
                            "ImageFolder",
                            format!(
                                "{} cannot be read as an image ({e}). Fix: remove or replace it, or read with \
                                 .skip_unreadable() to skip such files with a warning",
                                file.display()
                            ),
                        ))
                    }
                }
            }
            if decoded.len() == before {
                return Err(Error::input(
                    "ImageFolder",
                    format!(
                        "class folder {} holds no readable image (PNG or JPEG): add some or remove it",
                        folder.display()
                    ),
                ));
            }
        }
        let channels = self.channels.map_or_else(|| common_channels(&decoded), Ok)?;
        let (width, height) = self.size.unwrap_or_else(|| (decoded[0].1.width(), decoded[0].1.height()));
        if width == 0 || height == 0 {
            return Err(Error::config("ImageFolder::size", format!("{width}×{height}: give a size of at least 1×1")));
        }
        let per_image = channels.count() * (width * height) as usize;
        let mut values = Vec::with_capacity(decoded.len() * per_image);
        let (n, c) = (decoded.len(), channels.count());
        let mut labels = Vec::with_capacity(n);
        for (_, image, label) in decoded {
            let image = if (image.width(), image.height()) == (width, height) {
                image
            } else {
                image.resize_exact(width, height, FilterType::Triangle)
            };
            let pixels = match channels {
                Channels::Gray => image.into_luma8().into_raw(),
                Channels::Rgb => image.into_rgb8().into_raw(),
            };
            // Interleaved (H, W, C) bytes to channel-first (C, H, W).
            for ch in 0..c {
                values.extend(pixels.iter().skip(ch).step_by(c).map(|&v| v as f32 / 255.0));
            }
            labels.push(label);
        }
        let shape = [n as i64, c as i64, height as i64, width as i64];
        let samples = Tensor::from_slice(&values).view(shape).to_kind(Kind::Float);
        Dataset::new(samples, Tensor::from_slice(&labels))?.with_classes(classes.iter().map(|(name, _)| name))
    }
}

/// The class folders of `dir`, sorted by name.
fn class_folders(dir: &Path) -> Result<Vec<(String, PathBuf)>> {
    if !dir.is_dir() {
        return Err(Error::input(
            "ImageFolder",
            format!("{} is not a folder: give a folder with one subfolder of images per class", dir.display()),
        ));
    }
    let entries = visible_entries(dir)?;
    let folders: Vec<(String, PathBuf)> = entries
        .iter()
        .filter(|p| p.is_dir())
        .map(|p| (p.file_name().unwrap_or_default().to_string_lossy().into_owned(), p.clone()))
        .collect();
    let loose = entries.iter().filter(|p| p.is_file()).count();
    if folders.is_empty() {
        let what = if loose > 0 { format!("holds {loose} files but no class folder") } else { "is empty".into() };
        return Err(Error::input(
            "ImageFolder",
            format!(
                "{} {what}: put the images in one subfolder per class (e.g. {0}/cat/1.png, {0}/dog/2.png), \
                 or all of them in one subfolder when there are no classes",
                dir.display()
            ),
        ));
    }
    if loose > 0 {
        eprintln!("warning: ignoring {loose} file(s) at the top of {} (images go in class folders)", dir.display());
    }
    Ok(folders)
}

/// The entries of `dir` whose names do not start with a dot, sorted.
fn visible_entries(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut entries = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let path = entry.map_err(|e| Error::io(dir, e))?.path();
        if !path.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')) {
            entries.push(path);
        }
    }
    entries.sort();
    Ok(entries)
}

/// One image file, by its content (not its extension).
fn decode(path: &Path) -> std::result::Result<DynamicImage, String> {
    let reader = image::ImageReader::open(path).map_err(|e| e.to_string())?;
    let reader = reader.with_guessed_format().map_err(|e| e.to_string())?;
    if reader.format().is_none() {
        return Err("not a PNG or JPEG file".into());
    }
    reader.decode().map_err(|e| e.to_string())
}

/// The channels every image has, or an error naming a gray and a colour one.
fn common_channels(images: &[(PathBuf, DynamicImage, i64)]) -> Result<Channels> {
    let channels = |image: &DynamicImage| if image.color().has_color() { Channels::Rgb } else { Channels::Gray };
    let first = channels(&images[0].1);
    match images.iter().find(|(_, image, _)| channels(image) != first) {
        None => Ok(first),
        Some((other, image, _)) => Err(Error::input(
            "ImageFolder",
            format!(
                "{} is {:?} but {} is {:?}: choose one with .gray() or .rgb()",
                images[0].0.display(),
                first,
                other.display(),
                channels(image)
            ),
        )),
    }
}
