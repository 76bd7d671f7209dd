//! The learned codec: its model trains for rate and distortion, its streams decode to exactly
//! what the encoder predicted, damaged streams are errors; BD-rate and PNG sizes.

use aekit::codec::Codec;
use aekit::eval::{bd_rate, png_bytes, psnr};
use aekit::prelude::*;

use crate::common::{real, serial};

fn small(tradeoff: f64) -> CodecConfig {
    CodecConfig { channels: 16, code_channels: 8, ..CodecConfig::new(tradeoff) }
}

fn fit(config: CodecConfig, epochs: usize) -> (Autoencoder, History) {
    let data = real();
    let _lock = serial();
    manual_seed(0);
    let mut model = Autoencoder::new(config, Device::Cpu).unwrap();
    let run = TrainConfig {
        epochs,
        batch_size: 32,
        learning_rate: 3e-3,
        device: Some(Device::Cpu),
        checkpoints: None,
        verbose: false,
        ..Default::default()
    };
    let history = train(&mut model, &data.train.take(2048), &data.validation.take(256), &run).unwrap();
    (model, history)
}

fn mean(t: &Tensor) -> f64 {
    t.mean(Kind::Double).double_value(&[])
}

#[test]
fn the_config_names_bad_sizes_and_trade_offs() {
    let odd = Autoencoder::new(CodecConfig::new(0.01).with_input([1, 30, 30]), Device::Cpu).unwrap_err();
    assert!(odd.to_string().contains("multiples of 4"), "{odd}");
    let zero = Autoencoder::new(CodecConfig::new(0.0), Device::Cpu).unwrap_err();
    assert!(zero.to_string().contains("must be positive"), "{zero}");
    let rgb = Autoencoder::new(small(0.01).with_input([3, 32, 16]), Device::Cpu).unwrap();
    assert_eq!(rgb.latent(), 8 * 8 * 4);
    assert_eq!(rgb.forward(&Tensor::rand([2, 3, 32, 16], (Kind::Float, Device::Cpu))).unwrap().size(), [2, 3, 32, 16]);
}

#[test]
fn real_data_training_lowers_rate_plus_distortion_and_a_larger_tradeoff_buys_quality_with_bytes() {
    let test = real().test.take(64);
    let (cheap, history) = fit(small(0.001), 4);
    let val = history.val_loss();
    assert!(val[3] < val[0], "validation loss did not fall: {val:?}");
    let terms: Vec<&str> = history.epochs[0].terms.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(terms, ["bits_per_pixel", "mse"]);
    let (fine, _) = fit(small(0.05), 4);
    let codec = Codec::new(vec![cheap, fine]).unwrap();
    let (low, high) = (codec.encode(&test.samples, 0).unwrap(), codec.encode(&test.samples, 1).unwrap());
    let size = |s: &[Vec<u8>]| s.iter().map(Vec::len).sum::<usize>() as f64 / s.len() as f64;
    let quality = |s: &[Vec<u8>]| mean(&psnr(&codec.decode_all(s).unwrap(), &test.samples).unwrap());
    let (sl, sh, ql, qh) = (size(&low), size(&high), quality(&low), quality(&high));
    assert!(sh > 1.2 * sl && qh > ql, "λ 0.001: {sl} B {ql} dB; λ 0.05: {sh} B {qh} dB");
    assert!(ql > 14.0, "{ql} dB");
}

#[test]
fn real_data_streams_decode_to_the_predicted_images_and_cost_what_the_prior_says() {
    let test = real().test.take(64);
    let (model, _) = fit(small(0.01), 2);
    let ideal_bits = {
        let losses = model.losses(&test.samples, &test.samples, ReconLoss::Mse, false);
        losses.terms[0].1.double_value(&[]) * 784.0
    };
    let codec = Codec::new(vec![model]).unwrap();
    let streams = codec.encode(&test.samples, 0).unwrap();
    let decoded = codec.decode_all(&streams).unwrap();
    assert!(decoded.equal(&codec.predict(&test.samples, 0).unwrap()), "decoded images differ from the prediction");
    assert!(decoded.equal(&((&decoded * 255.0).round() / 255.0)), "pixels are not 8-bit");
    let bytes = streams.iter().map(Vec::len).sum::<usize>() as f64 / streams.len() as f64;
    // Level and check bytes, the coder's flush (< 8 bytes) and 24-bit tables on top of the prior's bits.
    assert!(
        bytes >= ideal_bits / 8.0 && bytes <= ideal_bits / 8.0 + 10.0,
        "{bytes} bytes, prior says {} bits",
        ideal_bits
    );
    // One image alone decodes as it did in the batch.
    assert!(codec.decode(&streams[5]).unwrap().equal(&decoded.narrow(0, 5, 1)));
}

