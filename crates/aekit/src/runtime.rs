//! The runtime under libtorch: CUDA without cost on the CPU, bf16 autocast, malloc tuning.
//!
//! tch links `libtorch_cuda.so` only if something names one of its symbols, and nothing does:
//! the linker drops it (as-needed linking) and `tch::Cuda::is_available()` says false even on
//! a GPU machine. Linking it always would load 450 MB of CUDA code into every CPU-only run, so
//! aekit loads it at run time instead, and only on a machine with an NVIDIA driver: from the
//! folder the running `libtorch_cpu.so` came from, before libtorch first asks whether CUDA
//! exists (it remembers the answer). [`crate::device`] and [`crate::manual_seed`] do this;
//! call one of them before asking tch about CUDA yourself.

use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use tch::Device;

use crate::{Error, Result};

extern "C" {
    fn dlopen(filename: *const c_char, flags: c_int) -> *mut c_void;
    fn dlerror() -> *mut c_char;
}
const RTLD_NOW: c_int = 2;
const RTLD_GLOBAL: c_int = 0x100;

/// Loads libtorch's CUDA part once, when this machine has an NVIDIA driver (or `force`).
/// `Err` says why CUDA is not there, for error messages.
pub(crate) fn load(force: bool) -> std::result::Result<(), String> {
    static LOADED: OnceLock<std::result::Result<(), String>> = OnceLock::new();
    if !force && !has_nvidia_driver() {
        return Err("no NVIDIA driver on this machine (no /dev/nvidiactl)".into());
    }
    LOADED.get_or_init(load_libtorch_cuda).clone()
}

fn has_nvidia_driver() -> bool {
    Path::new("/dev/nvidiactl").exists() || Path::new("/dev/nvidia0").exists()
}

fn load_libtorch_cuda() -> std::result::Result<(), String> {
    let dir = libtorch_dir().ok_or("could not tell which libtorch this process runs on")?;
    let lib = dir.join("libtorch_cuda.so");
    if !lib.exists() {
        return Err(format!("{} is a CPU-only libtorch (no libtorch_cuda.so)", dir.display()));
    }
    let name = CString::new(lib.as_os_str().as_encoded_bytes()).map_err(|e| e.to_string())?;
    // SAFETY: dlopen with a valid C string; the library stays loaded for the process's life.
    let handle = unsafe { dlopen(name.as_ptr(), RTLD_NOW | RTLD_GLOBAL) };
    if handle.is_null() {
        // SAFETY: dlerror returns null or a C string valid until the next dl* call.
        let why = unsafe { dlerror() };
        let why = if why.is_null() { "unknown".into() } else { unsafe { CStr::from_ptr(why) }.to_string_lossy() };
        return Err(format!("loading {} failed: {why}", lib.display()));
    }
    Ok(())
}

/// The folder of the `libtorch_cpu.so` mapped into this process.
fn libtorch_dir() -> Option<PathBuf> {
    let maps = std::fs::read_to_string("/proc/self/maps").ok()?;
    let line = maps.lines().find(|l| l.ends_with("/libtorch_cpu.so"))?;
    let path = Path::new(&line[line.find('/')?..]);
    path.parent().map(Path::to_path_buf)
}

mod ffi {
    // libtorch's C++ autocast API (tch only offers float16 autocast on CUDA). Plain enums and
    // bools as arguments: the C and C++ calling conventions agree for these.
    extern "C" {
        #[link_name = "_ZN2at8autocast20set_autocast_enabledEN3c1010DeviceTypeEb"]
        pub fn set_autocast_enabled(device: i8, enabled: bool);
        #[link_name = "_ZN2at8autocast19is_autocast_enabledEN3c1010DeviceTypeE"]
        pub fn is_autocast_enabled(device: i8) -> bool;
        #[link_name = "_ZN2at8autocast18set_autocast_dtypeEN3c1010DeviceTypeENS1_10ScalarTypeE"]
        pub fn set_autocast_dtype(device: i8, dtype: i8);
        #[link_name = "_ZN2at8autocast18get_autocast_dtypeEN3c1010DeviceTypeE"]
        pub fn get_autocast_dtype(device: i8) -> i8;
        #[link_name = "_ZN2at8autocast17increment_nestingEv"]
        pub fn increment_nesting() -> i32;
        #[link_name = "_ZN2at8autocast17decrement_nestingEv"]
        pub fn decrement_nesting() -> i32;
        #[link_name = "_ZN2at8autocast11clear_cacheEv"]
        pub fn clear_cache();
    }
}

