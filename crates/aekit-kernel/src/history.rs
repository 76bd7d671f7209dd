//! `history_request`: the cells run in this kernel's life (tail, range and search).

use serde_json::{json, Value};

/// One session (this process), numbered 1; lines are execution counts.
const SESSION: u64 = 1;

#[derive(Default)]
pub struct History {
    entries: Vec<(u64, String, Option<String>)>,
}

impl History {
    pub fn record(&mut self, line: u64, code: &str, output: Option<String>) {
        self.entries.push((line, code.to_string(), output));
    }

    /// The reply's `history` list for a request's content.
    pub fn answer(&self, request: &Value) -> Value {
        let with_output = request["output"].as_bool().unwrap_or(false);
        let n = request["n"].as_u64().map(|n| n as usize);
        let picked: Vec<&(u64, String, Option<String>)> = match request["hist_access_type"].as_str() {
            Some("tail") => last(self.entries.iter().collect(), n.unwrap_or(10)),
            Some("range") => {
                let (start, stop) =
                    (request["start"].as_u64().unwrap_or(0), request["stop"].as_u64().unwrap_or(u64::MAX));
                self.entries.iter().filter(|e| e.0 >= start && e.0 < stop).collect()
            }
            Some("search") => {
                let pattern = request["pattern"].as_str().unwrap_or("*");
                let mut found: Vec<_> = self.entries.iter().filter(|e| glob(pattern, &e.1)).collect();
                if request["unique"].as_bool().unwrap_or(false) {
                    let mut seen = std::collections::HashSet::new();
                    found.reverse();
                    found.retain(|e| seen.insert(e.1.as_str()));
                    found.reverse();
                }
                match n {
                    Some(n) => last(found, n),
                    None => found,
                }
            }
            _ => Vec::new(),
        };
        Value::Array(
            picked
                .into_iter()
                .map(
                    |(line, code, output)| {
                        if with_output {
                            json!([SESSION, line, [code, output]])
                        } else {
                            json!([SESSION, line, code])
                        }
                    },
                )
                .collect(),
        )
    }
}

fn last<T>(mut v: Vec<T>, n: usize) -> Vec<T> {
    let skip = v.len().saturating_sub(n);
    v.drain(..skip);
    v
}

/// IPython's history patterns: `*` any run of characters, `?` one.
fn glob(pattern: &str, text: &str) -> bool {
    fn go(p: &[char], t: &[char]) -> bool {
        match (p.first(), t.first()) {
            (None, None) => true,
            (Some('*'), _) => go(&p[1..], t) || (!t.is_empty() && go(p, &t[1..])),
            (Some('?'), Some(_)) => go(&p[1..], &t[1..]),
            (Some(a), Some(b)) if a == b => go(&p[1..], &t[1..]),
            _ => false,
        }
    }
    go(&pattern.chars().collect::<Vec<_>>(), &text.chars().collect::<Vec<_>>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_range_and_search() {
        let mut h = History::default();
        for (i, code) in ["1 + 1", "2 * 3", "1 + 1"].iter().enumerate() {
            h.record(i as u64 + 1, code, Some("x".into()));
        }
        assert_eq!(h.answer(&json!({"hist_access_type": "tail", "n": 2})), json!([[1, 2, "2 * 3"], [1, 3, "1 + 1"]]));
        assert_eq!(h.answer(&json!({"hist_access_type": "range", "start": 2, "stop": 3})), json!([[1, 2, "2 * 3"]]));
        assert_eq!(h.answer(&json!({"hist_access_type": "search", "pattern": "1*"})).as_array().unwrap().len(), 2);
        assert_eq!(
            h.answer(&json!({"hist_access_type": "search", "pattern": "1*", "unique": true})).as_array().unwrap().len(),
            1
        );
        assert_eq!(
            h.answer(&json!({"hist_access_type": "tail", "n": 1, "output": true})),
            json!([[1, 3, ["1 + 1", "x"]]])
        );
    }
}
