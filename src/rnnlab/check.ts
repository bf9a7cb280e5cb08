/**
 * Checks for test cells. Each check prints one line, ✔ or ✘, with what was expected and what
 * came (values, shapes, the largest difference and where); a failing check throws a
 * `CheckError`, so the kernel reports the cell as failed with ename "CheckError".
 *
 *   check.close(actual, expected, { atol: 1e-5 })   numbers, nested arrays, typed arrays or tensors
 *                                                   (a scalar `expected` applies to every element)
 *   check.shape(t, [2, 3])
 *   check.equal(actual, expected)                   deep equality
 *   check.throws(() => f(bad), /inputSize/)
 *   check.true(condition, "what must hold")
 */
import { describe as describeValue } from "./validate";

export class CheckError extends Error {
  override name = "CheckError";
}

type Numeric = number | ArrayLike<number> | NestedNumbers | { arraySync(): unknown; shape: number[] };
interface NestedNumbers extends ReadonlyArray<number | NestedNumbers> {}

export interface CloseOptions {
  /** Absolute tolerance (default 1e-5). */
  atol?: number;
  /** Relative tolerance, times |expected| (default 0). */
  rtol?: number;
  /** What is being checked, printed at the start of the line. */
  label?: string;
}

const isTensorLike = (v: unknown): v is { arraySync(): unknown; shape: number[] } =>
  v !== null && typeof v === "object" && typeof (v as { arraySync?: unknown }).arraySync === "function" && Array.isArray((v as { shape?: unknown }).shape);

/** Values as {shape, flat numbers}; throws a CheckError for anything that is not numeric. */
function numeric(v: unknown, what: string): { shape: number[]; values: number[] } {
  if (isTensorLike(v)) return numeric(v.arraySync(), what);
  if (typeof v === "number" || typeof v === "boolean") return { shape: [], values: [Number(v)] };
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return { shape: [(v as unknown as ArrayLike<number>).length], values: Array.from(v as unknown as ArrayLike<number>) };
  if (Array.isArray(v)) {
    if (v.length === 0) return { shape: [0], values: [] };
    const parts = v.map((x, i) => numeric(x, `${what}[${i}]`));
    const inner = parts[0].shape;
    if (parts.some((p) => p.shape.join() !== inner.join())) fail(`${what}: expected a rectangular array, got rows of different shapes`);
    return { shape: [v.length, ...inner], values: parts.flatMap((p) => p.values) };
  }
  return fail(`${what}: expected numbers, an array or a tensor, got ${describeValue(v)}`);
}

const fmtShape = (s: number[]) => `[${s.join(", ")}]`;
const fmtNum = (x: number) => (Number.isInteger(x) ? String(x) : Math.abs(x) >= 1e-3 && Math.abs(x) < 1e4 ? x.toPrecision(6).replace(/0+$/, "").replace(/\.$/, "") : x.toExponential(3));

function indexOf(flat: number, shape: number[]): string {
  const idx: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    idx.unshift(flat % shape[d]);
    flat = Math.floor(flat / shape[d]);
  }
  return fmtShape(idx);
}

function preview(values: number[], shape: number[]): string {
  if (shape.length === 0) return fmtNum(values[0]);
  const head = values.slice(0, 6).map(fmtNum).join(", ");
  return `${fmtShape(shape)} [${head}${values.length > 6 ? ", …" : ""}]`;
}

function pass(line: string): void {
  console.log(`✔ ${line}`);
}

function fail(line: string): never {
  console.log(`✘ ${line}`);
  throw new CheckError(line);
}

const prefix = (label?: string) => (label ? `${label}: ` : "");

