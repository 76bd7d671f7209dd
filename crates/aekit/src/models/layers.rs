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

/// A convolution over 1 or 2 spatial axes (`dims`: series or images) initialised as in Keras;
/// `padding` keeps `stride` = 1 outputs the same size.
pub fn conv(p: nn::Path, dims: usize, from: i64, to: i64, kernel: i64, stride: i64, padding: i64) -> ConvNd {
    let cfg = nn::ConvConfig {
        stride,
        padding,
        ws_init: glorot(from * kernel.pow(dims as u32), to * kernel.pow(dims as u32)),
        bs_init: nn::Init::Const(0.0),
        ..Default::default()
    };
    match dims {
        1 => ConvNd::One(nn::conv1d(p, from, to, kernel, cfg)),
        _ => ConvNd::Two(nn::conv2d(p, from, to, kernel, cfg)),
    }
}

/// A 1-D or 2-D convolution, as [`conv`] builds it.
#[derive(Debug)]
pub enum ConvNd {
    /// Over series `[N, C, L]`.
    One(nn::Conv1D),
    /// Over images `[N, C, H, W]`.
    Two(nn::Conv2D),
}

impl nn::Module for ConvNd {
    fn forward(&self, xs: &Tensor) -> Tensor {
        match self {
            ConvNd::One(c) => c.forward(xs),
            ConvNd::Two(c) => c.forward(xs),
        }
    }
}

/// A transposed convolution over as many spatial axes as `output_padding` has (1 or 2; one
/// padding per axis, so a non-square image comes back at its exact size), initialised as in
/// Keras. Its variables are named as tch names them (`weight`, `bias`).
pub fn conv_transpose(
    p: nn::Path,
    from: i64,
    to: i64,
    kernel: i64,
    stride: i64,
    padding: i64,
    output_padding: Vec<i64>,
) -> ConvTransposeNd {
    let dims = output_padding.len() as u32;
    let bias = p.var("bias", &[to], nn::Init::Const(0.0));
    let shape: Vec<i64> = [from, to].into_iter().chain((0..dims).map(|_| kernel)).collect();
    let weight = p.var("weight", &shape, glorot(from * kernel.pow(dims), to * kernel.pow(dims)));
    ConvTransposeNd { weight, bias, stride, padding, output_padding }
}

/// A transposed convolution, as [`conv_transpose`] builds it.
#[derive(Debug)]
pub struct ConvTransposeNd {
    weight: Tensor,
    bias: Tensor,
    stride: i64,
    padding: i64,
    output_padding: Vec<i64>,
}

impl nn::Module for ConvTransposeNd {
    fn forward(&self, xs: &Tensor) -> Tensor {
        let dims = self.output_padding.len();
        let (stride, padding, dilation) = (vec![self.stride; dims], vec![self.padding; dims], vec![1; dims]);
        let (w, b, out) = (&self.weight, Some(&self.bias), self.output_padding.as_slice());
        match dims {
            1 => xs.conv_transpose1d(w, b, stride.as_slice(), padding.as_slice(), out, 1, dilation.as_slice()),
            _ => xs.conv_transpose2d(w, b, stride.as_slice(), padding.as_slice(), out, 1, dilation.as_slice()),
        }
    }
}
