//! Lets this crate's binaries, tests and examples find libtorch at run time without
//! LD_LIBRARY_PATH: torch-sys reports where it linked libtorch, and we record that as an rpath.
//! A test that plays the kernel's child (`tests/interrupt.rs`) exports its interrupt flag.
fn main() {
    println!("cargo:rustc-link-arg-tests=-Wl,--export-dynamic-symbol=aekit_kernel_interrupted");
    println!("cargo:rerun-if-env-changed=DEP_TCH_LIBTORCH_LIB");
    if let Ok(lib) = std::env::var("DEP_TCH_LIBTORCH_LIB") {
        println!("cargo:rustc-link-arg=-Wl,-rpath,{lib}");
    }
}