#[test]
fn real_data_damaged_streams_are_errors_that_say_so() {
    let test = real().test.take(8);
    let (model, _) = fit(small(0.01), 1);
    let copy = Autoencoder::starting_from(model.config(), &model).unwrap();
    let two_levels = Codec::new(vec![model, copy]).unwrap();
    let streams = two_levels.encode(&test.samples, 1).unwrap();
    for stream in &streams {
        for bit in 0..stream.len() * 8 {
            let mut bad = stream.clone();
            bad[bit / 8] ^= 1 << (bit % 8);
            let e = two_levels.decode(&bad).unwrap_err().to_string();
            assert!(e.contains("corrupt"), "{e}");
        }
        let e = two_levels.decode(&stream[..stream.len() - 1]).unwrap_err().to_string();
        assert!(e.contains("corrupt or truncated"), "{e}");
    }
    assert!(two_levels.decode(&[]).unwrap_err().to_string().contains("truncated"));
    let (model, _) = fit(small(0.01), 1);
    let one_level = Codec::new(vec![model]).unwrap();
    let e = one_level.decode(&streams[0]).unwrap_err().to_string();
    assert!(e.contains("level 1") && e.contains("another codec"), "{e}");
    // Arbitrary bytes never panic.
    let noise = Vec::<u8>::try_from(Tensor::randint(256, [2000], (Kind::Uint8, Device::Cpu))).unwrap();
    for chunk in noise.chunks(40) {
        let _ = one_level.decode(chunk);
    }
}

#[test]
fn the_codec_takes_only_codec_models_of_one_shape_and_pixels_in_the_unit_range() {
    let dense = Autoencoder::new(DenseConfig::standard(8), Device::Cpu).unwrap();
    assert!(Codec::new(vec![dense]).unwrap_err().to_string().contains("CodecConfig"));
    let a = Autoencoder::new(small(0.01), Device::Cpu).unwrap();
    let b = Autoencoder::new(small(0.01).with_input([1, 32, 32]), Device::Cpu).unwrap();
    assert!(Codec::new(vec![a, b]).unwrap_err().to_string().contains("one input shape"));
    let codec = Codec::new(vec![Autoencoder::new(small(0.01), Device::Cpu).unwrap()]).unwrap();
    let e = codec.encode(&(Tensor::ones([1, 1, 28, 28], (Kind::Float, Device::Cpu)) * 255.0), 0).unwrap_err();
    assert!(e.to_string().contains("scale by 1/255"), "{e}");
    assert!(codec.encode(&Tensor::zeros([1, 1, 28, 28], (Kind::Float, Device::Cpu)), 3).is_err());
}

#[test]
fn starting_from_copies_the_weights_and_refuses_another_architecture() {
    let a = Autoencoder::new(small(0.01), Device::Cpu).unwrap();
    let b = Autoencoder::starting_from(small(0.05), &a).unwrap();
    let x = Tensor::rand([2, 1, 28, 28], (Kind::Float, Device::Cpu));
    assert!(a.forward(&x).unwrap().equal(&b.forward(&x).unwrap()));
    let e = Autoencoder::starting_from(CodecConfig::new(0.01), &a).unwrap_err().to_string();
    assert!(e.contains("cannot start from"), "{e}");
}

#[test]
fn bd_rate_is_zero_against_itself_follows_a_constant_ratio_and_names_bad_curves() {
    let jpeg = [(50.0, 20.0), (80.0, 22.0), (120.0, 24.5), (150.0, 26.0), (200.0, 28.5)];
    assert!(bd_rate(&jpeg, &jpeg).unwrap().abs() < 1e-9);
    let more: Vec<(f64, f64)> = jpeg.iter().map(|&(b, db)| (b * 1.25, db)).collect();
    assert!((bd_rate(&jpeg, &more).unwrap() - 25.0).abs() < 1e-6);
    // A test curve covering part of the range: only the shared part counts.
    let part: Vec<(f64, f64)> = [(30.0, 18.0), (45.0, 21.0), (70.0, 23.0), (100.0, 25.0)].to_vec();
    let bd = bd_rate(&jpeg, &part).unwrap();
    assert!(bd < -20.0 && bd > -45.0, "{bd}");
    assert!(bd_rate(&jpeg, &jpeg[..3]).unwrap_err().to_string().contains("at least 4 points"));
    let apart = [(1.0, 40.0), (2.0, 41.0), (3.0, 42.0), (4.0, 43.0)];
    assert!(bd_rate(&jpeg, &apart).unwrap_err().to_string().contains("share no PSNR range"));
}

#[test]
fn png_files_grow_with_detail() {
    let flat = Tensor::full([4, 1, 28, 28], 0.5, (Kind::Float, Device::Cpu));
    let noise = Tensor::rand([4, 1, 28, 28], (Kind::Float, Device::Cpu));
    let (a, b) = (png_bytes(&flat).unwrap(), png_bytes(&noise).unwrap());
    assert!(a < 100.0 && b > 784.0, "{a} {b}");
}
