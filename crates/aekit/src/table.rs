//! Tables of results: typed cells (numbers stay numbers down to CSV and Parquet; rounding
//! happens only when a table is shown), inline in a notebook (HTML), printed (Markdown),
//! saved (CSV or Markdown; Parquet through [`frame`](crate::frame)).
//!
//! ```
//! use aekit::table::{Cell, Table};
//! let mut table = Table::new(["model", "test MSE", "epochs"]);
//! table.row([Cell::from("standard"), Cell::float(0.008493, 4), Cell::from(10)])?;
//! assert!(table.to_markdown().contains("| standard | 0.0085 | 10 |"));
//! assert!(table.to_csv().contains("standard,0.008493,10")); // the number itself, not its rounding
//! # Ok::<(), aekit::Error>(())
//! ```

use std::fmt;
use std::path::Path;

use crate::display::{html_table, Content, Show};
use crate::{files, Error, Result};

/// One cell: text, or a number with how it is shown.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text, as it is.
    Text(String),
    /// A whole number.
    Int(i64),
    /// A number shown with `decimals` decimals (`scientific`: as `1.23e-4`); stored in full.
    Float {
        /// The value.
        value: f64,
        /// Decimals shown.
        decimals: usize,
        /// Shown in scientific notation.
        scientific: bool,
    },
    /// No value.
    Empty,
}

impl Cell {
    /// A number shown with `decimals` decimals.
    pub fn float(value: f64, decimals: usize) -> Cell {
        Cell::Float { value, decimals, scientific: false }
    }

    /// A number shown in scientific notation with `decimals` decimals (`1.00e-3`).
    pub fn scientific(value: f64, decimals: usize) -> Cell {
        Cell::Float { value, decimals, scientific: true }
    }

    /// The number in the cell, if it holds one.
    pub fn number(&self) -> Option<f64> {
        match *self {
            Cell::Int(v) => Some(v as f64),
            Cell::Float { value, .. } => Some(value),
            _ => None,
        }
    }

    /// True for numbers and empty cells (they align right).
    fn numeric(&self) -> bool {
        !matches!(self, Cell::Text(_))
    }

    /// The value in full, as CSV holds it.
    fn raw(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Int(v) => v.to_string(),
            Cell::Float { value, .. } => value.to_string(),
            Cell::Empty => String::new(),
        }
    }
}

/// The cell as shown: numbers rounded as the cell says.
impl fmt::Display for Cell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cell::Text(s) => f.write_str(s),
            Cell::Int(v) => write!(f, "{v}"),
            Cell::Float { value, decimals, scientific: false } => write!(f, "{value:.decimals$}"),
            Cell::Float { value, decimals, scientific: true } => write!(f, "{value:.decimals$e}"),
            Cell::Empty => Ok(()),
        }
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_string())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}

impl From<&String> for Cell {
    fn from(s: &String) -> Self {
        Cell::Text(s.clone())
    }
}

/// A number shown with 4 decimals.
impl From<f64> for Cell {
    fn from(v: f64) -> Self {
        Cell::float(v, 4)
    }
}

macro_rules! int_cell {
    ($($t:ty),*) => {$(
        impl From<$t> for Cell {
            fn from(v: $t) -> Self {
                Cell::Int(v as i64)
            }
        }
    )*};
}

int_cell!(i32, i64, u32, usize);

impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(v: Option<T>) -> Self {
        v.map_or(Cell::Empty, Into::into)
    }
}

/// A table of cells under named columns.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    /// Column names.
    pub columns: Vec<String>,
    /// Rows of cells, one per column.
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// An empty table with these columns.
    pub fn new<S: ToString>(columns: impl IntoIterator<Item = S>) -> Self {
        Table { columns: columns.into_iter().map(|c| c.to_string()).collect(), rows: Vec::new() }
    }

    /// Appends a row; it must have one cell per column.
    pub fn row<C: Into<Cell>>(&mut self, cells: impl IntoIterator<Item = C>) -> Result<&mut Self> {
        let cells: Vec<Cell> = cells.into_iter().map(Into::into).collect();
        if cells.len() != self.columns.len() {
            return Err(Error::input(
                "Table::row",
                format!("{} cells for {} columns ({})", cells.len(), self.columns.len(), self.columns.join(", ")),
            ));
        }
        self.rows.push(cells);
        Ok(self)
    }

    /// The cells of the column named `name`, top to bottom.
    pub fn column(&self, name: &str) -> Option<Vec<&Cell>> {
        let i = self.columns.iter().position(|c| c == name)?;
        Some(self.rows.iter().map(|r| &r[i]).collect())
    }

    /// True when the column holds numbers only (and at least one).
    pub fn is_numeric(&self, column: usize) -> bool {
        self.rows.iter().any(|r| r[column].number().is_some()) && self.rows.iter().all(|r| r[column].numeric())
    }

    fn shown(&self) -> Vec<Vec<String>> {
        self.rows.iter().map(|r| r.iter().map(Cell::to_string).collect()).collect()
    }

    /// GitHub-flavoured Markdown; numeric columns are right-aligned.
    pub fn to_markdown(&self) -> String {
        let escape = |s: &str| s.replace('|', "\\|");
        let line =
            |cells: &[String]| format!("| {} |", cells.iter().map(|c| escape(c)).collect::<Vec<_>>().join(" | "));
        let mut out = line(&self.columns) + "\n|";
        for i in 0..self.columns.len() {
            out.push_str(if self.is_numeric(i) { "---:|" } else { "---|" });
        }
        for row in self.shown() {
            out.push('\n');
            out.push_str(&line(&row));
        }
        out.push('\n');
        out
    }

    /// An HTML `<table>` (escaped), numbers right-aligned.
    pub fn to_html(&self) -> String {
        let right: Vec<bool> = (0..self.columns.len()).map(|i| self.is_numeric(i)).collect();
        html_table(&self.columns, &self.shown(), &right)
    }

    /// CSV (RFC 4180 quoting), numbers in full.
    pub fn to_csv(&self) -> String {
        let quote = |s: String| {
            if s.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", s.replace('"', "\"\""))
            } else {
                s
            }
        };
        let line = |cells: Vec<String>| cells.into_iter().map(quote).collect::<Vec<_>>().join(",") + "\n";
        std::iter::once(line(self.columns.clone()))
            .chain(self.rows.iter().map(|r| line(r.iter().map(Cell::raw).collect())))
            .collect()
    }

    /// Writes Markdown (`.md`) or CSV (any other extension but `.parquet`), atomically.
    /// Parquet: `aekit::frame::save(&table.to_dataframe()?, path)` (the `polars` feature).
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let ext = path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase());
        let text = match ext.as_deref() {
            Some("md") => self.to_markdown(),
            Some("parquet") => {
                return Err(Error::config(
                    "Table::save",
                    format!(
                        "{} is Parquet: save it with aekit::frame::save(&table.to_dataframe()?, path) \
                         (aekit's `polars` feature), or as .csv",
                        path.display()
                    ),
                ))
            }
            _ => self.to_csv(),
        };
        files::write_atomic(path, text.as_bytes())
    }
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_markdown())
    }
}

impl Show for Table {
    fn content(&self) -> Content {
        Content::Html(self.to_html())
    }
}
