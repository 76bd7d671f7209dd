//! A user's own data: a folder of images (built here, shapes per class), tensors, and the
//! shapes models take from it.

use std::path::{Path, PathBuf};

use aekit::data::{Source, Splits, SHAPES as CLASSES, SHAPES_BACKGROUND};
use aekit::eval::evaluate;
use aekit::prelude::*;

use crate::common::{serial, tempdir};

/// `root/<class>/<i>.png`: aekit's made-up shapes, `per_class` images of `size`×`size`.
fn shapes_folder(root: &Path, per_class: usize, size: u32) -> PathBuf {
    aekit::data::write_shapes(root, per_class, size, 0).unwrap();
    root.to_path_buf()
}

/// A plain RGB image of `size`×`size`.
fn plain(size: u32) -> image::RgbImage {
    image::RgbImage::from_pixel(size, size, image::Rgb([10, 20, 30]))
}

#[test]
fn a_folder_of_images_loads_with_its_classes_shape_and_values() {
    let dir = tempdir();
    let root = shapes_folder(dir.path(), 4, 32);
    std::fs::write(root.join(".DS_Store"), b"junk").unwrap(); // hidden: passed over
    let data = ImageFolder::load(&root).unwrap();
    assert_eq!(data.samples.size(), [12, 3, 32, 32]);
    assert_eq!(data.classes(), CLASSES);
    assert_eq!(Vec::<i64>::try_from(&data.labels).unwrap(), [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]);
    // Channel-first and scaled: pixel (0, 0) of the first disc image is the background.
    let corner: Vec<f32> = (0..3).map(|c| data.samples.double_value(&[0, c, 0, 0]) as f32).collect();
    assert_eq!(corner, SHAPES_BACKGROUND.map(|v| v as f32 / 255.0));
    // Resized on request, converted to gray on request.
    let small = ImageFolder::new().size(20, 16).gray().read(&root).unwrap();
    assert_eq!(small.samples.size(), [12, 1, 16, 20]);
    assert!(small.samples.min().double_value(&[]) >= 0.0 && small.samples.max().double_value(&[]) <= 1.0);
    // Split with a seed: disjoint, complete, repeatable.
    let (a, b) = data.split(0.75, 3).unwrap();
    assert_eq!((a.len(), b.len()), (9, 3));
    assert_eq!(a.classes(), CLASSES);
    assert!(b.one_per_class().is_ok(), "stratified: every class in both parts");
    assert!(a.samples.equal(&data.split(0.75, 3).unwrap().0.samples));
}

#[test]
fn bad_folders_and_files_are_named_in_the_error() {
    let error = |dir: &Path, reader: ImageFolder| reader.read(dir).unwrap_err().to_string();
    let dir = tempdir();
    let root = shapes_folder(&dir.path().join("ok"), 2, 16);

    // A file that is not an image, and one cut short: each named; skipped only on request.
    std::fs::write(root.join("disc/notes.txt"), "not a picture").unwrap();
    let e = error(&root, ImageFolder::new());
    assert!(e.contains("notes.txt") && e.contains("skip_unreadable"), "{e}");
    let data = ImageFolder::new().skip_unreadable().read(&root).unwrap();
    assert_eq!(data.len(), 6);
    std::fs::remove_file(root.join("disc/notes.txt")).unwrap();
    let bytes = std::fs::read(root.join("square/0.png")).unwrap();
    std::fs::write(root.join("square/0.png"), &bytes[..bytes.len() / 2]).unwrap();
    let e = error(&root, ImageFolder::new());
    assert!(e.contains("0.png") && e.contains("square"), "{e}");
    std::fs::write(root.join("square/0.png"), &bytes).unwrap();

    // Gray and colour images mixed: both files named, the fix too.
    image::GrayImage::from_pixel(16, 16, image::Luma([9])).save(root.join("stripes/gray.png")).unwrap();
    let e = error(&root, ImageFolder::new());
    assert!(e.contains("gray.png") && e.contains(".gray() or .rgb()"), "{e}");
    assert_eq!(ImageFolder::new().rgb().read(&root).unwrap().samples.size(), [7, 3, 16, 16]);
    std::fs::remove_file(root.join("stripes/gray.png")).unwrap();

    // Another size is resized to the first image's.
    plain(24).save(root.join("disc/big.png")).unwrap();
    assert_eq!(ImageFolder::load(&root).unwrap().samples.size(), [7, 3, 16, 16]);

    // An empty class folder, a folder without class folders, no folder at all.
    std::fs::create_dir(root.join("empty")).unwrap();
    let e = error(&root, ImageFolder::new());
    assert!(e.contains("empty") && e.contains("no readable image"), "{e}");
    let flat = dir.path().join("flat");
    std::fs::create_dir(&flat).unwrap();
    plain(8).save(flat.join("a.png")).unwrap();
    let e = error(&flat, ImageFolder::new());
    assert!(e.contains("flat") && e.contains("one subfolder per class"), "{e}");
    std::fs::create_dir(dir.path().join("nothing")).unwrap();
    let e = error(&dir.path().join("nothing"), ImageFolder::new());
    assert!(e.contains("nothing is empty") && e.contains("one subfolder per class"), "{e}");
    let e = error(&dir.path().join("missing"), ImageFolder::new());
    assert!(e.contains("missing") && e.contains("is not a folder"), "{e}");
}

