/**
 * `npm run bench`: rnnlab's fused recurrent layers against tf.layers on the same backend,
 * in the same process, so the ratios hold however busy the machine is.
 *
 * A train step is forward, MSE loss, backward and an Adam update. Medians over several runs,
 * rnnlab's and tf.layers' calls in alternating blocks so that both see the same machine.
 * At the small size it also prints the floor of any train step built on tfjs's autodiff and
 * Adam (floorMs), which bounds the speed-up there.
 * `--json` prints one JSON object per line instead of the table; `--model LSTM` and
 * `--workload M` run a subset. GFLOP/s counts the products' multiply-adds (forward, and twice
 * as many backward) and is shown against a 512³ matMul timed in alternation with each row's
 * train steps.
 */
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { GRU, LSTM, RNN, manualSeed, mse, ready, trainStep, trainTBPTT } from "../rnnlab";
import { lastTapeBytes } from "../rnnlab/fused/recurrence";
import type { RecurrentBase } from "../rnnlab/layers/recurrent";

/**
 * "GRU" is rnnlab's default, PyTorch's reset-after form; "GRU-rb" is its reset-before form, the
 * same equations as tf.layers' GRU (which has only that form), so that row is like for like.
 */
type ModelName = "LSTM" | "GRU" | "GRU-rb" | "RNN";
const ALL_MODELS: ModelName[] = ["LSTM", "GRU", "GRU-rb", "RNN"];
interface Workload { name: string; B: number; T: number; I: number; H: number; runs: number; models: ModelName[] }

const WORKLOADS: Workload[] = [
  { name: "M", B: 32, T: 50, I: 32, H: 128, runs: 7, models: ALL_MODELS },
  { name: "S", B: 8, T: 20, I: 8, H: 16, runs: 12, models: ALL_MODELS },
  // tf.layers takes seconds per step here, so only the LSTM, with few rounds.
  { name: "L", B: 64, T: 100, I: 64, H: 256, runs: 3, models: ["LSTM"] },
  // One long stream: a step's products are a single row, so per-timestep cost is all there is.
  { name: "stream", B: 1, T: 1000, I: 16, H: 64, runs: 3, models: ["LSTM", "GRU-rb"] },
];
const GATES: Record<ModelName, number> = { LSTM: 4, GRU: 3, "GRU-rb": 3, RNN: 1 };

/** matmulGflops: the 512³ matMul timed in alternation with this row's train steps. */
interface Row { workload: string; model: ModelName; impl: string; trainMs: number; forwardMs: number; gflops: number; matmulGflops: number }

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Warm-up, at least two calls and half a second: the first calls compile and allocate, and
 * V8 needs some tens of small steps before the loops run optimised (an S-size LSTM step falls
 * from about 7 ms to 1.6 ms over its first 60 calls). */
async function warm(fn: () => unknown): Promise<void> {
  const start = performance.now();
  for (let i = 0; i < 2 || performance.now() - start < 500; i++) await fn();
}

async function time(fn: () => unknown, runs: number): Promise<number> {
  await warm(fn);
  const ts: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    ts.push(performance.now() - t0);
  }
  return median(ts);
}

/**
 * Medians of functions timed in alternating blocks: each block runs one of them for at least
 * 25 ms (at least one call), timing every call, so that all see the same busy and quiet spells
 * of a shared machine and their ratios hold; within a block each runs as in a training loop,
 * call after call. (Alternating single calls would charge each with the other's cache and
 * garbage: 30% on the small RNN here.)
 */
async function timeAlternating(fns: (() => unknown)[], rounds: number): Promise<number[]> {
  for (const fn of fns) await warm(fn);
  const times: number[][] = fns.map(() => []);
  const block = async (fn: () => unknown, into: number[]) => {
    const start = performance.now();
    do {
      const t0 = performance.now();
      await fn();
      into.push(performance.now() - t0);
    } while (performance.now() - start < 25);
  };
  for (let i = 0; i < rounds; i++) {
    for (let f = 0; f < fns.length; f++) await block(fns[f], times[f]);
  }
  return times.map(median);
}

