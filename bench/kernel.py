"""`make bench-kernel`: the kernel "Rust (libtorch)" against its targets, side by side in one run.

Alternates, run by run, aekit's kernel, evcxr_jupyter 0.22 when it is installed (the kernel
before, `~/.cargo/bin/evcxr_jupyter`, with the same environment and its own build folder) and
Python. Each run starts a kernel and executes notebook 01's code cells (quick settings) through
jupyter_client, timing from the kernel's start: the kernel_info reply, the output of the
`FashionMnist::load()` cell, and the median of the cells after it. Then a one-cell notebook
headless (nbconvert), Rust beside Python with torch, as `bench/run.py --kernel`. Prints min /
median / max and met / not met per target, and writes OUT/kernel-bench.md.

usage: python bench/kernel.py [--repeats N] [--out DIR]
"""
import argparse, json, os, pathlib, statistics, sys, tempfile, time

from jupyter_client.manager import KernelManager

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from run import notebook, spread, time_notebook  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
SPEC = ROOT / ".venv" / "share" / "jupyter" / "kernels" / "rust-libtorch" / "kernel.json"
OLD = pathlib.Path(os.environ.get("CARGO_HOME", pathlib.Path.home() / ".cargo")) / "bin" / "evcxr_jupyter"
# figure: (target, what it says); times in seconds, the last a ratio to Python.
TARGETS = {
    "kernel_info reply": (0.5, "<= 0.5 s after start"),
    "FashionMnist::load output": (6.0, "<= 6 s after start"),
    "warm cells of notebook 01, median": (1.0, "<= 1 s"),
    "one-cell notebook / Python": (1.3, "<= 1.3x Python"),
}


def notebook_01_cells():
    nb = json.loads((ROOT / "notebooks" / "01-getting-started.ipynb").read_text())
    cells = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    quick = nb["metadata"]["aekit"]["quick"]
    params = next(i for i, c in enumerate(nb["cells"]) if "parameters" in c.get("metadata", {}).get("tags", []))
    index = sum(1 for c in nb["cells"][:params] if c["cell_type"] == "code")
    cells.insert(index + 1, "\n".join(f"let {k}: usize = {v};" for k, v in quick.items()))
    load = next(i for i, c in enumerate(cells) if "FashionMnist::load()" in c)
    return cells, load


def run_notebook_01(kernel_name, env):
    cells, load = notebook_01_cells()
    started = time.perf_counter()
    km = KernelManager(kernel_name=kernel_name)
    km.start_kernel(cwd=str(ROOT / "notebooks"), env=env, stderr=open(os.devnull, "w"))
    kc = km.client()
    kc.start_channels()
    try:
        kc.kernel_info(reply=True, timeout=120)
        info = time.perf_counter() - started
        done = []
        for code in cells:
            msg_id = kc.execute(code)
            cell_start = time.perf_counter()
            while True:
                reply = kc.get_shell_msg(timeout=1800)
                if reply["parent_header"].get("msg_id") == msg_id:
                    break
            if reply["content"]["status"] != "ok":
                sys.exit(f"bench: {kernel_name}: a cell of notebook 01 failed: {reply['content'].get('evalue', '')[:500]}")
            done.append((time.perf_counter() - started, time.perf_counter() - cell_start))
        return info, done[load][0], statistics.median(d for _, d in done[load + 1:])
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def old_kernel(tmp):
    """A kernel spec for evcxr_jupyter 0.22 with our spec's environment, or None."""
    if not OLD.exists():
        return None
    spec = json.loads(SPEC.read_text())
    spec.update(argv=[str(OLD), "--control_file", "{connection_file}"], display_name="evcxr_jupyter 0.22")
    spec["env"]["EVCXR_TMPDIR"] = str(ROOT / "target" / "evcxr-before")
    folder = pathlib.Path(tmp) / "kernels" / "rust-evcxr-jupyter"
    folder.mkdir(parents=True)
    (folder / "kernel.json").write_text(json.dumps(spec))
    return "rust-evcxr-jupyter"


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--out", type=pathlib.Path, default=ROOT / "results")
    a = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        # Kernel specs are looked up in this process too: the temporary one must be on its path.
        os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [tmp, os.environ.get("JUPYTER_PATH")]))
        env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(ROOT / "target" / "jupyter-runtime"))
        kernels = {"aekit-kernel": "rust-libtorch"}
        old = old_kernel(tmp)
        if old:
            kernels["evcxr_jupyter 0.22"] = old
        results = {name: [] for name in kernels}
        for name, spec in kernels.items():
            run_notebook_01(spec, env)  # warms each build folder
        for r in range(a.repeats):
            for name in (list(kernels) if r % 2 == 0 else list(reversed(kernels))):
                results[name].append(run_notebook_01(kernels[name], env))
                info, first, warm = results[name][-1]
                print(f"[{r + 1}/{a.repeats}] {name:<20} kernel_info {info:.2f} s, load output {first:.1f} s, warm median {warm:.2f} s", flush=True)
        work = ROOT / "target" / "bench"
        work.mkdir(parents=True, exist_ok=True)
        rust = notebook(work / "one-cell-rust.ipynb", "rust-libtorch", ':dep aekit = { path = "../../crates/aekit" }\n'
                        "aekit::tch::Tensor::ones([2, 2], (aekit::tch::Kind::Float, aekit::tch::Device::Cpu)).sum(aekit::tch::Kind::Float)")
        python = notebook(work / "one-cell-python.ipynb", "python3", "import torch\ntorch.ones(2, 2).sum()")
        one = {"rust": [], "python": []}
        for r in range(a.repeats):
            for impl in (["rust", "python"] if r % 2 == 0 else ["python", "rust"]):
                one[impl].append(time_notebook(rust if impl == "rust" else python, env))
            print(f"[{r + 1}/{a.repeats}] one-cell notebook Rust {one['rust'][-1]:.1f} s, Python {one['python'][-1]:.1f} s", flush=True)

    rows = []
    for i, figure in enumerate(list(TARGETS)[:3]):
        for name in kernels:
            rows.append((figure, name, spread([r[i] for r in results[name]]), name == "aekit-kernel"))
    ratio = statistics.median(one["rust"]) / statistics.median(one["python"])
    lines = ["| figure | kernel | min | median | max | target | met |", "|---|---|---|---|---|---|---|"]
    for figure, name, (lo, med, hi), judged in rows:
        limit, says = TARGETS[figure]
        met = ("met" if med <= limit else "not met") if judged else "(before)"
        lines.append(f"| {figure} | {name} | {lo:.2f} s | {med:.2f} s | {hi:.2f} s | {says} | {met} |")
    for impl in ("rust", "python"):
        lo, med, hi = spread(one[impl])
        lines.append(f"| one-cell notebook | {'aekit-kernel' if impl == 'rust' else 'Python (torch)'} | {lo:.2f} s | {med:.2f} s | {hi:.2f} s | | |")
    limit, says = TARGETS["one-cell notebook / Python"]
    lines.append(f"| one-cell notebook / Python | ratio of medians | | {ratio:.2f}x | | {says} | {'met' if ratio <= limit else 'not met'} |")
    table = "\n".join(lines)
    print(table)
    a.out.mkdir(parents=True, exist_ok=True)
    (a.out / "kernel-bench.md").write_text(
        f"# The kernel's start and cells\n\n`make bench-kernel`, {a.repeats} alternating runs on this machine "
        f"({os.cpu_count()} cores); notebook 01 with its quick settings.\n\n{table}\n")


if __name__ == "__main__":
    main()
