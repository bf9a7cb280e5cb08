/**
 * The base of every layer: named parameters, sub-modules, train/eval mode and state dicts,
 * after PyTorch's nn.Module. Parameter names follow PyTorch (`weight_ih_l0`, `embedding.weight`),
 * so a state dict exported from PyTorch loads here and the other way round.
 */
import * as fs from "node:fs";
import * as tf from "@tensorflow/tfjs-core";
import { assertReady } from "./backend";
import { REPR, type MimeBundle } from "./display";
import type { Grads } from "./clip";
import { FlatParameters } from "./flat-parameters";
import { defaultGenerator, type Generator } from "./random";
import { describe, expectShape, fmtShape } from "./validate";

export type NestedNumbers = number | NestedNumbers[];
export type StateDictRecord = Record<string, tf.Tensor | NestedNumbers | Float32Array>;

export interface LoadOptions {
  /** Require exactly the module's names (PyTorch's `strict=True`). Default true. */
  strict?: boolean;
}

export abstract class Module {
  /** Dropout and similar layers behave differently while training. */
  training = true;
  private readonly ownParameters = new Map<string, tf.Variable>();
  /** Parameters stored side by side in one variable (recurrent layers); see flat-parameters.ts. */
  private flat: FlatParameters | null = null;
  private readonly children = new Map<string, Module>();

  constructor(protected readonly where: string) {
    assertReady(where);
  }

  /** Creates a trainable parameter from U(−bound, bound) drawn from the seeded generator. */
  protected uniformParameter(name: string, shape: number[], bound: number, gen: Generator = defaultGenerator()): tf.Variable {
    const size = shape.reduce((a, b) => a * b, 1);
    return this.registerParameter(name, tf.tensor(gen.uniform(size, -bound, bound), shape));
  }

  protected registerParameter(name: string, initial: tf.Tensor): tf.Variable {
    const v = tf.variable(initial, true);
    initial.dispose();
    this.ownParameters.set(name, v);
    return v;
  }

  protected registerModule<M extends Module>(name: string, module: M): M {
    this.children.set(name, module);
    return module;
  }

  /** Stores the named parameters of `flat` in its one variable (a module has at most one such). */
  protected registerFlatParameters(flat: FlatParameters): FlatParameters {
    if (this.flat) throw new Error(`${this.where}: a module holds one set of flat parameters.`);
    this.flat = flat;
    return flat;
  }

  /**
   * [name, value] pairs, children's names prefixed like PyTorch (`encoder.weight_ih_l0`).
   * Values are live, as PyTorch's parameters are: one held across an optimizer step shows the
   * new weights. A separate parameter is its variable; a flat-stored one (recurrent layers) is
   * a read-only tensor the module owns and keeps current. Clone a value to keep a snapshot.
   */
  namedParameters(prefix = ""): [string, tf.Tensor][] {
    const out: [string, tf.Tensor][] = [];
    for (const [at, m] of this.modules(prefix)) {
      for (const [n, p] of m.ownParameters) out.push([at + n, p]);
      if (m.flat) for (const n of m.flat.slices.keys()) out.push([at + n, m.flat.view(n)]);
    }
    return out;
  }

  /**
   * Every parameter's name, shape and a way to read a copy of it (a new tensor), for the
   * module's own bookkeeping: unlike namedParameters() it leaves no live views behind, which
   * would cost a rewrite on every update.
   */
  private *parameterEntries(): IterableIterator<{ name: string; shape: number[]; size: number; copy: () => tf.Tensor }> {
    for (const [at, m] of this.modules()) {
      for (const [n, p] of m.ownParameters) yield { name: at + n, shape: p.shape, size: p.size, copy: () => tf.clone(p) };
      if (m.flat) {
        const flat = m.flat;
        for (const [n, s] of flat.slices) yield { name: at + n, shape: s.shape, size: s.size, copy: () => tf.tidy(() => flat.slice(n)) };
      }
    }
  }

  /**
   * PyTorch's `optimizer.step()` for gradients by PyTorch name (from `gradients()`, after
   * `clipGradNorm` or any other change): joins each recurrent layer's named gradients back into
   * its one flat variable and applies everything with `optimizer` in the variables' own order.
   * A tfjs optimizer cannot take these names itself: it looks each key up as a variable name.
   *
   * Parameters missing from `grads` are not updated; within one recurrent layer a missing name
   * counts as a zero gradient (its parameters share one variable). tfjs's Adam keeps its moments
   * by position, so pass the same set of names on every step. `grads` stays yours to dispose.
   */
  applyGradients(optimizer: tf.Optimizer, grads: Grads): void {
    const where = `${this.constructor.name}.applyGradients`;
    if (!optimizer || typeof (optimizer as { applyGradients?: unknown }).applyGradients !== "function") {
      throw new TypeError(`${where}: optimizer: expected a tf.train optimizer, got ${describe(optimizer)}.`);
    }
    if (grads === null || typeof grads !== "object") {
      throw new TypeError(`${where}: grads: expected an object mapping parameter names to gradients, got ${describe(grads)}.`);
    }
    const entries = new Map([...this.parameterEntries()].map((e) => [e.name, e]));
    for (const [name, g] of Object.entries(grads)) {
      const e = entries.get(name);
      if (!e) {
        throw new Error(`${where}: grads: expected gradients named like the parameters (${[...entries.keys()].join(", ")}), got an unknown name "${name}".`);
      }
      expectShape(where, `grads.${name}`, g, e.shape);
    }
    const byVariable: tf.NamedTensorMap = {};
    const made: tf.Tensor[] = [];
    for (const [at, m] of this.modules()) {
      for (const [n, p] of m.ownParameters) if (grads[at + n]) byVariable[p.name] = grads[at + n];
      const flat = m.flat;
      if (!flat || ![...flat.slices.keys()].some((n) => grads[at + n])) continue;
      const joined = tf.tidy(() =>
        tf.concat([...flat.slices].map(([n, s]) => (grads[at + n] ? tf.reshape(grads[at + n], [s.size]) : tf.zeros([s.size])))),
      );
      made.push(joined);
      byVariable[flat.variable.name] = joined;
    }
    try {
      optimizer.applyGradients(byVariable);
    } finally {
      tf.dispose(made);
    }
  }

