//! Makes sure Fashion-MNIST is on this machine, verified: finds it (see
//! `FashionMnist::search_path`) or downloads it into `datasets/fashion-mnist/`.
//!
//! `cargo run --release -p aekit --features download --example fetch_data`

use aekit::data::{download::Fetch, FashionMnist};
use aekit::Error;

fn main() {
    let result = match FashionMnist::locate() {
        Ok(dir) => Ok(dir),
        Err(Error::DataNotFound { looked }) => {
            println!("Fashion-MNIST not found in:\n{looked}\nDownloading it.");
            let dir = FashionMnist::project_dir();
            Fetch::default().run(&dir).map(|_| dir)
        }
        Err(e) => Err(e),
    }
    .and_then(|dir| FashionMnist::from_dir(&dir));
    match result {
        Ok(data) => println!("{data}: checksums verified"),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
