//! Text: the corpus reader's errors, the vocabulary, TF-IDF, LSA, both text autoencoders, and a
//! short run on the real R8 (from `make data`).

use aekit::eval::{auroc, knn_distance, linear_probe, ProbeConfig};
use aekit::prelude::*;
use aekit::text::*;

use crate::common::serial;

const HEADER: &str = "Category\tText\nd\tstring\nclass\t\n\n";

fn error_of(content: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("corpus.tab");
    std::fs::write(&path, content).unwrap();
    Corpus::read(&path).expect_err("a malformed corpus must not load").to_string()
}

#[test]
fn a_corpus_file_becomes_documents_labels_and_sorted_classes() {
    let corpus = Corpus::parse(&format!("{HEADER}earn\tprofit up\nacq\tbuys firm\nearn\tloss\n"), "c.tab").unwrap();
    assert_eq!(corpus.len(), 3);
    assert_eq!(corpus.classes(), ["acq", "earn"]);
    assert_eq!(corpus.labels(), [1, 0, 1]);
    assert_eq!(corpus.documents()[1], "buys firm");
    assert_eq!(corpus.class_counts(), [1, 2]);
    assert_eq!(corpus.of_class(1).len(), 2);
}

#[test]
fn malformed_corpus_files_name_the_file_and_line() {
    let wrong_columns = error_of(format!("{HEADER}earn\tprofit\nacq\tbuys\textra\n").as_bytes());
    assert!(wrong_columns.contains("corpus.tab") && wrong_columns.contains("line 6"), "{wrong_columns}");
    assert!(wrong_columns.contains("3 tab-separated columns, expected 2"), "{wrong_columns}");
    let empty = error_of(format!("{HEADER}earn\tprofit\nacq\t  \n").as_bytes());
    assert!(empty.contains("line 6") && empty.contains("empty"), "{empty}");
    let mut bytes = format!("{HEADER}earn\tprofit\n").into_bytes();
    bytes.extend(b"acq\tbu\xffys\n");
    let utf8 = error_of(&bytes);
    assert!(utf8.contains("line 6") && utf8.contains("UTF-8"), "{utf8}");
    let no_gap = error_of(b"Category\tText\nd\tstring\nclass\t\nearn\tprofit\n");
    assert!(no_gap.contains("line 4") && no_gap.contains("empty row"), "{no_gap}");
    let header = error_of(b"just one column\n");
    assert!(header.contains("line 1"), "{header}");
    assert!(error_of(HEADER.as_bytes()).contains("no documents"));
}

#[test]
fn a_missing_corpus_names_the_fix() {
    let e = TextSplits::load("r9").unwrap_err().to_string();
    assert!(e.contains("r8") && e.contains("20ng"), "{e}");
}

/// Training on the tiny corpus: full batches, a high learning rate, quiet, on the CPU.
fn tiny_run(epochs: usize) -> TrainConfig {
    TrainConfig {
        epochs,
        batch_size: 5,
        learning_rate: 1e-2,
        device: Some(Device::Cpu),
        checkpoints: None,
        verbose: false,
        ..Default::default()
    }
}

fn tiny() -> Corpus {
    let docs = ["the cat sat on the mat", "a cat and a dog", "dog eats bone", "the bone of a cat", "stocks rose"];
    Corpus::new(
        docs.iter().map(|d| d.to_string()).collect(),
        vec![0, 0, 1, 1, 2],
        vec!["a".into(), "b".into(), "c".into()],
    )
    .unwrap()
}

