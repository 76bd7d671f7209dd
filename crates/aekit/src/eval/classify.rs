//! Classes from codes: nearest neighbours, a linear probe, k-means and how well clusters
//! match classes. All work on `[N, D]` float features and `[N]` i64 labels, on any device.

use tch::nn::{self, Module, OptimizerConfig};
use tch::{Kind, Reduction, Tensor};

use crate::rng::{permutation, SplitMix};
use crate::{Error, Result};

fn features(what: &str, x: &Tensor) -> Result<Tensor> {
    if x.dim() < 2 || x.size()[0] == 0 || !x.is_floating_point() {
        return Err(Error::input(
            what,
            format!("expected float features [N, D] with N ≥ 1, got {:?} {:?}", x.kind(), x.size()),
        ));
    }
    Ok(x.flatten(1, -1).to_kind(Kind::Float))
}

fn labels_for(what: &str, labels: &Tensor, n: i64) -> Result<Tensor> {
    if labels.kind() != Kind::Int64 || labels.size() != [n] {
        return Err(Error::input(
            what,
            format!("expected i64 labels [{n}], got {:?} {:?}", labels.kind(), labels.size()),
        ));
    }
    if labels.f_min()?.int64_value(&[]) < 0 {
        return Err(Error::input(what, "labels must be ≥ 0"));
    }
    Ok(labels.shallow_clone())
}

/// Squared Euclidean distances between the rows of `a` `[M, D]` and `b` `[N, D]`, `[M, N]`.
pub(crate) fn squared_distances(a: &Tensor, b: &Tensor) -> Tensor {
    let aa = a.square().sum_dim_intlist(1, true, Kind::Float);
    let bb = b.square().sum_dim_intlist(1, false, Kind::Float);
    (aa + bb - a.matmul(&b.tr()) * 2.0).clamp_min(0.0)
}

/// The `k` nearest rows of `reference` for each row of `query`: (squared distances, indices),
/// both `[M, k]`, nearest first. Works in chunks so memory stays bounded.
pub(crate) fn nearest(query: &Tensor, reference: &Tensor, k: usize) -> (Tensor, Tensor) {
    let reference = reference.to_device(query.device());
    // ‖q − r‖² = ‖q‖² + (‖r‖² − 2 q·r): the ranking needs only the bracket, one fused matrix
    // product per chunk; ‖q‖² is added to the k kept.
    let rr = reference.square().sum_dim_intlist(1, false, Kind::Float);
    let minus_two_rt = reference.tr() * -2.0;
    let (mut distances, mut indices) = (Vec::new(), Vec::new());
    let chunk = (1 << 24) / reference.size()[0].max(1);
    for q in query.split(chunk.max(1), 0) {
        let (d, i) = rr.addmm(&q, &minus_two_rt).topk(k as i64, 1, false, true);
        distances.push((d + q.square().sum_dim_intlist(1, true, Kind::Float)).clamp_min(0.0));
        indices.push(i);
    }
    (Tensor::cat(&distances, 0), Tensor::cat(&indices, 0))
}

/// Labels of `query` by a majority vote of its `k` nearest rows of `train` (Euclidean); a tie
/// goes to the class with the nearer neighbour.
pub fn knn_predict(train: &Tensor, train_labels: &Tensor, query: &Tensor, k: usize) -> Result<Tensor> {
    let train = features("knn_predict: train", train)?;
    let query = features("knn_predict: query", query)?;
    let labels = labels_for("knn_predict: train_labels", train_labels, train.size()[0])?.to_device(query.device());
    if k == 0 || k as i64 > train.size()[0] {
        return Err(Error::config(
            "knn_predict k",
            format!("{k} neighbours asked for; choose 1 to {}", train.size()[0]),
        ));
    }
    if train.size()[1] != query.size()[1] {
        return Err(Error::input(
            "knn_predict",
            format!("train rows have {} values, query rows {}", train.size()[1], query.size()[1]),
        ));
    }
    let (_, index) = nearest(&query, &train, k);
    let votes = labels.index_select(0, &index.flatten(0, -1)).view([-1, k as i64]);
    let classes = labels.max().int64_value(&[]) + 1;
    // Weight 1 per vote plus a little for rank, so the nearer neighbour breaks ties.
    let rank = Tensor::arange(k as i64, (Kind::Float, query.device())).flip([0]) * (0.5 / k as f64) + 1.0;
    let tally = Tensor::zeros([votes.size()[0], classes], (Kind::Float, query.device()));
    Ok(tally.scatter_add(1, &votes, &rank.expand_as(&votes.to_kind(Kind::Float)).contiguous()).argmax(1, false))
}

