use tch::{Device, Tensor};

use super::Dataset;
use crate::rng::permutation;
use crate::{Error, Result};

/// One batch: images `[B, 1, 28, 28]` and labels `[B]`, on the device asked for.
#[derive(Debug)]
pub struct Batch {
    /// Images `[B, 1, 28, 28]`, on the device asked for.
    pub images: Tensor,
    /// Their labels `[B]` (i64).
    pub labels: Tensor,
}

/// Iterator over the batches of a [`Dataset`]; every image appears exactly once.
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
            shuffle.map(|seed| Tensor::from_slice(&permutation(data.len(), seed)).to_device(data.images.device()));
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
        let (images, labels) = match &self.order {
            Some(order) => {
                let index = order.narrow(0, self.next as i64, (end - self.next) as i64);
                (self.data.images.index_select(0, &index), self.data.labels.index_select(0, &index))
            }
            None => {
                let part = self.data.range(self.next, end);
                (part.images, part.labels)
            }
        };
        self.next = end;
        Some(Batch { images: images.to_device(self.device), labels: labels.to_device(self.device) })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = (self.data.len() - self.next).div_ceil(self.batch_size);
        (left, Some(left))
    }
}

impl ExactSizeIterator for Batches {}
