//! What text models are judged by: token accuracy of a sequence autoencoder and its baselines,
//! a bag-of-words model's surprise at a document (its anomaly score), the words each code unit
//! weighs most, and the nearest documents in code space.

use tch::{Kind, Tensor};

use super::vocabulary::{PAD, UNKNOWN};
use super::Vocabulary;
use crate::data::Dataset;
use crate::models::{word_cross_entropy, Autoencoder, ModelConfig};
use crate::{Error, Result};

/// Token accuracy of sequences rebuilt by a sequence autoencoder, and what guessing without the
/// code reaches on the same positions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TokenAccuracy {
    /// Fraction of the positions holding a vocabulary word (not padding, not unknown) rebuilt
    /// exactly, from the code alone.
    pub model: f64,
    /// The same with the training set's most frequent token everywhere.
    pub most_frequent: f64,
    /// The same with the training set's most frequent token at each position.
    pub most_frequent_per_position: f64,
}

/// [`TokenAccuracy`] of `model` (a [`crate::models::SequenceConfig`] model) on `test`, the
/// baselines counted on `train` (both token ids `[N, L]`).
pub fn token_accuracy(model: &Autoencoder, train: &Dataset, test: &Dataset) -> Result<TokenAccuracy> {
    if !matches!(model.config(), ModelConfig::Sequence(_)) {
        return Err(Error::input(
            "token_accuracy",
            format!("needs a sequence autoencoder, this is a {}", model.config().describe()),
        ));
    }
    let rebuilt =
        Tensor::cat(&test.map_batches(model.device(), |ids| model.forward(ids))?, 0).to_device(tch::Device::Cpu);
    let known = |ids: &Tensor| ids.ne(PAD as f64).logical_and(&ids.ne(UNKNOWN as f64));
    let (truth, words) = (test.samples.to_kind(Kind::Int64), known(&test.samples));
    let hits = |guess: &Tensor| guess.eq_tensor(&truth).logical_and(&words).sum(Kind::Double).double_value(&[]);
    let n = words.sum(Kind::Double).double_value(&[]).max(1.0);
    let ids = model.config().input()[0] as i64;
    let train_ids = train.samples.to_kind(Kind::Int64);
    let train_words = known(&train.samples);
    // Counts of each id over the training words, overall and per position (padding and unknown
    // words left out).
    let vocabulary = train_ids.max().int64_value(&[]).max(truth.max().int64_value(&[])) + 1;
    let per_position = Tensor::zeros([ids, vocabulary], (Kind::Float, tch::Device::Cpu)).scatter_add(
        1,
        &train_ids.tr().contiguous(),
        &train_words.tr().to_kind(Kind::Float).contiguous(),
    );
    let overall = per_position.sum_dim_intlist(0, false, Kind::Float).argmax(0, false);
    let positional = per_position.argmax(1, false).unsqueeze(0).expand_as(&truth);
    Ok(TokenAccuracy {
        model: hits(&rebuilt.to_kind(Kind::Int64)) / n,
        most_frequent: hits(&overall.expand_as(&truth)) / n,
        most_frequent_per_position: hits(&positional) / n,
    })
}

/// Each document's cross-entropy under a bag-of-words autoencoder `[N]`: nats per word of its
/// words given its own code. High for documents unlike the ones it was trained on: an anomaly
/// score.
pub fn word_surprise(model: &Autoencoder, counts: &Dataset) -> Result<Tensor> {
    if !matches!(model.config(), ModelConfig::BagOfWords(_)) {
        return Err(Error::input(
            "word_surprise",
            format!("needs a bag-of-words autoencoder, this is a {}", model.config().describe()),
        ));
    }
    let scores = counts.map_batches(model.device(), |x| {
        let log_p = model.forward(x)?.clamp_min(1e-30).log();
        Ok(word_cross_entropy(&log_p, x))
    })?;
    Ok(Tensor::cat(&scores, 0).to_device(tch::Device::Cpu))
}

/// The `n` words each code unit of a bag-of-words autoencoder raises most: from the mean code of
/// `codes` (e.g. the training set's), one standard deviation up along the unit, the words whose
/// probability grows most (a log-ratio would crown rare words). One list per unit.
pub fn top_words(model: &Autoencoder, vocabulary: &Vocabulary, codes: &Tensor, n: usize) -> Result<Vec<Vec<String>>> {
    if !matches!(model.config(), ModelConfig::BagOfWords(_)) || model.config().input() != [vocabulary.len()] {
        return Err(Error::input("top_words", "needs a bag-of-words autoencoder over this vocabulary"));
    }
    let codes = codes.to_device(model.device());
    let (mean, std) = (codes.mean_dim(0, true, Kind::Float), codes.std_dim(0, false, true));
    let latent = model.latent();
    let steps = mean.expand([latent, latent], false) + Tensor::eye(latent, (Kind::Float, model.device())) * &std;
    let lift = model.decode(&steps)? - model.decode(&mean)?;
    let top = lift.topk(n.min(vocabulary.len()) as i64, 1, true, true).1.to_device(tch::Device::Cpu);
    let top = Vec::<Vec<i64>>::try_from(&top)?;
    Ok(top.iter().map(|unit| unit.iter().map(|&i| vocabulary.words()[i as usize].clone()).collect()).collect())
}

