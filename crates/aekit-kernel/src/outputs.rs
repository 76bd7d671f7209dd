//! The child's output, passed to the notebook as it is printed.
//!
//! The engine hands over, line by line, what the child prints that is not its own protocol.
//! Plain lines become `stream` messages. A stdout line `AEKIT_KERNEL {json}` is a message of
//! the kernel's live-output protocol, `{"msg_type": ..., "content": ...}`, with `msg_type` one
//! of `display_data`, `update_display_data` (content with `transient.display_id`) or
//! `clear_output`: it is published at once, as the running cell's. aekit writes these for its
//! displays and its live training panel.

use std::sync::{Arc, Mutex};

use crossbeam_channel::{Receiver, Select, TryRecvError};
use serde_json::{json, Value};

use crate::interrupt::Activity;
use crate::iopub::Iopub;
use crate::runtime::RUNNING_MARKER;

const PREFIX: &str = "AEKIT_KERNEL ";
const LIVE_TYPES: [&str; 3] = ["display_data", "update_display_data", "clear_output"];

/// Forwards the engine's output channels; [`Outputs::flush`] waits until everything printed so
/// far is published.
#[derive(Clone)]
pub struct Outputs {
    stdout: Receiver<String>,
    stderr: Receiver<String>,
    lock: Arc<Mutex<()>>,
    iopub: Iopub,
    activity: Arc<Activity>,
}

impl Outputs {
    pub fn start(stdout: Receiver<String>, stderr: Receiver<String>, iopub: Iopub, activity: Arc<Activity>) -> Outputs {
        let outputs = Outputs { stdout, stderr, lock: Arc::default(), iopub, activity };
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

    /// Publishes what the engine passed on so far.
    pub fn flush(&self) {
        self.drain();
    }

    /// Publishes what is waiting; false once both channels are closed.
    fn drain(&self) -> bool {
        let _guard = self.lock.lock().unwrap();
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
    use super::live_message;

    #[test]
    fn only_display_messages_pass() {
        let (t, c) =
            live_message(r#"{"msg_type": "display_data", "content": {"data": {"text/plain": "hi"}}}"#).unwrap();
        assert_eq!((t.as_str(), c["data"]["text/plain"].as_str()), ("display_data", Some("hi")));
        assert!(live_message(r#"{"msg_type": "execute_reply", "content": {}}"#).is_none());
        assert!(live_message("not json").is_none());
    }
}
