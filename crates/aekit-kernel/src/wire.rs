//! Jupyter's wire format: a message's frames, signed with the connection file's key.
//!
//! Frames: the routing identities, `<IDS|MSG>`, the signature, then header, parent header,
//! metadata and content (JSON), then binary buffers. The signature is HMAC-SHA256 over the
//! four JSON frames, in hex; a message whose signature is missing or wrong is refused.

use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{bail, ensure, Result};
use bytes::Bytes;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

const DELIMITER: &[u8] = b"<IDS|MSG>";
const PROTOCOL_VERSION: &str = "5.3";

/// The connection file's key; an empty key means messages are not signed (the protocol
/// allows it; JupyterLab always sets one).
#[derive(Clone)]
pub struct Key(Option<Hmac<Sha256>>);

impl Key {
    pub fn new(key: &str, scheme: &str) -> Result<Key> {
        if key.is_empty() {
            return Ok(Key(None));
        }
        ensure!(scheme == "hmac-sha256", "signature_scheme {scheme:?} is not supported (only hmac-sha256)");
        Ok(Key(Some(Hmac::new_from_slice(key.as_bytes())?)))
    }

    fn sign(&self, parts: &[Bytes]) -> String {
        match &self.0 {
            None => String::new(),
            Some(mac) => {
                let mut mac = mac.clone();
                parts.iter().for_each(|p| mac.update(p));
                hex::encode(mac.finalize().into_bytes())
            }
        }
    }

    fn verify(&self, signature: &[u8], parts: &[Bytes]) -> Result<()> {
        let Some(mac) = &self.0 else { return Ok(()) };
        let mut mac = mac.clone();
        parts.iter().for_each(|p| mac.update(p));
        let given = hex::decode(signature).unwrap_or_default();
        if given.is_empty() {
            bail!("the message has no signature");
        }
        mac.verify_slice(&given).map_err(|_| anyhow::anyhow!("the message's signature is wrong"))
    }
}

/// One message, decoded.
#[derive(Clone, Debug)]
pub struct Message {
    pub identities: Vec<Bytes>,
    pub header: Value,
    pub parent_header: Value,
    pub metadata: Value,
    pub content: Value,
    pub buffers: Vec<Bytes>,
}

impl Message {
    /// Decodes and verifies received frames.
    pub fn decode(frames: Vec<Bytes>, key: &Key) -> Result<Message> {
        let Some(at) = frames.iter().position(|f| &f[..] == DELIMITER) else { bail!("no <IDS|MSG> delimiter") };
        ensure!(frames.len() >= at + 6, "{} frames after the delimiter, expected at least 5", frames.len() - at - 1);
        key.verify(&frames[at + 1], &frames[at + 2..at + 6])?;
        let json = |i: usize| -> Result<Value> { Ok(serde_json::from_slice(&frames[at + 2 + i])?) };
        Ok(Message {
            identities: frames[..at].to_vec(),
            header: json(0)?,
            parent_header: json(1)?,
            metadata: json(2)?,
            content: json(3)?,
            buffers: frames[at + 6..].to_vec(),
        })
    }

    /// The frames to send, signed.
    pub fn encode(&self, key: &Key) -> Vec<Bytes> {
        let parts: Vec<Bytes> = [&self.header, &self.parent_header, &self.metadata, &self.content]
            .iter()
            .map(|v| Bytes::from(serde_json::to_vec(v).expect("JSON values serialise")))
            .collect();
        let mut frames = self.identities.clone();
        frames.push(Bytes::from_static(DELIMITER));
        frames.push(Bytes::from(key.sign(&parts)));
        frames.extend(parts);
        frames.extend(self.buffers.iter().cloned());
        frames
    }

    pub fn msg_type(&self) -> &str {
        self.header["msg_type"].as_str().unwrap_or("")
    }

    /// A new message answering or reporting on `parent` (its header), to the same peer.
    pub fn child_of(parent: &Value, identities: Vec<Bytes>, session: &str, msg_type: &str, content: Value) -> Message {
        Message {
            identities,
            header: header(session, msg_type),
            parent_header: parent.clone(),
            metadata: json!({}),
            content,
            buffers: Vec::new(),
        }
    }

    /// The reply to this request (`<type>_reply`), to the peer that sent it.
    pub fn reply(&self, session: &str, content: Value) -> Message {
        let reply_type = self.msg_type().replace("_request", "_reply");
        Message::child_of(&self.header, self.identities.clone(), session, &reply_type, content)
    }
}

fn header(session: &str, msg_type: &str) -> Value {
    json!({
        "msg_id": new_id(),
        "session": session,
        "username": "kernel",
        "date": now_iso8601(),
        "msg_type": msg_type,
        "version": PROTOCOL_VERSION,
    })
}

/// A random UUID-shaped id (from the OS's random source).
pub fn new_id() -> String {
    let mut bytes = [0u8; 16];
    if let Ok(mut f) = std::fs::File::open("/dev/urandom") {
        use std::io::Read;
        let _ = f.read_exact(&mut bytes);
    }
    let h = hex::encode(bytes);
    format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..])
}

/// UTC now as ISO 8601 with microseconds, as Jupyter writes dates.
pub fn now_iso8601() -> String {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    let (secs, micros) = (now.as_secs() as i64, now.subsec_micros());
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{micros:06}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(key: &Key) -> Vec<Bytes> {
        let m = Message {
            identities: vec![Bytes::from_static(b"peer")],
            header: header("s", "execute_request"),
            parent_header: json!({}),
            metadata: json!({}),
            content: json!({"code": "1"}),
            buffers: vec![],
        };
        m.encode(key)
    }

    #[test]
    fn signed_messages_round_trip_and_tampering_is_refused() {
        let key = Key::new("secret", "hmac-sha256").unwrap();
        let frames = request(&key);
        let m = Message::decode(frames.clone(), &key).unwrap();
        assert_eq!(m.msg_type(), "execute_request");
        assert_eq!(m.identities, vec![Bytes::from_static(b"peer")]);

        let mut tampered = frames.clone();
        tampered[5] = Bytes::from_static(br#"{"code": "2"}"#);
        assert!(Message::decode(tampered, &key).is_err());
        let mut unsigned = frames;
        unsigned[2] = Bytes::new();
        assert!(Message::decode(unsigned, &key).unwrap_err().to_string().contains("no signature"));
        let other = Key::new("other", "hmac-sha256").unwrap();
        assert!(Message::decode(request(&other), &key).is_err());
    }

    #[test]
    fn dates_are_iso8601() {
        let d = now_iso8601();
        assert_eq!(d.len(), 27, "{d}");
        assert!(d.starts_with("20") && d.ends_with('Z') && &d[10..11] == "T", "{d}");
    }
}
