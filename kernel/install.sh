#!/usr/bin/env bash
# Installs the Jupyter kernel "Rust (libtorch)" into the project environment (.venv), not the
# user's global Jupyter. It runs aekit's own kernel (crates/aekit-kernel, built by `make
# kernel-bin`), which loads aekit from crates/aekit at start; its env wires the evcxr engine to
# the project's libtorch, keeps the engine's build folder in target/evcxr (so a second start
# reuses it), points the engine at kernel/evcxr/ for its start-up commands (init.evcxr), and
# makes training checkpoint every epoch into target/checkpoints/ (AEKIT_CHECKPOINTS).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv="$root/.venv"
libtorch=$(readlink -f "$venv/libtorch")
cargo_bin="${CARGO_HOME:-$HOME/.cargo}/bin"
kernel="$root/target/aekit-kernel/release/aekit-kernel"
[ -x "$kernel" ] || { echo "kernel/install.sh: $kernel is missing; run 'make kernel-bin'" >&2; exit 1; }
[ -d "$libtorch/lib" ] || { echo "kernel/install.sh: libtorch not found at $venv/libtorch; run 'make setup'" >&2; exit 1; }
dest="$venv/share/jupyter/kernels/rust-libtorch"
mkdir -p "$dest" "$root/target/evcxr"
KERNEL_DIR="$dest" KERNEL="$kernel" LIBTORCH_DIR="$libtorch" ROOT="$root" CARGO_DIR="$(dirname "$(command -v cargo || echo "$cargo_bin/cargo")")" \
  "$venv/bin/python" - <<'PY'
import json, os
env = os.environ
spec = {
    "argv": [env["KERNEL"], "--connection-file", "{connection_file}", "--aekit", env["ROOT"] + "/crates/aekit"],
    "display_name": "Rust (libtorch)",
    "language": "rust",
    "interrupt_mode": "message",
    "env": {
        "LIBTORCH": env["LIBTORCH_DIR"],
        "LD_LIBRARY_PATH": env["LIBTORCH_DIR"] + "/lib",
        "EVCXR_TMPDIR": env["ROOT"] + "/target/evcxr",
        "EVCXR_CONFIG_DIR": env["ROOT"] + "/kernel/evcxr",
        "AEKIT_CHECKPOINTS": env["ROOT"] + "/target/checkpoints",
        "PATH": env["CARGO_DIR"] + ":" + env["PATH"],
    },
}
path = os.path.join(env["KERNEL_DIR"], "kernel.json")
new = json.dumps(spec, indent=2) + "\n"
if not os.path.exists(path) or open(path).read() != new:
    with open(path + ".tmp", "w") as f:
        f.write(new)
    os.replace(path + ".tmp", path)
    print(f"installed kernel 'Rust (libtorch)' in {env['KERNEL_DIR']}")
PY
