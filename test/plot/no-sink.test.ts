import { describe, expect, it, vi } from "vitest";
import { plot } from "./plot-under-test";
import { ManualClock } from "./fake-display";

// No display sink here (stock tslab, plain Node): outputs cannot be replaced in place.
describe("without the rnnlab kernel", () => {
  it("a progress bar rewrites one text line with \\r", () => {
    const writes: string[] = [];
    const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => (writes.push(String(chunk)), true));
    try {
      const clock = new ManualClock();
      const bar = plot.progress(3, { label: "epoch", clock, intervalMs: 0 });
      bar.tick();
      bar.tick();
      bar.tick();
      bar.done();
    } finally {
      spy.mockRestore();
    }
    expect(writes.length).toBeGreaterThanOrEqual(3);
    expect(writes.every((w) => w.startsWith("\repoch "))).toBe(true);
    expect(writes[writes.length - 1]).toMatch(/^\repoch 3\/3 \[█{20}\] 100% .*\n$/);
  });

  it("a live chart draws only its final state", () => {
    const live = plot.liveChart({ clock: new ManualClock(), intervalMs: 0 });
    const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
    try {
      for (let i = 0; i < 5; i++) live.push(1 / (i + 1));
      expect(live.renders).toBe(0);
      live.done();
      expect(live.renders).toBe(1);
    } finally {
      log.mockRestore();
    }
  });
});
