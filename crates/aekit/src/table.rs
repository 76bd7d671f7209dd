//! Tables of results: shown inline in a notebook (HTML), printed (Markdown), saved (CSV).

use std::fmt;
use std::path::Path;

use crate::{files, Error, Result};

/// A table of text cells under named columns.
///
/// ```
/// let mut table = aekit::table::Table::new(["model", "test MSE"]);
/// table.row(["standard", "0.0085"]).unwrap();
/// assert!(table.to_markdown().contains("| standard | 0.0085 |"));
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    /// Column names.
    pub columns: Vec<String>,
    /// Rows of cells, one per column.
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// An empty table with these columns.
    pub fn new<S: ToString>(columns: impl IntoIterator<Item = S>) -> Self {
        Table { columns: columns.into_iter().map(|c| c.to_string()).collect(), rows: Vec::new() }
    }

    /// Appends a row; it must have one cell per column.
    pub fn row<S: ToString>(&mut self, cells: impl IntoIterator<Item = S>) -> Result<&mut Self> {
        let cells: Vec<String> = cells.into_iter().map(|c| c.to_string()).collect();
        if cells.len() != self.columns.len() {
            return Err(Error::input(
                "Table::row",
                format!("{} cells for {} columns ({})", cells.len(), self.columns.len(), self.columns.join(", ")),
            ));
        }
        self.rows.push(cells);
        Ok(self)
    }

    /// GitHub-flavoured Markdown; numbers are right-aligned.
    pub fn to_markdown(&self) -> String {
        let escape = |s: &str| s.replace('|', "\\|");
        let mut out = format!("| {} |\n|", self.columns.iter().map(|c| escape(c)).collect::<Vec<_>>().join(" | "));
        for i in 0..self.columns.len() {
            out.push_str(if self.numeric(i) { "---:|" } else { "---|" });
        }
        for row in &self.rows {
            out.push_str(&format!("\n| {} |", row.iter().map(|c| escape(c)).collect::<Vec<_>>().join(" | ")));
        }
        out.push('\n');
        out
    }

    /// An HTML `<table>`.
    pub fn to_html(&self) -> String {
        let mut html = String::from("<table><thead><tr>");
        for c in &self.columns {
            html.push_str(&format!("<th>{}</th>", html_escape(c)));
        }
        html.push_str("</tr></thead><tbody>");
        for row in &self.rows {
            html.push_str("<tr>");
            for (i, cell) in row.iter().enumerate() {
                let align = if self.numeric(i) { " style=\"text-align:right\"" } else { "" };
                html.push_str(&format!("<td{align}>{}</td>", html_escape(cell)));
            }
            html.push_str("</tr>");
        }
        html.push_str("</tbody></table>");
        html
    }

    /// CSV (RFC 4180 quoting).
    pub fn to_csv(&self) -> String {
        let quote = |s: &String| {
            if s.contains([',', '"', '\n']) {
                format!("\"{}\"", s.replace('"', "\"\""))
            } else {
                s.clone()
            }
        };
        let line = |cells: &[String]| cells.iter().map(quote).collect::<Vec<_>>().join(",") + "\n";
        std::iter::once(line(&self.columns)).chain(self.rows.iter().map(|r| line(r))).collect()
    }

    /// Writes Markdown (`.md`), Parquet (`.parquet`, with the `polars` feature) or CSV (any
    /// other extension), atomically.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("parquet")) {
            #[cfg(feature = "polars")]
            return crate::frame::save(&crate::frame::ToDataFrame::to_dataframe(self)?, path);
            #[cfg(not(feature = "polars"))]
            return Err(Error::config(
                "Table::save",
                format!(
                    "{} is Parquet, which needs aekit's `polars` feature (features = [\"polars\"]); or save as .csv",
                    path.display()
                ),
            ));
        }
        let text = if path.extension().is_some_and(|e| e == "md") { self.to_markdown() } else { self.to_csv() };
        files::write_atomic(path, text.as_bytes())
    }

    fn numeric(&self, column: usize) -> bool {
        !self.rows.is_empty()
            && self.rows.iter().all(|r| {
                let c = r[column].trim().trim_end_matches('%').trim_start_matches('±');
                c.split_once(" ± ").map_or(c, |(a, _)| a).parse::<f64>().is_ok()
            })
    }
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_markdown())
    }
}

pub(crate) fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}
