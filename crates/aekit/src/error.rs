//! One error type for the crate. Every message says what went wrong, where, and how to fix it.

use std::path::{Path, PathBuf};

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in aekit.
#[derive(Debug, thiserror::Error)]
#[allow(missing_docs)] // each variant's doc names its fields
pub enum Error {
    /// No folder holds the Fashion-MNIST files.
    #[error(
        "Fashion-MNIST not found. Looked in:\n{looked}\n\
         Fix: run `make data` in the aekit repository (installs Debian's dataset-fashion-mnist \
         or downloads the files), or set AEKIT_DATA to a folder holding \
         train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz \
         and t10k-labels-idx1-ubyte.gz."
    )]
    DataNotFound {
        /// One line per place looked, with why it did not qualify.
        looked: String,
    },

    /// A data file exists but its content is wrong.
    #[error("{}: {problem}", path.display())]
    CorruptData { path: PathBuf, problem: String },

    /// Reading or writing a file failed.
    #[error("{}: {source}{}", path.display(), io_hint(source))]
    Io { path: PathBuf, source: std::io::Error },

    /// A download failed; nothing half-written was kept.
    #[error("download of {url} failed: {problem}")]
    Download { url: String, problem: String },

    /// A configuration value is out of range; caught before any tensor is built.
    #[error("invalid {field}: {problem}")]
    Config { field: String, problem: String },

    /// A tensor given to the crate has the wrong shape, dtype, device or values.
    #[error("{what}: {problem}")]
    Input { what: String, problem: String },

    /// A checkpoint file cannot be loaded into this model.
    #[error("checkpoint {}: {problem}", path.display())]
    Checkpoint { path: PathBuf, problem: String },

    /// Training stopped because the loss stopped being a number. The model holds the weights
    /// it had before that epoch; the last checkpoint, if any, is untouched.
    #[error(
        "training diverged at epoch {epoch}, batch {batch}: the loss became {loss}. The model was put back as it was before epoch {epoch}{}; lower the learning rate and train (or resume) again.",
        checkpoint.as_ref().map(|p| format!(" and the last good checkpoint is {}", p.display())).unwrap_or_default()
    )]
    Diverged { epoch: usize, batch: usize, loss: f64, checkpoint: Option<PathBuf> },

    /// Training was interrupted (■ in aekit's kernel). The model holds the weights of its last
    /// whole epoch, checkpointed when the run has checkpoints; `resume` continues from there.
    #[error("{}", interrupted(*epoch, checkpoint.as_deref()))]
    Interrupted { epoch: usize, checkpoint: Option<PathBuf> },

    /// libtorch raised an exception.
    #[error("libtorch: {0}")]
    Torch(#[from] tch::TchError),
}

/// An interrupt's message: where the model stands and how to go on.
fn interrupted(epoch: usize, checkpoint: Option<&std::path::Path>) -> String {
    match (epoch, checkpoint) {
        (0, _) => "interrupted during epoch 1: the model is as it was before training".into(),
        (_, Some(file)) => format!(
            "interrupted after epoch {epoch}: the model holds the weights of epoch {epoch}, checkpointed in {} (resume() continues the run)",
            file.display()
        ),
        (_, None) => format!("interrupted after epoch {epoch}: the model holds the weights of epoch {epoch}"),
    }
}

/// What to do about the common I/O failures.
fn io_hint(e: &std::io::Error) -> &'static str {
    match e.kind() {
        std::io::ErrorKind::PermissionDenied => {
            " (this user may not read or write it: check its owner and mode, e.g. `chmod u+rw`)"
        }
        std::io::ErrorKind::StorageFull => " (the disk is full: free some space)",
        _ => "",
    }
}

impl Error {
    pub(crate) fn io(path: impl AsRef<Path>, source: std::io::Error) -> Self {
        Error::Io { path: path.as_ref().to_path_buf(), source }
    }

    pub(crate) fn corrupt(path: impl AsRef<Path>, problem: impl Into<String>) -> Self {
        Error::CorruptData { path: path.as_ref().to_path_buf(), problem: problem.into() }
    }

    pub(crate) fn config(field: impl Into<String>, problem: impl Into<String>) -> Self {
        Error::Config { field: field.into(), problem: problem.into() }
    }

    pub(crate) fn input(what: impl Into<String>, problem: impl Into<String>) -> Self {
        Error::Input { what: what.into(), problem: problem.into() }
    }

    pub(crate) fn checkpoint(path: impl AsRef<Path>, problem: impl Into<String>) -> Self {
        Error::Checkpoint { path: path.as_ref().to_path_buf(), problem: problem.into() }
    }
}
