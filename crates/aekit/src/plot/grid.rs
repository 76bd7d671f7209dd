//! Image grids: rows of images with titles and labels, drawn into an `image` buffer.

use ab_glyph::{point, Font, FontRef, PxScale, ScaleFont};
use tch::{Device, Kind, Tensor};

use super::{draw_error, Png};
use crate::data::Dataset;
use crate::{check, Error, Result};

/// Rows of images (gray or RGB, of one size per grid), each row with a title, optionally with
/// a label above each column.
///
/// ```no_run
/// # use aekit::prelude::*;
/// # fn main() -> aekit::Result<()> {
/// let data = FashionMnist::load()?;
/// let sample = data.test.one_per_class()?;
/// let png = ImageGrid::new().labels(sample.class_names()?).row("test images", &sample.samples)?.render()?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Default)]
pub struct ImageGrid {
    rows: Vec<(String, Vec<u8>)>,
    labels: Vec<String>,
    /// Channels, height and width of every image.
    shape: Option<[usize; 3]>,
}

/// Pixels on a tile's longer side at least (small images are scaled up by whole factors).
const TILE_SIDE: usize = 84;
const GAP: u32 = 6;
const LEFT: u32 = 120;
const TOP: u32 = 26;

impl ImageGrid {
    /// An empty grid; add rows with [`ImageGrid::row`].
    pub fn new() -> Self {
        Self::default()
    }

    /// Labels written above the columns (e.g. class names).
    pub fn labels<S: ToString>(mut self, labels: impl IntoIterator<Item = S>) -> Self {
        self.labels = labels.into_iter().map(|s| s.to_string()).collect();
        self
    }

    /// Adds a row: images `[N, C, H, W]` (C = 1 gray or 3 RGB) with values in [0, 1], on any
    /// device; every row of a grid has images of one shape.
    pub fn row(mut self, title: &str, images: &Tensor) -> Result<Self> {
        let what = format!("ImageGrid row {title:?}");
        check::images(&what, images)?;
        let size = images.size();
        let shape = [size[1] as usize, size[2] as usize, size[3] as usize];
        match self.shape {
            Some(first) if first != shape => {
                return Err(Error::input(
                    what,
                    format!("images of {shape:?}, but the grid's first row has {first:?}: give every row one shape"),
                ))
            }
            _ => self.shape = Some(shape),
        }
        let pixels = images
            .f_to_device(Device::Cpu)?
            .f_clamp(0.0, 1.0)?
            .f_mul_scalar(255.0)?
            .f_round()?
            .f_to_kind(Kind::Uint8)?
            .f_flatten(0, -1)?;
        self.rows.push((title.to_string(), Vec::<u8>::try_from(&pixels)?));
        Ok(self)
    }

    /// Lays `images` out `columns` to a row, without titles (e.g. samples, a manifold).
    pub fn tiles(images: &Tensor, columns: usize) -> Result<Self> {
        check::images("ImageGrid::tiles", images)?;
        if columns == 0 {
            return Err(Error::input("ImageGrid::tiles", "columns must be at least 1"));
        }
        let n = images.size()[0];
        let mut grid = ImageGrid::new();
        for start in (0..n).step_by(columns) {
            grid = grid.row("", &images.narrow(0, start, (n - start).min(columns as i64)))?;
        }
        Ok(grid)
    }

