/**
 * Values that cross between the test process and the student's process, as tagged JSON.
 *
 * Only data crosses: numbers (NaN, ±Infinity and -0 included), strings, booleans, null and
 * undefined, arrays, plain objects, typed arrays, tensors (as dtype, shape and raw bytes),
 * functions (as handles the other side can only call) and, from the student's process only,
 * instances of the student's classes (as handles whose methods the tests can call with data).
 * Nothing else: no prototypes, getters or shared references, so no object of the test process
 * is ever reachable from the student's. The decoder treats its input as hostile: every node is checked, sizes are
 * bounded, and a bad value is a RemoteValueError naming where in the value it was found.
 */

/** The notebook's own tfjs (its tensors are what crosses). */
export type TensorLib = typeof import("@tensorflow/tfjs-core");
type Tensor = import("@tensorflow/tfjs-core").Tensor;

export type Encoded =
  | null
  | boolean
  | string
  | number
  | Encoded[]
  | { $: "undefined" }
  | { $: "number"; v: "NaN" | "Infinity" | "-Infinity" | "-0" }
  | { $: "object"; entries: [string, Encoded][] }
  | { $: "tensor"; dtype: TensorDtype; shape: number[]; bytes: string }
  | { $: "typed"; kind: TypedKind; bytes: string }
  | { $: "function"; id: number }
  | { $: "instance"; id: number; className: string; methods: string[] }
  | { $: "ref"; id: number };

type TensorDtype = "float32" | "int32" | "bool";
type TypedKind = "Float32Array" | "Float64Array" | "Int32Array" | "Uint8Array";

const TENSOR_ARRAYS = { float32: Float32Array, int32: Int32Array, bool: Uint8Array } as const;
const TYPED_ARRAYS = { Float32Array, Float64Array, Int32Array, Uint8Array } as const;

/** Limits that keep one hostile value from exhausting the grader. */
export const LIMITS = { depth: 32, nodes: 200_000, elements: 16_000_000, stringLength: 1_000_000, rank: 8 };

export class RemoteValueError extends Error {
  override name = "RemoteValueError";
}

export interface FunctionTable {
  /** A handle for a local function the other side may call. */
  exportFunction(f: (...args: unknown[]) => unknown): number;
  /** A local stand-in for the other side's function `id`. */
  importFunction(id: number): (...args: unknown[]) => unknown;
  /** The student's side only: a handle for an instance of a class (undefined: refuse it). */
  exportInstance?(o: object): { id: number; className: string; methods: string[] };
  /** The test side only: a stand-in for the other side's instance. */
  importInstance?(id: number, className: string, methods: string[]): object;
  /** The handle of a stand-in made by importInstance, if `o` is one. */
  refOf?(o: object): number | undefined;
  /** The student's side only: its own instance for a handle it gave out. */
  instanceOf?(id: number): object;
}

const describe = (v: unknown): string => {
  if (v === null) return "null";
  if (typeof v !== "object") return typeof v;
  const name = Object.getPrototypeOf(v)?.constructor?.name;
  return typeof name === "string" ? `a ${name}` : "an object without a prototype";
};

