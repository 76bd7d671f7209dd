//! A vocabulary fitted on a training corpus, and what it turns documents into: term counts
//! `[N, V]` (bag of words) and token sequences `[N, L]`.

use std::collections::HashMap;

use tch::{Kind, Tensor};

use super::stop_words::is_stop_word;
use super::Corpus;
use crate::data::Dataset;
use crate::display::{Content, Show};
use crate::table::{Cell, Table};
use crate::{Error, Result};

/// How a vocabulary is chosen. The default is TextGCN's policy (Yao et al., 2019): English stop
/// words removed, words seen fewer than 5 times dropped; no cap on the size.
#[derive(Debug, Clone, PartialEq)]
pub struct VocabularyConfig {
    /// Keep at most this many words, the most frequent (ties: alphabetical); `None`: all.
    pub max_size: Option<usize>,
    /// Drop words seen fewer times than this in the training corpus.
    pub min_count: usize,
    /// Drop NLTK's English stop words ([`super::STOP_WORDS`]).
    pub remove_stop_words: bool,
}

impl Default for VocabularyConfig {
    fn default() -> Self {
        VocabularyConfig { max_size: None, min_count: 5, remove_stop_words: true }
    }
}

/// Words, most frequent first, with their training counts.
///
/// ```
/// use aekit::text::{Corpus, Vocabulary, VocabularyConfig};
/// let corpus = Corpus::new(vec!["the cat sat".into(), "the cat ran".into()], vec![0, 0], vec!["a".into()])?;
/// let vocabulary = Vocabulary::build(&corpus, &VocabularyConfig { min_count: 2, ..Default::default() })?;
/// assert_eq!(vocabulary.words(), &["cat".to_string()]); // "the" is a stop word; "sat", "ran" too rare
/// assert_eq!(vocabulary.counts(&corpus)?.samples.size(), [2, 1]);
/// # Ok::<(), aekit::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Vocabulary {
    words: Vec<String>,
    counts: Vec<usize>,
    index: HashMap<String, usize>,
    config: VocabularyConfig,
    corpus_words: usize,
    corpus_tokens: usize,
    kept_tokens: usize,
}

/// Token ids of [`Vocabulary::sequences`]: 0 pads a short document, 1 stands for a word not in
/// the vocabulary; word `i` of the vocabulary is `i + 2`.
pub const PAD: i64 = 0;
/// See [`PAD`].
pub const UNKNOWN: i64 = 1;

impl Vocabulary {
    /// The vocabulary of `corpus` (the training split) chosen by `config`.
    pub fn build(corpus: &Corpus, config: &VocabularyConfig) -> Result<Vocabulary> {
        if config.max_size == Some(0) {
            return Err(Error::config("VocabularyConfig::max_size", "must be at least 1 (or None for no cap)"));
        }
        let mut frequency: HashMap<&str, usize> = HashMap::new();
        let mut corpus_tokens = 0;
        for document in corpus.documents() {
            for word in tokens(document) {
                *frequency.entry(word).or_default() += 1;
                corpus_tokens += 1;
            }
        }
        let corpus_words = frequency.len();
        let mut kept: Vec<(&str, usize)> = frequency
            .into_iter()
            .filter(|&(w, n)| n >= config.min_count.max(1) && !(config.remove_stop_words && is_stop_word(w)))
            .collect();
        kept.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        kept.truncate(config.max_size.unwrap_or(usize::MAX));
        if kept.is_empty() {
            return Err(Error::config(
                "VocabularyConfig",
                format!("no word of the corpus is kept (min_count {}): lower min_count", config.min_count),
            ));
        }
        let kept_tokens = kept.iter().map(|w| w.1).sum();
        let index = kept.iter().enumerate().map(|(i, w)| (w.0.to_string(), i)).collect();
        Ok(Vocabulary {
            words: kept.iter().map(|w| w.0.to_string()).collect(),
            counts: kept.iter().map(|w| w.1).collect(),
            index,
            config: config.clone(),
            corpus_words,
            corpus_tokens,
            kept_tokens,
        })
    }

    /// Number of words.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// Never true: a vocabulary keeps at least one word.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// The words, most frequent first.
    pub fn words(&self) -> &[String] {
        &self.words
    }

    /// Each word's count in the training corpus.
    pub fn word_counts(&self) -> &[usize] {
        &self.counts
    }

