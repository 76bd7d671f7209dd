//! Principal component analysis: the linear baseline every autoencoder is compared with.

use tch::{Kind, Tensor};

use crate::{Error, Result};

/// A fitted PCA: the mean and the top `k` principal directions of some data.
///
/// ```no_run
/// # use aekit::prelude::*;
/// # fn main() -> aekit::Result<()> {
/// use aekit::eval::Pca;
/// let data = FashionMnist::load()?;
/// let pca = Pca::fit(&data.train.samples, 2)?;
/// let points = pca.transform(&data.test.samples)?; // [10000, 2]
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Pca {
    /// Mean of the data, `[D]`.
    pub mean: Tensor,
    /// Principal directions as rows, `[k, D]`, by decreasing variance.
    pub components: Tensor,
    /// Variance along each direction, `[k]`.
    pub variances: Tensor,
    /// Fraction of the total variance the `k` directions keep.
    pub explained: f64,
}

/// Rows `[N, D]` of any float tensor with N ≥ 1 (images are flattened).
fn rows(what: &str, x: &Tensor) -> Result<Tensor> {
    if x.dim() < 2 || x.size()[0] == 0 || !x.is_floating_point() {
        return Err(Error::input(
            what,
            format!("expected a float tensor [N, ...] with N ≥ 1, got {:?} {:?}", x.kind(), x.size()),
        ));
    }
    Ok(x.flatten(1, -1))
}

impl Pca {
    /// Fits `k` components to `x` (`[N, D]`, or images, flattened). Works in f64 for accuracy.
    pub fn fit(x: &Tensor, k: usize) -> Result<Pca> {
        let x = rows("Pca::fit", x)?;
        let (n, d) = (x.size()[0], x.size()[1]);
        if k == 0 || k as i64 > d {
            return Err(Error::config("Pca::fit k", format!("{k} components asked for; choose 1 to {d}")));
        }
        if n < 2 {
            return Err(Error::input("Pca::fit", "needs at least 2 rows"));
        }
        let mean = x.to_kind(Kind::Double).mean_dim(0, false, Kind::Double);
        let mut cov = Tensor::zeros([d, d], (Kind::Double, x.device()));
        for chunk in x.split(8192, 0) {
            let c = chunk.to_kind(Kind::Double) - &mean;
            cov += c.tr().matmul(&c);
        }
        cov /= (n - 1) as f64;
        let (values, vectors) = cov.f_linalg_eigh("L")?;
        let total = values.clamp_min(0.0).sum(Kind::Double).double_value(&[]);
        let top = values.flip([0]).narrow(0, 0, k as i64).clamp_min(0.0);
        let mut components = vectors.flip([1]).narrow(1, 0, k as i64).tr();
        // One sign per direction, fixed by data alone: its largest entry is positive.
        let largest = components.abs().argmax(1, true);
        let sign = components.gather(1, &largest, false).sign();
        components = &components * (&sign + sign.eq(0.0).to_kind(Kind::Double));
        let explained = if total > 0.0 { top.sum(Kind::Double).double_value(&[]) / total } else { 1.0 };
        Ok(Pca {
            mean: mean.to_kind(Kind::Float),
            components: components.to_kind(Kind::Float).contiguous(),
            variances: top.to_kind(Kind::Float),
            explained,
        })
    }

    /// Number of components.
    pub fn k(&self) -> usize {
        self.components.size()[0] as usize
    }

    fn check(&self, what: &str, x: &Tensor) -> Result<Tensor> {
        let x = rows(what, x)?;
        let d = self.mean.size()[0];
        if x.size()[1] != d {
            return Err(Error::input(what, format!("rows have {} values, the PCA was fitted on {d}", x.size()[1])));
        }
        Ok(x.to_kind(Kind::Float).to_device(self.mean.device()))
    }

    /// Coordinates of `x` along the components, `[N, k]`.
    pub fn transform(&self, x: &Tensor) -> Result<Tensor> {
        let x = self.check("Pca::transform", x)?;
        Ok((x - &self.mean).matmul(&self.components.tr()))
    }

    /// Back from coordinates `[N, k]` to rows `[N, D]`.
    pub fn inverse(&self, z: &Tensor) -> Result<Tensor> {
        if z.dim() != 2 || z.size()[1] != self.k() as i64 {
            return Err(Error::input("Pca::inverse", format!("expected [N, {}], got {:?}", self.k(), z.size())));
        }
        Ok(z.to_kind(Kind::Float).to_device(self.mean.device()).matmul(&self.components) + &self.mean)
    }

    /// Mean squared reconstruction error of each row of `x` through `k` components, `[N]`:
    /// PCA's anomaly score.
    pub fn errors(&self, x: &Tensor) -> Result<Tensor> {
        let x = self.check("Pca::errors", x)?;
        let back = self.inverse(&self.transform(&x)?)?;
        Ok((back - x).square().mean_dim(1, false, Kind::Float))
    }
}
