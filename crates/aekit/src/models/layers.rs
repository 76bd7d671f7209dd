//! A stack of named layers: forward in order, and a Keras-style summary (output shape and
//! parameter count per layer). A layer's variables live under `<path>/<name>`.

use std::fmt;

use tch::{nn, nn::ModuleT, Tensor};

use super::LayerRow;

type LayerFn = Box<dyn Fn(&Tensor, bool) -> Tensor + Send>;

/// Named layers applied in order: an encoder or a decoder. Build one with [`Layers::layer`]
/// (a module whose variables were created under `path / name`) and [`Layers::op`] (no variables).
#[derive(Default)]
pub struct Layers {
    layers: Vec<(String, LayerFn)>,
}

impl fmt::Debug for Layers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.layers.iter().map(|(n, _)| n)).finish()
    }
}

impl Layers {
    /// An empty stack.
    pub fn new() -> Self {
        Self::default()
    }

    /// A layer with parameters, built under `p / name`.
    pub fn layer(mut self, name: impl Into<String>, module: impl ModuleT + 'static) -> Self {
        self.layers.push((name.into(), Box::new(move |x, train| module.forward_t(x, train))));
        self
    }

    /// A layer without parameters (activation, reshape, dropout).
    pub fn op(mut self, name: impl Into<String>, f: impl Fn(&Tensor, bool) -> Tensor + Send + 'static) -> Self {
        self.layers.push((name.into(), Box::new(f)));
        self
    }

    /// These layers followed by `next`'s.
    pub fn then(mut self, next: Layers) -> Self {
        self.layers.extend(next.layers);
        self
    }

    /// One row per layer for `input`, counting the variables of `vs` under `prefix<name>.`.
    pub(crate) fn summary(&self, input: &Tensor, vs: &nn::VarStore, prefix: &str) -> (Vec<LayerRow>, Tensor) {
        let vars = vs.variables();
        let mut x = input.shallow_clone();
        let mut rows = Vec::new();
        for (name, f) in &self.layers {
            x = tch::no_grad(|| f(&x, false));
            let path = format!("{prefix}{name}.");
            let parameters = vars.iter().filter(|(n, _)| n.starts_with(&path)).map(|(_, t)| t.numel() as i64).sum();
            let mut shape = x.size();
            shape[0] = -1;
            rows.push(LayerRow { name: format!("{prefix}{name}"), output: shape, parameters });
        }
        (rows, x)
    }
}

impl ModuleT for Layers {
    fn forward_t(&self, xs: &Tensor, train: bool) -> Tensor {
        let mut layers = self.layers.iter();
        let Some((_, first)) = layers.next() else { return xs.shallow_clone() };
        layers.fold(first(xs, train), |x, (_, f)| f(&x, train))
    }
}

/// Glorot (Xavier) uniform initialisation, Keras' default: U(±√(6 / (fan_in + fan_out))).
fn glorot(fan_in: i64, fan_out: i64) -> nn::Init {
    let bound = (6.0 / (fan_in + fan_out) as f64).sqrt();
    nn::Init::Uniform { lo: -bound, up: bound }
}

/// A dense layer initialised as in Keras (Glorot uniform weights, zero biases).
pub fn linear(p: nn::Path, from: i64, to: i64) -> nn::Linear {
    nn::linear(
        p,
        from,
        to,
        nn::LinearConfig { ws_init: glorot(from, to), bs_init: Some(nn::Init::Const(0.0)), bias: true },
    )
}

/// A 2-D convolution initialised as in Keras; `padding` keeps `stride` = 1 outputs the same size.
pub fn conv2d(p: nn::Path, from: i64, to: i64, kernel: i64, stride: i64, padding: i64) -> nn::Conv2D {
    let cfg = nn::ConvConfig {
        stride,
        padding,
        ws_init: glorot(from * kernel * kernel, to * kernel * kernel),
        bs_init: nn::Init::Const(0.0),
        ..Default::default()
    };
    nn::conv2d(p, from, to, kernel, cfg)
}

/// A 2-D transposed convolution initialised as in Keras.
pub fn conv_transpose2d(
    p: nn::Path,
    from: i64,
    to: i64,
    kernel: i64,
    stride: i64,
    padding: i64,
    output_padding: i64,
) -> nn::ConvTranspose2D {
    let cfg = nn::ConvTransposeConfig {
        stride,
        padding,
        output_padding,
        ws_init: glorot(from * kernel * kernel, to * kernel * kernel),
        bs_init: nn::Init::Const(0.0),
        ..Default::default()
    };
    nn::conv_transpose2d(p, from, to, kernel, cfg)
}
