//! The record of a run: one [`Epoch`] per epoch, and how the run ended.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::display::{Content, Show};
use crate::table::{Cell, Table};

/// What happened in one epoch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Epoch {
    /// Counted from 1.
    pub epoch: usize,
    /// Mean training loss over the epoch's batches.
    pub train_loss: f64,
    /// Mean loss on the validation set after the epoch.
    pub val_loss: f64,
    /// Mean of each named loss term over the epoch's batches.
    pub terms: Vec<(String, f64)>,
    /// The rate used in this epoch.
    pub learning_rate: f64,
    /// Wall time of the epoch (training and validation).
    pub seconds: f64,
}

impl Epoch {
    /// The line a run prints for this epoch, e.g. `epoch   3/10  train 0.2876  val 0.2869  1.92 s`.
    pub fn line(&self, epochs: usize) -> String {
        format!(
            "epoch {:>3}/{epochs}  train {:.4}  val {:.4}  {:.2} s",
            self.epoch, self.train_loss, self.val_loss, self.seconds
        )
    }
}

/// The per-epoch record of a training run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct History {
    /// One record per epoch, in order.
    pub epochs: Vec<Epoch>,
    /// With early stopping: the epoch whose weights the model ended with.
    pub best_epoch: Option<usize>,
    /// True when an observer (early stopping, a stop rule, an interrupt) ended the run before
    /// its last epoch.
    pub stopped_early: bool,
    /// Why the run stopped early, in words.
    #[serde(default)]
    pub stop_reason: Option<String>,
}

impl History {
    /// Training loss per epoch.
    pub fn train_loss(&self) -> Vec<f64> {
        self.epochs.iter().map(|e| e.train_loss).collect()
    }

    /// Validation loss per epoch.
    pub fn val_loss(&self) -> Vec<f64> {
        self.epochs.iter().map(|e| e.val_loss).collect()
    }

    /// The last epoch, if any.
    pub fn last(&self) -> Option<&Epoch> {
        self.epochs.last()
    }

    /// One row per epoch: epoch, train and validation loss, each extra term, learning rate,
    /// seconds (numbers, shown rounded). Save it with [`Table::save`].
    pub fn to_table(&self) -> Table {
        let terms = self.epochs.first().map(|e| e.terms.as_slice()).unwrap_or_default();
        let mut table = Table::new(
            ["epoch", "train loss", "validation loss"]
                .into_iter()
                .map(String::from)
                .chain(terms.iter().map(|(name, _)| name.clone()))
                .chain(["learning rate".into(), "seconds".into()]),
        );
        for e in &self.epochs {
            let mut row = vec![Cell::from(e.epoch), Cell::float(e.train_loss, 4), Cell::float(e.val_loss, 4)];
            row.extend((0..terms.len()).map(|i| e.terms.get(i).map_or(Cell::Empty, |t| Cell::float(t.1, 4))));
            row.extend([Cell::scientific(e.learning_rate, 2), Cell::float(e.seconds, 2)]);
            table.rows.push(row);
        }
        table
    }
}

impl fmt::Display for History {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "epoch  train loss  val loss  seconds")?;
        for e in &self.epochs {
            writeln!(f, "{:>5}  {:>10.4}  {:>8.4}  {:>7.2}", e.epoch, e.train_loss, e.val_loss, e.seconds)?;
        }
        Ok(())
    }
}

impl Show for History {
    /// A table, one row per epoch (see [`History::to_table`]).
    fn content(&self) -> Content {
        self.to_table().content()
    }
}
