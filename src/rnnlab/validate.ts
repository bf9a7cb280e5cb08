/**
 * Argument checks whose errors name the argument, what was expected and what came,
 * e.g. `LSTM.forward: input: expected shape [T, B, 10] (inputSize 10), got [5, 3, 8].`
 */
import type { Tensor } from "@tensorflow/tfjs-core";

export class ShapeError extends Error {
  override name = "ShapeError";
}

export function fmtShape(shape: readonly (number | string)[]): string {
  return `[${shape.join(", ")}]`;
}

/** Checks a tensor's shape; `null` entries accept any size, strings name a free dimension. */
export function expectShape(
  where: string,
  arg: string,
  t: Tensor,
  expected: readonly (number | string | null)[],
  hint = "",
): void {
  if (t == null || !Array.isArray((t as Tensor).shape)) {
    throw new TypeError(`${where}: ${arg}: expected a tensor of shape ${fmtShape(expected.map((d) => d ?? "*"))}, got ${describe(t)}.`);
  }
  // tfjs reads a disposed tensor's backend from nothing and fails far from the cause.
  if ((t as Tensor).isDisposed) {
    throw new TypeError(
      `${where}: ${arg}: expected a live tensor of shape ${fmtShape(expected.map((d) => d ?? "*"))}, got ${describe(t)} ` +
        "(dispose() or a finished tf.tidy freed it; keep it with tf.keep or clone it).",
    );
  }
  const ok =
    t.shape.length === expected.length &&
    expected.every((d, i) => d === null || typeof d === "string" || d === t.shape[i]);
  if (!ok) {
    const what = t.shape.length !== expected.length ? `rank ${expected.length}` : "shape";
    throw new ShapeError(
      `${where}: ${arg}: expected ${what} ${fmtShape(expected.map((d) => d ?? "*"))}${hint ? ` (${hint})` : ""}, got ${fmtShape(t.shape)}.`,
    );
  }
}

export function expectPositiveInt(where: string, arg: string, value: unknown, min = 1): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw new RangeError(`${where}: ${arg}: expected an integer ≥ ${min}, got ${describe(value)}.`);
  }
  return value;
}

export function expectRange(where: string, arg: string, value: unknown, lo: number, hi: number, hiOpen = true): number {
  if (typeof value !== "number" || !(value >= lo) || (hiOpen ? !(value < hi) : !(value <= hi))) {
    throw new RangeError(`${where}: ${arg}: expected a number in [${lo}, ${hi}${hiOpen ? ")" : "]"}, got ${describe(value)}.`);
  }
  return value;
}

export function expectOneOf<T extends string>(where: string, arg: string, value: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) {
    throw new RangeError(`${where}: ${arg}: expected one of ${allowed.map((a) => `"${a}"`).join(", ")}, got ${describe(value)}.`);
  }
  return value as T;
}

/** A boolean option; only `undefined` takes the default (null is not "unset" and not false). */
export function expectBoolean(where: string, arg: string, value: unknown, fallback?: boolean): boolean {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== "boolean") throw new TypeError(`${where}: ${arg}: expected true or false, got ${describe(value)}.`);
  return value;
}

/**
 * Rejects option keys a constructor does not read: PyTorch's spelling (`batch_first`) or an
 * option of another layer (`nonlinearity` on an LSTM) would otherwise be ignored without a word.
 */
export function expectKnownOptions(where: string, options: object, known: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const hint = suggestOption(key, known);
    throw new TypeError(
      `${where}: options: unknown option "${key}"${hint ? ` (did you mean "${hint}"?)` : ""}; expected some of ${known.join(", ")}.`,
    );
  }
}

/** The known option a mistyped key most likely meant: its camelCase form, or the same letters. */
function suggestOption(key: string, known: readonly string[]): string | undefined {
  const camel = key.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
  const squash = (s: string) => s.toLowerCase().replace(/_/g, "");
  return known.find((k) => k === camel) ?? known.find((k) => squash(k) === squash(key));
}

export function describe(value: unknown): string {
  if (value === undefined) return "undefined";
  if (value === null) return "null";
  if (typeof value === "string") return `"${value}"`;
  if (typeof value === "object" && Array.isArray((value as Tensor).shape) && "dtype" in (value as object)) {
    const disposed = (value as Tensor).isDisposed ? "disposed " : "";
    return `a ${disposed}tensor of shape ${fmtShape((value as Tensor).shape)}`;
  }
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const keys = Object.keys(value as object);
    return keys.length ? `an object with keys ${keys.join(", ")}` : "an empty object";
  }
  return typeof value === "object" ? `a ${(value as object).constructor?.name ?? "object"}` : String(value);
}