  /** The variables an optimizer updates: one per separate parameter, one per flat set. */
  parameters(): tf.Variable[] {
    const out: tf.Variable[] = [];
    for (const [, m] of this.modules()) out.push(...m.ownParameters.values(), ...(m.flat ? [m.flat.variable] : []));
    return out;
  }

  /**
   * Gradients keyed by variable name (as tf.variableGrads returns them) renamed to PyTorch's
   * parameter names. Flat-stored gradients are cut into new tensors; the others are passed on.
   */
  namedGrads(byVariable: tf.NamedTensorMap): Grads {
    const out: Grads = {};
    for (const [at, m] of this.modules()) {
      for (const [n, p] of m.ownParameters) if (byVariable[p.name]) out[at + n] = byVariable[p.name];
      const flatGrad = m.flat && byVariable[m.flat.variable.name];
      if (flatGrad) for (const [n, g] of Object.entries(m.flat!.split(flatGrad))) out[at + n] = g;
    }
    return out;
  }

  /** PyTorch's `named_modules()`: this module as "" and every module inside it by dotted name (`encoder.gru`). */
  namedModules(): [string, Module][] {
    return [...this.modules()].map(([at, m]) => [at.replace(/\.$/, ""), m]);
  }

  /** This module and every module inside it, each with the prefix of its parameter names (`encoder.`). */
  private *modules(prefix = ""): IterableIterator<[string, Module]> {
    yield [prefix, this];
    for (const [n, m] of this.children) yield* m.modules(`${prefix}${n}.`);
  }

  /**
   * `loss.backward()` and the `.grad` of every parameter, by PyTorch name: the value of
   * `lossFn` and its gradients (new tensors; dispose them).
   */
  gradients(lossFn: () => tf.Scalar): { value: tf.Scalar; grads: Grads } {
    const { value, grads } = tf.variableGrads(lossFn, this.parameters());
    const named = this.namedGrads(grads);
    const handedOn = new Set(Object.values(named));
    tf.dispose(Object.values(grads).filter((g) => !handedOn.has(g)));
    return { value, grads: named };
  }

  /** The number of trainable scalars. */
  parameterCount(): number {
    return this.parameters().reduce((n, p) => n + p.size, 0);
  }

