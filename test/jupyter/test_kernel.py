"""jupyter_kernel_test against the rnnlab kernel, every sample configured.

Run by `npm run test:jupyter` with Debian's python3-jupyter-kernel-test; JUPYTER_PATH points at
the project-local kernelspec and the working directory is the repository, where
`import "rnnlab"` resolves.
"""
import unittest

import jupyter_kernel_test as jkt

DISPLAY = 'import { display } from "rnnlab";\ndisplay({ [Symbol.for("rnnlab.mimebundle")]: () => ({ "text/plain": "hi", "text/html": "<b>hi</b>" }) });'


class RnnlabKernelTests(jkt.KernelTests):
    kernel_name = "rnnlab"
    language_name = "typescript"
    file_extension = ".ts"

    code_hello_world = 'console.log("hello, world")'
    code_stderr = 'console.error("oops")'
    code_generate_error = 'throw new RangeError("boom")'

    completion_samples = [
        {"text": "Math.fl", "matches": {"floor"}},
        {"text": "const numbers = [1, 2]; numbers.fil", "matches": {"fill", "filter"}},
    ]
    complete_code_samples = ["1 + 1", "let x = 1", "function f() { return 1; }"]
    incomplete_code_samples = ["function f() {", "const a = [1,", "if (true) {"]
    invalid_code_samples = ["1 +* 2", "let = ;", "}"]

    code_execute_result = [{"code": "6 * 7", "result": "42"}]
    code_display_data = [{"code": DISPLAY, "mime": "text/html"}, {"code": DISPLAY, "mime": "text/plain"}]
    code_history_pattern = "6 ? 7"
    supported_history_operations = ("tail", "range", "search")
    code_inspect_sample = "Math.floor"
    code_clear_output = 'import { clearOutput } from "rnnlab";\nclearOutput();'


if __name__ == "__main__":
    unittest.main()
