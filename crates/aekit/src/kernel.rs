//! Talking to aekit's Jupyter kernel, "Rust (libtorch)" (`crates/aekit-kernel`), from inside a
//! cell: whether this code runs there, the interrupt (■) request, and the live-output line that
//! displays travel by ([`crate::display::display`], [`crate::display::LiveDisplay`]). Outside that
//! kernel (a program, the CLI, other kernels) [`active`] is false, nothing is sent and
//! [`interrupted`] is always false.
//!
//! The kernel's child process exports `aekit_kernel_interrupted`, found here with `dlsym`; a
//! message is one stdout line, `AEKIT_KERNEL {"msg_type": ..., "content": ...}`, which the
//! kernel publishes at once as the running cell's `display_data`, `update_display_data` or
//! `clear_output`.
//!
//! ```no_run
//! let mut done = 0;
//! while done < 1_000_000 {
//!     if aekit::kernel::interrupted() {
//!         break; // ■ was pressed: stop here, keeping everything this cell made
//!     }
//!     done += 1;
//! }
//! ```

use std::ffi::{c_char, c_void};
use std::sync::OnceLock;

use serde_json::{json, Value};

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

/// Clears the cell's output; `wait`: when the next output arrives (no flicker). Returns false
/// outside the kernel.
pub fn clear_output(wait: bool) -> bool {
    send("clear_output", json!({ "wait": wait }))
}

/// Sends one message of the live-output protocol; false outside the kernel.
pub(crate) fn send(msg_type: &str, content: Value) -> bool {
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
        assert!(!clear_output(false));
    }
}
