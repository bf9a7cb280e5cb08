/**
 * PyTorch's nn.LSTM / nn.GRU / nn.RNN equations, written out in float64 JavaScript from a state
 * dict in PyTorch's layout, independent of rnnlab's code. Used as the ground truth.
 */
type Mat = number[][];
type Vec = number[];
export type TorchStateDict = Record<string, Mat | Vec>;
export type Kind = "lstm" | "gru" | "rnn_tanh" | "rnn_relu";

const sig = (x: number) => 1 / (1 + Math.exp(-x));
const gatesOf: Record<Kind, number> = { lstm: 4, gru: 3, rnn_tanh: 1, rnn_relu: 1 };

function affine(W: Mat, x: Vec, b?: Vec): Vec {
  return W.map((row, i) => row.reduce((s, w, j) => s + w * x[j], b ? b[i] : 0));
}

/** One layer-direction over xs[t][b][i]; returns ys[t][b][h] and final h (and c). */
function runDirection(kind: Kind, sd: TorchStateDict, sfx: string, xs: number[][][], h0: Mat, c0: Mat | undefined, reverse: boolean) {
  const Wih = sd[`weight_ih${sfx}`] as Mat;
  const Whh = sd[`weight_hh${sfx}`] as Mat;
  const bih = sd[`bias_ih${sfx}`] as Vec | undefined;
  const bhh = sd[`bias_hh${sfx}`] as Vec | undefined;
  const H = Whh[0].length;
  const T = xs.length;
  const ys: number[][][] = new Array(T);
  let h = h0.map((r) => [...r]);
  let c = c0?.map((r) => [...r]);
  for (let s = 0; s < T; s++) {
    const t = reverse ? T - 1 - s : s;
    const nh: Mat = [];
    const nc: Mat = [];
    for (let b = 0; b < xs[t].length; b++) {
      const xp = affine(Wih, xs[t][b], bih);
      const hp = affine(Whh, h[b], bhh);
      const hb: Vec = [];
      const cb: Vec = [];
      for (let j = 0; j < H; j++) {
        if (kind === "lstm") {
          const i = sig(xp[j] + hp[j]);
          const f = sig(xp[H + j] + hp[H + j]);
          const g = Math.tanh(xp[2 * H + j] + hp[2 * H + j]);
          const o = sig(xp[3 * H + j] + hp[3 * H + j]);
          cb[j] = f * c![b][j] + i * g;
          hb[j] = o * Math.tanh(cb[j]);
        } else if (kind === "gru") {
          const r = sig(xp[j] + hp[j]);
          const z = sig(xp[H + j] + hp[H + j]);
          const n = Math.tanh(xp[2 * H + j] + r * hp[2 * H + j]);
          hb[j] = (1 - z) * n + z * h[b][j];
        } else {
          const a = xp[j] + hp[j];
          hb[j] = kind === "rnn_tanh" ? Math.tanh(a) : Math.max(0, a);
        }
      }
      nh.push(hb);
      nc.push(cb);
    }
    h = nh;
    if (kind === "lstm") c = nc;
    ys[t] = h;
  }
  return { ys, h, c };
}

/** nn.LSTM/GRU/RNN forward (time-major, no dropout): output (T, B, D·H), h and c (L·D, B, H). */
export function torchForward(kind: Kind, sd: TorchStateDict, numLayers: number, bidirectional: boolean, x: number[][][], h0: number[][][], c0?: number[][][]) {
  const D = bidirectional ? 2 : 1;
  let input = x;
  const hs: Mat[] = [];
  const cs: Mat[] = [];
  for (let l = 0; l < numLayers; l++) {
    const outs = [];
    for (let d = 0; d < D; d++) {
      const idx = l * D + d;
      const r = runDirection(kind, sd, `_l${l}${d ? "_reverse" : ""}`, input, h0[idx], c0?.[idx], d === 1);
      outs.push(r.ys);
      hs.push(r.h);
      if (r.c) cs.push(r.c);
    }
    input = outs[0].map((yt, t) => yt.map((yb, b) => (D === 1 ? yb : [...yb, ...outs[1][t][b]])));
  }
  return { output: input, h: hs, c: kind === "lstm" ? cs : undefined };
}

/** A state dict with PyTorch's names and shapes, values from a fixed-seed LCG in [−0.5, 0.5). */
export function randomStateDict(kind: Kind, inputSize: number, H: number, numLayers: number, bidirectional: boolean, seed: number): TorchStateDict {
  let s = seed >>> 0;
  const rnd = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 4294967296) - 0.5;
  const G = gatesOf[kind] * H;
  const D = bidirectional ? 2 : 1;
  const sd: TorchStateDict = {};
  for (let l = 0; l < numLayers; l++) {
    for (let d = 0; d < D; d++) {
      const sfx = `_l${l}${d ? "_reverse" : ""}`;
      const I = l === 0 ? inputSize : D * H;
      sd[`weight_ih${sfx}`] = Array.from({ length: G }, () => Array.from({ length: I }, rnd));
      sd[`weight_hh${sfx}`] = Array.from({ length: G }, () => Array.from({ length: H }, rnd));
      sd[`bias_ih${sfx}`] = Array.from({ length: G }, rnd);
      sd[`bias_hh${sfx}`] = Array.from({ length: G }, rnd);
    }
  }
  return sd;
}

export function randomArray(shape: number[], seed: number): any {
  let s = seed >>> 0;
  const rnd = () => ((s = (s * 22695477 + 1) >>> 0) / 4294967296) * 2 - 1;
  const build = (dims: number[]): any => (dims.length === 1 ? Array.from({ length: dims[0] }, rnd) : Array.from({ length: dims[0] }, () => build(dims.slice(1))));
  return build(shape);
}
