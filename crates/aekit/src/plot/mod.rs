//! Figures: image grids (PNG), loss curves, scatter plots, histograms and line charts (SVG).
//! Each shows itself inline in a notebook ([`Show`](crate::display::Show)) and saves to a file.
//!
//! ```
//! use aekit::plot::{line_chart, ImageGrid};
//! use aekit::tch::{Device, Kind, Tensor};
//! let images = Tensor::rand([3, 1, 28, 28], (Kind::Float, Device::Cpu));
//! let png = ImageGrid::new().labels(["a", "b", "c"]).row("random", &images)?.render()?;
//! assert!(png.bytes.starts_with(b"\x89PNG"));
//! let svg = line_chart("y = x²", ("x", "y"), &[("x²", (0..10).map(|x| (x as f64, (x * x) as f64)).collect())], false)?;
//! assert!(svg.text.starts_with("<svg"));
//! # Ok::<(), aekit::Error>(())
//! ```

mod charts;

pub use charts::{histogram, latent_scatter, line_chart, side_by_side, Html, PALETTE};

use std::path::Path;
use std::sync::Once;

use ab_glyph::{point, Font, FontRef, PxScale, ScaleFont};
use plotters::prelude::*;
use tch::{Device, Kind, Tensor};

use crate::data::Dataset;
use crate::display::{Content, Show};
use crate::train::History;
use crate::{check, files, Error, Result};

/// A PNG image in memory.
#[derive(Clone)]
pub struct Png {
    /// The encoded PNG file.
    pub bytes: Vec<u8>,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

/// An SVG image in memory.
#[derive(Clone)]
pub struct Svg {
    /// The SVG document.
    pub text: String,
}

impl Png {
    /// Writes the PNG (atomically), creating parent folders.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        files::write_atomic(path, &self.bytes)
    }
}

impl Svg {
    /// Writes the SVG (atomically), creating parent folders.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        files::write_atomic(path, self.text.as_bytes())
    }
}

impl Show for Png {
    fn content(&self) -> Content {
        Content::Png(self.bytes.clone())
    }
}

impl Show for Svg {
    fn content(&self) -> Content {
        Content::Svg(self.text.clone())
    }
}

impl std::fmt::Debug for Png {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Png({}×{}, {} bytes)", self.width, self.height, self.bytes.len())
    }
}

impl std::fmt::Debug for Svg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Svg({} bytes)", self.text.len())
    }
}

const FONT: &str = "sans-serif";

/// Text needs a font on every machine: DejaVu Sans ships inside the crate.
fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The bundled font is valid; were it not, text would be skipped, not the figure.
        let _ = plotters::style::register_font(FONT, FontStyle::Normal, dejavu::sans::regular());
    });
}

fn draw_error<E: std::fmt::Debug>(e: E) -> Error {
    Error::input("plot", format!("drawing failed: {e:?}"))
}

/// Rows of 28×28 images, each row with a title, optionally with a label above each column.
///
/// ```no_run
/// # use aekit::prelude::*;
/// # fn main() -> aekit::Result<()> {
/// let data = FashionMnist::load()?;
/// let sample = data.test.one_per_class()?;
/// let png = ImageGrid::new().labels(sample.class_names()?).row("test images", &sample.images)?.render()?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Default)]
pub struct ImageGrid {
    rows: Vec<(String, Vec<u8>)>,
    labels: Vec<String>,
}

const SCALE: u32 = 3;
const TILE: u32 = 28 * SCALE;
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

    /// Adds a row: images `[N, 1, 28, 28]` with values in [0, 1], on any device.
    pub fn row(mut self, title: &str, images: &Tensor) -> Result<Self> {
        check::images(&format!("ImageGrid row {title:?}"), images)?;
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

    /// Draws the grid: dark images on a white page, titles left, labels on top.
    pub fn render(&self) -> Result<Png> {
        let columns = self.rows.iter().map(|(_, p)| p.len() / 784).max().unwrap_or(0).max(self.labels.len()) as u32;
        if columns == 0 {
            return Err(Error::input("ImageGrid", "has no images: add a row first"));
        }
        let top = if self.labels.is_empty() { GAP } else { TOP };
        let left = if self.rows.iter().all(|(title, _)| title.is_empty()) { GAP } else { LEFT };
        let (width, height) = (left + columns * (TILE + GAP), top + self.rows.len() as u32 * (TILE + GAP));
        let mut rgb = vec![255u8; (width * height * 3) as usize];
        for (r, (_, pixels)) in self.rows.iter().enumerate() {
            for (c, image) in pixels.chunks_exact(784).enumerate() {
                let (x0, y0) = (left + c as u32 * (TILE + GAP), top + r as u32 * (TILE + GAP));
                for y in 0..TILE {
                    for x in 0..TILE {
                        let v = image[((y / SCALE) * 28 + x / SCALE) as usize];
                        let at = (((y0 + y) * width + x0 + x) * 3) as usize;
                        rgb[at..at + 3].fill(v);
                    }
                }
            }
        }
        let font = FontRef::try_from_slice(dejavu::sans::regular()).map_err(draw_error)?;
        let mut canvas = Canvas { rgb: &mut rgb, width, height };
        for (c, label) in self.labels.iter().enumerate() {
            let x = (left + c as u32 * (TILE + GAP) + TILE / 2) as f32;
            canvas.text(&font, label, 13.0, (x, top as f32 / 2.0), true);
        }
        for (r, (title, _)) in self.rows.iter().enumerate() {
            let y = (top + r as u32 * (TILE + GAP) + TILE / 2) as f32;
            canvas.text(&font, title, 14.0, (8.0, y), false);
        }
        encode_png(&rgb, width, height)
    }
}

