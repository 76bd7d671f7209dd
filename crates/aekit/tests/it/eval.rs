use aekit::eval::*;
use aekit::prelude::*;
use aekit::table::Table;

use crate::common::serial;

fn bools(v: &[i64]) -> Tensor {
    Tensor::from_slice(v).to_kind(Kind::Bool)
}

/// `per` points around each of `centres` (spread `spread`), labelled by centre.
fn blobs(centres: &[[f32; 3]], per: i64, spread: f64, seed: i64) -> (Tensor, Tensor) {
    let _guard = serial();
    tch::manual_seed(seed);
    let c = Tensor::from_slice(&centres.concat()).view([-1, 3]);
    let labels =
        Tensor::arange(centres.len() as i64, (Kind::Int64, Device::Cpu)).repeat_interleave_self_int(per, 0, None);
    let x = c.index_select(0, &labels) + Tensor::randn([labels.size()[0], 3], (Kind::Float, Device::Cpu)) * spread;
    (x, labels)
}

#[test]
fn auroc_matches_hand_computed_values() {
    // scikit-learn's roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) = 0.75
    let scores = Tensor::from_slice(&[0.1f32, 0.4, 0.35, 0.8]);
    assert!((auroc(&scores, &bools(&[0, 0, 1, 1])).unwrap() - 0.75).abs() < 1e-12);
    assert_eq!(auroc(&scores, &bools(&[1, 0, 0, 1])).unwrap(), 0.5);
    assert_eq!(auroc(&Tensor::from_slice(&[1.0f32, 2.0, 3.0]), &bools(&[0, 1, 1])).unwrap(), 1.0);
    // Ties count half.
    assert_eq!(auroc(&Tensor::from_slice(&[1.0f32, 1.0]), &bools(&[0, 1])).unwrap(), 0.5);
    assert!(auroc(&scores, &bools(&[0, 0, 0, 0])).unwrap_err().to_string().contains("both"));
    assert!(auroc(&Tensor::from_slice(&[f32::NAN, 1.0]), &bools(&[0, 1])).unwrap_err().to_string().contains("finite"));
    assert!(auroc(&scores, &bools(&[0, 1])).is_err());
}

#[test]
fn threshold_rules_and_their_metrics() {
    let normal = Tensor::arange_start(1, 102, (Kind::Float, Device::Cpu)); // 1..=101
    assert_eq!(Threshold::Percentile(50.0).value(&normal).unwrap(), 51.0);
    let sigma = Threshold::Sigma(2.0).value(&normal).unwrap();
    assert!((sigma - (51.0 + 2.0 * 29.3002)).abs() < 1e-3, "{sigma}");
    assert!(Threshold::Percentile(120.0).value(&normal).is_err());
    // Threshold 51: flags 60, 70 (anomalies) and 55 (normal); misses anomaly 40.
    let scores = Tensor::from_slice(&[10.0f32, 55.0, 60.0, 70.0, 40.0]);
    let m = Threshold::Percentile(50.0).evaluate(&normal, &scores, &bools(&[0, 0, 1, 1, 1])).unwrap();
    assert_eq!((m.threshold, m.precision, m.recall), (51.0, 2.0 / 3.0, 2.0 / 3.0));
    assert!((m.f1 - 2.0 / 3.0).abs() < 1e-12);
    assert_eq!(m.false_positive_rate, 0.5);
}

#[test]
fn nmi_is_one_for_relabelled_partitions_and_matches_the_formula() {
    let a = Tensor::from_slice(&[0i64, 0, 0, 1, 1, 1, 2, 2]);
    assert!((nmi(&a, &Tensor::from_slice(&[2i64, 2, 2, 0, 0, 0, 1, 1])).unwrap() - 1.0).abs() < 1e-12);
    // Computed with scikit-learn's definition (arithmetic mean of the entropies).
    let b = Tensor::from_slice(&[0i64, 0, 1, 1, 1, 2, 2, 2]);
    assert!((nmi(&a, &b).unwrap() - 0.558_873_038_217).abs() < 1e-9);
    assert!(nmi(&a, &Tensor::from_slice(&[0i64, 1])).is_err());
}