/// Fraction of `predicted` equal to `truth` (both `[N]` i64).
pub fn accuracy(predicted: &Tensor, truth: &Tensor) -> Result<f64> {
    if predicted.size() != truth.size() || predicted.numel() == 0 {
        return Err(Error::input(
            "accuracy",
            format!("predictions {:?} and labels {:?} differ in shape", predicted.size(), truth.size()),
        ));
    }
    Ok(predicted
        .eq_tensor(&truth.to_device(predicted.device()))
        .to_kind(Kind::Double)
        .mean(Kind::Double)
        .double_value(&[]))
}

/// Settings of [`linear_probe`].
#[derive(Debug, Clone, PartialEq)]
pub struct ProbeConfig {
    /// Passes over the training codes.
    pub epochs: usize,
    /// Codes per step.
    pub batch_size: usize,
    /// Adam's learning rate.
    pub learning_rate: f64,
    /// L2 penalty on the weights (decoupled, AdamW-style).
    pub weight_decay: f64,
    /// Fixes the initialisation and the shuffling.
    pub seed: u64,
    /// Scale each feature to mean 0, std 1 on the training rows first (codes); off for
    /// TF-IDF vectors, whose scale is the point.
    pub standardize: bool,
}

impl Default for ProbeConfig {
    fn default() -> Self {
        ProbeConfig { epochs: 20, batch_size: 256, learning_rate: 1e-3, weight_decay: 1e-4, seed: 0, standardize: true }
    }
}

/// Result of [`linear_probe`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Probe {
    /// Accuracy on the codes it was trained on.
    pub train_accuracy: f64,
    /// Accuracy on the test codes.
    pub test_accuracy: f64,
}

/// Softmax regression on standardized features (each column to mean 0, std 1 on the training
/// rows, unless [`ProbeConfig::standardize`] is off), trained with AdamW; the standard test of
/// how linearly separable the classes are in a representation.
pub fn linear_probe(
    train: &Tensor,
    train_labels: &Tensor,
    test: &Tensor,
    test_labels: &Tensor,
    config: &ProbeConfig,
) -> Result<Probe> {
    let train = features("linear_probe: train", train)?;
    let test = features("linear_probe: test", test)?.to_device(train.device());
    let train_labels =
        labels_for("linear_probe: train_labels", train_labels, train.size()[0])?.to_device(train.device());
    let test_labels = labels_for("linear_probe: test_labels", test_labels, test.size()[0])?;
    if train.size()[1] != test.size()[1] {
        return Err(Error::input(
            "linear_probe",
            format!("train rows have {} values, test rows {}", train.size()[1], test.size()[1]),
        ));
    }
    if config.epochs == 0 || config.batch_size == 0 || config.learning_rate <= 0.0 || config.weight_decay < 0.0 {
        return Err(Error::config(
            "ProbeConfig",
            format!("epochs, batch size and learning rate must be positive, weight decay ≥ 0: {config:?}"),
        ));
    }
    let (train, test) = if config.standardize {
        let mean = train.mean_dim(0, true, Kind::Float);
        let std = train.std_dim(0, false, true).clamp_min(1e-6);
        ((&train - &mean) / &std, (&test - &mean) / &std)
    } else {
        (train, test)
    };
    let classes = train_labels.max().int64_value(&[]).max(test_labels.max().int64_value(&[])) + 1;
    let vs = nn::VarStore::new(train.device());
    // Zero start: the problem is convex, and the result then depends on the seed alone.
    let zero = nn::LinearConfig { ws_init: nn::Init::Const(0.0), bs_init: Some(nn::Init::Const(0.0)), bias: true };
    let layer = nn::linear(vs.root(), train.size()[1], classes, zero);
    let mut opt = nn::AdamW { wd: config.weight_decay, ..Default::default() }.build(&vs, config.learning_rate)?;
    let n = train.size()[0] as usize;
    for epoch in 0..config.epochs {
        let order = Tensor::from_slice(&permutation(n, config.seed ^ epoch as u64)).to_device(train.device());
        for index in order.split(config.batch_size as i64, 0) {
            let loss = layer.forward(&train.index_select(0, &index)).cross_entropy_loss::<Tensor>(
                &train_labels.index_select(0, &index),
                None,
                Reduction::Mean,
                -100,
                0.0,
            );
            opt.backward_step(&loss);
        }
    }
    let predict = |x: &Tensor| tch::no_grad(|| layer.forward(x).argmax(1, false));
    Ok(Probe {
        train_accuracy: accuracy(&predict(&train), &train_labels)?,
        test_accuracy: accuracy(&predict(&test), &test_labels)?,
    })
}