#[test]
fn the_vocabulary_keeps_frequent_words_that_are_not_stop_words() {
    let corpus = tiny();
    let v = Vocabulary::build(&corpus, &VocabularyConfig { min_count: 2, ..Default::default() }).unwrap();
    assert_eq!(v.words(), ["cat", "bone", "dog"]); // by count (3, 2, 2), ties alphabetical
    assert_eq!(v.word_counts(), [3, 2, 2]);
    let with_stop =
        Vocabulary::build(&corpus, &VocabularyConfig { min_count: 2, remove_stop_words: false, max_size: None })
            .unwrap();
    assert_eq!(with_stop.words()[..2], ["a".to_string(), "cat".into()]); // "a" 3 times, "the" 3 times: alphabetical
    let capped =
        Vocabulary::build(&corpus, &VocabularyConfig { min_count: 1, max_size: Some(2), ..Default::default() })
            .unwrap();
    assert_eq!(capped.len(), 2);
    // Out-of-vocabulary tokens are counted, not silently lost.
    let other = Corpus::new(vec!["cat zebra zebra dog".into()], vec![0], vec!["a".into()]).unwrap();
    assert!((v.out_of_vocabulary(&other) - 0.5).abs() < 1e-9);
    let counts = v.counts(&other).unwrap();
    assert_eq!(Vec::<f32>::try_from(counts.samples.view([-1])).unwrap(), [1.0, 0.0, 1.0]);
    assert!(Vocabulary::build(&corpus, &VocabularyConfig { min_count: 100, ..Default::default() }).is_err());
    assert!(is_stop_word("the") && !is_stop_word("cat"));
}

#[test]
fn sequences_are_ids_with_padding_and_unknown_words() {
    let v = Vocabulary::build(&tiny(), &VocabularyConfig { min_count: 2, remove_stop_words: false, max_size: None })
        .unwrap();
    let doc = Corpus::new(vec!["the zebra cat".into()], vec![0], vec!["a".into()]).unwrap();
    let ids = v.sequences(&doc, 5).unwrap();
    let row = Vec::<f32>::try_from(ids.samples.view([-1])).unwrap();
    let the = v.index("the").unwrap() as f32 + 2.0;
    let cat = v.index("cat").unwrap() as f32 + 2.0;
    assert_eq!(row, [the, UNKNOWN as f32, cat, PAD as f32, PAD as f32]);
    assert_eq!(v.words_of(&row.iter().map(|&x| x as i64).collect::<Vec<_>>()), "the <unk> cat");
}

#[test]
fn tfidf_matches_scikit_learns_formula() {
    // Two documents, two words: word 0 in both (idf 1), word 1 in one (idf ln(3/2) + 1).
    let counts = Dataset::unlabeled(Tensor::from_slice(&[2f32, 0., 1., 1.]).view([2, 2])).unwrap();
    let tfidf = Tfidf::fit(&counts).unwrap();
    let idf = Vec::<f32>::try_from(tfidf.idf()).unwrap();
    assert!((idf[0] - 1.0).abs() < 1e-6 && (idf[1] - (1.5f32.ln() + 1.0)).abs() < 1e-6, "{idf:?}");
    let x = Vec::<f32>::try_from(tfidf.transform(&counts).unwrap().samples.view([-1])).unwrap();
    let norm = (1.0 + idf[1] * idf[1]).sqrt();
    assert!((x[0] - 1.0).abs() < 1e-6 && x[1] == 0.0, "{x:?}");
    assert!((x[2] - 1.0 / norm).abs() < 1e-6 && (x[3] - idf[1] / norm).abs() < 1e-6, "{x:?}");
    let wider = Dataset::unlabeled(Tensor::ones([1, 3], (Kind::Float, Device::Cpu))).unwrap();
    assert!(tfidf.transform(&wider).is_err());
}