/**
 * The 512³ matMul the "of matmul" share is measured against, as a function to time in the same
 * alternation as the layers: timed once at the start or end of a run, it would see another
 * moment's load on this shared machine (one run's share read 103% that way).
 */
function matmul512(): { call: () => void; flops: number; dispose: () => void } {
  const n = 512;
  const a = tf.randomNormal([n, n]);
  const b = tf.randomNormal([n, n]);
  return { call: () => tf.tidy(() => void tf.matMul(a, b).dataSync()), flops: 2 * n * n * n, dispose: () => tf.dispose([a, b]) };
}

/** Multiply-adds ×2 of forward (input + recurrent products) and backward (twice as many). */
function trainFlops(m: ModelName, w: Workload): number {
  return 6 * w.T * w.B * GATES[m] * w.H * (w.I + w.H);
}

interface Contender { train: () => unknown; forward: () => unknown; dispose: () => void }

function rnnlabContender(model: ModelName, w: Workload): Contender {
  manualSeed(0);
  const opts = { inputSize: w.I, hiddenSize: w.H, batchFirst: true };
  const layer: RecurrentBase =
    model === "LSTM" ? new LSTM(opts)
    : model === "GRU" ? new GRU(opts)
    : model === "GRU-rb" ? new GRU({ ...opts, resetAfter: false })
    : new RNN(opts);
  const x = tf.randomNormal([w.B, w.T, w.I], 0, 1, "float32", 1);
  const y = tf.randomNormal([w.B, w.T, w.H], 0, 0.5, "float32", 2);
  const opt = tf.train.adam(1e-3);
  return {
    train: () => void trainStep(layer, opt, () => mse(layer.forward(x).output, y)),
    forward: () => tf.tidy(() => void layer.forward(x).output.dataSync()),
    dispose: () => {
      layer.dispose();
      opt.dispose();
      tf.dispose([x, y]);
    },
  };
}

function tfLayersContender(model: ModelName, w: Workload): Contender {
  // Glorot instead of the default orthogonal recurrent init: same step time, and no
  // "orthogonal initializer is slow" warnings in the table.
  const cfg = { units: w.H, returnSequences: true, inputShape: [w.T, w.I], recurrentInitializer: "glorotUniform" as const };
  const layer =
    model === "LSTM" ? tfl.layers.lstm({ ...cfg, recurrentActivation: "sigmoid" })
    : model === "GRU" || model === "GRU-rb" ? tfl.layers.gru({ ...cfg, recurrentActivation: "sigmoid" })
    : tfl.layers.simpleRNN(cfg);
  const net = tfl.sequential({ layers: [layer] });
  net.compile({ optimizer: tf.train.adam(1e-3), loss: "meanSquaredError" });
  const x = tf.randomNormal([w.B, w.T, w.I], 0, 1, "float32", 1);
  const y = tf.randomNormal([w.B, w.T, w.H], 0, 0.5, "float32", 2);
  return {
    train: () => net.trainOnBatch(x, y),
    forward: () => tf.tidy(() => void (net.predict(x) as tf.Tensor).dataSync()),
    dispose: () => {
      net.dispose();
      tf.dispose([x, y]);
    },
  };
}

/** rnnlab and tf.layers on one workload, timed in alternation. */
async function comparedRows(model: ModelName, w: Workload): Promise<Row[]> {
  const ours = rnnlabContender(model, w);
  const peer = tfLayersContender(model, w);
  const mm = matmul512();
  const [ourTrain, peerTrain, matmulMs] = await timeAlternating([ours.train, peer.train, mm.call], w.runs);
  const [ourForward, peerForward] = await timeAlternating([ours.forward, peer.forward], w.runs);
  ours.dispose();
  peer.dispose();
  mm.dispose();
  const matmulGflops = mm.flops / matmulMs / 1e6;
  const row = (impl: string, trainMs: number, forwardMs: number): Row =>
    ({ workload: w.name, model, impl, trainMs, forwardMs, gflops: trainFlops(model, w) / trainMs / 1e6, matmulGflops });
  return [row("rnnlab", ourTrain, ourForward), row("tf.layers", peerTrain, peerForward)];
}

