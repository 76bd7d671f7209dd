//! The child process: the engine re-executes this binary to hold the notebook's variables and
//! run each compiled cell. It speaks the engine's line protocol (evcxr 0.22's runtime:
//! `LOAD_AND_RUN <library> <function>` on stdin, `EVCXR_EXECUTION_COMPLETE` on stdout), and adds
//! what evcxr's own runtime lacks: SIGINT no longer kills it. While a cell runs, SIGINT only
//! records a request, which aekit's trainer reads at its next batch through
//! [`aekit_kernel_interrupted`]; a request is cleared when the next cell starts.

use std::ffi::{c_int, c_void, CString};
use std::io::{BufRead, Write};
use std::sync::atomic::{AtomicBool, Ordering};

/// The marker the child writes on stderr when a cell starts running (the kernel reads it to
/// tell "running" from "compiling" when an interrupt comes).
pub const RUNNING_MARKER: &str = "AEKIT_KERNEL_CELL_RUNNING";
/// The marker the child writes on stderr, with the cell's number, when a cell's code has
/// returned; it then gives the number to the engine as the content of [`DONE_MIME`] (which the
/// engine reads to its end before it returns). stderr is read by another thread: the kernel
/// waits for the marker so that what a cell printed there is published before the cell's idle,
/// not after it (evcxr/evcxr#353).
pub const DONE_MARKER: &str = "AEKIT_KERNEL_CELL_DONE ";
/// See [`DONE_MARKER`]; its content is the cell's number and `;` (contents of one MIME type in
/// one execution are concatenated).
pub const DONE_MIME: &str = "application/x.aekit-cell-done";
const IS_RUNTIME: &str = "EVCXR_IS_RUNTIME";
const EXECUTION_COMPLETE: &str = "EVCXR_EXECUTION_COMPLETE";

/// The number of the last cell a [`DONE_MIME`] content names.
pub fn last_cell(content: &str) -> Option<u64> {
    content.split(';').rfind(|n| !n.trim().is_empty())?.trim().parse().ok()
}

static RUNNING: AtomicBool = AtomicBool::new(false);
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Whether the kernel asked the running cell to stop. Found by code in a cell with
/// `dlsym(RTLD_DEFAULT, "aekit_kernel_interrupted")`: its presence also says the process runs
/// under this kernel, so aekit shows training as a live panel.
#[no_mangle]
pub extern "C" fn aekit_kernel_interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

extern "C" fn on_sigint(_: c_int) {
    if RUNNING.load(Ordering::SeqCst) {
        INTERRUPTED.store(true, Ordering::SeqCst);
    }
}

/// Runs the child's loop when this process is the engine's child (never returns then).
pub fn run_if_child() {
    if std::env::var_os(IS_RUNTIME).is_none() {
        return;
    }
    // SAFETY: installs a handler that only stores to atomics (async-signal-safe).
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_sigint as extern "C" fn(c_int) as usize;
        action.sa_flags = libc::SA_RESTART;
        libc::sigemptyset(&mut action.sa_mask);
        libc::sigaction(libc::SIGINT, &action, std::ptr::null_mut());
    }
    let mut store: *mut c_void = std::ptr::null_mut();
    let mut cells: u64 = 0;
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        let mut words = line.split(' ');
        let (Some("LOAD_AND_RUN"), Some(library), Some(function)) = (words.next(), words.next(), words.next()) else {
            eprintln!("aekit-kernel child: unknown instruction {line:?}");
            std::process::exit(99);
        };
        match load(library, function) {
            Ok(cell) => {
                INTERRUPTED.store(false, Ordering::SeqCst);
                RUNNING.store(true, Ordering::SeqCst);
                eprintln!("{RUNNING_MARKER}");
                store = cell(store);
                RUNNING.store(false, Ordering::SeqCst);
                cells += 1;
                eprintln!("{DONE_MARKER}{cells}");
                println!("EVCXR_BEGIN_CONTENT {DONE_MIME}\n{cells};\nEVCXR_END_CONTENT");
            }
            Err(why) => {
                eprintln!("aekit-kernel child: {why}");
                std::process::exit(99);
            }
        }
        println!("{EXECUTION_COMPLETE}");
        let _ = std::io::stdout().flush();
    }
    std::process::exit(0);
}

type Cell = extern "C" fn(*mut c_void) -> *mut c_void;

/// Loads a cell's library (never unloaded: values made by it may outlive the cell) and finds
/// its entry point.
fn load(library: &str, function: &str) -> Result<Cell, String> {
    let (path, name) =
        (CString::new(library).map_err(|e| e.to_string())?, CString::new(function).map_err(|e| e.to_string())?);
    // SAFETY: dlopen/dlsym with valid C strings; the entry point has the engine's signature.
    unsafe {
        let handle = libc::dlopen(path.as_ptr(), libc::RTLD_LAZY | libc::RTLD_LOCAL);
        if handle.is_null() {
            return Err(format!("loading {library}: {}", dl_error()));
        }
        let symbol = libc::dlsym(handle, name.as_ptr());
        if symbol.is_null() {
            return Err(format!("{function} not found in {library}: {}", dl_error()));
        }
        Ok(std::mem::transmute::<*mut c_void, Cell>(symbol))
    }
}

fn dl_error() -> String {
    // SAFETY: dlerror returns null or a C string valid until the next dl* call.
    unsafe {
        let e = libc::dlerror();
        if e.is_null() {
            "unknown error".into()
        } else {
            std::ffi::CStr::from_ptr(e).to_string_lossy().into_owned()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::last_cell;

    #[test]
    fn the_last_cell_of_concatenated_contents() {
        assert_eq!(last_cell("3;"), Some(3));
        assert_eq!(last_cell("3;4;"), Some(4));
        assert_eq!(last_cell(""), None);
        assert_eq!(last_cell("x;"), None);
    }
}
