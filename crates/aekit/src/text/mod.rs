//! Text: labelled corpora ([`TextSplits`]: 20 Newsgroups, Reuters-21578 R8 and R52, from
//! `make data`), a [`Vocabulary`] fitted on the training split, what it makes of documents
//! (term counts and token sequences, as [`crate::data::Dataset`]s), and the baselines text
//! people use: [`Tfidf`] weighting and [`Lsa`]. The text autoencoders are kinds of
//! [`crate::models::Autoencoder`]: [`crate::models::BagOfWordsConfig`] and
//! [`crate::models::SequenceConfig`], trained by the one trainer.
//!
//! ```no_run
//! use aekit::prelude::*;
//! use aekit::text::{TextSplits, Vocabulary, VocabularyConfig};
//! # fn main() -> aekit::Result<()> {
//! let r8 = TextSplits::load("r8")?;
//! let vocabulary = Vocabulary::build(&r8.train, &VocabularyConfig { max_size: Some(2000), ..Default::default() })?;
//! let (train, test) = (vocabulary.counts(&r8.train)?, vocabulary.counts(&r8.test)?);
//! let mut model = Autoencoder::new(BagOfWordsConfig::new(vocabulary.len(), 64), aekit::device()?)?;
//! aekit::train::train(&mut model, &train, &test, &TrainConfig::default())?;
//! let codes = model.encode(&test.samples)?; // [2189, 64]
//! # Ok(()) }
//! ```

mod corpus;
mod lsa;
mod measures;
mod stop_words;
mod tfidf;
mod vocabulary;

pub use corpus::{Corpus, TextSplits, CORPORA};
pub use lsa::Lsa;
pub use measures::{
    most_similar, one_class, rebuilt, token_accuracy, top_words, word_surprise, OneClassText, TokenAccuracy,
};
pub use stop_words::{is_stop_word, STOP_WORDS};
pub use tfidf::Tfidf;
pub use vocabulary::{tokens, Vocabulary, VocabularyConfig, PAD, UNKNOWN};
