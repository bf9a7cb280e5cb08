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

export function describe(value: unknown): string {
  if (value === undefined) return "undefined";
  if (value === null) return "null";
  if (typeof value === "string") return `"${value}"`;
  if (typeof value === "object" && Array.isArray((value as Tensor).shape) && "dtype" in (value as object)) {
    return `a tensor of shape ${fmtShape((value as Tensor).shape)}`;
  }
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  return typeof value === "object" ? `a ${(value as object).constructor?.name ?? "object"}` : String(value);
}
