"""nbclient and nbconvert drive the rnnlab kernel like graders and exports do.

- nbclient executes a notebook with plots, an error cell (allow_errors) and cells after it: the
  error carries ename and evalue, the later cells run, charts carry three mime types.
- The executed notebook is exported to HTML (rnnlab's exporter; nbconvert 6.5 strips SVG
  elements through lxml's cleaner, which the last test shows) and headless Chromium screenshots
  the page: the chart region must hold drawn, coloured pixels.
"""
import os
import shutil
import subprocess
import tempfile
import unittest
import zlib
import struct

import nbformat
from nbclient import NotebookClient
from nbconvert import HTMLExporter

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def execute(path):
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="rnnlab", allow_errors=True, resources={"metadata": {"path": HERE}}).execute()
    return nb


def png_pixels(path):
    """Decodes an 8-bit RGB/RGBA PNG (what Chromium writes) into rows of pixel tuples."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width, height, channels = 8, b"", 0, 0, 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color = struct.unpack(">IIBB", body[:10])
            assert depth == 8, depth
            channels = {2: 3, 6: 4}[color]
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, prev = [], bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - channels] if x >= channels else 0
            b = prev[x]
            c = prev[x - channels] if x >= channels else 0
            if f == 1: line[x] = (line[x] + a) & 255
            elif f == 2: line[x] = (line[x] + b) & 255
            elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append([tuple(line[i:i + 3]) for i in range(0, stride, channels)])
        prev = line
    return rows


class NbclientTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.nb = execute(os.path.join(HERE, "plots.ipynb"))

    def test_charts_carry_three_mime_types(self):
        outs = self.nb.cells[2].outputs
        self.assertEqual(outs[0].output_type, "execute_result")
        self.assertEqual(set(outs[0].data), {"application/vnd.vegalite.v5+json", "image/png", "text/plain"})
        self.assertEqual(self.nb.cells[2].execution_count, 2)

    def test_error_has_ename_and_evalue_and_later_cells_run(self):
        err = [o for o in self.nb.cells[4].outputs if o.output_type == "error"][0]
        self.assertEqual(err.ename, "RangeError")
        self.assertEqual(err.evalue, "this cell fails on purpose")
        self.assertTrue(err.traceback)
        after = self.nb.cells[5].outputs
        self.assertEqual(after[0].text, "cells after the error still run\n")
        self.assertEqual(after[1].data["text/plain"], "42")

    def screenshot(self, page, tmp):
        chromium = shutil.which("chromium") or shutil.which("chromium-browser")
        self.assertIsNotNone(chromium, "chromium is needed: apt-get install -y chromium")
        shot = os.path.join(tmp, "shot.png")
        subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        f"--user-data-dir={tmp}/profile", "--window-size=1000,2000", f"--screenshot={shot}", f"file://{page}"],
                       check=True, capture_output=True, timeout=60)
        return png_pixels(shot)

    def test_exported_html_draws_the_charts(self):
        tmp = os.environ.get("RNNLAB_SHOT_DIR") or tempfile.mkdtemp()
        executed = os.path.join(tmp, "plots.ipynb")
        nbformat.write(self.nb, executed)
        page = os.path.join(tmp, "plots.html")
        subprocess.run(["node", os.path.join(ROOT, "dist/runner/export.js"), executed, page], check=True, timeout=60)
        html = open(page).read()
        self.assertEqual(html.count('<div class="out png"><img'), 2, "both charts are PNG images")
        self.assertNotIn("http://", html.replace("http://www.w3.org", ""), "the page loads nothing from the network")
        rows = self.screenshot(page, tmp)
        ink = sum(1 for row in rows for p in row if p != (255, 255, 255))
        # vega's default palette: the blue series line and the heatmap's cells are strongly coloured.
        coloured = sum(1 for row in rows for (r, g, b) in row if max(r, g, b) - min(r, g, b) > 60)
        self.assertGreater(ink, 20000, "the page is blank")
        self.assertGreater(coloured, 2000, "no coloured chart marks were drawn")
        # The same page with the chart outputs removed has far fewer coloured pixels: they are the charts'.
        bare = os.path.join(tmp, "bare.html")
        import re
        open(bare, "w").write(re.sub(r'<div class="out png"><img[^>]*></div>', "", html, flags=re.S))
        bare_coloured = sum(1 for row in self.screenshot(bare, tmp) for (r, g, b) in row if max(r, g, b) - min(r, g, b) > 60)
        self.assertGreater(coloured - bare_coloured, 3000, "the charts add no coloured pixels")

    def test_nbconvert_html_has_the_png_output(self):
        # nbconvert 6.5 blanks inline SVG; the charts' static image is a PNG (test_exports.py
        # screenshots every plot of every export).
        html, _ = HTMLExporter().from_notebook_node(self.nb)
        self.assertEqual(html.count('<img src="data:image/png;base64,iVBORw0KGgo'), 2)
        self.assertNotIn('data-mime-type="image/svg+xml"', html)


if __name__ == "__main__":
    unittest.main()