const DEVICE_CPU: i8 = 0;
const DEVICE_CUDA: i8 = 1;
const BFLOAT16: i8 = 15;

/// Runs `f` with libtorch's autocast in bfloat16 on `device`'s kind (matrix products and
/// convolutions in bf16, reductions and losses in f32), as `torch.autocast(dtype=torch.bfloat16)`.
pub fn bf16_autocast<T>(device: Device, f: impl FnOnce() -> T) -> T {
    let kind = match device {
        Device::Cpu => DEVICE_CPU,
        Device::Cuda(_) => DEVICE_CUDA,
        _ => return f(),
    };
    struct Restore(i8, bool, i8);
    impl Drop for Restore {
        fn drop(&mut self) {
            // SAFETY: plain-value calls into libtorch, restoring what `bf16_autocast` changed.
            unsafe {
                ffi::set_autocast_enabled(self.0, self.1);
                ffi::set_autocast_dtype(self.0, self.2);
                if ffi::decrement_nesting() == 0 {
                    ffi::clear_cache();
                }
            }
        }
    }
    // SAFETY: as above.
    let _restore = unsafe {
        let restore = Restore(kind, ffi::is_autocast_enabled(kind), ffi::get_autocast_dtype(kind));
        ffi::set_autocast_dtype(kind, BFLOAT16);
        ffi::set_autocast_enabled(kind, true);
        ffi::increment_nesting();
        restore
    };
    f()
}

/// Makes glibc's malloc keep freed tensor memory for reuse. By default it hands large blocks
/// back to the kernel on free (mmap, trimming) and every batch then pays page faults to get
/// them again: on the CPU that made convolutions and element-wise layers 2–3× slower (measured
/// with bench/ and a one-layer probe: a transposed convolution 57 → 19 ms). Blocks up to
/// 32 MiB come from the heap, and up to 1 GiB of free heap is kept. Called once, by `init`.
pub(crate) fn keep_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        extern "C" {
            fn mallopt(param: c_int, value: c_int) -> c_int;
        }
        const M_TRIM_THRESHOLD: c_int = -1;
        const M_MMAP_THRESHOLD: c_int = -3;
        // SAFETY: mallopt only changes glibc malloc's tuning parameters.
        unsafe {
            mallopt(M_MMAP_THRESHOLD, 32 << 20);
            mallopt(M_TRIM_THRESHOLD, 1 << 30);
        }
    }
}

/// The device to compute on: `$AEKIT_DEVICE` (`cpu`, `cuda`, `cuda:N`) when set, else the
/// first CUDA GPU when there is one, else the CPU.
pub fn device() -> Result<Device> {
    match std::env::var("AEKIT_DEVICE") {
        Ok(name) => parse_device(&name),
        Err(_) => {
            init();
            Ok(Device::cuda_if_available())
        }
    }
}

/// Parses `cpu`, `cuda` or `cuda:N`, checking that such a GPU exists.
pub fn parse_device(name: &str) -> Result<Device> {
    let bad = || Error::config("device", format!("unknown device {name:?}; use cpu, cuda or cuda:N"));
    let device = match name.trim().to_ascii_lowercase().as_str() {
        "cpu" => Device::Cpu,
        "cuda" => Device::Cuda(0),
        other => Device::Cuda(other.strip_prefix("cuda:").and_then(|n| n.parse().ok()).ok_or_else(bad)?),
    };
    if let Device::Cuda(i) = device {
        init();
        if let Err(why) = load(true) {
            return Err(Error::config(
                "device",
                format!("{name:?} asked for, but CUDA is not available: {why}; use cpu"),
            ));
        }
        let count = tch::Cuda::device_count();
        if i as i64 >= count {
            return Err(Error::config(
                "device",
                format!("{name:?} asked for, but this machine has {count} CUDA device(s); use cpu"),
            ));
        }
    }
    Ok(device)
}

/// Readies libtorch once: malloc tuned for tensors, and CUDA loaded when this machine has a
/// GPU and `$AEKIT_DEVICE` is not `cpu` (before libtorch first looks for CUDA, which seeding
/// and device queries do). Cheap after the first call: seeding calls it every epoch.
pub(crate) fn init() {
    static DONE: std::sync::Once = std::sync::Once::new();
    DONE.call_once(|| {
        keep_freed_memory();
        if !std::env::var("AEKIT_DEVICE").is_ok_and(|d| d.trim().eq_ignore_ascii_case("cpu")) {
            let _ = load(false);
        }
    });
}

/// Seeds libtorch's generator, so model initialisation repeats.
pub fn manual_seed(seed: u64) {
    init();
    tch::manual_seed(seed as i64);
}
