/**
 * A progress bar for training loops, updated in place (HTML in notebooks, a text line elsewhere):
 *
 *   const bar = plot.progress(epochs, { label: "epoch" });
 *   for (let e = 0; e < epochs; e++) { …; bar.tick(1, { loss }); }
 *   bar.done();
 *
 *   for (const batch of plot.track(batches, { label: "batch" })) { … }   // tqdm-style
 *
 * Redraws at most every `intervalMs` (default 200 ms); the first and the final state always show.
 * Without the rnnlab kernel's display sink it writes one text line rewritten with \r instead.
 */
import { REPR, display, type DisplayHandle, type MimeBundle } from "../display";
import { escapeHtml } from "./html";
import { argError, fmt } from "./numeric-input";
import { type Clock, Throttle, canUpdateInPlace, systemClock } from "./throttle";

export interface ProgressOptions {
  label?: string;
  /** Minimum time between redraws in ms (default 200). */
  intervalMs?: number;
  /** Injectable time source (tests). */
  clock?: Clock;
}

export type Postfix = Record<string, number | string>;

const WHERE = "plot.progress";

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

export class ProgressBar {
  private n = 0;
  private postfix: Postfix = {};
  private readonly started: number;
  private readonly clock: Clock;
  private readonly throttle: Throttle;
  private handle?: DisplayHandle;
  private finished = false;
  renders = 0;

  constructor(
    readonly total: number | undefined,
    private readonly options: ProgressOptions = {},
  ) {
    if (total !== undefined && !(Number.isInteger(total) && total >= 0)) throw argError(WHERE, "total", "an integer ≥ 0 (or undefined for an open-ended count)", total);
    const interval = options.intervalMs ?? 200;
    if (typeof interval !== "number" || !(interval >= 0)) throw argError(WHERE, "options.intervalMs", "a number of milliseconds ≥ 0", interval);
    this.clock = options.clock ?? systemClock;
    this.started = this.clock.now();
    this.throttle = new Throttle(() => this.redraw(), interval, this.clock);
  }

  /** Sets the count to `n` (e.g. the step just finished, plus one). */
  update(n: number, postfix?: Postfix): this {
    if (typeof n !== "number" || !(n >= 0)) throw argError(`${WHERE}().update`, "n", "a count ≥ 0", n);
    this.n = n;
    if (postfix) this.postfix = { ...this.postfix, ...postfix };
    this.throttle.request();
    return this;
  }

  /** Advances the count by k (default 1), optionally updating values shown after the bar. */
  tick(k = 1, postfix?: Postfix): this {
    return this.update(this.n + k, postfix);
  }

  /** Draws the final state now. */
  done(postfix?: Postfix): void {
    if (postfix) this.postfix = { ...this.postfix, ...postfix };
    this.finished = true;
    this.throttle.request();
    this.throttle.flush();
  }

  get count(): number {
    return this.n;
  }

  /** The text line, e.g. `epoch  37/100 [███████▍            ]  37% 12.3 it/s eta 0:05 loss=0.31`. */
  text(): string {
    const elapsed = (this.clock.now() - this.started) / 1000;
    const rate = elapsed > 0 ? this.n / elapsed : 0;
    const parts: string[] = [];
    if (this.options.label) parts.push(this.options.label);
    if (this.total !== undefined) {
      const frac = this.total > 0 ? Math.min(1, this.n / this.total) : 1;
      const width = 20;
      const eighths = Math.round(frac * width * 8);
      const partial = eighths % 8 ? " ▏▎▍▌▋▊▉"[eighths % 8] : "";
      const bar = ("█".repeat(Math.floor(eighths / 8)) + partial).padEnd(width, " ");
      parts.push(`${String(this.n).padStart(String(this.total).length)}/${this.total} [${bar}] ${String(Math.round(frac * 100)).padStart(3)}%`);
    } else {
      parts.push(String(this.n));
    }
    parts.push(`${fmt(rate)} it/s`);
    if (this.finished) parts.push(`in ${formatDuration(elapsed)}`);
    else if (this.total !== undefined && rate > 0) parts.push(`eta ${formatDuration((this.total - this.n) / rate)}`);
    for (const [k, v] of Object.entries(this.postfix)) parts.push(`${k}=${typeof v === "number" ? fmt(v) : v}`);
    return parts.join(" ");
  }

  html(): string {
    const frac = this.total ? Math.min(1, this.n / this.total) : this.finished ? 1 : 0;
    const colour = this.finished ? "#54a24b" : "#4c78a8";
    const line = escapeHtml(this.text().replace(/\[[^\]]*\] */, ""));
    const bar = this.total !== undefined
      ? `<div style="flex:0 0 240px;height:12px;border:1px solid #bbb;border-radius:3px;background:#f2f2f2;overflow:hidden"><div style="width:${(frac * 100).toFixed(1)}%;height:100%;background:${colour}"></div></div>`
      : "";
    return `<div class="rnnlab-progress" style="display:flex;align-items:center;gap:8px;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px">${bar}<span>${line}</span></div>`;
  }

  [REPR](): MimeBundle {
    return { "text/html": this.html(), "text/plain": this.text() };
  }

  private redraw(): void {
    this.renders++;
    if (!canUpdateInPlace()) {
      // Stock tslab and terminals: one text line rewritten with \r, like tqdm's text mode
      // (Jupyter frontends honour \r in stream output).
      process.stdout.write(`\r${this.text()}${this.finished ? "\n" : ""}`);
      return;
    }
    const bundle = this[REPR]();
    // A plain object with a repr, so display() sends both mime types.
    const view = { [REPR]: () => bundle };
    if (this.handle) this.handle.update(view);
    else this.handle = display(view);
  }
}

export function progress(total?: number, options: ProgressOptions = {}): ProgressBar {
  return new ProgressBar(total, options);
}

/** Iterates `items`, ticking a progress bar per item and finishing it at the end (like tqdm). */
export function* track<T>(items: Iterable<T>, options: ProgressOptions & { total?: number } = {}): Generator<T> {
  if (items === null || typeof (items as Iterable<T>)?.[Symbol.iterator] !== "function") throw argError("plot.track", "items", "an iterable (array, Set, generator…)", items);
  const known = Array.isArray(items) ? items.length : items instanceof Set || items instanceof Map ? items.size : undefined;
  const bar = new ProgressBar(options.total ?? known, options);
  try {
    for (const item of items) {
      yield item;
      bar.tick();
    }
  } finally {
    bar.done();
  }
}
