//! Weights on disk: safetensors (no pickle, no code runs on load) with a config (JSON) in the
//! file's metadata, so a file says what it holds. Written atomically. This layer knows tensors,
//! parts and JSON, not model kinds: the models parse their config themselves.
//!
//! ```
//! use aekit::prelude::*;
//! let dir = std::env::temp_dir().join(format!("aekit-doc-ckpt-{}", std::process::id()));
//! let model = Autoencoder::new(DenseConfig::standard(8), Device::Cpu)?;
//! model.save(dir.join("model.safetensors"))?;
//! let again = Autoencoder::load(dir.join("model.safetensors"), Device::Cpu)?; // config from the file
//! assert_eq!(again.config(), model.config());
//! # std::fs::remove_dir_all(dir).unwrap();
//! # Ok::<(), aekit::Error>(())
//! ```

use std::collections::HashMap;
use std::path::Path;

use safetensors::tensor::{Dtype, SafeTensors, TensorView};
use tch::{nn::VarStore, Device, Kind, Tensor};

use crate::{files, Error, Result};

/// What a checkpoint file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// A whole model: encoder and decoder.
    Autoencoder,
    /// The encoder alone ([`crate::models::Encoder`]).
    Encoder,
    /// The decoder alone ([`crate::models::Decoder`]).
    Decoder,
    /// A training run: the model, the optimizer's state and the history so far.
    Training,
}

impl Part {
    const ALL: [Part; 4] = [Part::Autoencoder, Part::Encoder, Part::Decoder, Part::Training];

    fn name(self) -> &'static str {
        match self {
            Part::Autoencoder => "autoencoder",
            Part::Encoder => "encoder",
            Part::Decoder => "decoder",
            Part::Training => "training",
        }
    }

    /// How to load a file that holds this part.
    fn loader(self) -> &'static str {
        match self {
            Part::Autoencoder => "`Autoencoder::load`",
            Part::Encoder => "`Encoder::load`",
            Part::Decoder => "`Decoder::load`",
            Part::Training => "`train::resume`",
        }
    }
}

const FORMAT: &str = "aekit.format";
const PART: &str = "aekit.part";
const CONFIG: &str = "aekit.config";

/// Writes every variable of `vs`, with `part` and `config` (JSON) in the metadata.
pub(crate) fn save(path: &Path, part: Part, config: &str, vs: &VarStore) -> Result<()> {
    let mut vars: Vec<(String, Tensor)> = vs.variables().into_iter().collect();
    vars.sort_by(|a, b| a.0.cmp(&b.0));
    write(path, part, config, &vars, HashMap::new())
}

/// Writes named tensors as f32 with `part`, `config` and `extra` in the metadata.
pub(crate) fn write(
    path: &Path,
    part: Part,
    config: &str,
    tensors: &[(String, Tensor)],
    mut extra: HashMap<String, String>,
) -> Result<()> {
    let fail = |e: String| Error::checkpoint(path, e);
    let mut owned: Vec<(&str, Vec<usize>, Vec<u8>)> = Vec::new();
    for (name, tensor) in tensors {
        let t = tensor.f_to_device(Device::Cpu)?.f_to_kind(Kind::Float)?.f_contiguous()?;
        let shape = t.size().iter().map(|&d| d as usize).collect();
        let values = Vec::<f32>::try_from(&t.f_flatten(0, -1)?)?;
        owned.push((name, shape, values.iter().flat_map(|v| v.to_le_bytes()).collect()));
    }
    let views = owned
        .iter()
        .map(|(n, s, b)| Ok((*n, TensorView::new(Dtype::F32, s.clone(), b).map_err(|e| fail(e.to_string()))?)))
        .collect::<Result<Vec<_>>>()?;
    extra.insert(FORMAT.into(), "1".into());
    extra.insert(PART.into(), part.name().into());
    extra.insert(CONFIG.into(), config.to_string());
    let bytes = safetensors::tensor::serialize(views, &Some(extra)).map_err(|e| fail(e.to_string()))?;
    files::write_atomic(path, &bytes)
}

