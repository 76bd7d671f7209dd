//! Several anomaly detectors as one: each member's combined score standardized on held-out
//! normal images, then summed, so models that miss different anomalies cover for each other.

use tch::Tensor;

use super::anomaly::{scale, standardized_sum};
use super::{AnomalyDetector, AnomalyScores};
use crate::data::Dataset;
use crate::{Error, Result};

/// Detectors of the same normal class (e.g. a plain and a restoration autoencoder) scored
/// together: the sum of their [`AnomalyScores::combined`], each standardized on held-out normal
/// images so that none dominates by scale.
///
/// ```no_run
/// # use aekit::prelude::*;
/// # fn main() -> aekit::Result<()> {
/// use aekit::eval::{auroc, AnomalyDetector, Ensemble};
/// let data = FashionMnist::load()?;
/// let (normal, held_out) = (data.train.of_class(7)?, data.validation.of_class(7)?);
/// let mut plain = Autoencoder::new(ConvConfig::default(), aekit::device()?)?;
/// train(&mut plain, &normal, &held_out, &TrainConfig::default())?;
/// let mut restoring = Autoencoder::new(RestorationConfig::default(), aekit::device()?)?;
/// train(&mut restoring, &normal, &held_out, &TrainConfig { loss: ReconLoss::Mse, ..Default::default() })?;
/// let members = vec![
///     AnomalyDetector::fit(plain, &normal, &held_out)?,
///     AnomalyDetector::restoration(restoring, &normal, &held_out)?,
/// ];
/// let scores = Ensemble::new(members, &held_out)?.scores(&data.test)?;
/// println!("AUROC {:.3}", auroc(&scores.combined, &data.test.labels.ne(7))?);
/// # Ok(()) }
/// ```
pub struct Ensemble {
    members: Vec<AnomalyDetector>,
    /// Mean and standard deviation of each member's combined score on the held-out images.
    scales: Vec<(f64, f64)>,
}

/// Scores of [`Ensemble::scores`].
#[derive(Debug)]
pub struct EnsembleScores {
    /// Each member's own scores, in the order the members were given.
    pub members: Vec<AnomalyScores>,
    /// Sum of the members' combined scores, each standardized on held-out normal images, `[N]`.
    pub combined: Tensor,
}

impl Ensemble {
    /// Joins `members`; `held_out` (normal images none of them was trained on) calibrates the
    /// scales.
    pub fn new(members: Vec<AnomalyDetector>, held_out: &Dataset) -> Result<Self> {
        if members.is_empty() {
            return Err(Error::config("Ensemble members", "give at least one AnomalyDetector"));
        }
        if held_out.len() < 2 {
            return Err(Error::input("Ensemble::new", "needs at least 2 held-out normal images"));
        }
        let scales = members.iter().map(|m| Ok(scale(&m.scores(held_out)?.combined))).collect::<Result<_>>()?;
        Ok(Ensemble { members, scales })
    }

    /// The detectors, in the order given.
    pub fn members(&self) -> &[AnomalyDetector] {
        &self.members
    }

    /// The scores of every image in `data`: each member's and the ensemble's.
    pub fn scores(&self, data: &Dataset) -> Result<EnsembleScores> {
        let members = self.members.iter().map(|m| m.scores(data)).collect::<Result<Vec<_>>>()?;
        let combined: Vec<Tensor> = members.iter().map(|s| s.combined.shallow_clone()).collect();
        Ok(EnsembleScores { combined: standardized_sum(&combined, &self.scales), members })
    }
}
