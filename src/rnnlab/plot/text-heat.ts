/**
 * Text coloured by a value, the way "The Unreasonable Effectiveness of RNNs" shows neurons:
 *  - `plot.textHeat("hello world", activations)`: each character's background is one neuron's
 *    activation there (blue < 0 < red); hovering shows the value;
 *  - `plot.topK(text, guesses)`: each character is shaded by the probability the model gave it
 *    before seeing it (white = surprised), and hovering lists the model's top-k guesses.
 * HTML with inline styles and `title` tooltips only (no script), so it shows in untrusted notebooks,
 * nbconvert and GitHub; text/plain gives the text with a block-glyph strip underneath.
 */
import { HtmlView } from "./chart";
import { blockGlyph, divergingColor, escapeHtml, sequentialColor, textColorOn } from "./html";
import { PlotArgumentError, type VectorLike, argError, finiteExtent, fmt, toVector } from "./numeric-input";

export interface TextHeatOptions {
  title?: string;
  /** Values mapped to the ends of the colour scale (default ± the largest |value|, or [min, max] for "sequential"). */
  range?: [number, number];
  /** "diverging" (default, for tanh activations) or "sequential" (for probabilities, 0 = white). */
  scale?: "diverging" | "sequential";
}

/** Splits a string into characters (code points, so emoji stay whole), or takes tokens as given. */
export function toUnits(where: string, arg: string, text: unknown): string[] {
  if (typeof text === "string") return Array.from(text);
  if (Array.isArray(text) && text.every((t) => typeof t === "string")) return text as string[];
  throw argError(where, arg, "a string or an array of token strings", text);
}

function visible(unit: string): string {
  return unit.replace(/\n/g, "↵").replace(/\t/g, "⇥");
}

function span(unit: string, background: string, tooltip: string): string {
  const br = unit.includes("\n") ? "<br>" : "";
  return `<span title="${escapeHtml(tooltip)}" style="background:${background};color:${textColorOn(background)};padding:1px 0">${escapeHtml(visible(unit))}</span>${br}`;
}

function wrap(title: string | undefined, inner: string, legend: string): string {
  const head = title ? `<div style="font-weight:600;margin-bottom:4px">${escapeHtml(title)}</div>` : "";
  return `<div class="rnnlab-text-heat">${head}<div style="font-family:ui-monospace,Menlo,Consolas,monospace;font-size:13px;line-height:1.9;white-space:pre-wrap;word-break:break-all">${inner}</div>${legend}</div>`;
}

function legendHtml(left: string, right: string, gradient: string, caption: string): string {
  return `<div style="font-size:11px;color:#666;margin-top:4px">${escapeHtml(left)} <span style="display:inline-block;width:120px;height:9px;vertical-align:middle;background:linear-gradient(to right,${gradient})"></span> ${escapeHtml(right)} &nbsp;${escapeHtml(caption)}</div>`;
}

function plainLines(units: string[], strengths: number[]): string {
  // One glyph per character; multi-character tokens get their glyph repeated to keep columns aligned.
  const text = units.map(visible).join("");
  const strip = units.map((u, i) => blockGlyph(strengths[i]).repeat(Math.max(1, visible(u).length))).join("");
  return `${text}\n${strip}`;
}