#[test]
fn a_conv_autoencoder_learns_a_folder_of_rgb_images() {
    let _rng = serial();
    let dir = tempdir();
    let data = ImageFolder::load(shapes_folder(dir.path(), 100, 32)).unwrap();
    manual_seed(7);
    let config = ConvConfig { channels: vec![16, 32], latent: Some(32), ..Default::default() };
    let mut model = Autoencoder::new(config.with_input(data.sample_shape()), Device::Cpu).unwrap();
    assert!(model.config().describe().contains("3×32×32 → 16×16×16 → 32×8×8 → 32"), "{}", model.config().describe());
    let before = evaluate(&model, &data, ReconLoss::Bce).unwrap();
    // 300 images, batches of 30: 300 steps in 30 epochs.
    let train_config =
        TrainConfig { epochs: 30, batch_size: 30, seed: 7, checkpoints: None, verbose: false, ..Default::default() };
    let history = train(&mut model, &data, &data, &train_config).unwrap();
    let after = evaluate(&model, &data, ReconLoss::Bce).unwrap();
    assert!(after < 0.8 * before, "BCE {before:.4} -> {after:.4}: less than 20 % lower");
    assert!(history.train_loss().last().unwrap() < &history.train_loss()[0]);
    // Reconstructions in a grid, in colour, one column per class.
    let sample = data.one_per_class().unwrap();
    let png = reconstruction_grid(&sample, &model.forward(&sample.samples).unwrap()).unwrap();
    let image = image::load_from_memory(&png.bytes).unwrap().to_rgb8();
    assert!(image.pixels().any(|p| p[0] > p[2] + 100), "a red disc is drawn in colour");
    png.save(dir.path().join("grid.png")).unwrap();
}

#[test]
fn a_models_input_shape_comes_from_the_data_and_mismatches_name_both_shapes() {
    let x = Tensor::rand([4, 3, 20, 12], (Kind::Float, Device::Cpu));
    let data = Dataset::unlabeled(x.shallow_clone()).unwrap();
    for config in [
        ModelConfig::from(DenseConfig::standard(8)),
        ConvConfig::default().into(),
        SparseConfig::default().into(),
        VaeConfig::default().into(),
        VaeConfig::conv(4).into(),
    ] {
        let model = Autoencoder::new(config.with_input(data.sample_shape()), Device::Cpu).unwrap();
        assert_eq!(model.forward(&x).unwrap().size(), [4, 3, 20, 12], "{}", model.config().describe());
        let e = model.forward(&Tensor::rand([2, 1, 28, 28], (Kind::Float, Device::Cpu))).unwrap_err().to_string();
        assert!(e.contains("[N, 3, 20, 12]") && e.contains("[2, 1, 28, 28]"), "{e}");
        assert!(model.summary().to_string().contains("12"));
    }
    // Vectors: dense kinds take them; convolutions say what they take instead.
    let vectors = DenseConfig::standard(2).with_input([5]);
    let model = Autoencoder::new(vectors, Device::Cpu).unwrap();
    assert_eq!(model.forward(&Tensor::rand([3, 5], (Kind::Float, Device::Cpu))).unwrap().size(), [3, 5]);
    let e = Autoencoder::new(ConvConfig::default().with_input([5]), Device::Cpu).unwrap_err().to_string();
    assert!(e.contains("[C, H, W]") && e.contains("DenseConfig"), "{e}");
    let e =
        Autoencoder::new(ConvConfig { kernel: 5, ..Default::default() }.with_input([1, 3]), Device::Cpu).unwrap_err();
    assert!(e.to_string().contains("smallest side (3"), "{e}");
    // Same number of values, another layout: the hint says how to reshape.
    let model = Autoencoder::new(DenseConfig::standard(4), Device::Cpu).unwrap();
    let e = model.encode(&Tensor::rand([2, 784], (Kind::Float, Device::Cpu))).unwrap_err().to_string();
    assert!(e.contains(".view([-1, 1, 28, 28])"), "{e}");
    // Training checks the data against the model before the first step.
    let config = TrainConfig { epochs: 1, checkpoints: None, verbose: false, ..Default::default() };
    let mut m = Autoencoder::new(DenseConfig::standard(4), Device::Cpu).unwrap();
    let e = train(&mut m, &data, &data, &config).unwrap_err().to_string();
    assert!(e.contains("training set") && e.contains("[4, 3, 20, 12]"), "{e}");
}

