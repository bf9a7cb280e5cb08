"""A real Jupyter server sees the rnnlab kernel busy while a blocking cell runs.

Starts Debian's classic Notebook server (6.4) on 127.0.0.1 with a token, starts the kernel
through its REST API, runs a cell that blocks the kernel's thread for 3 s over the server's
websocket, as a browser would, and polls `GET /api/kernels/<id>` meanwhile: the server's
`execution_state` (kept from the kernel's iopub status messages, and what culling and the
front ends' indicator go by) must read busy while the cell runs and idle after it.

Run by `npm run test:jupyter` (JUPYTER_PATH at the project's kernelspec).
"""
import asyncio
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import uuid

from tornado.httpclient import AsyncHTTPClient, HTTPRequest
from tornado.websocket import websocket_connect

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BLOCK = 'const t0 = Date.now();\nwhile (Date.now() - t0 < 3000) {}\n"done"'


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def execute_request(code):
    return {
        "header": {"msg_id": uuid.uuid4().hex, "msg_type": "execute_request", "username": "test", "session": uuid.uuid4().hex, "version": "5.3", "date": ""},
        "parent_header": {},
        "metadata": {},
        "content": {"code": code, "silent": False, "store_history": True, "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
        "channel": "shell",
        "buffers": [],
    }


class ServerSeesBusy(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.port = free_port()
        cls.token = secrets.token_hex(16)
        cls.home = tempfile.mkdtemp(prefix="rnnlab-server-")
        env = dict(os.environ, HOME=cls.home, JUPYTER_RUNTIME_DIR=os.path.join(cls.home, "runtime"), JUPYTER_CONFIG_DIR=os.path.join(cls.home, "config"))
        cls.log = open(os.path.join(cls.home, "server.log"), "wb")
        cls.server = subprocess.Popen(
            [sys.executable, "-m", "notebook", "--no-browser", "--ip=127.0.0.1", f"--port={cls.port}", "--port-retries=0", "--allow-root",
             f"--NotebookApp.token={cls.token}", f"--notebook-dir={os.path.join(ROOT, 'notebooks')}"],
            env=env, stdout=cls.log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if cls.server.poll() is not None:
                raise AssertionError(f"the notebook server exited: {open(os.path.join(cls.home, 'server.log')).read()[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", cls.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        raise AssertionError("the notebook server did not listen within 60 s")

    @classmethod
    def tearDownClass(cls):
        cls.server.terminate()
        cls.server.wait(timeout=30)
        cls.log.close()

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    async def rest(self, method, path, body=None):
        req = HTTPRequest(self.url(path), method=method, headers={"Authorization": f"token {self.token}"}, body=None if body is None else json.dumps(body))
        res = await AsyncHTTPClient().fetch(req)
        return json.loads(res.body) if res.body else None

    async def run_and_poll(self):
        kernel = await self.rest("POST", "/api/kernels", {"name": "rnnlab"})
        kid = kernel["id"]
        try:
            ws = await websocket_connect(f"ws://127.0.0.1:{self.port}/api/kernels/{kid}/channels?token={self.token}")
            # Wait for the kernel to be ready: a first cell's reply.
            warm = execute_request("1 + 1")
            ws.write_message(json.dumps(warm))
            while True:
                m = json.loads(await ws.read_message())
                if m["channel"] == "shell" and m["parent_header"].get("msg_id") == warm["header"]["msg_id"]:
                    break
            await asyncio.sleep(0.5)
            before = (await self.rest("GET", f"/api/kernels/{kid}"))["execution_state"]
            req = execute_request(BLOCK)
            ws.write_message(json.dumps(req))
            sent = time.monotonic()
            states = []
            replied = asyncio.ensure_future(self.wait_reply(ws, req["header"]["msg_id"]))
            while not replied.done():
                states.append((time.monotonic() - sent, (await self.rest("GET", f"/api/kernels/{kid}"))["execution_state"]))
                await asyncio.sleep(0.1)
            reply = await replied
            await asyncio.sleep(0.5)
            after = (await self.rest("GET", f"/api/kernels/{kid}"))["execution_state"]
            ws.close()
            return before, states, reply, after
        finally:
            await self.rest("DELETE", f"/api/kernels/{kid}")

    async def wait_reply(self, ws, msg_id):
        while True:
            m = json.loads(await ws.read_message())
            if m["channel"] == "shell" and m["parent_header"].get("msg_id") == msg_id:
                return m

    def test_execution_state_reads_busy_while_a_blocking_cell_runs(self):
        before, states, reply, after = asyncio.run(asyncio.wait_for(self.run_and_poll(), 120))
        self.assertEqual(before, "idle")
        self.assertEqual(reply["content"]["status"], "ok", reply["content"])
        # The polls while the cell blocked (the first 2.5 s of its 3): every one must read busy.
        during = [s for t, s in states if 0.3 < t < 2.5]
        self.assertTrue(during, states)
        self.assertEqual(set(during), {"busy"}, states)
        self.assertEqual(after, "idle")


if __name__ == "__main__":
    unittest.main()
