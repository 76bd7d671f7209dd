//! Checkpoints of a run: where they go, writing them atomically, reading them back to
//! resume, and removing old runs only when asked.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tch::Tensor;

use super::early_stopping::PatienceState;
use super::{Adam, History};
use crate::checkpoint::{self, Part};
use crate::models::{Autoencoder, ModelConfig};
use crate::{files, Error, Result};

/// Where and how often to checkpoint a run: `dir/checkpoint.safetensors` holds the model, the
/// optimizer's state and the history (written atomically), `dir/config.json` the model config.
#[derive(Debug, Clone, PartialEq)]
pub struct Checkpoints {
    /// The run's folder: `checkpoint.safetensors` (weights, optimizer state and history) goes there.
    pub dir: PathBuf,
    /// Save after every `every` epochs (and after the last).
    pub every: usize,
    /// Give each training run a new `run-…` folder inside `dir`, made when it starts
    /// ([`Checkpoints::per_run`]); `false`: `dir` is the run's folder.
    pub per_run: bool,
}

impl Checkpoints {
    /// Checkpoints in `dir` after every epoch.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Checkpoints { dir: dir.into(), every: 1, per_run: false }
    }

    /// Each training run in a new `run-<unix seconds>-<process>-<n>` folder under `root`,
    /// chosen when the run starts (and printed), checkpointed every epoch.
    pub fn per_run(root: impl Into<PathBuf>) -> Self {
        Checkpoints { dir: root.into(), every: 1, per_run: true }
    }

    /// The folder a run starting now writes to: a new one under `dir` when `per_run`.
    pub fn for_new_run(&self) -> Checkpoints {
        match self.per_run {
            true => Checkpoints { every: self.every, ..Checkpoints::new_run(&self.dir) },
            false => self.clone(),
        }
    }

    /// A new `run-<unix seconds>-<process>-<n>` folder under `root`, checkpointed every epoch.
    pub fn new_run(root: impl Into<PathBuf>) -> Checkpoints {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static RUNS: AtomicUsize = AtomicUsize::new(0);
        let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let name = format!("run-{secs:011}-{:07}-{:04}", std::process::id(), RUNS.fetch_add(1, Ordering::Relaxed));
        Checkpoints::new(root.into().join(name))
    }

    /// A run folder per training under `$AEKIT_CHECKPOINTS` ([`Checkpoints::per_run`]); `None`
    /// when the variable is unset. The "Rust (libtorch)" kernel sets it to the repository's
    /// `target/checkpoints/`, so notebook training loses at most one epoch to a crashed
    /// kernel. Reads the variable only: folders are made when training starts, and nothing is
    /// removed there except by [`Checkpoints::prune`].
    pub fn from_env() -> Option<Checkpoints> {
        std::env::var_os("AEKIT_CHECKPOINTS").filter(|v| !v.is_empty()).map(Checkpoints::per_run)
    }

    /// Removes all but the newest `keep` finished `run-…` folders under `root`, printing each
    /// one it removes, and returns them. It never touches a run that has not finished (it may
    /// be resumed), a run of this process, or anything not named `run-…`.
    pub fn prune(root: impl AsRef<Path>, keep: usize) -> Result<Vec<PathBuf>> {
        let root = root.as_ref();
        let entries = match std::fs::read_dir(root) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(Error::io(root, e)),
        };
        let ours = format!("-{:07}-", std::process::id());
        let mut finished: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("run-")))
            .filter(|p| p.file_name().is_some_and(|n| !n.to_string_lossy().contains(&ours)))
            .filter(|p| Checkpoints::new(p).finished())
            .collect();
        finished.sort();
        let extra = finished.len().saturating_sub(keep);
        let removed: Vec<PathBuf> = finished.into_iter().take(extra).collect();
        for old in &removed {
            std::fs::remove_dir_all(old).map_err(|e| Error::io(old, e))?;
            println!("removed finished run {}", old.display());
        }
        Ok(removed)
    }

    /// The checkpoint file.
    pub fn file(&self) -> PathBuf {
        self.dir.join("checkpoint.safetensors")
    }

    /// The history of the run saved here: how many epochs it completed, and their losses.
    pub fn history(&self) -> Result<History> {
        let path = self.file();
        Ok(RunState::of(&path, &checkpoint::read(&path, Part::Training)?)?.history)
    }

    /// True when the run saved here ran to its end (or stopped early). Runs written before
    /// aekit recorded this count as unfinished.
    fn finished(&self) -> bool {
        let path = self.file();
        checkpoint::read(&path, Part::Training).and_then(|f| RunState::of(&path, &f)).is_ok_and(|s| s.finished)
    }

    /// Writes the run: the model under `model.`, Adam's moments under `adam.`, the best
    /// weights (with early stopping) under `best.`, the state in the metadata.
    pub(crate) fn save(
        &self,
        model: &Autoencoder,
        adam: &Adam,
        best: Option<&[(String, Tensor)]>,
        state: &RunState,
    ) -> Result<()> {
        let config = model.config();
        let json = serde_json::to_string_pretty(config).map_err(|e| Error::checkpoint(&self.dir, e.to_string()))?;
        files::write_atomic(self.dir.join("config.json"), json.as_bytes())?;
        let vars = model.var_store().variables();
        let mut tensors: Vec<(String, Tensor)> = vars.into_iter().map(|(n, t)| (format!("model.{n}"), t)).collect();
        tensors.extend(adam.state().into_iter().map(|(n, t)| (format!("adam.{n}"), t)));
        if let Some(best) = best {
            tensors.extend(best.iter().map(|(n, t)| (format!("best.{n}"), t.shallow_clone())));
        }
        let run = serde_json::to_string(state).map_err(|e| Error::checkpoint(&self.dir, e.to_string()))?;
        let extra = HashMap::from([(RUN_STATE.to_string(), run)]);
        checkpoint::write(&self.file(), Part::Training, &config.to_json(), &tensors, extra)
    }

    /// Reads the run back into `model` and `adam`; returns its state and, when it kept them,
    /// the best weights.
    pub(crate) fn load(&self, model: &mut Autoencoder, adam: &mut Adam) -> Result<(RunState, Option<Weights>)> {
        let path = self.file();
        let file = checkpoint::read(&path, Part::Training)?;
        let config: ModelConfig = file.config(&path)?;
        if &config != model.config() {
            return Err(Error::checkpoint(
                &path,
                format!("was written for a {}, not this {}", config.describe(), model.config().describe()),
            ));
        }
        file.copy_named(&path, model.var_store().variables(), "model.")?;
        file.copy_named(&path, adam.state_targets(), "adam.")?;
        let state = RunState::of(&path, &file)?;
        adam.step = state.adam_step;
        let has_best = file.has_prefix("best.");
        let best = if has_best {
            let weights = snapshot(model);
            file.copy_named(&path, weights.iter().map(|(n, t)| (n.clone(), t.shallow_clone())).collect(), "best.")?;
            Some(weights)
        } else {
            None
        };
        Ok((state, best))
    }
}