/// A checkpoint read back: the file's bytes and what its metadata says.
pub(crate) struct Checkpoint {
    bytes: Vec<u8>,
    config: String,
    pub metadata: HashMap<String, String>,
}

/// Reads a checkpoint, checking it is an aekit file holding `part`.
pub(crate) fn read(path: &Path, part: Part) -> Result<Checkpoint> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    if matches!(ext, "pt" | "pth" | "ckpt" | "pkl" | "bin") {
        return Err(Error::checkpoint(
            path,
            "looks like a PyTorch pickle; aekit loads only .safetensors (pickles can run code on load). \
             Convert it in Python with safetensors.torch.save_file(model.state_dict(), 'model.safetensors')",
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let (_, meta) = SafeTensors::read_metadata(&bytes)
        .map_err(|e| Error::checkpoint(path, format!("not a valid safetensors file ({e:?}); it may be truncated")))?;
    let metadata = meta.metadata().clone().unwrap_or_default();
    let Some(found) = metadata.get(PART) else {
        return Err(Error::checkpoint(path, "has no aekit metadata; it was not written by aekit"));
    };
    if found != part.name() {
        let holder = Part::ALL.into_iter().find(|p| p.name() == found);
        let how = holder.map(|p| format!(": load it with {}", p.loader())).unwrap_or_default();
        return Err(Error::checkpoint(path, format!("holds {found}, not {}{how}", part.name())));
    }
    let config =
        metadata.get(CONFIG).ok_or_else(|| Error::checkpoint(path, "metadata lacks the model config"))?.clone();
    Ok(Checkpoint { bytes, config, metadata })
}

impl Checkpoint {
    /// The config stored in the file, parsed as `T`.
    pub(crate) fn config<T: serde::de::DeserializeOwned>(&self, path: &Path) -> Result<T> {
        serde_json::from_str(&self.config).map_err(|e| Error::checkpoint(path, format!("bad model config ({e})")))
    }

    /// True when some tensor's name starts with `prefix`.
    pub(crate) fn has_prefix(&self, prefix: &str) -> bool {
        SafeTensors::deserialize(&self.bytes).is_ok_and(|f| f.names().iter().any(|n| n.starts_with(prefix)))
    }

    /// Copies the file's tensors into `vs`'s variables of the same names; every variable must
    /// be present with the same shape, and the file must hold nothing else.
    pub(crate) fn copy_into(&self, path: &Path, vs: &mut VarStore) -> Result<()> {
        self.copy_named(path, vs.variables(), "")
    }

    /// Copies the file's tensors named `prefix + name` into `targets[name]`; every target must
    /// be present with the same shape, and no other tensor may carry the prefix.
    pub(crate) fn copy_named(&self, path: &Path, mut targets: HashMap<String, Tensor>, prefix: &str) -> Result<()> {
        let file =
            SafeTensors::deserialize(&self.bytes).map_err(|e| Error::checkpoint(path, format!("corrupt ({e:?})")))?;
        for (full, view) in file.tensors() {
            let Some(name) = full.strip_prefix(prefix) else { continue };
            let Some(mut target) = targets.remove(name) else {
                return Err(Error::checkpoint(
                    path,
                    format!("tensor `{full}` is not part of this model (different architecture?)"),
                ));
            };
            let shape: Vec<i64> = view.shape().iter().map(|&d| d as i64).collect();
            if view.dtype() != Dtype::F32 || shape != target.size() {
                return Err(Error::checkpoint(
                    path,
                    format!(
                        "tensor `{full}` is {:?} {shape:?}, the model expects F32 {:?}",
                        view.dtype(),
                        target.size()
                    ),
                ));
            }
            let values: Vec<f32> =
                view.data().chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect();
            let value = Tensor::f_from_slice(&values)?.f_view(shape.as_slice())?.f_to_device(target.device())?;
            tch::no_grad(|| target.f_copy_(&value))?;
        }
        if let Some(name) = targets.keys().min() {
            return Err(Error::checkpoint(path, format!("lacks tensor `{prefix}{name}` that the model needs")));
        }
        Ok(())
    }
}