    /// The index of `word`, if kept.
    pub fn index(&self, word: &str) -> Option<usize> {
        self.index.get(word).copied()
    }

    /// The fraction of `corpus`'s tokens outside the vocabulary.
    pub fn out_of_vocabulary(&self, corpus: &Corpus) -> f64 {
        let (mut all, mut out) = (0usize, 0usize);
        for word in corpus.documents().iter().flat_map(|d| tokens(d)) {
            all += 1;
            out += usize::from(!self.index.contains_key(word));
        }
        out as f64 / all.max(1) as f64
    }

    /// Term counts `[N, V]` (f32) of each document, labelled as the corpus: the bag of words.
    pub fn counts(&self, corpus: &Corpus) -> Result<Dataset> {
        let v = self.len();
        let mut values = vec![0f32; corpus.len() * v];
        for (row, document) in values.chunks_mut(v).zip(corpus.documents()) {
            for word in tokens(document) {
                if let Some(&i) = self.index.get(word) {
                    row[i] += 1.0;
                }
            }
        }
        let samples = Tensor::from_slice(&values).view([corpus.len() as i64, v as i64]);
        labelled(samples, corpus)
    }

    /// The first `length` tokens of each document as ids `[N, length]` (stored as f32, as every
    /// sample; [`PAD`] after a short document's end, [`UNKNOWN`] for words not kept): the input
    /// of a sequence autoencoder. Words are not dropped here, stop words included, only mapped.
    pub fn sequences(&self, corpus: &Corpus, length: usize) -> Result<Dataset> {
        if length == 0 {
            return Err(Error::config("Vocabulary::sequences length", "must be at least 1 (Dai & Le use 30 and more)"));
        }
        let mut ids = vec![PAD as f32; corpus.len() * length];
        for (row, document) in ids.chunks_mut(length).zip(corpus.documents()) {
            for (slot, word) in row.iter_mut().zip(tokens(document)) {
                *slot = self.index.get(word).map_or(UNKNOWN, |&i| i as i64 + 2) as f32;
            }
        }
        labelled(Tensor::from_slice(&ids).view([corpus.len() as i64, length as i64]), corpus)
    }

    /// Sequence ids back to text: `<unk>` for [`UNKNOWN`], nothing for [`PAD`].
    pub fn words_of(&self, ids: &[i64]) -> String {
        let words: Vec<&str> = ids
            .iter()
            .filter(|&&id| id != PAD)
            .map(|&id| if id == UNKNOWN { "<unk>" } else { self.words.get(id as usize - 2).map_or("<?>", |w| w) })
            .collect();
        words.join(" ")
    }
}

/// The words of a document: its space-separated runs (the corpora are already lowercased
/// letters and spaces).
pub fn tokens(document: &str) -> impl Iterator<Item = &str> {
    document.split_ascii_whitespace()
}

fn labelled(samples: Tensor, corpus: &Corpus) -> Result<Dataset> {
    Dataset::new(samples, Tensor::from_slice(corpus.labels()).to_kind(Kind::Int64))?.with_classes(corpus.classes())
}

impl Show for Vocabulary {
    /// Its size, what the policy dropped, and the most frequent words.
    fn content(&self) -> Content {
        let mut table = Table::new(["", "value"]);
        let c = &self.config;
        let policy = format!(
            "min count {}{}{}",
            c.min_count,
            if c.remove_stop_words { ", stop words removed" } else { "" },
            c.max_size.map(|m| format!(", at most {m} words")).unwrap_or_default()
        );
        let top: Vec<String> =
            self.words.iter().zip(&self.counts).take(15).map(|(w, n)| format!("{w} ({n})")).collect();
        let rows: [(&str, Cell); 5] = [
            ("policy", Cell::from(policy)),
            ("distinct words in the training corpus", Cell::from(self.corpus_words)),
            ("words kept", Cell::from(self.len())),
            (
                "training tokens kept",
                Cell::from(format!(
                    "{} of {} ({:.1} %)",
                    self.kept_tokens,
                    self.corpus_tokens,
                    100.0 * self.kept_tokens as f64 / self.corpus_tokens.max(1) as f64
                )),
            ),
            ("most frequent", Cell::from(top.join(", "))),
        ];
        for (name, value) in rows {
            let _ = table.row([Cell::from(name), value]);
        }
        Content::Html(table.to_html())
    }
}
