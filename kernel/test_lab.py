"""Checks `make lab` for real: JupyterLab listens on 127.0.0.1 only, refuses requests without
its token and offers the "Rust (libtorch)" kernel; then headless Chromium opens notebook 01 in
JupyterLab, runs all its cells through the UI (Run → Run All Cells) with that kernel, and
checks that the reconstruction grid renders in the page. Part of `make test`, after the
notebook run (so the kernel's build cache is warm): about a minute.

The notebook is not changed: autosave is off (JupyterLab settings under target/), the test
never saves, and it compares the file's bytes before and after.

usage: python kernel/test_lab.py [--no-browser]
"""
import hashlib, json, os, pathlib, re, signal, socket, subprocess, sys, time, urllib.error, urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOK = "01-getting-started.ipynb"
# User settings the lab runs with in the test: no autosave (the run must not rewrite the
# notebook), every cell in the page (no windowing), no news or update checks.
SETTINGS = {
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false", "checkForUpdates": False},
}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening_addresses(port):
    """Local addresses of the sockets listening on `port`, from /proc/net/tcp and tcp6."""
    found = []
    for name in ("tcp", "tcp6"):
        path = pathlib.Path("/proc/net") / name
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            address, hex_port = fields[1].split(":")
            if int(hex_port, 16) == port and fields[3] == "0A":  # 0A: LISTEN
                found.append(address)
    return found


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, ""


def main():
    port = free_port()
    target = ROOT / "target"
    settings = target / "jupyterlab-settings"
    for name, values in SETTINGS.items():
        (settings / name).parent.mkdir(parents=True, exist_ok=True)
        (settings / name).write_text(json.dumps(values))
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(target / "jupyter-runtime"), IPYTHONDIR=str(target / "ipython"),
               JUPYTER_DATA_DIR=str(target / "jupyter-data"), JUPYTER_CONFIG_DIR=str(target / "jupyter-config"),
               JUPYTERLAB_WORKSPACES_DIR=str(target / "jupyter-workspaces"), JUPYTERLAB_SETTINGS_DIR=str(settings))
    browser_run = "--no-browser" not in sys.argv[1:]
    lab = subprocess.Popen(["make", "-s", "lab", f"LAB_PORT={port}"], cwd=ROOT, env=env, text=True,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    failures, log = [], []
    try:
        token, deadline = None, time.time() + 180
        while token is None and time.time() < deadline:
            line = lab.stdout.readline()
            if not line:
                break
            log.append(line)
            match = re.search(rf"http://127\.0\.0\.1:{port}/lab\?token=(\w+)", line)
            token = match and match.group(1)
        if token is None:
            sys.exit("make lab did not start JupyterLab:\n" + "".join(log[-30:]))
        # The URL can be printed a moment before the server accepts connections.
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)

        status, _ = get(f"http://127.0.0.1:{port}/api/kernelspecs")
        if status != 403:
            failures.append(f"answered {status} without the token: want 403")
        status, body = get(f"http://127.0.0.1:{port}/api/kernelspecs?token={token}")
        specs = json.loads(body).get("kernelspecs", {}) if status == 200 else {}
        if "rust-libtorch" not in specs:
            failures.append(f"kernel specs (status {status}) lack rust-libtorch: {sorted(specs)}")
        elif specs["rust-libtorch"]["spec"]["display_name"] != "Rust (libtorch)":
            failures.append("rust-libtorch is not named 'Rust (libtorch)'")
        addresses = listening_addresses(port)
        loopback = {"0100007F", "00000000000000000000000001000000"}  # 127.0.0.1, ::1
        if not addresses or any(a not in loopback for a in addresses):
            failures.append(f"listens on {addresses} (hex, /proc/net/tcp): want 127.0.0.1 only")
        if browser_run and not failures:
            notebook = ROOT / "notebooks" / NOTEBOOK
            before = notebook.read_bytes()
            try:
                failures += run_in_lab(port, token)
            finally:
                if notebook.read_bytes() != before:
                    notebook.write_bytes(before)
                    failures.append(f"{NOTEBOOK} was rewritten during the run (restored)")
    finally:
        os.killpg(lab.pid, signal.SIGTERM)
        try:
            lab.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(lab.pid, signal.SIGKILL)
    for f in failures:
        print(f"make lab: {f}")
    ran = f", {NOTEBOOK} run in headless Chromium" if browser_run else ""
    print(f"make lab: {'FAILED' if failures else 'ok'} (127.0.0.1:{port}, token required, Rust (libtorch) offered{ran})")
    sys.exit(1 if failures else 0)