#[test]
fn lsa_finds_the_top_singular_vectors() {
    let _guard = serial();
    manual_seed(3);
    let x = Tensor::rand([60, 25], (Kind::Float, Device::Cpu)).square();
    let lsa = Lsa::fit(&x, 5, 0).unwrap();
    // Against the exact SVD: the same singular values, and the same subspace.
    let exact = x
        .to_kind(Kind::Double)
        .matmul(&x.to_kind(Kind::Double).tr())
        .linalg_eigvalsh("L")
        .flip([0])
        .narrow(0, 0, 5)
        .sqrt();
    let got = lsa.singular_values().to_kind(Kind::Double);
    assert!((got - &exact).abs().max().double_value(&[]) < 1e-3 * exact.max().double_value(&[]));
    let v = lsa.components().to_kind(Kind::Double);
    assert!((v.matmul(&v.tr()) - Tensor::eye(5, (Kind::Double, Device::Cpu))).abs().max().double_value(&[]) < 1e-4);
    assert_eq!(lsa.transform(&x).unwrap().size(), [60, 5]);
    assert!(Lsa::fit(&x, 0, 0).is_err() && Lsa::fit(&x, 26, 0).is_err());
}

#[test]
fn a_bag_of_words_model_learns_word_distributions() {
    let _guard = serial();
    manual_seed(0);
    let v = Vocabulary::build(&tiny(), &VocabularyConfig { min_count: 1, ..Default::default() }).unwrap();
    let counts = v.counts(&tiny()).unwrap();
    let mut model = Autoencoder::new(
        BagOfWordsConfig { hidden: vec![], dropout: 0.0, ..BagOfWordsConfig::new(v.len(), 4) },
        Device::Cpu,
    )
    .unwrap();
    let before = evaluate(&model, &counts, ReconLoss::Bce).unwrap();
    let config = tiny_run(100);
    train(&mut model, &counts, &counts, &config).unwrap(); // counts above 1: no [0, 1] check for this kind
    let after = evaluate(&model, &counts, ReconLoss::Bce).unwrap();
    // The floor is each document's own word entropy, 0.86 nats per word on average here.
    assert!(after < 1.2 && after < before * 0.6, "the word cross-entropy fell from {before} to only {after}");
    let words = model.forward(&counts.samples).unwrap();
    assert!((words.sum_dim_intlist(1, false, Kind::Float) - 1.0).abs().max().double_value(&[]) < 1e-5);
    let surprise = word_surprise(&model, &counts).unwrap();
    assert_eq!(surprise.size(), [5]);
    assert!((surprise.mean(Kind::Double).double_value(&[]) - after).abs() < 1e-4);
    let top = top_words(&model, &v, &model.encode(&counts.samples).unwrap(), 2).unwrap();
    assert_eq!((top.len(), top[0].len()), (4, 2));
    assert!(model.config().objective(ReconLoss::Bce).contains("multinomial"));
}

#[test]
fn a_sequence_model_rebuilds_token_ids_from_its_code() {
    let _guard = serial();
    manual_seed(0);
    let corpus = tiny();
    let v = Vocabulary::build(&corpus, &VocabularyConfig { min_count: 1, remove_stop_words: false, max_size: None })
        .unwrap();
    let ids = v.sequences(&corpus, 6).unwrap();
    let config = SequenceConfig { embedding: 16, hidden: 32, ..SequenceConfig::new(v.len(), 6, 8) };
    let mut model = Autoencoder::new(config, Device::Cpu).unwrap();
    assert_eq!(model.forward(&ids.samples).unwrap().size(), [5, 6]);
    let before = token_accuracy(&model, &ids, &ids).unwrap();
    let train_config = tiny_run(60);
    train(&mut model, &ids, &ids, &train_config).unwrap();
    let after = token_accuracy(&model, &ids, &ids).unwrap();
    assert!(after.model > 0.9 && after.model > before.model, "{before:?} → {after:?}");
    // "the", "a", "cat" are the most frequent; no single token fills most positions.
    assert!(after.most_frequent < 0.3, "{after:?}");
    assert!(
        token_accuracy(&Autoencoder::new(BagOfWordsConfig::new(v.len(), 2), Device::Cpu).unwrap(), &ids, &ids).is_err()
    );
}

