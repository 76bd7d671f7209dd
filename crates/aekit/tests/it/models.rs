use aekit::display::Content;
use aekit::models::{Activation, Autoencoder, ConvConfig, ModelConfig, SparseConfig, VaeConfig};
use aekit::prelude::*;
use aekit::Error;
use tch::nn::OptimizerConfig;

use crate::common::{real, serial};

fn model(latent: usize) -> Autoencoder {
    manual_seed(1);
    Autoencoder::new(DenseConfig::standard(latent), Device::Cpu).unwrap()
}

#[test]
fn shapes_of_encode_decode_forward() {
    let _rng = serial();
    let m = model(64);
    let x = real().test.samples.narrow(0, 0, 5);
    let z = m.encode(&x).unwrap();
    assert_eq!(z.size(), [5, 64]);
    assert!(z.min().double_value(&[]) >= 0.0, "ReLU codes");
    let y = m.decode(&z).unwrap();
    assert_eq!(y.size(), [5, 1, 28, 28]);
    assert!(y.min().double_value(&[]) >= 0.0 && y.max().double_value(&[]) <= 1.0, "sigmoid output");
    assert!(m.forward(&x).unwrap().equal(&y));
    assert_eq!(m.parameter_count(), 784 * 64 + 64 + 64 * 784 + 784);
}

#[test]
fn bad_tensors_and_configs_are_clear_errors() {
    let _rng = serial();
    let m = model(8);
    let flat = Tensor::zeros([3, 784], (Kind::Float, Device::Cpu));
    let err = m.encode(&flat).unwrap_err().to_string();
    assert!(err.contains("[N, 1, 28, 28]") && err.contains("[3, 784]") && err.contains("view"), "{err}");
    let ints = Tensor::zeros([3, 1, 28, 28], (Kind::Int64, Device::Cpu));
    assert!(m.forward(&ints).unwrap_err().to_string().contains("f32"));
    let codes = Tensor::zeros([3, 9], (Kind::Float, Device::Cpu));
    assert!(m.decode(&codes).unwrap_err().to_string().contains("[N, 8]"));
    let err = Autoencoder::new(DenseConfig::standard(0), Device::Cpu).err().unwrap();
    assert!(matches!(err, Error::Config { .. }) && err.to_string().contains("latent"), "{err}");
    assert_eq!("MSE".parse::<ReconLoss>().unwrap(), ReconLoss::Mse);
    assert!("l1".parse::<ReconLoss>().unwrap_err().to_string().contains("\"bce\" or \"mse\""));
}

#[test]
fn loss_falls_over_a_few_steps_on_real_data() {
    let _rng = serial();
    let m = model(32);
    let x = real().train.samples.narrow(0, 0, 256);
    let mut opt = tch::nn::Adam::default().build(m.var_store(), 1e-2).unwrap();
    let loss = |m: &Autoencoder| m.losses(&x, &x, ReconLoss::Bce, false).total.double_value(&[]);
    let before = loss(&m);
    for _ in 0..40 {
        opt.backward_step(&m.losses(&x, &x, ReconLoss::Bce, true).total);
    }
    let after = loss(&m);
    assert!(after < before * 0.7, "loss {before} -> {after}");
}

#[test]
fn encoder_and_decoder_save_and_load_on_their_own() {
    let _rng = serial();
    let m = model(16);
    let dir = crate::common::tempdir();
    let (enc_path, dec_path) = (dir.path().join("enc.safetensors"), dir.path().join("dec.safetensors"));
    m.encoder().unwrap().save(&enc_path).unwrap();
    m.decoder().unwrap().save(&dec_path).unwrap();
    let encoder = Encoder::load(&enc_path, Device::Cpu).unwrap();
    let decoder = Decoder::load(&dec_path, Device::Cpu).unwrap();
    assert_eq!(encoder.config(), &ModelConfig::Dense(DenseConfig::standard(16)));
    let x = real().test.samples.narrow(0, 0, 4);
    let z = encoder.encode(&x).unwrap();
    assert!(z.equal(&m.encode(&x).unwrap()), "loaded encoder gives the same codes");
    assert!(decoder.decode(&z).unwrap().equal(&m.decode(&z).unwrap()), "loaded decoder gives the same images");
    // Each file holds one half: loading it as the other half says so.
    let err = Decoder::load(&enc_path, Device::Cpu).err().unwrap().to_string();
    assert!(err.contains("holds encoder") && err.contains("Encoder::load"), "{err}");
}

