use tch::{Device, Tensor};

use super::Dataset;
use crate::rng::permutation;
use crate::{Error, Result};

/// One batch: samples `[B, …]` and labels `[B]`, on the device asked for.
#[derive(Debug)]
pub struct Batch {
    /// Samples `[B, …]`, on the device asked for.
    pub samples: Tensor,
    /// Their labels `[B]` (i64).
    pub labels: Tensor,
}

/// Iterator over the batches of a [`Dataset`]; every sample appears exactly once.
pub struct Batches {
    data: Dataset,
    order: Option<Tensor>,
    batch_size: usize,
    next: usize,
    device: Device,
}

impl Batches {
    pub(super) fn new(data: &Dataset, batch_size: usize, shuffle: Option<u64>, device: Device) -> Result<Self> {
        if batch_size == 0 {
            return Err(Error::config("batch_size", "must be at least 1"));
        }
        // The order lives beside the data, so a batch is picked without a copy between devices.
        let order =
            shuffle.map(|seed| Tensor::from_slice(&permutation(data.len(), seed)).to_device(data.samples.device()));
        Ok(Batches { data: data.clone(), order, batch_size, next: 0, device })
    }
}

impl Iterator for Batches {
    type Item = Batch;

    fn next(&mut self) -> Option<Batch> {
        let n = self.data.len();
        if self.next >= n {
            return None;
        }
        let end = (self.next + self.batch_size).min(n);
        let part = match &self.order {
            Some(order) => self.data.select(&order.narrow(0, self.next as i64, (end - self.next) as i64)),
            None => self.data.range(self.next, end),
        };
        self.next = end;
        Some(Batch { samples: part.samples.to_device(self.device), labels: part.labels.to_device(self.device) })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = (self.data.len() - self.next).div_ceil(self.batch_size);
        (left, Some(left))
    }
}

impl ExactSizeIterator for Batches {}
