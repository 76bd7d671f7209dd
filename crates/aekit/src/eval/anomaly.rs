//! Anomaly scoring: how well a score separates anomalies (AUROC), a distance-to-normal score,
//! and the metrics of a chosen threshold.

use tch::{Kind, Tensor};

use super::classify::nearest;
use crate::data::Dataset;
use crate::models::{orient, Autoencoder, ModelConfig, ReconLoss};
use crate::{Error, Result};

fn scores_and_flags(scores: &Tensor, anomalous: &Tensor) -> Result<(Vec<f64>, Vec<bool>)> {
    if scores.dim() != 1 || anomalous.size() != scores.size() {
        return Err(Error::input(
            "anomaly scores",
            format!("expected scores [N] and flags [N], got {:?} and {:?}", scores.size(), anomalous.size()),
        ));
    }
    let scores = Vec::<f64>::try_from(scores.to_kind(Kind::Double).to_device(tch::Device::Cpu))?;
    if let Some(i) = scores.iter().position(|s| !s.is_finite()) {
        return Err(Error::input("anomaly scores", format!("score {i} is {} (not finite)", scores[i])));
    }
    let flags = Vec::<bool>::try_from(anomalous.to_kind(Kind::Bool).to_device(tch::Device::Cpu))?;
    Ok((scores, flags))
}

/// Area under the ROC curve of `scores` (higher = more anomalous) against `anomalous` (`[N]`,
/// bool or 0/1): the probability that a random anomaly scores above a random normal item,
/// ties counting half. 0.5 is chance, 1 perfect.
pub fn auroc(scores: &Tensor, anomalous: &Tensor) -> Result<f64> {
    let (scores, flags) = scores_and_flags(scores, anomalous)?;
    let positives = flags.iter().filter(|&&f| f).count();
    let negatives = flags.len() - positives;
    if positives == 0 || negatives == 0 {
        return Err(Error::input("auroc", "needs both anomalous and normal items"));
    }
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    // Mann–Whitney U with average ranks over ties.
    let mut rank_sum = 0.0;
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && scores[order[j + 1]] == scores[order[i]] {
            j += 1;
        }
        let rank = (i + j) as f64 / 2.0 + 1.0;
        rank_sum += rank * order[i..=j].iter().filter(|&&k| flags[k]).count() as f64;
        i = j + 1;
    }
    let (p, n) = (positives as f64, negatives as f64);
    Ok((rank_sum - p * (p + 1.0) / 2.0) / (p * n))
}

/// Mean Euclidean distance from each row of `query` to its `k` nearest rows of `reference`
/// (`[M]`): a density score in code space, large far from the training data.
pub fn knn_distance(reference: &Tensor, query: &Tensor, k: usize) -> Result<Tensor> {
    for (what, x) in [("knn_distance: reference", reference), ("knn_distance: query", query)] {
        if x.dim() != 2 || x.size()[0] == 0 || !x.is_floating_point() {
            return Err(Error::input(what, format!("expected float rows [N, D], got {:?} {:?}", x.kind(), x.size())));
        }
    }
    if reference.size()[1] != query.size()[1] {
        return Err(Error::input("knn_distance", "reference and query rows differ in width"));
    }
    if k == 0 || k as i64 > reference.size()[0] {
        return Err(Error::config("knn_distance k", format!("choose 1 to {}", reference.size()[0])));
    }
    let (d2, _) = nearest(&query.to_kind(Kind::Float), &reference.to_kind(Kind::Float), k);
    Ok(d2.sqrt().mean_dim(1, false, Kind::Float))
}

/// Where to draw the line between normal and anomalous, chosen from the scores of normal
/// (training) items only.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Threshold {
    /// mean + k · standard deviation of the normal scores.
    Sigma(f64),
    /// This percentile (0–100) of the normal scores.
    Percentile(f64),
}

/// Precision, recall and F1 of flagging items whose score exceeds a threshold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BinaryMetrics {
    /// Scores above this are flagged anomalous.
    pub threshold: f64,
    /// Share of flagged items that are anomalous.
    pub precision: f64,
    /// Share of anomalous items that are flagged.
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
    /// Fraction of normal items flagged.
    pub false_positive_rate: f64,
}