/** |actual − expected| ≤ atol + rtol·|expected| everywhere, with equal shapes. */
export function close(actual: Numeric, expected: Numeric, options: CloseOptions = {}): void {
  const { atol = 1e-5, rtol = 0, label } = options;
  const a = numeric(actual, `${prefix(label)}actual`);
  let e = numeric(expected, `${prefix(label)}expected`);
  // A scalar expectation applies to every element, as in numpy's allclose.
  if (e.shape.length === 0 && a.shape.length > 0) e = { shape: a.shape, values: a.values.map(() => e.values[0]) };
  if (a.shape.join() !== e.shape.join()) {
    fail(`${prefix(label)}expected shape ${fmtShape(e.shape)}, got ${fmtShape(a.shape)}`);
  }
  let worst = -1;
  let worstDiff = 0;
  for (let i = 0; i < a.values.length; i++) {
    const d = Math.abs(a.values[i] - e.values[i]);
    const bad = !(d <= atol + rtol * Math.abs(e.values[i])); // NaN is bad
    if (bad && (worst < 0 || d > worstDiff || Number.isNaN(d))) {
      worst = i;
      worstDiff = d;
    }
    if (!bad && worst < 0 && d > worstDiff) worstDiff = d;
  }
  const fmtTol = (x: number) => (x !== 0 && Math.abs(x) < 1e-3 ? x.toExponential() : String(x));
  const tol = `atol ${fmtTol(atol)}${rtol ? `, rtol ${fmtTol(rtol)}` : ""}`;
  if (worst >= 0) {
    const at = e.shape.length ? ` at ${indexOf(worst, e.shape)}` : "";
    fail(`${prefix(label)}expected ${fmtNum(e.values[worst])}${at}, got ${fmtNum(a.values[worst])} (|Δ| ${fmtNum(worstDiff)} > ${tol}); expected ${preview(e.values, e.shape)}, got ${preview(a.values, a.shape)}`);
  }
  pass(`${prefix(label)}${a.shape.length ? `${fmtShape(a.shape)} ` : ""}values match within ${tol} (max |Δ| ${fmtNum(worstDiff)})`);
}

/** The tensor (or array) has exactly this shape. */
export function shape(actual: unknown, expected: number[], label?: string): void {
  const got = isTensorLike(actual) ? actual.shape : numeric(actual, `${prefix(label)}actual`).shape;
  if (got.join() !== expected.join()) fail(`${prefix(label)}expected shape ${fmtShape(expected)}, got ${fmtShape(got)}`);
  pass(`${prefix(label)}shape ${fmtShape(got)}`);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (isTensorLike(a)) return deepEqual(a.arraySync(), b);
  if (isTensorLike(b)) return deepEqual(a, b.arraySync());
  if (ArrayBuffer.isView(a)) return deepEqual(Array.from(a as unknown as ArrayLike<number>), b);
  if (ArrayBuffer.isView(b)) return deepEqual(a, Array.from(b as unknown as ArrayLike<number>));
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (a && b && typeof a === "object" && typeof b === "object") {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    return deepEqual(ka, kb) && ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return false;
}

const show = (v: unknown): string => {
  if (isTensorLike(v)) return JSON.stringify(v.arraySync());
  if (ArrayBuffer.isView(v)) return JSON.stringify(Array.from(v as unknown as ArrayLike<number>));
  const s = typeof v === "string" ? JSON.stringify(v) : JSON.stringify(v) ?? String(v);
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
};

/** Exact (deep) equality of numbers, strings, arrays, objects or tensors. */
export function equal(actual: unknown, expected: unknown, label?: string): void {
  if (!deepEqual(actual, expected)) fail(`${prefix(label)}expected ${show(expected)}, got ${show(actual)}`);
  pass(`${prefix(label)}equals ${show(expected)}`);
}

/** `fn()` throws; with `match`, the error's message must match it too. */
export function throws(fn: () => unknown, match?: RegExp | string, label?: string): void {
  if (typeof fn !== "function") fail(`${prefix(label)}expected a function to call, got ${describeValue(fn)}`);
  let error: unknown;
  try {
    fn();
  } catch (err) {
    error = err;
  }
  if (error === undefined) fail(`${prefix(label)}expected an error to be thrown, got none`);
  const message = error instanceof Error ? error.message : String(error);
  const ok = match === undefined || (typeof match === "string" ? message.includes(match) : match.test(message));
  if (!ok) fail(`${prefix(label)}expected an error matching ${match}, got ${error instanceof Error ? error.name : "a throw"}: ${message}`);
  pass(`${prefix(label)}throws ${error instanceof Error ? error.name : ""}: ${message.length > 120 ? `${message.slice(0, 120)}…` : message}`);
}

/** A condition that must hold; the message says what it means. */
function isTrue(condition: unknown, message = "condition"): void {
  if (!condition) fail(`expected ${message}`);
  pass(message);
}

export const check = { close, shape, equal, throws, true: isTrue, CheckError };