/// An RGB buffer to write text on.
struct Canvas<'a> {
    rgb: &'a mut [u8],
    width: u32,
    height: u32,
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
                if px >= 0 && py >= 0 && (px as u32) < self.width && (py as u32) < self.height {
                    let at = ((py as u32 * self.width + px as u32) * 3) as usize;
                    for v in &mut self.rgb[at..at + 3] {
                        *v = (*v as f32 * (1.0 - coverage.min(1.0))) as u8;
                    }
                }
            });
        }
    }
}

fn encode_png(rgb: &[u8], width: u32, height: u32) -> Result<Png> {
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(draw_error)?;
    writer.write_image_data(rgb).map_err(draw_error)?;
    writer.finish().map_err(draw_error)?;
    Ok(Png { bytes, width, height })
}

/// Originals on top, their reconstructions below, each column labelled with its class.
pub fn reconstruction_grid(originals: &Dataset, reconstructions: &Tensor) -> Result<Png> {
    ImageGrid::new()
        .labels(originals.class_names()?)
        .row("original", &originals.images)?
        .row("reconstructed", reconstructions)?
        .render()
}

/// Train and validation loss per epoch.
pub fn loss_curve(history: &History, y_label: &str) -> Result<Svg> {
    curve(history, y_label, false)
}

/// [`loss_curve`] with a logarithmic loss axis: for long runs, where the late epochs' small
/// gains vanish on a linear axis, and for losses spanning several orders of magnitude.
pub fn loss_curve_log(history: &History, y_label: &str) -> Result<Svg> {
    curve(history, y_label, true)
}

fn curve(history: &History, y_label: &str, log_y: bool) -> Result<Svg> {
    if history.epochs.is_empty() {
        return Err(Error::input("loss_curve", "the history has no epochs"));
    }
    register_font();
    let series = [
        ("train", history.train_loss(), RGBColor(31, 119, 180)),
        ("validation", history.val_loss(), RGBColor(255, 127, 14)),
    ];
    let values = series.iter().flat_map(|(_, v, _)| v.iter().copied());
    let (lo, hi) = values.fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if log_y && lo <= 0.0 {
        return Err(Error::input("loss_curve_log", format!("a loss of {lo} has no logarithm: use loss_curve")));
    }
    let pad = ((hi - lo) * 0.1).max(hi.abs() * 1e-3).max(1e-6);
    let n = history.epochs.len() as f64;
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, (640, 400)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_error)?;
        let mut builder = ChartBuilder::on(&root);
        builder.caption("Loss per epoch", (FONT, 20)).margin(12).x_label_area_size(40).y_label_area_size(64);
        macro_rules! draw {
            ($chart:expr) => {{
                let mut chart = $chart;
                chart
                    .configure_mesh()
                    .x_desc("epoch")
                    .y_desc(if log_y { format!("{y_label} (log scale)") } else { y_label.to_string() })
                    .x_labels(history.epochs.len().min(12))
                    .x_label_formatter(&|x| format!("{x:.0}"))
                    .y_label_formatter(&|y| format!("{y:.3}"))
                    .label_style((FONT, 13))
                    .draw()
                    .map_err(draw_error)?;
                for (name, ys, color) in &series {
                    let points: Vec<(f64, f64)> = ys.iter().enumerate().map(|(i, &y)| (i as f64 + 1.0, y)).collect();
                    charts::line_with_dots(&mut chart, name, &points, *color)?;
                }
                charts::draw_legend(&mut chart)?;
            }};
        }
        if log_y {
            draw!(builder.build_cartesian_2d(0.5..n + 0.5, (lo / 1.1..hi * 1.1).log_scale()).map_err(draw_error)?);
        } else {
            draw!(builder.build_cartesian_2d(0.5..n + 0.5, (lo - pad)..(hi + pad)).map_err(draw_error)?);
        }
        root.present().map_err(draw_error)?;
    }
    Ok(Svg { text })
}
