//! A notebook's `:dep aekit = { path = "../crates/aekit" }` line, against what the kernel
//! loaded at start: naming what is loaded costs nothing (the line is dropped), adding a
//! feature builds just that (the line becomes the loaded path with the union of features),
//! and any other `:dep` passes to the engine as written.

use std::path::{Path, PathBuf};

pub struct Loaded {
    /// aekit's folder, canonical.
    pub path: PathBuf,
    pub features: Vec<String>,
}

impl Loaded {
    /// The `:dep` line that loads this.
    pub fn line(&self) -> String {
        let features: Vec<String> = self.features.iter().map(|f| format!("{f:?}")).collect();
        format!(":dep aekit = {{ path = {:?}, features = [{}] }}", self.path.display().to_string(), features.join(", "))
    }

    /// The cell's code with its aekit `:dep` lines answered; paths are relative to `cwd`.
    pub fn rewrite(&mut self, code: &str, cwd: &Path) -> String {
        let mut out: Vec<String> = Vec::new();
        for line in code.lines() {
            match parse(line) {
                Some((path, features)) if cwd.join(&path).canonicalize().ok().as_ref() == Some(&self.path) => {
                    let new: Vec<String> = features.into_iter().filter(|f| !self.features.contains(f)).collect();
                    if new.is_empty() {
                        out.push(String::new());
                    } else {
                        self.features.extend(new);
                        out.push(self.line());
                    }
                }
                _ => out.push(line.to_string()),
            }
        }
        out.join("\n")
    }
}

/// `:dep aekit = { path = "...", features = ["a", "b"] }` → (path, features).
fn parse(line: &str) -> Option<(String, Vec<String>)> {
    let rest = line.trim().strip_prefix(":dep")?.trim_start();
    let rest = rest.strip_prefix("aekit")?.trim_start().strip_prefix('=')?.trim();
    let body = rest.strip_prefix('{')?.strip_suffix('}')?;
    let path = quoted_after(body, "path")?;
    let features = match body.find("features") {
        None => Vec::new(),
        Some(at) => {
            let list = &body[at..];
            let (open, close) = (list.find('[')?, list.find(']')?);
            list[open + 1..close]
                .split(',')
                .map(|f| f.trim().trim_matches('"').to_string())
                .filter(|f| !f.is_empty())
                .collect()
        }
    };
    let known = ["path", "features"];
    let keys_ok = body.split(',').filter_map(|kv| kv.split_once('=')).all(|(k, _)| known.contains(&k.trim()));
    keys_ok.then_some((path, features))
}

fn quoted_after(body: &str, key: &str) -> Option<String> {
    let at = body.find(key)?;
    let rest = body[at + key.len()..].trim_start().strip_prefix('=')?.trim_start().strip_prefix('"')?;
    Some(rest[..rest.find('"')?].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loaded_aekit_lines_are_dropped_and_features_added() {
        let root = std::env::temp_dir().join(format!("aekit-deps-{}", std::process::id()));
        let (crate_dir, notebooks) = (root.join("crates/aekit"), root.join("notebooks"));
        std::fs::create_dir_all(&crate_dir).unwrap();
        std::fs::create_dir_all(&notebooks).unwrap();
        let mut loaded = Loaded { path: crate_dir.canonicalize().unwrap(), features: vec![] };
        let cell = ":dep aekit = { path = \"../crates/aekit\" }\nlet x = 1;";
        assert_eq!(loaded.rewrite(cell, &notebooks), "\nlet x = 1;");
        let cell = ":dep aekit = { path = \"../crates/aekit\", features = [\"polars\"] }";
        let line = loaded.rewrite(cell, &notebooks);
        assert!(line.starts_with(":dep aekit = { path = \"/") && line.ends_with("features = [\"polars\"] }"), "{line}");
        assert_eq!(loaded.rewrite(cell, &notebooks), "", "polars is loaded now");
        let other = ":dep aekit = { path = \"elsewhere/aekit\" }\n:dep rand = \"0.8\"";
        assert_eq!(loaded.rewrite(other, &notebooks), other);
        let _ = std::fs::remove_dir_all(&root);
    }
}
