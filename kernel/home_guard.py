"""`make test` writes only inside the repository (and the set-up's caches): this lists what is
under $HOME before the tests and, after them, fails naming anything new outside the caches
(~/.cache, ~/.cargo, ~/.rustup, ~/.npm, which the set-up, cargo and JupyterLab use).

usage: python kernel/home_guard.py snapshot FILE | check FILE
"""
import os, pathlib, sys

CACHES = {".cache", ".cargo", ".rustup", ".npm"}  # .npm: npm's cache and logs (JupyterLab's build check)


def listing():
    home = pathlib.Path.home()
    found = set()
    for root, dirs, files in os.walk(home):
        rel = pathlib.Path(root).relative_to(home)
        if rel.parts and rel.parts[0] in CACHES or len(rel.parts) > 6:
            dirs[:] = []
            continue
        dirs[:] = [d for d in dirs if not (not rel.parts and d in CACHES)]
        found.update(str(rel / name) for name in dirs + files)
    return found


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("snapshot", "check"):
        sys.exit(__doc__)
    path = pathlib.Path(sys.argv[2])
    if sys.argv[1] == "snapshot":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(sorted(listing())))
        return
    before = set(path.read_text().splitlines())
    new = sorted(listing() - before)
    if new:
        sys.exit(f"the tests wrote outside the repository, in {pathlib.Path.home()}:\n  " + "\n  ".join(new[:30]))
    print(f"home_guard: nothing new in {pathlib.Path.home()} outside its caches")


if __name__ == "__main__":
    main()
