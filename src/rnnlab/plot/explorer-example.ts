/**
 * The explorer's default example: why gated cells remember.
 *
 * Sentence: "the keys that my grandmother kept in the small wooden box on the kitchen shelf were
 * lost". To write "were" (not "was"), a model must still know at step 15 that the subject "keys"
 * (step 1) is plural. Both cells below read the same tokens with 6 hidden units; unit 0 is the
 * "plural subject" memory, units 1–5 are ordinary feature units so the picture looks like a real
 * cell rather than one lit row. Everything is computed here in plain JS with small hand-set weights.
 *
 * Inputs x_t = [plural noun?, noun?, e1, e2]: two hand-labelled features plus a fixed 2-d
 * "embedding" per word (derived from its letters) that gives the filler units something to do.
 *
 * Vanilla RNN  h_t = tanh(W h_{t-1} + U x_t):
 *   unit 0 gets 3 × "plural noun" from the input and 0.6 × its own previous value. tanh(3) ≈ 1 at
 *   "keys", then ×0.6 per step: 0.53, 0.31, 0.18, … ≈ 1e-4 by "were". A self-weight below 1 is
 *   what trained vanilla RNNs end up with, because recurrent weights must stay contractive for
 *   gradients not to explode; the same contraction is what erases the memory.
 *
 * LSTM-like cell  c_t = f ⊙ c_{t-1} + i ⊙ g,  h_t = o ⊙ tanh(c_t):
 *   unit 0's input gate i = σ(6·plural − 3) opens only at "keys" (0.95; 0.05 elsewhere, where its
 *   candidate g = tanh(3·plural) is 0 anyway), and its forget gate has bias +5, σ(5) ≈ 0.993, so the
 *   cell keeps ~90 % of its value over 15 steps. The memory is additive, not squashed each step.
 *   Units 1–5 use forget bias 0 (σ = 0.5): short memories, like the vanilla units.
 */
import type { Chart } from "./chart";
import { hiddenStateExplorer } from "./explorer";

export const EXAMPLE_TOKENS = "the keys that my grandmother kept in the small wooden box on the kitchen shelf were lost".split(" ");

const PLURAL_NOUNS = new Set(["keys"]);
const NOUNS = new Set(["keys", "grandmother", "box", "kitchen", "shelf"]);

/** A fixed 2-d word vector in [-1, 1]² from the word's letters: deterministic texture, not meaning. */
function wordVector(word: string): [number, number] {
  let a = 0;
  let b = 0;
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i) - 96;
    a += Math.sin(c * 1.7 + i);
    b += Math.cos(c * 0.9 - i * 0.5);
  }
  return [Math.tanh(a / 2), Math.tanh(b / 2)];
}

export function exampleInputs(tokens: readonly string[] = EXAMPLE_TOKENS): number[][] {
  return tokens.map((w) => [PLURAL_NOUNS.has(w) ? 1 : 0, NOUNS.has(w) ? 1 : 0, ...wordVector(w)]);
}

const H = 6;
// Filler units 1–5: small recurrent weights (spectral radius well below 1) and input weights on
// the noun flag and the two word-vector components. Unit 0 is isolated from them on purpose.
const FILLER_RECURRENT = [
  [0.3, -0.2, 0.0, 0.1, 0.0],
  [0.1, 0.3, -0.2, 0.0, 0.1],
  [0.0, 0.2, 0.2, -0.1, 0.0],
  [-0.1, 0.0, 0.1, 0.3, 0.2],
  [0.0, 0.1, 0.0, -0.2, 0.3],
];
// Columns: [plural, noun, e1, e2].
const FILLER_INPUT = [
  [0.0, 1.2, 0.8, -0.3],
  [0.0, -0.8, 0.2, 1.1],
  [0.0, 0.3, -1.2, 0.4],
  [0.0, 0.9, 0.5, 0.9],
  [0.0, -0.4, 1.0, -0.9],
];

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** Pre-activation of filler unit u (1…5) from the previous hidden state and the input. */
function fillerDrive(u: number, h: readonly number[], x: readonly number[]): number {
  let z = 0;
  for (let j = 0; j < 5; j++) z += FILLER_RECURRENT[u - 1][j] * h[j + 1];
  for (let k = 0; k < 4; k++) z += FILLER_INPUT[u - 1][k] * x[k];
  return z;
}

export function runVanillaRnn(inputs: number[][]): number[][] {
  let h = new Array<number>(H).fill(0);
  return inputs.map((x) => {
    const next = [Math.tanh(0.6 * h[0] + 3 * x[0])];
    for (let u = 1; u < H; u++) next.push(Math.tanh(fillerDrive(u, h, x)));
    h = next;
    return h;
  });
}

export function runLstmLikeCell(inputs: number[][]): number[][] {
  let h = new Array<number>(H).fill(0);
  let c = new Array<number>(H).fill(0);
  return inputs.map((x) => {
    const nextC: number[] = [];
    const nextH: number[] = [];
    // Unit 0: the gated memory described above.
    const i0 = sigmoid(6 * x[0] - 3);
    const f0 = sigmoid(5);
    const g0 = Math.tanh(3 * x[0]);
    const o0 = sigmoid(3);
    nextC.push(f0 * c[0] + i0 * g0);
    nextH.push(o0 * Math.tanh(nextC[0]));
    // Units 1–5: same drive as the vanilla fillers as candidate, plain gates (forget 0.5, input/output open).
    for (let u = 1; u < H; u++) {
      const g = Math.tanh(fillerDrive(u, h, x));
      const cu = sigmoid(0) * c[u] + sigmoid(2) * g;
      nextC.push(cu);
      nextH.push(sigmoid(2) * Math.tanh(cu));
    }
    c = nextC;
    h = nextH;
    return h;
  });
}

export interface ExplorerExampleData {
  tokens: string[];
  runs: { name: string; states: number[][] }[];
}

/** The numbers behind the example, for notebooks that want to inspect or re-plot them. */
export function explorerExampleData(): ExplorerExampleData {
  const inputs = exampleInputs();
  return {
    tokens: [...EXAMPLE_TOKENS],
    runs: [
      { name: "vanilla RNN", states: runVanillaRnn(inputs) },
      { name: "LSTM-like cell", states: runLstmLikeCell(inputs) },
    ],
  };
}

/** The explorer on the example: unit 0 ("subject is plural") fades in the RNN and survives in the LSTM. */
export function explorerExample(): Chart {
  const { tokens, runs } = explorerExampleData();
  return hiddenStateExplorer({
    tokens,
    runs,
    title: "Does the cell still know at “were” that “keys” was plural? (unit 0)",
    unitLabels: ["0 plural subj.", "1", "2", "3", "4", "5"],
    // Start on "were": the step where the memory is needed.
    initialStep: tokens.indexOf("were"),
  });
}
