"""The runner's parameters: what it injects after a notebook's `parameters` cell, and that a
notebook without one (or a value for a name it does not bind) fails. No kernel needed.

usage: python kernel/test_parameters.py   (make test)
"""

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import nbformat  # noqa: E402
from run_notebooks import ROOT, inject_parameters  # noqa: E402


def notebook(parameters=True):
    cells = [nbformat.v4.new_code_cell(":dep aekit = { path = \"../crates/aekit\" }")]
    if parameters:
        source = "let epochs: usize = 10; // passes\nlet rate: f64 = 1e-3;\nlet name: &str = \"a\";"
        cells.append(nbformat.v4.new_code_cell(source, metadata={"tags": ["parameters"]}))
    cells.append(nbformat.v4.new_code_cell("println!(\"{epochs}\");"))
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["aekit"] = {"quick": {"epochs": "2"}}
    return nb


def main():
    failures = []

    def check(what, ok):
        if not ok:
            failures.append(what)

    nb = notebook()
    check("quick values inject nothing else", inject_parameters(nb, True, {}) == [])
    injected = nb.cells[2]
    check("the cell comes right after `parameters`", "injected-parameters" in injected.metadata.get("tags", []))
    check("quick epochs keep their type", "let epochs: usize = 2;" in injected.source)

    nb = notebook()
    inject_parameters(nb, True, {"epochs": "3", "rate": "0.01"})
    check("--set wins over --quick", "let epochs: usize = 3;" in nb.cells[2].source)
    check("--set binds any declared name", "let rate: f64 = 0.01;" in nb.cells[2].source)

    nb = notebook()
    check("no values, no cell", inject_parameters(nb, False, {}) == [] and len(nb.cells) == 3)
    problems = inject_parameters(notebook(), False, {"batch": "8"})
    check("an unknown name fails, naming what exists", problems and "no batch" in problems[0] and "epochs" in problems[0])
    problems = inject_parameters(notebook(parameters=False), True, {})
    check("a notebook without a parameters cell fails", problems and "parameters" in problems[0])

    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        check(f"{path.name}: its quick values bind", inject_parameters(nb, True, {}) == [])
    if failures:
        print("FAIL kernel/test_parameters.py:\n  " + "\n  ".join(failures))
        return 1
    print("kernel/test_parameters.py: passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