#[test]
fn whole_model_checkpoints_round_trip_and_refuse_mismatches() {
    let _rng = serial();
    let m = model(16);
    let dir = crate::common::tempdir();
    let path = dir.path().join("model.safetensors");
    m.save(&path).unwrap();
    let loaded = Autoencoder::load(&path, Device::Cpu).unwrap();
    let x = real().test.samples.narrow(0, 0, 4);
    assert!(loaded.forward(&x).unwrap().equal(&m.forward(&x).unwrap()));

    let mut other = model(32);
    let err = other.load_weights(&path).unwrap_err().to_string();
    assert!(err.contains("latent: 16") && err.contains("latent: 32"), "{err}");

    let bytes = std::fs::read(&path).unwrap();
    let truncated = dir.path().join("truncated.safetensors");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    let err = Autoencoder::load(&truncated, Device::Cpu).err().unwrap().to_string();
    assert!(err.contains("truncated.safetensors") && err.contains("safetensors"), "{err}");

    let pickle = dir.path().join("model.pt");
    std::fs::write(&pickle, b"\x80\x02").unwrap();
    let err = Autoencoder::load(&pickle, Device::Cpu).err().unwrap().to_string();
    assert!(err.contains("pickle"), "{err}");
}

#[test]
fn summary_lists_layers_shapes_and_parameters() {
    let _rng = serial();
    let m = model(64);
    let summary = m.summary();
    assert_eq!(summary.parameters(), m.parameter_count());
    let names: Vec<&str> = summary.rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["encoder.flatten", "encoder.code", "encoder.relu", "decoder.out", "decoder.reshape"]);
    let code = &summary.rows[1];
    assert_eq!((code.output.as_slice(), code.parameters), (&[-1, 64][..], 784 * 64 + 64));
    assert_eq!(summary.rows[4].output, [-1, 1, 28, 28]);
    let Content::Html(html) = summary.content() else { panic!("a summary shows as HTML") };
    assert!(html.contains("<td>encoder.code</td><td>[N, 64]</td><td style=\"text-align:right\">50240</td>"), "{html}");
}

#[test]
fn deep_models_mirror_their_hidden_layers() {
    let _rng = serial();
    let config = DenseConfig { dropout: 0.2, ..DenseConfig::deep(32) };
    let m = Autoencoder::new(&config, Device::Cpu).unwrap();
    let shapes: Vec<(String, Vec<i64>)> =
        m.summary().rows.into_iter().filter(|r| r.parameters > 0).map(|r| (r.name, r.output)).collect();
    let expected = [
        ("encoder.fc1", vec![-1, 256]),
        ("encoder.fc2", vec![-1, 128]),
        ("encoder.code", vec![-1, 32]),
        ("decoder.fc1", vec![-1, 128]),
        ("decoder.fc2", vec![-1, 256]),
        ("decoder.out", vec![-1, 784]),
    ];
    assert_eq!(shapes, expected.map(|(n, s)| (n.to_string(), s)));
    assert_eq!(config.describe(), "deep dense autoencoder 784 → 256 → 128 → 32 → 128 → 256 → 784");
    // The code is linear (it reconstructs better than a ReLU code): it takes both signs.
    let x = real().test.samples.narrow(0, 0, 8);
    let z = m.encode(&x).unwrap();
    assert!(z.min().double_value(&[]) < 0.0 && z.max().double_value(&[]) > 0.0, "linear code");
    // Dropout acts only in training: inference repeats exactly.
    assert!(m.forward(&x).unwrap().equal(&m.forward(&x).unwrap()));
    let train_a = m.losses(&x, &x, ReconLoss::Bce, true).total;
    let train_b = m.losses(&x, &x, ReconLoss::Bce, true).total;
    assert!(!train_a.equal(&train_b), "dropout is active while training");
    for (bad, field) in [
        (DenseConfig { hidden: vec![128, 0], ..Default::default() }, "hidden[1]"),
        (DenseConfig { dropout: 1.0, ..Default::default() }, "dropout"),
        (DenseConfig { dropout: -0.1, ..Default::default() }, "dropout"),
    ] {
        let err = Autoencoder::new(&bad, Device::Cpu).err().unwrap().to_string();
        assert!(err.contains(field), "{err}");
    }
    assert!("swish".parse::<Activation>().unwrap_err().to_string().contains("relu, leaky_relu"));
}