/// Result of [`kmeans`].
#[derive(Debug)]
pub struct KMeans {
    /// Cluster of each row, `[N]` i64.
    pub labels: Tensor,
    /// Cluster centres, `[k, D]`.
    pub centres: Tensor,
    /// Sum of squared distances of the rows to their centres.
    pub inertia: f64,
}

/// k-means (Lloyd's algorithm) from k-means++ starts; the best of `restarts` runs. Seeded:
/// the same seed gives the same clusters.
pub fn kmeans(x: &Tensor, k: usize, restarts: usize, seed: u64) -> Result<KMeans> {
    let x = features("kmeans", x)?;
    let n = x.size()[0];
    if k == 0 || k as i64 > n || restarts == 0 {
        return Err(Error::config("kmeans", format!("k = {k} must lie in 1..={n}, restarts = {restarts} ≥ 1")));
    }
    let mut rng = SplitMix::new(seed);
    let mut best: Option<KMeans> = None;
    for _ in 0..restarts {
        let mut centres = plus_plus(&x, k, &mut rng);
        let mut labels = Tensor::zeros([n], (Kind::Int64, x.device()));
        for _ in 0..300 {
            let (_, nearest_centre) = nearest(&x, &centres, 1);
            let new_labels = nearest_centre.squeeze_dim(1);
            let settled = new_labels.equal(&labels);
            labels = new_labels;
            let sums = Tensor::zeros([k as i64, x.size()[1]], (Kind::Float, x.device())).index_add(0, &labels, &x);
            let counts = Tensor::zeros([k as i64], (Kind::Float, x.device())).index_add(
                0,
                &labels,
                &Tensor::ones([n], (Kind::Float, x.device())),
            );
            // An emptied cluster keeps its old centre.
            let empty = counts.eq(0.0).unsqueeze(1);
            centres = (sums / counts.clamp_min(1.0).unsqueeze(1)).where_self(&empty.logical_not(), &centres);
            if settled {
                break;
            }
        }
        let (d, _) = nearest(&x, &centres, 1);
        let inertia = d.to_kind(Kind::Double).sum(Kind::Double).double_value(&[]);
        if best.as_ref().is_none_or(|b| inertia < b.inertia) {
            best = Some(KMeans { labels, centres, inertia });
        }
    }
    Ok(best.expect("restarts ≥ 1"))
}

/// k-means++: each next centre drawn with probability proportional to the squared distance to
/// the nearest centre so far.
fn plus_plus(x: &Tensor, k: usize, rng: &mut SplitMix) -> Tensor {
    let n = x.size()[0];
    let mut chosen = vec![rng.below(n as u64) as i64];
    let mut d2 = squared_distances(x, &x.get(chosen[0]).unsqueeze(0)).squeeze_dim(1).to_kind(Kind::Double);
    while chosen.len() < k {
        let cumulative = Vec::<f64>::try_from(d2.cumsum(0, Kind::Double)).unwrap_or_default();
        let total = cumulative.last().copied().unwrap_or(0.0);
        let next = if total > 0.0 {
            let r = rng.next_f64() * total;
            cumulative.partition_point(|&c| c <= r).min(n as usize - 1) as i64
        } else {
            rng.below(n as u64) as i64
        };
        chosen.push(next);
        let d = squared_distances(x, &x.get(next).unsqueeze(0)).squeeze_dim(1).to_kind(Kind::Double);
        d2 = d2.minimum(&d);
    }
    x.index_select(0, &Tensor::from_slice(&chosen).to_device(x.device()))
}

