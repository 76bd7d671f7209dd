"""What a notebook user waits for at each kernel start: the `:dep aekit` cell plus the first
cell that binds a variable (`let data = FashionMnist::load()?;`), through the real "Rust
(libtorch)" kernel, for two versions of the crate side by side.

Each version gets its own evcxr build folder (so both stay warm), and the runs alternate
(A, B, A, B, ...) so a busy machine slows both alike; the first start of each is a warm-up and
not counted. `--cold` adds one start of each from an empty build folder with evcxr's cache
off (everything compiles).

usage: .venv/bin/python bench/first_cell.py --before PATH/TO/old/crates/aekit [--runs 5] [--cold]
       (the "after" crate is this repository's crates/aekit)
"""

import argparse
import json
import os
import pathlib
import shutil
import statistics
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
WORK = ROOT / "target" / "first-cell"
os.environ["JUPYTER_PATH"] = str(WORK)
os.environ.setdefault("JUPYTER_RUNTIME_DIR", str(ROOT / "target" / "jupyter-runtime"))

from jupyter_client import KernelManager  # noqa: E402

FIRST_LET = "let data = FashionMnist::load()?;"


def kernel(name, crate, build, config):
    """A kernel spec like the installed one, with its own build folder (and start-up folder)."""
    spec = json.loads((ROOT / ".venv/share/jupyter/kernels/rust-libtorch/kernel.json").read_text())
    spec["env"]["EVCXR_TMPDIR"] = str(build)
    spec["env"]["EVCXR_CONFIG_DIR"] = str(config)
    spec["display_name"] = name
    folder = WORK / "kernels" / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "kernel.json").write_text(json.dumps(spec, indent=2))
    build.mkdir(parents=True, exist_ok=True)
    return name, f':dep aekit = {{ path = "{crate}" }}\nuse aekit::prelude::*;'


def run(name, dep):
    """Seconds to ready, for the :dep cell and for the first `let` cell."""
    km = KernelManager(kernel_name=name)
    start = time.time()
    km.start_kernel(cwd=str(ROOT / "notebooks"))
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=300)
        ready = time.time() - start
        times = []
        for code in (dep, FIRST_LET):
            t = time.time()
            reply = kc.execute_interactive(code, timeout=1800, output_hook=lambda msg: None)
            if reply["content"]["status"] != "ok":
                sys.exit(f"{name}: {code!r} failed: {reply['content']}")
            times.append(time.time() - t)
        return ready, times[0], times[1]
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", type=pathlib.Path, required=True, help="the other version's crates/aekit")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cold", action="store_true")
    args = parser.parse_args()
    init = ROOT / "kernel" / "evcxr"
    empty = WORK / "no-init"
    empty.mkdir(parents=True, exist_ok=True)
    versions = {
        "before": kernel("aekit-before", args.before.resolve(), WORK / "evcxr-before", init),
        "after": kernel("aekit-after", ROOT / "crates" / "aekit", WORK / "evcxr-after", init),
    }
    results = {v: [] for v in versions}
    lines = []
    if args.cold:
        for v, (_, dep) in versions.items():
            build = WORK / f"evcxr-cold-{v}"
            shutil.rmtree(build, ignore_errors=True)
            name, dep = kernel(f"aekit-cold-{v}", args.before.resolve() if v == "before" else ROOT / "crates/aekit",
                               build, empty)
            r = run(name, dep)
            lines.append(f"cold {v}: ready {r[0]:.1f} s, :dep {r[1]:.1f} s, first let {r[2]:.1f} s, "
                         f"together {r[1] + r[2]:.1f} s")
            print(lines[-1], flush=True)
    for v, (name, dep) in versions.items():
        print(f"warm-up {v}: {run(name, dep)}", flush=True)
    for i in range(args.runs):
        for v, (name, dep) in versions.items():
            r = run(name, dep)
            results[v].append(r)
            print(f"run {i + 1} {v}: ready {r[0]:.1f} s, :dep {r[1]:.1f} s, first let {r[2]:.1f} s", flush=True)
    med = {v: [statistics.median(x[k] for x in rs) for k in range(3)] for v, rs in results.items()}
    for v, (ready, dep, let) in med.items():
        lines.append(f"warm {v} (median of {args.runs}): ready {ready:.1f} s, :dep {dep:.1f} s, first let {let:.1f} s, "
                     f":dep + first let {dep + let:.1f} s")
    ratio = (med["after"][1] + med["after"][2]) / (med["before"][1] + med["before"][2])
    lines.append(f"after / before, :dep + first let: {ratio:.2f}")
    print("\n".join(lines))
    (ROOT / "results").mkdir(exist_ok=True)
    (ROOT / "results" / "first-cell.md").write_text("\n".join(f"- {l}" for l in lines) + "\n")


if __name__ == "__main__":
    main()
