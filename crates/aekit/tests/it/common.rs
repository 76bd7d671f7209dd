use std::path::Path;
use std::sync::Mutex;

use aekit::data::{idx, Dataset, FashionMnist};
use tch::Tensor;

/// libtorch's random generator is global to the process: tests that draw from it (model
/// initialisation, dropout, noise, shuffling) take this lock, so that seeded runs repeat while
/// other tests run in parallel.
pub fn serial() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// The real data set, loaded once for the whole test binary (clones share the tensors).
pub fn real() -> FashionMnist {
    static DATA: Mutex<Option<FashionMnist>> = Mutex::new(None);
    let mut data = DATA.lock().unwrap_or_else(|e| e.into_inner());
    data.get_or_insert_with(|| match FashionMnist::load() {
        Ok(data) => data,
        Err(e) => panic!("real-data tests need Fashion-MNIST: {e}"),
    })
    .clone()
}

/// A small synthetic data set: `n` images whose pixels encode their index, labels cycling 0–9.
pub fn synthetic(n: usize) -> (Vec<u8>, Vec<u8>) {
    let images: Vec<u8> = (0..n * 784).map(|i| ((i / 784) * 7 + i % 784) as u8).collect();
    let labels: Vec<u8> = (0..n).map(|i| (i % 10) as u8).collect();
    (idx::encode(&[n, 28, 28], &images), idx::encode(&[n], &labels))
}

/// Writes a synthetic Fashion-MNIST folder (gzip-compressed like the originals).
pub fn write_synthetic_dir(dir: &Path, train: usize, test: usize) {
    let (train_images, train_labels) = synthetic(train);
    let (test_images, test_labels) = synthetic(test);
    for (name, bytes) in [
        ("train-images-idx3-ubyte", train_images),
        ("train-labels-idx1-ubyte", train_labels),
        ("t10k-images-idx3-ubyte", test_images),
        ("t10k-labels-idx1-ubyte", test_labels),
    ] {
        std::fs::write(dir.join(format!("{name}.gz")), gzip(&bytes)).unwrap();
    }
}

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

/// `n` images with ids 0..n as labels (to see which image went where).
pub fn numbered(n: i64) -> Dataset {
    Dataset::new(
        Tensor::rand([n, 1, 28, 28], (tch::Kind::Float, tch::Device::Cpu)),
        Tensor::arange(n, (tch::Kind::Int64, tch::Device::Cpu)),
    )
    .unwrap()
}

/// A temporary folder inside the build folder (`target/tmp`): tests write only inside the
/// repository. `$AEKIT_TEST_TMPDIR` moves it (the GPU bundle runs these tests elsewhere).
pub fn tempdir() -> tempfile::TempDir {
    let dir = std::env::var_os("AEKIT_TEST_TMPDIR").unwrap_or_else(|| env!("CARGO_TARGET_TMPDIR").into());
    std::fs::create_dir_all(&dir).unwrap();
    tempfile::tempdir_in(dir).unwrap()
}