/// Normalized mutual information between two labelings of the same items (`[N]` i64), in
/// [0, 1]: the mutual information over the arithmetic mean of the two entropies (scikit-learn's
/// default). 1 when the partitions agree up to renaming.
pub fn nmi(a: &Tensor, b: &Tensor) -> Result<f64> {
    let n = a.numel() as i64;
    let a = labels_for("nmi: a", a, n)?;
    let b = labels_for("nmi: b", &b.to_device(a.device()), n)?;
    if n == 0 {
        return Err(Error::input("nmi", "no labels"));
    }
    let (ka, kb) = (a.max().int64_value(&[]) + 1, b.max().int64_value(&[]) + 1);
    let joint = Tensor::zeros([ka * kb], (Kind::Double, a.device()))
        .index_add(0, &(&a * kb + &b), &Tensor::ones([n], (Kind::Double, a.device())))
        .view([ka, kb])
        / n as f64;
    let (pa, pb) = (joint.sum_dim_intlist(1, true, Kind::Double), joint.sum_dim_intlist(0, true, Kind::Double));
    let entropy = |p: &Tensor| -> f64 {
        let p = p.flatten(0, -1);
        let nz = p.masked_select(&p.gt(0.0));
        -(&nz * nz.log()).sum(Kind::Double).double_value(&[])
    };
    let mask = joint.gt(0.0);
    let ratio = (&joint / (&pa * &pb)).masked_select(&mask);
    let mi = (joint.masked_select(&mask) * ratio.log()).sum(Kind::Double).double_value(&[]);
    let (ha, hb) = (entropy(&pa), entropy(&pb));
    let mean = (ha + hb) / 2.0;
    Ok(if mean <= 0.0 { 1.0 } else { (mi / mean).clamp(0.0, 1.0) })
}

/// `per_class` seeded random rows of each class present in `labels` (`[N]` i64): the labelled
/// few of a semi-supervised experiment. Returns their indices, `[per_class × classes]`.
pub fn pick_per_class(labels: &Tensor, per_class: usize, seed: u64) -> Result<Tensor> {
    let labels = Vec::<i64>::try_from(labels.to_device(tch::Device::Cpu))?;
    let order = permutation(labels.len(), seed);
    let classes = labels.iter().copied().max().map_or(0, |m| m + 1);
    let mut picked = Vec::with_capacity(per_class * classes as usize);
    let mut counts = vec![0; classes as usize];
    for &i in &order {
        let c = labels[i as usize];
        if c >= 0 && counts[c as usize] < per_class {
            counts[c as usize] += 1;
            picked.push(i);
        }
    }
    if let Some(c) = counts.iter().position(|&n| n > 0 && n < per_class) {
        return Err(Error::input(
            "pick_per_class",
            format!("class {c} has only {} rows, {per_class} asked for", counts[c]),
        ));
    }
    Ok(Tensor::from_slice(&picked))
}

/// Pseudo-labels from class scores `[N, classes]` (probabilities, or any non-negative mass):
/// each row's top class for the `share` (in (0, 1]) of rows whose top class holds the largest
/// part of their mass, −1 for the others. `[N]` i64, as
/// [`Dataset::pseudo_labelled`](crate::data::Dataset::pseudo_labelled) takes them: a self-training
/// round on a model's own surer guesses (e.g. [`Autoencoder::class_probabilities`](crate::Autoencoder::class_probabilities)).
///
/// ```
/// use aekit::prelude::*;
/// let scores = Tensor::from_slice(&[0.9f32, 0.1, 0.4, 0.6, 0.2, 0.8]).view([3, 2]);
/// let labels = aekit::eval::surest_labels(&scores, 2.0 / 3.0)?;
/// assert_eq!(Vec::<i64>::try_from(&labels)?, [0, -1, 1]); // the 0.6 is the least sure
/// # Ok::<(), aekit::Error>(())
/// ```
pub fn surest_labels(scores: &Tensor, share: f64) -> Result<Tensor> {
    check_share("surest_labels", share)?;
    let scores = features("surest_labels: scores", scores)?;
    if scores.lt(0.0).any().int64_value(&[]) == 1 || scores.isnan().any().int64_value(&[]) == 1 {
        return Err(Error::input("surest_labels", "scores must be non-negative (probabilities or mass), without NaN"));
    }
    Ok(surest(&scores, share))
}

/// [`surest_labels`] on scores already checked: `[N, classes]` float, non-negative.
fn surest(scores: &Tensor, share: f64) -> Tensor {
    let (top, labels) = scores.max_dim(1, false);
    let confidence = top / scores.sum_dim_intlist(1, false, Kind::Float).clamp_min(1e-12);
    let n = confidence.size()[0];
    let kept = ((share * n as f64).ceil() as i64).clamp(1, n);
    let sure = confidence.topk(kept, 0, true, false).1;
    labels.full_like(-1).index_copy(0, &sure, &labels.index_select(0, &sure))
}

fn check_share(caller: &str, share: f64) -> Result<()> {
    if share > 0.0 && share <= 1.0 {
        return Ok(());
    }
    Err(Error::config(
        format!("{caller} share"),
        format!("{share} must lie in (0, 1]: the share of rows to label (0.5 labels the surer half)"),
    ))
}

