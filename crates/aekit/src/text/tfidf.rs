//! TF-IDF weighting, fitted on the training split's term counts: scikit-learn's
//! `TfidfVectorizer` defaults (smooth idf, rows scaled to unit L2 norm).

use tch::{Kind, Tensor};

use crate::data::Dataset;
use crate::{Error, Result};

/// Inverse document frequencies of a training corpus: `idf(w) = ln((1 + n) / (1 + df(w))) + 1`.
///
/// ```
/// use aekit::prelude::*;
/// use aekit::text::Tfidf;
/// let counts = Dataset::unlabeled(Tensor::from_slice(&[2f32, 0., 1., 1.]).view([2, 2]))?;
/// let tfidf = Tfidf::fit(&counts)?;
/// let x = tfidf.transform(&counts)?.samples;
/// assert!((x.norm().double_value(&[]) - 2f64.sqrt()).abs() < 1e-6); // each row has norm 1
/// # Ok::<(), aekit::Error>(())
/// ```
#[derive(Debug)]
pub struct Tfidf {
    idf: Tensor,
    sublinear: bool,
}

impl Tfidf {
    /// Fits the document frequencies of term counts `[N, V]`; term frequency is the raw count.
    pub fn fit(counts: &Dataset) -> Result<Tfidf> {
        let x = vectors("Tfidf::fit", counts)?;
        let n = x.size()[0] as f64;
        let df = x.gt(0.0).sum_dim_intlist(0, false, Kind::Float);
        let idf = ((1.0 + n) / (df + 1.0)).log() + 1.0;
        Ok(Tfidf { idf, sublinear: false })
    }

    /// The same weights with a sublinear term frequency, `1 + ln(count)` (scikit-learn's
    /// `sublinear_tf`): a word said ten times weighs less than ten times one said once.
    pub fn sublinear(self) -> Tfidf {
        Tfidf { sublinear: true, ..self }
    }

    /// The inverse document frequencies `[V]`.
    pub fn idf(&self) -> &Tensor {
        &self.idf
    }

    /// TF-IDF vectors `[N, V]` of term counts, each row of unit length (an empty row stays 0).
    pub fn transform(&self, counts: &Dataset) -> Result<Dataset> {
        let x = vectors("Tfidf::transform", counts)?;
        if x.size()[1] != self.idf.size()[0] {
            return Err(Error::input(
                "Tfidf::transform",
                format!("counts of {} words, the weights were fitted on {}", x.size()[1], self.idf.size()[0]),
            ));
        }
        let tf = if self.sublinear { x.clamp_min(1.0).log().g_add_scalar(1.0) * x.gt(0.0) } else { x.shallow_clone() };
        let w = tf * self.idf.to_device(x.device());
        let norm = w.norm_scalaropt_dim(2, [1], true).clamp_min(1e-12);
        Ok(counts.with_parts(w / norm, counts.labels.shallow_clone()))
    }
}

/// The samples of `data` as rows `[N, V]`.
pub(super) fn vectors(what: &str, data: &Dataset) -> Result<Tensor> {
    if data.samples.dim() != 2 {
        return Err(Error::input(what, format!("expected term counts [N, V], got {:?}", data.samples.size())));
    }
    Ok(data.samples.shallow_clone())
}
