"""`make bench`: aekit against the PyTorch reference, side by side.

Runs crates/aekit/examples/bench.rs and bench/reference.py alternately (aekit, PyTorch, aekit,
...), so a noisy machine slows both alike; prints min / median / max of each figure and the
ratio of medians, and writes the table to OUT/bench.md.

Figures: epoch time of the tutorial's dense model and of the convolutional model (the mean of
the epochs after the first, with the final test loss), the time to load the 70,000 images, the
peak resident memory of the dense run, and (--kernel) the wall time of a one-cell notebook run
headless, Rust (`:dep aekit` + a tensor op) beside Python (`import torch`).

usage: python bench/run.py [--repeats N] [--epochs N] [--device cpu|cuda] [--bf16] [--compile]
    [--kernel] [--cold] [--bin PATH] [--out DIR] [--only dense,conv,load]
"""
import argparse, json, os, pathlib, shutil, statistics, subprocess, sys, tempfile, time

ROOT = pathlib.Path(__file__).resolve().parent.parent
TARGETS = {  # figure: (largest aekit / PyTorch ratio that meets the target, what the target says)
    "dense epoch": (0.70, "<= 0.70x PyTorch eager"),
    "conv epoch": (0.85, "<= 0.85x PyTorch eager"),
    "load 70k images": (0.50, "<= 0.5x PyTorch"),
    "kernel one-cell notebook, warm": (1.3, "<= 1.3x Python"),
}
GPU_TARGETS = {"dense epoch": (1.0, "<= PyTorch eager"), "conv epoch": (1.0, "<= PyTorch eager")}


def run_json(cmd, env):
    out = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"bench: {' '.join(map(str, cmd))} failed:\n{out.stderr[-3000:]}")
    line = [l for l in out.stdout.splitlines() if l.startswith("RESULT ")][-1]
    return json.loads(line[len("RESULT "):])


def steady(epoch_s):
    later = epoch_s[1:] or epoch_s
    return sum(later) / len(later)


def spread(values):
    return min(values), statistics.median(values), max(values)


