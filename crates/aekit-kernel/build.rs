// The child's interrupt flag must be visible to cells' libraries (dlsym), and only it: the
// binary exports that one symbol.
fn main() {
    println!("cargo:rustc-link-arg-bins=-Wl,--export-dynamic-symbol=aekit_kernel_interrupted");
}