/**
 * The least a train step can cost with tfjs's autodiff and Adam, whatever the recurrence: an op
 * that computes nothing (output and gradients are zeros), MSE, tf.variableGrads and an Adam
 * update, over the parameters laid out as rnnlab's (4 tensors) or as one flat tensor. It bounds
 * the speed-up any such layer can show against tf.layers at the small size.
 */
async function floorMs(w: Workload, layout: "4 tensors" | "1 flat tensor"): Promise<number> {
  const G = w.H; // a vanilla RNN's sizes; the floor hardly depends on them at this size
  const shapes = layout === "4 tensors" ? [[G, w.I], [G, w.H], [G], [G]] : [[G * (w.I + w.H + 2)]];
  const params = shapes.map((shape) => tf.variable(tf.zeros(shape)));
  const y = tf.randomNormal([w.B, w.T, w.H]);
  const nothing = tf.customGrad((...args: unknown[]) => {
    const inputs = (args as tf.Tensor[]).slice(0, params.length); // customGrad appends its save()
    return { value: tf.zeros([w.B, w.T, w.H]), gradFunc: () => inputs.map((p) => tf.zerosLike(p)) };
  });
  const opt = tf.train.adam(1e-3);
  const ms = await time(() => {
    const { value, grads } = tf.variableGrads(() => tf.tidy(() => tf.mean(tf.squaredDifference(nothing(...params) as tf.Tensor, y)) as tf.Scalar), params);
    value.dataSync();
    opt.applyGradients(grads as tf.NamedTensorMap as Record<string, tf.Variable>);
    tf.dispose([value, ...Object.values(grads)]);
  }, w.runs * 3);
  tf.dispose([...params, y]);
  opt.dispose();
  return ms;
}

async function matmulGflops(n = 512): Promise<number> {
  const a = tf.randomNormal([n, n]);
  const b = tf.randomNormal([n, n]);
  const ms = await time(() => tf.tidy(() => void tf.matMul(a, b).dataSync()), 5);
  tf.dispose([a, b]);
  return (2 * n * n * n) / ms / 1e6;
}

/** Bytes the fused LSTM keeps for backward, full BPTT over T against truncated BPTT in chunks of 50. */
function bpttMemory(): { T: number; fullMB: number; truncatedMB: number }[] {
  const B = 32, I = 32, H = 128, chunk = 50;
  manualSeed(0);
  const lstm = new LSTM({ inputSize: I, hiddenSize: H });
  const opt = tf.train.sgd(0);
  const out = [];
  for (const T of [50, 100, 200, 400]) {
    const x = tf.randomNormal([T, B, I]);
    const y = tf.zeros([T, B, H]);
    trainStep(lstm, opt, () => mse(lstm.forward(x).output, y));
    const full = lastTapeBytes;
    let worst = 0;
    const r = trainTBPTT({
      module: lstm, optimizer: opt, inputs: x, targets: y, chunkLength: chunk,
      forward: (xc, yc, s) => {
        const o = lstm.forward(xc, s as { h: tf.Tensor3D; c: tf.Tensor3D } | undefined);
        worst = Math.max(worst, lastTapeBytes);
        return { loss: mse(o.output, yc), state: { h: o.h, c: o.c } };
      },
    });
    tf.dispose([x, y, ...Object.values(r.state ?? {})]);
    out.push({ T, fullMB: full / 2 ** 20, truncatedMB: worst / 2 ** 20 });
  }
  lstm.dispose();
  return out;
}

