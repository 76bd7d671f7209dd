//! Anomaly scoring: how well a score separates anomalies (AUROC), a distance-to-normal score,
//! and the metrics of a chosen threshold.

use tch::{Kind, Tensor};

use super::classify::nearest;
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
    pub threshold: f64,
    pub precision: f64,
    pub recall: f64,
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
