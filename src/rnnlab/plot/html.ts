/** HTML escaping and value → colour mapping for the HTML views (tables, coloured text, progress). */

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

type RGB = [number, number, number];

function mix(a: RGB, b: RGB, t: number): RGB {
  return [0, 1, 2].map((i) => Math.round(a[i] + (b[i] - a[i]) * t)) as RGB;
}

const WHITE: RGB = [255, 255, 255];
const BLUE: RGB = [33, 102, 172];
const RED: RGB = [214, 96, 77];
const GREEN: RGB = [26, 152, 80];

function css([r, g, b]: RGB): string {
  return `rgb(${r},${g},${b})`;
}

/** Diverging colour for v in [-1, 1]: blue (negative) – white (0) – red (positive), like RdBu. */
export function divergingColor(v: number): string {
  if (!Number.isFinite(v)) return "transparent";
  const t = Math.max(-1, Math.min(1, v));
  return css(t < 0 ? mix(WHITE, BLUE, -t) : mix(WHITE, RED, t));
}

/** Sequential colour for t in [0, 1]: white → green (e.g. the probability given to the true next char). */
export function sequentialColor(t: number): string {
  if (!Number.isFinite(t)) return "transparent";
  return css(mix(WHITE, GREEN, Math.max(0, Math.min(1, t))));
}

/** Black or white text, whichever reads better on the background `rgb(...)`. */
export function textColorOn(background: string): string {
  const m = /rgb\((\d+),(\d+),(\d+)\)/.exec(background);
  if (!m) return "inherit";
  const [r, g, b] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return 0.299 * r + 0.587 * g + 0.114 * b < 140 ? "#fff" : "#000";
}

/** A text/plain intensity strip: one block glyph per value in [0, 1]. */
export function blockGlyph(t: number): string {
  const blocks = " ▁▂▃▄▅▆▇█";
  if (!Number.isFinite(t)) return "?";
  return blocks[Math.round(Math.max(0, Math.min(1, t)) * (blocks.length - 1))];
}
