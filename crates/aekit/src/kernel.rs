//! Talking to aekit's Jupyter kernel, "Rust (libtorch)" (`crates/aekit-kernel`), from inside a
//! cell: displays that reach the notebook while the cell runs, a display replaced in place, and
//! the interrupt (■) request. Outside that kernel (a program, the CLI, other kernels) there is
//! no kernel: [`active`] is false, displays fall back to evcxr's end-of-cell blocks and
//! [`interrupted`] is always false.
//!
//! The kernel's child process exports `aekit_kernel_interrupted`, found here with `dlsym`; a
//! live display is one stdout line, `AEKIT_KERNEL {"msg_type": ..., "content": ...}`, which the
//! kernel publishes at once as the running cell's `display_data`, `update_display_data` or
//! `clear_output`.
//!
//! ```no_run
//! use aekit::display::Content;
//! use aekit::kernel::LiveDisplay;
//! let status = LiveDisplay::show(&[Content::Text("step 1 of 3".into())]);
//! for step in 2..=3 {
//!     if aekit::kernel::interrupted() {
//!         break; // ■ was pressed: stop here, keeping everything this cell made
//!     }
//!     status.update(&[Content::Text(format!("step {step} of 3"))]);
//! }
//! ```

use std::ffi::{c_char, c_void};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

use serde_json::{json, Map, Value};

use crate::display::Content;

extern "C" {
    fn dlsym(handle: *mut c_void, symbol: *const c_char) -> *mut c_void;
}

type Flag = extern "C" fn() -> bool;

/// The kernel's interrupt flag, when this process is its child.
fn flag() -> Option<Flag> {
    static FLAG: OnceLock<Option<Flag>> = OnceLock::new();
    *FLAG.get_or_init(|| {
        // SAFETY: dlsym with RTLD_DEFAULT (null) and a C string; the symbol, when there, is the
        // kernel's `extern "C" fn() -> bool`, alive for the whole process.
        let symbol = unsafe { dlsym(std::ptr::null_mut(), c"aekit_kernel_interrupted".as_ptr()) };
        (!symbol.is_null()).then(|| unsafe { std::mem::transmute::<*mut c_void, Flag>(symbol) })
    })
}

/// Whether this code runs in a cell of aekit's kernel.
pub fn active() -> bool {
    flag().is_some()
}

/// Whether the kernel asked the running cell to stop (■). Long loops of your own can check
/// it and return early; the trainer checks it after every batch.
pub fn interrupted() -> bool {
    flag().is_some_and(|f| f())
}

/// Shows `contents` (one per MIME type: e.g. text and HTML) in the notebook now. Returns false
/// outside the kernel, where nothing is sent.
pub fn display(contents: &[Content]) -> bool {
    send("display_data", json!({ "data": bundle(contents), "metadata": {} }))
}

/// Clears the cell's output; `wait`: when the next output arrives (no flicker).
pub fn clear_output(wait: bool) -> bool {
    send("clear_output", json!({ "wait": wait }))
}

/// A display that later updates replace in place (`display_data` with a `display_id`, then
/// `update_display_data`). Outside the kernel, nothing is shown.
#[derive(Debug)]
pub struct LiveDisplay {
    id: String,
}

impl LiveDisplay {
    /// Shows `contents` and keeps the spot.
    pub fn show(contents: &[Content]) -> LiveDisplay {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let id = format!("aekit-{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
        send("display_data", json!({ "data": bundle(contents), "metadata": {}, "transient": { "display_id": id } }));
        LiveDisplay { id }
    }

    /// Replaces what the display shows.
    pub fn update(&self, contents: &[Content]) {
        send("update_display_data", json!({ "data": bundle(contents), "metadata": {}, "transient": { "display_id": self.id } }));
    }

    /// Its display id.
    pub fn id(&self) -> &str {
        &self.id
    }
}

/// A MIME bundle: each content under its type (PNG in base64).
fn bundle(contents: &[Content]) -> Value {
    let mut data = Map::new();
    for c in contents {
        data.insert(c.mime().to_string(), Value::String(c.payload()));
    }
    Value::Object(data)
}

fn send(msg_type: &str, content: Value) -> bool {
    if !active() {
        return false;
    }
    println!("AEKIT_KERNEL {}", json!({ "msg_type": msg_type, "content": content }));
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outside_the_kernel_nothing_is_sent() {
        assert!(!active());
        assert!(!interrupted());
        assert!(!display(&[Content::Text("hi".into())]));
    }

    #[test]
    fn bundles_hold_one_payload_per_type() {
        let b = bundle(&[Content::Text("t".into()), Content::Png(vec![1, 2, 3]), Content::Html("<b>h</b>".into())]);
        assert_eq!(b, json!({ "text/plain": "t", "image/png": "AQID", "text/html": "<b>h</b>" }));
    }
}
