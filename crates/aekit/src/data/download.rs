//! Fetches Fashion-MNIST over HTTPS (feature `download`).
//!
//! Each file goes to a temporary file beside its destination, is decompressed and checked
//! against its SHA-256, then renamed into place: an interrupted or bad download leaves nothing
//! half-written behind. Plain HTTP is accepted only for loopback addresses (tests).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::fashion_mnist::check_sha256;
use super::{idx, FILES};
use crate::{files, Error, Result};

/// The official Fashion-MNIST files, served over HTTPS.
pub const DEFAULT_MIRROR: &str = "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/";

/// Where and how to fetch.
#[derive(Debug, Clone)]
pub struct Fetch {
    /// Base URL holding `<name>.gz` for each file; `$AEKIT_MIRROR` overrides the default.
    pub mirror: String,
    /// Gives up when the server is silent this long.
    pub timeout: Duration,
    /// Print one line per file.
    pub verbose: bool,
}

impl Default for Fetch {
    fn default() -> Self {
        Fetch {
            mirror: std::env::var("AEKIT_MIRROR").unwrap_or_else(|_| DEFAULT_MIRROR.to_string()),
            timeout: Duration::from_secs(60),
            verbose: true,
        }
    }
}

impl Fetch {
    /// Downloads whichever of the four files `dir` lacks (or holds damaged), verified.
    /// Returns the paths of the four files.
    pub fn run(&self, dir: &Path) -> Result<Vec<PathBuf>> {
        check_url(&self.mirror)?;
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let agent = ureq::AgentBuilder::new().timeout_connect(self.timeout).timeout_read(self.timeout).build();
        let mut paths = Vec::new();
        for file in FILES {
            let dest = dir.join(format!("{}.gz", file.name));
            let present =
                dest.is_file() && idx::read_bytes(&dest).and_then(|b| check_sha256(&dest, &b, file.sha256)).is_ok();
            if !present {
                let url = format!("{}/{}.gz", self.mirror.trim_end_matches('/'), file.name);
                if self.verbose {
                    eprintln!("downloading {url}");
                }
                let body = get(&agent, &url)?;
                let content = idx::decompress(Path::new(&url), &body).map_err(|e| download_error(&url, e))?;
                check_sha256(Path::new(&url), &content, file.sha256).map_err(|e| download_error(&url, e))?;
                files::write_atomic(&dest, &body)?;
                if self.verbose {
                    eprintln!("  {} bytes, SHA-256 verified -> {}", body.len(), dest.display());
                }
            }
            paths.push(dest);
        }
        Ok(paths)
    }
}

fn download_error(url: &str, e: Error) -> Error {
    Error::Download { url: url.to_string(), problem: e.to_string() }
}

/// HTTPS anywhere; plain HTTP only to this machine.
fn check_url(mirror: &str) -> Result<()> {
    if mirror.starts_with("https://") {
        return Ok(());
    }
    if let Some(rest) = mirror.strip_prefix("http://") {
        let host = rest.split('/').next().unwrap_or("");
        let host = host.rsplit_once(':').map_or(host, |(h, _)| h);
        if matches!(host, "127.0.0.1" | "localhost" | "[::1]") {
            return Ok(());
        }
    }
    Err(Error::Download {
        url: mirror.to_string(),
        problem: "only https:// mirrors are accepted (plain http only for 127.0.0.1/localhost)".into(),
    })
}

fn get(agent: &ureq::Agent, url: &str) -> Result<Vec<u8>> {
    let fail = |problem: String| Error::Download { url: url.to_string(), problem };
    let response = agent.get(url).call().map_err(|e| match e {
        ureq::Error::Status(code, r) => fail(format!("server answered {code} {}", r.status_text())),
        ureq::Error::Transport(t) => fail(t.to_string()),
    })?;
    let expected: Option<usize> = response.header("Content-Length").and_then(|v| v.parse().ok());
    let mut body = Vec::new();
    response.into_reader().read_to_end(&mut body).map_err(|e| fail(format!("reading the body: {e}")))?;
    if let Some(n) = expected.filter(|&n| n != body.len()) {
        return Err(fail(format!("truncated: got {} of {n} bytes", body.len())));
    }
    Ok(body)
}
