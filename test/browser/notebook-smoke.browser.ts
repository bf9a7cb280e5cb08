/**
 * Smoke test of a course notebook (00-welcome) in Notebook 7 (from build/jupyterlab-venv) and in
 * Debian's classic Notebook 6.4: it opens without unsaved changes, every cell runs from the menu
 * without an error, and every plot is visible (Notebook 7 draws them with the vega renderer; the
 * classic Notebook, which has none for vega-lite 5, shows the PNG in the bundle).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { elementInk, launchChromium, shoot } from "./chromium";
import { ROOT, startServer, type JupyterServer } from "./jupyter-server";
import { LabPage } from "./lab-page";

const COURSE = "00-welcome.ipynb";
// 00-welcome: a line chart, a heatmap, the live chart and the hidden-state explorer.
const PLOTS = 4;

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

function workFolder(kind: string): string {
  const work = path.join(ROOT, "build", "browser-test", `work-${kind}`);
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
  fs.copyFileSync(path.join(ROOT, "solutions", COURSE), path.join(work, COURSE));
  return work;
}

describe("Notebook 7", () => {
  let server: JupyterServer;
  let page: Page;
  beforeAll(async () => {
    server = await startServer("notebook7", workFolder("notebook7"));
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  });
  afterAll(async () => {
    await page?.close();
    await server?.stop();
  });

  it("opens 00-welcome clean, runs all cells from the menu, and shows every plot", async () => {
    const nb = new LabPage(page, server);
    await nb.open(COURSE);
    await page.waitForTimeout(1000);
    await shoot(page, "notebook7-00-opened");
    expect(await nb.dirty()).toBe(false);

    await page.locator(".lm-MenuBar-itemLabel", { hasText: /^Run$/ }).click();
    await page.locator('li[data-command="runmenu:run-all"]').click();
    nb.expectRuns(await nb.codeCellCount());
    await nb.waitRunsDone(180_000);

    const n = await nb.cells().count();
    const errors: string[] = [];
    for (let i = 0; i < n; i++) for (const e of await nb.errorsIn(i)) errors.push(`cell ${i}: ${e.slice(0, 300)}`);
    expect(errors).toEqual([]);
    const plots = nb.panel().locator(".jp-RenderedVegaCommon5");
    expect(await plots.count()).toBe(PLOTS);
    for (let i = 0; i < PLOTS; i++) {
      const drawn = plots.nth(i).locator(".vega-embed canvas, .vega-embed svg.marks").first();
      await drawn.scrollIntoViewIfNeeded();
      const ink = await elementInk(page, drawn, `notebook7-00-plot-${i}`);
      expect(ink.coloured, `plot ${i}: no coloured marks`).toBeGreaterThan(300);
    }
  });
});

describe("classic Notebook 6.4 (Debian)", () => {
  let server: JupyterServer;
  let page: Page;
  beforeAll(async () => {
    server = await startServer("classic", workFolder("classic"));
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  });
  afterAll(async () => {
    await page?.close();
    await server?.stop();
  });

  it("opens 00-welcome without '(unsaved changes)', runs all cells from the Cell menu, and shows every plot as an image", async () => {
    await page.goto(`${server.url}/notebooks/${COURSE}?token=${server.token}`);
    await page.locator("#kernel_indicator_icon.kernel_idle_icon").waitFor({ timeout: 120_000 });
    // The kernel's kernel_info has been applied to the metadata by now; it marks the notebook
    // changed when the two differ.
    await page.waitForTimeout(1500);
    await shoot(page, "classic-00-opened");
    expect(await page.locator("span.autosave_status").innerText()).not.toContain("unsaved");
    expect(await page.evaluate(() => (window as unknown as { IPython: { notebook: { dirty: boolean } } }).IPython.notebook.dirty)).toBe(false);

    await page.locator("#menus a.dropdown-toggle", { hasText: /^Cell$/ }).click();
    await page.locator("#run_all_cells a").click();
    // The classic Notebook shows In [*] from the moment it sends a cell until its reply.
    const prompts = page.locator("#notebook .code_cell .input_prompt");
    const count = await prompts.count();
    const deadline = Date.now() + 180_000;
    for (;;) {
      const texts = await prompts.allInnerTexts();
      if (texts.length === count && texts.every((t) => /In\s*\[\d+\]/.test(t))) break;
      if (Date.now() > deadline) throw new Error(`cells still running after 180 s: ${texts.join(" ")}`);
      await page.waitForTimeout(300);
    }
    const errors = await page.locator("#notebook .output_error, #notebook .output_stderr").allInnerTexts();
    expect(errors).toEqual([]);
    const images = page.locator("#notebook .output_png img");
    expect(await images.count()).toBe(PLOTS);
    for (let i = 0; i < PLOTS; i++) {
      await images.nth(i).scrollIntoViewIfNeeded();
      const ink = await elementInk(page, images.nth(i), `classic-00-plot-${i}`);
      expect(ink.width, `plot ${i} width`).toBeGreaterThan(200);
      expect(ink.coloured, `plot ${i}: no coloured marks`).toBeGreaterThan(300);
    }
  });
});
