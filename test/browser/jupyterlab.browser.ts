/**
 * The course in JupyterLab 4 (from build/jupyterlab-venv) in headless Chromium, as a learner
 * uses it: a real course notebook (00-welcome) and a small notebook made for this test
 * (front-end-checks.ipynb, one cell per behaviour). Screenshots go to build/browser-screenshots/.
 *
 * The notebooks are copied into build/browser-test/work first: JupyterLab saves what it runs.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { differingPixels, elementInk, launchChromium, shoot } from "./chromium";
import { ROOT, startServer, type JupyterServer } from "./jupyter-server";
import { LabPage } from "./lab-page";

const WORK = path.join(ROOT, "build", "browser-test", "work-lab");
const COURSE = "00-welcome.ipynb";
const CHECKS = "front-end-checks.ipynb";
// front-end-checks.ipynb's cells
const IMPORT = 1;
const LIVE_TRAINING = 4;
const SYNC_TRAINING = 5;
const TRAIN_AGAIN = 6;
const AFTER_RESTART = 7;

let server: JupyterServer;
let browser: Browser;
let page: Page;
let lab: LabPage;

beforeAll(async () => {
  fs.rmSync(WORK, { recursive: true, force: true });
  fs.mkdirSync(WORK, { recursive: true });
  fs.copyFileSync(path.join(ROOT, "solutions", COURSE), path.join(WORK, COURSE));
  fs.copyFileSync(path.join(__dirname, CHECKS), path.join(WORK, CHECKS));
  server = await startServer("lab", WORK);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  lab = new LabPage(page, server);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** Runs every cell from the Run menu and waits for the last code cell. */
async function runAllFromMenu(): Promise<void> {
  await page.locator(".lm-MenuBar-itemLabel", { hasText: /^Run$/ }).click();
  await page.locator('li[data-command="runmenu:run-all"]').click();
  lab.expectRuns(await lab.codeCellCount());
  await lab.waitRunsDone(180_000);
}

