/**
 * Parameters that live side by side in one flat variable, each a PyTorch-named, PyTorch-shaped
 * slice of it: the layout of PyTorch's `flatten_parameters()` for cuDNN.
 *
 * Why: an optimizer update and a gradient cost a fixed handful of tfjs kernels per *variable*
 * (tfjs's Adam runs about 15 per variable), which at small sizes outweighs the arithmetic. A
 * recurrent layer with one variable instead of four per layer-direction trains about twice as
 * fast at the sizes of the course's toy problems, and the fused kernels read their weights
 * straight out of the flat array.
 *
 * Names stay PyTorch's everywhere a learner looks: state dicts, `namedParameters()` and the
 * gradients handed to `onGrads`.
 */
import * as tf from "@tensorflow/tfjs-core";

/** Where one named parameter sits in the flat array. */
export interface ParameterSlice {
  offset: number;
  shape: number[];
  size: number;
}

/** One parameter's part of a flat tensor, in the parameter's shape. */
const cut = (flat: tf.Tensor, s: ParameterSlice): tf.Tensor => tf.reshape(tf.slice(flat, s.offset, s.size), s.shape);

export class FlatParameters {
  readonly variable: tf.Variable;
  readonly slices = new Map<string, ParameterSlice>();
  /**
   * The values handed out by view(), one non-trainable variable per name, rewritten whenever
   * the flat variable is assigned, so a value held across an optimizer step shows the new
   * weights, as a PyTorch parameter does. Made on first request only: a layer nobody asked
   * about pays nothing per update.
   */
  private views = new Map<string, tf.Variable>();

  /** `entries` in storage order; `values` fills each one (PyTorch's init draws them in this order). */
  constructor(entries: { name: string; shape: number[]; values: Float32Array }[]) {
    let size = 0;
    for (const e of entries) {
      const n = e.shape.reduce((a, b) => a * b, 1);
      if (e.values.length !== n) throw new Error(`FlatParameters: ${e.name}: expected ${n} values, got ${e.values.length}.`);
      this.slices.set(e.name, { offset: size, shape: e.shape, size: n });
      size += n;
    }
    const flat = new Float32Array(size);
    for (const e of entries) flat.set(e.values, this.slices.get(e.name)!.offset);
    // tf.variable copies its initial value: the tensor made to hold it is ours to free.
    const initial = tf.tensor1d(flat);
    this.variable = tf.variable(initial, true);
    initial.dispose();
    // Every update goes through assign (tfjs's optimizers, write() below, a user's assign).
    const assign = this.variable.assign.bind(this.variable);
    this.variable.assign = (value: tf.Tensor) => {
      assign(value);
      this.refreshViews();
    };
  }

  /** The parameter as a differentiable slice of the variable, for code that computes with it. */
  slice(name: string): tf.Tensor {
    return cut(this.variable, this.slices.get(name)!);
  }

  /**
   * The parameter's current value, owned here and kept current: the same tensor follows every
   * update of the flat variable. Read it, don't assign it (that would not reach the layer).
   */
  view(name: string): tf.Tensor {
    let v = this.views.get(name);
    if (!v) {
      v = tf.tidy(() => tf.variable(this.slice(name), false));
      this.views.set(name, v);
    }
    return v;
  }

  private refreshViews(): void {
    if (this.views.size === 0) return;
    const flat = this.variable.dataSync() as Float32Array;
    for (const [name, v] of this.views) {
      const s = this.slices.get(name)!;
      // A copy: on cpu, dataSync hands out the backend's own storage.
      const value = tf.tensor(flat.slice(s.offset, s.offset + s.size), s.shape);
      v.assign(value);
      value.dispose();
    }
  }

  /** A gradient of the flat variable, cut into PyTorch-named gradients (new tensors). */
  split(grad: tf.Tensor): Record<string, tf.Tensor> {
    const out: Record<string, tf.Tensor> = {};
    tf.tidy(() => {
      for (const [name, s] of this.slices) out[name] = tf.keep(cut(grad, s));
    });
    return out;
  }

  /** Writes new values for some of the parameters in one assignment. */
  write(values: Map<string, Float32Array>): void {
    const flat = (this.variable.dataSync() as Float32Array).slice();
    for (const [name, v] of values) flat.set(v, this.slices.get(name)!.offset);
    tf.tidy(() => this.variable.assign(tf.tensor1d(flat)));
  }

  dispose(): void {
    for (const v of this.views.values()) v.dispose();
    this.views.clear();
    this.variable.dispose();
  }
}
