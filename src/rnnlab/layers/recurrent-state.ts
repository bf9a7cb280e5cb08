/**
 * The forms an initial state comes in, and what the recurrent layers return.
 *
 * PyTorch passes an LSTM's state as the tuple `(h0, c0)` and an RNN's or GRU's as `h0` alone;
 * rnnlab also takes `{h, c}` / `{h}`, so a previous result can go straight back in
 * (`lstm.forward(x2, lstm.forward(x1))`). Anything else is an error naming `state`: a state
 * that is silently ignored starts the layer from zeros, and nothing looks wrong until the
 * model fails to learn.
 */
import * as tf from "@tensorflow/tfjs-core";
import { describe } from "../validate";

/** What RNN and GRU return: output (T, B, D·H) or (B, T, D·H) with batchFirst; h (numLayers·D, B, H). */
export type HiddenOutput = {
  output: tf.Tensor3D;
  h: tf.Tensor3D;
};

/** What LSTM returns: as HiddenOutput, plus the cell state c (numLayers·D, B, H). */
export type LSTMOutput = HiddenOutput & {
  c: tf.Tensor3D;
};

/** An RNN's or GRU's initial state: `h0` (PyTorch), `[h0]`, or `{h}` (a previous result). */
export type HiddenStateInput = tf.Tensor | readonly [tf.Tensor] | { readonly h: tf.Tensor };

/** An LSTM's initial state: PyTorch's tuple `[h0, c0]`, or `{h, c}` (a previous result). */
export type LSTMStateInput = readonly [tf.Tensor, tf.Tensor] | { readonly h: tf.Tensor; readonly c: tf.Tensor };

/** A state read from any accepted form, each part with the name its errors should use. */
export interface ReadState {
  /** False when no state came: the layer starts from zeros. */
  given: boolean;
  h?: tf.Tensor;
  c?: tf.Tensor;
  hName: string;
  cName: string;
}

/** Keys a result carries besides the state, allowed when a result is passed back as a state. */
const RESULT_KEYS = new Set(["output"]);

const isTensor = (v: unknown): v is tf.Tensor => v instanceof tf.Tensor;
const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && Object.getPrototypeOf(v) === Object.prototype;

/**
 * Reads `state` for a layer (`tuple` names "h0"/"c0") or a cell ("h"/"c"). Undefined means
 * zeros. The tensors themselves are checked later, against the shapes the caller expects; a
 * part that is not a tensor is passed on so that check names it.
 */
export function readState(where: string, state: unknown, withCell: boolean, names: { h: string; c: string }): ReadState {
  if (state === undefined || state === null) return { given: false, hName: "", cName: "" };
  const expected = withCell
    ? `[${names.h}, ${names.c}] (PyTorch's tuple) or {h, c}`
    : `${names.h} (a tensor, as in PyTorch), [${names.h}] or {h}`;
  const fail = (): never => {
    throw new TypeError(`${where}: state: expected ${expected}, got ${describe(state)}.`);
  };
  if (isTensor(state)) {
    if (withCell) fail();
    return { given: true, h: state, hName: `state (${names.h})`, cName: "" };
  }
  if (Array.isArray(state)) {
    if (state.length !== (withCell ? 2 : 1)) fail();
    return { given: true, h: state[0], c: withCell ? state[1] : undefined, hName: `state[0] (${names.h})`, cName: `state[1] (${names.c})` };
  }
  if (isPlainObject(state)) {
    const keys = Object.keys(state).filter((k) => !RESULT_KEYS.has(k));
    const wanted = withCell ? ["h", "c"] : ["h"];
    const exact = keys.length === wanted.length && wanted.every((k) => keys.includes(k) && state[k] !== undefined);
    if (!exact) fail();
    return { given: true, h: state.h as tf.Tensor, c: withCell ? (state.c as tf.Tensor) : undefined, hName: "state.h", cName: "state.c" };
  }
  return fail();
}
