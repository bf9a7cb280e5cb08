/**
 * Throttling for outputs updated in place (live charts, progress bars): render at most once per
 * interval, render the first request at once (leading edge) and always render the last one
 * (trailing edge), so a loop that stops between two ticks still shows its final state.
 * The clock is injectable so tests can drive time by hand.
 */

import { SINK } from "../display";

/**
 * Whether a display sink (the rnnlab kernel or the course runner) is installed. Without one,
 * outputs cannot be replaced in place: stock tslab would append a new output per update.
 */
export function canUpdateInPlace(): boolean {
  return (globalThis as Record<symbol, unknown>)[SINK] !== undefined;
}

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export class Throttle {
  private lastRender = -Infinity;
  private timer: unknown = undefined;
  private dirty = false;
  /** The effective interval: never below the requested one, stretched when renders are slow. */
  private interval: number;

  constructor(
    private readonly render: () => void,
    private readonly minIntervalMs: number,
    private readonly clock: Clock = systemClock,
  ) {
    this.interval = minIntervalMs;
  }

  /** Something changed: render now if the interval has passed, otherwise once it has. */
  request(): void {
    this.dirty = true;
    const wait = this.lastRender + this.interval - this.clock.now();
    if (wait <= 0) {
      this.renderNow();
    } else if (this.timer === undefined) {
      this.timer = this.clock.setTimeout(() => {
        this.timer = undefined;
        if (this.dirty) this.renderNow();
      }, wait);
    }
  }

  /** Render pending changes immediately (the end of a loop, or an explicit flush). */
  flush(): void {
    this.cancelTimer();
    if (this.dirty) this.renderNow();
  }

  /** Drop a pending trailing render (after flush, or when the owner is closed). */
  cancelTimer(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /**
   * Keeps rendering under ~1/budgetFactor of wall time: after a render that took `ms`, wait at
   * least budgetFactor × ms before the next one (an SVG render of a long curve costs 30–130 ms).
   */
  reportRenderTime(ms: number, budgetFactor = 5): void {
    this.interval = Math.max(this.minIntervalMs, ms * budgetFactor);
  }

  get effectiveIntervalMs(): number {
    return this.interval;
  }

  private renderNow(): void {
    this.dirty = false;
    this.lastRender = this.clock.now();
    this.render();
  }
}
