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
import { describe, expectBoolean, expectKnownOptions, expectPositiveInt } from "./validate";

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
  expectKnownOptions("trainStep", options ?? {}, ["maxNorm", "onGrads"]);
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
  /** Inputs and targets with time on axis 0, or on axis 1 when batchFirst. */
  inputs: tf.Tensor;
  targets: tf.Tensor;
  /**
   * Whether time is axis 1 (B, T, …). Default: what the module's recurrent layers say (an error
   * when they disagree), or time-major when it has none.
   */
  batchFirst?: boolean;
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

const TBPTT_OPTION_KEYS = ["module", "optimizer", "inputs", "targets", "chunkLength", "batchFirst", "forward", "maxNorm", "state", "onChunk"];

/** One pass of truncated BPTT over a long sequence. */
export function trainTBPTT(options: TBPTTOptions): TBPTTResult {
  expectKnownOptions("trainTBPTT", options, TBPTT_OPTION_KEYS);
  const k = expectPositiveInt("trainTBPTT", "chunkLength", options.chunkLength);
  const { inputs, targets } = options;
  const batchFirst = timeIsAxis1(options);
  const axis = batchFirst ? 1 : 0;
  if (!(inputs instanceof tf.Tensor) || !(targets instanceof tf.Tensor) || inputs.rank <= axis || inputs.shape[axis] !== targets.shape[axis]) {
    throw new TypeError(
      `trainTBPTT: targets: expected the same length on axis ${axis} (time${batchFirst ? ", batchFirst" : ""}) as inputs, ` +
        `got inputs ${describe(inputs)} and targets ${describe(targets)}.`,
    );
  }
  const T = inputs.shape[axis] as number;
  // A chunk of `len` steps from `start`, on the time axis.
  const chunkOf = (t: tf.Tensor, start: number, len: number) =>
    batchFirst ? tf.slice(t, [0, start], [-1, len]) : tf.slice(t, start, len);
  let state = options.state;
  const losses: number[] = [];
  const gradNorms: number[] = [];
  for (let start = 0, chunk = 0; start < T; start += k, chunk++) {
    const len = Math.min(k, T - start);
    const x = chunkOf(inputs, start, len);
    const y = chunkOf(targets, start, len);
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

/**
 * Where time is: the batchFirst option, else the module's recurrent layers' batchFirst (they
 * must agree), else axis 0. Guessing wrong would run a whole batch-first sequence as one
 * chunk: nothing truncated, memory unbounded, and no error.
 */
function timeIsAxis1(options: TBPTTOptions): boolean {
  if (options.batchFirst !== undefined) return expectBoolean("trainTBPTT", "batchFirst", options.batchFirst);
  const layouts = options.module
    .namedModules()
    .filter(([, m]) => typeof (m as { batchFirst?: unknown }).batchFirst === "boolean")
    .map(([name, m]) => [name || "module", (m as unknown as { batchFirst: boolean }).batchFirst] as const);
  if (layouts.length === 0) return false;
  if (layouts.some(([, bf]) => bf !== layouts[0][1])) {
    throw new TypeError(
      `trainTBPTT: batchFirst: the module's recurrent layers disagree (${layouts.map(([n, bf]) => `${n}: ${bf}`).join(", ")}); pass batchFirst to say where time is.`,
    );
  }
  return layouts[0][1];
}
