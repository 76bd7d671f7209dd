#!/usr/bin/env bash
# `make gpu-bundle`: builds, on a CPU machine, everything a GPU machine needs to check aekit on
# CUDA (it needs no Rust toolchain there, only python3 with the same torch wheel we pin):
# the integration-test binary, the bench binary, the PyTorch reference, Fashion-MNIST and
# run.sh, in target/gpu-bundle/ (kept under 64 MiB). Run `target/gpu-bundle/run.sh` there.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/target/gpu-bundle"
cd "$root"
flags=(--release --all-features -p aekit)

tests=$(cargo test "${flags[@]}" --test it --no-run --message-format=json 2>/dev/null |
  python3 -c 'import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["name"] == "it":
        print(m["executable"])' | tail -1)
[ -n "$tests" ] || { echo "gpu/bundle.sh: building the test binary failed; run cargo test --no-run to see why" >&2; exit 1; }
cargo build "${flags[@]}" --example bench -q

make -s data >/dev/null
data=
for dir in ${AEKIT_DATA:-} datasets/fashion-mnist /usr/share/datasets/fashion-mnist; do
  [ -e "$dir/t10k-labels-idx1-ubyte.gz" ] && { data=$dir; break; }
done
[ -n "$data" ] || { echo "gpu/bundle.sh: Fashion-MNIST not found; run make data" >&2; exit 1; }
rm -rf "$out" && mkdir -p "$out/bin" "$out/bench" "$out/data"
strip -o "$out/bin/it" "$tests"
strip -o "$out/bin/bench" target/release/examples/bench
cp bench/reference.py bench/run.py "$out/bench/"
cp "$data"/*-ubyte.gz "$out/data/"
cp gpu/run.sh "$out/run.sh"
chmod +x "$out/run.sh"
size=$(du -sm "$out" | cut -f1)
echo "wrote $out (${size} MiB): bin/it, bin/bench, bench/, data/, run.sh"
[ "$size" -lt 64 ] || { echo "gpu/bundle.sh: the bundle is ${size} MiB, over the 64 MiB a GPU run may carry" >&2; exit 1; }
