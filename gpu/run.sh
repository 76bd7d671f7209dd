#!/usr/bin/env bash
# On a GPU machine (made by `make gpu-bundle`; needs python3 with torch 2.11.0+cu130, as pinned):
# checks the GPU, runs aekit's CUDA tests, trains the tutorial's dense model and the conv model
# on CUDA beside the PyTorch reference (f32 and bf16 autocast), and prints one summary table.
# usage: run.sh [--dry-run] [OUT_DIR]   (default: ./results beside this script; about 5 minutes)
# --dry-run: the same steps on the CPU, briefly (checks the bundle itself before GPU time is spent)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
device=cuda
if [ "${1:-}" = "--dry-run" ]; then
  device=cpu; shift
  export AEKIT_CUDA_TESTS_ON_CPU=1 REPEATS=1 EPOCHS=1 ONLY=dense
fi
out=${1:-$here/results}
mkdir -p "$out"
export AEKIT_DATA="$here/data" AEKIT_TEST_TMPDIR="$out/tmp" PYTHONUNBUFFERED=1 RUST_BACKTRACE=1

if [ $device = cpu ]; then
  echo "dry run on the CPU" | tee "$out/gpu.txt"
elif ! command -v nvidia-smi >/dev/null || ! nvidia-smi -L >/dev/null 2>&1; then
  echo "no GPU here: nvidia-smi is missing or finds no GPU, so nothing was run (this bundle is for a CUDA machine;"
  echo "run.sh --dry-run goes through the same steps on the CPU)"
  exit 0
else
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | tee "$out/gpu.txt"
fi

torch_lib=$(python3 -c 'import os, torch; print(os.path.join(os.path.dirname(torch.__file__), "lib"))') || {
  echo "python3 has no torch: install torch==2.11.0 (the project's pin)"; exit 1; }
python3 -c 'import torch; print("python3 torch", torch.__version__, "CUDA", torch.version.cuda)' | tee -a "$out/gpu.txt"
export LD_LIBRARY_PATH="$torch_lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

status=0
echo "== aekit finds the device (on CUDA it loads libtorch_cuda.so itself)"
AEKIT_DEVICE=$device "$here/bin/bench" --load-only | tee -a "$out/gpu.txt" || status=1

echo "== CUDA tests"
start=$SECONDS
"$here/bin/it" cuda:: --ignored --test-threads=1 2>&1 | tee "$out/cuda-tests.txt"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
echo "CUDA tests: $((SECONDS - start)) s" | tee -a "$out/gpu.txt"

echo "== aekit vs PyTorch on $device (dense and conv, f32 and bf16 autocast)"
python3 "$here/bench/run.py" --bin "$here/bin/bench" --python python3 --device $device --bf16 \
  --only "${ONLY:-dense,conv}" --repeats "${REPEATS:-3}" --epochs "${EPOCHS:-3}" --out "$out" || status=1

echo "== summary"
cat "$out/gpu.txt"
grep -E "^test result" "$out/cuda-tests.txt" || true
cat "$out/bench.md" 2>/dev/null || true
exit $status
