//! A model's summary: layers, output shapes and parameter counts (like Keras' `model.summary()`).

use std::fmt;

use crate::display::{escape, html_table, Content, Show};

/// One line of a model summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerRow {
    /// The layer's path, e.g. `encoder.fc1`.
    pub name: String,
    /// Output shape; `-1` is the batch.
    pub output: Vec<i64>,
    /// Trainable values in the layer.
    pub parameters: i64,
}

/// Layers, output shapes and parameter counts of a model (like Keras' `model.summary()`).
#[derive(Debug, Clone)]
pub struct Summary {
    /// What the model is, e.g. `dense autoencoder 784 → 64 → 784`.
    pub title: String,
    /// One row per layer, encoder first.
    pub rows: Vec<LayerRow>,
}

impl Summary {
    /// Trainable values in the whole model.
    pub fn parameters(&self) -> i64 {
        self.rows.iter().map(|r| r.parameters).sum()
    }
}

impl Show for Summary {
    /// The title, then a table of layers, output shapes and parameter counts.
    fn content(&self) -> Content {
        let rows: Vec<Vec<String>> =
            self.rows.iter().map(|r| vec![r.name.clone(), shape(&r.output), r.parameters.to_string()]).collect();
        let columns = ["layer", "output shape", "parameters"].map(String::from);
        Content::Html(format!(
            "<p><b>{}</b></p>{}<p>total parameters: {}</p>",
            escape(&self.title),
            html_table(&columns, &rows, &[false, false, true]),
            self.parameters()
        ))
    }
}

fn shape(dims: &[i64]) -> String {
    let parts: Vec<String> = dims.iter().map(|&d| if d < 0 { "N".to_string() } else { d.to_string() }).collect();
    format!("[{}]", parts.join(", "))
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.title)?;
        writeln!(f, "{:<24} {:<20} {:>10}", "layer", "output shape", "parameters")?;
        for r in &self.rows {
            writeln!(f, "{:<24} {:<20} {:>10}", r.name, shape(&r.output), r.parameters)?;
        }
        write!(f, "total parameters: {}", self.parameters())
    }
}