#[test]
fn convolutional_models_shrink_and_mirror_the_image() {
    let _rng = serial();
    let x = real().test.samples.narrow(0, 0, 3);
    for (config, latent) in [
        (ConvConfig::default(), 64),
        (ConvConfig { latent: None, channels: vec![16, 8], ..Default::default() }, 8 * 7 * 7),
    ] {
        let m = Autoencoder::new(&config, Device::Cpu).unwrap();
        assert_eq!(m.encode(&x).unwrap().size(), [3, latent]);
        assert_eq!(m.forward(&x).unwrap().size(), [3, 1, 28, 28]);
        let summary = m.summary();
        assert_eq!(summary.parameters(), m.parameter_count());
        let conv2 = summary.rows.iter().find(|r| r.name == "encoder.conv2").unwrap();
        assert_eq!(conv2.output[2..], [7, 7]);
    }
    let stride4 = Autoencoder::new(ConvConfig { stride: 4, kernel: 5, ..Default::default() }, Device::Cpu).unwrap();
    assert_eq!(stride4.forward(&x).unwrap().size(), [3, 1, 28, 28]);
    for (bad, field) in [
        (ConvConfig { kernel: 4, ..Default::default() }, "kernel"),
        (ConvConfig { kernel: 29, ..Default::default() }, "kernel"),
        (ConvConfig { stride: 0, ..Default::default() }, "stride"),
        (ConvConfig { channels: vec![], ..Default::default() }, "channels"),
        (ConvConfig { latent: Some(0), ..Default::default() }, "latent"),
    ] {
        let err = Autoencoder::new(&bad, Device::Cpu).err().unwrap().to_string();
        assert!(err.contains(field), "{err}");
    }
    // A file says what kind it holds: it loads as that kind, and not into a model of another.
    let dir = crate::common::tempdir();
    let path = dir.path().join("conv.safetensors");
    Autoencoder::new(ConvConfig::default(), Device::Cpu).unwrap().save(&path).unwrap();
    assert!(matches!(Autoencoder::load(&path, Device::Cpu).unwrap().config(), ModelConfig::Conv(_)));
    let err = model(8).load_weights(&path).unwrap_err().to_string();
    assert!(err.contains("conv.safetensors") && err.contains("Conv(") && err.contains("Dense("), "{err}");
}

#[test]
fn variational_autoencoders_sample_interpolate_and_map() {
    let _rng = serial();
    let x = real().test.samples.narrow(0, 0, 4);
    for config in [VaeConfig::default(), VaeConfig::conv(2)] {
        manual_seed(2);
        let vae = Autoencoder::new(&config, Device::Cpu).unwrap();
        let latent = config.latent as i64;
        assert_eq!(vae.encode(&x).unwrap().size(), [4, latent], "codes are the means");
        assert!(vae.encode(&x).unwrap().equal(&vae.encode(&x).unwrap()), "encoding is deterministic");
        let losses = vae.losses(&x, &x, ReconLoss::Bce, true);
        let names: Vec<&str> = losses.terms.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, ["reconstruction", "kl"]);
        let (recon, kl) = (losses.terms[0].1.double_value(&[]), losses.terms[1].1.double_value(&[]));
        assert!(recon > 100.0 && kl >= 0.0, "per-image nats: {recon}, {kl}");
        assert!((losses.total.double_value(&[]) - (recon + kl)).abs() < 1e-3);
        let samples = vae.sample(6).unwrap();
        assert_eq!(samples.size(), [6, 1, 28, 28]);
        assert!(samples.min().double_value(&[]) >= 0.0 && samples.max().double_value(&[]) <= 1.0);
        let (a, b) = (x.narrow(0, 0, 1), x.narrow(0, 1, 1));
        let strip = vae.interpolate(&a, &b, 5).unwrap();
        assert_eq!(strip.size(), [5, 1, 28, 28]);
        let ends = vae.decode(&Tensor::cat(&[vae.encode(&a).unwrap(), vae.encode(&b).unwrap()], 0)).unwrap();
        assert!(strip.narrow(0, 0, 1).allclose(&ends.narrow(0, 0, 1), 1e-5, 1e-6, false));
        assert!(strip.narrow(0, 4, 1).allclose(&ends.narrow(0, 1, 1), 1e-5, 1e-6, false));
        assert!(vae.interpolate(&a, &b, 1).is_err());
    }
    let flat = Autoencoder::new(VaeConfig { latent: 2, ..Default::default() }, Device::Cpu).unwrap();
    assert_eq!(flat.manifold(5).unwrap().size(), [25, 1, 28, 28]);
    assert!(Autoencoder::new(VaeConfig::default(), Device::Cpu)
        .unwrap()
        .manifold(5)
        .unwrap_err()
        .to_string()
        .contains("2-D"));
    assert!(Autoencoder::new(VaeConfig { latent: 0, ..Default::default() }, Device::Cpu).is_err());
    assert!(Autoencoder::new(VaeConfig { beta: -1.0, ..Default::default() }, Device::Cpu).is_err());
}

