"""Executes notebooks headless through the "Rust (libtorch)" kernel and exports each to HTML.

A notebook fails when any cell errors, or when a cell tagged `expect-image` produced no
image/png or image/svg+xml output (or HTML holding an inline <svg>, for figures side by
side). Prints one line per notebook (with the time of its first cell, which compiles the crate) and a closing "N passed, N failed" line.

usage: python kernel/run_notebooks.py [--out DIR] [notebook.ipynb ...]   (default: notebooks/*.ipynb)
Set AEKIT_QUICK=1 for the short settings the tests use.
"""

import argparse
import datetime
import os
import pathlib
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
# The tests write only inside the repository: kernel connection files and IPython's folder
# (nbconvert creates one on import) and Jupyter's data folder go under target/, not ~/.local
# or ~/.ipython.
os.environ.setdefault("JUPYTER_RUNTIME_DIR", str(ROOT / "target" / "jupyter-runtime"))
os.environ.setdefault("IPYTHONDIR", str(ROOT / "target" / "ipython"))
os.environ.setdefault("JUPYTER_DATA_DIR", str(ROOT / "target" / "jupyter-data"))
os.environ.setdefault("JUPYTER_CONFIG_DIR", str(ROOT / "target" / "jupyter-config"))

import nbformat  # noqa: E402 (after the environment above)
from nbclient import NotebookClient  # noqa: E402
from nbclient.exceptions import CellExecutionError  # noqa: E402
from nbconvert import HTMLExporter  # noqa: E402

KERNEL = "rust-libtorch"
IMAGE_TYPES = ("image/png", "image/svg+xml")


def cell_seconds(cell):
    timing = cell.get("metadata", {}).get("execution", {})
    try:
        start = datetime.datetime.fromisoformat(timing["iopub.execute_input"].replace("Z", "+00:00"))
        end = datetime.datetime.fromisoformat(timing["shell.execute_reply"].replace("Z", "+00:00"))
        return (end - start).total_seconds()
    except (KeyError, ValueError):
        return float("nan")


def missing_images(nb):
    problems = []
    for index, cell in enumerate(nb.cells):
        if "expect-image" not in cell.get("metadata", {}).get("tags", []):
            continue
        outputs = cell.get("outputs", [])
        data = [out.get("data", {}) for out in outputs]
        if not any(key in d for d in data for key in IMAGE_TYPES) and not any(
            "<svg" in "".join(d.get("text/html", "")) for d in data
        ):
            problems.append(f"cell {index} is tagged expect-image but showed no image")
    return problems


def run(path, out_dir, timeout):
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, timeout=timeout, kernel_name=KERNEL, resources={"metadata": {"path": str(path.parent)}}
    )
    start = time.time()
    problems = []
    try:
        client.execute()
    except CellExecutionError as error:
        # evcxr reports compile errors on the cell's stderr and leaves evalue empty.
        failed = next((c for c in reversed(nb.cells) if c.get("cell_type") == "code" and c.get("outputs")), None)
        stderr = "".join(o.get("text", "") for o in (failed or {}).get("outputs", []) if o.get("name") == "stderr")
        problems.append(f"{error.ename}: {error.evalue}\n{stderr}".strip()[-3000:])
    except Exception as error:  # kernel died, timed out, could not start
        problems.append(f"{type(error).__name__}: {error}")
    problems += missing_images(nb)
    elapsed = time.time() - start
    out_dir.mkdir(parents=True, exist_ok=True)
    html, _ = HTMLExporter().from_notebook_node(nb)
    target = out_dir / (path.stem + ".html")
    target.write_text(html, encoding="utf-8")
    code = [c for c in nb.cells if c.cell_type == "code"]
    first = cell_seconds(code[0]) if code else float("nan")
    title = next((c.source.lstrip("# ").splitlines()[0] for c in nb.cells if c.cell_type == "markdown" and c.source), path.stem)
    return problems, elapsed, first, target, title


def write_index(out_dir, rows):
    """index.html beside the exported notebooks: one line per notebook run, linked."""
    import html as h

    items = "\n".join(
        f'<tr><td><a href="{h.escape(page.name)}">{h.escape(title)}</a></td><td>{"failed" if problems else "ran"}</td>'
        f"<td>{elapsed:.0f} s</td></tr>"
        for title, page, problems, elapsed in rows
    )
    mode = "quick settings (AEKIT_QUICK=1)" if os.environ.get("AEKIT_QUICK") == "1" else "full settings"
    (out_dir / "index.html").write_text(
        f"<!doctype html><meta charset=utf-8><title>aekit notebooks</title>"
        f"<style>body{{font-family:sans-serif;max-width:48em;margin:2em auto}}td{{padding:.3em 1em}}</style>"
        f"<h1>aekit notebooks</h1><p>Executed through the Rust (libtorch) kernel, {mode}, "
        f"{datetime.datetime.now():%Y-%m-%d %H:%M}.</p><table>{items}</table>\n",
        encoding="utf-8",
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", type=pathlib.Path)
    parser.add_argument("--out", type=pathlib.Path, default=ROOT / "results" / "notebooks")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds one cell may take")
    args = parser.parse_args()
    notebooks = args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    if not notebooks:
        print("no notebooks found", file=sys.stderr)
        return 1
    passed = failed = 0
    pages = []
    for path in notebooks:
        problems, elapsed, first, html, title = run(path.resolve(), args.out, args.timeout)
        pages.append((title, html, problems, elapsed))
        status = "FAIL" if problems else "PASS"
        print(f"{status} {path.name}: {elapsed:.1f} s (first cell {first:.1f} s) -> {html}", flush=True)
        for problem in problems:
            print("    " + problem.replace("\n", "\n    "))
        failed += bool(problems)
        passed += not problems
    write_index(args.out, pages)
    print(f"notebooks: {passed} passed, {failed} failed; index: {args.out / 'index.html'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