#[test]
fn knn_kmeans_and_probe_find_separated_classes() {
    let centres = [[0.0, 0.0, 0.0], [6.0, 0.0, 0.0], [0.0, 6.0, 0.0]];
    let (train, train_labels) = blobs(&centres, 100, 1.0, 1);
    let (test, test_labels) = blobs(&centres, 50, 1.0, 2);
    let predicted = knn_predict(&train, &train_labels, &test, 5).unwrap();
    assert!(accuracy(&predicted, &test_labels).unwrap() > 0.97);

    let clusters = kmeans(&train, 3, 2, 7).unwrap();
    assert!(nmi(&clusters.labels, &train_labels).unwrap() > 0.9);
    let again = kmeans(&train, 3, 2, 7).unwrap();
    assert!(clusters.labels.equal(&again.labels), "seeded k-means must repeat");
    assert_eq!(clusters.centres.size(), [3, 3]);

    let probe = linear_probe(&train, &train_labels, &test, &test_labels, &ProbeConfig::default()).unwrap();
    assert!(probe.test_accuracy > 0.95, "{probe:?}");
    let bad = ProbeConfig { learning_rate: 0.0, ..Default::default() };
    assert!(linear_probe(&train, &train_labels, &test, &test_labels, &bad).is_err());
    assert!(knn_predict(&train, &train_labels, &test, 0).is_err());
    assert!(knn_predict(&train, &train_labels, &test.narrow(1, 0, 2), 3).is_err());
    assert!(kmeans(&train, 0, 1, 0).is_err());
}

#[test]
fn knn_ties_go_to_the_nearer_neighbour() {
    let train = Tensor::from_slice(&[0.0f32, 0.0, 1.0, 0.0]).view([2, 2]);
    let labels = Tensor::from_slice(&[3i64, 5]);
    let query = Tensor::from_slice(&[0.9f32, 0.0, 0.1, 0.0]).view([2, 2]);
    let predicted = knn_predict(&train, &labels, &query, 2).unwrap();
    assert_eq!(Vec::<i64>::try_from(predicted).unwrap(), [5, 3]);
}

#[test]
fn knn_distance_is_the_mean_distance_to_the_nearest_rows() {
    let reference = Tensor::from_slice(&[0.0f32, 0.0, 3.0, 0.0, 0.0, 10.0]).view([3, 2]);
    let query = Tensor::from_slice(&[0.0f32, 4.0]).view([1, 2]);
    let d = knn_distance(&reference, &query, 2).unwrap();
    assert!((d.double_value(&[0]) - (4.0 + 5.0) / 2.0).abs() < 1e-5);
}

#[test]
fn pca_finds_the_direction_of_a_line_and_reconstructs_it() {
    let t = Tensor::linspace(-1.0, 1.0, 50, (Kind::Float, Device::Cpu)).unsqueeze(1);
    let direction = Tensor::from_slice(&[3.0f32, 0.0, -4.0]).unsqueeze(0) / 5.0;
    let x = t.matmul(&direction) + Tensor::from_slice(&[1.0f32, 2.0, 3.0]);
    let pca = Pca::fit(&x, 1).unwrap();
    assert!(pca.explained > 0.999_999);
    let c = Vec::<f32>::try_from(pca.components.get(0)).unwrap();
    // The sign is fixed so that the largest entry is positive.
    assert!((c[0] + 0.6).abs() < 1e-5 && c[1].abs() < 1e-5 && (c[2] - 0.8).abs() < 1e-5, "{c:?}");
    assert!(pca.errors(&x).unwrap().max().double_value(&[]) < 1e-10);
    let back = pca.inverse(&pca.transform(&x).unwrap()).unwrap();
    assert!(back.allclose(&x, 1e-5, 1e-5, false));
    assert!(Pca::fit(&x, 4).unwrap_err().to_string().contains("choose 1 to 3"));
    assert!(pca.transform(&x.narrow(1, 0, 2)).is_err());
}

#[test]
fn psnr_of_a_known_error() {
    let a = Tensor::zeros([2, 1, 28, 28], (Kind::Float, Device::Cpu));
    let b = a.ones_like() * 0.1; // MSE 0.01 → 20 dB
    let p = psnr(&b, &a).unwrap();
    assert!((p.double_value(&[0]) - 20.0).abs() < 1e-4);
    assert_eq!(psnr(&a, &a).unwrap().double_value(&[1]), 100.0);
    assert!(psnr(&a, &b.narrow(0, 0, 1)).is_err());
}

#[test]
fn image_errors_average_to_the_reconstruction_error() {
    let data = crate::common::real().test.take(300);
    let model = {
        let _guard = serial();
        manual_seed(0);
        Autoencoder::new(DenseConfig::default(), Device::Cpu).unwrap()
    };
    let errors = image_errors(&model, &data, ReconLoss::Mse).unwrap();
    assert_eq!(errors.size(), [300]);
    let whole = reconstruction_error(&model, &data, None).unwrap();
    assert!((errors.mean(Kind::Double).double_value(&[]) - whole.mse).abs() < 1e-6);
    let codes = encode_all(&model, &data).unwrap();
    assert_eq!(codes.size(), [300, 64]);
}

