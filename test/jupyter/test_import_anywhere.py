"""`import { LSTM, plot } from "rnnlab"` works in a brand-new notebook a learner creates in
notebooks/ or solutions/, with types and completion, in the rnnlab kernel and in stock tslab.

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


def run_new_notebook(folder, kernel):
    path = os.path.join(ROOT, folder, f"zz-new-notebook-{os.getpid()}-{kernel}.ipynb")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in CELLS]
    nbformat.write(nb, path)
    try:
        NotebookClient(nb, timeout=120, kernel_name=kernel, allow_errors=True, resources={"metadata": {"path": os.path.dirname(path)}}).execute()
    finally:
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
