import { describe, expect, it } from "vitest";
import { plot, } from "./plot-under-test";
import { count, expectChartBundle, expectIn, walk } from "./helpers";

describe("plot.line", () => {
  it("draws several series on a log scale with axis titles", async () => {
    const train = Array.from({ length: 200 }, (_, i) => 3 * Math.exp(-i / 40) + 0.1);
    const val = train.map((v) => v * 1.1);
    const chart = plot.line({ train, val }, { yScale: "log", xTitle: "step", yTitle: "loss", title: "Loss" });
    const { spec, svg, text } = await expectChartBundle(chart);
    expect(text).toMatch(/^LineChart: 2 series × 200 points, y log scale/);
    const y = [...walk(spec)].find((o) => o.field === "y" && o.scale) as { scale: { type: string } };
    expect(y.scale.type).toBe("log");
    expectIn(svg, "mark-line");
    expect(count(svg, /<path[^>]*d="M/g)).toBeGreaterThanOrEqual(2);
    expectIn(svg, ...["step", "loss", "train", "val", "Loss"].map((l) => `>${l}<`));
  });

  it("accepts Float32Array, a matrix of rows and a tensor-like value", async () => {
    const f = new Float32Array([1, 2, 3]);
    expect(plot.line(f).summary).toMatch(/1 series × 3 points/);
    expect(plot.line([[1, 2], [3, 4], [5, 6]]).summary).toMatch(/3 series × 2 points/);
    const tensorLike = { shape: [4], arraySync: () => [4, 3, 2, 1] };
    expect(plot.line(tensorLike).summary).toMatch(/1 series × 4 points/);
  });

  it("reports non-positive values hidden on a log scale", () => {
    expect(plot.line([1, 0, -1, 2], { yScale: "log" }).summary).toContain("2 non-positive values not drawn");
  });

  it("averages very long series", () => {
    const long = Array.from({ length: 10000 }, (_, i) => i);
    const chart = plot.line(long, { maxPoints: 500 });
    expect((chart.spec.data as { values: unknown[] }).values).toHaveLength(500);
    expect(chart.summary).toContain("averaged to 500");
  });

  it("names the bad argument, what was expected and what came", () => {
    expect(() => plot.line("loss" as never)).toThrow(/plot\.line: y: expected numbers .*got "loss"/);
    expect(() => plot.line([1, "2" as never, 3])).toThrow(/plot\.line: y: .*element \[1\] is "2"/);
    expect(() => plot.line([1, 2], { yScale: "ln" as never })).toThrow(/plot\.line: options\.yScale: expected one of "linear", "log", "symlog", got "ln"/);
    expect(() => plot.line([1, 2], { x: [0, 1, 2] })).toThrow(/plot\.line: y: expected x and y of the same length, got x of length 3 and y of length 2/);
    expect(() => plot.line({ a: [1], b: "x" as never })).toThrow(/plot\.line: y\.b: expected numbers/);
    expect(() => plot.line([1, 2], { width: -5 })).toThrow(/options\.width: expected a finite number > 0, got -5/);
  });
});

describe("plot.heatmap and plot.attention", () => {
  it("labels units × time with tokens", async () => {
    const tokens = ["the", "cat", "sat", "the"];
    const states = tokens.map((_, t) => [Math.sin(t), Math.cos(t), -0.5]); // T×H
    const chart = plot.heatmap(states, { transpose: true, xLabels: tokens, yTitle: "unit", xTitle: "token" });
    const { svg, text } = await expectChartBundle(chart);
    expect(text).toBe("Heatmap: 3 × 4 (transposed), values -0.99…1");
    expectIn(svg, "mark-rect");
    expect(count(svg, "<path")).toBeGreaterThanOrEqual(12);
    expect(count(svg, ">the<")).toBe(2); // repeated tokens keep their own columns
    expectIn(svg, ">cat<", ">unit<");
  });

  it("puts tokens on both axes of an attention matrix", async () => {
    const q = ["je", "suis", "là"];
    const k = ["I", "am", "here", "<eos>"];
    const w = q.map((_, i) => k.map((_, j) => (i === j ? 0.7 : 0.1)));
    const { svg, spec } = await expectChartBundle(plot.attention(w, { queryTokens: q, keyTokens: k }));
    expectIn(svg, ...["je", "suis", "là", "I", "am", "here", "&lt;eos&gt;"].map((t) => `>${t}<`));
    const color = [...walk(spec)].find((o) => o.field === "value" && o.scale) as { scale: { domain: number[] } };
    expect(color.scale.domain).toEqual([0, 1]);
  });

  it("names a label list of the wrong length", () => {
    expect(() => plot.heatmap([[1, 2, 3]], { xLabels: ["a", "b"] })).toThrow(/plot\.heatmap: options\.xLabels: expected 3 labels \(one per column\), got 2/);
    expect(() => plot.attention([[1, 0], [0, 1]], { queryTokens: ["a"] })).toThrow(/plot\.attention: options\.queryTokens: expected 2 labels/);
    expect(() => plot.heatmap([[1, 2], [3]])).toThrow(/plot\.heatmap: values: expected a rectangular matrix \(every row of length 2\), got row 1 of length 1/);
    expect(() => plot.heatmap([1, 2, 3] as never)).toThrow(/plot\.heatmap: values: expected a 2-D matrix.*got an array of length 3/);
  });
});

describe("plot.bar and plot.scatter", () => {
  it("keeps bar labels level while they fit their bars and slants them when they would overlap", () => {
    const angle = (c: { spec: Record<string, unknown> }) => (c.spec.encoding as { x: { axis: { labelAngle: number } } }).x.axis.labelAngle;
    expect(angle(plot.bar({ a: 1, b: 2, c: 3 }))).toBe(0);
    expect(angle(plot.bar({ "uniform (28 choices)": 28, "unigram frequencies": 17, "char-RNN": 8 }))).toBeLessThan(0);
    expect(angle(plot.bar({ "uniform (28 choices)": 28, "unigram frequencies": 17, "char-RNN": 8 }, { width: 600 }))).toBe(0);
    expect(angle(plot.bar(Array.from({ length: 20 }, (_, i) => i)))).toBe(0);
    expect(angle(plot.bar(Array.from({ length: 20 }, (_, i) => i), { labels: Array.from({ length: 20 }, (_, i) => `label ${i}`) }))).toBe(-60);
  });

  it("draws labelled bars, and the top-k of a distribution", async () => {
    const { svg, text } = await expectChartBundle(plot.bar({ a: 0.5, b: -0.25, c: 0.25 }));
    expect(count(svg, /<path[^>]*d="M/g)).toBeGreaterThanOrEqual(3);
    expectIn(svg, "mark-rect", ">b<");
    expect(text).toMatch(/^BarChart: 3 bars/);
    const top = plot.bar([0.1, 0.6, 0.3], { labels: ["x", "y", "z"], top: 2 });
    expect(top.summary).toContain("top 2 of 3");
    expect(((top.spec.data as { values: { label: string }[] }).values).map((r) => r.label)).toEqual(["y", "z"]);
  });

  it("scatters x, y or an N×2 matrix, with labels", async () => {
    const { svg, text } = await expectChartBundle(plot.scatter([[0, 0], [1, 1], [2, 0.5]], { labels: ["a", "b", "c"], xTitle: "pc1" }));
    expectIn(svg, "mark-symbol", ">pc1<", ">a<");
    expect(text).toBe("ScatterPlot: 3 points, x 0…2, y 0…1");
    expect(() => plot.scatter([1, 2, 3], [1, 2])).toThrow(/plot\.scatter: y: expected the same length as x \(3\), got 2/);
    expect(() => plot.scatter([[1, 2, 3]])).toThrow(/points: expected an N×2 matrix/);
  });
});
