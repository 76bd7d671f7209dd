//! The connection file Jupyter writes for a kernel: where to bind, and the signing key.

use std::path::Path;

use anyhow::{Context, Result};
use serde_json::Value;

pub struct Connection {
    pub transport: String,
    pub ip: String,
    pub shell_port: u16,
    pub iopub_port: u16,
    pub stdin_port: u16,
    pub control_port: u16,
    pub hb_port: u16,
    pub key: String,
    pub signature_scheme: String,
}

impl Connection {
    pub fn read(path: &Path) -> Result<Connection> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading the connection file {}", path.display()))?;
        let v: Value = serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))?;
        let port = |name: &str| -> Result<u16> {
            let p = v[name].as_u64().with_context(|| format!("{}: no {name}", path.display()))?;
            u16::try_from(p).with_context(|| format!("{}: {name} {p} is not a port", path.display()))
        };
        let text = |name: &str, default: &str| v[name].as_str().unwrap_or(default).to_string();
        Ok(Connection {
            transport: text("transport", "tcp"),
            ip: text("ip", "127.0.0.1"),
            shell_port: port("shell_port")?,
            iopub_port: port("iopub_port")?,
            stdin_port: port("stdin_port")?,
            control_port: port("control_port")?,
            hb_port: port("hb_port")?,
            key: text("key", ""),
            signature_scheme: text("signature_scheme", "hmac-sha256"),
        })
    }

    /// The endpoint of one port, on the file's IP only (127.0.0.1 from JupyterLab).
    pub fn endpoint(&self, port: u16) -> String {
        format!("{}://{}:{}", self.transport, self.ip, port)
    }
}