/// The `k`-nearest-neighbour graph of a set of rows, for spreading a few labels to all of them.
/// Edges go both ways (i links j when either is among the other's nearest).
#[derive(Debug)]
pub struct KnnGraph {
    /// Neighbours of each row, `[N, k]`.
    pub neighbours: Tensor,
    /// Normalized edge weights `w_ij / √(d_i d_j)`, `[N, k]`, for the edge from each row to
    /// each of its neighbours; `d` sums a row's weights in both directions.
    weights: Tensor,
}

impl KnnGraph {
    /// Links each row of `x` to its `k` nearest other rows, with Gaussian weights
    /// `exp(−d² / mean d²)`.
    pub fn new(x: &Tensor, k: usize) -> Result<KnnGraph> {
        let x = features("KnnGraph", x)?;
        if k == 0 || k as i64 >= x.size()[0] {
            return Err(Error::config("KnnGraph k", format!("choose 1 to {}", x.size()[0] - 1)));
        }
        let (d2, index) = nearest(&x, &x, k + 1);
        // Drop each row's nearest (itself, or an exact duplicate: either way no information).
        let (d2, neighbours) = (d2.narrow(1, 1, k as i64), index.narrow(1, 1, k as i64));
        let w = (-&d2 / d2.mean(Kind::Float).clamp_min(1e-12)).exp();
        let incoming =
            w.zeros_like().narrow(1, 0, 1).squeeze_dim(1).index_add(0, &neighbours.flatten(0, -1), &w.flatten(0, -1));
        let degree = (w.sum_dim_intlist(1, false, Kind::Float) + incoming).clamp_min(1e-12);
        let inv_sqrt = degree.rsqrt();
        let weights = &w * inv_sqrt.unsqueeze(1) * inv_sqrt.index_select(0, &neighbours.flatten(0, -1)).view_as(&w);
        Ok(KnnGraph { neighbours, weights })
    }

    /// Label spreading (Zhou et al., 2004): starts from the `known` rows' labels and repeats
    /// `F ← α·S·F + (1 − α)·Y` `iterations` times; each row takes the class with the most
    /// mass. `alpha` in (0, 1): how far labels travel (0.99 is usual).
    pub fn propagate(&self, known: &Tensor, known_labels: &Tensor, alpha: f64, iterations: usize) -> Result<Tensor> {
        Ok(self.spread(known, known_labels, alpha, iterations)?.argmax(1, false))
    }

    /// Pseudo-labels for self-training: labels spread as [`KnnGraph::propagate`] does (α 0.99,
    /// 40 iterations), kept only for the `share` (in (0, 1]) of rows whose class holds the most
    /// of their mass; the other rows get −1, the `known` rows their own label. `[N]` i64, as
    /// [`Dataset::pseudo_labelled`](crate::data::Dataset::pseudo_labelled) takes them.
    pub fn pseudo_labels(&self, known: &Tensor, known_labels: &Tensor, share: f64) -> Result<Tensor> {
        check_share("KnnGraph::pseudo_labels", share)?;
        let pseudo = surest(&self.spread(known, known_labels, 0.99, 40)?.clamp_min(0.0), share);
        let known = known.to_device(pseudo.device());
        Ok(pseudo.index_copy(0, &known, &known_labels.to_device(pseudo.device()).to_kind(Kind::Int64)))
    }

    /// Each row's mass per class after spreading, `[N, classes]` (see [`KnnGraph::propagate`]).
    fn spread(&self, known: &Tensor, known_labels: &Tensor, alpha: f64, iterations: usize) -> Result<Tensor> {
        let n = self.neighbours.size()[0];
        let device = self.neighbours.device();
        let known = known.to_device(device);
        let known_labels =
            labels_for("KnnGraph::propagate: known_labels", known_labels, known.numel() as i64)?.to_device(device);
        if known.kind() != Kind::Int64
            || known.numel() == 0
            || known.max().int64_value(&[]) >= n
            || known.min().int64_value(&[]) < 0
        {
            return Err(Error::input("KnnGraph::propagate", format!("known must hold row indices 0..{n}")));
        }
        if !(alpha > 0.0 && alpha < 1.0) {
            return Err(Error::config(
                "KnnGraph::propagate alpha",
                format!("{alpha} must lie strictly between 0 and 1"),
            ));
        }
        let classes = known_labels.max().int64_value(&[]) + 1;
        let y = Tensor::zeros([n, classes], (Kind::Float, device)).index_put_(
            &[Some(known), Some(known_labels)],
            &Tensor::ones([1], (Kind::Float, device)),
            false,
        );
        let (k, flat) = (self.neighbours.size()[1], self.neighbours.flatten(0, -1));
        let mut f = y.shallow_clone();
        let w = self.weights.unsqueeze(2);
        for _ in 0..iterations {
            // Each row gathers from its neighbours, and gives to the rows it is a neighbour of.
            let gathered = (f.index_select(0, &flat).view([n, k, classes]) * &w).sum_dim_intlist(1, false, Kind::Float);
            let given = f.zeros_like().index_add(0, &flat, &(f.unsqueeze(1) * &w).view([n * k, classes]));
            f = (gathered + given) * alpha + &y * (1.0 - alpha);
        }
        Ok(f)
    }
}

