"""aekit's kernel "Rust (libtorch)" through jupyter_client, as JupyterLab drives it (`make test`).

Start-up order (kernel_info before the engine is ready), completion after the prelude, the live
training panel (display_data, then update_display_data from epoch 1 to epoch 2), an interrupt
during training (the model is kept), during a busy loop (the child restarts, the variables are
said lost), during a build (the variables are kept), the sockets on 127.0.0.1 only, and a
message with a bad signature dropped unrun.
"""

import json
import os
import pathlib
import queue
import sys
import tempfile
import time
import unittest

ROOT = pathlib.Path(__file__).resolve().parent.parent
# Write only inside the repository (as kernel/run_notebooks.py): connection files, IPython's
# and Jupyter's folders under target/, not ~/.local or ~/.ipython.
for name, folder in (("JUPYTER_RUNTIME_DIR", "jupyter-runtime"), ("IPYTHONDIR", "ipython"),
                     ("JUPYTER_DATA_DIR", "jupyter-data"), ("JUPYTER_CONFIG_DIR", "jupyter-config")):
    os.environ.setdefault(name, str(ROOT / "target" / folder))

import zmq
from jupyter_client.manager import KernelManager
from jupyter_client.session import Session

KERNEL = "rust-libtorch"
START_TIMEOUT = 1800  # a fresh machine builds aekit and tch in the engine's folder first

# A small run: 2,000 images of Fashion-MNIST, a small dense model.
TRAIN = """let data = FashionMnist::load()?;
let small = data.train.take(2000);
let mut model = Autoencoder::new(DenseConfig::standard(16), Device::Cpu)?;
let config = TrainConfig {{ epochs: {epochs}, batch_size: 100, verbose: true, ..Default::default() }};
"""


class Kernel:
    """One kernel process, its stderr in a file, a blocking client."""

    def __init__(self):
        self.log = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)
        self.km = KernelManager(kernel_name=KERNEL)
        self.km.start_kernel(cwd=str(ROOT / "notebooks"), stderr=self.log)
        self.kc = self.km.client()
        self.kc.start_channels()

    def stderr(self):
        return pathlib.Path(self.log.name).read_text()

    def run(self, code, timeout=600, on_message=None):
        """Executes `code`; (reply content, iopub messages of this request until idle)."""
        msg_id = self.kc.execute(code)
        messages = []
        deadline = time.time() + timeout
        while True:
            try:
                msg = self.kc.get_iopub_msg(timeout=max(1, deadline - time.time()))
            except queue.Empty:
                raise AssertionError(f"the cell was not done within {timeout} s; the kernel's log ends:\n{self.stderr()[-3000:]}") from None
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            messages.append(msg)
            if on_message:
                on_message(msg)
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                break
        return self.reply_to(msg_id, timeout)["content"], messages

    def reply_to(self, msg_id, timeout):
        """The shell reply to request `msg_id`; on a timeout, a failure that shows the kernel's log."""
        deadline = time.time() + timeout
        try:
            while True:
                reply = self.kc.get_shell_msg(timeout=max(1, deadline - time.time()))
                if reply["parent_header"].get("msg_id") == msg_id:
                    return reply
        except queue.Empty:
            raise AssertionError(f"no reply within {timeout} s; the kernel's log ends:\n{self.stderr()[-3000:]}") from None

    def wait_ready(self):
        reply, _ = self.run("1", timeout=START_TIMEOUT)
        assert reply["status"] == "ok", reply

    def close(self):
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)
        os.unlink(self.log.name)


def building(kernel_pid):
    """Whether a rustc runs under the kernel process."""
    parents, names = {}, {}
    for stat in pathlib.Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        pid = int(stat.parent.name)
        names[pid] = text[text.index("(") + 1:text.rindex(")")]
        parents[pid] = int(text[text.rindex(")") + 2:].split()[1])
    for pid, name in names.items():
        if name == "rustc":
            while pid in parents and pid != kernel_pid:
                pid = parents[pid]
            if pid == kernel_pid:
                return True
    return False


def text_of(messages, kinds=("stream",)):
    out = []
    for m in messages:
        if m["msg_type"] in kinds:
            c = m["content"]
            out.append(c.get("text") or c.get("data", {}).get("text/plain", ""))
    return "".join(out)


