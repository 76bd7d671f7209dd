//! Inline display in Jupyter, at the bottom of the crate: a type that can be shown implements
//! [`Show`] beside its own definition, and a cell that ends with such a value shows it (evcxr
//! calls `evcxr_display`, which [`Show`] provides; the prelude brings it into scope). HTML is
//! escaped here and nowhere else.
//!
//! ```
//! use aekit::display::{escape, mime_block, Content, Show};
//! struct Note(String);
//! impl Show for Note {
//!     fn content(&self) -> Content {
//!         Content::Html(format!("<b>{}</b>", escape(&self.0)))
//!     }
//! }
//! assert_eq!(Note("a < b".into()).content(), Content::Html("<b>a &lt; b</b>".into()));
//! assert_eq!(mime_block("text/html", "<b>hi</b>"), "EVCXR_BEGIN_CONTENT text/html\n<b>hi</b>\nEVCXR_END_CONTENT");
//! ```

use base64::Engine;

/// What a value looks like in a notebook: one MIME type and its payload.
#[derive(Debug, Clone, PartialEq)]
pub enum Content {
    /// An HTML fragment (already escaped where it holds text).
    Html(String),
    /// An SVG document.
    Svg(String),
    /// PNG file bytes.
    Png(Vec<u8>),
    /// Plain text.
    Text(String),
}

impl Content {
    /// The MIME type.
    pub fn mime(&self) -> &'static str {
        match self {
            Content::Html(_) => "text/html",
            Content::Svg(_) => "image/svg+xml",
            Content::Png(_) => "image/png",
            Content::Text(_) => "text/plain",
        }
    }

    /// The payload as text (binary payloads in base64).
    pub fn payload(&self) -> String {
        match self {
            Content::Html(s) | Content::Svg(s) | Content::Text(s) => s.clone(),
            Content::Png(bytes) => base64::engine::general_purpose::STANDARD.encode(bytes),
        }
    }

    /// The block evcxr reads from a cell's stdout.
    pub fn block(&self) -> String {
        mime_block(self.mime(), &self.payload())
    }
}

/// A value that shows itself inline in a notebook.
pub trait Show {
    /// What the value looks like.
    fn content(&self) -> Content;

    /// Shows the value (evcxr calls this on a cell's final value). In aekit's kernel it reaches
    /// the notebook at once, as `display_data`, so every value a cell shows appears, in order;
    /// elsewhere it is evcxr's block, shown when the cell ends.
    fn evcxr_display(&self) {
        let content = self.content();
        if !crate::kernel::display(std::slice::from_ref(&content)) {
            println!("{}", content.block());
        }
    }
}

/// The block evcxr reads from a cell's stdout: `EVCXR_BEGIN_CONTENT <mime>`, payload, end marker.
pub fn mime_block(mime: &str, payload: &str) -> String {
    format!("EVCXR_BEGIN_CONTENT {mime}\n{payload}\nEVCXR_END_CONTENT")
}

/// Text made safe to put inside HTML: `&`, `<`, `>` and quotes escaped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// An HTML `<table>` of text cells (escaped here), with numeric columns right-aligned.
pub fn html_table(columns: &[String], rows: &[Vec<String>], right_aligned: &[bool]) -> String {
    let mut html = String::from("<table><thead><tr>");
    for c in columns {
        html.push_str(&format!("<th>{}</th>", escape(c)));
    }
    html.push_str("</tr></thead><tbody>");
    for row in rows {
        html.push_str("<tr>");
        for (i, cell) in row.iter().enumerate() {
            let align = if right_aligned.get(i) == Some(&true) { " style=\"text-align:right\"" } else { "" };
            html.push_str(&format!("<td{align}>{}</td>", escape(cell)));
        }
        html.push_str("</tr>");
    }
    html.push_str("</tbody></table>");
    html
}
