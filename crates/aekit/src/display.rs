//! Inline display in Jupyter through evcxr: a value whose type has `evcxr_display` shows
//! itself when it ends a cell. Binary payloads are base64.
//!
//! ```
//! let block = aekit::display::mime_block("text/html", "<b>hi</b>");
//! assert_eq!(block, "EVCXR_BEGIN_CONTENT text/html\n<b>hi</b>\nEVCXR_END_CONTENT");
//! ```

use base64::Engine;

use crate::data::{FashionMnist, CLASS_NAMES};
use crate::plot::{Html, Png, Svg};
use crate::table::{html_escape, Table};
use crate::train::History;

/// The block evcxr reads from a cell's stdout: `EVCXR_BEGIN_CONTENT <mime>`, payload, end marker.
pub fn mime_block(mime: &str, payload: &str) -> String {
    format!("EVCXR_BEGIN_CONTENT {mime}\n{payload}\nEVCXR_END_CONTENT")
}

impl Png {
    /// What [`Png::evcxr_display`] prints.
    pub fn display_block(&self) -> String {
        mime_block("image/png", &base64::engine::general_purpose::STANDARD.encode(&self.bytes))
    }

    /// Shows the image inline in a notebook.
    pub fn evcxr_display(&self) {
        println!("{}", self.display_block());
    }
}

impl Svg {
    /// What [`Svg::evcxr_display`] prints.
    pub fn display_block(&self) -> String {
        mime_block("image/svg+xml", &self.text)
    }

    /// Shows the figure inline in a notebook.
    pub fn evcxr_display(&self) {
        println!("{}", self.display_block());
    }
}

impl Html {
    /// Shows the figures inline in a notebook.
    pub fn evcxr_display(&self) {
        println!("{}", mime_block("text/html", &self.text));
    }
}

impl Table {
    /// Shows the table inline in a notebook.
    pub fn evcxr_display(&self) {
        println!("{}", mime_block("text/html", &self.to_html()));
    }
}

impl History {
    /// An HTML table, one row per epoch (see [`History::to_table`]).
    pub fn to_html(&self) -> String {
        self.to_table().to_html()
    }

    /// Shows the table inline in a notebook.
    pub fn evcxr_display(&self) {
        println!("{}", mime_block("text/html", &self.to_html()));
    }
}

impl FashionMnist {
    /// Shows the splits and classes inline in a notebook.
    pub fn evcxr_display(&self) {
        let row = |name: &str, d: &crate::data::Dataset| {
            format!("<tr><td>{name}</td><td>{}</td><td>{:?}</td></tr>", d.len(), d.images.size())
        };
        let html = format!(
            "<p>Fashion-MNIST from <code>{}</code></p><table><thead><tr><th>split</th><th>images</th><th>shape</th></tr></thead><tbody>{}{}{}</tbody></table><p>classes: {}</p>",
            html_escape(&self.dir.display().to_string()),
            row("train", &self.train),
            row("validation", &self.validation),
            row("test", &self.test),
            html_escape(&CLASS_NAMES.join(", "))
        );
        println!("{}", mime_block("text/html", &html));
    }
}
