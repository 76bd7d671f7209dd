//! The IOPub side: every status, output and display goes out through one queue, in order.

use bytes::Bytes;
use serde_json::Value;
use tokio::sync::mpsc::UnboundedSender;

use crate::wire::Message;

#[derive(Clone)]
pub struct Iopub {
    pub tx: UnboundedSender<Message>,
    pub session: String,
}

impl Iopub {
    /// Publishes `msg_type` with `content`, on behalf of the request whose header is `parent`.
    pub fn send(&self, parent: &Value, msg_type: &str, content: Value) {
        let topic = vec![Bytes::from(format!("kernel.{msg_type}"))];
        let _ = self.tx.send(Message::child_of(parent, topic, &self.session, msg_type, content));
    }

    pub fn status(&self, parent: &Value, state: &str) {
        self.send(parent, "status", serde_json::json!({ "execution_state": state }));
    }
}