#[test]
fn dataset_of_class_keeps_only_that_class() {
    let data = crate::common::real().test.take(500);
    let shirts = data.of_class(6).unwrap();
    assert!(shirts.len() > 20 && shirts.len() < 100);
    assert!(Vec::<i64>::try_from(&shirts.labels).unwrap().iter().all(|&l| l == 6));
    assert!(data.of_class(10).unwrap_err().to_string().contains("0 to 9"));
}

#[test]
fn tables_render_as_markdown_html_and_csv() {
    let mut t = Table::new(["model", "AUROC"]);
    t.row([Cell::from("a|b"), Cell::float(0.93, 2)])
        .unwrap()
        .row([Cell::from("<conv \"2\">"), Cell::float(0.912, 2)])
        .unwrap();
    assert!(t.to_markdown().starts_with("| model | AUROC |\n|---|---:|\n| a\\|b | 0.93 |"), "{}", t.to_markdown());
    assert!(
        t.to_html().contains("<td>&lt;conv &quot;2&quot;&gt;</td><td style=\"text-align:right\">0.91</td>"),
        "{}",
        t.to_html()
    );
    assert_eq!(Table::new(["x, y"]).to_csv(), "\"x, y\"\n");
    assert!(t.to_csv().ends_with("\"<conv \"\"2\"\">\",0.912\n"), "{}", t.to_csv());
    // Text that reads like a number stays text: the column is not numeric.
    let mut text = Table::new(["id"]);
    text.row(["007"]).unwrap();
    assert!(!text.is_numeric(0) && text.to_csv() == "id\n007\n");
    assert!(t.row(["only one"]).unwrap_err().to_string().contains("1 cells for 2 columns"));
}

#[test]
fn anomaly_detector_separates_a_class_it_was_trained_on_from_the_rest() {
    let data = crate::common::real();
    let normal = data.train.take(6000).of_class(1).unwrap(); // trousers
    let held_out = data.validation.of_class(1).unwrap();
    let test = data.test.take(1000);
    let model = {
        let _guard = serial();
        manual_seed(0);
        let mut model = Autoencoder::new(DenseConfig::standard(16), Device::Cpu).unwrap();
        let config = TrainConfig { epochs: 3, batch_size: 32, verbose: false, ..Default::default() };
        train(&mut model, &normal, &held_out, &config).unwrap();
        model
    };
    let detector = AnomalyDetector::fit(model, &normal, &held_out).unwrap();
    let scores = detector.scores(&test).unwrap();
    let anomalous = test.labels.ne(1);
    for (name, s) in
        [("reconstruction", &scores.reconstruction), ("density", &scores.density), ("combined", &scores.combined)]
    {
        assert_eq!(s.size(), [1000]);
        let a = auroc(s, &anomalous).unwrap();
        assert!(a > 0.9, "{name}: AUROC {a}");
    }
    // The combined score is the sum of the two after standardizing on held-out normal images.
    let on_held_out = detector.scores(&held_out).unwrap().combined;
    assert!(on_held_out.mean(Kind::Double).double_value(&[]).abs() < 1e-3);
    assert!(AnomalyDetector::fit(detector.model, &normal, &held_out.take(1)).is_err());
}

#[test]
fn one_label_per_class_spreads_along_the_graph() {
    let centres = [[0.0, 0.0, 0.0], [8.0, 0.0, 0.0], [0.0, 8.0, 0.0]];
    let (x, labels) = blobs(&centres, 60, 1.0, 3);
    let known = pick_per_class(&labels, 1, 5).unwrap();
    assert_eq!(known.size(), [3]);
    let known_labels = labels.index_select(0, &known);
    assert_eq!(Vec::<i64>::try_from(&known_labels).unwrap().iter().sum::<i64>(), 1 + 2);
    assert!(known.equal(&pick_per_class(&labels, 1, 5).unwrap()), "seeded picks repeat");
    let graph = KnnGraph::new(&x, 8).unwrap();
    let predicted = graph.propagate(&known, &known_labels, 0.99, 30).unwrap();
    let acc = accuracy(&predicted, &labels).unwrap();
    assert!(acc > 0.98, "accuracy {acc}, predicted {predicted}");
    assert!(graph.propagate(&known, &known_labels, 1.0, 30).is_err());
    assert!(graph.propagate(&Tensor::from_slice(&[999i64]), &Tensor::from_slice(&[0i64]), 0.9, 3).is_err());
    assert!(pick_per_class(&labels, 61, 0).unwrap_err().to_string().contains("only 60"));
}

