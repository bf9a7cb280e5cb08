/**
 * Every export of an executed course notebook shows every plot: HTML from Debian's nbconvert 6.5
 * (whose sanitiser blanked inline SVG), HTML from the nbconvert 7 pip installs, and the course's
 * own site (`npm run course`). Each page is opened in headless Chromium and each plot image is
 * screenshotted on its own: it must be as wide as a chart and carry coloured marks, so a blank
 * or missing plot fails. The executed notebook comes from the course runner, on 00-welcome.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { elementInk, launchChromium, shoot } from "./chromium";
import { ROOT } from "./jupyter-server";

const OUT = path.join(ROOT, "build", "browser-test", "exports");
const EXECUTED = path.join(OUT, "course", "00-welcome.ipynb");
// 00-welcome: a line chart, a heatmap, the live chart and the hidden-state explorer.
const PLOTS = 4;

let browser: Browser;
let page: Page;

beforeAll(async () => {
  fs.rmSync(OUT, { recursive: true, force: true });
  execFileSync("node", [path.join(ROOT, "dist/runner/course.js"), "--only", "00", "--out", path.join(OUT, "course")], { stdio: "inherit", timeout: 170_000 });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
});

afterAll(async () => {
  await browser?.close();
});

function nbconvert(python: string, name: string, notebook = EXECUTED): string {
  const dir = path.join(OUT, name);
  execFileSync(python, ["-m", "nbconvert", "--to", "html", notebook, "--output-dir", dir], { stdio: "pipe", timeout: 120_000 });
  return path.join(dir, path.basename(notebook).replace(/\.ipynb$/, ".html"));
}

/** Opens the page and checks each plot image; returns how many plots were visible. */
async function visiblePlots(file: string, selector: string, name: string): Promise<{ found: number; visible: number }> {
  await page.goto(`file://${file}`);
  const plots = page.locator(selector);
  const found = await plots.count();
  let visible = 0;
  for (let i = 0; i < found; i++) {
    await plots.nth(i).scrollIntoViewIfNeeded();
    const ink = await elementInk(page, plots.nth(i), `${name}-plot-${i}`);
    if (ink.width > 200 && ink.coloured > 300) visible++;
  }
  await shoot(page, `${name}-page`);
  return { found, visible };
}

// Output images in nbconvert's lab template.
const NBCONVERT_PLOTS = ".jp-OutputArea-output img, .jp-OutputArea-output svg";

describe("HTML exports of an executed course notebook", () => {
  it("Debian's nbconvert 6.5 (--to html) shows every plot", async () => {
    const html = nbconvert("/usr/bin/python3", "nbconvert-debian");
    expect(await visiblePlots(html, NBCONVERT_PLOTS, "export-nbconvert-debian")).toEqual({ found: PLOTS, visible: PLOTS });
  });

  it("pip's nbconvert 7 (--to html, build/jupyterlab-venv) shows every plot", async () => {
    const python = path.join(ROOT, "build", "jupyterlab-venv", "bin", "python");
    expect(fs.existsSync(python), `${python}: run npm run setup:lab`).toBe(true);
    const html = nbconvert(python, "nbconvert-pip");
    expect(await visiblePlots(html, NBCONVERT_PLOTS, "export-nbconvert-pip")).toEqual({ found: PLOTS, visible: PLOTS });
  });

  it("the course's own HTML site (npm run course) shows every plot", async () => {
    const html = path.join(OUT, "course", "00-welcome.html");
    expect(await visiblePlots(html, ".out.png img, .out.svg svg", "export-course-site")).toEqual({ found: PLOTS, visible: PLOTS });
  });

  it("the check fails on an empty plot: a notebook whose plots are blank images counts none visible", async () => {
    const nb = JSON.parse(fs.readFileSync(EXECUTED, "utf8"));
    // A white 400×300 PNG in place of each plot (made the way the charts' PNGs are made).
    const { Resvg } = await import("@resvg/resvg-js");
    const blank = new Resvg('<svg xmlns="http://www.w3.org/2000/svg" width="400" height="300"><rect width="400" height="300" fill="white"/></svg>').render().asPng().toString("base64");
    for (const cell of nb.cells) for (const o of cell.outputs ?? []) if (o.data?.["image/png"]) o.data["image/png"] = blank;
    const blanked = path.join(OUT, "blanked", "00-welcome.ipynb");
    fs.mkdirSync(path.dirname(blanked), { recursive: true });
    fs.writeFileSync(blanked, JSON.stringify(nb));
    const html = nbconvert("/usr/bin/python3", "nbconvert-blanked", blanked);
    expect(await visiblePlots(html, NBCONVERT_PLOTS, "export-blanked")).toEqual({ found: PLOTS, visible: 0 });
  });
});
