//! A made-up folder of images to try the folder path on: discs, squares and stripes, each
//! class in its own colour, at places and sizes drawn from a seed.
//!
//! ```no_run
//! let dir = std::env::temp_dir().join("shapes");
//! aekit::data::write_shapes(&dir, 50, 32, 0)?; // shapes/disc/0.png, shapes/square/0.png, …
//! let data = aekit::data::ImageFolder::load(&dir)?; // [150, 3, 32, 32]
//! # Ok::<(), aekit::Error>(())
//! ```

use std::path::Path;

use crate::rng::SplitMix;
use crate::{Error, Result};

/// The classes [`write_shapes`] draws, in folder (and label) order.
pub const SHAPES: [&str; 3] = ["disc", "square", "stripes"];

/// The page every shape is drawn on.
pub const SHAPES_BACKGROUND: [u8; 3] = [235, 235, 230];

/// Writes `per_class` PNG images of `size`×`size` pixels (RGB) for each of [`SHAPES`] into
/// `dir/<class>/<i>.png`, creating the folders; the same seed writes the same images.
pub fn write_shapes(dir: impl AsRef<Path>, per_class: usize, size: u32, seed: u64) -> Result<()> {
    let dir = dir.as_ref();
    if size < 8 {
        return Err(Error::config("write_shapes size", format!("{size} pixels: give at least 8")));
    }
    for (class, name) in SHAPES.iter().enumerate() {
        let folder = dir.join(name);
        std::fs::create_dir_all(&folder).map_err(|e| Error::io(&folder, e))?;
        for i in 0..per_class {
            let mut rng = SplitMix::new(seed ^ ((class as u64) << 32) ^ i as u64);
            let path = folder.join(format!("{i}.png"));
            let mut png = Vec::new();
            let image = shape(class, size, &mut rng);
            image
                .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
                .map_err(|e| Error::input("write_shapes", format!("PNG encoding failed: {e}")))?;
            crate::files::write_atomic(&path, &png)?;
        }
    }
    Ok(())
}

/// One image of class `class`.
fn shape(class: usize, size: u32, rng: &mut SplitMix) -> image::RgbImage {
    let mut pick = |lo: u32, span: u32| lo + rng.below(span.max(1) as u64) as u32;
    let radius = pick(size / 6, size / 6) as i64;
    let (cx, cy) = (pick(size / 3, size / 3) as i64, pick(size / 3, size / 3) as i64);
    let (period, phase) = (pick(4, size / 8), pick(0, 8));
    let colour = [[220, 60, 40], [40, 160, 70], [50, 90, 210]][class];
    image::RgbImage::from_fn(size, size, |x, y| {
        let (dx, dy) = (x as i64 - cx, y as i64 - cy);
        let inside = match class {
            0 => dx * dx + dy * dy <= radius * radius,
            1 => dx.abs() <= radius && dy.abs() <= radius,
            _ => (x + y + phase) / period % 2 == 0,
        };
        image::Rgb(if inside { colour } else { SHAPES_BACKGROUND })
    })
}
