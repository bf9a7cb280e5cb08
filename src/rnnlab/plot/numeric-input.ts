/**
 * Turns what learners have at hand (number[], number[][], Float32Array, a tfjs Tensor) into plain
 * arrays, with errors that name the helper, the argument, what was expected and what came:
 * `plot.heatmap: values: expected a 2-D matrix (rows × columns), got a 3-D tensor of shape [2, 3, 4].`
 *
 * Tensors are duck-typed (anything with `arraySync()`), so plotting never imports the tensor library.
 */

export class PlotArgumentError extends TypeError {
  override name = "PlotArgumentError";
}

/** What a bad value looks like, for error messages. Short: never dumps a whole array. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "undefined";
  if (value === null) return "null";
  if (typeof value === "string") return value.length > 40 ? `a string of length ${value.length}` : JSON.stringify(value);
  if (typeof value === "number") return Number.isNaN(value) ? "NaN" : String(value);
  if (typeof value === "boolean" || typeof value === "bigint") return String(value);
  if (typeof value === "function") return "a function";
  const shape = (value as { shape?: unknown }).shape;
  if (Array.isArray(shape) && typeof (value as { arraySync?: unknown }).arraySync === "function") {
    return `a ${shape.length}-D tensor of shape [${shape.join(", ")}]`;
  }
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name} of length ${(value as unknown as ArrayLike<number>).length}`;
  if (Array.isArray(value)) {
    if (value.length > 0 && Array.isArray(value[0])) return `an array of ${value.length} arrays (first has length ${value[0].length})`;
    return `an array of length ${value.length}`;
  }
  const ctor = (value as object).constructor?.name;
  return ctor && ctor !== "Object" ? `a ${ctor}` : "an object";
}

export function argError(where: string, arg: string, expected: string, got: unknown): PlotArgumentError {
  return new PlotArgumentError(`${where}: ${arg}: expected ${expected}, got ${describeValue(got)}.`);
}

/** Anything with `arraySync()`: tfjs Tensors, without importing tfjs. */
interface ArraySyncable {
  arraySync(): unknown;
  shape?: number[];
}

function hasArraySync(value: unknown): value is ArraySyncable {
  return value !== null && typeof value === "object" && typeof (value as ArraySyncable).arraySync === "function";
}

/** Anything a helper accepts where it wants one series of numbers. */
export type VectorLike = readonly number[] | Float32Array | Float64Array | Int32Array | { arraySync(): unknown };
/** Anything a helper accepts where it wants a matrix (rows × columns). */
export type MatrixLike = readonly (readonly number[] | Float32Array | Float64Array)[] | { arraySync(): unknown };

function isNumericArrayLike(value: unknown): value is ArrayLike<number> {
  return Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView));
}

/** A finite-or-not number check that tolerates NaN (gaps in a curve are legitimate) but not strings. */
function checkNumbers(where: string, arg: string, values: ArrayLike<unknown>, expected: string, whole: unknown): number[] {
  const out = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== "number") {
      throw new PlotArgumentError(
        `${where}: ${arg}: expected ${expected}, got ${describeValue(whole)} whose element [${i}] is ${describeValue(v)}.`,
      );
    }
    out[i] = v;
  }
  return out;
}

/** One series of numbers. A [1, n] or [n, 1] matrix (a row or column tensor) is accepted too. */
export function toVector(where: string, arg: string, value: unknown): number[] {
  const expected = "numbers (number[], Float32Array or a 1-D tensor)";
  let raw: unknown = value;
  if (hasArraySync(value)) raw = value.arraySync();
  if (typeof raw === "number" && hasArraySync(value)) return [raw];
  if (!isNumericArrayLike(raw)) throw argError(where, arg, expected, value);
  const arr = raw as ArrayLike<unknown>;
  if (arr.length > 0 && isNumericArrayLike(arr[0])) {
    const rows = Array.from(arr as ArrayLike<ArrayLike<unknown>>);
    if (rows.length === 1) return checkNumbers(where, arg, rows[0], expected, value);
    if (rows.every((r) => isNumericArrayLike(r) && r.length === 1)) {
      return checkNumbers(where, arg, rows.map((r) => r[0]), expected, value);
    }
    throw argError(where, arg, expected, value);
  }
  return checkNumbers(where, arg, arr, expected, value);
}

/** A rectangular matrix, rows × columns. */
export function toMatrix(where: string, arg: string, value: unknown): number[][] {
  const expected = "a 2-D matrix (number[][], an array of Float32Array, or a 2-D tensor)";
  let raw: unknown = value;
  if (hasArraySync(value)) raw = value.arraySync();
  if (!Array.isArray(raw) || raw.length === 0 || !raw.every(isNumericArrayLike)) {
    throw argError(where, arg, expected, value);
  }
  const rows = raw as ArrayLike<unknown>[];
  const width = rows[0].length;
  if (width === 0) throw argError(where, arg, "a non-empty matrix", value);
  const out: number[][] = [];
  for (let r = 0; r < rows.length; r++) {
    if (rows[r].length !== width) {
      throw new PlotArgumentError(
        `${where}: ${arg}: expected a rectangular matrix (every row of length ${width}), got row ${r} of length ${rows[r].length}.`,
      );
    }
    if (rows[r].length > 0 && isNumericArrayLike(rows[r][0])) throw argError(where, arg, expected, value);
    out.push(checkNumbers(where, `${arg}[${r}]`, rows[r], "numbers", rows[r]));
  }
  return out;
}

export function expectStrings(where: string, arg: string, value: unknown, length?: number, lengthWhy = ""): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) {
    throw argError(where, arg, length === undefined ? "an array of strings" : `an array of ${length} strings`, value);
  }
  if (length !== undefined && value.length !== length) {
    throw new PlotArgumentError(
      `${where}: ${arg}: expected ${length} labels${lengthWhy ? ` (${lengthWhy})` : ""}, got ${value.length}.`,
    );
  }
  return value as string[];
}

export function expectOneOf<T extends string>(where: string, arg: string, value: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) {
    throw argError(where, arg, `one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}`, value);
  }
  return value as T;
}

export function expectPositiveNumber(where: string, arg: string, value: unknown): number {
  if (typeof value !== "number" || !(value > 0) || !Number.isFinite(value)) {
    throw argError(where, arg, "a finite number > 0", value);
  }
  return value;
}

/** min and max over finite values; [0, 0] when there are none. */
export function finiteExtent(values: Iterable<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (Number.isFinite(v)) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return lo <= hi ? [lo, hi] : [0, 0];
}

/** Compact number for summaries and tooltips: 3 significant digits, no trailing zeros. */
export function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return "0";
  const a = Math.abs(x);
  if (a >= 1e5 || a < 1e-3) return x.toExponential(2).replace(/\.?0+e/, "e");
  return String(Number(x.toPrecision(3)));
}