def run_in_lab(port, token, timeout_s=900):
    """Opens the notebook in JupyterLab, runs all cells from the Run menu, waits for every cell
    to finish, and checks the outputs; returns the failures."""
    from browser import IMAGES, launch, screenshot_stats, sync_playwright

    failures, shots = [], ROOT / "target" / "pages"
    shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            page.goto(f"http://127.0.0.1:{port}/lab/tree/{NOTEBOOK}?token={token}")
            page.wait_for_selector(".jp-NotebookPanel .jp-CodeCell", timeout=120_000)
            # The notebook's kernel is "Rust (libtorch)", started for it, idle before we run.
            page.wait_for_selector(".jp-NotebookPanel-toolbar :text('Rust (libtorch)')", timeout=120_000)
            page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=300_000)
            page.click(".lm-MenuBar-item:has-text('Run')")
            page.click(".lm-Menu-item:has-text('Run All Cells')")
            start, prompts, epochs_seen = time.time(), [], []
            while time.time() - start < timeout_s:
                prompts = page.eval_on_selector_all(
                    ".jp-NotebookPanel .jp-CodeCell .jp-InputArea-prompt", "ps => ps.map(p => p.textContent.trim())")
                if prompts and all(re.fullmatch(r"\[\d+\]:", p) for p in prompts):
                    break
                # The live training panel, while it runs: its epoch should move.
                for text in page.eval_on_selector_all(".jp-OutputArea-output pre", "ps => ps.map(p => p.textContent)"):
                    shown = [int(n) for n in re.findall(r"epoch\s+(\d+)/\d+", text)] if text.startswith("training ") else []
                    if shown and (not epochs_seen or epochs_seen[-1] != max(shown)):
                        epochs_seen.append(max(shown))
                time.sleep(0.5)
            else:
                failures.append(f"cells still running or not run after {timeout_s} s: {prompts}")
            if not (1 in epochs_seen and 2 in epochs_seen and epochs_seen.index(1) < epochs_seen.index(2)):
                failures.append(f"the live training panel did not move from epoch 1 to epoch 2 while training: saw {epochs_seen}")
            errors = page.eval_on_selector_all(
                ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']", "es => es.map(e => e.textContent)")
            errors = [e for e in errors if re.search(r"\berror\b", e, re.I)]
            if errors:
                failures.append("error output in the page: " + " | ".join(e[:500] for e in errors))
            found = page.evaluate(IMAGES)
            grids = [i for i in found["loaded"] if i["src"].startswith("data:image/png") and i["width"] >= 280]
            if not grids:
                failures.append(f"no reconstruction grid rendered in JupyterLab: {found}")
            else:
                # The largest PNG in the outputs: the grid of originals above reconstructions.
                index = page.eval_on_selector_all(
                    ".jp-OutputArea-output img[src^='data:image/png']",
                    "is => is.map(i => i.naturalWidth * i.naturalHeight).reduce((b, a, k, all) => a > all[b] ? k : b, 0)")
                grid = page.locator(".jp-OutputArea-output img[src^='data:image/png']").nth(index)
                grid.scroll_into_view_if_needed()
                stats = screenshot_stats(page, element=grid, path=shots / "lab-reconstructions.png")
                if stats["colours"] < 20:
                    failures.append(f"the reconstruction grid in JupyterLab is nearly flat: {stats}")
            print(f"make lab: {NOTEBOOK} ran all {len(prompts)} code cells in JupyterLab in {time.time() - start:.0f} s; "
                  f"{len(found['loaded'])} images rendered")
        except Exception as e:  # a timeout or a missing element: say where, keep a screenshot
            failures.append(f"JupyterLab run failed: {type(e).__name__}: {str(e)[:800]} (screenshot: {shots / 'lab-failure.png'})")
            page.screenshot(path=shots / "lab-failure.png")
        finally:
            browser.close()
    return failures


if __name__ == "__main__":
    main()