describe("JupyterLab 4: a course notebook", () => {
  it("opens without unsaved changes, with the rnnlab kernel", async () => {
    await lab.open(COURSE);
    // The kernel has connected and sent its kernel_info (language_info) by now; give the page a
    // moment to apply it to the notebook's metadata.
    await page.waitForTimeout(1000);
    await shoot(page, "lab-00-opened");
    expect(await lab.dirty()).toBe(false);
    await expect.poll(() => lab.panel().locator(".jp-NotebookPanel-toolbar").innerText()).toContain("TypeScript (rnnlab)");
  });

  it("runs all cells: every plot drawn by JupyterLab's vega renderer, tables and maths rendered, no errors", async () => {
    await runAllFromMenu();
    const n = await lab.cells().count();
    const errors: string[] = [];
    for (let i = 0; i < n; i++) for (const e of await lab.errorsIn(i)) errors.push(`cell ${i}: ${e.slice(0, 300)}`);
    expect(errors).toEqual([]);

    const plots = lab.panel().locator(".jp-RenderedVegaCommon5");
    const count = await plots.count();
    // 00-welcome: a line chart, a heatmap, the live chart and the hidden-state explorer.
    expect(count).toBe(4);
    for (let i = 0; i < count; i++) {
      const plot = plots.nth(i);
      await plot.scrollIntoViewIfNeeded();
      expect(await plot.locator(".vega-embed canvas, .vega-embed svg.marks").count(), `plot ${i}: no canvas or SVG`).toBeGreaterThan(0);
      // vega-embed shows a failed spec as an error message instead of a chart.
      expect(await plot.innerText(), `plot ${i}`).not.toMatch(/error/i);
      const ink = await elementInk(page, plot.locator(".vega-embed canvas, .vega-embed svg.marks").first(), `lab-00-plot-${i}`);
      expect(ink.width, `plot ${i} width`).toBeGreaterThan(200);
      expect(ink.coloured, `plot ${i}: no coloured marks`).toBeGreaterThan(300);
    }
    // The static PNG is for other viewers: JupyterLab must not have fallen back to it.
    expect(await page.locator(".jp-Notebook .jp-RenderedImage").count()).toBe(0);

    const table = page.locator(".jp-Notebook .jp-RenderedHTML table.rnnlab-table");
    expect(await table.count()).toBeGreaterThanOrEqual(1);
    expect(await table.first().locator("tr").count()).toBeGreaterThanOrEqual(4);
    await shoot(table.first(), "lab-00-table");

    // Markdown maths: typeset (MathJax in JupyterLab), no TeX source left in the text.
    const math = page.locator(".jp-Notebook .jp-MarkdownOutput mjx-container, .jp-Notebook .jp-MarkdownOutput .katex");
    expect(await math.count()).toBeGreaterThanOrEqual(3);
    const markdownText = (await page.locator(".jp-Notebook .jp-MarkdownOutput").allInnerTexts()).join("\n");
    expect(markdownText).not.toMatch(/\\partial|\\tanh|\$\$/);
    await shoot(page.locator(".jp-Notebook .jp-MarkdownOutput").filter({ has: page.locator("mjx-container, .katex") }).first(), "lab-00-maths");
  });

  it("hidden-state explorer: a click on a step moves the selected column and changes the bar view", async () => {
    const explorer = lab.panel().locator(".jp-RenderedVegaCommon5").nth(3);
    await explorer.scrollIntoViewIfNeeded();
    const canvas = explorer.locator("canvas").first();
    const box = (await canvas.boundingBox())!;
    expect(box.width).toBeGreaterThan(600);
    // The layout vega draws: the heatmaps on the left half, the bar views on the right.
    const heatmaps = { x: box.x, y: box.y, width: box.width * 0.62, height: box.height };
    const bars = { x: box.x + box.width * 0.62, y: box.y, width: box.width * 0.38, height: box.height };
    const before = { heatmaps: await page.screenshot({ clip: heatmaps }), bars: await page.screenshot({ clip: bars }) };
    await shoot(explorer, "lab-explorer-before-click");
    // The second token ("keys") of the first heatmap: columns start about 80 px into the
    // canvas, each about 30 px wide; the first row of units starts about 65 px down.
    await canvas.click({ position: { x: 120, y: 130 } });
    await page.waitForTimeout(500);
    await shoot(explorer, "lab-explorer-after-click");
    const after = { heatmaps: await page.screenshot({ clip: heatmaps }), bars: await page.screenshot({ clip: bars }) };
    expect(await differingPixels(page, before.heatmaps, after.heatmaps), "the selected column did not move").toBeGreaterThan(100);
    expect(await differingPixels(page, before.bars, after.bars), "the bar view did not change").toBeGreaterThan(300);
  });
});

