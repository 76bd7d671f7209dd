//! Latent semantic analysis: a truncated SVD of TF-IDF vectors (Deerwester et al., 1990), by
//! randomized subspace iteration (Halko, Martinsson & Tropp, 2011), as scikit-learn's
//! `TruncatedSVD` computes it.

use tch::{Device, Kind, Tensor};

use crate::{Error, Result};

/// The top `k` right singular vectors of a matrix of documents `[N, V]`; a document's LSA code
/// is its coordinates along them (no centring, unlike PCA: the vectors stay sparse-friendly).
///
/// ```
/// use aekit::prelude::*;
/// use aekit::text::Lsa;
/// let x = Tensor::rand([50, 20], (Kind::Float, Device::Cpu));
/// let lsa = Lsa::fit(&x, 4, 0)?;
/// assert_eq!(lsa.transform(&x)?.size(), [50, 4]);
/// # Ok::<(), aekit::Error>(())
/// ```
#[derive(Debug)]
pub struct Lsa {
    components: Tensor,
    singular_values: Tensor,
}

impl Lsa {
    /// Fits `k` components to rows `x` `[N, V]` with seed `seed` (a random start, then 7 power
    /// iterations with 10 extra directions: scikit-learn's defaults for this size).
    pub fn fit(x: &Tensor, k: usize, seed: u64) -> Result<Lsa> {
        if x.dim() != 2 {
            return Err(Error::input("Lsa::fit", format!("expected rows [N, V], got {:?}", x.size())));
        }
        let (n, v) = (x.size()[0], x.size()[1]);
        if k == 0 || k as i64 > n.min(v) {
            return Err(Error::config(
                "Lsa::fit k",
                format!("{k} components of a {n}×{v} matrix; choose 1 to {}", n.min(v)),
            ));
        }
        let x = x.to_kind(Kind::Float);
        let width = (k as i64 + 10).min(n.min(v));
        crate::manual_seed(seed);
        let mut q = x.matmul(&Tensor::randn([v, width], (Kind::Float, Device::Cpu)).to_device(x.device()));
        for _ in 0..7 {
            q = Tensor::linalg_qr(&q, "reduced").0;
            q = Tensor::linalg_qr(&x.tr().matmul(&q), "reduced").0;
            q = x.matmul(&q);
        }
        let q = Tensor::linalg_qr(&q, "reduced").0;
        // The SVD of the small B = Qᵀ X from the eigenvectors of B Bᵀ (libtorch's SVD on the CPU
        // takes no driver argument through tch): B = U S Vᵀ, so Vᵀ = S⁻¹ Uᵀ B.
        let b = q.tr().matmul(&x).to_kind(Kind::Double);
        let (values, u) = b.matmul(&b.tr()).f_linalg_eigh("L")?;
        let (values, u) = (values.flip([0]).narrow(0, 0, k as i64), u.flip([1]).narrow(1, 0, k as i64));
        let s = values.clamp_min(0.0).sqrt();
        let mut components = (u.tr().matmul(&b) / s.clamp_min(1e-12).unsqueeze(1)).to_kind(Kind::Float);
        // One sign per direction, fixed by the data alone: its largest entry is positive.
        let largest = components.abs().argmax(1, true);
        let sign = components.gather(1, &largest, false).sign();
        components = &components * (&sign + sign.eq(0.0).to_kind(Kind::Float));
        Ok(Lsa { components: components.contiguous(), singular_values: s.to_kind(Kind::Float) })
    }

    /// Number of components.
    pub fn k(&self) -> usize {
        self.components.size()[0] as usize
    }

    /// The components `[k, V]`, strongest first.
    pub fn components(&self) -> &Tensor {
        &self.components
    }

    /// The top `k` singular values, largest first.
    pub fn singular_values(&self) -> &Tensor {
        &self.singular_values
    }

    /// The LSA codes `[N, k]` of rows `[N, V]`.
    pub fn transform(&self, x: &Tensor) -> Result<Tensor> {
        let v = self.components.size()[1];
        if x.dim() != 2 || x.size()[1] != v {
            return Err(Error::input("Lsa::transform", format!("expected rows [N, {v}], got {:?}", x.size())));
        }
        Ok(x.to_kind(Kind::Float).to_device(self.components.device()).matmul(&self.components.tr()))
    }
}
