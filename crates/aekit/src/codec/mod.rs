//! A learned image codec: trained [`CodecConfig`] models, one per rate–distortion trade-off
//! (a *level*), turned into real bytes with a range coder (constriction) and decoded back.
//!
//! A stream is one image: a byte naming its level, the range-coded symbols of its code (each
//! channel's integers under that channel's learned density, in 24-bit fixed point), and a
//! CRC-8 check byte. Every byte is counted; the decoder needs nothing else but the models.
//! Decoding gives exactly what [`Codec::predict`] says it will, bit for bit, on the build and
//! device that encoded.
//!
//! ```
//! use aekit::prelude::*;
//! use aekit::codec::Codec;
//! let codec = Codec::new(vec![Autoencoder::new(CodecConfig::new(0.01), Device::Cpu)?])?;
//! let images = Tensor::rand([3, 1, 28, 28], (Kind::Float, Device::Cpu));
//! let streams = codec.encode(&images, 0)?; // one Vec<u8> per image
//! let decoded = codec.decode_all(&streams)?;
//! assert!(decoded.equal(&codec.predict(&images, 0)?));
//! let mut damaged = streams[0].clone();
//! damaged[1] ^= 4; // one bit flipped: an error, not a wrong image
//! assert!(codec.decode(&damaged).is_err());
//! # Ok::<(), aekit::Error>(())
//! ```

mod stream;
mod tables;

use std::fmt;

use tch::{Device, Kind, Tensor};

use crate::display::{Content, Show};
use crate::models::{Autoencoder, CodecConfig, ModelConfig, Prior};
use crate::{check, Error, Result};
use tables::ChannelTable;

/// Images encoded per pass of the encoder network.
const BATCH: i64 = 1000;

/// Trained codec models, one per level (trade-off), sharing one input shape, with their
/// entropy tables.
pub struct Codec {
    levels: Vec<Level>,
}

struct Level {
    model: Autoencoder,
    tables: Vec<ChannelTable>,
}

impl Codec {
    /// A codec of `models` (each a trained [`CodecConfig`] model of the same input shape; at
    /// most 256): level `i` is `models[i]`.
    pub fn new(models: Vec<Autoencoder>) -> Result<Codec> {
        if models.is_empty() || models.len() > 256 {
            return Err(Error::input(
                "Codec::new",
                format!("{} models: give 1 to 256 trained codec models", models.len()),
            ));
        }
        let mut levels = Vec::with_capacity(models.len());
        for (i, model) in models.into_iter().enumerate() {
            let ModelConfig::Codec(config) = model.config() else {
                return Err(Error::input(
                    "Codec::new",
                    format!("model {i} is a {}: a codec takes CodecConfig models", model.config().describe()),
                ));
            };
            if let Some(first) = levels.first().map(|l: &Level| l.model.input_shape()) {
                if first != model.input_shape() {
                    return Err(Error::input(
                        "Codec::new",
                        format!(
                            "model {i} takes {:?}, model 0 {first:?}: every level needs one input shape",
                            model.input_shape()
                        ),
                    ));
                }
            }
            let channels = config.code_channels as i64;
            let probabilities = tch::no_grad(|| Prior::of(model.var_store()).map(|p| p.integer_probabilities()))?;
            let tables = (0..channels)
                .map(|c| ChannelTable::new(&Vec::<f64>::try_from(probabilities.get(c))?))
                .collect::<Result<Vec<_>>>()?;
            levels.push(Level { model, tables });
        }
        Ok(Codec { levels })
    }

    /// How many levels (trade-offs) the codec has.
    pub fn levels(&self) -> usize {
        self.levels.len()
    }

    /// The model of `level`.
    pub fn model(&self, level: usize) -> Result<&Autoencoder> {
        self.level(level).map(|l| &l.model)
    }

    /// Each image of `images` (`[N, C, H, W]` in [0, 1], the models' shape) as a stream of
    /// bytes at `level`.
    pub fn encode(&self, images: &Tensor, level: usize) -> Result<Vec<Vec<u8>>> {
        let symbols = self.symbols(images, level)?;
        let at = self.level(level)?;
        symbols
            .iter()
            .map(|s| Ok(stream::frame(level as u8, &tables::encode(&at.tables, at.positions(), s)?)))
            .collect()
    }