    /// Draws the grid: images on a white page, titles left, labels on top.
    pub fn render(&self) -> Result<Png> {
        let Some([channels, h, w]) = self.shape else {
            return Err(Error::input("ImageGrid", "has no images: add a row first"));
        };
        let values = channels * h * w;
        let scale = (TILE_SIDE / h.max(w)).max(1);
        let (tile_w, tile_h) = ((w * scale) as u32, (h * scale) as u32);
        let columns = self.rows.iter().map(|(_, p)| p.len() / values).max().unwrap_or(0).max(self.labels.len()) as u32;
        let top = if self.labels.is_empty() { GAP } else { TOP };
        let left = if self.rows.iter().all(|(title, _)| title.is_empty()) { GAP } else { LEFT };
        let (width, height) = (left + columns * (tile_w + GAP), top + self.rows.len() as u32 * (tile_h + GAP));
        let mut rgb = image::RgbImage::from_pixel(width, height, image::Rgb([255, 255, 255]));
        for (r, (_, pixels)) in self.rows.iter().enumerate() {
            for (c, image) in pixels.chunks_exact(values).enumerate() {
                let (x0, y0) = (left + c as u32 * (tile_w + GAP), top + r as u32 * (tile_h + GAP));
                for y in 0..tile_h {
                    for x in 0..tile_w {
                        let at = (y as usize / scale) * w + x as usize / scale;
                        // Channel-first layout: a gray image repeats its one channel.
                        let v = |ch: usize| image[(ch % channels) * h * w + at];
                        rgb.put_pixel(x0 + x, y0 + y, image::Rgb([v(0), v(1), v(2)]));
                    }
                }
            }
        }
        let font = FontRef::try_from_slice(dejavu::sans::regular()).map_err(draw_error)?;
        let mut canvas = Canvas { rgb: &mut rgb };
        for (c, label) in self.labels.iter().enumerate() {
            let x = (left + c as u32 * (tile_w + GAP) + tile_w / 2) as f32;
            canvas.text(&font, label, 13.0, (x, top as f32 / 2.0), true);
        }
        for (r, (title, _)) in self.rows.iter().enumerate() {
            let y = (top + r as u32 * (tile_h + GAP) + tile_h / 2) as f32;
            canvas.text(&font, title, 14.0, (8.0, y), false);
        }
        Png::encode(&rgb)
    }
}

/// An RGB image to write text on.
struct Canvas<'a> {
    rgb: &'a mut image::RgbImage,
}

impl Canvas<'_> {
    /// Black anti-aliased text, vertically centred on `at.1`, starting at (or centred on) `at.0`.
    fn text(&mut self, font: &FontRef, text: &str, size: f32, at: (f32, f32), centred: bool) {
        let scaled = font.as_scaled(PxScale::from(size));
        let mut glyphs = Vec::new();
        let mut x = 0.0;
        let mut previous = None;
        for ch in text.chars() {
            let id = scaled.glyph_id(ch);
            if let Some(prev) = previous {
                x += scaled.kern(prev, id);
            }
            glyphs.push(id.with_scale_and_position(size, point(x, 0.0)));
            x += scaled.h_advance(id);
            previous = Some(id);
        }
        let left = if centred { at.0 - x / 2.0 } else { at.0 };
        let baseline = at.1 + (scaled.ascent() + scaled.descent()) / 2.0;
        for mut glyph in glyphs {
            glyph.position = point(left + glyph.position.x, baseline);
            let Some(outline) = font.outline_glyph(glyph) else { continue };
            let bounds = outline.px_bounds();
            outline.draw(|gx, gy, coverage| {
                let (px, py) = (bounds.min.x as i64 + gx as i64, bounds.min.y as i64 + gy as i64);
                if px >= 0 && py >= 0 && (px as u32) < self.rgb.width() && (py as u32) < self.rgb.height() {
                    for v in &mut self.rgb.get_pixel_mut(px as u32, py as u32).0 {
                        *v = (*v as f32 * (1.0 - coverage.min(1.0))) as u8;
                    }
                }
            });
        }
    }
}

/// Originals on top, their reconstructions below, each column labelled with its class (when
/// the data has classes).
pub fn reconstruction_grid(originals: &Dataset, reconstructions: &Tensor) -> Result<Png> {
    let labels = if originals.is_labeled() { originals.class_names()? } else { Vec::new() };
    ImageGrid::new().labels(labels).row("original", &originals.samples)?.row("reconstructed", reconstructions)?.render()
}