async function main(): Promise<void> {
  const json = process.argv.includes("--json");
  const info = await ready();
  if (info.name !== "wasm" && !json) console.log(`note: backend is ${info.name}; the targets are stated for wasm.`);
  const pick = (flag: string): string | undefined => {
    const i = process.argv.indexOf(flag);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  const onlyModel = pick("--model");
  const onlyWorkload = pick("--workload");
  const rows: Row[] = [];
  for (const w of WORKLOADS.filter((x) => !onlyWorkload || x.name === onlyWorkload)) {
    for (const model of w.models.filter((m) => !onlyModel || m === onlyModel)) {
      for (const row of await comparedRows(model, w)) {
        rows.push(row);
        if (json) console.log(JSON.stringify(row));
      }
    }
  }
  const gflops = await matmulGflops();
  const floors = [];
  for (const w of WORKLOADS.filter((x) => x.name === "S" && (!onlyWorkload || x.name === onlyWorkload))) {
    for (const layout of ["4 tensors", "1 flat tensor"] as const) floors.push({ workload: w.name, layout, floorMs: await floorMs(w, layout) });
  }
  if (json) {
    for (const f of floors) console.log(JSON.stringify(f));
    console.log(JSON.stringify({ matmul512Gflops: gflops, backend: info.name }));
    for (const m of bpttMemory()) console.log(JSON.stringify({ memory: "lstm B32 I32 H128", ...m }));
    return;
  }
  console.log(`backend ${info.name}${info.simd ? " (SIMD)" : ""}; wasm matmul 512³ timed alone after the rows: ${gflops.toFixed(1)} GFLOP/s`);
  console.log("\"of matmul\": the row's GFLOP/s against the 512³ matMul timed in alternation with its train steps (\"matmul\" column)\n");
  console.log("workload model   impl        train ms  forward ms  GFLOP/s  of matmul  matmul  train speed-up  forward speed-up");
  for (const r of rows.filter((x) => x.impl === "rnnlab")) {
    const peer = rows.find((x) => x.impl === "tf.layers" && x.model === r.model && x.workload === r.workload)!;
    for (const x of [r, peer]) {
      const up = x === r ? `${(peer.trainMs / r.trainMs).toFixed(1)}×`.padStart(14) + `${(peer.forwardMs / r.forwardMs).toFixed(1)}×`.padStart(18) : "";
      const share = `${((100 * x.gflops) / x.matmulGflops).toFixed(1)}%`.padStart(10);
      console.log(
        `${x.workload.padEnd(9)}${x.model.padEnd(7)} ${x.impl.padEnd(9)} ${x.trainMs.toFixed(2).padStart(10)} ${x.forwardMs.toFixed(2).padStart(11)} ${x.gflops.toFixed(2).padStart(8)}${share}${x.matmulGflops.toFixed(1).padStart(8)}${up}`,
      );
    }
  }
  for (const f of floors) {
    const best = ALL_MODELS
      .map((m) => rows.find((x) => x.impl === "tf.layers" && x.model === m && x.workload === f.workload))
      .filter((x): x is Row => x !== undefined)
      .map((x) => `${x.model} ${(x.trainMs / f.floorMs).toFixed(1)}×`);
    console.log(
      `\ntfjs floor on ${f.workload} (an op that computes nothing + MSE + variableGrads + Adam, parameters as ${f.layout}): ` +
        `${f.floorMs.toFixed(3)} ms; the most any layer built on them can gain over tf.layers: ${best.join(", ")}`,
    );
  }
  console.log("\nBPTT memory (fused LSTM, B 32, I 32, H 128): bytes kept for backward");
  console.log("    T   full BPTT MB   truncated (chunks of 50) MB");
  for (const m of bpttMemory()) console.log(`${String(m.T).padStart(5)} ${m.fullMB.toFixed(2).padStart(14)} ${m.truncatedMB.toFixed(2).padStart(16)}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
