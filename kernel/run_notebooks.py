"""Executes notebooks headless through the "Rust (libtorch)" kernel and exports each to HTML.

Settings follow papermill's convention: each notebook has one cell tagged `parameters` that
binds its settings with typed `let`s (`let epochs: usize = 10;`). The runner inserts a cell
right after it (tagged `injected-parameters`) that binds them again: with `--quick`, to the
quick values in the notebook's metadata (`aekit.quick`), and with `--set name=value` to any
value (a Rust expression). A notebook without a `parameters` cell, or a value for a name it
does not bind, fails.

A notebook fails when any cell errors, or when a cell tagged `expect-image` produced no
image/png or image/svg+xml output (or HTML holding an inline <svg> or <img>, for figures
side by side). Prints one line per notebook (with the time of its first cell, which compiles the crate) and a closing "N passed, N failed" line.

usage: python kernel/run_notebooks.py [--quick] [--set name=value ...] [--out DIR] [notebook.ipynb ...]
       (default: notebooks/*.ipynb)
"""

import argparse
import datetime
import os
import pathlib
import re
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
            "<svg" in html or "<img" in html for html in ("".join(d.get("text/html", "")) for d in data)
        ):
            problems.append(f"cell {index} is tagged expect-image but showed no image")
    return problems


LET = re.compile(r"^\s*let\s+(\w+)\s*:\s*([^=]+?)\s*=\s*(.+?);")


def inject_parameters(nb, quick, settings):
    """Inserts the `injected-parameters` cell after the `parameters` cell; returns problems."""
    cells = nb.cells
    index = next((i for i, c in enumerate(cells) if "parameters" in c.get("metadata", {}).get("tags", [])), None)
    if index is None:
        return ["has no cell tagged `parameters` (its settings as `let name: type = value;` lines)"]
    declared = {m.group(1): m.group(2) for line in cells[index].source.splitlines() if (m := LET.match(line))}
    values = dict(nb.metadata.get("aekit", {}).get("quick", {})) if quick else {}
    values.update(settings)
    unknown = sorted(set(values) - set(declared))
    if unknown:
        return [f"its parameters cell binds {', '.join(sorted(declared)) or 'nothing'}; no {', '.join(unknown)}"]
    if values:
        source = "// Injected by kernel/run_notebooks.py\n" + "\n".join(
            f"let {name}: {declared[name]} = {value};" for name, value in values.items()
        )
        cell = nbformat.v4.new_code_cell(source, metadata={"tags": ["injected-parameters"]})
        cells.insert(index + 1, cell)
    return []


def run(path, out_dir, timeout, quick=False, settings=None):
    nb = nbformat.read(path, as_version=4)
    problems = inject_parameters(nb, quick, settings or {})
    if problems:
        title = path.stem
        return problems, 0.0, float("nan"), out_dir / (path.stem + ".html"), title
    client = NotebookClient(
        nb, timeout=timeout, kernel_name=KERNEL, resources={"metadata": {"path": str(path.parent)}}
    )
    start = time.time()
    try:
        client.execute()
    except CellExecutionError as error:
        # The error's evalue is short; what the cell printed on stderr says the rest.
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


def write_index(out_dir, rows, mode):
    """index.html beside the exported notebooks: one line per notebook run, linked."""
    import html as h

    items = "\n".join(
        f'<tr><td><a href="{h.escape(page.name)}">{h.escape(title)}</a></td><td>{"failed" if problems else "ran"}</td>'
        f"<td>{elapsed:.0f} s</td></tr>"
        for title, page, problems, elapsed in rows
    )
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
    parser.add_argument("--quick", action="store_true", help="the quick values in each notebook's metadata")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="a parameter's value")
    args = parser.parse_args()
    settings = {}
    for item in args.set:
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            parser.error(f"--set {item!r}: write it as name=value, e.g. --set epochs=3")
        settings[name.strip()] = value.strip()
    notebooks = args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    if not notebooks:
        print("no notebooks found", file=sys.stderr)
        return 1
    passed = failed = 0
    pages = []
    for path in notebooks:
        problems, elapsed, first, html, title = run(path.resolve(), args.out, args.timeout, args.quick, settings)
        pages.append((title, html, problems, elapsed))
        status = "FAIL" if problems else "PASS"
        print(f"{status} {path.name}: {elapsed:.1f} s (first cell {first:.1f} s) -> {html}", flush=True)
        for problem in problems:
            print("    " + problem.replace("\n", "\n    "))
        failed += bool(problems)
        passed += not problems
    mode = "quick settings" if args.quick else "full settings"
    if settings:
        mode += ", " + ", ".join(f"{k} = {v}" for k, v in settings.items())
    write_index(args.out, pages, mode)
    print(f"notebooks: {passed} passed, {failed} failed; index: {args.out / 'index.html'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
