use std::collections::HashSet;
use std::path::PathBuf;

use aekit::data::{idx, FashionMnist, LoadOptions, CLASS_NAMES, FILES};
use aekit::Error;
use tch::{Device, Kind, Tensor};

use crate::common::{gzip, numbered, real, serial, synthetic, write_synthetic_dir};

fn unverified(validation: usize) -> LoadOptions {
    LoadOptions { validation, verify: false }
}

#[test]
fn synthetic_folder_loads_with_shapes_scale_and_split() {
    let dir = crate::common::tempdir();
    write_synthetic_dir(dir.path(), 30, 12);
    let data = FashionMnist::from_dir_with(dir.path(), &unverified(5)).unwrap();
    assert_eq!(data.train.samples.size(), [25, 1, 28, 28]);
    assert_eq!(data.validation.samples.size(), [5, 1, 28, 28]);
    assert_eq!(data.test.samples.size(), [12, 1, 28, 28]);
    assert_eq!(data.train.samples.kind(), Kind::Float);
    assert_eq!(data.test.labels.kind(), Kind::Int64);
    // Image 25 is the first of the validation split; its first pixel is (25 * 7) / 255.
    let first = data.validation.samples.double_value(&[0, 0, 0, 0]);
    assert!((first - 175.0 / 255.0).abs() < 1e-6, "{first}");
    assert_eq!(data.validation.labels.int64_value(&[0]), 5);
    // Pixels are exactly what libtorch's `u8 as f32 / 255` gives.
    let (raw, _) = synthetic(30);
    let expected = Tensor::from_slice(&raw[16..]).view([30, 1, 28, 28]).to_kind(Kind::Float) / 255.0;
    assert!(data.train.samples.equal(&expected.narrow(0, 0, 25)));
}

#[test]
fn plain_uncompressed_files_load_too() {
    let dir = crate::common::tempdir();
    let (images, labels) = synthetic(4);
    for (f, bytes) in FILES.iter().zip([&images, &labels, &images, &labels]) {
        std::fs::write(dir.path().join(f.name), bytes).unwrap();
    }
    let data = FashionMnist::from_dir_with(dir.path(), &unverified(1)).unwrap();
    assert_eq!(data.train.len(), 3);
}

#[test]
fn checksums_are_verified_by_default() {
    let dir = crate::common::tempdir();
    write_synthetic_dir(dir.path(), 3, 3);
    let err = FashionMnist::from_dir(dir.path()).unwrap_err().to_string();
    assert!(err.contains("SHA-256") && err.contains("make data"), "{err}");
}

/// Replaces one file of a good synthetic folder and returns the load error.
fn load_with_replaced(file: usize, content: Option<Vec<u8>>) -> (String, PathBuf) {
    let dir = crate::common::tempdir();
    write_synthetic_dir(dir.path(), 6, 6);
    let path = dir.path().join(format!("{}.gz", FILES[file].name));
    std::fs::remove_file(&path).unwrap();
    match content {
        Some(bytes) => std::fs::write(&path, bytes).unwrap(),
        None => std::fs::create_dir(&path).unwrap(),
    }
    let err = FashionMnist::from_dir_with(dir.path(), &unverified(1)).unwrap_err();
    assert!(matches!(err, Error::CorruptData { .. }), "{err:?}");
    (err.to_string(), path)
}

#[test]
fn corrupt_files_are_named_with_what_is_wrong() {
    let (images, labels) = synthetic(6);
    let mut bad_magic = images.clone();
    bad_magic[2] = 0x0b;
    let mut bad_labels = labels.clone();
    bad_labels[8 + 3] = 12;
    let (other_images, _) = synthetic(5);
    let wrong_dims = idx::encode(&[6, 32, 32], &vec![0; 6 * 1024]);
    let cases: Vec<(usize, Option<Vec<u8>>, &str)> = vec![
        (0, Some(gzip(&[])), "empty"),
        (0, Some(gzip(&bad_magic)), "data type 0x0b"),
        (0, Some(gzip(&[7, 7, 8, 3, 0, 0, 0, 6])), "wrong magic number"),
        (0, Some(gzip(&wrong_dims)), "28×28"),
        (0, Some(gzip(&images[..images.len() - 100])), "truncated"),
        (1, Some(gzip(&bad_labels)), "label 12 at index 3"),
        (0, Some(gzip(&other_images)), "holds 6 labels but"),
        (2, Some(gzip(&images)[..40].to_vec()), "corrupt gzip"),
        (3, None, "is a directory"),
    ];
    for (file, content, want) in cases {
        let (err, path) = load_with_replaced(file, content);
        assert!(err.contains(want), "want {want:?} in: {err}");
        assert!(err.contains(&path.display().to_string()) || err.contains(FILES[file].name), "path missing: {err}");
    }
}

