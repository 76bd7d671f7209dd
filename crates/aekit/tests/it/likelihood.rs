use aekit::eval::importance_weighted_nll;
use aekit::models::{Autoencoder, VaeConfig};
use aekit::prelude::*;

use crate::common::{real, serial};

/// The 16 binary vectors of length 4, as a data set.
fn patterns() -> Dataset {
    let rows: Vec<f32> = (0..16).flat_map(|i| (0..4).map(move |b| ((i >> b) & 1) as f32)).collect();
    Dataset::unlabeled(Tensor::from_slice(&rows).view([16, 4])).unwrap()
}

/// −log p(x) of each pattern under the VAE's generative model, by quadrature over its 1-D code.
fn exact_nll(vae: &Autoencoder, x: &Tensor) -> Tensor {
    let (lo, hi, points) = (-10.0, 10.0, 20_001);
    let z = Tensor::linspace(lo, hi, points, (Kind::Double, Device::Cpu));
    let p = vae.decode(&z.to_kind(Kind::Float).unsqueeze(1)).unwrap().to_kind(Kind::Double).clamp(1e-12, 1.0 - 1e-12);
    let x = x.to_kind(Kind::Double);
    // log p(x | z) for every pattern and grid point: [16, G].
    let (q, y) = (p.ones_like() - &p, x.ones_like() - &x);
    let log_px = x.matmul(&p.log().tr()) + y.matmul(&q.log().tr());
    let log_prior = z.square() * -0.5 - 0.5 * (2.0 * std::f64::consts::PI).ln();
    let dz = (hi - lo) / (points - 1) as f64;
    -((log_px + log_prior.unsqueeze(0)).logsumexp([1], false) + dz.ln())
}

#[test]
fn the_bound_is_above_the_exact_likelihood_and_tightens_with_samples() {
    let _rng = serial();
    manual_seed(3);
    let config = VaeConfig { latent: 1, hidden: vec![16], ..Default::default() }.with_input([4]);
    let mut vae = Autoencoder::new(config, Device::Cpu).unwrap();
    // A skewed distribution over the patterns, so the model has something to learn.
    let draws = Tensor::from_slice(&[0.9f32, 0.7, 0.3, 0.1]).expand([4000, 4], false).bernoulli();
    let data = Dataset::unlabeled(draws).unwrap();
    let config = TrainConfig {
        epochs: 15,
        batch_size: 64,
        device: Some(Device::Cpu),
        verbose: false,
        checkpoints: None,
        ..Default::default()
    };
    train(&mut vae, &data, &data.take(500), &config).unwrap();

    let x = patterns();
    let exact = exact_nll(&vae, &x.samples).mean(Kind::Double).double_value(&[]);
    let one = importance_weighted_nll(&vae, &x, 1, 0).unwrap();
    assert!((one.nll - one.elbo).abs() < 1e-9, "with one sample the bound is the ELBO: {one:?}");
    let many = importance_weighted_nll(&vae, &x, 5000, 0).unwrap();
    assert_eq!((many.samples, many.images), (5000, 16));
    assert!(many.elbo > exact, "the ELBO {} is above −log p(x) = {exact}", many.elbo);
    assert!(many.nll > exact - 0.01, "the bound {} is at or above −log p(x) = {exact}", many.nll);
    assert!(
        many.nll - exact < 0.25 * (many.elbo - exact),
        "5,000 samples close most of the ELBO's gap: {many:?}, exact {exact}"
    );
    assert_eq!(importance_weighted_nll(&vae, &x, 5000, 0).unwrap(), many, "seeded");
}

#[test]
fn likelihood_needs_a_vae_binary_images_and_samples() {
    let _rng = serial();
    let images = Dataset::unlabeled(Tensor::rand([4, 1, 28, 28], (Kind::Float, Device::Cpu))).unwrap();
    let vae = Autoencoder::new(VaeConfig { latent: 2, hidden: vec![8], ..Default::default() }, Device::Cpu).unwrap();
    let grey = importance_weighted_nll(&vae, &images, 10, 0).unwrap_err().to_string();
    assert!(grey.contains("0 or 1") && grey.contains("binarized"), "{grey}");
    let binary = images.binarized(1).unwrap();
    let none = importance_weighted_nll(&vae, &binary, 0, 0).unwrap_err().to_string();
    assert!(none.contains("at least 1"), "{none}");
    let dense = Autoencoder::new(DenseConfig::standard(4), Device::Cpu).unwrap();
    let not_vae = importance_weighted_nll(&dense, &binary, 10, 0).unwrap_err().to_string();
    assert!(not_vae.contains("VaeConfig"), "{not_vae}");
}

#[test]
fn binarized_images_are_seeded_bernoulli_draws() {
    let _rng = serial();
    let grey = Dataset::unlabeled(Tensor::full([2000, 1, 28, 28], 0.3, (Kind::Float, Device::Cpu))).unwrap();
    let a = grey.binarized(7).unwrap();
    assert!(a.samples.eq(0.0).logical_or(&a.samples.eq(1.0)).all().int64_value(&[]) == 1);
    assert!((a.samples.mean(Kind::Float).double_value(&[]) - 0.3).abs() < 0.005);
    assert!(a.samples.equal(&grey.binarized(7).unwrap().samples), "same seed, same images");
    assert!(!a.samples.equal(&grey.binarized(8).unwrap().samples));
    let raw = Dataset::unlabeled(Tensor::full([2, 3], 255.0, (Kind::Float, Device::Cpu))).unwrap();
    let e = raw.binarized(0).unwrap_err().to_string();
    assert!(e.contains("[0, 1]") && e.contains("1/255"), "{e}");
}

#[test]
fn real_data_dynamic_binarization_trains_a_vae() {
    let _rng = serial();
    let data = real();
    manual_seed(0);
    let mut vae =
        Autoencoder::new(VaeConfig { latent: 8, hidden: vec![128], ..Default::default() }, Device::Cpu).unwrap();
    let test = data.test.take(500).binarized(0).unwrap();
    let config = TrainConfig {
        epochs: 3,
        batch_size: 128,
        binarize: true,
        device: Some(Device::Cpu),
        verbose: false,
        checkpoints: None,
        ..Default::default()
    };
    let history = train(&mut vae, &data.train.take(4000), &test, &config).unwrap();
    let val: Vec<f64> = history.epochs.iter().map(|e| e.val_loss).collect();
    assert!(val[2] < val[0], "the binarized validation loss falls: {val:?}");
    let bound = importance_weighted_nll(&vae, &test.take(50), 200, 0).unwrap();
    assert!(bound.nll < bound.elbo && bound.nll > 50.0, "{bound:?}");
}