#[test]
fn vae_training_lowers_the_negative_elbo_and_round_trips() {
    let _rng = serial();
    let data = real();
    manual_seed(3);
    let mut vae = Autoencoder::new(VaeConfig::default(), Device::Cpu).unwrap();
    let test = data.test.take(512);
    let before = evaluate(&vae, &test, ReconLoss::Bce).unwrap();
    let config =
        TrainConfig { epochs: 1, batch_size: 128, device: Some(Device::Cpu), verbose: false, ..Default::default() };
    let history = train(&mut vae, &data.train.take(8192), &data.validation.take(512), &config).unwrap();
    let after = evaluate(&vae, &test, ReconLoss::Bce).unwrap();
    assert!(after < before - 100.0, "negative ELBO {before} -> {after}");
    // The ELBO samples codes, yet evaluation repeats, whatever drew from the generator before.
    let _ = Tensor::randn([100], (Kind::Float, Device::Cpu));
    assert_eq!(evaluate(&vae, &test, ReconLoss::Bce).unwrap(), after, "a VAE's evaluation is seeded");
    assert_eq!(history.epochs[0].terms.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(), ["reconstruction", "kl"]);
    let dir = crate::common::tempdir();
    let path = dir.path().join("vae.safetensors");
    vae.save(&path).unwrap();
    let loaded = Autoencoder::load(&path, Device::Cpu).unwrap();
    let x = test.samples.narrow(0, 0, 3);
    assert!(loaded.encode(&x).unwrap().equal(&vae.encode(&x).unwrap()));
    // The encoder alone gives the means too.
    vae.encoder().unwrap().save(dir.path().join("enc.safetensors")).unwrap();
    let encoder = Encoder::load(dir.path().join("enc.safetensors"), Device::Cpu).unwrap();
    assert!(encoder.encode(&x).unwrap().equal(&vae.encode(&x).unwrap()));
}