    /// The image `[1, C, H, W]` a stream holds, its pixels multiples of 1/255.
    pub fn decode(&self, stream: &[u8]) -> Result<Tensor> {
        let (level, payload) = stream::unframe(stream)?;
        let at = self.level(level as usize).map_err(|_| {
            Error::input(
                "Codec::decode",
                format!(
                    "the stream is of level {level}, this codec has {}: was it written by another codec?",
                    self.levels()
                ),
            )
        })?;
        let symbols = tables::decode(&at.tables, at.positions(), payload)?;
        at.synthesize(&symbols)
    }

    /// The images `[N, C, H, W]` of `streams`, each decoded with [`Codec::decode`].
    pub fn decode_all(&self, streams: &[Vec<u8>]) -> Result<Tensor> {
        if streams.is_empty() {
            return Err(Error::input("Codec::decode_all", "no streams to decode"));
        }
        let images = streams.iter().map(|s| self.decode(s)).collect::<Result<Vec<_>>>()?;
        Ok(Tensor::cat(&images, 0))
    }

    /// What decoding `images`' streams at `level` gives, computed without writing them.
    pub fn predict(&self, images: &Tensor, level: usize) -> Result<Tensor> {
        let at = self.level(level)?;
        let images = self.symbols(images, level)?.iter().map(|s| at.synthesize(s)).collect::<Result<Vec<_>>>()?;
        Ok(Tensor::cat(&images, 0))
    }

    /// Each image's code at `level`, clamped to the tables' ranges.
    fn symbols(&self, images: &Tensor, level: usize) -> Result<Vec<Vec<i32>>> {
        let at = self.level(level)?;
        check::inputs("Codec: images", images, at.model.input_shape())?;
        check::unit_range("Codec: images", images, "scale by 1/255")?;
        let positions = at.positions();
        let mut symbols = Vec::with_capacity(images.size()[0] as usize);
        for batch in images.split(BATCH, 0) {
            let codes = at.model.encode(&batch)?.to_device(Device::Cpu).to_kind(Kind::Int);
            let codes = Vec::<i32>::try_from(codes.reshape([-1]))?;
            for image in codes.chunks(at.tables.len() * positions) {
                let clamped = image
                    .chunks(positions)
                    .zip(&at.tables)
                    .flat_map(|(channel, t)| channel.iter().map(|&s| s.clamp(t.lo, t.hi)))
                    .collect();
                symbols.push(clamped);
            }
        }
        Ok(symbols)
    }

    fn level(&self, level: usize) -> Result<&Level> {
        self.levels.get(level).ok_or_else(|| {
            Error::input("Codec", format!("level {level}: this codec has levels 0–{}", self.levels.len() - 1))
        })
    }
}

impl Level {
    /// Code positions per channel (`H/4 × W/4`).
    fn positions(&self) -> usize {
        self.model.latent() as usize / self.tables.len()
    }

    /// The image a code decodes to, one image at a time (so a batch cannot change a bit),
    /// rounded to 8 bits.
    fn synthesize(&self, symbols: &[i32]) -> Result<Tensor> {
        let code = Tensor::from_slice(symbols).to_kind(Kind::Float).view([1, -1]);
        let image = self.model.decode(&code)?.to_device(Device::Cpu);
        Ok((image * 255.0).round() / 255.0)
    }
}

impl fmt::Display for Codec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tradeoffs: Vec<String> = self
            .levels
            .iter()
            .map(|l| match l.model.config() {
                ModelConfig::Codec(CodecConfig { tradeoff, .. }) => format!("{tradeoff}"),
                _ => "?".into(),
            })
            .collect();
        write!(f, "learned codec, {} level(s), λ = {}", self.levels.len(), tradeoffs.join(", "))
    }
}

impl fmt::Debug for Codec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Codec({self})")
    }
}

impl Show for Codec {
    /// One line: the levels and their trade-offs.
    fn content(&self) -> Content {
        Content::Text(self.to_string())
    }
}
