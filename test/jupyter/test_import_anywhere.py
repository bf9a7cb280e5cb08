"""`import { LSTM, plot } from "rnnlab"` works in a brand-new notebook a learner creates in
notebooks/ or solutions/, with types and completion, in the rnnlab kernel and in stock tslab; and
in a folder outside the repository, with types, for the rnnlab kernel installed with
`npm run kernel:install -- --user`, `--prefix P` or `--sys-prefix` (each into a temporary place).

Each case writes a new notebook into the folder, runs it with nbclient (Jupyter starts kernels in
the notebook's folder, as here), and removes it.
"""
import os
import subprocess
import tempfile
import unittest

import nbformat
from jupyter_client.manager import start_new_kernel
from nbclient import NotebookClient

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

CELLS = [
    'import { LSTM, plot, ready } from "rnnlab";\nawait ready();\nconst lstm = new LSTM({ inputSize: 10, hiddenSize: 16, numLayers: 2 });\nconsole.log("params", lstm.parameterCount());',
    # A type error proves the library's types are loaded, not just its JavaScript.
    'const wrongOption: number = lstm.parameterCount() + "";',
]


def stock_tslab_jupyter_path():
    prefix = tempfile.mkdtemp(prefix="rnnlab-tslab-spec-")
    binary = os.path.join(ROOT, "node_modules/tslab/bin/tslab")
    subprocess.run(["node", os.path.join(ROOT, "node_modules/tslab/bin/tslab"), "install", "--prefix", prefix, "--binary", binary, "--python", "/usr/bin/python3"],
                   check=True, capture_output=True)
    return os.path.join(prefix, "share", "jupyter")


def has_own_rnnlab(folder):
    """Whether Node would find an rnnlab on its own from folder (a node_modules/rnnlab on the way up)."""
    while True:
        if os.path.exists(os.path.join(folder, "node_modules", "rnnlab")):
            return True
        if os.path.dirname(folder) == folder:
            return False
        folder = os.path.dirname(folder)


def outside_temp_dir(prefix):
    """A new folder outside the repository from which rnnlab does not resolve by itself (a shared
    /tmp may hold someone's node_modules)."""
    for base in [tempfile.gettempdir(), "/var/tmp", os.path.expanduser("~")]:
        if os.path.isdir(base) and os.access(base, os.W_OK) and not has_own_rnnlab(base) and not os.path.realpath(base).startswith(ROOT):
            return tempfile.mkdtemp(prefix=prefix, dir=base)
    raise AssertionError("no writable folder outside the repository without a node_modules/rnnlab above it")


def run_new_notebook(folder, kernel, env=None):
    path = os.path.join(ROOT, folder, f"zz-new-notebook-{os.getpid()}-{kernel}.ipynb")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in CELLS]
    nbformat.write(nb, path)
    saved = dict(os.environ)
    os.environ.update(env or {})
    try:
        NotebookClient(nb, timeout=120, kernel_name=kernel, allow_errors=True, resources={"metadata": {"path": os.path.dirname(path)}}).execute()
    finally:
        os.environ.clear()
        os.environ.update(saved)
        os.remove(path)
    text = lambda cell: "".join(o.get("text", "") + o.get("evalue", "") + "".join(o.get("traceback", [])) for o in cell.outputs)
    return text(nb.cells[0]), text(nb.cells[1])


class ImportAnywhere(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [stock_tslab_jupyter_path(), os.environ.get("JUPYTER_PATH")]))

    def check(self, folder, kernel):
        first, second = run_new_notebook(folder, kernel)
        # 2 layers: 4·16·(10+16+2) + 4·16·(16+16+2) = 1792 + 2176
        self.assertIn("params 3968", first)
        self.assertIn("is not assignable to type 'number'", second)

    def test_rnnlab_kernel_in_notebooks(self):
        self.check("notebooks", "rnnlab")

    def test_rnnlab_kernel_in_solutions(self):
        self.check("solutions", "rnnlab")

    def test_stock_tslab_in_notebooks(self):
        self.check("notebooks", "tslab")

    def install_outside(self, *args, env=None):
        """Installs the kernel with kernel:install's arguments; returns the environment that lets
        Jupyter find it and a notebook folder outside the repository."""
        tmp = outside_temp_dir("rnnlab-anywhere-")
        self.assertFalse(os.path.realpath(tmp).startswith(ROOT + os.sep))
        self.assertFalse(has_own_rnnlab(tmp))
        folder = os.path.join(tmp, "my-notebooks")
        os.makedirs(folder)
        install_env = {**os.environ, **(env or {})}
        out = subprocess.run(["node", os.path.join(ROOT, "dist/kernel/kernelspec.js"), *args], check=True, capture_output=True, text=True, cwd=tmp, env=install_env).stdout
        spec_dir = out.strip().split(" in ")[-1]
        self.assertTrue(os.path.isfile(os.path.join(spec_dir, "kernel.json")), out)
        # Only this installation: the project's own registration is not on the path.
        jupyter_env = {"JUPYTER_PATH": os.path.dirname(os.path.dirname(spec_dir)), "JUPYTER_DATA_DIR": os.path.join(tmp, "data")}
        return jupyter_env, folder

    def check_outside(self, jupyter_env, folder):
        # run_new_notebook joins ROOT with the folder; an absolute folder stays itself.
        first, second = run_new_notebook(folder, "rnnlab", env=jupyter_env)
        self.assertIn("params 3968", first)
        self.assertIn("is not assignable to type 'number'", second)

    def test_outside_the_repository_user_install(self):
        tmp = tempfile.mkdtemp(prefix="rnnlab-user-")
        env, folder = self.install_outside("--user", env={"JUPYTER_DATA_DIR": tmp})
        env["JUPYTER_DATA_DIR"] = tmp
        env["JUPYTER_PATH"] = ""
        self.check_outside(env, folder)

    def test_outside_the_repository_prefix_install(self):
        prefix = tempfile.mkdtemp(prefix="rnnlab-prefix-")
        env, folder = self.install_outside("--prefix", prefix)
        self.check_outside(env, folder)

    def test_outside_the_repository_sys_prefix_install(self):
        venv = tempfile.mkdtemp(prefix="rnnlab-venv-")
        env, folder = self.install_outside("--sys-prefix", env={"VIRTUAL_ENV": venv})
        self.assertTrue(env["JUPYTER_PATH"].startswith(venv))
        self.check_outside(env, folder)

    def test_completion_in_a_new_notebook(self):
        km, kc = start_new_kernel(kernel_name="rnnlab", cwd=os.path.join(ROOT, "notebooks"))
        try:
            kc.execute_interactive('import { LSTM, plot } from "rnnlab";', timeout=120)
            code = "plot.heat"
            reply = kc.complete(code, len(code), reply=True, timeout=60)["content"]
            self.assertIn("heatmap", reply["matches"])
            code = "new LSTM({ hidden"
            reply = kc.complete(code, len(code), reply=True, timeout=60)["content"]
            self.assertIn("hiddenSize", reply["matches"])
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)


if __name__ == "__main__":
    unittest.main()