impl Threshold {
    /// The score value this rule gives for the scores of normal items.
    pub fn value(self, normal_scores: &Tensor) -> Result<f64> {
        let s = normal_scores.to_kind(Kind::Double).flatten(0, -1);
        if s.numel() < 2 {
            return Err(Error::input("Threshold::value", "needs at least 2 normal scores"));
        }
        match self {
            Threshold::Sigma(k) => Ok(s.mean(Kind::Double).double_value(&[]) + k * s.std(true).double_value(&[])),
            Threshold::Percentile(p) if (0.0..=100.0).contains(&p) => {
                Ok(s.quantile_scalar(p / 100.0, None, false, "linear").double_value(&[]))
            }
            Threshold::Percentile(p) => Err(Error::config("Threshold::Percentile", format!("{p} must lie in 0..=100"))),
        }
    }

    /// Picks the threshold from `normal_scores` and scores the flags it gives on a test set.
    pub fn evaluate(self, normal_scores: &Tensor, scores: &Tensor, anomalous: &Tensor) -> Result<BinaryMetrics> {
        let threshold = self.value(normal_scores)?;
        let (scores, flags) = scores_and_flags(scores, anomalous)?;
        let (mut tp, mut fp, mut fn_, mut tn) = (0.0, 0.0, 0.0, 0.0);
        for (&s, &a) in scores.iter().zip(&flags) {
            match (s > threshold, a) {
                (true, true) => tp += 1.0,
                (true, false) => fp += 1.0,
                (false, true) => fn_ += 1.0,
                (false, false) => tn += 1.0,
            }
        }
        let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { 0.0 };
        let (precision, recall) = (ratio(tp, tp + fp), ratio(tp, tp + fn_));
        Ok(BinaryMetrics {
            threshold,
            precision,
            recall,
            f1: ratio(2.0 * precision * recall, precision + recall),
            false_positive_rate: ratio(fp, fp + tn),
        })
    }
}

/// A one-class anomaly detector around an autoencoder trained on normal images only. It
/// scores images three ways, each higher for stranger images:
/// - `reconstruction`: mean squared reconstruction error;
/// - `density`: mean distance of the code to its `k` nearest codes of the normal training
///   images (far from every normal code = unlike anything seen);
/// - `combined`: the sum of the scores after standardizing each on held-out normal images, so
///   none dominates by scale.
///
/// Around a restoration autoencoder ([`RestorationConfig`](crate::models::RestorationConfig),
/// [`AnomalyDetector::restoration`]) the reconstruction error is that of restoring the upright
/// image from each of its orientations, averaged, and a fourth score joins the sum:
/// `orientation`, how badly the model names the orientations it is shown.
///
/// ```no_run
/// # use aekit::prelude::*;
/// # fn main() -> aekit::Result<()> {
/// use aekit::eval::{auroc, AnomalyDetector};
/// let data = FashionMnist::load()?;
/// let (normal, held_out) = (data.train.of_class(7)?, data.validation.of_class(7)?);
/// let mut model = Autoencoder::new(RestorationConfig::default(), aekit::device()?)?;
/// train(&mut model, &normal, &held_out, &TrainConfig { loss: ReconLoss::Mse, ..Default::default() })?;
/// let detector = AnomalyDetector::restoration(model, &normal, &held_out)?;
/// let scores = detector.scores(&data.test)?;
/// println!("AUROC {:.3}", auroc(&scores.combined, &data.test.labels.ne(7))?);
/// # Ok(()) }
/// ```
pub struct AnomalyDetector {
    /// The autoencoder trained on normal images.
    pub model: Autoencoder,
    /// Codes of the normal training images.
    reference: Tensor,
    k: usize,
    /// Orientations scored (restoration models), else 0.
    orientations: usize,
    /// Mean and standard deviation of each raw score on held-out normal images.
    scales: Vec<(f64, f64)>,
}

/// Scores of [`AnomalyDetector::scores`], each `[N]`.
#[derive(Debug)]
pub struct AnomalyScores {
    /// Reconstruction MSE per image (a restoration model's: averaged over orientations), `[N]`.
    pub reconstruction: Tensor,
    /// Mean distance of the image's code to its nearest normal training codes, `[N]`.
    pub density: Tensor,
    /// Restoration models: minus the mean log-probability of the true orientation over the
    /// image's orientations, `[N]`; `None` for other models.
    pub orientation: Option<Tensor>,
    /// Sum of the scores, each standardized on held-out normal images, `[N]`.
    pub combined: Tensor,
}

