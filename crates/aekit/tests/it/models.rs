use aekit::models::ModelConfig;
use aekit::prelude::*;
use aekit::Error;
use tch::nn::OptimizerConfig;

use crate::common::real;

fn model(latent: usize) -> DenseAutoencoder {
    manual_seed(1);
    DenseAutoencoder::new(&DenseConfig { latent }, Device::Cpu).unwrap()
}

#[test]
fn shapes_of_encode_decode_forward() {
    let m = model(64);
    let x = real().test.images.narrow(0, 0, 5);
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
    let m = model(8);
    let flat = Tensor::zeros([3, 784], (Kind::Float, Device::Cpu));
    let err = m.encode(&flat).unwrap_err().to_string();
    assert!(err.contains("[N, 1, 28, 28]") && err.contains("[3, 784]") && err.contains("view"), "{err}");
    let ints = Tensor::zeros([3, 1, 28, 28], (Kind::Int64, Device::Cpu));
    assert!(m.forward(&ints).unwrap_err().to_string().contains("f32"));
    let codes = Tensor::zeros([3, 9], (Kind::Float, Device::Cpu));
    assert!(m.decode(&codes).unwrap_err().to_string().contains("[N, 8]"));
    let err = DenseAutoencoder::new(&DenseConfig { latent: 0 }, Device::Cpu).err().unwrap();
    assert!(matches!(err, Error::Config { .. }) && err.to_string().contains("latent"), "{err}");
    assert_eq!("MSE".parse::<ReconLoss>().unwrap(), ReconLoss::Mse);
    assert!("l1".parse::<ReconLoss>().unwrap_err().to_string().contains("\"bce\" or \"mse\""));
}

#[test]
fn loss_falls_over_a_few_steps_on_real_data() {
    let m = model(32);
    let x = real().train.images.narrow(0, 0, 256);
    let mut opt = tch::nn::Adam::default().build(m.var_store(), 1e-2).unwrap();
    let loss = |m: &DenseAutoencoder| m.losses_t(&x, &x, ReconLoss::Bce, false).total.double_value(&[]);
    let before = loss(&m);
    for _ in 0..40 {
        opt.backward_step(&m.losses_t(&x, &x, ReconLoss::Bce, true).total);
    }
    let after = loss(&m);
    assert!(after < before * 0.7, "loss {before} -> {after}");
}

#[test]
fn encoder_and_decoder_save_and_load_on_their_own() {
    let m = model(16);
    let dir = tempfile::tempdir().unwrap();
    let (enc_path, dec_path) = (dir.path().join("enc.safetensors"), dir.path().join("dec.safetensors"));
    m.encoder().unwrap().save(&enc_path).unwrap();
    m.decoder().unwrap().save(&dec_path).unwrap();
    let encoder = Encoder::load(&enc_path, Device::Cpu).unwrap();
    let decoder = Decoder::load(&dec_path, Device::Cpu).unwrap();
    assert_eq!(encoder.config(), &ModelConfig::Dense(DenseConfig { latent: 16 }));
    let x = real().test.images.narrow(0, 0, 4);
    let z = encoder.encode(&x).unwrap();
    assert!(z.equal(&m.encode(&x).unwrap()), "loaded encoder gives the same codes");
    assert!(decoder.decode(&z).unwrap().equal(&m.decode(&z).unwrap()), "loaded decoder gives the same images");
    // Each file holds one half: loading it as the other half says so.
    let err = Decoder::load(&enc_path, Device::Cpu).err().unwrap().to_string();
    assert!(err.contains("holds encoder") && err.contains("Encoder::load"), "{err}");
}

#[test]
fn whole_model_checkpoints_round_trip_and_refuse_mismatches() {
    let m = model(16);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.safetensors");
    m.save(&path).unwrap();
    let loaded = DenseAutoencoder::load(&path, Device::Cpu).unwrap();
    let x = real().test.images.narrow(0, 0, 4);
    assert!(loaded.forward(&x).unwrap().equal(&m.forward(&x).unwrap()));

    let mut other = model(32);
    let err = other.load_weights(&path).unwrap_err().to_string();
    assert!(err.contains("latent: 16") && err.contains("latent: 32"), "{err}");

    let bytes = std::fs::read(&path).unwrap();
    let truncated = dir.path().join("truncated.safetensors");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    let err = DenseAutoencoder::load(&truncated, Device::Cpu).err().unwrap().to_string();
    assert!(err.contains("truncated.safetensors") && err.contains("safetensors"), "{err}");

    let pickle = dir.path().join("model.pt");
    std::fs::write(&pickle, b"\x80\x02").unwrap();
    let err = DenseAutoencoder::load(&pickle, Device::Cpu).err().unwrap().to_string();
    assert!(err.contains("pickle"), "{err}");
}
