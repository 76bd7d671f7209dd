//! The nonlinearities between layers.

use tch::Tensor;

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