impl AnomalyDetector {
    /// Neighbours averaged over by the density score.
    pub const K: usize = 5;

    /// Wraps a model trained on `normal`; `held_out` (normal images it was not trained on)
    /// calibrates the scales of the scores.
    pub fn fit(model: Autoencoder, normal: &Dataset, held_out: &Dataset) -> Result<Self> {
        Self::build(model, normal, held_out, 0)
    }

    /// Wraps a restoration autoencoder trained on `normal` (see the type's doc); `held_out`
    /// calibrates the scales. Other kinds of model are an error.
    pub fn restoration(model: Autoencoder, normal: &Dataset, held_out: &Dataset) -> Result<Self> {
        let ModelConfig::Restoration(config) = model.config() else {
            return Err(Error::input(
                "AnomalyDetector::restoration",
                format!("needs a restoration autoencoder (RestorationConfig), this is a {}", model.config().describe()),
            ));
        };
        let orientations = config.orientations();
        Self::build(model, normal, held_out, orientations)
    }

    fn build(model: Autoencoder, normal: &Dataset, held_out: &Dataset, orientations: usize) -> Result<Self> {
        if held_out.len() < 2 {
            return Err(Error::input("AnomalyDetector::fit", "needs at least 2 held-out normal images"));
        }
        let reference = super::encode_all(&model, normal)?;
        let k = Self::K.min(reference.size()[0] as usize);
        let mut detector = AnomalyDetector { model, reference, k, orientations, scales: vec![] };
        detector.scales = detector.raw(held_out)?.iter().map(scale).collect();
        Ok(detector)
    }

    /// Reconstruction, density and (restoration models) orientation scores.
    fn raw(&self, data: &Dataset) -> Result<Vec<Tensor>> {
        let density = knn_distance(&self.reference, &super::encode_all(&self.model, data)?, self.k)?;
        if self.orientations == 0 {
            return Ok(vec![super::image_errors(&self.model, data, ReconLoss::Mse)?, density]);
        }
        let n = self.orientations as f64;
        let per_batch = data.map_batches(self.model.device(), |images| {
            let zeros = || Tensor::zeros([images.size()[0]], (Kind::Float, images.device()));
            let (mut error, mut surprise) = (zeros(), zeros());
            for i in 0..self.orientations {
                let (restored, log_probs) = self.model.restore(&orient(images, i))?;
                error += (restored - images).square().flatten(1, -1).mean_dim(1, false, Kind::Float);
                surprise -= log_probs.select(1, i as i64);
            }
            Ok((error / n, surprise / n))
        })?;
        let (errors, surprises): (Vec<_>, Vec<_>) = per_batch.into_iter().unzip();
        Ok(vec![Tensor::cat(&errors, 0), density, Tensor::cat(&surprises, 0)])
    }

    /// The scores of every image in `data`.
    pub fn scores(&self, data: &Dataset) -> Result<AnomalyScores> {
        let mut raw = self.raw(data)?;
        let combined = standardized_sum(&raw, &self.scales);
        let orientation = (raw.len() == 3).then(|| raw.remove(2));
        let density = raw.remove(1);
        Ok(AnomalyScores { reconstruction: raw.remove(0), density, orientation, combined })
    }
}

/// Mean and standard deviation of a score (on held-out normal items).
pub(super) fn scale(score: &Tensor) -> (f64, f64) {
    let t = score.to_kind(Kind::Double);
    (t.mean(Kind::Double).double_value(&[]), t.std(true).double_value(&[]).max(1e-12))
}

/// The sum of `scores`, each standardized by its `(mean, std)`.
pub(super) fn standardized_sum(scores: &[Tensor], scales: &[(f64, f64)]) -> Tensor {
    let zeros = Tensor::zeros_like(&scores[0]).to_kind(Kind::Float);
    scores.iter().zip(scales).map(|(t, &(mean, std))| (t - mean) / std).fold(zeros, |sum, z| sum + z)
}
