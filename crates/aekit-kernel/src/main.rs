//! aekit-kernel: the Jupyter kernel "Rust (libtorch)" on the evcxr engine.
//!
//! `aekit-kernel --connection-file FILE [--aekit DIR] [--features a,b]`: answers Jupyter at once
//! and loads the engine, aekit (from DIR, with those features) and its prelude in the background.
//! The same binary is the engine's child process (see `runtime`) and its rustc wrapper.

mod build_folder;
mod connection;
mod deps;
mod engine;
mod history;
mod interrupt;
mod iopub;
mod is_complete;
mod outputs;
mod runtime;
mod server;
mod trace;
mod wire;

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{bail, Context, Result};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const USAGE: &str = "usage: aekit-kernel --connection-file FILE [--aekit DIR] [--features a,b]";

fn main() -> Result<()> {
    runtime::run_if_child();
    evcxr::runtime_hook();
    let started = Instant::now();
    let mut args = std::env::args().skip(1);
    let (mut connection, mut aekit, mut features) = (None, None, Vec::new());
    while let Some(arg) = args.next() {
        let mut value = || args.next().with_context(|| format!("{arg} needs a value; {USAGE}"));
        match arg.as_str() {
            "--connection-file" | "--control_file" => connection = Some(PathBuf::from(value()?)),
            "--aekit" => aekit = Some(PathBuf::from(value()?)),
            "--features" => features = value()?.split(',').filter(|f| !f.is_empty()).map(str::to_string).collect(),
            "--help" | "-h" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => bail!("unknown argument {other:?}; {USAGE}"),
        }
    }
    let Some(path) = connection else { bail!("{USAGE}") };
    let connection = connection::Connection::read(&path)?;
    let _build_folder = build_folder::claim();
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    runtime.block_on(server::serve(connection, engine::Setup { aekit, features }, started))
}
