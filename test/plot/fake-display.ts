/** A display sink that records outputs, installed the way a kernel installs its own. */
import { SINK, type DisplayOptions, type DisplaySink, type MimeBundle } from "../../src/rnnlab/display";

export interface Recorded {
  bundle: MimeBundle | Promise<MimeBundle>;
  options: DisplayOptions;
}

export function installRecordingSink(): { calls: Recorded[]; uninstall(): void } {
  const calls: Recorded[] = [];
  const sink: DisplaySink = {
    display: (bundle, options = {}) => calls.push({ bundle, options }),
    clearOutput: () => undefined,
  };
  const g = globalThis as Record<symbol, unknown>;
  const previous = g[SINK];
  g[SINK] = sink;
  return { calls, uninstall: () => void (g[SINK] = previous) };
}

/** A clock the test moves by hand; timers fire in order when time passes them. */
export class ManualClock {
  time = 0;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 0;
  now = (): number => this.time;
  setTimeout = (fn: () => void, ms: number): unknown => {
    const id = ++this.nextId;
    this.timers.push({ at: this.time + ms, fn, id });
    return id;
  };
  clearTimeout = (handle: unknown): void => {
    this.timers = this.timers.filter((t) => t.id !== handle);
  };
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.timers.shift();
      this.time = next.at;
      next.fn();
    }
    this.time = end;
  }
  get pending(): number {
    return this.timers.length;
  }
}
