//! A chart that renders either way: SVG (sharp, small for a few series) or PNG (for thousands
//! of points, where SVG grows to megabytes and slows the browser). plotters draws both from
//! the same code, on its SVG backend or plotters-bitmap's.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters_bitmap::BitMapBackend;

use super::{draw_error, register_font, Png, Svg};
use crate::display::{Content, Show};
use crate::Result;

/// How a [`Figure`] shows itself in a notebook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Vector graphics.
    Svg,
    /// A bitmap.
    Png,
}

/// What a chart draws, on any plotters backend.
pub(super) trait Draw {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>;
}

/// A [`Draw`] behind a pointer: plotters' backends are type parameters, so each chart is
/// rendered through this.
trait Render {
    fn svg(&self, size: (u32, u32)) -> Result<String>;
    fn rgb(&self, size: (u32, u32)) -> Result<Vec<u8>>;
}

impl<T: Draw> Render for T {
    fn svg(&self, size: (u32, u32)) -> Result<String> {
        register_font();
        let mut text = String::new();
        {
            let root = SVGBackend::with_string(&mut text, size).into_drawing_area();
            self.draw(&root)?;
            root.present().map_err(draw_error)?;
        }
        Ok(text)
    }

    fn rgb(&self, size: (u32, u32)) -> Result<Vec<u8>> {
        register_font();
        let mut buffer = vec![255; size.0 as usize * size.1 as usize * 3];
        {
            let root = BitMapBackend::with_buffer(&mut buffer, size).into_drawing_area();
            self.draw(&root)?;
            root.present().map_err(draw_error)?;
        }
        Ok(buffer)
    }
}

/// A chart: render it as SVG or PNG, save it (`.svg`, `.png`, `.jpg`), or end a cell with it.
pub struct Figure {
    chart: Box<dyn Render>,
    size: (u32, u32),
    format: Format,
}

impl Figure {
    pub(super) fn new(chart: impl Draw + 'static, size: (u32, u32), format: Format) -> Self {
        Figure { chart: Box::new(chart), size, format }
    }

    /// The chart as SVG.
    pub fn svg(&self) -> Result<Svg> {
        Ok(Svg { text: self.chart.svg(self.size)? })
    }

    /// The chart as a PNG bitmap.
    pub fn png(&self) -> Result<Png> {
        let rgb = self.chart.rgb(self.size)?;
        let image = image::RgbImage::from_raw(self.size.0, self.size.1, rgb)
            .ok_or_else(|| draw_error("the bitmap does not match its size"))?;
        Png::encode(&image)
    }

    /// How it shows itself in a notebook.
    pub fn format(&self) -> Format {
        self.format
    }

    /// The same chart, shown in a notebook as `format`.
    pub fn shown_as(mut self, format: Format) -> Self {
        self.format = format;
        self
    }

    /// Writes the chart in the format the extension names: `.svg`, else a bitmap (`.png`,
    /// `.jpg`); atomically, creating parent folders.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("svg")) {
            self.svg()?.save(path)
        } else {
            self.png()?.save(path)
        }
    }

    /// What [`Show`] shows, or the error that kept it from rendering.
    pub(super) fn render(&self) -> Result<Content> {
        Ok(match self.format {
            Format::Svg => Content::Svg(self.svg()?.text),
            Format::Png => Content::Png(self.png()?.bytes),
        })
    }
}

impl Show for Figure {
    /// The chart in its [`Format`]; a chart that cannot be drawn shows why.
    fn content(&self) -> Content {
        self.render().unwrap_or_else(|e| Content::Text(e.to_string()))
    }
}

impl std::fmt::Debug for Figure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Figure({}×{}, shown as {:?})", self.size.0, self.size.1, self.format)
    }
}
