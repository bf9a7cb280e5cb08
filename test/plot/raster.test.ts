import { describe, expect, it } from "vitest";
import { inflateSync } from "node:zlib";
import { plot } from "./plot-under-test";
import { expectChartBundle, expectIn } from "./helpers";
import { encodePng, schemeColor, RASTER_SCHEMES } from "../../src/rnnlab/plot/raster";

const big = Array.from({ length: 100 }, (_, t) => Array.from({ length: 64 }, (_, u) => Math.sin(t / 9 + u / 4))); // 6,400 cells

describe("large heatmaps are drawn as one image", () => {
  it("switches to an embedded PNG above the threshold, keeping axes and legend", async () => {
    expect(100 * 64).toBeGreaterThan(plot.RASTER_THRESHOLD);
    const { svg, spec, text } = await expectChartBundle(plot.heatmap(big, { transpose: true, xTitle: "time", yTitle: "unit" }));
    expect(text).toMatch(/^Heatmap: 64 × 100 \(transposed\), values -1…1, drawn as an image$/);
    expectIn(svg, "<image", "data:image/png;base64,", ">time<", ">unit<", ">value<");
    expect(svg.length).toBeLessThan(150_000);
    expect(JSON.stringify(spec).length).toBeLessThan(60_000);
  });

  it("stays vector when asked, or when the scheme has no raster colours", async () => {
    const vector = plot.heatmap(big, { raster: false });
    expect(vector.summary).not.toContain("image");
    expect(plot.heatmap(big, { scheme: "plasma" }).summary).not.toContain("image");
    expect(() => plot.heatmap(big, { scheme: "plasma", raster: true })).toThrow(/plot\.heatmap: options\.scheme: expected one of "blueorange", "viridis", "greys" when raster is true, got "plasma"/);
  });

  it("writes valid PNG pixels with the scheme's colours", () => {
    const rgb = new Uint8Array([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30]);
    const png = encodePng(2, 2, rgb);
    expect([...png.subarray(0, 8)]).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
    const idat = png.indexOf("IDAT");
    const len = png.readUInt32BE(idat - 4);
    const raw = inflateSync(png.subarray(idat + 4, idat + 4 + len));
    expect([...raw]).toEqual([0, 255, 0, 0, 0, 255, 0, 0, 0, 0, 255, 10, 20, 30]);
    expect(schemeColor(RASTER_SCHEMES.viridis, 0)).toEqual([68, 1, 84]);
    expect(schemeColor(RASTER_SCHEMES.viridis, 1)).toEqual([253, 231, 37]);
    expect(schemeColor(RASTER_SCHEMES.greys, 0.05)).toEqual([219, 219, 219]);
  });
});
