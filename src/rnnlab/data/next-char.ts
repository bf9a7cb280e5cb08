/**
 * Next-character batches of short texts (names in notebooks 01 and 04): each text framed by a
 * start/end token (".emma."), the inputs without the last token (".emma") and the targets without
 * the first ("emma."), right-padded with the vocabulary's padding id to the longest text.
 */
import * as tf from "@tensorflow/tfjs-core";
import { CharVocab } from "./vocab";

export interface NextCharBatch {
  /** [B, T] int32: the frame token, then the text. */
  inputs: tf.Tensor2D;
  /** [B, T] int32: the text, then the frame token. */
  targets: tf.Tensor2D;
}

export function nextCharBatch(vocab: CharVocab, texts: readonly string[], frame: string): NextCharBatch {
  if (!(vocab instanceof CharVocab)) throw new TypeError(`nextCharBatch: vocab: expected a data.CharVocab, got ${typeof vocab}.`);
  if (!Array.isArray(texts) || texts.length === 0 || texts.some((t) => typeof t !== "string")) {
    throw new TypeError(`nextCharBatch: texts: expected a non-empty array of strings, got ${Array.isArray(texts) ? `an array of ${texts.length}` : typeof texts}.`);
  }
  if (typeof frame !== "string" || !vocab.tokens.includes(frame)) {
    throw new RangeError(`nextCharBatch: frame: expected one of the vocabulary's tokens, got ${JSON.stringify(frame)}.`);
  }
  const ids = vocab.encodeBatch(texts.map((t) => `${frame}${t}${frame}`));
  return {
    inputs: tf.tensor2d(ids.map((r) => r.slice(0, -1)), undefined, "int32"),
    targets: tf.tensor2d(ids.map((r) => r.slice(1)), undefined, "int32"),
  };
}
