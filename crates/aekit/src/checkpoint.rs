//! Weights on disk: safetensors (no pickle, no code runs on load) with the model's config in
//! the file's metadata, so a file says what it holds. Written atomically.

use std::collections::HashMap;
use std::path::Path;

use safetensors::tensor::{Dtype, SafeTensors, TensorView};
use tch::{nn::VarStore, Device, Kind, Tensor};

use crate::models::ModelConfig;
use crate::{files, Error, Result};

/// What a checkpoint file holds: a whole autoencoder or one of its halves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Autoencoder,
    Encoder,
    Decoder,
}

impl Part {
    fn name(self) -> &'static str {
        match self {
            Part::Autoencoder => "autoencoder",
            Part::Encoder => "encoder",
            Part::Decoder => "decoder",
        }
    }

    /// How to load a file that holds this part.
    fn loader(self) -> &'static str {
        match self {
            Part::Autoencoder => "the model kind's `load` (e.g. `DenseAutoencoder::load`)",
            Part::Encoder => "`Encoder::load`",
            Part::Decoder => "`Decoder::load`",
        }
    }
}

const FORMAT: &str = "aekit.format";
const PART: &str = "aekit.part";
const CONFIG: &str = "aekit.config";

/// Writes every variable of `vs` as f32, with `part` and `config` in the metadata.
pub(crate) fn save(path: &Path, part: Part, config: &ModelConfig, vs: &VarStore) -> Result<()> {
    let mut owned: Vec<(String, Vec<usize>, Vec<u8>)> = Vec::new();
    for (name, tensor) in vs.variables() {
        let t = tensor.f_to_device(Device::Cpu)?.f_to_kind(Kind::Float)?.f_contiguous()?;
        let shape = t.size().iter().map(|&d| d as usize).collect();
        let values = Vec::<f32>::try_from(&t.f_flatten(0, -1)?)?;
        owned.push((name.to_string(), shape, values.iter().flat_map(|v| v.to_le_bytes()).collect()));
    }
    let views = owned
        .iter()
        .map(|(n, s, b)| {
            Ok((
                n.as_str(),
                TensorView::new(Dtype::F32, s.clone(), b).map_err(|e| Error::checkpoint(path, e.to_string()))?,
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    let json = serde_json::to_string(config).map_err(|e| Error::checkpoint(path, e.to_string()))?;
    let meta = HashMap::from([(FORMAT.into(), "1".into()), (PART.into(), part.name().into()), (CONFIG.into(), json)]);
    let bytes =
        safetensors::tensor::serialize(views, &Some(meta)).map_err(|e| Error::checkpoint(path, e.to_string()))?;
    files::write_atomic(path, &bytes)
}

/// A checkpoint read back: the file's bytes and what its metadata says.
pub(crate) struct Checkpoint {
    bytes: Vec<u8>,
    pub config: ModelConfig,
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
    let meta = meta.metadata().clone().unwrap_or_default();
    let Some(found) = meta.get(PART) else {
        return Err(Error::checkpoint(path, "has no aekit metadata; it was not written by aekit"));
    };
    if found != part.name() {
        let holder = [Part::Autoencoder, Part::Encoder, Part::Decoder].into_iter().find(|p| p.name() == found);
        let how = holder.map(|p| format!(": load it with {}", p.loader())).unwrap_or_default();
        return Err(Error::checkpoint(path, format!("holds {found}, not {}{how}", part.name())));
    }
    let json = meta.get(CONFIG).ok_or_else(|| Error::checkpoint(path, "metadata lacks the model config"))?;
    let config = serde_json::from_str(json).map_err(|e| Error::checkpoint(path, format!("bad model config ({e})")))?;
    Ok(Checkpoint { bytes, config })
}

impl Checkpoint {
    /// Copies the file's tensors into `vs`'s variables of the same names; every variable must
    /// be present with the same shape, and the file must hold nothing else.
    pub(crate) fn copy_into(&self, path: &Path, vs: &mut VarStore) -> Result<()> {
        let file =
            SafeTensors::deserialize(&self.bytes).map_err(|e| Error::checkpoint(path, format!("corrupt ({e:?})")))?;
        let mut vars: HashMap<String, Tensor> = vs.variables();
        for (name, view) in file.tensors() {
            let Some(mut var) = vars.remove(&name) else {
                return Err(Error::checkpoint(
                    path,
                    format!("tensor `{name}` is not part of this model (different architecture?)"),
                ));
            };
            let shape: Vec<i64> = view.shape().iter().map(|&d| d as i64).collect();
            if view.dtype() != Dtype::F32 || shape != var.size() {
                return Err(Error::checkpoint(
                    path,
                    format!("tensor `{name}` is {:?} {shape:?}, the model expects F32 {:?}", view.dtype(), var.size()),
                ));
            }
            let values: Vec<f32> =
                view.data().chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect();
            let value = Tensor::f_from_slice(&values)?.f_view(shape.as_slice())?.f_to_device(var.device())?;
            tch::no_grad(|| var.f_copy_(&value))?;
        }
        if let Some(name) = vars.keys().next() {
            return Err(Error::checkpoint(path, format!("lacks tensor `{name}` that the model needs")));
        }
        Ok(())
    }
}
