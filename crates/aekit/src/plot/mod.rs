//! Figures: image grids, and charts (loss curves, scatter plots, histograms, line charts, series)
//! drawn with plotters, as SVG or as PNG ([`Figure`]). Each shows itself inline in a notebook
//! ([`Show`]) and saves to a file in the format its name says.
//!
//! ```
//! use aekit::plot::{line_chart, ImageGrid};
//! use aekit::tch::{Device, Kind, Tensor};
//! let images = Tensor::rand([3, 1, 28, 28], (Kind::Float, Device::Cpu));
//! let png = ImageGrid::new().labels(["a", "b", "c"]).row("random", &images)?.render()?;
//! assert!(png.bytes.starts_with(b"\x89PNG"));
//! let chart = line_chart("y = x²", ("x", "y"), &[("x²", (0..10).map(|x| (x as f64, (x * x) as f64)).collect())], false)?;
//! assert!(chart.svg()?.text.starts_with("<svg"));
//! assert!(chart.png()?.bytes.starts_with(b"\x89PNG")); // the same chart as a bitmap
//! # Ok::<(), aekit::Error>(())
//! ```

mod charts;
mod figure;
mod grid;

pub use charts::{
    class_color, histogram, latent_scatter, line_chart, loss_curve, loss_curve_log, series_chart,
    series_reconstructions, side_by_side, Html, PALETTE,
};
pub use figure::{Figure, Format};
pub use grid::{reconstruction_grid, ImageGrid};

use std::path::Path;
use std::sync::Once;

use plotters::style::FontStyle;

use crate::display::{Content, Show};
use crate::{files, Error, Result};

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
    /// Encodes an RGB image.
    pub fn encode(rgb: &image::RgbImage) -> Result<Png> {
        let mut bytes = Vec::new();
        rgb.write_to(&mut std::io::Cursor::new(&mut bytes), image::ImageFormat::Png).map_err(draw_error)?;
        Ok(Png { bytes, width: rgb.width(), height: rgb.height() })
    }

    /// Writes the image (atomically, creating parent folders) in the format its extension
    /// names: PNG as it is, JPEG (`.jpg`, `.jpeg`) converted.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        match image::ImageFormat::from_path(path) {
            Ok(image::ImageFormat::Png) => files::write_atomic(path, &self.bytes),
            Ok(format @ image::ImageFormat::Jpeg) => {
                let decoded = image::load_from_memory(&self.bytes).map_err(draw_error)?.to_rgb8();
                let mut bytes = Vec::new();
                decoded.write_to(&mut std::io::Cursor::new(&mut bytes), format).map_err(draw_error)?;
                files::write_atomic(path, &bytes)
            }
            _ => Err(Error::input(
                "save",
                format!("{}: name the file .png or .jpg (or .svg for a chart's Figure)", path.display()),
            )),
        }
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
