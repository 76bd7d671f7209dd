//! Dynamic time warping: the distance between two series when either may be stretched or
//! squeezed in time, the stronger nearest-series baseline of one-class detection on UCR
//! problems (Mauceri et al., 2020, report it beside the Euclidean distance), and a
//! reconstruction error that forgives a little timing ([`warped_errors`]).
//!
//! ```
//! use aekit::eval::{nearest_dtw, warped_errors};
//! use aekit::tch::Tensor;
//! let reference = Tensor::from_slice(&[0.0f32, 1.0, 2.0, 1.0, 0.0, 0.0]).view([1, 6]);
//! // The same bump one step later: far in Euclidean distance, no distance once warped.
//! let late = Tensor::from_slice(&[0.0f32, 0.0, 1.0, 2.0, 1.0, 0.0]).view([1, 6]);
//! assert_eq!(nearest_dtw(&reference, &late)?.double_value(&[0]), 0.0);
//! // Within one step of the diagonal the shift is forgiven; within none it is the MSE.
//! assert_eq!(warped_errors(&late, &reference, 1)?.double_value(&[0]), 0.0);
//! assert!((warped_errors(&late, &reference, 0)?.double_value(&[0]) - 4.0 / 6.0).abs() < 1e-6);
//! # Ok::<(), aekit::Error>(())
//! ```

use tch::{Kind, Tensor};

use crate::{Error, Result};

/// For each row of `query` `[M, L]`, its DTW distance to the nearest row of `reference`
/// `[N, L']`, `[M]`: the square root of the least sum of squared differences along a warping
/// path (full window, steps right, down or diagonal), so that with no warping it is the
/// Euclidean distance.
pub fn nearest_dtw(reference: &Tensor, query: &Tensor) -> Result<Tensor> {
    let (reference, query) = (rows("nearest_dtw: reference", reference)?, rows("nearest_dtw: query", query)?);
    let nearest: Vec<f64> = query
        .iter()
        .map(|q| reference.iter().fold(f64::INFINITY, |best, r| dtw_within(q, r, usize::MAX, best)).sqrt())
        .collect();
    Ok(Tensor::from_slice(&nearest).to_kind(Kind::Float))
}

/// Each series' squared distance to its reconstruction along the best warping path that stays
/// within `band` steps of the diagonal (a Sakoe–Chiba band), divided by the length, `[N]`:
/// the mean squared error when `band` is 0, and never more. `series` and `reconstructions`
/// are `[N, L]` or `[N, 1, L]`, of one shape. A reconstruction that is right but a few steps
/// early or late costs little; one of the wrong shape still costs.
pub fn warped_errors(series: &Tensor, reconstructions: &Tensor, band: usize) -> Result<Tensor> {
    if series.size() != reconstructions.size() {
        return Err(Error::input(
            "warped_errors",
            format!("series {:?} and reconstructions {:?} differ in shape", series.size(), reconstructions.size()),
        ));
    }
    let one_channel = |x: &Tensor| match x.size()[..] {
        [_, 1, l] => x.view([-1, l]),
        _ => x.shallow_clone(),
    };
    let series = rows("warped_errors: series", &one_channel(series))?;
    let reconstructions = rows("warped_errors: reconstructions", &one_channel(reconstructions))?;
    let errors: Vec<f64> = series
        .iter()
        .zip(&reconstructions)
        .map(|(s, r)| dtw_within(s, r, band, f64::INFINITY) / s.len() as f64)
        .collect();
    Ok(Tensor::from_slice(&errors).to_kind(Kind::Float))
}

/// The rows of float series `[N, L]`, for the loops below.
fn rows(what: &str, x: &Tensor) -> Result<Vec<Vec<f64>>> {
    if x.dim() != 2 || x.size()[0] == 0 || x.size()[1] == 0 || !x.is_floating_point() {
        return Err(Error::input(
            what,
            format!("expected float series [N, L] (or [N, 1, L]), got {:?} {:?}", x.kind(), x.size()),
        ));
    }
    let flat = Vec::<f64>::try_from(x.to_kind(Kind::Double).to_device(tch::Device::Cpu).contiguous().view([-1]))
        .map_err(|e| Error::input(what, e.to_string()))?;
    Ok(flat.chunks(x.size()[1] as usize).map(<[f64]>::to_vec).collect())
}

/// The squared DTW distance of `a` and `b` along paths within `band` steps of the diagonal, or
/// `bound` when it is sure to be at least `bound` (a row of the table whose every cell reaches
/// `bound` ends the search).
fn dtw_within(a: &[f64], b: &[f64], band: usize, bound: f64) -> f64 {
    let mut previous = vec![f64::INFINITY; b.len() + 1];
    let mut current = vec![f64::INFINITY; b.len() + 1];
    previous[0] = 0.0;
    for (i, &x) in a.iter().enumerate() {
        // The band's first cell reads the one left of it, which must not be reachable; every
        // other cell this row or the next reads is written in this row or never was.
        let first = i.saturating_sub(band);
        current[first.min(b.len())] = f64::INFINITY;
        let mut row_min = f64::INFINITY;
        for (j, &y) in b.iter().enumerate().take(i.saturating_add(band).saturating_add(1)).skip(first) {
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

    #[test]
    fn a_banded_warp_forgives_a_shift_within_the_band_only() {
        let bump = |at: usize| {
            let mut v = [0.0f32; 12];
            v[at] = 1.0;
            v[at + 1] = 2.0;
            v[at + 2] = 1.0;
            Tensor::from_slice(&v).view([1, 1, 12])
        };
        let (series, early) = (bump(6), bump(3));
        let mse = (&series - &early).square().mean(Kind::Float).double_value(&[]);
        let within = |band| warped_errors(&series, &early, band).unwrap().double_value(&[0]);
        assert!((within(0) - mse).abs() < 1e-6, "band 0 is the MSE: {} vs {mse}", within(0));
        // Three steps late: a band of 1 or 2 forgives part of it, 3 all of it.
        assert!(within(1) < within(0) && within(2) < within(1) && within(2) > 0.0, "{:?}", [within(1), within(2)]);
        assert_eq!(within(3), 0.0);
        // Full width agrees with the nearest-series DTW (squared, per step).
        let full = nearest_dtw(&early.view([1, 12]), &series.view([1, 12])).unwrap().double_value(&[0]);
        assert!((within(12) - full * full / 12.0).abs() < 1e-6);
        let e = warped_errors(&series, &early.view([1, 12]), 1).unwrap_err().to_string();
        assert!(e.contains("warped_errors") && e.contains("differ in shape"), "{e}");
        let two_channels = Tensor::zeros([1, 2, 6], (Kind::Float, tch::Device::Cpu));
        let e = warped_errors(&two_channels, &two_channels, 1).unwrap_err().to_string();
        assert!(e.contains("[N, 1, L]"), "{e}");
    }
}