export function textHeat(text: string | string[], values: VectorLike, options: TextHeatOptions = {}): HtmlView {
  const where = "plot.textHeat";
  const units = toUnits(where, "text", text);
  const v = toVector(where, "values", values);
  if (v.length !== units.length) {
    throw new PlotArgumentError(`${where}: values: expected ${units.length} values (one per ${typeof text === "string" ? "character" : "token"} of text), got ${v.length}.`);
  }
  const scale = options.scale ?? "diverging";
  if (scale !== "diverging" && scale !== "sequential") throw argError(where, "options.scale", '"diverging" or "sequential"', scale);
  const [lo, hi] = finiteExtent(v);
  let range = options.range;
  if (range !== undefined && (!Array.isArray(range) || range.length !== 2 || !(range[0] < range[1]))) {
    throw argError(where, "options.range", "[low, high] with low < high", range);
  }
  const m = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
  range ??= scale === "diverging" ? [-m, m] : [lo, hi > lo ? hi : lo + 1];
  const [a, b] = range;
  const unit01 = (x: number) => (x - a) / (b - a);
  const color = (x: number) => (scale === "diverging" ? divergingColor(2 * unit01(x) - 1) : sequentialColor(unit01(x)));
  const inner = units.map((u, i) => span(u, color(v[i]), `${JSON.stringify(u)}: ${fmt(v[i])}`)).join("");
  const gradient = scale === "diverging" ? `${divergingColor(-1)},#fff,${divergingColor(1)}` : `#fff,${sequentialColor(1)}`;
  const html = wrap(options.title, inner, legendHtml(fmt(a), fmt(b), gradient, "hover a character for its value"));
  const strengths = v.map((x) => (scale === "diverging" ? Math.abs(2 * unit01(x) - 1) : unit01(x)));
  const head = `TextHeat: ${units.length} ${typeof text === "string" ? "chars" : "tokens"}, values ${fmt(lo)}…${fmt(hi)}${options.title ? ` (${options.title})` : ""}`;
  return new HtmlView(html, `${head}\n${plainLines(units, strengths)}`);
}

/** One guess: `{ token: "e", p: 0.41 }` or the pair `["e", 0.41]`. */
export type Guess = { token: string; p: number } | readonly [string, number];

export interface TopKOptions {
  title?: string;
  /** How many guesses to list on hover (default 5). */
  k?: number;
}

function readGuess(where: string, i: number, j: number, g: unknown): { token: string; p: number } {
  if (Array.isArray(g) && g.length === 2 && typeof g[0] === "string" && typeof g[1] === "number") return { token: g[0], p: g[1] };
  if (g !== null && typeof g === "object" && typeof (g as { token?: unknown }).token === "string" && typeof (g as { p?: unknown }).p === "number") {
    return g as { token: string; p: number };
  }
  throw argError(where, `guesses[${i}][${j}]`, '{ token: string, p: number } or [token, p]', g);
}

/**
 * `guesses[i]` are the model's guesses for unit i of text, made before seeing it (so from the
 * state after unit i-1). Each unit is shaded by the probability its guesses gave the true unit.
 */
export function topK(text: string | string[], guesses: readonly (readonly Guess[])[], options: TopKOptions = {}): HtmlView {
  const where = "plot.topK";
  const units = toUnits(where, "text", text);
  if (!Array.isArray(guesses)) throw argError(where, "guesses", "an array with one list of guesses per character", guesses);
  if (guesses.length !== units.length) {
    throw new PlotArgumentError(`${where}: guesses: expected ${units.length} lists (one per ${typeof text === "string" ? "character" : "token"} of text), got ${guesses.length}.`);
  }
  const k = options.k ?? 5;
  if (!Number.isInteger(k) || k < 1) throw argError(where, "options.k", "an integer ≥ 1", options.k);
  const pTrue: number[] = [];
  const spans = units.map((u, i) => {
    const row: unknown = guesses[i];
    if (!Array.isArray(row)) throw argError(where, `guesses[${i}]`, "an array of guesses", row);
    const list = (row as unknown[]).map((g, j) => readGuess(where, i, j, g)).sort((x, y) => y.p - x.p);
    const hit = list.find((g) => g.token === u);
    const p = hit ? hit.p : 0;
    pTrue.push(p);
    const lines = list.slice(0, k).map((g: { token: string; p: number }) => `${g.token === u ? "▶" : "  "} ${JSON.stringify(g.token)} ${(g.p * 100).toFixed(1)}%`);
    const tip = `${JSON.stringify(u)}: p = ${hit ? (p * 100).toFixed(1) + "%" : `not in top ${list.length}`}\n${lines.join("\n")}`;
    return span(u, sequentialColor(p), tip);
  });
  const html = wrap(options.title, spans.join(""), legendHtml("0", "1", `#fff,${sequentialColor(1)}`, "p(actual character) · hover for the top guesses"));
  const mean = pTrue.reduce((s, x) => s + x, 0) / Math.max(1, pTrue.length);
  const head = `TopK: ${units.length} ${typeof text === "string" ? "chars" : "tokens"}, mean p(actual) ${fmt(mean)}${options.title ? ` (${options.title})` : ""}`;
  return new HtmlView(html, `${head}\n${plainLines(units, pTrue)}`);
}
