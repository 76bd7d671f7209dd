//! Inline display in Jupyter, at the bottom of the crate: a type that can be shown implements
//! [`Show`] beside its own definition, and a cell that ends with such a value shows it (evcxr
//! calls `evcxr_display`, which [`Show`] provides; the prelude brings it into scope). HTML is
//! escaped here and nowhere else. In aekit's kernel, what is shown reaches the notebook while
//! the cell runs ([`display`]), and a [`LiveDisplay`] can be replaced in place.
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

use std::sync::atomic::{AtomicU64, Ordering};

use base64::Engine;
use serde_json::{json, Map, Value};

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
        if !display(std::slice::from_ref(&content)) {
            println!("{}", content.block());
        }
    }
}

/// Shows `contents` (one per MIME type: e.g. text and HTML) in the notebook now, when in aekit's
/// kernel (`display_data`); returns false elsewhere, where nothing is sent.
pub fn display(contents: &[Content]) -> bool {
    crate::kernel::send("display_data", json!({ "data": bundle(contents), "metadata": {} }))
}

/// A display that later updates replace in place (`display_data` with a `display_id`, then
/// `update_display_data`), in aekit's kernel; elsewhere nothing is shown.
///
/// ```no_run
/// use aekit::display::{Content, LiveDisplay};
/// let status = LiveDisplay::show(&[Content::Text("step 1 of 3".into())]);
/// for step in 2..=3 {
///     status.update(&[Content::Text(format!("step {step} of 3"))]);
/// }
/// ```
#[derive(Debug)]
pub struct LiveDisplay {
    id: String,
}

impl LiveDisplay {
    /// Shows `contents` and keeps the spot.
    pub fn show(contents: &[Content]) -> LiveDisplay {
        // The kernel links each cell with its own copy of aekit, statics included: the counter
        // restarts in every cell, so the clock keeps ids of different cells apart.
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        let id = format!("aekit-{}-{nanos}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
        crate::kernel::send(
            "display_data",
            json!({ "data": bundle(contents), "metadata": {}, "transient": { "display_id": id } }),
        );
        LiveDisplay { id }
    }

    /// Replaces what the display shows.
    pub fn update(&self, contents: &[Content]) {
        let content = json!({ "data": bundle(contents), "metadata": {}, "transient": { "display_id": self.id } });
        crate::kernel::send("update_display_data", content);
    }

    /// Its display id.
    pub fn id(&self) -> &str {
        &self.id
    }
}

/// A MIME bundle: each content under its type (PNG in base64).
fn bundle(contents: &[Content]) -> Value {
    let mut data = Map::new();
    for c in contents {
        data.insert(c.mime().to_string(), Value::String(c.payload()));
    }
    Value::Object(data)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundles_hold_one_payload_per_type() {
        let b = bundle(&[Content::Text("t".into()), Content::Png(vec![1, 2, 3]), Content::Html("<b>h</b>".into())]);
        assert_eq!(b, json!({ "text/plain": "t", "image/png": "AQID", "text/html": "<b>h</b>" }));
        assert!(!display(&[Content::Text("outside the kernel".into())]));
    }
}