#[test]
fn conv_autoencoders_fit_odd_sizes_and_series_exactly() {
    for (shape, stride) in
        [(vec![1, 27, 13], 2), (vec![3, 9, 31], 3), (vec![1, 150], 2), (vec![2, 7], 2), (vec![1, 1, 1], 2)]
    {
        let config = ConvConfig { stride, kernel: 1, ..Default::default() }.with_input(shape.clone());
        let config = if shape.iter().skip(1).all(|&s| s >= 3) { ConvConfig { kernel: 3, ..config } } else { config };
        let model = Autoencoder::new(config, Device::Cpu).unwrap();
        let size: Vec<i64> = std::iter::once(2).chain(shape.iter().map(|&s| s as i64)).collect();
        let x = Tensor::rand(size.as_slice(), (Kind::Float, Device::Cpu));
        assert_eq!(model.forward(&x).unwrap().size(), size, "{}", model.config().describe());
    }
    let series = ConvConfig::default().with_input([1, 150]);
    assert!(ModelConfig::from(series)
        .describe()
        .starts_with("1-D convolutional autoencoder 1×150 → 32×75 → 64×38 → 64"));
}

#[test]
fn a_dataset_from_tensors_knows_its_classes_or_has_none() {
    let x = Tensor::rand([6, 4], (Kind::Float, Device::Cpu));
    let data = Dataset::new(x.shallow_clone(), Tensor::from_slice(&[2i64, 0, 1, 2, 0, 1])).unwrap();
    assert_eq!(data.classes(), ["0", "1", "2"]);
    let named = data.clone().with_classes(["a", "b", "c"]).unwrap();
    assert_eq!(named.of_class(2).unwrap().len(), 2);
    assert_eq!(named.one_per_class().unwrap().class_names().unwrap(), ["a", "b", "c"]);
    assert!(data.clone().with_classes(["a"]).unwrap_err().to_string().contains("one name per class"));
    assert!(Dataset::new(x.shallow_clone(), Tensor::from_slice(&[0i64, -1, 0, 0, 0, 0])).is_err());
    let plain = Dataset::unlabeled(x).unwrap();
    assert_eq!((plain.is_labeled(), plain.sample_shape()), (false, vec![4]));
    assert!(plain.of_class(0).unwrap_err().to_string().contains("no labels"));
    assert!(Dataset::unlabeled(Tensor::zeros([3], (Kind::Float, Device::Cpu)))
        .unwrap_err()
        .to_string()
        .contains("[N, …]"));
}

#[test]
fn sources_parse_load_and_split() {
    let dir = tempdir();
    let root = shapes_folder(&dir.path().join("shapes"), 10, 8);
    let source: Source = format!("folder:{}", root.display()).parse().unwrap();
    let Splits { train, validation, test } = source.load().unwrap();
    assert_eq!((train.len(), validation.len(), test.len()), (24, 3, 3));
    assert_eq!(test.classes(), CLASSES);
    // Tensors in a file, with or without labels.
    let file = dir.path().join("data.safetensors");
    let x = Tensor::rand([20, 2, 5], (Kind::Float, Device::Cpu));
    Tensor::write_safetensors(&[("samples", &x)], &file).unwrap();
    let splits = Source::Tensors(file.clone()).load().unwrap();
    assert_eq!((splits.train.sample_shape(), splits.train.is_labeled()), (vec![2, 5], false));
    Tensor::write_safetensors(&[("values", &x)], &file).unwrap();
    let e = Source::Tensors(file).load().unwrap_err().to_string();
    assert!(e.contains("`samples`") && e.contains("values"), "{e}");
    // Bad spellings list the good ones; too little data says how much is needed.
    let e = "pictures:x".parse::<Source>().unwrap_err().to_string();
    assert!(e.contains("folder:photos") && e.contains("ucr:GunPoint"), "{e}");
    let tiny = shapes_folder(&dir.path().join("tiny"), 2, 8);
    let e = Source::Folder(tiny).load().unwrap_err().to_string();
    assert!(e.contains("holds 6 samples") && e.contains("10 or more"), "{e}");
}
