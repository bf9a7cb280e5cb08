/**
 * Debian's Chromium, headless, driven by playwright-core (nothing is downloaded), and the
 * pixel checks the browser tests share.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { chromium, type Browser, type Locator, type Page } from "playwright-core";
import { SHOTS } from "./jupyter-server";

export const CHROMIUM = process.env.RNNLAB_CHROMIUM ?? "/usr/bin/chromium";

export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`test:browser: ${CHROMIUM} is missing; install it: apt-get install -y chromium`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

/** Saves a screenshot as build/browser-screenshots/<name>.png and returns its path. */
export async function shoot(target: Page | Locator, name: string): Promise<string> {
  fs.mkdirSync(SHOTS, { recursive: true });
  const file = path.join(SHOTS, `${name}.png`);
  await target.screenshot({ path: file });
  return file;
}

export interface Ink {
  width: number;
  height: number;
  /** Pixels that are not (near) white. */
  ink: number;
  /** Strongly coloured pixels (max − min channel > 60): chart marks, not text or grid lines. */
  coloured: number;
}

/** Counts a PNG's pixels, decoding it in the page (a canvas), so no image package is needed. */
export async function inkOf(page: Page, png: Buffer): Promise<Ink> {
  return page.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const c = document.createElement("canvas");
    c.width = img.naturalWidth;
    c.height = img.naturalHeight;
    const g = c.getContext("2d")!;
    g.drawImage(img, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    let ink = 0;
    let coloured = 0;
    for (let i = 0; i < d.length; i += 4) {
      const [r, gg, b] = [d[i], d[i + 1], d[i + 2]];
      if (r < 240 || gg < 240 || b < 240) ink++;
      if (Math.max(r, gg, b) - Math.min(r, gg, b) > 60) coloured++;
    }
    return { width: c.width, height: c.height, ink, coloured };
  }, png.toString("base64"));
}

/** A screenshot of one element, and its ink. */
export async function elementInk(page: Page, element: Locator, name?: string): Promise<Ink> {
  const png = name ? fs.readFileSync(await shoot(element, name)) : await element.screenshot();
  return inkOf(page, png);
}

/** How many pixels differ between two PNGs of the same size (decoded in the page). */
export async function differingPixels(page: Page, a: Buffer, b: Buffer): Promise<number> {
  return page.evaluate(
    async ([a64, b64]) => {
      const pixels = async (b64: string) => {
        const img = new Image();
        img.src = `data:image/png;base64,${b64}`;
        await img.decode();
        const c = document.createElement("canvas");
        c.width = img.naturalWidth;
        c.height = img.naturalHeight;
        const g = c.getContext("2d")!;
        g.drawImage(img, 0, 0);
        return g.getImageData(0, 0, c.width, c.height).data;
      };
      const [x, y] = [await pixels(a64), await pixels(b64)];
      if (x.length !== y.length) return Math.max(x.length, y.length) / 4;
      let n = 0;
      for (let i = 0; i < x.length; i += 4) if (x[i] !== y[i] || x[i + 1] !== y[i + 1] || x[i + 2] !== y[i + 2]) n++;
      return n;
    },
    [a.toString("base64"), b.toString("base64")],
  );
}