  train(mode = true): this {
    this.training = mode;
    for (const m of this.children.values()) m.train(mode);
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Copies of the parameters, by PyTorch name. */
  stateDict(): Record<string, tf.Tensor> {
    const out: Record<string, tf.Tensor> = {};
    for (const e of this.parameterEntries()) out[e.name] = e.copy();
    return out;
  }

  /** Loads parameters from tensors, nested number arrays or Float32Arrays, checking every shape. */
  loadStateDict(record: StateDictRecord, options: LoadOptions = {}): void {
    const where = `${this.constructor.name}.loadStateDict`;
    if (record === null || typeof record !== "object") {
      throw new TypeError(`${where}: record: expected an object mapping parameter names to values, got ${record}.`);
    }
    const strict = options.strict ?? true;
    const params = new Map([...this.parameterEntries()].map((e) => [e.name, e]));
    if (strict) {
      const missing = [...params.keys()].filter((n) => !(n in record));
      const unexpected = Object.keys(record).filter((n) => !params.has(n));
      if (missing.length || unexpected.length) {
        throw new Error(
          `${where}: record: expected exactly the keys [${[...params.keys()].join(", ")}]` +
            (missing.length ? `; missing [${missing.join(", ")}]` : "") +
            (unexpected.length ? `; unexpected [${unexpected.join(", ")}]` : "") +
            ". Pass {strict: false} to load a subset.",
        );
      }
    }
    const staged: [string, tf.Tensor][] = [];
    try {
      for (const [name, value] of Object.entries(record)) {
        const p = params.get(name);
        if (!p) continue;
        const t = toTensor(`${where}: ${name}`, value, p.shape);
        staged.push([name, t]);
        if (!shapesEqual(t.shape, p.shape)) {
          throw new Error(`${where}: ${name}: expected shape ${fmtShape(p.shape)}, got ${fmtShape(t.shape)}.`);
        }
      }
      // Nothing is assigned until every entry has been checked; each flat set in one assignment.
      const flatWrites = new Map<FlatParameters, Map<string, Float32Array>>();
      for (const [at, m] of this.modules()) {
        for (const [name, t] of staged) {
          if (!name.startsWith(at)) continue;
          const own = m.ownParameters.get(name.slice(at.length));
          if (own) tf.tidy(() => own.assign(t.dtype === "float32" ? t : tf.cast(t, "float32")));
          else if (m.flat?.slices.has(name.slice(at.length))) {
            if (!flatWrites.has(m.flat)) flatWrites.set(m.flat, new Map());
            flatWrites.get(m.flat)!.set(name.slice(at.length), Float32Array.from(t.dataSync()));
          }
        }
      }
      for (const [flat, values] of flatWrites) flat.write(values);
    } finally {
      for (const [, t] of staged) t.dispose();
    }
  }

  /** Writes the state dict as JSON: `{name: nested number array}`, readable by PyTorch via json + torch.tensor. */
  saveStateDict(path: string): void {
    const out: Record<string, NestedNumbers> = {};
    for (const e of this.parameterEntries()) {
      const t = e.copy();
      out[e.name] = t.arraySync() as NestedNumbers;
      t.dispose();
    }
    fs.writeFileSync(path, JSON.stringify(out));
  }

  loadStateDictFile(path: string, options: LoadOptions = {}): void {
    let record: StateDictRecord;
    try {
      record = JSON.parse(fs.readFileSync(path, "utf8"));
    } catch (err) {
      throw new Error(`${this.constructor.name}.loadStateDictFile: path: could not read a JSON state dict from "${path}": ${(err as Error).message}`);
    }
    this.loadStateDict(record, options);
  }

  dispose(): void {
    for (const p of this.ownParameters.values()) p.dispose();
    this.flat?.dispose();
    for (const m of this.children.values()) m.dispose();
  }

  /** PyTorch-style one-line description, e.g. `LSTM(10, 20, numLayers=2)`. */
  abstract describe(): string;

  toString(): string {
    const lines = [this.describe()];
    for (const [n, m] of this.children) lines.push(`  (${n}): ${m.toString().replace(/\n/g, "\n  ")}`);
    return lines.join("\n");
  }

  [REPR](): MimeBundle {
    const rows = [...this.parameterEntries()]
      .map((e) => `<tr><td><code>${e.name}</code></td><td>${fmtShape(e.shape)}</td><td>${e.size.toLocaleString("en")}</td></tr>`)
      .join("");
    return {
      "text/plain": `${this.toString()}\n${this.parameterCount().toLocaleString("en")} parameters`,
      "text/html":
        `<div><pre>${escapeHtml(this.toString())}</pre><table><thead><tr><th>parameter</th><th>shape</th><th>size</th></tr></thead>` +
        `<tbody>${rows}</tbody></table><p>${this.parameterCount().toLocaleString("en")} parameters</p></div>`,
    };
  }
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function shapesEqual(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function toTensor(where: string, value: StateDictRecord[string], shape: number[]): tf.Tensor {
  if (value instanceof tf.Tensor) {
    if (value.isDisposed) throw new TypeError(`${where}: expected a live tensor of shape ${fmtShape(shape)}, got a disposed tensor of shape ${fmtShape(value.shape)}.`);
    return tf.clone(value);
  }
  if (value instanceof Float32Array) {
    const size = shape.reduce((a, b) => a * b, 1);
    return value.length === size ? tf.tensor(value, shape) : tf.tensor1d(value);
  }
  checkNestedArray(where, value, shape);
  return tf.tensor(value as number[]);
}

/**
 * A nested number array must be rectangular, with numbers at the leaves: tfjs would otherwise
 * fail with "Invalid typed array length" or fill in what is missing. The first element at
 * each depth sets the length expected of its siblings.
 */
function checkNestedArray(where: string, value: unknown, shape: number[]): void {
  const lengths: number[] = [];
  for (let v = value; Array.isArray(v); v = v[0]) lengths.push(v.length);
  const at = (path: number[]) => path.map((i) => `[${i}]`).join("");
  const firstAt = (depth: number) => at(new Array(depth).fill(0));
  const walk = (v: unknown, path: number[]): void => {
    const depth = path.length;
    if (depth < lengths.length) {
      if (!Array.isArray(v) || v.length !== lengths[depth]) {
        const what = Array.isArray(v) ? `has length ${v.length}` : `is ${describe(v)}`;
        throw new TypeError(
          `${where}: expected a rectangular nested array of shape ${fmtShape(shape)}, got a ragged one: ${at(path)} ${what}, ${firstAt(depth)} has length ${lengths[depth]}.`,
        );
      }
      v.forEach((item, i) => walk(item, [...path, i]));
    } else if (typeof v !== "number") {
      throw new TypeError(`${where}: expected numbers, got ${describe(v)} at ${at(path) || "the top"}.`);
    }
  };
  walk(value, []);
}