describe("JupyterLab 4: training, busy state, interrupt and restart", () => {
  beforeAll(async () => {
    // A page of its own, and the course notebook's kernel shut down.
    await page.close();
    await server.shutdownSessions();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    lab = new LabPage(page, server);
  });

  it("opens the checks notebook clean and runs the setup, a chart and a table", async () => {
    await lab.open(CHECKS);
    await page.waitForTimeout(1000);
    expect(await lab.dirty()).toBe(false);
    for (let i = IMPORT; i < LIVE_TRAINING; i++) {
      await lab.runCell(i);
      await lab.waitCellDone(i);
    }
    for (let i = IMPORT; i < LIVE_TRAINING; i++) expect(await lab.errorsIn(i)).toEqual([]);
    expect(await lab.cell(2).locator(".jp-RenderedVegaCommon5 canvas").count()).toBe(1);
    expect(await lab.cell(3).locator("table.rnnlab-table tr").count()).toBe(4);
  });

  it("a live training chart and progress bar update while the cell runs, and end in the final state", async () => {
    const cell = lab.cell(LIVE_TRAINING);
    await lab.runCell(LIVE_TRAINING);
    const progressTexts = new Set<string>();
    const chartFrames = new Set<string>();
    let shotMidway = false;
    const deadline = Date.now() + 60_000;
    while (!(await lab.runsDone())) {
      if (Date.now() > deadline) throw new Error("the live training cell did not end within 60 s");
      const progress = cell.locator(".jp-RenderedHTML", { hasText: /step/ });
      if (await progress.count()) progressTexts.add((await progress.first().innerText()).trim());
      const chart = cell.locator(".jp-RenderedVegaCommon5 canvas");
      // Each redraw replaces the canvas; one caught mid-replacement is skipped.
      const frame = await chart
        .first()
        .screenshot({ timeout: 2000 })
        .catch(() => undefined);
      if (frame) {
        chartFrames.add(frame.toString("base64"));
        if (!shotMidway && progressTexts.size >= 3) {
          await shoot(cell, "lab-live-training-midway");
          shotMidway = true;
        }
      }
      await page.waitForTimeout(250);
    }
    await page.waitForTimeout(300);
    await shoot(cell, "lab-live-training-done");
    const midway = [...progressTexts].filter((t) => !t.includes("40/40"));
    expect(midway.length, `progress while running: ${[...progressTexts].join(" | ")}`).toBeGreaterThanOrEqual(3);
    expect(chartFrames.size, "distinct live chart frames while running").toBeGreaterThanOrEqual(3);
    const final = await cell.locator(".jp-OutputArea").innerText();
    expect(final).toMatch(/40\/40/);
    expect(final).toMatch(/live training done: w = 2\.\d{3}/);
    expect(await lab.errorsIn(LIVE_TRAINING)).toEqual([]);
  });

  it("while a synchronous training cell runs, the server and the status bar report the kernel busy; the toolbar interrupts it", async () => {
    await lab.waitRunsDone();
    await lab.runCell(SYNC_TRAINING);
    await page.waitForTimeout(2500);
    const kernel = await server.api<{ id: string; execution_state: string }>(`/api/kernels/${await lab.kernelId()}`);
    const statusBar = await page.locator(".jp-StatusBar-Widget").innerText();
    await shoot(page, "lab-sync-cell-running");
    // Issue 19: the kernel must say busy before the cell's code starts blocking its event loop.
    expect.soft(kernel.execution_state, "REST /api/kernels/<id> while a synchronous cell runs").toBe("busy");
    expect.soft(statusBar, "status bar while a synchronous cell runs").toMatch(/TypeScript \(rnnlab\) \| Busy/);

    await lab.panel().locator('.jp-NotebookPanel-toolbar [data-command="notebook:interrupt-kernel"]').click();
    await lab.waitCellDone(SYNC_TRAINING, 30_000);
    await lab.waitKernelIdle(30_000);
    const out = await lab.outputText(SYNC_TRAINING);
    expect(out).not.toContain("not interrupted");
    expect(out).toMatch(/interrupt/i);
    await shoot(lab.cell(SYNC_TRAINING), "lab-sync-cell-interrupted");
  });

  it("after the interrupt, another training cell runs to the end", async () => {
    await lab.runCell(TRAIN_AGAIN);
    await lab.waitCellDone(TRAIN_AGAIN);
    await shoot(lab.cell(TRAIN_AGAIN), "lab-training-after-interrupt");
    expect(await lab.errorsIn(TRAIN_AGAIN)).toEqual([]);
    expect(await lab.outputText(TRAIN_AGAIN)).toContain("second training: w = 3.000");
  });

  it("restarts the kernel from the Kernel menu, then runs a cell", async () => {
    await page.locator(".lm-MenuBar-itemLabel", { hasText: /^Kernel$/ }).click();
    await page.locator('li[data-command="kernelmenu:restart"]').click();
    await page.locator(".jp-Dialog button.jp-mod-accept").click();
    await page.waitForTimeout(1000);
    await lab.waitKernelIdle(60_000);
    await lab.runCell(AFTER_RESTART);
    await lab.waitCellDone(AFTER_RESTART);
    await lab.cell(AFTER_RESTART).scrollIntoViewIfNeeded();
    await shoot(page, "lab-after-restart");
    expect(await lab.outputText(AFTER_RESTART)).toContain("after restart: 42");
    expect(await lab.errorsIn(AFTER_RESTART)).toEqual([]);
  });
});
