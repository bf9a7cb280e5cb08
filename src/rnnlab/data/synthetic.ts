/**
 * Synthetic sequence tasks, generated from a seed so every run sees the same data.
 *
 * - adding problem (Hochreiter & Schmidhuber 1997): each step carries a random value and a
 *   marker; two steps are marked, and the target is the sum of their values. The first marker
 *   sits in the first half, so the answer depends on a step up to T steps back.
 * - copy task: remember a few symbols, wait, then reproduce them.
 * - noisy sines: a clean target to forecast from a noisy history.
 */
import { Generator } from "../random";
import { expectPositiveInt } from "../validate";

export interface AddingBatch {
  /** [B][T][2]: (value, marker) per step. */
  inputs: number[][][];
  /** [B]: the sum of the two marked values. */
  targets: number[];
}

export function addingProblem(batch: number, T: number, seed = 0): AddingBatch {
  expectPositiveInt("addingProblem", "batch", batch);
  expectPositiveInt("addingProblem", "T", T, 2);
  const g = new Generator(seed);
  const inputs: number[][][] = [];
  const targets: number[] = [];
  for (let b = 0; b < batch; b++) {
    const first = g.int(Math.ceil(T / 2));
    let second = Math.floor(T / 2) + g.int(T - Math.floor(T / 2));
    if (second === first) second = T - 1;
    const seq: number[][] = [];
    let sum = 0;
    for (let t = 0; t < T; t++) {
      const v = g.next();
      const marked = t === first || t === second ? 1 : 0;
      if (marked) sum += v;
      seq.push([v, marked]);
    }
    inputs.push(seq);
    targets.push(sum);
  }
  return { inputs, targets };
}

export interface CopyBatch {
  /** [B][T] token ids: symbols 1…K, blanks 0, a "go" marker K+1. */
  inputs: number[][];
  /** [B][T]: blanks until the go marker, then the symbols again. */
  targets: number[][];
  vocabSize: number;
}

/** Copy `length` random symbols (from `symbols` kinds) across a gap of `delay` blanks. */
export function copyTask(batch: number, length: number, delay: number, symbols = 8, seed = 0): CopyBatch {
  expectPositiveInt("copyTask", "batch", batch);
  expectPositiveInt("copyTask", "length", length);
  expectPositiveInt("copyTask", "delay", delay, 0);
  const g = new Generator(seed);
  const go = symbols + 1;
  const inputs: number[][] = [];
  const targets: number[][] = [];
  for (let b = 0; b < batch; b++) {
    const s = Array.from({ length }, () => 1 + g.int(symbols));
    inputs.push([...s, ...new Array(delay).fill(0), go, ...new Array(length - 1).fill(0)]);
    targets.push([...new Array(length + delay).fill(0), ...s]);
  }
  return { inputs, targets, vocabSize: symbols + 2 };
}

/** `batch` sine waves of random phase and period in [minPeriod, maxPeriod], plus N(0, noise²). */
export function noisySines(batch: number, T: number, { noise = 0.1, minPeriod = 10, maxPeriod = 30, seed = 0 } = {}): { noisy: number[][]; clean: number[][] } {
  const g = new Generator(seed);
  const noisy: number[][] = [];
  const clean: number[][] = [];
  for (let b = 0; b < batch; b++) {
    const period = minPeriod + (maxPeriod - minPeriod) * g.next();
    const phase = 2 * Math.PI * g.next();
    const z = g.normal(T);
    const c = Array.from({ length: T }, (_, t) => Math.sin((2 * Math.PI * t) / period + phase));
    clean.push(c);
    noisy.push(c.map((v, t) => v + noise * z[t]));
  }
  return { noisy, clean };
}