#[test]
fn sparse_penalties_match_their_formulas_and_shrink_the_code() {
    let _rng = serial();
    let x = real().test.samples.narrow(0, 0, 16);
    manual_seed(5);
    let config = SparseConfig { l1: 0.01, ..SparseConfig::kl(8, 0.5, 0.05) };
    let m = Autoencoder::new(&config, Device::Cpu).unwrap();
    let code = Vec::<Vec<f32>>::try_from(m.encode(&x).unwrap()).unwrap();
    let losses = m.losses(&x, &x, ReconLoss::Bce, false);
    let term = |name: &str| losses.terms.iter().find(|(n, _)| *n == name).unwrap().1.double_value(&[]);
    // Independent f64 computations of both penalties.
    let l1: f64 = code.iter().map(|row| row.iter().map(|v| v.abs() as f64).sum::<f64>()).sum::<f64>() / 16.0;
    let kl: f64 = (0..8)
        .map(|j| {
            let rho_hat = code.iter().map(|row| row[j] as f64).sum::<f64>() / 16.0;
            0.05 * (0.05 / rho_hat).ln() + 0.95 * (0.95 / (1.0 - rho_hat)).ln()
        })
        .sum();
    assert!((term("l1") - l1).abs() < 1e-4 * l1, "{} vs {l1}", term("l1"));
    assert!((term("kl_sparsity") - kl).abs() < 1e-3 * kl.max(1.0), "{} vs {kl}", term("kl_sparsity"));
    let total = term("reconstruction") + 0.01 * l1 + 0.5 * kl;
    assert!((losses.total.double_value(&[]) - total).abs() < 1e-3);

    // KL sparsity on ReLU codes is refused: it needs activations in (0, 1).
    let relu = SparseConfig { kl: 0.1, ..Default::default() };
    assert!(Autoencoder::new(&relu, Device::Cpu).err().unwrap().to_string().contains("Sigmoid"));
    assert!(Autoencoder::new(SparseConfig { target: 1.0, ..Default::default() }, Device::Cpu).is_err());

    // Training with an L1 penalty leaves a quieter code than training without.
    let data = real();
    let busy = |l1: f64| {
        manual_seed(6);
        let mut m = Autoencoder::new(SparseConfig { l1, ..Default::default() }, Device::Cpu).unwrap();
        let config = TrainConfig { epochs: 1, device: Some(Device::Cpu), verbose: false, ..Default::default() };
        train(&mut m, &data.train.take(8192), &data.validation.take(256), &config).unwrap();
        aekit::eval::mean_code_activation(&m, &data.test.take(1000)).unwrap()
    };
    let (plain, sparse) = (busy(0.0), busy(1e-2));
    assert!(sparse < plain * 0.5, "mean activation {plain} -> {sparse}");
}

#[test]
fn foreign_or_mismatched_checkpoints_name_the_file_and_the_tensor() {
    let dir = crate::common::tempdir();
    let conv_path = dir.path().join("conv.safetensors");
    Autoencoder::new(ConvConfig::default(), Device::Cpu).unwrap().save(&conv_path).unwrap();
    let err = model(16).load_weights(&conv_path).unwrap_err().to_string();
    assert!(err.contains("conv.safetensors") && err.contains("Conv("), "another kind: {err}");

    // A safetensors file from elsewhere: no aekit metadata.
    let foreign = dir.path().join("foreign.safetensors");
    let t = Tensor::zeros([2, 2], (Kind::Float, Device::Cpu));
    Tensor::write_safetensors(&[("w", &t)], &foreign).unwrap();
    let err = Autoencoder::load(&foreign, Device::Cpu).err().unwrap().to_string();
    assert!(err.contains("foreign.safetensors") && err.contains("not written by aekit"), "{err}");

    // The same metadata, but one tensor of another shape: the tensor is named.
    let good = dir.path().join("dense.safetensors");
    model(16).save(&good).unwrap();
    let bytes = std::fs::read(&good).unwrap();
    let (_, meta) = safetensors::SafeTensors::read_metadata(&bytes).unwrap();
    let file = safetensors::SafeTensors::deserialize(&bytes).unwrap();
    let mut tensors: Vec<(String, Tensor)> = file
        .tensors()
        .into_iter()
        .map(|(name, view)| {
            let shape: Vec<i64> = view.shape().iter().map(|&d| d as i64).collect();
            (name, Tensor::zeros(shape.as_slice(), (Kind::Float, Device::Cpu)))
        })
        .collect();
    let victim = tensors.iter_mut().find(|(n, _)| n.ends_with("code.bias")).unwrap();
    victim.1 = Tensor::zeros([3], (Kind::Float, Device::Cpu));
    let victim_name = victim.0.clone();
    let views: Vec<(String, Vec<u8>, Vec<usize>)> = tensors
        .iter()
        .map(|(n, t)| {
            let values = Vec::<f32>::try_from(t.flatten(0, -1)).unwrap();
            (
                n.clone(),
                values.iter().flat_map(|v| v.to_le_bytes()).collect(),
                t.size().iter().map(|&d| d as usize).collect(),
            )
        })
        .collect();
    let views: Vec<(String, safetensors::tensor::TensorView)> = views
        .iter()
        .map(|(n, data, shape)| {
            (n.clone(), safetensors::tensor::TensorView::new(safetensors::Dtype::F32, shape.clone(), data).unwrap())
        })
        .collect();
    let reshaped = dir.path().join("reshaped.safetensors");
    std::fs::write(&reshaped, safetensors::tensor::serialize(views, &meta.metadata().clone()).unwrap()).unwrap();
    let err = Autoencoder::load(&reshaped, Device::Cpu).err().unwrap().to_string();
    assert!(err.contains("reshaped.safetensors") && err.contains(&victim_name) && err.contains("[3]"), "{err}");
}

