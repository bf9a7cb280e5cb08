"""`npm run bench:kernel:jupyter`: the rnnlab kernel, stock tslab and Deno's kernel timed with
jupyter_client, as Jupyter front ends and nbclient drive them, in turn, in the same run (not a test).

- start → first result: KernelManager.start_kernel, wait_for_ready, then `1 + 1` until its
  idle status (execute_interactive);
- same cell: `1 + 1` again and again by execute_interactive, once the kernel's type checker has
  loaded (a completion request waits for it); the rnnlab kernel compiles it once and reuses that;
- new cell: `N + 1` with a different N each time, so every kernel compiles every one;
- import rnnlab: `import { ready } from "rnnlab"; await ready();` (not for Deno, which resolves
  npm packages its own way).

The machine is shared, so the ratios against tslab measured in the same run are the figures to
compare; the load average is printed before and after.

    npm run bench:kernel:jupyter -- [--starts N] [--cells N]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

from jupyter_client.manager import KernelManager

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NOTEBOOKS = os.path.join(ROOT, "notebooks")
KERNELS = ["rnnlab", "tslab", "deno"]


def stock_tslab_spec():
    binary = os.path.join(ROOT, "node_modules/tslab/bin/tslab")
    prefix = tempfile.mkdtemp(prefix="rnnlab-bench-tslab-")
    subprocess.run(["node", binary, "install", "--prefix", prefix, "--binary", binary, "--python", sys.executable], check=True, capture_output=True)
    return os.path.join(prefix, "share", "jupyter")


def deno_spec():
    """Deno's kernel from the npm package `deno` (a devDependency), in a temporary JUPYTER_PATH."""
    found = subprocess.run(["node", "-e", 'process.stdout.write(require("deno/install_api.cjs").runInstall())'], cwd=ROOT, capture_output=True, text=True)
    if found.returncode != 0 or not os.access(found.stdout, os.X_OK):
        sys.exit(f"bench:kernel:jupyter: deno: expected the npm package `deno` (a devDependency; run `npm ci`) to provide the deno binary, got: {found.stderr.strip() or found.stdout!r}")
    data_dir = tempfile.mkdtemp(prefix="rnnlab-bench-deno-")
    spec_dir = os.path.join(data_dir, "kernels", "deno")
    os.makedirs(spec_dir)
    spec = {
        "argv": [found.stdout, "jupyter", "--kernel", "--conn", "{connection_file}"],
        "display_name": "Deno",
        "language": "typescript",
        # Offline: no update check; no colour codes in results.
        "env": {"DENO_NO_UPDATE_CHECK": "1", "NO_COLOR": "1"},
    }
    with open(os.path.join(spec_dir, "kernel.json"), "w") as f:
        json.dump(spec, f)
    return data_dir


def timed_cells(kc, codes):
    quiet = lambda _m: None
    times = []
    for code in codes:
        t = time.perf_counter()
        r = kc.execute_interactive(code, output_hook=quiet, timeout=60)
        times.append(time.perf_counter() - t)
        assert r["content"]["status"] == "ok", (code, r["content"])
    return times


class Counter:
    """Numbers for the new cells, never repeated within a run."""
    n = 1000


def sample(name, cells):
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
        same = timed_cells(kc, ["1 + 1"] * cells)
        fresh = []
        for _ in range(cells):
            Counter.n += 1
            fresh.append(f"{Counter.n} + 1")
        new = timed_cells(kc, fresh)
        import_s = None
        if name != "deno":
            t = time.perf_counter()
            imp = kc.execute_interactive('import { ready } from "rnnlab";\nawait ready();', output_hook=quiet, timeout=120)
            import_s = time.perf_counter() - t
            assert imp["content"]["status"] == "ok", imp["content"]
        return start_to_first, same, new, import_s
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def p90(xs):
    return statistics.quantiles(xs, n=10)[8]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--starts", type=int, default=3, help="kernel starts per kernel (default 3)")
    ap.add_argument("--cells", type=int, default=40, help="same cells and new cells per start (default 40)")
    args = ap.parse_args()
    if args.starts < 1 or args.cells < 2:
        ap.error(f"--starts: expected ≥ 1, got {args.starts}; --cells: expected ≥ 2, got {args.cells}")
    os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [os.environ.get("JUPYTER_PATH"), stock_tslab_spec(), deno_spec()]))
    load_before = os.getloadavg()
    rows = {name: [] for name in KERNELS}
    failures = {name: [] for name in KERNELS}
    for _ in range(args.starts):
        for name in KERNELS:
            # A kernel that dies in one start (stock tslab does, now and then, on a throw from
            # TypeScript's file watcher) is reported, and its other starts still count.
            try:
                rows[name].append(sample(name, args.cells))
            except Exception as err:
                failures[name].append(f"{type(err).__name__}: {err}")
    load_after = os.getloadavg()
    for name, fs in failures.items():
        for f in fs:
            print(f"{name}: a start failed and is left out: {f[:200]}")
    if any(not ss for ss in rows.values()):
        sys.exit(f"bench:kernel:jupyter: no start succeeded for {[n for n, ss in rows.items() if not ss]}")

    print(f"[jupyter_client; {args.starts} starts × {args.cells} cells of each kind per kernel; load average {load_before[0]:.2f} before, {load_after[0]:.2f} after]")
    print(f"{'kernel':8s} {'start → first':>14s} {'same cell median / p90':>24s} {'new cell median / p90':>23s} {'import rnnlab':>14s}")
    figures = {}
    for name, ss in rows.items():
        same = [x for s in ss for x in s[1]]
        new = [x for s in ss for x in s[2]]
        imports = [s[3] for s in ss if s[3] is not None]
        f = {
            "start": statistics.median(s[0] for s in ss),
            "same": statistics.median(same), "same90": p90(same),
            "new": statistics.median(new), "new90": p90(new),
            "import": statistics.median(imports) if imports else None,
        }
        figures[name] = f
        imp = f"{f['import']:12.2f} s" if f["import"] is not None else f"{'—':>14s}"
        print(f"{name:8s} {f['start']:12.2f} s {f['same'] * 1000:11.1f} / {f['same90'] * 1000:5.1f} ms {f['new'] * 1000:10.1f} / {f['new90'] * 1000:5.1f} ms {imp}")
    t = figures["tslab"]
    print("\nagainst stock tslab in this run (tslab's time / the kernel's: >1 means faster than tslab):")
    for name in ("rnnlab", "deno"):
        f = figures[name]
        imp = f", import rnnlab {t['import'] / f['import']:.2f}×" if f["import"] else ""
        print(f"  {name:6s} start → first {t['start'] / f['start']:.2f}×, same cell {t['same'] / f['same']:.2f}× (p90 {t['same90'] / f['same90']:.2f}×), new cell {t['new'] / f['new']:.2f}× (p90 {t['new90'] / f['new90']:.2f}×){imp}")
    print("targets: start → first result ≤ 0.75 s; a trivial cell's median no slower than stock tslab's")


if __name__ == "__main__":
    main()