/// The `k` rows of `reference` most similar to `query` (one row `[1, D]`) by cosine
/// similarity, both taken relative to the mean row of `reference` (codes share an offset that
/// would make every pair look alike): (index, similarity), most similar first.
pub fn most_similar(reference: &Tensor, query: &Tensor, k: usize) -> Result<Vec<(usize, f64)>> {
    if reference.dim() != 2 || query.dim() != 2 || query.size()[0] != 1 || reference.size()[1] != query.size()[1] {
        return Err(Error::input(
            "most_similar",
            format!(
                "expected reference [N, D] and one query [1, D], got {:?} and {:?}",
                reference.size(),
                query.size()
            ),
        ));
    }
    let mean = reference.mean_dim(0, true, Kind::Float);
    let unit = |x: &Tensor| {
        let x = x - &mean;
        &x / x.norm_scalaropt_dim(2, [1], true).clamp_min(1e-12)
    };
    let similarity = unit(reference).matmul(&unit(&query.to_device(reference.device())).tr()).squeeze_dim(1);
    let (values, index) = similarity.topk(k.min(reference.size()[0] as usize) as i64, 0, true, true);
    let (values, index) = (Vec::<f64>::try_from(&values.to_kind(Kind::Double))?, Vec::<i64>::try_from(&index)?);
    Ok(index.into_iter().map(|i| i as usize).zip(values).collect())
}

/// One class normal, the others anomalies: see [`one_class`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OneClassText {
    /// The normal class.
    pub class: i64,
    /// Its training documents: all that either method sees.
    pub normal_documents: usize,
    /// AUROC of the bag-of-words autoencoder's [`word_surprise`].
    pub autoencoder: f64,
    /// AUROC of the distance to the nearest normal document in TF-IDF space (idf fitted on the
    /// normal documents).
    pub nearest_tfidf: f64,
}

/// Trains a bag-of-words autoencoder `model` (initialised with `config.seed`) on the training
/// counts of `class` alone (as `config` says; its validation is the same documents) and scores every test document by its
/// [`word_surprise`]; the rival is the TF-IDF nearest-neighbour
/// distance to the same normal documents. Both see only the normal class's training documents
/// (and the vocabulary, a word list).
pub fn one_class(
    train: &Dataset,
    test: &Dataset,
    class: i64,
    model: &crate::models::BagOfWordsConfig,
    config: &crate::train::TrainConfig,
) -> Result<OneClassText> {
    let normal = train.of_class(class)?;
    let device = match config.device {
        Some(device) => device,
        None => crate::device()?,
    };
    crate::manual_seed(config.seed);
    let mut autoencoder = Autoencoder::new(model.clone(), device)?;
    crate::train::train(&mut autoencoder, &normal, &normal, config)?;
    let anomalous = test.labels.ne(class);
    let tfidf = super::Tfidf::fit(&normal)?;
    let nearest = crate::eval::knn_distance(&tfidf.transform(&normal)?.samples, &tfidf.transform(test)?.samples, 1)?;
    Ok(OneClassText {
        class,
        normal_documents: normal.len(),
        autoencoder: crate::eval::auroc(&word_surprise(&autoencoder, test)?, &anomalous)?,
        nearest_tfidf: crate::eval::auroc(&nearest, &anomalous)?,
    })
}

/// The first `n` sequences of `data` beside what `model` rebuilds from their codes, as words.
pub fn rebuilt(model: &Autoencoder, vocabulary: &Vocabulary, data: &Dataset, n: usize) -> Result<crate::table::Table> {
    let some = data.take(n);
    let again = model.forward(&some.samples)?.to_device(tch::Device::Cpu);
    let words = |t: &Tensor| -> Result<String> {
        let ids = Vec::<f32>::try_from(t)?;
        Ok(vocabulary.words_of(&ids.iter().map(|&x| x as i64).collect::<Vec<_>>()))
    };
    let mut table = crate::table::Table::new(["original (first tokens)", "rebuilt from the code alone"]);
    for i in 0..some.len() as i64 {
        table.row([words(&some.samples.get(i))?, words(&again.get(i))?])?;
    }
    Ok(table)
}