#[test]
fn missing_data_names_every_place_looked_and_the_fix() {
    let empty = crate::common::tempdir();
    let dirs = [empty.path().to_path_buf(), PathBuf::from("/nonexistent/aekit-data")];
    let err = FashionMnist::locate_in(&dirs).unwrap_err().to_string();
    assert!(
        err.contains(&empty.path().display().to_string()) && err.contains("missing train-images-idx3-ubyte"),
        "{err}"
    );
    assert!(err.contains("/nonexistent/aekit-data (no such folder)"), "{err}");
    assert!(err.contains("make data") && err.contains("AEKIT_DATA"), "{err}");
}

#[test]
fn validation_larger_than_training_set_is_rejected() {
    let dir = crate::common::tempdir();
    write_synthetic_dir(dir.path(), 4, 2);
    let err = FashionMnist::from_dir_with(dir.path(), &unverified(4)).unwrap_err();
    assert!(matches!(err, Error::Config { .. }), "{err}");
}

#[test]
fn real_data_shapes_range_split_and_classes() {
    let data = real();
    assert_eq!(data.train.samples.size(), [55_000, 1, 28, 28]);
    assert_eq!(data.validation.samples.size(), [5_000, 1, 28, 28]);
    assert_eq!(data.test.samples.size(), [10_000, 1, 28, 28]);
    let (lo, hi) = (data.train.samples.min().double_value(&[]), data.train.samples.max().double_value(&[]));
    assert_eq!((lo, hi), (0.0, 1.0));
    // The test set has 1,000 images of each class.
    let counts = Vec::<i64>::try_from(data.test.labels.bincount::<Tensor>(None, 10)).unwrap();
    assert_eq!(counts, vec![1000; 10]);
    // The validation split is the last 5,000 training images, in file order.
    let raw = idx::read(&data.dir.join("train-images-idx3-ubyte.gz")).unwrap();
    let pixel = raw.data()[55_000 * 784 + 14 * 28 + 14] as f64 / 255.0;
    assert!((data.validation.samples.double_value(&[0, 0, 14, 14]) - pixel).abs() < 1e-6);
    assert_eq!(CLASS_NAMES[9], "Ankle boot");
}

#[test]
fn one_per_class_gives_each_class_in_order() {
    let sample = real().test.one_per_class().unwrap();
    assert_eq!(Vec::<i64>::try_from(&sample.labels).unwrap(), (0..10).collect::<Vec<_>>());
    assert_eq!(sample.class_names().unwrap()[0], "T-shirt/top");
}

#[test]
fn seeded_batches_repeat_and_cover_every_sample_once() {
    let _rng = serial();
    let data = numbered(1000);
    let order = |seed| -> Vec<i64> {
        data.batches(64, Some(seed), Device::Cpu)
            .unwrap()
            .flat_map(|b| Vec::<i64>::try_from(&b.labels).unwrap())
            .collect()
    };
    let (a, b, c) = (order(7), order(7), order(8));
    assert_eq!(a, b, "same seed, same order");
    assert_ne!(a, c, "another seed, another order");
    assert_ne!(a, (0..1000).collect::<Vec<_>>(), "shuffled");
    assert_eq!(a.iter().copied().collect::<HashSet<_>>().len(), 1000, "each sample once");
    let batches: Vec<_> = data.batches(64, Some(7), Device::Cpu).unwrap().collect();
    assert_eq!(batches.len(), 16);
    assert_eq!(batches[15].samples.size(), [1000 - 15 * 64, 1, 28, 28]);
    // Images travel with their labels.
    let first = &batches[0];
    let id = first.labels.int64_value(&[0]);
    assert!(first.samples.get(0).equal(&data.samples.get(id)));
}

#[test]
fn unshuffled_batches_keep_file_order_and_zero_batch_size_is_an_error() {
    let _rng = serial();
    let data = numbered(10);
    let ids: Vec<i64> =
        data.batches(4, None, Device::Cpu).unwrap().flat_map(|b| Vec::<i64>::try_from(&b.labels).unwrap()).collect();
    assert_eq!(ids, (0..10).collect::<Vec<_>>());
    assert!(matches!(data.batches(0, None, Device::Cpu), Err(Error::Config { .. })));
}

#[test]
fn unreadable_files_name_the_file_and_the_fix() {
    let dir = crate::common::tempdir();
    crate::common::write_synthetic_dir(dir.path(), 20, 10);
    let file = dir.path().join("train-labels-idx1-ubyte.gz");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o000)).unwrap();
    // root reads any file whatever its mode; then the error is built the way a read would fail.
    let err = match std::fs::read(&file) {
        Ok(_) => aekit::Error::Io { path: file.clone(), source: std::io::ErrorKind::PermissionDenied.into() },
        Err(_) => FashionMnist::from_dir_with(dir.path(), &unverified(0)).unwrap_err(),
    }
    .to_string();
    assert!(err.contains("train-labels-idx1-ubyte.gz") && err.contains("chmod"), "{err}");
}
