//! Dynamic time warping: the distance between two series when either may be stretched or
//! squeezed in time, the stronger nearest-series baseline of one-class detection on UCR
//! problems (Mauceri et al., 2020, report it beside the Euclidean distance).
//!
//! ```
//! use aekit::eval::nearest_dtw;
//! use aekit::tch::Tensor;
//! let reference = Tensor::from_slice(&[0.0f32, 1.0, 2.0, 1.0, 0.0, 0.0]).view([1, 6]);
//! // The same bump one step later: far in Euclidean distance, no distance once warped.
//! let late = Tensor::from_slice(&[0.0f32, 0.0, 1.0, 2.0, 1.0, 0.0]).view([1, 6]);
//! assert_eq!(nearest_dtw(&reference, &late)?.double_value(&[0]), 0.0);
//! # Ok::<(), aekit::Error>(())
//! ```

use tch::{Kind, Tensor};

use crate::{Error, Result};

/// For each row of `query` `[M, L]`, its DTW distance to the nearest row of `reference`
/// `[N, L']`, `[M]`: the square root of the least sum of squared differences along a warping
/// path (full window, steps right, down or diagonal), so that with no warping it is the
/// Euclidean distance.
pub fn nearest_dtw(reference: &Tensor, query: &Tensor) -> Result<Tensor> {
    let rows = |what: &str, x: &Tensor| -> Result<Vec<Vec<f64>>> {
        if x.dim() != 2 || x.size()[0] == 0 || x.size()[1] == 0 || !x.is_floating_point() {
            return Err(Error::input(what, format!("expected float series [N, L], got {:?} {:?}", x.kind(), x.size())));
        }
        let flat = Vec::<f64>::try_from(x.to_kind(Kind::Double).to_device(tch::Device::Cpu).contiguous().view([-1]))
            .map_err(|e| Error::input(what, e.to_string()))?;
        Ok(flat.chunks(x.size()[1] as usize).map(<[f64]>::to_vec).collect())
    };
    let (reference, query) = (rows("nearest_dtw: reference", reference)?, rows("nearest_dtw: query", query)?);
    let nearest: Vec<f64> =
        query.iter().map(|q| reference.iter().fold(f64::INFINITY, |best, r| dtw_within(q, r, best)).sqrt()).collect();
    Ok(Tensor::from_slice(&nearest).to_kind(Kind::Float))
}

/// The squared DTW distance of `a` and `b`, or `bound` when it is sure to be at least `bound`
/// (a row of the table whose every cell reaches `bound` ends the search).
fn dtw_within(a: &[f64], b: &[f64], bound: f64) -> f64 {
    let mut previous = vec![f64::INFINITY; b.len() + 1];
    let mut current = vec![f64::INFINITY; b.len() + 1];
    previous[0] = 0.0;
    for &x in a {
        current[0] = f64::INFINITY;
        let mut row_min = f64::INFINITY;
        for (j, &y) in b.iter().enumerate() {
            let cell = (x - y).powi(2) + previous[j].min(previous[j + 1]).min(current[j]);
            current[j + 1] = cell;
            row_min = row_min.min(cell);
        }
        if row_min >= bound {
            return bound;
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()].min(bound)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_warping_it_is_at_most_euclidean_and_zero_for_itself() {
        let a = Tensor::from_slice(&[0.0f32, 1.0, 3.0, 1.0, 0.0]).view([1, 5]);
        let b = Tensor::from_slice(&[1.0f32, 1.0, 2.0, 0.0, 0.0]).view([1, 5]);
        let euclidean = (&a - &b).square().sum(Kind::Float).sqrt().double_value(&[]);
        let dtw = nearest_dtw(&a, &b).unwrap().double_value(&[0]);
        assert!(dtw <= euclidean + 1e-9 && dtw > 0.0, "dtw {dtw}, euclidean {euclidean}");
        assert_eq!(nearest_dtw(&a, &a).unwrap().double_value(&[0]), 0.0);
    }

    #[test]
    fn picks_the_nearest_reference_and_computes_by_hand() {
        // [0, 2] against [1, 1]: the best path is the diagonal, (0−1)² + (2−1)² = 2.
        let reference = Tensor::from_slice(&[1.0f32, 1.0, 9.0, 9.0]).view([2, 2]);
        let query = Tensor::from_slice(&[0.0f32, 2.0]).view([1, 2]);
        let d = nearest_dtw(&reference, &query).unwrap().double_value(&[0]);
        assert!((d - 2f64.sqrt()).abs() < 1e-6, "{d}");
    }

    #[test]
    fn bad_input_is_an_error() {
        let err = nearest_dtw(
            &Tensor::zeros([3], (Kind::Float, tch::Device::Cpu)),
            &Tensor::zeros([1, 3], (Kind::Float, tch::Device::Cpu)),
        )
        .unwrap_err();
        assert!(err.to_string().contains("nearest_dtw: reference"), "{err}");
    }
}
