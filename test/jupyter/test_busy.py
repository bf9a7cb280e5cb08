"""The kernel's busy/idle status is on the wire when it should be, checked with jupyter_client.

A cell that blocks the kernel's thread for 2 s must still be announced at once: `status: busy`
and `execute_input` reach the client within 100 ms of the request, long before the cell's
output, and `status: idle` comes after its last output. Every request the messaging spec wraps
in busy/idle gets both, parented to it.

Run by `npm run test:jupyter` (Debian's python3, JUPYTER_PATH at the project's kernelspec).
"""
import os
import time
import unittest

from jupyter_client.manager import KernelManager

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# Blocks the thread for 2 s: synchronously at the cell's top level, and after an await (then the
# loop runs in a promise job, outside tslab's vm call).
BLOCK_SYNC = 'const t0 = Date.now();\nwhile (Date.now() - t0 < 2000) {}\nconsole.log("done");'
BLOCK_AFTER_AWAIT = 'await null;\nconst t1 = Date.now();\nwhile (Date.now() - t1 < 2000) {}\nconsole.log("done");'


def collect(kc, msg_id, timeout=60):
    """iopub messages of one request, each with the time it was received, up to its idle."""
    got = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            m = kc.get_iopub_msg(timeout=0.01)
        except Exception:
            continue
        now = time.monotonic()
        if m["parent_header"].get("msg_id") != msg_id:
            continue
        got.append((now, m))
        if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
            return got
    raise AssertionError(f"no idle for {msg_id} within {timeout} s; got {[m['msg_type'] for _, m in got]}")


def reply_for(kc, msg_id, timeout=10):
    """The shell reply to msg_id (earlier requests' replies are skipped)."""
    while True:
        m = kc.get_shell_msg(timeout=timeout)
        if m["parent_header"].get("msg_id") == msg_id:
            return m


def kind(m):
    if m["msg_type"] == "status":
        return "status:" + m["content"]["execution_state"]
    return m["msg_type"]


class BusyOnTheWire(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.km = KernelManager(kernel_name="rnnlab")
        cls.km.start_kernel(cwd=os.path.join(ROOT, "notebooks"))
        cls.kc = cls.km.blocking_client()
        cls.kc.start_channels()
        cls.kc.wait_for_ready(timeout=60)
        # A completion waits for the type checker, so the cells below are compiled as usual.
        cls.kc.complete("Mat", 3, reply=True, timeout=60)

    @classmethod
    def tearDownClass(cls):
        cls.kc.stop_channels()
        cls.km.shutdown_kernel(now=True)

    def drain(self):
        while True:
            try:
                self.kc.get_iopub_msg(timeout=0.2)
            except Exception:
                return

    def check_blocking_cell(self, code):
        self.drain()
        sent = time.monotonic()
        msg_id = self.kc.execute(code)
        got = collect(self.kc, msg_id)
        kinds = [kind(m) for _, m in got]
        self.assertEqual(kinds[:2], ["status:busy", "execute_input"], kinds)
        self.assertEqual(kinds[-1], "status:idle", kinds)
        busy_at, input_at = got[0][0] - sent, got[1][0] - sent
        output_at = next(t for t, m in got if m["msg_type"] == "stream") - sent
        # The protocol order is the point: busy and the input are out before the 2 s of blocking,
        # so well before the output; 100 ms is the front ends' budget for showing busy.
        self.assertLess(busy_at, 0.1, f"busy came {busy_at * 1000:.0f} ms after the request (output at {output_at * 1000:.0f} ms)")
        self.assertLess(input_at, 0.1, f"execute_input came {input_at * 1000:.0f} ms after the request")
        self.assertGreater(output_at, 1.5, "the cell's output came before its 2 s of blocking ended")
        self.assertEqual(reply_for(self.kc, msg_id)["content"]["status"], "ok")

    def test_busy_before_a_synchronously_blocking_cell(self):
        self.check_blocking_cell(BLOCK_SYNC)

    def test_busy_before_a_cell_that_blocks_after_an_await(self):
        self.check_blocking_cell(BLOCK_AFTER_AWAIT)

    def test_idle_after_the_last_output(self):
        self.drain()
        msg_id = self.kc.execute('for (let i = 0; i < 50; i++) console.log("line", i);\n"last"')
        kinds = [kind(m) for _, m in collect(self.kc, msg_id)]
        self.assertEqual(kinds[0], "status:busy")
        self.assertEqual(kinds[-2:], ["execute_result", "status:idle"], kinds)
        reply_for(self.kc, msg_id)

    def test_every_request_is_wrapped_in_busy_and_idle(self):
        requests = {
            "kernel_info": lambda: self.kc.kernel_info(),
            "complete": lambda: self.kc.complete("Math.fl", 7),
            "inspect": lambda: self.kc.inspect("Math.floor", 5),
            "is_complete": lambda: self.kc.is_complete("1 +"),
            "history": lambda: self.kc.history(hist_access_type="tail", n=3),
            "comm_info": lambda: self.kc.comm_info(),
            "execute": lambda: self.kc.execute("1 + 1"),
        }
        for name, send in requests.items():
            with self.subTest(request=name):
                self.drain()
                msg_id = send()
                kinds = [kind(m) for _, m in collect(self.kc, msg_id)]
                self.assertEqual(kinds[0], "status:busy", kinds)
                self.assertEqual(kinds[-1], "status:idle", kinds)
                self.assertEqual(kinds.count("status:busy"), 1, kinds)
                reply = reply_for(self.kc, msg_id)["content"]
                self.assertEqual(reply["status"], "incomplete" if name == "is_complete" else "ok", reply)


if __name__ == "__main__":
    unittest.main()
