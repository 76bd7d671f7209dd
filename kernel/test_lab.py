"""Checks `make lab`: JupyterLab listens on 127.0.0.1 only, refuses requests without its token,
and offers the "Rust (libtorch)" kernel. Part of `make test`; about 10 seconds.

usage: python kernel/test_lab.py
"""
import json, os, pathlib, re, signal, socket, subprocess, sys, time, urllib.error, urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent


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
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(target / "jupyter-runtime"), IPYTHONDIR=str(target / "ipython"),
               JUPYTER_DATA_DIR=str(target / "jupyter-data"), JUPYTER_CONFIG_DIR=str(target / "jupyter-config"),
               JUPYTERLAB_WORKSPACES_DIR=str(target / "jupyter-workspaces"))
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
    finally:
        os.killpg(lab.pid, signal.SIGTERM)
        try:
            lab.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(lab.pid, signal.SIGKILL)
    for f in failures:
        print(f"make lab: {f}")
    print(f"make lab: {'FAILED' if failures else 'ok'} (127.0.0.1:{port}, token required, Rust (libtorch) offered)")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
