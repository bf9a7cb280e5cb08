import { describe, expect, it } from "vitest";
import { plot } from "./plot-under-test";
import { expectChartBundle, expectIn, walk } from "./helpers";

describe("plot.hiddenStateExplorer", () => {
  const tokens = ["a", "long", "road", "a"];
  const states = tokens.map((_, t) => [Math.tanh(t - 1), 0.5 - t / 4, Math.sin(t)]); // T×H = 4×3

  it("has a point selection on step that drives the bar view", async () => {
    const { spec, svg, text } = await expectChartBundle(plot.hiddenStateExplorer({ tokens, states, title: "toy" }));
    const params = spec.params as { name: string; select: { type: string; fields: string[] }; views: string[]; value: unknown }[];
    const sel = params.find((p) => p.name === plot.EXPLORER_SELECTION)!;
    expect(sel.select.type).toBe("point");
    expect(sel.select.fields).toEqual(["step"]);
    expect(sel.value).toEqual([{ step: 3 }]); // the last token by default
    // Some view filters on the selection (the bars) and the heatmap carries the named view.
    const filters = [...walk(spec)].filter((o) => (o.filter as { param?: string } | undefined)?.param === plot.EXPLORER_SELECTION);
    expect(filters.length).toBeGreaterThanOrEqual(2);
    expect([...walk(spec)].some((o) => o.name === sel.views[0] && (o.mark as { type: string }).type === "rect")).toBe(true);
    expectIn(svg, ">long<", ">road<", "mark-rect", "toy", "step 3 · “a”");
    expect(text).toMatch(/^HiddenStateExplorer: 4 tokens × 3 units/);
  });

  it("shares one selection across several runs", async () => {
    const chart = plot.hiddenStateExplorer({ tokens, runs: [{ name: "rnn", states }, { name: "lstm", states }] });
    const { spec, svg } = await expectChartBundle(chart);
    expect((spec.params as { views: string[] }[])[0].views).toEqual(["heat_0", "heat_1"]);
    expectIn(svg, ">rnn<", ">lstm<");
  });

  it("takes a string as character tokens", () => {
    expect(plot.hiddenStateExplorer({ tokens: "abca", states }).summary).toMatch(/4 tokens × 3 units.*step 3 "a"/);
  });

  it("names shape mistakes", () => {
    expect(() => plot.hiddenStateExplorer({ tokens, states: states.slice(1) })).toThrow(
      /plot\.hiddenStateExplorer: data\.states: expected 4 rows \(one hidden state per token, T×H\), got 3 rows of length 3/,
    );
    const transposed = [0, 1, 2].map((u) => states.map((s) => s[u]));
    expect(() => plot.hiddenStateExplorer({ tokens, states: transposed })).toThrow(/did you pass H×T\? transpose it/);
    expect(() => plot.hiddenStateExplorer({ tokens } as never)).toThrow(/expected exactly one of states .* got neither/);
    expect(() => plot.hiddenStateExplorer({ tokens, states, initialStep: 9 })).toThrow(/data\.initialStep: expected an integer in \[0, 3\], got 9/);
  });
});

describe("plot.explorerExample", () => {
  it("vanilla RNN forgets the early word; the LSTM-like cell keeps it", () => {
    const { tokens, runs } = plot.explorerExampleData();
    const keys = tokens.indexOf("keys");
    const were = tokens.indexOf("were");
    expect(were - keys).toBeGreaterThanOrEqual(12);
    const [rnn, lstm] = runs;
    expect(rnn.states[keys][0]).toBeGreaterThan(0.9);
    expect(Math.abs(rnn.states[were][0])).toBeLessThan(0.01);
    expect(lstm.states[were][0]).toBeGreaterThan(0.5);
  });

  it("renders with both runs and starts on “were”", async () => {
    const { spec, svg, text } = await expectChartBundle(plot.explorerExample());
    expect((spec.params as { value: unknown }[])[0].value).toEqual([{ step: 15 }]);
    expectIn(svg, ">vanilla RNN<", ">LSTM-like cell<", ">grandmother<", "step 15 · “were”");
    expect(text).toContain("2 runs (vanilla RNN, LSTM-like cell) × 17 tokens × 6 units");
  });
});

describe("explorer interaction", () => {
  // The click binding itself needs a browser (checked by hand in Chromium with vega-lite 5.23);
  // here: whatever step the selection holds, the bar views and the outline follow it.
  it("the bar views show the selected step", async () => {
    const { tokens, runs } = plot.explorerExampleData();
    for (const step of [1, 9]) {
      const { svg } = await expectChartBundle(plot.hiddenStateExplorer({ tokens, runs, initialStep: step }));
      const shown = svg.match(/step \d+ · “[a-z]+”/g) ?? [];
      expect(new Set(shown)).toEqual(new Set([`step ${step} · “${tokens[step]}”`]));
    }
  });
});

describe("explorer on long sequences", () => {
  it("draws big heatmaps as images, keeps the selection, and stays small", async () => {
    const T = 120;
    const H = 48;
    const tokens = Array.from({ length: T }, (_, t) => "abcdefghij"[t % 10]);
    const states = tokens.map((_, t) => Array.from({ length: H }, (_, u) => Math.tanh(Math.sin(t / 5 + u))));
    const chart = plot.hiddenStateExplorer({ tokens, states, initialStep: 7 });
    const { spec, svg, text } = await expectChartBundle(chart);
    expect(text).toContain("heatmaps drawn as images");
    expectIn(svg, "<image", "data:image/png;base64,", "step 7 · “h”");
    expect(svg.match(/aria-roledescription="bar"/g)).toHaveLength(H);
    const sel = (spec.params as { name: string; views: string[] }[])[0];
    expect(sel.name).toBe(plot.EXPLORER_SELECTION);
    // The click targets carry the selection: one transparent column per step.
    const target = [...walk(spec)].find((o) => o.name === sel.views[0]) as { data: { values: unknown[] }; mark: { opacity: number } };
    expect(target.data.values).toHaveLength(T);
    expect(target.mark.opacity).toBe(0);
    expect(JSON.stringify(spec).length).toBeLessThan(120_000);
    expect(svg.length).toBeLessThan(200_000);
  });
});
