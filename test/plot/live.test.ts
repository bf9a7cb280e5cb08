import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { plot } from "./plot-under-test";
import { ManualClock, installRecordingSink } from "./fake-display";
import { VEGALITE_MIME, type MimeBundle } from "./mime";

let sink: ReturnType<typeof installRecordingSink>;
beforeEach(() => (sink = installRecordingSink()));
afterEach(() => sink.uninstall());

function lastPoints(bundle: MimeBundle): number {
  return ((bundle[VEGALITE_MIME] as { data: { values: unknown[] } }).data.values).length;
}

describe("plot.liveChart", () => {
  it("draws at once, then at most once per interval, in place, and flushes the last point", async () => {
    const clock = new ManualClock();
    const live = plot.liveChart({ intervalMs: 500, clock, yScale: "log" });
    live.push({ train: 1 }); // leading edge: shown at once
    expect(sink.calls).toHaveLength(1);
    expect(sink.calls[0].options.update).toBeFalsy();
    for (let i = 1; i < 100; i++) {
      clock.advance(10); // 100 pushes over ~1 s
      live.push({ train: 1 / (i + 1), val: 1.2 / (i + 1) });
    }
    // ~1 s at 500 ms per redraw: the first draw plus one or two more, never one per push.
    expect(sink.calls.length).toBeGreaterThanOrEqual(2);
    expect(sink.calls.length).toBeLessThanOrEqual(3);
    const id = sink.calls[0].options.displayId;
    expect(sink.calls.slice(1).every((c) => c.options.update === true && c.options.displayId === id)).toBe(true);
    // The trailing timer draws the final state without another push.
    const before = sink.calls.length;
    clock.advance(600);
    expect(sink.calls.length).toBe(before + 1);
    const last = await sink.calls[sink.calls.length - 1].bundle;
    expect(lastPoints(last)).toBe(100 + 99); // every train point and every val point
    expect(last["text/plain"]).toMatch(/^LiveChart: 2 series × 100 points, y log scale; last: train 0\.01, val 0\.012/);
    expect(String(last["image/png"])).toMatch(/^iVBORw0KGgo/); // base64 of the PNG signature
    expect(clock.pending).toBe(0);
  });

  it("done() draws the final state immediately and leaves no timer behind", async () => {
    const clock = new ManualClock();
    const live = plot.liveChart({ intervalMs: 500, clock });
    live.push(3);
    live.push(2);
    live.push(1);
    expect(sink.calls).toHaveLength(1);
    live.done();
    expect(sink.calls).toHaveLength(2);
    expect(clock.pending).toBe(0);
    const last = await sink.calls[1].bundle;
    expect(last["text/plain"]).toMatch(/1 series × 3 points; last: loss 1$/);
  });

  it("stretches the interval when rendering is slow", async () => {
    const clock = new ManualClock();
    const live = plot.liveChart({ intervalMs: 100, clock });
    live.push(1);
    clock.advance(80); // pretend the SVG render of that draw took 80 ms
    await sink.calls[0].bundle;
    expect(live.intervalMs).toBe(400);
  });

  it("names bad pushes", () => {
    const live = plot.liveChart({ clock: new ManualClock() });
    expect(() => live.push({ loss: "0.3" as never })).toThrow(/plot\.liveChart\(\)\.push: values\.loss: expected a number, got "0\.3"/);
    expect(() => plot.liveChart({ intervalMs: -1 })).toThrow(/plot\.liveChart: options\.intervalMs: expected a number of milliseconds ≥ 0, got -1/);
  });
});

describe("plot.progress", () => {
  it("updates one output in place, throttled, with html and text", async () => {
    const clock = new ManualClock();
    const bar = plot.progress(100, { label: "epoch", intervalMs: 200, clock });
    for (let i = 0; i < 100; i++) {
      clock.advance(5);
      bar.tick(1, { loss: 1 / (i + 1) });
    }
    // 500 ms of work at one redraw per 200 ms: 3 draws plus at most a pending trailing one.
    expect(sink.calls.length).toBeGreaterThanOrEqual(3);
    expect(sink.calls.length).toBeLessThanOrEqual(4);
    bar.done();
    const last = await sink.calls[sink.calls.length - 1].bundle;
    expect(Object.keys(last).sort()).toEqual(["text/html", "text/plain"]);
    expect(last["text/plain"]).toBe("epoch 100/100 [████████████████████] 100% 200 it/s in 0:01 loss=0.01");
    expect(last["text/html"]).toContain("width:100.0%");
    expect(sink.calls.slice(1).every((c) => c.options.update && c.options.displayId === sink.calls[0].options.displayId)).toBe(true);
    expect(clock.pending).toBe(0);
  });

  it("track() wraps an iterable and finishes the bar even on early exit", async () => {
    const clock = new ManualClock();
    let seen = 0;
    for (const x of plot.track([1, 2, 3, 4], { label: "batch", clock, intervalMs: 1000 })) {
      seen += x;
      if (x === 3) break;
    }
    expect(seen).toBe(6);
    const last = await sink.calls[sink.calls.length - 1].bundle;
    expect(last["text/plain"]).toMatch(/^batch 2\/4 \[██████████ {10}\]  50%/);
    expect(() => plot.progress(-3)).toThrow(/plot\.progress: total: expected an integer ≥ 0/);
  });
});