/// A detached copy of a model's variables, sorted by name.
pub(crate) type Weights = Vec<(String, Tensor)>;

pub(crate) fn snapshot(model: &Autoencoder) -> Weights {
    let mut vars: Weights = model.var_store().variables().into_iter().map(|(n, t)| (n, t.detach().copy())).collect();
    vars.sort_by(|a, b| a.0.cmp(&b.0));
    vars
}

pub(crate) fn restore(model: &Autoencoder, weights: &[(String, Tensor)]) -> Result<()> {
    let vars = model.var_store().variables();
    for (name, value) in weights {
        if let Some(mut var) = vars.get(name).map(|v| v.shallow_clone()) {
            tch::no_grad(|| var.f_copy_(value))?;
        }
    }
    Ok(())
}

/// Where a run stands; saved in checkpoints.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct RunState {
    pub history: History,
    pub adam_step: i64,
    /// Early stopping's count (the field names are those of files written before it had a type).
    #[serde(flatten)]
    pub patience: PatienceState,
    /// The run reached its last epoch or stopped early.
    #[serde(default)]
    pub finished: bool,
}

const RUN_STATE: &str = "aekit.training";

impl RunState {
    fn of(path: &Path, file: &checkpoint::Checkpoint) -> Result<RunState> {
        let json = file.metadata.get(RUN_STATE).ok_or_else(|| Error::checkpoint(path, "lacks the run's state"))?;
        serde_json::from_str(json).map_err(|e| Error::checkpoint(path, format!("bad run state ({e})")))
    }
}
