//! Lets the aekit binary and its tests find libtorch at run time without
//! LD_LIBRARY_PATH: torch-sys reports where it linked libtorch, and we record that as an rpath.
fn main() {
    println!("cargo:rerun-if-env-changed=DEP_TCH_LIBTORCH_LIB");
    if let Ok(lib) = std::env::var("DEP_TCH_LIBTORCH_LIB") {
        println!("cargo:rustc-link-arg=-Wl,-rpath,{lib}");
    }
}