def notebook(path, kernel, source):
    nb = {"cells": [{"cell_type": "code", "execution_count": None, "id": "cell-01", "metadata": {},
                     "outputs": [], "source": source}],
          "metadata": {"kernelspec": {"name": kernel, "display_name": kernel, "language": "rust" if kernel != "python3" else "python"}},
          "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(nb))
    return path


def time_notebook(path, env):
    jupyter = ROOT / ".venv" / "bin" / "jupyter"
    start = time.perf_counter()
    out = subprocess.run([str(jupyter), "nbconvert", "--to", "notebook", "--execute", "--stdout",
                          "--ExecutePreprocessor.timeout=900", str(path)], cwd=path.parent, env=env,
                         capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"bench: executing {path} failed:\n{out.stderr[-3000:]}")
    return time.perf_counter() - start


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--device", default=None, help="cpu or cuda (default: CUDA when present)")
    p.add_argument("--bf16", action="store_true", help="also time both with bf16 autocast")
    p.add_argument("--compile", action="store_true", help="also time torch.compile (dense)")
    p.add_argument("--kernel", action="store_true", help="also time a one-cell notebook")
    p.add_argument("--cold", action="store_true", help="with --kernel: one run on empty build caches")
    p.add_argument("--only", default="dense,conv,load")
    p.add_argument("--bin", default=str(ROOT / "target/release/examples/bench"))
    p.add_argument("--python", default=sys.executable)
    p.add_argument("--out", default=str(ROOT / "results"))
    a = p.parse_args()

    env = dict(os.environ, PYTHONUNBUFFERED="1")
    if a.device:
        env["AEKIT_DEVICE"] = a.device
    common = ["--epochs", str(a.epochs), "--threads", str(a.threads)]
    aekit = [a.bin]
    torch = [a.python, str(ROOT / "bench/reference.py")]
    only = a.only.split(",")
    runs = []  # (figure, arguments for both implementations)
    for model in [m for m in ("dense", "conv") if m in only]:
        runs.append((f"{model} epoch", ["--model", model]))
        if a.bf16:
            runs.append((f"{model} epoch, bf16 autocast", ["--model", model, "--bf16"]))
    if "load" in only:
        runs.append(("load 70k images", ["--load-only"]))

    samples = {}  # (figure, impl) -> list of dicts
    device = "?"
    for r in range(a.repeats):
        for figure, args in runs:
            pairs = [("aekit", aekit + args + common), ("PyTorch eager", torch + args + common)]
            if a.compile and figure == "dense epoch":
                pairs.append(("PyTorch compile", torch + args + common + ["--compile"]))
            for impl, cmd in (pairs if r % 2 == 0 else pairs[::-1]):
                result = run_json(cmd, env)
                device = result["device"]
                samples.setdefault((figure, impl), []).append(result)
                shown = f"{steady(result['epoch_s']):.3f} s/epoch, test loss {result['test_loss']:.4f}" \
                    if "epoch_s" in result else f"{result['load_s']:.3f} s"
                print(f"[{r + 1}/{a.repeats}] {figure:<28} {impl:<16} {shown}", flush=True)

    rows = []
    for figure, _ in runs:
        def value(res):
            return steady(res["epoch_s"]) if "epoch_s" in res else res["load_s"]
        for impl in ("aekit", "PyTorch eager", "PyTorch compile"):
            if (figure, impl) in samples:
                res = samples[(figure, impl)]
                loss = statistics.median(x["test_loss"] for x in res) if "test_loss" in res[0] else None
                rows.append((figure, impl, spread([value(x) for x in res]), "s", loss))
        if figure == "dense epoch":
            for impl in ("aekit", "PyTorch eager"):
                rows.append(("peak memory, dense run", impl,
                             spread([x["peak_rss_mb"] for x in samples[(figure, impl)]]), "MiB", None))

    if a.kernel:
        rows += kernel_rows(a, env)

    targets = GPU_TARGETS if device.startswith("cuda") else TARGETS
    lines = [f"# aekit vs PyTorch ({device}, {a.threads} threads, {a.repeats} alternating runs, "
             f"{a.epochs} epochs each)", "",
             "| figure | implementation | min | median | max | unit | test loss | ratio to PyTorch | target |",
             "|---|---|---|---|---|---|---|---|---|"]
    medians = {(f, i): s[1] for f, i, s, _, _ in rows}
    for figure, impl, (lo, mid, hi), unit, loss in rows:
        base = medians.get((figure, "PyTorch eager")) or medians.get((figure, "Python"))
        ratio = mid / base if base and impl not in ("PyTorch eager", "Python") else None
        limit, text = targets.get(figure, (None, ""))
        target = ""
        if ratio is not None and limit is not None and impl in ("aekit", "Rust, warm"):
            target = f"{text}: {'met' if ratio <= limit else 'NOT met'}"
        if figure == "peak memory, dense run" and impl == "aekit" and device == "cpu":
            target = f"<= 1 GiB: {'met' if mid <= 1024 else 'NOT met'}"
        lines.append(f"| {figure} | {impl} | {lo:.3f} | {mid:.3f} | {hi:.3f} | {unit} | "
                     f"{'' if loss is None else f'{loss:.4f}'} | {'' if ratio is None else f'{ratio:.2f}'} | {target} |")
    table = "\n".join(lines) + "\n"
    print("\n" + table)
    out = pathlib.Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench.md").write_text(table)
    print(f"wrote {out / 'bench.md'}")


def kernel_rows(a, env):
    """A one-cell notebook run headless by a new kernel each time: Rust beside Python."""
    work = ROOT / "target" / "bench"
    work.mkdir(parents=True, exist_ok=True)
    crate = ROOT / "crates" / "aekit"
    rust_source = (f':dep aekit = {{ path = "{crate}" }}\n'
                   "aekit::tch::Tensor::ones([2, 2], (aekit::tch::Kind::Float, aekit::tch::Device::Cpu)).sum(aekit::tch::Kind::Float)")
    rust = notebook(work / "one-cell-rust.ipynb", "rust-libtorch", rust_source)
    python = notebook(work / "one-cell-python.ipynb", "python3", "import torch\ntorch.ones(2, 2).sum()")
    env = dict(env, JUPYTER_RUNTIME_DIR=str(ROOT / "target" / "jupyter-runtime"))
    times = {"Rust, warm": [], "Python": []}
    time_notebook(rust, env)  # leaves the caches warm
    for r in range(a.repeats):
        order = ["Rust, warm", "Python"] if r % 2 == 0 else ["Python", "Rust, warm"]
        for impl in order:
            seconds = time_notebook(rust if impl.startswith("Rust") else python, env)
            times[impl].append(seconds)
            print(f"[{r + 1}/{a.repeats}] kernel one-cell notebook {impl:<12} {seconds:.2f} s", flush=True)
    rows = [("kernel one-cell notebook, warm", impl, spread(t), "s", None) for impl, t in times.items()]
    if a.cold:
        # An empty build folder: a copy of the kernel whose EVCXR_TMPDIR is a new folder (the
        # kernel spec's env wins over ours). evcxr's own :cache of compiled crates stays warm.
        spec_dir = ROOT / ".venv" / "share" / "jupyter" / "kernels" / "rust-libtorch"
        with tempfile.TemporaryDirectory(dir=ROOT / "target") as tmp:
            spec = json.loads((spec_dir / "kernel.json").read_text())
            spec["env"]["EVCXR_TMPDIR"] = str(pathlib.Path(tmp) / "evcxr")
            kernels = pathlib.Path(tmp) / "share" / "jupyter" / "kernels" / "rust-libtorch-cold"
            kernels.mkdir(parents=True)
            (kernels / "kernel.json").write_text(json.dumps(spec))
            cold = notebook(work / "one-cell-rust-cold.ipynb", "rust-libtorch-cold", rust_source)
            seconds = time_notebook(cold, dict(env, JUPYTER_PATH=str(pathlib.Path(tmp) / "share" / "jupyter")))
        print(f"kernel one-cell notebook Rust, cold build folder {seconds:.1f} s", flush=True)
        rows.append(("kernel one-cell notebook, new build folder", "Rust, cold", spread([seconds]), "s", None))
    return rows


if __name__ == "__main__":
    main()
