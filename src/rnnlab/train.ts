/**
 * Training steps, as in PyTorch's loop:
 *
 *   optimizer.zero_grad(); loss = f(); loss.backward(); clip_grad_norm_(…); optimizer.step()
 *
 * and truncated backpropagation through time: a long sequence is walked in chunks of
 * `chunkLength` steps. The state carried into each chunk is a plain value (PyTorch's
 * `state.detach()`), so gradients stop at the chunk boundary and the memory of a step depends
 * on the chunk length, not on the whole sequence.
 */
import * as tf from "@tensorflow/tfjs-core";
import { clipGradNorm, globalNorm, type Grads } from "./clip";
import type { Module } from "./module";
import { describe, expectPositiveInt } from "./validate";

export interface StepResult {
  loss: number;
  /** Global gradient norm before clipping. */
  gradNorm: number;
}

export interface TrainStepOptions {
  /** Clip the global gradient norm to this before the update (clip_grad_norm_). */
  maxNorm?: number;
  /** Called with the (clipped) gradients by PyTorch name, before the update; they are disposed after. */
  onGrads?: (grads: Grads, step: StepResult) => void;
}

/** One optimisation step of `module`'s parameters on the scalar returned by `lossFn`. */
export function trainStep(module: Module, optimizer: tf.Optimizer, lossFn: () => tf.Scalar, options: TrainStepOptions = {}): StepResult {
  const variables = module.parameters();
  if (variables.length === 0) throw new Error(`trainStep: module: expected a module with parameters, got ${module.describe()} with none.`);
  const { value, grads } = tf.variableGrads(lossFn, variables);
  const loss = value.dataSync()[0];
  value.dispose();
  // Clipping and the norm work on the variables' gradients as they are: the global norm does
  // not depend on how the parameters are cut. PyTorch names are made only for onGrads.
  let gradNorm: number;
  let applied: tf.NamedTensorMap = grads;
  if (options.maxNorm !== undefined) {
    const clipped = clipGradNorm(grads, options.maxNorm);
    gradNorm = clipped.totalNorm;
    applied = clipped.grads;
    tf.dispose(Object.values(grads));
  } else {
    gradNorm = globalNorm(grads);
  }
  if (options.onGrads) {
    const named = module.namedGrads(applied);
    const passedOn = new Set(Object.values(applied));
    try {
      options.onGrads(named, { loss, gradNorm });
    } finally {
      tf.dispose(Object.values(named).filter((g) => !passedOn.has(g)));
    }
  }
  // In the variables' own order: tfjs's Adam keeps its moments by position, not by name.
  const ordered: tf.NamedTensorMap = {};
  for (const v of variables) if (applied[v.name]) ordered[v.name] = applied[v.name];
  optimizer.applyGradients(ordered);
  tf.dispose(Object.values(applied));
  return { loss, gradNorm };
}

/** The recurrent state a chunk hands to the next: any tensors, by name. */
export type CarriedState = Record<string, tf.Tensor> | undefined;

export interface TBPTTOptions {
  module: Module;
  optimizer: tf.Optimizer;
  /** Time-major inputs and targets: time is axis 0. */
  inputs: tf.Tensor;
  targets: tf.Tensor;
  /** Steps per chunk (PyTorch's bptt length). */
  chunkLength: number;
  /** The model and loss on one chunk: returns the loss and the state at the chunk's end. */
  forward: (inputs: tf.Tensor, targets: tf.Tensor, state: CarriedState) => { loss: tf.Scalar; state: CarriedState };
  maxNorm?: number;
  /** Starting state (zeros, i.e. undefined, by default). */
  state?: CarriedState;
  onChunk?: (info: { chunk: number; start: number; loss: number; gradNorm: number; grads: Grads }) => void;
}

export interface TBPTTResult {
  losses: number[];
  gradNorms: number[];
  /** The state after the last chunk; dispose it, or pass it to the next epoch. */
  state: CarriedState;
}

/** One pass of truncated BPTT over a long sequence. */
export function trainTBPTT(options: TBPTTOptions): TBPTTResult {
  const k = expectPositiveInt("trainTBPTT", "chunkLength", options.chunkLength);
  const { inputs, targets } = options;
  if (!(inputs instanceof tf.Tensor) || !(targets instanceof tf.Tensor) || inputs.shape[0] !== targets.shape[0]) {
    throw new TypeError(
      `trainTBPTT: targets: expected tensors with the same length on axis 0 (time) as inputs, got inputs ${describe(inputs)} and targets ${describe(targets)}.`,
    );
  }
  const T = inputs.shape[0];
  let state = options.state;
  const losses: number[] = [];
  const gradNorms: number[] = [];
  for (let start = 0, chunk = 0; start < T; start += k, chunk++) {
    const len = Math.min(k, T - start);
    const x = tf.slice(inputs, start, len);
    const y = tf.slice(targets, start, len);
    const incoming = state;
    let outgoing: CarriedState;
    const r = trainStep(
      options.module,
      options.optimizer,
      () => {
        const out = options.forward(x, y, incoming);
        // Kept past the step's tape, the state is a constant to the next chunk: detach().
        outgoing = out.state && Object.fromEntries(Object.entries(out.state).map(([n, t]) => [n, tf.keep(t)]));
        return out.loss;
      },
      {
        maxNorm: options.maxNorm,
        onGrads: options.onChunk && ((grads, step) => options.onChunk!({ chunk, start, ...step, grads })),
      },
    );
    tf.dispose([x, y]);
    if (incoming && incoming !== options.state) tf.dispose(Object.values(incoming));
    state = outgoing!;
    losses.push(r.loss);
    gradNorms.push(r.gradNorm);
  }
  return { losses, gradNorms, state };
}