#[test]
fn a_linear_code_keeps_the_values_a_relu_code_clips() {
    let _rng = serial();
    manual_seed(0);
    let images = Tensor::rand([16, 1, 28, 28], (Kind::Float, Device::Cpu));
    let clipped = Autoencoder::new(ConvConfig { latent: Some(32), ..Default::default() }, Device::Cpu).unwrap();
    let linear = ConvConfig { latent: Some(32), linear_code: true, ..Default::default() };
    // The same weights: the only difference is the activation after the code layer.
    let linear = Autoencoder::starting_from(linear, &clipped).unwrap();
    let (relu_codes, linear_codes) = (clipped.encode(&images).unwrap(), linear.encode(&images).unwrap());
    assert!(relu_codes.min().double_value(&[]) >= 0.0);
    assert!(linear_codes.min().double_value(&[]) < 0.0, "some values below zero are kept");
    assert!(linear_codes.relu().allclose(&relu_codes, 1e-6, 1e-6, false));
    assert!(linear.config().describe().contains("→ 32 (linear)"), "{}", linear.config().describe());
    assert_eq!(linear.forward(&images).unwrap().size(), [16, 1, 28, 28]);
}

#[test]
fn a_slim_decoder_ends_in_its_last_transposed_convolution_for_images_and_series() {
    let _rng = serial();
    manual_seed(0);
    for shape in [vec![1, 28, 28], vec![3, 20, 30], vec![2, 150]] {
        let full = ConvConfig { latent: Some(16), batch_norm: true, ..ConvConfig::default().with_input(shape.clone()) };
        let slim = ConvConfig { slim_decoder: true, ..full.clone() };
        let (full, slim) = (Autoencoder::new(full, Device::Cpu).unwrap(), Autoencoder::new(slim, Device::Cpu).unwrap());
        let batch: Vec<i64> = std::iter::once(4).chain(shape.iter().map(|&s| s as i64)).collect();
        let x = Tensor::rand(batch.as_slice(), (Kind::Float, Device::Cpu));
        assert_eq!(slim.forward(&x).unwrap().size(), batch, "{shape:?}");
        // No full-size map of 32 channels and no final convolution: fewer weights, none named `out`.
        assert!(slim.parameter_count() < full.parameter_count(), "{shape:?}");
        let has_out = |m: &Autoencoder| m.var_store().variables().into_keys().any(|n| n.contains(".out."));
        assert!(has_out(&full) && !has_out(&slim), "{shape:?}");
        assert!(slim.config().describe().contains("mirrored (slim)"), "{}", slim.config().describe());
    }
}

#[test]
fn the_objective_names_pixels_for_images_and_values_for_series_and_vectors() {
    let image = ModelConfig::from(ConvConfig::default());
    assert_eq!(image.objective(ReconLoss::Bce), "binary cross-entropy per pixel");
    assert_eq!(ModelConfig::from(DenseConfig::standard(64)).objective(ReconLoss::Mse), "mean squared error per pixel");
    let series = ModelConfig::from(ConvConfig::default()).with_input([1, 96]);
    assert_eq!(series.objective(ReconLoss::Mse), "mean squared error per value");
    let vectors = ModelConfig::from(VaeConfig::default()).with_input([30]);
    assert_eq!(vectors.objective(ReconLoss::Bce), "negative ELBO (nats per sample)");
    assert_eq!(ModelConfig::from(VaeConfig::default()).objective(ReconLoss::Bce), "negative ELBO (nats per image)");
}
