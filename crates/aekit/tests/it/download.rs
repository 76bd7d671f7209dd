//! The download code against a loopback HTTP server that serves files the test makes.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::time::Duration;

use aekit::data::download::Fetch;
use aekit::data::FILES;
use aekit::Error;

use crate::common::{gzip, real, synthetic};

/// What the server does for a path.
#[derive(Clone)]
enum Reply {
    Ok(Vec<u8>),
    Status(u16),
    /// Claims `Content-Length` bytes but sends only the first half, then closes.
    Truncated(Vec<u8>),
    /// Accepts and never answers.
    Hang,
}

/// Serves `routes` on 127.0.0.1 from a background thread; returns the base URL.
fn serve(routes: HashMap<String, Reply>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/files", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().take(16) {
            let Ok(mut stream) = stream else { continue };
            let mut line = String::new();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            reader.read_line(&mut line).unwrap_or(0);
            while reader.read_line(&mut String::new()).map(|n| n > 2).unwrap_or(false) {}
            let path = line.split_whitespace().nth(1).unwrap_or("").to_string();
            let reply = routes.get(&path).cloned().unwrap_or(Reply::Status(404));
            let _ = match reply {
                Reply::Ok(body) => write!(stream, "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", body.len())
                    .and_then(|_| stream.write_all(&body)),
                Reply::Status(code) => write!(stream, "HTTP/1.1 {code} Oops\r\nContent-Length: 0\r\n\r\n"),
                Reply::Truncated(body) => write!(stream, "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", body.len())
                    .and_then(|_| stream.write_all(&body[..body.len() / 2])),
                Reply::Hang => {
                    std::thread::sleep(Duration::from_secs(5));
                    Ok(())
                }
            };
        }
    });
    url
}

fn fetch(url: String) -> Fetch {
    Fetch { mirror: url, timeout: Duration::from_secs(2), verbose: false }
}

/// The real files' compressed bytes, as a mirror would serve them.
fn real_routes() -> HashMap<String, Reply> {
    let dir = real().dir;
    FILES
        .iter()
        .map(|f| {
            let gz = dir.join(format!("{}.gz", f.name));
            let bytes =
                if gz.exists() { std::fs::read(gz).unwrap() } else { gzip(&std::fs::read(dir.join(f.name)).unwrap()) };
            (format!("/files/{}.gz", f.name), Reply::Ok(bytes))
        })
        .collect()
}

fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|d| d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default()
}

#[test]
fn downloads_verifies_and_keeps_the_four_files() {
    let dest = crate::common::tempdir();
    let paths = fetch(serve(real_routes())).run(dest.path()).unwrap();
    assert_eq!(paths.len(), 4);
    let data = aekit::data::FashionMnist::from_dir(dest.path()).unwrap();
    assert_eq!(data.test.len(), 10_000);
    assert_eq!(leftovers(dest.path()).len(), 4, "no temporary files left: {:?}", leftovers(dest.path()));
    // A second run finds the files verified and fetches nothing (the server is gone: routes empty).
    fetch(serve(HashMap::new())).run(dest.path()).unwrap();
}

fn failing(reply: Reply) -> (String, Vec<String>) {
    let mut routes = real_routes();
    routes.insert(format!("/files/{}.gz", FILES[0].name), reply);
    let dest = crate::common::tempdir();
    let err = fetch(serve(routes)).run(dest.path()).unwrap_err();
    assert!(matches!(err, Error::Download { .. }), "{err:?}");
    (err.to_string(), leftovers(dest.path()))
}

#[test]
fn http_errors_bad_bodies_and_silence_fail_cleanly() {
    let (wrong_images, _) = synthetic(3);
    let cases = [
        (Reply::Status(404), "404"),
        (Reply::Status(500), "500"),
        (Reply::Truncated(gzip(&wrong_images)), "bytes"),
        (Reply::Ok(gzip(&wrong_images)), "SHA-256"),
        (Reply::Hang, "timed out"),
    ];
    for (reply, want) in cases {
        let (err, left) = failing(reply);
        assert!(err.contains(want) && err.contains(FILES[0].name), "want {want:?} in: {err}");
        assert!(left.is_empty(), "nothing half-written may stay: {left:?}");
    }
}

#[test]
fn plain_http_is_refused_except_on_loopback() {
    let dest = crate::common::tempdir();
    let err = fetch("http://example.com/data".into()).run(dest.path()).unwrap_err().to_string();
    assert!(err.contains("only https://"), "{err}");
}