/// Test accuracy with only a few labels, as mean and standard deviation over seeded draws of
/// the labelled training rows. One row of [`few_labels`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FewLabels {
    /// Labelled training rows per class.
    pub per_class: usize,
    /// 1-nearest labelled neighbour: (mean, std) accuracy.
    pub nearest: (f64, f64),
    /// Logistic regression on the labelled rows alone (features standardized on all training
    /// rows): (mean, std) accuracy.
    pub logistic: (f64, f64),
    /// Label spreading over a 10-NN graph of all training and test rows: (mean, std) accuracy.
    pub spreading: (f64, f64),
}

/// The semi-supervised experiment: for each count in `per_class`, `draws` seeded draws of that
/// many labelled training rows per class (seeds `0..draws`, [`pick_per_class`]); every test row
/// is labelled by its nearest labelled row, by logistic regression on the labelled rows, and by
/// label spreading over the graph of all rows, labelled or not.
pub fn few_labels(
    train: &Tensor,
    train_labels: &Tensor,
    test: &Tensor,
    test_labels: &Tensor,
    per_class: &[usize],
    draws: usize,
) -> Result<Vec<FewLabels>> {
    let (train, test) = (features("few_labels: train", train)?, features("few_labels: test", test)?);
    let n = train.size()[0];
    let train_labels = labels_for("few_labels: train_labels", train_labels, n)?;
    if draws == 0 {
        return Err(Error::config("few_labels draws", "needs at least 1 draw"));
    }
    let graph = KnnGraph::new(&Tensor::cat(&[&train, &test.to_device(train.device())], 0), 10)?;
    // Logistic regression sees the labelled rows only; the scale comes from all training rows.
    let (mean, std) = (train.mean_dim(0, true, Kind::Float), train.std_dim(0, false, true).clamp_min(1e-3));
    let (scaled, scaled_test) = ((&train - &mean) / &std, (test.to_device(train.device()) - &mean) / &std);
    let logistic = ProbeConfig { epochs: 300, learning_rate: 1e-2, standardize: false, ..Default::default() };
    let test_rows = Tensor::arange_start(n, n + test.size()[0], (Kind::Int64, train.device()));
    let mut rows = Vec::new();
    for &k in per_class {
        let (mut nearest_acc, mut logistic_acc, mut spread_acc) = (Vec::new(), Vec::new(), Vec::new());
        for seed in 0..draws as u64 {
            let known = pick_per_class(&train_labels, k, seed)?.to_device(train.device());
            let known_labels = train_labels.to_device(train.device()).index_select(0, &known);
            let predicted = knn_predict(&train.index_select(0, &known), &known_labels, &test, 1)?;
            nearest_acc.push(accuracy(&predicted, test_labels)?);
            let probe =
                linear_probe(&scaled.index_select(0, &known), &known_labels, &scaled_test, test_labels, &logistic)?;
            logistic_acc.push(probe.test_accuracy);
            let spread = graph.propagate(&known, &known_labels, 0.99, 40)?.index_select(0, &test_rows);
            spread_acc.push(accuracy(&spread, test_labels)?);
        }
        rows.push(FewLabels {
            per_class: k,
            nearest: mean_std(&nearest_acc),
            logistic: mean_std(&logistic_acc),
            spreading: mean_std(&spread_acc),
        });
    }
    Ok(rows)
}

/// Mean and sample standard deviation of `v` (0 for a single value): the `±` of [`FewLabels`].
pub fn mean_std(v: &[f64]) -> (f64, f64) {
    let mean = v.iter().sum::<f64>() / v.len() as f64;
    let var = if v.len() > 1 { v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (v.len() - 1) as f64 } else { 0.0 };
    (mean, var.sqrt())
}