#[test]
fn most_similar_ranks_by_cosine() {
    // Relative to the mean row (1, 1): rows point (1, -1), (-1, 1), (1, 1), (-1, -1); the
    // query (3, 0.5) points (2, -0.5).
    let x = Tensor::from_slice(&[2f32, 0., 0., 2., 2., 2., 0., 0.]).view([4, 2]);
    let hits = most_similar(&x, &Tensor::from_slice(&[3f32, 0.5]).view([1, 2]), 2).unwrap();
    assert_eq!(hits.iter().map(|h| h.0).collect::<Vec<_>>(), [0, 2]);
    assert!((hits[0].1 - (2.0 + 0.5) / (2f64.sqrt() * (4.0f64 + 0.25).sqrt())).abs() < 1e-5, "{hits:?}");
    assert!(most_similar(&x, &x, 1).is_err());
}

/// Real data: R8 from `make data`; a short bag-of-words run whose codes classify and whose
/// surprise flags other classes, and the baselines beside it.
#[test]
fn r8_codes_classify_and_flag_other_topics() {
    let _guard = serial();
    let r8 = TextSplits::load("r8").unwrap_or_else(|e| panic!("the text tests need R8: {e}"));
    assert_eq!((r8.train.len(), r8.test.len(), r8.train.classes().len()), (5485, 2189, 8));
    let (train_docs, test_docs) = (r8.train.every(2), r8.test.every(2));
    let v = Vocabulary::build(&train_docs, &VocabularyConfig { max_size: Some(2000), ..Default::default() }).unwrap();
    let (train_counts, test_counts) = (v.counts(&train_docs).unwrap(), v.counts(&test_docs).unwrap());
    manual_seed(0);
    let mut model =
        Autoencoder::new(BagOfWordsConfig { hidden: vec![], ..BagOfWordsConfig::new(v.len(), 32) }, Device::Cpu)
            .unwrap();
    let config = TrainConfig {
        epochs: 8,
        batch_size: 64,
        device: Some(Device::Cpu),
        checkpoints: None,
        verbose: false,
        ..Default::default()
    };
    train(&mut model, &train_counts, &test_counts, &config).unwrap();
    let codes = |d: &Dataset| model.encode(&d.samples).unwrap();
    let probe = linear_probe(
        &codes(&train_counts),
        &train_counts.labels,
        &codes(&test_counts),
        &test_counts.labels,
        &ProbeConfig { epochs: 50, ..Default::default() },
    )
    .unwrap();
    assert!(probe.test_accuracy > 0.85, "R8 probe on a 32-value code after 8 epochs: {probe:?}");
    let tfidf = Tfidf::fit(&train_counts).unwrap();
    let (x_train, x_test) = (tfidf.transform(&train_counts).unwrap(), tfidf.transform(&test_counts).unwrap());
    let lsa = Lsa::fit(&x_train.samples, 32, 0).unwrap();
    let lsa_probe = linear_probe(
        &lsa.transform(&x_train.samples).unwrap(),
        &x_train.labels,
        &lsa.transform(&x_test.samples).unwrap(),
        &x_test.labels,
        &ProbeConfig { epochs: 50, ..Default::default() },
    )
    .unwrap();
    assert!(lsa_probe.test_accuracy > 0.85, "{lsa_probe:?}");
    // "earn" (class 1) normal: the others' documents surprise a model of earnings reports.
    let earn = train_counts.of_class(1).unwrap();
    manual_seed(0);
    let mut one =
        Autoencoder::new(BagOfWordsConfig { hidden: vec![], ..BagOfWordsConfig::new(v.len(), 32) }, Device::Cpu)
            .unwrap();
    train(&mut one, &earn, &earn, &config).unwrap();
    let other = test_counts.labels.ne(1);
    let ae = auroc(&word_surprise(&one, &test_counts).unwrap(), &other).unwrap();
    let nearest =
        auroc(&knn_distance(&tfidf.transform(&earn).unwrap().samples, &x_test.samples, 1).unwrap(), &other).unwrap();
    assert!(ae > 0.9 && nearest > 0.9, "earn vs the rest: autoencoder {ae}, TF-IDF nearest {nearest}");
}
