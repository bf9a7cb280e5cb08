/** Shared checks for plot tests: compile the vega-lite spec, render, and look inside the SVG. */
import { expect } from "vitest";
import { Chart, VEGALITE_MIME } from "../../src/rnnlab/plot";

export async function compileVegaLite(spec: object): Promise<{ spec: object }> {
  const vl = await import("vega-lite");
  return vl.compile(spec as never);
}

/** Asserts the three-mime contract (vega-lite, a PNG of the chart, text) and returns the spec,
 *  the SVG the PNG was rasterised from, and the text, for further checks. */
export async function expectChartBundle(chart: Chart): Promise<{ spec: Record<string, unknown>; svg: string; text: string }> {
  expect(chart).toBeInstanceOf(Chart);
  const bundle = await chart.toMimeBundle();
  expect(Object.keys(bundle).sort()).toEqual([VEGALITE_MIME, "image/png", "text/plain"].sort());
  const spec = bundle[VEGALITE_MIME] as Record<string, unknown>;
  expect(spec.$schema).toBe("https://vega.github.io/schema/vega-lite/v5.json");
  const compiled = await compileVegaLite(spec);
  expect(compiled.spec).toBeTruthy();
  const svg = await chart.toSVG();
  expect(svg.startsWith("<svg")).toBe(true);
  // The PNG is the SVG at 1 px per unit: same width and height as vega drew.
  const png = Buffer.from(bundle["image/png"] as string, "base64");
  expect(png.subarray(1, 4).toString("latin1")).toBe("PNG");
  const [w, h] = [png.readUInt32BE(16), png.readUInt32BE(20)];
  expect(`${w}x${h}`).toBe(`${svg.match(/width="(\d+)"/)?.[1]}x${svg.match(/height="(\d+)"/)?.[1]}`);
  const text = bundle["text/plain"] as string;
  expect(text).not.toContain("\n");
  expect(text).not.toContain("unavailable");
  return { spec, svg, text };
}

export function count(haystack: string, needle: string | RegExp): number {
  return (haystack.match(typeof needle === "string" ? new RegExp(needle.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "g") : needle) ?? []).length;
}

/** All nested objects of a spec, to find encodings or params wherever they sit. */
export function* walk(value: unknown): Generator<Record<string, unknown>> {
  if (value && typeof value === "object") {
    if (!Array.isArray(value)) yield value as Record<string, unknown>;
    for (const v of Object.values(value)) yield* walk(v);
  }
}

/** Like toContain, but a failure prints the missing piece, not 50 KB of SVG. */
export function expectIn(svg: string, ...pieces: string[]): void {
  const missing = pieces.filter((p) => !svg.includes(p));
  expect(missing, `missing from SVG (${svg.length} chars)`).toEqual([]);
}
