import { expect, it } from "vitest";

// Each test file runs in its own process (pool: forks), so nothing has loaded vega yet.
it("importing the plot namespace does not load vega; the first render does, once", async () => {
  const plot = await import("../../src/rnnlab/plot");
  expect(plot.vegaLoaded()).toBe(false);
  const chart = plot.bar([1, 2, 3]);
  expect(plot.vegaLoaded()).toBe(false); // building a spec is cheap
  const a = plot.loadVega();
  const b = plot.loadVega();
  expect(a).toBe(b); // one shared import promise
  await chart.toSVG();
  expect(plot.vegaLoaded()).toBe(true);
});
