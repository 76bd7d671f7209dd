//! The live training panel, the trainer's default observer in aekit's kernel: one display
//! that shows where the run is (epoch and batch, time left) and the loss curve redrawn after
//! each epoch, replaced in place as the run goes, and that becomes the final history (table
//! and curve) when it ends.

use std::time::Instant;

use super::observer::{end_notes, BatchDone, Flow, Observer, Start};
use super::{Epoch, History};
use crate::display::{escape, Content, LiveDisplay, Show};
use crate::plot::loss_curve;

/// Seconds between two batch updates (epoch ends always update).
const EVERY: f64 = 0.5;

/// The panel: `Trainer::new(&config).observe(LivePanel::default())`, chosen for you in the
/// kernel when `config.verbose`.
#[derive(Debug, Default)]
pub struct LivePanel {
    display: Option<LiveDisplay>,
    header: String,
    started: Option<Instant>,
    last_update: Option<Instant>,
    history: History,
    batches_before: usize,
}

impl LivePanel {
    fn show(&mut self, progress: &str) {
        let mut text = format!("{}\n{progress}", self.header);
        if let Some(e) = self.history.last() {
            text.push('\n');
            text.push_str(&e.line(self.history.epochs.len().max(e.epoch)));
        }
        let chart = loss_curve(&self.history, "loss").ok().map(|f| f.content());
        let mut html = format!("<pre style=\"margin:0\">{}</pre>", escape(&text));
        if let Some(Content::Svg(svg)) = &chart {
            html.push_str(svg);
        }
        self.put(&[Content::Text(text), Content::Html(html)]);
        self.last_update = Some(Instant::now());
    }

    /// Shows `contents` in the panel's spot (made on first use).
    fn put(&mut self, contents: &[Content]) {
        match &self.display {
            Some(d) => d.update(contents),
            None => self.display = Some(LiveDisplay::show(contents)),
        }
    }
}

impl Observer for LivePanel {
    fn start(&mut self, run: &Start) {
        let mut header = String::new();
        if let Some((epochs, file)) = &run.resumed {
            header.push_str(&format!("resuming after epoch {epochs} from {}\n", file.display()));
            self.batches_before = epochs * run.batches;
        }
        header.push_str(&run.describe());
        if let Some((dir, every)) = &run.checkpoints {
            header.push_str(&format!("\ncheckpoints every {every} epoch(s) in {}", dir.display()));
        }
        self.header = header;
        self.started = Some(Instant::now());
        let first = run.resumed.as_ref().map_or(1, |r| r.0 + 1);
        self.show(&format!("epoch {first}/{}: starting", run.epochs));
    }

    fn batch(&mut self, at: &BatchDone) -> Flow {
        let due = self.last_update.is_none_or(|t| t.elapsed().as_secs_f64() >= EVERY);
        if due && at.batch < at.batches {
            let done = (at.epoch - 1) * at.batches + at.batch - self.batches_before;
            let left = at.epochs * at.batches - (at.epoch - 1) * at.batches - at.batch;
            let elapsed = self.started.map_or(0.0, |t| t.elapsed().as_secs_f64());
            let eta = elapsed / done.max(1) as f64 * left as f64;
            self.show(&format!(
                "epoch {}/{} · batch {}/{} · about {} left",
                at.epoch,
                at.epochs,
                at.batch,
                at.batches,
                duration(eta)
            ));
        }
        Flow::Continue(())
    }

    fn epoch(&mut self, epoch: &Epoch, epochs: usize) -> Flow {
        self.history.epochs.push(epoch.clone());
        let state = if epoch.epoch < epochs { "done" } else { "done, last" };
        self.show(&format!("epoch {}/{epochs}: {state}", epoch.epoch));
        Flow::Continue(())
    }

    fn end(&mut self, history: &History) {
        let notes = end_notes(history);
        let text = format!("{}\n{history}{}", self.header, notes.iter().map(|n| format!("\n{n}")).collect::<String>());
        let mut html = format!("<pre style=\"margin:0\">{}</pre>", escape(&self.header));
        if let Content::Html(table) = history.content() {
            html.push_str(&table);
        }
        if let Ok(Content::Svg(svg)) = loss_curve(history, "loss").map(|f| f.content()) {
            html.push_str(&svg);
        }
        if !notes.is_empty() {
            html.push_str(&format!("<pre style=\"margin:0\">{}</pre>", escape(&notes.join("\n"))));
        }
        self.put(&[Content::Text(text), Content::Html(html)]);
    }
}

fn duration(seconds: f64) -> String {
    let s = seconds.round() as u64;
    match s {
        0..=59 => format!("{s} s"),
        60..=3599 => format!("{} min {} s", s / 60, s % 60),
        _ => format!("{} h {} min", s / 3600, s % 3600 / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::duration;

    #[test]
    fn durations_read_well() {
        assert_eq!(duration(4.4), "4 s");
        assert_eq!(duration(125.0), "2 min 5 s");
        assert_eq!(duration(7300.0), "2 h 1 min");
    }
}
