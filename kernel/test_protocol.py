"""The Jupyter protocol suite kernel authors use, jupyter_kernel_test, against "Rust (libtorch)"
with a Rust sample for every test it has (`make test`)."""

import os
import pathlib
import unittest

ROOT_DIR = pathlib.Path(__file__).resolve().parent.parent
# Write only inside the repository (as kernel/run_notebooks.py): connection files, IPython's
# and Jupyter's folders under target/, not ~/.local or ~/.ipython.
for name, folder in (("JUPYTER_RUNTIME_DIR", "jupyter-runtime"), ("IPYTHONDIR", "ipython"),
                     ("JUPYTER_DATA_DIR", "jupyter-data"), ("JUPYTER_CONFIG_DIR", "jupyter-config")):
    os.environ.setdefault(name, str(ROOT_DIR / "target" / folder))

import jupyter_kernel_test as jkt  # noqa: E402

START_TIMEOUT = 1800


class RustLibtorchKernel(jkt.KernelTests):
    kernel_name = "rust-libtorch"
    language_name = "Rust"
    file_extension = ".rs"

    code_hello_world = 'println!("hello, world");'
    code_stderr = 'eprintln!("to stderr");'
    code_generate_error = 'let x: i32 = "not a number";'
    code_execute_result = [
        {"code": "6 * 7", "result": "42"},
        {"code": 'String::from("hi")', "result": '"hi"'},
        {"code": "vec![1, 2, 3]", "result": "[1, 2, 3]"},
    ]
    code_display_data = [
        {"code": 'aekit::display::display(&[aekit::display::Content::Text("shown".into())]);', "mime": "text/plain"},
        {"code": 'aekit::display::display(&[aekit::display::Content::Html("<b>shown</b>".into())]);', "mime": "text/html"},
    ]
    code_clear_output = "aekit::kernel::clear_output(false);"
    completion_samples = [{"text": "FashionMn", "matches": {"FashionMnist"}}]
    complete_code_samples = ["1 + 1", "fn f() {}", 'let s = "}";']
    incomplete_code_samples = ["fn f() {", "let v = vec![1,", 'let s = "open']
    invalid_code_samples = ["fn f() }", "let x = (1];"]
    supported_history_operations = ("tail", "range", "search")
    code_history_pattern = "6 *"
    code_inspect_sample = "std::vec::Vec"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The first cell waits for the engine's start-up (minutes on a fresh machine).
        msg_id = cls.kc.execute("1")
        reply = cls.kc.get_shell_msg(timeout=START_TIMEOUT)
        assert reply["parent_header"]["msg_id"] == msg_id and reply["content"]["status"] == "ok", reply


if __name__ == "__main__":
    unittest.main(verbosity=2)
