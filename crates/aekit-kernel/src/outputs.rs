//! The child's output, passed to the notebook as it is printed.
//!
//! The engine hands over, line by line, what the child prints that is not its own protocol.
//! Plain lines become `stream` messages. A stdout line `AEKIT_KERNEL {json}` is a message of
//! the kernel's live-output protocol, `{"msg_type": ..., "content": ...}`, with `msg_type` one
//! of `display_data`, `update_display_data` (content with `transient.display_id`) or
//! `clear_output`: it is published at once, as the running cell's. aekit writes these for its
//! displays and its live training panel.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Select, TryRecvError};
use serde_json::{json, Value};

use crate::interrupt::Activity;
use crate::iopub::Iopub;
use crate::runtime::{DONE_MARKER, RUNNING_MARKER};

const PREFIX: &str = "AEKIT_KERNEL ";
const LIVE_TYPES: [&str; 3] = ["display_data", "update_display_data", "clear_output"];
/// How long [`Outputs::flush`] waits for a finished cell's stderr to catch up with its stdout.
const STDERR_WAIT: Duration = Duration::from_secs(5);

/// Forwards the engine's output channels; [`Outputs::flush`] waits until everything printed so
/// far is published.
#[derive(Clone)]
pub struct Outputs {
    stdout: Receiver<String>,
    stderr: Receiver<String>,
    /// The number of the last cell whose end the child's stderr reported.
    last_done: Arc<Mutex<Option<u64>>>,
    iopub: Iopub,
    activity: Arc<Activity>,
}

impl Outputs {
    pub fn start(stdout: Receiver<String>, stderr: Receiver<String>, iopub: Iopub, activity: Arc<Activity>) -> Outputs {
        let outputs = Outputs { stdout, stderr, last_done: Arc::default(), iopub, activity };
        let forwarder = outputs.clone();
        std::thread::spawn(move || forwarder.forward_forever());
        outputs
    }

    fn forward_forever(&self) {
        loop {
            let mut select = Select::new();
            select.recv(&self.stdout);
            select.recv(&self.stderr);
            select.ready();
            if !self.drain() {
                return;
            }
        }
    }

    /// Publishes what the engine passed on so far; when the engine returns from running the
    /// child's cell number `cell`, also all that the cell printed on stderr (waiting up to
    /// [`STDERR_WAIT`] for the cell's [`DONE_MARKER`] there).
    pub fn flush(&self, cell: Option<u64>) {
        let deadline = Instant::now() + STDERR_WAIT;
        while self.drain() && cell.is_some() && *self.last_done.lock().unwrap() != cell && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    /// Publishes what is waiting; false once both channels are closed.
    fn drain(&self) -> bool {
        let mut last_done = self.last_done.lock().unwrap();
        let (out, err) = (take(&self.stdout), take(&self.stderr));
        let parent = self.activity.parent();
        let mut text = String::new();
        for line in out.lines {
            match line.strip_prefix(PREFIX).and_then(live_message) {
                Some((msg_type, content)) => {
                    self.stream(&parent, "stdout", &mut text);
                    match &parent {
                        Some(p) => self.iopub.send(p, &msg_type, content),
                        None => eprintln!("aekit-kernel: a {msg_type} outside any cell, dropped"),
                    }
                }
                None => {
                    text.push_str(&line);
                    text.push('\n');
                }
            }
        }
        self.stream(&parent, "stdout", &mut text);
        for line in err.lines {
            if line == RUNNING_MARKER {
                self.activity.mark_running();
            } else if let Some(cell) = line.strip_prefix(DONE_MARKER).and_then(|n| n.parse().ok()) {
                *last_done = Some(cell);
            } else {
                text.push_str(&line);
                text.push('\n');
            }
        }
        self.stream(&parent, "stderr", &mut text);
        out.open || err.open
    }

    fn stream(&self, parent: &Option<Value>, name: &str, text: &mut String) {
        if text.is_empty() {
            return;
        }
        match parent {
            Some(p) => self.iopub.send(p, "stream", json!({ "name": name, "text": std::mem::take(text) })),
            None => eprint!("aekit-kernel: engine {name}: {}", std::mem::take(text)),
        }
    }
}

struct Taken {
    lines: Vec<String>,
    open: bool,
}

fn take(rx: &Receiver<String>) -> Taken {
    let mut lines = Vec::new();
    loop {
        match rx.try_recv() {
            Ok(line) => lines.push(line),
            Err(TryRecvError::Empty) => return Taken { lines, open: true },
            Err(TryRecvError::Disconnected) => return Taken { lines, open: false },
        }
    }
}

/// A live-output line's message, if it is one the protocol allows.
fn live_message(json: &str) -> Option<(String, Value)> {
    let v: Value = serde_json::from_str(json).ok()?;
    let msg_type = v["msg_type"].as_str()?;
    LIVE_TYPES.contains(&msg_type).then(|| (msg_type.to_string(), v["content"].clone()))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use serde_json::json;

    use super::{live_message, Outputs, DONE_MARKER};
    use crate::interrupt::Activity;
    use crate::iopub::Iopub;

    /// The engine returns once the child's stdout says the cell is done; its stderr, read by
    /// another thread, may come later. `flush` must publish it before the cell ends.
    #[test]
    fn a_cells_late_stderr_is_published_before_it_ends() {
        let (out_tx, out_rx) = crossbeam_channel::unbounded();
        let (err_tx, err_rx) = crossbeam_channel::unbounded();
        let (tx, mut published) = tokio::sync::mpsc::unbounded_channel();
        let activity = Arc::new(Activity::default());
        let outputs = Outputs::start(out_rx, err_rx, Iopub { tx, session: "s".into() }, Arc::clone(&activity));
        activity.begin(json!({"msg_id": "cell"}));
        out_tx.send("to stdout".into()).unwrap();
        let late = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            err_tx.send("to stderr".into()).unwrap();
            err_tx.send(format!("{DONE_MARKER}1")).unwrap();
            err_tx
        });
        outputs.flush(Some(1));
        activity.end();
        let mut streams = Vec::new();
        while let Ok(m) = published.try_recv() {
            streams.push((
                m.content["name"].as_str().unwrap().to_string(),
                m.content["text"].as_str().unwrap().to_string(),
            ));
        }
        let expected =
            [("stdout", "to stdout\n"), ("stderr", "to stderr\n")].map(|(n, t)| (n.to_string(), t.to_string()));
        assert_eq!(streams, expected);
        drop(late.join());
    }

    #[test]
    fn only_display_messages_pass() {
        let (t, c) =
            live_message(r#"{"msg_type": "display_data", "content": {"data": {"text/plain": "hi"}}}"#).unwrap();
        assert_eq!((t.as_str(), c["data"]["text/plain"].as_str()), ("display_data", Some("hi")));
        assert!(live_message(r#"{"msg_type": "execute_reply", "content": {}}"#).is_none());
        assert!(live_message("not json").is_none());
    }
}