const isPlainObject = (v: object): boolean => {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

const toBase64 = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("base64");

export function encodeValue(value: unknown, tf: TensorLib, functions: FunctionTable, where = "value"): Encoded {
  let nodes = 0;
  const seen = new Set<object>();
  const walk = (v: unknown, at: string, depth: number): Encoded => {
    if (++nodes > LIMITS.nodes) throw new RemoteValueError(`${where}: more than ${LIMITS.nodes} parts`);
    if (depth > LIMITS.depth) throw new RemoteValueError(`${at}: nested deeper than ${LIMITS.depth} levels`);
    if (v === undefined) return { $: "undefined" };
    if (v === null || typeof v === "boolean") return v;
    if (typeof v === "string") {
      if (v.length > LIMITS.stringLength) throw new RemoteValueError(`${at}: a string of ${v.length} characters (at most ${LIMITS.stringLength})`);
      return v;
    }
    if (typeof v === "number") {
      if (Number.isNaN(v)) return { $: "number", v: "NaN" };
      if (v === Infinity) return { $: "number", v: "Infinity" };
      if (v === -Infinity) return { $: "number", v: "-Infinity" };
      if (Object.is(v, -0)) return { $: "number", v: "-0" };
      return v;
    }
    if (typeof v === "function") return { $: "function", id: functions.exportFunction(v as (...args: unknown[]) => unknown) };
    if (typeof v !== "object") throw new RemoteValueError(`${at}: expected data (numbers, strings, arrays, objects, tensors), got a ${typeof v}`);
    if (seen.has(v)) throw new RemoteValueError(`${at}: the value contains itself (circular references cannot be passed)`);
    seen.add(v);
    try {
      if (v instanceof tf.Tensor) {
        const t = v as Tensor;
        const Array_ = TENSOR_ARRAYS[t.dtype as TensorDtype];
        if (!Array_) throw new RemoteValueError(`${at}: a tensor of dtype ${t.dtype} (expected float32, int32 or bool)`);
        return { $: "tensor", dtype: t.dtype as TensorDtype, shape: [...t.shape], bytes: toBase64(Array_.from(t.dataSync() as ArrayLike<number>)) };
      }
      if (ArrayBuffer.isView(v)) {
        const kind = v.constructor.name as TypedKind;
        if (!(kind in TYPED_ARRAYS)) throw new RemoteValueError(`${at}: ${describe(v)} (typed arrays: ${Object.keys(TYPED_ARRAYS).join(", ")})`);
        return { $: "typed", kind, bytes: toBase64(v) };
      }
      if (Array.isArray(v)) return v.map((x, i) => walk(x, `${at}[${i}]`, depth + 1));
      const ref = functions.refOf?.(v);
      if (ref !== undefined) return { $: "ref", id: ref };
      if (!isPlainObject(v) && functions.exportInstance) return { $: "instance", ...functions.exportInstance(v) };
      if (!isPlainObject(v)) {
        throw new RemoteValueError(`${at}: ${describe(v)}; only numbers, strings, booleans, null, undefined, arrays, plain objects, typed arrays, tensors and functions can be passed`);
      }
      const entries: [string, Encoded][] = [];
      for (const key of Object.keys(v)) {
        const d = Object.getOwnPropertyDescriptor(v, key)!;
        if (!("value" in d)) throw new RemoteValueError(`${at}.${key}: a getter (only plain data can be passed)`);
        entries.push([key, walk(d.value, `${at}.${key}`, depth + 1)]);
      }
      return { $: "object", entries };
    } finally {
      seen.delete(v);
    }
  };
  return walk(value, where, 0);
}

function bytesOf(text: unknown, at: string): Buffer {
  if (typeof text !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw new RemoteValueError(`${at}: expected base64 bytes`);
  return Buffer.from(text, "base64");
}

type AnyTypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

function typedFrom(Ctor: { new (b: ArrayBuffer): AnyTypedArray; BYTES_PER_ELEMENT: number }, bytes: Buffer, at: string): AnyTypedArray {
  if (bytes.length % Ctor.BYTES_PER_ELEMENT !== 0) throw new RemoteValueError(`${at}: ${bytes.length} bytes is not a whole number of elements`);
  if (bytes.length / Ctor.BYTES_PER_ELEMENT > LIMITS.elements) throw new RemoteValueError(`${at}: more than ${LIMITS.elements} elements`);
  const copy = new ArrayBuffer(bytes.length);
  new Uint8Array(copy).set(bytes);
  return new Ctor(copy);
}

/** `created` collects the tensors the decoder makes, in the order tensorsIn lists them. */
export function decodeValue(encoded: unknown, tf: TensorLib, functions: FunctionTable, where = "value", created: Tensor[] = []): unknown {
  let nodes = 0;
  const walk = (e: unknown, at: string, depth: number): unknown => {
    if (++nodes > LIMITS.nodes) throw new RemoteValueError(`${where}: more than ${LIMITS.nodes} parts`);
    if (depth > LIMITS.depth) throw new RemoteValueError(`${at}: nested deeper than ${LIMITS.depth} levels`);
    if (e === null || typeof e === "boolean") return e;
    if (typeof e === "number") {
      if (!Number.isFinite(e)) throw new RemoteValueError(`${at}: a malformed number`);
      return e;
    }
    if (typeof e === "string") {
      if (e.length > LIMITS.stringLength) throw new RemoteValueError(`${at}: a string longer than ${LIMITS.stringLength}`);
      return e;
    }
    if (Array.isArray(e)) return e.map((x, i) => walk(x, `${at}[${i}]`, depth + 1));
    if (typeof e !== "object") throw new RemoteValueError(`${at}: malformed (${typeof e})`);
    const o = e as Record<string, unknown>;
    switch (o.$) {
      case "undefined":
        return undefined;
      case "number": {
        const special: Record<string, number> = { NaN, Infinity, "-Infinity": -Infinity, "-0": -0 };
        if (typeof o.v !== "string" || !(o.v in special)) throw new RemoteValueError(`${at}: a malformed number`);
        return special[o.v];
      }
      case "object": {
        if (!Array.isArray(o.entries)) throw new RemoteValueError(`${at}: a malformed object`);
        const pairs = (o.entries as unknown[]).map((pair, i) => {
          if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== "string") throw new RemoteValueError(`${at}: malformed entry ${i}`);
          return [pair[0], walk(pair[1], `${at}.${pair[0]}`, depth + 1)] as const;
        });
        // fromEntries defines own data properties: a key "__proto__" cannot set a prototype.
        return Object.fromEntries(pairs);
      }
      case "tensor": {
        const Ctor = TENSOR_ARRAYS[o.dtype as TensorDtype];
        if (!Ctor || !Object.hasOwn(TENSOR_ARRAYS, o.dtype as string)) throw new RemoteValueError(`${at}: a tensor of unknown dtype ${String(o.dtype)}`);
        const shape = o.shape;
        if (!Array.isArray(shape) || shape.length > LIMITS.rank || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
          throw new RemoteValueError(`${at}: a tensor with a malformed shape`);
        }
        const values = typedFrom(Ctor, bytesOf(o.bytes, at), at);
        const size = (shape as number[]).reduce((a, b) => a * b, 1);
        if (values.length !== size) throw new RemoteValueError(`${at}: a tensor of shape [${shape.join(", ")}] with ${values.length} values`);
        const t = tf.tensor(values, shape as number[], o.dtype as "float32");
        created.push(t);
        return t;
      }
      case "typed": {
        if (!Object.hasOwn(TYPED_ARRAYS, o.kind as string)) throw new RemoteValueError(`${at}: a typed array of unknown kind`);
        return typedFrom(TYPED_ARRAYS[o.kind as TypedKind], bytesOf(o.bytes, at), at);
      }
      case "function": {
        if (!Number.isSafeInteger(o.id)) throw new RemoteValueError(`${at}: a malformed function handle`);
        return functions.importFunction(o.id as number);
      }
      case "instance": {
        const ok = Number.isSafeInteger(o.id) && typeof o.className === "string" && o.className.length <= 100 &&
          Array.isArray(o.methods) && o.methods.length <= 500 && o.methods.every((m) => typeof m === "string" && m.length <= 100);
        if (!ok || !functions.importInstance) throw new RemoteValueError(`${at}: ${ok ? "an object that cannot be passed here" : "a malformed object handle"}`);
        return functions.importInstance(o.id as number, o.className as string, o.methods as string[]);
      }
      case "ref": {
        if (!Number.isSafeInteger(o.id) || !functions.instanceOf) throw new RemoteValueError(`${at}: a malformed object reference`);
        return functions.instanceOf(o.id as number);
      }
      default:
        throw new RemoteValueError(`${at}: malformed (unknown tag)`);
    }
  };
  return walk(encoded, where, 0);
}

/**
 * The tensors inside a value (plain objects and arrays only), in a fixed order: both processes
 * list the same value's tensors alike, so an index names the same tensor on both sides.
 */
export function tensorsIn(value: unknown, tf: TensorLib): Tensor[] {
  const found: Tensor[] = [];
  mapTensors(value, tf, (t) => (found.push(t), t));
  return found;
}

/** `value` with each tensor replaced by `f(tensor, index)`; other leaves and functions kept. */
export function mapTensors(value: unknown, tf: TensorLib, f: (t: Tensor, index: number) => Tensor): unknown {
  let index = 0;
  const walk = (v: unknown, depth: number): unknown => {
    if (depth > LIMITS.depth || v === null || typeof v !== "object") return v;
    if (v instanceof tf.Tensor) return f(v as Tensor, index++);
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
    if (ArrayBuffer.isView(v) || !isPlainObject(v)) return v;
    return Object.fromEntries(Object.keys(v).map((k) => [k, walk((v as Record<string, unknown>)[k], depth + 1)]));
  };
  return walk(value, 0);
}