def result_text(messages):
    for m in messages:
        if m["msg_type"] == "execute_result":
            return m["content"]["data"].get("text/plain")
    return None


class KernelTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.k = Kernel()
        # An ordering, not a timing: the reply comes while the engine is still starting.
        cls.info = cls.k.kc.kernel_info(reply=True, timeout=60)
        cls.stderr_at_info = cls.k.stderr()
        cls.k.wait_ready()

    @classmethod
    def tearDownClass(cls):
        cls.k.close()

    def test_kernel_info_comes_before_the_engine_is_ready(self):
        self.assertEqual(self.info["content"]["implementation"], "aekit-kernel")
        self.assertNotIn("engine ready after", self.stderr_at_info)
        log = self.k.stderr()
        self.assertIn("kernel_info answered", log)
        self.assertLess(log.index("kernel_info answered"), log.index("engine ready after"), log)
        self.assertIn("(engine ready: false)", log)

    def test_completion_after_the_prelude(self):
        reply = self.k.kc.complete("Fashion", 7, reply=True, timeout=120)["content"]
        self.assertEqual(reply["status"], "ok")
        self.assertIn("FashionMnist", reply["matches"])

    def test_the_notebooks_dep_line_costs_nothing(self):
        reply, messages = self.k.run(':dep aekit = { path = "../crates/aekit" }\nlet n = FashionMnist::load()?.test.len();\nn')
        self.assertEqual(reply["status"], "ok", text_of(messages))
        self.assertEqual(result_text(messages), "10000")
        self.assertNotIn("Compiling", text_of(messages))

    def test_training_shows_a_live_panel(self):
        reply, messages = self.k.run(TRAIN.format(epochs=2) + "train(&mut model, &small, &data.validation.take(500), &config)?;")
        self.assertEqual(reply["status"], "ok", text_of(messages))
        shown = [m for m in messages if m["msg_type"] == "display_data" and m["content"].get("transient", {}).get("display_id")]
        self.assertTrue(shown, [m["msg_type"] for m in messages])
        panel = shown[0]["content"]["transient"]["display_id"]
        updates = [m["content"]["data"]["text/plain"] for m in messages
                   if m["msg_type"] == "update_display_data" and m["content"]["transient"]["display_id"] == panel]
        self.assertTrue(updates)
        first_one = next(i for i, t in enumerate(updates) if "epoch 1/2" in t)
        first_two = next(i for i, t in enumerate(updates) if "epoch 2/2" in t)
        self.assertLess(first_one, first_two)
        self.assertIn("<svg", [m for m in messages if m["msg_type"] == "update_display_data"][-1]["content"]["data"]["text/html"])

    def test_live_displays_of_different_cells_have_different_ids(self):
        # Each cell links its own copy of aekit (statics included): a counter alone would give
        # the second cell's display the first one's id, and its updates would overwrite it.
        cell = 'let shown = aekit::display::LiveDisplay::show(&[aekit::display::Content::Text("x".into())]);\nshown.id().to_string()'
        ids = []
        for _ in range(2):
            reply, messages = self.k.run(cell)
            self.assertEqual(reply["status"], "ok", text_of(messages) + str(reply))
            ids.append(result_text(messages))
        self.assertNotEqual(ids[0], ids[1])

    def test_an_interrupt_during_training_keeps_the_model(self):
        interrupted = []

        def on_message(msg):
            data = msg["content"].get("data", {})
            if not interrupted and msg["msg_type"] == "update_display_data" and "epoch 1/50: done" in data.get("text/plain", ""):
                interrupted.append(time.time())
                self.k.km.interrupt_kernel()

        code = TRAIN.format(epochs=50).replace("let mut model", "let mut kept").replace("..Default::default() }", "checkpoints: Some(Checkpoints::new(std::env::temp_dir().join(\"aekit-interrupt-test\"))), ..Default::default() }")
        # Variables made in the cell that fails are not kept (the engine's rule for `?`), so the
        # model comes first, as in the notebooks.
        reply, messages = self.k.run(code)
        self.assertEqual(reply["status"], "ok", reply)
        reply, messages = self.k.run("train(&mut kept, &small, &data.validation.take(500), &config)?;", on_message=on_message)
        self.assertTrue(interrupted, "the panel never showed epoch 1 done")
        self.assertEqual(reply["status"], "error")
        self.assertEqual(reply["ename"], "Interrupted")
        self.assertIn("every variable is kept", reply["evalue"])
        self.assertRegex(text_of(messages), r"interrupted after epoch \d+: the model holds the weights of epoch \d+, checkpointed")
        reply, messages = self.k.run("(kept.epochs_trained(), kept.forward(&data.test.samples.narrow(0, 0, 4))?.size())")
        self.assertEqual(reply["status"], "ok", text_of(messages))
        epochs, shape = result_text(messages).strip("()").split(", ", 1)
        self.assertGreaterEqual(int(epochs), 1)
        self.assertLess(int(epochs), 50)
        self.assertEqual(shape, "[4, 1, 28, 28]")

    def test_an_interrupt_during_a_build_keeps_the_variables(self):
        reply, _ = self.k.run("let before = 41;")
        self.assertEqual(reply["status"], "ok")
        # Slow to build in rustc (a constant evaluated at compile time), quick to analyse.
        slow = ("#[allow(long_running_const_eval)]\nconst SLOW: u64 = { let (mut i, mut s) = (0u64, 0u64); "
                "while i < 400_000_000 { s = s.wrapping_add(i ^ s); i += 1; } s };\nSLOW")
        msg_id = self.k.kc.execute(slow)
        deadline = time.time() + 120
        while not building(self.k.km.provisioner.process.pid) and time.time() < deadline:
            time.sleep(0.2)
        self.k.km.interrupt_kernel()
        reply = self.k.reply_to(msg_id, 120)
        self.assertEqual(reply["content"]["status"], "error", reply["content"])
        self.assertEqual(reply["content"]["ename"], "Interrupted")
        self.assertIn("build was stopped", reply["content"]["evalue"])
        reply, messages = self.k.run("before + 1")
        self.assertEqual(result_text(messages), "42")

    def test_a_message_with_a_bad_signature_is_not_run(self):
        marker = pathlib.Path(tempfile.gettempdir()) / f"aekit-unsigned-{os.getpid()}"
        info = self.k.km.get_connection_info()
        forged = Session(key=b"not-the-key", signature_scheme="hmac-sha256")
        socket = zmq.Context.instance().socket(zmq.DEALER)
        socket.connect(f"tcp://{info['ip']}:{info['shell_port']}")
        msg = forged.msg("execute_request", {"code": f'std::fs::write("{marker}", "ran").unwrap();', "silent": False,
                                              "store_history": True, "user_expressions": {}, "allow_stdin": False})
        forged.send(socket, msg)
        time.sleep(3)
        socket.close()
        reply, messages = self.k.run("6 * 7")
        self.assertEqual(result_text(messages), "42")
        self.assertFalse(marker.exists(), "the forged cell ran")
        self.assertIn("dropped a message on the shell socket, not run", self.k.stderr())

    def test_sockets_listen_on_127_0_0_1_only(self):
        info = self.k.km.get_connection_info()
        ports = {info[k] for k in ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port")}
        listening = {}
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            for line in pathlib.Path(table).read_text().splitlines()[1:]:
                local, state = line.split()[1], line.split()[3]
                address, port = local.rsplit(":", 1)
                if state == "0A" and int(port, 16) in ports:
                    listening[int(port, 16)] = address
        self.assertEqual(set(listening), ports)
        self.assertTrue(all(a == "0100007F" for a in listening.values()), listening)


class BusyLoopTests(unittest.TestCase):
    """Code that never checks for interrupts: the child restarts (its own kernel, last)."""

    def test_a_busy_loop_falls_back_to_a_restart(self):
        k = Kernel()
        try:
            k.wait_ready()
            self.assertEqual(k.run("let lost = 5;")[0]["status"], "ok")
            msg_id = k.kc.execute("loop { std::hint::spin_loop(); }")
            time.sleep(8)  # compiled (about a second) and running
            started = time.time()
            k.km.interrupt_kernel()
            reply = k.reply_to(msg_id, 60)
            self.assertEqual(reply["content"]["ename"], "Interrupted")
            self.assertIn("every variable was lost", reply["content"]["evalue"])
            self.assertLess(time.time() - started, 20)
            reply, messages = k.run("6 * 7")
            self.assertEqual(result_text(messages), "42", "the kernel is usable again")
            reply, _ = k.run("lost")
            self.assertEqual(reply["status"], "error", "the variable went with the child")
        finally:
            k.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
