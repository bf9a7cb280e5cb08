/**
 * How rnnlab objects reach the notebook as rich output.
 *
 * An object shows itself by implementing `[REPR]()`, which returns a mime bundle such as
 * `{"text/plain": "...", "image/svg+xml": "...", "application/vnd.vegalite.v5+json": {...}}`
 * (or a promise of one: vega renders SVG asynchronously).
 *
 * Whoever runs the cell (the rnnlab kernel, or the headless course runner) installs a
 * `DisplaySink` on `globalThis[SINK]`. The sink sends `display_data`, `update_display_data`
 * and `clear_output`, keeps them in order, and waits for pending bundles before the cell ends.
 * Without a sink (stock tslab, plain Node) `display` falls back to tslab's single-mime display,
 * or to printing the text/plain line.
 */
export type MimeBundle = Record<string, unknown>;

export const REPR: unique symbol = Symbol.for("rnnlab.mimebundle") as never;
export const SINK: unique symbol = Symbol.for("rnnlab.displaySink") as never;

export interface Displayable {
  [REPR](): MimeBundle | Promise<MimeBundle>;
}

export interface DisplayOptions {
  /** Jupyter's display_id: later updates with the same id replace this output in place. */
  displayId?: string;
  /** Replace the output that carries `displayId` instead of adding a new one. */
  update?: boolean;
  /** Metadata sent with the output, per mime type. */
  metadata?: Record<string, unknown>;
}

export interface DisplaySink {
  display(bundle: MimeBundle | Promise<MimeBundle>, options?: DisplayOptions): void;
  clearOutput(wait?: boolean): void;
}

export function isDisplayable(value: unknown): value is Displayable {
  return (
    value !== null &&
    (typeof value === "object" || typeof value === "function") &&
    typeof (value as Partial<Displayable>)[REPR] === "function"
  );
}

/** The mime bundle for a value: its own repr, or undefined for values with none. */
export function toMimeBundle(value: unknown): MimeBundle | Promise<MimeBundle> | undefined {
  return isDisplayable(value) ? value[REPR]() : undefined;
}

function sink(): DisplaySink | undefined {
  return (globalThis as Record<symbol, unknown>)[SINK] as DisplaySink | undefined;
}

function asBundle(value: unknown): MimeBundle | Promise<MimeBundle> {
  if (isDisplayable(value)) return value[REPR]();
  if (typeof value === "string") return { "text/plain": value };
  return { "text/plain": String(value) };
}

/** Without a kernel sink: stock tslab shows one mime type per output; plain Node prints text. */
async function fallback(bundle: MimeBundle | Promise<MimeBundle>): Promise<void> {
  const b = await bundle;
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const tslab = require("tslab") as { display: { raw(mime: string, data: string): void } };
    for (const mime of ["text/html", "image/svg+xml", "image/png", "text/plain"]) {
      if (typeof b[mime] === "string") {
        tslab.display.raw(mime, b[mime] as string);
        return;
      }
    }
  } catch {
    // not inside tslab
  }
  if (typeof b["text/plain"] === "string") console.log(b["text/plain"]);
}

let nextId = 0;

export class DisplayHandle {
  constructor(readonly displayId: string) {}

  /** Replaces this output in place (update_display_data). */
  update(value: unknown): void {
    display(value, { displayId: this.displayId, update: true });
  }
}

/** Shows a value as a new output and returns a handle to update it in place. */
export function display(value: unknown, options: DisplayOptions = {}): DisplayHandle {
  const displayId = options.displayId ?? `rnnlab-${process.pid}-${++nextId}`;
  const bundle = asBundle(value);
  const s = sink();
  if (s) s.display(bundle, { ...options, displayId });
  else void fallback(bundle);
  return new DisplayHandle(displayId);
}

/** Clears the cell's output; with `wait`, only when the next output arrives (no flicker). */
export function clearOutput(wait = false): void {
  sink()?.clearOutput(wait);
}
