"""Fetches the UCR time series that notebook 11 uses into datasets/ucr/, verified.

They come from a package registry: sktime 1.2.0's wheel on PyPI ships them under
sktime/datasets/data/. pip downloads the wheel (hash-checked), this script extracts the
.ts files, checks each file's SHA-256 and writes it atomically. Quick and silent when the
files are already there and verify.

usage: python datasets/fetch_time_series.py
"""
import hashlib, io, os, pathlib, subprocess, sys, tempfile, zipfile

ROOT = pathlib.Path(__file__).resolve().parent / "ucr"
WHEEL = "sktime==1.2.0"
WHEEL_SHA256 = "dbffc6731d2d683b668dceb5e2bbc5804bebc8446b4c580803a281684d90e4ae"
FILES = {
    "GunPoint/GunPoint_TRAIN.ts": "f842401779fd9800d247d8b33121a1a4643710a19b24917dbdd9a060ca8630d5",
    "GunPoint/GunPoint_TEST.ts": "79332750788a6227b325b96bd0d70130c8eb707b9731f8d7dec62b7a7d36017e",
    "ItalyPowerDemand/ItalyPowerDemand_TRAIN.ts": "341269cb7e6cef96846b30e774580beec79addb93848ba360145219115a74b7c",
    "ItalyPowerDemand/ItalyPowerDemand_TEST.ts": "26122451f87dd0387ef90b18bc8a86c041371b8a1c068004922b939971247144",
    "ArrowHead/ArrowHead_TRAIN.ts": "a83c470aaf611a5f5284377cce27a5fc9f6292bc3d110257b0fd4905ced5ee72",
    "ArrowHead/ArrowHead_TEST.ts": "5417dab42626d41df5e435bb22458c2df40dfad4bcd3b59559bbe72e20e84904",
    "OSULeaf/OSULeaf_TRAIN.ts": "86b9d6e860414ffd26cebc62fff84ffb37fa588ef3e5bf79e4094a437c36ddfc",
    "OSULeaf/OSULeaf_TEST.ts": "6c549dd354f9e42d5985fa5fab75321ca9acefc7873457e71467fc8a31f107ce",
}


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def verified(name):
    path = ROOT / name
    return path.is_file() and sha256(path.read_bytes()) == FILES[name]


def write_atomic(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def main():
    missing = [name for name in FILES if not verified(name)]
    if not missing:
        return
    print(f"fetching {len(missing)} UCR time series files from PyPI ({WHEEL}'s wheel, 8 MB)")
    with tempfile.TemporaryDirectory() as tmp:
        pip = [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check", "--no-deps",
               "--only-binary=:all:", WHEEL, "-d", tmp]
        if subprocess.run(pip).returncode != 0:
            sys.exit(f"pip could not download {WHEEL} from PyPI: check the network or the pip index "
                     f"(PIP_INDEX_URL), then rerun `make data`")
        wheel = next(pathlib.Path(tmp).glob("*.whl"))
        data = wheel.read_bytes()
        if sha256(data) != WHEEL_SHA256:
            sys.exit(f"{wheel.name} has SHA-256 {sha256(data)}, expected {WHEEL_SHA256}: the index served "
                     "another file; nothing was written")
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            for name in missing:
                content = z.read(f"sktime/datasets/data/{name}")
                if sha256(content) != FILES[name]:
                    sys.exit(f"{name} in {wheel.name} does not verify; nothing more was written")
                write_atomic(ROOT / name, content)
    print(f"UCR time series ready in {ROOT}")


if __name__ == "__main__":
    main()
