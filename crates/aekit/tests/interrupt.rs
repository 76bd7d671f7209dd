//! The trainer under an interrupt (■ in aekit's kernel), without the kernel: this test binary
//! exports `aekit_kernel_interrupted` itself (build.rs passes the linker flag), as the kernel's
//! child process does, so `aekit::kernel` finds it. Its own binary: here every run is "in the
//! kernel".

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use aekit::prelude::*;
use aekit::train::StopWhen;
use aekit::Error;

static INTERRUPT: AtomicBool = AtomicBool::new(false);
/// The flag and libtorch's seed are global: one test at a time.
static SERIAL: Mutex<()> = Mutex::new(());

#[no_mangle]
pub extern "C" fn aekit_kernel_interrupted() -> bool {
    INTERRUPT.load(Ordering::SeqCst)
}

fn weights(model: &Autoencoder) -> Vec<(String, Tensor)> {
    let mut vars: Vec<(String, Tensor)> = model.var_store().variables().into_iter().collect();
    vars.sort_by(|a, b| a.0.cmp(&b.0));
    vars
}

fn same_weights(a: &Autoencoder, b: &Autoencoder) -> bool {
    weights(a).iter().zip(weights(b)).all(|((n, x), (m, y))| *n == m && x.equal(&y))
}

#[test]
fn an_interrupt_goes_back_to_the_last_whole_epoch_and_resume_finishes_the_run_exactly() -> Result<()> {
    let _one = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    assert!(aekit::kernel::active(), "this binary exports the kernel's flag");
    manual_seed(7);
    let data = Dataset::new(
        Tensor::rand([320, 1, 28, 28], (Kind::Float, Device::Cpu)),
        Tensor::zeros([320], (Kind::Int64, Device::Cpu)),
    )?;
    let (train, validation) = data.split(0.25, 1)?;
    let dir = tempfile::tempdir()?;
    let config = TrainConfig {
        epochs: 4,
        batch_size: 32,
        device: Some(Device::Cpu),
        verbose: false,
        checkpoints: None,
        ..Default::default()
    };
    let new_model = || {
        manual_seed(0);
        Autoencoder::new(DenseConfig::standard(8), Device::Cpu)
    };

    let mut reference = new_model()?;
    Trainer::new(&config).fit(&mut reference, &train, &validation)?;
    let mut after_one = new_model()?;
    Trainer::new(&TrainConfig { epochs: 1, ..config.clone() }).fit(&mut after_one, &train, &validation)?;

    // ■ after batch 3 of epoch 2, in a run that checkpoints every 2 epochs (epoch 1 not yet saved).
    let checkpoints = Checkpoints { every: 2, ..Checkpoints::new(dir.path()) };
    let interrupted = TrainConfig { checkpoints: Some(checkpoints.clone()), ..config.clone() };
    let press = StopWhen::batch(
        |at| {
            if (at.epoch, at.batch) == (2, 3) {
                INTERRUPT.store(true, Ordering::SeqCst);
            }
            false
        },
        "never",
    );
    let mut model = new_model()?;
    let error = Trainer::new(&interrupted).observe(press).fit(&mut model, &train, &validation).unwrap_err();
    INTERRUPT.store(false, Ordering::SeqCst);
    match &error {
        Error::Interrupted { epoch: 1, checkpoint: Some(file) } => assert!(file.is_file(), "{}", file.display()),
        other => panic!("expected Interrupted after epoch 1 with a checkpoint, got {other:?}"),
    }
    assert!(
        error
            .to_string()
            .starts_with("interrupted after epoch 1: the model holds the weights of epoch 1, checkpointed in "),
        "{error}"
    );
    assert_eq!(model.epochs_trained(), 1);
    assert!(same_weights(&model, &after_one), "the model holds epoch 1's weights");

    // The checkpoint continues as if nothing happened (Adam went back too).
    let history = Trainer::new(&interrupted).resume(&mut model, &train, &validation)?;
    assert_eq!(history.epochs.len(), 4);
    assert_eq!(model.epochs_trained(), 4);
    assert!(same_weights(&model, &reference), "resumed after the interrupt = never interrupted");
    Ok(())
}

#[test]
fn an_interrupt_in_the_first_epoch_leaves_the_model_as_it_started() -> Result<()> {
    let _one = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    manual_seed(3);
    let data = Dataset::unlabeled(Tensor::rand([96, 1, 28, 28], (Kind::Float, Device::Cpu)))?;
    let config = TrainConfig {
        epochs: 3,
        batch_size: 16,
        device: Some(Device::Cpu),
        verbose: false,
        checkpoints: None,
        ..Default::default()
    };
    manual_seed(0);
    let fresh = Autoencoder::new(DenseConfig::standard(4), Device::Cpu)?;
    manual_seed(0);
    let mut model = Autoencoder::new(DenseConfig::standard(4), Device::Cpu)?;
    let press = StopWhen::batch(
        |at| {
            INTERRUPT.store(at.batch == 2, Ordering::SeqCst);
            false
        },
        "never",
    );
    let error = Trainer::new(&config).observe(press).fit(&mut model, &data, &data).unwrap_err();
    INTERRUPT.store(false, Ordering::SeqCst);
    assert!(matches!(error, Error::Interrupted { epoch: 0, checkpoint: None }), "{error:?}");
    assert_eq!(error.to_string(), "interrupted during epoch 1: the model is as it was before training");
    assert!(same_weights(&model, &fresh));
    Ok(())
}
