import { beforeEach, describe, expect, it } from "vitest";
import { plot } from "./plot-under-test";
import { installRecordingSink } from "./fake-display";

const helix = Array.from({ length: 40 }, (_, t) => [Math.cos(t / 4), Math.sin(t / 4), t / 40]);
const BUNDLE_MARK = "if (!window.Plotly) {";

describe("plot.trajectory3d", () => {
  beforeEach(() => plot.resetPlotlyInlining());

  it("inlines the plotly bundle once per notebook, and every figure can draw itself", () => {
    const first = plot.trajectory3d(helix, { title: "helix" }).toMimeBundle();
    const second = plot.trajectory3d(helix).toMimeBundle();
    expect(Object.keys(first).sort()).toEqual(["image/svg+xml", "text/html", "text/plain"]);
    const h1 = first["text/html"] as string;
    const h2 = second["text/html"] as string;
    expect(h1).toContain(BUNDLE_MARK);
    expect(h1.length).toBeGreaterThan(4_000_000); // the real bundle, no CDN
    expect(h1).not.toMatch(/<script[^>]+src=/);
    expect(h2).not.toContain(BUNDLE_MARK);
    expect(h2.length).toBeLessThan(50_000);
    for (const h of [h1, h2]) expect(h).toContain("Plotly.newPlot(el,");
    expect(h2).toContain("__rnnlabPlotlyWaiting"); // waits for the bundle if it comes later
    // The bundle must not close its own script element early.
    const bundleBody = h1.slice(h1.indexOf(BUNDLE_MARK), h1.indexOf("__rnnlabPlotlyWaiting"));
    expect(bundleBody).not.toMatch(/<\/script/i);
  });

  it("carries the bundle once per display sink (one sink per notebook in the runner)", () => {
    plot.trajectory3d(helix); // no sink: this process's page now has it
    const a = installRecordingSink();
    try {
      expect(plot.trajectory3d(helix).toMimeBundle()["text/html"]).toContain(BUNDLE_MARK);
      expect(plot.trajectory3d(helix).toMimeBundle()["text/html"]).not.toContain(BUNDLE_MARK);
    } finally {
      a.uninstall();
    }
    const b = installRecordingSink();
    try {
      expect(plot.trajectory3d(helix).toMimeBundle()["text/html"]).toContain(BUNDLE_MARK);
    } finally {
      b.uninstall();
    }
  });

  it("carries the bundle again after a reset, or always when asked", () => {
    plot.trajectory3d(helix);
    plot.resetPlotlyInlining();
    expect(plot.trajectory3d(helix).toMimeBundle()["text/html"]).toContain(BUNDLE_MARK);
    expect(plot.trajectory3d(helix, { inlinePlotly: "always" }).toMimeBundle()["text/html"]).toContain(BUNDLE_MARK);
  });

  it("projects T×H states with PCA and draws a static SVG fallback", () => {
    const states = helix.map(([x, y, z]) => [x, y, z, x + y, 2 * z, 0.1 * x]); // 6-D, rank 3
    const view = plot.trajectory3d({ a: states, b: states.map((s) => s.map((v) => -v)) }, { labels: helix.map((_, t) => `t${t}`) });
    expect(view.text).toMatch(/^Trajectory3D: 2 trajectories × 40 steps, PCA of 6-D states, 100% of variance/);
    const svg = view.toMimeBundle()["image/svg+xml"] as string;
    expect(svg.match(/<polyline class="trajectory"/g)).toHaveLength(2);
    expect(svg).toContain("PC1 (");
    const points = svg.match(/points="([^"]+)"/)![1].split(" ");
    expect(points).toHaveLength(40);
    expect(points.every((p) => /^-?\d+(\.\d)?,-?\d+(\.\d)?$/.test(p))).toBe(true);
  });

  it("names bad input", () => {
    expect(() => plot.trajectory3d([[1, 2], [3, 4]])).toThrow(/plot\.trajectory3d: points: expected T×3 points or T×H states with H > 3 .* got T×2/);
    expect(() => plot.trajectory3d(helix, { labels: ["a"] })).toThrow(/plot\.trajectory3d: options\.labels: expected 40 labels/);
    expect(() => plot.trajectory3d(helix, { inlinePlotly: "never" as never })).toThrow(/options\.inlinePlotly: expected one of "once", "always", got "never"/);
  });
});
