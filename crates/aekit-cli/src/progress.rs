//! The progress bar: a training observer that draws the batches of the epoch in progress and
//! prints the library's own line for each finished epoch.

use aekit::train::{BatchDone, Epoch, Flow, History, Observer, Start};
use indicatif::{ProgressBar, ProgressStyle};

pub struct Bar(ProgressBar);

impl Bar {
    /// A bar on stderr, or `None` where it cannot be drawn (a pipe, a log, `TERM=dumb`).
    pub fn if_terminal() -> Option<Bar> {
        use std::io::IsTerminal;
        if !std::io::stderr().is_terminal() {
            return None;
        }
        let style = ProgressStyle::with_template("{msg:>12} [{bar:40}] {pos}/{len} batches, {elapsed} (eta {eta})")
            .ok()?
            .progress_chars("=> ");
        Some(Bar(ProgressBar::new(0).with_style(style))).filter(|bar| !bar.0.is_hidden())
    }
}

impl Observer for Bar {
    fn start(&mut self, run: &Start) {
        self.0.set_length(run.batches as u64);
        self.0.println(format!(
            "training on {:?}: {} images, {} epochs of batch {}",
            run.device, run.train_images, run.epochs, run.batch_size
        ));
        if let Some((epochs, file)) = &run.resumed {
            self.0.println(format!("resuming after epoch {epochs} from {}", file.display()));
        }
    }

    fn batch(&mut self, at: &BatchDone) -> Flow {
        self.0.set_position(at.batch as u64);
        self.0.set_message(format!("epoch {}/{}", at.epoch, at.epochs));
        Flow::Continue(())
    }

    fn epoch(&mut self, epoch: &Epoch, epochs: usize) -> Flow {
        self.0.println(epoch.line(epochs));
        Flow::Continue(())
    }

    fn end(&mut self, _: &History) {
        self.0.finish_and_clear();
    }
}
