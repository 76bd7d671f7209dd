//! A stack of named layers: forward in order, and a Keras-style summary (output shape and
//! parameter count per layer). A layer's variables live under `<path>/<name>`.

use std::fmt;

use tch::{nn, nn::ModuleT, Tensor};

type LayerFn = Box<dyn Fn(&Tensor, bool) -> Tensor + Send>;

/// Named layers applied in order: an encoder or a decoder. Build one with [`Layers::layer`]
/// (a module whose variables were created under `path / name`) and [`Layers::op`] (no variables).
pub struct Layers {
    layers: Vec<(String, LayerFn)>,
}

impl fmt::Debug for Layers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.layers.iter().map(|(n, _)| n)).finish()
    }
}

impl Default for Layers {
    fn default() -> Self {
        Layers { layers: Vec::new() }
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
    pub fn summary(&self, input: &Tensor, vs: &nn::VarStore, prefix: &str) -> (Vec<LayerRow>, Tensor) {
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

/// One line of a model summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerRow {
    /// The layer's path, e.g. `encoder.fc1`.
    pub name: String,
    /// Output shape; `-1` is the batch.
    pub output: Vec<i64>,
    /// Trainable values in the layer.
    pub parameters: i64,
}

/// Layers, output shapes and parameter counts of a model (like Keras' `model.summary()`).
#[derive(Debug, Clone)]
pub struct Summary {
    /// What the model is, e.g. `dense autoencoder 784 → 64 → 784`.
    pub title: String,
    /// One row per layer, encoder first.
    pub rows: Vec<LayerRow>,
}

impl Summary {
    /// Trainable values in the whole model.
    pub fn parameters(&self) -> i64 {
        self.rows.iter().map(|r| r.parameters).sum()
    }

    /// An HTML table.
    pub fn to_html(&self) -> String {
        let mut html = format!(
            "<p><b>{}</b></p><table><thead><tr><th>layer</th><th>output shape</th><th>parameters</th></tr></thead><tbody>",
            self.title
        );
        for r in &self.rows {
            html.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                r.name,
                shape(&r.output),
                r.parameters
            ));
        }
        html.push_str(&format!("</tbody></table><p>total parameters: {}</p>", self.parameters()));
        html
    }

    /// Shows the table inline in a notebook.
    pub fn evcxr_display(&self) {
        println!("{}", crate::display::mime_block("text/html", &self.to_html()));
    }
}

fn shape(dims: &[i64]) -> String {
    let parts: Vec<String> = dims.iter().map(|&d| if d < 0 { "N".to_string() } else { d.to_string() }).collect();
    format!("[{}]", parts.join(", "))
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.title)?;
        writeln!(f, "{:<24} {:<20} {:>10}", "layer", "output shape", "parameters")?;
        for r in &self.rows {
            writeln!(f, "{:<24} {:<20} {:>10}", r.name, shape(&r.output), r.parameters)?;
        }
        write!(f, "total parameters: {}", self.parameters())
    }
}

/// A nonlinearity between layers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Activation {
    /// max(0, x).
    #[default]
    Relu,
    /// x for x > 0, 0.01·x otherwise.
    LeakyRelu,
    /// x for x > 0, eˣ − 1 otherwise.
    Elu,
    /// x·Φ(x).
    Gelu,
    /// tanh(x), in (−1, 1).
    Tanh,
    /// 1 / (1 + e⁻ˣ), in (0, 1).
    Sigmoid,
    /// No nonlinearity: a linear code (for 2-D codes to plot, where ReLU would fold half away).
    Identity,
}

impl Activation {
    /// Applies the nonlinearity to `x`.
    pub fn apply(self, x: &Tensor) -> Tensor {
        match self {
            Activation::Relu => x.relu(),
            Activation::LeakyRelu => x.leaky_relu(),
            Activation::Elu => x.elu(),
            Activation::Gelu => x.gelu("none"),
            Activation::Tanh => x.tanh(),
            Activation::Sigmoid => x.sigmoid(),
            Activation::Identity => x.shallow_clone(),
        }
    }

    /// Lower-case name, as in configs and layer names.
    pub fn name(self) -> &'static str {
        match self {
            Activation::Relu => "relu",
            Activation::LeakyRelu => "leaky_relu",
            Activation::Elu => "elu",
            Activation::Gelu => "gelu",
            Activation::Tanh => "tanh",
            Activation::Sigmoid => "sigmoid",
            Activation::Identity => "identity",
        }
    }
}

impl std::str::FromStr for Activation {
    type Err = crate::Error;

    fn from_str(s: &str) -> crate::Result<Self> {
        let all = [
            Activation::Relu,
            Activation::LeakyRelu,
            Activation::Elu,
            Activation::Gelu,
            Activation::Tanh,
            Activation::Sigmoid,
            Activation::Identity,
        ];
        all.into_iter().find(|a| a.name() == s.to_ascii_lowercase()).ok_or_else(|| {
            let names: Vec<&str> = all.iter().map(|a| a.name()).collect();
            crate::Error::config("activation", format!("unknown activation {s:?}; choose one of {}", names.join(", ")))
        })
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
