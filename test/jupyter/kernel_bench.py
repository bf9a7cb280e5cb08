"""`npm run bench:kernel:jupyter`: the rnnlab kernel and stock tslab timed with jupyter_client, as
Jupyter front ends and nbclient drive them, alternately, in the same run (not a test).

- start → first result: KernelManager.start_kernel, wait_for_ready, then `1 + 1` until its
  idle status (execute_interactive);
- trivial cell: `1 + 1` by execute_interactive, median of 30, once the rnnlab kernel's type
  checker has loaded (a completion request waits for it);
- import rnnlab: `import { ready } from "rnnlab"; await ready();`.
"""
import os
import statistics
import sys
import tempfile
import time
import subprocess

from jupyter_client.manager import KernelManager

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NOTEBOOKS = os.path.join(ROOT, "notebooks")


def stock_tslab_spec():
    prefix = tempfile.mkdtemp(prefix="rnnlab-bench-tslab-")
    binary = os.path.join(ROOT, "node_modules/tslab/bin/tslab")
    subprocess.run(["node", binary, "install", "--prefix", prefix, "--binary", binary, "--python", sys.executable], check=True, capture_output=True)
    return os.path.join(prefix, "share", "jupyter")


def sample(name):
    quiet = lambda _m: None
    t0 = time.perf_counter()
    km = KernelManager(kernel_name=name)
    km.start_kernel(cwd=NOTEBOOKS)
    kc = km.blocking_client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=60)
        first = kc.execute_interactive("1 + 1", output_hook=quiet, timeout=60)
        start_to_first = time.perf_counter() - t0
        assert first["content"]["status"] == "ok", first["content"]
        kc.complete("Mat", 3, reply=True, timeout=60)
        trivial = []
        for _ in range(30):
            t = time.perf_counter()
            kc.execute_interactive("1 + 1", output_hook=quiet, timeout=60)
            trivial.append(time.perf_counter() - t)
        t = time.perf_counter()
        imp = kc.execute_interactive('import { ready } from "rnnlab";\nawait ready();', output_hook=quiet, timeout=120)
        import_s = time.perf_counter() - t
        assert imp["content"]["status"] == "ok", imp["content"]
        return start_to_first, trivial, import_s
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def main():
    os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [os.environ.get("JUPYTER_PATH"), stock_tslab_spec()]))
    rows = {"rnnlab": [], "tslab": []}
    for _ in range(3):
        for name in rows:
            rows[name].append(sample(name))
    print("kernel   start → first result   trivial cell (median of 3×30)   import rnnlab cell   [jupyter_client]")
    med = {}
    for name, ss in rows.items():
        med[name] = (statistics.median(s[0] for s in ss), statistics.median(x for s in ss for x in s[1]), statistics.median(s[2] for s in ss))
        a, b, c = med[name]
        print(f"{name:8s} {a:12.2f} s {b * 1000:22.1f} ms {c:20.2f} s")
    r, p = med["rnnlab"], med["tslab"]
    print(f"\nrnnlab vs tslab, same run (>1 means rnnlab is faster): start → first result {p[0] / r[0]:.2f}×, trivial cell {p[1] / r[1]:.2f}×, import rnnlab {p[2] / r[2]:.2f}×")
    print("targets: start → first result ≤ 1.0 s; trivial cell ≤ 10 ms at the median")


if __name__ == "__main__":
    main()
