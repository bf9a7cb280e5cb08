/**
 * Embedding: a lookup table from token ids to vectors, `weight` [numEmbeddings, embeddingDim],
 * initialised N(0, 1) as in PyTorch. A `paddingIdx` row starts at zero and gets no gradient.
 */
import * as tf from "@tensorflow/tfjs-core";
import { Module } from "../module";
import { defaultGenerator } from "../random";
import { describe, expectPositiveInt, expectKnownOptions } from "../validate";

export interface EmbeddingOptions {
  paddingIdx?: number;
}

export class Embedding extends Module {
  readonly weight: tf.Variable;
  readonly paddingIdx?: number;

  constructor(readonly numEmbeddings: number, readonly embeddingDim: number, options: EmbeddingOptions = {}) {
    super("Embedding");
    expectKnownOptions("Embedding", options ?? {}, ["paddingIdx"]);
    expectPositiveInt("Embedding", "numEmbeddings", numEmbeddings);
    expectPositiveInt("Embedding", "embeddingDim", embeddingDim);
    const init = defaultGenerator().normal(numEmbeddings * embeddingDim);
    if (options.paddingIdx !== undefined) {
      const p = options.paddingIdx;
      if (!Number.isInteger(p) || p < 0 || p >= numEmbeddings) {
        throw new RangeError(`Embedding: paddingIdx: expected an integer in [0, ${numEmbeddings}), got ${describe(p)}.`);
      }
      this.paddingIdx = p;
      init.fill(0, p * embeddingDim, (p + 1) * embeddingDim);
    }
    this.weight = this.registerParameter("weight", tf.tensor2d(init, [numEmbeddings, embeddingDim]));
  }

  /** ids of any shape (int32 tensor or nested number arrays) → (…ids.shape, embeddingDim). */
  forward(ids: tf.Tensor | number[] | number[][]): tf.Tensor {
    return tf.tidy(() => {
      const t = ids instanceof tf.Tensor ? ids : tf.tensor(ids as number[], undefined, "int32");
      if (t.dtype !== "int32") {
        throw new TypeError(`Embedding.forward: ids: expected int32 token ids, got dtype ${t.dtype}.`);
      }
      const flat = t.reshape([-1]) as tf.Tensor1D;
      const values = flat.dataSync();
      for (const v of values) {
        if (v < 0 || v >= this.numEmbeddings) {
          throw new RangeError(`Embedding.forward: ids: expected ids in [0, ${this.numEmbeddings}), got ${v}.`);
        }
      }
      return tf.reshape(this.lookup(this.weight, flat), [...t.shape, this.embeddingDim]);
    });
  }

  /**
   * Row lookup with its gradient written out: ∂W[v] = Σ of ∂out over the positions holding id v,
   * and nothing for the padding row. (tfjs's own gather gradient needs UnsortedSegmentSum,
   * which the wasm backend lacks.)
   */
  private lookup(table: tf.Tensor, flatIds: tf.Tensor1D): tf.Tensor2D {
    const ids = flatIds.dataSync();
    const [V, E] = [this.numEmbeddings, this.embeddingDim];
    const pad = this.paddingIdx;
    const op = tf.customGrad((...args: unknown[]) => {
      const [w, i] = args as tf.Tensor[];
      const gradFunc = (dy: tf.Tensor) => {
        const d = dy.dataSync();
        const dW = new Float32Array(V * E);
        for (let n = 0; n < ids.length; n++) {
          const v = ids[n];
          if (v === pad) continue;
          for (let e = 0; e < E; e++) dW[v * E + e] += d[n * E + e];
        }
        return [tf.tensor2d(dW, [V, E]), tf.zerosLike(i)];
      };
      return { value: tf.gather(w, i), gradFunc };
    });
    return op(table, flatIds) as tf.Tensor2D;
  }

  describe(): string {
    return `Embedding(${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx !== undefined ? `, paddingIdx=${this.paddingIdx}` : ""})`;
  }
}