#[test]
fn pseudo_labels_keep_the_surer_share_and_every_known_label() {
    // Two clusters that touch: the rows between them are the unsure ones.
    let (x, labels) = blobs(&[[0.0, 0.0, 0.0], [3.0, 0.0, 0.0]], 100, 1.0, 3);
    let known = pick_per_class(&labels, 2, 1).unwrap();
    let known_labels = labels.index_select(0, &known);
    let graph = KnnGraph::new(&x, 8).unwrap();
    let half = graph.pseudo_labels(&known, &known_labels, 0.5).unwrap();
    assert_eq!(half.size(), [200]);
    let kept = half.ge(0);
    let n_kept = kept.sum(Kind::Int64).int64_value(&[]);
    assert!((100..=104).contains(&n_kept), "half the rows and the 4 known: {n_kept}");
    assert!(half.index_select(0, &known).equal(&known_labels), "known rows keep their labels");
    let right = |p: &Tensor, keep: &Tensor| {
        p.masked_select(keep)
            .eq_tensor(&labels.masked_select(keep))
            .to_kind(Kind::Float)
            .mean(Kind::Float)
            .double_value(&[])
    };
    let all = graph.pseudo_labels(&known, &known_labels, 1.0).unwrap();
    assert!(all.ge(0).all().int64_value(&[]) == 1, "share 1 labels every row");
    let (sure, every) = (right(&half, &kept), right(&all, &all.ge(0)));
    assert!(sure > every && sure > 0.95, "the surer half is right more often: {sure} vs {every}");
    // Far from the other cluster (x below the midpoint 1.5 for class 0) rows are the sure ones.
    let sure_x = x.select(1, 0).masked_select(&kept.logical_and(&labels.eq(0)));
    assert!(sure_x.mean(Kind::Float).double_value(&[]) < 0.0, "class 0's sure rows lie away from class 1");
    for share in [0.0, 1.5, f64::NAN] {
        let e = graph.pseudo_labels(&known, &known_labels, share).unwrap_err().to_string();
        assert!(e.contains("share"), "{e}");
    }

    let data = Dataset::new(x, labels.shallow_clone()).unwrap();
    let round = data.pseudo_labelled(&half, &known, 2).unwrap();
    assert_eq!(round.len(), 200 + 2 * 4);
    assert!(round.labels.narrow(0, 0, 200).equal(&half));
    assert!(round.labels.narrow(0, 200, 8).equal(&known_labels.repeat([2])));
    assert!(round.samples.narrow(0, 200, 4).equal(&data.samples.index_select(0, &known)));
    let bad = |l: &Tensor| data.pseudo_labelled(l, &known, 1).unwrap_err().to_string();
    assert!(bad(&half.narrow(0, 0, 10)).contains("[200] i64"));
    assert!(bad(&half.full_like(2)).contains("−1..2"));
    assert!(bad(&half.full_like(-2)).contains("−1..2"));
}

#[test]
fn jpeg_sizes_and_quality_move_together_and_scans_are_counted_without_headers() {
    let images = crate::common::real().test.take(64).samples;
    let (low, high) = (jpeg(&images, 20).unwrap(), jpeg(&images, 90).unwrap());
    assert_eq!(high.images.size(), [64, 1, 28, 28]);
    let db = |j: &Jpeg| psnr(&j.images, &images).unwrap().mean(Kind::Double).double_value(&[]);
    assert!(db(&high) > db(&low) + 3.0 && db(&high) > 28.0, "PSNR {} at 20, {} at 90", db(&low), db(&high));
    assert!(high.scan_bytes > low.scan_bytes, "{} vs {}", high.scan_bytes, low.scan_bytes);
    // A 28×28 file is mostly its tables; the scan is the image's own cost.
    assert!(low.scan_bytes > 20.0 && low.file_bytes - low.scan_bytes > 150.0, "{low:?}");
    assert!(jpeg(&images, 0).is_err() && jpeg(&(&images * 2.0), 50).is_err());
}

#[test]
fn quantized_codes_take_two_to_the_bits_levels_within_half_a_step() {
    let codes = Tensor::from_slice(&[0.0f32, 10.0, 1.0, 20.0, 2.0, 30.0, 3.0, 40.0]).view([4, 2]);
    let one_bit = quantize(&codes, 1).unwrap();
    assert_eq!(Vec::<f32>::try_from(one_bit.reshape(-1)).unwrap(), [0.0, 10.0, 0.0, 10.0, 3.0, 40.0, 3.0, 40.0]);
    let eight = quantize(&codes, 8).unwrap();
    let step = [3.0 / 255.0, 30.0 / 255.0];
    let err = (&eight - &codes).abs();
    for j in 0..2 {
        assert!(err.select(1, j).max().double_value(&[]) <= step[j as usize] / 2.0 + 1e-5);
    }
    assert!(quantize(&codes, 0).is_err() && quantize(&codes.view([-1]), 8).is_err());
}
